//! The context stage: whether a rule's hit counts where it stands. One place for every rule and
//! language, instead of each rule listing the ways people write "no" in its `unless` phrases.
//!
//! A risk hit is negated when a negation word stands among the few words just before it in the
//! same clause: "we never charge recruitment fees", "nekādu komisiju vai reģistrācijas maksu",
//! "мы не берём регистрационный сбор". A rule whose own words carry the negation ("no experience
//! needed", "bez pieredzes") is not affected: only words before the hit are read.

use crate::advert::Lang;

/// Words before a hit that are read for a negation.
const WINDOW: usize = 3;

/// Words that end the part of a clause a negation reaches: "no experience needed and free
/// housing" does not deny the housing.
const JOINS: &[&str] = &[
    "and",
    "but",
    "with",
    "plus",
    "also",
    "un",
    "bet",
    "ar",
    "arī",
    "и",
    "но",
    "а",
    "с",
    "также",
];

/// Words after a negation that show what it denies when it is not the hit: "no experience",
/// "без опыта", "bez pieredzes", and quantities ("не менее 5000", "no less than").
const DENIED_OBJECTS: &[&str] = &[
    "experience",
    "language",
    "languages",
    "skills",
    "qualifications",
    "less",
    "more",
    "only",
    "limit",
    "limits",
    "worries",
    "problem",
    "pieredzes",
    "pieredze",
    "valodas",
    "valodu",
    "prasmju",
    "mazāk",
    "vairāk",
    "tikai",
    "ierobežojumu",
    "опыта",
    "опыт",
    "языка",
    "знания",
    "навыков",
    "менее",
    "более",
    "меньше",
    "больше",
    "только",
    "ограничений",
    "ограничения",
];

/// Words after which "no" abbreviates "number" ("phone no", "reg no").
const NUMBERED: &[&str] = &[
    "phone",
    "telephone",
    "tel",
    "mobile",
    "mob",
    "ph",
    "contact",
    "reg",
    "registration",
    "licence",
    "license",
    "vat",
    "company",
    "account",
    "ref",
    "reference",
    "order",
    "whatsapp",
];

/// Negation words, lower case, per language: a word is read as a negation only in its own
/// language (Latvian "no" means "from").
const ENGLISH: &[&str] = &[
    "no", "not", "never", "without", "nor", "dont", "doesnt", "wont", "cannot", "zero", "neither",
];
const LATVIAN: &[&str] = &[
    "nav",
    "bez",
    "nekad",
    "nekādu",
    "nekādas",
    "nekāda",
    "nekādi",
    "neviens",
    "neviena",
    "neņem",
    "neņemam",
    "neņemsim",
    "neprasa",
    "neprasām",
    "neprasīsim",
    "nemaksā",
    "nemaksājiet",
    "nemaksāsi",
    "nevajag",
    "nevajadzēs",
    "nebūs",
    "neiekasē",
    "neiekasējam",
    "netiek",
    "nedrīkst",
    "nekas",
];
const RUSSIAN: &[&str] = &[
    "не",
    "нет",
    "без",
    "никаких",
    "никакой",
    "никакие",
    "никогда",
    "ни",
    "нельзя",
];

fn negations(lang: Lang) -> &'static [&'static str] {
    match lang {
        Lang::En => ENGLISH,
        Lang::Lv => LATVIAN,
        Lang::Ru => RUSSIAN,
    }
}

/// Whether the hit starting at byte `start` of `text` is negated by the words just before it in
/// its clause (a clause ends at `.`, `!`, `?`, `;`, `,`, `:` or a line break), read as negations
/// of the languages `langs`.
pub fn negated(text: &str, start: usize, langs: &[Lang]) -> bool {
    let Some(before) = text.get(..start) else {
        return false;
    };
    let clause_start = before
        .rfind(['.', '!', '?', ';', ',', ':', '\n'])
        .map_or(0, |i| i + 1);
    let clause = &before[clause_start..];
    let words: Vec<String> = clause
        .split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '’'))
        .filter(|w| !w.is_empty())
        .map(|w| {
            w.chars()
                .filter(|c| *c != '\'' && *c != '’')
                .flat_map(char::to_lowercase)
                .collect()
        })
        .collect();
    // The words nearest the hit, up to the window or a joining word.
    let mut reach = Vec::new();
    for w in words.iter().rev().take(WINDOW) {
        if JOINS.contains(&w.as_str()) {
            break;
        }
        reach.push(w.as_str());
    }
    // `reach` runs from the hit backwards: the word after a negation is the one before it here.
    reach.iter().enumerate().any(|(i, w)| {
        let denies_something_else = i > 0 && DENIED_OBJECTS.contains(&reach[i - 1]);
        // "phone no 086 ...", "reg. no 4000...": after a word for a number, "no" is "number".
        let before = words.len().checked_sub(i + 2).and_then(|j| words.get(j));
        let number_abbreviation =
            *w == "no" && before.is_some_and(|b| NUMBERED.contains(&b.as_str()));
        !denies_something_else
            && !number_abbreviation
            && langs.iter().any(|l| negations(*l).contains(w))
    })
}

