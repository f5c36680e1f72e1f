//! The benchmark's fixture and scenarios, the same for any server that
//! speaks Cognito's JSON protocol (ours, or moto).

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime};

use cognito_srp::{CognitoTimestamp, Password, PasswordVerifierChallenge, PoolName, SrpClient};
use rand_core::SeedableRng;
use serde_json::{Value, json};

use super::client::JsonClient;

pub(crate) const PASSWORD: &str = "Bench-Passw0rd!";

/// What the scenarios run against: made through the API on each server.
#[derive(Debug)]
pub(crate) struct Fixture {
    pool_id: String,
    client_id: String,
    identity_pool_id: String,
    login_key: String,
    users: Vec<String>,
    guest_ids: Vec<String>,
}

fn text(v: &Value, what: &str) -> Result<String, String> {
    v.as_str()
        .map(str::to_owned)
        .ok_or_else(|| format!("the answer has no {what}"))
}

/// A user pool with `users` users, an app client, and an identity pool
/// trusting it with guests allowed.
pub(crate) async fn setup(c: &JsonClient, users: usize) -> Result<Fixture, String> {
    let pool = c
        .idp("CreateUserPool", json!({"PoolName": "bench"}))
        .await?;
    let pool_id = text(&pool["UserPool"]["Id"], "UserPool.Id")?;
    let client = c
        .idp(
            "CreateUserPoolClient",
            json!({"UserPoolId": pool_id, "ClientName": "bench",
                   "ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}),
        )
        .await?;
    let client_id = text(&client["UserPoolClient"]["ClientId"], "ClientId")?;
    let mut names = Vec::new();
    for i in 0..users {
        let name = format!("user{i}");
        c.idp(
            "AdminCreateUser",
            json!({"UserPoolId": pool_id, "Username": name, "TemporaryPassword": PASSWORD,
                   "MessageAction": "SUPPRESS"}),
        )
        .await?;
        c.idp(
            "AdminSetUserPassword",
            json!({"UserPoolId": pool_id, "Username": name, "Password": PASSWORD, "Permanent": true}),
        )
        .await?;
        names.push(name);
    }
    let region = pool_id.split('_').next().unwrap_or("us-east-1").to_owned();
    let login_key = format!("cognito-idp.{region}.amazonaws.com/{pool_id}");
    let identity_pool = c
        .identity(
            "CreateIdentityPool",
            json!({"IdentityPoolName": "bench", "AllowUnauthenticatedIdentities": true,
                   "CognitoIdentityProviders": [{"ProviderName": login_key, "ClientId": client_id}]}),
        )
        .await?;
    let identity_pool_id = text(&identity_pool["IdentityPoolId"], "IdentityPoolId")?;
    let roles = c
        .identity(
            "SetIdentityPoolRoles",
            json!({"IdentityPoolId": identity_pool_id, "Roles": {
                "authenticated": "arn:aws:iam::000000000000:role/BenchAuthenticated",
                "unauthenticated": "arn:aws:iam::000000000000:role/BenchGuest"}}),
        )
        .await;
    if let Err(e) = roles {
        // moto 5.2 answers SetIdentityPoolRoles with a 500; its credentials
        // do not depend on roles, so the fixture goes on without them.
        println!("bench: no identity-pool roles on this server ({e})");
    }
    let mut guest_ids = Vec::new();
    for _ in 0..64 {
        let id = c
            .identity("GetId", json!({"IdentityPoolId": identity_pool_id}))
            .await?;
        guest_ids.push(text(&id["IdentityId"], "IdentityId")?);
    }
    Ok(Fixture {
        pool_id,
        client_id,
        identity_pool_id,
        login_key,
        users: names,
        guest_ids,
    })
}

/// The scenarios the issue names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scenario {
    GetId,
    GetCredentials,
    PasswordAuth,
    SrpSignIn,
    SeedFlow2,
    SignUp,
}

impl Scenario {
    pub(crate) const ALL: [Scenario; 6] = [
        Scenario::GetId,
        Scenario::GetCredentials,
        Scenario::PasswordAuth,
        Scenario::SrpSignIn,
        Scenario::SeedFlow2,
        Scenario::SignUp,
    ];

    /// What moto does not check in this scenario, printed beside its row.
    pub(crate) fn moto_caveat(self) -> Option<&'static str> {
        match self {
            Scenario::SrpSignIn | Scenario::SeedFlow2 => Some("moto verifies nothing"),
            Scenario::PasswordAuth => Some("moto compares the password in plain text"),
            Scenario::GetId | Scenario::GetCredentials => None,
            Scenario::SignUp => Some("moto keeps the password in plain text"),
        }
    }

    /// The scenario's name for `--only`.
    pub(crate) fn key(self) -> &'static str {
        match self {
            Scenario::GetId => "get-id",
            Scenario::GetCredentials => "get-credentials",
            Scenario::PasswordAuth => "password-auth",
            Scenario::SrpSignIn => "srp",
            Scenario::SeedFlow2 => "flow2",
            Scenario::SignUp => "sign-up",
        }
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            Scenario::GetId => "GetId (unauthenticated)",
            Scenario::GetCredentials => "GetCredentialsForIdentity",
            Scenario::PasswordAuth => "InitiateAuth USER_PASSWORD_AUTH",
            Scenario::SrpSignIn => "SRP sign-in (2 calls)",
            Scenario::SeedFlow2 => "flow 2: SRP + GetId + GetCredentials",
            Scenario::SignUp => "SignUp (a new user each)",
        }
    }
}

