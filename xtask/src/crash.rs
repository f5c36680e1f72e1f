//! `cargo xtask crash [--rounds N] [--writers N] [--debug]`: the durable
//! mock (`cogkit mock serve --data-dir`) killed with SIGKILL under load.
//!
//! Each round starts the server (release, or the debug build with
//! `--debug`) on one data dir, runs concurrent writers (AdminCreateUser
//! with three attributes, AdminSetUserPassword, a password sign-in and
//! RevokeToken of its refresh token, GetOpenIdTokenForDeveloperIdentity
//! making an identity and linking a second developer id to it), kills the
//! server at a random moment, restarts it and checks:
//! - every acknowledged write is there and whole: the user with all three
//!   attributes, the last acknowledged password signs in, the identity
//!   found by each of its developer ids, the revoked refresh token refused;
//! - nothing unanswered is half there: a user created by a request the
//!   server never answered is absent or whole; a password whose change was
//!   never answered is the old one or the new one.
//!
//! At the end every round's acknowledged writes are checked once more.
//! With `--full-disk`, a real full disk too: the data dir on a small tmpfs
//! (mounting needs root or password-less sudo), filled until a write is
//! refused; the refusal must be InternalErrorException, the reads go on,
//! and after a restart the stored state is what memory held.
//! Prints `rounds, acknowledged writes, lost, half-applied`; fails if any
//! was lost or half-applied.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rand_chacha::ChaCha8Rng;
use rand_core::{Rng, SeedableRng};
use serde_json::{Value, json};

use crate::bench_mock::client::JsonClient;
use crate::mock_server::MockServer;

const DEVELOPER_PROVIDER: &str = "login.crash.example";

struct Options {
    rounds: usize,
    writers: usize,
    debug: bool,
    full_disk: bool,
}

fn parse(args: &[&str]) -> Result<Options, String> {
    let mut o = Options {
        rounds: 50,
        writers: 4,
        debug: false,
        full_disk: false,
    };
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut number = |name: &str| crate::positive_number(&mut it, name);
        match *arg {
            "--rounds" => o.rounds = number("--rounds")?,
            "--writers" => o.writers = number("--writers")?,
            "--debug" => o.debug = true,
            "--full-disk" => o.full_disk = true,
            other => return Err(format!("unknown option {other}\n{}", crate::usage())),
        }
    }
    Ok(o)
}

/// The pools every round writes to, made once.
#[derive(Clone)]
struct Fixture {
    pool_id: String,
    client_id: String,
    identity_pool_id: String,
}

/// What a write was, acknowledged or not.
#[derive(Clone, Debug)]
enum Write {
    CreateUser {
        username: String,
        attributes: [(String, String); 3],
    },
    SetPassword {
        username: String,
        password: String,
    },
    Revoke {
        refresh_token: String,
    },
    DeveloperIdentity {
        developer_id: String,
        /// The identity it was linked to (known once acknowledged).
        identity_id: Option<String>,
    },
}

#[derive(Default)]
struct Ledger {
    acknowledged: Vec<Write>,
    unanswered: Vec<Write>,
}

