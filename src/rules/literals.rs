//! Literal prefilters for rule regexes. For each regex we compute up to [`MAX_SETS`] sets of
//! literal strings such that every match contains a literal of *each* set ("без" and one of the
//! language names). They join the phrase automaton, so the one Aho-Corasick pass over an advert
//! also says which regex rules can possibly match: those with a literal of every set present.
//! Only those regexes run. A regex without a usable set always runs.
//!
//! Most rule regexes also have a small set of *prefix* literals: every match starts with one
//! ("алг", "samaks", a digit). Their occurrences join the same automaton, and the regex is then
//! tried only there, anchored, instead of scanning the whole field ([`prefix_literals`]).

use regex_syntax::hir::{Hir, HirKind};

/// Literals shorter than this select too much text to be worth it.
const MIN_LITERAL_BYTES: usize = 3;
/// A set bigger than this is not a useful filter.
const MAX_LITERALS: usize = 256;
/// At most this many sets are required together.
pub(crate) const MAX_SETS: usize = 3;

/// Literals one of which every match of `regex` contains, or `None` when there is no useful set.
#[cfg(test)]
pub(crate) fn required_literals(regex: &str) -> Option<Vec<String>> {
    let hir = regex_syntax::ParserBuilder::new()
        .build()
        .parse(regex)
        .ok()?;
    necessary(&hir).and_then(useful)
}

/// Sets of literals such that every match of `regex` contains a literal of each set; empty when
/// there is no useful set. The best sets come first.
pub(crate) fn required_literal_sets(regex: &str) -> Vec<Vec<String>> {
    let Ok(hir) = regex_syntax::ParserBuilder::new().build().parse(regex) else {
        return Vec::new();
    };
    let mut conjuncts = Vec::new();
    collect_conjuncts(&hir, &mut conjuncts);
    let mut sets: Vec<Vec<String>> = conjuncts.into_iter().filter_map(useful).collect();
    sets.sort_by_key(|s| std::cmp::Reverse(quality(s)));
    sets.dedup();
    sets.truncate(MAX_SETS);
    sets
}

/// At most this many prefix literals per regex.
const MAX_PREFIXES: usize = 256;
/// A prefix literal shorter than this (in characters) starts too many anchored searches,
/// unless it is a digit or a currency sign: those are rare enough in adverts.
const MIN_PREFIX_CHARS: usize = 2;

/// Literals one of which every match of `regex` starts with, or `None` when there is no such set
/// of usable literals (too many, or too short). Found with `regex-syntax`'s prefix extractor,
/// which treats assertions such as `\b` as empty, so they still hold at the literal.
pub(crate) fn prefix_literals(regex: &str) -> Option<Vec<String>> {
    use regex_syntax::hir::literal::{ExtractKind, Extractor};
    let hir = regex_syntax::ParserBuilder::new()
        .build()
        .parse(regex)
        .ok()?;
    let seq = Extractor::new()
        .kind(ExtractKind::Prefix)
        .limit_total(MAX_PREFIXES)
        .extract(&hir);
    let mut out = Vec::new();
    for literal in seq.literals()? {
        // A literal cut short mid-character is still a prefix once cut back to a whole one.
        let bytes = literal.as_bytes();
        let text = match std::str::from_utf8(bytes) {
            Ok(t) => t,
            Err(e) => std::str::from_utf8(&bytes[..e.valid_up_to()]).ok()?,
        };
        let mut chars = text.chars();
        let usable = match (chars.next(), chars.next()) {
            (Some(c), None) => c.is_ascii_digit() || matches!(c, '€' | '£' | '$' | '+'),
            (Some(_), Some(_)) => text.chars().count() >= MIN_PREFIX_CHARS,
            _ => false,
        };
        if !usable {
            return None;
        }
        out.push(text.to_string());
    }
    out.sort();
    out.dedup();
    // Where a longer literal starts, its prefix in the set starts too: the longer one adds no
    // start. In sorted order a literal's prefixes in the set come just before it.
    out.dedup_by(|longer, kept| longer.starts_with(kept.as_str()));
    (!out.is_empty() && out.len() <= MAX_PREFIXES).then_some(out)
}

