//! Employer identity: a company with its legal form (SIA, AS, OÜ, UAB, Ltd, GmbH, ООО, ...),
//! a registration number, a recruitment-agency licence number.

use std::sync::LazyLock;

use aho_corasick::AhoCorasick;
use regex::Regex;

use crate::dialect;
use serde::{Deserialize, Serialize};

use super::{Located, Scan};

/// A named company.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Employer {
    /// The legal form, lower case (`sia`, `ltd`).
    pub form: String,
    /// The name, as written in the original.
    pub name: String,
}

/// A registration or licence number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Number {
    /// The number as written, normalised.
    pub value: String,
}

/// The start of a word: the text's start or a character that is not a letter, digit or `_`. It
/// consumes that character (a Unicode `\b` would force the slow regex engines on Cyrillic text),
/// so code takes spans from the capture groups.
const START: &str = r"(?:^|[^\w])";
const FORMS_BEFORE: &str = r"sia|as|ik|ooo|ооо|оао|зао|uab|ou|oü|llc";
const FORMS_AFTER: &str = r"sia|as|ltd|limited|gmbh|llc|inc|uab|ou|oü|ab|oy|b\.?v|a/s|asa|plc";

/// Every legal form of [`FORMS_BEFORE`] and [`FORMS_AFTER`] as plain text (`b\.?v` as `bv` and
/// `b.v`).
static FORM_WORDS: LazyLock<AhoCorasick> = LazyLock::new(|| {
    let mut words: Vec<String> = Vec::new();
    for form in FORMS_BEFORE.split('|').chain(FORMS_AFTER.split('|')) {
        match form.split_once(r"\.?") {
            Some((a, b)) => words.extend([format!("{a}{b}"), format!("{a}.{b}")]),
            None => words.push(form.to_string()),
        }
    }
    AhoCorasick::new(words).expect("legal forms compile")
});

/// Whether a field can hold a company name: every match of the employer regexes has a legal
/// form after a character that is no ASCII letter, digit or `_` (or at the start). Most fields
/// have none.
pub(super) fn may_name_company(text: &str) -> bool {
    FORM_WORDS.find_overlapping_iter(text).any(|m| {
        m.start() == 0 || {
            let before = text.as_bytes()[m.start() - 1];
            !(before.is_ascii_alphanumeric() || before == b'_')
        }
    })
}

static QUOTED_AFTER_FORM: LazyLock<Regex> = LazyLock::new(|| {
    dialect::build(&format!(r#"{START}({FORMS_BEFORE})\s?"([^"\n]{{2,60}})""#))
        .expect("employer regex compiles")
});
static QUOTED_BEFORE_FORM: LazyLock<Regex> = LazyLock::new(|| {
    dialect::build(&format!(
        r#""([^"\n]{{2,60}})",?\s?({FORMS_AFTER})(?-u:\b)"#
    ))
    .expect("employer regex compiles")
});
static NAME_BEFORE_FORM: LazyLock<Regex> = LazyLock::new(|| {
    dialect::build(&format!(
        r"((?:[\w0-9&][\w0-9&\-]*\s){{1,3}})({FORMS_AFTER})(?-u:\b)"
    ))
    .expect("employer regex compiles")
});
static FORM_BEFORE_NAME: LazyLock<Regex> = LazyLock::new(|| {
    dialect::build(&format!(
        r"{START}({FORMS_BEFORE})\s([\w0-9&][\w0-9&\-]+(?:\s[\w0-9&][\w0-9&\-]+)?)"
    ))
    .expect("employer regex compiles")
});
static REG_NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    dialect::build(&format!(r"(?-u:\b)[45]\d{{10}}(?-u:\b)|{START}(?:reg|registr\w*|рег\w*)\.?\s?(?:nr|no|numurs|number|№|номер)?\.?\s?[:#]?\s?([a-z]{{0,2}}\d[\d\-]{{5,14}}\d)"))
        .expect("registration regex compiles")
});
static LICENCE: LazyLock<Regex> = LazyLock::new(|| {
    dialect::build(&format!(r"{START}(?:licenc\w*|licens\w*|лиценз\w*)\s?(?:nr|no|numurs|number|№|номер)?\.?\s?[:#]?\s?([a-z]{{0,3}}[\- ]?\d[\d\-/]{{1,14}})"))
        .expect("licence regex compiles")
});

