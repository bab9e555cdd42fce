//! The client table, one row per URL form; each row says which FIELD-NOTES fact it pins.

use super::*;
use crate::secret::MASK;

/// Verdicts in `read_all` order: redis-cli, redis-py, ioredis, node-redis, go-redis,
/// redis-rs, Jedis, Lettuce. `S` same, `D` differs, `R` rejects.
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

fn reading(url: &str, client: &str) -> Reading {
    let t = Target::parse(url).unwrap_or_else(|e| panic!("{url}: {e}"));
    read_all(url, Some(&t))
        .into_iter()
        .find(|r| r.client == client)
        .unwrap_or_else(|| panic!("no client {client}"))
}

#[test]
fn verdict_table() {
    let rows: &[(&str, &str, &str)] = &[
        (
            "redis://localhost:6379/0",
            "SSSSSSSS",
            "the plain form every client reads alike",
        ),
        ("redis://localhost", "SSSSSSRS", "Jedis: port mandatory"),
        (
            "REDISS://h:6380",
            "SRDSSSDR",
            "ioredis: TLS only for lower-case rediss://; redis-py and Lettuce compare schemes case-sensitively",
        ),
        (
            "rediss://:pw@h:6380",
            "DSSSSSSS",
            "redis-cli: :password@ sends an empty user name (WRONGPASS)",
        ),
        (
            "redis://secret@h:6379",
            "SDDDDDRS",
            "user@ without ':' is a password to redis-cli (and Lettuce), a user to most libraries; Jedis throws",
        ),
        (
            "redis://h:6379/0?foo=1",
            "DDDDRDDD",
            "go-redis rejects unknown parameters; node-redis and redis-rs ignore them",
        ),
        (
            "valkey://h:6379/0",
            "RRDRRSSR",
            "redis-rs knows valkey://; ioredis misreads unknown schemes",
        ),
        (
            "unix:///tmp/redis.sock?db=2",
            "RSSRSSRR",
            "sockets: redis-py, go-redis, redis-rs (and ioredis' path); not redis-cli, node-redis, Jedis, Lettuce",
        ),
        (
            "redis://h:6379/1?db=2",
            "DSDDSDDS",
            "redis-py: ?db= overrides the path; ioredis: the path wins",
        ),
        (
            "rediss://h:6380#insecure",
            "DDDDDSDD",
            "redis-rs: the fragment is only #insecure",
        ),
        (
            "redis://:p#ss@h:6379",
            "DDDDDDDD",
            "redis-py truncates a password at a raw '#'",
        ),
        (
            "rediss://default:pw@h:6380/0?ssl_cert_reqs=none",
            "DSDDRDDD",
            "redis-py passes ssl_cert_reqs; go-redis rejects it; node-redis ignores query parameters",
        ),
        (
            "redis://h:6379/0?protocol=3",
            "DSDDSSSD",
            "protocol= is read by redis-py, go-redis, redis-rs and Jedis",
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
fn ioredis_keeps_tls_off_for_upper_case_rediss() {
    let r = reading("REDISS://h:6380", "ioredis");
    assert_eq!(r.tls, Some(false));
    assert!(r.notes[0].contains("lower-case rediss://"), "{:?}", r.notes);
}

#[test]
fn node_redis_ignores_every_query_parameter() {
    let r = reading("redis://h:6379/0?db=3&timeout=5", "node-redis");
    assert_eq!(r.ignored, ["db", "timeout"]);
    assert_eq!(r.db, Some(0));
}

#[test]
fn go_redis_names_the_unexpected_options() {
    let r = reading("redis://h:6379?zeta=1&alpha=2&dial_timeout=3", "go-redis");
    assert_eq!(r.verdict, Verdict::Rejects);
    assert_eq!(r.notes, ["redis: unexpected option: alpha, zeta"]);
}

#[test]
fn jedis_needs_a_port() {
    let r = reading("redis://h/0", "Jedis");
    assert_eq!(r.verdict, Verdict::Rejects);
    assert!(r.notes[0].contains("port"));
}

#[test]
fn bare_userinfo_is_a_password_to_redis_cli_and_a_masked_user_elsewhere() {
    let cli = reading("redis://hunter2@h:6379", "redis-cli");
    assert_eq!((cli.user.as_deref(), cli.password), (None, Some(true)));
    let py = reading("redis://hunter2@h:6379", "redis-py");
    assert_eq!((py.user.as_deref(), py.password), (Some(MASK), Some(false)));
    for r in read_all("redis://hunter2@h:6379", Some(&Target::parse("redis://hunter2@h:6379").unwrap())) {
        let shown = serde_json::to_string(&r).unwrap();
        assert!(!shown.contains("hunter2"), "{shown}");
    }
}

#[test]
fn redis_cli_sends_an_empty_user_for_colon_password() {
    let r = reading("redis://:pw@h:6379", "redis-cli");
    assert_eq!(r.user.as_deref(), Some(""));
    assert!(r.notes[0].contains("WRONGPASS"));
}

#[test]
fn redis_rs_rejects_other_fragments_on_tls() {
    let r = reading("rediss://h:6380#nope", "redis-rs");
    assert_eq!(r.verdict, Verdict::Rejects);
    assert_eq!(
        reading("redis://h:6379#nope", "redis-rs").ignored,
        ["#nope"]
    );
}

#[test]
fn lettuce_reads_database_and_knows_its_own_schemes() {
    assert_eq!(
        reading("redis://h:6379/1?database=4", "Lettuce").db,
        Some(4)
    );
    assert_eq!(knowing_scheme("redis+ssl"), ["Lettuce"]);
    assert!(knowing_scheme("http").is_empty());
}
