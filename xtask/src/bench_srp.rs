//! `cargo xtask bench srp`: our SRP client answer against pycognito's, on the
//! same inputs, in the same run, printed as ratios.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use cognito_srp::{
    CognitoTimestamp, Password, PasswordVerifierChallenge, PoolName, ReceivedClaim, ServerSession,
    SrpClient, Verifier, decode_hex,
};
use rand_core::SeedableRng;
use serde_json::Value;

const PYCOGNITO: &str = "pycognito==2024.5.1";

pub(crate) fn run(args: &[&str]) -> Result<(), String> {
    let mut full = vec!["bench", "srp"];
    full.extend_from_slice(args);
    if let Some(result) = crate::rerun_in_release(&full) {
        return result;
    }
    let mut iterations = 200usize;
    let mut python = true;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match *arg {
            "--iterations" => {
                iterations = it
                    .next()
                    .and_then(|v| v.parse().ok())
                    .filter(|&n| n > 0)
                    .ok_or("--iterations takes a positive number")?
            }
            "--no-python" => python = false,
            other => return Err(format!("unknown option {other}\n{}", crate::usage())),
        }
    }

    let case = plain_case()?;
    let s = |k: &str| {
        case[k]
            .as_str()
            .map(str::to_owned)
            .ok_or(format!("vector lacks {k}"))
    };
    let pool = PoolName::from_user_pool_id(&s("pool_id")?).map_err(|e| e.to_string())?;
    let user = s("user_id_for_srp")?;
    let password = Password::new(s("password")?);
    let salt = decode_hex(&s("salt_hex")?).map_err(|e| e.to_string())?;
    let verifier =
        Verifier::with_salt(&salt, &pool, &user, &password).map_err(|e| e.to_string())?;
    let session = ServerSession::from_secret(
        &decode_hex(&s("b_hex")?).map_err(|e| e.to_string())?,
        &verifier,
    )
    .map_err(|e| e.to_string())?;
    let challenge = PasswordVerifierChallenge {
        username: user.clone(),
        user_id_for_srp: user.clone(),
        salt: s("salt_hex")?,
        srp_b: session.srp_b(),
        secret_block: s("secret_block_b64")?,
    };
    let now = SystemTime::now();
    let timestamp = CognitoTimestamp::from_system_time(now).ok_or("clock before 1970")?;

    println!("SRP benchmark: {iterations} iterations, vector case \"plain\", release build");
    // Same inputs as pycognito: its 1024-bit a from the vector.
    let vector_client =
        SrpClient::from_secret(&decode_hex(&s("a_hex")?).map_err(|e| e.to_string())?)
            .map_err(|e| e.to_string())?;
    let ours_same_a = time_per_op(iterations, || {
        vector_client
            .answer_password_verifier(&pool, &challenge, &password, timestamp)
            .map(|_| ())
    })?;
    // What cogkit really sends: a fresh 256-bit a.
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
    let default_client = SrpClient::new(&mut rng);
    let ours_default = time_per_op(iterations, || {
        default_client
            .answer_password_verifier(&pool, &challenge, &password, timestamp)
            .map(|_| ())
    })?;
    let claim = default_client
        .answer_password_verifier(&pool, &challenge, &password, timestamp)
        .map_err(|e| e.to_string())?;
    let srp_a = default_client.srp_a();
    let received = ReceivedClaim {
        srp_a: &srp_a,
        secret_block: &claim.secret_block,
        timestamp: &claim.timestamp,
        signature: &claim.signature,
    };
    let verify = time_per_op(iterations, || {
        session.verify_password_claim(&pool, &user, received, now, Duration::from_secs(300))
    })?;
    let start = time_per_op(iterations, || {
        let _ = SrpClient::new(&mut rng);
        Ok::<(), String>(())
    })?;

    println!("{:<48} {:>12}", "operation", "per op");
    println!(
        "{:<48} {:>12}",
        "client answer, 1024-bit a (pycognito's inputs)",
        fmt(ours_same_a)
    );
    println!(
        "{:<48} {:>12}",
        "client answer, 256-bit a (cogkit default)",
        fmt(ours_default)
    );
    println!(
        "{:<48} {:>12}",
        "client start (a, A = g^a), 256-bit a",
        fmt(start)
    );
    println!("{:<48} {:>12}", "server verify_password_claim", fmt(verify));

    if !python {
        println!("(pycognito reference skipped: --no-python)");
        return Ok(());
    }
    let py = crate::python::venv("bench-venv-srp", &[PYCOGNITO])?;
    let script = crate::workspace_root().join("xtask/scripts/pycognito_srp_bench.py");
    let mut input = case.clone();
    input["B_hex"] = Value::String(session.srp_b());
    input["iterations"] = Value::from((iterations / 4).max(20));
    let mut child = Command::new(py)
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start python: {e}"))?;
    child
        .stdin
        .take()
        .expect("piped")
        .write_all(input.to_string().as_bytes())
        .map_err(|e| e.to_string())?;
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err("pycognito benchmark failed".into());
    }
    let result: Value =
        serde_json::from_slice(&out.stdout).map_err(|e| format!("pycognito output: {e}"))?;
    let py_secs = result["seconds_per_answer"]
        .as_f64()
        .ok_or("pycognito output lacks timing")?;

    // pycognito's answer must verify on our server: same maths, same inputs.
    let py_ts = result["timestamp"].as_str().ok_or("no timestamp")?;
    let py_sig = result["signature"].as_str().ok_or("no signature")?;
    let py_client_a = SrpClient::from_secret(&decode_hex(&s("a_hex")?).map_err(|e| e.to_string())?)
        .map_err(|e| e.to_string())?
        .srp_a();
    let py_claim = ReceivedClaim {
        srp_a: &py_client_a,
        secret_block: &challenge.secret_block,
        timestamp: py_ts,
        signature: py_sig,
    };
    let py_now = UNIX_EPOCH
        + Duration::from_secs(
            CognitoTimestamp::parse(py_ts)
                .map_err(|e| e.to_string())?
                .unix_secs() as u64,
        );
    session
        .verify_password_claim(&pool, &user, py_claim, py_now, Duration::from_secs(300))
        .map_err(|e| format!("pycognito's answer did not verify on our server: {e}"))?;

    let py = Duration::from_secs_f64(py_secs);
    println!(
        "{:<48} {:>12}",
        format!("pycognito {PYCOGNITO} process_challenge"),
        fmt(py)
    );
    println!("pycognito's answer verified on our server side: yes");
    println!(
        "ratio pycognito / ours, same inputs (1024-bit a): {:.1}x faster",
        py_secs / ours_same_a.as_secs_f64()
    );
    println!(
        "ratio pycognito / ours, cogkit default (256-bit a): {:.1}x faster (target: >= 10x)",
        py_secs / ours_default.as_secs_f64()
    );
    Ok(())
}

fn plain_case() -> Result<Value, String> {
    let path = crate::workspace_root().join("crates/cognito-srp/tests/vectors/cognito-srp.json");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let doc: Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    doc["cases"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["name"] == "plain"))
        .cloned()
        .ok_or_else(|| "vector case \"plain\" not found".to_owned())
}

fn time_per_op<E: std::fmt::Display>(
    n: usize,
    mut op: impl FnMut() -> Result<(), E>,
) -> Result<Duration, String> {
    op().map_err(|e| e.to_string())?;
    let start = Instant::now();
    for _ in 0..n {
        op().map_err(|e| e.to_string())?;
    }
    Ok(start.elapsed() / n as u32)
}

fn fmt(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1e3)
}
