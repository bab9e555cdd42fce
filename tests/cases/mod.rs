//! One module per area.

mod core;
mod health;
mod hostile;
mod idle;
mod keyspace;
mod layers;
mod metrics;
mod resets;
mod robustness;
mod secrets;
mod sentinel;
mod support;
mod tls;
mod ux;
