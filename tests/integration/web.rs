//! The load balancer, WAF and Fargate service constructs: templates, least-privilege
//! policies, connections across stacks, metrics and validations.

use rcdk::{App, Stack};
use rcdk_constructs::containers::{
    Cluster, ClusterProps, ContainerImage, ContainerInsights, ContainerProps, FargateService,
    FargateServiceProps, FargateTaskDefinition, FargateTaskDefinitionProps, SecretValue,
};
use rcdk_constructs::load_balancing::{
    AlbProps, ApplicationLoadBalancer, HealthCheck, HttpsListenerProps, ListenerAction,
    ListenerRuleProps, RuleCondition, TargetGroup, TargetGroupProps,
};
use rcdk_constructs::network::Vpc;
use rcdk_constructs::secrets::SecretRef;
use rcdk_constructs::storage::{Bucket, BucketProps};
use rcdk_constructs::waf::{AwsManagedRuleGroup, WebAcl, WebAclProps};
use serde_json::{Value as J, json};

use crate::fixtures::{app, stack};
use crate::l2_fixtures::{self, CERTIFICATE};
use crate::support::{resource, synth, synth_err, template};

#[test]
fn dev_and_prod_web_tiers_match_their_snapshots() {
    for (name, prod) in [("web_dev", false), ("web_prod", true)] {
        let assembly = synth(&l2_fixtures::web_app(prod));
        insta::assert_json_snapshot!(name, template(&assembly, "app"));
    }
}

