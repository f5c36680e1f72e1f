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

/// Runs `node <script>` in the project with extra environment; Ok when it
/// exits 0 (the scripts print their own PASS/FAIL lines).
pub(crate) fn run_script(script: &str, env: &[(&str, String)]) -> Result<(), String> {
    let dir = project()?;
    let status = Command::new("node")
        .arg(script)
        .current_dir(&dir)
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .status()
        .map_err(|e| format!("cannot run node: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{script} failed"))
    }
}
