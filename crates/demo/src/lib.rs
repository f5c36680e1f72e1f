//! A tour of every identity flow of the original study, offline (`cogkit
//! demo` prints it): an embedded `mock-cognito` seeded with the example
//! seed, the flows run through `sdk-transport`'s SDK transports, a scripted
//! browser for the hosted UI and the fake providers, and each set of
//! credentials proven with STS GetCallerIdentity signed with them.
//!
//! Its own crate because it is an application of both stacks: the client
//! libraries never depend on the emulator, and the emulator never on the
//! AWS SDK.
//!
//! Every call goes to a [`CallObserver`] (secrets shortened); the
//! narration between them goes to `say`.
//!
//! ```no_run
//! # #[derive(Clone)] struct Print;
//! # impl cognito_flows::observe::CallObserver for Print {
//! #     fn observe(&self, call: &cognito_flows::observe::CallRecord) { println!("{}", call.operation) }
//! # }
//! # async fn demo() -> Result<(), cognito_flows::FlowError> {
//! let stops = cogkit_demo::tour(Print, |line| println!("{line}")).await?;
//! assert!(stops.iter().all(|s| s.ok));
//! # Ok(()) }
//! ```

use cognito_flows::observe::{CallObserver, CallRecord, Observed, shorten};
use cognito_flows::secret::Password;
use cognito_flows::wire::encoding::form_value;
use cognito_flows::*;
use mock_cognito::browser::{Browser, BrowserError};
use mock_cognito::example::{self, AMAZON_USER, CALLBACK, FACEBOOK_USER, ProviderLogin};
use mock_cognito::{MockCognito, SeedConfig};
use serde_json::{Value, json};

use sdk_transport::{SdkIdentityPool, SdkSts, Transports};

/// How one flow of the tour ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlowOutcome {
    /// The flow, as the summary names it (`1. unauthenticated`, …).
    pub flow: &'static str,
    /// The IdentityId the credentials are for (`-` when there are none).
    pub identity_id: String,
    /// The role STS says they are (`-` without credentials, `?` when STS
    /// could not say).
    pub role: String,
    /// Whether the flow got credentials and STS accepted them.
    pub ok: bool,
}

/// The tour's context: the mock, the transports and the observer.
struct Tour<O, S> {
    endpoint: String,
    observer: O,
    say: S,
    sts: std::sync::Arc<SdkSts>,
    identities: IdentityPoolClient<Observed<std::sync::Arc<SdkIdentityPool>, O>>,
    pool: UserPoolId,
}

/// Runs every flow against a fresh embedded mock. An error only when the
/// mock cannot start; a flow that fails is an outcome that is not `ok`.
pub async fn tour<O, S>(observer: O, say: S) -> Result<Vec<FlowOutcome>, FlowError>
where
    O: CallObserver + Clone + 'static,
    S: Fn(&str),
{
    let seed = SeedConfig::from_toml(example::SEED).map_err(FlowError::invalid_input)?;
    let mock = MockCognito::builder()
        .seed(seed)
        .start()
        .await
        .map_err(|e| FlowError::Transport(format!("starting the mock: {e}")))?;
    let endpoint = mock.endpoint();
    say("cogkit demo: every Cognito identity flow, offline.");
    say(&format!(
        "mock-cognito is running at {endpoint}, seeded from examples/mock-config.toml."
    ));
    say("Secrets are shortened; every call below really ran against the mock.\n");
    let t = Transports::builder()
        .region("ap-northeast-1")
        .endpoint_url(endpoint.clone())
        .build()
        .await;
    let tour = Tour {
        identities: IdentityPoolClient::new(
            Observed::new(t.identity_pool(), observer.clone()),
            IdentityPoolId::parse(example::IDENTITY_POOL)?,
        ),
        pool: UserPoolId::parse(example::USER_POOL)?,
        sts: t.sts(),
        endpoint,
        observer,
        say,
    };
    tour.run(&t).await
}

