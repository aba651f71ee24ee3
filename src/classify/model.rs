//! The trained classifier as stored in `models/`: a versioned JSON file with the feature
//! configuration, the vocabulary with its weights, the report-feature weights, the calibration
//! and the training metadata. Scoring is a sparse dot product over the n-grams of an advert.

use std::path::Path;

use rustc_hash::FxHashMap;

use serde::{Deserialize, Serialize};

use super::ClassifyError;
use super::features::{FeatureConfig, for_each_ngram, ngram_hash, report_features};
use crate::report::Report;

/// The file format version this build reads and writes.
pub const FORMAT: u32 = 1;

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
    /// Which n-grams are features.
    pub features: FeatureConfig,
    /// The n-grams, as "w:..." and "c:..." strings.
    pub vocabulary: Vec<String>,
    /// One weight per vocabulary entry.
    pub ngram_weights: Vec<f64>,
    /// Indicator ids whose strongest weight is a feature, in order.
    pub indicators: Vec<String>,
    /// One weight per report feature (indicators, then facts).
    pub report_weights: Vec<f64>,
    /// Intercept.
    pub bias: f64,
    /// Calibration fitted on dev.
    pub platt: Platt,
    /// Training metadata.
    pub metadata: Metadata,
    /// Vocabulary index by n-gram hash. The keys are already hashes, so a fast hasher is enough.
    #[serde(skip)]
    index: FxHashMap<u64, usize>,
}

/// What the classifier says about one advert.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Prediction {
    /// Calibrated probability that the advert is risky.
    pub probability: f64,
    /// The n-grams that pushed the score up most, with their contributions.
    pub top_ngrams: Vec<(String, f64)>,
}

/// How many n-grams a prediction explains itself with.
pub const TOP_NGRAMS: usize = 5;

impl Model {
    /// Builds a model from its parts (training) and indexes the vocabulary.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        features: FeatureConfig,
        vocabulary: Vec<String>,
        ngram_weights: Vec<f64>,
        indicators: Vec<String>,
        report_weights: Vec<f64>,
        bias: f64,
        platt: Platt,
        metadata: Metadata,
    ) -> Model {
        let mut m = Model {
            format: FORMAT,
            features,
            vocabulary,
            ngram_weights,
            indicators,
            report_weights,
            bias,
            platt,
            metadata,
            index: FxHashMap::default(),
        };
        m.build_index();
        m
    }

    fn build_index(&mut self) {
        self.index = self
            .vocabulary
            .iter()
            .enumerate()
            .map(|(i, n)| (ngram_hash(n), i))
            .collect();
    }

    /// Parses and checks a model file's text.
    pub fn parse(text: &str) -> Result<Model, ClassifyError> {
        let mut m: Model =
            serde_json::from_str(text).map_err(|e| ClassifyError::Format(e.to_string()))?;
        if m.format != FORMAT {
            return Err(ClassifyError::Format(format!(
                "model format {} is not the supported {FORMAT}",
                m.format
            )));
        }
        let report_len = super::features::report_feature_names(&m.indicators).len();
        if m.vocabulary.len() != m.ngram_weights.len() || m.report_weights.len() != report_len {
            return Err(ClassifyError::Format(
                "weights do not match the features".into(),
            ));
        }
        m.build_index();
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

    /// Writes the model as pretty JSON.
    pub fn save(&self, path: &Path) -> Result<(), ClassifyError> {
        let text =
            serde_json::to_string_pretty(self).map_err(|e| ClassifyError::Format(e.to_string()))?;
        std::fs::write(path, text + "\n").map_err(|e| ClassifyError::Io {
            path: path.display().to_string(),
            source: e,
        })
    }

    /// The raw score (before calibration) and the n-gram contributions of an advert, from the
    /// words views of its fields and its screening report.
    pub fn raw_score(&self, words: &[&str], report: &Report) -> (f64, Vec<(usize, f64)>) {
        // Each n-gram is looked up as it comes and marked in a bit set of the vocabulary, which
        // then yields the distinct hits in vocabulary order.
        let mut seen = vec![0u64; self.vocabulary.len().div_ceil(64)];
        for w in words {
            for_each_ngram(w, &self.features, |h, _| {
                if let Some(&i) = self.index.get(&h) {
                    seen[i / 64] |= 1 << (i % 64);
                }
            });
        }
        let hits = set_bits(&seen);
        let scale = if hits.is_empty() {
            0.0
        } else {
            1.0 / (hits.len() as f64).sqrt()
        };
        let contributions: Vec<(usize, f64)> = hits
            .iter()
            .map(|&i| (i, self.ngram_weights[i] * scale))
            .collect();
        let report_part: f64 = report_features(report, &self.indicators)
            .iter()
            .zip(&self.report_weights)
            .map(|(x, w)| x * w)
            .sum();
        let z = self.bias + report_part + contributions.iter().map(|c| c.1).sum::<f64>();
        (z, contributions)
    }

    /// The calibrated probability of a raw score.
    pub fn calibrate(&self, z: f64) -> f64 {
        1.0 / (1.0 + (-(self.platt.a * z + self.platt.b)).exp())
    }

    /// Predicts an advert: calibrated probability and the n-grams that pushed it up most.
    pub fn predict(&self, words: &[&str], report: &Report) -> Prediction {
        let (z, contributions) = self.raw_score(words, report);
        Prediction {
            probability: self.calibrate(z),
            top_ngrams: largest_positive(contributions, TOP_NGRAMS)
                .into_iter()
                .map(|(i, w)| (self.vocabulary[i].clone(), (w * 1000.0).round() / 1000.0))
                .collect(),
        }
    }
}

