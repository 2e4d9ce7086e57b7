use std::cell::RefCell;
use std::fmt;
use std::rc::Rc;

use super::{Annotation, AnnotationLevel, CfnResource, Node, NodeKind, Stack, Tree};
use crate::expr::ElementRef;

/// A handle to one node of the construct tree. Cloning it is cheap; every clone
/// refers to the same node.
#[derive(Clone)]
pub struct Scope {
    pub(crate) tree: Rc<RefCell<Tree>>,
    pub(crate) index: u32,
}

impl fmt::Debug for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Scope({:?})", self.path())
    }
}

impl PartialEq for Scope {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.tree, &other.tree) && self.index == other.index
    }
}

impl Scope {
    /// A plain construct (a grouping node) below `parent`.
    pub fn new(parent: &Scope, id: &str) -> Scope {
        parent.add_child(id, NodeKind::Scope)
    }

    pub(crate) fn add_child(&self, id: &str, kind: NodeKind) -> Scope {
        let mut tree = self.tree.borrow_mut();
        let index = u32::try_from(tree.nodes.len()).unwrap_or(u32::MAX);
        let parent_path = tree.node(self.index).path.clone();
        let mut problems = Vec::new();
        let mut clean_id = id.to_owned();
        if id.is_empty() {
            problems.push("a construct id must not be empty; give the construct a name".to_owned());
            clean_id = format!("Unnamed{index}");
        } else if id.contains('/') {
            problems.push(format!(
                "construct id '{id}' contains '/', which separates path components; use '-' instead"
            ));
            clean_id = id.replace('/', "-");
        }
        let duplicate = tree
            .node(self.index)
            .children
            .iter()
            .any(|&c| !tree.node(c).removed && tree.node(c).id == clean_id);
        if duplicate {
            let scope = if parent_path.is_empty() {
                "the app".to_owned()
            } else {
                format!("'{parent_path}'")
            };
            problems.push(format!(
                "there is already a construct with id '{clean_id}' in {scope}; give each child of a scope a unique id"
            ));
        }
        let path = if parent_path.is_empty() {
            clean_id.clone()
        } else {
            format!("{parent_path}/{clean_id}")
        };
        let annotations = problems
            .into_iter()
            .map(|message| Annotation {
                level: AnnotationLevel::Error,
                message,
            })
            .collect();
        tree.nodes.push(Node {
            id: clean_id,
            parent: Some(self.index),
            children: Vec::new(),
            path,
            kind,
            tags: Vec::new(),
            aspects: Vec::new(),
            annotations,
            removed: false,
            logical_id_override: None,
        });
        tree.node_mut(self.index).children.push(index);
        Scope {
            tree: Rc::clone(&self.tree),
            index,
        }
    }

    /// Pins the logical id of this template element (resource, parameter, condition,
    /// mapping or output) instead of the one its path gives.
    pub(crate) fn pin_logical_id(&self, logical_id: String) {
        self.tree
            .borrow_mut()
            .node_mut(self.index)
            .logical_id_override = Some(logical_id);
    }

    /// The logical id pinned on this element (an included template's keep theirs).
    pub(crate) fn pinned_logical_id(&self) -> Option<String> {
        self.tree
            .borrow()
            .node(self.index)
            .logical_id_override
            .clone()
    }

    /// Pins the logical id of this construct's resource, so that a construct renamed or
    /// moved in code keeps the resource CloudFormation has (instead of replacing it):
    /// the construct itself when it is a template element, else its default child
    /// `Resource` (the main resource of an L2). Without either, an error on the
    /// construct says where to call it instead.
    pub fn override_logical_id(&self, logical_id: impl Into<String>) {
        let element = !matches!(
            self.tree.borrow().node(self.index).kind,
            NodeKind::App | NodeKind::Scope | NodeKind::Stack(_)
        );
        if element {
            self.pin_logical_id(logical_id.into());
        } else if let Some(resource) = self.find_child("Resource") {
            resource.pin_logical_id(logical_id.into());
        } else {
            self.add_error(
                "override_logical_id: this construct has no resource of its own (no child 'Resource'); call it on the resource to keep (find_child(ID) of this construct)",
            );
        }
    }

    /// The id of this construct within its parent.
    pub fn id(&self) -> String {
        self.tree.borrow().node(self.index).id.clone()
    }

