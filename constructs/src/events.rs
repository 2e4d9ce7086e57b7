//! EventBridge rules: on a typed schedule (`cron(…)`/`rate(…)`, validated) or an event
//! pattern, with targets that get exactly the permissions they need — a [`Function`] (a
//! permission for this rule only), a [`Queue`] (its
//! queue policy and key admit this rule) or a Fargate task (a role that may run that task
//! definition on that cluster and pass its two roles) — each with a retry policy and a
//! dead-letter queue.
//!
//! ```
//! use rcdk::{App, Stack, StackProps};
//! use rcdk_constructs::events::{Rule, RuleProps, Schedule, TargetOptions};
//! use rcdk_constructs::messaging::{Queue, QueueProps};
//! let app = App::with_context(Default::default(), "cdk.out");
//! let stack = Stack::new(&app, "workers", StackProps::default());
//! let jobs = Queue::new(&stack, "Jobs", QueueProps::default());
//! let nightly = Rule::new(&stack, "Cleanup", RuleProps::schedule(Schedule::cron().minute(0).hour(4)));
//! nightly.add_queue_target(&jobs, TargetOptions::default());
//! assert_eq!(Schedule::from(Schedule::cron().minute(0).hour(4)).expression(), Ok("cron(0 4 * * ? *)"));
//! ```

use std::cell::RefCell;
use std::ops::Deref;
use std::rc::Rc;

use rcdk::{Expr, Scope};
use rcdk_l1::documents::EventPattern;
use rcdk_l1::events::rule::{
    AwsVpcConfiguration, DeadLetterConfig, EcsParameters, NetworkConfiguration, RetryPolicy, Target,
};
use rcdk_l1::events::{CfnRule, CfnRuleProps};

use rcdk_l1::lambda::{CfnPermission, CfnPermissionProps};

use crate::compute::Function;
use crate::containers::{Cluster, FargateTaskDefinition};
use crate::iam::{Operator, PolicyStatement, Principal, Role, RoleProps};
use crate::messaging::Queue;
use crate::monitoring::AlarmTopic;
use crate::units::{Duration, seconds_in};

/// When a scheduled rule fires. Build with [`Schedule::cron`] or [`Schedule::rate`];
/// a field out of range is kept as an error and reported by the rule that uses it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    expression: Result<String, String>,
}

/// The unit of a `rate(…)` schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateUnit {
    /// Minutes.
    Minutes,
    /// Hours.
    Hours,
    /// Days.
    Days,
}

impl Schedule {
    /// Every `n` minutes, hours or days.
    pub fn rate(n: u32, unit: RateUnit) -> Schedule {
        let word = match (unit, n) {
            (RateUnit::Minutes, 1) => "minute",
            (RateUnit::Minutes, _) => "minutes",
            (RateUnit::Hours, 1) => "hour",
            (RateUnit::Hours, _) => "hours",
            (RateUnit::Days, 1) => "day",
            (RateUnit::Days, _) => "days",
        };
        Schedule {
            expression: if n == 0 {
                Err("a rate of 0 never fires; give it at least 1".into())
            } else {
                Ok(format!("rate({n} {word})"))
            },
        }
    }

    /// A cron schedule in UTC; unset fields match every value.
    pub fn cron() -> Cron {
        Cron::default()
    }

    /// The expression EventBridge takes, or why there is none.
    pub fn expression(&self) -> Result<&str, &str> {
        self.expression.as_deref().map_err(String::as_str)
    }
}

/// The fields of a `cron(…)` schedule (UTC).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cron {
    minute: Option<u32>,
    hour: Option<u32>,
    day_of_month: Option<u32>,
    month: Option<u32>,
    /// 1 (Sunday) to 7 (Saturday).
    day_of_week: Option<u32>,
    year: Option<u32>,
}

impl Cron {
    /// At minute `m` (0–59).
    pub fn minute(mut self, m: u32) -> Self {
        self.minute = Some(m);
        self
    }
    /// At hour `h` (0–23, UTC).
    pub fn hour(mut self, h: u32) -> Self {
        self.hour = Some(h);
        self
    }
    /// On day `d` of the month (1–31).
    pub fn day_of_month(mut self, d: u32) -> Self {
        self.day_of_month = Some(d);
        self
    }
    /// In month `m` (1–12).
    pub fn month(mut self, m: u32) -> Self {
        self.month = Some(m);
        self
    }
    /// 1 (Sunday) to 7 (Saturday).
    pub fn day_of_week(mut self, d: u32) -> Self {
        self.day_of_week = Some(d);
        self
    }
    /// In year `y`.
    pub fn year(mut self, y: u32) -> Self {
        self.year = Some(y);
        self
    }
}

