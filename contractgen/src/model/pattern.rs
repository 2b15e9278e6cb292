//! `xs:pattern` regular expressions compiled into steps — a character class repeated a number
//! of times — for the generated code to match without a regex engine. The subset: character
//! classes with ranges, single-character escapes, `.`, literal characters and the quantifiers
//! `?`, `*`, `+`, `{n}`, `{n,}`, `{n,m}`. Anything else (groups, alternatives, negated classes,
//! `\d`-style escapes, class subtraction) is reported, never approximated.

/// One step of a compiled pattern: a character in `ranges`, `min` to `max` times (`None`:
/// unbounded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatternStep {
    pub ranges: Vec<(char, char)>,
    pub min: u32,
    pub max: Option<u32>,
}

/// The steps of `source`, or the construct it uses that is not supported.
pub fn compile(source: &str) -> Result<Vec<PatternStep>, String> {
    let mut chars = source.chars().peekable();
    let mut steps = Vec::new();
    while let Some(c) = chars.next() {
        let ranges = match c {
            '[' => class(&mut chars)?,
            '\\' => {
                let c = escape(chars.next())?;
                vec![(c, c)]
            }
            '.' => vec![('\0', '\u{9}'), ('\u{b}', '\u{c}'), ('\u{e}', char::MAX)],
            '(' | ')' => return Err("a group".into()),
            '|' => return Err("an alternative (|)".into()),
            '?' | '*' | '+' | '{' | '}' | ']' => {
                return Err(format!("'{c}' without anything to repeat"));
            }
            c => vec![(c, c)],
        };
        let (min, max) = quantifier(&mut chars)?;
        steps.push(PatternStep { ranges, min, max });
    }
    Ok(steps)
}

type Chars<'a> = std::iter::Peekable<std::str::Chars<'a>>;

/// A single-character escape, e.g. `\-`; multi-character escapes such as `\d` are not
/// supported.
fn escape(c: Option<char>) -> Result<char, String> {
    match c {
        Some('n') => Ok('\n'),
        Some('r') => Ok('\r'),
        Some('t') => Ok('\t'),
        Some(
            c
            @ ('\\' | '|' | '.' | '?' | '*' | '+' | '(' | ')' | '{' | '}' | '-' | '[' | ']' | '^'),
        ) => Ok(c),
        Some(c) => Err(format!("the escape \\{c}")),
        None => Err("a trailing backslash".into()),
    }
}

/// The ranges of a class, after its `[`.
fn class(chars: &mut Chars<'_>) -> Result<Vec<(char, char)>, String> {
    if chars.peek() == Some(&'^') {
        return Err("a negated character class".into());
    }
    let mut ranges = Vec::new();
    let mut first = true;
    loop {
        let c = chars.next().ok_or("an unclosed character class")?;
        let lo = match c {
            ']' if !first => return Ok(ranges),
            '-' if chars.peek() == Some(&'[') => return Err("class subtraction".into()),
            '[' => return Err("a nested character class".into()),
            '\\' => escape(chars.next())?,
            c => c,
        };
        first = false;
        if chars.peek() == Some(&'-') {
            chars.next();
            match chars.peek() {
                Some(']') => {
                    ranges.push((lo, lo));
                    ranges.push(('-', '-'));
                    continue;
                }
                Some('[') => return Err("class subtraction".into()),
                _ => {}
            }
            let hi = match chars.next().ok_or("an unclosed character class")? {
                '\\' => escape(chars.next())?,
                c => c,
            };
            if hi < lo {
                return Err(format!("the reversed range {lo}-{hi}"));
            }
            ranges.push((lo, hi));
        } else {
            ranges.push((lo, lo));
        }
    }
}

/// The quantifier after an atom: `(min, max)`, `(1, Some(1))` when there is none.
fn quantifier(chars: &mut Chars<'_>) -> Result<(u32, Option<u32>), String> {
    let bounds = match chars.peek() {
        Some('?') => (0, Some(1)),
        Some('*') => (0, None),
        Some('+') => (1, None),
        Some('{') => {
            chars.next();
            let mut text = String::new();
            loop {
                match chars.next() {
                    Some('}') => break,
                    Some(c) => text.push(c),
                    None => return Err("an unclosed quantifier".into()),
                }
            }
            let number = |s: &str| {
                s.parse::<u32>()
                    .map_err(|_| format!("the quantifier {{{text}}}"))
            };
            let bounds = match text.split_once(',') {
                None => (number(&text)?, Some(number(&text)?)),
                Some((min, "")) => (number(min)?, None),
                Some((min, max)) => (number(min)?, Some(number(max)?)),
            };
            if bounds.1.is_some_and(|max| max < bounds.0) {
                return Err(format!("the quantifier {{{text}}}"));
            }
            return Ok(bounds);
        }
        _ => return Ok((1, Some(1))),
    };
    chars.next();
    Ok(bounds)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(ranges: &[(char, char)], min: u32, max: Option<u32>) -> PatternStep {
        PatternStep {
            ranges: ranges.to_vec(),
            min,
            max,
        }
    }

    #[test]
    fn classes_escapes_and_quantifiers() {
        assert_eq!(
            compile(r"[A-Za-z0-9][A-Za-z0-9._\-]{0,63}").unwrap(),
            [
                step(&[('A', 'Z'), ('a', 'z'), ('0', '9')], 1, Some(1)),
                step(
                    &[
                        ('A', 'Z'),
                        ('a', 'z'),
                        ('0', '9'),
                        ('.', '.'),
                        ('_', '_'),
                        ('-', '-')
                    ],
                    0,
                    Some(63)
                ),
            ]
        );
        assert_eq!(
            compile("a+b?[x-]*").unwrap(),
            [
                step(&[('a', 'a')], 1, None),
                step(&[('b', 'b')], 0, Some(1)),
                step(&[('x', 'x'), ('-', '-')], 0, None),
            ]
        );
        assert_eq!(
            compile("[A-Z]{3}").unwrap(),
            [step(&[('A', 'Z')], 3, Some(3))]
        );
    }

    #[test]
    fn unsupported_syntax_is_named() {
        assert_eq!(compile("(ab)").unwrap_err(), "a group");
        assert_eq!(compile("a|b").unwrap_err(), "an alternative (|)");
        assert_eq!(compile(r"\d+").unwrap_err(), r"the escape \d");
        assert_eq!(compile("[^a]").unwrap_err(), "a negated character class");
        assert_eq!(compile("[a-z-[aeiou]]").unwrap_err(), "class subtraction");
        assert_eq!(compile("a{3,1}").unwrap_err(), "the quantifier {3,1}");
    }
}
