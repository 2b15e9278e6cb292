//! Resolves the schemas' types and global elements: each QName to a generated type or a Rust
//! type from the type map, each anonymous type named after its owner, each content model and
//! restriction checked for what the generator supports.

use std::collections::{HashMap, HashSet};

use super::{
    Alternative, Builtin, EnumValue, Facets, Field, GlobalElement, Occurs, Origin, TypeDef, TypeId,
    TypeKind, TypeRef, simple,
};
use crate::config::TypeMap;
use crate::error::{Error, Location};
use crate::names;
use crate::parse::raw::{
    ComplexType, Element, ElementType, FacetKind, MaxOccurs, Particle, Schema, SimpleType, Sources,
};
use crate::qname::{QName, XS};

/// The generated types (indexed by [`TypeId`]) and the global elements of `sources`.
pub fn types(
    sources: &Sources,
    map: &TypeMap,
) -> Result<(Vec<TypeDef>, Vec<GlobalElement>), Error> {
    let mut resolver = Resolver {
        map,
        named: HashMap::new(),
        refs: HashMap::new(),
        bases: HashMap::new(),
        in_progress: HashSet::new(),
        types: Vec::new(),
    };
    let provided: HashSet<&str> = sources
        .schemas
        .iter()
        .map(|s| s.target_namespace.as_str())
        .collect();
    for schema in &sources.schemas {
        for import in &schema.imports {
            if import.namespace != XS && !provided.contains(import.namespace.as_str()) {
                return Err(Error::Undefined {
                    kind: "schema of the imported namespace",
                    namespace: import.namespace.clone(),
                    name: String::new(),
                    at: import.at.clone(),
                });
            }
        }
        for ty in &schema.complex_types {
            resolver.declare(schema, ty.name.as_deref(), Named::Complex(ty), &ty.at)?;
        }
        for ty in &schema.simple_types {
            resolver.declare(schema, ty.name.as_deref(), Named::Simple(ty), &ty.at)?;
        }
    }
    let mut elements: Vec<GlobalElement> = Vec::new();
    let mut element_at: HashMap<QName, &Location> = HashMap::new();
    for schema in &sources.schemas {
        let ns = &schema.target_namespace;
        for ty in schema.complex_types.iter().filter_map(|t| t.name.as_ref()) {
            resolver.named(&QName::new(ns, ty), &schema.at)?;
        }
        for ty in schema.simple_types.iter().filter_map(|t| t.name.as_ref()) {
            resolver.named(&QName::new(ns, ty), &schema.at)?;
        }
        for element in &schema.elements {
            let name = QName::new(ns, &element.name);
            if let Some(first) = element_at.insert(name.clone(), &element.at) {
                return Err(Error::duplicate(
                    "element",
                    name.to_string(),
                    first,
                    &element.at,
                ));
            }
            let ty = resolver.global_element(ns, element)?;
            elements.push(GlobalElement { name, ty });
        }
    }
    let types = resolver
        .types
        .into_iter()
        .map(|t| t.expect("every type allocated is defined before resolving ends"))
        .collect();
    Ok((types, elements))
}

/// Fails when two generated types of one namespace have the same Rust name.
pub fn check_names(types: &[TypeDef]) -> Result<(), Error> {
    let mut seen: HashMap<(&str, &str), &Location> = HashMap::new();
    for ty in types {
        if let Some(first) = seen.insert((&ty.namespace, &ty.name), &ty.at) {
            return Err(Error::duplicate(
                "Rust type",
                ty.name.clone(),
                first,
                &ty.at,
            ));
        }
    }
    Ok(())
}

#[derive(Clone, Copy)]
enum Named<'a> {
    Complex(&'a ComplexType),
    Simple(&'a SimpleType),
}

/// What a restriction of a simple type starts from.
#[derive(Debug, Clone)]
enum Base {
    /// A built-in type, with the facets of the restrictions already applied to it.
    Builtin {
        builtin: Builtin,
        rust: String,
        facets: Facets,
    },
    /// A type facets cannot restrict here: injected, an enumeration, or a built-in type
    /// without value checks.
    Opaque(String),
}

/// What one restriction step yields.
enum Restriction {
    Enumeration(Vec<EnumValue>),
    Restricted {
        builtin: Builtin,
        rust: String,
        facets: Facets,
    },
    /// No facets: the base type itself.
    Unrestricted,
}

struct Resolver<'a> {
    map: &'a TypeMap,
    named: HashMap<QName, (Named<'a>, &'a Location)>,
    /// How fields refer to each named type resolved so far.
    refs: HashMap<QName, TypeRef>,
    /// How restrictions see each named simple type resolved so far.
    bases: HashMap<QName, Base>,
    in_progress: HashSet<QName>,
    types: Vec<Option<TypeDef>>,
}

