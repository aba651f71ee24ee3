//! Scoring: rule hits become a score from 0 to 100, a level and a flag.
//!
//! Each indicator counts once, with the largest weight among its hits, so repeating one phrase
//! adds nothing; mitigating indicators subtract. The evidence `E` (the sum) goes through a
//! logistic curve centred at [`MIDPOINT`] points and rescaled so that no evidence is 0: one weak
//! sign stays low, several together reach medium, strong combinations reach high.

use std::collections::{BTreeSet, HashMap};

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

/// How strong a risk sign is, as the ILO/EC operational indicators of trafficking (2009) rate
/// them: a strong sign matters on its own, weak ones only beside others.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Strength {
    /// Only beside other signs.
    Weak,
    /// Worth a look beside one other sign.
    Medium,
    /// Worth a look on its own.
    Strong,
}

/// The ILO/EC (2009) dimension of trafficking a risk sign belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    /// Deceived about the job, pay, employer, travel or conditions.
    DeceptiveRecruitment,
    /// Recruited by force, debt or threats.
    CoerciveRecruitment,
    /// Recruited through a vulnerability: youth, poverty, language, gender.
    AbuseOfVulnerability,
    /// Exploitative conditions of work.
    ExploitativeConditions,
    /// Coercion at the destination: documents kept, isolation, wages withheld.
    CoercionAtDestination,
}

/// One risk sign found in an advert: its indicator, how strong that indicator is, its
/// dimension, and whether the text shows it (a span) or it is an absence.
#[derive(Debug, Clone, Copy)]
pub struct Sign {
    /// The indicator's index.
    pub indicator: usize,
    /// Its strength.
    pub strength: Strength,
    /// Its dimension.
    pub dimension: Dimension,
    /// Whether some hit points at words in the advert.
    pub in_text: bool,
}

/// The combination of distinct risk signs an advert shows: what levels and the classifier are
/// decided by, as the indicators are meant to be used (one sign alone means little).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Combination {
    /// Indicators of strong signs.
    pub strong: Vec<usize>,
    /// Indicators of medium signs.
    pub medium: Vec<usize>,
    /// Indicators of weak signs.
    pub weak: Vec<usize>,
    /// Indicators shown by words in the text (not absences).
    #[serde(skip)]
    pub in_text: BTreeSet<usize>,
    /// The dimensions present.
    pub dimensions: BTreeSet<Dimension>,
}

impl Combination {
    /// The combination of a set of signs (an indicator found several times counts once).
    pub fn of(signs: impl IntoIterator<Item = Sign>) -> Combination {
        let mut c = Combination::default();
        let mut seen = BTreeSet::new();
        for s in signs {
            if s.in_text {
                c.in_text.insert(s.indicator);
            }
            if !seen.insert(s.indicator) {
                continue;
            }
            c.dimensions.insert(s.dimension);
            match s.strength {
                Strength::Strong => c.strong.push(s.indicator),
                Strength::Medium => c.medium.push(s.indicator),
                Strength::Weak => c.weak.push(s.indicator),
            }
        }
        c
    }

    /// Whether there are only weak signs (or none): never more than `low`.
    pub fn weak_only(&self) -> bool {
        self.strong.is_empty() && self.medium.is_empty()
    }

    /// Whether the text shows a strong sign.
    pub fn strong_in_text(&self) -> bool {
        self.strong.iter().any(|i| self.in_text.contains(i))
    }

    /// Whether the signs a person can check in the text form a combination that lets the
    /// classifier raise the advert: a strong sign, or two signs of which one is medium or strong.
    /// An absence (no employer named) or one weak or medium sign alone never does.
    pub fn supports_model(&self) -> bool {
        let shown = |list: &[usize]| list.iter().filter(|i| self.in_text.contains(i)).count();
        let (strong, medium, weak) = (shown(&self.strong), shown(&self.medium), shown(&self.weak));
        strong >= 1 || (medium >= 1 && medium + weak >= 2)
    }
}

