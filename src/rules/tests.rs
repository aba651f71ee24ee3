use super::*;

const INDICATORS: &str = r#"
[help]
phone = "1"
emergency = "112"
text = { lv = "a", en = "b" }

[[indicator]]
id = "fees_debts"
family = "fees"
strength = "strong"
dimension = "coercive_recruitment"
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

/// Every rule example and the title and text of every advert of the bundled sample.
fn examples_and_sample(rules: &RuleSet) -> Vec<String> {
    let mut texts: Vec<String> = rules
        .rules()
        .iter()
        .flat_map(|r| {
            r.examples
                .matches
                .iter()
                .chain(&r.examples.no_match)
                .cloned()
        })
        .collect();
    let sample = include_str!("../../corpus/sample.jsonl");
    for line in sample.lines() {
        let value: serde_json::Value = serde_json::from_str(line).expect("sample line is JSON");
        texts.extend(
            ["title", "text"]
                .iter()
                .filter_map(|f| value.get(*f).and_then(|v| v.as_str()).map(str::to_string)),
        );
    }
    texts
}

/// The category of work found by the rules' one automaton pass is the one the pay reference's
/// own keyword search finds.
#[test]
fn the_pass_finds_the_category_the_pay_reference_does() {
    use crate::advert::Field;
    use crate::extract::Scan;

    let rules = RuleSet::bundled().expect("bundled rules compile");
    let market = rules.market();
    let mut skilled = 0;
    for text in examples_and_sample(&rules) {
        let scan = Scan::new(Field::Text, &text);
        let view = crate::dialect::ascii_words::encode(scan.words.as_str());
        let pass = rules.automaton_pass(&scan, &view, &mut Vec::new(), &mut Vec::new());
        let found = market.best_category(pass.categories.iter().copied());
        let expected = market.category_for(&[scan.words.as_str()]);
        assert_eq!(found.id, expected.id, "{text:?}");
        skilled += usize::from(found.id != market.best_category([]).id);
    }
    assert!(skilled > 20, "only {skilled} texts name a category of work");
}

/// The extractors' words found by the rules' automaton pass give the facts the extractors'
/// own automaton does.
#[test]
fn the_pass_finds_the_words_the_extractors_do() {
    use crate::advert::Field;
    use crate::extract::{self, Extractor, Scan};

    let rules = RuleSet::bundled().expect("bundled rules compile");
    let extractor = Extractor::new();
    let mut with_words = 0;
    for text in examples_and_sample(&rules) {
        let scans = [
            Scan::new(Field::Title, "Darbs"),
            Scan::new(Field::Text, &text),
        ];
        let mut passes = rules.passes(&scans);
        let words: Vec<_> = passes.iter_mut().map(FieldPass::take_words).collect();
        with_words += usize::from(words.iter().any(|w| !w.is_empty()));
        let lang = crate::detect::Detect::new().lang(&text);
        let from_pass = extract::extract_with_words(&scans, rules.market(), words, lang);
        let own = extractor.extract(&scans, rules.market(), lang);
        assert_eq!(
            serde_json::to_value(&from_pass).expect("entities serialise"),
            serde_json::to_value(&own).expect("entities serialise"),
            "{text:?}"
        );
    }
    assert!(with_words > 50, "only {with_words} texts with listed words");
}

/// The regex stage of the automaton pass (prefilters, then searches anchored at the prefix
/// literals where a match can start) finds exactly the matches a scan of the whole text finds,
/// on every rule example and every advert of the bundled sample.
#[test]
fn anchored_search_finds_what_a_full_scan_finds() {
    use crate::advert::Field;
    use crate::extract::Scan;
    use regex_automata::Input;

    let rules = RuleSet::bundled().expect("bundled rules compile");
    let texts = examples_and_sample(&rules);
    let mut anchored_regexes = 0;
    let mut compared = 0;
    for text in &texts {
        let scan = Scan::new(Field::Text, text);
        let words = scan.words.as_str();
        let view = crate::dialect::ascii_words::encode(words);
        let pass = rules.automaton_pass(&scan, &view, &mut Vec::new(), &mut Vec::new());
        // A regex that is not tried has no starts, so it must have no match either.
        let starts = &pass.starts;
        for (i, compiled) in rules.regexes.iter().enumerate() {
            if compiled.filter.is_some() {
                continue;
            }
            anchored_regexes += 1;
            let mut anchored = Vec::new();
            let at = starts.iter().filter(|s| s.0 == i).map(|s| s.1);
            rules.anchored_hits(i, &scan, &view, at, &[], &mut anchored);
            let scanned: Vec<_> = compiled
                .exact
                .find_iter(Input::new(view.as_ref()))
                .filter(|m| !m.is_empty())
                .take(anchored.len().max(super::matcher::MAX_SPANS_PER_RULE))
                .map(|m| scan.span_words(m.start(), m.end()))
                .collect();
            let anchored: Vec<_> = anchored.iter().filter_map(|h| h.span).collect();
            assert_eq!(
                anchored,
                scanned,
                "rule {} on {text:?}",
                rules.rules()[rules.regex_rules[i]].id
            );
            compared += usize::from(!scanned.is_empty());
        }
    }
    assert!(
        anchored_regexes > 0 && compared > 100,
        "{compared} comparisons with matches"
    );
}

