//! Stack dependencies: from references, explicit `add_dependency`, and cross-stack DependsOn.

use std::collections::{BTreeMap, BTreeSet};

use super::render::Context;
use crate::error::Problem;
use crate::tree::NodeKind;

/// Consumer stack → the stacks it must be deployed after.
pub(crate) type Dependencies = BTreeMap<u32, BTreeSet<u32>>;

pub(crate) fn dependencies(ctx: &Context<'_>, stacks: &[u32]) -> Dependencies {
    let mut deps: Dependencies = stacks.iter().map(|&s| (s, BTreeSet::new())).collect();
    for &(consumer, producer) in &ctx.dependencies {
        if consumer != producer {
            deps.entry(consumer).or_default().insert(producer);
        }
    }
    for &s in stacks {
        if let NodeKind::Stack(data) = &ctx.tree.node(s).kind {
            for &d in &data.explicit_dependencies {
                if d != s && !ctx.tree.is_removed(d) {
                    deps.entry(s).or_default().insert(d);
                }
            }
        }
    }
    deps
}

/// Fails with the chain of stacks when the dependencies form a cycle.
pub(crate) fn check_cycles(ctx: &Context<'_>, deps: &Dependencies) -> Result<(), Problem> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        Visiting,
        Done,
    }
    fn visit(
        n: u32,
        deps: &Dependencies,
        marks: &mut BTreeMap<u32, Mark>,
        path: &mut Vec<u32>,
    ) -> Option<Vec<u32>> {
        match marks.get(&n) {
            Some(Mark::Done) => return None,
            Some(Mark::Visiting) => {
                let start = path.iter().position(|&p| p == n).unwrap_or(0);
                let mut cycle = path[start..].to_vec();
                cycle.push(n);
                return Some(cycle);
            }
            None => {}
        }
        marks.insert(n, Mark::Visiting);
        path.push(n);
        for &d in deps.get(&n).into_iter().flatten() {
            if let Some(c) = visit(d, deps, marks, path) {
                return Some(c);
            }
        }
        path.pop();
        marks.insert(n, Mark::Done);
        None
    }
    let mut marks = BTreeMap::new();
    for &n in deps.keys() {
        if let Some(cycle) = visit(n, deps, &mut marks, &mut Vec::new()) {
            let chain: Vec<String> = cycle.iter().map(|&s| ctx.stack_name(s)).collect();
            return Err(Problem::new(
                ctx.tree.node(cycle[0]).path.clone(),
                format!("stacks depend on each other in a cycle: {}", chain.join(" → ")),
                Some("move the shared resources into one stack, or break a reference so that one stack only reads from the other".into()),
            ));
        }
    }
    Ok(())
}

/// Stacks with their dependencies first; ties in tree order. Stacks caught in a
/// cycle (already reported) come last.
pub(crate) fn topological(stacks: &[u32], deps: &Dependencies, _ctx: &Context<'_>) -> Vec<u32> {
    let mut placed: BTreeSet<u32> = BTreeSet::new();
    let mut order = Vec::with_capacity(stacks.len());
    loop {
        let next = stacks.iter().copied().find(|s| {
            !placed.contains(s)
                && deps
                    .get(s)
                    .is_none_or(|d| d.iter().all(|x| placed.contains(x)))
        });
        match next {
            Some(s) => {
                placed.insert(s);
                order.push(s);
            }
            None => break,
        }
    }
    order.extend(stacks.iter().copied().filter(|s| !placed.contains(s)));
    order
}
