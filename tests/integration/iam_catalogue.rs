//! Policies checked against AWS's IAM action catalogue at every synthesis: what IAM
//! accepts and then never matches fails with the rule, the place and the fix, with or
//! without `posture::enforce`; a waiver with a reason lets a decision through; `rcdk
//! posture` reports the same on a hand-written template; the reference app's own
//! policies grant exact actions.

use rcdk::{App, Stack};
use rcdk_constructs::iam::{Operator, PolicyStatement, Principal, Role, RoleProps};
use rcdk_constructs::messaging::{Queue, QueueProps};
use rcdk_constructs::posture::{self, Rule};
use rcdk_constructs::storage::{Bucket, BucketProps};
use serde_json::Value as J;

use crate::fixtures::{app, stack};
use crate::support::{reference_assembly, resources_of_type, run_rcdk, synth, synth_err, template};

/// An app that does not enforce the posture: the catalogue's checks run regardless.
fn plain() -> (App, Stack) {
    let app = app();
    let s = stack(&app, "s");
    (app, s)
}

fn role(s: &Stack) -> Role {
    Role::new(
        s,
        "Reader",
        RoleProps::new(Principal::service("lambda.amazonaws.com")),
    )
}

/// The one problem of `rule` at `path`, its message after the rule id.
fn problem(app: &App, path: &str, rule: Rule) -> String {
    let err = synth_err(app);
    let found: Vec<&rcdk::Problem> = err
        .problems
        .iter()
        .filter(|p| p.path == path && p.message.starts_with(&format!("[{}]", rule.id())))
        .collect();
    assert_eq!(
        found.len(),
        1,
        "one {} problem at {path}:\n{err}",
        rule.id()
    );
    found[0].message[rule.id().len() + 3..].to_owned()
}

#[test]
fn a_misspelt_action_fails_synthesis_naming_the_real_one() {
    let (app, s) = plain();
    let bucket = Bucket::new(&s, "Reports", BucketProps::default());
    role(&s).add_to_policy(
        PolicyStatement::allow()
            .actions(["s3:GetObjet"])
            .resource(bucket.objects_arn("*")),
    );
    assert_eq!(
        problem(&app, "s/Reader", Rule::IamUnknownAction),
        "statement 1 of the inline policy 'Default': 's3:GetObjet' is not an action of Amazon S3; did you mean 's3:GetObject'? (or, if it is safe, posture::suppress(&resource, Rule::IamUnknownAction, \"why\"))"
    );
    let (app, s) = plain();
    role(&s).add_to_policy(
        PolicyStatement::allow()
            .actions(["dynamodbb:GetItem", "s3:Fly*"])
            .resource("*"),
    );
    let err = synth_err(&app).to_string();
    assert!(
        err.contains("'dynamodbb:GetItem' names no AWS service ('dynamodbb'); did you mean 'dynamodb:GetItem'?"),
        "{err}"
    );
    assert!(
        err.contains("'s3:Fly*' matches no action of Amazon S3"),
        "{err}"
    );
}

#[test]
fn a_resource_no_action_of_the_statement_acts_on_is_granted_on_nothing() {
    // The classic: an object action on the bucket's own ARN.
    let (app, s) = plain();
    let bucket = Bucket::new(&s, "Reports", BucketProps::default());
    role(&s).add_to_policy(
        PolicyStatement::allow()
            .actions(["s3:GetObject"])
            .resource(bucket.arn()),
    );
    let message = problem(&app, "s/Reader", Rule::IamResourceMismatch);
    assert!(
        message.starts_with("statement 1 of the inline policy 'Default': resource 's/Reports.Arn' is not a resource s3:GetObject can act on (s3:GetObject acts on accesspointobject"),
        "{message}"
    );
    // The objects' ARN is right, and so is a queue action on the queue.
    let (app, s) = plain();
    let bucket = Bucket::new(&s, "Reports", BucketProps::default());
    let queue = Queue::new(&s, "Jobs", QueueProps::default());
    let reader = role(&s);
    reader.add_to_policy(
        PolicyStatement::allow()
            .actions(["s3:GetObject"])
            .resource(bucket.objects_arn("reports/")),
    );
    reader.add_to_policy(
        PolicyStatement::allow()
            .actions(["sqs:ReceiveMessage"])
            .resource(queue.arn()),
    );
    synth(&app);
    // A table action on a queue: the reference resolves to the queue's ARN format.
    let (app, s) = plain();
    let queue = Queue::new(&s, "Jobs", QueueProps::default());
    role(&s).add_to_policy(
        PolicyStatement::allow()
            .actions(["dynamodb:GetItem"])
            .resource(queue.arn()),
    );
    let message = problem(&app, "s/Reader", Rule::IamResourceMismatch);
    assert!(
        message.contains("resource 's/Jobs.Arn' is not a resource dynamodb:GetItem can act on"),
        "{message}"
    );
}

