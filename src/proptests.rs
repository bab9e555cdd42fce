//! Property tests: parsers never panic, URLs survive a round trip, redaction always holds,
//! and the reply reader stays bounded whatever a server sends.

use std::io::Write;
use std::os::unix::net::UnixStream;
use std::time::{Duration, Instant};

use proptest::prelude::*;

use crate::conn::{Connection, Transport};
use crate::deadline::Deadline;
use crate::info::Info;
use crate::url::{Endpoint, Target, encode, redact_raw};

/// A password that cannot appear by chance elsewhere in a URL.
fn password() -> impl Strategy<Value = String> {
    "[ -~]{0,12}".prop_map(|s| format!("Pw9{s}"))
}

fn host() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z][a-z0-9-]{0,20}(\\.[a-z][a-z0-9-]{0,10}){0,3}",
        any::<[u8; 4]>().prop_map(|o| std::net::Ipv4Addr::from(o).to_string()),
        any::<[u16; 8]>().prop_map(|s| format!("[{}]", std::net::Ipv6Addr::from(s))),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn url_parser_never_panics(s in "\\PC{0,200}") {
        let _ = Target::parse(&s);
        let _ = redact_raw(&s);
    }

    #[test]
    fn url_parser_never_panics_on_url_like_input(s in "(redis|rediss|unix|valkey)://[ -~]{0,80}") {
        let _ = Target::parse(&s);
    }

    #[test]
    fn urls_round_trip_and_never_show_the_password(
        scheme in prop::sample::select(vec!["redis", "rediss", "valkey", "valkeys"]),
        user in proptest::option::of("[a-zA-Z0-9_.@:/#?-]{1,12}"),
        pass in proptest::option::of(password()),
        host in host(),
        port in 1u16..,
        db in 0u32..10_000,
        protocol in proptest::option::of(2u8..=3),
    ) {
        let tls = matches!(scheme, "rediss" | "valkeys");
        let userinfo = match (&user, &pass) {
            (Some(u), Some(p)) => format!("{}:{}@", encode(u), encode(p)),
            (Some(u), None) => format!("{}:@", encode(u)),
            (None, Some(p)) => format!(":{}@", encode(p)),
            (None, None) => String::new(),
        };
        let query = protocol.map(|p| format!("?protocol={p}")).unwrap_or_default();
        let raw = format!("{scheme}://{userinfo}{host}:{port}/{db}{query}");
        let t = Target::parse(&raw).map_err(|e| TestCaseError::fail(format!("{raw}: {e}")))?;
        prop_assert_eq!(t.tls, tls);
        prop_assert_eq!(t.port(), Some(port));
        prop_assert_eq!(t.db, db);
        prop_assert_eq!(t.username.as_deref(), user.as_deref());
        prop_assert_eq!(t.password.as_ref().map(|p| p.expose().to_string()), pass.clone());
        let shown = t.to_string();
        let again = Target::parse(&shown).map_err(|e| TestCaseError::fail(format!("{shown}: {e}")))?;
        prop_assert_eq!(&again.endpoint, &t.endpoint);
        prop_assert_eq!((again.db, &again.username, again.tls), (t.db, &t.username, t.tls));
        prop_assert_eq!((&again.scheme, again.protocol), (&t.scheme, protocol));
        prop_assert_eq!(again.password.is_some(), pass.is_some());
        if let Some(p) = &pass {
            for text in [shown, format!("{t:?}"), redact_raw(&raw)] {
                prop_assert!(!text.contains(p.as_str()), "password shown in {}", text);
                prop_assert!(!text.contains(&encode(p)), "encoded password shown in {}", text);
            }
        }
        if let Endpoint::Tcp { host: h, .. } = &t.endpoint {
            let want = host.trim_start_matches('[').trim_end_matches(']').to_ascii_lowercase();
            let want = want.parse::<std::net::IpAddr>().map_or(want.clone(), |ip| ip.to_string());
            prop_assert_eq!(h.as_str(), want);
        }
    }

    #[test]
    fn unix_urls_round_trip(
        user in proptest::option::of("[a-z][a-z0-9_-]{0,8}"),
        pass in proptest::option::of(password()),
        path in "(/[a-zA-Z0-9._-]{1,12}){1,4}",
        db in 0u32..100,
    ) {
        let userinfo = match (&user, &pass) {
            (Some(u), Some(p)) => format!("{u}:{}@", encode(p)),
            (None, Some(p)) => format!(":{}@", encode(p)),
            (Some(u), None) => format!("{u}:@"),
            (None, None) => String::new(),
        };
        let raw = format!("unix://{userinfo}{path}?db={db}");
        let t = Target::parse(&raw).map_err(|e| TestCaseError::fail(format!("{raw}: {e}")))?;
        prop_assert_eq!(&t.endpoint, &Endpoint::Unix(path.clone().into()));
        let shown = t.to_string();
        let again = Target::parse(&shown).map_err(|e| TestCaseError::fail(format!("{shown}: {e}")))?;
        prop_assert_eq!(&again.endpoint, &t.endpoint);
        prop_assert_eq!((again.db, &again.username), (db, &user));
        prop_assert_eq!(again.password.is_some(), pass.is_some());
        if let Some(p) = &pass {
            prop_assert!(!shown.contains(p.as_str()), "password shown in {}", shown);
        }
    }

    #[test]
    fn no_text_about_a_url_shows_its_password(
        scheme in prop::sample::select(vec!["redis", "rediss", "valkey", "unix", "http"]),
        user in proptest::option::of("[a-z]{1,8}"),
        // Un-encoded, as users paste them: every URL delimiter can appear. No 'P', so that
        // "Pw9" can only come from the password.
        pass in "[!-~&&[^P]]{0,12}",
        tail in "[ -~&&[^P]]{0,40}",
    ) {
        let raw = format!("{scheme}://{}:Pw9{pass}@{tail}", user.unwrap_or_default());
        let mut texts = vec![redact_raw(&raw)];
        match Target::parse(&raw) {
            Ok(t) => {
                texts.extend([t.to_string(), format!("{t:?}")]);
                texts.extend(t.lints.iter().flat_map(|l| [l.message.clone(), l.hint.clone()]));
            }
            Err(e) => texts.push(e.to_string()),
        }
        for text in texts {
            prop_assert!(!text.contains("Pw9"), "{} shows the password: {}", raw, text);
        }
    }

    #[test]
    fn raw_special_characters_in_a_password_never_show(
        colon in any::<bool>(),
        tail in "[ -~]{0,16}",
        host in "[a-z][a-z0-9-]{0,10}",
        port in 1u16..,
    ) {
        // Un-encoded, as users paste them: the 'Pw9' prefix must show nowhere. Without the
        // leading ':' a ':' in the tail would make 'Pw9…' a user name, which is shown.
        let tail = if colon { tail } else { tail.replace(':', "") };
        let secret = format!("Pw9{tail}");
        let raw = format!("redis://{}{secret}@{host}:{port}/0", if colon { ":" } else { "" });
        let shown = match Target::parse(&raw) {
            Ok(t) => format!("{t} {t:?}"),
            Err(e) => format!("{e} {}", redact_raw(&raw)),
        };
        prop_assert!(!shown.contains("Pw9"), "{} -> {}", raw, shown);
    }

    #[test]
    fn raw_printable_query_passwords_never_show(
        head in "[ -~]{0,8}",
        tail in "[ -~]{0,8}",
        host in "[a-z]{1,10}",
        key in prop::sample::select(vec!["password", "PASSWORD", "Password"]),
    ) {
        // Un-encoded: a raw '&', '#' or '@' in `head` cuts the value early, so the 'Pw9' after
        // it would land in a parameter name (lower-cased), the fragment or the host.
        let raw = format!("redis://{host}:6379/0?{key}={head}Pw9{tail}");
        let shown = match Target::parse(&raw) {
            Ok(t) => {
                let lints: Vec<String> =
                    t.lints.iter().map(|l| format!("{} {}", l.message, l.hint)).collect();
                format!("{t} {} {:?} {:?}", lints.join(" "), t.params, t.written.fragment)
            }
            Err(e) => format!("{e} {}", redact_raw(&raw)),
        };
        let explained = format!("{:?}", crate::report::url::explain(&raw));
        prop_assert!(!shown.to_lowercase().contains("pw9"), "{} -> {}", raw, shown);
        prop_assert!(!explained.to_lowercase().contains("pw9"), "{} -> {}", raw, explained);
    }

    #[test]
    fn info_parser_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let info = Info::parse(&String::from_utf8_lossy(&bytes));
        let _ = (info.server(), info.memory(), info.keyspace(), info.clients());
        let _ = (info.persistence(), info.replication(), info.error_stats());
    }

    #[test]
    fn reply_reader_never_panics_and_returns_promptly(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let start = Instant::now();
        let _ = read_reply_from(&bytes);
        prop_assert!(start.elapsed() < Duration::from_secs(2));
    }

    #[test]
    fn reply_reader_handles_resp_shaped_noise(
        prefix in prop::sample::select(vec!["$", "*", "%", "~", ">", "|", "=", "!", ":", ",", "#", "(", "_"]),
        len in prop_oneof![Just(-1i64), 0i64..64, Just(1_000_000_000_000i64), Just(i64::MAX)],
        tail in "[ -~\r\n]{0,64}",
    ) {
        let bytes = format!("{prefix}{len}\r\n{tail}");
        let _ = read_reply_from(bytes.as_bytes());
    }
}

