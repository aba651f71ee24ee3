//! The context stage: whether a rule's hit counts where it stands. One place for every rule and
//! language, instead of each rule listing the ways people write "no" in its `unless` phrases.
//!
//! A hit counts only where the facts its rule names in `when` hold: the kind of advert (job or
//! partner advert), a place abroad, a women-only demand, no employer identity, a messenger.
//!
//! A risk hit is negated when a negation word stands among the few words just before it in the
//! same clause ("we never charge recruitment fees", "nekādu komisiju vai reģistrācijas maksu",
//! "мы не берём регистрационный сбор") or right after it ("reģistrācijas maksas nav", "взнос
//! не взимается"). A rule whose own words carry the negation ("no experience needed", "bez
//! pieredzes") is not affected: the words of the hit itself are not read.
//!
//! In a text that shows it quotes scam phrases (an awareness post: an indicator with `quotes`), a
//! risk hit inside quotation marks, or after one of that indicator's phrases in the same sentence,
//! is quoted rather than offered and does not count ([`quoted`], [`framed`]).

use crate::advert::{Kind, Lang, Span};
use crate::extract::{Entities, Gender, Scan};
use crate::rules::{Hit, Matcher, RuleSet, When};

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

/// The context stage over the hits of one advert: keeps those that count where they stand. A
/// rule's `when` facts (the kind of advert, a place abroad, a women-only demand, ...) must hold;
/// a risk hit its words deny (before or after it) does not count; in a text with an awareness
/// sign, risk hits it quotes or frames do not count, and none do when nothing answers its poster.
pub(crate) fn keep_counting(
    set: &RuleSet,
    hits: &mut Vec<Hit>,
    scans: &[Scan<'_>],
    kind: Kind,
    language: Lang,
    entities: &Entities,
) {
    let (rules, indicators) = (set.rules(), set.indicators());
    let field_text = |s: Span| {
        scans
            .iter()
            .find(|x| x.field == s.field)
            .map_or("", |x| x.original)
    };
    hits.retain(|h| rules[h.rule].when.iter().all(|w| holds(*w, kind, entities)));
    // Negation: a sign the words just before or after it deny does not count, a risk sign
    // ("we never charge fees") or the words of a mitigating one ("this is not an employment
    // contract", "no experience in sales"). Negations are read in the advert's language when
    // the rule is written in it, else in the rule's languages.
    hits.retain(|h| {
        let rule = &rules[h.rule];
        let own = [language];
        let langs: &[Lang] = if rule.langs.contains(&language) {
            &own
        } else {
            &rule.langs
        };
        // A fact behind a mitigating condition (a company name, a registration number) is
        // there whatever words stand around it.
        let fact = rule.weight < 0 && matches!(rule.matcher, Matcher::Condition(_));
        // The words of a mitigating sign may hold their own denial ("45 years no experience").
        let denied_inside = |s: Span| rule.weight < 0 && negation_within(field_text(s), s, langs);
        !rule.negatable
            || fact
            || h.span
                .is_none_or(|s| !negated(field_text(s), s.start, s.end, langs) && !denied_inside(s))
    });
    // Quotation: in a text that shows it quotes scam phrases (an awareness post), risk phrases
    // it quotes or frames are not offered: they do not count. Those outside count as ever.
    let frames: Vec<Span> = hits
        .iter()
        .filter(|h| indicators[rules[h.rule].indicator].quotes)
        .filter_map(|h| h.span)
        .collect();
    if !frames.is_empty() {
        let reported = |h: &Hit| {
            h.span.is_some_and(|s| {
                let text = field_text(s);
                quoted(text, s.start, s.end)
                    || frames
                        .iter()
                        .any(|f| f.field == s.field && framed(text, f.end, s.start))
            })
        };
        // A text that gives no way to answer its poster is a warning, not an offer: no phone
        // but help-lines, no messenger handle, no e-mail, no words of a reply sign ("write to
        // me privately") of its own (a bare "Telegram" is where scams spread, not a contact).
        let answerable = hits.iter().any(|h| {
            let r = &rules[h.rule];
            r.weight > 0
                && indicators[r.indicator].reply
                && !matches!(r.matcher, Matcher::Condition(_))
                && !reported(h)
        }) || entities.messengers.iter().any(|m| m.value.handle.is_some())
            || !entities.emails.is_empty()
            || entities.phones.iter().any(|p| !help_line(&p.value.value));
        hits.retain(|h| rules[h.rule].weight <= 0 || (answerable && !reported(h)));
    }
}

/// Whether a rule's `when` fact holds for an advert.
fn holds(when: When, kind: Kind, e: &Entities) -> bool {
    match when {
        When::Abroad => e.abroad(),
        When::Job => kind == Kind::Job,
        When::Marriage => kind == Kind::Marriage,
        When::Female => e
            .single_gender()
            .is_some_and(|g| g.value.gender == Gender::Female),
        When::NoEmployer => !e.has_employer_identity(),
        When::Messenger => !e.messengers.is_empty(),
    }
}

/// Words right after a hit that deny it, per language: "reģistrācijas maksas nav", "the
/// registration fee is not charged", "регистрационный взнос не взимается".
const ENGLISH_AFTER: &[&str] = &["not", "isnt", "arent", "wont", "never", "none"];
const LATVIAN_AFTER: &[&str] = &[
    "nav",
    "netiek",
    "nebūs",
    "neņem",
    "neņemam",
    "neprasa",
    "neprasām",
    "neiekasē",
    "neiekasējam",
    "nedrīkst",
];
const RUSSIAN_AFTER: &[&str] = &["нет", "не", "отсутствует", "отсутствуют"];

/// Words after such a negation that show it denies something else: "housing provided not far
/// from work", "not only".
const NOT_DENYING: &[&str] = &[
    "far",
    "only",
    "just",
    "less",
    "more",
    "tālu",
    "tikai",
    "далеко",
    "только",
];

fn negations_after(lang: Lang) -> &'static [&'static str] {
    match lang {
        Lang::En => ENGLISH_AFTER,
        Lang::Lv => LATVIAN_AFTER,
        Lang::Ru => RUSSIAN_AFTER,
    }
}

