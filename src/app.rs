//! Assembles the application: database, repositories, services, their SOAP endpoints and
//! contracts, and the routes the HTTP binding serves.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use rand::RngCore;

use crate::auth::{self, AuthService};
use crate::bench;
use crate::binding::{Mount, Probe, ProxyTrust, RequestLimits, Routes};
use crate::catalog::{self, CacheMode, CatalogService, ProductCache};
use crate::common::PageTokens;
use crate::contract::{Bound, Contract, ContractError, RegistrationError, check_registration};
use crate::db::{DbError, DbOptions};
use crate::dispatch::SoapService;
use crate::endpoint::{Endpoint, Guard};
use crate::orders::{self, OrderService};
use crate::pages::service_docs;
use crate::pg::PgOptions;
use crate::security::audit::AuditLog;
use crate::security::{
    Authenticator, CredentialCache, PasswordError, Passwords, SecurityConfig, SecurityError,
    SecurityGuard,
};
use crate::shared::{Redis, RedisError, SharedVersions};
use crate::storage::Storage;
use crate::users::{self, UserService};
use crate::xml::XmlLimits;

/// Everything the application needs to start.
#[derive(Debug, Clone)]
pub struct AppConfig {
    /// The SQLite database, unless `postgres` is set.
    pub db: DbOptions,
    /// PostgreSQL instead of SQLite, when set.
    pub postgres: Option<PgOptions>,
    pub limits: XmlLimits,
    /// HTTP-level limits on SOAP requests.
    pub requests: RequestLimits,
    /// How long an operation handler may run before the request gets a Server fault.
    pub deadline: std::time::Duration,
    /// Serve the benchmark contract at `/bench`.
    pub bench: bool,
    /// Serve the HTML service pages (the contracts are served either way).
    pub pages: bool,
    /// Products the in-process product cache holds at most.
    pub product_cache_capacity: u64,
    /// Users, and as many sessions, the credential cache holds at most.
    pub credential_cache_capacity: u64,
    pub security: SecurityConfig,
    /// Trusted proxies and the public address of the served contracts.
    pub proxies: ProxyTrust,
    /// Redis shared by the nodes, when set.
    pub redis: Option<String>,
    /// The page-token key, when configured (else the one stored in the database).
    pub page_token_key: Option<[u8; 32]>,
}

impl AppConfig {
    pub fn new(db: DbOptions) -> Self {
        AppConfig {
            db,
            postgres: None,
            limits: XmlLimits::default(),
            requests: RequestLimits::default(),
            deadline: std::time::Duration::from_secs(30),
            bench: true,
            pages: true,
            product_cache_capacity: 10_000,
            credential_cache_capacity: 10_000,
            security: SecurityConfig::default(),
            proxies: ProxyTrust::default(),
            redis: None,
            page_token_key: None,
        }
    }
}

