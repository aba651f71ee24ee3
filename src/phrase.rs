//! Whole-word phrase matching over normalised text: many phrases, one Aho-Corasick automaton.
//!
//! Phrases are normalised with the same [`Normalised::words`] view the text is, so authors write
//! them naturally ("Ārzemēs", "W h a t s A p p"). A phrase matches whole words only; a trailing
//! `*` lets its last word continue ("vīz*" matches "vīzu"). The rule engine and the extractors'
//! lexicons both use this; what a hit means is theirs to decide.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};

use crate::normalise::Normalised;

/// A phrase that cannot be compiled.
#[derive(Debug, thiserror::Error)]
pub enum PhraseError {
    /// The phrase is empty after normalisation.
    #[error("phrase {0:?} is empty after normalisation")]
    Empty(String),
    /// A `*` appears somewhere other than the end.
    #[error("phrase {0:?}: `*` is only allowed at the end of the last word")]
    Wildcard(String),
    /// The automaton could not be built.
    #[error("cannot build the phrase automaton: {0}")]
    Build(#[from] aho_corasick::BuildError),
}

/// A set of phrases, each carrying a value of type `T`.
#[derive(Debug, Clone)]
pub struct PhraseSet<T> {
    automaton: AhoCorasick,
    entries: Vec<Entry<T>>,
}

#[derive(Debug, Clone)]
struct Entry<T> {
    value: T,
    /// The last word may continue past the phrase's end.
    prefix: bool,
    /// A raw literal: matched as a plain substring, without word boundaries.
    raw: bool,
}

/// One phrase hit: a byte range of the normalised text and the phrase's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PhraseHit<'a, T> {
    /// Start byte in the normalised text.
    pub start: usize,
    /// End byte in the normalised text (extended to the word's end for `*` phrases).
    pub end: usize,
    /// The value the phrase was added with.
    pub value: &'a T,
}

/// Normalises a phrase as written by an author; returns the matchable text and whether it ends
/// with `*`.
pub fn normalise_phrase(raw: &str) -> Result<(String, bool), PhraseError> {
    let trimmed = raw.trim();
    let (body, prefix) = match trimmed.strip_suffix('*') {
        Some(b) => (b, true),
        None => (trimmed, false),
    };
    if body.contains('*') {
        return Err(PhraseError::Wildcard(raw.to_string()));
    }
    let norm = Normalised::words(body).as_str().trim().to_string();
    if norm.is_empty() {
        return Err(PhraseError::Empty(raw.to_string()));
    }
    Ok((norm, prefix))
}

impl<T> PhraseSet<T> {
    /// Compiles phrases (as written by authors) with their values into one automaton.
    pub fn new<S: AsRef<str>>(
        phrases: impl IntoIterator<Item = (S, T)>,
    ) -> Result<Self, PhraseError> {
        PhraseSet::with_literals(phrases, std::iter::empty())
    }

    /// Compiles phrases and raw literals (plain substrings of the normalised text, matched
    /// anywhere: the rules' regex prefilters) into one automaton.
    pub fn with_literals<S: AsRef<str>>(
        phrases: impl IntoIterator<Item = (S, T)>,
        literals: impl IntoIterator<Item = (String, T)>,
    ) -> Result<Self, PhraseError> {
        let mut patterns = Vec::new();
        let mut entries = Vec::new();
        for (raw, value) in phrases {
            let (norm, prefix) = normalise_phrase(raw.as_ref())?;
            patterns.push(norm);
            entries.push(Entry {
                value,
                prefix,
                raw: false,
            });
        }
        for (literal, value) in literals {
            patterns.push(literal);
            entries.push(Entry {
                value,
                prefix: false,
                raw: true,
            });
        }
        // A contiguous NFA: measured a few per cent faster than a DFA on short adverts with
        // thousands of patterns, and much quicker to build and smaller.
        let automaton = AhoCorasickBuilder::new()
            .match_kind(MatchKind::Standard)
            .kind(Some(AhoCorasickKind::ContiguousNFA))
            .build(&patterns)?;
        Ok(PhraseSet { automaton, entries })
    }

