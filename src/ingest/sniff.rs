//! Guessing the format of an input that has no name (stdin) from its first non-blank
//! character (and, after `<` or `{`, a little more), reading as far as that is, however far that
//! is, and handing the input back whole.

use std::io::{self, BufRead, Read};

use super::{BOM, Format, MAX_FIELD_BYTES};

/// Reads past a byte order mark and any amount of leading whitespace to the first other
/// character: `[` is a JSON array; `{` a Telegram export when it starts as one (`name`, `type`,
/// `id`, then a `messages` array), else JSON objects one after another (NDJSON, an object may
/// spread over lines); `<` an RSS or Atom feed when its root element is `<rss>`, `<feed>` or
/// `<rdf:RDF>`, else a web page; anything else (or nothing) is text. Returns the format and a
/// reader that gives the input again from its start, for [`read`](super::read) (for JSON the
/// leading whitespace is given back as its line breaks only: line numbers stay right and no
/// more than a little is held). After `{` it reads only what is already buffered, so a stream
/// is not held up; after `<`, up to 4 KB.
pub fn sniff<R: BufRead>(mut input: R) -> io::Result<(Format, Sniffed<R>)> {
    let mut start = [0u8; 3];
    let mut n = 0;
    while n < start.len() {
        match input.read(&mut start[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    let bom = start[..n] == *BOM;
    let start = if bom { &[][..] } else { &start[..n] };
    let mut newlines = count_newlines(start);
    // The whitespace read, kept exactly for text (up to a little over the largest text, which
    // is then refused anyway).
    let mut blank = start.to_vec();
    let found_at_start = start.iter().any(|b| !b.is_ascii_whitespace());
    let mut first = start.iter().copied().find(|b| !b.is_ascii_whitespace());
    while first.is_none() {
        let buf = input.fill_buf()?;
        if buf.is_empty() {
            break;
        }
        let end = buf
            .iter()
            .position(|b| !b.is_ascii_whitespace())
            .unwrap_or(buf.len());
        let white = &buf[..end];
        newlines += count_newlines(white);
        let room = (MAX_FIELD_BYTES + 1).saturating_sub(blank.len());
        blank.extend_from_slice(&white[..white.len().min(room)]);
        first = buf.get(end).copied();
        input.consume(end);
    }
    // What follows the first character: for `<`, up to 4 KB (a page or feed is read whole
    // anyway); for `{`, only what is already buffered, so a stream of objects is not held up.
    let mut peeked = Vec::new();
    match first {
        Some(b'<') => {
            (&mut input)
                .take(PEEK_BYTES as u64)
                .read_to_end(&mut peeked)?;
        }
        Some(b'{') => {
            let buf = input.fill_buf()?;
            peeked.extend_from_slice(&buf[..buf.len().min(PEEK_BYTES)]);
            input.consume(peeked.len());
        }
        _ => {}
    }
    let mut window = start.to_vec();
    window.extend_from_slice(&peeked);
    let window = String::from_utf8_lossy(&window);
    let format = match first {
        Some(b'[') => Format::Json,
        Some(b'{') if is_telegram(&window) => Format::Telegram,
        Some(b'{') => Format::Ndjson,
        Some(b'<') if is_feed(&window) => Format::Rss,
        Some(b'<') => Format::Html,
        _ => Format::Text,
    };
    // The byte order mark is given back too: the reader skips it, once.
    let mut head = if bom { BOM.to_vec() } else { Vec::new() };
    if found_at_start || format == Format::Text {
        head.append(&mut blank);
        newlines = 0;
    }
    Ok((
        format,
        Sniffed {
            head: io::Cursor::new(head),
            newlines: io::repeat(b'\n').take(newlines),
            peeked: io::Cursor::new(peeked),
            rest: input,
        },
    ))
}

/// How far past the first character `<` and `{` inputs are looked at.
const PEEK_BYTES: usize = 4096;

/// A Telegram Desktop export starts `{ "name": …, "type": …, "id": …, "messages": [`, with
/// these keys at its top level in this order (`name` is missing for some chats).
fn is_telegram(window: &str) -> bool {
    static EXPORT: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(
            r#"^\s*\{\s*(?:"name"\s*:\s*(?:"(?:[^"\\]|\\.)*"|null)\s*,\s*)?"type"\s*:\s*"[a-z_]+"\s*,\s*"id"\s*:\s*-?\d+\s*,\s*"messages"\s*:\s*\["#,
        )
        .expect("the export pattern compiles (tested)")
    });
    EXPORT.is_match(window)
}

/// A feed's root element is `<rss>`, `<feed>` (Atom) or `<rdf:RDF>` (RSS 1.0): the first element
/// after the XML declaration, processing instructions, comments and a doctype.
fn is_feed(window: &str) -> bool {
    let mut rest = window.trim_start();
    loop {
        let skip = if rest.starts_with("<?") {
            rest.find("?>").map(|n| n + 2)
        } else if rest.starts_with("<!--") {
            rest.find("-->").map(|n| n + 3)
        } else if rest.starts_with("<!") {
            rest.find('>').map(|n| n + 1)
        } else {
            break;
        };
        match skip {
            Some(n) => rest = rest[n..].trim_start(),
            None => return false,
        }
    }
    let name: String = rest
        .strip_prefix('<')
        .unwrap_or_default()
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == ':')
        .collect::<String>()
        .to_ascii_lowercase();
    matches!(name.as_str(), "rss" | "feed" | "rdf:rdf")
}

fn count_newlines(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|&&b| b == b'\n').count() as u64
}

/// An input handed back by [`sniff`]: what was read, then the rest.
pub struct Sniffed<R> {
    head: io::Cursor<Vec<u8>>,
    newlines: io::Take<io::Repeat>,
    peeked: io::Cursor<Vec<u8>>,
    rest: R,
}

impl<R: Read> Read for Sniffed<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.head.read(buf)?;
        if n > 0 || buf.is_empty() {
            return Ok(n);
        }
        if self.newlines.limit() > 0 {
            return self.newlines.read(buf);
        }
        let n = self.peeked.read(buf)?;
        if n > 0 {
            return Ok(n);
        }
        self.rest.read(buf)
    }
}
