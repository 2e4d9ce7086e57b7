//! A role for `rcdk drift` from a scheduled GitHub workflow: it may detect drift on the
//! named stacks and read the configuration drift detection compares, and nothing else.
//!
//! Why not the deploy role: CloudFormation reads each resource with the credentials of
//! whoever asked for drift detection, so the role needs read access to every resource
//! type of the stacks; and a nightly job must not wait for prod's reviewers or hold
//! deploy rights. The read actions are the resource types' read handlers' permissions
//! (the CloudFormation registry's, in `rcdk::registry`) for the types the named stacks of
//! this app contain, collected when the app is complete; reads of data rather than
//! configuration (secret values, object contents, decryption) are left out, and
//! CloudFormation reports what it then cannot read as not checked.

use std::collections::BTreeSet;
use std::ops::Deref;

use rcdk::{AspectPriority, Aspects, Expr, Scope};

use super::{GithubOidcProvider, GithubSubject, GithubTrust, github_role, stack_arn};
use crate::iam::{PolicyStatement, Role};
use crate::units::Duration;

/// Settings of a [`GithubDriftRole`].
#[derive(Debug, Clone)]
pub struct GithubDriftRoleProps {
    /// The account's GitHub OIDC provider.
    pub provider: GithubOidcProvider,
    /// `OWNER/NAME`.
    pub repository: String,
    /// Which workflow runs may assume it (an environment without reviewers, such as
    /// `prod-drift`, limited to the default branch).
    pub subjects: Vec<GithubSubject>,
    /// Why a subject with `*` is safe; at least 20 characters.
    pub wildcard_reason: Option<String>,
    /// Names (or `*` patterns like `prod-*`) of the stacks it checks.
    pub stacks: Vec<String>,
    /// Regions of those stacks. Default (empty): the region of the stack holding the role.
    pub regions: Vec<String>,
    /// How long the workflow's credentials last. Default: 1 hour.
    pub max_session: Duration,
}

impl GithubDriftRoleProps {
    /// A role for `repository` trusted through `provider` by `subjects`, checking `stacks`.
    pub fn new(
        provider: &GithubOidcProvider,
        repository: &str,
        subjects: Vec<GithubSubject>,
        stacks: Vec<String>,
    ) -> GithubDriftRoleProps {
        GithubDriftRoleProps {
            provider: provider.clone(),
            repository: repository.to_owned(),
            subjects,
            wildcard_reason: None,
            stacks,
            regions: Vec::new(),
            max_session: Duration::hours(1),
        }
    }
}

/// A role GitHub Actions assume to run `rcdk drift` on the named stacks.
#[derive(Debug, Clone)]
pub struct GithubDriftRole {
    role: Role,
}

impl Deref for GithubDriftRole {
    type Target = Role;
    fn deref(&self) -> &Role {
        &self.role
    }
}

