//! A schema the generator does not support fails the build: the error names the construct and
//! where it is (file, line, element path), and nothing is skipped.

use std::path::PathBuf;

use contractgen::{Config, Error, NamespaceBinding, TypeMap};

/// A folder of contract documents, removed at the end of the test.
struct Docs(tempfile::TempDir);

impl Docs {
    fn new() -> Self {
        Docs(tempfile::tempdir().expect("temporary folder"))
    }

    /// `body` in a schema of namespace `urn:fail` (prefix `f`), in file `name.xsd`.
    fn schema(&self, name: &str, body: &str) -> PathBuf {
        self.document(
            &format!("{name}.xsd"),
            &format!(
                r#"<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:f="urn:fail"
           targetNamespace="urn:fail" elementFormDefault="qualified">
{body}
</xs:schema>"#
            ),
        )
    }

    fn document(&self, name: &str, text: &str) -> PathBuf {
        let path = self.0.path().join(name);
        std::fs::write(&path, text).expect("document written");
        path
    }
}

fn error(path: PathBuf) -> Error {
    let config = Config::new(TypeMap::builtins()).namespace(NamespaceBinding::new(
        "urn:fail",
        "crate::fail",
        "FAIL",
        "f",
    ));
    match contractgen::load(&[path], &config) {
        Ok(_) => panic!("the schema was accepted"),
        Err(e) => e,
    }
}

/// The error for `body` is unsupported `construct`, at element path `path` of the file.
fn unsupported(docs: &Docs, name: &str, body: &str, construct: &str, path: &str) {
    match error(docs.schema(name, body)) {
        Error::Unsupported { construct: c, at } => {
            assert_eq!(c, construct, "{name}");
            assert_eq!(at.path, path, "{name}");
            assert!(at.file.ends_with(format!("{name}.xsd")), "{name}: {at}");
            assert!(at.line > 1, "{name}: {at}");
        }
        other => panic!("{name}: {other}"),
    }
}

#[test]
fn wildcards_attributes_groups_and_derivation_are_named() {
    let docs = Docs::new();
    unsupported(
        &docs,
        "any",
        r#"<xs:element name="Bag"><xs:complexType><xs:sequence>
             <xs:any/>
           </xs:sequence></xs:complexType></xs:element>"#,
        "xs:any in xs:sequence",
        "schema/element[Bag]/complexType/sequence/any",
    );
    unsupported(
        &docs,
        "attribute",
        r#"<xs:complexType name="Tagged"><xs:sequence/>
             <xs:attribute name="lang" type="xs:string"/>
           </xs:complexType>"#,
        "xs:attribute in xs:complexType",
        "schema/complexType[Tagged]/attribute[lang]",
    );
    unsupported(
        &docs,
        "group",
        r#"<xs:group name="Common"><xs:sequence/></xs:group>"#,
        "xs:group in xs:schema",
        "schema/group[Common]",
    );
    unsupported(
        &docs,
        "extension",
        r#"<xs:complexType name="Base"><xs:sequence/></xs:complexType>
           <xs:complexType name="Derived"><xs:complexContent>
             <xs:extension base="f:Base"/>
           </xs:complexContent></xs:complexType>"#,
        "xs:complexContent in xs:complexType",
        "schema/complexType[Derived]/complexContent",
    );
    unsupported(
        &docs,
        "mixed",
        r#"<xs:complexType name="Text" mixed="true"><xs:sequence/></xs:complexType>"#,
        "attribute mixed on xs:complexType",
        "schema/complexType[Text]",
    );
    unsupported(
        &docs,
        "include",
        r#"<xs:include schemaLocation="other.xsd"/>"#,
        "xs:include in xs:schema",
        "schema/include",
    );
}

