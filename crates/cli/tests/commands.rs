//! The CLI's commands end to end against `cogkit mock serve` in another
//! process, including the bad input the issue lists.

use std::io::Write;
use std::process::{Command, Output, Stdio};

mod common;

use common::{CLIENT, IDENTITY_POOL, POOL, serve, temp_dir};

fn cogkit(cache: &std::path::Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cogkit"))
        .args(args)
        .env("COGKIT_CACHE_DIR", cache)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env_remove("AWS_ENDPOINT_URL")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(input) = stdin {
        // cogkit may refuse its arguments and exit before it reads its
        // input: the pipe is then closed, which is not the test's failure.
        let written = child.stdin.take().unwrap().write_all(input.as_bytes());
        if let Err(e) = written {
            assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "{e}");
        }
    } else {
        drop(child.stdin.take());
    }
    child.wait_with_output().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn readable_failure(out: &Output, fragment: &str) {
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    // Progress lines may come first; the error is the last line.
    let last = err.trim_end().lines().last().unwrap_or_default();
    assert!(last.starts_with("cogkit: "), "{err}");
    assert!(err.contains(fragment), "{err:?} lacks {fragment:?}");
    assert!(
        !err.contains("panicked") && !err.contains("RUST_BACKTRACE"),
        "{err}"
    );
}

#[test]
fn demo_runs_every_flow_and_shortens_secrets() {
    let out = cogkit(&temp_dir("demo"), &["demo"], None);
    let stdout = text(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}\n{}",
        text(&out.stderr)
    );
    for heading in [
        "=== GetId ===",
        "=== GetCredentialsForIdentity ===",
        "=== InitiateAuth (USER_SRP_AUTH) ===",
        "=== RespondToAuthChallenge (PASSWORD_VERIFIER) ===",
        "=== GetOpenIdToken ===",
        "=== AssumeRoleWithWebIdentity ===",
        "=== GetCallerIdentity (STS, signed with those credentials) ===",
        "=== GET /example/oauth2/authorize (in the browser) ===",
        "=== POST /example/oauth2/token (grant_type=authorization_code) ===",
    ] {
        assert!(stdout.contains(heading), "missing {heading}");
    }
    assert!(stdout.contains("2. user-pool federation (SRP)") && stdout.contains("ExampleAdmins"));
    assert_eq!(stdout.matches("   ok\n").count(), 7, "{stdout}");
    assert!(
        stdout.contains("3. hosted UI: Facebook")
            && stdout.contains("3. hosted UI: Login with Amazon")
    );
    // No secret is printed whole: long tokens are shortened.
    for line in stdout.lines() {
        if line.contains("\"SecretKey\"")
            || line.contains("\"SessionToken\"")
            || line.contains("Token\":")
            || line.contains("_token\":")
        {
            assert!(line.contains("…("), "{line}");
        }
    }
}

