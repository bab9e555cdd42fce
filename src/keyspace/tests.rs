//! Namespaces, signatures and shape rules, from hand-written keys and the recorded fixtures.

use super::namespace::is_id_like;
use super::*;

fn key(name: &str, kind: KeyType, ttl_ms: Option<u64>) -> Key {
    Key {
        name: name.into(),
        kind: Some(kind),
        ttl_ms,
        memory: None,
    }
}

/// The keys of a fixture recorded by scripts/record-keyspaces.
fn fixture(text: &str) -> Vec<Key> {
    let v: serde_json::Value = serde_json::from_str(text).unwrap();
    v["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| {
            let ttl = k["ttl_ms"].as_i64().unwrap();
            key(
                k["key"].as_str().unwrap(),
                KeyType::parse(k["type"].as_str().unwrap()),
                u64::try_from(ttl).ok(),
            )
        })
        .collect()
}

#[test]
fn namespaces_collapse_ids_and_keep_two_parts() {
    for (name, want) in [
        ("product:1042", "product:*"),
        ("bull:email:1", "bull:email:*"),
        ("bull:email:wait", "bull:email:*"),
        ("user:42:profile", "user:*"),
        ("cache:v2:product:42", "cache:v2:*"),
        ("stat:processed", "stat:*"),
        ("sess:pKQ3qTn0VJsbT2mUZbF2vTnG0o8nEJtL", "sess:*"),
        ("job/9b6e61ee-4b23-4f0e-a1ed-0c5a9e8df7e3", "job/*"),
        ("page|home|fr", "page|home|*"),
        ("{user1000}.following", "{user1000}.*"),
        ("product:{b}:12", "product:{b}:*"),
        (":1:homepage", "*"),
        ("rl:203.0.113.7", "rl:*"),
        ("homepage", "homepage"),
        ("1042", "*"),
    ] {
        assert_eq!(namespace_of(name), want, "{name}");
    }
}

#[test]
fn id_like_parts() {
    for id in [
        "42",
        "2024-06-01",
        "9b6e61ee-4b23-4f0e-a1ed-0c5a9e8df7e3",
        "a2f5cac2e9f34f4d9319c68df40fbd1d",
        "pKQ3qTn0VJsbT2mUZbF2vTnG0o8nEJtL",
    ] {
        assert!(is_id_like(id), "{id}");
    }
    for word in [
        "product",
        "email",
        "wait",
        "stalled-check",
        "deadbeef",
        "v2",
        "",
    ] {
        assert!(!is_id_like(word), "{word}");
    }
}

