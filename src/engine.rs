//! The engine: one advert in, one [`Report`] out. It owns the compiled rules, the extractors and
//! the thresholds, and runs the pipeline normalise -> extract -> detect -> rules -> score.
//! Reading input and writing output belong to `ingest` and `output`.

use crate::advert::{Advert, Field};
use crate::detect::Detect;
use crate::extract::{Extractor, Scan};
use crate::report::{Reason, Report};
use crate::rules::{ExampleFailure, RuleSet};
use crate::score::{self, Thresholds};

/// Screens adverts; build once, share freely (it is immutable).
#[derive(Debug)]
pub struct Engine {
    rules: RuleSet,
    extractor: Extractor,
    detect: Detect,
    thresholds: Thresholds,
}

impl Engine {
    /// An engine over a rule set with the given thresholds.
    pub fn new(rules: RuleSet, thresholds: Thresholds) -> Engine {
        Engine {
            rules,
            extractor: Extractor::new(),
            detect: Detect::new(),
            thresholds,
        }
    }

    /// The rules in use.
    pub fn rules(&self) -> &RuleSet {
        &self.rules
    }

    /// The thresholds in use.
    pub fn thresholds(&self) -> Thresholds {
        self.thresholds
    }

    /// Screens one advert.
    pub fn screen(&self, advert: &Advert) -> Report {
        let scans = [
            Scan::new(Field::Title, &advert.title),
            Scan::new(Field::Text, &advert.text),
        ];
        let entities = self.extractor.extract(&scans, self.rules.market());
        let words: Vec<&str> = scans.iter().map(|s| s.words.as_str()).collect();
        let kind = advert
            .kind
            .unwrap_or_else(|| self.detect.kind(&words, &entities));
        let language = advert.lang.unwrap_or_else(|| {
            let sample = if advert.text.len() >= advert.title.len() {
                &advert.text
            } else {
                &advert.title
            };
            self.detect.lang(sample)
        });
        let hits = self.rules.hits(&scans, kind, &entities);
        let rules = self.rules.rules();
        let indicators = self.rules.indicators();
        let evidence = score::evidence(
            hits.iter()
                .map(|h| (rules[h.rule].indicator, rules[h.rule].weight)),
            |i| indicators[i].damping,
        );
        let score = score::score(evidence);
        let level = self.thresholds.level(score);
        let mut reasons: Vec<Reason> = hits
            .iter()
            .map(|h| {
                let rule = &rules[h.rule];
                Reason {
                    indicator: self.rules.indicator_of(rule).id.clone(),
                    rule: rule.id.clone(),
                    weight: rule.weight,
                    field: h.span.map(|s| s.field),
                    evidence: h.span.and_then(|s| advert.evidence(&s)).map(str::to_string),
                    start: h.span.map(|s| s.start),
                    end: h.span.map(|s| s.end),
                    explanation: rule.explain.clone(),
                }
            })
            .collect();
        reasons.sort_by_key(|r| (r.field.is_none(), r.field, r.start, r.end));
        Report {
            id: advert.id.clone(),
            kind,
            language,
            score,
            level,
            flagged: level >= self.thresholds.flag,
            reasons,
            entities,
        }
    }

    /// Runs every rule's examples (each screened as the text of an advert with kind guessed).
    pub fn check_examples(&self) -> Vec<ExampleFailure> {
        self.rules.check_examples(|text| {
            let advert = Advert {
                id: "example".into(),
                text: text.to_string(),
                ..Advert::default()
            };
            let report = self.screen(&advert);
            let ids: Vec<&str> = report.reasons.iter().map(|r| r.rule.as_str()).collect();
            self.rules
                .rules()
                .iter()
                .enumerate()
                .filter(|(_, r)| ids.contains(&r.id.as_str()))
                .map(|(i, _)| i)
                .collect()
        })
    }
}
