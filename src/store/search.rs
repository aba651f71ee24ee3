//! Search over the stored adverts: full text (lv/ru/en), filters, sorting, pagination, facet
//! counts and collapsing of near-duplicates.

use std::collections::{BTreeMap, HashSet};
use std::ops::Bound;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use serde::{Deserialize, Serialize};
use tantivy::collector::{Collector, Count, TopDocs};
use tantivy::query::{
    AllQuery, BooleanQuery, Occur, Query, QueryParser, RangeQuery, TermQuery, TermSetQuery,
};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, Index, Searcher, Term};

use super::collapse::{GroupBest, GroupCache, SegmentGroups};
use super::deadline::Deadline;
use super::facets::{FacetCache, FacetCollector, facets_of_everything};
use super::filter::{FacetFilter, Filtered};
use super::review::{Reviews, Status};
use super::sort::{Key, SortCache, TopBy, top_of_everything};
use super::{Fields, StoreError, StoredAdvert, load_hit, parse_date};
use crate::score::Level;

/// Most hits one page may have.
pub const MAX_LIMIT: usize = 200;

/// Longest full-text query, in bytes.
pub const MAX_QUERY_BYTES: usize = 1000;
/// Most words (operators such as `NOT` included) in a full-text query: each costs a pass over
/// its postings, and a phrase of thousands of words takes a core for a minute.
pub const MAX_QUERY_WORDS: usize = 32;
/// Deepest nesting of brackets in a full-text query; the parser recurses once per level.
pub const MAX_QUERY_DEPTH: usize = 8;

/// Whether a query may hold tantivy's term-set syntax: `IN`, optional white space, `[`
/// (anywhere: after a boost such as `^2` the parser reads it as a set too).
fn has_term_set(text: &str) -> bool {
    text.match_indices("IN")
        .any(|(at, _)| text[at + 2..].trim_start().starts_with('['))
}

/// Checks a full-text query against the limits above before it is parsed, so that no query can
/// exhaust the stack or a core; the message says what is allowed.
pub fn check_query(text: &str) -> Result<(), StoreError> {
    let allowed = format!(
        "a query may have at most {MAX_QUERY_BYTES} bytes, {MAX_QUERY_WORDS} words and \
         brackets nested {MAX_QUERY_DEPTH} deep"
    );
    if text.len() > MAX_QUERY_BYTES {
        return Err(StoreError::BadQuery(format!(
            "the query is {} bytes long; {allowed}",
            text.len()
        )));
    }
    let mut depth = 0usize;
    let mut deepest = 0usize;
    let mut operators = 0usize;
    for c in text.chars() {
        match c {
            '(' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            ')' => depth = depth.saturating_sub(1),
            '+' | '-' => operators += 1,
            _ => {}
        }
    }
    if deepest > MAX_QUERY_DEPTH {
        return Err(StoreError::BadQuery(format!(
            "the query nests brackets {deepest} deep; {allowed}"
        )));
    }
    // tantivy's parser loops without end, taking memory until the process dies, on some term
    // sets (`IN [` followed by what it cannot read as a term); found by fuzzing. The set syntax
    // is refused as a whole.
    if has_term_set(text) {
        return Err(StoreError::BadQuery(
            "the query uses the term-set syntax (IN [...]), which is not supported; list the words \
             with OR instead"
                .into(),
        ));
    }
    let words = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .count();
    if words > MAX_QUERY_WORDS || operators > 2 * MAX_QUERY_WORDS {
        return Err(StoreError::BadQuery(format!(
            "the query has {words} words and {operators} signs (+ or -); {allowed}"
        )));
    }
    Ok(())
}

/// How hits are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Sort {
    /// Best text match first (the default with a query).
    Relevance,
    /// Highest risk score first (the default without a query).
    Score,
    /// Newest first (posting date, or the storing date when the advert has none).
    Date,
    /// The review queue's order (see `priority`): strong signs, signs, contact cluster, repost
    /// group, score, date.
    Priority,
}

