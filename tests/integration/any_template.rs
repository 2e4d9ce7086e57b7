//! rcdk's checks on templates it did not write: an existing template included in a stack
//! as written (`rcdk::include`), and `rcdk posture`, `cost` and `diff` on hand-written
//! CloudFormation and on an AWS CDK assembly (`templates/cdk-app`, in the layout `cdk
//! synth` writes: CDK-style logical ids, `aws:cdk:path`, CDKMetadata, the bootstrap-version
//! parameter and rule, cdk-nag and cfn_nag suppressions).

use std::path::PathBuf;

use rcdk::include::Template;
use rcdk::{App, Stack, StackProps};
use serde_json::{Value as J, json};

use crate::support::run_rcdk;

fn templates() -> PathBuf {
    crate::support::root().join("tests/integration/templates")
}

fn path(name: &str) -> String {
    templates().join(name).display().to_string()
}

fn source(name: &str) -> J {
    let text = std::fs::read_to_string(templates().join(name)).expect("template");
    rcdk::diff::parse_template(&text).expect("parses")
}

#[test]
fn an_included_template_synthesizes_as_written_and_its_elements_are_reachable() {
    let app = App::with_context(Default::default(), "cdk.out");
    let stack = Stack::new(&app, "legacy", StackProps::default());
    let original = source("legacy.yaml");
    let legacy = Template::from_value(&stack, "Legacy", original.clone()).expect("included");
    let assembly = crate::support::synth(&app);
    // Every section and attribute as written: YAML short forms, DependsOn as a string, a
    // one-item Transform list, numbers in AllowedValues, unsorted tags, an output named
    // like a resource, no path or tag of rcdk's.
    assert_eq!(assembly.stacks[0].template, original);

    let logs = legacy.resource("Logs").expect("a resource of the template");
    assert_eq!(logs.resource_type(), "AWS::S3::Bucket");
    assert!(legacy.parameter("Env").is_ok() && legacy.condition("IsProd").is_ok());
    assert!(legacy.mapping("Sizes").is_ok() && legacy.output("LogsArn").is_ok());
    let err = legacy.resource("Log").expect_err("no such resource");
    assert_eq!(
        err.to_string(),
        "the included template has no resource 'Log'; it has: Data, Group, Instance, Logs"
    );
    // New typed code beside it references it, and its resources can change.
    let app = App::with_context(Default::default(), "cdk.out");
    let stack = Stack::new(&app, "legacy", StackProps::default());
    let legacy = Template::from_value(&stack, "Legacy", original).expect("included");
    let logs = legacy.resource("Logs").expect("Logs");
    rcdk::CfnResource::raw(
        &stack,
        "Reader",
        "AWS::IAM::Policy",
        rcdk::Value::object([
            ("PolicyName", rcdk::Value::from("read-logs")),
            ("Bucket", rcdk::Value::from(logs.get_att::<String>("Arn"))),
        ]),
    );
    logs.add_property_override("VersioningConfiguration.Status", "Enabled");
    let t = &crate::support::synth(&app).stacks[0].template;
    assert_eq!(
        t["Resources"]["Reader"]["Properties"]["Bucket"],
        json!({"Fn::GetAtt": ["Logs", "Arn"]})
    );
    assert_eq!(
        t["Resources"]["Logs"]["Properties"]["VersioningConfiguration"],
        json!({"Status": "Enabled"})
    );
}

