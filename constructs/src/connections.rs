//! Security groups and the rules between them.
//!
//! Every construct that has network traffic exposes [`Connections`]. Rules between two
//! security groups are separate `SecurityGroupIngress`/`Egress` resources that
//! synthesis places in whichever of the two stacks adds no dependency cycle, so
//! `db.connections().allow_default_port_from(&service, "…")` works when the service and
//! the database live in different stacks, whichever stack reads the other.
//!
//! ```
//! use rcdk::{App, Stack, StackProps, Expr};
//! use rcdk_constructs::connections::{Port, SecurityGroup, SecurityGroupProps, HasConnections};
//! let app = App::with_context(Default::default(), "cdk.out");
//! let stack = Stack::new(&app, "s", StackProps::default());
//! let vpc_id: Expr<String> = "vpc-123".into();
//! let db = SecurityGroup::new(&stack, "Db", SecurityGroupProps::new(vpc_id.clone(), "Database"));
//! let app_sg = SecurityGroup::new(&stack, "App", SecurityGroupProps::new(vpc_id, "App tasks"));
//! db.connections().allow_from(&app_sg, Port::tcp(5432), "Postgres from the app");
//! ```

use std::ops::Deref;

use rcdk::{CfnResource, Expr, Scope, Stack, ToValue};
use rcdk_l1::ec2::security_group::{Egress, Ingress};
use rcdk_l1::ec2::{
    CfnSecurityGroup, CfnSecurityGroupEgress, CfnSecurityGroupEgressProps, CfnSecurityGroupIngress,
    CfnSecurityGroupIngressProps, CfnSecurityGroupProps,
};

/// A protocol and port range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Port {
    protocol: &'static str,
    from: Option<i64>,
    to: Option<i64>,
}

impl Port {
    /// One TCP port.
    pub fn tcp(port: u16) -> Port {
        Port {
            protocol: "tcp",
            from: Some(i64::from(port)),
            to: Some(i64::from(port)),
        }
    }

    /// TCP ports `from` to `to`, both included.
    pub fn tcp_range(from: u16, to: u16) -> Port {
        Port {
            protocol: "tcp",
            from: Some(i64::from(from)),
            to: Some(i64::from(to)),
        }
    }

    /// One UDP port.
    pub fn udp(port: u16) -> Port {
        Port {
            protocol: "udp",
            from: Some(i64::from(port)),
            to: Some(i64::from(port)),
        }
    }

    /// Every TCP port (0–65535).
    pub fn all_tcp() -> Port {
        Port::tcp_range(0, 65535)
    }

    /// Every protocol and port.
    pub fn all_traffic() -> Port {
        Port {
            protocol: "-1",
            from: None,
            to: None,
        }
    }

    /// `ip_protocol`, `from_port`, `to_port` as CloudFormation takes them.
    fn parts(&self) -> (&'static str, Option<Expr<i64>>, Option<Expr<i64>>) {
        (
            self.protocol,
            self.from.map(Into::into),
            self.to.map(Into::into),
        )
    }

    /// A short label for rule ids: `Tcp5432`, `Tcp0To65535`, `All`.
    fn label(&self) -> String {
        let proto = match self.protocol {
            "tcp" => "Tcp",
            "udp" => "Udp",
            _ => "All",
        };
        match (self.from, self.to) {
            (Some(a), Some(b)) if a == b => format!("{proto}{a}"),
            (Some(a), Some(b)) => format!("{proto}{a}To{b}"),
            _ => proto.to_owned(),
        }
    }

    /// `tcp 5432`, for descriptions and messages.
    pub fn describe(&self) -> String {
        match (self.from, self.to) {
            (Some(a), Some(b)) if a == b => format!("{} {a}", self.protocol),
            (Some(a), Some(b)) => format!("{} {a}-{b}", self.protocol),
            _ => "all traffic".to_owned(),
        }
    }
}

/// A network address range that is not a security group.
#[derive(Debug, Clone, PartialEq)]
pub enum Peer {
    /// An IPv4 CIDR block (`10.0.0.0/16`).
    Ipv4(Expr<String>),
    /// An IPv6 CIDR block.
    Ipv6(Expr<String>),
    /// A managed prefix list (`pl-…`), e.g. an AWS service's addresses.
    PrefixList(Expr<String>),
}

