//! The engine: one advert in, one [`Report`] out. It owns the compiled rules and the thresholds,
//! and runs the pipeline normalise -> automaton pass -> language -> extract -> kind -> rules ->
//! score
//! (-> classifier). The rules' automaton pass also finds the extractors' word lists, so it comes
//! before extraction.
//! Reading input and writing output belong to `ingest` and `output`.

use crate::advert::{Advert, Field, Kind, Lang};
use crate::classify::Model;
use crate::context;
use crate::detect::Detect;
use crate::extract::{self, Scan};
use crate::report::{Reason, Report};
use crate::rules::{ExampleFailure, FieldPass, Indicator, RuleSet, Texts};
use crate::score::{self, Combination, Sign, Thresholds};

/// Screens adverts; build once, share freely (it is immutable).
#[derive(Debug)]
pub struct Engine {
    rules: RuleSet,
    detect: Detect,
    thresholds: Thresholds,
    model: Option<Model>,
}

impl Engine {
    /// An engine over a rule set with the given thresholds.
    pub fn new(rules: RuleSet, thresholds: Thresholds) -> Engine {
        Engine {
            rules,
            detect: Detect::new(),
            thresholds,
            model: None,
        }
    }

    /// The same engine with a classifier: scores combine rules and model.
    pub fn with_model(mut self, model: Model) -> Engine {
        self.model = Some(model);
        self
    }

    /// The classifier in use, if any.
    pub fn model(&self) -> Option<&Model> {
        self.model.as_ref()
    }

    /// The rules in use.
    pub fn rules(&self) -> &RuleSet {
        &self.rules
    }

    /// The thresholds in use.
    pub fn thresholds(&self) -> Thresholds {
        self.thresholds
    }

    /// Screens one advert.
    pub fn screen(&self, advert: &Advert) -> Report {
        let scans = [
            Scan::new(Field::Title, &advert.title),
            Scan::new(Field::Text, &advert.text),
        ];
        // One automaton pass per field finds the rules' phrases and the extractors' words.
        let mut passes = self.rules.passes(&scans);
        let words = passes.iter_mut().map(FieldPass::take_words).collect();
        let language = advert.lang.unwrap_or_else(|| {
            let sample = if advert.text.len() >= advert.title.len() {
                &advert.text
            } else {
                &advert.title
            };
            self.detect.lang(sample)
        });
        let entities = extract::extract_with_words(&scans, self.rules.market(), words, language);
        let words: Vec<&str> = scans.iter().map(|s| s.words.as_str()).collect();
        let kind = advert
            .kind
            .unwrap_or_else(|| self.detect.kind(&words, &entities));
        let mut hits = self.rules.hits(&scans, passes, &entities);
        // The context stage decides which hits count where they stand.
        context::keep_counting(&self.rules, &mut hits, &scans, kind, language, &entities);
        let hits = self.rules.settle(hits);
        let rules = self.rules.rules();
        let evidence = score::evidence_parts(hits.iter().map(|h| {
            let r = &rules[h.rule];
            (r.indicator, r.weight, r.checkable)
        }));
        let combination = self.combination_of(
            hits.iter()
                .filter(|h| rules[h.rule].weight > 0)
                .map(|h| (rules[h.rule].indicator, h.span.is_some())),
        );
        let rule_score = score::rule_score(evidence, &combination, self.thresholds.medium);
        let reasons: Vec<Reason> = hits
            .iter()
            .map(|h| {
                let rule = &rules[h.rule];
                Reason {
                    indicator: self.rules.indicator_of(rule).id.clone(),
                    rule: rule.id.clone(),
                    rules: vec![rule.id.clone()],
                    weight: rule.weight,
                    field: h.span.map(|s| s.field),
                    evidence: h.span.and_then(|s| advert.evidence(&s)).map(str::to_string),
                    start: h.span.map(|s| s.start),
                    end: h.span.map(|s| s.end),
                    explanation: match (&rule.explain_marriage, kind) {
                        (Some(m), Kind::Marriage) => m.clone(),
                        _ => rule.explain.clone(),
                    },
                }
            })
            .collect();
        let reasons = crate::reasons::merge(reasons, advert);
        let mut report = Report {
            id: advert.id.clone(),
            kind,
            language,
            score: rule_score,
            level: self.thresholds.level(rule_score),
            flagged: false,
            rule_score,
            model_probability: None,
            reasons,
            entities,
        };
        // An advert without a word gives the model nothing to judge.
        let has_words = words
            .iter()
            .any(|w| w.chars().any(crate::normalise::is_word_char));
        if let Some(model) = self.model.as_ref().filter(|_| has_words) {
            let prediction = model.predict(&report, &combination);
            let supported = combination.supports_model();
            report.score = score::combine(
                rule_score,
                prediction.probability,
                supported,
                self.thresholds.medium,
            );
            report.model_probability = Some((prediction.probability * 1000.0).round() / 1000.0);
            report
                .reasons
                .push(model_reason(&prediction, self.rules.indicators()));
        }
        report.level = self.thresholds.level(report.score);
        report.flagged = report.level >= self.thresholds.flag;
        report
    }

