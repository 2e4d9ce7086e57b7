//! Bringing existing resources (made in the console, by Terraform, by hand) under a stack
//! without recreating them: an `IMPORT` change set. CloudFormation's rules, checked here
//! before anything is sent: the change set holds only the imported resources (the
//! deployed template plus them), each names its existing resource by its type's primary
//! identifier, and each has a `DeletionPolicy`.

use std::collections::{BTreeMap, BTreeSet};

use aws_sdk_cloudformation::types::{ChangeSetType, ResourceToImport};
use serde_json::{Map, Value as J};

use super::changeset::{self, ChangeRow, Prepared};
use super::client::{Cfn, api};
use super::error::DeployError;
use super::events::{follow, seen_events};
use super::progress::Progress;
use crate::registry::type_info;

/// A resource of the synthesized stack that is not deployed and can be imported.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportCandidate {
    /// The resource in the stack.
    pub logical_id: String,
    /// Its CloudFormation type.
    pub resource_type: String,
    /// The identifier's properties (`BucketName`; `QueueUrl`).
    pub identifier: Vec<String>,
    /// Identifier values the template sets literally (a bucket's `BucketName`).
    pub known: BTreeMap<String, String>,
}

/// Which resources an import could bring in: the synthesized stack's resources that are
/// not deployed, split into importable ones and the others with why.
pub fn import_candidates(
    synthesized: &J,
    deployed: Option<&J>,
) -> (Vec<ImportCandidate>, Vec<(String, String)>) {
    let deployed_ids: BTreeSet<&str> = deployed
        .and_then(|d| d.get("Resources"))
        .and_then(J::as_object)
        .map(|r| r.keys().map(String::as_str).collect())
        .unwrap_or_default();
    let mut importable = Vec::new();
    let mut not = Vec::new();
    let resources = synthesized
        .get("Resources")
        .and_then(J::as_object)
        .cloned()
        .unwrap_or_default();
    for (id, r) in &resources {
        if deployed_ids.contains(id.as_str()) {
            continue;
        }
        let ty = r.get("Type").and_then(J::as_str).unwrap_or_default();
        let Some(info) = type_info(ty).filter(|i| !i.primary_identifier.is_empty()) else {
            not.push((
                id.clone(),
                format!("{ty} cannot be imported (it has no identifier in the resource registry)"),
            ));
            continue;
        };
        let known = info
            .primary_identifier
            .iter()
            .filter_map(|p| {
                let v = r.get("Properties")?.get(*p)?.as_str()?;
                Some(((*p).to_owned(), v.to_owned()))
            })
            .collect();
        importable.push(ImportCandidate {
            logical_id: id.clone(),
            resource_type: ty.to_owned(),
            identifier: info
                .primary_identifier
                .iter()
                .map(|p| (*p).to_owned())
                .collect(),
            known,
        });
    }
    (importable, not)
}

/// A resource to import and the existing resource it is.
#[derive(Debug, Clone, PartialEq)]
pub struct Import {
    /// The resource in the stack.
    pub logical_id: String,
    /// Its CloudFormation type.
    pub resource_type: String,
    /// Identifier property → the existing resource's value (`QueueUrl` → its URL).
    pub identifier: BTreeMap<String, String>,
}