#[test]
fn every_recorded_library_is_recognised_with_its_use() {
    let cases: [(&str, &str, &str, Use); 11] = [
        (
            include_str!("../../tests/fixtures/keyspaces/bullmq.json"),
            "bull:email:*",
            "BullMQ",
            Use::Queue,
        ),
        (
            include_str!("../../tests/fixtures/keyspaces/bull.json"),
            "bull:email:*",
            "Bull",
            Use::Queue,
        ),
        (
            include_str!("../../tests/fixtures/keyspaces/bee-queue.json"),
            "bq:email:*",
            "Bee-Queue",
            Use::Queue,
        ),
        (
            include_str!("../../tests/fixtures/keyspaces/rq.json"),
            "rq:*",
            "RQ",
            Use::Queue,
        ),
        (
            include_str!("../../tests/fixtures/keyspaces/celery.json"),
            "celery",
            "Celery",
            Use::Queue,
        ),
        (
            include_str!("../../tests/fixtures/keyspaces/dramatiq.json"),
            "dramatiq:*",
            "Dramatiq",
            Use::Queue,
        ),
        (
            include_str!("../../tests/fixtures/keyspaces/arq.json"),
            "arq:*",
            "arq",
            Use::Queue,
        ),
        (
            include_str!("../../tests/fixtures/keyspaces/connect-redis.json"),
            "sess:*",
            "connect-redis",
            Use::Session,
        ),
        (
            include_str!("../../tests/fixtures/keyspaces/rate-limit-redis.json"),
            "rl:*",
            "express-rate-limit",
            Use::RateLimit,
        ),
        (
            include_str!("../../tests/fixtures/keyspaces/rate-limiter-flexible.json"),
            "rlflx:*",
            "rate-limiter-flexible",
            Use::RateLimit,
        ),
        (
            include_str!("../../tests/fixtures/keyspaces/django.json"),
            ":1:django.contrib.sessions.cache*",
            "Django",
            Use::Session,
        ),
    ];
    for (text, pattern, library, usage) in cases {
        let keys = fixture(text);
        let a = analyse(&keys, keys.len() as u64);
        let n = a
            .namespaces
            .iter()
            .find(|n| n.pattern == pattern)
            .unwrap_or_else(|| panic!("{library}: no {pattern} in {:?}", a.namespaces));
        assert_eq!(n.library, Some(library), "{pattern}");
        assert_eq!(n.usage, usage, "{pattern}");
        // Every key of a library's own recording is claimed by a signature.
        assert!(
            a.namespaces.iter().all(|n| n.library.is_some()),
            "{library}: {:?}",
            a.namespaces
        );
        // The default check reads TYPE and PTTL of a few keys and only the names of the
        // rest: the recording reads the same.
        let picks = pick_reads(&keys, 2);
        let partial: Vec<Key> = keys
            .iter()
            .enumerate()
            .map(|(i, k)| {
                if picks.contains(&i) {
                    k.clone()
                } else {
                    Key::named(k.name.clone())
                }
            })
            .collect();
        let b = analyse(&partial, partial.len() as u64);
        let m = b
            .namespaces
            .iter()
            .find(|n| n.pattern == pattern)
            .unwrap_or_else(|| panic!("{library} read partly: no {pattern} in {b:?}"));
        assert_eq!(
            (m.library, m.usage),
            (Some(library), usage),
            "{pattern} read partly"
        );
        assert_eq!(
            b.namespaces.iter().map(|n| n.read).sum::<u64>(),
            2.min(keys.len() as u64)
        );
    }
}

#[test]
fn reads_go_to_every_namespace_in_turn_biggest_first() {
    let mut keys: Vec<Key> = (0..50)
        .map(|i| Key::named(format!("product:{i}")))
        .collect();
    keys.extend((0..5).map(|i| Key::named(format!("sess:{i}"))));
    keys.push(Key::named("jobs:email".into()));
    let picks = pick_reads(&keys, 4);
    let names: Vec<&str> = picks.iter().map(|&i| keys[i].name.as_str()).collect();
    // One of each namespace, then the biggest again.
    assert_eq!(names, ["product:0", "product:1", "sess:0", "jobs:email"]);
    assert_eq!(pick_reads(&keys, 0), Vec::<usize>::new());
    assert_eq!(pick_reads(&keys, 1000).len(), keys.len());
    // A namespace none of whose keys was read says so, and no TTL verdict comes from it.
    let mut partial = keys.clone();
    partial[0] = key("product:0", KeyType::String, None);
    let a = analyse(&partial, 56);
    let product = &a.namespaces[0];
    assert_eq!(
        (product.sampled, product.read, product.without_ttl()),
        (50, 1, 1)
    );
    assert_eq!(product.of_read(1, ""), "1 of the 1 read (50 sampled)");
    assert_eq!(
        product.of_read(1, "locks"),
        "1 of the 1 locks read (50 sampled)"
    );
    let jobs = a.namespaces.iter().find(|n| n.sampled == 1).unwrap();
    assert_eq!((jobs.read, jobs.usage), (0, Use::Other));
    assert!(jobs.evidence.contains("--sample-read"), "{}", jobs.evidence);
}

