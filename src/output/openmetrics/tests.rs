//! Unit tests of the OpenMetrics renderer, from hand-built reports.

use super::*;
use crate::report::TargetInfo;
use crate::verdict::{CheckId, Tool};
use serde_json::json;

fn check(id: &'static str, status: Status, ms: Option<f64>, data: Value) -> Check {
    Check {
        id: CheckId::named(id),
        status,
        summary: String::new(),
        hint: None,
        duration_ms: ms,
        data: match data {
            Value::Object(m) => m,
            _ => serde_json::Map::new(),
        },
    }
}

fn report(url: &str, verdict: Status, checks: Vec<Check>) -> Report {
    Report {
        version: 1,
        tool: Tool {
            name: "redcheck",
            version: "0",
        },
        target: TargetInfo {
            url: url.into(),
            ..TargetInfo::default()
        },
        verdict,
        elapsed_ms: 12.5,
        checks,
    }
}

#[test]
fn timestamps_round_trip_through_the_reports_form() {
    for t in [0_i64, 951_782_400, 1_764_547_200, 4_102_444_799, -86_400] {
        let text = crate::x509::rfc3339(t);
        #[allow(clippy::cast_precision_loss)]
        let want = t as f64;
        assert_eq!(unix_time(&text), Some(want), "{text}");
    }
    for bad in ["", "2026-13-01T00:00:00Z", "2026-12-01 00:00:00Z", "soon"] {
        assert_eq!(unix_time(bad), None, "{bad}");
    }
}

#[test]
fn a_failing_target_is_down_with_its_reason_and_no_numbers_it_did_not_measure() {
    let r = report(
        "redis://:****@h:6379/0",
        Status::Fail,
        vec![
            check("tcp", Status::Fail, Some(3.0), json!({"reason": "refused"})),
            check("ping", Status::Skip, None, json!({})),
        ],
    );
    let text = render(&[r]);
    assert!(text.contains("redcheck_up{target=\"redis://:****@h:6379/0\"} 0\n"));
    assert!(text.contains(
        "redcheck_check_status{target=\"redis://:****@h:6379/0\",check=\"tcp\",reason=\"refused\"} 3\n"
    ));
    assert!(
        text.contains(
            "redcheck_check_status{target=\"redis://:****@h:6379/0\",check=\"ping\"} -1\n"
        )
    );
    assert!(text.contains(
        "redcheck_duration_seconds{target=\"redis://:****@h:6379/0\",check=\"tcp\"} 0.003\n"
    ));
    assert!(!text.contains("redcheck_ping_seconds{"));
    assert!(!text.contains("redcheck_info{"));
    assert!(text.ends_with("# EOF\n"));
}

#[test]
fn families_appear_once_with_every_target_under_them() {
    let ok = |url| {
        report(
            url,
            Status::Pass,
            vec![
                check(
                    "ping",
                    Status::Pass,
                    Some(1.0),
                    json!({"samples": 4, "min_ms": 0.1, "p50_ms": 0.2, "p95_ms": 0.3,
                           "p99_ms": 0.3, "max_ms": 0.4, "mean_ms": 0.25}),
                ),
                check(
                    "tls",
                    Status::Pass,
                    Some(2.0),
                    json!({"not_after": "2027-01-01T00:00:00Z"}),
                ),
                check(
                    "memory",
                    Status::Pass,
                    None,
                    json!({"used_bytes": 25, "maxmemory_bytes": 100}),
                ),
                check(
                    "server",
                    Status::Pass,
                    Some(0.5),
                    json!({"name": "redis", "version": "7.0.15", "mode": "standalone",
                           "role": "master"}),
                ),
            ],
        )
    };
    let text = render(&[ok("rediss://a:6380/0"), ok("rediss://b\"\\\n:6380/0")]);
    assert_eq!(text.matches("# TYPE redcheck_up gauge").count(), 1);
    let first = text.find("redcheck_up{target=\"rediss://a").unwrap();
    let second = text.find("redcheck_up{target=\"rediss://b").unwrap();
    let status = text.find("# TYPE redcheck_check_status").unwrap();
    assert!(first < second && second < status, "{text}");
    assert!(
        text.contains("target=\"rediss://b\\\"\\\\\\n:6380/0\""),
        "{text}"
    );
    assert!(
        text.contains(
            "redcheck_ping_seconds{target=\"rediss://a:6380/0\",quantile=\"0.5\"} 0.0002\n"
        )
    );
    assert!(text.contains("redcheck_ping_seconds_sum{target=\"rediss://a:6380/0\"} 0.001\n"));
    assert!(text.contains("redcheck_ping_seconds_count{target=\"rediss://a:6380/0\"} 4\n"));
    assert!(text.contains(
        "redcheck_tls_cert_expiry_timestamp_seconds{target=\"rediss://a:6380/0\"} 1798761600\n"
    ));
    assert!(text.contains("redcheck_memory_used_ratio{target=\"rediss://a:6380/0\"} 0.25\n"));
    assert!(text.contains("redcheck_info{target=\"rediss://a:6380/0\",server=\"redis\",version=\"7.0.15\",mode=\"standalone\",role=\"master\"} 1\n"));
    assert!(text.contains("# UNIT redcheck_memory_used_ratio ratio\n"));
}

#[test]
fn numbers_are_plain_decimals_to_the_nanosecond() {
    let shown = |v: f64| {
        let mut s = String::new();
        number_into(&mut s, v);
        s
    };
    assert_eq!(shown(0.234 / 1000.0), "0.000234");
    assert_eq!(shown(1_798_761_600.0), "1798761600");
    assert_eq!(shown(-1.0), "-1");
    assert_eq!(shown(0.25), "0.25");
    assert_eq!(shown(-0.0), "0");
    assert_eq!(shown(1e-12), "0");
}

#[test]
fn a_repeated_target_gets_a_distinct_label() {
    let r = report("redis://:****@h:6379/0", Status::Pass, vec![]);
    let text = render(&[r.clone(), r.clone(), r]);
    assert!(text.contains("redcheck_up{target=\"redis://:****@h:6379/0\"} 1\n"));
    assert!(text.contains("redcheck_up{target=\"redis://:****@h:6379/0 (2)\"} 1\n"));
    assert!(text.contains("redcheck_up{target=\"redis://:****@h:6379/0 (3)\"} 1\n"));
}

#[test]
fn counters_are_named_per_dialect() {
    let f = Family {
        name: "x_requests",
        kind: Kind::Counter,
        unit: None,
        help: "h",
    };
    let mut om = String::new();
    header(&mut om, &f, Dialect::OpenMetrics);
    assert_eq!(om, "# TYPE x_requests counter\n# HELP x_requests h\n");
    let mut prom = String::new();
    header(&mut prom, &f, Dialect::Prometheus);
    assert_eq!(
        prom,
        "# TYPE x_requests_total counter\n# HELP x_requests_total h\n"
    );
    assert_eq!(
        Dialect::from_accept(Some("application/openmetrics-text;version=1.0.0,*/*;q=0.1")),
        Dialect::OpenMetrics
    );
    assert_eq!(Dialect::from_accept(None), Dialect::Prometheus);
}
