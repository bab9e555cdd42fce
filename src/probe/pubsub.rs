//! `pubsub`: a second connection subscribes to a random channel, the first publishes, and we
//! time the delivery. Writes no keys.

use std::time::{Duration, Instant};

use redis::{PushKind, Value};

use crate::conn::{Connection, WireError, server_error, text};
use crate::deadline::Deadline;
use crate::failure::{Failure, Reason};

use super::session;
use super::tls::is_timeout;

/// How long a published message may take to arrive before it counts as lost.
pub const DELIVERY_WINDOW: Duration = Duration::from_secs(2);

/// What the round trip showed.
#[derive(Debug, Clone)]
pub struct PubsubFacts {
    /// The channel used (random, so no application sees the message).
    pub channel: String,
    /// RESP version of the subscriber.
    pub protocol: u8,
    /// The outcome.
    pub result: Delivery,
}

/// How the server treated the attempt.
#[derive(Debug, Clone)]
pub enum Delivery {
    /// The message arrived this long after PUBLISH was sent; PUBLISH counted this many receivers.
    Arrived {
        /// From sending PUBLISH to reading the message on the subscriber.
        delay: Duration,
        /// PUBLISH's reply.
        receivers: i64,
    },
    /// The endpoint refused SUBSCRIBE or PUBLISH with this error (a proxy without pub/sub).
    Refused(String),
    /// The round trip broke at this step: only in the partial facts of a failed stage.
    Broken(Step),
}

/// A step of the round trip, to say which one broke.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// SUBSCRIBE on the second connection.
    Subscribe,
    /// PUBLISH on the first.
    Publish,
    /// Waiting for the message on the second.
    Deliver,
}

/// Why the round trip gave no verdict of its own.
#[derive(Debug)]
pub enum PubsubError {
    /// The ACL user may not use pub/sub: the check is skipped with this reason.
    Forbidden(String),
    /// A real failure (lost message, broken connection), and the step it happened at.
    Failed(Failure, Step),
}

/// `SUBSCRIBE` on `subscriber`: `None` when subscribed, a [`Delivery::Refused`] verdict when
/// the endpoint refuses pub/sub.
pub fn subscribe(
    subscriber: &mut Connection,
    channel: &str,
) -> Result<Option<Delivery>, PubsubError> {
    let reply = subscriber
        .call(redis::cmd("SUBSCRIBE").arg(channel))
        .map_err(|e| match e {
            WireError::Io(e) if is_timeout(&e) => PubsubError::Failed(
                Failure::new(
                    Reason::Timeout,
                    "the second connection was accepted, but SUBSCRIBE went unanswered",
                ),
                Step::Subscribe,
            ),
            e => wire(e, Step::Subscribe),
        })?;
    match server_error(&reply) {
        Some((code, msg)) => refused(&code, &msg, Step::Subscribe).map(Some),
        None => Ok(None),
    }
}

/// The `PUBLISH` [`deliver`] sends on `channel`.
pub fn publish_cmd(channel: &str) -> redis::Cmd {
    let mut cmd = redis::cmd("PUBLISH");
    cmd.arg(channel).arg(format!("redcheck {channel}"));
    cmd
}

