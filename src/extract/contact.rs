//! Contacts: phone numbers, e-mail addresses (also "at"/"(at)"/"[dot]" forms), URLs and
//! messenger handles. Values are normalised so the same contact written two ways compares equal
//! ("+371 2000 1234" and "20001234" are both `+37120001234`).

use std::sync::LazyLock;

use regex::Regex;

use crate::dialect;
use serde::{Deserialize, Serialize};

use super::lexicon::{FREE_WEBMAIL, MESSENGER_CUES, NON_EMPLOYER_HOSTS};
use super::{Located, Scan};
use crate::normalise::floor_char_boundary;

/// A phone number.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Phone {
    /// E.164 form, `+` and digits.
    pub value: String,
    /// ISO 3166 code of the calling code, when known (`LV` for +371).
    pub country: Option<String>,
    /// Written without a calling code, as people of its own country write it (`0871234567`
    /// in Ireland): local to whoever the advert is for, so never a foreign number.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub national: bool,
}

/// An e-mail address.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Email {
    /// `local@domain`, lower case.
    pub value: String,
    /// The domain is a free web-mail service.
    pub free_webmail: bool,
}

/// A web address.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Url {
    /// The address as written, lower case, without trailing punctuation.
    pub value: String,
    /// The host, without `www.`.
    pub host: String,
    /// The host is a social network, messenger, shortener or classified board.
    pub employer_site: bool,
}

/// A messenger mentioned as a way to get in touch, with its handle when one is given.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Messenger {
    /// `whatsapp`, `telegram`, `viber` or `signal`.
    pub app: String,
    /// Phone number (E.164) or user name given with it.
    pub handle: Option<String>,
}

/// Calling codes adscreen knows, longest first within each length; others keep `country: None`.
const CALLING_CODES: &[(&str, &str)] = &[
    ("371", "LV"),
    ("370", "LT"),
    ("372", "EE"),
    ("353", "IE"),
    ("357", "CY"),
    ("358", "FI"),
    ("380", "UA"),
    ("375", "BY"),
    ("373", "MD"),
    ("971", "AE"),
    ("974", "QA"),
    ("973", "BH"),
    ("966", "SA"),
    ("972", "IL"),
    ("994", "AZ"),
    ("995", "GE"),
    ("998", "UZ"),
    ("992", "TJ"),
    ("234", "NG"),
    ("212", "MA"),
    ("216", "TN"),
    ("420", "CZ"),
    ("421", "SK"),
    ("880", "BD"),
    ("44", "GB"),
    ("49", "DE"),
    ("47", "NO"),
    ("46", "SE"),
    ("45", "DK"),
    ("48", "PL"),
    ("31", "NL"),
    ("32", "BE"),
    ("33", "FR"),
    ("34", "ES"),
    ("39", "IT"),
    ("41", "CH"),
    ("43", "AT"),
    ("30", "GR"),
    ("90", "TR"),
    ("91", "IN"),
    ("92", "PK"),
    ("94", "LK"),
    ("86", "CN"),
    ("81", "JP"),
    ("36", "HU"),
    ("40", "RO"),
    ("82", "KR"),
    ("61", "AU"),
    ("20", "EG"),
    ("1", "US"),
    ("7", "RU"),
];

fn country_of(digits: &str) -> Option<&'static str> {
    CALLING_CODES
        .iter()
        .find(|(code, _)| digits.starts_with(code))
        .map(|(_, c)| *c)
}

