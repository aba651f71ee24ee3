use std::sync::{Arc, LazyLock};

use arc_swap::ArcSwap;

use super::*;
use crate::rules::RuleSet;
use crate::score::Thresholds;

static ENGINE: LazyLock<Arc<Engine>> = LazyLock::new(|| {
    Arc::new(Engine::new(
        RuleSet::bundled().expect("bundled rules"),
        Thresholds::default(),
    ))
});

fn shared() -> SharedEngine {
    Arc::new(ArcSwap::new(ENGINE.clone()))
}

fn advert(id: &str, title: &str, text: &str) -> (Advert, Report) {
    let a = Advert {
        id: id.into(),
        title: title.into(),
        text: text.into(),
        source: Some("test".into()),
        posted_at: Some("2026-05-01".into()),
        ..Advert::default()
    };
    let r = ENGINE.screen(&a);
    (a, r)
}

const RISKY: &str = "Darbs Vācijā meitenēm 18-25, alga 4000 EUR mēnesī, pieredze nav vajadzīga, ceļš un dzīvoklis par brīvu. Pase jāatstāj pie mums. Raksti WhatsApp +371 2000 1234";
const BENIGN: &str = "SIA Rimi Latvia (reģ. Nr. 40003053029) meklē pārdevēju Rīgā. Alga 1100 EUR bruto, darba līgums. CV: darbs@rimi.lv";

#[tokio::test]
async fn stores_gets_and_replaces_by_id() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(dir.path(), shared()).expect("open");
    let stored = store
        .write(vec![
            advert("a1", "Darbs", RISKY),
            advert("b1", "Pārdevējs", BENIGN),
        ])
        .await
        .expect("write");
    assert_eq!(stored.len(), 2);
    assert_eq!(store.len(), 2);
    let a = store.get("a1").expect("get").expect("found");
    assert!(a.report.flagged);
    store
        .write(vec![advert("a1", "Darbs", "Labots teksts bez riska")])
        .await
        .expect("rewrite");
    assert_eq!(store.len(), 2, "same id replaces");
    let a = store.get("a1").expect("get").expect("found");
    assert_eq!(a.advert.text, "Labots teksts bez riska");
    assert!(store.get("nope").expect("get").is_none());
}

#[tokio::test]
async fn survives_reopening() {
    let dir = tempfile::tempdir().expect("tempdir");
    {
        let store = Store::open(dir.path(), shared()).expect("open");
        store
            .write(vec![advert("x", "Darbs", RISKY)])
            .await
            .expect("write");
    }
    let store = Store::open(dir.path(), shared()).expect("reopen");
    assert!(store.get("x").expect("get").is_some());
}

#[tokio::test]
async fn search_filters_sorts_and_counts() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(dir.path(), shared()).expect("open");
    store
        .write(vec![
            advert("r1", "Darbs ārzemēs", RISKY),
            advert("b1", "Pārdevējs", BENIGN),
            advert(
                "b2",
                "Job",
                "Warehouse operative in Riga, SIA Alfa Logistika, 1200 EUR gross, contract",
            ),
        ])
        .await
        .expect("write");
    let all = store.search(&SearchRequest::default()).expect("search");
    assert_eq!(all.total, 3);
    assert_eq!(all.hits[0].id, "r1", "highest score first");
    assert_eq!(all.facets.language.get("lv"), Some(&2));
    let flagged: u64 = ["medium", "high"]
        .iter()
        .filter_map(|l| all.facets.level.get(*l))
        .sum();
    assert_eq!(flagged, 1);
    // Latvian inflection and missing diacritics: "arzemes" finds "ārzemēs", "Vācijas" "Vācijā".
    let q = |q: &str| SearchRequest {
        q: Some(q.into()),
        ..SearchRequest::default()
    };
    assert_eq!(store.search(&q("arzemes")).expect("search").total, 1);
    assert_eq!(store.search(&q("Vācijas")).expect("search").total, 1);
    assert_eq!(
        store.search(&q("warehouse")).expect("search").hits[0].id,
        "b2"
    );
    let high = store
        .search(&SearchRequest {
            min_score: Some(50),
            ..SearchRequest::default()
        })
        .expect("search");
    assert_eq!(high.total, 1);
    let by_indicator = store
        .search(&SearchRequest {
            indicator: Some("documents_retained".into()),
            ..SearchRequest::default()
        })
        .expect("search");
    assert_eq!(by_indicator.hits.len(), 1);
    let none = store
        .search(&SearchRequest {
            from: Some("2026-06-01".into()),
            ..SearchRequest::default()
        })
        .expect("search");
    assert_eq!(none.total, 0);
    let bad = store.search(&SearchRequest {
        level: Some("severe".into()),
        ..SearchRequest::default()
    });
    assert!(matches!(bad, Err(StoreError::BadQuery(_))));
}

