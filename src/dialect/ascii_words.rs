//! The view of normalised text that rule regexes run on: every non-ASCII letter of the
//! dialect's word set ([`WORD`](super::WORD)) is written as two upper-case ASCII letters.
//!
//! Normalised text holds no upper-case ASCII, so the pairs cannot be confused with text, and
//! each replaced letter also takes two bytes in UTF-8: every byte offset stays the same, so a
//! span in this view is the same span of the normalised text. What it buys is `\b`. In this view
//! an ASCII word boundary is exactly a boundary between the dialect's word and non-word
//! characters, and the regex crate's lazy DFA matches ASCII word boundaries on any text. A
//! Unicode `\b` makes that DFA give up at the first non-ASCII byte and hand the search to a
//! backtracker, several times slower: on Russian adverts, most of the time the rule regexes took.
//!
//! [`encode`] writes the view; [`encode_hir`] rewrites a parsed regex to match it.

use std::borrow::Cow;
use std::sync::LazyLock;

use regex_syntax::hir::{
    Capture, Class, ClassBytes, ClassBytesRange, ClassUnicode, ClassUnicodeRange, Hir, HirKind,
    Literal, Look, Repetition,
};

/// How many second letters each first letter of a pair takes: `A`..`P`.
const PER_FIRST: usize = 16;

/// The letters that get pairs, and the lookup from a character to its pair.
struct Table {
    /// The non-ASCII characters of [`WORD`](super::WORD), in code point order; letter `i` is
    /// written as `'A' + i / 16`, `'A' + i % 16`.
    letters: Vec<char>,
    /// The same characters as a class.
    class: ClassUnicode,
}

static TABLE: LazyLock<Table> = LazyLock::new(|| {
    let word = regex_syntax::ParserBuilder::new()
        .build()
        .parse(&format!("[{}]", super::WORD));
    let mut letters: Vec<char> = match word.as_ref().map(Hir::kind) {
        Ok(HirKind::Class(Class::Unicode(class))) => class
            .iter()
            .flat_map(|r| r.start()..=r.end())
            .filter(|c| !c.is_ascii())
            .collect(),
        _ => Vec::new(),
    };
    // Only two-byte characters keep offsets when written as two ASCII letters.
    letters.retain(|c| c.len_utf8() == 2);
    letters.truncate(26 * PER_FIRST);
    let class = ClassUnicode::new(letters.iter().map(|&c| ClassUnicodeRange::new(c, c)));
    Table { letters, class }
});

/// The pair of ASCII letters a character is written as in this view, if it has one.
fn pair(c: char) -> Option<[u8; 2]> {
    if c.is_ascii() {
        return None;
    }
    let i = TABLE.letters.binary_search(&c).ok()?;
    Some([b'A' + (i / PER_FIRST) as u8, b'A' + (i % PER_FIRST) as u8])
}

/// Writes normalised text in this view (borrowed when it has nothing to replace). Byte offsets
/// and character boundaries of `text` are kept; stray upper-case ASCII is lower-cased so it can
/// never pass for a pair.
pub fn encode(text: &str) -> Cow<'_, str> {
    if text
        .bytes()
        .all(|b| b.is_ascii() && !b.is_ascii_uppercase())
    {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match pair(c) {
            Some([first, second]) => {
                out.push(char::from(first));
                out.push(char::from(second));
            }
            None => out.push(c.to_ascii_lowercase()),
        }
    }
    Cow::Owned(out)
}

