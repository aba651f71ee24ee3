//! schema.org `JobPosting` (the JSON-LD job boards publish for search engines) as an advert. The
//! structured fields are written out as labelled lines after the description, in the advert's
//! language ("Darba devējs: …", "Alga: 12.50 EUR stundā"), so the extractors read them as they
//! read any advert (employer named, pay with its period, destination) and every reason they give
//! points at words the reader can see.

use std::sync::LazyLock;

use serde_json::{Map, Value};

use super::RawAdvert;
use super::html_text::fragment_to_text;
use crate::advert::Lang;
use crate::detect::Detect;

/// How deep JSON-LD is searched for postings (`@graph`, arrays, `mainEntity`).
const MAX_DEPTH: usize = 8;

/// Every `JobPosting` object in a JSON-LD value: the value itself, the elements of an array, the
/// members of `@graph` and `mainEntity`.
pub(crate) fn find_postings(value: &Value) -> Vec<&Map<String, Value>> {
    let mut found = Vec::new();
    collect(value, 0, &mut found);
    found
}

fn collect<'a>(value: &'a Value, depth: usize, found: &mut Vec<&'a Map<String, Value>>) {
    if depth > MAX_DEPTH {
        return;
    }
    match value {
        Value::Array(items) => items.iter().for_each(|v| collect(v, depth + 1, found)),
        Value::Object(object) => {
            if is_posting(object) {
                found.push(object);
                return;
            }
            for key in ["@graph", "mainEntity", "itemListElement", "item"] {
                if let Some(inner) = object.get(key) {
                    collect(inner, depth + 1, found);
                }
            }
        }
        _ => {}
    }
}

fn is_posting(object: &Map<String, Value>) -> bool {
    let named = |v: &Value| {
        v.as_str().is_some_and(|t| {
            let t = t.trim();
            let local = t.rsplit(['/', ':', '#']).next().unwrap_or(t);
            local.eq_ignore_ascii_case("JobPosting")
        })
    };
    match object.get("@type") {
        Some(Value::Array(types)) => types.iter().any(named),
        Some(t) => named(t),
        None => false,
    }
}

/// The words of the labelled lines in one language.
struct Labels {
    employer: &'static str,
    place: &'static str,
    remote: &'static str,
    pay: &'static str,
    /// Pay per hour, day, week, month, year.
    per: [&'static str; 5],
    employment: &'static str,
    posted: &'static str,
    valid: &'static str,
}

const EN: Labels = Labels {
    employer: "Employer",
    place: "Place of work",
    remote: "remote work",
    pay: "Pay",
    per: ["per hour", "per day", "per week", "per month", "per year"],
    employment: "Employment",
    posted: "Posted",
    valid: "Apply by",
};

const LV: Labels = Labels {
    employer: "Darba devējs",
    place: "Darba vieta",
    remote: "attālināts darbs",
    pay: "Alga",
    per: ["stundā", "dienā", "nedēļā", "mēnesī", "gadā"],
    employment: "Slodze",
    posted: "Publicēts",
    valid: "Pieteikties līdz",
};

const RU: Labels = Labels {
    employer: "Работодатель",
    place: "Место работы",
    remote: "удалённая работа",
    pay: "Зарплата",
    per: ["в час", "в день", "в неделю", "в месяц", "в год"],
    employment: "Занятость",
    posted: "Опубликовано",
    valid: "Действует до",
};

fn labels(lang: Lang) -> &'static Labels {
    match lang {
        Lang::Lv => &LV,
        Lang::Ru => &RU,
        Lang::En => &EN,
    }
}

/// schema.org employment types, named in each language (lv, ru, en).
const EMPLOYMENT: &[(&str, [&str; 3])] = &[
    (
        "FULL_TIME",
        ["pilna slodze", "полная занятость", "full time"],
    ),
    (
        "PART_TIME",
        ["nepilna slodze", "частичная занятость", "part time"],
    ),
    (
        "CONTRACTOR",
        ["uzņēmuma līgums", "договор подряда", "contract"],
    ),
    (
        "TEMPORARY",
        ["pagaidu darbs", "временная работа", "temporary"],
    ),
    ("INTERN", ["prakse", "стажировка", "internship"]),
    (
        "VOLUNTEER",
        ["brīvprātīgais darbs", "волонтёрство", "volunteer"],
    ),
    (
        "PER_DIEM",
        [
            "darbs ar dienas samaksu",
            "подённая работа",
            "paid by the day",
        ],
    ),
    ("SEASONAL", ["sezonas darbs", "сезонная работа", "seasonal"]),
];

