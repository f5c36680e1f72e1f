//! A minimal loopback HTTP/1.1 client for driving the mock's wire protocol
//! byte for byte (the official SDK clients come with the SDK integration).

#![allow(dead_code)]

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
    pub fn error_type(&self) -> String {
        self.json()["__type"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }
}

/// Sends one raw request and reads the whole response.
pub async fn raw(
    addr: std::net::SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Reply {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nconnection: close\r\ncontent-length: {}\r\n",
        body.len()
    );
    if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("host")) {
        head.push_str(&format!("host: {addr}\r\n"));
    }
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).await.unwrap();
    // A server may refuse an oversized body before reading it all.
    let _ = stream.write_all(body).await;
    let mut buf = Vec::new();
    let _ = stream.read_to_end(&mut buf).await;
    let split = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("response has a header block");
    let head = String::from_utf8_lossy(&buf[..split]).to_string();
    let mut lines = head.lines();
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    Reply {
        status,
        headers,
        body: buf[split + 4..].to_vec(),
    }
}

/// The region a client calling about `body` is configured for: that of the
/// pool or identity it names, as on AWS, else `us-east-1`.
pub fn region_of(body: &Value) -> String {
    ["UserPoolId", "IdentityPoolId", "IdentityId"]
        .iter()
        .find_map(|member| body[*member].as_str())
        .and_then(|id| id.split(['_', ':']).next())
        .unwrap_or("us-east-1")
        .to_owned()
}

/// One AWS JSON 1.1 call. `signed` adds a (dummy) SigV4 Authorization header
/// for the region of the resource the body names.
pub async fn call(addr: std::net::SocketAddr, target: &str, body: &Value, signed: bool) -> Reply {
    let region = signed.then(|| region_of(body));
    call_in(addr, target, body, region.as_deref()).await
}

/// One AWS JSON 1.1 call, signed (a dummy SigV4 header) for `region` if
/// given, else unsigned.
pub async fn call_in(
    addr: std::net::SocketAddr,
    target: &str,
    body: &Value,
    region: Option<&str>,
) -> Reply {
    let target_header = if target.contains('.') {
        target.to_owned()
    } else {
        format!("AWSCognitoIdentityProviderService.{target}")
    };
    let auth = region.map(|region| {
        format!(
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/{region}/cognito-idp/aws4_request, SignedHeaders=host, Signature=00"
        )
    });
    let mut headers = vec![
        ("content-type", "application/x-amz-json-1.1"),
        ("x-amz-target", target_header.as_str()),
    ];
    if let Some(auth) = &auth {
        headers.push(("authorization", auth.as_str()));
    }
    raw(addr, "POST", "/", &headers, body.to_string().as_bytes()).await
}

/// A call that must succeed; returns its JSON.
pub async fn ok(addr: std::net::SocketAddr, target: &str, body: Value) -> Value {
    let reply = call(addr, target, &body, true).await;
    assert_eq!(
        reply.status,
        200,
        "{target}: {}",
        String::from_utf8_lossy(&reply.body)
    );
    reply.json()
}

/// Dummy SigV4 credentials: the mock accepts any signature on admin calls.
pub fn admin_credentials() -> aws_credential_types::Credentials {
    aws_credential_types::Credentials::new("AKIDMOCKEXAMPLE", "mock-secret", None, None, "test")
}

/// The official user-pool client, pointed at the mock.
pub fn user_pool_client(endpoint: &str) -> aws_sdk_cognitoidentityprovider::Client {
    use aws_sdk_cognitoidentityprovider::config::{BehaviorVersion, Region};
    aws_sdk_cognitoidentityprovider::Client::from_conf(
        aws_sdk_cognitoidentityprovider::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .endpoint_url(endpoint)
            .credentials_provider(admin_credentials())
            .build(),
    )
}

/// The official identity-pool client, pointed at the mock.
pub fn identity_pool_client(endpoint: &str) -> aws_sdk_cognitoidentity::Client {
    use aws_sdk_cognitoidentity::config::{BehaviorVersion, Region};
    aws_sdk_cognitoidentity::Client::from_conf(
        aws_sdk_cognitoidentity::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .endpoint_url(endpoint)
            .credentials_provider(admin_credentials())
            .build(),
    )
}

/// (code, message) of any of the SDKs' errors (they share these types).
pub fn sdk_error<E, R>(e: aws_sdk_cognitoidentity::error::SdkError<E, R>) -> (String, String)
where
    E: aws_sdk_cognitoidentity::error::ProvideErrorMetadata,
{
    use aws_sdk_cognitoidentity::error::ProvideErrorMetadata;
    (
        e.code().unwrap_or_default().to_owned(),
        e.message().unwrap_or_default().to_owned(),
    )
}

