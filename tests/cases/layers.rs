//! The architecture, enforced: no top-level module of `src/` imports one in a higher layer
//! (docs/ARCHITECTURE.md draws the same table). A new module must be given a layer here.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Layers from the bottom up; a module may import its own layer's modules only where the
/// list puts the imported one earlier (same row, to its left), and any lower layer.
const LAYERS: &[&[&str]] = &[
    // Leaves: pure helpers and plain data.
    &[
        "text", "deadline", "usage", "failure", "verdict", "latency", "provider", "info", "secret",
        "input", "keyspace",
    ],
    // Parsing and transport: URLs, certificates, trust roots, the RESP connection.
    &["url", "x509", "conn", "trust"],
    // Arguments and their validation.
    &["cli", "config"],
    // The stages: facts about one target.
    &["probe"],
    // From facts to verdicts: client readings, the report's contract types, the checks.
    &["clients", "report", "checks"],
    // Renderers.
    &["output"],
    // Runners and exit codes.
    &["exit_code", "app"],
];

/// (layer, position in it) of a module.
fn rank(module: &str) -> Option<(usize, usize)> {
    LAYERS
        .iter()
        .enumerate()
        .find_map(|(l, row)| row.iter().position(|m| *m == module).map(|p| (l, p)))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src/") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `crate::NAME` paths in the non-test code of a file.
fn imports(text: &str) -> Vec<String> {
    let code = text.split("#[cfg(test)]\nmod tests").next().unwrap_or(text);
    let mut found = Vec::new();
    let mut rest = code;
    while let Some(i) = rest.find("crate::") {
        rest = &rest[i + "crate::".len()..];
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if !name.is_empty() {
            found.push(name);
        }
        // `use crate::{a, b::c}`: each name of the group.
        if rest.starts_with('{')
            && let Some(end) = rest.find('}')
        {
            for part in rest[1..end].split(',') {
                let name: String = part
                    .trim()
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    found.push(name);
                }
            }
        }
    }
    found
}

#[test]
fn no_module_imports_one_above_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut wrong: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for file in files {
        let rel = file.strip_prefix(&src).expect("under src/");
        let name = rel.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        // Test modules may reach anywhere.
        if name == "tests.rs" || name.ends_with("_tests.rs") || name == "snapshots.rs" {
            continue;
        }
        let top = rel
            .components()
            .next()
            .and_then(|c| c.as_os_str().to_str())
            .unwrap_or_default()
            .trim_end_matches(".rs")
            .to_string();
        if matches!(top.as_str(), "main" | "proptests") {
            continue;
        }
        let Some(own) = rank(&top) else {
            wrong
                .entry(top.clone())
                .or_default()
                .push("has no layer in tests/cases/layers.rs".into());
            continue;
        };
        let text = std::fs::read_to_string(&file).expect("read a source file");
        for used in imports(&text) {
            if used == top {
                continue;
            }
            match rank(&used) {
                Some(theirs) if theirs < own => {}
                Some(_) => wrong
                    .entry(format!("{}", rel.display()))
                    .or_default()
                    .push(format!("imports crate::{used}, which is not below {top}")),
                None => {}
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports against the layers (docs/ARCHITECTURE.md):\n{wrong:#?}"
    );
}

#[test]
fn the_checker_sees_imports() {
    assert_eq!(
        imports("use crate::{text::plural, url};\nfn f() { crate::probe::run(); }"),
        ["text", "url", "probe"]
    );
    assert!(imports("#[cfg(test)]\nmod tests {\n use crate::app;\n}").is_empty());
}