fn statements(role: &J) -> &J {
    &role["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
}

#[test]
fn execution_role_holds_exactly_what_the_container_needs() {
    let assembly = synth(&l2_fixtures::web_app(true));
    let role = resource(&assembly, "app", "WebTaskExecutionRole");
    assert_eq!(
        statements(role),
        &json!([
            {"Action": ["logs:CreateLogStream", "logs:PutLogEvents"], "Effect": "Allow",
             "Resource": {"Fn::GetAtt": ["WebTaskWebLogs", "Arn"]}},
            {"Action": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"], "Effect": "Allow",
             "Resource": {"Fn::ImportValue": "data:ExportsOutputRefDatabaseSecret"}},
            {"Action": "kms:Decrypt", "Effect": "Allow",
             "Resource": {"Fn::ImportValue": "data:ExportsOutputFnGetAttDatabaseEncryptionKeyArn"}},
            {"Action": ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"], "Effect": "Allow",
             "Resource": {"Fn::Sub": "arn:${AWS::Partition}:ecr:${AWS::Region}:${AWS::AccountId}:repository/web"}},
            {"Action": "ecr:GetAuthorizationToken", "Effect": "Allow", "Resource": "*"}
        ]),
        "two secrets of one secret ARN give one statement; only GetAuthorizationToken (no resource-level permissions) has *"
    );
    // The application's role starts empty.
    assert!(
        resource(&assembly, "app", "WebTaskTaskRole")["Properties"]
            .get("Policies")
            .is_none()
    );
}

#[test]
fn grants_add_least_privilege_statements_to_the_task_role() {
    let app = app();
    let s = stack(&app, "app");
    let task = FargateTaskDefinition::new(&s, "Task", FargateTaskDefinitionProps::default());
    let reports = Bucket::new(&s, "Reports", BucketProps::default());
    reports.grant_write(task.task_role());
    let api_key = SecretRef::new(
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:api-key-AbCdEf",
        None,
    );
    api_key.grant_read(task.task_role());
    let assembly = synth(&app);
    assert_eq!(
        statements(resource(&assembly, "app", "TaskTaskRole")),
        &json!([
            {"Action": ["s3:PutObject", "s3:AbortMultipartUpload"], "Effect": "Allow",
             "Resource": {"Fn::Join": ["", [{"Fn::GetAtt": ["Reports", "Arn"]}, "/*"]]}},
            {"Action": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"], "Effect": "Allow",
             "Resource": "arn:aws:secretsmanager:us-east-1:123456789012:secret:api-key-AbCdEf"}
        ])
    );
}

#[test]
fn service_runs_privately_with_circuit_breaker_and_without_exec() {
    let assembly = synth(&l2_fixtures::web_app(false));
    let service = resource(&assembly, "app", "WebServiceService");
    let p = &service["Properties"];
    assert_eq!(
        p["NetworkConfiguration"]["AwsvpcConfiguration"]["AssignPublicIp"],
        "DISABLED"
    );
    assert_eq!(
        p["NetworkConfiguration"]["AwsvpcConfiguration"]["Subnets"][0],
        json!({"Fn::ImportValue": "network:ExportsOutputRefVpcPrivateSubnet1"})
    );
    assert_eq!(
        p["DeploymentConfiguration"]["DeploymentCircuitBreaker"],
        json!({"Enable": true, "Rollback": true})
    );
    assert_eq!(p["EnableExecuteCommand"], false);
    assert_eq!(
        p["LoadBalancers"],
        json!([{"ContainerName": "web", "ContainerPort": 8080, "TargetGroupArn": {"Ref": "WebTargets"}}])
    );
    assert_eq!(
        service["DependsOn"],
        json!(["LoadBalancerHttpsApi", "LoadBalancerHttpsWww"])
    );
    let container = &resource(&assembly, "app", "WebTask")["Properties"]["ContainerDefinitions"][0];
    assert_eq!(
        container["Environment"][0],
        json!({"Name": "DB_HOST", "Value": {"Fn::ImportValue": "data:ExportsOutputFnGetAttDatabaseEndpointAddress"}})
    );
    assert_eq!(
        container["Secrets"][0]["ValueFrom"],
        json!({"Fn::Join": ["", [{"Fn::ImportValue": "data:ExportsOutputRefDatabaseSecret"}, ":password::"]]})
    );
    assert_eq!(container["ReadonlyRootFilesystem"], true);
    assert_eq!(container["User"], "1000:1000");
    // Each container's hard memory limit is the task's.
    let task = &resource(&assembly, "app", "WebTask")["Properties"];
    assert_eq!(
        container["Memory"].to_string(),
        task["Memory"].as_str().unwrap_or_default()
    );
    assert_eq!(
        resource(&assembly, "app", "Cluster")["Properties"]["ClusterSettings"],
        json!([{"Name": "containerInsights", "Value": "enhanced"}])
    );
}

#[test]
fn database_admits_the_service_across_stacks_without_a_cycle() {
    let assembly = synth(&l2_fixtures::web_app(true));
    let app_t = template(&assembly, "app");
    let rule = &app_t["Resources"]["DatabaseSecurityGroupFromWebServiceSecurityGroupTcp5432"]["Properties"];
    assert_eq!(
        rule["SourceSecurityGroupId"],
        json!({"Fn::GetAtt": ["WebServiceSecurityGroup", "GroupId"]})
    );
    assert_eq!(
        rule["GroupId"],
        json!({"Fn::ImportValue": "data:ExportsOutputFnGetAttDatabaseSecurityGroupGroupId"})
    );
    let data_deps = assembly
        .stack("data")
        .map(|s| s.dependencies.clone())
        .unwrap_or_default();
    assert_eq!(data_deps, ["network"]);
    // The load balancer reaches the tasks on the container port and nothing else.
    let lb_out = &app_t["Resources"]["LoadBalancerSecurityGroupToWebServiceSecurityGroupTcp8080"]["Properties"];
    assert_eq!(lb_out["FromPort"], 8080);
    let ingress =
        &app_t["Resources"]["LoadBalancerSecurityGroup"]["Properties"]["SecurityGroupIngress"];
    let ports: Vec<&J> = ingress
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| &r["FromPort"])
        .collect();
    assert_eq!(ports, [&json!(443), &json!(80)]);
}

