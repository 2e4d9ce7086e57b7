//! Cost estimates: figures checked by hand against the price table, every resource
//! accounted for (priced, free or not priced with a reason), environments ordered by
//! tier, usage assumptions from the template, `rcdk cost` JSON, and the delta in a diff.

use std::path::Path;

use rcdk::cost::{StackCost, Usage, estimate};
use serde_json::{Value as J, json};

use crate::reference_app::all_environments;
use crate::support::run_rcdk;

fn cost_of(assembly: &rcdk::CloudAssembly, stack: &str) -> StackCost {
    let s = assembly.stack(stack).expect("stack");
    estimate(
        stack,
        s.environment.region.as_deref(),
        s.tags.get("Environment").map(String::as_str),
        &s.template,
    )
    .expect("estimate")
}

fn line(cost: &StackCost, id: &str, unit: &str) -> f64 {
    cost.items
        .iter()
        .find(|i| i.logical_id == id && i.unit == unit)
        .unwrap_or_else(|| panic!("no {id} {unit} in {}", cost.name))
        .monthly_usd
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 0.005
}

#[test]
fn hand_computed_figures_match() {
    let a = all_environments();
    let network = cost_of(&a, "prod-network");
    // Three NAT gateways for 730 hours at $0.045: 3 × 32.85 = $98.55.
    let nat_hours: f64 = [
        "VpcPublicSubnet1NatGateway",
        "VpcPublicSubnet2NatGateway",
        "VpcPublicSubnet3NatGateway",
    ]
    .iter()
    .map(|id| line(&network, id, "hour"))
    .sum();
    assert!(close(nat_hours, 98.55), "{nat_hours}");
    // An interface endpoint in 3 AZs: 3 × 730 × $0.01 = $21.90.
    assert!(close(line(&network, "VpcEcrApiEndpoint", "AZ-hour"), 21.90));
    // db.r7g.large Multi-AZ PostgreSQL: 730 × $0.478 = $348.94; 20 GB at $0.23 = $4.60.
    let data = cost_of(&a, "prod-data");
    assert!(close(line(&data, "Database", "hour"), 348.94));
    assert!(close(line(&data, "Database", "GB-month"), 4.60));
    // Three 1-vCPU/2-GB arm64 web tasks: 3 × 730 × (1 × $0.03238 + 2 × $0.00356) = $86.50.
    let app = cost_of(&a, "prod-app");
    let web =
        line(&app, "WebServiceService", "vCPU-hour") + line(&app, "WebServiceService", "GB-hour");
    assert!(close(web, 3.0 * 730.0 * (0.03238 + 2.0 * 0.00356)), "{web}");
    // Redis in prod: two cache.r7g.large nodes: 2 × 730 × $0.219 = $319.74.
    let workers = cost_of(&a, "prod-workers");
    assert!(close(line(&workers, "Redis", "node-hour"), 319.74));
    // The 04:00 cleanup: 730/24 runs of 10 minutes of 0.25 vCPU.
    let runs = 730.0 / 24.0;
    assert!(close(
        line(&workers, "DailyCleanup", "vCPU-hour"),
        runs * 10.0 / 60.0 * 0.25 * 0.03238
    ));
    // Each stack's total is the sum of its lines.
    for c in [&network, &data, &app, &workers] {
        let sum: f64 = c.items.iter().map(|i| i.monthly_usd).sum();
        assert!(close(sum, c.monthly_usd), "{}", c.name);
    }
}

#[test]
fn every_resource_is_priced_free_or_not_priced_with_a_reason() {
    let a = all_environments();
    for s in &a.stacks {
        let c = cost_of(&a, &s.stack_name);
        let resources = s.template["Resources"].as_object().expect("resources");
        for (id, r) in resources {
            let priced = c.items.iter().any(|i| &i.logical_id == id);
            let free = c.free.iter().any(|f| &f.logical_id == id);
            let not_priced = c.not_priced.iter().find(|n| &n.logical_id == id);
            assert_eq!(
                [priced, free, not_priced.is_some()]
                    .iter()
                    .filter(|b| **b)
                    .count(),
                1,
                "{}/{id} ({})",
                s.stack_name,
                r["Type"]
            );
            if let Some(n) = not_priced {
                assert!(
                    n.why.starts_with("usage-based") || n.why.starts_with("storage-based"),
                    "{}/{id}: the reference app has no type rcdk cannot price: {}",
                    s.stack_name,
                    n.why
                );
                // Each says how to price it: a Usage knob, or (GuardDuty, billed by what
                // it analyses) where AWS estimates it.
                assert!(
                    n.why.contains("set Usage.") || n.why.contains("usage estimate"),
                    "{}",
                    n.why
                );
            }
        }
        assert!(
            c.items.iter().all(|i| i.monthly_usd > 0.0),
            "{}",
            s.stack_name
        );
    }
}

