//! URL parsing table: every form users write, good and bad.

use super::*;

fn parse_ok(s: &str) -> Target {
    Target::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
}

fn lint_ids(t: &Target) -> Vec<&'static str> {
    t.lints.iter().map(|l| l.id).collect()
}

/// (url, tls, host, port, db, user, password)
type Case<'a> = (
    &'a str,
    bool,
    &'a str,
    u16,
    u32,
    Option<&'a str>,
    Option<&'a str>,
);

#[test]
fn parses_the_common_forms() {
    let cases: &[Case] = &[
        ("redis://localhost", false, "localhost", 6379, 0, None, None),
        (
            "redis://localhost:6380/3",
            false,
            "localhost",
            6380,
            3,
            None,
            None,
        ),
        (
            "rediss://default:pw@cache.example.com:6380/0",
            true,
            "cache.example.com",
            6380,
            0,
            Some("default"),
            Some("pw"),
        ),
        ("redis://:pw@h", false, "h", 6379, 0, None, Some("pw")),
        ("redis://user:@h", false, "h", 6379, 0, Some("user"), None),
        ("valkey://h:1", false, "h", 1, 0, None, None),
        ("valkeys://h", true, "h", 6379, 0, None, None),
        ("REDIS://H:7", false, "h", 7, 0, None, None),
        ("redis://[::1]:6390/2", false, "::1", 6390, 2, None, None),
        ("redis://[fe80::1]", false, "fe80::1", 6379, 0, None, None),
        (
            "redis://:p%40ss%3Aw%2Fd%23@h",
            false,
            "h",
            6379,
            0,
            None,
            Some("p@ss:w/d#"),
        ),
        ("redis://h/", false, "h", 6379, 0, None, None),
        ("redis://h:6379/?db=4", false, "h", 6379, 4, None, None),
        (
            "redis://h?password=pw&username=u",
            false,
            "h",
            6379,
            0,
            Some("u"),
            Some("pw"),
        ),
        (
            "redis://10.0.0.1:65535",
            false,
            "10.0.0.1",
            65535,
            0,
            None,
            None,
        ),
    ];
    for &(url, tls, host, port, db, user, pass) in cases {
        let t = parse_ok(url);
        assert_eq!(t.tls, tls, "{url}");
        assert_eq!(t.host().map(Host::as_str).as_deref(), Some(host), "{url}");
        assert_eq!(t.port(), Some(port), "{url}");
        assert_eq!(t.db, db, "{url}");
        assert_eq!(t.username.as_deref(), user, "{url}");
        assert_eq!(t.password.as_ref().map(Secret::expose), pass, "{url}");
    }
}

#[test]
fn unix_sockets() {
    for url in [
        "unix:///run/redis.sock",
        "redis+unix:///run/redis.sock",
        "valkey+unix:///run/redis.sock",
    ] {
        let t = parse_ok(url);
        assert_eq!(
            t.endpoint,
            Endpoint::Unix("/run/redis.sock".into()),
            "{url}"
        );
    }
    let t = parse_ok("unix://:pw@/run/redis.sock?db=2");
    assert_eq!((t.db, t.password.is_some()), (2, true));
    assert_eq!(t.to_string(), "unix://:****@/run/redis.sock?db=2");
}

#[test]
fn tls_options_from_the_url() {
    assert!(parse_ok("rediss://h#insecure").insecure);
    assert!(parse_ok("rediss://h?ssl_cert_reqs=none").insecure);
    assert!(!parse_ok("rediss://h?ssl_cert_reqs=required").insecure);
    assert_eq!(
        parse_ok("rediss://h?ssl_ca_certs=/etc/ca.pem").ca_file,
        Some("/etc/ca.pem".into())
    );
    assert!(parse_ok("rediss://h?ssl_check_hostname=false").skip_hostname_check);
    assert_eq!(parse_ok("redis://h?protocol=resp3").protocol, Some(3));
    assert_eq!(parse_ok("redis://h?protocol=2").protocol, Some(2));
}

#[test]
fn rejects_what_no_client_accepts() {
    let cases = [
        ("", "empty"),
        ("localhost:6379", "no scheme"),
        ("redis://", "no host"),
        ("redis://h:0", "out of range"),
        ("redis://h:70000", "out of range"),
        ("redis://h:abc", "not a number"),
        ("redis://h/abc", "whole number"),
        ("redis://h/-1", "whole number"),
        ("redis://::1:6379", "brackets"),
        ("redis://[::1", "unclosed"),
        ("redis://h\n", "trailing newline"),
        ("redis://h?protocol=4", "2 or 3"),
        (
            "redis://h?ssl_cert_reqs=maybe",
            "none, optional or required",
        ),
        ("redis://h a", "a character other than"),
    ];
    for (url, want) in cases {
        match Target::parse(url) {
            Err(UrlError::Invalid(msg)) => assert!(msg.contains(want), "{url:?}: {msg}"),
            other => panic!("{url:?}: expected invalid, got {other:?}"),
        }
    }
    assert_eq!(
        Target::parse("http://h"),
        Err(UrlError::UnsupportedScheme("http".into()))
    );
    let long = format!("redis://{}", "a".repeat(20_000));
    assert!(matches!(Target::parse(&long), Err(UrlError::Invalid(m)) if m.contains("long")));
}

