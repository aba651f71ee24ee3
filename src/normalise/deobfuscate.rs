//! Undoing deliberate obfuscation on top of the basic view: letters spaced or dotted apart
//! ("w h a t s a p p", "w.a.t.s.a.p.p") are joined, and digits or symbols standing for letters
//! inside a word ("d@rbs", "3ur0", "раб0та") are read as those letters. Every output character
//! keeps the original span of the character it came from.

use super::chars::{is_alphabetic, is_alphanumeric};
use super::{Normalised, Script, is_word_char, script_of};

/// Characters that may separate the letters of a spaced-out word.
fn is_separator(c: char) -> bool {
    matches!(
        c,
        ' ' | '.' | '-' | '_' | '*' | '·' | '•' | '|' | '/' | '+' | ',' | '\'' | '~'
    )
}

/// A spaced word needs this many letters when spaces separate them ("a i r" is not a word)...
const MIN_SPACED_LETTERS: usize = 4;
/// ...and this many when only punctuation separates them ("s.i.a").
const MIN_DOTTED_LETTERS: usize = 3;

type Item = (char, u32, u32);

/// Builds the words view from the basic view, or `None` when there is nothing to undo (the
/// words view is then the basic view itself).
pub(super) fn deobfuscate(basic: &Normalised) -> Option<Normalised> {
    match work_needed(&basic.text) {
        Work::None => None,
        Work::Substitute => Some(substitute_only(basic)),
        Work::JoinAndSubstitute => Some(rebuild(basic)),
    }
}

/// What a text may need (see [`work_needed`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Work {
    /// Nothing: the words view is the basic view.
    None,
    /// Symbols read as letters only: no spaced letters to join.
    Substitute,
    /// Possibly both.
    JoinAndSubstitute,
}

/// The words view when no letters are to be joined: the basic view copied, with the symbols
/// [`substitute_in_token`] reads as letters replaced. The same as [`rebuild`] then, in a
/// fraction of the time: only replaced characters are handled one by one.
fn substitute_only(basic: &Normalised) -> Normalised {
    let text = &basic.text;
    let mut out = Normalised {
        text: String::with_capacity(text.len()),
        starts: Vec::with_capacity(text.len()),
        ends: Vec::with_capacity(text.len()),
    };
    // Bytes of `basic` before this one are in `out`.
    let mut copied = 0;
    let copy = |out: &mut Normalised, from: usize, to: usize| {
        out.text.push_str(&text[from..to]);
        out.starts.extend_from_slice(&basic.starts[from..to]);
        out.ends.extend_from_slice(&basic.ends[from..to]);
    };
    let mut token: Vec<Item> = Vec::new();
    let mut originals: Vec<(usize, char)> = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some(&(_, c)) = chars.peek() {
        if !is_token_char(c) {
            chars.next();
            continue;
        }
        token.clear();
        originals.clear();
        while let Some((i, c)) = chars.next_if(|&(_, c)| is_token_char(c)) {
            token.push((c, basic.starts[i], basic.ends[i + c.len_utf8() - 1]));
            originals.push((i, c));
        }
        substitute_in_token(&mut token);
        for (&(at, old), &(new, start, end)) in originals.iter().zip(&token) {
            if new == old {
                continue;
            }
            copy(&mut out, copied, at);
            let n = new.len_utf8();
            out.text.push(new);
            out.starts.extend(std::iter::repeat_n(start, n));
            out.ends.extend(std::iter::repeat_n(end, n));
            copied = at + old.len_utf8();
        }
    }
    copy(&mut out, copied, text.len());
    out
}

/// The words view, built whether or not [`work_needed`] sees anything to undo.
fn rebuild(basic: &Normalised) -> Normalised {
    let items: Vec<Item> = basic
        .text
        .char_indices()
        .map(|(i, c)| (c, basic.starts[i], basic.ends[i + c.len_utf8() - 1]))
        .collect();
    let mut items = join_spaced_letters(items);
    substitute_symbols(&mut items);
    let mut text = String::with_capacity(basic.text.len());
    let mut starts = Vec::with_capacity(basic.text.len());
    let mut ends = Vec::with_capacity(basic.text.len());
    for (c, s, e) in items {
        let n = c.len_utf8();
        text.push(c);
        starts.extend(std::iter::repeat_n(s, n));
        ends.extend(std::iter::repeat_n(e, n));
    }
    Normalised { text, starts, ends }
}

/// What [`work_needed`] asks of a character, as bits.
const WORD: u8 = 1;
const ALPHABETIC: u8 = 2;
const SEPARATOR: u8 = 4;
const TOKEN: u8 = 8;
/// A character [`letter_for`] reads as a letter in some script.
const STANDS_FOR_LETTER: u8 = 16;

