//! The `hocvuso` binary as a library: its commands (one file each in `commands/`), start-up, the
//! synthetic-data generator and the benchmarks, so that tests drive exactly what the binary runs.
#![forbid(unsafe_code)]

pub mod bench;
pub mod commands;
pub mod demo;
pub mod person_key;

use anyhow::{Context, Result};
use chrono::NaiveDate;
use hocvuso_app::{App, Deployment, LoginHint};
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
    let app = Deployment::over(store, "system")
        .app(default_as_of, person_key)
        .await
        .map_err(commands::failed)?;
    serve(app, addr, demo_logins).await
}

/// The server of `app` on `addr`, with the proxy and cookie settings of the environment.
pub async fn serve(app: App, addr: &str, demo_logins: Vec<LoginHint>) -> Result<Server> {
    let mut state = AppState::new(app);
    state.demo_logins = Arc::new(demo_logins);
    state.trust_proxy = std::env::var("HOCVUSO_TRUST_PROXY").is_ok_and(|v| v == "1");
    state.secure_cookies = std::env::var("HOCVUSO_SECURE_COOKIES").is_ok_and(|v| v == "1");
    Server::bind(state, addr).await
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
