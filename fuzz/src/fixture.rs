//! The seeded mock every HTTP target talks to, built once per process.
//!
//! The seed is the repository's `examples/mock-config.toml` (the hosted-UI
//! tests' seed too), so the corpus can name its fixed ids: pool
//! `ap-northeast-1_Example01`, domain `example`, clients `1example…`
//! (public) and `2example…` (with a secret), users `alice` and `bob`
//! (`FORCE_CHANGE_PASSWORD`), identity pool `ap-northeast-1:0000…0001`.
//! At build time alice signs in, gets an identity and AWS credentials, and
//! the fake Google and Facebook mint tokens: those are the placeholders
//! `{{ID_TOKEN}}`, `{{ACCESS_TOKEN}}`, `{{REFRESH_TOKEN}}`, `{{IDENTITY_ID}}`,
//! `{{OPENID_TOKEN}}`, `{{GOOGLE_TOKEN}}`, `{{FACEBOOK_TOKEN}}`,
//! `{{ACCESS_KEY_ID}}` and `{{SESSION_TOKEN}}`; `{{SECRET_HASH}}` is alice's
//! SECRET_HASH for the client with a secret. Per request, on demand:
//! `{{SRP_A}}`, `{{SECRET_BLOCK}}`, `{{TIMESTAMP}}` and `{{SIGNATURE}}` (a
//! fresh USER_SRP_AUTH start for alice and her honest answer), `{{CODE}}`
//! and `{{SESSION_COOKIE}}` (a fresh hosted-UI sign-in),
//! `{{NEW_PASSWORD_SESSION}}` (bob's NEW_PASSWORD_REQUIRED session), `{{NOW}}`,
//! `{{AMZ_DATE}}` and `{{DATE}}` (the mock's clock).
//!
//! Fuzzed requests change the mock. Sign-in failures would lock alice out
//! after five and a successful DeleteUserPool would end every deep path, so
//! after each request the target says what it may have changed
//! ([`Aftermath`]) and the fixture puts itself back: the users' passwords
//! and tokens, or the whole mock rebuilt from the seed. A crash input
//! therefore replays against (nearly) the state it was found in.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::UNIX_EPOCH;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cognito_srp::{CognitoTimestamp, Password, PasswordVerifierChallenge, PoolName, SrpClient};
use mock_cognito::SeedConfig;
use mock_cognito::fuzzing::{InProcessMock, InProcessReply};
use serde_json::{Value, json};

/// The seed, shared with the hosted-UI tests and the README.
pub const SEED: &str = include_str!("../../examples/mock-config.toml");
/// The seeded user pool.
pub const POOL_ID: &str = "ap-northeast-1_Example01";
/// Its hosted-UI domain.
pub const DOMAIN: &str = "example";
/// The public app client (SRP, password, refresh; code grant).
pub const PUBLIC_CLIENT: &str = "1example23456789abcdefghij";
/// The app client with a secret.
pub const CONFIDENTIAL_CLIENT: &str = "2example23456789abcdefghij";
/// Its secret.
pub const CONFIDENTIAL_SECRET: &str = "exampleclientsecret0123456789abcdefghijklmnopq";
/// The registered callback of the public client.
pub const CALLBACK: &str = "http://localhost:8080/callback";
/// The registered sign-out URL of the public client.
pub const LOGOUT_URL: &str = "http://localhost:8080/";
/// The seeded identity pool.
pub const IDENTITY_POOL_ID: &str = "ap-northeast-1:00000000-0000-4000-8000-000000000001";
/// The user-pool login key of the identity pool.
pub const USER_POOL_LOGIN: &str =
    "cognito-idp.ap-northeast-1.amazonaws.com/ap-northeast-1_Example01";
