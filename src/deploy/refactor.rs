//! `rcdk refactor`: moves and renames deployed resources to where the code now puts
//! them, through CloudFormation stack refactoring, without touching the resources.
//! CloudFormation allows only moves in a refactor, so the templates it gets are the
//! deployed ones with the resources moved (and, within a stack, the references to a
//! renamed resource rewritten); every other change is left to the next deploy.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use aws_sdk_cloudformation::types::{
    ResourceLocation, ResourceMapping, StackDefinition, StackRefactorExecutionStatus,
    StackRefactorStatus,
};
use serde_json::{Map, Value as J};

use super::client::{Cfn, api};
use super::error::DeployError;
use super::progress::Progress;
use crate::diff::Place;

/// One resource to move: where it is deployed, where the code puts it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Move {
    /// The deployed place.
    pub from: Place,
    /// The new place.
    pub to: Place,
}

/// Rewrites references to `old` as `new` (Ref, Fn::GetAtt in both forms, Fn::Sub
/// `${old}` and `${old.Attr}`, DependsOn).
fn rewrite(v: &mut J, old: &str, new: &str) {
    match v {
        J::Object(m) => {
            if let Some(J::String(r)) = m.get_mut("Ref")
                && r == old
            {
                *r = new.to_owned();
            }
            match m.get_mut("Fn::GetAtt") {
                Some(J::Array(parts)) if parts.first().and_then(J::as_str) == Some(old) => {
                    parts[0] = J::String(new.to_owned());
                }
                Some(J::String(s)) if s.starts_with(&format!("{old}.")) => {
                    *s = format!("{new}{}", &s[old.len()..]);
                }
                _ => {}
            }
            if let Some(sub) = m.get_mut("Fn::Sub") {
                let text = match sub {
                    J::String(s) => Some(s),
                    J::Array(a) => a.first_mut().and_then(|f| match f {
                        J::String(s) => Some(s),
                        _ => None,
                    }),
                    _ => None,
                };
                if let Some(s) = text {
                    *s = s
                        .replace(&format!("${{{old}}}"), &format!("${{{new}}}"))
                        .replace(&format!("${{{old}."), &format!("${{{new}."));
                }
            }
            match m.get_mut("DependsOn") {
                Some(J::String(d)) if d == old => *d = new.to_owned(),
                Some(J::Array(ds)) => {
                    for d in ds.iter_mut() {
                        if d.as_str() == Some(old) {
                            *d = J::String(new.to_owned());
                        }
                    }
                }
                _ => {}
            }
            for child in m.values_mut() {
                rewrite(child, old, new);
            }
        }
        J::Array(items) => items.iter_mut().for_each(|i| rewrite(i, old, new)),
        _ => {}
    }
}

/// Whether `v` refers to `id` (a Ref, a GetAtt, a Sub variable or a DependsOn).
fn refers_to(v: &J, id: &str) -> bool {
    let mut copy = v.clone();
    rewrite(&mut copy, id, "\u{0}moved");
    copy != *v
}

fn resources_mut(t: &mut J) -> Option<&mut Map<String, J>> {
    t.get_mut("Resources").and_then(J::as_object_mut)
}

