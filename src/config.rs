//! Configuration: `soapstone.toml` (path from `--config` / `SOAPSTONE_CONFIG`), overridden by
//! `SOAPSTONE_*` environment variables, overridden by command-line flags; checked as a whole,
//! with a clear message for anything invalid.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::db::Durability;
use crate::security::SecretKey;

/// Every setting, each optional: one layer of configuration (the file, or the command line
/// with the environment).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Layer {
    pub listen: Option<String>,
    pub db: Option<PathBuf>,
    pub durability: Option<String>,
    pub bench: Option<bool>,
    pub pages: Option<bool>,
    pub log_format: Option<String>,
    pub log_level: Option<String>,
    pub max_body: Option<usize>,
    pub max_attachments: Option<usize>,
    pub max_parts: Option<usize>,
    pub max_connections: Option<usize>,
    pub max_in_flight: Option<usize>,
    pub header_timeout: Option<f64>,
    pub body_timeout: Option<f64>,
    pub request_timeout: Option<f64>,
    pub db_max_bytes: Option<u64>,
    pub rate_limit: Option<f64>,
    pub rate_burst: Option<u32>,
    pub compress_min_bytes: Option<u16>,
    pub secret_key: Option<String>,
    pub session_ttl: Option<f64>,
    pub user_rate_limit: Option<f64>,
    pub tls_cert: Option<PathBuf>,
    pub tls_key: Option<PathBuf>,
    pub tls_client_ca: Option<PathBuf>,
    pub signature_ca: Option<PathBuf>,
    pub signature_cert: Option<PathBuf>,
    pub signature_key: Option<PathBuf>,
    pub trusted_proxies: Option<Vec<String>>,
    pub public_url: Option<String>,
    pub allow_plaintext_passwords: Option<bool>,
    pub timestamp_ttl: Option<f64>,
    pub clock_skew: Option<f64>,
    pub auth_failure_limit: Option<u32>,
    pub auth_backoff: Option<f64>,
    pub auth_backoff_max: Option<f64>,
    pub redis: Option<String>,
    pub otlp_endpoint: Option<String>,
    pub db_pool_size: Option<usize>,
    pub db_pool_wait: Option<f64>,
    pub page_token_key: Option<String>,
}

impl Layer {
    /// This layer, with `lower` filling what it leaves unset.
    pub fn over(self, lower: Layer) -> Layer {
        Layer {
            listen: self.listen.or(lower.listen),
            db: self.db.or(lower.db),
            durability: self.durability.or(lower.durability),
            bench: self.bench.or(lower.bench),
            pages: self.pages.or(lower.pages),
            log_format: self.log_format.or(lower.log_format),
            log_level: self.log_level.or(lower.log_level),
            max_body: self.max_body.or(lower.max_body),
            max_attachments: self.max_attachments.or(lower.max_attachments),
            max_parts: self.max_parts.or(lower.max_parts),
            max_connections: self.max_connections.or(lower.max_connections),
            max_in_flight: self.max_in_flight.or(lower.max_in_flight),
            header_timeout: self.header_timeout.or(lower.header_timeout),
            body_timeout: self.body_timeout.or(lower.body_timeout),
            request_timeout: self.request_timeout.or(lower.request_timeout),
            db_max_bytes: self.db_max_bytes.or(lower.db_max_bytes),
            rate_limit: self.rate_limit.or(lower.rate_limit),
            rate_burst: self.rate_burst.or(lower.rate_burst),
            compress_min_bytes: self.compress_min_bytes.or(lower.compress_min_bytes),
            secret_key: self.secret_key.or(lower.secret_key),
            session_ttl: self.session_ttl.or(lower.session_ttl),
            user_rate_limit: self.user_rate_limit.or(lower.user_rate_limit),
            tls_cert: self.tls_cert.or(lower.tls_cert),
            tls_key: self.tls_key.or(lower.tls_key),
            tls_client_ca: self.tls_client_ca.or(lower.tls_client_ca),
            signature_ca: self.signature_ca.or(lower.signature_ca),
            signature_cert: self.signature_cert.or(lower.signature_cert),
            signature_key: self.signature_key.or(lower.signature_key),
            trusted_proxies: self.trusted_proxies.or(lower.trusted_proxies),
            public_url: self.public_url.or(lower.public_url),
            allow_plaintext_passwords: self
                .allow_plaintext_passwords
                .or(lower.allow_plaintext_passwords),
            timestamp_ttl: self.timestamp_ttl.or(lower.timestamp_ttl),
            clock_skew: self.clock_skew.or(lower.clock_skew),
            auth_failure_limit: self.auth_failure_limit.or(lower.auth_failure_limit),
            auth_backoff: self.auth_backoff.or(lower.auth_backoff),
            auth_backoff_max: self.auth_backoff_max.or(lower.auth_backoff_max),
            redis: self.redis.or(lower.redis),
            otlp_endpoint: self.otlp_endpoint.or(lower.otlp_endpoint),
            db_pool_size: self.db_pool_size.or(lower.db_pool_size),
            db_pool_wait: self.db_pool_wait.or(lower.db_pool_wait),
            page_token_key: self.page_token_key.or(lower.page_token_key),
        }
    }

