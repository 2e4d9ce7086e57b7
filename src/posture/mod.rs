//! Security posture rules that run at synthesis and fail it with a clear message
//! ([`Rule::ALL`]): network exposure (open ingress, wide egress, public databases and
//! instances, IMDSv2), IAM (wildcards, open trusts, user credentials), encryption at
//! rest and key and secret rotation, TLS and WAF on load balancers, and the hardening
//! scanners expect of buckets, load balancers, databases, log groups, repositories and
//! functions. Each rule names the AWS controls it enforces ([`Rule::controls`]) and its
//! ids in checkov and CloudFormation Guard ([`Rule::scanner_ids`]).
//!
//! A rule can be suppressed on one resource only with a written reason, which is kept
//! in the resource's `Metadata` for reviewers and written in each scanner's format.
//!
//! ```
//! use rcdk::{App, Stack, StackProps};
//! use rcdk::posture::{self, Rule};
//! use rcdk_constructs::storage::{Bucket, BucketProps};
//! let app = App::with_context(Default::default(), "cdk.out");
//! posture::enforce(&app);
//! let stack = Stack::new(&app, "s", StackProps::default());
//! let bucket = Bucket::new(&stack, "Public", BucketProps::default());
//! posture::suppress(&bucket, Rule::Unencrypted, "Holds only public release artifacts; checked by security in SEC-123");
//! assert!(app.synthesize().is_ok());
//! ```

mod backups;
mod catalogue_rules;
pub use backups::{SELECTED_CONTEXT, selected_across};
pub use catalogue_rules::accept_as_deployed;
pub(crate) use catalogue_rules::add_once as check_policies;
mod checks;
mod hardening;
mod packs;
mod policy;
pub mod resolve;
mod scanners;

pub use checks::is_modern_tls_policy;

/// The identity-policy statements (what a principal may do) of a resource of
/// `type_name` with `props`: a role's, user's or group's inline policies, a policy's
/// document, a service control policy's content. The one reading the posture rules use.
pub fn identity_policy_statements<'a>(
    type_name: &str,
    props: &'a crate::Value,
) -> Vec<&'a crate::Value> {
    policy::identity_statements(type_name, props)
        .into_iter()
        .map(|s| s.value)
        .collect()
}
pub use scanners::ScannerIds;

use crate::{AspectPriority, Aspects, CfnResource, Scope, Value};

