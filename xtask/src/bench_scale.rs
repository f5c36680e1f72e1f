//! `cargo xtask bench scale [--users N] [--sign-ins N]`: loads up to a
//! million users into an in-process mock through the library
//! (`MockCognito::add_users`, not the network) and shows that SRP sign-in
//! latency and memory per user stay flat as the pool grows.

use std::time::{Duration, Instant};

use mock_cognito::MockCognito;
use rand_core::{Rng, SeedableRng};
use serde_json::json;

use crate::bench_mock::client::JsonClient;
use crate::bench_mock::process::rss_bytes;
use crate::bench_mock::scenarios::{PASSWORD, srp_sign_in};

/// Users are loaded in slices this big, so the load's own buffers stay small.
const SLICE: usize = 50_000;

pub(crate) fn run(args: &[&str]) -> Result<(), String> {
    let mut full = vec!["bench", "scale"];
    full.extend_from_slice(args);
    if let Some(result) = crate::rerun_in_release(&full) {
        return result;
    }
    let mut users = 1_000_000usize;
    let mut sign_ins = 300usize;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let value = it
            .next()
            .and_then(|v| v.parse::<usize>().ok())
            .filter(|&n| n > 0);
        match (*arg, value) {
            ("--users", Some(n)) => users = n,
            ("--sign-ins", Some(n)) => sign_ins = n,
            _ => return Err(format!("bad option {arg}\n{}", crate::usage())),
        }
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    runtime.block_on(scale(users, sign_ins))
}

async fn scale(users: usize, sign_ins: usize) -> Result<(), String> {
    let mock = MockCognito::start().await.map_err(|e| e.to_string())?;
    let c = JsonClient::new(&mock.endpoint());
    let pool = c
        .idp("CreateUserPool", json!({"PoolName": "scale"}))
        .await?;
    let pool_id = pool["UserPool"]["Id"]
        .as_str()
        .ok_or("no pool id")?
        .to_owned();
    let client = c
        .idp(
            "CreateUserPoolClient",
            json!({"UserPoolId": pool_id, "ClientName": "scale",
                   "ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}),
        )
        .await?;
    let client_id = client["UserPoolClient"]["ClientId"]
        .as_str()
        .ok_or("no client id")?
        .to_owned();
    let me = std::process::id();
    // Warm up (keys, allocator, connections) before the baseline.
    mock.add_users(&pool_id, &[("warmup".to_owned(), PASSWORD.to_owned())])
        .map_err(|e| e.to_string())?;
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(7);
    srp_sign_in(&c, &pool_id, &client_id, "warmup", &mut rng).await?;
    let base = rss_bytes(me)?;

    println!("bench scale: one pool, SRP sign-ins over loopback HTTP, {sign_ins} per size");
    println!(
        "{:>10} {:>12} {:>12} {:>14} {:>11} {:>11}",
        "users", "load time", "RSS", "bytes/user", "p50", "p99"
    );
    let mut sizes: Vec<usize> = [1_000, 10_000, 100_000, 1_000_000]
        .into_iter()
        .filter(|&n| n < users)
        .collect();
    sizes.push(users);
    let mut loaded = 0usize;
    let mut load_time = Duration::ZERO;
    for size in sizes {
        while loaded < size {
            let end = (loaded + SLICE).min(size);
            let slice: Vec<(String, String)> = (loaded..end)
                .map(|i| (format!("u{i:07}"), PASSWORD.to_owned()))
                .collect();
            let t = Instant::now();
            mock.add_users(&pool_id, &slice)
                .map_err(|e| e.to_string())?;
            load_time += t.elapsed();
            loaded = end;
        }
        let mut latencies = Vec::with_capacity(sign_ins);
        for _ in 0..sign_ins {
            let user = format!("u{:07}", rng.next_u64() as usize % loaded);
            let t = Instant::now();
            srp_sign_in(&c, &pool_id, &client_id, &user, &mut rng).await?;
            latencies.push(t.elapsed());
        }
        latencies.sort();
        let rss = rss_bytes(me)?;
        println!(
            "{:>10} {:>10.1} s {:>8.1} MiB {:>14.0} {:>8.3} ms {:>8.3} ms",
            loaded,
            load_time.as_secs_f64(),
            rss as f64 / 1048576.0,
            rss.saturating_sub(base) as f64 / loaded as f64,
            latencies[latencies.len() / 2].as_secs_f64() * 1e3,
            latencies[latencies.len() * 99 / 100].as_secs_f64() * 1e3
        );
    }
    println!("(bytes/user: RSS growth over the warmed-up baseline, divided by users loaded)");
    Ok(())
}
