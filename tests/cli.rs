//! Integration tests: the redcheck binary against real redis-server processes and scripted
//! fake servers that the tests start themselves.

// Tests print diagnostics of their own; the masking-writer rule is for the binary.
#![allow(clippy::print_stderr, clippy::print_stdout, clippy::disallowed_methods)]

mod cases;
mod support;
