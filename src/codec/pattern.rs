//! `xs:pattern` checks for the generated simple types: contractgen compiles each pattern of
//! the contract into steps (a character class repeated `min` to `max` times), and
//! [`check_pattern`] matches them in linear time, without backtracking, so a hostile value
//! cannot make a check slow.

/// A compiled `xs:pattern`: as written, and as steps for [`check_pattern`].
pub struct XsPattern {
    pub source: &'static str,
    pub steps: &'static [XsPatternStep],
}

/// One step of a pattern: a character in one of `ranges`, `min` to `max` times.
pub struct XsPatternStep {
    pub ranges: &'static [(char, char)],
    pub min: usize,
    pub max: usize,
}

/// Checks `value`, parsed from `text`, against `pattern`, which must match all of it.
pub fn check_pattern(text: &str, value: &str, pattern: &XsPattern) -> Result<(), String> {
    if matches_pattern(value, pattern.steps) {
        Ok(())
    } else {
        Err(format!(
            "'{text}' does not match the pattern {}",
            pattern.source
        ))
    }
}

/// Whether all of `value` matches `steps` in order. Each step moves the set of positions
/// reached so far, in one pass over `value`: no backtracking, linear time per step.
fn matches_pattern(value: &str, steps: &[XsPatternStep]) -> bool {
    let chars: Vec<char> = value.chars().collect();
    let n = chars.len();
    let mut reached = vec![false; n + 1];
    reached[0] = true;
    let mut run = vec![0; n + 1];
    let mut marks = vec![0i64; n + 2];
    for step in steps {
        for i in (0..n).rev() {
            let inside = step
                .ranges
                .iter()
                .any(|&(lo, hi)| (lo..=hi).contains(&chars[i]));
            run[i] = if inside { run[i + 1] + 1 } else { 0 };
        }
        marks.fill(0);
        for start in 0..=n {
            if reached[start] && run[start] >= step.min {
                marks[start + step.min] += 1;
                marks[start + run[start].min(step.max) + 1] -= 1;
            }
        }
        let mut open = 0;
        for (at, reach) in reached.iter_mut().enumerate() {
            open += marks[at];
            *reach = open > 0;
        }
    }
    reached[n]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `[a-z][a-z0-9]{1,3}`.
    const NAME: XsPattern = XsPattern {
        source: "[a-z][a-z0-9]{1,3}",
        steps: &[
            XsPatternStep {
                ranges: &[('a', 'z')],
                min: 1,
                max: 1,
            },
            XsPatternStep {
                ranges: &[('a', 'z'), ('0', '9')],
                min: 1,
                max: 3,
            },
        ],
    };

    #[test]
    fn the_whole_value_must_match() {
        assert!(check_pattern("ab", "ab", &NAME).is_ok());
        assert!(check_pattern("a123", "a123", &NAME).is_ok());
        assert_eq!(
            check_pattern(" a1", "a1234", &NAME).unwrap_err(),
            "' a1' does not match the pattern [a-z][a-z0-9]{1,3}"
        );
        assert!(check_pattern("a", "a", &NAME).is_err());
        assert!(check_pattern("1a", "1a", &NAME).is_err());
        assert!(check_pattern("", "", &NAME).is_err());
    }

    #[test]
    fn a_long_hostile_value_is_refused_in_one_pass() {
        let value = "a".repeat(200_000) + "!";
        assert!(check_pattern("x", &value, &NAME).is_err());
    }
}