/// A search, as given in the query string of `GET /v1/search`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SearchRequest {
    /// Full-text query; empty matches every advert.
    #[serde(default)]
    pub q: Option<String>,
    /// Levels, comma-separated (any of them).
    #[serde(default)]
    pub level: Option<String>,
    /// Lowest score.
    #[serde(default)]
    pub min_score: Option<u8>,
    /// Indicator ids, comma-separated (all of them).
    #[serde(default)]
    pub indicator: Option<String>,
    /// Languages, comma-separated (any).
    #[serde(default)]
    pub lang: Option<String>,
    /// Kinds, comma-separated (any).
    #[serde(default)]
    pub kind: Option<String>,
    /// Source, exactly as stored.
    #[serde(default)]
    pub source: Option<String>,
    /// Earliest date (inclusive), `YYYY-MM-DD` or RFC 3339.
    #[serde(default)]
    pub from: Option<String>,
    /// Latest date (inclusive; a bare date means the whole day).
    #[serde(default)]
    pub to: Option<String>,
    /// Order of hits.
    #[serde(default)]
    pub sort: Option<Sort>,
    /// Hits to skip.
    #[serde(default)]
    pub offset: Option<usize>,
    /// Hits to return (default 20, at most 200).
    #[serde(default)]
    pub limit: Option<usize>,
    /// Show one advert per near-duplicate group.
    #[serde(default)]
    pub collapse: Option<bool>,
    /// Review statuses, comma-separated (any of them).
    #[serde(default)]
    pub review: Option<String>,
    /// Contact keys (`phone:+371...`, `email:...`, `handle:...`) that `q` stands for, filled in
    /// by the service when `q` is a phone number, an e-mail or a handle in any written form:
    /// adverts with one of them match too, as does an advert whose id is `q`.
    #[serde(skip)]
    pub contacts: Vec<String>,
}

/// One hit: the advert's summary (fetch `/v1/adverts/{id}` for everything).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hit {
    /// Advert id.
    pub id: String,
    /// Title.
    pub title: String,
    /// The start of the text.
    pub excerpt: String,
    /// Risk score.
    pub score: u8,
    /// Risk level.
    pub level: Level,
    /// Whether flagged.
    pub flagged: bool,
    /// Language.
    pub language: crate::advert::Lang,
    /// Kind.
    pub kind: crate::advert::Kind,
    /// Source, when given.
    pub source: Option<String>,
    /// Posting date, as given.
    pub posted_at: Option<String>,
    /// When stored.
    pub stored_at: String,
    /// Risk indicators among the reasons.
    pub indicators: Vec<String>,
    /// Near-duplicate group.
    pub group: String,
    /// Its review status.
    #[serde(default)]
    pub review: Status,
}

/// Facet counts over all matching adverts.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Facets {
    /// Adverts per level.
    pub level: BTreeMap<String, u64>,
    /// Adverts per risk indicator.
    pub indicator: BTreeMap<String, u64>,
    /// Adverts per language.
    pub language: BTreeMap<String, u64>,
    /// Adverts per kind.
    pub kind: BTreeMap<String, u64>,
    /// Adverts per review status (`new` for those without a decision).
    pub review: BTreeMap<String, u64>,
}

/// The answer to a search.
#[derive(Debug, Clone, Serialize)]
pub struct SearchResponse {
    /// Every matching advert (before paging and collapsing).
    pub total: usize,
    /// The requested page.
    pub hits: Vec<Hit>,
    /// Counts per level, indicator, language and kind over all matching adverts.
    pub facets: Facets,
    /// Hits skipped.
    pub offset: usize,
    /// Page size.
    pub limit: usize,
    /// Whether near-duplicates were collapsed.
    pub collapsed: bool,
}

fn list(s: &Option<String>) -> Vec<&str> {
    s.as_deref()
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .collect()
}

/// The values of a comma-separated filter in their indexed form, or a 400 naming the bad one.
fn checked(
    s: &Option<String>,
    name: &str,
    allowed: &str,
    parse: impl Fn(&str) -> Option<&'static str>,
) -> Result<Vec<&'static str>, StoreError> {
    list(s)
        .into_iter()
        .map(|v| {
            parse(v).ok_or_else(|| {
                StoreError::BadQuery(format!("{name} {v:?} is not one of {allowed}"))
            })
        })
        .collect()
}

/// The values of a raw text field equal to `value` but for case (at least `value` itself).
fn spellings_of(
    searcher: &Searcher,
    field: tantivy::schema::Field,
    value: &str,
) -> Result<Vec<String>, StoreError> {
    let wanted = value.to_lowercase();
    let mut found = vec![value.to_string()];
    for segment in searcher.segment_readers() {
        let terms = segment.inverted_index(field)?;
        let mut stream = terms.terms().stream()?;
        while stream.advance() {
            if let Ok(term) = std::str::from_utf8(stream.key()) {
                if term.to_lowercase() == wanted && !found.iter().any(|x| x == term) {
                    found.push(term.to_string());
                }
            }
        }
    }
    Ok(found)
}

