//! The review queue's order (`sort=priority`): the adverts that most need a person's eyes
//! first. In order of importance: more strong signs; more signs; a larger contact cluster (the
//! most adverts sharing one of its phone numbers, e-mails or handles); a larger repost group;
//! a higher score; newer; and the id, so that no two adverts tie.

use std::cmp::Reverse;
use std::collections::HashSet;

use tantivy::collector::DocSetCollector;
use tantivy::query::Query;
use tantivy::{DocAddress, Searcher, Term};

use super::facets::FacetCache;
use super::filter::{FacetFilter, Filtered};
use super::{Fields, StoreError, contacts_of, load, parse_date};

/// Most matches a priority order ranks: the queue is meant to be filtered (`review=new`,
/// flagged levels).
pub const MAX_RANKED: usize = 20_000;

/// What an advert's place in the queue depends on, most important first.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Priority {
    /// Distinct strong signs.
    pub strong: usize,
    /// Distinct signs.
    pub signs: usize,
    /// Adverts sharing its most shared contact.
    pub cluster: u64,
    /// Adverts in its repost group.
    pub group: u64,
    /// Risk score.
    pub score: u8,
    /// Posting date (storing date without one), seconds.
    pub date: i64,
}

/// Every match of `query` that passes `filter`, in priority order.
pub fn order(
    searcher: &Searcher,
    f: Fields,
    cache: &FacetCache,
    query: &dyn Query,
    filter: &FacetFilter,
    strong: &HashSet<String>,
) -> Result<Vec<DocAddress>, StoreError> {
    let matches = searcher.search(
        query,
        &Filtered {
            cache,
            filter,
            inner: DocSetCollector,
        },
    )?;
    if matches.len() > MAX_RANKED {
        return Err(StoreError::BadQuery(format!(
            "sort=priority ranks at most {MAX_RANKED} adverts and this search finds {}: narrow it \
             (review=new, level=high,medium, dates)",
            matches.len()
        )));
    }
    let mut ranked: Vec<(Reverse<Priority>, String, DocAddress)> =
        Vec::with_capacity(matches.len());
    for address in matches {
        let stored = load(searcher, f, address)?;
        let mut signs: Vec<&str> = Vec::new();
        for r in stored.report.reasons.iter().filter(|r| r.weight > 0) {
            if r.indicator != "classifier" && !signs.contains(&r.indicator.as_str()) {
                signs.push(&r.indicator);
            }
        }
        let mut cluster = 0;
        for c in contacts_of(&stored.report.entities) {
            cluster = cluster.max(searcher.doc_freq(&Term::from_field_text(f.contacts, &c.key))?);
        }
        let date = stored
            .advert
            .posted_at
            .as_deref()
            .and_then(|d| parse_date(d).ok())
            .or_else(|| parse_date(&stored.stored_at).ok())
            .map_or(0, |d| d.into_timestamp_secs());
        let priority = Priority {
            strong: signs.iter().filter(|s| strong.contains(**s)).count(),
            signs: signs.len(),
            cluster,
            group: searcher.doc_freq(&Term::from_field_text(f.group, &stored.group))?,
            score: stored.report.score,
            date,
        };
        ranked.push((Reverse(priority), stored.advert.id, address));
    }
    ranked.sort();
    Ok(ranked.into_iter().map(|(_, _, a)| a).collect())
}
