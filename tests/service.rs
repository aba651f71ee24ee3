//! The HTTP service end to end: a real server on loopback, a real HTTP client.

use std::collections::HashSet;

use serde_json::{Value, json};

use crate::server::{Server, add_key, send};
use crate::util::root;

const JSON: &str = "application/json";
const NDJSON: &str = "application/x-ndjson";

const RISKY: &str = "Darbs Vācijā meitenēm 18-25, alga 4000 EUR mēnesī, pieredze nav vajadzīga, ceļš un dzīvoklis par brīvu. Pase jāatstāj pie mums. Raksti WhatsApp +371 2000 1234";
const BENIGN: &str = "SIA Rimi Latvia (reģ. Nr. 40003053029) meklē pārdevēju Rīgā. Alga 1100 EUR bruto, darba līgums. CV: darbs@rimi.lv";

fn sample_ndjson() -> String {
    std::fs::read_to_string(root().join("corpus/sample.jsonl")).expect("sample")
}

fn ids(v: &Value) -> Vec<String> {
    v["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .map(|h| h["id"].as_str().expect("id").to_string())
        .collect()
}

#[test]
fn screen_answers_a_report_with_exact_evidence_and_stores_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = Server::start(dir.path(), &[]);
    let advert = json!({"title": "Darbs", "text": RISKY});
    let (status, r) = s.post("/v1/screen", None, JSON, advert.to_string());
    assert_eq!(status, 200, "{r}");
    assert_eq!(r["flagged"], true);
    assert!(r["model_probability"].as_f64().is_some());
    let reasons = r["reasons"].as_array().expect("reasons");
    assert!(reasons.len() >= 3);
    for reason in reasons.iter().filter(|x| x["field"] == "text") {
        let (a, b) = (
            reason["start"].as_u64().expect("start") as usize,
            reason["end"].as_u64().expect("end") as usize,
        );
        assert_eq!(reason["evidence"].as_str(), RISKY.get(a..b));
    }
    // Explanations: none by default, one language or all on request; the rules' own are in
    // /v1/indicators.
    assert!(reasons.iter().all(|x| x.get("explanation").is_none()));
    let (_, lv) = s.post("/v1/screen?explain=lv", None, JSON, advert.to_string());
    let (_, all) = s.post("/v1/screen?explain=all", None, JSON, advert.to_string());
    let (_, indicators) = s.get("/v1/indicators", None);
    let explained = indicators["rules"].as_array().expect("rules");
    for (one, full) in lv["reasons"]
        .as_array()
        .expect("reasons")
        .iter()
        .zip(all["reasons"].as_array().expect("reasons"))
    {
        assert_eq!(one["explanation"], full["explanation"]["lv"]);
        if one["indicator"] != "classifier" {
            let rule = explained
                .iter()
                .find(|e| e["rule"] == one["rule"])
                .expect("every rule is in /v1/indicators");
            assert_eq!(rule["explanation"], full["explanation"]);
        }
    }
    let (status, e) = s.post("/v1/screen?explain=de", None, JSON, advert.to_string());
    assert_eq!(status, 400, "{e}");
    let (status, r) = s.post("/v1/screen", None, "text/plain", BENIGN);
    assert_eq!(status, 200);
    assert_eq!(r["flagged"], false, "{r}");
    // A long advert (screened on the blocking pool rather than in place) gets the same care.
    let long = format!(
        "{} {RISKY}",
        "Darba vieta ir Rīgā, birojs ir gaišs un ērts. ".repeat(200)
    );
    let (status, r) = s.post("/v1/screen", None, JSON, json!({"text": long}).to_string());
    assert_eq!(status, 200, "{r}");
    assert_eq!(r["flagged"], true, "{r}");
    let reasons = r["reasons"].as_array().expect("reasons");
    assert!(
        reasons.iter().any(|x| x["start"].as_u64() > Some(9000)),
        "{r}"
    );
    for reason in reasons.iter().filter(|x| x["field"] == "text") {
        let (a, b) = (
            reason["start"].as_u64().expect("start") as usize,
            reason["end"].as_u64().expect("end") as usize,
        );
        assert_eq!(reason["evidence"].as_str(), long.get(a..b));
    }
    assert_eq!(s.stored(), 0);
}

#[test]
fn ingest_takes_objects_arrays_and_streams_and_updates_by_id() {
    let dir = tempfile::tempdir().expect("tempdir");
    let key = add_key(dir.path(), "read,write");
    let s = Server::start(dir.path(), &[]);
    let k = Some(key.as_str());
    let (status, r) = s.post(
        "/v1/adverts",
        k,
        JSON,
        json!({"id": "one", "text": RISKY}).to_string(),
    );
    assert_eq!((status, r["stored"].as_u64()), (200, Some(1)), "{r}");
    let array = json!([
        {"id": "a1", "text": BENIGN},
        {"id": 2, "description": "Work in a warehouse in the Netherlands, housing provided"},
        {"id": "a3", "title": "Pavārs", "body": "Kafejnīca meklē pavāru", "unknown_field": true},
    ]);
    let (status, r) = s.post("/v1/adverts", k, JSON, array.to_string());
    assert_eq!((status, r["stored"].as_u64()), (200, Some(3)), "{r}");
    let stream = format!(
        "{}\n{{not json\n{}\n\n{}\n",
        json!({"id": "n1", "text": RISKY}),
        json!({"id": "n2", "text": BENIGN}),
        json!({"id": "n3", "title": "no text"}),
    );
    let (status, r) = s.post("/v1/adverts", k, NDJSON, stream);
    assert_eq!(status, 200, "{r}");
    assert_eq!(r["stored"], 2, "{r}");
    assert_eq!(r["errors"][0]["line"], 2, "{r}");
    assert_eq!(
        r["errors"][1]["line"], 5,
        "an advert without text is refused: {r}"
    );
    assert_eq!(s.stored(), 6);
    // Same id again: updated, not duplicated.
    let (status, _) = s.post(
        "/v1/adverts",
        k,
        JSON,
        json!({"id": "n1", "text": BENIGN}).to_string(),
    );
    assert_eq!(status, 200);
    assert_eq!(s.stored(), 6);
    let (status, a) = s.get("/v1/adverts/n1", k);
    assert_eq!(status, 200);
    assert_eq!(a["advert"]["text"], BENIGN);
    assert_eq!(a["report"]["flagged"], false);
    // Without an id, the same advert sent twice is stored once.
    for _ in 0..2 {
        let (status, r) = s.post(
            "/v1/adverts",
            k,
            JSON,
            json!({"text": "Auklīte ģimenei Jūrmalā"}).to_string(),
        );
        assert_eq!(status, 200, "{r}");
    }
    assert_eq!(s.stored(), 7);
    let long = json!({"id": "x".repeat(600), "text": BENIGN}).to_string();
    let (status, r) = s.post("/v1/adverts", k, JSON, long);
    assert_eq!((status, r["stored"].as_u64()), (400, Some(0)), "{r}");
    assert!(
        r["errors"][0]["error"]
            .as_str()
            .is_some_and(|m| m.contains("longer than 512"))
    );
    let (status, e) = s.get("/v1/adverts/%FF", k);
    assert_eq!(
        (status, e["error"]["code"].as_str()),
        (400, Some("bad_request")),
        "{e}"
    );
    let (status, e) = s.get("/v1/adverts/missing", k);
    assert_eq!(status, 404);
    assert_eq!(e["error"]["code"], "not_found");
    // Malformed JSON: a clear error, nothing stored.
    let (status, e) = s.post("/v1/adverts", k, JSON, "{\"id\": ");
    assert_eq!(status, 400, "{e}");
    assert!(
        e["stopped"]
            .as_str()
            .is_some_and(|m| m.contains("malformed JSON")),
        "{e}"
    );
    // Invalid UTF-8 in a stream line is reported with its line.
    let mut bad = b"{\"id\":\"u1\",\"text\":\"ok\"}\n{\"id\":\"u2\",\"text\":\"".to_vec();
    bad.extend_from_slice(&[0xff, 0xfe]);
    bad.extend_from_slice(b"\"}\n");
    let (status, r) = s.post("/v1/adverts", k, NDJSON, bad);
    assert_eq!((status, r["stored"].as_u64()), (200, Some(1)), "{r}");
    assert_eq!(r["errors"][0]["line"], 2);
}

