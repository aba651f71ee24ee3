use super::{encode, word_boundary_at};
use crate::dialect::{build_anchorable, rewrite};
use proptest::prelude::*;
use regex_automata::{Anchored, Input, meta::Regex};

/// Patterns in the dialect with word boundaries in every position, classes, negated classes,
/// counted gaps and non-ASCII letters on both sides of a boundary.
const PATTERNS: &[&str] = &[
    r"\bработ\w*",
    r"\b(?:pay|darb\w*)\b.{0,10}?\bнал\w*",
    r"[^.!?]{0,5}\bß\w*",
    r"\w+\s+\w+",
    r"\B\w\b",
    r"[а-я]+",
    r"[^а-я]+",
    r"\d+\s*€",
    r"\bза\s+границ[а-я]*\b",
    r"(?:ш|шк|шко)\b",
];

/// The spans the dialect's regex means on normalised text: the pattern as the `regex` crate
/// reads it (Unicode `\b`), which agrees with the dialect where every letter is in its word set.
fn unicode_spans(pattern: &str, text: &str, anchored_at: Option<usize>) -> Vec<(usize, usize)> {
    let regex = Regex::new(&rewrite(pattern)).expect("pattern compiles");
    spans(&regex, text, anchored_at)
}

fn spans(regex: &Regex, text: &str, anchored_at: Option<usize>) -> Vec<(usize, usize)> {
    match anchored_at {
        Some(at) => {
            let input = Input::new(text).range(at..).anchored(Anchored::Yes);
            regex
                .search(&input)
                .map(|m| (m.start(), m.end()))
                .into_iter()
                .collect()
        }
        None => regex
            .find_iter(text)
            .map(|m| (m.start(), m.end()))
            .collect(),
    }
}

#[test]
fn the_view_keeps_every_offset() {
    let text = "darbs: работа, ß un ł — 2500 € їжак";
    let view = encode(text);
    assert_eq!(view.len(), text.len());
    for (i, _) in text.char_indices() {
        assert!(view.is_char_boundary(i), "boundary {i} lost");
    }
    assert!(view.starts_with("darbs: "));
    assert!(!view.contains('р') && !view.contains('ß') && !view.contains('ł'));
    assert!(
        view.contains('€') && view.contains('—'),
        "non-letters stay as they are"
    );
}

#[test]
fn ascii_text_is_borrowed_and_upper_case_is_lowered() {
    assert!(matches!(encode("no fees"), std::borrow::Cow::Borrowed(_)));
    assert_eq!(encode("No Fees"), "no fees");
}

#[test]
fn upper_case_in_a_pattern_never_matches_half_a_pair() {
    let view = encode("работа");
    for pattern in ["A", "[A-Z]", "[A-Z]+", "."] {
        let regex = build_anchorable(pattern).expect("compiles");
        for m in regex.find_iter(view.as_ref()) {
            assert!(
                m.len() != 1 || !view.as_bytes()[m.start()].is_ascii_uppercase(),
                "{pattern} matched half a pair at {}",
                m.start()
            );
        }
    }
    let any = build_anchorable(".").expect("compiles");
    assert_eq!(
        any.find_iter(view.as_ref()).count(),
        "работа".chars().count()
    );
}

#[test]
fn a_cyrillic_word_boundary_is_found() {
    let regex = build_anchorable(r"\bработ\w*\b").expect("compiles");
    let text = "ищем, работа за границей; заработок";
    let view = encode(text);
    let found: Vec<&str> = regex
        .find_iter(view.as_ref())
        .map(|m| &text[m.start()..m.end()])
        .collect();
    assert_eq!(found, ["работа"], "not inside заработок");
}

proptest! {
    #[test]
    fn the_view_matches_what_the_dialect_means(text in "[a-dа-гß0-9 .,!€-]{0,40}", at in 0usize..60) {
        let view = encode(&text);
        prop_assert_eq!(view.len(), text.len());
        for pattern in PATTERNS {
            let encoded = build_anchorable(pattern).expect("pattern compiles");
            prop_assert_eq!(
                spans(&encoded, &view, None),
                unicode_spans(pattern, &text, None),
                "{} on {:?}", pattern, text
            );
            let at = crate::normalise::floor_char_boundary(&text, at);
            prop_assert_eq!(
                spans(&encoded, &view, Some(at)),
                unicode_spans(pattern, &text, Some(at)),
                "{} anchored at {} on {:?}", pattern, at, text
            );
        }
    }

    #[test]
    fn word_boundaries_agree(text in "[a-dа-гß0-9 .,€_-]{0,40}") {
        let view = encode(&text);
        let boundary = Regex::new(r"\b").expect("compiles");
        let unicode: Vec<usize> = boundary.find_iter(text.as_str()).map(|m| m.start()).collect();
        let ascii: Vec<usize> = (0..=text.len())
            .filter(|&i| text.is_char_boundary(i) && word_boundary_at(&view, i))
            .collect();
        prop_assert_eq!(ascii, unicode);
    }
}