#[test]
fn load_balancer_is_hardened_and_logs_to_a_locked_bucket() {
    let assembly = synth(&l2_fixtures::web_app(true));
    let lb = resource(&assembly, "app", "LoadBalancer");
    let attrs: Vec<(String, J)> = lb["Properties"]["LoadBalancerAttributes"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|a| {
            (
                a["Key"].as_str().unwrap_or_default().to_owned(),
                a["Value"].clone(),
            )
        })
        .collect();
    assert!(attrs.contains(&(
        "routing.http.drop_invalid_header_fields.enabled".into(),
        json!("true")
    )));
    assert!(attrs.contains(&("deletion_protection.enabled".into(), json!("true"))));
    assert!(attrs.contains(&(
        "access_logs.s3.bucket".into(),
        json!({"Ref": "LoadBalancerAccessLogs"})
    )));
    assert_eq!(lb["DependsOn"], json!(["LoadBalancerAccessLogsPolicy"]));
    let policy = &resource(&assembly, "app", "LoadBalancerAccessLogsPolicy")["Properties"]["PolicyDocument"]
        ["Statement"];
    assert_eq!(policy[0]["Effect"], "Deny");
    assert_eq!(
        policy[0]["Condition"],
        json!({"Bool": {"aws:SecureTransport": "false"}})
    );
    assert_eq!(
        policy[1]["Principal"],
        json!({"AWS": {"Fn::Sub": "arn:${AWS::Partition}:iam::127311923021:root"}})
    );
    assert_eq!(policy[1]["Action"], "s3:PutObject");
    let bucket = &resource(&assembly, "app", "LoadBalancerAccessLogs")["Properties"];
    assert_eq!(
        bucket["PublicAccessBlockConfiguration"]["RestrictPublicBuckets"],
        true
    );
    assert_eq!(
        bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"]
            ["SSEAlgorithm"],
        "AES256"
    );
    assert_eq!(
        bucket["LifecycleConfiguration"]["Rules"][0]["ExpirationInDays"],
        90
    );
    let https = &resource(&assembly, "app", "LoadBalancerHttps")["Properties"];
    assert_eq!(https["SslPolicy"], "ELBSecurityPolicy-TLS13-1-2-2021-06");
    let http = &resource(&assembly, "app", "LoadBalancerHttp")["Properties"];
    assert_eq!(
        http["DefaultActions"][0]["RedirectConfig"],
        json!({"Port": "443", "Protocol": "HTTPS", "StatusCode": "HTTP_301"})
    );
    let dev = synth(&l2_fixtures::web_app(false));
    let attrs = &resource(&dev, "app", "LoadBalancer")["Properties"]["LoadBalancerAttributes"][0];
    assert_eq!(
        attrs,
        &json!({"Key": "deletion_protection.enabled", "Value": "false"})
    );
}

#[test]
fn web_acl_rules_have_metrics_priorities_and_custom_responses() {
    let assembly = synth(&l2_fixtures::web_app(true));
    let acl = &resource(&assembly, "app", "WebAcl")["Properties"];
    assert_eq!(acl["Scope"], "REGIONAL");
    let rules = acl["Rules"].as_array().cloned().unwrap_or_default();
    let names: Vec<&str> = rules.iter().filter_map(|r| r["Name"].as_str()).collect();
    assert_eq!(
        names,
        [
            "AWSManagedRulesAmazonIpReputationList",
            "AWSManagedRulesCommonRuleSet",
            "AWSManagedRulesKnownBadInputsRuleSet",
            "RateLimitPerIp",
            "GeoBlock",
            "Blocklist"
        ]
    );
    for (i, r) in rules.iter().enumerate() {
        assert_eq!(r["Priority"], json!(i + 1));
        assert_eq!(
            r["VisibilityConfig"]["CloudWatchMetricsEnabled"], true,
            "{r}"
        );
        assert_eq!(r["VisibilityConfig"]["MetricName"], r["Name"]);
    }
    assert_eq!(
        rules[1]["Statement"]["ManagedRuleGroupStatement"]["RuleActionOverrides"],
        json!([{"ActionToUse": {"Count": {}}, "Name": "SizeRestrictions_BODY"}])
    );
    assert_eq!(rules[3]["Statement"]["RateBasedStatement"]["Limit"], 2000);
    assert_eq!(
        rules[3]["Action"]["Block"]["CustomResponse"],
        json!({"CustomResponseBodyKey": "Blocked", "ResponseCode": 403})
    );
    assert_eq!(
        rules[4]["Statement"]["GeoMatchStatement"]["CountryCodes"],
        json!(["KP", "IR"])
    );
    assert_eq!(
        rules[5]["Statement"]["IPSetReferenceStatement"]["Arn"],
        json!({"Fn::GetAtt": ["WebAclBlocklist", "Arn"]})
    );
    let assoc = &resource(&assembly, "app", "WebAclLoadBalancerAssociation")["Properties"];
    assert_eq!(assoc["ResourceArn"], json!({"Ref": "LoadBalancer"}));
    let logs = &resource(&assembly, "app", "WebAclLogs")["Properties"];
    assert_eq!(
        logs["LogGroupName"],
        json!({"Fn::Sub": "aws-waf-logs-${AWS::StackName}-WebAcl"})
    );
}

