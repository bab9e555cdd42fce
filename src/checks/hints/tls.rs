//! Fixes for TLS failures. In `redcheck tls` (`in_report`) the report already is the
//! handshake report: hints never send the user to run it again.

use super::{as_written, hostname_mismatch, provider, shown, tls_facts};
use crate::failure::Reason;
use crate::probe::Findings;
use crate::probe::tls::{TlsFacts, store_cert_text};

/// The hint for a TLS reason.
pub fn hint(reason: Reason, f: &Findings, in_report: bool) -> String {
    let facts = tls_facts(f);
    let name = facts.map_or("NAME", |t| t.server_name.as_str());
    let save = |file: &str| save_chain(f, file, in_report);
    match reason {
        Reason::UnknownIssuer => {
            if let Some(other) = facts.and_then(|t| t.issuers_in_store.first()) {
                return format!(
                    "the '{}' you trust ({}) is not the CA that signed this certificate (same name, another key): get the current CA certificate from the server's operator and pass it with --cacert",
                    other.cert.subject,
                    store_cert_text(other)
                );
            }
            let advice = provider(f).map_or(
                "get the CA certificate that signed the server's certificate from its operator",
                |p| p.ca_advice,
            );
            let flag = if in_report {
                "add --cacert ca.pem"
            } else {
                "then redcheck --cacert ca.pem …"
            };
            // Only the leaf came: its issuer may be an intermediate the server should send.
            let intermediate = facts
                .filter(|t| t.chain.len() == 1)
                .and_then(|t| t.chain.first())
                .filter(|l| !l.self_issued)
                .map(|l| {
                    format!(
                        "; if '{}' is an intermediate CA, the server must send it after its own certificate (tls-cert-file holds both)",
                        l.issuer
                    )
                })
                .unwrap_or_default();
            format!(
                "{advice}; {flag} ({} saves the chain the server sends){intermediate}",
                save("chain.pem")
            )
        }
        Reason::SelfSigned => self_signed(f, facts, in_report),
        Reason::CaUsedAsLeaf => format!(
            "re-issue the server certificate without CA:TRUE: {}; or sign a server certificate with a CA of your own and give clients that CA",
            leaf_command(name)
        ),
        Reason::NoSan => format!(
            "re-issue the certificate with the name in a subjectAltName: {}; OpenSSL-based clients still fall back to the CN, rustls and Go do not",
            leaf_command(name)
        ),
        Reason::IncompleteChain => {
            let top = facts.and_then(|t| t.chain.last());
            let issuer = top.map_or("the intermediate CA", |c| c.issuer.as_str());
            let url = top
                .and_then(|c| c.ca_issuers.first())
                .map(|u| {
                    format!(" (download it from {u}; convert DER with openssl x509 -inform der)")
                })
                .unwrap_or_default();
            format!(
                "the server must send the intermediate '{issuer}' after its own certificate: for Redis, tls-cert-file should hold both (cat server.pem intermediate.pem > chain.pem; from Let's Encrypt, fullchain.pem rather than cert.pem){url}"
            )
        }
        Reason::BadCertificate => format!(
            "the server's certificate must be re-issued (a SHA-256 signature, serverAuth usage, a CA that is a CA); {} saves the chain for a closer look",
            save("chain.pem")
        ),
        Reason::NoCommonCipher => "allow a suite rustls and other modern clients speak: for Redis, tls-ciphers ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES128-GCM-SHA256 (the one matching its key), or allow TLS 1.3 (tls-protocols \"TLSv1.2 TLSv1.3\")".into(),
        Reason::ClientCertRequired => "the server verifies clients: pass --cert client.pem --key client-key.pem (the client certificate and key it trusts)".into(),
        Reason::ClientCertRejected => {
            let issuer = facts
                .and_then(|t| t.client_cert.as_ref())
                .map_or("its issuer".to_string(), |c| format!("'{}'", c.issuer));
            format!(
                "the server trusts only client certificates from the CA in its tls-ca-cert-file: pass a --cert issued by that CA, or add {issuer} to that file on the server"
            )
        }
        Reason::HostnameMismatch => hostname_mismatch(f),
        Reason::Expired => "the server's certificate must be renewed; if it looks current, check this machine's clock (date -u)".into(),
        Reason::NotYetValid => "check this machine's clock (date -u); a freshly issued certificate may also be dated ahead".into(),
        _ => {
            let base = "check the server's TLS settings (tls-protocols, tls-ciphers, tls-ciphersuites) and its log";
            if in_report {
                base.to_string()
            } else {
                format!("{base}; {} shows the whole handshake", tls_command(f, ""))
            }
        }
    }
}

/// `self-signed`: trust it, say what shadowed it, and re-issue a CA:TRUE one.
fn self_signed(f: &Findings, facts: Option<&TlsFacts>, in_report: bool) -> String {
    let mut h = format!(
        "trust this certificate itself ({}, then --cacert cert.pem) or, knowing the risk, --insecure",
        save_chain(f, "cert.pem", in_report)
    );
    let Some(t) = facts else { return h };
    let Some(leaf) = t.chain.first() else {
        return h;
    };
    if let Some(other) = t.issuers_in_store.iter().find(|s| s.cert != *leaf) {
        let debian = if other
            .path
            .as_deref()
            .is_some_and(|p| p.contains("snakeoil"))
        {
            " (Debian's ssl-cert package puts its snakeoil certificate for this host's name in /etc/ssl/certs)"
        } else {
            ""
        };
        h = format!(
            "{h}; --cacert replaces the system store, so the other '{}' ({}) no longer gets in the way{debian}",
            other.cert.subject,
            other.path.as_deref().unwrap_or("in the store")
        );
    }
    if leaf.is_ca {
        h = format!(
            "{h}; and re-issue it as a server certificate, which rustls-based clients also accept: {}",
            leaf_command(&t.server_name)
        );
    }
    h
}

/// A self-signed server certificate made the way rustls accepts it.
fn leaf_command(name: &str) -> String {
    let san = if name.parse::<std::net::IpAddr>().is_ok() {
        format!("IP:{name}")
    } else {
        format!("DNS:{name}")
    };
    format!(
        "openssl req -x509 -newkey rsa:2048 -nodes -days 365 -keyout server.key -out server.pem -subj /CN={name} -addext subjectAltName={san} -addext basicConstraints=critical,CA:FALSE"
    )
}

/// `--save-chain FILE`, as a flag to add here or as a `redcheck tls` command to run.
fn save_chain(f: &Findings, file: &str, in_report: bool) -> String {
    if in_report {
        format!("--save-chain {file}")
    } else {
        tls_command(f, &format!(" --save-chain {file}"))
    }
}

/// `redcheck tls URL…` for this target: no password, which a handshake does not need.
fn tls_command(f: &Findings, extra: &str) -> String {
    let url = f.target.as_ref().map_or_else(
        || "URL".to_string(),
        |t| shown(&as_written(t), t.username.as_deref(), false),
    );
    format!("redcheck tls {url}{extra}")
}
