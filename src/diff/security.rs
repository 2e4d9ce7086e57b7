//! Security-relevant changes: IAM statements and managed policies, security group
//! rules. "Broadening" follows the AWS CDK: an added Allow statement, a removed Deny,
//! a new managed policy, a new security group rule.

use std::collections::BTreeSet;

use serde::Serialize;
use serde_json::{Map, Value as J};

/// What kind of permission changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SecurityKind {
    /// A statement of an IAM policy (inline or resource policy).
    IamStatement,
    /// A managed policy attached.
    ManagedPolicy,
    /// An inbound security-group rule.
    SecurityGroupIngress,
    /// An outbound security-group rule.
    SecurityGroupEgress,
}

/// One statement, policy or rule added or removed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SecurityChange {
    /// What kind.
    pub kind: SecurityKind,
    /// Logical id of the resource holding it.
    pub resource: String,
    /// Added (else removed).
    pub added: bool,
    /// It widens access (an Allow added, a Deny removed, a policy or rule added).
    pub broadening: bool,
    /// The statement, policy ARN or rule.
    pub detail: J,
}

fn items(v: Option<&J>) -> Vec<&J> {
    match v {
        Some(J::Array(a)) => a.iter().collect(),
        Some(J::Null) | None => Vec::new(),
        Some(other) => vec![other],
    }
}

/// Every permission-bearing element of a resource, tagged with its kind.
fn elements(r: &J) -> Vec<(SecurityKind, J)> {
    let p = r.get("Properties");
    let get = |k: &str| p.and_then(|p| p.get(k));
    let statements = |doc: Option<&J>| -> Vec<(SecurityKind, J)> {
        items(doc.and_then(|d| d.get("Statement")))
            .into_iter()
            .map(|s| (SecurityKind::IamStatement, s.clone()))
            .collect()
    };
    let ty = r.get("Type").and_then(J::as_str).unwrap_or_default();
    let mut out = Vec::new();
    match ty {
        "AWS::IAM::Role" | "AWS::IAM::User" | "AWS::IAM::Group" => {
            for policy in items(get("Policies")) {
                out.extend(statements(policy.get("PolicyDocument")));
            }
            out.extend(
                items(get("ManagedPolicyArns"))
                    .into_iter()
                    .map(|a| (SecurityKind::ManagedPolicy, a.clone())),
            );
        }
        "AWS::IAM::Policy"
        | "AWS::IAM::ManagedPolicy"
        | "AWS::S3::BucketPolicy"
        | "AWS::SNS::TopicPolicy"
        | "AWS::SQS::QueuePolicy" => {
            out.extend(statements(get("PolicyDocument")));
        }
        "AWS::KMS::Key" => out.extend(statements(get("KeyPolicy"))),
        "AWS::EC2::SecurityGroup" => {
            out.extend(
                items(get("SecurityGroupIngress"))
                    .into_iter()
                    .map(|r| (SecurityKind::SecurityGroupIngress, r.clone())),
            );
            out.extend(
                items(get("SecurityGroupEgress"))
                    .into_iter()
                    // The placeholder that keeps a group closed grants nothing.
                    .filter(|r| r.get("CidrIp").and_then(J::as_str) != Some("255.255.255.255/32"))
                    .map(|r| (SecurityKind::SecurityGroupEgress, r.clone())),
            );
        }
        "AWS::EC2::SecurityGroupIngress" => {
            out.extend(p.cloned().map(|p| (SecurityKind::SecurityGroupIngress, p)))
        }
        "AWS::EC2::SecurityGroupEgress" => {
            out.extend(p.cloned().map(|p| (SecurityKind::SecurityGroupEgress, p)))
        }
        _ => {}
    }
    out
}

fn is_allow(statement: &J) -> bool {
    statement.get("Effect").and_then(J::as_str) == Some("Allow")
}

pub(super) fn security_changes(old: &Map<String, J>, new: &Map<String, J>) -> Vec<SecurityChange> {
    let ids: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    let mut out = Vec::new();
    for id in ids {
        let before = old.get(id).map(elements).unwrap_or_default();
        let after = new.get(id).map(elements).unwrap_or_default();
        for (kind, detail) in &after {
            if !before.iter().any(|(k, d)| k == kind && d == detail) {
                let broadening = kind != &SecurityKind::IamStatement || is_allow(detail);
                out.push(SecurityChange {
                    kind: *kind,
                    resource: id.clone(),
                    added: true,
                    broadening,
                    detail: detail.clone(),
                });
            }
        }
        for (kind, detail) in &before {
            if !after.iter().any(|(k, d)| k == kind && d == detail) {
                let broadening = kind == &SecurityKind::IamStatement && !is_allow(detail);
                out.push(SecurityChange {
                    kind: *kind,
                    resource: id.clone(),
                    added: false,
                    broadening,
                    detail: detail.clone(),
                });
            }
        }
    }
    out
}
