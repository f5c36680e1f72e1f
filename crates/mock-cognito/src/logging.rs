//! The request log of the mock run as a server: one line per request on
//! stderr, from the span the HTTP layer opens for it (method, path,
//! operation, pool, error code, status, latency). No field ever holds a
//! password, token, code or key.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;
use tracing_subscriber::filter::LevelFilter;

/// Installs the log for this process. `level` is `--log-level`: a level
/// (`info` logs every request, `warn` only problems) that applies to the
/// mock, or a full `RUST_LOG`-style filter (`mock_cognito=debug,hyper=info`).
/// Without it `RUST_LOG` decides, and without that only warnings show.
pub fn init(level: Option<&str>) -> Result<(), String> {
    let filter = match level {
        Some(level) => filter_for(level)?,
        None => EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn")),
    };
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .with_ansi(std::io::stderr().is_terminal())
        .try_init()
        .map_err(|e| format!("cannot start the log: {e}"))
}

/// A level alone applies to the mock (other crates stay at `warn`); a
/// filter is taken as it is.
fn filter_for(level: &str) -> Result<EnvFilter, String> {
    let spec = match level.parse::<LevelFilter>() {
        Ok(level) => format!("warn,mock_cognito={level}"),
        Err(_) => level.to_owned(),
    };
    EnvFilter::try_new(&spec).map_err(|e| format!("--log-level {level}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_apply_to_the_mock_and_filters_are_kept() {
        assert_eq!(
            filter_for("info").unwrap().to_string(),
            "mock_cognito=info,warn"
        );
        assert_eq!(
            filter_for("mock_cognito=debug,hyper=info")
                .unwrap()
                .to_string()
                .split(',')
                .count(),
            2
        );
        assert!(filter_for("mock_cognito=loud").is_err());
    }
}
