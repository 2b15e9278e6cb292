//! SIGHUP: reads the configuration again the way the server was started (the same file, the
//! flags and environment it was given) and applies what can change safely while serving: the
//! TLS certificate, key and client CAs (for new connections; open ones keep theirs), the
//! signature CA and the log filter. Everything is built before anything is swapped, so a
//! reload that fails changes nothing; other changed settings are reported as needing a
//! restart and left as they are.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use openssl::x509::store::X509Store;

use crate::binding::{Tls, TlsError};
use crate::common::Reloadable;
use crate::config::{ConfigError, Layer, Settings, TlsFiles, read_file};
use crate::logging::{self, LogError, LogFilter};
use crate::security::signature::trust_store;

/// Why the configuration could not be (re)loaded.
#[derive(Debug, thiserror::Error)]
pub enum ReloadError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Tls(#[from] TlsError),
    #[error("cannot read the signature CA {path}: {reason}")]
    SignatureCaRead { path: String, reason: String },
    #[error("the signature CA {path} is not usable: {reason}")]
    SignatureCaUnusable { path: String, reason: String },
    #[error(transparent)]
    Log(#[from] LogError),
}

/// The TLS acceptor of `files` (none without TLS).
pub fn tls(files: Option<&TlsFiles>) -> Result<Option<Tls>, TlsError> {
    files
        .map(|f| Tls::from_files(&f.cert, &f.key, f.client_ca.as_deref()))
        .transpose()
}

/// The trust store of the signature CA file `ca` (none without one).
pub fn signature_trust(ca: Option<&Path>) -> Result<Option<Arc<X509Store>>, ReloadError> {
    let Some(ca) = ca else {
        return Ok(None);
    };
    let path = ca.display().to_string();
    let pem = std::fs::read(ca).map_err(|e| ReloadError::SignatureCaRead {
        path: path.clone(),
        reason: e.to_string(),
    })?;
    let store = trust_store(&pem).map_err(|e| ReloadError::SignatureCaUnusable {
        path,
        reason: e.to_string(),
    })?;
    Ok(Some(Arc::new(store)))
}

/// The reloadable parts of a running server and how its configuration was given.
pub struct Reloader {
    /// The configuration file of the start (`--config` / `SOAPSTONE_CONFIG`).
    pub file: Option<PathBuf>,
    /// The flags and environment of the start.
    pub flags: Layer,
    /// The settings in force.
    pub running: Settings,
    /// The acceptor of new connections (none when serving plain HTTP).
    pub tls: Option<Tls>,
    /// The CAs signed messages are checked against.
    pub signature_trust: Reloadable<Option<Arc<X509Store>>>,
    /// The filter of the logger.
    pub log: LogFilter,
}

/// What a reload applied and what it left for a restart.
struct Reloaded {
    applied: Vec<&'static str>,
    restart: Vec<String>,
}

impl Reloader {
    /// Reloads, and logs what it did or why it changed nothing.
    pub fn reload(&mut self) {
        match self.try_reload() {
            Ok(Reloaded { applied, restart }) => {
                if !restart.is_empty() {
                    tracing::warn!(
                        "configuration reload: {} changed and needs a restart; not applied",
                        restart.join(", ")
                    );
                }
                tracing::info!(
                    log_level = %self.running.log_level,
                    "configuration reloaded: {}",
                    applied.join(", ")
                );
            }
            Err(e) => tracing::error!(
                error = %e,
                "configuration reload failed; the running configuration is unchanged"
            ),
        }
    }

    fn try_reload(&mut self) -> Result<Reloaded, ReloadError> {
        let file = read_file(self.file.as_deref())?;
        let next = Settings::from_layer(self.flags.clone().over(file))?;
        let restart = needs_restart(&self.running, &next);
        let tls = match &self.tls {
            Some(_) if next.tls.is_some() => tls(next.tls.as_ref())?,
            _ => None,
        };
        let trust = signature_trust(next.signature_ca.as_deref())?;
        let filter = logging::filter(&next.log_level)?;

        self.log.replace(filter)?;
        let mut applied = Vec::new();
        if let (Some(live), Some(tls)) = (&self.tls, tls) {
            live.replace(&tls);
            self.running.tls = next.tls;
            applied.push(match self.running.tls.as_ref().map(|t| &t.client_ca) {
                Some(Some(_)) => "TLS certificate, key and client CA",
                _ => "TLS certificate and key",
            });
        }
        if trust.is_some() || self.running.signature_ca.is_some() {
            applied.push("signature CA");
        }
        self.signature_trust.set(trust);
        self.running.signature_ca = next.signature_ca;
        applied.push("log level");
        self.running.log_level = next.log_level;
        Ok(Reloaded { applied, restart })
    }
}

/// The keys set differently in `next` than in `running` that a reload does not apply: all
/// but `log_level` and `signature_ca`, and the TLS files unless HTTPS is turned on or off.
fn needs_restart(running: &Settings, next: &Settings) -> Vec<String> {
    let table = |s: &Settings| toml::Table::try_from(s.to_layer()).unwrap_or_default();
    let (before, after) = (table(running), table(next));
    let mut reloadable = vec!["log_level", "signature_ca"];
    if running.tls.is_some() == next.tls.is_some() {
        reloadable.extend(["tls_cert", "tls_key", "tls_client_ca"]);
    }
    let mut changed: Vec<String> = before
        .keys()
        .chain(after.keys())
        .filter(|key| !reloadable.contains(&key.as_str()) && before.get(*key) != after.get(*key))
        .cloned()
        .collect();
    if running.secret_key != next.secret_key {
        changed.push("secret_key".into());
    }
    changed.sort();
    changed.dedup();
    changed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(toml: &str) -> Settings {
        Settings::from_layer(toml::from_str(toml).unwrap()).unwrap()
    }

    #[test]
    fn only_settings_that_cannot_be_reloaded_need_a_restart() {
        let running = settings("tls_cert = \"a.pem\"\ntls_key = \"a.key\"");
        let next = settings(
            "tls_cert = \"b.pem\"\ntls_key = \"b.key\"\nlog_level = \"warn\"\n\
             signature_ca = \"ca.pem\"\nmax_body = 10\nlisten = \"127.0.0.1:9\"",
        );
        assert_eq!(needs_restart(&running, &next), ["listen", "max_body"]);
        assert!(needs_restart(&running, &running).is_empty());
        let plain = settings(
            "secret_key = \"00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\"",
        );
        assert_eq!(
            needs_restart(&running, &plain),
            ["secret_key", "tls_cert", "tls_key"]
        );
    }
}