#[test]
fn lints() {
    let cases: &[(&str, &[&str])] = &[
        ("redis://localhost", &[]),
        ("redis://cache.example.com", &["plaintext-remote"]),
        ("redis://h.example.com:6380", &["tls-port"]),
        ("rediss://h.example.com:6380", &[]),
        ("redis://secret@localhost", &["ambiguous-userinfo"]),
        ("redis://:pw%0A@localhost", &["password-whitespace"]),
        ("REDISS://localhost", &["scheme-case"]),
        ("redis://localhost?foo=1", &["unknown-params"]),
        ("redis://localhost#frag", &["fragment"]),
        ("redis://localhost/1?db=2", &["db-conflict"]),
    ];
    for &(url, want) in cases {
        assert_eq!(lint_ids(&parse_ok(url)), want, "{url}");
    }
    // An '@' meant inside a query value is written %40.
    let t = parse_ok("redis://localhost:6390?username=me%40corp");
    assert_eq!(t.username.as_deref(), Some("me@corp"));
}

/// Where RFC 3986 and redis-cli end the user info at different '@'s, they name different hosts:
/// the URL is refused, and neither reading's host shows a byte of either reading's password.
#[test]
fn two_readings_of_the_host_refuse_the_url() {
    let cases: &[(&str, &str, &str)] = &[
        // A raw / ? # in the password: RFC 3986 ends the authority there.
        ("redis://:pa/ss@localhost:6390", ":****", "localhost:6390"),
        ("redis://:pa#ss@localhost", ":****", "localhost"),
        (
            "redis://app:pa?ss=w@localhost:6390",
            "app:****",
            "localhost:6390",
        ),
        ("redis://pa?ss=w@localhost:6390", "****", "localhost:6390"),
        // A raw '@' in the password: redis-cli splits at the first one.
        ("redis://:p@ss@localhost", "localhost", "****@localhost"),
        // An '@' in a query value with no user info: redis-cli takes all before it as user info.
        ("redis://h:6379/0?client_name=me@laptop", "h:****", "laptop"),
        ("redis://h:6379/0?password=ab@cd", "h:****", "****"),
        // redis-cli reads a user info without ':' as a password: all of it is masked.
        ("redis://h/0#owner@other:6379", "****", "other:6379"),
        // A ?password= value is the password for RFC 3986: masked in redis-cli's host too.
        ("redis://h/0?PASSWORD=a@ZQXtail", "****", "****"),
    ];
    for &(url, rfc_host, cli_host) in cases {
        match Target::parse(url) {
            Err(UrlError::Ambiguous { rfc, cli, fix }) => {
                assert_eq!((rfc.as_str(), cli.as_str()), (rfc_host, cli_host), "{url}");
                assert!(fix.contains("%40"), "{url}: {fix}");
            }
            other => panic!("{url}: {other:?}"),
        }
    }
    // Sentinel URLs follow the same rule: the password goes to the Sentinels' host list only
    // when both readings agree on it.
    for url in [
        "redis+sentinel://:pa/ss@s1:26379,s2:26379/mymaster",
        "redis+sentinel://s1:26379/mymaster?sentinel_password=a@evil:26379",
    ] {
        assert!(
            matches!(Target::parse(url), Err(UrlError::Ambiguous { .. })),
            "{url}"
        );
    }
    // Both readings agree when the first '@' ends the user info: an '@' in a later query value
    // or fragment is the query's, and the password goes to the one host both name.
    for url in [
        "redis://:SECRET@127.0.0.1:6379/0?client_name=app@cache.internal:6379",
        "redis://:SECRET@127.0.0.1:6379/0#owner=ops@cache.internal",
    ] {
        let t = parse_ok(url);
        assert_eq!(
            t.host().map(Host::as_str).as_deref(),
            Some("127.0.0.1"),
            "{url}"
        );
        assert_eq!(
            t.password.as_ref().map(Secret::expose),
            Some("SECRET"),
            "{url}"
        );
    }
}

