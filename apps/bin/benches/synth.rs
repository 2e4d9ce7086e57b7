//! `cargo bench -p rcdk-apps-bin`: synthesis time and peak memory of the reference app.
//!
//! Reports, for the 15 stacks of the app: in-process build + synth (median and p95
//! over many runs), and the release app binary as the CLI runs it (wall time median,
//! peak resident memory); then the same with 10, 50, 200 and 1000 extra worker services
//! per environment.
//! Numbers are printed, never asserted.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort();
    let i = ((samples.len() as f64 - 1.0) * p).round() as usize;
    samples[i]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn context(workers: u32) -> String {
    format!(r#"{{"env":"all","workers":{workers}}}"#)
}

fn in_process(
    out: &Path,
    workers: u32,
    runs: usize,
) -> (Vec<Duration>, Vec<Duration>, usize, usize) {
    let (mut synth, mut write) = (Vec::with_capacity(runs), Vec::with_capacity(runs));
    let (mut stacks, mut resources) = (0, 0);
    for _ in 0..runs {
        let start = Instant::now();
        let app = rcdk::App::with_context(Default::default(), out);
        app.set_context("workers", workers.into());
        if let Err(e) = rcdk_apps::build(&app) {
            panic!("reference app: {e}");
        }
        let assembly = app.synthesize().unwrap_or_else(|e| panic!("{e}"));
        synth.push(start.elapsed());
        assembly.write(out).unwrap_or_else(|e| panic!("{e}"));
        write.push(start.elapsed());
        stacks = assembly.stacks.len();
        resources = assembly.stacks.iter().map(|s| s.resource_count()).sum();
    }
    (synth, write, stacks, resources)
}

/// Peak resident set of the largest child so far, in KiB.
fn children_max_rss_kib() -> i64 {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage fills the struct it is given; RUSAGE_CHILDREN is always valid.
    let usage = unsafe {
        libc::getrusage(libc::RUSAGE_CHILDREN, usage.as_mut_ptr());
        usage.assume_init()
    };
    usage.ru_maxrss
}

/// Runs the release app binary `runs` times; prints `median_ms peak_kib`. Runs in a
/// child of the bench so that the peak is this configuration's alone.
fn measure_binary(out: &Path, workers: u32, runs: usize) {
    let binary = env!("CARGO_BIN_EXE_reference-app");
    let mut wall = Vec::new();
    for _ in 0..runs {
        let start = Instant::now();
        let status = Command::new(binary)
            .env("CDK_OUTDIR", out)
            .env("CDK_CONTEXT_JSON", context(workers))
            .status()
            .unwrap_or_else(|e| panic!("cannot run {binary}: {e}"));
        wall.push(start.elapsed());
        assert!(status.success(), "reference-app failed");
    }
    println!(
        "{} {}",
        percentile(&mut wall, 0.5).as_secs_f64() * 1000.0,
        children_max_rss_kib()
    );
}

fn binary_in_child(out: &Path, workers: u32, runs: usize) -> (f64, f64) {
    let me = std::env::current_exe().unwrap_or_else(|e| panic!("{e}"));
    let output = Command::new(me)
        .args(["--measure-binary", &workers.to_string(), &runs.to_string()])
        .env("RCDK_BENCH_OUT", out)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let text = String::from_utf8_lossy(&output.stdout);
    let mut parts = text
        .split_whitespace()
        .map(|p| p.parse::<f64>().unwrap_or(f64::NAN));
    (
        parts.next().unwrap_or(f64::NAN),
        parts.next().unwrap_or(f64::NAN) / 1024.0,
    )
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--measure-binary") {
        let workers = args.get(i + 1).and_then(|a| a.parse().ok()).unwrap_or(0);
        let runs = args.get(i + 2).and_then(|a| a.parse().ok()).unwrap_or(20);
        let out = std::env::var_os("RCDK_BENCH_OUT").unwrap_or_default();
        measure_binary(Path::new(&out), workers, runs);
        return;
    }
    let dir = std::env::temp_dir().join(format!("rcdk-bench-{}", std::process::id()));
    let out = dir.join("cdk.out");
    in_process(&out, 0, 10); // warm-up
    let runs = 100;
    let (mut synth, mut write, stacks, resources) = in_process(&out, 0, runs);
    println!("reference app, {stacks} stacks, {resources} resources, in process ({runs} runs):");
    println!(
        "  build + synthesize:         median {}  p95 {}",
        ms(percentile(&mut synth, 0.5)),
        ms(percentile(&mut synth, 0.95))
    );
    println!(
        "  build + synthesize + write: median {}  p95 {}",
        ms(percentile(&mut write, 0.5)),
        ms(percentile(&mut write, 0.95))
    );
    let (wall, peak) = binary_in_child(&out, 0, 50);
    println!(
        "release app binary as `rcdk synth` runs it (50 runs): wall median {wall:.2} ms, peak memory {peak:.1} MiB"
    );

    println!("scale: extra worker services per environment (× 4 environments)");
    println!(
        "  {:>8} {:>7} {:>10} {:>16} {:>14} {:>12}",
        "workers", "stacks", "resources", "in-process p50", "binary p50", "peak MiB"
    );
    // 1000 workers per environment: the scale the placement and limits are tested at.
    for (workers, runs) in [(10u32, 10), (50, 10), (200, 5), (1000, 3)] {
        let (mut synth, _, stacks, resources) = in_process(&out, workers, runs);
        let (wall, peak) = binary_in_child(&out, workers, runs);
        println!(
            "  {workers:>8} {stacks:>7} {resources:>10} {:>16} {wall:>11.2} ms {peak:>12.1}",
            ms(percentile(&mut synth, 0.5))
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
