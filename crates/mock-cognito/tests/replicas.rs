//! Multi-Region replication on the wire (the Rust SDK predates the
//! operations; boto3 drives them in the compat suite): a replica starts
//! INACTIVE, makes its pool reachable from its region with a secondary's
//! limits, signs users in once ACTIVE, keeps its own tags, and is deleted
//! only when INACTIVE and only from the primary region.

mod common;

use common::{Reply, answer, call_in, refused};
use mock_cognito::MockCognito;
use serde_json::{Value, json};

const PRIMARY: &str = "us-east-1";
const SECONDARY: &str = "eu-west-1";

async fn in_region(mock: &MockCognito, region: &str, target: &str, body: Value) -> Reply {
    call_in(mock.addr(), target, &body, Some(region)).await
}

fn error(reply: Reply) -> String {
    refused(reply).0
}

#[tokio::test]
async fn a_replica_serves_its_pool_in_its_region_with_a_secondarys_limits() {
    let mock = MockCognito::start().await.unwrap();
    let primary = |target: &'static str, body: Value| in_region(&mock, PRIMARY, target, body);
    let secondary = |target: &'static str, body: Value| in_region(&mock, SECONDARY, target, body);

    let pool = answer(primary("CreateUserPool", json!({ "PoolName": "mrr" })).await);
    let pool_id = pool["UserPool"]["Id"].as_str().unwrap().to_owned();
    let client = answer(
        primary(
            "CreateUserPoolClient",
            json!({
                "UserPoolId": pool_id,
                "ClientName": "admin",
                "ExplicitAuthFlows": ["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
            }),
        )
        .await,
    );
    let client_id = client["UserPoolClient"]["ClientId"]
        .as_str()
        .unwrap()
        .to_owned();
    let user = json!({
        "UserPoolId": pool_id, "Username": "maya", "MessageAction": "SUPPRESS",
    });
    answer(primary("AdminCreateUser", user.clone()).await);
    let password = json!({
        "UserPoolId": pool_id, "Username": "maya", "Password": "Maya-Passw0rd!", "Permanent": true,
    });
    answer(primary("AdminSetUserPassword", password).await);
    let sign_in = json!({
        "UserPoolId": pool_id,
        "ClientId": client_id,
        "AuthFlow": "ADMIN_USER_PASSWORD_AUTH",
        "AuthParameters": { "USERNAME": "maya", "PASSWORD": "Maya-Passw0rd!" },
    });
    let describe = json!({ "UserPoolId": pool_id });

    // Before any replica, the pool does not exist in another region.
    assert_eq!(
        error(secondary("DescribeUserPool", describe.clone()).await),
        "ResourceNotFoundException"
    );

    let replica = |region: &str| json!({ "UserPoolId": pool_id, "RegionName": region });
    let mut create = replica(SECONDARY);
    create["UserPoolTags"] = json!({ "site": "dublin" });
    let created = answer(primary("CreateUserPoolReplica", create).await);
    assert_eq!(
        created["UserPoolReplica"],
        json!({
            "RegionName": SECONDARY,
            "Status": "INACTIVE",
            "Role": "SECONDARY",
            "UserPoolArn": format!("arn:aws:cognito-idp:{SECONDARY}:000000000000:userpool/{pool_id}"),
        })
    );
    // The rules AWS sets on creating one.
    for (region, expected) in [
        (SECONDARY, "InvalidParameterException"),
        (PRIMARY, "InvalidParameterException"),
        ("not-a-region", "InvalidParameterException"),
        ("ap-south-1", "LimitExceededException"),
    ] {
        let reply = primary("CreateUserPoolReplica", replica(region)).await;
        assert_eq!(error(reply), expected, "{region}");
    }
    let listed = answer(primary("ListUserPoolReplicas", describe.clone()).await);
    let roles: Vec<(&str, &str, &str)> = listed["UserPoolReplicas"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["RegionName"].as_str().unwrap(),
                r["Role"].as_str().unwrap(),
                r["Status"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        roles,
        [
            (PRIMARY, "PRIMARY", "ACTIVE"),
            (SECONDARY, "SECONDARY", "INACTIVE")
        ]
    );

    // INACTIVE: administrators read and configure it; nobody signs in.
    let seen = answer(secondary("DescribeUserPool", describe.clone()).await);
    assert_eq!(seen["UserPool"]["Id"], pool_id.as_str());
    let got = answer(
        secondary(
            "AdminGetUser",
            json!({ "UserPoolId": pool_id, "Username": "maya" }),
        )
        .await,
    );
    assert_eq!(got["Username"], "maya");
    assert_eq!(
        error(secondary("AdminInitiateAuth", sign_in.clone()).await),
        "OperationNotEnabledException"
    );
    // Still not found where there is no replica.
    let elsewhere = in_region(&mock, "ap-south-1", "DescribeUserPool", describe.clone()).await;
    assert_eq!(error(elsewhere), "ResourceNotFoundException");

    // Activated from the secondary region (a failover): users sign in
    // there, but it creates no user and changes none.
    let mut activate = replica(SECONDARY);
    activate["Status"] = json!("ACTIVE");
    let active = answer(secondary("UpdateUserPoolReplica", activate).await);
    assert_eq!(active["UserPoolReplica"]["Status"], "ACTIVE");
    let tokens = answer(secondary("AdminInitiateAuth", sign_in.clone()).await);
    assert!(
        tokens["AuthenticationResult"]["IdToken"].is_string(),
        "{tokens}"
    );
    let mut other = user.clone();
    other["Username"] = json!("nora");
    for (target, body) in [
        ("AdminCreateUser", other),
        (
            "AdminUpdateUserAttributes",
            json!({
                "UserPoolId": pool_id, "Username": "maya",
                "UserAttributes": [{ "Name": "name", "Value": "Maya" }],
            }),
        ),
        ("UpdateUserPool", describe.clone()),
        ("DeleteUserPoolReplica", replica(SECONDARY)),
    ] {
        assert_eq!(
            error(secondary(target, body).await),
            "OperationNotEnabledException",
            "{target}"
        );
    }
    // Only an INACTIVE replica is deleted.
    assert_eq!(
        error(primary("DeleteUserPoolReplica", replica(SECONDARY)).await),
        "InvalidParameterException"
    );

    // A replica keeps its own tags, addressed by its own ARN.
    let replica_arn = format!("arn:aws:cognito-idp:{SECONDARY}:000000000000:userpool/{pool_id}");
    let primary_arn = format!("arn:aws:cognito-idp:{PRIMARY}:000000000000:userpool/{pool_id}");
    let tag = json!({ "ResourceArn": replica_arn, "Tags": { "tier": "dr" } });
    answer(primary("TagResource", tag).await);
    let tags = |arn: &str| json!({ "ResourceArn": arn });
    let replica_tags = answer(primary("ListTagsForResource", tags(&replica_arn)).await);
    assert_eq!(
        replica_tags["Tags"],
        json!({ "site": "dublin", "tier": "dr" })
    );
    let primary_tags = answer(primary("ListTagsForResource", tags(&primary_arn)).await);
    assert_eq!(primary_tags["Tags"], json!({}));

    let mut deactivate = replica(SECONDARY);
    deactivate["Status"] = json!("INACTIVE");
    answer(primary("UpdateUserPoolReplica", deactivate).await);
    let deleted = answer(primary("DeleteUserPoolReplica", replica(SECONDARY)).await);
    assert_eq!(deleted["UserPoolReplica"]["Status"], "DELETING");
    let listed = answer(primary("ListUserPoolReplicas", describe.clone()).await);
    assert_eq!(listed["UserPoolReplicas"].as_array().unwrap().len(), 1);
    assert_eq!(
        error(secondary("DescribeUserPool", describe).await),
        "ResourceNotFoundException"
    );
    assert_eq!(
        error(primary("DeleteUserPoolReplica", replica(SECONDARY)).await),
        "ResourceNotFoundException"
    );
}
