//! Every branch of the flows against in-memory transports: no sockets.
//! The fake user pool runs cognito-srp's real server side.

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use cognito_flows::secret::*;
use cognito_flows::transport::*;
use cognito_flows::*;
use cognito_srp::{
    DEFAULT_TIMESTAMP_SKEW, PoolName, ReceivedClaim, ServerSession, Verifier, verify_secret_hash,
};

const POOL: &str = "us-east-1_FakePool1";
const CLIENT: &str = "fakeclient";

fn jwt(claims: serde_json::Value) -> String {
    let e = |v: &serde_json::Value| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
    };
    format!(
        "{}.{}.sig",
        e(&serde_json::json!({"alg": "RS256"})),
        e(&claims)
    )
}

/// A clock tests move by hand.
#[derive(Clone, Default)]
struct TestClock(Arc<AtomicI64>);

impl TestClock {
    fn at(&self) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(1_800_000_000 + self.0.load(Ordering::SeqCst) as u64)
    }
    fn advance(&self, secs: i64) {
        self.0.fetch_add(secs, Ordering::SeqCst);
    }
    fn clock(&self) -> Clock {
        let me = self.clone();
        Clock(Arc::new(move || me.at()))
    }
    fn unix(&self) -> i64 {
        self.at().duration_since(UNIX_EPOCH).unwrap().as_secs() as i64
    }
}

struct FakeUserPool {
    verifier: Verifier,
    secret: Option<String>,
    force_new_password: bool,
    mfa: Option<&'static str>,
    pending: Mutex<Option<(String, ServerSession)>>,
    clock: TestClock,
    refreshes: AtomicUsize,
}

impl FakeUserPool {
    fn new(clock: &TestClock) -> Self {
        let pool = PoolName::from_user_pool_id(POOL).unwrap();
        let verifier = Verifier::generate(
            &mut rand_core::UnwrapErr(getrandom::SysRng),
            &pool,
            "alice",
            &Password::new("Passw0rd!"),
        )
        .unwrap();
        FakeUserPool {
            verifier,
            secret: None,
            force_new_password: false,
            mfa: None,
            pending: Mutex::new(None),
            clock: clock.clone(),
            refreshes: AtomicUsize::new(0),
        }
    }

    fn tokens(&self) -> AuthResponse {
        let now = self.clock.unix();
        AuthResponse {
            authentication_result: Some(AuthenticationResult {
                new_device: None,
                id_token: IdToken::new(jwt(
                    serde_json::json!({"sub": "sub-alice", "cognito:username": "alice", "exp": now + 3600, "token_use": "id"}),
                )),
                access_token: AccessToken::new(jwt(serde_json::json!({"exp": now + 3600}))),
                refresh_token: Some(RefreshToken::new("refresh-1")),
                expires_in: 3600,
            }),
            ..Default::default()
        }
    }

    fn check_hash(
        &self,
        params: &HashMap<String, String>,
        username: &str,
    ) -> Result<(), FlowError> {
        match (&self.secret, params.get("SECRET_HASH")) {
            (None, None) => Ok(()),
            (Some(s), Some(h)) if verify_secret_hash(h, username, CLIENT, s) => Ok(()),
            _ => Err(FlowError::service(
                "NotAuthorizedException",
                "Unable to verify secret hash for client fakeclient",
            )),
        }
    }
}

