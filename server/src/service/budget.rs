//! A request's time budget, as the faces hand it to the service: the HTTP face starts one per
//! request and runs the request within it; every blocking call the service makes for that
//! request carries it to the store, which stops database work that outlives it (see
//! `store::budget`). Work outside a request has no budget.

use std::future::Future;
use std::sync::Arc;

pub use crate::store::budget::{Budget, CancelOnDrop};

use super::{ApiError, ApiResult, Service};

/// Runs `f` (a request's execution) under `budget`.
pub async fn within<F: Future>(budget: Arc<Budget>, f: F) -> F::Output {
    crate::store::budget::within(budget, f).await
}

/// The budget of the request being executed here, to hand to work that runs in a task of its
/// own (see [`Service::blocking_for`]).
pub fn current() -> Option<Arc<Budget>> {
    crate::store::budget::current()
}

impl Service {
    /// Runs blocking work (database, files, hashing) on tokio's blocking threads under the
    /// request's budget: the one way the async faces reach the store.
    pub async fn blocking<T, F>(&self, f: F) -> ApiResult<T>
    where
        F: FnOnce(&Service) -> ApiResult<T> + Send + 'static,
        T: Send + 'static,
    {
        self.blocking_for(current(), f).await
    }

    /// Like [`Service::blocking`], under a budget taken earlier (work spawned outside the
    /// request's own task, as the reference loader's batches are).
    pub async fn blocking_for<T, F>(&self, budget: Option<Arc<Budget>>, f: F) -> ApiResult<T>
    where
        F: FnOnce(&Service) -> ApiResult<T> + Send + 'static,
        T: Send + 'static,
    {
        let svc = self.clone();
        let work = crate::store::budget::carry(budget, move || f(&svc));
        tokio::task::spawn_blocking(work)
            .await
            .map_err(ApiError::internal)?
    }
}
