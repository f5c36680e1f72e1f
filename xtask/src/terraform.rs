//! `cargo xtask terraform`: the hashicorp/aws provider's Cognito resources
//! applied to `cogkit mock serve`, as infrastructure code would be.
//!
//! Terraform is the strictest client of the control plane: after each
//! create or update it reads everything back (Describe*, Get*, List*) and
//! compares it with what it sent, so a field the mock drops, renames,
//! defaults differently or reorders shows up as a diff in the next plan.
//! The configuration in `xtask/terraform/` declares every Cognito resource
//! type of the provider; this command
//!
//! 1. builds (or reuses) the debug `cogkit` the tests build and starts `cogkit mock serve` on a free
//!    loopback port, in memory;
//! 2. copies the `.tf` files into a fresh `target/terraform-run/` with its
//!    own CLI configuration (the provider from the filesystem mirror at
//!    [`MIRROR`], never from the registry);
//! 3. runs `terraform init`, `apply`, `plan -detailed-exitcode` (which must
//!    report no changes) and `destroy` (also after a failed apply or plan,
//!    to exercise the deletes), printing each phase's result;
//! 4. checks that the pool's `lambda_config` ran: the mock starts with
//!    `xtask/terraform/triggers.toml`, a seed mapping the PreSignUp ARN to
//!    a local Python handler that records its events, and each
//!    `aws_cognito_user` must have gone through it.
//!
//! It never talks to AWS: the configuration points every endpoint the
//! provider could use at the mock, the credentials are fake, the account
//! lookups are off, and the AWS and Terraform variables of the caller's
//! environment are not passed on. The provider's debug log (each AWS
//! operation with its request and answer) is kept per phase in
//! `target/terraform-run/<phase>.log`.
//!
//! Without `terraform` on PATH, or without the provider mirror, it prints
//! one `terraform: SKIPPED (…)` line and succeeds, so CI can run it
//! everywhere.

use std::ffi::OsStr;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::mock_server::MockServer;

/// The filesystem mirror that holds the hashicorp/aws provider.
const MIRROR: &str = "/opt/tf-plugins";

/// How long one Terraform command may run before it is stopped (a waiter
/// polling for a state the mock never reports would otherwise hang CI).
const PHASE_LIMIT: Duration = Duration::from_secs(15 * 60);

pub(crate) fn run(args: &[&str]) -> Result<(), String> {
    if let Some(arg) = args.first() {
        return Err(format!("unknown option {arg}\n{}", crate::usage()));
    }
    let path = std::env::var_os("PATH");
    let program = match usable_terraform(path.as_deref(), Path::new(MIRROR)) {
        Ok(program) => program,
        Err(skipped) => {
            println!("{skipped}");
            return Ok(());
        }
    };

    let sources = crate::workspace_root().join("xtask/terraform");
    let files = config_files(&sources)?;
    let resources = declared_resources(&files);
    let types: std::collections::BTreeSet<&str> =
        resources.iter().map(|(t, _)| t.as_str()).collect();
    println!(
        "terraform: {} resources of {} types: {}",
        resources.len(),
        types.len(),
        types.iter().copied().collect::<Vec<_>>().join(", ")
    );

    let bin = crate::mock_server::cogkit_binary()?;
    let work = crate::workspace_root().join("target/terraform-run");
    prepare(&work, &files)?;
    let seed = work.join("triggers.toml");
    let server = MockServer::start_with(&bin, &[OsStr::new("--config"), seed.as_os_str()])?;
    println!("terraform: cogkit mock serve at {}", server.endpoint);
    let terraform = Terraform {
        program,
        dir: work,
        endpoint: server.endpoint.clone(),
    };
    let mut failures = phases(&terraform);
    drop(server);
    let users = resources
        .iter()
        .filter(|(kind, _)| kind == "aws_cognito_user")
        .count();
    if !triggers_ran(&terraform.dir, users) {
        failures.push("triggers");
    }
    if failures.is_empty() {
        println!("terraform: PASS");
        Ok(())
    } else {
        Err(format!("terraform {} failed", failures.join(", ")))
    }
}

/// The `terraform` on `path` (PATH's value), when the provider is in the
/// mirror too; otherwise the one line to print instead of running.
fn usable_terraform(path: Option<&OsStr>, mirror: &Path) -> Result<PathBuf, String> {
    let program = path
        .and_then(|path| on_path(path, "terraform"))
        .ok_or("terraform: SKIPPED (not installed)")?;
    let provider = mirror.join("registry.terraform.io/hashicorp/aws");
    if provider.is_dir() {
        Ok(program)
    } else {
        Err(format!(
            "terraform: SKIPPED (no hashicorp/aws provider mirror at {})",
            provider.display()
        ))
    }
}

