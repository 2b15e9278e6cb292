//! xsd-parser's duplicate removal, where the caller asks for it: global elements of one
//! namespace whose anonymous types have the same content share one content type, and each
//! element becomes a newtype of it.

use super::{GlobalElement, Origin, TypeDef, TypeId, TypeKind, TypeRef};

/// Shares the content of the global elements of `namespace` that have the same anonymous
/// content, naming it after the first of them: `Echo` and `EchoResponse` become
/// `Echo(EchoContent)` and `EchoResponse(EchoContent)`.
pub fn identical_content(types: &mut Vec<TypeDef>, elements: &[GlobalElement], namespace: &str) {
    let candidates: Vec<TypeId> = elements
        .iter()
        .map(|e| e.ty)
        .filter(|id| {
            let ty = &types[id.0];
            ty.namespace == namespace
                && matches!(ty.kind, TypeKind::Sequence(_) | TypeKind::Choice(_))
        })
        .collect();
    let mut groups: Vec<Vec<TypeId>> = Vec::new();
    for id in candidates {
        match groups
            .iter_mut()
            .find(|group| same_content(&types[group[0].0].kind, &types[id.0].kind))
        {
            Some(group) => group.push(id),
            None => groups.push(vec![id]),
        }
    }
    for group in groups.into_iter().filter(|g| g.len() > 1) {
        let shared = TypeId(types.len());
        let first = &mut types[group[0].0];
        let kind = std::mem::replace(
            &mut first.kind,
            TypeKind::Wrapper(TypeRef::Generated(shared)),
        );
        let content = TypeDef {
            name: format!("{}Content", first.name),
            origin: Origin::Shared(group.iter().map(|id| types[id.0].name.clone()).collect()),
            namespace: namespace.to_string(),
            doc: None,
            kind,
            at: types[group[0].0].at.clone(),
        };
        for id in &group[1..] {
            types[id.0].kind = TypeKind::Wrapper(TypeRef::Generated(shared));
        }
        types.push(content);
    }
}

/// Whether two content models are the same, documentation aside.
fn same_content(a: &TypeKind, b: &TypeKind) -> bool {
    match (a, b) {
        (TypeKind::Sequence(a), TypeKind::Sequence(b)) => {
            a.len() == b.len()
                && a.iter().zip(b).all(|(x, y)| {
                    (&x.xml_name, &x.ty, x.occurs, x.nillable, &x.default)
                        == (&y.xml_name, &y.ty, y.occurs, y.nillable, &y.default)
                })
        }
        (TypeKind::Choice(a), TypeKind::Choice(b)) => {
            a.len() == b.len()
                && a.iter()
                    .zip(b)
                    .all(|(x, y)| (&x.xml_name, &x.ty) == (&y.xml_name, &y.ty))
        }
        _ => false,
    }
}
