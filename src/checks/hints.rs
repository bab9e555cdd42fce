//! What to do about each failure reason: the one place for fix wording.

use crate::failure::{Failure, Reason};
use crate::probe::tls::TlsFacts;
use crate::probe::{Findings, Outcome};
use crate::provider::{self, Provider};
use crate::secret::{MASK, Secret};
use crate::url::{Endpoint, Host, PasswordSource, Target};

mod tls;

pub use tls::hint as tls_hint;

/// The provider of the target, if known.
pub fn provider(f: &Findings) -> Option<&'static Provider> {
    let t = f.target.as_ref()?;
    provider::detect(&t.host()?.as_str(), t.port()?)
}

/// The socket path of a `unix://` target.
fn unix_path(f: &Findings) -> Option<String> {
    match &f.target.as_ref()?.endpoint {
        Endpoint::Unix(p) => Some(p.display().to_string()),
        Endpoint::Tcp { .. } => None,
    }
}

/// The failure of the connect stage.
fn tcp_failure(f: &Findings) -> Option<&Failure> {
    match &f.tcp.outcome {
        Outcome::Failed(failure, _) => Some(failure),
        _ => None,
    }
}

/// The hint for a failure: a server's own error reply that has no reason of its own is told
/// apart from bytes that are not Redis at all.
pub fn for_failure(failure: &Failure, f: &Findings) -> Option<String> {
    if failure.reason == Reason::Protocol && failure.from_server {
        return Some(format!(
            "the server answered with an error: {} — see its log",
            failure.cause
        ));
    }
    for_reason(failure.reason, f)
}