#[test]
fn display_redacts_and_round_trips() {
    let cases = [
        (
            "rediss://default:hunter2@cache.example.com:6380/0",
            "rediss://default:****@cache.example.com:6380/0",
        ),
        ("redis://:hunter2@h", "redis://:****@h:6379/0"),
        ("redis://hunter2@h", "redis://:****@h:6379/0"),
        (
            "redis://h?password=hunter2",
            "redis://:****@h:6379/0?password=****",
        ),
        ("redis://[::1]:7/1", "redis://[::1]:7/1"),
    ];
    for (url, shown) in cases {
        let t = parse_ok(url);
        assert_eq!(t.to_string(), shown);
        assert!(!format!("{t:?}").contains("hunter2"), "{url}");
        let again = parse_ok(&t.to_string());
        assert_eq!(
            (again.endpoint, again.db, again.username),
            (t.endpoint.clone(), t.db, t.username.clone())
        );
    }
}

#[test]
fn raw_redaction_hides_userinfo_of_unparseable_urls() {
    for raw in [
        "redis://:hunter2@h:99999",
        "redis://u:hunter2@[::1",
        "hunter2@h",
        "redis://h?password=hunter2&x=1",
    ] {
        let shown = redact_raw(raw);
        assert!(!shown.contains("hunter2"), "{raw} -> {shown}");
    }
    assert_eq!(redact_raw("redis://h\n"), "redis://h?");
}

#[test]
fn suggests_the_other_transport() {
    let t = parse_ok("redis://:pw@h.example.com:6379/1");
    assert_eq!(
        t.redacted_with(true, Some(6380)),
        "rediss://:****@h.example.com:6380/1"
    );
    let v = parse_ok("valkeys://h");
    assert_eq!(v.redacted_with(false, None), "valkey://h:6379/0");
}

#[test]
fn a_supplied_password_fills_only_an_empty_slot() {
    let mut t = parse_ok("redis://alice@h:6379");
    assert!(!t.supply_password(Secret::new("x"), PasswordSource::Env));
    assert_eq!(t.password_source, Some(PasswordSource::Url));
    assert!(lint_ids(&t).contains(&"password-unused"));

    let mut t = parse_ok("redis://h:6379");
    assert!(t.supply_password(
        Secret::new("pw\n"),
        PasswordSource::File {
            newline_stripped: false
        }
    ));
    assert_eq!(t.password.as_ref().map(Secret::expose), Some("pw\n"));
    assert!(lint_ids(&t).contains(&"password-whitespace"));
    assert_eq!(t.to_string(), "redis://:****@h:6379/0");
}

#[test]
fn written_keeps_what_clients_disagree_on() {
    let t = parse_ok("REDISS://secret@[::1]:6380/2?db=3#insecure");
    assert_eq!(t.written.scheme, "REDISS");
    assert!(t.written.port && t.written.bare_userinfo && t.written.password);
    assert_eq!(t.written.path_db, Some(2));
    assert_eq!(t.db, 3);
    assert_eq!(t.written.fragment.as_deref(), Some("insecure"));
    assert!(!parse_ok("redis://[::1]/0").written.port);
    assert!(!parse_ok("redis://h:/0").written.port);
}

/// Everything a user or a report can see of a parsed URL.
fn everything_shown(t: &Target) -> String {
    let lints: Vec<String> = t
        .lints
        .iter()
        .map(|l| format!("{} {}", l.message, l.hint))
        .collect();
    format!(
        "{t} {} {:?} {:?}",
        lints.join(" "),
        t.params,
        t.written.fragment
    )
}

#[test]
fn a_raw_hash_amp_or_at_in_a_query_password_never_shows() {
    for raw in [
        "redis://h/0?password=ab#ZQXtail",
        "redis://h/0?password=ab&ZQXtail",
        "redis://h/0?password=ab&ZQXtail=1",
        "redis://u:p@h/0?password=a@ZQXtail",
    ] {
        let t = parse_ok(raw);
        let shown = everything_shown(&t);
        assert!(!shown.to_lowercase().contains("zqx"), "{raw} -> {shown}");
        let explained = format!("{:?}", crate::report::url::explain(raw));
        assert!(
            !explained.to_lowercase().contains("zqx"),
            "{raw} -> {explained}"
        );
        assert_eq!(t.host().map(Host::as_str).as_deref(), Some("h"), "{raw}");
    }
    // An '@' in a query password makes redis-cli read another host: refused, nothing shown.
    let raw = "redis://h/0?password=a@ZQXtail";
    let e = Target::parse(raw).unwrap_err().to_string();
    let explained = format!("{:?}", crate::report::url::explain(raw));
    let shown = format!("{e} {} {explained}", redact_raw(raw));
    assert!(!shown.to_lowercase().contains("zqx"), "{raw} -> {shown}");
    let t = parse_ok("redis://h/0?password=ab#ZQXtail");
    assert!(lint_ids(&t).contains(&"fragment"));
    let t = parse_ok("redis://h/0?password=ab&ZQXtail");
    assert!(lint_ids(&t).contains(&"unknown-params"));
    for raw in [
        "redis://h/0?password=ab&db=ZQX",
        "redis://h/0?password=ab&protocol=ZQX",
    ] {
        let e = Target::parse(raw).unwrap_err().to_string();
        let shown = format!("{e} {}", redact_raw(raw));
        assert!(!shown.contains("ZQX"), "{raw} -> {shown}");
    }
}

