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

/// A pool with a domain and an app client: (pool id, client id).
async fn pool_with_domain(mock: &MockCognito) -> (String, String) {
    let (pool_id, _) = pool(mock).await;
    ok(
        mock.addr(),
        "CreateUserPoolDomain",
        json!({"UserPoolId": pool_id, "Domain": format!("d-{}", pool_id.to_lowercase().replace('_', "-"))}),
    )
    .await;
    let client = ok(
        mock.addr(),
        "CreateUserPoolClient",
        json!({"UserPoolId": pool_id, "ClientName": "web"}),
    )
    .await;
    let client_id = client["UserPoolClient"]["ClientId"]
        .as_str()
        .unwrap()
        .to_owned();
    (pool_id, client_id)
}

#[tokio::test]
async fn ui_customization_is_stored_per_client_echoed_and_its_logo_served() {
    let mock = MockCognito::start().await.unwrap();
    let (bare_pool, _) = pool(&mock).await;
    let no_domain = call(
        mock.addr(),
        "SetUICustomization",
        &json!({"UserPoolId": bare_pool, "CSS": ".banner-customizable {}"}),
        true,
    )
    .await;
    assert_eq!(no_domain.error_type(), "InvalidParameterException");

    let (pool_id, client_id) = pool_with_domain(&mock).await;
    use base64::Engine;
    let png = [b"\x89PNG\r\n\x1a\n".as_slice(), &[7u8; 32]].concat();
    let set = ok(
        mock.addr(),
        "SetUICustomization",
        json!({"UserPoolId": pool_id, "ClientId": "ALL", "CSS": ".logo-customizable {max-width: 60%;}",
               "ImageFile": base64::engine::general_purpose::STANDARD.encode(&png)}),
    )
    .await;
    let ui = &set["UICustomization"];
    assert_eq!(ui["ClientId"], "ALL");
    assert_eq!(ui["CSS"], ".logo-customizable {max-width: 60%;}");
    let logo = ui["ImageUrl"].as_str().unwrap().to_owned();
    let path = logo.strip_prefix(&mock.endpoint()).unwrap();
    let served = common::raw(mock.addr(), "GET", path, &[], b"").await;
    assert_eq!(served.status, 200);
    assert_eq!(served.header("content-type"), Some("image/png"));
    assert_eq!(served.body, png);

    // A client without its own shows the pool's; with its own, its own.
    let got = ok(
        mock.addr(),
        "GetUICustomization",
        json!({"UserPoolId": pool_id, "ClientId": client_id}),
    )
    .await;
    assert_eq!(got["UICustomization"]["ClientId"], "ALL");
    ok(
        mock.addr(),
        "SetUICustomization",
        json!({"UserPoolId": pool_id, "ClientId": client_id, "CSS": ".submitButton-customizable {}"}),
    )
    .await;
    let got = ok(
        mock.addr(),
        "GetUICustomization",
        json!({"UserPoolId": pool_id, "ClientId": client_id}),
    )
    .await;
    assert_eq!(got["UICustomization"]["ClientId"], client_id.as_str());
    assert_eq!(
        got["UICustomization"]["CSS"],
        ".submitButton-customizable {}"
    );
    assert!(got["UICustomization"].get("ImageUrl").is_none());
    // Set with neither CSS nor image: removed.
    ok(
        mock.addr(),
        "SetUICustomization",
        json!({"UserPoolId": pool_id, "ClientId": "ALL"}),
    )
    .await;
    let got = ok(
        mock.addr(),
        "GetUICustomization",
        json!({"UserPoolId": pool_id}),
    )
    .await;
    assert!(got["UICustomization"].get("CSS").is_none(), "{got}");
    assert_eq!(
        common::raw(mock.addr(), "GET", path, &[], b"").await.status,
        404
    );
}

