use super::*;

fn read_all(
    bytes: &[u8],
    format: Format,
) -> (Vec<Advert>, Vec<IngestError>, Result<(), IngestError>) {
    let mut ok = Vec::new();
    let mut bad = Vec::new();
    let result = read(bytes, format, "in", |r| match r {
        Ok(a) => ok.push(a),
        Err(e) => bad.push(e),
    });
    (ok, bad, result)
}

#[test]
fn ndjson_keeps_good_lines_and_reports_bad_ones() {
    let input = b"{\"id\":\"a\",\"text\":\"one\"}\nnot json\n\n{\"text\":\"two\",\"extra\":1}\n\xff\xfe\n{\"title\":\"no text\"}\n";
    let (ok, bad, result) = read_all(input, Format::Ndjson);
    assert!(result.is_ok());
    assert_eq!(
        ok.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(),
        vec!["a", "in:4"]
    );
    assert_eq!(
        bad.iter().map(IngestError::line).collect::<Vec<_>>(),
        vec![Some(2), Some(5), Some(6)]
    );
    assert!(matches!(bad[0], IngestError::Json { .. }));
    assert!(matches!(bad[1], IngestError::InvalidUtf8 { .. }));
    assert!(matches!(bad[2], IngestError::Invalid { .. }));
}

#[test]
fn json_object_and_array() {
    let (ok, _, _) = read_all(
        br#"{"id": 7, "kind": "job", "body": "x", "lang": "lv"}"#,
        Format::Json,
    );
    assert_eq!(ok[0].id, "7");
    assert_eq!(ok[0].kind, Some(Kind::Job));
    assert_eq!(ok[0].lang, Some(Lang::Lv));
    assert_eq!(ok[0].text, "x");
    let (ok, bad, _) = read_all(
        br#"[{"text":"a"}, 5, {"description":"c", "kind":"marriage"}]"#,
        Format::Json,
    );
    assert_eq!(ok.len(), 2);
    assert_eq!(bad[0].line(), Some(1));
    assert!(bad[0].to_string().contains("element 2"), "{}", bad[0]);
    assert_eq!(ok[1].kind, Some(Kind::Marriage));
    // Assigned ids still number the elements.
    assert_eq!(ok[1].id, "in:3");
}

#[test]
fn array_errors_name_the_line_an_element_starts_on_and_its_number() {
    // Found by the fuzz loop: `[1,2]` reported "line 2", a line that is not there.
    let (_, bad, _) = read_all(b"[1,2]", Format::Json);
    let lines: Vec<_> = bad.iter().map(IngestError::line).collect();
    assert_eq!(lines, [Some(1), Some(1)]);
    assert!(bad[1].to_string().contains("element 2"), "{}", bad[1]);
    // Pretty-printed over lines, with a string holding an escaped line break.
    let input = b"[\n  {\"text\": \"a\\nb\"},\n  {\"title\": \"no text\"},\n\n  7\n]";
    let (ok, bad, result) = read_all(input, Format::Json);
    assert!(result.is_ok());
    assert_eq!(ok.len(), 1);
    let found: Vec<(Option<usize>, String)> =
        bad.iter().map(|e| (e.line(), e.to_string())).collect();
    assert_eq!(found[0].0, Some(3), "{found:?}");
    assert!(found[0].1.contains("element 2"), "{found:?}");
    assert_eq!(found[1].0, Some(5), "{found:?}");
    assert!(found[1].1.contains("element 3"), "{found:?}");
}

#[test]
fn malformed_json_document_is_an_input_error() {
    let (ok, _, result) = read_all(b"[{\"text\": \"a\"", Format::Json);
    assert!(ok.is_empty());
    assert!(matches!(result, Err(IngestError::Json { .. })));
    let (_, _, result) = read_all(b"42", Format::Json);
    assert!(matches!(result, Err(IngestError::Invalid { .. })));
}

#[test]
fn unknown_kind_and_lang_are_reported() {
    let (_, bad, _) = read_all(
        b"{\"text\":\"a\",\"kind\":\"jobb\"}\n{\"text\":\"a\",\"lang\":\"de\"}\n",
        Format::Ndjson,
    );
    assert_eq!(bad.len(), 2);
    assert!(bad[0].to_string().contains("jobb"));
}

#[test]
fn csv_maps_columns_by_name() {
    let input = "Description,ID,ignored,Title\n\"Darbs, labs\",1,x,Pavārs\nbody only,,y,\n";
    let (ok, bad, _) = read_all(input.as_bytes(), Format::Csv);
    assert!(bad.is_empty(), "{bad:?}");
    assert_eq!(
        (ok[0].id.as_str(), ok[0].title.as_str(), ok[0].text.as_str()),
        ("1", "Pavārs", "Darbs, labs")
    );
    assert_eq!(ok[1].id, "in:3");
}

