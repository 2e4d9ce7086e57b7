//! The SNS topic alarms notify: encrypted with a customer-managed key that CloudWatch
//! may use, and a topic policy that lets CloudWatch of this account publish.

use std::ops::Deref;

use rcdk::{Expr, Scope, Value};
use rcdk_l1::sns::{
    CfnSubscription, CfnSubscriptionProps, CfnTopic, CfnTopicPolicy, CfnTopicPolicyProps,
    CfnTopicProps,
};

use crate::iam::{Operator, PolicyDocument, PolicyStatement, Principal};
use crate::kms::Key;

/// Settings of an [`AlarmTopic`].
#[derive(Debug, Clone, Default)]
pub struct AlarmTopicProps {
    /// Default: the stack's shared key ([`Key::of_stack`]).
    pub key: Option<Key>,
    /// E-mail addresses to subscribe (each confirms by mail).
    pub emails: Vec<String>,
    /// HTTPS endpoints to subscribe (a pager or chat webhook).
    pub https_endpoints: Vec<String>,
}

/// An encrypted SNS topic for alarm notifications.
#[derive(Debug, Clone)]
pub struct AlarmTopic {
    topic: CfnTopic,
    policy: CfnTopicPolicy,
    key: Key,
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
                .actions(["kms:Decrypt", "kms:GenerateDataKey*"])
                .resource("*")
                .from_this_account(),
        );
        let topic = CfnTopic::new(
            scope,
            id,
            CfnTopicProps {
                kms_master_key_id: Some(key.arn()),
                display_name: Some(format!("Alarms of {}", scope.path()).into()),
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
            CfnTopicPolicyProps::new(policy, vec![arn.clone()]),
        );
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
        AlarmTopic { topic, policy, key }
    }

    /// The topic's ARN.
    pub fn arn(&self) -> Expr<String> {
        self.topic.ref_()
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
                .actions(["kms:Decrypt", "kms:GenerateDataKey*"])
                .resource("*")
                .from_this_account(),
        );
    }
}
