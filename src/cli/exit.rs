//! Exit codes of every command.

/// Exit code: every record was screened.
pub const EXIT_OK: u8 = 0;
/// Exit code: some records (or files) were bad and skipped; the rest were screened.
pub const EXIT_BAD_RECORDS: u8 = 1;
/// Exit code: nothing useful could be done (bad rules, no readable input, bad arguments).
pub const EXIT_ERROR: u8 = 2;
