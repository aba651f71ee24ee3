//! The binary on real files: formats, bad input, exit codes, rules check.

use crate::util::{json_lines, root, run};

#[test]
fn scans_the_bundled_sample() {
    let out = run(
        &["scan", "--entities", "corpus/sample.jsonl"],
        None,
        &root(),
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let reports = json_lines(&out);
    assert!(reports.len() >= 60);
    let sample =
        std::fs::read_to_string(root().join("corpus/sample.jsonl")).expect("sample readable");
    let adverts: Vec<serde_json::Value> = sample
        .lines()
        .map(|l| serde_json::from_str(l).expect("sample is JSON"))
        .collect();
    for (r, a) in reports.iter().zip(&adverts) {
        assert_eq!(r["id"], a["id"]);
        for key in [
            "kind", "language", "score", "level", "flagged", "reasons", "entities",
        ] {
            assert!(r.get(key).is_some(), "{key} missing");
        }
        for reason in r["reasons"].as_array().expect("reasons is a list") {
            let Some(field) = reason["field"].as_str() else {
                continue;
            };
            let text = a[field].as_str().expect("field exists");
            let (s, e) = (
                reason["start"].as_u64().expect("start") as usize,
                reason["end"].as_u64().expect("end") as usize,
            );
            assert_eq!(reason["evidence"].as_str(), text.get(s..e), "{reason}");
        }
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("screened {} adverts", reports.len())),
        "{stderr}"
    );
}

/// Every labelled file of the corpus.
fn labelled_files() -> Vec<String> {
    let mut files: Vec<String> = std::fs::read_dir(root().join("corpus/labelled"))
        .expect("corpus/labelled")
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .map(|p| p.display().to_string())
        .collect();
    files.sort();
    files
}

