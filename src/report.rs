//! The result of screening one advert: the output contract of `scan` (and later of the API).
//! See README "Output" for the contract; field order here is the order in JSON.

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
