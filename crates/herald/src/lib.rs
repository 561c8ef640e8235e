//! The `herald` binary's library half: configuration, targets and wiring, shared with the
//! end-to-end tests so they run exactly what the binary runs.

mod app;
pub mod config;
pub mod publish;
pub mod samples;
pub mod targets;

pub use app::App;
pub use config::{Config, ConfigError};
pub use targets::{Target, Targets};
