//! The mock driven by the official `aws-sdk-cognitoidentityprovider` client,
//! endpoint URL = the mock, with `cognito-srp`'s client doing the SRP maths.

mod common;

use std::collections::HashMap;
use std::time::Duration;

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_cognitoidentityprovider::types::{
    AttributeType, AuthFlowType, AuthenticationResultType, ChallengeNameType,
    ExplicitAuthFlowsType, PreventUserExistenceErrorTypes, UsernameAttributeType,
    VerifiedAttributeType,
};
use cognito_srp::{
    CognitoTimestamp, Password, PasswordVerifierChallenge, PoolName, SrpClient, secret_hash,
};
use mock_cognito::MockCognito;
use serde_json::Value;

const PASSWORD: &str = "Corr3ct-Horse!";

fn sdk(mock: &MockCognito) -> Client {
    common::user_pool_client(&mock.endpoint())
}

/// (code, message) of an SDK error.
fn err<E: ProvideErrorMetadata, R>(e: SdkError<E, R>) -> (String, String) {
    common::sdk_error(e)
}

struct World {
    mock: MockCognito,
    cip: Client,
    pool_id: String,
    client_id: String,
    secret: Option<String>,
}

async fn world(flows: &[&str], generate_secret: bool, prevent: Option<&str>) -> World {
    let mock = MockCognito::start().await.unwrap();
    let cip = sdk(&mock);
    let pool = cip
        .create_user_pool()
        .pool_name("sdk")
        .send()
        .await
        .unwrap();
    let pool_id = pool.user_pool().unwrap().id().unwrap().to_owned();
    let mut req = cip
        .create_user_pool_client()
        .user_pool_id(&pool_id)
        .client_name("app")
        .generate_secret(generate_secret);
    for f in flows {
        req = req.explicit_auth_flows(ExplicitAuthFlowsType::from(*f));
    }
    if let Some(p) = prevent {
        req = req.prevent_user_existence_errors(PreventUserExistenceErrorTypes::from(p));
    }
    let client = req.send().await.unwrap();
    let client = client.user_pool_client().unwrap();
    let client_id = client.client_id().unwrap().to_owned();
    let secret = client.client_secret().map(str::to_owned);
    cip.admin_create_user()
        .user_pool_id(&pool_id)
        .username("alice")
        .temporary_password("Temp0rary!pw")
        .user_attributes(
            AttributeType::builder()
                .name("email")
                .value("alice@example.com")
                .build()
                .unwrap(),
        )
        // Verified, as an admin does for a known address: password resets
        // go only to verified addresses.
        .user_attributes(
            AttributeType::builder()
                .name("email_verified")
                .value("true")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    cip.admin_set_user_password()
        .user_pool_id(&pool_id)
        .username("alice")
        .password(PASSWORD)
        .permanent(true)
        .send()
        .await
        .unwrap();
    World {
        mock,
        cip,
        pool_id,
        client_id,
        secret,
    }
}

impl World {
    fn hash(&self, username: &str) -> Option<String> {
        self.secret
            .as_ref()
            .map(|s| secret_hash(username, &self.client_id, s))
    }

    /// InitiateAuth(USER_SRP_AUTH) → PASSWORD_VERIFIER → the client's answer.
    async fn srp_responses(&self, username: &str, password: &str) -> HashMap<String, String> {
        let srp = SrpClient::new(&mut rand_core::UnwrapErr(getrandom::SysRng));
        let mut init = self
            .cip
            .initiate_auth()
            .auth_flow(AuthFlowType::UserSrpAuth)
            .client_id(&self.client_id)
            .auth_parameters("USERNAME", username)
            .auth_parameters("SRP_A", srp.srp_a());
        if let Some(h) = self.hash(username) {
            init = init.auth_parameters("SECRET_HASH", h);
        }
        let out = init.send().await.unwrap();
        assert_eq!(
            out.challenge_name(),
            Some(&ChallengeNameType::PasswordVerifier)
        );
        let challenge =
            PasswordVerifierChallenge::from_parameters(out.challenge_parameters().unwrap())
                .unwrap();
        let pool = PoolName::from_user_pool_id(&self.pool_id).unwrap();
        let ts = CognitoTimestamp::from_system_time(self.mock.clock().now()).unwrap();
        let claim = srp
            .answer_password_verifier(&pool, &challenge, &Password::new(password), ts)
            .unwrap();
        let secret = self.secret.as_deref().map(|s| (self.client_id.as_str(), s));
        claim.challenge_responses(secret)
    }

    async fn respond(
        &self,
        responses: HashMap<String, String>,
    ) -> Result<AuthenticationResultType, (String, String)> {
        let out = self
            .cip
            .respond_to_auth_challenge()
            .client_id(&self.client_id)
            .challenge_name(ChallengeNameType::PasswordVerifier)
            .set_challenge_responses(Some(responses))
            .send()
            .await
            .map_err(err)?;
        Ok(out.authentication_result().unwrap().clone())
    }

    async fn srp_sign_in(
        &self,
        username: &str,
        password: &str,
    ) -> Result<AuthenticationResultType, (String, String)> {
        let responses = self.srp_responses(username, password).await;
        self.respond(responses).await
    }

    async fn refresh(
        &self,
        refresh_token: &str,
    ) -> Result<AuthenticationResultType, (String, String)> {
        let mut req = self
            .cip
            .initiate_auth()
            .auth_flow(AuthFlowType::RefreshTokenAuth)
            .client_id(&self.client_id)
            .auth_parameters("REFRESH_TOKEN", refresh_token);
        if let Some(h) = self.hash("alice") {
            req = req.auth_parameters("SECRET_HASH", h);
        }
        let out = req.send().await.map_err(err)?;
        Ok(out.authentication_result().unwrap().clone())
    }

    /// Verifies a token with `jsonwebtoken` against the pool's JWKS.
    async fn verify(&self, token: &str, audience: Option<&str>) -> Result<Value, String> {
        common::verify_jwt(self.mock.addr(), &self.pool_id, token, audience).await
    }
}

#[tokio::test]
async fn srp_sign_in_refresh_and_jwks_verification() {
    let w = world(&[], false, None).await;
    let tokens = w.srp_sign_in("alice", PASSWORD).await.unwrap();
    let id = w
        .verify(tokens.id_token().unwrap(), Some(&w.client_id))
        .await
        .unwrap();
    assert_eq!(id["cognito:username"], "alice");
    assert_eq!(id["token_use"], "id");
    let access = w
        .verify(tokens.access_token().unwrap(), None)
        .await
        .unwrap();
    assert_eq!(access["token_use"], "access");
    assert_eq!(access["client_id"], w.client_id.as_str());

    // Tampered or foreign-audience tokens fail verification.
    let t = tokens.id_token().unwrap();
    let mut tampered = t.to_owned();
    let flip_at = t.find('.').unwrap() + 5;
    let c = if &t[flip_at..flip_at + 1] == "A" {
        "B"
    } else {
        "A"
    };
    tampered.replace_range(flip_at..flip_at + 1, c);
    assert!(w.verify(&tampered, Some(&w.client_id)).await.is_err());
    assert!(w.verify(t, Some("another-client")).await.is_err());

    // Refresh keeps the session: same origin_jti and auth_time.
    let refreshed = w.refresh(tokens.refresh_token().unwrap()).await.unwrap();
    assert!(
        refreshed.refresh_token().is_none(),
        "no rotation by default"
    );
    let again = w
        .verify(refreshed.id_token().unwrap(), Some(&w.client_id))
        .await
        .unwrap();
    assert_eq!(again["origin_jti"], id["origin_jti"]);
    assert_eq!(again["auth_time"], id["auth_time"]);
    assert_ne!(again["jti"], id["jti"]);
    let user = w
        .cip
        .get_user()
        .access_token(refreshed.access_token().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(user.username(), "alice");
    assert!(user.user_attributes().iter().any(|a| a.name() == "sub"));

    // Expired access tokens are refused by the user-pool API.
    w.mock.clock().advance(Duration::from_secs(3601));
    let e = w
        .cip
        .get_user()
        .access_token(refreshed.access_token().unwrap())
        .send()
        .await
        .unwrap_err();
    assert_eq!(err(e).0, "NotAuthorizedException");
}

#[tokio::test]
async fn wrong_password_and_garbage_over_srp() {
    let w = world(&[], false, None).await;
    let (code, message) = w.srp_sign_in("alice", "Wr0ng-password!").await.unwrap_err();
    assert_eq!(
        (code.as_str(), message.as_str()),
        ("NotAuthorizedException", "Incorrect username or password.")
    );
    let mut responses = w.srp_responses("alice", PASSWORD).await;
    responses.insert("PASSWORD_CLAIM_SIGNATURE".into(), "Z2FyYmFnZQ==".into());
    assert_eq!(
        w.respond(responses).await.unwrap_err().0,
        "NotAuthorizedException"
    );
    // Replay of a good answer.
    let responses = w.srp_responses("alice", PASSWORD).await;
    w.respond(responses.clone()).await.unwrap();
    assert_eq!(
        w.respond(responses).await.unwrap_err().1,
        "Incorrect username or password."
    );
}

#[tokio::test]
async fn user_password_auth_and_admin_flows() {
    let w = world(
        &[
            "ALLOW_USER_PASSWORD_AUTH",
            "ALLOW_ADMIN_USER_PASSWORD_AUTH",
            "ALLOW_REFRESH_TOKEN_AUTH",
        ],
        false,
        None,
    )
    .await;
    let out = w
        .cip
        .initiate_auth()
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .client_id(&w.client_id)
        .auth_parameters("USERNAME", "alice")
        .auth_parameters("PASSWORD", PASSWORD)
        .send()
        .await
        .unwrap();
    assert!(out.authentication_result().unwrap().id_token().is_some());
    let out = w
        .cip
        .admin_initiate_auth()
        .user_pool_id(&w.pool_id)
        .auth_flow(AuthFlowType::AdminUserPasswordAuth)
        .client_id(&w.client_id)
        .auth_parameters("USERNAME", "alice")
        .auth_parameters("PASSWORD", PASSWORD)
        .send()
        .await
        .unwrap();
    assert!(
        out.authentication_result()
            .unwrap()
            .access_token()
            .is_some()
    );
    // SRP is not enabled on this client.
    let e = w
        .cip
        .initiate_auth()
        .auth_flow(AuthFlowType::UserSrpAuth)
        .client_id(&w.client_id)
        .auth_parameters("USERNAME", "alice")
        .auth_parameters("SRP_A", "02")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err(e).0, "InvalidParameterException");
}

#[tokio::test]
async fn new_password_required() {
    let w = world(&[], false, None).await;
    w.cip
        .admin_create_user()
        .user_pool_id(&w.pool_id)
        .username("bob")
        .temporary_password("Temp0rary!pw")
        .send()
        .await
        .unwrap();
    let srp = SrpClient::new(&mut rand_core::UnwrapErr(getrandom::SysRng));
    let init = w
        .cip
        .initiate_auth()
        .auth_flow(AuthFlowType::UserSrpAuth)
        .client_id(&w.client_id)
        .auth_parameters("USERNAME", "bob")
        .auth_parameters("SRP_A", srp.srp_a())
        .send()
        .await
        .unwrap();
    let challenge =
        PasswordVerifierChallenge::from_parameters(init.challenge_parameters().unwrap()).unwrap();
    let ts = CognitoTimestamp::from_system_time(w.mock.clock().now()).unwrap();
    let pool = PoolName::from_user_pool_id(&w.pool_id).unwrap();
    let claim = srp
        .answer_password_verifier(&pool, &challenge, &Password::new("Temp0rary!pw"), ts)
        .unwrap();
    let out = w
        .cip
        .respond_to_auth_challenge()
        .client_id(&w.client_id)
        .challenge_name(ChallengeNameType::PasswordVerifier)
        .set_challenge_responses(Some(claim.challenge_responses(None)))
        .send()
        .await
        .unwrap();
    assert_eq!(
        out.challenge_name(),
        Some(&ChallengeNameType::NewPasswordRequired)
    );
    let out = w
        .cip
        .respond_to_auth_challenge()
        .client_id(&w.client_id)
        .challenge_name(ChallengeNameType::NewPasswordRequired)
        .session(out.session().unwrap())
        .challenge_responses("USERNAME", "bob")
        .challenge_responses("NEW_PASSWORD", "Br4nd-new-pw!")
        .send()
        .await
        .unwrap();
    assert!(out.authentication_result().unwrap().id_token().is_some());
    assert!(w.srp_sign_in("bob", "Br4nd-new-pw!").await.is_ok());
}

#[tokio::test]
async fn sign_up_confirm_then_sign_in_with_email_as_username() {
    let mock = MockCognito::start().await.unwrap();
    let cip = sdk(&mock);
    let pool = cip
        .create_user_pool()
        .pool_name("emails")
        .username_attributes(UsernameAttributeType::Email)
        .auto_verified_attributes(VerifiedAttributeType::Email)
        .send()
        .await
        .unwrap();
    let pool_id = pool.user_pool().unwrap().id().unwrap().to_owned();
    let client = cip
        .create_user_pool_client()
        .user_pool_id(&pool_id)
        .client_name("web")
        .send()
        .await
        .unwrap();
    let client_id = client
        .user_pool_client()
        .unwrap()
        .client_id()
        .unwrap()
        .to_owned();

    let up = cip
        .sign_up()
        .client_id(&client_id)
        .username("carol@example.com")
        .password(PASSWORD)
        .send()
        .await
        .unwrap();
    assert!(!up.user_confirmed());
    assert_eq!(
        up.code_delivery_details().unwrap().destination(),
        Some("c***@e***")
    );
    let sub = up.user_sub().to_owned();
    // Not confirmed yet: sign-in is refused.
    let w = World {
        mock,
        cip: cip.clone(),
        pool_id: pool_id.clone(),
        client_id: client_id.clone(),
        secret: None,
    };
    let srp = SrpClient::new(&mut rand_core::UnwrapErr(getrandom::SysRng));
    let e = cip
        .initiate_auth()
        .auth_flow(AuthFlowType::UserSrpAuth)
        .client_id(&client_id)
        .auth_parameters("USERNAME", "carol@example.com")
        .auth_parameters("SRP_A", srp.srp_a())
        .send()
        .await
        .unwrap_err();
    assert_eq!(err(e).0, "UserNotConfirmedException");

    let wrong = cip
        .confirm_sign_up()
        .client_id(&client_id)
        .username("carol@example.com")
        .confirmation_code("000000")
        .send()
        .await;
    let codes = w.mock.verification_codes(Some(&pool_id), None);
    let code = codes.last().unwrap().code.clone();
    if code != "000000" {
        assert_eq!(err(wrong.unwrap_err()).0, "CodeMismatchException");
    }
    cip.confirm_sign_up()
        .client_id(&client_id)
        .username("carol@example.com")
        .confirmation_code(&code)
        .send()
        .await
        .unwrap();

    // The internal username is a UUID: USER_ID_FOR_SRP carries it.
    let tokens = w.srp_sign_in("carol@example.com", PASSWORD).await.unwrap();
    let claims: Value =
        jsonwebtoken::dangerous::insecure_decode::<Value>(tokens.id_token().unwrap())
            .unwrap()
            .claims;
    assert_eq!(claims["cognito:username"], sub.as_str());
    assert_eq!(claims["email"], "carol@example.com");
    assert_eq!(claims["email_verified"], true);
}

#[tokio::test]
async fn forgot_password_then_confirm() {
    let w = world(&[], false, None).await;
    let out = w
        .cip
        .forgot_password()
        .client_id(&w.client_id)
        .username("alice")
        .send()
        .await
        .unwrap();
    assert_eq!(
        out.code_delivery_details()
            .unwrap()
            .delivery_medium()
            .map(|m| m.as_str()),
        Some("EMAIL")
    );
    let code = w
        .mock
        .verification_codes(Some(&w.pool_id), Some("alice"))
        .last()
        .unwrap()
        .code
        .clone();
    let weak = w
        .cip
        .confirm_forgot_password()
        .client_id(&w.client_id)
        .username("alice")
        .confirmation_code(&code)
        .password("weak")
        .send()
        .await;
    assert_eq!(err(weak.unwrap_err()).0, "InvalidPasswordException");
    w.cip
        .confirm_forgot_password()
        .client_id(&w.client_id)
        .username("alice")
        .confirmation_code(&code)
        .password("Res3t-Passw0rd!")
        .send()
        .await
        .unwrap();
    assert!(w.srp_sign_in("alice", PASSWORD).await.is_err());
    assert!(w.srp_sign_in("alice", "Res3t-Passw0rd!").await.is_ok());
    // The code is spent.
    let again = w
        .cip
        .confirm_forgot_password()
        .client_id(&w.client_id)
        .username("alice")
        .confirmation_code(&code)
        .password("An0ther-pass!")
        .send()
        .await;
    assert!(again.is_err());
}

#[tokio::test]
async fn global_sign_out_and_revoke_token() {
    let w = world(&[], false, None).await;
    let first = w.srp_sign_in("alice", PASSWORD).await.unwrap();
    let second = w.srp_sign_in("alice", PASSWORD).await.unwrap();

    // RevokeToken ends one session: its refresh fails, the other still works.
    w.cip
        .revoke_token()
        .client_id(&w.client_id)
        .token(first.refresh_token().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(
        w.refresh(first.refresh_token().unwrap())
            .await
            .unwrap_err()
            .0,
        "NotAuthorizedException"
    );
    assert!(w.refresh(second.refresh_token().unwrap()).await.is_ok());

    // GlobalSignOut ends them all: GetUser and refresh fail.
    w.cip
        .global_sign_out()
        .access_token(second.access_token().unwrap())
        .send()
        .await
        .unwrap();
    let e = w
        .cip
        .get_user()
        .access_token(second.access_token().unwrap())
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(e),
        (
            "NotAuthorizedException".to_owned(),
            "Access Token has been revoked".to_owned()
        )
    );
    assert_eq!(
        w.refresh(second.refresh_token().unwrap())
            .await
            .unwrap_err()
            .1,
        "Refresh Token has been revoked"
    );
    // A fresh sign-in works again.
    assert!(w.srp_sign_in("alice", PASSWORD).await.is_ok());
}

#[tokio::test]
async fn client_with_secret() {
    let w = world(&[], true, None).await;
    assert!(w.secret.is_some());
    let tokens = w.srp_sign_in("alice", PASSWORD).await.unwrap();
    assert!(w.refresh(tokens.refresh_token().unwrap()).await.is_ok());

    let srp = SrpClient::new(&mut rand_core::UnwrapErr(getrandom::SysRng));
    let missing = w
        .cip
        .initiate_auth()
        .auth_flow(AuthFlowType::UserSrpAuth)
        .client_id(&w.client_id)
        .auth_parameters("USERNAME", "alice")
        .auth_parameters("SRP_A", srp.srp_a())
        .send()
        .await
        .unwrap_err();
    let (code, message) = err(missing);
    assert_eq!(code, "NotAuthorizedException");
    assert!(message.contains("configured for secret"), "{message}");
    let wrong = w
        .cip
        .initiate_auth()
        .auth_flow(AuthFlowType::UserSrpAuth)
        .client_id(&w.client_id)
        .auth_parameters("USERNAME", "alice")
        .auth_parameters("SRP_A", srp.srp_a())
        .auth_parameters(
            "SECRET_HASH",
            secret_hash("alice", &w.client_id, "not-the-secret"),
        )
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(wrong).1,
        format!("Unable to verify secret hash for client {}", w.client_id)
    );
}

