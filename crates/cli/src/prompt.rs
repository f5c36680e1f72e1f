//! Asking at the terminal: a value, a hidden secret, a challenge's answer.

use std::io::{BufRead, IsTerminal, Write};

use cognito_flows::FlowError;
use cognito_flows::prompt::Prompt;

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

/// The person at the terminal: a sign-in's challenges
/// ([`cognito_flows::prompt::PromptedAnswers`]) and the hosted UI's code.
pub struct AtTerminal;

impl Prompt for AtTerminal {
    fn say(&mut self, line: &str) {
        crate::out::status(line);
    }

    async fn ask(&mut self, prompt: &str, hidden: bool) -> Result<String, FlowError> {
        ask(prompt, hidden).map_err(|e| FlowError::invalid_input(e.to_string()))
    }
}
