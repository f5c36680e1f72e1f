//! The handlers in `examples/triggers/`, each in Python and in Node, run
//! by the mock in the flows they are written for: sign-up and invitation
//! messages, password reset (CustomMessage, PostConfirmation), sign-in
//! (PreAuthentication, PostAuthentication, PreTokenGeneration v2), a
//! suspended user refused, a legacy user migrated, and a CUSTOM_AUTH
//! captcha. (The custom sender examples need the Encryption SDK: `cargo
//! xtask compat` runs them.)

mod common;

use mock_cognito::MockCognito;
use mock_cognito::triggers::TriggerTarget;
use serde_json::{Value, json};

const PASSWORD: &str = "Example-Passw0rd!";

/// The ARN an example handler is mapped to, per language.
fn arn(name: &str, ext: &str) -> String {
    format!("arn:aws:lambda:us-east-1:123456789012:function:{name}-{ext}")
}

async fn with_examples(ext: &str) -> MockCognito {
    let examples = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/triggers");
    let mut builder = MockCognito::builder().trigger_timeout(std::time::Duration::from_secs(20));
    for name in [
        "pre_sign_up",
        "post_confirmation",
        "pre_authentication",
        "post_authentication",
        "pre_token_generation",
        "user_migration",
        "custom_message",
        "define_auth_challenge",
        "create_auth_challenge",
        "verify_auth_challenge_response",
    ] {
        let file = std::path::Path::new(examples).join(format!("{name}.{ext}"));
        builder = builder.trigger(arn(name, ext), TriggerTarget::File(file));
    }
    builder.start().await.unwrap()
}

