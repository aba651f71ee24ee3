//! adscreen screens job adverts and marriage/partner adverts in Latvian, Russian and English for
//! the recruitment-risk indicators of human trafficking and exploitation, and returns every
//! advert with a score, a level and the reasons behind it.
//!
//! The pipeline, one module per stage:
//!
//! - [`ingest`]: JSON, NDJSON, CSV, text, web pages, feeds and Telegram exports in; bad records
//!   reported, never fatal. [`fetch`] brings pages and feeds politely.
//! - [`normalise`]: matchable views of each field with an offset map back to the original.
//! - [`extract`]: phones, e-mails, URLs, messengers, pay, age/gender/appearance demands,
//!   destinations and employer identity.
//! - [`rules`]: the indicator list and rule files; one Aho-Corasick pass, prefiltered regexes,
//!   conditions over facts.
//! - [`context`]: which rule hits count where they stand (negation, quoting, `when` facts).
//! - [`score`] and [`classify`]: evidence to score, level and flag; the classifier's probability.
//! - [`reasons`]: one reason per sign and place.
//! - [`corpus`]: the labelled corpus and its fixed train/dev/test split.
//! - [`engine`]: the pipeline in one call, [`engine::Engine::screen`].
//! - [`output`]: JSON Lines, CSV, spreadsheet CSV, OpenSearch bulk and a table; [`store`] and
//!   [`service`]: the durable index and the HTTP API with its watcher.
//! - [`learning`]: training the classifier and measuring the screening, above the engine.
//!
//! Helpers: [`advert`] (the data model), [`detect`] (kind and language), [`phrase`]
//! (whole-word phrase automaton), [`dialect`] (the regex dialect), [`market`] (pay reference),
//! [`report`] (the output contract).

pub mod advert;
pub mod classify;
pub mod context;
pub mod corpus;
pub mod detect;
pub mod dialect;
pub mod engine;
pub mod extract;
pub mod fetch;
pub mod ingest;
pub mod learning;
pub mod market;
pub mod normalise;
pub mod output;
pub mod overview;
pub mod phrase;
pub mod postings;
pub mod reasons;
pub mod report;
pub mod rules;
pub mod score;
pub mod service;
pub mod store;