#[test]
fn login_then_credentials_and_credential_process() {
    let server = serve();
    let cache = temp_dir("login");
    let e = server.endpoint.as_str();
    let login = cogkit(
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
    assert_eq!(login.status.code(), Some(0), "{}", text(&login.stderr));
    assert!(text(&login.stdout).contains("signed in as alice"));
    let file = cache.join("tokens.json");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    let cached: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let id_token = cached[format!("{POOL}/{CLIENT}")]["IdToken"]
        .as_str()
        .unwrap()
        .to_owned();

    let creds = cogkit(
        &cache,
        &[
            "--endpoint-url",
            e,
            "credentials",
            "--identity-pool-id",
            IDENTITY_POOL,
            "--login",
            "cognito",
            "--user-pool-id",
            POOL,
            "--client-id",
            CLIENT,
        ],
        None,
    );
    assert_eq!(creds.status.code(), Some(0), "{}", text(&creds.stderr));
    let json: serde_json::Value = serde_json::from_slice(&creds.stdout).unwrap();
    assert!(json["AccessKeyId"].as_str().unwrap().starts_with("ASIA"));
    assert!(json["Expiration"].as_str().unwrap().ends_with('Z'));

    let process = cogkit(
        &cache,
        &[
            "--endpoint-url",
            e,
            "credential-process",
            "--identity-pool-id",
            IDENTITY_POOL,
            "--login",
            "cognito",
            "--user-pool-id",
            POOL,
            "--client-id",
            CLIENT,
        ],
        None,
    );
    let json: serde_json::Value = serde_json::from_slice(&process.stdout).unwrap();
    assert_eq!(json["Version"], 1);
    for k in [
        "AccessKeyId",
        "SecretAccessKey",
        "SessionToken",
        "Expiration",
    ] {
        assert!(json[k].is_string(), "{k}");
    }

    let guest = cogkit(
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
    let out = text(&guest.stdout);
    assert!(
        out.contains("export AWS_ACCESS_KEY_ID=ASIA") && out.contains("export AWS_SESSION_TOKEN="),
        "{out}"
    );

    // token decode / verify, and a clear reason when verification fails.
    let decoded = cogkit(&cache, &["token", "decode", &id_token], None);
    assert!(text(&decoded.stdout).contains("\"cognito:username\": \"alice\""));
    let verified = cogkit(
        &cache,
        &[
            "--endpoint-url",
            e,
            "token",
            "verify",
            &id_token,
            "--user-pool-id",
            POOL,
            "--client-id",
            CLIENT,
        ],
        None,
    );
    assert_eq!(
        verified.status.code(),
        Some(0),
        "{}",
        text(&verified.stderr)
    );
    assert!(text(&verified.stdout).starts_with("valid id token for alice"));
    let mut tampered = id_token.clone();
    let at = tampered.rfind('.').unwrap() + 5;
    let c = if &tampered[at..at + 1] == "A" {
        "B"
    } else {
        "A"
    };
    tampered.replace_range(at..at + 1, c);
    readable_failure(
        &cogkit(
            &cache,
            &[
                "--endpoint-url",
                e,
                "token",
                "verify",
                &tampered,
                "--user-pool-id",
                POOL,
            ],
            None,
        ),
        "signature",
    );
    readable_failure(
        &cogkit(
            &cache,
            &[
                "--endpoint-url",
                e,
                "token",
                "verify",
                &id_token,
                "--user-pool-id",
                POOL,
                "--client-id",
                "other",
            ],
            None,
        ),
        "audience",
    );
    readable_failure(
        &cogkit(&cache, &["token", "decode", "not-a-jwt"], None),
        "not a JWT",
    );
}

#[test]
fn bad_input_gets_a_readable_message_and_a_non_zero_exit() {
    let server = serve();
    let cache = temp_dir("bad");
    let e = server.endpoint.as_str();
    // A malformed pool id.
    readable_failure(
        &cogkit(
            &cache,
            &[
                "--endpoint-url",
                e,
                "login",
                "--user-pool-id",
                "not-a-pool",
                "--client-id",
                CLIENT,
                "--username",
                "alice",
                "--password-stdin",
            ],
            Some("x\n"),
        ),
        "not a valid user pool id",
    );
    // A wrong password.
    readable_failure(
        &cogkit(
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
        ),
        "Incorrect username or password.",
    );
    // Missing arguments: a usage error, exit 2.
    let out = cogkit(&cache, &["credentials"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("--identity-pool-id"));
    // No terminal to ask on.
    readable_failure(
        &cogkit(
            &cache,
            &[
                "--endpoint-url",
                e,
                "login",
                "--user-pool-id",
                POOL,
                "--client-id",
                CLIENT,
            ],
            None,
        ),
        "no terminal",
    );
    // No cached sign-in yet.
    readable_failure(
        &cogkit(
            &cache,
            &[
                "--endpoint-url",
                e,
                "credentials",
                "--identity-pool-id",
                IDENTITY_POOL,
                "--login",
                "cognito",
                "--user-pool-id",
                POOL,
                "--client-id",
                CLIENT,
            ],
            None,
        ),
        "cogkit login",
    );
    // A provider token that no provider issued.
    readable_failure(
        &cogkit(
            &cache,
            &[
                "--endpoint-url",
                e,
                "credentials",
                "--identity-pool-id",
                IDENTITY_POOL,
                "--login",
                "facebook",
                "--token",
                "EAAGbogus",
            ],
            None,
        ),
        "NotAuthorizedException",
    );
    // An unreachable endpoint.
    readable_failure(
        &cogkit(
            &cache,
            &[
                "--endpoint-url",
                "http://127.0.0.1:9",
                "credentials",
                "--identity-pool-id",
                IDENTITY_POOL,
                "--unauthenticated",
            ],
            None,
        ),
        "could not reach",
    );
}

#[test]
fn a_closed_stdout_ends_the_demo_quietly() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cogkit"))
        .arg("demo")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Read one line, then hang up, as `cogkit demo | head -1` does.
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    std::io::BufRead::read_line(&mut stdout, &mut first).unwrap();
    drop(stdout);
    let out = child.wait_with_output().unwrap();
    assert!(first.starts_with("cogkit demo"), "{first}");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        !text(&out.stderr).contains("panicked"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn output_text_is_tab_separated_like_the_aws_cli() {
    let server = serve();
    let cache = temp_dir("output-text");
    let out = cogkit(
        &cache,
        &[
            "--endpoint-url",
            &server.endpoint,
            "--output",
            "text",
            "credentials",
            "--identity-pool-id",
            IDENTITY_POOL,
            "--unauthenticated",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let fields: Vec<&str> = stdout.trim_end().split('\t').collect();
    assert_eq!(fields.len(), 5, "{stdout:?}");
    assert!(
        fields[0].starts_with("ASIA"),
        "AccessKeyId first (sorted by key): {stdout}"
    );
    assert!(
        fields[2].starts_with("ap-northeast-1:"),
        "then Expiration, IdentityId: {stdout}"
    );
    let bad = cogkit(&cache, &["--output", "yaml", "demo"], None);
    assert_eq!(bad.status.code(), Some(2), "a usage error");
}

/// Sends the app client's callback to a free loopback port, so the test
/// does not depend on port 8080 being free.
fn register_callback(endpoint: &str, callback: &str) {
    let body = serde_json::json!({
        "UserPoolId": POOL, "ClientId": CLIENT, "ClientName": "public-web",
        "ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        "CallbackURLs": [callback], "AllowedOAuthFlows": ["code"],
        "AllowedOAuthFlowsUserPoolClient": true,
        "AllowedOAuthScopes": ["openid", "email", "profile"],
        "SupportedIdentityProviders": ["COGNITO", "Facebook"],
    });
    let status = tokio::runtime::Runtime::new().unwrap().block_on(async {
        reqwest::Client::new()
            .post(endpoint)
            .header("content-type", "application/x-amz-json-1.1")
            .header("x-amz-target", "AWSCognitoIdentityProviderService.UpdateUserPoolClient")
            .header("authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/ap-northeast-1/cognito-idp/aws4_request, SignedHeaders=host, Signature=00")
            .body(body.to_string())
            .send()
            .await
            .unwrap()
            .status()
    });
    assert!(status.is_success());
}

#[test]
fn login_through_the_hosted_ui_with_a_loopback_redirect() {
    let server = serve();
    let callback = common::free_loopback_callback();
    register_callback(&server.endpoint, &callback);
    let cache = temp_dir("hosted-ui");
    let mut child = Command::new(env!("CARGO_BIN_EXE_cogkit"))
        .args([
            "--endpoint-url",
            &server.endpoint,
            "login",
            "--hosted-ui",
            "--domain",
            "example",
            "--user-pool-id",
            POOL,
            "--client-id",
            CLIENT,
            "--redirect-uri",
            &callback,
            "--no-browser",
            "--identity-pool-id",
            IDENTITY_POOL,
            "--timeout",
            "60",
        ])
        .env("COGKIT_CACHE_DIR", &cache)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = std::io::BufReader::new(child.stderr.take().unwrap());
    let url = loop {
        let mut line = String::new();
        assert!(
            std::io::BufRead::read_line(&mut stderr, &mut line).unwrap() > 0,
            "no URL printed"
        );
        if let Some(u) = line.trim().strip_prefix("http") {
            break format!("http{u}");
        }
    };
    std::thread::spawn(move || std::io::copy(&mut stderr, &mut std::io::sink()));
    assert!(url.contains("/example/oauth2/authorize?"), "{url}");
    assert!(url.contains("code_challenge_method=S256"), "{url}");

    // A person in a browser: the sign-in page, then the redirect to cogkit.
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let browser = mock_cognito::browser::Browser::new();
        let back = browser
            .sign_in(&url, &callback, "alice", "Passw0rd!")
            .await
            .unwrap();
        let delivered = reqwest::get(&back).await.unwrap();
        assert_eq!(delivered.status().as_u16(), 200);
    });
    let out = child.wait_with_output().unwrap();
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("signed in as alice"), "{stdout}");
    assert!(
        stdout.contains("=== GetCredentialsForIdentity ==="),
        "{stdout}"
    );

    // The cached hosted-UI tokens serve `credentials --login cognito`.
    let creds = cogkit(
        &cache,
        &[
            "--endpoint-url",
            &server.endpoint,
            "credentials",
            "--identity-pool-id",
            IDENTITY_POOL,
            "--login",
            "cognito",
            "--user-pool-id",
            POOL,
            "--client-id",
            CLIENT,
        ],
        None,
    );
    assert_eq!(creds.status.code(), Some(0), "{}", text(&creds.stderr));
    assert!(text(&creds.stdout).contains("\"AccessKeyId\""));

    // A redirect URI cogkit cannot listen on is refused before anything starts.
    let bad = cogkit(
        &cache,
        &[
            "--endpoint-url",
            &server.endpoint,
            "login",
            "--hosted-ui",
            "--domain",
            "example",
            "--user-pool-id",
            POOL,
            "--client-id",
            CLIENT,
            "--redirect-uri",
            "https://app.example.com/cb",
            "--no-browser",
        ],
        None,
    );
    readable_failure(
        &bad,
        "--redirect-uri must be http://localhost:<port>/<path>",
    );
}

/// `cogkit trigger run FILE` runs an example handler as the mock does: the
/// event in, the answer out; a thrown error as Lambda reports it, exit 1.
#[test]
fn trigger_run_runs_a_handler_file_as_the_mock_does() {
    let cache = temp_dir("trigger-run");
    let examples = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/triggers");
    let event = |email: &str| {
        serde_json::json!({
            "version": "1", "triggerSource": "PreSignUp_SignUp", "userName": "ann",
            "request": {"userAttributes": {"email": email}}, "response": {},
        })
        .to_string()
    };
    for file in ["pre_sign_up.py", "pre_sign_up.mjs"] {
        let path = format!("{examples}/{file}");
        let ok = cogkit(
            &cache,
            &["trigger", "run", &path],
            Some(&event("ann@example.com")),
        );
        assert_eq!(ok.status.code(), Some(0), "{}", text(&ok.stderr));
        let answer: serde_json::Value = serde_json::from_slice(&ok.stdout).unwrap();
        assert_eq!(answer["response"]["autoConfirmUser"], true, "{file}");
        let thrown = cogkit(
            &cache,
            &["trigger", "run", &path],
            Some(&event("bob@gmail.com")),
        );
        assert_eq!(thrown.status.code(), Some(1), "{file}");
        let error: serde_json::Value = serde_json::from_slice(&thrown.stdout).unwrap();
        assert_eq!(
            error["errorMessage"],
            "Only example.com addresses may sign up"
        );
    }
    let wrong = cogkit(&cache, &["trigger", "run", "Cargo.toml"], Some("{}"));
    readable_failure(&wrong, "a handler file is .py, .js, .mjs or .cjs");
}
