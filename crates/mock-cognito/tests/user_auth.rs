//! Choice-based sign-in (USER_AUTH) through the official
//! `aws-sdk-cognitoidentityprovider` client: PREFERRED_CHALLENGE for each
//! factor, SELECT_CHALLENGE and its AvailableChallenges, EMAIL_OTP and
//! SMS_OTP codes from the outbox (wrong, expired, right), PASSWORD_SRP
//! answered by `cognito-srp`'s client, the pool's allowed factors and the
//! client's ALLOW_USER_AUTH, passwordless sign-up signed in with
//! ConfirmSignUp's Session, and an unknown user who looks like any other.
//! (Passkey sign-in is in `passkeys.rs`, beside the test authenticator.)

mod common;

use std::time::Duration;

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::operation::initiate_auth::InitiateAuthOutput;
use aws_sdk_cognitoidentityprovider::operation::respond_to_auth_challenge::RespondToAuthChallengeOutput;
use aws_sdk_cognitoidentityprovider::types::{
    AttributeType, AuthFactorType, AuthFlowType, ChallengeNameType, ExplicitAuthFlowsType,
    PreventUserExistenceErrorTypes, SignInPolicyType, UserPoolPolicyType, VerifiedAttributeType,
};
use cognito_srp::{CognitoTimestamp, Password, PasswordVerifierChallenge, PoolName, SrpClient};
use mock_cognito::MockCognito;

const PASSWORD: &str = "Ch0ice-Based!";

struct World {
    mock: MockCognito,
    cip: Client,
    pool_id: String,
    client_id: String,
}

type Answer = Result<RespondToAuthChallengeOutput, (String, String)>;

/// A pool allowing `factors` first, auto-verifying email, with an app
/// client that allows USER_AUTH (and hides unknown users when `hide`), and
/// alice: confirmed, with a password, a verified email and phone number.
async fn world(factors: &[AuthFactorType], hide: bool) -> World {
    let mock = MockCognito::start().await.unwrap();
    let cip = common::user_pool_client(&mock.endpoint());
    let policy = SignInPolicyType::builder()
        .set_allowed_first_auth_factors(Some(factors.to_vec()))
        .build();
    let pool = cip
        .create_user_pool()
        .pool_name("choice")
        .policies(UserPoolPolicyType::builder().sign_in_policy(policy).build())
        .auto_verified_attributes(VerifiedAttributeType::Email)
        .send()
        .await
        .unwrap();
    let pool_id = pool.user_pool().unwrap().id().unwrap().to_owned();
    let mut client = cip
        .create_user_pool_client()
        .user_pool_id(&pool_id)
        .client_name("app")
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth);
    if hide {
        client = client.prevent_user_existence_errors(PreventUserExistenceErrorTypes::Enabled);
    }
    let client = client.send().await.unwrap();
    let client_id = client
        .user_pool_client()
        .unwrap()
        .client_id()
        .unwrap()
        .to_owned();
    let attributes = [
        ("email", "alice@example.com"),
        ("email_verified", "true"),
        ("phone_number", "+15555550123"),
        ("phone_number_verified", "true"),
    ];
    common::confirmed_user(&cip, &pool_id, "alice", &attributes, PASSWORD).await;
    World {
        mock,
        cip,
        pool_id,
        client_id,
    }
}

impl World {
    /// InitiateAuth USER_AUTH for `user` with these AuthParameters.
    async fn start(
        &self,
        user: &str,
        parameters: &[(&str, &str)],
    ) -> Result<InitiateAuthOutput, (String, String)> {
        let mut call = self
            .cip
            .initiate_auth()
            .auth_flow(AuthFlowType::UserAuth)
            .client_id(&self.client_id)
            .auth_parameters("USERNAME", user);
        for (k, v) in parameters {
            call = call.auth_parameters(*k, *v);
        }
        call.send().await.map_err(common::sdk_error)
    }

    /// RespondToAuthChallenge `name` in `session` for `user`.
    async fn answer(
        &self,
        user: &str,
        name: ChallengeNameType,
        session: &str,
        responses: &[(&str, &str)],
    ) -> Answer {
        let mut call = self
            .cip
            .respond_to_auth_challenge()
            .client_id(&self.client_id)
            .challenge_name(name)
            .session(session)
            .challenge_responses("USERNAME", user);
        for (k, v) in responses {
            call = call.challenge_responses(*k, *v);
        }
        call.send().await.map_err(common::sdk_error)
    }

    /// The last code of `purpose` the outbox holds for `user`.
    fn outbox_code(&self, user: &str, purpose: &str) -> String {
        self.mock
            .verification_codes(Some(&self.pool_id), Some(user))
            .into_iter()
            .rev()
            .find(|c| c.purpose == purpose)
            .unwrap_or_else(|| panic!("no {purpose} code in the outbox"))
            .code
    }

