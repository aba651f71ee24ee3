//! Reviews: an inspector's decision on a stored advert (`reviewed`, `false_alarm`, `confirmed`,
//! `referred`), with a note, who made it and when. Every decision is appended to a log, one JSON
//! object per line, and synced to disk before it is acknowledged; nothing in the log is ever
//! rewritten, so the log is the advert's audit trail. The log is keyed by advert id and lives
//! beside the index, so re-ingesting an advert keeps its review.

use std::collections::HashMap;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, RwLock};

use serde::{Deserialize, Serialize};

use super::StoreError;

/// Where an advert stands in review.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Not looked at yet.
    #[default]
    New,
    /// Looked at; no decision either way.
    Reviewed,
    /// Not a risk: a false alarm.
    FalseAlarm,
    /// A confirmed risk.
    Confirmed,
    /// Referred to the police or the labour inspectorate.
    Referred,
}

impl Status {
    /// Every status, in the order of the facet.
    pub const ALL: [Status; 5] = [
        Status::New,
        Status::Reviewed,
        Status::FalseAlarm,
        Status::Confirmed,
        Status::Referred,
    ];

    /// The name used in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::New => "new",
            Status::Reviewed => "reviewed",
            Status::FalseAlarm => "false_alarm",
            Status::Confirmed => "confirmed",
            Status::Referred => "referred",
        }
    }

    /// A status by its API name (case and surrounding space ignored).
    pub fn parse(s: &str) -> Option<Status> {
        let s = s.trim().to_ascii_lowercase();
        Status::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// One decision.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Review {
    /// The status it sets.
    pub status: Status,
    /// Why, in the reviewer's words.
    #[serde(default)]
    pub note: String,
    /// Who: the name of the API key it was made with.
    #[serde(default)]
    pub by: String,
    /// When (RFC 3339, UTC); empty for an advert never reviewed.
    #[serde(default)]
    pub at: String,
}

/// A line of the log.
#[derive(Debug, Serialize, Deserialize)]
struct Entry {
    id: String,
    #[serde(flatten)]
    review: Review,
}

/// The longest note kept, in characters.
pub const MAX_NOTE_CHARS: usize = 4000;

/// The review log of a store.
#[derive(Debug)]
pub struct Reviews {
    path: PathBuf,
    /// Appends are made one at a time.
    file: Mutex<()>,
    /// Every advert's decisions, oldest first.
    history: RwLock<HashMap<String, Vec<Review>>>,
}

