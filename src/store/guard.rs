//! The index directory as the store found it: a check that it is what the server wrote before
//! anything opens it, and a directory that never deletes files the server cannot account for.
//!
//! tantivy treats a directory without `meta.json` as a new index, and its garbage collection then
//! deletes every segment file listed in `.managed.json`; a `meta.json` that names missing files
//! fails later, in a background thread. [`check`] refuses both states with a message that names
//! the file and says how to recover, and [`Guarded`] deletes only files written in this run or
//! replaced segments of the index as it was opened.

use std::collections::HashSet;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use tantivy::directory::error::{DeleteError, LockError, OpenReadError, OpenWriteError};
use tantivy::directory::{
    Directory, DirectoryLock, FileHandle, Lock, MmapDirectory, WatchCallback, WatchHandle, WritePtr,
};

use super::StoreError;

/// The file that says which segments make the index.
pub const META: &str = "meta.json";

/// Files tantivy keeps beside the segments that are not index data.
const BOOKKEEPING: [&str; 4] = [
    ".managed.json",
    ".tantivy-meta.lock",
    ".tantivy-writer.lock",
    ".tantivy-indexing.lock",
];

/// How to get an index back when its state is not what the server wrote.
const RECOVER: &str = "Restore the file from a backup (or move it back) and start again; to begin \
     with an empty index instead, move the whole index directory away first. adscreen changes \
     nothing in the directory while it is in this state.";

/// The files of one segment that must exist, and those it may have.
struct SegmentFiles {
    required: Vec<PathBuf>,
    optional: Vec<PathBuf>,
}

/// The files a `meta.json` names, relative to the index directory (read from its JSON, as tantivy
/// writes it: each segment's id and its deletes).
fn files_of_meta(meta: &[u8]) -> Result<Vec<SegmentFiles>, String> {
    let meta: serde_json::Value = serde_json::from_slice(meta).map_err(|e| e.to_string())?;
    let segments = meta
        .get("segments")
        .and_then(serde_json::Value::as_array)
        .ok_or("it has no list of segments")?;
    segments
        .iter()
        .map(|segment| {
            let id: String = segment
                .get("segment_id")
                .and_then(serde_json::Value::as_str)
                .ok_or("a segment has no id")?
                .chars()
                .filter(|c| *c != '-')
                .collect::<String>()
                .to_ascii_lowercase();
            if id.len() != 32 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(format!("a segment id {id:?} is not a UUID"));
            }
            let file = |ext: &str| PathBuf::from(format!("{id}.{ext}"));
            let mut required: Vec<PathBuf> = ["idx", "pos", "term", "store", "fast", "fieldnorm"]
                .iter()
                .map(|ext| file(ext))
                .collect();
            let mut optional = vec![file("store.temp")];
            match segment.get("deletes").filter(|d| !d.is_null()) {
                Some(deletes) => {
                    let opstamp = deletes
                        .get("opstamp")
                        .and_then(serde_json::Value::as_u64)
                        .ok_or("a segment's deletes have no opstamp")?;
                    required.push(file(&format!("{opstamp}.del")));
                }
                None => optional.push(file("0.del")),
            }
            Ok(SegmentFiles { required, optional })
        })
        .collect()
}

