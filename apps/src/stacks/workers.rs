//! `{env}-workers`: the worker tier, and what the web tier shares with it — the image
//! repositories both services pull from, the jobs queue with its dead-letter queue, and
//! Redis — plus the worker service that scales on the queue's backlog and two
//! schedules: a cleanup task daily at 04:00 UTC and an hourly sync function.
//!
//! It deploys before `{env}-app`: the web service pulls its image from here, sends jobs
//! to the queue and reads Redis, so the shared pieces cannot live in the app stack
//! without a dependency cycle (the worker tier would depend on the app stack and back).

use std::collections::BTreeMap;
use std::rc::Rc;

use rcdk::{App, Expr, RemovalPolicy, Value};
use rcdk_constructs::compute::{Code, Function, FunctionProps};
use rcdk_constructs::connections::{HasConnections, SecurityGroup};
use rcdk_constructs::containers::{
    Cluster, ClusterProps, ContainerImage, ContainerProps, Ec2Capacity, Ec2Service,
    Ec2ServiceProps, Ec2TaskDefinition, Ec2TaskDefinitionProps, EcsService, FargateService,
    FargateServiceProps, FargateTaskDefinition, FargateTaskDefinitionProps, NetworkMode,
    SecretValue, ServeProps, ServiceConnectNamespace, ServiceConnectNamespaceProps,
};
use rcdk_constructs::data::{PostgresDatabase, RedisCluster, RedisClusterProps};
use rcdk_constructs::ecr::{Repository, RepositoryProps};
use rcdk_constructs::events::{Rule, RuleProps, Schedule, TargetOptions, TaskPlacement};
use rcdk_constructs::kms::{Key, KeyProps};
use rcdk_constructs::messaging::{Queue, QueueEncryption, QueueProps};
use rcdk_constructs::network::{SubnetKind, Vpc};
use rcdk_constructs::units::{Duration, Size};

use super::Placement;
use super::web::database_environment;
use crate::config::{EnvironmentConfig, Platform};
use crate::env_stack;

/// The sync function's code, packaged as a file asset.
fn sync_code() -> std::path::PathBuf {
    crate::config::apps_dir().join("functions/sync")
}

/// What the app, monitoring and worker-shard stacks use from the worker tier.
pub struct Workers {
    pub cluster: Cluster,
    /// By repository name (`web`, `worker`: the part before `:` of the configured images).
    pub repositories: BTreeMap<String, Repository>,
    pub jobs: Queue,
    pub dead_letters: Queue,
    pub redis: RedisCluster,
    /// On Fargate, or on EC2 instances in bridge mode.
    pub service: Rc<dyn EcsService>,
    /// The worker service's instances, when it runs on EC2.
    pub capacity: Option<Ec2Capacity>,
    pub sync: Function,
    /// The worker tasks' group: the database and Redis admit it.
    pub security_group: SecurityGroup,
    /// With `service_connect`, the namespace in which the workers serve their internal
    /// API as `worker-api`.
    pub namespace: Option<ServiceConnectNamespace>,
}

/// The port of the workers' internal API (job status), served to the web tier only.
pub const WORKER_API_PORT: u16 = 8080;
/// The name the web tier calls the workers' API by.
pub const WORKER_API_NAME: &str = "worker-api";

impl Workers {
    /// `repository:tag` of this environment's registry.
    pub fn image(&self, reference: &str) -> ContainerImage {
        image_of(&self.repositories, reference)
    }

    /// What a service that uses the queue and Redis is told: their addresses as
    /// environment variables, the Redis AUTH token as a secret.
    pub fn client_environment(
        &self,
    ) -> (
        BTreeMap<String, Expr<String>>,
        BTreeMap<String, SecretValue>,
    ) {
        client_environment(&self.jobs, &self.redis)
    }
}

fn image_of(repositories: &BTreeMap<String, Repository>, reference: &str) -> ContainerImage {
    let (name, tag) = reference.split_once(':').unwrap_or((reference, "latest"));
    match repositories.get(name) {
        Some(repository) => repository.image(tag),
        // Not reached for configured images: each has its repository here.
        None => ContainerImage::ecr(name, tag),
    }
}