/// Why the application could not start.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Db(#[from] DbError),
    #[error(transparent)]
    Contract(#[from] ContractError),
    #[error(transparent)]
    Registration(#[from] RegistrationError),
    #[error(transparent)]
    Password(#[from] PasswordError),
    #[error(transparent)]
    Security(#[from] SecurityError),
    #[error(transparent)]
    Redis(#[from] RedisError),
}

/// The running application's parts.
pub struct App {
    pub routes: Arc<Routes>,
    pub db: Storage,
    /// Writes the audit trail; ends once the routes are dropped.
    pub audit: tokio::task::JoinHandle<()>,
    /// Purges expired nonces and sessions; abort it on shutdown.
    pub purge: tokio::task::JoinHandle<()>,
    /// Publishes the credential generation to Redis (PostgreSQL with Redis); abort it on
    /// shutdown.
    pub publisher: Option<tokio::task::JoinHandle<()>>,
}

impl App {
    /// Stops the background tasks and closes the database, once the server has stopped
    /// (every route dropped); false when the database did not close within `wait`.
    pub async fn shutdown(self, wait: std::time::Duration) -> bool {
        let App {
            routes,
            db,
            audit,
            purge,
            publisher,
        } = self;
        drop(routes);
        purge.abort();
        if let Some(publisher) = publisher {
            publisher.abort();
        }
        if tokio::time::timeout(wait, audit).await.is_err() {
            tracing::warn!("the audit trail was not written in time");
        }
        db.close(wait).await
    }
}

/// Opens the database and mounts every service.
pub async fn build(config: &AppConfig) -> Result<App, AppError> {
    let db = Storage::open(&config.db, config.postgres.as_ref()).await?;
    let key = match config.page_token_key {
        Some(key) => key,
        None => db
            .setting_or_init("page_token_key", || {
                let mut key = vec![0u8; 32];
                rand::rng().fill_bytes(&mut key);
                key
            })
            .await?
            .try_into()
            .map_err(|_| DbError::Sqlite("the stored page token key is not 32 bytes".into()))?,
    };
    let tokens = PageTokens::new(key);

    let redis = config.redis.as_deref().map(Redis::new).transpose()?;
    let mut security = config.security.clone();
    security.shared = redis.clone();
    let passwords = Passwords::new(config.security.hash_concurrency)?;
    let credentials = CredentialCache::new(
        db.credentials(),
        db.credential_freshness(redis.as_ref()).await?,
        config.credential_cache_capacity,
    );
    let changes = credentials.changes();
    let publisher = changes.spawn_publisher();
    let authenticator = Authenticator::new(
        db.credentials(),
        credentials,
        passwords.clone(),
        security,
        config.limits.clone(),
    )?;
    let audit_store = db.audit();
    let (audit_log, audit) = AuditLog::start(audit_store.clone());
    let purge = authenticator.spawn_purge(std::time::Duration::from_secs(60));
    let guard: Arc<dyn Guard> = Arc::new(SecurityGuard::new(authenticator.clone(), audit_log));

    let users = UserService::new(db.users(), tokens.clone(), passwords, changes);
    let auth = AuthService::new(authenticator, audit_store, tokens.clone());
    let cache = match (&redis, &db) {
        (Some(redis), _) => CacheMode::Shared(SharedVersions::new(redis.clone())),
        (None, Storage::Sqlite(_)) => CacheMode::Local,
        (None, Storage::Postgres(_)) => CacheMode::Off,
    };
    let products = ProductCache::new(config.product_cache_capacity, cache);
    let catalog = CatalogService::new(db.products(), products.clone(), tokens.clone());
    let orders = OrderService::new(db.orders(), products, tokens);
    let mut mounts = vec![
        mount(
            "/services/UserService",
            Arc::new(users::soap_service(users)),
            "UserService.wsdl",
            users::WSDL,
            config,
        )?
        .guarded(&guard),
        mount(
            "/services/CatalogService",
            Arc::new(catalog::soap_service(catalog)),
            "CatalogService.wsdl",
            catalog::WSDL,
            config,
        )?
        .guarded(&guard),
        mount(
            "/services/OrderService",
            Arc::new(orders::soap_service(orders)),
            "OrderService.wsdl",
            orders::WSDL,
            config,
        )?
        .guarded(&guard),
        mount(
            "/services/AuthService",
            Arc::new(auth::soap_service(auth)),
            "AuthService.wsdl",
            auth::WSDL,
            config,
        )?
        .guarded(&guard),
    ];
    if config.bench {
        mounts.push(mount(
            "/bench",
            Arc::new(bench::soap_service()),
            "BenchService.wsdl",
            bench::WSDL,
            config,
        )?);
    }
    Ok(App {
        routes: Arc::new(
            Routes::new(
                mounts,
                config.requests.clone(),
                Arc::new(DatabaseProbe(db.clone())),
                config.proxies.clone(),
            )
            .with_pages(config.pages)
            .with_shared_limits(redis),
        ),
        db,
        audit,
        purge,
        publisher,
    })
}

/// `/ready` and `/metrics` answered from the database.
struct DatabaseProbe(Storage);

impl Probe for DatabaseProbe {
    fn ready(&self) -> Pin<Box<dyn Future<Output = Result<(), String>> + Send + '_>> {
        Box::pin(async move { self.0.ready().await.map_err(|e| e.to_string()) })
    }

    fn update_gauges(&self) {
        let gauge = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
        let metrics = &crate::metrics::METRICS;
        match &self.0 {
            Storage::Sqlite(db) => {
                metrics.writer_queue.set(gauge(db.writer.queue_depth()));
            }
            Storage::Postgres(db) => {
                let (open, idle) = db.pool_status();
                metrics.db_pool_connections.set(gauge(open));
                metrics.db_pool_idle.set(gauge(idle));
            }
        }
    }
}

fn mount(
    path: &str,
    service: Arc<dyn SoapService>,
    wsdl_name: &str,
    wsdl: &'static str,
    config: &AppConfig,
) -> Result<Mount, AppError> {
    let bound: Vec<Bound<'_>> = service.operations().iter().map(|op| op.bound()).collect();
    let described = service.contract();
    check_registration(described, &bound)?;
    let contract = Contract::new(path, wsdl_name, wsdl)?;
    let endpoint = Endpoint::new(service, config.limits.clone())
        .with_deadline(config.deadline)
        .with_actions(contract.actions().clone());
    Ok(Mount {
        docs: service_docs(described),
        contract,
        endpoint,
        path: path.to_string(),
    })
}