/// Checks an index directory before it is opened: an empty or missing directory is a new index;
/// otherwise `meta.json` must be there, readable, and every file it names must exist. Returns the
/// files of the committed index (which merges of this run may replace).
pub fn check(dir: &Path) -> Result<HashSet<PathBuf>, StoreError> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(HashSet::new()),
        Err(source) => {
            return Err(StoreError::Dir {
                path: dir.to_path_buf(),
                source,
            });
        }
    };
    let mut data_files = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|source| StoreError::Dir {
            path: dir.to_path_buf(),
            source,
        })?;
        let name = entry.file_name().to_string_lossy().into_owned();
        // Folders (`lost+found` on a fresh mount) and tantivy's temporary files of an interrupted
        // first write are not index data.
        let folder = entry.file_type().is_ok_and(|t| t.is_dir());
        if !folder
            && !name.starts_with(".tmp")
            && name != META
            && !BOOKKEEPING.contains(&name.as_str())
        {
            data_files.push(name);
        }
    }
    let managed = dir.join(".managed.json");
    match std::fs::read(&managed) {
        Ok(bytes) if serde_json::from_slice::<Vec<PathBuf>>(&bytes).is_err() => {
            return Err(StoreError::Damaged(format!(
                "{} is damaged. Restore it from a backup, or move it away: it only lists the \
                 files the index may delete later, and without it none of the old ones is",
                managed.display()
            )));
        }
        Err(e) if e.kind() != io::ErrorKind::NotFound => {
            return Err(unusable(&managed, &format!("cannot be read: {e}")));
        }
        _ => {}
    }
    let meta_path = dir.join(META);
    let meta = match std::fs::read(&meta_path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == io::ErrorKind::NotFound && data_files.is_empty() => {
            return Ok(HashSet::new());
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            data_files.sort();
            return Err(unusable(
                &meta_path,
                &format!(
                    "is missing, but the directory holds index files ({}{})",
                    data_files
                        .iter()
                        .take(3)
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(", "),
                    if data_files.len() > 3 { ", ..." } else { "" }
                ),
            ));
        }
        Err(e) => return Err(unusable(&meta_path, &format!("cannot be read: {e}"))),
    };
    let segments = files_of_meta(&meta)
        .map_err(|e| unusable(&meta_path, &format!("is not a valid index state: {e}")))?;
    let files: Vec<PathBuf> = segments.iter().flat_map(|s| s.required.clone()).collect();
    let missing: Vec<&PathBuf> = files.iter().filter(|f| !dir.join(f).is_file()).collect();
    if let Some(first) = missing.first() {
        return Err(unusable(
            &dir.join(first),
            &format!(
                "is named by {} but missing ({} of its {} files are missing)",
                meta_path.display(),
                missing.len(),
                files.len()
            ),
        ));
    }
    Ok(segments
        .into_iter()
        .flat_map(|s| s.required.into_iter().chain(s.optional))
        .collect())
}

fn unusable(path: &Path, what: &str) -> StoreError {
    StoreError::Damaged(format!("{} {what}. {RECOVER}", path.display()))
}

/// A message for damaged files found by checksum, naming them and how to recover.
pub fn damaged(dir: &Path, files: &[PathBuf]) -> StoreError {
    let names: Vec<String> = files
        .iter()
        .map(|f| dir.join(f).display().to_string())
        .collect();
    StoreError::Damaged(format!(
        "{} of the index failed its checksum: {}. {RECOVER}",
        if names.len() == 1 { "a file" } else { "files" },
        names.join(", ")
    ))
}

/// An index directory that deletes only what this run wrote, or a file of the committed index it
/// opened (a segment a merge of this run replaced). Any other file is kept, and said so once.
#[derive(Clone, Debug)]
pub struct Guarded {
    inner: MmapDirectory,
    deletable: Arc<Mutex<HashSet<PathBuf>>>,
    kept: Arc<Mutex<HashSet<PathBuf>>>,
}

impl Guarded {
    /// Wraps an opened directory; `committed` are the files of the index as opened.
    pub fn new(inner: MmapDirectory, committed: HashSet<PathBuf>) -> Guarded {
        Guarded {
            inner,
            deletable: Arc::new(Mutex::new(committed)),
            kept: Arc::new(Mutex::new(HashSet::new())),
        }
    }

    fn wrote(&self, path: &Path) {
        if let Ok(mut d) = self.deletable.lock() {
            d.insert(path.to_path_buf());
        }
    }
}

impl Directory for Guarded {
    fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
        self.inner.get_file_handle(path)
    }

    fn delete(&self, path: &Path) -> Result<(), DeleteError> {
        let ours = self.deletable.lock().is_ok_and(|d| d.contains(path));
        if ours {
            return self.inner.delete(path);
        }
        if self
            .kept
            .lock()
            .is_ok_and(|mut k| k.insert(path.to_path_buf()))
        {
            tracing::warn!(
                file = %path.display(),
                "kept a file the index no longer uses: this run did not write it"
            );
        }
        // An error keeps the file in tantivy's list of its files, so it is still known there.
        Err(DeleteError::IoError {
            io_error: Arc::new(io::Error::new(
                io::ErrorKind::PermissionDenied,
                "adscreen deletes only files it wrote in this run",
            )),
            filepath: path.to_path_buf(),
        })
    }

    fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
        self.inner.exists(path)
    }

    fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
        let w = self.inner.open_write(path)?;
        self.wrote(path);
        Ok(w)
    }

    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
        self.inner.atomic_read(path)
    }

    fn atomic_write(&self, path: &Path, data: &[u8]) -> io::Result<()> {
        self.inner.atomic_write(path, data)?;
        self.wrote(path);
        Ok(())
    }

    fn sync_directory(&self) -> io::Result<()> {
        self.inner.sync_directory()
    }

    fn acquire_lock(&self, lock: &Lock) -> Result<DirectoryLock, LockError> {
        self.inner.acquire_lock(lock)
    }

    fn watch(&self, watch_callback: WatchCallback) -> tantivy::Result<WatchHandle> {
        self.inner.watch(watch_callback)
    }
}
