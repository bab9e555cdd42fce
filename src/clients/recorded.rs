//! The library models checked against readings recorded from the real libraries: every URL
//! of tests/fixtures/urls.txt × every library and version in tests/fixtures/client-readings/,
//! field by field. Re-record with scripts/record-client-readings; CI needs only these files.

use std::fmt::Write as _;
use std::path::Path;

use serde_json::Value;

use super::RECORDED;
use super::model::Raw;

/// Cases where the library's behaviour is undefined, so its recording says nothing stable.
/// (library, url as written in urls.txt, field, why). Keep this short and say why.
const ALLOWED: &[(&str, &str, &str, &str)] = &[];

fn fixtures() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// The corpus escapes, as scripts/record-client-readings decodes them.
pub(crate) fn decode_line(line: &str) -> String {
    let mut out = String::new();
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('t') => out.push('\t'),
            Some('\\') => out.push('\\'),
            Some('x') => {
                let hex: String = chars.by_ref().take(2).collect();
                out.push(char::from(u8::from_str_radix(&hex, 16).expect("\\xHH")));
            }
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

pub(crate) fn corpus() -> Vec<String> {
    std::fs::read_to_string(fixtures().join("urls.txt"))
        .expect("tests/fixtures/urls.txt")
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect()
}

fn recording(name: &str, version: &str) -> Vec<Value> {
    let path = fixtures().join(format!("client-readings/{name}-{version}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}: run scripts/record-client-readings",
            path.display()
        )
    });
    let v: Value = serde_json::from_str(&text).expect("recording is JSON");
    assert_eq!(v["library"], name);
    assert_eq!(
        v["version"],
        version,
        "{}: the model and the recording name different versions",
        path.display()
    );
    v["readings"].as_array().expect("readings").clone()
}

/// The model's reading as the recorder writes it.
fn as_recorded(r: &Raw) -> Value {
    if let Some(e) = &r.rejects {
        return serde_json::json!({ "rejects": e });
    }
    serde_json::json!({
        "rejects": null,
        "tls": r.tls,
        "host": r.host,
        "port": r.port,
        "socket": r.socket,
        "user": r.user,
        "password": r.password.as_ref().map(crate::secret::Secret::expose),
        "db": r.db,
        "protocol": r.protocol,
        "ignored": r.ignored,
        "misread": r.misread,
    })
}

const FIELDS: [&str; 10] = [
    "tls", "host", "port", "socket", "user", "password", "db", "protocol", "ignored", "misread",
];

#[test]
fn models_agree_with_the_recorded_libraries() {
    let lines = corpus();
    assert!(lines.len() >= 150, "the corpus has {} URLs", lines.len());
    let mut report = String::new();
    let mut disagreements = 0;
    let mut compared = 0;
    for lib in &RECORDED {
        let recorded = recording(lib.name, lib.version);
        assert_eq!(
            recorded.len(),
            lines.len(),
            "{} {}: re-record after changing urls.txt",
            lib.name,
            lib.version
        );
        for (line, rec) in lines.iter().zip(&recorded) {
            assert_eq!(
                rec["url"],
                line.as_str(),
                "{} {}: corpus order",
                lib.name,
                lib.version
            );
            let model = as_recorded(&(lib.read)(&decode_line(line)));
            let mut diffs = Vec::new();
            let rec_rejects = !rec["rejects"].is_null();
            let model_rejects = !model["rejects"].is_null();
            if rec_rejects != model_rejects {
                diffs.push((
                    "rejects",
                    format!("recorded {} · model {}", rec["rejects"], model["rejects"]),
                ));
            } else if !rec_rejects {
                for f in FIELDS {
                    // redis-cli reads no query, so what it skips is not observable: not recorded.
                    if rec[f].is_null() && matches!(f, "ignored" | "misread") {
                        continue;
                    }
                    if rec[f] != model[f] {
                        diffs.push((f, format!("recorded {} · model {}", rec[f], model[f])));
                    }
                }
            }
            compared += 1;
            for (field, what) in diffs {
                if ALLOWED
                    .iter()
                    .any(|(l, u, f, _)| *l == lib.name && *u == line && *f == field)
                {
                    continue;
                }
                disagreements += 1;
                let _ = writeln!(
                    report,
                    "{} {} {line:?} {field}: {what}",
                    lib.name, lib.version
                );
            }
        }
    }
    assert!(compared >= 150 * 7, "{compared} readings compared");
    assert_eq!(
        disagreements, 0,
        "{disagreements} disagreements with the recordings:\n{report}"
    );
}

#[test]
fn the_allow_list_names_real_cases() {
    let lines = corpus();
    for (lib, url, field, why) in ALLOWED {
        assert!(lines.iter().any(|l| l == url), "{url}: not in the corpus");
        assert!(
            RECORDED.iter().any(|l| l.name == *lib),
            "{lib}: not recorded"
        );
        assert!(FIELDS.contains(field) || *field == "rejects", "{field}");
        assert!(!why.is_empty());
    }
}
