//! The web page in real headless Chromium (Debian's `chromium` and `chromedriver`), against a
//! real `adscreen serve`. Skipped with a message when chromedriver is not installed, unless
//! `ADSCREEN_BROWSER_TESTS=required` (as `.ci/run` sets after installing it).

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

use crate::server::{Server, add_key};
use crate::util::root;

const RISKY: &str = "Darbs Vācijā meitenēm 18-25, alga 4000 EUR mēnesī, pieredze nav vajadzīga, ceļš un dzīvoklis par brīvu. Pase jāatstāj pie mums. Raksti WhatsApp +371 2000 1234";
const MARRIAGE: &str = "Ищу девушку для фиктивного брака с гражданином Пакистана, оплата 5000 евро, дорога и жильё в Германии за наш счёт. Пиши в WhatsApp +49 151 2345 6789";
const BENIGN: &str = "SIA Rimi Latvia (reģ. Nr. 40003053029) meklē pārdevēju Rīgā. Alga 1100 EUR bruto, darba līgums, bez maksas. CV: darbs@rimi.lv";

struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn find_program(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    names.iter().find_map(|n| {
        std::env::split_paths(&path)
            .map(|d| d.join(n))
            .find(|p| p.is_file())
    })
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn screenshot_dir() -> PathBuf {
    match std::env::var_os("ADSCREEN_UPDATE_SCREENSHOTS") {
        Some(_) => root().join("docs/screenshots"),
        None => root().join("target/screenshots"),
    }
}

async fn save_screenshot(c: &Client, name: &str) {
    let png = c.screenshot().await.expect("screenshot");
    let dir = screenshot_dir();
    std::fs::create_dir_all(&dir).expect("screenshot dir");
    std::fs::write(dir.join(name), png).expect("write screenshot");
}

async fn wait_for(c: &Client, css: &str) -> fantoccini::elements::Element {
    c.wait()
        .at_most(Duration::from_secs(15))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css} did not appear: {e}"))
}

/// Clicks the element a selector finds.
async fn click(c: &Client, css: &str) {
    c.find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .click()
        .await
        .unwrap_or_else(|e| panic!("click {css}: {e}"));
}

/// Chooses an option of the select a selector finds.
async fn choose(c: &Client, css: &str, value: &str) {
    c.find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .select_by_value(value)
        .await
        .unwrap_or_else(|e| panic!("choose {value} in {css}: {e}"));
}

async fn js(c: &Client, script: &str) -> Value {
    c.execute(script, vec![]).await.expect("script runs")
}

