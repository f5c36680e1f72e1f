//! `cogkit login` at a pseudo-terminal: the study's prompt, hidden password.

use std::io::{Read, Write};
use std::process::Command;

mod common;

use common::{CLIENT, IDENTITY_POOL, POOL, serve};

fn login_command(endpoint: &str, cache: &std::path::Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cogkit"));
    cmd.args(["--endpoint-url", endpoint, "login"])
        .env("COGKIT_USER_POOL_ID", POOL)
        .env("COGKIT_CLIENT_ID", CLIENT)
        .env("COGKIT_IDENTITY_POOL_ID", IDENTITY_POOL)
        .env("COGKIT_CACHE_DIR", cache)
        .env("AWS_EC2_METADATA_DISABLED", "true");
    cmd
}

#[test]
fn cognito_sign_in_at_a_terminal_does_not_echo_the_password() {
    let server = serve();
    let cache = std::env::temp_dir().join(format!("cogkit-pty-{}", std::process::id()));
    let mut p =
        rexpect::session::spawn_command(login_command(&server.endpoint, &cache), Some(20_000))
            .unwrap();
    p.exp_string("sign in with (cognito, facebook, amazon): ")
        .unwrap();
    p.send_line("cognito").unwrap();
    p.exp_string("Username: ").unwrap();
    p.send_line("alice").unwrap();
    p.exp_string("Password: ").unwrap();
    p.send_line("Passw0rd!").unwrap();
    let shown = p.exp_string("signed in as alice").unwrap();
    assert!(
        !shown.contains("Passw0rd!"),
        "the password was echoed: {shown:?}"
    );
    // Then, like the study, the identity-pool calls and their answers.
    p.exp_string("=== GetId ===").unwrap();
    let rest = p.exp_string("=== GetCredentialsForIdentity ===").unwrap();
    assert!(rest.contains("IdentityId"));
    p.exp_eof().unwrap();
}

#[test]
fn facebook_token_at_a_terminal() {
    let server = serve();
    // A token from the mock's fake Facebook, through its documented helper route.
    let addr = server.endpoint.trim_start_matches("http://").to_owned();
    let body = r#"{"provider":"graph.facebook.com","audience":"1234567890","subject":"10001"}"#;
    let mut s = std::net::TcpStream::connect(&addr).unwrap();
    write!(s, "POST /_mock/idp/token HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\ncontent-length: {}\r\n\r\n{body}", body.len()).unwrap();
    let mut response = String::new();
    s.read_to_string(&mut response).unwrap();
    let json: serde_json::Value =
        serde_json::from_str(response.split("\r\n\r\n").nth(1).unwrap()).unwrap();
    let token = json["token"].as_str().unwrap().to_owned();

    let cache = std::env::temp_dir().join(format!("cogkit-pty-fb-{}", std::process::id()));
    let mut p =
        rexpect::session::spawn_command(login_command(&server.endpoint, &cache), Some(20_000))
            .unwrap();
    p.exp_string("sign in with (cognito, facebook, amazon): ")
        .unwrap();
    p.send_line("facebook").unwrap();
    p.exp_string("Facebook token: ").unwrap();
    p.send_line(&token).unwrap();
    let shown = p.exp_string("=== GetCredentialsForIdentity ===").unwrap();
    assert!(!shown.contains(&token), "the token was echoed");
    p.exp_eof().unwrap();
}
