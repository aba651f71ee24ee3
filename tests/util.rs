//! Shared helpers: one engine over the bundled rules, a runner for the binary, temp files.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::LazyLock;

use adscreen::advert::{Advert, Kind};
use adscreen::engine::Engine;
use adscreen::report::Report;
use adscreen::rules::RuleSet;
use adscreen::score::Thresholds;

/// The fuzz tests' proptest settings: the cases per test from `ADSCREEN_FUZZ_CASES` (default
/// 256), and a fixed seed (`ADSCREEN_FUZZ_SEED` to change it) that keeps a run repeatable.
pub fn fuzz_config() -> proptest::test_runner::Config {
    use proptest::test_runner::{Config, RngSeed};
    let env = |name: &str| std::env::var(name).ok().and_then(|v| v.parse::<u64>().ok());
    Config {
        cases: env("ADSCREEN_FUZZ_CASES").map_or(256, |n| n.min(u32::MAX.into()) as u32),
        rng_seed: RngSeed::Fixed(env("ADSCREEN_FUZZ_SEED").unwrap_or(0x5eed)),
        failure_persistence: None,
        ..Config::default()
    }
}

/// One engine over the bundled rules, compiled once for all tests.
pub static ENGINE: LazyLock<Engine> = LazyLock::new(|| {
    Engine::new(
        RuleSet::bundled().expect("bundled rules compile"),
        Thresholds::default(),
    )
});

/// Screens a text as an advert of an optional kind.
pub fn screen(title: &str, text: &str, kind: Option<Kind>) -> Report {
    ENGINE.screen(&Advert {
        id: "t".into(),
        kind,
        title: title.into(),
        text: text.into(),
        ..Advert::default()
    })
}

/// The indicators among a report's reasons with positive weight.
pub fn risk_indicators(r: &Report) -> Vec<&str> {
    let mut v: Vec<&str> = r
        .reasons
        .iter()
        .filter(|x| x.weight > 0)
        .map(|x| x.indicator.as_str())
        .collect();
    v.sort();
    v.dedup();
    v
}

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs the binary with arguments and optional stdin.
pub fn run(args: &[&str], stdin: Option<&[u8]>, dir: &Path) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_adscreen"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("binary starts");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .expect("stdin is piped")
            .write_all(input)
            .expect("stdin is written");
    } else {
        drop(child.stdin.take());
    }
    child.wait_with_output().expect("binary finishes")
}

/// The JSON lines of stdout.
pub fn json_lines(out: &Output) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("each output line is JSON"))
        .collect()
}

/// A spreadsheet's CSV (`;` between cells, the byte order mark already taken off) as its column
/// names and rows.
pub fn read_sheet(body: &[u8]) -> (Vec<String>, Vec<csv::StringRecord>) {
    let mut reader = csv::ReaderBuilder::new().delimiter(b';').from_reader(body);
    let header: Vec<String> = reader
        .headers()
        .expect("header")
        .iter()
        .map(str::to_string)
        .collect();
    let rows = reader.records().map(|r| r.expect("row")).collect();
    (header, rows)
}
