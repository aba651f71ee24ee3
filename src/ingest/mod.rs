//! Ingest: reading adverts from JSON (an object or an array), NDJSON, CSV (header row, columns by
//! name), plain text (one advert per file), web pages (schema.org `JobPosting` JSON-LD, else the
//! page's main text), RSS and Atom feeds (one advert per item) and Telegram Desktop exports (one
//! advert per message). A bad record (malformed line, invalid UTF-8,
//! missing text, oversized field, an id with a control character) becomes an [`IngestError`]
//! with its line and never stops the others: a record that spreads over lines (an NDJSON object
//! over several lines, a CSV row with a quoted line break) and turns out bad gives its lines
//! after the first back to be read again, so an unclosed brace or quote loses no record after
//! it. Records are handed to a sink one by one, so NDJSON and CSV stream.

mod csv_input;
mod feed;
mod html_text;
mod jobposting;
mod json;
mod lines;
mod page;
mod sniff;
mod telegram;
mod telegram_web;

use std::io::{BufRead, Read};
use std::path::Path;

use crate::advert::{Advert, Kind, Lang};

pub use sniff::{Sniffed, sniff};

/// Largest title or text accepted, in bytes; bigger records are reported and skipped.
pub const MAX_FIELD_BYTES: usize = 4 * 1024 * 1024;

/// Largest record (an NDJSON line or object, a CSV row) read, in bytes: room for a title and a
/// text at their limit. A longer one is reported and skipped; no more than this is held.
pub const MAX_RECORD_BYTES: usize = 2 * MAX_FIELD_BYTES + 4096;

/// An input format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// One JSON object, or an array of objects.
    Json,
    /// One JSON object per line.
    Ndjson,
    /// Comma-separated values with a header row.
    Csv,
    /// The whole file is the text of one advert.
    Text,
    /// A web page: its `JobPosting` JSON-LD, else its main text.
    Html,
    /// An RSS or Atom feed.
    Rss,
    /// A Telegram Desktop export (`result.json`).
    Telegram,
}

impl Format {
    /// The format a file name suggests: `.json` (a Telegram export too), `.jsonl`/`.ndjson`,
    /// `.csv`, `.html`/`.htm`, `.rss`/`.atom`/`.xml`; anything else is text.
    pub fn from_path(path: &Path) -> Format {
        match path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("json") => Format::Json,
            Some("jsonl" | "ndjson") => Format::Ndjson,
            Some("csv") => Format::Csv,
            Some("html" | "htm" | "xhtml") => Format::Html,
            Some("rss" | "atom" | "xml") => Format::Rss,
            _ => Format::Text,
        }
    }
}

impl Format {
    /// How the format is named in messages.
    pub fn describe(self) -> &'static str {
        match self {
            Format::Json => "JSON",
            Format::Ndjson => "NDJSON (JSON objects one after another)",
            Format::Csv => "CSV",
            Format::Text => "text (one advert)",
            Format::Html => "a web page",
            Format::Rss => "an RSS or Atom feed",
            Format::Telegram => "a Telegram export",
        }
    }
}

/// The UTF-8 byte order mark some editors put at the start of a file.
const BOM: &[u8] = b"\xef\xbb\xbf";

/// Why a record (or a whole input) could not be read.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// The input cannot be read at all.
    #[error("cannot read: {0}")]
    Io(#[from] std::io::Error),
    /// The bytes are not UTF-8.
    #[error("line {line}: invalid UTF-8 ({detail})")]
    InvalidUtf8 {
        /// 1-based line.
        line: usize,
        /// Where the bad byte is.
        detail: String,
    },
    /// The JSON does not parse.
    #[error("line {line}: malformed JSON: {detail}")]
    Json {
        /// 1-based line.
        line: usize,
        /// The parser's message.
        detail: String,
    },
    /// The CSV does not parse.
    #[error("line {line}: malformed CSV: {detail}")]
    Csv {
        /// 1-based line.
        line: usize,
        /// The parser's message.
        detail: String,
    },
    /// The record parses but is not a usable advert.
    #[error("line {line}: {detail}")]
    Invalid {
        /// 1-based line.
        line: usize,
        /// What is wrong.
        detail: String,
    },
}

