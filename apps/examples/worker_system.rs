//! The small system a newcomer writes first, as the AWS CDK user of issue 26 wrote it:
//! a jobs queue with its dead-letter queue, a worker service scaling on backlog, an
//! hourly function that feeds the queue, Redis, and the alarms of it all, in one stack
//! with one customer key. `rcdk synth --app "cargo run -q -p rcdk-apps --example worker_system"`.

use rcdk::{App, Environment, Stack, StackProps, Tags};
use rcdk_constructs::compute::{Code, Function, FunctionProps};
use rcdk_constructs::connections::HasConnections;
use rcdk_constructs::containers::{
    Cluster, ClusterProps, ContainerImage, ContainerProps, FargateService, FargateServiceProps,
    FargateTaskDefinition, FargateTaskDefinitionProps, SecretValue,
};
use rcdk_constructs::data::{RedisCluster, RedisClusterProps};
use rcdk_constructs::events::{RateUnit, Rule, RuleProps, Schedule, TargetOptions};
use rcdk_constructs::messaging::{Queue, QueueProps};
use rcdk_constructs::monitoring::{
    AlarmTopic, AlarmTopicProps, WorkerAlarms, WorkerThresholds, WorkerTier,
};
use rcdk_constructs::network::{Vpc, VpcProps};
use rcdk_constructs::units::Duration;
use rcdk_constructs::{posture, vars};

const SYNC: &str = "import os, boto3\ndef handler(event, context):\n    boto3.client('sqs').send_message(QueueUrl=os.environ['JOBS_QUEUE_URL'], MessageBody='sync')\n";

fn main() -> std::process::ExitCode {
    rcdk::run(|app: &App| {
        posture::enforce(app);
        let stack = Stack::new(
            app,
            "jobs",
            StackProps {
                env: Environment::new("123456789012", "us-east-1"),
                ..Default::default()
            },
        );
        let vpc = Vpc::new(&stack, "Vpc", VpcProps::public_and_private(2));

        let failed = Queue::new(&stack, "Failed", QueueProps::dead_letter());
        let jobs = Queue::new(
            &stack,
            "Jobs",
            QueueProps {
                visibility_timeout: Duration::minutes(5),
                ..QueueProps::default()
            },
        );
        jobs.dead_letter_queue(&failed, 5);
        let redis = RedisCluster::new(&stack, "Redis", RedisClusterProps::new(&vpc));

        let cluster = Cluster::new(&stack, "Cluster", ClusterProps::default());
        let task =
            FargateTaskDefinition::new(&stack, "Worker", FargateTaskDefinitionProps::default());
        task.add_container(
            "worker",
            ContainerProps {
                environment: vars! {
                    "JOBS_QUEUE_URL" => jobs.url(),
                    "REDIS_HOST" => redis.endpoint_address(),
                },
                secrets: [(
                    "REDIS_TOKEN".to_owned(),
                    SecretValue::whole(redis.auth_token().clone()),
                )]
                .into(),
                user: Some("1000:1000".into()),
                ..ContainerProps::new(ContainerImage::ecr("worker", "1.0.0"))
            },
        );
        let workers = FargateService::new(
            &stack,
            "Workers",
            FargateServiceProps::new(&cluster, &task, &vpc),
        );
        workers
            .auto_scale(1, 10)
            .scale_on_backlog_per_task(&jobs, 100);
        jobs.grant_consume(&workers);
        redis
            .connections()
            .allow_default_port_from(&workers, "Redis from the workers");

        let sync = Function::new(
            &stack,
            "Sync",
            FunctionProps {
                environment: vars! { "JOBS_QUEUE_URL" => jobs.url() },
                reserved_concurrency: Some(1),
                ..FunctionProps::new("python3.13", "index.handler", Code::Inline(SYNC.into()))
            },
        );
        jobs.grant_send(&sync);
        Rule::new(
            &stack,
            "Hourly",
            RuleProps::schedule(Schedule::rate(1, RateUnit::Hours)),
        )
        .add_function_target(&sync, TargetOptions::default());

        let topic = AlarmTopic::new(&stack, "Alarms", AlarmTopicProps::default());
        let tier = WorkerTier {
            queue: &jobs,
            dead_letter_queue: Some(&failed),
            service_tasks: Some(workers.metric_running_tasks()),
            functions: vec![&sync],
            redis: Some(&redis),
        };
        WorkerAlarms::new(
            &stack,
            "WorkerAlarms",
            tier,
            &WorkerThresholds::default(),
            &topic,
            None,
        );
        Tags::of(app).add("Project", "jobs");
        Ok(())
    })
}