/// The positions of the set bits, in increasing order.
fn set_bits(words: &[u64]) -> Vec<usize> {
    let mut out = Vec::with_capacity(words.iter().map(|w| w.count_ones() as usize).sum());
    for (k, &word) in words.iter().enumerate() {
        let mut w = word;
        while w != 0 {
            out.push(k * 64 + w.trailing_zeros() as usize);
            w &= w - 1;
        }
    }
    out
}

/// The `n` largest positive contributions, largest first; equal ones in vocabulary order.
fn largest_positive(mut contributions: Vec<(usize, f64)>, n: usize) -> Vec<(usize, f64)> {
    let order = |a: &(usize, f64), b: &(usize, f64)| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
    contributions.retain(|c| c.1 > 0.0);
    if contributions.len() > n {
        contributions.select_nth_unstable_by(n, order);
        contributions.truncate(n);
    }
    contributions.sort_unstable_by(order);
    contributions
}

#[cfg(test)]
mod tests {
    use super::Model;
    use crate::advert::Advert;
    use crate::classify::features::ngram_set;
    use crate::engine::Engine;
    use crate::normalise::Normalised;
    use crate::rules::RuleSet;
    use crate::score::Thresholds;

    #[test]
    fn each_vocabulary_ngram_counts_once_however_often_it_occurs() {
        let model = Model::bundled().expect("bundled model loads");
        let engine = Engine::new(
            RuleSet::bundled().expect("bundled rules"),
            Thresholds::default(),
        );
        let text = "Darbs ārzemēs, darbs ārzemēs! Работа за границей, работа за границей.";
        let advert = Advert {
            id: "a".into(),
            title: "Darbs ārzemēs".into(),
            text: text.into(),
            ..Advert::default()
        };
        let report = engine.screen(&advert);
        let views = [Normalised::words(&advert.title), Normalised::words(text)];
        let words: Vec<&str> = views.iter().map(Normalised::as_str).collect();
        let (_, contributions) = model.raw_score(&words, &report);

        // The definition: the distinct n-grams of all fields that are in the vocabulary.
        let mut expected: Vec<usize> = words
            .iter()
            .flat_map(|w| ngram_set(w, &model.features, None))
            .filter_map(|h| model.index.get(&h).copied())
            .collect();
        expected.sort_unstable();
        expected.dedup();
        assert!(expected.len() > 5, "the text should hit the vocabulary");
        let got: Vec<usize> = contributions.iter().map(|c| c.0).collect();
        assert_eq!(got, expected);
        let scale = 1.0 / (expected.len() as f64).sqrt();
        for (i, w) in &contributions {
            assert_eq!(*w, model.ngram_weights[*i] * scale);
        }
    }

    #[test]
    fn set_bits_lists_every_set_bit_in_order() {
        let words = [0b1001, 0, 1 << 63, u64::MAX];
        let expected: Vec<usize> = [0, 3, 191].into_iter().chain(192..256).collect();
        assert_eq!(super::set_bits(&words), expected);
        assert!(super::set_bits(&[0, 0]).is_empty());
    }

    #[test]
    fn largest_positive_is_a_stable_sort_by_weight_cut_to_n() {
        // Ties, negatives, zero, and fewer positives than asked for.
        let cases: [Vec<(usize, f64)>; 3] = [
            vec![
                (1, 0.5),
                (2, -1.0),
                (3, 0.5),
                (4, 2.0),
                (5, 0.0),
                (6, 0.5),
                (7, 0.1),
                (8, 3.0),
            ],
            vec![(1, 0.2), (2, -0.3)],
            (0..40)
                .map(|i| (i, f64::from((i % 7) as u32) - 2.0))
                .collect(),
        ];
        for c in cases {
            let mut expected = c.clone();
            expected.sort_by(|a, b| b.1.total_cmp(&a.1));
            expected.retain(|x| x.1 > 0.0);
            expected.truncate(super::TOP_NGRAMS);
            assert_eq!(super::largest_positive(c, super::TOP_NGRAMS), expected);
        }
    }
}
