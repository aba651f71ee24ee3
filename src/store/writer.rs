//! The writer thread: applies batches, keeps links between adverts up to date, commits, and
//! acknowledges each batch after its commit.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::SystemTime;

use tantivy::schema::Value;
use tantivy::{IndexReader, IndexWriter, TantivyDocument, Term};
use tokio::sync::mpsc;

use super::links::{
    self, ContactGraph, DuplicateIndex, SHARED_CONTACT, Signs, contacts_of, employer_of, signature,
};
use super::{Ack, Fields, Job, SharedEngine, StoreError, StoredAdvert, get_by_id, parse_date};
use crate::report::Report;

/// Largest number of adverts taken into one commit.
const MAX_GROUP: usize = 20_000;

/// Shared contacts and near-duplicate groups of everything stored.
pub(super) struct Links {
    contacts: ContactGraph,
    duplicates: DuplicateIndex,
    /// Per advert, the shared contacts (with counts) its stored document was last written with:
    /// lets the writer decide whether a stored advert needs rewriting without reading it.
    written: HashMap<String, BTreeMap<String, usize>>,
    /// Per advert, when it was first stored: kept when the advert is stored again.
    first_seen: HashMap<String, String>,
}

impl Links {
    /// Which adverts share which contacts.
    pub(super) fn contacts(&self) -> &ContactGraph {
        &self.contacts
    }

    /// The contacts of an advert that are a sign now, with the number of adverts sharing each.
    fn shared_now(&self, id: &str) -> BTreeMap<String, usize> {
        self.contacts
            .contacts_of_advert(id)
            .filter_map(|c| {
                let s = self.contacts.sharing(c);
                s.is_sign().then(|| (c.to_string(), s.adverts))
            })
            .collect()
    }
}

/// Whether an advert written with the shared contacts `then` needs rewriting now: a contact
/// started or stopped being a sign. A count that merely changed is not written; readers take
/// the current one from [`links::Signs`].
fn needs_rewrite(then: &BTreeMap<String, usize>, now: &BTreeMap<String, usize>) -> bool {
    !then.keys().eq(now.keys())
}

/// What rebuilding the links reads of a stored advert ([`StoredAdvert`]); the rest of the
/// document (reasons, explanations) is skipped without being built.
#[derive(serde::Deserialize)]
struct LinkView {
    advert: AdvertView,
    report: ReportView,
    group: String,
    #[serde(default)]
    shared_contacts: BTreeMap<String, usize>,
    stored_at: String,
    #[serde(default)]
    first_seen: Option<String>,
}

#[derive(serde::Deserialize)]
struct AdvertView {
    id: String,
    title: String,
    text: String,
}

#[derive(serde::Deserialize)]
struct ReportView {
    entities: crate::extract::Entities,
}

impl Links {
    /// Reads every stored advert once to rebuild the links.
    pub(super) fn rebuild(reader: &IndexReader, fields: Fields) -> Result<Links, StoreError> {
        let mut links = Links {
            contacts: ContactGraph::default(),
            duplicates: DuplicateIndex::default(),
            written: HashMap::new(),
            first_seen: HashMap::new(),
        };
        let searcher = reader.searcher();
        for segment in searcher.segment_readers() {
            let store = segment.get_store_reader(64)?;
            for doc in store.iter::<TantivyDocument>(segment.alive_bitset()) {
                let doc = doc?;
                let json = doc
                    .get_first(fields.doc)
                    .and_then(|v| v.as_str())
                    .ok_or_else(|| StoreError::Corrupt("no stored document".into()))?;
                let stored: LinkView =
                    serde_json::from_str(json).map_err(|e| StoreError::Corrupt(e.to_string()))?;
                let id = &stored.advert.id;
                let keys: Vec<String> = contacts_of(&stored.report.entities)
                    .into_iter()
                    .map(|c| c.key)
                    .collect();
                links
                    .contacts
                    .insert(id, &keys, employer_of(&stored.report.entities));
                links.duplicates.insert(
                    id,
                    signature(&stored.advert.title, &stored.advert.text),
                    stored.group,
                );
                links
                    .first_seen
                    .insert(id.clone(), stored.first_seen.unwrap_or(stored.stored_at));
                if !stored.shared_contacts.is_empty() {
                    links.written.insert(id.clone(), stored.shared_contacts);
                }
            }
        }
        Ok(links)
    }
}

pub(super) struct Writer {
    pub(super) writer: IndexWriter,
    pub(super) reader: IndexReader,
    pub(super) fields: Fields,
    pub(super) engine: SharedEngine,
    pub(super) links: Links,
    /// What readers see of the contacts that are signs; updated after each commit.
    pub(super) signs: Signs,
}

