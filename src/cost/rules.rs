//! What each resource type costs a month, from its properties, the price table and the
//! usage assumptions. A type is priced, free (said so), or not priced with the reason
//! and the assumption that would price it; nothing is silently zero.

use serde_json::Value as J;

use super::prices::{PriceEntry, PriceTable};
use super::usage::Usage;
use super::{Item, NotPriced};

/// The outcome for one resource.
pub(super) enum Pricing {
    Items(Vec<Item>),
    Free(&'static str),
    NotPriced(String),
}

pub(super) struct Ctx<'a> {
    pub table: &'a PriceTable,
    pub region: &'a str,
    pub usage: &'a Usage,
    pub resources: &'a serde_json::Map<String, J>,
}

/// Types with no charge of their own, and why.
const FREE: &[(&str, &str)] = &[
    ("AWS::EC2::VPC", "VPCs have no charge"),
    ("AWS::EC2::Subnet", "subnets have no charge"),
    ("AWS::EC2::RouteTable", "route tables have no charge"),
    ("AWS::EC2::Route", "routes have no charge"),
    ("AWS::EC2::SubnetRouteTableAssociation", "no charge"),
    (
        "AWS::EC2::InternetGateway",
        "internet gateways have no charge (data transfer out is not estimated)",
    ),
    ("AWS::EC2::VPCGatewayAttachment", "no charge"),
    ("AWS::EC2::SecurityGroup", "security groups have no charge"),
    ("AWS::EC2::SecurityGroupIngress", "no charge"),
    ("AWS::EC2::SecurityGroupEgress", "no charge"),
    (
        "AWS::EC2::FlowLog",
        "delivery is billed as its log group's ingestion",
    ),
    (
        "AWS::CloudTrail::Trail",
        "an account's first trail of management events has no charge; its log delivery is billed as its log group's ingestion and its bucket's storage",
    ),
    (
        "AWS::XRay::SamplingRule",
        "no charge; traces recorded cost $5.00 per million after 100,000 a month free",
    ),
    (
        "AWS::Backup::BackupVault",
        "a vault has no charge; its recovery points are priced with the plan that writes them",
    ),
    (
        "AWS::Backup::BackupSelection",
        "priced with its backup plan",
    ),
    (
        "AWS::Backup::RestoreTestingPlan",
        "no charge of its own; each restored copy is priced with its selection",
    ),
    (
        "AWS::ServiceDiscovery::HttpNamespace",
        "a namespace has no charge of its own; Cloud Map bills registered instances and lookups by use (not estimated)",
    ),
    (
        "AWS::ACMPCA::Certificate",
        "the CA's own certificate, priced with the CA",
    ),
    (
        "AWS::ACMPCA::CertificateAuthorityActivation",
        "priced with its CA",
    ),
    ("AWS::IAM::Role", "IAM has no charge"),
    ("AWS::IAM::Policy", "IAM has no charge"),
    ("AWS::IAM::ManagedPolicy", "IAM has no charge"),
    ("AWS::IAM::InstanceProfile", "IAM has no charge"),
    ("AWS::IAM::OIDCProvider", "IAM has no charge"),
    (
        "AWS::ECS::Cluster",
        "a cluster has no charge of its own (tasks are priced with their service); Container Insights, when on, bills its metrics and observations by use, which is not estimated",
    ),
    (
        "AWS::ECS::TaskDefinition",
        "priced with the service or schedule that runs it",
    ),
    (
        "AWS::ElasticLoadBalancingV2::Listener",
        "priced with its load balancer",
    ),
    (
        "AWS::ElasticLoadBalancingV2::ListenerRule",
        "priced with its load balancer",
    ),
    (
        "AWS::ElasticLoadBalancingV2::TargetGroup",
        "priced with its load balancer",
    ),
    ("AWS::ApplicationAutoScaling::ScalableTarget", "no charge"),
    (
        "AWS::ECS::CapacityProvider",
        "no charge; its instances are priced with their Auto Scaling group",
    ),
    ("AWS::ECS::ClusterCapacityProviderAssociations", "no charge"),
    ("AWS::AutoScaling::ScalingPolicy", "no charge"),
    (
        "AWS::Route53::RecordSet",
        "records have no charge; alias queries to AWS resources are free",
    ),
    (
        "AWS::ApplicationAutoScaling::ScalingPolicy",
        "no charge (its alarms are CloudWatch's, made by the service)",
    ),
    ("AWS::SQS::QueuePolicy", "no charge"),
    ("AWS::SNS::TopicPolicy", "no charge"),
    (
        "AWS::SNS::Subscription",
        "e-mail and SQS deliveries have no charge",
    ),
    ("AWS::S3::BucketPolicy", "no charge"),
    (
        "AWS::CDK::Metadata",
        "the AWS CDK's usage report; no charge",
    ),
    ("AWS::WAFv2::WebACLAssociation", "priced with its web ACL"),
    (
        "AWS::WAFv2::LoggingConfiguration",
        "billed as its log group's ingestion",
    ),
    ("AWS::RDS::DBSubnetGroup", "no charge"),
    ("AWS::RDS::DBParameterGroup", "no charge"),
    ("AWS::ElastiCache::SubnetGroup", "no charge"),
    ("AWS::Lambda::Permission", "no charge"),
    (
        "AWS::Lambda::EventSourceMapping",
        "SQS polling is billed as the queue's requests",
    ),
    ("AWS::Lambda::Url", "billed as the function's requests"),
    (
        "AWS::SecretsManager::RotationSchedule",
        "rotation runs are billed as Lambda requests",
    ),
    ("AWS::SecretsManager::SecretTargetAttachment", "no charge"),
    ("AWS::KMS::Alias", "no charge"),
    ("AWS::SSM::Parameter", "standard parameters have no charge"),
    ("AWS::CloudFormation::WaitConditionHandle", "no charge"),
    (
        "AWS::Budgets::Budget",
        "the first two budgets with actions are free; budgets without actions have no charge",
    ),
    (
        "AWS::Organizations::Policy",
        "AWS Organizations has no charge",
    ),
    (
        "AWS::ECR::ReplicationConfiguration",
        "no charge; the copies are billed as the destination repositories' storage and the transfer between regions",
    ),
];

