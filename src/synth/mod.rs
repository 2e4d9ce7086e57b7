//! Synthesis: aspects → logical ids → templates (with cross-stack wiring) → validation.

mod assembly;
pub mod cross_region;
mod graph;
mod limits;
pub(crate) mod logical_id;
pub mod outdir;
mod placement;
mod render;
pub(crate) mod template;

pub use assembly::{CloudAssembly, MANIFEST_VERSION, StackArtifact};
pub use limits::Limits;
pub use outdir::{OutdirState, check_output_dir};

use std::collections::BTreeMap;

use crate::error::{Problem, SynthError};
use crate::tree::{AnnotationLevel, NodeKind, Scope, Tree};
use render::Context;

pub(crate) fn synthesize(root: &Scope) -> Result<CloudAssembly, SynthError> {
    crate::posture::check_policies(root);
    crate::tree::invoke_aspects(root);
    placement::place_floating_resources(root);
    // From here on the tree is only read: lazy values may read it, but not change it.
    let tree = root.tree.borrow();
    let mut problems = annotation_errors(&tree);
    let stacks = stacks_in_order(&tree);
    if stacks.is_empty() {
        problems.push(Problem::new(
            "",
            "the app defines no stacks; add one with Stack::new(&app, …)",
            None,
        ));
    }
    check_stack_names(&tree, &stacks, &mut problems);
    let ids = assign_logical_ids(&tree, &stacks, &mut problems);
    let mut ctx = Context {
        tree: &tree,
        ids,
        exports: BTreeMap::new(),
        dependencies: Default::default(),
        cross_region: BTreeMap::new(),
        cross_account: BTreeMap::new(),
        parameters: BTreeMap::new(),
        problems: Vec::new(),
    };
    let mut templates: BTreeMap<u32, template::StackTemplate> = BTreeMap::new();
    for &stack in &stacks {
        templates.insert(stack, template::render_stack(&mut ctx, stack));
    }
    let exports = std::mem::take(&mut ctx.exports);
    for (producer, outputs) in exports {
        if let Some(t) = templates.get_mut(&producer) {
            t.add_exports(outputs, &mut ctx.problems);
        }
    }
    for (producer, values) in std::mem::take(&mut ctx.cross_region) {
        if let Some(t) = templates.get_mut(&producer) {
            t.add_cross_region_values(values);
        }
    }
    for (consumer, values) in std::mem::take(&mut ctx.cross_account) {
        if let Some(t) = templates.get_mut(&consumer) {
            t.add_cross_account_values(values);
        }
    }
    for (consumer, parameters) in std::mem::take(&mut ctx.parameters) {
        if let Some(t) = templates.get_mut(&consumer) {
            t.add_parameters(parameters, &mut ctx.problems);
        }
    }
    let dependencies = graph::dependencies(&ctx, &stacks);
    problems.append(&mut ctx.problems);
    if let Err(p) = graph::check_cycles(&ctx, &dependencies) {
        problems.push(p);
    }
    let order = graph::topological(&stacks, &dependencies, &ctx);
    let mut artifacts = Vec::with_capacity(order.len());
    for stack in order {
        let Some(t) = templates.remove(&stack) else {
            continue;
        };
        let artifact = assembly::artifact(&tree, &ctx, stack, t, &dependencies);
        limits::check(&artifact, &Limits::CLOUDFORMATION, &mut problems);
        assembly::check_stack_set(&artifact, &mut problems);
        artifacts.push(artifact);
    }
    if problems.is_empty() {
        Ok(CloudAssembly {
            stacks: artifacts,
            missing: tree.missing.values().cloned().collect(),
        })
    } else {
        problems.sort();
        problems.dedup();
        Err(SynthError { problems })
    }
}

fn annotation_errors(tree: &Tree) -> Vec<Problem> {
    let mut out = Vec::new();
    for index in tree.preorder() {
        let node = tree.node(index);
        for a in &node.annotations {
            if a.level == AnnotationLevel::Error {
                out.push(Problem::new(node.path.clone(), a.message.clone(), None));
            }
        }
    }
    out
}

