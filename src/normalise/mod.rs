//! Normalisation: the matchable copies of an advert's text, with a map back to the original.
//!
//! [`Normalised::basic`] folds Unicode (NFKD per character, compatibility forms), case,
//! diacritics, typographic punctuation, white-space runs and Latin/Cyrillic look-alikes inside
//! words. The extractors read this view. [`Normalised::words`] further joins spaced or dotted
//! words and replaces digits and symbols used as letters; the rules read that view. Both keep,
//! for every output byte, the byte span of the original character it came from, so a match in
//! either view maps back to an exact span of the original text ([`Normalised::original_span`]).
//! Matching itself lives in `rules`; this module only rewrites text.

mod chars;
mod deobfuscate;
mod homoglyph;

pub(crate) use homoglyph::{Script, script_of};

use chars::FoldStep;

/// A normalised copy of a text with its offset map into the original.
#[derive(Debug, Clone, Default)]
pub struct Normalised {
    text: String,
    /// For every byte of `text`: the byte offset where its source character starts in the original.
    starts: Vec<u32>,
    /// For every byte of `text`: the byte offset where its source character (and any dropped
    /// marks after it) ends in the original.
    ends: Vec<u32>,
}

impl Normalised {
    /// The basic view: Unicode, case, diacritics, punctuation, white space and look-alikes folded.
    pub fn basic(original: &str) -> Normalised {
        let mut out = Builder::with_capacity(original.len());
        for (i, c) in original.char_indices() {
            let start = i as u32;
            let end = (i + c.len_utf8()) as u32;
            if c.is_ascii_alphanumeric() {
                out.push_ascii_alphanumeric(c.to_ascii_lowercase(), start);
                continue;
            }
            if c.is_ascii() {
                out.push_folded(c, start, end);
                continue;
            }
            chars::fold(c, |step| match step {
                FoldStep::Push(l) => out.push_folded(l, start, end),
                FoldStep::ExtendLast => out.extend_last(end),
            });
        }
        out.finish()
    }

    /// The words view: the basic view with obfuscation undone (spaced letters joined, digits and
    /// symbols inside words read as letters).
    pub fn words(original: &str) -> Normalised {
        Normalised::basic(original).to_words()
    }

    /// The words view built from this basic view (saves normalising the original twice).
    pub fn to_words(&self) -> Normalised {
        self.words_if_different().unwrap_or_else(|| self.clone())
    }

    /// The words view built from this basic view, or `None` when it would equal this view (no
    /// obfuscation to undo: most adverts).
    pub fn words_if_different(&self) -> Option<Normalised> {
        deobfuscate::deobfuscate(self)
    }

    /// The normalised text.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Maps a byte range of the normalised text to the byte range of the original it came from.
    /// The result always starts and ends on character boundaries of the original.
    pub fn original_span(&self, start: usize, end: usize) -> (usize, usize) {
        if self.text.is_empty() || start >= self.text.len() || end <= start {
            let at = self
                .starts
                .get(start.min(self.starts.len().saturating_sub(1)))
                .copied()
                .unwrap_or(0) as usize;
            return (at, at);
        }
        let end = end.min(self.text.len());
        (self.starts[start] as usize, self.ends[end - 1] as usize)
    }
}

/// Appends characters with their spans, collapsing white space and folding look-alikes per word.
struct Builder {
    text: String,
    starts: Vec<u32>,
    ends: Vec<u32>,
    /// Byte offset in `text` where the current word started.
    word_start: usize,
    word_has_latin: bool,
    word_has_cyrillic: bool,
}

impl Builder {
    fn with_capacity(n: usize) -> Builder {
        Builder {
            text: String::with_capacity(n),
            starts: Vec::with_capacity(n),
            ends: Vec::with_capacity(n),
            word_start: 0,
            word_has_latin: false,
            word_has_cyrillic: false,
        }
    }

    /// Pushes a lower-case ASCII letter or digit (the fast path).
    fn push_ascii_alphanumeric(&mut self, c: char, start: u32) {
        if c.is_ascii_alphabetic() {
            self.word_has_latin = true;
        }
        self.text.push(c);
        self.starts.push(start);
        self.ends.push(start + 1);
    }

    /// Pushes one already lower-cased character.
    fn push_folded(&mut self, c: char, start: u32, end: u32) {
        if c.is_whitespace() {
            self.end_word();
            if !self.text.is_empty() && !self.text.ends_with(' ') {
                self.push_raw(' ', start, end);
            }
            self.word_start = self.text.len();
            return;
        }
        let word = is_word_char(c);
        if word {
            match script_of(c) {
                Script::Latin => self.word_has_latin = true,
                Script::Cyrillic => self.word_has_cyrillic = true,
                Script::Other => {}
            }
        } else {
            self.end_word();
        }
        self.push_raw(c, start, end);
        if !word {
            self.word_start = self.text.len();
        }
    }

    fn push_raw(&mut self, c: char, start: u32, end: u32) {
        let n = c.len_utf8();
        self.text.push(c);
        self.starts.extend(std::iter::repeat_n(start, n));
        self.ends.extend(std::iter::repeat_n(end, n));
    }

    /// Makes the last character's span reach `end` (for dropped marks and invisible characters).
    fn extend_last(&mut self, end: u32) {
        if let Some(last) = self.text.chars().next_back() {
            let n = last.len_utf8();
            let len = self.ends.len();
            for e in &mut self.ends[len - n..] {
                *e = end;
            }
        }
    }

    /// Closes the current word, folding look-alikes when it mixes Latin and Cyrillic letters.
    fn end_word(&mut self) {
        if self.word_has_latin && self.word_has_cyrillic {
            let word: Vec<(char, u32, u32)> = self.text[self.word_start..]
                .char_indices()
                .map(|(i, c)| {
                    let at = self.word_start + i;
                    (c, self.starts[at], self.ends[at])
                })
                .collect();
            let target = homoglyph::main_script(word.iter().map(|w| w.0));
            self.text.truncate(self.word_start);
            self.starts.truncate(self.word_start);
            self.ends.truncate(self.word_start);
            for (c, s, e) in word {
                self.push_raw(homoglyph::fold(c, target), s, e);
            }
        }
        self.word_has_latin = false;
        self.word_has_cyrillic = false;
        self.word_start = self.text.len();
    }

    fn finish(mut self) -> Normalised {
        self.end_word();
        Normalised {
            text: self.text,
            starts: self.starts,
            ends: self.ends,
        }
    }
}

/// The largest character boundary of `text` at or before `at` (which may be past the end).
pub fn floor_char_boundary(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// The smallest character boundary of `text` at or after `at` (which may be past the end).
pub fn ceil_char_boundary(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at += 1;
    }
    at
}

/// Whether a character is a letter or digit: ASCII ones, Cyrillic `а-я`, Latin-1 letters, and
/// whatever else Unicode calls alphanumeric.
pub fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric()
    } else {
        chars::is_word_char(c)
    }
}

/// Characters that carry nothing visible: zero-width spaces and joiners, soft hyphens, BOMs.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}' | '\u{200B}'..='\u{200F}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}' | '\u{034F}'
    )
}

/// Typographic dashes and quotes become their ASCII forms so that rules need not list them.
fn fold_punctuation(c: char) -> char {
    match c {
        '\u{2010}'..='\u{2015}' | '\u{2212}' => '-',
        '\u{2018}'..='\u{201B}' | '\u{2032}' => '\'',
        '\u{201C}'..='\u{201F}' | '«' | '»' | '\u{2033}' => '"',
        _ => c,
    }
}

#[cfg(test)]
mod tests;