    /// The defaults, as a layer (what `config check` prints for unset keys); `log_level` is
    /// `RUST_LOG` when that is set.
    pub fn defaults() -> Layer {
        Layer {
            listen: Some("127.0.0.1:8080".into()),
            db: Some(PathBuf::from("./data/soapstone.db")),
            durability: Some("full".into()),
            bench: Some(true),
            pages: Some(true),
            log_format: Some("human".into()),
            log_level: Some(
                std::env::var("RUST_LOG")
                    .ok()
                    .filter(|v| !v.trim().is_empty())
                    .unwrap_or_else(|| "info".into()),
            ),
            max_body: Some(16 * 1024 * 1024),
            max_attachments: Some(64 * 1024 * 1024),
            max_parts: Some(16),
            max_connections: Some(1024),
            max_in_flight: Some(512),
            header_timeout: Some(10.0),
            body_timeout: Some(30.0),
            request_timeout: Some(30.0),
            db_max_bytes: None,
            rate_limit: Some(0.0),
            rate_burst: Some(50),
            compress_min_bytes: Some(1024),
            secret_key: None,
            session_ttl: Some(3600.0),
            user_rate_limit: Some(0.0),
            tls_cert: None,
            tls_key: None,
            tls_client_ca: None,
            signature_ca: None,
            signature_cert: None,
            signature_key: None,
            trusted_proxies: None,
            public_url: None,
            allow_plaintext_passwords: Some(false),
            timestamp_ttl: Some(300.0),
            clock_skew: Some(60.0),
            auth_failure_limit: Some(5),
            auth_backoff: Some(1.0),
            auth_backoff_max: Some(300.0),
            redis: None,
            otlp_endpoint: None,
            db_pool_size: Some(16),
            db_pool_wait: Some(2.0),
            page_token_key: None,
        }
    }
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Human,
    Json,
}