#[test]
fn element_forms_outside_the_model_are_named() {
    let docs = Docs::new();
    unsupported(
        &docs,
        "substitution",
        r#"<xs:element name="Head" type="xs:string"/>
           <xs:element name="Member" type="xs:string" substitutionGroup="f:Head"/>"#,
        "attribute substitutionGroup on xs:element",
        "schema/element[Member]",
    );
    unsupported(
        &docs,
        "ref",
        r#"<xs:element name="Note" type="xs:string"/>
           <xs:element name="Box"><xs:complexType><xs:sequence>
             <xs:element ref="f:Note"/>
           </xs:sequence></xs:complexType></xs:element>"#,
        "attribute ref on xs:element",
        "schema/element[Box]/complexType/sequence/element",
    );
    unsupported(
        &docs,
        "occurs",
        r#"<xs:element name="Pair"><xs:complexType><xs:sequence>
             <xs:element name="item" type="xs:int" maxOccurs="2"/>
           </xs:sequence></xs:complexType></xs:element>"#,
        r#"minOccurs="1" maxOccurs="2""#,
        "schema/element[Pair]/complexType/sequence/element[item]",
    );
    unsupported(
        &docs,
        "nillable_repeated",
        r#"<xs:element name="List"><xs:complexType><xs:sequence>
             <xs:element name="item" type="xs:int" maxOccurs="unbounded" nillable="true"/>
           </xs:sequence></xs:complexType></xs:element>"#,
        "a nillable repeated element",
        "schema/element[List]/complexType/sequence/element[item]",
    );
    unsupported(
        &docs,
        "choice_optional",
        r#"<xs:element name="Pick"><xs:complexType><xs:choice>
             <xs:element name="a" type="xs:int" minOccurs="0"/>
           </xs:choice></xs:complexType></xs:element>"#,
        "an optional, repeated, nillable or defaulted element in xs:choice",
        "schema/element[Pick]/complexType/choice/element[a]",
    );
    unsupported(
        &docs,
        "untyped",
        r#"<xs:element name="Anything"/>"#,
        "an element without a type (xs:anyType)",
        "schema/element[Anything]",
    );
}

#[test]
fn simple_types_outside_the_model_are_named() {
    let docs = Docs::new();
    unsupported(
        &docs,
        "union",
        r#"<xs:simpleType name="IntOrText"><xs:union memberTypes="xs:int xs:string"/></xs:simpleType>"#,
        "xs:union in xs:simpleType",
        "schema/simpleType[IntOrText]/union",
    );
    unsupported(
        &docs,
        "whitespace",
        r#"<xs:simpleType name="Token"><xs:restriction base="xs:string">
             <xs:whiteSpace value="collapse"/>
           </xs:restriction></xs:simpleType>"#,
        "xs:whiteSpace in xs:restriction",
        "schema/simpleType[Token]/restriction/whiteSpace",
    );
    unsupported(
        &docs,
        "pattern_group",
        r#"<xs:simpleType name="Pairs"><xs:restriction base="xs:string">
             <xs:pattern value="(ab)+"/>
           </xs:restriction></xs:simpleType>"#,
        r#"a group in xs:pattern "(ab)+""#,
        "schema/simpleType[Pairs]/restriction/pattern",
    );
    unsupported(
        &docs,
        "facet_base",
        r#"<xs:simpleType name="Short"><xs:restriction base="xs:int">
             <xs:maxLength value="3"/>
           </xs:restriction></xs:simpleType>"#,
        "xs:maxLength on xs:int",
        "schema/simpleType[Short]/restriction/maxLength",
    );
    unsupported(
        &docs,
        "enum_int",
        r#"<xs:simpleType name="Level"><xs:restriction base="xs:int">
             <xs:enumeration value="1"/>
           </xs:restriction></xs:simpleType>"#,
        "xs:enumeration of a type other than xs:string",
        "schema/simpleType[Level]/restriction/enumeration",
    );
}

#[test]
fn unqualified_local_elements_are_named() {
    let docs = Docs::new();
    let path = docs.document(
        "unqualified.xsd",
        r#"<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:fail">
</xs:schema>"#,
    );
    match error(path) {
        Error::Unsupported { construct, at } => {
            assert_eq!(
                construct,
                r#"local elements in no namespace (elementFormDefault is not "qualified")"#
            );
            assert_eq!(at.path, "schema");
        }
        other => panic!("{other}"),
    }
}

