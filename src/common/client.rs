//! Where a request came from, as handlers and authentication may need to know: the client's
//! address and whether the way here protected the secrets it carries.

use std::net::IpAddr;

/// How a request reached this server, as far as the secrets in it are concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// Over TLS to this server.
    Tls,
    /// Over HTTPS to a trusted proxy in front of this server (its forwarded `proto`).
    ProxiedTls,
    /// Plain HTTP from this machine, not through a trusted proxy.
    Loopback,
    /// Plain HTTP from another machine, or through a proxy that was reached over HTTP.
    Plain,
}

impl Transport {
    /// Whether a password sent in the clear was protected on its way here (or never left
    /// this machine).
    pub fn protects_passwords(self) -> bool {
        self != Transport::Plain
    }
}

/// The client's address and transport, for handlers that take passwords themselves (Login).
#[derive(Debug, Clone, Copy)]
pub struct Client {
    pub ip: Option<IpAddr>,
    pub transport: Transport,
}
