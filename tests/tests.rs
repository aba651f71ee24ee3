//! Integration tests: one binary (see Cargo.toml `[[test]]`).

mod browser;
mod cli;
mod fuzz_ingest;
mod fuzz_screen;
mod hard_cases;
mod layers;
mod model;
mod reliability;
mod sample;
mod server;
mod service;
mod site;
mod util;
mod watch;
