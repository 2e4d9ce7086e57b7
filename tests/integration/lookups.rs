//! Lookups at synthesis (`rcdk::lookup`): a value read from the account, cached in
//! `cdk.context.json` so synthesis stays deterministic; the CLI performs missing ones
//! with the caller's credentials, `--no-lookups` refuses them, `rcdk context` lists and
//! resets the cache. The app the CLI runs here is this test binary (`lookups::app`).

use rcdk::{App, CfnResource, Environment, Stack, StackProps, Value};

use crate::local_endpoint::{Moto, json_call, rcdk_command, text};

const KEY: &str = "ssm:account=123456789012:parameterName=/platform/web/ami:region=us-east-1";
const ZONE_KEY: &str = "hosted-zone:account=123456789012:domainName=example.org:region=us-east-1";

fn web_stack(app: &App) {
    let stack = Stack::new(
        app,
        "web",
        StackProps {
            env: Environment::new("123456789012", "us-east-1"),
            ..Default::default()
        },
    );
    let ami = rcdk::lookup::string_parameter(&stack, "/platform/web/ami");
    CfnResource::raw(
        &stack,
        "Image",
        "AWS::SSM::Parameter",
        Value::object([("Type", Value::from("String")), ("Value", Value::from(ami))]),
    );
    let zone = rcdk_constructs::dns::HostedZone::from_lookup(&stack, "example.org");
    CfnResource::raw(
        &stack,
        "Www",
        "AWS::Route53::RecordSet",
        Value::object([
            ("HostedZoneId", Value::from(zone.zone_id())),
            ("Name", Value::from(zone.fqdn("www"))),
            ("Type", Value::from("CNAME")),
            ("TTL", Value::from("300")),
            (
                "ResourceRecords",
                Value::list([Value::from("web.example.net")]),
            ),
        ]),
    );
}

/// The app the CLI tests run (`--app "<this binary> --ignored --exact lookups::app"`).
#[test]
#[ignore = "the app the lookup tests run through the CLI, not a test of its own"]
fn app() {
    let app = App::new();
    web_stack(&app);
    app.synth().expect("the app synthesizes");
}

#[test]
fn a_cached_answer_is_used_and_a_missing_one_is_a_placeholder_and_a_missing_lookup() {
    let cached = App::with_context(
        [
            (KEY.to_owned(), serde_json::json!("ami-0123")),
            (
                ZONE_KEY.to_owned(),
                serde_json::json!({"Id": "/hostedzone/Z0EXAMPLE", "Name": "example.org."}),
            ),
        ]
        .into(),
        "cdk.out",
    );
    web_stack(&cached);
    let out = cached.synthesize().expect("synthesizes");
    assert!(out.missing.is_empty());
    assert_eq!(
        out.stacks[0].template["Resources"]["Image"]["Properties"]["Value"],
        "ami-0123"
    );
    assert_eq!(
        out.stacks[0].template["Resources"]["Www"]["Properties"]["HostedZoneId"],
        "Z0EXAMPLE"
    );

    let fresh = App::with_context(Default::default(), "cdk.out");
    web_stack(&fresh);
    let out = fresh.synthesize().expect("synthesizes with a placeholder");
    assert_eq!(out.missing.len(), 2);
    assert_eq!(out.missing[0].key, ZONE_KEY);
    assert_eq!(out.missing[0].provider, "hosted-zone");
    assert_eq!(out.missing[1].key, KEY);
    assert_eq!(out.missing[1].provider, "ssm");
    assert_eq!(
        out.stacks[0].template["Resources"]["Www"]["Properties"]["HostedZoneId"],
        "DUMMY"
    );
    assert_eq!(
        out.stacks[0].template["Resources"]["Image"]["Properties"]["Value"],
        "dummy-value-for-/platform/web/ami"
    );
    assert_eq!(
        out.manifest()["missing"][1]["props"]["parameterName"],
        "/platform/web/ami"
    );

    // A lookup needs an account and region to look in.
    let agnostic = App::with_context(Default::default(), "cdk.out");
    let stack = Stack::new(&agnostic, "anywhere", StackProps::default());
    let value = rcdk::lookup::string_parameter(&stack, "/x");
    CfnResource::raw(
        &stack,
        "P",
        "AWS::SNS::Topic",
        Value::object([("DisplayName", Value::from(value))]),
    );
    let err = agnostic.synthesize().expect_err("no environment");
    assert!(
        err.to_string()
            .contains("Environment::new(ACCOUNT, REGION)"),
        "{err}"
    );
}

#[test]
fn the_cli_looks_up_caches_and_resets_and_no_lookups_refuses() {
    let moto = Moto::start();
    let put = |value: &str| {
        json_call(
            moto.port,
            "us-east-1",
            "ssm",
            "AmazonSSM.PutParameter",
            &serde_json::json!({"Name": "/platform/web/ami", "Value": value, "Type": "String", "Overwrite": true}).to_string(),
        )
    };
    put("ami-0123");
    let zone_id = crate::local_endpoint::route53_create_zone(moto.port, "example.org");
    let dir = tempfile::tempdir().expect("tempdir");
    let exe = std::env::current_exe().expect("this test binary");
    let app_cmd = format!("{} --ignored --exact lookups::app -q", exe.display());
    let run = |args: &[&str]| {
        let mut all = vec!["--app", app_cmd.as_str()];
        all.extend_from_slice(args);
        let out = rcdk_command(&moto.endpoint(), &all)
            .current_dir(dir.path())
            .output()
            .expect("rcdk runs");
        let (stdout, stderr) = text(&out);
        (out.status.code(), format!("{stdout}{stderr}"))
    };
    let template =
        || std::fs::read_to_string(dir.path().join("cdk.out/web.template.json")).expect("template");

    let (code, said) = run(&["synth", "-q", "--no-lookups"]);
    assert_eq!(code, Some(2), "{said}");
    assert!(
        said.contains("SSM parameter /platform/web/ami in 123456789012/us-east-1")
            && said.contains("cdk.context.json"),
        "{said}"
    );

    let (code, said) = run(&["synth", "-q"]);
    assert_eq!(code, Some(0), "{said}");
    assert!(
        said.contains("looked up SSM parameter /platform/web/ami"),
        "{said}"
    );
    assert!(template().contains("ami-0123"));
    assert!(
        template().contains(&format!("\"HostedZoneId\": \"{zone_id}\"")),
        "{}",
        template()
    );
    let cache: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("cdk.context.json")).expect("cache"),
    )
    .expect("json");
    assert_eq!(
        cache,
        serde_json::json!({
            ZONE_KEY: {"Id": format!("/hostedzone/{zone_id}"), "Name": "example.org."},
            KEY: "ami-0123",
        })
    );

    // The cache answers from now on, whatever the account holds: synthesis is repeatable.
    put("ami-0456");
    let (code, said) = run(&["synth", "-q", "--no-lookups"]);
    assert_eq!(code, Some(0), "{said}");
    assert!(template().contains("ami-0123"));

    let (_, listed) = run(&["context"]);
    assert!(
        listed.contains(&format!("2  {KEY}  \"ami-0123\"")),
        "{listed}"
    );
    let (code, said) = run(&["context", "--reset", "2"]);
    assert_eq!(code, Some(0), "{said}");
    let (code, said) = run(&["synth", "-q"]);
    assert_eq!(code, Some(0), "{said}");
    assert!(template().contains("ami-0456"), "looked up again");
    let (code, _) = run(&["context", "--clear"]);
    assert_eq!(code, Some(0));
    let (_, listed) = run(&["context"]);
    assert!(listed.contains("no cached lookups"), "{listed}");
}
