//! Serving TCP connections: the accept loop, a cap on open connections,
//! and the timeouts that keep slow or idle clients from holding the server.
//!
//! Each connection is in one of three phases, each with its own limit:
//! - **idle** (no request under way): closed after
//!   [`ConnectionLimits::idle_timeout`] without a byte;
//! - **reading a request's headers** (bytes arrived, no complete head yet):
//!   closed [`ConnectionLimits::header_read_timeout`] after the first byte,
//!   however slowly the rest trickles in;
//! - **in a request** (the head is parsed; the body is read and answered):
//!   closed after [`ConnectionLimits::request_body_timeout`] without a byte
//!   moving either way.
//!
//! One reaper task checks every connection a few times per limit: its cost
//! is per tick, not per request. When the cap is reached, a new client
//! closes the connection that has waited longest without a request under
//! way, so idle or slow clients can never lock others out.

use std::collections::HashMap;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, Semaphore, watch};
use tower::ServiceExt;

/// Limits on connections. The defaults suit a developer machine and CI;
/// `docs/mock-config.md` lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// How long a request's head may take from its first byte (default 10 s).
    pub header_read_timeout: Duration,
    /// How long a connection may sit with no request under way (default 60 s).
    pub idle_timeout: Duration,
    /// How long a request may go without a byte moving while its body is
    /// read and its answer written (default 30 s).
    pub request_body_timeout: Duration,
    /// Connections open at once (default 1024, and never more than the
    /// process's open-file limit allows with room to spare).
    pub max_connections: usize,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        ConnectionLimits {
            header_read_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            request_body_timeout: Duration::from_secs(30),
            max_connections: 1024,
        }
    }
}

impl ConnectionLimits {
    /// The cap actually applied: the configured one, lowered to leave
    /// file descriptors for the process's own files and the listener.
    pub fn effective_max_connections(&self) -> usize {
        let cap = self.max_connections.max(1);
        match open_file_limit() {
            Some(limit) => cap.min((limit.saturating_sub(64) as usize).max(16)),
            None => cap,
        }
    }

    fn reaper_tick(&self) -> Duration {
        let shortest = self
            .header_read_timeout
            .min(self.idle_timeout)
            .min(self.request_body_timeout);
        (shortest / 4).clamp(Duration::from_millis(25), Duration::from_secs(1))
    }
}

/// The soft `RLIMIT_NOFILE`, read from `/proc` (Linux); `None` elsewhere.
fn open_file_limit() -> Option<u64> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    line.split_whitespace().nth(3)?.parse().ok()
}

/// What one connection is doing, as the reaper sees it. Times are
/// milliseconds since the server's start.
#[derive(Debug)]
struct Activity {
    /// The server's start: one epoch for all, so connections compare.
    epoch: Instant,
    /// The last byte read or written.
    last_io_ms: AtomicU64,
    /// The first byte of a request head not yet parsed; 0 when none.
    head_started_ms: AtomicU64,
    /// Requests handed to the router and not yet answered.
    in_requests: AtomicU64,
    close: Notify,
}

impl Activity {
    fn now_ms(&self) -> u64 {
        (self.epoch.elapsed().as_millis() as u64).max(1)
    }

    fn on_read(&self) {
        let now = self.now_ms();
        self.last_io_ms.store(now, Ordering::Relaxed);
        if self.in_requests.load(Ordering::Relaxed) == 0 {
            let _ =
                self.head_started_ms
                    .compare_exchange(0, now, Ordering::Relaxed, Ordering::Relaxed);
        }
    }

    fn on_write(&self) {
        self.last_io_ms.store(self.now_ms(), Ordering::Relaxed);
    }

    fn request_started(&self) {
        self.in_requests.fetch_add(1, Ordering::Relaxed);
        self.head_started_ms.store(0, Ordering::Relaxed);
    }

    fn request_ended(&self) {
        self.in_requests.fetch_sub(1, Ordering::Relaxed);
        self.on_write();
    }

    /// Why this connection should be closed now, if it should.
    fn overdue(&self, limits: &ConnectionLimits) -> Option<&'static str> {
        let now = self.now_ms();
        let since = |ms: u64| Duration::from_millis(now.saturating_sub(ms));
        let last_io = since(self.last_io_ms.load(Ordering::Relaxed));
        if self.in_requests.load(Ordering::Relaxed) > 0 {
            return (last_io > limits.request_body_timeout).then_some("request body timeout");
        }
        match self.head_started_ms.load(Ordering::Relaxed) {
            0 => (last_io > limits.idle_timeout).then_some("idle timeout"),
            head => (since(head) > limits.header_read_timeout).then_some("header read timeout"),
        }
    }

    /// May be closed to make room: no request under way. Older first.
    fn eviction_rank(&self) -> Option<u64> {
        (self.in_requests.load(Ordering::Relaxed) == 0)
            .then(|| self.last_io_ms.load(Ordering::Relaxed))
    }
}

