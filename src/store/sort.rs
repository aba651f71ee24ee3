//! The first hits of a search by risk score or by date, read from per-segment arrays decoded
//! once ([`SortCache`]) instead of the compressed fast-field columns for every match.
//!
//! The order is tantivy's for `TopDocs::order_by_fast_field` with `Order::Desc`: the highest
//! value first, and on a tie the lower document address (segment, then document) first.

use std::sync::OnceLock;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::{DocAddress, DocId, Score, Searcher, SegmentOrdinal, SegmentReader};

use super::segment_cache::{Decode, SegmentCache};

/// The sort values of one segment's documents.
#[derive(Debug)]
pub struct SortKeys {
    /// Risk score (0-100).
    score: Vec<u8>,
    /// Posting or storing date, in nanoseconds since the epoch.
    date: Vec<i64>,
    /// Every document, best first by score; sorted when first asked for.
    by_score: OnceLock<Vec<DocId>>,
    /// Every document, best first by date; sorted when first asked for.
    by_date: OnceLock<Vec<DocId>>,
}

/// The sort values of the segments searches have met.
pub type SortCache = SegmentCache<SortKeys>;

impl Decode for SortKeys {
    fn decode(reader: &SegmentReader) -> tantivy::Result<SortKeys> {
        let docs = 0..reader.max_doc();
        let score = reader.fast_fields().u64("score")?;
        let date = reader.fast_fields().date("date")?;
        Ok(SortKeys {
            // Scores are stored from a `u8`; a document without one sorts as 0, as in tantivy.
            score: docs
                .clone()
                .map(|d| u8::try_from(score.first(d).unwrap_or(0)).unwrap_or(u8::MAX))
                .collect(),
            date: docs
                .map(|d| date.first(d).unwrap_or_default().into_timestamp_nanos())
                .collect(),
            by_score: OnceLock::new(),
            by_date: OnceLock::new(),
        })
    }
}

/// Tantivy's order for a descending sort: the higher value first, then the lower address (a
/// document id within a segment, a [`DocAddress`] across segments).
fn best_first<T: Ord>(a: &(i64, T), b: &(i64, T)) -> std::cmp::Ordering {
    b.0.cmp(&a.0).then(a.1.cmp(&b.1))
}

/// What the hits are ordered by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    /// Highest risk score first.
    Score,
    /// Newest first.
    Date,
}

/// Collects the addresses of the first `n` matches by `key` (at least one).
#[derive(Debug, Clone, Copy)]
pub struct TopBy<'a> {
    /// Where decoded segments are kept between searches.
    pub cache: &'a SortCache,
    /// The order.
    pub key: Key,
    /// How many.
    pub n: usize,
}

/// The best matches of one segment so far.
pub struct SegmentTop {
    keys: std::sync::Arc<SortKeys>,
    key: Key,
    n: usize,
    segment: SegmentOrdinal,
    /// Candidates (value, document); pruned to the best `n` whenever it reaches `2 n`.
    best: Vec<(i64, DocId)>,
    /// The value of the `n`th best once pruned: a later document (a higher id) with a value
    /// no higher cannot enter.
    floor: Option<i64>,
}

impl SortKeys {
    /// The value of a document by which `key` orders it.
    pub fn value(&self, key: Key, doc: DocId) -> i64 {
        let doc = doc as usize;
        match key {
            Key::Score => self.score.get(doc).map_or(0, |&s| i64::from(s)),
            Key::Date => self.date.get(doc).copied().unwrap_or(0),
        }
    }

    /// Every document of the segment in the order of `key`: the higher value first, on a tie
    /// the lower document.
    fn ordered(&self, key: Key) -> &[DocId] {
        let cell = match key {
            Key::Score => &self.by_score,
            Key::Date => &self.by_date,
        };
        cell.get_or_init(|| {
            let count = u32::try_from(self.score.len()).unwrap_or(u32::MAX);
            let mut docs: Vec<DocId> = (0..count).collect();
            docs.sort_by(|&a, &b| self.value(key, b).cmp(&self.value(key, a)).then(a.cmp(&b)));
            docs
        })
    }
}

/// The first `n` of every living document of the searcher (at least one), in the order of
/// `key`: what [`TopBy`] collects from a search that matches everything, read from each
/// segment's documents sorted once instead of from every match.
pub fn top_of_everything(
    searcher: &Searcher,
    cache: &SortCache,
    key: Key,
    n: usize,
) -> tantivy::Result<Vec<DocAddress>> {
    let n = n.max(1);
    let mut best = Vec::new();
    for (segment, reader) in (0..).zip(searcher.segment_readers()) {
        let keys = cache.get(reader)?;
        let alive = reader.alive_bitset();
        best.extend(
            keys.ordered(key)
                .iter()
                .copied()
                .filter(|&d| alive.is_none_or(|a| a.is_alive(d)))
                .take(n)
                .map(|d| (keys.value(key, d), DocAddress::new(segment, d))),
        );
    }
    best.sort_unstable_by(best_first);
    best.truncate(n);
    Ok(best.into_iter().map(|(_, a)| a).collect())
}

impl SegmentTop {
    fn value(&self, doc: DocId) -> i64 {
        self.keys.value(self.key, doc)
    }

    /// Keeps the best `n` candidates.
    fn prune(&mut self) {
        self.best.sort_unstable_by(best_first);
        self.best.truncate(self.n);
        if self.best.len() == self.n {
            self.floor = self.best.last().map(|b| b.0);
        }
    }
}

impl Collector for TopBy<'_> {
    type Fruit = Vec<DocAddress>;
    type Child = SegmentTop;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentTop> {
        Ok(SegmentTop {
            keys: self.cache.get(reader)?,
            key: self.key,
            n: self.n.max(1),
            segment,
            best: Vec::new(),
            floor: None,
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(
        &self,
        fruits: Vec<Vec<(i64, DocAddress)>>,
    ) -> tantivy::Result<Vec<DocAddress>> {
        let mut all: Vec<(i64, DocAddress)> = fruits.into_iter().flatten().collect();
        all.sort_unstable_by(best_first);
        all.truncate(self.n.max(1));
        Ok(all.into_iter().map(|(_, a)| a).collect())
    }
}

impl SegmentCollector for SegmentTop {
    type Fruit = Vec<(i64, DocAddress)>;

    fn collect(&mut self, doc: DocId, _score: Score) {
        let value = self.value(doc);
        if self.floor.is_some_and(|floor| value <= floor) {
            return;
        }
        self.best.push((value, doc));
        if self.best.len() >= self.n.saturating_mul(2) {
            self.prune();
        }
    }

    fn harvest(mut self) -> Self::Fruit {
        self.prune();
        let segment = self.segment;
        self.best
            .into_iter()
            .map(|(value, doc)| (value, DocAddress::new(segment, doc)))
            .collect()
    }
}
