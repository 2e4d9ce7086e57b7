//! Likely renames and moves: a resource removed from one stack and one of the same type
//! added (in the same stack or another of the same environment) with equal properties
//! or the same physical name. CloudFormation sees a deletion and a creation, so the
//! resource would be replaced: its data lost for a stateful one. Ambiguous matches (one
//! removed resource like several added ones, or the reverse) are listed as such, never
//! guessed.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Map, Value as J};

/// One side of a rename: a stack and a logical id there.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Place {
    /// The stack.
    pub stack: String,
    /// The logical id.
    pub logical_id: String,
}

impl std::fmt::Display for Place {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.stack, self.logical_id)
    }
}

/// A resource that looks renamed or moved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rename {
    /// Where it is deployed.
    pub from: Place,
    /// Where the code now puts it.
    pub to: Place,
    /// Its type.
    #[serde(rename = "type")]
    pub resource_type: String,
    /// Why it looks like the same resource.
    pub because: String,
}

/// A removed resource that matches several added ones, or the reverse.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ambiguous {
    /// The resource with several candidates.
    pub resource: Place,
    /// Its candidates.
    pub candidates: Vec<Place>,
}

/// A stack's deployed (or golden) and new template.
pub struct StackTemplates<'a> {
    /// The stack.
    pub stack: &'a str,
    /// What is deployed (`Null`: nothing).
    pub old: &'a J,
    /// What the code synthesizes.
    pub new: &'a J,
}

fn resources(t: &J) -> Option<&Map<String, J>> {
    t.get("Resources").and_then(J::as_object)
}

/// Properties without what only describes where the construct is.
fn comparable(resource: &J) -> (Option<&str>, Option<&J>) {
    (
        resource.get("Type").and_then(J::as_str),
        resource.get("Properties"),
    )
}

/// A literal physical name: a `…Name` property (or `DBInstanceIdentifier` and the like)
/// holding text.
fn physical_name(properties: Option<&J>) -> Option<(String, String)> {
    let props = properties?.as_object()?;
    props
        .iter()
        .filter(|(k, _)| k.ends_with("Name") || k.ends_with("Identifier"))
        .find_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_owned())))
}

fn why_same(removed: &J, added: &J) -> Option<String> {
    let (old_type, old_props) = comparable(removed);
    let (new_type, new_props) = comparable(added);
    if old_type.is_none() || old_type != new_type {
        return None;
    }
    if let (Some((k, a)), Some((_, b))) = (physical_name(old_props), physical_name(new_props))
        && a == b
    {
        return Some(format!("the same {k} '{a}'"));
    }
    let has_properties = old_props.is_some_and(|p| p.as_object().is_some_and(|m| !m.is_empty()));
    (has_properties && old_props == new_props).then(|| "equal properties".to_owned())
}