/// Every open connection.
#[derive(Debug, Default)]
struct Registry {
    next_id: AtomicU64,
    open: Mutex<HashMap<u64, Arc<Activity>>>,
}

impl Registry {
    fn open(&self) -> MutexGuard<'_, HashMap<u64, Arc<Activity>>> {
        self.open.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn close_overdue(&self, limits: &ConnectionLimits) {
        for activity in self.open().values() {
            if activity.overdue(limits).is_some() {
                activity.close.notify_one();
            }
        }
    }

    /// Closes the connection that has waited longest with no request under
    /// way; false if every connection is busy.
    fn evict_one(&self) -> bool {
        let open = self.open();
        let victim = open
            .values()
            .filter_map(|a| Some((a.eviction_rank()?, a)))
            .min_by_key(|(rank, _)| *rank);
        match victim {
            Some((_, activity)) => {
                activity.close.notify_one();
                true
            }
            None => false,
        }
    }
}

/// A TCP stream that reports its reads and writes to its [`Activity`].
struct TrackedStream {
    inner: TcpStream,
    activity: Arc<Activity>,
}

impl AsyncRead for TrackedStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        if matches!(polled, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.activity.on_read();
        }
        polled
    }
}

impl AsyncWrite for TrackedStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write(cx, buf);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.on_write();
        }
        polled
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// Marks a request as under way for as long as it lives.
struct InRequest(Arc<Activity>);

impl Drop for InRequest {
    fn drop(&mut self) {
        self.0.request_ended();
    }
}

/// Resolves once the server is told to stop (or its handle is gone).
async fn stopped(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|stopped| *stopped).await;
}

/// Serves `router` on `listener` until `stop` turns true: in-flight
/// requests then finish, and every connection closes.
pub(crate) async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ConnectionLimits,
    mut stop: watch::Receiver<bool>,
) {
    let epoch = Instant::now();
    let registry = Arc::new(Registry::default());
    let slots = Arc::new(Semaphore::new(limits.effective_max_connections()));
    // Aborted on drop, also when the server task itself is aborted.
    let _reaper = AbortOnDrop(tokio::spawn({
        let registry = registry.clone();
        async move {
            let mut tick = tokio::time::interval(limits.reaper_tick());
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                registry.close_overdue(&limits);
            }
        }
    }));
    let mut connections = tokio::task::JoinSet::new();
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = stopped(&mut stop) => break,
        };
        let (stream, peer) = match accepted {
            Ok(a) => a,
            Err(_) => {
                // Out of descriptors or a reset before accept: wait a
                // moment rather than spin, and go on serving.
                tokio::time::sleep(Duration::from_millis(20)).await;
                continue;
            }
        };
        let permit = match slots.clone().try_acquire_owned() {
            Ok(permit) => permit,
            Err(_) => {
                registry.evict_one();
                let wait =
                    tokio::time::timeout(limits.header_read_timeout, slots.clone().acquire_owned());
                match wait.await {
                    Ok(Ok(permit)) => permit,
                    // Every connection is in a request: refuse this one.
                    _ => continue,
                }
            }
        };
        let _ = stream.set_nodelay(true);
        let accepted_ms = (epoch.elapsed().as_millis() as u64).max(1);
        let activity = Arc::new(Activity {
            epoch,
            last_io_ms: AtomicU64::new(accepted_ms),
            head_started_ms: AtomicU64::new(0),
            in_requests: AtomicU64::new(0),
            close: Notify::new(),
        });
        let id = registry.next_id.fetch_add(1, Ordering::Relaxed);
        registry.open().insert(id, activity.clone());
        let registry = registry.clone();
        let router = router.clone();
        let mut stop = stop.clone();
        connections.spawn(async move {
            let tracked = TrackedStream {
                inner: stream,
                activity: activity.clone(),
            };
            let service = hyper::service::service_fn({
                let activity = activity.clone();
                move |mut request: hyper::Request<Incoming>| {
                    request.extensions_mut().insert(ConnectInfo(peer));
                    activity.request_started();
                    let in_request = InRequest(activity.clone());
                    let answer = router.clone().oneshot(request.map(axum::body::Body::new));
                    async move {
                        let response = answer.await;
                        drop(in_request);
                        response
                    }
                }
            });
            let connection = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(tracked), service);
            tokio::pin!(connection);
            tokio::select! {
                _ = connection.as_mut() => {}
                _ = activity.close.notified() => {}
                _ = stopped(&mut stop) => {
                    connection.as_mut().graceful_shutdown();
                    let _ = tokio::time::timeout(limits.request_body_timeout, connection).await;
                }
            }
            registry.open().remove(&id);
            drop(permit);
        });
        // Reap finished connection tasks so the set stays small.
        while connections.try_join_next().is_some() {}
    }
    drop(listener);
    while connections.join_next().await.is_some() {}
}

/// A task that ends with its owner.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}