#[test]
fn prod_costs_more_than_staging_which_costs_more_than_dev() {
    let a = all_environments();
    let env = |e: &str| -> f64 {
        ["network", "data", "workers", "app", "monitoring"]
            .iter()
            .map(|s| cost_of(&a, &format!("{e}-{s}")).monthly_usd)
            .sum()
    };
    let (dev, staging, prod) = (env("dev"), env("staging"), env("prod"));
    assert!(prod > staging && staging > dev, "{dev} {staging} {prod}");
}

#[test]
fn usage_assumptions_come_from_the_template_and_bad_ones_name_the_field() {
    let app = rcdk::App::with_context(Default::default(), "cdk.out");
    let stack = crate::fixtures::stack(&app, "edge");
    rcdk::CfnResource::new(
        &stack,
        "Nat",
        "AWS::EC2::NatGateway",
        rcdk::Value::object([("SubnetId", rcdk::Value::from("subnet-1"))]),
    );
    Usage {
        nat_gb_per_gateway: 1000.0,
        ..Usage::default()
    }
    .apply(&stack);
    let assembly = crate::support::synth(&app);
    let template = &assembly.stack("edge").expect("stack").template;
    assert_eq!(
        template["Metadata"]["rcdk:cost-usage"]["nat_gb_per_gateway"],
        1000.0
    );
    let c = estimate("edge", Some("us-east-1"), None, template).expect("estimate");
    // 1000 GB at $0.045 instead of the default 100 GB.
    assert!(close(line(&c, "Nat", "GB"), 45.0));
    assert_eq!(c.usage.nat_gb_per_gateway, 1000.0);

    let mut bad = template.clone();
    bad["Metadata"]["rcdk:cost-usage"] = json!({"nat_gb": 5});
    let err = estimate("edge", Some("us-east-1"), None, &bad).unwrap_err();
    assert!(
        err.starts_with("edge: Metadata.rcdk:cost-usage: unknown field `nat_gb`"),
        "{err}"
    );
    let err = estimate("edge", Some("eu-west-1"), None, template).unwrap_err();
    assert!(
        err.contains("no prices for eu-west-1 (it has us-east-1, us-west-2)"),
        "{err}"
    );
}

/// An assembly with one stack per (name, template), in us-east-1.
fn assembly_dir(dir: &Path, stacks: &[(&str, J)]) -> String {
    std::fs::create_dir_all(dir).expect("dir");
    let mut artifacts = serde_json::Map::new();
    for (name, template) in stacks {
        artifacts.insert((*name).into(), json!({"type": "aws:cloudformation:stack", "environment": "aws://123456789012/us-east-1",
            "properties": {"templateFile": format!("{name}.template.json"), "tags": {"Environment": "dev"}}}));
        std::fs::write(
            dir.join(format!("{name}.template.json")),
            template.to_string(),
        )
        .expect("template");
    }
    std::fs::write(
        dir.join("manifest.json"),
        json!({"version": "36.0.0", "artifacts": artifacts}).to_string(),
    )
    .expect("manifest");
    dir.display().to_string()
}

fn nat_template(gateways: usize) -> J {
    let resources: serde_json::Map<String, J> = (1..=gateways)
        .map(|i| {
            (
                format!("Nat{i}"),
                json!({"Type": "AWS::EC2::NatGateway", "Properties": {"SubnetId": "subnet-1"}}),
            )
        })
        .chain(std::iter::once((
            "Queue".to_owned(),
            json!({"Type": "AWS::SQS::Queue"}),
        )))
        .collect();
    json!({"Resources": resources})
}

