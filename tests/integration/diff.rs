//! Template differences: resources, replacement prediction, security changes, the
//! other sections; and `rcdk diff --template` with its exit codes.

use rcdk::diff::{Change, Replacement, SecurityKind, diff_templates, render_text, to_json};
use serde_json::{Value as J, json};

/// The text as a pipe sees it (colour codes are only written to terminals).
fn plain(s: String) -> String {
    anstream::adapter::strip_str(&s).to_string()
}

fn template(resources: J) -> J {
    json!({"AWSTemplateFormatVersion": "2010-09-09", "Resources": resources})
}

fn db(name: &str, storage: &str, subnet_group: J) -> J {
    json!({"Type": "AWS::RDS::DBInstance", "Properties": {
        "DBName": name, "AllocatedStorage": storage, "DBSubnetGroupName": subnet_group, "Engine": "postgres"
    }})
}

#[test]
fn identical_templates_have_no_differences() {
    let t = template(json!({"Db": db("app", "20", json!("group"))}));
    let d = diff_templates(&t, &t);
    assert!(d.is_empty());
    assert_eq!(
        plain(render_text("s", &d)),
        "Stack s\nThere were no differences\n"
    );
}

#[test]
fn resources_are_added_removed_and_modified_with_paths() {
    let old = template(
        json!({"Db": db("app", "20", json!("group")), "Old": {"Type": "AWS::SNS::Topic"}}),
    );
    let new = template(
        json!({"Db": db("app", "30", json!("group")), "Logs": {"Type": "AWS::Logs::LogGroup", "Properties": {"RetentionInDays": 30}}}),
    );
    let d = diff_templates(&old, &new);
    let summary: Vec<(&str, Change)> = d
        .resources
        .iter()
        .map(|r| (r.logical_id.as_str(), r.change))
        .collect();
    assert_eq!(
        summary,
        [
            ("Db", Change::Modified),
            ("Logs", Change::Added),
            ("Old", Change::Removed)
        ]
    );
    let change = &d.resources[0].changes[0];
    assert_eq!(change.path, "Properties.AllocatedStorage");
    assert_eq!(
        (change.old.clone(), change.new.clone()),
        (Some(json!("20")), Some(json!("30")))
    );
    assert_eq!(
        d.resources[0].replacement,
        Replacement::None,
        "storage changes in place"
    );
}

#[test]
fn create_only_properties_predict_replacement() {
    let old = template(json!({"Db": db("app", "20", json!("group"))}));
    let renamed = template(json!({"Db": db("shop", "20", json!("group"))}));
    let d = diff_templates(&old, &renamed);
    assert_eq!(d.resources[0].replacement, Replacement::Replace);
    assert_eq!(d.resources[0].changes[0].replacement, Replacement::Replace);
    // A new value known only at deploy may or may not differ from the deployed one.
    let referenced = template(json!({"Db": db("app", "20", json!({"Ref": "NewGroup"}))}));
    assert_eq!(
        diff_templates(&old, &referenced).resources[0].replacement,
        Replacement::MayReplace
    );
    let retyped = template(json!({"Db": {"Type": "AWS::RDS::DBCluster", "Properties": {}}}));
    let d = diff_templates(&old, &retyped);
    assert_eq!(d.resources[0].replacement, Replacement::Replace);
    assert_eq!(
        d.resources[0].resource_type,
        "AWS::RDS::DBInstance → AWS::RDS::DBCluster"
    );
    let text = plain(render_text("data", &diff_templates(&old, &renamed)));
    assert!(
        text.contains("[~] AWS::RDS::DBInstance Db (replace)"),
        "{text}"
    );
    assert!(
        text.contains("    Properties.DBName: \"app\" → \"shop\" (replace)"),
        "{text}"
    );
}

fn role(statements: J, managed: J) -> J {
    json!({"Type": "AWS::IAM::Role", "Properties": {
        "AssumeRolePolicyDocument": {},
        "ManagedPolicyArns": managed,
        "Policies": [{"PolicyName": "Default", "PolicyDocument": {"Version": "2012-10-17", "Statement": statements}}]
    }})
}

