//! Remembered devices through the official SDK, with the client side of
//! device SRP from `cognito-srp`: a sign-in is issued a device, the client
//! confirms it with its own verifier, later sign-ins prove it with
//! DEVICE_SRP_AUTH (a wrong device secret refused, an unknown device
//! answered so clients retry without it), a remembered device skips the
//! second factor, and forgetting a device ends its sessions.

mod common;

use std::collections::HashMap;

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::operation::respond_to_auth_challenge::RespondToAuthChallengeOutput;
use aws_sdk_cognitoidentityprovider::types::{
    AttributeType, AuthFlowType, AuthenticationResultType, ChallengeNameType,
    DeviceConfigurationType, DeviceRememberedStatusType, DeviceSecretVerifierConfigType,
    EmailMfaConfigType, EmailMfaSettingsType, ExplicitAuthFlowsType, UserPoolMfaType,
};
use cognito_srp::{
    CognitoTimestamp, DeviceSecret, Password, PasswordVerifierChallenge, PoolName, SrpClient,
};
use mock_cognito::MockCognito;
use serde_json::Value;

const PASSWORD: &str = "Dev1ce-Passw0rd!";

struct World {
    mock: MockCognito,
    cip: Client,
    pool_id: String,
    client_id: String,
}

fn rng() -> rand_core::UnwrapErr<getrandom::SysRng> {
    rand_core::UnwrapErr(getrandom::SysRng)
}