/// The confirmed user and her password.
pub const USER: &str = "alice";
/// alice's password.
pub const PASSWORD: &str = "Passw0rd!";
/// The PKCE verifier of `{{CODE}}` (S256); the corpus sends it back.
pub const PKCE_VERIFIER: &str = "fuzz-pkce-verifier-0123456789abcdefghijklmnopqrstuvwxyz";
/// The CSRF token the corpus uses as both cookie and form field.
pub const CSRF: &str = "fuzzcsrf0123456789abcdefghijklmnopqrstuv";
/// The honest SRP client's secret `a` (fixed, so crash inputs replay).
const SRP_CLIENT_SECRET: [u8; 32] = [0x5a; 32];
/// Tokens live an hour by the mock's clock: rebuild well before. The
/// mock's clock, not the wall clock, because `/_mock/clock` moves it.
const FIXTURE_LIFETIME_SECS: i64 = 30 * 60;
/// The mock locks a user out on the fifth failure in a row.
const FAILURES_BEFORE_RESET: u32 = 4;

/// What a fuzzed request may have changed, as its target judges.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Aftermath {
    /// Nothing the other inputs rely on.
    Clean,
    /// Possibly a failed sign-in (five in a row lock alice out).
    FailedSignIn,
    /// The users' passwords, status or sessions (reset them, mint new tokens).
    Users,
    /// Anything else (rebuild from the seed).
    Everything,
}

/// Values minted when the fixture is built.
#[derive(Debug, Clone)]
struct Minted {
    id_token: String,
    access_token: String,
    refresh_token: String,
    identity_id: String,
    openid_token: String,
    google_token: String,
    facebook_token: String,
    access_key_id: String,
    session_token: String,
}

/// The mock and what was minted on it.
#[derive(Debug)]
pub struct Fixture {
    mock: InProcessMock,
    minted: Minted,
    /// The mock's clock when the fixture was built.
    born_unix: i64,
    failures: u32,
}

static FIXTURE: Mutex<Option<Fixture>> = Mutex::new(None);

/// Runs `f` with the process's fixture, building it on first use (and again
/// when it has aged or a request damaged it).
pub fn with_fixture<R>(f: impl FnOnce(&mut Fixture) -> R) -> R {
    let mut slot = FIXTURE.lock().unwrap_or_else(|p| p.into_inner());
    let stale = |fx: &Fixture| {
        let age = fx.mock.clock().unix().saturating_sub(fx.born_unix);
        !(0..=FIXTURE_LIFETIME_SECS).contains(&age)
    };
    if slot.as_ref().is_none_or(stale) {
        *slot = Some(Fixture::build());
    }
    f(slot.as_mut().expect("built above"))
}

impl Fixture {
    fn build() -> Fixture {
        let seed = SeedConfig::from_toml(SEED).expect("the example seed parses");
        let mock = InProcessMock::new(&seed).expect("the example seed applies");
        let minted = mint(&mock);
        Fixture {
            born_unix: mock.clock().unix(),
            mock,
            minted,
            failures: 0,
        }
    }

    /// The mock.
    pub fn mock(&self) -> &InProcessMock {
        &self.mock
    }

    /// A token the fixture was issued, by placeholder name: `ID_TOKEN`,
    /// `ACCESS_TOKEN`, `OPENID_TOKEN`, `GOOGLE_TOKEN`, `FACEBOOK_TOKEN`.
    pub fn token(&self, name: &str) -> Option<&str> {
        let m = &self.minted;
        Some(match name {
            "ID_TOKEN" => &m.id_token,
            "ACCESS_TOKEN" => &m.access_token,
            "OPENID_TOKEN" => &m.openid_token,
            "GOOGLE_TOKEN" => &m.google_token,
            "FACEBOOK_TOKEN" => &m.facebook_token,
            _ => return None,
        })
    }

