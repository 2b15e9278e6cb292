//! The URL a caller used to reach us, for addresses in served contracts: taken from
//! `Forwarded`, then `X-Forwarded-Proto/-Host/-Port` when the peer is a trusted proxy, then
//! `Host`.

use std::net::SocketAddr;

use http::HeaderMap;
use http::header::HOST;

/// `scheme://host[:port]` as the caller sees this server; the forwarded headers count only
/// when `forwarded` says they come from a trusted proxy.
pub(super) fn external_base(
    headers: &HeaderMap,
    tls: bool,
    local: SocketAddr,
    forwarded: bool,
) -> String {
    let header = |name: &str| first_value(headers, name);
    if !forwarded {
        let host = header(HOST.as_str())
            .filter(|h| valid_host(h))
            .unwrap_or_else(|| local.to_string());
        return format!("{}://{host}", if tls { "https" } else { "http" });
    }
    let forwarded = first_forwarded(headers);
    let scheme = forwarded_proto(headers)
        .map(|s| s.to_ascii_lowercase())
        .filter(|s| s == "http" || s == "https")
        .unwrap_or_else(|| if tls { "https" } else { "http" }.to_string());
    let host = [
        forwarded.host,
        header("x-forwarded-host"),
        header(HOST.as_str()),
    ]
    .into_iter()
    .flatten()
    .find(|h| valid_host(h))
    .unwrap_or_else(|| local.to_string());
    let host = match header("x-forwarded-port").filter(|p| p.parse::<u16>().is_ok()) {
        Some(port) => format!("{}:{port}", strip_port(&host)),
        None => host,
    };
    format!("{scheme}://{host}")
}

/// The first of the comma-separated values of header `name`, trimmed, when not empty.
fn first_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// The protocol the client used to reach the first proxy: `Forwarded: proto=`, else
/// `X-Forwarded-Proto`.
pub(super) fn forwarded_proto(headers: &HeaderMap) -> Option<String> {
    first_forwarded(headers)
        .proto
        .or_else(|| first_value(headers, "x-forwarded-proto"))
}

/// The `proto` and `host` of the first element of a `Forwarded` header (RFC 7239).
#[derive(Default)]
struct Forwarded {
    proto: Option<String>,
    host: Option<String>,
}

fn first_forwarded(headers: &HeaderMap) -> Forwarded {
    let mut out = Forwarded::default();
    let Some(value) = headers.get("forwarded").and_then(|v| v.to_str().ok()) else {
        return out;
    };
    let first = value.split(',').next().unwrap_or_default();
    for pair in first.split(';') {
        if let Some((key, v)) = pair.split_once('=') {
            let v = v.trim().trim_matches('"').to_string();
            match key.trim().to_ascii_lowercase().as_str() {
                "proto" => out.proto = Some(v),
                "host" => out.host = Some(v),
                _ => {}
            }
        }
    }
    out
}

/// Host names, IPv4 and bracketed IPv6 addresses, with an optional port; nothing that could
/// change the meaning of the URL or of the XML it is written into.
fn valid_host(host: &str) -> bool {
    !host.is_empty()
        && host.len() <= 255
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-.:[]_".contains(&b))
}

fn strip_port(host: &str) -> &str {
    match host.rfind(':') {
        Some(i) if !host[i..].contains(']') => &host[..i],
        _ => host,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for (k, v) in pairs {
            headers.insert(*k, v.parse().unwrap());
        }
        headers
    }

    fn base(pairs: &[(&'static str, &'static str)]) -> String {
        external_base(
            &headers(pairs),
            false,
            "127.0.0.1:8080".parse().unwrap(),
            true,
        )
    }

    #[test]
    fn ignores_forwarded_headers_unless_trusted() {
        let sent = headers(&[
            ("host", "api.example.com"),
            ("x-forwarded-host", "evil.example"),
            ("x-forwarded-proto", "https"),
            ("forwarded", "host=evil.example;proto=https"),
        ]);
        let local = "127.0.0.1:8080".parse().unwrap();
        assert_eq!(
            external_base(&sent, false, local, false),
            "http://api.example.com"
        );
        assert_eq!(
            external_base(&sent, true, local, false),
            "https://api.example.com"
        );
        assert_eq!(
            external_base(&sent, false, local, true),
            "https://evil.example"
        );
    }

    #[test]
    fn follows_forwarded_then_x_forwarded_then_host() {
        assert_eq!(base(&[]), "http://127.0.0.1:8080");
        assert_eq!(
            base(&[("host", "api.example.com:81")]),
            "http://api.example.com:81"
        );
        assert_eq!(
            base(&[
                ("host", "inner:8080"),
                ("x-forwarded-proto", "https"),
                ("x-forwarded-host", "api.example.com")
            ]),
            "https://api.example.com"
        );
        assert_eq!(
            base(&[
                ("host", "inner:8080"),
                ("x-forwarded-port", "8443"),
                ("x-forwarded-proto", "https")
            ]),
            "https://inner:8443"
        );
        assert_eq!(
            base(&[
                ("host", "inner"),
                (
                    "forwarded",
                    "for=1.2.3.4;proto=https;host=\"ex.org\", for=5.6.7.8"
                )
            ]),
            "https://ex.org"
        );
        assert_eq!(base(&[("host", "[::1]:9000")]), "http://[::1]:9000");
        assert_eq!(base(&[("host", "evil\"><x")]), "http://127.0.0.1:8080");
    }
}
