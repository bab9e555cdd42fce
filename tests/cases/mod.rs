//! One module per area.

mod core;
mod health;
mod robustness;
mod support;
mod tls;
mod ux;