#[tokio::test]
async fn unknown_users_follow_prevent_user_existence_errors() {
    let legacy = world(&[], false, None).await;
    let srp = SrpClient::new(&mut rand_core::UnwrapErr(getrandom::SysRng));
    let e = legacy
        .cip
        .initiate_auth()
        .auth_flow(AuthFlowType::UserSrpAuth)
        .client_id(&legacy.client_id)
        .auth_parameters("USERNAME", "nobody")
        .auth_parameters("SRP_A", srp.srp_a())
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(e),
        (
            "UserNotFoundException".to_owned(),
            "User does not exist.".to_owned()
        )
    );

    let hidden = world(&[], false, Some("ENABLED")).await;
    // A believable challenge, the same salt each time, then the usual failure.
    let first = hidden.srp_responses("nobody", "Wh4tever-pw!").await;
    let (code, message) = hidden.respond(first).await.unwrap_err();
    assert_eq!(
        (code.as_str(), message.as_str()),
        ("NotAuthorizedException", "Incorrect username or password.")
    );
    let e = hidden
        .cip
        .forgot_password()
        .client_id(&hidden.client_id)
        .username("nobody")
        .send()
        .await;
    assert!(
        e.is_ok(),
        "ForgotPassword does not reveal unknown users when prevented"
    );
    let resent = hidden
        .cip
        .resend_confirmation_code()
        .client_id(&hidden.client_id)
        .username("nobody")
        .send()
        .await;
    assert!(resent.is_ok(), "nor ResendConfirmationCode");
    // The confirmations answer as a wrong code would for a real user.
    let e = hidden
        .cip
        .confirm_sign_up()
        .client_id(&hidden.client_id)
        .username("nobody")
        .confirmation_code("123456")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err(e).0, "CodeMismatchException");
    let e = hidden
        .cip
        .confirm_forgot_password()
        .client_id(&hidden.client_id)
        .username("nobody")
        .confirmation_code("123456")
        .password(PASSWORD)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err(e).0, "CodeMismatchException");
    // Without prevention they say the user does not exist.
    let e = legacy
        .cip
        .confirm_sign_up()
        .client_id(&legacy.client_id)
        .username("nobody")
        .confirmation_code("123456")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err(e).0, "UserNotFoundException");
}

