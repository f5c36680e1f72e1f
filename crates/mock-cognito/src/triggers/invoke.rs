//! Running a trigger's target: a process (a handler file through the
//! runner, or any command), an HTTP endpoint, or the Lambda Invoke API.
//! Blocking, with a time limit; HTTP runs on a thread of its own so it
//! works from any caller, inside an async runtime or not.

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::{Failure, TriggerTarget};

/// Runs a Python handler file: the event on stdin, `handler(event,
/// context)`'s answer on stdout; an exception is `{"errorMessage", …}` on
/// stdout and exit status 1, as Lambda's runtime reports it. What the
/// handler prints goes to stderr (the mock's log), as Lambda's logs would.
const PYTHON_RUNNER: &str = r#"
import importlib.util, json, os, sys, traceback, uuid
answer_out, sys.stdout = sys.stdout, sys.stderr
path = os.path.abspath(sys.argv[1])
sys.path.insert(0, os.path.dirname(path))
spec = importlib.util.spec_from_file_location("handler_module", path)
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
event = json.load(sys.stdin)
class Context:
    function_name = os.path.splitext(os.path.basename(path))[0]
    function_version = "$LATEST"
    invoked_function_arn = os.environ.get("COGKIT_TRIGGER_ARN", "")
    memory_limit_in_mb = 128
    aws_request_id = str(uuid.uuid4())
    log_group_name = "/aws/lambda/" + function_name
    log_stream_name = "cogkit"
    def get_remaining_time_in_millis(self):
        return int(os.environ.get("COGKIT_TRIGGER_TIMEOUT_MS", "5000"))
try:
    answer = getattr(module, os.environ.get("COGKIT_HANDLER", "handler"))(event, Context())
except Exception as e:
    traceback.print_exc()
    json.dump({"errorMessage": str(e), "errorType": type(e).__name__}, answer_out)
    sys.exit(1)
json.dump(answer, answer_out)
"#;

/// Runs a Node handler file (ES module or CommonJS): `handler(event,
/// context[, callback])`, awaited; an error as the Python runner reports it.
/// What the handler logs (`console.log` included) goes to stderr.
const NODE_RUNNER: &str = r#"
const answerOut = process.stdout.write.bind(process.stdout);
process.stdout.write = process.stderr.write.bind(process.stderr);
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { randomUUID } from 'node:crypto';
const file = resolve(process.argv[process.argv.length - 1]);
let input = '';
for await (const chunk of process.stdin) input += chunk;
const event = JSON.parse(input);
const loaded = await import(pathToFileURL(file).href);
const name = process.env.COGKIT_HANDLER || 'handler';
const handler = loaded[name] ?? loaded.default?.[name];
const context = {
  functionName: file.split('/').pop().replace(/\.[^.]*$/, ''),
  functionVersion: '$LATEST',
  invokedFunctionArn: process.env.COGKIT_TRIGGER_ARN || '',
  memoryLimitInMB: '128',
  awsRequestId: randomUUID(),
  getRemainingTimeInMillis: () => Number(process.env.COGKIT_TRIGGER_TIMEOUT_MS || 5000),
  callbackWaitsForEmptyEventLoop: true,
};
try {
  if (typeof handler !== 'function') throw new Error(`${file} exports no ${name} function`);
  const answer = await new Promise((done, fail) => {
    const r = handler(event, context, (err, value) => (err ? fail(err) : done(value)));
    if (r && typeof r.then === 'function') r.then(done, fail);
  });
  answerOut(JSON.stringify(answer));
} catch (e) {
  console.error(e?.stack ?? e);
  answerOut(JSON.stringify({ errorMessage: e?.message ?? String(e), errorType: e?.name ?? 'Error' }), () => process.exit(1));
}
"#;

