//! The committed classifier: it loads, it was trained on the committed corpus, and it separates
//! risky from benign adverts.

use adscreen::classify::Model;
use adscreen::learning::train::corpus_hash_of_dir;

use crate::util::{ENGINE, root};

#[test]
fn committed_model_loads_and_matches_the_committed_corpus() {
    let model = Model::bundled().expect("models/classifier.json loads");
    assert_eq!(
        model.metadata.corpus_hash,
        corpus_hash_of_dir(&root().join("corpus/labelled")).expect("corpus readable"),
        "the corpus changed since the model was trained: run `adscreen train`"
    );
    assert_eq!(
        model.metadata.rules_hash,
        adscreen::rules::RuleSet::bundled().expect("rules").hash(),
        "the rules changed since the model was trained: run `adscreen train`"
    );
    assert!(model.features.len() > 30, "{:?}", model.features);
    // No n-grams: every feature is something a person can check.
    assert!(
        model.features.iter().all(
            |f| ["sign:", "mitigation:", "signs:", "dimensions", "fact:"]
                .iter()
                .any(|k| f.starts_with(k))
        ),
        "{:?}",
        model.features
    );
    assert!(
        model.metadata.dev.roc_auc.is_some_and(|a| a > 0.8),
        "{:?}",
        model.metadata.dev
    );
}

#[test]
fn model_scores_a_risky_advert_above_a_benign_one() {
    let model = Model::bundled().expect("model loads");
    let score = |text: &str| {
        let advert = adscreen::advert::Advert {
            id: "m".into(),
            text: text.into(),
            ..Default::default()
        };
        let report = ENGINE.screen(&advert);
        model.predict(&report, &ENGINE.combination(&report))
    };
    let risky = score(
        "Darbs Vācijā bez pieredzes, 4000 EUR mēnesī, dzīvošana bez maksas, pase jānodod koordinatoram. Tikai WhatsApp.",
    );
    let benign = score(
        "SIA \"Rīgas Maiznīca\" (reģ. nr. 40103000001) meklē pārdevēju veikalā Rīgā. Alga 1100 EUR bruto, darba līgums. CV: darbs@maiznica.lv",
    );
    assert!(
        risky.probability > 0.5 && benign.probability < 0.5,
        "{} {}",
        risky.probability,
        benign.probability
    );
    assert!(!risky.raised.is_empty() && !benign.lowered.is_empty());
    assert!(risky.raised.windows(2).all(|w| w[0].effect >= w[1].effect));
}

#[test]
fn combined_engine_reports_probability_and_the_model_reason() {
    let engine = engine_with_model();
    let advert = adscreen::advert::Advert {
        id: "c".into(),
        text: "Pārdošu nieri, labs veselības stāvoklis.".into(),
        ..Default::default()
    };
    let report = engine.screen(&advert);
    assert!(report.model_probability.is_some());
    assert!(report.score >= report.rule_score);
    let last = report.reasons.last().expect("reasons");
    assert_eq!(last.indicator, "classifier");
    assert!(last.explanation.en.contains('%'));
    // The reason says in words what raised the probability: the organ-sale sign's name, in
    // each language, never a feature's internal name.
    let organ = adscreen::rules::RuleSet::bundled()
        .expect("rules")
        .indicators()
        .iter()
        .find(|i| i.id == "organ_sale")
        .map(|i| i.name.clone())
        .expect("organ_sale indicator");
    assert!(
        last.explanation.en.contains(&organ.en),
        "{}",
        last.explanation.en
    );
    assert!(
        last.explanation.lv.contains(&organ.lv),
        "{}",
        last.explanation.lv
    );
    let ru = last.explanation.ru.as_deref().unwrap_or_default();
    assert!(ru.contains(organ.ru.as_deref().unwrap_or("-")), "{ru}");
    assert!(
        !last.explanation.en.contains("sign:"),
        "{}",
        last.explanation.en
    );
    assert!(
        report.flagged,
        "a decisive rule hit stays flagged: {report:?}"
    );
}

#[test]
fn evaluation_on_the_test_split_compares_three_scorers() {
    let engine = engine_with_model();
    let corpus = adscreen::corpus::load_dir(&root().join("corpus/labelled")).expect("corpus");
    let e = adscreen::learning::eval::evaluate(&corpus, &engine);
    let test_size = corpus
        .iter()
        .filter(|a| a.split() == adscreen::corpus::Split::Test)
        .count();
    assert_eq!(e.overall.combined.adverts, test_size);
    assert!(e.overall.combined.recall >= e.overall.rules.recall);
    assert!(e.per_language.contains_key("lv") && e.per_kind.contains_key("marriage"));
    assert!(!e.pr_curve.is_empty());
}

/// The bundled rules and model, with the model's thresholds.
fn engine_with_model() -> adscreen::engine::Engine {
    let model = Model::bundled().expect("model loads");
    let t = model.metadata.thresholds;
    adscreen::engine::Engine::new(
        adscreen::rules::RuleSet::bundled().expect("rules"),
        adscreen::score::Thresholds {
            medium: t.medium,
            high: t.high,
            flag: adscreen::score::Level::Medium,
        },
    )
    .with_model(model)
}

#[test]
fn regression_model_alone_cannot_flag_on_an_absence() {
    // Found in review: "no employer identity" (an absence, no evidence) let a confident model
    // raise a two-word advert to high.
    let engine = engine_with_model();
    let advert = adscreen::advert::Advert {
        id: "a".into(),
        text: "Darbs Vācijā. Zvaniet.".into(),
        ..Default::default()
    };
    let report = engine.screen(&advert);
    assert!(!engine.combination(&report).supports_model());
    assert!(!report.flagged, "{report:?}");
    assert!(report.score < engine.thresholds().medium);
}