/// A full SRP sign-in (InitiateAuth, then PASSWORD_VERIFIER) with
/// cognito-srp's client; returns the IdToken.
pub(crate) async fn srp_sign_in(
    c: &JsonClient,
    pool_id: &str,
    client_id: &str,
    user: &str,
    rng: &mut rand_chacha::ChaCha20Rng,
) -> Result<String, String> {
    let srp = SrpClient::new(rng);
    let started = c
        .idp(
            "InitiateAuth",
            json!({"AuthFlow": "USER_SRP_AUTH", "ClientId": client_id,
                   "AuthParameters": {"USERNAME": user, "SRP_A": srp.srp_a()}}),
        )
        .await?;
    let params: HashMap<String, String> = started["ChallengeParameters"]
        .as_object()
        .into_iter()
        .flatten()
        .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned())))
        .collect();
    let mut challenge =
        PasswordVerifierChallenge::from_parameters(&params).map_err(|e| e.to_string())?;
    let pool = PoolName::from_user_pool_id(pool_id).map_err(|e| e.to_string())?;
    let now = CognitoTimestamp::from_system_time(SystemTime::now()).ok_or("clock")?;
    let sent_block = std::mem::take(&mut challenge.secret_block);
    challenge.secret_block = as_pycognito_reads_it(&sent_block);
    let mut claim = srp
        .answer_password_verifier(&pool, &challenge, &Password::new(PASSWORD), now)
        .map_err(|e| e.to_string())?;
    claim.secret_block = sent_block;
    let done = c
        .idp(
            "RespondToAuthChallenge",
            json!({"ChallengeName": "PASSWORD_VERIFIER", "ClientId": client_id,
                   "ChallengeResponses": claim.challenge_responses(None)}),
        )
        .await?;
    text(&done["AuthenticationResult"]["IdToken"], "IdToken")
}

/// SECRET_BLOCK as pycognito reads it: Python's lenient `b64decode` drops
/// every character outside the base64 alphabet before decoding, and the
/// block goes back to the server as it came. A real block (ours, Cognito's)
/// is base64 already and passes unchanged; moto's is a UUID, whose dashes
/// pycognito drops, which is how pycognito completes SRP against moto at
/// all. moto then checks neither the block nor the signature.
fn as_pycognito_reads_it(block: &str) -> String {
    block
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '='))
        .collect()
}