/// `name` matches `pattern`, where `*` stands for any characters (`prod-*`).
fn matches(pattern: &str, name: &str) -> bool {
    let mut parts = pattern.split('*');
    let first = parts.next().unwrap_or_default();
    let Some(mut rest) = name.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    let Some((last, middle)) = parts.split_last() else {
        return rest.is_empty();
    };
    for part in middle {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

/// A read handler's action that reads configuration, not data.
fn reads_configuration(action: &str) -> bool {
    const DATA: &[&str] = &[
        "secretsmanager:GetSecretValue",
        "s3:GetObject",
        "ssm:GetParameter",
        "ssm:GetParameters",
    ];
    let verb = action.split_once(':').map_or(action, |(_, a)| a);
    ["Describe", "Get", "List", "BatchGet", "Lookup"]
        .iter()
        .any(|v| verb.starts_with(v))
        && !DATA.contains(&action)
}

/// The configuration-reading actions of the read handlers of the resource types in the
/// stacks of `root`'s app named by `patterns`. A handler's wildcard (`autoscaling:Describe*`)
/// becomes the read and list actions it matches in IAM's catalogue: the role grants exact
/// actions, and none that a later service release adds.
fn read_actions(root: &Scope, patterns: &[String]) -> BTreeSet<String> {
    let mut actions = BTreeSet::new();
    for node in root.descendants() {
        let Some(resource) = node.as_resource() else {
            continue;
        };
        let in_named_stack = node
            .stack()
            .is_some_and(|s| patterns.iter().any(|p| matches(p, &s.stack_name())));
        if !in_named_stack {
            continue;
        }
        if let Some(info) = rcdk::registry::type_info(&resource.resource_type()) {
            for action in info
                .read_permissions
                .iter()
                .filter(|a| reads_configuration(a))
            {
                actions.extend(exact(action));
            }
        }
    }
    actions
}

/// `action`, or the read and list actions its wildcard matches.
fn exact(action: &str) -> Vec<String> {
    let Some((prefix, name)) = action.split_once(':') else {
        return vec![action.to_owned()];
    };
    if !name.contains('*') {
        return vec![action.to_owned()];
    }
    let Some(service) = rcdk::iam::catalogue().service(prefix) else {
        return Vec::new();
    };
    service
        .matching(name)
        .into_iter()
        .filter(|a| {
            a.access
                .names()
                .iter()
                .all(|level| matches!(*level, "Read" | "List"))
        })
        .map(|a| format!("{}:{}", service.prefix, a.name))
        .collect()
}

/// What the read statement may take of IAM's 10,240 characters of a role's inline
/// policies, leaving room for the detection statements.
const READS_BUDGET: usize = 9_000;

/// The characters `actions` take in a policy document (`"a",` each).
fn policy_size(actions: &BTreeSet<String>) -> usize {
    actions.iter().map(|a| a.len() + 3).sum()
}

impl GithubDriftRole {
    /// Adds the role below `scope`.
    pub fn new(scope: &Scope, id: &str, props: GithubDriftRoleProps) -> GithubDriftRole {
        let (role, regions) = github_role(
            scope,
            id,
            format!(
                "Detects drift of {} from GitHub Actions of {}",
                props.stacks.join(", "),
                props.repository
            ),
            GithubTrust {
                provider: &props.provider,
                repository: &props.repository,
                subjects: &props.subjects,
                wildcard_reason: props.wildcard_reason.as_deref(),
                max_session: props.max_session,
            },
            Some(&props.stacks),
            &props.regions,
        );
        // What `rcdk drift` calls, on those stacks only.
        let mut detect = PolicyStatement::allow()
            .sid("DetectDriftOfTheNamedStacks")
            .actions([
                "cloudformation:DescribeStacks",
                "cloudformation:DetectStackDrift",
                "cloudformation:DetectStackResourceDrift",
                "cloudformation:DescribeStackResourceDrifts",
            ]);
        for r in &regions {
            for s in &props.stacks {
                detect = detect.resource(stack_arn(r, s));
            }
        }
        role.add_to_policy(detect);
        // A detection's status is asked by its id: the action takes no resource.
        role.add_to_policy(
            PolicyStatement::allow()
                .sid("FollowDriftDetection")
                .actions(["cloudformation:DescribeStackDriftDetectionStatus"])
                .resource("*"),
        );
        // The stacks' resources are read once the app is complete: an aspect of the
        // app's root runs before any other node's, with every stack built.
        let mut root = scope.clone();
        while let Some(parent) = root.parent() {
            root = parent;
        }
        let (reader, patterns) = (role.clone(), props.stacks.clone());
        Aspects::of(&root).add_with_priority(
            move |node: &Scope| {
                if node.parent().is_some() {
                    return;
                }
                let actions = read_actions(node, &patterns);
                if actions.is_empty() {
                    return;
                }
                let size = policy_size(&actions);
                if size > READS_BUDGET {
                    reader.add_error(format!(
                        "the read actions of the stacks {patterns:?} take about {size} characters of the role's inline policies, which IAM caps at 10,240 in all; give each group of stacks a drift role of its own"
                    ));
                }
                reader.add_to_policy(
                    PolicyStatement::allow()
                        .sid("ReadWhatDriftDetectionCompares")
                        .actions(actions)
                        .resource(Expr::from("*")),
                );
                crate::posture::suppress(
                    &reader,
                    crate::posture::Rule::WildcardResource,
                    "drift detection reads every resource of the named stacks, whose names CloudFormation chooses; the actions are the resource types' read handlers' configuration reads, no data",
                );
            },
            AspectPriority::MUTATING,
        );
        GithubDriftRole { role }
    }
}

impl crate::iam::Grantable for GithubDriftRole {
    fn grant_role(&self) -> &Role {
        &self.role
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stack_patterns_match_like_the_cli() {
        assert!(matches("prod-*", "prod-web"));
        assert!(matches("prod-*", "prod-"));
        assert!(!matches("prod-*", "staging-web"));
        assert!(matches("*-web", "prod-web"));
        assert!(matches("prod-*-db", "prod-eu-db"));
        assert!(!matches("prod-*-db", "prod-db"));
        assert!(matches("prod", "prod"));
        assert!(!matches("prod", "prod-web"));
    }

    #[test]
    fn a_read_statement_over_the_inline_policy_budget_is_seen() {
        let names: Vec<String> = (0..400)
            .map(|i| format!("service:DescribeThing{i:03}"))
            .collect();
        let many: BTreeSet<String> = names.iter().cloned().collect();
        assert!(policy_size(&many) > READS_BUDGET);
        let few: BTreeSet<String> = names.iter().take(100).cloned().collect();
        assert!(policy_size(&few) < READS_BUDGET);
    }

    #[test]
    fn only_configuration_reads_are_granted() {
        assert!(reads_configuration("s3:GetBucketVersioning"));
        assert!(reads_configuration("ec2:DescribeSubnets"));
        assert!(!reads_configuration("secretsmanager:GetSecretValue"));
        assert!(!reads_configuration("kms:Decrypt"));
        assert!(!reads_configuration(
            "elasticloadbalancing:CreateWebACLAssociation"
        ));
    }
}
