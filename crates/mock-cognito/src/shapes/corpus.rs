//! Requests for the validation tests, made from the models: for every
//! operation, valid ones (only required members, and every member) and
//! invalid ones — wrong JSON types, missing and null members, lengths,
//! ranges, enum values, patterns, list and map sizes, nested paths, several
//! problems at once — plus bodies built like `tests/malformed.rs`'s.

use proptest::prelude::Rng as _;
use proptest::test_runner::TestRunner;
use serde_json::{Map, Value, json};

use super::tests::{Sampler, Service};

/// One request of the corpus.
pub(super) struct Case {
    pub(super) op: String,
    pub(super) body: Value,
    /// Where the typed reader deliberately differs from the old run-time
    /// validator (see `shapes/mod.rs`): it must refuse what the old one let
    /// through, because the typed input cannot hold it.
    pub(super) divergent: Option<&'static str>,
}

#[derive(Clone, Debug)]
enum Seg {
    Key(String),
    Index(usize),
}

/// A place in a valid request that a mutation can change.
struct Site {
    ptr: Vec<Seg>,
    shape: String,
    /// What holds the value: a structure (and whether the member is
    /// required), a list or a map.
    parent: Parent,
}

#[derive(Clone, Copy, PartialEq)]
enum Parent {
    Member { required: bool },
    Item,
    Entry,
}

enum Change {
    Set(Value),
    Remove,
}

struct Mutation {
    change: Change,
    /// A wrong JSON type (a `SerializationException` ends the walk, so these
    /// are not combined with others).
    type_error: bool,
    divergent: Option<&'static str>,
}

impl Mutation {
    fn set(v: Value) -> Self {
        Mutation {
            change: Change::Set(v),
            type_error: false,
            divergent: None,
        }
    }

    fn wrong_type(v: Value) -> Self {
        Mutation {
            change: Change::Set(v),
            type_error: true,
            divergent: None,
        }
    }

    fn divergent(change: Change, why: &'static str) -> Self {
        Mutation {
            change,
            type_error: false,
            divergent: Some(why),
        }
    }
}

pub(super) const NULL_ITEM: &str = "a null list item or map value is refused";
pub(super) const NULL_BODY: &str = "a null body reads as {}";
pub(super) const BAD_BASE64: &str = "a blob must be base64";
pub(super) const BLOB_SIZE: &str = "a blob's decoded size is checked";
pub(super) const INT_RANGE: &str = "an integer must fit its Rust type";

