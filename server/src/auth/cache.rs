//! Sessions and API tokens remembered for a few seconds, so that a request does not read the
//! database to learn who sent it.
//!
//! The bound: a logout, password change or reset, disabled account or revoked token made through
//! this instance takes effect on its next request (every account change moves the store's
//! accounts epoch, which empties the cache); one made through another instance sharing the
//! database takes effect here within [`SESSION_CACHE`].

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};

use super::service::authenticate;
use super::token::hash_token;
use crate::authz::Principal;
use crate::store::{Store, StoreError};

/// How long a looked-up session or token is believed without asking the database again.
pub const SESSION_CACHE: Duration = Duration::seconds(5);
/// At most this many tokens are remembered; the cache starts over when it is full.
const MAX_ENTRIES: usize = 10_000;

struct Entry {
    principal: Principal,
    at: DateTime<Utc>,
    epoch: u64,
}

/// The remembered principals by token hash.
pub struct SessionCache {
    ttl: Duration,
    entries: Mutex<HashMap<String, Entry>>,
}

impl Default for SessionCache {
    fn default() -> Self {
        SessionCache::new(SESSION_CACHE)
    }
}

impl SessionCache {
    /// A cache believing a lookup for `ttl` (zero: never).
    pub fn new(ttl: Duration) -> SessionCache {
        SessionCache {
            ttl,
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// The principal behind `token` (see [`authenticate`]), from memory when it was looked up
    /// less than the bound ago and no account changed through this store since.
    pub fn authenticate(
        &self,
        store: &Store,
        token: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<Principal>, StoreError> {
        let hash = hash_token(token);
        // Read before the lookup: a change committed during it moves the epoch past this one.
        let epoch = store.accounts_epoch();
        if let Ok(entries) = self.entries.lock() {
            if let Some(e) = entries.get(&hash) {
                let fresh = now >= e.at && now - e.at < self.ttl;
                if fresh && e.epoch == epoch {
                    return Ok(Some(e.principal.clone()));
                }
            }
        }
        let found = authenticate(store, token, now)?;
        if let Ok(mut entries) = self.entries.lock() {
            entries.retain(|_, e| e.epoch == epoch && now - e.at < self.ttl);
            match &found {
                Some(p) if self.ttl > Duration::zero() => {
                    if entries.len() >= MAX_ENTRIES {
                        entries.clear();
                    }
                    let principal = p.clone();
                    entries.insert(
                        hash,
                        Entry {
                            principal,
                            at: now,
                            epoch,
                        },
                    );
                }
                _ => {
                    entries.remove(&hash);
                }
            }
        }
        Ok(found)
    }
}
