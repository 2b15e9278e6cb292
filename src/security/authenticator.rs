//! Authentication: establishes the caller of a request from, in this order, a `wsse:Security`
//! header (an X.509 signature, a UsernameToken, or both — every token in it is verified and
//! all must name the same user), a `SessionToken` header, or a verified TLS client
//! certificate. Checks the freshness of Created and Timestamp, replays of nonces and of signed
//! messages, passwords (one argon2 check shared by concurrent requests with the same
//! credentials, throttled after repeated failures, refused in the clear over plain HTTP),
//! digests and sessions. Users and sessions are read through the [`CredentialCache`], which
//! serves a copy only while the database's credential generation says it is current.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use hmac::{Hmac, Mac};
use openssl::x509::store::X509Store;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use super::credential_cache::CredentialCache;
use super::error::AuthFailure;
use super::schema::{SessionToken, SessionTokenValue};
use super::signature::{SignatureError, VerifyOptions, verify_with_store};
use super::signer::ResponseSigner;
use super::store::{CredentialStore, Credentials};
use super::throttle::{Throttle, ThrottleConfig};
use super::wsse::{self, PasswordType, SecurityHeader, Timestamp, UsernameToken, WSSE_NS};
use super::{AuthMethod, Caller, Passwords, SecretKey, SecurityError, SessionRef};
use crate::codec::decode_message;
use crate::common::{Client, Reloadable, now};
use crate::dispatch::RequestContext;
use crate::identity::UserStatus;
use crate::shared::{Redis, SharedNonces};
use crate::soap::HeaderTarget;
use crate::xml::XmlLimits;

/// The namespace of the SessionToken header and of AuthService's messages.
pub const SECURITY_NS: &str = super::schema::SECURITY.uri;

/// Authentication settings.
#[derive(Clone)]
pub struct SecurityConfig {
    /// How old a `wsu:Created` may be, in a Timestamp or a UsernameToken, whatever the
    /// Timestamp's Expires says (and so how long nonces and signatures are remembered).
    pub timestamp_ttl: Duration,
    /// How far in the future a Created may be, for clock skew.
    pub clock_skew: Duration,
    /// Accept PasswordText (and Login) over plain HTTP from other machines.
    pub allow_plaintext_passwords: bool,
    /// Backoff after repeated authentication failures.
    pub throttle: ThrottleConfig,
    /// How long a Login session lasts.
    pub session_ttl: Duration,
    /// Seals digest secrets; without it PasswordDigest is refused.
    pub secret_key: Option<SecretKey>,
    /// Password hashes computed at once, at most.
    pub hash_concurrency: usize,
    /// Requests per second allowed per authenticated user (0: no limit), with bursts of
    /// `user_rate_burst`.
    pub user_rate_limit: f64,
    pub user_rate_burst: u32,
    /// CAs that X.509 signing certificates must chain to; without them signed messages are
    /// refused. Replaced on SIGHUP.
    pub signature_trust: Reloadable<Option<Arc<X509Store>>>,
    /// Signs the responses to signed requests; without it they go out unsigned.
    pub response_signer: Option<Arc<ResponseSigner>>,
    /// Redis, when the nodes share one: per-user rate limits across nodes and a fast path
    /// for replayed nonces.
    pub shared: Option<Redis>,
}

impl std::fmt::Debug for SecurityConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecurityConfig")
            .field("timestamp_ttl", &self.timestamp_ttl)
            .field("clock_skew", &self.clock_skew)
            .field("allow_plaintext_passwords", &self.allow_plaintext_passwords)
            .field("throttle", &self.throttle)
            .field("session_ttl", &self.session_ttl)
            .field("secret_key", &self.secret_key)
            .field("hash_concurrency", &self.hash_concurrency)
            .field("user_rate_limit", &self.user_rate_limit)
            .field("signature_trust", &self.signature_trust.get().is_some())
            .field("response_signer", &self.response_signer.is_some())
            .field("shared", &self.shared.is_some())
            .finish()
    }
}

