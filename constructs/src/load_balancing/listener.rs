//! Listeners (HTTPS, HTTP redirect) and their rules.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::ops::Deref;
use std::rc::Rc;

use rcdk::{CfnResource, Expr, Scope};
use rcdk_l1::elasticloadbalancingv2::listener::Certificate;
use rcdk_l1::elasticloadbalancingv2::listener_rule::{
    HostHeaderConfig, PathPatternConfig, RuleCondition as CfnCondition,
};
use rcdk_l1::elasticloadbalancingv2::{
    CfnListener, CfnListenerProps, CfnListenerRule, CfnListenerRuleProps,
};

use super::target_group::TargetGroup;
pub use crate::posture::is_modern_tls_policy;

/// A TLS 1.2+ policy with TLS 1.3 and forward-secret ciphers only.
pub const DEFAULT_SSL_POLICY: &str = "ELBSecurityPolicy-TLS13-1-2-2021-06";

/// What a listener or rule does with a request.
#[derive(Debug, Clone)]
pub enum ListenerAction {
    /// Send to this target group.
    Forward(TargetGroup),
    /// A fixed answer, e.g. 404 for unknown hosts.
    FixedResponse {
        /// The HTTP status (200–599).
        status_code: u16,
        /// `text/plain`, `application/json`, … of the body.
        content_type: String,
        /// The body, if any.
        body: Option<String>,
    },
    /// Redirect to the same URL over HTTPS (port 443), permanently.
    RedirectToHttps,
}

impl ListenerAction {
    /// A plain `404 Not Found`.
    pub fn not_found() -> ListenerAction {
        ListenerAction::FixedResponse {
            status_code: 404,
            content_type: "text/plain".into(),
            body: Some("Not found".into()),
        }
    }
}

/// The listener and listener-rule schemas have separate but identical action types.
macro_rules! cfn_action {
    ($($m:ident)::+, $action:expr) => {{
        use rcdk_l1::elasticloadbalancingv2::$($m)::+ as m;
        match $action {
            ListenerAction::Forward(tg) => m::Action {
                target_group_arn: Some(tg.arn()),
                ..m::Action::new("forward")
            },
            ListenerAction::FixedResponse { status_code, content_type, body } => m::Action {
                fixed_response_config: Some(m::FixedResponseConfig {
                    content_type: Some(content_type.as_str().into()),
                    message_body: body.as_deref().map(Into::into),
                    ..m::FixedResponseConfig::new(status_code.to_string())
                }),
                ..m::Action::new("fixed-response")
            },
            ListenerAction::RedirectToHttps => m::Action {
                redirect_config: Some(m::RedirectConfig {
                    protocol: Some("HTTPS".into()),
                    port: Some("443".into()),
                    ..m::RedirectConfig::new("HTTP_301")
                }),
                ..m::Action::new("redirect")
            },
        }
    }};
}

/// Settings of an HTTPS listener.
#[derive(Debug, Clone)]
pub struct HttpsListenerProps {
    /// ACM certificate. Required: a listener without one is an error.
    pub certificate_arn: Option<Expr<String>>,
    /// Default: [`DEFAULT_SSL_POLICY`].
    pub ssl_policy: String,
    /// Default: 443.
    pub port: u16,
    /// What requests no rule matches get. Default: 404.
    pub default_action: ListenerAction,
}

impl Default for HttpsListenerProps {
    fn default() -> Self {
        HttpsListenerProps {
            certificate_arn: None,
            ssl_policy: DEFAULT_SSL_POLICY.into(),
            port: 443,
            default_action: ListenerAction::not_found(),
        }
    }
}

/// A request property a rule matches on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuleCondition {
    /// Path patterns such as `/api/*` (up to five).
    PathPatterns(Vec<String>),
    /// Host names such as `api.example.com` (up to five).
    HostHeaders(Vec<String>),
}

/// Settings of a listener rule.
#[derive(Debug, Clone)]
pub struct ListenerRuleProps {
    /// 1 to 50000, unique per listener; lower runs first.
    pub priority: u32,
    /// Which requests match: all conditions must hold.
    pub conditions: Vec<RuleCondition>,
    /// What matching requests get.
    pub action: ListenerAction,
}

/// A listener; rules are added with [`Listener::add_rule`].
#[derive(Debug, Clone)]
pub struct Listener {
    listener: CfnListener,
    /// Priority → construct path of the rule that holds it.
    priorities: Rc<RefCell<BTreeMap<u32, String>>>,
}

impl Deref for Listener {
    type Target = CfnListener;
    fn deref(&self) -> &CfnListener {
        &self.listener
    }
}

fn route(action: &ListenerAction, resource: &CfnResource) {
    if let ListenerAction::Forward(tg) = action {
        tg.add_route(resource.clone());
    }
}

