//! Logging in and out, sessions, password changes and API tokens. Time comes in as an argument
//! (the server's clock), so that lockout and expiry can be tested without waiting.

use chrono::{DateTime, Duration, SecondsFormat, Utc};

use super::names::{check_new_password, initial_password};
use super::password::{hash_password, verify_password};
use super::token::{hash_token, new_token};
use crate::authz::Principal;
use crate::store::{Store, StoreError, UserRow};

/// A session lasts this long after its last use.
pub const SESSION_HOURS: i64 = 8;
/// Wrong passwords in a row before the account locks.
pub const LOCK_AFTER: i64 = 5;
/// How long a locked account stays locked.
pub const LOCK_MINUTES: i64 = 15;
/// The one message for every failed login: it never tells whether the staff number exists.
pub const BAD_LOGIN: &str = "工号或密码错误，或账号已被暂时锁定；连续输错 5 次将锁定 15 分钟";

/// The server's clock.
pub type Clock = std::sync::Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// The real clock.
pub fn system_clock() -> Clock {
    std::sync::Arc::new(Utc::now)
}

/// Why an account operation failed.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("{BAD_LOGIN}")]
    BadLogin,
    #[error("原密码不正确")]
    WrongPassword,
    #[error("{0}")]
    Rule(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn stamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn parse(t: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(t)
        .ok()
        .map(|d| d.with_timezone(&Utc))
}

/// The principal of an account.
pub fn principal_of(u: &UserRow) -> Principal {
    Principal {
        staff_no: u.staff_no.clone(),
        name: u.name.clone(),
        unit: u.unit.clone(),
        roles: vec![u.role.clone()],
        must_change_password: u.must_change_password,
        development: false,
    }
}

// A hash to verify against when the staff number is unknown or the account locked, so that the
// answer takes as long as for a real account.
static DUMMY_HASH: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| hash_password("statusdata-dummy").unwrap_or_default());

/// How long failed logins from one address count toward the slowdown.
pub const THROTTLE_WINDOW_MINUTES: i64 = 15;

/// The slowdown's key for a staff number as typed.
pub fn throttle_key(staff_no: &str) -> String {
    staff_no.trim().to_lowercase()
}