/// Feeds `bytes` to a connection through a socket pair, then closes the sending side.
fn read_reply_from(bytes: &[u8]) -> Result<redis::Value, crate::conn::WireError> {
    let (ours, mut theirs) = UnixStream::pair().expect("socket pair");
    // Write from another thread: a large input would fill the socket buffer and block.
    let bytes = bytes.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = theirs.write_all(&bytes);
    });
    let mut conn = Connection::new(
        Transport::Unix(ours),
        Deadline::after(Duration::from_secs(1)),
    );
    let reply = conn.read();
    drop(conn);
    writer.join().expect("writer thread");
    reply
}

#[test]
fn a_huge_announced_bulk_is_not_allocated() {
    // 10^12 bytes announced, 5 sent: the reader must fail on EOF, not try to allocate a terabyte.
    assert!(read_reply_from(b"$1000000000000\r\nhello").is_err());
    assert!(read_reply_from(b"*1000000000000\r\n:1\r\n").is_err());
}

#[test]
fn deeply_nested_arrays_are_rejected_not_recursed_into() {
    let mut bytes = b"*1\r\n".repeat(100_000);
    bytes.extend_from_slice(b":1\r\n");
    assert!(read_reply_from(&bytes).is_err());
}

#[test]
fn valid_replies_parse() {
    assert_eq!(
        read_reply_from(b"+PONG\r\n").ok(),
        Some(redis::Value::SimpleString("PONG".into()))
    );
    assert_eq!(
        read_reply_from(b":42\r\n").ok(),
        Some(redis::Value::Int(42))
    );
    assert!(matches!(
        read_reply_from(b"-ERR x\r\n"),
        Ok(redis::Value::ServerError(_))
    ));
}
