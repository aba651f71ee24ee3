//! JSON and NDJSON input. NDJSON is read line by line (bytes, so a line of invalid UTF-8 is
//! reported and the next line still read); a JSON array is parsed whole and each element checked
//! on its own. A numeric id is kept exactly as written.

use std::fmt;
use std::io::{BufRead, BufReader, Read};

use serde::Deserialize;
use serde::de::{Deserializer, Error as _, IgnoredAny, MapAccess, Visitor};
use serde_json::value::RawValue;

use super::{BOM, DefaultId, IngestError, MAX_FIELD_BYTES, RawAdvert, Record};

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

pub(super) fn read_ndjson(
    input: impl Read,
    ids: DefaultId<'_>,
    sink: &mut dyn FnMut(Record),
) -> Result<(), IngestError> {
    let mut reader = BufReader::new(input);
    let mut buf = Vec::new();
    let mut line = 0;
    loop {
        buf.clear();
        // Read at most a little more than the largest record, so one huge line cannot exhaust
        // memory; the rest of such a line is skipped.
        let n = (&mut reader)
            .take((2 * MAX_FIELD_BYTES + 4096) as u64)
            .read_until(b'\n', &mut buf)?;
        if n == 0 {
            return Ok(());
        }
        line += 1;
        if !buf.ends_with(b"\n") && n as u64 == (2 * MAX_FIELD_BYTES + 4096) as u64 {
            skip_line(&mut reader)?;
            sink(Err(IngestError::Invalid {
                line,
                detail: format!("line is longer than {} bytes", 2 * MAX_FIELD_BYTES + 4096),
            }));
            continue;
        }
        // `cat a.jsonl b.jsonl` leaves a byte order mark at the start of a line.
        let bytes = buf.strip_prefix(BOM).unwrap_or(&buf);
        let text = match std::str::from_utf8(bytes) {
            Ok(t) => t,
            Err(e) => {
                sink(Err(IngestError::InvalidUtf8 {
                    line,
                    detail: format!("at byte {} of the line", e.valid_up_to()),
                }));
                continue;
            }
        };
        if text.trim().is_empty() {
            continue;
        }
        sink(advert_from_json(text, line, |a| ids.of(a, Some(line))));
    }
}

fn skip_line(reader: &mut impl BufRead) -> std::io::Result<()> {
    loop {
        let buf = reader.fill_buf()?;
        if buf.is_empty() {
            return Ok(());
        }
        if let Some(i) = buf.iter().position(|&b| b == b'\n') {
            reader.consume(i + 1);
            return Ok(());
        }
        let n = buf.len();
        reader.consume(n);
    }
}

pub(super) fn read_json(
    mut input: impl Read,
    ids: DefaultId<'_>,
    sink: &mut dyn FnMut(Record),
) -> Result<(), IngestError> {
    let mut bytes = Vec::new();
    input.read_to_end(&mut bytes)?;
    let text = std::str::from_utf8(&bytes).map_err(|e| IngestError::InvalidUtf8 {
        line: 1 + bytes[..e.valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count(),
        detail: format!("at byte {}", e.valid_up_to()),
    })?;
    let json_error = |e: serde_json::Error| IngestError::Json {
        line: e.line(),
        detail: e.to_string(),
    };
    let value: &RawValue = serde_json::from_str(text).map_err(json_error)?;
    match value.get().as_bytes().first() {
        Some(b'[') => {
            let items: Vec<&RawValue> = serde_json::from_str(value.get()).map_err(json_error)?;
            for (i, item) in items.into_iter().enumerate() {
                // Elements of an array are numbered from 1 in place of lines.
                sink(advert_from_json(item.get(), i + 1, |a| {
                    ids.of(a, Some(i + 1))
                }));
            }
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