/// Checks the password and opens a session; returns the token (shown once) and whether the
/// password must be changed first.
///
/// Three steps, so that no write transaction is held while the slow hash is weighed: a short
/// transaction claims the attempt (`AccountsConn::claim_login`: the one statement that reads the
/// lock also counts the attempt and locks at the fifth), then the hash is weighed outside any
/// transaction, then a second short transaction settles the outcome (the session, the forgotten
/// failures, the audit row and the slowdown). Guessing stays bounded because only the claim lets
/// a hash be weighed and every claim is counted before weighing: however many guesses arrive at
/// once, at most [`LOCK_AFTER`] are weighed until the lock expires or a good password clears it.
pub fn login(
    store: &Store,
    staff_no: &str,
    password: &str,
    addr: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(String, bool), AuthError> {
    let until = stamp(now + Duration::minutes(LOCK_MINUTES));
    let claimed =
        store.login_tx(|a| a.claim_login(staff_no.trim(), &stamp(now), LOCK_AFTER, &until))?;
    let ok = match &claimed {
        Some(user) => verify_password(password, &user.password_hash),
        None => {
            verify_password(password, &DUMMY_HASH);
            false
        }
    };
    if claimed.is_none() && addr.is_none() {
        return Err(AuthError::BadLogin);
    }
    let token = new_token();
    store.login_tx(|a| {
        if let Some(addr) = addr {
            let since = stamp(now - Duration::minutes(THROTTLE_WINDOW_MINUTES));
            a.note_login(&throttle_key(staff_no), addr, ok, &stamp(now), &since)?;
        }
        let Some(user) = claimed else {
            return Ok(Err(AuthError::BadLogin));
        };
        if !ok {
            let locked = user.locked_until.is_some();
            let detail =
                serde_json::json!({ "staffNo": user.staff_no, "addr": addr, "locked": locked });
            a.audit(&user.staff_no, "login_failure", detail)?;
            return Ok(Err(AuthError::BadLogin));
        }
        a.record_success(user.id)?;
        let (at, expires) = (stamp(now), stamp(now + Duration::hours(SESSION_HOURS)));
        a.insert_session(&hash_token(&token), user.id, &at, &expires, addr)?;
        Ok::<_, StoreError>(Ok((token.clone(), user.must_change_password)))
    })?
}

/// The principal behind a session or API token, sliding the session's expiry; `None` when the
/// token is unknown, expired or revoked, or the account disabled.
pub fn authenticate(
    store: &Store,
    token: &str,
    now: DateTime<Utc>,
) -> Result<Option<Principal>, StoreError> {
    let hash = hash_token(token);
    store.with_accounts(|a| {
        if let Some((user, expires, last_seen)) = a.find_session(&hash)? {
            if user.disabled || parse(&expires).is_none_or(|e| e <= now) {
                a.delete_session(&hash)?;
                return Ok(None);
            }
            // Slide the expiry, but write at most once a minute.
            if parse(&last_seen).is_none_or(|l| now - l > Duration::minutes(1)) {
                a.touch_session(
                    &hash,
                    &stamp(now),
                    &stamp(now + Duration::hours(SESSION_HOURS)),
                )?;
            }
            return Ok(Some(principal_of(&user)));
        }
        Ok(a.use_api_token(&hash, &stamp(now))?.map(|t| Principal {
            staff_no: format!("token:{}", t.id),
            name: t.name,
            unit: String::new(),
            roles: vec!["bi".into()],
            must_change_password: false,
            development: false,
        }))
    })
}

/// Ends the session of `token`.
pub fn logout(store: &Store, token: &str) -> Result<bool, StoreError> {
    store.with_accounts(|a| a.delete_session(&hash_token(token)))
}

/// Changes a password after checking the old one and the rules. A wrong old password counts
/// toward the lockout like a failed login (so guesses through this door lock the account too);
/// a changed password ends every other session of the account (`keep` is the caller's token).
pub fn change_password(
    store: &Store,
    staff_no: &str,
    old: &str,
    new: &str,
    keep: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), AuthError> {
    // Claimed like a login (see [`login`]), so that the old password is never weighed inside
    // a write transaction and parallel guesses through this door are bounded alike.
    let until = stamp(now + Duration::minutes(LOCK_MINUTES));
    let Some(user) =
        store.login_tx(|a| a.claim_login(staff_no, &stamp(now), LOCK_AFTER, &until))?
    else {
        return Err(AuthError::Rule(format!(
            "原密码连续输错 {LOCK_AFTER} 次，账号已锁定 {LOCK_MINUTES} 分钟"
        )));
    };
    if !verify_password(old, &user.password_hash) {
        return Err(AuthError::WrongPassword);
    }
    let initial = initial_password(&user.name, None, &user.staff_no);
    let hash = check_new_password(new, &user.staff_no, initial.as_deref())
        .map_err(AuthError::Rule)
        .and_then(|()| hash_password(new).map_err(|e| StoreError::Database(e).into()));
    store.accounts_tx::<_, StoreError>(|a| {
        let hash = match hash {
            Ok(hash) => hash,
            Err(e) => {
                // The old password was right: the claim's count is forgotten.
                a.record_success(user.id)?;
                return Ok(Err(e));
            }
        };
        a.set_password(staff_no, &hash, false, &stamp(now))?;
        let keep = keep.map(hash_token);
        let ended = a.end_sessions(user.id, keep.as_deref())?;
        let detail = serde_json::json!({ "staffNo": staff_no, "sessionsEnded": ended });
        a.audit(staff_no, "password_change", detail)?;
        Ok(Ok(()))
    })?
}

/// Resets an account to the notice's initial password, to be changed at the next login.
pub fn reset_password(
    store: &Store,
    staff_no: &str,
    pinyin: Option<&str>,
    now: DateTime<Utc>,
    actor: &str,
) -> Result<bool, AuthError> {
    store.accounts_tx::<_, StoreError>(|a| {
        let Some(user) = a.find_user(staff_no)? else {
            return Ok(Ok(false));
        };
        let Some(initial) = initial_password(&user.name, pinyin, staff_no) else {
            return Ok(Err(AuthError::Rule(format!(
                "无法由姓名“{}”得到姓氏拼音，请用 --pinyin 指定",
                user.name
            ))));
        };
        let hash = hash_password(&initial).map_err(StoreError::Database)?;
        let done = a.set_password(staff_no, &hash, true, &stamp(now))?;
        a.end_sessions(user.id, None)?;
        a.audit(
            actor,
            "password_reset",
            serde_json::json!({ "staffNo": staff_no }),
        )?;
        Ok(Ok(done))
    })?
}

/// Creates a read-only API token for a BI client; returns (id, token). The token is shown once.
pub fn create_api_token(
    store: &Store,
    name: &str,
    created_by: &str,
    now: DateTime<Utc>,
) -> Result<(i64, String), StoreError> {
    let token = new_token();
    let id = store.accounts_tx(|a| {
        let id = a.insert_api_token(&hash_token(&token), name, created_by, &stamp(now))?;
        a.audit(
            created_by,
            "api_token_create",
            serde_json::json!({ "id": id, "name": name }),
        )?;
        Ok::<_, StoreError>(id)
    })?;
    Ok((id, token))
}

/// Revokes an API token; false when it was unknown or revoked already. Audited.
pub fn revoke_api_token(
    store: &Store,
    id: i64,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    store.accounts_tx(|a| {
        let done = a.revoke_api_token(id, &stamp(now))?;
        if done {
            a.audit(actor, "api_token_revoke", serde_json::json!({ "id": id }))?;
        }
        Ok(done)
    })
}

/// Disables (ending its sessions) or enables an account; false when there is none. Audited.
pub fn set_disabled(
    store: &Store,
    staff_no: &str,
    disabled: bool,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    store.accounts_tx(|a| {
        let done = a.set_disabled(staff_no, disabled, &stamp(now))?;
        if done {
            let op = if disabled {
                "user_disable"
            } else {
                "user_enable"
            };
            a.audit(actor, op, serde_json::json!({ "staffNo": staff_no }))?;
        }
        Ok(done)
    })
}
