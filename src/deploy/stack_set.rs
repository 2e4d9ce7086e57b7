//! Deploying a stack as a CloudFormation StackSet: create or update the set in the
//! administrator account, add the instances its targets are missing, remove those no
//! longer targeted, wait on each operation, and report every instance (account, region,
//! status, reason). Destroying removes the instances, then the set.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use aws_sdk_cloudformation::types::{
    AutoDeployment, DeploymentTargets, ManagedExecution, Parameter, PermissionModels,
    RegionConcurrencyType, StackSetOperationPreferences, StackSetOperationStatus, Tag,
};
use serde_json::Value as J;

use super::client::{Cfn, api, describe};
use super::error::DeployError;
use super::progress::Progress;
use crate::tree::stack_set::{Concurrency, PermissionModel, StackSetProps};

/// What the StackSet holds now.
struct Existing {
    template: J,
    parameters: BTreeMap<String, String>,
    auto_deployment: Option<(bool, bool)>,
}

/// One instance as CloudFormation reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstanceReport {
    /// The target account.
    pub account: String,
    /// The region.
    pub region: String,
    /// The organizational unit it was deployed through (service-managed).
    pub organizational_unit: Option<String>,
    /// `CURRENT`, `OUTDATED` or `INOPERABLE`.
    pub status: String,
    /// `SUCCEEDED`, `FAILED`, `CANCELLED`, `PENDING`, `RUNNING`, …
    pub detailed_status: String,
    /// Why, when it did not succeed.
    pub reason: Option<String>,
}

impl InstanceReport {
    /// Whether the instance holds the current template, deployed.
    pub fn ok(&self) -> bool {
        self.status == "CURRENT" && matches!(self.detailed_status.as_str(), "SUCCEEDED" | "")
    }
}

async fn existing(cfn: &Cfn, name: &str) -> Result<Option<Existing>, DeployError> {
    let out = match cfn
        .client
        .describe_stack_set()
        .stack_set_name(name)
        .send()
        .await
    {
        Ok(o) => o,
        Err(e)
            if e.as_service_error()
                .is_some_and(|s| s.is_stack_set_not_found_exception()) =>
        {
            return Ok(None);
        }
        Err(e) => return Err(api(name, "DescribeStackSet")(e)),
    };
    let Some(set) = out.stack_set() else {
        return Ok(None);
    };
    if set.status().is_some_and(|s| s.as_str() == "DELETED") {
        return Ok(None);
    }
    Ok(Some(Existing {
        template: set
            .template_body()
            .and_then(|t| crate::yaml::parse_template(t).ok())
            .unwrap_or(J::Null),
        parameters: set
            .parameters()
            .iter()
            .filter_map(|p| {
                Some((
                    p.parameter_key()?.to_owned(),
                    p.parameter_value()?.to_owned(),
                ))
            })
            .collect(),
        auto_deployment: set.auto_deployment().map(|a| {
            (
                a.enabled().unwrap_or(false),
                a.retain_stacks_on_account_removal().unwrap_or(false),
            )
        }),
    }))
}

/// The template the StackSet holds (`None`: there is no such StackSet).
pub async fn stack_set_template(cfn: &Cfn, name: &str) -> Result<Option<J>, DeployError> {
    Ok(existing(cfn, name).await?.map(|e| e.template))
}

/// The template and parameter values the StackSet holds (`None`: no such StackSet).
pub async fn deployed_stack_set(
    cfn: &Cfn,
    name: &str,
) -> Result<Option<(J, BTreeMap<String, String>)>, DeployError> {
    Ok(existing(cfn, name)
        .await?
        .map(|e| (e.template, e.parameters)))
}