/// The hint for a failure reason, with the corrected URL or flag where there is one.
pub fn for_reason(reason: Reason, f: &Findings) -> Option<String> {
    let t = f.target.as_ref();
    // Suggested URLs show a password only when the user wrote one into the URL.
    let written = t.map(as_written);
    let w = written.as_ref();
    let p = provider(f);
    let host_port = t
        .and_then(|t| Some(format!("{}:{}", t.host()?, t.port()?)))
        .unwrap_or_else(|| "the server".into());
    let text = match reason {
        Reason::InvalidUrl => "write it as redis://[user:password@]host[:port][/db] (rediss:// for TLS); percent-encode @ : / ? # in the password".into(),
        Reason::UnsupportedScheme => "use redis:// (plaintext), rediss:// (TLS), valkey:// / valkeys://, or unix:///path/to/redis.sock".into(),
        Reason::DnsFailed => {
            let mut h = "check the host name for typos; from a container, check its DNS (cat /etc/resolv.conf)".to_string();
            if let Some(p) = p.filter(|p| p.name.contains("Kubernetes")) {
                h = format!("{h}; {}", p.note);
            }
            h
        }
        Reason::Refused if unix_path(f).is_some() => format!(
            "a socket file exists at {} but no server listens on it: start the server, or use the path its unixsocket setting names",
            unix_path(f).unwrap_or_default()
        ),
        Reason::Unreachable if unix_path(f).is_some() => {
            let path = unix_path(f).unwrap_or_default();
            match tcp_failure(f).and_then(|failure| failure.os) {
                Some(std::io::ErrorKind::PermissionDenied) => format!(
                    "this user may not open {path}: check unixsocketperm on the server and that the user is in the socket's group"
                ),
                _ => format!(
                    "no server socket at {path}: check the path and the server's unixsocket setting (CONFIG GET unixsocket)"
                ),
            }
        }
        Reason::Timeout if matches!(f.dns.outcome, Outcome::Failed(..)) => format!(
            "the resolver is unreachable or slow: check /etc/resolv.conf (in a pod: the cluster DNS, CoreDNS / kube-dns), and try getent hosts {}",
            t.and_then(Target::host).map_or_else(|| "NAME".into(), |h| h.as_str())
        ),
        Reason::Timeout if unix_path(f).is_some() && f.tcp.facts().is_none() => format!(
            "the server's listener at {} does not accept connections: it may be stuck or its backlog full (check it is alive; raise tcp-backlog / net.core.somaxconn); raise --timeout to tell slow from stuck",
            unix_path(f).unwrap_or_default()
        ),
        Reason::Refused => {
            let ports = p.map_or_else(
                || "6379 is Redis's default; providers serve TLS on 6380 (Azure), 10000 (Azure Managed Redis), 25061 (DigitalOcean), 6378 (Memorystore)".to_string(),
                |p| format!("{}: {}", p.name, p.note),
            );
            format!(
                "is the server running? Start it, check its bind and port settings (a container must publish the port), or fix the URL's port: {ports}"
            )
        }
        Reason::Timeout => match f.tcp.facts() {
            None => format!(
                "packets to {host_port} are dropped: a firewall, security group or VPC boundary{}; try from a host in the same network",
                p.filter(|p| p.name.contains("ElastiCache")).map(|_| " (ElastiCache is reachable only from inside its VPC)").unwrap_or_default()
            ),
            Some(_) => "the server accepted the connection but did not answer in time: it may be overloaded or blocked (a long-running command, a full backlog); raise --timeout to tell slow from stuck".into(),
        },
        Reason::Unreachable => "no route to the host: check the VPN, VPC peering or network policy between you and the server".into(),
        Reason::TlsExpected => {
            let url = w.map(|t| t.redacted_with(true, None)).unwrap_or_default();
            let extra = p
                .and_then(|p| p.tls_port.map(|port| format!(" ({} serves TLS on port {port})", p.name)))
                .unwrap_or_default();
            format!("the port speaks TLS: use {url}{extra}")
        }
        Reason::PlaintextExpected => {
            let plain = w.map(|t| t.redacted_with(false, None)).unwrap_or_default();
            let other = p
                .and_then(|p| p.tls_port.map(|port| format!("; {} serves TLS on port {port}", p.name)))
                .or_else(|| {
                    t.and_then(Target::host)
                        .filter(|h| !h.is_loopback())
                        .map(|_| "; the provider may offer TLS on another port".to_string())
                })
                .unwrap_or_default();
            format!("the port speaks plaintext: use {plain}{other}")
        }
        Reason::UnknownIssuer
        | Reason::SelfSigned
        | Reason::HostnameMismatch
        | Reason::Expired
        | Reason::NotYetValid
        | Reason::ClientCertRequired
        | Reason::TlsHandshake
        | Reason::CaUsedAsLeaf
        | Reason::NoSan
        | Reason::IncompleteChain
        | Reason::BadCertificate
        | Reason::NoCommonCipher
        | Reason::ClientCertRejected => return Some(tls::hint(reason, f, false)),
        Reason::Reset | Reason::Closed => {
            let tls_hint = w.filter(|t| !t.tls).map(|t| format!("; if the server expects TLS, try {}", t.redacted_with(true, None)));
            format!("the server dropped the connection: check its log (maxclients, protected mode, a proxy){}", tls_hint.unwrap_or_default())
        }
        Reason::Protocol => "the port does not speak Redis as expected: check the port, and that no proxy (HTTP, TLS terminator) sits in between".into(),
        Reason::ProtectedMode => "the server refuses remote clients without a password: on the server set requirepass (or an ACL user), or bind it to the right interface with protected-mode no behind a firewall".into(),
        Reason::MaxClients => "every connection slot is taken: create one client or pool per process and reuse it, close idle clients (CLIENT LIST), or raise maxclients / the plan's limit".into(),
        Reason::Loading => format!(
            "the server is loading its dataset after a restart: wait (redcheck wait {}) and retry",
            w.map_or_else(|| "URL".to_string(), ToString::to_string)
        ),
        Reason::Busy => "a script or function is running too long and blocks the server: stop it (SCRIPT KILL / FUNCTION KILL) or wait for it, and find it in SLOWLOG GET".into(),
        Reason::Noauth => match t {
            Some(t) => noauth(t),
            None => "the server needs a password: put it in REDISCLI_AUTH or --password-file".into(),
        },
        Reason::Wrongpass => t.map_or_else(
            || "check the password and, for an ACL user, the user name".into(),
            wrongpass,
        ),
        Reason::NoPasswordSet => {
            let drop = match t.and_then(|t| t.password_source) {
                Some(PasswordSource::Env) => "unset REDISCLI_AUTH for this server".to_string(),
                Some(PasswordSource::File { .. }) => "drop --password-file".to_string(),
                Some(PasswordSource::Url) | None => format!(
                    "drop it from the URL ({})",
                    t.map(|t| shown(t, t.username.as_deref(), false)).unwrap_or_default()
                ),
            };
            format!(
                "the server has no password, and clients that send AUTH will fail: {drop}, or set requirepass on the server"
            )
        }
        Reason::Noperm => "the ACL user lacks a permission: grant it (ACL SETUSER name +@connection +info …) or use another user".into(),
        Reason::AuthArity => format!(
            "Redis before 6 has no ACL users and AUTH takes only a password: drop the user name ({})",
            t.map(|t| shown(t, None, t.password.is_some())).unwrap_or_default()
        ),
        Reason::InvalidDb => "use a database number below the server's `databases` (default 16); cluster mode has only database 0".into(),
        Reason::ClusterDown => "the cluster is not serving all slots: check CLUSTER INFO / CLUSTER NODES on the server".into(),
        Reason::NodeUnreachable => "the cluster announces addresses you cannot reach (a tunnel or a configuration endpoint): run the app inside the cluster's network, or use a cluster-aware client with NAT mapping".into(),
        Reason::Readonly => "this is a replica: point the URL at the primary (after a failover, re-resolve the primary endpoint)".into(),
        Reason::Oom => "maxmemory is reached under noeviction: free memory, raise maxmemory, or set TTLs".into(),
        Reason::Misconf => "the server cannot persist (disk full or permissions) and refuses writes: fix the RDB/AOF directory on the server".into(),
        Reason::Moved => "this is a cluster: use a cluster-aware client (or connect to the node that owns the slot)".into(),
        Reason::MasterLinkDown => "the replica has lost its primary and serves older and older data: check that the primary is up and reachable from the replica (its log says why the link broke); if the primary is gone, fail over".into(),
        Reason::PubsubLost => "something between you and the server does not pass pub/sub (a proxy, or a load balancer that sends the two connections to different servers): connect subscribers straight to the server, or use a proxy that supports pub/sub".into(),
        // Thresholds differ per check; each check words its own.
        // Worded where the topology is known (checks/sentinel.rs).
        Reason::Threshold
        | Reason::EvictionPolicy
        | Reason::SentinelUnreachable
        | Reason::UnknownMaster
        | Reason::AnnouncedUnreachable
        | Reason::NotMaster
        | Reason::SentinelNotDataNode => return None,
    };
    Some(text)
}