impl Writer {
    /// Runs until every sender is gone.
    pub(super) fn run(mut self, mut jobs: mpsc::Receiver<Job>) {
        while let Some(first) = jobs.blocking_recv() {
            let mut group = vec![first];
            let mut size = group[0].adverts.len();
            while size < MAX_GROUP {
                match jobs.try_recv() {
                    Ok(job) => {
                        size += job.adverts.len();
                        group.push(job);
                    }
                    Err(_) => break,
                }
            }
            let batches: Vec<Vec<(crate::advert::Advert, Report)>> = group
                .iter_mut()
                .map(|j| std::mem::take(&mut j.adverts))
                .collect();
            match self.apply(batches) {
                Ok(stored) => {
                    for (job, stored) in group.into_iter().zip(stored) {
                        // A caller that went away does not need its answer.
                        let _ = job.ack.send(Ok(stored));
                    }
                }
                Err(e) => {
                    tracing::error!(error = %e, "commit failed; batch not stored");
                    // Undo what was added since the last commit; links are rebuilt to match.
                    if let Err(e) = self.writer.rollback() {
                        tracing::error!(error = %e, "rollback failed; the index writer stops");
                        for job in group {
                            let _ = job.ack.send(Err(e.to_string()));
                        }
                        return;
                    }
                    match Links::rebuild(&self.reader, self.fields) {
                        Ok(links) => {
                            self.links = links;
                            self.signs.reset(&self.links.contacts);
                        }
                        Err(e) => tracing::error!(error = %e, "rebuilding links failed"),
                    }
                    for job in group {
                        let _ = job.ack.send(Err(e.to_string()));
                    }
                }
            }
        }
        if let Err(e) = self.writer.wait_merging_threads() {
            tracing::warn!(error = %e, "index merge did not finish");
        }
    }

    /// Adds the batches, updates adverts whose links changed, and commits.
    fn apply(
        &mut self,
        batches: Vec<Vec<(crate::advert::Advert, Report)>>,
    ) -> Result<Vec<Vec<Ack>>, StoreError> {
        let engine = self.engine.load_full();
        let stored_at = humantime::format_rfc3339_seconds(SystemTime::now()).to_string();
        let mut pending: HashMap<String, StoredAdvert> = HashMap::new();
        let mut order: Vec<Vec<String>> = Vec::new();
        let mut touched: BTreeSet<String> = BTreeSet::new();
        // Whether each contact the batches touch was a sign before them.
        let mut was_sign: HashMap<String, bool> = HashMap::new();
        for batch in batches {
            let mut ids = Vec::with_capacity(batch.len());
            for (advert, report) in batch {
                let keys: Vec<String> = contacts_of(&report.entities)
                    .into_iter()
                    .map(|c| c.key)
                    .collect();
                let contacts = &self.links.contacts;
                for c in contacts
                    .contacts_of_advert(&advert.id)
                    .chain(keys.iter().map(String::as_str))
                {
                    if !was_sign.contains_key(c) {
                        was_sign.insert(c.to_string(), contacts.sharing(c).is_sign());
                    }
                }
                touched.extend(self.links.contacts.insert(
                    &advert.id,
                    &keys,
                    employer_of(&report.entities),
                ));
                let group = self
                    .links
                    .duplicates
                    .assign(&advert.id, signature(&advert.title, &advert.text));
                ids.push(advert.id.clone());
                let first_seen = self
                    .links
                    .first_seen
                    .entry(advert.id.clone())
                    .or_insert_with(|| stored_at.clone())
                    .clone();
                pending.insert(
                    advert.id.clone(),
                    StoredAdvert {
                        advert,
                        report,
                        group,
                        stored_at: stored_at.clone(),
                        first_seen: Some(first_seen),
                        shared_contacts: Default::default(),
                    },
                );
            }
            order.push(ids);
        }
        // Adverts already stored with a contact that started or stopped being a sign.
        let searcher = self.reader.searcher();
        let mut neighbours: BTreeSet<String> = BTreeSet::new();
        let flipped = touched.iter().filter(|c| {
            was_sign.get(*c).copied().unwrap_or(false) != self.links.contacts.sharing(c).is_sign()
        });
        for c in flipped {
            neighbours.extend(
                self.links
                    .contacts
                    .adverts_with(c)
                    .filter(|id| !pending.contains_key(*id))
                    .map(str::to_string),
            );
        }
        let mut updated = Vec::new();
        let none = BTreeMap::new();
        for id in neighbours {
            let then = self.links.written.get(&id).unwrap_or(&none);
            if !needs_rewrite(then, &self.links.shared_now(&id)) {
                continue;
            }
            if let Some(mut old) = get_by_id(&searcher, self.fields, &id)? {
                self.relink(&engine, &mut old);
                updated.push(old);
            }
        }
        for stored in pending.values_mut() {
            self.relink(&engine, stored);
        }
        for stored in pending.values().chain(&updated) {
            if stored.shared_contacts.is_empty() {
                self.links.written.remove(&stored.advert.id);
            } else {
                self.links
                    .written
                    .insert(stored.advert.id.clone(), stored.shared_contacts.clone());
            }
        }
        for stored in pending.values().chain(&updated) {
            self.writer
                .delete_term(Term::from_field_text(self.fields.id, &stored.advert.id));
            self.writer.add_document(self.document(stored)?)?;
        }
        self.writer.commit()?;
        // The batch is durable now; a reader that fails to reload only delays its visibility.
        if let Err(e) = self.reader.reload() {
            tracing::error!(error = %e, "reloading the index reader failed after a commit");
        }
        self.signs
            .update(&self.links.contacts, touched.iter().map(String::as_str));
        Ok(order
            .into_iter()
            .map(|ids| {
                ids.iter()
                    .filter_map(|id| pending.get(id).map(Ack::of))
                    .collect()
            })
            .collect())
    }

