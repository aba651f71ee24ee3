//! Facet counts of a search: adverts per level, indicator, language and kind over every match.
//!
//! Each facet field is a string fast field, stored per segment as term ordinals. Each segment's
//! ordinals are decoded once ([`FacetCache`]) into two numbers per document: its combination of
//! level, language and kind (a few dozen exist), and its set of indicators (a few thousand).
//! Counting a match is an add for each, and only the combinations and sets met are spread over
//! the fields and turned into strings, once per segment.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, PoisonError};

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::StrColumn;
use tantivy::{DocId, Score, Searcher, SegmentOrdinal, SegmentReader};

use super::search::Facets;
use super::segment_cache::{Decode, SegmentCache};

/// The facet fields, in the order of [`Facets`]' members.
const FIELDS: [&str; 4] = ["level", "indicators", "language", "kind"];

/// The fields numbered together (indexes into [`FIELDS`]): level, language and kind have few
/// values each, so their combinations are few; the indicators' sets are many, and apart.
const GROUPS: [&[usize]; 2] = [&[0, 2, 3], &[1]];

/// Ends the ordinals of one field in a combination.
const END_OF_FIELD: u32 = u32::MAX;

/// The decoded facet values of the segments searches have met.
pub type FacetCache = SegmentCache<SegmentCodes>;

/// One segment's facet values: the string of each ordinal of each field and, for each group of
/// fields, the combinations of ordinals documents have and the combination of each document.
#[derive(Debug)]
pub struct SegmentCodes {
    /// Per field, the string of each ordinal.
    terms: [Vec<String>; 4],
    /// Per group of [`GROUPS`].
    groups: [Combinations; 2],
    /// The counts over every living document, with the number of deleted documents they were
    /// counted at (a segment's deletions only grow, so an equal number means the same ones).
    everything: Mutex<Option<(u32, Arc<SegmentFruit>)>>,
}

/// The combinations of one group of fields.
#[derive(Debug, Default)]
struct Combinations {
    /// Per combination, the ordinals of the group's fields, each field's ended by
    /// [`END_OF_FIELD`].
    ords: Vec<Box<[u32]>>,
    /// Per document, its combination.
    docs: Vec<u32>,
}

impl Decode for SegmentCodes {
    fn decode(reader: &SegmentReader) -> tantivy::Result<SegmentCodes> {
        let mut terms: [Vec<String>; 4] = Default::default();
        let mut columns = Vec::with_capacity(FIELDS.len());
        for (terms, name) in terms.iter_mut().zip(FIELDS) {
            let column = reader.fast_fields().str(name)?;
            if let Some(column) = &column {
                *terms = terms_of(column)?;
            }
            columns.push(column);
        }
        let mut groups: [Combinations; 2] = Default::default();
        for (group, fields) in groups.iter_mut().zip(GROUPS) {
            let columns: Vec<Option<&StrColumn>> = fields
                .iter()
                .map(|&f| columns.get(f).and_then(Option::as_ref))
                .collect();
            *group = Combinations::decode(&columns, reader.max_doc())?;
        }
        Ok(SegmentCodes {
            terms,
            groups,
            everything: Mutex::new(None),
        })
    }
}