/// CloudWatch prices an alarm per metric it evaluates, by kind: standard (period of a minute
/// or more), high resolution (10 or 30 s periods) and anomaly detection (a band is three
/// metrics: the metric and the band's two bounds).
fn alarm_items(ctx: &Ctx<'_>, p: &J) -> Result<Vec<Item>, String> {
    let queries = p["Metrics"].as_array();
    let anomaly = queries.is_some_and(|m| {
        m.iter()
            .any(|q| text(&q["Expression"]).is_some_and(|e| e.contains("ANOMALY_DETECTION_BAND")))
    });
    let periods: Vec<f64> = match queries {
        Some(m) => m
            .iter()
            .filter_map(|q| num(&q["MetricStat"]["Period"]))
            .collect(),
        None => num(&p["Period"]).into_iter().collect(),
    };
    let metrics = (periods.len().max(1)) as f64;
    let high_res = periods.iter().any(|s| *s < 60.0);
    let (kind, key, quantity) = match (anomaly, high_res) {
        (true, true) => (
            "anomaly-detection high-resolution",
            "cloudwatch_alarm_high_res_metric_month",
            3.0 * metrics,
        ),
        (true, false) => (
            "anomaly-detection",
            "cloudwatch_alarm_metric_month",
            3.0 * metrics,
        ),
        (false, true) => (
            "high-resolution",
            "cloudwatch_alarm_high_res_metric_month",
            metrics,
        ),
        (false, false) => ("standard", "cloudwatch_alarm_metric_month", metrics),
    };
    let over = if metrics == 1.0 {
        "1 metric".to_owned()
    } else {
        format!("{metrics} metrics")
    };
    let what = if anomaly {
        format!("{kind} alarm over {over} (3 metrics per band)")
    } else {
        format!("{kind} alarm over {over}")
    };
    Ok(vec![item(ctx, what, quantity, key)?])
}

/// The price and the entry of `key` in the stack's region.
fn lookup<'a>(ctx: &Ctx<'a>, key: &str) -> Result<(f64, &'a PriceEntry), String> {
    ctx.table.get(key, ctx.region).ok_or_else(|| {
        format!(
            "no price '{key}' for {} in the table (src/cost/prices.json); add it",
            ctx.region
        )
    })
}

fn price(ctx: &Ctx<'_>, key: &str) -> Result<f64, String> {
    lookup(ctx, key).map(|(p, _)| p)
}

