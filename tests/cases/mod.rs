//! One module per area.

mod core;
mod robustness;
mod support;
mod tls;
mod ux;
