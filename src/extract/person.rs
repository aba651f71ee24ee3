//! Demands on the person: age ranges and minimum ages, a gender, appearance.

use std::sync::LazyLock;

use regex::Regex;

use crate::dialect;
use serde::{Deserialize, Serialize};

use super::lexicon::Gender;
use super::{Located, Scan};
use crate::normalise::{ceil_char_boundary, floor_char_boundary};

/// An age demand: a range ("18-25 gadi") or a lower bound ("from 16").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgeRange {
    /// Lowest age asked for.
    pub min: u8,
    /// Highest age asked for, if any.
    pub max: Option<u8>,
}

/// A gender asked for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GenderDemand {
    /// Which gender.
    pub gender: Gender,
}

/// An appearance demand ("pleasant appearance", "foto pilnā augumā").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Appearance {
    /// The words, normalised.
    pub phrase: String,
}

/// Words near a number range that make it an age range.
const AGE_CONTEXT: &str = r"(?:gad|g\.|vecum|years|year|yo\b|y\.o|aged|age\b|ages\b|лет|год|возраст|meiten|sieviet|jaunie|puis|viriet|girls|women|ladies|boys|men\b|guys|девуш|женщ|парн|мужч|студент|skolen|pupils|students)";

static AGE_RANGE: LazyLock<Regex> = LazyLock::new(|| {
    dialect::build(r"(?-u:\b)(1[0-9]|[2-6][0-9])\s?(?:-|–|lidz|to|до)\s?(1[0-9]|[2-6][0-9])(?-u:\b)(?:\s?(g\.|gad\w*|years?|y\.?o\.?|лет|года?)|\s?(\+))?")
        .expect("age range regex compiles")
});
static CURRENCY_NEXT: LazyLock<Regex> = LazyLock::new(|| {
    dialect::build(r"^\s?(?:eur|€|euro|eiro|евро|£|\$|gbp|usd|nok|sek|руб)")
        .expect("currency regex compiles")
});
static AGE_CONTEXT_RE: LazyLock<Regex> =
    LazyLock::new(|| dialect::build(AGE_CONTEXT).expect("age context regex compiles"));
static AGE_MIN: LazyLock<Regex> = LazyLock::new(|| {
    dialect::build(r"(?:(?:^|[^\w])(?:no|from|aged|от|с|over|vecuma no|vecuma)\s)(1[0-9]|[2-6][0-9])\s?(?:g\.|gad\w*|years?|y\.?o\.?|лет|года?)|(?-u:\b)(1[0-9])\s?\+|(?:^|[^\w])(?:age|vecums|возраст)\s?:?\s?(1[0-9]|[2-6][0-9])\s?\+")
        .expect("minimum age regex compiles")
});

fn window(text: &str, start: usize, end: usize, before: usize, after: usize) -> &str {
    let s = floor_char_boundary(text, start.saturating_sub(before));
    let e = ceil_char_boundary(text, end + after);
    &text[s..e]
}

/// Finds age ranges and minimum ages in one field.
pub(super) fn ages(scan: &Scan<'_>, out: &mut Vec<Located<AgeRange>>) {
    let text = scan.basic.as_str();
    let mut taken = Vec::new();
    for c in AGE_RANGE
        .captures_iter(text)
        .take(super::MAX_FACTS_PER_FIELD)
    {
        let (Some(whole), Some(a), Some(b)) = (c.get(0), c.get(1), c.get(2)) else {
            continue;
        };
        let (Ok(min), Ok(max)) = (a.as_str().parse::<u8>(), b.as_str().parse::<u8>()) else {
            continue;
        };
        if min >= max || max - min > 45 || min < 12 {
            continue;
        }
        let has_unit = c.get(3).is_some() || c.get(4).is_some();
        if !has_unit && !AGE_CONTEXT_RE.is_match(window(text, whole.start(), whole.end(), 40, 25)) {
            continue;
        }
        taken.push((whole.start(), whole.end()));
        out.push(scan.locate_basic(
            whole.start(),
            whole.end(),
            AgeRange {
                min,
                max: Some(max),
            },
        ));
    }
    for c in AGE_MIN.captures_iter(text).take(super::MAX_FACTS_PER_FIELD) {
        let Some(whole) = c.get(0) else { continue };
        if taken
            .iter()
            .any(|&(s, e)| whole.start() < e && s < whole.end())
        {
            continue;
        }
        let Some(n) = c.get(1).or(c.get(2)).or(c.get(3)) else {
            continue;
        };
        let Ok(min) = n.as_str().parse::<u8>() else {
            continue;
        };
        if min < 12 {
            continue;
        }
        // "18+" alone is as often a count or an amount ("15+ EUR/h", "12+ people"): without
        // age words nearby only 16+, 17+ and 18+ count, and never before a currency.
        if c.get(2).is_some() {
            let usual_age = (16..=18).contains(&min);
            let aged = AGE_CONTEXT_RE.is_match(window(text, whole.start(), whole.end(), 40, 25));
            let money = CURRENCY_NEXT.is_match(&text[whole.end()..]);
            if money || !(usual_age || aged) {
                continue;
            }
        }
        let start = super::skip_non_word(text, whole.start());
        out.push(scan.locate_basic(start, whole.end(), AgeRange { min, max: None }));
    }
}
