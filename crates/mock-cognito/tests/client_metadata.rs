//! Client ID metadata documents (CIMD) end to end: a policy maps URL
//! patterns to an app client; a browser signs in through the hosted UI
//! with a URL as `client_id`; the document is read (from a local file, or
//! over HTTPS from a loopback server with its own CA), checked, cached and
//! listed; tokens name the URL; the cache is invalidated and refreshed.

mod common;

use std::io::Write;
use std::sync::Arc;

use common::Reply;
use mock_cognito::MockCognito;
use mock_cognito::browser::Browser;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const DOMAIN: &str = "cimd-demo";
const APP_CALLBACK: &str = "https://app.example.com/callback";
const TOOL_CALLBACK: &str = "http://127.0.0.1:7777/callback";
const TOOL: &str = "https://tools.example.com/clients/inspector.json";
const IMPOSTOR: &str = "https://tools.example.com/clients/impostor.json";

fn document(url: &str, extra: Value) -> Value {
    let mut doc = json!({
        "client_id": url,
        "client_name": "Inspector",
        "redirect_uris": [TOOL_CALLBACK],
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "token_endpoint_auth_method": "none",
        "scope": "openid email",
    });
    for (k, v) in extra.as_object().unwrap() {
        doc[k] = v.clone();
    }
    doc
}

fn temp_file(name: &str, contents: &Value) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("cimd-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    let mut file = std::fs::File::create(&path).unwrap();
    file.write_all(contents.to_string().as_bytes()).unwrap();
    path
}

struct World {
    mock: MockCognito,
    pool_id: String,
    app: String,
}

async fn call(w: &World, target: &str, body: Value) -> Reply {
    common::call(w.mock.addr(), target, &body, true).await
}

async fn ok(w: &World, target: &str, body: Value) -> Value {
    common::ok(w.mock.addr(), target, body).await
}

/// A pool with a domain, an OAuth app client and a user, on `mock`.
async fn world(mock: MockCognito) -> World {
    let addr = mock.addr();
    let pool = common::ok(addr, "CreateUserPool", json!({ "PoolName": "cimd" })).await;
    let pool_id = pool["UserPool"]["Id"].as_str().unwrap().to_owned();
    common::ok(
        addr,
        "CreateUserPoolDomain",
        json!({ "UserPoolId": pool_id, "Domain": DOMAIN }),
    )
    .await;
    let app = common::ok(
        addr,
        "CreateUserPoolClient",
        json!({
            "UserPoolId": pool_id,
            "ClientName": "app",
            "AllowedOAuthFlowsUserPoolClient": true,
            "AllowedOAuthFlows": ["code"],
            "AllowedOAuthScopes": ["openid", "email", "profile"],
            "CallbackURLs": [APP_CALLBACK],
            "SupportedIdentityProviders": ["COGNITO"],
        }),
    )
    .await;
    let app = app["UserPoolClient"]["ClientId"]
        .as_str()
        .unwrap()
        .to_owned();
    common::ok(
        addr,
        "AdminCreateUser",
        json!({
            "UserPoolId": pool_id, "Username": "lee", "MessageAction": "SUPPRESS",
            "UserAttributes": [{ "Name": "email", "Value": "lee@example.com" }],
        }),
    )
    .await;
    common::ok(
        addr,
        "AdminSetUserPassword",
        json!({
            "UserPoolId": pool_id, "Username": "lee", "Password": "Lee-Passw0rd!", "Permanent": true,
        }),
    )
    .await;
    World { mock, pool_id, app }
}

impl World {
    fn authorize_url(&self, client_id: &str, redirect_uri: &str, scope: &str) -> String {
        format!(
            "{}/{DOMAIN}/oauth2/authorize?{}",
            self.mock.endpoint(),
            serde_urlencoded::to_string([
                ("response_type", "code"),
                ("client_id", client_id),
                ("redirect_uri", redirect_uri),
                ("scope", scope),
            ])
            .unwrap()
        )
    }

    /// Signs lee in with `client_id`; the authorization code.
    async fn code(&self, client_id: &str, redirect_uri: &str) -> String {
        let landed = Browser::new()
            .sign_in(
                &self.authorize_url(client_id, redirect_uri, "openid email"),
                redirect_uri,
                "lee",
                "Lee-Passw0rd!",
            )
            .await
            .unwrap();
        landed
            .split("code=")
            .nth(1)
            .unwrap()
            .split('&')
            .next()
            .unwrap()
            .to_owned()
    }

