//! The trained classifier as stored in `models/`: a versioned JSON file with the names of its
//! features (see [`super::features`]), one weight per feature, the calibration and the training
//! metadata, including how it did on each source of adverts it was not trained on. Scoring is a
//! dot product over a few dozen numbers a person can check.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::ClassifyError;
use super::features::{Direction, Feature, values};
use crate::report::Report;
use crate::score::Combination;

/// The file format version this build reads and writes (2: readable features, no n-grams).
pub const FORMAT: u32 = 2;

/// Platt scaling: calibrated probability = 1 / (1 + exp(-(a * z + b))) for the raw score z.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Platt {
    /// Slope.
    pub a: f64,
    /// Offset.
    pub b: f64,
}

/// Quality figures of the classifier on one split.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SplitMetrics {
    /// Adverts in the split.
    pub adverts: usize,
    /// Area under the ROC curve (`None` when the split lacks a class).
    pub roc_auc: Option<f64>,
    /// Area under the precision-recall curve (average precision; `None` without risky adverts).
    pub pr_auc: Option<f64>,
    /// Log loss of the calibrated probabilities.
    pub log_loss: f64,
}

/// How and on what the model was trained.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Metadata {
    /// When (UTC, RFC 3339 date).
    pub trained_at: String,
    /// SHA-256 of the corpus files, in file-name order.
    pub corpus_hash: String,
    /// SHA-256 of the rule files the report features came from.
    pub rules_hash: String,
    /// Seed of the training run.
    pub seed: u64,
    /// L2 regularisation chosen on dev.
    pub alpha: f64,
    /// Figures on the dev split (used for choices).
    pub dev: SplitMetrics,
    /// Figures on the test split (never used for choices).
    pub test: SplitMetrics,
    /// Score thresholds for the combined score, chosen on dev.
    pub thresholds: ChosenThresholds,
    /// SHA-256 of the real-advert files trained on, when there were any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub real_hash: Option<String>,
    /// The adverts trained on, per source.
    #[serde(default)]
    pub sources: Vec<SourceCount>,
    /// Each source scored by a model trained without it.
    #[serde(default)]
    pub leave_one_source_out: Vec<SourceFigures>,
    /// Whether the model tells who wrote an advert rather than whether it is risky.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provenance: Option<Provenance>,
}

/// How many adverts of a source training saw, by label (all splits).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceCount {
    /// `written` (the corpus written for the project) or a real-advert file's stem.
    pub source: String,
    /// Adverts labelled risky (or fraudulent).
    pub risky: usize,
    /// Ordinary adverts (benign, legitimate or unlabelled).
    pub ordinary: usize,
}

/// One source scored by a model trained on every other source (same settings).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceFigures {
    /// The source left out.
    pub source: String,
    /// ROC-AUC of the model's probability (`None` when the source lacks a class).
    pub model_roc_auc: Option<f64>,
    /// ROC-AUC of the combined score of rules and that model.
    pub combined_roc_auc: Option<f64>,
    /// Share of its ordinary adverts flagged by the combined score.
    pub ordinary_flagged: Option<f64>,
    /// Share of its risky adverts flagged by the combined score.
    pub recall: Option<f64>,
}

/// The trap check: ROC-AUC of the model's probability between written and real adverts of the
/// same label on the dev and test splits; 0.5 means the model cannot tell who wrote an advert.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Provenance {
    /// Among ordinary adverts (written benign against real ordinary).
    pub ordinary_roc_auc: Option<f64>,
    /// Among risky adverts (written risky against real risky).
    pub risky_roc_auc: Option<f64>,
}

/// The combined-score thresholds chosen on dev, with what they gave there.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChosenThresholds {
    /// Lowest combined score that is `medium` (flagged).
    pub medium: u8,
    /// Lowest combined score that is `high`.
    pub high: u8,
    /// Recall of risky dev adverts at `medium`.
    pub dev_recall: f64,
    /// False-positive rate on benign dev adverts at `medium`.
    pub dev_false_positive_rate: f64,
}

/// A trained classifier.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Model {
    /// File format version ([`FORMAT`]).
    pub format: u32,
    /// Feature names (see [`Feature::name`]), in the order of `weights`.
    pub features: Vec<String>,
    /// One weight per feature.
    pub weights: Vec<f64>,
    /// Intercept.
    pub bias: f64,
    /// Calibration fitted on dev.
    pub platt: Platt,
    /// Training metadata.
    pub metadata: Metadata,
    /// The parsed features.
    #[serde(skip)]
    parsed: Vec<Feature>,
}

/// One feature's part in a prediction.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Contribution {
    /// The feature.
    #[serde(skip)]
    pub feature: Feature,
    /// Its value for the advert.
    pub value: f64,
    /// Weight times value: how much it moved the raw score.
    pub effect: f64,
}