#[test]
fn rcdk_cost_prints_json_as_documented_and_diff_shows_the_delta() {
    let dir = tempfile::tempdir().expect("tempdir");
    let app = assembly_dir(&dir.path().join("app"), &[("edge", nat_template(2))]);
    let (code, stdout, stderr) = run_rcdk(&["cost", "--app", &app, "--format", "json"]);
    assert_eq!(code, Some(0), "{stderr}");
    let j: J = serde_json::from_str(&stdout).expect("JSON");
    // Two gateways: 2 × (730 × $0.045 + 100 GB × $0.045) = $74.70.
    assert_eq!(j["total_monthly_usd"], 74.7);
    let stack = &j["stacks"][0];
    assert_eq!(stack["name"], "edge");
    assert_eq!(stack["region"], "us-east-1");
    assert_eq!(stack["environment"], "dev");
    let item = &stack["items"][0];
    for key in [
        "logical_id",
        "type",
        "description",
        "quantity",
        "unit",
        "unit_usd",
        "monthly_usd",
    ] {
        assert!(item.get(key).is_some(), "{key} in {item}");
    }
    assert_eq!(stack["not_priced"][0]["logical_id"], "Queue");
    assert!(
        stack["not_priced"][0]["why"]
            .as_str()
            .is_some_and(|w| w.contains("$0.4 per million"))
    );
    assert_eq!(
        j["environments"],
        json!([{"name": "dev", "monthly_usd": 74.7}])
    );
    // One account: no totals by account.
    assert_eq!(j["accounts"], json!([]));

    let (code, stdout, _) = run_rcdk(&["cost", "--app", &app, "--format", "markdown"]);
    assert_eq!(code, Some(0));
    assert!(
        stdout.contains("| edge | us-east-1 | $74.70 |")
            && stdout.contains("| **total** | **$74.70** |"),
        "{stdout}"
    );

    // One gateway before, two now: the diff says what that costs.
    let old = dir.path().join("old.json");
    std::fs::write(&old, nat_template(1).to_string()).expect("old");
    let (code, stdout, stderr) = run_rcdk(&[
        "diff",
        "--app",
        &app,
        "--template",
        &old.display().to_string(),
        "edge",
    ]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stdout.contains("monthly cost: $37.35 → $74.70 (+$37.35)\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("    Nat2 NAT gateway, 730 hours: $0.00 → $32.85\n"),
        "{stdout}"
    );
    let (_, stdout, _) = run_rcdk(&[
        "diff",
        "--app",
        &app,
        "--template",
        &old.display().to_string(),
        "--json",
        "edge",
    ]);
    let j: J = serde_json::from_str(&stdout).expect("JSON");
    assert_eq!(j[0]["cost"]["before_usd"], 37.35);
    assert_eq!(j[0]["cost"]["after_usd"], 74.7);
    assert_eq!(j[0]["cost"]["delta_usd"], 37.35);
}

#[test]
fn each_environment_has_a_budget_on_its_cost_code_above_its_estimate() {
    let a = all_environments();
    for (env, amount, code) in [
        ("dev", 300.0, "CC-1001"),
        ("staging", 600.0, "CC-1001"),
        ("prod", 1500.0, "CC-2001"),
        ("prod-dr", 1000.0, "CC-2002"),
    ] {
        let budget = &a
            .stack(&format!("{env}-monitoring"))
            .expect("stack")
            .template["Resources"]["Budget"]["Properties"]["Budget"];
        assert_eq!(budget["BudgetLimit"]["Amount"], amount, "{env}");
        assert_eq!(budget["BudgetName"], format!("{env}-monthly"));
        assert_eq!(
            budget["FilterExpression"]["Tags"]["Values"],
            json!([code]),
            "{env}"
        );
        let estimate: f64 = a
            .stacks
            .iter()
            .filter(|s| s.tags.get("Environment").map(String::as_str) == Some(env))
            .map(|s| cost_of(&a, &s.stack_name).monthly_usd)
            .sum();
        assert!(
            estimate < amount,
            "{env}: the estimate {estimate} fits the budget {amount}"
        );
    }
    // Production's traffic assumptions are in its templates, for reviewers and the estimate.
    let prod = &a.stack("prod-network").expect("stack").template;
    assert_eq!(
        prod["Metadata"]["rcdk:cost-usage"]["nat_gb_per_gateway"],
        500.0
    );
    assert!(
        a.stack("dev-network")
            .expect("stack")
            .template
            .get("Metadata")
            .is_none()
    );
}

#[test]
fn instances_auto_scaling_groups_volumes_and_long_performance_insights_are_priced() {
    let template = json!({"Resources": {
        "Bastion": {"Type": "AWS::EC2::Instance", "Properties": {"InstanceType": "t3.micro", "ImageId": "ami-1"}},
        "Template": {"Type": "AWS::EC2::LaunchTemplate", "Properties": {"LaunchTemplateData": {"InstanceType": "m7g.large"}}},
        "Capacity": {"Type": "AWS::AutoScaling::AutoScalingGroup", "Properties": {
            "MinSize": "2", "MaxSize": "6", "DesiredCapacity": "3",
            "LaunchTemplate": {"LaunchTemplateId": {"Ref": "Template"}, "Version": "1"}}},
        "Mixed": {"Type": "AWS::AutoScaling::AutoScalingGroup", "Properties": {
            "MinSize": "2", "MaxSize": "6",
            "MixedInstancesPolicy": {
                "InstancesDistribution": {"OnDemandBaseCapacity": 1, "OnDemandPercentageAboveBaseCapacity": 50},
                "LaunchTemplate": {
                    "LaunchTemplateSpecification": {"LaunchTemplateId": {"Ref": "Template"}, "Version": "1"},
                    "Overrides": [{"InstanceType": "c7g.large"}, {"InstanceType": "m7g.large"}]}}}},
        "Data": {"Type": "AWS::EC2::Volume", "Properties": {"Size": 100, "VolumeType": "gp3", "AvailabilityZone": "us-east-1a"}},
        "Db": {"Type": "AWS::RDS::DBInstance", "Properties": {"Engine": "postgres", "DBInstanceClass": "db.m7g.large",
            "MultiAZ": false, "AllocatedStorage": "50", "EnablePerformanceInsights": true, "PerformanceInsightsRetentionPeriod": 31}},
        "Thing": {"Type": "AWS::Example::Unknown", "Properties": {}}
    }});
    let c = estimate("s", Some("us-west-2"), None, &template).expect("estimate");
    assert!(close(line(&c, "Bastion", "hour"), 730.0 * 0.0104));
    // Three instances of the launch template's type (desired capacity).
    assert!(close(line(&c, "Capacity", "hour"), 3.0 * 730.0 * 0.0816));
    // Mixed instances: the first override, at the minimum size, spot priced at on demand.
    assert!(close(line(&c, "Mixed", "hour"), 2.0 * 730.0 * 0.0725));
    assert!(c.items.iter().any(|i| i.logical_id == "Mixed"
        && i.description == "2 × c7g.large (minimum size, Linux, on demand; the 50% spot share above the base priced at on demand, an upper bound)"));
    assert!(close(line(&c, "Data", "GB-month"), 8.0));
    assert!(close(line(&c, "Db", "hour"), 730.0 * 0.168));
    assert!(close(line(&c, "Db", "GB-month"), 50.0 * 0.115));
    // Beyond the free 7 days: 2 vCPUs × $2.
    assert!(close(line(&c, "Db", "vCPU-month"), 4.0));
    assert!(c.free.iter().any(|f| f.logical_id == "Template"));
    assert_eq!(c.not_priced.len(), 1);
    assert_eq!(
        c.not_priced[0].why,
        "no price rule for AWS::Example::Unknown yet"
    );
}

#[test]
fn database_sizes_are_priced_from_their_family_and_unknown_families_say_so() {
    let db = |class: &str, multi: bool| json!({"Type": "AWS::RDS::DBInstance", "Properties": {"Engine": "postgres", "DBInstanceClass": class, "MultiAZ": multi}});
    let template = json!({"Resources": {
        "Big": db("db.m7g.2xlarge", true),
        "Burst": db("db.t3.large", false),
        "Odd": db("db.x2g.large", false)
    }});
    let c = estimate("s", Some("us-east-1"), None, &template).expect("estimate");
    // 2xlarge = 4 × large; Multi-AZ doubles: 8 × $0.168 × 730.
    assert!(close(line(&c, "Big", "hour"), 8.0 * 0.168 * 730.0));
    assert!(
        c.items
            .iter()
            .any(|i| i.description
                == "PostgreSQL db.m7g.2xlarge, Multi-AZ (8 × the m7g large price)")
    );
    assert!(close(line(&c, "Burst", "hour"), 0.145 * 730.0));
    assert_eq!(
        c.not_priced[0].why,
        "no price for db.x2g.large or the x2g family in the table (src/cost/prices.json); add it"
    );
}

#[test]
fn alarms_are_priced_by_kind() {
    let stat = |id: &str, period: u32| json!({"Id": id, "MetricStat": {"Metric": {"Namespace": "AWS/SQS", "MetricName": "X"}, "Period": period, "Stat": "Sum"}});
    let template = json!({"Resources": {
        "Standard": {"Type": "AWS::CloudWatch::Alarm", "Properties": {"Period": 60}},
        "Fast": {"Type": "AWS::CloudWatch::Alarm", "Properties": {"Period": 10}},
        "Math": {"Type": "AWS::CloudWatch::Alarm", "Properties": {"Metrics": [
            stat("a", 300), stat("b", 300), {"Id": "e", "Expression": "a + b"}]}},
        "Band": {"Type": "AWS::CloudWatch::Alarm", "Properties": {"ThresholdMetricId": "band", "Metrics": [
            stat("m", 300), {"Id": "band", "Expression": "ANOMALY_DETECTION_BAND(m, 2)"}]}}
    }});
    let c = estimate("s", Some("us-east-1"), None, &template).expect("estimate");
    assert!(close(line(&c, "Standard", "metric-month"), 0.10));
    // A 10-second period is high resolution: $0.30 a metric.
    assert!(close(line(&c, "Fast", "metric-month"), 0.30));
    // Two metrics under the expression, $0.10 each; the expression itself is free.
    assert!(close(line(&c, "Math", "metric-month"), 0.20));
    // An anomaly band counts as three metrics.
    assert!(close(line(&c, "Band", "metric-month"), 0.30));
    let band = c
        .items
        .iter()
        .find(|i| i.logical_id == "Band")
        .expect("band");
    assert_eq!(
        band.description,
        "anomaly-detection alarm over 1 metric (3 metrics per band)"
    );
}

#[test]
fn backups_are_priced_from_the_plan_and_the_restore_tests() {
    let a = all_environments();
    let backup = cost_of(&a, "prod-backup");
    // 50 GB of RDS snapshots at $0.095 ($4.75), 50 GB of copies in prod-dr's vault
    // ($4.75) and 30 GB a month sent there at $0.02 ($0.60).
    let plan: Vec<f64> = backup
        .items
        .iter()
        .filter(|i| i.logical_id == "Plan")
        .map(|i| i.monthly_usd)
        .collect();
    assert!(
        plan.len() == 3 && close(plan[0], 4.75) && close(plan[1], 4.75) && close(plan[2], 0.60),
        "{plan:?}"
    );
    // A weekly restore of prod's db.r7g.large (Single-AZ, $0.239/h)
    // for the restore and the 2-hour window: 3 h × 52 / 12 = 13 h, $3.11.
    let tests = line(&backup, "RestoreTestsDatabase", "hour");
    assert!(close(tests, 13.0 * 0.239), "{tests}");
    assert!(backup.not_priced.is_empty(), "{:?}", backup.not_priced);
    // The vaults cost nothing of their own.
    let dr = cost_of(&a, "prod-dr-backup");
    assert!(
        dr.free.iter().any(|f| f.logical_id == "Vault"),
        "{:?}",
        dr.free
    );
}

/// The entry of `key` in the `cdk.prices.json` a refresh wrote in `dir`.
fn table_entry(dir: &Path, key: &str) -> J {
    let table: J = serde_json::from_str(
        &std::fs::read_to_string(dir.join("cdk.prices.json")).expect("written"),
    )
    .expect("JSON");
    table["entries"]
        .as_array()
        .and_then(|e| e.iter().find(|e| e["key"] == key))
        .cloned()
        .unwrap_or_else(|| panic!("no {key} in the refreshed table"))
}

/// `rcdk` in `dir`, without an endpoint.
fn rcdk_in(dir: &Path, args: &[&str]) -> (bool, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_rcdk"))
        .args(args)
        .current_dir(dir)
        .env_remove("AWS_ENDPOINT_URL")
        .output()
        .expect("rcdk runs");
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

/// A production database (Multi-AZ db.r7g.large), a two-node Redis group and a Fargate
/// service of two 1 vCPU / 2 GB tasks.
fn steady_template(dir: &Path) -> std::path::PathBuf {
    let t = json!({"Resources": {
        "Db": {"Type": "AWS::RDS::DBInstance", "Properties": {
            "Engine": "postgres", "DBInstanceClass": "db.r7g.large", "MultiAZ": true,
            "AllocatedStorage": "20"}},
        "Cache": {"Type": "AWS::ElastiCache::ReplicationGroup", "Properties": {
            "ReplicationGroupDescription": "cache", "Engine": "redis",
            "CacheNodeType": "cache.r7g.large", "NumCacheClusters": 2}},
        "Task": {"Type": "AWS::ECS::TaskDefinition", "Properties": {
            "Cpu": "1024", "Memory": "2048", "RequiresCompatibilities": ["FARGATE"],
            "NetworkMode": "awsvpc", "ContainerDefinitions": [{"Name": "web", "Image": "web"}]}},
        "Service": {"Type": "AWS::ECS::Service", "Properties": {
            "LaunchType": "FARGATE", "DesiredCount": 2, "TaskDefinition": {"Ref": "Task"}}}
    }});
    let path = dir.join("steady.template.json");
    std::fs::write(&path, t.to_string()).expect("write");
    path
}

#[test]
fn prices_refresh_from_the_offer_files_and_commitments_compare_reserved_instances() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let offers = crate::support::root().join("tests/integration/offers");
    let template = steady_template(tmp.path());
    let t = template.to_str().expect("utf-8");
    // Commitments need the offer files' reserved prices.
    let (ok, out) = rcdk_in(tmp.path(), &["cost", "--template", t, "--commitments"]);
    assert!(
        !ok && out.contains("run `rcdk cost --refresh-prices` first"),
        "{out}"
    );

    let (ok, out) = rcdk_in(
        tmp.path(),
        &[
            "cost",
            "--refresh-prices",
            "--offers",
            offers.to_str().expect("utf-8"),
        ],
    );
    assert!(ok, "{out}");
    assert!(
        out.contains(
            "AmazonRDS us-east-1 (published 2026-11-28T00:00:00Z): 5 prices, 2 changed, 1 new"
        ) && out.contains("  rds_postgres_hour:db.r7g.large:single: $0.239 -> $0.241")
            && out
                .contains("AmazonElastiCache us-west-2 (published 2026-11-26T00:00:00Z): 2 prices")
            && out.contains("AmazonECS us-east-1 (published 2026-11-29T00:00:00Z): 4 prices, 0 changed, 0 new")
            && out.contains("AWSELB us-west-2 (published 2026-11-29T00:00:00Z): 2 prices, 0 changed, 0 new")
            // Fargate's four usages and m7g.large, the EC2 type the table has of the file's.
            && out.contains("AWSComputeSavingsPlan us-east-1 (published 2026-11-30T00:00:00Z): Savings Plans rates for 5 prices"),
        "{out}"
    );
    // Fargate on Linux and the ALB (not the NLB of the same usage type) by their SKUs.
    assert_eq!(
        table_entry(tmp.path(), "fargate_vcpu_hour_x86")["sku"]["us-east-1"],
        "M4T8FB3W6DU9Z2XS"
    );
    assert_eq!(
        table_entry(tmp.path(), "alb_hour")["sku"]["us-west-2"],
        "T6A2MH4C5KA3F8DY"
    );
    // The Linux rates only: not Windows' (RunInstances:0002) nor dedicated tenancy's.
    let m7g = table_entry(tmp.path(), "ec2_hour:m7g.large");
    assert_eq!(
        m7g["savings_plans"]["us-west-2"],
        json!([
            {"years": 1, "purchase_option": "No Upfront", "hourly_usd": 0.0634},
            {"years": 1, "purchase_option": "All Upfront", "hourly_usd": 0.0603},
            {"years": 3, "purchase_option": "No Upfront", "hourly_usd": 0.0435}
        ])
    );
    // A class the transcribed table lacked.
    let entry = table_entry(tmp.path(), "rds_postgres_hour:db.m8g.xlarge:single");
    assert_eq!(entry["sku"]["us-east-1"], "F6M4ZU2Q8XN5T3HG");
    assert_eq!(entry["as_of"], "2026-11-28");

    // Estimates here use the refreshed prices; commitments compare reserved instances.
    let (ok, out) = rcdk_in(
        tmp.path(),
        &["cost", "--template", t, "--commitments", "--format", "json"],
    );
    assert!(ok, "{out}");
    let report: J = serde_json::from_str(&out).expect("JSON");
    let db = report["commitments"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["resource"] == "steady/Db"))
        .expect("the database");
    // On demand: $0.478 × 730 h. Three years all upfront: $5,800 over 36 months.
    assert!(
        close(
            db["on_demand_monthly_usd"].as_f64().expect("usd"),
            0.478 * 730.0
        ),
        "{db}"
    );
    let three = db["options"]
        .as_array()
        .and_then(|o| {
            o.iter()
                .find(|o| o["years"] == 3 && o["purchase_option"] == "All Upfront")
        })
        .expect("3 yr all upfront");
    assert!(
        close(three["monthly_usd"].as_f64().expect("usd"), 5800.0 / 36.0),
        "{three}"
    );
    assert!(close(
        three["saving_usd"].as_f64().expect("usd"),
        0.478 * 730.0 - 5800.0 / 36.0
    ));
    // Two Redis nodes: twice one node's reserved price; convertible terms are left out.
    let cache = report["commitments"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["resource"] == "steady/Cache"))
        .expect("the cache");
    let one_year = cache["options"]
        .as_array()
        .and_then(|o| {
            o.iter()
                .find(|o| o["years"] == 1 && o["purchase_option"] == "No Upfront")
        })
        .expect("1 yr no upfront");
    assert!(
        close(
            one_year["monthly_usd"].as_f64().expect("usd"),
            2.0 * 0.142 * 730.0
        ),
        "{one_year}"
    );
    // The Fargate service: Compute Savings Plans on its vCPU-hours (2 tasks × 730 h).
    let vcpu = report["commitments"]
        .as_array()
        .and_then(|c| {
            c.iter().find(|c| {
                c["resource"] == "steady/Service"
                    && c["plan"] == "Compute Savings Plan"
                    && c["description"]
                        .as_str()
                        .is_some_and(|d| d.contains("vCPU"))
            })
        })
        .expect("the service's vCPU");
    assert!(
        close(
            vcpu["on_demand_monthly_usd"].as_f64().expect("usd"),
            1460.0 * 0.04048
        ),
        "{vcpu}"
    );
    let option = |years: u64, purchase: &str| {
        vcpu["options"]
            .as_array()
            .and_then(|o| {
                o.iter()
                    .find(|o| o["years"] == years && o["purchase_option"] == purchase)
            })
            .cloned()
            .unwrap_or_else(|| panic!("{years} yr {purchase}: {vcpu}"))
    };
    let no_upfront = option(1, "No Upfront");
    assert!(
        close(
            no_upfront["monthly_usd"].as_f64().expect("usd"),
            1460.0 * 0.032384
        ),
        "{no_upfront}"
    );
    assert!(close(
        no_upfront["saving_usd"].as_f64().expect("usd"),
        1460.0 * (0.04048 - 0.032384)
    ));
    assert_eq!(no_upfront["upfront_usd"], 0.0);
    // All upfront: the year's commitment paid once, spread over the months.
    let all_upfront = option(1, "All Upfront");
    assert!(
        close(
            all_upfront["upfront_usd"].as_f64().expect("usd"),
            12.0 * 1460.0 * 0.030766
        ),
        "{all_upfront}"
    );
    assert!(close(
        option(3, "No Upfront")["monthly_usd"]
            .as_f64()
            .expect("usd"),
        1460.0 * 0.020645
    ));
    let (ok, text) = rcdk_in(tmp.path(), &["cost", "--template", t, "--commitments"]);
    assert!(
        ok && text.contains("prices: ")
            && text.contains("steady/Service  2 tasks (desired count) × 730 h: 1 vCPU (x86): on demand $59.10/month (Compute Savings Plan)"),
        "{text}"
    );
}

