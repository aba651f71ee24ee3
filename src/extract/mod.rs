//! Extraction: the facts an advert states, each with the span of original text it came from.
//!
//! Contacts, pay, age, gender and appearance demands, destinations and employer identity are
//! found on the normalised views of each field ([`Scan`]) and gathered in [`Entities`]. What the
//! facts mean for risk is decided by rule conditions in `rules`; this module only finds them.
//! The word lists (destinations, gender and appearance words, messengers) are matched by the
//! rules' automaton in its one pass per field (`extract_with_words`), or by an [`Extractor`]'s
//! own automaton without rules.

mod company;
mod contact;
mod employer;
mod lexicon;
mod pay;
mod person;
mod place;

pub use company::Company;
pub use contact::{Email, Messenger, Phone, Url};
pub use employer::{Employer, Number};
pub use lexicon::Gender;
pub use pay::{Pay, Period};
pub use person::{AgeRange, Appearance, GenderDemand};
pub use place::Destination;

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::advert::{Field, Lang, Span};
use crate::market::MarketPay;
use crate::normalise::Normalised;
use crate::phrase::{PhraseHit, PhraseSet};

/// One field of an advert prepared for extraction and matching: the original and both views.
#[derive(Debug)]
pub struct Scan<'a> {
    /// Which field.
    pub field: Field,
    /// The original text.
    pub original: &'a str,
    /// The basic normalised view (extractors).
    pub basic: Arc<Normalised>,
    /// The de-obfuscated view (rules and word lists): the same as `basic` when the field has
    /// nothing to de-obfuscate.
    pub words: Arc<Normalised>,
}

impl<'a> Scan<'a> {
    /// Normalises a field.
    pub fn new(field: Field, original: &'a str) -> Scan<'a> {
        let basic = Arc::new(Normalised::basic(original));
        let words = match basic.words_if_different() {
            Some(words) => Arc::new(words),
            None => Arc::clone(&basic),
        };
        Scan {
            field,
            original,
            basic,
            words,
        }
    }

    /// The original span of a range of the basic view.
    pub fn span_basic(&self, start: usize, end: usize) -> Span {
        let (start, end) = self.basic.original_span(start, end);
        Span {
            field: self.field,
            start,
            end,
        }
    }

    /// The original span of a range of the words view.
    pub fn span_words(&self, start: usize, end: usize) -> Span {
        let (start, end) = self.words.original_span(start, end);
        Span {
            field: self.field,
            start,
            end,
        }
    }

    fn locate_basic<T>(&self, start: usize, end: usize, value: T) -> Located<T> {
        Located {
            value,
            span: self.span_basic(start, end),
        }
    }

    fn locate_words<T>(&self, start: usize, end: usize, value: T) -> Located<T> {
        Located {
            value,
            span: self.span_words(start, end),
        }
    }
}

/// A fact with the span of original text it was read from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Located<T> {
    /// The fact.
    #[serde(flatten)]
    pub value: T,
    /// Where it is in the original advert.
    #[serde(flatten)]
    pub span: Span,
}

/// Everything extracted from one advert.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Entities {
    /// Phone numbers.
    pub phones: Vec<Located<Phone>>,
    /// E-mail addresses.
    pub emails: Vec<Located<Email>>,
    /// Web addresses.
    pub urls: Vec<Located<Url>>,
    /// Messengers offered as contact.
    pub messengers: Vec<Located<Messenger>>,
    /// Pay amounts.
    pub pay: Vec<Located<Pay>>,
    /// Age demands.
    pub ages: Vec<Located<AgeRange>>,
    /// Gender words.
    pub genders: Vec<Located<GenderDemand>>,
    /// Appearance demands.
    pub appearance: Vec<Located<Appearance>>,
    /// Places.
    pub destinations: Vec<Located<Destination>>,
    /// Named companies.
    pub employers: Vec<Located<Employer>>,
    /// Companies introduced by name without a legal form ("Mitel is a global leader").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub companies: Vec<Located<Company>>,
    /// Company registration numbers.
    pub registration_numbers: Vec<Located<Number>>,
    /// Recruitment licence numbers.
    pub licence_numbers: Vec<Located<Number>>,
}

impl Entities {
    /// A destination outside Latvia is mentioned.
    pub fn abroad(&self) -> bool {
        self.destinations.iter().any(|d| d.value.is_abroad())
    }

