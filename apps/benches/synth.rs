//! `cargo bench -p rcdk-apps`: synthesis time and peak memory of the reference app.
//!
//! Reports, for all environments of the app: in-process build + synth (median and
//! p95 over many runs), and the release app binary as the CLI runs it (wall time
//! median, peak resident memory). Numbers are printed, never asserted.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort();
    let i = ((samples.len() as f64 - 1.0) * p).round() as usize;
    samples[i]
}

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1000.0)
}

fn in_process(out: &Path, runs: usize) -> (Vec<Duration>, Vec<Duration>, usize) {
    let (mut synth, mut write) = (Vec::with_capacity(runs), Vec::with_capacity(runs));
    let mut stacks = 0;
    for _ in 0..runs {
        let start = Instant::now();
        let app = rcdk::App::with_context(Default::default(), out);
        if let Err(e) = rcdk_apps::build(&app) {
            panic!("reference app: {e}");
        }
        let assembly = app.synthesize().unwrap_or_else(|e| panic!("{e}"));
        synth.push(start.elapsed());
        assembly.write(out).unwrap_or_else(|e| panic!("{e}"));
        write.push(start.elapsed());
        stacks = assembly.stacks.len();
    }
    (synth, write, stacks)
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

fn main() {
    let dir = std::env::temp_dir().join(format!("rcdk-bench-{}", std::process::id()));
    let out = dir.join("cdk.out");
    let runs = 300;
    in_process(&out, 20); // warm-up
    let (mut synth, mut write, stacks) = in_process(&out, runs);
    println!("reference app, {stacks} stacks, in process ({runs} runs):");
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

    let binary = env!("CARGO_BIN_EXE_reference-app");
    let mut wall = Vec::new();
    for _ in 0..50 {
        let start = Instant::now();
        let status = Command::new(binary)
            .env("CDK_OUTDIR", &out)
            .env("CDK_CONTEXT_JSON", r#"{"env":"all"}"#)
            .status()
            .unwrap_or_else(|e| panic!("cannot run {binary}: {e}"));
        wall.push(start.elapsed());
        assert!(status.success(), "reference-app failed");
    }
    println!("release app binary as `rcdk synth` runs it (50 runs):");
    println!(
        "  wall: median {}  p95 {}",
        ms(percentile(&mut wall, 0.5)),
        ms(percentile(&mut wall, 0.95))
    );
    println!(
        "  peak memory: {:.1} MiB",
        children_max_rss_kib() as f64 / 1024.0
    );
    let _ = std::fs::remove_dir_all(&dir);
}
