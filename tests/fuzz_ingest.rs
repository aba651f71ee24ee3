//! Fuzz tests of the input readers (JSON, NDJSON, CSV, text), with proptest: cargo-fuzz needs
//! a nightly compiler. Two kinds of input: arbitrary bytes (and arbitrary runs of the characters
//! that matter to the formats), where no reader may panic; and inputs built of good records mixed
//! with damaged ones (unclosed quotes and braces, byte order marks, blank lines, long lines,
//! invalid UTF-8, huge numbers, control characters), where every good record must be read with
//! its id exactly as given, and every damaged one reported on one of its own lines: nothing is
//! lost silently, and no error lands on a good record.
//!
//! `ADSCREEN_FUZZ_CASES` sets the cases per test (default 256, a few seconds in all); a long run:
//! `ADSCREEN_FUZZ_CASES=1000000 cargo test --test integration fuzz_`.

use std::io::Read;

use proptest::prelude::*;

use adscreen::ingest::{self, Format, IngestError};

use crate::util::fuzz_config as config;

/// What a reader made of an input.
#[derive(Debug)]
struct Outcome {
    ids: Vec<String>,
    texts: Vec<String>,
    errors: Vec<IngestError>,
    result: Result<(), IngestError>,
}

fn read(input: impl Read, format: Format) -> Outcome {
    let (mut ids, mut texts, mut errors) = (Vec::new(), Vec::new(), Vec::new());
    let result = ingest::read(input, format, "in", |record| match record {
        Ok(a) => {
            ids.push(a.id);
            texts.push(a.text);
        }
        Err(e) => errors.push(e),
    });
    Outcome {
        ids,
        texts,
        errors,
        result,
    }
}

/// An input built of good and damaged records, with what reading it must give.
#[derive(Debug, Default)]
struct Built {
    bytes: Vec<u8>,
    /// The ids of the good records, in order.
    good: Vec<String>,
    /// The lines (first, last) of each damaged record.
    damaged: Vec<(usize, usize)>,
    /// The next line.
    line: usize,
}

impl Built {
    fn new() -> Built {
        Built {
            line: 1,
            ..Built::default()
        }
    }

    /// Appends the lines of a record (with a line break after it); returns its first line.
    fn push(&mut self, record: &[u8]) -> usize {
        let first = self.line;
        self.bytes.extend_from_slice(record);
        self.bytes.push(b'\n');
        self.line += 1 + record.iter().filter(|&&b| b == b'\n').count();
        first
    }

    fn good(&mut self, record: &[u8], id: Option<&str>) {
        let line = self.push(record);
        self.good
            .push(id.map_or_else(|| format!("in:{line}"), str::to_string));
    }

    fn damaged(&mut self, record: &[u8]) {
        let first = self.push(record);
        self.damaged.push((first, self.line - 1));
    }

    /// Every good record read with its id, every damaged one reported on its lines, and no
    /// error elsewhere.
    fn check(&self, out: &Outcome) -> Result<(), TestCaseError> {
        prop_assert!(out.result.is_ok(), "{:?}", out.result);
        prop_assert_eq!(&out.ids, &self.good, "errors: {:?}", out.errors);
        let lines: Vec<usize> = out.errors.iter().filter_map(IngestError::line).collect();
        prop_assert_eq!(lines.len(), out.errors.len());
        for (e, line) in out.errors.iter().zip(&lines) {
            prop_assert!(
                self.damaged.iter().any(|&(a, b)| (a..=b).contains(line)),
                "{} is not on a damaged record {:?}",
                e,
                self.damaged
            );
        }
        for &(a, b) in &self.damaged {
            prop_assert!(
                lines.iter().any(|l| (a..=b).contains(l)),
                "the damaged record on lines {}-{} is not reported: {:?}",
                a,
                b,
                out.errors
            );
        }
        Ok(())
    }
}

// ---- generators ----

