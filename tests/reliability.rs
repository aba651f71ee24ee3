//! What an attacker or a tired operator does to a running server: hostile searches, guessed keys,
//! clients that trickle their headers, and data directories that are not what the server wrote.
//! Every test starts a real `adscreen serve` on loopback.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::server::{Server, add_key, send};

const NDJSON: &str = "application/x-ndjson";
/// Adverts in the committed index of the fault tests.
const ADVERTS: usize = 40;

/// `/v1/search` with these parameters, percent-encoded.
fn search_path(params: &[(&str, &str)]) -> String {
    let url = reqwest::Url::parse_with_params("http://localhost/v1/search", params)
        .expect("parameters encode");
    format!("/v1/search?{}", url.query().unwrap_or_default())
}

/// Searches that took the process down or a core for minutes before they were bounded.
fn hostile_queries() -> Vec<(&'static str, String)> {
    vec![
        ("800 open brackets", "(".repeat(800)),
        ("2,000 NOTs", "NOT ".repeat(2000) + "darbs"),
        ("2,000 -(", "-(".repeat(2000)),
        ("2,000 +(", "+(".repeat(2000)),
        (
            "a phrase of 2,000 words",
            format!("\"{}\"", "darbs ".repeat(2000).trim_end()),
        ),
        ("a run of 900 minus signs", "-".repeat(900) + "x"),
    ]
}

#[test]
fn hostile_searches_are_refused_with_what_is_allowed_and_the_server_lives() {
    let dir = tempfile::tempdir().expect("tempdir");
    let key = add_key(dir.path(), "read,write");
    let s = Server::start(dir.path(), &["--no-model"]);
    for (what, q) in hostile_queries() {
        let (status, body) = send(s.request(
            reqwest::Method::GET,
            &search_path(&[("q", q.as_str())]),
            Some(&key),
        ));
        assert_eq!(status, 400, "{what}: {body}");
        let message = body["error"]["message"].as_str().unwrap_or_default();
        assert!(
            message.contains("at most") && message.contains("deep"),
            "{what}: the message says what is allowed: {message}"
        );
        assert_eq!(s.get("/healthz", None).0, 200, "alive after {what}");
    }
    // A term set tantivy's parser loops on until memory runs out (found by fuzzing).
    let (status, body) = send(s.request(
        reqwest::Method::GET,
        &search_path(&[("q", "a^2IN [[ *) TO")]),
        Some(&key),
    ));
    assert_eq!(status, 400, "{body}");
    assert_eq!(s.get("/healthz", None).0, 200);
    // Dates: one stated range, the same for every date a search takes.
    let (status, _) = s.post(
        "/v1/adverts",
        Some(&key),
        NDJSON,
        "{\"id\":\"d1\",\"text\":\"Darbs Rīgā\",\"posted_at\":\"2026-05-01\"}\n",
    );
    assert_eq!(status, 200);
    for (param, value) in [
        ("to", "9999-12-31"),
        ("from", "1000-01-01"),
        ("from", "2026-05-01T10:00:00+99:00"),
    ] {
        let (status, body) = send(s.request(
            reqwest::Method::GET,
            &search_path(&[(param, value)]),
            Some(&key),
        ));
        let message = body["error"]["message"].as_str().unwrap_or_default();
        assert!(
            status == 400 && message.contains("1900-01-01") && message.contains("2199-12-31"),
            "{param}={value}: {status} {body}"
        );
    }
    let (status, body) = send(s.request(
        reqwest::Method::GET,
        &search_path(&[("from", "1900-01-01"), ("to", "2199-12-31")]),
        Some(&key),
    ));
    assert_eq!((status, body["total"].as_u64()), (200, Some(1)), "{body}");
    // Queries within the limits still work, operators and all.
    for q in [
        "((((((((darbs))))))))",
        "darbs NOT vācijā",
        "+darbs -alga",
        "\"darbs vācijā\"",
    ] {
        let (status, body) =
            send(s.request(reqwest::Method::GET, &search_path(&[("q", q)]), Some(&key)));
        assert_eq!(status, 200, "{q}: {body}");
    }
}

