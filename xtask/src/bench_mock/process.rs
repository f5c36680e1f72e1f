//! Servers under test as processes: start, wait for the first answer (the
//! cold start), read CPU time and RSS from `/proc/<pid>`, stop.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;

use super::client::JsonClient;

/// A server process.
pub(crate) struct Server {
    child: Child,
    pub(crate) endpoint: String,
    /// From spawn to the first answered request.
    pub(crate) cold_start: Duration,
}

/// A free loopback port (bound, then released for the server to take).
fn free_port() -> Result<u16, String> {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| e.to_string())
}

/// Which server to start.
#[derive(Debug, Clone)]
pub(crate) enum Kind {
    /// The mock (release: `cogkit-mock`, or `cogkit mock serve`) with the
    /// example seed.
    Ours(std::path::PathBuf),
    /// The same with `--data-dir`: a fresh directory under the given one
    /// for each start.
    OursDurable(std::path::PathBuf, std::path::PathBuf),
    /// `moto_server` from a venv's python.
    Moto(std::path::PathBuf),
}

impl Kind {
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Kind::Ours(_) => "mock-cognito",
            Kind::OursDurable(..) => "mock-cognito --data-dir",
            Kind::Moto(_) => "moto",
        }
    }
}

/// The arguments before the server's own: `mock serve` for `cogkit`,
/// none for the emulator's lean binary (`cogkit-mock`).
fn serve_args(bin: &std::path::Path) -> &'static [&'static str] {
    let lean = bin
        .file_stem()
        .is_some_and(|name| name.to_string_lossy().starts_with("cogkit-mock"));
    if lean { &[] } else { &["mock", "serve"] }
}

impl Server {
    pub(crate) async fn start(kind: &Kind) -> Result<Server, String> {
        let port = free_port()?;
        let addr = format!("127.0.0.1:{port}");
        let mut command = match kind {
            Kind::Ours(bin) => {
                let mut c = Command::new(bin);
                c.args(serve_args(bin))
                    .args(["--addr", &addr, "--config"])
                    .arg(crate::workspace_root().join("examples/mock-config.toml"));
                c
            }
            Kind::OursDurable(bin, base) => {
                let dir = base.join(format!("start-{port}"));
                let _ = std::fs::remove_dir_all(&dir);
                let mut c = Command::new(bin);
                c.args(serve_args(bin))
                    .args(["--addr", &addr, "--config"])
                    .arg(crate::workspace_root().join("examples/mock-config.toml"))
                    .arg("--data-dir")
                    .arg(dir);
                c
            }
            Kind::Moto(python) => {
                let mut c = Command::new(python);
                c.args([
                    "-m",
                    "moto.server",
                    "-H",
                    "127.0.0.1",
                    "-p",
                    &port.to_string(),
                ]);
                c
            }
        };
        let started = Instant::now();
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", kind.name()))?;
        if let Some(out) = child.stdout.take() {
            // Keep reading, so the server never writes into a closed pipe.
            std::thread::spawn(move || BufReader::new(out).lines().for_each(drop));
        }
        let endpoint = format!("http://{addr}");
        let client = JsonClient::new(&endpoint);
        let deadline = started + Duration::from_secs(30);
        loop {
            let answered = client
                .idp("ListUserPools", json!({"MaxResults": 1}))
                .await
                .is_ok();
            if answered {
                break;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                return Err(format!("{} did not answer within 30 s", kind.name()));
            }
            tokio::time::sleep(Duration::from_micros(500)).await;
        }
        Ok(Server {
            cold_start: started.elapsed(),
            child,
            endpoint,
        })
    }

    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        crate::mock_server::stop(&mut self.child);
    }
}

/// Clock ticks per second for `/proc/<pid>/stat` times.
pub(crate) fn clock_ticks() -> f64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100.0)
}

/// User + system CPU seconds a process (and its reaped children) used.
pub(crate) fn cpu_seconds(pid: u32, ticks: f64) -> Result<f64, String> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).map_err(|e| e.to_string())?;
    // Fields after the parenthesised command name; utime and stime are the
    // 14th and 15th fields of the whole line.
    let rest = stat.rsplit_once(')').map(|(_, r)| r).ok_or("bad stat")?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let tick = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    Ok((tick(11) + tick(12)) / ticks)
}

/// Waits until the process stops using CPU (at most `limit`): the mock
/// makes the seeded RSA keys in a background thread after it answers, and
/// a scenario that overlaps that work measures the key generation too.
pub(crate) async fn wait_idle(pid: u32, ticks: f64, limit: Duration) -> Result<(), String> {
    let started = Instant::now();
    let mut quiet = 0;
    let mut last = cpu_seconds(pid, ticks)?;
    while quiet < 3 && started.elapsed() < limit {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let now = cpu_seconds(pid, ticks)?;
        // Less than one clock tick in 200 ms: nothing running.
        quiet = if now - last < 1.5 / ticks {
            quiet + 1
        } else {
            0
        };
        last = now;
    }
    Ok(())
}

/// Resident set size in bytes.
pub(crate) fn rss_bytes(pid: u32) -> Result<u64, String> {
    let status =
        std::fs::read_to_string(format!("/proc/{pid}/status")).map_err(|e| e.to_string())?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map(|kb| kb * 1024)
        .ok_or_else(|| "no VmRSS".to_owned())
}

/// The release `cogkit` binary, built if needed.
pub(crate) fn release_cogkit() -> Result<std::path::PathBuf, String> {
    println!("bench: building cogkit (release)");
    crate::mock_server::built_binary(&["build", "--release", "--package", "cogkit"], "cogkit")
}

/// The emulator's lean release binary, `cogkit-mock` (mock-cognito's
/// feature `server`: no AWS SDK, no CLI), built if needed: what a
/// container or CI job starts, and what issue #19's RSS and cold-start
/// targets are about. `cogkit mock serve` is the same server inside the
/// CLI; `--server-bin target/release/cogkit` measures it.
pub(crate) fn release_lean_server() -> Result<std::path::PathBuf, String> {
    println!("bench: building cogkit-mock (release)");
    crate::mock_server::built_binary(
        &[
            "build",
            "--release",
            "--package",
            "mock-cognito",
            "--features",
            "server",
            "--bin",
            "cogkit-mock",
        ],
        "cogkit-mock",
    )
}