#[test]
fn a_template_rcdk_cannot_keep_as_written_is_an_error_naming_the_place() {
    let include = |template: J| {
        let app = App::with_context(Default::default(), "cdk.out");
        let stack = Stack::new(&app, "s", StackProps::default());
        Template::from_value(&stack, "T", template)
            .map(|_| ())
            .map_err(|e| e.to_string())
    };
    assert_eq!(
        include(json!({"Resources": {}, "Outputz": {}})).unwrap_err(),
        "template.Outputz: is not a template section (AWSTemplateFormatVersion, Description, Metadata, Transform, Parameters, Rules, Mappings, Conditions, Resources, Outputs, and Globals with the SAM transform)"
    );
    assert_eq!(
        include(json!({"Resources": {"B": {"Properties": {}}}})).unwrap_err(),
        "Resources.B: needs a Type"
    );
    assert!(
        include(json!({"Resources": {"Net": {"Type": {"Rain::Module": "vpc.yml"}}}}))
            .unwrap_err()
            .starts_with("Resources.Net.Type: must be a resource type name (AWS::Service::Resource); {\"Rain::Module\":\"vpc.yml\"} is another tool's syntax")
    );
    assert_eq!(
        include(json!({"Resources": {"B": {"Type": "AWS::S3::Bucket", "DeletionPolicy": "Keep"}}}))
            .unwrap_err(),
        "Resources.B.DeletionPolicy: must be Delete, Retain, RetainExceptOnCreate or Snapshot"
    );
    assert_eq!(
        include(json!({"Resources": {"B": {"Type": "AWS::S3::Bucket", "DependsOn": "Nope"}}}))
            .unwrap_err(),
        "Resources.B.DependsOn: 'Nope' is not a resource of the template"
    );
    assert_eq!(
        include(
            json!({"Parameters": {"P": {"Type": "String", "MinLength": "x"}}, "Resources": {}})
        )
        .unwrap_err(),
        "Parameters.P.MinLength: must be a number"
    );
    // What a transform expands, and a macro's own attributes, are kept as written.
    let app = App::with_context(Default::default(), "cdk.out");
    let stack = Stack::new(&app, "s", StackProps::default());
    let foreach = json!({
        "Transform": "AWS::LanguageExtensions",
        "Resources": {
            "Fn::ForEach::Buckets": ["Name", ["A", "B"], {"${Name}": {"Type": "AWS::S3::Bucket"}}],
            "Readme": {"Type": "AWS::S3::Object", "Mode": "Boto3", "Properties": {"Body": "x"}}
        }
    });
    Template::from_value(&stack, "T", foreach.clone()).expect("included");
    assert_eq!(
        crate::support::synth(&app).stacks[0].template["Resources"],
        foreach["Resources"]
    );
}

fn posture_json(args: &[&str]) -> (Option<i32>, J) {
    let mut all = vec!["posture"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--format", "json"]);
    let (code, stdout, stderr) = run_rcdk(&all);
    let report = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}{stderr}"));
    (code, report)
}

type Triple = (String, String, String);

