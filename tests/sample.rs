//! The bundled sample screened end to end: every benign advert stays low, every risky advert is
//! flagged for at least one of the indicators it was written with.

use adscreen::advert::Advert;
use adscreen::ingest::{self, Format};
use adscreen::score::Level;
use serde::Deserialize;

use crate::util::{ENGINE, risk_indicators, root};

#[derive(Deserialize)]
struct Labels {
    id: String,
    label: String,
    indicators: Vec<String>,
    expect: String,
}

fn sample() -> Vec<(Advert, Labels)> {
    let text =
        std::fs::read_to_string(root().join("corpus/sample.jsonl")).expect("sample readable");
    let labels: Vec<Labels> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("labelled"))
        .collect();
    let mut adverts = Vec::new();
    ingest::read(text.as_bytes(), Format::Ndjson, "sample", |r| {
        adverts.push(r.expect("sample records are valid"));
    })
    .expect("sample reads");
    adverts.into_iter().zip(labels).collect()
}

#[test]
fn sample_covers_languages_kinds_and_labels() {
    let s = sample();
    assert!(s.len() >= 60);
    for lang in ["lv", "ru", "en"] {
        assert!(
            s.iter()
                .any(|(a, _)| a.lang.map(|l| l.as_str()) == Some(lang))
        );
    }
    assert!(s.iter().any(|(_, l)| l.label == "risky"));
    assert!(s.iter().filter(|(_, l)| l.label == "benign").count() > s.len() / 2);
}

#[test]
fn benign_sample_adverts_stay_low() {
    let failures: Vec<String> = sample()
        .iter()
        .filter(|(_, l)| l.label == "benign")
        .map(|(a, l)| (ENGINE.screen(a), l))
        .filter(|(r, _)| r.level != Level::Low)
        .map(|(r, l)| format!("{} scored {} {:?}", l.id, r.score, risk_indicators(&r)))
        .collect();
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn risky_sample_adverts_are_flagged_with_a_right_reason() {
    let mut failures = Vec::new();
    for (a, l) in sample().iter().filter(|(_, l)| l.label == "risky") {
        let r = ENGINE.screen(a);
        let found = risk_indicators(&r);
        if !r.flagged {
            failures.push(format!("{} not flagged: score {} {found:?}", l.id, r.score));
        } else if !l.indicators.iter().any(|i| found.contains(&i.as_str())) {
            failures.push(format!(
                "{} flagged without a labelled indicator: {found:?}",
                l.id
            ));
        }
        if l.expect == "high" && r.level == Level::Low {
            failures.push(format!("{} expected high, got low", l.id));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}