fn any_of(field: tantivy::schema::Field, values: &[&str]) -> Box<dyn Query> {
    let terms: Vec<(Occur, Box<dyn Query>)> = values
        .iter()
        .map(|v| {
            let q: Box<dyn Query> = Box::new(TermQuery::new(
                Term::from_field_text(field, v),
                IndexRecordOption::Basic,
            ));
            (Occur::Should, q)
        })
        .collect();
    Box::new(BooleanQuery::new(terms))
}

/// The query of a search, and the filter its matches must also pass.
fn query_of(
    index: &Index,
    searcher: &Searcher,
    f: Fields,
    r: &SearchRequest,
) -> Result<(Box<dyn Query>, FacetFilter), StoreError> {
    let mut must: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    let text = r.q.as_deref().unwrap_or("").trim();
    if !text.is_empty() {
        check_query(text)?;
        let mut parser = QueryParser::for_index(index, vec![f.words, f.stems]);
        parser.set_field_boost(f.words, 2.0);
        // Lenient: a stray quote or colon in what an inspector typed is not an error.
        let (q, _) = parser.parse_query_lenient(text);
        // The words, an advert id, or a contact in another written form.
        let mut any: Vec<(Occur, Box<dyn Query>)> = vec![
            (Occur::Should, q),
            (
                Occur::Should,
                Box::new(TermQuery::new(
                    Term::from_field_text(f.id, text),
                    IndexRecordOption::Basic,
                )),
            ),
        ];
        for key in &r.contacts {
            any.push((
                Occur::Should,
                Box::new(TermQuery::new(
                    Term::from_field_text(f.contacts, key),
                    IndexRecordOption::Basic,
                )),
            ));
        }
        must.push((Occur::Must, Box::new(BooleanQuery::new(any))));
    }
    // Values are checked and written the way they are indexed ("High" is `high`).
    let levels = checked(&r.level, "level", "low, medium, high", |v| {
        Level::parse(v).map(Level::as_str)
    })?;
    let langs = checked(&r.lang, "lang", "lv, ru, en", |v| {
        crate::advert::Lang::parse(v).map(crate::advert::Lang::as_str)
    })?;
    let kinds = checked(&r.kind, "kind", "job, marriage, other", |v| {
        crate::advert::Kind::parse(v).map(crate::advert::Kind::as_str)
    })?;
    // Fields of a few values each are filtered as matches are collected (`filter`), not
    // intersected as terms.
    let mut filter = FacetFilter {
        any_of: [levels, Vec::new(), langs, kinds],
    };
    for i in list(&r.indicator) {
        must.push((Occur::Must, any_of(f.indicators, &[i])));
    }
    if let Some(source) = r.source.as_deref().filter(|s| !s.trim().is_empty()) {
        // Sources are stored as given: every spelling of this one matches, whatever its case.
        let spellings = spellings_of(searcher, f.source, source.trim())?;
        let spellings: Vec<&str> = spellings.iter().map(String::as_str).collect();
        must.push((Occur::Must, any_of(f.source, &spellings)));
    }
    if let Some(min) = r.min_score {
        must.push((
            Occur::Must,
            Box::new(RangeQuery::new(
                Bound::Included(Term::from_field_u64(f.score, u64::from(min))),
                Bound::Unbounded,
            )),
        ));
    }
    let date = |s: &Option<String>, name: &str| -> Result<Option<tantivy::DateTime>, StoreError> {
        s.as_deref()
            .filter(|s| !s.trim().is_empty())
            .map(|s| parse_date(s).map_err(|e| StoreError::BadQuery(format!("{name}: {e}"))))
            .transpose()
    };
    let from = date(&r.from, "from")?;
    let to = date(&r.to, "to")?;
    if from.is_some() || to.is_some() {
        let lower = from.map_or(Bound::Unbounded, |d| {
            Bound::Included(Term::from_field_date(f.date, d))
        });
        // A bare date as the upper bound includes that whole day.
        let to_is_day = r.to.as_deref().is_some_and(|s| s.trim().len() == 10);
        let upper = to.map_or(Bound::Unbounded, |d| {
            if to_is_day {
                let next = tantivy::DateTime::from_timestamp_secs(d.into_timestamp_secs() + 86_400);
                Bound::Excluded(Term::from_field_date(f.date, next))
            } else {
                Bound::Included(Term::from_field_date(f.date, d))
            }
        });
        must.push((Occur::Must, Box::new(RangeQuery::new(lower, upper))));
    }
    if must.is_empty() {
        // With nothing else to find matches, the filtered field with the fewest adverts does
        // (rather than every advert passing through the filter).
        let fields = [Some(f.level), None, Some(f.language), Some(f.kind)];
        let mut fewest: Option<(u64, usize)> = None;
        for (i, (values, field)) in filter.any_of.iter().zip(fields).enumerate() {
            let Some(field) = field.filter(|_| !values.is_empty()) else {
                continue;
            };
            let mut adverts = 0;
            for v in values {
                adverts += searcher.doc_freq(&Term::from_field_text(field, v))?;
            }
            if fewest.is_none_or(|(n, _)| adverts < n) {
                fewest = Some((adverts, i));
            }
        }
        if let Some((_, i)) = fewest {
            if let (Some(Some(field)), Some(values)) = (fields.get(i), filter.any_of.get_mut(i)) {
                let values = std::mem::take(values);
                return Ok((any_of(*field, &values), filter));
            }
        }
        return Ok((Box::new(EveryAdvert), filter));
    }
    Ok((Box::new(BooleanQuery::new(must)), filter))
}

