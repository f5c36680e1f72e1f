//! Shared by the CLI tests: `cogkit mock serve` in its own process.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

pub const POOL: &str = "ap-northeast-1_Example01";
pub const CLIENT: &str = "1example23456789abcdefghij";
pub const IDENTITY_POOL: &str = "ap-northeast-1:00000000-0000-4000-8000-000000000001";

/// A running `cogkit mock serve` with the example seed; killed on drop.
pub struct Server {
    child: Child,
    /// `http://127.0.0.1:<port>`.
    pub endpoint: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn serve() -> Server {
    let seed = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/mock-config.toml"
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_cogkit"))
        .args(["mock", "serve", "--addr", "127.0.0.1:0", "--config", seed])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    // Keep reading, so the server never writes into a closed pipe.
    std::thread::spawn(move || lines.for_each(drop));
    let endpoint = first
        .strip_prefix("mock-cognito listening on ")
        .unwrap()
        .to_owned();
    Server { child, endpoint }
}

/// A fresh, empty directory for a test's token cache.
pub fn temp_dir(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("cogkit-test-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

/// `http://localhost:<port>/callback` on a port free just now, so a test
/// does not depend on port 8080 being free.
pub fn free_loopback_callback() -> String {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    format!("http://localhost:{port}/callback")
}
