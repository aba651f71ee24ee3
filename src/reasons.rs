//! The reasons stage: one reason per sign and place. Rules that fire on the same or overlapping
//! words for one indicator (a help-line matched by its Latvian, Russian and English rules; a
//! phrase and a longer phrase around it) become one reason that keeps every rule's id and the
//! strongest weight; reasons about an absence merge per indicator.
//!
//! Scoring and the classifier count the strongest weight per indicator and whether an
//! indicator is shown in the text, so merging never changes a score.

use crate::advert::Advert;
use crate::report::Reason;

/// Merges the reasons of one advert (see the module documentation). The result is in order of
/// field and position, absences last; the evidence of a merged reason is the original text from
/// the first start to the last end.
pub fn merge(mut reasons: Vec<Reason>, advert: &Advert) -> Vec<Reason> {
    reasons.sort_by(|a, b| {
        (&a.indicator, a.field.is_none(), a.field, a.start, a.end).cmp(&(
            &b.indicator,
            b.field.is_none(),
            b.field,
            b.start,
            b.end,
        ))
    });
    let mut merged: Vec<Reason> = Vec::with_capacity(reasons.len());
    for reason in reasons {
        match merged.last_mut() {
            Some(last) if same_place(last, &reason) => absorb(last, reason, advert),
            _ => merged.push(with_own_rule(reason)),
        }
    }
    merged.sort_by_key(|r| (r.field.is_none(), r.field, r.start, r.end));
    merged
}

/// Whether `next` (sorted after `last`) is the same sign at the same or an overlapping place.
fn same_place(last: &Reason, next: &Reason) -> bool {
    if last.indicator != next.indicator || last.field != next.field {
        return false;
    }
    match (last.start, last.end, next.start, next.end) {
        (Some(_), Some(end), Some(start), Some(_)) => start < end,
        (None, None, None, None) => true,
        _ => false,
    }
}

/// A reason as the first of its place: its own rule is the first behind it.
fn with_own_rule(mut reason: Reason) -> Reason {
    if !reason.rules.contains(&reason.rule) {
        reason.rules.insert(0, reason.rule.clone());
    }
    reason
}

/// Folds `next` into `last`: the union of places, every rule, the strongest weight with its
/// rule and explanation.
fn absorb(last: &mut Reason, next: Reason, advert: &Advert) {
    for id in std::iter::once(&next.rule).chain(&next.rules) {
        if !last.rules.contains(id) {
            last.rules.push(id.clone());
        }
    }
    if next.weight.abs() > last.weight.abs() {
        last.weight = next.weight;
        last.rule = next.rule;
        last.explanation = next.explanation;
        // The strongest rule is named first.
        if let Some(i) = last.rules.iter().position(|r| *r == last.rule) {
            let id = last.rules.remove(i);
            last.rules.insert(0, id);
        }
    }
    if let (Some(field), Some(end), Some(next_end)) = (last.field, last.end, next.end) {
        if next_end > end {
            last.end = Some(next_end);
            let span = crate::advert::Span {
                field,
                start: last.start.unwrap_or(0),
                end: next_end,
            };
            last.evidence = advert.evidence(&span).map(str::to_string);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::advert::Field;
    use crate::rules::Texts;

    fn reason(indicator: &str, rule: &str, weight: i32, place: Option<(usize, usize)>) -> Reason {
        Reason {
            indicator: indicator.into(),
            rule: rule.into(),
            rules: Vec::new(),
            weight,
            field: place.map(|_| Field::Text),
            evidence: None,
            start: place.map(|p| p.0),
            end: place.map(|p| p.1),
            explanation: Arc::new(Texts {
                lv: rule.into(),
                en: rule.into(),
                ru: None,
            }),
        }
    }

    fn advert(text: &str) -> Advert {
        Advert {
            id: "a".into(),
            text: text.into(),
            ..Advert::default()
        }
    }

    #[test]
    fn one_place_matched_by_three_rules_is_one_reason_with_every_rule() {
        let a = advert("Zvani 80002012 bez maksas");
        let merged = merge(
            vec![
                reason("awareness", "awareness.lv", -40, Some((6, 14))),
                reason("awareness", "awareness.ru", -40, Some((6, 14))),
                reason("awareness", "awareness.en", -40, Some((6, 14))),
            ],
            &a,
        );
        assert_eq!(merged.len(), 1);
        assert_eq!(
            merged[0].rules,
            ["awareness.lv", "awareness.ru", "awareness.en"]
        );
        assert_eq!(merged[0].weight, -40);
    }

    #[test]
    fn overlapping_words_keep_the_strongest_weight_and_the_union_of_the_words() {
        let a = advert("Bez pieredzes un valodas, alga 3000");
        let merged = merge(
            vec![
                reason("no_skills", "skills.weak", 5, Some((0, 13))),
                reason("no_skills", "skills.strong", 18, Some((4, 24))),
            ],
            &a,
        );
        assert_eq!(merged.len(), 1);
        let r = &merged[0];
        assert_eq!((r.weight, r.rule.as_str()), (18, "skills.strong"));
        assert_eq!(r.rules, ["skills.strong", "skills.weak"]);
        assert_eq!((r.start, r.end), (Some(0), Some(24)));
        assert_eq!(r.evidence.as_deref(), Some("Bez pieredzes un valodas"));
        assert_eq!(r.explanation.en, "skills.strong");
    }

    #[test]
    fn other_places_other_indicators_and_absences_stay_apart() {
        let a = advert("HOSTESS wanted. Hostess, young.");
        let merged = merge(
            vec![
                reason("sexualised", "adult.hostess", 20, Some((0, 7))),
                reason("sexualised", "adult.hostess", 20, Some((16, 23))),
                reason("appearance", "appearance.young", 10, Some((16, 30))),
                reason("no_employer", "employer.none", 8, None),
                reason("no_employer", "employer.phone_only", 5, None),
            ],
            &a,
        );
        let summary: Vec<(&str, Option<usize>)> = merged
            .iter()
            .map(|r| (r.indicator.as_str(), r.start))
            .collect();
        assert_eq!(
            summary,
            [
                ("sexualised", Some(0)),
                ("sexualised", Some(16)),
                ("appearance", Some(16)),
                ("no_employer", None),
            ]
        );
        assert_eq!(merged[3].rules, ["employer.none", "employer.phone_only"]);
    }

    #[test]
    fn touching_but_not_overlapping_words_stay_two_reasons() {
        let a = advert("abcdef");
        let merged = merge(
            vec![
                reason("x", "x.a", 5, Some((0, 3))),
                reason("x", "x.b", 5, Some((3, 6))),
            ],
            &a,
        );
        assert_eq!(merged.len(), 2);
    }
}
