//! Guardrails of an organisation: service control policies (SCPs), typed like every
//! other policy document, attached to the root, organizational units or accounts. An
//! SCP never grants; it caps what every principal of the targets may do, the root user
//! included, so the guardrails below are denials.
//!
//! ```
//! use rcdk::{App, Stack, StackProps};
//! use rcdk_constructs::org::{guardrails, ServiceControlPolicy, ServiceControlPolicyProps};
//! let app = App::with_context(Default::default(), "cdk.out");
//! let stack = Stack::new(&app, "org-guardrails", StackProps::default());
//! ServiceControlPolicy::new(&stack, "Guardrails", ServiceControlPolicyProps {
//!     name: "guardrails".into(),
//!     description: "What no workload account may do".into(),
//!     statements: vec![
//!         guardrails::deny_leaving_the_organization(),
//!         guardrails::protect_cloudtrail(),
//!         guardrails::deny_regions_except(&["us-east-1", "us-west-2"]),
//!     ],
//!     targets: vec!["ou-ab12-workload1".into()],
//! });
//! ```

use std::ops::Deref;

use rcdk::{Scope, ToValue, Value};
use rcdk_l1::organizations::{CfnPolicy, CfnPolicyProps};
use rcdk_l1::policy::{PolicyDocument, PolicyStatement};

/// AWS Organizations' limit on an SCP's content, in characters of its JSON without
/// spaces (what AWS stores).
pub const MAX_SCP_CHARACTERS: usize = 5_120;

/// Settings of a [`ServiceControlPolicy`].
#[derive(Debug, Clone)]
pub struct ServiceControlPolicyProps {
    /// The policy's name in AWS Organizations.
    pub name: String,
    /// What it is for.
    pub description: String,
    /// The statements (the [`guardrails`] are ready-made ones).
    pub statements: Vec<PolicyStatement>,
    /// Where it applies: the root (`r-…`), organizational units (`ou-…`) or accounts.
    pub targets: Vec<String>,
}

/// An SCP (`AWS::Organizations::Policy` of type `SERVICE_CONTROL_POLICY`), deployed in
/// the management account (or a delegated administrator for policies).
#[derive(Debug, Clone)]
pub struct ServiceControlPolicy {
    policy: CfnPolicy,
}

impl Deref for ServiceControlPolicy {
    type Target = CfnPolicy;
    fn deref(&self) -> &CfnPolicy {
        &self.policy
    }
}

fn target_shaped(id: &str) -> bool {
    (id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit()))
        || rcdk::tree::stack_set::is_organizational_unit(id)
}

/// The document as JSON, when it holds only literals (an intrinsic is resolved by
/// CloudFormation, to a length synthesis cannot know).
fn literal(v: &Value) -> Option<serde_json::Value> {
    use serde_json::Value as J;
    Some(match v {
        Value::Null => J::Null,
        Value::Bool(b) => J::Bool(*b),
        Value::Int(i) => J::from(*i),
        Value::Float(f) => J::from(*f),
        Value::String(s) => J::String(s.clone()),
        Value::List(items) => J::Array(items.iter().map(literal).collect::<Option<_>>()?),
        Value::Map(m) => J::Object(
            m.iter()
                .map(|(k, v)| Some((k.clone(), literal(v)?)))
                .collect::<Option<_>>()?,
        ),
        Value::Lazy(l) => literal(&l.produce())?,
        Value::Intrinsic(_) => return None,
    })
}

/// The characters AWS Organizations counts: the document's JSON without whitespace
/// (`None` when it holds values only CloudFormation resolves).
pub fn scp_characters(document: &PolicyDocument) -> Option<usize> {
    let json = literal(&document.to_value())?;
    serde_json::to_string(&json).ok().map(|s| s.chars().count())
}

impl ServiceControlPolicy {
    /// The policy, checked: statements present, targets well formed, the content within
    /// AWS Organizations' 5,120 characters.
    pub fn new(scope: &Scope, id: &str, props: ServiceControlPolicyProps) -> ServiceControlPolicy {
        let document = PolicyDocument::new(props.statements.clone());
        let mut l1 = CfnPolicyProps::new(
            document.clone(),
            props.name.clone(),
            "SERVICE_CONTROL_POLICY",
        );
        l1.description = Some(props.description.clone().into());
        l1.target_ids = (!props.targets.is_empty()).then(|| props.targets.clone().into());
        let policy = CfnPolicy::new(scope, id, l1);
        if props.statements.is_empty() {
            policy.add_error("statements: an SCP needs at least one statement (the guardrails module has ready-made ones)");
        }
        for t in props.targets.iter().filter(|t| !target_shaped(t)) {
            policy.add_error(format!(
                "targets: '{t}' is not a root (r-…), organizational unit (ou-…) or account id (12 digits)"
            ));
        }
        if let Some(size) = scp_characters(&document).filter(|n| *n > MAX_SCP_CHARACTERS) {
            policy.add_error(format!(
                "statements: the policy is {size} characters, over the {MAX_SCP_CHARACTERS} AWS Organizations allows for an SCP; split it into two policies (five may be attached to each target)"
            ));
        }
        ServiceControlPolicy { policy }
    }
}

