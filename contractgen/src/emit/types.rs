//! Structs for sequences, enums for choices, newtypes for elements of named types, with their
//! `Decode`/`Encode` impls in the shape of the hand-written codecs: any order on input,
//! every problem reported with its path, nil told from absent; sequence order on output.

use super::code::{Code, STRUCT_LITERAL_WIDTH};
use super::{Ctx, simple};
use crate::error::Error;
use crate::model::{Alternative, Field, Occurs, Origin, TypeDef, TypeId, TypeKind, TypeRef};

/// The definition of `ty` and its impls.
pub fn definition(code: &mut Code, ctx: &Ctx<'_>, id: TypeId, ty: &TypeDef) -> Result<(), Error> {
    code.docs(&docs(ty));
    match &ty.kind {
        TypeKind::Sequence(fields) => sequence(code, ctx, ty, fields)?,
        TypeKind::Choice(alternatives) => choice(code, ctx, ty, alternatives)?,
        TypeKind::Wrapper(inner) => wrapper(code, ctx, ty, inner)?,
        TypeKind::Alias(inner) => {
            code.line(&format!("pub type {} = {};", ty.name, ctx.rust(inner)?))
        }
        TypeKind::Enumeration(values) => simple::enumeration(code, ty, values),
        TypeKind::Restricted { base, rust, facets } => {
            simple::restricted(code, ty, *base, rust, facets)
        }
    }
    if let Some(element) = ctx.model.elements.iter().find(|e| e.ty == id) {
        code.line("");
        code.open(&format!("impl Message for {} {{", ty.name));
        code.line(&format!("const NAMESPACE: Namespace = {};", ctx.constant));
        code.line(&format!(
            "const NAME: &'static str = {:?};",
            element.name.local
        ));
        code.close("}");
    }
    Ok(())
}

/// What the type is in the schema, then the schema's documentation.
fn docs(ty: &TypeDef) -> Vec<String> {
    let what = match &ty.origin {
        Origin::Named(name) => format!("`{name}`."),
        Origin::Element(name) => format!("The `{name}` element."),
        Origin::Local { owner, element } => format!("The type of `{element}` in `{owner}`."),
        Origin::Shared(names) => {
            let names: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
            format!("The content {} share.", list(&names, "and"))
        }
    };
    std::iter::once(what).chain(ty.doc.clone()).collect()
}

/// `a`, `a and b`, `a, b and c`.
pub fn list(items: &[String], last: &str) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., tail] => format!("{} {last} {tail}", init.join(", ")),
    }
}

fn derives(copy: bool, default: bool) -> String {
    let mut traits = vec!["Debug", "Clone"];
    if copy {
        traits.push("Copy");
    }
    if default {
        traits.push("Default");
    }
    traits.extend(["PartialEq", "Eq"]);
    format!("#[derive({})]", traits.join(", "))
}

/// The field's Rust type, from its element's type and occurrence.
fn field_type(ctx: &Ctx<'_>, field: &Field) -> Result<String, Error> {
    let inner = ctx.rust(&field.ty)?;
    Ok(match (field.occurs, field.nillable) {
        (Occurs::One, false) => inner,
        (Occurs::One, true) | (Occurs::Optional, false) => format!("Option<{inner}>"),
        (Occurs::Optional, true) => format!("Option<Option<{inner}>>"),
        (Occurs::Repeated { .. }, _) => format!("Vec<{inner}>"),
    })
}

fn field_docs(field: &Field) -> Vec<String> {
    let mut docs: Vec<String> = field.doc.iter().cloned().collect();
    match (field.occurs, field.nillable) {
        (Occurs::One, true) => docs.push("`None`: sent with `xsi:nil=\"true\"`.".into()),
        (Occurs::Optional, true) => docs.push("`Some(None)`: sent with `xsi:nil=\"true\"`.".into()),
        _ => {}
    }
    if let Some(default) = &field.default {
        docs.push(format!(
            "The schema's default for an empty element, which the decoder does not apply: `{default}`."
        ));
    }
    docs
}

/// The local variable a field is decoded into.
fn local(field: &Field) -> String {
    local_name(&field.rust_name)
}

