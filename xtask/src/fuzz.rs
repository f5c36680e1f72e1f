//! `cargo xtask fuzz [--seconds N] [target…]`: every `cargo fuzz` target in
//! `fuzz/` (or the ones named) for a fixed time budget each, starting from
//! the checked-in seed corpus (`fuzz/corpus/<target>/`) with the target's
//! dictionary (`fuzz/dict/<target>.dict`), then a table of executions per
//! target. Fails on any crash, naming the saved input and the command that
//! replays it.
//!
//! Installs cargo-fuzz from crates.io when it is missing. Builds with
//! `--sanitizer none`: the default AddressSanitizer needs a nightly
//! compiler, and this workspace forbids `unsafe`, which is what ASan checks;
//! panics, overflow checks (debug assertions are on in fuzz builds) and the
//! targets' own invariants are what find bugs here.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

/// Seconds per target when `--seconds` is not given.
const DEFAULT_SECONDS: u64 = 20;
/// The cargo-fuzz release this was written against.
const CARGO_FUZZ_VERSION: &str = "0.13.2";
/// Largest generated input: the biggest seed (the example seed file) fits.
const MAX_LEN: usize = 8192;
/// An input that takes longer than this is reported as a hang.
const INPUT_TIMEOUT_SECS: u64 = 20;

/// One target's run.
struct Outcome {
    target: String,
    executions: u64,
    seconds: f64,
    corpus: usize,
    crash: Option<String>,
}

pub fn run(args: &[&str]) -> Result<(), String> {
    let mut seconds = DEFAULT_SECONDS;
    let mut wanted = Vec::new();
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match *arg {
            "--seconds" => {
                seconds = rest
                    .next()
                    .and_then(|s| s.parse().ok())
                    .filter(|&s| s > 0)
                    .ok_or("--seconds needs a positive whole number")?;
            }
            name if !name.starts_with('-') => wanted.push(name.to_owned()),
            other => return Err(format!("fuzz: unknown option {other}")),
        }
    }
    let fuzz_dir = crate::workspace_root().join("fuzz");
    ensure_cargo_fuzz()?;

    let all = list_targets(&fuzz_dir)?;
    let targets = if wanted.is_empty() {
        all
    } else {
        for name in &wanted {
            if !all.contains(name) {
                return Err(format!(
                    "fuzz: no target {name:?} (targets: {})",
                    all.join(", ")
                ));
            }
        }
        wanted
    };

    let started = Instant::now();
    println!("== cargo fuzz build ({} targets)", targets.len());
    let status = cargo_fuzz(&fuzz_dir)
        .args(["build", "--sanitizer", "none"])
        .args(["--fuzz-dir", &fuzz_dir.to_string_lossy()])
        .status()
        .map_err(|e| format!("cannot run cargo fuzz: {e}"))?;
    if !status.success() {
        return Err(format!("cargo fuzz build failed ({status})"));
    }
    println!("   built in {:.0} s", started.elapsed().as_secs_f64());

    let mut outcomes = Vec::new();
    for target in &targets {
        println!("== fuzzing {target} for {seconds} s");
        outcomes.push(run_target(&fuzz_dir, target, seconds)?);
    }

    println!();
    println!(
        "{:<20} {:>12} {:>10} {:>8}  result",
        "target", "executions", "exec/s", "corpus"
    );
    for o in &outcomes {
        println!(
            "{:<20} {:>12} {:>10.0} {:>8}  {}",
            o.target,
            o.executions,
            o.executions as f64 / o.seconds.max(0.001),
            o.corpus,
            if o.crash.is_some() { "CRASH" } else { "ok" }
        );
    }
    println!(
        "total wall time {:.0} s (build included)",
        started.elapsed().as_secs_f64()
    );
    let crashed: Vec<&Outcome> = outcomes.iter().filter(|o| o.crash.is_some()).collect();
    println!(
        "fuzz: {} passed, {} failed",
        outcomes.len() - crashed.len(),
        crashed.len()
    );
    if crashed.is_empty() {
        return Ok(());
    }
    let details: Vec<String> = crashed
        .iter()
        .map(|o| {
            let artifact = o.crash.as_deref().unwrap_or_default();
            format!(
                "{}: crash input saved at {artifact}\n  replay: cargo fuzz run --sanitizer none --fuzz-dir fuzz {} {artifact}",
                o.target, o.target
            )
        })
        .collect();
    Err(format!(
        "fuzzing found {} crashing target(s):\n{}",
        crashed.len(),
        details.join("\n")
    ))
}

fn cargo_fuzz(fuzz_dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO"));
    command
        .arg("fuzz")
        .current_dir(fuzz_dir.parent().expect("fuzz/ lies in the workspace root"));
    // The fuzz crate is its own workspace with its own target directory:
    // a CARGO_TARGET_DIR meant for the workspace would mix their builds.
    command.env_remove("CARGO_TARGET_DIR");
    command
}

