//! The SOAP messages of `xsd/security.xsd` and their codecs.

use time::OffsetDateTime;

use crate::codec::{Decode, Decoder, Encode, Message, Slot, enum_codec};
use crate::security::audit::{AuditEvent, Outcome};
use crate::security::{AuthMethod, Role};
use crate::xml::{Namespace, XmlError, XmlWriter};

/// `http://soapstone.dev/schema/security/v1`.
pub const SECURITY: Namespace = Namespace {
    uri: crate::security::SECURITY_NS,
    prefix: "s",
};
const NS: &str = SECURITY.uri;

enum_codec!(AuthMethod, Outcome);

macro_rules! message {
    ($($t:ident),*) => {$(
        impl Message for $t {
            const NAMESPACE: Namespace = SECURITY;
            const NAME: &'static str = stringify!($t);
        }
    )*};
}
message!(
    Login,
    LoginResponse,
    Logout,
    LogoutResponse,
    WhoAmI,
    WhoAmIResponse,
    ListAuditEvents,
    ListAuditEventsResponse
);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Login {
    pub username: String,
    pub password: String,
}

impl Decode for Login {
    fn decode(d: &mut Decoder<'_, '_>) -> Result<Option<Self>, XmlError> {
        let (mut username, mut password) = (Slot::Absent, Slot::Absent);
        while let Some(child) = d.child()? {
            match child.name_in(NS) {
                Some("username") => d.one(&child, "username", &mut username)?,
                Some("password") => d.one(&child, "password", &mut password)?,
                _ => d.unexpected(&child)?,
            }
        }
        let username = d.required(username, "username");
        let password = d.required(password, "password");
        Ok((|| {
            Some(Login {
                username: username?,
                password: password?,
            })
        })())
    }
}

#[derive(Debug)]
pub struct LoginResponse {
    pub session_token: String,
    pub expires_at: OffsetDateTime,
}

impl Encode for LoginResponse {
    fn encode(&self, w: &mut XmlWriter) {
        w.element(SECURITY, "sessionToken", &self.session_token);
        w.element(SECURITY, "expiresAt", &self.expires_at);
    }
}

/// A message without children.
fn empty<T>(d: &mut Decoder<'_, '_>, value: T) -> Result<Option<T>, XmlError> {
    while let Some(child) = d.child()? {
        d.unexpected(&child)?;
    }
    Ok(Some(value))
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Logout;

impl Decode for Logout {
    fn decode(d: &mut Decoder<'_, '_>) -> Result<Option<Self>, XmlError> {
        empty(d, Logout)
    }
}

#[derive(Debug)]
pub struct LogoutResponse {
    pub logged_out: bool,
}

impl Encode for LogoutResponse {
    fn encode(&self, w: &mut XmlWriter) {
        w.element(SECURITY, "loggedOut", &self.logged_out);
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WhoAmI;

impl Decode for WhoAmI {
    fn decode(d: &mut Decoder<'_, '_>) -> Result<Option<Self>, XmlError> {
        empty(d, WhoAmI)
    }
}

#[derive(Debug)]
pub struct WhoAmIResponse {
    pub user_id: i64,
    pub username: String,
    pub roles: Vec<Role>,
    pub authentication: AuthMethod,
    pub session_expires_at: Option<OffsetDateTime>,
}

impl Encode for WhoAmIResponse {
    fn encode(&self, w: &mut XmlWriter) {
        w.element(SECURITY, "userId", &self.user_id);
        w.element(SECURITY, "username", &self.username);
        w.repeated(SECURITY, "role", &self.roles);
        w.element(SECURITY, "authentication", &self.authentication);
        w.optional(
            SECURITY,
            "sessionExpiresAt",
            self.session_expires_at.as_ref(),
        );
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListAuditEvents {
    pub user_id: Option<i64>,
    pub operation: Option<String>,
    pub outcome: Option<Outcome>,
    pub from: Option<OffsetDateTime>,
    pub to: Option<OffsetDateTime>,
    pub page_size: Option<i32>,
    pub page_token: Option<String>,
}

impl Decode for ListAuditEvents {
    fn decode(d: &mut Decoder<'_, '_>) -> Result<Option<Self>, XmlError> {
        let mut user_id = Slot::Absent;
        let mut operation = Slot::Absent;
        let mut outcome = Slot::Absent;
        let mut from = Slot::Absent;
        let mut to = Slot::Absent;
        let mut page_size = Slot::Absent;
        let mut page_token = Slot::Absent;
        while let Some(child) = d.child()? {
            match child.name_in(NS) {
                Some("userId") => d.one(&child, "userId", &mut user_id)?,
                Some("operation") => d.one(&child, "operation", &mut operation)?,
                Some("outcome") => d.one(&child, "outcome", &mut outcome)?,
                Some("from") => d.one(&child, "from", &mut from)?,
                Some("to") => d.one(&child, "to", &mut to)?,
                Some("pageSize") => d.one(&child, "pageSize", &mut page_size)?,
                Some("pageToken") => d.one(&child, "pageToken", &mut page_token)?,
                _ => d.unexpected(&child)?,
            }
        }
        Ok(Some(ListAuditEvents {
            user_id: user_id.into_option(),
            operation: operation.into_option(),
            outcome: outcome.into_option(),
            from: from.into_option(),
            to: to.into_option(),
            page_size: page_size.into_option(),
            page_token: page_token.into_option(),
        }))
    }
}

impl Encode for AuditEvent {
    fn encode(&self, w: &mut XmlWriter) {
        w.element(SECURITY, "id", &self.id);
        w.element(SECURITY, "at", &self.at);
        w.element(SECURITY, "requestId", &self.request_id);
        w.optional(SECURITY, "userId", self.user_id.as_ref());
        w.optional(SECURITY, "username", self.username.as_ref());
        w.optional(SECURITY, "authentication", self.authentication.as_ref());
        w.element(SECURITY, "service", &self.service);
        w.element(SECURITY, "operation", &self.operation);
        w.element(SECURITY, "outcome", &self.outcome);
        w.optional(SECURITY, "faultCode", self.fault_code.as_ref());
        w.optional(SECURITY, "remoteAddress", self.remote_address.as_ref());
    }
}

#[derive(Debug)]
pub struct ListAuditEventsResponse {
    pub events: Vec<AuditEvent>,
    pub next_page_token: Option<String>,
}

impl Encode for ListAuditEventsResponse {
    fn encode(&self, w: &mut XmlWriter) {
        w.repeated(SECURITY, "event", &self.events);
        w.optional(SECURITY, "nextPageToken", self.next_page_token.as_ref());
    }
}
