//! `cogkit-mock`: the Cognito emulator alone, as a server. The same server
//! and arguments as `cogkit mock serve`, without the AWS SDK or the client
//! side: what a container or a CI job starts.
//!
//! Exit status: 0 after Ctrl-C, 1 for a bad seed file or a busy address,
//! 2 for a usage error.

#![forbid(unsafe_code)]

use std::process::ExitCode;

use clap::Parser;
use mock_cognito::serve::{ServeArgs, serve};

/// The Cognito emulator (user pools, identity pools, STS, the hosted UI)
/// as a server. Prints the endpoint and the seeded ids, then serves until
/// Ctrl-C.
#[derive(Debug, Parser)]
#[command(name = "cogkit-mock", version)]
struct Cli {
    #[command(flatten)]
    serve: ServeArgs,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("cogkit-mock: cannot start the runtime: {e}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(serve(cli.serve)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("cogkit-mock: {e}");
            ExitCode::from(1)
        }
    }
}
