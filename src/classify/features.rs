//! Features for the classifier: word uni- and bi-grams and character 3-5-grams of the normalised
//! words view (language independent, robust to spelling and inflection), plus the rule hits and
//! extracted facts of the screening report. N-grams are identified by a 64-bit FNV-1a hash of
//! their kind and text, so scoring needs no string allocation.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::report::Report;

/// Which n-grams are features.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeatureConfig {
    /// Longest word n-gram (1 = unigrams only).
    pub max_word_ngram: usize,
    /// Shortest character n-gram.
    pub min_char_ngram: usize,
    /// Longest character n-gram.
    pub max_char_ngram: usize,
    /// How many n-grams the vocabulary keeps (the most informative on the training split).
    pub vocabulary_size: usize,
    /// Fewest training documents an n-gram must occur in to be considered.
    pub min_document_frequency: usize,
}

impl Default for FeatureConfig {
    fn default() -> Self {
        FeatureConfig {
            max_word_ngram: 2,
            min_char_ngram: 3,
            max_char_ngram: 5,
            vocabulary_size: 4000,
            min_document_frequency: 3,
        }
    }
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

fn fnv(mut h: u64, bytes: &[u8]) -> u64 {
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(FNV_PRIME);
    }
    h
}

/// The hash of an n-gram as written in a model's vocabulary ("w:darbs arzemes", "c:arz").
pub fn ngram_hash(ngram: &str) -> u64 {
    fnv(FNV_OFFSET, ngram.as_bytes())
}

/// Calls `f(hash, text)` for every n-gram occurrence of a normalised text (repeats included);
/// `text` is the n-gram as it would be written in a vocabulary ("w:..." or "c:...").
pub fn for_each_ngram(
    words: &str,
    config: &FeatureConfig,
    mut f: impl FnMut(u64, &dyn Fn() -> String),
) {
    let tokens: Vec<&str> = words
        .split(|c: char| !crate::normalise::is_word_char(c))
        .filter(|t| !t.is_empty())
        .collect();
    // Word n-grams. FNV-1a runs byte by byte, so an n-gram's hash continues the hash of the
    // (n-1)-gram it starts with: each token's unigram hash starts its longer n-grams.
    let w_prefix = fnv(FNV_OFFSET, b"w:");
    for (i, t) in tokens.iter().enumerate() {
        let mut h = fnv(w_prefix, t.as_bytes());
        let longest = config.max_word_ngram.min(tokens.len() - i);
        for n in 1..=longest {
            if n > 1 {
                h = fnv(fnv(h, b" "), tokens[i + n - 1].as_bytes());
            }
            f(h, &|| format!("w:{}", tokens[i..i + n].join(" ")));
        }
    }
    // Character n-grams inside words padded with spaces (" darbs ").
    let mut padded = String::new();
    let mut bounds: Vec<usize> = Vec::new();
    let c_prefix = fnv(FNV_OFFSET, b"c:");
    for t in &tokens {
        padded.clear();
        padded.push(' ');
        padded.push_str(t);
        padded.push(' ');
        let bytes = padded.as_bytes();
        if t.is_ascii() {
            // A character is a byte: no boundaries to look up.
            for start in 0..bytes.len() {
                let mut h = c_prefix;
                let longest = config.max_char_ngram.min(bytes.len() - start);
                for end in start + 1..=start + longest {
                    h = fnv(h, &bytes[end - 1..end]);
                    if end - start >= config.min_char_ngram {
                        let piece = &padded[start..end];
                        f(h, &|| format!("c:{piece}"));
                    }
                }
            }
            continue;
        }
        bounds.clear();
        bounds.extend(padded.char_indices().map(|(i, _)| i));
        bounds.push(padded.len());
        let chars = bounds.len() - 1;
        // Each start is hashed once, up to the longest n-gram.
        for start in 0..chars {
            let mut h = c_prefix;
            let longest = config.max_char_ngram.min(chars - start);
            for end in start + 1..=start + longest {
                h = fnv(h, &bytes[bounds[end - 1]..bounds[end]]);
                if end - start >= config.min_char_ngram {
                    let piece = &padded[bounds[start]..bounds[end]];
                    f(h, &|| format!("c:{piece}"));
                }
            }
        }
    }
}

/// The distinct n-gram hashes of a text (binary presence), with their text when `names` is given.
pub fn ngram_set(
    words: &str,
    config: &FeatureConfig,
    mut names: Option<&mut HashMap<u64, String>>,
) -> Vec<u64> {
    let mut set = Vec::new();
    for_each_ngram(words, config, |h, name| {
        set.push(h);
        if let Some(map) = names.as_deref_mut() {
            map.entry(h).or_insert_with(name);
        }
    });
    set.sort_unstable();
    set.dedup();
    set
}

