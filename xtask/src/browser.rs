//! `cargo xtask browser`: headless Chromium (Debian's `chromium`) drives the
//! hosted UI end to end against `cogkit mock serve`, through
//! `compat/node/hosted-ui-browser.mjs` (playwright-core): the sign-in page,
//! the fake Facebook page, sign-up and its confirmation code, a forgotten
//! password, and an authenticator app set up from the MFA page's QR code
//! then asked for. A screenshot of each page lands in `target/screenshots/`.
//! Then `compat/node/amplify-browser.mjs`: Amplify v6 bundled into a page
//! on http://localhost (passwordless sign-up, an emailed code, a passkey
//! registered and used through a CDP virtual authenticator, a tampered
//! assertion and a foreign origin refused, a remembered device, identity
//! pool credentials).

pub(crate) fn run() -> Result<(), String> {
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".to_owned());
    if !std::path::Path::new(&chromium).exists() {
        return Err(format!(
            "{chromium} not found: install Debian's chromium (apt-get install chromium), or set CHROMIUM"
        ));
    }
    let shots = crate::workspace_root().join("target/screenshots");
    std::fs::create_dir_all(&shots).map_err(|e| e.to_string())?;
    let bin = crate::mock_server::cogkit_binary()?;
    let server = crate::mock_server::MockServer::start(&bin)?;
    println!("browser: cogkit mock serve at {}", server.endpoint);
    let hosted_ui = crate::node::run_script(
        "hosted-ui-browser.mjs",
        &[
            ("MOCK_ENDPOINT", server.endpoint.clone()),
            ("SCREENSHOT_DIR", shots.display().to_string()),
            ("CHROMIUM", chromium.clone()),
        ],
    );
    if hosted_ui.is_ok() {
        println!("browser: screenshots in {}", shots.display());
    }
    let amplify = crate::node::run_script(
        "amplify-browser.mjs",
        &[
            ("MOCK_ENDPOINT", server.endpoint.clone()),
            ("CHROMIUM", chromium),
        ],
    );
    hosted_ui.and(amplify)
}
