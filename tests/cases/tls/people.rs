//! Certificates made the way people make them (the `openssl` command line and its defaults,
//! a Debian host's snakeoil certificate, a chain served without its intermediate, an old
//! cipher configuration, a client certificate from the wrong CA), each diagnosed by reason
//! with a sentence a person can read: no `{`, no byte arrays, no `Other(`.

use std::path::Path;

use serde_json::Value;

use crate::support::RedisServer;
use crate::support::certs::TlsFiles;
use crate::support::openssl::{Key, Openssl};
use crate::support::run::{Run, SECRET, cmd, run};
use crate::support::tls_fake::OldTlsServer;

const LOCALHOST: &str = "/CN=localhost";
const SAN: &str = "subjectAltName=DNS:localhost";
/// What `make-ssl-cert` (Debian's ssl-cert) writes: CA:FALSE, the host name as CN and SAN.
const LEAF: &[&str] = &["basicConstraints=CA:FALSE", "subjectAltName=DNS:localhost"];

/// A password-protected TLS-only redis-server with these files, and its URL by host name.
fn serve(files: &TlsFiles) -> (RedisServer, String) {
    let server = RedisServer::builder()
        .password(SECRET)
        .tls_only(files)
        .start();
    let url = format!(
        "rediss://:{SECRET}@localhost:{}",
        server.tls_port().expect("tls port")
    );
    (server, url)
}

/// Runs `redcheck ARGS` in human and JSON format with `SSL_CERT_DIR` as the system store (an
/// empty folder when `None`: hermetic either way), and checks the password leaks in neither
/// and that nothing a person reads carries debug debris. Returns (human, JSON).
fn diagnose(args: &[&str], store: Option<&Path>, o: &Openssl) -> (Run, Run) {
    let empty = o.dir().join("empty-store");
    std::fs::create_dir_all(&empty).expect("create empty store");
    let store = store.unwrap_or(&empty);
    let human = run(cmd().env("SSL_CERT_DIR", store).args(args));
    let json = run(cmd()
        .env("SSL_CERT_DIR", store)
        .args(args)
        .args(["--format", "json"]));
    for r in [&human, &json] {
        r.assert_no_secret();
    }
    assert_eq!(human.code, json.code, "{}", human.stdout);
    let tls = json.check("tls");
    let read = format!("{}\n{}\n{}", human.stdout, tls["summary"], tls["hint"]);
    for debris in ["{", "[6, 8,", "Other(", "Context"] {
        assert!(!read.contains(debris), "{debris:?} in:\n{read}");
    }
    (human, json)
}

/// The tls check's summary, hint and data.
fn tls(json: &Run) -> (String, String, Value) {
    let c = json.check("tls");
    (
        c["summary"].as_str().unwrap_or_default().to_string(),
        c["hint"].as_str().unwrap_or_default().to_string(),
        c["data"].clone(),
    )
}

#[test]
fn openssl_req_x509_defaults_are_self_signed_then_a_ca_used_as_leaf() {
    let o = Openssl::new();
    for key in [Key::Rsa, Key::Ec] {
        // The tutorial line: CA:TRUE by default.
        let files = o.self_signed(key, LOCALHOST, &[SAN]);
        let (_server, url) = serve(&files);
        let (human, json) = diagnose(&[&url], None, &o);
        json.assert_code(1).assert_fails("tls", "self-signed");
        let (summary, hint, _) = tls(&json);
        assert!(
            summary.contains("self-signed") && summary.contains("CA:TRUE"),
            "{summary}"
        );
        assert!(
            hint.contains("basicConstraints=critical,CA:FALSE") && hint.contains("--cacert"),
            "{hint}"
        );
        assert!(
            human.stdout.contains("openssl req -x509"),
            "{}",
            human.stdout
        );

        // Trusted as itself, still refused by rustls: the reason is the CA flag.
        let ca = files.cert.to_str().unwrap();
        let (_, json) = diagnose(&[&url, "--cacert", ca], None, &o);
        json.assert_code(1).assert_fails("tls", "ca-used-as-leaf");
        let (summary, hint, _) = tls(&json);
        assert!(
            summary.contains("CA:TRUE")
                && summary.contains("OpenSSL-based")
                && summary.contains("the given CA file holds it"),
            "{summary}"
        );
        assert!(
            hint.contains("-addext basicConstraints=critical,CA:FALSE"),
            "{hint}"
        );

        // Made as the hint says, it passes: self-signed and trusted is info.
        let fixed = o.self_signed(key, LOCALHOST, LEAF);
        let (_fixed_server, fixed_url) = serve(&fixed);
        let (_, json) = diagnose(
            &[&fixed_url, "--cacert", fixed.cert.to_str().unwrap()],
            None,
            &o,
        );
        json.assert_code(0);
        assert_eq!(json.status("tls"), "info", "{}", json.check("tls"));
    }
}