/// Every case for every operation of a service.
pub(super) fn cases(service: &Service) -> Vec<Case> {
    let mut sampler = Sampler::new(service);
    let mut runner = TestRunner::deterministic();
    let mut out = Vec::new();
    for (name, op) in service.operations() {
        let input = op["input"]["shape"].as_str().unwrap();
        let case = |body: Value, divergent| Case {
            op: name.clone(),
            body,
            divergent,
        };
        for top in [json!([]), json!(5), json!("x"), json!(true), json!({})] {
            out.push(case(top, None));
        }
        let required = service.shape(input)["required"]
            .as_array()
            .is_some_and(|r| !r.is_empty());
        out.push(case(Value::Null, required.then_some(NULL_BODY)));
        let minimal = sampler.value(input, false, 0);
        let full = sampler.value(input, true, 0);
        out.push(case(minimal.clone(), None));
        out.push(case(full.clone(), None));
        let mut extra = full.clone();
        if let Some(o) = extra.as_object_mut() {
            o.insert("NotAMember".to_owned(), json!([1, 2]));
        }
        out.push(case(extra, None));

        for base in [&minimal, &full] {
            let mut sites = Vec::new();
            collect(
                service,
                input,
                base,
                &mut Vec::new(),
                Parent::Item,
                &mut sites,
            );
            let mut combined = base.clone();
            for site in sites.iter().filter(|s| !s.ptr.is_empty()) {
                let mutations = mutations(service, site, base, &mut sampler);
                let mut first_constraint = true;
                for m in mutations {
                    let mut body = base.clone();
                    if !apply(&mut body, &site.ptr, &m.change) {
                        continue;
                    }
                    if !m.type_error && m.divergent.is_none() && first_constraint {
                        first_constraint = false;
                        apply(&mut combined, &site.ptr, &m.change);
                    }
                    out.push(case(body, m.divergent));
                }
            }
            out.push(case(combined, None));
        }

        // Bodies like tests/malformed.rs's: members of the operation and
        // others, with values of every JSON type.
        let members: Vec<String> = service.shape(input)["members"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .chain(["Bogus".to_owned()])
            .collect();
        for _ in 0..8 {
            let mut body = Map::new();
            let n = runner.rng().next_u32() % 5;
            for _ in 0..n {
                let member = &members[runner.rng().next_u32() as usize % members.len()];
                let value = match runner.rng().next_u32() % 8 {
                    0 => Value::Null,
                    1 => json!(runner.rng().next_u32().is_multiple_of(2)),
                    2 => json!(i64::from(runner.rng().next_u32()) - 100),
                    3 => json!("x"),
                    4 => json!([1, "x"]),
                    5 => json!({"a": {"b": []}}),
                    _ => full.get(member).cloned().unwrap_or(json!("abc")),
                };
                body.insert(member.clone(), value);
            }
            let divergent = body.iter().find_map(|(member, value)| {
                let shape = service.shape(input)["members"][member]["shape"].as_str()?;
                let s = service.shape(shape);
                let base64 = base64::engine::general_purpose::STANDARD;
                match (s["type"].as_str()?, value) {
                    ("blob", Value::String(text))
                        if base64::Engine::decode(&base64, text).is_err() =>
                    {
                        Some(BAD_BASE64)
                    }
                    ("integer", Value::Number(n))
                        if s["max"].is_null()
                            && n.as_i64().is_some_and(|n| i32::try_from(n).is_err()) =>
                    {
                        Some(INT_RANGE)
                    }
                    _ => None,
                }
            });
            out.push(case(Value::Object(body), divergent));
        }
    }
    out
}

fn collect(
    service: &Service,
    shape: &str,
    v: &Value,
    ptr: &mut Vec<Seg>,
    parent: Parent,
    out: &mut Vec<Site>,
) {
    out.push(Site {
        ptr: ptr.clone(),
        shape: shape.to_owned(),
        parent,
    });
    let s = service.shape(shape);
    match (s["type"].as_str().unwrap(), v) {
        ("structure", Value::Object(o)) if s["document"] != true => {
            let required: Vec<&str> = s["required"]
                .as_array()
                .map(|r| r.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            for (name, m) in s["members"].as_object().unwrap() {
                if let Some(mv) = o.get(name) {
                    ptr.push(Seg::Key(name.clone()));
                    let required = required.contains(&name.as_str());
                    let member = m["shape"].as_str().unwrap();
                    collect(service, member, mv, ptr, Parent::Member { required }, out);
                    ptr.pop();
                }
            }
        }
        ("list", Value::Array(items)) => {
            let member = s["member"]["shape"].as_str().unwrap();
            for (i, item) in items.iter().enumerate().take(2) {
                ptr.push(Seg::Index(i));
                collect(service, member, item, ptr, Parent::Item, out);
                ptr.pop();
            }
        }
        ("map", Value::Object(o)) => {
            let value = s["value"]["shape"].as_str().unwrap();
            for (k, mv) in o.iter().take(2) {
                ptr.push(Seg::Key(k.clone()));
                collect(service, value, mv, ptr, Parent::Entry, out);
                ptr.pop();
            }
        }
        _ => {}
    }
}

fn mutations(
    service: &Service,
    site: &Site,
    base: &Value,
    sampler: &mut Sampler<'_>,
) -> Vec<Mutation> {
    let s = service.shape(&site.shape);
    let min = s["min"].as_u64();
    let max = s["max"].as_u64();
    let mut out = Vec::new();
    match site.parent {
        Parent::Member { required: true } => {
            out.push(Mutation {
                change: Change::Remove,
                type_error: false,
                divergent: None,
            });
            out.push(Mutation::set(Value::Null));
        }
        Parent::Member { required: false } => out.push(Mutation::set(Value::Null)),
        Parent::Item | Parent::Entry => {
            out.push(Mutation::divergent(Change::Set(Value::Null), NULL_ITEM));
        }
    }
    let a = |n: u64| Value::String("a".repeat(usize::try_from(n).unwrap()));
    match s["type"].as_str().unwrap() {
        "structure" => {
            out.push(Mutation::wrong_type(json!([1])));
            out.push(Mutation::wrong_type(json!("x")));
        }
        "list" => {
            out.push(Mutation::wrong_type(json!({"a": 1})));
            let items = lookup(base, &site.ptr)
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            if let (Some(max), Some(first)) = (max, items.first())
                && max < 200
            {
                out.push(Mutation::set(Value::Array(vec![
                    first.clone();
                    usize::try_from(max + 1)
                        .unwrap()
                ])));
            }
            if min.is_some_and(|m| m > 0) {
                out.push(Mutation::set(json!([])));
            }
            let mut wrong = items.clone();
            wrong.push(json!(true));
            out.push(Mutation::wrong_type(Value::Array(wrong)));
        }
        "map" => {
            out.push(Mutation::wrong_type(json!([])));
            let entries = lookup(base, &site.ptr)
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default();
            if let (Some(max), Some((_, first))) = (max, entries.iter().next())
                && max < 200
            {
                let many: Map<String, Value> = (0..=max)
                    .map(|i| (format!("k{i}"), first.clone()))
                    .collect();
                out.push(Mutation::set(Value::Object(many)));
            }
            if min.is_some_and(|m| m > 0) {
                out.push(Mutation::set(json!({})));
            }
            let key = service.shape(s["key"]["shape"].as_str().unwrap());
            if let Some((k, v)) = entries.iter().next() {
                let mut rekeyed = |new_key: String| {
                    let mut m = entries.clone();
                    m.remove(k);
                    m.insert(new_key, v.clone());
                    out.push(Mutation::set(Value::Object(m)));
                };
                if let Some(kmax) = key["max"].as_u64().filter(|&m| m < 5000) {
                    rekeyed("k".repeat(usize::try_from(kmax + 1).unwrap()));
                }
                if key["min"].as_u64().is_some_and(|m| m > 0) {
                    rekeyed(String::new());
                }
                if key["pattern"].is_string() || key["enum"].is_array() {
                    rekeyed("\u{7}bad key".to_owned());
                }
            }
        }
        "string" => {
            out.push(Mutation::wrong_type(json!(7)));
            out.push(Mutation::wrong_type(json!(["x"])));
            if let Some(max) = max.filter(|&m| m < 200_000) {
                out.push(Mutation::set(a(max + 1)));
            }
            if let Some(min) = min.filter(|&m| m > 0) {
                out.push(Mutation::set(a(min - 1)));
            }
            if s["enum"].is_array() {
                out.push(Mutation::set(json!("NOT_A_VALUE")));
                out.push(Mutation::set(json!("")));
            }
            if s["pattern"].is_string() {
                out.push(Mutation::set(json!("\u{7}bad value")));
                out.push(Mutation::set(json!("has space")));
            }
            // Another valid value.
            out.push(Mutation::set(Value::String(sampler.string(&site.shape))));
        }
        "integer" | "long" => {
            out.push(Mutation::wrong_type(json!("7")));
            out.push(Mutation::wrong_type(json!(1.5)));
            if let Some(min) = s["min"].as_i64() {
                out.push(Mutation::set(json!(min - 1)));
            }
            if let Some(max) = s["max"].as_i64() {
                out.push(Mutation::set(json!(max + 1)));
            }
            out.push(Mutation::set(json!(-1)));
            let huge = if s["type"] == "integer" {
                json!(1_u64 << 32)
            } else {
                json!(1_u64 << 63)
            };
            if max.is_some() {
                out.push(Mutation::set(huge));
            } else {
                out.push(Mutation::divergent(Change::Set(huge), INT_RANGE));
            }
        }
        "boolean" => {
            out.push(Mutation::wrong_type(json!("true")));
            out.push(Mutation::wrong_type(json!(1)));
        }
        "timestamp" => {
            out.push(Mutation::wrong_type(json!("2020-01-01T00:00:00Z")));
            out.push(Mutation::set(json!(1_700_000_000.5)));
        }
        "blob" => {
            out.push(Mutation::wrong_type(json!(12)));
            out.push(Mutation::divergent(
                Change::Set(json!("!!not base64")),
                BAD_BASE64,
            ));
            if let Some(max) = max {
                let big = base64::Engine::encode(
                    &base64::engine::general_purpose::STANDARD,
                    vec![0u8; usize::try_from(max + 1).unwrap()],
                );
                out.push(Mutation::divergent(Change::Set(json!(big)), BLOB_SIZE));
            }
        }
        _ => {}
    }
    out
}

fn lookup<'v>(v: &'v Value, ptr: &[Seg]) -> Option<&'v Value> {
    ptr.iter().try_fold(v, |v, seg| match seg {
        Seg::Key(k) => v.get(k),
        Seg::Index(i) => v.get(i),
    })
}

/// Applies a change at `ptr`; false when `ptr` no longer exists.
fn apply(body: &mut Value, ptr: &[Seg], change: &Change) -> bool {
    let Some((last, parent)) = ptr.split_last() else {
        return false;
    };
    let mut v = body;
    for seg in parent {
        let next = match seg {
            Seg::Key(k) => v.get_mut(k),
            Seg::Index(i) => v.get_mut(i),
        };
        match next {
            Some(next) => v = next,
            None => return false,
        }
    }
    match (last, change, v) {
        (Seg::Key(k), Change::Set(new), Value::Object(o)) => {
            o.insert(k.clone(), new.clone());
        }
        (Seg::Key(k), Change::Remove, Value::Object(o)) => {
            o.remove(k);
        }
        (Seg::Index(i), Change::Set(new), Value::Array(a)) if *i < a.len() => a[*i] = new.clone(),
        (Seg::Index(i), Change::Remove, Value::Array(a)) if *i < a.len() => {
            a.remove(*i);
        }
        _ => return false,
    }
    true
}
