//! SQS queues with secure defaults: encrypted with a customer-managed key (or SQS-managed
//! keys, by choice), a queue policy that refuses requests without TLS, dead-letter queues
//! wired with a typed redrive policy and the dead-letter queue's redrive-allow policy,
//! `grant_*` for roles, and the metrics a worker tier alarms on.
//!
//! ```
//! use rcdk::{App, Stack, StackProps};
//! use rcdk_constructs::messaging::{Queue, QueueProps};
//! use rcdk_constructs::units::Duration;
//! let app = App::with_context(Default::default(), "cdk.out");
//! let stack = Stack::new(&app, "workers", StackProps::default());
//! let dlq = Queue::new(&stack, "JobsDlq", QueueProps::dead_letter());
//! let jobs = Queue::new(&stack, "Jobs", QueueProps {
//!     visibility_timeout: Duration::minutes(2),
//!     ..QueueProps::default()
//! });
//! jobs.dead_letter_queue(&dlq, 5);
//! # let _ = (jobs.metric_visible_messages(), dlq.metric_visible_messages());
//! ```

use std::cell::RefCell;
use std::ops::Deref;
use std::rc::Rc;

use rcdk::{AspectPriority, Aspects, Expr, RemovalPolicy, Scope, Value};
use rcdk_l1::documents::{RedriveAllowPolicy, RedrivePolicy};
use rcdk_l1::sqs::{CfnQueue, CfnQueuePolicy, CfnQueuePolicyProps, CfnQueueProps};

use crate::iam::{Grantable, Operator, PolicyDocument, PolicyStatement, Principal, Role};
use crate::kms::{Key, KeyProps};
use crate::metrics::{Metric, Statistic};
use crate::units::{Duration, seconds};

/// How a queue's messages are encrypted at rest.
#[derive(Debug, Clone, Default)]
pub enum QueueEncryption {
    /// The stack's shared customer-managed key ([`Key::of_stack`]). Default.
    #[default]
    StackKey,
    /// A customer-managed key of the queue's own.
    NewKey,
    /// This customer-managed key.
    Key(Key),
    /// Keys SQS owns and manages (no KMS charges, no key policy to manage).
    SqsManaged,
}

/// Settings of a [`Queue`].
#[derive(Debug, Clone)]
pub struct QueueProps {
    /// Default: the stack's shared customer-managed key.
    pub encryption: QueueEncryption,
    /// How long SQS keeps a message: 1 minute to 14 days, whole seconds. Default: 4
    /// days ([`QueueProps::dead_letter`]: 14).
    pub retention: Duration,
    /// How long a received message stays hidden from other consumers; set it above the
    /// consumer's processing time (for a Lambda consumer, at least 6× its timeout). Up to
    /// 12 hours, whole seconds. Default: 30 s.
    pub visibility_timeout: Duration,
    /// A FIFO queue (exactly-once, ordered per message group). Default: false.
    pub fifo: bool,
    /// FIFO only: deduplicate by a hash of the body. Default: false.
    pub content_based_deduplication: bool,
    /// Long polling: how long a receive waits for a message, 0 to 20 s. Default: 20 s
    /// (fewer empty receives, lower cost).
    pub receive_wait: Duration,
    /// Default: `Destroy` for a work queue (messages are transient); `Retain` for a
    /// dead-letter queue ([`QueueProps::dead_letter`]): deleting or replacing the stack
    /// must not throw away the failed messages someone has to look at.
    pub removal_policy: RemovalPolicy,
    /// A fixed queue name (`.fifo` is appended for FIFO queues). Default: none, CloudFormation
    /// generates one. A named source queue can be the only one allowed to use its
    /// dead-letter queue (see [`Queue::dead_letter_queue`]); a named queue cannot be
    /// replaced in place.
    pub queue_name: Option<String>,
    /// A dead-letter queue (set by [`QueueProps::dead_letter`]): no SQS queue may
    /// redrive into it until [`Queue::dead_letter_queue`] names one; services (EventBridge,
    /// Lambda) send to it through its policy. Default: false.
    pub is_dead_letter_queue: bool,
}

