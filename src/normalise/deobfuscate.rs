//! Undoing deliberate obfuscation on top of the basic view: letters spaced or dotted apart
//! ("w h a t s a p p", "w.a.t.s.a.p.p") are joined, and digits or symbols standing for letters
//! inside a word ("d@rbs", "3ur0", "раб0та") are read as those letters. Every output character
//! keeps the original span of the character it came from.

use super::chars::{is_alphabetic, is_alphanumeric, is_numeric};
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
    if !needs_work(&basic.text) {
        return None;
    }
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
    Some(Normalised { text, starts, ends })
}

/// What [`needs_work`] asks of a character, as bits.
const DIGIT: u8 = 1;
const LETTER: u8 = 2;
const SEPARATOR: u8 = 4;
const SYMBOL: u8 = 8;

/// The [`needs_work`] bits of a character: `DIGIT` for a word character that is not a letter
/// (digits of every script), `LETTER` for the others, `SEPARATOR` ([`is_separator`]) and
/// `SYMBOL` for an ASCII digit or a symbol that stands for a letter.
fn needs_work_class(c: char) -> u8 {
    let word = match c {
        '0'..='9' => DIGIT,
        c if is_word_char(c) && !is_numeric(c) => LETTER,
        c if is_word_char(c) => DIGIT,
        _ => 0,
    };
    let separator = if is_separator(c) { SEPARATOR } else { 0 };
    let symbol = if c.is_ascii_digit() || matches!(c, '@' | '$' | '€') {
        SYMBOL
    } else {
        0
    };
    word | separator | symbol
}

/// [`needs_work_class`] of every ASCII character.
static ASCII_CLASSES: std::sync::LazyLock<[u8; 128]> = std::sync::LazyLock::new(|| {
    let mut table = [0; 128];
    for (b, class) in (0u8..).zip(table.iter_mut()) {
        *class = needs_work_class(char::from(b));
    }
    table
});

/// A quick look for anything to undo: a symbol or digit touching a letter, or two lone letters
/// with at most two separators between them. Most adverts have neither, and their words view is
/// the basic view.
fn needs_work(text: &str) -> bool {
    let ascii = &*ASCII_CLASSES;
    let classes: Vec<u8> = text
        .chars()
        .map(|c| match ascii.get(c as usize) {
            Some(&class) => class,
            None => needs_work_class(c),
        })
        .collect();
    let class = |i: usize| classes.get(i).copied().unwrap_or(0);
    let alnum = |i: usize| class(i) & (DIGIT | LETTER) != 0;
    let lone = |i: usize| class(i) & LETTER != 0 && (i == 0 || !alnum(i - 1)) && !alnum(i + 1);
    for (i, &c) in classes.iter().enumerate() {
        if c & SYMBOL != 0 && ((i > 0 && class(i - 1) & LETTER != 0) || class(i + 1) & LETTER != 0)
        {
            return true;
        }
        if c & LETTER != 0 && lone(i) {
            for gap in 1..=2 {
                let next = i + gap + 1;
                let separators = (i + 1..next).all(|k| class(k) & SEPARATOR != 0);
                if separators && lone(next) {
                    return true;
                }
            }
        }
    }
    false
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
