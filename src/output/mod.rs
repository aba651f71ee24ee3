//! Writing reports: JSON Lines (the contract), CSV (one row per advert), CSV for spreadsheets,
//! OpenSearch bulk NDJSON, and a table for people, with the evidence highlighted in place when
//! the output is a terminal.

use std::io::Write;

use owo_colors::OwoColorize;

pub mod bulk;
pub mod sheet;

use crate::advert::Advert;
use crate::report::{Explain, Report};
use crate::score::Level;

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// One JSON object per advert.
    Jsonl,
    /// One CSV row per advert.
    Csv,
    /// CSV for a spreadsheet in a Latvian or Russian locale: a UTF-8 byte order mark, `;`
    /// between cells, and the evidence, contacts, title and text of each advert.
    Spreadsheet,
    /// A readable table.
    Table,
    /// OpenSearch / Elasticsearch bulk NDJSON: an `index` action and a document per advert.
    OpensearchBulk,
}

/// Writes reports in one format.
pub struct Writer<W: Write> {
    out: W,
    format: OutputFormat,
    color: bool,
    explain: Explain,
    entities: bool,
    bulk_index: String,
}

impl<W: Write> Writer<W> {
    /// A writer; `color` highlights evidence in the table.
    pub fn new(out: W, format: OutputFormat, color: bool) -> Writer<W> {
        Writer {
            out,
            format,
            color,
            explain: Explain::default(),
            entities: false,
            bulk_index: bulk::DEFAULT_INDEX.to_string(),
        }
    }

    /// The same writer with bulk documents going to `index`.
    pub fn with_bulk_index(mut self, index: &str) -> Writer<W> {
        self.bulk_index = index.to_string();
        self
    }

    /// The same writer with as much explanation in JSON Lines as `explain` asks for, and the
    /// extracted facts when `entities`.
    pub fn with_detail(mut self, explain: Explain, entities: bool) -> Writer<W> {
        self.explain = explain;
        self.entities = entities;
        self
    }

    /// Writes one report (with its advert, which the table quotes).
    pub fn write(&mut self, advert: &Advert, report: &Report) -> std::io::Result<()> {
        match self.format {
            OutputFormat::Jsonl => {
                serde_json::to_writer(&mut self.out, &report.written(self.explain, self.entities))?;
                self.out.write_all(b"\n")
            }
            OutputFormat::Csv => self.write_csv(report),
            OutputFormat::Spreadsheet => {
                let cells = sheet::row(advert, report, None, &|i| i.to_string());
                self.out.write_all(&sheet::line(&cells)?)
            }
            OutputFormat::Table => self.write_table(advert, report),
            OutputFormat::OpensearchBulk => {
                let lines = bulk::lines(
                    &self.bulk_index,
                    advert,
                    report,
                    self.explain,
                    self.entities,
                )?;
                self.out.write_all(&lines)
            }
        }
    }

    fn write_csv(&mut self, report: &Report) -> std::io::Result<()> {
        let mut indicators: Vec<&str> = Vec::new();
        for r in &report.reasons {
            if !indicators.contains(&r.indicator.as_str()) {
                indicators.push(&r.indicator);
            }
        }
        let evidence: Vec<&str> = report
            .reasons
            .iter()
            .filter_map(|r| r.evidence.as_deref())
            .collect();
        let id = as_text(&report.id);
        let indicators = as_text(&indicators.join(";"));
        let evidence = as_text(&evidence.join(" | "));
        self.csv_row(&[
            &id,
            report.kind.as_str(),
            report.language.as_str(),
            &report.score.to_string(),
            report.level.as_str(),
            if report.flagged { "true" } else { "false" },
            &report.reasons.len().to_string(),
            &indicators,
            &evidence,
        ])
    }

    /// Writes one CSV row, quoted as needed.
    fn csv_row(&mut self, fields: &[&str]) -> std::io::Result<()> {
        let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
        w.write_record(fields).map_err(std::io::Error::other)?;
        let bytes = w
            .into_inner()
            .map_err(|e| std::io::Error::other(e.to_string()))?;
        self.out.write_all(&bytes)
    }

    /// Writes what comes before the first report (the CSV header).
    pub fn begin(&mut self) -> std::io::Result<()> {
        if self.format == OutputFormat::Spreadsheet {
            self.out.write_all(sheet::BOM.as_bytes())?;
            self.out.write_all(&sheet::line(&sheet::HEADER)?)?;
        }
        if self.format == OutputFormat::Csv {
            self.csv_row(&[
                "id",
                "kind",
                "language",
                "score",
                "level",
                "flagged",
                "reasons",
                "indicators",
                "evidence",
            ])?;
        }
        Ok(())
    }