/// `(rule, path, logical id)` of each finding, and `(rule, logical id, reason)` of each waiver.
fn summary(stack: &J) -> (Vec<Triple>, Vec<Triple>) {
    let s = |v: &J| v.as_str().unwrap_or_default().to_owned();
    let findings = stack["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| (s(&f["rule"]), s(&f["path"]), s(&f["logical_id"])))
        .collect();
    let waivers = stack["waivers"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|w| (s(&w["rule"]), s(&w["logical_id"]), s(&w["reason"])))
        .collect();
    (findings, waivers)
}

fn triples(items: &[(&str, &str, &str)]) -> Vec<Triple> {
    items
        .iter()
        .map(|(a, b, c)| ((*a).to_owned(), (*b).to_owned(), (*c).to_owned()))
        .collect()
}

#[test]
fn posture_checks_an_aws_cdk_assembly_and_honours_cdk_nag_and_cfn_nag_waivers() {
    let (code, report) = posture_json(&["--app", &path("cdk-app")]);
    assert_eq!(code, Some(1), "a finding fails: {report}");
    let web = &report[0];
    assert_eq!(web["stack"], "WebStack");
    assert_eq!(web["checked_from_template"], true);
    assert_eq!(web["rules"].as_array().map(Vec::len), Some(35));
    let (findings, waivers) = summary(web);
    // The listener's 2016 policy, the missing web ACL and backup plan; not the load balancer's
    // security group (443 from anywhere, on an internet-facing ALB), not the database's
    // string booleans ("false", "true": CloudFormation reads them as booleans).
    assert_eq!(
        findings,
        triples(&[
            (
                "RCDK-BACKUP-PLAN",
                "WebStack/Database/Resource",
                "Database9B6D8F1C"
            ),
            (
                "RCDK-ELB-TLS",
                "WebStack/Lb/Https/Resource",
                "LbHttpsListener9A8C2F10"
            ),
            ("RCDK-ELB-WAF", "WebStack/Lb/Resource", "LbB2E6D4C1"),
        ])
    );
    // cdk-nag's S1 and RDS3 and cfn_nag's W52 ask what RCDK-S3-ACCESS-LOGS,
    // RCDK-RDS-MULTI-AZ and RCDK-ELB-ACCESS-LOGS ask: those findings are waived; RDS11
    // has no rcdk rule and is counted all the same.
    assert_eq!(
        waivers,
        triples(&[
            (
                "cdk_nag AwsSolutions-RDS11",
                "Database9B6D8F1C",
                "The port is not a secret"
            ),
            (
                "cdk_nag AwsSolutions-RDS3",
                "Database9B6D8F1C",
                "A single-AZ staging copy, rebuilt from snapshots"
            ),
            (
                "cdk_nag AwsSolutions-S1",
                "Site0EB6D35B",
                "The site's requests are logged by CloudFront, which fronts the bucket"
            ),
            (
                "cfn_nag W52",
                "LbB2E6D4C1",
                "Access logs go to the central logging account's bucket through Firehose"
            ),
        ])
    );
    let (_, text, stderr) = run_rcdk(&["posture", "--app", &path("cdk-app")]);
    assert!(
        text.contains("FINDING RCDK-ELB-TLS WebStack/Lb/Https/Resource (LbHttpsListener9A8C2F10): the HTTPS listener's SslPolicy ELBSecurityPolicy-2016-08 allows TLS below 1.2"),
        "{text}"
    );
    assert!(
        !stderr.contains("aws:cdk:logicalId") && !stderr.contains("info:"),
        "{stderr}"
    );
}

#[test]
fn posture_checks_hand_written_templates_and_reads_every_scanners_waivers() {
    let (code, report) = posture_json(&["--template", &templates().display().to_string()]);
    assert_eq!(code, Some(1));
    let stacks: Vec<&str> = report
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s["stack"].as_str())
        .collect();
    // The folder's templates (the CDK assembly's own template among them), each a stack
    // named after its file.
    assert_eq!(stacks, ["WebStack", "legacy", "network"]);
    let (findings, waivers) = summary(&report[1]);
    let bucket = |rule: &str, id: &str| (rule.to_owned(), id.to_owned(), id.to_owned());
    assert_eq!(
        findings,
        vec![
            bucket("RCDK-EC2-IMDSV2", "Instance"),
            bucket("RCDK-ENCRYPTION-AT-REST", "Data"),
            bucket("RCDK-ENCRYPTION-AT-REST", "Group"),
            bucket("RCDK-ENCRYPTION-AT-REST", "Logs"),
            bucket("RCDK-S3-PUBLIC-ACCESS", "Data"),
            bucket("RCDK-S3-PUBLIC-ACCESS", "Logs"),
            bucket("RCDK-S3-TLS", "Data"),
            bucket("RCDK-S3-TLS", "Logs"),
            // Logs receives Data's access logs, so it need not log itself; Data logs.
            bucket("RCDK-S3-VERSIONING", "Logs"),
        ]
    );
    assert!(waivers.is_empty());
    // The instance type comes from a mapping keyed by a parameter: read with its default,
    // and the report says so; a resource without such values carries no note.
    let note = |id: &str| {
        report[1]["findings"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|f| f["logical_id"] == id)
            .map(|f| f["note"].clone())
    };
    assert_eq!(
        note("Instance"),
        Some(json!("read with the parameters' defaults"))
    );
    assert_eq!(note("Logs"), Some(J::Null));
    let (findings, waivers) = summary(&report[2]);
    assert_eq!(
        findings,
        vec![
            bucket("RCDK-ENCRYPTION-AT-REST", "Flows"),
            // "false" as CloudFormation reads it.
            bucket("RCDK-KMS-ROTATION", "Key"),
            bucket("RCDK-SG-WIDE-EGRESS", "Bastion"),
        ]
    );
    // checkov's CKV_AWS_24 (port 22 from anywhere) waives RCDK-SG-OPEN-INGRESS; Guard and
    // cfn-lint keep no reason, and the report says so.
    assert_eq!(
        waivers,
        triples(&[
            ("cfn-lint W3010", "Vpc", "(no reason written)"),
            (
                "checkov CKV_AWS_24",
                "Bastion",
                "Behind the office VPN; the CIDR is opened only for incident response"
            ),
            (
                "guard CLOUDWATCH_LOG_GROUP_ENCRYPTED",
                "Flows",
                "(no reason written)"
            ),
        ])
    );
    // Markdown for a pull request names the resource by path and logical id.
    let (_, md, _) = run_rcdk(&[
        "posture",
        "--template",
        &path("network.json"),
        "--format",
        "markdown",
    ]);
    assert!(
        md.contains("| network | RCDK-KMS-ROTATION | `Key` |"),
        "{md}"
    );
}