#[test]
fn layouts_cited_from_source_are_recognised() {
    let cases = [
        (
            "queue:default",
            KeyType::List,
            "queue:*",
            "Sidekiq",
            Use::Queue,
        ),
        ("schedule", KeyType::Zset, "schedule", "Sidekiq", Use::Queue),
        (
            "resque:queue:mail",
            KeyType::List,
            "resque:*",
            "Resque",
            Use::Queue,
        ),
        (
            "laravel_database_queues:default",
            KeyType::List,
            "laravel_database_queues:*",
            "Laravel",
            Use::Queue,
        ),
        (
            "laravel_database_queues:default:reserved",
            KeyType::Zset,
            "laravel_database_queues:*",
            "Laravel",
            Use::Queue,
        ),
        (
            "laravel_database_laravel_cache:product.42",
            KeyType::String,
            "laravel_database_laravel_cache:*",
            "Laravel",
            Use::Cache,
        ),
        (
            "laravel_database_laravel_cache:Zk3v0Qm1Hx7Rt2Wy9Lp4Nc6Bd8Fg5Js0Ka3Ue1Vo",
            KeyType::String,
            "laravel_database_laravel_cache:<session id>",
            "Laravel",
            Use::Session,
        ),
        (
            "views/products/index",
            KeyType::String,
            "views/*",
            "Rails",
            Use::Cache,
        ),
        (
            "spring:session:sessions:0e4c-11",
            KeyType::Hash,
            "spring:session:*",
            "Spring Session",
            Use::Session,
        ),
        (
            "PHPREDIS_SESSION:e50hu9lk5rkblb7tdlm3310fk4",
            KeyType::String,
            "PHPREDIS_SESSION:*",
            "PHP sessions (phpredis)",
            Use::Session,
        ),
        (
            "socket.io",
            KeyType::Stream,
            "socket.io",
            "Socket.IO streams adapter",
            Use::Other,
        ),
    ];
    for (name, kind, pattern, library, usage) in cases {
        let a = analyse(&[key(name, kind, None)], 1);
        let n = &a.namespaces[0];
        assert_eq!(
            (n.pattern.as_str(), n.library, n.usage),
            (pattern, Some(library), usage),
            "{name}"
        );
    }
}

#[test]
fn shape_rules_infer_without_a_signature() {
    let many = |prefix: &str, kind: KeyType, ttl: Option<u64>| -> Vec<Key> {
        (0..20)
            .map(|i| key(&format!("{prefix}:{i}"), kind, ttl))
            .collect()
    };
    let cases: Vec<(Vec<Key>, Use)> = vec![
        (many("product", KeyType::String, Some(300_000)), Use::Cache),
        (many("jobs", KeyType::List, None), Use::Queue),
        (many("session", KeyType::Hash, None), Use::Session),
        (
            many("throttle", KeyType::String, Some(60_000)),
            Use::RateLimit,
        ),
        (many("lock", KeyType::String, Some(30_000)), Use::Lock),
        (many("user", KeyType::Hash, None), Use::Other),
        (many("leaderboard", KeyType::Zset, None), Use::Other),
    ];
    for (keys, want) in cases {
        let a = analyse(&keys, 20);
        assert_eq!(a.namespaces.len(), 1);
        let n = &a.namespaces[0];
        assert_eq!(n.usage, want, "{}: {}", n.pattern, n.evidence);
        assert!(!n.evidence.is_empty());
    }
}

#[test]
fn counts_scale_to_the_total_and_ttls_have_percentiles() {
    let mut keys: Vec<Key> = (0..75u64)
        .map(|i| {
            key(
                &format!("product:{i}"),
                KeyType::String,
                Some(1000 * (i + 1)),
            )
        })
        .collect();
    keys.extend((0..25).map(|i| key(&format!("queue:q{i}"), KeyType::List, None)));
    let a = analyse(&keys, 10_000);
    assert!(a.is_estimate());
    let product = &a.namespaces[0];
    assert_eq!(product.pattern, "product:*");
    assert_eq!(product.estimated, 7_500);
    assert!((product.share_percent - 75.0).abs() < f64::EPSILON);
    assert_eq!(product.ttl_p50_ms, Some(38_000));
    assert_eq!(product.ttl_p90_ms, Some(68_000));
    assert_eq!(a.namespaces[1].estimated, 2_500);
}