static INTERNATIONAL: LazyLock<Regex> = LazyLock::new(|| {
    dialect::build(r"(?:\+|(?-u:\b)00)\s?\(?\d\)?(?:[ \-.()]{0,2}\d){6,14}(?-u:\b)")
        .expect("phone regex compiles")
});
static LATVIAN: LazyLock<Regex> = LazyLock::new(|| {
    // The ways Latvian mobile and landline numbers are written: 20001234, 2000 1234,
    // 20 001 234, 200 01 234, 20 00 12 34, 20001 234 (spaces or hyphens). Dots are left out:
    // 25.06.2026 is a date.
    dialect::build(
        r"(?-u:\b)(?:[26]\d{7}|[26]\d{3}[ \-]\d{4}|[26]\d[ \-]\d{3}[ \-]\d{3}|[26]\d{2}[ \-]\d{2}[ \-]\d{3}|[26]\d[ \-]\d{2}[ \-]\d{2}[ \-]\d{2}|[26]\d{4}[ \-]\d{3})(?-u:\b)",
    )
    .expect("latvian phone regex compiles")
});
/// Mobile numbers of the main destination countries as their own people write them, without a
/// calling code: Ireland (083-089 and seven digits) and the United Kingdom (07 and nine digits).
static NATIONAL_MOBILE: LazyLock<Regex> = LazyLock::new(|| {
    dialect::build(
        r"(?-u:\b)(?:(08[3-9])[ \-]?(\d{3})[ \-]?(\d{4})|(07\d{3})[ \-]?(\d{3})[ \-]?(\d{3}))(?-u:\b)",
    )
    .expect("national mobile regex compiles")
});
/// Something that makes a run of digits money rather than a phone number.
static MONEY_AFTER: LazyLock<Regex> = LazyLock::new(|| {
    dialect::build(
        r"^\s?(?:eur|€|euro|eiro|евро|£|\$|gbp|usd|ls(?-u:\b)|руб|nok|sek|bruto|neto|gross|net(?-u:\b)|брутто|нетто|[.,:]\d)",
    )
    .expect("money regex compiles")
});
/// Something just before a run of digits that makes it money or a time rather than a phone.
static MONEY_BEFORE: LazyLock<Regex> = LazyLock::new(|| {
    dialect::build(
        r"(?:eur|€|euro|eiro|евро|£|\$|gbp|usd|alga|algu|atalgojum\w*|samaksa|salary|pay|wage|зарплат\w*|оплата|no|from|от|līdz|lidz|до|to|[.,:]\d)\s?[:\-]?\s?$",
    )
    .expect("money regex compiles")
});

static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    dialect::build(
        r"(?-u:\b)[a-z0-9][a-z0-9._%+\-]*@[a-z0-9\-]+(?:\.[a-z0-9\-]+)*\.[a-z]{2,}(?-u:\b)",
    )
    .expect("email regex compiles")
});
static EMAIL_SPELLED: LazyLock<Regex> = LazyLock::new(|| {
    dialect::build(
        r"(?-u:\b)([a-z0-9][a-z0-9._\-]*)\s?(?:\(at\)|\[at\]|\{at\}|\(@\)|\sat\s|\(собака\)|\sсобака\s)\s?([a-z0-9\-]+)\s?(?:\.|\(dot\)|\[dot\]|\{dot\}|\sdot\s|\(точка\)|\sточка\s)\s?(lv|com|ru|net|org|eu|ee|lt|uk|de|ie|no|se|fi|nl|info)(?-u:\b)",
    )
    .expect("spelled email regex compiles")
});
/// The top-level domains a bare domain name in [`URL`] ends with.
const URL_DOMAINS: [&str; 19] = [
    "lv", "com", "eu", "ru", "ee", "lt", "de", "uk", "ie", "org", "net", "info", "io", "me", "no",
    "se", "fi", "nl", "pl",
];
static URL: LazyLock<Regex> = LazyLock::new(|| {
    dialect::build(&format!(
        r#"(?-u:\b)https?://[^\s<>"']+|(?-u:\b)www\.[^\s<>"']+|(?-u:\b)[a-z0-9][a-z0-9\-]*(?:\.[a-z0-9\-]+)*\.(?:{})(?-u:\b)(?:/[^\s<>"']*)?"#,
        URL_DOMAINS.join("|")
    ))
    .expect("url regex compiles")
});

/// Whether [`URL`] can match: every match holds "http", "www." or a dot followed by one of
/// [`URL_DOMAINS`]. Most fields have dots, few have these.
fn may_hold_url(text: &str) -> bool {
    text.contains("http")
        || text.contains("www.")
        || text
            .match_indices('.')
            .any(|(i, _)| URL_DOMAINS.iter().any(|d| text[i + 1..].starts_with(d)))
}
static HANDLE: LazyLock<Regex> = LazyLock::new(|| {
    dialect::build(r"(?:^|[\s:(,])@([a-z0-9_]{4,32})(?-u:\b)").expect("handle regex compiles")
});