fn client_environment(
    jobs: &Queue,
    redis: &RedisCluster,
) -> (
    BTreeMap<String, Expr<String>>,
    BTreeMap<String, SecretValue>,
) {
    let environment = BTreeMap::from([
        ("JOBS_QUEUE_URL".to_owned(), jobs.url()),
        ("REDIS_HOST".to_owned(), redis.endpoint_address()),
        ("REDIS_PORT".to_owned(), "6379".into()),
        ("REDIS_TLS".to_owned(), "true".into()),
    ]);
    let secrets = BTreeMap::from([(
        "REDIS_AUTH_TOKEN".to_owned(),
        SecretValue::whole(redis.auth_token().clone()),
    )]);
    (environment, secrets)
}

/// A worker-image container: `command` (split on spaces), logs encrypted with `key`,
/// running as an unprivileged user.
pub fn worker_container(
    settings: &EnvironmentConfig,
    key: &Key,
    image: ContainerImage,
    (environment, secrets): (
        BTreeMap<String, Expr<String>>,
        BTreeMap<String, SecretValue>,
    ),
    command: &str,
) -> ContainerProps {
    ContainerProps {
        environment,
        secrets,
        command: Some(command.split(' ').map(str::to_owned).collect()),
        log_retention_days: settings.log_retention_days,
        log_encryption_key: Some(key.clone()),
        user: Some("1000:1000".into()),
        ..ContainerProps::new(image)
    }
}

pub(crate) fn repository_name(reference: &str) -> &str {
    reference
        .split_once(':')
        .map_or(reference, |(name, _)| name)
}

pub(crate) fn construct_id(name: &str) -> String {
    let mut id = rcdk::naming::pascal_case(name);
    id.push_str("Repository");
    id
}

