//! Runs the stages in order under one deadline and records what each found.
//!
//! Stages never print; a failing stage marks the stages that depend on it as skipped.

mod classify;
pub mod cluster;
pub mod connections;
pub mod dns;
pub mod extras;
pub mod eyeballs;
mod findings;
mod follow;
pub mod idle;
pub mod keyspace;
pub mod pipeline;
mod pool;
mod prepare;
pub mod pubsub;
pub mod reach;
pub mod sampler;
pub mod sentinel;
pub mod session;
pub mod tcp;
pub mod tls;
#[cfg(unix)]
pub mod unix;
pub mod write;

use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use crate::config::CheckConfig;
use crate::conn::{Connection, Transport};
use crate::deadline::Deadline;
use crate::failure::{Failure, Reason};
use crate::info::Info;
use crate::trust::Roots;
use crate::url::{Endpoint, Target, UrlError};

use self::classify::{record_session_error, wire_failure};
pub use self::findings::{Findings, Outcome, Prepared, SkipCause, Speaks, Stage, StageId};
pub use self::prepare::{prepare, probe_all, probe_all_then};

use self::session::{InfoError, SessionError};
use self::tcp::TcpFacts;
use self::tls::HandshakeError;

use self::eyeballs::PlainProbe;

/// What every stage of one target's probe shares: its settings, its trust roots, the one
/// deadline every connect, read and write takes its bound from, and who is told as each stage
/// starts (the spinner).
#[derive(Clone, Copy)]
pub struct ProbeCtx<'a> {
    /// The target's settings.
    pub cfg: &'a CheckConfig,
    /// Trust roots, when the target uses TLS.
    pub roots: Option<&'a Roots>,
    /// The deadline of the whole probe.
    pub deadline: Deadline,
    /// Told each stage's name as it starts.
    pub on_stage: &'a (dyn Fn(&'static str) + Sync),
}