/// Stack nodes in tree order.
fn stacks_in_order(tree: &Tree) -> Vec<u32> {
    tree.preorder()
        .into_iter()
        .filter(|&i| matches!(tree.node(i).kind, NodeKind::Stack(_)))
        .collect()
}

fn check_stack_names(tree: &Tree, stacks: &[u32], problems: &mut Vec<Problem>) {
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    for &s in stacks {
        let node = tree.node(s);
        let NodeKind::Stack(data) = &node.kind else {
            continue;
        };
        let name = &data.name;
        let valid = name.len() <= 128
            && name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
        if !valid {
            problems.push(Problem::new(
                node.path.clone(),
                format!("stack name '{name}' is invalid"),
                Some("a stack name starts with a letter, has only letters, digits and '-', and is at most 128 characters".into()),
            ));
        }
        if let Some(other) = seen.insert(name.clone(), node.path.clone()) {
            problems.push(Problem::new(
                node.path.clone(),
                format!("stack name '{name}' is also used by '{other}'; stack names must be unique in an app"),
                None,
            ));
        }
    }
}

/// Gives every template element a logical id, rejecting collisions and over-long ids.
fn assign_logical_ids(
    tree: &Tree,
    stacks: &[u32],
    problems: &mut Vec<Problem>,
) -> Vec<Option<(u32, String)>> {
    let mut ids: Vec<Option<(u32, String)>> = vec![None; tree.nodes.len()];
    for &stack in stacks {
        let stack_path = tree.node(stack).path.clone();
        // CloudFormation's namespaces: parameters and resources share one (both are
        // `Ref` targets); conditions, mappings and outputs have their own.
        let mut taken: BTreeMap<(u8, String), String> = BTreeMap::new();
        for index in subtree(tree, stack) {
            let node = tree.node(index);
            if !node.kind.is_element() {
                continue;
            }
            let relative = node
                .path
                .strip_prefix(&stack_path)
                .unwrap_or(&node.path)
                .trim_start_matches('/');
            let components: Vec<&str> = relative.split('/').collect();
            let overridden = node.logical_id_override.clone();
            let id = overridden
                .clone()
                .unwrap_or_else(|| logical_id::from_components(&components));
            if !logical_id::is_valid(&id) {
                let message = if id.len() > logical_id::MAX_LENGTH {
                    format!(
                        "logical id '{}…' is {} characters long, over CloudFormation's {}",
                        &id[..40],
                        id.len(),
                        logical_id::MAX_LENGTH
                    )
                } else {
                    format!("logical id '{id}' is invalid: only letters and digits are allowed")
                };
                let hint = if overridden.is_some() {
                    "pass an alphanumeric id of at most 255 characters to override_logical_id"
                } else {
                    "use shorter construct ids, or pin the id with override_logical_id"
                };
                problems.push(Problem::new(node.path.clone(), message, Some(hint.into())));
                continue;
            }
            let namespace = match &node.kind {
                NodeKind::Condition(_) => 1,
                NodeKind::Mapping(_) => 2,
                NodeKind::Output(_) => 3,
                _ => 0,
            };
            if let Some(other) = taken.get(&(namespace, id.clone())) {
                problems.push(Problem::new(
                    node.path.clone(),
                    format!("logical id '{id}' collides with the one of '{other}'"),
                    Some(
                        "rename one of the constructs, or pin one with override_logical_id".into(),
                    ),
                ));
                continue;
            }
            taken.insert((namespace, id.clone()), node.path.clone());
            ids[index as usize] = Some((stack, id));
        }
    }
    ids
}

/// Nodes below `stack` (not itself) in tree order, not descending into other stacks.
pub(crate) fn subtree(tree: &Tree, stack: u32) -> Vec<u32> {
    let mut out = Vec::new();
    let mut pending: Vec<u32> = tree.node(stack).children.iter().rev().copied().collect();
    while let Some(i) = pending.pop() {
        let n = tree.node(i);
        if n.removed || matches!(n.kind, NodeKind::Stack(_)) {
            continue;
        }
        out.push(i);
        pending.extend(n.children.iter().rev());
    }
    out
}
