//! Matching a [`RuleSet`] against one advert: one Aho-Corasick pass per field
//! ([`RuleSet::passes`], before extraction) finds every phrase, every `unless` phrase, every regex
//! prefilter literal and every regex prefix literal, and also the keywords of the categories of
//! work and the extractors' word lists; then ([`RuleSet::hits`]) only the regexes whose prefilter literals occurred run, each anchored where one of its
//! prefix literals starts (or, for the few without prefix literals, over the field behind a
//! fast superset); then the conditions over the extracted facts; finally the `when` facts gate
//! every rule.

use std::borrow::Cow;

use regex_automata::{Anchored, Input};

use super::{Condition, Matcher, PhraseRef, RuleSet};
use crate::advert::Span;
use crate::dialect::ascii_words;
use crate::extract::{Entities, Scan, Word};
use crate::market::{Category, MarketPay};
use crate::phrase::PhraseHit;

/// A rule that fired, with the original span of its evidence (none for conditions about an
/// absence, such as "no employer identity").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    /// Index into [`RuleSet::rules`].
    pub rule: usize,
    /// The evidence.
    pub span: Option<Span>,
}

/// The longest match a regex tried at a prefix literal can have, in bytes of normalised text: rule
/// regexes describe phrases, and a bounded window keeps each anchored search cheap.
pub const MAX_MATCH_BYTES: usize = 512;

/// The most evidence spans one rule reports; more repetitions add nothing to the score.
pub(super) const MAX_SPANS_PER_RULE: usize = 5;

/// What the one automaton pass found in one field of an advert: the phrase hits, what the regex
/// stage needs, and the hits of the extractors' word lists. [`RuleSet::passes`] makes it before
/// extraction, [`RuleSet::hits`] finishes the rules after.
#[derive(Debug)]
pub struct FieldPass<'a> {
    /// The field's words view as [`ascii_words::encode`] writes it.
    view: Cow<'a, str>,
    /// Phrase hits not cancelled by an `unless` phrase.
    hits: Vec<Hit>,
    found: PassResult,
    /// Hits of the extractors' word lists, in the order the automaton reports them.
    words: Vec<PhraseHit<'a, Word>>,
}

impl FieldPass<'_> {
    /// The hits of the extractors' word lists (taken: the rules do not need them).
    pub(crate) fn take_words(&mut self) -> Vec<PhraseHit<'_, Word>> {
        std::mem::take(&mut self.words)
    }
}

