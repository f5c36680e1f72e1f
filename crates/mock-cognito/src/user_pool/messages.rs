//! The messages codes go out in, as the outbox (`/_mock/codes`) shows
//! them: the pool's own templates (VerificationMessageTemplate and the
//! older Email/SmsVerification* members, the invitation template, the
//! SMS and email MFA messages) or Cognito's defaults, with `{####}` (and
//! `{username}`) filled in; then, when the pool has one, what its
//! CustomMessage trigger answers.
//!
//! CustomMessage runs after the operation that sent the code, with no lock
//! held: the operation notes which codes it delivered
//! ([`crate::ahead::WorkAhead::delivered`]), the events are read under the
//! read lock, the handler runs, and its message replaces the template's.

use base64::Engine;
use serde_json::{Value, json};

use super::trigger_events::event_attributes;
use super::{CodePurpose, CodeRecord, Context, Pool, UserPools};
use crate::error::{ApiError, ApiResult};
use crate::triggers::{Invocation, Trigger, malformed};

/// The code's placeholder in templates and in CustomMessage's event.
const CODE: &str = "{####}";
/// The username's placeholder (invitations).
const USERNAME: &str = "{username}";

/// The (subject, message) a code is sent in, before any trigger.
pub(super) struct Message {
    pub(super) subject: Option<String>,
    pub(super) text: String,
}

impl Pool {
    /// The message template for a code sent by email (`by_email`) or SMS
    /// for `purpose`: the pool's, or Cognito's default.
    fn template(&self, purpose: CodePurpose, by_email: bool) -> (Option<String>, String) {
        let s = &self.settings;
        let verification = s.verification_message_template.as_ref();
        let pick = |own: Option<&String>, default: &str| own.cloned().unwrap_or(default.into());
        match purpose {
            CodePurpose::Invitation => {
                let invite = s
                    .admin_create_user_config
                    .as_ref()
                    .and_then(|c| c.invite_message_template.as_ref());
                let default = "Your username is {username} and temporary password is {####}. ";
                if by_email {
                    (
                        Some(pick(
                            invite.and_then(|t| t.email_subject.as_ref()),
                            "Your temporary password",
                        )),
                        pick(invite.and_then(|t| t.email_message.as_ref()), default),
                    )
                } else {
                    (
                        None,
                        pick(invite.and_then(|t| t.sms_message.as_ref()), default),
                    )
                }
            }
            CodePurpose::SmsMfa | CodePurpose::SmsOtp => (
                None,
                pick(
                    s.sms_authentication_message.as_ref(),
                    "Your authentication code is {####}. ",
                ),
            ),
            CodePurpose::EmailOtp => {
                let email = self.mfa.email.as_ref();
                (
                    Some(pick(
                        email.and_then(|e| e.subject.as_ref()),
                        "Your authentication code",
                    )),
                    pick(
                        email.and_then(|e| e.message.as_ref()),
                        "Your authentication code is {####}. ",
                    ),
                )
            }
            _ if by_email => (
                Some(pick(
                    verification
                        .and_then(|t| t.email_subject.as_ref())
                        .or(s.email_verification_subject.as_ref()),
                    "Your verification code",
                )),
                pick(
                    verification
                        .and_then(|t| t.email_message.as_ref())
                        .or(s.email_verification_message.as_ref()),
                    "Your verification code is {####}. ",
                ),
            ),
            _ => (
                None,
                pick(
                    verification
                        .and_then(|t| t.sms_message.as_ref())
                        .or(s.sms_verification_message.as_ref()),
                    "Your verification code is {####}. ",
                ),
            ),
        }
    }

    /// The message that carries `code` to `username` by email or SMS.
    pub(super) fn message(
        &self,
        purpose: CodePurpose,
        by_email: bool,
        (username, code): (&str, &str),
    ) -> Message {
        let (subject, text) = self.template(purpose, by_email);
        Message {
            subject,
            text: fill(&text, username, code),
        }
    }
}

/// A template with its placeholders filled in.
fn fill(template: &str, username: &str, code: &str) -> String {
    template.replace(CODE, code).replace(USERNAME, username)
}

/// Why a code went out, as CustomMessage's `triggerSource` names it.
fn custom_message_source(operation: &str, purpose: CodePurpose) -> &'static str {
    match purpose {
        CodePurpose::SignUp if operation == "ResendConfirmationCode" => "CustomMessage_ResendCode",
        CodePurpose::SignUp => "CustomMessage_SignUp",
        CodePurpose::ForgotPassword => "CustomMessage_ForgotPassword",
        CodePurpose::Invitation => "CustomMessage_AdminCreateUser",
        CodePurpose::SmsMfa | CodePurpose::EmailOtp | CodePurpose::SmsOtp => {
            "CustomMessage_Authentication"
        }
        _ if operation == "GetUserAttributeVerificationCode" => "CustomMessage_VerifyUserAttribute",
        _ => "CustomMessage_UpdateUserAttribute",
    }
}

