//! `redcheck serve`: a probe endpoint for Prometheus in the blackbox_exporter style.
//!
//! `GET /probe?target=NAME` runs one check of a named target (or, with
//! `--allow-url-targets`, of a URL without a password) and answers OpenMetrics; `GET /metrics`
//! answers the process's own counters. Probes are bounded in number (`--concurrency`) and in
//! time (`--timeout`, lowered by Prometheus' `X-Prometheus-Scrape-Timeout-Seconds`).

mod http;
mod slots;

use std::collections::BTreeMap;
use std::net::TcpListener;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::Context;

use self::http::{Counters, Limits, Request, Response};
use self::slots::Slots;
use crate::checks::{self, Options};
use crate::cli::ServeArgs;
use crate::config::{PasswordInput, ServeConfig};
use crate::exit_code::ExitCode;
use crate::output::openmetrics::{self, Dialect, Family, Kind};
use crate::probe;

/// Prometheus' header carrying the scrape timeout, in seconds.
const SCRAPE_TIMEOUT_HEADER: &str = "x-prometheus-scrape-timeout-seconds";

/// Taken off Prometheus' scrape timeout so the answer arrives before Prometheus gives up
/// (blackbox_exporter's default offset).
const SCRAPE_OFFSET: Duration = Duration::from_millis(500);

/// The shortest probe worth starting.
const MIN_PROBE: Duration = Duration::from_millis(100);

/// Locks `m`, even if a panicking thread poisoned it (release builds abort on panic anyway).
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Runs `redcheck serve` until the process is stopped.
pub fn run(args: &ServeArgs) -> anyhow::Result<ExitCode> {
    let cfg = ServeConfig::from_serve(args)?;
    let listener = TcpListener::bind(cfg.listen).with_context(|| {
        format!(
            "--listen {}: cannot listen there (taken by another exporter? redis_exporter also defaults to 9121)",
            cfg.listen
        )
    })?;
    let local = listener
        .local_addr()
        .context("reading the listening address")?;
    let names = cfg.targets.len();
    crate::output::eprint_line(&format!(
        "redcheck serve: listening on http://{local} · {names} named target{} · URL targets {}",
        if names == 1 { "" } else { "s" },
        if cfg.allow_url_targets {
            "allowed"
        } else {
            "refused"
        }
    ));
    let limits = Limits {
        // Reading a head needs no probe slot: spare workers keep /metrics and refusals
        // answered while every slot is busy.
        workers: cfg.concurrency * 2 + 4,
        // A queued connection costs a descriptor and kernel buffers, and leaves on its own
        // deadline: room for a scrape burst of a few hundred targets.
        queue: (cfg.concurrency * 16).max(256),
    };
    let counters = Arc::new(Counters::default());
    let server = Server::new(cfg, Arc::clone(&counters));
    http::serve(listener, limits, counters, move |req| server.handle(req));
    Ok(ExitCode::Success)
}

/// Everything a request handler reads or counts.
struct Server {
    cfg: ServeConfig,
    http: Arc<Counters>,
    slots: Slots,
    stats: Stats,
    started: SystemTime,
}

/// The process's own numbers, for `/metrics`.
#[derive(Default)]
struct Stats {
    /// Answers by path and status code.
    requests: Mutex<BTreeMap<(&'static str, u16), u64>>,
    /// Probes that found the target up.
    up: AtomicU64,
    /// Probes that found the target down.
    down: AtomicU64,
}

impl Server {
    fn new(cfg: ServeConfig, http: Arc<Counters>) -> Server {
        Server {
            slots: Slots::new(cfg.concurrency),
            cfg,
            http,
            stats: Stats::default(),
            started: SystemTime::now(),
        }
    }

    fn handle(&self, req: &Request) -> Response {
        let (path, response) = match req.path.as_str() {
            "/probe" => ("/probe", self.probe(req)),
            "/metrics" => ("/metrics", self.metrics(req)),
            "/" => ("/", Response::text(200, self.index())),
            _ => (
                "other",
                Response::text(404, "not found: GET /probe?target=NAME or /metrics"),
            ),
        };
        *lock(&self.stats.requests)
            .entry((path, response.status))
            .or_default() += 1;
        response
    }

    fn index(&self) -> String {
        let names: Vec<&str> = self.cfg.targets.keys().map(String::as_str).collect();
        format!(
            "redcheck serve {}\n\nGET /probe?target=NAME   one check, as OpenMetrics\nGET /metrics             this process's counters\n\nnamed targets: {}\nURL targets: {}\n",
            env!("CARGO_PKG_VERSION"),
            if names.is_empty() {
                "none".to_string()
            } else {
                names.join(", ")
            },
            if self.cfg.allow_url_targets {
                "allowed (without a password)"
            } else {
                "refused (--allow-url-targets)"
            }
        )
    }