    /// Number of phrases.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the set has no phrases.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Every whole-word occurrence of every phrase in `text` (a normalised view), overlapping
    /// occurrences included, in order of their end.
    pub fn find_iter<'s, 't>(
        &'s self,
        text: &'t str,
    ) -> impl Iterator<Item = PhraseHit<'s, T>> + use<'s, 't, T> {
        self.automaton
            .find_overlapping_iter(text)
            .filter_map(move |m| {
                let entry = &self.entries[m.pattern().as_usize()];
                let (start, mut end) = (m.start(), m.end());
                if entry.raw {
                    return Some(PhraseHit {
                        start,
                        end,
                        value: &entry.value,
                    });
                }
                if starts_word(text, start) && !boundary_before(text, start) {
                    return None;
                }
                if entry.prefix {
                    end = word_end(text, end);
                } else if ends_word(text, end) && !boundary_after(text, end) {
                    return None;
                }
                Some(PhraseHit {
                    start,
                    end,
                    value: &entry.value,
                })
            })
    }

    /// Like [`PhraseSet::find_iter`], but overlapping hits are reduced to the leftmost, longest
    /// one: for word lists where "german*" and "germany" both name one place.
    pub fn find_distinct<'a>(&'a self, text: &'a str) -> Vec<PhraseHit<'a, T>> {
        distinct(self.find_iter(text).collect())
    }
}

/// Reduces overlapping hits to the leftmost, longest one (see [`PhraseSet::find_distinct`]).
pub fn distinct<T>(mut hits: Vec<PhraseHit<'_, T>>) -> Vec<PhraseHit<'_, T>> {
    hits.sort_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));
    let mut out: Vec<PhraseHit<'_, T>> = Vec::with_capacity(hits.len());
    for h in hits {
        if out.last().is_none_or(|last| h.start >= last.end) {
            out.push(h);
        }
    }
    out
}

fn is_word(c: char) -> bool {
    crate::normalise::is_word_char(c)
}

/// The phrase starts with a word character, so it needs a boundary before it.
fn starts_word(text: &str, at: usize) -> bool {
    text[at..].chars().next().is_some_and(is_word)
}

/// The phrase ends with a word character, so it needs a boundary after it.
fn ends_word(text: &str, at: usize) -> bool {
    text[..at].chars().next_back().is_some_and(is_word)
}

fn boundary_before(text: &str, at: usize) -> bool {
    !text[..at].chars().next_back().is_some_and(is_word)
}

fn boundary_after(text: &str, at: usize) -> bool {
    !text[at..].chars().next().is_some_and(is_word)
}

fn word_end(text: &str, at: usize) -> usize {
    text[at..]
        .char_indices()
        .find(|(_, c)| !is_word(*c))
        .map_or(text.len(), |(i, _)| at + i)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hits(phrases: &[&str], text: &str) -> Vec<String> {
        let set = PhraseSet::new(phrases.iter().map(|p| (*p, ()))).expect("phrases compile");
        let norm = Normalised::words(text);
        set.find_iter(norm.as_str())
            .map(|h| norm.as_str()[h.start..h.end].to_string())
            .collect()
    }

    #[test]
    fn matches_whole_words_only() {
        assert_eq!(hits(&["visa"], "visa is paid"), vec!["visa"]);
        assert!(hits(&["visa"], "visas paid, televisa").is_empty());
    }

    #[test]
    fn star_extends_the_last_word() {
        assert_eq!(hits(&["vīz*"], "Apmaksājam vīzu."), vec!["vizu"]);
        assert_eq!(
            hits(&["darbs ārzem*"], "DARBS ĀRZEMĒS"),
            vec!["darbs arzemes"]
        );
    }

    #[test]
    fn phrases_are_normalised_like_text() {
        assert_eq!(hits(&["WhatsApp"], "W h a t s A p p"), vec!["whatsapp"]);
    }

    #[test]
    fn overlapping_phrases_all_hit() {
        let mut got = hits(&["no fees", "fees"], "no fees at all");
        got.sort();
        assert_eq!(got, vec!["fees", "no fees"]);
    }

    #[test]
    fn rejects_inner_wildcards_and_empty_phrases() {
        assert!(matches!(
            normalise_phrase("a* b"),
            Err(PhraseError::Wildcard(_))
        ));
        assert!(matches!(normalise_phrase("  "), Err(PhraseError::Empty(_))));
    }
}
