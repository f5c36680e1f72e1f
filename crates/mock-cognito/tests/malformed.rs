//! Malformed requests get a 400 in the AWS error shape, never a 5xx, and
//! leave the mock working.

mod common;

use common::{call, ok, raw};
use mock_cognito::MockCognito;
use std::sync::atomic::{AtomicUsize, Ordering};

use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence, RngSeed, TestRunner};
use serde_json::{Value, json};

fn assert_aws_error(reply: &common::Reply, code: &str) {
    assert_eq!(
        reply.status,
        400,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    assert_eq!(
        reply.error_type(),
        code,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    assert_eq!(
        reply.header("x-amzn-ErrorType"),
        Some(format!("{code}:").as_str())
    );
    assert!(reply.header("x-amzn-RequestId").is_some());
    assert!(
        reply.json()["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty())
    );
}

#[tokio::test]
async fn protocol_errors_have_the_aws_shape() {
    let mock = MockCognito::start().await.unwrap();
    let addr = mock.addr();
    let json11 = ("content-type", "application/x-amz-json-1.1");
    let target = (
        "x-amz-target",
        "AWSCognitoIdentityProviderService.CreateUserPool",
    );
    let auth = (
        "authorization",
        "AWS4-HMAC-SHA256 Credential=x/y, SignedHeaders=host, Signature=0",
    );

    assert_aws_error(
        &raw(addr, "POST", "/", &[json11, target, auth], b"{not json").await,
        "SerializationException",
    );
    assert_aws_error(
        &raw(
            addr,
            "POST",
            "/",
            &[("content-type", "text/plain"), target, auth],
            b"{}",
        )
        .await,
        "SerializationException",
    );
    assert_aws_error(
        &raw(
            addr,
            "POST",
            "/",
            &[
                json11,
                ("x-amz-target", "AWSCognitoIdentityProviderService.Nope"),
            ],
            b"{}",
        )
        .await,
        "UnknownOperationException",
    );
    assert_aws_error(
        &raw(
            addr,
            "POST",
            "/",
            &[json11, ("x-amz-target", "Bogus.CreateUserPool")],
            b"{}",
        )
        .await,
        "UnknownOperationException",
    );
    assert_aws_error(
        &raw(addr, "POST", "/", &[json11], b"{}").await,
        "UnknownOperationException",
    );
    assert_aws_error(
        &raw(addr, "POST", "/", &[json11, target], br#"{"PoolName":"p"}"#).await,
        "MissingAuthenticationTokenException",
    );
    assert_aws_error(
        &raw(addr, "POST", "/", &[json11, target, auth], b"{}").await,
        "InvalidParameterException",
    );
    assert_aws_error(
        &raw(
            addr,
            "POST",
            "/",
            &[json11, target, auth],
            br#"{"PoolName": 7}"#,
        )
        .await,
        "SerializationException",
    );
    let big = format!(
        r#"{{"PoolName":"{}"}}"#,
        "a".repeat(mock_cognito::MAX_BODY_BYTES + 10)
    );
    assert_aws_error(
        &raw(addr, "POST", "/", &[json11, target, auth], big.as_bytes()).await,
        "SerializationException",
    );
    // Identity-pool targets are recognised and validated, then refused
    // plainly: cognito-identity's front end says ValidationException.
    let r = call(addr, "AWSCognitoIdentityService.GetId", &json!({}), false).await;
    assert_aws_error(&r, "ValidationException");

    let preflight = raw(
        addr,
        "OPTIONS",
        "/",
        &[("origin", "http://localhost:3000")],
        b"",
    )
    .await;
    assert_eq!(preflight.status, 200);
    assert_eq!(preflight.header("access-control-allow-origin"), Some("*"));
}

/// The sweep's seed when `PROPTEST_RNG_SEED` does not set one: fixed, so
/// every run sends the same requests and a failure reproduces.
const DEFAULT_SWEEP_SEED: u64 = 0x6d6f_636b_2d63_6f67;
/// The sweep's pool, fixed so the generated bodies are the same every run.
const SWEEP_POOL: &str = "us-east-1_Sweep0001";

/// Several hundred generated malformed bodies: no 5xx, always the AWS shape,
/// and a normal call works afterwards.
///
/// The seed is printed (and taken from `PROPTEST_RNG_SEED` when set), and a
/// failing case is shrunk and saved to `proptest-regressions/malformed.txt`,
/// which later runs replay first: commit that file with the fix.
#[test]
fn generated_malformed_bodies_never_cause_a_5xx() {
    let seed = std::env::var("PROPTEST_RNG_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(DEFAULT_SWEEP_SEED);
    eprintln!("malformed-body sweep: seed {seed} (PROPTEST_RNG_SEED={seed} repeats it)");
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let seed_file = format!("[[user_pools]]\nid = \"{SWEEP_POOL}\"\nname = \"p\"\n");
    let mock = runtime.block_on(async {
        MockCognito::builder()
            .seed(mock_cognito::SeedConfig::from_toml(&seed_file).unwrap())
            .start()
            .await
            .unwrap()
    });
    let addr = mock.addr();

    let value = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        "\\PC{0,20}".prop_map(Value::from),
        Just(json!([1, "x"])),
        Just(json!({"a": {"b": []}})),
        Just(Value::from(SWEEP_POOL)),
    ];
    // A BTreeMap, not a HashMap: the same seed must give the same bytes.
    let members = prop::collection::btree_map(
        prop_oneof![
            Just("UserPoolId".to_owned()),
            Just("Username".to_owned()),
            Just("ClientId".to_owned()),
            Just("AuthFlow".to_owned()),
            Just("AuthParameters".to_owned()),
            Just("PoolName".to_owned()),
            Just("ClientName".to_owned()),
            Just("TemporaryPassword".to_owned()),
            Just("ChallengeResponses".to_owned()),
            "[A-Za-z]{1,12}",
        ],
        value,
        0..6,
    );
    let ops = prop_oneof![
        Just("CreateUserPool"),
        Just("DescribeUserPool"),
        Just("CreateUserPoolClient"),
        Just("AdminCreateUser"),
        Just("AdminSetUserPassword"),
        Just("InitiateAuth"),
        Just("RespondToAuthChallenge"),
        Just("ListUsers"),
        Just("AdminGetUser"),
        Just("DeleteUserPool"),
    ];
    let bodies = prop_oneof![
        members.prop_map(|m| serde_json::to_vec(&m).unwrap()),
        prop::collection::vec(any::<u8>(), 0..64),
        "\\PC{0,40}".prop_map(String::into_bytes),
    ];
    let mut runner = TestRunner::new(Config {
        cases: 300,
        rng_seed: RngSeed::Fixed(seed),
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/proptest-regressions/malformed.txt"
        )))),
        ..Config::default()
    });
    let errors = AtomicUsize::new(0);
    let outcome = runner.run(&(ops, bodies), |(op, body)| {
        let target = format!("AWSCognitoIdentityProviderService.{op}");
        let reply = runtime.block_on(raw(
            addr,
            "POST",
            "/",
            &[
                ("content-type", "application/x-amz-json-1.1"),
                ("x-amz-target", &target),
                (
                    "authorization",
                    "AWS4-HMAC-SHA256 Credential=x/y, SignedHeaders=host, Signature=0",
                ),
            ],
            &body,
        ));
        let shown = String::from_utf8_lossy(&body);
        prop_assert!(reply.status < 500, "{op} {shown:?} → {}", reply.status);
        if reply.status != 200 {
            errors.fetch_add(1, Ordering::Relaxed);
            prop_assert_eq!(reply.status, 400, "{} {:?}", op, shown);
            prop_assert!(!reply.error_type().is_empty(), "{op} {shown:?}: no __type");
        }
        Ok(())
    });
    if let Err(e) = outcome {
        panic!("seed {seed}: {e}");
    }
    let errors = errors.into_inner();
    assert!(
        errors > 200,
        "most generated bodies are malformed ({errors})"
    );
    // The mock still works: a normal sign-in on a fresh pool succeeds.
    runtime.block_on(async {
    let pool = ok(addr, "CreateUserPool", json!({"PoolName": "after"})).await;
    let pool_id = pool["UserPool"]["Id"].as_str().unwrap();
    let client = ok(
        addr,
        "CreateUserPoolClient",
        json!({
            "UserPoolId": pool_id, "ClientName": "c",
            "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        }),
    )
    .await;
    let client_id = client["UserPoolClient"]["ClientId"].as_str().unwrap();
    ok(
        addr,
        "AdminCreateUser",
        json!({"UserPoolId": pool_id, "Username": "u", "TemporaryPassword": "Passw0rd!x"}),
    )
    .await;
    ok(addr, "AdminSetUserPassword", json!({"UserPoolId": pool_id, "Username": "u", "Password": "Passw0rd!x", "Permanent": true})).await;
    let r = ok(
        addr,
        "InitiateAuth",
        json!({
            "AuthFlow": "USER_PASSWORD_AUTH", "ClientId": client_id,
            "AuthParameters": {"USERNAME": "u", "PASSWORD": "Passw0rd!x"},
        }),
    )
    .await;
    assert!(r["AuthenticationResult"]["IdToken"].is_string());
    });
    drop(mock);
}
