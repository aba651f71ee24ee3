use super::Normalised;
use proptest::prelude::*;

fn words(s: &str) -> String {
    Normalised::words(s).as_str().to_string()
}

/// Finds `needle` in the words view and returns the original text it maps back to.
fn original_of(original: &str, needle: &str) -> String {
    let n = Normalised::words(original);
    let at = n
        .as_str()
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in {:?}", n.as_str()));
    let (s, e) = n.original_span(at, at + needle.len());
    original[s..e].to_string()
}

#[test]
fn folds_case_and_latvian_diacritics() {
    assert_eq!(
        Normalised::basic("Darbs ĀRZEMĒS, šoferis").as_str(),
        "darbs arzemes, soferis"
    );
}

#[test]
fn folds_russian_yo_and_short_i() {
    assert_eq!(Normalised::basic("Ещё Зайти").as_str(), "еще заити");
}

#[test]
fn applies_compatibility_forms() {
    assert_eq!(Normalised::basic("ｗｏｒｋ ﬁne").as_str(), "work fine");
}

#[test]
fn collapses_white_space_and_drops_invisible_characters() {
    assert_eq!(
        Normalised::basic("  a\u{200B}b \t\n c\u{00AD}d ").as_str(),
        "ab cd "
    );
}

#[test]
fn folds_typographic_punctuation() {
    assert_eq!(
        Normalised::basic("«Koks» – “x”").as_str(),
        "\"koks\" - \"x\""
    );
}

#[test]
fn folds_cyrillic_lookalikes_in_latin_words() {
    // "Wоrk" with Cyrillic о, "Тelegram" with Cyrillic Т.
    assert_eq!(words("Wоrk via Тelegram"), "work via telegram");
}

#[test]
fn folds_latin_lookalikes_in_cyrillic_words() {
    assert_eq!(words("рaбота зa границей"), "работа за границеи");
}

#[test]
fn leaves_single_script_words_alone() {
    assert_eq!(words("Rīga Рига"), "riga рига");
}

#[test]
fn joins_spaced_and_dotted_letters() {
    assert_eq!(words("rakstiet W h a t s A p p"), "rakstiet whatsapp");
    assert_eq!(words("w.a.t.s.a.p.p only"), "watsapp only");
    assert_eq!(words("V-i-b-e-r"), "viber");
}

#[test]
fn does_not_join_short_letter_runs() {
    assert_eq!(words("a i b"), "a i b");
    assert_eq!(words("t.i. u.c."), "t.i. u.c.");
}

#[test]
fn substitutes_symbols_inside_words() {
    assert_eq!(words("d@rbs 3ur0 w0rk"), "darbs euro work");
    assert_eq!(words("раб0та"), "работа");
}

#[test]
fn keeps_numbers_units_and_handles() {
    assert_eq!(
        words("500eur 24h @anna_7 +371 20001234"),
        "500eur 24h @anna_7 +371 20001234"
    );
}

#[test]
fn maps_matches_back_to_original_bytes() {
    let original = "Zvaniet: W h a t s A p p, ĀRZEMĒS d@rbs";
    assert_eq!(original_of(original, "whatsapp"), "W h a t s A p p");
    assert_eq!(original_of(original, "arzemes"), "ĀRZEMĒS");
    assert_eq!(original_of(original, "darbs"), "d@rbs");
}

#[test]
fn span_includes_dropped_combining_marks() {
    let original = "cafe\u{301} ok";
    let n = Normalised::basic(original);
    assert_eq!(n.as_str(), "cafe ok");
    let (s, e) = n.original_span(0, 4);
    assert_eq!(&original[s..e], "cafe\u{301}");
}

#[test]
fn empty_text_maps_to_empty_span() {
    let n = Normalised::words("");
    assert_eq!(n.as_str(), "");
    assert_eq!(n.original_span(0, 0), (0, 0));
}

proptest! {
    #[test]
    fn spans_land_on_char_boundaries(original in "\\PC{0,200}", a in 0usize..400, b in 0usize..400) {
        for n in [Normalised::basic(&original), Normalised::words(&original)] {
            let len = n.as_str().len();
            let (lo, hi) = (a.min(b).min(len), a.max(b).min(len));
            let (s, e) = n.original_span(lo, hi);
            prop_assert!(s <= e, "start {s} after end {e}");
            prop_assert!(e <= original.len());
            prop_assert!(original.is_char_boundary(s));
            prop_assert!(original.is_char_boundary(e));
        }
    }

    #[test]
    fn every_char_span_is_a_nonempty_char_range(original in "\\PC{0,120}") {
        let n = Normalised::words(&original);
        for (i, c) in n.as_str().char_indices() {
            let (s, e) = n.original_span(i, i + c.len_utf8());
            prop_assert!(s < e);
            prop_assert!(original.is_char_boundary(s) && original.is_char_boundary(e));
        }
    }

    #[test]
    fn spans_are_monotonic(original in "[a-zA-Zāēīūšž .@0-9ёй-]{0,120}") {
        let n = Normalised::words(&original);
        let mut last = 0;
        for (i, c) in n.as_str().char_indices() {
            let (s, _) = n.original_span(i, i + c.len_utf8());
            prop_assert!(s >= last);
            last = s;
        }
    }
}