impl UserPoolApi for FakeUserPool {
    async fn initiate_auth(&self, r: InitiateAuthRequest) -> Result<AuthResponse, FlowError> {
        match r.auth_flow {
            AuthFlow::UserSrpAuth => {
                self.check_hash(&r.auth_parameters, &r.auth_parameters["USERNAME"])?;
                if r.auth_parameters["USERNAME"] != "alice" {
                    return Err(FlowError::service(
                        "UserNotFoundException",
                        "User does not exist.",
                    ));
                }
                let session = ServerSession::start(
                    &mut rand_core::UnwrapErr(getrandom::SysRng),
                    &self.verifier,
                );
                let params = HashMap::from([
                    ("SALT".to_owned(), session.salt()),
                    ("SRP_B".to_owned(), session.srp_b()),
                    ("SECRET_BLOCK".to_owned(), "c2VjcmV0".to_owned()),
                    ("USERNAME".to_owned(), "alice".to_owned()),
                    ("USER_ID_FOR_SRP".to_owned(), "alice".to_owned()),
                ]);
                *self.pending.lock().unwrap() = Some((r.auth_parameters["SRP_A"].clone(), session));
                Ok(AuthResponse {
                    challenge_name: Some("PASSWORD_VERIFIER".into()),
                    challenge_parameters: params,
                    ..Default::default()
                })
            }
            AuthFlow::UserPasswordAuth => {
                self.check_hash(&r.auth_parameters, &r.auth_parameters["USERNAME"])?;
                let pool = PoolName::from_user_pool_id(POOL).unwrap();
                if self.verifier.matches_password(
                    &pool,
                    "alice",
                    &Password::new(r.auth_parameters["PASSWORD"].as_str()),
                ) {
                    Ok(self.after_password())
                } else {
                    Err(FlowError::service(
                        "NotAuthorizedException",
                        "Incorrect username or password.",
                    ))
                }
            }
            AuthFlow::RefreshTokenAuth => {
                self.check_hash(&r.auth_parameters, "alice")?;
                self.refreshes.fetch_add(1, Ordering::SeqCst);
                if r.auth_parameters["REFRESH_TOKEN"] != "refresh-1" {
                    return Err(FlowError::service(
                        "NotAuthorizedException",
                        "Invalid Refresh Token",
                    ));
                }
                let mut t = self.tokens();
                if let Some(result) = t.authentication_result.as_mut() {
                    result.refresh_token = None;
                }
                Ok(t)
            }
            other => panic!("the flows never send {other}"),
        }
    }

    async fn respond_to_auth_challenge(
        &self,
        r: RespondToAuthChallengeRequest,
    ) -> Result<AuthResponse, FlowError> {
        self.check_hash(&r.challenge_responses, &r.challenge_responses["USERNAME"])?;
        match r.challenge_name.as_str() {
            "PASSWORD_VERIFIER" => {
                let (srp_a, session) = self.pending.lock().unwrap().take().expect("initiated");
                let c = &r.challenge_responses;
                let claim = ReceivedClaim {
                    srp_a: &srp_a,
                    secret_block: &c["PASSWORD_CLAIM_SECRET_BLOCK"],
                    timestamp: &c["TIMESTAMP"],
                    signature: &c["PASSWORD_CLAIM_SIGNATURE"],
                };
                let pool = PoolName::from_user_pool_id(POOL).unwrap();
                session
                    .verify_password_claim(
                        &pool,
                        "alice",
                        claim,
                        self.clock.at(),
                        DEFAULT_TIMESTAMP_SKEW,
                    )
                    .map_err(|_| {
                        FlowError::service(
                            "NotAuthorizedException",
                            "Incorrect username or password.",
                        )
                    })?;
                Ok(self.after_password())
            }
            "NEW_PASSWORD_REQUIRED" => {
                assert_eq!(r.session.as_deref(), Some("np-session"));
                assert_eq!(r.challenge_responses["userAttributes.name"], "Alice");
                Ok(self.tokens())
            }
            "SMS_MFA" | "SOFTWARE_TOKEN_MFA" => {
                let key = if r.challenge_name == "SMS_MFA" {
                    "SMS_MFA_CODE"
                } else {
                    "SOFTWARE_TOKEN_MFA_CODE"
                };
                if r.challenge_responses.get(key).map(String::as_str) == Some("123456") {
                    Ok(self.tokens())
                } else {
                    Err(FlowError::service(
                        "CodeMismatchException",
                        "Invalid code received for user",
                    ))
                }
            }
            other => panic!("unexpected challenge {other}"),
        }
    }
}

