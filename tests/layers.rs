//! The modules stand one above the other: no two modules of the library use each other, directly
//! or through others, and the binary's command modules (`src/cli/`) use each other one way only.
//! Read from the source: a `crate::NAME` (library) or `super::NAME` (binary) outside comments and
//! test code is a use.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::util::root;

/// Every `.rs` file under `dir`, with its path relative to `dir`.
fn sources(dir: &Path, out: &mut Vec<(String, String)>, base: &Path) {
    for entry in std::fs::read_dir(dir).expect("source folder") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            sources(&path, out, base);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let rel = path
                .strip_prefix(base)
                .expect("under base")
                .to_string_lossy()
                .replace('\\', "/");
            out.push((rel, std::fs::read_to_string(&path).expect("source")));
        }
    }
}

/// The code of a file without its test module and comment lines.
fn code(text: &str) -> impl Iterator<Item = &str> {
    let end = text.find("#[cfg(test)]\nmod tests").unwrap_or(text.len());
    text[..end]
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
}

/// Names used after `prefix` (`crate::` or `super::`).
fn used<'a>(line: &'a str, prefix: &str) -> Vec<&'a str> {
    line.match_indices(prefix)
        .filter_map(|(at, _)| {
            let rest = &line[at + prefix.len()..];
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            (end > 0).then(|| &rest[..end])
        })
        .collect()
}

/// The first cycle of a graph, if it has one.
fn cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|n| n == node) {
            let mut found = path[at..].to_vec();
            found.push(node.to_string());
            return Some(found);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(c) = visit(next, graph, path, done) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|n| visit(n, graph, &mut Vec::new(), &mut done))
}

/// The graph of uses between top-level modules of `files` (first path part, `.rs` dropped).
fn graph(
    files: &[(String, String)],
    prefix: &str,
    skip: &[&str],
) -> BTreeMap<String, BTreeSet<String>> {
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (rel, text) in files {
        let module = rel.split('/').next().unwrap_or(rel).trim_end_matches(".rs");
        if skip.contains(&module) || rel.ends_with("tests.rs") {
            continue;
        }
        for line in code(text) {
            for name in used(line, prefix) {
                if name != module && !skip.contains(&name) {
                    graph
                        .entry(module.to_string())
                        .or_default()
                        .insert(name.to_string());
                }
            }
        }
    }
    graph
}

#[test]
fn library_modules_use_each_other_one_way_only() {
    let src = root().join("src");
    let mut files = Vec::new();
    sources(&src, &mut files, &src);
    let library = graph(&files, "crate::", &["lib", "main", "cli"]);
    assert!(library.len() > 15, "the library's modules were read");
    assert_eq!(cycle(&library), None, "an import circle in the library");
    // The pay reference is data the extractors and the rules read; it reads neither.
    let market = library.get("market").cloned().unwrap_or_default();
    assert!(
        !market.contains("extract") && !market.contains("rules"),
        "{market:?}"
    );
    // The library never reaches into the binary.
    for (rel, text) in &files {
        if !rel.starts_with("cli/") && rel != "main.rs" {
            assert!(!code(text).any(|l| l.contains("crate::cli")), "{rel}");
        }
    }
}

#[test]
fn command_modules_use_each_other_one_way_only() {
    let cli = root().join("src/cli");
    let mut files = Vec::new();
    sources(&cli, &mut files, &cli);
    let commands = graph(&files, "super::", &["mod"]);
    assert!(
        commands.contains_key("scan"),
        "the command modules were read"
    );
    assert_eq!(
        cycle(&commands),
        None,
        "an import circle among the commands"
    );
    // A circle is found where there is one.
    let mut circular = commands.clone();
    circular
        .entry("exit".into())
        .or_default()
        .insert("scan".into());
    assert!(cycle(&circular).is_some());
}