/// Whether the original text of a span starts with an upper-case letter or a digit (names do;
/// "as soon as" does not).
fn capitalised(scan: &Scan<'_>, start: usize, end: usize) -> bool {
    let (s, e) = scan.basic.original_span(start, end);
    scan.original[s..e]
        .chars()
        .next()
        .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit() || c == '"' || c == '«' || c == '„')
}

/// The legal form as written in the original is upper case ("AS", not "as").
fn form_upper(scan: &Scan<'_>, start: usize, end: usize) -> bool {
    let (s, e) = scan.basic.original_span(start, end);
    !scan.original[s..e].chars().any(|c| c.is_lowercase())
}

fn original_text(scan: &Scan<'_>, start: usize, end: usize) -> String {
    let (s, e) = scan.basic.original_span(start, end);
    scan.original[s..e].trim().to_string()
}

/// Finds named companies in one field.
pub(super) fn employers(scan: &Scan<'_>, out: &mut Vec<Located<Employer>>) {
    let text = scan.basic.as_str();
    if !may_name_company(text) {
        return;
    }
    // In a field written in capitals, "AS", "AB", "OU" are words, not legal forms.
    // Read only when an ambiguous form turns up: most fields have none.
    let shouting = std::cell::OnceCell::new();
    let shouting = || *shouting.get_or_init(|| is_shouting(scan.original));
    let ambiguous = |form: &str| matches!(form, "as" | "ab" | "ou" | "ik" | "oy");
    let mut taken: Vec<(usize, usize)> = Vec::new();
    let mut push = |out: &mut Vec<Located<Employer>>,
                    start: usize,
                    end: usize,
                    form: &str,
                    name: (usize, usize)| {
        if taken.iter().any(|&(s, e)| start < e && s < end) {
            return;
        }
        taken.push((start, end));
        out.push(scan.locate_basic(
            start,
            end,
            Employer {
                form: form.to_string(),
                name: original_text(scan, name.0, name.1),
            },
        ));
    };
    // Both quoted forms need a quotation mark; most fields have none.
    let quoted = if text.contains('"') { text } else { "" };
    for c in QUOTED_AFTER_FORM
        .captures_iter(quoted)
        .take(super::MAX_FACTS_PER_FIELD)
    {
        let (Some(w), Some(f), Some(n)) = (c.get(0), c.get(1), c.get(2)) else {
            continue;
        };
        if f.as_str() == "as" && !form_upper(scan, f.start(), f.end()) {
            continue;
        }
        push(out, f.start(), w.end(), f.as_str(), (n.start(), n.end()));
    }
    for c in QUOTED_BEFORE_FORM
        .captures_iter(quoted)
        .take(super::MAX_FACTS_PER_FIELD)
    {
        let (Some(w), Some(n), Some(f)) = (c.get(0), c.get(1), c.get(2)) else {
            continue;
        };
        if !form_upper(scan, f.start(), f.end()) && f.as_str().len() <= 3 {
            continue;
        }
        push(out, w.start(), w.end(), f.as_str(), (n.start(), n.end()));
    }
    for c in FORM_BEFORE_NAME
        .captures_iter(text)
        .take(super::MAX_FACTS_PER_FIELD)
    {
        let (Some(w), Some(f), Some(n)) = (c.get(0), c.get(1), c.get(2)) else {
            continue;
        };
        if !form_upper(scan, f.start(), f.end())
            || !capitalised(scan, n.start(), n.end())
            || (ambiguous(f.as_str()) && shouting())
        {
            continue;
        }
        push(out, f.start(), w.end(), f.as_str(), (n.start(), n.end()));
    }
    for c in NAME_BEFORE_FORM
        .captures_iter(text)
        .take(super::MAX_FACTS_PER_FIELD)
    {
        let (Some(w), Some(n), Some(f)) = (c.get(0), c.get(1), c.get(2)) else {
            continue;
        };
        let short_form =
            f.as_str().len() <= 3 && !matches!(f.as_str(), "ltd" | "inc" | "llc" | "plc");
        if (short_form && !form_upper(scan, f.start(), f.end()))
            || !capitalised(scan, n.start(), n.end())
            || (ambiguous(f.as_str()) && shouting())
            || (f.as_str() == "as" && english_after(&text[w.end()..]))
        {
            continue;
        }
        // Keep only the capitalised tail of the name ("strada pie Nordic Foods Ltd").
        let mut name_start = n.start();
        let mut offset = n.start();
        for word in n.as_str().split_inclusive(' ') {
            if capitalised(scan, offset, offset + word.len()) {
                break;
            }
            offset += word.len();
            name_start = offset;
        }
        if name_start >= n.end() {
            continue;
        }
        push(out, name_start, w.end(), f.as_str(), (name_start, n.end()));
    }
}

