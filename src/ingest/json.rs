//! JSON and NDJSON input. NDJSON is read line by line (bytes, so a line of invalid UTF-8 is
//! reported and the next line still read); a line that starts an object it does not finish
//! takes the lines after it until the object closes (an object pretty-printed over several
//! lines), and when it never does, those lines are read again on their own. A JSON array is
//! parsed whole and each element checked on its own. A numeric id is kept exactly as written.

use std::fmt;
use std::io::{self, BufRead, Read};

use serde::Deserialize;
use serde::de::{Deserializer, Error as _, IgnoredAny, MapAccess, Visitor};
use serde_json::value::RawValue;

use super::lines::{Line, Lines};
use super::{BOM, DefaultId, IngestError, MAX_RECORD_BYTES, RawAdvert, Record};

/// The fields of an advert; any other is read and ignored.
#[derive(Deserialize)]
#[serde(field_identifier, rename_all = "snake_case")]
enum Field {
    Id,
    Kind,
    Title,
    Text,
    Body,
    Description,
    Source,
    PostedAt,
    Lang,
    Url,
    #[serde(other)]
    Other,
}

impl<'de> Deserialize<'de> for RawAdvert {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<RawAdvert, D::Error> {
        d.deserialize_map(RawAdvertVisitor)
    }
}

struct RawAdvertVisitor;

