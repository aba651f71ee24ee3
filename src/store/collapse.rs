//! Collapsing near-duplicates: the best match of each group, in the order of the search.
//!
//! A collapsed page first looks at the first hits of the search; when reposts fill them and
//! the page still lacks distinct groups, one more pass over the matches keeps the best match
//! of each group ([`GroupBest`]), instead of asking for more and more first hits.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::sync::Arc;

use rustc_hash::FxHashMap;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};

use super::segment_cache::{Decode, SegmentCache};
use super::sort::{Key, SortCache, SortKeys};

/// The near-duplicate groups of one segment's documents, decoded once from the `group` fast
/// field: turning a term ordinal into its string is the costly part of collapsing.
#[derive(Debug)]
pub struct SegmentGroups {
    /// Per document, the ordinal of its group (`u32::MAX` for none).
    ords: Vec<u32>,
    /// The group of each ordinal.
    names: Vec<Box<str>>,
}

impl Decode for SegmentGroups {
    fn decode(reader: &SegmentReader) -> tantivy::Result<SegmentGroups> {
        let Some(column) = reader.fast_fields().str("group")? else {
            return Ok(SegmentGroups {
                ords: Vec::new(),
                names: Vec::new(),
            });
        };
        let count = column.dictionary().num_terms();
        let mut names = Vec::with_capacity(count);
        let mut name = String::new();
        for ord in 0..count as u64 {
            name.clear();
            column.ord_to_str(ord, &mut name)?;
            names.push(name.as_str().into());
        }
        let ords = (0..reader.max_doc())
            .map(|doc| {
                column
                    .term_ords(doc)
                    .next()
                    .and_then(|o| u32::try_from(o).ok())
                    .unwrap_or(u32::MAX)
            })
            .collect();
        Ok(SegmentGroups { ords, names })
    }
}

impl SegmentGroups {
    /// The group ordinal of a document (`u32::MAX` for none).
    fn ord(&self, doc: DocId) -> u32 {
        self.ords.get(doc as usize).copied().unwrap_or(u32::MAX)
    }

    /// The group of an ordinal ("" for none).
    fn name(&self, ord: u32) -> &str {
        self.names.get(ord as usize).map_or("", |n| n)
    }

    /// The group of a document ("" when it has none).
    pub fn group(&self, doc: DocId) -> &str {
        self.name(self.ord(doc))
    }
}

/// The decoded groups of the segments searches have met.
pub type GroupCache = SegmentCache<SegmentGroups>;

/// A match's place in the order of a search: the sort value (score or date), else the relevance
/// score; the higher first, and on a tie the lower address, as tantivy orders hits.
#[derive(Debug, Clone, Copy)]
pub struct Rank {
    value: i64,
    relevance: Score,
    address: DocAddress,
}

/// `Less` when `a` comes before `b`.
fn first(a: &Rank, b: &Rank) -> Ordering {
    b.value
        .cmp(&a.value)
        .then(
            b.relevance
                .partial_cmp(&a.relevance)
                .unwrap_or(Ordering::Equal),
        )
        .then(a.address.cmp(&b.address))
}

/// Collects the best match of each near-duplicate group, and gives the ones at `skip..skip +
/// take` in the order of the search.
pub struct GroupBest<'a> {
    /// Where decoded groups are kept between searches.
    pub groups: &'a GroupCache,
    /// Where decoded sort values are kept between searches.
    pub sort: &'a SortCache,
    /// The order: by this sort value, or by relevance when `None`.
    pub key: Option<Key>,
    /// Groups to skip.
    pub skip: usize,
    /// Groups to give.
    pub take: usize,
}

/// The best match of each group in one segment.
pub struct SegmentGroupBest {
    groups: Arc<SegmentGroups>,
    keys: Option<(Arc<SortKeys>, Key)>,
    segment: SegmentOrdinal,
    /// By group ordinal (`u32::MAX` for none).
    best: FxHashMap<u32, Rank>,
}

impl Collector for GroupBest<'_> {
    type Fruit = Vec<DocAddress>;
    type Child = SegmentGroupBest;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentGroupBest> {
        let keys = match self.key {
            Some(key) => Some((self.sort.get(reader)?, key)),
            None => None,
        };
        Ok(SegmentGroupBest {
            groups: self.groups.get(reader)?,
            keys,
            segment,
            best: FxHashMap::default(),
        })
    }

    fn requires_scoring(&self) -> bool {
        self.key.is_none()
    }

    fn merge_fruits(
        &self,
        fruits: Vec<(Arc<SegmentGroups>, Vec<(u32, Rank)>)>,
    ) -> tantivy::Result<Vec<DocAddress>> {
        // The same group has other ordinals in other segments: merged by name.
        let mut best: HashMap<&str, Rank> = HashMap::new();
        for (groups, ranks) in &fruits {
            for (ord, rank) in ranks {
                let name = groups.name(*ord);
                best.entry(name)
                    .and_modify(|b| {
                        if first(rank, b) == Ordering::Less {
                            *b = *rank;
                        }
                    })
                    .or_insert(*rank);
            }
        }
        let mut ranks: Vec<Rank> = best.into_values().collect();
        let end = self.skip.saturating_add(self.take).min(ranks.len());
        if end < ranks.len() {
            ranks.select_nth_unstable_by(end, first);
            ranks.truncate(end);
        }
        ranks.sort_unstable_by(first);
        Ok(ranks
            .into_iter()
            .skip(self.skip)
            .map(|r| r.address)
            .collect())
    }
}

impl SegmentCollector for SegmentGroupBest {
    type Fruit = (Arc<SegmentGroups>, Vec<(u32, Rank)>);

    fn collect(&mut self, doc: DocId, score: Score) {
        let (value, relevance) = match &self.keys {
            Some((keys, key)) => (keys.value(*key, doc), 0.0),
            None => (0, score),
        };
        let rank = Rank {
            value,
            relevance,
            address: DocAddress::new(self.segment, doc),
        };
        self.best
            .entry(self.groups.ord(doc))
            .and_modify(|b| {
                if first(&rank, b) == Ordering::Less {
                    *b = rank;
                }
            })
            .or_insert(rank);
    }

    fn harvest(self) -> Self::Fruit {
        (self.groups, self.best.into_iter().collect())
    }
}
