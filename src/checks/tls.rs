//! Verdict for `tls`: version, certificate, trust, and what verification found.

use serde_json::{Map, Value, json};

use super::{Options, check, failed, hints, skipped, timed};
use crate::failure::{Failure, Reason};
use crate::probe::tls::TlsFacts;
use crate::probe::{Findings, Outcome};
use crate::verdict::{Check, CheckId, Status};

/// A certificate expiring within this many days is a warning.
pub const EXPIRY_WARN_DAYS: i64 = 30;

/// `tls`.
pub fn tls(f: &Findings, opts: &Options) -> Check {
    let in_report = opts.handshake_report;
    let c = match &f.tls.outcome {
        Outcome::Done(t) => passed(f, t, in_report),
        Outcome::Failed(failure, facts) => {
            let data = facts.as_deref().map(facts_data).unwrap_or_default();
            let mut hint = match failure.reason {
                Reason::Timeout => hints::for_failure(failure, f),
                r => Some(hints::tls_hint(r, f, in_report)),
            };
            if failure.reason == Reason::UnknownIssuer
                && let Some(t) = facts.as_deref()
                && let Some(note) = &t.fallback_note
            {
                hint = hint.map(|h| format!("{h}\n{note}"));
            }
            failed(CheckId::Tls, failure, hint, data)
        }
        Outcome::Skipped(why) => skipped(CheckId::Tls, why),
    };
    timed(c, &f.tls)
}

fn passed(f: &Findings, t: &TlsFacts, in_report: bool) -> Check {
    let mut status = Status::Pass;
    let mut hints_out: Vec<String> = Vec::new();
    let mut raise = |s: Status, hint: Option<String>, status: &mut Status| {
        *status = (*status).max(s);
        if let Some(h) = hint {
            hints_out.push(h);
        }
    };
    let leaf = t.chain.first();
    let mut parts = vec![t.version.clone()];
    if let Some(l) = leaf {
        parts.push(format!(
            "certificate {} valid {} more days",
            l.subject, l.days_left
        ));
        if l.days_left < EXPIRY_WARN_DAYS {
            raise(
                Status::Warn,
                Some(format!(
                    "the certificate expires on {} ({} days): renew it",
                    l.not_after, l.days_left
                )),
                &mut status,
            );
        }
        if l.only_ip_names() {
            raise(
                Status::Warn,
                Some("the certificate names only IP addresses: clients that connect by host name will fail verification".into()),
                &mut status,
            );
        }
    }
    for ca in t
        .chain
        .iter()
        .skip(1)
        .filter(|c| c.days_left < EXPIRY_WARN_DAYS)
    {
        raise(
            Status::Warn,
            Some(format!(
                "CA '{}' in the presented chain expires on {} ({} days)",
                ca.subject, ca.not_after, ca.days_left
            )),
            &mut status,
        );
    }
    let self_signed = leaf.is_some_and(|l| l.self_signed);
    match &t.verification {
        Ok(()) if self_signed && t.trust != crate::trust::TrustSource::Insecure => {
            parts.push(format!("self-signed, trusted by {}", t.trust.describe()));
            raise(Status::Info, Some(self_signed_note(t)), &mut status);
        }
        Ok(()) => parts.push(format!("trusted by {}", t.trust.describe())),
        Err(Failure { reason, cause, .. }) => {
            parts.push(format!("NOT verified ({})", reason.as_str()));
            let fix = format!(" — to verify: {}", hints::tls_hint(*reason, f, in_report));
            raise(
                Status::Warn,
                Some(format!("verification is off; it would fail: {cause}{fix}")),
                &mut status,
            );
        }
    }
    if t.verification.is_ok() && t.trust == crate::trust::TrustSource::Insecure {
        raise(
            Status::Warn,
            Some(
                "verification is off (--insecure); it would have passed, so drop --insecure".into(),
            ),
            &mut status,
        );
    }
    if let Some(note) = &t.fallback_note {
        raise(Status::Warn, Some(note.clone()), &mut status);
    }
    if t.version.contains("1.2") && status == Status::Pass {
        status = Status::Info;
        hints_out.push("TLS 1.2 negotiated: fine, though TLS 1.3 is faster to connect; enable it on the server if you can".into());
    }
    let hint = (!hints_out.is_empty()).then(|| hints_out.join("\n"));
    check(
        CheckId::Tls,
        status,
        parts.join(" · "),
        hint,
        Value::Object(facts_data(t)),
    )
}