#[test]
fn search_filters_sorts_pages_and_counts() {
    let dir = tempfile::tempdir().expect("tempdir");
    let key = add_key(dir.path(), "read,write");
    let k = Some(key.as_str());
    let s = Server::start(dir.path(), &[]);
    let (status, r) = s.post("/v1/adverts", k, NDJSON, sample_ndjson());
    assert_eq!(status, 200, "{r}");
    let n = r["stored"].as_u64().expect("stored");
    assert!(n >= 70);
    let (status, all) = s.get("/v1/search", k);
    assert_eq!(status, 200, "{all}");
    assert_eq!(all["total"], n);
    let level_sum: u64 = all["facets"]["level"]
        .as_object()
        .expect("levels")
        .values()
        .filter_map(Value::as_u64)
        .sum();
    assert_eq!(level_sum, n, "every advert has one level");
    let lang_sum: u64 = all["facets"]["language"]
        .as_object()
        .expect("langs")
        .values()
        .filter_map(Value::as_u64)
        .sum();
    assert_eq!(lang_sum, n);
    // Default order without a query: highest score first.
    let scores: Vec<u64> = all["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .filter_map(|h| h["score"].as_u64())
        .collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
    // Each filter narrows to adverts that satisfy it, and facets follow the filter.
    let (_, high) = s.get("/v1/search?level=high&limit=200", k);
    assert!(
        high["hits"]
            .as_array()
            .expect("hits")
            .iter()
            .all(|h| h["level"] == "high")
    );
    assert_eq!(
        Some(high["total"].as_u64()),
        Some(all["facets"]["level"]["high"].as_u64())
    );
    assert_eq!(
        high["facets"]["level"].as_object().expect("levels").len(),
        1
    );
    let (_, upper) = s.get("/v1/search?level=HIGH&limit=1", k);
    assert_eq!(
        upper["total"], high["total"],
        "filter values are read like stored ones"
    );
    let (_, min) = s.get("/v1/search?min_score=60&limit=200", k);
    assert!(
        min["hits"]
            .as_array()
            .expect("hits")
            .iter()
            .all(|h| h["score"].as_u64() >= Some(60))
    );
    let (_, ind) = s.get("/v1/search?indicator=sham_marriage&limit=200", k);
    assert!(ind["total"].as_u64() > Some(0));
    assert!(ind["hits"].as_array().expect("hits").iter().all(|h| {
        h["indicators"]
            .as_array()
            .expect("list")
            .contains(&json!("sham_marriage"))
    }));
    let (_, ru) = s.get("/v1/search?lang=ru&kind=marriage&limit=200", k);
    assert!(ru["total"].as_u64() > Some(0));
    assert!(
        ru["hits"]
            .as_array()
            .expect("hits")
            .iter()
            .all(|h| h["language"] == "ru" && h["kind"] == "marriage")
    );
    let (_, src) = s.get("/v1/search?source=written", k);
    assert_eq!(src["total"], n);
    let (_, none) = s.get("/v1/search?source=elsewhere", k);
    assert_eq!(none["total"], 0);
    // Dates: adverts without a posting date carry the day they were stored.
    let (_, today) = s.get("/v1/search?from=2020-01-01", k);
    assert_eq!(today["total"], n);
    let (_, past) = s.get("/v1/search?to=2020-01-01", k);
    assert_eq!(past["total"], 0);
    // Full text in three languages, inflected and without diacritics.
    for q in ["whatsapp", "Германии", "vacija", "marriage"] {
        let (status, r) = s.get(&format!("/v1/search?q={q}"), k);
        assert_eq!(status, 200);
        assert!(r["total"].as_u64() > Some(0), "{q} found nothing");
    }
    // Pages do not overlap and cover the result.
    let (_, p1) = s.get("/v1/search?sort=date&limit=10", k);
    let (_, p2) = s.get("/v1/search?sort=date&limit=10&offset=10", k);
    let (a, b): (HashSet<_>, HashSet<_>) = (
        ids(&p1).into_iter().collect(),
        ids(&p2).into_iter().collect(),
    );
    assert_eq!((a.len(), b.len()), (10, 10));
    assert!(a.is_disjoint(&b));
    // Bad parameters are 400 with a message.
    for bad in [
        "level=severe",
        "from=yesterday",
        "min_score=lots",
        "colour=red",
    ] {
        let (status, e) = s.get(&format!("/v1/search?{bad}"), k);
        assert_eq!(status, 400, "{bad}: {e}");
        assert_eq!(e["error"]["code"], "bad_request");
    }
}

#[test]
fn contacts_link_adverts_and_become_a_reason() {
    let dir = tempfile::tempdir().expect("tempdir");
    let key = add_key(dir.path(), "read,write");
    let k = Some(key.as_str());
    let s = Server::start(dir.path(), &[]);
    let adverts = [
        json!({"id": "c1", "text": "SIA Alfa meklē noliktavas darbiniekus. Zvaniet +371 2000 1234"}),
        json!({"id": "c2", "text": "SIA Beta aicina pavārus. Tālr. 20001234"}),
    ];
    for a in &adverts {
        let (status, r) = s.post("/v1/adverts", k, JSON, a.to_string());
        assert_eq!(status, 200, "{r}");
    }
    for value in ["+371%202000%201234", "20001234", "%2B37120001234"] {
        let (status, r) = s.get(&format!("/v1/contacts/{value}/adverts"), k);
        assert_eq!(status, 200, "{r}");
        assert_eq!(r["contact"], "phone:+37120001234");
        assert_eq!(r["total"], 2, "{value}: {r}");
    }
    for id in ["c1", "c2"] {
        let (_, a) = s.get(&format!("/v1/adverts/{id}"), k);
        let reasons = a["report"]["reasons"].as_array().expect("reasons");
        let shared = reasons.iter().find(|r| r["indicator"] == "shared_contact");
        assert!(shared.is_some(), "{id}: {a}");
    }
    let (_, other) = s.get("/v1/contacts/nobody@example.com/adverts", k);
    assert_eq!(other["total"], 0);
}

#[test]
fn keys_scopes_and_errors_are_json() {
    let dir = tempfile::tempdir().expect("tempdir");
    let reader = add_key(dir.path(), "read");
    let s = Server::start(dir.path(), &[]);
    let (status, e) = s.get("/v1/search", None);
    assert_eq!(
        (status, e["error"]["code"].as_str()),
        (401, Some("missing_key"))
    );
    let (status, e) = s.get("/v1/search", Some("ads_not_a_key"));
    assert_eq!(
        (status, e["error"]["code"].as_str()),
        (401, Some("invalid_key"))
    );
    let (status, e) = s.post("/v1/adverts", Some(&reader), JSON, "{}");
    assert_eq!(
        (status, e["error"]["code"].as_str()),
        (403, Some("forbidden"))
    );
    let (status, _) = s.get("/v1/search", Some(&reader));
    assert_eq!(status, 200);
    // Revoked with the command while the server runs: refused from then on.
    let list = std::process::Command::new(env!("CARGO_BIN_EXE_adscreen"))
        .args(["keys", "list", "--data-dir"])
        .arg(dir.path())
        .output()
        .expect("keys list");
    let listing = String::from_utf8_lossy(&list.stdout).to_string();
    assert!(!listing.contains(&reader), "the list never shows keys");
    let id = reader.split('_').nth(1).expect("id part");
    assert!(listing.contains(id));
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_adscreen"))
        .args(["keys", "revoke", id, "--data-dir"])
        .arg(dir.path())
        .output()
        .expect("keys revoke");
    assert!(out.status.success());
    let (status, _) = s.get("/v1/search", Some(&reader));
    assert_eq!(status, 401);
    let (status, e) = s.get("/v1/nowhere", None);
    assert_eq!(
        (status, e["error"]["code"].as_str()),
        (404, Some("not_found"))
    );
    let (status, e) = send(s.request(reqwest::Method::DELETE, "/v1/screen", None));
    assert_eq!(
        (status, e["error"]["code"].as_str()),
        (405, Some("method_not_allowed"))
    );
}

#[test]
fn limits_answer_with_the_right_status() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("adscreen.toml");
    std::fs::write(
        &config,
        "[limits]\nbody_bytes = 4096\nrate_per_second = 2\nrate_burst = 3\n",
    )
    .expect("config");
    let s = Server::start(
        &dir.path().join("data"),
        &["--config", config.to_str().expect("utf-8")],
    );
    let big = json!({"text": "a".repeat(5000)}).to_string();
    let (status, e) = s.post("/v1/screen", None, JSON, big);
    assert_eq!(
        (status, e["error"]["code"].as_str()),
        (413, Some("too_large")),
        "{e}"
    );
    assert!(
        e["error"]["hint"]
            .as_str()
            .is_some_and(|h| h.contains("NDJSON"))
    );
    std::thread::sleep(std::time::Duration::from_millis(1600));
    let (status, e) = s.post("/v1/screen", None, "application/pdf", "%PDF-1.4");
    assert_eq!(
        (status, e["error"]["code"].as_str()),
        (415, Some("unsupported_type"))
    );
    std::thread::sleep(std::time::Duration::from_millis(1600));
    let (status, e) = s.post("/v1/screen", None, JSON, "[1, 2");
    assert_eq!(status, 400, "{e}");
    // A burst over the rate: 429 with Retry-After.
    let mut limited = None;
    for _ in 0..10 {
        let r = s
            .request(reqwest::Method::POST, "/v1/screen", None)
            .header("content-type", JSON)
            .body(json!({"text": BENIGN}).to_string())
            .send()
            .expect("answered");
        if r.status() == 429 {
            limited = Some(r);
            break;
        }
    }
    let r = limited.expect("rate limit reached");
    assert!(r.headers().get("retry-after").is_some());
    let e: Value = r.json().expect("json");
    assert_eq!(e["error"]["code"], "rate_limited");
}

