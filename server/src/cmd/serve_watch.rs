//! What `serve` runs beside the listener: the watcher that follows other instances and SIGHUP,
//! and the signal that ends serving.

use std::sync::Arc;

use statusdata::http::AppState;
use statusdata::service::definitions::Mode;
use statusdata::service::watch::Watch;

/// Follows what other instances and commands change in the database (policy, definitions,
/// `statusdata reload`), and reloads on SIGHUP. PostgreSQL wakes it at once (LISTEN); it also
/// looks every two seconds, which on SQLite is the only way.
pub async fn watch(state: AppState, stopping: Arc<std::sync::atomic::AtomicBool>) {
    let Some(defs) = state.definitions.clone() else {
        return;
    };
    #[cfg(unix)]
    {
        let (state, defs) = (state.clone(), defs.clone());
        tokio::spawn(async move {
            use tokio::signal::unix::{signal, SignalKind};
            let Ok(mut hup) = signal(SignalKind::hangup()) else {
                return;
            };
            while hup.recv().await.is_some() {
                tracing::info!("收到 SIGHUP：重新载入表定义与分工");
                let defs = defs.clone();
                let done = state
                    .service()
                    .blocking(move |svc| {
                        svc.refresh_policy()?;
                        defs.reload(svc, &svc.system(), Mode::Explicit)
                    })
                    .await;
                match done {
                    Ok(r) => tracing::info!(
                        version = r.version,
                        recorded = r.recorded,
                        "表定义已重新载入"
                    ),
                    Err(e) => tracing::error!(error = %e.message, "表定义未重新载入"),
                }
            }
        });
    }
    let looked = tokio::task::spawn_blocking(move || {
        let mut listener = state.service().listener();
        let mut watch = Watch::start(&state.service());
        while !stopping.load(std::sync::atomic::Ordering::SeqCst) {
            listener.wait(std::time::Duration::from_secs(2));
            let generation = state.current();
            watch.look(&state.service_on(&generation), &defs, generation.version);
        }
    })
    .await;
    if let Err(e) = looked {
        tracing::error!(error = %e, "监视任务意外停止");
    }
}

/// Resolves on Ctrl-C or SIGTERM, so that in-flight requests finish before the process exits.
pub async fn shutdown() {
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
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("正在停止：等待进行中的请求完成");
}
