//! WAFv2 web ACLs for regional resources (load balancers): AWS managed rule groups,
//! per-IP rate limits, geo blocking, IP sets, custom block responses, metrics on
//! every rule, and logging.
//!
//! ```
//! use rcdk::{App, Stack, StackProps};
//! use rcdk_constructs::waf::{AwsManagedRuleGroup, IpSetAction, WebAcl, WebAclProps};
//! let app = App::with_context(Default::default(), "cdk.out");
//! let stack = Stack::new(&app, "web", StackProps::default());
//! let acl = WebAcl::new(&stack, "WebAcl", WebAclProps::default());
//! acl.add_managed_rule_group(AwsManagedRuleGroup::CommonRuleSet, &["SizeRestrictions_BODY"]);
//! acl.add_managed_rule_group(AwsManagedRuleGroup::KnownBadInputsRuleSet, &[]);
//! acl.add_rate_limit("RatePerIp", 2000);
//! acl.add_geo_block("BlockedCountries", &["KP", "IR"]);
//! acl.add_ip_set("Blocklist", &["192.0.2.0/24"], IpSetAction::Block);
//! ```

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::ops::Deref;
use std::rc::Rc;

use rcdk::{Expr, RemovalPolicy, Scope, Value};
use rcdk_l1::wafv2::logging_configuration::{FieldToMatch, SingleHeader};
use rcdk_l1::wafv2::web_acl::{
    AllowAction, BlockAction, CountAction, CustomResponse, CustomResponseBody, DefaultAction,
    GeoMatchStatement, IpSetReferenceStatement, ManagedRuleGroupStatement, NotStatement,
    OverrideAction, RateBasedStatement, Rule, RuleAction, RuleActionOverride, Statement,
    VisibilityConfig,
};
use rcdk_l1::wafv2::{
    CfnIpSet, CfnIpSetProps, CfnLoggingConfiguration, CfnLoggingConfigurationProps, CfnWebAcl,
    CfnWebAclAssociation, CfnWebAclAssociationProps, CfnWebAclProps,
};

use crate::kms::Key;
use crate::load_balancing::ApplicationLoadBalancer;
use crate::logs::{LogGroup, LogGroupProps};
use crate::metrics::{Metric, Statistic};

const BLOCK_BODY_KEY: &str = "Blocked";

/// AWS managed rule groups (vendor `AWS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AwsManagedRuleGroup {
    /// OWASP-style protection for common web vulnerabilities.
    CommonRuleSet,
    /// Request patterns known to be malicious (Log4Shell among them).
    KnownBadInputsRuleSet,
    /// IP addresses with a bad reputation.
    AmazonIpReputationList,
    /// Anonymizing services (VPNs, Tor, hosting providers).
    AnonymousIpList,
    /// SQL injection.
    SqliRuleSet,
    /// Linux-specific exploits.
    LinuxRuleSet,
    /// POSIX-OS exploits.
    UnixRuleSet,
    /// Access to administrative pages.
    AdminProtectionRuleSet,
    /// PHP exploits.
    PhpRuleSet,
    /// WordPress exploits.
    WordPressRuleSet,
    /// Windows exploits.
    WindowsRuleSet,
}

impl AwsManagedRuleGroup {
    /// The group's name as AWS publishes it.
    pub fn name(self) -> &'static str {
        match self {
            AwsManagedRuleGroup::CommonRuleSet => "AWSManagedRulesCommonRuleSet",
            AwsManagedRuleGroup::KnownBadInputsRuleSet => "AWSManagedRulesKnownBadInputsRuleSet",
            AwsManagedRuleGroup::AmazonIpReputationList => "AWSManagedRulesAmazonIpReputationList",
            AwsManagedRuleGroup::AnonymousIpList => "AWSManagedRulesAnonymousIpList",
            AwsManagedRuleGroup::SqliRuleSet => "AWSManagedRulesSQLiRuleSet",
            AwsManagedRuleGroup::LinuxRuleSet => "AWSManagedRulesLinuxRuleSet",
            AwsManagedRuleGroup::UnixRuleSet => "AWSManagedRulesUnixRuleSet",
            AwsManagedRuleGroup::AdminProtectionRuleSet => "AWSManagedRulesAdminProtectionRuleSet",
            AwsManagedRuleGroup::PhpRuleSet => "AWSManagedRulesPHPRuleSet",
            AwsManagedRuleGroup::WordPressRuleSet => "AWSManagedRulesWordPressRuleSet",
            AwsManagedRuleGroup::WindowsRuleSet => "AWSManagedRulesWindowsRuleSet",
        }
    }

    /// Web ACL capacity units the group uses.
    fn capacity(self) -> u32 {
        match self {
            AwsManagedRuleGroup::CommonRuleSet => 700,
            AwsManagedRuleGroup::KnownBadInputsRuleSet => 200,
            AwsManagedRuleGroup::AmazonIpReputationList => 25,
            AwsManagedRuleGroup::AnonymousIpList => 50,
            AwsManagedRuleGroup::SqliRuleSet => 200,
            AwsManagedRuleGroup::LinuxRuleSet => 200,
            AwsManagedRuleGroup::UnixRuleSet => 100,
            AwsManagedRuleGroup::AdminProtectionRuleSet => 100,
            AwsManagedRuleGroup::PhpRuleSet => 100,
            AwsManagedRuleGroup::WordPressRuleSet => 100,
            AwsManagedRuleGroup::WindowsRuleSet => 200,
        }
    }
}

