//! Ranking and calibration metrics over (score, is_risky) pairs: ROC-AUC, PR-AUC (average
//! precision) and log loss. Shared by training and evaluation.

/// Area under the ROC curve: the chance that a random risky advert scores above a random benign
/// one (ties count half). `None` when one class is missing.
pub fn roc_auc(scored: &[(f64, bool)]) -> Option<f64> {
    let mut v: Vec<(f64, bool)> = scored.to_vec();
    v.sort_by(|a, b| a.0.total_cmp(&b.0));
    let positives = v.iter().filter(|x| x.1).count() as f64;
    let negatives = v.len() as f64 - positives;
    if positives == 0.0 || negatives == 0.0 {
        return None;
    }
    // Sum of ranks of positives, with average ranks for ties.
    let mut rank_sum = 0.0;
    let mut i = 0;
    while i < v.len() {
        let mut j = i;
        while j < v.len() && v[j].0 == v[i].0 {
            j += 1;
        }
        let avg_rank = (i + j + 1) as f64 / 2.0;
        rank_sum += v[i..j].iter().filter(|x| x.1).count() as f64 * avg_rank;
        i = j;
    }
    Some((rank_sum - positives * (positives + 1.0) / 2.0) / (positives * negatives))
}

/// Average precision: the mean of the precision at each risky advert, ranking by score. Adverts
/// with the same score are taken as one group, so the result does not depend on input order.
pub fn pr_auc(scored: &[(f64, bool)]) -> Option<f64> {
    let mut v: Vec<(f64, bool)> = scored.to_vec();
    v.sort_by(|a, b| b.0.total_cmp(&a.0));
    let positives = v.iter().filter(|x| x.1).count();
    if positives == 0 {
        return None;
    }
    let (mut tp, mut seen, mut sum) = (0usize, 0usize, 0.0);
    for group in v.chunk_by(|a, b| a.0 == b.0) {
        let group_positives = group.iter().filter(|x| x.1).count();
        tp += group_positives;
        seen += group.len();
        sum += group_positives as f64 * tp as f64 / seen as f64;
    }
    Some(sum / positives as f64)
}

/// The highest recall over thresholds on the score (tied scores taken together) that flags at
/// most `max_fpr` of the benign adverts. `None` when one class is missing.
pub fn recall_at_fpr(scored: &[(f64, bool)], max_fpr: f64) -> Option<f64> {
    let mut v: Vec<(f64, bool)> = scored.to_vec();
    v.sort_by(|a, b| b.0.total_cmp(&a.0));
    let positives = v.iter().filter(|x| x.1).count();
    let negatives = v.len() - positives;
    if positives == 0 || negatives == 0 {
        return None;
    }
    let (mut tp, mut fp, mut best) = (0usize, 0usize, 0.0_f64);
    for group in v.chunk_by(|a, b| a.0 == b.0) {
        tp += group.iter().filter(|x| x.1).count();
        fp += group.iter().filter(|x| !x.1).count();
        if fp as f64 / negatives as f64 > max_fpr {
            break;
        }
        best = tp as f64 / positives as f64;
    }
    Some(best)
}

/// Mean log loss of probabilities (clipped away from 0 and 1).
pub fn log_loss(scored: &[(f64, bool)]) -> f64 {
    if scored.is_empty() {
        return 0.0;
    }
    let eps = 1e-12;
    scored
        .iter()
        .map(|&(p, y)| {
            let p = p.clamp(eps, 1.0 - eps);
            if y { -p.ln() } else { -(1.0 - p).ln() }
        })
        .sum::<f64>()
        / scored.len() as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn perfect_and_random_rankings() {
        let perfect = [(0.9, true), (0.8, true), (0.2, false), (0.1, false)];
        assert_eq!(roc_auc(&perfect), Some(1.0));
        assert_eq!(pr_auc(&perfect), Some(1.0));
        let inverted = [(0.1, true), (0.2, true), (0.8, false), (0.9, false)];
        assert_eq!(roc_auc(&inverted), Some(0.0));
        let ties = [(0.5, true), (0.5, false)];
        assert_eq!(roc_auc(&ties), Some(0.5));
        assert_eq!(roc_auc(&[(0.5, true)]), None);
    }

    #[test]
    fn average_precision_counts_ranks() {
        // Ranked: P N P -> (1/1 + 2/3) / 2.
        let v = [(0.9, true), (0.8, false), (0.7, true)];
        let ap = pr_auc(&v).expect("has positives");
        assert!((ap - (1.0 + 2.0 / 3.0) / 2.0).abs() < 1e-12);
    }

    #[test]
    fn average_precision_ignores_the_order_of_ties() {
        let a = pr_auc(&[(0.5, true), (0.5, false), (0.1, true)]);
        let b = pr_auc(&[(0.5, false), (0.5, true), (0.1, true)]);
        assert_eq!(a, b);
    }

    #[test]
    fn log_loss_of_confident_right_answers_is_small() {
        assert!(log_loss(&[(0.99, true), (0.01, false)]) < 0.02);
        assert!(log_loss(&[(0.01, true)]) > 4.0);
    }

    #[test]
    fn recall_at_a_false_positive_rate() {
        // Scores: risky 0.9, 0.8, 0.4; benign 0.7, 0.3, 0.2, 0.1.
        let scored = [
            (0.9, true),
            (0.8, true),
            (0.4, true),
            (0.7, false),
            (0.3, false),
            (0.2, false),
            (0.1, false),
        ];
        assert_eq!(recall_at_fpr(&scored, 0.0), Some(2.0 / 3.0));
        assert_eq!(recall_at_fpr(&scored, 0.25), Some(1.0));
        assert_eq!(recall_at_fpr(&[(0.5, true)], 0.1), None);
    }
}
