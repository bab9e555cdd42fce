//! Issue 10, section 3: replies and topologies built to exhaust memory or time, and threads
//! that cannot start.

use std::time::Duration;

use super::{MARGIN, PLAIN_INFO, bulk, redis_like, spawn};
use crate::support::run::{cmd, redcheck, run, run_measured, secret_url};
use crate::support::{Behavior, FakeServer};

#[test]
fn replies_of_millions_of_tiny_elements_stay_under_64_mib_even_for_four_targets() {
    // The reply: a map announcing 2,796,000 pairs of nulls, 16 MiB in all; the same
    // number of elements in aggregates that each announce few (4,000 arrays of 1,398); and
    // the largest reply allowed, a bulk string just under 1 MiB, for every command.
    let mut map = b"%2796000\r\n".to_vec();
    map.extend(b"_\r\n_\r\n".repeat(2_796_000));
    let mut nested = b"*4000\r\n".to_vec();
    nested.extend(
        format!("*1398\r\n{}", "_\r\n".repeat(1398))
            .repeat(4000)
            .as_bytes(),
    );
    let largest = bulk(&"x".repeat((1 << 20) - 16));
    for (name, reply, fails) in [
        (
            "a 2,796,000-pair map",
            map,
            ("auth", "more than 150,000 elements"),
        ),
        (
            "4,000 arrays of 1,398",
            nested,
            ("auth", "more than 150,000 elements"),
        ),
        (
            "a bulk string of 1 MiB",
            largest,
            ("ping", "PING was answered with"),
        ),
    ] {
        let server = FakeServer::start(Behavior::respond(move |_| reply.clone()));
        let url = secret_url("redis", server.port());
        let args = [&url, &url, &url, &url, "--format", "json", "--timeout", "5"];
        let (run, peak_mib) = run_measured(spawn(&args));
        run.assert_no_secret();
        run.assert_code(1);
        let (id, says) = fails;
        for report in run.reports() {
            let check = report["checks"]
                .as_array()
                .and_then(|c| c.iter().find(|c| c["id"] == id))
                .cloned()
                .unwrap_or_default();
            assert_eq!(check["status"], "fail", "{name}: {check:#}");
            let summary = check["summary"].as_str().unwrap_or_default();
            assert!(summary.contains(says), "{name}: {check:#}");
        }
        assert!(peak_mib < 64, "{name}: peak resident memory {peak_mib} MiB");
        eprintln!(
            "{name}, four targets → {id} fails · {} ms · peak {peak_mib} MiB",
            run.elapsed.as_millis()
        );
    }
}

/// `CLUSTER SHARDS` (RESP2) with one shard serving every slot and `nodes` nodes, each at
/// its own port on the URL's host: 41 bytes a node, so 24,000 fit in a 1 MiB reply.
fn shards_reply(nodes: u32) -> Vec<u8> {
    let mut out = b"*1\r\n*4\r\n$5\r\nslots\r\n*2\r\n:0\r\n:16383\r\n$5\r\nnodes\r\n".to_vec();
    out.extend(format!("*{nodes}\r\n").as_bytes());
    for i in 0..nodes {
        let id = format!("n{i:04}");
        let port = 20_000 + i;
        out.extend(
            format!(
                "*4\r\n$2\r\nid\r\n${}\r\n{id}\r\n$4\r\nport\r\n:{port}\r\n",
                id.len()
            )
            .as_bytes(),
        );
    }
    out
}

#[test]
fn a_cluster_announcing_24000_nodes_dials_1000_and_counts_the_rest_within_the_timeout() {
    const NODES: u32 = 24_000;
    let shards = shards_reply(NODES);
    assert!(shards.len() < 1 << 20, "{} bytes", shards.len());
    let server = redis_like(
        "# Server\r\nredis_version:7.0.15\r\nredis_mode:cluster\r\n# Cluster\r\ncluster_enabled:1\r\n",
        move |cmd, sub| match (cmd, sub) {
            ("CLUSTER", "INFO") => Some(bulk(&format!(
                "cluster_state:ok\r\ncluster_slots_assigned:16384\r\ncluster_slots_ok:16384\r\ncluster_known_nodes:{NODES}\r\n"
            ))),
            ("CLUSTER", "MYID") => Some(bulk("n0000")),
            ("CLUSTER", "SHARDS") => Some(shards.clone()),
            _ => None,
        },
    );
    let url = secret_url("redis", server.port());
    let timeout = Duration::from_secs(2);
    let json = redcheck(&[&url, "--format", "json", "--timeout", "2"]);
    json.assert_no_secret();
    let cluster = json.check("cluster");
    eprintln!(
        "24,000 announced nodes, --timeout 2 → cluster {} · {} ms",
        cluster["status"],
        json.elapsed.as_millis()
    );
    let nodes = cluster["data"]["nodes"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(nodes.len(), 1000, "{}", cluster["summary"]);
    assert_eq!(cluster["data"]["not_tried_over_cap"], 23_000, "{cluster:#}");
    assert_eq!(cluster["status"], "fail", "{cluster:#}");
    let summary = cluster["summary"].as_str().unwrap_or_default();
    assert!(
        summary.contains("23000 more announced nodes not tried (redcheck dials at most 1000)"),
        "{summary}"
    );
    assert!(
        json.elapsed < timeout + MARGIN,
        "--timeout 2 took {:?}",
        json.elapsed
    );
}

#[test]
fn threads_that_cannot_start_are_no_abort() {
    // A stack no address space can hold: every thread spawn fails, as under a pids limit.
    let server = redis_like(PLAIN_INFO, |_, _| None);
    let url = secret_url("redis", server.port());
    let refused = secret_url("redis", crate::support::unused_port());
    let mut c = cmd();
    c.env("RUST_MIN_STACK", "281474976710656").args([
        &url,
        &refused,
        "--format",
        "json",
        "--timeout",
        "3",
    ]);
    let run = run(&mut c);
    run.assert_no_secret();
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    run.assert_code(1);
    let reports = run.reports();
    assert_eq!(reports.len(), 2, "{}", run.stdout);
    // Probed all the same (a warning: the fake refuses pub/sub), and in argument order.
    let ping = reports[0]["checks"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["id"] == "ping"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(ping["status"], "pass", "{:#}", reports[0]);
    assert_eq!(reports[1]["verdict"], "fail", "{:#}", reports[1]);
}
