//! Writing a response as an XOP package: the envelope as the root part
//! (`application/xop+xml` with the SOAP media type as its `type`), then each attachment the
//! envelope includes, under a random boundary.

use bytes::{BufMut, Bytes, BytesMut};

use crate::soap::SoapVersion;
use crate::xml::part_id;

const ROOT_ID: &str = "root.message@soapstone";

/// The Content-Type and the body of the package of `envelope` (a SOAP `version` document)
/// and `parts`, the attachments it includes by [`part_id`] in order.
pub fn write_package(version: SoapVersion, envelope: &[u8], parts: &[Bytes]) -> (String, Bytes) {
    let soap_type = version.media_type();
    let boundary = format!("uuid:{}", uuid::Uuid::new_v4());
    let content_type = format!(
        "multipart/related; type=\"application/xop+xml\"; boundary=\"{boundary}\"; \
         start=\"<{ROOT_ID}>\"; start-info=\"{soap_type}\""
    );
    let size = envelope.len() + parts.iter().map(Bytes::len).sum::<usize>() + 512;
    let mut body = BytesMut::with_capacity(size + parts.len() * 160);
    body.put_slice(
        format!(
            "--{boundary}\r\nContent-Type: application/xop+xml; charset=UTF-8; \
             type=\"{soap_type}\"\r\nContent-Transfer-Encoding: binary\r\n\
             Content-ID: <{ROOT_ID}>\r\n\r\n"
        )
        .as_bytes(),
    );
    body.put_slice(envelope);
    for (index, part) in parts.iter().enumerate() {
        body.put_slice(
            format!(
                "\r\n--{boundary}\r\nContent-Type: application/octet-stream\r\n\
                 Content-Transfer-Encoding: binary\r\nContent-ID: <{}>\r\n\r\n",
                part_id(index)
            )
            .as_bytes(),
        );
        body.put_slice(part);
    }
    body.put_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (content_type, body.freeze())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xop::{PackageLimits, package_media, read_package};

    #[tokio::test]
    async fn a_written_package_reads_back_with_its_parts() {
        let envelope = b"<e/>";
        let parts = [
            Bytes::from_static(b"\r\n--not-the-boundary\r\n"),
            Bytes::new(),
        ];
        let (content_type, body) = write_package(SoapVersion::V12, envelope, &parts);
        let media = package_media(&content_type).unwrap();
        assert_eq!(media.version_hint, Some(SoapVersion::V12));
        let stream = futures_util::stream::iter([Ok::<_, std::io::Error>(body)]);
        let mut package = read_package(stream, &media, &PackageLimits::default())
            .await
            .unwrap();
        assert_eq!(&package.root[..], envelope);
        assert_eq!(package.charset.as_deref(), Some("UTF-8"));
        for (index, part) in parts.iter().enumerate() {
            let href = format!("cid:{}", part_id(index));
            let found = package.attachments.include(&href).unwrap();
            assert_eq!(&found.content.to_bytes().unwrap(), part);
        }
    }
}