/// Runs init, apply, plan and destroy; returns the phases that failed.
fn phases(terraform: &Terraform) -> Vec<&'static str> {
    let mut failed = Vec::new();
    let init = terraform.run("init", &["init", "-input=false"]);
    if !report("init", init, |_| String::new()) {
        return vec!["init"];
    }
    let var = format!("endpoint={}", terraform.endpoint);
    let apply = terraform.run(
        "apply",
        &["apply", "-auto-approve", "-input=false", "-var", &var],
    );
    let applied = report("apply", apply, |out| {
        summary(out, "Apply complete! Resources: ")
    });
    if applied {
        let plan = terraform.run(
            "plan",
            &["plan", "-detailed-exitcode", "-input=false", "-var", &var],
        );
        let no_changes = match plan {
            Ok(out) if out.code == Some(2) => {
                let changes = summary(&out, "Plan: ");
                println!(
                    "terraform: plan:    FAILED: the mock reads back other values ({changes}); provider log: {}",
                    out.log.display()
                );
                eprintln!("{}", planned_changes(&out.stdout));
                false
            }
            other => report("plan", other, |_| "no changes".to_owned()),
        };
        if !no_changes {
            failed.push("plan");
        }
    } else {
        failed.push("apply");
    }
    // After a failed apply too: whatever was made is deleted (and the
    // deletes are exercised).
    let destroy = terraform.run(
        "destroy",
        &["destroy", "-auto-approve", "-input=false", "-var", &var],
    );
    if !report("destroy", destroy, |out| {
        summary(out, "Destroy complete! Resources: ")
    }) {
        failed.push("destroy");
    }
    failed
}

/// Whether the PreSignUp handler the seed maps saw each of the `users`
/// Terraform created (`PreSignUp_AdminCreateUser`); prints the result line.
fn triggers_ran(work: &Path, users: usize) -> bool {
    let log = work.join("pre_sign_up.py.events.jsonl");
    let text = std::fs::read_to_string(&log).unwrap_or_default();
    let mut seen: Vec<String> = text
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|event| event["triggerSource"] == "PreSignUp_AdminCreateUser")
        .filter_map(|event| event["userName"].as_str().map(str::to_owned))
        .collect();
    seen.sort();
    seen.dedup();
    if users > 0 && seen.len() == users {
        println!(
            "terraform: triggers: ok: lambda_config's PreSignUp ran as a local handler for {}",
            seen.join(", ")
        );
        true
    } else {
        println!(
            "terraform: triggers: FAILED: PreSignUp ran for {seen:?}, not for each of the {users} users ({})",
            log.display()
        );
        false
    }
}

/// Prints a phase's result line (and Terraform's own words when it
/// failed); true when it succeeded.
fn report(
    phase: &str,
    outcome: Result<Output, String>,
    on_success: impl Fn(&Output) -> String,
) -> bool {
    let label = format!("{phase}:");
    match outcome {
        Ok(out) if out.code == Some(0) => {
            let detail = on_success(&out);
            let took = format!("{:.1} s", out.elapsed.as_secs_f64());
            if detail.is_empty() {
                println!("terraform: {label:<8} ok ({took})");
            } else {
                println!("terraform: {label:<8} ok: {detail} ({took})");
            }
            true
        }
        Ok(out) => {
            let status = out
                .code
                .map_or("a signal".to_owned(), |c| format!("exit {c}"));
            println!(
                "terraform: {label:<8} FAILED ({status}); provider log: {}",
                out.log.display()
            );
            eprintln!("{}", out.stderr.trim_end());
            false
        }
        Err(message) => {
            println!("terraform: {label:<8} FAILED: {message}");
            false
        }
    }
}

/// The rest of the first stdout line that starts with `prefix`, without
/// its final full stop.
fn summary(out: &Output, prefix: &str) -> String {
    out.stdout
        .lines()
        .find_map(|l| l.trim().strip_prefix(prefix))
        .map(|rest| rest.trim_end_matches('.').to_owned())
        .unwrap_or_default()
}

