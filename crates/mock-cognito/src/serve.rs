//! The emulator as a server, with its command line: `cogkit-mock` (this
//! crate's lean binary, feature `server`) and `cogkit mock serve` take the
//! same arguments and run the same code.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;

use crate::{IssuerMode, MockCognito};

/// The server's command-line arguments.
#[derive(Debug, Clone, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:9229")]
    pub addr: SocketAddr,
    /// A TOML seed file (see docs/mock-config.md).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// How token issuers are formed.
    #[arg(long, value_enum)]
    pub issuer_mode: Option<IssuerArg>,
    /// Fallback region, for seeded pools and calls that name none (default: the
    /// seed file's, or us-east-1). A signed call's region is its SigV4 scope's.
    #[arg(long)]
    pub region: Option<String>,
    /// Log each request on stderr: a level (`info` for every request,
    /// `warn` for problems only) or a RUST_LOG-style filter. Default:
    /// RUST_LOG, else `warn`. Never logs a password, token or key.
    #[arg(long, value_name = "LEVEL")]
    pub log_level: Option<String>,
    /// Keep the state in this directory (SQLite and the signing keys), so
    /// it survives restarts and crashes; each change is stored before it is
    /// answered. Without it the state is in memory only.
    #[arg(long, env = "COGKIT_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Run a pool's Lambda trigger locally: `ARN=FILE` (a `.py`, `.js` or
    /// `.mjs` handler written for AWS) or `ARN=http://…` (the event
    /// POSTed there). Repeatable; over the seed file's `[triggers]`.
    #[arg(long = "trigger", value_name = "ARN=TARGET")]
    pub triggers: Vec<String>,
    /// Run every Lambda trigger with no target of its own on this AWS
    /// Lambda Invoke API (`sam local start-lambda`'s, …).
    #[arg(long, value_name = "URL")]
    pub lambda_endpoint: Option<String>,
}

/// A `--trigger ARN=TARGET` argument.
fn trigger_arg(arg: &str) -> Result<(String, crate::triggers::TriggerTarget), ServeError> {
    use crate::triggers::TriggerTarget;
    // The ARN has colons; the target starts after the first `=`.
    let (arn, target) = arg.split_once('=').ok_or_else(|| {
        ServeError::Input(format!("--trigger {arg:?}: expected ARN=FILE or ARN=URL"))
    })?;
    let target = if target.starts_with("http://") || target.starts_with("https://") {
        TriggerTarget::Url(target.to_owned())
    } else {
        let path = PathBuf::from(target);
        if !path.is_file() {
            return Err(ServeError::Input(format!(
                "--trigger {arn}: {target} is not a file (a .py, .js or .mjs handler, or an http:// URL)"
            )));
        }
        TriggerTarget::File(path)
    };
    Ok((arn.to_owned(), target))
}

/// `cogkit mock backup`: a consistent copy of a data dir, taken while its
/// server runs.
#[derive(Debug, Clone, clap::Args)]
pub struct BackupArgs {
    /// The data dir to copy.
    #[arg(long, env = "COGKIT_DATA_DIR", value_name = "DIR")]
    pub data_dir: PathBuf,
    /// A new directory for the copy; `--data-dir` accepts it.
    #[arg(value_name = "TO")]
    pub to: PathBuf,
}

/// Copies a data dir (see [`BackupArgs`]).
pub fn backup(args: &BackupArgs) -> Result<(), ServeError> {
    crate::backup_data_dir(&args.data_dir, &args.to).map_err(ServeError::Input)
}

/// `--issuer-mode`.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum IssuerArg {
    /// `https://cognito-idp.<region>.amazonaws.com/<poolId>`, as AWS issues them.
    Aws,
    /// `<endpoint>/<poolId>`, discoverable from the mock itself.
    Local,
}

/// Why the server did not run, or stopped.
#[derive(Debug)]
pub enum ServeError {
    /// A bad argument or seed file, a busy address: the user's to fix.
    Input(String),
    /// Ctrl-C could not be awaited.
    Terminal(String),
}

impl std::fmt::Display for ServeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ServeError::Input(m) | ServeError::Terminal(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for ServeError {}

/// Serves until Ctrl-C: prints the endpoint and the seeded ids on stdout
/// (the first line is `mock-cognito listening on <endpoint>`), requests
/// to the log on stderr.
pub async fn serve(args: ServeArgs) -> Result<(), ServeError> {
    let ServeArgs {
        addr,
        config,
        issuer_mode,
        region,
        log_level,
        data_dir,
        triggers,
        lambda_endpoint,
    } = args;
    crate::logging::init(log_level.as_deref()).map_err(ServeError::Input)?;
    if !addr.ip().to_canonical().is_loopback() {
        // Admin calls accept any credentials: say so when others can reach it.
        let _ = writeln!(
            std::io::stderr(),
            "warning: listening on {addr}, which is not a loopback address: anyone who can reach it can call admin operations (any SigV4 credentials are accepted)"
        );
    }
    let mut builder = MockCognito::builder().addr(addr);
    if let Some(path) = config {
        builder = builder.seed_file(path);
    }
    if let Some(mode) = issuer_mode {
        builder = builder.issuer_mode(match mode {
            IssuerArg::Aws => IssuerMode::Aws,
            IssuerArg::Local => IssuerMode::Local,
        });
    }
    if let Some(region) = region {
        builder = builder.region(region);
    }
    if let Some(dir) = data_dir {
        builder = builder.data_dir(dir);
    }
    for arg in &triggers {
        let (arn, target) = trigger_arg(arg)?;
        builder = builder.trigger(arn, target);
    }
    if let Some(endpoint) = lambda_endpoint {
        builder = builder.lambda_endpoint(endpoint);
    }
    let mock = builder.start().await.map_err(|e| {
        ServeError::Input(match e.kind() {
            std::io::ErrorKind::AddrInUse => {
                format!("{addr} is already in use; pick another --addr (port 0 picks a free one)")
            }
            _ => e.to_string(),
        })
    })?;
    // Listening before the announcement: whoever reads it may signal at once.
    let signals =
        crate::server::StopSignals::listen().map_err(|e| ServeError::Terminal(e.to_string()))?;
    // The announcements are informational: a closed stdout (`| head -1`, a
    // parent that stopped reading) must not take the server down.
    for line in mock
        .describe()
        .into_iter()
        .chain(["press Ctrl-C to stop (SIGTERM stops it too)".into()])
    {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{line}").and_then(|()| out.flush());
    }
    mock.serve_until(signals)
        .await
        .map_err(|e| ServeError::Terminal(e.to_string()))?;
    let _ = writeln!(std::io::stderr(), "mock-cognito stopped");
    Ok(())
}
