//! Flows that need a person: a [`Prompt`] is whoever can be told things
//! and asked for a line (a terminal, a dialog, a test's script), and
//! [`PromptedAnswers`] answers a sign-in's challenges by asking it, with
//! the same questions every front end would ask.
//!
//! ```
//! use cognito_flows::FlowError;
//! use cognito_flows::prompt::{Prompt, PromptedAnswers};
//!
//! struct Script(Vec<&'static str>);
//! impl Prompt for Script {
//!     fn say(&mut self, _line: &str) {}
//!     async fn ask(&mut self, _prompt: &str, _hidden: bool) -> Result<String, FlowError> {
//!         self.0.pop().map(str::to_owned).ok_or_else(|| FlowError::invalid_input("no answer"))
//!     }
//! }
//! // users.finish_sign_in(first, &mut PromptedAnswers(Script(vec!["123456"]))).await?;
//! # let _ = PromptedAnswers(Script(vec![]));
//! ```

use std::future::Future;

use crate::error::FlowError;
use crate::secret::Password;
use crate::transport::ChallengeName;
use crate::user_pool::{ChallengeAnswers, FirstFactor};

/// Someone to tell things to and ask things of.
pub trait Prompt: Send {
    /// Tells the person something (a status line; never a secret).
    fn say(&mut self, line: &str);

    /// Asks for one line, without its newline; `hidden` for secrets (no
    /// echo).
    fn ask(
        &mut self,
        prompt: &str,
        hidden: bool,
    ) -> impl Future<Output = Result<String, FlowError>> + Send;
}

/// A sign-in's challenges answered by asking a [`Prompt`]: `New password: `
/// (hidden) and each attribute the pool requires, `Code sent to <where>: `
/// for a texted or emailed code, `Authenticator code: ` for TOTP, and for
/// choice-based sign-in `Sign in with (…): ` then `Password: ` (hidden)
/// when the chosen factor needs it.
#[derive(Debug)]
pub struct PromptedAnswers<P>(pub P);

impl<P: Prompt> ChallengeAnswers for PromptedAnswers<P> {
    async fn new_password(
        &mut self,
        required: &[String],
    ) -> Result<(Password, Vec<(String, String)>), FlowError> {
        self.0.say("A new password is required.");
        let password = Password::new(self.0.ask("New password: ", true).await?);
        let mut attributes = Vec::new();
        for name in required {
            let value = self.0.ask(&format!("{name}: "), false).await?;
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
            (ChallengeName::SoftwareTokenMfa, _) => "Authenticator code: ".to_owned(),
            (_, Some(to)) => format!("Code sent to {to}: "),
            (ChallengeName::EmailOtp, None) => "Code sent to your email: ".to_owned(),
            _ => "Code sent to your phone: ".to_owned(),
        };
        self.0.ask(&prompt, false).await
    }