#[tokio::test]
async fn shared_contacts_become_a_reason_on_every_advert() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(dir.path(), shared()).expect("open");
    let phone = "Zvaniet +371 2000 1234";
    store
        .write(vec![advert(
            "c1",
            "Pavārs",
            &format!("SIA Alfa meklē pavāru. {phone}"),
        )])
        .await
        .expect("write");
    let first = store.get("c1").expect("get").expect("found");
    assert!(
        !first
            .report
            .reasons
            .iter()
            .any(|r| r.indicator == SHARED_CONTACT)
    );
    store
        .write(vec![advert(
            "c2",
            "Šoferis",
            &format!("SIA Beta meklē šoferi. {phone}"),
        )])
        .await
        .expect("write");
    for id in ["c1", "c2"] {
        let s = store.get(id).expect("get").expect("found");
        let reason = s
            .report
            .reasons
            .iter()
            .find(|r| r.indicator == SHARED_CONTACT)
            .unwrap_or_else(|| panic!("{id} has no shared-contact reason"));
        assert_eq!(reason.evidence.as_deref(), Some("+371 2000 1234"));
        assert!(reason.explanation.en.contains("in 2 adverts"));
    }
    let (total, linked) = store
        .with_contact("phone:+37120001234", 1)
        .expect("contacts");
    assert_eq!((total, linked.len()), (2, 1));
}

#[tokio::test]
async fn reposts_share_a_group() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(dir.path(), shared()).expect("open");
    store
        .write(vec![
            advert("d1", "Darbs", RISKY),
            advert("d2", "Darbs!", &RISKY.replace("4000", "4500")),
            advert("d3", "Pārdevējs", BENIGN),
        ])
        .await
        .expect("write");
    let d2 = store.get("d2").expect("get").expect("found");
    assert_eq!(d2.group, "d1");
    let collapsed = store
        .search(&SearchRequest {
            collapse: Some(true),
            ..SearchRequest::default()
        })
        .expect("search");
    assert_eq!(collapsed.total, 3);
    assert_eq!(collapsed.hits.len(), 2);
}

#[tokio::test]
async fn collapsing_groups_reposts_stored_in_separate_commits() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(dir.path(), shared()).expect("open");
    // Each write commits on its own, so the reposts of one group land in different segments,
    // where the group name has different term ordinals (without a shared contact, which would
    // rewrite the earlier reposts into the newest segment).
    let unlinked = RISKY.replace(" Raksti WhatsApp +371 2000 1234", "");
    for (id, pay) in [
        ("g1", "4000"),
        ("g2", "4100"),
        ("g3", "4200"),
        ("g4", "4300"),
    ] {
        let text = unlinked.replace("4000", pay);
        store
            .write(vec![advert(id, "Darbs", &text)])
            .await
            .expect("write");
    }
    store
        .write(vec![advert("b1", "Pārdevējs", BENIGN)])
        .await
        .expect("write");
    let search = |offset| {
        store
            .search(&SearchRequest {
                collapse: Some(true),
                offset: Some(offset),
                limit: Some(1),
                ..SearchRequest::default()
            })
            .expect("search")
    };
    let first = search(0);
    assert_eq!(first.total, 5);
    let second = search(1);
    let third = search(2);
    let ids: Vec<String> = [&first, &second, &third]
        .iter()
        .flat_map(|r| r.hits.iter().map(|h| h.id.clone()))
        .collect();
    // Two groups: the four reposts (shown once) and the benign advert.
    assert_eq!(ids.len(), 2, "{ids:?}");
    assert!(ids.contains(&"b1".to_string()), "{ids:?}");
    assert_eq!(first.hits[0].group, "g1");
}

