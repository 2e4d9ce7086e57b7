//! `rcdk gc` on the local endpoint: an asset a deployed stack still names is kept; one
//! no stack names any more is tagged with the day it was first seen unused and deleted
//! once unused for the days given; `--dry-run` changes nothing.

use crate::e2e::{deploy, function_assembly, http_get};
use crate::local_endpoint::{Moto, rcdk, text};

const BUCKET: &str = "rcdk-assets-123456789012-us-east-1";

fn gc(moto: &Moto, args: &[&str]) -> String {
    let mut all = vec!["gc"];
    all.extend_from_slice(args);
    let out = rcdk(&moto.endpoint(), &all);
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    stdout
}

fn asset_key(app: &std::path::Path) -> String {
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(app.join("jobs.assets.json")).unwrap())
            .unwrap();
    let hash = manifest["files"]
        .as_object()
        .unwrap()
        .keys()
        .next()
        .unwrap()
        .clone();
    format!("{hash}.zip")
}

fn exists(moto: &Moto, key: &str) -> bool {
    http_get(moto.port, &format!("/{BUCKET}/{key}"))
        .0
        .contains("200")
}

#[test]
fn gc_keeps_what_stacks_use_and_deletes_what_stayed_unused() {
    let moto = Moto::start();
    let work = tempfile::tempdir().expect("tempdir");
    let code = work.path().join("sync");
    std::fs::create_dir_all(&code).unwrap();
    std::fs::write(code.join("index.py"), "def handler(e, c):\n    return 1\n").unwrap();
    assert!(rcdk(&moto.endpoint(), &["bootstrap"]).status.success());
    let v1 = function_assembly(&work.path().join("v1"), &code);
    let (ok, stdout, stderr) = deploy(&moto, &v1, &[]);
    assert!(ok, "{stdout}\n{stderr}");
    let old = asset_key(&v1);
    std::fs::write(code.join("index.py"), "def handler(e, c):\n    return 2\n").unwrap();
    let v2 = function_assembly(&work.path().join("v2"), &code);
    let (ok, stdout, stderr) = deploy(&moto, &v2, &[]);
    assert!(ok, "{stdout}\n{stderr}");
    let current = asset_key(&v2);
    assert_ne!(old, current);

    // A dry run says what would go, with its size, and changes nothing.
    let out = gc(&moto, &["--dry-run", "--unused-days", "0"]);
    assert!(out.contains(&format!("would delete {old} (")), "{out}");
    assert!(out.contains("1 in use"), "{out}");
    assert!(
        !out.contains(&current),
        "the deployed code is never listed: {out}"
    );
    assert!(exists(&moto, &old));
    let tagging = http_get(moto.port, &format!("/{BUCKET}/{old}?tagging")).1;
    assert!(!String::from_utf8_lossy(&tagging).contains("rcdk:unused-since"));

    // A first run marks the old code unused from today and keeps it for 30 days.
    let out = gc(&moto, &[]);
    assert!(
        out.contains(&format!("unused       {old}"))
            && out.contains("deleted after 30 days unused"),
        "{out}"
    );
    assert!(exists(&moto, &old));
    let tagging =
        String::from_utf8_lossy(&http_get(moto.port, &format!("/{BUCKET}/{old}?tagging")).1)
            .into_owned();
    assert!(
        tagging.contains("<Key>rcdk:unused-since</Key>"),
        "{tagging}"
    );

    // Once unused long enough (here: at once), it goes; what the stack uses stays.
    let out = gc(&moto, &["--unused-days", "0"]);
    assert!(out.contains(&format!("deleted      {old}")), "{out}");
    assert!(!exists(&moto, &old));
    assert!(exists(&moto, &current));
    let out = gc(&moto, &["--unused-days", "0"]);
    assert!(
        out.contains("1 in use") && out.contains("0 deleted"),
        "{out}"
    );
}
