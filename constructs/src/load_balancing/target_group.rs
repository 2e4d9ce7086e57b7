//! Target groups for IP targets (Fargate tasks).

use std::cell::RefCell;
use std::ops::Deref;
use std::rc::Rc;

use rcdk::{CfnResource, Expr, Scope};
use rcdk_l1::CfnTag;
use rcdk_l1::elasticloadbalancingv2::target_group::Matcher;
use rcdk_l1::elasticloadbalancingv2::{CfnTargetGroup, CfnTargetGroupProps};

use crate::network::Vpc;

/// How the load balancer decides a target is healthy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HealthCheck {
    /// Default: `/health`.
    pub path: String,
    /// 5 to 300. Default: 15.
    pub interval_seconds: u32,
    /// 2 to 120, below the interval. Default: 5.
    pub timeout_seconds: u32,
    /// 2 to 10. Default: 2.
    pub healthy_threshold: u32,
    /// 2 to 10. Default: 3.
    pub unhealthy_threshold: u32,
    /// HTTP codes that mean healthy. Default: `200-399`.
    pub success_codes: String,
}

impl Default for HealthCheck {
    fn default() -> Self {
        HealthCheck {
            path: "/health".into(),
            interval_seconds: 15,
            timeout_seconds: 5,
            healthy_threshold: 2,
            unhealthy_threshold: 3,
            success_codes: "200-399".into(),
        }
    }
}

/// Settings of a [`TargetGroup`].
#[derive(Debug, Clone)]
pub struct TargetGroupProps {
    pub vpc: Vpc,
    /// The port the targets listen on.
    pub port: u16,
    pub health_check: HealthCheck,
    /// Seconds a draining target keeps its connections, 0 to 3600. Default: 30.
    pub deregistration_delay_seconds: u32,
    /// Load-balancer cookie stickiness for this many seconds. Default: off.
    pub stickiness_seconds: Option<u32>,
    /// What registers: task IPs (Fargate, `awsvpc` mode) or instances on dynamic host
    /// ports (EC2 bridge mode). Default: IP.
    pub target_type: TargetType,
}

/// What a target group sends traffic to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TargetType {
    #[default]
    Ip,
    Instance,
}

impl TargetGroupProps {
    pub fn new(vpc: &Vpc, port: u16) -> TargetGroupProps {
        TargetGroupProps {
            vpc: vpc.clone(),
            port,
            health_check: HealthCheck::default(),
            deregistration_delay_seconds: 30,
            stickiness_seconds: None,
            target_type: TargetType::Ip,
        }
    }
}

/// An HTTP target group of IP or instance targets.
#[derive(Debug, Clone)]
pub struct TargetGroup {
    group: CfnTargetGroup,
    port: u16,
    target_type: TargetType,
    /// Listeners and rules that forward here: a service must wait for them.
    routes: Rc<RefCell<Vec<CfnResource>>>,
}

impl Deref for TargetGroup {
    type Target = CfnTargetGroup;
    fn deref(&self) -> &CfnTargetGroup {
        &self.group
    }
}

fn validate(scope: &Scope, props: &TargetGroupProps) {
    let h = &props.health_check;
    let mut problems = Vec::new();
    if !(5..=300).contains(&h.interval_seconds) {
        problems.push(format!(
            "health_check.interval_seconds {} is out of range 5 to 300",
            h.interval_seconds
        ));
    }
    if !(2..=120).contains(&h.timeout_seconds) || h.timeout_seconds >= h.interval_seconds {
        problems.push(format!(
            "health_check.timeout_seconds {} must be 2 to 120 and below interval_seconds {}",
            h.timeout_seconds, h.interval_seconds
        ));
    }
    for (name, v) in [
        ("healthy_threshold", h.healthy_threshold),
        ("unhealthy_threshold", h.unhealthy_threshold),
    ] {
        if !(2..=10).contains(&v) {
            problems.push(format!("health_check.{name} {v} is out of range 2 to 10"));
        }
    }
    if !h.path.starts_with('/') {
        problems.push(format!(
            "health_check.path '{}' must start with '/'",
            h.path
        ));
    }
    if props.deregistration_delay_seconds > 3600 {
        problems.push(format!(
            "deregistration_delay_seconds {} is out of range 0 to 3600",
            props.deregistration_delay_seconds
        ));
    }
    if let Some(s) = props.stickiness_seconds {
        if !(1..=604_800).contains(&s) {
            problems.push(format!(
                "stickiness_seconds {s} is out of range 1 to 604800 (7 days)"
            ));
        }
    }
    for p in problems {
        scope.add_error(p);
    }
}

impl TargetGroup {
    pub fn new(scope: &Scope, id: &str, props: TargetGroupProps) -> TargetGroup {
        validate(scope, &props);
        let h = &props.health_check;
        let mut attributes = vec![CfnTag::new(
            "deregistration_delay.timeout_seconds",
            props.deregistration_delay_seconds.to_string(),
        )];
        if let Some(s) = props.stickiness_seconds {
            attributes.push(CfnTag::new("stickiness.enabled", "true"));
            attributes.push(CfnTag::new("stickiness.type", "lb_cookie"));
            attributes.push(CfnTag::new(
                "stickiness.lb_cookie.duration_seconds",
                s.to_string(),
            ));
        }
        let group = CfnTargetGroup::new(
            scope,
            id,
            CfnTargetGroupProps {
                vpc_id: Some(props.vpc.vpc_id()),
                port: Some(i64::from(props.port).into()),
                protocol: Some("HTTP".into()),
                target_type: Some(
                    match props.target_type {
                        TargetType::Ip => "ip",
                        TargetType::Instance => "instance",
                    }
                    .into(),
                ),
                health_check_enabled: Some(true.into()),
                health_check_path: Some(h.path.as_str().into()),
                health_check_protocol: Some("HTTP".into()),
                // Instance targets listen on dynamic host ports: check the port traffic
                // goes to, not the group's.
                health_check_port: (props.target_type == TargetType::Instance)
                    .then(|| "traffic-port".into()),
                health_check_interval_seconds: Some(i64::from(h.interval_seconds).into()),
                health_check_timeout_seconds: Some(i64::from(h.timeout_seconds).into()),
                healthy_threshold_count: Some(i64::from(h.healthy_threshold).into()),
                unhealthy_threshold_count: Some(i64::from(h.unhealthy_threshold).into()),
                matcher: Some(Matcher {
                    http_code: Some(h.success_codes.as_str().into()),
                    ..Default::default()
                }),
                target_group_attributes: Some(attributes),
                ..Default::default()
            },
        );
        TargetGroup {
            group,
            port: props.port,
            target_type: props.target_type,
            routes: Rc::default(),
        }
    }

    pub fn arn(&self) -> Expr<String> {
        self.group.ref_()
    }

    /// `targetgroup/NAME/ID`, the `TargetGroup` metric dimension.
    pub fn full_name(&self) -> Expr<String> {
        self.group.attr_target_group_full_name()
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn target_type(&self) -> TargetType {
        self.target_type
    }

    pub(super) fn add_route(&self, route: CfnResource) {
        self.routes.borrow_mut().push(route);
    }

    /// Listeners and listener rules that forward to this group.
    pub fn routes(&self) -> Vec<CfnResource> {
        self.routes.borrow().clone()
    }
}
