//! `cogkit mock serve` as its own process, as a user runs it: built once,
//! started on a free loopback port with the example seed, stopped with
//! SIGINT (its Ctrl-C path) when dropped.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// Builds the `cogkit` binary (debug) and returns its path.
///
/// It is built the way `cargo test --workspace` builds it (the README's
/// test command, which CI runs first): `cargo build -p cogkit` alone
/// resolves dependency features differently (no dev-dependencies), which
/// would rebuild the AWS SDK crates for minutes to make the same binary.
pub(crate) fn cogkit_binary() -> Result<PathBuf, String> {
    built_binary(&["test", "--workspace", "--no-run"], "cogkit")
}

/// Runs a cargo build command and returns the path cargo reports for the
/// executable of binary target `name`: wherever `CARGO_TARGET_DIR`, a
/// config file or `--release` puts it.
pub(crate) fn built_binary(cargo_args: &[&str], name: &str) -> Result<PathBuf, String> {
    let output = Command::new(env!("CARGO"))
        .args(cargo_args)
        .args(["--quiet", "--message-format=json-render-diagnostics"])
        .current_dir(crate::workspace_root())
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !output.status.success() {
        return Err(format!("building {name} failed"));
    }
    executable_in_messages(&String::from_utf8_lossy(&output.stdout), name)
        .ok_or_else(|| format!("cargo built no executable named {name}"))
}

/// The executable of binary target `name` in cargo's JSON messages.
fn executable_in_messages(messages: &str, name: &str) -> Option<PathBuf> {
    messages
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|m| m["reason"] == "compiler-artifact" && m["target"]["name"] == name)
        // `cargo test` also builds the binary's own unit-test harness, an
        // executable of the same target: only the real binary will do.
        .filter(|m| m["profile"]["test"] == false)
        .filter(|m| {
            m["target"]["kind"]
                .as_array()
                .is_some_and(|kinds| kinds.iter().any(|k| k == "bin"))
        })
        .find_map(|m| m["executable"].as_str().map(PathBuf::from))
}

/// A running `cogkit mock serve`.
pub(crate) struct MockServer {
    child: Child,
    /// `http://127.0.0.1:<port>`.
    pub(crate) endpoint: String,
}

impl MockServer {
    /// Starts `bin mock serve` with `examples/mock-config.toml`.
    pub(crate) fn start(bin: &Path) -> Result<MockServer, String> {
        let seed = crate::workspace_root().join("examples/mock-config.toml");
        Self::start_with(bin, &["--config".as_ref(), seed.as_os_str()])
    }

    /// Starts `bin mock serve` as a new user does: no seed, no region.
    pub(crate) fn start_plain(bin: &Path) -> Result<MockServer, String> {
        Self::start_with::<&str>(bin, &[])
    }

    /// Kills the server with SIGKILL, as a crash would: no shutdown path
    /// runs.
    pub(crate) fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Starts `bin mock serve` on a free port with `args`.
    pub(crate) fn start_with<S: AsRef<std::ffi::OsStr>>(
        bin: &Path,
        args: &[S],
    ) -> Result<MockServer, String> {
        Self::start_with_env(bin, args, &[])
    }

    /// [`MockServer::start_with`], with extra environment (which the
    /// trigger handlers it runs inherit).
    pub(crate) fn start_with_env<S: AsRef<std::ffi::OsStr>>(
        bin: &Path,
        args: &[S],
        env: &[(&str, std::ffi::OsString)],
    ) -> Result<MockServer, String> {
        let mut child = Command::new(bin)
            .args(["mock", "serve", "--addr", "127.0.0.1:0"])
            .args(args)
            .envs(env.iter().map(|(k, v)| (k, v)))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start cogkit mock serve: {e}"))?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let mut lines = BufReader::new(stdout).lines();
        let first = match lines.next() {
            Some(Ok(line)) => line,
            _ => {
                let _ = child.kill();
                return Err("cogkit mock serve printed nothing".into());
            }
        };
        // Keep reading, so the server never writes into a closed pipe.
        std::thread::spawn(move || lines.for_each(drop));
        let endpoint = first
            .strip_prefix("mock-cognito listening on ")
            .map(str::to_owned);
        let server = MockServer {
            child,
            endpoint: endpoint.clone().unwrap_or_default(),
        };
        match endpoint {
            Some(_) => Ok(server),
            None => Err(format!("unexpected first line: {first}")),
        }
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        stop(&mut self.child);
    }
}

/// Stops a server as Ctrl-C would (SIGINT, its clean-shutdown path),
/// killing it if it has not exited within five seconds.
pub(crate) fn stop(child: &mut Child) {
    if let Ok(Some(_)) = child.try_wait() {
        return; // gone already (killed)
    }
    let _ = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while std::time::Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_binary_is_where_cargo_says_it_is() {
        // As with CARGO_TARGET_DIR=/elsewhere: nothing under the workspace.
        // `cargo test --no-run` reports the binary's unit-test harness too,
        // a "bin" executable of the same name that serves nothing.
        let messages = [
            r#"{"reason":"compiler-artifact","target":{"name":"cogkit","kind":["lib"]},"profile":{"test":false},"executable":null}"#,
            r#"{"reason":"compiler-artifact","target":{"name":"commands","kind":["test"]},"profile":{"test":true},"executable":"/elsewhere/debug/deps/commands-1"}"#,
            r#"{"reason":"compiler-artifact","target":{"name":"cogkit","kind":["bin"]},"profile":{"test":true},"executable":"/elsewhere/debug/deps/cogkit-0f1e"}"#,
            r#"{"reason":"compiler-artifact","target":{"name":"cogkit","kind":["bin"]},"profile":{"test":false},"executable":"/elsewhere/debug/cogkit"}"#,
            r#"{"reason":"build-finished","success":true}"#,
        ]
        .join("\n");
        assert_eq!(
            executable_in_messages(&messages, "cogkit"),
            Some(PathBuf::from("/elsewhere/debug/cogkit"))
        );
        assert_eq!(executable_in_messages(&messages, "xtask"), None);
    }
}