impl FakeUserPool {
    fn after_password(&self) -> AuthResponse {
        if self.force_new_password {
            return AuthResponse {
                challenge_name: Some("NEW_PASSWORD_REQUIRED".into()),
                session: Some("np-session".into()),
                challenge_parameters: HashMap::from([
                    ("USER_ID_FOR_SRP".to_owned(), "alice".to_owned()),
                    (
                        "requiredAttributes".to_owned(),
                        "[\"userAttributes.name\"]".to_owned(),
                    ),
                ]),
                ..Default::default()
            };
        }
        if let Some(mfa) = self.mfa {
            return AuthResponse {
                challenge_name: Some(mfa.into()),
                session: Some("mfa-session".into()),
                challenge_parameters: HashMap::from([(
                    "CODE_DELIVERY_DESTINATION".to_owned(),
                    "+*******1234".to_owned(),
                )]),
                ..Default::default()
            };
        }
        self.tokens()
    }
}

fn client(pool: Arc<FakeUserPool>, clock: &TestClock) -> UserPoolClient<Arc<FakeUserPool>> {
    UserPoolClient::new(
        pool,
        UserPoolId::parse(POOL).unwrap(),
        ClientId::parse(CLIENT).unwrap(),
    )
    .with_clock(clock.clock())
}

fn signed_in(r: SignInResult) -> UserPoolTokens {
    match r {
        SignInResult::SignedIn(t) => t,
        SignInResult::NextStep(s) => panic!("expected tokens, got {s:?}"),
    }
}

#[tokio::test]
async fn srp_password_and_refresh() {
    let clock = TestClock::default();
    let pool = Arc::new(FakeUserPool::new(&clock));
    let c = client(pool.clone(), &clock);
    let tokens = signed_in(
        c.sign_in_srp("alice", &Password::new("Passw0rd!"))
            .await
            .unwrap(),
    );
    assert_eq!(tokens.username.as_deref(), Some("alice"));
    let e = c
        .sign_in_srp("alice", &Password::new("wrong"))
        .await
        .unwrap_err();
    assert!(e.is_not_authorized());
    assert_eq!(e.message(), Some("Incorrect username or password."));
    assert_eq!(
        c.sign_in_srp("bob", &Password::new("x"))
            .await
            .unwrap_err()
            .code(),
        Some("UserNotFoundException")
    );
    signed_in(
        c.sign_in_password("alice", &Password::new("Passw0rd!"))
            .await
            .unwrap(),
    );
    assert!(
        c.sign_in_password("alice", &Password::new("nope"))
            .await
            .unwrap_err()
            .is_not_authorized()
    );

    let refreshed = c
        .refresh(tokens.refresh_token.as_ref().unwrap(), None)
        .await
        .unwrap();
    assert_eq!(
        refreshed.refresh_token.as_ref().unwrap().expose_secret(),
        "refresh-1",
        "kept when the refresh returns none"
    );
    assert!(
        c.refresh(&RefreshToken::new("bogus"), None)
            .await
            .unwrap_err()
            .is_not_authorized()
    );
}

#[tokio::test]
async fn secret_hash_is_sent_over_the_right_username() {
    let clock = TestClock::default();
    let mut fake = FakeUserPool::new(&clock);
    fake.secret = Some("s3cr3t".into());
    let pool = Arc::new(fake);
    let c = client(pool.clone(), &clock).with_client_secret(ClientSecret::new("s3cr3t"));
    let tokens = signed_in(
        c.sign_in_srp("alice", &Password::new("Passw0rd!"))
            .await
            .unwrap(),
    );
    assert!(
        c.refresh(tokens.refresh_token.as_ref().unwrap(), Some("alice"))
            .await
            .is_ok()
    );
    assert!(matches!(
        c.refresh(tokens.refresh_token.as_ref().unwrap(), None)
            .await,
        Err(FlowError::InvalidInput(_))
    ));
    let wrong = client(pool, &clock).with_client_secret(ClientSecret::new("other"));
    assert!(
        wrong
            .sign_in_srp("alice", &Password::new("Passw0rd!"))
            .await
            .unwrap_err()
            .is_not_authorized()
    );
}

