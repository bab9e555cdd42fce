//! Classified target failures: a stable reason code and the cause as observed.
//!
//! These are data, not errors: the runner records them and carries on with the report.

use serde::Serialize;

/// Defines [`Reason`] with its stable code, so the enum and the strings cannot drift apart.
macro_rules! reasons {
    ($($(#[doc = $doc:literal])* $variant:ident => $code:literal,)*) => {
        /// Why a stage failed; the `data.reason` of a failed check in the JSON contract.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Reason {
            $($(#[doc = $doc])* $variant,)*
        }

        impl Reason {
            /// Every reason, for documentation tests.
            #[cfg(test)]
            pub const ALL: &[Reason] = &[$(Reason::$variant),*];

            /// The code as it appears in JSON.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Reason::$variant => $code,)*
                }
            }
        }
    };
}

reasons! {
    /// The URL cannot be parsed.
    InvalidUrl => "invalid-url",
    /// The scheme is not a Redis one.
    UnsupportedScheme => "unsupported-scheme",
    /// The host name did not resolve.
    DnsFailed => "dns-failed",
    /// Every address refused the connection.
    Refused => "refused",
    /// Something did not answer in time.
    Timeout => "timeout",
    /// No route to the host or network.
    Unreachable => "unreachable",
    /// `redis://` at a port that speaks TLS.
    TlsExpected => "tls-expected",
    /// `rediss://` at a port that speaks plaintext.
    PlaintextExpected => "plaintext-expected",
    /// The chain does not lead to a trusted root.
    UnknownIssuer => "unknown-issuer",
    /// The server's certificate is its own issuer.
    SelfSigned => "self-signed",
    /// The certificate is for other names.
    HostnameMismatch => "hostname-mismatch",
    /// The certificate has expired.
    Expired => "expired",
    /// The certificate is not valid yet.
    NotYetValid => "not-yet-valid",
    /// The server demands a client certificate.
    ClientCertRequired => "client-cert-required",
    /// Any other TLS failure.
    TlsHandshake => "tls-handshake",
    /// A CA certificate (`CA:TRUE`) serves as the server's own certificate.
    CaUsedAsLeaf => "ca-used-as-leaf",
    /// The certificate has no subjectAltName: its name is only in the CN, which clients ignore.
    NoSan => "no-san",
    /// The server does not send the intermediate CA between its certificate and the root.
    IncompleteChain => "incomplete-chain",
    /// A certificate no client should accept: bad signature, unusable algorithm or extension.
    BadCertificate => "bad-certificate",
    /// The server offers no cipher suite redcheck (rustls) speaks.
    NoCommonCipher => "no-common-cipher",
    /// The server refused the client certificate we sent.
    ClientCertRejected => "client-cert-rejected",
    /// The connection was reset.
    Reset => "reset",
    /// The server closed the connection.
    Closed => "closed",
    /// The server's bytes were not RESP or not the expected reply.
    Protocol => "protocol",
    /// `-DENIED`: protected mode.
    ProtectedMode => "protected-mode",
    /// `-ERR max number of clients reached`.
    MaxClients => "max-clients",
    /// `-LOADING`: the dataset is being loaded.
    Loading => "loading",
    /// `-BUSY`: a script or function has run past its time limit.
    Busy => "busy",
    /// `-NOAUTH`: a password is required.
    Noauth => "noauth",
    /// `-WRONGPASS` or `invalid password`.
    Wrongpass => "wrongpass",
    /// A password was given for a server that has none.
    NoPasswordSet => "no-password-set",
    /// `-NOPERM`: the ACL user may not run a command.
    Noperm => "noperm",
    /// A user name sent to a server whose AUTH takes only a password (Redis < 6).
    AuthArity => "auth-arity",
    /// `SELECT` refused the database number.
    InvalidDb => "invalid-db",
    /// The cluster reports a failed state.
    ClusterDown => "cluster-down",
    /// A cluster node is unreachable.
    NodeUnreachable => "node-unreachable",
    /// `-READONLY`: a replica.
    Readonly => "readonly",
    /// `-OOM`: maxmemory reached under noeviction.
    Oom => "oom",
    /// `-MISCONF`: persistence failing, writes refused.
    Misconf => "misconf",
    /// `-MOVED`: a cluster endpoint for a non-cluster client.
    Moved => "moved",
    /// A threshold was crossed (memory, clients, expiry…).
    Threshold => "threshold",
    /// The server's replication link is down.
    MasterLinkDown => "master-link-down",
    /// A published message never arrived.
    PubsubLost => "pubsub-lost",
    /// The eviction policy can drop data the workload (`--use`) must keep.
    EvictionPolicy => "eviction-policy",
    /// No Sentinel of the URL answered.
    SentinelUnreachable => "sentinel-unreachable",
    /// No Sentinel monitors a master of that name.
    UnknownMaster => "unknown-master",
    /// The master address the Sentinels announce cannot be reached from here.
    AnnouncedUnreachable => "announced-unreachable",
    /// The node the Sentinels announce as master says it is a replica.
    NotMaster => "not-master",
    /// A plain URL reached a Sentinel, which holds no data.
    SentinelNotDataNode => "sentinel-not-data-node",
}

impl Serialize for Reason {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// A classified failure: reason code and the cause as seen on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// Stable reason code.
    pub reason: Reason,
    /// What happened, in one line (never containing a password).
    pub cause: String,
    /// Whether the cause is the server's own error reply (a Redis that refused), rather
    /// than something observed on the wire.
    pub from_server: bool,
    /// The operating system's error behind it, when hints depend on it (a socket file the
    /// user may not open), so that no hint reads the cause's wording.
    pub os: Option<std::io::ErrorKind>,
}

impl Failure {
    /// A failure with its cause.
    pub fn new(reason: Reason, cause: impl Into<String>) -> Self {
        Self {
            reason,
            cause: cause.into(),
            from_server: false,
            os: None,
        }
    }

    /// The same failure, noting the operating system's error behind it.
    pub fn with_os(self, kind: std::io::ErrorKind) -> Self {
        Self {
            os: Some(kind),
            ..self
        }
    }

    /// A failure whose cause is the server's error reply.
    pub fn from_server(reason: Reason, cause: impl Into<String>) -> Self {
        Self {
            from_server: true,
            ..Self::new(reason, cause)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_kebab_case_and_documented_in_the_readme() {
        let readme = include_str!("../README.md");
        let mut seen = std::collections::HashSet::new();
        for r in Reason::ALL {
            let code = r.as_str();
            assert!(seen.insert(code), "duplicate code {code}");
            assert!(
                code.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'),
                "{code}"
            );
            assert!(
                readme.contains(&format!("`{code}`")),
                "README does not document reason `{code}`"
            );
            assert_eq!(
                serde_json::to_value(r).ok(),
                Some(serde_json::Value::String(code.into()))
            );
        }
    }
}