    /// Recomputes the score, level and flag of a report from the reasons it now carries, after a
    /// caller added or replaced reasons that do not come from the text (such as a contact shared
    /// with other adverts). Reasons name their indicator by id.
    pub fn rescore(&self, report: &mut Report) {
        let indicators = self.rules.indicators();
        let rules = self.rules.rules();
        let index_of = |id: &str| indicators.iter().position(|i| i.id == id);
        let evidence = score::evidence_parts(
            report
                .reasons
                .iter()
                .filter(|r| r.weight != 0)
                .enumerate()
                .map(|(n, r)| {
                    let checkable = rules.iter().any(|x| x.id == r.rule && x.checkable);
                    // An id outside the list still counts, as an indicator of its own.
                    let indicator = index_of(&r.indicator).unwrap_or(indicators.len() + n);
                    (indicator, r.weight, checkable)
                }),
        );
        let combination = self.combination(report);
        report.rule_score = score::rule_score(evidence, &combination, self.thresholds.medium);
        report.score = match report.model_probability {
            Some(p) => score::combine(
                report.rule_score,
                p,
                combination.supports_model(),
                self.thresholds.medium,
            ),
            None => report.rule_score,
        };
        report.level = self.thresholds.level(report.score);
        report.flagged = report.level >= self.thresholds.flag;
    }

    /// The combination of risk signs among a report's reasons (by indicator id; reasons of
    /// unknown or mitigating indicators are not signs).
    pub fn combination(&self, report: &Report) -> Combination {
        let indicators = self.rules.indicators();
        self.combination_of(
            report
                .reasons
                .iter()
                .filter(|r| r.weight > 0)
                .filter_map(|r| {
                    let i = indicators.iter().position(|x| x.id == r.indicator)?;
                    Some((i, r.field.is_some()))
                }),
        )
    }

    /// The combination of signs given as (indicator index, shown in the text).
    fn combination_of(&self, found: impl IntoIterator<Item = (usize, bool)>) -> Combination {
        let indicators = self.rules.indicators();
        Combination::of(found.into_iter().filter_map(|(indicator, in_text)| {
            let i = indicators.get(indicator)?;
            Some(Sign {
                indicator,
                strength: i.strength?,
                dimension: i.dimension?,
                in_text,
            })
        }))
    }

    /// Runs every rule's examples (each screened as the text of an advert with kind guessed).
    pub fn check_examples(&self) -> Vec<ExampleFailure> {
        self.rules.check_examples(|text| {
            let advert = Advert {
                id: "example".into(),
                text: text.to_string(),
                ..Advert::default()
            };
            let report = self.screen(&advert);
            let ids: Vec<&str> = report
                .reasons
                .iter()
                .flat_map(|r| r.rules.iter().map(String::as_str))
                .collect();
            self.rules
                .rules()
                .iter()
                .enumerate()
                .filter(|(_, r)| ids.contains(&r.id.as_str()))
                .map(|(i, _)| i)
                .collect()
        })
    }
}

/// The classifier's own reason: its probability and, in words, the signs and facts that raised
/// and lowered it most.
fn model_reason(p: &crate::classify::Prediction, indicators: &[Indicator]) -> Reason {
    let percent = (p.probability * 100.0).round();
    let list = |side: &[crate::classify::model::Contribution], lang: Lang| {
        side.iter()
            .map(|c| c.feature.describe(c.value, indicators, lang))
            .collect::<Vec<_>>()
            .join("; ")
    };
    let text = |lang: Lang, intro: String, up: &str, down: &str, none: &str| {
        let mut t = intro;
        let raised = list(&p.raised, lang);
        let lowered = list(&p.lowered, lang);
        if raised.is_empty() && lowered.is_empty() {
            t.push(' ');
            t.push_str(none);
        }
        if !raised.is_empty() {
            t.push_str(&format!(" {up}: {raised}."));
        }
        if !lowered.is_empty() {
            t.push_str(&format!(" {down}: {lowered}."));
        }
        t
    };
    Reason {
        indicator: "classifier".into(),
        rule: "classifier.signs".into(),
        rules: vec!["classifier.signs".into()],
        weight: 0,
        field: None,
        evidence: None,
        start: None,
        end: None,
        explanation: std::sync::Arc::new(Texts {
            lv: text(
                Lang::Lv,
                format!(
                    "Statistiskais modelis, kas mācījies no sludinājumiem, kurus cilvēki jau novērtējuši, lēš, ka šis sludinājums ir riskants ar varbūtību {percent}%."
                ),
                "Varbūtību palielina",
                "Samazina",
                "Tas neatrada neko, kas to mainītu.",
            ),
            en: text(
                Lang::En,
                format!(
                    "A statistical model that learned from adverts people have already judged puts the chance that this advert is risky at {percent}%."
                ),
                "Raised by",
                "Lowered by",
                "It found nothing that moves it either way.",
            ),
            ru: Some(text(
                Lang::Ru,
                format!(
                    "Статистическая модель, обученная на объявлениях, которые уже оценили люди, считает, что это объявление рискованное с вероятностью {percent}%."
                ),
                "Вероятность повышают",
                "Понижают",
                "Она не нашла ничего, что меняло бы оценку.",
            )),
        }),
    }
}
