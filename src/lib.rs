//! adscreen screens job and marriage adverts for recruitment-risk indicators of trafficking.
#![allow(missing_docs)]
pub mod normalise;