/// Where the trust in a self-signed certificate comes from, and what that means for others.
fn self_signed_note(t: &TlsFacts) -> String {
    let leaf = t.chain.first();
    let entry = t
        .issuers_in_store
        .iter()
        .find(|s| leaf.is_some_and(|l| s.cert == *l));
    let path = entry
        .and_then(|s| s.path.as_deref())
        .map(|p| format!(" ({p})"))
        .unwrap_or_default();
    let snakeoil = if path.contains("snakeoil") {
        " — Debian's ssl-cert snakeoil certificate, made for this host alone: other machines and containers do not have it"
    } else {
        ""
    };
    format!(
        "the certificate is self-signed: it is trusted because {} holds this very certificate{path}{snakeoil}; every client needs that same certificate to connect",
        t.trust.describe()
    )
}

/// The `data` of the `tls` check.
fn facts_data(t: &TlsFacts) -> Map<String, Value> {
    let leaf = t.chain.first();
    let verified = match &t.verification {
        Ok(()) => Value::Null,
        Err(f) => json!(f.reason.as_str()),
    };
    let v = json!({
        "version": t.version,
        "cipher": t.cipher,
        "alpn": t.alpn,
        "server_name": t.server_name,
        "subject": leaf.map(|l| l.subject.clone()),
        "sans": leaf.map(|l| l.sans.clone()).unwrap_or_default(),
        "issuer": leaf.map(|l| l.issuer.clone()),
        "not_after": leaf.map(|l| l.not_after.clone()),
        "days_left": leaf.map(|l| l.days_left),
        "trust": t.trust,
        "roots": t.roots,
        "verification_error": verified,
        "chain_length": t.chain.len(),
        "client_cert_requested": t.client_cert_requested,
        "self_signed": leaf.is_some_and(|l| l.self_signed),
    });
    let mut v = v;
    if let Some(other) = leaf.and_then(|l| t.issuers_in_store.iter().find(|s| s.cert != *l)) {
        v["store_namesake"] = json!({
            "subject": other.cert.subject,
            "sha256": other.cert.sha256,
            "path": other.path,
        });
    }
    let unlinked = matches!(
        &t.verification,
        Err(f) if matches!(f.reason, Reason::IncompleteChain | Reason::UnknownIssuer)
    );
    if let Some(top) = t.chain.last().filter(|c| unlinked && !c.self_issued) {
        v["missing_issuer"] = json!({
            "subject": top.issuer_dn,
            "ca_issuers": top.ca_issuers,
        });
    }
    if let Some(suites) = &t.server_suites {
        v["server_suites"] = json!(suites);
        v["rustls_suites"] = json!(crate::probe::tls::rustls_suites());
    }
    if let Some(c) = &t.client_cert {
        v["client_cert"] = json!({ "subject": c.subject, "issuer": c.issuer });
    }
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// The handshake section of `redcheck tls`, when the server presented anything.
pub fn handshake(f: &Findings) -> Option<crate::report::Handshake> {
    let t = match &f.tls.outcome {
        Outcome::Done(t) => t,
        Outcome::Failed(_, Some(t)) => t.as_ref(),
        _ => return None,
    };
    if t.chain.is_empty() && t.version == "unknown" {
        return None;
    }
    Some(crate::report::Handshake {
        version: t.version.clone(),
        cipher: t.cipher.clone(),
        alpn: t.alpn.clone(),
        server_name: t.server_name.clone(),
        trust: t.trust,
        roots: t.roots,
        verification_error: t.verification.as_ref().err().map(|e| e.reason.as_str()),
        client_cert_requested: t.client_cert_requested,
        chain: t.chain.clone(),
    })
}

/// The DER chain the server presented, for `--save-chain`.
pub fn presented_chain(f: &Findings) -> Option<&[rustls::pki_types::CertificateDer<'static>]> {
    match &f.tls.outcome {
        Outcome::Done(t) => Some(t.chain_der.as_slice()),
        Outcome::Failed(_, Some(t)) => Some(t.chain_der.as_slice()),
        _ => None,
    }
    .filter(|c| !c.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::Build;
    use crate::checks::testing::certs::{Minted, ca, facts, leaf};
    use crate::probe::Stage;
    use crate::trust::{StoreCert, TrustSource};

    const URL: &str = "rediss://:pw@cache.example.com:6380";

    fn judge(t: TlsFacts) -> Check {
        tls(&Build::healthy(URL).tls(t).done(), &Options::default())
    }

    fn signed(days_left: i64) -> (Minted, Minted) {
        let root = ca("Example Private CA", 3000);
        let cert = leaf(
            "cache.example.com",
            &["cache.example.com"],
            Some(&root),
            days_left,
        );
        (cert, root)
    }

    #[test]
    fn a_verified_chain_passes_and_names_what_trusted_it() {
        let (cert, root) = signed(200);
        let c = judge(facts(
            "cache.example.com",
            &[&cert, &root],
            TrustSource::CustomCa,
            Ok(()),
        ));
        assert_eq!(c.status, Status::Pass, "{:?}", c.hint);
        assert_eq!(
            c.summary,
            "TLS 1.3 · certificate cache.example.com valid 200 more days · trusted by the given CA file"
        );
        assert_eq!(c.hint, None);
        assert_eq!(c.data["sans"], json!(["cache.example.com"]));
        assert_eq!(c.data["issuer"], "Example Private CA");
        assert_eq!(c.data["chain_length"], 2);
        assert_eq!(c.data["verification_error"], Value::Null);
        assert_eq!(c.data["self_signed"], false);
        assert_eq!(c.duration_ms, Some(2.1));
    }

    #[test]
    fn a_certificate_or_ca_close_to_expiry_warns_with_the_date() {
        let (cert, root) = signed(12);
        let c = judge(facts(
            "cache.example.com",
            &[&cert, &root],
            TrustSource::System,
            Ok(()),
        ));
        assert_eq!(c.status, Status::Warn);
        assert_eq!(
            c.hint.as_deref(),
            Some("the certificate expires on 2027-01-01T00:00:00Z (12 days): renew it")
        );
        let cert = leaf("cache.example.com", &["cache.example.com"], None, 90);
        let mut root = ca("Example Private CA", 5);
        root.info.not_after = "2026-12-06T00:00:00Z".into();
        let c = judge(facts(
            "cache.example.com",
            &[&cert, &root],
            TrustSource::System,
            Ok(()),
        ));
        assert_eq!(c.status, Status::Warn);
        assert!(
            c.hint.unwrap().contains("CA 'Example Private CA' in the presented chain expires on 2026-12-06T00:00:00Z (5 days)")
        );
        // One day more is no warning.
        let (cert, root) = signed(EXPIRY_WARN_DAYS);
        let c = judge(facts(
            "cache.example.com",
            &[&cert, &root],
            TrustSource::System,
            Ok(()),
        ));
        assert_eq!(c.status, Status::Pass, "{:?}", c.hint);
    }

    #[test]
    fn a_hostname_mismatch_fails_with_the_names_the_certificate_holds() {
        let (cert, root) = signed(200);
        let mismatch = Failure::new(
            Reason::HostnameMismatch,
            "the certificate is for cache.example.com, not '10.0.0.7'",
        );
        let mut f = Build::healthy("rediss://:pw@10.0.0.7:6380").done();
        let mut t = facts(
            "10.0.0.7",
            &[&cert, &root],
            TrustSource::System,
            Err(mismatch.clone()),
        );
        t.verification = Err(mismatch.clone());
        f.scheme = Stage::done(crate::probe::Speaks::Tls, std::time::Duration::ZERO);
        f.tls = Stage {
            outcome: Outcome::Failed(mismatch, Some(Box::new(t))),
            took: std::time::Duration::from_micros(1900),
        };
        let c = tls(&f, &Options::default());
        assert_eq!(c.status, Status::Fail);
        assert_eq!(c.data["reason"], "hostname-mismatch");
        assert_eq!(
            c.summary,
            "the certificate is for cache.example.com, not '10.0.0.7'"
        );
        assert_eq!(c.data["sans"], json!(["cache.example.com"]));
        assert!(c.hint.unwrap().contains("cache.example.com"));
        assert_eq!(
            handshake(&f).map(|h| h.verification_error),
            Some(Some("hostname-mismatch"))
        );
        assert_eq!(presented_chain(&f).map(<[_]>::len), Some(2));
    }

    #[test]
    fn a_self_signed_certificate_the_store_holds_is_information_with_where_it_came_from() {
        let cert = leaf("redis.internal", &["redis.internal"], None, 300);
        let mut t = facts("redis.internal", &[&cert], TrustSource::System, Ok(()));
        t.issuers_in_store = vec![StoreCert {
            cert: cert.info.clone(),
            path: Some("/etc/ssl/certs/ssl-cert-snakeoil.pem".into()),
        }];
        t.leaf_in_store = true;
        let c = judge(t);
        assert_eq!(c.status, Status::Info);
        assert!(
            c.summary
                .ends_with("self-signed, trusted by the system store"),
            "{}",
            c.summary
        );
        let hint = c.hint.unwrap();
        assert!(
            hint.contains("(/etc/ssl/certs/ssl-cert-snakeoil.pem)"),
            "{hint}"
        );
        assert!(hint.contains("Debian's ssl-cert snakeoil"), "{hint}");
        assert_eq!(c.data["self_signed"], true);
        assert!(
            c.data.get("store_namesake").is_none(),
            "the store holds this very certificate"
        );
    }

    #[test]
    fn insecure_warns_whether_verification_would_pass_or_fail() {
        let (cert, root) = signed(200);
        let c = judge(facts(
            "cache.example.com",
            &[&cert, &root],
            TrustSource::Insecure,
            Ok(()),
        ));
        assert_eq!(c.status, Status::Warn);
        assert!(
            c.summary.ends_with("trusted by nothing (verification off)"),
            "{}",
            c.summary
        );
        assert!(c.hint.unwrap().contains("drop --insecure"));
        let unknown = Failure::new(
            Reason::UnknownIssuer,
            "issued by 'Example Private CA', which no root in the system store is",
        );
        let c = judge(facts(
            "cache.example.com",
            &[&cert],
            TrustSource::Insecure,
            Err(unknown),
        ));
        assert_eq!(c.status, Status::Warn);
        assert!(
            c.summary.ends_with("NOT verified (unknown-issuer)"),
            "{}",
            c.summary
        );
        let hint = c.hint.unwrap();
        assert!(
            hint.starts_with("verification is off; it would fail: issued by 'Example Private CA'"),
            "{hint}"
        );
        assert!(hint.contains("--cacert ca.pem"), "{hint}");
        assert_eq!(c.data["verification_error"], "unknown-issuer");
        assert_eq!(c.data["missing_issuer"]["subject"], "CN=Example Private CA");
    }

    #[test]
    fn tls_1_2_and_ip_only_names_are_worth_a_word() {
        let (cert, root) = signed(200);
        let mut t = facts(
            "cache.example.com",
            &[&cert, &root],
            TrustSource::System,
            Ok(()),
        );
        t.version = "TLS 1.2".into();
        let c = judge(t);
        assert_eq!(c.status, Status::Info);
        assert!(c.hint.unwrap().starts_with("TLS 1.2 negotiated"));
        let ip = leaf("10.0.0.7", &["10.0.0.7"], None, 200);
        let c = judge(facts("10.0.0.7", &[&ip], TrustSource::CustomCa, Ok(())));
        assert_eq!(c.status, Status::Warn);
        assert!(c.hint.unwrap().contains("names only IP addresses"));
    }

    #[test]
    fn a_plaintext_url_skips_tls() {
        let f = Build::healthy("redis://127.0.0.1:6379").done();
        let c = tls(&f, &Options::default());
        assert_eq!(
            (c.status, c.summary.as_str()),
            (Status::Skip, "plaintext URL (redis://)")
        );
        assert!(handshake(&f).is_none() && presented_chain(&f).is_none());
    }
}
