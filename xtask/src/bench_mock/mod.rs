//! `cargo xtask bench mock [--concurrency N] [--requests N] [--duration S]
//! [--users N] [--starts N] [--against-moto] [--server-bin PATH] [--data-dir]
//! [--only get-id,get-credentials,...]`: the mock under load.
//!
//! Starts the emulator's lean binary `cogkit-mock` (release; `--server-bin`
//! for another, such as `target/release/cogkit`, whose `mock serve` is the
//! same server) with the example seed, makes a fixture through the API,
//! and drives each scenario with a load generator in this process (tokio +
//! hyper, loopback only, bounded by request count and duration). Reports ops/s, p50/p99 latency, the server's CPU time per
//! operation (from `/proc/<pid>/stat`, meaningful even when the client is
//! the bottleneck), cold start (spawn to first answer, median) and RSS.
//! `--against-moto` runs the same against `moto_server` (pinned, in a venv
//! under `target/`) and prints ratios.

pub(crate) mod client;
mod floor;
pub(crate) mod process;
mod rs256;
pub(crate) mod scenarios;

use std::sync::Arc;
use std::time::Duration;

use process::{Kind, Server};
use scenarios::{Measured, Scenario};

const MOTO: &str = "moto[server]==5.2.5";

#[derive(Debug, Clone)]
struct Options {
    concurrency: usize,
    requests: usize,
    duration: Duration,
    users: usize,
    starts: usize,
    against_moto: bool,
    /// A prebuilt `cogkit` to measure instead of building this tree's (for
    /// before/after runs in close succession).
    server_bin: Option<std::path::PathBuf>,
    /// Also measure the server with `--data-dir`, side by side.
    data_dir: bool,
    /// The scenarios to run (`--only`): all of them unless narrowed.
    scenarios: Vec<Scenario>,
}

struct Row {
    scenario: Scenario,
    measured: Measured,
    cpu_per_op: Duration,
}

struct Report {
    cold_start: Duration,
    rss_idle: u64,
    rss_after: u64,
    rows: Vec<Row>,
}

fn parse(args: &[&str]) -> Result<Options, String> {
    let mut o = Options {
        concurrency: 32,
        requests: 20_000,
        duration: Duration::from_secs(5),
        users: 32,
        starts: 5,
        against_moto: false,
        server_bin: None,
        data_dir: false,
        scenarios: Scenario::ALL.to_vec(),
    };
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut number = |name: &str| crate::positive_number(&mut it, name);
        match *arg {
            "--concurrency" => o.concurrency = number("--concurrency")?,
            "--requests" => o.requests = number("--requests")?,
            "--duration" => o.duration = Duration::from_secs(number("--duration")? as u64),
            "--users" => o.users = number("--users")?,
            "--starts" => o.starts = number("--starts")?,
            "--against-moto" => o.against_moto = true,
            "--data-dir" => o.data_dir = true,
            "--only" => {
                let names = it.next().ok_or("--only takes scenario names")?;
                o.scenarios = names
                    .split(',')
                    .map(|name| {
                        Scenario::ALL
                            .into_iter()
                            .find(|s| s.key() == name)
                            .ok_or_else(|| {
                                let known: Vec<_> = Scenario::ALL.iter().map(|s| s.key()).collect();
                                format!("no scenario {name:?}; known: {}", known.join(", "))
                            })
                    })
                    .collect::<Result<_, _>>()?;
            }
            "--server-bin" => {
                o.server_bin = Some(it.next().ok_or("--server-bin takes a path")?.into())
            }
            other => return Err(format!("unknown option {other}\n{}", crate::usage())),
        }
    }
    Ok(o)
}

