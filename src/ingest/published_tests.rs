//! Reading adverts in the forms they are published in: web pages, feeds, Telegram exports. The
//! fixtures are in `tests/fixtures/published/`.

use super::*;

macro_rules! fixture {
    ($name:literal) => {
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/published/",
            $name
        ))
        .as_slice()
    };
}

fn read_all(bytes: &[u8], format: Format) -> (Vec<Advert>, Vec<IngestError>) {
    let mut ok = Vec::new();
    let mut bad = Vec::new();
    read(bytes, format, "in", |r| match r {
        Ok(a) => ok.push(a),
        Err(e) => bad.push(e),
    })
    .expect("the input is read");
    (ok, bad)
}

fn lines_of(advert: &Advert) -> Vec<&str> {
    advert.text.lines().collect()
}

#[test]
fn job_posting_fields_become_labelled_lines_in_the_adverts_language() {
    let (ads, bad) = read_all(fixture!("jobposting_month_lv.html"), Format::Html);
    assert!(bad.is_empty(), "{bad:?}");
    let [ad] = ads.as_slice() else {
        panic!("one advert, got {}", ads.len())
    };
    assert_eq!(ad.id, "https://darbi.example.lv/vakance/48213");
    assert_eq!(
        ad.url.as_deref(),
        Some("https://darbi.example.lv/vakance/48213")
    );
    assert_eq!(ad.kind, Some(Kind::Job));
    assert_eq!(ad.title, "Noliktavas darbinieks");
    assert_eq!(ad.posted_at.as_deref(), Some("2026-11-20T09:00:00+02:00"));
    let lines = lines_of(ad);
    for expected in [
        "Loģistikas centrs Rīgā aicina darbā noliktavas darbinieku maiņu darbam.",
        "- preču pieņemšana un komplektēšana",
        "Darba devējs: SIA Baltijas Loģistika, https://baltijaslogistika.example.lv",
        "Darba vieta: Rīga, Latvia",
        "Alga: 1100 - 1350 EUR mēnesī",
        "Slodze: pilna slodze",
        "Publicēts: 2026-11-20",
        "Pieteikties līdz: 2026-12-20",
    ] {
        assert!(lines.contains(&expected), "{expected:?} not in {lines:#?}");
    }
    // The JSON-LD is read, not the page around it.
    assert!(!ad.text.contains("Ienākt") && !ad.text.contains('<'));
}

#[test]
fn pay_per_hour_and_per_year_keep_their_period() {
    let (ads, _) = read_all(fixture!("jobposting_hour_en.html"), Format::Html);
    let lines = lines_of(&ads[0]);
    assert!(lines.contains(&"Pay: 22.50 EUR per hour"), "{lines:#?}");
    assert!(
        lines.contains(&"Place of work: Bergen, Norway"),
        "{lines:#?}"
    );
    assert!(
        lines.contains(&"Employment: temporary, seasonal"),
        "{lines:#?}"
    );
    assert_eq!(ads[0].id, "https://jobs.example.com/ads/9931");

    let (ads, bad) = read_all(fixture!("jobposting_year_ru.html"), Format::Html);
    assert!(bad.is_empty(), "{bad:?}");
    let ids: Vec<&str> = ads.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(ids, ["ru-1501", "ru-1502"], "both postings of the @graph");
    let first = lines_of(&ads[0]);
    assert!(
        first.contains(&"Зарплата: 24000 - 30000 EUR в год"),
        "{first:#?}"
    );
    assert!(first.contains(&"Место работы: Рига, Латвия"), "{first:#?}");
    assert!(
        first.contains(&"Работодатель: ООО «Северный Учёт»"),
        "{first:#?}"
    );
    assert!(lines_of(&ads[1]).contains(&"Зарплата: 1600 EUR в месяц"));
}

#[test]
fn malformed_json_ld_is_a_bad_record_on_its_line_and_the_page_is_still_read() {
    let (ads, bad) = read_all(fixture!("jobposting_malformed.html"), Format::Html);
    let [IngestError::Json { line, detail }] = bad.as_slice() else {
        panic!("one JSON error, got {bad:?}")
    };
    // The trailing comma's object closes on line 11 of the page.
    assert_eq!(*line, 11, "{detail}");
    assert!(
        detail.contains("JSON-LD block 1") && !detail.contains("column"),
        "{detail}"
    );
    let [ad] = ads.as_slice() else {
        panic!("the page's text as one advert")
    };
    assert_eq!(ad.title, "Darbs Vācijā");
    assert!(
        ad.text.contains("Pase jāatstāj pie koordinatora."),
        "{}",
        ad.text
    );
    assert!(ad.text.contains("@darbs_de_fast"));
    // Header, aside and scripts are chrome.
    for chrome in ["Sludinājumi", "Līdzīgi", "JobPosting"] {
        assert!(!ad.text.contains(chrome), "{chrome} in {}", ad.text);
    }
}

