//! Many accounts on the local endpoint: `rcdk bootstrap --trust` in two accounts, and
//! deploys into them from a third account's credentials through their roles; an account
//! that does not trust the caller is refused with the fix, before anything is made.

use std::path::{Path, PathBuf};
use std::process::Output;

use crate::local_endpoint::{Moto, http_post, http_post_as, rcdk_command, text};

/// The account of the dummy keys the tests run with (moto's default).
pub(crate) const CALLER: &str = "123456789012";
pub(crate) const DEV: &str = "111111111111";
const SHARED: &str = "222222222222";
pub(crate) const ADMIN: &str = "arn:aws:iam::aws:policy/AdministratorAccess";

/// Temporary credentials in `account`, as an organisation's administrator gets them
/// (the endpoint lets any role that is not rcdk's be assumed).
pub(crate) struct Keys {
    pub(crate) id: String,
    secret: String,
    token: String,
}

impl Keys {
    /// Makes `cmd` run with these credentials.
    pub(crate) fn apply(&self, cmd: &mut std::process::Command) {
        cmd.env("AWS_ACCESS_KEY_ID", &self.id)
            .env("AWS_SECRET_ACCESS_KEY", &self.secret)
            .env("AWS_SESSION_TOKEN", &self.token);
    }
}

pub(crate) fn between<'a>(text: &'a str, open: &str, close: &str) -> &'a str {
    text.split_once(open)
        .and_then(|(_, rest)| rest.split_once(close))
        .map(|(v, _)| v)
        .unwrap_or_else(|| panic!("no {open} in {text}"))
}

pub(crate) fn keys_in(moto: &Moto, account: &str) -> Keys {
    let answer = http_post(
        moto.port,
        "sts",
        &format!(
            "Action=AssumeRole&Version=2011-06-15&RoleSessionName=admin&RoleArn=arn:aws:iam::{account}:role/OrganizationAccountAccessRole"
        ),
    );
    Keys {
        id: between(&answer, "<AccessKeyId>", "</AccessKeyId>").to_owned(),
        secret: between(&answer, "<SecretAccessKey>", "</SecretAccessKey>").to_owned(),
        token: between(&answer, "<SessionToken>", "</SessionToken>").to_owned(),
    }
}

/// `rcdk bootstrap` of `account` in `regions`, by an administrator of that account,
/// trusting the caller's account (the pipeline's, shared services in the reference app)
/// with AdministratorAccess for CloudFormation; returns the administrator's keys.
pub(crate) fn bootstrap_trusting_caller(moto: &Moto, account: &str, regions: &[&str]) -> Keys {
    let keys = keys_in(moto, account);
    let targets: Vec<String> = regions
        .iter()
        .map(|r| format!("aws://{account}/{r}"))
        .collect();
    let mut args = vec!["bootstrap"];
    args.extend(targets.iter().map(String::as_str));
    args.extend(["--trust", CALLER, "--execution-policy", ADMIN]);
    let out = rcdk_as(moto, Some(&keys), &args);
    assert!(
        out.status.success(),
        "bootstrap {account}: {:?}",
        text(&out)
    );
    keys
}

/// `rcdk` with the caller's keys, or with `keys`.
pub(crate) fn rcdk_as(moto: &Moto, keys: Option<&Keys>, args: &[&str]) -> Output {
    let mut cmd = rcdk_command(&moto.endpoint(), args);
    if let Some(k) = keys {
        k.apply(&mut cmd);
    }
    cmd.stdin(std::process::Stdio::null())
        .output()
        .expect("rcdk runs")
}

/// Stack names CloudFormation lists in the account of `access_key`.
fn stacks_seen_by(moto: &Moto, access_key: &str) -> String {
    http_post_as(
        moto.port,
        access_key,
        "cloudformation",
        "Action=DescribeStacks&Version=2010-05-15",
    )
}

