//! CSV input: a header row, columns mapped by name (case-insensitive; unknown columns ignored).
//! Rows are gathered line by line here (a quoted field may hold line breaks) and each row's
//! fields are parsed by the `csv` crate. A quoted field that is not closed is one bad record on
//! its first line, and the lines it took are read again: it runs to the end of the input or past
//! [`MAX_FIELD_BYTES`], or, having taken a line break, is closed by a quote followed by more
//! text (`"a"b`), which is how an unclosed quote usually shows once it meets the next quoted
//! field. A quote in the middle of a field on one line is kept as text, as the `csv` crate does.

use std::io::BufRead;

use super::lines::{Line, Lines};
use super::{DefaultId, IngestError, MAX_FIELD_BYTES, MAX_RECORD_BYTES, RawAdvert, Record};

pub(super) fn read_csv(
    input: impl BufRead,
    ids: DefaultId<'_>,
    sink: &mut dyn FnMut(Record),
) -> Result<(), IngestError> {
    let mut lines = Lines::new(input);
    let mut parser = csv::ReaderBuilder::new();
    parser.has_headers(false).flexible(true);
    let mut cols: Option<[Option<usize>; 8]> = None;
    let mut record = csv::ByteRecord::new();
    while let Some(row) = next_row(&mut lines)? {
        let (first, bytes) = match row {
            Row::Bad(e) if cols.is_none() => return Err(e),
            Row::Bad(e) => {
                sink(Err(e));
                continue;
            }
            Row::Good { first, bytes } => (first, bytes),
        };
        // Usually one record; none for a blank line, more when a lone `\r` ends a row.
        let mut reader = parser.from_reader(bytes.as_slice());
        loop {
            match reader.read_byte_record(&mut record) {
                Ok(false) => break,
                Ok(true) => {}
                Err(e) => {
                    let e = IngestError::Csv {
                        line: first,
                        detail: e.to_string(),
                    };
                    if cols.is_none() {
                        return Err(e);
                    }
                    sink(Err(e));
                    break;
                }
            }
            match &cols {
                None => cols = Some(columns(&record)),
                Some(cols) => sink(advert(&record, cols, first, ids)),
            }
        }
    }
    Ok(())
}

/// Where the fields of an advert are, from the header row.
fn columns(header: &csv::ByteRecord) -> [Option<usize>; 8] {
    let headers: Vec<String> = header
        .iter()
        .map(|c| {
            String::from_utf8_lossy(c)
                .trim()
                .trim_start_matches('\u{feff}')
                .to_ascii_lowercase()
        })
        .collect();
    let column = |names: &[&str]| headers.iter().position(|h| names.contains(&h.as_str()));
    [
        column(&["id"]),
        column(&["kind"]),
        column(&["title"]),
        column(&["text", "body", "description"]),
        column(&["source"]),
        column(&["posted_at", "date"]),
        column(&["lang", "language"]),
        column(&["url", "link"]),
    ]
}

fn advert(
    record: &csv::ByteRecord,
    cols: &[Option<usize>; 8],
    line: usize,
    ids: DefaultId<'_>,
) -> Record {
    let mut fields: [Option<String>; 8] = Default::default();
    for (slot, col) in fields.iter_mut().zip(cols) {
        let Some(bytes) = col.and_then(|c| record.get(c)) else {
            continue;
        };
        match std::str::from_utf8(bytes) {
            Ok(s) => *slot = Some(s.to_string()),
            Err(e) => {
                return Err(IngestError::InvalidUtf8 {
                    line,
                    detail: format!("at byte {} of a field", e.valid_up_to()),
                });
            }
        }
    }
    let [id, kind, title, text, source, posted_at, lang, url] = fields;
    let raw = RawAdvert {
        id,
        kind,
        title,
        text,
        source,
        posted_at,
        lang,
        url,
        ..RawAdvert::default()
    };
    raw.into_advert(line, |a| ids.of(a, Some(line)))
}

/// A row gathered from one or more lines.
enum Row {
    /// The row's bytes (its line breaks included) and its first line.
    Good { first: usize, bytes: Vec<u8> },
    /// A row that cannot be read; the lines after its first are read again.
    Bad(IngestError),
}

