//! adscreen screens job and marriage adverts for recruitment-risk indicators of trafficking.
#![allow(missing_docs)]
pub mod advert;
pub mod detect;
pub mod dialect;
pub mod engine;
pub mod ingest;
pub mod output;
pub mod extract;
pub mod market;
pub mod normalise;
pub mod phrase;
pub mod report;
pub mod rules;
pub mod score;
