//! `cogkit mock serve`: run the emulator as a server (the same code and
//! arguments as the lean `cogkit-mock` binary, `mock_cognito::serve`).

use clap::Subcommand;
use mock_cognito::serve::{ServeArgs, ServeError, serve};

use crate::error::CliError;

#[derive(Debug, Subcommand)]
pub enum MockCommand {
    /// Serve the mock until Ctrl-C. Prints the endpoint and the seeded ids.
    Serve(ServeArgs),
}

pub async fn run(command: MockCommand) -> Result<(), CliError> {
    let MockCommand::Serve(args) = command;
    serve(args).await.map_err(|e| match e {
        ServeError::Input(m) => CliError::Input(m),
        ServeError::Terminal(m) => CliError::Terminal(m),
    })
}