#[test]
fn csv_reports_invalid_utf8_and_missing_text_with_lines() {
    let mut input = b"id,text\n1,fine\n2,bad \xff byte\n".to_vec();
    input.extend_from_slice(b"3,\"still fine\"\n");
    let (ok, bad, _) = read_all(&input, Format::Csv);
    assert_eq!(ok.len(), 2);
    assert_eq!(bad[0].line(), Some(3));
    let (ok, bad, _) = read_all(b"id,title\n1,only a title\n", Format::Csv);
    assert!(ok.is_empty());
    assert_eq!(bad.len(), 1);
}

#[test]
fn text_file_is_one_advert() {
    let (ok, _, _) = read_all("Darbs Vācijā\nzvaniet".as_bytes(), Format::Text);
    assert_eq!(ok[0].id, "in");
    assert_eq!(ok[0].text, "Darbs Vācijā\nzvaniet");
    let (ok, bad, _) = read_all(b"ok\n\xff", Format::Text);
    assert!(ok.is_empty());
    assert_eq!(bad[0].line(), Some(2));
}

#[test]
fn empty_text_is_an_advert_and_oversized_is_not() {
    let (ok, _, _) = read_all(b"{\"text\":\"\"}", Format::Json);
    assert_eq!(ok.len(), 1);
    let huge = format!("{{\"text\":\"{}\"}}", "a".repeat(MAX_FIELD_BYTES + 1));
    let (ok, bad, _) = read_all(huge.as_bytes(), Format::Json);
    assert!(ok.is_empty());
    assert!(bad[0].to_string().contains("more than"));
}

#[test]
fn format_from_extension() {
    assert_eq!(Format::from_path(Path::new("a.JSONL")), Format::Ndjson);
    assert_eq!(Format::from_path(Path::new("a.json")), Format::Json);
    assert_eq!(Format::from_path(Path::new("a.csv")), Format::Csv);
    assert_eq!(Format::from_path(Path::new("advert")), Format::Text);
}

#[test]
fn sniffing_reads_past_any_amount_of_blank_and_keeps_line_numbers() {
    fn sniffed(input: &[u8]) -> (Format, Vec<u8>) {
        let (format, mut rest) = sniff(input).expect("readable");
        let mut bytes = Vec::new();
        rest.read_to_end(&mut bytes).expect("readable");
        (format, bytes)
    }
    let mut blank_then_ndjson = vec![b'\n'; 9000];
    blank_then_ndjson.extend_from_slice(b"  {\"text\":\"a\"}\n");
    let (format, replay) = sniffed(&blank_then_ndjson);
    assert_eq!(format, Format::Ndjson);
    let (ok, bad, _) = read_all(&replay, format);
    assert!(bad.is_empty());
    assert_eq!(ok[0].id, "in:9001");
    let long_first_line = format!(
        "{{\"text\":\"{}\"}}\n{{\"text\":\"b\"}}\n",
        "a".repeat(20_000)
    );
    assert_eq!(sniffed(long_first_line.as_bytes()).0, Format::Ndjson);
    assert_eq!(
        sniffed(b"\xef\xbb\xbf \r\n\t[{\"text\":1}]").0,
        Format::Json
    );
    assert_eq!(
        sniffed(b"\xef\xbb\xbf{\n  \"text\": \"a\"\n}\n").0,
        Format::Ndjson
    );
    let text = b"\n\n  Darbs V\xc4\x81cij\xc4\x81\n";
    assert_eq!(sniffed(text), (Format::Text, text.to_vec()));
    assert_eq!(
        sniffed(b"\xef\xbb\xbf\n x"),
        (Format::Text, b"\xef\xbb\xbf\n x".to_vec())
    );
    // Read again, only the first mark is skipped.
    let (format, replay) = sniffed(b"\xef\xbb\xbf\xef\xbb\xbfx");
    let (ok, _, _) = read_all(&replay, format);
    assert_eq!(ok[0].text, "\u{feff}x");
    assert_eq!(sniffed(b"\xef\xbb"), (Format::Text, b"\xef\xbb".to_vec()));
    assert_eq!(sniffed(b"").0, Format::Text);
}

#[test]
fn a_byte_order_mark_is_skipped() {
    let (ok, bad, _) = read_all(b"\xef\xbb\xbf{\"text\":\"a\"}\n", Format::Ndjson);
    assert_eq!((ok.len(), bad.len()), (1, 0));
    let (ok, _, result) = read_all(b"\xef\xbb\xbf[{\"text\":\"a\"}]", Format::Json);
    assert!(result.is_ok());
    assert_eq!(ok.len(), 1);
}