impl IngestError {
    /// The 1-based line of the record, when it has one.
    pub fn line(&self) -> Option<usize> {
        match self {
            IngestError::Io(_) => None,
            IngestError::InvalidUtf8 { line, .. }
            | IngestError::Json { line, .. }
            | IngestError::Csv { line, .. }
            | IngestError::Invalid { line, .. } => Some(*line),
        }
    }
}

/// An advert as it may appear in JSON or CSV: unknown fields are ignored; `body` and
/// `description` are accepted for `text`. (Read from JSON by `json.rs`, which keeps a numeric id
/// exactly as written.)
#[derive(Debug, Default)]
pub(crate) struct RawAdvert {
    pub id: Option<String>,
    pub kind: Option<String>,
    pub title: Option<String>,
    pub text: Option<String>,
    pub body: Option<String>,
    pub description: Option<String>,
    pub source: Option<String>,
    pub posted_at: Option<String>,
    pub lang: Option<String>,
    pub url: Option<String>,
}

impl RawAdvert {
    /// Checks the record and turns it into an advert; `default_id` names an advert without an
    /// id (or with a blank one).
    pub(crate) fn into_advert(
        self,
        line: usize,
        default_id: impl FnOnce(&Advert) -> String,
    ) -> Result<Advert, IngestError> {
        let invalid = |detail: String| IngestError::Invalid { line, detail };
        let id = self.id.filter(|i| !i.trim().is_empty());
        if let Some(c) = id
            .as_deref()
            .and_then(|i| i.chars().find(|c| c.is_control()))
        {
            let shown: String = id.as_deref().unwrap_or_default().chars().take(40).collect();
            return Err(invalid(format!(
                "id {shown:?} contains the control character U+{:04X}; an id must be printable",
                c as u32
            )));
        }
        let text = self
            .text
            .or(self.body)
            .or(self.description)
            .ok_or_else(|| invalid("no text (give `text`, `body` or `description`)".into()))?;
        let title = self.title.unwrap_or_default();
        for (name, value) in [("title", &title), ("text", &text)] {
            if value.len() > MAX_FIELD_BYTES {
                return Err(invalid(format!(
                    "{name} is {} bytes, more than the {MAX_FIELD_BYTES} allowed",
                    value.len()
                )));
            }
        }
        let kind = match self
            .kind
            .as_deref()
            .map(str::trim)
            .filter(|k| !k.is_empty())
        {
            None => None,
            Some(k) => Some(Kind::parse(k).ok_or_else(|| {
                invalid(format!("unknown kind {k:?} (use job, marriage or other)"))
            })?),
        };
        let lang = match self
            .lang
            .as_deref()
            .map(str::trim)
            .filter(|l| !l.is_empty())
        {
            None => None,
            Some(l) => Some(
                Lang::parse(l)
                    .ok_or_else(|| invalid(format!("unknown lang {l:?} (use lv, ru or en)")))?,
            ),
        };
        let mut advert = Advert {
            id: String::new(),
            kind,
            lang,
            title,
            text,
            source: self.source,
            posted_at: self.posted_at,
            url: self.url.filter(|u| !u.trim().is_empty()),
        };
        advert.id = match id {
            Some(id) => id,
            None => default_id(&advert),
        };
        Ok(advert)
    }
}

/// What an advert read without an id is called.
#[derive(Clone, Copy)]
pub enum DefaultId<'a> {
    /// After its input: `NAME:LINE` for a record of NDJSON or CSV, `NAME:N` for the N-th element
    /// of a JSON array, `NAME` for an input that is one advert.
    Named(&'a str),
    /// Computed from the advert read (the HTTP API names an advert by a hash of its content). An
    /// id given in the input is never mistaken for a missing one.
    Computed(&'a dyn Fn(&Advert) -> String),
}

impl DefaultId<'_> {
    /// The id of an advert without one: `at` is its line (element), `None` for a whole input.
    fn of(self, advert: &Advert, at: Option<usize>) -> String {
        match (self, at) {
            (DefaultId::Named(name), Some(n)) => format!("{name}:{n}"),
            (DefaultId::Named(name), None) => name.to_string(),
            (DefaultId::Computed(id), _) => id(advert),
        }
    }
}

/// One record read from an input: an advert or the reason it was skipped.
pub type Record = Result<Advert, IngestError>;

