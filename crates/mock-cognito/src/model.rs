//! Request validation driven by the AWS service models (see `models/`).
//!
//! Each operation's input shape is checked the way the service checks it:
//! wrong JSON types are a `SerializationException`; missing required members,
//! lengths, ranges, enums and patterns are an `InvalidParameterException` with
//! AWS's "N validation errors detected" message. Values of members the model
//! marks `sensitive` are never echoed back.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use regex::Regex;
use serde_json::Value;

use crate::error::ApiError;

/// One service model, parsed once.
#[derive(Debug)]
pub struct ServiceModel {
    operations: HashMap<String, Operation>,
    shapes: HashMap<String, Shape>,
}

#[derive(Debug)]
struct Operation {
    input: Option<String>,
    /// `authtype: none`: callable without SigV4.
    unsigned: bool,
}

#[derive(Debug)]
enum Kind {
    Structure {
        members: Vec<(String, String)>,
        required: Vec<String>,
    },
    List {
        member: String,
    },
    Map {
        key: String,
        value: String,
    },
    String,
    Integer,
    Boolean,
    Timestamp,
    Blob,
}

#[derive(Debug)]
struct Shape {
    kind: Kind,
    min: Option<f64>,
    max: Option<f64>,
    /// Compiled on first use: the models have hundreds of patterns, mostly
    /// Unicode classes, and compiling them all would dominate start-up time
    /// and idle memory.
    pattern: OnceLock<Option<Arc<Regex>>>,
    pattern_text: Option<String>,
    enumeration: Option<Vec<String>>,
    sensitive: bool,
}

/// A model pattern as a whole-value regex, compiled once per distinct
/// pattern text (many shapes share one). Java-style patterns match the whole
/// value; the few the regex crate cannot compile (one lookbehind) are not
/// enforced.
fn compiled(text: &str) -> Option<Arc<Regex>> {
    static CACHE: OnceLock<Mutex<HashMap<String, Option<Arc<Regex>>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let mut cache = cache.lock().unwrap_or_else(|p| p.into_inner());
    cache
        .entry(text.to_owned())
        .or_insert_with(|| {
            let p = text.trim_start_matches('^').trim_end_matches('$');
            Regex::new(&format!("^(?:{p})$")).ok().map(Arc::new)
        })
        .clone()
}

/// The user-pool service model (cognito-idp 2016-04-18).
pub fn user_pools() -> &'static ServiceModel {
    static MODEL: OnceLock<ServiceModel> = OnceLock::new();
    MODEL.get_or_init(|| ServiceModel::parse(include_str!("../models/cognito-idp.json")))
}

/// The identity-pool service model (cognito-identity 2014-06-30).
pub fn identity_pools() -> &'static ServiceModel {
    static MODEL: OnceLock<ServiceModel> = OnceLock::new();
    MODEL.get_or_init(|| ServiceModel::parse(include_str!("../models/cognito-identity.json")))
}

impl ServiceModel {
    fn parse(text: &str) -> ServiceModel {
        let doc: Value = serde_json::from_str(text).expect("bundled service model is JSON");
        let operations = doc["operations"]
            .as_object()
            .expect("model has operations")
            .iter()
            .map(|(name, op)| {
                let input = op["input"]["shape"].as_str().map(str::to_owned);
                let unsigned = op["authtype"].as_str() == Some("none");
                (name.clone(), Operation { input, unsigned })
            })
            .collect();
        let shapes = doc["shapes"]
            .as_object()
            .expect("model has shapes")
            .iter()
            .map(|(name, s)| (name.clone(), Shape::parse(s)))
            .collect();
        ServiceModel { operations, shapes }
    }

    /// Whether the model defines this operation.
    pub fn has_operation(&self, name: &str) -> bool {
        self.operations.contains_key(name)
    }

    /// Whether the operation may be called without SigV4 (`authtype: none`).
    pub fn is_unsigned(&self, name: &str) -> bool {
        self.operations.get(name).is_some_and(|o| o.unsigned)
    }

    /// Validates `input` against the operation's input shape.
    pub fn validate(&self, operation: &str, input: &Value) -> Result<(), ApiError> {
        let Some(op) = self.operations.get(operation) else {
            return Err(ApiError::new(
                "UnknownOperationException",
                format!("Unknown operation {operation}"),
            ));
        };
        let Some(shape) = &op.input else {
            return Ok(());
        };
        let mut problems = Vec::new();
        self.check(shape, input, "", &mut problems)?;
        if problems.is_empty() {
            return Ok(());
        }
        let n = problems.len();
        let plural = if n == 1 { "error" } else { "errors" };
        Err(ApiError::invalid_parameter(format!(
            "{n} validation {plural} detected: {}",
            problems.join("; ")
        )))
    }