/// Waits until a script returns true.
async fn until(c: &Client, script: &str) {
    let deadline = Instant::now() + Duration::from_secs(15);
    while js(c, script).await != json!(true) {
        assert!(Instant::now() < deadline, "timed out waiting for: {script}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[test]
fn the_page_checks_adverts_and_searches_the_index_in_chromium() {
    let Some(chromedriver) = find_program(&["chromedriver"]) else {
        assert!(
            std::env::var("ADSCREEN_BROWSER_TESTS").as_deref() != Ok("required"),
            "chromedriver is required but not on PATH (apt-get install chromium chromium-driver)"
        );
        eprintln!("skipped: no chromedriver on PATH (apt-get install chromium chromium-driver)");
        return;
    };
    let chromium = find_program(&["chromium", "chromium-browser", "google-chrome"]);
    let dir = tempfile::tempdir().expect("tempdir");
    let key = add_key(dir.path(), "read,write");
    let server = Server::start(dir.path(), &[]);
    let sample = std::fs::read_to_string(root().join("corpus/sample.jsonl")).expect("sample");
    let linked = format!(
        "{}\n{}\n",
        json!({"id": "c1", "title": "Noliktavas darbinieki", "text": "SIA Alfa meklē noliktavas darbiniekus. Zvaniet +371 2612 3456"}),
        json!({"id": "c2", "title": "Pavāri", "text": "SIA Beta aicina pavārus. Tālr. 26123456"}),
    );
    for body in [sample, linked] {
        let (status, r) = server.post("/v1/adverts", Some(&key), "application/x-ndjson", body);
        assert_eq!(status, 200, "{r}");
    }
    let port = free_port();
    let _driver = Driver(
        Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts"),
    );
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let mut options = json!({"args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,1100"]});
        if let Some(bin) = chromium {
            options["binary"] = json!(bin);
        }
        let mut caps = serde_json::Map::new();
        caps.insert("goog:chromeOptions".into(), options);
        let deadline = Instant::now() + Duration::from_secs(20);
        let c = loop {
            let attempt = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
                .capabilities(caps.clone())
                .connect(&format!("http://127.0.0.1:{port}"))
                .await;
            match attempt {
                Ok(c) => break c,
                Err(e) if Instant::now() < deadline => {
                    let _ = e;
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                Err(e) => panic!("chromedriver session: {e}"),
            }
        };
        check_view(&c, &server.url).await;
        marriage_wording(&c).await;
        search_view(&c, &key).await;
        phone_size(&c).await;
        c.close().await.expect("close");
    });
}

async fn check_view(c: &Client, url: &str) {
    let url = url.to_string();
    c.goto(&format!("{url}/")).await.expect("page loads");
    wait_for(c, "body[data-ready='true']").await;
    // Latvian by default; a risky advert: level and highlights.
    c.find(Locator::Css("#advert-text"))
        .await
        .expect("textarea")
        .send_keys(RISKY)
        .await
        .expect("type");
    click(c, "#check-button").await;
    wait_for(c, "#check-results .result").await;
    let level = js(
        c,
        "return document.querySelector('#check-results .badge').dataset.level",
    )
    .await;
    assert_eq!(level, "high");
    let marks = js(c, "return [...document.querySelectorAll('#check-results mark')].map(m => [m.textContent, m.dataset.indicator, m.title])").await;
    let marks = marks.as_array().expect("marks");
    assert!(marks.len() >= 4, "{marks:?}");
    for m in marks {
        let text = m[0].as_str().expect("text");
        assert!(
            RISKY.contains(text),
            "highlight {text:?} is not text of the advert"
        );
        assert!(
            !m[2].as_str().unwrap_or("").is_empty(),
            "every highlight explains itself"
        );
    }
    // The highlighted characters are exactly the evidence the API gives, and nothing is lost.
    let nodes = js(c, "return [...document.querySelector('#check-results .advert').childNodes].map(n => [n.textContent, n.nodeName === 'MARK'])").await;
    let mut shown = String::new();
    let mut flags = Vec::new();
    for n in nodes.as_array().expect("nodes") {
        let text = n[0].as_str().expect("text");
        shown.push_str(text);
        flags.extend(std::iter::repeat_n(
            n[1] == json!(true),
            text.chars().count(),
        ));
    }
    assert_eq!(shown, RISKY);
    adscreen::fetch::install_tls_provider();
    let report = reqwest::Client::new()
        .post(format!("{url}/v1/screen"))
        .header("content-type", "application/json")
        .body(json!({"text": RISKY}).to_string())
        .send()
        .await
        .expect("screen")
        .json::<Value>()
        .await
        .expect("json");
    let mut expected = vec![false; RISKY.chars().count()];
    for r in report["reasons"].as_array().expect("reasons") {
        if let (Some(a), Some(b)) = (r["start"].as_u64(), r["end"].as_u64()) {
            let (a, b) = (
                RISKY[..a as usize].chars().count(),
                RISKY[..b as usize].chars().count(),
            );
            expected[a..b].iter_mut().for_each(|f| *f = true);
        }
    }
    assert_eq!(
        flags, expected,
        "highlights differ from the API's evidence spans"
    );
    let indicators: Vec<&str> = marks.iter().filter_map(|m| m[1].as_str()).collect();
    assert!(indicators.contains(&"documents_retained"), "{indicators:?}");
    // One block per sign: as many as the indicators with risk among the API's reasons (and
    // the model's when it finds the advert risky), each once.
    let mut signs: Vec<&str> = report["reasons"]
        .as_array()
        .expect("reasons")
        .iter()
        .filter(|r| {
            r["weight"].as_i64() > Some(0)
                || r["indicator"] == "classifier"
                    && report["model_probability"].as_f64() >= Some(0.5)
        })
        .filter_map(|r| r["indicator"].as_str())
        .collect();
    signs.sort_unstable();
    signs.dedup();
    let mut blocks: Vec<String> = serde_json::from_value(js(
        c,
        "return [...document.querySelectorAll('#check-results .advice section')].map(s => s.dataset.indicator)",
    )
    .await)
    .expect("blocks");
    blocks.sort_unstable();
    assert!(signs.len() >= 3, "{signs:?}");
    assert_eq!(blocks, signs, "one block per sign");
    // Every highlight of a sign carries a badge with the number of that sign's block.
    let badges = js(c, "return [...document.querySelectorAll('#check-results mark:not(.mitigating)')].filter(m => m.dataset.n).map(m => { const b = document.querySelector('#check-results .advice section[data-n=\"' + m.dataset.n + '\"]'); return b !== null && b.dataset.indicator === m.dataset.indicator; })").await;
    let badges = badges.as_array().expect("badges");
    assert!(!badges.is_empty(), "highlights carry badges");
    assert!(badges.iter().all(|b| *b == json!(true)), "{badges:?}");
    // The verdict says the level with the word risk and the number of signs.
    let sentence = js(
        c,
        "return document.querySelector('#check-results .verdict-text').textContent",
    )
    .await;
    let named = signs.iter().filter(|s| **s != "classifier").count();
    assert!(
        sentence
            .as_str()
            .is_some_and(|v| v.starts_with(&format!("Augsts risks: {named} pazīmes"))),
        "{sentence}"
    );
    // Each sign has its own colour, far from the others and dark text readable on it.
    let colours = js(c, "return [...document.querySelectorAll('#check-results mark[data-n]')].map(m => [m.dataset.n, getComputedStyle(m).backgroundColor])").await;
    let mut by_sign: Vec<(String, [f64; 3])> = Vec::new();
    for pair in colours.as_array().expect("colours") {
        let n = pair[0].as_str().expect("n").to_string();
        let rgb: Vec<f64> = pair[1]
            .as_str()
            .expect("colour")
            .trim_start_matches("rgba(")
            .trim_start_matches("rgb(")
            .trim_end_matches(')')
            .split(',')
            .take(3)
            .map(|x| x.trim().parse::<f64>().expect("number"))
            .collect();
        let rgb = [rgb[0], rgb[1], rgb[2]];
        assert!(contrast_with_black(rgb) >= 12.0, "sign {n}: {rgb:?}");
        match by_sign.iter().find(|(m, _)| *m == n) {
            Some((_, seen)) => assert_eq!(*seen, rgb, "one colour per sign"),
            None => by_sign.push((n, rgb)),
        }
    }
    assert!(by_sign.len() >= 3, "{by_sign:?}");
    for (i, (a, x)) in by_sign.iter().enumerate() {
        for (b, y) in &by_sign[i + 1..] {
            assert!(
                lab_distance(*x, *y) >= 15.0,
                "signs {a} and {b}: {x:?} {y:?}"
            );
        }
    }
    // A click on a highlight moves the focus to its block.
    let focused = js(c, "const m = document.querySelector('#check-results mark[data-n]'); m.click(); return document.activeElement.dataset.n === m.dataset.n && document.activeElement.tagName === 'SECTION'").await;
    assert_eq!(focused, true);
    let help = js(c, "return document.querySelector('#help-box').textContent").await;
    assert!(help.as_str().is_some_and(|h| h.contains("80002012")));
    save_screenshot(c, "check.png").await;
    // Several adverts at once, one of them benign with mitigating evidence.
    let area = c
        .find(Locator::Css("#advert-text"))
        .await
        .expect("textarea");
    area.clear().await.expect("clear");
    let hostile = "<img src=x onerror=\"window.pwned=1\"><script>window.pwned=2</script> Darbs";
    area.send_keys(&format!("{BENIGN}\n---\n{RISKY}\n---\n{hostile}"))
        .await
        .expect("type");
    click(c, "#check-button").await;
    until(
        c,
        "return document.querySelectorAll('#check-results .result').length === 3",
    )
    .await;
    let levels = js(
        c,
        "return [...document.querySelectorAll('#check-results .badge')].map(b => b.dataset.level)",
    )
    .await;
    assert_eq!(levels, json!(["low", "high", "low"]));
    let injected = js(c, "return document.querySelector('#check-results img, #check-results script') !== null || window.pwned !== undefined").await;
    assert_eq!(
        injected, false,
        "advert text is shown as text, never as HTML"
    );
    let mitigating = js(c, "return document.querySelectorAll('#check-results .result')[0].querySelectorAll('.mitigating-list li').length").await;
    assert!(
        mitigating.as_u64() >= Some(1),
        "mitigating evidence is shown"
    );
    // Switch the interface language.
    choose(c, "#ui-lang", "en").await;
    until(
        c,
        "return document.querySelector('#tab-check').textContent === 'Check an advert'",
    )
    .await;
    let heading = js(c, "return document.querySelectorAll('#check-results .result')[1].querySelector('.advice h3').textContent").await;
    assert_eq!(heading, "Signs of risk and what to do");
    choose(c, "#ui-lang", "ru").await;
    until(c, "return document.documentElement.lang === 'ru' && document.querySelector('#check-button').textContent === 'Проверить'").await;
    // Numbers take the plural form of the interface language.
    let n = named as u64;
    let form = if n % 10 == 1 && n % 100 != 11 {
        "признак"
    } else if (2..=4).contains(&(n % 10)) && !(12..=14).contains(&(n % 100)) {
        "признака"
    } else {
        "признаков"
    };
    let verdict = js(
        c,
        "return document.querySelectorAll('#check-results .verdict-text')[1].textContent",
    )
    .await;
    assert!(
        verdict
            .as_str()
            .is_some_and(|v| v.starts_with(&format!("Высокий риск: {n} {form} "))),
        "{verdict}"
    );
    // Every help link is titled in the interface language.
    let titles = js(
        c,
        "return [...document.querySelectorAll('#help-box a')].map(a => a.textContent)",
    )
    .await;
    let titles = titles.as_array().expect("links");
    assert!(titles.len() >= 3, "{titles:?}");
    assert!(
        titles.iter().all(|t| t
            .as_str()
            .is_some_and(|t| t.chars().any(|c| ('а'..='я').contains(&c)))),
        "{titles:?}"
    );
    choose(c, "#ui-lang", "en").await;
}

/// A sham-marriage offer is explained and advised in words for a partner advert, in every
/// interface language: no job, employer, salary or workplace.
async fn marriage_wording(c: &Client) {
    let area = c
        .find(Locator::Css("#advert-text"))
        .await
        .expect("textarea");
    area.clear().await.expect("clear");
    area.send_keys(MARRIAGE).await.expect("type");
    click(c, "#check-button").await;
    until(
        c,
        "return document.querySelectorAll('#check-results .result').length === 1 && document.querySelector('#check-results .advice') !== null",
    )
    .await;
    let job_words: [(&str, &[&str]); 3] = [
        ("lv", &["darb", "alg", "strādā"]),
        ("en", &["job", "employer", "work", "salary", "wage"]),
        ("ru", &["работ", "зарплат", "ваканс"]),
    ];
    for (lang, words) in job_words {
        choose(c, "#ui-lang", lang).await;
        until(
            c,
            &format!("return document.documentElement.lang === '{lang}'"),
        )
        .await;
        let texts = js(
            c,
            "return [...document.querySelectorAll('#check-results .advice section:not([data-indicator=classifier])')].map(s => [s.dataset.indicator, [...s.querySelectorAll('p:not(.quotes)')].map(p => p.textContent).join(' ')])",
        )
        .await;
        let texts = texts.as_array().expect("blocks");
        assert!(texts.len() >= 3, "{texts:?}");
        for block in texts {
            let text = block[1].as_str().expect("text").to_lowercase();
            for w in words {
                assert!(
                    !text.contains(w),
                    "{lang}: {} speaks of {w:?} to a marriage advert: {text}",
                    block[0]
                );
            }
        }
    }
    choose(c, "#ui-lang", "en").await;
}

async fn search_view(c: &Client, key: &str) {
    click(c, "#tab-search").await;
    // The server needs a key for search: the page asks for it.
    let input = wait_for(c, "#key-dialog[open] #key-input").await;
    input.send_keys(key).await.expect("type key");
    click(c, "#key-save").await;
    wait_for(c, "#results tbody tr").await;
    let kept = js(c, "return sessionStorage.getItem('adscreen-key') !== null && localStorage.getItem('adscreen-key') === null").await;
    assert_eq!(kept, true, "the key is kept for the tab only");
    let total = js(
        c,
        "return parseInt(document.querySelector('#search-summary').dataset.total)",
    )
    .await;
    assert!(total.as_u64() >= Some(70), "{total}");
    // Filter by level: every row is high.
    click(c, "input[name=level][value=high]").await;
    click(c, "#search-button").await;
    until(c, "const l = [...document.querySelectorAll('#results tbody .badge')].map(b => b.dataset.level); return l.length > 0 && l.every(x => x === 'high')").await;
    let high_facet = js(
        c,
        "return document.querySelector(\"[data-facet='level:high']\").textContent",
    )
    .await;
    assert!(high_facet.as_str().is_some_and(|t| t != "(0)"));
    save_screenshot(c, "search.png").await;
    // Export the current result as CSV: one row per matching advert.
    click(c, "#export-button").await;
    wait_for(c, "#export-link[data-rows]").await;
    // The file's first bytes (a decoder would drop a byte order mark), then its text.
    let first = c
        .execute_async(
            "const done = arguments[arguments.length - 1]; fetch(document.querySelector('#export-link').href).then(r => r.arrayBuffer()).then(b => done([...new Uint8Array(b).slice(0, 3)]));",
            vec![],
        )
        .await
        .expect("bytes of the export");
    let csv = js(
        c,
        "const x = new XMLHttpRequest(); x.open('GET', document.querySelector('#export-link').href, false); x.send(); return x.responseText;",
    )
    .await;
    let body = csv.as_str().expect("text");
    let shown = js(
        c,
        "return parseInt(document.querySelector('#search-summary').dataset.total)",
    )
    .await;
    // A spreadsheet's CSV: a byte order mark, `;` between cells, one row per advert found.
    assert_eq!(
        first,
        json!([0xef, 0xbb, 0xbf]),
        "starts with a byte order mark"
    );
    let body = body.strip_prefix('\u{feff}').unwrap_or(body);
    let (header, rows) = crate::util::read_sheet(body.as_bytes());
    let column = |name: &str| header.iter().position(|h| h == name).expect(name);
    assert_eq!(Some(rows.len() as u64), shown.as_u64());
    assert!(
        rows.iter().all(|r| &r[column("level")] == "high"),
        "only high adverts exported"
    );
    assert!(
        rows.iter()
            .all(|r| !r[column("text")].is_empty() && !r[column("indicators")].is_empty()),
        "{rows:?}"
    );
    // Open an advert and follow its contact to the linked advert.
    click(c, "input[name=level][value=high]").await;
    let q = c.find(Locator::Css("#q")).await.expect("q");
    q.send_keys("noliktavas").await.expect("type");
    click(c, "#search-button").await;
    wait_for(c, "#results tbody tr[data-id='c1']")
        .await
        .click()
        .await
        .expect("open");
    wait_for(c, "#detail .result[data-id='c1']").await;
    let shared = js(c, "return [...document.querySelectorAll('#detail mark')].some(m => m.dataset.indicator === 'shared_contact')").await;
    assert_eq!(shared, true, "the shared contact is highlighted");
    // Opening an advert lists every other advert sharing one of its contacts.
    until(
        c,
        "return document.querySelectorAll(\"#detail .linked-adverts[data-contact='+37126123456'] li\").length === 1",
    )
    .await;
    wait_for(c, "#detail .linked-adverts a[data-id='c2']")
        .await
        .click()
        .await
        .expect("open c2");
    wait_for(c, "#detail .result[data-id='c2']").await;
    // The advert's id, source and first and last seen are shown.
    let facts = js(
        c,
        "return ['fact_id', 'fact_first_seen', 'fact_last_seen'].map(k => (document.querySelector('#detail [data-fact=' + k + ']') || {}).textContent || '')",
    )
    .await;
    assert_eq!(facts[0], "c2");
    assert!(
        facts[1].as_str().is_some_and(|d| d.starts_with("20")),
        "{facts}"
    );
    // Decide on it from the page: the decision, its note and its history show at once.
    let review = js(
        c,
        "return document.querySelector('#detail .review').dataset.status",
    )
    .await;
    assert_eq!(review, "new");
    c.find(Locator::Css("#review-note"))
        .await
        .expect("note")
        .send_keys("Viens tālrunis diviem uzņēmumiem")
        .await
        .expect("type note");
    click(c, "#detail .decisions button[data-status='confirmed']").await;
    until(
        c,
        "const r = document.querySelector('#detail .review'); return r !== null && r.dataset.status === 'confirmed' && r.querySelectorAll('.review-history li').length === 1 && r.textContent.includes('Viens tālrunis diviem uzņēmumiem')",
    )
    .await;
    save_screenshot(c, "advert.png").await;
    // The decision is a search filter, and the results table shows it.
    choose(c, "#review", "confirmed").await;
    for b in ["high", "medium", "low"] {
        js(
            c,
            &format!(
                "document.querySelector('#search-form input[name=level][value={b}]').checked = false; return true"
            ),
        )
        .await;
    }
    c.find(Locator::Css("#q"))
        .await
        .expect("q")
        .clear()
        .await
        .expect("clear q");
    click(c, "#search-button").await;
    until(
        c,
        "const rows = document.querySelectorAll('#results tbody tr'); return rows.length === 1 && rows[0].dataset.id === 'c2' && rows[0].querySelector('.review-cell').dataset.review === 'confirmed'",
    )
    .await;
    // The search lives in the address: a reload keeps it.
    c.refresh().await.expect("reload");
    wait_for(c, "body[data-ready='true']").await;
    until(
        c,
        "const rows = document.querySelectorAll('#results tbody tr'); return !document.querySelector('#view-search').hidden && document.querySelector('#review').value === 'confirmed' && rows.length === 1 && rows[0].dataset.id === 'c2'",
    )
    .await;
    // A search saved under a name comes back after the filters changed.
    c.find(Locator::Css("#save-name"))
        .await
        .expect("name")
        .send_keys("Apstiprinātie")
        .await
        .expect("type name");
    click(c, "#save-search").await;
    choose(c, "#review", "").await;
    click(c, "#search-button").await;
    until(
        c,
        "return document.querySelectorAll('#results tbody tr').length > 1",
    )
    .await;
    choose(c, "#saved", "Apstiprinātie").await;
    until(
        c,
        "const rows = document.querySelectorAll('#results tbody tr'); return rows.length === 1 && rows[0].dataset.id === 'c2' && document.querySelector('#review').value === 'confirmed'",
    )
    .await;
    // The report opens from the page, in the interface language, with its charts.
    click(c, "#report-button").await;
    wait_for(c, "#report-link[data-ready='true']").await;
    let report = js(
        c,
        "const x = new XMLHttpRequest(); x.open('GET', document.querySelector('#report-link').href, false); x.send(); return x.responseText;",
    )
    .await;
    let report = report.as_str().expect("html");
    let lang = js(c, "return document.documentElement.lang").await;
    assert!(
        report.contains(&format!("<html lang=\"{}\">", lang.as_str().expect("lang"))),
        "{}",
        &report[..report.len().min(300)]
    );
    assert!(report.matches("<svg").count() >= 5);
    // The queue: adverts without a decision, flagged first; the decided one is not in it.
    click(c, "#queue-button").await;
    until(
        c,
        "const rows = [...document.querySelectorAll('#results tbody tr')]; return rows.length > 0 && rows.every(r => r.dataset.id !== 'c2' && r.querySelector('.review-cell').dataset.review === 'new')",
    )
    .await;
}

/// The contrast ratio (WCAG) of black text on an sRGB colour.
fn contrast_with_black(rgb: [f64; 3]) -> f64 {
    (luminance(rgb) + 0.05) / 0.05
}

fn linear(c: f64) -> f64 {
    let c = c / 255.0;
    if c <= 0.04045 {
        c / 12.92
    } else {
        ((c + 0.055) / 1.055).powf(2.4)
    }
}

fn luminance(rgb: [f64; 3]) -> f64 {
    0.2126 * linear(rgb[0]) + 0.7152 * linear(rgb[1]) + 0.0722 * linear(rgb[2])
}

/// The CIE 1976 distance of two sRGB colours in Lab.
fn lab_distance(a: [f64; 3], b: [f64; 3]) -> f64 {
    let lab = |c: [f64; 3]| {
        let (r, g, b) = (linear(c[0]), linear(c[1]), linear(c[2]));
        let x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047;
        let y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
        let z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883;
        let f = |t: f64| {
            if t > 0.008856 {
                t.cbrt()
            } else {
                7.787 * t + 16.0 / 116.0
            }
        };
        [
            116.0 * f(y) - 16.0,
            500.0 * (f(x) - f(y)),
            200.0 * (f(y) - f(z)),
        ]
    };
    let (p, q) = (lab(a), lab(b));
    ((p[0] - q[0]).powi(2) + (p[1] - q[1]).powi(2) + (p[2] - q[2]).powi(2)).sqrt()
}

async fn phone_size(c: &Client) {
    c.set_window_size(390, 844).await.expect("resize");
    click(c, "#tab-check").await;
    choose(c, "#ui-lang", "lv").await;
    // One sign: the singular.
    let area = c
        .find(Locator::Css("#advert-text"))
        .await
        .expect("textarea");
    area.clear().await.expect("clear");
    area.send_keys("Vajadzīga meitene darbam kafejnīcā Rīgā.")
        .await
        .expect("type");
    click(c, "#check-button").await;
    until(
        c,
        "const v = document.querySelector('#check-results .verdict-text'); return v !== null && v.textContent.startsWith('Zems risks: 1 pazīme,')",
    )
    .await;
    // A check on a phone: the verdict and the help-line come into the first screen.
    let area = c
        .find(Locator::Css("#advert-text"))
        .await
        .expect("textarea");
    area.clear().await.expect("clear");
    area.send_keys(RISKY).await.expect("type");
    js(c, "window.scrollTo(0, 0); return true").await;
    click(c, "#check-button").await;
    until(
        c,
        "return document.querySelectorAll('#check-results .result').length === 1",
    )
    .await;
    until(
        c,
        "const v = document.querySelector('#check-results .verdict'); const h = v.querySelector('.help-line'); return v.getBoundingClientRect().top >= 0 && h.getBoundingClientRect().bottom <= window.innerHeight && h.textContent.includes('80002012')",
    )
    .await;
    save_screenshot(c, "phone.png").await;
    // No horizontal scroll at 360 px, in any language, on either view.
    c.set_window_size(360, 800).await.expect("resize");
    for lang in ["lv", "ru", "en"] {
        choose(c, "#ui-lang", lang).await;
        for tab in ["#tab-check", "#tab-search"] {
            click(c, tab).await;
            tokio::time::sleep(Duration::from_millis(200)).await;
            let widths = js(
                c,
                "const w = window.innerWidth; const wide = [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > w + 1 && e.offsetParent !== null && !e.closest('.table-wrap')).slice(0, 3).map(e => e.tagName + '#' + e.id + '.' + e.className); return [document.documentElement.scrollWidth, w, wide]",
            )
            .await;
            assert!(
                widths[0].as_u64() <= widths[1].as_u64().map(|w| w + 1),
                "{lang} {tab}: {widths}"
            );
        }
    }
    click(c, "#tab-check").await;
}