/// Whether every match of `regex` starts with a Unicode word boundary (`\b`), in every
/// alternative.
pub(crate) fn starts_at_word_boundary(regex: &str) -> bool {
    parse_and(regex, |hir| leads(hir, false))
}

/// Whether every match of `regex` that starts with a word character (a letter, a digit or `_`)
/// starts at a Unicode word boundary: each alternative starts with `\b` or with something that
/// is no word character (`[€£]`). Weaker than [`starts_at_word_boundary`], and true of more
/// regexes (`\b\d+\s*eur|€\s*\d+`): a prefix literal that begins with a word character is
/// then worth a search only at a word boundary.
pub(crate) fn word_starts_at_word_boundary(regex: &str) -> bool {
    parse_and(regex, |hir| leads(hir, true))
}

fn parse_and(regex: &str, test: impl Fn(&Hir) -> bool) -> bool {
    regex_syntax::ParserBuilder::new()
        .build()
        .parse(regex)
        .is_ok_and(|hir| test(&hir))
}

/// Whether every alternative of `hir` starts with `\b`, or, when `symbols` is set, with
/// something that cannot be a word character.
fn leads(hir: &Hir, symbols: bool) -> bool {
    use regex_syntax::hir::{Class, Look};
    let word = |c: char| c == '_' || c.is_alphanumeric();
    match hir.kind() {
        HirKind::Look(Look::WordUnicode) => true,
        HirKind::Capture(c) => leads(&c.sub, symbols),
        HirKind::Concat(parts) => parts.first().is_some_and(|p| leads(p, symbols)),
        HirKind::Alternation(alts) => alts.iter().all(|a| leads(a, symbols)),
        _ if !symbols => false,
        HirKind::Repetition(r) if r.min >= 1 => leads(&r.sub, symbols),
        HirKind::Literal(lit) => std::str::from_utf8(&lit.0)
            .ok()
            .and_then(|t| t.chars().next())
            .is_some_and(|c| !word(c)),
        // A class of symbols; a large range is taken to hold a word character.
        HirKind::Class(Class::Unicode(class)) => class.iter().all(|r| {
            let (start, end) = (r.start(), r.end());
            u32::from(end) - u32::from(start) < 4096 && !(start..=end).any(word)
        }),
        _ => false,
    }
}

/// At most this many prefilter bits (branch sets) per regex.
pub(crate) const MAX_FILTER_BITS: usize = 64;

/// A prefilter in disjunctive form: the regex can match only if, for some branch, a literal of
/// every set of that branch occurs. A regex that is a top-level alternation gets one branch per
/// alternative (so `a\s+b|c\s+d` needs "a" and "b", or "c" and "d"); any other regex, or one
/// where some alternative has no useful set, gets the single branch of
/// [`required_literal_sets`]. Empty when there is no useful filter.
pub(crate) fn required_literal_branches(regex: &str) -> Vec<Vec<Vec<String>>> {
    let whole = required_literal_sets(regex);
    if whole.is_empty() {
        return Vec::new();
    }
    let Ok(hir) = regex_syntax::ParserBuilder::new().build().parse(regex) else {
        return vec![whole];
    };
    let HirKind::Alternation(alts) = top_alternation(&hir).kind() else {
        return vec![whole];
    };
    let mut branches = Vec::with_capacity(alts.len());
    for alt in alts {
        let mut conjuncts = Vec::new();
        collect_conjuncts(alt, &mut conjuncts);
        let mut sets: Vec<Vec<String>> = conjuncts.into_iter().filter_map(useful).collect();
        sets.sort_by_key(|s| std::cmp::Reverse(quality(s)));
        sets.dedup();
        sets.truncate(MAX_SETS);
        if sets.is_empty() {
            return vec![whole];
        }
        branches.push(sets);
    }
    if branches.iter().map(Vec::len).sum::<usize>() > MAX_FILTER_BITS {
        return vec![whole];
    }
    branches
}

