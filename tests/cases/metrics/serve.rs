//! `redcheck serve` over real HTTP: named targets with their passwords kept out of requests,
//! and bad input (unknown names, URL targets, oversized and slow requests, a crowd of probes)
//! answered with a clear status, in bounded time and memory.

use std::io::Write;
use std::net::TcpStream;
use std::thread;
use std::time::{Duration, Instant};

use super::{Serve, get, promtool_accepts, send, value};
use crate::support::blackhole_addr;
use crate::support::run::{SECRET, redcheck};
use crate::support::{RedisServer, unused_port};

/// A targets file in a temp dir (kept alive by the returned guard).
fn targets_file(text: &str) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().expect("a temp dir");
    let path = dir.path().join("targets.toml");
    std::fs::write(&path, text).expect("write the targets file");
    let path = path.to_str().expect("a UTF-8 path").to_string();
    (dir, path)
}

#[test]
fn named_targets_take_their_password_from_env_or_file() {
    let server = RedisServer::builder().password(SECRET).start();
    let dir = tempfile::tempdir().expect("a temp dir");
    let pw_file = dir.path().join("pw");
    std::fs::write(&pw_file, format!("{SECRET}\n")).expect("write the password file");
    let (_keep, targets) = targets_file(&format!(
        "[targets.from-env]\nurl = \"redis://127.0.0.1:{p}\"\npassword_env = \"CACHE_PW\"\n\
         [targets.from-file]\nurl = \"redis://127.0.0.1:{p}\"\npassword_file = '{}'\n\
         [targets.no-password]\nurl = \"redis://127.0.0.1:{p}\"\n",
        pw_file.display(),
        p = server.port()
    ));
    let serve = Serve::start(&["--targets", &targets], &[("CACHE_PW", SECRET)]);
    let target = format!("redis://127.0.0.1:{}/0", server.port());
    for name in ["from-env", "from-file"] {
        let a = get(serve.port, &format!("/probe?target={name}"), "");
        assert_eq!(a.status, 200, "{a:?}");
        assert!(!a.body.contains(SECRET), "{}", a.body);
        assert!(a.head.contains("text/plain; version=0.0.4"), "{}", a.head);
        assert_eq!(
            value(&a.body, &format!("redcheck_up{{target=\"{target}\"}}")),
            1.0
        );
        promtool_accepts(&a.body, name);
    }
    let a = get(serve.port, "/probe?target=no-password", "");
    assert_eq!(a.status, 200, "{a:?}");
    let auth =
        format!("redcheck_check_status{{target=\"{target}\",check=\"auth\",reason=\"noauth\"}}");
    assert_eq!(value(&a.body, &auth), 3.0);
    assert_eq!(
        value(&a.body, &format!("redcheck_up{{target=\"{target}\"}}")),
        0.0
    );

    // Prometheus asks for OpenMetrics and gets it, counters named as OpenMetrics names them.
    let om =
        "Accept: application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5\r\n";
    let a = get(serve.port, "/metrics", om);
    assert!(
        a.head
            .contains("application/openmetrics-text; version=1.0.0"),
        "{}",
        a.head
    );
    assert!(
        a.body.contains("# TYPE redcheck_serve_probes counter\n"),
        "{}",
        a.body
    );
    assert_eq!(
        value(&a.body, "redcheck_serve_probes_total{result=\"up\"}"),
        2.0
    );
    assert_eq!(
        value(&a.body, "redcheck_serve_probes_total{result=\"down\"}"),
        1.0
    );
    let a = get(serve.port, "/metrics", "");
    assert!(
        a.body
            .contains("# TYPE redcheck_serve_probes_total counter\n"),
        "{}",
        a.body
    );
    promtool_accepts(&a.body, "/metrics");
}

