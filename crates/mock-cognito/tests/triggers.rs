//! Lambda triggers run as real handler processes (Python and Node files
//! written for AWS, run through the mock's runner), an HTTP endpoint and a
//! fake Lambda Invoke API. Each test checks both sides: the event the
//! handler received (each handler writes it next to itself) and what its
//! answer did: a confirmed user, a refused sign-up with the handler's
//! message, claims and scopes in tokens verified against the JWKS. Failing
//! handlers (too slow, a crash, garbage) give AWS's errors and create
//! nothing.

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use mock_cognito::MockCognito;
use mock_cognito::triggers::TriggerTarget;
use serde_json::{Value, json};

const PRE_SIGN_UP: &str = "arn:aws:lambda:us-east-1:123456789012:function:pre-sign-up";
const PRE_TOKEN: &str = "arn:aws:lambda:us-east-1:123456789012:function:pre-token";
const PASSWORD: &str = "Trigger-Passw0rd!";

/// A directory of its own for a test's handler files.
fn handler_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mock-triggers-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Writes a handler file; returns its path.
fn handler(dir: &Path, file: &str, source: &str) -> PathBuf {
    let path = dir.join(file);
    std::fs::write(&path, source).unwrap();
    path
}

/// A mock whose `arn` runs the handler `source`, written as `file` in a
/// directory of its own (`name`): the directory, the file and the mock.
async fn mock_with_handler(
    (name, file, source): (&str, &str, &str),
    arn: &str,
) -> (PathBuf, PathBuf, MockCognito) {
    let dir = handler_dir(name);
    let path = handler(&dir, file, source);
    let mock = MockCognito::builder()
        .trigger(arn, TriggerTarget::File(path.clone()))
        .start()
        .await
        .unwrap();
    (dir, path, mock)
}