/// Publishes on `publisher` to a subscribed `subscriber` and waits for the message within
/// [`DELIVERY_WINDOW`] (and the deadline). `published` is when the PUBLISH left in a flight
/// (`Connection::send_ahead`), when it did: the delay counts from then.
pub fn deliver(
    publisher: &mut Connection,
    subscriber: &mut Connection,
    channel: &str,
    protocol: u8,
    deadline: Deadline,
    published: Option<Instant>,
) -> Result<PubsubFacts, PubsubError> {
    let facts = |result| PubsubFacts {
        channel: channel.to_string(),
        protocol,
        result,
    };
    let packed = publish_cmd(channel).get_packed_command();
    let sent = published.unwrap_or_else(Instant::now);
    // Already on its way when it was in a flight: `send` then only checks the deadline.
    publisher
        .send(&packed)
        .map_err(|e| wire(e, Step::Publish))?;
    // Read the subscriber first: the delay is publish → delivery, not publish → reply → read.
    // When the overall deadline ends the wait before the window does, a missing message
    // says nothing about delivery.
    let cut_short = deadline
        .remaining()
        .map_or(true, |left| left < DELIVERY_WINDOW);
    subscriber.set_deadline(deadline.sooner(DELIVERY_WINDOW));
    let arrived = loop {
        match subscriber.read() {
            Ok(v) if is_message(&v, channel) => break Ok(sent.elapsed()),
            Ok(_) => {}
            Err(WireError::Io(e)) if is_timeout(&e) => break Err(sent.elapsed()),
            Err(e) => return Err(wire(e, Step::Deliver)),
        }
    };
    // Past the deadline the PUBLISH reply may not be readable; a lost message is still lost.
    let reply = match (publisher.read(), &arrived) {
        (Ok(reply), _) => reply,
        (Err(_), Err(_)) => Value::Nil,
        (Err(e), Ok(_)) => return Err(wire(e, Step::Publish)),
    };
    if let Some((code, msg)) = server_error(&reply) {
        return refused(&code, &msg, Step::Publish).map(facts);
    }
    let receivers = match reply {
        Value::Int(n) => n,
        _ => -1,
    };
    match arrived {
        Ok(delay) => Ok(facts(Delivery::Arrived { delay, receivers })),
        Err(waited) if cut_short => Err(PubsubError::Failed(
            Failure::new(
                Reason::Timeout,
                format!(
                    "no message on {channel} within {} ms: the overall --timeout ended the wait before the {} s delivery window",
                    waited.as_millis(),
                    DELIVERY_WINDOW.as_secs()
                ),
            ),
            Step::Deliver,
        )),
        Err(waited) => Err(PubsubError::Failed(
            Failure::new(
                Reason::PubsubLost,
                format!(
                    "the message published on {channel} did not arrive within {} ms{}",
                    waited.as_millis(),
                    if receivers >= 0 {
                        format!(" (PUBLISH counted {receivers} subscriber(s))")
                    } else {
                        String::new()
                    }
                ),
            ),
            Step::Deliver,
        )),
    }
}

/// NOPERM skips, NOAUTH and LOADING fail, any other refusal is a verdict of its own.
fn refused(code: &str, msg: &str, step: Step) -> Result<Delivery, PubsubError> {
    match code {
        "NOPERM" => Err(PubsubError::Forbidden(session::sanitize(msg))),
        "NOAUTH" | "LOADING" => Err(PubsubError::Failed(
            session::classify(code, msg, false),
            step,
        )),
        _ => Ok(Delivery::Refused(session::sanitize(msg))),
    }
}

/// A broken exchange as a failure.
fn wire(e: WireError, step: Step) -> PubsubError {
    PubsubError::Failed(super::wire_failure(&e), step)
}

/// A `message` on `channel`: a RESP3 push, or a RESP2 array.
fn is_message(v: &Value, channel: &str) -> bool {
    match v {
        Value::Push { kind, data } => {
            *kind == PushKind::Message && data.first().and_then(text).as_deref() == Some(channel)
        }
        Value::Array(a) => {
            a.len() == 3
                && text(&a[0]).as_deref() == Some("message")
                && text(&a[1]).as_deref() == Some(channel)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bulk(s: &str) -> Value {
        Value::BulkString(s.as_bytes().to_vec())
    }

    #[test]
    fn recognises_messages_in_both_protocols() {
        let resp2 = Value::Array(vec![bulk("message"), bulk("c"), bulk("x")]);
        let resp3 = Value::Push {
            kind: PushKind::Message,
            data: vec![bulk("c"), bulk("x")],
        };
        assert!(is_message(&resp2, "c") && is_message(&resp3, "c"));
        assert!(!is_message(&resp2, "other"));
        let confirm = Value::Array(vec![bulk("subscribe"), bulk("c"), Value::Int(1)]);
        assert!(!is_message(&confirm, "c"));
    }

    #[test]
    fn refusals_are_told_apart() {
        assert!(matches!(
            refused("NOPERM", "NOPERM no channel permission", Step::Subscribe),
            Err(PubsubError::Forbidden(_))
        ));
        assert!(matches!(
            refused("ERR", "ERR unknown command 'SUBSCRIBE'", Step::Subscribe),
            Ok(Delivery::Refused(_))
        ));
        assert!(matches!(
            refused("NOAUTH", "NOAUTH Authentication required.", Step::Subscribe),
            Err(PubsubError::Failed(f, Step::Subscribe)) if f.reason == Reason::Noauth
        ));
    }
}
