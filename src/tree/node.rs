use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use super::aspects::AspectEntry;
use super::{
    Annotation, ConditionData, MappingData, OutputData, ParameterData, ResourceData, StackData,
    TagRule,
};

static NEXT_TREE_ID: AtomicU64 = AtomicU64::new(1);

/// The arena behind one app.
pub(crate) struct Tree {
    pub id: u64,
    pub nodes: Vec<Node>,
    pub context: BTreeMap<String, serde_json::Value>,
    /// Lookups the context could not answer, by key.
    pub missing: BTreeMap<String, super::lookup::MissingContext>,
    pub outdir: PathBuf,
    /// Monotonic counter giving tags and aspects their application order.
    pub seq: u64,
    /// Whether synthesis added the IAM catalogue checks (once per app).
    pub policies_checked: bool,
    /// Resources whose policies are accepted as deployed (their catalogue findings are
    /// warnings), with the reason.
    pub accepted_policies: BTreeMap<u32, String>,
}

pub(crate) struct Node {
    pub id: String,
    pub parent: Option<u32>,
    pub children: Vec<u32>,
    /// Full construct path, `stack/Vpc/Resource`; empty for the app root.
    pub path: String,
    pub kind: NodeKind,
    pub tags: Vec<TagRule>,
    pub aspects: Vec<AspectEntry>,
    pub annotations: Vec<Annotation>,
    pub removed: bool,
    /// A logical id pinned by the user (or by an included template) instead of the one
    /// the path gives.
    pub logical_id_override: Option<String>,
}

pub(crate) enum NodeKind {
    App,
    Scope,
    Stack(StackData),
    Resource(ResourceData),
    Parameter(ParameterData),
    Output(OutputData),
    Condition(ConditionData),
    Mapping(MappingData),
}

impl NodeKind {
    /// Whether this node becomes an entry of a template (and so needs a logical id).
    pub fn is_element(&self) -> bool {
        matches!(
            self,
            NodeKind::Resource(_)
                | NodeKind::Parameter(_)
                | NodeKind::Output(_)
                | NodeKind::Condition(_)
                | NodeKind::Mapping(_)
        )
    }
}

impl Tree {
    pub fn new(context: BTreeMap<String, serde_json::Value>, outdir: PathBuf) -> Tree {
        let root = Node {
            id: String::new(),
            parent: None,
            children: Vec::new(),
            path: String::new(),
            kind: NodeKind::App,
            tags: Vec::new(),
            aspects: Vec::new(),
            annotations: Vec::new(),
            removed: false,
            logical_id_override: None,
        };
        Tree {
            id: NEXT_TREE_ID.fetch_add(1, Ordering::Relaxed),
            nodes: vec![root],
            context,
            missing: BTreeMap::new(),
            outdir,
            seq: 0,
            policies_checked: false,
            accepted_policies: BTreeMap::new(),
        }
    }

    pub fn node(&self, index: u32) -> &Node {
        &self.nodes[index as usize]
    }

    pub fn node_mut(&mut self, index: u32) -> &mut Node {
        &mut self.nodes[index as usize]
    }

    /// Ancestors from the root down to `index` itself.
    pub fn lineage(&self, index: u32) -> Vec<u32> {
        let mut chain = vec![index];
        let mut cur = index;
        while let Some(p) = self.node(cur).parent {
            chain.push(p);
            cur = p;
        }
        chain.reverse();
        chain
    }

    /// The nearest stack at or above `index`.
    pub fn stack_of(&self, index: u32) -> Option<u32> {
        let mut cur = Some(index);
        while let Some(i) = cur {
            if matches!(self.node(i).kind, NodeKind::Stack(_)) {
                return Some(i);
            }
            cur = self.node(i).parent;
        }
        None
    }

    /// Whether the node or one of its ancestors was removed from the tree.
    pub fn is_removed(&self, index: u32) -> bool {
        self.lineage(index).iter().any(|&i| self.node(i).removed)
    }

    /// Nodes in depth-first pre-order (creation order among siblings), skipping removed subtrees.
    pub fn preorder(&self) -> Vec<u32> {
        let mut out = Vec::with_capacity(self.nodes.len());
        let mut stack = vec![0u32];
        while let Some(i) = stack.pop() {
            let n = self.node(i);
            if n.removed {
                continue;
            }
            out.push(i);
            stack.extend(n.children.iter().rev());
        }
        out
    }
}