/// Rewrites a parsed regex (in the dialect, after [`rewrite`](super::rewrite)) to match this
/// view: letters with a pair become their pair, classes match the pairs of the letters they
/// hold, upper-case ASCII matches nothing (it only occurs inside pairs), and Unicode word
/// assertions become ASCII ones. On the view, the result matches the spans the dialect's regex
/// means on the normalised text.
pub fn encode_hir(hir: &Hir) -> Hir {
    match hir.kind() {
        HirKind::Empty => Hir::empty(),
        HirKind::Literal(Literal(bytes)) => match std::str::from_utf8(bytes) {
            Ok(text) => Hir::concat(text.chars().map(encode_char).collect()),
            Err(_) => hir.clone(),
        },
        HirKind::Class(Class::Unicode(class)) => encode_class(class),
        HirKind::Class(Class::Bytes(class)) => {
            let mut class = class.clone();
            class.difference(&ClassBytes::new([ClassBytesRange::new(b'A', b'Z')]));
            Hir::class(Class::Bytes(class))
        }
        HirKind::Look(look) => Hir::look(ascii_look(*look)),
        HirKind::Repetition(r) => Hir::repetition(Repetition {
            min: r.min,
            max: r.max,
            greedy: r.greedy,
            sub: Box::new(encode_hir(&r.sub)),
        }),
        HirKind::Capture(c) => Hir::capture(Capture {
            index: c.index,
            name: c.name.clone(),
            sub: Box::new(encode_hir(&c.sub)),
        }),
        HirKind::Concat(parts) => Hir::concat(parts.iter().map(encode_hir).collect()),
        HirKind::Alternation(alts) => Hir::alternation(alts.iter().map(encode_hir).collect()),
    }
}

fn encode_char(c: char) -> Hir {
    match pair(c) {
        Some(pair) => Hir::literal(pair),
        None if c.is_ascii_uppercase() => Hir::fail(),
        None => {
            let mut buf = [0; 4];
            Hir::literal(c.encode_utf8(&mut buf).as_bytes())
        }
    }
}

/// A class in this view: its characters without pairs (and without upper-case ASCII), or one of
/// the pairs of its letters.
fn encode_class(class: &ClassUnicode) -> Hir {
    let mut plain = class.clone();
    plain.difference(&ClassUnicode::new([ClassUnicodeRange::new('A', 'Z')]));
    plain.difference(&TABLE.class);
    let mut alternatives = Vec::new();
    if plain.iter().next().is_some() {
        alternatives.push(Hir::class(Class::Unicode(plain)));
    }
    let held = |c: char| class.iter().any(|r| r.start() <= c && c <= r.end());
    let mut seconds: Vec<Vec<ClassUnicodeRange>> = Vec::new();
    for (i, &letter) in TABLE.letters.iter().enumerate() {
        if !held(letter) {
            continue;
        }
        let (first, second) = (i / PER_FIRST, (i % PER_FIRST) as u8);
        if seconds.len() <= first {
            seconds.resize(first + 1, Vec::new());
        }
        let second = char::from(b'A' + second);
        seconds[first].push(ClassUnicodeRange::new(second, second));
    }
    for (first, ranges) in seconds.into_iter().enumerate() {
        if ranges.is_empty() {
            continue;
        }
        alternatives.push(Hir::concat(vec![
            Hir::literal([b'A' + first as u8]),
            Hir::class(Class::Unicode(ClassUnicode::new(ranges))),
        ]));
    }
    match alternatives.is_empty() {
        true => Hir::fail(),
        false => Hir::alternation(alternatives),
    }
}

/// The ASCII form of a word assertion; other assertions are kept.
fn ascii_look(look: Look) -> Look {
    match look {
        Look::WordUnicode => Look::WordAscii,
        Look::WordUnicodeNegate => Look::WordAsciiNegate,
        Look::WordStartUnicode => Look::WordStartAscii,
        Look::WordEndUnicode => Look::WordEndAscii,
        Look::WordStartHalfUnicode => Look::WordStartHalfAscii,
        Look::WordEndHalfUnicode => Look::WordEndHalfAscii,
        other => other,
    }
}

/// Whether byte `at` of a text in this view is a word boundary (what `\b` there means).
pub fn word_boundary_at(view: &str, at: usize) -> bool {
    let word = |b: Option<&u8>| b.is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_');
    let bytes = view.as_bytes();
    word(at.checked_sub(1).and_then(|i| bytes.get(i))) != word(bytes.get(at))
}

#[cfg(test)]
mod tests;
