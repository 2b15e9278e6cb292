//! The AuthService operation handlers and who may call them.

use super::service::{AuditRequest, AuthError, AuthService};
use crate::common::{Client, PageToken};
use crate::contract::AUTH_SERVICE;
use crate::dispatch::{Service, State};
use crate::security::audit::AuditFilter;
use crate::security::schema::{
    ListAuditEvents, ListAuditEventsResponse, Login, LoginResponse, Logout, LogoutResponse,
    SessionTokenValue, WhoAmI, WhoAmIResponse,
};
use crate::security::{Access, Caller, roles};

/// The SOAP service definition: every operation of `wsdl/AuthService.wsdl`, with its access
/// rule.
pub fn soap_service(auth: AuthService) -> Service<AuthService> {
    Service::for_contract(&AUTH_SERVICE, auth)
        .operation(login, Access::Public)
        .operation(logout, Access::Authenticated)
        .operation(who_am_i, Access::Authenticated)
        .operation(list_audit_events, roles::READERS)
}

async fn login(
    State(auth): State<AuthService>,
    client: Client,
    request: Login,
) -> Result<LoginResponse, AuthError> {
    let session = auth
        .login(&request.username.0, request.password.0, client)
        .await?;
    Ok(LoginResponse {
        session_token: SessionTokenValue(session.token),
        expires_at: session.expires_at,
    })
}

async fn logout(
    State(auth): State<AuthService>,
    caller: Caller,
    _: Logout,
) -> Result<LogoutResponse, AuthError> {
    let logged_out = auth.logout(&caller).await?;
    Ok(LogoutResponse { logged_out })
}

async fn who_am_i(caller: Caller, _: WhoAmI) -> Result<WhoAmIResponse, AuthError> {
    Ok(WhoAmIResponse {
        user_id: caller.user_id,
        username: caller.username,
        role: caller.roles,
        authentication: caller.method,
        session_expires_at: caller.session.map(|s| s.expires_at),
    })
}

async fn list_audit_events(
    State(auth): State<AuthService>,
    request: ListAuditEvents,
) -> Result<ListAuditEventsResponse, AuthError> {
    let page = auth
        .audit_events(AuditRequest {
            filter: AuditFilter {
                user_id: request.user_id,
                operation: request.operation,
                outcome: request.outcome,
                from: request.from,
                to: request.to,
            },
            page_size: request.page_size.map(|size| size.0),
            page_token: request.page_token.map(|token| token.0),
        })
        .await?;
    Ok(ListAuditEventsResponse {
        event: page.events.into_iter().map(Into::into).collect(),
        next_page_token: page.next_page_token.map(PageToken),
    })
}