/// A posture rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Rule {
    /// Security group ingress from 0.0.0.0/0 or ::/0 other than an internet-facing
    /// load balancer on 80/443.
    OpenIngress,
    /// An IAM Allow statement with the action `*`.
    WildcardAction,
    /// An identity-policy Allow statement on resource `*` for actions that take a resource
    /// (from the IAM catalogue: only actions with no resource type may have `*`).
    WildcardResource,
    /// A bucket, log group, topic, queue, secret or database without encryption at rest
    /// (or without a customer key where the service supports one).
    Unencrypted,
    /// A database instance that is (or may be) publicly accessible.
    PublicDatabase,
    /// An HTTPS listener without a TLS 1.2+ policy, or plain HTTP on a public load balancer
    /// that does not redirect.
    WeakTls,
    /// An internet-facing load balancer without a WAF web ACL.
    AlbWithoutWaf,
    /// A role trust that lets anyone assume the role: a `*` principal, or a web identity
    /// (OIDC) without a `sub` condition or with a `*` in it.
    OpenTrust,
    /// Long-lived credentials or permissions on a user: an access key, a console
    /// password in the template, or policies attached to the user instead of a group.
    UserCredentials,
    /// An instance or launch template that does not require IMDSv2.
    Imdsv1,
    /// An instance or launch template whose network interface gets a public IP.
    PublicInstance,
    /// A bucket without all four public access blocks.
    BucketPublicAccess,
    /// A bucket without versioning.
    BucketVersioning,
    /// A bucket whose policy does not deny requests without TLS.
    BucketTls,
    /// A bucket without server access logging, unless it receives logs itself.
    BucketAccessLogs,
    /// An application load balancer that passes invalid HTTP headers on.
    AlbInvalidHeaders,
    /// A load balancer without deletion protection.
    AlbDeletionProtection,
    /// A load balancer without access logs.
    AlbAccessLogs,
    /// A database instance (not a replica) keeping automated backups under 7 days.
    DatabaseBackups,
    /// A database instance without IAM authentication.
    DatabaseIamAuth,
    /// A database instance in one Availability Zone.
    DatabaseMultiAz,
    /// A database instance without automatic minor version upgrades.
    DatabaseMinorUpgrades,
    /// A database instance without deletion protection.
    DatabaseDeletionProtection,
    /// A log group that keeps its events forever (no retention).
    LogRetention,
    /// An ECR repository that does not scan images on push.
    RepositoryScanOnPush,
    /// An ECR repository whose tags can be overwritten.
    RepositoryMutableTags,
    /// A Lambda function whose failed asynchronous events go nowhere (no dead-letter
    /// queue, no on-failure destination).
    FunctionDeadLetter,
    /// A secret without a rotation schedule.
    SecretRotation,
    /// A customer-managed symmetric key without yearly rotation.
    KeyRotation,
    /// A security group that lets all traffic out to the whole internet, where HTTPS
    /// and the connections it makes would do.
    WideEgress,
    /// A database instance or cluster (not a replica), DynamoDB table or EFS file system
    /// that no AWS Backup plan selects.
    BackupPlanCoverage,
    /// An IAM action or service that does not exist, or an action wildcard that matches
    /// none (checked against AWS's action catalogue, [`crate::iam`]).
    IamUnknownAction,
    /// A policy resource that none of its statement's actions act on, or an action
    /// granted on none of its statement's resources.
    IamResourceMismatch,
    /// A condition key that none of its statement's actions take and that is not global.
    IamConditionKey,
    /// `NotAction` or `NotResource` in an Allow statement.
    IamAllowWithNot,
}

impl Rule {
    /// Every rule, in the order reports list them.
    pub const ALL: [Rule; 35] = [
        Rule::OpenIngress,
        Rule::WildcardAction,
        Rule::WildcardResource,
        Rule::Unencrypted,
        Rule::PublicDatabase,
        Rule::WeakTls,
        Rule::AlbWithoutWaf,
        Rule::OpenTrust,
        Rule::UserCredentials,
        Rule::Imdsv1,
        Rule::PublicInstance,
        Rule::BucketPublicAccess,
        Rule::BucketVersioning,
        Rule::BucketTls,
        Rule::BucketAccessLogs,
        Rule::AlbInvalidHeaders,
        Rule::AlbDeletionProtection,
        Rule::AlbAccessLogs,
        Rule::DatabaseBackups,
        Rule::DatabaseIamAuth,
        Rule::DatabaseMultiAz,
        Rule::DatabaseMinorUpgrades,
        Rule::DatabaseDeletionProtection,
        Rule::LogRetention,
        Rule::RepositoryScanOnPush,
        Rule::RepositoryMutableTags,
        Rule::FunctionDeadLetter,
        Rule::SecretRotation,
        Rule::KeyRotation,
        Rule::WideEgress,
        Rule::BackupPlanCoverage,
        Rule::IamUnknownAction,
        Rule::IamResourceMismatch,
        Rule::IamConditionKey,
        Rule::IamAllowWithNot,
    ];