/// Finds phone numbers in one field.
pub(super) fn phones(scan: &Scan<'_>, out: &mut Vec<Located<Phone>>) {
    let text = scan.basic.as_str();
    let mut taken: Vec<(usize, usize)> = Vec::new();
    for m in INTERNATIONAL
        .find_iter(text)
        .take(super::MAX_FACTS_PER_FIELD)
    {
        let digits: String = m.as_str().chars().filter(char::is_ascii_digit).collect();
        let digits = if m.as_str().starts_with("00") {
            digits[2..].to_string()
        } else {
            digits
        };
        if digits.len() < 8 {
            continue;
        }
        taken.push((m.start(), m.end()));
        out.push(scan.locate_basic(
            m.start(),
            m.end(),
            Phone {
                country: country_of(&digits).map(str::to_string),
                value: format!("+{digits}"),
                national: false,
            },
        ));
    }
    for m in NATIONAL_MOBILE
        .captures_iter(text)
        .take(super::MAX_FACTS_PER_FIELD)
    {
        let Some(whole) = m.get(0) else { continue };
        if taken
            .iter()
            .any(|&(s, e)| whole.start() < e && s < whole.end())
        {
            continue;
        }
        let digits: String = whole
            .as_str()
            .chars()
            .filter(char::is_ascii_digit)
            .collect();
        let (code, country) = if m.get(1).is_some() {
            ("353", "IE")
        } else {
            ("44", "GB")
        };
        taken.push((whole.start(), whole.end()));
        out.push(scan.locate_basic(
            whole.start(),
            whole.end(),
            Phone {
                value: format!("+{code}{}", &digits[1..]),
                country: Some(country.into()),
                national: true,
            },
        ));
    }
    for m in LATVIAN.find_iter(text).take(super::MAX_FACTS_PER_FIELD) {
        if taken.iter().any(|&(s, e)| m.start() < e && s < m.end()) {
            continue;
        }
        let before = &text[floor_char_boundary(text, m.start().saturating_sub(16))..m.start()];
        if MONEY_AFTER.is_match(&text[m.end()..]) || MONEY_BEFORE.is_match(before) {
            continue;
        }
        let digits: String = m.as_str().chars().filter(char::is_ascii_digit).collect();
        out.push(scan.locate_basic(
            m.start(),
            m.end(),
            Phone {
                value: format!("+371{digits}"),
                country: Some("LV".into()),
                national: true,
            },
        ));
    }
}

fn is_free_webmail(domain: &str) -> bool {
    FREE_WEBMAIL.contains(&domain)
}

/// Finds e-mail addresses, written plainly or spelled out.
pub(super) fn emails(scan: &Scan<'_>, out: &mut Vec<Located<Email>>) {
    let text = scan.basic.as_str();
    for m in EMAIL.find_iter(text).take(super::MAX_FACTS_PER_FIELD) {
        let value = m.as_str().to_string();
        let domain = value.rsplit('@').next().unwrap_or_default();
        out.push(scan.locate_basic(
            m.start(),
            m.end(),
            Email {
                free_webmail: is_free_webmail(domain),
                value,
            },
        ));
    }
    for c in EMAIL_SPELLED
        .captures_iter(text)
        .take(super::MAX_FACTS_PER_FIELD)
    {
        let (Some(whole), Some(local), Some(host), Some(tld)) =
            (c.get(0), c.get(1), c.get(2), c.get(3))
        else {
            continue;
        };
        let domain = format!("{}.{}", host.as_str(), tld.as_str());
        out.push(scan.locate_basic(
            whole.start(),
            whole.end(),
            Email {
                free_webmail: is_free_webmail(&domain),
                value: format!("{}@{domain}", local.as_str()),
            },
        ));
    }
}

/// Finds web addresses (not the domain part of an e-mail address).
pub(super) fn urls(scan: &Scan<'_>, out: &mut Vec<Located<Url>>) {
    let text = scan.basic.as_str();
    if !may_hold_url(text) {
        return;
    }
    for m in URL.find_iter(text).take(super::MAX_FACTS_PER_FIELD) {
        let in_email = text[..m.start()].ends_with(['@', '.', '_', '-', '+'])
            || text[m.end()..].starts_with(['@', '_', '-', '+']);
        if in_email {
            continue;
        }
        // A bare domain needs lower case after its dots in the original: "pay.No experience" is
        // a sentence with a missing space, not a web address.
        let bare = !m.as_str().starts_with("http") && !m.as_str().starts_with("www.");
        let (os, oe) = scan.basic.original_span(m.start(), m.end());
        let sentence = scan.original[os..oe]
            .split('.')
            .skip(1)
            .any(|part| part.chars().next().is_some_and(char::is_uppercase));
        if bare && sentence {
            continue;
        }
        let value = m
            .as_str()
            .trim_end_matches(['.', ',', ')', '!', '?', ';', ':'])
            .to_string();
        let host = value
            .trim_start_matches("https://")
            .trim_start_matches("http://")
            .trim_start_matches("www.")
            .split(['/', '?', '#'])
            .next()
            .unwrap_or_default()
            .to_string();
        let employer_site = !NON_EMPLOYER_HOSTS
            .iter()
            .any(|h| host == *h || host.ends_with(&format!(".{h}")));
        out.push(scan.locate_basic(
            m.start(),
            m.start() + value.len(),
            Url {
                value,
                host,
                employer_site,
            },
        ));
    }
}

