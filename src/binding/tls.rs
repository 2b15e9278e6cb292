//! HTTPS through openssl (tokio-openssl): the acceptor built from PEM files, the handshake,
//! and — with a client CA configured (mTLS) — the user named by the verified client
//! certificate's subject CN. The acceptor can be replaced while serving (SIGHUP): new
//! connections get the new one, open connections keep theirs.

use std::path::Path;
use std::pin::Pin;
use std::sync::Arc;

use openssl::nid::Nid;
use openssl::ssl::{Ssl, SslAcceptor, SslFiletype, SslMethod, SslVerifyMode};
use openssl::x509::X509Name;
use tokio::net::TcpStream;
use tokio_openssl::SslStream;

use crate::common::Reloadable;

/// Why TLS could not be set up.
#[derive(Debug, thiserror::Error)]
#[error("TLS setup failed ({what}): {reason}")]
pub struct TlsError {
    what: String,
    reason: String,
}

fn failed(what: impl Into<String>) -> impl FnOnce(openssl::error::ErrorStack) -> TlsError {
    let what = what.into();
    move |e| TlsError {
        what,
        reason: e.to_string(),
    }
}

/// The server side of TLS, shared by every connection.
#[derive(Clone)]
pub struct Tls {
    acceptor: Reloadable<Arc<SslAcceptor>>,
}

impl std::fmt::Debug for Tls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Tls(..)")
    }
}

impl Tls {
    /// TLS 1.2+ (Mozilla's intermediate profile) with the certificate chain and key in `cert`
    /// and `key`. With `client_ca`, clients must present a certificate issued by one of its
    /// CAs.
    pub fn from_files(cert: &Path, key: &Path, client_ca: Option<&Path>) -> Result<Tls, TlsError> {
        let mut builder = SslAcceptor::mozilla_intermediate_v5(SslMethod::tls_server())
            .map_err(failed("context"))?;
        builder
            .set_certificate_chain_file(cert)
            .map_err(failed(format!("certificate {}", cert.display())))?;
        builder
            .set_private_key_file(key, SslFiletype::PEM)
            .map_err(failed(format!("private key {}", key.display())))?;
        builder
            .check_private_key()
            .map_err(failed("the key does not match the certificate"))?;
        if let Some(ca) = client_ca {
            builder
                .set_ca_file(ca)
                .map_err(failed(format!("client CA {}", ca.display())))?;
            builder.set_client_ca_list(
                X509Name::load_client_ca_file(ca)
                    .map_err(failed(format!("client CA names {}", ca.display())))?,
            );
            builder.set_verify(SslVerifyMode::PEER | SslVerifyMode::FAIL_IF_NO_PEER_CERT);
        }
        Ok(Tls {
            acceptor: Reloadable::new(Arc::new(builder.build())),
        })
    }

    /// From now on, handshakes of new connections use `next`'s certificate, key and client
    /// CAs (in this value and every clone of it).
    pub fn replace(&self, next: &Tls) {
        self.acceptor.set(next.acceptor.get());
    }

    /// Runs the handshake on `tcp`; the stream and the subject CN of the client's verified
    /// certificate, if it sent one.
    pub async fn accept(
        &self,
        tcp: TcpStream,
    ) -> Result<(SslStream<TcpStream>, Option<Arc<str>>), String> {
        let acceptor = self.acceptor.get();
        let ssl = Ssl::new(acceptor.context()).map_err(|e| e.to_string())?;
        let mut stream = SslStream::new(ssl, tcp).map_err(|e| e.to_string())?;
        Pin::new(&mut stream)
            .accept()
            .await
            .map_err(|e| e.to_string())?;
        let user = stream.ssl().peer_certificate().and_then(|cert| {
            let entry = cert.subject_name().entries_by_nid(Nid::COMMONNAME).next()?;
            let name = entry.data().to_string().ok()?;
            (!name.is_empty() && !name.contains('\0')).then(|| Arc::<str>::from(name))
        });
        Ok((stream, user))
    }
}