#[test]
fn unknown_names_url_targets_and_passwords_in_the_query_are_refused() {
    let server = RedisServer::start();
    let (_keep, targets) = targets_file(&format!(
        "[targets.cache]\nurl = \"redis://127.0.0.1:{}\"\n",
        server.port()
    ));
    let strict = Serve::start(&["--targets", &targets], &[]);
    let a = get(strict.port, "/probe?target=nope", "");
    assert_eq!(a.status, 404, "{a:?}");
    assert!(a.body.contains("unknown target 'nope'"), "{}", a.body);
    let raw = format!("redis%3A%2F%2F%3A{SECRET}%40127.0.0.1%3A{}", server.port());
    let a = get(strict.port, &format!("/probe?target={raw}"), "");
    assert_eq!(a.status, 403, "{a:?}");
    assert!(a.body.contains("--allow-url-targets"), "{}", a.body);
    assert!(!a.body.contains(SECRET), "{}", a.body);
    for (path, status) in [
        ("/probe", 400),
        ("/probe?target=", 400),
        ("/probe?target=cache&target=cache", 400),
        ("/nothing-here", 404),
    ] {
        assert_eq!(get(strict.port, path, "").status, status, "{path}");
    }
    let post = b"POST /probe?target=cache HTTP/1.1\r\nContent-Length: 0\r\n\r\n";
    let a = send(strict.port, post, Duration::from_secs(5));
    assert_eq!(a.status, 405, "{a:?}");
    assert!(a.head.contains("Allow: GET, HEAD"), "{}", a.head);
    let junk = send(
        strict.port,
        b"\x16\x03\x01 hello\r\n\r\n",
        Duration::from_secs(5),
    );
    assert_eq!(junk.status, 400, "{junk:?}");

    let open = Serve::start(&["--allow-url-targets"], &[]);
    let a = get(open.port, &format!("/probe?target={raw}"), "");
    assert_eq!(a.status, 400, "{a:?}");
    assert!(
        a.body
            .contains("password does not belong in the query string"),
        "{}",
        a.body
    );
    assert!(!a.body.contains(SECRET), "{}", a.body);
    let ca_file = "rediss%3A%2F%2F127.0.0.1%3A1%3Fssl_ca_certs%3D%2Fetc%2Fshadow";
    let a = get(open.port, &format!("/probe?target={ca_file}"), "");
    assert_eq!(a.status, 400, "{a:?}");
    assert!(a.body.contains("--cacert"), "{}", a.body);
    let plain = format!("redis%3A%2F%2F127.0.0.1%3A{}", server.port());
    let a = get(open.port, &format!("/probe?target={plain}"), "");
    assert_eq!(a.status, 200, "{a:?}");
    let up = format!(
        "redcheck_up{{target=\"redis://127.0.0.1:{}/0\"}}",
        server.port()
    );
    assert_eq!(value(&a.body, &up), 1.0);
    // A refused URL must not teach the masker its "password": before, every later answer
    // read `# TYPE **** gauge` for a request whose password was `redcheck_up`.
    for poison in [
        "redis%3A%2F%2F%3Aredcheck_up%40127.0.0.1%3A1%2F0",
        "redis%2Bsentinel%3A%2F%2F127.0.0.1%3A1%2Fm%3Fsentinel_password%3Dredcheck_check_status",
    ] {
        let a = get(open.port, &format!("/probe?target={poison}"), "");
        assert_eq!(a.status, 400, "{a:?}");
    }
    let a = get(open.port, &format!("/probe?target={plain}"), "");
    assert_eq!(value(&a.body, &up), 1.0, "{}", a.body);
    assert!(
        a.body.contains("# TYPE redcheck_check_status gauge"),
        "{}",
        a.body
    );
}

#[test]
fn prometheus_scrape_timeout_bounds_a_probe_of_a_silent_host() {
    let addr = blackhole_addr().expect("a blackholed loopback address for hanging connects");
    let serve = Serve::start(&["--allow-url-targets", "--timeout", "30s"], &[]);
    let start = Instant::now();
    let target = format!("redis%3A%2F%2F{}", addr.replace(':', "%3A"));
    let a = get(
        serve.port,
        &format!("/probe?target={target}"),
        "X-Prometheus-Scrape-Timeout-Seconds: 1.5\r\n",
    );
    let took = start.elapsed();
    assert_eq!(a.status, 200, "{a:?}");
    assert!(
        a.body.contains("redcheck_up{") && a.body.contains("} 0\n"),
        "{}",
        a.body
    );
    // 1.5 s less the 0.5 s offset, plus start-up slack on a busy machine.
    assert!(took < Duration::from_millis(1800), "took {took:?}");
}

