//! `cargo xtask <command>`: project automation that needs more than a shell line.
//!
//! - `e2e`: the offline flow as a user runs it (cogkit mock serve in its own
//!   process; cogkit login, credentials, credential-process against it).
//! - `compat`: boto3, pycognito, the AWS CLI, PyJWT, the JavaScript SDK v3,
//!   amazon-cognito-identity-js and aws-jwt-verify against the mock.
//! - `browser`: headless Chromium through the hosted UI and the fake
//!   Facebook page (needs Debian's `chromium`; Node.js for playwright-core).
//! - `bench mock [--against-moto] [--concurrency N] [--requests N] [--duration S]
//!   [--server-bin PATH] [--data-dir] [--only SCENARIO,...]`:
//!   the mock under load (ops/s, latency, server CPU per op, cold start, RSS),
//!   optionally against moto.
//! - `bench scale [--users N] [--sign-ins N]`: a million users loaded through
//!   the library; sign-in latency and bytes per user as the pool grows.
//! - `bench srp [--iterations N] [--no-python]`: our SRP client answer and
//!   server verify, against pycognito on the same inputs in the same run.
//! - `soak [--count N] [--concurrency N]`: memory stays bounded once what
//!   operations leave behind expires (RSS before, after N, after N more
//!   past the lifetimes).
//! - `crash [--rounds N] [--writers N] [--debug]`: the durable mock
//!   (`--data-dir`) killed with SIGKILL under concurrent writes, restarted,
//!   and every acknowledged write checked whole.
//! - `fuzz [--seconds N] [target…]`: the `cargo fuzz` targets in `fuzz/`
//!   for a fixed budget each (default 20 s); fails on any crash.
//! - `terraform`: every Cognito resource type of the hashicorp/aws
//!   provider applied to the mock; the plan after the apply must show no
//!   changes, then all is destroyed (skipped without `terraform` or the
//!   provider mirror).
//! - `codegen [--check]`: the mock's typed shapes from the bundled service
//!   models; `--check` fails if the checked-in code is not a fresh generation.

#![forbid(unsafe_code)]

mod bench_mock;
#[cfg(feature = "mock")]
mod bench_scale;
mod bench_srp;
mod browser;
mod codegen;
mod compat;
mod crash;
mod e2e;
mod fuzz;
mod mock_server;
mod node;
mod python;
mod soak;
mod terraform;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["bench", "srp", rest @ ..] => bench_srp::run(rest),
        ["bench", "mock", rest @ ..] => bench_mock::run(rest),
        #[cfg(feature = "mock")]
        ["bench", "scale", rest @ ..] => bench_scale::run(rest),
        #[cfg(not(feature = "mock"))]
        ["bench", "scale", ..] => Err("bench scale needs the default `mock` feature".to_owned()),
        ["e2e"] => e2e::run_all(),
        ["browser"] => browser::run(),
        ["compat"] => compat::run(),
        ["soak", rest @ ..] => soak::run(rest),
        ["crash", rest @ ..] => crash::run(rest),
        ["fuzz", rest @ ..] => fuzz::run(rest),
        ["terraform", rest @ ..] => terraform::run(rest),
        ["codegen", rest @ ..] => codegen::run(rest),
        _ => Err(usage()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The value after an option that takes a positive number.
fn positive_number<'a>(
    args: &mut impl Iterator<Item = &'a &'a str>,
    option: &str,
) -> Result<usize, String> {
    args.next()
        .and_then(|v| v.parse().ok())
        .filter(|&n: &usize| n > 0)
        .ok_or(format!("{option} takes a positive number"))
}

fn usage() -> String {
    "usage: cargo xtask e2e | compat | browser | soak [--count N] [--concurrency N] | crash [--rounds N] [--writers N] [--debug] [--full-disk] | fuzz [--seconds N] [target…] | terraform | codegen [--check] | bench srp [--iterations N] [--no-python] | bench mock [--against-moto] [--concurrency N] [--requests N] [--duration S] [--users N] [--starts N] [--server-bin PATH] [--data-dir] [--only SCENARIO,...] | bench scale [--users N] [--sign-ins N]"
        .to_owned()
}

/// The workspace root (xtask lives one level below it).
pub(crate) fn workspace_root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask has a parent directory")
        .to_path_buf()
}

/// Timings are meaningless in a debug build: re-run this command in release.
/// Returns `None` when already optimised.
pub(crate) fn rerun_in_release(args: &[&str]) -> Option<Result<(), String>> {
    if !cfg!(debug_assertions) {
        return None;
    }
    let status = std::process::Command::new(env!("CARGO"))
        .args(["run", "--quiet", "--release", "--package", "xtask", "--"])
        .args(args)
        .current_dir(workspace_root())
        .status();
    Some(match status {
        Ok(s) if s.success() => Ok(()),
        Ok(s) => Err(format!("release run failed ({s})")),
        Err(e) => Err(format!("cannot run cargo: {e}")),
    })
}
