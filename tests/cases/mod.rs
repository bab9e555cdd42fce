//! One module per area.

mod core;
mod tls;
