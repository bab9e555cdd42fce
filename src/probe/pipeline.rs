//! The commands a check sends without waiting for an answer in between, built once so the
//! session code and the flights send the very same bytes.
//!
//! A flight is sent with [`Connection::send_ahead`] just before the code that reads its replies,
//! in that code's order; the code then runs as it always did, and each of its commands finds
//! its reply already on the way. When the code takes another path (HELLO unknown, an error that
//! ends the stage, a cluster node), the replies it does not ask for are read and dropped before
//! its next command: the flight never changes what a stage concludes, only how many round
//! trips it waits for. Every command in a flight is read-only.

use std::sync::mpsc::{self, Sender};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use redis::{Cmd, Value};

use crate::config::CheckConfig;
use crate::conn::Connection;
use crate::deadline::Deadline;
use crate::failure::{Failure, Reason};
use crate::trust::Roots;
use crate::url::Target;

use super::keyspace::MAX_SCAN_COUNT;
use super::pubsub::{self, Delivery, PubsubError};
use super::session::{self, AuthFacts, CONFIG_READS, SessionError};
use super::{Findings, reach};

/// The RESP version a target asks for (3 unless the URL says otherwise).
pub fn wanted_protocol(t: &Target) -> u8 {
    t.protocol.unwrap_or(3)
}

/// `HELLO <proto> [AUTH <user> <pass>]`.
pub fn hello(wanted: u8, auth: Option<(&str, &str)>) -> Cmd {
    let mut cmd = redis::cmd("HELLO");
    cmd.arg(wanted);
    if let Some((user, pass)) = auth {
        cmd.arg("AUTH").arg(user).arg(pass);
    }
    cmd
}

/// `AUTH [<user>] <pass>`.
pub fn auth(user: Option<&str>, pass: &str) -> Cmd {
    let mut cmd = redis::cmd("AUTH");
    if let Some(user) = user {
        cmd.arg(user);
    }
    cmd.arg(pass);
    cmd
}

/// `ACL WHOAMI`.
pub fn whoami() -> Cmd {
    let mut cmd = redis::cmd("ACL");
    cmd.arg("WHOAMI");
    cmd
}

/// `SELECT <db>`.
pub fn select(db: u32) -> Cmd {
    let mut cmd = redis::cmd("SELECT");
    cmd.arg(db);
    cmd
}

/// `CONFIG GET <name>…` (several names need Redis 7).
pub fn config_get(names: &[&str]) -> Cmd {
    let mut cmd = redis::cmd("CONFIG");
    cmd.arg("GET");
    for name in names {
        cmd.arg(*name);
    }
    cmd
}

/// The first `SCAN` of a keyspace sample of `keys` keys, without a pattern.
pub fn first_scan(keys: usize) -> Cmd {
    let mut cmd = redis::cmd("SCAN");
    cmd.arg(0u64)
        .arg("COUNT")
        .arg(keys.clamp(10, MAX_SCAN_COUNT));
    cmd
}

/// What `session::authenticate` sends when every answer is the expected one: the protocol and
/// credentials, `ACL WHOAMI`, and `SELECT` for a database other than 0. A wrong password makes
/// the rest fail with NOAUTH, unread: authentication is judged by its first answer, as before.
pub fn auth_flight(t: &Target) -> Vec<Cmd> {
    let wanted = wanted_protocol(t);
    let mut cmds = match (&t.username, &t.password) {
        (Some(user), Some(pass)) => vec![hello(wanted, Some((user, pass.expose())))],
        (None, Some(pass)) => vec![auth(None, pass.expose()), hello(wanted, None)],
        (_, None) => vec![hello(wanted, None)],
    };
    cmds.push(whoami());
    if t.db != 0 {
        cmds.push(select(t.db));
    }
    cmds
}

/// What the check asks once logged in, sent in the login's flight ([`first_flight`]):
/// `INFO`, the `CONFIG GET`, and the start of the keyspace sample (`DBSIZE`, the first
/// `SCAN`). CLIENT LIST is not among them: whether it is sent depends on INFO's count of
/// connections.
pub fn introspection(cfg: &CheckConfig) -> Vec<Cmd> {
    let mut cmds = vec![redis::cmd("INFO")];
    if cfg.extras.config {
        cmds.push(config_get(&CONFIG_READS));
    }
    if let Some(n) = cfg.extras.sample_keys.filter(|n| *n > 0) {
        cmds.push(redis::cmd("DBSIZE"));
        cmds.push(first_scan(n));
    }
    cmds
}

/// The check's first flight on its connection: the login ([`auth_flight`]) and the
/// [`introspection`], whose replies are parked after the login's (`Connection::park_flight`)
/// for the stages after the PING samples. A wrong password makes the rest fail with NOAUTH,
/// unread; a server without HELLO takes another path, which drops them, and
/// [`introspection`] is sent again.
pub fn first_flight(t: &Target, cfg: &CheckConfig) -> Vec<Cmd> {
    let mut cmds = auth_flight(t);
    cmds.extend(introspection(cfg));
    cmds
}

/// A TLS handshake or login that took at least this long marks a path slow enough for the
/// subscriber to open alongside: there it saves round trips of tens of milliseconds, while on
/// a fast path its TLS handshake (a millisecond of the server's CPU) would show in the samples.
const OVERLAP_FROM: Duration = Duration::from_millis(5);

/// Whether the subscriber opens alongside, given how long the handshake or login took.
pub fn overlap(login: Duration) -> bool {
    login >= OVERLAP_FROM
}