    /// Brings an advert's shared-contact reasons up to date and rescores it. The caller decides
    /// when a stored advert needs it ([`needs_rewrite`]): only when a contact starts or stops
    /// being a sign, so a contact in thousands of adverts does not rewrite them all on every new
    /// one.
    fn relink(&self, engine: &crate::engine::Engine, stored: &mut StoredAdvert) {
        let mut reasons = Vec::new();
        let mut shared = BTreeMap::new();
        for contact in contacts_of(&stored.report.entities) {
            let sharing = self.links.contacts.sharing(&contact.key);
            if sharing.is_sign() {
                let evidence = stored.advert.evidence(&contact.span);
                reasons.push(links::shared_contact_reason(&contact, sharing, evidence));
                shared.insert(contact.key, sharing.adverts);
            }
        }
        let report = &mut stored.report;
        report.reasons.retain(|r| r.indicator != SHARED_CONTACT);
        report.reasons.extend(reasons);
        report
            .reasons
            .sort_by_key(|r| (r.field.is_none(), r.field, r.start, r.end));
        engine.rescore(report);
        stored.shared_contacts = shared;
    }

    fn document(&self, stored: &StoredAdvert) -> Result<TantivyDocument, StoreError> {
        let f = self.fields;
        let r = &stored.report;
        let a = &stored.advert;
        let mut doc = TantivyDocument::default();
        doc.add_text(f.id, &a.id);
        for field in [f.words, f.stems] {
            doc.add_text(field, &a.title);
            doc.add_text(field, &a.text);
        }
        doc.add_text(f.level, r.level.as_str());
        doc.add_u64(f.score, u64::from(r.score));
        let indicators: BTreeSet<&str> = r
            .reasons
            .iter()
            .filter(|x| x.weight > 0)
            .map(|x| x.indicator.as_str())
            .collect();
        for i in indicators {
            doc.add_text(f.indicators, i);
        }
        doc.add_text(f.language, r.language.as_str());
        doc.add_text(f.kind, r.kind.as_str());
        doc.add_text(f.source, a.source.as_deref().unwrap_or(""));
        let date = a
            .posted_at
            .as_deref()
            .and_then(|d| parse_date(d).ok())
            .or_else(|| parse_date(&stored.stored_at).ok())
            .unwrap_or_else(|| tantivy::DateTime::from_timestamp_secs(0));
        doc.add_date(f.date, date);
        for c in contacts_of(&r.entities) {
            doc.add_text(f.contacts, &c.key);
        }
        doc.add_text(f.group, &stored.group);
        // The summary is stored before the whole advert: a search reads stored fields in this
        // order and stops at the summary (`super::stored_text`).
        let summary = serde_json::to_string(&super::hit_of(stored))
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        doc.add_text(f.summary, &summary);
        let json = serde_json::to_string(stored).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        doc.add_text(f.doc, &json);
        Ok(doc)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rewrites_only_when_a_sign_starts_or_stops() {
        let m = |pairs: &[(&str, usize)]| -> BTreeMap<String, usize> {
            pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
        };
        assert!(!needs_rewrite(&m(&[("p", 2)]), &m(&[("p", 3)])));
        assert!(!needs_rewrite(&m(&[("p", 3)]), &m(&[("p", 4000)])));
        assert!(needs_rewrite(&m(&[("p", 3)]), &m(&[("q", 3)])));
        assert!(needs_rewrite(&m(&[("p", 3)]), &m(&[("p", 3), ("q", 3)])));
        assert!(needs_rewrite(&m(&[]), &m(&[("p", 2)])));
        assert!(needs_rewrite(&m(&[("p", 2)]), &m(&[])));
        assert!(!needs_rewrite(&m(&[]), &m(&[])));
    }
}
