//! A Telegram channel's public web preview (`https://t.me/s/CHANNEL`): one advert per message,
//! with the message's text, its link (`https://t.me/CHANNEL/ID`, also its id), its date and the
//! channel's title as source. Watching a public channel is then watching a page.

use scraper::{ElementRef, Html, Selector};

use super::RawAdvert;
use super::html_text::element_to_text;

fn selector(css: &str) -> Selector {
    Selector::parse(css).expect("the selectors of this module parse (tested)")
}

/// The messages of a channel preview; none when the page is not one.
pub(super) fn messages(page: &Html) -> Vec<RawAdvert> {
    let message = selector(".tgme_widget_message[data-post]");
    // A reply quotes the message it answers in an element of the same class, before its own
    // text: the message's own text is the one marked `js-message_text` (else the last).
    let own_text = selector(".tgme_widget_message_text.js-message_text");
    let text = selector(".tgme_widget_message_text");
    let time = selector("time[datetime]");
    let channel = page
        .select(&selector(".tgme_channel_info_header_title"))
        .next()
        .map(element_to_text)
        .or_else(|| {
            page.select(&selector("meta[property=\"og:title\"]"))
                .next()
                .and_then(|m| m.attr("content"))
                .map(str::to_string)
        })
        .filter(|t| !t.trim().is_empty());
    page.select(&message)
        .filter_map(|m| {
            let post = m.attr("data-post")?.trim();
            let body = m
                .select(&own_text)
                .next()
                .or_else(|| m.select(&text).last())
                .map(element_to_text)?;
            if body.trim().is_empty() || !is_post(post) {
                return None;
            }
            let link = format!("https://t.me/{post}");
            Some(RawAdvert {
                id: Some(link.clone()),
                text: Some(body),
                source: channel.clone(),
                posted_at: posted(m, &time),
                url: Some(link),
                ..RawAdvert::default()
            })
        })
        .collect()
}

/// `channel/123`.
fn is_post(post: &str) -> bool {
    post.split_once('/').is_some_and(|(channel, id)| {
        !channel.is_empty()
            && channel
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_')
            && !id.is_empty()
            && id.chars().all(|c| c.is_ascii_digit())
    })
}

fn posted(message: ElementRef<'_>, time: &Selector) -> Option<String> {
    message
        .select(time)
        .next()
        .and_then(|t| t.attr("datetime"))
        .map(str::to_string)
}