impl<'de> Visitor<'de> for RawAdvertVisitor {
    type Value = RawAdvert;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an advert (a JSON object)")
    }

    // A field given twice keeps its last value.
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawAdvert, A::Error> {
        let mut raw = RawAdvert::default();
        while let Some(field) = map.next_key::<Field>()? {
            match field {
                Field::Id => raw.id = map.next_value::<Option<Id>>()?.map(|id| id.0),
                Field::Kind => raw.kind = map.next_value()?,
                Field::Title => raw.title = map.next_value()?,
                Field::Text => raw.text = map.next_value()?,
                Field::Body => raw.body = map.next_value()?,
                Field::Description => raw.description = map.next_value()?,
                Field::Source => raw.source = map.next_value()?,
                Field::PostedAt => raw.posted_at = map.next_value()?,
                Field::Url => raw.url = map.next_value()?,
                Field::Lang => raw.lang = map.next_value()?,
                Field::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(raw)
    }
}

/// An id: a string, or a number kept exactly as written (`123456789012345678901234567890`
/// does not become `1.2345678901234568e+29`, nor `1.50` become `1.5`).
struct Id(String);

impl<'de> Deserialize<'de> for Id {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Id, D::Error> {
        let raw = Box::<RawValue>::deserialize(d)?;
        let text = raw.get();
        match text.as_bytes().first() {
            Some(b'"') => serde_json::from_str(text).map(Id).map_err(D::Error::custom),
            Some(b'-' | b'0'..=b'9') => Ok(Id(text.to_string())),
            _ => {
                let shown: String = text.chars().take(40).collect();
                Err(D::Error::custom(format!(
                    "id must be a string or a number, not {shown}"
                )))
            }
        }
    }
}

/// An advert from the text of one JSON value.
fn advert_from_json(text: &str, line: usize, id: impl FnOnce(&super::Advert) -> String) -> Record {
    if !text.trim_start().starts_with('{') {
        // Malformed JSON is reported as such; well-formed JSON that is no object as that.
        return Err(match serde_json::from_str::<IgnoredAny>(text) {
            Err(e) if !e.is_data() => IngestError::Json {
                line,
                detail: e.to_string(),
            },
            _ => IngestError::Invalid {
                line,
                detail: "a record must be a JSON object".into(),
            },
        });
    }
    let raw: RawAdvert = serde_json::from_str(text).map_err(|e| {
        if e.is_data() {
            IngestError::Invalid {
                line,
                detail: e.to_string(),
            }
        } else {
            IngestError::Json {
                line,
                detail: e.to_string(),
            }
        }
    })?;
    raw.into_advert(line, id)
}

/// An error of the `n`-th element of a JSON array, saying which element it is.
fn in_element(e: IngestError, n: usize) -> IngestError {
    match e {
        IngestError::Json { line, detail } => IngestError::Json {
            line,
            detail: format!("element {n}: {detail}"),
        },
        IngestError::Invalid { line, detail } => IngestError::Invalid {
            line,
            detail: format!("element {n}: {detail}"),
        },
        other => other,
    }
}

pub(super) fn read_ndjson(
    input: impl BufRead,
    ids: DefaultId<'_>,
    sink: &mut dyn FnMut(Record),
) -> Result<(), IngestError> {
    let mut lines = Lines::new(input);
    while let Some(mut line) = lines.next()? {
        let n = line.number;
        if line.too_long {
            sink(Err(IngestError::Invalid {
                line: n,
                detail: format!("line is longer than {MAX_RECORD_BYTES} bytes"),
            }));
            continue;
        }
        // `cat a.jsonl b.jsonl` leaves a byte order mark at the start of a line.
        if line.bytes.starts_with(BOM) {
            line.bytes.drain(..BOM.len());
        }
        let text = match std::str::from_utf8(&line.bytes) {
            Ok(t) => t,
            Err(e) => {
                sink(Err(IngestError::InvalidUtf8 {
                    line: n,
                    detail: format!("at byte {} of the line", e.valid_up_to()),
                }));
                continue;
            }
        };
        if text.trim().is_empty() {
            continue;
        }
        if !text.trim_start().starts_with('{') {
            sink(advert_from_json(text, n, |a| ids.of(a, Some(n))));
            continue;
        }
        match serde_json::from_str::<RawAdvert>(text) {
            Ok(raw) => sink(raw.into_advert(n, |a| ids.of(a, Some(n)))),
            // An object that goes on over the next lines.
            Err(e) if e.is_eof() => sink(read_spread(&mut lines, line, ids)?),
            Err(e) if e.is_data() => sink(Err(IngestError::Invalid {
                line: n,
                detail: e.to_string(),
            })),
            Err(e) => sink(Err(IngestError::Json {
                line: n,
                detail: e.to_string(),
            })),
        }
    }
    Ok(())
}

/// Reads an object that starts on `first` and does not end there: takes the next lines until
/// it closes. When it does not close (a syntax error, the end of the input, more than
/// [`MAX_RECORD_BYTES`]), it is one bad record on its first line and the lines it took are put
/// back to be read again.
fn read_spread<R: BufRead>(
    lines: &mut Lines<R>,
    first: Line,
    ids: DefaultId<'_>,
) -> io::Result<Record> {
    let start = first.number;
    let mut nesting = Nesting::default();
    let end = (!nesting.scan(&first.bytes)).then_some(End::TooDeep);
    let mut feed = Feed {
        total: first.bytes.len(),
        taken: vec![first],
        at: 0,
        lines,
        nesting,
        end,
        error: None,
    };
    let parsed =
        Box::<RawValue>::deserialize(&mut serde_json::Deserializer::from_reader(&mut feed));
    if let Some(e) = feed.error.take() {
        return Err(e);
    }
    let Feed { taken, at, end, .. } = feed;
    let failure = match parsed {
        Ok(raw) => {
            let rest = taken
                .last()
                .map_or(&[][..], |l| &l.bytes[at.min(l.bytes.len())..]);
            if rest.iter().all(u8::is_ascii_whitespace) {
                return Ok(advert_from_json(raw.get(), start, |a| {
                    ids.of(a, Some(start))
                }));
            }
            IngestError::Json {
                line: start,
                detail: format!(
                    "the object that starts on this line and ends on line {} is followed by more text",
                    start + taken.len() - 1
                ),
            }
        }
        Err(e) if e.is_eof() => IngestError::Json {
            line: start,
            detail: match end {
                Some(End::TooLong) => format!(
                    "the object that starts on this line is not closed within {MAX_RECORD_BYTES} bytes"
                ),
                Some(End::TooDeep) => format!(
                    "the object that starts on this line is not closed, and nests more than {MAX_SPREAD_DEPTH} deep"
                ),
                _ => {
                    "the object that starts on this line is not closed before the end of the input"
                        .to_string()
                }
            },
        },
        Err(e) => IngestError::Json {
            line: start,
            detail: at_line(&e, start),
        },
    };
    lines.read_again(taken.into_iter().skip(1).collect());
    Ok(Err(failure))
}

/// A parser's message with its position counted from the input's first line, not the record's.
fn at_line(e: &serde_json::Error, start: usize) -> String {
    let message = e.to_string();
    let position = format!(" at line {} column {}", e.line(), e.column());
    match message.strip_suffix(&position) {
        Some(m) => format!("{m} at line {} column {}", start + e.line() - 1, e.column()),
        None => message,
    }
}

/// Why a [`Feed`] gave no more.
enum End {
    Input,
    TooLong,
    TooDeep,
}

/// Deepest nesting of a record spread over lines. It bounds the work of reading lines again:
/// a line is taken by at most this many records that turn out bad (each started one level less
/// deep than the next), so a run of lines that each open more than they close cannot take time
/// in the square of the input.
const MAX_SPREAD_DEPTH: usize = 32;

/// The nesting of arrays and objects in JSON text given piece by piece.
#[derive(Default)]
struct Nesting {
    depth: usize,
    in_string: bool,
    escaped: bool,
}

impl Nesting {
    /// Follows `bytes`; `false` once deeper than [`MAX_SPREAD_DEPTH`].
    fn scan(&mut self, bytes: &[u8]) -> bool {
        for &b in bytes {
            if self.in_string {
                match b {
                    _ if self.escaped => self.escaped = false,
                    b'\\' => self.escaped = true,
                    b'"' => self.in_string = false,
                    _ => {}
                }
                continue;
            }
            match b {
                b'"' => self.in_string = true,
                b'{' | b'[' => self.depth += 1,
                b'}' | b']' => self.depth = self.depth.saturating_sub(1),
                _ => {}
            }
            if self.depth > MAX_SPREAD_DEPTH {
                return false;
            }
        }
        true
    }
}

/// The bytes of a record spread over lines, for the JSON parser: taken a line at a time, only
/// as the parser asks for them (a stream is not held up), and kept to be read again.
struct Feed<'a, R> {
    lines: &'a mut Lines<R>,
    taken: Vec<Line>,
    /// Bytes given of the last line taken.
    at: usize,
    total: usize,
    nesting: Nesting,
    end: Option<End>,
    /// An error reading the input (the parser sees it as the end).
    error: Option<io::Error>,
}

