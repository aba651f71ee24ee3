//! Learning from labelled adverts, above the engine: `train` fits the classifier on the
//! screening reports of the labelled corpus and the real adverts (and scores each source with a
//! model trained without it), `eval` measures rules, classifier and both on the written test
//! split, `real` measures the real adverts written by others, file by file.

pub mod eval;
pub mod real;
pub mod train;
