//! Evaluation on real adverts written by other people: every `*.jsonl` file of a folder (one JSON
//! object per line: `id`, `kind`, `title`, `text`, `source`, and where known `label` and
//! `label_indicators`) is screened, and each file is measured by the labels it holds, never by
//! its name: the share of ordinary adverts flagged (unlabelled, `benign` or `legitimate`), recall
//! on `risky` rows and whether their reasons name a labelled indicator, and the ROC-AUC of the
//! score between `fraudulent` and `legitimate` rows. `unsure` rows count nowhere. Floors on the
//! figures are checked here; printing them and exit codes are the CLI's business.

use std::fmt;
use std::io::Write;
use std::path::Path;

use rayon::prelude::*;
use serde::{Deserialize, Serialize, Serializer};

use super::train::TrainingAdvert;
use crate::advert::{Advert, Kind};
use crate::classify::metrics::roc_auc;
use crate::engine::Engine;
use crate::report::Report;
use crate::score::Level;

/// How many characters of an advert's text the list of flagged adverts keeps.
pub const EXCERPT_CHARS: usize = 400;

/// A folder or file of real adverts that cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum RealError {
    /// The folder or a file cannot be read.
    #[error("{path}: {source}")]
    Io {
        /// The folder or file.
        path: String,
        /// What went wrong.
        source: std::io::Error,
    },
    /// The folder holds no `*.jsonl` file.
    #[error("{0}: no *.jsonl files of real adverts")]
    Empty(String),
    /// A line is not a real advert.
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

/// The label a person gave a real advert.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RealLabel {
    /// A labour inspector would want to look at it.
    Risky,
    /// Read and found ordinary.
    Benign,
    /// Read, and no clear judgement: left out of every figure.
    Unsure,
    /// EMSCAD: a genuine posting.
    Legitimate,
    /// EMSCAD: recruitment fraud (not always trafficking).
    Fraudulent,
}

/// One line of a real-advert file. Unknown fields (`label_evidence`, `label_why`) are ignored.
#[derive(Debug, Clone, Deserialize)]
struct RealRow {
    id: String,
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    title: String,
    text: String,
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    label: Option<RealLabel>,
    #[serde(default)]
    label_indicators: Vec<String>,
}

impl RealRow {
    /// Ordinary: no label, or read and found ordinary.
    fn is_ordinary(&self) -> bool {
        matches!(
            self.label,
            None | Some(RealLabel::Benign | RealLabel::Legitimate)
        )
    }
}

/// Figures on the `risky` rows of one file or of all files.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RiskyFigures {
    /// Rows labelled `risky`.
    pub rows: usize,
    /// Of them, flagged.
    pub flagged: usize,
    /// Of them, flagged with a positive-weight reason whose indicator is among the labelled ones.
    pub right_indicator: usize,
    /// `flagged / rows`.
    #[serde(serialize_with = "rounded")]
    pub recall: f64,
    /// `right_indicator / rows`.
    #[serde(serialize_with = "rounded")]
    pub indicator_recall: f64,
}

impl RiskyFigures {
    fn from_counts(rows: usize, flagged: usize, right_indicator: usize) -> RiskyFigures {
        RiskyFigures {
            rows,
            flagged,
            right_indicator,
            recall: share(flagged, rows),
            indicator_recall: share(right_indicator, rows),
        }
    }
}

/// Figures on the `fraudulent` and `legitimate` rows of one file.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct FraudFigures {
    /// Rows labelled `fraudulent`.
    pub fraudulent: usize,
    /// Rows labelled `legitimate`.
    pub legitimate: usize,
    /// How well the score ranks fraudulent above legitimate; `None` without both.
    #[serde(serialize_with = "rounded_option")]
    pub roc_auc: Option<f64>,
    /// Fraudulent rows flagged.
    pub flagged_fraudulent: usize,
    /// `flagged_fraudulent / fraudulent`.
    #[serde(serialize_with = "rounded")]
    pub flagged_fraudulent_share: f64,
    /// Legitimate rows flagged.
    pub flagged_legitimate: usize,
    /// `flagged_legitimate / legitimate`.
    #[serde(serialize_with = "rounded")]
    pub flagged_legitimate_share: f64,
}

/// A flagged ordinary advert, for a person to read: a false alarm or a find, and the reasons
/// say which rule or model weight is at fault.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FlaggedAdvert {
    /// The file's name.
    pub file: String,
    /// The advert's id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// The first [`EXCERPT_CHARS`] characters of its text.
    pub text: String,
    /// Combined score.
    pub score: u8,
    /// Level.
    pub level: Level,
    /// Score of the rules alone.
    pub rule_score: u8,
    /// The classifier's probability, when there is one.
    pub model_probability: Option<f64>,
    /// Its positive-weight reasons.
    pub reasons: Vec<FlaggedReason>,
}

