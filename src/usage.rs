//! redcheck's own usage errors: a bad flag, an unreadable file it was given (exit code 2).

/// A mistake in how redcheck was called: exit code 2. The message names the flag.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);
