//! One mock serves every region, as separate as AWS keeps them: a signed
//! call's region is its SigV4 scope's, an unsigned call's is the one in the
//! id it names; ids, issuers and login keys follow each pool's region.

mod common;

use aws_sdk_cognitoidentity::config::Region;
use aws_sdk_cognitoidentityprovider::types::{AuthFlowType, ExplicitAuthFlowsType};
use mock_cognito::MockCognito;
use serde_json::{Value, json};

fn user_pools_in(mock: &MockCognito, region: &str) -> aws_sdk_cognitoidentityprovider::Client {
    let base = common::user_pool_client(&mock.endpoint());
    let conf = base
        .config()
        .to_builder()
        .region(Region::new(region.to_owned()))
        .build();
    aws_sdk_cognitoidentityprovider::Client::from_conf(conf)
}

fn identity_pools_in(mock: &MockCognito, region: &str) -> aws_sdk_cognitoidentity::Client {
    let base = common::identity_pool_client(&mock.endpoint());
    let conf = base
        .config()
        .to_builder()
        .region(Region::new(region.to_owned()))
        .build();
    aws_sdk_cognitoidentity::Client::from_conf(conf)
}

fn claims(jwt: &str) -> Value {
    use base64::Engine;
    let payload = jwt.split('.').nth(1).unwrap();
    serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap(),
    )
    .unwrap()
}

/// A pool with a client and a signed-in user, all in `region`: (pool id,
/// client id, ID token).
async fn pool_with_user(cip: &aws_sdk_cognitoidentityprovider::Client) -> (String, String, String) {
    let pool = cip
        .create_user_pool()
        .pool_name("regional")
        .send()
        .await
        .unwrap();
    let pool_id = pool.user_pool().unwrap().id().unwrap().to_owned();
    let client = cip
        .create_user_pool_client()
        .user_pool_id(&pool_id)
        .client_name("app")
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowAdminUserPasswordAuth)
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
        .username("alice")
        .message_action(aws_sdk_cognitoidentityprovider::types::MessageActionType::Suppress)
        .send()
        .await
        .unwrap();
    cip.admin_set_user_password()
        .user_pool_id(&pool_id)
        .username("alice")
        .password("Passw0rd!regional")
        .permanent(true)
        .send()
        .await
        .unwrap();
    let signed_in = cip
        .admin_initiate_auth()
        .user_pool_id(&pool_id)
        .client_id(&client_id)
        .auth_flow(AuthFlowType::AdminUserPasswordAuth)
        .auth_parameters("USERNAME", "alice")
        .auth_parameters("PASSWORD", "Passw0rd!regional")
        .send()
        .await
        .unwrap();
    let id_token = signed_in
        .authentication_result()
        .unwrap()
        .id_token()
        .unwrap()
        .to_owned();
    (pool_id, client_id, id_token)
}