impl Reviews {
    /// Reads the log at `path` (none yet is an empty log). A line that cannot be read (the
    /// last one, cut short by a crash before it was acknowledged) is skipped with a warning and
    /// left in the file.
    pub fn open(path: &Path) -> Result<Reviews, StoreError> {
        let mut history: HashMap<String, Vec<Review>> = HashMap::new();
        match std::fs::read_to_string(path) {
            Ok(text) => {
                for (n, line) in text.lines().enumerate() {
                    if line.trim().is_empty() {
                        continue;
                    }
                    match serde_json::from_str::<Entry>(line) {
                        Ok(e) => history.entry(e.id).or_default().push(e.review),
                        Err(e) => tracing::warn!(
                            file = %path.display(),
                            line = n + 1,
                            error = %e,
                            "review log line skipped"
                        ),
                    }
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(StoreError::Io(e)),
        }
        Ok(Reviews {
            path: path.to_path_buf(),
            file: Mutex::new(()),
            history: RwLock::new(history),
        })
    }

    /// Appends a decision about advert `id` and syncs it to disk; returns the advert's
    /// history, newest last.
    pub fn record(&self, id: &str, review: Review) -> Result<Vec<Review>, StoreError> {
        let line = serde_json::to_string(&Entry {
            id: id.to_string(),
            review: review.clone(),
        })
        .map_err(|e| StoreError::Commit(e.to_string()))?;
        {
            let _one_at_a_time = self
                .file
                .lock()
                .map_err(|_| StoreError::Commit("review log lock poisoned".into()))?;
            let created = !self.path.exists();
            let mut file = std::fs::OpenOptions::new()
                .create(true)
                .read(true)
                .append(true)
                .open(&self.path)?;
            // A line cut short by a crash is closed first, so that it stays one bad line.
            let len = file.metadata()?.len();
            let mut out = Vec::with_capacity(line.len() + 2);
            if len > 0 {
                let mut last = [0u8; 1];
                file.seek(SeekFrom::Start(len - 1))?;
                file.read_exact(&mut last)?;
                if last[0] != b'\n' {
                    out.push(b'\n');
                }
            }
            out.extend_from_slice(line.as_bytes());
            out.push(b'\n');
            file.write_all(&out)?;
            file.sync_data()?;
            if created {
                // The new file's name must survive a crash too.
                if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::File::open(dir)?.sync_all()?;
                }
            }
        }
        let mut history = self
            .history
            .write()
            .map_err(|_| StoreError::Commit("review history lock poisoned".into()))?;
        let list = history.entry(id.to_string()).or_default();
        list.push(review);
        Ok(list.clone())
    }

    /// An advert's decisions, oldest first.
    pub fn history(&self, id: &str) -> Vec<Review> {
        self.history
            .read()
            .ok()
            .and_then(|h| h.get(id).cloned())
            .unwrap_or_default()
    }

    /// An advert's current review: its last decision, or `new`.
    pub fn current(&self, id: &str) -> Review {
        self.history(id).pop().unwrap_or_default()
    }

    /// The ids of the adverts whose current status is `status` (never asked for `new`, which
    /// is every advert without a decision).
    pub fn ids_with(&self, status: Status) -> Vec<String> {
        self.history
            .read()
            .map(|h| {
                h.iter()
                    .filter(|(_, list)| list.last().is_some_and(|r| r.status == status))
                    .map(|(id, _)| id.clone())
                    .collect()
            })
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn review(status: Status, note: &str) -> Review {
        Review {
            status,
            note: note.into(),
            by: "inspector".into(),
            at: "2026-12-07T10:00:00Z".into(),
        }
    }

    #[test]
    fn decisions_are_kept_in_order_and_read_back_after_reopening() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("reviews.jsonl");
        let log = Reviews::open(&path).expect("open");
        assert_eq!(log.current("a").status, Status::New);
        log.record("a", review(Status::Reviewed, "looked"))
            .expect("record");
        let history = log
            .record("a", review(Status::Confirmed, "passport kept"))
            .expect("record");
        assert_eq!(history.len(), 2);
        log.record("b", review(Status::FalseAlarm, ""))
            .expect("record");
        drop(log);
        let log = Reviews::open(&path).expect("reopen");
        let statuses: Vec<Status> = log.history("a").iter().map(|r| r.status).collect();
        assert_eq!(statuses, [Status::Reviewed, Status::Confirmed]);
        assert_eq!(log.current("a").note, "passport kept");
        assert_eq!(log.ids_with(Status::Confirmed), ["a"]);
        assert_eq!(log.ids_with(Status::FalseAlarm), ["b"]);
        assert!(log.ids_with(Status::Reviewed).is_empty());
    }

    #[test]
    fn a_line_cut_short_is_skipped_and_never_rewritten() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("reviews.jsonl");
        std::fs::write(
            &path,
            "{\"id\":\"a\",\"status\":\"confirmed\",\"note\":\"\",\"by\":\"x\",\"at\":\"t\"}\n{\"id\":\"b\",\"sta",
        )
        .expect("write");
        let log = Reviews::open(&path).expect("open");
        assert_eq!(log.current("a").status, Status::Confirmed);
        assert_eq!(log.current("b").status, Status::New);
        log.record("b", review(Status::Referred, "police"))
            .expect("record");
        let text = std::fs::read_to_string(&path).expect("read");
        assert!(
            text.contains("{\"id\":\"b\",\"sta\n"),
            "the cut line stays: {text}"
        );
        let log = Reviews::open(&path).expect("reopen");
        assert_eq!(log.current("b").status, Status::Referred);
    }

    #[test]
    fn statuses_parse_by_name() {
        assert_eq!(Status::parse(" False_Alarm "), Some(Status::FalseAlarm));
        assert_eq!(Status::parse("done"), None);
        for s in Status::ALL {
            assert_eq!(Status::parse(s.as_str()), Some(s));
        }
    }
}