impl Peer {
    /// An IPv4 CIDR block.
    pub fn ipv4(cidr: impl Into<Expr<String>>) -> Peer {
        Peer::Ipv4(cidr.into())
    }

    /// Anywhere on the IPv4 internet (`0.0.0.0/0`); the posture refuses it for ingress
    /// but HTTPS to a load balancer.
    pub fn any_ipv4() -> Peer {
        Peer::Ipv4("0.0.0.0/0".into())
    }

    /// An IPv6 CIDR block.
    pub fn ipv6(cidr: impl Into<Expr<String>>) -> Peer {
        Peer::Ipv6(cidr.into())
    }

    /// Anywhere on the IPv6 internet (`::/0`).
    pub fn any_ipv6() -> Peer {
        Peer::Ipv6("::/0".into())
    }
}

/// Settings of a [`SecurityGroup`].
#[derive(Debug, Clone)]
pub struct SecurityGroupProps {
    /// The VPC the group belongs to.
    pub vpc_id: Expr<String>,
    /// What the group protects; it appears in the console and cannot change without
    /// replacing the group.
    pub description: String,
    /// Allow all outbound traffic. Default: false: outbound rules are added by
    /// [`Connections::allow_to`] as they are needed.
    pub allow_all_outbound: bool,
}

impl SecurityGroupProps {
    /// A group in `vpc_id` with no rules: nothing in, nothing out until connections add
    /// them.
    pub fn new(vpc_id: impl Into<Expr<String>>, description: &str) -> SecurityGroupProps {
        SecurityGroupProps {
            vpc_id: vpc_id.into(),
            description: description.to_owned(),
            allow_all_outbound: false,
        }
    }
}

/// A security group. Without `allow_all_outbound` it starts with no outbound access.
#[derive(Debug, Clone)]
pub struct SecurityGroup {
    group: CfnSecurityGroup,
    allow_all_outbound: bool,
}

impl Deref for SecurityGroup {
    type Target = CfnSecurityGroup;
    fn deref(&self) -> &CfnSecurityGroup {
        &self.group
    }
}

/// CloudFormation opens all outbound traffic when a group lists no egress rule; this
/// rule matches nothing (as the AWS CDK does) so that the group starts closed.
fn deny_all_egress() -> Egress {
    Egress {
        cidr_ip: Some("255.255.255.255/32".into()),
        description: Some("Disallow all traffic".into()),
        from_port: Some(252.into()),
        to_port: Some(86.into()),
        ..Egress::new("icmp")
    }
}

impl SecurityGroup {
    /// Adds the group below `scope`.
    pub fn new(scope: &Scope, id: &str, props: SecurityGroupProps) -> SecurityGroup {
        let egress = if props.allow_all_outbound {
            Egress {
                cidr_ip: Some("0.0.0.0/0".into()),
                description: Some("Allow all outbound traffic".into()),
                ..Egress::new("-1")
            }
        } else {
            deny_all_egress()
        };
        let group = CfnSecurityGroup::new(
            scope,
            id,
            CfnSecurityGroupProps {
                vpc_id: Some(props.vpc_id),
                security_group_egress: Some(vec![egress]),
                ..CfnSecurityGroupProps::new(props.description)
            },
        );
        SecurityGroup {
            group,
            allow_all_outbound: props.allow_all_outbound,
        }
    }

    /// The group's id (`sg-…`), what rules and resources refer to.
    pub fn group_id(&self) -> Expr<String> {
        self.group.attr_group_id()
    }

    /// A group whose only egress is HTTPS (AWS APIs, image registries, through NAT)
    /// plus what its connections add (the database's port, the cache's): what tasks
    /// and container instances need, instead of all traffic everywhere.
    pub fn https_egress(
        scope: &Scope,
        id: &str,
        vpc_id: impl Into<Expr<String>>,
        description: &str,
    ) -> SecurityGroup {
        let group = SecurityGroup::new(scope, id, SecurityGroupProps::new(vpc_id, description));
        group.add_inline_egress(
            &Peer::any_ipv4(),
            &Port::tcp(443),
            "HTTPS to AWS APIs and registries (through NAT)",
        );
        group
    }