#[test]
fn a_namesake_in_the_system_store_does_not_hide_a_self_signed_certificate() {
    let o = Openssl::new();
    // Debian's snakeoil: RSA, CN=localhost, in the system folder under its name and a hash link.
    let snakeoil = o.self_signed(Key::Rsa, LOCALHOST, LEAF);
    let store = o.cert_dir(&[("ssl-cert-snakeoil.pem", &snakeoil.cert)]);
    // RSA against RSA fails as a bad signature; EC against RSA as an unsupported algorithm.
    for key in [Key::Rsa, Key::Ec] {
        let files = o.self_signed(key, LOCALHOST, LEAF);
        let (_server, url) = serve(&files);
        let (_, json) = diagnose(&["tls", &url], Some(&store), &o);
        json.assert_code(1).assert_fails("tls", "self-signed");
        let (summary, hint, data) = tls(&json);
        assert!(
            summary.contains("same name") && summary.contains("ssl-cert-snakeoil.pem"),
            "{key:?}: {summary}"
        );
        assert!(
            !summary.contains(".0,"),
            "the real name, not the hash link: {summary}"
        );
        assert!(hint.contains("snakeoil"), "{hint}");
        assert!(
            data["store_namesake"]["path"]
                .as_str()
                .is_some_and(|p| p.ends_with("ssl-cert-snakeoil.pem")),
            "{data}"
        );
        // Without the namesake it is plainly self-signed.
        let (_, json) = diagnose(&["tls", &url], None, &o);
        json.assert_fails("tls", "self-signed");
        assert!(!tls(&json).0.contains("same name"));
    }
}

#[test]
fn the_snakeoil_certificate_itself_passes_as_self_signed_and_says_who_trusts_it() {
    let o = Openssl::new();
    let snakeoil = o.self_signed(Key::Rsa, LOCALHOST, LEAF);
    let store = o.cert_dir(&[("ssl-cert-snakeoil.pem", &snakeoil.cert)]);
    let (_server, url) = serve(&snakeoil);
    let (human, json) = diagnose(&[&url], Some(&store), &o);
    json.assert_code(0);
    assert_eq!(json.status("tls"), "info");
    let (summary, hint, data) = tls(&json);
    assert!(
        summary.contains("self-signed, trusted by the system store"),
        "{summary}"
    );
    assert!(
        hint.contains("ssl-cert-snakeoil.pem") && hint.contains("made for this host alone"),
        "{hint}"
    );
    assert_eq!(data["self_signed"], true);
    assert_eq!(json.status("auth"), "pass");
    assert!(human.stdout.contains("self-signed"), "{}", human.stdout);
    let (_, json) = diagnose(
        &[&url, "--cacert", snakeoil.cert.to_str().unwrap()],
        None,
        &o,
    );
    assert!(
        tls(&json)
            .0
            .contains("self-signed, trusted by the given CA file"),
        "{}",
        json.check("tls")
    );
}