impl Listener {
    pub(super) fn https(
        scope: &Scope,
        id: &str,
        lb_arn: Expr<String>,
        props: HttpsListenerProps,
    ) -> Listener {
        if props.certificate_arn.is_none() {
            scope.add_error(format!(
                "{id}: an HTTPS listener needs certificate_arn (an ACM certificate in the stack's region)"
            ));
        }
        if !is_modern_tls_policy(&props.ssl_policy) {
            scope.add_error(format!(
                "{id}: ssl_policy '{}' allows TLS below 1.2; use {DEFAULT_SSL_POLICY} or another TLS 1.2+ policy",
                props.ssl_policy
            ));
        }
        let listener = CfnListener::new(
            scope,
            id,
            CfnListenerProps {
                port: Some(i64::from(props.port).into()),
                protocol: Some("HTTPS".into()),
                ssl_policy: Some(props.ssl_policy.as_str().into()),
                certificates: props.certificate_arn.map(|arn| {
                    vec![Certificate {
                        certificate_arn: Some(arn),
                    }]
                }),
                ..CfnListenerProps::new(vec![cfn_action!(listener, &props.default_action)], lb_arn)
            },
        );
        route(&props.default_action, &listener);
        Listener::wrap(listener)
    }

    pub(super) fn http(
        scope: &Scope,
        id: &str,
        lb_arn: Expr<String>,
        port: u16,
        action: ListenerAction,
    ) -> Listener {
        let listener = CfnListener::new(
            scope,
            id,
            CfnListenerProps {
                port: Some(i64::from(port).into()),
                protocol: Some("HTTP".into()),
                ..CfnListenerProps::new(vec![cfn_action!(listener, &action)], lb_arn)
            },
        );
        route(&action, &listener);
        Listener::wrap(listener)
    }

    fn wrap(listener: CfnListener) -> Listener {
        Listener {
            listener,
            priorities: Rc::default(),
        }
    }

    /// The listener's ARN.
    pub fn arn(&self) -> Expr<String> {
        self.listener.ref_()
    }

    /// Adds a rule below the listener. A priority used twice on one listener is an error.
    pub fn add_rule(&self, id: &str, props: ListenerRuleProps) -> CfnListenerRule {
        let scope: &Scope = &self.listener;
        let path = format!("{}/{id}", scope.path());
        if let Some(previous) = self.priorities.borrow().get(&props.priority) {
            scope.add_error(format!(
                "listener rule priority {} is used by both {previous} and {path}; give each rule its own priority",
                props.priority
            ));
        }
        self.priorities
            .borrow_mut()
            .entry(props.priority)
            .or_insert(path);
        if !(1..=50_000).contains(&props.priority) {
            scope.add_error(format!(
                "{id}: priority {} is out of range 1 to 50000",
                props.priority
            ));
        }
        if props.conditions.is_empty() {
            scope.add_error(format!(
                "{id}: a listener rule needs at least one condition"
            ));
        }
        let conditions = props
            .conditions
            .iter()
            .map(|c| match c {
                RuleCondition::PathPatterns(p) => CfnCondition {
                    field: Some("path-pattern".into()),
                    path_pattern_config: Some(PathPatternConfig {
                        values: Some(p.clone().into()),
                        ..Default::default()
                    }),
                    ..Default::default()
                },
                RuleCondition::HostHeaders(h) => CfnCondition {
                    field: Some("host-header".into()),
                    host_header_config: Some(HostHeaderConfig {
                        values: Some(h.clone().into()),
                        ..Default::default()
                    }),
                    ..Default::default()
                },
            })
            .collect();
        let rule = CfnListenerRule::new(
            scope,
            id,
            CfnListenerRuleProps {
                listener_arn: Some(self.arn()),
                ..CfnListenerRuleProps::new(
                    vec![cfn_action!(listener_rule, &props.action)],
                    conditions,
                    i64::from(props.priority),
                )
            },
        );
        route(&props.action, &rule);
        rule
    }
}

#[cfg(test)]
mod tests {
    use super::is_modern_tls_policy;

    #[test]
    fn tls_policies_below_1_2_are_not_modern() {
        for ok in [
            "ELBSecurityPolicy-TLS13-1-2-2021-06",
            "ELBSecurityPolicy-TLS13-1-3-2021-06",
            "ELBSecurityPolicy-TLS-1-2-Ext-2018-06",
            "ELBSecurityPolicy-FS-1-2-Res-2020-10",
        ] {
            assert!(is_modern_tls_policy(ok), "{ok}");
        }
        for old in [
            "ELBSecurityPolicy-2016-08",
            "ELBSecurityPolicy-TLS13-1-1-2021-06",
            "ELBSecurityPolicy-TLS-1-1-2017-01",
            "ELBSecurityPolicy-FS-2018-06",
        ] {
            assert!(!is_modern_tls_policy(old), "{old}");
        }
    }
}
