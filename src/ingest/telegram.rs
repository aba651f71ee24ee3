//! Telegram Desktop exports (`result.json` of one channel, group or chat): one advert per message
//! with text, its formatted parts flattened to text (a hidden link keeps its address after the
//! words), the chat's name as the source, the message's date and a link to it. Service messages
//! and messages without text (a photo alone) are not adverts and are passed over.

use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;

use super::{DefaultId, IngestError, RawAdvert, Record};

/// The part of an export that is read.
#[derive(Deserialize)]
struct Export<'a> {
    name: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    id: Option<i64>,
    #[serde(borrow)]
    messages: Vec<&'a RawValue>,
}

/// A message, as far as it is read.
#[derive(Deserialize)]
struct Message {
    id: i64,
    #[serde(rename = "type", default)]
    kind: String,
    date: Option<String>,
    date_unixtime: Option<String>,
    #[serde(default)]
    text: Value,
}

/// Whether a JSON object is a Telegram export: it has a `messages` array and a chat `type`, and
/// no advert text (`text`, `body` or `description`).
pub(super) fn is_export(object: &str) -> bool {
    #[derive(Deserialize)]
    struct Probe {
        messages: Option<Vec<serde::de::IgnoredAny>>,
        #[serde(rename = "type")]
        kind: Option<String>,
        text: Option<serde::de::IgnoredAny>,
        body: Option<serde::de::IgnoredAny>,
        description: Option<serde::de::IgnoredAny>,
    }
    serde_json::from_str::<Probe>(object).is_ok_and(|p| {
        p.messages.is_some()
            && p.kind.is_some()
            && p.text.is_none()
            && p.body.is_none()
            && p.description.is_none()
    })
}

/// Chats whose messages have public or member links (`t.me/c/CHAT/MESSAGE`).
fn has_message_links(kind: Option<&str>) -> bool {
    kind.is_some_and(|k| k.ends_with("_channel") || k.ends_with("_supergroup"))
}

/// Reads the messages of an export held in `text` (a whole JSON document).
pub(super) fn read_export(
    text: &str,
    ids: DefaultId<'_>,
    sink: &mut dyn FnMut(Record),
) -> Result<(), IngestError> {
    let export: Export<'_> = serde_json::from_str(text).map_err(|e| IngestError::Json {
        line: e.line(),
        detail: format!("not a Telegram export: {e}"),
    })?;
    let mut lines = super::SliceLines::new(text);
    for (n, raw) in export.messages.into_iter().enumerate() {
        let line = lines.line_of(raw.get());
        let message: Message = match serde_json::from_str(raw.get()) {
            Ok(m) => m,
            Err(e) => {
                sink(Err(IngestError::Invalid {
                    line,
                    detail: format!("message {} is not a Telegram message: {e}", n + 1),
                }));
                continue;
            }
        };
        if message.kind != "message" {
            continue;
        }
        let body = flatten(&message.text);
        if body.trim().is_empty() {
            continue;
        }
        // Only channels and supergroups have links to their messages; other chats are named by
        // their name (or id) and the message's.
        let link = export
            .id
            .filter(|_| has_message_links(export.kind.as_deref()))
            .map(|chat| format!("https://t.me/c/{}/{}", chat.unsigned_abs(), message.id));
        let chat = export
            .name
            .clone()
            .or_else(|| export.id.map(|id| id.to_string()));
        let id = link
            .clone()
            .or_else(|| chat.map(|chat| format!("telegram:{chat}/{}", message.id)));
        let posted = message
            .date_unixtime
            .as_deref()
            .and_then(|s| s.trim().parse::<i64>().ok())
            .and_then(|s| time::OffsetDateTime::from_unix_timestamp(s).ok())
            .and_then(|d| {
                d.format(&time::format_description::well_known::Rfc3339)
                    .ok()
            })
            .or(message.date);
        let raw = RawAdvert {
            id,
            text: Some(body),
            source: export.name.clone(),
            posted_at: posted,
            url: link,
            ..RawAdvert::default()
        };
        let n = n + 1;
        sink(raw.into_advert(line, |a| ids.of(a, Some(n))));
    }
    Ok(())
}

/// A message's text: a string, or an array of strings and formatted parts (`{"type": "bold",
/// "text": "…"}`); a link whose words hide its address (`text_link`) keeps the address after them.
fn flatten(text: &Value) -> String {
    match text {
        Value::String(s) => s.clone(),
        Value::Array(parts) => {
            let mut out = String::new();
            for part in parts {
                match part {
                    Value::String(s) => out.push_str(s),
                    Value::Object(o) => {
                        let words = o.get("text").and_then(Value::as_str).unwrap_or_default();
                        out.push_str(words);
                        if let Some(href) = o.get("href").and_then(Value::as_str)
                            && !words.contains(href)
                        {
                            out.push_str(" (");
                            out.push_str(href);
                            out.push(')');
                        }
                    }
                    _ => {}
                }
            }
            out
        }
        _ => String::new(),
    }
}