    /// The error page an authorize request gets.
    async fn refused(&self, client_id: &str, redirect_uri: &str) -> String {
        let page = Browser::new()
            .get(&self.authorize_url(client_id, redirect_uri, "openid"))
            .await
            .unwrap();
        page.error_message().expect("an error page")
    }

    async fn token(&self, form: &[(&str, &str)]) -> Reply {
        common::raw(
            self.mock.addr(),
            "POST",
            &format!("/{DOMAIN}/oauth2/token"),
            &[("content-type", "application/x-www-form-urlencoded")],
            serde_urlencoded::to_string(form).unwrap().as_bytes(),
        )
        .await
    }

    async fn create_policy(&self, patterns: Value) -> String {
        let created = ok(
            self,
            "CreateCIMDPolicy",
            json!({
                "UserPoolId": self.pool_id,
                "ClientId": self.app,
                "PolicyName": "tools",
                "URLPatterns": patterns,
            }),
        )
        .await;
        created["CIMDPolicy"]["CIMDPolicyId"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    async fn cached_urls(&self, policy: &str) -> Vec<Value> {
        let listed = ok(
            self,
            "ListClientMetadataURLs",
            json!({ "UserPoolId": self.pool_id, "CIMDPolicyId": policy }),
        )
        .await;
        listed["ClientMetadataURLs"].as_array().unwrap().clone()
    }
}

#[tokio::test]
async fn a_url_client_signs_in_through_the_hosted_ui_with_its_document() {
    let tool_doc = temp_file("inspector.json", &document(TOOL, json!({})));
    let impostor_doc = temp_file("impostor.json", &document(TOOL, json!({})));
    let mock = MockCognito::builder()
        .client_metadata_document(TOOL, tool_doc)
        .client_metadata_document(IMPOSTOR, impostor_doc)
        .start()
        .await
        .unwrap();
    let w = world(mock).await;

    // No policy yet: the URL is no client of this pool.
    let why = w.refused(TOOL, TOOL_CALLBACK).await;
    assert!(why.contains("no CIMD policy"), "{why}");

    let policy = w
        .create_policy(json!(["https://tools.example.com/clients/*.json"]))
        .await;
    let described = ok(
        &w,
        "DescribeCIMDPolicy",
        json!({ "UserPoolId": w.pool_id, "CIMDPolicyId": policy }),
    )
    .await;
    assert_eq!(described["CIMDPolicy"]["ClientId"], w.app.as_str());
    assert_eq!(
        described["CIMDPolicy"]["URLPatterns"],
        json!(["https://tools.example.com/clients/*.json"])
    );
    assert!(w.cached_urls(&policy).await.is_empty());

    // The document's redirect URIs, not the app client's, are the client's.
    let why = w.refused(TOOL, APP_CALLBACK).await;
    assert!(why.contains("redirect_mismatch"), "{why}");
    let code = w.code(TOOL, TOOL_CALLBACK).await;
    let tokens = w
        .token(&[
            ("grant_type", "authorization_code"),
            ("client_id", TOOL),
            ("code", &code),
            ("redirect_uri", TOOL_CALLBACK),
        ])
        .await;
    assert_eq!(tokens.status, 200, "{}", tokens.json());
    let tokens = tokens.json();
    let id = tokens["id_token"].as_str().unwrap();
    let claims = common::verify_jwt(w.mock.addr(), &w.pool_id, id, Some(TOOL))
        .await
        .unwrap();
    assert_eq!(claims["cognito:username"], "lee");
    let access = common::verify_jwt(
        w.mock.addr(),
        &w.pool_id,
        tokens["access_token"].as_str().unwrap(),
        None,
    )
    .await
    .unwrap();
    assert_eq!(access["client_id"], TOOL);
    // The document lists refresh_token: the refresh token works.
    let refreshed = w
        .token(&[
            ("grant_type", "refresh_token"),
            ("client_id", TOOL),
            ("refresh_token", tokens["refresh_token"].as_str().unwrap()),
        ])
        .await;
    assert_eq!(refreshed.status, 200, "{}", refreshed.json());
    // A public client: client_credentials is never a CIMD grant.
    let machine = w
        .token(&[("grant_type", "client_credentials"), ("client_id", TOOL)])
        .await;
    assert_eq!(machine.json()["error"], "unauthorized_client");

    // Cached for the default day, and listed.
    let cached = w.cached_urls(&policy).await;
    assert_eq!(cached.len(), 1);
    assert_eq!(cached[0]["URL"], TOOL);
    let life =
        cached[0]["ExpirationDate"].as_f64().unwrap() - cached[0]["CachedDate"].as_f64().unwrap();
    assert_eq!(life, 86_400.0);

    // A document that names another URL is refused, and not cached.
    let why = w.refused(IMPOSTOR, TOOL_CALLBACK).await;
    assert!(why.contains("invalid_client_metadata"), "{why}");
    assert_eq!(w.cached_urls(&policy).await.len(), 1);

    // REFRESH expires the copy; INVALIDATE drops it; the next authorize
    // request fetches it again.
    let state = |url: &str, action: &str| json!({ "UserPoolId": w.pool_id, "CIMDPolicyId": policy, "URL": url, "Action": action });
    ok(&w, "UpdateClientMetadataURLState", state(TOOL, "REFRESH")).await;
    let expired = w.cached_urls(&policy).await;
    assert!(expired[0]["ExpirationDate"].as_f64() <= cached[0]["ExpirationDate"].as_f64());
    ok(
        &w,
        "UpdateClientMetadataURLState",
        state(TOOL, "INVALIDATE"),
    )
    .await;
    assert!(w.cached_urls(&policy).await.is_empty());
    let missing = call(
        &w,
        "UpdateClientMetadataURLState",
        state(TOOL, "INVALIDATE"),
    )
    .await;
    assert_eq!(missing.error_type(), "CachedCIMDURLDoesNotExistException");
    w.code(TOOL, TOOL_CALLBACK).await;
    assert_eq!(w.cached_urls(&policy).await.len(), 1);

    // Patterns that no longer match drop the cached URL; a deleted app
    // client leaves the policy without a ClientId.
    ok(
        &w,
        "UpdateCIMDPolicy",
        json!({
            "UserPoolId": w.pool_id, "CIMDPolicyId": policy, "ClientId": w.app,
            "URLPatterns": ["https://other.example.com/*"],
        }),
    )
    .await;
    assert!(w.cached_urls(&policy).await.is_empty());
    ok(
        &w,
        "DeleteUserPoolClient",
        json!({ "UserPoolId": w.pool_id, "ClientId": w.app }),
    )
    .await;
    let orphan = ok(&w, "ListCIMDPolicies", json!({ "UserPoolId": w.pool_id })).await;
    assert_eq!(orphan["CIMDPolicies"].as_array().unwrap().len(), 1);
    assert!(
        orphan["CIMDPolicies"][0].get("ClientId").is_none(),
        "{orphan}"
    );
    ok(
        &w,
        "DeleteCIMDPolicy",
        json!({ "UserPoolId": w.pool_id, "CIMDPolicyId": policy }),
    )
    .await;
    let gone = call(
        &w,
        "DescribeCIMDPolicy",
        json!({ "UserPoolId": w.pool_id, "CIMDPolicyId": policy }),
    )
    .await;
    assert_eq!(gone.error_type(), "ResourceNotFoundException");
}

#[tokio::test]
async fn policies_are_checked_as_aws_checks_them() {
    let w = world(MockCognito::start().await.unwrap()).await;
    let create = |client: &str, patterns: Value| {
        json!({
            "UserPoolId": w.pool_id, "ClientId": client, "PolicyName": "p", "URLPatterns": patterns,
        })
    };
    let plain_http = call(
        &w,
        "CreateCIMDPolicy",
        create(&w.app, json!(["http://x.example/*"])),
    )
    .await;
    assert_eq!(plain_http.error_type(), "InvalidParameterException");
    let no_client = call(
        &w,
        "CreateCIMDPolicy",
        create("nosuchclient", json!(["https://x.example/*"])),
    )
    .await;
    assert_eq!(no_client.error_type(), "ResourceNotFoundException");
    let too_many = call(
        &w,
        "CreateCIMDPolicy",
        create(
            &w.app,
            json!([
                "https://a/*",
                "https://b/*",
                "https://c/*",
                "https://d/*",
                "https://e/*",
                "https://f/*"
            ]),
        ),
    )
    .await;
    assert_eq!(too_many.status, 400);
    let mut short_cache = create(&w.app, json!(["https://x.example/*"]));
    short_cache["CacheDuration"] = json!(60);
    assert_eq!(call(&w, "CreateCIMDPolicy", short_cache).await.status, 400);
}

/// A loopback HTTPS server with a self-signed certificate for `localhost`,
/// answering every request with `status`, `extra` headers and the body
/// `body_for` makes for its port. Returns the port and the certificate (PEM).
async fn https_server(
    status: &'static str,
    extra: &'static str,
    body_for: impl FnOnce(u16) -> String,
) -> (u16, String) {
    use tokio_rustls::rustls;
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let cert_der = certified.cert.der().clone();
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(certified.signing_key.serialize_der().into());
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(vec![cert_der.clone()], key)
    .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let body = body_for(port);
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let (acceptor, body) = (acceptor.clone(), body.clone());
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let mut request = Vec::new();
                let mut buf = [0u8; 1024];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match tls.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&buf[..n]),
                    }
                }
                let response = format!(
                    "HTTP/1.1 {status}\r\ncontent-type: application/json\r\n{extra}content-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = tls.write_all(response.as_bytes()).await;
                let _ = tls.shutdown().await;
            });
        }
    });
    use base64::Engine;
    let encoded = base64::engine::general_purpose::STANDARD.encode(cert_der.as_ref());
    let lines: Vec<&str> = encoded
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    let pem = format!(
        "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
        lines.join("\n")
    );
    (port, pem)
}

