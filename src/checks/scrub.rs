//! Takes the password out of a finished report: a server or proxy may echo it back
//! (`-ERR invalid password 'xyz'`), and its text reaches summaries, hints and `data`.
//!
//! The rules are [`Masker`]'s: the writer every output goes through hides a long password
//! anywhere; here, the fields that hold server text (`data` keys and values) also lose a
//! shorter one where it stands as a word, and a value that is exactly a very short one.

use serde_json::Value;

use crate::report::Report;
use crate::secret::Masker;

/// Masks every string of the report (target, summaries, hints, `data` keys and values).
pub fn report(r: &mut Report, m: &Masker) {
    if m.is_empty() {
        return;
    }
    let s = |text: &mut String| {
        if let std::borrow::Cow::Owned(clean) = m.anywhere(text) {
            *text = clean;
        }
    };
    s(&mut r.target.url);
    for text in [&mut r.target.host, &mut r.target.username]
        .into_iter()
        .flatten()
    {
        s(text);
    }
    for c in &mut r.checks {
        s(&mut c.summary);
        if let Some(h) = &mut c.hint {
            s(h);
        }
        let data = std::mem::take(&mut c.data);
        c.data = data
            .into_iter()
            .map(|(k, mut v)| {
                value(&mut v, m);
                (m.foreign(&k).into_owned(), v)
            })
            .collect();
    }
}

/// Masks every string and object key inside a JSON value, as server text.
pub fn value(v: &mut Value, m: &Masker) {
    match v {
        Value::String(text) => {
            if let std::borrow::Cow::Owned(clean) = m.foreign(text) {
                *text = clean;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|i| value(i, m)),
        Value::Object(map) => {
            let old = std::mem::take(map);
            *map = old
                .into_iter()
                .map(|(k, mut v)| {
                    value(&mut v, m);
                    (m.foreign(&k).into_owned(), v)
                })
                .collect();
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reaches_into_nested_data_and_keys() {
        let m = Masker::of(["hunter22"]);
        let mut v = serde_json::json!({"a": ["x hunter22", {"b": "hunter22"}], "n": 1, "errorstat_hunter22": 5});
        value(&mut v, &m);
        assert_eq!(
            v,
            serde_json::json!({"a": ["x ****", {"b": "****"}], "n": 1, "errorstat_****": 5})
        );
    }

    #[test]
    fn a_very_short_password_goes_only_where_a_value_is_exactly_it() {
        let m = Masker::of(["0"]);
        let mut v = serde_json::json!({"host": "127.0.0.1", "policy": "0", "n": 0});
        value(&mut v, &m);
        assert_eq!(
            v,
            serde_json::json!({"host": "127.0.0.1", "policy": "****", "n": 0})
        );
    }
}
