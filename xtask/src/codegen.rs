//! `cargo xtask codegen [--check]`: Rust types and validating readers from
//! the bundled AWS service models (`crates/mock-cognito/models/*.json`),
//! written to `crates/mock-cognito/src/shapes/<service>.rs`.
//!
//! For every operation of each model: its input and output structs (serde
//! `Serialize`, AWS member names, required members plain, others `Option`),
//! Rust enums for the model's enumerations, a generated reader per shape
//! that validates as AWS does while it reads (so reading a request is its
//! validation), a unit type implementing `shapes::Operation`, and the
//! service's operation and request enums. The runtime those readers call
//! lives in `shapes/mod.rs`, by hand.
//!
//! `--check` regenerates in memory and fails if the checked-in files differ,
//! so CI catches a model or generator change without its output. The output
//! goes through rustfmt here, so `cargo fmt --check` and `--check` agree.
//!
//! xtask links mock-cognito (for `bench scale`), so when the checked-in
//! shapes no longer compile, regenerate with
//! `cargo run -p xtask --no-default-features -- codegen`.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

/// One service to generate.
struct Service {
    /// The model file under `crates/mock-cognito/models/`.
    model: &'static str,
    /// The generated module (and file) name.
    module: &'static str,
    /// The prefix of the operation and request enums (`UserPoolOperation`).
    prefix: &'static str,
    /// What the service is, for the module's documentation.
    title: &'static str,
    /// The error code of a constraint failure in the service's protocol.
    validation_code: &'static str,
}

const SERVICES: &[Service] = &[
    Service {
        model: "cognito-idp.json",
        module: "cognito_idp",
        prefix: "UserPool",
        title: "Amazon Cognito user pools",
        validation_code: "InvalidParameterException",
    },
    Service {
        model: "cognito-identity.json",
        module: "cognito_identity",
        prefix: "IdentityPool",
        title: "Amazon Cognito identity pools",
        // Unlike cognito-idp, whose front end answers its own
        // InvalidParameterException, cognito-identity's answers AWS's
        // generic ValidationException for a broken constraint.
        validation_code: "ValidationException",
    },
    Service {
        model: "sts.json",
        module: "sts",
        prefix: "Sts",
        title: "AWS STS (the operations the mock serves)",
        validation_code: "ValidationError",
    },
];

/// Runs `cargo xtask codegen [--check]`.
pub fn run(args: &[&str]) -> Result<(), String> {
    let check = match args {
        [] => false,
        ["--check"] => true,
        _ => return Err("usage: cargo xtask codegen [--check]".to_owned()),
    };
    let root = crate::workspace_root();
    let models = root.join("crates/mock-cognito/models");
    let out_dir = root.join("crates/mock-cognito/src/shapes");
    let mut stale = Vec::new();
    for service in SERVICES {
        let path = models.join(service.model);
        let text = std::fs::read_to_string(&path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let model: Value = serde_json::from_str(&text)
            .map_err(|e| format!("{} is not JSON: {e}", path.display()))?;
        let model = Model::parse(&model).map_err(|e| format!("{}: {e}", path.display()))?;
        let code = Generator::new(service, &model)
            .generate()
            .map_err(|e| format!("{}: {e}", service.model))?;
        let code = rustfmt(&code, &root)?;
        let target = out_dir.join(format!("{}.rs", service.module));
        let current = std::fs::read_to_string(&target).ok();
        if current.as_deref() == Some(code.as_str()) {
            continue;
        }
        if check {
            stale.push(relative(&target, &root));
        } else {
            std::fs::write(&target, code)
                .map_err(|e| format!("cannot write {}: {e}", target.display()))?;
            println!("codegen: wrote {}", relative(&target, &root));
        }
    }
    if stale.is_empty() {
        if check {
            println!("codegen: generated shapes are up to date");
        }
        Ok(())
    } else {
        let verb = if stale.len() == 1 {
            "differs"
        } else {
            "differ"
        };
        Err(format!(
            "generated code is out of date: {} {verb} from a fresh generation; run `cargo xtask codegen` and commit the result",
            stale.join(", ")
        ))
    }
}

fn relative(path: &Path, root: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string()
}

/// Formats generated code with the toolchain's rustfmt, as `cargo fmt` would.
fn rustfmt(code: &str, root: &Path) -> Result<String, String> {
    let rustfmt = std::env::var_os("RUSTFMT").unwrap_or_else(|| "rustfmt".into());
    let mut child = Command::new(&rustfmt)
        .args(["--edition", "2024", "--emit", "stdout", "--quiet"])
        .current_dir(root)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| {
            format!(
                "cannot run rustfmt ({}): {e}",
                PathBuf::from(&rustfmt).display()
            )
        })?;
    let mut stdin = child.stdin.take().ok_or("rustfmt has no stdin")?;
    let input = code.to_owned();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let output = child
        .wait_with_output()
        .map_err(|e| format!("rustfmt failed: {e}"))?;
    writer
        .join()
        .map_err(|_| "rustfmt writer panicked".to_owned())?
        .map_err(|e| format!("cannot write to rustfmt: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "rustfmt rejected the generated code ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    String::from_utf8(output.stdout).map_err(|e| format!("rustfmt output is not UTF-8: {e}"))
}

// ---------------------------------------------------------------------------
// The model

struct Model {
    api_version: String,
    uid: String,
    target_prefix: Option<String>,
    operations: Vec<Op>,
    shapes: BTreeMap<String, Shape>,
}

struct Op {
    name: String,
    input: Option<String>,
    output: Option<String>,
    unsigned: bool,
}

struct Shape {
    kind: Kind,
    min: Option<u64>,
    max: Option<u64>,
    sensitive: bool,
}

enum Kind {
    Structure {
        members: Vec<Member>,
        required: Vec<String>,
        document: bool,
    },
    List {
        member: String,
    },
    Map {
        key: String,
        value: String,
    },
    String {
        values: Option<Vec<String>>,
        pattern: Option<String>,
    },
    Integer,
    Long,
    Boolean,
    Timestamp,
    Blob,
}

struct Member {
    name: String,
    shape: String,
    deprecated: bool,
}

fn str_of<'a>(v: &'a Value, what: &str) -> Result<&'a str, String> {
    v.as_str().ok_or_else(|| format!("{what} is not a string"))
}

fn bound(v: &Value, name: &str) -> Result<Option<u64>, String> {
    match v.get(name) {
        None => Ok(None),
        Some(n) => n
            .as_u64()
            .map(Some)
            .ok_or_else(|| format!("{name} {n} is not a non-negative integer")),
    }
}