const HOUR: u64 = 3600;
const DAY: u64 = 24 * HOUR;

impl Default for QueueProps {
    fn default() -> Self {
        QueueProps {
            encryption: QueueEncryption::StackKey,
            retention: Duration::days(4),
            visibility_timeout: Duration::seconds(30),
            fifo: false,
            content_based_deduplication: false,
            receive_wait: Duration::seconds(20),
            removal_policy: RemovalPolicy::Destroy,
            queue_name: None,
            is_dead_letter_queue: false,
        }
    }
}

impl QueueProps {
    /// A dead-letter queue: the longest retention (14 days), to inspect and redrive, and
    /// kept when its stack is deleted or it is replaced.
    pub fn dead_letter() -> QueueProps {
        QueueProps {
            retention: Duration::days(14),
            is_dead_letter_queue: true,
            removal_policy: RemovalPolicy::Retain,
            ..QueueProps::default()
        }
    }
}

/// An SQS queue.
#[derive(Debug, Clone)]
pub struct Queue {
    queue: CfnQueue,
    policy: CfnQueuePolicy,
    key: Option<Key>,
    fifo: bool,
    visibility_timeout: Duration,
    /// The queue's ARN built from its name, when it has a fixed one: other queues can
    /// name it without a reference (a reference back would be a dependency cycle).
    named_arn: Option<Expr<String>>,
    /// Dead-letter queue only: the ARNs of named source queues, or `None` once an unnamed
    /// queue uses it.
    sources: Rc<RefCell<Option<Vec<Expr<String>>>>>,
}

impl Deref for Queue {
    type Target = CfnQueue;
    fn deref(&self) -> &CfnQueue {
        &self.queue
    }
}