#[test]
fn ragged_lists_keep_their_items_and_empty_lists() {
    let lists = vec![vec![1, 2], vec![], vec![3], vec![]];
    let ragged: super::Ragged<i32> = lists.clone().into_iter().collect();
    assert_eq!(ragged.len(), lists.len());
    for (i, list) in lists.iter().enumerate() {
        assert_eq!(ragged.get(i), list.as_slice(), "list {i}");
    }
}

/// A fuzz test's settings: `ADSCREEN_FUZZ_CASES` cases (a small default for `cargo test`) from
/// the fixed seed `ADSCREEN_FUZZ_SEED`, so a run is repeatable and a long run can move the seed.
pub(crate) fn fuzz_config(default_cases: u32) -> proptest::test_runner::Config {
    let env = |name: &str| std::env::var(name).ok().and_then(|v| v.parse::<u64>().ok());
    proptest::test_runner::Config {
        cases: env("ADSCREEN_FUZZ_CASES").map_or(default_cases, |n| n.min(u32::MAX.into()) as u32),
        rng_seed: proptest::test_runner::RngSeed::Fixed(
            env("ADSCREEN_FUZZ_SEED").unwrap_or(0x5eed),
        ),
        failure_persistence: None,
        ..proptest::test_runner::Config::default()
    }
}

/// Any rule file, however broken, compiles or is refused with an error; loading never panics.
#[test]
fn fuzz_rule_files_compile_or_are_refused() {
    use proptest::prelude::*;
    let value = prop_oneof![
        Just("\"fees_debts\"".to_string()),
        Just("\"nonexistent\"".to_string()),
        Just("[\"lv\", \"en\"]".to_string()),
        Just("[\"xx\"]".to_string()),
        Just("-5".to_string()),
        Just("99999999999999999999".to_string()),
        Just("1e308".to_string()),
        Just("{ lv = \"a\", en = \"b\" }".to_string()),
        Just("{ match = [\"a\"], no_match = [\"b\"] }".to_string()),
        Just("[]".to_string()),
        Just("[\"\"]".to_string()),
        Just("[\"*\"]".to_string()),
        Just("'''(?:a|'''".to_string()),
        Just("'''\\b(?:x{1000}){1000}'''".to_string()),
        Just("'''(?i)\\w+\\s*eur'''".to_string()),
        Just("'''\\p{Greek}+'''".to_string()),
        "\"[^\"\\\\]{0,12}\"",
        "\\PC{0,6}",
    ];
    let key = prop_oneof![
        Just("id"),
        Just("indicator"),
        Just("langs"),
        Just("weight"),
        Just("explain"),
        Just("phrases"),
        Just("regex"),
        Just("unless"),
        Just("examples"),
        Just("when"),
        Just("condition"),
        Just("weigth"),
    ];
    let rule = proptest::collection::vec((key, value), 0..9).prop_map(|fields| {
        let mut text = String::from("[[rule]]\n");
        for (k, v) in fields {
            text.push_str(&format!("{k} = {v}\n"));
        }
        text
    });
    let generated = proptest::collection::vec(rule, 0..4).prop_map(|r| r.concat());
    let real = bundled_file("fees.toml").unwrap_or_default().to_string();
    let cut = real.clone();
    let mutated = (0..real.len(), 0..real.len(), "\\PC{0,3}").prop_map(move |(a, b, junk)| {
        let (a, b) = (a.min(b), a.max(b));
        let floor = |i: usize| {
            (0..=i)
                .rev()
                .find(|&j| cut.is_char_boundary(j))
                .unwrap_or(0)
        };
        let (a, b) = (floor(a), floor(b.min(a + 200)));
        // One stretch of the real file replaced by a few arbitrary characters.
        format!("{}{junk}{}", &cut[..a], &cut[b..])
    });
    let file = prop_oneof![generated, mutated, "\\PC{0,200}"];
    let indicators = bundled_file(INDICATORS_FILE)
        .unwrap_or_default()
        .to_string();
    let market = bundled_file(MARKET_FILE).unwrap_or_default().to_string();
    let mut runner = proptest::test_runner::TestRunner::new(fuzz_config(64));
    runner
        .run(&file, |text| {
            let files = vec![
                (INDICATORS_FILE.to_string(), indicators.clone()),
                (MARKET_FILE.to_string(), market.clone()),
                ("fees.toml".to_string(), text),
            ];
            // Ok or a RuleError; a panic fails the property.
            let _ = compile(&files);
            Ok(())
        })
        .expect("rule loading never panics");
    // The files every rule folder needs, cut short anywhere, are refused or read, never a panic.
    let cuts = (0..indicators.len(), 0..market.len());
    runner
        .run(&cuts, |(i, m)| {
            let cut = |s: &str, n: usize| {
                let n = (0..=n).rev().find(|&j| s.is_char_boundary(j)).unwrap_or(0);
                s[..n].to_string()
            };
            let files = vec![
                (INDICATORS_FILE.to_string(), cut(&indicators, i)),
                (MARKET_FILE.to_string(), cut(&market, m)),
                ("fees.toml".to_string(), GOOD.to_string()),
            ];
            let _ = compile(&files);
            Ok(())
        })
        .expect("loading cut indicator and pay files never panics");
}
