//! OpenSearch / Elasticsearch bulk NDJSON: per advert an `index` action (the advert's id as the
//! document id, so a re-sent advert replaces its document) and the document: the advert's text
//! and link, its level, score, signs with their evidence, and its contacts in the normalised
//! form the API searches by. Sent to `POST /_bulk` as it is, it fills an index on a cluster when
//! one machine's index is not enough; screening stays the same stateless pass.

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

/// The two lines of one advert, each ending in a line break.
pub fn lines(
    index: &str,
    advert: &Advert,
    report: &Report,
    explain: Explain,
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
        report: report.written(explain, false),
    };
    let mut out = serde_json::to_vec(&Action {
        index: Target {
            index,
            id: &report.id,
        },
    })?;
    out.push(b'\n');
    serde_json::to_writer(&mut out, &document)?;
    out.push(b'\n');
    Ok(out)
}
