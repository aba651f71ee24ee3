//! Training: every advert (the labelled corpus written for the project and, when given, the
//! real adverts of `../shared/data/real-adverts/`) is screened and turned into the readable
//! features of [`crate::classify::features`]; a logistic regression is fitted with linfa on the train split
//! for a few regularisation strengths, the one with the best dev log loss is kept, calibrated on
//! dev (Platt scaling), and measured on dev and test. Then each source is left out in turn: a
//! model trained on the others scores it, which says how the classifier does on adverts unlike
//! those it learned from. The test split is only measured, never used for a choice.

use linfa::Dataset;
use linfa::traits::Fit;
use linfa_logistic::LogisticRegression;
use ndarray::{Array1, Array2};
use rayon::prelude::*;
use sha2::{Digest, Sha256};

use crate::advert::Advert;
use crate::classify::ClassifyError;
use crate::classify::features::{Direction, Feature, feature_set, values};
use crate::classify::metrics::{log_loss, pr_auc, roc_auc};
use crate::classify::model::{
    ChosenThresholds, Metadata, Model, Platt, Provenance, SourceCount, SourceFigures, SplitMetrics,
};
use crate::corpus::{Label, Labelled, Split, split_of};
use crate::engine::Engine;
use crate::score::combine;

/// The source name of the corpus written for the project.
pub const WRITTEN: &str = "written";

/// Training settings.
#[derive(Debug, Clone)]
pub struct TrainOptions {
    /// Recorded in the model; training itself has no randomness.
    pub seed: u64,
    /// L2 strengths tried; the best on dev is kept.
    pub alphas: Vec<f64>,
    /// Solver iterations.
    pub max_iterations: u64,
    /// The false-positive rate on written benign dev adverts the `medium` threshold may cost.
    pub fpr_budget: f64,
    /// The share of real ordinary dev adverts the `medium` threshold may flag.
    pub real_fpr_budget: f64,
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions {
            seed: 42,
            alphas: vec![0.01, 0.1, 1.0],
            max_iterations: 200,
            fpr_budget: 0.02,
            real_fpr_budget: 0.01,
        }
    }
}

/// A labelled advert from any source, as training takes it.
#[derive(Debug, Clone)]
pub struct TrainingAdvert {
    /// [`WRITTEN`] or a real-advert file's stem.
    pub source: String,
    /// The advert.
    pub advert: Advert,
    /// Risky (or fraudulent) rather than ordinary.
    pub risky: bool,
}