impl<O: CallObserver + Clone + 'static, S: Fn(&str)> Tour<O, S> {
    async fn run(&self, t: &Transports) -> Result<Vec<FlowOutcome>, FlowError> {
        let (say, identities) = (&self.say, &self.identities);
        let mut outcomes = Vec::new();

        say("## 1. Unauthenticated: GetId, then GetCredentialsForIdentity\n");
        let guest = identities.unauthenticated(None).await;
        outcomes.push(self.prove("1. unauthenticated", guest).await);

        say("\n## 2. User-pool federation: SRP sign-in, then the IdToken as a login\n");
        let users = UserPoolClient::new(
            Observed::new(t.user_pool(), self.observer.clone()),
            self.pool.clone(),
            ClientId::parse(example::PUBLIC_CLIENT)?,
        );
        let federated = async {
            let (username, password) = example::ALICE;
            match users
                .sign_in_srp(username, &Password::new(password))
                .await?
            {
                SignInResult::SignedIn(tokens) => {
                    let logins = Logins::new().user_pool(&self.pool, &tokens.id_token);
                    identities.credentials(&logins, None, None).await
                }
                SignInResult::NextStep(step) => {
                    Err(FlowError::protocol(format!("unexpected {step:?}")))
                }
            }
        };
        outcomes.push(
            self.prove("2. user-pool federation (SRP)", federated.await)
                .await,
        );

        say(
            "\n## 3. Hosted UI with social sign-in: authorization code + PKCE, then the id_token as a login\n",
        );
        say("(a scripted browser signs in on the hosted UI and the mock's fake provider pages)\n");
        for (label, user) in [
            ("3. hosted UI: Facebook", FACEBOOK_USER),
            ("3. hosted UI: Login with Amazon", AMAZON_USER),
        ] {
            let result = self.hosted_ui(user).await;
            outcomes.push(self.prove(label, result).await);
        }

        say("\n## 4. Direct external IdP: Facebook and Login with Amazon access tokens\n");
        say(
            "(each token comes from signing in on the mock's fake provider page, implicit grant)\n",
        );
        let mut facebook_token = None;
        for (label, user) in [
            ("4. direct IdP: Facebook", FACEBOOK_USER),
            ("4. direct IdP: Login with Amazon", AMAZON_USER),
        ] {
            let result = async {
                let token = self.provider_token(user).await?;
                let logins = Logins::new().custom(user.provider.login_key(), token.clone());
                facebook_token.get_or_insert(token);
                identities.credentials(&logins, None, None).await
            };
            outcomes.push(self.prove(label, result.await).await);
        }

        say("\n## Classic flow: GetOpenIdToken, then STS AssumeRoleWithWebIdentity\n");
        let classic = match facebook_token {
            Some(token) => {
                let sts = Observed::new(self.sts.clone(), self.observer.clone());
                let logins = Logins::new().facebook(token);
                let role = example::AUTHENTICATED_ROLE;
                (identities.classic(&sts, &logins, None, role, "cogkit-demo")).await
            }
            None => Err(FlowError::NoLogin("no Facebook token (see above)".into())),
        };
        outcomes.push(self.prove("classic flow (STS)", classic).await);
        Ok(outcomes)
    }

    /// A call that is not a transport's (the browser's), shown all the same.
    fn show(&self, operation: &str, answer: Value) {
        self.observer.observe(&CallRecord {
            operation: operation.to_owned(),
            outcome: Ok(answer),
        });
    }

    /// Proves credentials with STS GetCallerIdentity signed with them.
    async fn prove(
        &self,
        flow: &'static str,
        result: Result<IdentityCredentials, FlowError>,
    ) -> FlowOutcome {
        let outcome = |identity_id: String, role: &str, ok| FlowOutcome {
            flow,
            identity_id,
            role: role.to_owned(),
            ok,
        };
        let c = match result {
            Ok(c) => c,
            Err(e) => {
                (self.say)(&format!("failed: {e}"));
                return outcome("-".into(), "-", false);
            }
        };
        let identity = c.identity_id.to_string();
        match self.sts.caller_identity(&c.credentials).await {
            Ok(who) => {
                self.show(
                    "GetCallerIdentity (STS, signed with those credentials)",
                    json!({"Arn": who.arn, "Account": who.account}),
                );
                outcome(identity, who.role_name().unwrap_or("?"), true)
            }
            Err(e) => {
                (self.say)(&format!("GetCallerIdentity failed: {e}"));
                outcome(identity, "?", false)
            }
        }
    }

    /// Flow 3: the hosted UI, through an external provider's page, as a
    /// browser does it; the code is exchanged with PKCE and the id_token
    /// used as the user-pool login.
    async fn hosted_ui(&self, user: ProviderLogin) -> Result<IdentityCredentials, FlowError> {
        let base = format!("{}/{}", self.endpoint, example::DOMAIN);
        let client = ClientId::parse(example::PUBLIC_CLIENT)?;
        let ui =
            HostedUi::new(&base, client, CALLBACK)?.with_scopes(&["openid", "email", "profile"]);
        let pending = ui.begin(None);
        let (name, login) = (user.provider.provider_name(), user.login);
        self.show(
            "GET /example/oauth2/authorize (in the browser)",
            json!({"url": pending.url().as_str().split('?').next(), "code_challenge_method": "S256",
                   "then": format!("the sign-in page, the {name} button, {name}'s page as {login}")}),
        );
        let callback = Browser::new()
            .sign_in_with_provider(pending.url().as_str(), CALLBACK, name, login, user.password)
            .await
            .map_err(browser_error)?;
        let code = form_value(callback.split_once('?').map_or("", |(_, q)| q), "code");
        self.show(
            "the browser comes back to the app",
            json!({"redirect_uri": CALLBACK, "code": code.as_deref().map(shorten)}),
        );
        let oauth = Observed::new(sdk_transport::HttpOAuth2::default(), self.observer.clone());
        let tokens = pending
            .complete(&oauth, Callback::Redirect(callback))
            .await?;
        let logins = Logins::new().user_pool(&self.pool, &tokens.id_token);
        self.identities.credentials(&logins, None, None).await
    }

    /// Flow 4's token: signed in on a fake provider's page with the
    /// implicit grant, as a browser app would.
    async fn provider_token(&self, user: ProviderLogin) -> Result<String, FlowError> {
        let token = Browser::new()
            .provider_access_token(&self.endpoint, &user, CALLBACK)
            .await
            .map_err(browser_error)?;
        self.show(
            &format!(
                "{}: sign-in page, then the redirect with the token",
                user.provider.display_name()
            ),
            json!({"access_token": shorten(&token), "token_type": "bearer", "app_id": user.app_id}),
        );
        Ok(token)
    }
}

fn browser_error(e: BrowserError) -> FlowError {
    FlowError::Transport(format!("browser: {e}"))
}