fn item(ctx: &Ctx<'_>, description: String, quantity: f64, key: &str) -> Result<Item, String> {
    let (unit_usd, entry) = lookup(ctx, key)?;
    Ok(Item {
        logical_id: String::new(),
        type_name: String::new(),
        description,
        quantity,
        unit: entry.unit.clone(),
        unit_usd,
        monthly_usd: quantity * unit_usd,
        price_key: key.to_owned(),
    })
}

fn num(v: &J) -> Option<f64> {
    v.as_f64()
        .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
}

fn text(v: &J) -> Option<&str> {
    v.as_str()
}

fn len(v: &J) -> usize {
    v.as_array().map_or(0, Vec::len)
}

/// The task definition a property names (`{"Ref": id}` in the same template).
fn task_definition<'a>(ctx: &Ctx<'a>, reference: &J) -> Option<&'a J> {
    let id = reference.get("Ref").and_then(J::as_str)?;
    let r = ctx.resources.get(id)?;
    (r["Type"] == "AWS::ECS::TaskDefinition").then_some(&r["Properties"])
}

/// The `MinCapacity` of the scalable target that scales the ECS service `service_id`
/// of this template: a scaled service's template has no desired count.
fn scaling_minimum(ctx: &Ctx<'_>, service_id: &str) -> Option<f64> {
    let names_service = |v: &J| {
        v.to_string()
            .contains(&format!("{{\"Fn::GetAtt\":[\"{service_id}\",\"Name\"]}}"))
    };
    ctx.resources.values().find_map(|r| {
        let p = &r["Properties"];
        (r["Type"] == "AWS::ApplicationAutoScaling::ScalableTarget"
            && p["ScalableDimension"] == "ecs:service:DesiredCount"
            && names_service(&p["ResourceId"]))
        .then(|| num(&p["MinCapacity"]))
        .flatten()
    })
}

/// (vCPU, GB, arm64) of a Fargate task definition.
fn task_size(task: &J) -> Option<(f64, f64, bool)> {
    let cpu = num(&task["Cpu"])? / 1024.0;
    let gb = num(&task["Memory"])? / 1024.0;
    let arm = task["RuntimePlatform"]["CpuArchitecture"] == "ARM64";
    Some((cpu, gb, arm))
}

fn fargate_items(
    ctx: &Ctx<'_>,
    what: &str,
    task_hours: f64,
    (cpu, gb, arm): (f64, f64, bool),
) -> Result<Vec<Item>, String> {
    let arch = if arm { "arm" } else { "x86" };
    Ok(vec![
        item(
            ctx,
            format!("{what}: {cpu} vCPU ({arch})"),
            task_hours * cpu,
            &format!("fargate_vcpu_hour_{arch}"),
        )?,
        item(
            ctx,
            format!("{what}: {gb} GB memory"),
            task_hours * gb,
            &format!("fargate_gb_hour_{arch}"),
        )?,
    ])
}

/// Size multiples within an instance family: AWS prices RDS sizes linearly from `large`.
fn size_factor(size: &str) -> Option<f64> {
    if size == "large" {
        return Some(1.0);
    }
    if size == "xlarge" {
        return Some(2.0);
    }
    let n: f64 = size.strip_suffix("xlarge")?.parse().ok()?;
    Some(2.0 * n)
}

/// A PostgreSQL instance: its own price when the table has one, else the family's
/// `large` price times the size multiple (Multi-AZ twice Single-AZ).
fn rds_instance(ctx: &Ctx<'_>, class: &str, multi: bool, hours: f64) -> Result<Item, String> {
    let az = if multi { "multi" } else { "single" };
    let label = if multi { "Multi-AZ" } else { "Single-AZ" };
    let exact = format!("rds_postgres_hour:{class}:{az}");
    if ctx.table.get(&exact, ctx.region).is_some() {
        return item(ctx, format!("PostgreSQL {class}, {label}"), hours, &exact);
    }
    let mut parts = class.splitn(3, '.');
    let (_, family, size) = (
        parts.next(),
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
    );
    let factor = size_factor(size).ok_or_else(|| {
        format!("no price for {class} in the table (src/cost/prices.json); add it")
    })?;
    let base = format!("rds_postgres_large_hour:{family}");
    let multiple = factor * if multi { 2.0 } else { 1.0 };
    let mut line = item(
        ctx,
        format!("PostgreSQL {class}, {label} ({multiple} × the {family} large price)"),
        hours,
        &base,
    )
    .map_err(|_| format!("no price for {class} or the {family} family in the table (src/cost/prices.json); add it"))?;
    line.unit_usd *= multiple;
    line.monthly_usd *= multiple;
    Ok(line)
}

