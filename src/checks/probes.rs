//! Verdicts for the active probes: `pubsub` (a message round trip) and `write` (opt-in).

use serde_json::{Map, json};

use super::{Options, check, failed, hints, skipped, timed};
use crate::failure::Reason;
use crate::latency::show_ms;
use crate::probe::pubsub::{DELIVERY_WINDOW, Delivery, Step};
use crate::probe::write::PROBE_TTL_SECONDS;
use crate::probe::{Findings, Outcome};
use crate::verdict::{Check, CheckId, Status, millis};

/// What a subscribed connection may still do, said with every pub/sub verdict.
const SEPARATE_CLIENTS: &str = "a subscribed connection (RESP2) can only SUBSCRIBE, UNSUBSCRIBE, PING and QUIT: give pub/sub its own client, separate from the one that runs commands";

/// `pubsub`.
pub fn pubsub(f: &Findings) -> Check {
    let c = match &f.pubsub.outcome {
        Outcome::Done(p) => {
            let (delay_ms, receivers, error) = match &p.result {
                Delivery::Arrived { delay, receivers } => {
                    (Some(millis(*delay)), Some(*receivers), None)
                }
                Delivery::Refused(msg) => (None, None, Some(msg.clone())),
                Delivery::Broken(_) => (None, None, None),
            };
            let data = json!({"channel": p.channel, "protocol": p.protocol, "delay_ms": delay_ms,
                              "receivers": receivers, "error": error});
            match &p.result {
                Delivery::Arrived { delay, .. } => check(
                    CheckId::Pubsub,
                    Status::Pass,
                    format!(
                        "a message reached a second connection in {}",
                        show_ms(millis(*delay))
                    ),
                    Some(SEPARATE_CLIENTS.into()),
                    data,
                ),
                Delivery::Refused(msg) => check(
                    CheckId::Pubsub,
                    Status::Warn,
                    format!("this endpoint refuses pub/sub: {msg}"),
                    Some("a proxy in front of the server may not pass SUBSCRIBE: if the app uses pub/sub, connect subscribers straight to the server or use a proxy that supports it".into()),
                    data,
                ),
                // The probe reports a broken round trip as a failure; never a finding of its own.
                Delivery::Broken(step) => check(
                    CheckId::Pubsub,
                    Status::Warn,
                    format!("the round trip broke at {}", step_name(*step)),
                    None,
                    data,
                ),
            }
        }
        Outcome::Failed(failure, partial) => {
            let step = partial.as_ref().and_then(|p| match p.result {
                Delivery::Broken(step) => Some(step),
                _ => None,
            });
            let hint = match (failure.reason, step) {
                (Reason::Timeout, Some(Step::Subscribe)) => Some(
                    "the second connection was accepted but SUBSCRIBE went unanswered: a proxy in between may not pass pub/sub, or the server is blocked; connect subscribers straight to the server to tell which".into(),
                ),
                (Reason::Timeout, Some(Step::Deliver)) => Some(format!(
                    "the overall --timeout ended the wait before the {} s delivery window: raise --timeout to tell a slow delivery from a lost one",
                    DELIVERY_WINDOW.as_secs()
                )),
                (Reason::PubsubLost, _) => {
                    hints::for_failure(failure, f).map(|h| format!("{h}\n{SEPARATE_CLIENTS}"))
                }
                (_, Some(step)) => hints::for_failure(failure, f)
                    .map(|h| format!("{} failed: {h}", step_name(step))),
                (_, None) => hints::for_failure(failure, f)
                    .map(|h| format!("the second connection failed: {h}")),
            };
            let mut data = Map::new();
            if let Some(step) = step {
                data.insert("step".into(), json!(step_name(step)));
            }
            failed(CheckId::Pubsub, failure, hint, data)
        }
        Outcome::Skipped(why) => skipped(CheckId::Pubsub, why),
    };
    timed(c, &f.pubsub)
}

/// What a step of the pub/sub round trip is called.
fn step_name(step: Step) -> &'static str {
    match step {
        Step::Subscribe => "SUBSCRIBE",
        Step::Publish => "PUBLISH",
        Step::Deliver => "the delivery",
    }
}