    /// Checks an ID token against the JWKS; its claims.
    async fn id_claims(&self, id_token: Option<&str>) -> serde_json::Value {
        common::verify_jwt(
            self.mock.addr(),
            &self.pool_id,
            id_token.expect("an ID token"),
            Some(&self.client_id),
        )
        .await
        .unwrap()
    }
}

fn factors() -> Vec<AuthFactorType> {
    vec![
        AuthFactorType::Password,
        AuthFactorType::EmailOtp,
        AuthFactorType::SmsOtp,
    ]
}

#[tokio::test]
async fn a_preferred_password_signs_in_at_once() {
    let w = world(&factors(), false).await;
    let out = w
        .start(
            "alice",
            &[("PREFERRED_CHALLENGE", "PASSWORD"), ("PASSWORD", PASSWORD)],
        )
        .await
        .unwrap();
    let tokens = out.authentication_result().expect("tokens");
    let claims = w.id_claims(tokens.id_token()).await;
    assert_eq!(claims["cognito:username"], "alice");

    let wrong = w
        .start(
            "alice",
            &[
                ("PREFERRED_CHALLENGE", "PASSWORD"),
                ("PASSWORD", "nope-Nope1!"),
            ],
        )
        .await
        .unwrap_err();
    assert_eq!(wrong.0, "NotAuthorizedException");

    // Without the password, the PASSWORD challenge asks for it.
    let asked = w
        .start("alice", &[("PREFERRED_CHALLENGE", "PASSWORD")])
        .await
        .unwrap();
    assert_eq!(asked.challenge_name(), Some(&ChallengeNameType::Password));
    let done = w
        .answer(
            "alice",
            ChallengeNameType::Password,
            asked.session().unwrap(),
            &[("PASSWORD", PASSWORD)],
        )
        .await
        .unwrap();
    assert!(done.authentication_result().is_some());
}

#[tokio::test]
async fn password_srp_is_answered_with_the_password_verifier() {
    let w = world(&factors(), false).await;
    let srp = SrpClient::new(&mut rand_core::UnwrapErr(getrandom::SysRng));
    let out = w
        .start(
            "alice",
            &[
                ("PREFERRED_CHALLENGE", "PASSWORD_SRP"),
                ("SRP_A", &srp.srp_a()),
            ],
        )
        .await
        .unwrap();
    assert_eq!(
        out.challenge_name(),
        Some(&ChallengeNameType::PasswordVerifier)
    );
    let challenge =
        PasswordVerifierChallenge::from_parameters(out.challenge_parameters().unwrap()).unwrap();
    let pool = PoolName::from_user_pool_id(&w.pool_id).unwrap();
    let ts = CognitoTimestamp::from_system_time(w.mock.clock().now()).unwrap();
    let claim = srp
        .answer_password_verifier(&pool, &challenge, &Password::new(PASSWORD), ts)
        .unwrap();
    let done = w
        .cip
        .respond_to_auth_challenge()
        .client_id(&w.client_id)
        .challenge_name(ChallengeNameType::PasswordVerifier)
        .set_session(out.session().map(str::to_owned))
        .set_challenge_responses(Some(claim.challenge_responses(None)))
        .send()
        .await
        .unwrap();
    let claims = w
        .id_claims(done.authentication_result().unwrap().id_token())
        .await;
    assert_eq!(claims["cognito:username"], "alice");
}

#[tokio::test]
async fn select_challenge_lists_the_users_factors_then_email_otp_signs_in() {
    let w = world(&factors(), false).await;
    let out = w.start("alice", &[]).await.unwrap();
    assert_eq!(
        out.challenge_name(),
        Some(&ChallengeNameType::SelectChallenge)
    );
    assert_eq!(
        out.available_challenges(),
        [
            ChallengeNameType::Password,
            ChallengeNameType::PasswordSrp,
            ChallengeNameType::EmailOtp,
            ChallengeNameType::SmsOtp,
        ]
    );
    let session = out.session().unwrap();
    // An ANSWER that is not offered is refused.
    let (code, _) = w
        .answer(
            "alice",
            ChallengeNameType::SelectChallenge,
            session,
            &[("ANSWER", "WEB_AUTHN")],
        )
        .await
        .unwrap_err();
    assert_eq!(code, "InvalidParameterException");

    let out = w.start("alice", &[]).await.unwrap();
    let sent = w
        .answer(
            "alice",
            ChallengeNameType::SelectChallenge,
            out.session().unwrap(),
            &[("ANSWER", "EMAIL_OTP")],
        )
        .await
        .unwrap();
    assert_eq!(sent.challenge_name(), Some(&ChallengeNameType::EmailOtp));
    let parameters = sent.challenge_parameters().unwrap();
    assert_eq!(parameters["CODE_DELIVERY_DELIVERY_MEDIUM"], "EMAIL");
    assert_ne!(parameters["CODE_DELIVERY_DESTINATION"], "alice@example.com");
    let code = w.outbox_code("alice", "EMAIL_OTP");
    let session = sent.session().unwrap();
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let (error, _) = w
        .answer(
            "alice",
            ChallengeNameType::EmailOtp,
            session,
            &[("EMAIL_OTP_CODE", wrong)],
        )
        .await
        .unwrap_err();
    assert_eq!(error, "CodeMismatchException");
    // The same session takes the right code after a wrong one.
    let done = w
        .answer(
            "alice",
            ChallengeNameType::EmailOtp,
            session,
            &[("EMAIL_OTP_CODE", &code)],
        )
        .await
        .unwrap();
    let claims = w
        .id_claims(done.authentication_result().unwrap().id_token())
        .await;
    assert_eq!(claims["email"], "alice@example.com");
}

