//! How each client library takes a Sentinel setup: most take options, not a URL, so the
//! reading says what to write instead. Sources: `redis/lettuce` RedisURI.java (the only
//! `redis-sentinel://` URL), `redis/go-redis` sentinel.go (`ParseFailoverURL`), `redis/redis-py`
//! redis/sentinel.py, `redis/ioredis` lib/connectors/SentinelConnector, `redis/node-redis`
//! packages/client/lib/sentinel/types.ts; see also src/url/sentinel.rs.

use super::{Reading, Source, Verdict};
use crate::url::Target;
use crate::url::sentinel::SentinelSpec;

/// Every client's reading of a Sentinel target, in the usual order.
pub fn readings(t: &Target, spec: &SentinelSpec) -> Vec<Reading> {
    let hosts = spec.addresses();
    let name = &spec.master;
    let pairs: Vec<String> = spec
        .nodes
        .iter()
        .map(|(h, p)| format!("{{ host: '{}', port: {p} }}", h.as_str()))
        .collect();
    let py: Vec<String> = spec
        .nodes
        .iter()
        .map(|(h, p)| format!("('{}', {p})", h.as_str()))
        .collect();
    let sentinel_pw = if spec.password.is_some() { "****" } else { "" };
    let pw = if t.password.is_some() { "****" } else { "" };
    let mut rest: Vec<String> = hosts[1..].iter().map(|h| format!("&addr={h}")).collect();
    if t.password.is_some() {
        rest.push("&password=****".into());
    }
    // Sentinel setups are read from each library's documented options (see the sources above),
    // not recorded: no library version is claimed.
    let options = |client: &'static str, note: String| Reading {
        notes: vec![note],
        ..Reading::rejecting(client, "any", Source::Source)
    };
    let lettuce_scheme = if t.tls {
        "rediss-sentinel"
    } else {
        "redis-sentinel"
    };
    let lettuce = if t.written.scheme == lettuce_scheme {
        let mut notes = Vec::new();
        if spec.password.is_some() {
            notes.push("the URI's password goes to the data nodes only; the Sentinels' password needs RedisURI.Builder.sentinel(host, port, masterId, sentinelPassword)".into());
        }
        Reading {
            verdict: Verdict::Same,
            tls: Some(t.tls),
            user: t.username.clone(),
            password: Some(t.password.is_some()),
            db: Some(i64::from(t.db)),
            notes,
            cites: vec!["redis/lettuce RedisURI.java: redis-sentinel:// with #masterId"],
            ..Reading::rejecting("Lettuce", "any", Source::Source)
        }
    } else {
        options(
            "Lettuce",
            format!(
                "takes {lettuce_scheme}://{}{}/{}#{name} (master in the fragment), not {}://",
                if t.password.is_some() { ":****@" } else { "" },
                hosts.join(","),
                t.db,
                t.written.scheme
            ),
        )
    };
    vec![
        options(
            "redis-cli",
            format!(
                "does not follow Sentinels: ask one (redis-cli -h {} SENTINEL get-master-addr-by-name {name}) and connect to the address it gives",
                hosts[0].replace(':', " -p ")
            ),
        ),
        options(
            "redis-py",
            format!(
                "from_url takes no Sentinel URL: Sentinel([{}], sentinel_kwargs={{'password': '{sentinel_pw}'}}).master_for('{name}', password='{pw}', db={}); without sentinel_kwargs the Sentinels get no password",
                py.join(", "),
                t.db
            ),
        ),
        options(
            "ioredis",
            format!(
                "takes options, not a URL: new Redis({{ sentinels: [{}], name: '{name}', sentinelPassword: '{sentinel_pw}', password: '{pw}', db: {}{} }})",
                pairs.join(", "),
                t.db,
                if t.tls {
                    ", tls: {}, enableTLSForSentinelMode: true"
                } else {
                    ""
                }
            ),
        ),
        options(
            "node-redis",
            format!(
                "takes options, not a URL: createSentinel({{ name: '{name}', sentinelRootNodes: [{}], nodeClientOptions: {{ password: '{pw}' }}, sentinelClientOptions: {{ password: '{sentinel_pw}' }} }})",
                pairs.join(", ")
            ),
        ),
        options(
            "go-redis",
            format!(
                "NewFailoverClient(&redis.FailoverOptions{{MasterName: \"{name}\", SentinelAddrs: …}}); its ParseFailoverURL reads {}://{}{}/{}?master_name={name}{} — there the user info is the Sentinels' and ?password= the data nodes'",
                if t.tls { "rediss" } else { "redis" },
                if spec.password.is_some() {
                    ":****@"
                } else {
                    ""
                },
                hosts[0],
                t.db,
                rest.join("")
            ),
        ),
        options(
            "redis-rs",
            format!(
                "no Sentinel URL: the sentinel feature's SentinelClient::build(vec![{}], \"{name}\", …)",
                hosts
                    .iter()
                    .map(|h| format!("\"redis://{h}\""))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ),
        options(
            "Jedis",
            format!(
                "no Sentinel URL: new JedisSentinelPool(\"{name}\", Set.of(\"{}\"), poolConfig, timeout, password, db)",
                hosts.join("\", \"")
            ),
        ),
        lettuce,
    ]
}