/// vCPUs of the database instance classes in the price table.
fn vcpus(class: &str) -> Option<f64> {
    let size = class.rsplit('.').next()?;
    Some(match size {
        "micro" | "small" | "medium" | "large" => 2.0,
        "xlarge" => 4.0,
        "2xlarge" => 8.0,
        "4xlarge" => 16.0,
        _ => return None,
    })
}

/// Runs a month of a schedule expression: `rate(N unit)`, or a daily/hourly `cron`.
fn runs_per_month(expression: &str, hours: f64) -> Option<f64> {
    if let Some(rate) = expression
        .strip_prefix("rate(")
        .and_then(|r| r.strip_suffix(')'))
    {
        let mut parts = rate.split_whitespace();
        let n: f64 = parts.next()?.parse().ok()?;
        let per_hour = match parts.next()?.trim_end_matches('s') {
            "minute" => 60.0 / n,
            "hour" => 1.0 / n,
            "day" => 1.0 / (24.0 * n),
            _ => return None,
        };
        return Some(per_hour * hours);
    }
    let cron = expression
        .strip_prefix("cron(")
        .and_then(|c| c.strip_suffix(')'))?;
    let fields: Vec<&str> = cron.split_whitespace().collect();
    let [minute, hour, dom, month, dow, _year] = fields.as_slice() else {
        return None;
    };
    let plain = |f: &str| f.chars().all(|c| c.is_ascii_digit());
    let every = |f: &str| f == "*" || f == "?";
    if plain(minute) && every(month) && every(dom) && every(dow) {
        if plain(hour) {
            return Some(hours / 24.0);
        }
        if *hour == "*" {
            return Some(hours);
        }
    }
    None
}

fn usage_based(what: &str, price_text: &str) -> Pricing {
    Pricing::NotPriced(format!(
        "usage-based: {what} at {price_text}; set Usage.million_requests to price it"
    ))
}

/// Prices one resource.
pub(super) fn price_resource(ctx: &Ctx<'_>, id: &str, type_name: &str, p: &J) -> Pricing {
    match rule(ctx, id, type_name, p) {
        Ok(p) => p,
        Err(why) => Pricing::NotPriced(why),
    }
}