/// `name`, unless the decoder's own variables have it.
fn local_name(name: &str) -> String {
    match name {
        "d" | "child" | "chosen" | "invalid" => format!("{name}_"),
        name => name.to_string(),
    }
}

fn sequence(code: &mut Code, ctx: &Ctx<'_>, ty: &TypeDef, fields: &[Field]) -> Result<(), Error> {
    let name = &ty.name;
    if fields.is_empty() {
        code.line(&derives(false, false));
        code.line(&format!("pub struct {name};"));
    } else {
        let default = fields.iter().all(|f| f.nillable || f.occurs != Occurs::One);
        code.line(&derives(false, default));
        code.open(&format!("pub struct {name} {{"));
        for field in fields {
            code.docs(&field_docs(field));
            code.line(&format!(
                "pub {}: {},",
                field.rust_name,
                field_type(ctx, field)?
            ));
        }
        code.close("}");
    }
    code.line("");
    decode_sequence(code, ctx, name, fields)?;
    code.line("");
    code.open(&format!("impl Encode for {name} {{"));
    if fields.is_empty() {
        code.line("fn encode(&self, _w: &mut XmlWriter) {}");
    } else {
        code.open("fn encode(&self, w: &mut XmlWriter) {");
        for field in fields {
            encode_field(code, ctx.constant, field);
        }
        code.close("}");
    }
    code.close("}");
    Ok(())
}

fn decode_head(code: &mut Code, name: &str) {
    code.open(&format!("impl Decode for {name} {{"));
    code.open("fn decode(d: &mut Decoder<'_, '_>) -> Result<Option<Self>, XmlError> {");
}

fn decode_tail(code: &mut Code) {
    code.close("}");
    code.close("}");
}

/// `let mut x: Slot<T> = Slot::Absent;` for each element.
fn slots<'f>(
    code: &mut Code,
    ctx: &Ctx<'_>,
    elements: impl Iterator<Item = (String, &'f TypeRef, bool)>,
) -> Result<(), Error> {
    for (local, ty, repeated) in elements {
        let ty = ctx.rust(ty)?;
        let (head, value) = if repeated {
            (format!("let mut {local}: Many<{ty}> ="), "Many::default();")
        } else {
            (format!("let mut {local}: Slot<{ty}> ="), "Slot::Absent;")
        };
        code.split(&head, value);
    }
    Ok(())
}

/// The loop over the children, each read by the decoder method its occurrence calls for.
fn children<'f>(
    code: &mut Code,
    ctx: &Ctx<'_>,
    arms: impl Iterator<Item = (&'f str, String, &'static str)>,
) {
    code.open("while let Some(child) = d.child()? {");
    code.open(&format!("match child.name_in({}.uri) {{", ctx.constant));
    for (xml, local, method) in arms {
        code.arm(
            &format!("Some({xml:?})"),
            &format!("d.{method}(&child, {xml:?}, &mut {local})?"),
        );
    }
    code.arm("_", "d.unexpected(&child)?");
    code.close("}");
    code.close("}");
}

