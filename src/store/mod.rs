//! The durable store: a tantivy index on disk holding every ingested advert with its screening
//! result, searchable and linked by shared contacts and near-duplicates.
//!
//! One writer thread owns the index writer. Callers hand it batches and wait: a batch is
//! acknowledged only after the commit that makes it durable, and batches that arrive while a
//! commit runs are committed together (group commit). Readers search the last commit.

mod collapse;
mod deadline;
mod facets;
mod filter;
pub mod guard;
mod links;
mod priority;
pub mod review;
mod schema;
mod search;
mod segment_cache;
mod sort;
mod text;
mod writer;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arc_swap::ArcSwap;
use serde::{Deserialize, Serialize};
use tantivy::collector::TopDocs;
use tantivy::query::TermQuery;
use tantivy::schema::document::{DeserializeError, DocumentDeserialize, DocumentDeserializer};
use tantivy::schema::{IndexRecordOption, OwnedValue, Value};
use tantivy::{Index, IndexReader, ReloadPolicy, TantivyDocument, Term};
use tokio::sync::{mpsc, oneshot};

use crate::advert::Advert;
use crate::engine::Engine;
use crate::report::Report;

pub use links::{
    Contact, ContactGraph, DuplicateIndex, SHARED_CONTACT, Sharing, Signs, contacts_of,
    employer_of, signature,
};
pub use schema::Fields;
pub use search::{
    Facets, Hit, MAX_QUERY_BYTES, MAX_QUERY_DEPTH, MAX_QUERY_WORDS, SearchRequest, SearchResponse,
    Sort, check_query, hit_of,
};
pub use text::latvian_stem;

/// The engine in force; replaced as a whole when rules or model are reloaded.
pub type SharedEngine = Arc<ArcSwap<Engine>>;

/// An advert as stored: the advert, its result, its near-duplicate group and when it was stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredAdvert {
    /// The advert as ingested.
    pub advert: Advert,
    /// Its screening result, including reasons from links to other adverts.
    pub report: Report,
    /// The id of the first advert of its near-duplicate group (its own id when it has none).
    pub group: String,
    /// When it was last stored (RFC 3339, UTC): its last-seen time.
    pub stored_at: String,
    /// When it was first stored (RFC 3339, UTC); an advert stored again keeps it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_seen: Option<String>,
    /// Contacts this advert shares with others in a way that is a sign, with the number of
    /// adverts sharing each (as of the last commit when read from the store).
    #[serde(default)]
    pub shared_contacts: BTreeMap<String, usize>,
}

/// The acknowledgement of one stored advert: what a client needs, not the whole advert (a
/// stream of 100,000 adverts must not keep them all in memory until it ends).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ack {
    /// The advert's id.
    pub id: String,
    /// Its score after linking.
    pub score: u8,
    /// Its level.
    pub level: crate::score::Level,
    /// Whether flagged.
    pub flagged: bool,
    /// Its near-duplicate group.
    pub group: String,
}

impl Ack {
    fn of(s: &StoredAdvert) -> Ack {
        Ack {
            id: s.advert.id.clone(),
            score: s.report.score,
            level: s.report.level,
            flagged: s.report.flagged,
            group: s.group.clone(),
        }
    }
}

