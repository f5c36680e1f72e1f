//! Lambda triggers, run offline as the user's own handlers (PreSignUp,
//! PreAuthentication, PostAuthentication and PreTokenGeneration so far).
//!
//! A pool's `LambdaConfig` names functions by ARN. The mock resolves each
//! ARN to a local target ([`TriggerTarget`]): a handler file written for
//! AWS (`def handler(event, context)` in Python, `exports.handler` in
//! Node), any program (the event JSON on stdin, the answer on stdout), a
//! URL (the event POSTed, the answer in the body), or the AWS Lambda Invoke
//! API of an emulator (`sam local start-lambda`). ARNs without a target run
//! on the Lambda endpoint when one is configured, and are otherwise
//! skipped, as moto skips them all (and the log says so).
//!
//! Events have AWS's shape (`version`, `triggerSource`, `region`,
//! `userPoolId`, `userName`, `callerContext`, `request`, `response`), and
//! the handler's answer is the event with its `response` filled in. A
//! handler's error is `UserLambdaValidationException` ("PreSignUp failed
//! with error …."), a time-out or an unreachable target
//! `UnexpectedLambdaException`, an answer that is not the event
//! `InvalidLambdaResponseException`; the operation then changes nothing.
//!
//! A trigger runs with no state lock held: the operation reads what the
//! event needs, the handler runs, then the operation applies the answer.

pub(crate) mod esdk;
mod invoke;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use serde_json::{Value, json};

use crate::error::ApiError;

pub use invoke::run_handler_file;

/// How long a trigger may take: Cognito waits 5 seconds for a function.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

/// Where a trigger's function runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TriggerTarget {
    /// A handler file written for AWS Lambda: `.py` (`handler(event,
    /// context)`, run with `python3`) or `.js` / `.mjs` / `.cjs`
    /// (`exports.handler`, run with `node`), through the mock's runner.
    File(PathBuf),
    /// A program and its arguments: the event JSON on stdin, the answer on
    /// stdout; a non-zero exit is the handler's error (its stdout's
    /// `errorMessage`, when it prints one).
    Command(Vec<String>),
    /// An HTTP endpoint: the event POSTed as JSON, the answer in a 2xx
    /// body (another status is the handler's error).
    Url(String),
    /// The AWS Lambda Invoke API at this endpoint
    /// (`POST /2015-03-31/functions/<name>/invocations`).
    Lambda(String),
}

/// The ARN → target map of one mock, and how long a trigger may run.
#[derive(Debug, Clone)]
pub struct Triggers {
    targets: BTreeMap<String, TriggerTarget>,
    lambda_endpoint: Option<String>,
    timeout: Duration,
    /// The mock's own endpoint: the handlers it runs find KMS there.
    mock_endpoint: Option<String>,
}

impl Default for Triggers {
    fn default() -> Self {
        Triggers {
            targets: BTreeMap::new(),
            lambda_endpoint: None,
            timeout: DEFAULT_TIMEOUT,
            mock_endpoint: None,
        }
    }
}

impl Triggers {
    /// Runs the function `arn` names on `target`.
    pub fn set(&mut self, arn: impl Into<String>, target: TriggerTarget) {
        self.targets.insert(arn.into(), target);
    }

    /// Runs every function no target is set for on this Lambda endpoint.
    pub fn set_lambda_endpoint(&mut self, endpoint: impl Into<String>) {
        self.lambda_endpoint = Some(endpoint.into());
    }

    /// How long a trigger may run before it is a time-out.
    pub fn set_timeout(&mut self, timeout: Duration) {
        self.timeout = timeout;
    }

    /// Adds `other`'s targets (and its endpoint and time limit, when it
    /// changes them) over these: the builder's over the seed file's.
    pub(crate) fn merge(&mut self, other: &Triggers) {
        self.targets
            .extend(other.targets.iter().map(|(k, v)| (k.clone(), v.clone())));
        if other.lambda_endpoint.is_some() {
            self.lambda_endpoint.clone_from(&other.lambda_endpoint);
        }
        if other.timeout != DEFAULT_TIMEOUT {
            self.timeout = other.timeout;
        }
    }

    /// The mock's endpoint, where the handlers it runs find its KMS.
    pub(crate) fn set_mock_endpoint(&mut self, endpoint: impl Into<String>) {
        self.mock_endpoint = Some(endpoint.into());
    }

    /// Whether any function can run at all.
    pub fn is_empty(&self) -> bool {
        self.targets.is_empty() && self.lambda_endpoint.is_none()
    }

    /// Where the function `arn` runs, if anywhere.
    pub(crate) fn target(&self, arn: &str) -> Option<TriggerTarget> {
        self.targets.get(arn).cloned().or_else(|| {
            let endpoint = self.lambda_endpoint.as_ref()?;
            Some(TriggerTarget::Lambda(endpoint.clone()))
        })
    }
}