/// Runs every stage for one target. `on_stage` is told each stage's name as it starts.
pub fn run(
    prep: &Prepared,
    cfg: &CheckConfig,
    on_stage: &(dyn Fn(&'static str) + Sync),
) -> Findings {
    run_open(prep, cfg, on_stage).0
}

/// Runs every stage and hands back the authenticated connection, when there is one.
pub fn run_open(
    prep: &Prepared,
    cfg: &CheckConfig,
    on_stage: &(dyn Fn(&'static str) + Sync),
) -> (Findings, Option<Connection>) {
    let start = Instant::now();
    let ctx = ProbeCtx {
        cfg,
        roots: prep.roots.as_ref(),
        deadline: Deadline::after(cfg.timeout),
        on_stage,
    };
    let mut f = Findings::new(prep.shown.clone());
    let mut conn = None;
    on_stage("url");
    match &prep.target {
        Ok(t) => {
            f.target = Some(t.clone());
            f.url = Stage::done((), start.elapsed());
            conn = match &t.sentinel {
                Some(spec) => follow::follow_sentinels(&mut f, spec, t, ctx),
                None => probe_target(&mut f, t, ctx),
            };
        }
        Err(e) => {
            let reason = match e {
                UrlError::UnsupportedScheme(_) => Reason::UnsupportedScheme,
                UrlError::Invalid(_) | UrlError::Ambiguous { .. } => Reason::InvalidUrl,
            };
            f.url = Stage::failed(Failure::new(reason, e.to_string()), start.elapsed());
            f.url_error = Some(e.clone());
            f.skip_from(StageId::Dns, "the URL could not be used");
        }
    }
    f.elapsed = start.elapsed();
    (f, conn)
}

fn probe_target(f: &mut Findings, t: &Target, ctx: ProbeCtx<'_>) -> Option<Connection> {
    let ProbeCtx {
        cfg,
        deadline,
        on_stage,
        ..
    } = ctx;
    let transport = match &t.endpoint {
        #[cfg(unix)]
        Endpoint::Unix(path) => {
            f.dns = Stage::not_applicable("Unix socket");
            on_stage("tcp");
            let started = Instant::now();
            match unix::connect(path, cfg.connect_timeout, deadline) {
                Ok(s) => {
                    let peer = path.display().to_string();
                    f.tcp = Stage::done(
                        TcpFacts {
                            peer,
                            attempts: Vec::new(),
                        },
                        started.elapsed(),
                    );
                    f.tls = Stage::not_applicable("Unix socket");
                    Transport::Unix(s)
                }
                Err(failure) => {
                    f.tcp = Stage::failed(failure, started.elapsed());
                    f.skip_from(StageId::Scheme, "could not connect");
                    return None;
                }
            }
        }
        #[cfg(not(unix))]
        Endpoint::Unix(_) => {
            f.tcp = Stage::failed(
                Failure::new(Reason::Unreachable, "Unix sockets are not supported here"),
                Duration::ZERO,
            );
            f.skip_from(StageId::Scheme, "could not connect");
            return None;
        }
        Endpoint::Tcp { host, port } => {
            on_stage("dns");
            let started = Instant::now();
            let addrs = match dns::resolve(host, *port, deadline) {
                Ok(facts) => {
                    let addrs = facts.addrs.clone();
                    f.dns = Stage::done(facts, started.elapsed());
                    addrs
                }
                Err(failure) => {
                    f.dns = Stage::failed(failure, started.elapsed());
                    f.skip_from(StageId::Tcp, "the host did not resolve");
                    return None;
                }
            };
            on_stage("tcp");
            let started = Instant::now();
            let (sock, facts) = match tcp::connect(&addrs, cfg.connect_timeout, deadline) {
                Ok(ok) => ok,
                Err((failure, attempts)) => {
                    f.tcp = Stage {
                        outcome: Outcome::Failed(
                            failure,
                            Some(Box::new(TcpFacts {
                                peer: String::new(),
                                attempts,
                            })),
                        ),
                        took: started.elapsed(),
                    };
                    f.skip_from(StageId::Scheme, "could not connect");
                    return None;
                }
            };
            let addr = facts.attempts.last().map_or(addrs[0], |a| a.addr);
            f.tcp = Stage::done(facts, started.elapsed());
            if t.tls {
                on_stage("tls");
                handshake(f, t, host.as_str().as_str(), addr, sock, ctx)?
            } else {
                f.tls = Stage::not_applicable("plaintext URL (redis://)");
                Transport::Plain(sock)
            }
        }
    };
    if cfg.handshake_only {
        f.skip_from(StageId::Auth, "handshake only (redcheck tls)");
        return None;
    }
    session(f, t, transport, ctx)
}

fn handshake(
    f: &mut Findings,
    t: &Target,
    host: &str,
    addr: SocketAddr,
    sock: TcpStream,
    ctx: ProbeCtx<'_>,
) -> Option<Transport> {
    let ProbeCtx {
        cfg,
        roots,
        deadline,
        ..
    } = ctx;
    let started = Instant::now();
    let settings = reach::tls_settings(t, roots, cfg);
    let connect = f
        .tcp
        .facts()
        .and_then(|tcp| tcp.attempts.last())
        .map_or(Duration::ZERO, |a| a.took);
    let probe = PlainProbe::new(addr, deadline, connect);
    match tls::handshake(sock, host, &settings, deadline, Some(&probe)) {
        Ok((stream, facts)) => {
            f.scheme = Stage::done(Speaks::Tls, Duration::ZERO);
            f.tls = Stage::done(facts, started.elapsed());
            Some(Transport::Tls(Box::new(stream)))
        }
        Err(HandshakeError::NotTls {
            cause,
            resp: Some(resp),
        }) => {
            f.scheme = Stage::failed(
                Failure::new(
                    Reason::PlaintextExpected,
                    format!("{cause}; a plaintext PING on the same port got '{resp}'"),
                ),
                started.elapsed(),
            );
            f.skip_from(StageId::Tls, "the port speaks plaintext");
            None
        }
        Err(HandshakeError::NotTls { cause, resp: None }) => {
            f.scheme = Stage::not_applicable("the port answered neither TLS nor RESP");
            f.tls = Stage::failed(Failure::new(Reason::TlsHandshake, cause), started.elapsed());
            f.skip_from(StageId::Auth, "no TLS session");
            None
        }
        Err(HandshakeError::Failed(failure, facts)) => {
            if failure.reason != Reason::Timeout {
                f.scheme = Stage::done(Speaks::Tls, Duration::ZERO);
            }
            f.tls = Stage {
                outcome: Outcome::Failed(failure, facts),
                took: started.elapsed(),
            };
            f.skip_from(StageId::Auth, "no TLS session");
            None
        }
    }
}

fn session(
    f: &mut Findings,
    t: &Target,
    transport: Transport,
    ctx: ProbeCtx<'_>,
) -> Option<Connection> {
    let ProbeCtx {
        cfg,
        roots,
        deadline,
        on_stage,
    } = ctx;
    let tls = matches!(transport, Transport::Tls(_));
    let mut conn = Connection::new(transport, deadline);
    on_stage("auth");
    let started = Instant::now();
    // A failed write shows again, and is judged, at authenticate's first command.
    let _ = conn.send_ahead(&pipeline::first_flight(t, cfg));
    // Over a slow TLS path the pub/sub subscriber connects and shakes hands while this
    // connection logs in (it sends nothing before it is told to go, below).
    let mut subscriber = (cfg.extras.pubsub && tls && pipeline::overlap(f.tls.took))
        .then(|| pipeline::Subscriber::start(f, t, roots, cfg, deadline, extras::channel()))
        .flatten();
    match session::authenticate(&mut conn, t) {
        Ok(facts) => {
            if !tls && matches!(t.endpoint, Endpoint::Tcp { .. }) {
                f.scheme = Stage::done(Speaks::Resp, Duration::ZERO);
            }
            f.auth = Stage::done(facts, started.elapsed());
        }
        Err(e) => {
            if !tls
                && matches!(t.endpoint, Endpoint::Tcp { .. })
                && !matches!(e, SessionError::Wire(_))
            {
                f.scheme = Stage::done(Speaks::Resp, Duration::ZERO);
            }
            record_session_error(f, t, e, started, deadline, StageId::Auth);
            return None;
        }
    }
    // INFO, CONFIG GET and the sample's first SCAN came with the login's replies: keep them
    // for the stages after the PING samples. A server without HELLO took another path, which
    // dropped them: ask again. A failed read shows again, and is judged, at the first PING.
    if !conn.has_flight() {
        let _ = conn.send_ahead(&pipeline::introspection(cfg));
    }
    let _ = conn.park_flight();
    on_stage("ping");
    let started = Instant::now();
    let mut refused = None;
    // Over a slow path the subscriber logs in and subscribes while PING is sampled, once this
    // connection has shown a healthy server: after the first PONG (a server that fails PING
    // never sees a second login, and a hostile one cannot make both connections hold its
    // replies), or right after the login when a single sample leaves nothing to overlap with.
    // Over a fast path it opens after the samples, which its handshake and login would disturb.
    if subscriber.is_none() && cfg.extras.pubsub && pipeline::overlap(f.auth.took) {
        subscriber = pipeline::Subscriber::start(f, t, roots, cfg, deadline, extras::channel());
    }
    if cfg.samples <= 1
        && let Some(s) = subscriber.as_mut()
    {
        s.go();
    }
    let pinged = pipeline::ping_then(&mut conn, cfg.samples, || {
        if let Some(s) = subscriber.as_mut() {
            s.go();
        }
    });
    match pinged {
        Ok(samples) => f.ping = Stage::done(samples, started.elapsed()),
        // The ACL forbids PING: the connection works, so time it another way and go on.
        Err(SessionError::Server(fl)) if fl.reason == Reason::Noperm => {
            match session::ping_denied(&mut conn, cfg.samples, fl.cause) {
                Ok((samples, denied)) => {
                    f.ping = Stage::done(samples, started.elapsed());
                    f.ping_denied = Some(denied);
                }
                Err(e) => {
                    record_session_error(f, t, e, started, deadline, StageId::Ping);
                    return None;
                }
            }
        }
        Err(e) => {
            if let SessionError::Server(fl) = &e {
                refused = Some(fl.reason);
            }
            record_session_error(f, t, e, started, deadline, StageId::Ping);
            // A server loading its dataset answers PING with LOADING, one that cannot persist
            // with MISCONF; INFO still answers both, and says why.
            if !matches!(refused, Some(Reason::Loading | Reason::Misconf)) {
                return None;
            }
        }
    }
    // After the samples over a fast path; or PING was timed another way (ACL) or refused for a
    // reason INFO explains.
    if cfg.extras.pubsub && refused != Some(Reason::Loading) {
        if subscriber.is_none() {
            subscriber = pipeline::Subscriber::start(f, t, roots, cfg, deadline, extras::channel());
        }
        if let Some(s) = subscriber.as_mut() {
            s.go();
        }
    }
    on_stage("info");
    let started = Instant::now();
    match session::info(&mut conn) {
        Ok(text) => {
            let info = Info::parse(&text);
            // A plain URL at a Sentinel: every app command would fail there.
            if t.sentinel.is_none() && info.get("redis_mode") == Some("sentinel") {
                f.at_sentinel = Some(sentinel::monitored(&mut conn));
                f.info = Stage::done(info, started.elapsed());
                f.skip_from(StageId::Cluster, "the port is a Sentinel, not a data node");
                conn.drop_parked();
                return Some(conn);
            }
            f.info = Stage::done(info, started.elapsed());
        }
        Err(InfoError::Forbidden(why)) => {
            f.info = Stage::forbidden(format!("INFO is not allowed: {why}"));
        }
        Err(InfoError::Failed(e)) => {
            record_session_error(f, t, e, started, deadline, StageId::Info);
            f.skip_from(StageId::Config, "INFO failed");
            return None;
        }
    }
    if refused == Some(Reason::Loading) {
        f.skip_from(StageId::Config, "the server is loading its dataset");
        return None;
    }
    extras::run(f, t, &mut conn, ctx, subscriber);
    conn.drop_parked();
    Some(conn)
}
