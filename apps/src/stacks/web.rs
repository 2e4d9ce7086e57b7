//! `{env}-app`: the internet-facing load balancer behind WAF, and the web service (on
//! Fargate, or on EC2 instances in bridge mode) that reads the database and Redis and
//! puts jobs on the workers' queue.

use std::collections::BTreeMap;
use std::rc::Rc;

use rcdk::App;
use rcdk_constructs::connections::{HasConnections, Port};
use rcdk_constructs::containers::{
    Cluster, ClusterProps, ContainerHealthCheck, ContainerProps, Ec2Service, Ec2ServiceProps,
    Ec2TaskDefinition, Ec2TaskDefinitionProps, EcsService, FargateService, FargateServiceProps,
    FargateTaskDefinition, FargateTaskDefinitionProps, SecretValue, TaskDefinition, TaskEgress,
};
use rcdk_constructs::data::PostgresDatabase;
use rcdk_constructs::load_balancing::{
    AccessLogsProps, AlbProps, ApplicationLoadBalancer, HttpsListenerProps, ListenerAction,
    TargetGroup, TargetGroupProps, TargetType,
};
use rcdk_constructs::monitoring::{SamplingRule, SamplingRuleProps};
use rcdk_constructs::network::Vpc;
use rcdk_constructs::units::Size;
use rcdk_constructs::waf::{AwsManagedRuleGroup, WebAcl, WebAclProps};

use super::workers::Workers;
use crate::config::{EnvironmentConfig, Platform};
use crate::env_stack;

pub const CONTAINER_PORT: u16 = 8080;

/// What the monitoring and worker stacks use from the app stack.
pub struct Web {
    pub load_balancer: ApplicationLoadBalancer,
    pub target_group: TargetGroup,
    pub service: Rc<dyn EcsService>,
    /// The web service's instances, when it runs on EC2.
    pub capacity: Option<rcdk_constructs::containers::Ec2Capacity>,
    pub web_acl: WebAcl,
}

/// The database connection as environment variables and secrets.
pub fn database_environment(
    db: &dyn PostgresDatabase,
) -> (
    BTreeMap<String, rcdk::Expr<String>>,
    BTreeMap<String, SecretValue>,
) {
    let mut environment = BTreeMap::from([
        ("DB_HOST".to_owned(), db.db_endpoint_address()),
        ("DB_PORT".to_owned(), db.db_endpoint_port()),
        ("DB_NAME".to_owned(), "app".into()),
    ]);
    let mut secrets = BTreeMap::from([(
        "DB_USER".to_owned(),
        SecretValue::json_key(db.db_secret_ref(), "username"),
    )]);
    if db.iam_auth() {
        // Through the proxy: an IAM token from the task role (`grant_iam_connect`), over
        // TLS; the password is not the task's to read.
        environment.insert("DB_AUTH".to_owned(), "iam".into());
    } else {
        secrets.insert(
            "DB_PASSWORD".to_owned(),
            SecretValue::json_key(db.db_secret_ref(), "password"),
        );
    }
    (environment, secrets)
}

