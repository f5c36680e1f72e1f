//! CUSTOM_AUTH driven by real DefineAuthChallenge, CreateAuthChallenge and
//! VerifyAuthChallengeResponse handlers (Python and Node files written for
//! AWS, run through the mock's runner). Each handler appends the events it
//! receives to `<file>.events.jsonl`, so every test checks both sides: the
//! events (session history, private parameters, the answer, client
//! metadata) and the effect (a challenge, tokens verified against the
//! JWKS, a refusal).

mod common;

use std::path::PathBuf;

use cognito_srp::{CognitoTimestamp, Password, PasswordVerifierChallenge, PoolName, SrpClient};
use mock_cognito::MockCognito;
use mock_cognito::triggers::TriggerTarget;
use serde_json::{Value, json};

const DEFINE: &str = "arn:aws:lambda:us-east-1:123456789012:function:define-auth";
const CREATE: &str = "arn:aws:lambda:us-east-1:123456789012:function:create-auth";
const VERIFY: &str = "arn:aws:lambda:us-east-1:123456789012:function:verify-auth";
const PASSWORD: &str = "Custom-Passw0rd!";

/// Three wrong answers end the sign-in; a right one issues tokens. After
/// SRP_A, the password comes first.
const PYTHON_DEFINE: &str = r#"
import json
def handler(event, context):
    with open(__file__ + ".events.jsonl", "a") as f:
        f.write(json.dumps(event) + "\n")
    session = event["request"]["session"]
    last = session[-1] if session else None
    if last and last["challengeName"] == "SRP_A":
        event["response"]["challengeName"] = "PASSWORD_VERIFIER"
    elif last and last["challengeName"] == "CUSTOM_CHALLENGE" and last["challengeResult"]:
        event["response"]["issueTokens"] = True
    elif len([s for s in session if s["challengeName"] == "CUSTOM_CHALLENGE"]) >= 3:
        event["response"]["failAuthentication"] = True
    else:
        event["response"]["challengeName"] = "CUSTOM_CHALLENGE"
    return event
"#;

const PYTHON_CREATE: &str = r#"
import json
def handler(event, context):
    with open(__file__ + ".events.jsonl", "a") as f:
        f.write(json.dumps(event) + "\n")
    round = len(event["request"]["session"])
    event["response"]["publicChallengeParameters"] = {"question": "What is 6 x 7?"}
    event["response"]["privateChallengeParameters"] = {"answer": "42"}
    event["response"]["challengeMetadata"] = "MATH-%d" % round
    return event
"#;

const PYTHON_VERIFY: &str = r#"
import json
def handler(event, context):
    with open(__file__ + ".events.jsonl", "a") as f:
        f.write(json.dumps(event) + "\n")
    expected = event["request"]["privateChallengeParameters"]["answer"]
    event["response"]["answerCorrect"] = event["request"]["challengeAnswer"] == expected
    return event
"#;

const NODE_DEFINE: &str = r#"
const { appendFileSync } = require('node:fs');
exports.handler = async (event) => {
  appendFileSync(__filename + '.events.jsonl', JSON.stringify(event) + '\n');
  const session = event.request.session;
  const last = session[session.length - 1];
  if (last && last.challengeName === 'SRP_A') {
    event.response.challengeName = 'PASSWORD_VERIFIER';
  } else if (last && last.challengeName === 'CUSTOM_CHALLENGE' && last.challengeResult) {
    event.response.issueTokens = true;
  } else if (session.filter((s) => s.challengeName === 'CUSTOM_CHALLENGE').length >= 3) {
    event.response.failAuthentication = true;
  } else {
    event.response.challengeName = 'CUSTOM_CHALLENGE';
  }
  return event;
};
"#;

const NODE_CREATE: &str = r#"
const { appendFileSync } = require('node:fs');
exports.handler = async (event) => {
  appendFileSync(__filename + '.events.jsonl', JSON.stringify(event) + '\n');
  event.response.publicChallengeParameters = { question: 'What is 6 x 7?' };
  event.response.privateChallengeParameters = { answer: '42' };
  event.response.challengeMetadata = `MATH-${event.request.session.length}`;
  return event;
};
"#;

const NODE_VERIFY: &str = r#"
const { appendFileSync } = require('node:fs');
exports.handler = async (event) => {
  appendFileSync(__filename + '.events.jsonl', JSON.stringify(event) + '\n');
  const expected = event.request.privateChallengeParameters.answer;
  event.response.answerCorrect = event.request.challengeAnswer === expected;
  return event;
};
"#;