/// A plan's text without the refresh lines (one per resource) before it.
fn planned_changes(plan: &str) -> String {
    plan.lines()
        .filter(|l| !l.contains(": Refreshing state...") && !l.trim().is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

/// A Terraform command's result.
struct Output {
    /// None when it was ended by a signal.
    code: Option<i32>,
    stdout: String,
    stderr: String,
    elapsed: Duration,
    /// The provider's debug log of this phase.
    log: PathBuf,
}

/// The Terraform binary in a prepared working directory, against the mock
/// at `endpoint`.
struct Terraform {
    program: PathBuf,
    dir: PathBuf,
    endpoint: String,
}

impl Terraform {
    /// Runs `terraform args…` in the working directory, stopping it after
    /// [`PHASE_LIMIT`].
    fn run(&self, phase: &str, args: &[&str]) -> Result<Output, String> {
        let log = self.dir.join(format!("{phase}.log"));
        let mut command = Command::new(&self.program);
        command.args(args).arg("-no-color").current_dir(&self.dir);
        // Nothing from the caller's AWS or Terraform set-up (profiles,
        // credentials, endpoint overrides, TF_CLI_ARGS, TF_VAR_…) applies.
        for (name, _) in std::env::vars_os() {
            let name = name.to_string_lossy();
            if name.starts_with("AWS_") || name.starts_with("TF_") {
                command.env_remove(name.as_ref());
            }
        }
        command
            .env("TF_CLI_CONFIG_FILE", self.dir.join("cli.tfrc"))
            .env("TF_IN_AUTOMATION", "1")
            .env("TF_LOG_PROVIDER", "DEBUG")
            .env("TF_LOG_PATH", &log)
            .env("CHECKPOINT_DISABLE", "1")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let started = Instant::now();
        let mut child = command
            .spawn()
            .map_err(|e| format!("cannot run {}: {e}", self.program.display()))?;
        let stdout = drain(child.stdout.take());
        let stderr = drain(child.stderr.take());
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) if started.elapsed() > PHASE_LIMIT => {
                    crate::mock_server::stop(&mut child);
                    return Err(format!(
                        "terraform {phase} still running after {} s, stopped; provider log: {}",
                        PHASE_LIMIT.as_secs(),
                        log.display()
                    ));
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(100)),
                Err(e) => return Err(format!("waiting for terraform {phase}: {e}")),
            }
        };
        let text = |h: std::thread::JoinHandle<String>| h.join().unwrap_or_default();
        Ok(Output {
            code: status.code(),
            stdout: text(stdout),
            stderr: text(stderr),
            elapsed: started.elapsed(),
            log,
        })
    }
}

/// Reads a pipe to its end on a thread of its own (so that neither pipe
/// fills up while the other is read).
fn drain(pipe: Option<impl Read + Send + 'static>) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut text = String::new();
        if let Some(mut pipe) = pipe {
            let mut bytes = Vec::new();
            let _ = pipe.read_to_end(&mut bytes);
            text = String::from_utf8_lossy(&bytes).into_owned();
        }
        text
    })
}

/// A fresh working directory: the configuration and a CLI configuration
/// that installs the provider from the mirror only.
fn prepare(work: &Path, files: &[(String, String)]) -> Result<(), String> {
    match std::fs::remove_dir_all(work) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(format!("cannot empty {}: {e}", work.display())),
    }
    std::fs::create_dir_all(work).map_err(|e| format!("cannot create {}: {e}", work.display()))?;
    let cli_config = format!(
        r#"provider_installation {{
  filesystem_mirror {{
    path    = "{MIRROR}"
    include = ["registry.terraform.io/hashicorp/*"]
  }}
  direct {{
    exclude = ["registry.terraform.io/hashicorp/*"]
  }}
}}
"#
    );
    let files = files
        .iter()
        .map(|(name, text)| (name.as_str(), text.as_str()))
        .chain([("cli.tfrc", cli_config.as_str())]);
    for (name, text) in files {
        let path = work.join(name);
        std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(())
}

/// The `.tf` files of a directory and the files they need (`.toml`,
/// `.py`): (file name, text), by name.
fn config_files(dir: &Path) -> Result<Vec<(String, String)>, String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut files = Vec::new();
    for entry in entries {
        let path = entry.map_err(|e| format!("{}: {e}", dir.display()))?.path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        // The configuration, and the trigger seed with its handler.
        if name.ends_with(".tf") || name.ends_with(".toml") || name.ends_with(".py") {
            let text =
                std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            files.push((name.to_owned(), text));
        }
    }
    if files.is_empty() {
        return Err(format!("no .tf files in {}", dir.display()));
    }
    files.sort();
    Ok(files)
}

