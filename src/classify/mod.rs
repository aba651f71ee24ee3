//! The classifier: a logistic regression over readable features of the screening report (signs
//! found, their counts by strength, dimensions, extracted facts), trained with linfa on the
//! labelled corpus and the real adverts (in `learning`, which screens with the engine), scored
//! as a dot product. `features` names and computes the features, `model` stores and scores a
//! trained model, `metrics` measures ranking quality.

pub mod features;
pub mod metrics;
pub mod model;

pub use model::{Model, Prediction};

/// A model that cannot be trained, loaded or saved.
#[derive(Debug, thiserror::Error)]
pub enum ClassifyError {
    /// A file cannot be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// What went wrong.
        source: std::io::Error,
    },
    /// The model file is not a model this build can use.
    #[error("model file: {0}")]
    Format(String),
    /// The corpus is unusable for training.
    #[error("corpus: {0}")]
    Corpus(String),
    /// The solver failed.
    #[error("training: {0}")]
    Fit(String),
}
