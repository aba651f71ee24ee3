//! Literal prefilters for rule regexes. For each regex we compute a set of literal strings at
//! least one of which every match must contain; they join the phrase automaton, so the one
//! Aho-Corasick pass over an advert also says which regex rules can possibly match. Only those
//! regexes run. A regex without a usable set (too short or too many literals) always runs.

use regex_syntax::hir::{Hir, HirKind};

/// Literals shorter than this select too much text to be worth it.
const MIN_LITERAL_BYTES: usize = 3;
/// A set bigger than this is not a useful filter.
const MAX_LITERALS: usize = 256;

/// Literals one of which every match of `regex` contains, or `None` when there is no useful set.
pub(crate) fn required_literals(regex: &str) -> Option<Vec<String>> {
    let hir = regex_syntax::ParserBuilder::new().build().parse(regex).ok()?;
    let mut set = necessary(&hir)?;
    set.sort();
    set.dedup();
    let useful = !set.is_empty()
        && set.len() <= MAX_LITERALS
        && set.iter().all(|l| l.len() >= MIN_LITERAL_BYTES);
    useful.then_some(set)
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
        assert_eq!(lits(r"\bdarbs\s+tikai\s+(?:a|b)"), Some(vec!["tikai".into()]));
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
    fn cyrillic_literals() {
        assert_eq!(lits(r"\bбез\s+опыта"), Some(vec!["опыта".into()]));
    }
}