/// One positive-weight reason of a flagged advert.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FlaggedReason {
    /// Indicator id.
    pub indicator: String,
    /// Rule id.
    pub rule: String,
    /// Its weight.
    pub weight: i32,
    /// The text it points at, if any.
    pub evidence: Option<String>,
}

/// Everything measured on one file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FileResult {
    /// The file's name (without the folder).
    pub file: String,
    /// Rows read.
    pub rows: usize,
    /// Rows without a label, or labelled `benign` or `legitimate`.
    pub ordinary: usize,
    /// Ordinary rows flagged.
    pub flagged_ordinary: usize,
    /// `flagged_ordinary / ordinary`; `None` without ordinary rows.
    #[serde(serialize_with = "rounded_option")]
    pub flagged_ordinary_share: Option<f64>,
    /// Flagged ordinary rows at level `medium`.
    pub flagged_ordinary_medium: usize,
    /// Flagged ordinary rows at level `high`.
    pub flagged_ordinary_high: usize,
    /// Rows labelled `unsure`, left out of every figure.
    pub unsure: usize,
    /// Figures on `risky` rows, when the file has any.
    pub risky: Option<RiskyFigures>,
    /// Figures on `fraudulent`/`legitimate` rows, when the file has any.
    pub fraud: Option<FraudFigures>,
    /// The flagged ordinary adverts, in file order.
    #[serde(skip)]
    pub flagged: Vec<FlaggedAdvert>,
}

/// The evaluation of a folder of real adverts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RealEvaluation {
    /// The folder.
    pub dir: String,
    /// One result per `*.jsonl` file, in file-name order.
    pub files: Vec<FileResult>,
    /// Risky rows of all files together; `None` when no file has any.
    pub risky: Option<RiskyFigures>,
}

impl RealEvaluation {
    /// Every flagged ordinary advert, file by file.
    pub fn flagged(&self) -> impl Iterator<Item = &FlaggedAdvert> {
        self.files.iter().flat_map(|f| &f.flagged)
    }
}

/// Screens every row of every `*.jsonl` file of `dir` (in file-name order) and measures each file.
pub fn evaluate_dir(dir: &Path, engine: &Engine) -> Result<RealEvaluation, RealError> {
    let paths = jsonl_files(dir)?;
    let mut files = Vec::new();
    for path in &paths {
        let rows = read_rows(path)?;
        let reports: Vec<Report> = rows
            .par_iter()
            .map(|row| engine.screen(&advert_of(row)))
            .collect();
        let name = path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into(),
        );
        files.push(measure(&name, &rows, &reports));
    }
    Ok(summarise(dir.display().to_string(), files))
}

/// The labelled and ordinary rows of every `*.jsonl` file of a folder as training adverts, the
/// source being the file's stem: `risky` and `fraudulent` rows are risky; `benign`,
/// `legitimate` and unlabelled rows are ordinary; `unsure` rows are left out.
pub fn training_adverts(dir: &Path) -> Result<Vec<TrainingAdvert>, RealError> {
    let mut out = Vec::new();
    for path in jsonl_files(dir)? {
        let source = path
            .file_stem()
            .map_or_else(String::new, |s| s.to_string_lossy().into_owned());
        for row in read_rows(&path)? {
            if row.label == Some(RealLabel::Unsure) {
                continue;
            }
            out.push(TrainingAdvert {
                source: source.clone(),
                advert: advert_of(&row),
                risky: !row.is_ordinary(),
            });
        }
    }
    Ok(out)
}

/// The `*.jsonl` files of a folder, sorted; an error when there are none.
fn jsonl_files(dir: &Path) -> Result<Vec<std::path::PathBuf>, RealError> {
    let io = |path: &Path, source| RealError::Io {
        path: path.display().to_string(),
        source,
    };
    let mut paths = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| io(dir, e))? {
        let path = entry.map_err(|e| io(dir, e))?.path();
        if path.extension().is_some_and(|e| e == "jsonl") && path.is_file() {
            paths.push(path);
        }
    }
    if paths.is_empty() {
        return Err(RealError::Empty(dir.display().to_string()));
    }
    paths.sort();
    Ok(paths)
}

fn summarise(dir: String, files: Vec<FileResult>) -> RealEvaluation {
    let with_risky: Vec<&RiskyFigures> = files.iter().filter_map(|f| f.risky.as_ref()).collect();
    let risky = (!with_risky.is_empty()).then(|| {
        RiskyFigures::from_counts(
            with_risky.iter().map(|r| r.rows).sum(),
            with_risky.iter().map(|r| r.flagged).sum(),
            with_risky.iter().map(|r| r.right_indicator).sum(),
        )
    });
    RealEvaluation { dir, files, risky }
}

