//! The `Repository` L2: scanning, immutable tags, KMS, typed lifecycle rules, exact grants,
//! and a task definition that pulls a repository's image from another stack.

use rcdk_constructs::containers::{
    ContainerProps, FargateTaskDefinition, FargateTaskDefinitionProps,
};
use rcdk_constructs::ecr::{LifecycleRule, Repository, RepositoryProps};
use rcdk_constructs::iam::{Principal, Role, RoleProps};
use serde_json::json;

use crate::fixtures::{app, stack};
use crate::support::{assert_cfn_lint_clean, resource, synth, synth_err, template};

#[test]
fn a_repository_scans_keeps_tags_and_expires_old_images() {
    let a = app();
    let s = stack(&a, "images");
    Repository::new(&s, "Web", RepositoryProps::default());
    let assembly = synth(&a);
    let r = resource(&assembly, "images", "Web");
    assert_eq!(r["DeletionPolicy"], "Retain");
    let p = &r["Properties"];
    assert_eq!(p["ImageScanningConfiguration"], json!({"ScanOnPush": true}));
    assert_eq!(p["ImageTagMutability"], "IMMUTABLE");
    assert_eq!(
        p["EncryptionConfiguration"],
        json!({"EncryptionType": "KMS", "KmsKey": {"Fn::GetAtt": ["WebKey", "Arn"]}})
    );
    let rules: serde_json::Value = serde_json::from_str(
        p["LifecyclePolicy"]["LifecyclePolicyText"]
            .as_str()
            .expect("policy text"),
    )
    .expect("JSON");
    assert_eq!(
        rules,
        json!({"rules": [
            {"rulePriority": 1, "description": "Keep the last 50 tagged images", "action": {"type": "expire"},
             "selection": {"tagStatus": "tagged", "tagPatternList": ["*"], "countType": "imageCountMoreThan", "countNumber": 50}},
            {"rulePriority": 2, "description": "Expire untagged images after 7 days", "action": {"type": "expire"},
             "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days", "countNumber": 7}}
        ]})
    );
}

