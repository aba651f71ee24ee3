//! Figures of the real-advert evaluation on fabricated rows and reports, floors, the list of
//! flagged adverts, and reading a folder.

use std::sync::Arc;

use super::*;
use crate::advert::Lang;
use crate::extract::Entities;
use crate::report::Reason;
use crate::rules::Texts;

fn rows(lines: &[&str]) -> Vec<RealRow> {
    lines
        .iter()
        .map(|l| serde_json::from_str(l).expect("test row parses"))
        .collect()
}

/// A report with a score (flagged from 50, high from 75) and positive or negative reasons.
fn report(score: u8, reasons: &[(&str, i32)]) -> Report {
    let level = match score {
        75.. => Level::High,
        50.. => Level::Medium,
        _ => Level::Low,
    };
    let explanation = Arc::new(Texts {
        lv: "x".into(),
        en: "x".into(),
        ru: None,
    });
    Report {
        id: "r".into(),
        kind: Kind::Job,
        language: Lang::En,
        score,
        level,
        flagged: level != Level::Low,
        rule_score: score / 2,
        model_probability: Some(0.25),
        reasons: reasons
            .iter()
            .map(|&(indicator, weight)| Reason {
                indicator: indicator.into(),
                rule: format!("{indicator}_rule"),
                rules: vec![format!("{indicator}_rule")],
                weight,
                field: None,
                evidence: Some(format!("evidence of {indicator}")),
                start: None,
                end: None,
                explanation: explanation.clone(),
            })
            .collect(),
        entities: Entities::default(),
    }
}

fn labelled_file() -> FileResult {
    let rows = rows(&[
        r#"{"id":"r1","kind":"job","title":"t","text":"x","source":"s","label":"risky","label_indicators":["contact_channel","age_gender_appearance"]}"#,
        r#"{"id":"r2","kind":"job","title":"t","text":"x","source":"s","label":"risky","label_indicators":["contact_channel"]}"#,
        r#"{"id":"r3","kind":"job","title":"t","text":"x","source":"s","label":"risky","label_indicators":["contact_channel"]}"#,
        r#"{"id":"b1","kind":"job","title":"t","text":"x","source":"s","label":"benign","label_indicators":[],"label_why":"agency"}"#,
        r#"{"id":"u1","kind":"job","title":"t","text":"x","source":"s"}"#,
        r#"{"id":"u2","kind":"job","title":"t","text":"x","source":"s"}"#,
        r#"{"id":"s1","kind":"job","title":"t","text":"x","source":"s","label":"unsure","label_indicators":["contact_channel"]}"#,
    ]);
    let reports = [
        // Flagged, and a labelled indicator among the positive reasons.
        report(60, &[("age_gender_appearance", 20)]),
        // Flagged, but the labelled indicator only mitigates.
        report(60, &[("excessive_pay", 20), ("contact_channel", -5)]),
        // Missed.
        report(20, &[("contact_channel", 10)]),
        // An ordinary advert flagged high, one flagged medium, one not flagged.
        report(80, &[("excessive_pay", 30)]),
        report(55, &[("contact_channel", 15)]),
        report(5, &[]),
        // Unsure and flagged: counts nowhere.
        report(90, &[("contact_channel", 30)]),
    ];
    measure("locanto.jsonl", &rows, &reports)
}

#[test]
fn counts_ordinary_and_risky_rows_and_leaves_unsure_out() {
    let f = labelled_file();
    assert_eq!((f.rows, f.ordinary, f.unsure), (7, 3, 1));
    assert_eq!(f.flagged_ordinary, 2);
    assert_eq!(f.flagged_ordinary_share, Some(2.0 / 3.0));
    assert_eq!((f.flagged_ordinary_medium, f.flagged_ordinary_high), (1, 1));
    assert_eq!(
        f.risky,
        Some(RiskyFigures {
            rows: 3,
            flagged: 2,
            right_indicator: 1,
            recall: 2.0 / 3.0,
            indicator_recall: 1.0 / 3.0,
        })
    );
    assert_eq!(f.fraud, None);
    let ids: Vec<&str> = f.flagged.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(ids, vec!["b1", "u1"]);
}