#[test]
fn a_page_without_json_ld_is_its_main_text() {
    let (ads, bad) = read_all(fixture!("page_no_jsonld.html"), Format::Html);
    assert!(bad.is_empty(), "{bad:?}");
    let ad = &ads[0];
    assert_eq!(ad.title, "Работа для девушек в Дубае");
    assert_eq!(ad.id, "https://board.example.com/post/7781");
    assert_eq!(ad.posted_at.as_deref(), Some("2026-11-30T18:20:00Z"));
    assert_eq!(
        lines_of(ad),
        [
            "Работа для девушек в Дубае",
            "",
            "Приглашаем красивых девушек 18-25 лет на работу хостес в Дубае.",
            "Доход от 5000$ в месяц, опыт не нужен.",
            "",
            "Билеты и проживание за счёт работодателя. Пишите в WhatsApp +971 50 123 4567.",
        ]
    );
}

#[test]
fn rss_items_are_adverts_with_link_date_and_the_channel_as_source() {
    let (ads, bad) = read_all(fixture!("feed_rss.xml"), Format::Rss);
    assert!(bad.is_empty(), "{bad:?}");
    let ids: Vec<&str> = ads.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "cl-1001",
            "https://classifieds.example.lv/msg/1002",
            "https://classifieds.example.lv/msg/1003"
        ]
    );
    assert!(
        ads.iter()
            .all(|a| a.source.as_deref() == Some("Sludinājumi: Darbs ārzemēs"))
    );
    assert_eq!(
        ads[0].url.as_deref(),
        Some("https://classifieds.example.lv/msg/1001")
    );
    assert_eq!(
        ads[0].posted_at.as_deref(),
        Some("2026-11-30T08:15:00+00:00")
    );
    assert!(
        ads[0]
            .text
            .starts_with("Darbs noliktavā Anglijā, bez angļu valodas.")
    );
    // The full content is read when it says more than the description.
    assert!(ads[1].text.contains("Brīvības ielā"), "{}", ads[1].text);
}

#[test]
fn atom_entries_are_adverts_and_escaped_html_is_text() {
    let (ads, bad) = read_all(fixture!("feed_atom.xml"), Format::Rss);
    assert!(bad.is_empty(), "{bad:?}");
    assert_eq!(ads.len(), 2);
    assert_eq!(ads[0].id, "urn:example:job:501");
    assert_eq!(ads[0].url.as_deref(), Some("https://jobs.example.org/501"));
    assert!(
        ads[0].text.starts_with("Care home in Dublin"),
        "{}",
        ads[0].text
    );
    assert_eq!(
        ads[0].posted_at.as_deref(),
        Some("2026-11-29T12:00:00+00:00")
    );
    assert_eq!(ads[1].title, "Models wanted for private parties");
    assert_eq!(ads[1].source.as_deref(), Some("Jobs abroad — latest"));
}

#[test]
fn a_broken_feed_item_is_a_bad_record_and_the_others_are_read() {
    let (ads, bad) = read_all(fixture!("feed_broken_item.xml"), Format::Rss);
    let ids: Vec<&str> = ads.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "https://classifieds.example.lv/msg/2001",
            "https://classifieds.example.lv/msg/2003"
        ]
    );
    assert!(
        ads.iter()
            .all(|a| a.source.as_deref() == Some("Darbs visiem"))
    );
    let [e] = bad.as_slice() else {
        panic!("one bad item, got {bad:?}")
    };
    assert_eq!(e.line(), Some(10));
    assert!(e.to_string().contains("feed item 2"), "{e}");
}

#[test]
fn something_that_is_no_feed_is_an_input_error() {
    let result = read(&b"<rss><channel>"[..], Format::Rss, "in", |_| {});
    assert!(result.is_err());
}

#[test]
fn telegram_messages_are_adverts_with_flattened_text() {
    let (ads, bad) = read_all(fixture!("telegram_result.json"), Format::Telegram);
    let ids: Vec<&str> = ads.iter().map(|a| a.id.as_str()).collect();
    // The service message and the photo without text are no adverts.
    assert_eq!(
        ids,
        [
            "https://t.me/c/1987654321/12",
            "https://t.me/c/1987654321/14"
        ]
    );
    let ad = &ads[0];
    assert_eq!(
        ad.source.as_deref(),
        Some("Работа за границей | Work abroad")
    );
    assert_eq!(ad.url.as_deref(), Some("https://t.me/c/1987654321/12"));
    assert_eq!(ad.posted_at.as_deref(), Some("2026-11-02T12:30:00Z"));
    assert_eq!(
        lines_of(ad),
        [
            "СРОЧНО! Работа в Польше",
            "Склад, упаковка. Без опыта, без знания языка.",
            "Зарплата до 2500 € в месяц, жильё бесплатно.",
            "Пишите: @rabota_pl_manager",
            "Подробнее: анкета (https://forms.example.com/pl-job)",
        ]
    );
    let [e] = bad.as_slice() else {
        panic!("one bad message, got {bad:?}")
    };
    assert!(e.to_string().contains("message 5"), "{e}");
    assert_eq!(e.line(), Some(49));

    // A `.json` file that is an export is read as one.
    let (as_json, _) = read_all(fixture!("telegram_result.json"), Format::Json);
    assert_eq!(as_json.len(), 2);
}

