//! Delivery from GitHub Actions: the OIDC provider, a deploy role with an exact trust
//! (repository, refs/environments, audience, one hour) and exactly what `rcdk deploy`
//! needs for the named stacks, the execution role it passes; validations; cfn-lint.

use rcdk_constructs::delivery::{
    ExecutionRole, ExecutionRoleProps, GithubDeployRole, GithubDeployRoleProps, GithubOidcProvider,
    GithubSubject,
};
use rcdk_constructs::iam::aws_managed_policy;
use serde_json::json;

use crate::fixtures::{app, stack};
use crate::support::{assert_cfn_lint_clean, resource, synth, synth_err};

fn identity() -> rcdk::App {
    let a = app();
    let s = stack(&a, "identity");
    let github = GithubOidcProvider::new(&s, "GitHub");
    let execution = ExecutionRole::new(
        &s,
        "ProdExecution",
        ExecutionRoleProps::new(vec![aws_managed_policy("PowerUserAccess")]),
    );
    GithubDeployRole::new(
        &s,
        "ProdDeploy",
        GithubDeployRoleProps::new(
            &github,
            "acme/web",
            vec![
                GithubSubject::Environment("prod".into()),
                GithubSubject::Branch("main".into()),
            ],
            vec!["prod-*".into()],
            execution.arn(),
        ),
    );
    a
}

#[test]
fn the_deploy_role_trusts_one_repository_and_may_only_deploy_its_stacks() {
    let a = identity();
    let assembly = synth(&a);
    let provider = &resource(&assembly, "identity", "GitHub")["Properties"];
    assert_eq!(
        provider["Url"],
        "https://token.actions.githubusercontent.com"
    );
    assert_eq!(provider["ClientIdList"], json!(["sts.amazonaws.com"]));
    let role = &resource(&assembly, "identity", "ProdDeploy")["Properties"];
    assert_eq!(role["MaxSessionDuration"], 3600);
    assert_eq!(
        role["AssumeRolePolicyDocument"]["Statement"],
        json!([{
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Effect": "Allow",
            "Principal": {"Federated": {"Ref": "GitHub"}},
            "Condition": {"StringEquals": {
                "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
                "token.actions.githubusercontent.com:sub": [
                    "repo:acme/web:environment:prod",
                    "repo:acme/web:ref:refs/heads/main"
                ]
            }}
        }])
    );
    let stack = |name: &str| json!({"Fn::Sub": format!("arn:${{AWS::Partition}}:cloudformation:${{AWS::Region}}:${{AWS::AccountId}}:stack/{name}/*")});
    let bucket = json!({"Fn::Sub": "arn:${AWS::Partition}:s3:::rcdk-assets-${AWS::AccountId}-${AWS::Region}"});
    assert_eq!(
        role["Policies"][0]["PolicyDocument"]["Statement"],
        json!([
            {"Sid": "DeployTheNamedStacks", "Effect": "Allow", "Action": [
                "cloudformation:CreateChangeSet", "cloudformation:DescribeChangeSet",
                "cloudformation:ExecuteChangeSet", "cloudformation:DeleteChangeSet",
                "cloudformation:DescribeStacks", "cloudformation:DescribeStackEvents",
                "cloudformation:GetTemplate", "cloudformation:UpdateTerminationProtection",
                "cloudformation:DeleteStack"],
             "Resource": stack("prod-*")},
            {"Sid": "ReadTheBootstrapStack", "Effect": "Allow", "Action": "cloudformation:DescribeStacks", "Resource": stack("RcdkToolkit")},
            {"Sid": "SeeWhoImportsExports", "Effect": "Allow", "Action": "cloudformation:ListImports", "Resource": "*"},
            {"Sid": "UploadAssetsAndTemplates", "Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"],
             "Resource": {"Fn::Join": ["", [bucket.clone(), "/*"]]}},
            {"Sid": "SeeWhichAssetsExist", "Effect": "Allow", "Action": "s3:ListBucket", "Resource": bucket},
            {"Sid": "CarryCrossRegionValues", "Effect": "Allow", "Action": "ssm:PutParameter",
             "Resource": {"Fn::Sub": "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/rcdk/cross-region/*"}},
            {"Sid": "PassTheExecutionRole", "Effect": "Allow", "Action": "iam:PassRole",
             "Resource": {"Fn::GetAtt": ["ProdExecution", "Arn"]},
             "Condition": {"StringEquals": {"iam:PassedToService": "cloudformation.amazonaws.com"}}}
        ])
    );
    let execution = &resource(&assembly, "identity", "ProdExecution")["Properties"];
    assert_eq!(
        execution["AssumeRolePolicyDocument"]["Statement"],
        json!([{"Action": "sts:AssumeRole", "Effect": "Allow", "Principal": {"Service": "cloudformation.amazonaws.com"}}])
    );
    assert_eq!(
        execution["ManagedPolicyArns"],
        json!([{"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/PowerUserAccess"}])
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("out");
    a.synth_to(&out).expect("synth");
    assert_cfn_lint_clean(&[out.join("identity.template.json")]);
}

