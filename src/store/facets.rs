//! Facet counts of a search: adverts per level, indicator, language and kind over every match.
//!
//! Each facet field is a string fast field, stored per segment as term ordinals. Each segment's
//! ordinals are decoded once ([`FacetCache`]) into one number per document: the document's
//! combination of values of all four fields. Adverts repeat a few hundred combinations, so
//! counting a match is one add, and only the combinations met are spread over the fields and
//! turned into strings, once per segment.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::StrColumn;
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

use super::search::Facets;
use super::segment_cache::{Decode, SegmentCache};

/// The facet fields, in the order of [`Facets`]' members.
const FIELDS: [&str; 4] = ["level", "indicators", "language", "kind"];

/// Ends the ordinals of one field in a combination.
const END_OF_FIELD: u32 = u32::MAX;

/// The decoded facet values of the segments searches have met.
pub type FacetCache = SegmentCache<SegmentCodes>;

/// One segment's facet values: the string of each ordinal of each field, the combinations of
/// ordinals documents have, and the combination of each document.
#[derive(Debug)]
pub struct SegmentCodes {
    /// Per field, the string of each ordinal.
    terms: [Vec<String>; 4],
    /// Per combination, the ordinals of the four fields, each field's ended by [`END_OF_FIELD`].
    combinations: Vec<Box<[u32]>>,
    /// Per document, its combination.
    docs: Vec<u32>,
}

impl Decode for SegmentCodes {
    fn decode(reader: &SegmentReader) -> tantivy::Result<SegmentCodes> {
        let too_many = || tantivy::TantivyError::InternalError("too many facet values".into());
        let mut terms: [Vec<String>; 4] = Default::default();
        let mut columns = Vec::with_capacity(FIELDS.len());
        for (terms, name) in terms.iter_mut().zip(FIELDS) {
            let column = reader.fast_fields().str(name)?;
            if let Some(column) = &column {
                *terms = terms_of(column)?;
            }
            columns.push(column);
        }
        let mut numbers: HashMap<Box<[u32]>, u32> = HashMap::new();
        let mut combinations = Vec::new();
        let mut docs = Vec::with_capacity(reader.max_doc() as usize);
        let mut key = Vec::new();
        for doc in 0..reader.max_doc() {
            key.clear();
            for column in &columns {
                if let Some(column) = column {
                    for o in column.ords().values_for_doc(doc) {
                        key.push(u32::try_from(o).map_err(|_| too_many())?);
                    }
                }
                key.push(END_OF_FIELD);
            }
            let number = match numbers.get(key.as_slice()) {
                Some(&n) => n,
                None => {
                    let n = u32::try_from(combinations.len()).map_err(|_| too_many())?;
                    let owned: Box<[u32]> = key.as_slice().into();
                    combinations.push(owned.clone());
                    numbers.insert(owned, n);
                    n
                }
            };
            docs.push(number);
        }
        Ok(SegmentCodes {
            terms,
            combinations,
            docs,
        })
    }
}

impl SegmentCodes {
    /// The combination of a document.
    pub(super) fn combination(&self, doc: DocId) -> Option<u32> {
        self.docs.get(doc as usize).copied()
    }

    /// Per combination, whether it has, in every field where `any_of` lists values, one of
    /// them (fields in the order of [`Facets`]' members).
    pub(super) fn combinations_with(&self, any_of: &[Vec<&str>; 4]) -> Vec<bool> {
        // The ordinals of the values asked for, per field; `None` where any value will do.
        let wanted: Vec<Option<Vec<u32>>> = any_of
            .iter()
            .zip(&self.terms)
            .map(|(values, terms)| {
                (!values.is_empty()).then(|| {
                    (0..)
                        .zip(terms)
                        .filter(|(_, t)| values.contains(&t.as_str()))
                        .map(|(o, _)| o)
                        .collect()
                })
            })
            .collect();
        self.combinations
            .iter()
            .map(|combination| {
                let mut has = [false; 4];
                let mut field = 0;
                for &o in combination.iter() {
                    if o == END_OF_FIELD {
                        field += 1;
                    } else if let (Some(Some(ords)), Some(h)) =
                        (wanted.get(field), has.get_mut(field))
                    {
                        *h |= ords.contains(&o);
                    }
                }
                wanted.iter().zip(has).all(|(w, h)| w.is_none() || h)
            })
            .collect()
    }
}

/// The string of every ordinal of a column.
fn terms_of(column: &StrColumn) -> tantivy::Result<Vec<String>> {
    let count = column.dictionary().num_terms();
    let mut terms = Vec::with_capacity(count);
    for ord in 0..count as u64 {
        let mut term = String::new();
        column.ord_to_str(ord, &mut term)?;
        terms.push(term);
    }
    Ok(terms)
}

/// Counts the values of the facet fields over the matching documents.
#[derive(Debug, Clone, Copy)]
pub struct FacetCollector<'a> {
    /// Where decoded segments are kept between searches.
    pub cache: &'a FacetCache,
}

/// Counts of one segment: matches per combination.
pub struct SegmentFacets {
    codes: Arc<SegmentCodes>,
    counts: Vec<u64>,
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
        let counts = vec![0; codes.combinations.len()];
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

impl SegmentFacets {
    fn count(&mut self, doc: DocId) {
        if let Some(n) = self
            .codes
            .docs
            .get(doc as usize)
            .and_then(|&c| self.counts.get_mut(c as usize))
        {
            *n += 1;
        }
    }
}

impl SegmentCollector for SegmentFacets {
    type Fruit = SegmentFruit;

    fn collect(&mut self, doc: DocId, _score: Score) {
        self.count(doc);
    }

    fn collect_block(&mut self, docs: &[DocId]) {
        for &doc in docs {
            self.count(doc);
        }
    }

    fn harvest(self) -> SegmentFruit {
        let codes = &self.codes;
        let mut per_ord: [Vec<u64>; 4] = std::array::from_fn(|i| vec![0; codes.terms[i].len()]);
        for (combination, &n) in codes.combinations.iter().zip(&self.counts) {
            if n == 0 {
                continue;
            }
            let mut field = 0;
            for &o in combination.iter() {
                if o == END_OF_FIELD {
                    field += 1;
                } else if let Some(count) =
                    per_ord.get_mut(field).and_then(|c| c.get_mut(o as usize))
                {
                    *count += n;
                }
            }
        }
        let mut out: SegmentFruit = Default::default();
        for ((into, terms), counts) in out.iter_mut().zip(&codes.terms).zip(&per_ord) {
            for (term, &n) in terms.iter().zip(counts).filter(|(_, n)| **n > 0) {
                into.insert(term.clone(), n);
            }
        }
        out
    }
}