/// An assembly of stacks in other accounts, with the fields rcdk synthesis writes (the
/// partition left as `${AWS::Partition}`, as the AWS CDK writes it).
fn assembly(dir: &Path, stacks: &[(&str, &str, &str)]) -> PathBuf {
    std::fs::create_dir_all(dir).expect("dir");
    let mut artifacts = serde_json::Map::new();
    for (name, account, topic) in stacks {
        let role = |r: &str| {
            format!("arn:${{AWS::Partition}}:iam::{account}:role/rcdk-{r}-{account}-us-east-1")
        };
        artifacts.insert(
            (*name).to_owned(),
            serde_json::json!({
                "type": "aws:cloudformation:stack",
                "environment": format!("aws://{account}/us-east-1"),
                "properties": {
                    "templateFile": format!("{name}.template.json"),
                    "assumeRoleArn": role("deploy-role"),
                    "cloudFormationExecutionRoleArn": role("cfn-exec-role"),
                    "requiresBootstrapStackVersion": 2,
                    "lookupRole": {"arn": role("lookup-role"), "requiresBootstrapStackVersion": 3}
                }
            }),
        );
        let template = serde_json::json!({"Resources": {"Topic": {"Type": "AWS::SNS::Topic",
            "Properties": {"TopicName": topic}}}});
        std::fs::write(
            dir.join(format!("{name}.template.json")),
            template.to_string(),
        )
        .expect("template");
    }
    let manifest = serde_json::json!({"version": "36.0.0", "artifacts": artifacts});
    std::fs::write(dir.join("manifest.json"), manifest.to_string()).expect("manifest");
    dir.to_path_buf()
}

fn deploy(moto: &Moto, app: &Path, stack: &str) -> (bool, String, String) {
    deploy_with(moto, app, &[stack])
}

/// `rcdk deploy ARGS… --app APP`, approvals off, with the caller's keys.
fn deploy_with(moto: &Moto, app: &Path, args: &[&str]) -> (bool, String, String) {
    let app = app.display().to_string();
    let mut all = vec!["deploy"];
    all.extend_from_slice(args);
    all.extend(["--app", &app, "--require-approval", "never"]);
    let out = rcdk_as(moto, None, &all);
    let (stdout, stderr) = text(&out);
    (out.status.success(), stdout, stderr)
}

#[test]
fn stacks_deploy_into_other_accounts_through_the_roles_those_accounts_trust_us_with() {
    let moto = Moto::start();
    let dev = keys_in(&moto, DEV);
    let shared = keys_in(&moto, SHARED);
    let dir = tempfile::tempdir().expect("tempdir");

    // dev trusts the caller's account; its execution role gets the policy named.
    let out = rcdk_as(
        &moto,
        Some(&dev),
        &[
            "bootstrap",
            &format!("aws://{DEV}/us-east-1"),
            "--trust",
            CALLER,
            "--execution-policy",
            ADMIN,
        ],
    );
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(
        stdout.contains(&format!("deploy roles trust this account and {CALLER}")),
        "{stdout}"
    );
    // shared is bootstrapped for itself only: without a policy named, its own
    // administrators' AdministratorAccess, said out loud.
    let out = rcdk_as(
        &moto,
        Some(&shared),
        &["bootstrap", &format!("aws://{SHARED}/us-east-1")],
    );
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(
        stderr.contains("the execution role gets arn:aws:iam::aws:policy/AdministratorAccess"),
        "{stderr}"
    );
    // Trusting another account without naming what it may do is refused.
    let out = rcdk_as(
        &moto,
        Some(&shared),
        &[
            "bootstrap",
            &format!("aws://{SHARED}/us-east-1"),
            "--trust",
            CALLER,
        ],
    );
    let (stdout, stderr) = text(&out);
    assert!(!out.status.success(), "{stdout}");
    assert!(
        stderr.contains(&format!("trusting {CALLER} lets another account deploy here with the execution role's permissions: name them with --execution-policy ARN")),
        "{stderr}"
    );

    let app = assembly(
        &dir.path().join("v1"),
        &[
            ("dev-app", DEV, "dev-topic"),
            ("shared-services", SHARED, "shared-topic"),
        ],
    );
    // Into dev from the caller's account, through dev's deploy role.
    let (ok, stdout, stderr) = deploy(&moto, &app, "dev-app");
    assert!(ok, "{stdout}\n{stderr}");
    assert!(stacks_seen_by(&moto, &dev.id).contains("<StackName>dev-app</StackName>"));
    assert!(
        !stacks_seen_by(&moto, "test").contains("<StackName>dev-app</StackName>"),
        "not in the caller's account"
    );

    // shared does not trust the caller: refused, named, with the fix; nothing made.
    let (ok, stdout, stderr) = deploy(&moto, &app, "shared-services");
    assert!(!ok, "{stdout}");
    assert!(
        stderr.contains(&format!(
            "cannot assume arn:aws:iam::{SHARED}:role/rcdk-deploy-role-{SHARED}-us-east-1 in account {SHARED} from account {CALLER}"
        )) && stderr.contains(&format!(
            "`rcdk bootstrap aws://{SHARED}/us-east-1 --trust {CALLER} --execution-policy ARN`"
        )),
        "{stderr}"
    );
    assert!(!stacks_seen_by(&moto, &shared.id).contains("shared-services"));

    // Once shared trusts the caller (naming the policy), the same deploy goes through;
    // a later run keeps the trust without repeating it.
    for extra in [
        &["--trust", CALLER, "--execution-policy", ADMIN][..],
        &[][..],
    ] {
        let mut args = vec!["bootstrap".to_owned(), format!("aws://{SHARED}/us-east-1")];
        args.extend(extra.iter().map(|s| (*s).to_owned()));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = rcdk_as(&moto, Some(&shared), &args);
        let (stdout, stderr) = text(&out);
        assert!(out.status.success(), "{stdout}\n{stderr}");
        assert!(
            stdout.contains(&format!("this account and {CALLER}")),
            "{stdout}"
        );
    }
    let (ok, stdout, stderr) = deploy(&moto, &app, "shared-services");
    assert!(ok, "{stdout}\n{stderr}");
    assert!(stacks_seen_by(&moto, &shared.id).contains("<StackName>shared-services</StackName>"));

    // dev stops trusting the caller: the next deploy there is refused.
    let out = rcdk_as(
        &moto,
        Some(&dev),
        &[
            "bootstrap",
            &format!("aws://{DEV}/us-east-1"),
            "--untrust",
            CALLER,
        ],
    );
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("deploy roles trust this account only"),
        "{stdout}"
    );
    let changed = assembly(&dir.path().join("v2"), &[("dev-app", DEV, "dev-topic-2")]);
    let (ok, stdout, stderr) = deploy(&moto, &changed, "dev-app");
    assert!(!ok, "{stdout}");
    assert!(
        stderr.contains(&format!(
            "cannot assume arn:aws:iam::{DEV}:role/rcdk-deploy-role-{DEV}-us-east-1"
        )),
        "{stderr}"
    );

    // destroy reaches the other account the same way.
    let app_dir = app.display().to_string();
    let out = rcdk_as(
        &moto,
        None,
        &["destroy", "shared-services", "--app", &app_dir, "--force"],
    );
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(!stacks_seen_by(&moto, &shared.id).contains("<StackName>shared-services</StackName>"));
}

