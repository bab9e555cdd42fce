//! One module per area.

mod core;
mod health;
mod metrics;
mod robustness;
mod secrets;
mod support;
mod tls;
mod ux;
