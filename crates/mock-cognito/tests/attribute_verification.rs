//! Changing and verifying a user's email through the official SDK client:
//! the code sent to the new address, VerifyUserAttribute,
//! GetUserAttributeVerificationCode, UserAttributeUpdateSettings keeping the
//! verified address until the new one is verified, and password reset only
//! to a verified address.

mod common;

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::types::{
    AttributeType, AuthFlowType, ExplicitAuthFlowsType, UserAttributeUpdateSettingsType,
    VerifiedAttributeType,
};
use mock_cognito::MockCognito;

const PASSWORD: &str = "Corr3ct-Horse!";

struct World {
    mock: MockCognito,
    cip: Client,
    pool_id: String,
    client_id: String,
}

fn attribute(name: &str, value: &str) -> AttributeType {
    AttributeType::builder()
        .name(name)
        .value(value)
        .build()
        .unwrap()
}

/// A pool that verifies email (optionally keeping the verified address
/// until a new one is verified) and alice, whose email is verified.
async fn world(keep_until_verified: bool) -> World {
    let mock = MockCognito::start().await.unwrap();
    let cip = common::user_pool_client(&mock.endpoint());
    let mut pool = cip
        .create_user_pool()
        .pool_name("verify")
        .auto_verified_attributes(VerifiedAttributeType::Email);
    if keep_until_verified {
        pool = pool.user_attribute_update_settings(
            UserAttributeUpdateSettingsType::builder()
                .attributes_require_verification_before_update(VerifiedAttributeType::Email)
                .build(),
        );
    }
    let pool_id = pool
        .send()
        .await
        .unwrap()
        .user_pool()
        .unwrap()
        .id()
        .unwrap()
        .to_owned();
    let client_id = cip
        .create_user_pool_client()
        .user_pool_id(&pool_id)
        .client_name("app")
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
        .send()
        .await
        .unwrap()
        .user_pool_client()
        .unwrap()
        .client_id()
        .unwrap()
        .to_owned();
    let attributes = [("email", "alice@example.com"), ("email_verified", "true")];
    common::confirmed_user(&cip, &pool_id, "alice", &attributes, PASSWORD).await;
    World {
        mock,
        cip,
        pool_id,
        client_id,
    }
}

impl World {
    async fn access_token(&self) -> String {
        self.cip
            .initiate_auth()
            .auth_flow(AuthFlowType::UserPasswordAuth)
            .client_id(&self.client_id)
            .auth_parameters("USERNAME", "alice")
            .auth_parameters("PASSWORD", PASSWORD)
            .send()
            .await
            .unwrap()
            .authentication_result()
            .unwrap()
            .access_token()
            .unwrap()
            .to_owned()
    }

    /// alice's attributes as GetUser shows them.
    async fn attributes(&self, access: &str) -> std::collections::BTreeMap<String, String> {
        let user = self
            .cip
            .get_user()
            .access_token(access)
            .send()
            .await
            .unwrap();
        user.user_attributes()
            .iter()
            .map(|a| {
                (
                    a.name().to_owned(),
                    a.value().unwrap_or_default().to_owned(),
                )
            })
            .collect()
    }

    /// The last VERIFY_EMAIL code in the outbox, and where it went.
    fn verify_code(&self) -> (String, String) {
        let record = self
            .mock
            .verification_codes(Some(&self.pool_id), Some("alice"))
            .into_iter()
            .rev()
            .find(|c| c.purpose == "VERIFY_EMAIL")
            .expect("a VERIFY_EMAIL code in the outbox");
        (record.code, record.destination)
    }

    async fn verify(&self, access: &str, code: &str) -> Result<(), (String, String)> {
        self.cip
            .verify_user_attribute()
            .access_token(access)
            .attribute_name("email")
            .code(code)
            .send()
            .await
            .map(|_| ())
            .map_err(common::sdk_error)
    }
}

