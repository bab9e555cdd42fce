//! Findings built by hand for unit tests of checks, hints and renderers.

use std::time::Duration;

use crate::probe::{Findings, Stage};
use crate::secret::Secret;
use crate::url::{PasswordSource, Target};

/// A stage that did not run.
pub fn not_reached<T>() -> Stage<T> {
    Stage::not_reached("not reached")
}

/// Findings for a parsed URL, every stage not reached, with an optional password from
/// outside it: tests set the stages they need.
pub fn findings(url: &str, outside: Option<PasswordSource>) -> Findings {
    let mut target = Target::parse(url).unwrap();
    if let Some(source) = outside {
        target.supply_password(Secret::new("pw"), source);
    }
    Findings {
        shown: target.to_string(),
        target: Some(target),
        url_error: None,
        url: not_reached(),
        dns: not_reached(),
        tcp: not_reached(),
        scheme: not_reached(),
        tls: not_reached(),
        auth: not_reached(),
        ping: not_reached(),
        info: not_reached(),
        config: not_reached(),
        ping_denied: None,
        cluster: not_reached(),
        keyspace: not_reached(),
        connections: not_reached(),
        pubsub: not_reached(),
        write: not_reached(),
        sentinel: not_reached(),
        at_sentinel: None,
        elapsed: Duration::ZERO,
    }
}

/// Findings built one stage at a time, for table tests of checks and snapshot tests of
/// renderers: [`Build::healthy`] is what the probe records for a healthy plaintext
/// Redis 7.0 (from a captured INFO), with fixed timings; tests change what they need.
pub struct Build(pub Findings);

impl Build {
    /// A healthy target at `url`: every stage done, the way the probe writes it.
    pub fn healthy(url: &str) -> Build {
        use crate::info::Info;
        use crate::probe::Speaks;
        use crate::probe::dns::DnsFacts;
        use crate::probe::pubsub::{Delivery, PubsubFacts};
        use crate::probe::session::AuthFacts;
        use crate::probe::tcp::{Attempt, TcpFacts};

        let us = Duration::from_micros;
        let mut f = findings(url, None);
        let t = f.target.clone().expect("a parsed target");
        // A host name resolves to 127.0.0.1, the way a hosts-file entry would.
        let literal: Option<std::net::IpAddr> = t.host().and_then(|h| h.as_str().parse().ok());
        let addr = std::net::SocketAddr::new(
            literal.unwrap_or(std::net::IpAddr::from([127, 0, 0, 1])),
            t.port().unwrap_or(6379),
        );
        f.url = Stage::done((), us(21));
        f.dns = Stage::done(
            DnsFacts {
                addrs: vec![addr],
                literal: literal.is_some(),
            },
            us(2),
        );
        f.tcp = Stage::done(
            TcpFacts {
                peer: addr.to_string(),
                attempts: vec![Attempt {
                    addr,
                    error: None,
                    took: us(180),
                }],
            },
            us(180),
        );
        f.scheme = Stage::done(Speaks::Resp, Duration::ZERO);
        f.tls = Stage::not_applicable("plaintext URL (redis://)");
        f.auth = Stage::done(
            AuthFacts {
                user: t.username.clone().unwrap_or_else(|| "default".into()),
                protocol: 3,
                hello: true,
                authenticated: t.password.is_some(),
                hello_fields: Vec::new(),
                notes: Vec::new(),
            },
            us(310),
        );
        f.ping = Stage::done(
            [20, 21, 19, 22, 20, 25, 21, 20, 19, 40].map(us).to_vec(),
            us(260),
        );
        f.info = Stage::done(
            Info::parse(include_str!("../../tests/fixtures/info/redis-7.0.txt")),
            us(420),
        );
        // Redis 7.0's defaults, as CONFIG GET answers them.
        f.config = Stage::done(
            crate::probe::session::ServerConfig {
                timeout: Some(0),
                tcp_keepalive: Some(300),
                output_buffer_limit: Some(
                    "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60".into(),
                ),
                maxmemory_clients: Some("0".into()),
            },
            us(150),
        );
        // The sample of the fixture's db0 (4 keys) and one other client, as the probe
        // records them.
        let keys: Vec<crate::keyspace::Key> = [
            (
                "cache:product:1001",
                crate::keyspace::KeyType::String,
                Some(3_599_000),
            ),
            ("cache:product:1002", crate::keyspace::KeyType::String, None),
            ("jobs:email", crate::keyspace::KeyType::List, None),
            ("counter:visits", crate::keyspace::KeyType::String, None),
        ]
        .into_iter()
        .map(|(name, kind, ttl_ms)| crate::keyspace::Key {
            name: name.into(),
            kind: Some(kind),
            ttl_ms,
            memory: None,
        })
        .collect();
        f.keyspace = Stage::done(
            crate::probe::keyspace::Sample {
                db: 0,
                dbsize: 4,
                analysis: crate::keyspace::analyse(&keys, 4),
                keys,
                stop: crate::probe::keyspace::Stop::Complete,
                covered: 1.0,
                total: 4,
                scans: 1,
                unreadable: 0,
                memory_note: None,
                took: us(120),
                busy: us(90),
                nodes: 1,
                all_primaries: false,
            },
            us(120),
        );
        f.connections = Stage::done(
            crate::probe::connections::ConnectionFacts {
                clients: crate::probe::connections::parse(
                    "id=7 addr=127.0.0.1:50412 laddr=127.0.0.1:6379 fd=9 name= age=120 idle=3 flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=1024 rbp=0 obl=0 oll=0 omem=0 tot-mem=1800 events=r cmd=get user=default redir=-1 resp=2\n",
                ),
            },
            us(80),
        );
        f.cluster = Stage::not_applicable("cluster mode is off");
        f.pubsub = Stage::done(
            PubsubFacts {
                channel: "redcheck:pubsub:0123456789abcdef".into(),
                protocol: 3,
                result: Delivery::Arrived {
                    delay: us(95),
                    receivers: 1,
                },
            },
            us(640),
        );
        f.write = Stage::not_asked("not part of this command");
        f.elapsed = Duration::from_millis(3);
        Build(f)
    }

