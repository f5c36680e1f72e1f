//! `cargo xtask compat`: the official clients against `cogkit mock serve`,
//! unmodified. Python (boto3, pycognito, the AWS CLI, PyJWT; pinned in
//! `compat/python/requirements.txt`, installed into `target/compat-venv`)
//! and Node (the AWS SDK v3 clients, credential-providers,
//! amazon-cognito-identity-js, aws-jwt-verify; locked in `compat/node`)
//! run the scripts in `compat/`. Every step prints PASS or FAIL; the run
//! ends with `N passed, M failed` and fails if any step did.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

/// Runs one suite, echoing its lines and counting PASS / FAIL.
fn run_suite(name: &str, mut cmd: Command) -> Result<(usize, usize), String> {
    let mut child = cmd
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start the {name} suite: {e}"))?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let (mut passed, mut failed) = (0, 0);
    for line in BufReader::new(stdout).lines() {
        let line = line.map_err(|e| e.to_string())?;
        if line.starts_with("PASS ") {
            passed += 1;
        } else if line.starts_with("FAIL ") {
            failed += 1;
        }
        println!("{line}");
    }
    let status = child.wait().map_err(|e| e.to_string())?;
    if !status.success() && failed == 0 {
        // A crash before any FAIL line is a failure too.
        failed += 1;
        println!("FAIL {name}: the suite exited with {status}");
    }
    Ok((passed, failed))
}

/// `--trigger ARN=FILE` for the three custom-auth handlers of
/// `examples/triggers/`, and the CustomEmailSender, in Python and in
/// Node.
fn custom_auth_triggers() -> Vec<std::ffi::OsString> {
    let dir = crate::workspace_root().join("examples/triggers");
    let mut args = Vec::new();
    for (language, ext) in [("python", "py"), ("node", "mjs")] {
        for name in [
            "define-auth-challenge",
            "create-auth-challenge",
            "verify-auth-challenge-response",
        ] {
            let file = dir.join(format!("{}.{ext}", name.replace('-', "_")));
            let mut arg = std::ffi::OsString::from(format!(
                "arn:aws:lambda:ap-northeast-1:123456789012:function:{name}-{language}="
            ));
            arg.push(file);
            args.push("--trigger".into());
            args.push(arg);
        }
    }
    for (language, file) in [
        ("node", "custom_email_sender.js"),
        ("python", "custom_email_sender.py"),
    ] {
        let mut arg = std::ffi::OsString::from(format!(
            "arn:aws:lambda:ap-northeast-1:123456789012:function:custom-email-sender-{language}="
        ));
        arg.push(dir.join(file));
        args.push("--trigger".into());
        args.push(arg);
    }
    args
}

/// PATH with `dir` first.
fn path_with(dir: Option<&std::path::Path>) -> std::ffi::OsString {
    let rest = std::env::var_os("PATH").unwrap_or_default();
    let dirs = dir
        .map(std::path::Path::to_path_buf)
        .into_iter()
        .chain(std::env::split_paths(&rest));
    std::env::join_paths(dirs).unwrap_or(rest)
}

fn python_requirements() -> Result<Vec<String>, String> {
    let path = crate::workspace_root().join("compat/python/requirements.txt");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_owned)
        .collect())
}

pub(crate) fn run() -> Result<(), String> {
    let requirements = python_requirements()?;
    let packages: Vec<&str> = requirements.iter().map(String::as_str).collect();
    println!("compat: Python clients into target/compat-venv");
    let python = crate::python::venv("compat-venv", &packages)?;
    println!("compat: Node clients into target/compat-node");
    let node_dir = crate::node::project()?;

    let bin = crate::mock_server::cogkit_binary()?;
    let server = crate::mock_server::MockServer::start(&bin)?;
    println!("compat: cogkit mock serve at {}", server.endpoint);
    // A second server started as a new user would, with no seed and no
    // --region: the clients' own regions must decide.
    let plain = crate::mock_server::MockServer::start_plain(&bin)?;
    // A third runs the example trigger handlers (examples/triggers/) for
    // the ARNs the scripts' pools name: CUSTOM_AUTH and CustomEmailSender
    // in each language, the senders with the Encryption SDK installed for
    // the clients; what they "send" goes to SENT_CODES_FILE.
    let sent_codes = node_dir.join("sent-codes.jsonl");
    let _ = std::fs::remove_file(&sent_codes);
    let custom = crate::mock_server::MockServer::start_with_env(
        &bin,
        &custom_auth_triggers(),
        &[
            ("NODE_PATH", node_dir.join("node_modules").into_os_string()),
            // Python handlers run with the venv's python3 (the Encryption SDK).
            ("PATH", path_with(python.parent())),
            ("SENT_CODES_FILE", sent_codes.clone().into_os_string()),
        ],
    )?;

    let mut py = Command::new(&python);
    py.arg(crate::workspace_root().join("compat/python/compat.py"))
        .env("MOCK_ENDPOINT", &server.endpoint)
        .env("PLAIN_MOCK_ENDPOINT", &plain.endpoint)
        .env("CUSTOM_AUTH_ENDPOINT", &custom.endpoint)
        .env("SENT_CODES_FILE", &sent_codes)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("PYTHONUNBUFFERED", "1");
    let (p1, f1) = run_suite("python", py)?;
    let node = crate::node::command(
        "compat.mjs",
        &[
            ("MOCK_ENDPOINT", server.endpoint.clone()),
            ("CUSTOM_AUTH_ENDPOINT", custom.endpoint.clone()),
            ("SENT_CODES_FILE", sent_codes.display().to_string()),
        ],
    )?;
    let (p2, f2) = run_suite("node", node)?;
    drop(server);
    drop(plain);
    drop(custom);

    let (passed, failed) = (p1 + p2, f1 + f2);
    println!("{passed} passed, {failed} failed");
    if failed == 0 {
        Ok(())
    } else {
        Err(format!("{failed} compatibility steps failed"))
    }
}
