//! Asking at the terminal: a value, a hidden secret, a challenge's answer.

use std::io::{BufRead, IsTerminal, Write};

use cognito_flows::secret::Password;
use cognito_flows::wire::ChallengeName;
use cognito_flows::{ChallengeAnswers, FlowError};

use crate::error::CliError;

/// Asks for a line on stderr; `hidden` turns echo off.
pub fn ask(prompt: &str, hidden: bool) -> Result<String, CliError> {
    if !std::io::stdin().is_terminal() {
        return Err(CliError::Terminal(format!(
            "{} is needed and there is no terminal to ask on",
            prompt.trim_end_matches(": ")
        )));
    }
    let read = if hidden {
        rpassword::prompt_password(prompt)
    } else {
        eprint!("{prompt}");
        let _ = std::io::stderr().flush();
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line).map(|_| line)
    };
    read.map(|l| l.trim().to_owned())
        .map_err(|e| CliError::Terminal(e.to_string()))
}

/// `value`, or asked for when missing.
pub fn or_ask(value: Option<&str>, prompt: &str) -> Result<String, CliError> {
    match value {
        Some(v) if !v.is_empty() => Ok(v.to_owned()),
        _ => ask(prompt, false),
    }
}

/// One line of standard input (`--password-stdin`), without its newline.
pub fn stdin_line() -> Result<String, CliError> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| CliError::Terminal(e.to_string()))?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

/// A sign-in's challenges, answered by the person at the terminal.
pub struct AtTerminal;

fn flow_error(e: CliError) -> FlowError {
    FlowError::invalid_input(e.to_string())
}

impl ChallengeAnswers for AtTerminal {
    async fn new_password(
        &mut self,
        required: &[String],
    ) -> Result<(Password, Vec<(String, String)>), FlowError> {
        eprintln!("A new password is required.");
        let password = Password::new(ask("New password: ", true).map_err(flow_error)?);
        let mut attributes = Vec::new();
        for name in required {
            let value = ask(&format!("{name}: "), false).map_err(flow_error)?;
            attributes.push((name.clone(), value));
        }
        Ok((password, attributes))
    }

    async fn mfa_code(
        &mut self,
        challenge: &ChallengeName,
        destination: Option<&str>,
    ) -> Result<String, FlowError> {
        let prompt = match (challenge, destination) {
            (ChallengeName::SmsMfa, Some(to)) => format!("Code sent to {to}: "),
            (ChallengeName::SmsMfa, None) => "Code sent to your phone: ".to_owned(),
            _ => "Authenticator code: ".to_owned(),
        };
        ask(&prompt, false).map_err(flow_error)
    }
}
