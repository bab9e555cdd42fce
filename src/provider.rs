//! Managed Redis providers recognised by host or port, and what to tell their users.
//! The one table of provider knowledge; hints read from it.

/// What we know about a provider.
#[derive(Debug, PartialEq, Eq)]
pub struct Provider {
    /// Display name.
    pub name: &'static str,
    /// Host suffixes that identify it (lower case).
    suffixes: &'static [&'static str],
    /// Port that identifies it when the host does not.
    port: Option<u16>,
    /// Port it serves TLS on, when that differs from plaintext.
    pub tls_port: Option<u16>,
    /// Whether it only accepts TLS.
    pub tls_only: bool,
    /// Where to get the CA certificate to trust.
    pub ca_advice: &'static str,
    /// Anything else a user of it should know.
    pub note: &'static str,
    /// The idle timeout it documents, for when CONFIG GET cannot read the server's own.
    pub idle_timeout: Option<IdleTimeout>,
}

/// A provider's documented idle timeout: the figure, and what closes the connection.
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
pub struct IdleTimeout {
    /// Seconds a connection may stay idle.
    pub seconds: u64,
    /// What the documentation says about it, in a few words.
    pub what: &'static str,
}

/// Every provider we recognise.
pub const PROVIDERS: &[Provider] = &[
    Provider {
        name: "AWS ElastiCache",
        suffixes: &[".cache.amazonaws.com"],
        port: None,
        tls_port: None,
        tls_only: false,
        ca_advice: "ElastiCache certificates chain to Amazon's public roots: install ca-certificates in the image",
        idle_timeout: None,
        note: "TLS is on when in-transit encryption is enabled (same port); CONFIG is blocked; a clustercfg. host is a cluster endpoint and needs a cluster-aware client; it is reachable only from inside its VPC",
    },
    Provider {
        name: "Azure Cache for Redis",
        suffixes: &[".redis.cache.windows.net"],
        port: None,
        tls_port: Some(6380),
        tls_only: true,
        ca_advice: "Azure certificates chain to public roots (DigiCert): install ca-certificates in the image",
        // "Azure Cache for Redis has a 10-minute timeout for idle connections": Microsoft Learn,
        // azure-cache-for-redis/cache-best-practices-connection, section "Idle timeout".
        idle_timeout: Some(IdleTimeout {
            seconds: 600,
            what: "documented: a 10-minute timeout for idle connections",
        }),
        note: "TLS on 6380; the plaintext port 6379 is disabled by default; idle connections are closed after ~10 minutes",
    },
    Provider {
        name: "Azure Managed Redis / Enterprise",
        suffixes: &[".redisenterprise.cache.azure.net", ".redis.azure.net"],
        port: None,
        tls_port: Some(10000),
        tls_only: true,
        ca_advice: "Azure certificates chain to public roots: install ca-certificates in the image",
        idle_timeout: None,
        note: "TLS on port 10000",
    },
    Provider {
        name: "Upstash",
        suffixes: &[".upstash.io"],
        port: None,
        tls_port: None,
        tls_only: true,
        ca_advice: "Upstash certificates chain to public roots: install ca-certificates in the image",
        idle_timeout: None,
        note: "TLS is required: use rediss://",
    },
    Provider {
        name: "DigitalOcean Managed Redis",
        suffixes: &[".db.ondigitalocean.com"],
        port: None,
        tls_port: Some(25061),
        tls_only: true,
        ca_advice: "download the CA certificate from the database's Overview page in the control panel and pass it with --cacert",
        idle_timeout: None,
        note: "TLS on port 25061",
    },
    Provider {
        name: "Redis Cloud",
        suffixes: &[".redis-cloud.com", ".redislabs.com", ".rlrcp.com"],
        port: None,
        tls_port: None,
        tls_only: false,
        ca_advice: "download the Redis Cloud CA bundle (redis_ca.pem) from the database's Security settings in the console and pass it with --cacert",
        idle_timeout: None,
        note: "TLS is opt-in per database, on the same port",
    },
    Provider {
        name: "Aiven for Valkey/Redis",
        suffixes: &[".aivencloud.com"],
        port: None,
        tls_port: None,
        tls_only: true,
        ca_advice: "download the project CA (ca.pem) from the service's Overview page and pass it with --cacert",
        idle_timeout: None,
        note: "TLS is required",
    },
    Provider {
        name: "Heroku Redis",
        suffixes: &[".compute-1.amazonaws.com", ".compute.amazonaws.com"],
        port: None,
        tls_port: None,
        tls_only: false,
        ca_advice: "Heroku Redis uses a self-signed certificate; Heroku documents turning verification off (ssl_cert_reqs=none / rejectUnauthorized: false): use --insecure knowingly",
        // Heroku's help article TLWJY0PU ("Connections to external systems are timing out")
        // lists "Redis - 300 seconds"; Heroku Dev Center, heroku-redis, "Configuring Your
        // Instance": the idle `timeout` is set with `heroku redis:timeout`.
        idle_timeout: Some(IdleTimeout {
            seconds: 300,
            what: "documented: idle connections time out after 300 s unless changed with heroku redis:timeout",
        }),
        note: "the URL changes when Heroku rotates credentials: read REDIS_TLS_URL / REDIS_URL at start-up",
    },
    Provider {
        name: "GCP Memorystore",
        suffixes: &[],
        port: Some(6378),
        tls_port: Some(6378),
        tls_only: true,
        ca_advice: "download the server CA from the console (or gcloud redis instances describe … --format='get(serverCaCerts)') and pass it with --cacert; its certificate names the instance's IP address, so connect by IP",
        idle_timeout: None,
        note: "in-transit encryption serves TLS on port 6378",
    },
    Provider {
        name: "a Kubernetes service",
        suffixes: &[".svc", ".svc.cluster.local"],
        port: None,
        tls_port: None,
        tls_only: false,
        ca_advice: "operators (KubeBlocks, Bitnami…) keep the CA in a Secret: kubectl get secret … -o jsonpath='{.data.ca\\.crt}' | base64 -d > ca.pem, then --cacert ca.pem",
        idle_timeout: None,
        note: "from another namespace use <service>.<namespace>.svc.cluster.local; a bare service name only resolves inside the same namespace",
    },
];

