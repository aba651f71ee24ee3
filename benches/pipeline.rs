//! Throughput of the screening pipeline over the bundled sample: normalisation alone, the rules
//! pipeline (normalise + extract + detect + rules + score), and the whole pipeline with the
//! classifier, in bytes and adverts per second.

use std::hint::black_box;

use adscreen::advert::Advert;
use adscreen::classify::Model;
use adscreen::engine::Engine;
use adscreen::extract::Scan;
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

criterion_group!(benches, pipeline);
criterion_main!(benches);