impl<R: BufRead> Read for Feed<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            if let Some(line) = self.taken.last() {
                let rest = line.bytes.get(self.at..).unwrap_or_default();
                if !rest.is_empty() {
                    let n = rest.len().min(buf.len());
                    buf[..n].copy_from_slice(&rest[..n]);
                    self.at += n;
                    return Ok(n);
                }
            }
            if self.end.is_some() {
                return Ok(0);
            }
            let mut line = match self.lines.next() {
                Ok(Some(line)) => line,
                Ok(None) => {
                    self.end = Some(End::Input);
                    return Ok(0);
                }
                Err(e) => {
                    self.error = Some(e);
                    self.end = Some(End::Input);
                    return Ok(0);
                }
            };
            if line.too_long || self.total + line.bytes.len() > MAX_RECORD_BYTES {
                // Kept, to be read again (and reported there when too long).
                self.taken.push(line);
                self.at = usize::MAX;
                self.end = Some(End::TooLong);
                return Ok(0);
            }
            if line.bytes.starts_with(BOM) {
                line.bytes.drain(..BOM.len());
            }
            if !self.nesting.scan(&line.bytes) {
                self.taken.push(line);
                self.at = usize::MAX;
                self.end = Some(End::TooDeep);
                return Ok(0);
            }
            self.total += line.bytes.len();
            self.taken.push(line);
            self.at = 0;
        }
    }
}

pub(super) fn read_json(
    mut input: impl Read,
    ids: DefaultId<'_>,
    sink: &mut dyn FnMut(Record),
) -> Result<(), IngestError> {
    let mut bytes = Vec::new();
    input.read_to_end(&mut bytes)?;
    let text = super::utf8(&bytes)?;
    let json_error = |e: serde_json::Error| IngestError::Json {
        line: e.line(),
        detail: e.to_string(),
    };
    let value: &RawValue = serde_json::from_str(text).map_err(json_error)?;
    match value.get().as_bytes().first() {
        Some(b'[') => {
            let items: Vec<&RawValue> = serde_json::from_str(value.get()).map_err(json_error)?;
            // Each element is reported on the line it starts on, with its number.
            let mut lines = super::SliceLines::new(text);
            for (i, item) in items.into_iter().enumerate() {
                let line = lines.line_of(item.get());
                let n = i + 1;
                let record = advert_from_json(item.get(), line, |a| ids.of(a, Some(n)));
                sink(record.map_err(|e| in_element(e, n)));
            }
        }
        Some(b'{') if super::telegram::is_export(value.get()) => {
            super::telegram::read_export(text, ids, sink)?;
        }
        Some(b'{') => sink(advert_from_json(value.get(), 1, |a| ids.of(a, None))),
        _ => {
            return Err(IngestError::Invalid {
                line: 1,
                detail: "JSON input must be an object or an array of objects".into(),
            });
        }
    }
    Ok(())
}
