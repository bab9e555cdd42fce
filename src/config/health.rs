//! `memory` and `latency` arguments → validated configs.

use std::time::Duration;

use super::{
    CheckConfig, Config, Extras, UsageError, output_config, validate_connect_timeout,
    validate_password_args, validate_targets, validate_tls, workload,
};
use crate::cli::{LatencyArgs, MemoryArgs, ServerArgs};

impl Config {
    /// Validates the arguments of `memory`: one target, no pub/sub, cluster or write stages.
    pub fn from_memory(args: &MemoryArgs) -> Result<Config, UsageError> {
        Ok(Config {
            workload: args.workload.map(workload),
            ..one_server(&args.server, 1)?
        })
    }
}

/// One target with no stages after INFO, taking `samples` PINGs.
pub(super) fn one_server(s: &ServerArgs, samples: usize) -> Result<Config, UsageError> {
    Ok(Config {
        urls: validate_targets(s.url.as_slice(), &[])?,
        check: CheckConfig {
            timeout: s.timing.timeout,
            connect_timeout: validate_connect_timeout(&s.timing),
            samples,
            tls: validate_tls(&s.tls, s.timing.timeout)?,
            handshake_only: false,
            password: validate_password_args(&s.password, s.timing.timeout)?,
            extras: Extras::default(),
            sentinel: crate::url::sentinel::SentinelFlags::default(),
        },
        workload: None,
        output: output_config(&s.output, s.timing.timeout),
        output_file: None,
    })
}

/// A validated `latency` invocation.
pub struct LatencyConfig {
    /// Target, connection and output settings.
    pub base: Config,
    /// Round trips to time; `None` with `--watch` (until Ctrl-C).
    pub count: Option<u64>,
    /// Time between the starts of two round trips.
    pub interval: Duration,
    /// Bound on each round trip.
    pub per_sample: Duration,
}

impl LatencyConfig {
    /// Validates the arguments of `latency`.
    pub fn from_args(args: &LatencyArgs) -> Result<LatencyConfig, UsageError> {
        Ok(LatencyConfig {
            // The connection is checked up to AUTH; the sampling does the rest.
            base: one_server(&args.server, 0)?,
            count: (!args.watch).then_some(args.count),
            interval: args.interval,
            per_sample: args.server.timing.timeout,
        })
    }
}