/// A user-pool trigger, by its LambdaConfig member.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Trigger {
    PreSignUp,
    PreAuthentication,
    PostAuthentication,
    PreTokenGeneration,
    DefineAuthChallenge,
    CreateAuthChallenge,
    VerifyAuthChallengeResponse,
    UserMigration,
    PostConfirmation,
    CustomMessage,
    CustomEmailSender,
    CustomSmsSender,
}

impl Trigger {
    /// Its name in AWS's error messages.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Trigger::PreSignUp => "PreSignUp",
            Trigger::PreAuthentication => "PreAuthentication",
            Trigger::PostAuthentication => "PostAuthentication",
            Trigger::PreTokenGeneration => "PreTokenGeneration",
            Trigger::DefineAuthChallenge => "DefineAuthChallenge",
            Trigger::CreateAuthChallenge => "CreateAuthChallenge",
            Trigger::VerifyAuthChallengeResponse => "VerifyAuthChallengeResponse",
            Trigger::UserMigration => "UserMigration",
            Trigger::PostConfirmation => "PostConfirmation",
            Trigger::CustomMessage => "CustomMessage",
            Trigger::CustomEmailSender => "CustomEmailSender",
            Trigger::CustomSmsSender => "CustomSMSSender",
        }
    }
}

/// A trigger ready to run: where, with what event, for how long. `Debug`
/// leaves the event out: it can hold a password (UserMigration) or a
/// challenge's expected answer.
#[derive(Clone)]
pub(crate) struct Invocation {
    pub(crate) trigger: Trigger,
    pub(crate) arn: String,
    pub(crate) target: TriggerTarget,
    pub(crate) timeout: Duration,
    pub(crate) event: Value,
    /// What the handler's environment gets, as Lambda's would: the
    /// region, and the mock's endpoint for KMS (custom sender handlers
    /// decrypt their code there).
    pub(crate) env: Vec<(String, String)>,
}

impl std::fmt::Debug for Invocation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Invocation")
            .field("trigger", &self.trigger)
            .field("arn", &self.arn)
            .field("target", &self.target)
            .finish_non_exhaustive()
    }
}

/// Who an event is about.
#[derive(Debug)]
pub(crate) struct Caller<'a> {
    pub(crate) pool_id: &'a str,
    pub(crate) region: &'a str,
    pub(crate) username: &'a str,
    /// The app client, when the call has one.
    pub(crate) client_id: Option<&'a str>,
}

impl Triggers {
    /// The invocation of `trigger` (the function `arn`) with AWS's event
    /// envelope around `request`; None when the ARN runs nowhere.
    pub(crate) fn invocation(
        &self,
        (trigger, arn): (Trigger, &str),
        (version, source): (&str, &str),
        caller: &Caller<'_>,
        request: Value,
    ) -> Option<Invocation> {
        let Some(target) = self.target(arn) else {
            tracing::warn!(
                trigger = trigger.name(),
                arn,
                "no local target for this Lambda trigger: skipped"
            );
            return None;
        };
        let event = json!({
            "version": version,
            "triggerSource": source,
            "region": caller.region,
            "userPoolId": caller.pool_id,
            "userName": caller.username,
            "callerContext": {
                "awsSdkVersion": concat!("aws-sdk-mock-cognito-", env!("CARGO_PKG_VERSION")),
                "clientId": caller.client_id.unwrap_or("CLIENT_ID_NOT_APPLICABLE"),
            },
            "request": request,
            "response": {},
        });
        Some(Invocation {
            trigger,
            arn: arn.to_owned(),
            target,
            timeout: self.timeout,
            event,
            env: self.handler_env(caller.region),
        })
    }
}

impl Triggers {
    /// The environment a handler process runs in, over the mock's own:
    /// `AWS_REGION`, and (unless already set) `AWS_ENDPOINT_URL_KMS` at the
    /// mock and stand-in credentials, so that the AWS SDKs in a handler
    /// reach the mock's KMS and nothing else.
    fn handler_env(&self, region: &str) -> Vec<(String, String)> {
        let mut env = vec![
            ("AWS_REGION".to_owned(), region.to_owned()),
            ("AWS_DEFAULT_REGION".to_owned(), region.to_owned()),
            ("AWS_EC2_METADATA_DISABLED".to_owned(), "true".to_owned()),
        ];
        let unset = |name: &str| std::env::var_os(name).is_none();
        if let Some(endpoint) = &self.mock_endpoint
            && unset("AWS_ENDPOINT_URL_KMS")
        {
            env.push(("AWS_ENDPOINT_URL_KMS".to_owned(), endpoint.clone()));
        }
        if unset("AWS_ACCESS_KEY_ID") {
            env.push(("AWS_ACCESS_KEY_ID".to_owned(), "AKIDMOCKCOGNITO".to_owned()));
            env.push((
                "AWS_SECRET_ACCESS_KEY".to_owned(),
                "mock-cognito".to_owned(),
            ));
        }
        env
    }
}