impl Combinations {
    fn decode(columns: &[Option<&StrColumn>], max_doc: DocId) -> tantivy::Result<Combinations> {
        let too_many = || tantivy::TantivyError::InternalError("too many facet values".into());
        let mut numbers: HashMap<Box<[u32]>, u32> = HashMap::new();
        let mut ords = Vec::new();
        let mut docs = Vec::with_capacity(max_doc as usize);
        let mut key = Vec::new();
        for doc in 0..max_doc {
            key.clear();
            for column in columns {
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
                    let n = u32::try_from(ords.len()).map_err(|_| too_many())?;
                    let owned: Box<[u32]> = key.as_slice().into();
                    ords.push(owned.clone());
                    numbers.insert(owned, n);
                    n
                }
            };
            docs.push(number);
        }
        Ok(Combinations { ords, docs })
    }

    /// Per combination, whether it has, in every field of `fields` where `any_of` lists
    /// values, one of them; `None` when no field of the group lists any.
    fn with(
        &self,
        fields: &[usize],
        any_of: &[Vec<&str>; 4],
        terms: &[Vec<String>; 4],
    ) -> Option<Vec<bool>> {
        // The ordinals of the values asked for, per field of the group; `None` where any value
        // will do.
        let wanted: Vec<Option<Vec<u32>>> = fields
            .iter()
            .map(|&f| {
                let values = any_of.get(f).filter(|v| !v.is_empty())?;
                let terms = terms.get(f)?;
                Some(
                    (0..)
                        .zip(terms)
                        .filter(|(_, t)| values.contains(&t.as_str()))
                        .map(|(o, _)| o)
                        .collect(),
                )
            })
            .collect();
        if wanted.iter().all(Option::is_none) {
            return None;
        }
        Some(
            self.ords
                .iter()
                .map(|combination| {
                    let mut has = vec![false; wanted.len()];
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
                .collect(),
        )
    }
}

/// Which documents of a segment pass a filter: per group of fields, whether each combination
/// passes (`None`: every one does).
#[derive(Debug)]
pub struct Passing {
    groups: [Option<Vec<bool>>; 2],
}

impl SegmentCodes {
    /// Which documents have, in every field where `any_of` lists values, one of them (fields
    /// in the order of [`Facets`]' members).
    pub(super) fn passing(&self, any_of: &[Vec<&str>; 4]) -> Passing {
        let mut groups: [Option<Vec<bool>>; 2] = Default::default();
        for ((pass, group), fields) in groups.iter_mut().zip(&self.groups).zip(GROUPS) {
            *pass = group.with(fields, any_of, &self.terms);
        }
        Passing { groups }
    }

    /// Whether a document passes.
    pub(super) fn passes(&self, passing: &Passing, doc: DocId) -> bool {
        self.groups
            .iter()
            .zip(&passing.groups)
            .all(|(group, pass)| match pass {
                None => true,
                Some(pass) => group
                    .docs
                    .get(doc as usize)
                    .and_then(|&c| pass.get(c as usize))
                    .is_some_and(|p| *p),
            })
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

/// Facet counts over every living document of the searcher: what [`FacetCollector`] counts for
/// a search that matches everything, kept per segment until its deletions change.
pub fn facets_of_everything(searcher: &Searcher, cache: &FacetCache) -> tantivy::Result<Facets> {
    let collector = FacetCollector { cache };
    let mut fruits = Vec::new();
    for (segment, reader) in (0..).zip(searcher.segment_readers()) {
        let codes = cache.get(reader)?;
        let deleted = reader.num_deleted_docs();
        let mut memo = codes
            .everything
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let fruit = match &*memo {
            Some((counted_at, fruit)) if *counted_at == deleted => fruit.clone(),
            _ => {
                let mut counts = collector.for_segment(segment, reader)?;
                let alive = reader.alive_bitset();
                for doc in 0..reader.max_doc() {
                    if alive.is_none_or(|a| a.is_alive(doc)) {
                        counts.count(doc);
                    }
                }
                let fruit = Arc::new(counts.harvest());
                *memo = Some((deleted, fruit.clone()));
                fruit
            }
        };
        fruits.push(SegmentFruit::clone(&fruit));
    }
    collector.merge_fruits(fruits)
}

/// Counts the values of the facet fields over the matching documents.
#[derive(Debug, Clone, Copy)]
pub struct FacetCollector<'a> {
    /// Where decoded segments are kept between searches.
    pub cache: &'a FacetCache,
}

/// Counts of one segment: matches per combination of each group.
pub struct SegmentFacets {
    codes: Arc<SegmentCodes>,
    counts: [Vec<u64>; 2],
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
        let counts = std::array::from_fn(|g| vec![0; codes.groups[g].ords.len()]);
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
            review: BTreeMap::new(),
        })
    }
}

impl SegmentFacets {
    fn count(&mut self, doc: DocId) {
        for (group, counts) in self.codes.groups.iter().zip(self.counts.iter_mut()) {
            if let Some(n) = group
                .docs
                .get(doc as usize)
                .and_then(|&c| counts.get_mut(c as usize))
            {
                *n += 1;
            }
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
        let mut per_ord: [Vec<u64>; 4] = std::array::from_fn(|f| vec![0; codes.terms[f].len()]);
        for ((group, counts), fields) in codes.groups.iter().zip(&self.counts).zip(GROUPS) {
            for (combination, &n) in group.ords.iter().zip(counts) {
                if n == 0 {
                    continue;
                }
                let mut field = 0;
                for &o in combination.iter() {
                    if o == END_OF_FIELD {
                        field += 1;
                    } else if let Some(count) = fields
                        .get(field)
                        .and_then(|&f| per_ord.get_mut(f))
                        .and_then(|c| c.get_mut(o as usize))
                    {
                        *count += n;
                    }
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