fn rule(ctx: &Ctx<'_>, id: &str, type_name: &str, p: &J) -> Result<Pricing, String> {
    let h = ctx.usage.hours_per_month;
    let u = ctx.usage;
    let items = match type_name {
        "AWS::EC2::NatGateway" => vec![
            item(
                ctx,
                format!("NAT gateway, {h} hours"),
                h,
                "nat_gateway_hour",
            )?,
            item(
                ctx,
                format!("{} GB processed (assumed)", u.nat_gb_per_gateway),
                u.nat_gb_per_gateway,
                "nat_gateway_gb",
            )?,
        ],
        "AWS::Backup::BackupPlan" => backup_plan(ctx, p)?,
        "AWS::ACMPCA::CertificateAuthority" => {
            if p["UsageMode"] == "SHORT_LIVED_CERTIFICATE" {
                vec![item(
                    ctx,
                    "private CA, short-lived certificate mode (each certificate issued costs more: about $0.06)".into(),
                    1.0,
                    "private_ca_short_lived_month",
                )?]
            } else {
                vec![item(
                    ctx,
                    "private CA, general-purpose mode (each certificate issued costs more: $0.75 for the first thousand)".into(),
                    1.0,
                    "private_ca_general_month",
                )?]
            }
        }
        "AWS::Backup::RestoreTestingSelection" => restore_tests(ctx, id, p)?,
        "AWS::EC2::EIP" => vec![item(
            ctx,
            "public IPv4 address".into(),
            h,
            "public_ipv4_hour",
        )?],
        "AWS::EC2::VPCEndpoint" => {
            if p["VpcEndpointType"] != "Interface" {
                return Ok(Pricing::Free("gateway endpoints have no charge"));
            }
            let azs = len(&p["SubnetIds"]).max(1) as f64;
            vec![
                item(
                    ctx,
                    format!("interface endpoint in {azs} AZs"),
                    azs * h,
                    "vpc_endpoint_az_hour",
                )?,
                item(
                    ctx,
                    format!("{} GB through it (assumed)", u.endpoint_gb),
                    u.endpoint_gb,
                    "vpc_endpoint_gb",
                )?,
            ]
        }
        "AWS::ElasticLoadBalancingV2::LoadBalancer" => {
            if p.get("Type")
                .and_then(J::as_str)
                .is_some_and(|t| t != "application")
            {
                return Err("only application load balancers are in the price table".into());
            }
            let mut out = vec![
                item(ctx, "application load balancer".into(), h, "alb_hour")?,
                item(
                    ctx,
                    format!("{} LCU on average (assumed)", u.alb_lcu),
                    u.alb_lcu * h,
                    "alb_lcu_hour",
                )?,
            ];
            if p["Scheme"] != "internal" {
                let ips = len(&p["Subnets"]).max(1) as f64;
                out.push(item(
                    ctx,
                    format!("{ips} public IPv4 addresses (one per AZ)"),
                    ips * h,
                    "public_ipv4_hour",
                )?);
                // What it answers leaves AWS: data transfer out, by the GB.
                out.push(item(
                    ctx,
                    format!(
                        "{} GB of responses out to the internet (assumed)",
                        u.data_out_gb_per_load_balancer
                    ),
                    u.data_out_gb_per_load_balancer,
                    "data_transfer_out_gb",
                )?);
            }
            out
        }
        "AWS::WAFv2::WebACL" => {
            let rules = len(&p["Rules"]) as f64;
            vec![
                item(ctx, "web ACL".into(), 1.0, "waf_web_acl_month")?,
                item(
                    ctx,
                    format!("{rules} rules and rule groups"),
                    rules,
                    "waf_rule_month",
                )?,
                item(
                    ctx,
                    format!("{} million requests (assumed)", u.waf_million_requests),
                    u.waf_million_requests,
                    "waf_million_requests",
                )?,
            ]
        }
        "AWS::ECS::Service" => {
            let fargate = p["LaunchType"] == "FARGATE"
                || p["CapacityProviderStrategy"].as_array().is_some_and(|s| {
                    s.iter().any(|c| {
                        c["CapacityProvider"]
                            .as_str()
                            .is_some_and(|n| n.starts_with("FARGATE"))
                    })
                });
            if !fargate {
                return Ok(Pricing::Free(
                    "its tasks run on EC2 instances, priced with their Auto Scaling group",
                ));
            }
            let size = task_definition(ctx, &p["TaskDefinition"])
                .and_then(task_size)
                .ok_or("its task definition's CPU and memory are not in this template")?;
            let (tasks, source) = match num(&p["DesiredCount"]) {
                Some(n) => (n, "desired count"),
                None => match scaling_minimum(ctx, id) {
                    Some(n) => (n, "scaling minimum"),
                    None => (1.0, "no desired count: ECS starts one"),
                },
            };
            fargate_items(
                ctx,
                &format!("{tasks} tasks ({source}) × {h} h"),
                tasks * h,
                size,
            )?
        }
        "AWS::Events::Rule" => {
            let mut out = Vec::new();
            for t in p["Targets"].as_array().into_iter().flatten() {
                let Some(task) = task_definition(ctx, &t["EcsParameters"]["TaskDefinitionArn"])
                else {
                    continue;
                };
                let expression = text(&p["ScheduleExpression"]).unwrap_or_default();
                let runs = runs_per_month(expression, h).ok_or_else(|| {
                    format!("runs a task on '{expression}', whose runs a month rcdk cannot count")
                })?;
                let size =
                    task_size(task).ok_or("the task's CPU and memory are not in this template")?;
                let task_hours = runs * u.scheduled_task_minutes / 60.0;
                out.extend(fargate_items(
                    ctx,
                    &format!(
                        "{runs:.0} runs × {} min (assumed)",
                        u.scheduled_task_minutes
                    ),
                    task_hours,
                    size,
                )?);
            }
            if out.is_empty() {
                return Ok(Pricing::Free(
                    "scheduled rules and rules on AWS service events have no charge",
                ));
            }
            out
        }
        "AWS::EC2::Instance" => {
            let ty = text(&p["InstanceType"]).ok_or("no InstanceType")?;
            vec![item(
                ctx,
                format!("{ty} instance (Linux, on demand)"),
                h,
                &format!("ec2_hour:{ty}"),
            )?]
        }
        "AWS::AutoScaling::AutoScalingGroup" => {
            let mixed = &p["MixedInstancesPolicy"];
            let spec = if mixed.is_object() {
                &mixed["LaunchTemplate"]["LaunchTemplateSpecification"]
            } else {
                &p["LaunchTemplate"]
            };
            let template = spec["LaunchTemplateId"]
                .get("Ref")
                .and_then(J::as_str)
                .and_then(|id| ctx.resources.get(id))
                .ok_or("its launch template is not in this template")?;
            // Mixed instances: the first override is the type the group prefers.
            let ty = mixed["LaunchTemplate"]["Overrides"][0]["InstanceType"]
                .as_str()
                .or_else(|| text(&template["Properties"]["LaunchTemplateData"]["InstanceType"]))
                .ok_or("neither its launch template nor its overrides name an InstanceType")?;
            let n = num(&p["DesiredCapacity"])
                .or_else(|| num(&p["MinSize"]))
                .unwrap_or(1.0);
            let what = if num(&p["DesiredCapacity"]).is_some() {
                "desired capacity"
            } else {
                "minimum size"
            };
            let spot = 100.0
                - num(&mixed["InstancesDistribution"]["OnDemandPercentageAboveBaseCapacity"])
                    .unwrap_or(100.0);
            let market = if spot > 0.0 {
                format!(
                    "on demand; the {spot}% spot share above the base priced at on demand, an upper bound"
                )
            } else {
                "on demand".to_owned()
            };
            vec![item(
                ctx,
                format!("{n} × {ty} ({what}, Linux, {market})"),
                n * h,
                &format!("ec2_hour:{ty}"),
            )?]
        }
        "AWS::EC2::Volume" => {
            if p.get("VolumeType")
                .and_then(J::as_str)
                .is_some_and(|t| t != "gp3")
            {
                return Err("only gp3 volumes are in the price table".into());
            }
            let gb = num(&p["Size"]).ok_or("no Size")?;
            vec![item(ctx, format!("{gb} GB gp3"), gb, "ebs_gp3_gb_month")?]
        }
        "AWS::EC2::LaunchTemplate" => {
            return Ok(Pricing::Free(
                "priced with the Auto Scaling group that uses it",
            ));
        }
        "AWS::RDS::DBProxy" => {
            return Ok(Pricing::Free(
                "priced with its target group, by the vCPUs behind it",
            ));
        }
        "AWS::RDS::DBProxyTargetGroup" => {
            // RDS Proxy costs per vCPU-hour of the instances it fronts (2 at least).
            let mut out = Vec::new();
            for target in p["DBInstanceIdentifiers"].as_array().into_iter().flatten() {
                let class = target
                    .get("Ref")
                    .and_then(J::as_str)
                    .and_then(|id| ctx.resources.get(id))
                    .and_then(|r| text(&r["Properties"]["DBInstanceClass"]))
                    .ok_or("its database instance is not in this template")?;
                let n = vcpus(class)
                    .ok_or_else(|| {
                        format!("the vCPUs of {class} are not known, to price RDS Proxy")
                    })?
                    .max(2.0);
                out.push(item(
                    ctx,
                    format!("RDS Proxy for {class} ({n} vCPUs), {h} hours"),
                    n * h,
                    "rds_proxy_vcpu_hour",
                )?);
            }
            out
        }
        "AWS::RDS::DBInstance" => {
            // A read replica names no engine: it runs its source's. The table prices
            // PostgreSQL, the only engine rcdk's constructs create.
            let replica = !p["SourceDBInstanceIdentifier"].is_null();
            let engine = text(&p["Engine"]).unwrap_or(if replica { "postgres" } else { "" });
            if !engine.starts_with("postgres") {
                return Err(format!(
                    "engine '{engine}' is not in the price table (PostgreSQL is)"
                ));
            }
            let class = text(&p["DBInstanceClass"]).ok_or("no DBInstanceClass")?;
            let az = if p["MultiAZ"] == true {
                "multi"
            } else {
                "single"
            };
            let mut out = vec![rds_instance(ctx, class, az == "multi", h)?];
            if let Some(gb) = num(&p["AllocatedStorage"]) {
                out.push(item(
                    ctx,
                    format!("{gb} GB storage (backups up to this size are free)"),
                    gb,
                    &format!("rds_storage_gb_month:{az}"),
                )?);
            }
            // Performance Insights keeps 7 days free; longer retention is per vCPU.
            let retention = num(&p["PerformanceInsightsRetentionPeriod"]).unwrap_or(7.0);
            if p["EnablePerformanceInsights"] == true && retention > 7.0 {
                let vcpus = vcpus(class).ok_or_else(|| {
                    format!("the vCPUs of {class} are not known, to price Performance Insights beyond 7 days")
                })?;
                out.push(item(
                    ctx,
                    format!("Performance Insights, {retention} days retained, {vcpus} vCPUs"),
                    vcpus,
                    "rds_performance_insights_vcpu_month",
                )?);
            }
            out
        }
        "AWS::ElastiCache::ReplicationGroup" => {
            let node = text(&p["CacheNodeType"]).ok_or("no CacheNodeType")?;
            let nodes = num(&p["NumCacheClusters"]).unwrap_or(1.0);
            vec![item(
                ctx,
                format!("{nodes} × {node}"),
                nodes * h,
                &format!("elasticache_hour:{node}"),
            )?]
        }
        "AWS::KMS::Key" => vec![item(
            ctx,
            "customer-managed key".into(),
            1.0,
            "kms_key_month",
        )?],
        "AWS::SecretsManager::Secret" => vec![item(ctx, "secret".into(), 1.0, "secret_month")?],
        "AWS::CloudWatch::Alarm" => alarm_items(ctx, p)?,
        "AWS::CloudWatch::CompositeAlarm" => {
            vec![item(
                ctx,
                "composite alarm".into(),
                1.0,
                "cloudwatch_composite_alarm_month",
            )?]
        }
        "AWS::CloudWatch::Dashboard" => vec![item(
            ctx,
            "dashboard (an account's first three are free; not deducted)".into(),
            1.0,
            "cloudwatch_dashboard_month",
        )?],
        // The metric it publishes is a custom metric (the first 10,000 of an account
        // cost the same; CloudWatch's free tier of ten is not deducted).
        "AWS::Logs::MetricFilter" => vec![item(
            ctx,
            "custom metric from log events".into(),
            1.0,
            "cloudwatch_custom_metric_month",
        )?],
        "AWS::GuardDuty::Detector" => {
            return Ok(Pricing::NotPriced(
                "usage-based: GuardDuty bills by the CloudTrail events, VPC flow and DNS logs and S3 data events it analyses (a 30-day trial first); see the GuardDuty console's usage estimate".into(),
            ));
        }
        "AWS::Logs::LogGroup" => {
            let ingest = u.log_gb_per_group;
            // Kept at steady state: a month's logs times the months retained (a year when
            // they never expire).
            let months = num(&p["RetentionInDays"]).map_or(12.0, |d| d / 30.0);
            vec![
                item(
                    ctx,
                    format!("{ingest} GB ingested (assumed)"),
                    ingest,
                    "logs_ingest_gb",
                )?,
                item(
                    ctx,
                    format!(
                        "{:.1} GB stored ({months:.1} months retained)",
                        ingest * months
                    ),
                    ingest * months,
                    "logs_storage_gb_month",
                )?,
            ]
        }
        "AWS::Route53::HostedZone" => {
            vec![item(ctx, "hosted zone".into(), 1.0, "route53_zone_month")?]
        }
        "AWS::Route53::HealthCheck" => vec![item(
            ctx,
            "health check".into(),
            1.0,
            "route53_health_check_month",
        )?],
        "AWS::S3::Bucket" | "AWS::ECR::Repository" => {
            let (key, what) = if type_name == "AWS::S3::Bucket" {
                ("s3_standard_gb_month", "S3 Standard")
            } else {
                ("ecr_gb_month", "image storage")
            };
            match u.storage_gb {
                Some(gb) => vec![item(ctx, format!("{gb} GB {what} (assumed)"), gb, key)?],
                None => {
                    return Ok(Pricing::NotPriced(format!(
                        "storage-based: {what} at ${}/GB-month; set Usage.storage_gb to price it",
                        price(ctx, key)?
                    )));
                }
            }
        }
        "AWS::SQS::Queue" | "AWS::SNS::Topic" | "AWS::Lambda::Function" => {
            let (key, what) = match type_name {
                "AWS::SQS::Queue" => (
                    "sqs_million_requests",
                    "SQS requests (first million a month free)",
                ),
                "AWS::SNS::Topic" => (
                    "sns_million_requests",
                    "SNS publishes (first million a month free)",
                ),
                _ => (
                    "lambda_million_requests",
                    "Lambda requests plus GB-seconds of run time",
                ),
            };
            match u.million_requests {
                Some(m) => vec![item(
                    ctx,
                    format!("{m} million requests (assumed)"),
                    m,
                    key,
                )?],
                None => {
                    return Ok(usage_based(
                        what,
                        &format!("${} per million", price(ctx, key)?),
                    ));
                }
            }
        }
        _ => {
            if let Some((_, why)) = FREE.iter().find(|(t, _)| *t == type_name) {
                return Ok(Pricing::Free(why));
            }
            return Err(format!("no price rule for {type_name} yet"));
        }
    };
    Ok(Pricing::Items(items))
}