    /// Replaces the INFO text.
    pub fn info(mut self, text: &str) -> Build {
        self.0.info = Stage::done(crate::info::Info::parse(text), Duration::from_micros(420));
        self
    }

    /// Applies any change to the findings.
    pub fn with(mut self, change: impl FnOnce(&mut Findings)) -> Build {
        change(&mut self.0);
        self
    }

    /// A TLS target: the port spoke TLS and the handshake recorded `facts`.
    pub fn tls(mut self, facts: crate::probe::tls::TlsFacts) -> Build {
        self.0.scheme = Stage::done(crate::probe::Speaks::Tls, Duration::from_micros(600));
        self.0.tls = Stage::done(facts, Duration::from_micros(2100));
        self
    }

    /// The findings.
    pub fn done(self) -> Findings {
        self.0
    }
}

/// Certificates minted with rcgen from fixed Ed25519 keys, serials and dates, so their DER
/// and fingerprints are the same on every run; `days_left` is the test's, since the real
/// count depends on today.
pub mod certs {
    use rcgen::{
        BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, SanType, SerialNumber,
        date_time_ymd,
    };
    use rustls::pki_types::CertificateDer;

    use crate::probe::tls::TlsFacts;
    use crate::trust::TrustSource;
    use crate::x509::CertInfo;

    // Throwaway keys for tests alone (`openssl genpkey -algorithm ed25519`).
    const CA_KEY: &str = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIJbiQ6gWvNLvW48FXKmt9PtziU9g/6XlEHttdISk8j0Y\n-----END PRIVATE KEY-----\n";
    const LEAF_KEY: &str = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEILguQJ/bFRqwcKOkd0Zlk/daLdyY8vgARzyJLjhGJlWQ\n-----END PRIVATE KEY-----\n";

    /// One minted certificate: what redcheck reads from it, and its DER.
    pub struct Minted {
        /// As parsed by `CertInfo::from_der`, with `days_left` set.
        pub info: CertInfo,
        /// The encoding.
        pub der: CertificateDer<'static>,
        params: CertificateParams,
        key: KeyPair,
    }

    /// A CA named `cn`, self-signed.
    pub fn ca(cn: &str, days_left: i64) -> Minted {
        mint(cn, &[], true, None, days_left)
    }

    /// A server certificate for `sans`, signed by `by` or by itself.
    pub fn leaf(cn: &str, sans: &[&str], by: Option<&Minted>, days_left: i64) -> Minted {
        mint(cn, sans, false, by, days_left)
    }

    fn mint(cn: &str, sans: &[&str], ca: bool, by: Option<&Minted>, days_left: i64) -> Minted {
        let mut params = CertificateParams::default();
        params.distinguished_name.push(DnType::CommonName, cn);
        params.subject_alt_names = sans
            .iter()
            .map(|s| match s.parse() {
                Ok(ip) => SanType::IpAddress(ip),
                Err(_) => SanType::DnsName((*s).try_into().expect("a DNS name")),
            })
            .collect();
        params.is_ca = if ca {
            IsCa::Ca(BasicConstraints::Unconstrained)
        } else {
            IsCa::ExplicitNoCa
        };
        params.serial_number = Some(SerialNumber::from(if ca { 1u64 } else { 2 }));
        params.not_before = date_time_ymd(2025, 1, 1);
        params.not_after = date_time_ymd(if ca { 2035 } else { 2027 }, 1, 1);
        let key = KeyPair::from_pem(if ca { CA_KEY } else { LEAF_KEY }).expect("a key");
        let cert = match by {
            None => params.self_signed(&key),
            Some(issuer) => {
                params.signed_by(&key, &Issuer::from_params(&issuer.params, &issuer.key))
            }
        }
        .expect("a certificate");
        let der = cert.der().clone();
        let mut info = CertInfo::from_der(&der).expect("X.509");
        info.days_left = days_left;
        info.days_expired = 0;
        Minted {
            info,
            der,
            params,
            key,
        }
    }

    /// What a TLS 1.3 handshake with `server_name` records for `chain` under `trust`.
    pub fn facts(
        server_name: &str,
        chain: &[&Minted],
        trust: TrustSource,
        verification: Result<(), crate::failure::Failure>,
    ) -> TlsFacts {
        TlsFacts {
            version: "TLS 1.3".into(),
            cipher: "TLS13_AES_256_GCM_SHA384".into(),
            alpn: None,
            server_name: server_name.into(),
            chain: chain.iter().map(|c| c.info.clone()).collect(),
            chain_der: chain.iter().map(|c| c.der.clone()).collect(),
            trust,
            roots: if trust == TrustSource::CustomCa {
                1
            } else {
                146
            },
            fallback_note: None,
            verification,
            client_cert_requested: false,
            client_cert: None,
            issuers_in_store: Vec::new(),
            leaf_in_store: false,
            server_suites: None,
        }
    }
}