impl<'a> Resolver<'a> {
    fn declare(
        &mut self,
        schema: &Schema,
        name: Option<&str>,
        named: Named<'a>,
        at: &'a Location,
    ) -> Result<(), Error> {
        let Some(name) = name else {
            return Err(Error::invalid("a global type has no name", at.clone()));
        };
        let qname = QName::new(&schema.target_namespace, name);
        if let Some((_, first)) = self.named.insert(qname.clone(), (named, at)) {
            return Err(Error::duplicate("type", qname.to_string(), first, at));
        }
        Ok(())
    }

    fn allocate(&mut self) -> TypeId {
        self.types.push(None);
        TypeId(self.types.len() - 1)
    }

    fn define(&mut self, id: TypeId, def: TypeDef) {
        self.types[id.0] = Some(def);
    }

    fn add(&mut self, def: TypeDef) -> TypeId {
        let id = self.allocate();
        self.define(id, def);
        id
    }

    /// The type a reference names: injected, or generated from its definition.
    fn named(&mut self, name: &QName, at: &Location) -> Result<TypeRef, Error> {
        if let Some(rust) = self.map.get(name) {
            return Ok(TypeRef::Rust(rust.to_string()));
        }
        if let Some(found) = self.refs.get(name) {
            return Ok(found.clone());
        }
        match self.named.get(name).copied() {
            Some((Named::Complex(ty), _)) => {
                let id = self.allocate();
                self.refs.insert(name.clone(), TypeRef::Generated(id));
                let type_name = names::type_name(&name.local);
                let kind = self.content(&name.namespace, &type_name, ty)?;
                self.define(
                    id,
                    TypeDef {
                        name: type_name,
                        origin: Origin::Named(name.local.clone()),
                        namespace: name.namespace.clone(),
                        doc: ty.doc.clone(),
                        kind,
                        at: ty.at.clone(),
                    },
                );
                Ok(TypeRef::Generated(id))
            }
            Some((Named::Simple(_), _)) => Ok(self.named_simple(name, at)?.0),
            None => Err(self.undefined(name, at)),
        }
    }

    fn undefined(&self, name: &QName, at: &Location) -> Error {
        if name.namespace == XS {
            Error::UnmappedBuiltin {
                name: name.local.clone(),
                at: at.clone(),
            }
        } else {
            Error::Undefined {
                kind: "type",
                namespace: name.namespace.clone(),
                name: name.local.clone(),
                at: at.clone(),
            }
        }
    }

    /// A simple type by name: how fields refer to it, and what restrictions of it start from.
    fn named_simple(&mut self, name: &QName, at: &Location) -> Result<(TypeRef, Base), Error> {
        if let Some(rust) = self.map.get(name) {
            let base = match (name.namespace == XS)
                .then(|| Builtin::from_name(&name.local))
                .flatten()
            {
                Some(builtin) => Base::Builtin {
                    builtin,
                    rust: rust.to_string(),
                    facets: Facets::default(),
                },
                None => Base::Opaque(rust.to_string()),
            };
            return Ok((TypeRef::Rust(rust.to_string()), base));
        }
        if let (Some(found), Some(base)) = (self.refs.get(name), self.bases.get(name)) {
            return Ok((found.clone(), base.clone()));
        }
        let ty = match self.named.get(name).copied() {
            Some((Named::Simple(ty), _)) => ty,
            Some((Named::Complex(_), _)) => {
                return Err(Error::invalid(
                    format!("{name} is a complex type, not a simple type"),
                    at.clone(),
                ));
            }
            None => return Err(self.undefined(name, at)),
        };
        if !self.in_progress.insert(name.clone()) {
            return Err(Error::invalid(
                format!("{name} is derived from itself"),
                ty.at.clone(),
            ));
        }
        let (base_ref, base) = self.named_simple(&ty.base, &ty.at)?;
        let type_name = names::type_name(&name.local);
        let restriction = self.restrict(&base, ty, &QName::new(&name.namespace, &type_name))?;
        let (kind, derived) = match restriction {
            Restriction::Enumeration(values) => (TypeKind::Enumeration(values), None),
            Restriction::Restricted {
                builtin,
                rust,
                facets,
            } => {
                let derived = Base::Builtin {
                    builtin,
                    rust: rust.clone(),
                    facets: facets.clone(),
                };
                (
                    TypeKind::Restricted {
                        base: builtin,
                        rust,
                        facets,
                    },
                    Some(derived),
                )
            }
            Restriction::Unrestricted => (TypeKind::Alias(base_ref), Some(base)),
        };
        let id = self.add(TypeDef {
            name: type_name.clone(),
            origin: Origin::Named(name.local.clone()),
            namespace: name.namespace.clone(),
            doc: ty.doc.clone(),
            kind,
            at: ty.at.clone(),
        });
        let derived = derived.unwrap_or(Base::Opaque(type_name));
        self.in_progress.remove(name);
        self.refs.insert(name.clone(), TypeRef::Generated(id));
        self.bases.insert(name.clone(), derived.clone());
        Ok((TypeRef::Generated(id), derived))
    }

