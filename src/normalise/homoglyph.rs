//! Latin/Cyrillic look-alike letters. A word written mostly in one script with a few letters from
//! the other ("Wоrk" with a Cyrillic `о`, "рaбота" with a Latin `a`) is folded to its main script
//! so that phrases match. Only lower-case letters are handled: folding runs after case folding.

/// Pairs of (Latin, Cyrillic) lower-case letters that look alike in common fonts.
const PAIRS: &[(char, char)] = &[
    ('a', 'а'),
    ('b', 'в'),
    ('c', 'с'),
    ('e', 'е'),
    ('h', 'н'),
    ('i', 'і'),
    ('j', 'ј'),
    ('k', 'к'),
    ('m', 'м'),
    ('o', 'о'),
    ('p', 'р'),
    ('s', 'ѕ'),
    ('t', 'т'),
    ('x', 'х'),
    ('y', 'у'),
];

/// The script a letter belongs to, as far as folding cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Script {
    Latin,
    Cyrillic,
    Other,
}

/// Which script a character is written in.
pub(crate) fn script_of(c: char) -> Script {
    match c {
        'a'..='z' | 'A'..='Z' => Script::Latin,
        '\u{00C0}'..='\u{024F}' => Script::Latin,
        '\u{0400}'..='\u{04FF}' => Script::Cyrillic,
        _ => Script::Other,
    }
}

/// The Latin twin of a Cyrillic look-alike.
pub(crate) fn to_latin(c: char) -> Option<char> {
    PAIRS.iter().find(|p| p.1 == c).map(|p| p.0)
}

/// The Cyrillic twin of a Latin look-alike.
pub(crate) fn to_cyrillic(c: char) -> Option<char> {
    PAIRS.iter().find(|p| p.0 == c).map(|p| p.1)
}

/// Decides the script a mixed word should be folded to: the script with more letters that have
/// no twin in the other script; on a tie, the script with more letters; Latin on a full tie.
pub(crate) fn main_script(word: impl Iterator<Item = char>) -> Script {
    let (mut lat, mut cyr, mut lat_unique, mut cyr_unique) = (0, 0, 0, 0);
    for c in word {
        match script_of(c) {
            Script::Latin => {
                lat += 1;
                if to_cyrillic(c).is_none() {
                    lat_unique += 1;
                }
            }
            Script::Cyrillic => {
                cyr += 1;
                if to_latin(c).is_none() {
                    cyr_unique += 1;
                }
            }
            Script::Other => {}
        }
    }
    if cyr_unique > lat_unique || (cyr_unique == lat_unique && cyr > lat) {
        Script::Cyrillic
    } else {
        Script::Latin
    }
}

/// Folds one letter of a mixed word to `target`, leaving letters without a twin as they are.
pub(crate) fn fold(c: char, target: Script) -> char {
    match (script_of(c), target) {
        (Script::Cyrillic, Script::Latin) => to_latin(c).unwrap_or(c),
        (Script::Latin, Script::Cyrillic) => to_cyrillic(c).unwrap_or(c),
        _ => c,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latin_word_with_cyrillic_o_is_latin() {
        assert_eq!(main_script("wоrk".chars()), Script::Latin);
        let folded: String = "wоrk".chars().map(|c| fold(c, Script::Latin)).collect();
        assert_eq!(folded, "work");
    }

    #[test]
    fn cyrillic_word_with_latin_a_is_cyrillic() {
        assert_eq!(main_script("рaбота".chars()), Script::Cyrillic);
        let folded: String = "рaбота"
            .chars()
            .map(|c| fold(c, Script::Cyrillic))
            .collect();
        assert_eq!(folded, "работа");
    }
}