/// The templates CloudFormation gets for `moves` over the `deployed` templates (by
/// stack; a destination not deployed yet starts empty). Refused, with the reason: a
/// resource that is not deployed, a destination id taken, and a move to another stack
/// of a resource that refers to its old stack or is referred to there (a refactor
/// cannot turn those references into exports).
pub fn refactor_templates(
    deployed: &BTreeMap<String, J>,
    moves: &[Move],
) -> Result<BTreeMap<String, J>, String> {
    let mut out: BTreeMap<String, J> = BTreeMap::new();
    for m in moves {
        for stack in [&m.from.stack, &m.to.stack] {
            if !out.contains_key(stack) {
                let t = deployed.get(stack).cloned().unwrap_or(J::Null);
                let t = if t.is_null() {
                    serde_json::json!({"Resources": {}})
                } else {
                    t
                };
                out.insert(stack.clone(), t);
            }
        }
    }
    // Moves to another stack go together by (source, destination): references among
    // them move with them; any other reference across the cut is refused.
    let group = |m: &Move| -> Vec<&Move> {
        moves
            .iter()
            .filter(|o| o.from.stack == m.from.stack && o.to.stack == m.to.stack)
            .collect()
    };
    for m in moves.iter().filter(|m| m.from.stack != m.to.stack) {
        let together: BTreeSet<&str> = group(m)
            .iter()
            .map(|o| o.from.logical_id.as_str())
            .collect();
        let source = deployed
            .get(&m.from.stack)
            .ok_or_else(|| format!("{}: not deployed", m.from.stack))?;
        let resource = source
            .get("Resources")
            .and_then(|r| r.get(&m.from.logical_id))
            .ok_or_else(|| format!("{}: no such deployed resource", m.from))?;
        let users: Vec<String> = source
            .as_object()
            .into_iter()
            .flat_map(|o| o.iter())
            .filter(|(section, _)| matches!(section.as_str(), "Resources" | "Outputs"))
            .flat_map(|(_, entries)| entries.as_object().into_iter().flatten())
            .filter(|(id, e)| !together.contains(id.as_str()) && refers_to(e, &m.from.logical_id))
            .map(|(id, _)| id.clone())
            .collect();
        if !users.is_empty() {
            return Err(format!(
                "{} is used by {} in {}: a refactor moves resources, it cannot turn those references into exports; move them with it, or remove the references first and deploy",
                m.from,
                users.join(", "),
                m.from.stack
            ));
        }
        let own = source.get("Resources").and_then(J::as_object);
        if let Some(dep) = own
            .into_iter()
            .flatten()
            .map(|(id, _)| id)
            .find(|id| !together.contains(id.as_str()) && refers_to(resource, id))
        {
            return Err(format!(
                "{} refers to {dep} of {}: moved to {}, that reference would dangle; move {dep} with it, or pass the value another way first",
                m.from, m.from.stack, m.to.stack
            ));
        }
    }
    let mut moved: Vec<(&Move, J)> = Vec::new();
    for m in moves {
        let source = out
            .get_mut(&m.from.stack)
            .and_then(resources_mut)
            .ok_or_else(|| format!("{}: not deployed", m.from.stack))?;
        let resource = source
            .remove(&m.from.logical_id)
            .ok_or_else(|| format!("{}: no such deployed resource", m.from))?;
        moved.push((m, resource));
    }
    for (m, mut resource) in moved {
        if m.from.stack == m.to.stack {
            for o in moves
                .iter()
                .filter(|o| o.from.stack == m.from.stack && o.to.stack == m.to.stack)
            {
                rewrite(&mut resource, &o.from.logical_id, &o.to.logical_id);
                if let Some(t) = out.get_mut(&m.from.stack) {
                    rewrite(t, &o.from.logical_id, &o.to.logical_id);
                }
            }
        } else {
            for o in group(m) {
                rewrite(&mut resource, &o.from.logical_id, &o.to.logical_id);
            }
        }
        let target = out
            .get_mut(&m.to.stack)
            .and_then(resources_mut)
            .ok_or_else(|| format!("{}: has no Resources", m.to.stack))?;
        if target.contains_key(&m.to.logical_id) {
            return Err(format!("{}: the id is taken by a deployed resource", m.to));
        }
        target.insert(m.to.logical_id.clone(), resource);
    }
    Ok(out)
}

async fn wait_refactor(
    cfn: &Cfn,
    id: &str,
    executing: bool,
) -> Result<(String, Option<String>), DeployError> {
    let mut delay = Duration::from_millis(500);
    loop {
        let d = cfn
            .client
            .describe_stack_refactor()
            .stack_refactor_id(id)
            .send()
            .await
            .map_err(api("refactor", "DescribeStackRefactor"))?;
        let (status, reason) = if executing {
            let s = d.execution_status();
            let done = !matches!(
                s,
                Some(StackRefactorExecutionStatus::ExecuteInProgress)
                    | Some(StackRefactorExecutionStatus::RollbackInProgress)
                    | Some(StackRefactorExecutionStatus::Available)
                    | None
            );
            (
                done.then(|| s.map(|s| s.as_str().to_owned()).unwrap_or_default()),
                d.execution_status_reason(),
            )
        } else {
            let s = d.status();
            let done = !matches!(s, Some(StackRefactorStatus::CreateInProgress) | None);
            (
                done.then(|| s.map(|s| s.as_str().to_owned()).unwrap_or_default()),
                d.status_reason(),
            )
        };
        if let Some(status) = status {
            return Ok((status, reason.map(str::to_owned)));
        }
        tokio::time::sleep(delay).await;
        delay = (delay * 2).min(Duration::from_secs(10));
    }
}