    /// The id written in messages and suppressions.
    pub fn id(self) -> &'static str {
        match self {
            Rule::OpenIngress => "RCDK-SG-OPEN-INGRESS",
            Rule::WildcardAction => "RCDK-IAM-WILDCARD-ACTION",
            Rule::WildcardResource => "RCDK-IAM-WILDCARD-RESOURCE",
            Rule::Unencrypted => "RCDK-ENCRYPTION-AT-REST",
            Rule::PublicDatabase => "RCDK-RDS-PUBLIC",
            Rule::WeakTls => "RCDK-ELB-TLS",
            Rule::AlbWithoutWaf => "RCDK-ELB-WAF",
            Rule::OpenTrust => "RCDK-IAM-OPEN-TRUST",
            Rule::UserCredentials => "RCDK-IAM-USER-CREDENTIALS",
            Rule::Imdsv1 => "RCDK-EC2-IMDSV2",
            Rule::PublicInstance => "RCDK-EC2-PUBLIC-IP",
            Rule::BucketPublicAccess => "RCDK-S3-PUBLIC-ACCESS",
            Rule::BucketVersioning => "RCDK-S3-VERSIONING",
            Rule::BucketTls => "RCDK-S3-TLS",
            Rule::BucketAccessLogs => "RCDK-S3-ACCESS-LOGS",
            Rule::AlbInvalidHeaders => "RCDK-ELB-INVALID-HEADERS",
            Rule::AlbDeletionProtection => "RCDK-ELB-DELETION-PROTECTION",
            Rule::AlbAccessLogs => "RCDK-ELB-ACCESS-LOGS",
            Rule::DatabaseBackups => "RCDK-RDS-BACKUPS",
            Rule::DatabaseIamAuth => "RCDK-RDS-IAM-AUTH",
            Rule::DatabaseMultiAz => "RCDK-RDS-MULTI-AZ",
            Rule::DatabaseMinorUpgrades => "RCDK-RDS-MINOR-UPGRADES",
            Rule::DatabaseDeletionProtection => "RCDK-RDS-DELETION-PROTECTION",
            Rule::LogRetention => "RCDK-LOGS-RETENTION",
            Rule::RepositoryScanOnPush => "RCDK-ECR-SCAN-ON-PUSH",
            Rule::RepositoryMutableTags => "RCDK-ECR-IMMUTABLE-TAGS",
            Rule::FunctionDeadLetter => "RCDK-LAMBDA-DEAD-LETTER",
            Rule::SecretRotation => "RCDK-SECRET-ROTATION",
            Rule::KeyRotation => "RCDK-KMS-ROTATION",
            Rule::WideEgress => "RCDK-SG-WIDE-EGRESS",
            Rule::BackupPlanCoverage => "RCDK-BACKUP-PLAN",
            Rule::IamUnknownAction => "RCDK-IAM-UNKNOWN-ACTION",
            Rule::IamResourceMismatch => "RCDK-IAM-RESOURCE-MISMATCH",
            Rule::IamConditionKey => "RCDK-IAM-CONDITION-KEY",
            Rule::IamAllowWithNot => "RCDK-IAM-ALLOW-NOT",
        }
    }
}

/// Metadata key holding `[{"Rule": id, "Reason": text}]`.
pub const SUPPRESSIONS_KEY: &str = "rcdk:posture:suppressions";
/// Context key that turns findings into a report (`rcdk posture` sets it): each
/// finding is recorded in its resource's `Metadata` under [`FINDINGS_KEY`] instead of
/// failing synthesis, and each stack's template lists the rules under [`RULES_KEY`].
pub const REPORT_CONTEXT: &str = "rcdk:posture:report";
/// Resource metadata key holding `[{"Rule", "Problem", "Fix"}]` in report mode.
pub const FINDINGS_KEY: &str = "rcdk:posture:findings";
/// Template metadata key holding `[{"Id", "Summary", "Controls"}]` in report mode.
pub const RULES_KEY: &str = "rcdk:posture:rules";

fn report_mode(scope: &Scope) -> bool {
    scope
        .context(REPORT_CONTEXT)
        .is_some_and(|v| v == serde_json::json!(true) || v == serde_json::json!("true"))
}
const MIN_REASON_CHARS: usize = 20;

