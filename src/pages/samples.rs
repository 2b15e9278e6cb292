//! The request samples of `samples/`, embedded (build.rs lists the files), as the service
//! pages show them: one per operation and SOAP version (a SOAP 1.2 sample is derived from the
//! 1.1 one when `samples/` has none), with a placeholder in place of the UsernameToken's
//! password.

use crate::soap::SoapVersion;

// `SAMPLES`: (operation, is SOAP 1.2, envelope), the first file of each in `samples/`.
include!(concat!(env!("OUT_DIR"), "/samples.rs"));

/// What the pages show in place of a sample's `wsse:Password`: the page's script sends the
/// Password field's value there.
pub const PASSWORD_PLACEHOLDER: &str = "(the Password field above)";

/// The sample request of `operation` in `version`, if `samples/` has one, its password
/// replaced by [`PASSWORD_PLACEHOLDER`].
pub fn sample(operation: &str, version: SoapVersion) -> Option<String> {
    raw_sample(operation, version).map(|text| hide_password(&text))
}

fn raw_sample(operation: &str, version: SoapVersion) -> Option<String> {
    let find = |soap12: bool| {
        SAMPLES
            .iter()
            .find(|(op, is12, _)| *op == operation && *is12 == soap12)
            .map(|(_, _, text)| text.to_string())
    };
    match version {
        SoapVersion::V11 => find(false),
        SoapVersion::V12 => find(true).or_else(|| find(false).map(|text| to_soap12(&text))),
    }
}

/// `text` with the content of every `wsse:Password` element replaced by the placeholder.
fn hide_password(text: &str) -> String {
    const OPEN: &str = "<wsse:Password";
    const CLOSE: &str = "</wsse:Password>";
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find(OPEN) {
        let Some(content) = rest[start..].find('>').map(|i| start + i + 1) else {
            break;
        };
        let Some(end) = rest[content..].find(CLOSE).map(|i| content + i) else {
            break;
        };
        out.push_str(&rest[..content]);
        out.push_str(PASSWORD_PLACEHOLDER);
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// A SOAP 1.1 sample as SOAP 1.2: the envelope namespace changes and an empty Header goes.
fn to_soap12(text: &str) -> String {
    let mut lines: Vec<&str> = text
        .lines()
        .filter(|l| l.trim() != "<soapenv:Header/>")
        .collect();
    if text.ends_with('\n') {
        lines.push("");
    }
    lines
        .join("\n")
        .replace(SoapVersion::NS_11, SoapVersion::NS_12)
        .replace("soapenv:", "env:")
        .replace("xmlns:soapenv=", "xmlns:env=")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_has_samples_in_both_versions() {
        for op in [
            "CreateUser",
            "GetProduct",
            "PlaceOrder",
            "SalesReport",
            "Echo",
            "GetItem",
        ] {
            let v11 = sample(op, SoapVersion::V11).unwrap();
            let v12 = sample(op, SoapVersion::V12).unwrap();
            assert!(v11.contains(SoapVersion::NS_11), "{op}");
            assert!(
                v12.contains(SoapVersion::NS_12) && !v12.contains(SoapVersion::NS_11),
                "{op}"
            );
        }
        assert_eq!(sample("Nope", SoapVersion::V11), None);
    }

    #[test]
    fn shown_samples_carry_the_placeholder_and_never_the_password() {
        for (op, soap12, raw) in SAMPLES {
            let version = if *soap12 {
                SoapVersion::V12
            } else {
                SoapVersion::V11
            };
            let shown = sample(op, version).unwrap();
            assert_eq!(
                raw.contains("<wsse:Password"),
                shown.contains(&format!(">{PASSWORD_PLACEHOLDER}</wsse:Password>")),
                "{op}"
            );
            assert!(!shown.contains("soapstone-admin"), "{op}");
        }
        assert!(
            raw_sample("WhoAmI", SoapVersion::V11)
                .unwrap()
                .contains(">soapstone-admin</wsse:Password>")
        );
    }
}
