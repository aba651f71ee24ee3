//! Throughput of the screening pipeline over the bundled sample: normalisation alone, the rules
//! pipeline (normalise + extract + detect + rules + score), and the whole pipeline with the
//! classifier, in bytes and adverts per second; and, in the group `stages`, the main stages one
//! by one on fields normalised beforehand, to show where the time of the pipeline goes.

use std::hint::black_box;

use adscreen::advert::{Advert, Field, Lang};
use adscreen::classify::Model;
use adscreen::engine::Engine;
use adscreen::extract::{Extractor, Scan};
use adscreen::ingest::{self, Format};
use adscreen::rules::RuleSet;
use adscreen::score::Thresholds;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

fn sample() -> Vec<Advert> {
    let text = include_str!("../corpus/sample.jsonl");
    let mut adverts = Vec::new();
    ingest::read(text.as_bytes(), Format::Ndjson, "sample", |r| {
        adverts.push(r.expect("sample records are valid"));
    })
    .expect("sample reads");
    adverts
}

fn bytes(adverts: &[Advert]) -> u64 {
    adverts
        .iter()
        .map(|a| (a.title.len() + a.text.len()) as u64)
        .sum()
}

fn pipeline(c: &mut Criterion) {
    let adverts = sample();
    let engine = Engine::new(
        RuleSet::bundled().expect("bundled rules compile"),
        Thresholds::default(),
    );
    let mut group = c.benchmark_group("pipeline");

    group.throughput(Throughput::Bytes(bytes(&adverts)));
    group.bench_function("normalise", |b| {
        b.iter(|| {
            let mut n = 0;
            for a in &adverts {
                n += Scan::new(adscreen::advert::Field::Title, black_box(&a.title))
                    .words
                    .as_str()
                    .len();
                n += Scan::new(adscreen::advert::Field::Text, black_box(&a.text))
                    .words
                    .as_str()
                    .len();
            }
            assert!(n > 0);
            n
        })
    });
    group.bench_function("screen_bytes", |b| {
        b.iter(|| {
            let flagged = adverts
                .iter()
                .filter(|a| engine.screen(black_box(a)).flagged)
                .count();
            assert!(flagged > 0 && flagged < adverts.len());
            flagged
        })
    });

    let with_model = Engine::new(
        RuleSet::bundled().expect("bundled rules compile"),
        Thresholds::default(),
    )
    .with_model(Model::bundled().expect("bundled model loads"));
    group.bench_function("screen_with_classifier_bytes", |b| {
        b.iter(|| {
            let flagged = adverts
                .iter()
                .filter(|a| with_model.screen(black_box(a)).flagged)
                .count();
            assert!(flagged > 0 && flagged < adverts.len());
            flagged
        })
    });

    group.throughput(Throughput::Elements(adverts.len() as u64));
    group.bench_function("screen_adverts", |b| {
        b.iter(|| {
            let flagged = adverts
                .iter()
                .filter(|a| engine.screen(black_box(a)).flagged)
                .count();
            assert!(flagged > 0);
            flagged
        })
    });
    group.finish();
}

/// The stages one by one, each on the normalised fields of the whole sample.
fn stages(c: &mut Criterion) {
    let adverts = sample();
    let rules = RuleSet::bundled().expect("bundled rules compile");
    let scans: Vec<[Scan<'_>; 2]> = adverts
        .iter()
        .map(|a| {
            [
                Scan::new(Field::Title, &a.title),
                Scan::new(Field::Text, &a.text),
            ]
        })
        .collect();
    let mut group = c.benchmark_group("stages");
    group.throughput(Throughput::Bytes(bytes(&adverts)));
    // The one automaton pass per field and what the regex stage needs from it.
    group.bench_function("automaton_pass", |b| {
        b.iter(|| {
            scans
                .iter()
                .map(|s| rules.passes(black_box(s)).len())
                .sum::<usize>()
        })
    });
    // Extraction, with the extractors' own word-list pass (in the pipeline the automaton pass
    // finds those words).
    let extractor = Extractor::new();
    group.bench_function("extract", |b| {
        b.iter(|| {
            scans
                .iter()
                .map(|s| {
                    extractor
                        .extract(black_box(s), rules.market(), Lang::Lv)
                        .phones
                        .len()
                })
                .sum::<usize>()
        })
    });
    // The classifier alone, on the rules' reports.
    let engine = Engine::new(rules.clone(), Thresholds::default());
    let model = Model::bundled().expect("bundled model loads");
    let reports: Vec<_> = adverts.iter().map(|a| engine.screen(a)).collect();
    let combinations: Vec<_> = reports.iter().map(|r| engine.combination(r)).collect();
    group.bench_function("classifier", |b| {
        b.iter(|| {
            let mut sum = 0.0;
            for (report, combination) in reports.iter().zip(&combinations) {
                sum += model.predict(black_box(report), combination).probability;
            }
            sum
        })
    });
    group.finish();
}

criterion_group!(benches, pipeline, stages);
criterion_main!(benches);
