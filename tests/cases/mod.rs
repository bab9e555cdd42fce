//! One module per area.

mod core;
mod robustness;
mod tls;