#[tokio::test]
async fn challenges_are_typed_next_steps() {
    let clock = TestClock::default();
    let mut fake = FakeUserPool::new(&clock);
    fake.force_new_password = true;
    let c = client(Arc::new(fake), &clock);
    let step = match c
        .sign_in_srp("alice", &Password::new("Passw0rd!"))
        .await
        .unwrap()
    {
        SignInResult::NextStep(s) => s,
        other => panic!("{other:?}"),
    };
    let NextStep::NewPasswordRequired {
        challenge,
        required_attributes,
    } = step
    else {
        panic!("{step:?}")
    };
    assert_eq!(required_attributes, ["name"]);
    assert!(
        !format!("{challenge:?}").contains("np-session"),
        "sessions stay out of logs"
    );
    signed_in(
        c.respond_new_password(
            &challenge,
            &Password::new("N3w-pass!"),
            &[("name", "Alice")],
        )
        .await
        .unwrap(),
    );

    for (mfa, variant) in [("SMS_MFA", "sms"), ("SOFTWARE_TOKEN_MFA", "totp")] {
        let mut fake = FakeUserPool::new(&clock);
        fake.mfa = Some(mfa);
        let c = client(Arc::new(fake), &clock);
        let SignInResult::NextStep(step) = c
            .sign_in_password("alice", &Password::new("Passw0rd!"))
            .await
            .unwrap()
        else {
            panic!()
        };
        let challenge = match (&step, variant) {
            (
                NextStep::SmsMfa {
                    challenge,
                    destination,
                },
                "sms",
            ) => {
                assert_eq!(destination.as_deref(), Some("+*******1234"));
                challenge.clone()
            }
            (NextStep::SoftwareTokenMfa { challenge }, "totp") => challenge.clone(),
            other => panic!("{other:?}"),
        };
        assert_eq!(
            c.respond_mfa(&challenge, "000000")
                .await
                .unwrap_err()
                .code(),
            Some("CodeMismatchException")
        );
        signed_in(c.respond_mfa(&challenge, "123456").await.unwrap());
        let not_np = c
            .respond_new_password(&challenge, &Password::new("x"), &[])
            .await;
        assert!(
            matches!(not_np, Err(FlowError::InvalidInput(_))),
            "an MFA challenge is not answered with a password"
        );
    }
}

/// Answers from a script, recording what it was asked.
#[derive(Default)]
struct Scripted {
    asked: Vec<String>,
    code: &'static str,
}

impl ChallengeAnswers for Scripted {
    async fn new_password(
        &mut self,
        required: &[String],
    ) -> Result<(Password, Vec<(String, String)>), FlowError> {
        self.asked.push(format!("new password, with {required:?}"));
        Ok((
            Password::new("N3w-pass!"),
            required
                .iter()
                .map(|a| (a.clone(), "Alice".to_owned()))
                .collect(),
        ))
    }

    async fn mfa_code(
        &mut self,
        challenge: &ChallengeName,
        destination: Option<&str>,
    ) -> Result<String, FlowError> {
        self.asked.push(format!("{challenge} to {destination:?}"));
        Ok(self.code.to_owned())
    }
}

