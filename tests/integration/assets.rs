//! File assets: a Lambda function's local folder becomes `asset.<hash>` in the cloud
//! assembly with an asset manifest in the AWS CDK's format; the hash follows the
//! content, not timestamps; unreadable paths are errors on the construct.

use std::fs;
use std::path::Path;

use rcdk_constructs::compute::{Code, Function, FunctionProps};
use serde_json::json;

use crate::fixtures::{app, stack};
use crate::support::{resource, synth, synth_err};

fn code_folder(dir: &Path, body: &str) {
    fs::create_dir_all(dir.join("lib")).unwrap();
    fs::write(dir.join("index.py"), body).unwrap();
    fs::write(dir.join("lib/util.py"), "RETRIES = 3\n").unwrap();
}

fn function_from(path: &Path, id: &str, s: &rcdk::Stack) -> Function {
    Function::new(
        s,
        id,
        FunctionProps::new(
            "python3.13",
            "index.handler",
            Code::Asset(path.to_path_buf()),
        ),
    )
}

/// (the S3 key the function's template names, the asset manifest, manifest.json)
fn synth_folder(code: &Path, out: &Path) -> (String, serde_json::Value, serde_json::Value) {
    let a = app();
    let s = stack(&a, "workers");
    function_from(code, "Sync", &s);
    let assembly = synth(&a);
    assembly.write(out).unwrap();
    let code_props = &resource(&assembly, "workers", "Sync")["Properties"]["Code"];
    assert_eq!(
        code_props["S3Bucket"],
        json!({"Fn::Sub": "rcdk-assets-${AWS::AccountId}-${AWS::Region}"}),
        "the bootstrap bucket, named at synthesis"
    );
    let key = code_props["S3Key"].as_str().unwrap().to_owned();
    let read = |f: &str| -> serde_json::Value {
        serde_json::from_str(&fs::read_to_string(out.join(f)).unwrap()).unwrap()
    };
    (key, read("workers.assets.json"), read("manifest.json"))
}

#[test]
fn a_function_folder_is_staged_with_an_asset_manifest_the_aws_cdk_reads() {
    let src = tempfile::tempdir().unwrap();
    code_folder(src.path(), "def handler(e, c):\n    return 1\n");
    let out = tempfile::tempdir().unwrap();
    let out = out.path().join("cdk.out");
    let (key, assets, manifest) = synth_folder(src.path(), &out);
    let hash = key.strip_suffix(".zip").unwrap().to_owned();
    assert_eq!(hash.len(), 64, "a SHA-256: {key}");
    assert_eq!(
        assets,
        json!({
            "version": "36.0.0",
            "files": {hash.clone(): {
                "displayName": "workers/Sync",
                "source": {"path": format!("asset.{hash}"), "packaging": "zip"},
                "destinations": {"123456789012-us-east-1": {
                    "bucketName": "rcdk-assets-${AWS::AccountId}-${AWS::Region}",
                    "objectKey": key,
                    "region": "us-east-1",
                    "assumeRoleArn": "arn:${AWS::Partition}:iam::123456789012:role/rcdk-file-publishing-role-123456789012-us-east-1"
                }}
            }},
            "dockerImages": {}
        })
    );
    assert_eq!(
        manifest["artifacts"]["workers.assets"],
        json!({"type": "cdk:asset-manifest", "properties": {"file": "workers.assets.json"}})
    );
    assert_eq!(
        manifest["artifacts"]["workers"]["dependencies"],
        json!(["workers.assets"]),
        "the AWS CDK CLI publishes the manifest before the stack"
    );
    // A stack of a named account is deployed through that account's bootstrap roles,
    // in the fields the AWS CDK CLI reads too.
    let props = &manifest["artifacts"]["workers"]["properties"];
    assert_eq!(
        props["assumeRoleArn"],
        "arn:${AWS::Partition}:iam::123456789012:role/rcdk-deploy-role-123456789012-us-east-1"
    );
    assert_eq!(
        props["cloudFormationExecutionRoleArn"],
        "arn:${AWS::Partition}:iam::123456789012:role/rcdk-cfn-exec-role-123456789012-us-east-1"
    );
    assert_eq!(props["requiresBootstrapStackVersion"], 2);
    assert_eq!(
        props["lookupRole"],
        serde_json::json!({
            "arn": "arn:${AWS::Partition}:iam::123456789012:role/rcdk-lookup-role-123456789012-us-east-1",
            "requiresBootstrapStackVersion": 3
        })
    );
    let staged = out.join(format!("asset.{hash}"));
    assert_eq!(
        fs::read_to_string(staged.join("index.py")).unwrap(),
        "def handler(e, c):\n    return 1\n"
    );
    assert_eq!(
        fs::read_to_string(staged.join("lib/util.py")).unwrap(),
        "RETRIES = 3\n"
    );

    // Synthesizing again over the assembly replaces it (assets and all).
    let (again, _, _) = synth_folder(src.path(), &out);
    assert_eq!(again, key);
    // The hash follows the content: touching a file changes nothing, editing one does.
    fs::write(src.path().join("lib/util.py"), "RETRIES = 3\n").unwrap();
    assert_eq!(synth_folder(src.path(), &out).0, key);
    fs::write(src.path().join("lib/util.py"), "RETRIES = 4\n").unwrap();
    let (edited, _, _) = synth_folder(src.path(), &out);
    assert_ne!(edited, key);
    assert!(
        !out.join(format!("asset.{hash}")).exists(),
        "the old staged copy goes with the old assembly"
    );
    // Renaming a file is a different asset too.
    fs::rename(
        src.path().join("lib/util.py"),
        src.path().join("lib/other.py"),
    )
    .unwrap();
    assert_ne!(synth_folder(src.path(), &out).0, edited);
}