static DETECT: LazyLock<Detect> = LazyLock::new(Detect::new);

/// A posting as an advert (its description, then a line per structured field). `page_url` is the
/// address of the page it was found on, used when the posting names none.
pub(crate) fn to_raw(posting: &Map<String, Value>, page_url: Option<&str>) -> RawAdvert {
    let title = text_of(posting.get("title"))
        .or_else(|| text_of(posting.get("name")))
        .map(|t| fragment_to_text(&t));
    let description = text_of(posting.get("description"))
        .map(|d| fragment_to_text(&d))
        .unwrap_or_default();
    let lang = text_of(posting.get("inLanguage"))
        .and_then(|l| super::known_lang(&l))
        .unwrap_or_else(|| {
            DETECT.lang(&format!(
                "{} {description}",
                title.as_deref().unwrap_or_default()
            ))
        });
    let words = labels(lang);
    let mut lines = Vec::new();
    if let Some(employer) = organisation(posting.get("hiringOrganization")) {
        lines.push(format!("{}: {employer}", words.employer));
    }
    let places = places(posting, words);
    if !places.is_empty() {
        lines.push(format!("{}: {}", words.place, places.join("; ")));
    }
    if let Some(pay) = pay(posting.get("baseSalary"), words) {
        lines.push(format!("{}: {pay}", words.pay));
    }
    let employment = employment(posting.get("employmentType"), lang);
    if !employment.is_empty() {
        lines.push(format!("{}: {}", words.employment, employment.join(", ")));
    }
    let posted = text_of(posting.get("datePosted"));
    if let Some(date) = &posted {
        lines.push(format!("{}: {}", words.posted, date_part(date)));
    }
    if let Some(date) = text_of(posting.get("validThrough")) {
        lines.push(format!("{}: {}", words.valid, date_part(&date)));
    }
    let mut text = description;
    if !lines.is_empty() {
        if !text.is_empty() {
            text.push_str("\n\n");
        }
        text.push_str(&lines.join("\n"));
    }
    let own_url = text_of(posting.get("url"));
    let identifier = match posting.get("identifier") {
        Some(Value::Object(o)) => text_of(o.get("value")),
        other => text_of(other),
    };
    // Named by its own address or identifier; the page's address is only where it was found
    // (a page may list many postings), and the page names those without a name of their own.
    let url = own_url.clone().or_else(|| page_url.map(str::to_string));
    RawAdvert {
        id: own_url.or(identifier),
        kind: Some("job".into()),
        title,
        text: Some(text),
        posted_at: posted,
        url,
        ..RawAdvert::default()
    }
}

/// A field's text: a string, a number, the `name` or `@value` of an object, or the first of an
/// array that has one. Blank is none.
fn text_of(value: Option<&Value>) -> Option<String> {
    let text = match value? {
        Value::String(s) => s.trim().to_string(),
        Value::Number(n) => n.to_string(),
        Value::Object(o) => return text_of(o.get("name")).or_else(|| text_of(o.get("@value"))),
        Value::Array(items) => return items.iter().find_map(|v| text_of(Some(v))),
        _ => return None,
    };
    (!text.is_empty()).then_some(text)
}

/// A date-time's date (`2026-11-02T08:00:00+02:00` as `2026-11-02`); other text as written.
fn date_part(date: &str) -> &str {
    let bytes = date.as_bytes();
    let is_date = bytes.len() >= 10
        && bytes[..10].iter().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                *b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    if is_date { &date[..10] } else { date }
}

/// The hiring organisation's name, with its web site when it gives one.
fn organisation(value: Option<&Value>) -> Option<String> {
    let name = text_of(value)?;
    let site = match value {
        Some(Value::Object(o)) => text_of(o.get("sameAs")).or_else(|| text_of(o.get("url"))),
        _ => None,
    };
    Some(match site {
        Some(site) if site.starts_with("http") => format!("{name}, {site}"),
        _ => name,
    })
}