#[test]
fn autoscaling_tracks_cpu_memory_and_requests() {
    let assembly = synth(&l2_fixtures::web_app(true));
    let target = &resource(&assembly, "app", "WebServiceScalingTarget")["Properties"];
    assert_eq!(
        (target["MinCapacity"].clone(), target["MaxCapacity"].clone()),
        (json!(3), json!(12))
    );
    let requests = &resource(&assembly, "app", "WebServiceScalingRequestTracking")["Properties"];
    let spec =
        &requests["TargetTrackingScalingPolicyConfiguration"]["PredefinedMetricSpecification"];
    assert_eq!(spec["PredefinedMetricType"], "ALBRequestCountPerTarget");
    assert_eq!(
        spec["ResourceLabel"],
        json!({"Fn::Join": ["/", [{"Fn::GetAtt": ["LoadBalancer", "LoadBalancerFullName"]}, {"Fn::GetAtt": ["WebTargets", "TargetGroupFullName"]}]]})
    );
    let cpu = &resource(&assembly, "app", "WebServiceScalingCpuTracking")["Properties"]["TargetTrackingScalingPolicyConfiguration"];
    assert_eq!(cpu["TargetValue"], 60.0);
}

#[test]
fn metric_helpers_name_their_dimensions() {
    let app = app();
    let s = stack(&app, "app");
    let net = stack(&app, "network");
    let vpc = l2_fixtures::dev_vpc(&net);
    let data = stack(&app, "data");
    let db = rcdk_constructs::data::PostgresInstance::new(
        &data,
        "Database",
        rcdk_constructs::data::PostgresInstanceProps::new(&vpc),
    );
    let l2_fixtures::Web { alb, service, .. } = l2_fixtures::web_tier(&s, &vpc, &db, false);
    let p99 = alb.metric_target_response_time(99.0);
    assert_eq!(
        (p99.metric_name.as_str(), p99.statistic.name()),
        ("TargetResponseTime", "p99".to_owned())
    );
    assert_eq!(p99.dimensions[0].0, "LoadBalancer");
    assert_eq!(
        alb.metric_target_5xx().metric_name,
        "HTTPCode_Target_5XX_Count"
    );
    assert_eq!(alb.metric_target_4xx().statistic.name(), "Sum");
    assert_eq!(alb.metric_elb_5xx().metric_name, "HTTPCode_ELB_5XX_Count");
    assert_eq!(alb.metric_request_count().metric_name, "RequestCount");
    let tg = TargetGroup::new(&s, "Other", TargetGroupProps::new(&vpc, 80));
    let unhealthy = alb.metric_unhealthy_hosts(&tg);
    let dims: Vec<&str> = unhealthy
        .dimensions
        .iter()
        .map(|(k, _)| k.as_str())
        .collect();
    assert_eq!(dims, ["TargetGroup", "LoadBalancer"]);
    assert_eq!(service.metric_cpu().namespace, "AWS/ECS");
    assert_eq!(service.metric_memory().metric_name, "MemoryUtilization");
    assert_eq!(
        service.metric_running_tasks().namespace,
        "ECS/ContainerInsights"
    );
    let acl = WebAcl::new(&s, "Acl", WebAclProps::default());
    let blocked = acl.metric_blocked_requests();
    assert_eq!(
        (blocked.namespace.as_str(), blocked.metric_name.as_str()),
        ("AWS/WAFV2", "BlockedRequests")
    );
    assert_eq!(
        acl.metric_allowed_requests().dimensions[2],
        ("Rule".to_owned(), "ALL".into())
    );
}

