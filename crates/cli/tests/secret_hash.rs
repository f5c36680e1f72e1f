//! `cogkit secret-hash` and help texts: the value, clean failures, what help says.

use std::process::Command;

fn cogkit() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cogkit"));
    cmd.env_remove("COGKIT_CLIENT_SECRET");
    cmd
}

#[test]
fn prints_the_public_vector_hash() {
    let out = cogkit()
        .args(["secret-hash", "--username", "test", "--client-id", "123abd"])
        .env("COGKIT_CLIENT_SECRET", "clientSecret")
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8(out.stdout).unwrap().trim(),
        "LoIX/oPJWZzFYv8liJYRo+CHv16FNDY10JlZEDjL3Vg="
    );
}

#[test]
fn missing_arguments_exit_2_with_a_readable_message() {
    let out = cogkit()
        .args(["secret-hash", "--username", "test"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("--client-id"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn the_secret_is_not_echoed_in_help() {
    let out = cogkit()
        .args(["secret-hash", "--help"])
        .env("COGKIT_CLIENT_SECRET", "s3cr3t-value")
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(
        !String::from_utf8(out.stdout)
            .unwrap()
            .contains("s3cr3t-value")
    );
}

#[test]
fn login_help_explains_the_prompt_and_both_provider_flows() {
    let out = Command::new(env!("CARGO_BIN_EXE_cogkit"))
        .args(["login", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0));
    for needed in [
        "sign in with (cognito, facebook, amazon)",
        "identity_provider=Facebook / LoginWithAmazon",
        "Enter Code:",
        "guest credentials",
        "--provider facebook --direct",
        "graph.facebook.com",
    ] {
        assert!(help.contains(needed), "login --help lacks {needed:?}");
    }
}