/// What can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Reading the index from disk failed.
    #[error("index i/o: {0}")]
    Io(#[from] std::io::Error),
    /// The index failed.
    #[error("index: {0}")]
    Index(#[from] tantivy::TantivyError),
    /// The data directory could not be created or opened.
    #[error("data directory {path}: {source}")]
    Dir {
        /// The directory.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The index directory could not be opened.
    #[error("index directory {path}: {message}")]
    OpenIndex {
        /// The directory.
        path: PathBuf,
        /// Why.
        message: String,
    },
    /// A stored document could not be read back.
    #[error("stored advert is unreadable: {0}")]
    Corrupt(String),
    /// A commit failed; the batch is not stored.
    #[error("commit failed: {0}")]
    Commit(String),
    /// The writer has stopped (the server is shutting down or a commit failed fatally).
    #[error("the index writer has stopped")]
    WriterGone,
    /// A search request is invalid.
    #[error("{0}")]
    BadQuery(String),
    /// The index directory is not in a state the server wrote (a file missing or damaged); the
    /// message names the file and how to recover.
    #[error("{0}")]
    Damaged(String),
    /// A search ran past its deadline and was stopped.
    #[error("the search ran past its time limit and was stopped")]
    TimedOut,
}

/// A batch handed to the writer.
struct Job {
    adverts: Vec<(Advert, Report)>,
    ack: oneshot::Sender<Result<Vec<Ack>, String>>,
}

/// Adverts handed to the writer, not yet known to be committed.
#[derive(Debug)]
pub struct Pending(oneshot::Receiver<Result<Vec<Ack>, String>>);

impl Pending {
    /// Waits for the commit; acknowledges the adverts once they are durable.
    pub async fn wait(self) -> Result<Vec<Ack>, StoreError> {
        match self.0.await {
            Ok(Ok(stored)) => Ok(stored),
            Ok(Err(message)) => Err(StoreError::Commit(message)),
            Err(_) => Err(StoreError::WriterGone),
        }
    }
}

/// The store: open once, share by reference.
pub struct Store {
    index: Index,
    reader: IndexReader,
    fields: Fields,
    caches: search::Caches,
    signs: Signs,
    engine: SharedEngine,
    reviews: review::Reviews,
    jobs: mpsc::Sender<Job>,
    writer: Option<std::thread::JoinHandle<()>>,
}

impl Drop for Store {
    /// Stops the writer after the batches already handed to it, and waits for it to release the
    /// index, so the directory can be opened again at once.
    fn drop(&mut self) {
        let (closed, _) = mpsc::channel(1);
        drop(std::mem::replace(&mut self.jobs, closed));
        if let Some(handle) = self.writer.take() {
            if handle.join().is_err() {
                tracing::error!("the index writer thread panicked");
            }
        }
    }
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").finish_non_exhaustive()
    }
}

impl Store {
    /// Opens the index in `dir` (creating it if needed) and its review log beside it
    /// ([`review_log`]), rebuilds the links between adverts from the index, and starts the
    /// writer thread.
    pub fn open(dir: &Path, engine: SharedEngine) -> Result<Store, StoreError> {
        // Before anything touches the directory: a state this server did not write is refused.
        let committed = guard::check(dir)?;
        std::fs::create_dir_all(dir).map_err(|source| StoreError::Dir {
            path: dir.to_path_buf(),
            source,
        })?;
        let (schema, _) = Fields::schema();
        let directory =
            tantivy::directory::MmapDirectory::open(dir).map_err(|e| StoreError::OpenIndex {
                path: dir.to_path_buf(),
                message: e.to_string(),
            })?;
        let directory = guard::Guarded::new(directory, committed);
        // Stored documents are not compressed: every search hit would decompress the block
        // holding its document (about a tenth of the CPU of a search), and CPU, not disk, is
        // what a screening server runs short of. A stored advert takes about 6 KB on disk
        // instead of 2.5 KB. An index created with compression keeps it.
        let settings = tantivy::IndexSettings {
            docstore_compression: tantivy::store::Compressor::None,
            ..tantivy::IndexSettings::default()
        };
        let index = Index::builder()
            .schema(schema)
            .settings(settings)
            .open_or_create(directory)?;
        // Every file of the committed index is read once: a damaged segment is found here, with
        // its name, rather than as a panic while serving.
        let mut bad: Vec<PathBuf> = Vec::new();
        for segment in index.searchable_segment_metas()? {
            for file in segment.list_files() {
                let exists = tantivy::Directory::exists(index.directory(), &file).unwrap_or(false);
                if exists && !index.directory().validate_checksum(&file).unwrap_or(false) {
                    bad.push(file);
                }
            }
        }
        if !bad.is_empty() {
            bad.sort();
            return Err(guard::damaged(dir, &bad));
        }
        text::register(&index);
        let fields = Fields::of(&index.schema())?;
        let reader = index
            .reader_builder()
            // The writer reloads after each commit, so that an acknowledged advert is visible;
            // the reader also follows the index's own changes (merges finished in the
            // background), or searches would go on reading the segments merged away: after a
            // large ingest they were a quarter slower than after a restart.
            .reload_policy(ReloadPolicy::OnCommitWithDelay)
            .try_into()?;
        // Reading every stored advert back must not take the process down on a damaged one.
        let state = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            writer::Links::rebuild(&reader, fields)
        }))
        .map_err(|_| {
            StoreError::Damaged(format!(
                "the stored adverts in {} cannot be read back. Restore the index directory \
                     from a backup; adscreen changed nothing in it",
                dir.display()
            ))
        })??;
        let signs = Signs::default();
        signs.reset(state.contacts());
        let index_writer = index.writer_with_num_threads(1, 64 * 1024 * 1024)?;
        // A short queue: a stream waits for the writer instead of piling up screened adverts.
        let (jobs, rx) = mpsc::channel(4);
        let w = writer::Writer {
            writer: index_writer,
            reader: reader.clone(),
            fields,
            engine: engine.clone(),
            links: state,
            signs: signs.clone(),
        };
        let handle = std::thread::Builder::new()
            .name("adscreen-writer".into())
            .spawn(move || w.run(rx))
            .map_err(|source| StoreError::Dir {
                path: dir.to_path_buf(),
                source,
            })?;
        let reviews = review::Reviews::open(&review_log(dir))?;
        Ok(Store {
            index,
            reader,
            fields,
            caches: search::Caches::default(),
            signs,
            engine,
            reviews,
            jobs,
            writer: Some(handle),
        })
    }

    /// Hands screened adverts to the writer without waiting for the commit; an advert whose id
    /// is already stored replaces it. Waits only while the writer's queue is full.
    pub async fn submit(&self, adverts: Vec<(Advert, Report)>) -> Result<Pending, StoreError> {
        let (ack, done) = oneshot::channel();
        self.jobs
            .send(Job { adverts, ack })
            .await
            .map_err(|_| StoreError::WriterGone)?;
        Ok(Pending(done))
    }

    /// Stores screened adverts and acknowledges them once they are durable.
    pub async fn write(&self, adverts: Vec<(Advert, Report)>) -> Result<Vec<Ack>, StoreError> {
        self.submit(adverts).await?.wait().await
    }

    /// The stored advert with this id, its shared-contact reasons giving the current counts.
    pub fn get(&self, id: &str) -> Result<Option<StoredAdvert>, StoreError> {
        let searcher = self.reader.searcher();
        let mut found = get_by_id(&searcher, self.fields, id)?;
        if let Some(stored) = &mut found {
            self.signs.refresh(stored);
        }
        Ok(found)
    }

    /// The number of stored adverts with this contact key (see [`contacts_of`]) and the newest
    /// `limit` of them.
    pub fn with_contact(&self, key: &str, limit: usize) -> Result<(usize, Vec<Hit>), StoreError> {
        self.newest_with(Term::from_field_text(self.fields.contacts, key), limit)
    }

    /// The number of adverts in a near-duplicate group and up to `limit` of them, newest first.
    pub fn group_members(
        &self,
        group: &str,
        limit: usize,
    ) -> Result<(usize, Vec<Hit>), StoreError> {
        self.newest_with(Term::from_field_text(self.fields.group, group), limit)
    }

    /// The number of stored adverts with `term` and the newest `limit` of them, with their
    /// review status.
    fn newest_with(&self, term: Term, limit: usize) -> Result<(usize, Vec<Hit>), StoreError> {
        let searcher = self.reader.searcher();
        let query = TermQuery::new(term, IndexRecordOption::Basic);
        let top = TopDocs::with_limit(limit.max(1))
            .order_by_fast_field::<tantivy::DateTime>("date", tantivy::Order::Desc);
        let (total, top) = searcher.search(&query, &(tantivy::collector::Count, top))?;
        let mut hits: Vec<Hit> = top
            .into_iter()
            .map(|(_, address)| load_hit(&searcher, self.fields, address))
            .collect::<Result<_, _>>()?;
        for hit in &mut hits {
            hit.review = self.reviews.current(&hit.id).status;
        }
        Ok((total, hits))
    }

    /// Searches the stored adverts.
    pub fn search(&self, request: &SearchRequest) -> Result<SearchResponse, StoreError> {
        self.search_with(request, None)
    }

    /// Searches the stored adverts, giving up with [`StoreError::TimedOut`] once `deadline`
    /// has passed.
    pub fn search_until(
        &self,
        request: &SearchRequest,
        deadline: std::time::Instant,
    ) -> Result<SearchResponse, StoreError> {
        self.search_with(request, Some(deadline))
    }

    fn search_with(
        &self,
        request: &SearchRequest,
        deadline: Option<std::time::Instant>,
    ) -> Result<SearchResponse, StoreError> {
        let searcher = self.reader.searcher();
        let strong: std::collections::HashSet<String> = self
            .engine
            .load()
            .rules()
            .indicators()
            .iter()
            .filter(|i| i.strength == Some(crate::score::Strength::Strong))
            .map(|i| i.id.clone())
            .collect();
        search::run(
            &self.index,
            &searcher,
            &self.caches,
            self.fields,
            request,
            search::Known {
                reviews: &self.reviews,
                strong: &strong,
            },
            deadline,
        )
    }

    /// The review log.
    pub fn reviews(&self) -> &review::Reviews {
        &self.reviews
    }

    /// Every stored advert as of the last commit, in no particular order.
    pub fn all(&self) -> Result<Vec<StoredAdvert>, StoreError> {
        all_in(&self.reader.searcher(), self.fields)
    }

    /// The number of stored adverts.
    pub fn len(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Whether nothing is stored.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Every stored advert of a searcher, in no particular order.
fn all_in(searcher: &tantivy::Searcher, fields: Fields) -> Result<Vec<StoredAdvert>, StoreError> {
    let addresses = searcher.search(
        &tantivy::query::AllQuery,
        &tantivy::collector::DocSetCollector,
    )?;
    addresses
        .into_iter()
        .map(|a| load(searcher, fields, a))
        .collect()
}

/// A searcher over the last commit of the index in `dir`, opened without a writer.
fn read_only(dir: &Path) -> Result<(tantivy::Searcher, Fields), StoreError> {
    let directory =
        tantivy::directory::MmapDirectory::open(dir).map_err(|e| StoreError::OpenIndex {
            path: dir.to_path_buf(),
            message: e.to_string(),
        })?;
    let index = Index::open(directory)?;
    let fields = Fields::of(&index.schema())?;
    let reader = index
        .reader_builder()
        .reload_policy(ReloadPolicy::Manual)
        .try_into()?;
    Ok((reader.searcher(), fields))
}

/// Every stored advert of the index in `dir` and its review log, read without writing to
/// either (a running server may keep them open).
pub fn read_all(dir: &Path) -> Result<(Vec<StoredAdvert>, review::Reviews), StoreError> {
    let reviews = review::Reviews::open(&review_log(dir))?;
    if !dir.join(guard::META).exists() {
        return Ok((Vec::new(), reviews));
    }
    let (searcher, fields) = read_only(dir)?;
    let adverts = all_in(&searcher, fields)?;
    Ok((adverts, reviews))
}

/// Every stored advert with a decision that labels it (`false_alarm`, `confirmed`, `referred`),
/// with that decision, read from the index in `dir` without writing to it (a running server may
/// keep it open). In the order of their ids.
pub fn reviewed_adverts(dir: &Path) -> Result<Vec<(StoredAdvert, review::Review)>, StoreError> {
    let reviews = review::Reviews::open(&review_log(dir))?;
    let mut ids: Vec<String> = [
        review::Status::FalseAlarm,
        review::Status::Confirmed,
        review::Status::Referred,
    ]
    .into_iter()
    .flat_map(|s| reviews.ids_with(s))
    .collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    ids.sort();
    let (searcher, fields) = read_only(dir)?;
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(stored) = get_by_id(&searcher, fields, &id)? {
            out.push((stored, reviews.current(&id)));
        }
    }
    Ok(out)
}