#[tokio::test]
async fn a_collapsed_page_is_the_first_hit_of_each_group_in_the_search_order() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(dir.path(), shared()).expect("open");
    // Three groups of reposts, written over several commits (segments), and some singles.
    let unlinked = RISKY.replace(" Raksti WhatsApp +371 2000 1234", "");
    let others = [
        "Работа в Германии для девушек 18-25, зарплата 5000 евро, без опыта. Пишите в Telegram",
        "Fictitious marriage with a foreign citizen, good pay, travel covered, darbs.",
    ];
    for round in 0..4 {
        let mut batch = Vec::new();
        for (g, base) in [unlinked.as_str(), others[0], others[1]].iter().enumerate() {
            for n in 0..3 {
                let id = format!("r{round}-g{g}-{n}");
                let text = format!("{base} Nr {}{}", round * 3 + n, " darbs".repeat(n));
                batch.push(advert(&id, "Darbs", &text));
            }
        }
        batch.push(advert(&format!("single-{round}"), "Pārdevējs", BENIGN));
        store.write(batch).await.expect("write");
    }
    for (q, sort) in [
        (Some("darbs"), None),
        (None, Some(Sort::Score)),
        (None, Some(Sort::Date)),
    ] {
        let all = store
            .search(&SearchRequest {
                q: q.map(Into::into),
                sort,
                limit: Some(search::MAX_LIMIT),
                ..SearchRequest::default()
            })
            .expect("search");
        let mut seen = std::collections::HashSet::new();
        let expected: Vec<String> = all
            .hits
            .iter()
            .filter(|h| seen.insert(h.group.clone()))
            .map(|h| h.id.clone())
            .collect();
        assert!(expected.len() >= 4, "{expected:?}");
        assert!(
            all.hits.len() > expected.len() + 20,
            "reposts fill the first hits"
        );
        for (offset, limit) in [(0, 1), (0, 3), (1, 2), (2, 10), (5, 5)] {
            let page = store
                .search(&SearchRequest {
                    q: q.map(Into::into),
                    sort,
                    offset: Some(offset),
                    limit: Some(limit),
                    collapse: Some(true),
                    ..SearchRequest::default()
                })
                .expect("search");
            let ids: Vec<String> = page.hits.iter().map(|h| h.id.clone()).collect();
            let want: Vec<String> = expected.iter().skip(offset).take(limit).cloned().collect();
            assert_eq!(ids, want, "{q:?} {sort:?} offset {offset} limit {limit}");
            assert_eq!(page.total, all.total);
        }
    }
}

