//! `{env}-workers-N`: extra background worker services (context `workers`), each with
//! its own queue, to show how an app with many services stays under CloudFormation's
//! 500 resources per stack. They run on the worker tier's cluster and image.
//!
//! Worker `k` (1-based) lives in stack `(k - 1) / WORKERS_PER_STACK + 1`: a function of
//! its name, never of how many workers there are, so adding worker 41 never moves
//! worker 3 (moving a resource between stacks would replace it).

use rcdk::App;
use rcdk_constructs::containers::{
    FargateService, FargateServiceProps, FargateTaskDefinition, FargateTaskDefinitionProps,
};
use rcdk_constructs::data::PostgresDatabase;
use rcdk_constructs::kms::Key;
use rcdk_constructs::messaging::{Queue, QueueEncryption, QueueProps};
use rcdk_constructs::network::Vpc;

use super::web::database_environment;
use super::workers::{Workers, worker_container};
use crate::config::EnvironmentConfig;
use crate::env_stack;

/// 9 resources per worker (its queue and queue policy among them): 50 workers fill a
/// stack to 450 (+ the logs key) of 500.
pub const WORKERS_PER_STACK: u32 = 50;

pub fn build(
    app: &App,
    env: &str,
    settings: &EnvironmentConfig,
    vpc: &Vpc,
    db: &dyn PostgresDatabase,
    tier: &Workers,
    count: u32,
) {
    let mut current: Option<(u32, rcdk::Stack, Key)> = None;
    for k in 1..=count {
        let shard = (k - 1) / WORKERS_PER_STACK + 1;
        if current.as_ref().is_none_or(|(s, _, _)| *s != shard) {
            let stack = env_stack(
                app,
                env,
                settings,
                &format!("workers-{shard}"),
                "Background worker services",
            );
            let key = super::logs_key(&stack, &format!("the worker logs of {env}"));
            current = Some((shard, stack, key));
        }
        let Some((_, stack, key)) = &current else {
            continue;
        };
        let id = format!("Worker{k}");
        let task = FargateTaskDefinition::new(
            stack,
            &format!("{id}Task"),
            FargateTaskDefinitionProps::default(),
        );
        // SQS-managed encryption: a key per worker would be 50 more keys per stack.
        let queue = Queue::new(
            stack,
            &format!("{id}Queue"),
            QueueProps {
                encryption: QueueEncryption::SqsManaged,
                ..QueueProps::default()
            },
        );
        let (mut environment, secrets) = database_environment(db);
        environment.insert("JOBS_QUEUE_URL".into(), queue.url());
        task.add_container(
            "worker",
            worker_container(
                settings,
                key,
                tier.image(&settings.workers.image),
                (environment, secrets),
                "worker --queue-url-from=JOBS_QUEUE_URL",
            ),
        );
        if settings.tracing_percent.is_some() {
            task.enable_tracing(&format!("{env}-worker"));
        }
        queue.grant_consume(task.task_role());
        db.grant_iam_connect(task.task_role());
        let service = FargateService::new(
            stack,
            &id,
            FargateServiceProps {
                // One group for every worker of the environment (the tier's): one
                // database rule, not one per worker (a group holds 60 inbound rules).
                security_group: Some(tier.security_group.clone()),
                ..FargateServiceProps::new(&tier.cluster, &task, vpc)
            },
        );
        service
            .auto_scale(1, 4)
            .scale_on_backlog_per_task(&queue, settings.workers.backlog_per_task);
    }
}
