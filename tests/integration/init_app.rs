//! `rcdk init` end to end (init, build, synth, snapshot test), and the app cache: an
//! unchanged app runs without cargo; every kind of build input change rebuilds it.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn rcdk_in(dir: &Path, args: &[&str], envs: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rcdk"));
    cmd.args(args)
        .current_dir(dir)
        .env_remove("AWS_ENDPOINT_URL");
    for (k, v) in envs {
        cmd.env(k, v);
    }
    cmd.output().expect("rcdk runs")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Shared by the test's projects: the init app's dependencies build once per test run.
fn target_dir() -> PathBuf {
    crate::support::root().join("target/init-app")
}

struct Project {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
    cache: PathBuf,
}

impl Project {
    /// `rcdk synth -q` with a private app cache; `cargo` on PATH or not.
    fn synth(&self, with_cargo: bool, extra_env: &[(&str, &str)]) -> Output {
        let target = target_dir();
        let mut envs = vec![
            ("XDG_CACHE_HOME", self.cache.to_str().expect("utf-8")),
            ("CARGO_TARGET_DIR", target.to_str().expect("utf-8")),
        ];
        if !with_cargo {
            envs.push(("PATH", "/nonexistent"));
        }
        envs.extend_from_slice(extra_env);
        rcdk_in(&self.dir, &["synth", "-q"], &envs)
    }

    fn template(&self) -> String {
        fs::read_to_string(self.dir.join("cdk.out/dev-storage.template.json")).expect("template")
    }

    /// After a change, the cache must not claim the app is up to date: without cargo the
    /// synth fails for want of it; with cargo it rebuilds and succeeds.
    #[track_caller]
    fn rebuilds(&self, what: &str) {
        let out = self.synth(false, &[]);
        assert!(
            !out.status.success() && text(&out).contains("cannot start cargo"),
            "{what}: the cache called a changed app up to date:\n{}",
            text(&out)
        );
        let out = self.synth(true, &[]);
        assert!(out.status.success(), "{what}: {}", text(&out));
        let out = self.synth(false, &[]);
        assert!(
            out.status.success(),
            "{what}: not cached after the rebuild: {}",
            text(&out)
        );
    }
}

fn init() -> Project {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("demo");
    let cache = tmp.path().join("cache");
    let out = rcdk_in(
        tmp.path(),
        &[
            "init",
            "demo",
            "--rcdk-path",
            crate::support::root().to_str().expect("utf-8"),
        ],
        &[],
    );
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("Created the rcdk app 'demo'"),
        "{}",
        text(&out)
    );
    let again = rcdk_in(&dir, &["init"], &[]);
    assert_eq!(again.status.code(), Some(2));
    assert!(text(&again).contains("refusing to create a project in a folder that is not empty"));
    Project {
        _tmp: tmp,
        dir,
        cache,
    }
}

