//! Reading an XOP package from the request body as it arrives: the root part (the SOAP
//! envelope) into memory, up to the body limit; every other part into memory up to a small
//! threshold and past it into a temporary file, so that a large attachment costs a bounded
//! amount of memory; with limits on the parts' number and total size. Parsing the multipart
//! framing is multer's job.

use std::path::PathBuf;

use bytes::{Bytes, BytesMut};
use futures_util::Stream;
use http::HeaderMap;
use multer::{Constraints, Multipart, SizeLimit};
use tokio::io::AsyncWriteExt;

use super::media::{PackageMedia, content_id};
use crate::codec::{Attachments, Binary, Part};
use crate::common::MediaType;
use crate::soap::Fault;

/// The limits a package is read with.
#[derive(Debug, Clone)]
pub struct PackageLimits {
    /// Largest root part (the envelope), in bytes.
    pub max_root: usize,
    /// Largest total size of the attachments, in bytes.
    pub max_attachments: u64,
    /// Most attachments (parts besides the root).
    pub max_parts: usize,
    /// Attachments larger than this are written to a temporary file as they arrive.
    pub memory_threshold: usize,
    /// Where those files go.
    pub spool_dir: PathBuf,
}

impl Default for PackageLimits {
    fn default() -> Self {
        PackageLimits {
            max_root: 16 * 1024 * 1024,
            max_attachments: 64 * 1024 * 1024,
            max_parts: 16,
            memory_threshold: 256 * 1024,
            spool_dir: std::env::temp_dir(),
        }
    }
}

/// A package read: the root part and the attachments.
#[derive(Debug)]
pub struct Package {
    pub root: Bytes,
    /// The root part's `charset` parameter.
    pub charset: Option<String>,
    pub attachments: Attachments,
    /// The bytes of every part's content, root included.
    pub received: u64,
}

