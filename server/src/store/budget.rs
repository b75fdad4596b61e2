//! A request's time budget, as the database sees it: the deadline and the cancelled flag of the
//! request a blocking thread works for, and how each backend stops work that outlives them.
//! SQLite: a progress handler on every connection (installed through `sqlite3_auto_extension`,
//! because diesel 2.3 does not hand out the raw handle) interrupts the running statement, and a
//! busy handler (waiting up to 10 s for another writer, as `busy_timeout` did) stops waiting.
//! PostgreSQL: `statement_timeout` set to what is left when a connection is checked out.
//! Work outside a request (the command line, start-up, file routes) has no budget and is never
//! interrupted.

use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Once};
use std::time::{Duration, Instant};

/// The time one request may take, shared by the request and the blocking work it starts.
#[derive(Debug)]
pub struct Budget {
    deadline: Instant,
    limit: Duration,
    cancelled: AtomicBool,
}

impl Budget {
    /// A budget of `limit` from now.
    pub fn start(limit: Duration) -> Arc<Budget> {
        Arc::new(Budget {
            deadline: Instant::now() + limit,
            limit,
            cancelled: AtomicBool::new(false),
        })
    }

    /// The whole budget, as given.
    pub fn limit(&self) -> Duration {
        self.limit
    }

    /// Stops the work: the request was answered without it (timed out, or the client left).
    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::SeqCst);
    }

    /// Whether the work must stop now.
    pub fn is_spent(&self) -> bool {
        self.cancelled.load(Ordering::Relaxed) || Instant::now() >= self.deadline
    }

    /// What is left of the budget.
    pub fn remaining(&self) -> Duration {
        self.deadline.saturating_duration_since(Instant::now())
    }

    /// A guard that cancels the budget when dropped: the request's future holds it, so work it
    /// started stops when the future is dropped, however that happens.
    pub fn cancel_on_drop(self: &Arc<Self>) -> CancelOnDrop {
        CancelOnDrop(self.clone())
    }
}

/// Cancels its budget when dropped (see [`Budget::cancel_on_drop`]).
#[derive(Debug)]
pub struct CancelOnDrop(Arc<Budget>);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.cancel();
    }
}

tokio::task_local! {
    static REQUEST: Arc<Budget>;
}

thread_local! {
    static WORKING_FOR: RefCell<Option<Arc<Budget>>> = const { RefCell::new(None) };
}

/// Runs `f` (a request's execution) under `budget`: every blocking call it makes through the
/// store or the service carries the budget to its thread.
pub async fn within<F: std::future::Future>(budget: Arc<Budget>, f: F) -> F::Output {
    REQUEST.scope(budget, f).await
}

/// The budget of the request being executed here (async side) or worked for (blocking side).
pub fn current() -> Option<Arc<Budget>> {
    REQUEST
        .try_with(Arc::clone)
        .ok()
        .or_else(|| WORKING_FOR.with(|b| b.borrow().clone()))
}

/// `f`, made to run under `budget` on whatever thread calls it.
pub fn carry<T>(budget: Option<Arc<Budget>>, f: impl FnOnce() -> T) -> impl FnOnce() -> T {
    move || {
        let previous = WORKING_FOR.with(|b| b.replace(budget));
        let out = f();
        WORKING_FOR.with(|b| *b.borrow_mut() = previous);
        out
    }
}

/// Whether the request this thread works for has spent its budget.
pub fn spent() -> bool {
    WORKING_FOR.with(|b| b.borrow().as_ref().is_some_and(|b| b.is_spent()))
}

/// The budget this blocking thread works for.
pub(super) fn working_for() -> Option<Arc<Budget>> {
    WORKING_FOR.with(|b| b.borrow().clone())
}

/// SQLite virtual-machine steps between two looks at the budget (well under a millisecond).
const PROGRESS_STEPS: std::ffi::c_int = 20_000;

unsafe extern "C" fn on_progress(_: *mut std::ffi::c_void) -> std::ffi::c_int {
    // Non-zero interrupts the statement (SQLITE_INTERRUPT); a panic must not cross into C.
    std::panic::catch_unwind(spent).map_or(1, std::ffi::c_int::from)
}

/// How long a connection waits for another's lock: what `busy_timeout` gave, in steps of
/// `BUSY_STEP`, so that a spent budget ends the wait too (SQLite does not interrupt a busy wait).
const BUSY_STEP: Duration = Duration::from_millis(5);
const BUSY_TRIES: std::ffi::c_int = 2_000;

unsafe extern "C" fn on_busy(_: *mut std::ffi::c_void, tries: std::ffi::c_int) -> std::ffi::c_int {
    // Zero gives up (SQLITE_BUSY); a panic must not cross into C.
    let wait = std::panic::catch_unwind(|| {
        if tries >= BUSY_TRIES || spent() {
            return false;
        }
        std::thread::sleep(BUSY_STEP);
        true
    });
    wait.map_or(0, std::ffi::c_int::from)
}

unsafe extern "C" fn install_progress(
    db: *mut libsqlite3_sys::sqlite3,
    _: *mut *mut std::ffi::c_char,
    _: *const libsqlite3_sys::sqlite3_api_routines,
) -> std::ffi::c_int {
    // SAFETY: SQLite calls this with the connection it is opening; the handler keeps no pointer.
    unsafe {
        libsqlite3_sys::sqlite3_progress_handler(
            db,
            PROGRESS_STEPS,
            Some(on_progress),
            std::ptr::null_mut(),
        );
        libsqlite3_sys::sqlite3_busy_handler(db, Some(on_busy), std::ptr::null_mut());
    }
    libsqlite3_sys::SQLITE_OK
}

/// Makes every SQLite connection the process opens from now on stop when its request's budget
/// is spent. Idempotent.
pub(super) fn install_sqlite_interrupt() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // SAFETY: registers a plain function with the signature SQLite expects.
        let rc = unsafe { libsqlite3_sys::sqlite3_auto_extension(Some(install_progress)) };
        if rc != libsqlite3_sys::SQLITE_OK {
            tracing::error!(rc, "无法安装 SQLite 进度回调");
        }
    });
}