/// The program that runs a handler file, by its extension.
fn runner_for(file: &Path) -> Result<Vec<String>, Failure> {
    let path = file.display().to_string();
    match file.extension().and_then(|e| e.to_str()) {
        Some("py") => Ok(vec![
            "python3".into(),
            "-c".into(),
            PYTHON_RUNNER.into(),
            path,
        ]),
        Some("js" | "mjs" | "cjs") => Ok(vec![
            "node".into(),
            "--input-type=module".into(),
            "-e".into(),
            NODE_RUNNER.into(),
            path,
        ]),
        _ => Err(Failure::Unreachable(format!(
            "{path}: a handler file is .py, .js, .mjs or .cjs (use a command for anything else)"
        ))),
    }
}

/// Runs `target` with `event`: the answer it gave.
pub(super) fn invoke(
    target: &TriggerTarget,
    (arn, env): (&str, &[(String, String)]),
    event: &Value,
    timeout: Duration,
) -> Result<Value, Failure> {
    let body = event.to_string();
    let answer = match target {
        TriggerTarget::File(file) => run_process(&runner_for(file)?, (arn, env), &body, timeout)?,
        TriggerTarget::Command(argv) => run_process(argv, (arn, env), &body, timeout)?,
        TriggerTarget::Url(url) => post(url.clone(), body, timeout, false)?,
        TriggerTarget::Lambda(endpoint) => {
            let (name, qualifier) = function_of(arn);
            let mut url = format!(
                "{}/2015-03-31/functions/{name}/invocations",
                endpoint.trim_end_matches('/')
            );
            if let Some(q) = qualifier {
                url.push_str(&format!("?Qualifier={q}"));
            }
            post(url, body, timeout, true)?
        }
    };
    serde_json::from_slice(&answer).map_err(|_| Failure::Malformed)
}

/// The function name (and version or alias) of a Lambda ARN; a bare name
/// is taken as it is.
fn function_of(arn: &str) -> (&str, Option<&str>) {
    let rest = arn.split_once(":function:").map_or(arn, |(_, r)| r);
    match rest.split_once(':') {
        Some((name, qualifier)) => (name, Some(qualifier)),
        None => (rest, None),
    }
}

/// Runs a process with `input` on stdin; its stdout, or the failure.
fn run_process(
    argv: &[String],
    (arn, env): (&str, &[(String, String)]),
    input: &str,
    timeout: Duration,
) -> Result<Vec<u8>, Failure> {
    let (program, args) = argv
        .split_first()
        .ok_or_else(|| Failure::Unreachable("an empty command".into()))?;
    let mut child = Command::new(program)
        .args(args)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .env("COGKIT_TRIGGER_ARN", arn)
        .env("COGKIT_TRIGGER_TIMEOUT_MS", timeout.as_millis().to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| Failure::Unreachable(format!("cannot run {program}: {e}")))?;
    // Pipes are drained on threads of their own, so a chatty handler never
    // blocks on a full pipe while we wait for it.
    let mut stdin = child.stdin.take();
    let input = input.to_owned();
    let writer = std::thread::spawn(move || {
        if let Some(stdin) = stdin.as_mut() {
            let _ = stdin.write_all(input.as_bytes());
        }
    });
    let drain = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut out = Vec::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_end(&mut out);
            }
            out
        })
    };
    let stdout = drain(
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let stderr = drain(
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() >= timeout => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(Failure::Timeout);
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => return Err(Failure::Unreachable(e.to_string())),
        }
    };
    let _ = writer.join();
    let out = stdout.join().unwrap_or_default();
    let err = stderr.join().unwrap_or_default();
    for line in String::from_utf8_lossy(&err)
        .lines()
        .filter(|l| !l.is_empty())
    {
        tracing::info!(target: "mock_cognito::trigger", "{program}: {line}");
    }
    if status.success() {
        return Ok(out);
    }
    Err(Failure::Handler(error_message(&out).unwrap_or_else(
        || match status.code() {
            Some(code) => format!("Runtime exited with error: exit status {code}"),
            None => "Runtime exited with error: signal".to_owned(),
        },
    )))
}

/// The `errorMessage` of a Lambda-style error answer.
fn error_message(body: &[u8]) -> Option<String> {
    let v: Value = serde_json::from_slice(body).ok()?;
    v.get("errorMessage")?.as_str().map(str::to_owned)
}