impl Invocation {
    /// Runs the handler (blocking; never under a state lock): the
    /// `response` it filled in, or AWS's error for its failure.
    pub(crate) fn run(&self) -> Result<Value, ApiError> {
        let started = std::time::Instant::now();
        let outcome = invoke::invoke(
            &self.target,
            (&self.arn, &self.env),
            &self.event,
            self.timeout,
        );
        tracing::info!(
            trigger = self.trigger.name(),
            source = self.event["triggerSource"].as_str().unwrap_or_default(),
            ms = started.elapsed().as_millis() as u64,
            ok = outcome.is_ok(),
            "Lambda trigger"
        );
        let name = self.trigger.name();
        let answer = outcome.map_err(|failure| failure.into_error(name))?;
        match answer.get("response") {
            Some(Value::Object(_)) => Ok(answer["response"].clone()),
            Some(Value::Null) | None => Ok(json!({})),
            Some(_) => Err(malformed()),
        }
    }
}

/// What went wrong running a handler.
#[derive(Debug)]
pub(crate) enum Failure {
    /// The handler threw (or its runtime exited): its message.
    Handler(String),
    /// It did not answer in time.
    Timeout,
    /// It could not be reached or started.
    Unreachable(String),
    /// It answered something that is not an event.
    Malformed,
}

/// AWS's refusal of an answer that is not what the trigger returns.
pub(crate) fn malformed() -> ApiError {
    ApiError::new(
        "InvalidLambdaResponseException",
        "Unrecognizable lambda output",
    )
}

impl Failure {
    fn into_error(self, trigger: &str) -> ApiError {
        match self {
            Failure::Handler(message) => ApiError::new(
                "UserLambdaValidationException",
                format!("{trigger} failed with error {message}."),
            ),
            Failure::Timeout => ApiError::new(
                "UnexpectedLambdaException",
                format!(
                    "{trigger} failed due to error Socket timeout while invoking Lambda function."
                ),
            ),
            Failure::Unreachable(why) => ApiError::new(
                "UnexpectedLambdaException",
                format!("{trigger} invocation failed due to error {why}."),
            ),
            Failure::Malformed => malformed(),
        }
    }
}

/// Reads a boolean member of a trigger's `response`: absent or null is
/// false, anything but a boolean is an unrecognizable answer.
pub(crate) fn flag(response: &Value, member: &str) -> Result<bool, ApiError> {
    match response.get(member) {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(_) => Err(malformed()),
    }
}

/// Reads an object member of a trigger's `response` (absent or null: None).
pub(crate) fn object<'a>(
    response: &'a Value,
    member: &str,
) -> Result<Option<&'a serde_json::Map<String, Value>>, ApiError> {
    match response.get(member) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(o)) => Ok(Some(o)),
        Some(_) => Err(malformed()),
    }
}

/// Reads a list of strings member (absent or null: empty).
pub(crate) fn strings(value: Option<&Value>) -> Result<Vec<String>, ApiError> {
    match value {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| v.as_str().map(str::to_owned).ok_or_else(malformed))
            .collect(),
        Some(_) => Err(malformed()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unmapped_arns_run_on_the_lambda_endpoint_or_nowhere() {
        let mut t = Triggers::default();
        assert!(t.is_empty());
        t.set("arn:a", TriggerTarget::Url("http://127.0.0.1:1/a".into()));
        assert_eq!(
            t.target("arn:a"),
            Some(TriggerTarget::Url("http://127.0.0.1:1/a".into()))
        );
        assert_eq!(t.target("arn:b"), None);
        t.set_lambda_endpoint("http://127.0.0.1:3001");
        assert_eq!(
            t.target("arn:b"),
            Some(TriggerTarget::Lambda("http://127.0.0.1:3001".into()))
        );
    }

    #[test]
    fn failures_are_awss_errors() {
        let e = Failure::Handler("no gmail".into()).into_error("PreSignUp");
        assert_eq!(e.code, "UserLambdaValidationException");
        assert_eq!(e.message, "PreSignUp failed with error no gmail.");
        assert_eq!(
            Failure::Timeout.into_error("PreSignUp").code,
            "UnexpectedLambdaException"
        );
        assert_eq!(
            Failure::Malformed.into_error("PreSignUp").code,
            "InvalidLambdaResponseException"
        );
        assert!(flag(&json!({"autoConfirmUser": "yes"}), "autoConfirmUser").is_err());
        assert!(!flag(&json!({}), "autoConfirmUser").unwrap());
    }
}