fn web_stack() -> (App, Stack, Vpc) {
    let app = app();
    let s = stack(&app, "app");
    let vpc = l2_fixtures::dev_vpc(&s);
    (app, s, vpc)
}

fn task(s: &Stack, cpu: u32, memory_mib: u32) -> FargateTaskDefinition {
    FargateTaskDefinition::new(
        s,
        "Task",
        FargateTaskDefinitionProps {
            cpu,
            memory: rcdk_constructs::units::Size::mebibytes(u64::from(memory_mib)),
            arm64: false,
        },
    )
}

#[test]
fn fargate_cpu_and_memory_must_be_a_valid_combination() {
    let (app, s, _) = web_stack();
    task(&s, 256, 4096);
    let err = synth_err(&app);
    assert_eq!(err.problems[0].path, "app/Task");
    assert_eq!(
        err.problems[0].message,
        "memory 4 GiB does not fit cpu 256 on Fargate; with cpu 256 use 512 to 2048 MiB ([512, 1024, 2048])"
    );
    let (app, s, _) = web_stack();
    task(&s, 300, 1024);
    assert!(synth_err(&app).mentions(
        "cpu 300 is not a Fargate size; use one of [256, 512, 1024, 2048, 4096, 8192, 16384]"
    ));
    for (cpu, mem) in [(256, 512), (1024, 8192), (4096, 30720), (16384, 122880)] {
        let (app, s, _) = web_stack();
        task(&s, cpu, mem);
        synth(&app);
    }
}

#[test]
fn listener_priorities_must_be_unique() {
    let (app, s, vpc) = web_stack();
    let alb = ApplicationLoadBalancer::new(
        &s,
        "Lb",
        AlbProps {
            access_logs: None,
            ..AlbProps::new(&vpc)
        },
    );
    let https = alb.add_https_listener(
        "Https",
        HttpsListenerProps {
            certificate_arn: Some(CERTIFICATE.into()),
            ..Default::default()
        },
    );
    for id in ["Api", "Admin"] {
        https.add_rule(
            id,
            ListenerRuleProps {
                priority: 10,
                conditions: vec![RuleCondition::PathPatterns(vec![format!("/{id}/*")])],
                action: ListenerAction::not_found(),
            },
        );
    }
    let err = synth_err(&app);
    assert_eq!(err.problems.len(), 1, "{err}");
    assert_eq!(
        err.problems[0].message,
        "listener rule priority 10 is used by both app/Lb/Https/Api and app/Lb/Https/Admin; give each rule its own priority"
    );
}

#[test]
fn https_needs_a_certificate_and_a_modern_policy() {
    let (app, s, vpc) = web_stack();
    let alb = ApplicationLoadBalancer::new(
        &s,
        "Lb",
        AlbProps {
            access_logs: None,
            ..AlbProps::new(&vpc)
        },
    );
    alb.add_https_listener("Https", HttpsListenerProps::default());
    let err = synth_err(&app);
    assert_eq!(err.problems[0].path, "app/Lb");
    assert_eq!(
        err.problems[0].message,
        "Https: an HTTPS listener needs certificate_arn (an ACM certificate in the stack's region)"
    );
    let (app, s, vpc) = web_stack();
    let alb = ApplicationLoadBalancer::new(
        &s,
        "Lb",
        AlbProps {
            access_logs: None,
            ..AlbProps::new(&vpc)
        },
    );
    alb.add_https_listener(
        "Https",
        HttpsListenerProps {
            certificate_arn: Some(CERTIFICATE.into()),
            ssl_policy: "ELBSecurityPolicy-2016-08".into(),
            ..Default::default()
        },
    );
    assert!(
        synth_err(&app).mentions("ssl_policy 'ELBSecurityPolicy-2016-08' allows TLS below 1.2")
    );
}

