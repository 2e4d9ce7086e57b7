//! Target groups for IP targets (Fargate tasks).

use std::cell::RefCell;
use std::ops::Deref;
use std::rc::Rc;

use rcdk::{CfnResource, Expr, Scope};
use rcdk_l1::CfnTag;
use rcdk_l1::elasticloadbalancingv2::target_group::Matcher;
use rcdk_l1::elasticloadbalancingv2::{CfnTargetGroup, CfnTargetGroupProps};

use crate::network::Vpc;
use crate::units::{Duration, seconds};

/// How the load balancer decides a target is healthy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HealthCheck {
    /// Default: `/health`.
    pub path: String,
    /// 5 s to 5 min, whole seconds. Default: 15 s.
    pub interval: Duration,
    /// 2 s to 2 min, below the interval. Default: 5 s.
    pub timeout: Duration,
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
            interval: Duration::seconds(15),
            timeout: Duration::seconds(5),
            healthy_threshold: 2,
            unhealthy_threshold: 3,
            success_codes: "200-399".into(),
        }
    }
}

/// Settings of a [`TargetGroup`].
#[derive(Debug, Clone)]
pub struct TargetGroupProps {
    /// The VPC of the targets.
    pub vpc: Vpc,
    /// The port the targets listen on.
    pub port: u16,
    /// How targets are checked. Default: `/health` every 15 s.
    pub health_check: HealthCheck,
    /// How long a draining target keeps its connections, up to 1 h. Default: 30 s.
    pub deregistration_delay: Duration,
    /// Load-balancer cookie stickiness for this long, 1 s to 7 days. Default: off.
    pub stickiness: Option<Duration>,
    /// What registers: task IPs (Fargate, `awsvpc` mode) or instances on dynamic host
    /// ports (EC2 bridge mode). Default: IP.
    pub target_type: TargetType,
}

/// What a target group sends traffic to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TargetType {
    /// Task IP addresses (Fargate, `awsvpc`).
    #[default]
    Ip,
    /// Instances (EC2 bridge mode, dynamic host ports).
    Instance,
}

impl TargetGroupProps {
    /// A target group for targets on `port` in `vpc`, with the defaults.
    pub fn new(vpc: &Vpc, port: u16) -> TargetGroupProps {
        TargetGroupProps {
            vpc: vpc.clone(),
            port,
            health_check: HealthCheck::default(),
            deregistration_delay: Duration::seconds(30),
            stickiness: None,
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
    problems.extend(seconds("health_check.interval", h.interval, 5, 300).1);
    problems.extend(seconds("health_check.timeout", h.timeout, 2, 120).1);
    if h.timeout >= h.interval {
        problems.push(format!(
            "health_check.timeout {} must be below the interval {}",
            h.timeout, h.interval
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
    problems.extend(seconds("deregistration_delay", props.deregistration_delay, 0, 3600).1);
    if let Some(s) = props.stickiness {
        problems.extend(seconds("stickiness", s, 1, 604_800).1);
    }
    for p in problems {
        scope.add_error(p);
    }
}

impl TargetGroup {
    /// Adds the target group below `scope`.
    pub fn new(scope: &Scope, id: &str, props: TargetGroupProps) -> TargetGroup {
        validate(scope, &props);
        let h = &props.health_check;
        let mut attributes = vec![CfnTag::new(
            "deregistration_delay.timeout_seconds",
            props.deregistration_delay.truncated_seconds().to_string(),
        )];
        if let Some(s) = props.stickiness {
            attributes.push(CfnTag::new("stickiness.enabled", "true"));
            attributes.push(CfnTag::new("stickiness.type", "lb_cookie"));
            attributes.push(CfnTag::new(
                "stickiness.lb_cookie.duration_seconds",
                s.truncated_seconds().to_string(),
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
                health_check_interval_seconds: Some(h.interval.truncated_seconds().into()),
                health_check_timeout_seconds: Some(h.timeout.truncated_seconds().into()),
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

    /// The target group's ARN.
    pub fn arn(&self) -> Expr<String> {
        self.group.ref_()
    }

    /// `targetgroup/NAME/ID`, the `TargetGroup` metric dimension.
    pub fn full_name(&self) -> Expr<String> {
        self.group.attr_target_group_full_name()
    }

    /// The port the targets listen on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// What registers with the group.
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