#[test]
fn an_init_app_builds_synthesizes_and_its_cache_never_goes_stale() {
    let p = init();
    let mut names: Vec<String> = walk(&p.dir);
    names.sort();
    assert_eq!(
        names,
        [
            ".gitignore",
            "Cargo.toml",
            "README.md",
            "cdk.json",
            "src/lib.rs",
            "src/main.rs",
            "tests/snapshot.rs"
        ]
    );
    // First synth builds the app; the template is the L2's encrypted, TLS-only bucket.
    let out = p.synth(true, &[]);
    assert!(out.status.success(), "{}", text(&out));
    let t = p.template();
    assert!(
        t.contains("\"Type\": \"AWS::S3::Bucket\"") && t.contains("aws:SecureTransport"),
        "{t}"
    );
    // Unchanged: the binary runs without cargo.
    let out = p.synth(false, &[]);
    assert!(
        out.status.success(),
        "an unchanged app needs no cargo: {}",
        text(&out)
    );

    // A source change.
    let lib = p.dir.join("src/lib.rs");
    let src = fs::read_to_string(&lib).expect("lib.rs");
    fs::write(&lib, src.replace("\"Assets\"", "\"Uploads\"")).expect("edit");
    p.rebuilds("an edited source file");
    assert!(
        p.template().contains("Uploads"),
        "the edit reached the template"
    );
    // The manifest, the lock file, cargo configuration and a toolchain pin.
    let manifest = p.dir.join("Cargo.toml");
    let m = fs::read_to_string(&manifest).expect("Cargo.toml");
    fs::write(&manifest, format!("{m}\n# edited\n")).expect("edit");
    p.rebuilds("an edited Cargo.toml");
    let lock = p.dir.join("Cargo.lock");
    let l = fs::read_to_string(&lock).expect("a lock file after the build");
    fs::write(&lock, format!("{l}\n")).expect("edit");
    p.rebuilds("an edited Cargo.lock");
    fs::create_dir_all(p.dir.join(".cargo")).expect("mkdir");
    fs::write(
        p.dir.join(".cargo/config.toml"),
        "[term]\nverbose = false\n",
    )
    .expect("write");
    p.rebuilds("a new .cargo/config.toml");
    // A path dependency's source.
    let helper = p.dir.join("helper");
    fs::create_dir_all(helper.join("src")).expect("mkdir");
    fs::write(
        helper.join("Cargo.toml"),
        "[package]\nname = \"helper\"\nversion = \"0.1.0\"\nedition = \"2024\"\n",
    )
    .expect("write");
    fs::write(
        helper.join("src/lib.rs"),
        "pub const BUCKET: &str = \"Shared\";\n",
    )
    .expect("write");
    let m = fs::read_to_string(&manifest).expect("Cargo.toml");
    fs::write(
        &manifest,
        m.replace(
            "[dev-dependencies]",
            "helper = { path = \"helper\" }\n\n[dev-dependencies]",
        ),
    )
    .expect("edit");
    let src = fs::read_to_string(&lib).expect("lib.rs");
    fs::write(&lib, src.replace("\"Uploads\"", "helper::BUCKET")).expect("edit");
    p.rebuilds("a new path dependency");
    fs::write(
        helper.join("src/lib.rs"),
        "pub const BUCKET: &str = \"Renamed\";\n",
    )
    .expect("write");
    p.rebuilds("an edited path dependency");
    assert!(
        p.template().contains("Renamed"),
        "the dependency's change reached the template"
    );
    // The environment that steers a build.
    let out = p.synth(false, &[("RUSTFLAGS", "-C debug-assertions")]);
    assert!(
        !out.status.success(),
        "RUSTFLAGS changed, yet the cache was used"
    );
    // The binary itself, rebuilt or removed behind rcdk's back.
    let record = fs::read_dir(p.cache.join("rcdk/apps"))
        .expect("cache")
        .next()
        .expect("a record")
        .expect("entry")
        .path();
    let exe: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(record).expect("read")).expect("json");
    fs::remove_file(exe["executable"].as_str().expect("path")).expect("remove the binary");
    p.rebuilds("a removed binary");

    // The generated snapshot test records, then passes, then fails on drift.
    let cargo_test = |envs: &[(&str, &str)]| {
        let mut cmd = Command::new("cargo");
        cmd.args(["test", "-q"])
            .current_dir(&p.dir)
            .env("CARGO_TARGET_DIR", target_dir());
        for (k, v) in envs {
            cmd.env(k, v);
        }
        cmd.output().expect("cargo test runs")
    };
    let out = cargo_test(&[("INSTA_UPDATE", "always")]);
    assert!(out.status.success(), "{}", text(&out));
    // Recorded by the test profile, synthesized by the unoptimized `app` profile: the
    // same bytes.
    let snap = fs::read_to_string(p.dir.join("snapshots/dev-storage.snap")).expect("snapshot");
    let body = snap.splitn(3, "---\n").nth(2).expect("insta's header");
    assert_eq!(
        body,
        p.template(),
        "the profiles synthesize different bytes"
    );
    let out = cargo_test(&[("CI", "true")]);
    assert!(out.status.success(), "{}", text(&out));
    // The golden files are where `rcdk diff --snapshots` looks, and the new app's
    // posture is enforced: the first hour's commands agree with each other.
    let target = target_dir();
    let envs = [
        ("XDG_CACHE_HOME", p.cache.to_str().expect("utf-8")),
        ("CARGO_TARGET_DIR", target.to_str().expect("utf-8")),
    ];
    let out = rcdk_in(
        &p.dir,
        &["diff", "--snapshots", "snapshots", "--fail"],
        &envs,
    );
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("There were no differences"),
        "{}",
        text(&out)
    );
    let out = rcdk_in(&p.dir, &["posture"], &envs);
    assert!(out.status.success(), "{}", text(&out));
    fs::write(
        helper.join("src/lib.rs"),
        "pub const BUCKET: &str = \"Drifted\";\n",
    )
    .expect("write");
    let out = cargo_test(&[("CI", "true"), ("INSTA_UPDATE", "no")]);
    assert!(
        !out.status.success(),
        "a drifted template must fail the snapshot test"
    );
}