/// Checks every resource at or below `scope` at synthesis.
pub fn enforce(scope: &Scope) {
    let root = scope.clone();
    // The whole tree is read on the root's visit; each resource is checked on its own,
    // after the suppressions other aspects add to it.
    let prepared: std::rc::Rc<std::cell::RefCell<Option<checks::Prepared>>> = Default::default();
    Aspects::of(scope).add_with_priority(
        move |node: &Scope| {
            if *node == root {
                *prepared.borrow_mut() = Some(checks::prepare(node));
                if report_mode(node) {
                    list_rules(node);
                }
            }
            if let (Some(resource), Some(p)) = (node.as_resource(), &*prepared.borrow()) {
                checks::check(resource, p);
            }
        },
        AspectPriority::READONLY,
    );
}

/// Writes the rules into the metadata of every stack at or below `root`.
fn list_rules(root: &Scope) {
    let rules: Vec<serde_json::Value> = Rule::ALL
        .iter()
        .map(
            |r| serde_json::json!({"Id": r.id(), "Summary": r.summary(), "Controls": r.controls()}),
        )
        .collect();
    let mut stacks: Vec<crate::Stack> = Vec::new();
    for node in std::iter::once(root.clone()).chain(root.descendants()) {
        if let Some(stack) = node.stack()
            && !stacks.iter().any(|s| s.stack_name() == stack.stack_name())
        {
            stack.add_metadata(RULES_KEY, serde_json::Value::Array(rules.clone()));
            stacks.push(stack);
        }
    }
}

/// Suppresses `rule` (as [`suppress`]) on every resource of `resource_type` at or
/// below `scope`, at synthesis: for a decision an environment makes as a whole (a
/// disposable development environment without deletion protection).
pub fn suppress_all(scope: &Scope, resource_type: &str, rule: Rule, reason: &str) {
    let reason = reason.to_owned();
    on_each_resource_of_type(scope, resource_type, move |resource| {
        suppress(resource, rule, &reason);
    });
}

/// Runs `f` on every resource of `resource_type` at or below `scope`, at synthesis,
/// before the posture is checked.
fn on_each_resource_of_type(
    scope: &Scope,
    resource_type: &str,
    f: impl Fn(&CfnResource) + 'static,
) {
    let resource_type = resource_type.to_owned();
    Aspects::of(scope).add_with_priority(
        move |node: &Scope| {
            if let Some(resource) = node.as_resource()
                && resource.resource_type() == resource_type
            {
                f(&resource);
            }
        },
        AspectPriority::MUTATING,
    );
}

/// Exempts one resource from one rule. The reason is required (at least 20
/// characters) and recorded in the resource's `Metadata`.
pub fn suppress(resource: &CfnResource, rule: Rule, reason: &str) {
    if reason.trim().chars().count() < MIN_REASON_CHARS {
        resource.add_error(format!(
            "suppressing {} needs a written reason of at least {MIN_REASON_CHARS} characters (why it is safe, who agreed)",
            rule.id()
        ));
        return;
    }
    let reason = reason.trim();
    append(
        resource,
        SUPPRESSIONS_KEY,
        &[],
        Value::object([
            ("Reason", Value::from(reason)),
            ("Rule", Value::from(rule.id())),
        ]),
    );
    // The same waiver in each scanner's own format, so their reports agree.
    let type_name = resource.resource_type();
    let ids = rule.scanner_ids(&type_name);
    for id in ids.checkov.iter().chain(ids.guard) {
        write_for_scanner(resource, id, reason);
    }
    for id in rule.cdk_nag_ids(&type_name) {
        write_for_scanner(resource, &id, reason);
    }
}

/// Metadata key holding `[{"Check": id, "Reason": text}]`: waivers of other scanners'
/// checks that no rcdk rule covers.
pub const WAIVERS_KEY: &str = "rcdk:posture:waivers";

