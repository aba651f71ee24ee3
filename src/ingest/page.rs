//! A web page as adverts: each schema.org `JobPosting` in its JSON-LD is one advert; each message
//! of a Telegram channel's web preview is one; any other page is one advert of its main text (the `<main>` or `<article>` element, else the
//! body, without menus, footers and scripts). A JSON-LD block that does not parse is a bad
//! record on the line it starts; the page is still read.

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
    let source = utf8(&bytes)?;
    let page = Html::parse_document(source);
    let page_url = page_url
        .map(str::to_string)
        .or_else(|| canonical_url(&page));
    let mut postings = Vec::new();
    let mut broken = false;
    let mut ld_blocks = 0;
    let last_line = super::line_at(source, source.len());
    for (n, block) in page.select(&selector("script")).enumerate() {
        let is_ld = block
            .attr("type")
            .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/ld+json"));
        if !is_ld {
            continue;
        }
        let json: String = block.text().collect();
        // The block is found in the page as written; where the parser changed it (line breaks
        // `\r\n` read as `\n`), the line of its tag is used.
        let line = match source.find(json.as_str()).filter(|_| !json.is_empty()) {
            Some(at) => super::line_at(source, at),
            None => tag_line(source, ld_blocks),
        };
        ld_blocks += 1;
        match serde_json::from_str::<serde_json::Value>(json.trim()) {
            Ok(value) => {
                for posting in jobposting::find_postings(&value) {
                    postings.push((line, jobposting::to_raw(posting, page_url.as_deref())));
                }
            }
            Err(e) => {
                broken = true;
                // The line inside the block counts from the line the block starts on.
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
        for (n, (line, raw)) in postings.into_iter().enumerate() {
            let at = many.then_some(n + 1);
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

/// The line of the `n`-th (from 0) JSON-LD `<script>` tag as written, or 1.
fn tag_line(source: &str, n: usize) -> usize {
    let lower = source.to_ascii_lowercase();
    lower
        .match_indices("application/ld+json")
        .nth(n)
        .map_or(1, |(at, _)| super::line_at(source, at))
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