/// Words between a hit and a negation after it ("the fee is not", "взнос у нас не").
const FILLERS: &[&str] = &[
    "is", "are", "will", "be", "was", "does", "do", "tiks", "у", "нас",
];

/// Whether the hit at bytes `start..end` of `text` is negated in its clause (a clause ends at
/// `.`, `!`, `?`, `;`, `,`, `:` or a line break): by a negation among the few words before it, or
/// by one right after it ("maksas nav"), read as negations of the languages `langs`.
pub fn negated(text: &str, start: usize, end: usize, langs: &[Lang]) -> bool {
    negated_before(text, start, langs) || negated_after(text, end, langs)
}

/// Whether a negation of the languages `langs` is among the words of the span itself.
fn negation_within(text: &str, span: Span, langs: &[Lang]) -> bool {
    text.get(span.start..span.end).is_some_and(|inside| {
        clause_words(inside).any(|w| langs.iter().any(|l| negations(*l).contains(&w.as_str())))
    })
}

/// The words of a clause, lower case, apostrophes dropped ("don't" is "dont").
fn clause_words(clause: &str) -> impl Iterator<Item = String> + '_ {
    clause
        .split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '’'))
        .filter(|w| !w.is_empty())
        .map(|w| {
            w.chars()
                .filter(|c| *c != '\'' && *c != '’')
                .flat_map(char::to_lowercase)
                .collect()
        })
}

fn negated_after(text: &str, end: usize, langs: &[Lang]) -> bool {
    let Some(after) = text.get(end..) else {
        return false;
    };
    let clause = after
        .find(['.', '!', '?', ';', ',', ':', '\n'])
        .map_or(after, |i| &after[..i]);
    let words: Vec<String> = clause_words(clause).take(WINDOW + 1).collect();
    for (i, w) in words.iter().enumerate() {
        if langs
            .iter()
            .any(|l| negations_after(*l).contains(&w.as_str()))
        {
            let next = words.get(i + 1).map_or("", String::as_str);
            return !NOT_DENYING.contains(&next);
        }
        if !FILLERS.contains(&w.as_str()) {
            return false;
        }
    }
    false
}

/// Help-lines a warning gives (the Latvian anti-trafficking line, the EU child and missing-child
/// lines): calling them is no answer to a poster.
const HELP_LINES: &[&str] = &["80002012", "116111", "116006"];

/// Whether a phone number (as extracted, `+371...`) is a help-line.
pub fn help_line(number: &str) -> bool {
    HELP_LINES.iter().any(|h| number.ends_with(h))
}

