//! TLS and transport diagnosis against real redis-server TLS ports with minted certificates.

use std::time::Duration;

use crate::support::run::{Run, SECRET, both, cmd, redcheck, run, secret_url};
use crate::support::{LeafSpec, Pki, RedisServer};

mod people;

/// A password-protected TLS server with this leaf, and its rediss:// URL with the password.
fn tls_server(pki: &Pki, leaf: LeafSpec) -> (RedisServer, String) {
    let files = pki.server_with(leaf);
    let server = RedisServer::builder().password(SECRET).tls(&files).start();
    let url = secret_url("rediss", server.tls_port().expect("tls port"));
    (server, url)
}

const NAMES: &[&str] = &["localhost", "127.0.0.1"];

#[test]
fn trusted_via_cacert_passes_and_reports_the_certificate() {
    let pki = Pki::new();
    let (_server, url) = tls_server(&pki, LeafSpec::valid(NAMES));
    let ca = pki.ca_pem();
    let run = both(&[&url, "--cacert", ca.to_str().unwrap()]);
    run.assert_code(0);
    assert_eq!(run.status("scheme"), "pass");
    assert_eq!(run.status("tls"), "pass", "{}", run.check("tls"));
    let tls = run.check("tls")["data"].clone();
    assert_eq!(tls["trust"], "custom-ca");
    assert_eq!(tls["version"], "TLS 1.3");
    assert_eq!(tls["sans"], serde_json::json!(["localhost", "127.0.0.1"]));
    assert!(tls["days_left"].as_i64().is_some_and(|d| d > 300), "{tls}");
    for key in ["cipher", "subject", "issuer", "not_after"] {
        assert!(tls[key].is_string(), "tls.{key}: {tls}");
    }
    assert_eq!(run.status("auth"), "pass");
}

#[test]
fn ca_file_from_the_url_is_honoured() {
    let pki = Pki::new();
    let (_server, url) = tls_server(&pki, LeafSpec::valid(NAMES));
    let url = format!("{url}?ssl_ca_certs={}", pki.ca_pem().display());
    both(&[&url]).assert_code(0);
    let missing = "rediss://127.0.0.1:1?ssl_ca_certs=/nonexistent.pem";
    let run = redcheck(&[missing]);
    run.assert_code(2);
    assert!(run.stderr.contains("ssl_ca_certs"), "{}", run.stderr);
}

#[test]
fn unknown_issuer_names_the_issuer_and_the_flag() {
    let pki = Pki::new();
    let (_server, url) = tls_server(&pki, LeafSpec::other_ca(NAMES));
    let run = both(&[&url, "--cacert", pki.ca_pem().to_str().unwrap()]);
    run.assert_code(1).assert_fails("tls", "unknown-issuer");
    let tls = run.check("tls");
    assert!(
        tls["summary"]
            .as_str()
            .unwrap()
            .contains("redcheck other CA"),
        "{tls}"
    );
    assert!(tls["hint"].as_str().unwrap().contains("--cacert"), "{tls}");
    assert_eq!(run.status("auth"), "skip");
}

#[test]
fn self_signed_is_told_apart_from_unknown_issuer() {
    let pki = Pki::new();
    let (_server, url) = tls_server(&pki, LeafSpec::self_signed(NAMES));
    both(&[&url, "--cacert", pki.ca_pem().to_str().unwrap()])
        .assert_code(1)
        .assert_fails("tls", "self-signed");
}

