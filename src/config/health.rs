//! `memory` arguments → a validated config.

use super::{
    CheckConfig, Config, Extras, UsageError, output_config, validate_connect_timeout,
    validate_targets, validate_tls, workload,
};
use crate::cli::MemoryArgs;

impl Config {
    /// Validates the arguments of `memory`: one target, no pub/sub, cluster or write stages.
    pub fn from_memory(args: &MemoryArgs) -> Result<Config, UsageError> {
        Ok(Config {
            urls: validate_targets(args.url.as_slice(), &[])?,
            check: CheckConfig {
                timeout: args.timeout,
                connect_timeout: validate_connect_timeout(args.connect_timeout, args.timeout),
                samples: 1,
                tls: validate_tls(&args.tls)?,
                handshake_only: false,
                extras: Extras::default(),
            },
            workload: args.workload.map(workload),
            output: output_config(&args.output),
        })
    }
}