fn local_url(port: u16) -> String {
    format!("https://localhost:{port}/client.json")
}

#[tokio::test]
async fn documents_are_fetched_over_https_and_cached_as_the_server_says() {
    let (port, pem) = https_server(
        "200 OK",
        "cache-control: public, max-age=172800\r\n",
        |port| document(&local_url(port), json!({})).to_string(),
    )
    .await;
    let (other_port, other_pem) = https_server("200 OK", "", |_| {
        document("https://localhost:1/client.json", json!({})).to_string()
    })
    .await;
    let (moved_port, moved_pem) =
        https_server("302 Found", "location: https://example.com/\r\n", |_| {
            String::new()
        })
        .await;
    let mock = MockCognito::builder()
        .client_metadata_trust_root(pem)
        .client_metadata_trust_root(other_pem)
        .client_metadata_trust_root(moved_pem)
        .start()
        .await
        .unwrap();
    let w = world(mock).await;
    let policy = w
        .create_policy(json!(["https://localhost:*/client.json"]))
        .await;

    w.code(&local_url(port), TOOL_CALLBACK).await;
    let cached = w.cached_urls(&policy).await;
    assert_eq!(cached.len(), 1);
    assert_eq!(cached[0]["URL"], local_url(port));
    let life =
        cached[0]["ExpirationDate"].as_f64().unwrap() - cached[0]["CachedDate"].as_f64().unwrap();
    assert_eq!(
        life, 172_800.0,
        "the server's max-age, within a day and a year"
    );

    // A document naming another URL, and a redirect: refused, not cached.
    let why = w.refused(&local_url(other_port), TOOL_CALLBACK).await;
    assert!(why.contains("client_id"), "{why}");
    let why = w.refused(&local_url(moved_port), TOOL_CALLBACK).await;
    assert!(why.contains("302"), "{why}");
    assert_eq!(w.cached_urls(&policy).await.len(), 1);

    // Without the server's certificate among the trust roots: refused.
    let untrusting = world(MockCognito::start().await.unwrap()).await;
    untrusting
        .create_policy(json!(["https://localhost:*/client.json"]))
        .await;
    let why = untrusting.refused(&local_url(port), TOOL_CALLBACK).await;
    assert!(why.contains("invalid_client_metadata"), "{why}");
}

#[tokio::test]
async fn a_seed_file_maps_document_urls_to_files_beside_it() {
    let doc = temp_file("seeded.json", &document(TOOL, json!({})));
    let seed = doc.with_file_name("seed.toml");
    std::fs::write(
        &seed,
        format!("[client_metadata_documents]\n\"{TOOL}\" = \"seeded.json\"\n"),
    )
    .unwrap();
    let mock = MockCognito::builder()
        .seed_file(&seed)
        .start()
        .await
        .unwrap();
    let w = world(mock).await;
    let policy = w
        .create_policy(json!(["https://tools.example.com/*"]))
        .await;
    w.code(TOOL, TOOL_CALLBACK).await;
    assert_eq!(w.cached_urls(&policy).await.len(), 1);
}