#[cfg(test)]
mod tests {
    use super::negated as negated_in;
    use crate::advert::Lang;

    fn negated(text: &str, start: usize) -> bool {
        negated_in(text, start, &[Lang::Lv, Lang::Ru, Lang::En])
    }

    fn at<'a>(text: &'a str, phrase: &str) -> (&'a str, usize) {
        (text, text.find(phrase).expect("phrase in text"))
    }

    #[test]
    fn negations_before_a_hit_in_three_languages() {
        for (text, hit) in [
            (
                "We never charge candidates recruitment fees.",
                "recruitment fees",
            ),
            ("We do not charge a registration fee.", "registration fee"),
            (
                "Nekādu komisiju vai reģistrācijas maksu.",
                "reģistrācijas maksu",
            ),
            ("Mēs neņemam reģistrācijas maksu.", "reģistrācijas maksu"),
            ("Мы не берём регистрационный сбор.", "регистрационный сбор"),
            ("Без регистрационного взноса.", "регистрационного взноса"),
            ("Don't pay any placement fee to anyone.", "placement fee"),
        ] {
            let (t, s) = at(text, hit);
            assert!(negated(t, s), "{text}");
        }
    }

    #[test]
    fn no_before_a_number_is_the_word_number() {
        for (text, hit) in [
            ("looking for a cleaner phone no 0868877483", "0868877483"),
            ("Call mobile no +353 86 887 7483 today", "+353 86 887 7483"),
        ] {
            let (t, s) = at(text, hit);
            assert!(!negated(t, s), "{text}");
        }
        let (t, s) = at(
            "Reg. no 40003012345, no registration fee",
            "registration fee",
        );
        assert!(negated(t, s));
    }

    #[test]
    fn a_negation_elsewhere_does_not_cancel_a_hit() {
        for (text, hit) in [
            (
                "No experience needed. Registration fee 50 EUR.",
                "Registration fee",
            ),
            (
                "No fees for the course, but the passport stays with the coordinator.",
                "passport",
            ),
            (
                "Registration fee 80 EUR, not refundable.",
                "Registration fee",
            ),
            (
                "Darbs bez pieredzes, reģistrācijas maksa 50 EUR.",
                "reģistrācijas maksa",
            ),
            (
                "Нет опыта? Регистрационный взнос 50 евро.",
                "Регистрационный взнос",
            ),
        ] {
            let (t, s) = at(text, hit);
            assert!(!negated(t, s), "{text}");
        }
    }

    #[test]
    fn a_negation_of_something_else_does_not_cancel_a_hit() {
        for (text, hit) in [
            ("Работа в Германии без опыта с проживанием", "проживанием"),
            ("Работа без опыта проживание бесплатно", "проживание"),
            (
                "No experience needed and free accommodation",
                "free accommodation",
            ),
            ("Зарплата не менее 5000 евро", "5000 евро"),
            ("Pay of no less than 5000 EUR", "5000 EUR"),
            ("Darbs bez pieredzes dzīvoklis bez maksas", "dzīvoklis"),
        ] {
            let (t, s) = at(text, hit);
            assert!(!negated(t, s), "{text}");
        }
    }

    #[test]
    fn a_hit_far_after_the_negation_counts() {
        let text =
            "Not a problem if you are new here and want a fresh start abroad with registration fee";
        let (t, s) = at(text, "registration fee");
        assert!(!negated(t, s));
    }

    #[test]
    fn a_negation_word_counts_only_in_its_language() {
        let text = "Alga no 3000 EUR mēnesī.";
        let at = text.find("3000").expect("in text");
        assert!(
            !negated_in(text, at, &[Lang::Lv]),
            "Latvian \"no\" is \"from\""
        );
        assert!(negated_in(text, at, &[Lang::En]));
    }

    #[test]
    fn offsets_outside_or_inside_a_character_are_not_negations() {
        assert!(!negated("abc", 10));
        assert!(!negated("ā", 1));
    }
}