    /// Fills the placeholders of `input` (see the module docs).
    pub fn expand(&self, input: &[u8]) -> Vec<u8> {
        let names = crate::request::placeholders(input);
        let wants = |n: &str| names.iter().any(|x| x.split('.').next() == Some(n));
        let srp = ["SRP_A", "SECRET_BLOCK", "TIMESTAMP", "SIGNATURE"]
            .iter()
            .any(|n| wants(n))
            .then(|| self.srp_answer());
        let code = ["CODE", "SESSION_COOKIE"]
            .iter()
            .any(|n| wants(n))
            .then(|| self.hosted_ui_sign_in());
        let new_password_session = wants("NEW_PASSWORD_SESSION")
            .then(|| self.new_password_session())
            .flatten();
        let now = self.mock.clock().now();
        let unix = now.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
        let iso = CognitoTimestamp::from_system_time(now)
            .map(|t| t.iso8601())
            .unwrap_or_default();
        let amz_date: String = iso.chars().filter(|c| *c != '-' && *c != ':').collect();
        let m = &self.minted;
        crate::request::expand(input, &mut |name| {
            let v = match name {
                "ID_TOKEN" => m.id_token.clone(),
                "ACCESS_TOKEN" => m.access_token.clone(),
                "REFRESH_TOKEN" => m.refresh_token.clone(),
                "IDENTITY_ID" => m.identity_id.clone(),
                "OPENID_TOKEN" => m.openid_token.clone(),
                "GOOGLE_TOKEN" => m.google_token.clone(),
                "FACEBOOK_TOKEN" => m.facebook_token.clone(),
                "ACCESS_KEY_ID" => m.access_key_id.clone(),
                "SESSION_TOKEN" => m.session_token.clone(),
                "SECRET_HASH" => {
                    cognito_srp::secret_hash(USER, CONFIDENTIAL_CLIENT, CONFIDENTIAL_SECRET)
                }
                "NEW_PASSWORD_SESSION" => new_password_session.clone()?,
                "NOW" => unix.to_string(),
                "AMZ_DATE" => amz_date.clone(),
                "DATE" => amz_date.get(..8).unwrap_or_default().to_owned(),
                "SRP_A" => srp.as_ref()?.srp_a.clone(),
                "SECRET_BLOCK" => srp.as_ref()?.secret_block.clone(),
                "TIMESTAMP" => srp.as_ref()?.timestamp.clone(),
                "SIGNATURE" => srp.as_ref()?.signature.clone(),
                "CODE" => code.as_ref()?.0.clone(),
                "SESSION_COOKIE" => code.as_ref()?.1.clone(),
                _ => return None,
            };
            Some(v)
        })
    }

    /// Puts back what a request may have changed.
    pub fn settle(&mut self, aftermath: Aftermath) {
        match aftermath {
            Aftermath::Clean => {}
            Aftermath::FailedSignIn => {
                self.failures += 1;
                if self.failures >= FAILURES_BEFORE_RESET {
                    self.reset_users();
                }
            }
            Aftermath::Users => self.reset_users(),
            Aftermath::Everything => *self = Fixture::build(),
        }
    }

    /// alice and bob as seeded (passwords, status, no lockout) and fresh
    /// tokens; a rebuild if that fails (a user or the pool is gone).
    fn reset_users(&mut self) {
        let reset = [(USER, PASSWORD, true), ("bob", "Temp0rary!", false)]
            .iter()
            .all(|(user, password, permanent)| {
                let body = json!({"UserPoolId": POOL_ID, "Username": user,
                    "Password": password, "Permanent": permanent});
                self.try_json("AdminSetUserPassword", &body).is_some()
                    && self
                        .try_json(
                            "AdminEnableUser",
                            &json!({"UserPoolId": POOL_ID, "Username": user}),
                        )
                        .is_some()
            });
        let minted = reset.then(|| try_mint(&self.mock)).flatten();
        match minted {
            Some(minted) => {
                self.minted = minted;
                self.failures = 0;
            }
            None => *self = Fixture::build(),
        }
    }

    fn try_json(&self, op: &str, body: &Value) -> Option<Value> {
        call_json(&self.mock, user_pool_target(op).as_str(), body)
    }