/// A search without words or filters: every advert. Runs as tantivy's `AllQuery`; its own type
/// tells [`run`] that the counts and first hits kept per segment answer it.
#[derive(Debug, Clone)]
struct EveryAdvert;

impl Query for EveryAdvert {
    fn weight(
        &self,
        enable_scoring: tantivy::query::EnableScoring<'_>,
    ) -> tantivy::Result<Box<dyn tantivy::query::Weight>> {
        AllQuery.weight(enable_scoring)
    }
}

/// What searches keep of each segment between them.
#[derive(Debug, Default)]
pub(super) struct Caches {
    /// Facet values.
    pub facets: FacetCache,
    /// Sort values.
    pub sort: SortCache,
    /// Near-duplicate groups.
    pub groups: GroupCache,
}

/// The first `n` hits in `sort` order among the matches that pass `filter`, collected in the
/// same pass over them as `other`.
fn top_with<C: Collector>(
    searcher: &Searcher,
    caches: &Caches,
    query: &dyn Query,
    filter: &FacetFilter,
    sort: Sort,
    n: usize,
    other: C,
) -> Result<(C::Fruit, Vec<DocAddress>), StoreError> {
    let n = n.max(1);
    fn addresses<T>(top: Vec<(T, DocAddress)>) -> Vec<DocAddress> {
        top.into_iter().map(|x| x.1).collect()
    }
    let cache = &caches.facets;
    Ok(match sort {
        Sort::Relevance => {
            let inner = (other, TopDocs::with_limit(n));
            let (o, top) = searcher.search(
                query,
                &Filtered {
                    cache,
                    filter,
                    inner,
                },
            )?;
            (o, addresses(top))
        }
        Sort::Score | Sort::Date | Sort::Priority => {
            let key = key_of(sort).unwrap_or(Key::Score);
            let inner = (
                other,
                TopBy {
                    cache: &caches.sort,
                    key,
                    n,
                },
            );
            searcher.search(
                query,
                &Filtered {
                    cache,
                    filter,
                    inner,
                },
            )?
        }
    })
}

/// The sort value hits are ordered by (`None`: relevance).
fn key_of(sort: Sort) -> Option<Key> {
    match sort {
        Sort::Relevance => None,
        Sort::Score | Sort::Priority => Some(Key::Score),
        Sort::Date => Some(Key::Date),
    }
}

/// The search summary of a stored advert.
pub fn hit_of(s: &StoredAdvert) -> Hit {
    let indicators: Vec<String> = s
        .report
        .reasons
        .iter()
        .filter(|r| r.weight > 0)
        .map(|r| r.indicator.clone())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let excerpt: String = s.advert.text.chars().take(240).collect();
    Hit {
        id: s.advert.id.clone(),
        title: s.advert.title.clone(),
        excerpt,
        score: s.report.score,
        level: s.report.level,
        flagged: s.report.flagged,
        language: s.report.language,
        kind: s.report.kind,
        source: s.advert.source.clone(),
        posted_at: s.advert.posted_at.clone(),
        stored_at: s.stored_at.clone(),
        indicators,
        group: s.group.clone(),
        review: Status::New,
    }
}