#[tokio::test]
async fn each_client_region_gets_its_own_pools_ids_and_issuers() {
    // No region configured at all: the requests say which.
    let mock = MockCognito::start().await.unwrap();
    let tokyo = user_pools_in(&mock, "ap-northeast-1");
    let (pool_id, client_id, id_token) = pool_with_user(&tokyo).await;
    assert!(pool_id.starts_with("ap-northeast-1_"), "{pool_id}");
    let iss = format!("https://cognito-idp.ap-northeast-1.amazonaws.com/{pool_id}");
    assert_eq!(claims(&id_token)["iss"], iss.as_str());

    let tokyo_identity = identity_pools_in(&mock, "ap-northeast-1");
    let login_key = format!("cognito-idp.ap-northeast-1.amazonaws.com/{pool_id}");
    let identity_pool = tokyo_identity
        .create_identity_pool()
        .identity_pool_name("regional")
        .allow_unauthenticated_identities(true)
        .cognito_identity_providers(
            aws_sdk_cognitoidentity::types::CognitoIdentityProvider::builder()
                .provider_name(&login_key)
                .client_id(&client_id)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let identity_pool_id = identity_pool.identity_pool_id().to_owned();
    assert!(
        identity_pool_id.starts_with("ap-northeast-1:"),
        "{identity_pool_id}"
    );
    let id = tokyo_identity
        .get_id()
        .identity_pool_id(&identity_pool_id)
        .logins(&login_key, &id_token)
        .send()
        .await
        .unwrap();
    assert!(id.identity_id().unwrap().starts_with("ap-northeast-1:"));

    // A second client in eu-west-1 on the same server.
    let ireland = user_pools_in(&mock, "eu-west-1");
    let (eu_pool_id, _, eu_token) = pool_with_user(&ireland).await;
    assert!(eu_pool_id.starts_with("eu-west-1_"));
    assert_eq!(
        claims(&eu_token)["iss"],
        format!("https://cognito-idp.eu-west-1.amazonaws.com/{eu_pool_id}").as_str()
    );
    let listed =
        |out: aws_sdk_cognitoidentityprovider::operation::list_user_pools::ListUserPoolsOutput| {
            out.user_pools()
                .iter()
                .map(|p| p.id().unwrap().to_owned())
                .collect::<Vec<_>>()
        };
    let in_tokyo = listed(
        tokyo
            .list_user_pools()
            .max_results(60)
            .send()
            .await
            .unwrap(),
    );
    let in_ireland = listed(
        ireland
            .list_user_pools()
            .max_results(60)
            .send()
            .await
            .unwrap(),
    );
    assert_eq!(in_tokyo, vec![pool_id.clone()]);
    assert_eq!(in_ireland, vec![eu_pool_id.clone()]);

    // Neither region sees the other's resources.
    let e = ireland
        .describe_user_pool()
        .user_pool_id(&pool_id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(common::sdk_error(e).0, "ResourceNotFoundException");
    let e = identity_pools_in(&mock, "eu-west-1")
        .describe_identity_pool()
        .identity_pool_id(&identity_pool_id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(common::sdk_error(e).0, "ResourceNotFoundException");
    let eu_identity_pools = identity_pools_in(&mock, "eu-west-1")
        .list_identity_pools()
        .max_results(60)
        .send()
        .await
        .unwrap();
    assert!(eu_identity_pools.identity_pools().is_empty());
}

#[tokio::test]
async fn a_scope_that_names_no_region_is_refused_clearly() {
    let mock = MockCognito::start().await.unwrap();
    let reply = common::raw(
        mock.addr(),
        "POST",
        "/",
        &[
            ("content-type", "application/x-amz-json-1.1"),
            ("x-amz-target", "AWSCognitoIdentityProviderService.CreateUserPool"),
            (
                "authorization",
                "AWS4-HMAC-SHA256 Credential=AKID/20260101/moon-base/cognito-idp/aws4_request, SignedHeaders=host, Signature=00",
            ),
        ],
        json!({"PoolName": "p"}).to_string().as_bytes(),
    )
    .await;
    assert_eq!(reply.status, 400);
    assert!(
        reply.json()["message"]
            .as_str()
            .unwrap()
            .contains("moon-base")
    );
    // And a configured region must be one too.
    let e = MockCognito::builder()
        .region("moon-base")
        .start()
        .await
        .unwrap_err();
    assert!(e.to_string().contains("moon-base"), "{e}");
    let e = mock_cognito::SeedConfig::from_toml("region = \"Tokyo\"").unwrap_err();
    assert!(e.contains("Tokyo"), "{e}");
}

#[tokio::test]
async fn the_configured_region_is_the_fallback_for_seeded_pools() {
    let mock = MockCognito::builder()
        .region("eu-central-1")
        .seed(mock_cognito::SeedConfig::from_toml("[[user_pools]]\nname = \"seeded\"\n").unwrap())
        .start()
        .await
        .unwrap();
    let pools = mock.user_pool_summary();
    assert!(pools[0].id.starts_with("eu-central-1_"), "{}", pools[0].id);
}