impl Default for SecurityConfig {
    fn default() -> Self {
        SecurityConfig {
            timestamp_ttl: Duration::from_secs(300),
            clock_skew: Duration::from_secs(60),
            allow_plaintext_passwords: false,
            throttle: ThrottleConfig::default(),
            session_ttl: Duration::from_secs(3600),
            secret_key: None,
            hash_concurrency: 4,
            user_rate_limit: 0.0,
            user_rate_burst: 50,
            signature_trust: Reloadable::default(),
            response_signer: None,
            shared: None,
        }
    }
}

/// How long a verified PasswordText is remembered, so that a client sending the same
/// UsernameToken on every call pays for argon2 once.
const VERIFIED_TTL: Duration = Duration::from_secs(300);

/// A new Login session: the token to hand out and when it expires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSession {
    pub token: String,
    pub expires_at: OffsetDateTime,
}

/// Authenticates requests; cheap to clone.
#[derive(Clone)]
pub struct Authenticator {
    store: Arc<dyn CredentialStore>,
    credentials: CredentialCache,
    passwords: Passwords,
    config: Arc<SecurityConfig>,
    limits: XmlLimits,
    /// HMAC(key, username ‖ 0 ‖ password ‖ 0 ‖ stored hash) of passwords that verified;
    /// concurrent first checks of the same key share one computation.
    verified: moka::future::Cache<[u8; 32], ()>,
    /// The HMAC keyed once (its padded key blocks hashed), cloned for each check.
    verified_mac: Arc<Hmac<Sha256>>,
    throttle: Arc<Throttle>,
    /// Replays Redis has seen, refused before the durable store is asked.
    nonces: Option<SharedNonces>,
}

/// Keys of signed messages in the nonce store, apart from any UsernameToken nonce.
const SIGNATURE_REPLAY_PREFIX: &[u8] = b"\0signature-sha256:";