#[test]
fn hostname_mismatch_lists_the_names_the_certificate_holds() {
    let pki = Pki::new();
    let (_server, url) = tls_server(&pki, LeafSpec::wrong_host());
    let ca = pki.ca_pem();
    let run = both(&[&url, "--cacert", ca.to_str().unwrap()]);
    run.assert_code(1).assert_fails("tls", "hostname-mismatch");
    let summary = run.check("tls")["summary"].as_str().unwrap().to_string();
    assert!(
        summary.contains("wrong.example") && summary.contains("127.0.0.1"),
        "{summary}"
    );
    // The fix is concrete: the URL by a listed name (scheme, port and db kept), or --sni.
    let hint = run.check("tls")["hint"].as_str().unwrap().to_string();
    let port = url.rsplit(':').next().unwrap();
    assert!(
        hint.contains(&format!("rediss://:****@wrong.example:{port}/0"))
            && hint.contains("add --sni wrong.example"),
        "{hint}"
    );
    // A wrong --sni is named as what failed.
    let run = both(&[
        &url,
        "--cacert",
        ca.to_str().unwrap(),
        "--sni",
        "other.example",
    ]);
    run.assert_fails("tls", "hostname-mismatch");
    let hint = run.check("tls")["hint"].as_str().unwrap().to_string();
    assert!(
        hint.starts_with("--sni other.example is the name that failed")
            && hint.contains("pass --sni wrong.example"),
        "{hint}"
    );
    // Through a tunnel, --sni keeps the real name.
    both(&[
        &url,
        "--cacert",
        ca.to_str().unwrap(),
        "--sni",
        "wrong.example",
    ])
    .assert_code(0);
}

#[test]
fn expired_and_not_yet_valid_certificates() {
    let pki = Pki::new();
    let ca = pki.ca_pem();
    let (_a, expired) = tls_server(&pki, LeafSpec::expired(NAMES));
    let run = both(&[&expired, "--cacert", ca.to_str().unwrap()]);
    run.assert_code(1).assert_fails("tls", "expired");
    assert!(
        run.check("tls")["summary"]
            .as_str()
            .unwrap()
            .contains("10 days ago"),
        "{}",
        run.check("tls")
    );
    let (_b, early) = tls_server(&pki, LeafSpec::not_yet_valid(NAMES));
    both(&[&early, "--cacert", ca.to_str().unwrap()])
        .assert_code(1)
        .assert_fails("tls", "not-yet-valid");
}

#[test]
fn a_certificate_expiring_soon_is_a_warning() {
    let pki = Pki::new();
    let (_server, url) = tls_server(&pki, LeafSpec::expiring_in(NAMES, 5));
    let run = both(&[&url, "--cacert", pki.ca_pem().to_str().unwrap()]);
    run.assert_code(0);
    assert_eq!(run.status("tls"), "warn");
    assert!(
        run.check("tls")["hint"]
            .as_str()
            .unwrap()
            .contains("expires"),
        "{}",
        run.check("tls")
    );
    redcheck(&[&url, "--cacert", pki.ca_pem().to_str().unwrap(), "--strict"]).assert_code(1);
}

#[test]
fn client_certificate_required_with_and_without_one() {
    let pki = Pki::new();
    let files = pki.server_with(LeafSpec::valid(NAMES));
    let server = RedisServer::builder()
        .password(SECRET)
        .tls(&files)
        .require_client_cert()
        .start();
    let url = secret_url("rediss", server.tls_port().unwrap());
    let ca = pki.ca_pem();
    let run = both(&[&url, "--cacert", ca.to_str().unwrap()]);
    run.assert_code(1)
        .assert_fails("tls", "client-cert-required");
    let (cert, key) = pki.client("app");
    both(&[
        &url,
        "--cacert",
        ca.to_str().unwrap(),
        "--cert",
        cert.to_str().unwrap(),
        "--key",
        key.to_str().unwrap(),
    ])
    .assert_code(0);
}

