//! The watcher: each `[[source]]` of the config is polled on its own task, every `every`; what a
//! poll brings is read (page, feed, Telegram export, by content unless the source names a
//! format), screened and stored with the source's name and the item's link. An item seen again
//! is stored again under its id, which keeps its first-seen time and moves its last-seen time.
//! A failing source waits twice as long after each failure (up to `backoff_max`) and never
//! holds up the others; one shared [`Fetcher`] keeps robots.txt and the per-host delay across
//! sources.

use std::sync::Arc;
use std::time::Duration;

use clap::ValueEnum;
use tokio::sync::watch;
use tokio::task::JoinSet;

use super::AppState;
use super::config::Source;
use super::metrics::SourcePoll;
use crate::advert::{Advert, Kind};
use crate::fetch::{FetchOptions, Fetcher, Outcome, Validators};
use crate::ingest::{self, DefaultId, Format};

/// What one poll came to.
enum Polled {
    /// New content: adverts stored and records that could not be read.
    New { stored: u64, bad: u64 },
    /// 304 Not Modified.
    Unchanged,
    /// robots.txt forbids the address.
    Disallowed,
}

/// Starts a task per source; they stop when `stop` turns true. Returns the tasks (none when
/// the config has no sources).
pub(super) fn start(
    state: Arc<AppState>,
    stop: watch::Receiver<bool>,
) -> Result<JoinSet<()>, String> {
    let mut tasks = JoinSet::new();
    if state.config.sources.is_empty() {
        return Ok(tasks);
    }
    let watch = &state.config.watch;
    let fetcher = Arc::new(
        Fetcher::new(FetchOptions {
            contact: watch.contact.clone(),
            min_delay: watch.min_delay,
            timeout: watch.timeout,
            robots_ttl: watch.robots_ttl,
        })
        .map_err(|e| e.to_string())?,
    );
    for source in state.config.sources.clone() {
        tracing::info!(source = %source.name, url = %source.url, every = ?source.every, "watching");
        tasks.spawn(poll_loop(
            state.clone(),
            fetcher.clone(),
            source,
            stop.clone(),
        ));
    }
    Ok(tasks)
}

/// Polls one source until stopped.
async fn poll_loop(
    state: Arc<AppState>,
    fetcher: Arc<Fetcher>,
    source: Source,
    mut stop: watch::Receiver<bool>,
) {
    let mut since = Validators::default();
    let mut failures: u32 = 0;
    // Nothing is fetched before the index is open: what is read must be storable.
    while state.store().is_err() {
        tokio::select! {
            _ = stop.changed() => return,
            () = tokio::time::sleep(Duration::from_millis(50)) => {}
        }
    }
    loop {
        let result = tokio::select! {
            _ = stop.changed() => return,
            result = poll(&state, &fetcher, &source, &mut since) => result,
        };
        let (outcome, adverts, bad) = match &result {
            Ok(Polled::New { stored, bad }) => ("new", *stored, *bad),
            Ok(Polled::Unchanged) => ("unchanged", 0, 0),
            Ok(Polled::Disallowed) => ("disallowed", 0, 0),
            Err(_) => ("failed", 0, 0),
        };
        let next = match result {
            Ok(_) => {
                failures = 0;
                source.every
            }
            Err(e) => {
                failures = failures.saturating_add(1);
                let wait = backoff(source.every, failures, state.config.watch.backoff_max);
                tracing::warn!(source = %source.name, error = %e, failures, retry_in = ?wait, "poll failed");
                wait
            }
        };
        if adverts > 0 || bad > 0 {
            tracing::info!(source = %source.name, adverts, bad, "source read");
        }
        state.metrics.polled(&SourcePoll {
            source: &source.name,
            outcome,
            adverts,
            bad,
            failures,
            next,
        });
        tokio::select! {
            _ = stop.changed() => return,
            () = tokio::time::sleep(next) => {}
        }
    }
}

/// The wait after `failures` failures in a row: `every` doubled for each, at most `max` (and
/// never less than `every`).
pub(super) fn backoff(every: Duration, failures: u32, max: Duration) -> Duration {
    let factor = 2u32.saturating_pow(failures.min(20));
    every.saturating_mul(factor).min(max.max(every))
}