/// `redcheck memory` could read nothing: the user may not run INFO.
pub fn grant_info(f: &Findings) -> String {
    let user = f
        .auth
        .facts()
        .map_or_else(|| "USER".to_string(), |a| a.user.clone());
    format!(
        "every number here comes from INFO: grant it to the user (ACL SETUSER {user} +info), or run redcheck memory as a user that has it"
    )
}

/// The TLS facts, whether the handshake failed on them or went on under `--insecure`.
fn tls_facts(f: &Findings) -> Option<&TlsFacts> {
    match &f.tls.outcome {
        Outcome::Done(t) => Some(t),
        Outcome::Failed(_, t) => t.as_deref(),
        Outcome::Skipped(_) => None,
    }
}

/// `hostname-mismatch`: the URL by a name the certificate lists, or the `--sni` to send.
fn hostname_mismatch(f: &Findings) -> String {
    let t = f.target.as_ref();
    let facts = tls_facts(f);
    let names: Vec<&str> = facts
        .and_then(|t| t.chain.first())
        .map(|leaf| leaf.sans.iter().map(String::as_str).collect())
        .unwrap_or_default();
    // A wildcard cannot be dialled; the first concrete name can.
    let usable = names.iter().copied().find(|n| !n.starts_with("*."));
    let listed = if names.is_empty() {
        "no names".to_string()
    } else {
        names.join(", ")
    };
    let host = t.and_then(Target::host).map(crate::url::Host::as_str);
    let sent = facts.map(|t| t.server_name.as_str());
    if let (Some(sent), Some(host)) = (sent, &host)
        && !sent.eq_ignore_ascii_case(host)
    {
        let fix = usable.map_or_else(
            || "pass --sni with a name the certificate lists".to_string(),
            |n| format!("pass --sni {n}"),
        );
        return format!(
            "--sni {sent} is the name that failed: the certificate lists {listed}; {fix}"
        );
    }
    match (usable, t) {
        (Some(name), Some(t)) => {
            let mut fixed = t.clone();
            if let Endpoint::Tcp { host, .. } = &mut fixed.endpoint {
                *host = name
                    .parse()
                    .map_or_else(|_| Host::Name(name.to_string()), Host::Ip);
            }
            format!(
                "connect by a name the certificate lists: {fixed}; through a tunnel or port-forward, keep this URL and add --sni {name}"
            )
        }
        _ => format!(
            "the certificate lists {listed}: connect by a name it matches, or through a tunnel or port-forward add --sni NAME with the server's real name"
        ),
    }
}