/// Gathers the next row: a line, and the lines after it while a quoted field is open.
fn next_row<R: BufRead>(lines: &mut Lines<R>) -> std::io::Result<Option<Row>> {
    let Some(first) = lines.next()? else {
        return Ok(None);
    };
    let start = first.number;
    let bad = |detail: String| {
        Row::Bad(IngestError::Csv {
            line: start,
            detail,
        })
    };
    if first.too_long {
        return Ok(Some(bad(format!(
            "line is longer than {MAX_RECORD_BYTES} bytes"
        ))));
    }
    let mut quotes = Quotes::default();
    quotes.scan(&first.bytes);
    if !quotes.open() {
        return Ok(Some(Row::Good {
            first: start,
            bytes: first.bytes,
        }));
    }
    // The next line was taken by an unclosed field before: from the same state over the same
    // lines, this field ends the same way, so it is not followed again.
    if lines.next_is_again() {
        return Ok(Some(bad(
            "a quoted field is not closed (it runs on into the unclosed field reported before)"
                .into(),
        )));
    }
    let mut total = first.bytes.len();
    let mut taken: Vec<Line> = vec![first];
    let failure = loop {
        let Some(line) = lines.next()? else {
            break "a quoted field is not closed before the end of the input".to_string();
        };
        if line.too_long || total + line.bytes.len() > MAX_RECORD_BYTES {
            taken.push(line);
            break format!(
                "a quoted field is not closed within {MAX_RECORD_BYTES} bytes (an unclosed quote?)"
            );
        }
        total += line.bytes.len();
        quotes.scan(&line.bytes);
        taken.push(line);
        if let Some(why) = quotes.broken.take() {
            break why;
        }
        if !quotes.open() {
            let mut bytes = Vec::with_capacity(total);
            for line in taken {
                bytes.extend_from_slice(&line.bytes);
            }
            return Ok(Some(Row::Good {
                first: start,
                bytes,
            }));
        }
    };
    lines.read_again(taken.into_iter().skip(1).collect());
    Ok(Some(bad(failure)))
}

/// Where a row is, byte by byte, as the `csv` crate reads it (comma, double quotes, `""` for a
/// quote, `\r`, `\n` or `\r\n` ending a row).
#[derive(Default)]
struct Quotes {
    state: State,
    /// Bytes of the quoted field being read.
    field: usize,
    /// The quoted field being read holds a line break.
    multiline: bool,
    /// Why the row looks like an unclosed quote.
    broken: Option<String>,
}

#[derive(Default, PartialEq)]
enum State {
    #[default]
    FieldStart,
    Unquoted,
    Quoted,
    /// A quote in a quoted field: the field's end, or the first of `""`.
    QuoteInQuoted,
}

impl Quotes {
    fn open(&self) -> bool {
        self.state == State::Quoted
    }

    fn scan(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.state = match (&self.state, b) {
                (State::FieldStart, b'"') => {
                    self.field = 0;
                    self.multiline = false;
                    State::Quoted
                }
                (State::FieldStart | State::Unquoted, b',' | b'\r' | b'\n') => State::FieldStart,
                (State::FieldStart | State::Unquoted, _) => State::Unquoted,
                (State::Quoted, b'"') => State::QuoteInQuoted,
                (State::Quoted, _) => {
                    self.field += 1;
                    self.multiline |= b == b'\n';
                    if self.multiline && self.field > MAX_FIELD_BYTES && self.broken.is_none() {
                        self.broken = Some(format!(
                            "a quoted field with line breaks runs past {MAX_FIELD_BYTES} bytes (an unclosed quote?)"
                        ));
                    }
                    State::Quoted
                }
                (State::QuoteInQuoted, b'"') => {
                    self.field += 1;
                    State::Quoted
                }
                (State::QuoteInQuoted, b',' | b'\r' | b'\n') => State::FieldStart,
                (State::QuoteInQuoted, _) => {
                    if self.multiline && self.broken.is_none() {
                        self.broken = Some(
                            "a quoted field with line breaks ends in a quote followed by more text (an unclosed quote?)"
                                .into(),
                        );
                    }
                    State::Unquoted
                }
            };
        }
    }
}
