//! Destinations: countries and cities named in Latvian, Russian or English (inflected forms
//! included), and unnamed foreign destinations ("ārzemēs", "за границей"). The word list is in
//! `lexicon`; finding them is `phrase_facts`.

use serde::{Deserialize, Serialize};

/// A place the work or the trip is in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Destination {
    /// The place as written, normalised.
    pub name: String,
    /// ISO 3166 code; `ABROAD` for an unnamed foreign place.
    pub country: String,
}

impl Destination {
    /// Whether the place is outside Latvia.
    pub fn is_abroad(&self) -> bool {
        self.country != "LV"
    }
}