/// Reads every advert of an input and hands each record to `sink`. `name` names the input in
/// assigned ids (`name:line`). An error that stops the whole input (unreadable file, top-level
/// JSON that is not an object or array, a CSV header that cannot be read) is returned; record
/// errors go to the sink.
pub fn read(
    input: impl Read,
    format: Format,
    name: &str,
    sink: impl FnMut(Record),
) -> Result<(), IngestError> {
    read_with(input, format, DefaultId::Named(name), sink)
}

/// [`read`], with adverts without an id named by `ids`.
pub fn read_with(
    input: impl Read,
    format: Format,
    ids: DefaultId<'_>,
    sink: impl FnMut(Record),
) -> Result<(), IngestError> {
    read_from(input, format, ids, None, sink)
}

/// [`read_with`], for an input fetched from `origin` (a page's address, kept as its adverts'
/// `url` when the page names none).
pub fn read_from(
    input: impl Read,
    format: Format,
    ids: DefaultId<'_>,
    origin: Option<&str>,
    mut sink: impl FnMut(Record),
) -> Result<(), IngestError> {
    let mut input = std::io::BufReader::new(input);
    if input.fill_buf()?.starts_with(BOM) {
        input.consume(BOM.len());
    }
    match format {
        Format::Ndjson => json::read_ndjson(input, ids, &mut sink),
        Format::Json => json::read_json(input, ids, &mut sink),
        Format::Csv => csv_input::read_csv(input, ids, &mut sink),
        Format::Html => page::read_page(input, ids, origin, &mut sink),
        Format::Rss => feed::read_feed(input, ids, &mut sink),
        Format::Telegram => {
            let mut bytes = Vec::new();
            input.read_to_end(&mut bytes)?;
            telegram::read_export(utf8(&bytes)?, ids, &mut sink)
        }
        Format::Text => {
            let mut bytes = Vec::new();
            input.read_to_end(&mut bytes)?;
            sink(text_advert(bytes, ids));
            Ok(())
        }
    }
}

/// Bytes as UTF-8, or the line and byte of the first that is not.
fn utf8(bytes: &[u8]) -> Result<&str, IngestError> {
    std::str::from_utf8(bytes).map_err(|e| IngestError::InvalidUtf8 {
        line: 1 + bytes[..e.valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count(),
        detail: format!("at byte {}", e.valid_up_to()),
    })
}

/// The 1-based line of a byte offset.
fn line_at(text: &str, at: usize) -> usize {
    1 + text.as_bytes()[..at.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
}

/// Lines of slices borrowed from one text, in order (the elements of a JSON array parsed as
/// `RawValue`s): their offsets give their lines, counted once.
struct SliceLines<'a> {
    text: &'a str,
    at: usize,
    line: usize,
}

impl<'a> SliceLines<'a> {
    fn new(text: &'a str) -> SliceLines<'a> {
        SliceLines {
            text,
            at: 0,
            line: 1,
        }
    }

    /// The line `slice` (a part of the text, after the parts asked before) starts on.
    fn line_of(&mut self, slice: &str) -> usize {
        let start = (slice.as_ptr() as usize)
            .saturating_sub(self.text.as_ptr() as usize)
            .min(self.text.len());
        if start > self.at {
            self.line += self.text.as_bytes()[self.at..start]
                .iter()
                .filter(|&&b| b == b'\n')
                .count();
            self.at = start;
        }
        self.line
    }
}

/// A language tag (`lv`, `ru-RU`, `en_GB`) as a language adscreen screens in.
fn known_lang(tag: &str) -> Option<Lang> {
    Lang::parse(tag.split(['-', '_']).next().unwrap_or(tag))
}

fn text_advert(bytes: Vec<u8>, ids: DefaultId<'_>) -> Record {
    let text = String::from_utf8(bytes).map_err(|e| IngestError::InvalidUtf8 {
        line: 1 + e.as_bytes()[..e.utf8_error().valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count(),
        detail: format!("at byte {}", e.utf8_error().valid_up_to()),
    })?;
    RawAdvert {
        text: Some(text),
        ..RawAdvert::default()
    }
    .into_advert(1, |a| ids.of(a, None))
}

#[cfg(test)]
mod published_tests;
#[cfg(test)]
mod tests;
