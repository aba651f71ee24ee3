//! Training: choose a vocabulary of the most informative n-grams on the train split (chi-square
//! against the label), fit a logistic regression with linfa for a few regularisation strengths,
//! keep the one with the best dev log loss, calibrate it on dev (Platt scaling), and measure dev
//! and test. The test split is only measured, never used for a choice.

use std::collections::HashMap;

use linfa::Dataset;
use linfa::traits::Fit;
use linfa_logistic::LogisticRegression;
use ndarray::{Array1, Array2};
use sha2::{Digest, Sha256};

use super::ClassifyError;
use super::features::{FeatureConfig, ngram_set, report_feature_names, report_features};
use super::metrics::{log_loss, pr_auc, roc_auc};
use super::model::{ChosenThresholds, Metadata, Model, Platt, SplitMetrics};
use crate::advert::Field;
use crate::corpus::{Label, Labelled, Split};
use crate::engine::Engine;
use crate::extract::Scan;
use crate::score::combine;

/// Training settings.
#[derive(Debug, Clone)]
pub struct TrainOptions {
    /// Feature configuration.
    pub features: FeatureConfig,
    /// Recorded in the model; training itself has no randomness.
    pub seed: u64,
    /// L2 strengths tried; the best on dev is kept.
    pub alphas: Vec<f64>,
    /// Solver iterations.
    pub max_iterations: u64,
    /// The false-positive rate on benign dev adverts the `medium` threshold may cost.
    pub fpr_budget: f64,
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions {
            features: FeatureConfig::default(),
            seed: 42,
            alphas: vec![0.01, 0.1, 1.0],
            max_iterations: 200,
            fpr_budget: 0.02,
        }
    }
}

