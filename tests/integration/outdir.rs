//! rcdk replaces only what it wrote: `-o` (library and CLI) and `--outputs-file` at a
//! source folder, a file, a folder with one foreign file, a previous assembly, a missing path.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use crate::fixtures;

/// Every file and folder below `root`, with file contents: the whole tree, to compare.
fn tree(root: &Path) -> BTreeMap<String, Option<Vec<u8>>> {
    let mut out = BTreeMap::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in fs::read_dir(&dir).expect("read dir") {
            let path = entry.expect("entry").path();
            let rel = path
                .strip_prefix(root)
                .expect("below root")
                .to_string_lossy()
                .into_owned();
            if path.is_dir() {
                out.insert(format!("{rel}/"), None);
                pending.push(path);
            } else {
                out.insert(rel, Some(fs::read(&path).expect("read file")));
            }
        }
    }
    out
}

/// A small source project: what a user keeps next to cdk.out.
fn source_project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path();
    fs::create_dir_all(p.join("codegen/src")).expect("mkdir");
    fs::write(p.join("codegen/Cargo.toml"), "[package]\nname = \"x\"\n").expect("write");
    fs::write(p.join("codegen/src/lib.rs"), "pub fn f() {}\n").expect("write");
    fs::write(p.join("README.md"), "# my project\n").expect("write");
    dir
}

#[track_caller]
fn refused(result: Result<rcdk::CloudAssembly, rcdk::Error>, needles: &[&str]) {
    let err = result.expect_err("must be refused").to_string();
    for n in needles {
        assert!(err.contains(n), "'{n}' not in: {err}");
    }
}

#[test]
fn a_source_folder_is_refused_and_left_as_it_was() {
    let p = source_project();
    let before = tree(p.path());
    refused(
        fixtures::multi_stack_app().synth_to(&p.path().join("codegen")),
        &[
            "refusing to write the cloud assembly to",
            "codegen",
            "no manifest.json",
            "Cargo.toml",
            "src/",
            "choose a new or empty folder",
        ],
    );
    assert_eq!(tree(p.path()), before);
}

#[test]
fn a_file_is_refused_and_no_debris_is_left() {
    let p = source_project();
    let before = tree(p.path());
    refused(
        fixtures::multi_stack_app().synth_to(&p.path().join("README.md")),
        &["README.md", "it is a file, not a folder"],
    );
    assert_eq!(
        tree(p.path()),
        before,
        "README.md unchanged, nothing hidden beside it"
    );
}

#[test]
fn an_assembly_with_one_foreign_file_is_refused() {
    let p = tempfile::tempdir().expect("tempdir");
    let out = p.path().join("cdk.out");
    fixtures::multi_stack_app().synth_to(&out).expect("synth");
    fs::write(out.join("notes.txt"), "mine").expect("write");
    let before = tree(p.path());
    refused(
        fixtures::multi_stack_app().synth_to(&out),
        &["also files that are not part of a cloud assembly: notes.txt"],
    );
    assert_eq!(tree(p.path()), before);
}

#[test]
fn a_previous_assembly_is_replaced_without_leftovers() {
    let p = tempfile::tempdir().expect("tempdir");
    let out = p.path().join("cdk.out");
    fixtures::multi_stack_app().synth_to(&out).expect("synth");
    // What the AWS CDK also leaves in an assembly is still an assembly.
    for extra in [
        "tree.json",
        "cdk.out",
        "network.metadata.json",
        "synth.lock",
    ] {
        fs::write(out.join(extra), "{}").expect("write");
    }
    fixtures::intrinsics_app().synth_to(&out).expect("replaced");
    let after: Vec<String> = tree(p.path()).into_keys().collect();
    assert_eq!(
        after,
        [
            "cdk.out/",
            "cdk.out/intrinsics.template.json",
            "cdk.out/manifest.json"
        ]
    );
}

#[test]
fn asset_folders_named_by_an_asset_manifest_belong_to_the_assembly() {
    let p = tempfile::tempdir().expect("tempdir");
    let out = p.path().join("cdk.out");
    fs::create_dir_all(out.join("asset.abc123")).expect("mkdir");
    fs::write(out.join("asset.abc123/index.js"), "x").expect("write");
    fs::write(
        out.join("manifest.json"),
        r#"{"version":"36.0.0","artifacts":{"s.assets":{"type":"cdk:asset-manifest","properties":{"file":"s.assets.json"}}}}"#,
    )
    .expect("write");
    fs::write(
        out.join("s.assets.json"),
        r#"{"version":"36.0.0","files":{"abc123":{"source":{"path":"asset.abc123","packaging":"zip"},"destinations":{}}}}"#,
    )
    .expect("write");
    assert_eq!(
        rcdk::check_output_dir(&out).expect("an assembly"),
        rcdk::OutdirState::Assembly
    );
    // An asset folder no manifest names is someone else's.
    fs::create_dir_all(out.join("asset.unnamed")).expect("mkdir");
    let err = rcdk::check_output_dir(&out).expect_err("foreign folder");
    assert!(err.to_string().contains("asset.unnamed/"), "{err}");
}

