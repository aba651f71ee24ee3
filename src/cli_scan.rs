//! The screening loop of `adscreen scan`: records are gathered in batches, each batch is
//! screened on every core, and the results are written and counted in input order.

use std::io::{self, Write};

use indicatif::ProgressBar;
use rayon::prelude::*;

use adscreen::engine::Engine;
use adscreen::ingest::Record;
use adscreen::output::Writer;
use adscreen::report::Report;
use adscreen::score::Level;

/// Records per batch: enough to keep every core busy, few enough to show progress.
const BATCH_RECORDS: usize = 256;
/// Text per batch: a few very large adverts make a batch on their own.
const BATCH_BYTES: usize = 8 << 20;

/// Counts of a scan, printed at the end.
#[derive(Debug, Default)]
pub(crate) struct Summary {
    pub screened: usize,
    pub flagged: usize,
    pub high: usize,
    pub medium: usize,
    pub bad: usize,
    pub unreadable: usize,
}

/// What a batch holds, in input order: records, and messages about the input to print between
/// them.
enum Entry {
    Record(String, Record),
    Note(String),
}

/// Screens records in batches and writes their reports in the order they were read.
pub(crate) struct Scanner<'a, W: Write> {
    engine: &'a Engine,
    writer: &'a mut Writer<W>,
    progress: &'a ProgressBar,
    only_flagged: bool,
    pub summary: Summary,
    /// The first error writing the output; nothing more is screened after it.
    pub write_error: Option<io::Error>,
    batch: Vec<Entry>,
    batch_bytes: usize,
}

impl<'a, W: Write> Scanner<'a, W> {
    pub fn new(
        engine: &'a Engine,
        writer: &'a mut Writer<W>,
        progress: &'a ProgressBar,
        only_flagged: bool,
    ) -> Self {
        Scanner {
            engine,
            writer,
            progress,
            only_flagged,
            summary: Summary::default(),
            write_error: None,
            batch: Vec::with_capacity(BATCH_RECORDS),
            batch_bytes: 0,
        }
    }

    /// Adds a record read from input `name`; screens the batch when it is full.
    pub fn push(&mut self, name: &str, record: Record) {
        if self.write_error.is_some() {
            return;
        }
        if let Ok(advert) = &record {
            self.batch_bytes += advert.title.len() + advert.text.len();
        }
        self.batch.push(Entry::Record(name.to_string(), record));
        if self.batch.len() >= BATCH_RECORDS || self.batch_bytes >= BATCH_BYTES {
            self.flush();
        }
    }

    /// Prints a message about the input (an unreadable file) after the records read before it.
    pub fn note(&mut self, message: String) {
        self.batch.push(Entry::Note(message));
    }

    /// Screens the records gathered so far, then writes and counts them in order.
    pub fn flush(&mut self) {
        let batch = std::mem::take(&mut self.batch);
        self.batch_bytes = 0;
        let engine = self.engine;
        let screened: Vec<(Entry, Option<Report>)> = batch
            .into_par_iter()
            .map(|entry| {
                let report = match &entry {
                    Entry::Record(_, Ok(advert)) => Some(engine.screen(advert)),
                    _ => None,
                };
                (entry, report)
            })
            .collect();
        for (entry, report) in screened {
            if self.write_error.is_some() {
                return;
            }
            match (entry, report) {
                (Entry::Record(_, Ok(advert)), Some(report)) => {
                    self.count(&report);
                    if !self.only_flagged || report.flagged {
                        if let Err(e) = self.writer.write(&advert, &report) {
                            self.write_error = Some(e);
                        }
                    }
                }
                (Entry::Record(name, Err(e)), _) => {
                    self.summary.bad += 1;
                    self.progress
                        .suspend(|| eprintln!("adscreen: {name}: {e}; skipped"));
                }
                (Entry::Note(message), _) => {
                    self.progress.suspend(|| eprintln!("adscreen: {message}"));
                }
                (Entry::Record(_, Ok(_)), None) => {}
            }
        }
    }

    fn count(&mut self, report: &Report) {
        self.summary.screened += 1;
        if report.flagged {
            self.summary.flagged += 1;
        }
        match report.level {
            Level::High => self.summary.high += 1,
            Level::Medium => self.summary.medium += 1,
            Level::Low => {}
        }
    }
}
