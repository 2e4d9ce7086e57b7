//! The IAM catalogue's checks ([`crate::iam`]) on every policy statement of every
//! resource: identity policies, trust policies and resource policies. They run at every
//! synthesis, with or without [`super::enforce`]: a policy IAM accepts and then never
//! matches is a bug whatever else the app checks. Findings are errors (or report-mode
//! findings) and are waived as any rule is, with [`super::suppress`] and a reason; a
//! resource whose policies are what is already deployed (migrated, imported) can have its
//! findings shown as warnings instead ([`accept_as_deployed`]), its template unchanged.

use crate::expr::ElementRef;
use crate::iam::{self, DocumentKind, FindingKind};
use crate::tree::NodeKind;
use crate::{AspectPriority, Aspects, CfnResource, Scope};

use super::policy::{
    Statement, identity_statements, may_hold_policies, resource_statements, trust_statements,
};
use super::{Rule, report};

fn rule(kind: FindingKind) -> Rule {
    match kind {
        FindingKind::UnknownAction => Rule::IamUnknownAction,
        FindingKind::ResourceMismatch => Rule::IamResourceMismatch,
        FindingKind::UnknownConditionKey => Rule::IamConditionKey,
        FindingKind::ResourceStar => Rule::WildcardResource,
        FindingKind::AllowWithNot => Rule::IamAllowWithNot,
    }
}

/// Adds the checks to the app once (synthesis calls this on every run).
pub(crate) fn add_once(root: &Scope) {
    {
        let mut tree = root.tree.borrow_mut();
        if tree.policies_checked {
            return;
        }
        tree.policies_checked = true;
    }
    Aspects::of(root).add_with_priority(
        |node: &Scope| {
            if let Some(resource) = node.as_resource() {
                check(&resource);
            }
        },
        AspectPriority::READONLY,
    );
}

/// Shows the IAM catalogue's findings on `resource` as warnings instead of errors, its
/// template unchanged: for policies that are what is already deployed (a migrated or
/// imported stack), to narrow one by one. The reason (at least 20 characters) is part of
/// every warning; `rcdk posture` still reports the findings. `rcdk migrate` writes this
/// line for each resource whose policies have findings.
pub fn accept_as_deployed(resource: &CfnResource, reason: &str) {
    if reason.trim().chars().count() < super::MIN_REASON_CHARS {
        resource.add_error(format!(
            "accepting policies as deployed needs a written reason of at least {} characters (where they come from, who reviews them)",
            super::MIN_REASON_CHARS
        ));
        return;
    }
    let index = resource.scope().index;
    resource
        .scope()
        .tree
        .borrow_mut()
        .accepted_policies
        .insert(index, reason.trim().to_owned());
}

fn check(resource: &CfnResource) {
    let type_name = resource.resource_type();
    // Rendering a resource's properties is the cost of this check: only where policies are.
    if !may_hold_policies(&type_name) {
        return;
    }
    let props = resource.properties();
    let documents: [(Vec<Statement<'_>>, DocumentKind); 3] = [
        (
            identity_statements(&type_name, &props),
            DocumentKind::Identity,
        ),
        (
            resource_statements(&type_name, &props),
            DocumentKind::Resource,
        ),
        (trust_statements(&type_name, &props), DocumentKind::Trust),
    ];
    if documents.iter().all(|(s, _)| s.is_empty()) {
        return;
    }
    let scope = resource.scope().clone();
    let target = move |target: &ElementRef| -> Option<iam::Target> {
        let tree = scope.tree.borrow();
        if target.tree != tree.id {
            return None;
        }
        let node = tree.nodes.get(target.node as usize)?;
        match &node.kind {
            NodeKind::Resource(data) => Some((data.type_name.clone(), node.path.clone())),
            _ => None,
        }
    };
    let entry = |v: &crate::Value| iam::resource_entry(v, &target);
    let catalogue = iam::catalogue();
    let accepted = {
        let scope = resource.scope();
        let tree = scope.tree.borrow();
        tree.accepted_policies.get(&scope.index).cloned()
    };
    for (statements, kind) in &documents {
        for s in statements {
            for finding in iam::check_statement(catalogue, s.value, *kind, &entry) {
                let rule = rule(finding.kind);
                let problem = format!("{}: {}", s.place, finding.problem);
                match &accepted {
                    Some(reason)
                        if !super::report_mode(resource)
                            && !super::is_suppressed(resource, rule) =>
                    {
                        resource.add_warning(format!(
                            "[{}] {problem}; {} (accepted as deployed: {reason})",
                            rule.id(),
                            finding.fix
                        ));
                    }
                    _ => report(resource, rule, &problem, &finding.fix),
                }
            }
        }
    }
}
