//! Reading one XML document's elements strictly: where each is, which attributes and children
//! it may have, its QName-valued attributes resolved, and its documentation.

use std::path::Path;

use roxmltree::Node;

use crate::error::{Error, Location};
use crate::qname::QName;

/// A document being read, for locations in errors.
pub struct Doc<'a, 'input> {
    pub file: &'a Path,
    pub xml: &'a roxmltree::Document<'input>,
}

impl Doc<'_, '_> {
    /// Where `node` is: line and element path (`name` attributes in brackets).
    pub fn at(&self, node: Node<'_, '_>) -> Location {
        let mut steps: Vec<String> = node
            .ancestors()
            .filter(Node::is_element)
            .map(|n| match n.attribute("name") {
                Some(name) => format!("{}[{name}]", n.tag_name().name()),
                None => n.tag_name().name().to_string(),
            })
            .collect();
        steps.reverse();
        Location {
            file: self.file.to_path_buf(),
            line: self.xml.text_pos_at(node.range().start).row,
            path: steps.join("/"),
        }
    }

    /// Fails on any unqualified attribute of `node` not in `allowed`; attributes in other
    /// namespaces are extensions without meaning here.
    pub fn check_attributes(&self, node: Node<'_, '_>, allowed: &[&str]) -> Result<(), Error> {
        for attr in node.attributes() {
            if attr.namespace().is_none() && !allowed.contains(&attr.name()) {
                return Err(Error::unsupported(
                    format!("attribute {} on {}", attr.name(), display(node)),
                    self.at(node),
                ));
            }
        }
        Ok(())
    }

    /// The value of attribute `name`, which must be there.
    pub fn required<'n>(&self, node: Node<'n, '_>, name: &str) -> Result<&'n str, Error> {
        node.attribute(name).ok_or_else(|| {
            Error::invalid(
                format!("{} has no {name} attribute", display(node)),
                self.at(node),
            )
        })
    }

    /// A QName-valued attribute (`type="tns:Item"`), its prefix resolved where it is written.
    pub fn qname(&self, node: Node<'_, '_>, name: &str) -> Result<QName, Error> {
        let value = self.required(node, name)?;
        let (prefix, local) = match value.split_once(':') {
            Some((prefix, local)) => (Some(prefix), local),
            None => (None, value),
        };
        let namespace = node.lookup_namespace_uri(prefix).ok_or_else(|| {
            Error::invalid(
                format!("the prefix of {name}=\"{value}\" is not declared"),
                self.at(node),
            )
        })?;
        Ok(QName::new(namespace, local))
    }

    /// The element children of `node`; text other than whitespace is an error.
    pub fn children<'n, 'i>(&self, node: Node<'n, 'i>) -> Result<Vec<Node<'n, 'i>>, Error> {
        let mut children = Vec::new();
        for child in node.children() {
            if child.is_element() {
                children.push(child);
            } else if child.is_text() && !child.text().unwrap_or_default().trim().is_empty() {
                return Err(Error::invalid(
                    format!("text is not allowed in {}", display(node)),
                    self.at(node),
                ));
            }
        }
        Ok(children)
    }

    /// An error for `node`, a child its parent may not have.
    pub fn unexpected(&self, node: Node<'_, '_>) -> Error {
        let parent = node.parent_element().map(display).unwrap_or_default();
        Error::unsupported(format!("{} in {parent}", display(node)), self.at(node))
    }
}

/// `node`'s name with the usual prefix of its namespace, e.g. `xs:group`.
pub fn display(node: Node<'_, '_>) -> String {
    let prefix = match node.tag_name().namespace() {
        Some(crate::qname::XS) => "xs:",
        Some(super::WSDL) => "wsdl:",
        Some(super::SOAP11) => "soap:",
        Some(super::SOAP12) => "soap12:",
        _ => "",
    };
    format!("{prefix}{}", node.tag_name().name())
}

/// Whether `node` is `{ns}local`.
pub fn is(node: Node<'_, '_>, ns: &str, local: &str) -> bool {
    node.tag_name().namespace() == Some(ns) && node.tag_name().name() == local
}

/// The text of a documentation element with its whitespace runs collapsed to single spaces.
pub fn doc_text(node: Node<'_, '_>) -> String {
    let text: String = node
        .descendants()
        .filter(Node::is_text)
        .filter_map(|n| n.text())
        .collect();
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
