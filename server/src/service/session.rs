//! What a request brings about its caller, attached by the HTTP layer and read by the use
//! cases' faces: the server's clock, the session token, the client's address, and the login
//! slowdown shared by the requests of one process.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::auth::service::Clock;

/// The server's clock, attached to every request.
#[derive(Clone)]
pub struct ServerClock(pub Clock);

/// The caller's session token, attached when the request carried one (for logout).
#[derive(Clone)]
pub struct SessionToken(pub String);

/// The caller's address, when known.
#[derive(Clone, Copy)]
pub struct ClientAddr(pub IpAddr);

/// Failed logins per address: repeated failures from one address are answered more slowly.
#[derive(Clone, Default)]
pub struct Throttle(Arc<Mutex<HashMap<ThrottleKey, (u32, Instant)>>>);

/// A staff number (lower case) and the address it was tried from.
type ThrottleKey = (String, IpAddr);

impl Throttle {
    /// How long to wait before answering a login for this account from this address.
    pub fn delay(&self, staff_no: &str, addr: IpAddr) -> Duration {
        let map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        match map.get(&(staff_no.trim().to_lowercase(), addr)) {
            Some((n, at)) if at.elapsed() < Duration::from_secs(900) && *n > 3 => {
                Duration::from_millis(250 * u64::from((*n - 3).min(20)))
            }
            _ => Duration::ZERO,
        }
    }

    /// Notes a login's outcome.
    pub fn record(&self, staff_no: &str, addr: IpAddr, ok: bool) {
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let key = (staff_no.trim().to_lowercase(), addr);
        if ok {
            map.remove(&key);
        } else {
            // Old entries go, so that a month of LAN traffic does not grow the map.
            map.retain(|_, (_, at)| at.elapsed() < Duration::from_secs(900));
            let entry = map.entry(key).or_insert((0, Instant::now()));
            *entry = (entry.0 + 1, Instant::now());
        }
    }
}

/// The name of the session cookie.
pub const COOKIE: &str = "sd_session";
