//! CSV input: a header row, columns mapped by name (case-insensitive; unknown columns ignored).

use std::io::Read;

use super::{DefaultId, IngestError, RawAdvert, Record};

pub(super) fn read_csv(
    input: impl Read,
    ids: DefaultId<'_>,
    sink: &mut dyn FnMut(Record),
) -> Result<(), IngestError> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(input);
    let headers: Vec<String> = match reader.byte_headers() {
        Ok(h) => h
            .iter()
            .map(|c| {
                String::from_utf8_lossy(c)
                    .trim()
                    .trim_start_matches('\u{feff}')
                    .to_ascii_lowercase()
            })
            .collect(),
        Err(e) => {
            return Err(IngestError::Csv {
                line: 1,
                detail: e.to_string(),
            });
        }
    };
    let column = |names: &[&str]| headers.iter().position(|h| names.contains(&h.as_str()));
    let cols = [
        column(&["id"]),
        column(&["kind"]),
        column(&["title"]),
        column(&["text", "body", "description"]),
        column(&["source"]),
        column(&["posted_at", "date"]),
        column(&["lang", "language"]),
    ];
    let mut record = csv::ByteRecord::new();
    loop {
        let line = reader.position().line() as usize;
        match reader.read_byte_record(&mut record) {
            Ok(false) => return Ok(()),
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map_or(line, |p| p.line() as usize);
                sink(Err(IngestError::Csv {
                    line,
                    detail: e.to_string(),
                }));
                if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                    return Ok(());
                }
                continue;
            }
        }
        let line = record.position().map_or(line, |p| p.line() as usize);
        let mut fields: [Option<String>; 7] = Default::default();
        let mut bad = None;
        for (slot, col) in fields.iter_mut().zip(cols) {
            let Some(bytes) = col.and_then(|c| record.get(c)) else {
                continue;
            };
            match std::str::from_utf8(bytes) {
                Ok(s) => *slot = Some(s.to_string()),
                Err(e) => bad = Some(e.valid_up_to()),
            }
        }
        if let Some(at) = bad {
            sink(Err(IngestError::InvalidUtf8 {
                line,
                detail: format!("at byte {at} of a field"),
            }));
            continue;
        }
        let [id, kind, title, text, source, posted_at, lang] = fields;
        let raw = RawAdvert {
            id,
            kind,
            title,
            text,
            source,
            posted_at,
            lang,
            ..RawAdvert::default()
        };
        sink(raw.into_advert(line, |a| ids.of(a, Some(line))));
    }
}