#[test]
fn a_password_without_its_at_never_shows() {
    for raw in [
        "redis://default:ZQXsecret",
        "redis://default:ZQX/secret?db=1",
        "redis://:ZQXsecret",
        "redis://a:ZQX:c",
        "redis://[::1]:ZQX/0",
        "default:ZQXsecret",
    ] {
        let e = Target::parse(raw).unwrap_err().to_string();
        let shown = format!("{e} {}", redact_raw(raw));
        assert!(!shown.contains("ZQX"), "{raw} -> {shown}");
    }
    assert_eq!(redact_raw("redis://h:6379/0"), "redis://h:6379/0");
    assert_eq!(redact_raw("redis://[::1]:6379/x"), "redis://[::1]:6379/x");
    assert_eq!(redact_raw("redis://u:pw@h:ZQX"), "redis://****@h:****");
    // Nor in what a client library would make of it (ioredis reads these as a socket path),
    // nor in what the parameters after a Sentinel password show.
    for raw in [
        "valkey://u:ZQXsecret,h/0",
        "redis+sentinel://:ZQXsecret,127.0.0.1:26379/mymaster",
        "redis+sentinel://h1/mymaster?sentinel_password=a&ZQXsecret",
    ] {
        let explained = serde_json::to_string(&crate::report::url::explain(raw)).unwrap();
        assert!(!explained.contains("ZQX"), "{raw} -> {explained}");
    }
}

/// A later `://` (a `file:///` CA path, a query value) is not the scheme's: the password
/// before the '@' is hidden in the error and in the raw redaction.
#[test]
fn a_later_scheme_separator_does_not_unmask_the_user_info() {
    for raw in [
        "redis:/:ZQXsecret@host/0?ssl_ca_certs=file:///etc/ca.pem",
        "redis//:ZQXsecret@h?x=y://z",
        "redis:/user:ZQXsecret",
        "re dis://:ZQXsecret@h",
        "default:ZQXsecret",
    ] {
        let e = Target::parse(raw).unwrap_err().to_string();
        let shown = format!("{e} {}", redact_raw(raw));
        assert!(!shown.contains("ZQX"), "{raw} -> {shown}");
    }
    assert_eq!(
        redact_raw("redis:/:ZQXsecret@host/0?ssl_ca_certs=file:///x"),
        "redis:/****@host/0?ssl_ca_certs=file:///x"
    );
}

#[test]
fn query_names_are_case_sensitive_like_the_libraries() {
    let t = parse_ok("redis://127.0.0.1:6379?DB=3");
    assert_eq!(t.db, 0, "?DB= is not ?db=");
    assert!(lint_ids(&t).contains(&"param-case"));
    assert_eq!(parse_ok("redis://127.0.0.1:6379?db=3").db, 3);
    assert_eq!(parse_ok("redis://127.0.0.1:6379?PROTOCOL=3").protocol, None);
}

#[test]
fn a_newline_is_to_be_stripped_not_encoded() {
    for raw in ["redis://h:6379/0\n", "redis://:p\tw@h:6379/0"] {
        match Target::parse(raw) {
            Err(UrlError::Invalid(msg)) => {
                assert!(msg.contains("remove it"), "{raw:?}: {msg}");
                assert!(!msg.contains("percent-encode"), "{raw:?}: {msg}");
            }
            other => panic!("{raw:?}: {other:?}"),
        }
    }
}

#[test]
fn sentinel_edge_cases_from_the_review() {
    // An empty port is Sentinel's default, not the data nodes' 6379.
    let t = parse_ok("redis+sentinel://127.0.0.1:/mymaster");
    let spec = t.sentinel.as_ref().expect("a Sentinel URL");
    assert_eq!(spec.nodes[0].1, crate::url::sentinel::SENTINEL_PORT);
    // Sentinel flags on a plain URL are said to be unused, not dropped in silence.
    let mut t = parse_ok("redis://127.0.0.1:6379");
    t.apply_sentinel_flags(&crate::url::sentinel::SentinelFlags {
        password: Some(Secret::new("x-sentinel-pw")),
        ..Default::default()
    });
    assert!(
        lint_ids(&t).contains(&"sentinel-flags-unused"),
        "{:?}",
        lint_ids(&t)
    );
}
