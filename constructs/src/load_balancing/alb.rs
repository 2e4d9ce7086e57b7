//! The Application Load Balancer.

use std::ops::Deref;

use rcdk::{Expr, Scope};
use rcdk_l1::CfnTag;
use rcdk_l1::elasticloadbalancingv2::{CfnLoadBalancer, CfnLoadBalancerProps};

use super::access_logs::{self, AccessLogsProps};
use super::listener::{HttpsListenerProps, Listener, ListenerAction};
use super::target_group::TargetGroup;
use crate::connections::{
    Connections, HasConnections, Peer, Port, SecurityGroup, SecurityGroupProps,
};
use crate::metrics::{Metric, Statistic};
use crate::network::{SubnetKind, Vpc};
use crate::storage::Bucket;
use crate::units::Duration;

/// Settings of an [`ApplicationLoadBalancer`]. `AlbProps::new(&vpc)` gives the
/// production defaults.
#[derive(Debug, Clone)]
pub struct AlbProps {
    /// The VPC whose public (internet-facing) or private subnets the load balancer uses.
    pub vpc: Vpc,
    /// Public subnets and a public DNS name, or private subnets. Default: true.
    pub internet_facing: bool,
    /// Default: true.
    pub deletion_protection: bool,
    /// 1 s to 4000 s, whole seconds. Default: 1 min.
    pub idle_timeout: Duration,
    /// Default: on, kept 90 days.
    pub access_logs: Option<AccessLogsProps>,
}

impl AlbProps {
    /// An internet-facing load balancer in `vpc` with the production defaults.
    pub fn new(vpc: &Vpc) -> AlbProps {
        AlbProps {
            vpc: vpc.clone(),
            internet_facing: true,
            deletion_protection: true,
            idle_timeout: Duration::minutes(1),
            access_logs: Some(AccessLogsProps::default()),
        }
    }
}

/// An Application Load Balancer with its own security group; listeners open it to
/// clients on their ports.
#[derive(Debug, Clone)]
pub struct ApplicationLoadBalancer {
    scope: Scope,
    lb: CfnLoadBalancer,
    security_group: SecurityGroup,
    clients: Peer,
    access_logs: Option<Bucket>,
}

impl Deref for ApplicationLoadBalancer {
    type Target = Scope;
    fn deref(&self) -> &Scope {
        &self.scope
    }
}

impl ApplicationLoadBalancer {
    /// Adds the load balancer, its security group and access-log bucket below `parent`.
    pub fn new(parent: &Scope, id: &str, props: AlbProps) -> ApplicationLoadBalancer {
        let scope = Scope::new(parent, id);
        crate::units::seconds_in(&scope, "idle_timeout", props.idle_timeout, 1, 4000);
        let subnets = if props.internet_facing {
            SubnetKind::Public
        } else {
            SubnetKind::PrivateWithEgress
        };
        if props.vpc.subnet_ids(subnets).len() < 2 {
            scope.add_error(format!(
                "an Application Load Balancer needs {subnets:?} subnets in at least two AZs; the VPC has {}",
                props.vpc.subnet_ids(subnets).len()
            ));
        }
        let security_group = SecurityGroup::new(
            &scope,
            "SecurityGroup",
            SecurityGroupProps::new(
                props.vpc.vpc_id(),
                &format!("Load balancer {}", scope.path()),
            ),
        );
        let access_logs = props
            .access_logs
            .as_ref()
            .and_then(|a| access_logs::bucket(&scope, a));
        let mut attributes = vec![
            CfnTag::new(
                "deletion_protection.enabled",
                props.deletion_protection.to_string(),
            ),
            CfnTag::new("routing.http.drop_invalid_header_fields.enabled", "true"),
            CfnTag::new(
                "idle_timeout.timeout_seconds",
                props.idle_timeout.truncated_seconds().to_string(),
            ),
        ];
        if let (Some(bucket), Some(a)) = (&access_logs, &props.access_logs) {
            attributes.push(CfnTag::new("access_logs.s3.enabled", "true"));
            attributes.push(CfnTag::new("access_logs.s3.bucket", bucket.name()));
            if let Some(prefix) = &a.prefix {
                attributes.push(CfnTag::new(
                    "access_logs.s3.prefix",
                    prefix.trim_end_matches('/'),
                ));
            }
        }
        let lb = CfnLoadBalancer::new(
            &scope,
            "Resource",
            CfnLoadBalancerProps {
                type_: Some("application".into()),
                scheme: Some(
                    if props.internet_facing {
                        "internet-facing"
                    } else {
                        "internal"
                    }
                    .into(),
                ),
                subnets: Some(Expr::unchecked(rcdk::Value::list(
                    props.vpc.subnet_ids(subnets),
                ))),
                security_groups: Some(vec![security_group.group_id()].into()),
                load_balancer_attributes: Some(attributes),
                ..Default::default()
            },
        );
        if let Some(bucket) = &access_logs {
            // Creating the load balancer checks that it may write to the bucket.
            lb.add_depends_on(bucket.policy());
        }
        let clients = if props.internet_facing {
            Peer::any_ipv4()
        } else {
            Peer::ipv4(props.vpc.cidr_block())
        };
        ApplicationLoadBalancer {
            scope,
            lb,
            security_group,
            clients,
            access_logs,
        }
    }

