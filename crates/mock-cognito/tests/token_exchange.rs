//! GetDerivedToken (RFC 8693 token exchange) on the wire (the Rust SDK
//! predates the operation; boto3 drives it in the compat suite) and the
//! token endpoint's token-exchange grant: a user's token narrowed to a
//! resource server's scope and audience, an `act` claim for delegation, the
//! issued tokens verified against the JWKS, and each refusal AWS documents.

mod common;

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::types::{
    ExplicitAuthFlowsType as Flow, OAuthFlowType, ResourceServerScopeType,
};
use common::{Reply, answer, refused};
use mock_cognito::MockCognito;
use mock_cognito::browser::Browser;
use serde_json::{Value, json};

const API: &str = "https://api.example.com";
const DOMAIN: &str = "exchange-demo";
const CALLBACK: &str = "https://app.example.com/callback";

struct World {
    mock: MockCognito,
    cip: Client,
    pool_id: String,
    /// The app the user signs in to.
    app: String,
    /// The service that exchanges the user's token (a secret, both
    /// token-exchange flows, the API's scopes).
    service: String,
    service_secret: String,
    /// A machine client whose client_credentials token is the actor.
    machine: String,
    machine_secret: String,
    /// The user's access and ID tokens.
    access: String,
    id: String,
}

