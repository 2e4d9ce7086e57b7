//! The alarms of a worker tier: the jobs queue (depth, oldest job), its dead-letter
//! queue (any message is a failed job), the worker service, its functions' errors, and
//! the Redis it uses (CPU, memory, evictions); each says what it means and where to look
//! first, notifies one topic, and appears on a dashboard.
//!
//! ```
//! use rcdk::{App, Stack, StackProps};
//! use rcdk_constructs::compute::{Code, Function, FunctionProps};
//! use rcdk_constructs::messaging::{Queue, QueueProps};
//! use rcdk_constructs::monitoring::*;
//! let app = App::with_context(Default::default(), "cdk.out");
//! let stack = Stack::new(&app, "workers", StackProps::default());
//! let jobs = Queue::new(&stack, "Jobs", QueueProps::default());
//! let failed = Queue::new(&stack, "Failed", QueueProps::dead_letter());
//! let sync = Function::new(&stack, "Sync",
//!     FunctionProps::new("python3.13", "index.handler", Code::Inline("def handler(e, c): pass".into())));
//! let topic = AlarmTopic::new(&stack, "Alarms", AlarmTopicProps::default());
//! let tier = WorkerTier { queue: &jobs, dead_letter_queue: Some(&failed), service_tasks: None, functions: vec![&sync], redis: None };
//! let alarms = WorkerAlarms::new(&stack, "Workers", tier, &WorkerThresholds::default(), &topic, None);
//! assert_eq!(alarms.alarms().len(), 4);
//! // Without the queue-depth alarm (the oldest job says enough for this tier):
//! let quieter = WorkerThresholds { queue_depth: None, ..WorkerThresholds::default() };
//! # let tier = WorkerTier { queue: &jobs, dead_letter_queue: Some(&failed), service_tasks: None, functions: vec![&sync], redis: None };
//! let alarms = WorkerAlarms::new(&stack, "Quieter", tier, &quieter, &topic, None);
//! assert_eq!(alarms.alarms().len(), 3);
//! ```

use rcdk::Scope;

use super::alarm::{Alarm, AlarmProps, Comparison, Severity};
use super::dashboard::{Dashboard, Widget};
use super::topic::AlarmTopic;
use crate::compute::Function;
use crate::data::RedisCluster;
use crate::messaging::Queue;
use crate::metrics::Metric;
use crate::units::Duration;

/// The watched parts of a worker tier.
#[derive(Debug, Clone)]
pub struct WorkerTier<'a> {
    /// The jobs queue.
    pub queue: &'a Queue,
    /// Where failed jobs go; any message there alarms. `None`: the queue has none.
    pub dead_letter_queue: Option<&'a Queue>,
    /// Running tasks of the service consuming the queue, Fargate or EC2
    /// (`service.metric_running_tasks()`), for the dashboard.
    pub service_tasks: Option<Metric>,
    /// Scheduled or event-driven functions of the tier.
    pub functions: Vec<&'a Function>,
    /// The cache the workers use, if any.
    pub redis: Option<&'a RedisCluster>,
}

/// Thresholds; tune them per environment. `None` turns that alarm off; start from the
/// defaults and change what differs: `WorkerThresholds { queue_depth: None, ..Default::default() }`.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkerThresholds {
    /// Jobs waiting. Default: 1000.
    pub queue_depth: Option<f64>,
    /// Age of the oldest waiting job. Default: 10 minutes.
    pub oldest_job: Option<Duration>,
    /// Redis engine CPU, percent. Default: 90.
    pub redis_cpu_percent: Option<f64>,
    /// Redis memory, percent. Default: 90.
    pub redis_memory_percent: Option<f64>,
    /// Keys evicted in five minutes. Default: 100.
    pub redis_evictions: Option<f64>,
}

impl Default for WorkerThresholds {
    fn default() -> Self {
        WorkerThresholds {
            queue_depth: Some(1000.0),
            oldest_job: Some(Duration::minutes(10)),
            redis_cpu_percent: Some(90.0),
            redis_memory_percent: Some(90.0),
            redis_evictions: Some(100.0),
        }
    }
}

/// The alarms of a worker tier.
#[derive(Debug, Clone)]
pub struct WorkerAlarms {
    alarms: Vec<Alarm>,
}

/// An alarm on one five-minute period: for counts where a single bad period matters.
fn at_once(props: AlarmProps) -> AlarmProps {
    AlarmProps {
        evaluation_periods: 1,
        datapoints_to_alarm: 1,
        ..props
    }
}