#[test]
fn default_output_is_at_most_twice_the_input_and_explains_on_request() {
    let files = labelled_files();
    let input: u64 = files
        .iter()
        .map(|f| std::fs::metadata(f).expect("file").len())
        .sum();
    let scan = |extra: &[&str]| {
        let mut args = vec!["scan"];
        args.extend_from_slice(extra);
        args.extend(files.iter().map(String::as_str));
        let out = run(&args, None, &root());
        assert_eq!(out.status.code(), Some(0));
        out
    };
    let compact = scan(&[]);
    assert!(
        (compact.stdout.len() as u64) <= 2 * input,
        "{} bytes of reports for {input} bytes of adverts",
        compact.stdout.len()
    );
    let reports = json_lines(&compact);
    let reasons: Vec<&serde_json::Value> = reports
        .iter()
        .flat_map(|r| r["reasons"].as_array().expect("reasons"))
        .collect();
    assert!(reasons.len() > 1000);
    assert!(reports.iter().all(|r| r.get("entities").is_none()));
    assert!(reasons.iter().all(|r| r.get("explanation").is_none()));
    // Every rule a compact report names is explained by `rules show`, in the language asked.
    let shown = run(&["rules", "show", "--lang", "ru"], None, &root());
    let shown: std::collections::HashMap<String, serde_json::Value> = json_lines(&shown)
        .into_iter()
        .map(|r| (r["rule"].as_str().expect("rule").to_string(), r))
        .collect();
    for r in reasons.iter().filter(|r| r["indicator"] != "classifier") {
        let rule = r["rule"].as_str().expect("rule");
        let explained = &shown
            .get(rule)
            .unwrap_or_else(|| panic!("{rule} not shown"));
        assert_eq!(explained["indicator"], r["indicator"]);
        assert!(
            explained["explanation"]
                .as_str()
                .is_some_and(|e| !e.is_empty())
        );
    }
    // One language: each explanation is one string; all: an object of every language.
    let ru = json_lines(&scan(&["--explain", "ru"]));
    let all = json_lines(&scan(&["--explain", "all", "--entities"]));
    assert_eq!(ru.len(), reports.len());
    for ((c, one), full) in reports.iter().zip(&ru).zip(&all) {
        assert_eq!(
            c["reasons"].as_array().map(Vec::len),
            one["reasons"].as_array().map(Vec::len)
        );
        assert!(full.get("entities").is_some());
        for (o, f) in one["reasons"]
            .as_array()
            .expect("reasons")
            .iter()
            .zip(full["reasons"].as_array().expect("reasons"))
        {
            let text = o["explanation"].as_str().expect("one string");
            let ru = f["explanation"]["ru"].as_str();
            let en = f["explanation"]["en"].as_str().expect("en");
            assert_eq!(text, ru.unwrap_or(en));
            assert!(f["explanation"]["lv"].is_string());
        }
    }
    let bad = run(&["scan", "--explain", "de", "-"], Some(b"x"), &root());
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn bad_records_are_reported_skipped_and_counted() {
    let input = b"{\"id\":\"1\",\"text\":\"Darbs Rigaa\"}\n{broken\n{\"id\":\"3\",\"text\":\"\xff\"}\n{\"id\":\"4\"}\n{\"id\":\"5\",\"text\":\"ok\"}\n";
    let out = run(
        &["scan", "--input-format", "ndjson", "-"],
        Some(input),
        &root(),
    );
    assert_eq!(out.status.code(), Some(1));
    let ids: Vec<String> = json_lines(&out)
        .iter()
        .map(|r| r["id"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(ids, vec!["1", "5"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    for needle in [
        "stdin: line 2: malformed JSON",
        "stdin: line 3: invalid UTF-8",
        "stdin: line 4: no text",
        "3 bad records skipped",
    ] {
        assert!(stderr.contains(needle), "{needle:?} not in {stderr}");
    }
}

#[test]
fn reads_csv_json_and_text_files() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("a.csv"),
        "id,title,text\nc1,Pavārs,\"Restorāns meklē pavāru, alga 1400 EUR\"\n",
    )
    .expect("write");
    std::fs::write(
        dir.path().join("b.json"),
        r#"[{"id":"j1","text":"Work in Riga"},{"id":"j2","body":"Darbs"}]"#,
    )
    .expect("write");
    std::fs::write(
        dir.path().join("c.txt"),
        "Fiktīvā laulība, 5000 EUR, raksti WhatsApp",
    )
    .expect("write");
    let out = run(&["scan", "a.csv", "b.json", "c.txt"], None, dir.path());
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let reports = json_lines(&out);
    let ids: Vec<&str> = reports
        .iter()
        .map(|r| r["id"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(ids, vec!["c1", "j1", "j2", "c.txt"]);
    assert_eq!(reports[3]["flagged"], true);
}

#[test]
fn csv_and_table_output() {
    let input =
        r#"{"id":"x","text":"Fiktīvā laulība ar Pakistānas pilsoni, 5000 EUR, raksti WhatsApp"}"#
            .as_bytes();
    let out = run(
        &["scan", "--input-format", "json", "--format", "csv", "-"],
        Some(input),
        &root(),
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("id,kind,language,score,level,flagged,reasons,indicators,evidence")
    );
    assert!(
        lines
            .next()
            .is_some_and(|l| l.starts_with("x,marriage,lv,") && l.contains("sham_marriage")),
        "{text}"
    );
    let out = run(
        &["scan", "--input-format", "json", "--format", "table", "-"],
        Some(input),
        &root(),
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("HIGH") && text.contains("[Fiktīvā laulība"),
        "{text}"
    );
    assert!(
        !text.contains('\u{1b}'),
        "no colour codes when stdout is not a terminal"
    );
}

#[test]
fn spreadsheet_csv_has_a_byte_order_mark_semicolons_and_latvian_letters() {
    let input = "{\"id\":\"x\",\"source\":\"ss.lv\",\"title\":\"Darbs Vācijā; ātri\",\"text\":\"Fiktīvā laulība ar Pakistānas pilsoni, 5000 EUR, raksti WhatsApp +371 2000 1234\"}\n";
    let out = run(
        &["scan", "--format", "spreadsheet", "-"],
        Some(input.as_bytes()),
        &root(),
    );
    assert_eq!(out.status.code(), Some(0));
    let body = out
        .stdout
        .strip_prefix("\u{feff}".as_bytes())
        .expect("a byte order mark first");
    let (header, rows) = crate::util::read_sheet(body);
    assert_eq!(rows.len(), 1);
    let cell = |name: &str| {
        let i = header.iter().position(|h| h == name).expect(name);
        rows[0][i].to_string()
    };
    assert_eq!(cell("title"), "Darbs Vācijā; ātri");
    assert!(cell("text").starts_with("Fiktīvā laulība"));
    assert!(cell("indicators").contains("sham_marriage"));
    assert!(cell("evidence").contains("Fiktīvā laulība"));
    assert!(cell("contacts").contains("+37120001234"));
    assert_eq!(cell("source"), "ss.lv");
}

#[test]
fn csv_output_keeps_formula_like_cells_as_text() {
    // An id cannot start with a tab or a carriage return (control characters are refused on
    // input); the unit test in output.rs covers those in evidence.
    let ids = ["=1+1", "+1", "-1", "@SUM(A1)", "plain"];
    let input: String = ids
        .iter()
        .map(|id| format!("{}\n", serde_json::json!({"id": id, "text": "Darbs Rīgā"})))
        .collect();
    let out = run(
        &["scan", "--input-format", "ndjson", "--format", "csv", "-"],
        Some(input.as_bytes()),
        &root(),
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let mut rows = csv::Reader::from_reader(out.stdout.as_slice());
    let written: Vec<String> = rows
        .records()
        .map(|r| r.expect("a CSV row")[0].to_string())
        .collect();
    let expected: Vec<String> = ids
        .iter()
        .map(|id| {
            if id.starts_with(['=', '+', '-', '@', '\t', '\r']) {
                format!("'{id}")
            } else {
                id.to_string()
            }
        })
        .collect();
    assert_eq!(written, expected);
}

#[test]
fn empty_and_one_megabyte_adverts() {
    let big = "Darbs noliktavā Vācijā. ".repeat(45_000);
    let input =
        format!("{{\"id\":\"empty\",\"text\":\"\"}}\n{{\"id\":\"big\",\"text\":\"{big}\"}}\n");
    assert!(input.len() > 1_000_000);
    let out = run(
        &["scan", "--input-format", "ndjson", "-"],
        Some(input.as_bytes()),
        &root(),
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let reports = json_lines(&out);
    assert_eq!(reports[0]["score"], 0);
    assert_eq!(reports[1]["id"], "big");
}

#[test]
fn only_flagged_and_thresholds() {
    let out = run(
        &["scan", "--only-flagged", "corpus/sample.jsonl"],
        None,
        &root(),
    );
    let reports = json_lines(&out);
    assert!(!reports.is_empty());
    assert!(reports.iter().all(|r| r["flagged"] == true));
    let high_only = run(
        &[
            "scan",
            "--only-flagged",
            "--flag-level",
            "high",
            "corpus/sample.jsonl",
        ],
        None,
        &root(),
    );
    assert!(json_lines(&high_only).iter().all(|r| r["level"] == "high"));
    let bad = run(
        &[
            "scan",
            "--medium",
            "80",
            "--high",
            "70",
            "corpus/sample.jsonl",
        ],
        None,
        &root(),
    );
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn a_missing_file_is_reported_and_the_others_are_screened() {
    let out = run(&["scan", "no-such-file.jsonl"], None, &root());
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot open no-such-file.jsonl"));
    let out = run(
        &["scan", "no-such-file.jsonl", "corpus/sample.jsonl"],
        None,
        &root(),
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(json_lines(&out).len() >= 60);
}

#[test]
fn reports_and_messages_keep_input_order_across_batches_and_files() {
    // More records than one batch, bad ones among them, and an unreadable file between two good
    // ones: reports come out in input order and messages in the order their input was read.
    let dir = tempfile::tempdir().expect("temp dir");
    let mut first = String::new();
    for i in 0..700 {
        if i % 97 == 5 {
            first.push_str("{broken\n");
        } else {
            first.push_str(&format!(
                "{{\"id\":\"a{i}\",\"text\":\"Darbs {i} Rīgā, alga {} EUR\"}}\n",
                900 + i
            ));
        }
    }
    std::fs::write(dir.path().join("first.jsonl"), &first).expect("write");
    std::fs::write(
        dir.path().join("second.jsonl"),
        "{\"id\":\"b0\",\"text\":\"Work in Oslo\"}\n{\"id\":\"b1\"}\n",
    )
    .expect("write");
    let out = run(
        &["scan", "first.jsonl", "missing.jsonl", "second.jsonl"],
        None,
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(1));
    let ids: Vec<String> = json_lines(&out)
        .iter()
        .map(|r| r["id"].as_str().unwrap_or_default().to_string())
        .collect();
    let mut expected: Vec<String> = (0..700)
        .filter(|i| i % 97 != 5)
        .map(|i| format!("a{i}"))
        .collect();
    expected.push("b0".into());
    assert_eq!(ids, expected);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let at = |needle: &str| {
        stderr
            .find(needle)
            .unwrap_or_else(|| panic!("{needle:?} not in {stderr}"))
    };
    let lines: Vec<usize> = (0..700)
        .filter(|i| i % 97 == 5)
        .map(|i| at(&format!("first.jsonl: line {}: malformed JSON", i + 1)))
        .collect();
    assert!(lines.windows(2).all(|w| w[0] < w[1]), "{stderr}");
    let missing = at("cannot open missing.jsonl");
    let no_text = at("second.jsonl: line 2: no text");
    assert!(lines.last().is_some_and(|&l| l < missing) && missing < no_text);
    assert!(stderr.contains(&format!("screened {} adverts", expected.len())));
    assert!(stderr.contains(&format!("{} bad records skipped", lines.len() + 1)));
}

#[test]
fn a_slow_stream_gets_each_report_as_its_advert_arrives() {
    use std::io::{BufRead, Write};
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_adscreen"))
        .args(["scan", "--input-format", "ndjson", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("binary starts");
    let mut stdin = child.stdin.take().expect("stdin piped");
    let stdout = child.stdout.take().expect("stdout piped");
    let (lines, received) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if lines.send(line).is_err() {
                break;
            }
        }
    });
    let wait = std::time::Duration::from_secs(60);
    stdin
        .write_all(b"{\"id\":\"s1\",\"text\":\"Darbs Rigaa\"}\n")
        .expect("write");
    stdin.flush().expect("flush");
    // The input is still open: the first report must come out before any more input.
    let first = received
        .recv_timeout(wait)
        .expect("first report before end of input");
    assert!(first.contains("\"id\":\"s1\""), "{first}");
    stdin
        .write_all(b"{\"id\":\"s2\",\"text\":\"Work in Oslo\"}\n")
        .expect("write");
    drop(stdin);
    let second = received.recv_timeout(wait).expect("second report");
    assert!(second.contains("\"id\":\"s2\""), "{second}");
    assert_eq!(child.wait().expect("exits").code(), Some(0));
    reader.join().expect("reader thread");
}

#[test]
fn stdin_format_is_sniffed() {
    let pretty = b"{\n  \"id\": \"p\",\n  \"text\": \"Darbs\"\n}\n";
    let out = run(&["scan"], Some(pretty), &root());
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(json_lines(&out)[0]["id"], "p");
    let out = run(
        &["scan"],
        Some("Fiktīvā laulība, 5000 EUR".as_bytes()),
        &root(),
    );
    assert_eq!(json_lines(&out)[0]["id"], "stdin");
}

#[test]
fn rules_check_passes_on_the_bundled_rules() {
    let out = run(&["rules", "check"], None, &root());
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("all examples pass"));
    assert!(text.contains("sham_marriage"));
}

#[test]
fn rules_check_names_file_line_and_rule_of_a_broken_rule() {
    let dir = tempfile::tempdir().expect("temp dir");
    for f in ["indicators.toml", "market_pay.toml"] {
        std::fs::copy(root().join("rules").join(f), dir.path().join(f)).expect("copy");
    }
    std::fs::write(
        dir.path().join("fees.toml"),
        "# comment\n[[rule]]\nid = \"fees.x.en\"\nindicator = \"fees_debts\"\nlangs = [\"en\"]\nweight = 20\nexplain = { lv = \"a\", en = \"b\" }\nregex = '(open'\n",
    )
    .expect("write");
    let dir_arg = dir.path().to_string_lossy().to_string();
    let out = run(&["rules", "check", "--rules", &dir_arg], None, &root());
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("fees.toml:3: rule fees.x.en: bad regex"),
        "{stderr}"
    );
    // A failing example is reported too.
    std::fs::write(
        dir.path().join("fees.toml"),
        "[[rule]]\nid = \"fees.x.en\"\nindicator = \"fees_debts\"\nlangs = [\"en\"]\nweight = 20\nexplain = { lv = \"a\", en = \"b\" }\nphrases = [\"deposit\"]\nexamples = { match = [\"no such word\"], no_match = [\"x\"] }\n",
    )
    .expect("write");
    let out = run(&["rules", "check", "--rules", &dir_arg], None, &root());
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("fees.toml:2: rule fees.x.en does not fire")
    );
}

#[test]
fn stdin_ndjson_with_a_first_line_over_8_kib_is_read_line_by_line() {
    let long = "Darbs noliktavā. ".repeat(600);
    let mut input = String::new();
    for i in 1..=6 {
        let text = if i == 1 {
            long.as_str()
        } else {
            "Darbs Rīgā"
        };
        input.push_str(&format!(
            "{}\n",
            serde_json::json!({"id": i.to_string(), "text": text})
        ));
    }
    assert!(input.lines().next().is_some_and(|l| l.len() > 8192));
    let out = run(&["scan"], Some(input.as_bytes()), &root());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let ids: Vec<String> = json_lines(&out)
        .iter()
        .map(|r| r["id"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(ids, ["1", "2", "3", "4", "5", "6"], "{stderr}");
    assert!(stderr.contains("stdin read as NDJSON"), "{stderr}");
}

#[test]
fn stdin_ndjson_after_8192_blank_lines_is_read_as_ndjson() {
    let mut input = "\n".repeat(8192);
    input.push_str("{\"id\":\"a\",\"text\":\"Darbs Rīgā\"}\n{\"text\":\"Darbs Cēsīs\"}\n");
    let out = run(&["scan", "-"], Some(input.as_bytes()), &root());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let ids: Vec<String> = json_lines(&out)
        .iter()
        .map(|r| r["id"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(ids, ["a", "stdin:8194"], "{stderr}");
    assert!(stderr.contains("stdin read as NDJSON"), "{stderr}");
    // Text is said to be text.
    let out = run(&["scan"], Some("\n\nDarbs Rīgā\n".as_bytes()), &root());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("stdin read as text"), "{stderr}");
}

#[test]
fn csv_an_unclosed_quote_does_not_swallow_the_rows_after_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut csv = String::from("id,text\nbroken,\"Darbs Rīgā\n");
    for i in 0..1000 {
        csv.push_str(&format!("r{i},Darbs Cēsīs {i}\n"));
    }
    std::fs::write(dir.path().join("a.csv"), csv).expect("write");
    let out = run(&["scan", "a.csv"], None, dir.path());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let reports = json_lines(&out);
    assert_eq!(reports.len(), 1000, "{stderr}");
    assert_eq!(reports[0]["id"], "r0");
    assert_eq!(reports[999]["id"], "r999");
    assert!(stderr.contains("a.csv: line 2: "), "{stderr}");
    assert!(stderr.contains("1 bad records skipped"), "{stderr}");
}

/// A folder of real adverts where one of two ordinary (unlabelled) adverts is flagged.
fn real_adverts_folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(dir.path().join("real")).expect("mkdir");
    std::fs::write(
        dir.path().join("real/board.jsonl"),
        concat!(
            r#"{"id":"ok","kind":"job","title":"Pārdevējs","text":"SIA Koks meklē pārdevēju veikalā Rīgā. Alga 1200 EUR mēnesī (bruto), pilna slodze.","source":"test"}"#,
            "\n",
            r#"{"id":"bad","title":"Laulība","text":"Fiktīvā laulība, 5000 EUR, raksti WhatsApp","source":"test"}"#,
            "\n",
        ),
    )
    .expect("write");
    dir
}

#[test]
fn eval_real_fails_when_a_file_flags_too_many_ordinary_adverts() {
    let dir = real_adverts_folder();
    let args = [
        "eval",
        "--real",
        "real",
        "--real-only",
        "--flagged-out",
        "out/flagged.jsonl",
        "--max-flagged",
        "0",
    ];
    let out = run(&args, None, dir.path());
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(
            "floor broken: --max-flagged: board.jsonl: 1 of 2 ordinary adverts flagged (50.00%; at most 0.00% allowed)"
        ),
        "{stderr}"
    );
    // The written corpus is not evaluated, and its PR curve not written.
    assert!(!stdout.contains("test split"), "{stdout}");
    assert!(stdout.contains("board.jsonl"), "{stdout}");
    assert!(!dir.path().join("docs").exists());
    let flagged = std::fs::read_to_string(dir.path().join("out/flagged.jsonl")).expect("written");
    let lines: Vec<serde_json::Value> = flagged
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    assert_eq!(lines.len(), 1, "{flagged}");
    assert_eq!(lines[0]["file"], "board.jsonl");
    assert_eq!(lines[0]["id"], "bad");
    assert!(!lines[0]["reasons"].as_array().expect("reasons").is_empty());

    let mut generous = args;
    generous[7] = "0.6";
    let out = run(&generous, None, dir.path());
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn eval_real_json_and_a_missing_folder() {
    let dir = real_adverts_folder();
    let out = run(
        &["eval", "--real", "real", "--real-only", "--json"],
        None,
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v["real"]["files"][0]["rows"], 2);
    assert_eq!(v["real"]["files"][0]["flagged_ordinary"], 1);
    assert!(v.get("overall").is_none());

    let out = run(
        &["eval", "--real", "nowhere", "--real-only"],
        None,
        dir.path(),
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("real adverts in nowhere"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// The text an advert of a fixture was read with, for checking spans against it.
fn fixture_text(name: &str) -> String {
    let bytes = std::fs::read(root().join("tests/fixtures/published").join(name)).expect("fixture");
    let mut text = None;
    adscreen::ingest::read(
        bytes.as_slice(),
        adscreen::ingest::Format::Html,
        name,
        |r| text = r.ok().map(|a| a.text),
    )
    .expect("read");
    text.expect("one advert")
}

#[test]
fn published_fields_feed_the_screening_and_evidence_points_into_the_text_shown() {
    let out = run(
        &[
            "scan",
            "--entities",
            "tests/fixtures/published/jobposting_hour_en.html",
            "tests/fixtures/published/jobposting_month_lv.html",
        ],
        None,
        &root(),
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let reports = json_lines(&out);
    let [hourly, monthly] = reports.as_slice() else {
        panic!("two reports")
    };
    // Pay per hour is converted as pay per hour, the destination is read from the location.
    assert_eq!(hourly["entities"]["pay"][0]["period"], "hour");
    assert!(
        hourly["entities"]["destinations"]
            .as_array()
            .expect("destinations")
            .iter()
            .any(|d| d["country"] == "NO")
    );
    assert_eq!(hourly["flagged"], true);
    let text = fixture_text("jobposting_hour_en.html");
    for reason in hourly["reasons"].as_array().expect("reasons") {
        if let (Some(a), Some(b)) = (reason["start"].as_u64(), reason["end"].as_u64()) {
            assert_eq!(
                reason["evidence"].as_str(),
                text.get(a as usize..b as usize)
            );
        }
    }
    // The employer named in `hiringOrganization` is an employer identity.
    assert_eq!(monthly["entities"]["pay"][0]["period"], "month");
    assert_eq!(monthly["flagged"], false, "{monthly}");
    let indicators: Vec<&str> = monthly["reasons"]
        .as_array()
        .expect("reasons")
        .iter()
        .filter_map(|r| r["indicator"].as_str())
        .collect();
    assert!(
        !indicators.contains(&"no_employer_identity"),
        "{indicators:?}"
    );
}

#[test]
fn fetch_screens_pages_and_feeds_and_skips_what_robots_txt_forbids() {
    use std::sync::Arc;

    use crate::site::{Site, start_site};

    let site = Arc::new(Site::default());
    *site.version.lock().expect("lock") = 1;
    let base = start_site(site.clone());
    let dir = tempfile::tempdir().expect("tempdir");
    let urls = [
        format!("{base}/job.html"),
        format!("{base}/feed.xml"),
        format!("{base}/private/job.html"),
        format!("{base}/fail.xml"),
        // A redirect to a forbidden path is not followed; one to an allowed path is.
        format!("{base}/moved"),
        format!("{base}/go"),
    ];
    let mut args = vec![
        "fetch",
        "--contact",
        "cli@example.lv",
        "--min-delay",
        "50ms",
    ];
    args.extend(urls.iter().map(String::as_str));
    let out = run(&args, None, dir.path());
    let stderr = String::from_utf8_lossy(&out.stderr);
    // Three inputs could not be read: not every input failed, so it is "bad records", not an
    // error.
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let ids: Vec<String> = json_lines(&out)
        .iter()
        .map(|r| r["id"].as_str().expect("id").to_string())
        .collect();
    assert_eq!(
        ids,
        [
            "https://jobs.example.com/ads/9931",
            "item-a",
            "http://example.invalid/b",
            "https://jobs.example.com/ads/9931"
        ]
    );
    assert_eq!(site.seen("/moved").len(), 1);
    assert_eq!(
        site.seen("/job.html").len(),
        2,
        "asked once, and once after /go"
    );
    assert!(
        stderr.contains("robots.txt") && stderr.contains("/private/job.html"),
        "{stderr}"
    );
    assert!(stderr.contains("answered 500"), "{stderr}");
    assert!(site.seen("/private/job.html").is_empty());
    assert_eq!(site.seen("/robots.txt").len(), 1);
    let seen = site.seen("/job.html");
    assert!(seen[0].user_agent.contains("+cli@example.lv"), "{seen:?}");

    // Only addresses are fetched.
    let out = run(&["fetch", "notes.txt"], None, dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not an http"));
}

#[test]
fn opensearch_bulk_pairs_an_index_action_with_each_document() {
    let out = run(
        &[
            "scan",
            "--format",
            "opensearch-bulk",
            "--bulk-index",
            "adverts-2026",
            "corpus/sample.jsonl",
        ],
        None,
        &root(),
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines = json_lines(&out);
    let jsonl = json_lines(&run(&["scan", "corpus/sample.jsonl"], None, &root()));
    assert_eq!(
        lines.len(),
        2 * jsonl.len(),
        "an action and a document per advert"
    );
    let mut with_contacts = 0;
    for (pair, report) in lines.chunks(2).zip(&jsonl) {
        let (action, doc) = (&pair[0], &pair[1]);
        assert_eq!(action["index"]["_index"], "adverts-2026");
        assert_eq!(action["index"]["_id"], report["id"]);
        assert_eq!(doc["id"], report["id"]);
        for field in ["level", "score", "flagged", "reasons"] {
            assert_eq!(doc[field], report[field], "{field}");
        }
        assert!(doc["text"].is_string() && doc["contacts"].is_array());
        let raises: Vec<&str> = report["reasons"]
            .as_array()
            .expect("reasons")
            .iter()
            .filter(|r| r["weight"].as_i64().is_some_and(|w| w > 0))
            .filter_map(|r| r["indicator"].as_str())
            .collect();
        for indicator in doc["indicators"].as_array().expect("indicators") {
            assert!(raises.contains(&indicator.as_str().expect("name")));
        }
        let contacts = doc["contacts"].as_array().expect("contacts");
        if !contacts.is_empty() {
            with_contacts += 1;
            assert!(contacts.iter().all(|c| {
                let c = c.as_str().expect("contact");
                c.starts_with("phone:") || c.starts_with("email:") || c.starts_with("handle:")
            }));
        }
    }
    assert!(
        with_contacts > 10,
        "{with_contacts} documents with contacts"
    );
}