/// A string id (never blank, never a control character) or a number, with how it must come out.
#[derive(Debug, Clone)]
enum Id {
    Str(String),
    Num(String),
    /// Missing, or blank (which counts as missing).
    None(Option<String>),
}

fn string_id() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9 ,\"\\\\/āžЖ😀\u{feff}\u{2028}\u{a0}]{0,10}"
        .prop_filter("not blank", |s| !s.trim().is_empty())
}

fn id() -> impl Strategy<Value = Id> {
    prop_oneof![
        4 => string_id().prop_map(Id::Str),
        1 => "-?[1-9][0-9]{0,40}|0|-?[0-9]\\.[0-9]{0,6}0|[1-9][eE][+-]?[0-9]{1,3}".prop_map(Id::Num),
        1 => prop_oneof![Just(None), "[ \t\u{a0}]{1,3}".prop_map(Some)].prop_map(Id::None),
    ]
}

/// Advert text: anything (control characters included), now and then long.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => any::<String>(),
        1 => (8_000usize..20_000).prop_map(|n| "Darbs Vācijā, ".repeat(n / 16)),
    ]
}

/// One JSON field `"id": …`, or nothing.
fn json_id(id: &Id) -> Option<String> {
    match id {
        Id::Str(s) | Id::None(Some(s)) => Some(format!("\"id\":{}", json_string(s))),
        Id::Num(n) => Some(format!("\"id\":{n}")),
        Id::None(None) => None,
    }
}

fn json_string(s: &str) -> String {
    serde_json::to_string(s).expect("a string is JSON")
}

fn expected_id(id: &Id) -> Option<&str> {
    match id {
        Id::Str(s) | Id::Num(s) => Some(s),
        Id::None(_) => None,
    }
}

/// A record on one line: id, text and a field to ignore.
fn one_line(id: &Id, text: &str) -> String {
    let mut fields: Vec<String> = json_id(id).into_iter().collect();
    fields.push(format!("\"text\":{}", json_string(text)));
    fields.push("\"extra\":[1,{\"a\":null},\"}\"]".into());
    format!("{{{}}}", fields.join(","))
}

/// A record pretty-printed over several lines.
fn pretty(id: &Id, text: &str, close: bool) -> String {
    let mut fields: Vec<String> = json_id(id).into_iter().collect();
    fields.push(format!("\"text\": {}", json_string(text)));
    let body = fields
        .iter()
        .map(|f| format!("  {f}"))
        .collect::<Vec<_>>()
        .join(",\n");
    if close {
        format!("{{\n{body}\n}}")
    } else {
        format!("{{\n{body}")
    }
}

#[derive(Debug, Clone)]
enum JsonItem {
    Good {
        id: Id,
        text: String,
        pretty: bool,
        bom: bool,
    },
    Blank(String),
    /// A good line cut short (at a share of its length, in thousandths).
    Cut {
        id: Id,
        text: String,
        at: usize,
    },
    Garbage(String),
    BadUtf8,
    ControlId(String),
    WrongType,
    NoText,
    /// A pretty-printed record without its closing brace.
    PrettyUnclosed {
        id: Id,
        text: String,
    },
}

fn json_item() -> impl Strategy<Value = JsonItem> {
    prop_oneof![
        6 => (id(), text(), any::<bool>(), prop::bool::weighted(0.15))
            .prop_map(|(id, text, pretty, bom)| JsonItem::Good { id, text, pretty, bom }),
        2 => "[ \t\r]{0,3}".prop_map(JsonItem::Blank),
        1 => (id(), text(), 0usize..1000).prop_map(|(id, text, at)| JsonItem::Cut { id, text, at }),
        1 => prop::sample::select(vec!["not json", "[1,2]", "42", "\"s\"", "null", "x{", "\u{feff}\u{feff}{}"])
            .prop_map(|s| JsonItem::Garbage(s.to_string())),
        1 => Just(JsonItem::BadUtf8),
        1 => "[a-z]{0,3}[\u{0}-\u{1f}\u{7f}\u{85}][a-z]{0,3}".prop_filter("not blank", |s: &String| !s.trim().is_empty()).prop_map(JsonItem::ControlId),
        1 => Just(JsonItem::WrongType),
        1 => Just(JsonItem::NoText),
        1 => (id(), text()).prop_map(|(id, text)| JsonItem::PrettyUnclosed { id, text }),
    ]
}