impl RuleSet {
    /// The one automaton pass over each field of an advert (`scans`, in order).
    pub fn passes<'a>(&'a self, scans: &'a [Scan<'_>]) -> Vec<FieldPass<'a>> {
        scans
            .iter()
            .map(|scan| {
                let view = ascii_words::encode(scan.words.as_str());
                let mut hits = Vec::new();
                let mut words = Vec::new();
                let found = self.automaton_pass(scan, &view, &mut hits, &mut words);
                FieldPass {
                    view,
                    hits,
                    found,
                    words,
                }
            })
            .collect()
    }

    /// Every rule that fires on an advert, given the automaton passes over its fields
    /// ([`RuleSet::passes`] of the same `scans`) and the facts extracted from them, before the
    /// context stage decides which count where they stand; [`RuleSet::settle`] then orders them.
    pub fn hits(
        &self,
        scans: &[Scan<'_>],
        passes: Vec<FieldPass<'_>>,
        entities: &Entities,
    ) -> Vec<Hit> {
        let mut hits = Vec::new();
        let mut categories = Vec::new();
        for (scan, pass) in scans.iter().zip(passes) {
            hits.extend(pass.hits);
            self.regex_hits(scan, &pass.view, &pass.found, &mut hits);
            categories.extend(pass.found.categories);
        }
        let category = self.market.best_category(categories);
        for &rule in &self.condition_rules {
            if let Matcher::Condition(c) = &self.rules[rule].matcher {
                if let Some(span) = evaluate(c, entities, &self.market, category) {
                    hits.push(Hit { rule, span });
                }
            }
        }
        hits
    }

    /// Hits in rule order without repeats, at most five per rule.
    pub fn settle(&self, mut hits: Vec<Hit>) -> Vec<Hit> {
        hits.sort_by_key(|h| (h.rule, h.span.map(|s| (s.field, s.start, s.end))));
        hits.dedup();
        let mut per_rule = 0;
        let mut last = usize::MAX;
        hits.retain(|h| {
            if h.rule != last {
                last = h.rule;
                per_rule = 0;
            }
            per_rule += 1;
            per_rule <= MAX_SPANS_PER_RULE
        });
        hits
    }

    /// The one automaton pass over a field: adds the phrase hits (minus those an `unless`
    /// phrase cancels) and returns what the regex stage needs. `view` is the field's words view
    /// as [`ascii_words::encode`] writes it.
    pub(super) fn automaton_pass<'a>(
        &'a self,
        scan: &Scan<'_>,
        view: &str,
        out: &mut Vec<Hit>,
        words: &mut Vec<PhraseHit<'a, Word>>,
    ) -> PassResult {
        let text = scan.words.as_str();
        let mut found = Vec::new();
        let mut pass = PassResult::default();
        // A prefilter literal counts once per field; a prefix literal at every occurrence.
        let mut masks = vec![0u64; self.regexes.len()];
        let mut touched = Vec::new();
        let mut seen = vec![0u64; self.literal_starts.len().div_ceil(64)];
        let mut occurrences: Vec<(usize, usize)> = Vec::new();
        for h in self.phrases.find_iter(text) {
            match *h.value {
                PhraseRef::Phrase(rule) => found.push((rule, h.start, h.end)),
                PhraseRef::Unless(rule) => pass.cancels.push((rule, h.start, h.end)),
                PhraseRef::Literal {
                    index,
                    prefilter,
                    starts,
                    at_boundary,
                } => {
                    let (word, bit) = (index / 64, 1u64 << (index % 64));
                    if prefilter && seen[word] & bit == 0 {
                        seen[word] |= bit;
                        for &(regex, bit) in self.literal_prefilters.get(index) {
                            if masks[regex] == 0 {
                                touched.push(regex);
                            }
                            masks[regex] |= 1 << bit;
                        }
                    }
                    if starts && (!at_boundary || ascii_words::word_boundary_at(view, h.start)) {
                        occurrences.push((index, h.start));
                    }
                }
                PhraseRef::Category(c) => pass.categories.push(c),
                PhraseRef::Word(ref value) => words.push(PhraseHit {
                    start: h.start,
                    end: h.end,
                    value,
                }),
            }
        }

        // A regex is a candidate when, for some branch, a literal of every set occurred.
        touched.sort_unstable();
        // Regexes without a prefilter are always tried; the others when they are candidates.
        let mut tried = self.always_tried.clone();
        for regex in touched {
            let mask = masks[regex];
            if self
                .literal_masks
                .get(regex)
                .iter()
                .any(|&b| b & !mask == 0)
            {
                pass.candidates.push(regex);
                tried[regex] = true;
            }
        }
        // Only the starts of regexes that can match are tried, and only where word boundaries
        // allow a match to start.
        for (index, at) in occurrences {
            let regexes = self.literal_starts.get(index).iter();
            let usable = regexes.filter(|&&r| tried[r] && self.regexes[r].may_start_at(view, at));
            pass.starts.extend(usable.map(|&r| (r, at)));
        }
        pass.starts.sort_unstable();
        pass.starts.dedup();
        for (rule, start, end) in found {
            if !cancelled(&pass.cancels, rule, start, end) {
                out.push(Hit {
                    rule,
                    span: Some(scan.span_words(start, end)),
                });
            }
        }
        pass
    }

    /// Runs the regexes whose prefilter literals occurred (or that have none): anchored at their
    /// prefix literals, or over the field behind their superset filter.
    fn regex_hits(&self, scan: &Scan<'_>, view: &str, pass: &PassResult, out: &mut Vec<Hit>) {
        let words = scan.words.as_str();
        if pass.starts.is_empty() && pass.candidates.is_empty() && self.unfiltered.is_empty() {
            return;
        }
        for group in pass.starts.chunk_by(|a, b| a.0 == b.0) {
            let i = group[0].0;
            let starts = group.iter().map(|&(_, at)| at);
            self.anchored_hits(i, scan, view, starts, &pass.cancels, out);
        }
        let scanned = pass.candidates.iter().chain(&self.unfiltered);
        for &i in scanned {
            let Some(filter) = &self.regexes[i].filter else {
                continue;
            };
            if !filter.is_match(words) {
                continue;
            }
            let rule = self.regex_rules[i];
            let kept = self.regexes[i]
                .exact
                .find_iter(view)
                .filter(|m| !m.is_empty() && !cancelled(&pass.cancels, rule, m.start(), m.end()));
            for m in kept.take(MAX_SPANS_PER_RULE) {
                out.push(Hit {
                    rule,
                    span: Some(scan.span_words(m.start(), m.end())),
                });
            }
        }
    }

    /// Tries regex `i` anchored at each start (ascending) in `view` (the field's words view as
    /// [`ascii_words::encode`] writes it). As every match begins at a prefix literal, taking the
    /// first match and going on after its end finds exactly the matches a leftmost-first scan of
    /// the whole field would.
    pub(super) fn anchored_hits(
        &self,
        i: usize,
        scan: &Scan<'_>,
        view: &str,
        starts: impl Iterator<Item = usize>,
        cancels: &[(usize, usize, usize)],
        out: &mut Vec<Hit>,
    ) {
        let rule = self.regex_rules[i];
        let mut after = 0;
        let mut kept = 0;
        for at in starts {
            if at < after {
                continue;
            }
            if !self.regexes[i].may_start_at(view, at) {
                continue;
            }
            let window = view.len().min(at + MAX_MATCH_BYTES);
            let input = Input::new(view).range(at..window).anchored(Anchored::Yes);
            let regex = &self.regexes[i];
            if regex
                .anchored_filter
                .as_ref()
                .is_some_and(|f| !f.is_match(input.clone()))
            {
                continue;
            }
            let Some(m) = regex.exact.search(&input) else {
                continue;
            };
            if m.is_empty() {
                continue;
            }
            after = m.end();
            if cancelled(cancels, rule, m.start(), m.end()) {
                continue;
            }
            out.push(Hit {
                rule,
                span: Some(scan.span_words(m.start(), m.end())),
            });
            kept += 1;
            if kept == MAX_SPANS_PER_RULE {
                break;
            }
        }
    }
}

