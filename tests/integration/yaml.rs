//! CloudFormation YAML as people write it: a corpus of hand-written templates using every
//! short-form tag reads exactly as cfn-lint (the AWS-maintained reader) reads it; errors
//! name lines; `rcdk diff` works on YAML templates and YAML assemblies.

use std::fs;
use std::path::PathBuf;
use std::process::Command;

use rcdk::yaml::{YamlError, parse, parse_template};
use serde_json::{Value as J, json};

use crate::support::run_rcdk;

fn corpus() -> Vec<PathBuf> {
    let dir = crate::support::root().join("tests/integration/yaml_templates");
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .expect("corpus")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    files.sort();
    files
}

/// The template as cfn-lint's own YAML loader reads it, long forms and all.
fn as_cfn_lint_reads_it(path: &std::path::Path) -> J {
    let python = crate::support::cfn_lint().with_file_name("python");
    let script = "import json, sys\nfrom cfnlint.decode import cfn_yaml\n\
                  t = cfn_yaml.loads(open(sys.argv[1]).read(), sys.argv[1])\n\
                  print(json.dumps(t, default=str))";
    let out = Command::new(python)
        .args(["-c", script])
        .arg(path)
        .output()
        .expect("python runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON from cfn-lint")
}

#[test]
fn every_corpus_template_reads_as_cfn_lint_reads_it() {
    let files = corpus();
    assert_eq!(files.len(), 3, "{files:?}");
    for path in files {
        let text = fs::read_to_string(&path).expect("read");
        let ours = parse_template(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(ours, as_cfn_lint_reads_it(&path), "{}", path.display());
    }
}

#[test]
fn the_corpus_uses_every_short_form_in_both_getatt_shapes() {
    let all: String = corpus()
        .iter()
        .map(|p| fs::read_to_string(p).expect("read"))
        .collect();
    for tag in [
        "!Ref ",
        "!GetAtt ",
        "!Sub",
        "!Join",
        "!If ",
        "!Select",
        "!Split",
        "!ImportValue",
        "!FindInMap",
        "!Base64",
        "!Cidr",
        "!GetAZs",
        "!Equals",
        "!And",
        "!Or ",
        "!Not",
        "!Condition",
        "!Transform",
    ] {
        assert!(all.contains(tag), "the corpus never uses {tag}");
    }
    assert!(all.contains("!GetAtt Vpc.CidrBlock") && all.contains("!GetAtt [Vpc, CidrBlock]"));
    assert!(
        all.contains("!GetAtt\n      - InstanceRole"),
        "block-list GetAtt"
    );
}

#[test]
fn short_forms_expand_to_their_long_forms() {
    let t = parse(
        "A: !GetAtt Db.Endpoint.Address\n\
         B: !Sub [\"${X}-${AWS::Region}\", {X: !Ref Y}]\n\
         C: !If [Cond, !Ref AWS::NoValue, !Base64 text]\n\
         D: !Transform {Name: AWS::Include}\n\
         E: !!str 10\n\
         F: !Ref \"quoted\"\n",
    )
    .expect("parses");
    assert_eq!(
        t,
        json!({
            "A": {"Fn::GetAtt": ["Db", "Endpoint.Address"]},
            "B": {"Fn::Sub": ["${X}-${AWS::Region}", {"X": {"Ref": "Y"}}]},
            "C": {"Fn::If": ["Cond", {"Ref": "AWS::NoValue"}, {"Fn::Base64": "text"}]},
            "D": {"Fn::Transform": {"Name": "AWS::Include"}},
            "E": "10",
            "F": {"Ref": "quoted"}
        })
    );
}

#[test]
fn mistakes_name_their_lines() {
    let dup = parse("Resources:\n  A:\n    Type: X\n  B:\n    Type: Y\n  A:\n    Type: Z\n")
        .expect_err("duplicate");
    assert_eq!(
        dup.to_string(),
        "key 'A' appears twice in one mapping, at line 2 and at line 6; keep one of them"
    );
    let unknown = parse("A: !Reff X\n").expect_err("unknown tag");
    assert!(
        matches!(&unknown, YamlError::UnknownTag { tag, line: 1 } if tag == "!Reff"),
        "{unknown:?}"
    );
    assert!(
        unknown.to_string().contains("!Ref, !Condition"),
        "{unknown}"
    );
    let getatt = parse("A:\n  B: !GetAtt NoDot\n").expect_err("bad GetAtt");
    assert_eq!(
        getatt.to_string(),
        "'!GetAtt' at line 2: takes LogicalId.Attribute"
    );
    assert!(matches!(parse("a: [1, 2\n"), Err(YamlError::Syntax(_))));
}

#[test]
fn diff_reads_yaml_templates_and_yaml_assemblies() {
    let dir = tempfile::tempdir().expect("tempdir");
    let source = crate::support::root().join("tests/integration/yaml_templates/network.yaml");
    let yaml = fs::read_to_string(&source).expect("read");
    // An assembly whose template is the hand-written YAML.
    let asm = dir.path().join("asm");
    fs::create_dir(&asm).expect("mkdir");
    fs::write(asm.join("web.template.yaml"), &yaml).expect("write");
    fs::write(
        asm.join("manifest.json"),
        json!({"version": "36.0.0", "artifacts": {"web": {
            "type": "aws:cloudformation:stack",
            "environment": "aws://123456789012/us-east-1",
            "properties": {"templateFile": "web.template.yaml"}}}})
        .to_string(),
    )
    .expect("write");
    let app = asm.display().to_string();
    // The long forms (as cfn-lint reads the file) mean the same as the short forms.
    let long = dir.path().join("long.json");
    fs::write(&long, as_cfn_lint_reads_it(&source).to_string()).expect("write");
    let (code, stdout, stderr) = run_rcdk(&[
        "diff",
        "--app",
        &app,
        "--template",
        &long.display().to_string(),
        "--fail",
        "web",
    ]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(stdout, "Stack web\nThere were no differences\n");
    // One change in a short-form template is the only difference shown.
    let old = dir.path().join("old.yaml");
    let changed = yaml.replacen("EnableDnsHostnames: true", "EnableDnsHostnames: false", 1);
    assert_ne!(changed, yaml);
    fs::write(&old, changed).expect("write");
    let (code, stdout, stderr) = run_rcdk(&[
        "diff",
        "--app",
        &app,
        "--template",
        &old.display().to_string(),
        "--fail",
        "web",
    ]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stdout.contains("[~] AWS::EC2::VPC Vpc\n    Properties.EnableDnsHostnames: false → true\n"),
        "{stdout}"
    );
    assert_eq!(stdout.matches("[~]").count(), 1, "{stdout}");
    assert!(
        !stdout.contains("[+]") && !stdout.contains("[-]"),
        "{stdout}"
    );
    // A duplicate key in the old template is an error naming both lines (exit 2).
    let dup = dir.path().join("dup.yaml");
    fs::write(&dup, format!("{yaml}Outputs:\n  X:\n    Value: 1\n")).expect("write");
    let (code, _, stderr) = run_rcdk(&[
        "diff",
        "--app",
        &app,
        "--template",
        &dup.display().to_string(),
        "web",
    ]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("key 'Outputs' appears twice in one mapping, at line"),
        "{stderr}"
    );
}

#[test]
fn a_settings_file_with_a_key_given_twice_names_both_lines() {
    let text = fs::read_to_string(crate::support::root().join("apps/config/environments.yaml"))
        .expect("config");
    let line_of = |needle: &str| {
        text.lines()
            .position(|l| l == needle)
            .map(|i| i + 1)
            .expect("line")
    };
    let (dev, staging) = (line_of("  dev:"), line_of("  staging:"));
    // Two environments named dev: serde alone would keep the second, silently.
    let broken = text.replacen("\n  staging:\n", "\n  dev:\n", 1);
    let err = rcdk_apps::config::parse("environments.yaml", &broken).expect_err("duplicate");
    assert_eq!(
        err,
        format!(
            "environments.yaml: key 'dev' appears twice in one mapping, at line {dev} and at line {staging}; keep one of them"
        )
    );
}