/// The event a handler recorded (it writes `<file>.event.json`).
fn recorded(path: &Path) -> Value {
    let text = std::fs::read_to_string(format!("{}.event.json", path.display()))
        .unwrap_or_else(|e| panic!("{} recorded no event: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

/// A mock seeded with `examples/mock-config.toml` whose `arns` all run
/// the handler file `path`.
async fn example_seed_with(arns: &[&str], path: &Path) -> MockCognito {
    let mut builder = MockCognito::builder().seed_file(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/mock-config.toml"
    ));
    for arn in arns {
        builder = builder.trigger(*arn, TriggerTarget::File(path.to_path_buf()));
    }
    builder.start().await.unwrap()
}

/// A pool with this LambdaConfig, an app client (password sign-in), and
/// auto-verified email.
async fn pool_with(mock: &MockCognito, lambda_config: Value) -> (String, String) {
    let addr = mock.addr();
    let pool = common::ok(
        addr,
        "CreateUserPool",
        json!({
            "PoolName": "triggers",
            "AutoVerifiedAttributes": ["email"],
            "LambdaConfig": lambda_config,
        }),
    )
    .await;
    let pool_id = pool["UserPool"]["Id"].as_str().unwrap().to_owned();
    let client = common::ok(
        addr,
        "CreateUserPoolClient",
        json!({
            "UserPoolId": pool_id, "ClientName": "app",
            "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        }),
    )
    .await;
    let client_id = client["UserPoolClient"]["ClientId"]
        .as_str()
        .unwrap()
        .to_owned();
    (pool_id, client_id)
}

async fn sign_up(
    mock: &MockCognito,
    client_id: &str,
    username: &str,
    email: &str,
) -> common::Reply {
    common::call(
        mock.addr(),
        "SignUp",
        &json!({
            "ClientId": client_id, "Username": username, "Password": PASSWORD,
            "UserAttributes": [{"Name": "email", "Value": email}],
            "ValidationData": [{"Name": "invite", "Value": "blue"}],
            "ClientMetadata": {"source": "test"},
        }),
        false,
    )
    .await
}

async fn user_status(mock: &MockCognito, pool_id: &str, username: &str) -> Option<Value> {
    let r = common::call(
        mock.addr(),
        "AdminGetUser",
        &json!({"UserPoolId": pool_id, "Username": username}),
        true,
    )
    .await;
    (r.status == 200).then(|| r.json())
}

const PYTHON_PRE_SIGN_UP: &str = r#"
import json
def handler(event, context):
    with open(__file__ + ".event.json", "w") as f:
        json.dump(event, f)
    email = event["request"]["userAttributes"].get("email", "")
    if not email.endswith("@example.com"):
        raise Exception("Only example.com addresses may sign up")
    event["response"]["autoConfirmUser"] = True
    event["response"]["autoVerifyEmail"] = True
    return event
"#;

const NODE_PRE_SIGN_UP: &str = r#"
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
export const handler = async (event) => {
  writeFileSync(fileURLToPath(import.meta.url) + '.event.json', JSON.stringify(event));
  const email = event.request.userAttributes.email ?? '';
  if (!email.endsWith('@example.com')) throw new Error('Only example.com addresses may sign up');
  event.response.autoConfirmUser = true;
  event.response.autoVerifyEmail = true;
  return event;
};
"#;

/// PreSignUp through a handler file: the event AWS would send, an
/// auto-confirmed and verified user, and a refusal in the handler's words
/// that creates no one.
async fn pre_sign_up_with(file: &str, source: &str) {
    let dir = handler_dir(file);
    let path = handler(&dir, file, source);
    let mock = MockCognito::builder()
        .trigger(PRE_SIGN_UP, TriggerTarget::File(path.clone()))
        .start()
        .await
        .unwrap();
    let (pool_id, client_id) = pool_with(&mock, json!({"PreSignUp": PRE_SIGN_UP})).await;

    let r = common::answer(sign_up(&mock, &client_id, "ann", "ann@example.com").await);
    assert_eq!(r["UserConfirmed"], true);
    assert!(
        r.get("CodeDeliveryDetails").is_none(),
        "no code for a confirmed user"
    );
    let event = recorded(&path);
    assert_eq!(event["version"], "1");
    assert_eq!(event["triggerSource"], "PreSignUp_SignUp");
    assert_eq!(event["region"], "us-east-1");
    assert_eq!(event["userPoolId"], pool_id.as_str());
    assert_eq!(event["userName"], "ann");
    assert_eq!(event["callerContext"]["clientId"], client_id.as_str());
    assert!(event["callerContext"]["awsSdkVersion"].is_string());
    assert_eq!(
        event["request"]["userAttributes"]["email"],
        "ann@example.com"
    );
    assert_eq!(event["request"]["validationData"]["invite"], "blue");
    assert_eq!(event["request"]["clientMetadata"]["source"], "test");
    let user = user_status(&mock, &pool_id, "ann").await.unwrap();
    assert_eq!(user["UserStatus"], "CONFIRMED");
    let verified = user["UserAttributes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a["Name"] == "email_verified" && a["Value"] == "true");
    assert!(verified, "{user}");

    let (code, message) = common::refused(sign_up(&mock, &client_id, "bob", "bob@gmail.com").await);
    assert_eq!(code, "UserLambdaValidationException");
    assert_eq!(
        message,
        "PreSignUp failed with error Only example.com addresses may sign up."
    );
    assert!(
        user_status(&mock, &pool_id, "bob").await.is_none(),
        "bob was created"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn pre_sign_up_in_python_confirms_or_refuses() {
    pre_sign_up_with("pre_sign_up.py", PYTHON_PRE_SIGN_UP).await;
}

#[tokio::test]
async fn pre_sign_up_in_node_confirms_or_refuses() {
    pre_sign_up_with("pre_sign_up.mjs", NODE_PRE_SIGN_UP).await;
}

const PYTHON_PRE_TOKEN_V2: &str = r#"
import json
def handler(event, context):
    with open(__file__ + ".event.json", "w") as f:
        json.dump(event, f)
    event["response"]["claimsAndScopeOverrideDetails"] = {
        "idTokenGeneration": {
            "claimsToAddOrOverride": {"tenant": "acme", "sub": "forged"},
            "claimsToSuppress": ["email"],
        },
        "accessTokenGeneration": {
            "claimsToAddOrOverride": {"plan": "gold"},
            "scopesToAdd": ["orders/read"],
            "scopesToSuppress": ["aws.cognito.signin.user.admin"],
        },
        "groupOverrideDetails": {"groupsToOverride": ["tenant-acme"]},
    }
    return event
"#;

const NODE_PRE_TOKEN_V2: &str = r#"
const { writeFileSync } = require('node:fs');
exports.handler = async (event) => {
  writeFileSync(__filename + '.event.json', JSON.stringify(event));
  event.response.claimsAndScopeOverrideDetails = {
    idTokenGeneration: {
      claimsToAddOrOverride: { tenant: 'acme', sub: 'forged' },
      claimsToSuppress: ['email'],
    },
    accessTokenGeneration: {
      claimsToAddOrOverride: { plan: 'gold' },
      scopesToAdd: ['orders/read'],
      scopesToSuppress: ['aws.cognito.signin.user.admin'],
    },
    groupOverrideDetails: { groupsToOverride: ['tenant-acme'] },
  };
  return event;
};
"#;

/// A confirmed user with an email, signed in with USER_PASSWORD_AUTH.
async fn signed_in(mock: &MockCognito, pool_id: &str, client_id: &str) -> common::Reply {
    let cip = common::user_pool_client(&mock.endpoint());
    common::confirmed_user(
        &cip,
        pool_id,
        "cat",
        &[("email", "cat@example.com")],
        PASSWORD,
    )
    .await;
    password_sign_in(mock, client_id, "cat").await
}

/// USER_PASSWORD_AUTH for `username`: the reply.
async fn password_sign_in(mock: &MockCognito, client_id: &str, username: &str) -> common::Reply {
    common::call(
        mock.addr(),
        "InitiateAuth",
        &json!({
            "ClientId": client_id, "AuthFlow": "USER_PASSWORD_AUTH",
            "AuthParameters": {"USERNAME": username, "PASSWORD": PASSWORD},
        }),
        false,
    )
    .await
}

/// PreTokenGeneration version 2 through a handler file: the event, and the
/// claims and scopes its answer changed in tokens verified against the
/// JWKS (a reserved claim left alone), on sign-in and on refresh.
async fn pre_token_v2_with(file: &str, source: &str) {
    let dir = handler_dir(file);
    let path = handler(&dir, file, source);
    let mock = MockCognito::builder()
        .trigger(PRE_TOKEN, TriggerTarget::File(path.clone()))
        .start()
        .await
        .unwrap();
    let config =
        json!({"PreTokenGenerationConfig": {"LambdaArn": PRE_TOKEN, "LambdaVersion": "V2_0"}});
    let (pool_id, client_id) = pool_with(&mock, config).await;
    let out = common::answer(signed_in(&mock, &pool_id, &client_id).await);
    let tokens = &out["AuthenticationResult"];
    let event = recorded(&path);
    assert_eq!(event["version"], "2");
    assert_eq!(event["triggerSource"], "TokenGeneration_Authentication");
    assert_eq!(event["userName"], "cat");
    assert_eq!(
        event["request"]["userAttributes"]["email"],
        "cat@example.com"
    );
    assert_eq!(
        event["request"]["userAttributes"]["cognito:user_status"],
        "CONFIRMED"
    );
    assert_eq!(
        event["request"]["scopes"],
        json!(["aws.cognito.signin.user.admin"])
    );
    assert!(event["request"]["groupConfiguration"].is_object());

    let addr = mock.addr();
    let id = common::verify_jwt(
        addr,
        &pool_id,
        tokens["IdToken"].as_str().unwrap(),
        Some(&client_id),
    )
    .await
    .unwrap();
    assert_eq!(id["tenant"], "acme");
    assert!(id.get("email").is_none(), "email suppressed");
    assert_ne!(id["sub"], "forged", "a reserved claim stays");
    assert_eq!(id["cognito:groups"], json!(["tenant-acme"]));
    let access = common::verify_jwt(
        addr,
        &pool_id,
        tokens["AccessToken"].as_str().unwrap(),
        None,
    )
    .await
    .unwrap();
    assert_eq!(access["plan"], "gold");
    assert_eq!(access["scope"], "orders/read");

    // A refresh runs it again, as TokenGeneration_RefreshTokens.
    let refreshed = common::answer(
        common::call(
            addr,
            "InitiateAuth",
            &json!({
                "ClientId": client_id, "AuthFlow": "REFRESH_TOKEN_AUTH",
                "AuthParameters": {"REFRESH_TOKEN": tokens["RefreshToken"]},
            }),
            false,
        )
        .await,
    );
    assert_eq!(
        recorded(&path)["triggerSource"],
        "TokenGeneration_RefreshTokens"
    );
    let id = common::verify_jwt(
        addr,
        &pool_id,
        refreshed["AuthenticationResult"]["IdToken"]
            .as_str()
            .unwrap(),
        Some(&client_id),
    )
    .await
    .unwrap();
    assert_eq!(id["tenant"], "acme");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn pre_token_generation_v2_in_python_adds_suppresses_and_rescopes() {
    pre_token_v2_with("pre_token.py", PYTHON_PRE_TOKEN_V2).await;
}

#[tokio::test]
async fn pre_token_generation_v2_in_node_adds_suppresses_and_rescopes() {
    pre_token_v2_with("pre_token.js", NODE_PRE_TOKEN_V2).await;
}

#[tokio::test]
async fn pre_token_generation_v1_overrides_id_token_claims_and_groups() {
    let dir = handler_dir("v1");
    let path = handler(
        &dir,
        "v1.py",
        r#"
import json
def handler(event, context):
    with open(__file__ + ".event.json", "w") as f:
        json.dump(event, f)
    event["response"]["claimsOverrideDetails"] = {
        "claimsToAddOrOverride": {"department": "sales"},
        "groupOverrideDetails": {"groupsToOverride": ["sales"], "preferredRole": "arn:aws:iam::123456789012:role/Sales"},
    }
    return event
"#,
    );
    let mock = MockCognito::builder()
        .trigger(PRE_TOKEN, TriggerTarget::File(path.clone()))
        .start()
        .await
        .unwrap();
    let (pool_id, client_id) = pool_with(&mock, json!({"PreTokenGeneration": PRE_TOKEN})).await;
    let out = common::answer(signed_in(&mock, &pool_id, &client_id).await);
    assert_eq!(recorded(&path)["version"], "1");
    assert!(recorded(&path)["request"].get("scopes").is_none());
    let id = common::verify_jwt(
        mock.addr(),
        &pool_id,
        out["AuthenticationResult"]["IdToken"].as_str().unwrap(),
        Some(&client_id),
    )
    .await
    .unwrap();
    assert_eq!(id["department"], "sales");
    assert_eq!(id["cognito:groups"], json!(["sales"]));
    assert_eq!(
        id["cognito:preferred_role"],
        "arn:aws:iam::123456789012:role/Sales"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// A handler too slow, one that crashes and one that prints garbage: each
/// AWS's error, and no user (PreSignUp) or tokens (PreTokenGeneration).
#[tokio::test]
async fn slow_crashing_and_garbage_handlers_give_awss_errors_and_change_nothing() {
    let dir = handler_dir("failing");
    let cases = [
        (
            "slow.py",
            "import time\ndef handler(event, context):\n    time.sleep(5)\n    return event\n",
            "UnexpectedLambdaException",
        ),
        (
            "crash.py",
            "import sys\ndef handler(event, context):\n    sys.exit(3)\n",
            "UserLambdaValidationException",
        ),
        (
            "garbage.py",
            "import sys\ndef handler(event, context):\n    sys.stdout.write('not json at all')\n    sys.stdout.flush()\n    import os\n    os._exit(0)\n",
            "InvalidLambdaResponseException",
        ),
    ];
    for (file, source, expected) in cases {
        let path = handler(&dir, file, source);
        let mock = MockCognito::builder()
            .trigger(PRE_SIGN_UP, TriggerTarget::File(path.clone()))
            .trigger(PRE_TOKEN, TriggerTarget::File(path))
            .trigger_timeout(Duration::from_secs(1))
            .start()
            .await
            .unwrap();
        let (pool_id, client_id) = pool_with(&mock, json!({"PreSignUp": PRE_SIGN_UP})).await;
        let (code, message) =
            common::refused(sign_up(&mock, &client_id, "dan", "dan@example.com").await);
        assert_eq!(code, expected, "{file}: {message}");
        if file == "crash.py" {
            assert_eq!(
                message,
                "PreSignUp failed with error Runtime exited with error: exit status 3."
            );
        }
        assert!(
            user_status(&mock, &pool_id, "dan").await.is_none(),
            "{file}"
        );

        let (pool_id, client_id) = pool_with(&mock, json!({"PreTokenGeneration": PRE_TOKEN})).await;
        let (code, _) = common::refused(signed_in(&mock, &pool_id, &client_id).await);
        assert_eq!(code, expected, "{file} on sign-in");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// A handler served over HTTP, and one behind the Lambda Invoke API (as
/// `sam local start-lambda` serves it), both in this test's process.
#[tokio::test]
async fn url_and_lambda_endpoint_targets_get_the_event() {
    use axum::routing::post;
    use std::sync::{Arc, Mutex};
    let seen: Arc<Mutex<Vec<(String, Value)>>> = Arc::default();
    let record = |seen: Arc<Mutex<Vec<(String, Value)>>>| {
        move |uri: axum::http::Uri, axum::Json(event): axum::Json<Value>| {
            let seen = seen.clone();
            async move {
                let mut answer = event.clone();
                seen.lock().unwrap().push((uri.to_string(), event));
                let refuse = answer["request"]["userAttributes"]["email"] == "no@example.com";
                if refuse {
                    return (
                        axum::http::StatusCode::OK,
                        [("x-amz-function-error", "Unhandled")],
                        axum::Json(
                            json!({"errorMessage": "refused by the function", "errorType": "Error"}),
                        ),
                    );
                }
                answer["response"]["autoConfirmUser"] = json!(true);
                (
                    axum::http::StatusCode::OK,
                    [("x-amz-executed-version", "$LATEST")],
                    axum::Json(answer),
                )
            }
        }
    };
    let app = axum::Router::new()
        .route("/hook", post(record(seen.clone())))
        .route(
            "/2015-03-31/functions/{name}/invocations",
            post(record(seen.clone())),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let mock = MockCognito::builder()
        .trigger(PRE_SIGN_UP, TriggerTarget::Url(format!("{base}/hook")))
        .lambda_endpoint(&base)
        .start()
        .await
        .unwrap();
    let (_, by_url) = pool_with(&mock, json!({"PreSignUp": PRE_SIGN_UP})).await;
    let other = "arn:aws:lambda:us-east-1:123456789012:function:signup-check:live";
    let (_, by_lambda) = pool_with(&mock, json!({"PreSignUp": other})).await;

    let r = common::answer(sign_up(&mock, &by_url, "eve", "eve@example.com").await);
    assert_eq!(r["UserConfirmed"], true);
    let r = common::answer(sign_up(&mock, &by_lambda, "fay", "fay@example.com").await);
    assert_eq!(r["UserConfirmed"], true);
    let (code, message) =
        common::refused(sign_up(&mock, &by_lambda, "gus", "no@example.com").await);
    assert_eq!(code, "UserLambdaValidationException");
    assert_eq!(
        message,
        "PreSignUp failed with error refused by the function."
    );
    let seen = seen.lock().unwrap();
    assert_eq!(seen[0].0, "/hook");
    assert_eq!(seen[0].1["userName"], "eve");
    assert_eq!(
        seen[1].0,
        "/2015-03-31/functions/signup-check/invocations?Qualifier=live"
    );
    assert_eq!(seen[1].1["triggerSource"], "PreSignUp_SignUp");
}

/// A seed file's `[triggers]` maps ARNs to the example handlers shipped in
/// `examples/triggers/`; a pool made later with those ARNs runs them.
#[tokio::test]
async fn a_seed_file_maps_arns_to_the_example_handlers() {
    let examples = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/triggers");
    let seed = format!(
        r#"
[triggers]
timeout_secs = 10

[triggers.functions."{PRE_SIGN_UP}"]
file = "{examples}/pre_sign_up.mjs"

[triggers.functions."{PRE_TOKEN}"]
file = "{examples}/pre_token_generation.py"
"#
    );
    let mock = MockCognito::builder()
        .seed(mock_cognito::SeedConfig::from_toml(&seed).unwrap())
        .start()
        .await
        .unwrap();
    let config = json!({
        "PreSignUp": PRE_SIGN_UP,
        "PreTokenGenerationConfig": {"LambdaArn": PRE_TOKEN, "LambdaVersion": "V2_0"},
    });
    let (pool_id, client_id) = pool_with(&mock, config).await;
    let (code, _) = common::refused(sign_up(&mock, &client_id, "hal", "hal@gmail.com").await);
    assert_eq!(code, "UserLambdaValidationException");
    let r = common::answer(sign_up(&mock, &client_id, "ida", "ida@example.com").await);
    assert_eq!(r["UserConfirmed"], true);
    let out = common::answer(password_sign_in(&mock, &client_id, "ida").await);
    let access = common::verify_jwt(
        mock.addr(),
        &pool_id,
        out["AuthenticationResult"]["AccessToken"].as_str().unwrap(),
        None,
    )
    .await
    .unwrap();
    assert_eq!(access["tenant"], "default");
    assert_eq!(access["scope"], "https://api.example.com/read");

    // A target must be one thing.
    let bad = format!(
        "[triggers.functions.\"{PRE_SIGN_UP}\"]\nfile = \"a.py\"\nurl = \"http://127.0.0.1:1/\"\n"
    );
    let refused = MockCognito::builder()
        .seed(mock_cognito::SeedConfig::from_toml(&bad).unwrap())
        .start()
        .await
        .unwrap_err();
    assert!(refused.to_string().contains("exactly one of"), "{refused}");
}

const PRE_AUTH: &str = "arn:aws:lambda:us-east-1:123456789012:function:pre-auth";
const POST_AUTH: &str = "arn:aws:lambda:us-east-1:123456789012:function:post-auth";

/// PreAuthentication (Python) refuses a user before any password check;
/// PostAuthentication (Node) sees each passed sign-in, and its refusal
/// issues no tokens. Neither runs on a refresh.
#[tokio::test]
async fn pre_and_post_authentication_see_each_sign_in_and_may_refuse_it() {
    let dir = handler_dir("auth");
    let pre = handler(
        &dir,
        "pre_auth.py",
        r#"
import json
def handler(event, context):
    with open(__file__ + ".event.json", "w") as f:
        json.dump(event, f)
    if event["userName"] == "cat-blocked":
        raise Exception("This account is blocked")
    return event
"#,
    );
    let post = handler(
        &dir,
        "post_auth.mjs",
        r#"
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
export const handler = async (event) => {
  writeFileSync(fileURLToPath(import.meta.url) + '.event.json', JSON.stringify(event));
  if (event.request.userAttributes.email === 'late@example.com') throw new Error('Too late today');
  return event;
};
"#,
    );
    let mock = MockCognito::builder()
        .trigger(PRE_AUTH, TriggerTarget::File(pre.clone()))
        .trigger(POST_AUTH, TriggerTarget::File(post.clone()))
        .start()
        .await
        .unwrap();
    let (pool_id, client_id) = pool_with(
        &mock,
        json!({"PreAuthentication": PRE_AUTH, "PostAuthentication": POST_AUTH}),
    )
    .await;
    let out = common::answer(signed_in(&mock, &pool_id, &client_id).await);
    let pre_event = recorded(&pre);
    assert_eq!(
        pre_event["triggerSource"],
        "PreAuthentication_Authentication"
    );
    assert_eq!(pre_event["userName"], "cat");
    assert_eq!(
        pre_event["request"]["userAttributes"]["email"],
        "cat@example.com"
    );
    assert_eq!(pre_event["request"]["userNotFound"], false);
    let post_event = recorded(&post);
    assert_eq!(
        post_event["triggerSource"],
        "PostAuthentication_Authentication"
    );
    assert_eq!(post_event["callerContext"]["clientId"], client_id.as_str());
    assert_eq!(post_event["request"]["newDeviceUsed"], false);

    let cip = common::user_pool_client(&mock.endpoint());
    common::confirmed_user(&cip, &pool_id, "cat-blocked", &[], PASSWORD).await;
    let (code, message) = common::refused(password_sign_in(&mock, &client_id, "cat-blocked").await);
    assert_eq!(code, "UserLambdaValidationException");
    assert_eq!(
        message,
        "PreAuthentication failed with error This account is blocked."
    );

    common::confirmed_user(
        &cip,
        &pool_id,
        "late",
        &[("email", "late@example.com")],
        PASSWORD,
    )
    .await;
    let (code, message) = common::refused(password_sign_in(&mock, &client_id, "late").await);
    assert_eq!(code, "UserLambdaValidationException");
    assert_eq!(
        message,
        "PostAuthentication failed with error Too late today."
    );

    // A refresh is not an authentication: neither trigger runs.
    std::fs::remove_file(format!("{}.event.json", pre.display())).unwrap();
    std::fs::remove_file(format!("{}.event.json", post.display())).unwrap();
    common::answer(
        common::call(
            mock.addr(),
            "InitiateAuth",
            &json!({
                "ClientId": client_id, "AuthFlow": "REFRESH_TOKEN_AUTH",
                "AuthParameters": {"REFRESH_TOKEN": out["AuthenticationResult"]["RefreshToken"]},
            }),
            false,
        )
        .await,
    );
    assert!(!Path::new(&format!("{}.event.json", pre.display())).exists());
    assert!(!Path::new(&format!("{}.event.json", post.display())).exists());
    let _ = std::fs::remove_dir_all(&dir);
}

const USER_MIGRATION: &str = "arn:aws:lambda:us-east-1:123456789012:function:user-migration";

/// A legacy store of two users; a wrong password or an unknown name is
/// refused, as migration handlers do.
const NODE_USER_MIGRATION: &str = r#"
const { appendFileSync } = require('node:fs');
const legacy = {
  lee: { password: 'Legacy-Passw0rd!', email: 'lee@example.com' },
  max: { password: 'Old-Passw0rd!', email: 'max@example.com' },
};
exports.handler = async (event) => {
  appendFileSync(__filename + '.events.jsonl', JSON.stringify(event) + '\n');
  const known = legacy[event.userName];
  if (!known) throw new Error('Unknown legacy user');
  const signIn = event.triggerSource === 'UserMigration_Authentication';
  if (signIn && event.request.password !== known.password) throw new Error('Bad password');
  event.response.userAttributes = { email: known.email, email_verified: 'true' };
  if (signIn) event.response.finalUserStatus = 'CONFIRMED';
  event.response.messageAction = 'SUPPRESS';
  return event;
};
"#;

/// UserMigration: a legacy user signs in with USER_PASSWORD_AUTH and is
/// created with the handler's attributes and that password, then signs in
/// with SRP with no handler call; a wrong password creates no one;
/// ForgotPassword migrates a user as RESET_REQUIRED and sends the code to
/// the migrated address, and the new password then signs in.
#[tokio::test]
async fn user_migration_moves_legacy_users_on_sign_in_and_forgot_password() {
    let (dir, path, mock) = mock_with_handler(
        ("migration", "user_migration.js", NODE_USER_MIGRATION),
        USER_MIGRATION,
    )
    .await;
    let (pool_id, client_id) = pool_with(&mock, json!({"UserMigration": USER_MIGRATION})).await;
    let addr = mock.addr();
    let sign_in = |password: &'static str| {
        let client_id = client_id.clone();
        async move {
            common::call(
                addr,
                "InitiateAuth",
                &json!({"ClientId": client_id, "AuthFlow": "USER_PASSWORD_AUTH",
                        "AuthParameters": {"USERNAME": "lee", "PASSWORD": password},
                        "ClientMetadata": {"app": "legacy"}}),
                false,
            )
            .await
        }
    };

    let (code, _) = common::refused(sign_in("Wrong-Passw0rd!").await);
    assert_eq!(code, "UserNotFoundException");
    assert!(user_status(&mock, &pool_id, "lee").await.is_none());

    let out = common::answer(sign_in("Legacy-Passw0rd!").await);
    let id = out["AuthenticationResult"]["IdToken"].as_str().unwrap();
    let claims = common::verify_jwt(addr, &pool_id, id, Some(&client_id))
        .await
        .unwrap();
    assert_eq!(claims["email"], "lee@example.com");
    let seen = common::handler_events(&path);
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[1]["triggerSource"], "UserMigration_Authentication");
    assert_eq!(seen[1]["userName"], "lee");
    assert_eq!(seen[1]["userPoolId"], pool_id.as_str());
    assert_eq!(seen[1]["request"]["password"], "Legacy-Passw0rd!");
    assert_eq!(seen[1]["request"]["clientMetadata"]["app"], "legacy");
    let user = user_status(&mock, &pool_id, "lee").await.unwrap();
    assert_eq!(user["UserStatus"], "CONFIRMED");

    // The migrated password is an ordinary one now: SRP signs in with it.
    let cip = common::user_pool_client(&mock.endpoint());
    cip.update_user_pool_client()
        .user_pool_id(&pool_id)
        .client_id(&client_id)
        .set_explicit_auth_flows(Some(vec![
            "ALLOW_USER_SRP_AUTH".into(),
            "ALLOW_REFRESH_TOKEN_AUTH".into(),
        ]))
        .send()
        .await
        .unwrap();
    let srp = cognito_srp::SrpClient::new(&mut rand_core::UnwrapErr(getrandom::SysRng));
    let init = common::ok(
        addr,
        "InitiateAuth",
        json!({"AuthFlow": "USER_SRP_AUTH", "ClientId": client_id,
               "AuthParameters": {"USERNAME": "lee", "SRP_A": srp.srp_a()}}),
    )
    .await;
    let challenge = cognito_srp::PasswordVerifierChallenge::from_parameters(&common::string_map(
        &init["ChallengeParameters"],
    ))
    .unwrap();
    let now = cognito_srp::CognitoTimestamp::from_system_time(mock.clock().now()).unwrap();
    let claim = srp
        .answer_password_verifier(
            &cognito_srp::PoolName::from_user_pool_id(&pool_id).unwrap(),
            &challenge,
            &cognito_srp::Password::new("Legacy-Passw0rd!"),
            now,
        )
        .unwrap();
    let done = common::ok(
        addr,
        "RespondToAuthChallenge",
        json!({"ClientId": client_id, "ChallengeName": "PASSWORD_VERIFIER",
               "ChallengeResponses": claim.challenge_responses(None)}),
    )
    .await;
    assert!(done["AuthenticationResult"]["AccessToken"].is_string());
    assert_eq!(
        common::handler_events(&path).len(),
        2,
        "no migration for a user the pool has"
    );

    // ForgotPassword migrates without a password.
    let forgot = common::ok(
        addr,
        "ForgotPassword",
        json!({"ClientId": client_id, "Username": "max"}),
    )
    .await;
    assert_eq!(forgot["CodeDeliveryDetails"]["DeliveryMedium"], "EMAIL");
    let seen = common::handler_events(&path);
    assert_eq!(seen[2]["triggerSource"], "UserMigration_ForgotPassword");
    assert!(seen[2]["request"].get("password").is_none());
    let max = user_status(&mock, &pool_id, "max").await.unwrap();
    assert_eq!(max["UserStatus"], "RESET_REQUIRED");
    let codes = common::raw(
        addr,
        "GET",
        &format!("/_mock/codes?user_pool_id={pool_id}&username=max"),
        &[],
        b"",
    )
    .await
    .json();
    let code = codes["codes"][0]["code"].as_str().unwrap();
    common::ok(
        addr,
        "ConfirmForgotPassword",
        json!({"ClientId": client_id, "Username": "max", "ConfirmationCode": code,
               "Password": "New-Passw0rd!"}),
    )
    .await;
    let max = user_status(&mock, &pool_id, "max").await.unwrap();
    assert_eq!(max["UserStatus"], "CONFIRMED");
    let _ = std::fs::remove_dir_all(&dir);
}

const POST_CONFIRMATION: &str = "arn:aws:lambda:us-east-1:123456789012:function:post-confirmation";

/// Creates the app's row for each confirmed user (one JSON line in a
/// file beside it); refuses users whose email says so.
const PYTHON_POST_CONFIRMATION: &str = r#"
import json
def handler(event, context):
    with open(__file__ + ".events.jsonl", "a") as f:
        f.write(json.dumps(event) + "\n")
    if event["request"]["userAttributes"]["email"].startswith("fail"):
        raise Exception("No row for this user")
    return event
"#;

/// PostConfirmation after ConfirmSignUp and ConfirmForgotPassword, with
/// the confirmed user's attributes and the call's client metadata; a
/// failing handler's error is the answer, and (as on AWS) the user stays
/// confirmed.
#[tokio::test]
async fn post_confirmation_runs_after_each_confirmation() {
    let (dir, path, mock) = mock_with_handler(
        (
            "post-confirmation",
            "post_confirmation.py",
            PYTHON_POST_CONFIRMATION,
        ),
        POST_CONFIRMATION,
    )
    .await;
    let (pool_id, client_id) =
        pool_with(&mock, json!({"PostConfirmation": POST_CONFIRMATION})).await;
    let addr = mock.addr();
    common::answer(sign_up(&mock, &client_id, "eve", "eve@example.com").await);
    assert!(
        common::handler_events(&path).is_empty(),
        "nothing before the confirmation"
    );
    let code = common::newest_outbox_entry(mock.addr(), &pool_id, "eve").await["code"]
        .as_str()
        .unwrap()
        .to_owned();
    common::ok(
        addr,
        "ConfirmSignUp",
        json!({"ClientId": client_id, "Username": "eve", "ConfirmationCode": code,
               "ClientMetadata": {"plan": "free"}}),
    )
    .await;
    let seen = common::handler_events(&path);
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0]["triggerSource"], "PostConfirmation_ConfirmSignUp");
    assert_eq!(seen[0]["userName"], "eve");
    assert_eq!(seen[0]["callerContext"]["clientId"], client_id.as_str());
    assert_eq!(
        seen[0]["request"]["userAttributes"]["cognito:user_status"],
        "CONFIRMED"
    );
    assert_eq!(
        seen[0]["request"]["userAttributes"]["email_verified"],
        "true"
    );
    assert_eq!(seen[0]["request"]["clientMetadata"]["plan"], "free");

    common::ok(
        addr,
        "ForgotPassword",
        json!({"ClientId": client_id, "Username": "eve"}),
    )
    .await;
    let code = common::newest_outbox_entry(mock.addr(), &pool_id, "eve").await["code"]
        .as_str()
        .unwrap()
        .to_owned();
    common::ok(
        addr,
        "ConfirmForgotPassword",
        json!({"ClientId": client_id, "Username": "eve", "ConfirmationCode": code,
               "Password": "Another-Passw0rd!"}),
    )
    .await;
    assert_eq!(
        common::handler_events(&path)[1]["triggerSource"],
        "PostConfirmation_ConfirmForgotPassword"
    );

    common::answer(sign_up(&mock, &client_id, "fay", "fail@example.com").await);
    let (code, message) = common::refused(
        common::call(
            addr,
            "AdminConfirmSignUp",
            &json!({"UserPoolId": pool_id, "Username": "fay"}),
            true,
        )
        .await,
    );
    assert_eq!(code, "UserLambdaValidationException");
    assert_eq!(
        message,
        "PostConfirmation failed with error No row for this user."
    );
    let seen = common::handler_events(&path);
    assert_eq!(
        seen[2]["callerContext"]["clientId"],
        "CLIENT_ID_NOT_APPLICABLE"
    );
    let fay = user_status(&mock, &pool_id, "fay").await.unwrap();
    assert_eq!(fay["UserStatus"], "CONFIRMED");
    let _ = std::fs::remove_dir_all(&dir);
}

const CUSTOM_MESSAGE: &str = "arn:aws:lambda:us-east-1:123456789012:function:custom-message";

/// A branded sign-up email and invitation; anything else left as the
/// pool's template has it.
const NODE_CUSTOM_MESSAGE: &str = r#"
const { appendFileSync } = require('node:fs');
exports.handler = async (event) => {
  appendFileSync(__filename + '.events.jsonl', JSON.stringify(event) + '\n');
  const { codeParameter, usernameParameter, userAttributes } = event.request;
  if (event.triggerSource === 'CustomMessage_SignUp') {
    event.response.emailSubject = 'Welcome to Acme';
    event.response.emailMessage = `Hello ${userAttributes.email}, your Acme code is ${codeParameter}.`;
  } else if (event.triggerSource === 'CustomMessage_AdminCreateUser') {
    event.response.emailSubject = 'Your Acme account';
    event.response.emailMessage = `Sign in as ${usernameParameter} with ${codeParameter}.`;
  } else if (event.triggerSource === 'CustomMessage_ForgotPassword') {
    event.response.emailMessage = 'A reset was asked for.';
  }
  return event;
};
"#;

/// CustomMessage: the code goes out in the handler's subject and message
/// (placeholders filled in), the code in it works; the invitation gets
/// the username placeholder; a message without the code is refused.
/// Without the trigger, the pool's own template is used.
#[tokio::test]
async fn custom_message_writes_the_emails_codes_go_out_in() {
    let (dir, path, mock) = mock_with_handler(
        ("custom-message", "custom_message.js", NODE_CUSTOM_MESSAGE),
        CUSTOM_MESSAGE,
    )
    .await;
    let (pool_id, client_id) = pool_with(&mock, json!({"CustomMessage": CUSTOM_MESSAGE})).await;
    let addr = mock.addr();
    common::answer(sign_up(&mock, &client_id, "gus", "gus@example.com").await);
    let sent = common::newest_outbox_entry(mock.addr(), &pool_id, "gus").await;
    let code = sent["code"].as_str().unwrap();
    assert_eq!(sent["subject"], "Welcome to Acme");
    assert_eq!(
        sent["message"],
        format!("Hello gus@example.com, your Acme code is {code}.").as_str()
    );
    let event = &common::handler_events(&path)[0];
    assert_eq!(event["triggerSource"], "CustomMessage_SignUp");
    assert_eq!(event["request"]["codeParameter"], "{####}");
    assert_eq!(event["request"]["usernameParameter"], Value::Null);
    assert_eq!(event["request"]["clientMetadata"]["source"], "test");
    assert_eq!(
        event["request"]["userAttributes"]["email"],
        "gus@example.com"
    );
    common::ok(
        addr,
        "ConfirmSignUp",
        json!({"ClientId": client_id, "Username": "gus", "ConfirmationCode": code}),
    )
    .await;

    common::ok(
        addr,
        "AdminCreateUser",
        json!({"UserPoolId": pool_id, "Username": "hal",
               "UserAttributes": [{"Name": "email", "Value": "hal@example.com"}]}),
    )
    .await;
    let invitation = common::newest_outbox_entry(mock.addr(), &pool_id, "hal").await;
    let temporary = invitation["code"].as_str().unwrap();
    assert_eq!(
        invitation["message"],
        format!("Sign in as hal with {temporary}.").as_str()
    );
    assert_eq!(
        common::handler_events(&path)[1]["triggerSource"],
        "CustomMessage_AdminCreateUser"
    );
    assert_eq!(
        common::handler_events(&path)[1]["request"]["usernameParameter"],
        "{username}"
    );

    let (code, _) = common::refused(
        common::call(
            addr,
            "ForgotPassword",
            &json!({"ClientId": client_id, "Username": "gus"}),
            false,
        )
        .await,
    );
    assert_eq!(code, "InvalidLambdaResponseException");
    let _ = std::fs::remove_dir_all(&dir);

    // No trigger: the pool's VerificationMessageTemplate.
    let plain = MockCognito::start().await.unwrap();
    let pool = common::ok(
        plain.addr(),
        "CreateUserPool",
        json!({"PoolName": "templated", "AutoVerifiedAttributes": ["email"],
               "VerificationMessageTemplate": {"EmailSubject": "Your code",
                   "EmailMessage": "Use {####} to finish signing up", "DefaultEmailOption": "CONFIRM_WITH_CODE"}}),
    )
    .await;
    let pool_id = pool["UserPool"]["Id"].as_str().unwrap();
    let client = common::ok(
        plain.addr(),
        "CreateUserPoolClient",
        json!({"UserPoolId": pool_id, "ClientName": "app"}),
    )
    .await;
    let client_id = client["UserPoolClient"]["ClientId"].as_str().unwrap();
    common::answer(sign_up(&plain, client_id, "ivy", "ivy@example.com").await);
    let sent = common::newest_outbox_entry(plain.addr(), pool_id, "ivy").await;
    assert_eq!(sent["subject"], "Your code");
    assert_eq!(
        sent["message"],
        format!(
            "Use {} to finish signing up",
            sent["code"].as_str().unwrap()
        )
        .as_str()
    );
}

const HOOK_PRE_AUTH: &str = "arn:aws:lambda:us-east-1:123456789012:function:hook-pre-auth";
const HOOK_MIGRATION: &str = "arn:aws:lambda:us-east-1:123456789012:function:hook-migration";
const HOOK_PRE_TOKEN: &str = "arn:aws:lambda:us-east-1:123456789012:function:hook-pre-token";

/// The hosted UI's sign-in page runs PreAuthentication and UserMigration,
/// and its token endpoint PreTokenGeneration (`TokenGeneration_HostedAuth`),
/// here as URL targets served by the test's own single-threaded runtime:
/// the mock runs them off its async workers, so none of them waits on the
/// other.
#[tokio::test]
async fn the_hosted_ui_runs_sign_in_triggers_served_by_the_same_runtime() {
    use axum::routing::post;
    let hook = |axum::Json(mut event): axum::Json<Value>| async move {
        match event["triggerSource"].as_str().unwrap_or_default() {
            "PreAuthentication_Authentication" if event["userName"] == "blocked" => {
                return (
                    axum::http::StatusCode::BAD_REQUEST,
                    axum::Json(json!({"errorMessage": "Blocked by policy"})),
                );
            }
            "UserMigration_Authentication"
                if event["userName"] == "legacy"
                    && event["request"]["password"] == "Legacy-Passw0rd!" =>
            {
                event["response"]["userAttributes"] =
                    json!({"email": "legacy@example.com", "email_verified": "true"});
            }
            "UserMigration_Authentication" => {
                return (
                    axum::http::StatusCode::BAD_REQUEST,
                    axum::Json(json!({"errorMessage": "Bad password"})),
                );
            }
            "TokenGeneration_HostedAuth" => {
                event["response"]["claimsOverrideDetails"] =
                    json!({"claimsToAddOrOverride": {"via": "hosted-ui"}});
            }
            _ => {}
        }
        (axum::http::StatusCode::OK, axum::Json(event))
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let app = axum::Router::new().route("/hook", post(hook));
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let mock = MockCognito::builder()
        .trigger(HOOK_PRE_AUTH, TriggerTarget::Url(url.clone()))
        .trigger(HOOK_MIGRATION, TriggerTarget::Url(url.clone()))
        .trigger(HOOK_PRE_TOKEN, TriggerTarget::Url(url))
        .start()
        .await
        .unwrap();
    let addr = mock.addr();
    let pool = common::ok(
        addr,
        "CreateUserPool",
        json!({"PoolName": "hosted", "LambdaConfig": {
            "PreAuthentication": HOOK_PRE_AUTH, "UserMigration": HOOK_MIGRATION,
            "PreTokenGeneration": HOOK_PRE_TOKEN}}),
    )
    .await;
    let pool_id = pool["UserPool"]["Id"].as_str().unwrap().to_owned();
    common::ok(
        addr,
        "CreateUserPoolDomain",
        json!({"UserPoolId": pool_id, "Domain": "hooks"}),
    )
    .await;
    let callback = "http://localhost:8080/callback";
    let client = common::ok(
        addr,
        "CreateUserPoolClient",
        json!({"UserPoolId": pool_id, "ClientName": "web",
               "AllowedOAuthFlows": ["code"], "AllowedOAuthFlowsUserPoolClient": true,
               "AllowedOAuthScopes": ["openid", "email"], "CallbackURLs": [callback],
               "SupportedIdentityProviders": ["COGNITO"]}),
    )
    .await;
    let client_id = client["UserPoolClient"]["ClientId"]
        .as_str()
        .unwrap()
        .to_owned();
    let cip = common::user_pool_client(&mock.endpoint());
    common::confirmed_user(&cip, &pool_id, "blocked", &[], PASSWORD).await;
    let authorize = format!(
        "{}/hooks/oauth2/authorize?{}",
        mock.endpoint(),
        serde_urlencoded::to_string([
            ("response_type", "code"),
            ("client_id", client_id.as_str()),
            ("redirect_uri", callback),
            ("scope", "openid email"),
        ])
        .unwrap()
    );

    let browser = mock_cognito::browser::Browser::new();
    let refused = browser
        .sign_in(&authorize, callback, "blocked", PASSWORD)
        .await
        .unwrap_err();
    assert!(
        refused
            .0
            .contains("PreAuthentication failed with error Blocked by policy."),
        "{refused}"
    );
    let refused = browser
        .sign_in(&authorize, callback, "legacy", "Wrong-Passw0rd!")
        .await
        .unwrap_err();
    assert!(
        refused.0.contains("Incorrect username or password"),
        "{refused}"
    );
    assert!(user_status(&mock, &pool_id, "legacy").await.is_none());

    let landed = browser
        .sign_in(&authorize, callback, "legacy", "Legacy-Passw0rd!")
        .await
        .unwrap();
    let code = landed
        .split("code=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap();
    let tokens: Value = reqwest::Client::new()
        .post(format!("{}/hooks/oauth2/token", mock.endpoint()))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(
            serde_urlencoded::to_string([
                ("grant_type", "authorization_code"),
                ("client_id", client_id.as_str()),
                ("code", code),
                ("redirect_uri", callback),
            ])
            .unwrap(),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = common::verify_jwt(
        addr,
        &pool_id,
        tokens["id_token"].as_str().unwrap(),
        Some(&client_id),
    )
    .await
    .unwrap();
    assert_eq!(id["via"], "hosted-ui");
    assert_eq!(id["cognito:username"], "legacy");
    assert_eq!(id["email"], "legacy@example.com");
}

const FED_PRE_SIGN_UP: &str = "arn:aws:lambda:us-east-1:123456789012:function:fed-pre-sign-up";
const FED_POST_CONFIRMATION: &str =
    "arn:aws:lambda:us-east-1:123456789012:function:fed-post-confirmation";
const FED_PRE_AUTH: &str = "arn:aws:lambda:us-east-1:123456789012:function:fed-pre-auth";

/// One Python handler for the three, as a file per ARN would be: records
/// each event; PreSignUp marks the provider's email verified.
const PYTHON_FEDERATION: &str = r#"
import json
def handler(event, context):
    with open(__file__ + ".events.jsonl", "a") as f:
        f.write(json.dumps(event) + "\n")
    if event["triggerSource"] == "PreSignUp_ExternalProvider":
        event["response"]["autoVerifyEmail"] = True
    return event
"#;

/// A federated sign-in (the fake Facebook, through the hosted UI) runs
/// PreSignUp as `PreSignUp_ExternalProvider` and PostConfirmation the
/// first time, PreAuthentication the next, as AWS documents for federated
/// users; PreSignUp's autoVerifyEmail marks the provider's email verified.
#[tokio::test]
async fn a_federated_first_sign_in_runs_pre_sign_up_and_post_confirmation() {
    let dir = handler_dir("federation");
    let path = handler(&dir, "federation.py", PYTHON_FEDERATION);
    let mock = example_seed_with(
        &[FED_PRE_SIGN_UP, FED_POST_CONFIRMATION, FED_PRE_AUTH],
        &path,
    )
    .await;
    let addr = mock.addr();
    let pool_id = "ap-northeast-1_Example01";
    let client_id = "1example23456789abcdefghij";
    common::ok(
        addr,
        "UpdateUserPool",
        json!({"UserPoolId": pool_id, "LambdaConfig": {
            "PreSignUp": FED_PRE_SIGN_UP, "PostConfirmation": FED_POST_CONFIRMATION,
            "PreAuthentication": FED_PRE_AUTH}}),
    )
    .await;
    let callback = "http://localhost:8080/callback";
    let authorize = format!(
        "{}/example/oauth2/authorize?{}",
        mock.endpoint(),
        serde_urlencoded::to_string([
            ("response_type", "code"),
            ("client_id", client_id),
            ("redirect_uri", callback),
            ("scope", "openid email"),
        ])
        .unwrap()
    );
    let federated_sign_in = || async {
        mock_cognito::browser::Browser::new()
            .sign_in_with_provider(
                &authorize,
                callback,
                "Facebook",
                "carol@example.com",
                "facebook-pass",
            )
            .await
            .unwrap()
    };
    let landed = federated_sign_in().await;
    assert!(landed.contains("code="), "{landed}");
    let seen = common::handler_events(&path);
    let sources: Vec<&str> = seen
        .iter()
        .map(|e| e["triggerSource"].as_str().unwrap())
        .collect();
    assert_eq!(
        sources,
        [
            "PreSignUp_ExternalProvider",
            "PostConfirmation_ConfirmSignUp"
        ]
    );
    assert_eq!(seen[0]["userName"], "Facebook_10000000000000001");
    assert_eq!(seen[0]["callerContext"]["clientId"], client_id);
    assert_eq!(
        seen[0]["request"]["userAttributes"]["email"],
        "carol@example.com"
    );
    assert_eq!(
        seen[1]["request"]["userAttributes"]["cognito:user_status"],
        "EXTERNAL_PROVIDER"
    );
    assert_eq!(
        seen[1]["request"]["userAttributes"]["email_verified"],
        "true"
    );
    let user = common::ok(
        addr,
        "AdminGetUser",
        json!({"UserPoolId": pool_id, "Username": "Facebook_10000000000000001"}),
    )
    .await;
    let verified = user["UserAttributes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a["Name"] == "email_verified" && a["Value"] == "true");
    assert!(verified, "{user}");

    federated_sign_in().await;
    let seen = common::handler_events(&path);
    assert_eq!(seen.len(), 3, "{seen:?}");
    assert_eq!(seen[2]["triggerSource"], "PreAuthentication_Authentication");
    let _ = std::fs::remove_dir_all(&dir);
}

const M2M_PRE_TOKEN: &str = "arn:aws:lambda:us-east-1:123456789012:function:m2m-pre-token";

const NODE_M2M_PRE_TOKEN: &str = r#"
const { appendFileSync } = require('node:fs');
exports.handler = async (event) => {
  appendFileSync(__filename + '.events.jsonl', JSON.stringify(event) + '\n');
  if (event.triggerSource === 'TokenGeneration_ClientCredentials') {
    event.response.claimsAndScopeOverrideDetails = {
      accessTokenGeneration: {
        claimsToAddOrOverride: { tenant: event.request.clientMetadata.tenant ?? 'none' },
        scopesToAdd: ['https://api.example.com/extra'],
      },
    };
  }
  return event;
};
"#;

/// PreTokenGeneration version 3 runs for machine-to-machine tokens
/// (`TokenGeneration_ClientCredentials`), from GetClientToken (with its
/// ClientMetadata) and the token endpoint's client_credentials grant;
/// version 2 does not.
#[tokio::test]
async fn pre_token_generation_v3_shapes_client_credentials_tokens() {
    let dir = handler_dir("m2m");
    let path = handler(&dir, "m2m.js", NODE_M2M_PRE_TOKEN);
    let mock = example_seed_with(&[M2M_PRE_TOKEN], &path).await;
    let addr = mock.addr();
    let pool_id = "ap-northeast-1_Example01";
    let (machine, secret) = (
        "3example23456789abcdefghij",
        "examplemachinesecret0123456789abcdefghijklmnop",
    );
    let set_version = |version: &'static str| async move {
        common::ok(
            addr,
            "UpdateUserPool",
            json!({"UserPoolId": pool_id, "LambdaConfig": {"PreTokenGenerationConfig":
                {"LambdaArn": M2M_PRE_TOKEN, "LambdaVersion": version}}}),
        )
        .await;
    };
    let get_token = || async {
        let out = common::answer(
            common::call_in(
                addr,
                "GetClientToken",
                &json!({"ClientId": machine, "Secret": secret,
                        "ClientMetadata": {"tenant": "acme"}}),
                Some("ap-northeast-1"),
            )
            .await,
        );
        let token = out["ClientAuthenticationResult"]["AccessToken"]
            .as_str()
            .unwrap()
            .to_owned();
        common::verify_jwt(addr, pool_id, &token, None)
            .await
            .unwrap()
    };

    set_version("V2_0").await;
    let plain = get_token().await;
    assert!(plain.get("tenant").is_none());
    assert!(
        common::handler_events(&path).is_empty(),
        "version 2 is for users only"
    );

    set_version("V3_0").await;
    let shaped = get_token().await;
    assert_eq!(shaped["tenant"], "acme");
    assert_eq!(
        shaped["scope"],
        "https://api.example.com/read https://api.example.com/extra"
    );
    assert_eq!(shaped["client_id"], machine, "reserved claims stay");
    let event = &common::handler_events(&path)[0];
    assert_eq!(event["version"], "3");
    assert_eq!(event["triggerSource"], "TokenGeneration_ClientCredentials");
    assert_eq!(event["callerContext"]["clientId"], machine);
    assert_eq!(
        event["request"]["scopes"],
        json!(["https://api.example.com/read"])
    );
    assert_eq!(event["request"]["userAttributes"], json!({}));

    // The token endpoint's grant too.
    let form = serde_urlencoded::to_string([
        ("grant_type", "client_credentials"),
        ("client_id", machine),
        ("client_secret", secret),
    ])
    .unwrap();
    let tokens: Value = reqwest::Client::new()
        .post(format!("{}/example/oauth2/token", mock.endpoint()))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let access = common::verify_jwt(
        addr,
        pool_id,
        tokens["access_token"].as_str().unwrap(),
        None,
    )
    .await
    .unwrap();
    assert_eq!(access["tenant"], "none");
    assert_eq!(common::handler_events(&path).len(), 2);
    let _ = std::fs::remove_dir_all(&dir);
}

const SMS_SENDER: &str = "arn:aws:lambda:us-east-1:123456789012:function:sms-sender";
const KMS_KEY: &str = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

/// Records the event and the environment a handler gets for reaching KMS.
const PYTHON_SMS_SENDER: &str = r#"
import json, os
def handler(event, context):
    with open(__file__ + ".events.jsonl", "a") as f:
        event["env"] = {k: os.environ.get(k) for k in ["AWS_ENDPOINT_URL_KMS", "AWS_REGION"]}
        f.write(json.dumps(event) + "\n")
    return event
"#;

/// CustomSMSSender gets the code as an Encryption SDK message (never in
/// the clear) with AWS's event shape, and an environment whose KMS is the
/// mock, whose Decrypt opens the message's data key only for the pool's
/// key. (The Encryption SDK itself decrypts it in `cargo xtask compat`.)
/// Without KMSKeyID there is no code to hand over.
#[tokio::test]
async fn custom_sms_sender_gets_the_code_encrypted_for_kms() {
    use base64::Engine;
    let (dir, path, mock) = mock_with_handler(
        ("sms-sender", "sms_sender.py", PYTHON_SMS_SENDER),
        SMS_SENDER,
    )
    .await;
    let addr = mock.addr();
    let make_pool = |kms: Option<&'static str>| async move {
        let mut config =
            json!({"CustomSMSSender": {"LambdaVersion": "V1_0", "LambdaArn": SMS_SENDER}});
        if let Some(key) = kms {
            config["KMSKeyID"] = json!(key);
        }
        let pool = common::ok(
            addr,
            "CreateUserPool",
            json!({"PoolName": "sms", "AutoVerifiedAttributes": ["phone_number"],
                   "LambdaConfig": config}),
        )
        .await;
        let pool_id = pool["UserPool"]["Id"].as_str().unwrap().to_owned();
        let client = common::ok(
            addr,
            "CreateUserPoolClient",
            json!({"UserPoolId": pool_id, "ClientName": "app"}),
        )
        .await;
        let client_id = client["UserPoolClient"]["ClientId"]
            .as_str()
            .unwrap()
            .to_owned();
        (pool_id, client_id)
    };
    let sign_up_by_phone = |client_id: String| async move {
        common::call(
            addr,
            "SignUp",
            &json!({"ClientId": client_id, "Username": "pam", "Password": PASSWORD,
                    "UserAttributes": [{"Name": "phone_number", "Value": "+15555550100"}]}),
            false,
        )
        .await
    };

    let (pool_id, client_id) = make_pool(Some(KMS_KEY)).await;
    common::answer(sign_up_by_phone(client_id).await);
    let event = &common::handler_events(&path)[0];
    assert_eq!(event["triggerSource"], "CustomSMSSender_SignUp");
    assert_eq!(event["request"]["type"], "customSMSSenderRequestV1");
    assert_eq!(
        event["request"]["userAttributes"]["phone_number"],
        "+15555550100"
    );
    assert_eq!(
        event["env"]["AWS_ENDPOINT_URL_KMS"],
        mock.endpoint().as_str()
    );
    assert_eq!(event["env"]["AWS_REGION"], "us-east-1");
    let issued = common::newest_outbox_entry(mock.addr(), &pool_id, "pam").await["code"]
        .as_str()
        .unwrap()
        .to_owned();
    let message = base64::engine::general_purpose::STANDARD
        .decode(event["request"]["code"].as_str().unwrap())
        .unwrap();
    assert_eq!(
        &message[..4],
        &[0x01, 0x80, 0x01, 0x78],
        "ESDK v1, suite 0x0178"
    );
    assert!(
        !message.windows(6).any(|w| w == issued.as_bytes()),
        "the code is never in the clear"
    );
    // The encrypted data key, as the KMS keyring finds it: after the
    // version, type, suite, message id, context length and key count,
    // the provider id "aws-kms" and the key's ARN.
    let mut at = 24;
    let next = |at: &mut usize| {
        let len = usize::from(u16::from_be_bytes([message[*at], message[*at + 1]]));
        let field = message[*at + 2..*at + 2 + len].to_vec();
        *at += 2 + len;
        field
    };
    assert_eq!(next(&mut at), b"aws-kms");
    assert_eq!(next(&mut at), KMS_KEY.as_bytes());
    let wrapped = next(&mut at);
    let decrypt = |key: &str| {
        let body = json!({"CiphertextBlob": base64::engine::general_purpose::STANDARD.encode(&wrapped),
                          "KeyId": key});
        async move { common::call(addr, "TrentService.Decrypt", &body, true).await }
    };
    let opened = common::answer(decrypt(KMS_KEY).await);
    assert_eq!(opened["KeyId"], KMS_KEY);
    let data_key = base64::engine::general_purpose::STANDARD
        .decode(opened["Plaintext"].as_str().unwrap())
        .unwrap();
    assert_eq!(data_key.len(), 32);
    let (code, _) = common::refused(decrypt("arn:aws:kms:us-east-1:123456789012:key/other").await);
    assert_eq!(code, "IncorrectKeyException");

    let (_, keyless_client) = make_pool(None).await;
    let (code, _) = common::refused(sign_up_by_phone(keyless_client).await);
    assert_eq!(code, "InvalidParameterException");
    let _ = std::fs::remove_dir_all(&dir);
}
