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
    // The unit may be written onto the number ("18-24g").
    dialect::build(r"(?-u:\b)(1[0-9]|[2-6][0-9])\s?(?:-|–|lidz|to|до)\s?(1[0-9]|[2-6][0-9])(?:(g(?-u:\b)\.?)|(?-u:\b)(?:\s?(g\.|gad\w*|years?|y\.?o\.?|лет|года?)|\s?(\+))?)")
        .expect("age range regex compiles")
});
static CURRENCY_NEXT: LazyLock<Regex> = LazyLock::new(|| {
    dialect::build(r"^\s?(?:eur|€|euro|eiro|евро|£|\$|gbp|usd|nok|sek|руб)")
        .expect("currency regex compiles")
});
/// What makes two numbers pay or hours rather than ages: a currency or a time unit right after
/// them ("15-20 an hour", "18–21 EUR/час", "20-30 hours a week").
static PAY_OR_TIME_NEXT: LazyLock<Regex> = LazyLock::new(|| {
    dialect::build(r"^\s?(?:eur|€|euro|eiro|евро|£|\$|gbp|usd|nok|sek|pln|руб|(?:per|an|a|/|в|за)?\s?(?:hours?|hrs?|h(?-u:\b)|stund\w*|час\w*|ч(?-u:\b)|days?|dien\w*|день|дня|weeks?|ned\w*|недел\w*|months?|men\w*|месяц\w*|мес\w*|k(?-u:\b)))")
        .expect("pay or time regex compiles")
});

/// What makes "over 15 years" or "15+" years of experience rather than an age: an experience
/// word right after the number ("15+ years of experience", "15 gadu pieredze", "15 лет опыта")
/// or right before it ("experience of over 15 years", "опыт от 15 лет").
static EXPERIENCE_AFTER: LazyLock<Regex> = LazyLock::new(|| {
    dialect::build(r"^\s?\+?\s?(?:(?:years?|yrs?|gad\w*|лет|года?)\s(?:of\s)?(?:\w+\s){0,4}?|(?:of\s|in\s(?:the\s)?)?)(?:experience|expertise|history|industry|pieredz\w*|staz\w*|опыт\w*|стаж\w*)")
        .expect("experience regex compiles")
});
/// "16 years old": an age, whatever follows.
static YEARS_OLD: LazyLock<Regex> = LazyLock::new(|| {
    dialect::build(r"^\s?\+?\s?(?:years?\s+old|y\.?\s?o(?-u:\b)|gad\w*\s+vec\w*|vecum\w*)")
        .expect("years-old regex compiles")
});
static EXPERIENCE_BEFORE: LazyLock<Regex> = LazyLock::new(|| {
    dialect::build(r"(?:experience|expertise|pieredz\w*|staz\w*|опыт\w*|стаж\w*)\s?(?:of|no|от|с)?\s?(?:over|more\s+than|at\s+least|vairak\s+neka|не\s+менее|более)?\s?$")
        .expect("experience regex compiles")
});

/// Whether a number is years of experience: an experience word right after or right before it.
fn years_of_experience(text: &str, start: usize, end: usize) -> bool {
    let number = text.get(start..end).unwrap_or("");
    // The match may end before "years"; read from the digits on.
    let from = number
        .rfind(|c: char| c.is_ascii_digit())
        .map_or(end, |i| start + i + 1);
    let after = window(text, from, from, 0, 70);
    let before = window(text, start, start, 30, 0);
    !YEARS_OLD.is_match(after)
        && (EXPERIENCE_AFTER.is_match(after) || EXPERIENCE_BEFORE.is_match(before))
}

/// Whether a currency sign stands right before a number ("$15-20", "€ 18–21").
fn currency_before(text: &str, start: usize) -> bool {
    text[..start].trim_end().ends_with(['$', '€', '£'])
}

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
        let years = c.get(3).is_some() || c.get(4).is_some();
        let has_unit = years || c.get(5).is_some();
        // Numbers next to a currency or a time unit are pay or hours, not ages.
        if !years
            && (currency_before(text, whole.start())
                || PAY_OR_TIME_NEXT.is_match(&text[whole.end()..]))
        {
            continue;
        }
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
        if years_of_experience(text, whole.start(), whole.end()) {
            continue;
        }
        let start = super::skip_non_word(text, whole.start());
        out.push(scan.locate_basic(start, whole.end(), AgeRange { min, max: None }));
    }
}

/// Words that an appearance word ("attractive", "pievilcīgs", "привлекательный") describes when
/// it is about the offer rather than the person, as they start in the words view.
const OFFER_WORDS: &[&str] = &[
    // English
    "salar",
    "package",
    "pay",
    "rate",
    "benefit",
    "commission",
    "bonus",
    "term",
    "condition",
    "remuneration",
    "earning",
    "income",
    "compensation",
    "wage",
    "location",
    "offer",
    "opportunit",
    "price",
    "hour",
    "shift",
    "discount",
    "environment",
    "incentive",
    "career",
    "prospect",
    "reward",
    "perk",
    "working",
    "base",
    "basic",
    "hourly",
    "rota",
    "schedule",
    // Latvian (folded)
    "alg",
    "atalgojum",
    "nosacijum",
    "piedavajum",
    "apmaks",
    "bonus",
    "darba",
    "grafik",
    "cen",
    "ienakum",
    "samaks",
    "sociala",
    // Russian
    "зарплат",
    "оплат",
    "услови",
    "доход",
    "заработ",
    "предложени",
    "бонус",
    "график",
    "цен",
    "вознагражден",
    "соцпакет",
    "ставк",
    "премии",
    "преми",
];

/// Whether the word after an appearance word (which ends at byte `end` of the words view) is not
/// one that makes it describe the offer.
pub(super) fn describes_a_person(words: &str, end: usize) -> bool {
    let Some(rest) = words.get(end..) else {
        return true;
    };
    let next = rest
        .split(|c: char| !c.is_alphanumeric())
        .find(|w| !w.is_empty())
        .unwrap_or("");
    !OFFER_WORDS.iter().any(|w| next.starts_with(w))
}

/// Words of an equal-opportunity statement ("we welcome diversity, including minorities, women,
/// individuals with disabilities and veterans"): a gender word in the same sentence names a
/// group welcomed, not demanded.
const EQUAL_OPPORTUNITY: &[&str] = &[
    "diversity",
    "minorities",
    "protected veterans",
    "individuals with disabilities",
    "people with disabilities",
    "persons with disabilities",
    "equal opportunit",
    "equal employment",
    "discriminat",
    "regardless of race",
    "regardless of gender",
    "regardless of sex",
    "vienlidzig",
    "diskrimin",
    "dazadib",
    "neatkarigi no dzimuma",
    "дискримин",
    "разнообраз",
    "равные возможност",
    "равных возможност",
    "независимо от пола",
];

/// Whether the word at bytes `start..end` of the words view stands in a sentence of an
/// equal-opportunity statement.
pub(super) fn in_equal_opportunity_statement(words: &str, start: usize, end: usize) -> bool {
    let (Some(before), Some(after)) = (words.get(..start), words.get(end..)) else {
        return false;
    };
    let stops = ['.', '!', '?', '\n'];
    let from = before.rfind(stops).map_or(0, |i| i + 1);
    let to = after.find(stops).map_or(words.len(), |i| end + i);
    let sentence = &words[from..to];
    EQUAL_OPPORTUNITY.iter().any(|w| sentence.contains(w))
}