/// A JSON object of strings (ChallengeParameters, say) as a map.
pub fn string_map(v: &Value) -> std::collections::HashMap<String, String> {
    v.as_object()
        .expect("an object")
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().expect("a string").to_owned()))
        .collect()
}

/// Verifies a token with `jsonwebtoken` (RS256) against the JWKS the mock
/// serves for `pool_id` (a us-east-1 pool): signature, issuer, expiry and,
/// when given, audience. Returns the claims.
pub async fn verify_jwt(
    addr: std::net::SocketAddr,
    pool_id: &str,
    token: &str,
    audience: Option<&str>,
) -> Result<Value, String> {
    use jsonwebtoken::{Algorithm, DecodingKey, Validation};
    let jwks = raw(
        addr,
        "GET",
        &format!("/{pool_id}/.well-known/jwks.json"),
        &[],
        b"",
    )
    .await
    .json();
    let header = jsonwebtoken::decode_header(token).map_err(|e| e.to_string())?;
    let jwk = jwks["keys"]
        .as_array()
        .ok_or("no keys in the JWKS")?
        .iter()
        .find(|k| k["kid"].as_str() == header.kid.as_deref())
        .ok_or("kid not in JWKS")?;
    let key = DecodingKey::from_rsa_components(
        jwk["n"].as_str().unwrap_or_default(),
        jwk["e"].as_str().unwrap_or_default(),
    )
    .map_err(|e| e.to_string())?;
    let mut validation = Validation::new(Algorithm::RS256);
    // A pool id starts with its region.
    let region = pool_id.split('_').next().unwrap_or("us-east-1");
    validation.set_issuer(&[format!(
        "https://cognito-idp.{region}.amazonaws.com/{pool_id}"
    )]);
    match audience {
        Some(aud) => validation.set_audience(&[aud]),
        None => validation.validate_aud = false,
    }
    jsonwebtoken::decode::<Value>(token, &key, &validation)
        .map(|d| d.claims)
        .map_err(|e| e.to_string())
}

/// The JSON of a reply that must be a success.
pub fn answer(reply: Reply) -> Value {
    assert_eq!(
        reply.status,
        200,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    reply.json()
}

/// (`__type`, message) of a reply that must be an AWS JSON error (400).
pub fn refused(reply: Reply) -> (String, String) {
    assert_eq!(
        reply.status,
        400,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    let message = reply.json()["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    (reply.error_type(), message)
}

/// Creates `username` in `pool_id` through the SDK as an administrator
/// would for a test: no invitation sent, these attributes, and `password`
/// set as permanent (the user is CONFIRMED).
pub async fn confirmed_user(
    cip: &aws_sdk_cognitoidentityprovider::Client,
    pool_id: &str,
    username: &str,
    attributes: &[(&str, &str)],
    password: &str,
) {
    use aws_sdk_cognitoidentityprovider::types::{AttributeType, MessageActionType};
    let attributes = attributes
        .iter()
        .map(|(n, v)| AttributeType::builder().name(*n).value(*v).build().unwrap())
        .collect();
    cip.admin_create_user()
        .user_pool_id(pool_id)
        .username(username)
        .set_user_attributes(Some(attributes))
        .message_action(MessageActionType::Suppress)
        .send()
        .await
        .unwrap();
    cip.admin_set_user_password()
        .user_pool_id(pool_id)
        .username(username)
        .password(password)
        .permanent(true)
        .send()
        .await
        .unwrap();
}

/// The events a trigger handler appended to `<file>.events.jsonl`, in
/// order (the test handlers record what they receive there).
pub fn handler_events(path: &std::path::Path) -> Vec<Value> {
    std::fs::read_to_string(format!("{}.events.jsonl", path.display()))
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// The newest entry of the mock's outbox (`/_mock/codes`) for `username`:
/// its code, subject and message.
pub async fn newest_outbox_entry(
    addr: std::net::SocketAddr,
    pool_id: &str,
    username: &str,
) -> Value {
    let codes = raw(
        addr,
        "GET",
        &format!("/_mock/codes?user_pool_id={pool_id}&username={username}"),
        &[],
        b"",
    )
    .await
    .json();
    codes["codes"]
        .as_array()
        .and_then(|all| all.last())
        .cloned()
        .unwrap_or_else(|| panic!("no code for {username} in {pool_id}"))
}
