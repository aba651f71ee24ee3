//! A web page as adverts: each schema.org `JobPosting` in its JSON-LD is one advert; each message
//! of a Telegram channel's web preview is one; any other page is one advert of its main text
//! (the `<main>` or `<article>` element, else the body, without menus, footers and scripts). A JSON-LD block that does not parse is a bad
//! record on the line of the error; the page is still read.

use std::io::Read;

use scraper::{ElementRef, Html, Selector};

use super::html_text::element_to_text;
use super::{DefaultId, IngestError, RawAdvert, Record, jobposting, utf8};

/// Largest page read, in bytes.
pub const MAX_PAGE_BYTES: u64 = 16 * 1024 * 1024;

/// Reads a page. `page_url` is where it was fetched from, when known.
pub(super) fn read_page(
    input: impl Read,
    ids: DefaultId<'_>,
    page_url: Option<&str>,
    sink: &mut dyn FnMut(Record),
) -> Result<(), IngestError> {
    let mut bytes = Vec::new();
    input.take(MAX_PAGE_BYTES + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_PAGE_BYTES {
        return Err(IngestError::Invalid {
            line: 1,
            detail: format!("the page is larger than {MAX_PAGE_BYTES} bytes"),
        });
    }
    let decoded = decode(&bytes)?;
    let source: &str = &decoded;
    let depth = super::html_text::nesting_depth(source);
    if depth > super::html_text::MAX_NESTING {
        return Err(IngestError::Invalid {
            line: 1,
            detail: format!(
                "the page nests elements {depth} deep, more than the {} read",
                super::html_text::MAX_NESTING
            ),
        });
    }
    let page = Html::parse_document(source);
    // The address the page gives itself names it; where it was fetched from, otherwise.
    let page_url = canonical_url(&page).or_else(|| page_url.map(str::to_string));
    let mut postings = Vec::new();
    let mut broken = false;
    // The JSON-LD tags as written, in order, with their lines counted once: the n-th block the
    // parser finds is at the n-th tag.
    let lower = source.to_ascii_lowercase();
    let mut tags = lower.match_indices("application/ld+json").map(|(at, _)| at);
    let mut lines = super::SliceLines::new(source);
    let last_line = super::line_at(source, source.len());
    let scripts = selector("script");
    let blocks = page.select(&scripts).filter(|block| {
        block
            .attr("type")
            .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/ld+json"))
    });
    for (n, block) in blocks.enumerate() {
        let json: String = block.text().collect();
        let line = tags
            .next()
            .map_or(last_line, |at| lines.line_of(&source[at..]));
        match serde_json::from_str::<serde_json::Value>(json.trim()) {
            Ok(value) => {
                for posting in jobposting::find_postings(&value) {
                    postings.push((line, jobposting::to_raw(posting, page_url.as_deref())));
                }
            }
            Err(e) => {
                broken = true;
                // The error's line inside the block, counted from the line of its tag.
                let skipped = json.len() - json.trim_start().len();
                let inner = super::line_at(&json, skipped) - 1;
                sink(Err(IngestError::Json {
                    line: (line + inner + e.line().saturating_sub(1)).min(last_line),
                    detail: format!(
                        "JSON-LD block {} does not parse: {}",
                        n + 1,
                        without_place(&e)
                    ),
                }));
            }
        }
    }
    if !postings.is_empty() {
        let many = postings.len() > 1;
        for (n, (line, mut raw)) in postings.into_iter().enumerate() {
            let at = many.then_some(n + 1);
            if raw.id.is_none() {
                raw.id = match (&page_url, at) {
                    (Some(url), Some(n)) => Some(format!("{url}#{n}")),
                    (Some(url), None) => Some(url.clone()),
                    (None, _) => None,
                };
            }
            sink(raw.into_advert(line, |a| ids.of(a, at)));
        }
        return Ok(());
    }
    let messages = super::telegram_web::messages(&page);
    if !messages.is_empty() {
        for (n, raw) in messages.into_iter().enumerate() {
            sink(raw.into_advert(1, |a| ids.of(a, Some(n + 1))));
        }
        return Ok(());
    }
    let text = element_to_text(main_element(&page));
    if text.is_empty() {
        sink(Err(IngestError::Invalid {
            line: 1,
            detail: if broken {
                "the page has no text besides its broken JSON-LD".into()
            } else {
                "the page has no text".into()
            },
        }));
        return Ok(());
    }
    let raw = RawAdvert {
        id: page_url.clone(),
        title: page_title(&page),
        text: Some(text),
        posted_at: meta(&page, "article:published_time"),
        url: page_url,
        ..RawAdvert::default()
    };
    sink(raw.into_advert(1, |a| ids.of(a, None)));
    Ok(())
}

/// A page's text: UTF-8 as it is; other bytes in the character set its `<meta>` names in the
/// first kilobyte (as browsers read a page whose server named none).
fn decode(bytes: &[u8]) -> Result<std::borrow::Cow<'_, str>, IngestError> {
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(std::borrow::Cow::Borrowed(text));
    }
    static CHARSET: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r#"(?i)<meta[^>]*charset\s*=\s*["']?([A-Za-z0-9_:.\-]+)"#)
            .expect("the charset pattern compiles (tested)")
    });
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(1024)]);
    let encoding = CHARSET
        .captures(&head)
        .and_then(|c| encoding_rs::Encoding::for_label(c[1].as_bytes()));
    match encoding {
        Some(encoding) => Ok(std::borrow::Cow::Owned(
            encoding.decode(bytes).0.into_owned(),
        )),
        None => utf8(bytes).map(std::borrow::Cow::Borrowed),
    }
}

