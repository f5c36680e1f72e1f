//! `cogkit`: a thin command-line front end over the cognito-kit crates.
//!
//! Exit codes follow the AWS CLI: 0 success, 1 a service or validation
//! error, 2 a usage error ([`error::CliError::exit_code`]).

#![forbid(unsafe_code)]

#[macro_use]
mod out;
mod auth;
mod demo;
mod error;
mod login;
mod mock;
mod prompt;
mod show;
mod token;
mod trace;

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use error::CliError;

#[derive(Debug, Parser)]
#[command(
    name = "cogkit",
    version,
    about = "Amazon Cognito identity flows, online and offline"
)]
struct Cli {
    #[command(flatten)]
    endpoint: auth::Endpoint,
    /// How to print results (`credentials`, `token decode`).
    #[arg(long, global = true, value_enum, default_value = "json")]
    output: show::Output,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum CredentialsOutput {
    /// A JSON object.
    Json,
    /// `export AWS_…=…` lines for a shell.
    Export,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Print the SECRET_HASH an app client with a secret must send:
    /// base64(HMAC-SHA256(client_secret, username ‖ client_id)).
    SecretHash {
        /// The username as the request carries it (for RespondToAuthChallenge
        /// and refresh: the internal username, not an alias).
        #[arg(long)]
        username: String,
        /// The app client id.
        #[arg(long)]
        client_id: String,
        /// The app client secret. Prefer the environment variable, which keeps
        /// it out of shell history.
        #[arg(long, env = "COGKIT_CLIENT_SECRET", hide_env_values = true)]
        client_secret: String,
    },
    /// Sign in (user pool, hosted UI with Facebook or Amazon, or a provider
    /// token), cache the tokens, and get identity-pool credentials.
    ///
    /// With no option saying how, at a terminal, cogkit asks as the
    /// original study does: "sign in with (cognito, facebook, amazon)".
    ///
    /// - cognito: SRP sign-in (username, hidden password); the ID token is
    ///   the login under `cognito-idp.<region>.amazonaws.com/<poolId>`.
    ///
    /// - facebook, amazon: the user pool's hosted UI, straight to that
    ///   provider (identity_provider=Facebook / LoginWithAmazon), with PKCE
    ///   and a checked state. With a desktop browser (`$BROWSER`, `open`,
    ///   `xdg-open`) and a loopback --redirect-uri, cogkit opens it and
    ///   receives the redirect itself; otherwise it prints the URL and asks
    ///   `Enter Code:` for the code, or the whole address the browser ended
    ///   at. The code is exchanged at /oauth2/token and the pool's ID token
    ///   is the login, under the user-pool key as for cognito.
    ///
    /// - anything else, or nothing: no sign-in, guest credentials.
    ///
    /// `--provider facebook --direct` (or amazon, google, apple) is the
    /// other flow: the provider's own access or ID token, asked for hidden,
    /// as a direct identity-pool login (`graph.facebook.com`, …), without
    /// the user pool.
    ///
    /// User-pool tokens are cached (mode 0600) for `credentials --login
    /// cognito` and `credential-process`. With an identity pool
    /// (--identity-pool-id or COGKIT_IDENTITY_POOL_ID; asked for after the
    /// prompt) cogkit prints GetId, GetCredentialsForIdentity and the STS
    /// caller those credentials are.
    Login(login::LoginRequest),
    /// Temporary AWS credentials from an identity pool.
    Credentials {
        #[command(flatten)]
        args: auth::CredentialsArgs,
        /// `export` prints `export AWS_…=…` lines for a shell; otherwise
        /// --output decides.
        #[arg(long, value_enum, default_value = "json")]
        format: CredentialsOutput,
    },
    /// The AWS `credential_process` JSON, for `~/.aws/config`.
    CredentialProcess {
        #[command(flatten)]
        args: auth::CredentialsArgs,
    },
    /// Inspect or verify a JWT.
    Token {
        #[command(subcommand)]
        command: token::TokenCommand,
    },
    /// Run every identity flow offline against an embedded mock, printing
    /// each call and its response (secrets shortened).
    Demo,
    /// The offline Cognito emulator.
    Mock {
        #[command(subcommand)]
        command: mock::MockCommand,
    },
    /// Lambda triggers, as the mock runs them.
    Trigger {
        #[command(subcommand)]
        command: TriggerCommand,
    },
}

#[derive(Debug, Subcommand)]
enum TriggerCommand {
    /// Run a handler file written for AWS Lambda (`.py`: `handler(event,
    /// context)`; `.js` / `.mjs`: `exports.handler`) as the mock does: the
    /// event JSON on stdin, the answer on stdout; a thrown error is
    /// `{"errorMessage", …}` and exit status 1.
    Run {
        /// The handler file.
        file: std::path::PathBuf,
    },
}

fn block_on(f: impl std::future::Future<Output = Result<(), CliError>>) -> Result<(), CliError> {
    tokio::runtime::Runtime::new()
        .map_err(|e| CliError::Terminal(format!("cannot start the async runtime: {e}")))?
        .block_on(f)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::SecretHash {
            username,
            client_id,
            client_secret,
        } => {
            outln!(
                "{}",
                cognito_flows::srp::secret_hash(&username, &client_id, &client_secret)
            );
            Ok(())
        }
        Command::Mock { command } => block_on(mock::run(command)),
        Command::Demo => block_on(demo::run()),
        Command::Login(request) => block_on(login::login(&cli.endpoint, request)),
        Command::Credentials { args, format } => block_on(auth::credentials(
            &cli.endpoint,
            &args,
            matches!(format, CredentialsOutput::Export),
            cli.output,
        )),
        Command::CredentialProcess { args } => {
            block_on(auth::credential_process(&cli.endpoint, &args))
        }
        Command::Token { command } => block_on(token::run(command, &cli.endpoint, cli.output)),
        Command::Trigger {
            command: TriggerCommand::Run { file },
        } => match mock_cognito::triggers::run_handler_file(&file) {
            Ok(0) => Ok(()),
            Ok(code) => return ExitCode::from(u8::try_from(code).unwrap_or(1)),
            Err(e) => Err(CliError::Input(format!("{}: {e}", file.display()))),
        },
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("cogkit: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}
