//! A query that stops matching once its deadline has passed, so a search whose request has timed
//! out does not go on taking a core.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use tantivy::query::{EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, SegmentReader, TERMINATED};

/// Matches seen between two looks at the clock.
const EVERY: u32 = 1024;

/// `inner`, cut short at `deadline`; `expired` says afterwards whether it was.
#[derive(Debug)]
pub(super) struct Deadline {
    pub inner: Box<dyn Query>,
    pub deadline: Instant,
    pub expired: Arc<AtomicBool>,
}

impl Clone for Deadline {
    fn clone(&self) -> Deadline {
        Deadline {
            inner: self.inner.box_clone(),
            deadline: self.deadline,
            expired: self.expired.clone(),
        }
    }
}

impl Query for Deadline {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(DeadlineWeight {
            inner: self.inner.weight(enable_scoring)?,
            deadline: self.deadline,
            expired: self.expired.clone(),
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a tantivy::Term, bool)) {
        self.inner.query_terms(visitor);
    }
}

struct DeadlineWeight {
    inner: Box<dyn Weight>,
    deadline: Instant,
    expired: Arc<AtomicBool>,
}

impl Weight for DeadlineWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(Box::new(DeadlineScorer {
            inner: self.inner.scorer(reader, boost)?,
            deadline: self.deadline,
            expired: self.expired.clone(),
            until_look: 0,
            stopped: false,
        }))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        self.inner.explain(reader, doc)
    }
}

struct DeadlineScorer {
    inner: Box<dyn Scorer>,
    deadline: Instant,
    expired: Arc<AtomicBool>,
    until_look: u32,
    stopped: bool,
}

impl DeadlineScorer {
    /// Whether to stop: the deadline is looked at once per [`EVERY`] steps.
    fn out_of_time(&mut self) -> bool {
        if self.stopped {
            return true;
        }
        if self.until_look == 0 {
            self.until_look = EVERY;
            if self.expired.load(Ordering::Relaxed) || Instant::now() >= self.deadline {
                self.expired.store(true, Ordering::Relaxed);
                self.stopped = true;
                return true;
            }
        }
        self.until_look -= 1;
        false
    }
}

impl DocSet for DeadlineScorer {
    fn advance(&mut self) -> DocId {
        if self.out_of_time() {
            return TERMINATED;
        }
        self.inner.advance()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.out_of_time() {
            return TERMINATED;
        }
        self.inner.seek(target)
    }

    fn doc(&self) -> DocId {
        if self.stopped {
            TERMINATED
        } else {
            self.inner.doc()
        }
    }

    fn size_hint(&self) -> u32 {
        self.inner.size_hint()
    }
}

impl Scorer for DeadlineScorer {
    fn score(&mut self) -> Score {
        self.inner.score()
    }
}