#[test]
fn a_template_the_rules_cannot_run_on_is_reported_and_the_others_still_are() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::copy(
        templates().join("network.json"),
        dir.path().join("network.json"),
    )
    .expect("copy");
    std::fs::write(
        dir.path().join("rain.json"),
        r#"{"Resources": {"Net": {"Type": {"Rain::Module": "vpc.yml"}}}}"#,
    )
    .expect("write");
    let (code, report) = posture_json(&["--template", &dir.path().display().to_string()]);
    assert_eq!(code, Some(1));
    assert_eq!(report[0]["stack"], "network");
    assert_eq!(report[0]["findings"].as_array().map(Vec::len), Some(3));
    assert_eq!(report[1]["stack"], "rain");
    assert!(
        report[1]["error"].as_str().is_some_and(
            |e| e.contains("rain.json: Resources.Net.Type: must be a resource type name")
        ),
        "{report}"
    );
}

#[test]
fn the_reference_apps_posture_is_the_same_checked_in_the_app_or_from_its_assembly() {
    let dir = tempfile::tempdir().expect("tempdir");
    // As `rcdk posture` runs an app: report mode, the findings recorded at synthesis.
    let in_app = dir.path().join("report");
    let app = App::with_context(Default::default(), &in_app);
    app.set_context(rcdk::posture::REPORT_CONTEXT, json!(true));
    rcdk_apps::build(&app).expect("the app builds");
    app.synth_to(&in_app).expect("synthesizes");
    // A plain assembly, as CI or another tool has it: the rules run on its templates.
    let plain = dir.path().join("plain");
    crate::support::reference_assembly(&plain);
    let (_, enforced) = posture_json(&["--app", &in_app.display().to_string()]);
    let (code, checked) = posture_json(&["--app", &plain.display().to_string()]);
    assert_eq!(code, Some(0), "{checked}");
    let stacks = enforced.as_array().map(Vec::len).unwrap_or_default();
    assert_eq!(stacks, 30);
    let mut waivers = 0;
    for (a, b) in enforced
        .as_array()
        .into_iter()
        .flatten()
        .zip(checked.as_array().into_iter().flatten())
    {
        assert_eq!(a["stack"], b["stack"]);
        assert_eq!(
            (a["enforced"].clone(), b["checked_from_template"].clone()),
            (json!(true), json!(true))
        );
        assert_eq!(a["rules"], b["rules"]);
        assert_eq!(a["findings"], b["findings"], "{}", a["stack"]);
        assert_eq!(a["waivers"], b["waivers"], "{}", a["stack"]);
        waivers += a["waivers"].as_array().map(Vec::len).unwrap_or_default();
    }
    assert!(
        waivers > 50,
        "the comparison covers the app's waivers: {waivers}"
    );
}