/// `session::ping`, with `then` run once the first PING has been answered: the subscriber
/// logs in while the other samples are taken, and never at a server that fails PING.
pub fn ping_then(
    conn: &mut Connection,
    samples: usize,
    then: impl FnOnce(),
) -> Result<Vec<Duration>, SessionError> {
    let mut out = session::ping(conn, samples.min(1))?;
    then();
    out.extend(session::ping(conn, samples.saturating_sub(1))?);
    Ok(out)
}

/// The pub/sub subscriber: connected (and through TLS) on its own thread while the first
/// connection logs in or samples PING, and logged in and subscribed once told to go.
pub struct Subscriber {
    /// The channel it subscribes to.
    pub channel: String,
    go: Option<Sender<()>>,
    handle: JoinHandle<Result<Subscribed, Failure>>,
}

/// A subscriber connection, logged in, and what its `SUBSCRIBE` got.
pub struct Subscribed {
    /// The connection.
    pub conn: Connection,
    /// Its login.
    pub auth: AuthFacts,
    /// Its `CLIENT ID`, to leave it out of `CLIENT LIST` (`None` when the server would not say).
    pub id: Option<u64>,
    /// `pubsub::subscribe`'s outcome.
    pub subscribed: Result<Option<Delivery>, PubsubError>,
}

impl Subscriber {
    /// Opens the second connection the way the first was opened (`reach::open`) on its own
    /// thread; on [`Subscriber::go`] it logs in with `CLIENT ID` and `SUBSCRIBE` in the login's
    /// flight and reads both. Not told to go (the first connection's login failed), it closes
    /// without a command sent.
    /// `None` when no thread can be started; the stage then opens it in turn, as before.
    pub fn start(
        f: &Findings,
        t: &Target,
        roots: Option<&Roots>,
        cfg: &CheckConfig,
        deadline: Deadline,
        channel: String,
    ) -> Option<Self> {
        let mut seen = Findings::new(f.shown.clone());
        seen.tcp = f.tcp.clone();
        let (t, roots, cfg) = (t.clone(), roots.cloned(), cfg.clone());
        let name = channel.clone();
        let (go, gate) = mpsc::channel();
        let handle = thread::Builder::new()
            .name("subscriber".into())
            .spawn(move || {
                let transport = reach::open(&seen, &t, roots.as_ref(), &cfg, deadline)?;
                let told = deadline
                    .remaining()
                    .ok()
                    .and_then(|left| gate.recv_timeout(left).ok());
                if told.is_none() {
                    return Err(Failure::new(
                        Reason::Timeout,
                        "the subscriber was not needed",
                    ));
                }
                let mut subscribe = redis::cmd("SUBSCRIBE");
                subscribe.arg(&name);
                let then = [client_id(), subscribe];
                let (mut conn, auth) = reach::login(transport, &t, deadline, &then)?;
                let id = match conn.call(&client_id()) {
                    Ok(Value::Int(id)) => u64::try_from(id).ok(),
                    _ => None,
                };
                let subscribed = pubsub::subscribe(&mut conn, &name);
                Ok(Subscribed {
                    conn,
                    auth,
                    id,
                    subscribed,
                })
            })
            .ok()?;
        Some(Self {
            channel,
            go: Some(go),
            handle,
        })
    }

    /// Lets the subscriber log in and subscribe.
    pub fn go(&mut self) {
        if let Some(go) = self.go.take() {
            let _ = go.send(());
        }
    }

    /// Waits up to `limit` for the subscriber to be ready; says whether it is.
    pub fn ready_within(&self, limit: Duration) -> bool {
        let started = Instant::now();
        while !self.handle.is_finished() {
            if started.elapsed() >= limit {
                return false;
            }
            thread::sleep(Duration::from_micros(200));
        }
        true
    }

    /// The subscriber, or why it could not be opened.
    pub fn join(mut self) -> Result<Subscribed, Failure> {
        self.go();
        self.handle.join().expect("the subscriber thread panicked")
    }
}

/// `CLIENT LIST`.
pub fn client_list() -> Cmd {
    let mut cmd = redis::cmd("CLIENT");
    cmd.arg("LIST");
    cmd
}

/// `CLIENT ID`.
fn client_id() -> Cmd {
    let mut cmd = redis::cmd("CLIENT");
    cmd.arg("ID");
    cmd
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(cmds: &[Cmd]) -> Vec<String> {
        cmds.iter()
            .map(|c| String::from_utf8_lossy(&c.get_packed_command()).replace("\r\n", " "))
            .collect()
    }

    #[test]
    fn the_auth_flight_follows_the_urls_credentials() {
        let t = Target::parse("redis://u:p@h:6379/2").unwrap();
        let got = names(&auth_flight(&t));
        assert_eq!(got.len(), 3, "{got:?}");
        assert!(
            got[0].contains("HELLO") && got[0].contains("AUTH"),
            "{got:?}"
        );
        assert!(got[2].contains("SELECT"), "{got:?}");
        let t = Target::parse("redis://:p@h:6379").unwrap();
        let got = names(&auth_flight(&t));
        assert!(
            got[0].contains("AUTH") && got[1].contains("HELLO"),
            "{got:?}"
        );
        assert_eq!(got.len(), 3, "{got:?}");
        let t = Target::parse("redis://h:6379").unwrap();
        assert_eq!(names(&auth_flight(&t)).len(), 2);
    }
}