impl WorkerAlarms {
    /// The alarms, notifying `topic`; with a dashboard, a row of their states and one of
    /// graphs is added to it.
    pub fn new(
        parent: &Scope,
        id: &str,
        tier: WorkerTier<'_>,
        t: &WorkerThresholds,
        topic: &AlarmTopic,
        dashboard: Option<&Dashboard>,
    ) -> WorkerAlarms {
        let scope = Scope::new(parent, id);
        let mut specs: Vec<(String, AlarmProps)> = Vec::new();
        if let Some(depth) = t.queue_depth {
            specs.push((
                "QueueDepth".into(),
                AlarmProps {
                    description: format!(
                        "More than {depth} jobs wait in the queue: workers are down, at their maximum count or too slow. Look first at the worker service's running tasks and scaling activity, then at its logs for slow or failing jobs."
                    ),
                    ..AlarmProps::new(
                        tier.queue.metric_visible_messages(),
                        Comparison::GreaterThan,
                        depth,
                    )
                },
            ));
        }
        if let Some(oldest) = t.oldest_job {
            specs.push((
                "OldestJob".into(),
                AlarmProps {
                    // Users wait: page.
                    severity: Severity::Critical,
                    description: format!(
                        "A job has waited over {} minutes: users wait for its result. Look first at whether the workers receive at all (running tasks, errors in their logs), then at a job that keeps timing out and coming back.",
                        oldest.as_secs_f64() / 60.0
                    ),
                    ..AlarmProps::new(
                        tier.queue.metric_oldest_message_age(),
                        Comparison::GreaterThan,
                        oldest.as_secs_f64(),
                    )
                },
            ));
        }
        if let Some(dlq) = tier.dead_letter_queue {
            specs.push((
                "DeadLetters".into(),
                at_once(AlarmProps {
                    // Work was lost: page.
                    severity: Severity::Critical,
                    description: "A job failed every attempt and is in the dead-letter queue: its work was not done. Look first at the worker logs for the message id, fix the cause, then redrive the queue to the jobs queue from the SQS console.".into(),
                    ..AlarmProps::new(
                        dlq.metric_visible_messages(),
                        Comparison::GreaterThan,
                        0.0,
                    )
                }),
            ));
        }
        for function in &tier.functions {
            specs.push((
                format!("{}Errors", function.id()),
                at_once(AlarmProps {
                    description: format!(
                        "The function {} failed in the last five minutes. Look first at its log group's recent errors, then at throttles and its timeout.",
                        function.path()
                    ),
                    ..AlarmProps::new(
                        function.metric_errors().with_period(Duration::minutes(5)),
                        Comparison::GreaterThan,
                        0.0,
                    )
                }),
            ));
        }
        if let Some(redis) = tier.redis {
            if let Some(cpu) = t.redis_cpu_percent {
                specs.push((
                    "RedisCpu".into(),
                    AlarmProps {
                        description: format!(
                            "Redis engine CPU above {cpu}%: every command waits (Redis runs on one thread). Look first at the slow log, then at expensive commands (KEYS, large sorted sets) and the node type."
                        ),
                        ..AlarmProps::new(redis.metric_cpu(), Comparison::GreaterThan, cpu)
                    },
                ));
            }
            if let Some(memory) = t.redis_memory_percent {
                specs.push((
                    "RedisMemory".into(),
                    AlarmProps {
                        description: format!(
                            "Redis memory above {memory}%: it will evict keys or refuse writes. Look first at keys without a TTL and their growth, then at the node type."
                        ),
                        ..AlarmProps::new(redis.metric_memory(), Comparison::GreaterThan, memory)
                    },
                ));
            }
            if let Some(evictions) = t.redis_evictions {
                specs.push((
                    "RedisEvictions".into(),
                    at_once(AlarmProps {
                        description: format!(
                            "Redis evicted over {evictions} keys in five minutes: the cache is smaller than its working set, so hit rate falls and the database takes the load. Look first at memory use and TTLs, then size the node up."
                        ),
                        ..AlarmProps::new(
                            redis.metric_evictions().with_period(Duration::minutes(5)),
                            Comparison::GreaterThan,
                            evictions,
                        )
                    }),
                ));
            }
        }
        let alarms: Vec<Alarm> = specs
            .into_iter()
            .map(|(id, props)| {
                let alarm = Alarm::new(&scope, &id, props);
                alarm.notify(topic);
                alarm
            })
            .collect();
        if let Some(dashboard) = dashboard {
            let all: Vec<&Alarm> = alarms.iter().collect();
            dashboard.add_row(vec![Widget::alarm_status("Worker alarms", &all)]);
            let mut waiting = vec![tier.queue.metric_visible_messages().into()];
            waiting.extend(
                tier.dead_letter_queue
                    .map(|d| d.metric_visible_messages().into()),
            );
            let with_alarm = |w: Widget, threshold: Option<f64>| match threshold {
                Some(value) => w.with_threshold(value, "alarm"),
                None => w,
            };
            let mut graphs = vec![
                with_alarm(Widget::graph("Jobs waiting", waiting), t.queue_depth),
                with_alarm(
                    Widget::graph(
                        "Oldest job (s)",
                        vec![tier.queue.metric_oldest_message_age().into()],
                    ),
                    t.oldest_job.map(Duration::as_secs_f64),
                ),
            ];
            if let Some(tasks) = &tier.service_tasks {
                graphs.push(Widget::graph("Worker tasks", vec![tasks.clone().into()]));
            }
            dashboard.add_row(graphs);
            let mut second = Vec::new();
            if !tier.functions.is_empty() {
                second.push(Widget::graph(
                    "Function errors",
                    tier.functions
                        .iter()
                        .map(|f| f.metric_errors().into())
                        .collect(),
                ));
            }
            if let Some(redis) = tier.redis {
                second.push(Widget::graph(
                    "Redis CPU and memory (%)",
                    vec![redis.metric_cpu().into(), redis.metric_memory().into()],
                ));
                second.push(Widget::graph(
                    "Redis evictions",
                    vec![redis.metric_evictions().into()],
                ));
            }
            if !second.is_empty() {
                dashboard.add_row(second);
            }
        }
        WorkerAlarms { alarms }
    }

    /// The alarms.
    pub fn alarms(&self) -> &[Alarm] {
        &self.alarms
    }
}