/// What the classifier says about one advert.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Prediction {
    /// Calibrated probability that the advert is risky.
    pub probability: f64,
    /// The risk signs, counts and facts that raised the score most, largest first.
    pub raised: Vec<Contribution>,
    /// The mitigations and facts that lowered the score most, largest first.
    pub lowered: Vec<Contribution>,
}

/// How many features a prediction names on each side.
pub const TOP_FEATURES: usize = 3;

impl Model {
    /// Builds a model from its parts (training).
    pub fn new(
        features: Vec<Feature>,
        weights: Vec<f64>,
        bias: f64,
        platt: Platt,
        metadata: Metadata,
    ) -> Model {
        Model {
            format: FORMAT,
            features: features.iter().map(Feature::name).collect(),
            weights,
            bias,
            platt,
            metadata,
            parsed: features,
        }
    }

    /// Parses and checks a model file's text.
    pub fn parse(text: &str) -> Result<Model, ClassifyError> {
        let mut m: Model =
            serde_json::from_str(text).map_err(|e| ClassifyError::Format(e.to_string()))?;
        if m.format != FORMAT {
            return Err(ClassifyError::Format(format!(
                "model format {} is not the supported {FORMAT}: run `adscreen train`",
                m.format
            )));
        }
        if m.features.len() != m.weights.len() {
            return Err(ClassifyError::Format(
                "weights do not match the features".into(),
            ));
        }
        m.parsed = m
            .features
            .iter()
            .map(|n| {
                Feature::parse(n)
                    .ok_or_else(|| ClassifyError::Format(format!("unknown feature {n:?}")))
            })
            .collect::<Result<_, _>>()?;
        Ok(m)
    }

    /// Loads a model file.
    pub fn load(path: &Path) -> Result<Model, ClassifyError> {
        let text = std::fs::read_to_string(path).map_err(|e| ClassifyError::Io {
            path: path.display().to_string(),
            source: e,
        })?;
        Model::parse(&text)
    }

    /// The model built into the binary (`models/classifier.json`).
    pub fn bundled() -> Result<Model, ClassifyError> {
        Model::parse(include_str!("../../models/classifier.json"))
    }

    /// The features whose weight goes against what they mean (a risk sign that lowers the
    /// probability, a mitigating sign that raises it); training leaves none.
    pub fn against_meaning(&self) -> Vec<&str> {
        self.features
            .iter()
            .zip(&self.weights)
            .filter(|(name, w)| {
                Feature::parse(name)
                    .and_then(|f| f.direction())
                    .is_some_and(|d| match d {
                        Direction::Raises => **w < 0.0,
                        Direction::Lowers => **w > 0.0,
                    })
            })
            .map(|(name, _)| name.as_str())
            .collect()
    }

    /// Writes the model as pretty JSON.
    pub fn save(&self, path: &Path) -> Result<(), ClassifyError> {
        let text =
            serde_json::to_string_pretty(self).map_err(|e| ClassifyError::Format(e.to_string()))?;
        std::fs::write(path, text + "\n").map_err(|e| ClassifyError::Io {
            path: path.display().to_string(),
            source: e,
        })
    }

    /// The parsed features, in the order of `weights`.
    pub fn feature_list(&self) -> &[Feature] {
        &self.parsed
    }

    /// The raw score (before calibration) of a feature vector in the model's order.
    pub fn raw_score(&self, x: &[f64]) -> f64 {
        self.bias + x.iter().zip(&self.weights).map(|(x, w)| x * w).sum::<f64>()
    }

    /// The calibrated probability of a raw score.
    pub fn calibrate(&self, z: f64) -> f64 {
        1.0 / (1.0 + (-(self.platt.a * z + self.platt.b)).exp())
    }

    /// Predicts a screened advert from its report and combination of signs: the calibrated
    /// probability and the features that raised and lowered it most.
    pub fn predict(&self, report: &Report, combination: &Combination) -> Prediction {
        let x = values(&self.parsed, report, combination);
        let z = self.raw_score(&x);
        // The calibration's slope is positive for any model that ranks better than chance; a
        // feature's effect on the probability has the sign of weight times slope.
        let sign = if self.platt.a < 0.0 { -1.0 } else { 1.0 };
        let mut effects: Vec<Contribution> = self
            .parsed
            .iter()
            .zip(&x)
            .zip(&self.weights)
            .filter(|((_, v), w)| **v != 0.0 && **w != 0.0)
            .map(|((f, v), w)| Contribution {
                feature: f.clone(),
                value: *v,
                effect: round3(v * w * sign),
            })
            .collect();
        effects.sort_by(|a, b| b.effect.total_cmp(&a.effect));
        // Only what a reader can take at its word is named: a risk sign or count raises, a
        // mitigation lowers, a fact may do either. (A linear model may give a count a negative
        // weight that other weights make up for; "one kind of risk lowered it" would mislead.)
        let raised = effects
            .iter()
            .filter(|c| c.effect > 0.0 && !matches!(c.feature, Feature::Mitigation(_)))
            .take(TOP_FEATURES)
            .cloned()
            .collect();
        let lowered = effects
            .iter()
            .rev()
            .filter(|c| {
                c.effect < 0.0 && matches!(c.feature, Feature::Mitigation(_) | Feature::Fact(_))
            })
            .take(TOP_FEATURES)
            .cloned()
            .collect();
        Prediction {
            probability: self.calibrate(z),
            raised,
            lowered,
        }
    }
}