    async fn first_factor(
        &mut self,
        available: &[ChallengeName],
    ) -> Result<FirstFactor, FlowError> {
        let offered: Vec<FirstFactor> = available
            .iter()
            .filter_map(FirstFactor::from_challenge)
            .collect();
        if offered.is_empty() {
            return Err(FlowError::Unsupported(format!(
                "the pool offers only {} here, which this client cannot answer",
                available
                    .iter()
                    .map(ChallengeName::as_str)
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        let names: Vec<String> = offered.iter().map(|f| factor_name(*f)).collect();
        let answer = self
            .0
            .ask(&format!("Sign in with ({}): ", names.join(", ")), false)
            .await?;
        let wanted = answer.trim().to_ascii_lowercase().replace('_', "-");
        offered
            .iter()
            .zip(&names)
            .find(|(_, name)| **name == wanted)
            .map(|(f, _)| *f)
            .ok_or_else(|| {
                FlowError::invalid_input(format!(
                    "{:?} is not one of {}",
                    answer.trim(),
                    names.join(", ")
                ))
            })
    }

    async fn password(&mut self) -> Result<Password, FlowError> {
        Ok(Password::new(self.0.ask("Password: ", true).await?))
    }
}

/// A factor as a person types it: `password-srp`, `email-otp`, …
fn factor_name(factor: FirstFactor) -> String {
    factor
        .challenge()
        .as_str()
        .to_ascii_lowercase()
        .replace('_', "-")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Answers from a list, and a transcript of what was said and asked.
    #[derive(Default)]
    struct Script {
        answers: Vec<&'static str>,
        transcript: Vec<String>,
    }

    impl Prompt for Script {
        fn say(&mut self, line: &str) {
            self.transcript.push(line.to_owned());
        }

        async fn ask(&mut self, prompt: &str, hidden: bool) -> Result<String, FlowError> {
            self.transcript
                .push(format!("{prompt}{}", if hidden { "(hidden)" } else { "" }));
            match self.answers.is_empty() {
                true => Err(FlowError::invalid_input("no terminal")),
                false => Ok(self.answers.remove(0).to_owned()),
            }
        }
    }

    fn block_on<F: Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(f)
    }

    #[test]
    fn asks_for_a_hidden_new_password_then_each_required_attribute() {
        let mut answers = PromptedAnswers(Script {
            answers: vec!["N3w-Passw0rd!", "Alice Example"],
            ..Script::default()
        });
        let (password, attributes) = block_on(answers.new_password(&["name".to_owned()])).unwrap();
        assert_eq!(password.expose_secret(), "N3w-Passw0rd!");
        assert_eq!(
            attributes,
            [("name".to_owned(), "Alice Example".to_owned())]
        );
        assert_eq!(
            answers.0.transcript,
            [
                "A new password is required.",
                "New password: (hidden)",
                "name: "
            ]
        );
    }

    #[test]
    fn names_where_the_code_went_and_passes_refusals_on() {
        let mut answers = PromptedAnswers(Script {
            answers: vec!["123456", "654321", "111111"],
            ..Script::default()
        });
        let sms = ChallengeName::SmsMfa;
        assert_eq!(
            block_on(answers.mfa_code(&sms, Some("+*******1234"))).unwrap(),
            "123456"
        );
        block_on(answers.mfa_code(&sms, None)).unwrap();
        block_on(answers.mfa_code(&ChallengeName::SoftwareTokenMfa, None)).unwrap();
        assert_eq!(
            answers.0.transcript,
            [
                "Code sent to +*******1234: ",
                "Code sent to your phone: ",
                "Authenticator code: "
            ]
        );
        let refused = block_on(answers.mfa_code(&sms, None));
        assert!(matches!(refused, Err(FlowError::InvalidInput(_))));
    }

    #[test]
    fn offers_the_answerable_factors_by_name_then_asks_for_a_hidden_password() {
        let offered = [
            ChallengeName::Password,
            ChallengeName::PasswordSrp,
            ChallengeName::EmailOtp,
            ChallengeName::WebAuthn,
        ];
        let mut answers = PromptedAnswers(Script {
            answers: vec!["PASSWORD_SRP", "S3cret!", "passkey", "email-otp"],
            ..Script::default()
        });
        let factor = block_on(answers.first_factor(&offered)).unwrap();
        assert_eq!(factor, FirstFactor::PasswordSrp);
        assert_eq!(
            block_on(answers.password()).unwrap().expose_secret(),
            "S3cret!"
        );
        let refused = block_on(answers.first_factor(&offered));
        assert!(matches!(refused, Err(FlowError::InvalidInput(_))));
        let email = block_on(answers.first_factor(&offered)).unwrap();
        assert_eq!(email, FirstFactor::EmailOtp);
        assert_eq!(
            answers.0.transcript[..2],
            [
                "Sign in with (password, password-srp, email-otp): ",
                "Password: (hidden)"
            ]
        );
        let only_passkeys = block_on(answers.first_factor(&[ChallengeName::WebAuthn]));
        assert!(matches!(only_passkeys, Err(FlowError::Unsupported(_))));
    }
}