#[test]
fn the_bootstrap_template_is_clean_cloudformation() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("RcdkToolkit.template.json");
    std::fs::write(&path, rcdk::deploy::toolkit_template().to_string()).expect("write");
    crate::support::assert_cfn_lint_clean(&[path]);
}

#[test]
fn an_environment_agnostic_stack_names_no_roles() {
    let app = crate::fixtures::app();
    let stack = rcdk::Stack::new(&app, "anywhere", rcdk::StackProps::default());
    rcdk::CfnResource::raw(
        &stack,
        "Topic",
        "AWS::SNS::Topic",
        serde_json::json!({}).into(),
    );
    let manifest = crate::support::synth(&app).manifest();
    let props = &manifest["artifacts"]["anywhere"]["properties"];
    assert!(props.get("assumeRoleArn").is_none(), "{props}");
    assert!(
        props.get("cloudFormationExecutionRoleArn").is_none(),
        "{props}"
    );
}

/// The administrator's stack of a self-managed StackSet: a topic tagged with the
/// `Team` parameter, in `regions` of the dev and shared accounts.
fn stack_set_app(dir: &Path, team: &str, regions: &[&str]) -> PathBuf {
    let app = crate::fixtures::app();
    let mut set =
        rcdk::tree::stack_set::StackSetProps::self_managed([DEV, SHARED], regions.iter().copied());
    set.parameters.insert("Team".into(), team.into());
    let stack = rcdk::Stack::new(
        &app,
        "org-baseline",
        rcdk::StackProps {
            env: rcdk::Environment::new(CALLER, "us-east-1"),
            stack_set: Some(set),
            ..Default::default()
        },
    );
    rcdk::CfnParameter::string(&stack, "Team", rcdk::ParameterProps::default());
    rcdk::CfnResource::raw(
        &stack,
        "Topic",
        "AWS::SNS::Topic",
        serde_json::json!({"Tags": [{"Key": "Team", "Value": {"Ref": "Team"}}]}).into(),
    );
    app.synth_to(dir).expect("synthesizes");
    dir.to_path_buf()
}