/// The [`work_needed`] bits of a character.
fn class_of(c: char) -> u8 {
    let bit = |yes: bool, bit: u8| if yes { bit } else { 0 };
    bit(is_word_char(c), WORD)
        | bit(is_alphabetic(c), ALPHABETIC)
        | bit(is_separator(c), SEPARATOR)
        | bit(is_token_char(c), TOKEN)
        | bit(
            letter_for(c, Script::Latin).is_some() || letter_for(c, Script::Cyrillic).is_some(),
            STANDS_FOR_LETTER,
        )
}

/// [`class_of`] every character below U+0800 (ASCII, Latin, Greek, Cyrillic).
static CLASSES: std::sync::LazyLock<Vec<u8>> = std::sync::LazyLock::new(|| {
    (0..0x800)
        .map(|code| char::from_u32(code).map_or(0, class_of))
        .collect()
});

/// Whether [`join_spaced_letters`] or [`substitute_symbols`] could change anything: a chain of
/// at least [`MIN_DOTTED_LETTERS`] lone letters one or two separators apart, or a token they
/// would read a symbol of as a letter. It may see work where nothing changes (it does not
/// compare gaps or scripts), never miss work that would. Most adverts need none, and their words
/// view is the basic view.
fn work_needed(text: &str) -> Work {
    let table = &*CLASSES;
    let classes: Vec<u8> = text
        .chars()
        .map(|c| match table.get(c as usize) {
            Some(&class) => class,
            None => class_of(c),
        })
        .collect();
    if spaced_letters_possible(&classes) {
        Work::JoinAndSubstitute
    } else if substitution_possible(&classes) {
        Work::Substitute
    } else {
        Work::None
    }
}

/// A chain of [`MIN_DOTTED_LETTERS`] lone letters, each one or two separators after the last
/// (what [`join_spaced_letters`] needs at the least).
fn spaced_letters_possible(classes: &[u8]) -> bool {
    // Each lone letter continues the chain of the one before when only one or two separators
    // lie between them, and starts a new chain otherwise.
    let mut chain = 0;
    let mut previous: Option<usize> = None;
    let mut before = 0u8;
    for (i, &class) in classes.iter().enumerate() {
        let after = classes.get(i + 1).copied().unwrap_or(0);
        let lone = class & ALPHABETIC != 0 && before & WORD == 0 && after & WORD == 0;
        before = class;
        if !lone {
            continue;
        }
        let continues = previous.is_some_and(|j| {
            (2..=3).contains(&(i - j)) && classes[j + 1..i].iter().all(|&c| c & SEPARATOR != 0)
        });
        chain = if continues { chain + 1 } else { 1 };
        if chain >= MIN_DOTTED_LETTERS {
            return true;
        }
        previous = Some(i);
    }
    false
}

/// A token [`substitute_in_token`] would change: mostly letters, with a run of at most two
/// non-letters inside it or single ones at both ends, holding a character that stands for a
/// letter.
fn substitution_possible(classes: &[u8]) -> bool {
    classes.split(|c| c & TOKEN == 0).any(|token| {
        let (mut letters, mut stands) = (0, false);
        for &c in token {
            letters += usize::from(c & ALPHABETIC != 0);
            stands |= c & STANDS_FOR_LETTER != 0;
        }
        if !stands || letters < 2 || letters == token.len() {
            return false;
        }
        let n = token.len();
        let is_sym = |c: u8| c & ALPHABETIC == 0;
        let edges = n >= 4
            && is_sym(token[0])
            && !is_sym(token[1])
            && is_sym(token[n - 1])
            && !is_sym(token[n - 2]);
        let mut k = 0;
        while k < n {
            if !is_sym(token[k]) {
                k += 1;
                continue;
            }
            let run_start = k;
            while k < n && is_sym(token[k]) {
                k += 1;
            }
            let internal = run_start > 0 && k < n && k - run_start <= 2;
            let at_edge = edges && (run_start == 0 || k == n);
            let stands = token[run_start..k]
                .iter()
                .any(|&c| c & STANDS_FOR_LETTER != 0);
            if (internal || at_edge) && stands {
                return true;
            }
        }
        false
    })
}

fn is_word_item(items: &[Item], i: usize) -> bool {
    items.get(i).is_some_and(|it| is_word_char(it.0))
}

/// A letter standing alone: a letter with no word character on either side.
fn is_lone_letter(items: &[Item], i: usize) -> bool {
    is_alphabetic(items[i].0)
        && (i == 0 || !is_word_item(items, i - 1))
        && !is_word_item(items, i + 1)
}

