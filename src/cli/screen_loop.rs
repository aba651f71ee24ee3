//! The screening loop of `adscreen scan`. A reader thread parses the inputs and hands over
//! records; the screening side takes whatever has arrived (up to a batch), screens it on every
//! core, and writes, flushes and counts the results in input order. Under a fast input the
//! batches are full and every core is busy; under a slow one (a pipe fed a line at a time) each
//! record is screened and its report written out as soon as it arrives.

use std::io::{self, Write};
use std::sync::Arc;
use std::sync::mpsc;

use anyhow::{Result, anyhow};
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
/// Entries the reader may run ahead of the screening.
const QUEUE: usize = 4 * BATCH_RECORDS;

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

/// What the reader hands over, in input order.
pub(crate) enum Entry {
    /// A record of the named input.
    Record(Arc<str>, Record),
    /// An input that could not be opened: the message.
    Unreadable(String),
    /// An input that failed part-way (the records before were handed over): the message.
    Failed(String),
    /// Something to tell about the input (the format guessed for stdin): the message.
    Note(String),
}

/// Runs `read` on a thread of its own and screens what it hands over. `read` gets a function
/// that takes an entry and returns `false` once nothing more is wanted (the output failed).
/// Returns the counts and the first error writing the output, if any.
pub(crate) fn scan<W, R>(
    engine: &Engine,
    writer: &mut Writer<W>,
    progress: &ProgressBar,
    only_flagged: bool,
    read: R,
) -> Result<(Summary, Option<io::Error>)>
where
    W: Write,
    R: FnOnce(&dyn Fn(Entry) -> bool) -> Result<()> + Send,
{
    std::thread::scope(|scope| {
        let (send, received) = mpsc::sync_channel::<Entry>(QUEUE);
        let reader = scope.spawn(move || read(&|entry| send.send(entry).is_ok()));
        let mut scanner = Scanner {
            engine,
            writer,
            progress,
            only_flagged,
            summary: Summary::default(),
            write_error: None,
        };
        let mut batch = Vec::with_capacity(BATCH_RECORDS);
        while let Ok(first) = received.recv() {
            let mut bytes = 0;
            let mut next = Ok(first);
            while let Ok(entry) = next {
                if let Entry::Record(_, Ok(advert)) = &entry {
                    bytes += advert.title.len() + advert.text.len();
                }
                batch.push(entry);
                if batch.len() >= BATCH_RECORDS || bytes >= BATCH_BYTES {
                    break;
                }
                // An empty queue means the input is slower than screening: go on at once.
                next = received.try_recv();
            }
            scanner.screen(std::mem::take(&mut batch));
            if scanner.write_error.is_none() {
                scanner.write_error = scanner.writer.flush().err();
            }
            if scanner.write_error.is_some() {
                break;
            }
        }
        // The reader sees the channel closed and stops.
        drop(received);
        reader
            .join()
            .map_err(|_| anyhow!("the thread reading the input failed"))??;
        Ok((scanner.summary, scanner.write_error))
    })
}

/// Writes and counts screened entries.
struct Scanner<'a, W: Write> {
    engine: &'a Engine,
    writer: &'a mut Writer<W>,
    progress: &'a ProgressBar,
    only_flagged: bool,
    summary: Summary,
    /// The first error writing the output; nothing more is written after it.
    write_error: Option<io::Error>,
}

impl<W: Write> Scanner<'_, W> {
    /// Screens a batch on every core, then writes and counts it in order.
    fn screen(&mut self, batch: Vec<Entry>) {
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
                (Entry::Unreadable(message), _) => {
                    self.summary.unreadable += 1;
                    self.progress.suspend(|| eprintln!("adscreen: {message}"));
                }
                (Entry::Note(message), _) => {
                    self.progress.suspend(|| eprintln!("adscreen: {message}"));
                }
                (Entry::Failed(message), _) => {
                    self.summary.bad += 1;
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