#[test]
fn cost_and_diff_work_on_template_files_without_an_app() {
    let (code, stdout, stderr) = run_rcdk(&[
        "cost",
        "--template",
        &path("cdk-app/WebStack.template.json"),
        "--region",
        "us-east-1",
        "--format",
        "json",
    ]);
    assert_eq!(code, Some(0), "{stderr}");
    let cost: J = serde_json::from_str(&stdout).expect("JSON");
    let stack = &cost["stacks"][0];
    assert_eq!(stack["name"], "WebStack", "{cost}");
    let free: Vec<&str> = stack["free"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|i| i["logical_id"].as_str())
        .collect();
    assert!(free.contains(&"CDKMetadata"), "{cost}");
    let items: Vec<&str> = stack["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|i| i["logical_id"].as_str())
        .collect();
    assert!(
        items.contains(&"Database9B6D8F1C") && items.contains(&"LbB2E6D4C1"),
        "{cost}"
    );

    // A pull request's change to a hand-written template: the resource diff, the
    // security change and the cost delta from two files.
    let dir = tempfile::tempdir().expect("tempdir");
    let new = dir.path().join("WebStack.template.json");
    let mut t = source("cdk-app/WebStack.template.json");
    t["Resources"]["Database9B6D8F1C"]["Properties"]["DBInstanceClass"] = json!("db.r6g.large");
    t["Resources"]["Database9B6D8F1C"]["Properties"]["MultiAZ"] = json!(true);
    t["Resources"]["LbSecurityGroup0E3F5D22"]["Properties"]["SecurityGroupIngress"][0]["FromPort"] =
        json!(22);
    t["Resources"]["LbSecurityGroup0E3F5D22"]["Properties"]["SecurityGroupIngress"][0]["ToPort"] =
        json!(22);
    std::fs::write(&new, serde_json::to_string_pretty(&t).expect("json")).expect("write");
    let (code, md, stderr) = run_rcdk(&[
        "diff",
        "--template",
        &path("cdk-app/WebStack.template.json"),
        "--template-new",
        &new.display().to_string(),
        "--format",
        "markdown",
        "--fail",
    ]);
    assert_eq!(code, Some(1), "differences with --fail: {md}{stderr}");
    assert!(md.contains("WebStack"), "{md}");
    assert!(
        md.contains("DBInstanceClass") && md.contains("db.r6g.large"),
        "{md}"
    );
    assert!(
        md.contains("monthly cost") && md.contains("(broadening)"),
        "{md}"
    );
    // The same from folders: the base branch's templates against the head's.
    let (code, text, stderr) = run_rcdk(&[
        "diff",
        "--snapshots",
        &path("cdk-app"),
        "--template-new",
        &dir.path().display().to_string(),
    ]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(text.contains("DBInstanceClass"), "{text}");
}

#[test]
fn a_real_aws_cdk_apps_assembly_gets_posture_cost_and_diff() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("cdk.out");
    crate::support::aws_cdk_assembly(&out);
    let app = out.display().to_string();
    let (code, report) = posture_json(&["--app", &app]);
    assert_eq!(code, Some(1), "{report}");
    let (findings, waivers) = summary(&report[0]);
    let ids: Vec<(&str, &str)> = findings
        .iter()
        .map(|(rule, _, id)| (rule.as_str(), id.as_str()))
        .collect();
    // What the CDK's defaults leave open, by rcdk's rules: the load balancer's logs,
    // deletion protection, header check and web ACL; AWS-managed keys where rcdk asks for
    // a customer's (RDS's default key, the secret's, the log group's), a queue whose
    // template does not say SSE-SQS, an unrotated secret, a security group open to all
    // egress, a database in no backup plan. Not the load balancer's security group (443
    // from anywhere, on an internet-facing ALB), not the private database's reachability.
    assert_eq!(
        ids,
        [
            ("RCDK-BACKUP-PLAN", "DatabaseB269D8BB"),
            ("RCDK-ELB-ACCESS-LOGS", "Lb1928D9D6"),
            ("RCDK-ELB-DELETION-PROTECTION", "Lb1928D9D6"),
            ("RCDK-ELB-INVALID-HEADERS", "Lb1928D9D6"),
            ("RCDK-ELB-WAF", "Lb1928D9D6"),
            ("RCDK-ENCRYPTION-AT-REST", "AppLogsC5DF83A6"),
            ("RCDK-ENCRYPTION-AT-REST", "DatabaseB269D8BB"),
            ("RCDK-ENCRYPTION-AT-REST", "DatabaseSecret3B817195"),
            ("RCDK-ENCRYPTION-AT-REST", "JobsDF1CC2D4"),
            ("RCDK-SECRET-ROTATION", "DatabaseSecret3B817195"),
            ("RCDK-SG-WIDE-EGRESS", "DatabaseSecurityGroup5C91FDCB"),
        ]
    );
    // Construct paths come from the CDK's aws:cdk:path.
    assert!(
        findings.contains(&(
            "RCDK-ELB-WAF".to_owned(),
            "WebStack/Lb/Resource".to_owned(),
            "Lb1928D9D6".to_owned()
        )),
        "{findings:?}"
    );
    assert_eq!(
        waivers,
        triples(&[
            (
                "cdk_nag AwsSolutions-RDS3",
                "DatabaseB269D8BB",
                "Staging copy in one AZ, rebuilt from snapshots"
            ),
            (
                "cdk_nag AwsSolutions-S1",
                "Assets9A31D427",
                "Served through CloudFront, which logs every request"
            ),
        ])
    );
    // The template alone gives the same report.
    let template = out.join("WebStack.template.json").display().to_string();
    let (_, alone) = posture_json(&["--template", &template]);
    assert_eq!(alone[0]["findings"], report[0]["findings"]);

    let (code, stdout, stderr) = run_rcdk(&["--app", &app, "cost", "--format", "json"]);
    assert_eq!(code, Some(0), "{stderr}");
    let cost: J = serde_json::from_str(&stdout).expect("JSON");
    let priced: Vec<&str> = cost["stacks"][0]["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|i| i["type"].as_str())
        .collect();
    for t in [
        "AWS::ElasticLoadBalancingV2::LoadBalancer",
        "AWS::RDS::DBInstance",
        "AWS::EC2::NatGateway",
    ] {
        assert!(priced.contains(&t), "{t} priced: {cost}");
    }
    // Its own assembly as golden files: no differences.
    let (code, text, stderr) = run_rcdk(&["--app", &app, "diff", "--snapshots", &app, "--fail"]);
    assert_eq!(code, Some(0), "{text}{stderr}");
}

#[test]
fn parameter_defaults_decide_what_the_rules_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    let versioning = |default: &str| {
        let file = dir.path().join(format!("bucket-{default}.json"));
        let template = json!({
            "Parameters": {"Env": {"Type": "String", "Default": default}},
            "Conditions": {"IsProd": {"Fn::Equals": [{"Ref": "Env"}, "prod"]}},
            "Resources": {"Data": {"Type": "AWS::S3::Bucket", "Properties": {
                "VersioningConfiguration": {"Status": {"Fn::If": ["IsProd", "Enabled", "Suspended"]}}
            }}}
        });
        std::fs::write(&file, template.to_string()).expect("write");
        let (_, report) = posture_json(&["--template", &file.display().to_string()]);
        report[0]["findings"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|f| f["rule"] == "RCDK-S3-VERSIONING")
            .map(|f| f["note"].clone())
    };
    // Deployed with its default, prod's bucket is versioned; dev's is not, and the
    // finding says how the value was read.
    assert_eq!(versioning("prod"), None);
    assert_eq!(
        versioning("dev"),
        Some(json!("read with the parameters' defaults"))
    );
}