#[test]
fn security_changes_are_listed_and_broadening_is_detected() {
    let read = json!({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"});
    let write =
        json!({"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::b/*"});
    let deny = json!({"Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*"});
    let old = template(json!({"Role": role(json!([read, deny]), json!([]))}));
    // Removing an Allow narrows.
    let narrower = template(json!({"Role": role(json!([deny]), json!([]))}));
    let d = diff_templates(&old, &narrower);
    assert_eq!(d.security.len(), 1);
    assert!(!d.is_broadening());
    // Adding an Allow, dropping a Deny, adding a managed policy all broaden.
    let wider = template(
        json!({"Role": role(json!([read, write]), json!(["arn:aws:iam::aws:policy/ReadOnlyAccess"]))}),
    );
    let d = diff_templates(&old, &wider);
    assert!(d.is_broadening());
    let kinds: Vec<(SecurityKind, bool, bool)> = d
        .security
        .iter()
        .map(|s| (s.kind, s.added, s.broadening))
        .collect();
    assert_eq!(
        kinds,
        [
            (SecurityKind::IamStatement, true, true),
            (SecurityKind::ManagedPolicy, true, true),
            (SecurityKind::IamStatement, false, true)
        ]
    );
    let text = plain(render_text("app", &d));
    assert!(
        text.contains("Security changes (broadening: review before deploying)"),
        "{text}"
    );
    assert!(
        text.contains("+ managed policy on Role: \"arn:aws:iam::aws:policy/ReadOnlyAccess\""),
        "{text}"
    );
}

#[test]
fn security_group_rules_count_as_security_changes() {
    let sg = |ingress: J| {
        json!({"Type": "AWS::EC2::SecurityGroup", "Properties": {"GroupDescription": "d", "SecurityGroupIngress": ingress,
        "SecurityGroupEgress": [{"CidrIp": "255.255.255.255/32", "IpProtocol": "icmp", "FromPort": 252, "ToPort": 86}]}})
    };
    let old = template(json!({"Sg": sg(json!([]))}));
    let rule =
        json!({"CidrIp": "10.0.0.0/16", "IpProtocol": "tcp", "FromPort": 443, "ToPort": 443});
    let new = template(json!({
        "Sg": sg(json!([rule])),
        "FromApp": {"Type": "AWS::EC2::SecurityGroupIngress", "Properties": {"GroupId": {"Ref": "Sg"}, "IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "SourceSecurityGroupId": "sg-1"}}
    }));
    let d = diff_templates(&old, &new);
    let kinds: Vec<(&str, SecurityKind)> = d
        .security
        .iter()
        .map(|s| (s.resource.as_str(), s.kind))
        .collect();
    assert_eq!(
        kinds,
        [
            ("FromApp", SecurityKind::SecurityGroupIngress),
            ("Sg", SecurityKind::SecurityGroupIngress)
        ]
    );
    assert!(d.is_broadening());
}

#[test]
fn parameters_outputs_and_conditions_are_diffed() {
    let old = json!({"Parameters": {"Size": {"Type": "Number", "Default": 1}}, "Outputs": {"Url": {"Value": "a"}}, "Conditions": {}, "Resources": {}});
    let new = json!({"Parameters": {"Size": {"Type": "Number", "Default": 2}}, "Outputs": {"Url": {"Value": "a"}, "Arn": {"Value": {"Ref": "X"}}},
        "Conditions": {"IsProd": {"Fn::Equals": ["a", "b"]}}, "Description": "new", "Resources": {}});
    let d = diff_templates(&old, &new);
    assert_eq!(d.parameters[0].name, "Size");
    assert_eq!(d.parameters[0].changes[0].path, "Default");
    assert_eq!(
        (d.outputs[0].name.as_str(), d.outputs[0].change),
        ("Arn", Change::Added)
    );
    assert_eq!(
        (d.conditions[0].name.as_str(), d.conditions[0].change),
        ("IsProd", Change::Added)
    );
    assert_eq!(
        (d.other[0].name.as_str(), d.other[0].change),
        ("Description", Change::Added)
    );
    let j = to_json("s", &d);
    assert_eq!(j["differences"], true);
    assert_eq!(j["parameters"][0]["changes"][0]["old"], 1);
}

#[test]
fn cli_diff_against_a_golden_template_with_exit_codes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let app_dir = crate::local_endpoint::dev_assembly(&dir.path().join("asm"), None);
    let app = app_dir.display().to_string();
    let golden = crate::support::root()
        .join("snapshots/dev-app.snap")
        .display()
        .to_string();
    let run = |args: &[&str]| {
        let out = crate::local_endpoint::rcdk("http://127.0.0.1:9", args);
        let (stdout, stderr) = crate::local_endpoint::text(&out);
        (out.status.code(), stdout, stderr)
    };
    // The golden template is what the app synthesizes: no difference.
    let (code, stdout, _) = run(&[
        "diff",
        "--app",
        &app,
        "--template",
        &golden,
        "--fail",
        "dev-app",
    ]);
    assert_eq!(
        (code, stdout.as_str()),
        (Some(0), "Stack dev-app\nThere were no differences\n")
    );
    // An older template: differences, exit 1 with --fail, 0 without.
    let synthesized =
        std::fs::read_to_string(app_dir.join("dev-app.template.json")).expect("template");
    let older = synthesized.replacen("\"RetentionInDays\": 30", "\"RetentionInDays\": 14", 1);
    assert_ne!(older, synthesized);
    let old_path = dir.path().join("old.json");
    std::fs::write(&old_path, older).expect("write");
    let old = old_path.display().to_string();
    let (code, stdout, _) = run(&[
        "diff",
        "--app",
        &app,
        "--template",
        &old,
        "--fail",
        "dev-app",
    ]);
    assert_eq!(code, Some(1));
    assert!(
        stdout.contains(
            "[~] AWS::Logs::LogGroup WebAclLogs\n    Properties.RetentionInDays: 14 → 30\n"
        ),
        "{stdout}"
    );
    let (code, stdout, _) = run(&[
        "diff",
        "--app",
        &app,
        "--template",
        &old,
        "--json",
        "dev-app",
    ]);
    assert_eq!(code, Some(0));
    let j: J = serde_json::from_str(&stdout).expect("JSON");
    assert_eq!(j[0]["resources"][0]["logical_id"], "WebAclLogs");
    assert_eq!(j[0]["resources"][0]["changes"][0]["new"], 30);
    // Errors exit 2.
    let (code, _, stderr) = run(&[
        "diff",
        "--app",
        &app,
        "--template",
        "/nonexistent.json",
        "dev-app",
    ]);
    assert_eq!(code, Some(2), "{stderr}");
    let (code, _, stderr) = run(&["diff", "--app", &app, "--template", &old]);
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains("--template compares one stack, and 7 are selected"),
        "{stderr}"
    );
}

/// The pull-request comment of a real change: the web service's scaling minimum 1 → 2
/// and a new ingress rule, against golden templates (no AWS access).
#[test]
fn the_markdown_diff_of_a_pull_request_shows_the_change_its_security_and_its_cost() {
    use rcdk_constructs::connections::{HasConnections, Peer, Port};
    let dir = tempfile::tempdir().expect("tempdir");
    let golden = dir.path().join("golden");
    crate::l2_fixtures::web_app(false)
        .synth_to(&golden)
        .expect("synth");
    let next = dir.path().join("cdk.out");
    crate::l2_fixtures::web_app_with(false, |web| {
        // A scaled service's count is its scaling minimum (its template has no
        // DesiredCount): raising the minimum is what adds a task.
        let scaling = web
            .service
            .descendants()
            .into_iter()
            .filter_map(|d| d.as_resource())
            .find(|r| r.resource_type() == "AWS::ApplicationAutoScaling::ScalableTarget")
            .expect("the service's scalable target");
        scaling.add_property_override("MinCapacity", 2);
        web.service.connections().allow_from_peer(
            &Peer::ipv4("10.0.0.0/16"),
            Port::tcp(8080),
            "Health checks from the VPC",
        );
    })
    .synth_to(&next)
    .expect("synth");
    let (code, stdout, stderr) = crate::support::run_rcdk(&[
        "diff",
        "--app",
        &next.display().to_string(),
        "--snapshots",
        &golden.display().to_string(),
        "--format",
        "markdown",
        "--fail",
    ]);
    assert_eq!(code, Some(1), "{stderr}");
    let rule = r#"{"CidrIp":"10.0.0.0/16","Description":"Health checks from the VPC","FromPort":8080,"IpProtocol":"tcp","ToPort":8080}"#;
    assert_eq!(
        stdout,
        format!(
            "<!-- rcdk-diff -->
### rcdk diff: 1 of 3 stacks changed

| stack | added | modified | removed | replaced | security | monthly cost |
| --- | ---: | ---: | ---: | ---: | --- | --- |
| `app` | 0 | 2 | 0 | 0 | ⚠️ 1 (broadening) | $57.80 → $65.01 (+$7.21) |

Monthly cost, all stacks: $151.82 → $159.03 (+$7.21).

No differences: `network`, `data`.

<details>
<summary><code>app</code>: 2 modified · 1 security change (broadening) · monthly $57.80 → $65.01 (+$7.21)</summary>

````diff
  Security changes (broadening: review before deploying)
+ ingress rule on WebServiceSecurityGroup: {rule}
  Resources
! AWS::ApplicationAutoScaling::ScalableTarget WebServiceScalingTarget
!     Properties.MinCapacity: 1 → 2
! AWS::EC2::SecurityGroup WebServiceSecurityGroup
!     Properties.SecurityGroupIngress: (none) → [{rule}]
  Monthly cost
! WebServiceService 2 tasks (scaling minimum) × 730 h: 0.25 vCPU (arm): $5.91 → $11.82
! WebServiceService 2 tasks (scaling minimum) × 730 h: 0.5 GB memory: $1.30 → $2.60
````
</details>

"
        )
    );
    // A folder that is not there is an error, not "everything is new".
    let (code, _, stderr) = crate::support::run_rcdk(&[
        "diff",
        "--app",
        &next.display().to_string(),
        "--snapshots",
        &dir.path().join("missing").display().to_string(),
        "--format",
        "markdown",
    ]);
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains("missing: not a folder of golden templates"),
        "{stderr}"
    );
}

/// Too much for one comment: whole lines and sections only, closed blocks, a note.
#[test]
fn a_markdown_diff_too_long_for_a_comment_is_cut_with_a_note() {
    use rcdk::diff::{StackSection, render_markdown};
    let many = |n: usize| {
        let resources: serde_json::Map<String, J> = (0..n)
            .map(|i| (format!("Topic{i}"), json!({"Type": "AWS::SNS::Topic", "Properties": {"TopicName": format!("topic-{i}")}})))
            .collect();
        diff_templates(&J::Null, &template(J::Object(resources)))
    };
    let diffs: Vec<_> = (0..30).map(|_| many(40)).collect();
    let names: Vec<String> = (0..30).map(|i| format!("stack-{i}")).collect();
    let sections: Vec<StackSection<'_>> = diffs
        .iter()
        .zip(&names)
        .map(|(diff, stack)| StackSection {
            stack,
            diff,
            cost: None,
            cost_items: vec![],
        })
        .collect();
    let full = render_markdown(&sections, None, usize::MAX);
    assert_eq!(full.matches("<details>").count(), 30);
    let cut = render_markdown(&sections, None, 6000);
    assert!(cut.chars().count() <= 6000, "{}", cut.chars().count());
    // Every summary row is kept; sections are whole or cut at a line, and closed.
    assert_eq!(cut.matches("| `stack-").count(), 30);
    assert_eq!(
        cut.matches("<details>").count(),
        cut.matches("</details>").count()
    );
    assert_eq!(cut.matches("````").count() % 2, 0);
    assert!(
        cut.contains("more lines left out to fit the comment; run rcdk diff stack-"),
        "{cut}"
    );
    assert!(
        cut.ends_with("_Left out to fit GitHub's 6000-character comment: the end of stack-3's details, the details of 26 more stacks. `rcdk diff` prints all of it._\n"),
        "{cut}"
    );
    assert!(full.starts_with(&cut[..cut.find("<details>").unwrap_or(0)]));
    // More stacks than summary rows fit: the rows that fit, and no details.
    let names: Vec<String> = (0..300).map(|i| format!("stack-{i}")).collect();
    let one = many(1);
    let sections: Vec<StackSection<'_>> = names
        .iter()
        .map(|stack| StackSection {
            stack,
            diff: &one,
            cost: None,
            cost_items: vec![],
        })
        .collect();
    let cut = render_markdown(&sections, None, 6000);
    assert!(cut.chars().count() <= 6000);
    let rows = cut.matches("| `stack-").count();
    assert!((50..300).contains(&rows), "{rows}");
    assert!(
        cut.ends_with(&format!("comment: {} summary rows, the details of 300 more stacks. `rcdk diff` prints all of it._\n", 300 - rows)),
        "{cut}"
    );
}