    /// The advert identifies its employer: a named company (with a legal form or introduced by
    /// name), a registration or licence number,
    /// an e-mail on a company domain or a company website.
    pub fn has_employer_identity(&self) -> bool {
        !self.employers.is_empty()
            || !self.companies.is_empty()
            || !self.registration_numbers.is_empty()
            || !self.licence_numbers.is_empty()
            || self.company_contact().is_some()
    }

    /// The first e-mail on a company domain or company website, if any.
    pub fn company_contact(&self) -> Option<Span> {
        self.emails
            .iter()
            .find(|e| !e.value.free_webmail)
            .map(|e| e.span)
            .or_else(|| {
                self.urls
                    .iter()
                    .find(|u| u.value.employer_site)
                    .map(|u| u.span)
            })
    }

    /// Exactly one gender is asked for; "women or men" is not a demand.
    pub fn single_gender(&self) -> Option<&Located<GenderDemand>> {
        let first = self.genders.first()?;
        self.genders
            .iter()
            .all(|g| g.value.gender == first.value.gender)
            .then_some(first)
    }
}

/// At most this many facts of one kind are taken from one field, so that a huge advert that
/// repeats a phone number or a company name thousands of times cannot make overlap checks
/// quadratic.
pub(crate) const MAX_FACTS_PER_FIELD: usize = 200;

/// Facts from a word list: every distinct hit (see [`listed`]) in the words view of a field,
/// made into a fact by `make(matched text, phrase value)`.
pub(crate) fn phrase_facts<T, V>(
    scan: &Scan<'_>,
    hits: Vec<PhraseHit<'_, T>>,
    out: &mut Vec<Located<V>>,
    make: impl Fn(&str, &T) -> V,
) {
    let text = scan.words.as_str();
    for hit in hits.into_iter().take(MAX_FACTS_PER_FIELD) {
        out.push(scan.locate_words(
            hit.start,
            hit.end,
            make(&text[hit.start..hit.end], hit.value),
        ));
    }
}

/// The first word character at or after `at` (regexes that stand in for a Unicode `\b` by
/// consuming the character before a word leave it at the start of their match).
pub(crate) fn skip_non_word(text: &str, at: usize) -> usize {
    text[at..]
        .char_indices()
        .find(|(_, c)| c.is_alphanumeric())
        .map_or(at, |(i, _)| at + i)
}