#[tokio::test]
async fn risk_configuration_is_echoed_per_pool_and_per_client() {
    let mock = MockCognito::start().await.unwrap();
    let (pool_id, client_id) = pool_with_domain(&mock).await;
    let takeover = json!({"Actions": {"HighAction": {"EventAction": "BLOCK", "Notify": false}}});
    ok(
        mock.addr(),
        "SetRiskConfiguration",
        json!({"UserPoolId": pool_id, "AccountTakeoverRiskConfiguration": takeover,
               "RiskExceptionConfiguration": {"BlockedIPRangeList": ["10.0.0.0/8"]}}),
    )
    .await;
    ok(
        mock.addr(),
        "SetRiskConfiguration",
        json!({"UserPoolId": pool_id, "ClientId": client_id,
               "RiskExceptionConfiguration": {"SkippedIPRangeList": ["192.168.0.0/16"]}}),
    )
    .await;
    let pool_level = ok(
        mock.addr(),
        "DescribeRiskConfiguration",
        json!({"UserPoolId": pool_id}),
    )
    .await;
    let r = &pool_level["RiskConfiguration"];
    assert_eq!(r["AccountTakeoverRiskConfiguration"], takeover);
    assert_eq!(
        r["RiskExceptionConfiguration"]["BlockedIPRangeList"],
        json!(["10.0.0.0/8"])
    );
    let client_level = ok(
        mock.addr(),
        "DescribeRiskConfiguration",
        json!({"UserPoolId": pool_id, "ClientId": client_id}),
    )
    .await;
    let r = &client_level["RiskConfiguration"];
    assert_eq!(r["ClientId"], client_id.as_str());
    assert!(
        r.get("AccountTakeoverRiskConfiguration").is_none(),
        "only the client's own: {r}"
    );
    assert_eq!(
        r["RiskExceptionConfiguration"]["SkippedIPRangeList"],
        json!(["192.168.0.0/16"])
    );
    // Cleared by a Set with only the ids.
    ok(
        mock.addr(),
        "SetRiskConfiguration",
        json!({"UserPoolId": pool_id}),
    )
    .await;
    let cleared = ok(
        mock.addr(),
        "DescribeRiskConfiguration",
        json!({"UserPoolId": pool_id}),
    )
    .await;
    assert!(
        cleared["RiskConfiguration"]
            .get("RiskExceptionConfiguration")
            .is_none()
    );
}

#[tokio::test]
async fn updates_keep_what_they_do_not_name_where_cognito_does() {
    let mock = MockCognito::start().await.unwrap();
    let (pool_id, _) = pool_with_domain(&mock).await;
    // Tags survive an UpdateUserPool that does not name them.
    ok(
        mock.addr(),
        "UpdateUserPool",
        json!({"UserPoolId": pool_id, "AutoVerifiedAttributes": ["email"]}),
    )
    .await;
    let described = ok(
        mock.addr(),
        "DescribeUserPool",
        json!({"UserPoolId": pool_id}),
    )
    .await;
    assert_eq!(described["UserPool"]["UserPoolTags"], json!({"team": "id"}));
    // MFA required with no factor cannot be set by UpdateUserPool either.
    let on = call(
        mock.addr(),
        "UpdateUserPool",
        &json!({"UserPoolId": pool_id, "MfaConfiguration": "ON"}),
        true,
    )
    .await;
    assert_eq!(on.error_type(), "InvalidParameterException");
    let described = ok(
        mock.addr(),
        "DescribeUserPool",
        json!({"UserPoolId": pool_id}),
    )
    .await;
    assert_eq!(
        described["UserPool"]["AutoVerifiedAttributes"],
        json!(["email"]),
        "unchanged"
    );

    // The domain's managed-login version.
    let domain = described["UserPool"]["Domain"].as_str().unwrap().to_owned();
    let updated = ok(
        mock.addr(),
        "UpdateUserPoolDomain",
        json!({"UserPoolId": pool_id, "Domain": domain, "ManagedLoginVersion": 2}),
    )
    .await;
    assert_eq!(updated["ManagedLoginVersion"], 2);
    let d = ok(
        mock.addr(),
        "DescribeUserPoolDomain",
        json!({"Domain": domain}),
    )
    .await;
    assert_eq!(d["DomainDescription"]["ManagedLoginVersion"], 2);

    // An identity pool update without DeveloperProviderName or tags keeps both.
    let target = |op: &str| format!("AWSCognitoIdentityService.{op}");
    let created = ok(
        mock.addr(),
        &target("CreateIdentityPool"),
        json!({"IdentityPoolName": "dev", "AllowUnauthenticatedIdentities": false,
               "DeveloperProviderName": "login.example", "IdentityPoolTags": {"a": "b"}}),
    )
    .await;
    let id = created["IdentityPoolId"].as_str().unwrap();
    let updated = ok(
        mock.addr(),
        &target("UpdateIdentityPool"),
        json!({"IdentityPoolId": id, "IdentityPoolName": "renamed", "AllowUnauthenticatedIdentities": true}),
    )
    .await;
    assert_eq!(updated["DeveloperProviderName"], "login.example");
    assert_eq!(updated["IdentityPoolTags"], json!({"a": "b"}));
    let changed = call(
        mock.addr(),
        &target("UpdateIdentityPool"),
        &json!({"IdentityPoolId": id, "IdentityPoolName": "renamed", "AllowUnauthenticatedIdentities": true,
                "DeveloperProviderName": "other.example"}),
        true,
    )
    .await;
    assert_eq!(changed.error_type(), "InvalidParameterException");
}