/// Stack names in `region` of the account of `access_key`.
fn stacks_in(moto: &Moto, access_key: &str, region: &str) -> String {
    crate::local_endpoint::http_post_as_in(
        moto.port,
        access_key,
        region,
        "cloudformation",
        "Action=DescribeStacks&Version=2010-05-15",
    )
}

#[test]
fn a_stack_set_deploys_to_accounts_and_regions_updates_reports_each_instance_and_goes() {
    let moto = Moto::start();
    let (dev, shared) = (keys_in(&moto, DEV), keys_in(&moto, SHARED));
    let dir = tempfile::tempdir().expect("tempdir");
    let both = ["us-east-1", "us-west-2"];

    let v1 = stack_set_app(&dir.path().join("v1"), "platform", &both);
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(v1.join("manifest.json")).unwrap()).unwrap();
    let set = &manifest["artifacts"]["org-baseline"]["properties"]["stackSet"];
    assert_eq!(set["permissionModel"], "SELF_MANAGED");
    assert_eq!(set["accounts"], serde_json::json!([DEV, SHARED]));
    // Priced per instance, times the accounts; one instance per region.
    let v1_dir = v1.display().to_string();
    let out = rcdk_as(&moto, None, &["cost", "--app", &v1_dir]);
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("org-baseline (StackSet, 2 account(s) in us-east-1, us-west-2): "),
        "{stdout}"
    );
    let (ok, stdout, stderr) = deploy(&moto, &v1, "org-baseline");
    assert!(ok, "{stdout}\n{stderr}");
    for account in [DEV, SHARED] {
        for region in both {
            assert!(
                stderr.contains(&format!("org-baseline: ✅ {account} {region} SUCCEEDED")),
                "{stderr}"
            );
        }
    }
    assert!(
        stderr.contains("StackSet deployed to 4 instance(s)"),
        "{stderr}"
    );
    for keys in [&dev, &shared] {
        for region in both {
            assert!(
                stacks_in(&moto, &keys.id, region).contains("org-baseline"),
                "{region}"
            );
        }
    }
    assert!(
        !stacks_seen_by(&moto, "test").contains("<StackName>org-baseline</StackName>"),
        "the administrator holds the set, not a stack"
    );

    // One parameter changes: the set is updated; deploying it again changes nothing.
    let v2 = stack_set_app(&dir.path().join("v2"), "payments", &both);
    // The guards apply to the set's template as to a change set: asked, not sent.
    let v2_app = v2.display().to_string();
    let out = rcdk_as(
        &moto,
        None,
        &[
            "deploy",
            "org-baseline",
            "--app",
            &v2_app,
            "--require-approval",
            "any-change",
        ],
    );
    let (stdout, stderr) = text(&out);
    assert!(!out.status.success(), "{stdout}");
    let all = format!("{stdout}{stderr}");
    assert!(
        all.contains("the change needs approval") && all.contains("nothing was sent"),
        "{all}"
    );
    assert!(
        all.contains(
            r#"org-baseline: StackSet parameters {"Team": "platform"} → {"Team": "payments"}"#
        ),
        "{all}"
    );
    let described = http_post(
        moto.port,
        "cloudformation",
        "Action=DescribeStackSet&Version=2010-05-15&StackSetName=org-baseline",
    );
    assert!(
        described.contains("<ParameterValue>platform</ParameterValue>"),
        "unchanged: {described}"
    );
    let (ok, stdout, stderr) = deploy(&moto, &v2, "org-baseline");
    assert!(ok, "{stdout}\n{stderr}");
    assert!(
        stderr.contains("updating the StackSet's instances"),
        "{stderr}"
    );
    let described = http_post(
        moto.port,
        "cloudformation",
        "Action=DescribeStackSet&Version=2010-05-15&StackSetName=org-baseline",
    );
    assert!(
        described.contains("<ParameterValue>payments</ParameterValue>"),
        "{described}"
    );
    let (ok, stdout, stderr) = deploy(&moto, &v2, "org-baseline");
    assert!(ok, "{stdout}\n{stderr}");
    assert!(
        stderr.contains("org-baseline: no changes (4 StackSet instance(s))"),
        "{stderr}"
    );
    // The diff reads the set's template.
    let v2_dir = v2.display().to_string();
    let out = rcdk_as(&moto, None, &["diff", "org-baseline", "--app", &v2_dir]);
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(!stdout.contains("[+]"), "no differences: {stdout}");

    // A region dropped: its instances go, the others stay.
    let v3 = stack_set_app(&dir.path().join("v3"), "payments", &["us-east-1"]);
    let (ok, stdout, stderr) = deploy(&moto, &v3, "org-baseline");
    assert!(ok, "{stdout}\n{stderr}");
    assert!(
        stderr.contains(&format!(
            "removing the instances of {DEV}, {SHARED} in us-west-2"
        )),
        "{stderr}"
    );
    assert!(!stacks_in(&moto, &dev.id, "us-west-2").contains("org-baseline"));
    assert!(stacks_in(&moto, &dev.id, "us-east-1").contains("org-baseline"));

    // destroy removes the instances, then the set.
    let v3_dir = v3.display().to_string();
    let out = rcdk_as(
        &moto,
        None,
        &["destroy", "org-baseline", "--app", &v3_dir, "--force"],
    );
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(
        stderr.contains("org-baseline: StackSet and its instances deleted"),
        "{stderr}"
    );
    assert!(!stacks_in(&moto, &shared.id, "us-east-1").contains("org-baseline"));
}