/// The rule score of an advert from its evidence and its combination of signs: the weights'
/// score, kept below `medium` when only weak signs are present, and kept at `medium` or above
/// when the text shows a strong sign whose risk evidence alone reaches `medium` (mitigating
/// evidence anyone can type, a URL or a company word, never cancels a strong sign).
pub fn rule_score(evidence: Evidence, combination: &Combination, medium: u8) -> u8 {
    let s = score(evidence.total());
    if combination.weak_only() {
        return s.min(medium.saturating_sub(1));
    }
    if combination.strong_in_text() && score(evidence.risk + evidence.checkable) >= medium {
        return s.max(medium);
    }
    s
}

/// Risk and mitigating evidence, in weight points.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Evidence {
    /// Risk evidence.
    pub risk: f64,
    /// Mitigating evidence (zero or negative).
    pub mitigation: f64,
    /// The part of `mitigation` a person can check (see `Rule::checkable`).
    pub checkable: f64,
}

impl Evidence {
    /// Both together.
    pub fn total(self) -> f64 {
        self.risk + self.mitigation
    }
}

fn logistic(x: f64) -> f64 {
    1.0 / (1.0 + (-(x - MIDPOINT) / SCALE).exp())
}

/// The evidence: per indicator the weight of largest magnitude, summed over indicators.
pub fn evidence(weights: impl IntoIterator<Item = (usize, i32)>) -> f64 {
    evidence_parts(weights.into_iter().map(|(i, w)| (i, w, false))).total()
}

/// [`evidence`], with risk, mitigation and checkable mitigation kept apart; each weight comes
/// with whether its rule is checkable.
pub fn evidence_parts(weights: impl IntoIterator<Item = (usize, i32, bool)>) -> Evidence {
    let mut best: HashMap<usize, (i32, bool)> = HashMap::new();
    for (indicator, w, checkable) in weights {
        let slot = best.entry(indicator).or_insert((w, checkable));
        if w.abs() > slot.0.abs() {
            *slot = (w, checkable);
        }
    }
    let sum = |keep: &dyn Fn(&(i32, bool)) -> bool| -> f64 {
        best.values()
            .filter(|v| keep(v))
            .map(|v| f64::from(v.0))
            .sum()
    };
    Evidence {
        risk: sum(&|v| v.0 > 0),
        mitigation: sum(&|v| v.0 < 0),
        checkable: sum(&|v| v.0 < 0 && v.1),
    }
}

/// The score (0-100) of an amount of evidence.
pub fn score(evidence: f64) -> u8 {
    let zero = logistic(0.0);
    let s = (logistic(evidence) - zero) / (1.0 - zero);
    (s * 100.0).round().clamp(0.0, 100.0) as u8
}