#[test]
fn insecure_proceeds_warns_and_still_says_what_verification_found() {
    let pki = Pki::new();
    let (_server, url) = tls_server(&pki, LeafSpec::other_ca(NAMES));
    for variant in [
        vec![url.as_str(), "--insecure"],
        vec![&format!("{url}#insecure")],
        vec![&format!("{url}?ssl_cert_reqs=none")],
    ] {
        let run = both(&variant);
        run.assert_code(0);
        assert_eq!(run.status("tls"), "warn");
        let tls = run.check("tls");
        assert_eq!(tls["data"]["trust"], "insecure");
        assert_eq!(tls["data"]["verification_error"], "unknown-issuer", "{tls}");
        assert_eq!(run.status("auth"), "pass");
    }
}

#[test]
fn no_system_ca_bundle_falls_back_to_bundled_roots_and_says_so() {
    let pki = Pki::new();
    let (_server, url) = tls_server(&pki, LeafSpec::valid(NAMES));
    let run = run(cmd()
        .env("SSL_CERT_FILE", "/nonexistent/ca.pem")
        .env("SSL_CERT_DIR", "/nonexistent")
        .args([url.as_str()]));
    run.assert_no_secret();
    run.assert_code(1);
    assert!(run.stdout.contains("no system CA bundle"), "{}", run.stdout);
    assert!(
        run.stdout.contains("bundled Mozilla roots"),
        "{}",
        run.stdout
    );
}

#[test]
fn plaintext_url_at_a_tls_port_is_tls_expected_quickly() {
    let pki = Pki::new();
    let files = pki.server(NAMES);
    let server = RedisServer::builder()
        .password(SECRET)
        .tls_only(&files)
        .start();
    let port = server.tls_port().unwrap();
    let run = both(&[&secret_url("redis", port)]);
    assert_scheme_fix(
        &run,
        "tls-expected",
        &format!("rediss://:****@127.0.0.1:{port}/0"),
    );
}

#[test]
fn tls_url_at_a_plaintext_port_is_plaintext_expected_quickly() {
    let server = RedisServer::builder().password(SECRET).start();
    let port = server.port();
    let run = both(&[&secret_url("rediss", port)]);
    assert_scheme_fix(
        &run,
        "plaintext-expected",
        &format!("redis://:****@127.0.0.1:{port}/0"),
    );
}

/// A scheme mismatch fails `scheme` with `reason`, within 3 s, and the hint holds the
/// corrected (redacted) URL.
fn assert_scheme_fix(run: &Run, reason: &str, corrected: &str) {
    run.assert_code(1).assert_fails("scheme", reason);
    let hint = run.check("scheme")["hint"].as_str().unwrap().to_string();
    assert!(hint.contains(corrected), "{hint}");
    assert!(
        run.elapsed < Duration::from_secs(3),
        "took {:?}",
        run.elapsed
    );
}

#[test]
fn tls_12_only_server_is_info() {
    let pki = Pki::new();
    let files = pki.server(NAMES);
    let server = RedisServer::builder()
        .tls(&files)
        .arg("tls-protocols", "TLSv1.2")
        .start();
    let url = format!("rediss://127.0.0.1:{}", server.tls_port().unwrap());
    let run = both(&[&url, "--cacert", pki.ca_pem().to_str().unwrap()]);
    run.assert_code(0);
    assert_eq!(run.check("tls")["data"]["version"], "TLS 1.2");
    assert_eq!(run.status("tls"), "info");
}