pub fn build(
    app: &App,
    env: &str,
    settings: &EnvironmentConfig,
    vpc: &Vpc,
    db: &dyn PostgresDatabase,
    shared_images: Option<&BTreeMap<String, Repository>>,
) -> Workers {
    let stack = env_stack(
        app,
        env,
        settings,
        "workers",
        if shared_images.is_some() {
            "Jobs queue, worker service, schedules and Redis"
        } else {
            "Jobs queue, worker service, schedules, Redis and the image repositories"
        },
    );
    let w = &settings.workers;
    let logs_key = super::logs_key(&stack, &format!("the worker and function logs of {env}"));

    // In an organisation the images are the shared-services account's (images-{region}).
    let mut repositories = shared_images.cloned().unwrap_or_default();
    for reference in [&settings.service_tier.image, &w.image] {
        let name = repository_name(reference);
        if !repositories.contains_key(name) {
            let repository = Repository::new(
                &stack,
                &construct_id(name),
                RepositoryProps {
                    repository_name: Some(format!("{env}/{name}")),
                    ..RepositoryProps::default()
                },
            );
            repositories.insert(name.to_owned(), repository);
        }
    }

    // One key for the queue and its dead-letter queue: a consumer needs one grant.
    let jobs_key = Key::new(
        &stack,
        "JobsKey",
        KeyProps {
            description: Some(format!("Encrypts the jobs queues of {env}")),
            ..KeyProps::default()
        },
    );
    let dead_letters = Queue::new(
        &stack,
        "JobsDeadLetters",
        QueueProps {
            encryption: QueueEncryption::Key(jobs_key.clone()),
            queue_name: Some(format!("{env}-jobs-dead-letters")),
            ..QueueProps::dead_letter()
        },
    );
    let jobs = Queue::new(
        &stack,
        "Jobs",
        QueueProps {
            encryption: QueueEncryption::Key(jobs_key.clone()),
            visibility_timeout: Duration::seconds(u64::from(w.job_timeout_seconds)),
            queue_name: Some(format!("{env}-jobs")),
            ..QueueProps::default()
        },
    );
    jobs.dead_letter_queue(&dead_letters, w.max_receive_count);

    let redis = RedisCluster::new(
        &stack,
        "Redis",
        RedisClusterProps {
            node_type: settings.redis.node_type.clone(),
            replicas: settings.redis.replicas,
            slow_log_retention_days: settings.log_retention_days,
            removal_policy: if settings.deletion_protection {
                RemovalPolicy::Snapshot
            } else {
                RemovalPolicy::Destroy
            },
            ..RedisClusterProps::new(vpc)
        },
    );

    if settings.redis.replicas == 0 {
        rcdk_constructs::posture::waive_check(
            redis.resource(),
            &[
                "elasticache_repl_grp_auto_failover_enabled_check",
                "AwsSolutions-AEC4",
            ],
            &format!(
                "{env} runs one cache node by its settings (redis.replicas: 0): nothing to fail over to; production runs a replica in another zone"
            ),
        );
    }
    let cluster = Cluster::new(&stack, "Cluster", ClusterProps::default());
    // The worker service and the cleanup task run the same image against the same stores.
    // The workers call only AWS services (the queue, traces), the database and the
    // cache: HTTPS only to the VPC's endpoints, no route to the internet.
    let group = rcdk_constructs::network::endpoints_only_group(
        &stack,
        "WorkersSecurityGroup",
        vpc,
        &format!("Worker tasks of {env}"),
    );
    db.connections()
        .allow_default_port_from(&group, "Postgres from the workers");
    redis
        .connections()
        .allow_default_port_from(&group, "Redis from the workers");

    let (mut environment, mut secrets) = database_environment(db);
    let (queue_env, queue_secrets) = client_environment(&jobs, &redis);
    environment.extend(queue_env);
    secrets.extend(queue_secrets);
    let worker_image = image_of(&repositories, &w.image);

    let placement = match &w.ec2 {
        Some(ec2) if w.runs_on == Platform::Ec2 => {
            // awsvpc tasks speak as the workers' group: the stores admit only that, not
            // the instances.
            let capacity = super::capacity(&stack, "WorkerCapacity", &cluster, vpc, ec2);
            let task = Ec2TaskDefinition::new(
                &stack,
                "WorkerTask",
                Ec2TaskDefinitionProps {
                    cpu: w.cpu,
                    memory: Size::mebibytes(u64::from(w.memory_mib)),
                    // A network interface and security group per task: a worker reaches
                    // the database and cache as itself, not as whatever shares its instance.
                    network_mode: NetworkMode::AwsVpc,
                },
            );
            Placement::Ec2(capacity, task)
        }
        _ => Placement::Fargate(FargateTaskDefinition::new(
            &stack,
            "WorkerTask",
            FargateTaskDefinitionProps {
                cpu: w.cpu,
                memory: Size::mebibytes(u64::from(w.memory_mib)),
                arm64: true,
            },
        )),
    };
    let task = placement.task();
    let mut worker = worker_container(
        settings,
        &logs_key,
        worker_image.clone(),
        (environment.clone(), secrets.clone()),
        "worker --queue-url-from=JOBS_QUEUE_URL",
    );
    if settings.service_connect.is_some() {
        worker.port_mappings = vec![WORKER_API_PORT];
    }
    task.add_container("worker", worker);
    if settings.tracing_percent.is_some() {
        task.enable_tracing(&format!("{env}-worker"));
    }
    jobs.grant_consume(task.task_role());
    db.grant_iam_connect(task.task_role());
    let (service, capacity): (Rc<dyn EcsService>, _) = match &placement {
        Placement::Ec2(capacity, task) => (
            Rc::new(Ec2Service::new(
                &stack,
                "WorkerService",
                Ec2ServiceProps {
                    security_group: Some(group.clone()),
                    ..Ec2ServiceProps::new(capacity, task, vpc)
                },
            )),
            Some(capacity.clone()),
        ),
        Placement::Fargate(task) => (
            Rc::new(FargateService::new(
                &stack,
                "WorkerService",
                FargateServiceProps {
                    security_group: Some(group.clone()),
                    ..FargateServiceProps::new(&cluster, task, vpc)
                },
            )),
            None,
        ),
    };
    service
        .auto_scale(w.min_tasks, w.max_tasks)
        .scale_on_backlog_per_task(&jobs, w.backlog_per_task);
    let namespace = settings.service_connect.as_ref().map(|sc| {
        let namespace = ServiceConnectNamespace::new(
            &stack,
            "Internal",
            ServiceConnectNamespaceProps {
                tls: sc.tls,
                ..ServiceConnectNamespaceProps::new(&format!("{env}.internal"))
            },
        );
        service.service_connect(
            &namespace,
            Some(ServeProps {
                per_request_timeout: Duration::seconds(u64::from(sc.request_timeout_seconds)),
                ..ServeProps::new(WORKER_API_NAME, WORKER_API_PORT)
            }),
        );
        namespace
    });

    // Undeliverable schedule events (the task could not start, the function throttled)
    // wait here for two weeks instead of vanishing.
    let schedule_failures = Queue::new(
        &stack,
        "ScheduleFailures",
        QueueProps {
            encryption: QueueEncryption::Key(
                jobs.key().cloned().unwrap_or_else(|| logs_key.clone()),
            ),
            ..QueueProps::dead_letter()
        },
    );
    let on_failure = TargetOptions {
        dead_letter_queue: Some(schedule_failures),
        ..TargetOptions::default()
    };

    let cleanup = FargateTaskDefinition::new(
        &stack,
        "CleanupTask",
        FargateTaskDefinitionProps {
            cpu: 256,
            memory: Size::mebibytes(512),
            arm64: true,
        },
    );
    cleanup.add_container(
        "cleanup",
        worker_container(
            settings,
            &logs_key,
            worker_image,
            (environment, secrets),
            "cleanup --older-than-days=30",
        ),
    );
    let daily = Rule::new(
        &stack,
        "DailyCleanup",
        RuleProps {
            description: Some(format!("Runs the cleanup task of {env} at 04:00 UTC")),
            ..RuleProps::schedule(Schedule::cron().minute(0).hour(4))
        },
    );
    daily.add_fargate_task_target(
        &cluster,
        &cleanup,
        TaskPlacement {
            subnets: Expr::unchecked(Value::list(vpc.subnet_ids(SubnetKind::PrivateWithEgress))),
            security_groups: vec![group.group_id()],
        },
        on_failure.clone(),
    );

    let sync = Function::new(
        &stack,
        "Sync",
        FunctionProps {
            description: Some(format!("Puts the hourly sync job on the {env} jobs queue")),
            environment: BTreeMap::from([("JOBS_QUEUE_URL".to_owned(), jobs.url())]),
            log_retention_days: settings.log_retention_days,
            encryption_key: Some(logs_key),
            // One run an hour: one at a time, and a failed run is kept for two weeks.
            reserved_concurrency: Some(1),
            dead_letter_queue: on_failure.dead_letter_queue.clone(),
            ..FunctionProps::new("python3.14", "index.handler", Code::Asset(sync_code()))
        },
    );
    rcdk_constructs::posture::waive_check(
        sync.resource(),
        &["CKV_AWS_117", "lambda_inside_vpc_check"],
        "The sync function only puts a message on SQS over the public endpoint with IAM auth; it reaches nothing in the VPC",
    );
    jobs.grant_send(sync.role());
    let hourly = Rule::new(
        &stack,
        "HourlySync",
        RuleProps {
            description: Some(format!("Invokes the sync function of {env} every hour")),
            ..RuleProps::schedule(Schedule::rate(1, rcdk_constructs::events::RateUnit::Hours))
        },
    );
    hourly.add_function_target(&sync, on_failure);

    Workers {
        cluster,
        repositories,
        jobs,
        dead_letters,
        redis,
        service,
        capacity,
        sync,
        security_group: group,
        namespace,
    }
}