#[test]
fn one_folder_used_twice_is_one_asset_and_a_zip_file_is_uploaded_as_it_is() {
    let src = tempfile::tempdir().unwrap();
    code_folder(
        &src.path().join("code"),
        "def handler(e, c):\n    return 2\n",
    );
    fs::write(src.path().join("bundle.zip"), b"PK\x05\x06 not really").unwrap();
    let a = app();
    let s = stack(&a, "workers");
    function_from(&src.path().join("code"), "One", &s);
    function_from(&src.path().join("code"), "Two", &s);
    function_from(&src.path().join("bundle.zip"), "Three", &s);
    let assembly = synth(&a);
    let key_of =
        |id: &str| resource(&assembly, "workers", id)["Properties"]["Code"]["S3Key"].clone();
    assert_eq!(key_of("One"), key_of("Two"));
    let zip_key = key_of("Three").as_str().unwrap().to_owned();
    assert!(zip_key.ends_with(".zip"), "{zip_key}");
    let artifact = assembly.stack("workers").unwrap();
    assert_eq!(artifact.assets.len(), 2);
    let manifest = artifact.asset_manifest();
    let hash = zip_key.trim_end_matches(".zip");
    assert_eq!(
        manifest["files"][hash]["source"],
        json!({"path": format!("asset.{hash}.zip"), "packaging": "file"})
    );
    let out = tempfile::tempdir().unwrap();
    assembly.write(&out.path().join("cdk.out")).unwrap();
    assert_eq!(
        fs::read(out.path().join(format!("cdk.out/asset.{hash}.zip"))).unwrap(),
        b"PK\x05\x06 not really"
    );
}

#[test]
fn a_missing_or_empty_code_folder_is_an_error_on_the_function() {
    let src = tempfile::tempdir().unwrap();
    fs::create_dir(src.path().join("empty")).unwrap();
    let a = app();
    let s = stack(&a, "workers");
    function_from(&src.path().join("missing"), "Missing", &s);
    function_from(&src.path().join("empty"), "Empty", &s);
    let message = synth_err(&a).to_string();
    assert!(
        message.contains("workers/Missing")
            && message.contains("missing: cannot read")
            && message.contains("CARGO_MANIFEST_DIR"),
        "{message}"
    );
    assert!(
        message.contains("workers/Empty") && message.contains("has no files; put the code in it"),
        "{message}"
    );
}

#[cfg(unix)]
#[test]
fn a_link_to_a_folder_inside_the_code_is_refused() {
    let src = tempfile::tempdir().unwrap();
    code_folder(&src.path().join("code"), "x = 1\n");
    std::os::unix::fs::symlink(src.path(), src.path().join("code/loop")).unwrap();
    let a = app();
    let s = stack(&a, "workers");
    function_from(&src.path().join("code"), "Sync", &s);
    let message = synth_err(&a).to_string();
    assert!(
        message.contains("workers/Sync") && message.contains("links to a folder"),
        "{message}"
    );
}