    /// One restriction step of `base` by `ty`'s facets.
    fn restrict(&self, base: &Base, ty: &SimpleType, name: &QName) -> Result<Restriction, Error> {
        let Some(first) = ty.facets.first() else {
            return Ok(Restriction::Unrestricted);
        };
        let enumeration = ty.facets.iter().any(|f| f.kind == FacetKind::Enumeration);
        if enumeration {
            if let Some(other) = ty.facets.iter().find(|f| f.kind != FacetKind::Enumeration) {
                return Err(Error::unsupported(
                    format!("xs:{} together with xs:enumeration", other.kind.name()),
                    other.at.clone(),
                ));
            }
            let plain_string = matches!(
                base,
                Base::Builtin { builtin: Builtin::String, facets, .. } if *facets == Facets::default()
            );
            if !plain_string {
                return Err(Error::unsupported(
                    "xs:enumeration of a type other than xs:string",
                    first.at.clone(),
                ));
            }
            return enum_values(ty).map(Restriction::Enumeration);
        }
        match base {
            Base::Builtin {
                builtin,
                rust,
                facets,
            } => Ok(Restriction::Restricted {
                builtin: *builtin,
                rust: rust.clone(),
                facets: simple::narrow(*builtin, facets, &ty.facets, name)?,
            }),
            Base::Opaque(name) => Err(Error::unsupported(
                format!("facets restricting {name}"),
                first.at.clone(),
            )),
        }
    }

    /// An anonymous simple type of an element in `owner`: a new type named after both, or
    /// its base when it has no facets.
    fn anonymous_simple(
        &mut self,
        namespace: &str,
        name: String,
        origin: Origin,
        ty: &SimpleType,
    ) -> Result<TypeRef, Error> {
        let (base_ref, base) = self.named_simple(&ty.base, &ty.at)?;
        let kind = match self.restrict(&base, ty, &QName::new(namespace, &name))? {
            Restriction::Enumeration(values) => TypeKind::Enumeration(values),
            Restriction::Restricted {
                builtin,
                rust,
                facets,
            } => TypeKind::Restricted {
                base: builtin,
                rust,
                facets,
            },
            Restriction::Unrestricted => return Ok(base_ref),
        };
        Ok(TypeRef::Generated(self.add(TypeDef {
            name,
            origin,
            namespace: namespace.to_string(),
            doc: ty.doc.clone(),
            kind,
            at: ty.at.clone(),
        })))
    }

    /// The generated type of a global element.
    fn global_element(&mut self, namespace: &str, element: &Element) -> Result<TypeId, Error> {
        let name = names::type_name(&element.name);
        let origin = Origin::Element(element.name.clone());
        if element.nillable || element.default.is_some() {
            return Err(Error::unsupported(
                "nillable or default on a global element",
                element.at.clone(),
            ));
        }
        let kind = match &element.ty {
            ElementType::Complex(ty) => self.content(namespace, &name, ty)?,
            ElementType::Simple(ty) => {
                let value = format!("{name}Value");
                let local = Origin::Local {
                    owner: element.name.clone(),
                    element: element.name.clone(),
                };
                TypeKind::Wrapper(self.anonymous_simple(namespace, value, local, ty)?)
            }
            ElementType::Named(ty) => TypeKind::Wrapper(self.named(ty, &element.at)?),
        };
        Ok(self.add(TypeDef {
            name,
            origin,
            namespace: namespace.to_string(),
            doc: element.doc.clone(),
            kind,
            at: element.at.clone(),
        }))
    }