#[tokio::test]
async fn counts_are_read_current_and_a_sign_that_stops_is_rewritten() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(dir.path(), shared()).expect("open");
    let write = |id: &'static str, text: String| {
        let store = &store;
        async move {
            store
                .write(vec![advert(id, "Darbs", &text)])
                .await
                .expect("write");
        }
    };
    for (id, company) in [("e1", "SIA Alfa"), ("e2", "SIA Beta"), ("e3", "SIA Gamma")] {
        write(
            id,
            format!("{company} meklē darbiniekus. Zvaniet +371 2612 3456"),
        )
        .await;
    }
    write("e4", "SIA Delta meklē. Zvaniet 26123456".into()).await;
    let said = |s: &StoredAdvert| s.shared_contacts.values().next().copied();
    let reason = |s: &StoredAdvert| {
        s.report
            .reasons
            .iter()
            .find(|r| r.indicator == SHARED_CONTACT)
            .cloned()
    };
    // e1 was written when the contact became a sign (2 adverts) and not since: one more sharer
    // does not rewrite it, but reading it gives the current count.
    let raw = get_by_id(&store.reader.searcher(), store.fields, "e1")
        .expect("get")
        .expect("e1");
    assert_eq!(said(&raw), Some(2));
    for id in ["e1", "e2", "e3", "e4"] {
        let s = store.get(id).expect("get").expect("found");
        assert_eq!(said(&s), Some(4), "{id}");
        let r = reason(&s).expect("reason");
        assert!(
            r.explanation.en.contains("in 4 adverts"),
            "{id}: {}",
            r.explanation.en
        );
        assert!(
            r.explanation.lv.contains("4 sludinājumos"),
            "{id}: {}",
            r.explanation.lv
        );
        assert_eq!(
            r.evidence.as_deref(),
            s.advert.evidence(&contacts_of(&s.report.entities)[0].span)
        );
    }
    let before = store.get("e1").expect("get").expect("e1").report.score;
    // The other three drop the phone: it is in one advert only and stops being a sign, so e1 is
    // rewritten without the reason and scored again.
    for (id, company) in [("e2", "SIA Beta"), ("e3", "SIA Gamma"), ("e4", "SIA Delta")] {
        write(
            id,
            format!("{company} meklē darbiniekus. Rakstiet uz info@example.com"),
        )
        .await;
    }
    let e1 = store.get("e1").expect("get").expect("e1");
    assert_eq!(reason(&e1), None);
    assert!(e1.shared_contacts.is_empty());
    assert!(e1.report.score < before, "{} !< {before}", e1.report.score);
    // Reopening rebuilds what readers see from the index.
    drop(store);
    let store = Store::open(dir.path(), shared()).expect("reopen");
    let e1 = store.get("e1").expect("get").expect("e1");
    assert_eq!(reason(&e1), None);
}

#[tokio::test]
async fn reopened_store_reads_current_counts() {
    let dir = tempfile::tempdir().expect("tempdir");
    {
        let store = Store::open(dir.path(), shared()).expect("open");
        for (id, company) in [("f1", "SIA Alfa"), ("f2", "SIA Beta"), ("f3", "SIA Gamma")] {
            store
                .write(vec![advert(
                    id,
                    "Darbs",
                    &format!("{company} meklē darbiniekus. Telegram @fastjobs_lv"),
                )])
                .await
                .expect("write");
        }
    }
    let store = Store::open(dir.path(), shared()).expect("reopen");
    let f1 = store.get("f1").expect("get").expect("f1");
    assert_eq!(f1.shared_contacts.values().next().copied(), Some(3));
}

#[test]
fn dates_read_with_and_without_offsets() {
    let utc = parse_date("2026-05-01T10:00:00Z").expect("utc");
    assert_eq!(parse_date("2026-05-01T13:00:00+03:00"), Ok(utc));
    assert_eq!(parse_date("2026-05-01 08:00:00-02:00"), Ok(utc));
    assert_eq!(parse_date("2026-05-01 10:00:00"), Ok(utc));
    assert!(parse_date("2026-05-01").is_ok());
    assert!(parse_date("yesterday").is_err());
    assert!(parse_date("").is_err());
}

#[test]
fn dates_outside_one_stated_range_are_refused_with_it() {
    for ok in [
        "1900-01-01",
        "2199-12-31",
        "2199-12-31T23:59:59Z",
        "1970-01-01T00:00:00-05:00",
    ] {
        assert!(parse_date(ok).is_ok(), "{ok}");
    }
    for bad in [
        "9999-12-31",
        "2262-04-12",
        "1000-01-01",
        "1899-12-31T23:59:59Z",
        "2026-05-01T10:00:00+99:00",
        "2026-05-01T10:00:00+24:00",
        "2026-02-30",
        "2026-05-01T10:00:0éé",
        "2026-05-01Tāāāāāāāāā+03:00",
        "ééééééééééééééééééééé",
    ] {
        let e = parse_date(bad).expect_err(bad);
        assert!(
            e.contains("1900-01-01") && e.contains("2199-12-31"),
            "{bad}: {e}"
        );
    }
}

/// Counts per level, indicator, language and kind, read from the hits themselves.
fn counted(hits: &[Hit]) -> [BTreeMap<String, u64>; 4] {
    let mut out: [BTreeMap<String, u64>; 4] = Default::default();
    for h in hits {
        *out[0].entry(h.level.as_str().to_string()).or_default() += 1;
        for i in &h.indicators {
            *out[1].entry(i.clone()).or_default() += 1;
        }
        *out[2].entry(h.language.as_str().to_string()).or_default() += 1;
        *out[3].entry(h.kind.as_str().to_string()).or_default() += 1;
    }
    out
}

