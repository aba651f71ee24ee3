//! The classifier: a logistic regression over n-grams of the normalised text and the screening
//! report's rule hits and facts, trained with linfa on the labelled corpus and scored as a
//! sparse dot product. `features` makes feature vectors, `model` stores and scores a trained
//! model, `train` fits one, `metrics` measures ranking quality.

pub mod eval;
pub mod features;
pub mod metrics;
pub mod model;
pub mod real;
pub mod train;

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
