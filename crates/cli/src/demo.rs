//! `cogkit demo`: every identity flow of the original study, offline, against
//! an embedded mock, printing each call and its response (the tour is
//! `cogkit_demo::tour`).

use crate::error::CliError;

pub async fn run() -> Result<(), CliError> {
    let printer = crate::trace::Printer::on();
    let outcomes = cogkit_demo::tour(printer, |line| outln!("{line}")).await?;
    outln!("\n## Summary\n");
    outln!("{:<34} {:<52} {:<22} result", "flow", "IdentityId", "role");
    for o in &outcomes {
        let result = crate::out::verdict(if o.ok { "ok" } else { "FAILED" }, o.ok);
        outln!(
            "{:<34} {:<52} {:<22} {result}",
            o.flow,
            o.identity_id,
            o.role
        );
    }
    match outcomes.iter().all(|o| o.ok) {
        true => Ok(()),
        false => Err(CliError::Input("some flows failed (see above)".into())),
    }
}
