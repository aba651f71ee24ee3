//! Evaluation on the held-out test split: rules alone, classifier alone and combined, side by
//! side; per language, per kind and per indicator; and a precision-recall curve as SVG.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::classify::metrics::{pr_auc, recall_at_fpr, roc_auc};
use crate::corpus::{Label, Labelled, Split};
use crate::engine::Engine;
use crate::score::DEFAULT_MEDIUM;

/// Counts and rates of one way of flagging.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Scores {
    /// Adverts measured.
    pub adverts: usize,
    /// Risky and flagged.
    pub true_positives: usize,
    /// Benign and flagged.
    pub false_positives: usize,
    /// Risky and not flagged.
    pub false_negatives: usize,
    /// Benign and not flagged.
    pub true_negatives: usize,
    /// TP / (TP + FP).
    pub precision: f64,
    /// TP / (TP + FN).
    pub recall: f64,
    /// Harmonic mean of precision and recall.
    pub f1: f64,
    /// FP / (FP + TN).
    pub false_positive_rate: f64,
    /// Ranking quality of the score.
    pub roc_auc: Option<f64>,
    /// Average precision of the score.
    pub pr_auc: Option<f64>,
    /// The highest recall of the score at a false-positive rate of at most 0.05 (the written
    /// split's target).
    pub recall_at_5_percent_fpr: Option<f64>,
}

fn scores(items: &[(f64, bool, bool)]) -> Scores {
    let mut s = Scores {
        adverts: items.len(),
        ..Scores::default()
    };
    for &(_, flagged, risky) in items {
        match (flagged, risky) {
            (true, true) => s.true_positives += 1,
            (true, false) => s.false_positives += 1,
            (false, true) => s.false_negatives += 1,
            (false, false) => s.true_negatives += 1,
        }
    }
    let ratio = |a: usize, b: usize| {
        if b == 0 {
            0.0
        } else {
            round(a as f64 / b as f64)
        }
    };
    s.precision = ratio(s.true_positives, s.true_positives + s.false_positives);
    s.recall = ratio(s.true_positives, s.true_positives + s.false_negatives);
    s.f1 = if s.precision + s.recall > 0.0 {
        round(2.0 * s.precision * s.recall / (s.precision + s.recall))
    } else {
        0.0
    };
    s.false_positive_rate = round(ratio(
        s.false_positives,
        s.false_positives + s.true_negatives,
    ));
    let ranked: Vec<(f64, bool)> = items.iter().map(|x| (x.0, x.2)).collect();
    s.roc_auc = roc_auc(&ranked).map(round);
    s.pr_auc = pr_auc(&ranked).map(round);
    s.recall_at_5_percent_fpr = recall_at_fpr(&ranked, 0.05).map(round);
    s
}

fn round(v: f64) -> f64 {
    (v * 1000.0).round() / 1000.0
}

/// Rules alone, classifier alone, and combined, for one group of adverts.
#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    /// Rule score against the default `medium` threshold.
    pub rules: Scores,
    /// Classifier probability against 0.5.
    pub classifier: Scores,
    /// Combined score against the model's `medium` threshold.
    pub combined: Scores,
}

/// The whole evaluation.
#[derive(Debug, Clone, Serialize)]
pub struct Evaluation {
    /// Which split was measured.
    pub split: String,
    /// All adverts of the split.
    pub overall: Comparison,
    /// Per language.
    pub per_language: BTreeMap<String, Comparison>,
    /// Per kind.
    pub per_kind: BTreeMap<String, Comparison>,
    /// Per labelled indicator: the share of risky adverts with it whose reasons name it.
    pub indicator_recall: BTreeMap<String, f64>,
    /// Share of flagged risky adverts (combined) with at least one labelled indicator among
    /// their reasons.
    pub right_indicator_share: f64,
    /// Precision-recall points of the combined score (recall, precision).
    #[serde(skip)]
    pub pr_curve: Vec<(f64, f64)>,
}

struct Row {
    lang: String,
    kind: String,
    risky: bool,
    rule_score: f64,
    probability: f64,
    combined: f64,
    flagged: bool,
    found: Vec<String>,
    labelled: Vec<String>,
}