#[test]
fn published_formats_are_recognised_by_content() {
    let cases: [(&[u8], Format); 5] = [
        (fixture!("jobposting_month_lv.html"), Format::Html),
        (fixture!("jobposting_hour_en.html"), Format::Html),
        (fixture!("feed_rss.xml"), Format::Rss),
        (fixture!("feed_atom.xml"), Format::Rss),
        (fixture!("telegram_result.json"), Format::Telegram),
    ];
    for (bytes, expected) in cases {
        let (format, mut input) = sniff(bytes).expect("sniffed");
        assert_eq!(format, expected);
        let mut back = Vec::new();
        input.read_to_end(&mut back).expect("read back");
        assert_eq!(back, bytes, "the input is handed back whole");
    }
    // NDJSON with a `messages` field is still NDJSON.
    let (format, _) = sniff(&b"{\"text\": \"a\", \"messages\": 3}\n"[..]).expect("sniffed");
    assert_eq!(format, Format::Ndjson);
    assert_eq!(Format::from_path(Path::new("a.HTM")), Format::Html);
    assert_eq!(Format::from_path(Path::new("feed.atom")), Format::Rss);
}

#[test]
fn invalid_utf8_in_a_page_is_reported_with_its_line() {
    let result = read(&b"<p>ok</p>\n<p>\xff</p>"[..], Format::Html, "in", |_| {});
    let Err(IngestError::InvalidUtf8 { line, .. }) = result else {
        panic!("invalid UTF-8 is an input error: {result:?}")
    };
    assert_eq!(line, 2);
}

#[test]
fn a_telegram_channel_preview_is_an_advert_per_message() {
    let (ads, bad) = read_all(fixture!("telegram_channel_preview.html"), Format::Html);
    assert!(bad.is_empty(), "{bad:?}");
    let ids: Vec<&str> = ads.iter().map(|a| a.id.as_str()).collect();
    // The photo without text is no advert.
    assert_eq!(
        ids,
        [
            "https://t.me/darbs_arzemes_test/101",
            "https://t.me/darbs_arzemes_test/103"
        ]
    );
    let ad = &ads[0];
    assert_eq!(
        ad.url.as_deref(),
        Some("https://t.me/darbs_arzemes_test/101")
    );
    assert_eq!(ad.source.as_deref(), Some("Darbs ārzemēs"));
    assert_eq!(ad.posted_at.as_deref(), Some("2026-11-30T08:15:00+00:00"));
    assert_eq!(
        lines_of(ad),
        [
            "Darbs Polijā noliktavā!",
            "Bez pieredzes un valodas, alga 2200 EUR mēnesī.",
            "Dzīvošana bez maksas.",
            "Raksti: @darbs_pl_manager",
        ]
    );
}

#[test]
fn a_feed_is_read_in_the_character_set_it_declares_and_only_once() {
    let feed = |declaration: &str, title: &str| {
        format!(
            "{declaration}<rss version=\"2.0\"><channel><title>T</title><item><title>{title}</title>\
             <link>https://example.lv/1</link><description>Работа в Польше</description></item>\
             </channel></rss>"
        )
    };
    // Bytes in windows-1251, as the declaration says.
    let utf8 = feed(
        "<?xml version=\"1.0\" encoding=\"windows-1251\"?>",
        "Работа",
    );
    let (cp1251, _, _) = encoding_rs::WINDOWS_1251.encode(&utf8);
    let (ads, bad) = read_all(&cp1251, Format::Rss);
    assert!(bad.is_empty(), "{bad:?}");
    assert_eq!(ads[0].title, "Работа");
    // Already UTF-8 (a fetched feed converted by its Content-Type) but still declaring
    // windows-1251: read once, not garbled.
    let (ads, _) = read_all(utf8.as_bytes(), Format::Rss);
    assert_eq!(ads[0].text, "Работа в Польше");
    // White space before the declaration, and a second declaration later, are no trouble.
    let spaced = format!("{}{}", " ".repeat(100), utf8);
    let (ads, _) = read_all(spaced.as_bytes(), Format::Rss);
    assert_eq!(ads.len(), 1);
    let twice = utf8.replace(
        "<item>",
        "<?xml version=\"1.0\" encoding=\"iso-8859-13\"?><item>",
    );
    let (ads, bad) = read_all(twice.as_bytes(), Format::Rss);
    assert_eq!(ads.len() + bad.len(), 1, "one item, read or reported");
}