#[test]
fn grants_are_exact_and_a_task_pulls_only_its_repository() {
    let a = app();
    let images = stack(&a, "images");
    let repo = Repository::new(&images, "Web", RepositoryProps::default());
    let ci = Role::new(
        &images,
        "Ci",
        RoleProps::new(Principal::service("codebuild.amazonaws.com")),
    );
    repo.grant_push(&ci);
    let app_stack = stack(&a, "app");
    let task =
        FargateTaskDefinition::new(&app_stack, "Task", FargateTaskDefinitionProps::default());
    task.add_container("web", ContainerProps::new(repo.image("1.4.2")));
    let assembly = synth(&a);
    let arn = json!({"Fn::GetAtt": ["Web", "Arn"]});
    assert_eq!(
        resource(&assembly, "images", "Ci")["Properties"]["Policies"][0]["PolicyDocument"]["Statement"],
        json!([
            {"Effect": "Allow", "Action": ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"], "Resource": arn},
            {"Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"},
            {"Effect": "Allow", "Action": ["ecr:PutImage", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload"], "Resource": arn}
        ])
    );
    // The image and the execution role's pull statement name the repository across stacks.
    let t = template(&assembly, "app");
    let container = &t["Resources"]["Task"]["Properties"]["ContainerDefinitions"][0];
    assert_eq!(
        container["Image"],
        json!({"Fn::Join": ["", [{"Fn::ImportValue": "images:ExportsOutputFnGetAttWebRepositoryUri"}, ":1.4.2"]]})
    );
    let statements = t["Resources"]["TaskExecutionRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
        .as_array()
        .expect("statements")
        .clone();
    assert!(statements.contains(&json!({
        "Effect": "Allow",
        "Action": ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"],
        "Resource": {"Fn::ImportValue": "images:ExportsOutputFnGetAttWebArn"}
    })), "{statements:?}");
    let dir = tempfile::tempdir().expect("tempdir");
    a.synth_to(dir.path()).expect("synth");
    assert_cfn_lint_clean(&[
        dir.path().join("images.template.json"),
        dir.path().join("app.template.json"),
    ]);
}

#[test]
fn a_rule_that_keeps_nothing_is_refused() {
    let a = app();
    let s = stack(&a, "images");
    Repository::new(
        &s,
        "Web",
        RepositoryProps {
            lifecycle_rules: vec![LifecycleRule::KeepLastTagged(0)],
            ..RepositoryProps::default()
        },
    );
    let err = synth_err(&a).to_string();
    assert!(
        err.contains("images/Web: lifecycle rule KeepLastTagged(0) keeps nothing; give it a count or days of at least 1"),
        "{err}"
    );
}

#[test]
fn a_fixed_name_is_what_ecr_accepts() {
    let a = app();
    let s = stack(&a, "images");
    let named = |id: &str, name: &str| {
        Repository::new(
            &s,
            id,
            RepositoryProps {
                repository_name: Some(name.into()),
                ..RepositoryProps::default()
            },
        )
    };
    named("Web", "dev/web");
    named("Worker", "dev/team.jobs_worker-2");
    let assembly = synth(&a);
    assert_eq!(
        resource(&assembly, "images", "Web")["Properties"]["RepositoryName"],
        "dev/web"
    );
    for (i, bad) in ["Dev/web", "dev//web", "dev/web-", "x", "dev/-web"]
        .iter()
        .enumerate()
    {
        let a = app();
        let s = stack(&a, "images");
        Repository::new(
            &s,
            &format!("Bad{i}"),
            RepositoryProps {
                repository_name: Some((*bad).into()),
                ..RepositoryProps::default()
            },
        );
        let err = synth_err(&a).to_string();
        assert!(
            err.contains(&format!(
                "images/Bad{i}: repository_name '{bad}' is not an ECR name"
            )),
            "{bad}: {err}"
        );
    }
}

#[test]
fn other_accounts_may_pull_by_the_repository_policy_and_images_replicate_to_other_regions() {
    use rcdk_constructs::ecr::Replication;
    let a = app();
    let s = stack(&a, "images");
    Repository::new(
        &s,
        "Web",
        RepositoryProps {
            repository_name: Some("acme/web".into()),
            pull_accounts: vec!["111111111111".into(), "222222222222".into()],
            ..RepositoryProps::default()
        },
    );
    Replication::new(&s, "Replication", "acme/", &["us-west-2", "eu-west-1"]);
    let assembly = synth(&a);
    let policy = &resource(&assembly, "images", "Web")["Properties"]["RepositoryPolicyText"];
    assert_eq!(
        policy["Statement"],
        json!([{
            "Sid": "PullFromTheEnvironmentAccounts",
            "Effect": "Allow",
            "Principal": {"AWS": [
                {"Fn::Sub": "arn:${AWS::Partition}:iam::111111111111:root"},
                {"Fn::Sub": "arn:${AWS::Partition}:iam::222222222222:root"}
            ]},
            "Action": ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"]
        }])
    );
    let rules = &resource(&assembly, "images", "Replication")["Properties"]["ReplicationConfiguration"]
        ["Rules"];
    assert_eq!(
        rules,
        &json!([{
            "Destinations": [
                {"Region": "us-west-2", "RegistryId": {"Ref": "AWS::AccountId"}},
                {"Region": "eu-west-1", "RegistryId": {"Ref": "AWS::AccountId"}}
            ],
            "RepositoryFilters": [{"Filter": "acme/", "FilterType": "PREFIX_MATCH"}]
        }])
    );
    let dir = tempfile::tempdir().expect("tempdir");
    a.synth_to(dir.path()).expect("synth");
    assert_cfn_lint_clean(&[dir.path().join("images.template.json")]);
    // Without accounts, no policy: this account only.
    let a = app();
    let s = stack(&a, "images");
    Repository::new(&s, "Web", RepositoryProps::default());
    let assembly = synth(&a);
    assert!(
        resource(&assembly, "images", "Web")["Properties"]
            .get("RepositoryPolicyText")
            .is_none()
    );
}

#[test]
fn bad_pull_accounts_and_replication_without_regions_are_refused() {
    use rcdk_constructs::ecr::Replication;
    let a = app();
    let s = stack(&a, "images");
    Repository::new(
        &s,
        "Web",
        RepositoryProps {
            pull_accounts: vec!["dev".into()],
            ..RepositoryProps::default()
        },
    );
    Replication::new(&s, "Replication", "acme/", &[]);
    let err = synth_err(&a);
    assert!(
        err.mentions("pull_accounts: 'dev' is not an account id (12 digits)"),
        "{err}"
    );
    assert!(
        err.mentions("name at least one region to replicate to"),
        "{err}"
    );
}