impl Queue {
    /// Adds the queue and its policy below `scope`.
    pub fn new(scope: &Scope, id: &str, props: QueueProps) -> Queue {
        let key = match props.encryption {
            QueueEncryption::NewKey => Some(Key::new(
                scope,
                &format!("{id}Key"),
                KeyProps {
                    description: Some(format!("Encrypts the queue {}/{id}", scope.path())),
                    ..KeyProps::default()
                },
            )),
            QueueEncryption::Key(k) => Some(k),
            QueueEncryption::StackKey => Some(Key::of_stack(scope)),
            QueueEncryption::SqsManaged => None,
        };
        let full_name = props.queue_name.as_ref().map(|n| {
            if props.fifo && !n.ends_with(".fifo") {
                format!("{n}.fifo")
            } else {
                n.clone()
            }
        });
        let named_arn = full_name.as_ref().map(|n| {
            scope.aws().sub(format!(
                "arn:${{AWS::Partition}}:sqs:${{AWS::Region}}:${{AWS::AccountId}}:{n}"
            ))
        });
        let (retention, retention_problem) = seconds("retention", props.retention, 60, 14 * DAY);
        let (visibility, visibility_problem) =
            seconds("visibility_timeout", props.visibility_timeout, 0, 12 * HOUR);
        let (receive_wait, wait_problem) = seconds("receive_wait", props.receive_wait, 0, 20);
        let queue = CfnQueue::new(
            scope,
            id,
            CfnQueueProps {
                kms_master_key_id: key.as_ref().map(Key::arn),
                kms_data_key_reuse_period_seconds: key.as_ref().map(|_| 300.into()),
                sqs_managed_sse_enabled: key.is_none().then(|| true.into()),
                message_retention_period: Some(retention.into()),
                visibility_timeout: Some(visibility.into()),
                receive_message_wait_time_seconds: Some(receive_wait.into()),
                fifo_queue: props.fifo.then(|| true.into()),
                queue_name: full_name.clone().map(Into::into),
                content_based_deduplication: (props.fifo && props.content_based_deduplication)
                    .then(|| true.into()),
                redrive_allow_policy: props
                    .is_dead_letter_queue
                    .then_some(RedriveAllowPolicy::DenyAll),
                ..Default::default()
            },
        );
        queue.apply_removal_policy(props.removal_policy);
        for problem in [retention_problem, visibility_problem, wait_problem]
            .into_iter()
            .flatten()
        {
            queue.add_error(problem);
        }
        if let Some(n) = &full_name {
            let valid = n.len() <= 80
                && n.trim_end_matches(".fifo")
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            if !valid {
                queue.add_error(format!(
                    "queue_name '{n}' is not a queue name: up to 80 letters, digits, '-' and '_' (plus .fifo)"
                ));
            }
        }
        if props.content_based_deduplication && !props.fifo {
            queue.add_error("content_based_deduplication needs a FIFO queue; set fifo: true");
        }
        // Refuse requests that are not over TLS (the AWS Foundational control SQS.3's
        // companion and cfn_nag's expectation).
        let tls_only = PolicyStatement::deny()
            .sid("DenyInsecureTransport")
            .principal(Principal::Anyone)
            .actions(["sqs:*"])
            .resource(queue.attr_arn())
            .condition(Operator::Bool, "aws:SecureTransport", Value::from("false"));
        let policy = CfnQueuePolicy::new(
            &queue,
            "Policy",
            CfnQueuePolicyProps::new(PolicyDocument::new(vec![tls_only]), vec![queue.ref_()]),
        );
        if !props.is_dead_letter_queue {
            // A work queue with no dead-letter queue named by synthesis time.
            crate::posture::waive_check_by_default_if(
                &queue,
                &["sqs_dlq_check"],
                "No dead-letter queue was given (Queue::dead_letter_queue): a message that keeps failing is received again until the queue's retention drops it",
                |q| q.properties().get_path(&["RedrivePolicy"]).is_none(),
            );
        }
        if props.is_dead_letter_queue {
            // Decided at synthesis: a queue named as an SQS dead-letter queue later
            // admits its sources and needs no waiver.
            let resource = queue.clone();
            Aspects::of(&queue).add_with_priority(
                move |node: &Scope| {
                    let deny_all = resource
                        .properties()
                        .get_path(&["RedriveAllowPolicy", "redrivePermission"])
                        .and_then(Value::as_str)
                        == Some("denyAll");
                    if *node == **resource && deny_all {
                        crate::posture::waive_check(
                            &resource,
                            &["sqs_dlq_check"],
                            "A dead-letter queue that services (EventBridge, Lambda) send to, not SQS queues: its redrive-allow policy admits no SQS source; the rule reads denyAll as a work queue's",
                        );
                    }
                },
                AspectPriority::MUTATING,
            );
        }
        Queue {
            queue,
            policy,
            key,
            fifo: props.fifo,
            visibility_timeout: props.visibility_timeout,
            named_arn,
            sources: Rc::new(RefCell::new(Some(Vec::new()))),
        }
    }

    /// Sends messages that fail `max_receive_count` receives to `dlq`. When every queue
    /// that uses `dlq` has a fixed name, `dlq`'s redrive-allow policy admits exactly those
    /// queues; a queue with a generated name can only be named by a reference, and a
    /// reference back from the dead-letter queue would be a dependency cycle, so then the
    /// policy stays SQS's default (any queue of the account and region).
    pub fn dead_letter_queue(&self, dlq: &Queue, max_receive_count: u32) {
        if !(1..=1000).contains(&max_receive_count) {
            self.queue.add_error(format!(
                "max_receive_count is {max_receive_count}; SQS takes 1 to 1000"
            ));
        }
        if self.fifo != dlq.fifo {
            self.queue.add_error(format!(
                "the dead-letter queue '{}' must be {} like this queue",
                dlq.queue.path(),
                if self.fifo { "FIFO" } else { "standard" }
            ));
        }
        let policy = RedrivePolicy::new(dlq.arn(), i64::from(max_receive_count));
        self.queue
            .update_props(|p: &mut CfnQueueProps| p.redrive_policy = Some(policy));
        let mut sources = dlq.sources.borrow_mut();
        let allowed = match (&mut *sources, &self.named_arn) {
            (Some(list), Some(arn)) => {
                if !list.contains(arn) {
                    list.push(arn.clone());
                }
                Some(RedriveAllowPolicy::ByQueue(list.clone()))
            }
            // SQS's default, said in the template: scanners read a dead-letter queue by
            // its redrive-allow policy.
            _ => {
                *sources = None;
                Some(RedriveAllowPolicy::AllowAll)
            }
        };
        dlq.queue
            .update_props(|p: &mut CfnQueueProps| p.redrive_allow_policy = allowed);
    }

