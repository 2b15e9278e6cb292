//! Simple types: fieldless enums for enumerations (on `common::names!` and
//! `codec::enum_codec!`), newtypes whose `SimpleType::parse` checks the facets and reports a
//! broken one as the field's issue (so it becomes a ValidationFault entry with the field's
//! path), and the helpers those need.

use super::code::Code;
use crate::model::{Builtin, EnumValue, Facets, Number, Pattern, TypeDef};
use crate::names;

pub fn enumeration(code: &mut Code, ty: &TypeDef, values: &[EnumValue]) {
    let name = &ty.name;
    code.line("#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]");
    code.open(&format!("pub enum {name} {{"));
    for value in values {
        code.docs(&value.doc.iter().cloned().collect::<Vec<_>>());
        code.line(&format!("{},", value.variant));
    }
    code.close("}");
    code.line("");
    let pairs: Vec<String> = values
        .iter()
        .map(|v| format!("{} = {:?}", v.variant, v.value))
        .collect();
    let one = format!("crate::common::names!({name} {{ {} }});", pairs.join(", "));
    if code.fits(&one) {
        code.line(&one);
    } else {
        code.open(&format!("crate::common::names!({name} {{"));
        for pair in &pairs {
            code.line(&format!("{pair},"));
        }
        code.close("});");
    }
    code.line(&format!("crate::codec::enum_codec!({name});"));
}

/// A newtype of `rust` whose parsing checks `facets`.
pub fn restricted(code: &mut Code, ty: &TypeDef, base: Builtin, rust: &str, facets: &Facets) {
    let name = &ty.name;
    code.line("#[derive(Debug, Clone, PartialEq, Eq)]");
    code.line(&format!("pub struct {name}(pub {rust});"));
    for pattern in &facets.patterns {
        let (constant, own) = pattern_const(ty, pattern);
        if !own {
            continue;
        }
        code.line("");
        code.doc(&format!("The pattern of `{}`.", pattern.declared_by.local));
        code.open(&format!("const {constant}: XsPattern = XsPattern {{"));
        code.line(&format!("source: {},", string_literal(&pattern.source)));
        // rustfmt writes a one-element array of a struct literal as `&[Struct {`…`}]`.
        let single = pattern.steps.len() == 1;
        if single {
            code.open("steps: &[XsPatternStep {");
        } else {
            code.open("steps: &[");
        }
        for step in &pattern.steps {
            if !single {
                code.open("XsPatternStep {");
            }
            let ranges: Vec<String> = step
                .ranges
                .iter()
                .map(|(lo, hi)| format!("({lo:?}, {hi:?})"))
                .collect();
            code.array("ranges: ", &ranges);
            code.line(&format!("min: {},", step.min));
            match step.max {
                Some(max) => code.line(&format!("max: {max},")),
                None => code.line("max: usize::MAX,"),
            }
            if !single {
                code.close("},");
            }
        }
        code.close(if single { "}]," } else { "]," });
        code.close("};");
    }
    code.line("");
    code.open(&format!("impl SimpleType for {name} {{"));
    code.open("fn parse(text: &str) -> Result<Self, String> {");
    code.line(&format!(
        "let value = <{rust} as SimpleType>::parse(text)?;"
    ));
    checks(code, ty, base, rust, facets);
    code.line(&format!("Ok({name}(value))"));
    code.close("}");
    code.line("");
    code.open("fn write(&self, w: &mut XmlWriter) {");
    code.line("self.0.write(w);");
    code.close("}");
    code.close("}");
    code.line("");
    code.line(&format!("crate::codec::simple_codec!({name});"));
}

/// The constant of `pattern` as type `ty` refers to it, and whether `ty` defines it: a pattern
/// of a type of the same namespace is that type's constant; one inherited from another
/// namespace is copied.
fn pattern_const(ty: &TypeDef, pattern: &Pattern) -> (String, bool) {
    let by = &pattern.declared_by;
    let declaring = names::screaming_snake(&by.local);
    if by.namespace == ty.namespace {
        (format!("{declaring}_PATTERN"), by.local == ty.name)
    } else {
        let own = names::screaming_snake(&ty.name);
        (format!("{own}_{declaring}_PATTERN"), true)
    }
}

/// A raw string literal when the text allows one.
fn string_literal(text: &str) -> String {
    if !text.contains('"') {
        format!("r\"{text}\"")
    } else if !text.contains("\"#") {
        format!("r#\"{text}\"#")
    } else {
        format!("{text:?}")
    }
}

/// `if <broken> { return Err(<message>); }`.
fn check(code: &mut Code, broken: &str, message: &str) {
    code.open(&format!("if {broken} {{"));
    code.line(&format!("return Err({message});"));
    code.close("}");
}

fn characters(n: u64) -> String {
    if n == 1 {
        "1 character".into()
    } else {
        format!("{n} characters")
    }
}

fn fixed(message: &str) -> String {
    format!("{message:?}.to_string()")
}

fn checks(code: &mut Code, ty: &TypeDef, base: Builtin, rust: &str, facets: &Facets) {
    let lengths = (facets.length, facets.min_length, facets.max_length);
    if lengths != (None, None, None) {
        code.line("let length = value.chars().count();");
    }
    if let Some(n) = facets.length {
        let message = format!("must be exactly {}", characters(n));
        check(code, &format!("length != {n}"), &fixed(&message));
    }
    match (facets.min_length, facets.max_length) {
        (Some(min), Some(max)) => check(
            code,
            &format!("!({min}..={max}).contains(&length)"),
            &fixed(&format!("must be {min} to {}", characters(max))),
        ),
        (Some(min), None) => check(
            code,
            &format!("length < {min}"),
            &fixed(&format!("must be at least {}", characters(min))),
        ),
        (None, Some(max)) => check(
            code,
            &format!("length > {max}"),
            &fixed(&format!("must be at most {}", characters(max))),
        ),
        (None, None) => {}
    }
    for pattern in &facets.patterns {
        let (constant, _) = pattern_const(ty, pattern);
        code.line(&format!("check_pattern(text, &value, &{constant})?;"));
    }
    let bound = |n: &Number| {
        if base == Builtin::Decimal {
            format!("{rust}::new({}, {})", n.mantissa, n.scale)
        } else {
            n.mantissa.to_string()
        }
    };
    match (&facets.min_inclusive, &facets.max_inclusive) {
        (Some(min), Some(max)) => check(
            code,
            &format!("!({}..={}).contains(&value)", bound(min), bound(max)),
            &fixed(&format!("must be between {} and {}", min.text, max.text)),
        ),
        (Some(min), None) => check(
            code,
            &format!("value < {}", bound(min)),
            &fixed(&format!("must be at least {}", min.text)),
        ),
        (None, Some(max)) => check(
            code,
            &format!("value > {}", bound(max)),
            &fixed(&format!("must be at most {}", max.text)),
        ),
        (None, None) => {}
    }
    if let Some(digits) = facets.fraction_digits {
        check(
            code,
            &format!("value.normalize().scale() > {digits}"),
            &format!("format!(\"'{{text}}' has more than {digits} fraction digits\")"),
        );
    }
    if let Some(digits) = facets.total_digits {
        check(
            code,
            &format!("value.normalize().mantissa().unsigned_abs() >= 10u128.pow({digits})"),
            &format!("format!(\"'{{text}}' has more than {digits} digits\")"),
        );
    }
}