#[test]
fn tls_subcommand_reports_the_chain_and_saves_it() {
    let pki = Pki::new();
    let (_server, url) = tls_server(&pki, LeafSpec::self_signed(NAMES));
    let dir = tempfile::tempdir().unwrap();
    let saved = dir.path().join("chain.pem");
    let run = redcheck(&["tls", &url, "--save-chain", saved.to_str().unwrap()]);
    run.assert_no_secret();
    run.assert_code(1);
    assert!(
        run.stdout.contains("chain") && run.stdout.contains("sha256"),
        "{}",
        run.stdout
    );
    let pem = std::fs::read_to_string(&saved).unwrap();
    assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"), "{pem}");
    // The saved chain is what a user passes back to --cacert.
    both(&[&url, "--cacert", saved.to_str().unwrap()]).assert_code(0);

    let json = redcheck(&[
        "tls",
        &url,
        "--cacert",
        saved.to_str().unwrap(),
        "--format",
        "json",
    ]);
    json.assert_code(0);
    assert_eq!(json.check_ids(), ["url", "dns", "tcp", "scheme", "tls"]);
    let human = redcheck(&["tls", &url, "--cacert", saved.to_str().unwrap()]);
    assert!(human.stdout.contains("(1 root) · "), "{}", human.stdout);
    let r = json.report();
    let chain = r["handshake"]["chain"].as_array().unwrap();
    assert_eq!(chain.len(), 1);
    for key in [
        "subject",
        "issuer",
        "sans",
        "not_before",
        "not_after",
        "key",
        "sha256",
    ] {
        assert!(!chain[0][key].is_null(), "{key}: {}", chain[0]);
    }
    assert!(chain[0]["self_issued"].as_bool().unwrap());
}

#[test]
fn a_hostile_certificate_name_cannot_forge_lines_or_drive_the_terminal() {
    let pki = Pki::new();
    let cn = "x\u{1b}[2J\n::error title=x::y";
    let (_server, url) = tls_server(&pki, LeafSpec::self_signed(NAMES).with_cn(cn));
    for args in [
        vec!["tls", url.as_str(), "--format", "github"],
        vec!["tls", url.as_str()],
        vec![url.as_str(), "--format", "github"],
        vec!["tls", url.as_str(), "--format", "json"],
    ] {
        let run = redcheck(&args);
        run.assert_no_secret();
        let out = format!("{}{}", run.stdout, run.stderr);
        assert!(
            !out.lines().any(|l| l.starts_with("::error title=x")),
            "{args:?}:\n{out}"
        );
        assert!(!out.contains('\u{1b}'), "{args:?}:\n{out}");
        if args.contains(&"tls") && !args.contains(&"json") {
            assert!(out.contains("x\\x1b[2J\\n::error"), "{args:?}:\n{out}");
        }
    }
}

#[test]
fn tls_subcommand_refuses_a_unix_socket() {
    let run = redcheck(&["tls", "unix:///run/redis.sock"]);
    run.assert_code(2);
    assert!(run.stderr.contains("Unix socket"), "{}", run.stderr);
}

#[test]
fn tls_subcommand_annotates_under_format_github() {
    let pki = Pki::new();
    let (_server, url) = tls_server(&pki, LeafSpec::other_ca(NAMES));
    let dir = tempfile::tempdir().unwrap();
    let summary = dir.path().join("summary.md");
    std::fs::write(&summary, "earlier step\n").unwrap();
    let ca = pki.ca_pem();
    let run = run(cmd()
        .args(["tls", &url, "--cacert", ca.to_str().unwrap()])
        .args(["--format", "github", "--color", "auto"])
        .env("GITHUB_STEP_SUMMARY", &summary));
    run.assert_no_secret();
    run.assert_code(1);
    let annotations: Vec<&str> = run.stdout.lines().filter(|l| l.starts_with("::")).collect();
    assert_eq!(annotations.len(), 1, "{}", run.stdout);
    assert!(
        annotations[0].starts_with("::error title=redcheck tls::rediss://"),
        "{}",
        annotations[0]
    );
    assert!(annotations[0].contains("--cacert"), "{}", annotations[0]);
    assert!(
        run.stdout.contains("chain") && run.stdout.contains("sha256"),
        "the details stay in the log: {}",
        run.stdout
    );
    assert!(!run.stdout.contains('\u{1b}'), "no colour in GitHub logs");
    let md = std::fs::read_to_string(&summary).unwrap();
    assert!(md.starts_with("earlier step\n### ❌ redcheck"), "{md}");
    assert!(md.contains("| ❌ | tls |"), "{md}");
    assert!(!md.contains(SECRET), "{md}");
}