impl Model {
    fn parse(doc: &Value) -> Result<Model, String> {
        let metadata = &doc["metadata"];
        let api_version = str_of(&metadata["apiVersion"], "metadata.apiVersion")?.to_owned();
        let uid = str_of(&metadata["uid"], "metadata.uid")?.to_owned();
        let target_prefix = metadata["targetPrefix"].as_str().map(str::to_owned);
        let mut operations = Vec::new();
        for (name, op) in doc["operations"]
            .as_object()
            .ok_or("the model has no operations")?
        {
            let shape_of = |k: &str| -> Result<Option<String>, String> {
                op.get(k)
                    .map(|io| str_of(&io["shape"], &format!("{name}.{k}.shape")).map(str::to_owned))
                    .transpose()
            };
            operations.push(Op {
                name: name.clone(),
                input: shape_of("input")?,
                output: shape_of("output")?,
                unsigned: op["authtype"].as_str() == Some("none"),
            });
        }
        let mut shapes = BTreeMap::new();
        for (name, s) in doc["shapes"].as_object().ok_or("the model has no shapes")? {
            let shape = Shape::parse(s).map_err(|e| format!("shape {name}: {e}"))?;
            shapes.insert(name.clone(), shape);
        }
        let model = Model {
            api_version,
            uid,
            target_prefix,
            operations,
            shapes,
        };
        model.check_references()?;
        Ok(model)
    }