fn decode_sequence(
    code: &mut Code,
    ctx: &Ctx<'_>,
    name: &str,
    fields: &[Field],
) -> Result<(), Error> {
    decode_head(code, name);
    if fields.is_empty() {
        code.open("while let Some(child) = d.child()? {");
        code.line("d.unexpected(&child)?;");
        code.close("}");
        code.line(&format!("Ok(Some({name}))"));
        decode_tail(code);
        return Ok(());
    }
    slots(
        code,
        ctx,
        fields
            .iter()
            .map(|f| (local(f), &f.ty, matches!(f.occurs, Occurs::Repeated { .. }))),
    )?;
    children(
        code,
        ctx,
        fields.iter().map(|f| {
            let method = match (f.occurs, f.nillable) {
                (Occurs::Repeated { .. }, _) => "many",
                (_, true) => "one_nillable",
                (_, false) => "one",
            };
            (f.xml_name.as_str(), local(f), method)
        }),
    );
    // Each field's value: `(field, local, source)` for one decoding may have failed on
    // (`source` is `None` when the struct can have it only if every such one is there),
    // else the initializer itself.
    let mut inits: Vec<Result<(String, String, String), String>> = Vec::new();
    for field in fields {
        let (local, xml, rust) = (local(field), &field.xml_name, &field.rust_name);
        let init = match (field.occurs, field.nillable) {
            (Occurs::One, false) => {
                code.split(
                    &format!("let {local} ="),
                    &format!("d.required({local}, {xml:?});"),
                );
                Ok((rust.clone(), local.clone(), local))
            }
            (Occurs::One, true) => {
                nil_match(code, &local, Some(xml));
                Ok((rust.clone(), local.clone(), local))
            }
            (Occurs::Optional, false) => Err(format!("{rust}: {local}.into_option()")),
            (Occurs::Optional, true) => {
                nil_match(code, &local, None);
                Err(shorthand(rust, &local))
            }
            (Occurs::Repeated { at_least_one: true }, _) => {
                code.split(
                    &format!("let {local} ="),
                    &format!("d.at_least_one({local}, {xml:?});"),
                );
                Ok((rust.clone(), local.clone(), local))
            }
            (
                Occurs::Repeated {
                    at_least_one: false,
                },
                _,
            ) => Ok((rust.clone(), local.clone(), format!("{local}.into_items()"))),
        };
        inits.push(init);
    }
    let fallible: Vec<&(String, String, String)> =
        inits.iter().filter_map(|i| i.as_ref().ok()).collect();
    match fallible.as_slice() {
        [] => {
            let body: Vec<String> = inits.iter().filter_map(|i| i.clone().err()).collect();
            literal(code, &format!("Ok(Some({name} "), &body, "))");
        }
        [(_, local, source)] => {
            let body: Vec<String> = inits
                .iter()
                .map(|i| match i {
                    Ok((rust, local, _)) => shorthand(rust, local),
                    Err(init) => init.clone(),
                })
                .collect();
            literal(
                code,
                &format!("Ok({source}.map(|{local}| {name} "),
                &body,
                "))",
            );
        }
        _ => {
            let body: Vec<String> = inits
                .iter()
                .map(|i| match i {
                    Ok((rust, _, source)) => format!("{rust}: {source}?"),
                    Err(init) => init.clone(),
                })
                .collect();
            let joined = body.join(", ");
            let one = format!("Ok((|| Some({name} {{ {joined} }}))())");
            if joined.len() <= STRUCT_LITERAL_WIDTH && code.fits(&one) {
                code.line(&one);
            } else {
                code.open("Ok((|| {");
                literal(code, &format!("Some({name} "), &body, ")");
                code.close("})())");
            }
        }
    }
    decode_tail(code);
    Ok(())
}

/// `rust: local`, or `rust` when the two are the same.
fn shorthand(rust: &str, local: &str) -> String {
    if rust == local {
        rust.to_string()
    } else {
        format!("{rust}: {local}")
    }
}

/// `{head}Name { fields }{tail}` on one line when rustfmt keeps it there, else one field a
/// line.
fn literal(code: &mut Code, head: &str, fields: &[String], tail: &str) {
    let body = fields.join(", ");
    let one = format!("{head}{{ {body} }}{tail}");
    if body.len() <= STRUCT_LITERAL_WIDTH && code.fits(&one) {
        code.line(&one);
    } else {
        code.open(&format!("{head}{{"));
        for field in fields {
            code.line(&format!("{field},"));
        }
        code.close(&format!("}}{tail}"));
    }
}

/// `let x = match x { … }` for a nillable element: `Some(Some(v))` for a value, `Some(None)`
/// for nil; absent is reported when `required` names the element.
fn nil_match(code: &mut Code, local: &str, required: Option<&str>) {
    code.open(&format!("let {local} = match {local} {{"));
    code.line("Slot::Value(value) => Some(Some(value)),");
    code.line("Slot::Nil => Some(None),");
    match required {
        Some(xml) => {
            code.open("Slot::Absent => {");
            code.line(&format!("d.issue_at({xml:?}, \"is required\");"));
            code.line("None");
            code.close("}");
            code.line("Slot::Invalid => None,");
        }
        None => code.line("Slot::Absent | Slot::Invalid => None,"),
    }
    code.close("};");
}