#[test]
fn fraud_files_get_roc_auc_and_flagged_shares() {
    let rows = rows(&[
        r#"{"id":"f1","title":"t","text":"x","label":"fraudulent"}"#,
        r#"{"id":"f2","title":"t","text":"x","label":"fraudulent"}"#,
        r#"{"id":"l1","title":"t","text":"x","label":"legitimate"}"#,
        r#"{"id":"l2","title":"t","text":"x","label":"legitimate"}"#,
    ]);
    // Pairs (fraudulent above legitimate): 80>70, 80>10, 45<70, 45>10: 3 of 4.
    let reports = [
        report(80, &[]),
        report(45, &[]),
        report(70, &[]),
        report(10, &[]),
    ];
    let f = measure("emscad.jsonl", &rows, &reports);
    let fraud = f.fraud.expect("fraud figures");
    assert_eq!(fraud.roc_auc, Some(0.75));
    assert_eq!((fraud.fraudulent, fraud.legitimate), (2, 2));
    assert_eq!((fraud.flagged_fraudulent, fraud.flagged_legitimate), (1, 1));
    assert_eq!(fraud.flagged_fraudulent_share, 0.5);
    assert_eq!(fraud.flagged_legitimate_share, 0.5);
    // Legitimate postings are ordinary ones.
    assert_eq!((f.ordinary, f.flagged_ordinary), (2, 1));
    assert_eq!(f.risky, None);
}

#[test]
fn an_unlabelled_file_has_only_the_flagged_share() {
    let rows = rows(&[
        r#"{"id":"a","kind":"job","title":"t","text":"x","source":"s"}"#,
        r#"{"id":"b","kind":"job","title":"t","text":"x","source":"s"}"#,
    ]);
    let f = measure("cvlv.jsonl", &rows, &[report(0, &[]), report(3, &[])]);
    assert_eq!((f.rows, f.ordinary, f.flagged_ordinary), (2, 2, 0));
    assert_eq!(f.flagged_ordinary_share, Some(0.0));
    assert_eq!((f.risky, f.fraud), (None, None));
}

#[test]
fn recall_over_all_files_pools_the_risky_rows() {
    let one = labelled_file();
    let mut two = labelled_file();
    two.risky = Some(RiskyFigures::from_counts(1, 1, 1));
    let e = summarise("d".into(), vec![one, two]);
    assert_eq!(e.risky, Some(RiskyFigures::from_counts(4, 3, 2)));
    assert_eq!(e.risky.as_ref().map(|r| r.recall), Some(0.75));
    assert_eq!(e.flagged().count(), 4);
}

fn evaluation() -> RealEvaluation {
    let rows = rows(&[
        r#"{"id":"f1","title":"t","text":"x","label":"fraudulent"}"#,
        r#"{"id":"l1","title":"t","text":"x","label":"legitimate"}"#,
    ]);
    let fraud = measure("emscad.jsonl", &rows, &[report(30, &[]), report(10, &[])]);
    summarise("d".into(), vec![fraud, labelled_file()])
}

#[test]
fn floors_hold_or_say_which_is_broken() {
    let e = evaluation();
    let generous = Floors {
        max_flagged: Some(0.7),
        min_recall: Some(0.6),
        min_auc: Some(0.9),
    };
    assert_eq!(check_floors(&e, &generous), vec![]);
    assert_eq!(check_floors(&e, &Floors::default()), vec![]);
    let strict = Floors {
        max_flagged: Some(0.5),
        min_recall: Some(0.7),
        min_auc: Some(1.01),
    };
    let broken = check_floors(&e, &strict);
    let messages: Vec<String> = broken.iter().map(ToString::to_string).collect();
    assert_eq!(
        messages,
        vec![
            "--max-flagged: locanto.jsonl: 2 of 3 ordinary adverts flagged (66.67%; at most 50.00% allowed)",
            "--min-recall: 2 of 3 risky adverts flagged (recall 0.667; at least 0.700 required)",
            "--min-auc: emscad.jsonl: ROC-AUC 1.000 (at least 1.010 required)",
        ]
    );
}