#[tokio::test]
async fn facets_count_every_match_across_segments_and_replaced_adverts() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(dir.path(), shared()).expect("open");
    let texts = [
        RISKY,
        BENIGN,
        "Работа в Германии для девушек 18-25, зарплата 5000 евро, без опыта. Пишите в Telegram @rabota_de",
        "Warehouse operative in Riga, SIA Alfa Logistika, 1200 EUR gross, contract",
        "Fictitious marriage with a foreign citizen, good pay, travel covered. WhatsApp +44 7700 900123",
    ];
    // Three commits make three segments; the third replaces two adverts of the first, which
    // leaves deleted documents behind (matches are then collected one at a time).
    for (batch, ids) in [["a", "b", "c"], ["d", "e", "f"], ["a", "b", "g"]]
        .iter()
        .enumerate()
    {
        let adverts = ids
            .iter()
            .enumerate()
            .map(|(n, id)| advert(id, "Darbs", texts[(batch + n * 2) % texts.len()]))
            .collect();
        store.write(adverts).await.expect("write");
    }
    for request in [
        SearchRequest::default(),
        SearchRequest {
            q: Some("darbs".into()),
            ..SearchRequest::default()
        },
        SearchRequest {
            level: Some("medium,high".into()),
            sort: Some(Sort::Date),
            ..SearchRequest::default()
        },
    ] {
        let all = store
            .search(&SearchRequest {
                limit: Some(search::MAX_LIMIT),
                ..request.clone()
            })
            .expect("search");
        assert_eq!(all.hits.len(), all.total, "{request:?}");
        let [level, indicator, language, kind] = counted(&all.hits);
        assert_eq!(all.facets.level, level, "{request:?}");
        assert_eq!(all.facets.indicator, indicator, "{request:?}");
        assert_eq!(all.facets.language, language, "{request:?}");
        assert_eq!(all.facets.kind, kind, "{request:?}");
    }
    let all = store.search(&SearchRequest::default()).expect("search");
    assert_eq!(all.total, 7, "replaced adverts are counted once");
    assert!(all.facets.indicator.len() > 2, "{:?}", all.facets.indicator);

    // Level, language and kind filter the matches as they are collected: each combination,
    // with and without other parts of the query, selects exactly the adverts that have it.
    let every = store
        .search(&SearchRequest {
            limit: Some(search::MAX_LIMIT),
            ..SearchRequest::default()
        })
        .expect("search")
        .hits;
    let ids = |hits: &[Hit]| -> std::collections::BTreeSet<String> {
        hits.iter().map(|h| h.id.clone()).collect()
    };
    let mut seen_some = 0;
    for level in [None, Some("high"), Some("low,medium")] {
        for lang in [None, Some("lv"), Some("ru,en")] {
            for kind in [None, Some("job"), Some("marriage,other")] {
                for indicator in [None, Some("contact_channel")] {
                    let request = SearchRequest {
                        level: level.map(Into::into),
                        lang: lang.map(Into::into),
                        kind: kind.map(Into::into),
                        indicator: indicator.map(Into::into),
                        limit: Some(search::MAX_LIMIT),
                        ..SearchRequest::default()
                    };
                    let found = store.search(&request).expect("search");
                    let has = |filter: Option<&str>, value: &str| {
                        filter.is_none_or(|f| f.split(',').any(|v| v == value))
                    };
                    let expected: Vec<Hit> = every
                        .iter()
                        .filter(|h| {
                            has(level, h.level.as_str())
                                && has(lang, h.language.as_str())
                                && has(kind, h.kind.as_str())
                                && indicator.is_none_or(|i| h.indicators.iter().any(|x| x == i))
                        })
                        .cloned()
                        .collect();
                    assert_eq!(ids(&found.hits), ids(&expected), "{request:?}");
                    assert_eq!(found.total, expected.len(), "{request:?}");
                    let [l, i, g, k] = counted(&expected);
                    assert_eq!(
                        [&found.facets.level, &found.facets.indicator],
                        [&l, &i],
                        "{request:?}"
                    );
                    assert_eq!(
                        [&found.facets.language, &found.facets.kind],
                        [&g, &k],
                        "{request:?}"
                    );
                    seen_some += usize::from(!expected.is_empty());
                }
            }
        }
    }
    assert!(
        seen_some > 10,
        "the filters above select something: {seen_some}"
    );
}