pub(super) fn not_priced(logical_id: &str, type_name: &str, why: String) -> NotPriced {
    NotPriced {
        logical_id: logical_id.to_owned(),
        type_name: type_name.to_owned(),
        why,
    }
}

/// A backup plan: the recovery points it keeps (RDS snapshots, the warm tier: the only
/// one they have), and for each copy into another region's vault the copies kept there
/// and the data sent across.
fn backup_plan(ctx: &Ctx<'_>, p: &J) -> Result<Vec<Item>, String> {
    let u = ctx.usage;
    let mut items = vec![item(
        ctx,
        format!("{} GB of recovery points (assumed)", u.backup_gb),
        u.backup_gb,
        "backup_rds_snapshot_gb_month",
    )?];
    let copies = p["BackupPlan"]["BackupPlanRule"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|r| r["CopyActions"].as_array().into_iter().flatten())
        .count();
    for _ in 0..copies {
        items.push(item(
            ctx,
            format!("{} GB of copies in another vault (assumed)", u.backup_gb),
            u.backup_gb,
            "backup_rds_snapshot_gb_month",
        )?);
        items.push(item(
            ctx,
            format!(
                "{} GB a month copied to another region (assumed)",
                u.backup_copy_gb
            ),
            u.backup_copy_gb,
            "backup_cross_region_gb",
        )?);
    }
    Ok(items)
}

