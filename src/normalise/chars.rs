//! Per-character answers for the characters adverts are written in (everything below U+0800:
//! ASCII, Latin with diacritics, Greek, Cyrillic), looked up in a table instead of Unicode's
//! range tables. The table is filled at first use by the general code it replaces, so both
//! always agree; characters above U+0800 take the general code.

use std::sync::LazyLock;

use unicode_normalization::char::{decompose_compatible, is_combining_mark};

/// The characters the table covers: those encoded in one or two bytes of UTF-8.
const END: usize = 0x800;

const ALPHABETIC: u8 = 1;
const NUMERIC: u8 = 2;
const WORD: u8 = 4;

/// One step of folding a character into the basic view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum FoldStep {
    /// Append this (lower-case, decomposed) character.
    Push(char),
    /// Append nothing; the previous output character's span grows over this one (a dropped
    /// combining mark or an invisible character).
    ExtendLast,
}

struct Table {
    flags: Vec<u8>,
    /// For each character below [`END`], its range in `steps`.
    fold_at: Vec<(u16, u8)>,
    steps: Vec<FoldStep>,
}

static TABLE: LazyLock<Table> = LazyLock::new(|| {
    let mut flags = vec![0; END];
    let mut fold_at = Vec::with_capacity(END);
    let mut steps = Vec::new();
    for (code, flag) in flags.iter_mut().enumerate() {
        let c = char::from_u32(code as u32).unwrap_or('\0');
        *flag = (u8::from(c.is_alphabetic()) * ALPHABETIC)
            | (u8::from(c.is_numeric()) * NUMERIC)
            | (u8::from(is_word_char_general(c)) * WORD);
        let at = steps.len();
        fold_general(c, |s| steps.push(s));
        let len = steps.len() - at;
        // At most a handful of steps each (NFKD of these characters is short), and fewer than
        // 2^16 in all: both checked by the unit tests below.
        fold_at.push((at as u16, len as u8));
    }
    Table {
        flags,
        fold_at,
        steps,
    }
});

fn flag(c: char, bit: u8) -> Option<bool> {
    TABLE.flags.get(c as usize).map(|f| f & bit != 0)
}

/// [`char::is_alphabetic`].
pub(super) fn is_alphabetic(c: char) -> bool {
    flag(c, ALPHABETIC).unwrap_or_else(|| c.is_alphabetic())
}

/// [`char::is_alphanumeric`].
pub(super) fn is_alphanumeric(c: char) -> bool {
    flag(c, ALPHABETIC | NUMERIC).unwrap_or_else(|| c.is_alphanumeric())
}

/// Whether a character is a letter or digit (see [`super::is_word_char`]).
pub(super) fn is_word_char(c: char) -> bool {
    flag(c, WORD).unwrap_or_else(|| is_word_char_general(c))
}

fn is_word_char_general(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric()
    } else if ('\u{0430}'..='\u{044F}').contains(&c) || ('\u{00E0}'..='\u{00FF}').contains(&c) {
        c != '\u{00F7}'
    } else {
        c.is_alphanumeric()
    }
}

/// Calls `step` with each step that folds a non-ASCII character into the basic view.
pub(super) fn fold(c: char, mut step: impl FnMut(FoldStep)) {
    match TABLE.fold_at.get(c as usize) {
        Some(&(at, len)) => {
            let at = usize::from(at);
            for &s in &TABLE.steps[at..at + usize::from(len)] {
                step(s);
            }
        }
        None => fold_general(c, step),
    }
}

/// Folding by the general code: invisible characters vanish, everything else is decomposed
/// (NFKD), lower-cased, stripped of combining marks, and its typographic punctuation made ASCII.
fn fold_general(c: char, mut step: impl FnMut(FoldStep)) {
    if super::is_invisible(c) {
        step(FoldStep::ExtendLast);
        return;
    }
    decompose_compatible(c, |d| {
        for l in d.to_lowercase() {
            if is_combining_mark(l) {
                step(FoldStep::ExtendLast);
            } else {
                step(FoldStep::Push(super::fold_punctuation(l)));
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_fits_its_index_types() {
        let most = TABLE.fold_at.iter().map(|f| f.1).max();
        assert!(most.is_some_and(|m| m < 16), "{most:?}");
        assert!(TABLE.steps.len() < usize::from(u16::MAX));
    }

    fn folded(c: char, general: bool) -> Vec<FoldStep> {
        let mut out = Vec::new();
        match general {
            true => fold_general(c, |s| out.push(s)),
            false => fold(c, |s| out.push(s)),
        }
        out
    }

    #[test]
    fn table_agrees_with_the_general_code() {
        for c in ('\0'..='\u{7FF}').chain(['\u{2014}', '\u{FB01}', '\u{1F600}']) {
            assert_eq!(folded(c, false), folded(c, true), "{c:?}");
            assert_eq!(is_alphabetic(c), c.is_alphabetic(), "{c:?}");
            assert_eq!(
                flag(c, NUMERIC),
                Some(c.is_numeric()).filter(|_| (c as usize) < END),
                "{c:?}"
            );
            assert_eq!(is_alphanumeric(c), c.is_alphanumeric(), "{c:?}");
            assert_eq!(is_word_char(c), is_word_char_general(c), "{c:?}");
        }
    }

    #[test]
    fn folds_latvian_and_cyrillic_letters() {
        assert_eq!(
            folded('Ā', false),
            [FoldStep::Push('a'), FoldStep::ExtendLast]
        );
        assert_eq!(folded('Ж', false), [FoldStep::Push('ж')]);
        assert_eq!(folded('\u{00AD}', false), [FoldStep::ExtendLast]);
    }
}
