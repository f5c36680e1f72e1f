//! `cargo xtask soak [--count N]`: memory stays bounded.
//!
//! For each operation that leaves something short-lived behind (issued
//! credentials, sign-in sessions and refresh tokens, authorization codes,
//! confirmation codes), a fresh `cogkit mock serve` runs the operation N
//! times, the mock's clock then moves past every lifetime involved, and the
//! same N run again. What expired must have left memory, for the second
//! round to reuse: it may grow the server's RSS by at most a quarter of
//! what the first round did (were nothing freed, it would grow as much). The check is on
//! memory, never on time, so it runs in CI on the debug build.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use hyper::Method;
use serde_json::{Value, json};

use crate::bench_mock::client::JsonClient;
use crate::bench_mock::process;

const SEED_POOL: &str = "ap-northeast-1_Example01";
const SEED_CLIENT: &str = "1example23456789abcdefghij";
const SEED_IDENTITY_POOL: &str = "ap-northeast-1:00000000-0000-4000-8000-000000000001";
const CALLBACK: &str = "http://localhost:8080/callback";

#[derive(Debug, Clone, Copy)]
enum Operation {
    GetCredentials,
    SignIn,
    HostedUiCodeExchange,
    SignUp,
}

impl Operation {
    const ALL: [Operation; 4] = [
        Operation::GetCredentials,
        Operation::SignIn,
        Operation::HostedUiCodeExchange,
        Operation::SignUp,
    ];

    fn name(self) -> &'static str {
        match self {
            Operation::GetCredentials => "GetCredentialsForIdentity",
            Operation::SignIn => "sign-in (USER_PASSWORD_AUTH)",
            Operation::HostedUiCodeExchange => "hosted-UI code exchange",
            Operation::SignUp => "SignUp + AdminDeleteUser",
        }
    }

    /// Past every lifetime the operation leaves behind (with what is kept
    /// after expiry to answer "expired").
    fn lifetimes_secs(self) -> u64 {
        match self {
            // Credentials: an hour, remembered an hour more.
            Operation::GetCredentials => 2 * 3600 + 60,
            // Sessions and refresh tokens: the client's 30 days.
            Operation::SignIn | Operation::HostedUiCodeExchange => 31 * 86_400,
            // Confirmation codes: 24 hours (the users are deleted).
            Operation::SignUp => 25 * 3600,
        }
    }
}

struct Options {
    count: usize,
    concurrency: usize,
}

fn parse(args: &[&str]) -> Result<Options, String> {
    let mut o = Options {
        count: 5000,
        concurrency: 8,
    };
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let value = it
            .next()
            .and_then(|v| v.parse().ok())
            .filter(|&n: &usize| n > 0);
        match (*arg, value) {
            ("--count", Some(n)) => o.count = n,
            ("--concurrency", Some(n)) => o.concurrency = n,
            _ => return Err(format!("bad option {arg}\n{}", crate::usage())),
        }
    }
    Ok(o)
}

pub(crate) fn run(args: &[&str]) -> Result<(), String> {
    let options = parse(args)?;
    let bin = crate::mock_server::cogkit_binary()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    println!(
        "soak: {} of each operation, then the clock past their lifetimes, then {} more",
        options.count, options.count
    );
    println!(
        "{:<30} {:>10} {:>12} {:>14} {:>12} {:>12}",
        "operation", "RSS before", "after N", "after 2nd N", "1st growth", "2nd growth"
    );
    let mut failures = Vec::new();
    for op in Operation::ALL {
        let r = runtime.block_on(soak(&bin, op, &options))?;
        let (first, second) = (
            r.after_first.saturating_sub(r.before),
            r.after_second.saturating_sub(r.after_first),
        );
        println!(
            "{:<30} {:>10} {:>12} {:>14} {:>12} {:>12}",
            op.name(),
            mib(r.before),
            mib(r.after_first),
            mib(r.after_second),
            mib(first),
            mib(second),
        );
        // Everything the first round left has expired, and its memory is
        // what the second round reuses: were it kept, the second round
        // would grow as much as the first.
        if second > first / 4 + (256 << 10) {
            failures.push(op.name());
        }
    }
    if failures.is_empty() {
        println!("soak: memory stayed bounded for every operation");
        Ok(())
    } else {
        Err(format!(
            "memory kept growing after the lifetimes passed: {}",
            failures.join(", ")
        ))
    }
}

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1 << 20) as f64)
}