/// The `resource "<type>" "<name>"` blocks of the configuration.
fn declared_resources(files: &[(String, String)]) -> Vec<(String, String)> {
    files
        .iter()
        .flat_map(|(_, text)| text.lines())
        .filter_map(|line| {
            let mut quoted = line.trim().strip_prefix("resource ")?.split('"');
            let (_, kind, _, name) = (
                quoted.next()?,
                quoted.next()?,
                quoted.next()?,
                quoted.next()?,
            );
            Some((kind.to_owned(), name.to_owned()))
        })
        .collect()
}

/// An executable `program` in one of the directories of `path` (a PATH
/// value).
fn on_path(path: &OsStr, program: &str) -> Option<PathBuf> {
    std::env::split_paths(path)
        .map(|dir| dir.join(program))
        .find(|candidate| is_executable(candidate))
}

#[cfg(unix)]
fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata()
        .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(path: &Path) -> bool {
    path.is_file()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_blocks_are_found() {
        let files = vec![(
            "main.tf".to_owned(),
            "resource \"aws_cognito_user_pool\" \"main\" {\n  name = \"x\"\n}\n  resource \"aws_cognito_user\" \"alice\" {}\n# resource\ndata \"aws_region\" \"here\" {}\n"
                .to_owned(),
        )];
        assert_eq!(
            declared_resources(&files),
            [
                ("aws_cognito_user_pool".to_owned(), "main".to_owned()),
                ("aws_cognito_user".to_owned(), "alice".to_owned()),
            ]
        );
    }

    #[test]
    fn without_terraform_or_the_provider_it_is_skipped() {
        let dir = std::env::temp_dir().join(format!("xtask-terraform-{}", std::process::id()));
        let (bin, mirror) = (dir.join("bin"), dir.join("mirror"));
        std::fs::create_dir_all(&bin).expect("a temporary PATH directory");
        let path = bin.clone().into_os_string();
        let not_installed = usable_terraform(Some(&path), &mirror);

        let terraform = bin.join("terraform");
        std::fs::write(&terraform, "#!/bin/sh\n").expect("a fake terraform");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let executable = std::fs::Permissions::from_mode(0o755);
            std::fs::set_permissions(&terraform, executable).expect("made executable");
        }
        let no_mirror = usable_terraform(Some(&path), &mirror);

        let provider = mirror.join("registry.terraform.io/hashicorp/aws");
        std::fs::create_dir_all(&provider).expect("a temporary mirror");
        let usable = usable_terraform(Some(&path), &mirror);
        let _ = std::fs::remove_dir_all(&dir);

        assert_eq!(
            not_installed,
            Err("terraform: SKIPPED (not installed)".to_owned())
        );
        assert_eq!(
            no_mirror,
            Err(format!(
                "terraform: SKIPPED (no hashicorp/aws provider mirror at {})",
                provider.display()
            ))
        );
        assert_eq!(usable, Ok(terraform));
        assert_eq!(
            usable_terraform(None, &mirror),
            Err("terraform: SKIPPED (not installed)".to_owned())
        );
    }

    #[test]
    fn a_failed_plan_shows_the_changes_only() {
        let plan = "aws_cognito_user_pool.main: Refreshing state... [id=us-east-1_x]\n\n  ~ resource \"aws_cognito_user_pool\" \"main\" {\nPlan: 0 to add, 1 to change, 0 to destroy.\n";
        assert_eq!(
            planned_changes(plan),
            "  ~ resource \"aws_cognito_user_pool\" \"main\" {\nPlan: 0 to add, 1 to change, 0 to destroy."
        );
    }

    #[test]
    fn the_configuration_declares_every_cognito_resource_type() {
        let dir = crate::workspace_root().join("xtask/terraform");
        let files = config_files(&dir).expect("the configuration is readable");
        let declared: std::collections::BTreeSet<String> = declared_resources(&files)
            .into_iter()
            .map(|(t, _)| t)
            .collect();
        // hashicorp/aws 5.100.0's Cognito resource types.
        for kind in [
            "aws_cognito_identity_pool",
            "aws_cognito_identity_pool_provider_principal_tag",
            "aws_cognito_identity_pool_roles_attachment",
            "aws_cognito_identity_provider",
            "aws_cognito_managed_user_pool_client",
            "aws_cognito_resource_server",
            "aws_cognito_risk_configuration",
            "aws_cognito_user",
            "aws_cognito_user_group",
            "aws_cognito_user_in_group",
            "aws_cognito_user_pool",
            "aws_cognito_user_pool_client",
            "aws_cognito_user_pool_domain",
            "aws_cognito_user_pool_ui_customization",
        ] {
            assert!(declared.contains(kind), "{kind} is not declared");
        }
    }
}
