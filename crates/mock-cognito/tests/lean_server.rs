//! `cogkit-mock`, the emulator's own binary: it serves what `cogkit mock
//! serve` serves, stops cleanly on Ctrl-C, and reports bad input with the
//! exit status a script can act on.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};

fn example() -> String {
    concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/mock-config.toml"
    )
    .to_owned()
}

#[test]
fn serves_the_seed_and_stops_on_sigint() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cogkit-mock"))
        .args(["--addr", "127.0.0.1:0", "--config", &example()])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let endpoint = first
        .strip_prefix("mock-cognito listening on http://")
        .expect(&first)
        .to_owned();
    let rest: Vec<String> = lines
        .by_ref()
        .map(Result::unwrap)
        .take_while(|l| !l.starts_with("press Ctrl-C"))
        .collect();
    assert!(
        rest.iter()
            .any(|l| l == "user pool ap-northeast-1_Example01 (example)"),
        "{rest:?}"
    );

    // A real sign-in against the process.
    let body = r#"{"AuthFlow":"USER_PASSWORD_AUTH","ClientId":"1example23456789abcdefghij","AuthParameters":{"USERNAME":"alice","PASSWORD":"Passw0rd!"}}"#;
    let mut stream = TcpStream::connect(&endpoint).unwrap();
    write!(
        stream,
        "POST / HTTP/1.1\r\nhost: {endpoint}\r\nconnection: close\r\ncontent-type: application/x-amz-json-1.1\r\nx-amz-target: AWSCognitoIdentityProviderService.InitiateAuth\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.contains("IdToken"));

    let killed = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    assert_eq!(
        child.wait().unwrap().code(),
        Some(0),
        "clean stop on Ctrl-C"
    );
}

#[test]
fn bad_input_has_a_readable_error_and_its_exit_status() {
    let out = Command::new(env!("CARGO_BIN_EXE_cogkit-mock"))
        .args([
            "--addr",
            "127.0.0.1:0",
            "--config",
            "/nonexistent/seed.toml",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.starts_with("cogkit-mock: "), "{stderr}");
    assert!(stderr.contains("/nonexistent/seed.toml"), "{stderr}");

    let out = Command::new(env!("CARGO_BIN_EXE_cogkit-mock"))
        .args(["--addr", "not-an-address"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "usage errors exit 2");

    let help = Command::new(env!("CARGO_BIN_EXE_cogkit-mock"))
        .arg("--help")
        .output()
        .unwrap();
    assert!(help.status.success());
    assert!(String::from_utf8_lossy(&help.stdout).contains("--log-level"));
}