pub(crate) fn run(args: &[&str]) -> Result<(), String> {
    let mut full = vec!["bench", "mock"];
    full.extend_from_slice(args);
    if let Some(result) = crate::rerun_in_release(&full) {
        return result;
    }
    let options = parse(args)?;
    let bin = match &options.server_bin {
        Some(bin) => bin.clone(),
        None => process::release_lean_server()?,
    };
    let ours = Kind::Ours(bin.clone());
    let moto = if options.against_moto {
        println!("bench: {MOTO} into target/bench-venv-moto");
        Some(Kind::Moto(crate::python::venv("bench-venv-moto", &[MOTO])?))
    } else {
        None
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    println!(
        "bench mock: {} workers, at most {} operations or {} s per scenario, {} users",
        options.concurrency,
        options.requests,
        options.duration.as_secs(),
        options.users
    );
    let ours_report = runtime.block_on(measure(&ours, &options))?;
    let label = format!(
        "mock-cognito ({}, release)",
        bin.file_name().map_or_else(
            || bin.display().to_string(),
            |n| n.to_string_lossy().into_owned()
        )
    );
    print_report(&label, &ours_report, false);
    let floor = floor::measure();
    print_targets(&ours_report, floor.as_ref().ok());
    if let Err(e) = &floor {
        println!("  (sign-in floor not measured: {e})");
    }
    print_rs256(rs256::measure());
    if options.data_dir {
        let base = std::env::temp_dir().join(format!("cogkit-bench-{}", std::process::id()));
        let durable = runtime.block_on(measure(&Kind::OursDurable(bin, base.clone()), &options));
        let _ = std::fs::remove_dir_all(&base);
        let durable = durable?;
        print_report(
            "mock-cognito --data-dir (durable, release)",
            &durable,
            false,
        );
        print_durable_ratios(&ours_report, &durable);
    }
    if let Some(moto) = moto {
        let moto_report = runtime.block_on(measure(&moto, &options))?;
        print_report("moto_server 5.2.5", &moto_report, true);
        print_ratios(&ours_report, &moto_report);
    }
    Ok(())
}

async fn measure(kind: &Kind, o: &Options) -> Result<Report, String> {
    let mut colds = Vec::new();
    for _ in 1..o.starts {
        colds.push(Server::start(kind).await?.cold_start);
    }
    let server = Server::start(kind).await?;
    colds.push(server.cold_start);
    colds.sort();
    let pid = server.pid();
    // Let start-up work (key generation, imports) settle before reading RSS.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rss_idle = process::rss_bytes(pid)?;
    let ticks = process::clock_ticks();
    let client = client::JsonClient::new(&server.endpoint);
    let fixture = Arc::new(scenarios::setup(&client, o.users).await?);
    process::wait_idle(pid, ticks, Duration::from_secs(30)).await?;
    let mut rows = Vec::new();
    for &scenario in &o.scenarios {
        let before = process::cpu_seconds(pid, ticks)?;
        let measured = scenarios::drive(
            scenario,
            &client,
            fixture.clone(),
            o.concurrency,
            o.requests,
            o.duration,
        )
        .await;
        let used = process::cpu_seconds(pid, ticks)? - before;
        let cpu_per_op = Duration::from_secs_f64(used / measured.ops.max(1) as f64);
        rows.push(Row {
            scenario,
            measured,
            cpu_per_op,
        });
    }
    let rss_after = process::rss_bytes(pid)?;
    Ok(Report {
        cold_start: colds[colds.len() / 2],
        rss_idle,
        rss_after,
        rows,
    })
}

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1e3)
}

fn mib(b: u64) -> String {
    format!("{:.1} MiB", b as f64 / (1024.0 * 1024.0))
}

fn print_report(title: &str, r: &Report, moto: bool) {
    println!("\n{title}");
    println!(
        "{:<40} {:>10} {:>11} {:>11} {:>14} {:>7}",
        "scenario", "ops/s", "p50", "p99", "server CPU/op", "errors"
    );
    for row in &r.rows {
        let m = &row.measured;
        println!(
            "{:<40} {:>10.0} {:>11} {:>11} {:>14} {:>7}",
            row.scenario.name(),
            m.ops_per_sec(),
            ms(m.percentile(0.5)),
            ms(m.percentile(0.99)),
            ms(row.cpu_per_op),
            m.errors
        );
        if let Some(caveat) = row.scenario.moto_caveat().filter(|_| moto) {
            println!("    ({caveat})");
        }
        if let Some(e) = &m.first_error {
            println!("    first error: {e}");
        }
    }
    println!(
        "cold start (median, spawn to first answer): {}   RSS idle: {}   RSS after the run: {}",
        ms(r.cold_start),
        mib(r.rss_idle),
        mib(r.rss_after)
    );
}

fn row(r: &Report, s: Scenario) -> Option<&Row> {
    r.rows.iter().find(|row| row.scenario == s)
}