    /// The kind of complex type `ty`, whose Rust name is `owner`.
    fn content(
        &mut self,
        namespace: &str,
        owner: &str,
        ty: &ComplexType,
    ) -> Result<TypeKind, Error> {
        let elements = match &ty.content {
            Particle::Sequence(elements) | Particle::Choice(elements) => elements,
        };
        let mut seen = HashSet::new();
        for element in elements {
            if !seen.insert(&element.name) {
                return Err(Error::unsupported(
                    "an element name used twice in one content model",
                    element.at.clone(),
                ));
            }
        }
        match &ty.content {
            Particle::Sequence(elements) => {
                let mut fields = Vec::new();
                let mut rust_names = HashSet::new();
                for element in elements {
                    let field = self.field(namespace, owner, element)?;
                    if !rust_names.insert(field.rust_name.clone()) {
                        return Err(Error::duplicate(
                            "Rust field",
                            field.rust_name,
                            &elements[0].at,
                            &element.at,
                        ));
                    }
                    fields.push(field);
                }
                Ok(TypeKind::Sequence(fields))
            }
            Particle::Choice(elements) => {
                let Some(first) = elements.first() else {
                    return Err(Error::unsupported("an empty xs:choice", ty.at.clone()));
                };
                let mut alternatives = Vec::new();
                for element in elements {
                    let once =
                        element.min_occurs == 1 && element.max_occurs == MaxOccurs::Bounded(1);
                    if !once || element.nillable || element.default.is_some() {
                        return Err(Error::unsupported(
                            "an optional, repeated, nillable or defaulted element in xs:choice",
                            element.at.clone(),
                        ));
                    }
                    alternatives.push(Alternative {
                        xml_name: element.name.clone(),
                        variant: names::upper_camel(&element.name),
                        ty: self.element_type(namespace, owner, element)?,
                        doc: element.doc.clone(),
                        at: element.at.clone(),
                    });
                }
                let mut variants = HashSet::new();
                for alternative in &alternatives {
                    if !variants.insert(&alternative.variant) {
                        return Err(Error::duplicate(
                            "Rust variant",
                            alternative.variant.clone(),
                            &first.at,
                            &alternative.at,
                        ));
                    }
                }
                Ok(TypeKind::Choice(alternatives))
            }
        }
    }

    fn field(&mut self, namespace: &str, owner: &str, element: &Element) -> Result<Field, Error> {
        let occurs = match (element.min_occurs, element.max_occurs) {
            (1, MaxOccurs::Bounded(1)) => Occurs::One,
            (0, MaxOccurs::Bounded(1)) => Occurs::Optional,
            (min @ (0 | 1), MaxOccurs::Unbounded) => Occurs::Repeated {
                at_least_one: min == 1,
            },
            (min, max) => {
                let max = match max {
                    MaxOccurs::Bounded(n) => n.to_string(),
                    MaxOccurs::Unbounded => "unbounded".into(),
                };
                return Err(Error::unsupported(
                    format!("minOccurs=\"{min}\" maxOccurs=\"{max}\""),
                    element.at.clone(),
                ));
            }
        };
        if element.nillable && matches!(occurs, Occurs::Repeated { .. }) {
            return Err(Error::unsupported(
                "a nillable repeated element",
                element.at.clone(),
            ));
        }
        Ok(Field {
            xml_name: element.name.clone(),
            rust_name: names::field_name(&element.name),
            ty: self.element_type(namespace, owner, element)?,
            occurs,
            nillable: element.nillable,
            default: element.default.clone(),
            doc: element.doc.clone(),
            at: element.at.clone(),
        })
    }

    /// The type of local element `element` of type `owner`.
    fn element_type(
        &mut self,
        namespace: &str,
        owner: &str,
        element: &Element,
    ) -> Result<TypeRef, Error> {
        let name = format!("{owner}{}", names::upper_camel(&element.name));
        let origin = Origin::Local {
            owner: owner.to_string(),
            element: element.name.clone(),
        };
        match &element.ty {
            ElementType::Named(ty) => self.named(ty, &element.at),
            ElementType::Simple(ty) => self.anonymous_simple(namespace, name, origin, ty),
            ElementType::Complex(ty) => {
                let kind = self.content(namespace, &name, ty)?;
                Ok(TypeRef::Generated(self.add(TypeDef {
                    name,
                    origin,
                    namespace: namespace.to_string(),
                    doc: ty.doc.clone(),
                    kind,
                    at: ty.at.clone(),
                })))
            }
        }
    }
}

/// The values of an enumeration, each with its variant name.
fn enum_values(ty: &SimpleType) -> Result<Vec<EnumValue>, Error> {
    let mut values: Vec<EnumValue> = Vec::new();
    for facet in &ty.facets {
        let variant = names::upper_camel(&facet.value);
        if let Some(other) = values.iter().find(|v| v.variant == variant) {
            return Err(Error::duplicate(
                "enumeration value",
                format!("{variant} ('{}' and '{}')", other.value, facet.value),
                &ty.at,
                &facet.at,
            ));
        }
        values.push(EnumValue {
            value: facet.value.clone(),
            variant,
            doc: facet.doc.clone(),
        });
    }
    Ok(values)
}