#[test]
fn prices_refresh_from_the_price_list_over_http() {
    // The price list's layout, served on 127.0.0.1.
    let tmp = tempfile::tempdir().expect("tempdir");
    let www = tmp.path().join("www");
    let fixtures = crate::support::root().join("tests/integration/offers");
    let serve = |from: std::path::PathBuf, to: &str| {
        let to = www.join(to);
        std::fs::create_dir_all(to.parent().expect("a folder")).expect("mkdir");
        std::fs::copy(from, to).expect("copy");
    };
    for offer in ["AmazonRDS", "AmazonElastiCache", "AmazonECS", "AWSELB"] {
        serve(
            fixtures.join(format!("{offer}/us-east-1/index.json")),
            &format!("offers/v1.0/aws/{offer}/current/us-east-1/index.json"),
        );
    }
    // Savings Plans: an index naming each region's current file.
    let plans = "savingsPlan/v1.0/aws/AWSComputeSavingsPlan";
    serve(
        fixtures.join("AWSComputeSavingsPlan/region_index.json"),
        &format!("{plans}/current/region_index.json"),
    );
    serve(
        fixtures.join("AWSComputeSavingsPlan/us-east-1/index.json"),
        &format!("{plans}/20261130000000/us-east-1/index.json"),
    );
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let mut server = std::process::Command::new("python3")
        .args([
            "-m",
            "http.server",
            "--bind",
            "127.0.0.1",
            &port.to_string(),
        ])
        .current_dir(&www)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("python3 serves the offers");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            std::time::Instant::now() < deadline,
            "the offer server did not start"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let project = tmp.path().join("app");
    std::fs::create_dir_all(&project).expect("mkdir");
    let url = format!("http://127.0.0.1:{port}");
    let (ok, out) = rcdk_in(
        &project,
        &[
            "cost",
            "--refresh-prices",
            "--offers",
            &url,
            "--region",
            "us-east-1",
        ],
    );
    let (missing_ok, missing) = rcdk_in(
        &project,
        &[
            "cost",
            "--refresh-prices",
            "--offers",
            &url,
            "--region",
            "eu-west-1",
        ],
    );
    let _ = server.kill();
    let _ = server.wait();
    assert!(
        ok && out.contains("AmazonRDS us-east-1 (published 2026-11-28T00:00:00Z): 5 prices")
            && out.contains("AWSComputeSavingsPlan us-east-1 (published 2026-11-30T00:00:00Z): Savings Plans rates for 5 prices"),
        "{out}"
    );
    let table = std::fs::read_to_string(project.join("cdk.prices.json")).expect("written");
    assert!(
        table.contains(&format!(
            "{url}/offers/v1.0/aws/AmazonRDS/current/us-east-1/index.json"
        )),
        "each refreshed entry names its offer"
    );
    assert!(!missing_ok && missing.contains("HTTP 404"), "{missing}");
}

