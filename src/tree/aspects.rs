use std::collections::BTreeSet;
use std::rc::Rc;

use super::Scope;

/// A visitor run over every construct at or below the scope it was added to, before
/// synthesis. It can inspect, annotate (`add_warning`/`add_error`) or change resources.
pub trait Aspect {
    /// Called once for every construct node at or below the scope it was added to.
    fn visit(&self, node: &Scope);
}

impl<F: Fn(&Scope)> Aspect for F {
    fn visit(&self, node: &Scope) {
        self(node)
    }
}

/// Priorities as in the AWS CDK: lower runs first.
pub struct AspectPriority;

impl AspectPriority {
    /// Aspects that change resources (run first).
    pub const MUTATING: i32 = 200;
    /// The default.
    pub const DEFAULT: i32 = 500;
    /// Aspects that only read (posture checks), run last.
    pub const READONLY: i32 = 1000;
}

#[derive(Clone)]
pub(crate) struct AspectEntry {
    pub aspect: Rc<dyn Aspect>,
    pub priority: i32,
    pub seq: u64,
}

/// Adds aspects to a scope.
pub struct Aspects {
    scope: Scope,
}

impl Aspects {
    /// The aspects of `scope`.
    pub fn of(scope: &Scope) -> Aspects {
        Aspects {
            scope: scope.clone(),
        }
    }

    /// Adds `aspect` at the default priority.
    pub fn add(&self, aspect: impl Aspect + 'static) {
        self.add_with_priority(aspect, AspectPriority::DEFAULT);
    }

    /// Adds `aspect` at `priority` (lower runs first).
    pub fn add_with_priority(&self, aspect: impl Aspect + 'static, priority: i32) {
        let mut tree = self.scope.tree.borrow_mut();
        tree.seq += 1;
        let seq = tree.seq;
        tree.node_mut(self.scope.index).aspects.push(AspectEntry {
            aspect: Rc::new(aspect),
            priority,
            seq,
        });
    }
}

/// Invokes every aspect once on every node below the scope it was added to, in
/// priority order, then application order. Constructs that aspects add are visited too.
pub(crate) fn invoke_aspects(root: &Scope) {
    let mut done: BTreeSet<(u32, u64)> = BTreeSet::new();
    let mut pending = vec![root.index];
    while let Some(index) = pending.pop() {
        let (mut entries, removed) = {
            let tree = root.tree.borrow();
            let entries: Vec<AspectEntry> = tree
                .lineage(index)
                .iter()
                .flat_map(|&i| tree.node(i).aspects.iter().cloned())
                .collect();
            (entries, tree.node(index).removed)
        };
        if removed {
            continue;
        }
        entries.sort_by_key(|e| (e.priority, e.seq));
        let node = Scope {
            tree: Rc::clone(&root.tree),
            index,
        };
        for entry in entries {
            if done.insert((index, entry.seq)) {
                // No borrow is held here: the aspect may freely change the tree.
                entry.aspect.visit(&node);
            }
        }
        let tree = root.tree.borrow();
        pending.extend(tree.node(index).children.iter().rev());
    }
}
