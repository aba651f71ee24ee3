//! The labelled corpus (`corpus/labelled/*.jsonl`): loading, checking, and the fixed
//! train/dev/test split by a stable hash of each advert's id. Training and evaluation live
//! elsewhere; this module only says which advert is which.

use std::path::Path;

use serde::Deserialize;

use crate::advert::{Advert, Kind, Lang};

/// Which part of the corpus an advert belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Split {
    /// For fitting models (60%).
    Train,
    /// For choosing thresholds and calibrating (20%).
    Dev,
    /// Held out for the evaluation only (20%): never used for training, thresholds or rules.
    Test,
}

/// The split of an id: FNV-1a (64 bit) of its UTF-8 bytes, modulo 10: 0-5 train, 6-7 dev, 8-9
/// test. Stable across runs, machines and versions.
pub fn split_of(id: &str) -> Split {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in id.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    match h % 10 {
        0..=5 => Split::Train,
        6 | 7 => Split::Dev,
        _ => Split::Test,
    }
}

/// A labelled advert as stored in the corpus.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Labelled {
    /// Unique id.
    pub id: String,
    /// Job, marriage or other.
    pub kind: Kind,
    /// Language.
    pub lang: Lang,
    /// Title.
    pub title: String,
    /// Text.
    pub text: String,
    /// `risky` or `benign`.
    pub label: Label,
    /// Indicator ids present (empty for benign adverts).
    pub indicators: Vec<String>,
    /// Where it comes from (`written` for adverts written for the project).
    pub source: String,
}

/// The label of a corpus advert.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Label {
    /// Shows recruitment-risk indicators.
    Risky,
    /// An ordinary advert (or an awareness text).
    Benign,
}

impl Labelled {
    /// The advert as the engine screens it (kind and language left for it to guess).
    pub fn advert(&self) -> Advert {
        Advert {
            id: self.id.clone(),
            title: self.title.clone(),
            text: self.text.clone(),
            source: Some(self.source.clone()),
            ..Advert::default()
        }
    }

    /// Its split.
    pub fn split(&self) -> Split {
        split_of(&self.id)
    }
}

/// A corpus that cannot be read or is not well-formed.
#[derive(Debug, thiserror::Error)]
pub enum CorpusError {
    /// A file cannot be read.
    #[error("{path}: {source}")]
    Io {
        /// The file or folder.
        path: String,
        /// What went wrong.
        source: std::io::Error,
    },
    /// A line is not a labelled advert.
    #[error("{path}:{line}: {message}")]
    Record {
        /// The file.
        path: String,
        /// 1-based line.
        line: usize,
        /// What is wrong.
        message: String,
    },
}

/// Loads every `*.jsonl` file of a folder, in file-name order, and checks each record: unique
/// ids, indicators only on risky adverts and at least one on each.
pub fn load_dir(dir: &Path) -> Result<Vec<Labelled>, CorpusError> {
    let io = |path: &Path, source| CorpusError::Io {
        path: path.display().to_string(),
        source,
    };
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| io(dir, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .collect();
    paths.sort();
    let mut out: Vec<Labelled> = Vec::new();
    let mut ids = std::collections::HashSet::new();
    for path in paths {
        let text = std::fs::read_to_string(&path).map_err(|e| io(&path, e))?;
        for (i, line) in text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
        {
            let record = |message: String| CorpusError::Record {
                path: path.display().to_string(),
                line: i + 1,
                message,
            };
            let advert: Labelled = serde_json::from_str(line).map_err(|e| record(e.to_string()))?;
            if !ids.insert(advert.id.clone()) {
                return Err(record(format!("id {} is used twice", advert.id)));
            }
            let consistent = match advert.label {
                Label::Risky => !advert.indicators.is_empty(),
                Label::Benign => advert.indicators.is_empty(),
            };
            if !consistent {
                return Err(record(
                    "a risky advert needs indicators and a benign one none".into(),
                ));
            }
            out.push(advert);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_is_stable() {
        // Known values (computed independently with a Python FNV-1a): the split must never
        // change, or evaluations stop being comparable.
        assert_eq!(split_of("lvjb-0001"), split_of("lvjb-0001"));
        let splits: Vec<Split> = ["a", "b", "c", "lvjb-0001", "enj-0310"]
            .iter()
            .map(|i| split_of(i))
            .collect();
        assert_eq!(
            splits,
            vec![
                Split::Dev,
                Split::Test,
                Split::Test,
                Split::Train,
                Split::Train
            ]
        );
    }

    #[test]
    fn bundled_corpus_is_well_formed_and_balanced() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/labelled");
        let corpus = load_dir(&dir).expect("corpus loads");
        assert!(corpus.len() >= 1500, "{} adverts", corpus.len());
        let known: Vec<String> = crate::rules::RuleSet::bundled()
            .expect("bundled rules")
            .indicators()
            .iter()
            .map(|i| i.id.clone())
            .collect();
        for a in &corpus {
            for i in &a.indicators {
                assert!(known.contains(i), "{}: unknown indicator {i}", a.id);
            }
        }
        let share = |f: &dyn Fn(&Labelled) -> bool| {
            corpus.iter().filter(|a| f(a)).count() as f64 / corpus.len() as f64
        };
        assert!((0.35..0.45).contains(&share(&|a| a.label == Label::Risky)));
        assert!((0.40..0.50).contains(&share(&|a| a.lang == Lang::Lv)));
        assert!((0.25..0.35).contains(&share(&|a| a.lang == Lang::Ru)));
        assert!((0.20..0.30).contains(&share(&|a| a.lang == Lang::En)));
        assert!(corpus.iter().filter(|a| a.kind == Kind::Marriage).count() >= 250);
        let test = share(&|a| a.split() == Split::Test);
        assert!((0.15..0.25).contains(&test), "test share {test}");
    }
}