fn encode_field(code: &mut Code, ns: &str, field: &Field) {
    let (xml, rust) = (&field.xml_name, &field.rust_name);
    let call = |code: &mut Code, method: &str, value: String| {
        code.call(
            &format!("w.{method}"),
            &[ns.to_string(), format!("{xml:?}"), value],
            ";",
        );
    };
    match (field.occurs, field.nillable) {
        (Occurs::One, false) => call(code, "element", format!("&self.{rust}")),
        (Occurs::One, true) => {
            code.open(&format!("match &self.{rust} {{"));
            code.arm("Some(value)", &format!("w.element({ns}, {xml:?}, value)"));
            code.arm("None", &format!("w.nil({ns}, {xml:?})"));
            code.close("}");
        }
        (Occurs::Optional, false) => call(code, "optional", format!("self.{rust}.as_ref()")),
        (Occurs::Optional, true) => {
            code.open(&format!("match &self.{rust} {{"));
            code.arm(
                "Some(Some(value))",
                &format!("w.element({ns}, {xml:?}, value)"),
            );
            code.arm("Some(None)", &format!("w.nil({ns}, {xml:?})"));
            code.line("None => {}");
            code.close("}");
        }
        (Occurs::Repeated { .. }, _) => call(code, "repeated", format!("&self.{rust}")),
    }
}

fn choice(
    code: &mut Code,
    ctx: &Ctx<'_>,
    ty: &TypeDef,
    alternatives: &[Alternative],
) -> Result<(), Error> {
    let name = &ty.name;
    code.line(&derives(false, false));
    code.open(&format!("pub enum {name} {{"));
    for alternative in alternatives {
        code.docs(&alternative.doc.iter().cloned().collect::<Vec<_>>());
        code.line(&format!(
            "{}({}),",
            alternative.variant,
            ctx.rust(&alternative.ty)?
        ));
    }
    code.close("}");
    code.line("");
    decode_head(code, name);
    let local = |a: &Alternative| local_name(&crate::names::field_name(&a.xml_name));
    slots(
        code,
        ctx,
        alternatives.iter().map(|a| (local(a), &a.ty, false)),
    )?;
    children(
        code,
        ctx,
        alternatives
            .iter()
            .map(|a| (a.xml_name.as_str(), local(a), "one")),
    );
    code.line("let mut chosen = Vec::new();");
    code.line("let mut invalid = false;");
    for alternative in alternatives {
        code.open(&format!("match {} {{", local(alternative)));
        code.arm(
            "Slot::Value(value)",
            &format!("chosen.push({name}::{}(value))", alternative.variant),
        );
        code.line("Slot::Absent => {}");
        code.arm("Slot::Nil | Slot::Invalid", "invalid = true");
        code.close("}");
    }
    code.open("if invalid {");
    code.line("return Ok(None);");
    code.close("}");
    let names: Vec<String> = alternatives.iter().map(|a| a.xml_name.clone()).collect();
    code.open("if chosen.len() != 1 {");
    code.line(&format!(
        "d.issue({:?});",
        format!("exactly one of {} is required", list(&names, "or"))
    ));
    code.line("return Ok(None);");
    code.close("}");
    code.line("Ok(chosen.pop())");
    decode_tail(code);
    code.line("");
    code.open(&format!("impl Encode for {name} {{"));
    code.open("fn encode(&self, w: &mut XmlWriter) {");
    code.open("match self {");
    for alternative in alternatives {
        code.arm(
            &format!("{name}::{}(value)", alternative.variant),
            &format!(
                "w.element({}, {:?}, value)",
                ctx.constant, alternative.xml_name
            ),
        );
    }
    code.close("}");
    code.close("}");
    code.close("}");
    Ok(())
}

fn wrapper(code: &mut Code, ctx: &Ctx<'_>, ty: &TypeDef, inner: &TypeRef) -> Result<(), Error> {
    let name = &ty.name;
    let inner = ctx.rust(inner)?;
    code.line(&derives(false, false));
    code.line(&format!("pub struct {name}(pub {inner});"));
    code.line("");
    decode_head(code, name);
    code.line(&format!("Ok(<{inner} as Decode>::decode(d)?.map({name}))"));
    decode_tail(code);
    code.line("");
    code.open(&format!("impl Encode for {name} {{"));
    code.open("fn encode(&self, w: &mut XmlWriter) {");
    code.line("self.0.encode(w);");
    code.close("}");
    code.close("}");
    Ok(())
}
