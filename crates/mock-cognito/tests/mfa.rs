//! MFA through the official `aws-sdk-cognitoidentityprovider` client: the
//! pool's MFA configuration, software tokens set up and verified with codes
//! computed by an independent TOTP implementation (`totp-rs`), SMS and
//! email codes read from the outbox, SELECT_MFA_TYPE and MFA_SETUP.

mod common;

use std::time::Duration;

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::operation::respond_to_auth_challenge::RespondToAuthChallengeOutput;
use aws_sdk_cognitoidentityprovider::types::{
    AttributeType, AuthFlowType, ChallengeNameType, EmailMfaConfigType, EmailMfaSettingsType,
    ExplicitAuthFlowsType, SmsConfigurationType, SmsMfaConfigType, SmsMfaSettingsType,
    SoftwareTokenMfaConfigType, SoftwareTokenMfaSettingsType, UserPoolMfaType,
    VerifySoftwareTokenResponseType,
};
use cognito_srp::{CognitoTimestamp, Password, PasswordVerifierChallenge, PoolName, SrpClient};
use mock_cognito::MockCognito;

const PASSWORD: &str = "Corr3ct-Horse!";

struct World {
    mock: MockCognito,
    cip: Client,
    pool_id: String,
    client_id: String,
}

/// A pool with `mode` and the given factors, an app client allowing
/// password and SRP sign-in, and alice (confirmed, with an email and a
/// phone number).
async fn world(mode: &str, sms: bool, totp: bool, email: bool) -> World {
    world_on(MockCognito::start().await.unwrap(), mode, sms, totp, email).await
}

async fn world_on(mock: MockCognito, mode: &str, sms: bool, totp: bool, email: bool) -> World {
    let cip = common::user_pool_client(&mock.endpoint());
    let pool = cip
        .create_user_pool()
        .pool_name("mfa")
        .send()
        .await
        .unwrap();
    let pool_id = pool.user_pool().unwrap().id().unwrap().to_owned();
    let mut config = cip
        .set_user_pool_mfa_config()
        .user_pool_id(&pool_id)
        .mfa_configuration(UserPoolMfaType::from(mode));
    if sms {
        config = config.sms_mfa_configuration(
            SmsMfaConfigType::builder()
                .sms_authentication_message("Your code is {####}")
                .sms_configuration(
                    SmsConfigurationType::builder()
                        .sns_caller_arn("arn:aws:iam::123456789012:role/sns")
                        .build(),
                )
                .build(),
        );
    }
    if totp {
        config = config.software_token_mfa_configuration(
            SoftwareTokenMfaConfigType::builder().enabled(true).build(),
        );
    }
    if email {
        config = config.email_mfa_configuration(
            EmailMfaConfigType::builder()
                .message("Your code is {####}")
                .subject("Sign-in code")
                .build(),
        );
    }
    config.send().await.unwrap();
    let client = cip
        .create_user_pool_client()
        .user_pool_id(&pool_id)
        .client_name("app")
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserSrpAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
        .send()
        .await
        .unwrap();
    let client_id = client
        .user_pool_client()
        .unwrap()
        .client_id()
        .unwrap()
        .to_owned();
    let attribute = |n: &str, v: &str| AttributeType::builder().name(n).value(v).build().unwrap();
    cip.admin_create_user()
        .user_pool_id(&pool_id)
        .username("alice")
        .user_attributes(attribute("email", "alice@example.com"))
        .user_attributes(attribute("phone_number", "+15555550123"))
        .message_action(aws_sdk_cognitoidentityprovider::types::MessageActionType::Suppress)
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
    }
}

/// A TOTP code for `secret` (base32) at the mock's clock, `steps` steps
/// from now, computed by `totp-rs`, not by the mock's own code.
fn totp_code(mock: &MockCognito, secret: &str, steps: i64) -> String {
    let bytes = totp_rs::Secret::Encoded(secret.to_owned())
        .to_bytes()
        .unwrap();
    let totp = totp_rs::TOTP::new(totp_rs::Algorithm::SHA1, 6, 1, 30, bytes).unwrap();
    totp.generate((mock.clock().unix() + steps * 30) as u64)
}

impl World {
    /// USER_PASSWORD_AUTH: the answer (tokens or a challenge).
    async fn password_sign_in(
        &self,
    ) -> aws_sdk_cognitoidentityprovider::operation::initiate_auth::InitiateAuthOutput {
        self.cip
            .initiate_auth()
            .auth_flow(AuthFlowType::UserPasswordAuth)
            .client_id(&self.client_id)
            .auth_parameters("USERNAME", "alice")
            .auth_parameters("PASSWORD", PASSWORD)
            .send()
            .await
            .unwrap()
    }

