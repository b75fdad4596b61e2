//! What a request brings about its caller, attached by the HTTP layer and read by the use
//! cases' faces: the session token and the client's address; and the login
//! slowdown, shared through the database by every instance.

use std::net::IpAddr;
use std::time::Duration;

use super::{stamp, ApiResult, Service};
use crate::auth::service::{throttle_key as key, THROTTLE_WINDOW_MINUTES};
use crate::store::live;

/// The caller's session token, attached when the request carried one (for logout).
#[derive(Clone)]
pub struct SessionToken(pub String);

/// The caller's address, when known.
#[derive(Clone, Copy)]
pub struct ClientAddr(pub IpAddr);

impl Service {
    /// How long to wait before answering a login for this account from this address: repeated
    /// failures are answered more slowly. The count lives in the database, so guessing spread
    /// over several instances is slowed down alike (the account lockout stops it).
    pub fn login_delay(&self, staff_no: &str, addr: IpAddr) -> ApiResult<Duration> {
        let now = self.now();
        let since = stamp(now - chrono::Duration::minutes(THROTTLE_WINDOW_MINUTES));
        let n = self.store.with_workflow(|c| {
            live::login_failures(c, &key(staff_no), &addr.to_string(), &since)
        })?;
        let over = u64::try_from((n - 3).clamp(0, 20)).unwrap_or(0);
        Ok(Duration::from_millis(250 * over))
    }

    /// Notes a login's outcome for the slowdown: a success forgets the failures. (A login
    /// through [`crate::auth::service::login`] notes it itself, in its transaction.)
    pub fn note_login(&self, staff_no: &str, addr: IpAddr, ok: bool) -> ApiResult<()> {
        let now = self.now();
        let since = stamp(now - chrono::Duration::minutes(THROTTLE_WINDOW_MINUTES));
        self.store.with_workflow(|c| {
            live::record_login(
                c,
                &key(staff_no),
                &addr.to_string(),
                ok,
                &stamp(now),
                &since,
            )
        })?;
        Ok(())
    }
}

/// The name of the session cookie.
pub const COOKIE: &str = "sd_session";