impl From<Cron> for Schedule {
    fn from(c: Cron) -> Schedule {
        let fields = [
            ("minute", c.minute, 0..=59),
            ("hour", c.hour, 0..=23),
            ("day_of_month", c.day_of_month, 1..=31),
            ("month", c.month, 1..=12),
            ("day_of_week", c.day_of_week, 1..=7),
            ("year", c.year, 1970..=2199),
        ];
        for (name, value, range) in &fields {
            if let Some(v) = value
                && !range.contains(v)
            {
                return Schedule {
                    expression: Err(format!(
                        "cron {name} is {v}; it takes {} to {}",
                        range.start(),
                        range.end()
                    )),
                };
            }
        }
        if c.day_of_month.is_some() && c.day_of_week.is_some() {
            return Schedule {
                expression: Err(
                    "a cron schedule takes a day of the month or a day of the week, not both"
                        .into(),
                ),
            };
        }
        let any = |v: Option<u32>| v.map_or_else(|| "*".to_owned(), |v| v.to_string());
        // EventBridge needs `?` in one of the two day fields.
        let (dom, dow) = match (c.day_of_month, c.day_of_week) {
            (_, Some(d)) => ("?".to_owned(), d.to_string()),
            (d, None) => (any(d), "?".to_owned()),
        };
        Schedule {
            expression: Ok(format!(
                "cron({} {} {dom} {} {dow} {})",
                any(c.minute),
                any(c.hour),
                any(c.month),
                any(c.year)
            )),
        }
    }
}

/// Settings of a [`Rule`]: a schedule or an event pattern.
#[derive(Debug, Clone, Default)]
pub struct RuleProps {
    /// When the rule fires (a schedule rule).
    pub schedule: Option<Schedule>,
    /// Which events match (an event rule).
    pub event_pattern: Option<EventPattern>,
    /// What the rule is for.
    pub description: Option<String>,
    /// Default: enabled.
    pub disabled: bool,
}

impl RuleProps {
    /// A rule on `schedule`.
    pub fn schedule(schedule: impl Into<Schedule>) -> RuleProps {
        RuleProps {
            schedule: Some(schedule.into()),
            ..RuleProps::default()
        }
    }

    /// A rule on events matching `pattern`.
    pub fn pattern(pattern: EventPattern) -> RuleProps {
        RuleProps {
            event_pattern: Some(pattern),
            ..RuleProps::default()
        }
    }
}

/// How EventBridge delivers to a target that fails.
#[derive(Debug, Clone)]
pub struct TargetOptions {
    /// Default: 3 (EventBridge's own default, 185, retries for a day).
    pub retry_attempts: u32,
    /// Events older than this are dropped (or sent to the dead-letter queue): 1 minute
    /// to 1 day, whole seconds. Default: 1 hour.
    pub max_event_age: Duration,
    /// Where undeliverable events go. Default: none.
    pub dead_letter_queue: Option<Queue>,
}

impl Default for TargetOptions {
    fn default() -> Self {
        TargetOptions {
            retry_attempts: 3,
            max_event_age: Duration::hours(1),
            dead_letter_queue: None,
        }
    }
}

/// Where a Fargate task target runs.
#[derive(Debug, Clone)]
pub struct TaskPlacement {
    /// Private subnets.
    pub subnets: Expr<Vec<String>>,
    /// Security groups of the task's network interfaces.
    pub security_groups: Vec<Expr<String>>,
}

/// An EventBridge rule.
#[derive(Debug, Clone)]
pub struct Rule {
    rule: CfnRule,
    targets: Rc<RefCell<usize>>,
}

impl Deref for Rule {
    type Target = CfnRule;
    fn deref(&self) -> &CfnRule {
        &self.rule
    }
}

/// EventBridge's limits: 0 to 185 retries, 60 s to 24 h of event age, 5 targets a rule.
const MAX_RETRIES: u32 = 185;
const MAX_TARGETS: usize = 5;

impl Rule {
    /// Adds the rule below `scope`; add targets with the `add_*_target` methods.
    pub fn new(scope: &Scope, id: &str, props: RuleProps) -> Rule {
        let schedule = props.schedule.as_ref().map(Schedule::expression);
        let rule = CfnRule::new(
            scope,
            id,
            CfnRuleProps {
                description: props.description.map(Into::into),
                schedule_expression: schedule.and_then(Result::ok).map(|e| e.to_owned().into()),
                event_pattern: props.event_pattern.clone(),
                state: Some(
                    if props.disabled {
                        "DISABLED"
                    } else {
                        "ENABLED"
                    }
                    .into(),
                ),
                ..Default::default()
            },
        );
        match (&props.schedule, &props.event_pattern) {
            (None, None) => rule.add_error(
                "a rule needs a schedule or an event pattern; use RuleProps::schedule or RuleProps::pattern",
            ),
            (Some(_), Some(_)) => rule.add_error(
                "a rule takes a schedule or an event pattern, not both; make two rules",
            ),
            _ => {}
        }
        if let Some(Err(why)) = schedule {
            rule.add_error(format!("schedule: {why}"));
        }
        Rule {
            rule,
            targets: Rc::default(),
        }
    }

    /// The rule's ARN.
    pub fn arn(&self) -> Expr<String> {
        self.rule.attr_arn()
    }

