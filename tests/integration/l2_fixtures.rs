//! Apps built from the L2 constructs in dev-like and prod-like configurations.

use std::collections::BTreeMap;

use rcdk::{App, Stack};
use rcdk_constructs::connections::{HasConnections, SecurityGroup, SecurityGroupProps};
use rcdk_constructs::containers::{
    Cluster, ClusterProps, ContainerHealthCheck, ContainerImage, ContainerProps, FargateService,
    FargateServiceProps, FargateTaskDefinition, FargateTaskDefinitionProps, SecretValue,
};
use rcdk_constructs::data::{
    PostgresInstance, PostgresInstanceProps, PostgresReadReplica, ReadReplicaProps,
};
use rcdk_constructs::load_balancing::{
    AlbProps, ApplicationLoadBalancer, HttpsListenerProps, ListenerAction, ListenerRuleProps,
    RuleCondition, TargetGroup, TargetGroupProps,
};
use rcdk_constructs::monitoring::{
    AlarmThresholds, AlarmTopic, AlarmTopicProps, WebAlarms, WebTier,
};
use rcdk_constructs::network::{AvailabilityZones, InterfaceEndpoint, NatStrategy, Vpc, VpcProps};
use rcdk_constructs::waf::{AwsManagedRuleGroup, IpSetAction, WebAcl, WebAclProps};

use crate::fixtures::{app, stack};

/// A development network: two AZs, one NAT gateway, no interface endpoints.
pub fn dev_vpc(s: &Stack) -> Vpc {
    Vpc::new(
        s,
        "Vpc",
        VpcProps {
            cidr: "10.10.0.0/16".into(),
            availability_zones: AvailabilityZones::Count(2),
            nat: NatStrategy::Single,
            ..VpcProps::default()
        },
    )
}

/// A production network: the defaults (three AZs, NAT per AZ) plus interface endpoints.
pub fn prod_vpc(s: &Stack) -> Vpc {
    Vpc::new(
        s,
        "Vpc",
        VpcProps {
            cidr: "10.30.0.0/16".into(),
            interface_endpoints: vec![
                InterfaceEndpoint::EcrApi,
                InterfaceEndpoint::EcrDocker,
                InterfaceEndpoint::Logs,
                InterfaceEndpoint::SecretsManager,
            ],
            ..VpcProps::default()
        },
    )
}

pub fn network_app(prod: bool) -> App {
    let app = app();
    let s = stack(&app, "network");
    if prod {
        prod_vpc(&s)
    } else {
        dev_vpc(&s)
    };
    app
}

/// Network, data and service in three stacks: the service reads the database's
/// endpoint, and the database admits the service, with no dependency cycle.
pub fn data_app(prod: bool) -> App {
    let app = app();
    let net = stack(&app, "network");
    let vpc = if prod { prod_vpc(&net) } else { dev_vpc(&net) };
    let data = stack(&app, "data");
    let defaults = PostgresInstanceProps::new(&vpc);
    let db = PostgresInstance::new(
        &data,
        "Database",
        if prod {
            PostgresInstanceProps {
                instance_class: "db.r7g.large".into(),
                backup_retention_days: 30,
                max_allocated_storage: Some(rcdk_constructs::units::Size::gibibytes(500)),
                database_name: Some("app".into()),
                ..defaults
            }
        } else {
            PostgresInstanceProps {
                multi_az: false,
                deletion_protection: false,
                removal_policy: rcdk::RemovalPolicy::Destroy,
                database_name: Some("app".into()),
                ..defaults
            }
        },
    );
    if prod {
        PostgresReadReplica::new(&data, "Replica", &db, ReadReplicaProps::default());
    }
    let service = stack(&app, "service");
    let sg = SecurityGroup::new(
        &service,
        "ServiceSecurityGroup",
        SecurityGroupProps::new(vpc.vpc_id(), "Web service tasks"),
    );
    db.connections()
        .allow_default_port_from(&sg, "Postgres from the web service");
    // The service's configuration reads the endpoint from the data stack.
    rcdk::CfnResource::raw(
        &service,
        "DatabaseEndpointParameter",
        "AWS::SSM::Parameter",
        rcdk::Value::object([
            ("Type", rcdk::Value::from("String")),
            ("Value", rcdk::Value::from(db.endpoint_address())),
        ]),
    );
    app
}

pub const CERTIFICATE: &str =
    "arn:aws:acm:us-east-1:123456789012:certificate/0e4a2a0c-1111-2222-3333-444455556666";

/// A `network` stack and a `data` stack with the database the web tier uses.
fn network_and_database(app: &App, prod: bool) -> (Vpc, PostgresInstance) {
    let net = stack(app, "network");
    let vpc = if prod { prod_vpc(&net) } else { dev_vpc(&net) };
    let data = stack(app, "data");
    let db = PostgresInstance::new(
        &data,
        "Database",
        PostgresInstanceProps {
            multi_az: prod,
            database_name: Some("app".into()),
            ..PostgresInstanceProps::new(&vpc)
        },
    );
    (vpc, db)
}

/// The web tier: network, data and an app stack with an ALB behind WAF and a Fargate
/// service that reads the database secret.
pub fn web_app(prod: bool) -> App {
    web_app_with(prod, |_| {})
}

/// [`web_app`], then `change` applied to its web tier (a later version of the app).
pub fn web_app_with(prod: bool, change: impl FnOnce(&Web)) -> App {
    let app = app();
    let (vpc, db) = network_and_database(&app, prod);
    let web = stack(&app, "app");
    change(&web_tier(&web, &vpc, &db, prod));
    app
}

