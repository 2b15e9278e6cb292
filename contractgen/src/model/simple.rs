//! Facets checked against their base type: lengths and patterns on `xs:string`, bounds on the
//! integers and `xs:decimal`, digits on `xs:decimal`. Any other combination is unsupported.

use super::{Builtin, Facets, Number, Pattern, pattern};
use crate::error::Error;
use crate::parse::raw::{Facet, FacetKind};
use crate::qname::QName;

/// `inherited` narrowed by the facets of one restriction step of `base`, the step that
/// defines type `name` (its namespace and Rust name).
pub fn narrow(
    base: Builtin,
    inherited: &Facets,
    facets: &[Facet],
    name: &QName,
) -> Result<Facets, Error> {
    let mut out = inherited.clone();
    let mut given = Vec::new();
    for facet in facets {
        if given.contains(&facet.kind) {
            let construct = match facet.kind {
                FacetKind::Pattern => {
                    "several xs:pattern facets in one restriction (they are alternatives)"
                }
                _ => {
                    return Err(Error::invalid(
                        format!("xs:{} is given twice", facet.kind.name()),
                        facet.at.clone(),
                    ));
                }
            };
            return Err(Error::unsupported(construct, facet.at.clone()));
        }
        given.push(facet.kind);
        let allowed = match facet.kind {
            FacetKind::Length
            | FacetKind::MinLength
            | FacetKind::MaxLength
            | FacetKind::Pattern => base == Builtin::String,
            FacetKind::MinInclusive | FacetKind::MaxInclusive => {
                matches!(base, Builtin::Int | Builtin::Long | Builtin::Decimal)
            }
            FacetKind::FractionDigits | FacetKind::TotalDigits => base == Builtin::Decimal,
            FacetKind::Enumeration => false,
        };
        if !allowed {
            return Err(Error::unsupported(
                format!("xs:{} on xs:{}", facet.kind.name(), base.name()),
                facet.at.clone(),
            ));
        }
        let value = facet.value.trim();
        match facet.kind {
            FacetKind::Length => out.length = Some(count(facet)?),
            FacetKind::MinLength => out.min_length = Some(count(facet)?),
            FacetKind::MaxLength => out.max_length = Some(count(facet)?),
            FacetKind::Pattern => {
                let steps = pattern::compile(&facet.value).map_err(|construct| {
                    Error::unsupported(
                        format!("{construct} in xs:pattern \"{}\"", facet.value),
                        facet.at.clone(),
                    )
                })?;
                out.patterns.push(Pattern {
                    declared_by: name.clone(),
                    source: facet.value.clone(),
                    steps,
                });
            }
            FacetKind::MinInclusive => out.min_inclusive = Some(number(base, facet)?),
            FacetKind::MaxInclusive => out.max_inclusive = Some(number(base, facet)?),
            FacetKind::FractionDigits => {
                out.fraction_digits = Some(u32::try_from(count(facet)?).map_err(|_| {
                    Error::invalid(
                        format!("fractionDigits {value} is too large"),
                        facet.at.clone(),
                    )
                })?);
            }
            FacetKind::TotalDigits => {
                let digits = count(facet)?;
                if !(1..=28).contains(&digits) {
                    return Err(Error::invalid(
                        format!("totalDigits {value} is not between 1 and 28"),
                        facet.at.clone(),
                    ));
                }
                out.total_digits = u32::try_from(digits).ok();
            }
            FacetKind::Enumeration => {}
        }
    }
    Ok(out)
}

fn count(facet: &Facet) -> Result<u64, Error> {
    facet.value.trim().parse().map_err(|_| {
        Error::invalid(
            format!(
                "xs:{} value \"{}\" is not a non-negative integer",
                facet.kind.name(),
                facet.value
            ),
            facet.at.clone(),
        )
    })
}

/// A bound in the value space of `base`.
fn number(base: Builtin, facet: &Facet) -> Result<Number, Error> {
    let text = facet.value.trim();
    let invalid = |why: &str| {
        Error::invalid(
            format!(
                "xs:{} value \"{}\" {why} for xs:{}",
                facet.kind.name(),
                facet.value,
                base.name()
            ),
            facet.at.clone(),
        )
    };
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let lexical = !(whole.is_empty() && fraction.is_empty())
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction.bytes().all(|b| b.is_ascii_digit());
    if !lexical || (base != Builtin::Decimal && digits.contains('.')) {
        return Err(invalid("is not a valid value"));
    }
    let magnitude: i128 = format!("{whole}{fraction}")
        .parse()
        .map_err(|_| invalid("is out of range"))?;
    let mantissa = if negative { -magnitude } else { magnitude };
    let scale = u32::try_from(fraction.len()).map_err(|_| invalid("is out of range"))?;
    let range = match base {
        Builtin::Int => i128::from(i32::MIN)..=i128::from(i32::MAX),
        _ => i128::from(i64::MIN)..=i128::from(i64::MAX),
    };
    if !range.contains(&mantissa) || scale > 28 {
        return Err(invalid("is out of range"));
    }
    Ok(Number {
        text: text.to_string(),
        mantissa,
        scale,
    })
}
