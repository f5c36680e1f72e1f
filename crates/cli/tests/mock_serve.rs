//! `cogkit mock serve` as a separate process: endpoint, seeded ids, a real
//! request, clean shutdown on SIGINT; and clear failures.

use std::ffi::OsStr;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

fn example() -> String {
    concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/mock-config.toml"
    )
    .to_owned()
}

/// `cogkit mock serve` on a free port with the example seed and `extra`
/// arguments, its stdout piped.
fn serve(extra: &[&OsStr], stderr: Stdio) -> Child {
    Command::new(env!("CARGO_BIN_EXE_cogkit"))
        .args(["mock", "serve", "--addr", "127.0.0.1:0", "--config"])
        .arg(example())
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(stderr)
        .spawn()
        .unwrap()
}

/// The `host:port` the first line announces.
fn endpoint_of(first: &str) -> String {
    first
        .strip_prefix("mock-cognito listening on http://")
        .expect(first)
        .to_owned()
}

/// The seed's alice signs in (USER_PASSWORD_AUTH): the raw HTTP response.
fn sign_in_alice(endpoint: &str) -> String {
    let body = r#"{"AuthFlow":"USER_PASSWORD_AUTH","ClientId":"1example23456789abcdefghij","AuthParameters":{"USERNAME":"alice","PASSWORD":"Passw0rd!"}}"#;
    let mut stream = TcpStream::connect(endpoint).unwrap();
    write!(
        stream,
        "POST / HTTP/1.1\r\nhost: {endpoint}\r\nconnection: close\r\ncontent-type: application/x-amz-json-1.1\r\nx-amz-target: AWSCognitoIdentityProviderService.InitiateAuth\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response
}

/// Sends `signal` (`-INT`, `-TERM`) to the server.
fn send(child: &Child, signal: &str) {
    let status = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

#[test]
fn serves_the_seed_and_stops_on_sigint() {
    let mut child = serve(&[], Stdio::piped());
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let endpoint = endpoint_of(&first);
    let mut printed = vec![first];
    for line in lines.by_ref() {
        let line = line.unwrap();
        let done = line.starts_with("press Ctrl-C");
        printed.push(line);
        if done {
            break;
        }
    }
    let printed = printed.join("\n");
    assert!(
        printed.contains("user pool ap-northeast-1_Example01 (example)"),
        "{printed}"
    );
    assert!(
        printed.contains("/example/login (token endpoint http://127.0.0.1:"),
        "{printed}"
    );
    assert!(
        printed
            .contains("app client 2example23456789abcdefghij (confidential-backend, with secret)"),
        "{printed}"
    );
    assert!(
        !printed.contains("exampleclientsecret"),
        "secrets are never printed"
    );

    // A real request against the running process.
    let response = sign_in_alice(&endpoint);
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.contains("IdToken"));

    send(&child, "-INT");
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "clean shutdown on Ctrl-C");
}

/// `docker stop`, systemd and Kubernetes send SIGTERM: the server stops as
/// on Ctrl-C, and closes its data dir, folding the log into the database.
#[test]
fn stops_cleanly_on_sigterm_and_closes_the_data_dir() {
    let dir = std::env::temp_dir().join(format!("cogkit-sigterm-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let mut child = serve(&["--data-dir".as_ref(), dir.as_os_str()], Stdio::null());
    let lines = BufReader::new(child.stdout.take().unwrap()).lines();
    for line in lines {
        if line.unwrap().starts_with("press Ctrl-C") {
            break;
        }
    }
    assert!(
        dir.join("state.sqlite3-wal").exists(),
        "open: the log is in use"
    );
    send(&child, "-TERM");
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "clean shutdown on SIGTERM");
    assert!(
        !dir.join("state.sqlite3-wal").exists(),
        "closed: the log is folded into the database"
    );
    assert!(dir.join("state.sqlite3").exists());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn logs_each_request_without_its_secrets() {
    let mut child = serve(&["--log-level".as_ref(), "info".as_ref()], Stdio::piped());
    let first = BufReader::new(child.stdout.take().unwrap())
        .lines()
        .next()
        .unwrap()
        .unwrap();
    let endpoint = endpoint_of(&first);
    let response = sign_in_alice(&endpoint);
    let id_token = response
        .split("\"IdToken\":\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect(&response)
        .to_owned();
    send(&child, "-INT");
    let mut log = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut log)
        .unwrap();
    child.wait().unwrap();
    let line = log
        .lines()
        .find(|l| l.contains("InitiateAuth"))
        .unwrap_or_else(|| panic!("no line for the request in:\n{log}"));
    assert!(
        line.contains("status=200") && line.contains("latency_ms="),
        "{line}"
    );
    assert!(
        line.contains("1example23456789abcdefghij"),
        "the client: {line}"
    );
    assert!(!log.contains("Passw0rd!"), "the password is never logged");
    assert!(!log.contains(&id_token[..40]), "tokens are never logged");

    let out = Command::new(env!("CARGO_BIN_EXE_cogkit"))
        .args([
            "mock",
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--log-level",
            "mock_cognito=loud",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--log-level"));
}

#[test]
fn a_bad_seed_file_is_a_readable_error() {
    let dir = std::env::temp_dir().join(format!("cogkit-bad-seed-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.toml");
    std::fs::write(&bad, "[[user_pools]]\nname = \"x\"\n[[user_pools.users]]\nusername = \"u\"\npassword = \"weak\"\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_cogkit"))
        .args([
            "mock",
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--config",
            bad.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.starts_with("cogkit: "), "{stderr}");
    assert!(
        stderr.contains("Password does not conform to policy"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("panicked") && !stderr.contains("backtrace"),
        "{stderr}"
    );

    let out = Command::new(env!("CARGO_BIN_EXE_cogkit"))
        .args([
            "mock",
            "serve",
            "--config",
            "/nonexistent/seed.toml",
            "--addr",
            "127.0.0.1:0",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8(out.stderr)
            .unwrap()
            .contains("/nonexistent/seed.toml")
    );

    let out = Command::new(env!("CARGO_BIN_EXE_cogkit"))
        .args(["mock", "serve", "--addr", "not-an-address"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "usage errors exit 2");
}

#[test]
fn a_closed_stdout_does_not_stop_the_server() {
    let mut child = serve(&[], Stdio::null());
    // Read the endpoint, then close the pipe before the rest is printed.
    let first = BufReader::new(child.stdout.take().unwrap())
        .lines()
        .next()
        .unwrap()
        .unwrap();
    let endpoint = endpoint_of(&first);
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert!(
        child.try_wait().unwrap().is_none(),
        "the server exited when its stdout closed"
    );
    let mut stream = TcpStream::connect(&endpoint).unwrap();
    write!(
        stream,
        "GET /_mock/clock HTTP/1.1\r\nhost: {endpoint}\r\nconnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    let _ = child.kill();
    let _ = child.wait();
}