fn walk(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for e in fs::read_dir(dir).expect("dir").flatten() {
        let path = e.path();
        if path.is_dir() {
            out.extend(
                walk(&path)
                    .into_iter()
                    .map(|n| format!("{}/{n}", e.file_name().to_string_lossy())),
            );
        } else {
            out.push(e.file_name().to_string_lossy().into_owned());
        }
    }
    out
}

#[test]
fn apps_compile_neither_the_aws_sdk_nor_tokio_nor_hyper() {
    for package in ["rcdk-apps", "rcdk-constructs", "rcdk-l1"] {
        let out = Command::new(env!("CARGO"))
            .args(["tree", "-p", package, "-e", "normal", "--prefix", "none"])
            .current_dir(crate::support::root())
            .output()
            .expect("cargo tree runs");
        assert!(out.status.success(), "{}", text(&out));
        let tree = String::from_utf8_lossy(&out.stdout);
        assert!(tree.contains("rcdk v"), "{tree}");
        for heavy in ["aws-sdk", "aws-config", "tokio", "hyper"] {
            assert!(
                !tree.lines().any(|l| l.starts_with(heavy)),
                "{package} depends on {heavy}:\n{tree}"
            );
        }
    }
}

/// Makes `rcdk init NAME` in `parent`.
fn init_named(parent: &Path, name: &str) -> PathBuf {
    let out = rcdk_in(
        parent,
        &[
            "init",
            name,
            "--rcdk-path",
            crate::support::root().to_str().expect("utf-8"),
        ],
        &[],
    );
    assert!(out.status.success(), "{}", text(&out));
    parent.join(name)
}

fn rlibs_of(deps: &Path, krate: &str) -> usize {
    fs::read_dir(deps)
        .map(|d| {
            d.flatten()
                .filter(|e| {
                    let n = e.file_name().to_string_lossy().into_owned();
                    n.starts_with(&format!("lib{krate}-")) && n.ends_with(".rlib")
                })
                .count()
        })
        .unwrap_or(0)
}

