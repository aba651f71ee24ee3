//! Rules (placeholder while the module is written).
use include_dir::{Dir, include_dir};

/// The rule folder built into the binary.
pub static BUNDLED: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/rules");

/// The text of one bundled rule file.
pub fn bundled_file(name: &str) -> Option<&'static str> {
    BUNDLED.get_file(name).and_then(|f| f.contents_utf8())
}