#[tokio::test]
async fn lockout_after_five_failures() {
    let w = world(&[], false, None).await;
    for _ in 0..5 {
        assert_eq!(
            w.srp_sign_in("alice", "Wr0ng-password!")
                .await
                .unwrap_err()
                .1,
            "Incorrect username or password."
        );
    }
    // Even the right password is refused while locked out.
    let srp = SrpClient::new(&mut rand_core::UnwrapErr(getrandom::SysRng));
    let e = w
        .cip
        .initiate_auth()
        .auth_flow(AuthFlowType::UserSrpAuth)
        .client_id(&w.client_id)
        .auth_parameters("USERNAME", "alice")
        .auth_parameters("SRP_A", srp.srp_a())
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err(e),
        (
            "NotAuthorizedException".to_owned(),
            "Password attempts exceeded".to_owned()
        )
    );
    w.mock.clock().advance(Duration::from_secs(901));
    assert!(w.srp_sign_in("alice", PASSWORD).await.is_ok());
}

#[tokio::test]
async fn control_plane_round_trips() {
    let w = world(&[], false, None).await;
    let cip = &w.cip;
    cip.create_group()
        .user_pool_id(&w.pool_id)
        .group_name("admins")
        .role_arn("arn:aws:iam::000000000000:role/Admin")
        .precedence(1)
        .send()
        .await
        .unwrap();
    cip.create_group()
        .user_pool_id(&w.pool_id)
        .group_name("staff")
        .role_arn("arn:aws:iam::000000000000:role/Staff")
        .precedence(5)
        .send()
        .await
        .unwrap();
    cip.admin_add_user_to_group()
        .user_pool_id(&w.pool_id)
        .username("alice")
        .group_name("staff")
        .send()
        .await
        .unwrap();
    cip.admin_add_user_to_group()
        .user_pool_id(&w.pool_id)
        .username("alice")
        .group_name("admins")
        .send()
        .await
        .unwrap();
    let groups = cip
        .admin_list_groups_for_user()
        .user_pool_id(&w.pool_id)
        .username("alice")
        .send()
        .await
        .unwrap();
    assert_eq!(groups.groups().len(), 2);
    let tokens = w.srp_sign_in("alice", PASSWORD).await.unwrap();
    let id = w
        .verify(tokens.id_token().unwrap(), Some(&w.client_id))
        .await
        .unwrap();
    assert_eq!(id["cognito:groups"], serde_json::json!(["admins", "staff"]));
    assert_eq!(
        id["cognito:preferred_role"],
        "arn:aws:iam::000000000000:role/Admin"
    );
    assert_eq!(id["cognito:roles"].as_array().unwrap().len(), 2);

    let listed = cip
        .list_users()
        .user_pool_id(&w.pool_id)
        .filter("email ^= \"ali\"")
        .send()
        .await
        .unwrap();
    assert_eq!(listed.users().len(), 1);
    let none = cip
        .list_users()
        .user_pool_id(&w.pool_id)
        .filter("username = \"zed\"")
        .send()
        .await
        .unwrap();
    assert!(none.users().is_empty());

    let described = cip
        .describe_user_pool_client()
        .user_pool_id(&w.pool_id)
        .client_id(&w.client_id)
        .send()
        .await
        .unwrap();
    assert_eq!(
        described.user_pool_client().unwrap().client_name(),
        Some("app")
    );
    cip.admin_disable_user()
        .user_pool_id(&w.pool_id)
        .username("alice")
        .send()
        .await
        .unwrap();
    assert_eq!(
        w.refresh(tokens.refresh_token().unwrap())
            .await
            .unwrap_err()
            .1,
        "User is disabled."
    );
    cip.admin_enable_user()
        .user_pool_id(&w.pool_id)
        .username("alice")
        .send()
        .await
        .unwrap();
    cip.admin_delete_user()
        .user_pool_id(&w.pool_id)
        .username("alice")
        .send()
        .await
        .unwrap();
    let e = cip
        .admin_get_user()
        .user_pool_id(&w.pool_id)
        .username("alice")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err(e).0, "UserNotFoundException");
    let e = cip
        .describe_user_pool()
        .user_pool_id("us-east-1_doesnotexist")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err(e).0, "ResourceNotFoundException");
}