/// The effective, checked configuration.
#[derive(Debug, Clone)]
pub struct Settings {
    pub listen: SocketAddr,
    pub db: PathBuf,
    pub durability: Durability,
    pub bench: bool,
    /// Serve the service pages (`/services`, `/services/<Service>`, `/bench`).
    pub pages: bool,
    pub log_format: LogFormat,
    /// EnvFilter directives, e.g. `info` or `info,soapstone::access=warn`.
    pub log_level: String,
    pub max_body: usize,
    /// Largest total size of an MTOM request's attachments, in bytes.
    pub max_attachments: usize,
    /// Most attachments in an MTOM request.
    pub max_parts: usize,
    pub max_connections: usize,
    pub max_in_flight: usize,
    pub header_timeout: Duration,
    pub body_timeout: Duration,
    pub request_timeout: Duration,
    pub db_max_bytes: Option<u64>,
    /// Requests per second allowed per client address; 0 turns rate limiting off.
    pub rate_limit: f64,
    pub rate_burst: u32,
    /// Responses at least this large are compressed when the client accepts gzip or deflate.
    pub compress_min_bytes: u16,
    /// Seals UsernameToken digest secrets; without it PasswordDigest is refused.
    pub secret_key: Option<SecretKey>,
    /// How long a Login session lasts.
    pub session_ttl: Duration,
    /// Requests per second allowed per authenticated user (bursts of `rate_burst`); 0 turns
    /// it off.
    pub user_rate_limit: f64,
    pub tls: Option<TlsFiles>,
    /// CAs (PEM) that X.509 message signing certificates must chain to.
    pub signature_ca: Option<PathBuf>,
    /// The certificate and key (PEM) that sign the responses to signed requests.
    pub signature_signer: Option<SignerFiles>,
    /// Peers (addresses or CIDR blocks) whose forwarded headers are believed.
    pub trusted_proxies: Vec<String>,
    /// The address every served contract names, when set.
    pub public_url: Option<String>,
    /// Accept passwords in the clear over plain HTTP from other machines.
    pub allow_plaintext_passwords: bool,
    /// How old a message's wsu:Created may be.
    pub timestamp_ttl: Duration,
    /// How far in the future a wsu:Created may be.
    pub clock_skew: Duration,
    /// Failed authentications in a row before backoff (0: never), the first backoff and the
    /// longest.
    pub auth_failure_limit: u32,
    /// Redis, the state nodes share (product cache stamps, rate limits, nonces), when set.
    pub redis: Option<String>,
    /// The OpenTelemetry collector spans are exported to over OTLP/HTTP, when set.
    pub otlp_endpoint: Option<String>,
    /// PostgreSQL connections per node at most, and the longest wait for one.
    pub db_pool_size: usize,
    pub db_pool_wait: Duration,
    /// The key page tokens are sealed with, when configured (else the one stored in the
    /// database).
    pub page_token_key: Option<SecretKey>,
    pub auth_backoff: Duration,
    pub auth_backoff_max: Duration,
}

/// The PEM files responses to signed requests are signed with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignerFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
}

/// The PEM files HTTPS is served with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
    /// Client certificates are required and verified against these CAs (mTLS).
    pub client_ca: Option<PathBuf>,
}

/// A configuration that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the configuration file {path}: {reason}")]
    Read { path: String, reason: String },
    #[error("the configuration file {path} is not valid: {reason}")]
    Parse { path: String, reason: String },
    #[error("invalid configuration: {key} = {value}: {reason}")]
    Invalid {
        key: &'static str,
        value: String,
        reason: &'static str,
    },
}

/// Reads the file layer at `path` (none when `path` is `None`).
pub fn read_file(path: Option<&Path>) -> Result<Layer, ConfigError> {
    let Some(path) = path else {
        return Ok(Layer::default());
    };
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError::Read {
        path: shown.clone(),
        reason: e.to_string(),
    })?;
    toml::from_str(&text).map_err(|e| ConfigError::Parse {
        path: shown,
        reason: match e.span() {
            Some(span) => format!("{}: {}", position(&text, span.start), e.message()),
            None => e.message().to_string(),
        },
    })
}

/// Where byte `offset` of `text` is, as `line L, column C` (both from 1, columns in
/// characters).
fn position(text: &str, offset: usize) -> String {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |at| at + 1);
    let column = before[line_start..].chars().count() + 1;
    format!("line {line}, column {column}")
}