/// What an IP-set rule does with a matching request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IpSetAction {
    /// Let the request through.
    Allow,
    /// Block it (with the ACL's block response).
    Block,
}

/// The answer blocked requests get.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockResponse {
    /// Default: 403.
    pub status_code: u16,
    /// Default: `APPLICATION_JSON`.
    pub content_type: String,
    /// The body.
    pub body: String,
}

impl Default for BlockResponse {
    fn default() -> Self {
        BlockResponse {
            status_code: 403,
            content_type: "APPLICATION_JSON".into(),
            body: r#"{"message":"Forbidden"}"#.into(),
        }
    }
}

/// Settings of a [`WebAcl`].
#[derive(Debug, Clone)]
pub struct WebAclProps {
    /// What the ACL protects.
    pub description: Option<String>,
    /// Requests no rule blocks are allowed. Default: true.
    pub default_allow: bool,
    /// Response to requests the rate, geo and IP rules block. Default: 403 with a
    /// JSON body.
    pub block_response: Option<BlockResponse>,
    /// AWS managed rule groups added first, in this order, without count overrides.
    /// Default: AWS's baseline, `CommonRuleSet` and `KnownBadInputsRuleSet` (the latter
    /// blocks Log4Shell-style inputs), so a default ACL protects something. To give a
    /// group count overrides or another place, leave it out here and add it with
    /// [`WebAcl::add_managed_rule_group`].
    pub managed_rule_groups: Vec<AwsManagedRuleGroup>,
}

impl Default for WebAclProps {
    fn default() -> Self {
        WebAclProps {
            description: None,
            default_allow: true,
            block_response: Some(BlockResponse::default()),
            managed_rule_groups: vec![
                AwsManagedRuleGroup::CommonRuleSet,
                AwsManagedRuleGroup::KnownBadInputsRuleSet,
            ],
        }
    }
}

/// The web ACL limit for a regional ACL (the account quota can raise the default 1500).
const MAX_CAPACITY: u32 = 5000;

#[derive(Debug, Default)]
struct Rules {
    names: BTreeMap<String, ()>,
    capacity: u32,
}

/// A REGIONAL WAFv2 web ACL. Rules are evaluated in the order they are added.
#[derive(Debug, Clone)]
pub struct WebAcl {
    acl: CfnWebAcl,
    name: Expr<String>,
    /// Status code of the custom block response, when there is one.
    block_status: Option<u16>,
    rules: Rc<RefCell<Rules>>,
}

impl Deref for WebAcl {
    type Target = CfnWebAcl;
    fn deref(&self) -> &CfnWebAcl {
        &self.acl
    }
}

fn visibility(metric: &str) -> VisibilityConfig {
    VisibilityConfig::new(true, metric, true)
}

impl WebAcl {
    /// Adds the web ACL (with its baseline rule groups) below `scope`.
    pub fn new(scope: &Scope, id: &str, props: WebAclProps) -> WebAcl {
        // A stable name, unique per region, so that metrics can name the ACL. Scoped to
        // this stack: an alarm in another stack must name this stack's ACL, not its own.
        let name = scope.aws().sub(format!("${{AWS::StackName}}-{id}"));
        let default_action = if props.default_allow {
            DefaultAction {
                allow: Some(AllowAction::default()),
                block: None,
            }
        } else {
            DefaultAction {
                allow: None,
                block: Some(BlockAction::default()),
            }
        };
        let bodies = props.block_response.as_ref().map(|r| {
            BTreeMap::from([(
                BLOCK_BODY_KEY.to_owned(),
                CustomResponseBody::new(r.body.as_str(), r.content_type.as_str()),
            )])
        });
        let acl = CfnWebAcl::new(
            scope,
            id,
            CfnWebAclProps {
                name: Some(name.clone()),
                description: props.description.as_deref().map(Into::into),
                custom_response_bodies: bodies,
                ..CfnWebAclProps::new(default_action, "REGIONAL", visibility(id))
            },
        );
        if let Some(r) = &props.block_response
            && !(200..=599).contains(&r.status_code)
        {
            acl.add_error(format!(
                "block_response.status_code {} is out of range 200 to 599",
                r.status_code
            ));
        }
        let web_acl = WebAcl {
            acl,
            name,
            block_status: props.block_response.map(|r| r.status_code),
            rules: Rc::default(),
        };
        for group in props.managed_rule_groups {
            web_acl.add_managed_rule_group(group, &[]);
        }
        web_acl
    }

