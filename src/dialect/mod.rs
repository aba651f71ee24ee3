//! The regex dialect of rule files and extractors. Both run on normalised text (lower case, no
//! diacritics), so `\w` and `\d` need not carry all of Unicode: they are rewritten to the
//! letters normalised text can hold. This makes each compiled regex a hundred times smaller, and
//! matching fast. [`build`] compiles a pattern in this dialect with room for its lazy DFA.
//!
//! `\w` becomes `0-9`, `_`, `a-z`, Cyrillic `а-я` with `і ї є ґ ў`, and `ß ø æ œ ł đ þ ð`
//! (letters NFKD does not decompose); `\W` is its complement; `\d` becomes `0-9`; `\s` becomes a
//! plain space, the only white space normalised text holds (runs of white space collapse to one
//! space). In rule regexes ([`build_anchorable`]), `\b` is a boundary between those word
//! characters and the rest, which lets the lazy DFA run on Cyrillic (see [`ascii_words`]); in
//! extractors it keeps its Unicode meaning. Everything else (`\S`, classes, groups) keeps its
//! meaning. Besides smaller automata, this lets the literal analysis in `rules` see through
//! `\s`: `no\s+fees` starts with "no ".

pub mod ascii_words;

/// The letters and digits of normalised text, as the body of a character class.
pub const WORD: &str = "0-9_a-zа-яіїєґўßøæœłđþð";

/// Room for a compiled regex and its lazy DFA cache: Unicode classes make them big, and a cache
/// too small to hold the DFA is rebuilt over and over.
pub const SIZE_LIMIT: usize = 256 * 1024 * 1024;
const DFA_CACHE: usize = 32 * 1024 * 1024;

/// Compiles a pattern written in this dialect.
pub fn build(pattern: &str) -> Result<regex::Regex, regex::Error> {
    regex::RegexBuilder::new(&rewrite(pattern))
        .size_limit(SIZE_LIMIT)
        .dfa_size_limit(DFA_CACHE)
        .build()
}

/// Compiles a pattern written in this dialect to run on the [`ascii_words`] view, for searches
/// that may start at a given position (anchored there), which the `regex` crate's API cannot
/// ask for.
pub fn build_anchorable(pattern: &str) -> Result<regex_automata::meta::Regex, BuildError> {
    use regex_automata::meta::{Config, Regex};
    let hir = regex_syntax::ParserBuilder::new()
        .build()
        .parse(&rewrite(pattern))
        .map_err(Box::new)?;
    Regex::builder()
        .configure(
            Config::new()
                .nfa_size_limit(Some(SIZE_LIMIT))
                .hybrid_cache_capacity(DFA_CACHE),
        )
        .build_from_hir(&ascii_words::encode_hir(&hir))
        .map_err(|e| BuildError::Build(Box::new(e)))
}

/// For a pattern with a long counted repetition (such as the gap `[^.]{0,60}?` between two
/// phrases), a superset of [`build_anchorable`]'s regex as [`filter`] widens it, on the same
/// view; `None` for other patterns. Counted gaps make the exact regex's lazy DFA meet new states
/// on nearly every search, so a cheap anchored test first saves most of them: nearly every
/// search at a prefix literal fails.
pub fn build_anchorable_filter(
    pattern: &str,
) -> Result<Option<regex_automata::meta::Regex>, BuildError> {
    use regex_automata::meta::{Config, Regex};
    let hir = regex_syntax::ParserBuilder::new()
        .build()
        .parse(&rewrite(pattern))
        .map_err(Box::new)?;
    if !has_long_repetition(&hir) {
        return Ok(None);
    }
    let regex = Regex::builder()
        .configure(
            Config::new()
                .nfa_size_limit(Some(SIZE_LIMIT))
                .hybrid_cache_capacity(DFA_CACHE),
        )
        .build_from_hir(&widen(&ascii_words::encode_hir(&hir)))
        .map_err(|e| BuildError::Build(Box::new(e)))?;
    Ok(Some(regex))
}