/// The target as the user wrote it: a password from REDISCLI_AUTH or --password-file is
/// not part of the URL to suggest.
fn as_written(t: &Target) -> Target {
    let mut t = t.clone();
    if !matches!(t.password_source, Some(PasswordSource::Url) | None) {
        t.password = None;
    }
    t
}

/// The target's URL, redacted, with this user name and with or without a (masked) password:
/// scheme, host, port, database and parameters stay as the user wrote them.
fn shown(t: &Target, user: Option<&str>, password: bool) -> String {
    let mut t = t.clone();
    t.username = user.map(str::to_string);
    // Only ever printed as the mask; never the real value.
    t.password = password.then(|| Secret::new(MASK));
    t.to_string()
}

/// `noauth`: a user name without its password needs only the password; with neither, the URL
/// form depends on how the server authenticates, which NOAUTH does not say: both are named.
fn noauth(t: &Target) -> String {
    let safer = "or keep the password out of the URL with REDISCLI_AUTH / --password-file";
    match &t.username {
        Some(u) => format!(
            "the server needs the password of user '{u}': {} ({safer})",
            shown(t, Some(u), true)
        ),
        None => format!(
            "the server needs a password, and the URL form depends on how it authenticates: with requirepass (one password, for the default user) use {}; with an ACL user (when the default user is off) use {}; {safer}",
            shown(t, None, true),
            shown(t, Some("USER"), true)
        ),
    }
}

