use super::*;

const INDICATORS: &str = r#"
[help]
phone = "1"
emergency = "112"
text = { lv = "a", en = "b" }

[[indicator]]
id = "fees_debts"
family = "fees"
name = { lv = "a", en = "b" }
about = { lv = "a", en = "b" }
ask = { lv = "a", en = "b" }
safe_advert = { lv = "a", en = "b" }

[[indicator]]
id = "no_fees"
family = "mitigating"
mitigating = true
name = { lv = "a", en = "b" }
about = { lv = "a", en = "b" }
ask = { lv = "a", en = "b" }
safe_advert = { lv = "a", en = "b" }
"#;

fn folder(rules: &str) -> Vec<(String, String)> {
    vec![
        (INDICATORS_FILE.to_string(), INDICATORS.to_string()),
        (
            MARKET_FILE.to_string(),
            bundled_file(MARKET_FILE).unwrap_or_default().to_string(),
        ),
        ("fees.toml".to_string(), rules.to_string()),
    ]
}

fn error_of(rules: &str) -> String {
    match compile(&folder(rules)) {
        Ok(_) => panic!("expected an error"),
        Err(e) => e.to_string(),
    }
}

const GOOD: &str = r#"
[[rule]]
id = "fees.fee.en"
indicator = "fees_debts"
langs = ["en"]
weight = 20
explain = { lv = "a", en = "b" }
phrases = ["registration fee"]
"#;

#[test]
fn bundled_rules_compile_and_cover_every_indicator_in_every_language() {
    let rules = RuleSet::bundled().expect("bundled rules compile");
    let stats = rules.stats();
    assert!(stats.rules >= 150, "only {} rules", stats.rules);
    for (indicator, langs) in &stats.per_indicator {
        let linked = rules
            .indicators()
            .iter()
            .any(|i| &i.id == indicator && i.linked);
        if linked {
            assert!(langs.is_empty(), "linked indicator {indicator} has rules");
            continue;
        }
        for lang in Lang::ALL {
            assert!(
                langs.get(&lang).copied().unwrap_or(0) > 0,
                "indicator {indicator} has no {} rule",
                lang.as_str()
            );
        }
    }
}

#[test]
fn every_rule_has_both_kinds_of_example() {
    let rules = RuleSet::bundled().expect("bundled rules compile");
    for r in rules.rules() {
        assert!(
            !r.examples.matches.is_empty(),
            "{} has no match example",
            r.id
        );
        assert!(
            !r.examples.no_match.is_empty(),
            "{} has no no_match example",
            r.id
        );
    }
}

#[test]
fn a_good_file_compiles() {
    let set = compile(&folder(GOOD)).expect("compiles");
    assert_eq!(set.rules().len(), 1);
    assert_eq!(set.rules()[0].line, 3);
}

#[test]
fn syntax_errors_name_file_and_line() {
    let e = error_of("[[rule]]\nid = \"x\"\nweight = \n");
    assert!(e.starts_with("fees.toml:3:"), "{e}");
}

#[test]
fn unknown_fields_are_refused() {
    let e = error_of(&GOOD.replace("weight = 20", "weight = 20\nweigth = 3"));
    assert!(e.contains("fees.toml:") && e.contains("weigth"), "{e}");
}

#[test]
fn rule_errors_name_file_line_and_rule() {
    let e = error_of(&GOOD.replace("fees_debts", "nope"));
    assert_eq!(
        e,
        "fees.toml:3: rule fees.fee.en: unknown indicator \"nope\""
    );
}

#[test]
fn weights_must_match_the_indicator() {
    let e = error_of(&GOOD.replace("weight = 20", "weight = -20"));
    assert!(e.contains("only mitigating"), "{e}");
    let e = error_of(&GOOD.replace("fees_debts", "no_fees"));
    assert!(e.contains("needs a negative weight"), "{e}");
}

#[test]
fn exactly_one_matcher() {
    let e = error_of(&GOOD.replace(
        "phrases = [\"registration fee\"]",
        "phrases = [\"a\"]\nregex = 'a'",
    ));
    assert!(e.contains("exactly one"), "{e}");
}

#[test]
fn regexes_must_be_valid_and_normalised() {
    let e = error_of(&GOOD.replace("phrases = [\"registration fee\"]", "regex = '(unclosed'"));
    assert!(e.contains("bad regex"), "{e}");
    let e = error_of(&GOOD.replace("phrases = [\"registration fee\"]", "regex = 'Ārzemes'"));
    assert!(e.contains("never occurs"), "{e}");
}

#[test]
fn duplicate_ids_are_refused() {
    let e = error_of(&format!("{GOOD}\n{GOOD}"));
    assert!(e.contains("used by another rule"), "{e}");
}

#[test]
fn inner_wildcards_are_refused() {
    let e = error_of(&GOOD.replace("registration fee", "regist* fee"));
    assert!(e.contains("only allowed at the end"), "{e}");
}