/// The three handler files of one language, in a directory of their own.
struct Handlers {
    dir: PathBuf,
    define: PathBuf,
    create: PathBuf,
    verify: PathBuf,
}

impl Handlers {
    fn write(name: &str, ext: &str, sources: [&str; 3]) -> Self {
        let dir = std::env::temp_dir().join(format!("mock-custom-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let file = |stem: &str, source: &str| {
            let path = dir.join(format!("{stem}.{ext}"));
            std::fs::write(&path, source).unwrap();
            path
        };
        Handlers {
            define: file("define", sources[0]),
            create: file("create", sources[1]),
            verify: file("verify", sources[2]),
            dir,
        }
    }

    fn python(name: &str) -> Self {
        Self::write(name, "py", [PYTHON_DEFINE, PYTHON_CREATE, PYTHON_VERIFY])
    }

    fn node(name: &str) -> Self {
        Self::write(name, "js", [NODE_DEFINE, NODE_CREATE, NODE_VERIFY])
    }

    async fn mock(&self) -> MockCognito {
        MockCognito::builder()
            .trigger(DEFINE, TriggerTarget::File(self.define.clone()))
            .trigger(CREATE, TriggerTarget::File(self.create.clone()))
            .trigger(VERIFY, TriggerTarget::File(self.verify.clone()))
            .start()
            .await
            .unwrap()
    }
}

impl Drop for Handlers {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A pool with the custom-auth triggers, a client allowing CUSTOM_AUTH,
/// and the confirmed user "dee".
async fn pool(mock: &MockCognito, lambda_config: Value, prevent_errors: bool) -> (String, String) {
    let addr = mock.addr();
    let pool = common::ok(
        addr,
        "CreateUserPool",
        json!({"PoolName": "custom", "LambdaConfig": lambda_config}),
    )
    .await;
    let pool_id = pool["UserPool"]["Id"].as_str().unwrap().to_owned();
    let client = common::ok(
        addr,
        "CreateUserPoolClient",
        json!({
            "UserPoolId": pool_id, "ClientName": "app",
            "ExplicitAuthFlows": ["ALLOW_CUSTOM_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
            "PreventUserExistenceErrors": if prevent_errors { "ENABLED" } else { "LEGACY" },
        }),
    )
    .await;
    let client_id = client["UserPoolClient"]["ClientId"]
        .as_str()
        .unwrap()
        .to_owned();
    let cip = common::user_pool_client(&mock.endpoint());
    common::confirmed_user(
        &cip,
        &pool_id,
        "dee",
        &[("email", "dee@example.com")],
        PASSWORD,
    )
    .await;
    (pool_id, client_id)
}

fn all_three() -> Value {
    json!({"DefineAuthChallenge": DEFINE, "CreateAuthChallenge": CREATE,
           "VerifyAuthChallengeResponse": VERIFY})
}

async fn initiate(mock: &MockCognito, client_id: &str, parameters: Value) -> common::Reply {
    common::call(
        mock.addr(),
        "InitiateAuth",
        &json!({"ClientId": client_id, "AuthFlow": "CUSTOM_AUTH",
                "AuthParameters": parameters, "ClientMetadata": {"app": "quiz"}}),
        false,
    )
    .await
}

async fn answer(
    mock: &MockCognito,
    client_id: &str,
    session: &Value,
    username: &str,
    answer: &str,
) -> common::Reply {
    common::call(
        mock.addr(),
        "RespondToAuthChallenge",
        &json!({"ClientId": client_id, "ChallengeName": "CUSTOM_CHALLENGE", "Session": session,
                "ChallengeResponses": {"USERNAME": username, "ANSWER": answer},
                "ClientMetadata": {"step": "answer"}}),
        false,
    )
    .await
}

/// InitiateAuth, a wrong answer, then the right one: tokens. Every event
/// is what AWS sends, and the session history grows by one per answer.
async fn challenge_then_tokens(handlers: Handlers) {
    let mock = handlers.mock().await;
    let (pool_id, client_id) = pool(&mock, all_three(), false).await;

    let first = common::answer(initiate(&mock, &client_id, json!({"USERNAME": "dee"})).await);
    assert_eq!(first["ChallengeName"], "CUSTOM_CHALLENGE");
    assert_eq!(
        first["ChallengeParameters"],
        json!({"question": "What is 6 x 7?", "USERNAME": "dee"}),
        "the public parameters, never the private ones"
    );
    let define = common::handler_events(&handlers.define);
    assert_eq!(define.len(), 1);
    assert_eq!(
        define[0]["triggerSource"],
        "DefineAuthChallenge_Authentication"
    );
    assert_eq!(define[0]["userPoolId"], pool_id.as_str());
    assert_eq!(define[0]["userName"], "dee");
    assert_eq!(define[0]["callerContext"]["clientId"], client_id.as_str());
    assert_eq!(define[0]["request"]["session"], json!([]));
    assert_eq!(define[0]["request"]["userNotFound"], false);
    assert_eq!(
        define[0]["request"]["userAttributes"]["email"],
        "dee@example.com"
    );
    assert_eq!(define[0]["request"]["clientMetadata"]["app"], "quiz");
    let create = common::handler_events(&handlers.create);
    assert_eq!(
        create[0]["triggerSource"],
        "CreateAuthChallenge_Authentication"
    );
    assert_eq!(create[0]["request"]["challengeName"], "CUSTOM_CHALLENGE");
    assert_eq!(create[0]["request"]["session"], json!([]));

    let wrong = common::answer(answer(&mock, &client_id, &first["Session"], "dee", "41").await);
    assert_eq!(wrong["ChallengeName"], "CUSTOM_CHALLENGE");
    assert_ne!(wrong["Session"], first["Session"]);
    let verify = common::handler_events(&handlers.verify);
    assert_eq!(
        verify[0]["triggerSource"],
        "VerifyAuthChallengeResponse_Authentication"
    );
    assert_eq!(
        verify[0]["request"]["privateChallengeParameters"],
        json!({"answer": "42"})
    );
    assert_eq!(verify[0]["request"]["challengeAnswer"], "41");
    assert_eq!(verify[0]["request"]["clientMetadata"]["step"], "answer");
    assert_eq!(
        common::handler_events(&handlers.define)[1]["request"]["session"],
        json!([{"challengeName": "CUSTOM_CHALLENGE", "challengeResult": false,
                "challengeMetadata": "MATH-0"}])
    );
    // A Session is single use.
    let (code, _) =
        common::refused(answer(&mock, &client_id, &first["Session"], "dee", "42").await);
    assert_eq!(code, "NotAuthorizedException");

    let done = common::answer(answer(&mock, &client_id, &wrong["Session"], "dee", "42").await);
    let id_token = done["AuthenticationResult"]["IdToken"].as_str().unwrap();
    let claims = common::verify_jwt(mock.addr(), &pool_id, id_token, Some(&client_id))
        .await
        .unwrap();
    assert_eq!(claims["cognito:username"], "dee");
    assert_eq!(
        common::handler_events(&handlers.define)[2]["request"]["session"],
        json!([
            {"challengeName": "CUSTOM_CHALLENGE", "challengeResult": false, "challengeMetadata": "MATH-0"},
            {"challengeName": "CUSTOM_CHALLENGE", "challengeResult": true, "challengeMetadata": "MATH-1"},
        ])
    );

    // Three wrong answers: DefineAuthChallenge fails the sign-in.
    let mut reply = common::answer(initiate(&mock, &client_id, json!({"USERNAME": "dee"})).await);
    for _ in 0..2 {
        reply = common::answer(answer(&mock, &client_id, &reply["Session"], "dee", "7").await);
        assert_eq!(reply["ChallengeName"], "CUSTOM_CHALLENGE");
    }
    let (code, message) =
        common::refused(answer(&mock, &client_id, &reply["Session"], "dee", "7").await);
    assert_eq!(code, "NotAuthorizedException");
    assert_eq!(message, "Incorrect username or password.");
}

#[tokio::test]
async fn python_handlers_ask_check_and_issue_tokens() {
    challenge_then_tokens(Handlers::python("py")).await;
}

#[tokio::test]
async fn node_handlers_ask_check_and_issue_tokens() {
    challenge_then_tokens(Handlers::node("node")).await;
}

/// SRP_A with CUSTOM_AUTH: SRP_A in the first history, PASSWORD_VERIFIER
/// answered by cognito-srp's client, then the custom challenge. A wrong
/// password ends the sign-in before any custom challenge.
#[tokio::test]
async fn srp_a_then_password_verifier_then_custom_challenge() {
    let handlers = Handlers::python("srp");
    let mock = handlers.mock().await;
    let (pool_id, client_id) = pool(&mock, all_three(), false).await;
    let srp_round = |password: &'static str| {
        let mock = &mock;
        let client_id = client_id.clone();
        let pool_id = pool_id.clone();
        async move {
            let srp = SrpClient::new(&mut rand_core::UnwrapErr(getrandom::SysRng));
            let first = common::answer(
                initiate(
                    mock,
                    &client_id,
                    json!({"USERNAME": "dee", "SRP_A": srp.srp_a(), "CHALLENGE_NAME": "SRP_A"}),
                )
                .await,
            );
            assert_eq!(first["ChallengeName"], "PASSWORD_VERIFIER");
            let parameters = common::string_map(&first["ChallengeParameters"]);
            let challenge = PasswordVerifierChallenge::from_parameters(&parameters).unwrap();
            let pool = PoolName::from_user_pool_id(&pool_id).unwrap();
            let now = CognitoTimestamp::from_system_time(mock.clock().now()).unwrap();
            let claim = srp
                .answer_password_verifier(&pool, &challenge, &Password::new(password), now)
                .unwrap();
            common::call(
                mock.addr(),
                "RespondToAuthChallenge",
                &json!({"ClientId": client_id, "ChallengeName": "PASSWORD_VERIFIER",
                        "Session": first["Session"],
                        "ChallengeResponses": claim.challenge_responses(None)}),
                false,
            )
            .await
        }
    };
    let verified = common::answer(srp_round(PASSWORD).await);
    assert_eq!(verified["ChallengeName"], "CUSTOM_CHALLENGE");
    let define = common::handler_events(&handlers.define);
    assert_eq!(
        define[0]["request"]["session"],
        json!([{"challengeName": "SRP_A", "challengeResult": true}])
    );
    assert_eq!(
        define[1]["request"]["session"],
        json!([{"challengeName": "SRP_A", "challengeResult": true},
               {"challengeName": "PASSWORD_VERIFIER", "challengeResult": true}])
    );
    let done = common::answer(answer(&mock, &client_id, &verified["Session"], "dee", "42").await);
    assert!(done["AuthenticationResult"]["AccessToken"].is_string());

    let before = common::handler_events(&handlers.create).len();
    let (code, _) = common::refused(srp_round("Wrong-Passw0rd!").await);
    assert_eq!(code, "NotAuthorizedException");
    assert_eq!(
        common::handler_events(&handlers.create).len(),
        before,
        "no challenge after a wrong password"
    );
}

/// Behind PreventUserExistenceErrors an unknown user gets a challenge made
/// by the same handlers (with userNotFound), and no answer signs them in.
#[tokio::test]
async fn an_unknown_user_is_challenged_and_never_signed_in() {
    let handlers = Handlers::python("unknown");
    let mock = handlers.mock().await;
    let (_, client_id) = pool(&mock, all_three(), true).await;
    let first = common::answer(initiate(&mock, &client_id, json!({"USERNAME": "nobody"})).await);
    assert_eq!(first["ChallengeName"], "CUSTOM_CHALLENGE");
    assert_eq!(first["ChallengeParameters"]["USERNAME"], "nobody");
    assert_eq!(
        common::handler_events(&handlers.define)[0]["request"]["userNotFound"],
        true
    );
    let (code, _) =
        common::refused(answer(&mock, &client_id, &first["Session"], "nobody", "42").await);
    assert_eq!(code, "NotAuthorizedException");
}

/// What refuses CUSTOM_AUTH: a pool without DefineAuthChallenge, a client
/// without ALLOW_CUSTOM_AUTH, a handler that answers garbage.
#[tokio::test]
async fn refusals_without_triggers_flow_or_a_sane_answer() {
    let handlers = Handlers::write(
        "garbage",
        "py",
        [
            "def handler(event, context):\n    event['response']['challengeName'] = 'MAGIC'\n    return event\n",
            PYTHON_CREATE,
            PYTHON_VERIFY,
        ],
    );
    let mock = handlers.mock().await;
    let (_, bare_client) = pool(&mock, json!({}), false).await;
    let (code, message) =
        common::refused(initiate(&mock, &bare_client, json!({"USERNAME": "dee"})).await);
    assert_eq!(code, "InvalidParameterException");
    assert_eq!(
        message,
        "Custom auth lambda trigger is not configured for the user pool."
    );

    let (pool_id, client_id) = pool(&mock, all_three(), false).await;
    let (code, _) = common::refused(initiate(&mock, &client_id, json!({"USERNAME": "dee"})).await);
    assert_eq!(code, "InvalidLambdaResponseException");

    let password_only = common::ok(
        mock.addr(),
        "CreateUserPoolClient",
        json!({"UserPoolId": pool_id, "ClientName": "pw",
               "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}),
    )
    .await;
    let other = password_only["UserPoolClient"]["ClientId"]
        .as_str()
        .unwrap();
    let (code, message) = common::refused(initiate(&mock, other, json!({"USERNAME": "dee"})).await);
    assert_eq!(code, "InvalidParameterException");
    assert_eq!(message, "CUSTOM_AUTH flow not enabled for this client");
}