/// Waives other scanners' checks (checkov `CKV_…` ids, cfn-lint rule ids such as
/// `W3005`, Guard rule names) on one
/// resource, for one decision no rcdk rule covers (a load balancer's port 80 that only
/// redirects, a log bucket that does not log to itself): one decision is often a check
/// in each scanner. The reason is required (at least 20 characters), kept for reviewers
/// and written in each scanner's format.
pub fn waive_check(resource: &CfnResource, checks: &[&str], reason: &str) {
    let reason = reason.trim();
    if reason.chars().count() < MIN_REASON_CHARS {
        resource.add_error(format!(
            "waiving {} needs a written reason of at least {MIN_REASON_CHARS} characters (why it is safe, who agreed)",
            checks.join(", ")
        ));
        return;
    }
    for check in checks {
        append(
            resource,
            WAIVERS_KEY,
            &[],
            Value::object([
                ("Check", Value::from(*check)),
                ("Reason", Value::from(reason)),
            ]),
        );
        write_for_scanner(resource, check, reason);
    }
}

/// Whether `check` is waived on `resource` (by [`waive_check`]).
pub fn is_waived(resource: &CfnResource, check: &str) -> bool {
    match resource.metadata(WAIVERS_KEY) {
        Some(Value::List(items)) => items
            .iter()
            .any(|i| i.get_path(&["Check"]).and_then(Value::as_str) == Some(check)),
        _ => false,
    }
}

/// Writes the waiver of `check` in its scanner's own metadata: cdk-nag's and checkov's
/// (with the reason), cfn-lint's `ignore_checks`, or Guard's `SuppressedRules`.
fn write_for_scanner(resource: &CfnResource, check: &str, reason: &str) {
    if packs::is_cdk_nag_id(check) {
        append(
            resource,
            "cdk_nag",
            &["rules_to_suppress"],
            Value::object([("id", Value::from(check)), ("reason", Value::from(reason))]),
        );
    } else if check.starts_with("CKV") {
        append(
            resource,
            "checkov",
            &["skip"],
            Value::object([("comment", Value::from(reason)), ("id", Value::from(check))]),
        );
    } else if is_cfn_lint_rule(check) {
        // cfn-lint keeps no reason of its own; rcdk's record has it.
        append(
            resource,
            "cfn-lint",
            &["config", "ignore_checks"],
            Value::from(check),
        );
    } else {
        append(resource, "guard", &["SuppressedRules"], Value::from(check));
    }
}

/// A cfn-lint rule id: `E`, `W` or `I` and four digits (`W3005`).
fn is_cfn_lint_rule(check: &str) -> bool {
    let mut chars = check.chars();
    matches!(chars.next(), Some('E' | 'W' | 'I'))
        && check.len() == 5
        && chars.all(|c| c.is_ascii_digit())
}

/// Waives one of cdk-nag's granular findings (`AwsSolutions-IAM5` on `Resource::*`): its
/// `rules_to_suppress` entry with `applies_to`, and the reason. rcdk's own rules do not
/// read it as a waiver of theirs (it covers only the findings it names).
pub fn waive_cdk_nag_findings(resource: &CfnResource, id: &str, applies_to: &[&str], reason: &str) {
    if reason.trim().chars().count() < MIN_REASON_CHARS {
        resource.add_error(format!(
            "waiving {id} needs a written reason of at least {MIN_REASON_CHARS} characters"
        ));
        return;
    }
    append(
        resource,
        "cdk_nag",
        &["rules_to_suppress"],
        Value::object([
            ("applies_to", Value::list(applies_to.iter().copied())),
            ("id", Value::from(id)),
            ("reason", Value::from(reason.trim())),
        ]),
    );
}

/// Waives `checks` (as [`waive_check`]) on every resource of `resource_type` at or
/// below `scope`, at synthesis: for a decision an environment makes as a whole (logs
/// kept 30 days in development).
pub fn waive_check_all(scope: &Scope, resource_type: &str, checks: &[&str], reason: &str) {
    let checks: Vec<String> = checks.iter().map(|c| (*c).to_owned()).collect();
    let reason = reason.to_owned();
    on_each_resource_of_type(scope, resource_type, move |resource| {
        let ids: Vec<&str> = checks.iter().map(String::as_str).collect();
        waive_check(resource, &ids, &reason);
    });
}