/// The provider a host and port belong to, if any. A port alone says nothing about a
/// loopback host: that is a local server or a tunnel, never the provider itself.
pub fn detect(host: &str, port: u16) -> Option<&'static Provider> {
    let host = host.to_ascii_lowercase();
    let host = host.trim_end_matches('.');
    let loopback = host == "localhost"
        || host.ends_with(".localhost")
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    PROVIDERS
        .iter()
        .find(|p| p.suffixes.iter().any(|s| host.ends_with(s)))
        .or_else(|| PROVIDERS.iter().find(|p| !loopback && p.port == Some(port)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_idle_timeouts() {
        let azure = detect("contoso.redis.cache.windows.net", 6380).unwrap();
        assert_eq!(azure.idle_timeout.map(|t| t.seconds), Some(600));
        let heroku = detect("ec2-1-2-3-4.compute-1.amazonaws.com", 12345).unwrap();
        assert_eq!(heroku.idle_timeout.map(|t| t.seconds), Some(300));
        let upstash = detect("x.upstash.io", 6379).unwrap();
        assert_eq!(upstash.idle_timeout, None);
    }

    #[test]
    fn recognises_hosts_and_ports() {
        let cases = [
            (
                "my-cache.abc123.ng.0001.use1.cache.amazonaws.com",
                6379,
                Some("AWS ElastiCache"),
            ),
            (
                "contoso.redis.cache.windows.net",
                6380,
                Some("Azure Cache for Redis"),
            ),
            ("eu1-lasting-cat-123.upstash.io", 6379, Some("Upstash")),
            (
                "db-redis-fra1-123-do-user-1-0.b.db.ondigitalocean.com",
                25061,
                Some("DigitalOcean Managed Redis"),
            ),
            (
                "redis-12345.c1.us-east-1-2.ec2.redns.redis-cloud.com",
                12345,
                Some("Redis Cloud"),
            ),
            (
                "redis-abc.aivencloud.com",
                12691,
                Some("Aiven for Valkey/Redis"),
            ),
            ("10.0.0.3", 6378, Some("GCP Memorystore")),
            (
                "redis.cache.svc.cluster.local",
                6379,
                Some("a Kubernetes service"),
            ),
            ("REDIS.default.SVC.", 6379, Some("a Kubernetes service")),
            ("localhost", 6379, None),
            ("127.0.0.1", 6378, None),
            ("::1", 6378, None),
            ("localhost", 6378, None),
        ];
        for (host, port, want) in cases {
            assert_eq!(detect(host, port).map(|p| p.name), want, "{host}:{port}");
        }
    }
}