/// The names of the report features, in a fixed order.
pub fn report_feature_names(indicators: &[String]) -> Vec<String> {
    let mut names: Vec<String> = indicators.iter().map(|i| format!("r:{i}")).collect();
    names.extend(FACTS.iter().map(|f| format!("f:{f}")));
    names
}

const FACTS: &[&str] = &[
    "phone",
    "foreign_phone",
    "messenger",
    "free_webmail",
    "company_contact",
    "employer",
    "registration_number",
    "licence_number",
    "abroad",
    "pay",
    "age_demand",
    "female_demand",
    "appearance",
];

/// Report features: per indicator the largest weight among its reasons divided by 50 (negative
/// for mitigating indicators), then facts as 0 or 1.
pub fn report_features(report: &Report, indicators: &[String]) -> Vec<f64> {
    let mut v: Vec<f64> = indicators
        .iter()
        .map(|id| {
            report
                .reasons
                .iter()
                .filter(|r| &r.indicator == id)
                .map(|r| f64::from(r.weight) / 50.0)
                .fold(0.0, |a: f64, w| if w.abs() > a.abs() { w } else { a })
        })
        .collect();
    let e = &report.entities;
    let facts = [
        !e.phones.is_empty(),
        e.phones
            .iter()
            .any(|p| p.value.country.as_deref() != Some("LV")),
        !e.messengers.is_empty(),
        e.emails.iter().any(|m| m.value.free_webmail),
        e.company_contact().is_some(),
        !e.employers.is_empty(),
        !e.registration_numbers.is_empty(),
        !e.licence_numbers.is_empty(),
        e.abroad(),
        !e.pay.is_empty(),
        !e.ages.is_empty(),
        e.single_gender()
            .is_some_and(|g| g.value.gender == crate::extract::Gender::Female),
        !e.appearance.is_empty(),
    ];
    debug_assert_eq!(facts.len(), FACTS.len());
    v.extend(facts.iter().map(|&b| if b { 1.0 } else { 0.0 }));
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_and_char_ngrams() {
        let mut names = HashMap::new();
        let set = ngram_set("darbs arzemes", &FeatureConfig::default(), Some(&mut names));
        let mut all: Vec<&String> = names.values().collect();
        all.sort();
        assert!(all.contains(&&"w:darbs".to_string()));
        assert!(all.contains(&&"w:darbs arzemes".to_string()));
        assert!(all.contains(&&"c: da".to_string()));
        assert!(all.contains(&&"c:rbs ".to_string()));
        assert_eq!(set.len(), names.len());
        assert!(set.contains(&ngram_hash("w:darbs arzemes")));
    }

    #[test]
    fn every_ngram_hash_is_the_hash_of_its_text() {
        let other = FeatureConfig {
            max_word_ngram: 3,
            min_char_ngram: 2,
            max_char_ngram: 4,
            ..FeatureConfig::default()
        };
        let texts = ["darbs arzemes", "работа в германии", "a ab abc", "ž 🙂 ok"];
        for (config, text) in [FeatureConfig::default(), other]
            .into_iter()
            .flat_map(|c| texts.map(|t| (c, t)))
        {
            let (mut chars, mut words) = (0, 0);
            for_each_ngram(text, &config, |h, name| {
                let name = name();
                assert_eq!(h, ngram_hash(&name), "{name}");
                chars += usize::from(name.starts_with("c:"));
                words += usize::from(name.starts_with("w:"));
            });
            let tokens: Vec<&str> = text
                .split(|c: char| !crate::normalise::is_word_char(c))
                .filter(|t| !t.is_empty())
                .collect();
            // Every run of 1 to max_word_ngram tokens.
            let expected_words: usize = (1..=config.max_word_ngram)
                .map(|n| (tokens.len() + 1).saturating_sub(n))
                .sum();
            assert_eq!(words, expected_words, "{text}");
            // Every piece of min_char_ngram to max_char_ngram characters of each word padded
            // with spaces.
            let expected: usize = tokens
                .iter()
                .map(|t| {
                    let n = t.chars().count() + 2;
                    (config.min_char_ngram..=config.max_char_ngram)
                        .map(|k| (n + 1).saturating_sub(k))
                        .sum::<usize>()
                })
                .sum();
            assert_eq!(chars, expected, "{text}");
        }
    }

    #[test]
    fn cyrillic_char_ngrams_stay_on_char_boundaries() {
        let mut names = HashMap::new();
        ngram_set("работа", &FeatureConfig::default(), Some(&mut names));
        assert!(names.values().any(|n| n == "c: ра"));
    }
}
