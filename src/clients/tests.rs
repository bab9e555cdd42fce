//! The client table, one row per URL form. Field readings are checked against the real
//! libraries in `recorded.rs`; these rows pin the comparison with redcheck's own reading, the
//! masking, and the from-source models.

use super::*;
use crate::secret::MASK;

/// Verdicts in `read_all` order: redis-cli, redis-py, ioredis 6, ioredis 5, node-redis 6,
/// node-redis 5, redis-rs, go-redis, Jedis, Lettuce. `S` same, `D` differs, `R` rejects.
fn verdicts(url: &str) -> String {
    let t = Target::parse(url).unwrap_or_else(|e| panic!("{url}: {e}"));
    read_all(url, Some(&t))
        .iter()
        .map(|r| match r.verdict {
            Verdict::Same => 'S',
            Verdict::Differs => 'D',
            Verdict::Rejects => 'R',
        })
        .collect()
}

/// The first reading of `client` (the current major where there are two).
fn reading(url: &str, client: &str) -> Reading {
    let t = Target::parse(url).ok();
    read_all(url, t.as_ref())
        .into_iter()
        .find(|r| r.client == client)
        .unwrap_or_else(|| panic!("no client {client}"))
}

#[test]
fn verdict_table() {
    let rows: &[(&str, &str, &str)] = &[
        (
            "redis://localhost:6379/0",
            "SSSSSSSSSS",
            "the plain form every client reads alike",
        ),
        ("redis://localhost", "SSSSSSSSRS", "Jedis: port mandatory"),
        (
            "REDISS://h:6380",
            "SRDDSSSSSR",
            "ioredis: TLS only for lower-case rediss://; redis-py and Lettuce compare schemes case-sensitively",
        ),
        (
            "rediss://:pw@h:6380",
            "DSSSSSSSSS",
            "redis-cli: :password@ sends an empty user name",
        ),
        (
            "redis://:@h:6379",
            "DSSSSSSSSS",
            "redis-cli sends AUTH \"\" \"\" for :@",
        ),
        (
            "redis://secret@h:6379",
            "SDDDDDDDRS",
            "secret@ is a password to redis-cli (and Lettuce), a user to most libraries; Jedis throws",
        ),
        (
            "redis://h:6379/0?foo=1",
            "DRDDDDDRDD",
            "redis-py passes it to the connection (TypeError); go-redis rejects it",
        ),
        (
            "valkey://h:6379",
            "RRDDRRSRRR",
            "redis-rs knows valkey://; ioredis reads it as a socket path",
        ),
        (
            "unix:///tmp/redis.sock?db=2",
            "RSDDSRSSRR",
            "sockets: node-redis 6 reads unix://, 5 does not; ioredis keeps the '//' in the path",
        ),
        (
            "redis://h:6379/1?db=2",
            "DSDDDDDSDS",
            "redis-py: ?db= overrides the path; ioredis: the path wins",
        ),
        (
            "rediss://h:6380#insecure",
            "DDDDDDSDDD",
            "redis-rs: the fragment is only #insecure",
        ),
        (
            "redis://h:6379?tls=false",
            "DRDDDDDRDD",
            "ioredis: any tls= string turns TLS on",
        ),
        (
            "redis://h:6379?password=",
            "DSSSDDDRDD",
            "an empty ?password= is not sent",
        ),
        (
            "redis://h:6379?DB=3",
            "DRDDDDDRDD",
            "query names are case-sensitive",
        ),
        (
            "redis://h:6379/0?protocol=3",
            "DSDDDDSSSD",
            "ioredis 6 compares protocol with the number 3",
        ),
        (
            "redis://0.0.0.0:6379",
            "SSSSSSRSSS",
            "redis-rs refuses the wildcard address",
        ),
    ];
    let mut failed = Vec::new();
    for (url, want, why) in rows {
        let got = verdicts(url);
        if got != *want {
            failed.push(format!("{url}\n   want {want}\n   got  {got}   ({why})"));
        }
    }
    assert!(failed.is_empty(), "\n{}", failed.join("\n"));
}

#[test]
fn every_reading_names_its_version_and_source() {
    let all = read_all(
        "redis://h:6379",
        Target::parse("redis://h:6379").ok().as_ref(),
    );
    let names: Vec<String> = all
        .iter()
        .map(|r| format!("{} {}", r.client, r.version))
        .collect();
    assert_eq!(
        names,
        [
            "redis-cli 7.0.15",
            "redis-py 8.1.0",
            "ioredis 6.0.0",
            "ioredis 5.11.1",
            "node-redis 6.3.1",
            "node-redis 5.12.1",
            "redis-rs 1.8.1",
            "go-redis 9.22 (source)",
            "Jedis 8.0 (source)",
            "Lettuce 7.7 (source)",
        ]
    );
    for r in &all {
        assert_eq!(
            r.source == Source::Source,
            !r.cites.is_empty(),
            "{}",
            r.client
        );
    }
}

