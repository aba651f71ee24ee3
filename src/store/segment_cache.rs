//! Per-segment values decoded once from tantivy's fast fields and kept between searches.
//!
//! Fast-field columns are compressed; reading them for every match of a broad search cost more
//! than the search itself. A segment's documents never change (deletions are applied by tantivy
//! before documents reach a collector), so what is decoded from a segment stays right until the
//! segment is merged away.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use tantivy::index::SegmentId;
use tantivy::{Searcher, SegmentReader};

/// Values decoded from one segment.
pub trait Decode: Sized {
    /// Reads the values of every document of the segment.
    fn decode(reader: &SegmentReader) -> tantivy::Result<Self>;
}

/// The decoded values of the segments searches have met.
#[derive(Debug)]
pub struct SegmentCache<T> {
    segments: Mutex<HashMap<SegmentId, Arc<T>>>,
}

impl<T> Default for SegmentCache<T> {
    fn default() -> SegmentCache<T> {
        SegmentCache {
            segments: Mutex::new(HashMap::new()),
        }
    }
}

impl<T: Decode> SegmentCache<T> {
    /// Forgets segments the searcher no longer has (merged away or deleted).
    pub fn keep_only(&self, searcher: &Searcher) {
        let live: HashSet<SegmentId> = searcher
            .segment_readers()
            .iter()
            .map(SegmentReader::segment_id)
            .collect();
        self.lock().retain(|id, _| live.contains(id));
    }

    /// The values of a segment, decoded now if this is the first search to meet it.
    pub fn get(&self, reader: &SegmentReader) -> tantivy::Result<Arc<T>> {
        if let Some(values) = self.lock().get(&reader.segment_id()) {
            return Ok(values.clone());
        }
        // Decoded outside the lock: two searches meeting a new segment at once both decode it,
        // rather than every other search waiting.
        let values = Arc::new(T::decode(reader)?);
        self.lock().insert(reader.segment_id(), values.clone());
        Ok(values)
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<SegmentId, Arc<T>>> {
        // The map holds no invariant a panic elsewhere could break.
        self.segments.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