    /// The group's logical id (its path below the stack), to name rule ids after.
    fn rule_name(&self, stack: &Stack) -> String {
        let stack_path = stack.path();
        let path = self.group.path();
        let relative = path.strip_prefix(&stack_path).unwrap_or(&path);
        let components: Vec<&str> = relative.split('/').filter(|c| !c.is_empty()).collect();
        rcdk::naming::from_components(&components)
    }

    fn add_inline_ingress(&self, peer: &Peer, port: &Port, description: &str) {
        let (protocol, from, to) = port.parts();
        let mut rule = Ingress {
            description: Some(description.into()),
            from_port: from,
            to_port: to,
            ..Ingress::new(protocol)
        };
        match peer {
            Peer::Ipv4(c) => rule.cidr_ip = Some(c.clone()),
            Peer::Ipv6(c) => rule.cidr_ipv6 = Some(c.clone()),
            Peer::PrefixList(p) => rule.source_prefix_list_id = Some(p.clone()),
        }
        self.group.update_props(|p: &mut CfnSecurityGroupProps| {
            let rules = p.security_group_ingress.get_or_insert_with(Vec::new);
            if !contains(rules, &rule) {
                rules.push(rule);
            }
        });
    }

    /// An egress rule to another security group's members (the interface endpoints').
    pub(crate) fn add_egress_to_group(
        &self,
        group_id: Expr<String>,
        port: &Port,
        description: &str,
    ) {
        if self.allow_all_outbound {
            return;
        }
        let (protocol, from, to) = port.parts();
        self.push_egress(Egress {
            description: Some(description.into()),
            from_port: from,
            to_port: to,
            destination_security_group_id: Some(group_id),
            ..Egress::new(protocol)
        });
    }

    pub(crate) fn add_inline_egress(&self, peer: &Peer, port: &Port, description: &str) {
        if self.allow_all_outbound {
            return;
        }
        let (protocol, from, to) = port.parts();
        let mut rule = Egress {
            description: Some(description.into()),
            from_port: from,
            to_port: to,
            ..Egress::new(protocol)
        };
        match peer {
            Peer::Ipv4(c) => rule.cidr_ip = Some(c.clone()),
            Peer::Ipv6(c) => rule.cidr_ipv6 = Some(c.clone()),
            Peer::PrefixList(p) => rule.destination_prefix_list_id = Some(p.clone()),
        }
        self.push_egress(rule);
    }

    /// Adds an egress rule once, replacing the deny-all placeholder.
    fn push_egress(&self, rule: Egress) {
        self.group.update_props(|p: &mut CfnSecurityGroupProps| {
            let rules = p.security_group_egress.get_or_insert_with(Vec::new);
            let deny_all = deny_all_egress().to_value();
            rules.retain(|r| r.to_value() != deny_all);
            if !contains(rules, &rule) {
                rules.push(rule);
            }
        });
    }
}

/// The security groups of a construct and the port it listens on.
#[derive(Debug, Clone)]
pub struct Connections {
    groups: Vec<SecurityGroup>,
    default_port: Option<Port>,
}

/// Constructs with network traffic.
pub trait HasConnections {
    /// The groups that guard the construct and its default port.
    fn connections(&self) -> Connections;
}

impl HasConnections for SecurityGroup {
    fn connections(&self) -> Connections {
        Connections::new(vec![self.clone()], None)
    }
}

impl HasConnections for Connections {
    fn connections(&self) -> Connections {
        self.clone()
    }
}

/// Creates the rule below the first stack, or synthesis moves it to the second when that
/// is the one that adds no cycle. Calling it twice for the same rule adds it once.
fn floating_rule(
    first: &Stack,
    second: &Stack,
    id: &str,
    type_name: &str,
    props: impl rcdk::ResourceProps,
) {
    if first.find_child(id).is_some() || second.find_child(id).is_some() {
        return;
    }
    if first == second {
        CfnResource::new(first, id, type_name, props);
    } else {
        CfnResource::new_floating(&[first, second], id, type_name, props);
    }
}