#[tokio::test]
async fn deletion_protection_keeps_a_pool_until_it_is_turned_off() {
    let mock = MockCognito::start().await.unwrap();
    let created = ok(
        mock.addr(),
        "CreateUserPool",
        json!({"PoolName": "kept", "DeletionProtection": "ACTIVE"}),
    )
    .await;
    let id = created["UserPool"]["Id"].as_str().unwrap().to_owned();
    let refused = call(
        mock.addr(),
        "DeleteUserPool",
        &json!({"UserPoolId": id}),
        true,
    )
    .await;
    assert_eq!(refused.error_type(), "InvalidParameterException");
    assert!(
        ok(mock.addr(), "DescribeUserPool", json!({"UserPoolId": id})).await["UserPool"]
            .is_object()
    );
    ok(
        mock.addr(),
        "UpdateUserPool",
        json!({"UserPoolId": id, "DeletionProtection": "INACTIVE"}),
    )
    .await;
    ok(mock.addr(), "DeleteUserPool", json!({"UserPoolId": id})).await;
}

#[tokio::test]
async fn a_temporary_password_expires_after_the_pools_validity_days() {
    let mock = MockCognito::start().await.unwrap();
    let created = ok(
        mock.addr(),
        "CreateUserPool",
        json!({"PoolName": "temp", "Policies": {"PasswordPolicy": {"TemporaryPasswordValidityDays": 1}}}),
    )
    .await;
    let pool_id = created["UserPool"]["Id"].as_str().unwrap().to_owned();
    let client = ok(
        mock.addr(),
        "CreateUserPoolClient",
        json!({"UserPoolId": pool_id, "ClientName": "app", "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}),
    )
    .await;
    let client_id = client["UserPoolClient"]["ClientId"]
        .as_str()
        .unwrap()
        .to_owned();
    ok(
        mock.addr(),
        "AdminCreateUser",
        json!({"UserPoolId": pool_id, "Username": "hal", "TemporaryPassword": "Temp0rary!pw", "MessageAction": "SUPPRESS"}),
    )
    .await;
    let sign_in = json!({"ClientId": client_id, "AuthFlow": "USER_PASSWORD_AUTH",
                         "AuthParameters": {"USERNAME": "hal", "PASSWORD": "Temp0rary!pw"}});
    let fresh = ok(mock.addr(), "InitiateAuth", sign_in.clone()).await;
    assert_eq!(fresh["ChallengeName"], "NEW_PASSWORD_REQUIRED");
    mock.clock()
        .advance(std::time::Duration::from_secs(2 * 86_400));
    let expired = call(mock.addr(), "InitiateAuth", &sign_in, false).await;
    assert_eq!(expired.error_type(), "NotAuthorizedException");
    assert!(
        expired.json()["message"]
            .as_str()
            .unwrap()
            .contains("Temporary password has expired")
    );
    // An administrator sets a new temporary password: it works again.
    ok(
        mock.addr(),
        "AdminSetUserPassword",
        json!({"UserPoolId": pool_id, "Username": "hal", "Password": "Temp0rary!pw", "Permanent": false}),
    )
    .await;
    let again = ok(mock.addr(), "InitiateAuth", sign_in).await;
    assert_eq!(again["ChallengeName"], "NEW_PASSWORD_REQUIRED");
}

#[tokio::test]
async fn password_reset_codes_follow_the_account_recovery_setting() {
    let mock = MockCognito::start().await.unwrap();
    let pool_with = async |mechanisms: Value| {
        let created = ok(
            mock.addr(),
            "CreateUserPool",
            json!({"PoolName": "recovery", "AccountRecoverySetting": {"RecoveryMechanisms": mechanisms}}),
        )
        .await;
        let pool_id = created["UserPool"]["Id"].as_str().unwrap().to_owned();
        let client = ok(
            mock.addr(),
            "CreateUserPoolClient",
            json!({"UserPoolId": pool_id, "ClientName": "app"}),
        )
        .await;
        ok(
            mock.addr(),
            "AdminCreateUser",
            json!({"UserPoolId": pool_id, "Username": "ivy", "MessageAction": "SUPPRESS",
                   "UserAttributes": [
                       {"Name": "email", "Value": "ivy@example.com"}, {"Name": "email_verified", "Value": "true"},
                       {"Name": "phone_number", "Value": "+15555550199"}, {"Name": "phone_number_verified", "Value": "true"}]}),
        )
        .await;
        let client_id = client["UserPoolClient"]["ClientId"]
            .as_str()
            .unwrap()
            .to_owned();
        call(
            mock.addr(),
            "ForgotPassword",
            &json!({"ClientId": client_id, "Username": "ivy"}),
            false,
        )
        .await
    };
    let phone_first = pool_with(json!([{"Name": "verified_phone_number", "Priority": 1},
                                       {"Name": "verified_email", "Priority": 2}]))
    .await;
    assert_eq!(
        phone_first.json()["CodeDeliveryDetails"]["AttributeName"],
        "phone_number"
    );
    let email_first = pool_with(json!([{"Name": "verified_email", "Priority": 1},
                                       {"Name": "verified_phone_number", "Priority": 2}]))
    .await;
    assert_eq!(
        email_first.json()["CodeDeliveryDetails"]["AttributeName"],
        "email"
    );
    let admin_only = pool_with(json!([{"Name": "admin_only", "Priority": 1}])).await;
    assert_eq!(admin_only.error_type(), "InvalidParameterException");
}

#[tokio::test]
async fn log_delivery_configuration_is_checked_stored_and_read_back() {
    let mock = MockCognito::start().await.unwrap();
    let (pool_id, _) = pool(&mock).await;
    let empty = ok(
        mock.addr(),
        "GetLogDeliveryConfiguration",
        json!({"UserPoolId": pool_id}),
    )
    .await;
    assert_eq!(
        empty["LogDeliveryConfiguration"]["LogConfigurations"],
        json!([])
    );
    let configurations = json!([
        {"LogLevel": "ERROR", "EventSource": "userNotification",
         "CloudWatchLogsConfiguration": {"LogGroupArn": "arn:aws:logs:us-east-1:123456789012:log-group:cognito"}},
        {"LogLevel": "INFO", "EventSource": "userAuthEvents",
         "S3Configuration": {"BucketArn": "arn:aws:s3:::cognito-logs"}},
    ]);
    ok(
        mock.addr(),
        "SetLogDeliveryConfiguration",
        json!({"UserPoolId": pool_id, "LogConfigurations": configurations}),
    )
    .await;
    let got = ok(
        mock.addr(),
        "GetLogDeliveryConfiguration",
        json!({"UserPoolId": pool_id}),
    )
    .await;
    assert_eq!(
        got["LogDeliveryConfiguration"]["LogConfigurations"],
        configurations
    );
    let wrong_level = call(
        mock.addr(),
        "SetLogDeliveryConfiguration",
        &json!({"UserPoolId": pool_id, "LogConfigurations": [
            {"LogLevel": "INFO", "EventSource": "userNotification",
             "S3Configuration": {"BucketArn": "arn:aws:s3:::cognito-logs"}}]}),
        true,
    )
    .await;
    assert_eq!(wrong_level.error_type(), "InvalidParameterException");
    let still = ok(
        mock.addr(),
        "GetLogDeliveryConfiguration",
        json!({"UserPoolId": pool_id}),
    )
    .await;
    assert_eq!(
        still["LogDeliveryConfiguration"]["LogConfigurations"], configurations,
        "unchanged"
    );
}

/// ForceAliasCreation moves an email alias to the new user; without it the
/// second user is refused, and a refused user changes nobody.
#[tokio::test]
async fn force_alias_creation_moves_the_alias_to_the_new_user() {
    let mock = MockCognito::start().await.unwrap();
    let created = ok(
        mock.addr(),
        "CreateUserPool",
        json!({"PoolName": "aliases", "AliasAttributes": ["email"]}),
    )
    .await;
    let pool = created["UserPool"]["Id"].as_str().unwrap().to_owned();
    let user = |name: &str, force: bool| {
        json!({"UserPoolId": pool, "Username": name, "MessageAction": "SUPPRESS",
               "ForceAliasCreation": force,
               "UserAttributes": [{"Name": "email", "Value": "shared@example.com"},
                                  {"Name": "email_verified", "Value": "true"}]})
    };
    ok(mock.addr(), "AdminCreateUser", user("first", false)).await;
    let refused = call(mock.addr(), "AdminCreateUser", &user("second", false), true).await;
    assert_eq!(refused.error_type(), "AliasExistsException");
    ok(mock.addr(), "AdminCreateUser", user("second", true)).await;

    let attributes = |reply: &Value| -> Vec<String> {
        reply["UserAttributes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["Name"].as_str().unwrap().to_owned())
            .collect()
    };
    let first = ok(
        mock.addr(),
        "AdminGetUser",
        json!({"UserPoolId": pool, "Username": "first"}),
    )
    .await;
    assert!(!attributes(&first).contains(&"email".to_owned()), "{first}");
    // The alias now names the second user.
    let by_alias = ok(
        mock.addr(),
        "AdminGetUser",
        json!({"UserPoolId": pool, "Username": "shared@example.com"}),
    )
    .await;
    assert_eq!(by_alias["Username"], "second");
}

/// A pool made from `pool`, an app client for USER_PASSWORD_AUTH, and a
/// user with no password yet: (pool id, client id).
async fn pool_client_and_user(mock: &MockCognito, pool: Value, username: &str) -> (String, String) {
    let created = ok(mock.addr(), "CreateUserPool", pool).await;
    let pool = created["UserPool"]["Id"].as_str().unwrap().to_owned();
    let client = ok(
        mock.addr(),
        "CreateUserPoolClient",
        json!({"UserPoolId": pool, "ClientName": "app",
               "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}),
    )
    .await["UserPoolClient"]["ClientId"]
        .as_str()
        .unwrap()
        .to_owned();
    ok(
        mock.addr(),
        "AdminCreateUser",
        json!({"UserPoolId": pool, "Username": username, "MessageAction": "SUPPRESS"}),
    )
    .await;
    (pool, client)
}

/// PasswordHistorySize 2: neither the current password nor the one before
/// it may be set again; the one before those may.
#[tokio::test]
async fn password_history_refuses_the_last_passwords() {
    let mock = MockCognito::start().await.unwrap();
    let (pool, client) = pool_client_and_user(
        &mock,
        json!({"PoolName": "history",
               "Policies": {"PasswordPolicy": {"MinimumLength": 8, "PasswordHistorySize": 2}}}),
        "hana",
    )
    .await;
    let set = |password: &str| json!({"UserPoolId": pool, "Username": "hana", "Password": password, "Permanent": true});
    ok(mock.addr(), "AdminSetUserPassword", set("First-Passw0rd!")).await;
    ok(mock.addr(), "AdminSetUserPassword", set("Second-Passw0rd!")).await;
    for reused in ["First-Passw0rd!", "Second-Passw0rd!"] {
        let refused = call(mock.addr(), "AdminSetUserPassword", &set(reused), true).await;
        assert_eq!(refused.error_type(), "InvalidPasswordException", "{reused}");
    }
    // ChangePassword keeps the same history.
    let signed = ok(
        mock.addr(),
        "InitiateAuth",
        json!({"ClientId": client, "AuthFlow": "USER_PASSWORD_AUTH",
               "AuthParameters": {"USERNAME": "hana", "PASSWORD": "Second-Passw0rd!"}}),
    )
    .await;
    let access = signed["AuthenticationResult"]["AccessToken"].clone();
    let change = |to: &str| json!({"AccessToken": access, "PreviousPassword": "Second-Passw0rd!", "ProposedPassword": to});
    let refused = call(
        mock.addr(),
        "ChangePassword",
        &change("First-Passw0rd!"),
        false,
    )
    .await;
    assert_eq!(refused.error_type(), "InvalidPasswordException");
    ok(mock.addr(), "ChangePassword", change("Third-Passw0rd!")).await;
    // Two passwords back now: First is free again.
    ok(mock.addr(), "AdminSetUserPassword", set("First-Passw0rd!")).await;
}

/// Threat protection's event history: sign-ins that passed and failed, a
/// password change, newest first; feedback on one; and the add-on required.
#[tokio::test]
async fn auth_events_record_sign_ins_and_take_feedback() {
    let mock = MockCognito::start().await.unwrap();
    let (pool, client) = pool_client_and_user(
        &mock,
        json!({"PoolName": "watched", "UserPoolAddOns": {"AdvancedSecurityMode": "AUDIT"}}),
        "lee",
    )
    .await;
    ok(
        mock.addr(),
        "AdminSetUserPassword",
        json!({"UserPoolId": pool, "Username": "lee", "Password": "Lee-Passw0rd!", "Permanent": true}),
    )
    .await;
    let sign_in = |password: &str| {
        json!({"ClientId": client, "AuthFlow": "USER_PASSWORD_AUTH",
               "AuthParameters": {"USERNAME": "lee", "PASSWORD": password}})
    };
    let wrong = call(
        mock.addr(),
        "InitiateAuth",
        &sign_in("Not-The-Passw0rd!"),
        false,
    )
    .await;
    assert_eq!(wrong.error_type(), "NotAuthorizedException");
    let signed = ok(mock.addr(), "InitiateAuth", sign_in("Lee-Passw0rd!")).await;
    ok(
        mock.addr(),
        "ChangePassword",
        json!({"AccessToken": signed["AuthenticationResult"]["AccessToken"],
               "PreviousPassword": "Lee-Passw0rd!", "ProposedPassword": "Lee-N3w-Passw0rd!"}),
    )
    .await;

    let list = json!({"UserPoolId": pool, "Username": "lee"});
    let events = ok(mock.addr(), "AdminListUserAuthEvents", list.clone()).await;
    let events = events["AuthEvents"].as_array().unwrap().clone();
    let summary: Vec<(String, String)> = events
        .iter()
        .map(|e| {
            (
                e["EventType"].as_str().unwrap().to_owned(),
                e["EventResponse"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let expected = [
        ("PasswordChange", "Pass"),
        ("SignIn", "Pass"),
        ("SignIn", "Fail"),
    ];
    assert_eq!(
        summary,
        expected.map(|(t, r)| (t.to_owned(), r.to_owned())).to_vec()
    );
    assert_eq!(
        events[2]["ChallengeResponses"],
        json!([{"ChallengeName": "Password", "ChallengeResponse": "Failure"}])
    );
    assert_eq!(events[1]["EventRisk"]["RiskDecision"], "NoRisk");

    ok(
        mock.addr(),
        "AdminUpdateAuthEventFeedback",
        json!({"UserPoolId": pool, "Username": "lee",
               "EventId": events[2]["EventId"], "FeedbackValue": "Invalid"}),
    )
    .await;
    let again = ok(mock.addr(), "AdminListUserAuthEvents", list).await;
    assert_eq!(
        again["AuthEvents"][2]["EventFeedback"]["FeedbackValue"],
        "Invalid"
    );
    assert_eq!(again["AuthEvents"][2]["EventFeedback"]["Provider"], "Admin");

    let plain = ok(mock.addr(), "CreateUserPool", json!({"PoolName": "plain"})).await;
    let refused = call(
        mock.addr(),
        "AdminListUserAuthEvents",
        &json!({"UserPoolId": plain["UserPool"]["Id"], "Username": "lee"}),
        true,
    )
    .await;
    assert_eq!(refused.error_type(), "UserPoolAddOnNotEnabledException");
}