pub fn build(
    app: &App,
    env: &str,
    settings: &EnvironmentConfig,
    vpc: &Vpc,
    db: &dyn PostgresDatabase,
    workers: &Workers,
) -> Web {
    let stack = env_stack(
        app,
        env,
        settings,
        "app",
        "Load balancer, WAF and the web service",
    );
    let logs_key = super::logs_key(&stack, &format!("the application and WAF logs of {env}"));
    let load_balancer = ApplicationLoadBalancer::new(
        &stack,
        "LoadBalancer",
        AlbProps {
            deletion_protection: settings.deletion_protection,
            access_logs: Some(AccessLogsProps {
                prefix: None,
                retention_days: settings.log_retention_days,
            }),
            ..AlbProps::new(vpc)
        },
    );
    let on_ec2 = settings.service_tier.runs_on == Platform::Ec2;
    let target_group = TargetGroup::new(
        &stack,
        "WebTargets",
        TargetGroupProps {
            // Bridge-mode tasks register their instance and dynamic host port.
            target_type: if on_ec2 {
                TargetType::Instance
            } else {
                TargetType::Ip
            },
            ..TargetGroupProps::new(vpc, CONTAINER_PORT)
        },
    );
    load_balancer.add_https_listener(
        "Https",
        HttpsListenerProps {
            certificate_arn: Some(settings.certificate_arn.as_str().into()),
            default_action: ListenerAction::Forward(target_group.clone()),
            ..HttpsListenerProps::default()
        },
    );
    load_balancer.add_http_redirect("Http");

    let web_acl = WebAcl::new(
        &stack,
        "WebAcl",
        WebAclProps {
            description: Some(format!("Protects the {env} load balancer")),
            // The cheap IP reputation list first, then AWS's baseline, then SQL injection.
            managed_rule_groups: vec![],
            ..WebAclProps::default()
        },
    );
    web_acl.add_managed_rule_group(AwsManagedRuleGroup::AmazonIpReputationList, &[]);
    web_acl.add_managed_rule_group(AwsManagedRuleGroup::CommonRuleSet, &[]);
    web_acl.add_managed_rule_group(AwsManagedRuleGroup::KnownBadInputsRuleSet, &[]);
    web_acl.add_managed_rule_group(AwsManagedRuleGroup::SqliRuleSet, &[]);
    web_acl.add_rate_limit("RateLimitPerIp", settings.service_tier.rate_limit_per_ip);
    if !settings.allowed_countries.is_empty() {
        let allowed: Vec<&str> = settings
            .allowed_countries
            .iter()
            .map(String::as_str)
            .collect();
        web_acl.add_geo_allow_only("AllowedCountries", &allowed);
    }
    if !settings.blocked_countries.is_empty() {
        let blocked: Vec<&str> = settings
            .blocked_countries
            .iter()
            .map(String::as_str)
            .collect();
        web_acl.add_geo_block("BlockedCountries", &blocked);
    }
    web_acl.enable_logging(settings.log_retention_days, Some(&logs_key));
    web_acl.associate(&load_balancer);

    let cluster = Cluster::new(&stack, "Cluster", ClusterProps::default());
    let tier = &settings.service_tier;
    let placement = match &tier.ec2 {
        Some(ec2) if on_ec2 => {
            let capacity = super::capacity(&stack, "WebCapacity", &cluster, vpc, ec2);
            let task = Ec2TaskDefinition::new(
                &stack,
                "WebTask",
                Ec2TaskDefinitionProps {
                    cpu: tier.cpu,
                    memory: Size::mebibytes(u64::from(tier.memory_mib)),
                    ..Ec2TaskDefinitionProps::default()
                },
            );
            super::Placement::Ec2(capacity, task)
        }
        _ => super::Placement::Fargate(FargateTaskDefinition::new(
            &stack,
            "WebTask",
            FargateTaskDefinitionProps {
                cpu: tier.cpu,
                memory: Size::mebibytes(u64::from(tier.memory_mib)),
                arm64: true,
            },
        )),
    };
    let task: &TaskDefinition = placement.task();
    let (mut environment, mut secrets) = database_environment(db);
    let (tier_env, tier_secrets) = workers.client_environment();
    environment.extend(tier_env);
    if workers.namespace.is_some() {
        environment.insert(
            "WORKER_API_URL".to_owned(),
            format!(
                "http://{}:{}",
                super::workers::WORKER_API_NAME,
                super::workers::WORKER_API_PORT
            )
            .into(),
        );
    }
    secrets.extend(tier_secrets);
    task.add_container(
        "web",
        ContainerProps {
            port_mappings: vec![CONTAINER_PORT],
            environment,
            secrets,
            health_check: Some(ContainerHealthCheck::shell(
                "curl -fs http://localhost:8080/health || exit 1",
            )),
            log_retention_days: settings.log_retention_days,
            log_encryption_key: Some(logs_key),
            user: Some("1000:1000".into()),
            ..ContainerProps::new(workers.image(&tier.image))
        },
    );
    if let Some(percent) = settings.tracing_percent {
        task.enable_tracing(&format!("{env}-web"));
        // One rule for the environment's services, changed without redeploying them.
        SamplingRule::new(
            &stack,
            "TraceSampling",
            SamplingRuleProps {
                fixed_rate: percent / 100.0,
                ..SamplingRuleProps::new(&format!("{env}-*"))
            },
        );
    }
    let service: Rc<dyn EcsService> = match &placement {
        super::Placement::Ec2(capacity, task) => Rc::new(Ec2Service::new(
            &stack,
            "WebService",
            Ec2ServiceProps::new(capacity, task, vpc),
        )),
        // The web tasks call only AWS services (the queue, traces), the database, the
        // cache and the workers: no route to the internet.
        super::Placement::Fargate(task) => Rc::new(FargateService::new(
            &stack,
            "WebService",
            FargateServiceProps {
                egress: TaskEgress::VpcEndpointsOnly,
                ..FargateServiceProps::new(&cluster, task, vpc)
            },
        )),
    };
    service.attach_to(&target_group, &load_balancer);
    let scaling = service.auto_scale(tier.min_tasks, tier.max_tasks);
    scaling.scale_on_cpu(tier.target_cpu_percent);
    scaling.scale_on_requests_per_target(
        &load_balancer,
        &target_group,
        tier.target_requests_per_task,
    );
    let tasks = service.connections();
    db.connections()
        .allow_default_port_from(&tasks, "Postgres from the web service");
    // The workers' internal API, by name through Service Connect.
    if let Some(namespace) = &workers.namespace {
        service.service_connect(namespace, None);
        workers.security_group.connections().allow_from(
            &tasks,
            Port::tcp(super::workers::WORKER_API_PORT),
            "The workers' internal API from the web service",
        );
    }
    workers
        .redis
        .connections()
        .allow_default_port_from(&tasks, "Redis from the web service");
    workers.jobs.grant_send(task.task_role());
    db.grant_iam_connect(task.task_role());
    Web {
        load_balancer,
        target_group,
        service,
        capacity: match placement {
            super::Placement::Ec2(capacity, _) => Some(capacity),
            super::Placement::Fargate(_) => None,
        },
        web_acl,
    }
}