#[tokio::test]
async fn finish_sign_in_answers_each_challenge_until_tokens() {
    let clock = TestClock::default();
    let mut fake = FakeUserPool::new(&clock);
    fake.force_new_password = true;
    let c = client(Arc::new(fake), &clock);
    let first = c
        .sign_in_srp("alice", &Password::new("Passw0rd!"))
        .await
        .unwrap();
    let mut answers = Scripted::default();
    let tokens = c.finish_sign_in(first, &mut answers).await.unwrap();
    assert_eq!(tokens.username.as_deref(), Some("alice"));
    assert_eq!(answers.asked, ["new password, with [\"name\"]"]);

    let mut fake = FakeUserPool::new(&clock);
    fake.mfa = Some("SMS_MFA");
    let c = client(Arc::new(fake), &clock);
    let first = c
        .sign_in_password("alice", &Password::new("Passw0rd!"))
        .await
        .unwrap();
    let mut wrong = Scripted {
        code: "000000",
        ..Default::default()
    };
    let e = c
        .finish_sign_in(first.clone(), &mut wrong)
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some("CodeMismatchException"));
    let mut right = Scripted {
        code: "123456",
        ..Default::default()
    };
    c.finish_sign_in(first, &mut right).await.unwrap();
    assert_eq!(right.asked, ["SMS_MFA to Some(\"+*******1234\")"]);

    let device = SignInResult::NextStep(NextStep::Other {
        challenge: Challenge {
            name: ChallengeName::CustomChallenge,
            session: None,
            parameters: HashMap::new(),
            username: "alice".into(),
        },
    });
    let e = c.finish_sign_in(device, &mut right).await.unwrap_err();
    assert!(matches!(e, FlowError::Unsupported(_)), "{e}");
    assert!(e.to_string().contains("CUSTOM_CHALLENGE"));
}

/// A fake identity pool that counts calls.
#[derive(Default)]
struct FakeIdentityPool {
    get_id: AtomicUsize,
    get_credentials: AtomicUsize,
    open_id: AtomicUsize,
    forget_ids: Mutex<bool>,
    clock: TestClock,
    allow_unauth: bool,
}

impl IdentityPoolApi for FakeIdentityPool {
    async fn get_id(
        &self,
        _pool: &IdentityPoolId,
        logins: &Logins,
    ) -> Result<IdentityId, FlowError> {
        self.get_id.fetch_add(1, Ordering::SeqCst);
        if logins.is_empty() && !self.allow_unauth {
            return Err(FlowError::service(
                "NotAuthorizedException",
                "Unauthenticated access is not supported for this identity pool.",
            ));
        }
        let n = self.get_id.load(Ordering::SeqCst);
        Ok(IdentityId::parse(&format!("us-east-1:00000000-0000-4000-8000-{n:012}")).unwrap())
    }
    async fn get_credentials_for_identity(
        &self,
        id: &IdentityId,
        _logins: &Logins,
        role: Option<&str>,
    ) -> Result<(IdentityId, AwsCredentials), FlowError> {
        self.get_credentials.fetch_add(1, Ordering::SeqCst);
        if *self.forget_ids.lock().unwrap() {
            *self.forget_ids.lock().unwrap() = false;
            return Err(FlowError::service(
                "ResourceNotFoundException",
                format!("Identity '{id}' not found."),
            ));
        }
        // Give concurrent callers a chance to pile up.
        tokio::time::sleep(Duration::from_millis(20)).await;
        let creds = AwsCredentials {
            access_key_id: format!("ASIA{}", role.unwrap_or("DEFAULT")),
            secret_access_key: SecretAccessKey::new("secret"),
            session_token: SessionToken::new("token"),
            expiration: self.clock.at() + Duration::from_secs(3600),
        };
        Ok((id.clone(), creds))
    }
    async fn get_open_id_token(
        &self,
        id: &IdentityId,
        _logins: &Logins,
    ) -> Result<(IdentityId, ProviderToken), FlowError> {
        self.open_id.fetch_add(1, Ordering::SeqCst);
        Ok((id.clone(), ProviderToken::new("openid-token")))
    }
}

struct FakeSts;

