//! Stage 1, parse: reads WSDL and XSD files, following `xs:import` to the schemas of other
//! namespaces, into the raw schema tree ([`raw`]). Only prefixes are resolved here.

mod node;
pub mod raw;
mod wsdl;
mod xsd;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use roxmltree::Node;

use crate::error::Error;
use crate::qname::XS;
use node::{Doc, is};
use raw::Sources;

pub(crate) const WSDL: &str = "http://schemas.xmlsoap.org/wsdl/";
pub(crate) const SOAP11: &str = "http://schemas.xmlsoap.org/wsdl/soap/";
pub(crate) const SOAP12: &str = "http://schemas.xmlsoap.org/wsdl/soap12/";

/// Reads `files` (each a WSDL or an XSD, told by its document element) and every schema they
/// import. A schema document that is the same as one already read for its namespace (as the
/// benchmark WSDL inlines `xsd/bench.xsd`) is read once.
pub fn load(files: &[PathBuf]) -> Result<Sources, Error> {
    let mut sources = Sources::default();
    let mut queue: Vec<PathBuf> = files.iter().rev().cloned().collect();
    let mut visited = HashSet::new();
    let mut seen: HashMap<String, HashSet<String>> = HashMap::new();
    while let Some(path) = queue.pop() {
        let read = |source| Error::Read {
            path: path.clone(),
            source,
        };
        if !visited.insert(std::fs::canonicalize(&path).map_err(read)?) {
            continue;
        }
        let text = std::fs::read_to_string(&path).map_err(read)?;
        let xml = roxmltree::Document::parse(&text).map_err(|source| Error::Xml {
            path: path.clone(),
            source,
        })?;
        let doc = Doc {
            file: &path,
            xml: &xml,
        };
        let root = xml.root_element();
        let mut schemas = Vec::new();
        if is(root, WSDL, "definitions") {
            let (wsdl, inline) = wsdl::definitions(&doc, root)?;
            sources.wsdls.push(wsdl);
            let nodes = root
                .descendants()
                .filter(|n| is(*n, XS, "schema"))
                .map(fingerprint);
            schemas.extend(inline.into_iter().zip(nodes));
        } else if is(root, XS, "schema") {
            schemas.push((xsd::schema(&doc, root)?, fingerprint(root)));
        } else {
            return Err(Error::unsupported(
                "a document that is neither a WSDL nor an XML Schema",
                doc.at(root),
            ));
        }
        for (schema, print) in schemas {
            let prints = seen.entry(schema.target_namespace.clone()).or_default();
            if !prints.insert(print) {
                continue;
            }
            for import in schema.imports.iter().rev() {
                if let Some(location) = &import.location {
                    queue.push(location.clone());
                }
            }
            sources.schemas.push(schema);
        }
    }
    Ok(sources)
}

/// The `.wsdl` files in `root/wsdl` and the `.xsd` files in `root/xsd`, sorted by name.
pub fn contract_files(root: &Path) -> Result<Vec<PathBuf>, Error> {
    let mut files = Vec::new();
    for (dir, extension) in [("wsdl", "wsdl"), ("xsd", "xsd")] {
        let dir = root.join(dir);
        let read = |source| Error::Read {
            path: dir.clone(),
            source,
        };
        let mut found = Vec::new();
        for entry in std::fs::read_dir(&dir).map_err(read)? {
            let path = entry.map_err(read)?.path();
            if path.extension().is_some_and(|e| e == extension) {
                found.push(path);
            }
        }
        found.sort();
        files.extend(found);
    }
    Ok(files)
}

/// The content of an element, for telling two copies of a document apart: names, attributes
/// and text (whitespace collapsed), without comments.
fn fingerprint(node: Node<'_, '_>) -> String {
    let mut out = String::new();
    write_fingerprint(node, &mut out);
    out
}

fn write_fingerprint(node: Node<'_, '_>, out: &mut String) {
    let name = node.tag_name();
    out.push_str(&format!(
        "<{{{}}}{}",
        name.namespace().unwrap_or(""),
        name.name()
    ));
    let mut attrs: Vec<String> = node
        .attributes()
        .map(|a| {
            format!(
                " {{{}}}{}={:?}",
                a.namespace().unwrap_or(""),
                a.name(),
                a.value()
            )
        })
        .collect();
    attrs.sort();
    out.push_str(&attrs.concat());
    out.push('>');
    for child in node.children() {
        if child.is_element() {
            write_fingerprint(child, out);
        } else if child.is_text() {
            let text = child.text().unwrap_or_default().split_whitespace();
            out.push_str(&text.collect::<Vec<_>>().join(" "));
        }
    }
    out.push_str("</>");
}