    /// `GET /probe?target=…`.
    fn probe(&self, req: &Request) -> Response {
        let target = match http::query_param(&req.query, "target") {
            Ok(Some(t)) if !t.is_empty() => t,
            Ok(_) => return Response::text(400, "missing ?target=NAME"),
            Err(()) => return Response::text(400, "?target= given more than once"),
        };
        let (url, password, workload) = match self.resolve(&target) {
            Ok(found) => found,
            Err(refusal) => return refusal,
        };
        let timeout = probe_timeout(self.cfg.check.timeout, req.header(SCRAPE_TIMEOUT_HEADER));
        let deadline = req.accepted + timeout;
        let Some(_slot) = self.slots.acquire(deadline - MIN_PROBE.min(timeout)) else {
            return Response::text(
                503,
                format!(
                    "all {} probe slots busy until the deadline; raise --concurrency",
                    self.cfg.concurrency
                ),
            );
        };
        let mut check = self.cfg.check.clone();
        check.timeout = deadline
            .saturating_duration_since(Instant::now())
            .max(MIN_PROBE);
        check.connect_timeout = check.connect_timeout.min(check.timeout);
        check.password = password;
        // A URL from the request (refused above when it holds a password) teaches the masker
        // nothing; a named target's password comes from the targets file and is remembered.
        let from_request = target.contains("://");
        let prepare = || crate::probe::prepare(&[url], &check);
        let prepared = match if from_request {
            crate::secret::forgetting(prepare)
        } else {
            prepare()
        } {
            Ok(mut p) => p.remove(0),
            // An unreadable ?ssl_ca_certs= file, say: the target's fault, named without its URL.
            Err(e) => return Response::text(500, format!("target {}: {e}", shown(&target))),
        };
        let findings = probe::run(&prepared, &check, &|_| {});
        let report = checks::evaluate(
            &findings,
            &Options {
                workload: workload.or(self.cfg.workload),
                write_probe: false,
                ..Options::default()
            },
        );
        let counter = if report.verdict == crate::verdict::Status::Fail {
            &self.stats.down
        } else {
            &self.stats.up
        };
        counter.fetch_add(1, Ordering::Relaxed);
        Response {
            status: 200,
            content_type: Dialect::from_accept(req.header("accept")).content_type(),
            // The masking step every other output goes through: the response is output too.
            body: crate::secret::Masker::current()
                .anywhere(&openmetrics::render(std::slice::from_ref(&report)))
                .into_owned(),
        }
    }

    /// A name from `--targets`, or a URL when allowed; the refusal is the answer.
    #[allow(clippy::type_complexity)]
    fn resolve(
        &self,
        target: &str,
    ) -> Result<
        (
            String,
            Option<PasswordInput>,
            Option<crate::config::Workload>,
        ),
        Response,
    > {
        if let Some(named) = self.cfg.targets.get(target) {
            let password =
                match &named.password {
                    // Within serve's --timeout: a password_file may be a pipe.
                    Some(from) => Some(from.read(self.cfg.check.timeout).map_err(|e| {
                        Response::text(500, format!("target {}: {e}", shown(target)))
                    })?),
                    None => None,
                };
            return Ok((named.url.expose().to_string(), password, named.workload));
        }
        if !target.contains("://") {
            return Err(Response::text(
                404,
                format!(
                    "unknown target '{}': name it in --targets (GET / lists the names)",
                    shown(target)
                ),
            ));
        }
        let masked = crate::url::redact_raw(target);
        if !self.cfg.allow_url_targets {
            return Err(Response::text(
                403,
                format!(
                    "URL targets are refused ({}): name it in --targets, or start serve with --allow-url-targets",
                    shown(&masked)
                ),
            ));
        }
        // Parsed without remembering its secrets: a request must not teach the masker words.
        match crate::secret::forgetting(|| crate::url::Target::parse(target)) {
            Ok(t)
                if t.password.is_some()
                    || t.sentinel.as_ref().is_some_and(|s| s.password.is_some()) =>
            {
                Err(Response::text(
                    400,
                    format!(
                        "a password does not belong in the query string ({}): name the target in --targets with password_env or password_file",
                        shown(&masked)
                    ),
                ))
            }
            // A request must not make serve read a file of its choosing.
            Ok(t) if t.ca_file.is_some() => Err(Response::text(
                400,
                "?ssl_ca_certs= is not taken from a request: start serve with --cacert, or name the target in --targets",
            )),
            // The check itself reports an unparsable URL as a failed `url` check.
            _ => Ok((target.to_string(), None, None)),
        }
    }