#[test]
fn an_action_that_takes_no_resource_needs_star_and_star_needs_such_actions() {
    let (app, s) = plain();
    role(&s).add_to_policy(
        PolicyStatement::allow()
            .actions(["ecr:GetAuthorizationToken"])
            .resource("arn:aws:ecr:us-east-1:123456789012:repository/app"),
    );
    let err = synth_err(&app).to_string();
    assert!(
        err.contains("resource 'arn:aws:ecr:us-east-1:123456789012:repository/app' is not a resource ecr:GetAuthorizationToken can act on (ecr:GetAuthorizationToken acts on no resource (it needs \"*\"))"),
        "{err}"
    );
    let (app, s) = plain();
    role(&s).add_to_policy(
        PolicyStatement::allow()
            .actions(["ecr:GetAuthorizationToken", "xray:PutTraceSegments"])
            .resource("*"),
    );
    synth(&app);
    // `*` for an action that takes a resource fails even where the posture is not enforced.
    let (app, s) = plain();
    role(&s).add_to_policy(
        PolicyStatement::allow()
            .actions(["ecr:BatchGetImage", "ecr:GetAuthorizationToken"])
            .resource("*"),
    );
    assert!(
        problem(&app, "s/Reader", Rule::WildcardResource).starts_with(
            "statement 1 of the inline policy 'Default': allows ecr:BatchGetImage on every resource (*)"
        )
    );
}

#[test]
fn a_condition_key_no_action_takes_never_matches() {
    let (app, s) = plain();
    let bucket = Bucket::new(&s, "Reports", BucketProps::default());
    role(&s).add_to_policy(
        PolicyStatement::allow()
            .actions(["s3:ListBucket"])
            .resource(bucket.arn())
            .condition(Operator::StringLike, "s3:prefx", "reports/*")
            .condition(Operator::StringEquals, "aws:SourceAccount", "123456789012"),
    );
    assert_eq!(
        problem(&app, "s/Reader", Rule::IamConditionKey),
        "statement 1 of the inline policy 'Default': condition key 's3:prefx' is not a key s3:ListBucket takes, nor a global one: the condition never matches; did you mean 's3:prefix'? (or, if it is safe, posture::suppress(&resource, Rule::IamConditionKey, \"why\"))"
    );
}

#[test]
fn allow_with_not_action_fails_and_a_waiver_with_its_reason_lets_a_decision_through() {
    let statement = || {
        PolicyStatement::allow()
            .not_actions(["iam:*", "organizations:*"])
            .resource("*")
    };
    let (app, s) = plain();
    role(&s).add_to_policy(statement());
    assert!(
        problem(&app, "s/Reader", Rule::IamAllowWithNot).starts_with(
            "statement 1 of the inline policy 'Default': an Allow with NotAction grants every action but the listed ones, including actions AWS adds later; list what it allows in Action"
        )
    );
    let (app, s) = plain();
    let reader = role(&s);
    reader.add_to_policy(statement());
    posture::suppress(
        &reader,
        Rule::IamAllowWithNot,
        "Break-glass operator role: everything but identity and the organisation, agreed in SEC-42",
    );
    let assembly = synth(&app);
    let roles = resources_of_type(template(&assembly, "s"), "AWS::IAM::Role");
    let metadata = &roles[0].1["Metadata"];
    assert_eq!(
        metadata["rcdk:posture:suppressions"][0]["Rule"],
        "RCDK-IAM-ALLOW-NOT"
    );
    // A team coming from cfn_nag keeps its waiver: W15 asks what this rule asks of a role.
    let (app, s) = plain();
    let reader = role(&s);
    reader.add_to_policy(statement());
    reader.add_metadata(
        "cfn_nag",
        rcdk::Value::from(serde_json::json!({"rules_to_suppress": [
            {"id": "W15", "reason": "Break-glass operator role, agreed in SEC-42"}
        ]})),
    );
    synth(&app);
}