    /// The ACL's name (the `WebACL` metric dimension).
    pub fn name(&self) -> Expr<String> {
        self.name.clone()
    }

    /// The web ACL's ARN.
    pub fn arn(&self) -> Expr<String> {
        self.acl.attr_arn()
    }

    fn block(&self) -> RuleAction {
        RuleAction {
            block: Some(BlockAction {
                custom_response: self.block_status.map(|code| CustomResponse {
                    custom_response_body_key: Some(BLOCK_BODY_KEY.into()),
                    ..CustomResponse::new(i64::from(code))
                }),
            }),
            ..Default::default()
        }
    }

    fn push(&self, name: &str, capacity: u32, make: impl FnOnce(i64) -> Rule) {
        let mut rules = self.rules.borrow_mut();
        if rules.names.insert(name.to_owned(), ()).is_some() {
            self.acl.add_error(format!(
                "rule name '{name}' is used twice; rule names must be unique in a web ACL (WebAclProps.managed_rule_groups adds CommonRuleSet and KnownBadInputsRuleSet by default: to add one of them yourself, leave it out there)"
            ));
            return;
        }
        let valid = !name.is_empty()
            && name.len() <= 128
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !valid {
            self.acl.add_error(format!(
                "rule name '{name}' must be 1 to 128 letters, digits, '-' or '_' (it is also the metric name)"
            ));
        }
        rules.capacity += capacity;
        if rules.capacity > MAX_CAPACITY {
            self.acl.add_error(format!(
                "rule '{name}' brings the web ACL to {} capacity units, over the limit of {MAX_CAPACITY}; drop a rule group",
                rules.capacity
            ));
        }
        let priority = i64::try_from(rules.names.len()).unwrap_or(i64::MAX);
        drop(rules);
        let rule = make(priority);
        self.acl
            .update_props(|p: &mut CfnWebAclProps| p.rules.get_or_insert_with(Vec::new).push(rule));
    }

    /// A rule with its own action (not a rule group) and metrics under its name.
    fn push_action_rule(
        &self,
        name: &str,
        capacity: u32,
        action: RuleAction,
        statement: Statement,
    ) {
        self.push(name, capacity, |priority| Rule {
            action: Some(action),
            ..Rule::new(name, priority, statement, visibility(name))
        });
    }

    /// An AWS managed rule group; the rules named in `count_rules` only count
    /// (for rules that misfire on the application) instead of blocking.
    pub fn add_managed_rule_group(&self, group: AwsManagedRuleGroup, count_rules: &[&str]) {
        let name = group.name();
        self.push(name, group.capacity(), |priority| Rule {
            override_action: Some(OverrideAction {
                none: Some(Value::object::<&str, Value>([])),
                count: None,
            }),
            ..Rule::new(
                name,
                priority,
                Statement {
                    managed_rule_group_statement: Some(Box::new(ManagedRuleGroupStatement {
                        rule_action_overrides: (!count_rules.is_empty()).then(|| {
                            count_rules
                                .iter()
                                .map(|r| {
                                    RuleActionOverride::new(
                                        RuleAction {
                                            count: Some(CountAction::default()),
                                            ..Default::default()
                                        },
                                        *r,
                                    )
                                })
                                .collect()
                        }),
                        ..ManagedRuleGroupStatement::new(name, "AWS")
                    })),
                    ..Default::default()
                },
                visibility(name),
            )
        });
    }

    /// Blocks an IP address that sends more than `limit` requests in five minutes.
    pub fn add_rate_limit(&self, name: &str, limit: u32) {
        if !(10..=2_000_000_000).contains(&limit) {
            self.acl.add_error(format!(
                "{name}: rate limit {limit} is out of range 10 to 2000000000 requests per 5 minutes"
            ));
        }
        let action = self.block();
        let statement = Statement {
            rate_based_statement: Some(Box::new(RateBasedStatement {
                evaluation_window_sec: Some(300.into()),
                ..RateBasedStatement::new("IP", i64::from(limit))
            })),
            ..Default::default()
        };
        self.push_action_rule(name, 2, action, statement);
    }

    /// Blocks requests from these countries (ISO 3166 alpha-2 codes).
    pub fn add_geo_block(&self, name: &str, countries: &[&str]) {
        let statement = self.geo_match(name, countries);
        self.push_action_rule(name, 1, self.block(), statement);
    }