#[test]
fn stack_set_settings_are_checked_at_synthesis() {
    use rcdk::tree::stack_set::StackSetProps;
    let app = crate::fixtures::app();
    let mut set =
        StackSetProps::service_managed(["ou-abcd-12345678", "acct"], ["us-east-1", "mars-1"]);
    set.accounts.push(DEV.into());
    let stack = rcdk::Stack::new(
        &app,
        "baseline",
        rcdk::StackProps {
            stack_set: Some(set),
            ..Default::default()
        },
    );
    rcdk::CfnResource::raw(
        &stack,
        "Topic",
        "AWS::SNS::Topic",
        serde_json::json!({}).into(),
    );
    let err = crate::support::synth_err(&app).to_string();
    for expected in [
        "stack_set.accounts: a service-managed StackSet targets organizational units, not accounts: use StackSetProps::self_managed for accounts",
        "stack_set.organizational_unit_ids: 'acct' is not an organizational unit id (ou-xxxx-xxxxxxxx) or root id (r-xxxx)",
        "stack_set.regions: 'mars-1' is not a region name like us-east-1",
        "stack_set: a StackSet is made in one account and region",
    ] {
        assert!(err.contains(expected), "missing '{expected}' in:\n{err}");
    }
}

#[test]
fn guardrails_are_a_service_control_policy_on_the_targets() {
    use rcdk_constructs::org::{ServiceControlPolicy, ServiceControlPolicyProps, guardrails};
    let app = crate::fixtures::app();
    let stack = crate::fixtures::stack(&app, "org-guardrails");
    ServiceControlPolicy::new(
        &stack,
        "Guardrails",
        ServiceControlPolicyProps {
            name: "guardrails".into(),
            description: "What no workload account may do".into(),
            statements: vec![
                guardrails::deny_leaving_the_organization(),
                guardrails::protect_cloudtrail(),
                guardrails::protect_guardduty(),
                guardrails::protect_config(),
                guardrails::deny_regions_except(&["us-east-1", "us-west-2"]),
                guardrails::deny_root_user(),
            ],
            targets: vec!["ou-ab12-workload1".into(), "222222222222".into()],
        },
    );
    let assembly = crate::support::synth(&app);
    let policy = crate::support::resource(&assembly, "org-guardrails", "Guardrails");
    assert_eq!(policy["Type"], "AWS::Organizations::Policy");
    let props = &policy["Properties"];
    assert_eq!(props["Type"], "SERVICE_CONTROL_POLICY");
    assert_eq!(
        props["TargetIds"],
        serde_json::json!(["ou-ab12-workload1", "222222222222"])
    );
    let statements = props["Content"]["Statement"].as_array().unwrap();
    assert!(
        statements.iter().all(|s| s["Effect"] == "Deny"),
        "an SCP caps, never grants"
    );
    let regions = statements
        .iter()
        .find(|s| s["Sid"] == "DenyOtherRegions")
        .unwrap();
    assert_eq!(
        regions["Condition"]["StringNotEquals"]["aws:RequestedRegion"],
        serde_json::json!(["us-east-1", "us-west-2"])
    );
    // Global services stay usable from anywhere; regional ones do not.
    let exempt: Vec<&str> = regions["NotAction"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a.as_str())
        .collect();
    for global in [
        "iam:*",
        "sts:*",
        "organizations:*",
        "route53:*",
        "cloudfront:*",
        "support:*",
    ] {
        assert!(exempt.contains(&global), "{global}");
    }
    assert!(
        !exempt
            .iter()
            .any(|a| a.starts_with("ec2:Run") || *a == "ec2:*" || *a == "s3:*")
    );
    let root = statements
        .iter()
        .find(|s| s["Sid"] == "DenyRootUser")
        .unwrap();
    assert_eq!(
        root["Condition"]["StringLike"]["aws:PrincipalArn"],
        "arn:aws:iam::*:root"
    );
    let dir = tempfile::tempdir().expect("tempdir");
    assembly.write(dir.path()).expect("write");
    crate::support::assert_cfn_lint_clean(&[dir.path().join("org-guardrails.template.json")]);
}