impl Settings {
    /// Checks `layer` (already merged over the defaults) and builds the settings.
    pub fn from_layer(layer: Layer) -> Result<Settings, ConfigError> {
        let defaults = Layer::defaults();
        let layer = layer.over(defaults);
        let invalid = |key: &'static str, value: String, reason: &'static str| {
            ConfigError::Invalid { key, value, reason }
        };
        let listen_text = layer.listen.unwrap_or_default();
        let Ok(listen) = listen_text.parse::<SocketAddr>() else {
            return Err(invalid(
                "listen",
                listen_text,
                "must be an address and port, e.g. 127.0.0.1:8080",
            ));
        };
        let durability = match layer.durability.as_deref() {
            Some("full") => Durability::Full,
            Some("normal") => Durability::Normal,
            other => {
                return Err(invalid(
                    "durability",
                    other.unwrap_or_default().into(),
                    "must be full or normal",
                ));
            }
        };
        let log_format = match layer.log_format.as_deref() {
            Some("human") => LogFormat::Human,
            Some("json") => LogFormat::Json,
            other => {
                return Err(invalid(
                    "log_format",
                    other.unwrap_or_default().into(),
                    "must be human or json",
                ));
            }
        };
        let log_level = layer.log_level.unwrap_or_default();
        if crate::logging::filter(&log_level).is_err() {
            return Err(invalid(
                "log_level",
                log_level,
                "must be a level (error, warn, info, debug, trace) or EnvFilter directives \
                 such as info,soapstone::access=warn",
            ));
        }
        let positive = |key: &'static str, value: Option<usize>| match value {
            Some(v) if v > 0 => Ok(v),
            v => Err(invalid(key, format!("{v:?}"), "must be at least 1")),
        };
        let seconds = |key: &'static str, value: Option<f64>| match value {
            Some(v) if v.is_finite() && v > 0.0 && v <= 86_400.0 => Ok(Duration::from_secs_f64(v)),
            v => Err(invalid(
                key,
                format!("{v:?}"),
                "must be seconds between 0 and 86400",
            )),
        };
        let rate_limit = layer.rate_limit.unwrap_or_default();
        if !rate_limit.is_finite() || rate_limit < 0.0 {
            return Err(invalid(
                "rate_limit",
                rate_limit.to_string(),
                "must be requests per second, 0 for none",
            ));
        }
        let user_rate_limit = layer.user_rate_limit.unwrap_or_default();
        if !user_rate_limit.is_finite() || user_rate_limit < 0.0 {
            return Err(invalid(
                "user_rate_limit",
                user_rate_limit.to_string(),
                "must be requests per second, 0 for none",
            ));
        }
        let rate_burst = layer.rate_burst.unwrap_or_default();
        if (rate_limit > 0.0 || user_rate_limit > 0.0) && rate_burst == 0 {
            return Err(invalid(
                "rate_burst",
                "0".into(),
                "must be at least 1 when rate_limit or user_rate_limit is set",
            ));
        }
        if let Some(bytes) = layer.db_max_bytes
            && bytes < 64 * 1024
        {
            return Err(invalid(
                "db_max_bytes",
                bytes.to_string(),
                "must be at least 65536",
            ));
        }
        let key = |name: &'static str, value: Option<&str>| match value {
            None | Some("") => Ok(None),
            Some(text) => SecretKey::from_hex(text).map(Some).map_err(|_| {
                invalid(
                    name,
                    "(hidden)".into(),
                    "must be 64 hexadecimal digits (32 bytes)",
                )
            }),
        };
        let secret_key = key("secret_key", layer.secret_key.as_deref())?;
        let page_token_key = key("page_token_key", layer.page_token_key.as_deref())?;
        let tls = match (layer.tls_cert, layer.tls_key, layer.tls_client_ca) {
            (None, None, None) => None,
            (Some(cert), Some(key), client_ca) => Some(TlsFiles {
                cert,
                key,
                client_ca,
            }),
            (cert, _, _) => {
                return Err(invalid(
                    if cert.is_some() {
                        "tls_key"
                    } else {
                        "tls_cert"
                    },
                    "(unset)".into(),
                    "tls_cert and tls_key must be given together (tls_client_ca needs both)",
                ));
            }
        };
        let signature_signer = match (layer.signature_cert, layer.signature_key) {
            (None, None) => None,
            (Some(cert), Some(key)) => Some(SignerFiles { cert, key }),
            (cert, _) => {
                return Err(invalid(
                    if cert.is_some() {
                        "signature_key"
                    } else {
                        "signature_cert"
                    },
                    "(unset)".into(),
                    "signature_cert and signature_key must be given together",
                ));
            }
        };
        let trusted_proxies = layer.trusted_proxies.unwrap_or_default();
        let public_url = layer.public_url.filter(|u| !u.is_empty());
        if let Err(e) = crate::binding::ProxyTrust::new(&trusted_proxies, None) {
            return Err(invalid(
                "trusted_proxies",
                e.0,
                "must be IP addresses or CIDR blocks, e.g. 10.0.0.0/8",
            ));
        }
        if let Some(url) = &public_url
            && !public_url_ok(url)
        {
            return Err(invalid(
                "public_url",
                url.clone(),
                "must be an http:// or https:// URL with a host, e.g. https://soap.example.com",
            ));
        }
        let auth_backoff = seconds("auth_backoff", layer.auth_backoff)?;
        let auth_backoff_max = seconds("auth_backoff_max", layer.auth_backoff_max)?;
        if auth_backoff_max < auth_backoff {
            return Err(invalid(
                "auth_backoff_max",
                auth_backoff_max.as_secs_f64().to_string(),
                "must be at least auth_backoff",
            ));
        }
        let redis = layer.redis.filter(|u| !u.is_empty());
        if let Some(url) = &redis
            && !(url.starts_with("redis://") || url.starts_with("rediss://"))
        {
            return Err(invalid(
                "redis",
                url.clone(),
                "must be a redis:// URL, e.g. redis://127.0.0.1:6379/0",
            ));
        }
        let otlp_endpoint = layer.otlp_endpoint.filter(|u| !u.is_empty());
        if let Some(url) = &otlp_endpoint
            && !(url.starts_with("http://") || url.starts_with("https://"))
        {
            return Err(invalid(
                "otlp_endpoint",
                url.clone(),
                "must be an http:// or https:// URL of an OTLP/HTTP collector, e.g. http://127.0.0.1:4318",
            ));
        }
        Ok(Settings {
            page_token_key,
            redis,
            otlp_endpoint,
            db_pool_size: positive("db_pool_size", layer.db_pool_size)?,
            db_pool_wait: seconds("db_pool_wait", layer.db_pool_wait)?,
            trusted_proxies,
            public_url,
            allow_plaintext_passwords: layer.allow_plaintext_passwords.unwrap_or(false),
            timestamp_ttl: seconds("timestamp_ttl", layer.timestamp_ttl)?,
            clock_skew: seconds("clock_skew", layer.clock_skew)?,
            auth_failure_limit: layer.auth_failure_limit.unwrap_or_default(),
            auth_backoff,
            auth_backoff_max,
            listen,
            db: layer.db.unwrap_or_default(),
            durability,
            bench: layer.bench.unwrap_or(true),
            pages: layer.pages.unwrap_or(true),
            log_format,
            log_level,
            max_body: positive("max_body", layer.max_body)?,
            max_attachments: positive("max_attachments", layer.max_attachments)?,
            max_parts: positive("max_parts", layer.max_parts)?,
            max_connections: positive("max_connections", layer.max_connections)?,
            max_in_flight: positive("max_in_flight", layer.max_in_flight)?,
            header_timeout: seconds("header_timeout", layer.header_timeout)?,
            body_timeout: seconds("body_timeout", layer.body_timeout)?,
            request_timeout: seconds("request_timeout", layer.request_timeout)?,
            db_max_bytes: layer.db_max_bytes,
            rate_limit,
            rate_burst,
            compress_min_bytes: layer.compress_min_bytes.unwrap_or_default(),
            secret_key,
            session_ttl: seconds("session_ttl", layer.session_ttl)?,
            user_rate_limit,
            tls,
            signature_ca: layer.signature_ca,
            signature_signer,
        })
    }

    /// The settings as TOML, every key spelled out but the secret key, which is never
    /// printed (what `config check` prints).
    pub fn to_toml(&self) -> String {
        toml::to_string(&self.to_layer()).unwrap_or_default()
    }

    /// The settings as a layer with every key set but the secret key.
    pub fn to_layer(&self) -> Layer {
        Layer {
            listen: Some(self.listen.to_string()),
            db: Some(self.db.clone()),
            durability: Some(
                match self.durability {
                    Durability::Full => "full",
                    Durability::Normal => "normal",
                }
                .into(),
            ),
            bench: Some(self.bench),
            pages: Some(self.pages),
            log_format: Some(
                match self.log_format {
                    LogFormat::Human => "human",
                    LogFormat::Json => "json",
                }
                .into(),
            ),
            log_level: Some(self.log_level.clone()),
            max_body: Some(self.max_body),
            max_attachments: Some(self.max_attachments),
            max_parts: Some(self.max_parts),
            max_connections: Some(self.max_connections),
            max_in_flight: Some(self.max_in_flight),
            header_timeout: Some(self.header_timeout.as_secs_f64()),
            body_timeout: Some(self.body_timeout.as_secs_f64()),
            request_timeout: Some(self.request_timeout.as_secs_f64()),
            db_max_bytes: self.db_max_bytes,
            rate_limit: Some(self.rate_limit),
            rate_burst: Some(self.rate_burst),
            compress_min_bytes: Some(self.compress_min_bytes),
            secret_key: None,
            session_ttl: Some(self.session_ttl.as_secs_f64()),
            user_rate_limit: Some(self.user_rate_limit),
            tls_cert: self.tls.as_ref().map(|t| t.cert.clone()),
            tls_key: self.tls.as_ref().map(|t| t.key.clone()),
            tls_client_ca: self.tls.as_ref().and_then(|t| t.client_ca.clone()),
            signature_ca: self.signature_ca.clone(),
            signature_cert: self.signature_signer.as_ref().map(|s| s.cert.clone()),
            signature_key: self.signature_signer.as_ref().map(|s| s.key.clone()),
            trusted_proxies: Some(self.trusted_proxies.clone()),
            public_url: self.public_url.clone(),
            allow_plaintext_passwords: Some(self.allow_plaintext_passwords),
            timestamp_ttl: Some(self.timestamp_ttl.as_secs_f64()),
            clock_skew: Some(self.clock_skew.as_secs_f64()),
            auth_failure_limit: Some(self.auth_failure_limit),
            auth_backoff: Some(self.auth_backoff.as_secs_f64()),
            auth_backoff_max: Some(self.auth_backoff_max.as_secs_f64()),
            redis: self.redis.clone(),
            otlp_endpoint: self.otlp_endpoint.clone(),
            db_pool_size: Some(self.db_pool_size),
            db_pool_wait: Some(self.db_pool_wait.as_secs_f64()),
            page_token_key: None,
        }
    }
}

