//! One module per area.

mod core;
mod health;
mod keyspace;
mod robustness;
mod secrets;
mod support;
mod tls;
mod ux;
