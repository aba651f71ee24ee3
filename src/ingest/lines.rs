//! An input read line by line, each line at most [`MAX_RECORD_BYTES`] long, with the means to go
//! back: a reader that took lines for a record spread over several lines and then found the
//! record bad puts the lines after its first back, and they are read again as records of their
//! own. Only those lines are kept, so memory stays bounded by the record limit.

use std::collections::VecDeque;
use std::io::{self, BufRead, Read};

use super::MAX_RECORD_BYTES;

/// One line of an input.
pub(super) struct Line {
    /// 1-based.
    pub number: usize,
    /// The line with its `\n` (none on a last line without one); empty when too long.
    pub bytes: Vec<u8>,
    /// The line is longer than [`MAX_RECORD_BYTES`]; its bytes were skipped.
    pub too_long: bool,
}

/// The lines of an input.
pub(super) struct Lines<R> {
    reader: R,
    /// Lines read from `reader` so far.
    read: usize,
    /// Lines put back, to be read again before any new line.
    again: VecDeque<Line>,
}

impl<R: BufRead> Lines<R> {
    pub fn new(reader: R) -> Lines<R> {
        Lines {
            reader,
            read: 0,
            again: VecDeque::new(),
        }
    }

    /// The next line, `None` at the end of the input.
    pub fn next(&mut self) -> io::Result<Option<Line>> {
        if let Some(line) = self.again.pop_front() {
            return Ok(Some(line));
        }
        let mut bytes = Vec::new();
        let n = (&mut self.reader)
            .take(MAX_RECORD_BYTES as u64)
            .read_until(b'\n', &mut bytes)?;
        if n == 0 {
            return Ok(None);
        }
        self.read += 1;
        let too_long = n == MAX_RECORD_BYTES && !bytes.ends_with(b"\n");
        if too_long {
            skip_line(&mut self.reader)?;
            bytes = Vec::new();
        }
        Ok(Some(Line {
            number: self.read,
            bytes,
            too_long,
        }))
    }

    /// Puts lines back (in their order) to be read again before any new line.
    pub fn read_again(&mut self, lines: Vec<Line>) {
        for line in lines.into_iter().rev() {
            self.again.push_front(line);
        }
    }

    /// Whether the next line is one put back: a line a record spread over several lines took.
    pub fn next_is_again(&self) -> bool {
        !self.again.is_empty()
    }
}

/// Skips the rest of a line.
fn skip_line(reader: &mut impl BufRead) -> io::Result<()> {
    loop {
        let buf = reader.fill_buf()?;
        if buf.is_empty() {
            return Ok(());
        }
        if let Some(i) = buf.iter().position(|&b| b == b'\n') {
            reader.consume(i + 1);
            return Ok(());
        }
        let n = buf.len();
        reader.consume(n);
    }
}