fn build_ndjson(items: &[JsonItem], blank_start: usize, last_newline: bool) -> Built {
    let mut b = Built::new();
    for _ in 0..blank_start {
        b.push(b"");
    }
    for item in items {
        match item {
            JsonItem::Good {
                id,
                text,
                pretty: true,
                ..
            } => b.good(pretty(id, text, true).as_bytes(), expected_id(id)),
            JsonItem::Good { id, text, bom, .. } => {
                let mut line = if *bom {
                    "\u{feff}".to_string()
                } else {
                    String::new()
                };
                line.push_str(&one_line(id, text));
                b.good(line.as_bytes(), expected_id(id));
            }
            JsonItem::Blank(s) => {
                b.push(s.as_bytes());
            }
            JsonItem::Cut { id, text, at } => {
                let line = one_line(id, text);
                // Anywhere before the closing brace (on a character boundary).
                let mut end = 1 + (line.len() - 2) * at / 1000;
                while !line.is_char_boundary(end) {
                    end -= 1;
                }
                b.damaged(&line.as_bytes()[..end.max(1)]);
            }
            JsonItem::Garbage(s) => b.damaged(s.as_bytes()),
            JsonItem::BadUtf8 => b.damaged(b"{\"id\":\"u\",\"text\":\"a\xff\xfeb\"}"),
            JsonItem::ControlId(id) => {
                b.damaged(format!("{{\"id\":{},\"text\":\"a\"}}", json_string(id)).as_bytes())
            }
            JsonItem::WrongType => b.damaged(b"{\"id\":\"w\",\"text\":5}"),
            JsonItem::NoText => b.damaged(b"{\"id\":\"n\",\"title\":\"t\"}"),
            JsonItem::PrettyUnclosed { id, text } => b.damaged(pretty(id, text, false).as_bytes()),
        }
    }
    if !last_newline {
        b.bytes.pop();
    }
    b
}

#[derive(Debug, Clone)]
enum CsvItem {
    Good {
        id: Option<String>,
        title: String,
        text: String,
        quote: bool,
    },
    Blank,
    Unclosed(String),
    BadUtf8,
    NoText,
    ControlId,
}

/// A CSV field that starts with a letter or digit (so a quoted one cannot be mistaken for the
/// end of an unclosed one) and may hold commas, quotes and line breaks.
fn csv_field(lines: bool) -> impl Strategy<Value = String> {
    if lines {
        "[a-zA-Z0-9][a-zA-Z0-9 ,\"āЖ😀\r\n]{0,30}".boxed()
    } else {
        "[a-zA-Z0-9][a-zA-Z0-9 ,\"āЖ😀]{0,12}".boxed()
    }
}

fn csv_item() -> impl Strategy<Value = CsvItem> {
    prop_oneof![
        6 => (prop::option::weighted(0.8, csv_field(false)), prop_oneof![Just(String::new()), csv_field(false)], prop_oneof![csv_field(true), (8_000usize..20_000).prop_map(|n| "Darbs, Vācijā ".repeat(n / 16))], any::<bool>())
            .prop_map(|(id, title, text, quote)| CsvItem::Good { id, title, text, quote }),
        1 => Just(CsvItem::Blank),
        2 => "[a-zA-Z0-9][a-zA-Z0-9 ,]{0,20}".prop_map(CsvItem::Unclosed),
        1 => Just(CsvItem::BadUtf8),
        1 => Just(CsvItem::NoText),
        1 => Just(CsvItem::ControlId),
    ]
}