impl World {
    /// GetTokensFromRefreshToken, with the client secret when there is one.
    async fn get_tokens(
        &self,
        refresh_token: &str,
    ) -> Result<AuthenticationResultType, (String, String)> {
        let out = self
            .cip
            .get_tokens_from_refresh_token()
            .client_id(&self.client_id)
            .refresh_token(refresh_token)
            .set_client_secret(self.secret.clone())
            .send()
            .await
            .map_err(err)?;
        Ok(out.authentication_result().unwrap().clone())
    }
}

#[tokio::test]
async fn get_tokens_from_refresh_token_without_rotation() {
    let w = world(&[], true, None).await;
    let signed_in = w.srp_sign_in("alice", PASSWORD).await.unwrap();
    let refresh = signed_in.refresh_token().unwrap();
    let renewed = w.get_tokens(refresh).await.unwrap();
    assert!(
        renewed.refresh_token().is_none(),
        "no rotation: no new refresh token"
    );
    let id = w
        .verify(renewed.id_token().unwrap(), Some(&w.client_id))
        .await
        .unwrap();
    assert_eq!(id["cognito:username"], "alice");
    // The same token keeps working, with REFRESH_TOKEN_AUTH too.
    assert!(w.get_tokens(refresh).await.is_ok());
    assert!(w.refresh(refresh).await.is_ok());

    // The client secret is checked.
    let e = w
        .cip
        .get_tokens_from_refresh_token()
        .client_id(&w.client_id)
        .refresh_token(refresh)
        .client_secret("notTheSecret0123456789abcdef")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err(e).0, "NotAuthorizedException");

    // A revoked token is refused.
    w.cip
        .revoke_token()
        .client_id(&w.client_id)
        .token(refresh)
        .set_client_secret(w.secret.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(
        w.get_tokens(refresh).await.unwrap_err().0,
        "NotAuthorizedException"
    );
}

