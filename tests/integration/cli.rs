//! The `rcdk` binary: cdk.json, the app protocol (CDK_OUTDIR, CDK_CONTEXT_JSON),
//! `list`, `synth`, stack patterns, and errors.

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use crate::fixtures;

fn rcdk(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rcdk"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("rcdk runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A project whose app copies a prebuilt assembly into CDK_OUTDIR and records its context.
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    fixtures::multi_stack_app()
        .synth_to(&dir.path().join("prebuilt"))
        .expect("synth");
    let cdk_json = serde_json::json!({
        "app": "cp -r prebuilt/. \"$CDK_OUTDIR\" && printf '%s' \"$CDK_CONTEXT_JSON\" > context.json && echo app-chatter",
        "context": {"env": "dev", "source": "cdk.json"}
    });
    fs::write(dir.path().join("cdk.json"), cdk_json.to_string()).expect("cdk.json");
    dir
}

#[test]
fn synth_runs_the_app_with_merged_context_and_prints_a_summary() {
    let p = project();
    let out = rcdk(p.path(), &["synth", "-c", "env=prod"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let context: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(p.path().join("context.json")).expect("context"))
            .expect("json");
    assert_eq!(
        context,
        serde_json::json!({"env": "prod", "source": "cdk.json"})
    );
    let text = stdout(&out);
    assert!(text.starts_with("Synthesized 2 stacks to "), "{text}");
    assert!(text.contains("network          1"), "{text}");
    assert!(text.contains("service          1"), "{text}");
    assert!(
        text.lines()
            .any(|l| l.trim_end().ends_with("network") && l.contains("service")),
        "{text}"
    );
    assert!(
        !text.contains("app-chatter"),
        "the app's stdout goes to stderr"
    );
    assert!(stderr(&out).contains("app-chatter"));
    assert!(p.path().join("cdk.out/manifest.json").is_file());
}

#[test]
fn synth_of_one_stack_prints_its_template() {
    let p = project();
    let yaml = rcdk(p.path(), &["synth", "service"]);
    assert!(yaml.status.success(), "{}", stderr(&yaml));
    let text = stdout(&yaml);
    assert!(
        text.starts_with("AWSTemplateFormatVersion: 2010-09-09")
            || text.starts_with("AWSTemplateFormatVersion: '2010-09-09'"),
        "{text}"
    );
    assert!(
        text.contains("Fn::ImportValue: network:ExportsOutputRefVpc"),
        "{text}"
    );
    let json = rcdk(p.path(), &["synth", "serv*", "--json"]);
    let printed: serde_json::Value =
        serde_json::from_slice(&json.stdout).expect("JSON template on stdout");
    let written: serde_json::Value = serde_json::from_str(
        &fs::read_to_string(p.path().join("cdk.out/service.template.json")).expect("file"),
    )
    .expect("json");
    assert_eq!(printed, written);
}

#[test]
fn list_prints_stacks_with_dependencies_and_accepts_globs() {
    let p = project();
    let out = rcdk(p.path(), &["list"]);
    assert_eq!(stdout(&out), "network\nservice (depends on network)\n");
    let out = rcdk(p.path(), &["ls", "net*"]);
    assert_eq!(stdout(&out), "network\n");
    let out = rcdk(p.path(), &["list", "--json", "service"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v[0]["dependencies"], serde_json::json!(["network"]));
    assert_eq!(v[0]["environment"], "aws://123456789012/us-east-1");
}

#[test]
fn output_directory_flag_is_honoured() {
    let p = project();
    let out = rcdk(p.path(), &["synth", "-o", "elsewhere", "-q"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(p.path().join("elsewhere/manifest.json").is_file());
    assert!(!p.path().join("cdk.out").exists());
}

#[test]
fn an_assembly_directory_can_stand_in_for_the_app() {
    let p = project();
    let out = rcdk(p.path(), &["list", "--app", "prebuilt"]);
    assert_eq!(
        stdout(&out),
        "network\nservice (depends on network)\n",
        "{}",
        stderr(&out)
    );
    assert!(
        !p.path().join("context.json").exists(),
        "the app did not run"
    );
}

#[test]
fn errors_are_clear_and_exit_non_zero() {
    let p = project();
    // A stale assembly is on disk: an app that writes nothing must not pass it off as its own.
    assert!(rcdk(p.path(), &["synth"]).status.success());
    fs::create_dir_all(p.path().join("not-an-assembly")).expect("mkdir");
    // Exit codes: 2 refused before anything ran (arguments, configuration), 1 failed.
    let cases: [(&[&str], i32, &str); 9] = [
        (
            &["list", "nomatch"],
            2,
            "no stack matches 'nomatch'; the app has: network, service",
        ),
        (
            &["synth", "-c", "novalue"],
            2,
            "context argument 'novalue' is not KEY=VALUE",
        ),
        (
            &["synth", "--app", "echo broken >&2; exit 3"],
            1,
            "failed (exit code 3); its errors are printed above",
        ),
        (
            &["synth", "--app", "true"],
            1,
            "exited without writing a cloud assembly",
        ),
        (
            &["list", "--app", "not-an-assembly"],
            2,
            "a folder without manifest.json is not a cloud assembly",
        ),
        (
            &["synth", "--app", "prebuilt", "-o", "elsewhere"],
            2,
            "is a cloud assembly, read where it is; --output elsewhere would be ignored",
        ),
        (
            &["deploy", "--all", "--concurrency", "0"],
            2,
            "--concurrency 0 would deploy nothing; give at least 1",
        ),
        (
            &["deploy", "--all", "--role-arn", "garbage"],
            2,
            "--role-arn 'garbage' is not an IAM role ARN",
        ),
        (
            &["deploy", "--all", "--parameters", "network:NoSuchParam=V"],
            2,
            "--parameters network:NoSuchParam: the stack has no parameter 'NoSuchParam'; its parameters: none",
        ),
    ];
    for (args, code, message) in cases {
        let out = rcdk(p.path(), args);
        assert_eq!(out.status.code(), Some(code), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(message), "{args:?}: {}", stderr(&out));
    }
    let empty = tempfile::tempdir().expect("tempdir");
    let out = rcdk(empty.path(), &["synth"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no cdk.json in"), "{}", stderr(&out));
    fs::write(empty.path().join("cdk.json"), "{ not json").expect("write");
    let out = rcdk(empty.path(), &["synth"]);
    assert!(
        stderr(&out).contains("cdk.json: invalid JSON"),
        "{}",
        stderr(&out)
    );
    // A cdk.json that exists but names no app says so (not "no cdk.json").
    fs::write(empty.path().join("cdk.json"), "{}").expect("write");
    let out = rcdk(empty.path(), &["synth"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("cdk.json: has no \"app\": name the command that runs the app"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn version_and_shell_completions() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = rcdk(dir.path(), &["--version"]);
    assert_eq!(
        stdout(&out),
        format!("rcdk {}\n", env!("CARGO_PKG_VERSION"))
    );
    for (shell, marker) in [
        ("bash", "_rcdk()"),
        ("zsh", "#compdef rcdk"),
        ("fish", "complete -c rcdk"),
    ] {
        let out = rcdk(dir.path(), &["completions", shell]);
        assert!(out.status.success(), "{}", stderr(&out));
        let script = stdout(&out);
        assert!(script.contains(marker), "{shell}: {script}");
        for verb in ["synth", "deploy", "init", "doctor"] {
            assert!(script.contains(verb), "{shell} completes {verb}");
        }
    }
}
