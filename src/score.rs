//! Scoring: rule hits become a score from 0 to 100, a level and a flag.
//!
//! Each indicator counts once, with the largest weight among its hits, so repeating one phrase
//! adds nothing; mitigating indicators subtract. The evidence `E` (the sum) goes through a
//! logistic curve centred at [`MIDPOINT`] points and rescaled so that no evidence is 0: one weak
//! sign stays low, several together reach medium, strong combinations reach high.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

/// Evidence (in weight points) that scores 50.
pub const MIDPOINT: f64 = 35.0;
/// Points per unit of the logistic curve: smaller is steeper.
pub const SCALE: f64 = 10.0;

/// Risk level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Few or no signs.
    Low,
    /// Several signs: worth a closer look.
    Medium,
    /// Strong signs: likely exploitative.
    High,
}

impl Level {
    /// The lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Low => "low",
            Level::Medium => "medium",
            Level::High => "high",
        }
    }

    /// Parses `low`, `medium` or `high`.
    pub fn parse(s: &str) -> Option<Level> {
        match s.trim().to_ascii_lowercase().as_str() {
            "low" => Some(Level::Low),
            "medium" => Some(Level::Medium),
            "high" => Some(Level::High),
            _ => None,
        }
    }
}

/// Where levels start and which level is flagged.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Thresholds {
    /// Lowest score that is `medium`.
    pub medium: u8,
    /// Lowest score that is `high`.
    pub high: u8,
    /// Lowest level that is flagged.
    pub flag: Level,
}

/// Default start of `medium`.
pub const DEFAULT_MEDIUM: u8 = 40;
/// Default start of `high`.
pub const DEFAULT_HIGH: u8 = 70;

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            medium: DEFAULT_MEDIUM,
            high: DEFAULT_HIGH,
            flag: Level::Medium,
        }
    }
}

impl Thresholds {
    /// The level of a score.
    pub fn level(&self, score: u8) -> Level {
        if score >= self.high {
            Level::High
        } else if score >= self.medium {
            Level::Medium
        } else {
            Level::Low
        }
    }
}

fn logistic(x: f64) -> f64 {
    1.0 / (1.0 + (-(x - MIDPOINT) / SCALE).exp())
}

/// The evidence: per indicator the weight of largest magnitude, summed over indicators. Risk
/// evidence is first multiplied by the smallest `damping` of the indicators present (an awareness
/// post quotes scam phrases without being an advert).
pub fn evidence(
    weights: impl IntoIterator<Item = (usize, i32)>,
    damping: impl Fn(usize) -> Option<f64>,
) -> f64 {
    let mut best: HashMap<usize, i32> = HashMap::new();
    for (indicator, w) in weights {
        let slot = best.entry(indicator).or_insert(w);
        if w.abs() > slot.abs() {
            *slot = w;
        }
    }
    let factor = best
        .keys()
        .filter_map(|&i| damping(i))
        .fold(1.0_f64, f64::min);
    let risk: f64 = best
        .values()
        .filter(|&&w| w > 0)
        .map(|&w| f64::from(w))
        .sum();
    let mitigation: f64 = best
        .values()
        .filter(|&&w| w < 0)
        .map(|&w| f64::from(w))
        .sum();
    risk * factor + mitigation
}

/// The score (0-100) of an amount of evidence.
pub fn score(evidence: f64) -> u8 {
    let zero = logistic(0.0);
    let s = (logistic(evidence) - zero) / (1.0 - zero);
    (s * 100.0).round().clamp(0.0, 100.0) as u8
}

/// The combined score of rules and classifier: the higher of the rule score and the model's
/// probability in percent, except that the model alone (no risk reason with evidence, see
/// `Report::supports_model`) cannot reach `medium`. A strong rule hit therefore stays flagged when the model is unsure, and a
/// confident model raises an advert only when a reason a person can check supports it.
pub fn combine(rule_score: u8, probability: f64, supported: bool, medium: u8) -> u8 {
    let model = (probability.clamp(0.0, 1.0) * 100.0).round() as u8;
    let model = if supported {
        model
    } else {
        model.min(medium.saturating_sub(1))
    };
    rule_score.max(model)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn none(_: usize) -> Option<f64> {
        None
    }

    #[test]
    fn damping_scales_risk_evidence() {
        let damped = evidence([(0, 30), (1, 30), (2, -10)], |i| (i == 2).then_some(0.5));
        assert_eq!(damped, 20.0);
    }

    #[test]
    fn no_evidence_is_zero() {
        assert_eq!(score(evidence([], none)), 0);
        assert_eq!(score(-30.0), 0);
    }

    #[test]
    fn one_weak_sign_stays_low_and_several_reach_medium() {
        let t = Thresholds::default();
        assert_eq!(t.level(score(evidence([(0, 10)], none))), Level::Low);
        assert_eq!(t.level(score(evidence([(0, 15)], none))), Level::Low);
        let several = evidence([(0, 10), (1, 10), (2, 12), (3, 8)], none);
        assert_eq!(t.level(score(several)), Level::Medium);
    }

    #[test]
    fn strong_combinations_are_high() {
        let t = Thresholds::default();
        assert_eq!(
            t.level(score(evidence([(0, 30), (1, 20), (2, 10)], none))),
            Level::High
        );
    }

    #[test]
    fn repeating_an_indicator_counts_once() {
        assert_eq!(evidence([(0, 10), (0, 10), (0, 20)], none), 20.0);
    }

    #[test]
    fn mitigating_evidence_lowers_the_score() {
        let risky = score(evidence([(0, 20), (1, 20)], none));
        let mitigated = score(evidence([(0, 20), (1, 20), (2, -15)], none));
        assert!(mitigated < risky);
    }

    #[test]
    fn combined_score_needs_rules_to_support_the_model() {
        assert_eq!(combine(80, 0.1, true, 40), 80);
        assert_eq!(combine(20, 0.9, true, 40), 90);
        assert_eq!(combine(0, 0.9, false, 40), 39);
        assert_eq!(combine(50, 0.9, false, 40), 50);
    }

    #[test]
    fn score_is_monotonic() {
        let mut last = 0;
        for e in -50..150 {
            let s = score(f64::from(e));
            assert!(s >= last);
            last = s;
        }
    }
}
