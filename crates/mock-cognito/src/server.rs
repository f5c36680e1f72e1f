//! The embeddable server: `MockCognito::start().await`, dropped to stop.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use tokio::sync::oneshot;

use crate::clock::Clock;
use crate::protocol;
use crate::user_pool::UserPools;

/// State shared by all requests of one mock.
#[derive(Debug, Clone)]
pub struct Shared {
    pub(crate) clock: Clock,
    pub(crate) region: String,
    pub(crate) user_pools: Arc<Mutex<UserPools>>,
}

/// Configures a mock before it starts.
#[derive(Debug, Clone)]
pub struct MockCognitoBuilder {
    addr: SocketAddr,
    region: String,
    clock: Clock,
}

impl Default for MockCognitoBuilder {
    fn default() -> Self {
        MockCognitoBuilder {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            region: "us-east-1".to_owned(),
            clock: Clock::default(),
        }
    }
}

impl MockCognitoBuilder {
    /// Where to listen (default `127.0.0.1:0`, a free port).
    pub fn addr(mut self, addr: SocketAddr) -> Self {
        self.addr = addr;
        self
    }

    /// The region of pools created through the API (default `us-east-1`).
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = region.into();
        self
    }

    /// Shares a clock, so a test can advance the mock's time.
    pub fn clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// Binds and starts serving in the background.
    pub async fn start(self) -> std::io::Result<MockCognito> {
        let shared = Shared {
            clock: self.clock.clone(),
            region: self.region,
            user_pools: Arc::new(Mutex::new(UserPools::default())),
        };
        let app = router(shared.clone());
        let listener = tokio::net::TcpListener::bind(self.addr).await?;
        let addr = listener.local_addr()?;
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await;
        });
        Ok(MockCognito {
            addr,
            clock: self.clock,
            stop: Some(stop),
            task,
        })
    }
}

fn router(shared: Shared) -> Router {
    Router::new()
        .route("/", post(protocol::handle).options(protocol::preflight))
        .route("/{pool_id}/.well-known/jwks.json", get(jwks))
        // Bodies up to twice the limit reach the handler, which answers in the
        // AWS error shape; beyond that the connection is refused outright.
        .layer(DefaultBodyLimit::max(2 * protocol::MAX_BODY_BYTES))
        .with_state(shared)
}

async fn jwks(State(shared): State<Shared>, Path(pool_id): Path<String>) -> Response {
    let pools = shared.user_pools.lock().unwrap_or_else(|p| p.into_inner());
    let response = match pools.jwks(&pool_id) {
        Some(keys) => (StatusCode::OK, axum::Json(keys)).into_response(),
        None => (
            StatusCode::NOT_FOUND,
            axum::Json(
                serde_json::json!({"message": format!("User pool {pool_id} does not exist.")}),
            ),
        )
            .into_response(),
    };
    protocol::with_common_headers(response)
}

/// A running mock. Dropping it shuts the server down.
#[derive(Debug)]
pub struct MockCognito {
    addr: SocketAddr,
    clock: Clock,
    stop: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
}

impl MockCognito {
    /// Starts a mock with default settings on a free loopback port.
    pub async fn start() -> std::io::Result<MockCognito> {
        MockCognitoBuilder::default().start().await
    }

    /// A builder for non-default settings.
    pub fn builder() -> MockCognitoBuilder {
        MockCognitoBuilder::default()
    }

    /// The endpoint URL to give SDKs, e.g. `http://127.0.0.1:41234`.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The socket address served.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The mock's clock (advance it to expire tokens and challenges).
    pub fn clock(&self) -> &Clock {
        &self.clock
    }
}

impl Drop for MockCognito {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        self.task.abort();
    }
}