async fn every_example_in_its_flow(ext: &str) {
    let mock = with_examples(ext).await;
    let addr = mock.addr();
    let pool = common::ok(
        addr,
        "CreateUserPool",
        json!({
            "PoolName": format!("examples-{ext}"),
            "AutoVerifiedAttributes": ["email"],
            "Schema": [{"Name": "suspended", "AttributeDataType": "String", "Mutable": true}],
            "LambdaConfig": {
                "PreSignUp": arn("pre_sign_up", ext),
                "PostConfirmation": arn("post_confirmation", ext),
                "PreAuthentication": arn("pre_authentication", ext),
                "PostAuthentication": arn("post_authentication", ext),
                "PreTokenGenerationConfig": {"LambdaArn": arn("pre_token_generation", ext), "LambdaVersion": "V2_0"},
                "UserMigration": arn("user_migration", ext),
                "CustomMessage": arn("custom_message", ext),
                "DefineAuthChallenge": arn("define_auth_challenge", ext),
                "CreateAuthChallenge": arn("create_auth_challenge", ext),
                "VerifyAuthChallengeResponse": arn("verify_auth_challenge_response", ext),
            },
        }),
    )
    .await;
    let pool_id = pool["UserPool"]["Id"].as_str().unwrap().to_owned();
    let client = common::ok(
        addr,
        "CreateUserPoolClient",
        json!({"UserPoolId": pool_id, "ClientName": "app", "ExplicitAuthFlows":
               ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_CUSTOM_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}),
    )
    .await;
    let client_id = client["UserPoolClient"]["ClientId"]
        .as_str()
        .unwrap()
        .to_owned();
    let call = |target: &'static str, body: Value| async move {
        common::call(addr, target, &body, false).await
    };
    let sign_up = |username: &'static str, email: &'static str| {
        call(
            "SignUp",
            json!({"ClientId": client_id, "Username": username, "Password": PASSWORD,
                   "UserAttributes": [{"Name": "email", "Value": email}]}),
        )
    };
    let sign_in = |username: &'static str, password: &'static str| {
        call(
            "InitiateAuth",
            json!({"ClientId": client_id, "AuthFlow": "USER_PASSWORD_AUTH",
                   "AuthParameters": {"USERNAME": username, "PASSWORD": password}}),
        )
    };

    // PreSignUp: example.com only, confirmed at once.
    let (code, message) = common::refused(sign_up("bob", "bob@gmail.com").await);
    assert_eq!(code, "UserLambdaValidationException");
    assert!(message.contains("Only example.com addresses may sign up"));
    assert_eq!(
        common::answer(sign_up("ann", "ann@example.com").await)["UserConfirmed"],
        true
    );

    // CustomMessage: the invitation and the reset in the example's words;
    // PostConfirmation after the reset.
    common::ok(
        addr,
        "AdminCreateUser",
        json!({"UserPoolId": pool_id, "Username": "cat",
               "UserAttributes": [{"Name": "email", "Value": "cat@example.com"}]}),
    )
    .await;
    let invitation = common::newest_outbox_entry(addr, &pool_id, "cat").await;
    assert_eq!(invitation["subject"], "Your Example account");
    assert_eq!(
        invitation["message"],
        format!(
            "Sign in as cat with the temporary password {}.",
            invitation["code"].as_str().unwrap()
        )
        .as_str()
    );
    common::answer(
        call(
            "ForgotPassword",
            json!({"ClientId": client_id, "Username": "ann"}),
        )
        .await,
    );
    let reset = common::newest_outbox_entry(addr, &pool_id, "ann").await;
    let reset_code = reset["code"].as_str().unwrap().to_owned();
    assert_eq!(
        reset["message"],
        format!("Use {reset_code} to choose a new password.").as_str()
    );
    common::answer(
        call(
            "ConfirmForgotPassword",
            json!({"ClientId": client_id, "Username": "ann", "ConfirmationCode": reset_code,
                   "Password": PASSWORD}),
        )
        .await,
    );

    // Sign-in: PreAuthentication, PostAuthentication, PreTokenGeneration.
    let out = common::answer(sign_in("ann", PASSWORD).await);
    let tokens = &out["AuthenticationResult"];
    let id = common::verify_jwt(
        addr,
        &pool_id,
        tokens["IdToken"].as_str().unwrap(),
        Some(&client_id),
    )
    .await
    .unwrap();
    assert_eq!(id["tenant"], "default");
    assert!(id.get("email").is_none(), "suppressed by the example");

    // A suspended user is refused before the password.
    common::ok(
        addr,
        "AdminUpdateUserAttributes",
        json!({"UserPoolId": pool_id, "Username": "ann",
               "UserAttributes": [{"Name": "custom:suspended", "Value": "true"}]}),
    )
    .await;
    let (code, message) = common::refused(sign_in("ann", "any-password").await);
    assert_eq!(code, "UserLambdaValidationException");
    assert_eq!(
        message,
        "PreAuthentication failed with error This account is suspended."
    );
    common::ok(
        addr,
        "AdminUpdateUserAttributes",
        json!({"UserPoolId": pool_id, "Username": "ann",
               "UserAttributes": [{"Name": "custom:suspended", "Value": "false"}]}),
    )
    .await;

    // UserMigration: the legacy user, with the legacy password.
    let (code, _) = common::refused(sign_in("legacy-lee", "Wrong-Passw0rd!").await);
    assert_eq!(code, "UserNotFoundException");
    common::answer(sign_in("legacy-lee", "Legacy-Passw0rd!").await);

    // CUSTOM_AUTH: the captcha, solved.
    let first = common::answer(
        call(
            "InitiateAuth",
            json!({"ClientId": client_id, "AuthFlow": "CUSTOM_AUTH",
                   "AuthParameters": {"USERNAME": "ann"}}),
        )
        .await,
    );
    let captcha = first["ChallengeParameters"]["captcha"].as_str().unwrap();
    let sum: u32 = captcha
        .split('+')
        .map(|n| n.trim().parse::<u32>().unwrap())
        .sum();
    let done = common::answer(
        call(
            "RespondToAuthChallenge",
            json!({"ClientId": client_id, "ChallengeName": "CUSTOM_CHALLENGE",
                   "Session": first["Session"],
                   "ChallengeResponses": {"USERNAME": "ann", "ANSWER": sum.to_string()}}),
        )
        .await,
    );
    assert!(done["AuthenticationResult"]["AccessToken"].is_string());
}

#[tokio::test]
async fn the_python_examples_run_in_their_flows() {
    every_example_in_its_flow("py").await;
}

#[tokio::test]
async fn the_node_examples_run_in_their_flows() {
    every_example_in_its_flow("mjs").await;
}