#[test]
fn a_missing_path_is_created_and_an_empty_folder_is_used() {
    let p = tempfile::tempdir().expect("tempdir");
    let nested = p.path().join("a/b/cdk.out");
    fixtures::multi_stack_app()
        .synth_to(&nested)
        .expect("created");
    assert!(nested.join("manifest.json").is_file());
    let empty = p.path().join("empty");
    fs::create_dir(&empty).expect("mkdir");
    fixtures::multi_stack_app().synth_to(&empty).expect("used");
    let names: Vec<String> = tree(p.path()).into_keys().collect();
    assert_eq!(
        names,
        [
            "a/",
            "a/b/",
            "a/b/cdk.out/",
            "a/b/cdk.out/manifest.json",
            "a/b/cdk.out/network.template.json",
            "a/b/cdk.out/service.template.json",
            "empty/",
            "empty/manifest.json",
            "empty/network.template.json",
            "empty/service.template.json",
        ]
    );
}

fn rcdk(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rcdk"))
        .args(args)
        .current_dir(dir)
        .env_remove("AWS_ENDPOINT_URL")
        .output()
        .expect("rcdk runs")
}

/// A source project with a cdk.json whose app records that it ran.
fn cli_project() -> tempfile::TempDir {
    let p = source_project();
    fixtures::multi_stack_app()
        .synth_to(&p.path().join("prebuilt"))
        .expect("synth");
    let cdk_json = serde_json::json!({
        "app": "touch app-ran && mkdir -p \"$CDK_OUTDIR\" && cp -r prebuilt/. \"$CDK_OUTDIR\""
    });
    fs::write(p.path().join("cdk.json"), cdk_json.to_string()).expect("cdk.json");
    p
}

#[test]
fn the_cli_refuses_a_source_folder_or_a_file_before_running_the_app() {
    let p = cli_project();
    let before = tree(p.path());
    for (target, why) in [
        ("codegen", "no manifest.json"),
        ("README.md", "it is a file, not a folder"),
        (".", "cdk.json"),
    ] {
        let out = rcdk(p.path(), &["synth", "-q", "-o", target]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "-o {target}: {err}");
        assert!(
            err.contains("refusing to write the cloud assembly"),
            "{err}"
        );
        assert!(err.contains(why), "-o {target}: {err}");
        assert_eq!(tree(p.path()), before, "-o {target} touched the project");
    }
}

#[test]
fn the_cli_creates_a_missing_output_and_replaces_its_own() {
    let p = cli_project();
    for _ in 0..2 {
        let out = rcdk(p.path(), &["synth", "-q", "-o", "build/out"]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let names: Vec<String> = tree(&p.path().join("build")).into_keys().collect();
    assert_eq!(
        names,
        [
            "out/",
            "out/manifest.json",
            "out/network.template.json",
            "out/service.template.json"
        ]
    );
}

#[test]
fn outputs_file_never_replaces_a_foreign_file_or_folder() {
    let p = cli_project();
    let before = tree(p.path());
    for target in ["README.md", "codegen"] {
        let out = rcdk(
            p.path(),
            &[
                "deploy",
                "--all",
                "--outputs-file",
                target,
                "--require-approval",
                "never",
            ],
        );
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(
            err.contains("refusing to write --outputs-file here"),
            "{err}"
        );
        assert_eq!(tree(p.path()), before, "--outputs-file {target}");
    }
}

/// One run replaces the assembly while others read it (forty `rcdk synth` runs into one
/// cdk.out): every read sees one whole assembly, the old or the new, never a torn one.
#[test]
fn readers_see_a_whole_assembly_while_another_run_replaces_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("cdk.out");
    fixtures::multi_stack_app().synth_to(&out).expect("synth");
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let (out, stop) = (out.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut writes = 0;
            while !stop.load(std::sync::atomic::Ordering::SeqCst) && writes < 400 {
                fixtures::multi_stack_app().synth_to(&out).expect("synth");
                writes += 1;
            }
            writes
        })
    };
    let readers: Vec<_> = (0..4)
        .map(|_| {
            let out = out.clone();
            std::thread::spawn(move || {
                for _ in 0..300 {
                    let stacks = rcdk::cli::read_assembly(&out)
                        .unwrap_or_else(|e| panic!("a read saw a torn assembly: {e}"));
                    assert_eq!(stacks.len(), 2);
                }
            })
        })
        .collect();
    for r in readers {
        r.join().expect("reader");
    }
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    assert!(writer.join().expect("writer") > 0);
}