#[test]
fn unknown_types_and_unmapped_builtins_are_named() {
    let docs = Docs::new();
    let undefined = docs.schema(
        "undefined",
        r#"<xs:element name="Box"><xs:complexType><xs:sequence>
             <xs:element name="x" type="f:Missing"/>
           </xs:sequence></xs:complexType></xs:element>"#,
    );
    let message = error(undefined).to_string();
    assert!(
        message.contains("type {urn:fail}Missing is not defined"),
        "{message}"
    );
    assert!(
        message.contains("schema/element[Box]/complexType/sequence/element[x]"),
        "{message}"
    );
    let unmapped = docs.schema("unmapped", r#"<xs:element name="Day" type="xs:date"/>"#);
    match error(unmapped) {
        Error::UnmappedBuiltin { name, at } => {
            assert_eq!(name, "date");
            assert_eq!(at.path, "schema/element[Day]");
        }
        other => panic!("{other}"),
    }
}

/// A WSDL whose port type and binding are `operation` and `binding`.
fn wsdl(docs: &Docs, name: &str, operation: &str, binding: &str) -> PathBuf {
    docs.document(
        &format!("{name}.wsdl"),
        &format!(
            r#"<wsdl:definitions targetNamespace="urn:fail:service" xmlns:tns="urn:fail:service"
    xmlns:f="urn:fail" xmlns:xs="http://www.w3.org/2001/XMLSchema"
    xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/"
    xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/">
  <wsdl:types>
    <xs:schema targetNamespace="urn:fail" elementFormDefault="qualified">
      <xs:element name="Ping" type="xs:string"/>
    </xs:schema>
  </wsdl:types>
  <wsdl:message name="PingIn"><wsdl:part name="parameters" element="f:Ping"/></wsdl:message>
  <wsdl:portType name="Port">{operation}</wsdl:portType>
  <wsdl:binding name="Binding" type="tns:Port">{binding}</wsdl:binding>
  <wsdl:service name="Service">
    <wsdl:port name="P" binding="tns:Binding"><soap:address location="http://x/"/></wsdl:port>
  </wsdl:service>
</wsdl:definitions>"#
        ),
    )
}

#[test]
fn wsdl_constructs_outside_the_model_are_named() {
    let docs = Docs::new();
    let one_way = wsdl(
        &docs,
        "one_way",
        r#"<wsdl:operation name="Ping"><wsdl:input message="tns:PingIn"/></wsdl:operation>"#,
        r#"<soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>"#,
    );
    match error(one_way) {
        Error::Unsupported { construct, at } => {
            assert_eq!(
                construct,
                "an operation that is not request-response (one-way or notification)"
            );
            assert_eq!(at.path, "definitions/portType[Port]/operation[Ping]");
        }
        other => panic!("{other}"),
    }
    let rpc = wsdl(
        &docs,
        "rpc",
        r#"<wsdl:operation name="Ping"><wsdl:input message="tns:PingIn"/>
             <wsdl:output message="tns:PingIn"/></wsdl:operation>"#,
        r#"<soap:binding style="rpc" transport="http://schemas.xmlsoap.org/soap/http"/>"#,
    );
    match error(rpc) {
        Error::Unsupported { construct, at } => {
            assert_eq!(construct, r#"style="rpc" on soap:binding"#);
            assert_eq!(at.path, "definitions/binding[Binding]/binding");
        }
        other => panic!("{other}"),
    }
    let unbound = wsdl(
        &docs,
        "unbound",
        r#"<wsdl:operation name="Ping"><wsdl:input message="tns:PingIn"/>
             <wsdl:output message="tns:PingIn"/></wsdl:operation>"#,
        r#"<soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>"#,
    );
    let message = error(unbound).to_string();
    assert!(
        message.contains("binding Binding has no operation Ping"),
        "{message}"
    );
}
