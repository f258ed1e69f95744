//! The Rust core, natively (no WebAssembly, no JS): prepare_initiate on the three reference
//! inputs, sign, verify a callback, and read a status answer. Run by `make bench` (via bench/run.mjs), or alone:
//! `cargo bench --bench core`. The inputs are the checked-in files of bench/inputs/.
//! Natively the core is built with the `bench` profile (inherits `release`), so the figures
//! move with the same optimization settings as the server `.wasm`.
use std::time::Duration;

use coinbar_pay::api::{Call, Config};
use coinbar_pay::client::Client;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

const CLIENT_ID: &str = "c0ffee00-0000-4000-8000-000000000001";
const SECRET: &[u8] = b"sandbox-secret-do-not-use-in-production";
const INPUTS: [(&str, &str); 3] = [
    ("initiate-2", include_str!("../bench/inputs/initiate-2.json")),
    ("initiate-3", include_str!("../bench/inputs/initiate-3.json")),
    ("initiate-50", include_str!("../bench/inputs/initiate-50.json")),
];
const CALLBACK: &[u8] = include_bytes!("../bench/inputs/callback.json");
const NOW_MS: u64 = 1_715_430_961_064;

fn client() -> Client {
    let config = Config::new(&coinbar_pay::api::Settings {
        service_client_id: Some(CLIENT_ID),
        base_url: Some("http://127.0.0.1:8790/coinbar/api/v2"),
        ..Default::default()
    })
    .expect("config");
    Client::new(config, SECRET).expect("client")
}

/// The input as the JS shell hands it to the core: `JSON.stringify(input)`, no whitespace.
fn minified(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    let (mut in_string, mut escaped) = (false, false);
    for ch in json.chars() {
        if in_string {
            in_string = escaped || ch != '"';
            escaped = !escaped && ch == '\\';
        } else if ch == '"' {
            in_string = true;
        } else if ch.is_ascii_whitespace() {
            continue;
        }
        out.push(ch);
    }
    out
}

fn prepare(c: &mut Criterion) {
    let client = client();
    let mut group = c.benchmark_group("prepare_initiate");
    for (name, input) in INPUTS {
        let input = minified(input);
        group.throughput(Throughput::Bytes(input.len() as u64));
        group.bench_with_input(BenchmarkId::from_parameter(name), input.as_str(), |b, input| {
            b.iter(|| client.prepare_initiate(std::hint::black_box(input), NOW_MS).expect("valid input"))
        });
    }
    group.finish();
}

fn sign(c: &mut Criterion) {
    let client = client();
    let mut group = c.benchmark_group("sign");
    for (name, input) in INPUTS {
        let body = client.prepare_initiate(&minified(input), NOW_MS).expect("valid input").body.expect("a body");
        group.throughput(Throughput::Bytes(body.len() as u64));
        group.bench_with_input(BenchmarkId::from_parameter(name), body.as_bytes(), |b, body| {
            b.iter(|| client.signer().sign_hex(std::hint::black_box(body)))
        });
    }
    group.finish();
}

fn verify(c: &mut Criterion) {
    let client = client();
    let signature = client.signer().sign_hex(CALLBACK);
    let mut group = c.benchmark_group("verify_callback");
    group.throughput(Throughput::Bytes(CALLBACK.len() as u64));
    group.bench_function("callback", |b| {
        b.iter(|| {
            client
                .verify_callback(std::hint::black_box(CALLBACK), Some(CLIENT_ID), Some(&signature))
                .expect("genuine callback")
        })
    });
    // The JS path: the event written as the JSON handed to JS (`verifyCallback`).
    group.bench_function("callback_json", |b| {
        b.iter(|| {
            client
                .verify_callback_json(std::hint::black_box(CALLBACK), Some(CLIENT_ID), Some(&signature))
                .expect("genuine callback")
        })
    });
    group.finish();
}

fn answer(c: &mut Criterion) {
    let client = client();
    let mut group = c.benchmark_group("read_answer");
    // The callback body is a status answer too (its customer and products are not read).
    let body = std::str::from_utf8(CALLBACK).expect("UTF-8");
    group.throughput(Throughput::Bytes(body.len() as u64));
    group.bench_function("status_json", |b| {
        b.iter(|| client.answer_json(Call::Status, 200, std::hint::black_box(body)).expect("a status answer"))
    });
    group.finish();
}

fn config() -> Criterion {
    // Short, bounded runs: `make bench` must stay within a few minutes on 2 cores.
    Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(50)
        .without_plots()
}

criterion_group! {
    name = benches;
    config = config();
    targets = prepare, sign, verify, answer
}
criterion_main!(benches);
