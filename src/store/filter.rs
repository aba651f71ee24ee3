//! Filters on level, language and kind, applied to matches as they are collected.
//!
//! These fields have a handful of values, each shared by a large part of the adverts. As terms
//! of the query, their long posting lists were intersected and (for several values) merged for
//! every search, which cost more than the rest of it. Here each segment's matches are checked
//! against the facet combinations decoded once per segment ([`FacetCache`]): one look-up per
//! match in a table of a few dozen entries.

use std::sync::Arc;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

use super::facets::{FacetCache, Passing, SegmentCodes};

/// Values a match must have: in every field where some are given, one of them. The fields are
/// those of the facets, in their order (level, indicators, language, kind).
#[derive(Debug, Clone, Default)]
pub struct FacetFilter {
    /// Per field, the values allowed (empty: any).
    pub any_of: [Vec<&'static str>; 4],
}

impl FacetFilter {
    /// Whether every match passes.
    pub fn is_empty(&self) -> bool {
        self.any_of.iter().all(Vec::is_empty)
    }
}

/// Passes to `inner` only the matches that pass `filter`.
pub struct Filtered<'a, C> {
    /// Where decoded segments are kept between searches.
    pub cache: &'a FacetCache,
    /// The values matches must have.
    pub filter: &'a FacetFilter,
    /// The collector of the matches that pass.
    pub inner: C,
}

/// One segment's matches, filtered.
pub struct FilteredSegment<S> {
    /// The segment's facet combinations and which of them pass; `None` when every match
    /// passes.
    pass: Option<(Arc<SegmentCodes>, Passing)>,
    inner: S,
    buffer: Vec<DocId>,
}

impl<S> FilteredSegment<S> {
    fn passes(&self, doc: DocId) -> bool {
        match &self.pass {
            None => true,
            Some((codes, passing)) => codes.passes(passing, doc),
        }
    }
}

impl<C: Collector> Collector for Filtered<'_, C> {
    type Fruit = C::Fruit;
    type Child = FilteredSegment<C::Child>;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<Self::Child> {
        let pass = if self.filter.is_empty() {
            None
        } else {
            let codes = self.cache.get(reader)?;
            let pass = codes.passing(&self.filter.any_of);
            Some((codes, pass))
        };
        Ok(FilteredSegment {
            pass,
            inner: self.inner.for_segment(segment, reader)?,
            buffer: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        self.inner.requires_scoring()
    }

    fn merge_fruits(
        &self,
        fruits: Vec<<C::Child as SegmentCollector>::Fruit>,
    ) -> tantivy::Result<C::Fruit> {
        self.inner.merge_fruits(fruits)
    }
}

impl<S: SegmentCollector> SegmentCollector for FilteredSegment<S> {
    type Fruit = S::Fruit;

    fn collect(&mut self, doc: DocId, score: Score) {
        if self.passes(doc) {
            self.inner.collect(doc, score);
        }
    }

    fn collect_block(&mut self, docs: &[DocId]) {
        if self.pass.is_none() {
            self.inner.collect_block(docs);
            return;
        }
        let mut buffer = std::mem::take(&mut self.buffer);
        buffer.clear();
        buffer.extend(docs.iter().copied().filter(|&d| self.passes(d)));
        self.inner.collect_block(&buffer);
        self.buffer = buffer;
    }

    fn harvest(self) -> S::Fruit {
        self.inner.harvest()
    }
}
