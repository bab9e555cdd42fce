//! From URLs to probed findings: parse each URL, attach its password and trust roots
//! ([`prepare`]), then probe every target at once ([`probe_all`]).

use std::sync::OnceLock;

use super::{Findings, Prepared};
use crate::config::{CheckConfig, UsageError};
use crate::trust::{self, Roots};
use crate::url::Target;

/// Parses every URL, supplies a password from outside the URL when it has none and is the
/// only target, and loads
/// its trust roots. A CA file that cannot be read is a usage error; the system store is read
/// once, and only when a `rediss://` target needs it.
pub fn prepare(urls: &[String], cfg: &CheckConfig) -> Result<Vec<Prepared>, UsageError> {
    static SYSTEM: OnceLock<Roots> = OnceLock::new();
    let single = urls.len() == 1;
    urls.iter()
        .map(|raw| {
            let mut target = Target::parse(raw);
            if let Ok(t) = &mut target {
                t.apply_sentinel_flags(&cfg.sentinel);
            }
            if let Ok(t) = &mut target
                && cfg.handshake_only
                && matches!(t.endpoint, crate::url::Endpoint::Tcp { .. })
            {
                t.tls = true;
            }
            // Shown as given: a password supplied below must not make `:****@` appear.
            let shown = match &target {
                Ok(t) => t.to_string(),
                Err(_) => crate::url::redact_raw(raw),
            };
            // REDISCLI_AUTH and --password-file name no host: with several targets (say an
            // --env URL of another vendor) they would be sent to servers never meant to get them.
            match (&mut target, &cfg.password) {
                (Ok(t), Some(pw)) if single => {
                    t.supply_password(pw.secret.clone(), pw.source);
                }
                (Ok(t), Some(pw)) => t.decline_password(pw.source),
                _ => {}
            }
            let roots = match &target {
                Ok(t) if t.tls => Some(match (&cfg.tls.cacert, &t.ca_file) {
                    (Some(roots), _) => roots.clone(),
                    (None, Some(path)) => trust::custom_roots(path, "?ssl_ca_certs=", cfg.timeout)
                        .map_err(|e| UsageError(format!("{e:#}")))?,
                    (None, None) => SYSTEM.get_or_init(trust::system_roots).clone(),
                }),
                _ => None,
            };
            Ok(Prepared {
                shown,
                target,
                roots,
            })
        })
        .collect()
}

/// Probes the targets concurrently, at most `pool::MAX_WORKERS` at once, keeping argument
/// order. Each target has its own `--timeout` from the moment it starts.
///
/// When no thread can start (a pids limit, `ulimit -v`), the targets are probed on this
/// thread, one after the other, within what is left of one overall `--timeout`.
pub fn probe_all(
    prepared: &[Prepared],
    cfg: &CheckConfig,
    on_stage: &(dyn Fn(&'static str) + Sync),
) -> Vec<Findings> {
    probe_all_then(prepared, cfg, on_stage, |f| f)
}

/// [`probe_all`], handing each target's findings to `then` on the thread that probed it, as
/// soon as that target is done: with many targets, judging them (and freeing their findings
/// where they were allocated) overlaps the others' round trips instead of following the last.
pub fn probe_all_then<R: Send>(
    prepared: &[Prepared],
    cfg: &CheckConfig,
    on_stage: &(dyn Fn(&'static str) + Sync),
    then: impl Fn(Findings) -> R + Sync,
) -> Vec<R> {
    if prepared.len() == 1 {
        return vec![then(super::run(&prepared[0], cfg, on_stage))];
    }
    let overall = crate::deadline::Deadline::after(cfg.timeout);
    super::pool::map(prepared, |p, here| {
        then(if here {
            let left = CheckConfig {
                timeout: overall.left(),
                ..cfg.clone()
            };
            super::run(p, &left, on_stage)
        } else {
            super::run(p, cfg, on_stage)
        })
    })
}