    /// USER_SRP_AUTH then PASSWORD_VERIFIER: what the verifier answer gets.
    async fn srp_sign_in(&self) -> RespondToAuthChallengeOutput {
        let srp = SrpClient::new(&mut rand_core::UnwrapErr(getrandom::SysRng));
        let out = self
            .cip
            .initiate_auth()
            .auth_flow(AuthFlowType::UserSrpAuth)
            .client_id(&self.client_id)
            .auth_parameters("USERNAME", "alice")
            .auth_parameters("SRP_A", srp.srp_a())
            .send()
            .await
            .unwrap();
        let challenge =
            PasswordVerifierChallenge::from_parameters(out.challenge_parameters().unwrap())
                .unwrap();
        let pool = PoolName::from_user_pool_id(&self.pool_id).unwrap();
        let ts = CognitoTimestamp::from_system_time(self.mock.clock().now()).unwrap();
        let claim = srp
            .answer_password_verifier(&pool, &challenge, &Password::new(PASSWORD), ts)
            .unwrap();
        self.cip
            .respond_to_auth_challenge()
            .client_id(&self.client_id)
            .challenge_name(ChallengeNameType::PasswordVerifier)
            .set_challenge_responses(Some(claim.challenge_responses(None)))
            .send()
            .await
            .unwrap()
    }

    /// Answers `challenge` in `session` with `member` = `value`.
    async fn answer(
        &self,
        challenge: ChallengeNameType,
        session: &str,
        member: &str,
        value: &str,
    ) -> Result<RespondToAuthChallengeOutput, (String, String)> {
        self.cip
            .respond_to_auth_challenge()
            .client_id(&self.client_id)
            .challenge_name(challenge)
            .session(session)
            .challenge_responses("USERNAME", "alice")
            .challenge_responses(member, value)
            .send()
            .await
            .map_err(common::sdk_error)
    }

    /// The last code of `purpose` the outbox holds for alice.
    fn outbox_code(&self, purpose: &str) -> String {
        self.mock
            .verification_codes(Some(&self.pool_id), Some("alice"))
            .into_iter()
            .rev()
            .find(|c| c.purpose == purpose)
            .unwrap_or_else(|| panic!("no {purpose} code in the outbox"))
            .code
    }
}

