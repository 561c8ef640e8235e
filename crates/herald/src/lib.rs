//! The `herald` binary's library half: configuration, targets and wiring, shared with the
//! end-to-end tests so they run exactly what the binary runs.

mod admin;
mod app;
pub mod config;
pub mod publish;
mod retention;
pub mod targets;

pub use app::App;
pub use config::{Config, ConfigError};
/// The sample events of `herald publish --sample`, shared with validation in herald-domain.
pub use herald_domain::samples;
pub use targets::{Target, Targets};