async fn world() -> World {
    let mock = MockCognito::start().await.unwrap();
    let cip = common::user_pool_client(&mock.endpoint());
    let pool_id = cip
        .create_user_pool()
        .pool_name("exchange")
        .send()
        .await
        .unwrap()
        .user_pool()
        .unwrap()
        .id()
        .unwrap()
        .to_owned();
    let scope = |name: &str| {
        ResourceServerScopeType::builder()
            .scope_name(name)
            .scope_description(name)
            .build()
            .unwrap()
    };
    cip.create_resource_server()
        .user_pool_id(&pool_id)
        .identifier(API)
        .name("api")
        .scopes(scope("read"))
        .scopes(scope("write"))
        .send()
        .await
        .unwrap();
    cip.create_resource_server()
        .user_pool_id(&pool_id)
        .identifier("https://other.example.com")
        .name("other")
        .scopes(scope("read"))
        .send()
        .await
        .unwrap();
    cip.create_user_pool_domain()
        .user_pool_id(&pool_id)
        .domain(DOMAIN)
        .send()
        .await
        .unwrap();
    let app = cip
        .create_user_pool_client()
        .user_pool_id(&pool_id)
        .client_name("app")
        .explicit_auth_flows(Flow::AllowRefreshTokenAuth)
        .allowed_o_auth_flows_user_pool_client(true)
        .allowed_o_auth_flows(OAuthFlowType::Code)
        .callback_urls(CALLBACK)
        .supported_identity_providers("COGNITO")
        .set_allowed_o_auth_scopes(Some(
            [
                "openid",
                "email",
                "aws.cognito.signin.user.admin",
                &format!("{API}/read"),
                &format!("{API}/write"),
            ]
            .map(str::to_owned)
            .to_vec(),
        ))
        .send()
        .await
        .unwrap()
        .user_pool_client()
        .unwrap()
        .client_id()
        .unwrap()
        .to_owned();
    // The SDK's enum predates the token-exchange flows: created on the wire.
    let service = common::ok(
        mock.addr(),
        "CreateUserPoolClient",
        json!({
            "UserPoolId": pool_id,
            "ClientName": "service",
            "GenerateSecret": true,
            "ExplicitAuthFlows": [
                "ALLOW_TOKEN_EXCHANGE_IMPERSONATION",
                "ALLOW_TOKEN_EXCHANGE_DELEGATION",
                "ALLOW_REFRESH_TOKEN_AUTH",
            ],
            "AllowedOAuthScopes": [
                "aws.cognito.signin.user.admin",
                format!("{API}/read"),
                "https://other.example.com/read",
            ],
        }),
    )
    .await;
    let service = &service["UserPoolClient"];
    let machine = cip
        .create_user_pool_client()
        .user_pool_id(&pool_id)
        .client_name("machine")
        .generate_secret(true)
        .allowed_o_auth_flows_user_pool_client(true)
        .allowed_o_auth_flows(OAuthFlowType::ClientCredentials)
        .allowed_o_auth_scopes(format!("{API}/write"))
        .send()
        .await
        .unwrap();
    let machine = machine.user_pool_client().unwrap();
    cip.admin_create_user()
        .user_pool_id(&pool_id)
        .username("ines")
        .user_attributes(
            aws_sdk_cognitoidentityprovider::types::AttributeType::builder()
                .name("email")
                .value("ines@example.com")
                .build()
                .unwrap(),
        )
        .message_action("SUPPRESS".into())
        .send()
        .await
        .unwrap();
    cip.admin_set_user_password()
        .user_pool_id(&pool_id)
        .username("ines")
        .password("Ines-Passw0rd!")
        .permanent(true)
        .send()
        .await
        .unwrap();
    // Signed in through the hosted UI, so the tokens carry the API's scopes.
    let authorize = format!(
        "{}/{DOMAIN}/oauth2/authorize?{}",
        mock.endpoint(),
        serde_urlencoded::to_string([
            ("response_type", "code"),
            ("client_id", app.as_str()),
            ("redirect_uri", CALLBACK),
            (
                "scope",
                &format!("openid email aws.cognito.signin.user.admin {API}/read {API}/write"),
            ),
        ])
        .unwrap()
    );
    let landed = Browser::new()
        .sign_in(&authorize, CALLBACK, "ines", "Ines-Passw0rd!")
        .await
        .unwrap();
    let code = landed
        .split("code=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap();
    let form = serde_urlencoded::to_string([
        ("grant_type", "authorization_code"),
        ("client_id", app.as_str()),
        ("code", code),
        ("redirect_uri", CALLBACK),
    ])
    .unwrap();
    let tokens = common::raw(
        mock.addr(),
        "POST",
        &format!("/{DOMAIN}/oauth2/token"),
        &[("content-type", "application/x-www-form-urlencoded")],
        form.as_bytes(),
    )
    .await
    .json();
    let result = tokens;
    World {
        access: result["access_token"].as_str().unwrap().to_owned(),
        id: result["id_token"].as_str().unwrap().to_owned(),
        service: service["ClientId"].as_str().unwrap().to_owned(),
        service_secret: service["ClientSecret"].as_str().unwrap().to_owned(),
        machine: machine.client_id().unwrap().to_owned(),
        machine_secret: machine.client_secret().unwrap().to_owned(),
        mock,
        cip,
        pool_id,
        app,
    }
}

impl World {
    async fn verify(&self, token: &str) -> Value {
        common::verify_jwt(self.mock.addr(), &self.pool_id, token, None)
            .await
            .unwrap_or_else(|e| panic!("the issued token does not verify: {e}"))
    }

    /// The machine client's own access token (client_credentials).
    async fn machine_token(&self) -> String {
        self.cip
            .get_client_token()
            .client_id(&self.machine)
            .secret(&self.machine_secret)
            .send()
            .await
            .unwrap()
            .client_authentication_result()
            .unwrap()
            .access_token()
            .unwrap()
            .to_owned()
    }

    /// GetDerivedToken with IAM credentials (SigV4), for `client` and the
    /// user's `subject` token of type `kind`, plus `extra` members.
    async fn exchange(&self, client: &str, subject: &str, kind: &str, extra: Value) -> Reply {
        let mut body = json!({
            "ClientId": client,
            "SubjectToken": subject,
            "SubjectTokenType": kind,
        });
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        common::call(self.mock.addr(), "GetDerivedToken", &body, true).await
    }

    /// An unsigned GetDerivedToken (no IAM credentials): the client
    /// authenticates with its secret, or not at all.
    async fn unsigned(&self, body: Value) -> Reply {
        common::call(self.mock.addr(), "GetDerivedToken", &body, false).await
    }
}

#[tokio::test]
async fn a_users_access_token_is_narrowed_to_a_resource_servers_scope_and_audience() {
    let w = world().await;
    let scopes = json!([format!("{API}/read"), format!("{API}/write")]);
    let extra = json!({ "Resources": [API], "Scopes": scopes });
    let out = answer(
        w.exchange(&w.service, &w.access, "ACCESS_TOKEN", extra)
            .await,
    );
    assert_eq!(out["IssuedTokenType"], "ACCESS_TOKEN");
    assert_eq!(out["TokenType"], "Bearer");
    // write: the service is not allowed it, and the user's token lacks it.
    assert_eq!(out["Scopes"], json!([format!("{API}/read")]));
    let claims = w.verify(out["IssuedToken"].as_str().unwrap()).await;
    let user = w.verify(&w.access).await;
    assert_eq!(claims["sub"], user["sub"]);
    assert_eq!(claims["username"], "ines");
    assert_eq!(claims["token_use"], "access");
    assert_eq!(claims["client_id"], w.service.as_str());
    assert_eq!(claims["aud"], API);
    assert_eq!(claims["scope"], format!("{API}/read"));
    assert!(
        claims.get("act").is_none(),
        "impersonation has no act claim"
    );
    let exp = claims["exp"].as_i64().unwrap();
    assert!(exp <= user["exp"].as_i64().unwrap(), "outlives its subject");
    assert_eq!(out["ExpiresIn"], exp - claims["iat"].as_i64().unwrap());

    // With no scopes asked for: the subject's. The derived token shares
    // the sign-in's origin_jti, so signing out ends it too.
    let plain = answer(
        w.exchange(&w.service, &w.access, "ACCESS_TOKEN", json!({}))
            .await,
    );
    let held: Vec<&str> = user["scope"].as_str().unwrap().split(' ').collect();
    assert_eq!(plain["Scopes"], json!(held));
    let token = plain["IssuedToken"].as_str().unwrap();
    let me = w.cip.get_user().access_token(token).send().await.unwrap();
    assert_eq!(me.username(), "ines");
    w.cip
        .global_sign_out()
        .access_token(&w.access)
        .send()
        .await
        .unwrap();
    let after = w.cip.get_user().access_token(token).send().await;
    assert_eq!(
        common::sdk_error(after.unwrap_err()).0,
        "NotAuthorizedException"
    );
    let again = w
        .exchange(&w.service, &w.access, "ACCESS_TOKEN", json!({}))
        .await;
    let (code, message) = refused(again);
    assert_eq!(code, "NotAuthorizedException");
    assert!(message.contains("revoked"), "{message}");
}

#[tokio::test]
async fn delegation_carries_the_actor_and_an_id_token_can_be_derived() {
    let w = world().await;
    let actor = w.machine_token().await;
    let extra = json!({
        "ActorToken": actor,
        "ActorTokenType": "ACCESS_TOKEN",
        "Audiences": ["billing"],
    });
    let out = answer(w.exchange(&w.service, &w.id, "ID_TOKEN", extra).await);
    let claims = w.verify(out["IssuedToken"].as_str().unwrap()).await;
    assert_eq!(claims["aud"], "billing");
    assert_eq!(claims["act"]["sub"], w.machine.as_str());
    assert_eq!(claims["act"]["client_id"], w.machine.as_str());
    // An ID token carries no scopes: those of the sign-in it came from.
    let subject = w.verify(&w.access).await;
    assert_eq!(claims["scope"], subject["scope"]);

    let extra = json!({ "RequestedTokenType": "ID_TOKEN", "Audiences": ["billing"] });
    let id = answer(
        w.exchange(&w.service, &w.access, "ACCESS_TOKEN", extra)
            .await,
    );
    assert_eq!(id["IssuedTokenType"], "ID_TOKEN");
    assert_eq!(id["TokenType"], "N_A");
    let token = id["IssuedToken"].as_str().unwrap();
    let id_claims = common::verify_jwt(w.mock.addr(), &w.pool_id, token, Some("billing"))
        .await
        .unwrap();
    assert_eq!(id_claims["token_use"], "id");
    assert_eq!(id_claims["cognito:username"], "ines");
    assert_eq!(id_claims["email"], "ines@example.com");
}

#[tokio::test]
async fn refusals_come_as_aws_reports_them() {
    let w = world().await;
    let access = |client: &str, extra: Value| {
        let (client, access) = (client.to_owned(), w.access.clone());
        let w = &w;
        async move { refused(w.exchange(&client, &access, "ACCESS_TOKEN", extra).await) }
    };

    // The app client allows neither token-exchange flow.
    let (code, message) = access(&w.app, json!({})).await;
    assert_eq!(code, "InvalidParameterException");
    assert!(message.contains("IMPERSONATION"), "{message}");
    // Delegation needs the actor's type too.
    let (code, _) = access(&w.service, json!({ "ActorToken": w.access })).await;
    assert_eq!(code, "InvalidParameterException");
    // Audiences and Resources exclude each other; resources must exist.
    let both = json!({ "Audiences": ["x"], "Resources": [API] });
    assert_eq!(
        access(&w.service, both).await.0,
        "InvalidParameterException"
    );
    let unknown = json!({ "Resources": ["https://nowhere.example.com"] });
    assert_eq!(
        access(&w.service, unknown).await.0,
        "ResourceNotFoundException"
    );
    // A scope the subject lacks, and one that does not exist.
    let lacking = json!({ "Scopes": ["https://other.example.com/read"] });
    assert_eq!(
        access(&w.service, lacking).await.0,
        "InvalidParameterException"
    );
    let missing = json!({ "Scopes": ["api/none"] });
    assert_eq!(
        access(&w.service, missing).await.0,
        "InvalidParameterException"
    );
    // An ID token declared as an access token; a tampered token.
    let wrong_type = w
        .exchange(&w.service, &w.id, "ACCESS_TOKEN", json!({}))
        .await;
    assert_eq!(refused(wrong_type).0, "NotAuthorizedException");
    let mut tampered = w.access.clone();
    let last = tampered.pop().unwrap();
    tampered.push(if last == 'A' { 'B' } else { 'A' });
    let forged = w
        .exchange(&w.service, &tampered, "ACCESS_TOKEN", json!({}))
        .await;
    assert_eq!(refused(forged).0, "NotAuthorizedException");
    // SAML assertions are not something the emulator can verify: said so.
    let saml = w.exchange(&w.service, "PHNhbWw+", "SAML2", json!({})).await;
    let (code, message) = refused(saml);
    assert_eq!(code, "InvalidParameterException");
    assert!(message.contains("SAML"), "{message}");

    // The model marks the operation as signed (IAM credentials); a client
    // secret, when one is given, must still be the client's.
    let unsigned = w.unsigned(json!({
        "ClientId": w.service,
        "ClientSecret": w.service_secret,
        "SubjectToken": w.access,
        "SubjectTokenType": "ACCESS_TOKEN",
    }));
    assert_eq!(
        refused(unsigned.await).0,
        "MissingAuthenticationTokenException"
    );
    let wrong = json!({ "ClientSecret": "wrongsecretwrongsecret1234" });
    assert_eq!(access(&w.service, wrong).await.0, "NotAuthorizedException");
    let right = json!({ "ClientSecret": w.service_secret });
    answer(
        w.exchange(&w.service, &w.access, "ACCESS_TOKEN", right)
            .await,
    );
}

#[tokio::test]
async fn the_token_endpoint_takes_the_token_exchange_grant() {
    let w = world().await;
    let post = |form: Vec<(&str, String)>| {
        let body = serde_urlencoded::to_string(&form).unwrap();
        let basic = base64_basic(&w.service, &w.service_secret);
        let addr = w.mock.addr();
        async move {
            common::raw(
                addr,
                "POST",
                &format!("/{DOMAIN}/oauth2/token"),
                &[
                    ("content-type", "application/x-www-form-urlencoded"),
                    ("authorization", &basic),
                ],
                body.as_bytes(),
            )
            .await
        }
    };
    let grant = "urn:ietf:params:oauth:grant-type:token-exchange".to_owned();
    let access_urn = "urn:ietf:params:oauth:token-type:access_token".to_owned();
    let reply = post(vec![
        ("grant_type", grant.clone()),
        ("subject_token", w.access.clone()),
        ("subject_token_type", access_urn.clone()),
        ("resource", API.to_owned()),
        ("scope", format!("{API}/read")),
    ])
    .await;
    assert_eq!(reply.status, 200, "{}", reply.json());
    let answer = reply.json();
    assert_eq!(answer["issued_token_type"], access_urn);
    assert_eq!(answer["token_type"], "Bearer");
    assert_eq!(answer["scope"], format!("{API}/read"));
    let claims = w.verify(answer["access_token"].as_str().unwrap()).await;
    assert_eq!(claims["aud"], API);
    assert_eq!(claims["username"], "ines");

    let unknown_type = post(vec![
        ("grant_type", grant.clone()),
        ("subject_token", w.access.clone()),
        ("subject_token_type", "urn:example:legacy".to_owned()),
    ])
    .await;
    assert_eq!(unknown_type.status, 400);
    assert_eq!(unknown_type.json()["error"], "invalid_request");
    let forged = post(vec![
        ("grant_type", grant),
        ("subject_token", format!("{}x", w.access)),
        ("subject_token_type", access_urn),
    ])
    .await;
    assert_eq!(forged.json()["error"], "invalid_grant");
}

fn base64_basic(id: &str, secret: &str) -> String {
    use base64::Engine;
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"))
    )
}
