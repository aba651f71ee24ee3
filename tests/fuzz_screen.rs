//! Fuzz test of the screening pipeline, with proptest: adverts built from pieces that wake the
//! extractors and rules (capitalised names before " is ", "ir", " — ", quotation marks, numbers
//! with currencies and ages, phones, e-mails, Latvian and Cyrillic letters, no-break and other
//! wide spaces, look-alike letters, emoji) in any order. Screening never panics, and every reason's
//! evidence is the original text at its byte offsets.
//!
//! `ADSCREEN_FUZZ_CASES` sets the cases (default 256), as for the input readers.

use proptest::prelude::*;

use adscreen::advert::{Advert, Field};

use crate::util::{ENGINE, fuzz_config as config};

const PIECES: &[&str] = &[
    "Acme",
    "Foods",
    "Rimi",
    "Latvia",
    "Компания",
    "«Магнит»",
    "Ozon",
    " is ",
    " are ",
    " ir ",
    " — ",
    " – ",
    " - ",
    " has been ",
    "a global leader",
    "looking for",
    "uzņēmums",
    "компания",
    "Darba devējs:",
    "Join the ",
    " team",
    "At ",
    ", ",
    ". ",
    "\n",
    "\n\n",
    "\u{a0}",
    "\u{2003}",
    "\u{202f}",
    "\t",
    " ",
    "“",
    "”",
    "„",
    "«",
    "»",
    "\"",
    "(NASDAQ: X)",
    "®",
    "(",
    ")",
    "18-24g",
    "18–25 gadi",
    "15+",
    "$15-20 an hour",
    "€12 per hour",
    "2500 EUR/mēn.",
    "EUR 26,000",
    "£25k",
    "phone no 0868877483",
    "+371 2000 1234",
    "087 676 3844",
    "WhatsApp",
    "тг @x",
    "a@b.lv",
    "www.x.lv",
    "meitenes",
    "девушки",
    "girls",
    "Man",
    "pase paliks pie mums",
    "we keep your passport",
    "no registration fee",
    "maksas nav",
    "не взимается",
    "Esi uzmanīgs!",
    "ja tev piedāvā",
    "80002012",
    "дроп",
    "donor",
    "Senior",
    "engineer",
    "ā",
    "ē",
    "ņ",
    "ж",
    "ё",
    "й",
    "😊",
    "d@rbs",
    "раб0та",
    "Ρ",
    "Ѕ",
];

fn advert_text() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(PIECES), 0..40).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn fuzz_screening_never_panics_and_evidence_is_the_original(
        title in advert_text(),
        text in advert_text(),
    ) {
        let advert = Advert {
            id: "fuzz".into(),
            title,
            text,
            ..Advert::default()
        };
        let report = ENGINE.screen(&advert);
        for r in &report.reasons {
            if let (Some(field), Some(start), Some(end)) = (r.field, r.start, r.end) {
                let original = match field {
                    Field::Title => &advert.title,
                    Field::Text => &advert.text,
                };
                prop_assert_eq!(original.get(start..end), r.evidence.as_deref());
            }
        }
    }
}