/// The regex without enclosing groups and assertions: the parser moves a `\b` that starts every
/// alternative out in front of the alternation.
fn top_alternation(hir: &Hir) -> &Hir {
    match hir.kind() {
        HirKind::Capture(c) => top_alternation(&c.sub),
        HirKind::Concat(parts) => {
            let mut inner = parts
                .iter()
                .filter(|p| !matches!(p.kind(), HirKind::Look(_)));
            match (inner.next(), inner.next()) {
                (Some(only), None) => top_alternation(only),
                _ => hir,
            }
        }
        _ => hir,
    }
}

/// The parts of a regex that every match goes through, each as a necessary literal set.
fn collect_conjuncts(hir: &Hir, out: &mut Vec<Vec<String>>) {
    match hir.kind() {
        HirKind::Concat(parts) => {
            for p in parts {
                collect_conjuncts(p, out);
            }
        }
        HirKind::Capture(c) => collect_conjuncts(&c.sub, out),
        HirKind::Repetition(r) if r.min >= 1 => collect_conjuncts(&r.sub, out),
        _ => {
            if let Some(set) = necessary(hir) {
                out.push(set);
            }
        }
    }
}

/// Keeps a set only if it is a useful filter: not too big, no literal too short.
fn useful(mut set: Vec<String>) -> Option<Vec<String>> {
    set.sort();
    set.dedup();
    let ok = !set.is_empty()
        && set.len() <= MAX_LITERALS
        && set.iter().all(|l| l.len() >= MIN_LITERAL_BYTES);
    ok.then(|| without_redundant(set))
}

/// A set without the literals that contain another literal of the set: wherever such a literal
/// occurs, the one it contains occurs too, so the set is met in exactly the same texts.
fn without_redundant(set: Vec<String>) -> Vec<String> {
    let redundant = |l: &String| {
        set.iter()
            .any(|other| other != l && l.contains(other.as_str()))
    };
    set.iter().filter(|l| !redundant(l)).cloned().collect()
}

/// A set of literals one of which every match of `hir` contains.
fn necessary(hir: &Hir) -> Option<Vec<String>> {
    match hir.kind() {
        HirKind::Literal(lit) => String::from_utf8(lit.0.to_vec()).ok().map(|s| vec![s]),
        HirKind::Capture(c) => necessary(&c.sub),
        HirKind::Repetition(r) if r.min >= 1 => necessary(&r.sub),
        HirKind::Concat(parts) => parts
            .iter()
            .filter_map(necessary)
            .filter(|s| s.len() <= MAX_LITERALS)
            .max_by_key(|s| quality(s)),
        HirKind::Alternation(alts) => {
            let mut all = Vec::new();
            for alt in alts {
                all.extend(necessary(alt)?);
            }
            Some(all)
        }
        _ => None,
    }
}

/// How good a set is as a filter: longer shortest literal first, then fewer literals.
fn quality(set: &[String]) -> (usize, std::cmp::Reverse<usize>) {
    let shortest = set.iter().map(String::len).min().unwrap_or(0);
    (shortest.min(8), std::cmp::Reverse(set.len()))
}

#[cfg(test)]
mod tests {
    use super::required_literals;

    fn lits(r: &str) -> Option<Vec<String>> {
        required_literals(r)
    }

    #[test]
    fn literal_concat_and_alternation() {
        assert_eq!(lits(r"\bdarb\w*\s+arzem\w*"), Some(vec!["arzem".into()]));
        assert_eq!(
            lits(r"\b(?:whatsapp|viber)\s+only"),
            Some(vec!["viber".into(), "whatsapp".into()])
        );
        assert_eq!(
            lits(r"\bdarbs\s+tikai\s+(?:a|b)"),
            Some(vec!["tikai".into()])
        );
        assert_eq!(
            lits(r"(?:tikai|only)\s+(?:whatsapp|viber)"),
            Some(vec!["viber".into(), "whatsapp".into()])
        );
    }

    #[test]
    fn optional_parts_do_not_count() {
        assert_eq!(lits(r"(?:bez\s+)?pieredz\w*"), Some(vec!["pieredz".into()]));
        assert_eq!(lits(r"(?:abc)?\d+"), None);
    }