    fn add_target(&self, mut target: Target, opts: &TargetOptions) {
        let mut count = self.targets.borrow_mut();
        *count += 1;
        if *count > MAX_TARGETS {
            self.rule.add_error(format!(
                "a rule takes at most {MAX_TARGETS} targets; make another rule"
            ));
        }
        if opts.retry_attempts > MAX_RETRIES {
            self.rule.add_error(format!(
                "retry_attempts is {}; EventBridge retries 0 to {MAX_RETRIES} times",
                opts.retry_attempts
            ));
        }
        let max_age = seconds_in(&self.rule, "max_event_age", opts.max_event_age, 60, 86_400);
        target.retry_policy = Some(RetryPolicy {
            maximum_retry_attempts: Some(i64::from(opts.retry_attempts).into()),
            maximum_event_age_in_seconds: Some(max_age.into()),
        });
        if let Some(dlq) = &opts.dead_letter_queue {
            self.admit(dlq);
            target.dead_letter_config = Some(DeadLetterConfig {
                arn: Some(dlq.arn()),
            });
        }
        self.rule.update_props(|p: &mut CfnRuleProps| {
            p.targets.get_or_insert_with(Vec::new).push(target);
        });
    }

    /// Lets this rule send to `queue`: its queue policy admits this rule only, its key
    /// lets EventBridge of this account encrypt.
    fn admit(&self, queue: &Queue) {
        // One statement per rule; a policy's Sids must differ.
        let rule = crate::iam::sid_part(&self.rule.id());
        queue.add_to_resource_policy(
            PolicyStatement::allow()
                .sid(format!("EventBridgeSendsFor{rule}"))
                .principal(Principal::service("events.amazonaws.com"))
                .actions(["sqs:SendMessage"])
                .resource(queue.arn())
                .condition(Operator::ArnEquals, "aws:SourceArn", self.arn()),
        );
        // The key policy cannot name the rule: the rule names the queue, the queue the key.
        if let Some(key) = queue.key() {
            key.grant_service(
                PolicyStatement::allow()
                    .sid("EventBridgeEncrypts")
                    .principal(Principal::service("events.amazonaws.com"))
                    .actions(["kms:GenerateDataKey", "kms:Decrypt"])
                    .resource("*")
                    .from_this_account(),
            );
        }
    }

    /// The id of the next target (1-based).
    fn target_id(&self) -> String {
        format!("Target{}", *self.targets.borrow() + 1)
    }

    /// Sends each event to `queue`.
    pub fn add_queue_target(&self, queue: &Queue, opts: TargetOptions) {
        self.admit(queue);
        self.add_target(Target::new(queue.arn(), self.target_id()), &opts);
    }

    /// Publishes each event to `topic`: its policy and key admit EventBridge of this
    /// account.
    pub fn add_topic_target(&self, topic: &AlarmTopic, opts: TargetOptions) {
        topic.allow_publish_from("events.amazonaws.com", "EventBridgePublishes");
        self.add_target(Target::new(topic.arn(), self.target_id()), &opts);
    }

    /// Invokes `function` for each event; a resource policy lets this rule only invoke it.
    pub fn add_function_target(&self, function: &Function, opts: TargetOptions) {
        CfnPermission::new(
            &self.rule,
            &format!("{}Permission", self.target_id()),
            CfnPermissionProps {
                source_arn: Some(self.arn()),
                ..CfnPermissionProps::new(
                    "lambda:InvokeFunction",
                    function.arn(),
                    "events.amazonaws.com",
                )
            },
        );
        self.add_target(Target::new(function.arn(), self.target_id()), &opts);
    }

    /// Runs `task` on `cluster` (Fargate, no public IP) for each event, with a role that
    /// may run exactly that task definition there and pass its two roles.
    pub fn add_fargate_task_target(
        &self,
        cluster: &Cluster,
        task: &FargateTaskDefinition,
        placement: TaskPlacement,
        opts: TargetOptions,
    ) {
        let role = Role::new(
            &self.rule,
            &format!("{}Role", self.target_id()),
            RoleProps {
                description: Some(format!("Lets {} run its task", self.rule.path())),
                ..RoleProps::new(Principal::service("events.amazonaws.com"))
            },
        );
        role.add_to_policy(
            PolicyStatement::allow()
                .actions(["ecs:RunTask"])
                .resource(task.arn())
                .condition(Operator::ArnEquals, "ecs:cluster", cluster.arn()),
        );
        role.add_to_policy(
            PolicyStatement::allow()
                .actions(["iam:PassRole"])
                .resource(task.execution_role().arn())
                .resource(task.task_role().arn()),
        );
        let ecs = EcsParameters {
            launch_type: Some("FARGATE".into()),
            task_count: Some(1.into()),
            platform_version: Some("LATEST".into()),
            network_configuration: Some(NetworkConfiguration {
                aws_vpc_configuration: Some(AwsVpcConfiguration {
                    assign_public_ip: Some("DISABLED".into()),
                    security_groups: Some(Expr::unchecked(rcdk::Value::list(
                        placement.security_groups,
                    ))),
                    ..AwsVpcConfiguration::new(placement.subnets)
                }),
            }),
            ..EcsParameters::new(task.arn())
        };
        let target = Target {
            role_arn: Some(role.arn()),
            ecs_parameters: Some(ecs),
            ..Target::new(cluster.arn(), self.target_id())
        };
        self.add_target(target, &opts);
    }
}
