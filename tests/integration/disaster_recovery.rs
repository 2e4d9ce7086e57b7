//! The warm standby end to end on the local endpoint, across two regions: prod in
//! us-east-1, prod-dr in us-west-2 (its database a replica of prod's), dns-prod (in the shared-services account) failing
//! over between their load balancers; deletion protection refuses destroy until the
//! settings turn it off.

use std::path::Path;

use crate::local_endpoint::{Moto, json_call, rcdk, text};

const STACKS: [&str; 11] = [
    "prod-network",
    "prod-data",
    "prod-workers",
    "prod-app",
    "prod-monitoring",
    "prod-dr-network",
    "prod-dr-data",
    "prod-dr-workers",
    "prod-dr-app",
    "prod-dr-monitoring",
    "dns-prod",
];

/// prod and prod-dr synthesized from `config` into `dir`.
fn assembly(dir: &Path, config: &Path) -> String {
    let app = rcdk::App::with_context(Default::default(), dir);
    app.set_context("env", "prod,prod-dr".into());
    app.set_context("config", config.display().to_string().into());
    rcdk_apps::build(&app).unwrap_or_else(|e| panic!("{e}"));
    app.synth_to(dir).unwrap_or_else(|e| panic!("{e}"));
    dir.display().to_string()
}

/// The status of `stack` in `region`: prod's stacks in prod's account, dns-prod in the
/// caller's (shared services, which holds the zone).
fn status(moto: &Moto, region: &str, stack: &str) -> String {
    let query = format!("Action=DescribeStacks&Version=2010-05-15&StackName={stack}");
    let body = if stack == "dns-prod" {
        crate::local_endpoint::http_post_as_in(moto.port, "test", region, "cloudformation", &query)
    } else {
        crate::local_endpoint::http_post_in(moto.port, region, "cloudformation", &query)
    };
    body.split_once("<StackStatus>")
        .and_then(|(_, rest)| rest.split_once("</StackStatus>"))
        .map(|(s, _)| s.to_owned())
        .unwrap_or_else(|| body.chars().take(300).collect())
}

#[test]
fn prod_and_its_standby_deploy_to_two_regions_and_dns_fails_over_between_them() {
    let moto = Moto::start();
    // The hosted zone exists before the app (it is the domain's, not the app's), in the
    // shared-services account: the caller's, the pipeline's, which deploys the images
    // and dns-prod itself.
    let created = crate::local_endpoint::route53_create_zone(moto.port, "example.com");
    // Prod's account trusts the caller in both regions; the test looks into it.
    let prod = crate::accounts::bootstrap_trusting_caller(
        &moto,
        "333333333333",
        &["us-east-1", "us-west-2"],
    );
    moto.look_in(&prod.id);
    let config =
        std::fs::read_to_string(crate::support::root().join("apps/config/environments.yaml"))
            .expect("config")
            .replace(
                "zone_id: Z0123456789EXAMPLE0",
                &format!("zone_id: {created}"),
            );
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("environments.yaml");
    std::fs::write(&file, &config).expect("write");
    let app = assembly(&dir.path().join("v1"), &file);
    let run = rcdk(
        &moto.endpoint(),
        &[
            "deploy",
            "prod*",
            "dns-prod",
            "--app",
            &app,
            "--require-approval",
            "never",
            "--concurrency",
            "4",
        ],
    );
    let (stdout, stderr) = text(&run);
    assert!(run.status.success(), "{stdout}\n{stderr}");
    for s in STACKS {
        let region = if s.starts_with("prod-dr-") {
            "us-west-2"
        } else {
            "us-east-1"
        };
        assert_eq!(status(&moto, region, s), "CREATE_COMPLETE", "{s}");
    }
    // The replica's source crossed the regions through SSM.
    let source = json_call(
        moto.port,
        "us-west-2",
        "ssm",
        "AmazonSSM.GetParameter",
        r#"{"Name": "/rcdk/cross-region/prod-data/CrossRegionFnGetAttDatabaseDBInstanceArn"}"#,
    );
    assert!(
        source.contains("arn:aws:rds:us-east-1:333333333333:db:"),
        "{source}"
    );
    // The load balancers' names crossed into shared services' account (read through
    // prod's lookup role), where the zone's failover records read them.
    let primary = crate::local_endpoint::json_call_as(
        moto.port,
        "test",
        "ssm",
        "AmazonSSM.GetParameter",
        r#"{"Name": "/rcdk/cross-region/prod-app/CrossRegionFnGetAttLoadBalancerDNSName"}"#,
    );
    assert!(primary.contains("elb.amazonaws.com"), "{primary}");
    assert!(
        stderr.contains("dns-prod: CrossRegionFnGetAttLoadBalancerDNSName of prod-app (account 333333333333) → SSM /rcdk/cross-region/prod-app/CrossRegionFnGetAttLoadBalancerDNSName"),
        "{stderr}"
    );
    // Destroy is refused while deletion protection is on.
    let refused = rcdk(
        &moto.endpoint(),
        &["destroy", "prod-dr-app", "--app", &app, "--force"],
    );
    let (_, stderr) = text(&refused);
    assert!(!refused.status.success());
    assert!(stderr.contains("termination protection is on"), "{stderr}");
    let refused = rcdk(
        &moto.endpoint(),
        &["destroy", "dns-prod", "--app", &app, "--force"],
    );
    assert!(!refused.status.success());
    // The settings turn it off; a deploy applies that (the DNS template itself is the
    // same: only the protection changes); then destroy works.
    let off = config.replace("deletion_protection: true", "deletion_protection: false");
    std::fs::write(&file, off).expect("write");
    let app = assembly(&dir.path().join("v2"), &file);
    let run = rcdk(
        &moto.endpoint(),
        &[
            "deploy",
            "dns-prod",
            "--exclusively",
            "--app",
            &app,
            "--require-approval",
            "never",
        ],
    );
    let (stdout, stderr) = text(&run);
    assert!(run.status.success(), "{stdout}\n{stderr}");
    assert!(
        format!("{stdout}{stderr}").contains("dns-prod: termination protection off"),
        "{stdout}\n{stderr}"
    );
    let gone = rcdk(
        &moto.endpoint(),
        &["destroy", "dns-prod", "--app", &app, "--force"],
    );
    assert!(gone.status.success(), "{:?}", text(&gone));
    assert_ne!(status(&moto, "us-east-1", "dns-prod"), "CREATE_COMPLETE");
}
