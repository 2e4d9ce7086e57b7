//! The SNS topic alarms notify: encrypted with a customer-managed key that CloudWatch
//! may use, and a topic policy that lets CloudWatch of this account publish. With pagers,
//! a second topic of the same kind delivers critical alarms to PagerDuty or Opsgenie
//! (their CloudWatch integrations' HTTPS endpoints, read from a secret or parameter at
//! deploy time, so the integration key is never in the template); warnings stay e-mail.

use std::ops::Deref;

use rcdk::{Expr, Scope, Value};
use rcdk_l1::sns::{
    CfnSubscription, CfnSubscriptionProps, CfnTopic, CfnTopicPolicy, CfnTopicPolicyProps,
    CfnTopicProps,
};

use crate::iam::{Operator, PolicyDocument, PolicyStatement, Principal};
use crate::kms::Key;

/// Where a pager's integration URL is kept (it holds the integration key: whoever has
/// it can open incidents), read by CloudFormation at deploy time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PagerUrl {
    /// A Secrets Manager secret's string, or one JSON key of it.
    Secret {
        /// The secret's name or ARN.
        name: String,
        /// The key of a JSON secret holding the URL; `None`: the whole string.
        json_key: Option<String>,
    },
    /// An SSM `String` parameter (CloudFormation reads no `SecureString` for SNS).
    Parameter(String),
}

/// An on-call service that critical alarms page through its CloudWatch (SNS) integration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pager {
    /// PagerDuty's Amazon CloudWatch integration
    /// (`https://events.pagerduty.com/integration/KEY/enqueue`): an alarm opens an
    /// incident, its return to OK resolves it.
    PagerDuty(PagerUrl),
    /// Opsgenie's Amazon CloudWatch integration
    /// (`https://api.opsgenie.com/v1/json/cloudwatch?apiKey=KEY`).
    Opsgenie(PagerUrl),
}

impl Pager {
    fn name(&self) -> &'static str {
        match self {
            Pager::PagerDuty(_) => "PagerDuty",
            Pager::Opsgenie(_) => "Opsgenie",
        }
    }

    fn url(&self) -> &PagerUrl {
        match self {
            Pager::PagerDuty(u) | Pager::Opsgenie(u) => u,
        }
    }

    /// The subscription endpoint: a dynamic reference, never the URL.
    fn endpoint(&self) -> Expr<String> {
        match self.url() {
            PagerUrl::Secret { name, json_key } => {
                let r = rcdk::expr::secrets_manager(name.as_str());
                match json_key {
                    Some(k) => r.json_key(k.as_str()).into(),
                    None => r.into(),
                }
            }
            PagerUrl::Parameter(name) => rcdk::expr::ssm(name.as_str(), None).into(),
        }
    }
}

/// Settings of an [`AlarmTopic`].
#[derive(Debug, Clone, Default)]
pub struct AlarmTopicProps {
    /// Default: the stack's shared key ([`Key::of_stack`]).
    pub key: Option<Key>,
    /// E-mail addresses to subscribe (each confirms by mail): every alarm.
    pub emails: Vec<String>,
    /// HTTPS endpoints to subscribe (a chat webhook), written into the template: every
    /// alarm. A pager's URL holds its key: give it in `pagers`.
    pub https_endpoints: Vec<String>,
    /// On-call services that critical alarms page (a second topic); warnings do not.
    pub pagers: Vec<Pager>,
}

/// An encrypted SNS topic for alarm notifications, and with pagers a paging topic for
/// critical alarms.
#[derive(Debug, Clone)]
pub struct AlarmTopic {
    topic: CfnTopic,
    policy: CfnTopicPolicy,
    key: Key,
    paging: Option<(CfnTopic, CfnTopicPolicy)>,
}

/// How SNS retries a pager that does not answer: for about 40 minutes, backing off to
/// a minute (SNS's default gives up after 3 tries in 20 seconds).
fn pager_delivery_policy() -> Value {
    Value::object([
        (
            "healthyRetryPolicy",
            Value::object([
                ("minDelayTarget", Value::from(1)),
                ("maxDelayTarget", Value::from(60)),
                ("numRetries", Value::from(50)),
                ("numNoDelayRetries", Value::from(3)),
                ("numMinDelayRetries", Value::from(2)),
                ("numMaxDelayRetries", Value::from(35)),
                ("backoffFunction", Value::from("exponential")),
            ]),
        ),
        (
            "throttlePolicy",
            Value::object([("maxReceivesPerSecond", Value::from(10))]),
        ),
    ])
}