    /// A fresh USER_SRP_AUTH start for alice and her honest answer.
    fn srp_answer(&self) -> SrpAnswer {
        let client = SrpClient::from_secret(&SRP_CLIENT_SECRET).expect("a valid secret");
        let srp_a = client.srp_a();
        let start = self
            .try_json(
                "InitiateAuth",
                &json!({"AuthFlow": "USER_SRP_AUTH", "ClientId": PUBLIC_CLIENT,
                    "AuthParameters": {"USERNAME": USER, "SRP_A": srp_a}}),
            )
            .expect("the fixture's SRP start succeeds");
        let params: HashMap<String, String> =
            serde_json::from_value(start["ChallengeParameters"].clone())
                .expect("challenge parameters are strings");
        let challenge = PasswordVerifierChallenge::from_parameters(&params)
            .expect("the mock's challenge is well formed");
        let pool = PoolName::from_user_pool_id(POOL_ID).expect("a valid pool id");
        let timestamp = CognitoTimestamp::from_system_time(self.mock.clock().now())
            .expect("the clock is after 1970");
        let claim = client
            .answer_password_verifier(&pool, &challenge, &Password::new(PASSWORD), timestamp)
            .expect("the mock's challenge can be answered");
        SrpAnswer {
            srp_a,
            secret_block: claim.secret_block,
            timestamp: claim.timestamp,
            signature: claim.signature,
        }
    }

    /// bob's NEW_PASSWORD_REQUIRED session, from a fresh sign-in with his
    /// temporary password (none if a request changed it since the last reset).
    fn new_password_session(&self) -> Option<String> {
        let reply = self.try_json(
            "InitiateAuth",
            &json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": PUBLIC_CLIENT,
                "AuthParameters": {"USERNAME": "bob", "PASSWORD": "Temp0rary!"}}),
        )?;
        Some(reply["Session"].as_str()?.to_owned())
    }

    /// Signs alice in on the hosted UI (PKCE with [`PKCE_VERIFIER`]):
    /// (authorization code, session cookie `cognito=…`).
    fn hosted_ui_sign_in(&self) -> (String, String) {
        use sha2::Digest;
        let challenge = URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(PKCE_VERIFIER.as_bytes()));
        let query = format!(
            "response_type=code&client_id={PUBLIC_CLIENT}&redirect_uri={}&scope=openid+email+profile&state=st&code_challenge_method=S256&code_challenge={challenge}",
            percent_encode(CALLBACK)
        );
        let cookie = format!("XSRF-TOKEN={CSRF}");
        let reply = self
            .mock
            .call(
                "POST",
                &format!("/{DOMAIN}/login?{query}"),
                &[
                    ("content-type", b"application/x-www-form-urlencoded"),
                    ("cookie", cookie.as_bytes()),
                ],
                format!(
                    "_csrf={CSRF}&username={USER}&password={}",
                    percent_encode(PASSWORD)
                )
                .as_bytes(),
            )
            .expect("a well-formed request");
        let location = reply.header("location").unwrap_or_default();
        let code = location
            .split_once("code=")
            .map(|(_, rest)| rest.split('&').next().unwrap_or_default().to_owned())
            .unwrap_or_else(|| {
                panic!(
                    "the fixture's hosted-UI sign-in failed: {} {}",
                    reply.status,
                    String::from_utf8_lossy(&reply.body)
                )
            });
        let session = reply
            .headers
            .iter()
            .filter(|(k, _)| k == "set-cookie")
            .find_map(|(_, v)| v.strip_prefix("cognito="))
            .map(|v| format!("cognito={}", v.split(';').next().unwrap_or_default()))
            .unwrap_or_default();
        (code, session)
    }
}

/// A USER_SRP_AUTH start and its honest PASSWORD_VERIFIER answer.
#[derive(Debug)]
struct SrpAnswer {
    srp_a: String,
    secret_block: String,
    timestamp: String,
    signature: String,
}

/// `AWSCognitoIdentityProviderService.<op>`.
pub fn user_pool_target(op: &str) -> String {
    format!("AWSCognitoIdentityProviderService.{op}")
}