    /// The full construct path (`dev-network/Vpc/PublicSubnet1`).
    pub fn path(&self) -> String {
        self.tree.borrow().node(self.index).path.clone()
    }

    /// The stack this construct belongs to (itself, if it is a stack).
    pub fn stack(&self) -> Option<Stack> {
        let index = self.tree.borrow().stack_of(self.index)?;
        Some(Stack::from_scope(Scope {
            tree: Rc::clone(&self.tree),
            index,
        }))
    }

    /// The parent construct, or `None` for the app.
    pub fn parent(&self) -> Option<Scope> {
        let parent = self.tree.borrow().node(self.index).parent?;
        Some(Scope {
            tree: Rc::clone(&self.tree),
            index: parent,
        })
    }

    /// Direct children, in creation order.
    pub fn children(&self) -> Vec<Scope> {
        let tree = self.tree.borrow();
        tree.node(self.index)
            .children
            .iter()
            .filter(|&&c| !tree.node(c).removed)
            .map(|&index| Scope {
                tree: Rc::clone(&self.tree),
                index,
            })
            .collect()
    }

    /// The child construct `id`, if there is one.
    pub fn find_child(&self, id: &str) -> Option<Scope> {
        self.children().into_iter().find(|c| c.id() == id)
    }

    /// Removes a child (and everything below it) from the tree. References to the
    /// removed constructs become synthesis errors. Returns whether a child was removed.
    pub fn try_remove_child(&self, id: &str) -> bool {
        let Some(child) = self.find_child(id) else {
            return false;
        };
        self.tree.borrow_mut().node_mut(child.index).removed = true;
        true
    }

    /// The context value `key` (from `cdk.json`, `-c key=value` or the app itself).
    pub fn context(&self, key: &str) -> Option<serde_json::Value> {
        self.tree.borrow().context.get(key).cloned()
    }

    /// The context value `key` as a string, when it is one.
    pub fn context_str(&self, key: &str) -> Option<String> {
        self.context(key)
            .and_then(|v| v.as_str().map(str::to_owned))
    }

    /// Attaches an informational message to this construct.
    pub fn add_info(&self, message: impl Into<String>) {
        self.annotate(AnnotationLevel::Info, message.into());
    }

    /// Attaches a warning to this construct; synthesis goes on and lists it.
    pub fn add_warning(&self, message: impl Into<String>) {
        self.annotate(AnnotationLevel::Warning, message.into());
    }

    /// An error on this construct: synthesis fails and names this construct's path.
    pub fn add_error(&self, message: impl Into<String>) {
        self.annotate(AnnotationLevel::Error, message.into());
    }

    fn annotate(&self, level: AnnotationLevel, message: String) {
        let mut tree = self.tree.borrow_mut();
        let annotations = &mut tree.node_mut(self.index).annotations;
        let annotation = Annotation { level, message };
        if !annotations.contains(&annotation) {
            annotations.push(annotation);
        }
    }

    /// The messages attached to this construct.
    pub fn annotations(&self) -> Vec<Annotation> {
        self.tree.borrow().node(self.index).annotations.clone()
    }

    /// This node as a CloudFormation resource, when it is one (for aspects).
    pub fn as_resource(&self) -> Option<CfnResource> {
        let is_resource = matches!(
            self.tree.borrow().node(self.index).kind,
            NodeKind::Resource(_)
        );
        is_resource.then(|| CfnResource::from_scope(self.clone()))
    }

    /// Every construct at or below this one, in tree order.
    pub fn descendants(&self) -> Vec<Scope> {
        let tree = self.tree.borrow();
        let mut out = Vec::new();
        let mut stack = vec![self.index];
        while let Some(i) = stack.pop() {
            let n = tree.node(i);
            if n.removed {
                continue;
            }
            out.push(Scope {
                tree: Rc::clone(&self.tree),
                index: i,
            });
            stack.extend(n.children.iter().rev());
        }
        out
    }

    /// The pseudo parameters of this scope's stack, which keep their meaning when the
    /// value is used in another stack (`scope.aws().sub("${AWS::StackName}-Acl")`).
    pub fn aws(&self) -> crate::expr::fns::ScopedAws {
        crate::expr::fns::ScopedAws::new(self.stack().map(|s| s.element()))
    }

    pub(crate) fn element(&self) -> ElementRef {
        ElementRef {
            tree: self.tree.borrow().id,
            node: self.index,
        }
    }
}