/// The constructs of a web tier that monitoring watches.
pub struct Web {
    pub alb: ApplicationLoadBalancer,
    pub targets: TargetGroup,
    pub service: FargateService,
    pub acl: WebAcl,
}

pub fn web_tier(s: &Stack, vpc: &Vpc, db: &PostgresInstance, prod: bool) -> Web {
    let alb = ApplicationLoadBalancer::new(
        s,
        "LoadBalancer",
        AlbProps {
            deletion_protection: prod,
            ..AlbProps::new(vpc)
        },
    );
    let targets = TargetGroup::new(
        s,
        "WebTargets",
        TargetGroupProps {
            stickiness: prod.then_some(rcdk_constructs::units::Duration::hours(1)),
            ..TargetGroupProps::new(vpc, 8080)
        },
    );
    let https = alb.add_https_listener(
        "Https",
        HttpsListenerProps {
            certificate_arn: Some(CERTIFICATE.into()),
            ..HttpsListenerProps::default()
        },
    );
    alb.add_http_redirect("Http");
    https.add_rule(
        "Api",
        ListenerRuleProps {
            priority: 10,
            conditions: vec![RuleCondition::PathPatterns(vec![
                "/api/*".into(),
                "/health".into(),
            ])],
            action: ListenerAction::Forward(targets.clone()),
        },
    );
    https.add_rule(
        "Www",
        ListenerRuleProps {
            priority: 20,
            conditions: vec![RuleCondition::HostHeaders(vec!["www.example.com".into()])],
            action: ListenerAction::Forward(targets.clone()),
        },
    );
    let acl = WebAcl::new(
        s,
        "WebAcl",
        WebAclProps {
            managed_rule_groups: vec![],
            ..WebAclProps::default()
        },
    );
    acl.add_managed_rule_group(AwsManagedRuleGroup::AmazonIpReputationList, &[]);
    acl.add_managed_rule_group(
        AwsManagedRuleGroup::CommonRuleSet,
        &["SizeRestrictions_BODY"],
    );
    acl.add_managed_rule_group(AwsManagedRuleGroup::KnownBadInputsRuleSet, &[]);
    acl.add_rate_limit("RateLimitPerIp", if prod { 2000 } else { 500 });
    if prod {
        acl.add_geo_block("GeoBlock", &["KP", "IR"]);
        acl.add_ip_set(
            "Blocklist",
            &["192.0.2.0/24", "198.51.100.7/32"],
            IpSetAction::Block,
        );
        acl.enable_logging(365, None);
    }
    acl.associate(&alb);

    let cluster = Cluster::new(s, "Cluster", ClusterProps::default());
    let task = FargateTaskDefinition::new(
        s,
        "WebTask",
        FargateTaskDefinitionProps {
            cpu: if prod { 1024 } else { 256 },
            memory: rcdk_constructs::units::Size::mebibytes(if prod { 2048 } else { 512 }),
            arm64: true,
        },
    );
    task.add_container(
        "web",
        ContainerProps {
            port_mappings: vec![8080],
            environment: BTreeMap::from([
                ("DB_HOST".into(), db.endpoint_address()),
                ("LOG_LEVEL".into(), "info".into()),
            ]),
            secrets: BTreeMap::from([
                (
                    "DB_PASSWORD".into(),
                    SecretValue::json_key(db.secret_ref(), "password"),
                ),
                (
                    "DB_USER".into(),
                    SecretValue::json_key(db.secret_ref(), "username"),
                ),
            ]),
            health_check: Some(ContainerHealthCheck::shell(
                "curl -fs http://localhost:8080/health || exit 1",
            )),
            user: Some("1000:1000".into()),
            log_retention_days: if prod { 365 } else { 30 },
            ..ContainerProps::new(ContainerImage::ecr("web", "1.4.2"))
        },
    );
    let service = FargateService::new(
        s,
        "WebService",
        FargateServiceProps::new(&cluster, &task, vpc),
    );
    service.attach_to(&targets, &alb);
    let scaling = service.auto_scale(if prod { 3 } else { 1 }, if prod { 12 } else { 2 });
    scaling.scale_on_cpu(60.0);
    scaling.scale_on_memory(75.0);
    scaling.scale_on_requests_per_target(&alb, &targets, 1000);
    db.connections()
        .allow_default_port_from(&service, "Postgres from the web service");
    Web {
        alb,
        targets,
        service,
        acl,
    }
}

/// The web tier plus a monitoring stack: alarm topic, RED + saturation alarms, dashboard.
pub fn monitored_app(prod: bool) -> (App, WebAlarms) {
    let app = app();
    let (vpc, db) = network_and_database(&app, prod);
    let web = web_tier(&stack(&app, "app"), &vpc, &db, prod);
    let monitoring = stack(&app, "monitoring");
    let topic = AlarmTopic::new(
        &monitoring,
        "AlarmTopic",
        AlarmTopicProps {
            emails: vec!["oncall@example.com".into()],
            https_endpoints: if prod {
                vec!["https://events.pagerduty.example/integration/abc".into()]
            } else {
                vec![]
            },
            ..AlarmTopicProps::default()
        },
    );
    let thresholds = AlarmThresholds {
        latency_p99: rcdk_constructs::units::Duration::seconds(if prod { 1 } else { 3 }),
        ..AlarmThresholds::default()
    };
    let tier = WebTier {
        load_balancer: &web.alb,
        target_group: &web.targets,
        service: &web.service,
        database: &db,
        web_acl: &web.acl,
    };
    let alarms = WebAlarms::new(&monitoring, "Web", tier, &thresholds, &topic);
    (app, alarms)
}