#[test]
fn a_service_control_policy_over_the_size_limit_or_with_bad_targets_is_refused() {
    use rcdk_constructs::org::{ServiceControlPolicy, ServiceControlPolicyProps};
    let app = crate::fixtures::app();
    let stack = crate::fixtures::stack(&app, "org-guardrails");
    let many: Vec<_> = (0..120)
        .map(|i| {
            rcdk_l1::policy::PolicyStatement::deny()
                .sid(format!("DenyThing{i}"))
                .actions([format!("service{i}:DoSomethingRatherLong")])
                .resource("*")
        })
        .collect();
    ServiceControlPolicy::new(
        &stack,
        "TooBig",
        ServiceControlPolicyProps {
            name: "too-big".into(),
            description: "".into(),
            statements: many,
            targets: vec!["workloads".into()],
        },
    );
    let err = crate::support::synth_err(&app).to_string();
    assert!(err.contains("characters, over the 5120 AWS Organizations allows for an SCP; split it into two policies"), "{err}");
    assert!(
        err.contains(
            "targets: 'workloads' is not a root (r-…), organizational unit (ou-…) or account id"
        ),
        "{err}"
    );
}

#[test]
fn an_aws_cdk_assembly_deploys_through_the_cdk_bootstrap_roles_and_version_parameter() {
    let moto = Moto::start();
    let dev = keys_in(&moto, DEV);
    let dir = tempfile::tempdir().expect("tempdir");
    // What `cdk synth` writes for a stack of account DEV (default qualifier).
    let role = |r: &str| {
        format!("arn:${{AWS::Partition}}:iam::{DEV}:role/cdk-hnb659fds-{r}-{DEV}-us-east-1")
    };
    std::fs::create_dir_all(dir.path()).unwrap();
    std::fs::write(
        dir.path().join("manifest.json"),
        serde_json::json!({"version": "48.0.0", "artifacts": {"CdkStack": {
        "type": "aws:cloudformation:stack",
        "environment": format!("aws://{DEV}/us-east-1"),
        "properties": {
            "templateFile": "CdkStack.template.json",
            "assumeRoleArn": role("deploy-role"),
            "cloudFormationExecutionRoleArn": role("cfn-exec-role"),
            "requiresBootstrapStackVersion": 6,
            "bootstrapStackVersionSsmParameter": "/cdk-bootstrap/hnb659fds/version"
        }}}})
        .to_string(),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("CdkStack.template.json"),
        serde_json::json!({"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}}).to_string(),
    )
    .unwrap();
    // Not bootstrapped by the CDK yet: refused before anything is made.
    let (ok, stdout, stderr) = deploy(&moto, dir.path(), "CdkStack");
    assert!(!ok, "{stdout}");
    assert!(
        stderr.contains(&format!("needs bootstrap version 6 or later in aws://{DEV}/us-east-1, which has no SSM parameter /cdk-bootstrap/hnb659fds/version; nothing was sent")),
        "{stderr}"
    );
    // `cdk bootstrap` writes the version parameter (its roles the endpoint lets anyone assume).
    crate::local_endpoint::json_call_as(
        moto.port,
        &dev.id,
        "ssm",
        "AmazonSSM.PutParameter",
        r#"{"Name": "/cdk-bootstrap/hnb659fds/version", "Value": "21", "Type": "String"}"#,
    );
    let (ok, stdout, stderr) = deploy(&moto, dir.path(), "CdkStack");
    assert!(ok, "{stdout}\n{stderr}");
    assert!(stacks_seen_by(&moto, &dev.id).contains("<StackName>CdkStack</StackName>"));
}

/// An Organizations call of the management account (the caller's).
fn org(moto: &Moto, action: &str, body: &str) -> serde_json::Value {
    let answer = crate::local_endpoint::json_call(
        moto.port,
        "us-east-1",
        "organizations",
        &format!("AWSOrganizationsV20161128.{action}"),
        body,
    );
    serde_json::from_str(&answer).unwrap_or_else(|e| panic!("{action}: {e}: {answer}"))
}

#[test]
fn a_service_managed_stack_set_reaches_every_account_of_its_organizational_unit() {
    let moto = Moto::start();
    org(&moto, "CreateOrganization", r#"{"FeatureSet": "ALL"}"#);
    let root = org(&moto, "ListRoots", "{}")["Roots"][0]["Id"]
        .as_str()
        .unwrap()
        .to_owned();
    let ou = org(
        &moto,
        "CreateOrganizationalUnit",
        &format!(r#"{{"ParentId": "{root}", "Name": "workloads"}}"#),
    )["OrganizationalUnit"]["Id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut members = Vec::new();
    for name in ["dev", "prod"] {
        let created = org(
            &moto,
            "CreateAccount",
            &format!(r#"{{"AccountName": "{name}", "Email": "{name}@example.com"}}"#),
        );
        let id = created["CreateAccountStatus"]["AccountId"]
            .as_str()
            .unwrap()
            .to_owned();
        org(
            &moto,
            "MoveAccount",
            &format!(
                r#"{{"AccountId": "{id}", "SourceParentId": "{root}", "DestinationParentId": "{ou}"}}"#
            ),
        );
        members.push(id);
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let app = crate::fixtures::app();
    let stack = rcdk::Stack::new(
        &app,
        "org-baseline",
        rcdk::StackProps {
            env: rcdk::Environment::new(CALLER, "us-east-1"),
            stack_set: Some(rcdk::tree::stack_set::StackSetProps::service_managed(
                [ou.as_str()],
                ["us-east-1", "us-west-2"],
            )),
            ..Default::default()
        },
    );
    rcdk::CfnResource::raw(
        &stack,
        "Topic",
        "AWS::SNS::Topic",
        serde_json::json!({}).into(),
    );
    app.synth_to(dir.path()).expect("synthesizes");
    let (ok, stdout, stderr) = deploy(&moto, dir.path(), "org-baseline");
    assert!(ok, "{stdout}\n{stderr}");
    assert!(
        stderr.contains(&format!(
            "adding instances for {ou} in us-east-1, us-west-2"
        )),
        "{stderr}"
    );
    for account in &members {
        for region in ["us-east-1", "us-west-2"] {
            assert!(
                stderr.contains(&format!("org-baseline: ✅ {account} {region} SUCCEEDED")),
                "{stderr}"
            );
        }
    }
    let out = rcdk_as(
        &moto,
        None,
        &[
            "destroy",
            "org-baseline",
            "--app",
            dir.path().to_str().unwrap(),
            "--force",
        ],
    );
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    let listed = http_post(
        moto.port,
        "cloudformation",
        "Action=ListStackInstances&Version=2010-05-15&StackSetName=org-baseline",
    );
    assert!(
        !listed.contains("<Account>"),
        "no instance is left: {listed}"
    );
}

/// A nightly drift job holds no deploy rights: `rcdk drift` reads another account's
/// stacks through its read-only lookup role, and works when the deploy role would not
/// let the caller in.
#[test]
fn drift_reads_another_account_through_its_lookup_role() {
    let moto = Moto::start();
    let dev = bootstrap_trusting_caller(&moto, DEV, &["us-east-1"]);
    let dir = tempfile::tempdir().expect("tempdir");
    let app = assembly(dir.path(), &[("dev-topics", DEV, "dev-alerts")]);
    let (ok, stdout, stderr) = deploy(&moto, &app, "dev-topics");
    assert!(ok, "{stdout}\n{stderr}");
    // Dev's administrator withdraws the caller's trust from the deploy role only.
    let role = format!("rcdk-deploy-role-{DEV}-us-east-1");
    let own = serde_json::json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"AWS": format!("arn:aws:iam::{DEV}:root")}, "Action": "sts:AssumeRole"}]});
    let answer = crate::local_endpoint::http_post_as(
        moto.port,
        &dev.id,
        "iam",
        &format!(
            "Action=UpdateAssumeRolePolicy&Version=2010-05-08&RoleName={role}&PolicyDocument={}",
            crate::local_endpoint::form(&own.to_string())
        ),
    );
    assert!(!answer.contains("<Error>"), "{answer}");
    let app = app.display().to_string();
    let out = rcdk_as(&moto, None, &["drift", "dev-topics", "--app", &app]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(stdout.contains("dev-topics"), "{stdout}");
    // What needs the deploy role is refused, naming it.
    let out = rcdk_as(&moto, None, &["diff", "dev-topics", "--app", &app]);
    let (_, stderr) = text(&out);
    assert!(!out.status.success());
    assert!(
        stderr.contains(&format!("cannot assume arn:aws:iam::{DEV}:role/{role}")),
        "{stderr}"
    );
}

/// A value known only at deploy, read from another account: dev's stack deploys (through
/// dev's roles), then, before the caller's stack deploys, rcdk reads dev's topic ARN
/// through dev's read-only lookup role and writes it to SSM in the caller's account,
/// where the caller's stack reads it. Without dev's stack deployed, it says so.
#[test]
fn a_deploy_time_value_of_another_account_is_read_through_its_lookup_role() {
    let moto = Moto::start();
    bootstrap_trusting_caller(&moto, DEV, &["us-east-1"]);
    let dir = tempfile::tempdir().expect("tempdir");
    let app = crate::fixtures::app();
    let alerts = rcdk::Stack::new(
        &app,
        "dev-alerts",
        rcdk::StackProps {
            env: rcdk::Environment::new(DEV, "us-east-1"),
            ..Default::default()
        },
    );
    let topic = rcdk_l1::sns::CfnTopic::new(&alerts, "Topic", Default::default());
    let reader = rcdk::Stack::new(
        &app,
        "shared-reader",
        rcdk::StackProps {
            env: rcdk::Environment::new(CALLER, "us-east-1"),
            cross_region_references: true,
            ..Default::default()
        },
    );
    rcdk_l1::sns::CfnTopic::new(
        &reader,
        "Reader",
        rcdk_l1::sns::CfnTopicProps {
            display_name: Some(topic.ref_()),
            ..Default::default()
        },
    );
    app.synth_to(dir.path()).expect("synthesizes");
    // The reader alone, before dev's stack exists: refused, naming what to deploy.
    let (ok, stdout, stderr) = deploy_exclusively(&moto, dir.path(), "shared-reader");
    assert!(!ok, "{stdout}\n{stderr}");
    assert!(
        format!("{stdout}{stderr}").contains(&format!(
            "it reads CrossRegionRefTopic of dev-alerts (aws://{DEV}/us-east-1), which is not deployed; deploy dev-alerts first"
        )),
        "{stdout}\n{stderr}"
    );
    let (ok, stdout, stderr) = deploy(&moto, dir.path(), "shared-reader");
    assert!(ok, "{stdout}\n{stderr}");
    assert!(
        stderr.contains(&format!(
            "shared-reader: CrossRegionRefTopic of dev-alerts (account {DEV}) → SSM /rcdk/cross-region/dev-alerts/CrossRegionRefTopic"
        )),
        "{stderr}"
    );
    let value = crate::local_endpoint::json_call(
        moto.port,
        "us-east-1",
        "ssm",
        "AmazonSSM.GetParameter",
        r#"{"Name": "/rcdk/cross-region/dev-alerts/CrossRegionRefTopic"}"#,
    );
    assert!(
        value.contains(&format!("arn:aws:sns:us-east-1:{DEV}:")),
        "the caller's account holds dev's topic ARN: {value}"
    );
    assert!(
        stacks_seen_by(&moto, "test").contains("<StackName>shared-reader</StackName>"),
        "the caller's stack read it"
    );
}

fn deploy_exclusively(moto: &Moto, app: &Path, stack: &str) -> (bool, String, String) {
    deploy_with(moto, app, &[stack, "--exclusively"])
}