/// `wrongpass`: what to check depends on where the password came from and on the user name.
fn wrongpass(t: &Target) -> String {
    let source = match t.password_source {
        Some(PasswordSource::Env) => {
            "REDISCLI_AUTH is sent as is (no percent-decoding): it must hold the raw password, without a trailing newline".to_string()
        }
        Some(PasswordSource::File { newline_stripped }) => format!(
            "--password-file is sent as is ({}), so it must hold the raw password and nothing else",
            if newline_stripped {
                "one trailing newline was stripped"
            } else {
                "no trailing newline"
            }
        ),
        Some(PasswordSource::Url) | None => {
            "percent-encode @ : / ? # % in the URL's password, and strip a trailing newline from the secret".to_string()
        }
    };
    let user = match &t.username {
        Some(u) => format!(
            "the user '{u}' and this password must match an ACL user on the server (ACL LIST)"
        ),
        // From outside the URL, the user name goes in the URL without a password (`user:@`).
        None => format!(
            "a password alone logs in as the default user, so WRONGPASS means that user is off or has another password: for an ACL user give the user name too ({})",
            shown(
                t,
                Some("USER"),
                matches!(t.password_source, Some(PasswordSource::Url) | None)
            )
        ),
    };
    format!("check the password: {source}; {user}")
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::checks::testing::findings;
    use crate::probe::Stage;

    fn hint(reason: Reason, url: &str, outside: Option<PasswordSource>) -> String {
        for_reason(reason, &findings(url, outside)).unwrap()
    }

    #[test]
    fn rewritten_urls_keep_scheme_host_port_and_db() {
        let noauth = hint(Reason::Noauth, "rediss://cache.example.com:6380/3", None);
        assert!(
            noauth.contains("use rediss://:****@cache.example.com:6380/3;"),
            "{noauth}"
        );
        assert!(
            noauth.contains("use rediss://USER:****@cache.example.com:6380/3;"),
            "{noauth}"
        );
        let user = hint(Reason::Noauth, "redis://app:@h", None);
        assert!(
            user.contains("user 'app': redis://app:****@h:6379/0"),
            "{user}"
        );
        assert!(!user.contains("USER"), "{user}");
        let arity = hint(
            Reason::AuthArity,
            "valkeys://app:pw@cache.example.com:6380/2",
            None,
        );
        assert!(
            arity.contains("(valkeys://:****@cache.example.com:6380/2)"),
            "{arity}"
        );
        assert!(!arity.contains("pw@"), "{arity}");
    }

    #[test]
    fn no_password_set_names_where_the_password_came_from() {
        let url = hint(Reason::NoPasswordSet, "rediss://:pw@h:6380/1", None);
        assert!(
            url.contains("drop it from the URL (rediss://h:6380/1)"),
            "{url}"
        );
        let env = hint(
            Reason::NoPasswordSet,
            "rediss://h:6380/1",
            Some(PasswordSource::Env),
        );
        assert!(env.contains("unset REDISCLI_AUTH"), "{env}");
        assert!(!env.contains("URL"), "{env}");
        let file = hint(
            Reason::NoPasswordSet,
            "redis://h",
            Some(PasswordSource::File {
                newline_stripped: false,
            }),
        );
        assert!(file.contains("drop --password-file"), "{file}");
    }

    #[test]
    fn wrongpass_depends_on_the_source_and_the_user_name() {
        let url = hint(Reason::Wrongpass, "rediss://:pw@h:6380/1", None);
        assert!(url.contains("percent-encode"), "{url}");
        assert!(url.contains("(rediss://USER:****@h:6380/1)"), "{url}");
        let env = hint(Reason::Wrongpass, "redis://h", Some(PasswordSource::Env));
        assert!(env.contains("REDISCLI_AUTH is sent as is"), "{env}");
        assert!(!env.contains("percent-encode"), "{env}");
        assert!(env.contains("(redis://USER:@h:6379/0)"), "{env}");
        let file = hint(
            Reason::Wrongpass,
            "redis://app:@h",
            Some(PasswordSource::File {
                newline_stripped: true,
            }),
        );
        assert!(file.contains("one trailing newline was stripped"), "{file}");
        assert!(file.contains("the user 'app'"), "{file}");
        assert!(!file.contains("give the user name"), "{file}");
    }

    #[test]
    fn a_password_from_outside_the_url_stays_out_of_suggested_urls() {
        let h = hint(
            Reason::TlsExpected,
            "redis://h:6380",
            Some(PasswordSource::Env),
        );
        assert!(h.contains("use rediss://h:6380/0"), "{h}");
        let h = hint(Reason::TlsExpected, "redis://:pw@h:6380", None);
        assert!(h.contains("use rediss://:****@h:6380/0"), "{h}");
    }

    #[test]
    fn commands_to_run_carry_the_real_url_masked_and_redcheck_tls_never_names_itself() {
        let h = hint(Reason::Loading, "rediss://:pw@cache.example:6380/2", None);
        assert!(
            h.contains("redcheck wait rediss://:****@cache.example:6380/2"),
            "{h}"
        );
        let f = findings("rediss://app:pw@cache.example:6380/2", None);
        for reason in [
            Reason::TlsHandshake,
            Reason::SelfSigned,
            Reason::UnknownIssuer,
        ] {
            let elsewhere = tls_hint(reason, &f, false);
            // A handshake needs no password: the command leaves it out.
            assert!(
                elsewhere.contains("redcheck tls rediss://app:@cache.example:6380/2"),
                "{elsewhere}"
            );
            assert!(
                !elsewhere.contains(" URL") && !elsewhere.contains("pw"),
                "{elsewhere}"
            );
            let in_report = tls_hint(reason, &f, true);
            assert!(!in_report.contains("redcheck tls"), "{in_report}");
        }
    }

    #[test]
    fn a_loopback_port_is_no_provider() {
        let h = hint(Reason::PlaintextExpected, "rediss://127.0.0.1:6378", None);
        assert!(!h.contains("Memorystore"), "{h}");
        let h = hint(Reason::PlaintextExpected, "rediss://10.0.0.3:6378", None);
        assert!(h.contains("GCP Memorystore serves TLS on port 6378"), "{h}");
    }

    /// Findings for `url` where `stage` failed with `reason` and `cause`.
    fn failed_at(url: &str, stage: &str, reason: Reason, cause: &str) -> Findings {
        let mut f = Findings::new(url.into());
        f.target = Some(Target::parse(url).expect("a valid URL"));
        match stage {
            "dns" => f.dns = failed(reason, cause),
            _ => f.tcp = failed(reason, cause),
        }
        f
    }

    fn failed<T>(reason: Reason, cause: &str) -> Stage<T> {
        Stage {
            outcome: Outcome::Failed(Failure::new(reason, cause), None),
            took: Duration::ZERO,
        }
    }

    fn hint_for(f: &Findings, reason: Reason) -> String {
        for_reason(reason, f).unwrap_or_default()
    }

    #[test]
    fn a_dns_timeout_points_at_the_resolver_not_a_firewall() {
        let f = failed_at("redis://cache.example:6379", "dns", Reason::Timeout, "");
        let h = hint_for(&f, Reason::Timeout);
        assert!(
            h.contains("/etc/resolv.conf") && h.contains("getent hosts cache.example"),
            "{h}"
        );
        assert!(!h.contains("firewall"), "{h}");
        let f = failed_at("redis://10.0.0.1:6379", "tcp", Reason::Timeout, "");
        assert!(hint_for(&f, Reason::Timeout).contains("firewall"));
    }

    #[test]
    fn unix_socket_failures_name_the_socket_settings() {
        let url = "unix:///run/redis/redis.sock";
        let missing = failed_at(
            url,
            "tcp",
            Reason::Unreachable,
            "no socket at /run/redis/redis.sock: …",
        );
        assert!(hint_for(&missing, Reason::Unreachable).contains("unixsocket setting"));
        let mut denied = failed_at(url, "tcp", Reason::Unreachable, "the wording is not read");
        denied.tcp = Stage {
            outcome: Outcome::Failed(
                Failure::new(Reason::Unreachable, "the wording is not read")
                    .with_os(std::io::ErrorKind::PermissionDenied),
                None,
            ),
            took: Duration::ZERO,
        };
        assert!(hint_for(&denied, Reason::Unreachable).contains("unixsocketperm"));
        let refused = failed_at(url, "tcp", Reason::Refused, "");
        let h = hint_for(&refused, Reason::Refused);
        assert!(
            h.contains("/run/redis/redis.sock") && !h.contains("port"),
            "{h}"
        );
        let full = failed_at(url, "tcp", Reason::Timeout, "");
        let h = hint_for(&full, Reason::Timeout);
        assert!(h.contains("backlog") && !h.contains("firewall"), "{h}");
    }
}