/// What the automaton pass found besides phrase hits.
#[derive(Debug, Default)]
pub(super) struct PassResult {
    /// `unless` matches: (rule, start, end) in the words view.
    cancels: Vec<(usize, usize, usize)>,
    /// Regexes with a literal of every prefilter set present (ascending).
    candidates: Vec<usize>,
    /// (regex, start) of the prefix literal occurrences where a regex that is tried can start,
    /// sorted.
    pub(super) starts: Vec<(usize, usize)>,
    /// The categories of work whose keywords occurred (see [`PhraseRef::Category`]).
    pub(super) categories: Vec<usize>,
}

/// Whether an `unless` match of the same rule overlaps a hit.
fn cancelled(cancels: &[(usize, usize, usize)], rule: usize, start: usize, end: usize) -> bool {
    cancels
        .iter()
        .any(|&(r, s, e)| r == rule && start < e && s < end)
}

/// Whether a `when` fact holds for the advert.
/// Evaluates a condition: `None` when it does not hold, `Some(span)` when it does (the span of
/// the fact behind it, or `None` for an absence). `category` is the category of work the
/// advert's words describe ([`crate::market::MarketPay::category_for`]).
fn evaluate(
    c: &Condition,
    e: &Entities,
    market: &MarketPay,
    category: &Category,
) -> Option<Option<Span>> {
    let first = |spans: &mut dyn Iterator<Item = Span>| spans.next().map(Some);
    match *c {
        Condition::PayAboveMarket { ratio } => {
            // Pay is compared with pay where the work is: the best-paid country named, that of
            // a phone number written as its country writes it (an Irish 086 number), or that of
            // the currency; an unnamed "abroad" with Latvian pay.
            let named = e
                .destinations
                .iter()
                .map(|d| market.country_factor(&d.value.country, category))
                .chain(
                    e.phones
                        .iter()
                        .filter(|p| p.value.national)
                        .filter_map(|p| p.value.country.as_deref())
                        .map(|c| market.country_factor(c, category)),
                )
                .fold(1.0_f64, f64::max);
            e.pay
                .iter()
                .filter(|p| {
                    let currency = MarketPay::country_of_currency(&p.value.currency)
                        .map_or(1.0, |c| market.country_factor(c, category));
                    let reference = category.monthly_eur * named.max(currency);
                    p.value.monthly_eur.is_some_and(|m| m >= ratio * reference)
                })
                .max_by(|a, b| a.value.max.total_cmp(&b.value.max))
                .map(|p| Some(p.span))
        }
        Condition::ContactPhoneOrMessengerOnly => {
            let has_channel = !e.phones.is_empty() || !e.messengers.is_empty();
            if !has_channel || e.has_employer_identity() {
                return None;
            }
            let mut spans = e
                .messengers
                .iter()
                .map(|m| m.span)
                .chain(e.phones.iter().map(|p| p.span));
            first(&mut spans)
        }
        Condition::ForeignPhone => first(
            &mut e
                .phones
                .iter()
                .filter(|p| !p.value.national && p.value.country.as_deref() != Some("LV"))
                .map(|p| p.span),
        ),
        Condition::FreeWebmail => first(
            &mut e
                .emails
                .iter()
                .filter(|m| m.value.free_webmail)
                .map(|m| m.span),
        ),
        Condition::NoEmployerIdentity => (!e.has_employer_identity()).then_some(None),
        Condition::AgeWindow {
            max_upper,
            max_span,
        } => first(
            &mut e
                .ages
                .iter()
                .filter(|a| {
                    a.value
                        .max
                        .is_some_and(|max| max <= max_upper && max - a.value.min <= max_span)
                })
                .map(|a| a.span),
        ),
        Condition::MinorAge { below } => first(
            &mut e
                .ages
                .iter()
                .filter(|a| a.value.min < below)
                .map(|a| a.span),
        ),
        Condition::GenderDemand => e.single_gender().map(|g| Some(g.span)),
        Condition::AppearanceDemand => first(&mut e.appearance.iter().map(|a| a.span)),
        Condition::RegistrationNumber => first(&mut e.registration_numbers.iter().map(|r| r.span)),
        Condition::LicenceNumber => first(&mut e.licence_numbers.iter().map(|r| r.span)),
        Condition::NamedEmployer => first(&mut e.employers.iter().map(|r| r.span)),
        Condition::CompanyContact => e.company_contact().map(Some),
    }
}