#[test]
fn reload_refuses_a_broken_rule_file_and_keeps_the_old_rules() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rules = dir.path().join("rules");
    std::fs::create_dir(&rules).expect("mkdir");
    for entry in std::fs::read_dir(root().join("rules")).expect("rules") {
        let p = entry.expect("entry").path();
        std::fs::copy(&p, rules.join(p.file_name().expect("name"))).expect("copy");
    }
    let data = dir.path().join("data");
    let admin = add_key(&data, "admin");
    let s = Server::start(&data, &["--rules", rules.to_str().expect("utf-8")]);
    let screen = || s.post("/v1/screen", None, JSON, json!({"text": RISKY}).to_string());
    let before = screen().1["score"].clone();
    std::fs::write(rules.join("fees.toml"), "[[rule]\nid = broken").expect("break");
    let (status, e) = s.post("/v1/admin/reload", Some(&admin), JSON, "");
    assert_eq!(status, 422, "{e}");
    assert!(
        e["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("fees.toml")),
        "{e}"
    );
    let (status, r) = screen();
    assert_eq!(status, 200);
    assert_eq!(r["score"], before, "old rules still in force");
    std::fs::copy(root().join("rules/fees.toml"), rules.join("fees.toml")).expect("restore");
    let (status, r) = s.post("/v1/admin/reload", Some(&admin), JSON, "");
    assert_eq!(status, 200, "{r}");
    assert_eq!(r["reloaded"], true);
    let (status, _) = s.post("/v1/admin/reload", None, JSON, "");
    assert_eq!(status, 401);
}

