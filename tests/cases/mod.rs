//! One module per area.

mod core;
mod health;
mod tls;