#[test]
fn ioredis_turns_tls_on_for_any_tls_string() {
    let r = reading("redis://h:6379?tls=false", "ioredis");
    assert_eq!((r.tls, r.verdict), (Some(true), Verdict::Differs));
    assert_eq!(r.misread, ["tls"]);
    assert!(
        r.notes.iter().any(|n| n.contains("TLS on")),
        "{:?}",
        r.notes
    );
}

#[test]
fn ioredis_reads_other_schemes_as_socket_paths_and_never_shows_the_password() {
    let r = reading("valkey://example.com:6379", "ioredis");
    assert_eq!(r.socket.as_deref(), Some("//example.com:6379"));
    assert!(
        r.notes.iter().any(|n| n.contains("socket path")),
        "{:?}",
        r.notes
    );
    let r = reading("unix://:hunter2@/path/redis.sock", "ioredis");
    assert_eq!(r.socket.as_deref(), Some("****@/path/redis.sock"));
    assert_eq!(r.password, Some(false));
}

#[test]
fn redis_py_rejects_what_its_connection_class_does_not_take() {
    for url in [
        "redis://h?timeout=5",
        "redis://h?family=6",
        "redis://h?protocol=resp3",
    ] {
        let r = reading(url, "redis-py");
        assert_eq!(r.verdict, Verdict::Rejects, "{url}");
    }
    let r = reading("redis://h?timeout=5", "redis-py");
    assert!(r.notes[0].starts_with("TypeError"), "{:?}", r.notes);
}

#[test]
fn refused_urls_still_get_every_recorded_library() {
    let raw = "redis://:pw@h:6379/0\n";
    assert!(Target::parse(raw).is_err());
    let all = read_all(raw, None);
    assert_eq!(all.len(), RECORDED.len());
    // The libraries drop the newline; redis-cli keeps it in the database part (atoi stops).
    assert!(
        all.iter()
            .all(|r| r.verdict == Verdict::Differs && r.password == Some(true))
    );
}

#[test]
fn nothing_shown_holds_the_password() {
    for url in [
        "redis://hunter2@h:6379",
        "redis://:hun@ter2@h:6379",
        "redis://user:hun#ter2@h:6379",
        "unix://:hunter2@/tmp/r.sock",
        "valkey://:hunter2@h:6379",
        "redis://h/0?password=ab&hunter2=1",
        "redis://h/0?password=ab#hunter2",
    ] {
        let t = Target::parse(url).ok();
        for r in read_all(url, t.as_ref()) {
            let shown = serde_json::to_string(&r).unwrap().to_lowercase();
            assert!(!shown.contains("hunter2"), "{url}: {shown}");
            assert!(!shown.contains("ter2"), "{url}: {shown}");
        }
    }
    let py = reading("redis://hunter2@h:6379", "redis-py");
    assert_eq!((py.user.as_deref(), py.password), (Some(MASK), Some(false)));
}

#[test]
fn redis_cli_sends_an_empty_user_for_colon_password() {
    let r = reading("redis://:pw@h:6379", "redis-cli");
    assert_eq!(r.user.as_deref(), Some(""));
    assert!(
        r.notes.iter().any(|n| n.contains("WRONGPASS")),
        "{:?}",
        r.notes
    );
}

#[test]
fn go_redis_names_the_unexpected_options() {
    let r = reading("redis://h:6379?zeta=1&alpha=2&dial_timeout=3", "go-redis");
    assert_eq!(r.verdict, Verdict::Rejects);
    assert_eq!(r.notes, ["redis: unexpected option: alpha, zeta"]);
}

#[test]
fn jedis_needs_a_port_and_a_redis_scheme() {
    let r = reading("redis://h/0", "Jedis");
    assert_eq!(r.verdict, Verdict::Rejects);
    assert!(r.notes[0].contains("port"));
    assert_eq!(
        reading("valkey://h:6379/0", "Jedis").verdict,
        Verdict::Rejects
    );
}

#[test]
fn lettuce_reads_database_and_knows_its_own_schemes() {
    assert_eq!(
        reading("redis://h:6379/1?database=4", "Lettuce").db,
        Some(4)
    );
    let r = reading("redis://h:6379/1?DATABASE=4", "Lettuce");
    assert_eq!((r.db, r.ignored.len()), (Some(4), 0));
    assert_eq!(knowing_scheme("redis+ssl"), ["Lettuce"]);
    assert!(knowing_scheme("http").is_empty());
}

#[test]
fn no_corpus_password_is_ever_shown() {
    // Every password-like text of the corpus made distinctive, then looked for in everything
    // `redcheck url` would print (JSON holds all of it).
    let mut checked = 0;
    for line in super::recorded::corpus() {
        let raw = super::recorded::decode_line(&line)
            .replace("pw", "Qx7pw")
            .replace("p@ss", "p@Qx8")
            .replace("p#ss", "p#Qx8")
            .replace("p/ss", "p/Qx8")
            .replace("p?ss", "p?Qx8");
        if !raw.contains("Qx") {
            continue;
        }
        checked += 1;
        let shown = serde_json::to_string(&crate::report::url::explain(&raw))
            .unwrap()
            .to_lowercase();
        assert!(!shown.contains("qx"), "{raw:?}: {shown}");
    }
    assert!(checked >= 30, "{checked}");
}