/// What a phrase of the extractors' word lists stands for.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Word {
    /// A destination, with its country code.
    Place(&'static str),
    /// A gender word, in its language.
    Gender(Gender, Lang),
    /// An appearance demand, in its language.
    Appearance(Lang),
    /// A messenger, with its name.
    Messenger(&'static str),
}

/// The distinct hits of one list among the hits of all lists. Lists overlap (the appearance
/// phrase "красивые девушки" holds the gender word "девушки"), so each is reduced to its
/// leftmost, longest hits on its own, as when each list had its own automaton.
fn listed<'a, T>(
    hits: &[PhraseHit<'a, Word>],
    pick: impl Fn(&'a Word) -> Option<&'a T>,
) -> Vec<PhraseHit<'a, T>> {
    let of_list = hits.iter().filter_map(|h| {
        pick(h.value).map(|value| PhraseHit {
            start: h.start,
            end: h.end,
            value,
        })
    });
    crate::phrase::distinct(of_list.collect())
}

/// The compiled extractors; build once, use for every advert.
#[derive(Debug)]
pub struct Extractor {
    /// Every word list (destinations, gender and appearance words, messengers) in one
    /// automaton: one pass per field instead of one per list.
    words: PhraseSet<Word>,
}

/// Every phrase of the extractors' word lists (destinations, gender and appearance words,
/// messengers) with what it stands for, in one order: the rules' automaton finds them in its
/// pass too ([`crate::rules::RuleSet::passes`]).
pub(crate) fn word_lists() -> impl Iterator<Item = (&'static str, Word)> {
    let places = lexicon::DESTINATIONS
        .iter()
        .map(|&(p, c)| (p, Word::Place(c)));
    let genders = lexicon::GENDER_WORDS
        .iter()
        .map(|&(p, g, l)| (p, Word::Gender(g, l)));
    let appearance = lexicon::APPEARANCE_WORDS
        .iter()
        .map(|&(p, l)| (p, Word::Appearance(l)));
    let messengers = lexicon::MESSENGERS
        .iter()
        .map(|&(p, m)| (p, Word::Messenger(m)));
    places.chain(genders).chain(appearance).chain(messengers)
}

impl Extractor {
    /// Compiles the word lists.
    pub fn new() -> Extractor {
        Extractor {
            words: PhraseSet::new(word_lists()).expect("word lists compile (tested)"),
        }
    }

    /// Extracts the facts of every field of an advert in `lang` into one set of entities.
    pub fn extract(&self, fields: &[Scan<'_>], market: &MarketPay, lang: Lang) -> Entities {
        let words = fields
            .iter()
            .map(|scan| self.words.find_iter(scan.words.as_str()).collect())
            .collect();
        extract_with_words(fields, market, words, lang)
    }
}

/// Extracts the facts of every field, given the hits of the word lists ([`word_lists`]) in
/// each field's words view, in the order [`PhraseSet::find_iter`] gives them. Gender and
/// appearance words count only in an advert of their language (`lang`).
pub(crate) fn extract_with_words(
    fields: &[Scan<'_>],
    market: &MarketPay,
    words: Vec<Vec<PhraseHit<'_, Word>>>,
    lang: Lang,
) -> Entities {
    let mut e = Entities::default();
    let mut messengers = Vec::with_capacity(fields.len());
    for (scan, words) in fields.iter().zip(words) {
        let text = scan.basic.as_str();
        let digits = text.bytes().any(|b| b.is_ascii_digit());
        if digits {
            contact::phones(scan, &mut e.phones);
            pay::pay(scan, market, &mut e.pay);
            person::ages(scan, &mut e.ages);
            employer::registration_numbers(scan, &mut e.registration_numbers);
            employer::licence_numbers(scan, &mut e.licence_numbers);
        }
        let spelled_at = ["(at)", "[at]", "{at}", " at ", "собака"];
        if text.contains('@') || spelled_at.iter().any(|a| text.contains(a)) {
            contact::emails(scan, &mut e.emails);
        }
        if text.contains('.') {
            contact::urls(scan, &mut e.urls);
        }
        let mut genders = listed(&words, |w| match w {
            Word::Gender(g, l) if *l == lang => Some(g),
            _ => None,
        });
        // "Diversity ... including minorities, women and veterans": welcomed, not demanded.
        genders.retain(|h| {
            !person::in_equal_opportunity_statement(scan.words.as_str(), h.start, h.end)
        });
        phrase_facts(scan, genders, &mut e.genders, |_, g| GenderDemand {
            gender: *g,
        });
        let mut appearance = listed(&words, |w| match w {
            Word::Appearance(l) if *l == lang => Some(&()),
            _ => None,
        });
        // "Attractive salary", "привлекательные условия": the word describes the offer.
        appearance.retain(|h| person::describes_a_person(scan.words.as_str(), h.end));
        phrase_facts(scan, appearance, &mut e.appearance, |m, _| Appearance {
            phrase: m.to_string(),
        });
        let places = listed(&words, |w| match w {
            Word::Place(c) => Some(c),
            _ => None,
        });
        phrase_facts(scan, places, &mut e.destinations, |m, c| Destination {
            name: m.to_string(),
            country: c.to_string(),
        });
        messengers.push(listed(&words, |w| match w {
            Word::Messenger(m) => Some(m),
            _ => None,
        }));
        employer::employers(scan, &mut e.employers);
        company::companies(scan, &mut e.companies);
    }
    // Messenger handles are read once the phone numbers of every field are known.
    for (scan, names) in fields.iter().zip(messengers) {
        contact::messengers(scan, names, &e.phones, &mut e.messengers);
    }
    // A place is not a company ("a large company in Germany is hiring").
    let places: Vec<Span> = e.destinations.iter().map(|d| d.span).collect();
    e.companies.retain(|c| {
        !places
            .iter()
            .any(|p| p.field == c.span.field && p.start <= c.span.start && c.span.end <= p.end)
    });
    // A registration number is not also a phone number.
    let numbers: Vec<Span> = e.registration_numbers.iter().map(|r| r.span).collect();
    e.phones.retain(|p| {
        !numbers
            .iter()
            .any(|n| n.field == p.span.field && p.span.start < n.end && n.start < p.span.end)
    });
    e
}

impl Default for Extractor {
    fn default() -> Self {
        Extractor::new()
    }
}

#[cfg(test)]
mod tests;
