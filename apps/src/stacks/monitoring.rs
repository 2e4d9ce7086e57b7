//! `{env}-monitoring`: the alarm topic, the web tier's RED + saturation alarms, the
//! worker tier's queue, function and Redis alarms, and one dashboard for both.

use rcdk::App;
use rcdk_constructs::budgets::{Budget, BudgetFilter, BudgetProps};
use rcdk_constructs::data::{PostgresDatabase, PostgresReadReplica};
use rcdk_constructs::monitoring::{
    Alarm, AlarmProps, AlarmThresholds, AlarmTopic, AlarmTopicProps, CapacityAlarms, Comparison,
    Pager, PagerUrl, WebAlarms, WebTier, WorkerAlarms, WorkerThresholds, WorkerTier,
};
use rcdk_constructs::units::{Duration, Size};

use super::web::Web;
use super::workers::Workers;
use crate::config::{EnvironmentConfig, PagerConfig, PagerService};
use crate::env_stack;

/// The pager of the settings (checked by the configuration: a secret or a parameter).
fn pager(p: &PagerConfig) -> Pager {
    let url = match (&p.secret, &p.parameter) {
        (Some(name), _) => PagerUrl::Secret {
            name: name.clone(),
            json_key: p.json_key.clone(),
        },
        (None, parameter) => PagerUrl::Parameter(parameter.clone().unwrap_or_default()),
    };
    match p.service {
        PagerService::Pagerduty => Pager::PagerDuty(url),
        PagerService::Opsgenie => Pager::Opsgenie(url),
    }
}

pub fn build(
    app: &App,
    env: &str,
    settings: &EnvironmentConfig,
    db: &dyn PostgresDatabase,
    replica: Option<&PostgresReadReplica>,
    web: &Web,
    workers: &Workers,
) -> WebAlarms {
    let stack = env_stack(
        app,
        env,
        settings,
        "monitoring",
        "Alarms, notifications and the dashboard",
    );
    let topic = AlarmTopic::new(
        &stack,
        "AlarmTopic",
        AlarmTopicProps {
            emails: settings.alarms.emails.clone(),
            pagers: settings.alarms.pager.iter().map(pager).collect(),
            ..AlarmTopicProps::default()
        },
    );
    // The estimate (`rcdk cost`) prices the templates; the budget watches what is billed
    // to the environment's cost code, which every taggable resource carries.
    Budget::new(
        &stack,
        "Budget",
        BudgetProps {
            budget_name: Some(format!("{env}-monthly")),
            ..BudgetProps::new(
                settings.budget_usd,
                BudgetFilter::cost_tag("CostCode", &settings.cost_code),
                &topic,
            )
        },
    );
    let a = &settings.alarms;
    let thresholds = AlarmThresholds {
        latency_p99: Duration::millis((a.latency_p99_seconds * 1000.0).round() as u64),
        error_rate_percent: a.error_rate_percent,
        service_cpu_percent: a.service_cpu_percent,
        service_memory_percent: a.service_memory_percent,
        db_cpu_percent: a.db_cpu_percent,
        db_free_storage: Size::mebibytes((a.db_free_storage_gib * 1024.0).round() as u64),
        db_connections: a.db_connections,
        waf_blocked_requests: a.waf_blocked_requests,
        ..AlarmThresholds::default()
    };
    let tier = WebTier {
        load_balancer: &web.load_balancer,
        target_group: &web.target_group,
        service: web.service.as_ref(),
        database: db,
        web_acl: &web.web_acl,
    };
    let web_alarms = WebAlarms::new(&stack, "Web", tier, &thresholds, &topic);
    let worker_thresholds = WorkerThresholds {
        queue_depth: Some(a.queue_depth),
        // The setting is in (possibly fractional) minutes; durations are exact to the ms.
        oldest_job: Some(Duration::millis(
            (a.oldest_job_minutes * 60_000.0).round() as u64
        )),
        redis_cpu_percent: Some(a.redis_cpu_percent),
        redis_memory_percent: Some(a.redis_memory_percent),
        redis_evictions: Some(a.redis_evictions),
    };
    let worker_tier = WorkerTier {
        queue: &workers.jobs,
        dead_letter_queue: Some(&workers.dead_letters),
        service_tasks: Some(workers.service.metric_running_tasks()),
        functions: vec![&workers.sync],
        redis: Some(&workers.redis),
    };
    WorkerAlarms::new(
        &stack,
        "Workers",
        worker_tier,
        &worker_thresholds,
        &topic,
        Some(web_alarms.dashboard()),
    );
    // Services on EC2: their instances can fail to launch or run out.
    for (id, capacity) in [
        ("WebCapacity", &web.capacity),
        ("WorkerCapacity", &workers.capacity),
    ] {
        if let Some(capacity) = capacity {
            CapacityAlarms::new(
                &stack,
                id,
                capacity,
                CPU_RESERVATION_PERCENT,
                &topic,
                Some(web_alarms.dashboard()),
            );
        }
    }
    // A standby's replica: how much a promotion now would lose.
    if let Some(replica) = replica {
        let lag = Alarm::new(
            &stack,
            "ReplicaLag",
            AlarmProps {
                description: format!(
                    "The standby database of {env} is over {REPLICA_LAG_SECONDS} s behind its primary: a failover now loses that much data (the RPO). Look first at the primary's write load and the replica's CPU and I/O, then at the network between the regions."
                ),
                ..AlarmProps::new(
                    replica.metric_replica_lag(),
                    Comparison::GreaterThan,
                    REPLICA_LAG_SECONDS,
                )
            },
        );
        lag.notify(&topic);
    }
    web_alarms
}

/// Seconds of replica lag that alarm (what a promotion would lose).
const REPLICA_LAG_SECONDS: f64 = 60.0;

/// The cluster CPU reservation that alarms: above it the next task may not place.
const CPU_RESERVATION_PERCENT: f64 = 90.0;
