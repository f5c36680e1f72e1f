//! The attribute schema on the wire: kept and shown whole by
//! DescribeUserPool, enforced on every write (names, types, Required,
//! Mutable, developer-only), the app client's Read/WriteAttributes, and
//! claim types in ID tokens as Cognito emits them.

mod common;

use common::{call, ok};
use mock_cognito::MockCognito;
use serde_json::{Value, json};

const PASSWORD: &str = "Corr3ct-Horse!";

struct World {
    mock: MockCognito,
    pool_id: String,
    client_id: String,
}

/// A pool with email required, an immutable custom `tenant`, a number
/// `level` and a developer-only `score`; a client allowing password sign-in
/// with `client` settings merged in.
async fn world(client: Value) -> World {
    let mock = MockCognito::start().await.unwrap();
    let pool = ok(
        mock.addr(),
        "CreateUserPool",
        json!({
            "PoolName": "schema",
            "Schema": [
                {"Name": "email", "Required": true, "Mutable": true},
                {"Name": "tenant", "AttributeDataType": "String", "Mutable": false,
                 "StringAttributeConstraints": {"MinLength": "1", "MaxLength": "16"}},
                {"Name": "level", "AttributeDataType": "Number",
                 "NumberAttributeConstraints": {"MinValue": "1", "MaxValue": "10"}},
                {"Name": "score", "AttributeDataType": "Number", "DeveloperOnlyAttribute": true},
            ],
        }),
    )
    .await;
    let pool_id = pool["UserPool"]["Id"].as_str().unwrap().to_owned();
    let mut body = json!({
        "UserPoolId": pool_id,
        "ClientName": "app",
        "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    });
    for (k, v) in client.as_object().unwrap() {
        body[k] = v.clone();
    }
    let client = ok(mock.addr(), "CreateUserPoolClient", body).await;
    let client_id = client["UserPoolClient"]["ClientId"]
        .as_str()
        .unwrap()
        .to_owned();
    World {
        mock,
        pool_id,
        client_id,
    }
}

impl World {
    async fn sign_up(&self, username: &str, attributes: Value) -> common::Reply {
        let body = json!({
            "ClientId": self.client_id, "Username": username, "Password": PASSWORD,
            "UserAttributes": attributes,
        });
        call(self.mock.addr(), "SignUp", &body, false).await
    }

    async fn admin_create(&self, username: &str, attributes: Value) {
        ok(
            self.mock.addr(),
            "AdminCreateUser",
            json!({"UserPoolId": self.pool_id, "Username": username,
                   "UserAttributes": attributes, "MessageAction": "SUPPRESS"}),
        )
        .await;
        ok(
            self.mock.addr(),
            "AdminSetUserPassword",
            json!({"UserPoolId": self.pool_id, "Username": username,
                   "Password": PASSWORD, "Permanent": true}),
        )
        .await;
    }

    async fn admin_update(&self, username: &str, attributes: Value) -> common::Reply {
        let body = json!({"UserPoolId": self.pool_id, "Username": username,
                          "UserAttributes": attributes});
        call(self.mock.addr(), "AdminUpdateUserAttributes", &body, true).await
    }

    async fn tokens(&self, username: &str) -> Value {
        ok(
            self.mock.addr(),
            "InitiateAuth",
            json!({"ClientId": self.client_id, "AuthFlow": "USER_PASSWORD_AUTH",
                   "AuthParameters": {"USERNAME": username, "PASSWORD": PASSWORD}}),
        )
        .await["AuthenticationResult"]
            .clone()
    }
}

fn refused(reply: &common::Reply, error: &str, says: &str) {
    assert_eq!(
        reply.status,
        400,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    assert_eq!(reply.error_type(), error);
    let message = reply.json()["message"].as_str().unwrap().to_owned();
    assert!(message.contains(says), "{message:?} should say {says:?}");
}

fn claims(jwt: &str) -> Value {
    jsonwebtoken::dangerous::insecure_decode::<Value>(jwt)
        .unwrap()
        .claims
}

#[tokio::test]
async fn the_schema_is_shown_whole_and_extended_by_add_custom_attributes() {
    let w = world(json!({})).await;
    let described = ok(
        w.mock.addr(),
        "DescribeUserPool",
        json!({"UserPoolId": w.pool_id}),
    )
    .await;
    let schema = described["UserPool"]["SchemaAttributes"]
        .as_array()
        .unwrap();
    let names: Vec<&str> = schema.iter().map(|a| a["Name"].as_str().unwrap()).collect();
    assert_eq!(names.len(), 23);
    assert_eq!(names[0], "sub");
    assert!(names.ends_with(&["custom:tenant", "custom:level", "dev:custom:score"]));
    let email = schema.iter().find(|a| a["Name"] == "email").unwrap();
    assert_eq!(email["Required"], true);
    assert_eq!(email["StringAttributeConstraints"]["MaxLength"], "2048");
    let tenant = schema
        .iter()
        .find(|a| a["Name"] == "custom:tenant")
        .unwrap();
    assert_eq!(tenant["Mutable"], false);

    ok(
        w.mock.addr(),
        "AddCustomAttributes",
        json!({"UserPoolId": w.pool_id,
               "CustomAttributes": [{"Name": "plan", "AttributeDataType": "String"}]}),
    )
    .await;
    let again = call(
        w.mock.addr(),
        "AddCustomAttributes",
        &json!({"UserPoolId": w.pool_id,
                "CustomAttributes": [{"Name": "plan", "AttributeDataType": "String"}]}),
        true,
    )
    .await;
    refused(&again, "InvalidParameterException", "custom:plan");
    let required = call(
        w.mock.addr(),
        "CreateUserPool",
        &json!({"PoolName": "x", "Schema": [{"Name": "plan", "Required": true}]}),
        true,
    )
    .await;
    refused(
        &required,
        "InvalidParameterException",
        "Required custom attributes",
    );
    // The new attribute can be written at once.
    w.admin_create(
        "bob",
        json!([{"Name": "email", "Value": "b@example.com"},
                                 {"Name": "custom:plan", "Value": "pro"}]),
    )
    .await;
}

#[tokio::test]
async fn writes_follow_the_schema() {
    let w = world(json!({})).await;
    refused(
        &w.sign_up("carol", json!([{"Name": "name", "Value": "Carol"}]))
            .await,
        "InvalidParameterException",
        "email: The attribute email is required",
    );
    refused(
        &w.sign_up(
            "carol",
            json!([{"Name": "email", "Value": "c@example.com"},
                                   {"Name": "bogus", "Value": "x"}]),
        )
        .await,
        "InvalidParameterException",
        "bogus: Attribute does not exist in the schema",
    );
    refused(
        &w.sign_up(
            "carol",
            json!([{"Name": "email", "Value": "c@example.com"},
                                   {"Name": "custom:undefined", "Value": "x"}]),
        )
        .await,
        "InvalidParameterException",
        "custom:undefined",
    );
    refused(
        &w.sign_up(
            "carol",
            json!([{"Name": "email", "Value": "c@example.com"},
                                   {"Name": "custom:level", "Value": "11"}]),
        )
        .await,
        "InvalidParameterException",
        "custom:level",
    );
    refused(
        &w.sign_up(
            "carol",
            json!([{"Name": "email", "Value": "c@example.com"},
                                   {"Name": "dev:custom:score", "Value": "3"}]),
        )
        .await,
        "NotAuthorizedException",
        "unauthorized attribute",
    );
    let signed_up = w
        .sign_up(
            "carol",
            json!([{"Name": "email", "Value": "c@example.com"},
                                 {"Name": "custom:tenant", "Value": "acme"},
                                 {"Name": "custom:level", "Value": "3"}]),
        )
        .await;
    assert_eq!(
        signed_up.status,
        200,
        "{}",
        String::from_utf8_lossy(&signed_up.body)
    );

    // Immutable: set once, then never changed.
    refused(
        &w.admin_update(
            "carol",
            json!([{"Name": "custom:tenant", "Value": "other"}]),
        )
        .await,
        "InvalidParameterException",
        "changing an immutable attribute",
    );
    // An admin writes developer-only attributes; a user cannot.
    let by_admin = w
        .admin_update("carol", json!([{"Name": "dev:custom:score", "Value": "7"}]))
        .await;
    assert_eq!(by_admin.status, 200);
}

#[tokio::test]
async fn id_tokens_carry_custom_attributes_and_typed_claims() {
    let w = world(json!({})).await;
    w.admin_create(
        "dave",
        json!([{"Name": "email", "Value": "d@example.com"},
               {"Name": "custom:tenant", "Value": "acme"},
               {"Name": "updated_at", "Value": "1700000000"},
               {"Name": "address", "Value": "1 Main St"}]),
    )
    .await;
    let id = claims(w.tokens("dave").await["IdToken"].as_str().unwrap());
    assert_eq!(id["custom:tenant"], "acme");
    assert_eq!(id["updated_at"], 1_700_000_000);
    assert_eq!(id["address"], json!({"formatted": "1 Main St"}));
}

#[tokio::test]
async fn the_clients_read_and_write_attributes_bound_what_it_sees_and_writes() {
    let w = world(json!({
        "ReadAttributes": ["email", "custom:tenant"],
        "WriteAttributes": ["email", "name"],
    }))
    .await;
    refused(
        &w.sign_up(
            "erin",
            json!([{"Name": "email", "Value": "e@example.com"},
                                  {"Name": "custom:tenant", "Value": "acme"}]),
        )
        .await,
        "NotAuthorizedException",
        "custom:tenant",
    );
    w.admin_create(
        "erin",
        json!([{"Name": "email", "Value": "e@example.com"},
               {"Name": "name", "Value": "Erin"},
               {"Name": "custom:tenant", "Value": "acme"}]),
    )
    .await;
    let tokens = w.tokens("erin").await;
    let id = claims(tokens["IdToken"].as_str().unwrap());
    assert_eq!(id["custom:tenant"], "acme");
    assert_eq!(id["email"], "e@example.com");
    assert!(
        id.get("name").is_none(),
        "not readable by this client: {id}"
    );
    let update = call(
        w.mock.addr(),
        "UpdateUserAttributes",
        &json!({"AccessToken": tokens["AccessToken"],
                "UserAttributes": [{"Name": "custom:tenant", "Value": "x"}]}),
        false,
    )
    .await;
    refused(&update, "NotAuthorizedException", "unauthorized attribute");
}

#[tokio::test]
async fn new_password_required_lists_the_missing_required_attributes() {
    let w = world(json!({})).await;
    ok(
        w.mock.addr(),
        "AdminCreateUser",
        json!({"UserPoolId": w.pool_id, "Username": "frank",
               "TemporaryPassword": "Temp0rary!pw", "MessageAction": "SUPPRESS"}),
    )
    .await;
    let challenge = ok(
        w.mock.addr(),
        "InitiateAuth",
        json!({"ClientId": w.client_id, "AuthFlow": "USER_PASSWORD_AUTH",
               "AuthParameters": {"USERNAME": "frank", "PASSWORD": "Temp0rary!pw"}}),
    )
    .await;
    assert_eq!(challenge["ChallengeName"], "NEW_PASSWORD_REQUIRED");
    assert_eq!(
        challenge["ChallengeParameters"]["requiredAttributes"],
        "[\"userAttributes.email\"]"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_schema_survives_a_restart_exactly() {
    let dir = std::env::temp_dir().join(format!(
        "cogkit-schema-{}-{}",
        std::process::id(),
        uuid::Uuid::new_v4()
    ));
    let durable = || MockCognito::builder().data_dir(&dir).start();
    let w = world(json!({})).await;
    // The same pool, made on a durable mock.
    let created = ok(
        w.mock.addr(),
        "DescribeUserPool",
        json!({"UserPoolId": w.pool_id}),
    )
    .await;
    let mock = durable().await.unwrap();
    let mut schema: Vec<Value> = created["UserPool"]["SchemaAttributes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["Name"].as_str().unwrap().contains("custom:") || a["Name"] == "email")
        .cloned()
        .collect();
    for a in &mut schema {
        let bare = a["Name"]
            .as_str()
            .unwrap()
            .rsplit(':')
            .next()
            .unwrap()
            .to_owned();
        a["Name"] = Value::from(bare);
    }
    let pool = ok(
        mock.addr(),
        "CreateUserPool",
        json!({"PoolName": "schema", "Schema": schema}),
    )
    .await;
    let id = pool["UserPool"]["Id"].as_str().unwrap().to_owned();
    let before = ok(mock.addr(), "DescribeUserPool", json!({"UserPoolId": id})).await;
    assert_eq!(
        before["UserPool"]["SchemaAttributes"],
        created["UserPool"]["SchemaAttributes"]
    );
    drop(mock);
    let mock = durable().await.unwrap();
    let after = ok(mock.addr(), "DescribeUserPool", json!({"UserPoolId": id})).await;
    assert_eq!(
        after["UserPool"]["SchemaAttributes"],
        before["UserPool"]["SchemaAttributes"]
    );
    drop(mock);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn delete_user_attributes_keeps_required_and_developer_only_ones() {
    let w = world(json!({})).await;
    w.admin_create(
        "gina",
        json!([{"Name": "email", "Value": "g@example.com"},
               {"Name": "name", "Value": "Gina"},
               {"Name": "dev:custom:score", "Value": "5"}]),
    )
    .await;
    let access = w.tokens("gina").await["AccessToken"].clone();
    let delete = |names: Value| json!({"AccessToken": access, "UserAttributeNames": names});
    let required = call(
        w.mock.addr(),
        "DeleteUserAttributes",
        &delete(json!(["email"])),
        false,
    )
    .await;
    refused(
        &required,
        "InvalidParameterException",
        "email: The attribute email is required",
    );
    let developer = call(
        w.mock.addr(),
        "DeleteUserAttributes",
        &delete(json!(["dev:custom:score"])),
        false,
    )
    .await;
    refused(
        &developer,
        "NotAuthorizedException",
        "unauthorized attribute",
    );
    ok(
        w.mock.addr(),
        "DeleteUserAttributes",
        delete(json!(["name"])),
    )
    .await;
    let user = ok(w.mock.addr(), "GetUser", json!({"AccessToken": access})).await;
    let names: Vec<&str> = user["UserAttributes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["Name"].as_str().unwrap())
        .collect();
    assert!(
        !names.contains(&"name") && names.contains(&"email"),
        "{names:?}"
    );
}
