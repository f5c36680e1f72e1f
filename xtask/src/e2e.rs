//! `cargo xtask e2e`: the offline flow as a user runs it. Builds `cogkit`,
//! starts `cogkit mock serve` as its own process with the example seed, runs
//! `cogkit login`, `cogkit credentials` and `cogkit credential-process`
//! against it, checks their outputs, and stops it.

use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::Value;

const POOL: &str = "ap-northeast-1_Example01";
const CLIENT: &str = "1example23456789abcdefghij";
const IDENTITY_POOL: &str = "ap-northeast-1:00000000-0000-4000-8000-000000000001";

fn run(
    bin: &std::path::Path,
    cache: &std::path::Path,
    args: &[&str],
    stdin: Option<&str>,
) -> Result<String, String> {
    let mut child = Command::new(bin)
        .args(args)
        .env("COGKIT_CACHE_DIR", cache)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| e.to_string())?;
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .ok_or("no stdin")?
            .write_all(input.as_bytes())
            .map_err(|e| e.to_string())?;
    }
    drop(child.stdin.take());
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(format!(
            "cogkit {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// `cogkit <command>` for the identity pool with the cached user-pool sign-in.
fn with_cached_login<'a>(endpoint: &'a str, command: &'a str) -> [&'a str; 11] {
    [
        "--endpoint-url",
        endpoint,
        command,
        "--identity-pool-id",
        IDENTITY_POOL,
        "--login",
        "cognito",
        "--user-pool-id",
        POOL,
        "--client-id",
        CLIENT,
    ]
}

fn check(name: &str, ok: bool, passed: &mut usize, failed: &mut usize) {
    if ok {
        *passed += 1;
        println!("PASS {name}");
    } else {
        *failed += 1;
        println!("FAIL {name}");
    }
}

pub(crate) fn run_all() -> Result<(), String> {
    let bin = crate::mock_server::cogkit_binary()?;
    let server = crate::mock_server::MockServer::start(&bin)?;
    let endpoint = server.endpoint.clone();
    println!("e2e: cogkit mock serve at {endpoint}");
    let cache = std::env::temp_dir().join(format!("cogkit-e2e-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&cache);
    let e = endpoint.as_str();
    let (mut passed, mut failed) = (0, 0);

    let login = run(
        &bin,
        &cache,
        &[
            "--endpoint-url",
            e,
            "login",
            "--user-pool-id",
            POOL,
            "--client-id",
            CLIENT,
            "--username",
            "alice",
            "--password-stdin",
        ],
        Some("Passw0rd!\n"),
    );
    check(
        "cogkit login (SRP) signs in and caches tokens",
        login
            .as_deref()
            .is_ok_and(|o| o.contains("signed in as alice")),
        &mut passed,
        &mut failed,
    );

    let creds = run(&bin, &cache, &with_cached_login(e, "credentials"), None);
    let creds: Option<Value> = creds.ok().and_then(|o| serde_json::from_str(&o).ok());
    check(
        "cogkit credentials --login cognito gives ASIA credentials",
        creds.as_ref().is_some_and(|c| {
            c["AccessKeyId"]
                .as_str()
                .is_some_and(|k| k.starts_with("ASIA"))
        }),
        &mut passed,
        &mut failed,
    );

    let guest = run(
        &bin,
        &cache,
        &[
            "--endpoint-url",
            e,
            "credentials",
            "--identity-pool-id",
            IDENTITY_POOL,
            "--unauthenticated",
            "--format",
            "export",
        ],
        None,
    );
    check(
        "cogkit credentials --unauthenticated --format export",
        guest.is_ok_and(|o| o.contains("export AWS_SESSION_TOKEN=")),
        &mut passed,
        &mut failed,
    );

    let process = run(
        &bin,
        &cache,
        &with_cached_login(e, "credential-process"),
        None,
    );
    let process: Option<Value> = process.ok().and_then(|o| serde_json::from_str(&o).ok());
    check(
        "cogkit credential-process prints Version 1 JSON",
        process.as_ref().is_some_and(|p| {
            p["Version"] == 1 && p["SecretAccessKey"].is_string() && p["Expiration"].is_string()
        }),
        &mut passed,
        &mut failed,
    );

    let wrong = run(
        &bin,
        &cache,
        &[
            "--endpoint-url",
            e,
            "login",
            "--user-pool-id",
            POOL,
            "--client-id",
            CLIENT,
            "--username",
            "alice",
            "--password-stdin",
        ],
        Some("Wr0ng!\n"),
    );
    check(
        "a wrong password fails with AWS's message",
        wrong.is_err_and(|m| m.contains("Incorrect username or password.")),
        &mut passed,
        &mut failed,
    );

    drop(server);
    let _ = std::fs::remove_dir_all(&cache);
    println!("{passed} passed, {failed} failed");
    if failed == 0 {
        Ok(())
    } else {
        Err(format!("{failed} end-to-end checks failed"))
    }
}