#[test]
fn wrong_keys_are_limited_per_address_with_retry_after() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("adscreen.toml");
    std::fs::write(
        &config,
        "[limits]\nauth_failures = 5\nauth_window_secs = 60\n",
    )
    .expect("config");
    let data = dir.path().join("data");
    let key = add_key(&data, "read");
    let s = Server::start(
        &data,
        &["--no-model", "--config", config.to_str().expect("utf-8")],
    );
    let mut statuses = Vec::new();
    let mut retry_after = None;
    for i in 0..12 {
        let r = s
            .request(
                reqwest::Method::GET,
                "/v1/search",
                Some(&format!("ads_guess_{i}")),
            )
            .send()
            .expect("answered");
        statuses.push(r.status().as_u16());
        if r.status() == 429 {
            retry_after = r
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse::<u64>().ok());
        }
    }
    assert_eq!(&statuses[..5], &[401; 5], "{statuses:?}");
    assert!(statuses[5..].iter().all(|&c| c == 429), "{statuses:?}");
    assert!(
        retry_after.is_some_and(|secs| (1..=61).contains(&secs)),
        "Retry-After: {retry_after:?}"
    );
    // The blocked address has no key checked, not even a right one, until the window passes...
    assert_eq!(s.get("/v1/search", Some(&key)).0, 429);
    // ...while what needs no key still works.
    assert_eq!(s.get("/healthz", None).0, 200);
    let (status, _) = s.post("/v1/screen", None, "text/plain", "Darbs Rīgā");
    assert_eq!(status, 200);
}

#[test]
fn a_client_that_trickles_its_headers_is_dropped() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("adscreen.toml");
    std::fs::write(&config, "[limits]\nheader_timeout_secs = 1\n").expect("config");
    let data = dir.path().join("data");
    let s = Server::start(
        &data,
        &["--no-model", "--config", config.to_str().expect("utf-8")],
    );
    let addr = s.url.trim_start_matches("http://").to_string();
    let mut tcp = std::net::TcpStream::connect(&addr).expect("connect");
    tcp.set_read_timeout(Some(Duration::from_millis(250)))
        .expect("timeout");
    tcp.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n")
        .expect("first bytes");
    let start = Instant::now();
    let mut closed = false;
    let mut buf = [0u8; 512];
    while start.elapsed() < Duration::from_secs(8) {
        if tcp.write_all(b"X-Slow: a\r\n").is_err() {
            closed = true;
            break;
        }
        match tcp.read(&mut buf) {
            // Closed, or answered (408) and then closed: either way the server let go.
            Ok(_) => {
                closed = true;
                break;
            }
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(_) => {
                closed = true;
                break;
            }
        }
    }
    assert!(
        closed,
        "the connection is still open after {:?}",
        start.elapsed()
    );
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "dropped only after {:?}",
        start.elapsed()
    );
    // A new connection: with a 1 s header timeout, the server also closes idle kept-alive
    // connections, and a pooled one may be closed just as it is reused.
    let fresh = reqwest::blocking::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .expect("client");
    let (status, _) = crate::server::send(fresh.get(s.at("/healthz")));
    assert_eq!(status, 200, "others are still served");
}

/// Every file of a directory tree (relative path -> contents).
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("read_dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path.strip_prefix(dir).expect("inside").to_path_buf();
                out.insert(rel, std::fs::read(&path).expect("read"));
            }
        }
    }
    out
}

/// A data directory with a committed index of [`ADVERTS`] adverts (one segment) and a key file.
fn committed_data_dir(root: &Path) -> PathBuf {
    let data = root.join("data");
    let key = add_key(&data, "write,read");
    let s = Server::start(&data, &["--no-model"]);
    let stream: String = (0..ADVERTS)
        .map(|i| {
            format!(
                "{{\"id\":\"a{i}\",\"text\":\"Darbs Vācijā nr. {i}, alga 3000 EUR, raksti WhatsApp +371 2000 {:04}\"}}\n",
                1000 + i
            )
        })
        .collect();
    let (status, body) = s.post("/v1/adverts", Some(&key), NDJSON, stream);
    assert_eq!(
        (status, body["stored"].as_u64()),
        (200, Some(ADVERTS as u64)),
        "{body}"
    );
    s.stop();
    data
}

/// What a start of the server came to.
#[derive(Debug)]
enum Start {
    /// It stopped by itself with this exit code and stderr.
    Refused(Option<i32>, String),
    /// It became ready and reports this many adverts.
    Serving(u64),
}