fn read_rows(path: &Path) -> Result<Vec<RealRow>, RealError> {
    let text = std::fs::read_to_string(path).map_err(|source| RealError::Io {
        path: path.display().to_string(),
        source,
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let mut rows = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let record = |message: String| RealError::Record {
            path: path.display().to_string(),
            line: i + 1,
            message,
        };
        let row: RealRow = serde_json::from_str(line).map_err(|e| record(e.to_string()))?;
        if let Some(k) = row.kind.as_deref().filter(|k| !k.trim().is_empty())
            && Kind::parse(k).is_none()
        {
            return Err(record(format!(
                "unknown kind {k:?} (use job, marriage or other)"
            )));
        }
        rows.push(row);
    }
    Ok(rows)
}

/// The advert as `scan` would read it: the kind given, the language left to detect.
fn advert_of(row: &RealRow) -> Advert {
    Advert {
        id: row.id.clone(),
        kind: row.kind.as_deref().and_then(Kind::parse),
        title: row.title.clone(),
        text: row.text.clone(),
        source: row.source.clone(),
        ..Advert::default()
    }
}

/// The figures of one file from its rows and their reports (same order).
fn measure(file: &str, rows: &[RealRow], reports: &[Report]) -> FileResult {
    let mut result = FileResult {
        file: file.to_string(),
        rows: rows.len(),
        ordinary: 0,
        flagged_ordinary: 0,
        flagged_ordinary_share: None,
        flagged_ordinary_medium: 0,
        flagged_ordinary_high: 0,
        unsure: 0,
        risky: None,
        fraud: None,
        flagged: Vec::new(),
    };
    let (mut risky, mut risky_flagged, mut right) = (0, 0, 0);
    let mut fraud = FraudFigures::default();
    let mut ranked = Vec::new();
    for (row, report) in rows.iter().zip(reports) {
        if row.is_ordinary() {
            result.ordinary += 1;
            if report.flagged {
                result.flagged_ordinary += 1;
                match report.level {
                    Level::High => result.flagged_ordinary_high += 1,
                    _ => result.flagged_ordinary_medium += 1,
                }
                result.flagged.push(flagged_advert(file, row, report));
            }
        }
        match row.label {
            Some(RealLabel::Unsure) => result.unsure += 1,
            Some(RealLabel::Risky) => {
                risky += 1;
                if report.flagged {
                    risky_flagged += 1;
                    let named = report
                        .reasons
                        .iter()
                        .any(|r| r.weight > 0 && row.label_indicators.contains(&r.indicator));
                    if named {
                        right += 1;
                    }
                }
            }
            Some(RealLabel::Fraudulent) => {
                fraud.fraudulent += 1;
                fraud.flagged_fraudulent += usize::from(report.flagged);
                ranked.push((f64::from(report.score), true));
            }
            Some(RealLabel::Legitimate) => {
                fraud.legitimate += 1;
                fraud.flagged_legitimate += usize::from(report.flagged);
                ranked.push((f64::from(report.score), false));
            }
            Some(RealLabel::Benign) | None => {}
        }
    }
    if result.ordinary > 0 {
        result.flagged_ordinary_share = Some(share(result.flagged_ordinary, result.ordinary));
    }
    if risky > 0 {
        result.risky = Some(RiskyFigures::from_counts(risky, risky_flagged, right));
    }
    if !ranked.is_empty() {
        fraud.roc_auc = roc_auc(&ranked);
        fraud.flagged_fraudulent_share = share(fraud.flagged_fraudulent, fraud.fraudulent);
        fraud.flagged_legitimate_share = share(fraud.flagged_legitimate, fraud.legitimate);
        result.fraud = Some(fraud);
    }
    result
}

fn flagged_advert(file: &str, row: &RealRow, report: &Report) -> FlaggedAdvert {
    FlaggedAdvert {
        file: file.to_string(),
        id: row.id.clone(),
        title: row.title.clone(),
        text: row.text.chars().take(EXCERPT_CHARS).collect(),
        score: report.score,
        level: report.level,
        rule_score: report.rule_score,
        model_probability: report.model_probability,
        reasons: report
            .reasons
            .iter()
            .filter(|r| r.weight > 0)
            .map(|r| FlaggedReason {
                indicator: r.indicator.clone(),
                rule: r.rule.clone(),
                weight: r.weight,
                evidence: r.evidence.clone(),
            })
            .collect(),
    }
}

/// Writes every flagged ordinary advert as JSON Lines; returns how many.
pub fn write_flagged(out: &mut impl Write, evaluation: &RealEvaluation) -> std::io::Result<usize> {
    let mut n = 0;
    for advert in evaluation.flagged() {
        serde_json::to_writer(&mut *out, advert)?;
        out.write_all(b"\n")?;
        n += 1;
    }
    Ok(n)
}

/// Floors the figures must keep; `None` is not checked.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Floors {
    /// Largest share of ordinary rows flagged, in every file with ordinary rows.
    pub max_flagged: Option<f64>,
    /// Smallest recall on the risky rows of all files together.
    pub min_recall: Option<f64>,
    /// Smallest ROC-AUC in every file with `fraudulent`/`legitimate` rows.
    pub min_auc: Option<f64>,
}