struct Rss {
    before: u64,
    after_first: u64,
    after_second: u64,
}

async fn soak(bin: &std::path::Path, op: Operation, o: &Options) -> Result<Rss, String> {
    let server = process::Server::start(&process::Kind::Ours(bin.to_path_buf())).await?;
    let client = JsonClient::new(&server.endpoint);
    let pid = server.pid();
    // Warm up (lazy keys, first allocations) before the baseline.
    let fixture = Fixture::new(&client, op).await?;
    let fixture = round(&client, fixture, op, 200, o.concurrency, 0).await?;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let before = process::rss_bytes(pid)?;
    round(&client, fixture, op, o.count, o.concurrency, 1).await?;
    let after_first = process::rss_bytes(pid)?;
    advance_clock(&client, op.lifetimes_secs()).await?;
    let fixture = Fixture::new(&client, op).await?;
    round(&client, fixture, op, o.count, o.concurrency, 2).await?;
    let after_second = process::rss_bytes(pid)?;
    Ok(Rss {
        before,
        after_first,
        after_second,
    })
}

async fn advance_clock(client: &JsonClient, secs: u64) -> Result<(), String> {
    let body = json!({"advance_seconds": secs}).to_string().into_bytes();
    let (status, _, _) = client
        .request(Method::POST, "/_mock/clock", &[], body)
        .await?;
    if status.is_success() {
        Ok(())
    } else {
        Err(format!("/_mock/clock: HTTP {status}"))
    }
}

/// What an operation needs set up once per round.
enum Fixture {
    Identity(String),
    None,
    /// A hosted-UI browser session cookie.
    Browser(String),
}

impl Fixture {
    async fn new(client: &JsonClient, op: Operation) -> Result<Fixture, String> {
        match op {
            Operation::GetCredentials => {
                let id = client
                    .identity("GetId", json!({"IdentityPoolId": SEED_IDENTITY_POOL}))
                    .await?;
                Ok(Fixture::Identity(text(&id, "IdentityId")?))
            }
            Operation::HostedUiCodeExchange => Ok(Fixture::Browser(hosted_sign_in(client).await?)),
            Operation::SignIn | Operation::SignUp => Ok(Fixture::None),
        }
    }
}

fn text(v: &Value, member: &str) -> Result<String, String> {
    v[member]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| format!("no {member} in {v}"))
}

fn authorize_query() -> String {
    serde_urlencoded_pairs(&[
        ("response_type", "code"),
        ("client_id", SEED_CLIENT),
        ("redirect_uri", CALLBACK),
        ("scope", "openid email"),
    ])
}

/// `k=v&…` with form encoding.
fn serde_urlencoded_pairs(pairs: &[(&str, &str)]) -> String {
    serde_urlencoded::to_string(pairs).unwrap_or_default()
}

/// Signs alice in on the hosted UI's page (double-submit CSRF with a token
/// of our own); returns the session cookie that makes later authorizations
/// silent.
async fn hosted_sign_in(client: &JsonClient) -> Result<String, String> {
    let csrf = "soak-csrf-token-0123456789abcdefghijklmnop";
    let form = serde_urlencoded_pairs(&[
        ("_csrf", csrf),
        ("username", "alice"),
        ("password", "Passw0rd!"),
    ]);
    let cookie = format!("XSRF-TOKEN={csrf}");
    let (status, headers, body) = client
        .request(
            Method::POST,
            &format!("/example/login?{}", authorize_query()),
            &[
                ("content-type", "application/x-www-form-urlencoded"),
                ("cookie", &cookie),
            ],
            form.into_bytes(),
        )
        .await?;
    if status != hyper::StatusCode::FOUND {
        return Err(format!(
            "hosted sign-in: HTTP {status}: {}",
            String::from_utf8_lossy(&body)
        ));
    }
    headers
        .get_all(hyper::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| c.strip_prefix("cognito="))
        .and_then(|c| c.split(';').next())
        .map(|c| format!("cognito={c}"))
        .ok_or_else(|| "hosted sign-in set no session cookie".to_owned())
}

