//! STS's query protocol in: a form (`Action=…&Version=…&Member=…`, in the
//! query string or the body) read into the model's typed request.
//!
//! Every value of the query protocol is a string; the model's reader takes
//! AWS JSON, so the form is first turned into the JSON object the same
//! request would be in JSON (integers as numbers, `X.member.N.y` lists as
//! arrays), then read and validated against the model like any request.

use std::collections::{BTreeMap, HashMap};

use cognito_wire::encoding::form_decode;
use serde_json::{Map, Value};

use super::StsError;
use crate::shapes::sts::StsRequest;

/// The integer members of the requests served (checked against the model
/// by a test below): their values are numbers once in JSON.
const INTEGER_MEMBERS: [&str; 2] = ["DurationSeconds", "MinimumSessionTokenSize"];

/// Form parameters from the query string and the body (the body wins).
pub(super) fn parameters(query: &str, body: &[u8]) -> HashMap<String, String> {
    [query, std::str::from_utf8(body).unwrap_or("")]
        .into_iter()
        .flat_map(form_decode)
        .collect()
}

/// Reads a request: its action and members, validated against the model.
pub(super) fn parse(params: &HashMap<String, String>) -> Result<StsRequest, StsError> {
    let action = params
        .get("Action")
        .ok_or_else(|| StsError::bad_request("MissingAction", "Missing Action"))?;
    let body = to_json(params)?;
    StsRequest::parse(action, &body).map_err(|e| {
        if e.code == "UnknownOperationException" {
            StsError::bad_request(
                "InvalidAction",
                format!("Could not find operation {action} for version 2011-06-15"),
            )
        } else {
            StsError::bad_request(e.code, e.message)
        }
    })
}

/// The form as the JSON object the model's reader takes.
fn to_json(params: &HashMap<String, String>) -> Result<Value, StsError> {
    let mut object = Map::new();
    // `PolicyArns.member.2.arn` → PolicyArns[1].arn, in member order.
    let mut lists: BTreeMap<&str, BTreeMap<usize, Map<String, Value>>> = BTreeMap::new();
    for (key, value) in params {
        if matches!(key.as_str(), "Action" | "Version") {
            continue;
        }
        if let Some((list, rest)) = key.split_once(".member.") {
            let (index, field) = rest.split_once('.').unwrap_or((rest, ""));
            let index: usize = index.parse().map_err(|_| {
                StsError::bad_request("InvalidParameterValue", format!("Invalid list key {key}"))
            })?;
            lists
                .entry(list)
                .or_default()
                .entry(index)
                .or_default()
                .insert(field.to_owned(), Value::String(value.clone()));
            continue;
        }
        let value = if INTEGER_MEMBERS.contains(&key.as_str()) {
            value.parse::<i64>().map(Value::from).map_err(|_| {
                StsError::bad_request(
                    "ValidationError",
                    format!("Value '{value}' at '{key}' is not an integer"),
                )
            })?
        } else {
            Value::String(value.clone())
        };
        object.insert(key.clone(), value);
    }
    for (list, members) in lists {
        let items = members.into_values().map(Value::Object).collect();
        object.insert(list.to_owned(), Value::Array(items));
    }
    Ok(Value::Object(object))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shapes::sts::StsRequest;

    fn form(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn forms_come_from_the_query_and_the_body() {
        let p = parameters(
            "Action=GetCallerIdentity",
            b"Version=2011-06-15&RoleSessionName=a+b%21",
        );
        assert_eq!(p["Action"], "GetCallerIdentity");
        assert_eq!(p["RoleSessionName"], "a b!");
    }

    #[test]
    fn a_form_reads_into_the_typed_request() {
        let token = "x".repeat(40);
        let request = parse(&form(&[
            ("Action", "AssumeRoleWithWebIdentity"),
            ("Version", "2011-06-15"),
            ("RoleArn", "arn:aws:iam::123456789012:role/app"),
            ("RoleSessionName", "web"),
            ("WebIdentityToken", &token),
            ("DurationSeconds", "900"),
            (
                "PolicyArns.member.2.arn",
                "arn:aws:iam::aws:policy/B-policy",
            ),
            (
                "PolicyArns.member.1.arn",
                "arn:aws:iam::aws:policy/A-policy",
            ),
        ]))
        .unwrap();
        let StsRequest::AssumeRoleWithWebIdentity(r) = request else {
            panic!("wrong operation");
        };
        assert_eq!(r.duration_seconds, Some(900));
        let arns: Vec<_> = r
            .policy_arns
            .unwrap()
            .into_iter()
            .map(|p| p.arn.unwrap())
            .collect();
        assert_eq!(
            arns,
            [
                "arn:aws:iam::aws:policy/A-policy",
                "arn:aws:iam::aws:policy/B-policy"
            ]
        );
    }

    #[test]
    fn bad_forms_are_sts_errors() {
        let code = |pairs: &[(&str, &str)]| parse(&form(pairs)).unwrap_err().code;
        assert_eq!(code(&[]), "MissingAction");
        assert_eq!(code(&[("Action", "AssumeRole")]), "InvalidAction");
        assert_eq!(
            code(&[("Action", "AssumeRoleWithWebIdentity")]),
            "ValidationError"
        );
        let token = "x".repeat(40);
        let short = [
            ("Action", "AssumeRoleWithWebIdentity"),
            ("RoleArn", "arn:aws:iam::123456789012:role/app"),
            ("RoleSessionName", "web"),
            ("WebIdentityToken", token.as_str()),
            ("DurationSeconds", "60"),
        ];
        assert_eq!(code(&short), "ValidationError");
        let mut not_a_number = short;
        not_a_number[4].1 = "an hour";
        assert_eq!(code(&not_a_number), "ValidationError");
    }

    #[test]
    fn the_integer_members_are_the_models() {
        let model: Value =
            serde_json::from_str(include_str!("../../models/sts.json")).expect("model");
        let shapes = &model["shapes"];
        let mut integers = Vec::new();
        for operation in model["operations"].as_object().unwrap().values() {
            let input = &shapes[operation["input"]["shape"].as_str().unwrap()];
            for (name, member) in input["members"].as_object().unwrap() {
                let target = member["shape"].as_str().unwrap();
                if shapes[target]["type"] == "integer" {
                    integers.push(name.clone());
                }
            }
        }
        integers.sort();
        assert_eq!(integers, INTEGER_MEMBERS);
    }
}