/// Starts `serve` on a data directory and waits until it is ready or has stopped; a server that
/// does neither within 60 s fails the test (a start must never hang).
fn start(data: &Path) -> Start {
    let mut child = Command::new(env!("CARGO_BIN_EXE_adscreen"))
        .args(["serve", "--no-model", "--addr", "127.0.0.1:0", "--data-dir"])
        .arg(data)
        .env("ADSCREEN_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("server starts");
    let mut stdout = child.stdout.take().expect("stdout");
    let mut stderr = child.stderr.take().expect("stderr");
    let err_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut first = Vec::new();
        let mut byte = [0u8; 1];
        while let Ok(1) = stdout.read(&mut byte) {
            if byte[0] == b'\n' {
                let _ = tx.send(String::from_utf8_lossy(&first).to_string());
                first.clear();
            } else {
                first.push(byte[0]);
            }
        }
    });
    adscreen::fetch::install_tls_provider();
    let client = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client");
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut url = None;
    loop {
        if let Some(status) = child.try_wait().expect("try_wait") {
            let err = err_reader.join().unwrap_or_default();
            return Start::Refused(status.code(), err);
        }
        if url.is_none() {
            if let Ok(line) = rx.try_recv() {
                url = line
                    .trim()
                    .strip_prefix("adscreen listening on ")
                    .map(str::to_string);
            }
        }
        if let Some(u) = &url {
            if let Ok(r) = client.get(format!("{u}/readyz")).send() {
                if r.status() == 200 {
                    let v: serde_json::Value = r.json().unwrap_or_default();
                    let _ = child.kill();
                    let _ = child.wait();
                    return Start::Serving(v["adverts"].as_u64().unwrap_or(0));
                }
            }
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the server neither became ready nor stopped in 60 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The damage done to one file.
#[derive(Debug, Clone, Copy)]
enum Fault {
    Remove,
    Truncate,
    Overwrite,
}

/// Deterministic noise for overwriting.
fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

fn damage(path: &Path, fault: Fault) {
    match fault {
        Fault::Remove => std::fs::remove_file(path).expect("remove"),
        Fault::Truncate => {
            let len = std::fs::metadata(path).expect("metadata").len();
            let f = std::fs::OpenOptions::new()
                .write(true)
                .open(path)
                .expect("open");
            f.set_len(len / 2).expect("truncate");
        }
        Fault::Overwrite => {
            let mut bytes = std::fs::read(path).expect("read");
            let len = bytes.len();
            let (from, to) = (len / 4, (len / 4 + 256).min(len));
            let junk = noise(to - from, len as u64);
            bytes[from..to].copy_from_slice(&junk);
            if to == from {
                bytes = noise(64, 7);
            }
            std::fs::write(path, bytes).expect("overwrite");
        }
    }
}

/// Every file the server had before a start is still there afterwards (damaged ones as damaged).
fn nothing_deleted(before: &BTreeMap<PathBuf, Vec<u8>>, after: &BTreeMap<PathBuf, Vec<u8>>) {
    let gone: Vec<&PathBuf> = before.keys().filter(|p| !after.contains_key(*p)).collect();
    assert!(gone.is_empty(), "files deleted: {gone:?}");
}

#[test]
fn a_missing_meta_json_stops_the_start_and_restoring_it_brings_every_advert_back() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = committed_data_dir(dir.path());
    let meta = data.join("index/meta.json");
    let saved = dir.path().join("meta.json.saved");
    std::fs::rename(&meta, &saved).expect("move meta.json away");
    let before = snapshot(&data);
    match start(&data) {
        Start::Refused(code, err) => {
            assert_eq!(code, Some(2), "{err}");
            assert!(
                err.contains("meta.json") && err.contains("Restore"),
                "{err}"
            );
        }
        other => panic!("a directory without meta.json was served: {other:?}"),
    }
    let after = snapshot(&data);
    assert_eq!(before, after, "nothing in the directory changed");
    std::fs::rename(&saved, &meta).expect("restore");
    assert!(matches!(start(&data), Start::Serving(n) if n == ADVERTS as u64));
}

#[test]
fn a_damaged_segment_stops_the_start_with_its_name_and_never_hangs() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = committed_data_dir(dir.path());
    let store = std::fs::read_dir(data.join("index"))
        .expect("index")
        .map(|e| e.expect("entry").path())
        .find(|p| p.extension().is_some_and(|e| e == "store"))
        .expect("a .store file");
    let original = std::fs::read(&store).expect("read");
    damage(&store, Fault::Overwrite);
    match start(&data) {
        Start::Refused(code, err) => {
            assert_eq!(code, Some(2), "{err}");
            let name = store.file_name().expect("name").to_string_lossy();
            assert!(err.contains(name.as_ref()), "{err}");
        }
        other => panic!("a damaged .store was served as intact: {other:?}"),
    }
    std::fs::write(&store, original).expect("restore");
    assert!(matches!(start(&data), Start::Serving(n) if n == ADVERTS as u64));
}