fn ensure_cargo_fuzz() -> Result<(), String> {
    let present = Command::new(env!("CARGO"))
        .args(["fuzz", "--version"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if present {
        return Ok(());
    }
    println!("== installing cargo-fuzz {CARGO_FUZZ_VERSION} from crates.io");
    let status = Command::new(env!("CARGO"))
        .args([
            "install",
            "--locked",
            "cargo-fuzz",
            "--version",
            CARGO_FUZZ_VERSION,
        ])
        .status()
        .map_err(|e| format!("cannot run cargo install: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("cargo install cargo-fuzz failed ({status})"))
    }
}

fn list_targets(fuzz_dir: &Path) -> Result<Vec<String>, String> {
    let out = cargo_fuzz(fuzz_dir)
        .args(["list", "--fuzz-dir", &fuzz_dir.to_string_lossy()])
        .output()
        .map_err(|e| format!("cannot run cargo fuzz list: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "cargo fuzz list failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect())
}

fn run_target(fuzz_dir: &Path, target: &str, seconds: u64) -> Result<Outcome, String> {
    // New inputs go to the first corpus directory: a working one outside
    // git, so the checked-in seeds stay small and reviewed.
    let work = fuzz_dir.join("work").join(target);
    let seeds = fuzz_dir.join("corpus").join(target);
    let artifacts = fuzz_dir.join("artifacts").join(target);
    for dir in [&work, &artifacts] {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    let log_path = fuzz_dir.join("work").join(format!("{target}.log"));
    let log =
        std::fs::File::create(&log_path).map_err(|e| format!("{}: {e}", log_path.display()))?;
    let dict = fuzz_dir.join("dict").join(format!("{target}.dict"));
    let started = Instant::now();
    let mut command = cargo_fuzz(fuzz_dir);
    command
        .args(["run", "--sanitizer", "none"])
        .args(["--fuzz-dir", &fuzz_dir.to_string_lossy()])
        .arg(target)
        .arg(&work)
        .arg(&seeds)
        .arg("--")
        .arg(format!("-max_total_time={seconds}"))
        .arg(format!("-max_len={MAX_LEN}"))
        .arg(format!("-timeout={INPUT_TIMEOUT_SECS}"))
        .arg(format!("-artifact_prefix={}/", artifacts.display()))
        .arg("-print_final_stats=1");
    if dict.is_file() {
        command.arg(format!("-dict={}", dict.display()));
    }
    let status = command
        .stdout(log.try_clone().map_err(|e| e.to_string())?)
        .stderr(log)
        .status()
        .map_err(|e| format!("cannot run cargo fuzz run: {e}"))?;
    let elapsed = started.elapsed().as_secs_f64();
    let text = std::fs::read_to_string(&log_path).unwrap_or_default();
    let executions = final_stat(&text, "stat::number_of_executed_units").unwrap_or(0);
    let corpus = std::fs::read_dir(&work).map_or(0, |d| d.count())
        + std::fs::read_dir(&seeds).map_or(0, |d| d.count());
    let crash = (!status.success()).then(|| {
        let artifact = text
            .lines()
            .filter_map(|l| l.split_once("Test unit written to "))
            .map(|(_, path)| path.trim().to_owned())
            .next_back();
        let tail: Vec<&str> = text.lines().rev().take(40).collect();
        eprintln!(
            "{target}: libFuzzer stopped with {status}; the end of {}:",
            log_path.display()
        );
        for line in tail.iter().rev() {
            eprintln!("  {line}");
        }
        artifact.unwrap_or_else(|| format!("(no input saved; see {})", log_path.display()))
    });
    println!(
        "   {executions} executions in {elapsed:.0} s{}",
        if crash.is_some() { ", CRASH" } else { "" }
    );
    Ok(Outcome {
        target: target.to_owned(),
        executions,
        seconds: elapsed,
        corpus,
        crash,
    })
}

/// A number from libFuzzer's `-print_final_stats=1` block.
fn final_stat(log: &str, name: &str) -> Option<u64> {
    log.lines()
        .filter_map(|l| l.trim().strip_prefix(name))
        .filter_map(|rest| rest.trim_start_matches(':').trim().parse().ok())
        .next_back()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_libfuzzers_final_stats() {
        let log = "#1234\tDONE   cov: 1\nstat::number_of_executed_units: 98765\nstat::average_exec_per_sec:     4938\n";
        assert_eq!(
            final_stat(log, "stat::number_of_executed_units"),
            Some(98765)
        );
        assert_eq!(final_stat(log, "stat::peak_rss_mb"), None);
    }
}