/// Whether a text holds at least `n` ASCII digits in a row.
fn has_digit_run(text: &str, n: usize) -> bool {
    let mut run = 0;
    text.bytes().any(|b| {
        run = if b.is_ascii_digit() { run + 1 } else { 0 };
        run >= n
    })
}

/// Whether a text is written mostly in capitals (at least 20 letters, 60% upper case).
fn is_shouting(text: &str) -> bool {
    let (mut letters, mut upper) = (0usize, 0usize);
    for c in text.chars().filter(|c| c.is_alphabetic()) {
        letters += 1;
        upper += usize::from(c.is_uppercase());
    }
    letters >= 20 && upper * 10 >= letters * 6
}

/// Whether the next word is one that follows the English "as" ("as a driver", "as soon as").
fn english_after(rest: &str) -> bool {
    const WORDS: &[&str] = &[
        "a", "an", "the", "soon", "well", "possible", "long", "much", "many", "good", "usual",
        "required", "needed", "follows", "per", "if", "part", "of", "you", "we", "they", "he",
        "she", "it", "our", "your", "their", "my", "is", "was", "before",
    ];
    let next = rest
        .trim_start()
        .split(|c: char| !c.is_alphanumeric())
        .next()
        .unwrap_or_default();
    WORDS.contains(&next)
}

/// Finds registration numbers in one field.
pub(super) fn registration_numbers(scan: &Scan<'_>, out: &mut Vec<Located<Number>>) {
    let text = scan.basic.as_str();
    // Every match is eleven digits in a row or follows "reg"/"рег": most fields have neither.
    if !(text.contains("reg") || text.contains("рег") || has_digit_run(text, 11)) {
        return;
    }
    for c in REG_NUMBER
        .captures_iter(text)
        .take(super::MAX_FACTS_PER_FIELD)
    {
        let Some(w) = c.get(0) else { continue };
        let m = c.get(1).unwrap_or(w);
        let start = super::skip_non_word(text, w.start());
        out.push(scan.locate_basic(
            start,
            w.end(),
            Number {
                value: m.as_str().to_string(),
            },
        ));
    }
}

/// Finds recruitment licence numbers in one field.
pub(super) fn licence_numbers(scan: &Scan<'_>, out: &mut Vec<Located<Number>>) {
    let text = scan.basic.as_str();
    // Every match holds one of these words: most fields have none.
    if !["licenc", "licens", "лиценз"]
        .iter()
        .any(|w| text.contains(w))
    {
        return;
    }
    for c in LICENCE.captures_iter(text).take(super::MAX_FACTS_PER_FIELD) {
        let (Some(w), Some(m)) = (c.get(0), c.get(1)) else {
            continue;
        };
        let start = super::skip_non_word(text, w.start());
        out.push(scan.locate_basic(
            start,
            w.end(),
            Number {
                value: m.as_str().trim().to_string(),
            },
        ));
    }
}