/// An encrypted topic CloudWatch of this account may publish to, with its policy.
fn alarm_topic(
    scope: &Scope,
    id: &str,
    key: &Key,
    display_name: String,
) -> (CfnTopic, CfnTopicPolicy) {
    let topic = CfnTopic::new(
        scope,
        id,
        CfnTopicProps {
            kms_master_key_id: Some(key.arn()),
            display_name: Some(display_name.into()),
            ..Default::default()
        },
    );
    let arn = topic.ref_();
    let policy = PolicyDocument::new(vec![
        PolicyStatement::allow()
            .sid("CloudWatchAlarmsPublish")
            .principal(Principal::service("cloudwatch.amazonaws.com"))
            .actions(["sns:Publish"])
            .resource(arn.clone())
            .from_this_account(),
        PolicyStatement::deny()
            .sid("EnforceTls")
            .principal(Principal::Aws("*".into()))
            .actions(["sns:Publish"])
            .resource(arn.clone())
            .condition(Operator::Bool, "aws:SecureTransport", Value::from("false")),
    ]);
    let policy = CfnTopicPolicy::new(
        &topic,
        "Policy",
        CfnTopicPolicyProps::new(policy, vec![arn]),
    );
    (topic, policy)
}

impl Deref for AlarmTopic {
    type Target = CfnTopic;
    fn deref(&self) -> &CfnTopic {
        &self.topic
    }
}

impl AlarmTopic {
    /// Adds the topic, its policy and subscriptions below `scope`.
    pub fn new(scope: &Scope, id: &str, props: AlarmTopicProps) -> AlarmTopic {
        let key = props.key.clone().unwrap_or_else(|| Key::of_stack(scope));
        key.grant_service(
            PolicyStatement::allow()
                .sid("CloudWatchAlarmsPublish")
                .principal(Principal::service("cloudwatch.amazonaws.com"))
                .actions(["kms:Decrypt", "kms:GenerateDataKey"])
                .resource("*")
                .from_this_account(),
        );
        let (topic, policy) = alarm_topic(scope, id, &key, format!("Alarms of {}", scope.path()));
        let arn = topic.ref_();
        for (i, email) in props.emails.iter().enumerate() {
            if !email.contains('@') || email.contains(char::is_whitespace) {
                topic.add_error(format!("emails[{i}]: '{email}' is not an e-mail address"));
            }
            CfnSubscription::new(
                &topic,
                &format!("Email{}", i + 1),
                CfnSubscriptionProps {
                    endpoint: Some(email.as_str().into()),
                    ..CfnSubscriptionProps::new("email", arn.clone())
                },
            );
        }
        for (i, url) in props.https_endpoints.iter().enumerate() {
            if !url.starts_with("https://") {
                topic.add_error(format!(
                    "https_endpoints[{i}]: '{url}' must start with https://"
                ));
            }
            CfnSubscription::new(
                &topic,
                &format!("Https{}", i + 1),
                CfnSubscriptionProps {
                    endpoint: Some(url.as_str().into()),
                    ..CfnSubscriptionProps::new("https", arn.clone())
                },
            );
        }
        let paging = (!props.pagers.is_empty()).then(|| {
            let (paging, paging_policy) = alarm_topic(
                scope,
                &format!("{id}Paging"),
                &key,
                format!("Critical alarms of {} (pages)", scope.path()),
            );
            for (i, pager) in props.pagers.iter().enumerate() {
                let name = match pager.url() {
                    PagerUrl::Secret { name, .. } | PagerUrl::Parameter(name) => name,
                };
                if name.trim().is_empty() {
                    paging.add_error(format!(
                        "pagers[{i}]: name the secret or parameter that holds the {} integration URL",
                        pager.name()
                    ));
                } else if name.starts_with("https://") {
                    paging.add_error(format!(
                        "pagers[{i}]: '{name}' is the URL itself; put it in a secret or parameter and name that, so the integration key stays out of the template"
                    ));
                }
                CfnSubscription::new(
                    &paging,
                    &format!("{}{}", pager.name(), i + 1),
                    CfnSubscriptionProps {
                        endpoint: Some(pager.endpoint()),
                        delivery_policy: Some(pager_delivery_policy()),
                        ..CfnSubscriptionProps::new("https", paging.ref_())
                    },
                );
            }
            (paging, paging_policy)
        });
        AlarmTopic {
            topic,
            policy,
            key,
            paging,
        }
    }

    /// The topic's ARN (every alarm notifies it).
    pub fn arn(&self) -> Expr<String> {
        self.topic.ref_()
    }

    /// The paging topic's ARN, when the topic has pagers (critical alarms notify it too).
    pub fn paging_arn(&self) -> Option<Expr<String>> {
        self.paging.as_ref().map(|(t, _)| t.ref_())
    }

    /// Lets `service` (e.g. `budgets.amazonaws.com`) of this account publish: the topic
    /// policy admits it and the key lets it encrypt. `sid` names both statements.
    pub fn allow_publish_from(&self, service: &str, sid: &str) {
        let arn = self.arn();
        self.policy.update_props(|p: &mut CfnTopicPolicyProps| {
            p.policy_document.add_statement(
                PolicyStatement::allow()
                    .sid(sid)
                    .principal(Principal::service(service))
                    .actions(["sns:Publish"])
                    .resource(arn)
                    .from_this_account(),
            );
        });
        self.key.grant_service(
            PolicyStatement::allow()
                .sid(sid)
                .principal(Principal::service(service))
                .actions(["kms:Decrypt", "kms:GenerateDataKey"])
                .resource("*")
                .from_this_account(),
        );
    }
}
