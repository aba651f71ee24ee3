//! The advert as screened: its fields, kind and language, and spans into its fields.
//! Reading adverts from files is `ingest`'s job; guessing kind and language is `detect`'s.

use serde::{Deserialize, Serialize};

/// What an advert offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A job or work offer.
    Job,
    /// A marriage, partner or dating advert.
    Marriage,
    /// Anything else (news, advice, awareness posts).
    Other,
}

impl Kind {
    /// The lower-case name used in files and output.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Job => "job",
            Kind::Marriage => "marriage",
            Kind::Other => "other",
        }
    }

    /// Parses `job`, `marriage` or `other` (any case); `None` for anything else.
    pub fn parse(s: &str) -> Option<Kind> {
        match s.trim().to_ascii_lowercase().as_str() {
            "job" | "work" => Some(Kind::Job),
            "marriage" | "partner" | "dating" => Some(Kind::Marriage),
            "other" => Some(Kind::Other),
            _ => None,
        }
    }
}

/// The languages adscreen screens; all three are first-class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// Latvian.
    Lv,
    /// Russian.
    Ru,
    /// English.
    En,
}

impl Lang {
    /// All languages, in the order reports list them.
    pub const ALL: [Lang; 3] = [Lang::Lv, Lang::Ru, Lang::En];

    /// The ISO 639-1 code.
    pub fn as_str(self) -> &'static str {
        match self {
            Lang::Lv => "lv",
            Lang::Ru => "ru",
            Lang::En => "en",
        }
    }

    /// Parses an ISO 639-1 or 639-3 code (`lv`, `lav`, `ru`, `rus`, `en`, `eng`).
    pub fn parse(s: &str) -> Option<Lang> {
        match s.trim().to_ascii_lowercase().as_str() {
            "lv" | "lav" | "latvian" => Some(Lang::Lv),
            "ru" | "rus" | "russian" => Some(Lang::Ru),
            "en" | "eng" | "english" => Some(Lang::En),
            _ => None,
        }
    }
}

/// Which field of the advert a span points into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Field {
    /// The title.
    Title,
    /// The body text.
    Text,
}

/// A byte range of one field of the original advert.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Span {
    /// The field the offsets are in.
    pub field: Field,
    /// First byte, inclusive.
    pub start: usize,
    /// Last byte, exclusive.
    pub end: usize,
}

/// One advert as read from input, before screening.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Advert {
    /// Identifier; assigned by the reader when the input has none.
    pub id: String,
    /// Kind, when the input gives one.
    pub kind: Option<Kind>,
    /// Language, when the input gives one.
    pub lang: Option<Lang>,
    /// Title (may be empty).
    pub title: String,
    /// Body text (may be empty when the title carries the advert).
    pub text: String,
    /// Where the advert was found (site, file).
    pub source: Option<String>,
    /// When it was posted, as given.
    pub posted_at: Option<String>,
    /// The address of the original advert, when the input gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

impl Advert {
    /// The original text of a field.
    pub fn field(&self, field: Field) -> &str {
        match field {
            Field::Title => &self.title,
            Field::Text => &self.text,
        }
    }

    /// The original text a span covers, if the span is valid for this advert.
    pub fn evidence(&self, span: &Span) -> Option<&str> {
        self.field(span.field).get(span.start..span.end)
    }
}