#[test]
fn a_probe_that_finds_no_free_slot_before_its_deadline_gets_503() {
    let addr = blackhole_addr().expect("a blackholed loopback address for hanging connects");
    let serve = Serve::start(&["--allow-url-targets", "--concurrency", "1"], &[]);
    let target = format!("/probe?target=redis%3A%2F%2F{}", addr.replace(':', "%3A"));
    let port = serve.port;
    let hold = target.clone();
    // Holds the only slot for 2.5 s.
    let holder = thread::spawn(move || {
        get(port, &hold, "X-Prometheus-Scrape-Timeout-Seconds: 3\r\n").status
    });
    thread::sleep(Duration::from_millis(300));
    let start = Instant::now();
    let a = get(port, &target, "X-Prometheus-Scrape-Timeout-Seconds: 1\r\n");
    assert_eq!(a.status, 503, "{a:?}");
    assert!(a.body.contains("raise --concurrency"), "{}", a.body);
    assert!(
        start.elapsed() < Duration::from_millis(1200),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(holder.join().expect("the holding probe"), 200);
}

#[test]
fn a_flood_of_idle_connections_is_shed_and_the_server_recovers() {
    let server = RedisServer::start();
    let (_keep, targets) = targets_file(&format!(
        "[targets.cache]\nurl = \"redis://127.0.0.1:{}\"\n",
        server.port()
    ));
    let serve = Serve::start(&["--targets", &targets, "--concurrency", "1"], &[]);
    let before = serve.rss_kib();
    let start = Instant::now();
    // 400 connections that never send a byte: 6 workers and a queue of 256 take some, the
    // rest are told 503 at once; every one has its answer within the 3 s head timeout.
    let idle: Vec<TcpStream> = (0..400)
        .map(|_| TcpStream::connect(("127.0.0.1", serve.port)).expect("connect"))
        .collect();
    let mut counts = std::collections::BTreeMap::new();
    // Last first: no connection is closed by this side before the server has dealt with it.
    for mut s in idle.into_iter().rev() {
        s.set_read_timeout(Some(Duration::from_secs(10)))
            .expect("set a read timeout");
        let mut raw = Vec::new();
        let _ = std::io::Read::read_to_end(&mut s, &mut raw);
        let status = if raw.is_empty() {
            0
        } else {
            super::parse_answer(&raw).status
        };
        *counts.entry(status).or_insert(0) += 1;
    }
    let took = start.elapsed();
    eprintln!("400 idle connections: {counts:?} in {took:?}");
    assert!(counts.keys().all(|s| *s == 408 || *s == 503), "{counts:?}");
    assert!(counts.get(&503).is_some_and(|n| *n >= 100), "{counts:?}");
    // One head timeout (3 s) and slack for a busy machine: not one timeout per connection.
    assert!(took < Duration::from_secs(8), "{took:?}");
    let a = get(serve.port, "/probe?target=cache", "");
    assert_eq!(a.status, 200, "{a:?}");
    let metrics = get(serve.port, "/metrics", "");
    let rejected = value(&metrics.body, "redcheck_serve_rejected_connections_total");
    assert!(rejected >= 100.0, "{}", metrics.body);
    let grown = serve.rss_kib().saturating_sub(before);
    assert!(grown < 16 * 1024, "serve grew {grown} KiB");
}

#[test]
fn oversized_requests_are_refused_without_growing_memory() {
    let (_keep, targets) = targets_file("[targets.a]\nurl = \"redis://127.0.0.1:1\"\n");
    let serve = Serve::start(&["--targets", &targets], &[]);
    let before = serve.rss_kib();
    let query = "x".repeat(64 * 1024);
    let a = get(serve.port, &format!("/probe?target={query}"), "");
    assert_eq!(a.status, 414, "{a:?}");
    let header = format!("X-Big: {}\r\n", "y".repeat(64 * 1024));
    let a = get(serve.port, "/probe?target=a", &header);
    assert_eq!(a.status, 431, "{a:?}");
    // Forty clients at once, each streaming 4 MiB of request line.
    let senders: Vec<_> = (0..40)
        .map(|_| {
            let port = serve.port;
            thread::spawn(move || {
                let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) else {
                    return;
                };
                let _ = s.set_write_timeout(Some(Duration::from_secs(5)));
                let _ = s.write_all(b"GET /probe?target=");
                let chunk = vec![b'z'; 64 * 1024];
                for _ in 0..64 {
                    if s.write_all(&chunk).is_err() {
                        return;
                    }
                }
            })
        })
        .collect();
    for s in senders {
        s.join().expect("a sender thread");
    }
    let grown = serve.rss_kib().saturating_sub(before);
    eprintln!("40 x 4 MiB oversized requests: RSS {before} KiB before, +{grown} KiB after");
    assert!(
        grown < 16 * 1024,
        "serve grew {grown} KiB after 160 MiB of oversized requests"
    );
    assert_eq!(get(serve.port, "/probe?target=a", "").status, 200);
}