/// The targets, as measured ratios (≤ 1.0 / ≥ 1.0 means met), and
/// the SRP sign-in against its floor measured in the same run.
fn print_targets(r: &Report, floor: Option<&floor::Floor>) {
    println!(
        "\ntargets (value / target; CPU and latency: ≤ 1.00 meets it, rates: ≥ 1.00 meets it)"
    );
    let line = |what: &str, value: f64, target: f64, lower_is_better: bool| {
        let ratio = value / target;
        let met = if lower_is_better {
            ratio <= 1.0
        } else {
            ratio >= 1.0
        };
        println!(
            "  {what:<52} {ratio:>6.2}  {}",
            if met { "met" } else { "MISSED" }
        );
    };
    if let Some(x) = row(r, Scenario::SrpSignIn) {
        line(
            "server CPU per SRP sign-in / 2 ms",
            x.cpu_per_op.as_secs_f64() * 1e3,
            2.0,
            true,
        );
        if let Some(f) = floor {
            println!(
                "  {:<52} {:>6.2}  (floor {}: 2 × GMP modexp {} + 2 × RS256 {})",
                "server CPU per SRP sign-in / its floor",
                x.cpu_per_op.as_secs_f64() / f.sign_in().as_secs_f64(),
                ms(f.sign_in()),
                ms(f.gmp_modexp),
                ms(f.rs256_sign)
            );
        }
    }
    if let Some(x) = row(r, Scenario::GetId) {
        line(
            "server CPU per GetId / 0.05 ms",
            x.cpu_per_op.as_secs_f64() * 1e3,
            0.05,
            true,
        );
        line(
            "GetId per second / 20,000",
            x.measured.ops_per_sec(),
            20_000.0,
            false,
        );
    }
    if let Some(x) = row(r, Scenario::GetCredentials) {
        line(
            "server CPU per GetCredentialsForIdentity / 0.05 ms",
            x.cpu_per_op.as_secs_f64() * 1e3,
            0.05,
            true,
        );
    }
    if let Some(x) = row(r, Scenario::SeedFlow2) {
        line(
            "flow-2 sign-ins per second / 400",
            x.measured.ops_per_sec(),
            400.0,
            false,
        );
    }
    line(
        "cold start / 10 ms",
        r.cold_start.as_secs_f64() * 1e3,
        10.0,
        true,
    );
    line(
        "idle RSS / 10 MiB",
        r.rss_idle as f64 / 1048576.0,
        10.0,
        true,
    );
}

/// RS256 per implementation; the mock signs with aws-lc-rs.
fn print_rs256(measured: Result<rs256::Rs256, String>) {
    match measured {
        Ok(r) => println!(
            "\nRS256 signature (RSA-2048, same key and input): aws-lc-rs {} (the mock's), ring {} ({:.2}×), jsonwebtoken/aws-lc {} ({:.2}×)",
            ms(r.aws_lc_rs),
            ms(r.ring),
            r.ring.as_secs_f64() / r.aws_lc_rs.as_secs_f64(),
            ms(r.jsonwebtoken),
            r.jsonwebtoken.as_secs_f64() / r.aws_lc_rs.as_secs_f64()
        ),
        Err(e) => println!("\nRS256 comparison failed: {e}"),
    }
}

/// Durable ÷ in memory, the target being ≥ 0.5× on each.
fn print_durable_ratios(memory: &Report, durable: &Report) {
    println!("\n--data-dir vs in memory (throughput: durable ÷ in memory; target ≥ 0.50)");
    for m in &memory.rows {
        let Some(d) = row(durable, m.scenario) else {
            continue;
        };
        let ratio = d.measured.ops_per_sec() / m.measured.ops_per_sec().max(1e-9);
        println!(
            "  {:<40} {:>6.2}×  {}  (server CPU/op {} vs {})",
            m.scenario.name(),
            ratio,
            if ratio >= 0.5 { "met" } else { "MISSED" },
            ms(d.cpu_per_op),
            ms(m.cpu_per_op)
        );
    }
    println!(
        "  {:<40} {} vs {}   idle RSS {} vs {}",
        "cold start",
        ms(durable.cold_start),
        ms(memory.cold_start),
        mib(durable.rss_idle),
        mib(memory.rss_idle)
    );
}

fn print_ratios(ours: &Report, moto: &Report) {
    println!(
        "\nours vs moto (throughput: ours ÷ moto; CPU per op: moto ÷ ours; higher is better for us)"
    );
    for o in &ours.rows {
        let Some(m) = row(moto, o.scenario) else {
            continue;
        };
        let note = o
            .scenario
            .moto_caveat()
            .map(|c| format!("  ({c})"))
            .unwrap_or_default();
        if m.measured.ops == 0 {
            println!(
                "  {:<40} n/a: moto could not run it ({})",
                o.scenario.name(),
                m.measured.first_error.as_deref().unwrap_or("no answers")
            );
            continue;
        }
        let throughput = o.measured.ops_per_sec() / m.measured.ops_per_sec();
        let cpu = m.cpu_per_op.as_secs_f64() / o.cpu_per_op.as_secs_f64().max(1e-9);
        println!(
            "  {:<40} throughput {:>7.1}×   CPU/op {:>7.1}×{note}",
            o.scenario.name(),
            throughput,
            cpu
        );
    }
    println!(
        "  {:<40} {:>7.1}× faster   idle RSS {:.1}× smaller",
        "cold start",
        moto.cold_start.as_secs_f64() / ours.cold_start.as_secs_f64().max(1e-9),
        moto.rss_idle as f64 / ours.rss_idle.max(1) as f64
    );
}
