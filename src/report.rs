//! The result of screening one advert: the output contract of `scan` (and later of the API).
//! See docs/output.md for the contract; field order here is the order in JSON.

use serde::{Deserialize, Serialize};

use crate::advert::{Field, Kind, Lang};
use crate::extract::Entities;
use crate::rules::Texts;
use crate::score::Level;

/// One reason behind a score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reason {
    /// Indicator id.
    pub indicator: String,
    /// Rule id: the strongest rule behind this reason.
    pub rule: String,
    /// Every rule behind this reason, `rule` first: rules that fired on the same or overlapping
    /// words for one indicator are one reason (see `reasons`).
    #[serde(default)]
    pub rules: Vec<String>,
    /// Rule weight (negative for mitigating evidence).
    pub weight: i32,
    /// The field the evidence is in; `None` for a reason about an absence.
    pub field: Option<Field>,
    /// Exactly the original text between `start` and `end` of that field.
    pub evidence: Option<String>,
    /// First byte of the evidence in the field.
    pub start: Option<usize>,
    /// End byte (exclusive) of the evidence in the field.
    pub end: Option<usize>,
    /// Why this is a sign, in plain words.
    /// Shared with the rule it comes from: a rule's explanation is not copied into each reason.
    pub explanation: std::sync::Arc<Texts>,
}

/// The screening result of one advert.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// The advert's id.
    pub id: String,
    /// Its kind (given or guessed).
    pub kind: Kind,
    /// Its language (given or detected).
    pub language: Lang,
    /// Risk score, 0-100: rules and classifier combined (see `score::combine`).
    pub score: u8,
    /// Risk level.
    pub level: Level,
    /// Whether the level reaches the flag threshold.
    pub flagged: bool,
    /// The score of the rules alone, 0-100.
    pub rule_score: u8,
    /// The classifier's calibrated probability that the advert is risky; absent without a model
    /// and for an advert without a word.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model_probability: Option<f64>,
    /// Every reason, in order of field and position; absences and the classifier's reason last.
    pub reasons: Vec<Reason>,
    /// The extracted facts.
    pub entities: Entities,
}

/// How much explanation a written report carries (`scan --explain`, the API's `explain`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Explain {
    /// None: ids, weights, spans and evidence; explanations come from `GET /v1/indicators` and
    /// `adscreen rules show`.
    #[default]
    Ids,
    /// Each reason's explanation as one string in this language.
    One(Lang),
    /// Each reason's explanation in every language, as an object.
    All,
}

impl Explain {
    /// `none`, `lv`, `en`, `ru` or `all`.
    pub fn parse(s: &str) -> Option<Explain> {
        Some(match s {
            "none" => Explain::Ids,
            "all" => Explain::All,
            other => Explain::One(Lang::parse(other)?),
        })
    }
}

/// A report as written: the contract, with as much explanation as asked for.
#[derive(Debug, Serialize)]
pub struct ReportOut<'a> {
    id: &'a str,
    kind: Kind,
    language: Lang,
    score: u8,
    level: Level,
    flagged: bool,
    rule_score: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    model_probability: Option<f64>,
    reasons: Vec<ReasonOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    entities: Option<&'a Entities>,
}

/// A reason as written.
#[derive(Debug, Serialize)]
struct ReasonOut<'a> {
    indicator: &'a str,
    rule: &'a str,
    rules: &'a [String],
    weight: i32,
    field: Option<Field>,
    evidence: Option<&'a str>,
    start: Option<usize>,
    end: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    explanation: Option<ExplanationOut<'a>>,
}

/// An explanation in one language or in all.
#[derive(Debug, Serialize)]
#[serde(untagged)]
enum ExplanationOut<'a> {
    One(&'a str),
    All(&'a Texts),
}

impl Report {
    /// The report as written with `explain`, with its extracted facts or without.
    pub fn written(&self, explain: Explain, entities: bool) -> ReportOut<'_> {
        ReportOut {
            id: &self.id,
            kind: self.kind,
            language: self.language,
            score: self.score,
            level: self.level,
            flagged: self.flagged,
            rule_score: self.rule_score,
            model_probability: self.model_probability,
            reasons: self
                .reasons
                .iter()
                .map(|r| ReasonOut {
                    indicator: &r.indicator,
                    rule: &r.rule,
                    rules: &r.rules,
                    weight: r.weight,
                    field: r.field,
                    evidence: r.evidence.as_deref(),
                    start: r.start,
                    end: r.end,
                    explanation: match explain {
                        Explain::Ids => None,
                        Explain::One(lang) => Some(ExplanationOut::One(r.explanation.get(lang))),
                        Explain::All => Some(ExplanationOut::All(&r.explanation)),
                    },
                })
                .collect(),
            entities: entities.then_some(&self.entities),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    fn report() -> Report {
        Report {
            id: "a".into(),
            kind: Kind::Job,
            language: Lang::Lv,
            score: 60,
            level: Level::Medium,
            flagged: true,
            rule_score: 60,
            model_probability: Some(0.5),
            reasons: vec![Reason {
                indicator: "fees_debts".into(),
                rule: "fees.x.lv".into(),
                rules: vec!["fees.x.lv".into(), "fees.y.lv".into()],
                weight: 20,
                field: Some(Field::Text),
                evidence: Some("maksa".into()),
                start: Some(0),
                end: Some(5),
                explanation: Arc::new(Texts {
                    lv: "Maksa".into(),
                    en: "A fee".into(),
                    ru: None,
                }),
            }],
            entities: Entities::default(),
        }
    }

    #[test]
    fn written_in_full_is_the_report_itself() {
        let r = report();
        assert_eq!(
            serde_json::to_value(r.written(Explain::All, true)).ok(),
            serde_json::to_value(&r).ok()
        );
    }

    #[test]
    fn compact_and_one_language_forms() {
        let r = report();
        let compact = serde_json::to_value(r.written(Explain::Ids, false)).unwrap_or_default();
        assert!(compact.get("entities").is_none());
        assert!(compact["reasons"][0].get("explanation").is_none());
        assert_eq!(compact["reasons"][0]["rules"][1], "fees.y.lv");
        let ru = serde_json::to_value(r.written(Explain::One(Lang::Ru), false)).unwrap_or_default();
        // Without a Russian text the English one stands in.
        assert_eq!(ru["reasons"][0]["explanation"], "A fee");
        assert_eq!(Explain::parse("all"), Some(Explain::All));
        assert_eq!(Explain::parse("none"), Some(Explain::Ids));
        assert_eq!(Explain::parse("de"), None);
    }
}