fn preferences(props: &StackSetProps) -> StackSetOperationPreferences {
    let p = &props.operation_preferences;
    let mut b =
        StackSetOperationPreferences::builder().region_concurrency_type(if p.parallel_regions {
            RegionConcurrencyType::Parallel
        } else {
            RegionConcurrencyType::Sequential
        });
    let n = |v: u32| i32::try_from(v).unwrap_or(i32::MAX);
    b = match p.max_concurrent {
        Concurrency::Count(c) => b.max_concurrent_count(n(c)),
        Concurrency::Percentage(c) => b.max_concurrent_percentage(n(c)),
    };
    b = match p.failure_tolerance {
        Concurrency::Count(c) => b.failure_tolerance_count(n(c)),
        Concurrency::Percentage(c) => b.failure_tolerance_percentage(n(c)),
    };
    b.set_region_order((!p.region_order.is_empty()).then(|| p.region_order.clone()))
        .build()
}

fn parameters(props: &StackSetProps) -> Vec<Parameter> {
    props
        .parameters
        .iter()
        .map(|(k, v)| {
            Parameter::builder()
                .parameter_key(k)
                .parameter_value(v)
                .build()
        })
        .collect()
}

fn auto_deployment(props: &StackSetProps) -> Option<AutoDeployment> {
    props.auto_deployment.map(|a| {
        AutoDeployment::builder()
            .enabled(a.enabled)
            .retain_stacks_on_account_removal(a.retain_stacks_on_account_removal)
            .build()
    })
}

fn targets(props: &StackSetProps) -> &[String] {
    match props.permission_model {
        PermissionModel::ServiceManaged => &props.organizational_unit_ids,
        PermissionModel::SelfManaged => &props.accounts,
    }
}

/// Service-managed targets as the API takes them (self-managed ones are `Accounts`).
fn deployment_targets(targets: &[String]) -> DeploymentTargets {
    DeploymentTargets::builder()
        .set_organizational_unit_ids(Some(targets.to_vec()))
        .build()
}

/// Every instance of the set.
pub async fn instances(cfn: &Cfn, name: &str) -> Result<Vec<InstanceReport>, DeployError> {
    let mut out = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = cfn
            .client
            .list_stack_instances()
            .stack_set_name(name)
            .set_next_token(token.clone())
            .send()
            .await
            .map_err(api(name, "ListStackInstances"))?;
        for s in page.summaries() {
            out.push(InstanceReport {
                account: s.account().unwrap_or_default().to_owned(),
                region: s.region().unwrap_or_default().to_owned(),
                organizational_unit: s.organizational_unit_id().map(str::to_owned),
                status: s
                    .status()
                    .map(|x| x.as_str().to_owned())
                    .unwrap_or_default(),
                detailed_status: s
                    .stack_instance_status()
                    .and_then(|d| d.detailed_status())
                    .map(|x| x.as_str().to_owned())
                    .unwrap_or_default(),
                reason: s.status_reason().map(str::to_owned),
            });
        }
        token = page.next_token().map(str::to_owned);
        if token.is_none() {
            break;
        }
    }
    out.sort_by(|a, b| (&a.account, &a.region).cmp(&(&b.account, &b.region)));
    Ok(out)
}

/// Waits for an operation to end; an operation that did not succeed is an error that
/// names it and CloudFormation's reason.
async fn wait(cfn: &Cfn, name: &str, operation: &str, what: &str) -> Result<(), DeployError> {
    let mut delay = Duration::from_millis(500);
    loop {
        let out = cfn
            .client
            .describe_stack_set_operation()
            .stack_set_name(name)
            .operation_id(operation)
            .send()
            .await
            .map_err(api(name, "DescribeStackSetOperation"))?;
        let op = out.stack_set_operation();
        match op.and_then(|o| o.status()) {
            Some(StackSetOperationStatus::Succeeded) => return Ok(()),
            Some(
                s @ (StackSetOperationStatus::Failed
                | StackSetOperationStatus::Stopped
                | StackSetOperationStatus::Stopping),
            ) => {
                return Err(DeployError::StackFailed {
                    stack: name.to_owned(),
                    status: format!("StackSet operation {what} {}", s.as_str()),
                    reasons: op
                        .and_then(|o| o.status_reason())
                        .unwrap_or("see the instances below")
                        .to_owned(),
                });
            }
            _ => {
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(Duration::from_secs(10));
            }
        }
    }
}

