//! The reference app: golden templates under `snapshots/` (reviewed in PRs; accept a
//! change with `cargo insta review`), environment selection, determinism, and scale.

use rcdk::{App, CloudAssembly};

use crate::support::synth;

pub fn reference_app(context: &[(&str, serde_json::Value)]) -> App {
    let app = App::with_context(Default::default(), "cdk.out");
    for (k, v) in context {
        app.set_context(*k, v.clone());
    }
    rcdk_apps::build(&app).unwrap_or_else(|e| panic!("reference app: {e}"));
    app
}

pub fn all_environments() -> CloudAssembly {
    synth(&reference_app(&[]))
}

fn names(assembly: &CloudAssembly) -> Vec<&str> {
    assembly
        .stacks
        .iter()
        .map(|s| s.stack_name.as_str())
        .collect()
}

#[test]
fn golden_templates() {
    let assembly = all_environments();
    // An organisation: the pipeline's identity stack in shared services, the baseline
    // StackSet, trail and guardrails, then the shared images (us-east-1 replicates into
    // us-west-2's repositories, so those come first).
    let mut expected: Vec<String> = [
        "identity-123456789012",
        "org-baseline",
        "org-trail",
        "org-guardrails",
        "images-us-west-2",
        "images-us-east-1",
    ]
    .map(String::from)
    .to_vec();
    // Staging and prod back their databases up (`backup:`), prod-dr receives prod's copies.
    for env in ["dev", "staging", "prod", "prod-dr"] {
        for stack in ["network", "data", "backup", "workers", "app", "monitoring"] {
            if stack != "backup" || env != "dev" {
                expected.push(format!("{env}-{stack}"));
            }
        }
    }
    // prod's DNS fails over to prod-dr, so it follows both.
    expected.push("dns-prod".into());
    assert_eq!(names(&assembly), expected);
    insta::with_settings!({snapshot_path => "../../snapshots", prepend_module_to_snapshot => false, omit_expression => true}, {
        for s in &assembly.stacks {
            insta::assert_snapshot!(s.stack_name.clone(), s.template_json);
        }
        insta::assert_snapshot!("manifest", serde_json::to_string_pretty(&assembly.manifest()).expect("json"));
    });
}

#[test]
fn synthesis_is_byte_for_byte_deterministic() {
    let (a, b) = (all_environments(), all_environments());
    assert_eq!(a.files(), b.files());
}

#[test]
fn environments_are_tiered() {
    let assembly = all_environments();
    let count = |stack: &str, type_name: &str| {
        assembly.stack(stack).map_or(0, |s| {
            s.template["Resources"]
                .as_object()
                .map_or(0, |r| r.values().filter(|v| v["Type"] == type_name).count())
        })
    };
    assert_eq!(count("dev-network", "AWS::EC2::NatGateway"), 1);
    assert_eq!(count("staging-network", "AWS::EC2::NatGateway"), 1);
    assert_eq!(count("prod-network", "AWS::EC2::NatGateway"), 3);
    assert_eq!(count("prod-network", "AWS::EC2::Subnet"), 9);
    let db = |env: &str| {
        assembly
            .stack(&format!("{env}-data"))
            .map(|s| s.template["Resources"]["Database"].clone())
            .unwrap_or_default()
    };
    assert_eq!(db("dev")["Properties"]["MultiAZ"], false);
    assert_eq!(db("staging")["Properties"]["MultiAZ"], true);
    assert_eq!(db("prod")["Properties"]["MultiAZ"], true);
    assert_eq!(db("prod")["Properties"]["DeletionProtection"], true);
    assert_eq!(db("prod")["DeletionPolicy"], "Snapshot");
    assert_eq!(db("dev")["DeletionPolicy"], "Delete");
    assert_eq!(db("prod")["Properties"]["BackupRetentionPeriod"], 30);
    assert_eq!(db("dev")["Properties"]["BackupRetentionPeriod"], 7);
    let prod = assembly.stack("prod-app").map(|s| s.termination_protection);
    assert_eq!(prod, Some(true));
    assert_eq!(
        assembly.stack("dev-app").map(|s| s.termination_protection),
        Some(false)
    );
    let subnet = &assembly.stack("prod-network").map(|s| {
        s.template["Resources"]["VpcPrivateSubnet3"]["Properties"]["AvailabilityZone"].clone()
    });
    assert_eq!(
        subnet,
        &Some(serde_json::json!("us-east-1c")),
        "explicit AZs, no lookup"
    );
}

#[test]
fn every_taggable_resource_carries_the_five_tags() {
    let assembly = all_environments();
    for s in &assembly.stacks {
        // The environment a stack belongs to: the longest environment name it starts
        // with (prod-dr-app is prod-dr's), or that a shared-services stack serves
        // (dns-prod, the failover of prod's name, is prod's).
        let name = s
            .stack_name
            .strip_prefix("dns-")
            .map_or(s.stack_name.clone(), |e| format!("{e}-dns"));
        let env = ["prod-dr", "staging", "prod", "dev"]
            .into_iter()
            .find(|e| name.starts_with(&format!("{e}-")))
            .unwrap_or("shared");
        for (id, r) in s.template["Resources"].as_object().into_iter().flatten() {
            let Some(tags) = r["Properties"].get("Tags") else {
                continue;
            };
            let get = |k: &str| -> Option<String> {
                match tags {
                    serde_json::Value::Array(list) => list
                        .iter()
                        .find(|t| t["Key"] == k)
                        .and_then(|t| t["Value"].as_str().map(str::to_owned)),
                    serde_json::Value::Object(map) => {
                        map.get(k).and_then(|v| v.as_str().map(str::to_owned))
                    }
                    _ => None,
                }
            };
            assert_eq!(
                get("Environment").as_deref(),
                Some(env),
                "{}/{id}",
                s.stack_name
            );
            assert_eq!(
                get("Project").as_deref(),
                Some("rcdk-reference"),
                "{}/{id}",
                s.stack_name
            );
            assert_eq!(
                get("Service").as_deref(),
                Some("web"),
                "{}/{id}",
                s.stack_name
            );
            assert_eq!(
                get("ManagedBy").as_deref(),
                Some("rcdk"),
                "{}/{id}",
                s.stack_name
            );
            assert!(
                get("CostCode").is_some_and(|c| c.starts_with("CC-")),
                "{}/{id}",
                s.stack_name
            );
        }
    }
}