/// `write`.
pub fn write(f: &Findings, opts: &Options) -> Check {
    if !opts.write_probe {
        return skipped(
            CheckId::Write,
            "the default run is read-only; --write-probe sets, reads back and deletes one key",
        );
    }
    let c = match &f.write.outcome {
        Outcome::Done(w) => {
            let mut data = json!({"key": w.key, "ttl_seconds": PROBE_TTL_SECONDS, "set_ms": millis(w.set), "get_ms": millis(w.get), "del_ms": millis(w.del)});
            if let Some(note) = &w.note {
                data["note"] = json!(note);
            }
            check(
                CheckId::Write,
                Status::Pass,
                format!(
                    "SET, GET and DEL of a probe key in {} / {} / {}{}",
                    show_ms(millis(w.set)),
                    show_ms(millis(w.get)),
                    show_ms(millis(w.del)),
                    w.note
                        .as_ref()
                        .map(|n| format!(" ({n})"))
                        .unwrap_or_default()
                ),
                None,
                data,
            )
        }
        Outcome::Failed(failure, _) => {
            let hint = if failure.reason == Reason::Noperm {
                Some("the ACL user may not write: grant it write commands and the keys (ACL SETUSER name +@write ~*), or use the user the app writes with".into())
            } else {
                hints::for_failure(failure, f)
            };
            let mut data = Map::new();
            data.insert("ttl_seconds".into(), json!(PROBE_TTL_SECONDS));
            failed(CheckId::Write, failure, hint, data)
        }
        Outcome::Skipped(why) => skipped(CheckId::Write, why),
    };
    timed(c, &f.write)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::checks::testing::Build;
    use crate::failure::Failure;
    use crate::probe::Stage;
    use crate::probe::pubsub::PubsubFacts;

    fn facts(result: Delivery) -> PubsubFacts {
        PubsubFacts {
            channel: "redcheck:pubsub:x".into(),
            protocol: 2,
            result,
        }
    }

    /// Each pub/sub outcome and its verdict: (outcome, status, reason, words in summary or hint).
    #[test]
    fn pubsub_table() {
        let us = Duration::from_micros;
        let cases: Vec<(Outcome<PubsubFacts>, Status, Option<&str>, &str)> = vec![
            (
                Outcome::Done(facts(Delivery::Arrived {
                    delay: us(90),
                    receivers: 1,
                })),
                Status::Pass,
                None,
                "reached a second connection in 0.090 ms",
            ),
            (
                Outcome::Done(facts(Delivery::Refused(
                    "ERR unknown command 'SUBSCRIBE'".into(),
                ))),
                Status::Warn,
                None,
                "refuses pub/sub",
            ),
            (
                Outcome::Failed(
                    Failure::new(Reason::Timeout, "no answer"),
                    Some(Box::new(facts(Delivery::Broken(Step::Subscribe)))),
                ),
                Status::Fail,
                Some("timeout"),
                "SUBSCRIBE went unanswered",
            ),
            (
                Outcome::Failed(
                    Failure::new(Reason::Timeout, "no message"),
                    Some(Box::new(facts(Delivery::Broken(Step::Deliver)))),
                ),
                Status::Fail,
                Some("timeout"),
                "raise --timeout",
            ),
            (
                Stage::<PubsubFacts>::forbidden("pub/sub is not allowed: NOPERM").outcome,
                Status::Skip,
                None,
                "NOPERM",
            ),
        ];
        for (outcome, status, reason, words) in cases {
            let f = Build::healthy("redis://127.0.0.1:6379")
                .with(|f| {
                    f.pubsub = Stage {
                        outcome,
                        took: us(500),
                    }
                })
                .done();
            let c = pubsub(&f);
            assert_eq!(c.status, status, "{c:?}");
            assert_eq!(
                c.data.get("reason").and_then(|r| r.as_str()),
                reason,
                "{c:?}"
            );
            let text = format!("{} {}", c.summary, c.hint.clone().unwrap_or_default());
            assert!(text.contains(words), "{words}: {text}");
        }
    }

    #[test]
    fn the_write_probe_runs_only_when_asked() {
        let f = Build::healthy("redis://127.0.0.1:6379").done();
        let c = write(&f, &Options::default());
        assert_eq!(c.status, Status::Skip);
        assert!(c.summary.contains("--write-probe"), "{}", c.summary);
        let asked = Options {
            write_probe: true,
            ..Options::default()
        };
        let failed_write = Build::healthy("redis://127.0.0.1:6379")
            .with(|f| {
                f.write = Stage::failed(
                    Failure::from_server(
                        Reason::Readonly,
                        "READONLY You can't write against a read only replica.",
                    ),
                    Duration::from_micros(300),
                );
            })
            .done();
        let c = write(&failed_write, &asked);
        assert_eq!(c.status, Status::Fail, "{c:?}");
        assert_eq!(
            c.data.get("reason").and_then(|r| r.as_str()),
            Some("readonly")
        );
    }
}