/// The corpus written for the project as training adverts.
pub fn written_adverts(corpus: &[Labelled]) -> Vec<TrainingAdvert> {
    corpus
        .iter()
        .map(|a| TrainingAdvert {
            source: WRITTEN.into(),
            advert: a.advert(),
            risky: a.label == Label::Risky,
        })
        .collect()
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

/// One advert turned into what training needs.
struct Example {
    x: Vec<f64>,
    rule_score: u8,
    supported: bool,
    risky: bool,
    split: Split,
    source: usize,
}

/// Trains a model on labelled adverts from one or more sources, screening every advert with
/// `engine` for the features. `hash` is the written corpus's, `real_hash` the real files'.
pub fn train(
    adverts: &[TrainingAdvert],
    hash: String,
    real_hash: Option<String>,
    engine: &Engine,
    options: &TrainOptions,
) -> Result<Model, ClassifyError> {
    let features = feature_set(engine.rules().indicators());
    let directions: Vec<Option<Direction>> = features.iter().map(Feature::direction).collect();
    let mut sources: Vec<String> = adverts.iter().map(|a| a.source.clone()).collect();
    sources.sort();
    sources.dedup();
    let examples: Vec<Example> = adverts
        .par_iter()
        .map(|a| {
            let report = engine.screen(&a.advert);
            let combination = engine.combination(&report);
            Example {
                x: values(&features, &report, &combination),
                rule_score: report.rule_score,
                supported: combination.supports_model(),
                risky: a.risky,
                split: split_of(&a.advert.id),
                source: sources.binary_search(&a.source).unwrap_or_default(),
            }
        })
        .collect();
    let of = |s: Split| examples.iter().filter(|e| e.split == s).collect::<Vec<_>>();
    let (train, dev, test) = (of(Split::Train), of(Split::Dev), of(Split::Test));
    if !both_labels(&train) || dev.is_empty() {
        return Err(ClassifyError::Corpus(
            "train needs both labels and dev must not be empty".into(),
        ));
    }
    let (x_train, y_train) = matrix(&train, features.len());
    let (x_dev, y_dev) = matrix(&dev, features.len());
    let (x_test, y_test) = matrix(&test, features.len());

    let mut best: Option<(f64, f64, Array1<f64>, f64)> = None;
    for &alpha in &options.alphas {
        let (w, b) = fit_signed(
            &x_train,
            &y_train,
            alpha,
            options.max_iterations,
            &directions,
        )?;
        let scored = scored(&x_dev, &y_dev, &w, b, Platt { a: 1.0, b: 0.0 });
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
        let scored = scored(x, y, &w, b, platt);
        SplitMetrics {
            adverts: scored.len(),
            roc_auc: roc_auc(&scored).map(round),
            pr_auc: pr_auc(&scored).map(round),
            log_loss: round(log_loss(&scored)),
        }
    };
    let dev_probabilities: Vec<f64> = scored(&x_dev, &y_dev, &w, b, platt)
        .into_iter()
        .map(|s| s.0)
        .collect();
    let written = sources.binary_search(&WRITTEN.to_string()).ok();
    let thresholds = choose_thresholds(&dev, &dev_probabilities, written, options);

    // The trap check on dev and test: can the probability tell written from real adverts of
    // the same label?
    let held: Vec<&Example> = dev.iter().chain(&test).copied().collect();
    let (x_held, y_held) = matrix(&held, features.len());
    let held_scored = scored(&x_held, &y_held, &w, b, platt);
    let provenance = written.map(|wi| {
        let auc = |risky: bool| {
            let v: Vec<(f64, bool)> = held
                .iter()
                .zip(&held_scored)
                .filter(|(e, _)| e.risky == risky)
                .map(|(e, s)| (s.0, e.source == wi))
                .collect();
            roc_auc(&v).map(round)
        };
        Provenance {
            ordinary_roc_auc: auc(false),
            risky_roc_auc: auc(true),
        }
    });

    let leave_one_source_out = if sources.len() > 1 {
        (0..sources.len())
            .map(|s| {
                leave_out(
                    &examples,
                    s,
                    &sources[s],
                    alpha,
                    thresholds.medium,
                    &directions,
                    options,
                )
            })
            .collect::<Result<Vec<_>, _>>()?
    } else {
        Vec::new()
    };
    let counts = sources
        .iter()
        .enumerate()
        .map(|(i, name)| SourceCount {
            source: name.clone(),
            risky: examples.iter().filter(|e| e.source == i && e.risky).count(),
            ordinary: examples
                .iter()
                .filter(|e| e.source == i && !e.risky)
                .count(),
        })
        .collect();
    let metadata = Metadata {
        trained_at: humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string(),
        corpus_hash: hash,
        rules_hash: engine.rules().hash().to_string(),
        seed: options.seed,
        alpha,
        dev: measure(&x_dev, &y_dev),
        test: measure(&x_test, &y_test),
        thresholds,
        real_hash,
        sources: counts,
        leave_one_source_out,
        provenance,
    };
    Ok(Model::new(
        features,
        w.iter().map(|v| round(*v)).collect(),
        round(b),
        platt,
        metadata,
    ))
}

fn both_labels(rows: &[&Example]) -> bool {
    rows.iter().any(|e| e.risky) && rows.iter().any(|e| !e.risky)
}

fn matrix(rows: &[&Example], width: usize) -> (Array2<f64>, Array1<usize>) {
    let mut x = Array2::<f64>::zeros((rows.len(), width));
    for (r, e) in rows.iter().enumerate() {
        for (k, v) in e.x.iter().enumerate() {
            x[[r, k]] = *v;
        }
    }
    let y = rows.iter().map(|e| usize::from(e.risky)).collect();
    (x, y)
}

/// (calibrated probability, risky) of each row.
fn scored(
    x: &Array2<f64>,
    y: &Array1<usize>,
    w: &Array1<f64>,
    b: f64,
    platt: Platt,
) -> Vec<(f64, bool)> {
    let z = x.dot(w) + b;
    z.iter()
        .zip(y)
        .map(|(z, y)| (1.0 / (1.0 + (-(platt.a * z + platt.b)).exp()), *y == 1))
        .collect()
}

/// Trains on every source but one (all splits, the chosen `alpha`, no calibration) and scores
/// the one left out, rules and model combined as the engine combines them.
fn leave_out(
    examples: &[Example],
    source: usize,
    name: &str,
    alpha: f64,
    medium: u8,
    directions: &[Option<Direction>],
    options: &TrainOptions,
) -> Result<SourceFigures, ClassifyError> {
    let rest: Vec<&Example> = examples.iter().filter(|e| e.source != source).collect();
    let out: Vec<&Example> = examples.iter().filter(|e| e.source == source).collect();
    let width = out.first().map_or(0, |e| e.x.len());
    let mut figures = SourceFigures {
        source: name.to_string(),
        ..SourceFigures::default()
    };
    if !both_labels(&rest) || out.is_empty() {
        return Ok(figures);
    }
    let (x_rest, y_rest) = matrix(&rest, width);
    let (w, b) = fit_signed(&x_rest, &y_rest, alpha, options.max_iterations, directions)?;
    let (x_out, y_out) = matrix(&out, width);
    let model = scored(&x_out, &y_out, &w, b, Platt { a: 1.0, b: 0.0 });
    let combined: Vec<(f64, bool)> = out
        .iter()
        .zip(&model)
        .map(|(e, m)| {
            let s = combine(e.rule_score, m.0, e.supported, medium);
            (f64::from(s), e.risky)
        })
        .collect();
    let flagged_share = |risky: bool| {
        let rows: Vec<&(f64, bool)> = combined.iter().filter(|c| c.1 == risky).collect();
        (!rows.is_empty()).then(|| {
            round(
                rows.iter().filter(|c| c.0 >= f64::from(medium)).count() as f64 / rows.len() as f64,
            )
        })
    };
    figures.model_roc_auc = roc_auc(&model).map(round);
    figures.combined_roc_auc = roc_auc(&combined).map(round);
    figures.ordinary_flagged = flagged_share(false);
    figures.recall = flagged_share(true);
    Ok(figures)
}

/// The `medium` threshold (20-90) with the highest dev recall among those whose false-positive
/// rate stays within `fpr_budget` on written benign dev adverts and within `real_fpr_budget` on
/// real ordinary ones; on a tie the one with fewer false alarms, then the lowest (which leaves
/// the most recall in hand for unseen adverts). `high` is 20 points above it (at least the
/// default).
fn choose_thresholds(
    dev: &[&Example],
    probabilities: &[f64],
    written: Option<usize>,
    options: &TrainOptions,
) -> ChosenThresholds {
    let rate = |medium: u8| {
        let (mut tp, mut pos) = (0.0, 0.0);
        // False alarms and ordinary adverts: written, then real.
        let mut fp = [0.0; 2];
        let mut neg = [0.0; 2];
        for (e, p) in dev.iter().zip(probabilities) {
            let flagged = f64::from(u8::from(
                combine(e.rule_score, *p, e.supported, medium) >= medium,
            ));
            if e.risky {
                pos += 1.0;
                tp += flagged;
            } else {
                let k = usize::from(Some(e.source) != written);
                neg[k] += 1.0;
                fp[k] += flagged;
            }
        }
        let fpr = |k: usize| fp[k] / f64::max(neg[k], 1.0);
        (tp / f64::max(pos, 1.0), fpr(0), fpr(1))
    };
    let medium = (20..=90u8)
        .map(|m| (m, rate(m)))
        .filter(|(_, (_, w, r))| *w <= options.fpr_budget && *r <= options.real_fpr_budget)
        .max_by(|a, b| {
            a.1.0
                .total_cmp(&b.1.0)
                .then((b.1.1 + b.1.2).total_cmp(&(a.1.1 + a.1.2)))
                .then(b.0.cmp(&a.0))
        })
        .map_or(90, |(m, _)| m);
    let (dev_recall, written_fpr, real_fpr) = rate(medium);
    ChosenThresholds {
        medium,
        high: (medium + 20).clamp(crate::score::DEFAULT_HIGH, 95),
        dev_recall: round(dev_recall),
        dev_false_positive_rate: round(written_fpr.max(real_fpr)),
    }
}

/// Fits a logistic regression whose weights keep the sides `directions` give them: while a
/// weight comes out against its feature's meaning (a risk sign lowering the probability, a
/// mitigating sign raising it), the feature with the largest such weight is left out (its column
/// zeroed, so its weight is 0) and the model fitted again.
fn fit_signed(
    x: &Array2<f64>,
    y: &Array1<usize>,
    alpha: f64,
    max_iterations: u64,
    directions: &[Option<Direction>],
) -> Result<(Array1<f64>, f64), ClassifyError> {
    let mut x = x.clone();
    let mut left_out = vec![false; x.ncols()];
    loop {
        let (mut w, b) = fit_binary(&x, y, alpha, max_iterations)?;
        let against = |(k, v): (usize, &f64)| {
            if left_out.get(k).copied().unwrap_or(true) {
                return None;
            }
            match directions.get(k).copied().flatten() {
                Some(Direction::Raises) if *v < 0.0 => Some((k, -*v)),
                Some(Direction::Lowers) if *v > 0.0 => Some((k, *v)),
                _ => None,
            }
        };
        let worst = w
            .iter()
            .enumerate()
            .filter_map(against)
            .max_by(|a, b| a.1.total_cmp(&b.1));
        match worst {
            // Each round leaves one more feature out, so this ends; a left-out feature keeps a
            // weight near 0 from the penalty alone: make it 0.
            None => {
                for (k, out) in left_out.iter().enumerate() {
                    if *out {
                        w[k] = 0.0;
                    }
                }
                return Ok((w, b));
            }
            Some((k, _)) => {
                left_out[k] = true;
                x.column_mut(k).fill(0.0);
            }
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::RuleSet;
    use crate::score::Thresholds;

    fn corpus() -> Vec<TrainingAdvert> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/labelled");
        let corpus: Vec<Labelled> = crate::corpus::load_dir(&dir)
            .expect("corpus loads")
            .into_iter()
            .step_by(6)
            .collect();
        written_adverts(&corpus)
    }

    fn options() -> TrainOptions {
        TrainOptions {
            alphas: vec![0.1],
            max_iterations: 50,
            ..TrainOptions::default()
        }
    }

    #[test]
    fn training_is_deterministic() {
        let adverts = corpus();
        let engine = Engine::new(RuleSet::bundled().expect("rules"), Thresholds::default());
        let a = train(&adverts, "h".into(), None, &engine, &options()).expect("trains");
        let b = train(&adverts, "h".into(), None, &engine, &options()).expect("trains");
        assert_eq!(a.features, b.features);
        assert_eq!(a.weights, b.weights);
        assert_eq!(a.platt, b.platt);
        assert_eq!(a.metadata.thresholds, b.metadata.thresholds);
        assert_eq!(
            a.features.len(),
            feature_set(engine.rules().indicators()).len()
        );
        // One source: nothing to leave out, nothing to tell apart.
        assert!(a.metadata.leave_one_source_out.is_empty());
        assert_eq!(
            a.metadata.provenance.map(|p| p.ordinary_roc_auc),
            Some(None)
        );
    }

    #[test]
    fn no_weight_goes_against_what_its_feature_means() {
        let adverts = corpus();
        let engine = Engine::new(RuleSet::bundled().expect("rules"), Thresholds::default());
        let model = train(&adverts, "h".into(), None, &engine, &options()).expect("trains");
        assert_eq!(model.against_meaning(), Vec::<&str>::new());
    }

    #[test]
    fn a_feature_against_its_direction_is_left_out() {
        // Column 0 raises the label, column 1 (said to raise it) goes with the other label.
        let rows = 40;
        let mut x = Array2::<f64>::zeros((rows, 2));
        let mut y = Array1::<usize>::zeros(rows);
        for r in 0..rows {
            let risky = r % 2 == 0;
            y[r] = usize::from(risky);
            x[[r, 0]] = if risky { 1.0 } else { 0.0 };
            x[[r, 1]] = if risky == (r % 5 == 0) { 1.0 } else { 0.0 };
        }
        let free = fit_signed(&x, &y, 0.1, 100, &[None, None]).expect("fits");
        assert!(
            free.0[1] < 0.0,
            "unconstrained, the second weight is negative"
        );
        let raises = [Some(Direction::Raises), Some(Direction::Raises)];
        let (w, _) = fit_signed(&x, &y, 0.1, 100, &raises).expect("fits");
        assert!(w[0] > 0.0);
        assert_eq!(w[1], 0.0);
    }

    #[test]
    fn each_source_is_left_out_once_and_scored_by_a_model_without_it() {
        // Two sources that differ only in name: each left out, each scored like the other.
        let mut adverts = corpus();
        let n = adverts.len();
        for (i, a) in adverts.iter_mut().enumerate() {
            if i % 2 == 1 {
                a.source = "other".into();
            }
        }
        let engine = Engine::new(RuleSet::bundled().expect("rules"), Thresholds::default());
        let m = train(&adverts, "h".into(), None, &engine, &options()).expect("trains");
        let out = &m.metadata.leave_one_source_out;
        assert_eq!(
            out.iter().map(|f| f.source.as_str()).collect::<Vec<_>>(),
            ["other", WRITTEN]
        );
        for f in out {
            let auc = f.model_roc_auc.expect("both labels");
            assert!(auc > 0.8, "{f:?}");
        }
        let counts: usize = m
            .metadata
            .sources
            .iter()
            .map(|s| s.risky + s.ordinary)
            .sum();
        assert_eq!(counts, n);
        // Sources that differ only by name cannot be told apart.
        let p = m.metadata.provenance.expect("written is a source");
        let auc = p.ordinary_roc_auc.expect("both sources");
        assert!((0.3..0.7).contains(&auc), "{p:?}");
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