/// A restore testing selection of a database: each weekly test runs a restored copy
/// (Single-AZ) for the restore, about an hour, and the validation window. Restoring an
/// RDS snapshot has no charge of its own.
fn restore_tests(ctx: &Ctx<'_>, id: &str, p: &J) -> Result<Vec<Item>, String> {
    if p["ProtectedResourceType"] != "RDS" {
        return Err("only restore tests of RDS databases are priced".into());
    }
    // The class overridden in the restore metadata, else the one rcdk's L2 recorded
    // (AWS Backup restores the source's class, which another stack holds).
    let overridden = p["RestoreMetadataOverrides"].as_object().and_then(|o| {
        o.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("dbinstanceclass"))
            .and_then(|(_, v)| v.as_str())
    });
    let class = overridden
        .or_else(|| ctx.resources[id]["Metadata"][super::RESTORED_CLASS_METADATA].as_str())
        .ok_or("the restored copy runs as its source's class, which this template does not hold (restore metadata dbInstanceClass, or Metadata rcdk:restored-instance-class, says it)")?;
    let window = p["ValidationWindowHours"].as_f64().unwrap_or(0.0);
    let hours = (window + 1.0) * 52.0 / 12.0;
    let mut line = rds_instance(ctx, class, false, hours)?;
    line.description = format!(
        "restore tests: {} for {} h a month (weekly: the restore and a {window} h validation window)",
        line.description,
        hours.round()
    );
    Ok(vec![line])
}

#[cfg(test)]
mod tests {
    use super::runs_per_month;

    #[test]
    fn schedules_are_counted() {
        assert_eq!(runs_per_month("rate(1 hour)", 730.0), Some(730.0));
        assert_eq!(runs_per_month("rate(30 minutes)", 730.0), Some(1460.0));
        assert_eq!(runs_per_month("rate(2 days)", 720.0), Some(15.0));
        assert_eq!(runs_per_month("cron(0 4 * * ? *)", 720.0), Some(30.0));
        assert_eq!(runs_per_month("cron(0 * * * ? *)", 730.0), Some(730.0));
        assert_eq!(runs_per_month("cron(0 4 ? * MON *)", 730.0), None);
    }
}