    /// Flushes what is written so far (a reader of a stream sees each batch as it is screened).
    pub fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }

    /// Flushes the output at the end.
    pub fn finish(&mut self) -> std::io::Result<()> {
        self.flush()
    }

    fn write_table(&mut self, advert: &Advert, report: &Report) -> std::io::Result<()> {
        let level = format!("{:<6}", report.level.as_str().to_uppercase());
        let level = if self.color {
            match report.level {
                Level::High => level.red().bold().to_string(),
                Level::Medium => level.yellow().bold().to_string(),
                Level::Low => level.green().to_string(),
            }
        } else {
            level
        };
        writeln!(
            self.out,
            "{level} {:>3}  {}  [{} {}]{}",
            report.score,
            printable(&report.id),
            report.kind.as_str(),
            report.language.as_str(),
            if advert.title.is_empty() {
                String::new()
            } else {
                format!("  {}", snippet(&advert.title, 0, advert.title.len(), 70))
            }
        )?;
        for r in &report.reasons {
            let place = match (r.field, r.start, r.end) {
                (Some(field), Some(s), Some(e)) => self.in_context(advert.field(field), s, e),
                // The classifier's reason explains itself; a rule without a span is an absence.
                _ if r.indicator == "classifier" => printable(&r.explanation.en),
                _ => "(no evidence in the text: an absence)".to_string(),
            };
            writeln!(
                self.out,
                "    {:>+4}  {:<24} {}",
                r.weight, r.indicator, place
            )?;
        }
        if !report.reasons.is_empty() {
            writeln!(self.out)?;
        }
        Ok(())
    }

    /// The evidence with a little text around it, highlighted when colour is on.
    fn in_context(&self, text: &str, start: usize, end: usize) -> String {
        let (Some(before), Some(hit), Some(after)) =
            (text.get(..start), text.get(start..end), text.get(end..))
        else {
            return String::new();
        };
        let before: String = before
            .chars()
            .rev()
            .take(30)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        let after: String = after.chars().take(30).collect();
        let flat = |s: &str| printable(s);
        let hit = if self.color {
            flat(hit).black().on_yellow().to_string()
        } else {
            format!("[{}]", flat(hit))
        };
        format!("…{}{}{}…", flat(&before), hit, flat(&after))
    }
}

fn snippet(text: &str, start: usize, end: usize, max_chars: usize) -> String {
    let s: String = text
        .get(start..end)
        .unwrap_or_default()
        .chars()
        .take(max_chars)
        .collect();
    printable(&s)
}

/// A CSV cell a spreadsheet would run as a formula (it starts with `=`, `+`, `-`, `@`, a tab or a
/// carriage return) kept as text by a leading apostrophe, as the web page's CSV export does.
fn as_text(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_string()
    }
}

/// Advert text made safe for a terminal: control characters (escape sequences included) become
/// spaces.
fn printable(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::advert::{Field, Kind, Lang};
    use crate::extract::Entities;
    use crate::report::Reason;
    use crate::rules::Texts;

    fn report() -> (Advert, Report) {
        let advert = Advert {
            id: "a,1".into(),
            text: "Pase jānodod koordinatoram".into(),
            ..Advert::default()
        };
        let reason = Reason {
            indicator: "documents_retained".into(),
            rule: "documents.passport_kept.lv".into(),
            rules: vec!["documents.passport_kept.lv".into()],
            weight: 30,
            field: Some(Field::Text),
            evidence: Some("Pase jānodod".into()),
            start: Some(0),
            end: Some(13),
            explanation: std::sync::Arc::new(Texts {
                lv: "a".into(),
                en: "b".into(),
                ru: None,
            }),
        };
        let report = Report {
            id: advert.id.clone(),
            kind: Kind::Job,
            language: Lang::Lv,
            score: 55,
            level: Level::Medium,
            flagged: true,
            rule_score: 55,
            model_probability: None,
            reasons: vec![reason],
            entities: Entities::default(),
        };
        (advert, report)
    }

    fn render(format: OutputFormat, color: bool) -> String {
        let (advert, report) = report();
        let mut w = Writer::new(Vec::new(), format, color);
        w.begin().expect("header");
        w.write(&advert, &report).expect("row");
        String::from_utf8(w.out).expect("utf-8")
    }

    #[test]
    fn jsonl_is_one_object_per_line() {
        let out = render(OutputFormat::Jsonl, false);
        assert_eq!(out.lines().count(), 1);
        let v: serde_json::Value = serde_json::from_str(out.trim()).expect("json");
        assert_eq!(v["reasons"][0]["evidence"], "Pase jānodod");
    }

    #[test]
    fn csv_quotes_fields_with_commas() {
        let out = render(OutputFormat::Csv, false);
        let mut lines = out.lines();
        assert_eq!(
            lines.next(),
            Some("id,kind,language,score,level,flagged,reasons,indicators,evidence")
        );
        assert_eq!(
            lines.next(),
            Some("\"a,1\",job,lv,55,medium,true,1,documents_retained,Pase jānodod")
        );
    }

    #[test]
    fn csv_cells_a_spreadsheet_would_run_as_formulas_are_kept_as_text() {
        let (mut advert, mut report) = report();
        for (i, start) in ["=", "+", "-", "@", "\t", "\r"].into_iter().enumerate() {
            advert.id = format!("{start}HYPERLINK(\"http://x\",\"{i}\")");
            report.id = advert.id.clone();
            report.reasons[0].evidence = Some(format!("{start}1+1"));
            let mut w = Writer::new(Vec::new(), OutputFormat::Csv, false);
            w.write(&advert, &report).expect("row");
            let mut rows = csv::ReaderBuilder::new()
                .has_headers(false)
                .from_reader(w.out.as_slice());
            let row = rows
                .records()
                .next()
                .expect("one row")
                .expect("the row parses");
            assert_eq!(row.get(0), Some(format!("'{}", advert.id).as_str()));
            assert_eq!(row.get(8), Some(format!("'{start}1+1").as_str()));
            for cell in row.iter() {
                assert!(
                    !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                    "{cell:?} in {row:?}"
                );
            }
        }
    }

    #[test]
    fn table_marks_evidence_with_brackets_or_colour() {
        let plain = render(OutputFormat::Table, false);
        assert!(
            plain.contains("MEDIUM") && plain.contains("[Pase jānodod]"),
            "{plain}"
        );
        assert!(!plain.contains('\u{1b}'));
        let coloured = render(OutputFormat::Table, true);
        assert!(coloured.contains('\u{1b}') && !coloured.contains("[Pase jānodod]"));
    }
}