/// `AWSCognitoIdentityService.<op>`.
pub fn identity_pool_target(op: &str) -> String {
    format!("AWSCognitoIdentityService.{op}")
}

/// A (dummy) SigV4 Authorization header: the mock accepts any credentials
/// on admin calls, as LocalStack does.
pub const DUMMY_SIGV4: &str = "AWS4-HMAC-SHA256 Credential=AKIDFUZZ/20260101/ap-northeast-1/cognito-idp/aws4_request, SignedHeaders=host;x-amz-date, Signature=00";

/// Sends an AWS JSON 1.1 request (signed with [`DUMMY_SIGV4`]).
pub fn send_json(mock: &InProcessMock, target: &str, body: &[u8]) -> InProcessReply {
    mock.call(
        "POST",
        "/",
        &[
            ("content-type", b"application/x-amz-json-1.1"),
            ("x-amz-target", target.as_bytes()),
            ("authorization", DUMMY_SIGV4.as_bytes()),
        ],
        body,
    )
    .expect("a well-formed request")
}

fn call_json(mock: &InProcessMock, target: &str, body: &Value) -> Option<Value> {
    let reply = send_json(mock, target, body.to_string().as_bytes());
    (reply.status == 200)
        .then(|| serde_json::from_slice(&reply.body).ok())
        .flatten()
}

fn mint(mock: &InProcessMock) -> Minted {
    try_mint(mock).expect("the fixture's sign-in, identity and provider tokens")
}

fn try_mint(mock: &InProcessMock) -> Option<Minted> {
    let auth = call_json(
        mock,
        &user_pool_target("InitiateAuth"),
        &json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": PUBLIC_CLIENT,
            "AuthParameters": {"USERNAME": USER, "PASSWORD": PASSWORD}}),
    )?;
    let result = &auth["AuthenticationResult"];
    let id_token = result["IdToken"].as_str()?.to_owned();
    let logins = json!({ USER_POOL_LOGIN: id_token });
    let identity = call_json(
        mock,
        &identity_pool_target("GetId"),
        &json!({"IdentityPoolId": IDENTITY_POOL_ID, "Logins": logins}),
    )?;
    let identity_id = identity["IdentityId"].as_str()?.to_owned();
    let credentials = call_json(
        mock,
        &identity_pool_target("GetCredentialsForIdentity"),
        &json!({"IdentityId": identity_id, "Logins": logins}),
    )?;
    let openid = call_json(
        mock,
        &identity_pool_target("GetOpenIdToken"),
        &json!({"IdentityId": identity_id, "Logins": logins}),
    )?;
    let provider_token = |provider: &str, audience: &str, subject: &str| -> Option<String> {
        let body = json!({"provider": provider, "audience": audience, "subject": subject});
        let reply = mock
            .call(
                "POST",
                "/_mock/idp/token",
                &[("content-type", b"application/json")],
                body.to_string().as_bytes(),
            )
            .ok()?;
        let v: Value = serde_json::from_slice(&reply.body).ok()?;
        Some(v["token"].as_str()?.to_owned())
    };
    Some(Minted {
        access_token: result["AccessToken"].as_str()?.to_owned(),
        refresh_token: result["RefreshToken"].as_str()?.to_owned(),
        id_token,
        identity_id,
        openid_token: openid["Token"].as_str()?.to_owned(),
        google_token: provider_token(
            "accounts.google.com",
            "example.apps.googleusercontent.com",
            "100000000000000000001",
        )?,
        facebook_token: provider_token("graph.facebook.com", "1234567890", "10000000000000001")?,
        access_key_id: credentials["Credentials"]["AccessKeyId"]
            .as_str()?
            .to_owned(),
        session_token: credentials["Credentials"]["SessionToken"]
            .as_str()?
            .to_owned(),
    })
}

/// application/x-www-form-urlencoded escaping of one value.
pub fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
