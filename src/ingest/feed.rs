//! RSS (0.9x, 1.0, 2.0) and Atom feeds, parsed by `feed-rs`: one advert per item, with its title,
//! description as text, link and date; the feed's title is the source. A feed that does not
//! parse as a whole is read item by item, so one broken item is a bad record on its line and the
//! others are still read.

use std::io::Read;

use feed_rs::model::{Entry, Feed};

use super::html_text::fragment_to_text;
use super::{DefaultId, IngestError, RawAdvert, Record, line_at, utf8};

/// Reads a feed.
pub(super) fn read_feed(
    mut input: impl Read,
    ids: DefaultId<'_>,
    sink: &mut dyn FnMut(Record),
) -> Result<(), IngestError> {
    let mut bytes = Vec::new();
    input.read_to_end(&mut bytes)?;
    let source = &as_utf8_without_declarations(&bytes)?;
    let items = item_starts(source);
    match parse(source) {
        Ok(feed) => {
            let title = feed_title(&feed);
            for (n, entry) in feed.entries.into_iter().enumerate() {
                let line = items.get(n).map_or(1, |&at| line_at(source, at));
                sink(item(entry, title.as_deref(), line, n + 1, ids));
            }
            Ok(())
        }
        Err(whole) if items.is_empty() => Err(IngestError::Invalid {
            line: 1,
            detail: format!("not a usable RSS or Atom feed: {whole}"),
        }),
        Err(_) => {
            // Each item on its own, in an envelope of its kind.
            let title = channel_title(&source[..items[0]]);
            for (n, &start) in items.iter().enumerate() {
                let atom = source[start..].starts_with("<entry");
                let end = items.get(n + 1).copied().unwrap_or(source.len());
                let line = line_at(source, start);
                let body = item_body(&source[start..end], atom);
                let envelope = if atom {
                    format!("<feed xmlns=\"http://www.w3.org/2005/Atom\">{body}</feed>")
                } else {
                    format!("<rss version=\"2.0\"><channel>{body}</channel></rss>")
                };
                let record = match parse(&envelope) {
                    Ok(feed) => match feed.entries.into_iter().next() {
                        Some(entry) => item(entry, title.as_deref(), line, n + 1, ids),
                        None => Err(IngestError::Invalid {
                            line,
                            detail: format!("feed item {} is not an item", n + 1),
                        }),
                    },
                    Err(e) => Err(IngestError::Invalid {
                        line,
                        detail: format!("feed item {} does not parse: {e}", n + 1),
                    }),
                };
                sink(record);
            }
            Ok(())
        }
    }
}

fn parse(source: &str) -> Result<Feed, String> {
    // Items without an id keep none: the reader names them by link or position instead of a
    // random one, so an item read twice keeps its name. The parser's own checks must not take
    // the reader down with them: a panic in it is an error of this input.
    std::panic::catch_unwind(|| {
        feed_rs::parser::Builder::new()
            .id_generator(|_, _, _| String::new())
            .build()
            .parse(source.as_bytes())
    })
    .map_err(|_| "the feed parser failed on this input".to_string())?
    .map_err(|e| e.to_string())
}