#[test]
fn meta_routes_answer() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = Server::start(dir.path(), &[]);
    let (status, h) = s.get("/healthz", None);
    assert_eq!((status, h["status"].as_str()), (200, Some("ok")));
    let (status, ind) = s.get("/v1/indicators", None);
    assert_eq!(status, 200);
    let list = ind["indicators"].as_array().expect("list");
    assert!(list.iter().any(|i| i["id"] == "shared_contact"));
    assert!(
        list.iter()
            .all(|i| i["name"]["lv"].is_string() && i["about"]["en"].is_string())
    );
    assert!(ind["help"]["phone"].is_string());
    let (status, api) = s.get("/openapi.json", None);
    assert_eq!(status, 200);
    assert!(api["openapi"].as_str().is_some_and(|v| v.starts_with("3.")));
    for path in [
        "/v1/screen",
        "/v1/adverts",
        "/v1/adverts/{id}",
        "/v1/adverts/{id}/review",
        "/v1/search",
        "/v1/export.csv",
        "/report",
        "/v1/contacts/{value}/adverts",
        "/v1/indicators",
        "/v1/admin/reload",
        "/healthz",
        "/readyz",
        "/metrics",
    ] {
        assert!(
            api["paths"][path].is_object(),
            "{path} missing from /openapi.json"
        );
    }
    s.post("/v1/screen", None, JSON, json!({"text": RISKY}).to_string());
    let text = s
        .request(reqwest::Method::GET, "/metrics", None)
        .send()
        .expect("metrics")
        .text()
        .expect("text");
    assert!(text.contains("adscreen_adverts_screened_total 1"), "{text}");
    assert!(text.contains("adscreen_adverts_flagged_total{level="));
    assert!(text.contains("adscreen_http_request_duration_seconds_bucket"));
    assert!(text.contains("route=\"/v1/screen\""));
}

#[test]
fn acknowledged_adverts_survive_kill_9_without_duplicates() {
    let dir = tempfile::tempdir().expect("tempdir");
    let key = add_key(dir.path(), "read,write");
    let server = Server::start(dir.path(), &[]);
    let url = server.url.clone();
    let sample: Vec<Value> = sample_ndjson()
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    let writer_key = key.clone();
    let (acked_tx, acked_rx) = std::sync::mpsc::channel::<Vec<String>>();
    let ingest = std::thread::spawn(move || {
        adscreen::fetch::install_tls_provider();
        let client = reqwest::blocking::Client::new();
        for batch in 0..10_000 {
            let body: String = (0..50)
                .map(|i| {
                    let mut a = sample[(batch * 50 + i) % sample.len()].clone();
                    // Every fifth batch re-sends ids of the first batches: updates, not copies.
                    let n = if batch % 5 == 4 { i } else { batch * 50 + i };
                    a["id"] = json!(format!("crash-{n}"));
                    format!("{a}\n")
                })
                .collect();
            let response = client
                .post(format!("{url}/v1/adverts"))
                .bearer_auth(&writer_key)
                .header("content-type", NDJSON)
                .body(body)
                .send();
            let Ok(r) = response else { return };
            if r.status() != 200 {
                return;
            }
            let Ok(v) = r.json::<Value>() else { return };
            let ids = v["adverts"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|x| x["id"].as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default();
            if acked_tx.send(ids).is_err() {
                return;
            }
        }
    });
    // Let some batches be acknowledged, then kill the server mid-stream.
    let mut acked: HashSet<String> = HashSet::new();
    while acked.len() < 400 {
        acked.extend(acked_rx.recv().expect("batches acknowledged"));
    }
    server.kill();
    let _ = ingest.join();
    acked.extend(acked_rx.try_iter().flatten());
    let s = Server::start(dir.path(), &[]);
    let k = Some(key.as_str());
    for id in &acked {
        let (status, _) = s.get(&format!("/v1/adverts/{id}"), k);
        assert_eq!(status, 200, "acknowledged advert {id} lost");
    }
    // No duplicates: the index holds exactly one document per distinct id stored.
    let stored = s.stored();
    let (_, all) = s.get("/v1/search?limit=1", k);
    assert_eq!(all["total"].as_u64(), Some(stored));
    let mut distinct = 0;
    let mut offset = 0;
    let mut seen = HashSet::new();
    loop {
        let (_, page) = s.get(
            &format!("/v1/search?sort=date&limit=200&offset={offset}"),
            k,
        );
        let page_ids = ids(&page);
        if page_ids.is_empty() {
            break;
        }
        for id in page_ids {
            assert!(seen.insert(id.clone()), "{id} stored twice");
            distinct += 1;
        }
        offset += 200;
    }
    assert_eq!(distinct, stored);
    assert!(stored >= acked.len() as u64);
    // A graceful stop (SIGTERM) keeps everything too.
    s.stop();
    let s = Server::start(dir.path(), &[]);
    assert_eq!(s.stored(), stored);
}

/// A body that sends one line, then stalls.
struct Stalling {
    sent: bool,
}

impl std::io::Read for Stalling {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.sent {
            std::thread::sleep(std::time::Duration::from_secs(4));
            return Ok(0);
        }
        self.sent = true;
        let line = b"{\"id\":\"slow\",\"text\":\"Auklite\"}\n";
        buf[..line.len()].copy_from_slice(line);
        Ok(line.len())
    }
}