#[test]
fn a_name_only_in_the_cn_is_no_san() {
    let o = Openssl::new();
    let ca = o.ca("/CN=Test Root CA");
    for key in [Key::Rsa, Key::Ec] {
        let files = o.signed(&ca, key, LOCALHOST, &["basicConstraints=CA:FALSE"]);
        let (_server, url) = serve(&files);
        let (_, json) = diagnose(&[&url, "--cacert", ca.cert.to_str().unwrap()], None, &o);
        json.assert_code(1).assert_fails("tls", "no-san");
        let (summary, hint, _) = tls(&json);
        assert!(
            summary.contains("no subjectAltName") && summary.contains("CN"),
            "{summary}"
        );
        assert!(hint.contains("subjectAltName=DNS:localhost"), "{hint}");
    }
}

#[test]
fn a_three_level_chain_served_without_its_intermediate() {
    let o = Openssl::new();
    let root = o.ca("/CN=Test Root CA");
    let int = o.intermediate(&root, "/O=Test/CN=Test Intermediate CA");
    let root_pem = root.cert.to_str().unwrap();
    // As public CAs issue: with an AIA link to the intermediate.
    let aia = "authorityInfoAccess=caIssuers;URI:http://pki.example/int.der";
    // The server's own CA file holds the root only: OpenSSL completes a chain from it when it
    // can, so with the intermediate there it would send it unasked.
    let only_root = |files: TlsFiles| TlsFiles {
        ca: root.cert.clone(),
        ..files
    };
    let leaf = only_root(o.signed(&int, Key::Ec, LOCALHOST, &[LEAF[0], LEAF[1], aia]));
    let (_server, url) = serve(&leaf);
    let (_, json) = diagnose(&[&url, "--cacert", root_pem], None, &o);
    json.assert_code(1).assert_fails("tls", "incomplete-chain");
    let (summary, hint, data) = tls(&json);
    assert!(
        summary.contains("sent only its own certificate")
            && summary.contains("CN=Test Intermediate CA")
            && summary.contains("http://pki.example/int.der"),
        "{summary}"
    );
    assert!(hint.contains("tls-cert-file"), "{hint}");
    assert_eq!(
        data["missing_issuer"]["ca_issuers"][0],
        "http://pki.example/int.der"
    );

    // Without the link nothing tells an intermediate from a root: unknown issuer, and why
    // the intermediate may be the cause.
    let bare = only_root(o.signed(&int, Key::Rsa, LOCALHOST, LEAF));
    let (_bare_server, bare_url) = serve(&bare);
    let (_, json) = diagnose(&[&bare_url, "--cacert", root_pem], None, &o);
    json.assert_fails("tls", "unknown-issuer");
    assert!(
        tls(&json)
            .0
            .contains("if 'Test Intermediate CA' is an intermediate CA, the server must send it"),
        "{}",
        json.check("tls")
    );
    assert!(
        tls(&json).1.contains("--cacert") && tls(&json).1.contains("tls-cert-file holds both"),
        "{}",
        json.check("tls")
    );

    // Served with its intermediate, the same leaf verifies.
    let chain = o.concat(&[&leaf.cert, &int.cert]);
    let whole = TlsFiles {
        cert: chain,
        ..leaf.clone()
    };
    let (_whole_server, whole_url) = serve(&whole);
    let (_, json) = diagnose(&[&whole_url, "--cacert", root_pem], None, &o);
    json.assert_code(0);
    assert_eq!(json.status("tls"), "pass", "{}", json.check("tls"));
}

#[test]
fn a_tls12_server_with_only_cbc_suites_is_no_common_cipher() {
    let o = Openssl::new();
    let files = o.self_signed(Key::Rsa, LOCALHOST, LEAF);
    let ca = files.cert.to_str().unwrap();
    let s_server = OldTlsServer::start_with(&files, &["-tls1_2", "-cipher", "AES128-SHA"]);
    let url = format!("rediss://:{SECRET}@localhost:{}", s_server.port());
    let redis = RedisServer::builder()
        .password(SECRET)
        .tls_only(&files)
        .arg("tls-protocols", "TLSv1.2")
        .arg("tls-ciphers", "AES256-SHA:AES128-SHA")
        .start();
    let redis_url = format!("rediss://:{SECRET}@localhost:{}", redis.tls_port().unwrap());
    for (url, offered) in [
        (&url, vec!["TLS_RSA_WITH_AES_128_CBC_SHA"]),
        (
            &redis_url,
            // Redis takes the client's order (tls-prefer-server-ciphers no).
            vec![
                "TLS_RSA_WITH_AES_128_CBC_SHA",
                "TLS_RSA_WITH_AES_256_CBC_SHA",
            ],
        ),
    ] {
        let (_, json) = diagnose(&["tls", url, "--cacert", ca], None, &o);
        json.assert_code(1).assert_fails("tls", "no-common-cipher");
        let (summary, hint, data) = tls(&json);
        assert_eq!(data["server_suites"], serde_json::json!(offered), "{data}");
        assert!(
            summary.contains("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"),
            "what rustls speaks: {summary}"
        );
        assert!(hint.contains("tls-ciphers"), "{hint}");
    }
}

