//! Guessing what the input did not say: an advert's language (lv, ru or en) and its kind (job,
//! marriage or other). Guesses are hints for people and for `when` gates, never evidence.

use whatlang::{Detector, Lang as WLang};

use crate::advert::{Kind, Lang};
use crate::extract::Entities;
use crate::normalise::{Script, script_of};
use crate::phrase::PhraseSet;

/// How much text language detection looks at.
const DETECT_BYTES: usize = 2000;

/// Words that mark a marriage or partner advert.
const MARRIAGE_WORDS: &[&str] = &[
    "laulīb*",
    "laulāt*",
    "precēt*",
    "apprecē*",
    "precības",
    "līgav*",
    "līgavai*",
    "kāzas",
    "kāzām",
    "kāzu",
    "iepazīšos",
    "iepazīties",
    "otro pusīti",
    "marriage",
    "marry",
    "married",
    "wedding*",
    "bride*",
    "husband",
    "wife",
    "spouse",
    "dating",
    "relationship",
    "брак*",
    "замуж",
    "жених*",
    "невест*",
    "свадьб*",
    "жениться",
    "женюсь",
    "супруг*",
    "познакомлюсь",
    "знакомств*",
    "fiktīv*",
    "фиктивн*",
    "fiktivn*",
    "brak",
];

/// Words that mark a job advert.
const JOB_WORDS: &[&str] = &[
    "darb*",
    "vakanc*",
    "alga",
    "algu",
    "atalgojum*",
    "strādā*",
    "job*",
    "work*",
    "vacanc*",
    "salary",
    "hiring",
    "employ*",
    "wage*",
    "работ*",
    "ваканс*",
    "зарплат*",
    "требу*",
    "трудоустр*",
    "rabot*",
    "vakansi*",
    "zarplat*",
];

/// Guesses kind and language.
#[derive(Debug)]
pub struct Detect {
    marriage: PhraseSet<()>,
    job: PhraseSet<()>,
    lang: Detector,
}

impl Detect {
    /// Compiles the word lists.
    pub fn new() -> Detect {
        Detect {
            marriage: PhraseSet::new(MARRIAGE_WORDS.iter().map(|w| (*w, ())))
                .expect("marriage words compile (tested)"),
            job: PhraseSet::new(JOB_WORDS.iter().map(|w| (*w, ())))
                .expect("job words compile (tested)"),
            lang: Detector::with_allowlist(vec![WLang::Lav, WLang::Rus, WLang::Eng]),
        }
    }

    /// The kind of an advert from the words of its normalised fields.
    pub fn kind(&self, words: &[&str], entities: &Entities) -> Kind {
        let count = |set: &PhraseSet<()>| {
            words
                .iter()
                .map(|w| set.find_iter(w).count())
                .sum::<usize>()
        };
        let marriage = count(&self.marriage);
        let job = count(&self.job);
        if marriage > 0 && marriage >= job {
            Kind::Marriage
        } else if job > 0 || !entities.pay.is_empty() {
            Kind::Job
        } else {
            Kind::Other
        }
    }

    /// The language of an original text: mostly Cyrillic is Russian; otherwise the detector
    /// chooses between Latvian and English, with Latvian letters as the tie-breaker.
    pub fn lang(&self, text: &str) -> Lang {
        let sample = &text[..crate::normalise::floor_char_boundary(text, DETECT_BYTES)];
        let (mut latin, mut cyrillic, mut latvian) = (0usize, 0usize, 0usize);
        for c in sample.chars() {
            match script_of(c) {
                Script::Latin => {
                    latin += 1;
                    if "āčēģīķļņšūžĀČĒĢĪĶĻŅŠŪŽ".contains(c) {
                        latvian += 1;
                    }
                }
                Script::Cyrillic => cyrillic += 1,
                Script::Other => {}
            }
        }
        if cyrillic > latin {
            return Lang::Ru;
        }
        // More than one Latin letter in twenty is Latvian-only (ā, č, ē, ...): Latvian.
        if latvian * 20 > latin {
            return Lang::Lv;
        }
        // Otherwise the detector decides (English text names Rīga and Jūrmala too).
        match self.lang.detect(sample) {
            Some(info) if info.is_reliable() || latvian == 0 => match info.lang() {
                WLang::Lav => Lang::Lv,
                WLang::Rus => Lang::Ru,
                _ => Lang::En,
            },
            _ if latvian > 0 => Lang::Lv,
            _ => Lang::En,
        }
    }
}

impl Default for Detect {
    fn default() -> Self {
        Detect::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalise::Normalised;

    fn kind(text: &str) -> Kind {
        let n = Normalised::words(text);
        Detect::new().kind(&[n.as_str()], &Entities::default())
    }

    #[test]
    fn guesses_kind() {
        assert_eq!(kind("Darbs noliktavā Vācijā"), Kind::Job);
        assert_eq!(kind("Fiktīvā laulība, labi samaksāts"), Kind::Marriage);
        assert_eq!(kind("Ищу жениха для серьёзных отношений"), Kind::Marriage);
        assert_eq!(kind("Pārdodu velosipēdu"), Kind::Other);
        assert_eq!(
            kind("Our partner company in Norway is hiring drivers"),
            Kind::Job
        );
    }

    #[test]
    fn guesses_language() {
        let d = Detect::new();
        assert_eq!(d.lang("Работа в Германии"), Lang::Ru);
        assert_eq!(d.lang("Darbs noliktavā, alga 1200 eiro"), Lang::Lv);
        assert_eq!(
            d.lang("Warehouse work in Germany, good salary, free housing"),
            Lang::En
        );
        assert_eq!(
            d.lang("Darbs noliktava, alga laba, dzivoklis bez maksas"),
            Lang::Lv
        );
    }
}
