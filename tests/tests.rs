//! Integration tests: one binary (see Cargo.toml `[[test]]`).

mod cli;
mod hard_cases;
mod sample;
mod util;