/// The review log of the index in `dir`: the file `<dir>-reviews.jsonl` beside it
/// (`DATA_DIR/index-reviews.jsonl` for the service).
pub fn review_log(dir: &Path) -> PathBuf {
    let name = dir
        .file_name()
        .map_or_else(|| "index".into(), |n| n.to_string_lossy().into_owned());
    dir.with_file_name(format!("{name}-reviews.jsonl"))
}

fn get_by_id(
    searcher: &tantivy::Searcher,
    fields: Fields,
    id: &str,
) -> Result<Option<StoredAdvert>, StoreError> {
    let query = TermQuery::new(
        Term::from_field_text(fields.id, id),
        IndexRecordOption::Basic,
    );
    let top = searcher.search(&query, &TopDocs::with_limit(1))?;
    top.first()
        .map(|(_, address)| load(searcher, fields, *address))
        .transpose()
}

fn load(
    searcher: &tantivy::Searcher,
    fields: Fields,
    address: tantivy::DocAddress,
) -> Result<StoredAdvert, StoreError> {
    stored_json(searcher, fields.doc, address)
}

/// The search summary of a stored advert, from its own stored field.
pub(crate) fn load_hit(
    searcher: &tantivy::Searcher,
    fields: Fields,
    address: tantivy::DocAddress,
) -> Result<Hit, StoreError> {
    stored_json(searcher, fields.summary, address)
}