/// Ready-made denials for an organisation's workload accounts.
pub mod guardrails {
    use rcdk_l1::policy::{Operator, PolicyStatement};

    /// No account leaves the organisation (and its guardrails) on its own.
    pub fn deny_leaving_the_organization() -> PolicyStatement {
        PolicyStatement::deny()
            .sid("DenyLeavingTheOrganization")
            .actions(["organizations:LeaveOrganization"])
            .resource("*")
    }

    /// The audit trail cannot be stopped, deleted or narrowed.
    pub fn protect_cloudtrail() -> PolicyStatement {
        PolicyStatement::deny()
            .sid("ProtectCloudTrail")
            .actions([
                "cloudtrail:StopLogging",
                "cloudtrail:DeleteTrail",
                "cloudtrail:UpdateTrail",
                "cloudtrail:PutEventSelectors",
            ])
            .resource("*")
    }

    /// Threat detection cannot be turned off or detached from the administrator.
    pub fn protect_guardduty() -> PolicyStatement {
        PolicyStatement::deny()
            .sid("ProtectGuardDuty")
            .actions([
                "guardduty:DeleteDetector",
                "guardduty:UpdateDetector",
                "guardduty:DisassociateFromAdministratorAccount",
                "guardduty:DisassociateFromMasterAccount",
                "guardduty:DeleteMembers",
                "guardduty:StopMonitoringMembers",
            ])
            .resource("*")
    }

    /// AWS Config keeps recording and delivering.
    pub fn protect_config() -> PolicyStatement {
        PolicyStatement::deny()
            .sid("ProtectConfig")
            .actions([
                "config:DeleteConfigurationRecorder",
                "config:StopConfigurationRecorder",
                "config:DeleteDeliveryChannel",
                "config:DeleteConfigRule",
            ])
            .resource("*")
    }

    /// Nothing is created outside `regions`, except what global services do (IAM,
    /// Organizations, Route 53, CloudFront, support, billing, STS…), which AWS serves
    /// from us-east-1 whatever the caller's region.
    pub fn deny_regions_except(regions: &[&str]) -> PolicyStatement {
        PolicyStatement::deny()
            .sid("DenyOtherRegions")
            .not_actions([
                "a4b:*",
                "account:*",
                "acm:*",
                "aws-marketplace-management:*",
                "aws-marketplace:*",
                "aws-portal:*",
                "budgets:*",
                "ce:*",
                "chime:*",
                "cloudfront:*",
                "config:*",
                "cur:*",
                "directconnect:*",
                "ec2:DescribeRegions",
                "ec2:DescribeTransitGateways",
                "ec2:DescribeVpnGateways",
                "fms:*",
                "globalaccelerator:*",
                "health:*",
                "iam:*",
                "importexport:*",
                "kms:*",
                "mobileanalytics:*",
                "networkmanager:*",
                "organizations:*",
                "pricing:*",
                "route53:*",
                "route53domains:*",
                "route53-recovery-cluster:*",
                "route53-recovery-control-config:*",
                "route53-recovery-readiness:*",
                "s3:GetAccountPublic*",
                "s3:ListAllMyBuckets",
                "s3:ListMultiRegionAccessPoints",
                "s3:PutAccountPublic*",
                "shield:*",
                "sts:*",
                "support:*",
                "trustedadvisor:*",
                "waf-regional:*",
                "waf:*",
                "wafv2:*",
                "wellarchitected:*",
            ])
            .resource("*")
            .condition(
                Operator::StringNotEquals,
                "aws:RequestedRegion",
                regions
                    .iter()
                    .map(|r| (*r).to_owned())
                    .collect::<Vec<String>>(),
            )
    }

    /// The root user of a member account does nothing (its credentials are for
    /// recovery, which AWS handles outside SCPs).
    pub fn deny_root_user() -> PolicyStatement {
        PolicyStatement::deny()
            .sid("DenyRootUser")
            .actions(["*"])
            .resource("*")
            .condition(
                Operator::StringLike,
                "aws:PrincipalArn",
                "arn:aws:iam::*:root",
            )
    }
}