fn csv_cell(s: &str, quote: bool) -> String {
    if quote || s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn build_csv(items: &[CsvItem], bom: bool) -> Built {
    let mut b = Built::new();
    b.push(if bom {
        b"\xef\xbb\xbfid,title,text"
    } else {
        b"id,title,text"
    });
    for item in items {
        match item {
            CsvItem::Good {
                id,
                title,
                text,
                quote,
            } => {
                let row = format!(
                    "{},{},{}",
                    csv_cell(id.as_deref().unwrap_or_default(), false),
                    csv_cell(title, false),
                    csv_cell(text, *quote)
                );
                b.good(row.as_bytes(), id.as_deref());
            }
            CsvItem::Blank => {
                b.push(b"");
            }
            CsvItem::Unclosed(text) => b.damaged(format!("x,t,\"{text}").as_bytes()),
            CsvItem::BadUtf8 => b.damaged(b"u,ti\xfftle,text"),
            CsvItem::NoText => b.damaged(b"n,title"),
            CsvItem::ControlId => b.damaged(b"c\x01d,t,x"),
        }
    }
    b
}

/// Runs of the characters that matter to the formats.
fn fragments() -> impl Strategy<Value = Vec<u8>> {
    let pieces: Vec<&'static [u8]> = vec![
        b"{",
        b"}",
        b"[",
        b"]",
        b"\"",
        b"\"\"",
        b",",
        b":",
        b"\n",
        b"\r\n",
        b"\r",
        b" ",
        b"\\",
        b"\"id\":",
        b"\"text\":",
        b"\"a\"",
        b"1",
        b"123456789012345678901234567890",
        b"null",
        b"\xef\xbb\xbf",
        b"\xff",
        b"\xc4",
        b"\\u0000",
        b"\x00",
        b"id,text\n",
        b"x",
        b"<",
        b">",
        b"</",
        b"<!doctype html>",
        b"<rss version=\"2.0\"><channel>",
        b"<feed xmlns=\"http://www.w3.org/2005/Atom\">",
        b"<item>",
        b"</item>",
        b"<entry>",
        b"<title>",
        b"<description>",
        b"<![CDATA[",
        b"]]>",
        b"&lt;p&gt;",
        b"<script type=\"application/ld+json\">",
        b"</script>",
        b"\"@type\":\"JobPosting\"",
        b"\"@graph\":",
        b"\"baseSalary\":",
        b"\"messages\":[",
        b"\"type\":\"message\"",
        b"<?xml version=\"1.0\" encoding=\"windows-1251\"?>",
        b"<?xml version=\"1.0\"?>",
        b"<meta charset=\"windows-1257\">",
        b"<div>",
        b"</div>",
        b"<header>",
        b"<main>",
        b"\xe2\xfe",
    ];
    prop::collection::vec(prop::sample::select(pieces), 0..200).prop_map(|v| v.concat())
}

fn arbitrary_input() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![prop::collection::vec(any::<u8>(), 0..2000), fragments()]
}

/// The input as `scan -` gets it: sniffed, then read in the format sniffed.
fn sniffed(bytes: &[u8]) -> (Format, Outcome) {
    let (format, input) = ingest::sniff(bytes).expect("a slice reads");
    (format, read(input, format))
}

// ---- tests ----