#[test]
fn a_numeric_id_keeps_its_digits() {
    for written in ["123456789012345678901234567890", "7", "-0", "1.50", "1e3"] {
        let line = format!("{{\"id\":{written},\"text\":\"a\"}}\n");
        let (ok, bad, _) = read_all(line.as_bytes(), Format::Ndjson);
        assert!(bad.is_empty(), "{bad:?}");
        assert_eq!(ok[0].id, written);
        let array = format!("[{}]", line.trim());
        let (ok, _, _) = read_all(array.as_bytes(), Format::Json);
        assert_eq!(ok[0].id, written);
    }
    let (ok, bad, _) = read_all(
        b"{\"id\":\" a\\\\b \\\"c\\\" \",\"text\":\"a\"}\n{\"id\":\" \",\"text\":\"b\"}\n",
        Format::Ndjson,
    );
    assert!(bad.is_empty(), "{bad:?}");
    assert_eq!(ok[0].id, " a\\b \"c\" ", "a string id is kept exactly");
    assert_eq!(ok[1].id, "in:2", "a blank id is a missing one");
    let (_, bad, _) = read_all(b"{\"id\":[1],\"text\":\"a\"}\n", Format::Ndjson);
    assert!(bad[0].to_string().contains("id must be"), "{bad:?}");
}

#[test]
fn ids_with_control_characters_are_refused() {
    let input = b"{\"id\":\"\\u0000x\",\"text\":\"a\"}\n{\"id\":\"a\\u0007b\",\"text\":\"a\"}\n{\"id\":\"\\u0000\",\"text\":\"a\"}\n{\"id\":\"fine\",\"text\":\"a\"}\n";
    let (ok, bad, _) = read_all(input, Format::Ndjson);
    assert_eq!(
        ok.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(),
        ["fine"]
    );
    assert_eq!(
        bad.iter().map(IngestError::line).collect::<Vec<_>>(),
        [Some(1), Some(2), Some(3)]
    );
    assert!(
        bad.iter()
            .all(|e| e.to_string().contains("control character")),
        "{bad:?}"
    );
    let (ok, bad, _) = read_all(b"id,text\n\x01a,x\nb,y\n", Format::Csv);
    assert_eq!(ok.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(), ["b"]);
    assert_eq!(bad[0].line(), Some(2));
}

#[test]
fn ndjson_skips_a_byte_order_mark_at_the_start_of_any_line() {
    // `cat a.jsonl b.jsonl` leaves the second file's mark at the start of a line.
    let input = b"\xef\xbb\xbf{\"id\":\"a\",\"text\":\"x\"}\n\xef\xbb\xbf{\"id\":\"b\",\"text\":\"y\"}\n\xef\xbb\xbf\n{\"id\":\"c\",\"text\":\"z\"}\n";
    let (ok, bad, _) = read_all(input, Format::Ndjson);
    assert!(bad.is_empty(), "{bad:?}");
    assert_eq!(
        ok.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(),
        ["a", "b", "c"]
    );
}

#[test]
fn ndjson_reads_an_object_spread_over_lines_among_one_line_objects() {
    let input = b"{\"id\":\"a\",\"text\":\"x\"}\n{\n  \"id\": \"b\",\n  \"text\": \"y\"\n}\n{\"id\":\"c\",\"text\":\"z\"}\n{\n  \"text\": \"no id\"\n}\n";
    let (ok, bad, result) = read_all(input, Format::Ndjson);
    assert!(result.is_ok());
    assert!(bad.is_empty(), "{bad:?}");
    assert_eq!(
        ok.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(),
        ["a", "b", "c", "in:7"]
    );
}

#[test]
fn ndjson_an_unfinished_object_is_one_bad_record_and_the_lines_after_it_are_read() {
    let cases: [&[u8]; 4] = [
        // A line cut short: the next line cannot continue it.
        b"{\"id\":\"a\",\"text\":\"x\"\n{\"id\":\"b\",\"text\":\"y\"}\n{\"id\":\"c\",\"text\":\"z\"}\n",
        // A line cut before a value: the next line could be the value, the one after cannot.
        b"{\"id\":\"a\",\"text\":\n{\"id\":\"b\",\"text\":\"y\"}\n{\"id\":\"c\",\"text\":\"z\"}\n",
        // Nothing closes it before the end of the input.
        b"{\"id\":\"a\",\"text\":{\n{\"id\":\"b\",\"text\":\"y\"}\n\n{\"id\":\"c\",\"text\":\"z\"}",
        // An object spread over lines that never closes.
        b"{\n \"id\": \"a\",\n{\"id\":\"b\",\"text\":\"y\"}\n{\"id\":\"c\",\"text\":\"z\"}\n",
    ];
    for input in cases {
        let (ok, bad, result) = read_all(input, Format::Ndjson);
        let shown = String::from_utf8_lossy(input);
        assert!(result.is_ok(), "{shown}");
        assert_eq!(
            ok.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(),
            ["b", "c"],
            "{shown}: {bad:?}"
        );
        assert_eq!(bad.first().and_then(IngestError::line), Some(1), "{shown}");
    }
}

