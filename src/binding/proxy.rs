//! Which peers are trusted proxies, and what follows from it: the address served contracts
//! name (`public_url`, else a trusted proxy's `Forwarded` / `X-Forwarded-*`, else `Host`),
//! the client's address (behind a trusted proxy, the nearest untrusted hop of its
//! `Forwarded: for=` / `X-Forwarded-For`), and whether the client's hop was encrypted.
//!
//! Forwarded headers from any other peer are ignored: they are the client's own words, and a
//! contract served with a client-chosen address could be cached by a proxy and handed to
//! everyone.

use std::net::IpAddr;
use std::str::FromStr;

use http::HeaderMap;
use ipnet::IpNet;

use super::base_url::{external_base, forwarded_proto};
use super::routes::ConnInfo;
use crate::common::Transport;

/// The proxies whose forwarded headers are believed, and the fixed public address.
#[derive(Debug, Clone, Default)]
pub struct ProxyTrust {
    trusted: Vec<IpNet>,
    public_url: Option<String>,
}

/// A `trusted_proxies` entry that is neither an address nor a CIDR block.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not an IP address or CIDR block (e.g. 10.0.0.0/8, ::1)")]
pub struct BadProxy(pub String);

impl ProxyTrust {
    /// Trusts the peers in `trusted` (addresses or CIDR blocks); `public_url` (without a
    /// trailing slash), when given, is the address every contract names.
    pub fn new(trusted: &[String], public_url: Option<String>) -> Result<Self, BadProxy> {
        let trusted = trusted
            .iter()
            .map(|entry| {
                let entry = entry.trim();
                IpNet::from_str(entry)
                    .or_else(|_| IpAddr::from_str(entry).map(IpNet::from))
                    .map_err(|_| BadProxy(entry.to_string()))
            })
            .collect::<Result<_, _>>()?;
        Ok(ProxyTrust {
            trusted,
            public_url: public_url.map(|u| u.trim_end_matches('/').to_string()),
        })
    }

    fn trusts(&self, peer: IpAddr) -> bool {
        let peer = peer.to_canonical();
        self.trusted.iter().any(|net| net.contains(&peer))
    }

    /// `scheme://host[:port]` of this server as the caller should name it.
    pub fn base_url(&self, headers: &HeaderMap, conn: Option<&ConnInfo>) -> String {
        if let Some(url) = &self.public_url {
            return url.clone();
        }
        let (local, tls, peer) = conn.map_or_else(
            || (([127, 0, 0, 1], 0).into(), false, None),
            |c| (c.local, c.tls, Some(c.remote.ip())),
        );
        external_base(headers, tls, local, peer.is_some_and(|p| self.trusts(p)))
    }

    /// The client's address and how its request reached us.
    pub fn client(&self, headers: &HeaderMap, conn: &ConnInfo) -> (IpAddr, Transport) {
        let peer = conn.remote.ip().to_canonical();
        if conn.tls {
            return (peer, Transport::Tls);
        }
        if !self.trusts(peer) {
            let transport = if peer.is_loopback() {
                Transport::Loopback
            } else {
                Transport::Plain
            };
            return (peer, transport);
        }
        let transport = if forwarded_proto(headers).is_some_and(|p| p.eq_ignore_ascii_case("https"))
        {
            Transport::ProxiedTls
        } else {
            Transport::Plain
        };
        (self.forwarded_client(headers).unwrap_or(peer), transport)
    }

    /// The nearest hop of the forwarding chain that is not a trusted proxy.
    fn forwarded_client(&self, headers: &HeaderMap) -> Option<IpAddr> {
        let chain: Vec<IpAddr> = match headers.get("forwarded").and_then(|v| v.to_str().ok()) {
            Some(value) => value
                .split(',')
                .filter_map(|element| {
                    element.split(';').find_map(|pair| {
                        let (key, v) = pair.split_once('=')?;
                        key.trim()
                            .eq_ignore_ascii_case("for")
                            .then(|| node_address(v))?
                    })
                })
                .collect(),
            None => headers
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .filter_map(node_address)
                .collect(),
        };
        chain
            .iter()
            .rev()
            .find(|hop| !self.trusts(**hop))
            .or(chain.first())
            .copied()
    }
}

/// The address of a forwarded node: `1.2.3.4`, `1.2.3.4:80`, `"[2001:db8::1]:4711"`.
fn node_address(node: &str) -> Option<IpAddr> {
    let node = node.trim().trim_matches('"');
    if let Some(rest) = node.strip_prefix('[') {
        return rest.split(']').next()?.parse().ok();
    }
    node.parse()
        .ok()
        .or_else(|| node.rsplit_once(':')?.0.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conn(remote: &str, tls: bool) -> ConnInfo {
        ConnInfo {
            remote: remote.parse().unwrap(),
            local: "127.0.0.1:8080".parse().unwrap(),
            tls,
            peer_user: None,
        }
    }

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for (k, v) in pairs {
            headers.append(*k, v.parse().unwrap());
        }
        headers
    }

    #[test]
    fn forwarded_headers_count_only_from_trusted_proxies() {
        let trust = ProxyTrust::new(&["10.0.0.0/8".into(), "::1".into()], None).unwrap();
        let sent = headers(&[
            ("host", "inner:8080"),
            ("x-forwarded-host", "api.example.com"),
            ("x-forwarded-proto", "https"),
        ]);
        assert_eq!(
            trust.base_url(&sent, Some(&conn("10.1.2.3:5000", false))),
            "https://api.example.com"
        );
        assert_eq!(
            trust.base_url(&sent, Some(&conn("192.0.2.7:5000", false))),
            "http://inner:8080"
        );
        assert_eq!(
            trust.base_url(&sent, Some(&conn("[::1]:5000", false))),
            "https://api.example.com"
        );
        let fixed = ProxyTrust::new(&[], Some("https://soap.example.org/".into())).unwrap();
        assert_eq!(
            fixed.base_url(&sent, Some(&conn("10.1.2.3:5000", false))),
            "https://soap.example.org"
        );
        assert!(ProxyTrust::new(&["ten".into()], None).is_err());
    }

    #[test]
    fn the_client_and_its_transport() {
        let trust = ProxyTrust::new(&["10.0.0.0/8".into()], None).unwrap();
        let spoofed = headers(&[
            ("x-forwarded-for", "6.6.6.6"),
            ("x-forwarded-proto", "https"),
        ]);
        assert_eq!(
            trust.client(&spoofed, &conn("192.0.2.7:1", false)),
            ("192.0.2.7".parse().unwrap(), Transport::Plain)
        );
        assert_eq!(
            trust.client(&spoofed, &conn("127.0.0.1:1", false)),
            ("127.0.0.1".parse().unwrap(), Transport::Loopback)
        );
        assert_eq!(
            trust.client(&spoofed, &conn("192.0.2.7:1", true)).1,
            Transport::Tls
        );
        let chain = headers(&[
            ("x-forwarded-for", "6.6.6.6, 198.51.100.4"),
            ("x-forwarded-for", "10.0.0.9"),
            ("x-forwarded-proto", "https"),
        ]);
        assert_eq!(
            trust.client(&chain, &conn("10.0.0.1:1", false)),
            ("198.51.100.4".parse().unwrap(), Transport::ProxiedTls)
        );
        let rfc = headers(&[(
            "forwarded",
            "for=\"[2001:db8::1]:4711\";proto=http, for=10.0.0.2",
        )]);
        assert_eq!(
            trust.client(&rfc, &conn("10.0.0.1:1", false)),
            ("2001:db8::1".parse().unwrap(), Transport::Plain)
        );
    }
}