pub(crate) fn run(args: &[&str]) -> Result<(), String> {
    let o = parse(args)?;
    let bin = if o.debug {
        crate::mock_server::cogkit_binary()?
    } else {
        crate::bench_mock::process::release_cogkit()?
    };
    let dir = std::env::temp_dir().join(format!("cogkit-crash-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let result = runtime.block_on(rounds(&bin, &dir, &o));
    let _ = std::fs::remove_dir_all(&dir);
    result?;
    if o.full_disk {
        runtime.block_on(full_disk(&bin))?;
    }
    Ok(())
}

/// A tmpfs of a few MiB, mounted for the full-disk check and unmounted
/// when dropped.
struct SmallDisk(std::path::PathBuf);

impl SmallDisk {
    fn mount() -> Result<SmallDisk, String> {
        let dir = std::env::temp_dir().join(format!("cogkit-full-disk-{}", std::process::id()));
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        let target = dir.to_string_lossy().into_owned();
        let args = ["-t", "tmpfs", "-o", "size=6m", "tmpfs", target.as_str()];
        let mounted = |program: &str, prefix: &[&str]| {
            std::process::Command::new(program)
                .args(prefix)
                .args(args)
                .stderr(std::process::Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        };
        if mounted("mount", &[]) || mounted("sudo", &["-n", "mount"]) {
            Ok(SmallDisk(dir))
        } else {
            Err("--full-disk needs to mount a tmpfs (root, or sudo without a password)".into())
        }
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let target = self.0.to_string_lossy().into_owned();
        let unmounted = std::process::Command::new("umount")
            .arg(&target)
            .status()
            .is_ok_and(|s| s.success());
        if !unmounted {
            let _ = std::process::Command::new("sudo")
                .args(["-n", "umount", &target])
                .status();
        }
        let _ = std::fs::remove_dir(&self.0);
    }
}

/// A real full disk: the data dir on a 6 MiB tmpfs filled up. Writes fail
/// with InternalErrorException, reads go on, and after a restart the
/// stored state is what memory held.
async fn full_disk(bin: &Path) -> Result<(), String> {
    let disk = SmallDisk::mount()?;
    let data = disk.0.join("data");
    let server = start(bin, &data)?;
    let client = JsonClient::new(&server.endpoint);
    let fixture = make_fixture(&client).await?;
    // Fill what is left.
    {
        use std::io::Write as _;
        let mut filler = std::fs::File::create(disk.0.join("filler")).map_err(|e| e.to_string())?;
        let chunk = vec![0u8; 16 * 1024];
        while filler.write_all(&chunk).is_ok() {}
        // Then leave room for a few hundred users, so writes succeed
        // until the disk fills up under them.
        let full = filler.metadata().map_err(|e| e.to_string())?.len();
        filler
            .set_len(full.saturating_sub(512 * 1024))
            .map_err(|e| e.to_string())?;
        let _ = filler.sync_all();
    }
    let mut stored = Vec::new();
    let refused = loop {
        let username = format!("full{}", stored.len());
        let body = json!({"UserPoolId": fixture.pool_id, "Username": username, "MessageAction": "SUPPRESS",
                          "UserAttributes": [{"Name": "name", "Value": "x".repeat(2048)}]});
        match client.idp("AdminCreateUser", body).await {
            Ok(_) => stored.push(username),
            Err(e) => break e,
        }
        if stored.len() > 10_000 {
            return Err("the full disk never refused a write".into());
        }
    };
    if !refused.contains("500") || !refused.contains("InternalErrorException") {
        return Err(format!("a write on a full disk: {refused}"));
    }
    let not_made = format!("full{}", stored.len());
    let gone = client
        .idp(
            "AdminGetUser",
            json!({"UserPoolId": fixture.pool_id, "Username": not_made}),
        )
        .await;
    if !gone
        .as_ref()
        .is_err_and(|e| e.contains("UserNotFoundException"))
    {
        return Err(format!("the refused user is in memory: {gone:?}"));
    }
    all_there(&client, &fixture, &stored).await?;
    drop(server);
    std::fs::remove_file(disk.0.join("filler")).map_err(|e| e.to_string())?;
    let server = start(bin, &data)?;
    let client = JsonClient::new(&server.endpoint);
    all_there(&client, &fixture, &stored).await?;
    let after = client
        .idp(
            "AdminGetUser",
            json!({"UserPoolId": fixture.pool_id, "Username": not_made}),
        )
        .await;
    if after.is_ok() {
        return Err("the refused user came back after a restart".into());
    }
    println!(
        "full disk (6 MiB tmpfs, filled): {} users stored, the next write refused with InternalErrorException, reads served; after a restart the same {} and not the refused one",
        stored.len(),
        stored.len()
    );
    Ok(())
}

fn start(bin: &Path, dir: &Path) -> Result<MockServer, String> {
    MockServer::start_with(bin, &["--data-dir".as_ref(), dir.as_os_str()])
}

async fn rounds(bin: &Path, dir: &Path, o: &Options) -> Result<(), String> {
    let server = start(bin, dir)?;
    let fixture = make_fixture(&JsonClient::new(&server.endpoint)).await?;
    let mut server = Some(server);
    let mut rng = ChaCha8Rng::seed_from_u64(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(7),
    );
    let mut all_acknowledged = Vec::new();
    let (mut lost, mut half) = (0usize, 0usize);
    println!(
        "crash: {} rounds, {} writers, SIGKILL at a random moment each round",
        o.rounds, o.writers
    );
    for round in 0..o.rounds {
        let running = server.take().ok_or("no server")?;
        let client = JsonClient::new(&running.endpoint);
        let ledger = Arc::new(Mutex::new(Ledger::default()));
        let writers: Vec<_> = (0..o.writers)
            .map(|w| {
                let (client, fixture, ledger) = (client.clone(), fixture.clone(), ledger.clone());
                tokio::spawn(async move {
                    writer(&client, &fixture, &format!("r{round}w{w}"), &ledger).await
                })
            })
            .collect();
        let delay = 150 + rng.next_u64() % 1200;
        tokio::time::sleep(Duration::from_millis(delay)).await;
        running.kill();
        for w in writers {
            w.await.map_err(|e| e.to_string())??;
        }
        let restarted = start(bin, dir)?;
        let client = JsonClient::new(&restarted.endpoint);
        let ledger = std::mem::take(&mut *ledger.lock().map_err(|e| e.to_string())?);
        let (round_lost, round_half) = check(&client, &fixture, &ledger).await?;
        println!(
            "round {:>3}: killed after {delay:>4} ms, {:>4} acknowledged, {} unanswered, {round_lost} lost, {round_half} half-applied",
            round + 1,
            ledger.acknowledged.len(),
            ledger.unanswered.len()
        );
        lost += round_lost;
        half += round_half;
        all_acknowledged.extend(ledger.acknowledged);
        server = Some(restarted);
    }
    // Once more, everything acknowledged in every round.
    let running = server.take().ok_or("no server")?;
    let client = JsonClient::new(&running.endpoint);
    let everything = Ledger {
        acknowledged: all_acknowledged,
        unanswered: Vec::new(),
    };
    let (final_lost, _) = check(&client, &fixture, &everything).await?;
    drop(running);
    println!("rounds, acknowledged writes, lost, half-applied");
    println!(
        "{}, {}, {}, {half}",
        o.rounds,
        everything.acknowledged.len(),
        lost.max(final_lost)
    );
    if lost > 0 || final_lost > 0 || half > 0 {
        return Err(format!(
            "the data dir lost {} acknowledged writes and half-applied {half}",
            lost.max(final_lost)
        ));
    }
    Ok(())
}

async fn make_fixture(client: &JsonClient) -> Result<Fixture, String> {
    let pool = client
        .idp("CreateUserPool", json!({"PoolName": "crash"}))
        .await?;
    let pool_id = text(&pool["UserPool"]["Id"])?;
    let app = client
        .idp(
            "CreateUserPoolClient",
            json!({"UserPoolId": pool_id, "ClientName": "crash",
                   "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}),
        )
        .await?;
    let identity_pool = client
        .identity(
            "CreateIdentityPool",
            json!({"IdentityPoolName": "crash", "AllowUnauthenticatedIdentities": false,
                   "DeveloperProviderName": DEVELOPER_PROVIDER}),
        )
        .await?;
    Ok(Fixture {
        client_id: text(&app["UserPoolClient"]["ClientId"])?,
        identity_pool_id: text(&identity_pool["IdentityPoolId"])?,
        pool_id,
    })
}

/// Fails unless every one of `users` is in the fixture's pool.
async fn all_there(client: &JsonClient, f: &Fixture, users: &[String]) -> Result<(), String> {
    for username in users {
        client
            .idp(
                "AdminGetUser",
                json!({"UserPoolId": f.pool_id, "Username": username}),
            )
            .await?;
    }
    Ok(())
}

fn text(v: &Value) -> Result<String, String> {
    v.as_str()
        .map(str::to_owned)
        .ok_or_else(|| format!("expected a string, got {v}"))
}

/// An answer, or `None` when the server went away (killed) before
/// answering. Any other failure is the mock's bug: an error.
fn answered(result: Result<Value, String>) -> Result<Option<Value>, String> {
    match result {
        Ok(v) => Ok(Some(v)),
        Err(e) if e.contains("HTTP ") => Err(e),
        Err(_) => Ok(None),
    }
}

/// One writer: users, passwords, revocations and identities until the
/// server is killed.
async fn writer(
    client: &JsonClient,
    f: &Fixture,
    name: &str,
    ledger: &Mutex<Ledger>,
) -> Result<(), String> {
    let record = |write: Write, acknowledged: bool| {
        if let Ok(mut l) = ledger.lock() {
            if acknowledged {
                l.acknowledged.push(write);
            } else {
                l.unanswered.push(write);
            }
        }
    };
    for n in 0.. {
        let username = format!("{name}-u{n}");
        let attributes = [
            ("email".to_owned(), format!("{username}@example.com")),
            ("given_name".to_owned(), format!("Given {username}")),
            ("family_name".to_owned(), format!("Family {n}")),
        ];
        let create = Write::CreateUser {
            username: username.clone(),
            attributes: attributes.clone(),
        };
        let body = json!({"UserPoolId": f.pool_id, "Username": username, "MessageAction": "SUPPRESS",
                          "TemporaryPassword": "Temp-Passw0rd!",
                          "UserAttributes": attributes.iter().map(|(k, v)| json!({"Name": k, "Value": v})).collect::<Vec<_>>()});
        let Some(_) = answered(client.idp("AdminCreateUser", body).await)? else {
            record(create, false);
            return Ok(());
        };
        record(create, true);

        let password = format!("Crash-{n}-Passw0rd!");
        let set = Write::SetPassword {
            username: username.clone(),
            password: password.clone(),
        };
        let body = json!({"UserPoolId": f.pool_id, "Username": username, "Password": password, "Permanent": true});
        let Some(_) = answered(client.idp("AdminSetUserPassword", body).await)? else {
            record(set, false);
            return Ok(());
        };
        record(set, true);

        let body = json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": f.client_id,
                          "AuthParameters": {"USERNAME": username, "PASSWORD": password}});
        let Some(signed_in) = answered(client.idp("InitiateAuth", body).await)? else {
            return Ok(());
        };
        let refresh_token = text(&signed_in["AuthenticationResult"]["RefreshToken"])?;
        let revoke = Write::Revoke {
            refresh_token: refresh_token.clone(),
        };
        let body = json!({"ClientId": f.client_id, "Token": refresh_token});
        let Some(_) = answered(client.idp("RevokeToken", body).await)? else {
            record(revoke, false);
            return Ok(());
        };
        record(revoke, true);

        let first = format!("{name}-dev{n}a");
        let body =
            json!({"IdentityPoolId": f.identity_pool_id, "Logins": {DEVELOPER_PROVIDER: first}});
        let made = Write::DeveloperIdentity {
            developer_id: first.clone(),
            identity_id: None,
        };
        let Some(out) = answered(
            client
                .identity("GetOpenIdTokenForDeveloperIdentity", body)
                .await,
        )?
        else {
            record(made, false);
            return Ok(());
        };
        let identity_id = text(&out["IdentityId"])?;
        record(
            Write::DeveloperIdentity {
                developer_id: first,
                identity_id: Some(identity_id.clone()),
            },
            true,
        );
        let second = format!("{name}-dev{n}b");
        let body = json!({"IdentityPoolId": f.identity_pool_id, "IdentityId": identity_id,
                          "Logins": {DEVELOPER_PROVIDER: second}});
        let link = Write::DeveloperIdentity {
            developer_id: second,
            identity_id: Some(identity_id),
        };
        let Some(_) = answered(
            client
                .identity("GetOpenIdTokenForDeveloperIdentity", body)
                .await,
        )?
        else {
            record(link, false);
            return Ok(());
        };
        record(link, true);
    }
    Ok(())
}

/// Checks a round's writes against the restarted server: (lost, half-applied).
async fn check(
    client: &JsonClient,
    f: &Fixture,
    ledger: &Ledger,
) -> Result<(usize, usize), String> {
    let (mut lost, mut half) = (0, 0);
    let report = |what: &str, write: &Write| eprintln!("crash: {what}: {write:?}");
    for write in &ledger.acknowledged {
        match state_of(client, f, write).await? {
            State::Whole => {}
            State::Absent => {
                lost += 1;
                report("acknowledged but lost", write);
            }
            State::Partial => {
                half += 1;
                report("half-applied", write);
            }
        }
    }
    for write in &ledger.unanswered {
        if state_of(client, f, write).await? == State::Partial {
            half += 1;
            report("unanswered and half-applied", write);
        }
    }
    Ok((lost, half))
}

#[derive(Debug, PartialEq)]
enum State {
    Whole,
    Absent,
    Partial,
}

async fn state_of(client: &JsonClient, f: &Fixture, write: &Write) -> Result<State, String> {
    Ok(match write {
        Write::CreateUser {
            username,
            attributes,
        } => {
            let got = client
                .idp(
                    "AdminGetUser",
                    json!({"UserPoolId": f.pool_id, "Username": username}),
                )
                .await;
            match got {
                Err(e) if e.contains("UserNotFoundException") => State::Absent,
                Err(e) => return Err(e),
                Ok(user) => {
                    let has = |k: &str, v: &str| {
                        user["UserAttributes"]
                            .as_array()
                            .is_some_and(|a| a.iter().any(|x| x["Name"] == k && x["Value"] == v))
                    };
                    if attributes.iter().all(|(k, v)| has(k, v)) {
                        State::Whole
                    } else {
                        State::Partial
                    }
                }
            }
        }
        Write::SetPassword { username, password } => {
            let body = json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": f.client_id,
                              "AuthParameters": {"USERNAME": username, "PASSWORD": password}});
            match client.idp("InitiateAuth", body).await {
                Ok(_) => State::Whole,
                // The temporary password still in place (the change not
                // stored), or the user gone with its unanswered creation.
                Err(e) if e.contains("NotAuthorizedException") || e.contains("UserNotFound") => {
                    State::Absent
                }
                Err(e) => return Err(e),
            }
        }
        Write::Revoke { refresh_token } => {
            let body = json!({"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": f.client_id,
                              "AuthParameters": {"REFRESH_TOKEN": refresh_token}});
            match client.idp("InitiateAuth", body).await {
                Err(e) if e.contains("NotAuthorizedException") => State::Whole,
                Ok(_) => State::Absent,
                Err(e) => return Err(e),
            }
        }
        Write::DeveloperIdentity {
            developer_id,
            identity_id,
        } => {
            let body = json!({"IdentityPoolId": f.identity_pool_id, "DeveloperUserIdentifier": developer_id});
            match client.identity("LookupDeveloperIdentity", body).await {
                Err(e) if e.contains("ResourceNotFoundException") => State::Absent,
                Err(e) => return Err(e),
                Ok(found) => match identity_id {
                    Some(id) if found["IdentityId"] != id.as_str() => State::Partial,
                    _ => State::Whole,
                },
            }
        }
    })
}
