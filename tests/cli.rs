//! Integration tests: the redcheck binary against real redis-server processes and scripted
//! fake servers that the tests start themselves.

mod cases;
mod support;