/// The drift role reads exactly what drift detection compares in its stacks (the read
/// handlers of their types), no data and nothing of other stacks, and cannot deploy.
#[test]
fn the_drift_role_may_detect_drift_and_read_the_configuration_of_its_stacks_only() {
    use rcdk_constructs::delivery::{GithubDriftRole, GithubDriftRoleProps};
    use rcdk_constructs::messaging::{Queue, QueueProps};
    use rcdk_constructs::storage::{Bucket, BucketProps};
    let a = app();
    let s = stack(&a, "identity");
    let github = GithubOidcProvider::new(&s, "GitHub");
    GithubDriftRole::new(
        &s,
        "ProdDrift",
        GithubDriftRoleProps::new(
            &github,
            "acme/web",
            vec![GithubSubject::Environment("prod-drift".into())],
            vec!["prod-*".into()],
        ),
    );
    // Stacks made after the role: the reads are collected once the app is complete.
    let data = stack(&a, "prod-data");
    Bucket::new(&data, "Uploads", BucketProps::default());
    Queue::new(&data, "Jobs", QueueProps::default());
    rcdk::CfnResource::raw(
        &data,
        "ApiKey",
        "AWS::SecretsManager::Secret",
        rcdk::Value::object([("Description", rcdk::Value::from("the API key"))]),
    );
    let other = stack(&a, "staging-cache");
    rcdk_constructs::ecr::Repository::new(
        &other,
        "Images",
        rcdk_constructs::ecr::RepositoryProps::default(),
    );
    let assembly = synth(&a);
    let role = resource(&assembly, "identity", "ProdDrift");
    let statements = role["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
        .as_array()
        .expect("statements")
        .clone();
    let by_sid = |sid: &str| -> Vec<String> {
        let st = statements
            .iter()
            .find(|st| st["Sid"] == sid)
            .unwrap_or_else(|| panic!("{sid} in {statements:#?}"));
        match &st["Action"] {
            serde_json::Value::String(a) => vec![a.clone()],
            other => other
                .as_array()
                .expect("actions")
                .iter()
                .map(|a| a.as_str().expect("action").to_owned())
                .collect(),
        }
    };
    assert_eq!(
        by_sid("DetectDriftOfTheNamedStacks"),
        [
            "cloudformation:DescribeStacks",
            "cloudformation:DetectStackDrift",
            "cloudformation:DetectStackResourceDrift",
            "cloudformation:DescribeStackResourceDrifts"
        ]
    );
    let reads = by_sid("ReadWhatDriftDetectionCompares");
    for needed in [
        "s3:GetBucketVersioning",
        "s3:GetEncryptionConfiguration",
        "sqs:GetQueueAttributes",
        "secretsmanager:DescribeSecret",
        "kms:GetKeyPolicy",
    ] {
        assert!(reads.iter().any(|a| a == needed), "{needed} in {reads:?}");
    }
    for never in [
        "secretsmanager:GetSecretValue",
        "kms:Decrypt",
        "s3:GetObject",
    ] {
        assert!(!reads.iter().any(|a| a == never), "{never} in {reads:?}");
    }
    assert!(
        !reads.iter().any(|a| a.starts_with("ecr:")),
        "staging's repository is not prod's: {reads:?}"
    );
    let all = role["Properties"]["Policies"].to_string();
    for deploy in [
        "CreateChangeSet",
        "ExecuteChangeSet",
        "iam:PassRole",
        "s3:PutObject",
    ] {
        assert!(!all.contains(deploy), "{deploy}: {all}");
    }
    let dir = tempfile::tempdir().expect("tempdir");
    a.synth_to(dir.path()).expect("synth");
    assert_cfn_lint_clean(&[dir.path().join("identity.template.json")]);
}

#[test]
fn wildcards_need_a_reason_and_names_are_checked() {
    let build = |repository: &str,
                 subjects: Vec<GithubSubject>,
                 reason: Option<&str>,
                 stacks: Vec<String>| {
        let a = app();
        let s = stack(&a, "identity");
        GithubDeployRole::new(
            &s,
            "Deploy",
            GithubDeployRoleProps {
                wildcard_reason: reason.map(str::to_owned),
                ..GithubDeployRoleProps::new(
                    &GithubOidcProvider::of_this_account(),
                    repository,
                    subjects,
                    stacks,
                    "arn:aws:iam::123456789012:role/cfn-exec".into(),
                )
            },
        );
        a
    };
    let release = || vec![GithubSubject::Branch("release/*".into())];
    let err = synth_err(&build("acme/web", release(), None, vec!["dev-*".into()])).to_string();
    assert!(
        err.contains(
            "identity/Deploy: a subject with '*' lets every matching branch or environment assume it"
        ),
        "{err}"
    );
    let err = synth_err(&build(
        "acme/web",
        release(),
        Some("too short"),
        vec!["dev-*".into()],
    ))
    .to_string();
    assert!(
        err.contains("wildcard_reason (at least 20 characters)"),
        "{err}"
    );
    // With a reason, a wildcard is a StringLike match.
    let ok = synth(&build(
        "acme/web",
        release(),
        Some("release branches are protected by rulesets"),
        vec!["dev-*".into()],
    ));
    let trust = &resource(&ok, "identity", "Deploy")["Properties"]["AssumeRolePolicyDocument"]["Statement"]
        [0]["Condition"];
    assert_eq!(
        trust["StringLike"]["token.actions.githubusercontent.com:sub"],
        json!(["repo:acme/web:ref:refs/heads/release/*"])
    );
    // The reason is the posture waiver of the open-trust rule, for reviewers and scanners.
    assert_eq!(
        resource(&ok, "identity", "Deploy")["Metadata"][rcdk_constructs::posture::SUPPRESSIONS_KEY],
        json!([{"Reason": "release branches are protected by rulesets", "Rule": "RCDK-IAM-OPEN-TRUST"}])
    );
    let err = synth_err(&build("acme", vec![], None, vec![])).to_string();
    for needle in [
        "repository 'acme' is not OWNER/NAME",
        "no subjects: name the branches, tags or environments",
        "no stacks: name the stacks",
    ] {
        assert!(err.contains(needle), "{needle}: {err}");
    }
    let a = app();
    let s = stack(&a, "identity");
    ExecutionRole::new(&s, "Exec", ExecutionRoleProps::new(vec![]));
    let err = synth_err(&a).to_string();
    assert!(
        err.contains("identity/Exec: an execution role needs managed_policies"),
        "{err}"
    );
}

#[test]
fn people_get_permissions_from_groups_that_require_mfa() {
    use rcdk_constructs::iam::{Group, GroupProps, User, UserProps};
    let a = app();
    rcdk_constructs::posture::enforce(&a);
    let s = stack(&a, "people");
    let readers = Group::new(
        &s,
        "ReadOnly",
        GroupProps::new(vec![aws_managed_policy("ReadOnlyAccess")]),
    );
    User::new(&s, "Alice", UserProps::new("alice", vec![&readers]));
    let assembly = synth(&a);
    let group = &resource(&assembly, "people", "ReadOnly")["Properties"];
    assert_eq!(
        group["ManagedPolicyArns"],
        json!([{"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/ReadOnlyAccess"}])
    );
    assert_eq!(
        group["Policies"][0]["PolicyDocument"]["Statement"],
        json!([{
            "Sid": "DenyAllButMfaSetUpWithoutMfa",
            "Effect": "Deny",
            "NotAction": ["iam:ChangePassword", "iam:CreateVirtualMFADevice", "iam:EnableMFADevice",
                "iam:GetUser", "iam:ListMFADevices", "iam:ListVirtualMFADevices",
                "iam:ResyncMFADevice", "sts:GetSessionToken"],
            "Resource": "*",
            "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}
        }])
    );
    // No password, no keys, no policies of its own: only the group.
    assert_eq!(
        resource(&assembly, "people", "Alice")["Properties"],
        json!({"UserName": "alice", "Groups": [{"Ref": "ReadOnly"}]})
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("out");
    a.synth_to(&out).expect("synth");
    assert_cfn_lint_clean(&[out.join("people.template.json")]);

    let a = app();
    let s = stack(&a, "people");
    User::new(&s, "Nobody", UserProps::new("no body", vec![]));
    let err = synth_err(&a).to_string();
    for needle in [
        "people/Nobody: user_name 'no body' is not 1 to 64 letters",
        "people/Nobody: a user without groups has no permissions",
    ] {
        assert!(err.contains(needle), "{needle}: {err}");
    }
}

/// The reference app's identity stack deploys on the local endpoint: the provider, and
/// per environment a deploy role trusting only that GitHub environment, whose ARNs are
/// the stack's outputs.
#[test]
fn the_identity_stack_deploys_on_the_local_endpoint() {
    use crate::local_endpoint::{Moto, rcdk, text};
    let moto = Moto::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("cdk.out");
    crate::support::reference_assembly(&out);
    let outputs = dir.path().join("outputs.json");
    let run = rcdk(
        &moto.endpoint(),
        &[
            "deploy",
            "identity-123456789012",
            "--app",
            &out.display().to_string(),
            "--require-approval",
            "never",
            "--outputs-file",
            &outputs.display().to_string(),
        ],
    );
    let (stdout, stderr) = text(&run);
    assert!(run.status.success(), "{stdout}\n{stderr}");
    let outputs: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&outputs).expect("outputs")).expect("json");
    let stack = &outputs["identity-123456789012"];
    for env in ["Dev", "Staging", "Prod"] {
        for role in ["Deploy", "Drift"] {
            let arn = stack[format!("{env}{role}RoleArn")]
                .as_str()
                .unwrap_or_default();
            assert!(
                arn.starts_with("arn:aws:iam::123456789012:role/"),
                "{env}{role}: {outputs}"
            );
        }
    }
    let roles = moto.query("iam", "ListRoles", "2010-05-08");
    for env in ["dev", "staging", "prod"] {
        assert!(
            roles.contains(&format!("repo:acme/rcdk-reference:environment:{env}")),
            "{roles}"
        );
    }
    // Only the identity stack was deployed.
    let stacks = moto.query("cloudformation", "DescribeStacks", "2010-05-15");
    assert_eq!(stacks.matches("<StackName>").count(), 1, "{stacks}");
    // The markdown diff against the deployed stacks: identity unchanged, dev-app (in
    // dev's account, which trusts the caller's) new.
    crate::accounts::bootstrap_trusting_caller(&moto, crate::accounts::DEV, &["us-east-1"]);
    let run = rcdk(
        &moto.endpoint(),
        &[
            "diff",
            "identity-123456789012",
            "dev-app",
            "--app",
            &out.display().to_string(),
            "--format",
            "markdown",
        ],
    );
    let (stdout, stderr) = text(&run);
    assert!(run.status.success(), "{stderr}");
    assert!(
        stdout.starts_with("<!-- rcdk-diff -->\n### rcdk diff: 1 of 2 stacks changed\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("No differences: `identity-123456789012`."),
        "{stdout}"
    );
    assert!(
        stdout.contains("<summary><code>dev-app</code>: "),
        "{stdout}"
    );
}

/// In an organisation the pipeline's account holds a role per environment that may only
/// assume the roles `rcdk bootstrap --trust` made in that environment's account.
#[test]
fn a_pipeline_role_may_only_assume_the_named_environments_bootstrapped_roles() {
    use rcdk_constructs::delivery::{BootstrapRole, GithubPipelineRole, GithubPipelineRoleProps};
    let a = app();
    let s = stack(&a, "identity");
    let github = GithubOidcProvider::new(&s, "GitHub");
    GithubPipelineRole::new(
        &s,
        "ProdDrift",
        GithubPipelineRoleProps::new(
            &github,
            "acme/web",
            vec![GithubSubject::Environment("prod-drift".into())],
            vec![
                ("333333333333".into(), "us-east-1".into()),
                ("333333333333".into(), "us-west-2".into()),
            ],
            vec![BootstrapRole::Lookup],
        ),
    );
    let assembly = synth(&a);
    let role = &resource(&assembly, "identity", "ProdDrift")["Properties"];
    assert_eq!(
        role["AssumeRolePolicyDocument"]["Statement"][0]["Condition"]["StringEquals"],
        json!({
            "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
            "token.actions.githubusercontent.com:sub": ["repo:acme/web:environment:prod-drift"]
        })
    );
    assert_eq!(role["MaxSessionDuration"], 3600);
    assert_eq!(
        role["Policies"][0]["PolicyDocument"]["Statement"],
        json!([{
            "Sid": "AssumeTheEnvironmentsBootstrapRoles",
            "Effect": "Allow",
            "Action": "sts:AssumeRole",
            "Resource": [
                {"Fn::Sub": "arn:${AWS::Partition}:iam::333333333333:role/rcdk-lookup-role-333333333333-us-east-1"},
                {"Fn::Sub": "arn:${AWS::Partition}:iam::333333333333:role/rcdk-lookup-role-333333333333-us-west-2"}
            ]
        }]),
        "nothing but the lookup roles: no resource of any account"
    );
    assert!(role.get("ManagedPolicyArns").is_none());
    // Mistakes are named.
    let a = app();
    let s = stack(&a, "identity");
    let github = GithubOidcProvider::new(&s, "GitHub");
    GithubPipelineRole::new(
        &s,
        "Bad",
        GithubPipelineRoleProps::new(
            &github,
            "acme/web",
            vec![GithubSubject::Environment("dev".into())],
            vec![("dev".into(), "moon-1".into())],
            vec![BootstrapRole::Deploy],
        ),
    );
    let err = synth_err(&a);
    assert!(
        err.mentions("environments: 'dev' is not an account id (12 digits)"),
        "{err}"
    );
    assert!(
        err.mentions("environments: 'moon-1' is not a region name like us-east-1"),
        "{err}"
    );
}

/// The reference organisation's pipeline: each environment's roles reach only its own
/// account's bootstrapped roles (drift: the lookup role alone); the shared job's reach
/// shared services' own and only the lookup roles of prod's account (its DNS reads
/// prod's load balancers).
#[test]
fn the_reference_pipeline_roles_reach_only_their_own_accounts() {
    let dir = tempfile::tempdir().expect("tempdir");
    let assembly = crate::support::reference_assembly(dir.path());
    let identity = crate::support::template(&assembly, "identity-123456789012");
    let assumable = |role: &str| -> Vec<String> {
        identity["Resources"][role]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
            .as_array()
            .into_iter()
            .flatten()
            .inspect(|s| assert_eq!(s["Action"], "sts:AssumeRole", "{role}: {s}"))
            .flat_map(|s| match &s["Resource"] {
                serde_json::Value::Array(list) => list.clone(),
                one => vec![one.clone()],
            })
            .map(|r| r["Fn::Sub"].as_str().unwrap_or_default().to_owned())
            .collect()
    };
    for (role, account, kinds) in [
        (
            "DevDeploy",
            "111111111111",
            &["deploy", "file-publishing", "lookup"][..],
        ),
        (
            "StagingDeploy",
            "222222222222",
            &["deploy", "file-publishing", "lookup"][..],
        ),
        (
            "ProdDeploy",
            "333333333333",
            &["deploy", "file-publishing", "lookup"][..],
        ),
        ("DevDrift", "111111111111", &["lookup"][..]),
        ("ProdDrift", "333333333333", &["lookup"][..]),
        ("SharedDrift", "123456789012", &["lookup"][..]),
    ] {
        let arns = assumable(role);
        assert!(!arns.is_empty(), "{role}");
        for arn in &arns {
            assert!(
                arn.starts_with(&format!(
                    "arn:${{AWS::Partition}}:iam::{account}:role/rcdk-"
                )) && kinds
                    .iter()
                    .any(|k| arn.contains(&format!("/rcdk-{k}-role-{account}-"))),
                "{role} reaches {arn}"
            );
        }
    }
    // prod's roles reach its standby's region too.
    assert!(
        assumable("ProdDeploy")
            .iter()
            .any(|a| a.ends_with("-333333333333-us-west-2"))
    );
    let shared = assumable("SharedDeploy");
    for arn in &shared {
        let own = arn.contains(":iam::123456789012:role/rcdk-");
        let prods_lookup = arn.contains(":iam::333333333333:role/rcdk-lookup-role-");
        assert!(own || prods_lookup, "SharedDeploy reaches {arn}");
    }
    assert!(
        shared
            .iter()
            .any(|a| a.ends_with("rcdk-lookup-role-333333333333-us-west-2"))
    );
}
