//! Rules of the Auth service: sessions through the authenticator, and paging through the
//! audit trail.

use std::sync::Arc;

use crate::common::{Client, Cursor, CursorValue, PageTokens, Violation, page_size, violation};
use crate::db::DbError;
use crate::security::audit::{AuditEvent, AuditFilter, AuditStore};
use crate::security::{Authenticator, Caller, NewSession, SecurityError};

/// Why an Auth service call failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    #[error(transparent)]
    Security(#[from] SecurityError),
    #[error("the request is invalid")]
    Invalid(Vec<Violation>),
    #[error("internal error: {0}")]
    Internal(#[from] DbError),
}

/// A ListAuditEvents request after decoding.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditRequest {
    pub filter: AuditFilter,
    pub page_size: Option<i32>,
    pub page_token: Option<String>,
}

/// One page of audit events, newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditPage {
    pub events: Vec<AuditEvent>,
    pub next_page_token: Option<String>,
}

/// The Auth service; cheap to clone.
#[derive(Clone)]
pub struct AuthService {
    authenticator: Authenticator,
    audit: Arc<dyn AuditStore>,
    tokens: PageTokens,
}

impl AuthService {
    pub fn new(
        authenticator: Authenticator,
        audit: Arc<dyn AuditStore>,
        tokens: PageTokens,
    ) -> Self {
        AuthService {
            authenticator,
            audit,
            tokens,
        }
    }

    /// A session for `username`, whose password `client` sent.
    pub async fn login(
        &self,
        username: &str,
        password: String,
        client: Client,
    ) -> Result<NewSession, AuthError> {
        Ok(self.authenticator.login(username, password, client).await?)
    }

    pub async fn logout(&self, caller: &Caller) -> Result<bool, AuthError> {
        Ok(self.authenticator.logout(caller).await?)
    }

    pub async fn audit_events(&self, request: AuditRequest) -> Result<AuditPage, AuthError> {
        let mut violations = Vec::new();
        let limit = page_size(request.page_size, &mut violations);
        let filter = request.filter;
        if let (Some(from), Some(to)) = (filter.from, filter.to)
            && from >= to
        {
            violations.push(violation("to", "must be later than from"));
        }
        let scope = scope(&filter);
        let after =
            self.tokens
                .open_request(&scope, request.page_token.as_deref(), &mut violations);
        if !violations.is_empty() {
            return Err(AuthError::Invalid(violations));
        }
        let mut events = self
            .audit
            .list(filter, after.map(|c| c.id), limit + 1)
            .await?;
        let next_page_token = if events.len() > limit {
            events.truncate(limit);
            events.last().map(|e| {
                self.tokens.seal(
                    &scope,
                    &Cursor {
                        value: CursorValue::Int(e.id),
                        id: e.id,
                    },
                )
            })
        } else {
            None
        };
        Ok(AuditPage {
            events,
            next_page_token,
        })
    }
}

/// Identifies a query for its page tokens.
fn scope(filter: &AuditFilter) -> String {
    let operation = filter.operation.as_deref().unwrap_or_default();
    format!(
        "audit|{:?}|{}:{}|{}|{:?}|{:?}",
        filter.user_id,
        operation.len(),
        operation,
        filter.outcome.map_or("", |o| o.as_str()),
        filter.from.map(crate::db::millis),
        filter.to.map(crate::db::millis),
    )
}
