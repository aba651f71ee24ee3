//! Facet counts of a search: adverts per level, indicator, language and kind over every match.
//!
//! Each facet field is a string fast field, stored per segment as term ordinals. Each segment's
//! ordinals are decoded once into plain arrays ([`FacetCache`]), so counting a match is an add
//! per value, and only the ordinals seen are turned into strings, once per segment.

use std::collections::BTreeMap;
use std::sync::Arc;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Cardinality, StrColumn};
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

use super::search::Facets;
use super::segment_cache::{Decode, SegmentCache};

/// The facet fields, in the order of [`Facets`]' members.
const FIELDS: [&str; 4] = ["level", "indicators", "language", "kind"];

/// The decoded facet values of the segments searches have met.
pub type FacetCache = SegmentCache<SegmentCodes>;

/// One segment's facet values: per field, the string of each ordinal and the ordinals of each
/// document.
#[derive(Debug)]
pub struct SegmentCodes {
    fields: [FieldCodes; 4],
}

#[derive(Debug, Default)]
struct FieldCodes {
    terms: Vec<String>,
    ords: Ords,
}

/// The ordinals of every document of a segment.
#[derive(Debug)]
enum Ords {
    /// One value per document, of fewer than 255 ordinals (255 for none): a byte a document
    /// keeps a segment's codes small enough to stay in cache.
    Byte(Vec<u8>),
    /// One value per document (`u32::MAX` for none).
    Single(Vec<u32>),
    /// Any number: document `d` has `ords[starts[d]..starts[d + 1]]`.
    Multi { starts: Vec<u32>, ords: Vec<u32> },
}

impl Default for Ords {
    fn default() -> Ords {
        Ords::Single(Vec::new())
    }
}

impl Decode for SegmentCodes {
    fn decode(reader: &SegmentReader) -> tantivy::Result<SegmentCodes> {
        let mut fields: [FieldCodes; 4] = Default::default();
        for (codes, name) in fields.iter_mut().zip(FIELDS) {
            if let Some(column) = reader.fast_fields().str(name)? {
                *codes = FieldCodes::decode(&column, reader.max_doc())?;
            }
        }
        Ok(SegmentCodes { fields })
    }
}

impl FieldCodes {
    fn decode(column: &StrColumn, max_doc: DocId) -> tantivy::Result<FieldCodes> {
        let too_many = || tantivy::TantivyError::InternalError("too many facet values".into());
        let count = column.dictionary().num_terms();
        let mut terms = Vec::with_capacity(count);
        for ord in 0..count as u64 {
            let mut term = String::new();
            column.ord_to_str(ord, &mut term)?;
            terms.push(term);
        }
        let column = column.ords();
        let ord = |o: u64| u32::try_from(o).map_err(|_| too_many());
        let single = column.get_cardinality() == Cardinality::Full;
        let ords = if single && count < usize::from(u8::MAX) {
            let byte = |o: Option<u64>| o.and_then(|o| u8::try_from(o).ok()).unwrap_or(u8::MAX);
            Ords::Byte((0..max_doc).map(|doc| byte(column.first(doc))).collect())
        } else if single {
            let mut ords = Vec::with_capacity(max_doc as usize);
            for doc in 0..max_doc {
                ords.push(column.first(doc).map_or(Ok(u32::MAX), ord)?);
            }
            Ords::Single(ords)
        } else {
            let mut starts = Vec::with_capacity(max_doc as usize + 1);
            let mut ords = Vec::new();
            for doc in 0..max_doc {
                starts.push(u32::try_from(ords.len()).map_err(|_| too_many())?);
                for o in column.values_for_doc(doc) {
                    ords.push(ord(o)?);
                }
            }
            starts.push(u32::try_from(ords.len()).map_err(|_| too_many())?);
            Ords::Multi { starts, ords }
        };
        Ok(FieldCodes { terms, ords })
    }

    /// Adds one to the count of each value of `doc`.
    fn count(&self, doc: DocId, counts: &mut [u64]) {
        let mut add = |o: u32| {
            if let Some(n) = counts.get_mut(o as usize) {
                *n += 1;
            }
        };
        let doc = doc as usize;
        match &self.ords {
            Ords::Byte(ords) => {
                if let Some(&o) = ords.get(doc) {
                    add(u32::from(o));
                }
            }
            Ords::Single(ords) => {
                if let Some(&o) = ords.get(doc) {
                    add(o);
                }
            }
            Ords::Multi { starts, ords } => {
                if let (Some(&start), Some(&end)) = (starts.get(doc), starts.get(doc + 1)) {
                    for &o in ords.get(start as usize..end as usize).unwrap_or_default() {
                        add(o);
                    }
                }
            }
        }
    }
}

/// Counts the values of the facet fields over the matching documents.
#[derive(Debug, Clone, Copy)]
pub struct FacetCollector<'a> {
    /// Where decoded segments are kept between searches.
    pub cache: &'a FacetCache,
}

/// Counts of one segment.
pub struct SegmentFacets {
    codes: Arc<SegmentCodes>,
    counts: [Vec<u64>; 4],
}

/// The counts of one segment by value.
type SegmentFruit = [BTreeMap<String, u64>; 4];

impl Collector for FacetCollector<'_> {
    type Fruit = Facets;
    type Child = SegmentFacets;

    fn for_segment(
        &self,
        _segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentFacets> {
        let codes = self.cache.get(reader)?;
        let counts = std::array::from_fn(|i| vec![0; codes.fields[i].terms.len()]);
        Ok(SegmentFacets { codes, counts })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<SegmentFruit>) -> tantivy::Result<Facets> {
        let mut total: [BTreeMap<String, u64>; 4] = Default::default();
        for fruit in fruits {
            for (into, from) in total.iter_mut().zip(fruit) {
                for (value, n) in from {
                    *into.entry(value).or_default() += n;
                }
            }
        }
        let [level, indicator, language, kind] = total;
        Ok(Facets {
            level,
            indicator,
            language,
            kind,
        })
    }
}

impl SegmentCollector for SegmentFacets {
    type Fruit = SegmentFruit;

    fn collect(&mut self, doc: DocId, _score: Score) {
        for (codes, counts) in self.codes.fields.iter().zip(self.counts.iter_mut()) {
            codes.count(doc, counts);
        }
    }

    fn collect_block(&mut self, docs: &[DocId]) {
        for (codes, counts) in self.codes.fields.iter().zip(self.counts.iter_mut()) {
            for &doc in docs {
                codes.count(doc, counts);
            }
        }
    }

    fn harvest(self) -> SegmentFruit {
        let mut out: SegmentFruit = Default::default();
        for ((into, codes), counts) in out.iter_mut().zip(&self.codes.fields).zip(&self.counts) {
            for (term, &n) in codes.terms.iter().zip(counts).filter(|(_, n)| **n > 0) {
                into.insert(term.clone(), n);
            }
        }
        out
    }
}