/// Fetches a source once and stores what it holds.
async fn poll(
    state: &Arc<AppState>,
    fetcher: &Fetcher,
    source: &Source,
    since: &mut Validators,
) -> Result<Polled, String> {
    let fetched = match fetcher
        .fetch(&source.url, since)
        .await
        .map_err(|e| e.to_string())?
    {
        Outcome::Fetched(f) => f,
        Outcome::NotModified => return Ok(Polled::Unchanged),
        Outcome::Disallowed => return Ok(Polled::Disallowed),
    };
    let format = source
        .format
        .as_deref()
        .and_then(|f| Format::from_str(f, true).ok())
        .unwrap_or_else(|| fetched.format());
    let kind = source.kind.as_deref().and_then(Kind::parse);
    let name = source.name.clone();
    let url = fetched.url.clone();
    let body = fetched.body;
    let (adverts, bad) =
        tokio::task::spawn_blocking(move || read(&body, format, &url, &name, kind))
            .await
            .map_err(|e| e.to_string())??;
    if let Some(first) = bad.first() {
        tracing::warn!(source = %source.name, bad = bad.len(), first = %first, "records skipped");
    }
    let store = state.store().map_err(|e| e.to_string())?;
    let engine = state.engine.load_full();
    let stored = adverts.len() as u64;
    if !adverts.is_empty() {
        let screened =
            tokio::task::spawn_blocking(move || super::routes::screen_all(&engine, adverts))
                .await
                .map_err(|e| e.to_string())?
                .map_err(|e| e.to_string())?;
        for (_, report) in &screened {
            state.metrics.screened(report);
        }
        store
            .submit(screened)
            .await
            .map_err(|e| e.to_string())?
            .wait()
            .await
            .map_err(|e| e.to_string())?;
        state.metrics.stored(stored);
    }
    // Validators are kept only once what they describe is stored.
    *since = fetched.validators;
    Ok(Polled::New {
        stored,
        bad: bad.len() as u64,
    })
}

/// Reads the adverts of an answer, named after the source; items without an id of their own are
/// named by their content, so an item read again keeps its name. An answer that cannot be read
/// at all (a feed that is no feed) is an error, as a failed fetch is.
fn read(
    body: &[u8],
    format: Format,
    url: &str,
    source: &str,
    kind: Option<Kind>,
) -> Result<(Vec<Advert>, Vec<String>), String> {
    let mut adverts = Vec::new();
    let mut bad = Vec::new();
    let ids = DefaultId::Computed(&super::routes::content_id);
    let result = ingest::read_from(body, format, ids, Some(url), |record| match record {
        Ok(mut advert) => {
            // An id that only the source knows ("123", a feed's own guid) is named after the
            // source, so two sources cannot overwrite each other's adverts.
            if !is_global(&advert.id) {
                advert.id = format!("{source}:{}", advert.id);
            }
            advert.source = Some(source.to_string());
            if kind.is_some() {
                advert.kind = kind;
            }
            adverts.push(advert);
        }
        Err(e) => bad.push(e.to_string()),
    });
    match result {
        Ok(()) => Ok((adverts, bad)),
        Err(e) => Err(format!(
            "{url} cannot be read as {}: {e}",
            format.describe()
        )),
    }
}

/// Whether an id names its advert anywhere: an address or a URN, or a content hash.
fn is_global(id: &str) -> bool {
    let lower = id.get(..8).unwrap_or(id).to_ascii_lowercase();
    lower.starts_with("http://")
        || lower.starts_with("https://")
        || lower.starts_with("urn:")
        || lower.starts_with("tag:")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_doubles_with_each_failure_up_to_the_limit() {
        let s = Duration::from_secs;
        assert_eq!(backoff(s(60), 1, s(3600)), s(120));
        assert_eq!(backoff(s(60), 3, s(3600)), s(480));
        assert_eq!(backoff(s(60), 10, s(3600)), s(3600));
        assert_eq!(backoff(s(60), u32::MAX, s(3600)), s(3600));
        // A limit below the interval never polls more often than the interval.
        assert_eq!(backoff(s(600), 2, s(60)), s(600));
    }

    #[test]
    fn ids_only_a_source_knows_are_named_after_it() {
        let feed = "<rss version=\"2.0\"><channel><title>T</title>\
            <item><guid isPermaLink=\"false\">123</guid><title>A</title><description>Darbs</description></item>\
            <item><guid>https://example.lv/7</guid><title>B</title><description>Darbs</description></item>\
            </channel></rss>";
        let (adverts, bad) = read(
            feed.as_bytes(),
            Format::Rss,
            "https://example.lv/rss",
            "darbi",
            None,
        )
        .expect("read");
        assert!(bad.is_empty());
        let ids: Vec<&str> = adverts.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(ids, ["darbi:123", "https://example.lv/7"]);
        assert!(adverts.iter().all(|a| a.source.as_deref() == Some("darbi")));
    }
}