/// The combined score of rules and classifier: the higher of the rule score and the model's
/// probability in percent, except that the model cannot reach `medium` unless the advert's
/// combination of signs supports it ([`Combination::supports_model`]): the classifier never
/// raises an advert above `low` on its own, and a strong rule hit stays flagged when the model is
/// unsure. Unsupported, the probability is scaled into `low` (0 to `medium` - 1) rather than cut
/// off there, so adverts the model ranks apart stay apart within `low`.
pub fn combine(rule_score: u8, probability: f64, supported: bool, medium: u8) -> u8 {
    let p = probability.clamp(0.0, 1.0);
    let model = if supported {
        (p * 100.0).round() as u8
    } else {
        (p * f64::from(medium.saturating_sub(1))).round() as u8
    };
    rule_score.max(model)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_evidence_is_zero() {
        assert_eq!(score(evidence([])), 0);
        assert_eq!(score(-30.0), 0);
    }

    #[test]
    fn one_weak_sign_stays_low_and_several_reach_medium() {
        let t = Thresholds::default();
        assert_eq!(t.level(score(evidence([(0, 10)]))), Level::Low);
        assert_eq!(t.level(score(evidence([(0, 15)]))), Level::Low);
        let several = evidence([(0, 10), (1, 10), (2, 12), (3, 8)]);
        assert_eq!(t.level(score(several)), Level::Medium);
    }

    #[test]
    fn strong_combinations_are_high() {
        let t = Thresholds::default();
        assert_eq!(
            t.level(score(evidence([(0, 30), (1, 20), (2, 10)]))),
            Level::High
        );
    }

    #[test]
    fn repeating_an_indicator_counts_once() {
        assert_eq!(evidence([(0, 10), (0, 10), (0, 20)]), 20.0);
    }

    #[test]
    fn mitigating_evidence_lowers_the_score() {
        let risky = score(evidence([(0, 20), (1, 20)]));
        let mitigated = score(evidence([(0, 20), (1, 20), (2, -15)]));
        assert!(mitigated < risky);
    }

    #[test]
    fn combined_score_needs_rules_to_support_the_model() {
        assert_eq!(combine(80, 0.1, true, 40), 80);
        assert_eq!(combine(20, 0.9, true, 40), 90);
        assert_eq!(combine(0, 1.0, false, 40), 39);
        assert_eq!(combine(0, 0.9, false, 40), 35);
        assert!(combine(0, 0.8, false, 40) < combine(0, 0.9, false, 40));
        assert_eq!(combine(50, 0.9, false, 40), 50);
    }

    fn sign(indicator: usize, strength: Strength, in_text: bool) -> Sign {
        Sign {
            indicator,
            strength,
            dimension: Dimension::DeceptiveRecruitment,
            in_text,
        }
    }

    #[test]
    fn the_model_needs_a_combination_a_person_can_check() {
        use Strength::*;
        let of = |s: Vec<Sign>| Combination::of(s).supports_model();
        assert!(!of(vec![]));
        assert!(!of(vec![sign(0, Weak, true)]), "one weak sign");
        assert!(!of(vec![sign(0, Medium, true)]), "one medium sign");
        assert!(
            !of(vec![sign(0, Medium, true), sign(1, Weak, false)]),
            "an absence"
        );
        assert!(
            !of(vec![sign(0, Medium, true), sign(0, Medium, true)]),
            "the same sign twice"
        );
        assert!(of(vec![sign(0, Medium, true), sign(1, Weak, true)]));
        assert!(of(vec![sign(0, Strong, true)]));
        assert!(
            !of(vec![sign(0, Strong, false)]),
            "a strong absence is not in the text"
        );
    }

    #[test]
    fn weak_signs_alone_stay_low_and_mitigation_never_cancels_a_strong_sign() {
        use Strength::*;
        let medium = 40;
        let weak = Combination::of(vec![
            sign(0, Weak, true),
            sign(1, Weak, true),
            sign(2, Weak, false),
        ]);
        let heavy = Evidence {
            risk: 80.0,
            ..Evidence::default()
        };
        assert!(rule_score(heavy, &weak, medium) < medium);
        let strong = Combination::of(vec![sign(0, Strong, true), sign(1, Medium, true)]);
        let washed = Evidence {
            risk: 45.0,
            mitigation: -40.0,
            checkable: 0.0,
        };
        assert!(score(washed.total()) < medium);
        assert!(rule_score(washed, &strong, medium) >= medium);
        // Evidence a person can check (a registration number) still lowers it.
        let checked = Evidence {
            checkable: -40.0,
            ..washed
        };
        assert_eq!(rule_score(checked, &strong, medium), score(checked.total()));
        // Without a strong sign, mitigation lowers as before.
        let medium_only = Combination::of(vec![sign(0, Medium, true), sign(1, Medium, true)]);
        assert_eq!(
            rule_score(washed, &medium_only, medium),
            score(washed.total())
        );
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
