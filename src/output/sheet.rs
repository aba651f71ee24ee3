//! CSV for spreadsheets: what opens cleanly in a spreadsheet set to Latvian or Russian (Excel,
//! LibreOffice): a UTF-8 byte order mark so that the letters stay intact, `;` between cells
//! (those locales write a decimal comma), one row per advert with what a person needs to act on
//! it: id, source, date, level, score, signs, the quoted evidence, the contacts, title and text.
//! `scan --format spreadsheet` and the service's `GET /v1/export.csv` both write it.

use crate::advert::Advert;
use crate::report::Report;

/// The UTF-8 byte order mark that starts the file.
pub const BOM: &str = "\u{feff}";

/// The column names.
pub const HEADER: [&str; 13] = [
    "id",
    "source",
    "date",
    "level",
    "score",
    "flagged",
    "kind",
    "language",
    "indicators",
    "evidence",
    "contacts",
    "title",
    "text",
];

/// The cells of one advert's row. `date` is the posting date when the advert has one, else
/// `stored_at` (the service's); `name` gives an indicator's name for the `indicators` cell.
pub fn row(
    advert: &Advert,
    report: &Report,
    stored_at: Option<&str>,
    name: &dyn Fn(&str) -> String,
) -> Vec<String> {
    let mut indicators: Vec<&str> = Vec::new();
    let mut evidence: Vec<&str> = Vec::new();
    for r in report.reasons.iter().filter(|r| r.weight > 0) {
        if !indicators.contains(&r.indicator.as_str()) {
            indicators.push(&r.indicator);
        }
        if let Some(e) = r.evidence.as_deref() {
            if !evidence.iter().any(|x| x.eq_ignore_ascii_case(e)) {
                evidence.push(e);
            }
        }
    }
    let e = &report.entities;
    let mut contacts: Vec<&str> = Vec::new();
    let found = e
        .phones
        .iter()
        .map(|p| p.value.value.as_str())
        .chain(e.emails.iter().map(|m| m.value.value.as_str()))
        .chain(
            e.messengers
                .iter()
                .filter_map(|m| m.value.handle.as_deref()),
        );
    for c in found {
        if !contacts.contains(&c) {
            contacts.push(c);
        }
    }
    let date = advert
        .posted_at
        .as_deref()
        .or(stored_at)
        .unwrap_or_default();
    [
        advert.id.as_str(),
        advert.source.as_deref().unwrap_or_default(),
        date,
        report.level.as_str(),
        &report.score.to_string(),
        if report.flagged { "yes" } else { "no" },
        report.kind.as_str(),
        report.language.as_str(),
        &indicators
            .iter()
            .map(|i| name(i))
            .collect::<Vec<_>>()
            .join(", "),
        &evidence.join(" | "),
        &contacts.join(", "),
        &advert.title,
        &advert.text,
    ]
    .iter()
    .map(|cell| super::as_text(cell))
    .collect()
}

/// One row as CSV with `;` between cells, quoted where needed, ending in CRLF.
pub fn line<S: AsRef<[u8]>>(cells: &[S]) -> std::io::Result<Vec<u8>> {
    let mut w = csv::WriterBuilder::new()
        .delimiter(b';')
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    w.write_record(cells).map_err(std::io::Error::other)?;
    w.into_inner()
        .map_err(|e| std::io::Error::other(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Engine;
    use crate::rules::RuleSet;
    use crate::score::Thresholds;

    #[test]
    fn a_row_carries_signs_evidence_contacts_and_text_and_reads_back_with_semicolons() {
        let engine = Engine::new(
            RuleSet::bundled().expect("bundled rules"),
            Thresholds::default(),
        );
        let advert = Advert {
            id: "=1".into(),
            title: "Darbs Vācijā; ātri".into(),
            text: "Darbs Vācijā meitenēm 18-25, alga 4000 EUR mēnesī. Pase jāatstāj pie mums. \
                   Raksti WhatsApp +371 2000 1234, \"ātri\""
                .into(),
            source: Some("ss.lv".into()),
            posted_at: Some("2026-12-01".into()),
            ..Advert::default()
        };
        let report = engine.screen(&advert);
        let mut bytes = BOM.as_bytes().to_vec();
        bytes.extend(line(&HEADER).expect("header"));
        bytes.extend(line(&row(&advert, &report, None, &|i| i.to_uppercase())).expect("row"));
        let text = String::from_utf8(bytes).expect("utf-8");
        let body = text
            .strip_prefix(BOM)
            .expect("starts with a byte order mark");
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(b';')
            .from_reader(body.as_bytes());
        let header: Vec<String> = reader
            .headers()
            .expect("header")
            .iter()
            .map(str::to_string)
            .collect();
        assert_eq!(header, HEADER);
        let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
        assert_eq!(rows.len(), 1);
        let cell = |name: &str| {
            let i = HEADER.iter().position(|h| *h == name).expect("column");
            rows[0][i].to_string()
        };
        assert_eq!(cell("id"), "'=1", "a formula-like id stays text");
        assert_eq!(cell("title"), "Darbs Vācijā; ātri");
        assert_eq!(cell("text"), advert.text);
        assert_eq!(cell("date"), "2026-12-01");
        assert_eq!(cell("source"), "ss.lv");
        assert!(
            cell("indicators").contains("DOCUMENTS_RETAINED"),
            "{rows:?}"
        );
        assert!(cell("evidence").contains("Pase jāatstāj"), "{rows:?}");
        assert!(cell("contacts").contains("+37120001234"), "{rows:?}");
    }
}