impl UserPools {
    /// CustomMessage for the code delivered as outbox entry `id` by
    /// `operation`, if its pool has the trigger somewhere to run.
    pub(crate) fn custom_message(
        &self,
        id: u64,
        operation: &str,
        metadata: Option<&Value>,
        ctx: &Context<'_>,
    ) -> Option<Invocation> {
        let record = self.codes.get(&id, ctx.clock.unix())?;
        let pool = self.pools.get(&record.user_pool_id)?;
        let arn = pool
            .settings
            .lambda_config
            .as_ref()?
            .custom_message
            .clone()?;
        let user = pool.users.get(&record.username)?;
        let invitation = record.purpose == CodePurpose::Invitation;
        let request = json!({
            "userAttributes": event_attributes(user),
            "codeParameter": CODE,
            "usernameParameter": if invitation { json!(USERNAME) } else { Value::Null },
            "linkParameter": "{##Click Here##}",
            "clientMetadata": metadata.cloned().unwrap_or_else(|| json!({})),
        });
        let caller = pool.caller(&user.username, None);
        ctx.triggers.invocation(
            (Trigger::CustomMessage, &arn),
            ("1", custom_message_source(operation, record.purpose)),
            &caller,
            request,
        )
    }

    /// CustomEmailSender (a code sent by email) or CustomSMSSender (by
    /// SMS) for outbox entry `id`, if its pool has one: the code encrypted
    /// under the pool's KMSKeyID as an Encryption SDK message, which the
    /// handler decrypts with the SDK's KMS keyring against the mock.
    pub(crate) fn custom_sender(
        &self,
        id: u64,
        operation: &str,
        metadata: Option<&Value>,
        ctx: &Context<'_>,
    ) -> Option<ApiResult<Invocation>> {
        let record = self.codes.get(&id, ctx.clock.unix())?;
        let pool = self.pools.get(&record.user_pool_id)?;
        let lambda = pool.settings.lambda_config.as_ref()?;
        let by_email = record.destination.contains('@');
        let (trigger, arn, kind, prefix) = if by_email {
            let config = lambda.custom_email_sender.as_ref()?;
            (
                Trigger::CustomEmailSender,
                &config.lambda_arn,
                "customEmailSenderRequestV1",
                "CustomEmailSender_",
            )
        } else {
            let config = lambda.custom_sms_sender.as_ref()?;
            (
                Trigger::CustomSmsSender,
                &config.lambda_arn,
                "customSMSSenderRequestV1",
                "CustomSMSSender_",
            )
        };
        let Some(key_arn) = lambda.kms_key_id.as_deref() else {
            return Some(Err(ApiError::new(
                "InvalidParameterException",
                "A custom sender trigger needs LambdaConfig.KMSKeyID to encrypt the code under",
            )));
        };
        let user = pool.users.get(&record.username)?;
        let sealed =
            match crate::triggers::esdk::encrypt(ctx.kms, key_arn, record.code.as_bytes(), ctx.rng)
            {
                Ok(sealed) => sealed,
                Err(e) => return Some(Err(e)),
            };
        let request = json!({
            "type": kind,
            "code": base64::engine::general_purpose::STANDARD.encode(sealed),
            "userAttributes": event_attributes(user),
            "clientMetadata": metadata.cloned().unwrap_or_else(|| json!({})),
        });
        let source =
            custom_message_source(operation, record.purpose).replace("CustomMessage_", prefix);
        let caller = pool.caller(&user.username, None);
        ctx.triggers
            .invocation((trigger, arn), ("1", &source), &caller, request)
            .map(Ok)
    }

    /// Puts CustomMessage's answer into outbox entry `id`: its email
    /// subject and message, or its SMS message, with the placeholders
    /// filled in; a member it leaves out keeps the template's.
    pub(crate) fn apply_custom_message(
        &mut self,
        id: u64,
        response: &Value,
        now: i64,
    ) -> ApiResult<()> {
        let member = |name: &str| match response.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(malformed()),
        };
        let (email_message, email_subject, sms_message) = (
            member("emailMessage")?,
            member("emailSubject")?,
            member("smsMessage")?,
        );
        let Some(record) = self.codes.get_mut(&id, now) else {
            return Ok(());
        };
        let by_email = record.destination.contains('@');
        let message = if by_email { email_message } else { sms_message };
        if let Some(text) = message {
            if !text.contains(CODE) {
                return Err(ApiError::new(
                    "InvalidLambdaResponseException",
                    format!("CustomMessage's message must contain the code parameter {CODE}"),
                ));
            }
            record.message = Some(fill(&text, &record.username, &record.code));
        }
        if by_email && let Some(subject) = email_subject {
            record.subject = Some(subject);
        }
        Ok(())
    }
}

impl CodeRecord {
    /// A record of `code` sent to `destination`, in the message `pool`
    /// would send it in.
    pub(super) fn new(
        pool: &Pool,
        username: &str,
        purpose: CodePurpose,
        code: String,
        destination: String,
    ) -> CodeRecord {
        let message = pool.message(purpose, destination.contains('@'), (username, &code));
        CodeRecord {
            user_pool_id: pool.id.clone(),
            username: username.to_owned(),
            purpose,
            code,
            destination,
            subject: message.subject,
            message: Some(message.text),
        }
    }
}