/// A feed as UTF-8 text without its XML declarations: bytes in another character set are
/// decoded by the one the declaration names, and the declarations (which would make the parser
/// decode the text again) are blanked, their line breaks kept so lines stay where they were.
fn as_utf8_without_declarations(bytes: &[u8]) -> Result<String, IngestError> {
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text.to_string(),
        Err(_) => {
            let head = String::from_utf8_lossy(&bytes[..bytes.len().min(1024)]);
            let encoding = declared_encoding(&head)
                .and_then(|label| encoding_rs::Encoding::for_label(label.as_bytes()));
            match encoding {
                Some(encoding) => encoding.decode(bytes).0.into_owned(),
                None => {
                    return Err(utf8(bytes).err().unwrap_or(IngestError::InvalidUtf8 {
                        line: 1,
                        detail: "not UTF-8".into(),
                    }));
                }
            }
        }
    };
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    while let Some(start) = rest.find("<?xml") {
        let Some(len) = rest[start..].find("?>") else {
            break;
        };
        out.push_str(&rest[..start]);
        let declaration = &rest[start..start + len + 2];
        out.extend(declaration.chars().filter(|&c| c == '\n'));
        rest = &rest[start + len + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

/// The `encoding` an XML declaration names.
fn declared_encoding(head: &str) -> Option<String> {
    let start = head.find("<?xml")?;
    let declaration = &head[start..start + head[start..].find("?>")?];
    let at = declaration.find("encoding")? + "encoding".len();
    let value = declaration[at..]
        .trim_start()
        .strip_prefix('=')?
        .trim_start();
    let quote = value.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let value = &value[1..];
    Some(value[..value.find(quote)?].to_string())
}

/// Where each `<item>` or `<entry>` starts, in order.
fn item_starts(source: &str) -> Vec<usize> {
    let mut starts = Vec::new();
    for tag in ["<item", "<entry"] {
        let mut from = 0;
        while let Some(found) = source[from..].find(tag) {
            let at = from + found;
            let next = source.as_bytes().get(at + tag.len()).copied();
            if matches!(next, Some(b'>' | b' ' | b'\n' | b'\r' | b'\t' | b'/')) {
                starts.push(at);
            }
            from = at + tag.len();
        }
    }
    starts.sort_unstable();
    starts
}

/// An item's own text: from its start to its closing tag (what follows it up to the next item is
/// the channel's, or the end of the feed).
fn item_body(rest: &str, atom: bool) -> &str {
    let close = if atom { "</entry>" } else { "</item>" };
    match rest.find(close) {
        Some(end) => &rest[..end + close.len()],
        None => rest,
    }
}

/// The channel title written before the first item, for feeds read item by item.
fn channel_title(head: &str) -> Option<String> {
    let start = head.find("<title>")? + "<title>".len();
    let end = head[start..].find("</title>")? + start;
    let title = fragment_to_text(&head[start..end]);
    (!title.is_empty()).then_some(title)
}

fn feed_title(feed: &Feed) -> Option<String> {
    feed.title
        .as_ref()
        .map(|t| fragment_to_text(&t.content))
        .filter(|t| !t.is_empty())
}

fn item(entry: Entry, source: Option<&str>, line: usize, n: usize, ids: DefaultId<'_>) -> Record {
    let title = entry
        .title
        .as_ref()
        .map(|t| fragment_to_text(&t.content))
        .filter(|t| !t.is_empty());
    let summary = entry.summary.as_ref().map(|s| fragment_to_text(&s.content));
    let content = entry
        .content
        .as_ref()
        .and_then(|c| c.body.as_deref())
        .map(fragment_to_text);
    // The longer of the summary and the full content (RSS `content:encoded`).
    let text = match (summary, content) {
        (Some(s), Some(c)) => Some(if c.len() >= s.len() { c } else { s }),
        (s, c) => s.or(c),
    }
    .filter(|t| !t.is_empty());
    if title.is_none() && text.is_none() {
        return Err(IngestError::Invalid {
            line,
            detail: format!("feed item {n} has neither a title nor a description"),
        });
    }
    let link = entry
        .links
        .iter()
        .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
        .or(entry.links.first())
        .map(|l| l.href.trim().to_string())
        .filter(|l| !l.is_empty());
    let id = Some(entry.id.trim().to_string())
        .filter(|i| !i.is_empty())
        .or_else(|| link.clone());
    let posted = entry.published.or(entry.updated).map(|d| d.to_rfc3339());
    let raw = RawAdvert {
        id,
        title,
        text: Some(text.unwrap_or_default()),
        source: source.map(str::to_string),
        posted_at: posted,
        url: link,
        // A language the screening does not know ("de") is no reason to refuse the item.
        lang: entry
            .language
            .as_deref()
            .and_then(super::known_lang)
            .map(|l| l.as_str().to_string()),
        ..RawAdvert::default()
    };
    raw.into_advert(line, |a| ids.of(a, Some(n)))
        .map_err(|e| in_item(e, n))
}

/// An item's error, numbered.
fn in_item(e: IngestError, n: usize) -> IngestError {
    match e {
        IngestError::Invalid { line, detail } => IngestError::Invalid {
            line,
            detail: format!("feed item {n}: {detail}"),
        },
        other => other,
    }
}
