//! The guard every secured endpoint runs: authenticates the caller, checks the operation's
//! access rule against its roles, signs the responses to signed requests, and sends each
//! call's outcome to the audit trail.

use std::sync::Arc;

use async_trait::async_trait;

use super::audit::{AuditEvent, AuditLog, Outcome};
use super::signer::SignerError;
use super::{Access, AuthMethod, Authenticator, Caller, SECURITY_NS, WSSE_NS};
use crate::common::now;
use crate::dispatch::{OperationInfo, RequestContext};
use crate::endpoint::{CallRecord, Guard, Refusal};
use crate::shared::SharedLimiter;
use crate::soap::{Fault, SoapVersion};
use crate::xml::QName;

/// Authentication, access rules, per-user rate limits and auditing, shared by every secured
/// endpoint.
pub struct SecurityGuard {
    authenticator: Authenticator,
    audit: AuditLog,
    per_user: Option<SharedLimiter<i64>>,
}

impl SecurityGuard {
    pub fn new(authenticator: Authenticator, audit: AuditLog) -> Self {
        let config = authenticator.config();
        let per_user = (config.user_rate_limit > 0.0).then(|| {
            SharedLimiter::new(
                config.user_rate_limit,
                config.user_rate_burst,
                config.shared.clone(),
                "user",
            )
        });
        SecurityGuard {
            authenticator,
            audit,
            per_user,
        }
    }
}

#[async_trait]
impl Guard for SecurityGuard {
    async fn admit(
        &self,
        cx: &RequestContext,
        operation: &OperationInfo,
    ) -> Result<Option<Arc<Caller>>, Refusal> {
        if operation.access == Access::Public {
            return Ok(None);
        }
        let caller = match self.authenticator.authenticate(cx, operation.name).await {
            Ok(caller) => caller,
            Err(e) => {
                crate::metrics::METRICS.auth_failures.inc();
                return Err(e.into());
            }
        };
        if !operation.access.allows(&caller.roles) {
            let roles: Vec<&str> = caller.roles.iter().map(|r| r.as_str()).collect();
            let fault = Fault::from(caller.deny(format!(
                "roles {} do not include a role it requires",
                roles.join(", ")
            )));
            return Err(Refusal {
                fault,
                caller: Some(Arc::new(caller)),
            });
        }
        if let Some(limiter) = &self.per_user
            && let Err(wait) = limiter.check(caller.user_id).await
        {
            let seconds = wait.as_secs().max(1);
            let fault = Fault::server(format!(
                "Rate limit exceeded for user {}: at most {} requests per second; retry after \
                 {seconds} s",
                caller.username,
                self.authenticator.config().user_rate_limit
            ))
            .with_retry_after(seconds);
            return Err(Refusal {
                fault,
                caller: Some(Arc::new(caller)),
            });
        }
        Ok(Some(Arc::new(caller)))
    }

    fn secures(&self, caller: &Caller) -> bool {
        caller.method == AuthMethod::Signature
            && self.authenticator.config().response_signer.is_some()
    }

    async fn secure(
        &self,
        caller: &Caller,
        version: SoapVersion,
        envelope: Vec<u8>,
    ) -> Result<Vec<u8>, Fault> {
        let signer = match &self.authenticator.config().response_signer {
            Some(signer) if self.secures(caller) => signer.clone(),
            _ => return Ok(envelope),
        };
        tokio::task::spawn_blocking(move || signer.sign(version, &envelope, now()))
            .await
            .map_err(|_| SignerError::Sign("the signing task failed".into()))
            .and_then(|signed| signed)
            .map_err(|e| {
                tracing::error!(error = %e, "cannot sign a response");
                Fault::server("The response could not be signed")
            })
    }

    fn understands(&self) -> Vec<QName> {
        vec![
            QName {
                ns: WSSE_NS,
                local: "Security",
            },
            QName {
                ns: SECURITY_NS,
                local: "SessionToken",
            },
        ]
    }

    fn record(&self, call: CallRecord<'_>) {
        self.audit.record(AuditEvent {
            id: 0,
            at: now(),
            request_id: call.request_id.to_string(),
            user_id: call.caller.map(|c| c.user_id),
            username: call.caller.map(|c| c.username.clone()),
            authentication: call.caller.map(|c| c.method),
            service: call.service.to_string(),
            operation: call.operation.to_string(),
            outcome: if call.fault.is_some() {
                Outcome::Fault
            } else {
                Outcome::Ok
            },
            fault_code: call.fault,
            remote_address: call.client_ip.map(|ip| ip.to_string()),
        });
    }
}