    fn check_references(&self) -> Result<(), String> {
        let known = |s: &String, from: &str| {
            if self.shapes.contains_key(s) {
                Ok(())
            } else {
                Err(format!("{from} refers to an unknown shape {s}"))
            }
        };
        for op in &self.operations {
            for s in op.input.iter().chain(&op.output) {
                known(s, &op.name)?;
            }
        }
        for (name, shape) in &self.shapes {
            match &shape.kind {
                Kind::Structure { members, .. } => {
                    for m in members {
                        known(&m.shape, name)?;
                    }
                }
                Kind::List { member } => known(member, name)?,
                Kind::Map { key, value } => {
                    known(key, name)?;
                    known(value, name)?;
                    if !matches!(self.shapes[key].kind, Kind::String { .. }) {
                        return Err(format!("map {name} has a key that is not a string"));
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }

    fn shape(&self, name: &str) -> &Shape {
        &self.shapes[name]
    }

    /// Every shape reachable from the given roots.
    fn reachable<'a>(&'a self, roots: impl Iterator<Item = &'a String>) -> BTreeSet<&'a str> {
        let mut seen = BTreeSet::new();
        let mut todo: Vec<&str> = roots.map(String::as_str).collect();
        while let Some(name) = todo.pop() {
            if !seen.insert(name) {
                continue;
            }
            match &self.shape(name).kind {
                Kind::Structure { members, .. } => {
                    todo.extend(members.iter().map(|m| m.shape.as_str()));
                }
                Kind::List { member } => todo.push(member),
                Kind::Map { key, value } => {
                    todo.push(key);
                    todo.push(value);
                }
                _ => {}
            }
        }
        seen
    }
}

impl Shape {
    fn parse(s: &Value) -> Result<Shape, String> {
        let target = |k: &str| -> Result<String, String> {
            str_of(&s[k]["shape"], &format!("{k}.shape")).map(str::to_owned)
        };
        let kind = match str_of(&s["type"], "type")? {
            "structure" => Kind::Structure {
                members: s["members"]
                    .as_object()
                    .ok_or("a structure without members")?
                    .iter()
                    .map(|(name, m)| {
                        Ok(Member {
                            name: name.clone(),
                            shape: str_of(&m["shape"], name)?.to_owned(),
                            deprecated: m["deprecated"].as_bool().unwrap_or(false),
                        })
                    })
                    .collect::<Result<_, String>>()?,
                required: s["required"]
                    .as_array()
                    .map(|r| {
                        r.iter()
                            .map(|x| str_of(x, "required").map(str::to_owned))
                            .collect::<Result<_, _>>()
                    })
                    .transpose()?
                    .unwrap_or_default(),
                document: s["document"].as_bool().unwrap_or(false),
            },
            "list" => Kind::List {
                member: target("member")?,
            },
            "map" => Kind::Map {
                key: target("key")?,
                value: target("value")?,
            },
            "string" => Kind::String {
                values: s["enum"]
                    .as_array()
                    .map(|e| {
                        e.iter()
                            .map(|x| str_of(x, "enum").map(str::to_owned))
                            .collect::<Result<_, _>>()
                    })
                    .transpose()?,
                pattern: s["pattern"].as_str().map(str::to_owned),
            },
            "integer" => Kind::Integer,
            "long" => Kind::Long,
            "boolean" => Kind::Boolean,
            "timestamp" => Kind::Timestamp,
            "blob" => Kind::Blob,
            other => return Err(format!("unsupported shape type {other:?}")),
        };
        if let Kind::Structure {
            members, required, ..
        } = &kind
        {
            for r in required {
                if !members.iter().any(|m| &m.name == r) {
                    return Err(format!("required member {r} is not a member"));
                }
            }
        }
        Ok(Shape {
            kind,
            min: bound(s, "min")?,
            max: bound(s, "max")?,
            sensitive: s["sensitive"].as_bool().unwrap_or(false),
        })
    }
}

// ---------------------------------------------------------------------------
// Names

const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "Self", "static", "struct", "super", "trait", "true", "try", "type",
    "typeof", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Names the generated code itself uses, which a shape must not take.
const RESERVED_TYPES: &[&str] = &[
    "Value",
    "Map",
    "BTreeMap",
    "Serialize",
    "ApiError",
    "Option",
    "Result",
    "Vec",
    "String",
    "Some",
    "None",
    "Ok",
    "Err",
    "Blob",
    "Timestamp",
    "Empty",
    "Operation",
    "Path",
    "Reader",
    "StringRules",
    "SizeRules",
    "IntRules",
    "Pattern",
    "Redacted",
    "ReadResult",
    "ops",
    "fmt",
];

/// `SMSMfaSettings` → `sms_mfa_settings`, `S3Bucket` → `s3_bucket`.
fn snake(name: &str) -> String {
    let chars = one_word_acronyms(name);
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii_uppercase() {
            let prev = i.checked_sub(1).map(|j| chars[j]);
            let next = chars.get(i + 1);
            let boundary = prev.is_some_and(|p| {
                p.is_ascii_lowercase()
                    || p.is_ascii_digit()
                    || (p.is_ascii_uppercase() && next.is_some_and(char::is_ascii_lowercase))
            });
            if boundary {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else if c.is_ascii_alphanumeric() {
            out.push(c);
        } else {
            out.push('_');
        }
    }
    out
}

/// `name` with the acronyms the models write in mixed case turned into
/// ordinary capitalised words, so they snake-case as one word: "OAuth"
/// and plurals such as "URLs", "ARNs", "IDs" (`callback_urls`, not
/// `callback_ur_ls`).
fn one_word_acronyms(name: &str) -> Vec<char> {
    let mut chars: Vec<char> = name.replace("OAuth", "Oauth").chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let run = chars[i..]
            .iter()
            .take_while(|c| c.is_ascii_uppercase())
            .count();
        let end = i + run;
        let plural = run >= 2
            && chars.get(end) == Some(&'s')
            && chars.get(end + 1).is_none_or(|c| !c.is_ascii_lowercase());
        if plural {
            for c in &mut chars[i + 1..end] {
                *c = c.to_ascii_lowercase();
            }
        }
        i = end.max(i + 1);
    }
    chars
}

/// A field identifier: snake case, raw where it is a keyword.
fn field_ident(member: &str) -> String {
    let s = snake(member);
    match s.as_str() {
        "self" | "super" | "crate" | "Self" => format!("{s}_"),
        _ if KEYWORDS.contains(&s.as_str()) => format!("r#{s}"),
        _ => s,
    }
}

/// How messages name a member: its first letter in lower case.
fn message_name(member: &str) -> String {
    let mut chars = member.chars();
    chars
        .next()
        .map(|c| c.to_ascii_lowercase())
        .into_iter()
        .chain(chars)
        .collect()
}

fn upper_first(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map(|c| c.to_ascii_uppercase())
        .into_iter()
        .chain(chars)
        .collect()
}

/// An enum value as a variant: `USER_SRP_AUTH` → `UserSrpAuth`,
/// `phone_number` → `PhoneNumber`, `userAuthEvents` → `UserAuthEvents`.
fn variant_name(value: &str) -> String {
    let mut out = String::new();
    for word in value.split(|c: char| !c.is_ascii_alphanumeric()) {
        if word.is_empty() {
            continue;
        }
        let single_case = !word.chars().any(|c| c.is_ascii_lowercase())
            || !word.chars().any(|c| c.is_ascii_uppercase());
        if single_case {
            out.push_str(&upper_first(&word.to_ascii_lowercase()));
        } else {
            out.push_str(&upper_first(word));
        }
    }
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'V');
    }
    out
}

/// "a" or "an" before a name.
fn article(name: &str) -> &'static str {
    if name.starts_with(['A', 'E', 'I', 'O', 'U', 'a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

/// Whether a shape has no constraints to check (the shared `NONE` rules).
fn unconstrained(shape: &Shape) -> bool {
    let plain = shape.min.is_none() && shape.max.is_none() && !shape.sensitive;
    match &shape.kind {
        Kind::String { values, pattern } => plain && values.is_none() && pattern.is_none(),
        _ => plain,
    }
}

/// Whether `code` uses the identifier `name` (as a whole word).
fn uses(code: &str, name: &str) -> bool {
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    code.match_indices(name).any(|(i, _)| {
        let before = code[..i].chars().next_back();
        let after = code[i + name.len()..].chars().next();
        !before.is_some_and(ident) && !after.is_some_and(ident)
    })
}

/// `AuthFlowType` → `AUTH_FLOW_TYPE`, for statics.
fn screaming(name: &str) -> String {
    snake(name).to_ascii_uppercase()
}

/// A string literal; raw when the text has backslashes (the patterns), so
/// it reads as the model writes it.
/// The pattern with every class cut down to its ASCII members, printed
/// for a byte regex without Unicode. On an ASCII value it decides exactly
/// what the pattern does (a class can only match a value's characters
/// through their ASCII members), and it compiles in microseconds, where
/// the models' Unicode classes (`[\p{L}\p{M}\p{S}\p{N}\p{P}]`) take
/// milliseconds and hundreds of KiB each: the mock checks almost only
/// ASCII values, so its start and first requests skip that work. `None`
/// for a pattern `regex` cannot parse (the mock does not enforce those).
fn ascii_twin(anchored: &str) -> Option<String> {
    use regex_syntax::hir::{Class, ClassBytes, ClassBytesRange, ClassUnicode, ClassUnicodeRange};
    use regex_syntax::hir::{Hir, HirKind, Repetition};

    fn cut(hir: &Hir) -> Hir {
        match hir.kind() {
            HirKind::Empty => Hir::empty(),
            HirKind::Literal(literal) => Hir::literal(literal.0.clone()),
            HirKind::Class(Class::Unicode(class)) => {
                let mut class = class.clone();
                class.intersect(&ClassUnicode::new([ClassUnicodeRange::new('\0', '\x7f')]));
                Hir::class(Class::Unicode(class))
            }
            HirKind::Class(Class::Bytes(class)) => {
                let mut class = class.clone();
                class.intersect(&ClassBytes::new([ClassBytesRange::new(0, 0x7f)]));
                Hir::class(Class::Bytes(class))
            }
            HirKind::Look(look) => Hir::look(*look),
            HirKind::Repetition(r) => Hir::repetition(Repetition {
                min: r.min,
                max: r.max,
                greedy: r.greedy,
                sub: Box::new(cut(&r.sub)),
            }),
            // Groups only capture; a match/no-match check needs none.
            HirKind::Capture(capture) => cut(&capture.sub),
            HirKind::Concat(subs) => Hir::concat(subs.iter().map(cut).collect()),
            HirKind::Alternation(subs) => Hir::alternation(subs.iter().map(cut).collect()),
        }
    }

    let hir = regex_syntax::Parser::new().parse(anchored).ok()?;
    let twin = cut(&hir).to_string();
    // The mock compiles the twin as a byte regex without Unicode: it must
    // parse that way, or the twin is not used.
    regex_syntax::ParserBuilder::new()
        .unicode(false)
        .utf8(false)
        .build()
        .parse(&twin)
        .ok()?;
    Some(twin)
}

fn rust_string(s: &str) -> String {
    let plain = !s.contains('\\') || s.chars().any(char::is_control);
    if plain {
        format!("{s:?}")
    } else if !s.contains('"') {
        format!("r\"{s}\"")
    } else if !s.contains("\"#") {
        format!("r#\"{s}\"#")
    } else {
        format!("{s:?}")
    }
}

// ---------------------------------------------------------------------------
// The generator

struct Generator<'m> {
    service: &'m Service,
    model: &'m Model,
    out: String,
    /// Shapes whose readers the request parsers use.
    input_shapes: BTreeSet<&'m str>,
    /// Every shape of an input or output.
    all_shapes: BTreeSet<&'m str>,
    /// Distinct patterns, numbered in order of first use.
    patterns: BTreeMap<&'m str, usize>,
}

impl<'m> Generator<'m> {
    fn new(service: &'m Service, model: &'m Model) -> Self {
        let input_shapes =
            model.reachable(model.operations.iter().filter_map(|o| o.input.as_ref()));
        let all_shapes = model.reachable(
            model
                .operations
                .iter()
                .flat_map(|o| o.input.iter().chain(&o.output)),
        );
        let mut patterns = BTreeMap::new();
        for name in &all_shapes {
            if let Kind::String {
                pattern: Some(p), ..
            } = &model.shape(name).kind
            {
                let next = patterns.len();
                patterns.entry(p.as_str()).or_insert(next);
            }
        }
        Generator {
            service,
            model,
            out: String::new(),
            input_shapes,
            all_shapes,
            patterns,
        }
    }

    fn generate(mut self) -> Result<String, String> {
        self.check_names()?;
        self.patterns();
        for name in self.all_shapes.clone() {
            let shape = self.model.shape(name);
            match &shape.kind {
                Kind::Structure {
                    document: false, ..
                } => self.structure(name, shape),
                Kind::String {
                    values: Some(values),
                    ..
                } => self.enumeration(name, shape, values)?,
                Kind::List { .. } => self.list_reader(name, shape),
                Kind::Map { .. } => self.map_reader(name, shape),
                _ => {}
            }
            self.rules(name, shape);
        }
        self.operations();
        self.operation_enums();
        let body = std::mem::take(&mut self.out);
        self.header(&body);
        self.out.push_str(&body);
        Ok(self.out)
    }

    /// Type and field names must be distinct after conversion.
    fn check_names(&self) -> Result<(), String> {
        let mut types = BTreeMap::new();
        let prefix = self.service.prefix;
        for fixed in [format!("{prefix}Operation"), format!("{prefix}Request")] {
            types.insert(fixed, "(generated enum)".to_owned());
        }
        for name in &self.all_shapes {
            let shape = self.model.shape(name);
            let is_type = matches!(
                shape.kind,
                Kind::Structure {
                    document: false,
                    ..
                } | Kind::String {
                    values: Some(_),
                    ..
                }
            );
            if !is_type {
                continue;
            }
            let ty = upper_first(name);
            if RESERVED_TYPES.contains(&ty.as_str()) {
                return Err(format!(
                    "shape {name} would shadow {ty}, which generated code uses"
                ));
            }
            if let Some(other) = types.insert(ty.clone(), (*name).to_owned()) {
                return Err(format!("shapes {name} and {other} are both type {ty}"));
            }
            match &shape.kind {
                Kind::Structure { members, .. } => {
                    let mut fields = BTreeSet::new();
                    for m in members {
                        if !fields.insert(field_ident(&m.name)) {
                            return Err(format!(
                                "{name}: two members are field {}",
                                field_ident(&m.name)
                            ));
                        }
                    }
                }
                Kind::String {
                    values: Some(values),
                    ..
                } => {
                    let mut variants = BTreeSet::new();
                    for v in values {
                        if !variants.insert(variant_name(v)) {
                            return Err(format!(
                                "{name}: two values are variant {}",
                                variant_name(v)
                            ));
                        }
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// The file's header and imports; `body` is the rest, to import only
    /// what it uses.
    fn header(&mut self, body: &str) {
        let from_runtime: Vec<&str> = [
            "Blob",
            "Empty",
            "IntRules",
            "Operation",
            "Path",
            "Pattern",
            "ReadResult",
            "Reader",
            "Redacted",
            "ServiceOperation",
            "SizeRules",
            "StringRules",
            "Timestamp",
            "member",
            "read_input",
            "unknown_operation",
        ]
        .into_iter()
        .filter(|name| uses(body, name))
        .collect();
        let from_json = if uses(body, "Map") {
            "{Map, Value}"
        } else {
            "Value"
        };
        let service = self.service;
        let model = self.model;
        let ops = model.operations.len();
        let _ = write!(
            self.out,
            "// @generated by `cargo xtask codegen` from crates/mock-cognito/models/{file}.\n\
             // Do not edit by hand: change the model or xtask/src/codegen.rs and run\n\
             // `cargo xtask codegen` (CI runs `cargo xtask codegen --check`); if this\n\
             // file no longer compiles, `cargo run -p xtask --no-default-features -- codegen`.\n\
             \n\
             //! {title}: typed shapes of all {ops} operations of\n\
             //! `{uid}` (API version {version}), generated from the service model.\n\
             //!\n\
             //! Input and output structs serialise with the model's member names;\n\
             //! [`{prefix}Request::parse`] validates a request body against the model\n\
             //! as it reads it. Members the model marks sensitive print as `***` in\n\
             //! `Debug`.\n\
             \n\
             // Variant names follow the model's values, which often share a prefix.\n\
             // A request is parsed once and matched at once: boxing the large\n\
             // variants would only make matching on it clumsier.\n\
             #![allow(clippy::enum_variant_names, clippy::large_enum_variant)]\n\
             \n\
             use std::collections::BTreeMap;\n\
             use std::fmt;\n\
             \n\
             use serde::Serialize;\n\
             use serde_json::{from_json};\n\
             \n\
             use super::{{{runtime}}};\n\
             use crate::error::ApiError;\n\
             \n\
             /// The error code of a request that breaks the model's constraints.\n\
             const VALIDATION: &str = {code};\n\
             \n\
             /// The model's API version.\n\
             pub const API_VERSION: &str = {version_lit};\n",
            file = service.model,
            title = service.title,
            uid = model.uid,
            version = model.api_version,
            prefix = service.prefix,
            code = rust_string(service.validation_code),
            version_lit = rust_string(&model.api_version),
            runtime = from_runtime.join(", "),
        );
        if let Some(prefix) = &model.target_prefix {
            let _ = write!(
                self.out,
                "\n/// The `X-Amz-Target` prefix of this service's operations (before the dot).\n\
                 pub const TARGET_PREFIX: &str = {};\n",
                rust_string(prefix)
            );
        }
    }

    fn patterns(&mut self) {
        let mut by_index: Vec<(&str, usize)> =
            self.patterns.iter().map(|(p, i)| (*p, *i)).collect();
        by_index.sort_by_key(|&(_, i)| i);
        let _ = write!(
            self.out,
            "\n/// Every pattern of the model, for the tests of their ASCII twins.\n\
             #[cfg(test)]\n\
             pub(crate) static PATTERNS: [&Pattern; {}] = [{}];\n",
            by_index.len(),
            by_index
                .iter()
                .map(|(_, i)| format!("&PATTERN_{i}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        for (text, i) in by_index {
            // Java matches a pattern against the whole value.
            let inner = text.trim_start_matches('^').trim_end_matches('$');
            let anchored = format!("^(?:{inner})$");
            let used = self.input_shapes.iter().any(|s| {
                matches!(&self.model.shape(s).kind, Kind::String { pattern: Some(p), .. } if p == text)
            });
            let cfg = if used { "" } else { "#[cfg(test)]\n" };
            let ascii = match ascii_twin(&anchored) {
                Some(twin) => format!("Some({})", rust_string(&twin)),
                None => "None".to_owned(),
            };
            let _ = write!(
                self.out,
                "\n{cfg}static PATTERN_{i}: Pattern = Pattern::new({}, {}, {ascii});\n",
                rust_string(text),
                rust_string(&anchored)
            );
        }
    }

    /// The static rules a scalar, list or map shape's reader checks.
    fn rules(&mut self, name: &str, shape: &Shape) {
        if unconstrained(shape) {
            return;
        }
        let opt = |v: Option<u64>| v.map_or_else(|| "None".to_owned(), |n| format!("Some({n})"));
        let (ty, extra) = match &shape.kind {
            Kind::String { values, pattern } => {
                let values = match values {
                    Some(_) => format!("Some({}::VALUES)", upper_first(name)),
                    None => "None".to_owned(),
                };
                let pattern = match pattern {
                    Some(p) => format!("Some(&PATTERN_{})", self.patterns[p.as_str()]),
                    None => "None".to_owned(),
                };
                (
                    "StringRules",
                    format!(" values: {values}, pattern: {pattern},"),
                )
            }
            Kind::List { .. } | Kind::Map { .. } | Kind::Blob => ("SizeRules", String::new()),
            Kind::Integer | Kind::Long => ("IntRules", String::new()),
            _ => return,
        };
        let _ = writeln!(
            self.out,
            "\n{cfg}static {konst}: {ty} = {ty} {{ min: {min}, max: {max},{extra} sensitive: {sensitive} }};",
            cfg = self.reader_cfg(name),
            konst = screaming(name),
            min = opt(shape.min),
            max = opt(shape.max),
            sensitive = shape.sensitive,
        );
    }

    /// The rules static of a shape, or the shared "no constraints" one.
    fn rules_ref(&self, name: &str) -> String {
        let shape = self.model.shape(name);
        match (&shape.kind, unconstrained(shape)) {
            (Kind::String { .. }, true) => "&StringRules::NONE".to_owned(),
            (Kind::Integer | Kind::Long, true) => "&IntRules::NONE".to_owned(),
            (_, true) => "&SizeRules::NONE".to_owned(),
            (_, false) => format!("&{}", screaming(name)),
        }
    }

    /// The Rust type of a shape.
    fn rust_type(&self, name: &str) -> String {
        let shape = self.model.shape(name);
        match &shape.kind {
            Kind::Structure { document: true, .. } => "Map<String, Value>".to_owned(),
            Kind::Structure { .. } => upper_first(name),
            Kind::List { member } => format!("Vec<{}>", self.rust_type(member)),
            Kind::Map { key, value } => {
                format!(
                    "BTreeMap<{}, {}>",
                    self.rust_type(key),
                    self.rust_type(value)
                )
            }
            Kind::String {
                values: Some(_), ..
            } => upper_first(name),
            Kind::String { values: None, .. } => "String".to_owned(),
            Kind::Integer => "i32".to_owned(),
            Kind::Long => "i64".to_owned(),
            Kind::Boolean => "bool".to_owned(),
            Kind::Timestamp => "Timestamp".to_owned(),
            Kind::Blob => "Blob".to_owned(),
        }
    }

    /// Whether a value of this shape could hold a float (so no `Eq`).
    fn has_float(&self, name: &str, seen: &mut BTreeSet<String>) -> bool {
        if !seen.insert(name.to_owned()) {
            return false;
        }
        match &self.model.shape(name).kind {
            Kind::Timestamp => true,
            Kind::Structure {
                members,
                document: false,
                ..
            } => members.iter().any(|m| self.has_float(&m.shape, seen)),
            Kind::List { member } => self.has_float(member, seen),
            Kind::Map { value, .. } => self.has_float(value, seen),
            _ => false,
        }
    }

    /// Whether a member of this shape must not show in `Debug`: the shape is
    /// sensitive, or it is a list or map holding sensitive scalars (a nested
    /// structure hides its own sensitive members).
    fn redacted(&self, name: &str) -> bool {
        let shape = self.model.shape(name);
        shape.sensitive
            || match &shape.kind {
                Kind::List { member } => self.redacted(member),
                Kind::Map { key, value } => self.redacted(key) || self.redacted(value),
                _ => false,
            }
    }

    /// An expression reading `v` (a non-null `&Value`) at `path` (a `&Path`)
    /// into `Option<T>`, with `?` for wrong JSON types.
    fn read_expr(&self, name: &str, v: &str, path: &str) -> String {
        let shape = self.model.shape(name);
        let rules = || self.rules_ref(name);
        match &shape.kind {
            Kind::Structure { document: true, .. } => format!("cx.document({v}, {path})?"),
            Kind::Structure { .. } => format!("{}::read({v}, {path}, cx)?", upper_first(name)),
            Kind::List { .. } | Kind::Map { .. } => {
                format!("read_{}({v}, {path}, cx)?", snake(name))
            }
            Kind::String {
                values: Some(_), ..
            } => format!(
                "cx.string({v}, {path}, {})?.and_then({}::parse)",
                rules(),
                upper_first(name)
            ),
            Kind::String { values: None, .. } => {
                format!("cx.string({v}, {path}, {})?.map(str::to_owned)", rules())
            }
            Kind::Integer => format!("cx.integer({v}, {path}, {})?", rules()),
            Kind::Long => format!("cx.long({v}, {path}, {})?", rules()),
            Kind::Boolean => format!("cx.boolean({v}, {path})?"),
            Kind::Timestamp => format!("cx.timestamp({v}, {path})?"),
            Kind::Blob => format!("cx.blob({v}, {path}, {})?", rules()),
        }
    }

    /// An expression reading member `aws_name` (of shape `name`) of
    /// `object` into `Option<T>`: absent and null are `None`. Scalars go
    /// through one reader call each, which keeps the generated code (and its
    /// compile time) small.
    fn member_expr(&self, name: &str, aws_name: &str) -> String {
        let shape = self.model.shape(name);
        let args = format!(
            "object, {}, path, {}",
            rust_string(aws_name),
            rust_string(&message_name(aws_name))
        );
        let rules = || self.rules_ref(name);
        match &shape.kind {
            Kind::String {
                values: Some(_), ..
            } => format!(
                "cx.string_member({args}, {})?.and_then({}::parse)",
                rules(),
                upper_first(name)
            ),
            Kind::String { values: None, .. } => {
                format!("cx.string_member({args}, {})?.map(str::to_owned)", rules())
            }
            Kind::Integer => format!("cx.integer_member({args}, {})?", rules()),
            Kind::Long => format!("cx.long_member({args}, {})?", rules()),
            Kind::Boolean => format!("cx.boolean_member({args})?"),
            Kind::Timestamp => format!("cx.timestamp_member({args})?"),
            Kind::Blob => format!("cx.blob_member({args}, {})?", rules()),
            Kind::Structure { document: true, .. } => format!("cx.document_member({args})?"),
            Kind::Structure { .. } | Kind::List { .. } | Kind::Map { .. } => {
                let at = format!("&path.member({})", rust_string(&message_name(aws_name)));
                format!(
                    "match member(object, {}) {{ Some(v) => {}, None => None }}",
                    rust_string(aws_name),
                    self.read_expr(name, "v", &at)
                )
            }
        }
    }

    /// `#[cfg(test)]` for readers only the output tests use.
    fn reader_cfg(&self, name: &str) -> &'static str {
        if self.input_shapes.contains(name) {
            ""
        } else {
            "#[cfg(test)]\n"
        }
    }

    fn structure(&mut self, name: &str, shape: &Shape) {
        let Kind::Structure {
            members, required, ..
        } = &shape.kind
        else {
            return;
        };
        let ty = upper_first(name);
        let is_required = |m: &Member| required.contains(&m.name);
        let float = self.has_float(name, &mut BTreeSet::new());
        let any_redacted = shape.sensitive || members.iter().any(|m| self.redacted(&m.shape));
        let all_optional = required.is_empty();

        // The struct.
        let mut derives = vec!["Clone"];
        if !any_redacted {
            derives.push("Debug");
        }
        if all_optional {
            derives.push("Default");
        }
        derives.push("PartialEq");
        if !float {
            derives.push("Eq");
        }
        derives.push("Serialize");
        let sensitive_note = if shape.sensitive {
            "\n///\n/// Sensitive: `Debug` prints none of it."
        } else {
            ""
        };
        let _ = write!(
            self.out,
            "\n/// The `{name}` structure.{sensitive_note}\n#[derive({})]\npub struct {ty} {{\n",
            derives.join(", ")
        );
        for m in members {
            let field = field_ident(&m.name);
            let rust = self.rust_type(&m.shape);
            let mut doc = format!("`{}`", m.name);
            if is_required(m) {
                doc.push_str(" (required)");
            }
            if self.redacted(&m.shape) {
                doc.push_str(", sensitive");
            }
            if m.deprecated {
                doc.push_str("; deprecated in the model");
            }
            doc.push('.');
            if is_required(m) {
                let _ = write!(
                    self.out,
                    "/// {doc}\n#[serde(rename = {})]\npub {field}: {rust},\n",
                    rust_string(&m.name)
                );
            } else {
                let _ = write!(
                    self.out,
                    "/// {doc}\n#[serde(rename = {}, skip_serializing_if = \"Option::is_none\")]\npub {field}: Option<{rust}>,\n",
                    rust_string(&m.name)
                );
            }
        }
        self.out.push_str("}\n");

        // Debug, when something must not show.
        if any_redacted {
            let _ = write!(
                self.out,
                "\nimpl fmt::Debug for {ty} {{\nfn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {{\n"
            );
            if shape.sensitive {
                let _ = writeln!(self.out, "f.write_str(\"{ty}(***)\")");
            } else {
                let _ = writeln!(self.out, "f.debug_struct(\"{ty}\")");
                for m in members {
                    let field = field_ident(&m.name);
                    let label = field.trim_start_matches("r#");
                    let value = match (self.redacted(&m.shape), is_required(m)) {
                        (false, _) => format!("&self.{field}"),
                        (true, true) => "&Redacted".to_owned(),
                        (true, false) => format!("&self.{field}.as_ref().map(|_| Redacted)"),
                    };
                    let _ = writeln!(self.out, ".field(\"{label}\", {value})");
                }
                self.out.push_str(".finish()\n");
            }
            self.out.push_str("}\n}\n");
        }

        // The reader: required members first, in the model's order, then
        // every member in the model's (alphabetical) order, as AWS reports.
        let _ = write!(
            self.out,
            "\nimpl {ty} {{\n/// Reads {a} `{name}` from JSON, checking the model's constraints.\n{cfg}pub(crate) fn read(v: &Value, path: &Path<'_>, cx: &mut Reader) -> ReadResult<Self> {{\n",
            cfg = self.reader_cfg(name),
            a = article(name),
        );
        if members.is_empty() {
            self.out
                .push_str("cx.object(v, path)?;\nOk(Some(Self {}))\n}\n}\n");
            return;
        }
        self.out
            .push_str("let object = cx.object(v, path)?;\nlet mark = cx.mark();\n");
        for r in required {
            let _ = writeln!(
                self.out,
                "cx.require(object, {}, &path.member({}));",
                rust_string(r),
                rust_string(&message_name(r))
            );
        }
        for m in members {
            let field = field_ident(&m.name);
            let read = self.member_expr(&m.shape, &m.name);
            let _ = writeln!(self.out, "let {field} = {read};");
        }
        self.out
            .push_str("if !cx.clean_since(mark) { return Ok(None); }\n");
        let required_fields: Vec<String> = members
            .iter()
            .filter(|m| is_required(m))
            .map(|m| field_ident(&m.name))
            .collect();
        match required_fields.len() {
            0 => {}
            1 => {
                let _ = writeln!(
                    self.out,
                    "let Some({0}) = {0} else {{ return Ok(None); }};",
                    required_fields[0]
                );
            }
            _ => {
                let _ = writeln!(
                    self.out,
                    "let ({}) = ({}) else {{ return Ok(None); }};",
                    required_fields
                        .iter()
                        .map(|f| format!("Some({f})"))
                        .collect::<Vec<_>>()
                        .join(", "),
                    required_fields.join(", ")
                );
            }
        }
        self.out.push_str("Ok(Some(Self {\n");
        for m in members {
            let _ = writeln!(self.out, "{},", field_ident(&m.name));
        }
        self.out.push_str("}))\n}\n}\n");
    }

    fn list_reader(&mut self, name: &str, _shape: &Shape) {
        let Kind::List { member } = &self.model.shape(name).kind else {
            return;
        };
        let item = self.read_expr(member, "item", "&at");
        let _ = write!(
            self.out,
            "\n/// Reads {a} `{name}` list from JSON, checking the model's constraints.\n{cfg}fn read_{fn_name}(v: &Value, path: &Path<'_>, cx: &mut Reader) -> ReadResult<{ty}> {{\n\
             let items = cx.array(v, path)?;\n\
             let mark = cx.mark();\n\
             cx.size(v, items.len(), path, {rules});\n\
             let mut out = Vec::with_capacity(items.len());\n\
             for (i, item) in items.iter().enumerate() {{\n\
             let at = path.index(i);\n\
             if item.is_null() {{ cx.null(&at); continue; }}\n\
             if let Some(item) = {item} {{ out.push(item); }}\n\
             }}\n\
             Ok(cx.clean_since(mark).then_some(out))\n\
             }}\n",
            cfg = self.reader_cfg(name),
            a = article(name),
            fn_name = snake(name),
            ty = self.rust_type(name),
            rules = self.rules_ref(name),
        );
    }

    fn map_reader(&mut self, name: &str, _shape: &Shape) {
        let Kind::Map { key, value } = &self.model.shape(name).kind else {
            return;
        };
        let key_expr = match &self.model.shape(key).kind {
            Kind::String {
                values: Some(_), ..
            } => format!(
                "cx.key(k, &path.key(), {}).and_then({}::parse)",
                self.rules_ref(key),
                upper_first(key)
            ),
            _ => format!(
                "cx.key(k, &path.key(), {}).map(str::to_owned)",
                self.rules_ref(key)
            ),
        };
        let item = self.read_expr(value, "item", "&at");
        let _ = write!(
            self.out,
            "\n/// Reads {a} `{name}` map from JSON, checking the model's constraints.\n{cfg}fn read_{fn_name}(v: &Value, path: &Path<'_>, cx: &mut Reader) -> ReadResult<{ty}> {{\n\
             let object = cx.object(v, path)?;\n\
             let mark = cx.mark();\n\
             cx.size(v, object.len(), path, {rules});\n\
             let mut out = BTreeMap::new();\n\
             for (k, item) in object {{\n\
             let key = {key_expr};\n\
             let at = path.entry(k);\n\
             let value = if item.is_null() {{ cx.null(&at); None }} else {{ {item} }};\n\
             if let (Some(key), Some(value)) = (key, value) {{ out.insert(key, value); }}\n\
             }}\n\
             Ok(cx.clean_since(mark).then_some(out))\n\
             }}\n",
            cfg = self.reader_cfg(name),
            a = article(name),
            fn_name = snake(name),
            ty = self.rust_type(name),
            rules = self.rules_ref(name),
        );
    }

    fn enumeration(&mut self, name: &str, shape: &Shape, values: &[String]) -> Result<(), String> {
        let ty = upper_first(name);
        let derive_debug = if shape.sensitive { "" } else { "Debug, " };
        let _ = write!(
            self.out,
            "\n/// The `{name}` enumeration.\n#[derive(Clone, Copy, {derive_debug}PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]\npub enum {ty} {{\n"
        );
        for v in values {
            let _ = write!(
                self.out,
                "/// `{v}`\n#[serde(rename = {})]\n{},\n",
                rust_string(v),
                variant_name(v)
            );
        }
        self.out.push_str("}\n");
        let all = values
            .iter()
            .map(|v| format!("Self::{}", variant_name(v)))
            .collect::<Vec<_>>()
            .join(", ");
        let strings = values
            .iter()
            .map(|v| rust_string(v))
            .collect::<Vec<_>>()
            .join(", ");
        let _ = write!(
            self.out,
            "\nimpl {ty} {{\n\
             /// Every value, in the model's order.\n\
             pub const ALL: &'static [Self] = &[{all}];\n\
             /// Every value as AWS spells it, in the model's order.\n\
             pub const VALUES: &'static [&'static str] = &[{strings}];\n\
             \n\
             /// The value as AWS spells it.\n\
             pub const fn as_str(self) -> &'static str {{\nmatch self {{\n"
        );
        for v in values {
            let _ = writeln!(self.out, "Self::{} => {},", variant_name(v), rust_string(v));
        }
        let _ = write!(
            self.out,
            "}}\n}}\n\n/// The value AWS spells `s`, if any.\npub fn parse(s: &str) -> Option<Self> {{\nmatch s {{\n"
        );
        for v in values {
            let _ = writeln!(
                self.out,
                "{} => Some(Self::{}),",
                rust_string(v),
                variant_name(v)
            );
        }
        self.out.push_str("_ => None,\n}\n}\n}\n");
        let _ = write!(
            self.out,
            "\nimpl fmt::Display for {ty} {{\nfn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {{\nf.write_str(self.as_str())\n}}\n}}\n"
        );
        if shape.sensitive {
            let _ = write!(
                self.out,
                "\nimpl fmt::Debug for {ty} {{\nfn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {{\nf.write_str(\"***\")\n}}\n}}\n"
            );
        }
        Ok(())
    }

    fn input_type(&self, op: &Op) -> String {
        op.input
            .as_deref()
            .map_or_else(|| "Empty".to_owned(), |s| self.rust_type(s))
    }

    fn output_type(&self, op: &Op) -> String {
        op.output
            .as_deref()
            .map_or_else(|| "Empty".to_owned(), |s| self.rust_type(s))
    }

    /// A unit type per operation, implementing `Operation`.
    fn operations(&mut self) {
        let _ = write!(
            self.out,
            "\n/// Every operation as a unit type implementing [`Operation`].\npub mod ops {{\n\
             use super::*;\n"
        );
        for op in &self.model.operations {
            let input = self.input_type(op);
            let output = self.output_type(op);
            let signing = if op.unsigned {
                "unsigned"
            } else {
                "signed (SigV4)"
            };
            let parse = match &op.input {
                Some(shape) => format!("read_input(body, VALIDATION, {}::read)", upper_first(shape)),
                None => "read_input(body, VALIDATION, |v, path, cx| { cx.object(v, path)?; Ok(Some(Empty {})) })".to_owned(),
            };
            let _ = write!(
                self.out,
                "\n/// `{name}`: [`{input}`] → [`{output}`], {signing}.\n\
                 #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]\n\
                 pub struct {name};\n\
                 \n\
                 impl Operation for {name} {{\n\
                 const NAME: &'static str = {name_lit};\n\
                 const UNSIGNED: bool = {unsigned};\n\
                 type Input = {input};\n\
                 type Output = {output};\n\
                 fn parse_input(body: &Value) -> Result<Self::Input, ApiError> {{\n{parse}\n}}\n\
                 }}\n",
                name = op.name,
                name_lit = rust_string(&op.name),
                unsigned = op.unsigned,
            );
        }
        self.out.push_str("}\n");

        // Output readers, for the tests that prove outputs serialise to JSON
        // the model accepts.
        let _ = write!(
            self.out,
            "\n/// Reads an operation's output JSON back into its type and serialises\n\
             /// it again (the output round-trip test).\n\
             #[cfg(test)]\n\
             pub(crate) fn output_round_trip(op: {prefix}Operation, body: &Value) -> Result<Value, ApiError> {{\n\
             fn again<T: Serialize>(read: Result<T, ApiError>) -> Result<Value, ApiError> {{\n\
             read.map(|t| serde_json::to_value(t).unwrap_or(Value::Null))\n\
             }}\n\
             match op {{\n",
            prefix = self.service.prefix
        );
        for op in &self.model.operations {
            let read = match &op.output {
                Some(shape) => format!("again(read_input(body, VALIDATION, {}::read))", upper_first(shape)),
                None => "again(read_input(body, VALIDATION, |v, path, cx| { cx.object(v, path)?; Ok(Some(Empty {})) }))".to_owned(),
            };
            let _ = writeln!(
                self.out,
                "{}Operation::{} => {read},",
                self.service.prefix, op.name
            );
        }
        self.out.push_str("}\n}\n");
    }

    /// The service's operation enum and request enum.
    fn operation_enums(&mut self) {
        let prefix = self.service.prefix;
        let ops = &self.model.operations;
        let count = ops.len();
        let _ = write!(
            self.out,
            "\n/// Every operation of the service ({count}), by name.\n\
             #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]\n\
             pub enum {prefix}Operation {{\n"
        );
        for op in ops {
            let _ = write!(self.out, "/// `{0}`\n{0},\n", op.name);
        }
        self.out.push_str("}\n");
        let all = ops
            .iter()
            .map(|o| format!("Self::{}", o.name))
            .collect::<Vec<_>>()
            .join(", ");
        let _ = write!(
            self.out,
            "\nimpl {prefix}Operation {{\n\
             /// Every operation, in the model's (alphabetical) order.\n\
             pub const ALL: &'static [Self] = &[{all}];\n\
             \n\
             /// The operation's name, as in `X-Amz-Target`.\n\
             pub const fn name(self) -> &'static str {{\nmatch self {{\n"
        );
        for op in ops {
            let _ = writeln!(
                self.out,
                "Self::{0} => {1},",
                op.name,
                rust_string(&op.name)
            );
        }
        let _ = write!(
            self.out,
            "}}\n}}\n\n/// The operation of this name, if the service has one.\npub fn from_name(name: &str) -> Option<Self> {{\nmatch name {{\n"
        );
        for op in ops {
            let _ = writeln!(
                self.out,
                "{} => Some(Self::{}),",
                rust_string(&op.name),
                op.name
            );
        }
        let unsigned: Vec<String> = ops
            .iter()
            .filter(|o| o.unsigned)
            .map(|o| format!("Self::{}", o.name))
            .collect();
        let unsigned = if unsigned.is_empty() {
            "false".to_owned()
        } else {
            format!("matches!(self, {})", unsigned.join(" | "))
        };
        let _ = write!(
            self.out,
            "_ => None,\n}}\n}}\n\n\
             /// Whether AWS accepts the operation without SigV4 (`authtype: none`).\n\
             pub const fn is_unsigned(self) -> bool {{\n{unsigned}\n}}\n\
             \n\
             /// Validates a request body for this operation and reads it.\n\
             pub fn parse(self, body: &Value) -> Result<{prefix}Request, ApiError> {{\n\
             Ok(match self {{\n"
        );
        for op in ops {
            let _ = writeln!(
                self.out,
                "Self::{0} => {prefix}Request::{0}(<ops::{0} as Operation>::parse_input(body)?),",
                op.name
            );
        }
        self.out.push_str("})\n}\n}\n");
        let _ = write!(
            self.out,
            "\nimpl ServiceOperation for {prefix}Operation {{\n\
             type Request = {prefix}Request;\n\
             const ALL: &'static [Self] = Self::ALL;\n\
             fn from_name(name: &str) -> Option<Self> {{\nSelf::from_name(name)\n}}\n\
             fn name(self) -> &'static str {{\nSelf::name(self)\n}}\n\
             fn is_unsigned(self) -> bool {{\nSelf::is_unsigned(self)\n}}\n\
             fn parse(self, body: &Value) -> Result<{prefix}Request, ApiError> {{\nSelf::parse(self, body)\n}}\n\
             }}\n"
        );
        let _ = write!(
            self.out,
            "\nimpl fmt::Display for {prefix}Operation {{\nfn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {{\nf.write_str(self.name())\n}}\n}}\n"
        );

        let _ = write!(
            self.out,
            "\n/// A validated request to the service: the operation and its typed input.\n\
             #[derive(Clone, Debug, PartialEq)]\n\
             pub enum {prefix}Request {{\n"
        );
        for op in ops {
            let _ = write!(
                self.out,
                "/// `{0}`\n{0}({1}),\n",
                op.name,
                self.input_type(op)
            );
        }
        let _ = write!(
            self.out,
            "}}\n\nimpl {prefix}Request {{\n\
             /// Validates a request body for the named operation and reads it:\n\
             /// `UnknownOperationException` for a name the service does not have,\n\
             /// `SerializationException` for a JSON type the model does not allow,\n\
             /// `{code}` listing every broken constraint.\n\
             pub fn parse(operation: &str, body: &Value) -> Result<Self, ApiError> {{\n\
             {prefix}Operation::from_name(operation)\n\
             .ok_or_else(|| unknown_operation(operation))?\n\
             .parse(body)\n\
             }}\n\
             \n\
             /// The request's operation.\n\
             pub const fn operation(&self) -> {prefix}Operation {{\nmatch self {{\n",
            code = self.service.validation_code,
        );
        for op in ops {
            let _ = writeln!(self.out, "Self::{0}(_) => {prefix}Operation::{0},", op.name);
        }
        self.out.push_str("}\n}\n");
        // The operations whose input has a ClientMetadata map: what the
        // pool's Lambda triggers receive as `clientMetadata`.
        let with_metadata: Vec<&str> = ops
            .iter()
            .filter(|op| {
                op.input.as_deref().is_some_and(|input| {
                    matches!(&self.model.shape(input).kind,
                        Kind::Structure { members, .. } if members.iter().any(|m| m.name == "ClientMetadata"))
                })
            })
            .map(|op| op.name.as_str())
            .collect();
        if !with_metadata.is_empty() {
            self.out.push_str(
                "\n/// The request's `ClientMetadata`, for the operations that take one\n\
                 /// (what the pool's Lambda triggers receive as `clientMetadata`).\n\
                 pub fn client_metadata(&self) -> Option<&BTreeMap<String, String>> {\n\
                 match self {\n",
            );
            for name in &with_metadata {
                let _ = writeln!(
                    self.out,
                    "Self::{name}(input) => input.client_metadata.as_ref(),"
                );
            }
            self.out.push_str("_ => None,\n}\n}\n");
        }
        self.out.push_str("}\n");
        let _ = write!(
            self.out,
            "\n#[cfg(test)]\nimpl {prefix}Request {{\n\
             /// The typed input serialised again (the input round-trip test).\n\
             pub(crate) fn input_json(&self) -> Value {{\n\
             match self {{\n"
        );
        for op in ops {
            let _ = writeln!(
                self.out,
                "Self::{}(input) => serde_json::to_value(input),",
                op.name
            );
        }
        self.out.push_str("}\n.unwrap_or(Value::Null)\n}\n}\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(snake("SMSMfaSettings"), "sms_mfa_settings");
        assert_eq!(snake("S3Bucket"), "s3_bucket");
        assert_eq!(snake("IdToken"), "id_token");
        assert_eq!(snake("MFAOptions"), "mfa_options");
        assert_eq!(snake("arn"), "arn");
        assert_eq!(snake("CallbackURLs"), "callback_urls");
        assert_eq!(
            snake("OpenIdConnectProviderARNs"),
            "open_id_connect_provider_arns"
        );
        assert_eq!(
            snake("AllowedOAuthFlowsUserPoolClient"),
            "allowed_oauth_flows_user_pool_client"
        );
        assert_eq!(snake("ProviderIDs"), "provider_ids");
        assert_eq!(snake("DeviceKeys"), "device_keys");
        assert_eq!(snake("SMSMfaSettings"), "sms_mfa_settings");
        assert_eq!(field_ident("Type"), "r#type");
        assert_eq!(variant_name("USER_SRP_AUTH"), "UserSrpAuth");
        assert_eq!(variant_name("phone_number"), "PhoneNumber");
        assert_eq!(variant_name("userAuthEvents"), "UserAuthEvents");
        assert_eq!(variant_name("InProgress"), "InProgress");
        assert_eq!(message_name("ClientId"), "clientId");
        assert_eq!(screaming("AuthFlowType"), "AUTH_FLOW_TYPE");
    }
}