#[test]
fn context_selects_environments() {
    let assembly = synth(&reference_app(&[("env", "prod,dev".into())]));
    assert_eq!(
        names(&assembly),
        [
            // The shared images: every environment pulls from them.
            "images-us-west-2",
            "images-us-east-1",
            "prod-network",
            "prod-data",
            "prod-backup",
            "prod-workers",
            "prod-app",
            "prod-monitoring",
            "dev-network",
            "dev-data",
            "dev-workers",
            "dev-app",
            "dev-monitoring"
        ]
    );
}

#[test]
fn an_unknown_environment_is_a_clear_error() {
    let app = App::with_context(Default::default(), "cdk.out");
    app.set_context("env", serde_json::json!("qa"));
    assert_eq!(
        rcdk_apps::build(&app),
        Err(
            "context env='qa' is not an environment; use one of dev, staging, prod, prod-dr or all"
                .to_owned()
        )
    );
}

#[test]
fn many_services_spread_over_stacks_without_moving() {
    let with = |n: u32| {
        synth(&reference_app(&[
            ("env", "dev".into()),
            ("workers", n.into()),
        ]))
    };
    let big = with(200);
    let workers: Vec<&str> = names(&big)
        .into_iter()
        .filter(|n| n.contains("workers-"))
        .collect();
    assert_eq!(
        workers,
        [
            "dev-workers-1",
            "dev-workers-2",
            "dev-workers-3",
            "dev-workers-4"
        ]
    );
    for s in &big.stacks {
        assert!(
            s.resource_count() <= 500,
            "{} has {} resources",
            s.stack_name,
            s.resource_count()
        );
    }
    // Placement is a function of the worker's name: adding workers never changes the
    // resources of the stacks that hold the earlier ones (a later stack may add an
    // export to an earlier one, which moves nothing).
    let fifty = with(rcdk_apps::WORKERS_PER_STACK);
    let fifty_one = with(rcdk_apps::WORKERS_PER_STACK + 1);
    let resources =
        |a: &CloudAssembly, n: &str| a.stack(n).map(|s| s.template["Resources"].clone());
    let same = |a: &CloudAssembly, b: &CloudAssembly, n: &str| {
        resources(a, n).is_some() && resources(a, n) == resources(b, n)
    };
    assert!(same(&fifty, &fifty_one, "dev-workers-1"));
    assert!(same(&fifty, &big, "dev-workers-1"));
    assert!(same(&fifty, &big, "dev-app"));
    let template = |a: &CloudAssembly, n: &str| a.stack(n).map(|s| s.template_json.clone());
    assert!(template(&fifty_one, "dev-workers-2").is_some_and(|t| t.contains("Worker51Task")));
}

/// A thousand extra worker services in every environment, the DR region's included:
/// every template stays within CloudFormation's limits on what it receives (compact
/// JSON): 1 MB, 500 resources, 200 outputs, 200 parameters. (Synthesis refuses a
/// template over a limit; the largest is reported to show the margin.)
#[test]
fn a_thousand_workers_per_environment_stay_within_every_limit() {
    let app = rcdk::App::with_context(Default::default(), "cdk.out");
    app.set_context("env", "all".into());
    app.set_context("workers", 1000.into());
    rcdk_apps::build(&app).expect("the app builds");
    let assembly = app.synthesize().expect("every template within the limits");
    let count = |t: &serde_json::Value, section: &str| {
        t.get(section)
            .and_then(serde_json::Value::as_object)
            .map_or(0, serde_json::Map::len)
    };
    let mut largest = (0, String::new());
    for env in ["dev", "staging", "prod", "prod-dr"] {
        let shards = assembly
            .stacks
            .iter()
            .filter(|s| s.stack_name.starts_with(&format!("{env}-workers-")))
            .count();
        assert_eq!(shards, 20, "{env}: 1000 workers in 20 stacks of 50");
    }
    for s in &assembly.stacks {
        let bytes = serde_json::to_vec(&s.template).expect("json").len();
        assert!(bytes <= 1_000_000, "{}: {bytes} bytes", s.stack_name);
        assert!(count(&s.template, "Resources") <= 500, "{}", s.stack_name);
        assert!(count(&s.template, "Outputs") <= 200, "{}", s.stack_name);
        assert!(count(&s.template, "Parameters") <= 200, "{}", s.stack_name);
        if bytes > largest.0 {
            largest = (bytes, s.stack_name.clone());
        }
    }
    eprintln!("largest template: {} ({} bytes)", largest.1, largest.0);
}