#[tokio::test]
async fn a_changed_email_is_unverified_until_its_code_is_entered() {
    let w = world(false).await;
    let access = w.access_token().await;
    let updated = w
        .cip
        .update_user_attributes()
        .access_token(&access)
        .user_attributes(attribute("email", "alice@new.example"))
        .send()
        .await
        .unwrap();
    let sent = updated.code_delivery_details_list();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].attribute_name(), Some("email"));
    assert_eq!(sent[0].destination(), Some("a***@n***"));

    let attributes = w.attributes(&access).await;
    assert_eq!(attributes["email"], "alice@new.example");
    assert_eq!(
        attributes["email_verified"], "false",
        "set false, not dropped"
    );

    let (code, destination) = w.verify_code();
    assert_eq!(destination, "alice@new.example");
    let wrong = if code == "000000" { "111111" } else { "000000" };
    assert_eq!(
        w.verify(&access, wrong).await.unwrap_err().0,
        "CodeMismatchException"
    );
    w.verify(&access, &code).await.unwrap();
    assert_eq!(w.attributes(&access).await["email_verified"], "true");
    // Spent.
    assert!(w.verify(&access, &code).await.is_err());
}

#[tokio::test]
async fn update_settings_keep_the_verified_email_until_the_new_one_is_verified() {
    let w = world(true).await;
    let access = w.access_token().await;
    w.cip
        .update_user_attributes()
        .access_token(&access)
        .user_attributes(attribute("email", "alice@new.example"))
        .send()
        .await
        .unwrap();
    let attributes = w.attributes(&access).await;
    assert_eq!(
        attributes["email"], "alice@example.com",
        "still the old one"
    );
    assert_eq!(attributes["email_verified"], "true");

    let (code, destination) = w.verify_code();
    assert_eq!(
        destination, "alice@new.example",
        "the code goes to the new one"
    );
    w.verify(&access, &code).await.unwrap();
    let attributes = w.attributes(&access).await;
    assert_eq!(attributes["email"], "alice@new.example");
    assert_eq!(attributes["email_verified"], "true");
}

#[tokio::test]
async fn password_reset_needs_a_verified_address_and_a_code_can_be_asked_for() {
    let w = world(false).await;
    // An admin sets a new email: unverified, so no reset code can go there.
    w.cip
        .admin_update_user_attributes()
        .user_pool_id(&w.pool_id)
        .username("alice")
        .user_attributes(attribute("email", "alice@other.example"))
        .send()
        .await
        .unwrap();
    let e = w
        .cip
        .forgot_password()
        .client_id(&w.client_id)
        .username("alice")
        .send()
        .await
        .map_err(common::sdk_error)
        .unwrap_err();
    assert_eq!(e.0, "InvalidParameterException");
    assert!(e.1.contains("registered/verified"), "{}", e.1);

    let access = w.access_token().await;
    let asked = w
        .cip
        .get_user_attribute_verification_code()
        .access_token(&access)
        .attribute_name("email")
        .send()
        .await
        .unwrap();
    assert_eq!(
        asked.code_delivery_details().unwrap().attribute_name(),
        Some("email")
    );
    let (code, destination) = w.verify_code();
    assert_eq!(destination, "alice@other.example");
    w.verify(&access, &code).await.unwrap();
    w.cip
        .forgot_password()
        .client_id(&w.client_id)
        .username("alice")
        .send()
        .await
        .unwrap();

    // Not an address: refused.
    let e = w
        .cip
        .get_user_attribute_verification_code()
        .access_token(&access)
        .attribute_name("name")
        .send()
        .await
        .map_err(common::sdk_error)
        .unwrap_err();
    assert_eq!(e.0, "InvalidParameterException");
}

#[tokio::test]
async fn an_admin_may_set_an_address_verified_in_the_same_update() {
    let w = world(true).await;
    w.cip
        .admin_update_user_attributes()
        .user_pool_id(&w.pool_id)
        .username("alice")
        .user_attributes(attribute("email", "alice@admin.example"))
        .user_attributes(attribute("email_verified", "true"))
        .send()
        .await
        .unwrap();
    let access = w.access_token().await;
    let attributes = w.attributes(&access).await;
    assert_eq!(attributes["email"], "alice@admin.example");
    assert_eq!(attributes["email_verified"], "true");
    assert!(
        w.mock
            .verification_codes(Some(&w.pool_id), Some("alice"))
            .iter()
            .all(|c| c.purpose != "VERIFY_EMAIL"),
        "nothing to verify, no code sent"
    );
}