#[test]
fn the_private_ca_of_service_connect_tls_is_priced() {
    let a = all_environments();
    // prod encrypts Service Connect: a CA in short-lived certificate mode, $50 a month.
    let prod = cost_of(&a, "prod-workers");
    assert!(close(
        line(&prod, "InternalCertificateAuthority", "CA-month"),
        50.0
    ));
    assert!(
        prod.free.iter().any(|f| f.logical_id == "Internal"),
        "the namespace"
    );
    // staging calls by name without TLS: no CA.
    let staging = cost_of(&a, "staging-workers");
    assert!(
        staging
            .items
            .iter()
            .all(|i| !i.type_name.starts_with("AWS::ACMPCA")),
        "{:?}",
        staging.items
    );
}

#[test]
fn what_a_public_load_balancer_sends_out_is_priced() {
    let a = all_environments();
    // prod assumes 500 GB out a month (usage.data_out_gb): 500 × $0.09 = $45.
    let prod = cost_of(&a, "prod-app");
    let out = prod
        .items
        .iter()
        .find(|i| i.price_key == "data_transfer_out_gb")
        .expect("data transfer out");
    assert!(close(out.monthly_usd, 45.0), "{out:?}");
    // dev keeps the default, 50 GB: $4.50.
    let dev = cost_of(&a, "dev-app");
    assert!(
        dev.items
            .iter()
            .any(|i| i.price_key == "data_transfer_out_gb" && close(i.monthly_usd, 4.5))
    );
}

