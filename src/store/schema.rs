//! The index schema: one tantivy document per advert, holding the stored advert and its result as
//! JSON plus the fields search filters, sorts and counts on.

use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};

use super::text;

/// The fields of the schema, by handle.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    /// The advert id (unique: re-sending an id replaces the advert).
    pub id: Field,
    /// Title and text, word forms (phrase queries work here).
    pub words: Field,
    /// Title and text, stemmed.
    pub stems: Field,
    /// `low`, `medium` or `high`.
    pub level: Field,
    /// Risk score 0-100.
    pub score: Field,
    /// Indicator ids with positive weight among the reasons.
    pub indicators: Field,
    /// `lv`, `ru` or `en`.
    pub language: Field,
    /// `job`, `marriage` or `other`.
    pub kind: Field,
    /// Where the advert came from, as given (empty when not given).
    pub source: Field,
    /// When posted (as given) or else when stored.
    pub date: Field,
    /// Normalised contacts: `phone:+371…`, `email:…`, `handle:…`.
    pub contacts: Field,
    /// The near-duplicate group: the id of the first advert of the group.
    pub group: Field,
    /// The whole [`super::StoredAdvert`] as JSON.
    pub doc: Field,
    /// Its search summary ([`super::Hit`]) as JSON, so a page of hits parses little.
    pub summary: Field,
}

/// The number of the `doc` field (the whole stored advert) in [`Fields::schema`].
pub const DOC_ID: u32 = 12;
/// The number of the `summary` field (a search hit) in [`Fields::schema`].
pub const SUMMARY_ID: u32 = 13;

impl Fields {
    /// Builds the schema and its field handles.
    pub fn schema() -> (Schema, Fields) {
        let mut b = Schema::builder();
        let text_field = |tokenizer: &str, record: IndexRecordOption| {
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(tokenizer)
                    .set_index_option(record),
            )
        };
        let fields = Fields {
            id: b.add_text_field("id", STRING | STORED | FAST),
            words: b.add_text_field(
                "words",
                text_field(text::WORDS, IndexRecordOption::WithFreqsAndPositions),
            ),
            stems: b.add_text_field(
                "stems",
                text_field(text::STEMS, IndexRecordOption::WithFreqs),
            ),
            level: b.add_text_field("level", STRING | FAST),
            score: b.add_u64_field("score", INDEXED | FAST),
            indicators: b.add_text_field("indicators", STRING | FAST),
            language: b.add_text_field("language", STRING | FAST),
            kind: b.add_text_field("kind", STRING | FAST),
            source: b.add_text_field("source", STRING | FAST),
            date: b.add_date_field("date", INDEXED | FAST),
            contacts: b.add_text_field("contacts", STRING),
            group: b.add_text_field("group", STRING | FAST),
            doc: b.add_text_field("doc", STORED),
            summary: b.add_text_field("summary", STORED),
        };
        (b.build(), fields)
    }

    /// The field handles of an existing index's schema.
    pub fn of(schema: &Schema) -> Result<Fields, tantivy::TantivyError> {
        let f = |name: &str| schema.get_field(name);
        Ok(Fields {
            id: f("id")?,
            words: f("words")?,
            stems: f("stems")?,
            level: f("level")?,
            score: f("score")?,
            indicators: f("indicators")?,
            language: f("language")?,
            kind: f("kind")?,
            source: f("source")?,
            date: f("date")?,
            contacts: f("contacts")?,
            group: f("group")?,
            doc: f("doc")?,
            summary: f("summary")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_fields_have_the_numbers_reads_rely_on() {
        let (schema, fields) = Fields::schema();
        assert_eq!(fields.doc.field_id(), DOC_ID);
        assert_eq!(fields.summary.field_id(), SUMMARY_ID);
        assert_eq!(schema.get_field_name(fields.summary), "summary");
    }
}