#[tokio::test]
async fn an_offset_past_the_end_gives_an_empty_page() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(dir.path(), shared()).expect("open");
    store
        .write(vec![
            advert("a", "Darbs", RISKY),
            advert("b", "Pārdevējs", BENIGN),
        ])
        .await
        .expect("write");
    for collapse in [false, true] {
        let page = store
            .search(&SearchRequest {
                offset: Some(usize::MAX),
                limit: Some(search::MAX_LIMIT),
                collapse: Some(collapse),
                ..SearchRequest::default()
            })
            .expect("search");
        assert_eq!(page.total, 2);
        assert!(page.hits.is_empty());
        assert_eq!(page.facets.level.values().sum::<u64>(), 2);
    }
}

#[tokio::test]
async fn sorting_by_score_or_date_keeps_tantivys_order_ties_included() {
    use tantivy::collector::TopDocs;
    use tantivy::query::AllQuery;
    use tantivy::{DateTime, Order};

    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(dir.path(), shared()).expect("open");
    let texts = [RISKY, BENIGN, "Darbs Rīgā, alga 900 EUR.", RISKY];
    // Few distinct scores and dates, four commits (segments), and replaced adverts (deleted
    // documents): most of the order is decided by ties.
    for round in 0..4 {
        let adverts = (0..10)
            .map(|n| {
                let id = format!("a{}", (round * 7 + n) % 23);
                let (mut a, _) = advert(&id, "Darbs", texts[(round + n) % texts.len()]);
                a.posted_at = Some(format!("2026-05-0{}", 1 + n % 3));
                let r = ENGINE.screen(&a);
                (a, r)
            })
            .collect();
        store.write(adverts).await.expect("write");
    }
    let searcher = store.reader.searcher();
    assert!(searcher.segment_readers().len() > 1);
    let cache = search::Caches::default();
    for n in [1, 3, 7, 40] {
        let ours = |key| {
            searcher
                .search(
                    &AllQuery,
                    &sort::TopBy {
                        cache: &cache.sort,
                        key,
                        n,
                    },
                )
                .expect("search")
        };
        let by_score = TopDocs::with_limit(n).order_by_fast_field::<u64>("score", Order::Desc);
        let theirs: Vec<_> = searcher.search(&AllQuery, &by_score).expect("search");
        let theirs: Vec<_> = theirs.into_iter().map(|x| x.1).collect();
        assert_eq!(ours(sort::Key::Score), theirs, "score, n = {n}");
        let by_date = TopDocs::with_limit(n).order_by_fast_field::<DateTime>("date", Order::Desc);
        let theirs: Vec<_> = searcher.search(&AllQuery, &by_date).expect("search");
        let theirs: Vec<_> = theirs.into_iter().map(|x| x.1).collect();
        assert_eq!(ours(sort::Key::Date), theirs, "date, n = {n}");
    }
}

#[test]
fn stored_fields_are_read_in_either_order() {
    let (schema, f) = Fields::schema();
    let index = Index::create_in_ram(schema);
    text::register(&index);
    let mut writer: tantivy::IndexWriter = index.writer(15_000_000).expect("writer");
    // The order of older stores (the whole advert first), then the order written now.
    for (first, second) in [(f.doc, f.summary), (f.summary, f.doc)] {
        let mut doc = TantivyDocument::default();
        doc.add_text(f.id, "a");
        doc.add_text(first, if first == f.doc { "whole" } else { "hit" });
        doc.add_text(second, if second == f.doc { "whole" } else { "hit" });
        writer.add_document(doc).expect("add");
    }
    writer.commit().expect("commit");
    let searcher = index.reader().expect("reader").searcher();
    for doc_id in 0..2 {
        let address = tantivy::DocAddress::new(0, doc_id);
        let read = |field| stored_text(&searcher, field, address).expect("read");
        assert_eq!(read(f.summary).as_deref(), Some("hit"));
        assert_eq!(read(f.doc).as_deref(), Some("whole"));
        assert_eq!(read(f.id).as_deref(), Some("a"));
        assert_eq!(read(f.group), None);
    }
}

