//! Typed request and response shapes of the services the mock speaks,
//! generated from the AWS service models by `cargo xtask codegen`.
//!
//! - [`cognito_idp`]: Amazon Cognito user pools (every operation of
//!   cognito-idp 2016-04-18).
//! - [`cognito_identity`]: Amazon Cognito identity pools (every operation of
//!   cognito-identity 2014-06-30).
//! - [`sts`]: the two STS operations the mock serves.
//!
//! Each service module has one input and one output struct per operation,
//! Rust enums for the model's enumerations, a unit type per operation
//! implementing [`Operation`], an operation enum (`UserPoolOperation`, …)
//! and a request enum (`UserPoolRequest`, …) whose `parse` is the request's
//! validation: the model's required members, lengths, ranges, enum values
//! and patterns, reported with AWS's "N validation errors detected: …"
//! message (sensitive values are not echoed), and a `SerializationException`
//! for a JSON type the model does not allow.
//!
//! This module holds what the generated code runs on: the [`Timestamp`] and
//! [`Blob`] newtypes, [`Empty`], the [`Operation`] and [`ServiceOperation`]
//! traits and the validating reader. The generated modules are never edited
//! by hand.
//!
//! The readers give the answers the run-time model validator they replaced
//! gave (proven on 15 121 requests; `tests/data/validation_corpus.jsonl`
//! keeps a representative set), except where a typed input cannot hold what
//! that validator let through:
//! - a `null` body reads as `{}` (so its required members are reported);
//! - a null list item or map value is "Member must not be null";
//! - a blob must be base64 (else a `SerializationException`) and its decoded
//!   size must be within the shape's limits;
//! - an integer beyond `i32` (`i64` for longs) in a shape without a range is
//!   a `SerializationException`.

pub mod cognito_identity;
pub mod cognito_idp;
pub mod sts;

#[cfg(test)]
mod corpus;
#[cfg(test)]
mod tests;

use std::fmt;
use std::sync::OnceLock;

use base64::Engine as _;
use regex::Regex;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use crate::error::ApiError;

/// One operation of a service, as a type: its wire name, whether AWS
/// accepts it unsigned, and its input and output shapes.
pub trait Operation {
    /// The operation's name (the part of `X-Amz-Target` after the dot).
    const NAME: &'static str;
    /// `authtype: none` in the model: callable without SigV4.
    const UNSIGNED: bool;
    /// The input shape.
    type Input;
    /// The output shape ([`Empty`] when the model has none).
    type Output: Serialize;
    /// Validates a request body against the model and reads it into
    /// [`Self::Input`](Operation::Input). A `null` body reads as `{}`.
    fn parse_input(body: &Value) -> Result<Self::Input, ApiError>;
}

/// A service's operation enum (`UserPoolOperation`, …), for code that
/// serves any of the services the same way.
pub trait ServiceOperation: Copy + fmt::Debug + Send + Sync + 'static {
    /// The service's request enum.
    type Request;
    /// Every operation, in the model's (alphabetical) order.
    const ALL: &'static [Self];
    /// The operation of this name, if the service has one.
    fn from_name(name: &str) -> Option<Self>;
    /// The operation's name.
    fn name(self) -> &'static str;
    /// Whether AWS accepts the operation without SigV4 (`authtype: none`).
    fn is_unsigned(self) -> bool;
    /// Validates a request body for this operation and reads it.
    fn parse(self, body: &Value) -> Result<Self::Request, ApiError>;
}

/// An AWS timestamp: seconds since the Unix epoch, as AWS JSON 1.1 sends it
/// (a JSON number, possibly with a fraction). Whole seconds serialise as an
/// integer, so responses look the way Cognito's do.
#[derive(Clone, Copy, Debug, PartialEq, PartialOrd)]
pub struct Timestamp(f64);

impl Timestamp {
    /// A timestamp of whole seconds since the epoch.
    pub fn from_secs(secs: i64) -> Self {
        // i64 → f64 is exact for every date this mock will see (< 2^53 s).
        Timestamp(secs as f64)
    }

    /// A timestamp with a fraction of a second.
    pub fn from_secs_f64(secs: f64) -> Self {
        Timestamp(secs)
    }