/// SHA-256 of corpus files given as (name, bytes), in name order, as hex.
pub fn corpus_hash(files: &mut [(String, Vec<u8>)]) -> String {
    files.sort_by(|a, b| a.0.cmp(&b.0));
    let mut h = Sha256::new();
    for (name, bytes) in files.iter() {
        h.update(name.as_bytes());
        h.update([0]);
        h.update(bytes);
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// SHA-256 of the `*.jsonl` files of a corpus folder (see [`corpus_hash`]).
pub fn corpus_hash_of_dir(dir: &std::path::Path) -> Result<String, ClassifyError> {
    let io = |e: std::io::Error| ClassifyError::Io {
        path: dir.display().to_string(),
        source: e,
    };
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let path = entry.map_err(io)?.path();
        if path.extension().is_some_and(|e| e == "jsonl") {
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default()
                .to_string();
            files.push((name, std::fs::read(&path).map_err(io)?));
        }
    }
    Ok(corpus_hash(&mut files))
}

/// One corpus advert turned into what training needs.
struct Example {
    ngrams: Vec<u64>,
    report: Vec<f64>,
    rule_score: u8,
    supported: bool,
    risky: bool,
    split: Split,
}

/// Trains a model on a labelled corpus, screening every advert with `engine` for the report
/// features.
pub fn train(
    corpus: &[Labelled],
    hash: String,
    engine: &Engine,
    options: &TrainOptions,
) -> Result<Model, ClassifyError> {
    let indicators: Vec<String> = engine
        .rules()
        .indicators()
        .iter()
        .map(|i| i.id.clone())
        .collect();
    let mut names: HashMap<u64, String> = HashMap::new();
    let examples: Vec<Example> = corpus
        .iter()
        .map(|a| {
            let advert = a.advert();
            let report = engine.screen(&advert);
            let title = Scan::new(Field::Title, &advert.title);
            let text = Scan::new(Field::Text, &advert.text);
            let mut ngrams = ngram_set(title.words.as_str(), &options.features, Some(&mut names));
            ngrams.extend(ngram_set(
                text.words.as_str(),
                &options.features,
                Some(&mut names),
            ));
            ngrams.sort_unstable();
            ngrams.dedup();
            Example {
                ngrams,
                report: report_features(&report, &indicators),
                rule_score: report.rule_score,
                supported: engine.combination(&report).supports_model(),
                risky: a.label == Label::Risky,
                split: a.split(),
            }
        })
        .collect();
    let of = |s: Split| {
        examples
            .iter()
            .filter(move |e| e.split == s)
            .collect::<Vec<_>>()
    };
    let (train, dev, test) = (of(Split::Train), of(Split::Dev), of(Split::Test));
    if train.iter().all(|e| e.risky) || train.iter().all(|e| !e.risky) || dev.is_empty() {
        return Err(ClassifyError::Corpus(
            "train needs both labels and dev must not be empty".into(),
        ));
    }

    let vocabulary = select_vocabulary(&train, &names, &options.features);
    let index: HashMap<u64, usize> = vocabulary
        .iter()
        .enumerate()
        .map(|(i, (h, _))| (*h, i))
        .collect();
    let width = vocabulary.len() + report_feature_names(&indicators).len();
    let matrix = |rows: &[&Example]| -> (Array2<f64>, Array1<usize>) {
        let mut x = Array2::<f64>::zeros((rows.len(), width));
        for (r, e) in rows.iter().enumerate() {
            let hits: Vec<usize> = e
                .ngrams
                .iter()
                .filter_map(|h| index.get(h).copied())
                .collect();
            let scale = if hits.is_empty() {
                0.0
            } else {
                1.0 / (hits.len() as f64).sqrt()
            };
            for i in hits {
                x[[r, i]] = scale;
            }
            for (k, v) in e.report.iter().enumerate() {
                x[[r, vocabulary.len() + k]] = *v;
            }
        }
        let y = rows.iter().map(|e| usize::from(e.risky)).collect();
        (x, y)
    };
    let (x_train, y_train) = matrix(&train);
    let (x_dev, y_dev) = matrix(&dev);
    let (x_test, y_test) = matrix(&test);

    let mut best: Option<(f64, f64, Array1<f64>, f64)> = None;
    for &alpha in &options.alphas {
        let (w, b) = fit_binary(&x_train, &y_train, alpha, options.max_iterations)?;
        let z = x_dev.dot(&w) + b;
        let scored: Vec<(f64, bool)> = z
            .iter()
            .zip(&y_dev)
            .map(|(z, y)| (1.0 / (1.0 + (-z).exp()), *y == 1))
            .collect();
        let loss = log_loss(&scored);
        if best.as_ref().is_none_or(|b| loss < b.0) {
            best = Some((loss, alpha, w, b));
        }
    }
    let Some((_, alpha, w, b)) = best else {
        return Err(ClassifyError::Fit(
            "no regularisation strength given".into(),
        ));
    };

    // Platt scaling on dev.
    let z_dev = x_dev.dot(&w) + b;
    let z_column = z_dev
        .clone()
        .into_shape_with_order((z_dev.len(), 1))
        .map_err(|e| ClassifyError::Fit(e.to_string()))?;
    let (pa, pb) = fit_binary(&z_column, &y_dev, 1e-6, 100)?;
    let platt = Platt { a: pa[0], b: pb };
    let measure = |x: &Array2<f64>, y: &Array1<usize>| -> SplitMetrics {
        let z = x.dot(&w) + b;
        let scored: Vec<(f64, bool)> = z
            .iter()
            .zip(y)
            .map(|(z, y)| (1.0 / (1.0 + (-(platt.a * z + platt.b)).exp()), *y == 1))
            .collect();
        SplitMetrics {
            adverts: scored.len(),
            roc_auc: roc_auc(&scored).map(round),
            pr_auc: pr_auc(&scored).map(round),
            log_loss: round(log_loss(&scored)),
        }
    };
    let dev_probabilities: Vec<f64> = z_dev
        .iter()
        .map(|z| 1.0 / (1.0 + (-(platt.a * z + platt.b)).exp()))
        .collect();
    let thresholds = choose_thresholds(&dev, &dev_probabilities, options.fpr_budget);
    let metadata = Metadata {
        trained_at: humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string(),
        corpus_hash: hash,
        rules_hash: engine.rules().hash().to_string(),
        seed: options.seed,
        alpha,
        dev: measure(&x_dev, &y_dev),
        test: measure(&x_test, &y_test),
        thresholds,
    };
    let n = vocabulary.len();
    Ok(Model::new(
        options.features,
        vocabulary.into_iter().map(|(_, name)| name).collect(),
        w.iter().take(n).map(|v| round(*v)).collect(),
        indicators,
        w.iter().skip(n).map(|v| round(*v)).collect(),
        round(b),
        platt,
        metadata,
    ))
}

/// The `medium` threshold (10-90) with the highest dev recall among those whose dev
/// false-positive rate stays within `fpr_budget`; on a tie the one with fewer false alarms, then
/// the lowest (which leaves the most recall in hand for unseen adverts).
/// `high` is 20 points above it (at least the default).
fn choose_thresholds(dev: &[&Example], probabilities: &[f64], fpr_budget: f64) -> ChosenThresholds {
    let rate = |medium: u8| {
        let (mut tp, mut fp, mut pos, mut neg) = (0.0, 0.0, 0.0, 0.0);
        for (e, p) in dev.iter().zip(probabilities) {
            let flagged = combine(e.rule_score, *p, e.supported, medium) >= medium;
            if e.risky {
                pos += 1.0;
                tp += f64::from(u8::from(flagged));
            } else {
                neg += 1.0;
                fp += f64::from(u8::from(flagged));
            }
        }
        (tp / f64::max(pos, 1.0), fp / f64::max(neg, 1.0))
    };
    let medium = (10..=90u8)
        .map(|m| (m, rate(m)))
        .filter(|(_, (_, fpr))| *fpr <= fpr_budget)
        .max_by(|a, b| {
            a.1.0
                .total_cmp(&b.1.0)
                .then(b.1.1.total_cmp(&a.1.1))
                .then(b.0.cmp(&a.0))
        })
        .map_or(90, |(m, _)| m);
    let (dev_recall, dev_false_positive_rate) = rate(medium);
    ChosenThresholds {
        medium,
        high: (medium + 20).clamp(crate::score::DEFAULT_HIGH, 95),
        dev_recall: round(dev_recall),
        dev_false_positive_rate: round(dev_false_positive_rate),
    }
}

/// Fits a logistic regression and returns weights and intercept oriented so that
/// `sigmoid(x . w + b)` is the probability of class 1 (linfa makes the majority class positive).
fn fit_binary(
    x: &Array2<f64>,
    y: &Array1<usize>,
    alpha: f64,
    max_iterations: u64,
) -> Result<(Array1<f64>, f64), ClassifyError> {
    let fitted = LogisticRegression::default()
        .alpha(alpha)
        .max_iterations(max_iterations)
        .fit(&Dataset::new(x.clone(), y.clone()))
        .map_err(|e| ClassifyError::Fit(e.to_string()))?;
    let (w, b) = (fitted.params().clone(), fitted.intercept());
    Ok(if fitted.labels().pos.class == 1 {
        (w, b)
    } else {
        (-w, -b)
    })
}

fn round(v: f64) -> f64 {
    (v * 1e6).round() / 1e6
}

/// The `vocabulary_size` n-grams with the highest chi-square against the label on the train
/// split, among those in at least `min_document_frequency` documents; ties by name.
fn select_vocabulary(
    train: &[&Example],
    names: &HashMap<u64, String>,
    config: &FeatureConfig,
) -> Vec<(u64, String)> {
    let mut df: HashMap<u64, (f64, f64)> = HashMap::new();
    for e in train {
        for h in &e.ngrams {
            let slot = df.entry(*h).or_insert((0.0, 0.0));
            if e.risky {
                slot.0 += 1.0;
            } else {
                slot.1 += 1.0;
            }
        }
    }
    let n = train.len() as f64;
    let positives = train.iter().filter(|e| e.risky).count() as f64;
    let negatives = n - positives;
    let mut scored: Vec<(f64, &str, u64)> = df
        .iter()
        .filter(|(_, (p, q))| (p + q) as usize >= config.min_document_frequency)
        .filter_map(|(h, &(a, b))| {
            let (c, d) = (positives - a, negatives - b);
            let denominator = (a + c) * (b + d) * (a + b) * (c + d);
            let chi2 = if denominator > 0.0 {
                n * (a * d - b * c).powi(2) / denominator
            } else {
                0.0
            };
            names.get(h).map(|name| (chi2, name.as_str(), *h))
        })
        .collect();
    scored.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(y.1)));
    scored
        .into_iter()
        .take(config.vocabulary_size)
        .map(|(_, name, h)| (h, name.to_string()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::RuleSet;
    use crate::score::Thresholds;

    #[test]
    fn training_is_deterministic() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/labelled");
        let corpus: Vec<Labelled> = crate::corpus::load_dir(&dir)
            .expect("corpus loads")
            .into_iter()
            .step_by(8)
            .collect();
        let engine = Engine::new(RuleSet::bundled().expect("rules"), Thresholds::default());
        let options = TrainOptions {
            features: FeatureConfig {
                vocabulary_size: 300,
                ..FeatureConfig::default()
            },
            alphas: vec![0.1],
            max_iterations: 50,
            ..TrainOptions::default()
        };
        let a = train(&corpus, "h".into(), &engine, &options).expect("trains");
        let b = train(&corpus, "h".into(), &engine, &options).expect("trains");
        assert_eq!(a.vocabulary, b.vocabulary);
        assert_eq!(a.ngram_weights, b.ngram_weights);
        assert_eq!(a.report_weights, b.report_weights);
        assert_eq!(a.platt, b.platt);
        assert_eq!(a.metadata.thresholds, b.metadata.thresholds);
        assert_eq!(a.vocabulary.len(), 300);
    }

    #[test]
    fn corpus_hash_depends_on_names_and_bytes() {
        let h1 = corpus_hash(&mut [("a".into(), b"x".to_vec()), ("b".into(), b"y".to_vec())]);
        let h2 = corpus_hash(&mut [("b".into(), b"y".to_vec()), ("a".into(), b"x".to_vec())]);
        let h3 = corpus_hash(&mut [("a".into(), b"x".to_vec()), ("b".into(), b"z".to_vec())]);
        assert_eq!(h1, h2);
        assert_ne!(h1, h3);
        assert_eq!(h1.len(), 64);
    }
}
