//! Template differences, computed offline: by resource (added, removed, modified with
//! the changed property paths), with replacement predicted from the schemas'
//! create-only properties, security-relevant changes (IAM statements, managed
//! policies, security group rules) on their own, and the other template sections.

mod compare;
mod equivalent;
mod markdown;
mod references;
mod renames;
mod render;
mod security;

use serde::Serialize;
use serde_json::Value as J;

pub use compare::diff_templates;
pub use equivalent::equivalent;
pub use markdown::{GITHUB_COMMENT_LIMIT, MARKER, StackSection, render_markdown};
pub use references::{references, sub_names};
pub use renames::{Ambiguous, Place, Rename, StackTemplates, describe_rename, likely_renames};
pub use render::{render_text, to_json};
pub use security::{SecurityChange, SecurityKind};

/// Parses a template written as JSON or YAML with CloudFormation's short forms
/// ([`crate::yaml::parse_template`]), the error as text.
pub fn parse_template(text: &str) -> Result<J, String> {
    crate::yaml::parse_template(text).map_err(|e| e.to_string())
}

/// Added, removed or modified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    /// Only in the new template.
    Added,
    /// Only in the old one.
    Removed,
    /// In both, different.
    Modified,
}

/// Whether a change replaces the resource (a new physical resource; the old one is
/// deleted, with its data).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Replacement {
    /// Updated in place.
    None,
    /// The new value is known only at deploy: it replaces if it differs then.
    MayReplace,
    /// Replaced: a create-only property changes.
    Replace,
}

/// One changed value at a path (`Properties.DBName`, `Outputs.Endpoint.Value`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ValueChange {
    /// Where, below the resource or entry (`Properties.Port`).
    pub path: String,
    /// The old value; `None` when it was not set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old: Option<J>,
    /// The new value; `None` when it is removed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new: Option<J>,
    /// What the change does to the resource.
    pub replacement: Replacement,
}

/// A resource that was added, removed or changed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResourceDiff {
    /// The resource.
    pub logical_id: String,
    /// Its type (`old → new` when the type changed).
    #[serde(rename = "type")]
    pub resource_type: String,
    /// Added, removed or modified.
    pub change: Change,
    /// The strongest replacement among the changes.
    pub replacement: Replacement,
    /// The changed values of a modified resource.
    pub changes: Vec<ValueChange>,
}

/// A parameter, output, condition, mapping or top-level field that changed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EntryDiff {
    /// The entry's name.
    pub name: String,
    /// Added, removed or modified.
    pub change: Change,
    /// The changed values of a modified entry.
    pub changes: Vec<ValueChange>,
}

/// The differences between two templates of one stack.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct TemplateDiff {
    /// IAM and security-group changes, listed first.
    pub security: Vec<SecurityChange>,
    /// Resources.
    pub resources: Vec<ResourceDiff>,
    /// Parameters.
    pub parameters: Vec<EntryDiff>,
    /// Outputs.
    pub outputs: Vec<EntryDiff>,
    /// Conditions.
    pub conditions: Vec<EntryDiff>,
    /// Mappings.
    pub mappings: Vec<EntryDiff>,
    /// `Description`, `Transform` and other top-level fields.
    pub other: Vec<EntryDiff>,
}

impl TemplateDiff {
    /// Whether the templates are the same.
    pub fn is_empty(&self) -> bool {
        self.security.is_empty()
            && self.resources.is_empty()
            && self.parameters.is_empty()
            && self.outputs.is_empty()
            && self.conditions.is_empty()
            && self.mappings.is_empty()
            && self.other.is_empty()
    }

    /// Whether the change widens access: an added Allow statement, a removed Deny, a
    /// new managed policy, a new security group rule.
    pub fn is_broadening(&self) -> bool {
        self.security.iter().any(|s| s.broadening)
    }
}
