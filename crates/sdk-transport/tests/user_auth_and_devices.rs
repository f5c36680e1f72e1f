//! cognito-flows' choice-based sign-in and remembered devices through the
//! AWS SDK transport against mock-cognito: EMAIL_OTP and a chosen
//! PASSWORD_SRP, a device confirmed and remembered, then proven with device
//! SRP on the next sign-in (skipping the pool's MFA), and a wrong device
//! secret refused.

use std::sync::Arc;

use aws_sdk_cognitoidentityprovider::types::{
    AttributeType, AuthFactorType, DeviceConfigurationType, ExplicitAuthFlowsType,
    MessageActionType, SignInPolicyType, SoftwareTokenMfaConfigType, UserPoolMfaType,
    UserPoolPolicyType,
};
use cognito_flows::secret::Password;
use cognito_flows::srp::DeviceSecret;
use cognito_flows::transport::ChallengeName;
use cognito_flows::*;
use mock_cognito::MockCognito;
use sdk_transport::{SdkUserPool, Transports};

const PASSWORD: &str = "Carol-Passw0rd!";

struct World {
    mock: MockCognito,
    transports: Transports,
    admin: aws_sdk_cognitoidentityprovider::Client,
    pool: UserPoolId,
    client: ClientId,
}

/// A pool with choice-based sign-in (PASSWORD, EMAIL_OTP), optional TOTP
/// MFA and devices remembered on the user's say-so; carol has a password
/// and a verified email.
async fn world() -> World {
    let mock = MockCognito::start().await.unwrap();
    let config = aws_sdk_cognitoidentityprovider::config::Builder::new()
        .behavior_version(aws_sdk_cognitoidentityprovider::config::BehaviorVersion::latest())
        .region(aws_sdk_cognitoidentityprovider::config::Region::new(
            "us-east-1",
        ))
        .endpoint_url(mock.endpoint())
        .credentials_provider(aws_credential_types::Credentials::for_tests())
        .build();
    let admin = aws_sdk_cognitoidentityprovider::Client::from_conf(config);
    let policy = SignInPolicyType::builder()
        .allowed_first_auth_factors(AuthFactorType::Password)
        .allowed_first_auth_factors(AuthFactorType::EmailOtp)
        .build();
    let pool = admin
        .create_user_pool()
        .pool_name("flows")
        .policies(UserPoolPolicyType::builder().sign_in_policy(policy).build())
        .device_configuration(
            DeviceConfigurationType::builder()
                .challenge_required_on_new_device(true)
                .device_only_remembered_on_user_prompt(true)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let pool = pool.user_pool().unwrap().id().unwrap().to_owned();
    let client = admin
        .create_user_pool_client()
        .user_pool_id(&pool)
        .client_name("flows")
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserSrpAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
        .send()
        .await
        .unwrap();
    let client = client
        .user_pool_client()
        .unwrap()
        .client_id()
        .unwrap()
        .to_owned();
    let attribute = |n: &str, v: &str| AttributeType::builder().name(n).value(v).build().unwrap();
    admin
        .admin_create_user()
        .user_pool_id(&pool)
        .username("carol")
        .user_attributes(attribute("email", "carol@example.com"))
        .user_attributes(attribute("email_verified", "true"))
        .message_action(MessageActionType::Suppress)
        .send()
        .await
        .unwrap();
    admin
        .admin_set_user_password()
        .user_pool_id(&pool)
        .username("carol")
        .password(PASSWORD)
        .permanent(true)
        .send()
        .await
        .unwrap();
    let transports = Transports::builder()
        .region("us-east-1")
        .endpoint_url(mock.endpoint())
        .build()
        .await;
    World {
        pool: UserPoolId::parse(&pool).unwrap(),
        client: ClientId::parse(&client).unwrap(),
        mock,
        transports,
        admin,
    }
}

impl World {
    fn users(&self) -> UserPoolClient<Arc<SdkUserPool>> {
        let clock = self.mock.clock().clone();
        UserPoolClient::new(
            self.transports.user_pool(),
            self.pool.clone(),
            self.client.clone(),
        )
        .with_clock(Clock(Arc::new(move || clock.now())))
    }

    fn outbox_code(&self, purpose: &str) -> String {
        self.mock
            .verification_codes(Some(self.pool.as_str()), Some("carol"))
            .into_iter()
            .rev()
            .find(|c| c.purpose == purpose)
            .unwrap()
            .code
    }

    fn claim(&self, token: &str, name: &str) -> serde_json::Value {
        cognito_flows::wire::jwt::claims_unverified(token).unwrap()[name].clone()
    }
}

/// Answers from a script: a factor, the password, a code.
struct Scripted {
    factor: FirstFactor,
    code: Option<String>,
    offered: Vec<ChallengeName>,
}

impl ChallengeAnswers for Scripted {
    async fn new_password(
        &mut self,
        _: &[String],
    ) -> Result<(Password, Vec<(String, String)>), FlowError> {
        Err(FlowError::invalid_input("no new password here"))
    }

    async fn mfa_code(&mut self, _: &ChallengeName, _: Option<&str>) -> Result<String, FlowError> {
        self.code
            .take()
            .ok_or_else(|| FlowError::invalid_input("no code"))
    }

    async fn first_factor(
        &mut self,
        available: &[ChallengeName],
    ) -> Result<FirstFactor, FlowError> {
        self.offered = available.to_vec();
        Ok(self.factor)
    }

    async fn password(&mut self) -> Result<Password, FlowError> {
        Ok(Password::new(PASSWORD))
    }
}

fn signed_in(result: SignInResult) -> UserPoolTokens {
    match result {
        SignInResult::SignedIn(tokens) => tokens,
        other => panic!("not signed in: {other:?}"),
    }
}

#[tokio::test]
async fn email_otp_and_a_chosen_password_srp_sign_in() {
    let w = world().await;
    let users = w.users();
    let first = users
        .sign_in_user_auth("carol", Some(FirstFactor::EmailOtp), None)
        .await
        .unwrap();
    let SignInResult::NextStep(NextStep::EmailOtp {
        challenge,
        destination,
    }) = first
    else {
        panic!("{first:?}")
    };
    assert!(destination.is_some_and(|d| d != "carol@example.com"));
    let wrong = users.respond_mfa(&challenge, "000000").await;
    if w.outbox_code("EMAIL_OTP") != "000000" {
        assert!(
            matches!(&wrong, Err(FlowError::Service { code, .. }) if code == "CodeMismatchException"),
            "{wrong:?}"
        );
    }
    let tokens = signed_in(
        users
            .respond_mfa(&challenge, &w.outbox_code("EMAIL_OTP"))
            .await
            .unwrap(),
    );
    assert_eq!(
        w.claim(tokens.id_token.expose_secret(), "email"),
        "carol@example.com"
    );

    // No preference: the pool offers a choice; the answerer picks SRP.
    let first = users.sign_in_user_auth("carol", None, None).await.unwrap();
    assert_eq!(
        match &first {
            SignInResult::NextStep(step) => step.available_factors(),
            _ => Vec::new(),
        },
        [
            FirstFactor::Password,
            FirstFactor::PasswordSrp,
            FirstFactor::EmailOtp
        ]
    );
    let mut answers = Scripted {
        factor: FirstFactor::PasswordSrp,
        code: None,
        offered: Vec::new(),
    };
    let tokens = users.finish_sign_in(first, &mut answers).await.unwrap();
    assert_eq!(answers.offered.len(), 3);
    assert_eq!(tokens.username.as_deref(), Some("carol"));
}

#[tokio::test]
async fn a_remembered_device_signs_in_with_device_srp_and_skips_mfa() {
    let w = world().await;
    let users = w.users();
    let tokens = signed_in(
        users
            .sign_in_srp("carol", &Password::new(PASSWORD))
            .await
            .unwrap(),
    );
    let new = tokens.new_device.clone().expect("a new device");
    let secret = users
        .remember_device(&tokens, Some("cogkit test"))
        .await
        .unwrap()
        .expect("a device secret");
    assert_eq!(secret.device_key(), new.device_key);
    let device = w
        .admin
        .admin_get_device()
        .user_pool_id(w.pool.as_str())
        .username("carol")
        .device_key(&new.device_key)
        .send()
        .await
        .unwrap();
    let attributes = device.device().unwrap().device_attributes();
    let status = attributes
        .iter()
        .find(|a| a.name() == "dev:device_remembered_status")
        .and_then(|a| a.value());
    assert_eq!(status, Some("remembered"));

    // MFA on: a remembered device skips it.
    w.admin
        .set_user_pool_mfa_config()
        .user_pool_id(w.pool.as_str())
        .mfa_configuration(UserPoolMfaType::On)
        .software_token_mfa_configuration(
            SoftwareTokenMfaConfigType::builder().enabled(true).build(),
        )
        .send()
        .await
        .unwrap();
    let on_device = w.users().with_device(secret.clone());
    let first = on_device
        .sign_in_srp("carol", &Password::new(PASSWORD))
        .await
        .unwrap();
    assert!(
        matches!(
            &first,
            SignInResult::NextStep(NextStep::DeviceSrpAuth { .. })
        ),
        "{first:?}"
    );
    let mut nobody = Scripted {
        factor: FirstFactor::Password,
        code: None,
        offered: Vec::new(),
    };
    let again = on_device.finish_sign_in(first, &mut nobody).await.unwrap();
    assert_eq!(
        w.claim(again.access_token.expose_secret(), "device_key"),
        new.device_key.as_str()
    );
    assert!(again.new_device.is_none());

    // The same device key with another password is refused.
    let forged = DeviceSecret::from_parts(
        secret.device_group_key(),
        secret.device_key(),
        cognito_flows::srp::Password::new("not-the-device-password"),
        &secret.salt_hex(),
    )
    .unwrap();
    let impostor = w.users().with_device(forged);
    let first = impostor
        .sign_in_srp("carol", &Password::new(PASSWORD))
        .await
        .unwrap();
    let refused = impostor.finish_sign_in(first, &mut nobody).await;
    assert!(
        matches!(&refused, Err(FlowError::Service { code, .. }) if code == "NotAuthorizedException"),
        "{refused:?}"
    );
}