#[tokio::test]
async fn sms_otp_is_a_text_and_an_expired_code_is_refused() {
    let w = world(&factors(), false).await;
    let sent = w
        .start("alice", &[("PREFERRED_CHALLENGE", "SMS_OTP")])
        .await
        .unwrap();
    assert_eq!(sent.challenge_name(), Some(&ChallengeNameType::SmsOtp));
    assert_eq!(
        sent.challenge_parameters().unwrap()["CODE_DELIVERY_DELIVERY_MEDIUM"],
        "SMS"
    );
    let code = w.outbox_code("alice", "SMS_OTP");
    let done = w
        .answer(
            "alice",
            ChallengeNameType::SmsOtp,
            sent.session().unwrap(),
            &[("SMS_OTP_CODE", &code)],
        )
        .await
        .unwrap();
    assert!(done.authentication_result().is_some());

    let sent = w
        .start("alice", &[("PREFERRED_CHALLENGE", "EMAIL_OTP")])
        .await
        .unwrap();
    let code = w.outbox_code("alice", "EMAIL_OTP");
    w.mock.clock().advance(Duration::from_secs(600));
    let (error, _) = w
        .answer(
            "alice",
            ChallengeNameType::EmailOtp,
            sent.session().unwrap(),
            &[("EMAIL_OTP_CODE", &code)],
        )
        .await
        .unwrap_err();
    assert_eq!(error, "NotAuthorizedException");
}

#[tokio::test]
async fn the_pool_and_the_client_decide_what_may_be_used() {
    let w = world(&[AuthFactorType::Password, AuthFactorType::EmailOtp], false).await;
    // SMS_OTP is not allowed by this pool.
    let (error, message) = w
        .start("alice", &[("PREFERRED_CHALLENGE", "SMS_OTP")])
        .await
        .unwrap_err();
    assert_eq!(error, "InvalidParameterException");
    assert!(message.contains("SMS_OTP"), "{message}");
    // Not a factor at all.
    let (error, _) = w
        .start("alice", &[("PREFERRED_CHALLENGE", "SMS_MFA")])
        .await
        .unwrap_err();
    assert_eq!(error, "InvalidParameterException");
    // Allowed by the pool and had by alice: straight to the code.
    let pool_offer = w
        .start("alice", &[("PREFERRED_CHALLENGE", "EMAIL_OTP")])
        .await
        .unwrap();
    assert_eq!(
        pool_offer.challenge_name(),
        Some(&ChallengeNameType::EmailOtp)
    );

    // A client without ALLOW_USER_AUTH.
    let other = w
        .cip
        .create_user_pool_client()
        .user_pool_id(&w.pool_id)
        .client_name("classic")
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserSrpAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
        .send()
        .await
        .unwrap();
    let (error, _) = w
        .cip
        .initiate_auth()
        .auth_flow(AuthFlowType::UserAuth)
        .client_id(other.user_pool_client().unwrap().client_id().unwrap())
        .auth_parameters("USERNAME", "alice")
        .send()
        .await
        .map_err(common::sdk_error)
        .unwrap_err();
    assert_eq!(error, "InvalidParameterException");
}