    fn check(
        &self,
        shape_name: &str,
        v: &Value,
        path: &str,
        problems: &mut Vec<String>,
    ) -> Result<(), ApiError> {
        let Some(shape) = self.shapes.get(shape_name) else {
            return Ok(());
        };
        let at = if path.is_empty() {
            String::new()
        } else {
            format!(" at '{path}'")
        };
        let shown = |v: &Value| -> String {
            if shape.sensitive {
                String::new()
            } else {
                match v {
                    Value::String(s) => format!(" '{s}'"),
                    other => format!(" '{other}'"),
                }
            }
        };
        match (&shape.kind, v) {
            (_, Value::Null) => {}
            (Kind::Structure { members, required }, Value::Object(obj)) => {
                for name in required {
                    if obj.get(name).is_none_or(Value::is_null) {
                        problems.push(format!(
                            "Value null at '{}' failed to satisfy constraint: Member must not be null",
                            join(path, name)
                        ));
                    }
                }
                for (name, member_shape) in members {
                    if let Some(mv) = obj.get(name) {
                        self.check(member_shape, mv, &join(path, name), problems)?;
                    }
                }
            }
            (Kind::List { member }, Value::Array(items)) => {
                self.check_size(shape, items.len(), &shown(v), &at, "length", problems);
                for (i, item) in items.iter().enumerate() {
                    self.check(member, item, &format!("{path}.{}", i + 1), problems)?;
                }
            }
            (Kind::Map { key, value }, Value::Object(obj)) => {
                self.check_size(shape, obj.len(), &shown(v), &at, "length", problems);
                for (k, mv) in obj {
                    self.check(
                        key,
                        &Value::String(k.clone()),
                        &format!("{path}.key"),
                        problems,
                    )?;
                    self.check(value, mv, &format!("{path}.{k}"), problems)?;
                }
            }
            (Kind::String, Value::String(s)) => {
                self.check_size(shape, s.chars().count(), &shown(v), &at, "length", problems);
                if let Some(allowed) = &shape.enumeration
                    && !allowed.iter().any(|a| a == s)
                {
                    problems.push(format!(
                        "Value{}{at} failed to satisfy constraint: Member must satisfy enum value set: [{}]",
                        shown(v),
                        allowed.join(", ")
                    ));
                }
                if let Some(text) = &shape.pattern_text
                    && let Some(re) = shape.pattern.get_or_init(|| compiled(text))
                    && !re.is_match(s)
                {
                    problems.push(format!(
                        "Value{}{at} failed to satisfy constraint: Member must satisfy regular expression pattern: {text}",
                        shown(v)
                    ));
                }
            }
            (Kind::Integer, Value::Number(n)) if n.is_i64() || n.is_u64() => {
                let x = n.as_f64().unwrap_or(0.0);
                if shape.min.is_some_and(|m| x < m) {
                    problems.push(format!("Value{}{at} failed to satisfy constraint: Member must have value greater than or equal to {}", shown(v), shape.min.unwrap_or(0.0)));
                }
                if shape.max.is_some_and(|m| x > m) {
                    problems.push(format!("Value{}{at} failed to satisfy constraint: Member must have value less than or equal to {}", shown(v), shape.max.unwrap_or(0.0)));
                }
            }
            (Kind::Boolean, Value::Bool(_))
            | (Kind::Timestamp, Value::Number(_))
            | (Kind::Blob, Value::String(_)) => {}
            (kind, other) => {
                return Err(ApiError::serialization(format!(
                    "Unexpected {} where {} was expected{at}",
                    json_kind(other),
                    kind_name(kind)
                )));
            }
        }
        Ok(())
    }

    fn check_size(
        &self,
        shape: &Shape,
        len: usize,
        shown: &str,
        at: &str,
        what: &str,
        problems: &mut Vec<String>,
    ) {
        let len = len as f64;
        if let Some(min) = shape.min.filter(|&m| len < m) {
            problems.push(format!("Value{shown}{at} failed to satisfy constraint: Member must have {what} greater than or equal to {min}"));
        }
        if let Some(max) = shape.max.filter(|&m| len > m) {
            problems.push(format!("Value{shown}{at} failed to satisfy constraint: Member must have {what} less than or equal to {max}"));
        }
    }
}