    /// Seconds since the epoch, with any fraction.
    pub fn as_secs_f64(self) -> f64 {
        self.0
    }

    /// Whole seconds since the epoch (the fraction dropped, towards −∞).
    pub fn secs(self) -> i64 {
        // Saturating float → int conversion: out-of-range values clamp.
        self.0.floor() as i64
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53
        if self.0.fract() == 0.0 && self.0.abs() < EXACT {
            serializer.serialize_i64(self.0 as i64)
        } else {
            serializer.serialize_f64(self.0)
        }
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        f64::deserialize(deserializer).map(Timestamp)
    }
}

/// Binary data, base64 (standard alphabet, padded) on the wire.
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct Blob(Vec<u8>);

impl Blob {
    /// The bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The bytes, owned.
    pub fn into_bytes(self) -> Vec<u8> {
        self.0
    }
}

impl From<Vec<u8>> for Blob {
    fn from(bytes: Vec<u8>) -> Self {
        Blob(bytes)
    }
}

impl fmt::Debug for Blob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Blob({} bytes)", self.0.len())
    }
}

impl Serialize for Blob {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&base64::engine::general_purpose::STANDARD.encode(&self.0))
    }
}

impl<'de> Deserialize<'de> for Blob {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        base64::engine::general_purpose::STANDARD
            .decode(text)
            .map(Blob)
            .map_err(|_| serde::de::Error::custom("not valid base64"))
    }
}

/// The output of an operation the model gives no output shape: `{}`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Empty {}

/// What a generated `Debug` prints in place of a sensitive value.
pub(crate) struct Redacted;

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// The refusal of an operation the service does not define.
/// An operation's typed output as the JSON the HTTP adapter sends: the one
/// place the engine's answers become JSON.
pub(crate) fn output_json(output: impl Serialize) -> Result<Value, ApiError> {
    serde_json::to_value(output).map_err(|e| ApiError::new("InternalErrorException", e.to_string()))
}

pub(crate) fn unknown_operation(operation: &str) -> ApiError {
    ApiError::new(
        "UnknownOperationException",
        format!("Unknown operation {operation}"),
    )
}

/// A generated reader of one shape: `Ok(None)` when the value broke a
/// constraint (recorded in the reader), `Err` for a wrong JSON type.
pub(crate) type ReadFn<T> = fn(&Value, &Path<'_>, &mut Reader) -> ReadResult<T>;

/// What every generated reader returns.
pub(crate) type ReadResult<T> = Result<Option<T>, ApiError>;

/// Reads a whole request body with the reader of its input shape: `null`
/// reads as `{}`; constraint problems become one error carrying all of
/// them, in the order the model lists them.
pub(crate) fn read_input<T>(
    body: &Value,
    validation_code: &'static str,
    read: ReadFn<T>,
) -> Result<T, ApiError> {
    let empty = Value::Object(Map::new());
    let body = if body.is_null() { &empty } else { body };
    let mut reader = Reader::default();
    let value = read(body, &Path::Root, &mut reader)?;
    match (value, reader.problems.is_empty()) {
        (Some(value), true) => Ok(value),
        (_, false) => Err(reader.into_error(validation_code)),
        // A reader returns None only after recording why.
        (None, true) => Err(ApiError::new(
            validation_code,
            "1 validation error detected",
        )),
    }
}

/// A structure's member, or `None` when it is absent or null (which AWS
/// treats alike).
pub(crate) fn member<'v>(object: &'v Map<String, Value>, name: &str) -> Option<&'v Value> {
    object.get(name).filter(|v| !v.is_null())
}