#[test]
fn a_request_over_its_time_limit_gets_a_json_503() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("adscreen.toml");
    std::fs::write(&config, "[limits]\ningest_timeout_secs = 1\n").expect("config");
    let data = dir.path().join("data");
    let key = add_key(&data, "write");
    let s = Server::start(&data, &["--config", config.to_str().expect("utf-8")]);
    let (status, e) = send(
        s.request(reqwest::Method::POST, "/v1/adverts", Some(&key))
            .header("content-type", NDJSON)
            .body(reqwest::blocking::Body::new(Stalling { sent: false })),
    );
    assert_eq!(
        (status, e["error"]["code"].as_str()),
        (503, Some("timeout")),
        "{e}"
    );
    assert!(
        e["error"]["hint"]
            .as_str()
            .is_some_and(|h| h.contains("ingest_timeout_secs"))
    );
}

#[test]
fn an_id_with_a_control_character_is_refused_not_replaced() {
    let dir = tempfile::tempdir().expect("tempdir");
    let key = add_key(dir.path(), "read,write");
    let s = Server::start(dir.path(), &[]);
    let k = Some(key.as_str());
    // Without an id, an advert is named by its content.
    let (status, r) = s.post(
        "/v1/screen",
        None,
        JSON,
        json!({"text": BENIGN}).to_string(),
    );
    assert_eq!(status, 200, "{r}");
    let hashed = r["id"].as_str().expect("an id").to_string();
    assert!(hashed.starts_with('h') && hashed.len() > 8, "{hashed}");
    // An id that starts with NUL is not a missing id: it is refused.
    for id in ["\u{0}", "\u{0}mine", "a\u{1b}[2Jb"] {
        let (status, r) = s.post(
            "/v1/screen",
            None,
            JSON,
            json!({"id": id, "text": BENIGN}).to_string(),
        );
        assert_eq!(status, 400, "{id:?}: {r}");
        assert!(r.to_string().contains("control character"), "{r}");
    }
    let stream = format!(
        "{}\n{}\n",
        json!({"id": "\u{0}", "text": RISKY}),
        json!({"text": BENIGN}),
    );
    let (status, r) = s.post("/v1/adverts", k, NDJSON, stream);
    assert_eq!(status, 200, "{r}");
    assert_eq!(r["stored"], 1, "{r}");
    assert_eq!(r["errors"][0]["line"], 1, "{r}");
    assert_eq!(r["adverts"][0]["id"], hashed.as_str(), "{r}");
}

#[test]
fn export_csv_opens_in_a_spreadsheet_with_latvian_letters_intact() {
    let dir = tempfile::tempdir().expect("tempdir");
    let key = add_key(dir.path(), "read,write");
    let k = Some(key.as_str());
    let s = Server::start(dir.path(), &[]);
    let (status, r) = s.post("/v1/adverts", k, NDJSON, sample_ndjson());
    assert_eq!(status, 200, "{r}");
    let (_, high) = s.get("/v1/search?level=high&limit=200", k);
    let expected = high["total"].as_u64().expect("total");
    assert!(expected >= 5);
    let response = s
        .request(reqwest::Method::GET, "/v1/export.csv?level=high", k)
        .header("accept-language", "lv-LV,lv;q=0.9")
        .send()
        .expect("export answered");
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(
        response
            .headers()
            .get("x-adscreen-rows")
            .and_then(|v| v.to_str().ok()),
        Some(expected.to_string().as_str())
    );
    let bytes = response.bytes().expect("body");
    let text = std::str::from_utf8(&bytes).expect("UTF-8");
    let body = text
        .strip_prefix('\u{feff}')
        .expect("a byte order mark first");
    let (header, rows) = crate::util::read_sheet(body.as_bytes());
    let col = |name: &str| header.iter().position(|h| h == name).expect(name);
    assert_eq!(rows.len() as u64, expected);
    assert!(rows.iter().all(|r| &r[col("level")] == "high"));
    // Latvian adverts keep their letters, and signs are named in Latvian.
    let latvian: Vec<&csv::StringRecord> = rows
        .iter()
        .filter(|r| &r[col("language")] == "lv")
        .collect();
    assert!(!latvian.is_empty());
    assert!(
        latvian
            .iter()
            .any(|r| r[col("text")].chars().any(|c| "āčēģīķļņšūž".contains(c))),
        "{latvian:?}"
    );
    let (_, indicators) = s.get("/v1/indicators", None);
    let lv_names: Vec<&str> = indicators["indicators"]
        .as_array()
        .expect("indicators")
        .iter()
        .filter_map(|i| i["name"]["lv"].as_str())
        .collect();
    assert!(rows.iter().all(|r| {
        r[col("indicators")]
            .split(", ")
            .all(|n| lv_names.contains(&n))
    }));
    assert!(rows.iter().any(|r| !r[col("evidence")].is_empty()));
    // Without a key, nothing.
    let (status, _) = s.get("/v1/export.csv", None);
    assert_eq!(status, 401);
}

