//! Account use cases: logging in (answered more slowly after repeated failures), logging out,
//! changing one's own password, finding the principal behind a session or API token, and
//! 质量部's API tokens for BI clients. The rules (lockout, password strength, sessions) are in
//! `auth`; the faces only read arguments and set cookies.

use std::net::IpAddr;

use super::roles::require_token_admin;
use super::{ApiError, ApiResult, Code, Service};
use crate::auth::cache::SessionCache;
use crate::auth::service::{self as auth, AuthError};
use crate::authz::{Access, Principal};
pub use crate::store::ApiTokenRow;

/// A login that succeeded.
#[derive(Debug, Clone)]
pub struct Login {
    /// The session token (a browser also gets it as a cookie).
    pub token: String,
    /// The account must change its password before anything else.
    pub must_change_password: bool,
}

fn auth_error(e: AuthError) -> ApiError {
    match e {
        AuthError::BadLogin => ApiError::new(Code::Unauthenticated, auth::BAD_LOGIN),
        AuthError::WrongPassword => ApiError::new(Code::Forbidden, "原密码不正确"),
        AuthError::Rule(m) => ApiError::new(Code::BadRequest, m),
        AuthError::Store(e) => e.into(),
    }
}

impl Service {
    /// Logs in with staff number and password. Per account and address, repeated failures are
    /// answered more slowly: one person guessing behind the college's NAT does not slow everyone
    /// else down, and the account lockout stops guessing across addresses.
    pub async fn login(
        &self,
        staff_no: String,
        password: String,
        addr: Option<IpAddr>,
    ) -> ApiResult<Login> {
        if let Some(a) = addr {
            let who = staff_no.clone();
            let delay = self.blocking(move |svc| svc.login_delay(&who, a)).await?;
            tokio::time::sleep(delay).await;
        }
        let addr = addr.map(|a| a.to_string());
        self.blocking(move |svc| {
            let (token, must_change_password) =
                auth::login(&svc.store, &staff_no, &password, addr.as_deref(), svc.now())
                    .map_err(auth_error)?;
            Ok(Login {
                token,
                must_change_password,
            })
        })
        .await
    }

    /// Ends the session of `token`; false when there was none.
    pub fn logout(&self, token: &str) -> ApiResult<bool> {
        Ok(auth::logout(&self.store, token)?)
    }

    /// Changes the caller's own password; every other session of the account ends (`keep` is
    /// the caller's own token).
    pub fn change_password(
        &self,
        who: &Access,
        old: &str,
        new: &str,
        keep: Option<&str>,
    ) -> ApiResult<()> {
        let staff_no = &who.principal.staff_no;
        auth::change_password(&self.store, staff_no, old, new, keep, self.now()).map_err(auth_error)
    }

    /// The principal behind a session or API token (remembered in `sessions` for a few
    /// seconds); `None` when the token is unknown, expired or revoked.
    pub fn authenticate(
        &self,
        sessions: &SessionCache,
        token: &str,
    ) -> ApiResult<Option<Principal>> {
        Ok(sessions.authenticate(&self.store, token, self.now())?)
    }

    /// Creates a read-only API token for a BI client (质量部): its id and the token, shown once.
    pub fn create_api_token(&self, who: &Access, name: &str) -> ApiResult<(i64, String)> {
        require_token_admin(who)?;
        let name = name.trim();
        if name.is_empty() {
            return Err(ApiError::new(Code::BadRequest, "请填写令牌用途名称"));
        }
        let by = &who.principal.staff_no;
        Ok(auth::create_api_token(&self.store, name, by, self.now())?)
    }

    /// Revokes an API token (质量部); false when there was none to revoke.
    pub fn revoke_api_token(&self, who: &Access, id: &str) -> ApiResult<bool> {
        require_token_admin(who)?;
        let id: i64 = id
            .parse()
            .map_err(|_| ApiError::new(Code::BadRequest, "id 无效"))?;
        let by = &who.principal.staff_no;
        Ok(auth::revoke_api_token(&self.store, id, by, self.now())?)
    }

    /// Every API token (质量部).
    pub fn api_tokens(&self, who: &Access) -> ApiResult<Vec<ApiTokenRow>> {
        require_token_admin(who)?;
        Ok(self.store.with_accounts(|a| a.list_api_tokens())?)
    }
}
