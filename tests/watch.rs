//! Watching sources end to end: `adscreen serve` with `[[source]]` entries polls test sites on
//! loopback (a feed that changes between polls and answers 304 while it has not, a robots.txt
//! that forbids a path, a source that hangs, one that answers 500) and stores what it reads.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::server::{Server, add_key};
use crate::site::{Seen, Site, start_site};

/// Waits until `check` holds, up to `limit`.
fn wait_for(limit: Duration, what: &str, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !check() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn encoded(id: &str) -> String {
    id.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b == b'-' || b == b'_' {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn metric(text: &str, name: &str, labels: &str) -> f64 {
    text.lines()
        .find(|l| l.starts_with(name) && l.contains(labels))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0)
}

#[test]
fn sources_are_polled_politely_and_what_they_hold_is_stored() {
    let site = Arc::new(Site::default());
    *site.version.lock().expect("lock") = 1;
    let base = start_site(site.clone());
    // The hanging source is on a host of its own: a host is asked one thing at a time.
    let slow_site = Arc::new(Site::default());
    let slow = start_site(slow_site.clone());
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("adscreen.toml");
    std::fs::write(
        &config,
        format!(
            "[watch]\ncontact = \"tests@example.lv\"\nmin_delay = \"20ms\"\ntimeout = \"1s\"\n\
             backoff_max = \"20s\"\n\n\
             [[source]]\nname = \"darbs-feed\"\nurl = \"{base}/feed.xml\"\nevery = \"250ms\"\n\n\
             [[source]]\nname = \"private\"\nurl = \"{base}/private/feed.xml\"\nevery = \"250ms\"\n\n\
             [[source]]\nname = \"broken\"\nurl = \"{base}/fail.xml\"\nevery = \"200ms\"\n\n\
             [[source]]\nname = \"hangs\"\nurl = \"{slow}/hang.xml\"\nevery = \"250ms\"\n"
        ),
    )
    .expect("config");
    let data = dir.path().join("data");
    let key = add_key(&data, "read");
    let started = Instant::now();
    let config_arg = config.to_str().expect("path");
    let s = Server::start(&data, &["--config", config_arg]);
    let advert = |id: &str| s.get(&format!("/v1/adverts/{}", encoded(id)), Some(&key));

    // The first poll stores both items, with the source's name and the item's link.
    wait_for(Duration::from_secs(30), "the feed's items", || {
        advert("darbs-feed:item-a").0 == 200 && advert("http://example.invalid/b").0 == 200
    });
    let (_, a) = advert("darbs-feed:item-a");
    assert_eq!(a["advert"]["source"], "darbs-feed");
    assert_eq!(a["advert"]["url"], "http://example.invalid/a");
    assert_eq!(a["report"]["flagged"], true, "{a}");
    let (_, b_before) = advert("http://example.invalid/b");

    // While the feed is unchanged it is asked with its ETag and answers 304.
    wait_for(Duration::from_secs(10), "a conditional request", || {
        site.seen("/feed.xml").iter().any(|s| s.status == 304)
    });
    let conditional = site.seen("/feed.xml");
    assert!(
        conditional
            .iter()
            .filter(|s| s.status == 304)
            .all(|s| s.if_none_match.as_deref() == Some("\"v1\""))
    );

    // The feed changes: the new item is stored and the item seen again moves its last-seen
    // time and keeps its first-seen time.
    // (Times are stored to the second: the change comes a second later.)
    std::thread::sleep(Duration::from_millis(1100));
    *site.version.lock().expect("lock") = 2;
    let mut new_item = None;
    wait_for(Duration::from_secs(10), "the new item", || {
        let (status, search) = s.get("/v1/search?q=Польше", Some(&key));
        new_item = search["hits"][0]["id"].as_str().map(str::to_string);
        status == 200 && new_item.is_some()
    });
    let (_, c) = advert(&new_item.expect("id"));
    assert_eq!(c["advert"]["source"], "darbs-feed");
    let (_, b_after) = advert("http://example.invalid/b");
    assert_eq!(b_after["first_seen"], b_before["first_seen"]);
    assert!(
        b_after["stored_at"].as_str() > b_before["stored_at"].as_str(),
        "last seen moves: {} then {}",
        b_before["stored_at"],
        b_after["stored_at"]
    );
    // An item gone from the feed stays in the index.
    assert_eq!(advert("darbs-feed:item-a").0, 200);

    // Let the failing sources fail a few times.
    let until = started + Duration::from_secs(8);
    std::thread::sleep(until.saturating_duration_since(Instant::now()));
    let metrics = s
        .request(reqwest::Method::GET, "/metrics", None)
        .send()
        .expect("metrics")
        .text()
        .expect("text");

    // robots.txt: read once per host, and the forbidden path never asked.
    assert_eq!(site.seen("/robots.txt").len(), 1);
    assert!(site.seen("/private/feed.xml").is_empty());
    assert!(
        metric(
            &metrics,
            "adscreen_source_polls_total",
            "outcome=\"disallowed\",source=\"private\""
        ) >= 1.0
            || metric(
                &metrics,
                "adscreen_source_polls_total",
                "source=\"private\",outcome=\"disallowed\""
            ) >= 1.0,
        "{metrics}"
    );

    // Every request names adscreen and the contact.
    let all: Vec<Seen> = site.seen.lock().expect("lock").clone();
    assert!(
        all.iter()
            .all(|s| s.user_agent.starts_with("adscreen/")
                && s.user_agent.contains("tests@example.lv")),
        "{all:?}"
    );

    // The source answering 500 is asked less and less often: after the n-th failure in a row
    // it waits 200 ms times 2^n (a busy machine can only make the gaps longer).
    let fails = site.seen("/fail.xml");
    assert!(
        fails.len() >= 3,
        "{} polls of the failing source",
        fails.len()
    );
    let gaps: Vec<Duration> = fails.windows(2).map(|w| w[1].at - w[0].at).collect();
    for (n, gap) in gaps.iter().enumerate() {
        let planned = Duration::from_millis(200 << (n + 1));
        assert!(*gap >= planned.mul_f64(0.95), "backoff doubles: {gaps:?}");
    }
    // Without backoff, 8 s at 200 ms would be 40 polls.
    assert!(
        fails.len() <= 7,
        "{} polls of the failing source",
        fails.len()
    );

    // The hanging source times out and fails; the feed was polled all along.
    assert!(!slow_site.seen("/hang.xml").is_empty());
    let failures = |source: &str| {
        metrics
            .lines()
            .find(|l| {
                l.starts_with("adscreen_source_consecutive_failures")
                    && l.contains(&format!("source=\"{source}\""))
            })
            .and_then(|l| l.rsplit(' ').next())
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    assert!(failures("hangs") >= 2.0, "{metrics}");
    assert!(failures("broken") >= 3.0, "{metrics}");
    assert_eq!(failures("darbs-feed"), 0.0, "{metrics}");
    assert!(
        site.seen("/feed.xml").len() >= 10,
        "the feed kept being polled"
    );
    s.stop();
}