/// A floor the figures break.
#[derive(Debug, Clone, PartialEq)]
pub enum BrokenFloor {
    /// A file flags too many ordinary adverts.
    Flagged {
        /// The file.
        file: String,
        /// Ordinary rows flagged.
        flagged: usize,
        /// Ordinary rows.
        ordinary: usize,
        /// Their share.
        share: f64,
        /// The largest share allowed.
        floor: f64,
    },
    /// Recall on the risky rows is too low.
    Recall {
        /// Risky rows flagged.
        flagged: usize,
        /// Risky rows.
        rows: usize,
        /// Recall.
        recall: f64,
        /// The smallest recall allowed.
        floor: f64,
    },
    /// A file's ROC-AUC is too low, or cannot be measured (`None`).
    Auc {
        /// The file.
        file: String,
        /// Its ROC-AUC.
        auc: Option<f64>,
        /// The smallest ROC-AUC allowed.
        floor: f64,
    },
    /// A floor was asked for and no file has the rows to measure it.
    Unmeasured {
        /// The option (`--min-recall`, `--min-auc`).
        option: &'static str,
        /// What is missing.
        missing: &'static str,
    },
}

impl fmt::Display for BrokenFloor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BrokenFloor::Flagged {
                file,
                flagged,
                ordinary,
                share,
                floor,
            } => write!(
                f,
                "--max-flagged: {file}: {flagged} of {ordinary} ordinary adverts flagged ({:.2}%; at most {:.2}% allowed)",
                share * 100.0,
                floor * 100.0
            ),
            BrokenFloor::Recall {
                flagged,
                rows,
                recall,
                floor,
            } => write!(
                f,
                "--min-recall: {flagged} of {rows} risky adverts flagged (recall {recall:.3}; at least {floor:.3} required)"
            ),
            BrokenFloor::Auc { file, auc, floor } => match auc {
                Some(auc) => write!(
                    f,
                    "--min-auc: {file}: ROC-AUC {auc:.3} (at least {floor:.3} required)"
                ),
                None => write!(
                    f,
                    "--min-auc: {file}: no ROC-AUC, it needs both fraudulent and legitimate rows (at least {floor:.3} required)"
                ),
            },
            BrokenFloor::Unmeasured { option, missing } => {
                write!(f, "{option}: no file has {missing} to measure it on")
            }
        }
    }
}

/// The floors `evaluation` breaks, in the order max-flagged, min-recall, min-auc.
pub fn check_floors(evaluation: &RealEvaluation, floors: &Floors) -> Vec<BrokenFloor> {
    let mut broken = Vec::new();
    if let Some(floor) = floors.max_flagged {
        for f in &evaluation.files {
            if let Some(share) = f.flagged_ordinary_share.filter(|s| *s > floor) {
                broken.push(BrokenFloor::Flagged {
                    file: f.file.clone(),
                    flagged: f.flagged_ordinary,
                    ordinary: f.ordinary,
                    share,
                    floor,
                });
            }
        }
    }
    if let Some(floor) = floors.min_recall {
        match &evaluation.risky {
            Some(r) if r.recall < floor => broken.push(BrokenFloor::Recall {
                flagged: r.flagged,
                rows: r.rows,
                recall: r.recall,
                floor,
            }),
            Some(_) => {}
            None => broken.push(BrokenFloor::Unmeasured {
                option: "--min-recall",
                missing: "risky rows",
            }),
        }
    }
    if let Some(floor) = floors.min_auc {
        let mut measured = false;
        for f in &evaluation.files {
            let Some(fraud) = &f.fraud else { continue };
            measured = true;
            if fraud.roc_auc.is_none_or(|auc| auc < floor) {
                broken.push(BrokenFloor::Auc {
                    file: f.file.clone(),
                    auc: fraud.roc_auc,
                    floor,
                });
            }
        }
        if !measured {
            broken.push(BrokenFloor::Unmeasured {
                option: "--min-auc",
                missing: "fraudulent/legitimate rows",
            });
        }
    }
    broken
}

fn share(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

/// Figures are written to four places.
fn rounded<S: Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64((v * 10_000.0).round() / 10_000.0)
}

fn rounded_option<S: Serializer>(v: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(v) => rounded(v, s),
        None => s.serialize_none(),
    }
}

#[cfg(test)]
mod tests;
