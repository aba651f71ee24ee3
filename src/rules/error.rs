//! Errors in rule files: every one names the file, the line and, when it is about a rule, the
//! rule's id, so an inspector editing a file can find the mistake.

use std::path::PathBuf;

/// A rule file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum RuleError {
    /// The folder or a file in it cannot be read.
    #[error("{path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// What went wrong.
        source: std::io::Error,
    },
    /// A file is not valid TOML or has the wrong shape.
    #[error("{file}:{line}: {message}")]
    Syntax {
        /// The file.
        file: String,
        /// 1-based line.
        line: usize,
        /// The parser's message.
        message: String,
    },
    /// A rule is well-formed TOML but wrong (unknown indicator, bad regex, two matchers...).
    #[error("{file}:{line}: rule {rule}: {message}")]
    Rule {
        /// The file.
        file: String,
        /// 1-based line of the rule's id.
        line: usize,
        /// The rule's id.
        rule: String,
        /// What is wrong.
        message: String,
    },
    /// `indicators.toml` or `market_pay.toml` is missing or wrong.
    #[error("{file}: {message}")]
    Reference {
        /// The file.
        file: String,
        /// What is wrong.
        message: String,
    },
    /// Several errors, reported together.
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    Many(Vec<RuleError>),
}

/// The 1-based line of a byte offset.
pub(crate) fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// The line where `id = "<id>"` is written, or 1.
pub(crate) fn line_of_rule(text: &str, id: &str) -> usize {
    let needles = [
        format!("id = \"{id}\""),
        format!("id = '{id}'"),
        format!("id=\"{id}\""),
    ];
    needles
        .iter()
        .find_map(|n| text.find(n.as_str()))
        .map_or(1, |at| line_of(text, at))
}