    #[test]
    fn an_alternative_without_literals_spoils_the_set() {
        assert_eq!(lits(r"abcd|\d+"), None);
        assert_eq!(lits(r"ab|cd"), None);
    }

    #[test]
    fn conjunctions_of_sets() {
        use super::required_literal_sets;
        assert_eq!(
            required_literal_sets(r"\bбез\s+(?:знани\w*\s+)?(?:англииск|немецк)\w*\s+язык"),
            vec![
                vec!["язык".to_string()],
                vec!["англииск".to_string(), "немецк".to_string()],
                vec!["без".to_string()],
            ]
        );
        assert!(required_literal_sets(r"\d+\s*eu").is_empty());
    }

    #[test]
    fn branches_of_a_top_level_alternation() {
        use super::required_literal_branches;
        assert_eq!(
            required_literal_branches(r"\babcd\s+efgh|\bijkl\w*"),
            vec![
                vec![vec!["abcd".to_string()], vec!["efgh".to_string()]],
                vec![vec!["ijkl".to_string()]],
            ]
        );
        // No alternation: the one branch of the whole regex.
        assert_eq!(
            required_literal_branches(r"\b(?:abcd|ijkl)\s+efgh"),
            vec![vec![
                vec!["efgh".to_string()],
                vec!["abcd".to_string(), "ijkl".to_string()]
            ]]
        );
        assert!(required_literal_branches(r"abcd|\d+").is_empty());
    }

    #[test]
    fn prefix_literals_of_each_alternative() {
        use super::prefix_literals;
        assert_eq!(
            prefix_literals(r"\b(?:alg\w*|samaks\w*)\s+x|\bcash\s+in\s+hand\b"),
            Some(vec!["alg".into(), "cash".into(), "samaks".into()])
        );
        assert_eq!(
            prefix_literals(r"\bоплат\w*\s+\d+"),
            Some(vec!["оплат".into()])
        );
        // Digits are fine as one-character prefixes; letters and optional starts are not.
        assert!(prefix_literals(r"\b[1-9]\d*\s*eur").is_some());
        assert_eq!(prefix_literals(r"\b\w+\s+abc"), None);
        assert_eq!(
            prefix_literals(r"(?:abc\s+)?def"),
            Some(vec!["abc".into(), "def".into()])
        );
        assert_eq!(prefix_literals(r"x\s+abc"), None);
        assert_eq!(prefix_literals(r"(?:abc)?\s*def"), None);
    }

    #[test]
    fn leading_word_boundaries() {
        use super::starts_at_word_boundary as lead;
        assert!(lead(r"\babc\s+d"));
        assert!(lead(r"\b(?:abc|def)\b|\bxyz"));
        assert!(!lead(r"\babc|xyz"));
        assert!(!lead(r"abc\b"));
        assert!(!lead(r"(?-u:\b)abc"));
    }

    #[test]
    fn word_starts_behind_word_boundaries() {
        use super::word_starts_at_word_boundary as lead;
        assert!(lead(r"\babc\s+d"));
        assert!(lead(r"(?:\b\d+\s*eur|[€£]\s*\d+)\s+a\s+week"));
        assert!(lead(r"€\d+|\b\d+"));
        assert!(!lead(r"\b\d+|x\d+"));
        assert!(!lead(r"(?:€)?\d+"));
        assert!(!lead(r"[^\n]\d"));
    }

    #[test]
    fn cyrillic_literals() {
        assert_eq!(lits(r"\bбез\s+опыта"), Some(vec!["опыта".into()]));
    }

    #[test]
    fn literals_that_add_nothing_are_dropped() {
        // "ldarbs" contains "darb": wherever it occurs, so does "darb".
        assert_eq!(
            lits(r"(?:darb|ldarbs|viza)\s+x"),
            Some(vec!["darb".into(), "viza".into()])
        );
        // Where "darbs" starts, "darb" starts too.
        assert_eq!(
            super::prefix_literals(r"\b(?:darb|darbs|darba)\w*\s+un"),
            Some(vec!["darb".into()])
        );
        assert_eq!(
            super::prefix_literals(r"\b(?:darbs|darba)\s+un"),
            Some(vec!["darba".into(), "darbs".into()])
        );
    }
}