#[test]
fn web_settings_are_validated() {
    type Build = Box<dyn Fn(&Stack, &Vpc)>;
    let cases: Vec<(Build, &str)> = vec![
        (
            Box::new(|s, v| {
                TargetGroup::new(
                    s,
                    "Tg",
                    TargetGroupProps {
                        health_check: HealthCheck {
                            timeout: rcdk_constructs::units::Duration::seconds(20),
                            ..HealthCheck::default()
                        },
                        ..TargetGroupProps::new(v, 80)
                    },
                );
            }),
            "health_check.timeout 20 s must be below the interval 15 s",
        ),
        (
            Box::new(|s, v| {
                ApplicationLoadBalancer::new(
                    s,
                    "Lb",
                    AlbProps {
                        access_logs: None,
                        ..AlbProps::new(v)
                    },
                )
                .add_http_listener("Plain", 8080, ListenerAction::not_found());
            }),
            "Plain: an internet-facing load balancer serves HTTPS",
        ),
        (
            Box::new(|s, _| {
                let acl = WebAcl::new(s, "Acl", WebAclProps::default());
                acl.add_rate_limit("Rate", 5);
            }),
            "Rate: rate limit 5 is out of range 10 to 2000000000 requests per 5 minutes",
        ),
        (
            Box::new(|s, _| {
                WebAcl::new(s, "Acl", WebAclProps::default()).add_geo_block("Geo", &["North Korea"])
            }),
            "Geo: country codes must be ISO 3166 alpha-2",
        ),
        (
            Box::new(|s, _| {
                let acl = WebAcl::new(s, "Acl", WebAclProps::default());
                acl.add_managed_rule_group(
                    AwsManagedRuleGroup::CommonRuleSet,
                    &["SizeRestrictions_BODY"],
                );
            }),
            "rule name 'AWSManagedRulesCommonRuleSet' is used twice; rule names must be unique in a web ACL (WebAclProps.managed_rule_groups adds CommonRuleSet and KnownBadInputsRuleSet by default: to add one of them yourself, leave it out there)",
        ),
        (
            Box::new(|s, _| {
                let t = task(s, 256, 512);
                t.add_container(
                    "web",
                    ContainerProps {
                        environment: [("DB-HOST".to_owned(), "x".into())].into(),
                        ..ContainerProps::new(ContainerImage::Registry("nginx".into()))
                    },
                );
            }),
            "container 'web': environment variable name 'DB-HOST' must be letters, digits and '_'",
        ),
        (
            Box::new(|s, v| {
                let t = task(s, 256, 512);
                let cluster = Cluster::new(s, "Cluster", ClusterProps::default());
                FargateService::new(s, "Service", FargateServiceProps::new(&cluster, &t, v));
            }),
            "task_definition has no containers",
        ),
        (
            Box::new(|s, v| {
                let t = task(s, 256, 512);
                t.add_container(
                    "web",
                    ContainerProps {
                        port_mappings: vec![80],
                        ..ContainerProps::new(ContainerImage::Registry("nginx".into()))
                    },
                );
                let cluster = Cluster::new(s, "Cluster", ClusterProps::default());
                let svc =
                    FargateService::new(s, "Service", FargateServiceProps::new(&cluster, &t, v));
                svc.auto_scale(5, 2);
                let secret = SecretRef::new(
                    "arn:aws:secretsmanager:us-east-1:123456789012:secret:x",
                    None,
                );
                t.add_container(
                    "sidecar",
                    ContainerProps {
                        secrets: [("X".to_owned(), SecretValue::whole(secret))].into(),
                        ..ContainerProps::new(ContainerImage::Registry("busybox".into()))
                    },
                );
            }),
            "auto_scale: min 5 is above max 2",
        ),
        (
            Box::new(|s, v| {
                let svc = FargateService::new(
                    s,
                    "Service",
                    FargateServiceProps {
                        desired_count: Some(3),
                        ..FargateServiceProps::new(
                            &Cluster::new(s, "Cluster", ClusterProps::default()),
                            &task_with_port(s),
                            v,
                        )
                    },
                );
                svc.auto_scale(2, 6);
            }),
            "desired_count 3 is set, but auto_scale(2, 6) governs the task count; remove desired_count",
        ),
        (
            Box::new(|s, v| {
                let svc = service_without_insights(s, v);
                let jobs = rcdk_constructs::messaging::Queue::new(s, "Jobs", Default::default());
                svc.auto_scale(1, 4).scale_on_backlog_per_task(&jobs, 10);
            }),
            "scale_on_backlog_per_task reads Container Insights' RunningTaskCount, which the cluster",
        ),
        (
            Box::new(|s, v| {
                let svc = service_without_insights(s, v);
                let _ = svc.metric_running_tasks();
            }),
            "metric_running_tasks reads Container Insights' RunningTaskCount",
        ),
    ];
    for (build, message) in cases {
        let (app, s, vpc) = web_stack();
        build(&s, &vpc);
        let err = synth_err(&app);
        assert!(err.mentions(message), "expected '{message}' in:\n{err}");
    }
}