#[tokio::test]
async fn new_stores_keep_documents_uncompressed_and_compressed_ones_still_open() {
    let compression = |dir: &Path| -> String {
        let meta = std::fs::read_to_string(dir.join("meta.json")).expect("meta.json");
        let meta: serde_json::Value = serde_json::from_str(&meta).expect("json");
        meta["index_settings"]["docstore_compression"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    let fresh = tempfile::tempdir().expect("tempdir");
    drop(Store::open(fresh.path(), shared()).expect("open"));
    assert_eq!(compression(fresh.path()), "none");

    // A data directory created when stored documents were compressed.
    let old = tempfile::tempdir().expect("tempdir");
    let (schema, _) = Fields::schema();
    let settings = tantivy::IndexSettings {
        docstore_compression: tantivy::store::Compressor::Lz4,
        ..tantivy::IndexSettings::default()
    };
    let directory = tantivy::directory::MmapDirectory::open(old.path()).expect("dir");
    drop(
        Index::builder()
            .schema(schema)
            .settings(settings)
            .open_or_create(directory)
            .expect("create"),
    );
    let store = Store::open(old.path(), shared()).expect("open");
    store
        .write(vec![advert("a", "Darbs", RISKY)])
        .await
        .expect("write");
    let a = store.get("a").expect("get").expect("found");
    assert_eq!(a.advert.text, RISKY);
    assert_eq!(compression(old.path()), "lz4");
}

#[tokio::test]
async fn a_search_for_everything_answers_as_a_search_through_every_match() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(dir.path(), shared()).expect("open");
    let texts = [
        RISKY,
        BENIGN,
        "Работа в Германии для девушек 18-25, зарплата 5000 евро, без опыта. Пишите в Telegram",
        "Warehouse operative in Riga, SIA Alfa Logistika, 1200 EUR gross, contract",
        "Fictitious marriage with a foreign citizen, good pay, travel covered.",
    ];
    let compare = |round: usize| {
        for sort in [None, Some(Sort::Score), Some(Sort::Date)] {
            for (offset, limit, collapse) in
                [(0, 20, false), (3, 7, false), (0, 5, true), (2, 200, false)]
            {
                let request = SearchRequest {
                    sort,
                    offset: Some(offset),
                    limit: Some(limit),
                    collapse: Some(collapse),
                    ..SearchRequest::default()
                };
                let everything = store.search(&request).expect("search");
                // Every level: the same adverts, found through the matches one by one.
                let through = store
                    .search(&SearchRequest {
                        level: Some("low,medium,high".into()),
                        ..request.clone()
                    })
                    .expect("search");
                let ids =
                    |r: &SearchResponse| r.hits.iter().map(|h| h.id.clone()).collect::<Vec<_>>();
                assert_eq!(
                    ids(&everything),
                    ids(&through),
                    "round {round}: {request:?}"
                );
                assert_eq!(
                    everything.total, through.total,
                    "round {round}: {request:?}"
                );
                let facets = |r: &SearchResponse| serde_json::to_string(&r.facets).expect("json");
                assert_eq!(
                    facets(&everything),
                    facets(&through),
                    "round {round}: {request:?}"
                );
            }
        }
    };
    // Several commits (segments); later ones replace adverts of earlier ones (deletions), and
    // the answers are compared after each, as the deletions change.
    for round in 0..4 {
        let adverts = (0..6)
            .map(|n| {
                let id = format!("a{}", (round * 4 + n) % 13);
                advert(&id, "Darbs", texts[(round + n) % texts.len()])
            })
            .collect();
        store.write(adverts).await.expect("write");
        compare(round);
    }
    let all = store.search(&SearchRequest::default()).expect("search");
    assert_eq!(all.total, 13);
}

#[tokio::test]
async fn a_search_past_its_deadline_stops_and_says_so() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(dir.path(), shared()).expect("open");
    let adverts = (0..50)
        .map(|i| advert(&format!("d{i}"), "Darbs", RISKY))
        .collect();
    store.write(adverts).await.expect("write");
    let request = SearchRequest {
        q: Some("darbs".into()),
        ..SearchRequest::default()
    };
    let past = std::time::Instant::now() - std::time::Duration::from_secs(1);
    assert!(matches!(
        store.search_until(&request, past),
        Err(StoreError::TimedOut)
    ));
    let future = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let found = store.search_until(&request, future).expect("in time");
    assert_eq!(found.total, 50);
}