/// Whether a repetition bounded above [`MAX_FILTER_REPEAT`] occurs (one [`widen`] unbounds).
fn has_long_repetition(hir: &regex_syntax::hir::Hir) -> bool {
    use regex_syntax::hir::HirKind;
    match hir.kind() {
        HirKind::Repetition(r) => {
            r.max.is_some_and(|m| m > MAX_FILTER_REPEAT) || has_long_repetition(&r.sub)
        }
        HirKind::Capture(c) => has_long_repetition(&c.sub),
        HirKind::Concat(parts) | HirKind::Alternation(parts) => {
            parts.iter().any(has_long_repetition)
        }
        _ => false,
    }
}

/// Why [`build_anchorable`] failed.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// The pattern does not parse.
    #[error(transparent)]
    Syntax(#[from] Box<regex_syntax::Error>),
    /// The parsed pattern does not compile.
    #[error(transparent)]
    Build(Box<regex_automata::meta::BuildError>),
}

/// Rewrites `\w`, `\W` and `\d` (outside and inside character classes).
pub fn rewrite(regex: &str) -> String {
    let mut out = String::with_capacity(regex.len() + 64);
    let mut chars = regex.chars().peekable();
    let mut class_depth = 0usize;
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('w') if class_depth > 0 => out.push_str(WORD),
                Some('w') => {
                    out.push('[');
                    out.push_str(WORD);
                    out.push(']');
                }
                Some('W') if class_depth == 0 => {
                    out.push_str("[^");
                    out.push_str(WORD);
                    out.push(']');
                }
                Some('s') => out.push_str("\\x20"),
                Some('d') if class_depth > 0 => out.push_str("0-9"),
                Some('d') => out.push_str("[0-9]"),
                Some(next) => {
                    out.push('\\');
                    out.push(next);
                }
                None => out.push('\\'),
            },
            '[' => {
                class_depth += 1;
                out.push(c);
                // A `]` right after `[` or `[^` is a literal, not the end of the class.
                if chars.peek() == Some(&'^') {
                    out.push('^');
                    chars.next();
                }
                if chars.peek() == Some(&']') {
                    out.push(']');
                    chars.next();
                }
            }
            ']' if class_depth > 0 => {
                class_depth -= 1;
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

/// Repetitions bounded above this stay bounded in a [`filter`]; longer ones become unbounded.
const MAX_FILTER_REPEAT: u32 = 8;

/// A regex matching wherever `pattern` (in this dialect) does, built for speed rather than
/// precision: every assertion (`\b`, `^`, ...) is dropped and long bounded repetitions such as
/// `.{0,80}?` become unbounded. Both only widen what it matches, and both keep the lazy DFA
/// small: word boundaries force the slow engines on non-ASCII text, and counted gaps multiply
/// DFA states. A cheap test that must pass before the exact regex runs.
pub fn filter(pattern: &str) -> Result<regex::Regex, regex::Error> {
    let rewritten = rewrite(pattern);
    let Ok(hir) = regex_syntax::ParserBuilder::new().build().parse(&rewritten) else {
        return build(&without_word_boundaries(pattern));
    };
    regex::RegexBuilder::new(&widen(&hir).to_string())
        .size_limit(SIZE_LIMIT)
        .dfa_size_limit(DFA_CACHE)
        .build()
}

/// Drops assertions and capture groups and unbounds long repetitions (see [`filter`]).
fn widen(hir: &regex_syntax::hir::Hir) -> regex_syntax::hir::Hir {
    use regex_syntax::hir::{Hir, HirKind, Repetition};
    match hir.kind() {
        HirKind::Look(_) => Hir::empty(),
        HirKind::Capture(c) => widen(&c.sub),
        HirKind::Concat(parts) => Hir::concat(parts.iter().map(widen).collect()),
        HirKind::Alternation(alts) => Hir::alternation(alts.iter().map(widen).collect()),
        HirKind::Repetition(r) => {
            let max = r.max.filter(|&m| m <= MAX_FILTER_REPEAT);
            Hir::repetition(Repetition {
                min: r.min,
                max,
                greedy: r.greedy,
                sub: Box::new(widen(&r.sub)),
            })
        }
        _ => hir.clone(),
    }
}

/// Removes `\b` and `\B` assertions. Dropping an assertion only widens what a regex matches, so
/// the result matches wherever the original does. Without them the fast DFA engines can search
/// non-ASCII text (a Unicode word boundary forces the slow engines there).
pub fn without_word_boundaries(regex: &str) -> String {
    let mut out = String::with_capacity(regex.len());
    let mut chars = regex.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('b' | 'B') => {}
            Some(next) => {
                out.push(c);
                out.push(next);
            }
            None => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_only_real_word_boundaries() {
        assert_eq!(without_word_boundaries(r"\bdarb\w*\b"), r"darb\w*");
        assert_eq!(without_word_boundaries(r"a\\b\Bc"), r"a\\bc");
        assert_eq!(without_word_boundaries(r"x\.\d"), r"x\.\d");
    }

    #[test]
    fn filter_widens_but_never_narrows() {
        let exact = build(r"\bflights?\b[^.!?]{0,50}?\bdeducted\b").expect("compiles");
        let wide = filter(r"\bflights?\b[^.!?]{0,50}?\bdeducted\b").expect("compiles");
        for text in [
            "flight costs deducted",
            "xflights deductedx",
            "работа flight deducted",
        ] {
            assert!(!exact.is_match(text) || wide.is_match(text));
        }
        assert!(wide.is_match("xflights deductedx"));
        let far = format!("flight {} deducted", "a".repeat(100));
        assert!(!exact.is_match(&far) && wide.is_match(&far));
        let small = filter(r"\d{2}(?:\w+\s+){0,2}x").expect("compiles");
        assert!(!small.is_match("12 a b c x"));
    }

    #[test]
    fn anchored_filter_only_for_long_gaps_and_never_narrows() {
        use regex_automata::{Anchored, Input};
        assert!(
            build_anchorable_filter(r"\bno\s+fees?\b")
                .expect("compiles")
                .is_none()
        );
        let pattern = r"\bбилет\w*\b[^.!?\n]{0,20}?\bвычт\w*";
        let exact = build_anchorable(pattern).expect("compiles");
        let wide = build_anchorable_filter(pattern)
            .expect("compiles")
            .expect("a long gap gets a filter");
        let far = format!("билет {} вычтем", "а".repeat(30));
        for text in [
            "билет потом вычтем",
            "билеты, вычтут",
            "билетвычтем",
            far.as_str(),
        ] {
            let view = ascii_words::encode(text);
            let input = Input::new(view.as_ref()).anchored(Anchored::Yes);
            assert!(
                !exact.is_match(input.clone()) || wide.is_match(input),
                "{text}"
            );
        }
        let view = ascii_words::encode(&far);
        let input = Input::new(view.as_ref()).anchored(Anchored::Yes);
        assert!(!exact.is_match(input.clone()) && wide.is_match(input));
        let view = ascii_words::encode("билет без вычетов");
        assert!(!wide.is_match(Input::new(view.as_ref()).anchored(Anchored::Yes)));
    }

    #[test]
    fn rewrites_outside_and_inside_classes() {
        assert_eq!(rewrite(r"darb\w*"), format!("darb[{WORD}]*"));
        assert_eq!(rewrite(r"[^\w]"), format!("[^{WORD}]"));
        assert_eq!(rewrite(r"\d{2}-\d"), "[0-9]{2}-[0-9]");
        assert_eq!(rewrite(r"a\W"), format!("a[^{WORD}]"));
        assert_eq!(rewrite(r"a\s+[\s,]"), r"a\x20+[\x20,]");
    }

    #[test]
    fn leaves_other_escapes_alone() {
        assert_eq!(rewrite(r"\bx\S+\.\\w"), r"\bx\S+\.\\w");
        assert_eq!(rewrite(r"[]\w]"), format!("[]{WORD}]"));
    }

    #[test]
    fn rewritten_regex_keeps_matching_normalised_text() {
        let re = regex::Regex::new(&rewrite(r"\bработ\w*\s+в\s+\w+")).expect("compiles");
        assert!(re.is_match("работа в германии"));
        let re = regex::Regex::new(&rewrite(r"\bsj\w+")).expect("compiles");
        assert_eq!(re.find("sjømat as").map(|m| m.as_str()), Some("sjømat"));
    }
}