/// A JSON error's message without its place in the block (the record's line says where).
fn without_place(e: &serde_json::Error) -> String {
    let message = e.to_string();
    match message.rfind(" at line ") {
        Some(at) => message[..at].to_string(),
        None => message,
    }
}

fn selector(css: &str) -> Selector {
    Selector::parse(css).expect("the selectors of this module parse (tested)")
}

/// The element that holds the page's content: `<main>`, an element with `role="main"`, the
/// longest `<article>`, else `<body>` (else the whole document).
fn main_element(page: &Html) -> ElementRef<'_> {
    for css in ["main", "[role=main]"] {
        if let Some(found) = page.select(&selector(css)).next() {
            return found;
        }
    }
    let longest = page
        .select(&selector("article"))
        .max_by_key(|a| a.text().map(str::len).sum::<usize>());
    longest
        .or_else(|| page.select(&selector("body")).next())
        .unwrap_or_else(|| page.root_element())
}

/// The page's title: its first `<h1>`, else `og:title`, else `<title>`.
fn page_title(page: &Html) -> Option<String> {
    let text_of = |e: ElementRef<'_>| {
        let t = element_to_text(e);
        (!t.is_empty()).then_some(t)
    };
    page.select(&selector("h1"))
        .find_map(text_of)
        .or_else(|| meta(page, "og:title"))
        .or_else(|| page.select(&selector("title")).find_map(text_of))
        .map(|t| t.replace('\n', " "))
}

/// The content of a `<meta property=...>` (or `name=`).
fn meta(page: &Html, property: &str) -> Option<String> {
    page.select(&selector("meta"))
        .find(|m| m.attr("property").or_else(|| m.attr("name")) == Some(property))
        .and_then(|m| m.attr("content"))
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_string)
}

/// The page's own address: `<link rel=canonical>`, else `og:url`; absolute addresses only.
fn canonical_url(page: &Html) -> Option<String> {
    page.select(&selector("link"))
        .find(|l| {
            l.attr("rel").is_some_and(|r| {
                r.split_whitespace()
                    .any(|r| r.eq_ignore_ascii_case("canonical"))
            })
        })
        .and_then(|l| l.attr("href"))
        .map(str::to_string)
        .or_else(|| meta(page, "og:url"))
        .filter(|u| u.starts_with("http://") || u.starts_with("https://"))
}