/// Creates or updates the StackSet `name` with `template` and its instances; returns
/// whether anything changed and the instances after it.
pub async fn deploy_stack_set(
    cfn: &Cfn,
    name: &str,
    template: &J,
    props: &StackSetProps,
    tags: &BTreeMap<String, String>,
    progress: &Progress,
) -> Result<(bool, Vec<InstanceReport>), DeployError> {
    let body = serde_json::to_string(template).unwrap_or_default();
    if body.len() > super::INLINE_TEMPLATE_LIMIT {
        return Err(DeployError::Refused {
            stack: name.to_owned(),
            message: format!(
                "the StackSet's template is {} bytes, over the {} CloudFormation takes inline; split the stack",
                body.len(),
                super::INLINE_TEMPLATE_LIMIT
            ),
        });
    }
    let capabilities = super::capabilities_for(template);
    let tags: Vec<Tag> = tags
        .iter()
        .map(|(k, v)| Tag::builder().key(k).value(v).build())
        .collect();
    let mut changed = false;
    match existing(cfn, name).await? {
        None => {
            cfn.client
                .create_stack_set()
                .stack_set_name(name)
                .template_body(&body)
                .set_parameters(Some(parameters(props)))
                .set_capabilities(Some(capabilities))
                .permission_model(match props.permission_model {
                    PermissionModel::ServiceManaged => PermissionModels::ServiceManaged,
                    PermissionModel::SelfManaged => PermissionModels::SelfManaged,
                })
                .set_auto_deployment(auto_deployment(props))
                .set_administration_role_arn(props.administration_role_arn.clone())
                .set_execution_role_name(props.execution_role_name.clone())
                .managed_execution(
                    ManagedExecution::builder()
                        .active(props.managed_execution)
                        .build(),
                )
                .set_tags(Some(tags))
                .send()
                .await
                .map_err(api(name, "CreateStackSet"))?;
            progress.line(&format!("{name}: StackSet created"));
            changed = true;
        }
        Some(e) => {
            let wanted_auto = props
                .auto_deployment
                .map(|a| (a.enabled, a.retain_stacks_on_account_removal));
            let same = e.template == *template
                && e.parameters == props.parameters
                && (props.permission_model == PermissionModel::SelfManaged
                    || e.auto_deployment == wanted_auto);
            if !same {
                let out = cfn
                    .client
                    .update_stack_set()
                    .stack_set_name(name)
                    .template_body(&body)
                    .set_parameters(Some(parameters(props)))
                    .set_capabilities(Some(capabilities))
                    .set_auto_deployment(auto_deployment(props))
                    .set_administration_role_arn(props.administration_role_arn.clone())
                    .set_execution_role_name(props.execution_role_name.clone())
                    .managed_execution(
                        ManagedExecution::builder()
                            .active(props.managed_execution)
                            .build(),
                    )
                    .operation_preferences(preferences(props))
                    .set_tags(Some(tags))
                    .send()
                    .await
                    .map_err(api(name, "UpdateStackSet"))?;
                if let Some(op) = out.operation_id() {
                    progress.line(&format!("{name}: updating the StackSet's instances"));
                    wait(cfn, name, op, "UPDATE").await?;
                }
                changed = true;
            }
        }
    }
    let present = instances(cfn, name).await?;
    let key = |i: &InstanceReport| match props.permission_model {
        PermissionModel::ServiceManaged => i.organizational_unit.clone(),
        PermissionModel::SelfManaged => Some(i.account.clone()),
    };
    let have: BTreeSet<(String, String)> = present
        .iter()
        .filter_map(|i| Some((key(i)?, i.region.clone())))
        .collect();
    // Targets missing an instance in some region: one operation for them and those
    // regions (CloudFormation skips instances that exist).
    let (mut add_targets, mut add_regions) = (BTreeSet::new(), BTreeSet::new());
    for t in targets(props) {
        for r in &props.regions {
            if !have.contains(&(t.clone(), r.clone())) {
                add_targets.insert(t.clone());
                add_regions.insert(r.clone());
            }
        }
    }
    if !add_targets.is_empty() {
        let add_targets: Vec<String> = add_targets.into_iter().collect();
        let mut call = cfn
            .client
            .create_stack_instances()
            .stack_set_name(name)
            .set_regions(Some(add_regions.iter().cloned().collect()))
            .operation_preferences(preferences(props));
        call = match props.permission_model {
            PermissionModel::ServiceManaged => {
                call.deployment_targets(deployment_targets(&add_targets))
            }
            PermissionModel::SelfManaged => call.set_accounts(Some(add_targets.clone())),
        };
        let out = call
            .send()
            .await
            .map_err(api(name, "CreateStackInstances"))?;
        progress.line(&format!(
            "{name}: adding instances for {} in {}",
            add_targets.join(", "),
            add_regions.iter().cloned().collect::<Vec<_>>().join(", ")
        ));
        if let Some(op) = out.operation_id() {
            wait(cfn, name, op, "CREATE").await?;
        }
        changed = true;
    }
    // Instances of targets or regions no longer named: removed, region by region.
    let mut remove: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (t, r) in &have {
        if !targets(props).contains(t) || !props.regions.contains(r) {
            remove.entry(r.clone()).or_default().insert(t.clone());
        }
    }
    for (region, gone) in remove {
        let gone: Vec<String> = gone.into_iter().collect();
        progress.line(&format!(
            "{name}: removing the instances of {} in {region}",
            gone.join(", ")
        ));
        remove_instances(cfn, name, props, &gone, &[region]).await?;
        changed = true;
    }
    Ok((changed, instances(cfn, name).await?))
}