#[tokio::test]
async fn passwordless_sign_up_signs_in_with_the_confirmation_session_then_by_email() {
    let w = world(&[AuthFactorType::Password, AuthFactorType::EmailOtp], false).await;
    let signed_up = w
        .cip
        .sign_up()
        .client_id(&w.client_id)
        .username("pat")
        .user_attributes(
            AttributeType::builder()
                .name("email")
                .value("pat@example.com")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    assert!(!signed_up.user_confirmed());
    let code = w.outbox_code("pat", "SIGN_UP");
    let confirmed = w
        .cip
        .confirm_sign_up()
        .client_id(&w.client_id)
        .username("pat")
        .confirmation_code(code)
        .send()
        .await
        .unwrap();
    let session = confirmed.session().expect("a session to sign in with");
    let signed_in = w
        .cip
        .initiate_auth()
        .auth_flow(AuthFlowType::UserAuth)
        .client_id(&w.client_id)
        .auth_parameters("USERNAME", "pat")
        .session(session)
        .send()
        .await
        .unwrap();
    let claims = w
        .id_claims(signed_in.authentication_result().unwrap().id_token())
        .await;
    assert_eq!(claims["email_verified"], true);
    // The session is single use.
    let (error, _) = w
        .cip
        .initiate_auth()
        .auth_flow(AuthFlowType::UserAuth)
        .client_id(&w.client_id)
        .auth_parameters("USERNAME", "pat")
        .session(session)
        .send()
        .await
        .map_err(common::sdk_error)
        .unwrap_err();
    assert_eq!(error, "NotAuthorizedException");

    // Pat has no password: only the email code is offered.
    let out = w.start("pat", &[]).await.unwrap();
    assert_eq!(out.available_challenges(), [ChallengeNameType::EmailOtp]);
    let factors = w
        .cip
        .admin_get_user_auth_factors()
        .user_pool_id(&w.pool_id)
        .username("pat")
        .send()
        .await
        .unwrap();
    assert_eq!(
        factors.configured_user_auth_factors(),
        [AuthFactorType::EmailOtp]
    );

    // A pool without passwordless factors wants a password.
    let strict = world(&[AuthFactorType::Password], false).await;
    let (error, _) = strict
        .cip
        .sign_up()
        .client_id(&strict.client_id)
        .username("pat")
        .send()
        .await
        .map_err(common::sdk_error)
        .unwrap_err();
    assert_eq!(error, "InvalidParameterException");
}

#[tokio::test]
async fn an_unknown_user_is_offered_choices_that_never_sign_in() {
    let w = world(&factors(), true).await;
    let out = w.start("nobody", &[]).await.unwrap();
    assert_eq!(
        out.challenge_name(),
        Some(&ChallengeNameType::SelectChallenge)
    );
    assert_eq!(out.available_challenges().len(), 4);
    let sent = w
        .answer(
            "nobody",
            ChallengeNameType::SelectChallenge,
            out.session().unwrap(),
            &[("ANSWER", "EMAIL_OTP")],
        )
        .await
        .unwrap();
    assert_eq!(sent.challenge_name(), Some(&ChallengeNameType::EmailOtp));
    let (error, _) = w
        .answer(
            "nobody",
            ChallengeNameType::EmailOtp,
            sent.session().unwrap(),
            &[("EMAIL_OTP_CODE", "123456")],
        )
        .await
        .unwrap_err();
    assert_eq!(error, "NotAuthorizedException");
    let (error, _) = w
        .start(
            "nobody",
            &[("PREFERRED_CHALLENGE", "PASSWORD"), ("PASSWORD", PASSWORD)],
        )
        .await
        .unwrap_err();
    assert_eq!(error, "NotAuthorizedException");

    // Without hiding, the unknown user is named.
    let open = world(&factors(), false).await;
    let (error, _) = open.start("nobody", &[]).await.unwrap_err();
    assert_eq!(error, "UserNotFoundException");
}

#[tokio::test]
async fn the_admin_calls_take_user_auth_too() {
    let w = world(&factors(), false).await;
    let out = w
        .cip
        .admin_initiate_auth()
        .user_pool_id(&w.pool_id)
        .client_id(&w.client_id)
        .auth_flow(AuthFlowType::UserAuth)
        .auth_parameters("USERNAME", "alice")
        .send()
        .await
        .unwrap();
    assert_eq!(
        out.challenge_name(),
        Some(&ChallengeNameType::SelectChallenge)
    );
    let chosen = w
        .cip
        .admin_respond_to_auth_challenge()
        .user_pool_id(&w.pool_id)
        .client_id(&w.client_id)
        .challenge_name(ChallengeNameType::SelectChallenge)
        .set_session(out.session().map(str::to_owned))
        .challenge_responses("USERNAME", "alice")
        .challenge_responses("ANSWER", "PASSWORD")
        .challenge_responses("PASSWORD", PASSWORD)
        .send()
        .await
        .unwrap();
    assert!(chosen.authentication_result().is_some());
    // Another pool's id names no such client.
    let (error, _) = w
        .cip
        .admin_initiate_auth()
        .user_pool_id("us-east-1_NotThisOne")
        .client_id(&w.client_id)
        .auth_flow(AuthFlowType::UserAuth)
        .auth_parameters("USERNAME", "alice")
        .send()
        .await
        .map_err(common::sdk_error)
        .unwrap_err();
    assert_eq!(error, "ResourceNotFoundException");
}