#[tokio::test]
async fn pool_mfa_configuration_is_checked_and_read_back() {
    let w = world("OFF", false, false, false).await;
    let got = w
        .cip
        .get_user_pool_mfa_config()
        .user_pool_id(&w.pool_id)
        .send()
        .await
        .unwrap();
    assert_eq!(got.mfa_configuration(), Some(&UserPoolMfaType::Off));

    // Required or optional with no factor, or off with one: refused, as AWS does.
    let e = w
        .cip
        .set_user_pool_mfa_config()
        .user_pool_id(&w.pool_id)
        .mfa_configuration(UserPoolMfaType::On)
        .send()
        .await
        .map_err(common::sdk_error)
        .unwrap_err();
    assert_eq!(e.0, "InvalidParameterException");
    assert!(e.1.contains("can't disable all MFAs"), "{}", e.1);
    let e = w
        .cip
        .set_user_pool_mfa_config()
        .user_pool_id(&w.pool_id)
        .mfa_configuration(UserPoolMfaType::Off)
        .software_token_mfa_configuration(
            SoftwareTokenMfaConfigType::builder().enabled(true).build(),
        )
        .send()
        .await
        .map_err(common::sdk_error)
        .unwrap_err();
    assert!(e.1.contains("can't turn off MFA and configure"), "{}", e.1);

    let set = w
        .cip
        .set_user_pool_mfa_config()
        .user_pool_id(&w.pool_id)
        .mfa_configuration(UserPoolMfaType::Optional)
        .software_token_mfa_configuration(
            SoftwareTokenMfaConfigType::builder().enabled(true).build(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(set.mfa_configuration(), Some(&UserPoolMfaType::Optional));
    let got = w
        .cip
        .get_user_pool_mfa_config()
        .user_pool_id(&w.pool_id)
        .send()
        .await
        .unwrap();
    assert_eq!(got.mfa_configuration(), Some(&UserPoolMfaType::Optional));
    assert!(got.software_token_mfa_configuration().unwrap().enabled());
    assert!(got.sms_mfa_configuration().is_none());
    let described = w
        .cip
        .describe_user_pool()
        .user_pool_id(&w.pool_id)
        .send()
        .await
        .unwrap();
    assert_eq!(
        described.user_pool().unwrap().mfa_configuration(),
        Some(&UserPoolMfaType::Optional)
    );
}

#[tokio::test]
async fn totp_set_up_with_an_access_token_then_srp_sign_in_asks_for_it() {
    let w = world("OPTIONAL", false, true, false).await;
    // Optional and nothing set up: tokens straight away.
    let first = w.password_sign_in().await;
    let access = first
        .authentication_result()
        .unwrap()
        .access_token()
        .unwrap();

    let associated = w
        .cip
        .associate_software_token()
        .access_token(access)
        .send()
        .await
        .unwrap();
    let secret = associated.secret_code().unwrap().to_owned();
    assert_eq!(secret.len(), 32, "160 bits in base32");

    let wrong = format!(
        "{:06}",
        (totp_code(&w.mock, &secret, 0).parse::<u32>().unwrap() + 1) % 1_000_000
    );
    let e = w
        .cip
        .verify_software_token()
        .access_token(access)
        .user_code(&wrong)
        .send()
        .await
        .map_err(common::sdk_error)
        .unwrap_err();
    assert_eq!(e.0, "EnableSoftwareTokenMFAException");

    let now_code = totp_code(&w.mock, &secret, 0);
    let verified = w
        .cip
        .verify_software_token()
        .access_token(access)
        .user_code(&now_code)
        .friendly_device_name("phone")
        .send()
        .await
        .unwrap();
    assert_eq!(
        verified.status(),
        Some(&VerifySoftwareTokenResponseType::Success)
    );
    let user = w.cip.get_user().access_token(access).send().await.unwrap();
    assert_eq!(user.user_mfa_setting_list(), ["SOFTWARE_TOKEN_MFA"]);

    let out = w.srp_sign_in().await;
    assert_eq!(
        out.challenge_name(),
        Some(&ChallengeNameType::SoftwareTokenMfa)
    );
    assert_eq!(
        out.challenge_parameters().unwrap()["FRIENDLY_DEVICE_NAME"],
        "phone"
    );
    let session = out.session().unwrap().to_owned();
    // The code that verified the token is spent.
    let e = w
        .answer(
            ChallengeNameType::SoftwareTokenMfa,
            &session,
            "SOFTWARE_TOKEN_MFA_CODE",
            &now_code,
        )
        .await
        .unwrap_err();
    assert_eq!(
        e,
        (
            "ExpiredCodeException".to_owned(),
            "Your software token has already been used once.".to_owned()
        )
    );
    let e = w
        .answer(
            ChallengeNameType::SoftwareTokenMfa,
            &session,
            "SOFTWARE_TOKEN_MFA_CODE",
            &wrong,
        )
        .await
        .unwrap_err();
    assert_eq!(e.0, "CodeMismatchException");
    // The next step's code, within the ±1 step window, signs in.
    let next = totp_code(&w.mock, &secret, 1);
    let done = w
        .answer(
            ChallengeNameType::SoftwareTokenMfa,
            &session,
            "SOFTWARE_TOKEN_MFA_CODE",
            &next,
        )
        .await
        .unwrap();
    assert!(done.authentication_result().unwrap().id_token().is_some());
    // The session is spent, and so is the code, in a new sign-in.
    let e = w
        .answer(
            ChallengeNameType::SoftwareTokenMfa,
            &session,
            "SOFTWARE_TOKEN_MFA_CODE",
            &next,
        )
        .await
        .unwrap_err();
    assert_eq!(e.0, "NotAuthorizedException");
    let again = w.srp_sign_in().await;
    let e = w
        .answer(
            ChallengeNameType::SoftwareTokenMfa,
            again.session().unwrap(),
            "SOFTWARE_TOKEN_MFA_CODE",
            &next,
        )
        .await
        .unwrap_err();
    assert_eq!(e.0, "ExpiredCodeException");
    // A code two steps away is refused.
    w.mock.clock().advance(Duration::from_secs(90));
    let far = totp_code(&w.mock, &secret, -2);
    let e = w
        .answer(
            ChallengeNameType::SoftwareTokenMfa,
            again.session().unwrap(),
            "SOFTWARE_TOKEN_MFA_CODE",
            &far,
        )
        .await
        .unwrap_err();
    assert_eq!(e.0, "CodeMismatchException");
}

#[tokio::test]
async fn required_mfa_without_a_factor_sets_up_a_token_in_the_sign_in() {
    let w = world("ON", false, true, false).await;
    let out = w.password_sign_in().await;
    assert_eq!(out.challenge_name(), Some(&ChallengeNameType::MfaSetup));
    assert_eq!(
        out.challenge_parameters().unwrap()["MFAS_CAN_SETUP"],
        "[\"SOFTWARE_TOKEN_MFA\"]"
    );
    let session = out.session().unwrap();
    // Answering before a token is verified fails.
    let early = w
        .answer(ChallengeNameType::MfaSetup, session, "ANSWER", "x")
        .await;
    assert_eq!(early.unwrap_err().0, "InvalidParameterException");

    let out = w.password_sign_in().await;
    let associated = w
        .cip
        .associate_software_token()
        .session(out.session().unwrap())
        .send()
        .await
        .unwrap();
    let secret = associated.secret_code().unwrap();
    let verified = w
        .cip
        .verify_software_token()
        .session(associated.session().unwrap())
        .user_code(totp_code(&w.mock, secret, 0))
        .send()
        .await
        .unwrap();
    assert_eq!(
        verified.status(),
        Some(&VerifySoftwareTokenResponseType::Success)
    );
    let done = w
        .cip
        .respond_to_auth_challenge()
        .client_id(&w.client_id)
        .challenge_name(ChallengeNameType::MfaSetup)
        .session(verified.session().unwrap())
        .challenge_responses("USERNAME", "alice")
        .send()
        .await
        .unwrap();
    assert!(
        done.authentication_result()
            .unwrap()
            .access_token()
            .is_some()
    );
    // From now on the sign-in asks for the token.
    let out = w.password_sign_in().await;
    assert_eq!(
        out.challenge_name(),
        Some(&ChallengeNameType::SoftwareTokenMfa)
    );
}

#[tokio::test]
async fn sms_and_email_codes_come_from_the_outbox() {
    let w = world("OPTIONAL", true, false, true).await;
    w.cip
        .admin_set_user_mfa_preference()
        .user_pool_id(&w.pool_id)
        .username("alice")
        .sms_mfa_settings(
            SmsMfaSettingsType::builder()
                .enabled(true)
                .preferred_mfa(true)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let out = w.srp_sign_in().await;
    assert_eq!(out.challenge_name(), Some(&ChallengeNameType::SmsMfa));
    let p = out.challenge_parameters().unwrap();
    assert_eq!(p["CODE_DELIVERY_DELIVERY_MEDIUM"], "SMS");
    assert!(
        !p["CODE_DELIVERY_DESTINATION"].contains("5555550123"),
        "masked"
    );
    let code = w.outbox_code("SMS_MFA");
    let e = w
        .answer(
            ChallengeNameType::SmsMfa,
            out.session().unwrap(),
            "SMS_MFA_CODE",
            "000000x",
        )
        .await
        .unwrap_err();
    assert_eq!(e.0, "CodeMismatchException");
    let done = w
        .answer(
            ChallengeNameType::SmsMfa,
            out.session().unwrap(),
            "SMS_MFA_CODE",
            &code,
        )
        .await
        .unwrap();
    assert!(done.authentication_result().is_some());

    // Email instead, preferred: EMAIL_OTP.
    w.cip
        .admin_set_user_mfa_preference()
        .user_pool_id(&w.pool_id)
        .username("alice")
        .email_mfa_settings(
            EmailMfaSettingsType::builder()
                .enabled(true)
                .preferred_mfa(true)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let out = w.password_sign_in().await;
    assert_eq!(out.challenge_name(), Some(&ChallengeNameType::EmailOtp));
    assert_eq!(
        out.challenge_parameters().unwrap()["CODE_DELIVERY_DELIVERY_MEDIUM"],
        "EMAIL"
    );
    let code = w.outbox_code("EMAIL_OTP");
    let done = w
        .answer(
            ChallengeNameType::EmailOtp,
            out.session().unwrap(),
            "EMAIL_OTP_CODE",
            &code,
        )
        .await
        .unwrap();
    assert!(done.authentication_result().is_some());

    // Three wrong codes spend the session.
    let out = w.password_sign_in().await;
    let session = out.session().unwrap();
    for _ in 0..3 {
        let e = w
            .answer(
                ChallengeNameType::EmailOtp,
                session,
                "EMAIL_OTP_CODE",
                "999999x",
            )
            .await;
        assert_eq!(e.unwrap_err().0, "CodeMismatchException");
    }
    let code = w.outbox_code("EMAIL_OTP");
    let e = w
        .answer(
            ChallengeNameType::EmailOtp,
            session,
            "EMAIL_OTP_CODE",
            &code,
        )
        .await;
    assert_eq!(e.unwrap_err().0, "NotAuthorizedException");
}

#[tokio::test]
async fn two_factors_and_no_preference_ask_which_one() {
    let w = world("OPTIONAL", true, false, true).await;
    w.cip
        .admin_set_user_mfa_preference()
        .user_pool_id(&w.pool_id)
        .username("alice")
        .sms_mfa_settings(SmsMfaSettingsType::builder().enabled(true).build())
        .email_mfa_settings(EmailMfaSettingsType::builder().enabled(true).build())
        .send()
        .await
        .unwrap();
    let user = w
        .cip
        .admin_get_user()
        .user_pool_id(&w.pool_id)
        .username("alice")
        .send()
        .await
        .unwrap();
    assert_eq!(user.user_mfa_setting_list(), ["SMS_MFA", "EMAIL_OTP"]);
    assert_eq!(user.preferred_mfa_setting(), None);

    let out = w.password_sign_in().await;
    assert_eq!(
        out.challenge_name(),
        Some(&ChallengeNameType::SelectMfaType)
    );
    assert_eq!(
        out.challenge_parameters().unwrap()["MFAS_CAN_CHOOSE"],
        "[\"SMS_MFA\",\"EMAIL_OTP\"]"
    );
    let e = w
        .answer(
            ChallengeNameType::SelectMfaType,
            out.session().unwrap(),
            "ANSWER",
            "SOFTWARE_TOKEN_MFA",
        )
        .await
        .unwrap_err();
    assert_eq!(e.0, "InvalidParameterException");
    let out = w.password_sign_in().await;
    let chosen = w
        .answer(
            ChallengeNameType::SelectMfaType,
            out.session().unwrap(),
            "ANSWER",
            "EMAIL_OTP",
        )
        .await
        .unwrap();
    assert_eq!(chosen.challenge_name(), Some(&ChallengeNameType::EmailOtp));
    let code = w.outbox_code("EMAIL_OTP");
    let done = w
        .answer(
            ChallengeNameType::EmailOtp,
            chosen.session().unwrap(),
            "EMAIL_OTP_CODE",
            &code,
        )
        .await
        .unwrap();
    assert!(done.authentication_result().is_some());
}

#[tokio::test]
async fn preferences_need_a_way_to_deliver_the_code() {
    let w = world("OPTIONAL", true, true, false).await;
    let e = w
        .cip
        .admin_set_user_mfa_preference()
        .user_pool_id(&w.pool_id)
        .username("alice")
        .software_token_mfa_settings(
            SoftwareTokenMfaSettingsType::builder()
                .enabled(true)
                .build(),
        )
        .send()
        .await
        .map_err(common::sdk_error)
        .unwrap_err();
    assert_eq!(e.0, "InvalidParameterException");
    assert!(e.1.contains("SOFTWARE_TOKEN_MFA"), "{}", e.1);
    // Preferring a factor that is off is refused; nothing changes.
    let e = w
        .cip
        .admin_set_user_mfa_preference()
        .user_pool_id(&w.pool_id)
        .username("alice")
        .sms_mfa_settings(
            SmsMfaSettingsType::builder()
                .enabled(false)
                .preferred_mfa(true)
                .build(),
        )
        .send()
        .await
        .map_err(common::sdk_error)
        .unwrap_err();
    assert_eq!(e.0, "InvalidParameterException");
    // The legacy MFAOptions turn SMS on and show it.
    w.cip
        .admin_set_user_settings()
        .user_pool_id(&w.pool_id)
        .username("alice")
        .mfa_options(
            aws_sdk_cognitoidentityprovider::types::MfaOptionType::builder()
                .delivery_medium(aws_sdk_cognitoidentityprovider::types::DeliveryMediumType::Sms)
                .attribute_name("phone_number")
                .build(),
        )
        .send()
        .await
        .unwrap();
    let user = w
        .cip
        .admin_get_user()
        .user_pool_id(&w.pool_id)
        .username("alice")
        .send()
        .await
        .unwrap();
    assert_eq!(user.user_mfa_setting_list(), ["SMS_MFA"]);
    assert_eq!(user.mfa_options().len(), 1);
    let out = w.password_sign_in().await;
    assert_eq!(out.challenge_name(), Some(&ChallengeNameType::SmsMfa));
}

#[tokio::test(flavor = "multi_thread")]
async fn mfa_settings_tokens_and_spent_codes_survive_a_restart() {
    let dir = std::env::temp_dir().join(format!(
        "cogkit-mfa-{}-{}",
        std::process::id(),
        uuid::Uuid::new_v4()
    ));
    let durable = || MockCognito::builder().data_dir(&dir).start();
    let w = world_on(durable().await.unwrap(), "OPTIONAL", false, true, false).await;
    let first = w.password_sign_in().await;
    let access = first
        .authentication_result()
        .unwrap()
        .access_token()
        .unwrap();
    let secret = w
        .cip
        .associate_software_token()
        .access_token(access)
        .send()
        .await
        .unwrap()
        .secret_code()
        .unwrap()
        .to_owned();
    let used = totp_code(&w.mock, &secret, 0);
    w.cip
        .verify_software_token()
        .access_token(access)
        .user_code(&used)
        .send()
        .await
        .unwrap();
    let World {
        mock,
        pool_id,
        client_id,
        ..
    } = w;
    drop(mock);

    let mock = durable().await.unwrap();
    let w = World {
        cip: common::user_pool_client(&mock.endpoint()),
        mock,
        pool_id,
        client_id,
    };
    let config = w
        .cip
        .get_user_pool_mfa_config()
        .user_pool_id(&w.pool_id)
        .send()
        .await
        .unwrap();
    assert_eq!(config.mfa_configuration(), Some(&UserPoolMfaType::Optional));
    assert!(config.software_token_mfa_configuration().unwrap().enabled());
    let out = w.srp_sign_in().await;
    assert_eq!(
        out.challenge_name(),
        Some(&ChallengeNameType::SoftwareTokenMfa)
    );
    let session = out.session().unwrap();
    let e = w
        .answer(
            ChallengeNameType::SoftwareTokenMfa,
            session,
            "SOFTWARE_TOKEN_MFA_CODE",
            &used,
        )
        .await
        .unwrap_err();
    assert_eq!(e.0, "ExpiredCodeException", "the spent step is remembered");
    let next = totp_code(&w.mock, &secret, 1);
    let done = w
        .answer(
            ChallengeNameType::SoftwareTokenMfa,
            session,
            "SOFTWARE_TOKEN_MFA_CODE",
            &next,
        )
        .await
        .unwrap();
    assert!(done.authentication_result().is_some());
    drop(w);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn auth_factors_follow_verified_addresses_and_enabled_factors() {
    use aws_sdk_cognitoidentityprovider::types::AuthFactorType;
    let w = world("OPTIONAL", false, false, true).await;
    let factors = || {
        w.cip
            .admin_get_user_auth_factors()
            .user_pool_id(&w.pool_id)
            .username("alice")
            .send()
    };
    let before = factors().await.unwrap();
    assert_eq!(before.username(), "alice");
    assert_eq!(
        before.configured_user_auth_factors(),
        [AuthFactorType::Password]
    );
    assert!(before.preferred_mfa_setting().is_none());

    // A verified email that is an MFA factor she has on.
    w.cip
        .admin_update_user_attributes()
        .user_pool_id(&w.pool_id)
        .username("alice")
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
    w.cip
        .admin_set_user_mfa_preference()
        .user_pool_id(&w.pool_id)
        .username("alice")
        .email_mfa_settings(
            EmailMfaSettingsType::builder()
                .enabled(true)
                .preferred_mfa(true)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let after = factors().await.unwrap();
    assert_eq!(
        after.configured_user_auth_factors(),
        [AuthFactorType::Password, AuthFactorType::EmailOtp]
    );
    assert_eq!(after.preferred_mfa_setting(), Some("EMAIL_OTP"));
    assert_eq!(after.user_mfa_setting_list(), ["EMAIL_OTP"]);

    // The same through her own access token, after an emailed code.
    let challenged = w.password_sign_in().await;
    let code = w.outbox_code("EMAIL_OTP");
    let signed_in = w
        .answer(
            ChallengeNameType::EmailOtp,
            challenged.session().unwrap(),
            "EMAIL_OTP_CODE",
            &code,
        )
        .await
        .unwrap();
    let access = signed_in
        .authentication_result()
        .unwrap()
        .access_token()
        .unwrap();
    let own = w
        .cip
        .get_user_auth_factors()
        .access_token(access)
        .send()
        .await
        .unwrap();
    assert_eq!(
        own.configured_user_auth_factors(),
        after.configured_user_auth_factors()
    );
}