async fn remove_instances(
    cfn: &Cfn,
    name: &str,
    props: &StackSetProps,
    targets: &[String],
    regions: &[String],
) -> Result<(), DeployError> {
    let mut call = cfn
        .client
        .delete_stack_instances()
        .stack_set_name(name)
        .set_regions(Some(regions.to_vec()))
        .retain_stacks(false)
        .operation_preferences(preferences(props));
    call = match props.permission_model {
        PermissionModel::ServiceManaged => call.deployment_targets(deployment_targets(targets)),
        PermissionModel::SelfManaged => call.set_accounts(Some(targets.to_vec())),
    };
    let out = call
        .send()
        .await
        .map_err(api(name, "DeleteStackInstances"))?;
    if let Some(op) = out.operation_id() {
        wait(cfn, name, op, "DELETE").await?;
    }
    Ok(())
}

/// Removes every instance, then the StackSet; `false` when there was none.
pub async fn destroy_stack_set(
    cfn: &Cfn,
    name: &str,
    props: &StackSetProps,
    progress: &Progress,
) -> Result<bool, DeployError> {
    if existing(cfn, name).await?.is_none() {
        return Ok(false);
    }
    let present = instances(cfn, name).await?;
    if !present.is_empty() {
        let regions: BTreeSet<String> = present.iter().map(|i| i.region.clone()).collect();
        let targets: BTreeSet<String> = match props.permission_model {
            PermissionModel::ServiceManaged => present
                .iter()
                .filter_map(|i| i.organizational_unit.clone())
                .chain(props.organizational_unit_ids.iter().cloned())
                .collect(),
            PermissionModel::SelfManaged => present.iter().map(|i| i.account.clone()).collect(),
        };
        let targets: Vec<String> = targets.into_iter().collect();
        let regions: Vec<String> = regions.into_iter().collect();
        progress.line(&format!(
            "{name}: removing {} instance(s) in {}",
            present.len(),
            regions.join(", ")
        ));
        remove_instances(cfn, name, props, &targets, &regions).await?;
    }
    cfn.client
        .delete_stack_set()
        .stack_set_name(name)
        .send()
        .await
        .map_err(|e| DeployError::Api {
            stack: name.to_owned(),
            operation: "DeleteStackSet",
            message: describe(&e),
        })?;
    Ok(true)
}