proptest! {
    #![proptest_config(config())]

    #[test]
    fn fuzz_no_reader_panics_on_arbitrary_bytes(bytes in arbitrary_input()) {
        let lines = 1 + bytes.iter().filter(|&&b| b == b'\n').count();
        for format in [
            Format::Json,
            Format::Ndjson,
            Format::Csv,
            Format::Text,
            Format::Html,
            Format::Rss,
            Format::Telegram,
        ] {
            let out = read(bytes.as_slice(), format);
            for e in &out.errors {
                prop_assert!(e.line().is_some_and(|l| (1..=lines).contains(&l)), "{:?}: {}", format, e);
            }
            if format == Format::Ndjson {
                // One report at most per line, in order.
                let reported: Vec<usize> = out.errors.iter().filter_map(IngestError::line).collect();
                prop_assert!(reported.windows(2).all(|w| w[0] < w[1]), "{:?}", reported);
            }
        }
        let (format, out) = sniffed(&bytes);
        // A record per line at most, for the formats of records; a page, feed or export may
        // hold many on a line.
        if matches!(format, Format::Json | Format::Ndjson | Format::Csv | Format::Text) {
            prop_assert!(out.ids.len() + out.errors.len() <= lines + 1);
        }
    }

    #[test]
    fn fuzz_ndjson_reads_every_good_record_around_damaged_ones(
        items in prop::collection::vec(json_item(), 0..24),
        blank_start in 0usize..3,
        last_newline in any::<bool>(),
    ) {
        let built = build_ndjson(&items, blank_start, last_newline);
        let out = read(built.bytes.as_slice(), Format::Ndjson);
        built.check(&out)?;
        // Read from stdin, it is sniffed as NDJSON (when it starts with an object) and read alike.
        let first = built.bytes.iter().position(|b| !b.is_ascii_whitespace());
        if first.is_some_and(|i| built.bytes[i] == b'{') {
            let (format, again) = sniffed(&built.bytes);
            prop_assert_eq!(format, Format::Ndjson);
            built.check(&again)?;
        }
    }

    #[test]
    fn fuzz_ndjson_damaged_anywhere_does_not_panic(
        items in prop::collection::vec(json_item(), 1..12),
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 1..8),
    ) {
        let mut bytes = build_ndjson(&items, 0, true).bytes;
        mutate(&mut bytes, &edits);
        let lines = 1 + bytes.iter().filter(|&&b| b == b'\n').count();
        for format in [Format::Ndjson, Format::Json, Format::Csv] {
            let out = read(bytes.as_slice(), format);
            prop_assert!(out.errors.iter().all(|e| e.line().is_some_and(|l| l <= lines)));
        }
        let (format, out) = sniffed(&bytes);
        // A record per line at most, for the formats of records; a page, feed or export may
        // hold many on a line.
        if matches!(format, Format::Json | Format::Ndjson | Format::Csv | Format::Text) {
            prop_assert!(out.ids.len() + out.errors.len() <= lines + 1);
        }
    }

    #[test]
    fn fuzz_csv_reads_every_good_row_around_damaged_ones(
        items in prop::collection::vec(csv_item(), 0..24),
        bom in any::<bool>(),
    ) {
        let built = build_csv(&items, bom);
        let out = read(built.bytes.as_slice(), Format::Csv);
        built.check(&out)?;
        // The texts come out exactly too.
        let texts: Vec<&str> = items.iter().filter_map(|i| match i {
            CsvItem::Good { text, .. } => Some(text.as_str()),
            _ => None,
        }).collect();
        prop_assert_eq!(out.texts.iter().map(String::as_str).collect::<Vec<_>>(), texts);
    }

    #[test]
    fn fuzz_csv_damaged_anywhere_does_not_panic(
        items in prop::collection::vec(csv_item(), 1..12),
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 1..8),
    ) {
        let mut bytes = build_csv(&items, false).bytes;
        mutate(&mut bytes, &edits);
        let lines = 1 + bytes.iter().filter(|&&b| b == b'\n').count();
        let out = read(bytes.as_slice(), Format::Csv);
        let reported: Vec<usize> = out.errors.iter().filter_map(IngestError::line).collect();
        prop_assert!(reported.iter().all(|&l| (1..=lines).contains(&l)), "{:?}", reported);
        prop_assert!(reported.windows(2).all(|w| w[0] <= w[1]), "{:?}", reported);
    }

    #[test]
    fn fuzz_json_array_checks_each_element(
        items in prop::collection::vec(json_item(), 0..16),
        pretty_print in any::<bool>(),
        cut in prop::option::weighted(0.2, any::<prop::sample::Index>()),
    ) {
        let mut good = Vec::new();
        let mut damaged = Vec::new();
        let mut elements = Vec::new();
        for item in &items {
            let element = match item {
                JsonItem::Good { id, text, pretty: p, .. } => {
                    good.push(expected_id(id).map_or_else(|| format!("in:{}", elements.len() + 1), str::to_string));
                    if *p { pretty(id, text, true) } else { one_line(id, text) }
                }
                JsonItem::ControlId(id) => format!("{{\"id\":{},\"text\":\"a\"}}", json_string(id)),
                JsonItem::WrongType => "{\"id\":\"w\",\"text\":5}".into(),
                JsonItem::NoText => "{\"id\":\"n\",\"title\":\"t\"}".into(),
                JsonItem::Garbage(_) => "[1, \"x\"]".into(),
                _ => continue,
            };
            if !matches!(item, JsonItem::Good { .. }) {
                damaged.push(elements.len() + 1);
            }
            elements.push(element);
        }
        let separator = if pretty_print { ",\n  " } else { "," };
        let document = format!("\u{feff}[{}]", elements.join(separator));
        match cut {
            None => {
                let out = read(document.as_bytes(), Format::Json);
                prop_assert!(out.result.is_ok(), "{:?}", out.result);
                prop_assert_eq!(&out.ids, &good);
                // Each damaged element is reported on the line it starts on, with its number.
                let mut starts = Vec::new();
                let mut line = 1;
                for (k, e) in elements.iter().enumerate() {
                    if k > 0 {
                        line += separator.matches('\n').count();
                    }
                    starts.push(line);
                    line += e.matches('\n').count();
                }
                let lines: Vec<usize> = out.errors.iter().filter_map(IngestError::line).collect();
                let expected: Vec<usize> = damaged.iter().map(|&n| starts[n - 1]).collect();
                prop_assert_eq!(lines, expected);
                for (e, n) in out.errors.iter().zip(&damaged) {
                    let element = format!("element {n}:");
                    prop_assert!(e.to_string().contains(&element), "{}", e);
                }
            }
            Some(at) => {
                // A document cut short is refused whole, and nothing of it is read.
                let bytes = &document.as_bytes()[..at.index(document.len())];
                let out = read(bytes, Format::Json);
                prop_assert!(out.result.is_err());
                prop_assert!(out.ids.is_empty() && out.errors.is_empty());
            }
        }
    }

    #[test]
    fn fuzz_text_is_one_advert_exactly_as_given(bytes in arbitrary_input(), bom in any::<bool>()) {
        let mut input = if bom { b"\xef\xbb\xbf".to_vec() } else { Vec::new() };
        input.extend_from_slice(&bytes);
        let out = read(input.as_slice(), Format::Text);
        prop_assert_eq!(out.ids.len() + out.errors.len(), 1);
        match std::str::from_utf8(&bytes) {
            // A second byte order mark is text.
            Ok(text) if bom || !text.starts_with('\u{feff}') => {
                prop_assert_eq!(&out.ids, &["in".to_string()]);
                prop_assert_eq!(&out.texts, &[text.to_string()]);
            }
            Ok(_) => prop_assert_eq!(out.ids.len(), 1),
            Err(_) => {
                let invalid = matches!(out.errors[..], [IngestError::InvalidUtf8 { .. }]);
                prop_assert!(invalid, "{:?}", out.errors);
            }
        }
        // Sniffed as text, it reads the same (leading blank included).
        let (format, again) = sniffed(&input);
        if format == Format::Text {
            prop_assert_eq!(again.ids, out.ids);
            prop_assert_eq!(again.texts, out.texts);
        }
    }
}

/// Inserts, replaces or deletes bytes.
fn mutate(bytes: &mut Vec<u8>, edits: &[(prop::sample::Index, u8, u8)]) {
    for (at, byte, kind) in edits {
        let i = at.index(bytes.len() + 1);
        match kind {
            0 => bytes.insert(i, *byte),
            1 if i < bytes.len() => bytes[i] = *byte,
            _ if i < bytes.len() => {
                bytes.remove(i);
            }
            _ => bytes.push(*byte),
        }
    }
}