impl StsApi for FakeSts {
    async fn assume_role_with_web_identity(
        &self,
        role_arn: &str,
        _session: &str,
        token: &ProviderToken,
    ) -> Result<AwsCredentials, FlowError> {
        assert_eq!(token.expose_secret(), "openid-token");
        Ok(AwsCredentials {
            access_key_id: format!("ASIA-{role_arn}"),
            secret_access_key: SecretAccessKey::new("s"),
            session_token: SessionToken::new("t"),
            expiration: UNIX_EPOCH,
        })
    }
}

fn pool_id() -> IdentityPoolId {
    IdentityPoolId::parse("us-east-1:11111111-2222-4333-8444-555555555555").unwrap()
}

#[tokio::test]
async fn identity_pool_flows() {
    let fake = Arc::new(FakeIdentityPool {
        allow_unauth: true,
        ..Default::default()
    });
    let ip = IdentityPoolClient::new(fake.clone(), pool_id());
    let guest = ip.unauthenticated(None).await.unwrap();
    assert_eq!(
        (
            fake.get_id.load(Ordering::SeqCst),
            fake.get_credentials.load(Ordering::SeqCst)
        ),
        (1, 1)
    );
    // A known id skips GetId.
    ip.unauthenticated(Some(&guest.identity_id)).await.unwrap();
    assert_eq!(fake.get_id.load(Ordering::SeqCst), 1);
    // A stale known id is dropped and a fresh GetId made.
    *fake.forget_ids.lock().unwrap() = true;
    let again = ip.unauthenticated(Some(&guest.identity_id)).await.unwrap();
    assert_ne!(again.identity_id, guest.identity_id);
    // CustomRoleArn is passed through.
    let custom = ip
        .credentials(&Logins::new().facebook("t"), None, Some("ROLE"))
        .await
        .unwrap();
    assert_eq!(custom.credentials.access_key_id, "ASIAROLE");
    // Classic flow: GetOpenIdToken then STS.
    let classic = ip
        .classic(
            &FakeSts,
            &Logins::new().facebook("t"),
            None,
            "arn:role",
            "s",
        )
        .await
        .unwrap();
    assert_eq!(classic.credentials.access_key_id, "ASIA-arn:role");
    assert_eq!(fake.open_id.load(Ordering::SeqCst), 1);

    let closed = IdentityPoolClient::new(Arc::new(FakeIdentityPool::default()), pool_id());
    let e = closed.unauthenticated(None).await.unwrap_err();
    assert!(e.is_not_authorized());
    assert_eq!(
        e.message(),
        Some("Unauthenticated access is not supported for this identity pool.")
    );
}

#[tokio::test]
async fn cache_single_flight_renewal_and_token_refresh() {
    let clock = TestClock::default();
    let fake = Arc::new(FakeIdentityPool {
        allow_unauth: true,
        clock: clock.clone(),
        ..Default::default()
    });
    let cache = Arc::new(
        CredentialsCache::new(
            IdentityPoolClient::new(fake.clone(), pool_id()),
            Unauthenticated,
        )
        .with_clock(clock.clock()),
    );
    let mut handles = Vec::new();
    for _ in 0..100 {
        let cache = cache.clone();
        handles.push(tokio::spawn(
            async move { cache.credentials().await.unwrap() },
        ));
    }
    for h in handles {
        h.await.unwrap();
    }
    assert_eq!(
        fake.get_credentials.load(Ordering::SeqCst),
        1,
        "100 concurrent callers, one request"
    );
    // Within the margin of expiry it renews, keeping the IdentityId.
    clock.advance(3600 - 200);
    let renewed = cache.credentials().await.unwrap();
    assert_eq!(fake.get_credentials.load(Ordering::SeqCst), 2);
    assert_eq!(
        fake.get_id.load(Ordering::SeqCst),
        1,
        "the IdentityId is cached"
    );
    assert_eq!(cache.identity_id().await, Some(renewed.identity_id));

    // A user-pool session refreshes its ID token once it has expired.
    let up = Arc::new(FakeUserPool::new(&clock));
    let c = client(up.clone(), &clock);
    let tokens = signed_in(
        c.sign_in_srp("alice", &Password::new("Passw0rd!"))
            .await
            .unwrap(),
    );
    let session = UserPoolSession::new(c, tokens).with_clock(clock.clock());
    let cache = CredentialsCache::new(IdentityPoolClient::new(fake.clone(), pool_id()), session)
        .with_clock(clock.clock());
    cache.credentials().await.unwrap();
    assert_eq!(up.refreshes.load(Ordering::SeqCst), 0);
    clock.advance(3601);
    cache.credentials().await.unwrap();
    assert_eq!(
        up.refreshes.load(Ordering::SeqCst),
        1,
        "the expired ID token was refreshed"
    );
}