/// Appends `item` to the list at `path` inside the metadata entry `key`, once.
fn append(resource: &CfnResource, key: &str, path: &[&str], item: Value) {
    let mut entry = resource.metadata(key).unwrap_or(Value::Null);
    let mut list = match entry.get_path(path) {
        Some(Value::List(items)) => items.clone(),
        _ => Vec::new(),
    };
    if list.contains(&item) {
        return;
    }
    list.push(item);
    if path.is_empty() {
        entry = Value::List(list);
    } else {
        let keys: Vec<String> = path.iter().map(|k| (*k).to_owned()).collect();
        if !matches!(entry, Value::Map(_)) {
            entry = Value::object(Vec::<(String, Value)>::new());
        }
        entry.set_path(&keys, Value::List(list));
    }
    resource.add_metadata(key, entry);
}

fn is_suppressed(resource: &CfnResource, rule: Rule) -> bool {
    let own = match resource.metadata(SUPPRESSIONS_KEY) {
        Some(Value::List(items)) => items
            .iter()
            .any(|i| i.get_path(&["Rule"]).and_then(Value::as_str) == Some(rule.id())),
        _ => false,
    };
    own || !foreign_waivers(resource, rule).is_empty()
}

/// Another tool's waivers on `resource` of a check that asks what `rule` asks, as
/// `(tool and id, reason)`: cdk-nag's and cfn_nag's `rules_to_suppress`, checkov's
/// `skip`, Guard's `SuppressedRules` (which keeps no reason).
pub fn foreign_waivers(resource: &CfnResource, rule: Rule) -> Vec<(String, String)> {
    let ids = rule.scanner_ids(&resource.resource_type());
    let mut found = Vec::new();
    let mut read = |key: &str, list: &str, field: &str, reason: &str, known: &[&str]| {
        let Some(Value::List(items)) = resource
            .metadata(key)
            .and_then(|entry| entry.get_path(&[list]).cloned())
        else {
            return;
        };
        // A granular entry (cdk-nag's `applies_to`) waives only the findings it names.
        for item in items
            .iter()
            .filter(|i| i.get_path(&["applies_to"]).is_none())
        {
            let (id, why) = match item {
                Value::String(id) => (id.as_str(), ""),
                other => (
                    other
                        .get_path(&[field])
                        .and_then(Value::as_str)
                        .unwrap_or(""),
                    other
                        .get_path(&[reason])
                        .and_then(Value::as_str)
                        .unwrap_or(""),
                ),
            };
            if known.contains(&id) {
                found.push((format!("{key} {id}"), why.to_owned()));
            }
        }
    };
    let cdk_nag = rule.cdk_nag_ids(&resource.resource_type());
    let cdk_nag: Vec<&str> = cdk_nag.iter().map(String::as_str).collect();
    read("cdk_nag", "rules_to_suppress", "id", "reason", &cdk_nag);
    read("cfn_nag", "rules_to_suppress", "id", "reason", ids.cfn_nag);
    read("checkov", "skip", "id", "comment", ids.checkov);
    read("guard", "SuppressedRules", "", "", ids.guard);
    found
}

/// Reports a violation on the resource, unless it is suppressed.
fn report(resource: &CfnResource, rule: Rule, problem: &str, fix: &str) {
    if is_suppressed(resource, rule) {
        return;
    }
    if report_mode(resource) {
        append(
            resource,
            FINDINGS_KEY,
            &[],
            Value::object([
                ("Fix", Value::from(fix)),
                ("Problem", Value::from(problem)),
                ("Rule", Value::from(rule.id())),
            ]),
        );
    } else {
        resource.add_error(format!(
            "[{}] {problem}; {fix} (or, if it is safe, posture::suppress(&resource, Rule::{rule:?}, \"why\"))",
            rule.id()
        ));
    }
}