impl Shape {
    fn parse(s: &Value) -> Shape {
        let name = |v: &Value| v["shape"].as_str().unwrap_or_default().to_owned();
        let kind = match s["type"].as_str().unwrap_or_default() {
            "structure" => Kind::Structure {
                members: s["members"]
                    .as_object()
                    .map(|m| m.iter().map(|(k, v)| (k.clone(), name(v))).collect())
                    .unwrap_or_default(),
                required: s["required"]
                    .as_array()
                    .map(|r| {
                        r.iter()
                            .filter_map(|x| x.as_str().map(str::to_owned))
                            .collect()
                    })
                    .unwrap_or_default(),
            },
            "list" => Kind::List {
                member: name(&s["member"]),
            },
            "map" => Kind::Map {
                key: name(&s["key"]),
                value: name(&s["value"]),
            },
            "integer" | "long" => Kind::Integer,
            "boolean" => Kind::Boolean,
            "timestamp" => Kind::Timestamp,
            "blob" => Kind::Blob,
            _ => Kind::String,
        };
        Shape {
            kind,
            min: s["min"].as_f64(),
            max: s["max"].as_f64(),
            pattern: OnceLock::new(),
            pattern_text: s["pattern"].as_str().map(str::to_owned),
            enumeration: s["enum"].as_array().map(|e| {
                e.iter()
                    .filter_map(|x| x.as_str().map(str::to_owned))
                    .collect()
            }),
            sensitive: s["sensitive"].as_bool().unwrap_or(false),
        }
    }
}

/// AWS names members in messages with a lower-case first letter.
fn join(path: &str, member: &str) -> String {
    let mut chars = member.chars();
    let lower: String = chars
        .next()
        .map(|c| c.to_ascii_lowercase())
        .into_iter()
        .chain(chars)
        .collect();
    if path.is_empty() {
        lower
    } else {
        format!("{path}.{lower}")
    }
}

fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn kind_name(k: &Kind) -> &'static str {
    match k {
        Kind::Structure { .. } | Kind::Map { .. } => "an object",
        Kind::List { .. } => "an array",
        Kind::String | Kind::Blob => "a string",
        Kind::Integer => "an integer",
        Kind::Boolean => "a boolean",
        Kind::Timestamp => "a number (epoch seconds)",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn required_members_and_patterns() {
        let m = user_pools();
        assert!(
            m.validate(
                "InitiateAuth",
                &json!({"AuthFlow": "USER_SRP_AUTH", "ClientId": "abc"})
            )
            .is_ok()
        );
        let e = m
            .validate("InitiateAuth", &json!({"AuthFlow": "USER_SRP_AUTH"}))
            .unwrap_err();
        assert_eq!(e.code, "InvalidParameterException");
        assert!(
            e.message.contains(
                "Value null at 'clientId' failed to satisfy constraint: Member must not be null"
            ),
            "{e}"
        );
        let e = m
            .validate(
                "InitiateAuth",
                &json!({"AuthFlow": "NOPE", "ClientId": "a-b"}),
            )
            .unwrap_err();
        assert!(e.message.starts_with("2 validation errors detected"), "{e}");
        assert!(e.message.contains("enum value set"), "{e}");
        let e = m
            .validate("DescribeUserPool", &json!({"UserPoolId": "nounderscore"}))
            .unwrap_err();
        assert!(e.message.contains("regular expression pattern"), "{e}");
        assert!(m.is_unsigned("InitiateAuth"));
        assert!(!m.is_unsigned("AdminCreateUser"));
    }

    #[test]
    fn wrong_types_are_serialization_errors_and_secrets_are_not_echoed() {
        let m = user_pools();
        let e = m
            .validate("InitiateAuth", &json!({"AuthFlow": 5, "ClientId": "abc"}))
            .unwrap_err();
        assert_eq!(e.code, "SerializationException");
        let e = m.validate("InitiateAuth", &json!([])).unwrap_err();
        assert_eq!(e.code, "SerializationException");
        let long = "p".repeat(300);
        let e = m
            .validate(
                "AdminSetUserPassword",
                &json!({"UserPoolId": "us-east-1_abc", "Username": "bob", "Password": long}),
            )
            .unwrap_err();
        assert!(!e.message.contains(&long), "sensitive value echoed: {e}");
        assert!(e.message.contains("'password'"), "{e}");
    }

    #[test]
    fn both_models_load_and_every_operation_has_a_shape() {
        assert!(user_pools().operations.len() > 100);
        assert!(identity_pools().has_operation("GetCredentialsForIdentity"));
        assert!(identity_pools().is_unsigned("GetId"));
    }
}