/// An absolute http(s) URL with a host, holding nothing that could break the XML or the
/// URL it is written into.
fn public_url_ok(url: &str) -> bool {
    let Ok(uri) = url.parse::<http::Uri>() else {
        return false;
    };
    matches!(uri.scheme_str(), Some("http" | "https"))
        && uri.authority().is_some_and(|a| !a.host().is_empty())
        && uri.query().is_none()
        && !url.contains(['"', '\'', '<', '>', '&', '#'])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_over_file_over_defaults() {
        let file: Layer =
            toml::from_str("listen = \"0.0.0.0:9000\"\nmax_in_flight = 7\ndurability = \"normal\"")
                .unwrap();
        let flags = Layer {
            max_in_flight: Some(9),
            ..Layer::default()
        };
        let settings = Settings::from_layer(flags.over(file)).unwrap();
        assert_eq!(settings.listen.to_string(), "0.0.0.0:9000");
        assert_eq!(settings.max_in_flight, 9);
        assert_eq!(settings.durability, Durability::Normal);
        assert_eq!(settings.max_connections, 1024);
        let printed: Layer = toml::from_str(&settings.to_toml()).unwrap();
        assert_eq!(
            Settings::from_layer(printed).unwrap().to_toml(),
            settings.to_toml()
        );
    }

    #[test]
    fn refuses_invalid_values_and_unknown_keys() {
        let bad = |text: &str| {
            Settings::from_layer(toml::from_str(text).unwrap())
                .unwrap_err()
                .to_string()
        };
        assert!(bad("listen = \"nowhere\"").contains("listen"));
        assert!(bad("durability = \"sometimes\"").contains("durability"));
        assert!(bad("max_in_flight = 0").contains("max_in_flight"));
        assert!(bad("log_level = \"info,soapstone=loud\"").contains("log_level"));
        assert!(bad("body_timeout = -1.0").contains("body_timeout"));
        assert!(bad("rate_limit = 5.0\nrate_burst = 0").contains("rate_burst"));
        assert!(bad("tls_cert = \"c.pem\"").contains("tls_key"));
        assert!(bad("signature_cert = \"c.pem\"").contains("signature_key"));
        assert!(bad("signature_key = \"k.pem\"").contains("signature_cert"));
        assert!(bad("trusted_proxies = [\"10.0.0.0/8\", \"proxy\"]").contains("proxy"));
        assert!(bad("public_url = \"ftp://x\"").contains("public_url"));
        assert!(bad("public_url = \"https://x/\\\"a\"").contains("public_url"));
        assert!(bad("auth_backoff = 10.0\nauth_backoff_max = 5.0").contains("auth_backoff_max"));
        assert!(bad("timestamp_ttl = 0.0").contains("timestamp_ttl"));
        assert!(toml::from_str::<Layer>("lisen = \"x\"").is_err());
    }
}