/// Reads a stored JSON field of a document.
fn stored_json<T: serde::de::DeserializeOwned>(
    searcher: &tantivy::Searcher,
    field: tantivy::schema::Field,
    address: tantivy::DocAddress,
) -> Result<T, StoreError> {
    let json = stored_text(searcher, field, address)?
        .ok_or_else(|| StoreError::Corrupt("stored field missing".into()))?;
    serde_json::from_str(&json).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// The text of a stored field of a document. The fields of this schema are read only up to the
/// one asked for: a search hit's summary comes before the whole advert, which is several times
/// larger.
fn stored_text(
    searcher: &tantivy::Searcher,
    field: tantivy::schema::Field,
    address: tantivy::DocAddress,
) -> Result<Option<String>, StoreError> {
    Ok(match field.field_id() {
        schema::SUMMARY_ID => {
            searcher
                .doc::<StoredText<{ schema::SUMMARY_ID }>>(address)?
                .0
        }
        schema::DOC_ID => searcher.doc::<StoredText<{ schema::DOC_ID }>>(address)?.0,
        _ => {
            let doc: TantivyDocument = searcher.doc(address)?;
            doc.get_first(field)
                .and_then(|v| v.as_str())
                .map(str::to_owned)
        }
    })
}

/// The text of the stored field numbered `FIELD`, read without the stored fields after it.
struct StoredText<const FIELD: u32>(Option<String>);

impl<const FIELD: u32> DocumentDeserialize for StoredText<FIELD> {
    fn deserialize<'de, D>(mut fields: D) -> Result<Self, DeserializeError>
    where
        D: DocumentDeserializer<'de>,
    {
        while let Some((field, value)) = fields.next_field::<OwnedValue>()? {
            if field.field_id() == FIELD {
                return Ok(StoredText(match value {
                    OwnedValue::Str(text) => Some(text),
                    _ => None,
                }));
            }
        }
        Ok(StoredText(None))
    }
}

/// The earliest date adscreen reads, in an advert or a search.
pub const EARLIEST_DATE: &str = "1900-01-01";
/// The latest date adscreen reads, in an advert or a search.
pub const LATEST_DATE: &str = "2199-12-31";

/// Parses a date as adverts and queries give it: RFC 3339 (`2026-05-01T10:00:00Z`,
/// `2026-05-01T13:00:00+03:00`, a space instead of `T` allowed), a date and time without an
/// offset (read as UTC), or a bare date (`2026-05-01`, midnight UTC). Dates outside
/// [`EARLIEST_DATE`]..=[`LATEST_DATE`] and offsets beyond ±23:59 are refused; the message says
/// what is accepted. This is the one place dates are read.
pub fn parse_date(s: &str) -> Result<tantivy::DateTime, String> {
    use time::format_description::well_known::Rfc3339;
    use time::macros::format_description;
    let s = s.trim();
    let accepted = format!(
        "use YYYY-MM-DD or RFC 3339 (2026-05-01T10:00:00+03:00), from {EARLIEST_DATE} to \
         {LATEST_DATE}"
    );
    let not_a_date = || format!("{s:?} is not a date: {accepted}");
    // RFC 3339 with `T` (a space is common in exports), with or without an offset.
    let t = match s.get(10..11) {
        Some(" " | "t") => format!("{}T{}", &s[..10], &s[11..]),
        _ => s.to_string(),
    };
    let has_offset =
        t.ends_with(['Z', 'z']) || t.get(19..).is_some_and(|rest| rest.contains(['+', '-']));
    let parsed = if t.len() == 10 {
        time::Date::parse(&t, format_description!("[year]-[month]-[day]"))
            .map(|d| d.midnight().assume_utc())
            .map_err(|_| not_a_date())?
    } else if has_offset {
        time::OffsetDateTime::parse(&t, &Rfc3339).map_err(|_| not_a_date())?
    } else {
        time::OffsetDateTime::parse(&format!("{t}Z"), &Rfc3339).map_err(|_| not_a_date())?
    };
    if parsed.offset().whole_hours().abs() > 23 {
        return Err(not_a_date());
    }
    let earliest = time::macros::datetime!(1900-01-01 00:00 UTC);
    let latest = time::macros::datetime!(2199-12-31 23:59:59 UTC);
    if parsed < earliest || parsed > latest {
        return Err(format!(
            "{s:?} is outside the dates adscreen reads: {accepted}"
        ));
    }
    Ok(tantivy::DateTime::from_timestamp_secs(
        parsed.unix_timestamp(),
    ))
}

#[cfg(test)]
mod tests;
