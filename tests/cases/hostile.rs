//! A hostile environment: servers whose replies are built to exhaust memory or time, odd
//! local files (devices, FIFOs without a writer, files over the cap), a closed or full
//! stdout, and server text made to look like Markdown or to reorder the terminal.

mod files;
mod output;
mod replies;

use std::process::{Child, Stdio};
use std::time::Duration;

use crate::support::run::cmd;
use crate::support::{Behavior, FakeServer};

/// Slack over `--timeout` for process start-up and rendering on a busy machine.
const MARGIN: Duration = Duration::from_millis(500);

/// `text` as a RESP bulk string.
fn bulk(text: &str) -> Vec<u8> {
    format!("${}\r\n{text}\r\n", text.len()).into_bytes()
}

/// A fake that answers like a healthy Redis 7 with this INFO text, except where `quirk`
/// (command and first argument, upper case) returns a reply of its own.
fn redis_like(
    info: &'static str,
    quirk: impl Fn(&str, &str) -> Option<Vec<u8>> + Send + Sync + 'static,
) -> FakeServer {
    FakeServer::start(Behavior::respond(move |args| {
        let word = |i: usize| {
            args.get(i)
                .map(|a| String::from_utf8_lossy(a).to_ascii_uppercase())
                .unwrap_or_default()
        };
        if let Some(reply) = quirk(&word(0), &word(1)) {
            return reply;
        }
        match word(0).as_str() {
            "HELLO" => {
                b"%2\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n".to_vec()
            }
            "AUTH" | "SELECT" => b"+OK\r\n".to_vec(),
            "ACL" => b"+default\r\n".to_vec(),
            "PING" => b"+PONG\r\n".to_vec(),
            "INFO" => bulk(info),
            _ => b"-ERR unknown command\r\n".to_vec(),
        }
    }))
}

/// A plain healthy server.
const PLAIN_INFO: &str = "# Server\r\nredis_version:7.0.15\r\nredis_mode:standalone\r\n";

/// `redcheck ARGS…` with stdout and stderr piped.
fn spawn(args: &[&str]) -> Child {
    cmd()
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start redcheck")
}
