//! The load-balancing family: an Application Load Balancer with its security group,
//! access logs, listeners, rules and target groups.
//!
//! ```
//! use rcdk::{App, Environment, Stack, StackProps};
//! use rcdk_constructs::load_balancing::*;
//! use rcdk_constructs::network::{Vpc, VpcProps};
//! let app = App::with_context(Default::default(), "cdk.out");
//! let env = Environment::new("123456789012", "us-east-1");
//! let stack = Stack::new(&app, "web", StackProps { env, ..Default::default() });
//! let vpc = Vpc::new(&stack, "Vpc", VpcProps::default());
//! let alb = ApplicationLoadBalancer::new(&stack, "Alb", AlbProps::new(&vpc));
//! let web = TargetGroup::new(&stack, "Web", TargetGroupProps::new(&vpc, 8080));
//! let https = alb.add_https_listener("Https", HttpsListenerProps {
//!     certificate_arn: Some("arn:aws:acm:us-east-1:123456789012:certificate/abc".into()),
//!     ..HttpsListenerProps::default()
//! });
//! alb.add_http_redirect("Http");
//! https.add_rule("Api", ListenerRuleProps {
//!     priority: 10,
//!     conditions: vec![RuleCondition::PathPatterns(vec!["/api/*".into()])],
//!     action: ListenerAction::Forward(web.clone()),
//! });
//! ```

mod access_logs;
mod alb;
mod listener;
mod target_group;

pub use access_logs::AccessLogsProps;
pub use alb::{AlbProps, ApplicationLoadBalancer};
pub use listener::{
    DEFAULT_SSL_POLICY, HttpsListenerProps, Listener, ListenerAction, ListenerRuleProps,
    RuleCondition, is_modern_tls_policy,
};
pub use target_group::{HealthCheck, TargetGroup, TargetGroupProps, TargetType};
