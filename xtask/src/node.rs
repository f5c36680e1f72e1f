//! The pinned Node project in `compat/node/` (playwright-core, the AWS
//! JavaScript clients), copied to `target/compat-node/` and installed there
//! with `npm ci` from its lock file, so the repository stays clean and a
//! second run reuses the install.

use std::path::PathBuf;
use std::process::Command;

/// Copies the project's files and installs its locked dependencies; returns
/// the directory to run scripts from.
pub(crate) fn project() -> Result<PathBuf, String> {
    let source = crate::workspace_root().join("compat/node");
    let dir = crate::workspace_root().join("target/compat-node");
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let lock = std::fs::read(source.join("package-lock.json"))
        .map_err(|e| format!("compat/node/package-lock.json: {e}"))?;
    let installed = std::fs::read(dir.join("package-lock.json")).ok();
    let entries = std::fs::read_dir(&source).map_err(|e| e.to_string())?;
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_file() {
            std::fs::copy(&path, dir.join(entry.file_name())).map_err(|e| e.to_string())?;
        }
    }
    if installed.as_deref() != Some(lock.as_slice()) || !dir.join("node_modules").exists() {
        println!("node: npm ci in {}", dir.display());
        let status = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
            .current_dir(&dir)
            .status()
            .map_err(|e| format!("cannot run npm (is Node.js installed?): {e}"))?;
        if !status.success() {
            return Err("npm ci failed".into());
        }
    }
    Ok(dir)
}

/// `node <script>` in the installed project, with extra environment.
pub(crate) fn command(script: &str, env: &[(&str, String)]) -> Result<Command, String> {
    let dir = project()?;
    let mut cmd = Command::new("node");
    cmd.arg(script)
        .current_dir(&dir)
        // The SDK's notice about future Node.js versions is not a result.
        .env("NODE_NO_WARNINGS", "1")
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())));
    Ok(cmd)
}

/// Runs a script; Ok when it exits 0 (scripts print their own PASS/FAIL lines).
pub(crate) fn run_script(script: &str, env: &[(&str, String)]) -> Result<(), String> {
    let status = command(script, env)?
        .status()
        .map_err(|e| format!("cannot run node: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{script} failed"))
    }
}