#[test]
fn slow_clients_time_out_while_others_are_served() {
    let server = RedisServer::start();
    let (_keep, targets) = targets_file(&format!(
        "[targets.cache]\nurl = \"redis://127.0.0.1:{}\"\n",
        server.port()
    ));
    let serve = Serve::start(&["--targets", &targets, "--concurrency", "2"], &[]);
    // Six clients that send half a request line and go quiet: fewer than the 8 workers.
    let slow: Vec<TcpStream> = (0..6)
        .map(|_| {
            let mut s = TcpStream::connect(("127.0.0.1", serve.port)).expect("connect");
            s.write_all(b"GET /probe?tar").expect("send a little");
            s
        })
        .collect();
    let start = Instant::now();
    let a = get(serve.port, "/probe?target=cache", "");
    assert_eq!(a.status, 200, "{a:?}");
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "{:?}",
        start.elapsed()
    );
    for mut s in slow {
        s.set_read_timeout(Some(Duration::from_secs(10)))
            .expect("set a read timeout");
        let mut raw = Vec::new();
        std::io::Read::read_to_end(&mut s, &mut raw).expect("read the 408");
        let answer = super::parse_answer(&raw);
        assert_eq!(answer.status, 408, "{answer:?}");
    }
    // The head timeout is 3 s.
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
}

#[test]
fn a_hundred_concurrent_probes_all_get_an_answer() {
    let server = RedisServer::start();
    let (_keep, targets) = targets_file(&format!(
        "[targets.cache]\nurl = \"redis://127.0.0.1:{}\"\n",
        server.port()
    ));
    let serve = Serve::start(&["--targets", &targets, "--concurrency", "4"], &[]);
    let before = serve.rss_kib();
    let start = Instant::now();
    let port = serve.port;
    let probes: Vec<_> = (0..100)
        .map(|_| thread::spawn(move || get(port, "/probe?target=cache", "").status))
        .collect();
    let statuses: Vec<u16> = probes
        .into_iter()
        .map(|p| p.join().expect("a probe thread"))
        .collect();
    let took = start.elapsed();
    let ok = statuses.iter().filter(|s| **s == 200).count();
    let busy = statuses.iter().filter(|s| **s == 503).count();
    assert_eq!(ok + busy, 100, "{statuses:?}");
    // The queue holds 64 at --concurrency 4: most are probed, the rest told to retry.
    assert!(ok >= 64, "only {ok} of 100 probed: {statuses:?}");
    assert!(took < Duration::from_secs(30), "took {took:?}");
    let metrics = get(port, "/metrics", "");
    let counted = value(&metrics.body, "redcheck_serve_probes_total{result=\"up\"}");
    assert_eq!(counted, f64::from(u32::try_from(ok).unwrap()));
    assert_eq!(value(&metrics.body, "redcheck_serve_probes_in_flight"), 0.0);
    let grown = serve.rss_kib().saturating_sub(before);
    eprintln!(
        "100 concurrent probes: {ok} answered 200, {busy} 503, in {took:?}; RSS +{grown} KiB"
    );
    assert!(grown < 32 * 1024, "serve grew {grown} KiB over 100 probes");
}

#[test]
fn serve_refuses_bad_configuration_at_start() {
    let run = redcheck(&["serve"]);
    run.assert_code(2);
    assert!(run.stderr.contains("--targets"), "{}", run.stderr);
    let run = redcheck(&["serve", "--allow-url-targets", "--listen", ":9121"]);
    run.assert_code(2);
    assert!(run.stderr.contains("0.0.0.0:9121"), "{}", run.stderr);
    let (_keep, targets) = targets_file(&format!(
        "[targets.a]\nurl = \"redis://:{SECRET}@127.0.0.1:{}\"\n",
        unused_port()
    ));
    let run = redcheck(&["serve", "--targets", &targets]);
    run.assert_code(2);
    assert!(run.stderr.contains("password_env"), "{}", run.stderr);
    run.assert_no_secret();
    let (_keep, targets) =
        targets_file("[targets.a]\nurl = \"redis://h\"\npassword_env = \"UNSET_PW\"\n");
    let run = redcheck(&["serve", "--targets", &targets]);
    run.assert_code(2);
    assert!(run.stderr.contains("UNSET_PW"), "{}", run.stderr);
}
