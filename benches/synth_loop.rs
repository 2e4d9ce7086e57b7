//! The developer loop as a user feels it, `rcdk synth` as a process, end to end:
//! `cargo bench --bench synth_loop` prints medians of
//! 1. `rcdk synth` of the unchanged reference app (wall time and peak memory),
//! 2. a one-line edit in a stack (`apps/src/stacks/web.rs`), then `rcdk synth`,
//! 3. the first `rcdk synth` of a project made by `rcdk init`, with an empty user cache,
//! 4. the first `rcdk synth` of a second `rcdk init` project (the shared build directory),
//! 5. a one-line edit in the first project, then `rcdk synth`.
//!
//! Numbers only, never assertions: timing depends on the machine.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

const RCDK: &str = env!("CARGO_BIN_EXE_rcdk");

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

/// Runs one command; returns its wall time and the peak RSS (KiB) of it and its children.
fn run(dir: &Path, args: &[&str], envs: &[(&str, &str)]) -> (Duration, i64) {
    let start = Instant::now();
    let mut cmd = Command::new(RCDK);
    cmd.args(args).current_dir(dir);
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("rcdk starts");
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: wait4 fills the status and the rusage of the child it reaps.
    let reaped = unsafe { libc::wait4(pid, &mut status, 0, usage.as_mut_ptr()) };
    let elapsed = start.elapsed();
    assert_eq!(reaped, pid, "wait4");
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "rcdk {args:?} failed"
    );
    // The process is reaped; tell the handle so it does not wait again.
    let _ = child.try_wait();
    // SAFETY: wait4 succeeded, so the struct is initialized.
    let rss = unsafe { usage.assume_init() }.ru_maxrss;
    (elapsed, rss)
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let synth = ["synth", "-q"];
    // Warm: the app is built and cached.
    run(root, &synth, &[]);
    let mut walls = Vec::new();
    let mut peak = 0;
    for _ in 0..21 {
        let (wall, rss) = run(root, &synth, &[]);
        walls.push(wall);
        peak = peak.max(rss);
    }
    println!(
        "unchanged app:        rcdk synth  median {:>7.1} ms   peak {:>5.1} MiB  (21 runs)",
        median(walls).as_secs_f64() * 1e3,
        peak as f64 / 1024.0
    );

    let web = root.join("apps/src/stacks/web.rs");
    let original = std::fs::read_to_string(&web).expect("web.rs");
    let needle = "(\"DB_NAME\".to_owned(), \"app\".into())";
    assert!(
        original.contains(needle),
        "the edited line moved; update the bench"
    );
    let mut walls = Vec::new();
    for i in 0..7 {
        let edited = original.replace(
            needle,
            &format!("(\"DB_NAME\".to_owned(), \"app{i}\".into())"),
        );
        std::fs::write(&web, edited).expect("edit");
        walls.push(run(root, &synth, &[]).0);
    }
    std::fs::write(&web, &original).expect("restore web.rs");
    run(root, &synth, &[]);
    println!(
        "one-line edit:        rcdk synth  median {:>7.1} ms  (7 edits of apps/src/stacks/web.rs)",
        median(walls).as_secs_f64() * 1e3
    );

    // New apps as a user makes them, with an empty user cache: the first app builds its
    // dependencies into rcdk's shared build directory, the second reuses them.
    let tmp = tempfile::tempdir().expect("tempdir");
    let cache = tmp.path().join("cache");
    let envs = [("XDG_CACHE_HOME", cache.to_str().expect("utf-8"))];
    run(tmp.path(), &["init", "first-app"], &[]);
    run(tmp.path(), &["init", "second-app"], &[]);
    let first = tmp.path().join("first-app");
    let (wall, rss) = run(&first, &synth, &envs);
    println!(
        "first synth, init app: rcdk synth {:>7.1} s    peak {:>5.1} MiB  (empty cache)",
        wall.as_secs_f64(),
        rss as f64 / 1024.0
    );
    let second = tmp.path().join("second-app");
    let lib = second.join("src/lib.rs");
    let source = std::fs::read_to_string(&lib).expect("lib.rs");
    std::fs::write(&lib, source.replace("\"Assets\"", "\"Uploads\"")).expect("edit");
    let (wall, _) = run(&second, &synth, &envs);
    println!(
        "first synth, 2nd app:  rcdk synth {:>7.1} s             (another init app, same cache)",
        wall.as_secs_f64()
    );
    let lib = first.join("src/lib.rs");
    let source = std::fs::read_to_string(&lib).expect("lib.rs");
    let mut walls = Vec::new();
    for i in 0..9 {
        let edited = source.replace("\"Assets\"", &format!("\"Assets{i}\""));
        std::fs::write(&lib, edited).expect("edit");
        walls.push(run(&first, &synth, &envs).0);
    }
    println!(
        "one-line edit, init:   rcdk synth {:>7.1} ms  (9 edits of src/lib.rs)",
        median(walls).as_secs_f64() * 1e3
    );
}