#[test]
fn apps_share_one_build_directory_per_toolchain_and_keep_their_own_binaries() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let cache = tmp.path().join("cache");
    let envs = [("XDG_CACHE_HOME", cache.to_str().expect("utf-8"))];
    let one = init_named(tmp.path(), "first-app");
    let two = init_named(tmp.path(), "second-app");
    let lib = two.join("src/lib.rs");
    let src = fs::read_to_string(&lib).expect("lib.rs");
    fs::write(&lib, src.replace("\"Assets\"", "\"Uploads\"")).expect("edit");
    for app in [&one, &two] {
        let out = rcdk_in(app, &["synth", "-q"], &envs);
        assert!(out.status.success(), "{}", text(&out));
    }
    let template = |app: &Path| {
        fs::read_to_string(app.join("cdk.out/dev-storage.template.json")).expect("template")
    };
    assert!(template(&one).contains("\"Assets"), "{}", template(&one));
    assert!(template(&two).contains("\"Uploads"), "{}", template(&two));
    // One toolchain folder; the dependencies in it once, both apps' own crates beside them.
    let toolchains: Vec<PathBuf> = fs::read_dir(cache.join("rcdk/build"))
        .expect("the shared build directory")
        .flatten()
        .map(|e| e.path())
        .collect();
    assert_eq!(toolchains.len(), 1, "{toolchains:?}");
    let deps = toolchains[0].join("0/app/deps");
    assert_eq!(rlibs_of(&deps, "rcdk_constructs"), 1, "built once, shared");
    assert_eq!(rlibs_of(&deps, "first_app"), 1);
    assert_eq!(rlibs_of(&deps, "second_app"), 1);

    // A copy of the first app at another path (a clone, a worktree) whose edited source is
    // older than the first app's build: cargo keys the app's artifacts by its path inside
    // its workspace and calls them fresh by mtime, so in a shared folder the copy would run
    // the first app's binary. It builds in a slot of its own and synthesizes its own stack.
    let copy = tmp.path().join("copies/first-app");
    for file in [
        "Cargo.toml",
        "Cargo.lock",
        "cdk.json",
        "src/lib.rs",
        "src/main.rs",
    ] {
        fs::create_dir_all(copy.join(file).parent().expect("parent")).expect("mkdir");
        let text = fs::read_to_string(one.join(file)).expect("read");
        let text = match file {
            "src/lib.rs" => text.replace("\"Assets\"", "\"Copied\""),
            _ => text,
        };
        fs::write(copy.join(file), text).expect("write");
        let mtime = fs::metadata(one.join(file))
            .and_then(|m| m.modified())
            .expect("mtime");
        fs::File::options()
            .write(true)
            .open(copy.join(file))
            .and_then(|f| f.set_modified(mtime))
            .expect("keep the original's mtime");
    }
    let out = rcdk_in(&copy, &["synth", "-q"], &envs);
    assert!(out.status.success(), "{}", text(&out));
    assert!(template(&copy).contains("\"Copied"), "{}", template(&copy));
    assert!(template(&one).contains("\"Assets"), "{}", template(&one));
    assert_eq!(rlibs_of(&toolchains[0].join("1/app/deps"), "first_app"), 1);
    assert_eq!(
        rlibs_of(&deps, "first_app"),
        1,
        "slot 0 keeps the original's"
    );
    // Each binary stays in its own project, where cargo's dep-info is read from.
    assert!(one.join("target/app/first-app").is_file());
    assert!(two.join("target/app/second-app").is_file());
    assert!(
        !one.join("target/app/deps").exists(),
        "no intermediate artifacts"
    );

    let out = rcdk_in(&one, &["doctor", "--offline"], &envs);
    let report = text(&out);
    assert!(
        report.contains(&format!("build cache          {}", toolchains[0].display()))
            && report.contains("shared by every app rcdk builds")
            && report.contains("this app builds in slot 0 of 2"),
        "{report}"
    );
    // A build directory of the user's own is left alone.
    let own = tmp.path().join("own-build-dir");
    let src = fs::read_to_string(&lib).expect("lib.rs");
    fs::write(&lib, src.replace("\"Uploads\"", "\"Downloads\"")).expect("edit");
    let mut with_own = envs.to_vec();
    with_own.push(("CARGO_BUILD_BUILD_DIR", own.to_str().expect("utf-8")));
    let out = rcdk_in(&two, &["synth", "-q"], &with_own);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(rlibs_of(&own.join("app/deps"), "second_app"), 1);
    assert_eq!(
        rlibs_of(&deps, "second_app"),
        1,
        "the shared folder untouched"
    );
    assert!(template(&two).contains("\"Downloads"));
}

#[test]
fn doctor_cleans_the_shared_build_directory() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let folder = tmp.path().join("rcdk/build/1.0.0-abc-host/app/deps");
    fs::create_dir_all(&folder).expect("mkdir");
    fs::write(folder.join("libx-1.rlib"), vec![0u8; 2 * 1024 * 1024]).expect("write");
    let envs = [("XDG_CACHE_HOME", tmp.path().to_str().expect("utf-8"))];
    let out = rcdk_in(tmp.path(), &["doctor", "--offline"], &envs);
    assert!(
        text(&out).contains("1 other toolchain folder(s) hold 2.0 MiB"),
        "{}",
        text(&out)
    );
    let out = rcdk_in(
        tmp.path(),
        &["doctor", "--offline", "--clean-build-cache"],
        &envs,
    );
    assert!(
        text(&out).contains("Removed the shared build directory (2.0 MiB)."),
        "{}",
        text(&out)
    );
    assert!(!tmp.path().join("rcdk/build").exists());
}
