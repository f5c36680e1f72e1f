//! `cogkit`: a thin command-line front end over the cognito-kit crates.
//!
//! Exit codes follow the AWS CLI: 0 success, 1 a service or validation
//! error, 2 a usage error (clap's own).

#![forbid(unsafe_code)]

mod mock;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "cogkit",
    version,
    about = "Amazon Cognito identity flows, online and offline"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
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
    /// The offline Cognito emulator.
    Mock {
        #[command(subcommand)]
        command: mock::MockCommand,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::SecretHash {
            username,
            client_id,
            client_secret,
        } => {
            println!(
                "{}",
                cognito_srp::secret_hash(&username, &client_id, &client_secret)
            );
            Ok(())
        }
        Command::Mock { command } => mock::run(command),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("cogkit: {message}");
            ExitCode::from(1)
        }
    }
}
