//! The cloud assembly: manifest format, byte-identical output, atomic writes.

use std::fs;

use rcdk::{CfnResource, Value};

use crate::fixtures::{self, app, stack};
use crate::support::synth;

fn read_dir_sorted(dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = fs::read_dir(dir)
        .expect("assembly dir")
        .map(|e| {
            let e = e.expect("entry");
            (
                e.file_name().to_string_lossy().into_owned(),
                fs::read(e.path()).expect("file"),
            )
        })
        .collect();
    files.sort();
    files
}

#[test]
fn manifest_follows_the_cloud_assembly_format() {
    let assembly = synth(&fixtures::multi_stack_app());
    insta::assert_json_snapshot!("multi_stack_manifest", assembly.manifest());
}

#[test]
fn two_synths_of_the_same_app_are_byte_identical() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (first, second) = (dir.path().join("one"), dir.path().join("two"));
    fixtures::multi_stack_app()
        .synth_to(&first)
        .expect("first synth");
    fixtures::multi_stack_app()
        .synth_to(&second)
        .expect("second synth");
    let a = read_dir_sorted(&first);
    assert_eq!(
        a.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(),
        [
            "manifest.json",
            "network.template.json",
            "service.template.json"
        ]
    );
    assert_eq!(a, read_dir_sorted(&second));
    // And the intrinsics fixture, whose maps and conditions exercise ordering.
    fixtures::intrinsics_app().synth_to(&first).expect("synth");
    fixtures::intrinsics_app().synth_to(&second).expect("synth");
    assert_eq!(read_dir_sorted(&first), read_dir_sorted(&second));
}

#[test]
fn a_failed_synth_leaves_the_previous_assembly_intact() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("cdk.out");
    fixtures::multi_stack_app().synth_to(&out).expect("synth");
    let before = read_dir_sorted(&out);
    let broken = app();
    stack(&broken, "empty");
    assert!(broken.synth_to(&out).is_err());
    assert_eq!(read_dir_sorted(&out), before);
    let leftovers: Vec<_> = fs::read_dir(dir.path())
        .expect("dir")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(
        leftovers,
        ["cdk.out"],
        "no staging directory is left behind"
    );
}

#[test]
fn a_new_synth_replaces_stale_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("cdk.out");
    fixtures::multi_stack_app().synth_to(&out).expect("synth");
    let other = app();
    let s = stack(&other, "solo");
    CfnResource::raw(
        &s,
        "P",
        "AWS::SSM::Parameter",
        Value::object([("Type", Value::from("String")), ("Value", Value::from("x"))]),
    );
    other.synth_to(&out).expect("synth");
    let names: Vec<String> = read_dir_sorted(&out).into_iter().map(|(n, _)| n).collect();
    assert_eq!(names, ["manifest.json", "solo.template.json"]);
}

#[test]
fn an_unwritable_output_is_a_clear_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let blocker = dir.path().join("file");
    fs::write(&blocker, "not a directory").expect("write");
    let err = fixtures::multi_stack_app()
        .synth_to(&blocker.join("cdk.out"))
        .expect_err("cannot write below a file");
    assert!(
        err.to_string()
            .starts_with("cannot write the cloud assembly to"),
        "{err}"
    );
}

#[test]
fn termination_protection_and_description_reach_the_assembly() {
    let app = app();
    let s = rcdk::Stack::new(
        &app,
        "guarded",
        rcdk::StackProps {
            env: fixtures::env(),
            description: Some("Production data".into()),
            termination_protection: true,
            ..Default::default()
        },
    );
    let secret = rcdk::CfnParameter::string(
        &s,
        "Password",
        rcdk::ParameterProps {
            no_echo: true,
            min_length: Some(12),
            ..Default::default()
        },
    );
    let r = CfnResource::raw(
        &s,
        "P",
        "AWS::SSM::Parameter",
        Value::object([
            ("Type", Value::from("String")),
            ("Value", Value::from(secret.value())),
        ]),
    );
    r.add_metadata("Owner", "data-team");
    let assembly = synth(&app);
    let manifest = assembly.manifest();
    assert_eq!(
        manifest["artifacts"]["guarded"]["properties"]["terminationProtection"],
        serde_json::json!(true)
    );
    let t = crate::support::template(&assembly, "guarded");
    assert_eq!(t["Description"], "Production data");
    assert_eq!(
        t["Parameters"]["Password"],
        serde_json::json!({"Type": "String", "MinLength": 12, "NoEcho": true})
    );
    assert_eq!(
        t["Resources"]["P"]["Metadata"],
        serde_json::json!({"aws:cdk:path": "guarded/P", "Owner": "data-team"})
    );
}

#[test]
fn the_registry_knows_create_only_properties_tagging_and_attributes() {
    let vpc = rcdk::registry::type_info("AWS::EC2::VPC").expect("VPC is registered");
    assert!(vpc.create_only.contains(&"CidrBlock"));
    assert_eq!(vpc.tagging.map(|t| t.property), Some("Tags"));
    assert!(vpc.attributes.contains(&"VpcId") && vpc.attributes.contains(&"CidrBlock"));
    let db = rcdk::registry::type_info("AWS::RDS::DBInstance").expect("DBInstance is registered");
    assert!(db.create_only.contains(&"DBInstanceIdentifier"));
    assert!(db.attributes.contains(&"Endpoint.Address"));
    assert_eq!(
        rcdk::registry::type_info("AWS::SSM::Parameter")
            .and_then(|t| t.tagging)
            .map(|t| t.format),
        Some(rcdk::registry::TagFormat::Map)
    );
    assert!(
        rcdk::registry::type_info("AWS::EC2::VPCGatewayAttachment")
            .is_some_and(|t| t.tagging.is_none())
    );
    assert!(rcdk::registry::type_info("AWS::Not::AType").is_none());
    // Every type of the schemas is there, sorted for lookup.
    assert!(rcdk::registry::TYPES.len() > 1500);
    assert!(
        rcdk::registry::TYPES
            .windows(2)
            .all(|w| w[0].type_name < w[1].type_name)
    );
}
