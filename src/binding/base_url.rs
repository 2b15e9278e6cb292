//! The URL a caller used to reach us, for addresses in served contracts: taken from
//! `Forwarded`, then `X-Forwarded-Proto/-Host/-Port`, then `Host`.

use std::net::SocketAddr;

use http::HeaderMap;
use http::header::HOST;

/// `scheme://host[:port]` as the caller sees this server.
pub fn external_base(headers: &HeaderMap, tls: bool, local: SocketAddr) -> String {
    let forwarded = headers
        .get("forwarded")
        .and_then(|v| v.to_str().ok())
        .map(first_forwarded)
        .unwrap_or_default();
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let scheme = forwarded
        .proto
        .or_else(|| header("x-forwarded-proto"))
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

#[derive(Default)]
struct Forwarded {
    proto: Option<String>,
    host: Option<String>,
}

fn first_forwarded(value: &str) -> Forwarded {
    let mut out = Forwarded::default();
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

    fn base(pairs: &[(&'static str, &'static str)]) -> String {
        let mut headers = HeaderMap::new();
        for (k, v) in pairs {
            headers.insert(*k, v.parse().unwrap());
        }
        external_base(&headers, false, "127.0.0.1:8080".parse().unwrap())
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