    /// An HTTPS listener, open to the load balancer's clients on its port.
    pub fn add_https_listener(&self, id: &str, props: HttpsListenerProps) -> Listener {
        self.open(props.port, "HTTPS");
        Listener::https(&self.scope, id, self.arn(), props)
    }

    /// Port 80, answering every request with a permanent redirect to HTTPS.
    pub fn add_http_redirect(&self, id: &str) -> Listener {
        self.open(80, "HTTP, redirected to HTTPS");
        if self.clients == Peer::any_ipv4() {
            crate::posture::waive_check(
                &self.security_group,
                &["CKV_AWS_260"],
                "Port 80 is open to the internet only for a listener that answers every request with a redirect to HTTPS",
            );
        }
        Listener::http(
            &self.scope,
            id,
            self.arn(),
            80,
            ListenerAction::RedirectToHttps,
        )
    }

    /// A plain HTTP listener. Only for internal load balancers; an internet-facing one
    /// serves HTTPS.
    pub fn add_http_listener(
        &self,
        id: &str,
        port: u16,
        default_action: ListenerAction,
    ) -> Listener {
        if self.clients == Peer::any_ipv4() {
            self.scope.add_error(format!(
                "{id}: an internet-facing load balancer serves HTTPS; use add_https_listener and add_http_redirect"
            ));
        }
        self.open(port, "HTTP");
        Listener::http(&self.scope, id, self.arn(), port, default_action)
    }

    fn open(&self, port: u16, what: &str) {
        self.security_group.connections().allow_from_peer(
            &self.clients,
            Port::tcp(port),
            &format!("{what} from clients"),
        );
        if self.clients == Peer::any_ipv4() {
            crate::posture::waive_check(
                &self.security_group,
                &["AwsSolutions-EC23"],
                "An internet-facing load balancer takes its clients' requests on its listener ports from anywhere by design; only those ports are open, and a WAF web ACL filters the requests",
            );
        }
    }

    /// The load balancer's ARN.
    pub fn arn(&self) -> Expr<String> {
        self.lb.ref_()
    }

    /// The hosted zone of the load balancer's DNS name (what an alias record names).
    pub fn canonical_hosted_zone_id(&self) -> Expr<String> {
        self.lb.attr_canonical_hosted_zone_id()
    }

    /// The load balancer's DNS name (what DNS records point at).
    pub fn dns_name(&self) -> Expr<String> {
        self.lb.attr_dns_name()
    }

    /// `app/NAME/ID`, the `LoadBalancer` metric dimension.
    pub fn full_name(&self) -> Expr<String> {
        self.lb.attr_load_balancer_full_name()
    }

    /// The `AWS::ElasticLoadBalancingV2::LoadBalancer` resource.
    pub fn resource(&self) -> &CfnLoadBalancer {
        &self.lb
    }

    /// The bucket receiving the access logs, if they are on.
    pub fn access_logs_bucket(&self) -> Option<&Bucket> {
        self.access_logs.as_ref()
    }

    /// Whether the load balancer faces the internet.
    pub fn is_internet_facing(&self) -> bool {
        self.clients == Peer::any_ipv4()
    }

    fn metric(&self, name: &str, statistic: Statistic) -> Metric {
        Metric::new(
            "AWS/ApplicationELB",
            name,
            vec![("LoadBalancer".into(), self.full_name())],
        )
        .with_statistic(statistic)
    }

    /// `RequestCount`, summed.
    pub fn metric_request_count(&self) -> Metric {
        self.metric("RequestCount", Statistic::Sum)
    }

    /// `HTTPCode_Target_5XX_Count`, summed: errors from the targets.
    pub fn metric_target_5xx(&self) -> Metric {
        self.metric("HTTPCode_Target_5XX_Count", Statistic::Sum)
    }

    /// `HTTPCode_Target_4XX_Count`, summed.
    pub fn metric_target_4xx(&self) -> Metric {
        self.metric("HTTPCode_Target_4XX_Count", Statistic::Sum)
    }

    /// `HTTPCode_ELB_5XX_Count`, summed: errors of the load balancer itself (no
    /// healthy target, timeouts).
    pub fn metric_elb_5xx(&self) -> Metric {
        self.metric("HTTPCode_ELB_5XX_Count", Statistic::Sum)
    }

    /// `TargetResponseTime` (seconds) at a percentile, e.g. 99.0 for p99.
    pub fn metric_target_response_time(&self, percentile: f64) -> Metric {
        self.metric("TargetResponseTime", Statistic::Percentile(percentile))
    }

    /// `UnHealthyHostCount` of one target group, maximum over the period.
    pub fn metric_unhealthy_hosts(&self, target_group: &TargetGroup) -> Metric {
        Metric::new(
            "AWS/ApplicationELB",
            "UnHealthyHostCount",
            vec![
                ("TargetGroup".into(), target_group.full_name()),
                ("LoadBalancer".into(), self.full_name()),
            ],
        )
        .with_statistic(Statistic::Maximum)
    }
}

impl HasConnections for ApplicationLoadBalancer {
    fn connections(&self) -> Connections {
        Connections::new(vec![self.security_group.clone()], None)
    }
}