async fn world(remember_on_prompt: bool) -> World {
    let mock = MockCognito::start().await.unwrap();
    let cip = common::user_pool_client(&mock.endpoint());
    let pool = cip
        .create_user_pool()
        .pool_name("devices")
        .device_configuration(
            DeviceConfigurationType::builder()
                .challenge_required_on_new_device(true)
                .device_only_remembered_on_user_prompt(remember_on_prompt)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let pool_id = pool.user_pool().unwrap().id().unwrap().to_owned();
    let client = cip
        .create_user_pool_client()
        .user_pool_id(&pool_id)
        .client_name("app")
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
    cip.admin_create_user()
        .user_pool_id(&pool_id)
        .username("dana")
        .user_attributes(
            AttributeType::builder()
                .name("email")
                .value("dana@example.com")
                .build()
                .unwrap(),
        )
        .message_action(aws_sdk_cognitoidentityprovider::types::MessageActionType::Suppress)
        .send()
        .await
        .unwrap();
    cip.admin_set_user_password()
        .user_pool_id(&pool_id)
        .username("dana")
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

impl World {
    fn now(&self) -> CognitoTimestamp {
        CognitoTimestamp::from_system_time(self.mock.clock().now()).unwrap()
    }

    /// USER_SRP_AUTH up to the PASSWORD_VERIFIER answer, naming `device`.
    async fn password_verifier(
        &self,
        device: Option<&str>,
    ) -> Result<RespondToAuthChallengeOutput, (String, String)> {
        let responses = self.password_responses(device).await;
        self.respond(ChallengeNameType::PasswordVerifier, responses, None)
            .await
    }

    async fn password_responses(&self, device: Option<&str>) -> HashMap<String, String> {
        let srp = SrpClient::new(&mut rng());
        let mut init = self
            .cip
            .initiate_auth()
            .auth_flow(AuthFlowType::UserSrpAuth)
            .client_id(&self.client_id)
            .auth_parameters("USERNAME", "dana")
            .auth_parameters("SRP_A", srp.srp_a());
        if let Some(key) = device {
            init = init.auth_parameters("DEVICE_KEY", key);
        }
        let out = init.send().await.unwrap();
        let challenge =
            PasswordVerifierChallenge::from_parameters(out.challenge_parameters().unwrap())
                .unwrap();
        let pool = PoolName::from_user_pool_id(&self.pool_id).unwrap();
        let mut responses = srp
            .answer_password_verifier(&pool, &challenge, &Password::new(PASSWORD), self.now())
            .unwrap()
            .challenge_responses(None);
        if let Some(key) = device {
            responses.insert("DEVICE_KEY".to_owned(), key.to_owned());
        }
        responses
    }

    async fn respond(
        &self,
        name: ChallengeNameType,
        responses: HashMap<String, String>,
        session: Option<&str>,
    ) -> Result<RespondToAuthChallengeOutput, (String, String)> {
        self.cip
            .respond_to_auth_challenge()
            .client_id(&self.client_id)
            .challenge_name(name)
            .set_challenge_responses(Some(responses))
            .set_session(session.map(str::to_owned))
            .send()
            .await
            .map_err(common::sdk_error)
    }

    /// A whole sign-in on a remembered or tracked device: the password,
    /// then DEVICE_SRP_AUTH and DEVICE_PASSWORD_VERIFIER with `secret`.
    async fn sign_in_on_device(
        &self,
        secret: &DeviceSecret,
    ) -> Result<RespondToAuthChallengeOutput, (String, String)> {
        let after_password = self.password_verifier(Some(secret.device_key())).await?;
        assert_eq!(
            after_password.challenge_name(),
            Some(&ChallengeNameType::DeviceSrpAuth)
        );
        let device_srp = SrpClient::new(&mut rng());
        let responses = HashMap::from([
            ("USERNAME".to_owned(), "dana".to_owned()),
            ("DEVICE_KEY".to_owned(), secret.device_key().to_owned()),
            ("SRP_A".to_owned(), device_srp.srp_a()),
        ]);
        let verifier = self
            .respond(
                ChallengeNameType::DeviceSrpAuth,
                responses,
                after_password.session(),
            )
            .await?;
        assert_eq!(
            verifier.challenge_name(),
            Some(&ChallengeNameType::DevicePasswordVerifier)
        );
        let params = verifier.challenge_parameters().unwrap();
        let answer = secret
            .answer_device_password_verifier(&device_srp, params, &params["USERNAME"], self.now())
            .unwrap();
        self.respond(
            ChallengeNameType::DevicePasswordVerifier,
            answer,
            verifier.session(),
        )
        .await
    }

    async fn claims(&self, token: &str) -> Value {
        common::verify_jwt(self.mock.addr(), &self.pool_id, token, None)
            .await
            .unwrap()
    }

    /// Signs in and confirms the device issued: its secret and tokens.
    async fn confirmed_device(&self) -> (DeviceSecret, AuthenticationResultType) {
        let first = self.password_verifier(None).await.unwrap();
        let result = first.authentication_result().unwrap().clone();
        let issued = result.new_device_metadata().expect("a new device").clone();
        let key = issued.device_key().unwrap();
        let secret =
            DeviceSecret::generate(&mut rng(), issued.device_group_key().unwrap(), key).unwrap();
        let config = secret.verifier_config();
        let confirmed = self
            .cip
            .confirm_device()
            .access_token(result.access_token().unwrap())
            .device_key(key)
            .device_name("dana's laptop")
            .device_secret_verifier_config(
                DeviceSecretVerifierConfigType::builder()
                    .salt(config.salt)
                    .password_verifier(config.password_verifier)
                    .build(),
            )
            .send()
            .await
            .unwrap();
        assert!(!confirmed.user_confirmation_necessary());
        (secret, result)
    }
}

#[tokio::test]
async fn a_device_is_issued_confirmed_proven_and_forgotten() {
    let w = world(false).await;
    let (secret, first) = w.confirmed_device().await;
    let key = secret.device_key().to_owned();
    let access = w.claims(first.access_token().unwrap()).await;
    assert_eq!(access["device_key"], key.as_str());
    assert!(key.starts_with("us-east-1_"), "{key}");

    let listed = w
        .cip
        .list_devices()
        .access_token(first.access_token().unwrap())
        .send()
        .await
        .unwrap();
    let devices = listed.devices();
    assert_eq!(devices.len(), 1);
    let attributes: HashMap<&str, &str> = devices[0]
        .device_attributes()
        .iter()
        .map(|a| (a.name(), a.value().unwrap_or_default()))
        .collect();
    assert_eq!(attributes["device_name"], "dana's laptop");
    assert_eq!(attributes["dev:device_remembered_status"], "remembered");

    // The device proven: tokens bound to it, no new device issued.
    let signed_in = w.sign_in_on_device(&secret).await.unwrap();
    let result = signed_in.authentication_result().unwrap();
    assert!(result.new_device_metadata().is_none());
    let access = w.claims(result.access_token().unwrap()).await;
    assert_eq!(access["device_key"], key.as_str());
    let got = w
        .cip
        .admin_get_device()
        .user_pool_id(&w.pool_id)
        .username("dana")
        .device_key(&key)
        .send()
        .await
        .unwrap();
    assert!(
        got.device()
            .unwrap()
            .device_last_authenticated_date()
            .is_some()
    );

    // A wrong device secret is refused.
    let impostor = DeviceSecret::generate(&mut rng(), "-other", &key).unwrap();
    let group = first
        .new_device_metadata()
        .unwrap()
        .device_group_key()
        .unwrap()
        .to_owned();
    let wrong_password = DeviceSecret::from_parts(
        &group,
        &key,
        impostor.password().clone(),
        &secret_salt_hex(&secret),
    )
    .unwrap();
    let (code, _) = w.sign_in_on_device(&wrong_password).await.unwrap_err();
    assert_eq!(code, "NotAuthorizedException");

    // An unknown device is answered before the secret block is spent, so
    // the client can answer again without it.
    let responses = w.password_responses(Some("us-east-1_unknown")).await;
    let (code, message) = w
        .respond(ChallengeNameType::PasswordVerifier, responses.clone(), None)
        .await
        .unwrap_err();
    assert_eq!(code, "ResourceNotFoundException");
    assert!(message.to_lowercase().contains("device"), "{message}");
    let mut without = responses;
    without.remove("DEVICE_KEY");
    let retried = w
        .respond(ChallengeNameType::PasswordVerifier, without, None)
        .await
        .unwrap();
    assert!(retried.authentication_result().is_some());

    // The refresh token is bound to its device: refreshing with another
    // device's key is refused, with its own (or none) it works.
    let refresh = result.refresh_token().unwrap().to_owned();
    let refresh_on = |device: Option<&str>| {
        let mut call = w
            .cip
            .initiate_auth()
            .auth_flow(AuthFlowType::RefreshTokenAuth)
            .client_id(&w.client_id)
            .auth_parameters("REFRESH_TOKEN", &refresh);
        if let Some(device) = device {
            call = call.auth_parameters("DEVICE_KEY", device);
        }
        async move { call.send().await.map_err(common::sdk_error) }
    };
    let other_device = "us-east-1_00000000-0000-4000-8000-000000000000";
    assert_eq!(
        refresh_on(Some(other_device)).await.unwrap_err().0,
        "NotAuthorizedException"
    );
    let renewed = refresh_on(Some(&key)).await.unwrap();
    let access = w
        .claims(
            renewed
                .authentication_result()
                .unwrap()
                .access_token()
                .unwrap(),
        )
        .await;
    assert_eq!(access["device_key"], key.as_str());
    assert!(refresh_on(None).await.is_ok());

    // Forgetting the device ends what was signed in on it.
    w.cip
        .forget_device()
        .access_token(first.access_token().unwrap())
        .device_key(&key)
        .send()
        .await
        .unwrap();
    let refreshed = w
        .cip
        .initiate_auth()
        .auth_flow(AuthFlowType::RefreshTokenAuth)
        .client_id(&w.client_id)
        .auth_parameters("REFRESH_TOKEN", refresh)
        .send()
        .await;
    assert_eq!(
        common::sdk_error(refreshed.unwrap_err()).0,
        "NotAuthorizedException"
    );
    let (code, _) = w.password_verifier(Some(&key)).await.unwrap_err();
    assert_eq!(code, "ResourceNotFoundException");
    let left = w
        .cip
        .admin_list_devices()
        .user_pool_id(&w.pool_id)
        .username("dana")
        .send()
        .await
        .unwrap();
    assert!(left.devices().is_empty());
}

/// The salt a secret's verifier was made with, as hex (from its config).
fn secret_salt_hex(secret: &DeviceSecret) -> String {
    use base64::Engine;
    let salt = base64::engine::general_purpose::STANDARD
        .decode(secret.verifier_config().salt)
        .unwrap();
    cognito_srp::encode_hex(&salt)
}

#[tokio::test]
async fn a_remembered_device_skips_the_second_factor() {
    let w = world(true).await;
    w.cip
        .set_user_pool_mfa_config()
        .user_pool_id(&w.pool_id)
        .mfa_configuration(UserPoolMfaType::On)
        .email_mfa_configuration(
            EmailMfaConfigType::builder()
                .message("Your code is {####}")
                .subject("Sign-in code")
                .build(),
        )
        .send()
        .await
        .unwrap();
    w.cip
        .admin_set_user_mfa_preference()
        .user_pool_id(&w.pool_id)
        .username("dana")
        .email_mfa_settings(
            EmailMfaSettingsType::builder()
                .enabled(true)
                .preferred_mfa(true)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let code = |w: &World| {
        w.mock
            .verification_codes(Some(&w.pool_id), Some("dana"))
            .into_iter()
            .rev()
            .find(|c| c.purpose == "EMAIL_OTP")
            .expect("an EMAIL_OTP code")
            .code
    };
    let email_otp = |session: Option<String>, otp: String| {
        let responses = HashMap::from([
            ("USERNAME".to_owned(), "dana".to_owned()),
            ("EMAIL_OTP_CODE".to_owned(), otp),
        ]);
        (responses, session)
    };

    // First sign-in: the password, the emailed code, then a new device,
    // confirmed; with DeviceOnlyRememberedOnUserPrompt it is not
    // remembered until the user says so.
    let challenged = w.password_verifier(None).await.unwrap();
    assert_eq!(
        challenged.challenge_name(),
        Some(&ChallengeNameType::EmailOtp)
    );
    let (responses, session) = email_otp(challenged.session().map(str::to_owned), code(&w));
    let passed = w
        .respond(ChallengeNameType::EmailOtp, responses, session.as_deref())
        .await
        .unwrap();
    let result = passed.authentication_result().unwrap().clone();
    let issued = result.new_device_metadata().unwrap().clone();
    let key = issued.device_key().unwrap().to_owned();
    let secret =
        DeviceSecret::generate(&mut rng(), issued.device_group_key().unwrap(), &key).unwrap();
    let config = secret.verifier_config();
    let confirmed = w
        .cip
        .confirm_device()
        .access_token(result.access_token().unwrap())
        .device_key(&key)
        .device_secret_verifier_config(
            DeviceSecretVerifierConfigType::builder()
                .salt(config.salt)
                .password_verifier(config.password_verifier)
                .build(),
        )
        .send()
        .await
        .unwrap();
    assert!(confirmed.user_confirmation_necessary());

    // Not remembered: the device is proven, and the code is still asked;
    // the tokens are bound to the device.
    let (code_name, session) = {
        let after_password = w.password_verifier(Some(&key)).await.unwrap();
        let device_srp = SrpClient::new(&mut rng());
        let verifier = w
            .respond(
                ChallengeNameType::DeviceSrpAuth,
                HashMap::from([
                    ("USERNAME".to_owned(), "dana".to_owned()),
                    ("DEVICE_KEY".to_owned(), key.clone()),
                    ("SRP_A".to_owned(), device_srp.srp_a()),
                ]),
                after_password.session(),
            )
            .await
            .unwrap();
        let params = verifier.challenge_parameters().unwrap();
        let answer = secret
            .answer_device_password_verifier(&device_srp, params, "dana", w.now())
            .unwrap();
        let out = w
            .respond(
                ChallengeNameType::DevicePasswordVerifier,
                answer,
                verifier.session(),
            )
            .await
            .unwrap();
        (
            out.challenge_name().cloned(),
            out.session().map(str::to_owned),
        )
    };
    assert_eq!(code_name, Some(ChallengeNameType::EmailOtp));
    let (responses, session) = email_otp(session, code(&w));
    let passed = w
        .respond(ChallengeNameType::EmailOtp, responses, session.as_deref())
        .await
        .unwrap();
    let result = passed.authentication_result().unwrap();
    assert!(result.new_device_metadata().is_none());
    let access = w.claims(result.access_token().unwrap()).await;
    assert_eq!(access["device_key"], key.as_str());

    // Remembered: the device proof is enough.
    w.cip
        .update_device_status()
        .access_token(result.access_token().unwrap())
        .device_key(&key)
        .device_remembered_status(DeviceRememberedStatusType::Remembered)
        .send()
        .await
        .unwrap();
    let remembered = w.sign_in_on_device(&secret).await.unwrap();
    assert!(
        remembered.authentication_result().is_some(),
        "no second factor asked"
    );

    // An administrator forgets it again: the code is asked once more.
    w.cip
        .admin_update_device_status()
        .user_pool_id(&w.pool_id)
        .username("dana")
        .device_key(&key)
        .device_remembered_status(DeviceRememberedStatusType::NotRemembered)
        .send()
        .await
        .unwrap();
    let asked = w.sign_in_on_device(&secret).await.unwrap();
    assert_eq!(asked.challenge_name(), Some(&ChallengeNameType::EmailOtp));
    w.cip
        .admin_forget_device()
        .user_pool_id(&w.pool_id)
        .username("dana")
        .device_key(&key)
        .send()
        .await
        .unwrap();
    let gone = w
        .cip
        .admin_get_device()
        .user_pool_id(&w.pool_id)
        .username("dana")
        .device_key(&key)
        .send()
        .await;
    assert_eq!(
        common::sdk_error(gone.unwrap_err()).0,
        "ResourceNotFoundException"
    );
}