/// Creates and executes the stack refactor of `moves` with `templates`.
pub async fn run_refactor(
    cfn: &Cfn,
    moves: &[Move],
    templates: &BTreeMap<String, J>,
    progress: &Progress,
) -> Result<(), DeployError> {
    let mut call = cfn
        .client
        .create_stack_refactor()
        .description("rcdk refactor")
        .enable_stack_creation(true);
    for m in moves {
        let at = |p: &Place| {
            ResourceLocation::builder()
                .stack_name(&p.stack)
                .logical_resource_id(&p.logical_id)
                .build()
        };
        call = call.resource_mappings(
            ResourceMapping::builder()
                .source(at(&m.from))
                .destination(at(&m.to))
                .build(),
        );
    }
    for (stack, t) in templates {
        call = call.stack_definitions(
            StackDefinition::builder()
                .stack_name(stack)
                .template_body(serde_json::to_string(t).unwrap_or_default())
                .build(),
        );
    }
    let out = call
        .send()
        .await
        .map_err(api("refactor", "CreateStackRefactor"))?;
    let id = out.stack_refactor_id().unwrap_or_default().to_owned();
    let (status, reason) = wait_refactor(cfn, &id, false).await?;
    if status != "CREATE_COMPLETE" {
        return Err(DeployError::Refused {
            stack: "refactor".into(),
            message: format!(
                "CloudFormation did not accept the refactor ({status}): {}; nothing was moved",
                reason.unwrap_or_default()
            ),
        });
    }
    progress.line(&format!("refactor {id}: accepted; executing"));
    cfn.client
        .execute_stack_refactor()
        .stack_refactor_id(&id)
        .send()
        .await
        .map_err(api("refactor", "ExecuteStackRefactor"))?;
    let (status, reason) = wait_refactor(cfn, &id, true).await?;
    if status != "EXECUTE_COMPLETE" {
        return Err(DeployError::StackFailed {
            stack: "refactor".into(),
            status,
            reasons: reason.unwrap_or_default(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn place(stack: &str, id: &str) -> Place {
        Place {
            stack: stack.into(),
            logical_id: id.into(),
        }
    }

    #[test]
    fn a_rename_rewrites_the_references_in_its_stack() {
        let deployed = BTreeMap::from([(
            "data".to_owned(),
            json!({"Resources": {
                "Jobs": {"Type": "AWS::SQS::Queue"},
                "Alarm": {"Type": "AWS::CloudWatch::Alarm", "DependsOn": "Jobs", "Properties": {
                    "Dimensions": [{"Name": "QueueName", "Value": {"Fn::GetAtt": ["Jobs", "QueueName"]}}],
                    "AlarmDescription": {"Fn::Sub": "depth of ${Jobs.QueueName} (${Jobs})"}}}},
              "Outputs": {"Url": {"Value": {"Ref": "Jobs"}}}}),
        )]);
        let moves = [Move {
            from: place("data", "Jobs"),
            to: place("data", "JobsQueue"),
        }];
        let t = &refactor_templates(&deployed, &moves).unwrap()["data"];
        assert!(t["Resources"].get("Jobs").is_none());
        assert_eq!(t["Resources"]["JobsQueue"]["Type"], "AWS::SQS::Queue");
        let alarm = &t["Resources"]["Alarm"];
        assert_eq!(alarm["DependsOn"], "JobsQueue");
        assert_eq!(
            alarm["Properties"]["Dimensions"][0]["Value"]["Fn::GetAtt"][0],
            "JobsQueue"
        );
        assert_eq!(
            alarm["Properties"]["AlarmDescription"]["Fn::Sub"],
            "depth of ${JobsQueue.QueueName} (${JobsQueue})"
        );
        assert_eq!(t["Outputs"]["Url"]["Value"]["Ref"], "JobsQueue");
    }

    #[test]
    fn a_move_that_would_break_references_is_refused() {
        let deployed = BTreeMap::from([
            (
                "data".to_owned(),
                json!({"Resources": {"Jobs": {"Type": "AWS::SQS::Queue"},
                    "Policy": {"Type": "AWS::SQS::QueuePolicy", "Properties": {"Queues": [{"Ref": "Jobs"}]}}}}),
            ),
            (
                "app".to_owned(),
                json!({"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}}),
            ),
        ]);
        let moves = [Move {
            from: place("data", "Jobs"),
            to: place("app", "Jobs"),
        }];
        let err = refactor_templates(&deployed, &moves).unwrap_err();
        assert!(err.contains("data/Jobs is used by Policy in data"), "{err}");
        let policy_alone = [Move {
            from: place("data", "Policy"),
            to: place("app", "Policy"),
        }];
        let err = refactor_templates(&deployed, &policy_alone).unwrap_err();
        assert!(err.contains("data/Policy refers to Jobs of data"), "{err}");
        // Moved together (one renamed on the way), the reference moves with them.
        let both = [
            Move {
                from: place("data", "Jobs"),
                to: place("app", "JobsQueue"),
            },
            policy_alone[0].clone(),
        ];
        let t = refactor_templates(&deployed, &both).unwrap();
        assert_eq!(
            t["app"]["Resources"]["Policy"]["Properties"]["Queues"][0]["Ref"],
            "JobsQueue"
        );
        assert_eq!(t["data"]["Resources"], json!({}));
        // A destination id already taken is refused.
        let taken = [Move {
            from: place("data", "Jobs"),
            to: place("app", "Topic"),
        }];
        assert!(refactor_templates(&deployed, &taken).is_err());
    }
}