fn hash_token(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

fn seconds(d: Duration) -> time::Duration {
    time::Duration::try_from(d).unwrap_or(time::Duration::MAX)
}

impl Authenticator {
    pub fn new(
        store: Arc<dyn CredentialStore>,
        credentials: CredentialCache,
        passwords: Passwords,
        config: SecurityConfig,
        limits: XmlLimits,
    ) -> Result<Self, SecurityError> {
        let mut key = [0u8; 32];
        openssl::rand::rand_bytes(&mut key)
            .map_err(|e| SecurityError::InvalidSecurity(e.to_string()))?;
        Ok(Authenticator {
            store,
            credentials,
            passwords,
            throttle: Arc::new(Throttle::new(config.throttle, config.shared.clone())),
            nonces: config.shared.clone().map(SharedNonces::new),
            config: Arc::new(config),
            limits,
            verified: moka::future::Cache::builder()
                .max_capacity(10_000)
                .time_to_live(VERIFIED_TTL)
                .build(),
            verified_mac: Arc::new(
                <Hmac<Sha256> as Mac>::new_from_slice(&key).expect("HMAC takes any key length"),
            ),
        })
    }

    pub fn config(&self) -> &SecurityConfig {
        &self.config
    }

    /// The caller of `operation`, or why there is none.
    pub async fn authenticate(
        &self,
        cx: &RequestContext,
        operation: &'static str,
    ) -> Result<Caller, SecurityError> {
        let at = now();
        let caller = self.identify(cx, at).await?;
        Ok(Caller {
            operation,
            ..caller
        })
    }

    async fn identify(
        &self,
        cx: &RequestContext,
        at: OffsetDateTime,
    ) -> Result<Caller, SecurityError> {
        let ours = || cx.headers.iter().filter(|h| h.target == HeaderTarget::Us);
        let mut security = ours().filter(|h| h.is(WSSE_NS, "Security"));
        if let Some(block) = security.next() {
            if security.next().is_some() {
                return Err(SecurityError::InvalidSecurity(
                    "more than one wsse:Security header is addressed to this server".into(),
                ));
            }
            let reader = cx
                .header_reader(block, self.limits.clone())
                .ok_or_else(|| SecurityError::InvalidSecurity("unreadable header".into()))?;
            let header = wsse::parse(reader)?;
            if let Some(caller) = self.security_header(header, cx, at).await? {
                return Ok(caller);
            }
        }
        if let Some(block) = ours().find(|h| h.is(SECURITY_NS, "SessionToken")) {
            let token = cx
                .header_reader(block, self.limits.clone())
                .and_then(|mut reader| {
                    reader.next_event().ok()?;
                    decode_message::<SessionToken>(&mut reader, None).ok()
                })
                .map(|SessionToken(SessionTokenValue(token))| token)
                .unwrap_or_default();
            return self.session(token.trim(), at).await;
        }
        if let Some(subject) = &cx.client_certificate {
            return self
                .named_by_certificate(subject, AuthMethod::Certificate)
                .await;
        }
        Err(SecurityError::FailedAuthentication(
            AuthFailure::NoCredentials,
        ))
    }

    /// Every token of the header, verified: the signature (when the message is signed) and
    /// the UsernameToken (when there is one) must both check out and name the same user.
    async fn security_header(
        &self,
        header: SecurityHeader,
        cx: &RequestContext,
        at: OffsetDateTime,
    ) -> Result<Option<Caller>, SecurityError> {
        if let Some(stamp) = &header.timestamp {
            self.check_timestamp(stamp, at)?;
        }
        let signed = if header.signed {
            if cx.packaged {
                return Err(SecurityError::InvalidSecurity(
                    "X.509 signatures over MTOM/XOP packages are not verified (the XOP-aware \
                     canonicalization is not implemented): sign the message and send it \
                     without MTOM, with the binary content inline"
                        .into(),
                ));
            }
            let document = cx
                .document_str()
                .ok_or_else(|| SecurityError::InvalidSecurity("unreadable document".into()))?;
            Some(self.signature(document, header.timestamp.as_ref()).await?)
        } else {
            None
        };
        let token = match header.username_token {
            Some(token) => Some(self.username_token(token, cx, at).await?),
            None => None,
        };
        let Some((signer, replay_key, created)) = signed else {
            return Ok(token);
        };
        if token.as_ref().is_some_and(|t| t.user_id != signer.user_id) {
            return Err(SecurityError::InvalidSecurity(
                "the signature and the UsernameToken name different users".into(),
            ));
        }
        self.remember_once(
            replay_key,
            created,
            at,
            "this signed message has been accepted",
        )
        .await?;
        Ok(Some(signer))
    }

    /// Records `key` (a nonce, or a signed message's) for as long as a message created at
    /// `created` can be fresh; a key recorded before is a replay: `{what} before`.
    async fn remember_once(
        &self,
        key: Vec<u8>,
        created: OffsetDateTime,
        at: OffsetDateTime,
        what: &str,
    ) -> Result<(), SecurityError> {
        let keep_until =
            created.max(at) + seconds(self.config.timestamp_ttl + self.config.clock_skew);
        let replayed = || {
            Err(SecurityError::Replayed(format!(
                "{what} before (a replayed message)"
            )))
        };
        if let Some(nonces) = &self.nonces {
            let ttl = u64::try_from((keep_until - at).whole_seconds()).unwrap_or(1);
            if !nonces.first_sighting(&key, ttl).await {
                return replayed();
            }
        }
        if self
            .store
            .remember_nonce(key, keep_until)
            .await
            .map_err(storage)?
        {
            Ok(())
        } else {
            replayed()
        }
    }

    /// A Timestamp's Expires must be ahead and its Created neither older than the TTL nor
    /// further ahead than the clock skew (a late Expires does not extend the TTL).
    fn check_timestamp(&self, stamp: &Timestamp, at: OffsetDateTime) -> Result<(), SecurityError> {
        if let Some(expires) = stamp.expires
            && expires <= at
        {
            return Err(SecurityError::MessageExpired(
                "the Timestamp has expired".into(),
            ));
        }
        match stamp.created {
            Some(created) => self.check_created(created, at, "Timestamp"),
            None => Ok(()),
        }
    }

    fn check_created(
        &self,
        created: OffsetDateTime,
        at: OffsetDateTime,
        what: &str,
    ) -> Result<(), SecurityError> {
        if created < at - seconds(self.config.timestamp_ttl) {
            return Err(SecurityError::MessageExpired(format!(
                "the {what} was created more than {} s ago",
                self.config.timestamp_ttl.as_secs()
            )));
        }
        if created > at + seconds(self.config.clock_skew) {
            return Err(SecurityError::MessageExpired(format!(
                "the {what} was created in the future"
            )));
        }
        Ok(())
    }

    /// Refuses a password sent in the clear over plain HTTP from another machine, unless the
    /// configuration allows it.
    fn check_transport(&self, client: Client) -> Result<(), SecurityError> {
        if self.config.allow_plaintext_passwords || client.transport.protects_passwords() {
            return Ok(());
        }
        tracing::warn!(
            client = ?client.ip,
            "refused a password sent in the clear over plain HTTP: use HTTPS, a PasswordDigest \
             or a session (or set allow_plaintext_passwords)"
        );
        Err(SecurityError::FailedAuthentication(
            AuthFailure::PlaintextOverHttp,
        ))
    }

    async fn username_token(
        &self,
        token: UsernameToken,
        cx: &RequestContext,
        at: OffsetDateTime,
    ) -> Result<Caller, SecurityError> {
        if let Some((_, created)) = &token.created {
            self.check_created(*created, at, "UsernameToken")?;
        }
        let Some((kind, password)) = token.password else {
            return Err(SecurityError::FailedAuthentication(
                AuthFailure::NoCredentials,
            ));
        };
        let client = Client {
            ip: cx.client_ip,
            transport: cx.transport,
        };
        if kind == PasswordType::Text {
            self.check_transport(client)?;
        }
        self.check_throttle(&token.username, client.ip).await?;
        let user = self
            .credentials
            .user(&token.username)
            .await
            .map_err(storage)?;
        let (verified, method) = match kind {
            PasswordType::Text => (
                self.check_password(user.as_ref(), &token.username, password)
                    .await,
                AuthMethod::Password,
            ),
            PasswordType::Digest => {
                let (Some(nonce), Some((created, _))) = (&token.nonce, &token.created) else {
                    return Err(SecurityError::InvalidSecurityToken(
                        "a PasswordDigest needs a Nonce and a Created".into(),
                    ));
                };
                (
                    self.check_digest(user.as_ref(), nonce, created, &password),
                    AuthMethod::Digest,
                )
            }
        };
        let user = self
            .settle(&token.username, client.ip, user.filter(|_| verified))
            .await?;
        if let Some(nonce) = token.nonce {
            let created = token.created.map_or(at, |(_, c)| c);
            self.remember_once(nonce, created, at, "the Nonce has been used")
                .await?;
        }
        Ok(caller(user, method, None))
    }

    /// Refuses an attempt for `username` from `ip` during a backoff, after waiting as long as
    /// a password check would take.
    async fn check_throttle(
        &self,
        username: &str,
        ip: Option<IpAddr>,
    ) -> Result<(), SecurityError> {
        if !self.throttle.is_blocked(username, ip).await {
            return Ok(());
        }
        crate::metrics::METRICS.auth_throttled.inc();
        tracing::warn!(client = ?ip, "authentication throttled after repeated failures");
        self.throttle.pause().await;
        Err(SecurityError::Throttled)
    }

    /// The active user whose credentials checked out, counting the attempt for throttling.
    async fn settle(
        &self,
        username: &str,
        ip: Option<IpAddr>,
        user: Option<Credentials>,
    ) -> Result<Credentials, SecurityError> {
        let user = active(user);
        self.throttle.record(username, ip, user.is_ok()).await;
        user
    }

    fn verified_key(&self, username: &str, password: &str, hash: Option<&str>) -> [u8; 32] {
        let mut mac = Hmac::clone(&self.verified_mac);
        for part in [username, password, hash.unwrap_or_default()] {
            mac.update(part.as_bytes());
            mac.update(&[0]);
        }
        mac.finalize().into_bytes().into()
    }

    /// Whether `password` is the user's: remembered for a while once it verified, and
    /// computed once for any number of concurrent checks of the same credentials.
    async fn check_password(
        &self,
        user: Option<&Credentials>,
        username: &str,
        password: String,
    ) -> bool {
        let hash = user.and_then(|u| u.password_hash.clone());
        let key = self.verified_key(username, &password, hash.as_deref());
        let passwords = self.passwords.clone();
        let throttle = self.throttle.clone();
        self.verified
            .try_get_with(key, async move {
                let started = Instant::now();
                let ok = passwords.verify(hash, password).await;
                throttle.observe_check(started.elapsed());
                if ok { Ok(()) } else { Err(()) }
            })
            .await
            .is_ok()
    }

    fn check_digest(
        &self,
        user: Option<&Credentials>,
        nonce: &[u8],
        created: &str,
        digest: &str,
    ) -> bool {
        let secret = match (user, &self.config.secret_key) {
            (Some(user), Some(key)) => user
                .digest_secret
                .as_deref()
                .and_then(|sealed| match key.open(user.user_id, sealed) {
                    Ok(secret) => Some(secret),
                    Err(e) => {
                        tracing::error!(user = %user.username, error = %e, "a digest secret did not open");
                        None
                    }
                }),
            _ => None,
        };
        let real = secret.is_some();
        let secret = secret.unwrap_or_else(|| b"no secret: compared for equal time".to_vec());
        let mut sha1 = openssl::sha::Sha1::new();
        sha1.update(nonce);
        sha1.update(created.as_bytes());
        sha1.update(&secret);
        let expected = sha1.finish();
        let given = STANDARD
            .decode(digest.trim().as_bytes())
            .unwrap_or_default();
        let equal = given.len() == expected.len() && openssl::memcmp::eq(&given, &expected);
        real && equal
    }

    /// Verifies an X.509 signature over the Body and the Timestamp (off the async threads:
    /// libxml2 documents are not Send) and maps the certificate's subject CN to its user.
    /// Also returns the key under which the message is remembered against replays and the
    /// Created it is fresh from.
    async fn signature(
        &self,
        document: &str,
        stamp: Option<&Timestamp>,
    ) -> Result<(Caller, Vec<u8>, OffsetDateTime), SecurityError> {
        let Some(created) = stamp.and_then(|s| s.created) else {
            return Err(SecurityError::InvalidSecurity(
                "a signed message needs a signed wsu:Timestamp with a Created".into(),
            ));
        };
        let Some(store) = self.config.signature_trust.get() else {
            return Err(SecurityError::InvalidSecurity(
                "X.509 signatures are not accepted: the server has no signature CA configured"
                    .into(),
            ));
        };
        let document = document.to_string();
        let verified = tokio::task::spawn_blocking(move || {
            verify_with_store(&document, &store, VerifyOptions::default())
        })
        .await
        .map_err(|_| SecurityError::InvalidSecurity("signature verification failed".into()))?
        .map_err(|e| match e {
            SignatureError::InvalidSecurity(m) => SecurityError::InvalidSecurity(m),
            SignatureError::InvalidSecurityToken(m) => SecurityError::InvalidSecurityToken(m),
            SignatureError::FailedCheck(m) => SecurityError::FailedCheck(m),
        })?;
        let caller = self
            .named_by_certificate(&verified.subject_cn, AuthMethod::Signature)
            .await?;
        let replay_key = [SIGNATURE_REPLAY_PREFIX, &verified.value_digest].concat();
        Ok((caller, replay_key, created))
    }

    async fn session(&self, token: &str, at: OffsetDateTime) -> Result<Caller, SecurityError> {
        if token.is_empty() || token.len() > 128 {
            return Err(SecurityError::FailedAuthentication(AuthFailure::Session));
        }
        let token_hash = hash_token(token);
        let (user, expires_at) = self
            .credentials
            .session(token_hash, at)
            .await
            .map_err(storage)?
            .ok_or(SecurityError::FailedAuthentication(AuthFailure::Session))?;
        let session = SessionRef {
            token_hash,
            expires_at,
        };
        Ok(caller(
            active(Some(user))?,
            AuthMethod::Session,
            Some(session),
        ))
    }

    /// The active user a verified certificate (TLS or signature) names by its subject CN.
    async fn named_by_certificate(
        &self,
        subject: &str,
        method: AuthMethod,
    ) -> Result<Caller, SecurityError> {
        let user = self.credentials.user(subject).await.map_err(storage)?;
        Ok(caller(active(user)?, method, None))
    }

    /// Checks a Login: the user's password, as PasswordText would be checked (transport,
    /// throttling and all).
    pub async fn login(
        &self,
        username: &str,
        password: String,
        client: Client,
    ) -> Result<NewSession, SecurityError> {
        let user = async {
            self.check_transport(client)?;
            self.check_throttle(username, client.ip).await?;
            let user = self.credentials.user(username).await.map_err(storage)?;
            let verified = self.check_password(user.as_ref(), username, password).await;
            self.settle(username, client.ip, user.filter(|_| verified))
                .await
        }
        .await
        .inspect_err(|_| {
            crate::metrics::METRICS.auth_failures.inc();
        })?;
        let mut raw = [0u8; 32];
        openssl::rand::rand_bytes(&mut raw)
            .map_err(|e| SecurityError::InvalidSecurity(e.to_string()))?;
        let token = URL_SAFE_NO_PAD.encode(raw);
        let at = now();
        let expires_at = at + seconds(self.config.session_ttl);
        self.store
            .create_session(hash_token(&token), user.user_id, at, expires_at)
            .await
            .map_err(storage)?;
        Ok(NewSession { token, expires_at })
    }

    /// Ends the session the caller authenticated with, if it did with one; no node accepts
    /// it once this has returned.
    pub async fn logout(&self, caller: &Caller) -> Result<bool, SecurityError> {
        let Some(session) = &caller.session else {
            return Ok(false);
        };
        let ended = self
            .store
            .end_session(session.token_hash)
            .await
            .map_err(storage)?;
        self.credentials.changes().committed().await;
        Ok(ended)
    }

    /// Deletes expired nonces and sessions now and then, until the store goes away.
    pub fn spawn_purge(&self, every: Duration) -> tokio::task::JoinHandle<()> {
        let store = Arc::downgrade(&self.store);
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(every);
            ticks.tick().await;
            loop {
                ticks.tick().await;
                let Some(store) = store.upgrade() else { return };
                if let Err(e) = store.purge_expired(now()).await {
                    tracing::warn!(error = %e, "purging expired nonces and sessions failed");
                }
            }
        })
    }
}

/// The user, if there is one and it is not suspended.
fn active(user: Option<Credentials>) -> Result<Credentials, SecurityError> {
    user.filter(|u| u.status == UserStatus::Active)
        .ok_or(SecurityError::FailedAuthentication(
            AuthFailure::Credentials,
        ))
}

fn caller(user: Credentials, method: AuthMethod, session: Option<SessionRef>) -> Caller {
    Caller {
        user_id: user.user_id,
        username: user.username,
        roles: user.roles,
        method,
        session,
        operation: "",
    }
}

/// Storage failures while authenticating are the server's fault, not the caller's.
fn storage(error: crate::db::DbError) -> SecurityError {
    tracing::error!(error = %error, "authentication could not read its store");
    SecurityError::Unavailable
}
