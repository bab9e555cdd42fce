//! Sentinel URLs: the forms the libraries document, the split credentials, and what is never
//! shown.

use super::*;

fn spec(t: &Target) -> &SentinelSpec {
    t.sentinel.as_deref().expect("a Sentinel target")
}

#[test]
fn the_forms_people_paste() {
    let cases = [
        // redis-py helpers: host list, /service_name/db.
        (
            "redis+sentinel://:pw@s1:26379,s2:26380,s3/mymaster/2",
            "mymaster",
            "path",
            3,
            2,
            false,
        ),
        // Lettuce: database in the path, master in the fragment.
        (
            "redis-sentinel://pw@10.0.0.1:26379,10.0.0.2/1#mymaster",
            "mymaster",
            "fragment",
            2,
            1,
            false,
        ),
        ("rediss-sentinel://h1#m", "m", "fragment", 1, 0, true),
        ("rediss+sentinel://h1/m", "m", "path", 1, 0, true),
        (
            "redis+sentinel://h1?sentinelMasterId=m&db=3",
            "m",
            "query",
            1,
            3,
            false,
        ),
        (
            "redis+sentinel://h1?master_name=m&tls=true",
            "m",
            "query",
            1,
            0,
            true,
        ),
        (
            "redis+sentinel://[::1]:26379,[::1]/m",
            "m",
            "path",
            2,
            0,
            false,
        ),
    ];
    for (url, master, from, n, db, tls) in cases {
        let t = Target::parse(url).unwrap_or_else(|e| panic!("{url}: {e}"));
        let s = spec(&t);
        assert_eq!(
            (s.master.as_str(), s.master_from, s.nodes.len(), t.db, t.tls),
            (master, from, n, db, tls),
            "{url}"
        );
    }
}

#[test]
fn sentinels_default_to_26379_and_credentials_split() {
    let t = Target::parse(
        "redis+sentinel://app:pw@s1,s2:5000/mymaster/0?sentinel_password=spw&sentinel_username=sent",
    )
    .unwrap();
    let s = spec(&t);
    assert_eq!(s.addresses(), ["s1:26379", "s2:5000"]);
    assert_eq!(t.username.as_deref(), Some("app"));
    assert_eq!(t.password.as_ref().map(Secret::expose), Some("pw"));
    assert_eq!(s.username.as_deref(), Some("sent"));
    assert_eq!(s.password.as_ref().map(Secret::expose), Some("spw"));
    let shown = t.to_string();
    assert_eq!(
        shown,
        "redis+sentinel://app:****@s1:26379,s2:5000/mymaster/0?sentinel_username=sent&sentinel_password=****"
    );
    assert!(!shown.contains("spw") && !shown.contains(":pw"));
}

#[test]
fn mistakes_are_named() {
    for (url, says) in [
        ("redis+sentinel://s1:26379", "no master name"),
        ("redis+sentinel://s1:26379/0", "no master name"),
        ("redis+sentinel:///mymaster", "no Sentinel"),
        (
            "redis+sentinel://s1,s2:x/m",
            "Sentinel 2 of the list: the port is not a number",
        ),
        ("redis+sentinel://s1/a/0/extra", "/master/db"),
    ] {
        let err = Target::parse(url).unwrap_err().to_string();
        assert!(err.contains(says), "{url}: {err}");
    }
}

#[test]
fn a_password_missing_its_at_is_never_quoted() {
    let err = Target::parse("redis+sentinel://user:hunter2,s2/m")
        .unwrap_err()
        .to_string();
    assert!(!err.contains("hunter2"), "{err}");
    let shown = crate::url::redact_raw("redis+sentinel://s1/m?sentinel_password=hunter2&x=1");
    assert!(!shown.contains("hunter2"), "{shown}");
    // A raw '#' in a query password: the rest is neither a master name nor shown.
    let err = Target::parse("redis+sentinel://s1?sentinel_password=ab#hunter2")
        .unwrap_err()
        .to_string();
    assert!(!err.contains("hunter2"), "{err}");
    let t = Target::parse("redis+sentinel://s1/m?sentinel_password=ab#hunter2").unwrap();
    assert_eq!(t.sentinel.as_ref().unwrap().master, "m");
    assert!(!format!("{t} {:?}", t.lints).contains("hunter2"));
}

#[test]
fn the_flag_turns_a_plain_url_at_a_sentinel_into_a_sentinel_target() {
    let mut t = Target::parse("redis://:pw@127.0.0.1:26379/0").unwrap();
    t.apply_sentinel_flags(&SentinelFlags {
        master: Some("mymaster".into()),
        user: None,
        password: Some(Secret::new("spw")),
    });
    let s = spec(&t);
    assert_eq!(s.master_from, "--sentinel-master");
    assert_eq!(s.password.as_ref().map(Secret::expose), Some("spw"));
    assert_eq!(
        t.to_string(),
        "redis+sentinel://:****@127.0.0.1:26379/mymaster/0"
    );
    let node = t.at(Host::Name("m".into()), 6380);
    assert_eq!(node.port(), Some(6380));
    assert_eq!(node.to_string(), t.to_string());
}