#[test]
fn reviews_are_recorded_with_history_filtered_counted_and_survive_kill_9_and_reingest() {
    let dir = tempfile::tempdir().expect("tempdir");
    let key = add_key(dir.path(), "read,write");
    let k = Some(key.as_str());
    let reader = add_key(dir.path(), "read");
    let s = Server::start(dir.path(), &[]);
    let (status, r) = s.post("/v1/adverts", k, NDJSON, sample_ndjson());
    assert_eq!(status, 200, "{r}");
    let (_, high) = s.get("/v1/search?level=high&limit=3", k);
    let ids: Vec<String> = high["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .filter_map(|h| h["id"].as_str().map(str::to_string))
        .collect();
    assert_eq!(ids.len(), 3);
    let review = |id: &str, body: Value, key: Option<&str>| {
        s.post(
            &format!("/v1/adverts/{id}/review"),
            key,
            JSON,
            body.to_string(),
        )
    };
    // Before any decision: new, no history.
    let (_, a) = s.get(&format!("/v1/adverts/{}", ids[0]), k);
    assert_eq!(a["review"]["status"], "new");
    assert_eq!(a["review_history"], json!([]));
    // Two decisions on one advert: both kept, the last one current, with who and when.
    let (status, r) = review(&ids[0], json!({"status": "reviewed"}), k);
    assert_eq!(status, 200, "{r}");
    let (status, r) = review(
        &ids[0],
        json!({"status": "confirmed", "note": "Pase jāatstāj pie koordinatora"}),
        k,
    );
    assert_eq!(status, 200, "{r}");
    assert_eq!(r["review"]["status"], "confirmed");
    assert_eq!(r["review_history"].as_array().map(Vec::len), Some(2));
    assert!(r["review"]["by"].as_str().is_some_and(|b| !b.is_empty()));
    assert!(r["review"]["at"].as_str().is_some_and(|t| t.ends_with('Z')));
    let (status, _) = review(&ids[1], json!({"status": "false_alarm", "note": "ok"}), k);
    assert_eq!(status, 200);
    // Bad input: a clear error, nothing recorded.
    let (status, e) = review(&ids[2], json!({"status": "done"}), k);
    assert_eq!(status, 400, "{e}");
    assert!(
        e["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("false_alarm"))
    );
    let (status, _) = review("no-such-advert", json!({"status": "reviewed"}), k);
    assert_eq!(status, 404);
    let (status, _) = review(&ids[2], json!({"status": "reviewed"}), Some(&reader));
    assert_eq!(status, 403, "reviewing needs the write scope");
    // Filter and facet.
    let (_, confirmed) = s.get("/v1/search?review=confirmed", k);
    assert_eq!(confirmed["total"], 1, "{confirmed}");
    assert_eq!(confirmed["hits"][0]["id"], ids[0].as_str());
    assert_eq!(confirmed["hits"][0]["review"], "confirmed");
    let (_, all) = s.get("/v1/search", k);
    let n = all["total"].as_u64().expect("total");
    assert_eq!(all["facets"]["review"]["confirmed"], 1);
    assert_eq!(all["facets"]["review"]["false_alarm"], 1);
    assert_eq!(all["facets"]["review"]["new"], n - 2);
    let (_, open) = s.get("/v1/search?review=new,confirmed&limit=200", k);
    assert_eq!(open["total"], n - 1);
    assert!(
        open["hits"]
            .as_array()
            .expect("hits")
            .iter()
            .all(|h| h["id"] != ids[1].as_str())
    );
    let (status, _) = s.get("/v1/search?review=maybe", k);
    assert_eq!(status, 400);
    // Acknowledged decisions survive kill -9; a re-ingest of the advert keeps its review.
    s.kill();
    let s = Server::start(dir.path(), &[]);
    let (_, a) = s.get(&format!("/v1/adverts/{}", ids[0]), k);
    assert_eq!(a["review"]["status"], "confirmed", "{a}");
    assert_eq!(a["review"]["note"], "Pase jāatstāj pie koordinatora");
    assert_eq!(a["review_history"].as_array().map(Vec::len), Some(2));
    let again = json!({"id": ids[0], "text": a["advert"]["text"], "title": a["advert"]["title"]});
    let (status, _) = s.post("/v1/adverts", k, JSON, again.to_string());
    assert_eq!(status, 200);
    let (_, a) = s.get(&format!("/v1/adverts/{}", ids[0]), k);
    assert_eq!(a["review"]["status"], "confirmed");
}

#[test]
fn search_finds_an_advert_by_id_and_by_contact_in_any_written_form() {
    let dir = tempfile::tempdir().expect("tempdir");
    let key = add_key(dir.path(), "read,write");
    let k = Some(key.as_str());
    let s = Server::start(dir.path(), &[]);
    let adverts = format!(
        "{}\n{}\n{}\n",
        json!({"id": "ss-991", "source": "SS.lv", "title": "Darbs Vācijā", "text": "Darbs rūpnīcā Vācijā. Zvani 2000 4417 vai raksti Darbs@Example.LV, Telegram @vakances_lv"}),
        json!({"id": "ss-992", "source": "ss.lv", "title": "Pārdevējs", "text": "SIA Rimi Latvia meklē pārdevēju Rīgā. Tālr. 6780 0000"}),
        json!({"id": "other-1", "source": "Facebook", "title": "Auklīte", "text": "Meklēju auklīti bērnam, zvaniet 2911 1111"}),
    );
    let (status, r) = s.post("/v1/adverts", k, NDJSON, adverts);
    assert_eq!(status, 200, "{r}");
    let ids = |query: &str| -> Vec<String> {
        let (status, r) = s.get(&format!("/v1/search?{query}"), k);
        assert_eq!(status, 200, "{query}: {r}");
        let mut ids: Vec<String> = r["hits"]
            .as_array()
            .expect("hits")
            .iter()
            .filter_map(|h| h["id"].as_str().map(str::to_string))
            .collect();
        ids.sort();
        ids
    };
    for q in [
        "20004417",
        "%2B371%202000%204417",
        "2000-4417",
        "%2B37120004417",
        "%40vakances_lv",
        "DARBS%40EXAMPLE.LV",
        "ss-991",
    ] {
        assert_eq!(ids(&format!("q={q}")), ["ss-991"], "q={q}");
    }
    // The source filter ignores case.
    assert_eq!(ids("source=ss.lv"), ["ss-991", "ss-992"]);
    assert_eq!(ids("source=SS.LV"), ["ss-991", "ss-992"]);
    assert_eq!(ids("source=facebook"), ["other-1"]);
}

#[test]
fn feedback_export_writes_decisions_as_labels_that_eval_reads() {
    let dir = tempfile::tempdir().expect("tempdir");
    let key = add_key(dir.path(), "read,write");
    let k = Some(key.as_str());
    let s = Server::start(dir.path(), &[]);
    let (status, r) = s.post("/v1/adverts", k, NDJSON, sample_ndjson());
    assert_eq!(status, 200, "{r}");
    let (_, high) = s.get("/v1/search?level=high&limit=2", k);
    let (_, low) = s.get("/v1/search?level=low&limit=1", k);
    let risky = high["hits"][0]["id"].as_str().expect("id").to_string();
    let referred = high["hits"][1]["id"].as_str().expect("id").to_string();
    let benign = low["hits"][0]["id"].as_str().expect("id").to_string();
    for (id, status) in [
        (&risky, "confirmed"),
        (&referred, "referred"),
        (&benign, "false_alarm"),
    ] {
        let (code, r) = s.post(
            &format!("/v1/adverts/{id}/review"),
            k,
            JSON,
            json!({"status": status, "note": "pārbaudīts"}).to_string(),
        );
        assert_eq!(code, 200, "{r}");
    }
    // Exported while the server runs: its index is only read.
    let out_dir = tempfile::tempdir().expect("out");
    let out = out_dir.path().join("decisions.jsonl");
    let exported = crate::util::run(
        &[
            "feedback",
            "export",
            "--data-dir",
            &dir.path().display().to_string(),
            "--out",
            &out.display().to_string(),
        ],
        None,
        &root(),
    );
    assert_eq!(exported.status.code(), Some(0), "{exported:?}");
    let lines: Vec<Value> = std::fs::read_to_string(&out)
        .expect("written")
        .lines()
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect();
    assert_eq!(lines.len(), 3);
    let line = |id: &str| lines.iter().find(|l| l["id"] == id).expect("exported");
    assert_eq!(line(&risky)["label"], "risky");
    assert_eq!(line(&referred)["label"], "risky");
    assert_eq!(line(&benign)["label"], "benign");
    assert!(
        line(&risky)["label_indicators"]
            .as_array()
            .is_some_and(|l| !l.is_empty())
    );
    assert!(line(&risky)["text"].as_str().is_some_and(|t| !t.is_empty()));
    // `adscreen eval --real` measures the deployment on its own decisions.
    let eval = crate::util::run(
        &[
            "eval",
            "--real",
            &out_dir.path().display().to_string(),
            "--real-only",
            "--json",
        ],
        None,
        &root(),
    );
    assert_eq!(eval.status.code(), Some(0), "{eval:?}");
    let report: Value = serde_json::from_slice(&eval.stdout).expect("eval json");
    let file = &report["real"]["files"][0];
    assert_eq!(file["file"], "decisions.jsonl", "{report}");
    assert_eq!(file["risky"]["rows"], 2, "{report}");
    assert_eq!(file["ordinary"], 1, "{report}");
    drop(s);
}

#[test]
fn the_review_queue_puts_strong_signs_first_without_ties() {
    let dir = tempfile::tempdir().expect("tempdir");
    let key = add_key(dir.path(), "read,write");
    let k = Some(key.as_str());
    let s = Server::start(dir.path(), &[]);
    let (status, r) = s.post("/v1/adverts", k, NDJSON, sample_ndjson());
    assert_eq!(status, 200, "{r}");
    let (_, indicators) = s.get("/v1/indicators", None);
    let strong: HashSet<String> = indicators["indicators"]
        .as_array()
        .expect("indicators")
        .iter()
        .filter(|i| i["strength"] == "strong")
        .filter_map(|i| i["id"].as_str().map(str::to_string))
        .collect();
    assert!(!strong.is_empty());
    let (status, queue) = s.get(
        "/v1/search?sort=priority&review=new&level=high,medium&limit=200",
        k,
    );
    assert_eq!(status, 200, "{queue}");
    let hits = queue["hits"].as_array().expect("hits");
    assert_eq!(hits.len() as u64, queue["total"].as_u64().expect("total"));
    assert!(hits.len() >= 10);
    let keys: Vec<(usize, usize)> = hits
        .iter()
        .map(|h| {
            let signs: Vec<&str> = h["indicators"]
                .as_array()
                .expect("indicators")
                .iter()
                .filter_map(Value::as_str)
                .collect();
            (
                signs.iter().filter(|i| strong.contains(**i)).count(),
                signs.len(),
            )
        })
        .collect();
    assert!(
        keys.windows(2).all(|w| w[0] >= w[1]),
        "strong signs, then signs, decide first: {keys:?}"
    );
    // Paging through the queue gives the same order, each advert once.
    let (_, first) = s.get(
        "/v1/search?sort=priority&review=new&level=high,medium&limit=5",
        k,
    );
    let (_, second) = s.get(
        "/v1/search?sort=priority&review=new&level=high,medium&limit=5&offset=5",
        k,
    );
    let paged: Vec<&Value> = first["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .chain(second["hits"].as_array().expect("hits"))
        .map(|h| &h["id"])
        .collect();
    let whole: Vec<&Value> = hits.iter().take(10).map(|h| &h["id"]).collect();
    assert_eq!(paged, whole);
}

/// The numbers of a report's table `section` (row label -> cells).
fn report_table(html: &str, section: &str) -> Vec<(String, Vec<u64>)> {
    let start = html
        .find(&format!("<section id=\"{section}\">"))
        .unwrap_or_else(|| panic!("section {section} missing"));
    let part = &html[start..];
    let part = &part[..part.find("</section>").expect("section ends")];
    let Some(body) = part.split("<tbody>").nth(1) else {
        return Vec::new();
    };
    body.split("<tr>")
        .skip(1)
        .map(|row| {
            let label = row
                .split("<th scope=\"row\">")
                .nth(1)
                .and_then(|x| x.split("</th>").next())
                .unwrap_or_default()
                .to_string();
            let cells = row
                .split("<td>")
                .skip(1)
                .filter_map(|c| c.split("</td>").next()?.parse().ok())
                .collect();
            (label, cells)
        })
        .collect()
}

#[test]
fn the_report_counts_what_the_api_counts_and_refers_to_nothing_outside() {
    let dir = tempfile::tempdir().expect("tempdir");
    let key = add_key(dir.path(), "read,write");
    let k = Some(key.as_str());
    let s = Server::start(dir.path(), &[]);
    let (status, r) = s.post("/v1/adverts", k, NDJSON, sample_ndjson());
    assert_eq!(status, 200, "{r}");
    let (_, high) = s.get("/v1/search?level=high&limit=1", k);
    let id = high["hits"][0]["id"].as_str().expect("id").to_string();
    let (status, _) = s.post(
        &format!("/v1/adverts/{id}/review"),
        k,
        JSON,
        json!({"status": "confirmed"}).to_string(),
    );
    assert_eq!(status, 200);
    let (_, all) = s.get("/v1/search", k);
    let (_, flagged) = s.get("/v1/search?level=medium,high", k);
    let response = s
        .request(reqwest::Method::GET, "/report?lang=en", k)
        .send()
        .expect("report");
    assert_eq!(response.status().as_u16(), 200);
    let csp = response
        .headers()
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    assert!(csp.contains("default-src 'none'"), "{csp}");
    let html = response.text().expect("html");
    // Charts drawn in the page, and nothing fetched from anywhere.
    assert!(html.matches("<svg").count() >= 5);
    for external in [
        "src=", "href=", "url(", "@import", "<script", "<link", "http://", "https://",
    ] {
        assert!(
            !html.contains(external),
            "the report refers outside: {external}"
        );
    }
    // Its numbers are the API's.
    let total = all["total"].as_u64().expect("total");
    assert!(html.contains(&format!(
        "<span data-total=\"screened\">Adverts screened: <strong>{total}</strong>"
    )));
    assert!(html.contains(&format!(
        "<span data-total=\"flagged\">Flagged as risky: <strong>{}</strong>",
        flagged["total"]
    )));
    let levels = report_table(&html, "levels");
    for (label, level) in [("high", "high"), ("medium", "medium"), ("low", "low")] {
        let row = levels.iter().find(|r| r.0 == label).expect("level row");
        assert_eq!(
            Some(row.1[0]),
            all["facets"]["level"][level].as_u64().or(Some(0)),
            "{label}"
        );
    }
    let reviews = report_table(&html, "reviews");
    let confirmed = reviews
        .iter()
        .find(|r| r.0 == "confirmed risk")
        .expect("row");
    assert_eq!(confirmed.1, [1]);
    let weeks = report_table(&html, "weeks");
    assert_eq!(weeks.iter().map(|w| w.1[0]).sum::<u64>(), total);
    // The same report from the command line, in Latvian, while the server runs.
    let out = dir.path().join("report.html");
    let cli = crate::util::run(
        &[
            "report",
            "--data-dir",
            &dir.path().display().to_string(),
            "--lang",
            "lv",
            "--out",
            &out.display().to_string(),
        ],
        None,
        &root(),
    );
    assert_eq!(cli.status.code(), Some(0), "{cli:?}");
    let lv = std::fs::read_to_string(&out).expect("written");
    assert!(lv.contains("<html lang=\"lv\">"));
    assert!(lv.contains(&format!("Pārbaudīti sludinājumi: <strong>{total}</strong>")));
    // A period with nothing in it is an empty report, not an error.
    let (status, _) = s.get("/report?from=1990-01-01&to=1990-12-31", k);
    assert_eq!(status, 200);
    let (status, _) = s.get("/report?from=yesterday", k);
    assert_eq!(status, 400);
}

#[test]
fn an_advert_view_has_its_link_first_and_last_seen_and_reposts() {
    let dir = tempfile::tempdir().expect("tempdir");
    let key = add_key(dir.path(), "read,write");
    let k = Some(key.as_str());
    let s = Server::start(dir.path(), &[]);
    let text = "Darbs Vācijā gaļas pārstrādes rūpnīcā, alga 3500 EUR mēnesī, dzīvoklis un ceļš par brīvu, pieredze nav vajadzīga. Raksti WhatsApp +371 2000 7777";
    let first =
        json!({"id": "r1", "url": "https://example.org/ad/1", "source": "ss.lv", "text": text});
    let repost = json!({"id": "r2", "source": "ss.lv", "text": format!("{text}!")});
    for body in [&first, &repost] {
        let (status, r) = s.post("/v1/adverts", k, JSON, body.to_string());
        assert_eq!(status, 200, "{r}");
    }
    let (_, a) = s.get("/v1/adverts/r1", k);
    assert_eq!(a["advert"]["url"], "https://example.org/ad/1");
    let seen = a["first_seen"].as_str().expect("first seen").to_string();
    assert_eq!(a["stored_at"], seen.as_str());
    let members: Vec<&str> = a["group_members"]
        .as_array()
        .expect("members")
        .iter()
        .filter_map(|h| h["id"].as_str())
        .collect();
    assert!(members.contains(&"r1") && members.contains(&"r2"), "{a}");
    assert_eq!(a["group_size"], 2);
    // Stored again a second later: first seen stays, last seen moves on.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let (status, _) = s.post("/v1/adverts", k, JSON, first.to_string());
    assert_eq!(status, 200);
    let (_, a) = s.get("/v1/adverts/r1", k);
    assert_eq!(a["first_seen"], seen.as_str());
    assert!(
        a["stored_at"].as_str().expect("stored") > seen.as_str(),
        "{a}"
    );
    // ... also after a restart.
    drop(s);
    let s = Server::start(dir.path(), &[]);
    let (status, _) = s.post("/v1/adverts", k, JSON, first.to_string());
    assert_eq!(status, 200);
    let (_, a) = s.get("/v1/adverts/r1", k);
    assert_eq!(a["first_seen"], seen.as_str());
}

#[test]
fn pages_feeds_and_telegram_exports_are_taken_as_published() {
    let dir = tempfile::tempdir().expect("tempdir");
    let key = add_key(dir.path(), "write,read");
    let s = Server::start(dir.path(), &[]);
    let fixture = |name: &str| {
        std::fs::read(root().join("tests/fixtures/published").join(name)).expect("fixture")
    };
    // A page with JSON-LD, screened.
    let (status, r) = s.post(
        "/v1/screen",
        None,
        "text/html; charset=utf-8",
        fixture("jobposting_hour_en.html"),
    );
    assert_eq!(status, 200, "{r}");
    assert_eq!(r["id"], "https://jobs.example.com/ads/9931");
    assert_eq!(r["flagged"], true);
    // A feed with a broken item: the others are stored, the broken one reported on its line.
    let (status, r) = s.post(
        "/v1/adverts",
        Some(&key),
        "application/rss+xml",
        fixture("feed_broken_item.xml"),
    );
    assert_eq!(status, 200, "{r}");
    assert_eq!(r["stored"], 2, "{r}");
    assert_eq!(r["errors"][0]["line"], 10, "{r}");
    // An Atom feed and a Telegram export (JSON, recognised by its messages).
    let (_, r) = s.post(
        "/v1/adverts",
        Some(&key),
        "application/atom+xml",
        fixture("feed_atom.xml"),
    );
    assert_eq!(r["stored"], 2, "{r}");
    let (_, r) = s.post(
        "/v1/adverts",
        Some(&key),
        JSON,
        fixture("telegram_result.json"),
    );
    assert_eq!(r["stored"], 2, "{r}");
    let (status, advert) = s.get(
        "/v1/adverts/https%3A%2F%2Ft.me%2Fc%2F1987654321%2F14",
        Some(&key),
    );
    assert_eq!(status, 200, "{advert}");
    assert_eq!(advert["advert"]["url"], "https://t.me/c/1987654321/14");
    assert_eq!(
        advert["advert"]["source"],
        "Работа за границей | Work abroad"
    );
    // Something that is no feed is refused whole.
    let (status, r) = s.post(
        "/v1/adverts",
        Some(&key),
        "application/rss+xml",
        "<rss><channel>",
    );
    assert_eq!(status, 400, "{r}");
    let (status, _) = s.post("/v1/adverts", Some(&key), "application/pdf", "%PDF-1.4");
    assert_eq!(status, 415);
}