#[test]
fn an_unreadable_key_file_stops_the_start() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    add_key(&data, "read");
    let keys = data.join("keys.toml");
    let original = std::fs::read(&keys).expect("keys");
    std::fs::write(&keys, b"[[key]\nid = ").expect("break");
    match start(&data) {
        Start::Refused(code, err) => {
            assert_eq!(code, Some(2), "{err}");
            assert!(err.contains("keys.toml"), "{err}");
        }
        other => panic!("served with a broken key file: {other:?}"),
    }
    std::fs::remove_file(&keys).expect("remove");
    std::fs::create_dir(&keys).expect("a directory where the file was");
    assert!(matches!(start(&data), Start::Refused(Some(2), _)));
    std::fs::remove_dir(&keys).expect("rmdir");
    std::fs::write(&keys, original).expect("restore");
    assert!(matches!(start(&data), Start::Serving(0)));
}

/// For a committed index, each file in turn removed, truncated and overwritten: the server
/// refuses with exit code 2 and a message, or serves every advert; it never deletes a file; and
/// once the file is restored every advert is back.
#[test]
fn store_fault_matrix() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = committed_data_dir(dir.path());
    let pristine = snapshot(&data);
    let files: Vec<PathBuf> = pristine
        .keys()
        .filter(|p| !p.to_string_lossy().ends_with(".lock"))
        .cloned()
        .collect();
    assert!(
        files.iter().any(|f| f.ends_with("meta.json"))
            && files
                .iter()
                .any(|f| f.to_string_lossy().ends_with(".store"))
            && files.iter().any(|f| f.ends_with("keys.toml")),
        "{files:?}"
    );
    let mut outcomes = Vec::new();
    for file in &files {
        for fault in [Fault::Remove, Fault::Truncate, Fault::Overwrite] {
            let path = data.join(file);
            damage(&path, fault);
            let before = snapshot(&data);
            let outcome = start(&data);
            nothing_deleted(&before, &snapshot(&data));
            match &outcome {
                Start::Refused(code, err) => {
                    assert_eq!(*code, Some(2), "{file:?} {fault:?}: {err}");
                    let name = file.file_name().expect("name").to_string_lossy();
                    let message = err.find("adscreen:").map_or("", |at| &err[at..]);
                    assert!(
                        message.contains(name.as_ref()),
                        "{file:?} {fault:?}: the message names the file: {err}"
                    );
                }
                Start::Serving(n) => {
                    // Served: the damage touched nothing the adverts need.
                    assert_eq!(*n, ADVERTS as u64, "{file:?} {fault:?}: adverts lost");
                }
            }
            outcomes.push(format!("{} {fault:?}: {outcome:?}", file.display()));
            std::fs::write(&path, &pristine[file]).expect("restore");
            assert!(
                matches!(start(&data), Start::Serving(n) if n == ADVERTS as u64),
                "{file:?} {fault:?}: not every advert back after restoring"
            );
        }
    }
    eprintln!("store fault matrix:\n{}", outcomes.join("\n"));
    // The refusals that matter most: the index state and the stored adverts.
    for must_refuse in ["meta.json Remove", ".store Overwrite", ".store Truncate"] {
        assert!(
            outcomes
                .iter()
                .any(|o| o.contains(must_refuse) && o.contains("Refused(Some(2)")),
            "{must_refuse}: {outcomes:#?}"
        );
    }
}