#[tokio::test]
async fn hostile_queries_are_refused_before_parsing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(dir.path(), shared()).expect("open");
    for q in [
        "(".repeat(800),
        "NOT ".repeat(40) + "darbs",
        "-(".repeat(9),
        format!("\"{}\"", "darbs ".repeat(33)),
        "x".repeat(MAX_QUERY_BYTES + 1),
        // A term set tantivy's parser loops on, taking memory without end (found by fuzzing).
        "][06p6 TO OR AND NOT ]^2^2IN [[ *) TO".to_string(),
        "darbs IN [".to_string(),
        "IN[a b]".to_string(),
    ] {
        let r = store.search(&SearchRequest {
            q: Some(q.clone()),
            ..SearchRequest::default()
        });
        assert!(matches!(r, Err(StoreError::BadQuery(_))), "{q:.40}: {r:?}");
    }
}

/// Any query within the limits is parsed and run without exhausting a small stack (a tokio
/// worker has 2 MiB; this thread has a quarter of that).
#[test]
fn fuzz_search_queries_and_dates_never_crash() {
    use proptest::prelude::*;
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().to_path_buf();
    let handle = std::thread::Builder::new()
        .stack_size(512 * 1024)
        .spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .build()
                .expect("runtime");
            let store = Store::open(&path, shared()).expect("open");
            runtime
                .block_on(store.write(vec![
                    advert("f1", "Darbs", RISKY),
                    advert("f2", "Alga", BENIGN),
                ]))
                .expect("write");
            let token = prop_oneof![
                Just("(".to_string()),
                Just(")".to_string()),
                Just("NOT ".to_string()),
                Just("AND ".to_string()),
                Just("OR ".to_string()),
                Just("-".to_string()),
                Just("+".to_string()),
                Just("\"".to_string()),
                Just("*".to_string()),
                Just("^2".to_string()),
                Just(":".to_string()),
                Just("[".to_string()),
                Just(" TO ".to_string()),
                Just("]".to_string()),
                Just("IN [".to_string()),
                Just("~3".to_string()),
                "[a-zāčēģīķļņšūž0-9]{1,8}",
                "\\PC{1,4}",
                Just(" ".to_string()),
            ];
            let date = prop_oneof![
                Just(None),
                "\\PC{0,30}".prop_map(Some),
                "[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}:[0-9]{2}(Z|[+-][0-9]{2}:[0-9]{2})?)?"
                    .prop_map(Some),
            ];
            let queries = (
                proptest::collection::vec(token, 0..120).prop_map(|t| t.concat()),
                date.clone(),
                date,
            );
            let mut runner =
                proptest::test_runner::TestRunner::new(crate::rules::tests::fuzz_config(256));
            runner
                .run(&queries, |(q, from, to)| {
                    let r = store.search(&SearchRequest {
                        q: Some(q.clone()),
                        from,
                        to,
                        ..SearchRequest::default()
                    });
                    prop_assert!(
                        matches!(r, Ok(_) | Err(StoreError::BadQuery(_))),
                        "{q:?}: {r:?}"
                    );
                    Ok(())
                })
                .map_err(|e| e.to_string())
        })
        .expect("thread");
    let outcome = handle.join().expect("no stack overflow or panic");
    assert!(outcome.is_ok(), "{outcome:?}");
}
