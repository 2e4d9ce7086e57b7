//! Resources whose stack is chosen at synthesis: the first candidate stack where the
//! references they make add no dependency cycle. Security-group rules between two
//! stacks use it, so `db.allow_from(&service)` works whichever stack reads the other
//! (the AWS CDK fails with `DependencyCycle` there).

use std::collections::{BTreeMap, BTreeSet};

use crate::expr::Intrinsic;
use crate::tree::{NodeKind, Scope, Tree};

type Graph = BTreeMap<u32, BTreeSet<u32>>;

/// Stacks that `node`'s references point into.
fn referenced_stacks(tree: &Tree, node: u32) -> BTreeSet<u32> {
    let mut targets = BTreeSet::new();
    let mut visit = |i: &Intrinsic| {
        let e = match i {
            Intrinsic::Ref(e) | Intrinsic::GetAtt { target: e, .. } => *e,
            _ => return,
        };
        if e.tree == tree.id
            && (e.node as usize) < tree.nodes.len()
            && !tree.is_removed(e.node)
            && let Some(s) = tree.stack_of(e.node)
        {
            targets.insert(s);
        }
    };
    match &tree.node(node).kind {
        NodeKind::Resource(r) => {
            r.properties().visit_intrinsics(&mut visit);
            for &d in &r.depends_on {
                if let Some(s) = tree.stack_of(d) {
                    targets.insert(s);
                }
            }
        }
        NodeKind::Output(o) => o.props.value.as_value().visit_intrinsics(&mut visit),
        _ => {}
    }
    targets
}

fn reaches(g: &Graph, from: u32, to: u32) -> bool {
    let mut seen = BTreeSet::new();
    let mut pending = vec![from];
    while let Some(n) = pending.pop() {
        if n == to {
            return true;
        }
        if seen.insert(n) {
            pending.extend(g.get(&n).into_iter().flatten());
        }
    }
    false
}

/// Moves every floating resource into its chosen stack.
pub(crate) fn place_floating_resources(root: &Scope) {
    let moves = {
        let tree = root.tree.borrow();
        let preorder = tree.preorder();
        let floating: Vec<(u32, Vec<u32>)> = preorder
            .iter()
            .filter_map(|&i| match &tree.node(i).kind {
                NodeKind::Resource(r) if !r.alternative_stacks.is_empty() => {
                    Some((i, r.alternative_stacks.clone()))
                }
                _ => None,
            })
            .collect();
        if floating.is_empty() {
            return;
        }
        let floating_nodes: BTreeSet<u32> = floating.iter().map(|(i, _)| *i).collect();
        let mut graph: Graph = BTreeMap::new();
        for &i in &preorder {
            if floating_nodes.contains(&i) {
                continue;
            }
            match &tree.node(i).kind {
                NodeKind::Stack(s) => {
                    graph
                        .entry(i)
                        .or_default()
                        .extend(s.explicit_dependencies.iter().copied());
                }
                NodeKind::Resource(_) | NodeKind::Output(_) => {
                    if let Some(home) = tree.stack_of(i) {
                        let refs = referenced_stacks(&tree, i);
                        graph
                            .entry(home)
                            .or_default()
                            .extend(refs.into_iter().filter(|&s| s != home));
                    }
                }
                _ => {}
            }
        }
        let mut moves = Vec::new();
        for (node, alternatives) in floating {
            let Some(home) = tree.stack_of(node) else {
                continue;
            };
            let refs = referenced_stacks(&tree, node);
            let edges_from = |stack: u32| refs.iter().copied().filter(move |&t| t != stack);
            let stack = std::iter::once(home)
                .chain(alternatives)
                .find(|&stack| edges_from(stack).all(|target| !reaches(&graph, target, stack)))
                .unwrap_or(home);
            graph.entry(stack).or_default().extend(edges_from(stack));
            if stack != home {
                moves.push((node, stack));
            }
        }
        moves
    };
    let mut tree = root.tree.borrow_mut();
    for (node, stack) in moves {
        reparent(&mut tree, node, stack);
    }
}

fn reparent(tree: &mut Tree, node: u32, new_parent: u32) {
    if let Some(old) = tree.node(node).parent {
        tree.node_mut(old).children.retain(|&c| c != node);
    }
    let id = tree.node(node).id.clone();
    let path = format!("{}/{id}", tree.node(new_parent).path);
    let n = tree.node_mut(node);
    n.parent = Some(new_parent);
    n.path = path;
    tree.node_mut(new_parent).children.push(node);
}