#[test]
fn one_broken_item_of_a_feedburner_rss_feed_loses_no_other() {
    let feed = "<rss version=\"2.0\"><channel><title>T</title>\
        <feedburner:info uri=\"x\"/>\
        <item><title>A</title><link>https://example.lv/a</link><description>Darbs A</description></item>\
        <item><title>B <b>broken</title><link>https://example.lv/b</link></item>\
        <item><title>C</title><link>https://example.lv/c</link><description>Darbs C</description></item>\
        </channel></rss>";
    let (ads, bad) = read_all(feed.as_bytes(), Format::Rss);
    let ids: Vec<&str> = ads.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(ids, ["https://example.lv/a", "https://example.lv/c"]);
    assert_eq!(bad.len(), 1);
}

#[test]
fn sniffing_looks_at_the_root_element_and_the_top_level_keys() {
    let format = |s: &str| sniff(s.as_bytes()).expect("sniffed").0;
    // A feed whose first item quotes a page is still a feed; a page that mentions feeds is a
    // page.
    let feed = "<?xml version=\"1.0\"?>\n<!-- generated -->\n<rss version=\"2.0\"><channel><item>\
                <description><![CDATA[<html><body>x</body></html>]]></description></item></channel></rss>";
    assert_eq!(format(feed), Format::Rss);
    assert_eq!(
        format("<!doctype html><html><body><a href=\"/rss\">&lt;rss&gt;</a>"),
        Format::Html
    );
    assert_eq!(format("<rdf:RDF xmlns:rdf=\"x\">"), Format::Rss);
    // NDJSON records that carry `type` and `messages` are records, not an export.
    assert_eq!(
        format("{\"type\":\"job\",\"text\":\"Darbs\",\"messages\":[\"a\"]}\n{\"text\":\"b\"}\n"),
        Format::Ndjson
    );
    assert_eq!(
        format(
            "{\n \"name\": \"Kanāls\",\n \"type\": \"public_channel\",\n \"id\": 42,\n \"messages\": [\n"
        ),
        Format::Telegram
    );
    // An advert with a description and a messages array is an advert.
    let (ads, bad) = read_all(
        br#"{"description":"Darbs Rigaa","messages":[]}"#,
        Format::Json,
    );
    assert_eq!((ads.len(), bad.len()), (1, 0));
}

#[test]
fn postings_without_their_own_address_are_numbered_on_their_page() {
    let page = r#"<html><head><link rel="canonical" href="https://jobs.example.lv/list">
        <script type="application/ld+json">[
          {"@type":"JobPosting","title":"A","description":"Darbs A"},
          {"@type":"JobPosting","title":"B","description":"Darbs B"}]</script></head></html>"#;
    let (ads, _) = read_all(page.as_bytes(), Format::Html);
    let ids: Vec<&str> = ads.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "https://jobs.example.lv/list#1",
            "https://jobs.example.lv/list#2"
        ]
    );
    assert!(
        ads.iter()
            .all(|a| a.url.as_deref() == Some("https://jobs.example.lv/list"))
    );
}

#[test]
fn only_channels_and_supergroups_get_message_links() {
    let export = r#"{"name": "Anna", "type": "personal_chat", "id": 77,
        "messages": [{"id": 5, "type": "message", "text": "Darbs Vācijā"}]}"#;
    let (ads, _) = read_all(export.as_bytes(), Format::Telegram);
    assert_eq!(ads[0].id, "telegram:Anna/5");
    assert_eq!(ads[0].url, None);
}

#[test]
fn a_page_in_another_character_set_is_read_by_its_meta_tag() {
    let page = "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1257\">\
                </head><body><main><p>Darbs Vācijā, alga 3000 eiro mēnesī</p></main></body></html>";
    let (bytes, _, _) = encoding_rs::WINDOWS_1257.encode(page);
    let (ads, bad) = read_all(&bytes, Format::Html);
    assert!(bad.is_empty(), "{bad:?}");
    assert_eq!(ads[0].text, "Darbs Vācijā, alga 3000 eiro mēnesī");
    // Without one, bytes that are not UTF-8 are an error with their line.
    let (bytes, _, _) = encoding_rs::WINDOWS_1257.encode("<p>Vācijā</p>");
    let result = read(&bytes[..], Format::Html, "in", |_| {});
    assert!(matches!(
        result,
        Err(IngestError::InvalidUtf8 { line: 1, .. })
    ));
}