    /// Blocks requests from every country except these (ISO 3166 alpha-2 codes).
    pub fn add_geo_allow_only(&self, name: &str, countries: &[&str]) {
        let statement = Statement {
            not_statement: Some(Box::new(NotStatement::new(self.geo_match(name, countries)))),
            ..Default::default()
        };
        self.push_action_rule(name, 2, self.block(), statement);
    }

    fn geo_match(&self, name: &str, countries: &[&str]) -> Statement {
        let bad = countries
            .iter()
            .any(|c| c.len() != 2 || !c.chars().all(|ch| ch.is_ascii_uppercase()));
        if countries.is_empty() || bad {
            self.acl.add_error(format!(
                "{name}: country codes must be ISO 3166 alpha-2, like \"KP\"; got {countries:?}"
            ));
        }
        let codes: Vec<String> = countries.iter().map(|c| (*c).to_owned()).collect();
        Statement {
            geo_match_statement: Some(GeoMatchStatement {
                country_codes: Some(codes.into()),
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    /// An IP set (IPv4 CIDRs) and a rule that allows or blocks its addresses.
    pub fn add_ip_set(&self, name: &str, cidrs: &[&str], action: IpSetAction) -> CfnIpSet {
        for c in cidrs {
            if c.parse::<crate::network::cidr::Ipv4Cidr>().is_err() {
                self.acl.add_error(format!(
                    "{name}: '{c}' is not an IPv4 CIDR block like 192.0.2.0/24"
                ));
            }
        }
        let set = CfnIpSet::new(
            &self.acl,
            name,
            CfnIpSetProps {
                description: Some(format!("Addresses of rule {name}").into()),
                ..CfnIpSetProps::new(
                    cidrs.iter().map(|c| (*c).to_owned()).collect::<Vec<_>>(),
                    "IPV4",
                    "REGIONAL",
                )
            },
        );
        let action = match action {
            IpSetAction::Allow => RuleAction {
                allow: Some(AllowAction::default()),
                ..Default::default()
            },
            IpSetAction::Block => self.block(),
        };
        let arn = set.attr_arn();
        let statement = Statement {
            ip_set_reference_statement: Some(IpSetReferenceStatement::new(arn)),
            ..Default::default()
        };
        self.push_action_rule(name, 1, action, statement);
        set
    }

    /// Protects a load balancer with this ACL.
    pub fn associate(&self, alb: &ApplicationLoadBalancer) -> CfnWebAclAssociation {
        let id = format!("{}Association", alb.id());
        CfnWebAclAssociation::new(
            &self.acl,
            &id,
            CfnWebAclAssociationProps::new(alb.arn(), self.arn()),
        )
    }

    /// Sends request logs to a CloudWatch log group (named `aws-waf-logs-…`, as WAF
    /// requires), with the `authorization` and `cookie` headers redacted.
    pub fn enable_logging(&self, retention_days: u32, encryption_key: Option<&Key>) -> LogGroup {
        let group = LogGroup::new(
            &self.acl,
            "Logs",
            LogGroupProps {
                retention_days,
                encryption_key: encryption_key.cloned(),
                name: Some(self.acl.aws().sub(format!(
                    "aws-waf-logs-${{AWS::StackName}}-{}",
                    self.acl.id()
                ))),
                removal_policy: RemovalPolicy::Retain,
            },
        );
        let redact = |h: &str| FieldToMatch {
            single_header: Some(SingleHeader::new(h)),
            ..Default::default()
        };
        CfnLoggingConfiguration::new(
            &self.acl,
            "Logging",
            CfnLoggingConfigurationProps {
                redacted_fields: Some(vec![redact("authorization"), redact("cookie")]),
                ..CfnLoggingConfigurationProps::new(vec![group.plain_arn()], self.arn())
            },
        );
        group
    }

    fn metric(&self, name: &str, rule: &str) -> Metric {
        Metric::new(
            "AWS/WAFV2",
            name,
            vec![
                ("WebACL".into(), self.name()),
                ("Region".into(), self.acl.aws().region()),
                ("Rule".into(), rule.into()),
            ],
        )
        .with_statistic(Statistic::Sum)
    }

    /// `BlockedRequests` over all rules, summed.
    pub fn metric_blocked_requests(&self) -> Metric {
        self.metric("BlockedRequests", "ALL")
    }

    /// `AllowedRequests` over all rules, summed.
    pub fn metric_allowed_requests(&self) -> Metric {
        self.metric("AllowedRequests", "ALL")
    }

    /// `BlockedRequests` of one rule, summed.
    pub fn metric_rule_blocked_requests(&self, rule: &str) -> Metric {
        self.metric("BlockedRequests", rule)
    }
}
