//! Guessing the format of an input that has no name (stdin) from its first non-blank
//! character, reading as far as that character is, however far that is, and handing the input
//! back whole.

use std::io::{self, BufRead, Read};

use super::{BOM, Format, MAX_FIELD_BYTES};

/// Reads past a byte order mark and any amount of leading whitespace to the first other
/// character: `[` is a JSON array, `{` JSON objects one after another (NDJSON, an object may
/// spread over lines), anything else (or nothing) is text. Returns the format and a reader that
/// gives the input again from its start, for [`read`](super::read) (for JSON the leading
/// whitespace is given back as its line breaks only: line numbers stay right and no more than a
/// little is held). Reads no further than that character, so a stream is not held up.
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
    let format = match first {
        Some(b'[') => Format::Json,
        Some(b'{') => Format::Ndjson,
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
            rest: input,
        },
    ))
}

fn count_newlines(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|&&b| b == b'\n').count() as u64
}

/// An input handed back by [`sniff`]: what was read, then the rest.
pub struct Sniffed<R> {
    head: io::Cursor<Vec<u8>>,
    newlines: io::Take<io::Repeat>,
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
        self.rest.read(buf)
    }
}