async fn run_once(
    scenario: Scenario,
    c: &JsonClient,
    fx: &Fixture,
    i: usize,
    rng: &mut rand_chacha::ChaCha20Rng,
) -> Result<(), String> {
    let user = &fx.users[i % fx.users.len()];
    match scenario {
        Scenario::GetId => {
            c.identity("GetId", json!({"IdentityPoolId": fx.identity_pool_id}))
                .await?;
        }
        Scenario::GetCredentials => {
            let id = &fx.guest_ids[i % fx.guest_ids.len()];
            c.identity("GetCredentialsForIdentity", json!({"IdentityId": id}))
                .await?;
        }
        Scenario::PasswordAuth => {
            c.idp(
                "InitiateAuth",
                json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": fx.client_id,
                       "AuthParameters": {"USERNAME": user, "PASSWORD": PASSWORD}}),
            )
            .await?;
        }
        Scenario::SrpSignIn => {
            srp_sign_in(c, &fx.pool_id, &fx.client_id, user, rng).await?;
        }
        Scenario::SignUp => {
            let name = format!("signup{i}");
            c.idp(
                "SignUp",
                json!({"ClientId": fx.client_id, "Username": name, "Password": PASSWORD,
                       "UserAttributes": [{"Name": "email", "Value": format!("{name}@example.com")}]}),
            )
            .await?;
        }
        Scenario::SeedFlow2 => {
            let id_token = srp_sign_in(c, &fx.pool_id, &fx.client_id, user, rng).await?;
            let logins = json!({ fx.login_key.as_str(): id_token });
            let id = c
                .identity(
                    "GetId",
                    json!({"IdentityPoolId": fx.identity_pool_id, "Logins": logins}),
                )
                .await?;
            c.identity(
                "GetCredentialsForIdentity",
                json!({"IdentityId": id["IdentityId"], "Logins": logins}),
            )
            .await?;
        }
    }
    Ok(())
}

/// What one scenario run measured.
#[derive(Debug)]
pub(crate) struct Measured {
    pub(crate) ops: usize,
    pub(crate) errors: usize,
    pub(crate) first_error: Option<String>,
    pub(crate) elapsed: Duration,
    /// Per successful operation, microseconds, sorted.
    pub(crate) latencies: Vec<u32>,
}

impl Measured {
    pub(crate) fn ops_per_sec(&self) -> f64 {
        self.ops as f64 / self.elapsed.as_secs_f64()
    }

    pub(crate) fn percentile(&self, p: f64) -> Duration {
        if self.latencies.is_empty() {
            return Duration::ZERO;
        }
        let i = ((self.latencies.len() - 1) as f64 * p).round() as usize;
        Duration::from_micros(u64::from(self.latencies[i]))
    }
}

/// Runs `scenario` with `concurrency` workers until `max_ops` operations or
/// `max_time` have passed, whichever is first.
pub(crate) async fn drive(
    scenario: Scenario,
    c: &JsonClient,
    fx: Arc<Fixture>,
    concurrency: usize,
    max_ops: usize,
    max_time: Duration,
) -> Measured {
    let next = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let mut workers = Vec::new();
    for w in 0..concurrency {
        let (c, fx, next) = (c.clone(), fx.clone(), next.clone());
        workers.push(tokio::spawn(async move {
            let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(w as u64);
            let mut latencies = Vec::new();
            let (mut errors, mut first_error) = (0usize, None);
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= max_ops || start.elapsed() >= max_time {
                    break;
                }
                let t0 = Instant::now();
                match run_once(scenario, &c, &fx, i, &mut rng).await {
                    Ok(()) => {
                        latencies.push(u32::try_from(t0.elapsed().as_micros()).unwrap_or(u32::MAX))
                    }
                    Err(e) => {
                        errors += 1;
                        first_error.get_or_insert(e);
                    }
                }
            }
            (latencies, errors, first_error)
        }));
    }
    let mut measured = Measured {
        ops: 0,
        errors: 0,
        first_error: None,
        elapsed: Duration::ZERO,
        latencies: Vec::new(),
    };
    for w in workers {
        if let Ok((lat, errors, first)) = w.await {
            measured.latencies.extend(lat);
            measured.errors += errors;
            if measured.first_error.is_none() {
                measured.first_error = first;
            }
        }
    }
    measured.elapsed = start.elapsed();
    measured.ops = measured.latencies.len();
    measured.latencies.sort_unstable();
    measured
}