/// In an organisation each account pays its own bill: `rcdk cost` totals by account
/// too (prod and its standby share one), and a StackSet's instances stand apart.
#[test]
fn the_reference_organisations_cost_is_totalled_by_account() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("cdk.out");
    crate::support::reference_assembly(&out);
    let app = out.display().to_string();
    let (code, stdout, stderr) = run_rcdk(&["cost", "--app", &app, "--format", "json"]);
    assert_eq!(code, Some(0), "{stderr}");
    let j: J = serde_json::from_str(&stdout).expect("JSON");
    let total = |list: &J, key: &str, name: &str| {
        list.as_array()
            .and_then(|l| l.iter().find(|e| e[key] == name))
            .and_then(|e| e["monthly_usd"].as_f64())
            .unwrap_or_else(|| panic!("no {name} in {list}"))
    };
    let (accounts, environments) = (&j["accounts"], &j["environments"]);
    assert_eq!(
        total(accounts, "account", "111111111111"),
        total(environments, "name", "dev")
    );
    // prod and prod-dr share prod's account, but prod's DNS failover (its health check)
    // is in shared services' with the hosted zone.
    let dns = j["stacks"]
        .as_array()
        .and_then(|l| l.iter().find(|s| s["name"] == "dns-prod"))
        .expect("dns-prod");
    assert_eq!(dns["account"], "123456789012");
    let dns = dns["monthly_usd"].as_f64().unwrap_or_default();
    assert!(dns > 0.0);
    let prod = total(environments, "name", "prod") + total(environments, "name", "prod-dr");
    assert!((total(accounts, "account", "333333333333") + dns - prod).abs() < 0.01);
    assert!(
        total(accounts, "account", "444444444444") > 0.0,
        "the trail's account pays for it"
    );
    assert!(
        total(
            accounts,
            "account",
            "org-baseline (StackSet, each target account)"
        ) > 0.0,
        "{accounts}"
    );
    let sum: f64 = accounts
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|a| a["monthly_usd"].as_f64())
        .sum();
    assert!((sum - j["total_monthly_usd"].as_f64().unwrap_or_default()).abs() < 0.05);
}