/// The places of work: locality, region and country of each `jobLocation`, and remote work.
fn places(posting: &Map<String, Value>, words: &Labels) -> Vec<String> {
    let mut out = Vec::new();
    let locations = match posting.get("jobLocation") {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(v) => vec![v],
        None => Vec::new(),
    };
    for location in locations {
        let address = match location {
            Value::Object(o) => o.get("address").unwrap_or(location),
            other => other,
        };
        let place = match address {
            Value::String(s) => s.trim().to_string(),
            Value::Object(a) => {
                let mut parts: Vec<String> = ["addressLocality", "addressRegion"]
                    .iter()
                    .filter_map(|k| text_of(a.get(*k)))
                    .collect();
                if let Some(country) = text_of(a.get("addressCountry")) {
                    parts.push(country_name(&country));
                }
                parts.dedup();
                parts.join(", ")
            }
            _ => String::new(),
        };
        if !place.is_empty() && !out.contains(&place) {
            out.push(place);
        }
    }
    let remote = text_of(posting.get("jobLocationType"))
        .is_some_and(|t| t.eq_ignore_ascii_case("TELECOMMUTE"));
    if remote {
        out.push(words.remote.to_string());
    }
    out
}

/// A country code (`NO`, `NOR`) as its English name; a name as written.
fn country_name(country: &str) -> String {
    let code = country.trim().to_ascii_uppercase();
    let found = match code.len() {
        2 => isocountry::CountryCode::for_alpha2(&code).ok(),
        3 => isocountry::CountryCode::for_alpha3(&code).ok(),
        _ => None,
    };
    match found {
        // "United Kingdom of Great Britain and Northern Ireland" is known by its short name.
        Some(isocountry::CountryCode::GBR) => "United Kingdom".into(),
        Some(c) => c.name().split(" (").next().unwrap_or(c.name()).to_string(),
        None => country.trim().to_string(),
    }
}

/// `baseSalary` as pay with its period: a number, or a `MonetaryAmount` whose `value` is a number
/// or a `QuantitativeValue` (`value` or `minValue`/`maxValue`, `unitText`).
fn pay(value: Option<&Value>, words: &Labels) -> Option<String> {
    let (currency, amount) = match value? {
        Value::Object(o) => (text_of(o.get("currency")), o.get("value")?),
        number @ Value::Number(_) => (None, number),
        _ => return None,
    };
    let (min, max, unit) = match amount {
        Value::Object(q) => (
            number(q.get("minValue")).or_else(|| number(q.get("value"))),
            number(q.get("maxValue")),
            text_of(q.get("unitText")),
        ),
        other => (number(Some(other)), None, None),
    };
    let unit = unit.or_else(|| match value {
        Some(Value::Object(o)) => text_of(o.get("unitText")),
        _ => None,
    });
    let amount = match (min, max) {
        (Some(a), Some(b)) if a != b => format!("{} - {}", figure(a), figure(b)),
        (Some(a), _) | (None, Some(a)) => figure(a),
        (None, None) => return None,
    };
    let mut line = amount;
    if let Some(currency) = currency {
        line.push(' ');
        line.push_str(&currency);
    }
    let period = unit.and_then(|u| match u.trim().to_ascii_uppercase().as_str() {
        "HOUR" | "HOURLY" => Some(0),
        "DAY" | "DAILY" => Some(1),
        "WEEK" | "WEEKLY" => Some(2),
        "MONTH" | "MONTHLY" => Some(3),
        "YEAR" | "YEARLY" | "ANNUAL" | "ANNUALLY" => Some(4),
        _ => None,
    });
    if let Some(p) = period {
        line.push(' ');
        line.push_str(words.per[p]);
    }
    Some(line)
}

fn number(value: Option<&Value>) -> Option<f64> {
    match value? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().replace([' ', '\u{a0}'], "").parse().ok(),
        _ => None,
    }
    .filter(|n: &f64| n.is_finite() && *n > 0.0)
}

/// An amount as pay is written: whole numbers without decimals, others with two.
fn figure(n: f64) -> String {
    if n.fract() == 0.0 {
        format!("{n:.0}")
    } else {
        format!("{n:.2}")
    }
}

/// The employment types in the advert's language.
fn employment(value: Option<&Value>, lang: Lang) -> Vec<String> {
    let types: Vec<String> = match value {
        Some(Value::Array(items)) => items.iter().filter_map(|v| text_of(Some(v))).collect(),
        other => text_of(other).into_iter().collect(),
    };
    let column = match lang {
        Lang::Lv => 0,
        Lang::Ru => 1,
        Lang::En => 2,
    };
    types
        .iter()
        .map(|t| {
            let key = t.trim().to_ascii_uppercase().replace([' ', '-'], "_");
            EMPLOYMENT.iter().find(|(k, _)| *k == key).map_or_else(
                || t.trim().to_lowercase(),
                |(_, names)| names[column].into(),
            )
        })
        .collect()
}