/// Whether bytes `start..end` of `text` lie inside quotation marks (“…”, „…“, «…», "…") that
/// open and close within the same paragraph.
pub fn quoted(text: &str, start: usize, end: usize) -> bool {
    let (Some(before), Some(after)) = (text.get(..start), text.get(end..)) else {
        return false;
    };
    let paragraph_start = before.rfind("\n\n").map_or(0, |i| i + 2);
    let mut open: Option<char> = None;
    for c in before[paragraph_start..].chars() {
        open = match (open, c) {
            (None, '“' | '„' | '«' | '"') => Some(c),
            (Some('“'), '”') | (Some('„'), '“' | '”') | (Some('«'), '»') | (Some('"'), '"') => {
                None
            }
            (o, _) => o,
        };
    }
    let Some(opening) = open else {
        return false;
    };
    let paragraph = after.find("\n\n").map_or(after, |i| &after[..i]);
    let closing: &[char] = match opening {
        '„' => &['“', '”'],
        '«' => &['»'],
        '"' => &['"'],
        _ => &['”'],
    };
    paragraph.contains(closing)
}

/// Whether a frame at byte `frame_end` (the end of a phrase such as "if an advert says") reaches
/// a hit starting at `start`: the frame comes first, in the same sentence (a list after a colon,
/// one item a line, belongs to it; a blank line ends it).
pub fn framed(text: &str, frame_end: usize, start: usize) -> bool {
    frame_end <= start
        && text
            .get(frame_end..start)
            .is_some_and(|between| !between.contains(['.', '!', '?']) && !between.contains("\n\n"))
}

fn negated_before(text: &str, start: usize, langs: &[Lang]) -> bool {
    let Some(before) = text.get(..start) else {
        return false;
    };
    let clause_start = before
        .rfind(['.', '!', '?', ';', ',', ':', '\n'])
        .map_or(0, |i| i + 1);
    let clause = &before[clause_start..];
    let words: Vec<String> = clause_words(clause).collect();
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
        negated_in(text, start, start, &[Lang::Lv, Lang::Ru, Lang::En])
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
    fn negations_right_after_a_hit_in_three_languages() {
        let all = [Lang::Lv, Lang::Ru, Lang::En];
        for (text, hit) in [
            (
                "Reģistrācijas maksas nav, darbs Vācijā.",
                "Reģistrācijas maksas",
            ),
            (
                "The registration fee is not charged to workers.",
                "registration fee",
            ),
            (
                "Регистрационный взнос не взимается.",
                "Регистрационный взнос",
            ),
            (
                "Регистрационный взнос у нас не берётся.",
                "Регистрационный взнос",
            ),
        ] {
            let (t, s) = at(text, hit);
            assert!(negated_in(t, s, s + hit.len(), &all), "{text}");
        }
        for (text, hit) in [
            (
                "Accommodation provided not far from the farm.",
                "Accommodation provided",
            ),
            (
                "Registration fee 50 EUR, not refundable.",
                "Registration fee",
            ),
            (
                "Passports kept by the agent. Not a problem for you.",
                "Passports kept",
            ),
        ] {
            let (t, s) = at(text, hit);
            assert!(!negated_in(t, s, s + hit.len(), &all), "{text}");
        }
    }

    #[test]
    fn quotation_marks_of_three_languages() {
        use super::quoted;
        for (text, hit) in [
            ("Ja raksta „pase paliks pie mums“, zvani.", "pase paliks"),
            (
                "Adverts that say “we keep your passport” are a trap.",
                "we keep",
            ),
            ("Если пишут «паспорт у работодателя», звоните.", "паспорт"),
            ("If it says \"flights paid\", ask why.", "flights paid"),
        ] {
            let (t, s) = at(text, hit);
            assert!(quoted(t, s, s + hit.len()), "{text}");
        }
        for (text, hit) in [
            (
                "We keep your passport. “Great pay” guaranteed.",
                "keep your passport",
            ),
            ("Ja raksta „darbs“, pase paliks pie mums.", "pase paliks"),
            (
                "“Opening quote with no end, we keep your passport",
                "we keep",
            ),
        ] {
            let (t, s) = at(text, hit);
            assert!(!quoted(t, s, s + hit.len()), "{text}");
        }
    }

    #[test]
    fn a_frame_reaches_the_rest_of_its_sentence() {
        use super::framed;
        let text = "Ja tev piedāvā darbu, kur:\n– pase paliks pie darba devēja,\nzvani. Pase paliks pie mums.";
        let frame_end = text.find("piedāvā").expect("frame") + "piedāvā".len();
        let first = text.find("pase paliks").expect("hit");
        let second = text.find("Pase paliks").expect("hit");
        assert!(framed(text, frame_end, first));
        assert!(!framed(text, frame_end, second));
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
            !negated_in(text, at, at + 4, &[Lang::Lv]),
            "Latvian \"no\" is \"from\""
        );
        assert!(negated_in(text, at, at + 4, &[Lang::En]));
    }

    #[test]
    fn offsets_outside_or_inside_a_character_are_not_negations() {
        assert!(!negated("abc", 10));
        assert!(!negated("ā", 1));
    }
}