/// Where a value sits in a request, as AWS names it in messages: members
/// with a lower-case first letter, list items from 1, map values by key.
/// Built on the stack while reading and rendered only for a message.
#[derive(Clone, Copy)]
pub(crate) enum Path<'a> {
    /// The request itself.
    Root,
    /// A structure member; the name is already in message case.
    Member(&'a Path<'a>, &'static str),
    /// A list item, 0-based (shown 1-based).
    Index(&'a Path<'a>, usize),
    /// A map's key.
    Key(&'a Path<'a>),
    /// A map's value under a key.
    Entry(&'a Path<'a>, &'a str),
}

impl<'a> Path<'a> {
    pub(crate) fn member(&'a self, name: &'static str) -> Path<'a> {
        Path::Member(self, name)
    }

    pub(crate) fn index(&'a self, i: usize) -> Path<'a> {
        Path::Index(self, i)
    }

    pub(crate) fn key(&'a self) -> Path<'a> {
        Path::Key(self)
    }

    pub(crate) fn entry(&'a self, key: &'a str) -> Path<'a> {
        Path::Entry(self, key)
    }

    fn render(&self, out: &mut String) {
        match self {
            Path::Root => {}
            Path::Member(parent, name) => {
                parent.render(out);
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(name);
            }
            Path::Index(parent, i) => {
                parent.render(out);
                out.push('.');
                out.push_str(&(i + 1).to_string());
            }
            Path::Key(parent) => {
                parent.render(out);
                out.push_str(".key");
            }
            Path::Entry(parent, key) => {
                parent.render(out);
                out.push('.');
                out.push_str(key);
            }
        }
    }

    fn text(&self) -> String {
        let mut out = String::new();
        self.render(&mut out);
        out
    }

    /// `" at 'path'"`, or nothing for the request itself.
    fn at(&self) -> String {
        let path = self.text();
        if path.is_empty() {
            path
        } else {
            format!(" at '{path}'")
        }
    }
}

/// A model pattern, compiled on first use: the models have dozens of
/// patterns, mostly Unicode classes, and compiling them all up front would
/// dominate start-up time and idle memory.
///
/// An ASCII value is checked against the pattern's ASCII twin (made by
/// `cargo xtask codegen`: every class cut down to its ASCII members), which
/// decides the same and compiles in microseconds; a Unicode class such as
/// `[\p{L}\p{M}\p{S}\p{N}\p{P}]` takes milliseconds and hundreds of KiB,
/// and is compiled only when a value outside ASCII meets it.
pub(crate) struct Pattern {
    /// The pattern as the model writes it (and as messages quote it).
    text: &'static str,
    /// The same pattern anchored to match the whole value, as Java does.
    anchored: &'static str,
    /// `anchored` with ASCII-only classes, for a byte regex without Unicode.
    ascii: Option<&'static str>,
    compiled: OnceLock<Option<Regex>>,
    compiled_ascii: OnceLock<Option<regex::bytes::Regex>>,
}

impl Pattern {
    pub(crate) const fn new(
        text: &'static str,
        anchored: &'static str,
        ascii: Option<&'static str>,
    ) -> Self {
        Pattern {
            text,
            anchored,
            ascii,
            compiled: OnceLock::new(),
            compiled_ascii: OnceLock::new(),
        }
    }

    /// Whether `value` matches the whole pattern; `None` for the few Java
    /// patterns the regex crate cannot compile (a lookbehind), which are
    /// not enforced.
    pub(crate) fn matches(&self, value: &str) -> Option<bool> {
        if value.is_ascii()
            && let Some(twin) = self.ascii_regex()
        {
            return Some(twin.is_match(value.as_bytes()));
        }
        self.regex().map(|re| re.is_match(value))
    }

    /// The whole pattern, with its Unicode classes.
    pub(crate) fn regex(&self) -> Option<&Regex> {
        self.compiled
            .get_or_init(|| Regex::new(self.anchored).ok())
            .as_ref()
    }

    /// The ASCII twin, for ASCII values only.
    pub(crate) fn ascii_regex(&self) -> Option<&regex::bytes::Regex> {
        self.compiled_ascii
            .get_or_init(|| {
                let twin = self.ascii?;
                regex::bytes::RegexBuilder::new(twin)
                    .unicode(false)
                    .build()
                    .ok()
            })
            .as_ref()
    }
}

/// Constraints of a string shape.
pub(crate) struct StringRules {
    pub(crate) min: Option<u64>,
    pub(crate) max: Option<u64>,
    pub(crate) values: Option<&'static [&'static str]>,
    pub(crate) pattern: Option<&'static Pattern>,
    pub(crate) sensitive: bool,
}

// Used whenever a model has a shape without constraints.
#[allow(dead_code)]
impl StringRules {
    /// A string shape with no constraints.
    pub(crate) const NONE: StringRules = StringRules {
        min: None,
        max: None,
        values: None,
        pattern: None,
        sensitive: false,
    };
}