/// Makes messenger mentions (the distinct hits of the messenger list in the words view) into
/// facts, with the handle or number written right after each (before the next messenger is
/// named).
pub(super) fn messengers(
    scan: &Scan<'_>,
    mut hits: Vec<crate::phrase::PhraseHit<'_, &'static str>>,
    phones: &[Located<Phone>],
    out: &mut Vec<Located<Messenger>>,
) {
    let text = scan.words.as_str();
    hits.truncate(super::MAX_FACTS_PER_FIELD);
    for (i, hit) in hits.iter().enumerate() {
        let app = *hit.value;
        let limit = hits
            .get(i + 1)
            .map_or(text.len(), |next| next.start)
            .min(floor_char_boundary(text, (hit.end + 60).min(text.len())));
        let mut span_end = hit.end;
        let handle = if let Some(rest) = text[hit.end..].strip_prefix('/') {
            // wa.me/371..., t.me/name
            let h: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            span_end = hit.end + 1 + h.len();
            let (os, oe) = scan.words.original_span(hit.end + 1, span_end);
            (!h.is_empty()).then(|| scan.original[os..oe].to_lowercase())
        } else {
            let after = &text[hit.end..limit.max(hit.end)];
            // The handle as written: the words view reads "job4you" as "jobayou".
            let handle = HANDLE.captures(after).and_then(|c| c.get(1)).map(|h| {
                let (os, oe) = scan
                    .words
                    .original_span(hit.end + h.start(), hit.end + h.end());
                (os, format!("@{}", scan.original[os..oe].to_lowercase()))
            });
            let (here, _) = scan.words.original_span(hit.start, hit.end);
            let (stop, _) = scan.words.original_span(limit, limit + 1);
            let stop = if limit >= text.len() {
                usize::MAX
            } else {
                stop
            };
            let phone = phones
                .iter()
                .find(|p| p.span.field == scan.field && p.span.start >= here && p.span.start < stop)
                .map(|p| (p.span.start, p.value.value.clone()));
            match (handle, phone) {
                (Some(h), Some(p)) => Some(if h.0 < p.0 { h.1 } else { p.1 }),
                (h, p) => h.or(p).map(|x| x.1),
            }
        };
        // "signal" is an ordinary English word: count it only with a handle or number.
        if app == "signal" && handle.is_none() {
            continue;
        }
        if !abbreviation_is_messenger(text, hit.start, hit.end, handle.as_deref()) {
            continue;
        }
        out.push(scan.locate_words(
            hit.start,
            span_end,
            Messenger {
                app: app.to_string(),
                handle,
            },
        ));
    }
}

/// Whether a messenger hit at `start..end` of the words view `text` names a messenger. Only the
/// abbreviations "tg" and "тг" are in doubt: they stand for many things ("тг" is also the
/// tenge), so they name Telegram only with an @handle after them, with a number after "tg" or
/// after a label colon ("ТГ: +371 ..."), or with a verb of writing or a contact word among the
/// three words before them in their clause ("пиши в тг", "raksti TG", "только тг").
fn abbreviation_is_messenger(text: &str, start: usize, end: usize, handle: Option<&str>) -> bool {
    let word = &text[start..end];
    if word != "tg" && word != "тг" {
        return true;
    }
    match handle {
        Some(h) if h.starts_with('@') => return true,
        Some(_) if word == "tg" || text[end..].trim_start().starts_with(':') => return true,
        _ => {}
    }
    let before = &text[..start];
    let clause_start = before
        .rfind(['.', '!', '?', ';', ',', ':', '(', ')', '\n'])
        .map_or(0, |i| i + 1);
    before[clause_start..]
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .rev()
        .take(3)
        .any(|w| MESSENGER_CUES.contains(&w))
}
