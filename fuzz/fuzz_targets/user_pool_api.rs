//! AWS JSON 1.1 on `POST /` for `AWSCognitoIdentityProviderService.*`:
//! target routing, body checks, validation against the service model, and
//! every handler behind it, on a seeded mock.
//!
//! Input: `<Operation>\n<JSON body>`, placeholders as in `fixture`. A
//! fresh SRP start per input that names `{{SECRET_BLOCK}}` & co. lets
//! mutated PASSWORD_VERIFIER answers reach the proof check.
//!
//! Invariants: the AWS error shape, never a 5xx, and no tokens from
//! PASSWORD_VERIFIER unless the input carried alice's honest proof, for the
//! user it names.

#![no_main]

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cognito_kit_fuzz::fixture::{self, Aftermath, with_fixture};
use cognito_kit_fuzz::shape;
use libfuzzer_sys::fuzz_target;
use mock_cognito::fuzzing::InProcessReply;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let end = data.iter().position(|&b| b == b'\n').unwrap_or(data.len());
    let Ok(op) = std::str::from_utf8(&data[..end]) else {
        return;
    };
    let body = data.get(end + 1..).unwrap_or_default();
    with_fixture(|fx| {
        let body = fx.expand(body);
        let target = fixture::user_pool_target(op);
        let Ok(reply) = fx.mock().call(
            "POST",
            "/",
            &[
                ("content-type", b"application/x-amz-json-1.1"),
                ("x-amz-target", target.as_bytes()),
                ("authorization", fixture::DUMMY_SIGV4.as_bytes()),
            ],
            &body,
        ) else {
            return; // an operation name no HTTP header can carry
        };
        let request = (&target, String::from_utf8_lossy(&body));
        shape::aws_json(&request, &reply);
        if op.ends_with("RespondToAuthChallenge") {
            proof_was_honest(data, &body, &reply, &request);
        }
        fx.settle(aftermath(op, &reply));
    });
});

/// Tokens from PASSWORD_VERIFIER need the honest signature (the only proof
/// the fuzzer can hold) and are for the user the answer names.
fn proof_was_honest(
    raw: &[u8],
    body: &[u8],
    reply: &InProcessReply,
    request: &dyn std::fmt::Debug,
) {
    let Ok(input) = serde_json::from_slice::<Value>(body) else {
        return;
    };
    let reply_json: Value = serde_json::from_slice(&reply.body).unwrap_or_default();
    let id_token = reply_json["AuthenticationResult"]["IdToken"].as_str();
    if reply.status != 200 || input["ChallengeName"] != "PASSWORD_VERIFIER" || id_token.is_none() {
        return;
    }
    let carried_proof = raw.windows(13).any(|w| w == b"{{SIGNATURE}}");
    shape::require(
        carried_proof,
        "tokens for a forged PASSWORD_VERIFIER proof",
        request,
        reply,
    );
    let claims: Value = id_token
        .and_then(|t| t.split('.').nth(1))
        .and_then(|p| URL_SAFE_NO_PAD.decode(p).ok())
        .and_then(|p| serde_json::from_slice(&p).ok())
        .unwrap_or_default();
    let named = input["ChallengeResponses"]["USERNAME"]
        .as_str()
        .unwrap_or_default();
    let signed_in = claims["cognito:username"].as_str().unwrap_or_default();
    shape::require(
        named.eq_ignore_ascii_case(signed_in),
        "PASSWORD_VERIFIER answered with tokens of a user other than ChallengeResponses.USERNAME",
        request,
        reply,
    );
}

/// What a request may have changed in the fixture.
fn aftermath(op: &str, reply: &InProcessReply) -> Aftermath {
    const SIGN_IN: [&str; 5] = [
        "InitiateAuth",
        "AdminInitiateAuth",
        "RespondToAuthChallenge",
        "AdminRespondToAuthChallenge",
        "ChangePassword",
    ];
    const KEEPS_THE_FIXTURE: [&str; 16] = [
        "Get",
        "List",
        "Describe",
        "Create",
        "InitiateAuth",
        "AdminInitiateAuth",
        "SignUp",
        "ConfirmSignUp",
        "ResendConfirmationCode",
        "ForgotPassword",
        "AdminGet",
        "AdminList",
        "AdminCreateUser",
        "AdminAddUserToGroup",
        "AdminConfirmSignUp",
        "TagResource",
    ];
    const CHANGES_USERS: [&str; 14] = [
        "RespondToAuthChallenge",
        "AdminRespondToAuthChallenge",
        "AdminSetUserPassword",
        "ChangePassword",
        "AdminResetUserPassword",
        "ConfirmForgotPassword",
        "GlobalSignOut",
        "AdminUserGlobalSignOut",
        "RevokeToken",
        "AdminUpdateUserAttributes",
        "UpdateUserAttributes",
        "VerifyUserAttribute",
        "AdminEnableUser",
        "AdminDisableUser",
    ];
    if reply.status != 200 {
        return if SIGN_IN.contains(&op) {
            Aftermath::FailedSignIn
        } else {
            Aftermath::Clean
        };
    }
    if CHANGES_USERS.contains(&op) {
        Aftermath::Users
    } else if KEEPS_THE_FIXTURE.iter().any(|p| op.starts_with(p)) {
        Aftermath::Clean
    } else {
        Aftermath::Everything
    }
}
