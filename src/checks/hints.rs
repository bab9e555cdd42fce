//! What to do about each failure reason: the one place for fix wording.

use crate::failure::{Failure, Reason};
use crate::probe::{Findings, Outcome};
use crate::provider::{self, Provider};
use crate::secret::MASK;
use crate::url::{Endpoint, Target};

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

/// The cause the connect stage failed with.
fn tcp_cause(f: &Findings) -> Option<&str> {
    match &f.tcp.outcome {
        Outcome::Failed(failure, _) => Some(&failure.cause),
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
            match tcp_cause(f) {
                Some(c) if c.contains("permission denied") => format!(
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
        Reason::Refused => format!(
            "nothing listens on {host_port}: check the port and that the server runs{}",
            p.map(|p| format!(" ({}: {})", p.name, p.note)).unwrap_or_default()
        ),
        Reason::Timeout => match f.tcp.facts() {
            None => format!(
                "packets to {host_port} are dropped: a firewall, security group or VPC boundary{}; try from a host in the same network",
                p.filter(|p| p.name.contains("ElastiCache")).map(|_| " (ElastiCache is reachable only from inside its VPC)").unwrap_or_default()
            ),
            Some(_) => "the server accepted the connection but did not answer in time: it may be overloaded or blocked (a long-running command, a full backlog); raise --timeout to tell slow from stuck".into(),
        },
        Reason::Unreachable => "no route to the host: check the VPN, VPC peering or network policy between you and the server".into(),
        Reason::TlsExpected => {
            let url = t.map(|t| t.redacted_with(true, None)).unwrap_or_default();
            let extra = p
                .and_then(|p| p.tls_port.map(|port| format!(" ({} serves TLS on port {port})", p.name)))
                .unwrap_or_default();
            format!("the port speaks TLS: use {url}{extra}")
        }
        Reason::PlaintextExpected => {
            let plain = t.map(|t| t.redacted_with(false, None)).unwrap_or_default();
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
        Reason::UnknownIssuer => {
            let advice = p.map_or("get the CA certificate that signed the server's certificate from its operator", |p| p.ca_advice);
            format!("{advice}; then redcheck --cacert ca.pem … (redcheck tls --save-chain chain.pem shows what the server sends)")
        }
        Reason::SelfSigned => "trust that certificate explicitly (redcheck tls --save-chain cert.pem, then --cacert cert.pem) or, knowing the risk, --insecure".into(),
        Reason::HostnameMismatch => "connect by one of the names the certificate lists, or through a tunnel keep the real name with --sni NAME".into(),
        Reason::Expired => "the server's certificate must be renewed; if it looks current, check this machine's clock (date -u)".into(),
        Reason::NotYetValid => "check this machine's clock (date -u); a freshly issued certificate may also be dated ahead".into(),
        Reason::ClientCertRequired => "the server verifies clients: pass --cert client.pem --key client-key.pem (the client certificate and key it trusts)".into(),
        Reason::TlsHandshake => "run redcheck tls URL for the whole handshake report".into(),
        Reason::Reset | Reason::Closed => {
            let tls_hint = t.filter(|t| !t.tls).map(|t| format!("; if the server expects TLS, try {}", t.redacted_with(true, None)));
            format!("the server dropped the connection: check its log (maxclients, protected mode, a proxy){}", tls_hint.unwrap_or_default())
        }
        Reason::Protocol => "the port does not speak Redis as expected: check the port, and that no proxy (HTTP, TLS terminator) sits in between".into(),
        Reason::ProtectedMode => "the server refuses remote clients without a password: on the server set requirepass (or an ACL user), or bind it to the right interface with protected-mode no behind a firewall".into(),
        Reason::MaxClients => "every connection slot is taken: create one client or pool per process and reuse it, close idle clients (CLIENT LIST), or raise maxclients / the plan's limit".into(),
        Reason::Loading => "the server is loading its dataset after a restart: wait (redcheck wait URL) and retry".into(),
        Reason::Busy => "a script or function is running too long and blocks the server: stop it (SCRIPT KILL / FUNCTION KILL) or wait for it, and find it in SLOWLOG GET".into(),
        Reason::Noauth => format!(
            "the server needs a password: put it in the URL (redis://:{MASK}@{host_port}) or, safer, in REDISCLI_AUTH / --password-file"
        ),
        Reason::Wrongpass => "check the password: percent-encode @ : / ? # % in the URL, strip a trailing newline from the secret, and for an ACL user give the user name too (redis://user:****@host)".into(),
        Reason::NoPasswordSet => {
            let without = t.map(|t| {
                let mut t: Target = t.clone();
                t.password = None;
                t.to_string()
            });
            format!(
                "the server has no password, and clients that send AUTH will fail: drop it from the URL ({}) or set requirepass on the server",
                without.unwrap_or_default()
            )
        }
        Reason::Noperm => "the ACL user lacks a permission: grant it (ACL SETUSER name +@connection +info …) or use another user".into(),
        Reason::AuthArity => format!("Redis before 6 has no ACL users and AUTH takes only a password: drop the user name (redis://:{MASK}@{host_port})"),
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
        Reason::Threshold | Reason::EvictionPolicy => return None,
    };
    Some(text)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::probe::Stage;

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

    fn hint(f: &Findings, reason: Reason) -> String {
        for_reason(reason, f).unwrap_or_default()
    }

    #[test]
    fn a_dns_timeout_points_at_the_resolver_not_a_firewall() {
        let f = failed_at("redis://cache.example:6379", "dns", Reason::Timeout, "");
        let h = hint(&f, Reason::Timeout);
        assert!(
            h.contains("/etc/resolv.conf") && h.contains("getent hosts cache.example"),
            "{h}"
        );
        assert!(!h.contains("firewall"), "{h}");
        let f = failed_at("redis://10.0.0.1:6379", "tcp", Reason::Timeout, "");
        assert!(hint(&f, Reason::Timeout).contains("firewall"));
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
        assert!(hint(&missing, Reason::Unreachable).contains("unixsocket setting"));
        let denied = failed_at(
            url,
            "tcp",
            Reason::Unreachable,
            "/run/redis/redis.sock: permission denied: …",
        );
        assert!(hint(&denied, Reason::Unreachable).contains("unixsocketperm"));
        let refused = failed_at(url, "tcp", Reason::Refused, "");
        let h = hint(&refused, Reason::Refused);
        assert!(
            h.contains("/run/redis/redis.sock") && !h.contains("port"),
            "{h}"
        );
        let full = failed_at(url, "tcp", Reason::Timeout, "");
        let h = hint(&full, Reason::Timeout);
        assert!(h.contains("backlog") && !h.contains("firewall"), "{h}");
    }
}
