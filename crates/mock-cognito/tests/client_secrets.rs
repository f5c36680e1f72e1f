//! App-client secret rotation through the official SDK: a second secret
//! added, both accepted (SECRET_HASH and the token endpoint) while both
//! exist, the old one deleted and then refused, and the limits AWS sets.

mod common;

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::types::{AuthFlowType, ExplicitAuthFlowsType};
use mock_cognito::MockCognito;

struct World {
    _mock: MockCognito,
    cip: Client,
    pool_id: String,
    client_id: String,
    first_secret: String,
}

async fn world() -> World {
    let mock = MockCognito::start().await.unwrap();
    let cip = common::user_pool_client(&mock.endpoint());
    let pool_id = cip
        .create_user_pool()
        .pool_name("rotation")
        .send()
        .await
        .unwrap()
        .user_pool()
        .unwrap()
        .id()
        .unwrap()
        .to_owned();
    let client = cip
        .create_user_pool_client()
        .user_pool_id(&pool_id)
        .client_name("server")
        .generate_secret(true)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
        .send()
        .await
        .unwrap();
    let client = client.user_pool_client().unwrap();
    cip.admin_create_user()
        .user_pool_id(&pool_id)
        .username("rui")
        .message_action("SUPPRESS".into())
        .send()
        .await
        .unwrap();
    cip.admin_set_user_password()
        .user_pool_id(&pool_id)
        .username("rui")
        .password("Rui-Passw0rd!")
        .permanent(true)
        .send()
        .await
        .unwrap();
    World {
        _mock: mock,
        cip,
        pool_id,
        client_id: client.client_id().unwrap().to_owned(),
        first_secret: client.client_secret().unwrap().to_owned(),
    }
}

impl World {
    /// USER_PASSWORD_AUTH with a SECRET_HASH made from `secret`.
    async fn sign_in_with(&self, secret: &str) -> Result<(), String> {
        self.cip
            .initiate_auth()
            .client_id(&self.client_id)
            .auth_flow(AuthFlowType::UserPasswordAuth)
            .auth_parameters("USERNAME", "rui")
            .auth_parameters("PASSWORD", "Rui-Passw0rd!")
            .auth_parameters(
                "SECRET_HASH",
                cognito_srp::secret_hash("rui", &self.client_id, secret),
            )
            .send()
            .await
            .map(|_| ())
            .map_err(|e| common::sdk_error(e).0)
    }

    async fn secret_ids(&self) -> Vec<String> {
        self.cip
            .list_user_pool_client_secrets()
            .user_pool_id(&self.pool_id)
            .client_id(&self.client_id)
            .send()
            .await
            .unwrap()
            .client_secrets()
            .iter()
            .map(|s| {
                assert!(
                    s.client_secret_value().is_none(),
                    "a listing shows no secret"
                );
                s.client_secret_id().unwrap().to_owned()
            })
            .collect()
    }
}

#[tokio::test]
async fn a_second_secret_works_beside_the_first_until_the_first_is_deleted() {
    let w = world().await;
    let first_id = w.secret_ids().await;
    assert_eq!(first_id.len(), 1);
    let added = w
        .cip
        .add_user_pool_client_secret()
        .user_pool_id(&w.pool_id)
        .client_id(&w.client_id)
        .send()
        .await
        .unwrap();
    let descriptor = added.client_secret_descriptor().unwrap();
    let second = descriptor.client_secret_value().unwrap().to_owned();
    assert!(descriptor.client_secret_create_date().is_some());
    assert_ne!(second, w.first_secret);

    w.sign_in_with(&w.first_secret).await.unwrap();
    w.sign_in_with(&second).await.unwrap();
    // A third is over the limit.
    let third = w
        .cip
        .add_user_pool_client_secret()
        .user_pool_id(&w.pool_id)
        .client_id(&w.client_id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(common::sdk_error(third).0, "LimitExceededException");

    w.cip
        .delete_user_pool_client_secret()
        .user_pool_id(&w.pool_id)
        .client_id(&w.client_id)
        .client_secret_id(&first_id[0])
        .send()
        .await
        .unwrap();
    assert_eq!(
        w.sign_in_with(&w.first_secret).await.unwrap_err(),
        "NotAuthorizedException"
    );
    w.sign_in_with(&second).await.unwrap();
    // DescribeUserPoolClient now shows the remaining one.
    let described = w
        .cip
        .describe_user_pool_client()
        .user_pool_id(&w.pool_id)
        .client_id(&w.client_id)
        .send()
        .await
        .unwrap();
    assert_eq!(
        described.user_pool_client().unwrap().client_secret(),
        Some(second.as_str())
    );
    // The last one cannot go.
    let last = w.secret_ids().await;
    let refused = w
        .cip
        .delete_user_pool_client_secret()
        .user_pool_id(&w.pool_id)
        .client_id(&w.client_id)
        .client_secret_id(&last[0])
        .send()
        .await
        .unwrap_err();
    assert_eq!(common::sdk_error(refused).0, "InvalidParameterException");
}

#[tokio::test]
async fn a_chosen_secret_is_not_echoed_and_a_public_client_gets_none() {
    let w = world().await;
    let chosen = "chosen0secret0value0abcdefghijklmnop";
    let added = w
        .cip
        .add_user_pool_client_secret()
        .user_pool_id(&w.pool_id)
        .client_id(&w.client_id)
        .client_secret(chosen)
        .send()
        .await
        .unwrap();
    assert!(
        added
            .client_secret_descriptor()
            .unwrap()
            .client_secret_value()
            .is_none()
    );
    w.sign_in_with(chosen).await.unwrap();

    let public = w
        .cip
        .create_user_pool_client()
        .user_pool_id(&w.pool_id)
        .client_name("browser")
        .send()
        .await
        .unwrap();
    let refused = w
        .cip
        .add_user_pool_client_secret()
        .user_pool_id(&w.pool_id)
        .client_id(public.user_pool_client().unwrap().client_id().unwrap())
        .send()
        .await
        .unwrap_err();
    assert_eq!(common::sdk_error(refused).0, "InvalidParameterException");
}