/// Records token requests and answers like /oauth2/token, with an ID token
/// carrying `nonce`.
#[derive(Default)]
struct FakeTokenEndpoint {
    seen: Mutex<Vec<TokenRequest>>,
    nonce: Mutex<String>,
}

impl OAuth2Api for FakeTokenEndpoint {
    async fn token(&self, request: TokenRequest) -> Result<OAuthTokens, FlowError> {
        let grant = request
            .form
            .iter()
            .find(|(k, _)| k == "grant_type")
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        self.seen.lock().unwrap().push(request);
        if grant == "refresh_token" {
            return Err(FlowError::OAuth {
                error: "invalid_grant".into(),
                description: Some("Refresh Token has been revoked".into()),
            });
        }
        let nonce = self.nonce.lock().unwrap().clone();
        Ok(OAuthTokens {
            id_token: Some(IdToken::new(jwt(
                serde_json::json!({"sub": "x", "nonce": nonce, "cognito:username": "x"}),
            ))),
            access_token: AccessToken::new("access"),
            refresh_token: Some(RefreshToken::new("refresh")),
            expires_in: 3600,
        })
    }
}

#[tokio::test]
async fn hosted_ui_code_exchange_and_refresh() {
    let endpoint = FakeTokenEndpoint::default();
    let ui = HostedUi::new(
        "https://example.auth.us-east-1.amazoncognito.com",
        ClientId::parse("client1").unwrap(),
        "http://localhost:8080/cb",
    )
    .unwrap()
    .with_client_secret(ClientSecret::new("shh"))
    .with_scopes(&["openid", "email"]);
    let pending = ui.begin(None);
    let q: HashMap<String, String> = pending.url().query_pairs().into_owned().collect();
    *endpoint.nonce.lock().unwrap() = q["nonce"].clone();
    let callback = format!("http://localhost:8080/cb?code=c0de&state={}", q["state"]);
    let tokens = pending
        .complete(&endpoint, Callback::Redirect(callback))
        .await
        .unwrap();
    assert_eq!(tokens.username.as_deref(), Some("x"));
    {
        let seen = endpoint.seen.lock().unwrap();
        let r = &seen[0];
        assert_eq!(
            r.endpoint.as_str(),
            "https://example.auth.us-east-1.amazoncognito.com/oauth2/token"
        );
        let form: HashMap<_, _> = r.form.iter().cloned().collect();
        assert_eq!(form["grant_type"], "authorization_code");
        assert_eq!(form["code"], "c0de");
        assert_eq!(form["redirect_uri"], "http://localhost:8080/cb");
        assert!(cognito_flows::wire::pkce::verify_s256(
            &form["code_verifier"],
            &q["code_challenge"]
        ));
        assert_eq!(form["client_id"], "client1");
        let (id, secret) = r.basic_auth.as_ref().unwrap();
        assert_eq!((id.as_str(), secret.expose_secret()), ("client1", "shh"));
    }
    let e = ui
        .refresh(&endpoint, &RefreshToken::new("old"))
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some("invalid_grant"));
    assert_eq!(
        endpoint.seen.lock().unwrap()[1]
            .form
            .iter()
            .find(|(k, _)| k == "refresh_token")
            .unwrap()
            .1,
        "old"
    );
}
