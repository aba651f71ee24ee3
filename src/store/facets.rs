//! Facet counts of a search: adverts per level, indicator, language and kind over every match.
//!
//! Each facet field is a string fast field, stored per segment as term ordinals. The collector
//! counts ordinals in a plain array per segment (one add per value) and turns only the ordinals
//! it saw into strings, once per segment. This is what tantivy's terms aggregation computes for
//! such small fields, without its per-document bucket maps.

use std::collections::BTreeMap;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Cardinality, StrColumn};
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader, TantivyError};

use super::search::Facets;

/// The facet fields, in the order of [`Facets`]' members.
const FIELDS: [&str; 4] = ["level", "indicators", "language", "kind"];

/// Counts the values of the facet fields over the matching documents.
#[derive(Debug, Default, Clone, Copy)]
pub struct FacetCollector;

/// Documents are counted in blocks of this many: columns read a block faster than a document
/// at a time.
const BLOCK: usize = 256;

/// Counts of one segment.
pub struct SegmentFacets {
    columns: Vec<Option<Counted>>,
    /// Documents collected one at a time, not yet counted.
    pending: Vec<DocId>,
    /// Scratch: the rows of a block's values, the documents they belong to, and the values.
    rows: Vec<u32>,
    row_docs: Vec<DocId>,
    ords: Vec<u64>,
}

struct Counted {
    column: StrColumn,
    /// One value per document: its rows are the documents.
    single: bool,
    counts: Vec<u64>,
}

/// The counts of one segment by value, or why a value could not be read.
type SegmentFruit = Result<[BTreeMap<String, u64>; 4], String>;

impl Collector for FacetCollector {
    type Fruit = Facets;
    type Child = SegmentFacets;

    fn for_segment(
        &self,
        _segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentFacets> {
        let columns = FIELDS
            .iter()
            .map(|name| {
                let column = reader.fast_fields().str(name)?;
                Ok(column.map(|column| Counted {
                    single: column.ords().get_cardinality() == Cardinality::Full,
                    counts: vec![0; column.dictionary().num_terms()],
                    column,
                }))
            })
            .collect::<tantivy::Result<_>>()?;
        Ok(SegmentFacets {
            columns,
            pending: Vec::with_capacity(BLOCK),
            rows: Vec::new(),
            row_docs: Vec::new(),
            ords: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<SegmentFruit>) -> tantivy::Result<Facets> {
        let mut total: [BTreeMap<String, u64>; 4] = Default::default();
        for fruit in fruits {
            let fruit = fruit.map_err(TantivyError::InternalError)?;
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
        self.pending.push(doc);
        if self.pending.len() == BLOCK {
            let pending = std::mem::take(&mut self.pending);
            self.collect_block(&pending);
            self.pending = pending;
            self.pending.clear();
        }
    }

    fn collect_block(&mut self, docs: &[DocId]) {
        for c in self.columns.iter_mut().flatten() {
            let column = c.column.ords();
            let rows: &[u32] = if c.single {
                docs
            } else {
                self.rows.clear();
                self.row_docs.clear();
                column.row_ids_for_docs(docs, &mut self.row_docs, &mut self.rows);
                &self.rows
            };
            self.ords.clear();
            self.ords.resize(rows.len(), 0);
            column.values.get_vals(rows, &mut self.ords);
            for &ord in &self.ords {
                add(&mut c.counts, ord);
            }
        }
    }

    fn harvest(mut self) -> SegmentFruit {
        let pending = std::mem::take(&mut self.pending);
        self.collect_block(&pending);
        let mut out: [BTreeMap<String, u64>; 4] = Default::default();
        for (into, c) in out.iter_mut().zip(&self.columns) {
            let Some(c) = c else { continue };
            for (ord, &n) in c.counts.iter().enumerate().filter(|(_, n)| **n > 0) {
                let mut value = String::new();
                match c.column.ord_to_str(ord as u64, &mut value) {
                    Ok(true) => *into.entry(value).or_default() += n,
                    Ok(false) => return Err(format!("facet term {ord} is not in the dictionary")),
                    Err(e) => return Err(format!("reading a facet term: {e}")),
                }
            }
        }
        Ok(out)
    }
}

fn add(counts: &mut [u64], ord: u64) {
    if let Some(n) = usize::try_from(ord).ok().and_then(|i| counts.get_mut(i)) {
        *n += 1;
    }
}