#[test]
fn a_floor_with_nothing_to_measure_is_broken() {
    let rows = rows(&[r#"{"id":"a","title":"t","text":"x"}"#]);
    let e = summarise(
        "d".into(),
        vec![measure("x.jsonl", &rows, &[report(0, &[])])],
    );
    let floors = Floors {
        max_flagged: Some(0.0),
        min_recall: Some(0.5),
        min_auc: Some(0.5),
    };
    assert_eq!(
        check_floors(&e, &floors),
        vec![
            BrokenFloor::Unmeasured {
                option: "--min-recall",
                missing: "risky rows"
            },
            BrokenFloor::Unmeasured {
                option: "--min-auc",
                missing: "fraudulent/legitimate rows"
            },
        ]
    );
}

#[test]
fn flagged_adverts_are_written_for_a_person_to_read() {
    let long = "ā".repeat(EXCERPT_CHARS + 50);
    let row = format!(r#"{{"id":"u1","title":"Cleaner","text":"{long}"}}"#);
    let rows = rows(&[&row, r#"{"id":"u2","title":"t","text":"x"}"#]);
    let reports = [
        report(80, &[("excessive_pay", 30), ("employer_identity", -10)]),
        report(0, &[]),
    ];
    let e = summarise("d".into(), vec![measure("x.jsonl", &rows, &reports)]);
    let mut out = Vec::new();
    assert_eq!(write_flagged(&mut out, &e).expect("written"), 1);
    let text = String::from_utf8(out).expect("UTF-8");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 1);
    let v: serde_json::Value = serde_json::from_str(lines[0]).expect("JSON");
    assert_eq!(v["file"], "x.jsonl");
    assert_eq!(v["id"], "u1");
    assert_eq!(v["title"], "Cleaner");
    assert_eq!(v["text"], "ā".repeat(EXCERPT_CHARS));
    assert_eq!(
        (v["score"].as_u64(), v["rule_score"].as_u64()),
        (Some(80), Some(40))
    );
    assert_eq!(v["level"], "high");
    assert_eq!(v["model_probability"], 0.25);
    assert_eq!(
        v["reasons"],
        serde_json::json!([{
            "indicator": "excessive_pay",
            "rule": "excessive_pay_rule",
            "weight": 30,
            "evidence": "evidence of excessive_pay"
        }])
    );
}

#[test]
fn json_figures_are_rounded() {
    let v = serde_json::to_value(labelled_file()).expect("serialises");
    assert_eq!(v["flagged_ordinary_share"], 0.6667);
    assert_eq!(v["risky"]["indicator_recall"], 0.3333);
    assert!(v.get("flagged").is_none());
}

fn engine() -> Engine {
    Engine::new(
        crate::rules::RuleSet::bundled().expect("bundled rules"),
        crate::score::Thresholds::default(),
    )
}

#[test]
fn reads_every_jsonl_file_of_a_folder_in_name_order() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("b.jsonl"),
        "{\"id\":\"1\",\"kind\":\"job\",\"title\":\"Waiter\",\"text\":\"Hotel in Cork seeks a waiter. Contract, 14 EUR per hour.\",\"source\":\"s\",\"label\":\"benign\",\"label_indicators\":[]}\n\n\
         {\"id\":\"2\",\"kind\":\"job\",\"title\":\"Help\",\"text\":\"Unsure case\",\"source\":\"s\",\"label\":\"unsure\"}\n",
    )
    .expect("write");
    std::fs::write(
        dir.path().join("a.jsonl"),
        "{\"id\":\"x\",\"title\":\"Kasieris\",\"text\":\"SIA Koks meklē kasieri Rīgā.\"}\n",
    )
    .expect("write");
    std::fs::write(dir.path().join("notes.txt"), "not adverts").expect("write");
    let e = evaluate_dir(dir.path(), &engine()).expect("evaluated");
    let names: Vec<&str> = e.files.iter().map(|f| f.file.as_str()).collect();
    assert_eq!(names, vec!["a.jsonl", "b.jsonl"]);
    assert_eq!(
        (e.files[1].rows, e.files[1].ordinary, e.files[1].unsure),
        (2, 1, 1)
    );
    assert_eq!(e.risky, None);
}

#[test]
fn a_missing_empty_or_broken_folder_is_an_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let missing = evaluate_dir(&dir.path().join("nope"), &engine());
    assert!(matches!(missing, Err(RealError::Io { .. })), "{missing:?}");
    let empty = evaluate_dir(dir.path(), &engine());
    assert!(matches!(empty, Err(RealError::Empty(_))), "{empty:?}");
    std::fs::write(
        dir.path().join("a.jsonl"),
        "{\"id\":\"1\",\"title\":\"t\",\"text\":\"x\"}\n{\"id\":\"2\",\"title\":\"t\",\"text\":\"x\",\"label\":\"maybe\"}\n",
    )
    .expect("write");
    let err = evaluate_dir(dir.path(), &engine()).expect_err("unknown label");
    assert!(matches!(err, RealError::Record { line: 2, .. }), "{err}");
    assert!(err.to_string().contains("maybe"), "{err}");
}
