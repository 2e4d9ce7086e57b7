//! Many accounts on the local endpoint: `rcdk bootstrap --trust` in two accounts, and
//! deploys into them from a third account's credentials through their roles; an account
//! that does not trust the caller is refused with the fix, before anything is made.

use std::path::{Path, PathBuf};
use std::process::Output;

use crate::local_endpoint::{Moto, http_post, http_post_as, rcdk_command, text};

/// The account of the dummy keys the tests run with (moto's default).
const CALLER: &str = "123456789012";
const DEV: &str = "111111111111";
const SHARED: &str = "222222222222";
const ADMIN: &str = "arn:aws:iam::aws:policy/AdministratorAccess";

/// Temporary credentials in `account`, as an organisation's administrator gets them
/// (the endpoint lets any role that is not rcdk's be assumed).
struct Keys {
    id: String,
    secret: String,
    token: String,
}

fn between<'a>(text: &'a str, open: &str, close: &str) -> &'a str {
    text.split_once(open)
        .and_then(|(_, rest)| rest.split_once(close))
        .map(|(v, _)| v)
        .unwrap_or_else(|| panic!("no {open} in {text}"))
}

fn keys_in(moto: &Moto, account: &str) -> Keys {
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

/// `rcdk` with the caller's keys, or with `keys`.
fn rcdk_as(moto: &Moto, keys: Option<&Keys>, args: &[&str]) -> Output {
    let mut cmd = rcdk_command(&moto.endpoint(), args);
    if let Some(k) = keys {
        cmd.env("AWS_ACCESS_KEY_ID", &k.id)
            .env("AWS_SECRET_ACCESS_KEY", &k.secret)
            .env("AWS_SESSION_TOKEN", &k.token);
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
                    "requiresBootstrapStackVersion": 2
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
    let app = app.display().to_string();
    let out = rcdk_as(
        moto,
        None,
        &[
            "deploy",
            stack,
            "--app",
            &app,
            "--require-approval",
            "never",
        ],
    );
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
