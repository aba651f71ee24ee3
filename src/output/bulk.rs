//! OpenSearch / Elasticsearch bulk NDJSON: per advert an `index` action (the advert's id as the
//! document id, so a re-sent advert replaces its document) and the document: the advert's text
//! and link, its level, score, signs with their evidence, and its contacts in the normalised
//! form the API searches by (and the extracted facts with `--entities`). Sent to `POST /_bulk` as
//! it is, it fills an index on a cluster when one machine's index is not enough; screening stays
//! the same stateless pass. Keep one `--explain` setting per index: `explanation` is a string
//! for one language and an object for all.

use serde::Serialize;

use crate::advert::Advert;
use crate::report::{Explain, Report, ReportOut};

/// The index documents go to unless told otherwise.
pub const DEFAULT_INDEX: &str = "adscreen-adverts";

#[derive(Serialize)]
struct Action<'a> {
    index: Target<'a>,
}

#[derive(Serialize)]
struct Target<'a> {
    #[serde(rename = "_index")]
    index: &'a str,
    #[serde(rename = "_id")]
    id: &'a str,
}

/// The document of one advert.
#[derive(Serialize)]
struct Document<'a> {
    title: &'a str,
    text: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    posted_at: Option<&'a str>,
    /// The signs (indicators of reasons that raise the score), once each.
    indicators: Vec<&'a str>,
    contacts: Vec<String>,
    #[serde(flatten)]
    report: ReportOut<'a>,
}

/// Longest `_id` a cluster takes, in bytes.
pub const MAX_ID_BYTES: usize = 512;

/// The document id of an advert: its id, or for an id longer than a cluster takes (a long page
/// address), `sha256:` and the hash of it (the document keeps the id itself in `id`).
pub fn document_id(id: &str) -> String {
    if id.len() <= MAX_ID_BYTES {
        return id.to_string();
    }
    use sha2::{Digest, Sha256};
    let hex: String = Sha256::digest(id.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("sha256:{hex}")
}

/// The two lines of one advert, each ending in a line break.
pub fn lines(
    index: &str,
    advert: &Advert,
    report: &Report,
    explain: Explain,
    entities: bool,
) -> serde_json::Result<Vec<u8>> {
    let mut indicators: Vec<&str> = Vec::new();
    for r in report.reasons.iter().filter(|r| r.weight > 0) {
        if !indicators.contains(&r.indicator.as_str()) {
            indicators.push(&r.indicator);
        }
    }
    let document = Document {
        title: &advert.title,
        text: &advert.text,
        source: advert.source.as_deref(),
        url: advert.url.as_deref(),
        posted_at: advert.posted_at.as_deref(),
        indicators,
        contacts: crate::store::contacts_of(&report.entities)
            .into_iter()
            .map(|c| c.key)
            .collect(),
        report: report.written(explain, entities),
    };
    let id = document_id(&report.id);
    let mut out = serde_json::to_vec(&Action {
        index: Target { index, id: &id },
    })?;
    out.push(b'\n');
    serde_json::to_writer(&mut out, &document)?;
    out.push(b'\n');
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_id_becomes_its_hash() {
        assert_eq!(document_id("https://example.lv/1"), "https://example.lv/1");
        let long = format!("https://example.lv/?q={}", "a".repeat(600));
        let id = document_id(&long);
        assert!(id.starts_with("sha256:") && id.len() == 7 + 64, "{id}");
        assert_eq!(id, document_id(&long), "the same every time");
    }
}