/// The near-duplicate groups of the documents of a searcher's segments.
struct GroupReader {
    segments: Vec<Arc<SegmentGroups>>,
}

impl GroupReader {
    fn new(searcher: &Searcher, cache: &GroupCache) -> Result<GroupReader, StoreError> {
        let segments = searcher
            .segment_readers()
            .iter()
            .map(|s| cache.get(s))
            .collect::<Result<_, _>>()?;
        Ok(GroupReader { segments })
    }

    /// The group of a document, equal for documents of the same group (documents without a
    /// group share one).
    fn group(&self, a: DocAddress) -> &str {
        self.segments
            .get(a.segment_ord as usize)
            .map_or("", |s| s.group(a.doc_id))
    }
}

/// The ids of `ids` as one query on the id field.
fn ids_query(f: Fields, ids: &[String]) -> Box<dyn Query> {
    Box::new(TermSetQuery::new(
        ids.iter().map(|id| Term::from_field_text(f.id, id)),
    ))
}

/// The query narrowed to the review statuses asked for (`review=`): `decided` holds the ids of
/// the adverts per status other than `new`; an advert in none of them is `new`.
fn with_review(
    query: Box<dyn Query>,
    f: Fields,
    r: &SearchRequest,
    decided: &[(Status, Vec<String>)],
) -> Result<Box<dyn Query>, StoreError> {
    let wanted = list(&r.review)
        .into_iter()
        .map(|v| {
            Status::parse(v).ok_or_else(|| {
                StoreError::BadQuery(format!(
                    "review {v:?} is not one of new, reviewed, false_alarm, confirmed, referred"
                ))
            })
        })
        .collect::<Result<HashSet<Status>, _>>()?;
    if wanted.is_empty() {
        return Ok(query);
    }
    let clause = if wanted.contains(&Status::New) {
        // New and some others: every advert except those decided otherwise.
        let other: Vec<String> = decided
            .iter()
            .filter(|(s, _)| !wanted.contains(s))
            .flat_map(|(_, ids)| ids.iter().cloned())
            .collect();
        if other.is_empty() {
            return Ok(query);
        }
        (Occur::MustNot, ids_query(f, &other))
    } else {
        let ids: Vec<String> = decided
            .iter()
            .filter(|(s, _)| wanted.contains(s))
            .flat_map(|(_, ids)| ids.iter().cloned())
            .collect();
        (Occur::Must, ids_query(f, &ids))
    };
    Ok(Box::new(BooleanQuery::new(vec![
        (Occur::Must, query),
        clause,
    ])))
}

/// Matches per review status: one count per status with decisions; the rest are `new`.
fn review_facet(
    searcher: &Searcher,
    caches: &Caches,
    f: Fields,
    query: &dyn Query,
    filter: &FacetFilter,
    total: usize,
    decided: &[(Status, Vec<String>)],
) -> Result<BTreeMap<String, u64>, StoreError> {
    let mut counts = BTreeMap::new();
    let mut rest = total as u64;
    for (status, ids) in decided {
        let both = BooleanQuery::new(vec![
            (Occur::Must, query.box_clone()),
            (Occur::Must, ids_query(f, ids)),
        ]);
        let n = searcher.search(
            &both,
            &Filtered {
                cache: &caches.facets,
                filter,
                inner: Count,
            },
        )? as u64;
        if n > 0 {
            counts.insert(status.as_str().to_string(), n);
        }
        rest = rest.saturating_sub(n);
    }
    if rest > 0 {
        counts.insert(Status::New.as_str().to_string(), rest);
    }
    Ok(counts)
}

/// What a search needs besides the index: the review log, and which indicators are strong
/// signs (for the priority order).
#[derive(Clone, Copy)]
pub(super) struct Known<'a> {
    pub reviews: &'a Reviews,
    pub strong: &'a HashSet<String>,
}

