//! The admin calls tools make beyond users and pools: tags by ARN and
//! AdminResetUserPassword, through the AWS JSON wire.

mod common;

use common::{call, ok};
use mock_cognito::MockCognito;
use serde_json::{Value, json};

async fn pool(mock: &MockCognito) -> (String, String) {
    let created = ok(
        mock.addr(),
        "CreateUserPool",
        json!({"PoolName": "admin", "UserPoolTags": {"team": "id"}}),
    )
    .await;
    let id = created["UserPool"]["Id"].as_str().unwrap().to_owned();
    let arn = created["UserPool"]["Arn"].as_str().unwrap().to_owned();
    (id, arn)
}

#[tokio::test]
async fn tags_are_set_listed_and_removed_by_arn() {
    let mock = MockCognito::start().await.unwrap();
    let (id, arn) = pool(&mock).await;
    ok(
        mock.addr(),
        "TagResource",
        json!({"ResourceArn": arn, "Tags": {"env": "dev"}}),
    )
    .await;
    let listed = ok(
        mock.addr(),
        "ListTagsForResource",
        json!({"ResourceArn": arn}),
    )
    .await;
    assert_eq!(listed["Tags"], json!({"team": "id", "env": "dev"}));
    ok(
        mock.addr(),
        "UntagResource",
        json!({"ResourceArn": arn, "TagKeys": ["team"]}),
    )
    .await;
    let described = ok(mock.addr(), "DescribeUserPool", json!({"UserPoolId": id})).await;
    assert_eq!(described["UserPool"]["UserPoolTags"], json!({"env": "dev"}));

    let missing = arn.replace(&id, "us-east-1_Missing00");
    let reply = call(
        mock.addr(),
        "ListTagsForResource",
        &json!({"ResourceArn": missing}),
        true,
    )
    .await;
    assert_eq!(reply.status, 400);
    assert_eq!(reply.error_type(), "ResourceNotFoundException");
    let reply = call(
        mock.addr(),
        "TagResource",
        &json!({"ResourceArn": "arn:aws:s3:::bucket/x", "Tags": {}}),
        true,
    )
    .await;
    assert_eq!(reply.error_type(), "InvalidParameterException");
}

#[tokio::test]
async fn admin_reset_user_password_requires_a_reset_before_signing_in() {
    let mock = MockCognito::start().await.unwrap();
    let (pool_id, _) = pool(&mock).await;
    let client = ok(
        mock.addr(),
        "CreateUserPoolClient",
        json!({"UserPoolId": pool_id, "ClientName": "app",
               "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}),
    )
    .await;
    let client_id = client["UserPoolClient"]["ClientId"]
        .as_str()
        .unwrap()
        .to_owned();
    ok(
        mock.addr(),
        "AdminCreateUser",
        json!({"UserPoolId": pool_id, "Username": "gus", "MessageAction": "SUPPRESS",
               "UserAttributes": [{"Name": "email", "Value": "gus@example.com"},
                                  {"Name": "email_verified", "Value": "true"}]}),
    )
    .await;
    ok(
        mock.addr(),
        "AdminSetUserPassword",
        json!({"UserPoolId": pool_id, "Username": "gus", "Password": "Old-Passw0rd!", "Permanent": true}),
    )
    .await;
    ok(
        mock.addr(),
        "AdminResetUserPassword",
        json!({"UserPoolId": pool_id, "Username": "gus"}),
    )
    .await;
    let user = ok(
        mock.addr(),
        "AdminGetUser",
        json!({"UserPoolId": pool_id, "Username": "gus"}),
    )
    .await;
    assert_eq!(user["UserStatus"], "RESET_REQUIRED");
    let sign_in = |password: &str| {
        json!({"ClientId": client_id, "AuthFlow": "USER_PASSWORD_AUTH",
               "AuthParameters": {"USERNAME": "gus", "PASSWORD": password}})
    };
    let refused = call(
        mock.addr(),
        "InitiateAuth",
        &sign_in("Old-Passw0rd!"),
        false,
    )
    .await;
    assert_eq!(refused.error_type(), "PasswordResetRequiredException");

    let code = mock
        .verification_codes(Some(&pool_id), Some("gus"))
        .into_iter()
        .rev()
        .find(|c| c.purpose == "FORGOT_PASSWORD")
        .expect("a reset code to the verified email")
        .code;
    ok(
        mock.addr(),
        "ConfirmForgotPassword",
        json!({"ClientId": client_id, "Username": "gus", "ConfirmationCode": code,
               "Password": "New-Passw0rd!"}),
    )
    .await;
    let signed_in: Value = ok(mock.addr(), "InitiateAuth", sign_in("New-Passw0rd!")).await;
    assert!(signed_in["AuthenticationResult"]["IdToken"].is_string());
}

#[tokio::test]
async fn identity_pool_tags_are_set_listed_and_removed_by_arn() {
    let mock = MockCognito::start().await.unwrap();
    let target = |op: &str| format!("AWSCognitoIdentityService.{op}");
    let created = ok(
        mock.addr(),
        &target("CreateIdentityPool"),
        json!({"IdentityPoolName": "tagged", "AllowUnauthenticatedIdentities": true,
               "IdentityPoolTags": {"team": "id"}}),
    )
    .await;
    let id = created["IdentityPoolId"].as_str().unwrap().to_owned();
    let (region, _) = id.split_once(':').unwrap();
    let arn = format!("arn:aws:cognito-identity:{region}:123456789012:identitypool/{id}");
    ok(
        mock.addr(),
        &target("TagResource"),
        json!({"ResourceArn": arn, "Tags": {"env": "dev"}}),
    )
    .await;
    ok(
        mock.addr(),
        &target("UntagResource"),
        json!({"ResourceArn": arn, "TagKeys": ["team"]}),
    )
    .await;
    let listed = ok(
        mock.addr(),
        &target("ListTagsForResource"),
        json!({"ResourceArn": arn}),
    )
    .await;
    assert_eq!(listed["Tags"], json!({"env": "dev"}));
    let described = ok(
        mock.addr(),
        &target("DescribeIdentityPool"),
        json!({"IdentityPoolId": id}),
    )
    .await;
    assert_eq!(described["IdentityPoolTags"], json!({"env": "dev"}));
    let gone = arn.replace(&id[id.len() - 4..], "0000");
    let reply = call(
        mock.addr(),
        &target("ListTagsForResource"),
        &json!({"ResourceArn": gone}),
        true,
    )
    .await;
    assert_eq!(reply.error_type(), "ResourceNotFoundException");
}
