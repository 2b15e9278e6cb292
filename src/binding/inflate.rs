//! Compressed request bodies (`Content-Encoding: gzip`, `x-gzip`, `deflate`), inflated with a
//! cap on the inflated size and on the inflation ratio, so a small "zip bomb" cannot make us
//! allocate gigabytes.

use std::io::Read;

use bytes::Bytes;
use flate2::read::{DeflateDecoder, GzDecoder, ZlibDecoder};

/// Why a body could not be inflated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InflateError {
    #[error("content encoding '{0}' is not supported; use gzip, deflate or identity")]
    Unsupported(String),
    #[error("the inflated body is larger than {0} bytes")]
    TooLarge(usize),
    #[error("the body inflates more than {0} times its compressed size")]
    Ratio(usize),
    #[error("the compressed body is corrupt")]
    Corrupt,
}

/// `body` decoded per `encoding` (the Content-Encoding header, if any).
pub fn inflate(
    body: Bytes,
    encoding: Option<&str>,
    max_size: usize,
    max_ratio: usize,
) -> Result<Bytes, InflateError> {
    let encoding = encoding.map(|e| e.trim().to_ascii_lowercase());
    let limit = max_size.min(body.len().saturating_mul(max_ratio).max(1024));
    let read = |reader: &mut dyn Read| -> Result<Bytes, InflateError> {
        let mut out = Vec::new();
        reader
            .take(limit as u64 + 1)
            .read_to_end(&mut out)
            .map_err(|_| InflateError::Corrupt)?;
        if out.len() > limit {
            return Err(if limit == max_size {
                InflateError::TooLarge(max_size)
            } else {
                InflateError::Ratio(max_ratio)
            });
        }
        Ok(Bytes::from(out))
    };
    match encoding.as_deref() {
        None | Some("" | "identity") => Ok(body),
        Some("gzip" | "x-gzip") => read(&mut GzDecoder::new(&body[..])),
        // RFC 9110's "deflate" is zlib-wrapped; some clients send raw deflate.
        Some("deflate") if body.first().is_some_and(|b| b & 0x0F == 8) => {
            read(&mut ZlibDecoder::new(&body[..]))
        }
        Some("deflate") => read(&mut DeflateDecoder::new(&body[..])),
        Some(other) => Err(InflateError::Unsupported(other.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use flate2::Compression;
    use flate2::write::{GzEncoder, ZlibEncoder};

    use super::*;

    fn gzip(data: &[u8]) -> Bytes {
        let mut e = GzEncoder::new(Vec::new(), Compression::default());
        e.write_all(data).unwrap();
        Bytes::from(e.finish().unwrap())
    }

    #[test]
    fn inflates_within_limits_and_refuses_bombs() {
        let text = b"<a>hello</a>".repeat(10);
        assert_eq!(
            inflate(gzip(&text), Some("gzip"), 1 << 20, 100).unwrap(),
            &text[..]
        );
        let mut z = ZlibEncoder::new(Vec::new(), Compression::default());
        z.write_all(&text).unwrap();
        let zlib = Bytes::from(z.finish().unwrap());
        assert_eq!(
            inflate(zlib, Some("deflate"), 1 << 20, 100).unwrap(),
            &text[..]
        );
        let bomb = gzip(&vec![b' '; 10 << 20]);
        assert_eq!(
            inflate(bomb.clone(), Some("gzip"), 64 << 20, 100),
            Err(InflateError::Ratio(100))
        );
        assert_eq!(
            inflate(bomb, Some("gzip"), 1 << 20, 100_000),
            Err(InflateError::TooLarge(1 << 20))
        );
        assert_eq!(
            inflate(Bytes::from_static(b"not gzip"), Some("gzip"), 1 << 20, 100),
            Err(InflateError::Corrupt)
        );
        assert!(matches!(
            inflate(Bytes::new(), Some("br"), 1, 1),
            Err(InflateError::Unsupported(_))
        ));
    }
}