/// POSTs `body` to `url` (on a thread of its own); the answer's body. A
/// Lambda answer with `X-Amz-Function-Error` is the handler's error; so is
/// a non-2xx status.
fn post(url: String, body: String, timeout: Duration, lambda: bool) -> Result<Vec<u8>, Failure> {
    let call = move || -> Result<Vec<u8>, Failure> {
        let client = reqwest::blocking::Client::builder()
            .timeout(timeout)
            .build()
            .map_err(|e| Failure::Unreachable(e.to_string()))?;
        let response = client
            .post(&url)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .map_err(|e| match e.is_timeout() {
                true => Failure::Timeout,
                false => Failure::Unreachable(format!("{url}: {e}")),
            })?;
        let status = response.status();
        let function_error = response.headers().contains_key("x-amz-function-error");
        let bytes = response
            .bytes()
            .map_err(|e| match e.is_timeout() {
                true => Failure::Timeout,
                false => Failure::Unreachable(e.to_string()),
            })?
            .to_vec();
        if (lambda && function_error) || !status.is_success() {
            return Err(Failure::Handler(
                error_message(&bytes).unwrap_or_else(|| format!("the function answered {status}")),
            ));
        }
        Ok(bytes)
    };
    std::thread::spawn(call)
        .join()
        .unwrap_or_else(|_| Err(Failure::Unreachable("the HTTP call panicked".into())))
}

/// `cogkit trigger run FILE`: runs a handler file as the mock does, with
/// the event on this process's stdin and the answer on its stdout. The
/// exit status: 0, or the handler's.
pub fn run_handler_file(file: &Path) -> std::io::Result<i32> {
    let argv = runner_for(file).map_err(|f| match f {
        Failure::Unreachable(why) => std::io::Error::other(why),
        other => std::io::Error::other(format!("{other:?}")),
    })?;
    let status = Command::new(&argv[0]).args(&argv[1..]).status()?;
    Ok(status.code().unwrap_or(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arns_name_their_functions_and_qualifiers() {
        assert_eq!(
            function_of("arn:aws:lambda:us-east-1:123456789012:function:pre-token"),
            ("pre-token", None)
        );
        assert_eq!(
            function_of("arn:aws:lambda:us-east-1:123456789012:function:pre-token:live"),
            ("pre-token", Some("live"))
        );
        assert_eq!(function_of("pre-token"), ("pre-token", None));
    }

    #[test]
    fn a_command_answers_fails_or_times_out() {
        let sh = |script: &str| vec!["sh".to_owned(), "-c".to_owned(), script.to_owned()];
        let event = serde_json::json!({"response": {}});
        let second = Duration::from_secs(5);
        let ok = invoke(
            &TriggerTarget::Command(sh(r#"cat >/dev/null; echo '{"response":{"x":1}}'"#)),
            ("arn", &[]),
            &event,
            second,
        )
        .unwrap();
        assert_eq!(ok["response"]["x"], 1);
        let thrown = invoke(
            &TriggerTarget::Command(sh(r#"echo '{"errorMessage":"nope"}'; exit 1"#)),
            ("arn", &[]),
            &event,
            second,
        );
        assert!(matches!(thrown, Err(Failure::Handler(m)) if m == "nope"));
        let crashed = invoke(
            &TriggerTarget::Command(sh("exit 129")),
            ("arn", &[]),
            &event,
            second,
        );
        assert!(
            matches!(crashed, Err(Failure::Handler(m)) if m == "Runtime exited with error: exit status 129")
        );
        let garbage = invoke(
            &TriggerTarget::Command(sh("echo not json")),
            ("arn", &[]),
            &event,
            second,
        );
        assert!(matches!(garbage, Err(Failure::Malformed)));
        let slow = invoke(
            &TriggerTarget::Command(sh("sleep 5")),
            ("arn", &[]),
            &event,
            Duration::from_millis(200),
        );
        assert!(matches!(slow, Err(Failure::Timeout)));
        let missing = invoke(
            &TriggerTarget::Command(vec!["/nonexistent/handler".into()]),
            ("arn", &[]),
            &event,
            second,
        );
        assert!(matches!(missing, Err(Failure::Unreachable(_))));
    }
}