/// One code: a silent authorize with the session cookie, then the exchange.
async fn code_exchange(client: &JsonClient, session: &str) -> Result<(), String> {
    let (status, headers, _) = client
        .request(
            Method::GET,
            &format!("/example/oauth2/authorize?{}", authorize_query()),
            &[("cookie", session)],
            Vec::new(),
        )
        .await?;
    let location = headers
        .get(hyper::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .ok_or(format!("authorize: HTTP {status} without a redirect"))?;
    let code = location
        .split_once("code=")
        .map(|(_, rest)| rest.split('&').next().unwrap_or(rest))
        .ok_or(format!("authorize redirected without a code: {location}"))?;
    let form = serde_urlencoded_pairs(&[
        ("grant_type", "authorization_code"),
        ("client_id", SEED_CLIENT),
        ("code", code),
        ("redirect_uri", CALLBACK),
    ]);
    let (status, _, body) = client
        .request(
            Method::POST,
            "/example/oauth2/token",
            &[("content-type", "application/x-www-form-urlencoded")],
            form.into_bytes(),
        )
        .await?;
    if status.is_success() {
        Ok(())
    } else {
        Err(format!(
            "token: HTTP {status}: {}",
            String::from_utf8_lossy(&body)
        ))
    }
}

async fn once(
    client: &JsonClient,
    fixture: &Fixture,
    op: Operation,
    n: usize,
) -> Result<(), String> {
    match (op, fixture) {
        (Operation::GetCredentials, Fixture::Identity(id)) => client
            .identity("GetCredentialsForIdentity", json!({"IdentityId": id}))
            .await
            .map(drop),
        (Operation::SignIn, _) => client
            .idp(
                "InitiateAuth",
                json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": SEED_CLIENT,
                       "AuthParameters": {"USERNAME": "alice", "PASSWORD": "Passw0rd!"}}),
            )
            .await
            .map(drop),
        (Operation::HostedUiCodeExchange, Fixture::Browser(session)) => {
            code_exchange(client, session).await
        }
        (Operation::SignUp, _) => {
            // The user is data and goes with AdminDeleteUser; its
            // confirmation code stays in the outbox until it expires.
            let username = format!("soak-{n}");
            client
                .idp(
                    "SignUp",
                    json!({"ClientId": SEED_CLIENT, "Username": username, "Password": "Passw0rd!soak",
                           "UserAttributes": [{"Name": "email", "Value": format!("{username}@example.com")}]}),
                )
                .await?;
            client
                .idp(
                    "AdminDeleteUser",
                    json!({"UserPoolId": SEED_POOL, "Username": username}),
                )
                .await
                .map(drop)
        }
        _ => Err("fixture does not match the operation".to_owned()),
    }
}

/// `count` operations from `concurrency` workers; `round` keeps SignUp's
/// usernames unique across rounds.
async fn round(
    client: &JsonClient,
    fixture: Fixture,
    op: Operation,
    count: usize,
    concurrency: usize,
    round: usize,
) -> Result<Fixture, String> {
    let fixture = Arc::new(fixture);
    let next = Arc::new(AtomicUsize::new(0));
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..concurrency {
        let (client, fixture, next) = (client.clone(), fixture.clone(), next.clone());
        workers.spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= count {
                    return Ok::<(), String>(());
                }
                once(&client, &fixture, op, round * 10_000_000 + i).await?;
            }
        });
    }
    while let Some(joined) = workers.join_next().await {
        joined.map_err(|e| e.to_string())??;
    }
    Arc::try_unwrap(fixture).map_err(|_| "workers still hold the fixture".to_owned())
}