#[test]
fn mtls_with_a_client_certificate_from_another_ca_is_client_cert_rejected() {
    let o = Openssl::new();
    let ca = o.ca("/CN=Redis CA");
    let other = o.ca("/CN=Other Client CA");
    let server_files = o.signed(&ca, Key::Rsa, LOCALHOST, LEAF);
    let client = o.signed(
        &other,
        Key::Ec,
        "/CN=app-client",
        &["basicConstraints=CA:FALSE", "extendedKeyUsage=clientAuth"],
    );
    // TLS 1.3 judges the client certificate after the handshake, TLS 1.2 during it.
    for protocols in ["TLSv1.3", "TLSv1.2"] {
        let server = RedisServer::builder()
            .password(SECRET)
            .tls_only(&server_files)
            .require_client_cert()
            .arg("tls-protocols", protocols)
            .start();
        let url = format!(
            "rediss://:{SECRET}@localhost:{}",
            server.tls_port().unwrap()
        );
        let (_, json) = diagnose(
            &[
                &url,
                "--cacert",
                ca.cert.to_str().unwrap(),
                "--cert",
                client.cert.to_str().unwrap(),
                "--key",
                client.key.to_str().unwrap(),
            ],
            None,
            &o,
        );
        json.assert_code(1)
            .assert_fails("tls", "client-cert-rejected");
        let (summary, hint, data) = tls(&json);
        assert!(
            summary.contains("rejected our client certificate")
                && summary.contains("'Other Client CA'")
                && summary.contains("unknown_ca"),
            "{protocols}: {summary}"
        );
        assert!(hint.contains("tls-ca-cert-file"), "{hint}");
        assert_eq!(data["client_cert"]["issuer"], "Other Client CA");
    }
}

#[test]
fn hints_show_the_real_url_and_redcheck_tls_never_suggests_itself() {
    let o = Openssl::new();
    let files = o.self_signed(Key::Rsa, LOCALHOST, LEAF);
    let (server, url) = serve(&files);
    let port = server.tls_port().unwrap();
    let (_, json) = diagnose(&[&url], None, &o);
    let hint = tls(&json).1;
    assert!(
        hint.contains(&format!(
            "redcheck tls rediss://localhost:{port}/0 --save-chain cert.pem"
        )),
        "{hint}"
    );
    assert!(!hint.contains(" URL"), "{hint}");
    let (human, json) = diagnose(&["tls", &url], None, &o);
    let hint = tls(&json).1;
    assert!(hint.contains("--save-chain cert.pem"), "{hint}");
    assert!(!human.stdout.contains("redcheck tls"), "{}", human.stdout);
    // The rest of a failed handshake says where to look, not to run itself.
    let s_server = OldTlsServer::start(&files);
    let old = format!("rediss://localhost:{}", s_server.port());
    let (human, json) = diagnose(&["tls", &old], None, &o);
    json.assert_fails("tls", "tls-handshake");
    assert!(!human.stdout.contains("redcheck tls"), "{}", human.stdout);
    let (_, json) = diagnose(&[&old], None, &o);
    assert!(
        tls(&json).1.contains(&format!(
            "redcheck tls rediss://localhost:{}/0 shows",
            s_server.port()
        )),
        "{}",
        json.check("tls")
    );
}
