//! Cluster state, shards, and the nodes the cluster announces, dialled as a client would.

use super::{Raw, field, wait_until};
use crate::support::run::both;
use crate::support::{Pki, RedisServer, unused_port};

/// Assigns every slot to the server's only node and waits for `cluster_state:ok` (a node
/// reports ok no sooner than two seconds after it started).
fn assign_all_slots(port: u16) {
    let mut raw = Raw::connect(port);
    assert_eq!(raw.cmd(&["CLUSTER", "ADDSLOTSRANGE", "0", "16383"]), "OK");
    wait_until("the cluster state is ok", || {
        field(&raw.cmd(&["CLUSTER", "INFO"]), "cluster_state").as_deref() == Some("ok")
    });
}

#[test]
fn a_cluster_without_slots_is_down() {
    let server = RedisServer::builder().arg("cluster-enabled", "yes").start();
    let run = both(&[&server.url()]);
    run.assert_code(1).assert_fails("cluster", "cluster-down");
    let c = run.check("cluster");
    assert!(
        c["summary"].as_str().unwrap().contains("0 of 16384 slots"),
        "{c:#}"
    );
    assert!(c["hint"].as_str().unwrap().contains("CLUSTERDOWN"));
    assert_eq!(run.check("server")["data"]["mode"], "cluster");
}

// One server for every ok-state case: a node reports ok no sooner than 2 s after it starts.
#[test]
fn announced_nodes_are_dialled_as_a_cluster_client_would() {
    let pki = Pki::new();
    let files = pki.server(&["localhost"]);
    let server = RedisServer::builder()
        .tls(&files)
        .arg("cluster-enabled", "yes")
        .arg("tls-cluster", "yes")
        .arg("cluster-announce-ip", "127.0.0.1")
        .start();
    assign_all_slots(server.port());
    let tls_port = server.tls_port().unwrap();

    let run = both(&[&server.url(), "--write-probe"]);
    run.assert_code(0);
    let c = run.check("cluster");
    assert_eq!(c["status"], "pass", "{c:#}");
    assert_eq!(c["data"]["shards"], 1);
    assert_eq!(c["data"]["nodes"][0]["reachable"], true);
    assert_eq!(
        c["data"]["nodes"][0]["address"],
        format!("127.0.0.1:{}", server.port())
    );
    assert!(c["hint"].as_str().unwrap().contains("cluster-aware"));
    // The probe key lands in a slot this node serves, so no MOVED.
    assert_eq!(run.status("write"), "pass");

    // Over TLS the announced IP is dialled on the TLS port and verified: the certificate
    // names only localhost, the name in the URL.
    let url = format!("rediss://localhost:{tls_port}");
    let ca = pki.ca_pem();
    let run = both(&[&url, "--cacert", ca.to_str().unwrap()]);
    assert_eq!(
        run.status("tls"),
        "pass",
        "the URL's host is in the certificate"
    );
    run.assert_code(1)
        .assert_fails("cluster", "node-unreachable");
    let c = run.check("cluster");
    assert_eq!(
        c["data"]["nodes"][0]["reason"], "hostname-mismatch",
        "{c:#}"
    );
    assert_eq!(
        c["data"]["nodes"][0]["address"],
        format!("127.0.0.1:{tls_port}")
    );
    assert!(
        c["hint"]
            .as_str()
            .unwrap()
            .contains("certificate does not name")
    );
    let run = both(&[&url, "--cacert", ca.to_str().unwrap(), "--insecure"]);
    let c = run.check("cluster");
    assert_eq!(c["status"], "warn", "{c:#}");
    assert!(c["summary"].as_str().unwrap().contains("--insecure"));

    // The node now announces ports nothing listens on, as behind a tunnel or NAT. (With
    // tls-cluster yes, Redis 7.0 reads cluster-announce-tls-port as the plaintext port.)
    let announced = unused_port();
    let mut raw = Raw::connect(server.port());
    for option in ["cluster-announce-port", "cluster-announce-tls-port"] {
        let reply = raw.cmd(&["CONFIG", "SET", option, &announced.to_string()]);
        assert_eq!(reply, "OK");
    }
    let run = both(&[&server.url()]);
    run.assert_code(1)
        .assert_fails("cluster", "node-unreachable");
    let c = run.check("cluster");
    assert!(
        c["summary"]
            .as_str()
            .unwrap()
            .contains(&format!("127.0.0.1:{announced}")),
        "{c:#}"
    );
    assert_eq!(c["data"]["nodes"][0]["reason"], "refused");
}
