//! JSON and NDJSON input. NDJSON is read line by line (bytes, so a line of invalid UTF-8 is
//! reported and the next line still read); a JSON array is parsed whole and each element checked
//! on its own.

use std::io::{BufRead, BufReader, Read};

use serde::{Deserialize, Deserializer};
use serde_json::Value;

use super::{IngestError, MAX_FIELD_BYTES, RawAdvert, Record};

/// Accepts a string or a number (ids are often numeric).
pub(super) fn string_or_number<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<String>, D::Error> {
    Ok(match Option::<Value>::deserialize(d)? {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s),
        Some(Value::Number(n)) => Some(n.to_string()),
        Some(other) => {
            return Err(serde::de::Error::custom(format!(
                "id must be a string or a number, not {other}"
            )));
        }
    })
}

fn advert_from_value(value: Value, line: usize, default_id: String) -> Record {
    if !value.is_object() {
        return Err(IngestError::Invalid {
            line,
            detail: "a record must be a JSON object".into(),
        });
    }
    let raw: RawAdvert = serde_json::from_value(value).map_err(|e| IngestError::Invalid {
        line,
        detail: e.to_string(),
    })?;
    raw.into_advert(line, default_id)
}

pub(super) fn read_ndjson(
    input: impl Read,
    name: &str,
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
        let text = match std::str::from_utf8(&buf) {
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
        let record = serde_json::from_str::<Value>(text)
            .map_err(|e| IngestError::Json {
                line,
                detail: e.to_string(),
            })
            .and_then(|v| advert_from_value(v, line, format!("{name}:{line}")));
        sink(record);
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
    name: &str,
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
    let value: Value = serde_json::from_str(text).map_err(|e| IngestError::Json {
        line: e.line(),
        detail: e.to_string(),
    })?;
    match value {
        Value::Array(items) => {
            for (i, item) in items.into_iter().enumerate() {
                // Elements of an array are numbered from 1 in place of lines.
                sink(advert_from_value(item, i + 1, format!("{name}:{}", i + 1)));
            }
        }
        Value::Object(_) => sink(advert_from_value(value, 1, name.to_string())),
        _ => {
            return Err(IngestError::Invalid {
                line: 1,
                detail: "JSON input must be an object or an array of objects".into(),
            });
        }
    }
    Ok(())
}