#[test]
fn rcdk_posture_reports_the_catalogues_findings_on_a_hand_written_template() {
    let template = crate::support::root().join("tests/integration/iam/policies.yaml");
    let (code, stdout, stderr) = run_rcdk(&[
        "posture",
        "--template",
        &template.display().to_string(),
        "--format",
        "json",
    ]);
    assert_eq!(code, Some(1), "a finding fails: {stderr}");
    let report: J = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"));
    let findings: Vec<(String, String, String)> = report[0]["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| {
            f["rule"]
                .as_str()
                .is_some_and(|r| r.starts_with("RCDK-IAM-"))
        })
        .map(|f| {
            let s = |k: &str| f[k].as_str().unwrap_or_default().to_owned();
            (s("rule"), s("logical_id"), s("problem"))
        })
        .collect();
    let expected = [
        (
            "RCDK-IAM-ALLOW-NOT",
            "Everything",
            "statement 1 of the policy: an Allow with NotAction grants every action but the listed ones, including actions AWS adds later",
        ),
        (
            "RCDK-IAM-CONDITION-KEY",
            "Reader",
            "statement 7 of the inline policy 'Reads': condition key 's3:prefx' is not a key s3:ListBucket takes, nor a global one: the condition never matches",
        ),
        (
            "RCDK-IAM-RESOURCE-MISMATCH",
            "Reader",
            "statement 5 of the inline policy 'Reads': resource 'policies/Template/Reports.Arn' is not a resource s3:GetObject can act on",
        ),
        (
            "RCDK-IAM-RESOURCE-MISMATCH",
            "Reader",
            "statement 6 of the inline policy 'Reads': resource 'policies/Template/Reports.Arn' is not a resource dynamodb:GetItem can act on",
        ),
        (
            "RCDK-IAM-UNKNOWN-ACTION",
            "Reader",
            "statement 4 of the inline policy 'Reads': 's3:GetObjet' is not an action of Amazon S3",
        ),
        // The posture's own rule reads NotAction as every action.
        (
            "RCDK-IAM-WILDCARD-ACTION",
            "Everything",
            "statement 1 of the policy allows every action (*)",
        ),
    ];
    assert_eq!(findings.len(), expected.len(), "{findings:#?}");
    for ((rule, id, problem), (want_rule, want_id, want_problem)) in
        findings.iter().zip(expected.iter())
    {
        assert_eq!((rule.as_str(), id.as_str()), (*want_rule, *want_id));
        assert!(
            problem.starts_with(want_problem),
            "{problem}\nshould start with\n{want_problem}"
        );
    }
}

/// rcdk's own constructs grant exact actions: no wildcard in any Allow of the reference
/// app but `kms:*` for the account itself in key policies (AWS's default key policy:
/// without it a key whose other statements go wrong can no longer be managed).
#[test]
fn the_reference_apps_policies_grant_exact_actions() {
    let dir = tempfile::tempdir().expect("tempdir");
    let assembly = reference_assembly(dir.path());
    let mut statements = 0;
    let mut wildcards = Vec::new();
    for stack in &assembly.stacks {
        for (id, r) in stack.template["Resources"]
            .as_object()
            .into_iter()
            .flatten()
        {
            let mut documents: Vec<&J> = vec![
                &r["Properties"]["PolicyDocument"],
                &r["Properties"]["KeyPolicy"],
                &r["Properties"]["AssumeRolePolicyDocument"],
            ];
            documents.extend(
                r["Properties"]["Policies"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|p| &p["PolicyDocument"]),
            );
            for s in documents
                .into_iter()
                .flat_map(|d| d["Statement"].as_array().into_iter().flatten())
            {
                statements += 1;
                if s["Effect"] != "Allow" {
                    continue;
                }
                let actions: Vec<&str> = match &s["Action"] {
                    J::String(one) => vec![one.as_str()],
                    J::Array(many) => many.iter().filter_map(J::as_str).collect(),
                    _ => Vec::new(),
                };
                let account_admin = r["Type"] == "AWS::KMS::Key"
                    && actions == ["kms:*"]
                    && s["Principal"]["AWS"]["Fn::Sub"]
                        .as_str()
                        .is_some_and(|p| p.ends_with(":root"));
                for a in actions.iter().filter(|a| a.contains(['*', '?'])) {
                    if !account_admin {
                        wildcards.push(format!("{}/{id}: {a}", stack.stack_name));
                    }
                }
            }
        }
    }
    assert!(statements > 300, "{statements} statements");
    assert!(wildcards.is_empty(), "{wildcards:#?}");
}