    /// `GET /metrics`: the process's own counters.
    fn metrics(&self, req: &Request) -> Response {
        let dialect = Dialect::from_accept(req.header("accept"));
        let mut s = String::with_capacity(2048);
        let family = |name, kind, unit, help| Family {
            name,
            kind,
            unit,
            help,
        };
        let requests = family(
            "redcheck_serve_requests",
            Kind::Counter,
            None,
            "HTTP requests answered, by path and status code.",
        );
        openmetrics::header(&mut s, &requests, dialect);
        for ((path, code), n) in lock(&self.stats.requests).iter() {
            let code = code.to_string();
            let labels = [("path", *path), ("code", code.as_str())];
            openmetrics::sample(&mut s, "redcheck_serve_requests_total", &labels, count(*n));
        }
        let probes = family(
            "redcheck_serve_probes",
            Kind::Counter,
            None,
            "Probes run, by whether the target was up.",
        );
        openmetrics::header(&mut s, &probes, dialect);
        for (result, n) in [("up", &self.stats.up), ("down", &self.stats.down)] {
            let n = count(n.load(Ordering::Relaxed));
            openmetrics::sample(
                &mut s,
                "redcheck_serve_probes_total",
                &[("result", result)],
                n,
            );
        }
        let rejected = family(
            "redcheck_serve_rejected_connections",
            Kind::Counter,
            None,
            "Connections answered 503 at once because the request queue was full.",
        );
        openmetrics::header(&mut s, &rejected, dialect);
        let n = count(self.http.rejected.load(Ordering::Relaxed));
        openmetrics::sample(&mut s, "redcheck_serve_rejected_connections_total", &[], n);
        let malformed = family(
            "redcheck_serve_malformed_requests",
            Kind::Counter,
            None,
            "Requests refused before routing: malformed, too large, too slow, or not GET.",
        );
        openmetrics::header(&mut s, &malformed, dialect);
        let n = count(self.http.malformed.load(Ordering::Relaxed));
        openmetrics::sample(&mut s, "redcheck_serve_malformed_requests_total", &[], n);
        let in_flight = family(
            "redcheck_serve_probes_in_flight",
            Kind::Gauge,
            None,
            "Probes running now.",
        );
        openmetrics::header(&mut s, &in_flight, dialect);
        let busy = count(self.slots.busy() as u64);
        openmetrics::sample(&mut s, "redcheck_serve_probes_in_flight", &[], busy);
        let build = family(
            "redcheck_build_info",
            Kind::Gauge,
            None,
            "redcheck's version; always 1.",
        );
        openmetrics::header(&mut s, &build, dialect);
        let version = [("version", env!("CARGO_PKG_VERSION"))];
        openmetrics::sample(&mut s, "redcheck_build_info", &version, 1.0);
        let start = family(
            "process_start_time_seconds",
            Kind::Gauge,
            Some("seconds"),
            "Start time of the process since the Unix epoch.",
        );
        openmetrics::header(&mut s, &start, dialect);
        let since = self
            .started
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs_f64();
        openmetrics::sample(&mut s, "process_start_time_seconds", &[], since.floor());
        s.push_str("# EOF\n");
        Response {
            status: 200,
            content_type: dialect.content_type(),
            body: s,
        }
    }
}

/// A count as a sample value (exact below 2^53).
#[allow(clippy::cast_precision_loss)]
fn count(n: u64) -> f64 {
    n as f64
}

/// A name or URL from a request, safe to echo: printable, and cut to 200 characters.
fn shown(s: &str) -> String {
    let p = crate::text::printable(s);
    match p.char_indices().nth(200) {
        Some((i, _)) => format!("{}…", &p[..i]),
        None => p.into_owned(),
    }
}

/// `--timeout`, lowered to Prometheus' scrape timeout less [`SCRAPE_OFFSET`] when it sends one.
fn probe_timeout(configured: Duration, header: Option<&str>) -> Duration {
    let scrape = header
        .and_then(|h| h.trim().parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s > 0.0)
        .map(|s| Duration::from_secs_f64(s.min(86_400.0)));
    match scrape {
        Some(s) => configured.min(s.saturating_sub(SCRAPE_OFFSET).max(MIN_PROBE)),
        None => configured,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scrape_timeout_header_lowers_the_probe_timeout() {
        let ten = Duration::from_secs(10);
        assert_eq!(probe_timeout(ten, None), ten);
        assert_eq!(probe_timeout(ten, Some("3")), Duration::from_millis(2500));
        assert_eq!(probe_timeout(ten, Some("60")), ten);
        assert_eq!(probe_timeout(ten, Some("0.2")), MIN_PROBE);
        for junk in ["", "x", "-1", "NaN", "inf"] {
            assert_eq!(probe_timeout(ten, Some(junk)), ten, "{junk}");
        }
    }

    #[test]
    fn echoed_names_are_printable_and_short() {
        assert_eq!(shown("a\nb"), "a\\nb");
        assert_eq!(shown(&"x".repeat(500)).chars().count(), 201);
    }
}