/// Screens the test split with `engine` (which must carry a model) and measures it.
pub fn evaluate(corpus: &[Labelled], engine: &Engine) -> Evaluation {
    let medium = engine.thresholds().medium;
    let rows: Vec<Row> = corpus
        .iter()
        .filter(|a| a.split() == Split::Test)
        .map(|a| {
            let report = engine.screen(&a.advert());
            // An advert without a word has no model probability: it counts as 0.
            let probability = report.model_probability.unwrap_or(0.0);
            Row {
                lang: a.lang.as_str().to_string(),
                kind: a.kind.as_str().to_string(),
                risky: a.label == Label::Risky,
                rule_score: f64::from(report.rule_score),
                probability,
                combined: f64::from(report.score),
                flagged: report.score >= medium,
                found: report
                    .reasons
                    .iter()
                    .filter(|r| r.weight > 0)
                    .map(|r| r.indicator.clone())
                    .collect(),
                labelled: a.indicators.clone(),
            }
        })
        .collect();
    let compare = |rows: &[&Row]| Comparison {
        rules: scores(
            &rows
                .iter()
                .map(|r| {
                    (
                        r.rule_score,
                        r.rule_score >= f64::from(DEFAULT_MEDIUM),
                        r.risky,
                    )
                })
                .collect::<Vec<_>>(),
        ),
        classifier: scores(
            &rows
                .iter()
                .map(|r| (r.probability, r.probability >= 0.5, r.risky))
                .collect::<Vec<_>>(),
        ),
        combined: scores(
            &rows
                .iter()
                .map(|r| (r.combined, r.flagged, r.risky))
                .collect::<Vec<_>>(),
        ),
    };
    let all: Vec<&Row> = rows.iter().collect();
    let group = |key: &dyn Fn(&Row) -> String| {
        let mut map: BTreeMap<String, Vec<&Row>> = BTreeMap::new();
        for r in &rows {
            map.entry(key(r)).or_default().push(r);
        }
        map.into_iter()
            .map(|(k, v)| (k, compare(&v)))
            .collect::<BTreeMap<_, _>>()
    };
    let mut indicator_recall = BTreeMap::new();
    let mut labelled_ids: Vec<&String> = rows.iter().flat_map(|r| &r.labelled).collect();
    labelled_ids.sort();
    labelled_ids.dedup();
    for id in labelled_ids {
        let with: Vec<&Row> = rows.iter().filter(|r| r.labelled.contains(id)).collect();
        let found = with.iter().filter(|r| r.found.contains(id)).count();
        indicator_recall.insert(id.clone(), round(found as f64 / with.len() as f64));
    }
    let flagged_risky: Vec<&Row> = rows.iter().filter(|r| r.risky && r.flagged).collect();
    let right = flagged_risky
        .iter()
        .filter(|r| r.labelled.iter().any(|i| r.found.contains(i)))
        .count();
    Evaluation {
        split: "test".into(),
        overall: compare(&all),
        per_language: group(&|r| r.lang.clone()),
        per_kind: group(&|r| r.kind.clone()),
        indicator_recall,
        right_indicator_share: round(right as f64 / f64::max(flagged_risky.len() as f64, 1.0)),
        pr_curve: pr_points(
            &rows
                .iter()
                .map(|r| (r.combined, r.risky))
                .collect::<Vec<_>>(),
        ),
    }
}

/// (recall, precision) after each distinct score, from the highest down.
fn pr_points(scored: &[(f64, bool)]) -> Vec<(f64, f64)> {
    let mut v = scored.to_vec();
    v.sort_by(|a, b| b.0.total_cmp(&a.0));
    let positives = v.iter().filter(|x| x.1).count().max(1) as f64;
    let (mut tp, mut points) = (0.0, Vec::new());
    for (k, x) in v.iter().enumerate() {
        if x.1 {
            tp += 1.0;
        }
        let last_of_score = v.get(k + 1).is_none_or(|n| n.0 != x.0);
        if last_of_score {
            points.push((tp / positives, tp / (k + 1) as f64));
        }
    }
    points
}

/// The precision-recall curve as a small SVG document.
pub fn pr_curve_svg(points: &[(f64, f64)], title: &str) -> String {
    let (w, h, m) = (480.0, 360.0, 48.0);
    let x = |r: f64| m + r * (w - 2.0 * m);
    let y = |p: f64| h - m - p * (h - 2.0 * m);
    let path: Vec<String> = points
        .iter()
        .map(|(r, p)| format!("{:.1},{:.1}", x(*r), y(*p)))
        .collect();
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" font-family=\"sans-serif\" font-size=\"12\">\n\
         <rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n\
         <text x=\"{}\" y=\"24\" text-anchor=\"middle\" font-size=\"14\">{title}</text>\n\
         <line x1=\"{m}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"black\"/>\n\
         <line x1=\"{m}\" y1=\"{m}\" x2=\"{m}\" y2=\"{}\" stroke=\"black\"/>\n\
         <text x=\"{}\" y=\"{}\" text-anchor=\"middle\">recall</text>\n\
         <text x=\"14\" y=\"{}\" text-anchor=\"middle\" transform=\"rotate(-90 14 {})\">precision</text>\n",
        w / 2.0,
        h - m,
        w - m,
        h - m,
        h - m,
        w / 2.0,
        h - 12.0,
        h / 2.0,
        h / 2.0
    );
    for t in [0.0, 0.5, 1.0] {
        svg.push_str(&format!(
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{t}</text>\n<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{t}</text>\n",
            x(t),
            h - m + 16.0,
            m - 6.0,
            y(t) + 4.0
        ));
    }
    svg.push_str(&format!(
        "<polyline fill=\"none\" stroke=\"#c0392b\" stroke-width=\"2\" points=\"{}\"/>\n</svg>\n",
        path.join(" ")
    ));
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn confusion_counts_and_rates() {
        let s = scores(&[
            (0.9, true, true),
            (0.8, true, false),
            (0.2, false, true),
            (0.1, false, false),
        ]);
        assert_eq!(
            (
                s.true_positives,
                s.false_positives,
                s.false_negatives,
                s.true_negatives
            ),
            (1, 1, 1, 1)
        );
        assert_eq!(
            (s.precision, s.recall, s.false_positive_rate),
            (0.5, 0.5, 0.5)
        );
    }

    #[test]
    fn pr_points_end_at_full_recall() {
        let p = pr_points(&[(0.9, true), (0.5, false), (0.4, true)]);
        assert_eq!(p.last(), Some(&(1.0, 2.0 / 3.0)));
        let svg = pr_curve_svg(&p, "t");
        assert!(svg.starts_with("<svg") && svg.contains("polyline"));
    }
}