/// Constraints on the size of a list, map or blob.
pub(crate) struct SizeRules {
    pub(crate) min: Option<u64>,
    pub(crate) max: Option<u64>,
    pub(crate) sensitive: bool,
}

// Used whenever a model has a shape without constraints.
#[allow(dead_code)]
impl SizeRules {
    /// A list, map or blob shape with no size constraints.
    pub(crate) const NONE: SizeRules = SizeRules {
        min: None,
        max: None,
        sensitive: false,
    };
}

/// Constraints of an integer or long shape.
pub(crate) struct IntRules {
    pub(crate) min: Option<i64>,
    pub(crate) max: Option<i64>,
    pub(crate) sensitive: bool,
}

// Used whenever a model has a shape without constraints.
#[allow(dead_code)]
impl IntRules {
    /// An integer shape with no range.
    pub(crate) const NONE: IntRules = IntRules {
        min: None,
        max: None,
        sensitive: false,
    };
}

/// Collects constraint problems while the generated readers walk a request.
/// Wrong JSON types stop the walk at once (`Err`); constraint problems are
/// recorded and the walk goes on, so one message can list them all.
#[derive(Default)]
pub(crate) struct Reader {
    problems: Vec<String>,
}

impl Reader {
    /// How many problems are recorded so far.
    pub(crate) fn mark(&self) -> usize {
        self.problems.len()
    }

    /// Whether no problem was recorded since `mark`.
    pub(crate) fn clean_since(&self, mark: usize) -> bool {
        self.problems.len() == mark
    }

    fn into_error(self, code: &'static str) -> ApiError {
        let n = self.problems.len();
        let plural = if n == 1 { "error" } else { "errors" };
        ApiError::new(
            code,
            format!(
                "{n} validation {plural} detected: {}",
                self.problems.join("; ")
            ),
        )
    }

    fn problem(&mut self, shown: &str, path: &Path<'_>, constraint: fmt::Arguments<'_>) {
        self.problems.push(format!(
            "Value{shown}{} failed to satisfy constraint: {constraint}",
            path.at()
        ));
    }

    /// A required member that is missing or null.
    pub(crate) fn require(&mut self, object: &Map<String, Value>, name: &str, path: &Path<'_>) {
        if object.get(name).is_none_or(Value::is_null) {
            self.null(path);
        }
    }

    /// A null where a value must be (a required member, a list item, a map
    /// value).
    pub(crate) fn null(&mut self, path: &Path<'_>) {
        self.problems.push(format!(
            "Value null at '{}' failed to satisfy constraint: Member must not be null",
            path.text()
        ));
    }

