//! `--data-dir`: the state, the signing keys and the tokens survive a
//! restart; one server per data dir; a write the disk refuses changes
//! nothing and reads go on.

mod common;

use std::path::{Path, PathBuf};

use cognito_srp::{CognitoTimestamp, Password, PasswordVerifierChallenge, PoolName, SrpClient};
use common::{call, ok};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use mock_cognito::MockCognito;
use serde_json::{Value, json};

const PASSWORD: &str = "Durable-Passw0rd!";

fn data_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "cogkit-durable-{name}-{}-{}",
        std::process::id(),
        uuid::Uuid::new_v4()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

async fn start(dir: &Path) -> MockCognito {
    MockCognito::builder().data_dir(dir).start().await.unwrap()
}

struct World {
    pool_id: String,
    client_id: String,
    identity_pool_id: String,
    login_key: String,
}

async fn make_world(mock: &MockCognito) -> World {
    let addr = mock.addr();
    let pool = ok(addr, "CreateUserPool", json!({"PoolName": "durable"})).await;
    let pool_id = pool["UserPool"]["Id"].as_str().unwrap().to_owned();
    let client = ok(
        addr,
        "CreateUserPoolClient",
        json!({"UserPoolId": pool_id, "ClientName": "app",
               "ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}),
    )
    .await;
    let client_id = client["UserPoolClient"]["ClientId"]
        .as_str()
        .unwrap()
        .to_owned();
    ok(
        addr,
        "AdminCreateUser",
        json!({"UserPoolId": pool_id, "Username": "alice", "MessageAction": "SUPPRESS",
               "UserAttributes": [{"Name": "email", "Value": "alice@example.com"}]}),
    )
    .await;
    ok(
        addr,
        "AdminSetUserPassword",
        json!({"UserPoolId": pool_id, "Username": "alice", "Password": PASSWORD, "Permanent": true}),
    )
    .await;
    ok(
        addr,
        "CreateGroup",
        json!({"UserPoolId": pool_id, "GroupName": "admins"}),
    )
    .await;
    ok(
        addr,
        "AdminAddUserToGroup",
        json!({"UserPoolId": pool_id, "Username": "alice", "GroupName": "admins"}),
    )
    .await;
    let login_key = format!("cognito-idp.us-east-1.amazonaws.com/{pool_id}");
    let identity_pool = ok(
        addr,
        "AWSCognitoIdentityService.CreateIdentityPool",
        json!({"IdentityPoolName": "durable", "AllowUnauthenticatedIdentities": true,
               "CognitoIdentityProviders": [{"ProviderName": login_key, "ClientId": client_id}]}),
    )
    .await;
    World {
        identity_pool_id: identity_pool["IdentityPoolId"].as_str().unwrap().to_owned(),
        pool_id,
        client_id,
        login_key,
    }
}

/// USER_SRP_AUTH then PASSWORD_VERIFIER: the AuthenticationResult.
async fn srp_sign_in(mock: &MockCognito, w: &World) -> Value {
    let addr = mock.addr();
    let client = SrpClient::new(&mut rand_core::UnwrapErr(getrandom::SysRng));
    let init = ok(
        addr,
        "InitiateAuth",
        json!({"AuthFlow": "USER_SRP_AUTH", "ClientId": w.client_id,
               "AuthParameters": {"USERNAME": "alice", "SRP_A": client.srp_a()}}),
    )
    .await;
    let parameters = common::string_map(&init["ChallengeParameters"]);
    let challenge = PasswordVerifierChallenge::from_parameters(&parameters).unwrap();
    let pool = PoolName::from_user_pool_id(&w.pool_id).unwrap();
    let now = CognitoTimestamp::from_system_time(mock.clock().now()).unwrap();
    let claim = client
        .answer_password_verifier(&pool, &challenge, &Password::new(PASSWORD), now)
        .unwrap();
    let out = ok(
        addr,
        "RespondToAuthChallenge",
        json!({"ClientId": w.client_id, "ChallengeName": "PASSWORD_VERIFIER",
               "ChallengeResponses": claim.challenge_responses(None)}),
    )
    .await;
    out["AuthenticationResult"].clone()
}

async fn jwks(mock: &MockCognito, pool_id: &str) -> Value {
    common::raw(
        mock.addr(),
        "GET",
        &format!("/{pool_id}/.well-known/jwks.json"),
        &[],
        b"",
    )
    .await
    .json()
}

/// Verifies `token` with jsonwebtoken against `jwks`.
fn verify(token: &str, jwks: &Value, pool_id: &str) -> Result<Value, String> {
    let header = jsonwebtoken::decode_header(token).map_err(|e| e.to_string())?;
    let jwk = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kid"].as_str() == header.kid.as_deref())
        .ok_or("kid not in the JWKS")?;
    let key =
        DecodingKey::from_rsa_components(jwk["n"].as_str().unwrap(), jwk["e"].as_str().unwrap())
            .map_err(|e| e.to_string())?;
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_issuer(&[format!(
        "https://cognito-idp.us-east-1.amazonaws.com/{pool_id}"
    )]);
    validation.validate_aud = false;
    jsonwebtoken::decode::<Value>(token, &key, &validation)
        .map(|d| d.claims)
        .map_err(|e| e.to_string())
}

async fn get_id(mock: &MockCognito, w: &World, id_token: &str) -> String {
    let out = ok(
        mock.addr(),
        "AWSCognitoIdentityService.GetId",
        json!({"IdentityPoolId": w.identity_pool_id, "Logins": {w.login_key.clone(): id_token}}),
    )
    .await;
    out["IdentityId"].as_str().unwrap().to_owned()
}

async fn refresh(mock: &MockCognito, w: &World, token: &str) -> Result<Value, String> {
    let reply = call(
        mock.addr(),
        "InitiateAuth",
        &json!({"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": w.client_id,
                "AuthParameters": {"REFRESH_TOKEN": token}}),
        false,
    )
    .await;
    if reply.status == 200 {
        Ok(reply.json())
    } else {
        Err(reply.error_type())
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn users_identities_keys_and_tokens_survive_a_restart() {
    let dir = data_dir("restart");
    let mock = start(&dir).await;
    let w = make_world(&mock).await;
    let first = srp_sign_in(&mock, &w).await;
    let id_token = first["IdToken"].as_str().unwrap().to_owned();
    let refresh_token = first["RefreshToken"].as_str().unwrap().to_owned();
    let revoked = srp_sign_in(&mock, &w).await["RefreshToken"]
        .as_str()
        .unwrap()
        .to_owned();
    ok(
        mock.addr(),
        "RevokeToken",
        json!({"ClientId": w.client_id, "Token": revoked}),
    )
    .await;
    let identity_id = get_id(&mock, &w, &id_token).await;
    let jwks_before = jwks(&mock, &w.pool_id).await;
    assert!(mock.describe()[1].starts_with("state kept in "));
    drop(mock);

    let mock = start(&dir).await;
    // The same keys: the JWKS is the same, and a token issued before the
    // restart verifies against the one served after it.
    assert_eq!(jwks(&mock, &w.pool_id).await, jwks_before);
    let claims = verify(&id_token, &jwks(&mock, &w.pool_id).await, &w.pool_id).unwrap();
    assert_eq!(claims["cognito:username"], "alice");
    assert_eq!(claims["cognito:groups"], json!(["admins"]));
    // The user, their password verifier, group and attributes.
    let user = ok(
        mock.addr(),
        "AdminGetUser",
        json!({"UserPoolId": w.pool_id, "Username": "alice"}),
    )
    .await;
    assert_eq!(user["UserStatus"], "CONFIRMED");
    let sub = user["UserAttributes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["Name"] == "sub")
        .unwrap()["Value"]
        .clone();
    assert_eq!(claims["sub"], sub);
    let after = srp_sign_in(&mock, &w).await;
    verify(after["IdToken"].as_str().unwrap(), &jwks_before, &w.pool_id).unwrap();
    // The same login finds the same identity.
    assert_eq!(get_id(&mock, &w, &id_token).await, identity_id);
    // A refresh token from before still refreshes; a revoked one does not.
    let refreshed = refresh(&mock, &w, &refresh_token).await.unwrap();
    assert!(refreshed["AuthenticationResult"]["IdToken"].is_string());
    assert_eq!(
        refresh(&mock, &w, &revoked).await.unwrap_err(),
        "NotAuthorizedException"
    );
    drop(mock);

    // Changes made after the first restart are there after the second.
    let mock = start(&dir).await;
    let again = srp_sign_in(&mock, &w).await;
    assert!(again["IdToken"].is_string());
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_second_server_on_the_same_data_dir_is_refused() {
    let dir = data_dir("owner");
    let first = start(&dir).await;
    let second = MockCognito::builder().data_dir(&dir).start().await;
    let message = second.unwrap_err().to_string();
    assert!(message.contains("in use by another"), "{message}");
    drop(first);
    // Released with the first server: a restart takes it.
    drop(start(&dir).await);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_full_disk_refuses_the_write_changes_nothing_and_reads_go_on() {
    let dir = data_dir("full");
    let mock = start(&dir).await;
    let w = make_world(&mock).await;
    mock.limit_data_dir_for_tests(1);
    // Users with long attributes until the database cannot grow.
    let mut refused = None;
    for i in 0..200 {
        let reply = call(
            mock.addr(),
            "AdminCreateUser",
            &json!({"UserPoolId": w.pool_id, "Username": format!("user{i}"), "MessageAction": "SUPPRESS",
                    "UserAttributes": [{"Name": "name", "Value": "x".repeat(2000)}]}),
            true,
        )
        .await;
        if reply.status != 200 {
            refused = Some((i, reply));
            break;
        }
    }
    let (i, reply) = refused.expect("the capped database fills up");
    assert_eq!(reply.status, 500);
    assert_eq!(reply.error_type(), "InternalErrorException");
    // Not made: memory agrees with the database.
    let missing = call(
        mock.addr(),
        "AdminGetUser",
        &json!({"UserPoolId": w.pool_id, "Username": format!("user{i}")}),
        true,
    )
    .await;
    assert_eq!(missing.error_type(), "UserNotFoundException");
    // Reads go on, and what was stored before is intact.
    let listed = ok(mock.addr(), "ListUsers", json!({"UserPoolId": w.pool_id})).await;
    let in_memory = listed["Users"].as_array().unwrap().len();
    assert_eq!(in_memory, i + 1, "alice and the users stored before");
    srp_sign_in(&mock, &w).await;
    drop(mock);
    let mock = start(&dir).await;
    let listed = ok(mock.addr(), "ListUsers", json!({"UserPoolId": w.pool_id})).await;
    assert_eq!(listed["Users"].as_array().unwrap().len(), in_memory);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Group commit under a filling disk: requests stored together succeed or
/// fail together, and whoever changed memory while a failed write was
/// under way is refused too (the read-back undid it). Every answer is
/// true: a user is there, before and after a restart, exactly when its
/// creation was acknowledged.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_writes_on_a_full_disk_are_answered_truthfully() {
    let dir = data_dir("full-concurrent");
    let mock = start(&dir).await;
    let w = make_world(&mock).await;
    let addr = mock.addr();
    // Small changes keep fitting in the full database while large ones
    // fail, so stored and refused drains alternate.
    const UPDATERS: usize = 8;
    for u in 0..UPDATERS {
        ok(
            addr,
            "AdminCreateUser",
            json!({"UserPoolId": w.pool_id, "Username": format!("upd{u}"), "MessageAction": "SUPPRESS",
                   "UserAttributes": [{"Name": "given_name", "Value": "0"}]}),
        )
        .await;
    }
    mock.limit_data_dir_for_tests(1);
    let updaters = (0..UPDATERS).map(|u| {
        let pool_id = w.pool_id.clone();
        tokio::spawn(async move {
            let mut last_acked = 0;
            for i in 1..=40 {
                let reply = call(
                    addr,
                    "AdminUpdateUserAttributes",
                    &json!({"UserPoolId": pool_id, "Username": format!("upd{u}"),
                            "UserAttributes": [{"Name": "given_name", "Value": i.to_string()}]}),
                    true,
                )
                .await;
                if reply.status == 200 {
                    last_acked = i;
                }
            }
            (format!("upd{u}"), last_acked)
        })
    });
    let writers = (0..16).map(|writer| {
        let pool_id = w.pool_id.clone();
        tokio::spawn(async move {
            let mut answers = Vec::new();
            for i in 0..12 {
                let username = format!("w{writer}-u{i}");
                let reply = call(
                    addr,
                    "AdminCreateUser",
                    &json!({"UserPoolId": pool_id, "Username": username, "MessageAction": "SUPPRESS",
                            "UserAttributes": [{"Name": "name", "Value": "y".repeat(1500)}]}),
                    true,
                )
                .await;
                assert!(
                    reply.status == 200 || reply.error_type() == "InternalErrorException",
                    "{} {}",
                    reply.status,
                    reply.error_type()
                );
                answers.push((username, reply.status == 200));
            }
            answers
        })
    });
    let writers: Vec<_> = writers.collect();
    let mut last_updates = Vec::new();
    for updater in updaters {
        last_updates.push(updater.await.unwrap());
    }
    let mut answers = Vec::new();
    for writer in writers {
        answers.extend(writer.await.unwrap());
    }
    let refused = answers.iter().filter(|(_, acked)| !acked).count();
    assert!(refused > 0, "the capped database fills up");
    check_answers(&mock, &w.pool_id, &answers, &last_updates, "in memory").await;
    drop(mock);
    let mock = start(&dir).await;
    check_answers(
        &mock,
        &w.pool_id,
        &answers,
        &last_updates,
        "after a restart",
    )
    .await;
    let _ = std::fs::remove_dir_all(&dir);
}

/// Each user is there exactly when its creation was acknowledged, and
/// holds the last update acknowledged.
async fn check_answers(
    mock: &MockCognito,
    pool_id: &str,
    created: &[(String, bool)],
    updated: &[(String, i32)],
    when: &str,
) {
    for (username, acked) in created {
        let reply = call(
            mock.addr(),
            "AdminGetUser",
            &json!({"UserPoolId": pool_id, "Username": username}),
            true,
        )
        .await;
        let there = match reply.status {
            200 => true,
            _ if reply.error_type() == "UserNotFoundException" => false,
            status => panic!("AdminGetUser answered {status}"),
        };
        assert_eq!(there, *acked, "{username} {when}");
    }
    for (username, last_acked) in updated {
        let user = ok(
            mock.addr(),
            "AdminGetUser",
            json!({"UserPoolId": pool_id, "Username": username}),
        )
        .await;
        let attributes = user["UserAttributes"].as_array().unwrap();
        let name = attributes
            .iter()
            .find(|a| a["Name"] == "given_name")
            .unwrap();
        let stored: i32 = name["Value"].as_str().unwrap().parse().unwrap();
        assert_eq!(stored, *last_acked, "{username} {when}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_seed_adds_to_a_data_dir_only_what_is_not_there() {
    use mock_cognito::SeedConfig;
    let first = r#"
        [[user_pools]]
        name = "seeded"
          [[user_pools.users]]
          username = "sam"
          password = "Seeded-Passw0rd!"
    "#;
    let dir = data_dir("seed");
    let mock = MockCognito::builder()
        .data_dir(&dir)
        .seed(SeedConfig::from_toml(first).unwrap())
        .start()
        .await
        .unwrap();
    let pools = mock.user_pool_summary();
    assert_eq!(pools.len(), 1);
    let pool_id = pools[0].id.clone();
    // A change made through the API, which a later start must keep.
    ok(
        mock.addr(),
        "AdminCreateUser",
        json!({"UserPoolId": pool_id, "Username": "api-user", "MessageAction": "SUPPRESS"}),
    )
    .await;
    ok(
        mock.addr(),
        "AdminDeleteUser",
        json!({"UserPoolId": pool_id, "Username": "sam"}),
    )
    .await;
    drop(mock);

    let second = format!("{first}\n[[user_pools]]\nname = \"later\"\n");
    let mock = MockCognito::builder()
        .data_dir(&dir)
        .seed(SeedConfig::from_toml(&second).unwrap())
        .start()
        .await
        .unwrap();
    let mut names: Vec<String> = mock
        .user_pool_summary()
        .into_iter()
        .map(|p| p.name)
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["later", "seeded"],
        "the new pool added, the old one not again"
    );
    let users = ok(mock.addr(), "ListUsers", json!({"UserPoolId": pool_id})).await;
    let usernames: Vec<&str> = users["Users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["Username"].as_str().unwrap())
        .collect();
    assert_eq!(
        usernames,
        ["api-user"],
        "the API's changes kept, the seed's user not restored"
    );
    drop(mock);
    let _ = std::fs::remove_dir_all(&dir);
}

/// An import job's record, a user's password history, the pool's signing
/// certificate, a client's two secrets and its terms survive a restart.
#[tokio::test]
async fn import_jobs_password_history_secrets_terms_cimd_policies_and_replicas_survive_a_restart() {
    let dir = data_dir("features");
    let mock = start(&dir).await;
    let created = ok(
        mock.addr(),
        "CreateUserPool",
        json!({"PoolName": "kept", "AutoVerifiedAttributes": ["email"],
               "Policies": {"PasswordPolicy": {"MinimumLength": 8, "PasswordHistorySize": 3}}}),
    )
    .await;
    let pool = created["UserPool"]["Id"].as_str().unwrap().to_owned();
    let job = ok(
        mock.addr(),
        "CreateUserImportJob",
        json!({"UserPoolId": pool, "JobName": "kept",
               "CloudWatchLogsRoleArn": "arn:aws:iam::123456789012:role/import"}),
    )
    .await["UserImportJob"]["JobId"]
        .as_str()
        .unwrap()
        .to_owned();
    ok(
        mock.addr(),
        "AdminCreateUser",
        json!({"UserPoolId": pool, "Username": "kim", "MessageAction": "SUPPRESS"}),
    )
    .await;
    let set = |password: &str| json!({"UserPoolId": pool, "Username": "kim", "Password": password, "Permanent": true});
    ok(mock.addr(), "AdminSetUserPassword", set("Old-Passw0rd!")).await;
    ok(mock.addr(), "AdminSetUserPassword", set("New-Passw0rd!")).await;
    let certificate = ok(
        mock.addr(),
        "GetSigningCertificate",
        json!({"UserPoolId": pool}),
    )
    .await["Certificate"]
        .clone();
    let client = ok(
        mock.addr(),
        "CreateUserPoolClient",
        json!({"UserPoolId": pool, "ClientName": "server", "GenerateSecret": true}),
    )
    .await["UserPoolClient"]["ClientId"]
        .as_str()
        .unwrap()
        .to_owned();
    ok(
        mock.addr(),
        "AddUserPoolClientSecret",
        json!({"UserPoolId": pool, "ClientId": client}),
    )
    .await;
    let secrets = json!({"UserPoolId": pool, "ClientId": client});
    let secrets_before = ok(mock.addr(), "ListUserPoolClientSecrets", secrets.clone()).await;
    ok(
        mock.addr(),
        "CreateTerms",
        json!({"UserPoolId": pool, "ClientId": client, "TermsName": "privacy-policy",
               "TermsSource": "LINK", "Enforcement": "NONE",
               "Links": {"cognito:default": "https://example.com/privacy"}}),
    )
    .await;
    let policy = ok(
        mock.addr(),
        "CreateCIMDPolicy",
        json!({"UserPoolId": pool, "ClientId": client, "PolicyName": "tools",
               "URLPatterns": ["https://tools.example.com/*"], "CacheDuration": 172800}),
    )
    .await["CIMDPolicy"]
        .clone();
    let replica = json!({"UserPoolId": pool, "RegionName": "eu-west-1"});
    ok(mock.addr(), "CreateUserPoolReplica", replica.clone()).await;
    let replicas_before = ok(
        mock.addr(),
        "ListUserPoolReplicas",
        json!({"UserPoolId": pool}),
    )
    .await;
    drop(mock);

    let mock = start(&dir).await;
    let described = ok(
        mock.addr(),
        "DescribeUserImportJob",
        json!({"UserPoolId": pool, "JobId": job}),
    )
    .await;
    assert_eq!(described["UserImportJob"]["Status"], "Created");
    assert_eq!(described["UserImportJob"]["JobName"], "kept");
    let reused = call(
        mock.addr(),
        "AdminSetUserPassword",
        &set("Old-Passw0rd!"),
        true,
    )
    .await;
    assert_eq!(reused.error_type(), "InvalidPasswordException");
    let after = ok(
        mock.addr(),
        "GetSigningCertificate",
        json!({"UserPoolId": pool}),
    )
    .await;
    assert_eq!(after["Certificate"], certificate);
    let secrets_after = ok(mock.addr(), "ListUserPoolClientSecrets", secrets).await;
    assert_eq!(secrets_after, secrets_before);
    assert_eq!(secrets_after["ClientSecrets"].as_array().unwrap().len(), 2);
    let terms = ok(
        mock.addr(),
        "DescribeTermsByClient",
        json!({"UserPoolId": pool, "ClientId": client, "TermsName": "privacy-policy"}),
    )
    .await;
    assert_eq!(
        terms["Terms"]["Links"]["cognito:default"],
        "https://example.com/privacy"
    );
    let kept = ok(
        mock.addr(),
        "DescribeCIMDPolicy",
        json!({"UserPoolId": pool, "CIMDPolicyId": policy["CIMDPolicyId"]}),
    )
    .await;
    assert_eq!(kept["CIMDPolicy"], policy);
    let replicas_after = ok(
        mock.addr(),
        "ListUserPoolReplicas",
        json!({"UserPoolId": pool}),
    )
    .await;
    assert_eq!(replicas_after, replicas_before);
}
