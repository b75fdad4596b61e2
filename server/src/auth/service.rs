//! Logging in and out, sessions, password changes and API tokens. Time comes in as an argument
//! (the server's clock), so that lockout and expiry can be tested without waiting.

use chrono::{DateTime, Duration, SecondsFormat, Utc};

use super::names::{check_new_password, initial_password};
use super::password::{hash_password, verify_password};
use super::token::{hash_token, new_token};
use crate::authz::Principal;
use crate::store::{AccountsConn, Store, StoreError, UserRow};

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

/// Checks the password and opens a session; returns the token (shown once) and whether the
/// password must be changed first.
pub fn login(
    store: &Store,
    staff_no: &str,
    password: &str,
    addr: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(String, bool), AuthError> {
    store.with_accounts(|a| Ok(login_in(a, staff_no, password, addr, now)))?
}

fn login_in(
    a: &mut AccountsConn<'_>,
    staff_no: &str,
    password: &str,
    addr: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(String, bool), AuthError> {
    let Some(user) = a.find_user(staff_no.trim())? else {
        verify_password(password, &DUMMY_HASH);
        return Err(AuthError::BadLogin);
    };
    let locked = user
        .locked_until
        .as_deref()
        .and_then(parse)
        .is_some_and(|until| until > now);
    if user.disabled || locked {
        verify_password(password, &DUMMY_HASH);
        return Err(AuthError::BadLogin);
    }
    if !verify_password(password, &user.password_hash) {
        a.record_failure(
            user.id,
            LOCK_AFTER,
            &stamp(now + Duration::minutes(LOCK_MINUTES)),
        )?;
        return Err(AuthError::BadLogin);
    }
    a.record_success(user.id)?;
    let token = new_token();
    a.insert_session(
        &hash_token(&token),
        user.id,
        &stamp(now),
        &stamp(now + Duration::hours(SESSION_HOURS)),
        addr,
    )?;
    Ok((token, user.must_change_password))
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
    store.accounts_tx::<_, StoreError>(|a| {
        let Some(user) = a.find_user(staff_no)? else {
            return Ok(Err(AuthError::WrongPassword));
        };
        let locked = user
            .locked_until
            .as_deref()
            .and_then(parse)
            .is_some_and(|until| until > now);
        if locked {
            return Ok(Err(AuthError::Rule(format!(
                "原密码连续输错 {LOCK_AFTER} 次，账号已锁定 {LOCK_MINUTES} 分钟"
            ))));
        }
        if !verify_password(old, &user.password_hash) {
            let until = stamp(now + Duration::minutes(LOCK_MINUTES));
            a.record_failure(user.id, LOCK_AFTER, &until)?;
            return Ok(Err(AuthError::WrongPassword));
        }
        let initial = initial_password(&user.name, None, &user.staff_no);
        if let Err(rule) = check_new_password(new, &user.staff_no, initial.as_deref()) {
            return Ok(Err(AuthError::Rule(rule)));
        }
        let hash = hash_password(new).map_err(StoreError::Database)?;
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