#[test]
fn csv_an_unclosed_quote_is_one_bad_record_and_the_rows_after_it_are_read() {
    let mut input = b"id,title,text\n1,t,\"never closed\n".to_vec();
    for i in 2..=200 {
        input.extend_from_slice(format!("{i},t,row {i}\n").as_bytes());
    }
    // A row with quotes after the damage must not close the unclosed field.
    input.extend_from_slice(b"201,\"t, quoted\",\"x \"\"y\"\"\"\n");
    let (ok, bad, result) = read_all(&input, Format::Csv);
    assert!(result.is_ok());
    assert_eq!(bad.len(), 1, "{bad:?}");
    assert_eq!(bad[0].line(), Some(2));
    assert!(matches!(bad[0], IngestError::Csv { .. }), "{bad:?}");
    assert_eq!(ok.len(), 200);
    assert_eq!(ok[0].id, "2");
    assert_eq!(
        (ok[199].title.as_str(), ok[199].text.as_str()),
        ("t, quoted", "x \"y\"")
    );
    // A field may still hold line breaks.
    let (ok, bad, _) = read_all(b"id,text\n1,\"two\nlines\"\n2,\"b\"\n", Format::Csv);
    assert!(bad.is_empty(), "{bad:?}");
    assert_eq!(ok[0].text, "two\nlines");
    assert_eq!(ok[1].id, "2");
}

#[test]
fn csv_a_quoted_field_over_the_limit_is_a_bad_record() {
    let mut input = b"id,text\n1,\"".to_vec();
    let line = format!("{}\n", "a".repeat(1023));
    while input.len() < MAX_FIELD_BYTES + 10_000 {
        input.extend_from_slice(line.as_bytes());
    }
    // Never closed: the field runs past the limit, then the rows after it are read again.
    input.extend_from_slice(b"2,after\n");
    let (ok, bad, _) = read_all(&input, Format::Csv);
    assert_eq!(
        bad.first().and_then(IngestError::line),
        Some(2),
        "{:?}",
        bad.first()
    );
    assert!(
        bad[0]
            .to_string()
            .contains(&format!("{MAX_FIELD_BYTES} bytes")),
        "{:?}",
        bad[0]
    );
    assert_eq!(ok.last().map(|a| a.id.as_str()), Some("2"));
}
#[test]
fn a_computed_default_id_is_used_only_for_adverts_without_one() {
    let hash = |a: &Advert| format!("h:{}", a.text);
    let mut ids = Vec::new();
    let input =
        b"{\"text\":\"a\"}\n{\"id\":\"\\u0000\",\"text\":\"b\"}\n{\"id\":\"c\",\"text\":\"c\"}\n";
    read_with(
        &input[..],
        Format::Ndjson,
        DefaultId::Computed(&hash),
        |r| ids.push(r.map(|a| a.id).map_err(|e| e.line())),
    )
    .expect("readable");
    assert_eq!(
        ids,
        [Ok("h:a".to_string()), Err(Some(2)), Ok("c".to_string())]
    );
}

#[test]
fn ndjson_lines_that_each_open_more_than_they_close_are_read_in_linear_time() {
    // Each line starts an object that the next lines could go on with: reading every line again
    // after a failed one must not take time in the square of the input.
    let mut input = b"{\"a\":[\n".repeat(20_000);
    input.extend_from_slice(b"{\"id\":\"after\",\"text\":\"x\"}\n");
    let started = std::time::Instant::now();
    let (ok, bad, _) = read_all(&input, Format::Ndjson);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(60),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(bad.len(), 20_000);
    assert_eq!(
        ok.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(),
        ["after"]
    );
}

#[test]
fn csv_lines_that_each_open_a_quote_are_read_in_linear_time() {
    // Each line closes the field the line before opened and opens another.
    let mut input = b"id,text\n".to_vec();
    input.extend_from_slice(&b"x\",a,\"\n".repeat(20_000));
    input.extend_from_slice(b"after,fine\n");
    let started = std::time::Instant::now();
    let (ok, bad, _) = read_all(&input, Format::Csv);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(60),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(bad.len(), 20_000);
    assert_eq!(
        ok.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(),
        ["after"]
    );
}
