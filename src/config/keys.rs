//! `keys` arguments → a validated config.

use std::time::Duration;

use super::{
    CheckConfig, Config, Extras, UsageError, output_config, validate_connect_timeout,
    validate_password_args, validate_targets, validate_tls, workload,
};
use crate::cli::KeysArgs;

/// A validated `keys` invocation.
pub struct KeysConfig {
    /// Target, connection and output settings; the cluster stage finds the primaries.
    pub base: Config,
    /// Only this database.
    pub db: Option<u32>,
    /// Keys to sample per database and primary.
    pub sample: usize,
    /// Time budget per database, pauses included.
    pub budget: Duration,
    /// `SCAN … MATCH` glob.
    pub pattern: Option<String>,
}

impl KeysConfig {
    /// Validates the arguments of `keys`.
    pub fn from_args(args: &KeysArgs) -> Result<KeysConfig, UsageError> {
        let s = &args.server;
        if let Some(p) = &args.pattern
            && p.is_empty()
        {
            return Err(UsageError(
                "--pattern is empty: give a glob such as 'sess:*'".into(),
            ));
        }
        Ok(KeysConfig {
            base: Config {
                urls: validate_targets(s.url.as_slice(), &[])?,
                check: CheckConfig {
                    timeout: s.timing.timeout,
                    connect_timeout: validate_connect_timeout(&s.timing),
                    samples: 1,
                    tls: validate_tls(&s.tls, s.timing.timeout)?,
                    handshake_only: false,
                    password: validate_password_args(&s.password, s.timing.timeout)?,
                    extras: Extras {
                        cluster: true,
                        ..Extras::default()
                    },
                    sentinel: crate::url::sentinel::SentinelFlags::default(),
                },
                workload: args.workload.map(workload),
                output: output_config(&s.output, s.timing.timeout),
                output_file: None,
            },
            db: args.db,
            sample: usize::try_from(args.sample).unwrap_or(usize::MAX),
            budget: args.budget,
            pattern: args.pattern.clone(),
        })
    }
}
