//! `cogkit mock serve`: run the emulator as a server (the same code and
//! arguments as the lean `cogkit-mock` binary, `mock_cognito::serve`).

use clap::Subcommand;
use mock_cognito::serve::{BackupArgs, ServeArgs, ServeError, backup, serve};

use crate::error::CliError;

#[derive(Debug, Subcommand)]
pub enum MockCommand {
    /// Serve the mock until Ctrl-C. Prints the endpoint and the seeded ids.
    Serve(ServeArgs),
    /// Copy a data dir consistently while its server runs (SQLite's online
    /// backup, then the signing keys) into a new directory that
    /// `--data-dir` accepts.
    Backup(BackupArgs),
}

pub async fn run(command: MockCommand) -> Result<(), CliError> {
    let result = match command {
        MockCommand::Serve(args) => serve(args).await,
        MockCommand::Backup(args) => backup(&args),
    };
    result.map_err(|e| match e {
        ServeError::Input(m) => CliError::Input(m),
        ServeError::Terminal(m) => CliError::Terminal(m),
    })
}