    /// How long a received message stays hidden (for checks against a consumer's timeout).
    pub fn visibility_timeout(&self) -> Duration {
        self.visibility_timeout
    }

    /// The queue's ARN.
    pub fn arn(&self) -> Expr<String> {
        self.queue.attr_arn()
    }

    /// Adds a statement to the queue policy (for a service that sends to the queue).
    pub fn add_to_resource_policy(&self, statement: PolicyStatement) {
        self.policy
            .update_props(|p: &mut CfnQueuePolicyProps| p.policy_document.add_statement(statement));
    }

    /// The queue's URL (what producers and consumers call).
    pub fn url(&self) -> Expr<String> {
        self.queue.ref_()
    }

    /// The queue's name.
    pub fn name(&self) -> Expr<String> {
        self.queue.attr_queue_name()
    }

    /// The customer-managed key, when the queue has one.
    pub fn key(&self) -> Option<&Key> {
        self.key.as_ref()
    }

    fn grant(&self, role: &Role, actions: &[&str], key_actions: &[&str]) {
        role.add_to_policy(
            PolicyStatement::allow()
                .actions(actions.iter().copied())
                .resource(self.arn()),
        );
        if let Some(key) = self.key.as_ref().filter(|_| !key_actions.is_empty()) {
            role.add_to_policy(
                PolicyStatement::allow()
                    .actions(key_actions.iter().copied())
                    .resource(key.arn()),
            );
        }
    }

    /// Lets `role` send messages (and encrypt them with the queue's key).
    pub fn grant_send(&self, grantee: &(impl Grantable + ?Sized)) {
        let role = grantee.grant_role();
        self.grant(
            role,
            &[
                "sqs:SendMessage",
                "sqs:GetQueueAttributes",
                "sqs:GetQueueUrl",
            ],
            &["kms:GenerateDataKey", "kms:Decrypt"],
        );
    }

    /// Lets `role` receive, delete and extend the visibility of messages.
    pub fn grant_consume(&self, grantee: &(impl Grantable + ?Sized)) {
        let role = grantee.grant_role();
        self.grant(
            role,
            &[
                "sqs:ReceiveMessage",
                "sqs:DeleteMessage",
                "sqs:ChangeMessageVisibility",
                "sqs:GetQueueAttributes",
                "sqs:GetQueueUrl",
            ],
            &["kms:Decrypt"],
        );
    }

    /// Lets `role` delete every message in the queue.
    pub fn grant_purge(&self, grantee: &(impl Grantable + ?Sized)) {
        let role = grantee.grant_role();
        self.grant(
            role,
            &[
                "sqs:PurgeQueue",
                "sqs:GetQueueAttributes",
                "sqs:GetQueueUrl",
            ],
            &[],
        );
    }

    fn metric(&self, name: &str) -> Metric {
        Metric::new("AWS/SQS", name, vec![("QueueName".into(), self.name())])
            .with_statistic(Statistic::Maximum)
    }

    /// Messages waiting to be received (`ApproximateNumberOfMessagesVisible`, maximum per
    /// minute); on a dead-letter queue this is its depth: the messages that failed.
    pub fn metric_visible_messages(&self) -> Metric {
        self.metric("ApproximateNumberOfMessagesVisible")
    }

    /// Age of the oldest waiting message, in seconds (`ApproximateAgeOfOldestMessage`).
    pub fn metric_oldest_message_age(&self) -> Metric {
        self.metric("ApproximateAgeOfOldestMessage")
    }
}
