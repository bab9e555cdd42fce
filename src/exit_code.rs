//! Exit codes CI can trust.

use crate::report::{Report, Status};

/// The process exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitCode {
    /// No check failed (warnings allowed unless `--strict`).
    Success,
    /// A check failed.
    CheckFailed,
    /// Bad flags or no URL.
    Usage,
    /// redcheck itself failed.
    Internal,
}

impl ExitCode {
    /// The number the shell sees.
    pub fn code(self) -> i32 {
        match self {
            ExitCode::Success => 0,
            ExitCode::CheckFailed => 1,
            ExitCode::Usage => 2,
            ExitCode::Internal => 3,
        }
    }

    /// The code for a set of reports: the worst of them.
    pub fn for_reports(reports: &[Report], strict: bool) -> ExitCode {
        let bad = |r: &Report| r.verdict == Status::Fail || (strict && r.verdict == Status::Warn);
        if reports.iter().any(bad) {
            ExitCode::CheckFailed
        } else {
            ExitCode::Success
        }
    }
}

impl From<ExitCode> for std::process::ExitCode {
    fn from(c: ExitCode) -> Self {
        std::process::ExitCode::from(u8::try_from(c.code()).unwrap_or(3))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{TargetInfo, Tool};

    fn report(verdict: Status) -> Report {
        Report {
            version: 1,
            tool: Tool {
                name: "redcheck",
                version: "0",
            },
            target: TargetInfo::default(),
            verdict,
            elapsed_ms: 0.0,
            checks: Vec::new(),
        }
    }

    #[test]
    fn codes_are_stable() {
        assert_eq!(
            [
                ExitCode::Success,
                ExitCode::CheckFailed,
                ExitCode::Usage,
                ExitCode::Internal
            ]
            .map(ExitCode::code),
            [0, 1, 2, 3]
        );
    }

    #[test]
    fn worst_report_wins_and_strict_counts_warnings() {
        let mixed = [report(Status::Pass), report(Status::Warn)];
        assert_eq!(ExitCode::for_reports(&mixed, false), ExitCode::Success);
        assert_eq!(ExitCode::for_reports(&mixed, true), ExitCode::CheckFailed);
        assert_eq!(
            ExitCode::for_reports(&[report(Status::Pass), report(Status::Fail)], false),
            ExitCode::CheckFailed
        );
        assert_eq!(ExitCode::for_reports(&[], true), ExitCode::Success);
    }
}