    /// The value as a JSON object, or a `SerializationException`.
    pub(crate) fn object<'v>(
        &self,
        v: &'v Value,
        path: &Path<'_>,
    ) -> Result<&'v Map<String, Value>, ApiError> {
        v.as_object()
            .ok_or_else(|| unexpected(v, "an object", path))
    }

    /// The value as a JSON array, or a `SerializationException`.
    pub(crate) fn array<'v>(&self, v: &'v Value, path: &Path<'_>) -> Result<&'v [Value], ApiError> {
        v.as_array()
            .map(Vec::as_slice)
            .ok_or_else(|| unexpected(v, "an array", path))
    }

    /// Checks the size of a list, map or string against its shape's limits.
    pub(crate) fn size(&mut self, v: &Value, len: usize, path: &Path<'_>, rules: &SizeRules) {
        self.check_size(v, len, path, rules.min, rules.max, rules.sensitive);
    }

    fn check_size(
        &mut self,
        v: &Value,
        len: usize,
        path: &Path<'_>,
        min: Option<u64>,
        max: Option<u64>,
        sensitive: bool,
    ) {
        let len = len as u64;
        if let Some(min) = min.filter(|&m| len < m) {
            self.problem(
                &shown(v, sensitive),
                path,
                format_args!("Member must have length greater than or equal to {min}"),
            );
        }
        if let Some(max) = max.filter(|&m| len > m) {
            self.problem(
                &shown(v, sensitive),
                path,
                format_args!("Member must have length less than or equal to {max}"),
            );
        }
    }

    /// A string member: its length, enum value set and pattern.
    pub(crate) fn string<'v>(
        &mut self,
        v: &'v Value,
        path: &Path<'_>,
        rules: &StringRules,
    ) -> ReadResult<&'v str> {
        let Value::String(s) = v else {
            return Err(unexpected(v, "a string", path));
        };
        Ok(self.check_str(s, v, path, rules).then_some(s.as_str()))
    }

    /// A map key, checked against the key shape.
    pub(crate) fn key<'k>(
        &mut self,
        key: &'k str,
        path: &Path<'_>,
        rules: &StringRules,
    ) -> Option<&'k str> {
        let v = Value::String(key.to_owned());
        self.check_str(key, &v, path, rules).then_some(key)
    }

    fn check_str(&mut self, s: &str, v: &Value, path: &Path<'_>, rules: &StringRules) -> bool {
        let mark = self.mark();
        if rules.min.is_some() || rules.max.is_some() {
            let len = s.chars().count();
            self.check_size(v, len, path, rules.min, rules.max, rules.sensitive);
        }
        if let Some(values) = rules.values
            && !values.contains(&s)
        {
            self.problem(
                &shown(v, rules.sensitive),
                path,
                format_args!(
                    "Member must satisfy enum value set: [{}]",
                    values.join(", ")
                ),
            );
        }
        if let Some(pattern) = rules.pattern
            && pattern.matches(s) == Some(false)
        {
            self.problem(
                &shown(v, rules.sensitive),
                path,
                format_args!(
                    "Member must satisfy regular expression pattern: {}",
                    pattern.text
                ),
            );
        }
        self.clean_since(mark)
    }

    /// An integer or long member and its range.
    pub(crate) fn long(&mut self, v: &Value, path: &Path<'_>, rules: &IntRules) -> ReadResult<i64> {
        let n = match v {
            Value::Number(n) if n.is_i64() || n.is_u64() => n,
            _ => return Err(unexpected(v, "an integer", path)),
        };
        let x = n
            .as_i64()
            .map(i128::from)
            .or_else(|| n.as_u64().map(i128::from))
            .unwrap_or_default();
        let mark = self.mark();
        if let Some(min) = rules.min.filter(|&m| x < i128::from(m)) {
            self.problem(
                &shown(v, rules.sensitive),
                path,
                format_args!("Member must have value greater than or equal to {min}"),
            );
        }
        if let Some(max) = rules.max.filter(|&m| x > i128::from(m)) {
            self.problem(
                &shown(v, rules.sensitive),
                path,
                format_args!("Member must have value less than or equal to {max}"),
            );
        }
        if !self.clean_since(mark) {
            return Ok(None);
        }
        i64::try_from(x)
            .map(Some)
            .map_err(|_| out_of_range(v, "a long", path))
    }

    /// An integer member (32 bits) and its range.
    pub(crate) fn integer(
        &mut self,
        v: &Value,
        path: &Path<'_>,
        rules: &IntRules,
    ) -> ReadResult<i32> {
        match self.long(v, path, rules)? {
            Some(x) => i32::try_from(x)
                .map(Some)
                .map_err(|_| out_of_range(v, "an integer", path)),
            None => Ok(None),
        }
    }

    /// A boolean member.
    pub(crate) fn boolean(&mut self, v: &Value, path: &Path<'_>) -> ReadResult<bool> {
        v.as_bool()
            .map(Some)
            .ok_or_else(|| unexpected(v, "a boolean", path))
    }

    /// A timestamp member: epoch seconds.
    pub(crate) fn timestamp(&mut self, v: &Value, path: &Path<'_>) -> ReadResult<Timestamp> {
        v.as_f64()
            .map(|secs| Some(Timestamp(secs)))
            .ok_or_else(|| unexpected(v, "a number (epoch seconds)", path))
    }

    /// A blob member: base64 text, its decoded size within the shape's
    /// limits. The value is never echoed.
    pub(crate) fn blob(
        &mut self,
        v: &Value,
        path: &Path<'_>,
        rules: &SizeRules,
    ) -> ReadResult<Blob> {
        let Value::String(s) = v else {
            return Err(unexpected(v, "a string", path));
        };
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(s)
            .map_err(|_| {
                ApiError::serialization(format!("Value{} is not valid base64", path.at()))
            })?;
        let mark = self.mark();
        self.check_size(v, bytes.len(), path, rules.min, rules.max, true);
        Ok(self.clean_since(mark).then_some(Blob(bytes)))
    }

    /// A string member of `object` (`None` when absent or null); `at` is
    /// its name in messages.
    pub(crate) fn string_member<'v>(
        &mut self,
        object: &'v Map<String, Value>,
        name: &str,
        path: &Path<'_>,
        at: &'static str,
        rules: &StringRules,
    ) -> ReadResult<&'v str> {
        match member(object, name) {
            Some(v) => self.string(v, &path.member(at), rules),
            None => Ok(None),
        }
    }

    /// An integer member of `object`.
    pub(crate) fn integer_member(
        &mut self,
        object: &Map<String, Value>,
        name: &str,
        path: &Path<'_>,
        at: &'static str,
        rules: &IntRules,
    ) -> ReadResult<i32> {
        match member(object, name) {
            Some(v) => self.integer(v, &path.member(at), rules),
            None => Ok(None),
        }
    }

    /// A long member of `object`.
    pub(crate) fn long_member(
        &mut self,
        object: &Map<String, Value>,
        name: &str,
        path: &Path<'_>,
        at: &'static str,
        rules: &IntRules,
    ) -> ReadResult<i64> {
        match member(object, name) {
            Some(v) => self.long(v, &path.member(at), rules),
            None => Ok(None),
        }
    }

    /// A boolean member of `object`.
    pub(crate) fn boolean_member(
        &mut self,
        object: &Map<String, Value>,
        name: &str,
        path: &Path<'_>,
        at: &'static str,
    ) -> ReadResult<bool> {
        match member(object, name) {
            Some(v) => self.boolean(v, &path.member(at)),
            None => Ok(None),
        }
    }

    /// A timestamp member of `object`.
    pub(crate) fn timestamp_member(
        &mut self,
        object: &Map<String, Value>,
        name: &str,
        path: &Path<'_>,
        at: &'static str,
    ) -> ReadResult<Timestamp> {
        match member(object, name) {
            Some(v) => self.timestamp(v, &path.member(at)),
            None => Ok(None),
        }
    }

    /// A blob member of `object`.
    pub(crate) fn blob_member(
        &mut self,
        object: &Map<String, Value>,
        name: &str,
        path: &Path<'_>,
        at: &'static str,
        rules: &SizeRules,
    ) -> ReadResult<Blob> {
        match member(object, name) {
            Some(v) => self.blob(v, &path.member(at), rules),
            None => Ok(None),
        }
    }

    /// A document member of `object`.
    pub(crate) fn document_member(
        &mut self,
        object: &Map<String, Value>,
        name: &str,
        path: &Path<'_>,
        at: &'static str,
    ) -> ReadResult<Map<String, Value>> {
        match member(object, name) {
            Some(v) => self.document(v, &path.member(at)),
            None => Ok(None),
        }
    }

    /// A document member: any JSON object, kept as it came.
    pub(crate) fn document(
        &mut self,
        v: &Value,
        path: &Path<'_>,
    ) -> ReadResult<Map<String, Value>> {
        self.object(v, path).map(|o| Some(o.clone()))
    }
}

/// How a message quotes a value: `'text'` for strings, JSON for anything
/// else, nothing at all for a sensitive shape.
fn shown(v: &Value, sensitive: bool) -> String {
    match v {
        _ if sensitive => String::new(),
        Value::String(s) => format!(" '{s}'"),
        other => format!(" '{other}'"),
    }
}

fn unexpected(v: &Value, expected: &str, path: &Path<'_>) -> ApiError {
    let found = match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    };
    ApiError::serialization(format!(
        "Unexpected {found} where {expected} was expected{}",
        path.at()
    ))
}

fn out_of_range(v: &Value, expected: &str, path: &Path<'_>) -> ApiError {
    ApiError::serialization(format!(
        "Number {v}{} is out of range for {expected}",
        path.at()
    ))
}
