//! redcheck: a command-line doctor for Redis connections.

mod app;
mod checks;
mod cli;
mod clients;
mod config;
mod conn;
mod deadline;
mod exit_code;
mod failure;
mod info;
mod input;
mod keyspace;
mod latency;
mod output;
mod probe;
#[cfg(test)]
mod proptests;
mod provider;
mod report;
mod secret;
mod text;
mod trust;
mod url;
mod usage;
mod verdict;
mod x509;

use clap::Parser;

use crate::exit_code::ExitCode;
use crate::usage::UsageError;

fn main() -> std::process::ExitCode {
    let cli = cli::Cli::parse();
    match app::run(cli) {
        Ok(code) => code.into(),
        Err(err) => {
            output::eprint_line(&format!("redcheck: error: {err:#}"));
            if err.downcast_ref::<UsageError>().is_some() {
                ExitCode::Usage
            } else {
                ExitCode::Internal
            }
            .into()
        }
    }
}
