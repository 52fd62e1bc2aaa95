//! The `hocvuso` binary as a library: command-line interface, start-up, and the demo loader, so that
//! tests drive exactly what the binary runs.
#![forbid(unsafe_code)]

pub mod accounts;
pub mod bench;
pub mod cli;
pub mod demo;
pub mod export;
pub mod field_bench;
pub mod person_key;

use anyhow::{Context, Result};
use chrono::NaiveDate;
use hocvuso_app::LoginHint;
use hocvuso_store::Store;
use hocvuso_web::AppState;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;

/// A bound, ready-to-run server.
pub struct Server {
    listener: TcpListener,
    router: axum::Router,
    pub addr: SocketAddr,
}

/// Builds the server on `addr` (port 0 picks a free port) over a store that holds an active plan.
/// `demo_logins` are listed on the login page (demo mode only).
pub async fn build(
    store: Store,
    addr: &str,
    default_as_of: Option<NaiveDate>,
    demo_logins: Vec<LoginHint>,
    person_key: hocvuso_core::field::PersonKey,
) -> Result<Server> {
    let mut state = AppState::new(app(store, default_as_of, person_key).await?);
    state.demo_logins = Arc::new(demo_logins);
    state.trust_proxy = std::env::var("HOCVUSO_TRUST_PROXY").is_ok_and(|v| v == "1");
    state.secure_cookies = std::env::var("HOCVUSO_SECURE_COOKIES").is_ok_and(|v| v == "1");
    Server::bind(state, addr).await
}

/// The application over `store`: its active plan, whether the data is the demo's, and the date
/// pages show by default.
pub async fn app(
    store: Store,
    default_as_of: Option<NaiveDate>,
    person_key: hocvuso_core::field::PersonKey,
) -> Result<hocvuso_app::App> {
    let plan = store.active_plan().await?.context(
        "chưa có kế hoạch nào: chạy `hocvuso plan load TỆP` (hoặc `hocvuso demo`) trước",
    )?;
    let synthetic = store.meta(demo::META_DEMO).await?.is_some();
    let demo_as_of = store
        .meta(demo::META_DEMO_AS_OF)
        .await?
        .and_then(|d| d.parse().ok());
    let today = hocvuso_core::calendar::local_today(&plan, chrono::Utc::now());
    let mut app = hocvuso_app::App::new(
        store,
        plan,
        default_as_of.or(demo_as_of).unwrap_or(today),
        synthetic,
        person_key,
    );
    if synthetic && let Some(day) = demo_as_of {
        // The demo runs as on the afternoon of its date, so that week's reports are still open.
        app.clock_offset = clock_offset_to(&app.plan, day);
    }
    Ok(app)
}

/// The demo's moment on `day` (`synth::demo_time`, local), minus now: the clock offset that makes the
/// rules behave as at that moment.
pub fn clock_offset_to(plan: &hocvuso_core::plan::Plan, day: NaiveDate) -> chrono::Duration {
    let moment = day.and_time(hocvuso_core::synth::demo_time()).and_utc()
        - chrono::Duration::minutes(plan.reporting.utc_offset_minutes.into());
    moment - chrono::Utc::now()
}

impl Server {
    /// Binds a server for a prepared state.
    pub async fn bind(state: AppState, addr: &str) -> Result<Server> {
        let listener = TcpListener::bind(addr)
            .await
            .with_context(|| format!("không mở được địa chỉ {addr}"))?;
        let addr = listener.local_addr()?;
        Ok(Server {
            listener,
            router: hocvuso_web::router(state),
            addr,
        })
    }

    /// Serves until Ctrl-C or SIGTERM, finishing requests in flight.
    pub async fn run_until_stopped(self) -> Result<()> {
        // The client address reaches the handlers (login throttling, the audit log).
        let service = self
            .router
            .into_make_service_with_connect_info::<SocketAddr>();
        axum::serve(self.listener, service)
            .with_graceful_shutdown(shutdown_signal())
            .await?;
        Ok(())
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