impl Connections {
    /// `groups` guarding a construct that listens on `default_port`.
    pub fn new(groups: Vec<SecurityGroup>, default_port: Option<Port>) -> Connections {
        Connections {
            groups,
            default_port,
        }
    }

    /// The groups that rules are added to.
    pub fn security_groups(&self) -> &[SecurityGroup] {
        &self.groups
    }

    /// The port peers reach by default (`allow_default_port_from`), if the construct has one.
    pub fn default_port(&self) -> Option<&Port> {
        self.default_port.as_ref()
    }

    /// Lets `other` reach these groups on `port` (ingress here, egress there).
    pub fn allow_from(&self, other: &impl HasConnections, port: Port, description: &str) {
        let other = other.connections();
        for target in &self.groups {
            for source in &other.groups {
                // A group outside any stack is already an error synthesis reports.
                let (Some(target_stack), Some(source_stack)) = (target.stack(), source.stack())
                else {
                    continue;
                };
                let ingress = CfnSecurityGroupIngressProps {
                    group_id: Some(target.group_id()),
                    source_security_group_id: Some(source.group_id()),
                    description: Some(description.into()),
                    from_port: port.parts().1,
                    to_port: port.parts().2,
                    ..CfnSecurityGroupIngressProps::new(port.protocol)
                };
                let id = format!(
                    "{}From{}{}",
                    target.rule_name(&target_stack),
                    source.rule_name(&source_stack),
                    port.label()
                );
                floating_rule(
                    &target_stack,
                    &source_stack,
                    &id,
                    CfnSecurityGroupIngress::TYPE_NAME,
                    ingress,
                );
                if !source.allow_all_outbound {
                    let egress = CfnSecurityGroupEgressProps {
                        description: Some(description.into()),
                        destination_security_group_id: Some(target.group_id()),
                        from_port: port.parts().1,
                        to_port: port.parts().2,
                        ..CfnSecurityGroupEgressProps::new(source.group_id(), port.protocol)
                    };
                    let id = format!(
                        "{}To{}{}",
                        source.rule_name(&source_stack),
                        target.rule_name(&target_stack),
                        port.label()
                    );
                    floating_rule(
                        &source_stack,
                        &target_stack,
                        &id,
                        CfnSecurityGroupEgress::TYPE_NAME,
                        egress,
                    );
                }
            }
        }
    }

    /// Lets these groups reach `other` on `port`.
    pub fn allow_to(&self, other: &impl HasConnections, port: Port, description: &str) {
        other.connections().allow_from(self, port, description);
    }

    /// Lets `other` reach these groups on their default port.
    pub fn allow_default_port_from(&self, other: &impl HasConnections, description: &str) {
        match &self.default_port {
            Some(port) => self.allow_from(other, port.clone(), description),
            None => {
                for g in &self.groups {
                    g.add_error("allow_default_port_from: this construct has no default port; use allow_from with a Port");
                }
            }
        }
    }

    /// Lets these groups reach `other` on the other's default port.
    pub fn allow_to_default_port(&self, other: &impl HasConnections, description: &str) {
        other
            .connections()
            .allow_default_port_from(self, description);
    }

    /// Lets an address range reach these groups on `port`.
    pub fn allow_from_peer(&self, peer: &Peer, port: Port, description: &str) {
        for g in &self.groups {
            g.add_inline_ingress(peer, &port, description);
        }
    }

    /// Lets these groups reach an address range on `port`.
    pub fn allow_to_peer(&self, peer: &Peer, port: Port, description: &str) {
        for g in &self.groups {
            g.add_inline_egress(peer, &port, description);
        }
    }
}

/// Whether `rules` holds a rule that renders the same as `rule` (generated L1 types
/// compare by their template value).
fn contains<T: ToValue>(rules: &[T], rule: &T) -> bool {
    let wanted = rule.to_value();
    rules.iter().any(|r| r.to_value() == wanted)
}