fn round3(v: f64) -> f64 {
    (v * 1000.0).round() / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::features::feature_set;
    use crate::rules::RuleSet;

    #[test]
    fn the_bundled_model_weighs_every_sign_by_what_it_means() {
        let model = Model::bundled().expect("bundled model");
        assert_eq!(model.against_meaning(), Vec::<&str>::new());
        let mut flipped = model.clone();
        let at = flipped
            .features
            .iter()
            .position(|f| f == "signs:strong")
            .expect("a count of strong signs");
        flipped.weights[at] = -1.0;
        assert_eq!(flipped.against_meaning(), vec!["signs:strong"]);
    }

    fn tiny() -> Model {
        let rules = RuleSet::bundled().expect("rules");
        let features = feature_set(rules.indicators());
        // Facts weigh against, everything else for; eighths are exact in binary, so the JSON
        // round trip keeps them bit for bit.
        let weights = features
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let w = (i % 8 + 1) as f64 / 8.0;
                if matches!(f, Feature::Fact(_)) { -w } else { w }
            })
            .collect();
        Model::new(
            features,
            weights,
            -0.5,
            Platt { a: 1.0, b: 0.0 },
            Metadata::default(),
        )
    }

    #[test]
    fn a_saved_model_parses_back_the_same() {
        let m = tiny();
        let text = serde_json::to_string(&m).expect("serialises");
        let back = Model::parse(&text).expect("parses");
        assert_eq!(back.feature_list(), m.feature_list());
        assert_eq!(back.weights, m.weights);
    }

    #[test]
    fn unknown_features_and_old_formats_are_refused() {
        let m = tiny();
        let mut value = serde_json::to_value(&m).expect("value");
        value["features"][0] = "c:dar".into();
        let err = Model::parse(&value.to_string()).expect_err("n-gram feature");
        assert!(err.to_string().contains("c:dar"), "{err}");
        let mut value = serde_json::to_value(&m).expect("value");
        value["format"] = 1.into();
        let err = Model::parse(&value.to_string()).expect_err("format 1");
        assert!(err.to_string().contains("adscreen train"), "{err}");
        let mut value = serde_json::to_value(&m).expect("value");
        value["weights"] = serde_json::json!([1.0]);
        assert!(Model::parse(&value.to_string()).is_err());
    }

    #[test]
    fn contributions_add_up_to_the_raw_score() {
        let m = tiny();
        let engine = crate::engine::Engine::new(
            RuleSet::bundled().expect("rules"),
            crate::score::Thresholds::default(),
        );
        let advert = crate::advert::Advert {
            id: "a".into(),
            text: "Darbs Vācijā bez pieredzes, 4000 EUR mēnesī, pase jānodod koordinatoram. Tikai WhatsApp +49 151 2345 6789.".into(),
            ..Default::default()
        };
        let report = engine.screen(&advert);
        let combination = engine.combination(&report);
        let x = values(m.feature_list(), &report, &combination);
        let p = m.predict(&report, &combination);
        let total: f64 = x.iter().zip(&m.weights).map(|(x, w)| x * w).sum();
        assert!((m.calibrate(m.bias + total) - p.probability).abs() < 1e-12);
        assert!(!p.raised.is_empty() && !p.lowered.is_empty(), "{p:?}");
        assert!(p.raised.windows(2).all(|w| w[0].effect >= w[1].effect));
        assert!(p.lowered.windows(2).all(|w| w[0].effect <= w[1].effect));
        assert!(p.raised.len() <= TOP_FEATURES && p.lowered.len() <= TOP_FEATURES);
        assert!(
            p.lowered
                .iter()
                .all(|c| matches!(c.feature, Feature::Mitigation(_) | Feature::Fact(_))),
            "{p:?}"
        );
        assert!(
            !p.raised
                .iter()
                .any(|c| matches!(c.feature, Feature::Mitigation(_))),
            "{p:?}"
        );
    }
}
