//! Destinations: countries and cities named in Latvian, Russian or English (inflected forms
//! included), and unnamed foreign destinations ("ārzemēs", "за границей").

use serde::Serialize;

use super::{Located, Scan};
use crate::phrase::PhraseSet;

/// A place the work or the trip is in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Destination {
    /// The place as written, normalised.
    pub name: String,
    /// ISO 3166 code; `ABROAD` for an unnamed foreign place.
    pub country: &'static str,
}

impl Destination {
    /// Whether the place is outside Latvia.
    pub fn is_abroad(&self) -> bool {
        self.country != "LV"
    }
}

/// Finds destinations in one field.
pub(super) fn destinations(
    scan: &Scan<'_>,
    places: &PhraseSet<&'static str>,
    out: &mut Vec<Located<Destination>>,
) {
    let text = scan.words.as_str();
    for hit in places
        .find_distinct(text)
        .into_iter()
        .take(super::MAX_FACTS_PER_FIELD)
    {
        out.push(scan.locate_words(
            hit.start,
            hit.end,
            Destination {
                name: text[hit.start..hit.end].to_string(),
                country: hit.value,
            },
        ));
    }
}