fn join_spaced_letters(items: Vec<Item>) -> Vec<Item> {
    let mut out = Vec::with_capacity(items.len());
    let mut i = 0;
    while i < items.len() {
        if !is_lone_letter(&items, i) {
            out.push(items[i]);
            i += 1;
            continue;
        }
        // Collect the chain of lone letters separated by one or two separator characters.
        // Every gap must be the same separator string ("t.i. u.c." is two abbreviations).
        let mut letters = vec![i];
        let mut gap: Option<&[Item]> = None;
        let mut j = i;
        loop {
            let mut k = j + 1;
            while k < items.len() && k - j <= 2 && is_separator(items[k].0) {
                k += 1;
            }
            if k == j + 1 || k >= items.len() || !is_lone_letter(&items, k) {
                break;
            }
            let this_gap = &items[j + 1..k];
            match gap {
                Some(g) if !g.iter().map(|x| x.0).eq(this_gap.iter().map(|x| x.0)) => break,
                _ => gap = Some(this_gap),
            }
            letters.push(k);
            j = k;
        }
        let only_spaces = gap.is_none_or(|g| g.iter().all(|x| x.0 == ' '));
        let needed = if only_spaces {
            MIN_SPACED_LETTERS
        } else {
            MIN_DOTTED_LETTERS
        };
        if letters.len() >= needed {
            out.extend(letters.iter().map(|&l| items[l]));
            i = j + 1;
        } else {
            out.push(items[i]);
            i += 1;
        }
    }
    out
}

/// The letter a digit or symbol stands for inside a word of the given script.
fn letter_for(c: char, script: Script) -> Option<char> {
    match script {
        Script::Cyrillic => match c {
            '0' => Some('о'),
            '3' => Some('з'),
            '4' => Some('ч'),
            '6' => Some('б'),
            '@' => Some('а'),
            _ => None,
        },
        _ => match c {
            '0' => Some('o'),
            '1' => Some('i'),
            '3' => Some('e'),
            '4' => Some('a'),
            '5' => Some('s'),
            '7' => Some('t'),
            '@' => Some('a'),
            '$' => Some('s'),
            '€' => Some('e'),
            _ => None,
        },
    }
}

fn is_token_char(c: char) -> bool {
    is_alphanumeric(c) || matches!(c, '@' | '$' | '€')
}

/// Replaces digits and symbols inside tokens that are mostly letters: runs with letters on both
/// sides ("d@rbs"), or single characters at both ends of a word ("3ur0"). Numbers with units
/// ("500eur", "24h") and handles ("@name") are left alone.
fn substitute_symbols(items: &mut [Item]) {
    let mut i = 0;
    while i < items.len() {
        if !is_token_char(items[i].0) {
            i += 1;
            continue;
        }
        let start = i;
        while i < items.len() && is_token_char(items[i].0) {
            i += 1;
        }
        substitute_in_token(&mut items[start..i]);
    }
}

fn substitute_in_token(token: &mut [Item]) {
    let letters = token.iter().filter(|t| is_alphabetic(t.0)).count();
    if letters < 2 || letters == token.len() {
        return;
    }
    let cyrillic = token
        .iter()
        .filter(|t| script_of(t.0) == Script::Cyrillic)
        .count();
    let script = if cyrillic * 2 > letters {
        Script::Cyrillic
    } else {
        Script::Latin
    };
    let n = token.len();
    let is_sym = |c: char| !is_alphabetic(c);
    let edges = n >= 4
        && is_sym(token[0].0)
        && !is_sym(token[1].0)
        && is_sym(token[n - 1].0)
        && !is_sym(token[n - 2].0);
    let mut k = 0;
    while k < n {
        if !is_sym(token[k].0) {
            k += 1;
            continue;
        }
        let run_start = k;
        while k < n && is_sym(token[k].0) {
            k += 1;
        }
        let internal = run_start > 0 && k < n && k - run_start <= 2;
        let at_edge = edges && (run_start == 0 || k == n);
        if internal || at_edge {
            for t in &mut token[run_start..k] {
                if let Some(l) = letter_for(t.0, script) {
                    t.0 = l;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Text made of what obfuscation is made of: letters of both scripts, digits, the symbols
    /// read as letters, and separators.
    const OBFUSCATED: &str = "[a-eA-Eа-гёй0-9@$€ .\\-_*|/+,'~·]{0,60}";

    proptest! {
        /// The quick look and the copying fast path give exactly the view the full rebuild does.
        #[test]
        fn shortcuts_give_the_full_rebuild(original in OBFUSCATED) {
            let basic = Normalised::basic(&original);
            let full = rebuild(&basic);
            let quick = deobfuscate(&basic).unwrap_or_else(|| basic.clone());
            prop_assert_eq!(&quick.text, &full.text);
            prop_assert_eq!(&quick.starts, &full.starts);
            prop_assert_eq!(&quick.ends, &full.ends);
        }
    }

    #[test]
    fn the_quick_look_sees_the_obfuscations_it_is_for() {
        let work = |text: &str| work_needed(&Normalised::basic(text).text);
        for text in ["w h a t s a p p", "w.a.t.s"] {
            assert_eq!(work(text), Work::JoinAndSubstitute, "{text}");
        }
        for text in ["d@rbs", "3ur0", "раб0та", "info@darbs.lv"] {
            assert_eq!(work(text), Work::Substitute, "{text}");
        }
        for text in [
            "500eur, 24h, @name",
            "a un b",
            "t.i.",
            "SIA a/s",
            "darbs ārzemēs",
        ] {
            assert_eq!(work(text), Work::None, "{text}");
        }
    }
}
