//! The audit trail: who called which operation, when, and how it ended — no secrets. Events
//! are queued by the endpoint after each call and written in batches by one task; the queue
//! is bounded, and an event that does not fit is logged and counted instead of blocking the
//! request.

use std::sync::Arc;

use async_trait::async_trait;
use time::OffsetDateTime;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::AuthMethod;
use crate::db::DbError;

/// How a call ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Ok,
    Fault,
}

crate::common::names!(Outcome { Ok = "ok", Fault = "fault" });

/// One audited call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEvent {
    /// Assigned when stored; 0 before.
    pub id: i64,
    pub at: OffsetDateTime,
    pub request_id: String,
    pub user_id: Option<i64>,
    pub username: Option<String>,
    pub authentication: Option<AuthMethod>,
    pub service: String,
    pub operation: String,
    pub outcome: Outcome,
    /// `Client`, `Server`, a detail element such as `AccessDeniedFault`, or a WS-Security code
    /// such as `wsse:FailedAuthentication`.
    pub fault_code: Option<String>,
    pub remote_address: Option<String>,
}

/// What ListAuditEvents filters on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    pub user_id: Option<i64>,
    pub operation: Option<String>,
    pub outcome: Option<Outcome>,
    /// Inclusive.
    pub from: Option<OffsetDateTime>,
    /// Exclusive.
    pub to: Option<OffsetDateTime>,
}

#[async_trait]
pub trait AuditStore: Send + Sync {
    async fn append(&self, events: Vec<AuditEvent>) -> Result<(), DbError>;
    /// Up to `limit` events matching `filter`, newest first, with ids below `before_id`.
    async fn list(
        &self,
        filter: AuditFilter,
        before_id: Option<i64>,
        limit: usize,
    ) -> Result<Vec<AuditEvent>, DbError>;
}

/// Events waiting to be written, at most.
const QUEUE: usize = 16_384;
/// Events written in one transaction, at most.
const BATCH: usize = 512;

/// The sending side of the trail; cheap to clone.
#[derive(Clone)]
pub struct AuditLog {
    queue: mpsc::Sender<AuditEvent>,
}

impl AuditLog {
    /// Starts the writing task. It ends, after writing what is queued, once every `AuditLog`
    /// clone is dropped; await the handle before closing the database.
    pub fn start(store: Arc<dyn AuditStore>) -> (AuditLog, JoinHandle<()>) {
        let (queue, mut events) = mpsc::channel(QUEUE);
        let task = tokio::spawn(async move {
            let mut batch = Vec::with_capacity(BATCH);
            while events.recv_many(&mut batch, BATCH).await > 0 {
                let n = batch.len();
                if let Err(e) = store.append(std::mem::take(&mut batch)).await {
                    tracing::error!(error = %e, events = n, "audit events could not be written");
                    crate::metrics::METRICS.audit_dropped.inc_by(n as u64);
                }
            }
        });
        (AuditLog { queue }, task)
    }

    /// Queues `event`; when the queue is full the event is logged and counted as dropped.
    pub fn record(&self, event: AuditEvent) {
        if let Err(e) = self.queue.try_send(event) {
            let event = match e {
                mpsc::error::TrySendError::Full(event)
                | mpsc::error::TrySendError::Closed(event) => event,
            };
            crate::metrics::METRICS.audit_dropped.inc();
            tracing::warn!(
                request_id = %event.request_id,
                operation = %event.operation,
                user = ?event.username,
                outcome = event.outcome.as_str(),
                "audit queue full; event not stored"
            );
        }
    }
}
