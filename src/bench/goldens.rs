//! contractgen's golden outputs for facets, nil and choices, compiled in this crate on the real
//! codec: they are correct Rust, and they behave as the hand-written codecs do — a broken facet
//! is an issue at the field's path (so a ValidationFault entry), nil is told from absent, and a
//! choice takes exactly one of its elements.

mod facets {
    include!("../../contractgen/tests/golden/facets/expected.rs");
}

mod nillable {
    include!("../../contractgen/tests/golden/nillable/expected.rs");
}

mod choice {
    include!("../../contractgen/tests/golden/choice/expected.rs");
}

use crate::codec::testing::{decode, issues};
use crate::codec::{SimpleType, write_message};
use crate::xml::XmlWriter;

fn pairs<const N: usize>(expected: [(&str, &str); N]) -> Vec<(String, String)> {
    expected
        .into_iter()
        .map(|(path, message)| (path.to_string(), message.to_string()))
        .collect()
}

#[test]
fn a_broken_facet_is_an_issue_at_the_fields_path() {
    let error = decode::<facets::Offer>(
        "<g:code>USD</g:code><g:name></g:name><g:discount>101</g:discount>\
         <g:price>123456789.1</g:price><g:comment/><g:reason>r</g:reason>",
    )
    .unwrap_err();
    assert_eq!(
        issues(error),
        pairs([
            ("code", "'USD' does not match the pattern E.*"),
            ("name", "must be 1 to 40 characters"),
            ("discount", "must be between 0 and 100"),
            ("price", "'123456789.1' has more than 9 digits"),
        ])
    );
    let error = decode::<facets::Offer>(
        "<g:code>EURO</g:code><g:name>n</g:name><g:price>0.001</g:price>\
         <g:comment/><g:reason>r</g:reason>",
    )
    .unwrap_err();
    assert_eq!(
        issues(error),
        pairs([
            ("code", "must be exactly 3 characters"),
            ("price", "must be at least 0.01"),
        ])
    );
    assert_eq!(
        facets::Code::parse("eur"),
        Err("'eur' does not match the pattern [A-Z]+".to_string())
    );
}

#[test]
fn facets_keep_the_value_as_sent() {
    let offer = decode::<facets::Offer>(
        "<g:code>EUR</g:code><g:name> n </g:name><g:discount> 5 </g:discount>\
         <g:price>12.50</g:price><g:comment> c </g:comment><g:reason>  </g:reason>",
    )
    .unwrap();
    assert_eq!(offer.code.0, "EUR");
    assert_eq!(offer.name.0, " n ");
    assert_eq!(offer.discount.map(|d| d.0), Some(5));
    assert_eq!(offer.price.0.to_string(), "12.50");
    assert_eq!(offer.comment, " c ");
    assert_eq!(offer.reason.0, "  ");
}

#[test]
fn nil_is_told_from_absent_both_ways() {
    let update =
        decode::<nillable::Update>(r#"<g:id>1</g:id><g:manager xsi:nil="true"/>"#).unwrap();
    assert_eq!((update.manager, update.display_name), (None, None));
    let update = decode::<nillable::Update>(
        r#"<g:id>1</g:id><g:manager>2</g:manager><g:displayName xsi:nil="1"/>"#,
    )
    .unwrap();
    assert_eq!(
        (update.manager, &update.display_name),
        (Some(2), &Some(None))
    );
    assert_eq!(
        issues(decode::<nillable::Update>("<g:id>1</g:id>").unwrap_err()),
        pairs([("manager", "is required")])
    );
    let mut w = XmlWriter::default();
    write_message(&mut w, &update);
    let written = String::from_utf8(w.into_bytes()).unwrap();
    assert_eq!(
        written,
        r#"<g:Update xmlns:g="urn:golden:nillable"><g:id>1</g:id><g:manager>2</g:manager><g:displayName xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:nil="true"/></g:Update>"#
    );
    let body = &written[written.find("<g:id>").unwrap()..written.rfind("</g:Update>").unwrap()];
    assert_eq!(decode::<nillable::Update>(body).unwrap(), update);
}

#[test]
fn a_choice_takes_exactly_one_element() {
    assert_eq!(
        decode::<choice::Find>("<g:key><g:userName>bob</g:userName></g:key>").unwrap(),
        choice::Find::Key(choice::Key::UserName("bob".into()))
    );
    assert_eq!(
        decode::<choice::Find>("<g:id>4</g:id>").unwrap(),
        choice::Find::Id(4)
    );
    assert_eq!(
        issues(
            decode::<choice::Find>("<g:id>1</g:id><g:key><g:email>e</g:email></g:key>")
                .unwrap_err()
        ),
        pairs([("Find", "exactly one of id or key is required")])
    );
    assert_eq!(
        issues(decode::<choice::Find>("<g:key/>").unwrap_err()),
        pairs([("key", "exactly one of id, userName or email is required")])
    );
    assert_eq!(
        issues(decode::<choice::Find>("<g:id>x</g:id>").unwrap_err()),
        pairs([("id", "'x' is not a valid xs:long")])
    );
}