/// Why a package could not be read.
#[derive(Debug, thiserror::Error)]
pub enum PackageError {
    #[error("the MTOM package's root part is larger than the limit of {0} bytes")]
    RootTooLarge(usize),
    #[error("the MTOM package's attachments are larger than the limit of {0} bytes in all")]
    AttachmentsTooLarge(u64),
    #[error("the MTOM package has more than the {0} attachments allowed")]
    TooManyParts(usize),
    #[error("the MTOM package is malformed: {0}")]
    Malformed(String),
    #[error("the MTOM package has two parts with Content-ID <{0}>")]
    DuplicateContentId(String),
    #[error("an attachment of the MTOM package has no Content-ID")]
    MissingContentId,
    #[error("the MTOM package has no root part{}", .0.as_ref().map(|id| format!(" <{id}>")).unwrap_or_default())]
    MissingRoot(Option<String>),
    #[error("a part of the MTOM package is itself multipart; nested packages are not read")]
    Nested,
    #[error("a part of the MTOM package has Content-Transfer-Encoding '{0}'; send binary or 8bit")]
    TransferEncoding(String),
    #[error("an attachment could not be spooled to a temporary file")]
    Spool(#[source] std::io::Error),
}

/// A package that cannot be read is the client's fault, except when its attachment could not
/// be spooled (the server's disk), which is worth retrying.
impl From<PackageError> for Fault {
    fn from(error: PackageError) -> Self {
        match error {
            PackageError::Spool(e) => {
                tracing::error!(error = %e, "an MTOM attachment could not be spooled");
                Fault::server("An attachment could not be stored for processing; retry later")
            }
            other => Fault::client(other.to_string()),
        }
    }
}

/// Reads the package `media` describes from `body`.
pub async fn read_package<S, E>(
    body: S,
    media: &PackageMedia,
    limits: &PackageLimits,
) -> Result<Package, PackageError>
where
    S: Stream<Item = Result<Bytes, E>> + Send + 'static,
    E: Into<Box<dyn std::error::Error + Send + Sync>> + 'static,
{
    // The framing (boundaries, part headers) is allowed 4 KB per part beyond the content.
    let framing = (limits.max_parts as u64 + 1) * 4096;
    let whole = limits.max_root as u64 + limits.max_attachments + framing;
    let constraints = Constraints::new().size_limit(SizeLimit::new().whole_stream(whole));
    let mut multipart = Multipart::with_constraints(body, media.boundary.clone(), constraints);
    let mut root: Option<(Bytes, Option<String>)> = None;
    let mut attachments = Attachments::default();
    let mut total = 0u64;
    let mut total_root = 0u64;
    let mut parts = 0usize;
    while let Some(mut field) = multipart.next_field().await.map_err(framing_error)? {
        let headers = field.headers().clone();
        check_part(&headers)?;
        let id = headers
            .get("content-id")
            .and_then(|v| v.to_str().ok())
            .map(content_id);
        let is_root = root.is_none()
            && match &media.start {
                Some(start) => id.as_deref() == Some(start.as_str()),
                None => true,
            };
        if is_root {
            let mut text = BytesMut::new();
            while let Some(chunk) = field.chunk().await.map_err(framing_error)? {
                if text.len() + chunk.len() > limits.max_root {
                    return Err(PackageError::RootTooLarge(limits.max_root));
                }
                text.extend_from_slice(&chunk);
            }
            total_root = text.len() as u64;
            root = Some((text.freeze(), charset(&headers)));
            continue;
        }
        parts += 1;
        if parts > limits.max_parts {
            return Err(PackageError::TooManyParts(limits.max_parts));
        }
        let id = id.ok_or(PackageError::MissingContentId)?;
        let mut spool = Spool::new(limits);
        while let Some(chunk) = field.chunk().await.map_err(framing_error)? {
            total += chunk.len() as u64;
            if total > limits.max_attachments {
                return Err(PackageError::AttachmentsTooLarge(limits.max_attachments));
            }
            spool.write(chunk).await?;
        }
        let part = Part {
            content_type: headers
                .get(http::header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("application/octet-stream")
                .to_string(),
            content: spool.finish().await?,
        };
        attachments
            .insert(id, part)
            .map_err(PackageError::DuplicateContentId)?;
    }
    let (root, charset) = root.ok_or_else(|| PackageError::MissingRoot(media.start.clone()))?;
    Ok(Package {
        root,
        charset,
        attachments,
        received: total_root + total,
    })
}

/// A part is neither multipart itself nor in a transfer encoding other than the identity.
fn check_part(headers: &HeaderMap) -> Result<(), PackageError> {
    let content_type = headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if content_type
        .trim_start()
        .to_ascii_lowercase()
        .starts_with("multipart/")
    {
        return Err(PackageError::Nested);
    }
    if let Some(encoding) = headers
        .get("content-transfer-encoding")
        .and_then(|v| v.to_str().ok())
        .map(|v| v.trim().to_ascii_lowercase())
        .filter(|v| !matches!(v.as_str(), "binary" | "8bit" | "7bit"))
    {
        return Err(PackageError::TransferEncoding(encoding));
    }
    Ok(())
}

/// The `charset` parameter of a part's Content-Type.
fn charset(headers: &HeaderMap) -> Option<String> {
    let content_type = headers.get(http::header::CONTENT_TYPE)?.to_str().ok()?;
    MediaType::parse(content_type)?
        .param("charset")
        .map(str::to_string)
}

fn framing_error(error: multer::Error) -> PackageError {
    match error {
        multer::Error::StreamSizeExceeded { limit } => PackageError::AttachmentsTooLarge(limit),
        other => PackageError::Malformed(other.to_string()),
    }
}

/// An attachment as it arrives: in memory up to the threshold, then in a temporary file.
struct Spool<'a> {
    limits: &'a PackageLimits,
    memory: BytesMut,
    file: Option<(tokio::fs::File, tempfile::TempPath)>,
    len: u64,
}

impl<'a> Spool<'a> {
    fn new(limits: &'a PackageLimits) -> Self {
        Spool {
            limits,
            memory: BytesMut::new(),
            file: None,
            len: 0,
        }
    }

    async fn write(&mut self, chunk: Bytes) -> Result<(), PackageError> {
        self.len += chunk.len() as u64;
        if self.file.is_none() && self.memory.len() + chunk.len() <= self.limits.memory_threshold {
            self.memory.extend_from_slice(&chunk);
            return Ok(());
        }
        if self.file.is_none() {
            let (file, path) = tempfile::Builder::new()
                .prefix("soapstone-part-")
                .tempfile_in(&self.limits.spool_dir)
                .map_err(PackageError::Spool)?
                .into_parts();
            let mut file = tokio::fs::File::from_std(file);
            file.write_all(&self.memory)
                .await
                .map_err(PackageError::Spool)?;
            self.memory = BytesMut::new();
            self.file = Some((file, path));
        }
        if let Some((file, _)) = &mut self.file {
            file.write_all(&chunk).await.map_err(PackageError::Spool)?;
        }
        Ok(())
    }

    async fn finish(self) -> Result<Binary, PackageError> {
        match self.file {
            None => Ok(Binary::new(self.memory.freeze())),
            Some((mut file, path)) => {
                file.flush().await.map_err(PackageError::Spool)?;
                Ok(Binary::spooled(path, self.len))
            }
        }
    }
}