/// The likely renames and moves among `stacks`, and the matches too ambiguous to name.
pub fn likely_renames(stacks: &[StackTemplates<'_>]) -> (Vec<Rename>, Vec<Ambiguous>) {
    let mut removed: Vec<(Place, &J)> = Vec::new();
    let mut added: Vec<(Place, &J)> = Vec::new();
    for s in stacks {
        let (old, new) = (resources(s.old), resources(s.new));
        for (id, r) in old.into_iter().flatten() {
            if !new.is_some_and(|n| n.contains_key(id)) {
                removed.push((place(s.stack, id), r));
            }
        }
        for (id, r) in new.into_iter().flatten() {
            if !old.is_some_and(|o| o.contains_key(id)) {
                added.push((place(s.stack, id), r));
            }
        }
    }
    let mut matches: BTreeMap<Place, Vec<(Place, String)>> = BTreeMap::new();
    let mut claimed: BTreeMap<Place, Vec<Place>> = BTreeMap::new();
    for (from, old) in &removed {
        for (to, new) in &added {
            if let Some(because) = why_same(old, new) {
                matches
                    .entry(from.clone())
                    .or_default()
                    .push((to.clone(), because));
                claimed.entry(to.clone()).or_default().push(from.clone());
            }
        }
    }
    let mut renames = Vec::new();
    let mut ambiguous = Vec::new();
    for (from, candidates) in matches {
        match candidates.as_slice() {
            [(to, because)] if claimed.get(to).is_some_and(|c| c.len() == 1) => {
                let resource_type = removed
                    .iter()
                    .find(|(p, _)| *p == from)
                    .and_then(|(_, r)| r.get("Type").and_then(J::as_str))
                    .unwrap_or_default()
                    .to_owned();
                renames.push(Rename {
                    from,
                    to: to.clone(),
                    resource_type,
                    because: because.clone(),
                });
            }
            [(to, _)] => ambiguous.push(Ambiguous {
                resource: to.clone(),
                candidates: claimed.get(to).cloned().unwrap_or_default(),
            }),
            _ => ambiguous.push(Ambiguous {
                resource: from,
                candidates: candidates.into_iter().map(|(p, _)| p).collect(),
            }),
        }
    }
    ambiguous.sort_by(|a, b| a.resource.cmp(&b.resource));
    ambiguous.dedup();
    (renames, ambiguous)
}

fn place(stack: &str, id: &str) -> Place {
    Place {
        stack: stack.to_owned(),
        logical_id: id.to_owned(),
    }
}

/// One line per rename for a person, with what deploying would do.
pub fn describe_rename(r: &Rename, stateful: bool) -> String {
    let what = if r.from.stack == r.to.stack {
        "a rename"
    } else {
        "a move"
    };
    format!(
        "`{}` → `{}` ({}, {}) looks like {what}; deploying would replace it{}. Keep its logical id in code (override_logical_id(\"{}\")), or allow the replacement (--allow-replace {})",
        r.from,
        r.to,
        r.resource_type,
        r.because,
        if stateful {
            ", and its data with it"
        } else {
            ""
        },
        r.from.logical_id,
        r.from.logical_id
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn t(resources: J) -> J {
        json!({"Resources": resources})
    }

    #[test]
    fn renames_moves_and_ambiguity_are_told_apart() {
        let db = json!({"Type": "AWS::RDS::DBInstance", "Properties": {"DBInstanceIdentifier": "orders", "Engine": "postgres"}});
        let db_moved = json!({"Type": "AWS::RDS::DBInstance", "Properties": {"DBInstanceIdentifier": "orders", "Engine": "postgres", "MultiAZ": true}});
        let queue = json!({"Type": "AWS::SQS::Queue", "Properties": {"VisibilityTimeout": 30}});
        let data_old = t(json!({"Database": db, "Jobs": queue}));
        let data_new = t(json!({"JobsQueue1A2B": queue}));
        let app_old = t(json!({}));
        let app_new = t(json!({"PrimaryDatabase": db_moved}));
        let (renames, ambiguous) = likely_renames(&[
            StackTemplates {
                stack: "data",
                old: &data_old,
                new: &data_new,
            },
            StackTemplates {
                stack: "app",
                old: &app_old,
                new: &app_new,
            },
        ]);
        assert!(ambiguous.is_empty(), "{ambiguous:?}");
        assert_eq!(renames.len(), 2, "{renames:?}");
        assert_eq!(renames[0].from.to_string(), "data/Database");
        assert_eq!(renames[0].to.to_string(), "app/PrimaryDatabase");
        assert_eq!(renames[0].because, "the same DBInstanceIdentifier 'orders'");
        assert_eq!(renames[1].to.to_string(), "data/JobsQueue1A2B");
        assert_eq!(renames[1].because, "equal properties");
        assert!(
            describe_rename(&renames[0], true)
                .contains("looks like a move; deploying would replace it, and its data with it")
        );
        assert!(describe_rename(&renames[1], true).contains("looks like a rename"));
    }

    #[test]
    fn false_matches_are_not_renames() {
        // Another type, different properties, or no properties at all: not the same.
        let old = t(json!({
            "A": {"Type": "AWS::SQS::Queue", "Properties": {"VisibilityTimeout": 30}},
            "B": {"Type": "AWS::SNS::Topic"},
        }));
        let new = t(json!({
            "C": {"Type": "AWS::SNS::Topic", "Properties": {"VisibilityTimeout": 30}},
            "D": {"Type": "AWS::SQS::Queue", "Properties": {"VisibilityTimeout": 60}},
            "E": {"Type": "AWS::SNS::Topic"},
        }));
        let (renames, ambiguous) = likely_renames(&[StackTemplates {
            stack: "s",
            old: &old,
            new: &new,
        }]);
        assert!(
            renames.is_empty() && ambiguous.is_empty(),
            "{renames:?} {ambiguous:?}"
        );
    }

    #[test]
    fn two_equal_candidates_are_listed_not_guessed() {
        let q = json!({"Type": "AWS::SQS::Queue", "Properties": {"VisibilityTimeout": 30}});
        let old = t(json!({"Jobs": q}));
        let new = t(json!({"JobsA": q, "JobsB": q}));
        let (renames, ambiguous) = likely_renames(&[StackTemplates {
            stack: "s",
            old: &old,
            new: &new,
        }]);
        assert!(renames.is_empty());
        assert_eq!(ambiguous.len(), 1);
        assert_eq!(ambiguous[0].resource.to_string(), "s/Jobs");
        assert_eq!(ambiguous[0].candidates.len(), 2);
    }
}