/// Runs a search.
pub(super) fn run(
    index: &Index,
    searcher: &Searcher,
    caches: &Caches,
    f: Fields,
    r: &SearchRequest,
    known: Known<'_>,
    deadline: Option<Instant>,
) -> Result<SearchResponse, StoreError> {
    let Known { reviews, strong } = known;
    let (query, filter) = query_of(index, searcher, f, r)?;
    let decided: Vec<(Status, Vec<String>)> = Status::ALL
        .into_iter()
        .filter(|s| *s != Status::New)
        .map(|s| (s, reviews.ids_with(s)))
        .filter(|(_, ids)| !ids.is_empty())
        .collect();
    let query = with_review(query, f, r, &decided)?;
    let expired = Arc::new(AtomicBool::new(false));
    let query: Box<dyn Query> = match deadline {
        Some(deadline) if !query.as_any().is::<EveryAdvert>() => Box::new(Deadline {
            inner: query,
            deadline,
            expired: expired.clone(),
        }),
        _ => query,
    };
    let offset = r.offset.unwrap_or(0);
    let limit = r.limit.unwrap_or(20).min(MAX_LIMIT);
    let has_text = r.q.as_deref().is_some_and(|q| !q.trim().is_empty());
    let sort = r.sort.unwrap_or(if has_text {
        Sort::Relevance
    } else {
        Sort::Score
    });
    let collapse = r.collapse.unwrap_or(false);
    // One pass over the matches counts them, their facets and the first page (or, when
    // collapsing, a first guess at how many hits fill a page of distinct groups).
    // Never more than there are documents: `offset` comes from the request.
    let docs = usize::try_from(searcher.num_docs()).unwrap_or(usize::MAX);
    let first = offset
        .saturating_add(limit)
        .saturating_mul(if collapse { 2 } else { 1 })
        .min(docs);
    caches.facets.keep_only(searcher);
    caches.sort.keep_only(searcher);
    caches.groups.keep_only(searcher);
    let cache = &caches.facets;
    let key = key_of(sort).filter(|_| query.as_any().is::<EveryAdvert>() && filter.is_empty());
    let ((total, facets), addresses) = if let Some(key) = key {
        // Everything matches: the counts and the first hits are kept per segment.
        let facets = facets_of_everything(searcher, cache)?;
        let addresses = top_of_everything(searcher, &caches.sort, key, first)?;
        ((docs, facets), addresses)
    } else {
        top_with(
            searcher,
            caches,
            query.as_ref(),
            &filter,
            sort,
            first,
            (Count, FacetCollector { cache }),
        )?
    };
    if expired.load(Ordering::Relaxed) {
        return Err(StoreError::TimedOut);
    }
    let mut hits = Vec::new();
    if sort == Sort::Priority && limit > 0 && offset < total {
        // Every match is ranked (the queue is a filtered search); reposts after the first of
        // their group are left out when collapsing.
        let ordered =
            super::priority::order(searcher, f, &caches.facets, query.as_ref(), &filter, strong)?;
        let mut seen = HashSet::new();
        let mut shown = 0;
        for a in ordered {
            let hit = load_hit(searcher, f, a)?;
            if collapse && !seen.insert(hit.group.clone()) {
                continue;
            }
            shown += 1;
            if shown > offset {
                hits.push(hit);
            }
            if hits.len() == limit {
                break;
            }
        }
    } else if limit > 0 && offset < total {
        if collapse {
            // Distinct groups among the first hits; when reposts fill those and the page
            // still lacks groups, the best match of every group. Only the hits shown are
            // loaded.
            let groups = GroupReader::new(searcher, &caches.groups)?;
            let mut seen = HashSet::new();
            let mut page = Vec::new();
            let mut skipped = 0;
            for a in &addresses {
                if !seen.insert(groups.group(*a)) {
                    continue;
                }
                if skipped < offset {
                    skipped += 1;
                    continue;
                }
                page.push(*a);
                if page.len() == limit {
                    break;
                }
            }
            if page.len() < limit && addresses.len() >= first && first < docs {
                let inner = GroupBest {
                    groups: &caches.groups,
                    sort: &caches.sort,
                    key: key_of(sort),
                    skip: offset,
                    take: limit,
                };
                let cache = &caches.facets;
                page = searcher.search(
                    query.as_ref(),
                    &Filtered {
                        cache,
                        filter: &filter,
                        inner,
                    },
                )?;
            }
            for a in page {
                hits.push(load_hit(searcher, f, a)?);
            }
        } else {
            for a in addresses.into_iter().skip(offset) {
                hits.push(load_hit(searcher, f, a)?);
            }
        }
    }
    if expired.load(Ordering::Relaxed) {
        return Err(StoreError::TimedOut);
    }
    let mut facets = facets;
    facets.review = review_facet(
        searcher,
        caches,
        f,
        query.as_ref(),
        &filter,
        total,
        &decided,
    )?;
    for hit in &mut hits {
        hit.review = reviews.current(&hit.id).status;
    }
    Ok(SearchResponse {
        total,
        hits,
        facets,
        offset,
        limit,
        collapsed: collapse,
    })
}