#[tokio::test]
async fn get_tokens_from_refresh_token_with_rotation() {
    use aws_sdk_cognitoidentityprovider::types::{FeatureType, RefreshTokenRotationType};
    let w = world(&[], false, None).await;
    let rotation = |grace: i32| {
        RefreshTokenRotationType::builder()
            .feature(FeatureType::Enabled)
            .retry_grace_period_seconds(grace)
            .build()
            .unwrap()
    };
    // AWS: rotation and REFRESH_TOKEN_AUTH do not go together.
    let refused = w
        .cip
        .update_user_pool_client()
        .user_pool_id(&w.pool_id)
        .client_id(&w.client_id)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserSrpAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
        .refresh_token_rotation(rotation(10))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err(refused).0, "InvalidParameterException");
    let updated = w
        .cip
        .update_user_pool_client()
        .user_pool_id(&w.pool_id)
        .client_id(&w.client_id)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserSrpAuth)
        .refresh_token_rotation(rotation(10))
        .send()
        .await
        .unwrap();
    let echoed = updated
        .user_pool_client()
        .unwrap()
        .refresh_token_rotation()
        .unwrap();
    assert_eq!(echoed.feature(), &FeatureType::Enabled);
    assert_eq!(echoed.retry_grace_period_seconds(), Some(10));

    let first = w.srp_sign_in("alice", PASSWORD).await.unwrap();
    let first_refresh = first.refresh_token().unwrap().to_owned();
    assert_eq!(
        w.refresh(&first_refresh).await.unwrap_err().0,
        "InvalidParameterException",
        "REFRESH_TOKEN_AUTH is off with rotation"
    );
    let second = w.get_tokens(&first_refresh).await.unwrap();
    let second_refresh = second
        .refresh_token()
        .expect("rotation gives a new refresh token")
        .to_owned();
    assert_ne!(second_refresh, first_refresh);
    assert!(w.verify(second.access_token().unwrap(), None).await.is_ok());

    // Within the grace period the old token still works (a client retry)...
    assert!(w.get_tokens(&first_refresh).await.is_ok());
    // ...and after it, it is refused as reused.
    w.mock.clock().advance(Duration::from_secs(11));
    assert_eq!(
        w.get_tokens(&first_refresh).await.unwrap_err().0,
        "RefreshTokenReuseException"
    );
    // The new one rotates on.
    let third = w.get_tokens(&second_refresh).await.unwrap();
    let third_refresh = third.refresh_token().unwrap().to_owned();
    // Revoking the newest ends the session for every token of it.
    w.cip
        .revoke_token()
        .client_id(&w.client_id)
        .token(&third_refresh)
        .send()
        .await
        .unwrap();
    assert_eq!(
        w.get_tokens(&third_refresh).await.unwrap_err().0,
        "NotAuthorizedException"
    );
}