#[test]
fn access_logs_need_a_region() {
    let app = app();
    let s = Stack::new(&app, "agnostic", rcdk::StackProps::default());
    let vpc = l2_fixtures::dev_vpc(&s);
    ApplicationLoadBalancer::new(&s, "Lb", AlbProps::new(&vpc));
    let err = synth_err(&app);
    assert!(
        err.mentions(
            "access_logs: the bucket policy names the region's load balancer log delivery"
        ),
        "{err}"
    );
}

/// A service on a cluster whose Container Insights are off.
fn service_without_insights(s: &rcdk::Scope, v: &Vpc) -> FargateService {
    let cluster = Cluster::new(
        s,
        "Cluster",
        ClusterProps {
            container_insights: ContainerInsights::Disabled,
        },
    );
    FargateService::new(
        s,
        "Service",
        FargateServiceProps::new(&cluster, &task_with_port(s), v),
    )
}

fn task_with_port(s: &rcdk::Scope) -> FargateTaskDefinition {
    let t = FargateTaskDefinition::new(
        s,
        "Task",
        FargateTaskDefinitionProps {
            cpu: 256,
            memory: rcdk_constructs::units::Size::mebibytes(512),
            ..Default::default()
        },
    );
    t.add_container(
        "web",
        ContainerProps {
            port_mappings: vec![80],
            ..ContainerProps::new(ContainerImage::Registry("nginx".into()))
        },
    );
    t
}

/// The count a deploy must not reset: a scaled service's template has no DesiredCount;
/// an unscaled one has its given count (default 2). A second auto_scale is one error
/// that says what to do, and the first scalable target stays the only one.
#[test]
fn who_governs_the_task_count() {
    let (app, s, vpc) = web_stack();
    let cluster = Cluster::new(&s, "Cluster", ClusterProps::default());
    let task = task_with_port(&s);
    FargateService::new(&s, "Fixed", FargateServiceProps::new(&cluster, &task, &vpc));
    FargateService::new(
        &s,
        "Pinned",
        FargateServiceProps {
            desired_count: Some(5),
            ..FargateServiceProps::new(&cluster, &task, &vpc)
        },
    );
    let scaled = FargateService::new(
        &s,
        "Scaled",
        FargateServiceProps::new(&cluster, &task, &vpc),
    );
    scaled.auto_scale(3, 9).scale_on_cpu(60.0);
    let assembly = synth(&app);
    let t = template(&assembly, "app");
    let count = |id: &str| {
        t["Resources"][id]["Properties"]
            .get("DesiredCount")
            .cloned()
    };
    assert_eq!(count("FixedService"), Some(serde_json::json!(2)));
    assert_eq!(count("PinnedService"), Some(serde_json::json!(5)));
    assert_eq!(count("ScaledService"), None, "scaled: the scaling governs");
    assert_eq!(
        t["Resources"]["ScaledScalingTarget"]["Properties"]["MinCapacity"],
        3
    );

    let (app, s, vpc) = web_stack();
    let cluster = Cluster::new(&s, "Cluster", ClusterProps::default());
    let task = task_with_port(&s);
    let svc = FargateService::new(&s, "Svc", FargateServiceProps::new(&cluster, &task, &vpc));
    svc.auto_scale(1, 4).scale_on_cpu(50.0);
    svc.auto_scale(2, 8).scale_on_memory(70.0);
    let err = synth_err(&app);
    assert_eq!(err.problems.len(), 1, "{err}");
    assert!(
        err.mentions("auto_scale is called a second time; a service has one scalable target: add every policy to the ServiceScaling the first call returned"),
        "{err}"
    );
}