/// The template of the import: the deployed one (or, for a new stack, none) plus the
/// imported resources as synthesized, with the parameters, mappings and conditions they
/// may use. Errors name each resource CloudFormation would refuse and the fix.
pub fn import_template(
    synthesized: &J,
    deployed: Option<&J>,
    imports: &[Import],
) -> Result<J, String> {
    let synthesized_resources = synthesized
        .get("Resources")
        .and_then(J::as_object)
        .cloned()
        .unwrap_or_default();
    let mut template = match deployed {
        Some(d) => d.clone(),
        None => {
            let mut t = Map::new();
            for key in ["AWSTemplateFormatVersion", "Description", "Transform"] {
                if let Some(v) = synthesized.get(key) {
                    t.insert(key.to_owned(), v.clone());
                }
            }
            J::Object(t)
        }
    };
    let Some(sections) = template.as_object_mut() else {
        return Err("the deployed template is not a JSON object".into());
    };
    for section in ["Parameters", "Mappings", "Conditions"] {
        if let Some(entries) = synthesized.get(section).and_then(J::as_object) {
            let target = sections
                .entry(section)
                .or_insert_with(|| J::Object(Map::new()));
            if let Some(target) = target.as_object_mut() {
                for (k, v) in entries {
                    target.entry(k.clone()).or_insert_with(|| v.clone());
                }
            }
        }
    }
    let resources = sections
        .entry("Resources")
        .or_insert_with(|| J::Object(Map::new()));
    let Some(resources) = resources.as_object_mut() else {
        return Err("the deployed template's Resources is not an object".into());
    };
    let mut problems = Vec::new();
    let imported: BTreeSet<&str> = imports.iter().map(|i| i.logical_id.as_str()).collect();
    for i in imports {
        let Some(def) = synthesized_resources.get(&i.logical_id) else {
            problems.push(format!("{}: not a resource of the stack", i.logical_id));
            continue;
        };
        if def.get("DeletionPolicy").is_none() {
            problems.push(format!(
                "{} needs a DeletionPolicy to be imported (CloudFormation's rule); give it one in the code (apply_removal_policy(RemovalPolicy::Retain), or set_deletion_policy)",
                i.logical_id
            ));
        }
        for other in crate::diff::references(def) {
            let known = resources.contains_key(&other)
                || imported.contains(other.as_str())
                || synthesized
                    .get("Parameters")
                    .and_then(|p| p.get(&other))
                    .is_some()
                || other.starts_with("AWS::");
            if !known {
                problems.push(format!(
                    "{} refers to {other}, which is neither deployed nor imported; import {other} too, or deploy it first",
                    i.logical_id
                ));
            }
        }
        resources.insert(i.logical_id.clone(), def.clone());
    }
    if problems.is_empty() {
        Ok(template)
    } else {
        Err(problems.join("; "))
    }
}

/// Creates the IMPORT change set, shows it, executes it and follows the stack to
/// `IMPORT_COMPLETE`. A change set that fails to be made is deleted (never left behind).
pub async fn run_import(
    cfn: &Cfn,
    stack: &str,
    template: &J,
    imports: &[Import],
    state: Option<&super::StackState>,
    progress: &Progress,
) -> Result<Vec<ChangeRow>, DeployError> {
    let body = serde_json::to_string(template).unwrap_or_default();
    let name = format!(
        "rcdk-import-{}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis())
            .unwrap_or_default()
    );
    let to_import = imports
        .iter()
        .map(|i| {
            ResourceToImport::builder()
                .resource_type(&i.resource_type)
                .logical_resource_id(&i.logical_id)
                .set_resource_identifier(Some(
                    i.identifier
                        .iter()
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect(),
                ))
                .build()
        })
        .collect::<Vec<_>>();
    let (template_body, template_url) = if body.len() > super::INLINE_TEMPLATE_LIMIT {
        let bucket = super::upload::deployment_bucket(cfn, stack).await?;
        let uploaded = super::upload::upload_template(cfn, stack, &bucket, &body).await?;
        (None, Some(uploaded.url))
    } else {
        (Some(body), None)
    };
    let created = cfn
        .client
        .create_change_set()
        .stack_name(stack)
        .change_set_name(&name)
        .client_token(&name)
        .change_set_type(ChangeSetType::Import)
        .set_template_body(template_body)
        .set_template_url(template_url)
        .set_resources_to_import(Some(to_import))
        .set_capabilities(Some(super::capabilities_for(template)))
        .set_parameters(Some(super::orchestrate::parameters(
            &BTreeMap::new(),
            template,
            state,
            state.is_none_or(super::StackState::is_review),
        )))
        .description("Created by rcdk import")
        .send()
        .await
        .map_err(api(stack, "CreateChangeSet"))?;
    let id = created.id().unwrap_or(&name).to_owned();
    let stack_id = created.stack_id().unwrap_or(stack).to_owned();
    let rows = match changeset::wait(cfn, stack, &id).await {
        Ok(Prepared::Ready { rows }) => rows,
        Ok(Prepared::NoChanges) => {
            return Err(DeployError::Other(format!(
                "{stack}: CloudFormation found nothing to import"
            )));
        }
        Err(e) => {
            changeset::delete(cfn, stack, &id).await;
            return Err(e);
        }
    };
    progress.line(&format!(
        "{stack}: import change set {id}\n{}",
        changeset::table(&rows)
    ));
    let seen = seen_events(cfn, &stack_id).await;
    changeset::execute(cfn, stack, &id).await?;
    let bar = progress.stack_bar(stack, rows.len() as u64);
    let finished = follow(cfn, stack, &stack_id, seen, &bar, rows.len() as u64).await?;
    if finished.status != "IMPORT_COMPLETE" {
        return Err(DeployError::Other(format!(
            "{stack}: the import ended in {}{}",
            finished.status,
            finished
                .causes()
                .first()
                .map(|c| format!(": {c}"))
                .unwrap_or_default()
        )));
    }
    Ok(rows)
}
