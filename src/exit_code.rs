//! Exit codes CI can trust.

use crate::report::Report;

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
        if reports.iter().any(|r| r.verdict.fails(strict)) {
            ExitCode::CheckFailed
        } else {
            ExitCode::Success
        }
    }

    /// This code once `what` was written to stdout: a reader that went away (`| head -1`) is
    /// no failure of the check, so the code stands; any other write error is redcheck's own.
    pub fn after_writing(self, written: std::io::Result<()>, what: &str) -> anyhow::Result<Self> {
        match written {
            Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
                Err(anyhow::Error::new(e).context(format!("writing {what}")))
            }
            _ => Ok(self),
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
    use crate::verdict::Status;

    #[test]
    fn a_closed_stdout_keeps_the_code_and_other_write_errors_are_internal() {
        let closed = std::io::Error::from(std::io::ErrorKind::BrokenPipe);
        assert_eq!(
            ExitCode::CheckFailed
                .after_writing(Err(closed), "the report")
                .unwrap(),
            ExitCode::CheckFailed
        );
        let full = std::io::Error::from(std::io::ErrorKind::StorageFull);
        let err = ExitCode::Success
            .after_writing(Err(full), "the report")
            .unwrap_err();
        assert!(
            format!("{err:#}").starts_with("writing the report: "),
            "{err:#}"
        );
    }
    use crate::report::TargetInfo;
    use crate::verdict::Tool;

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
