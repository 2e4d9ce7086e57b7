//! A stack deployed as a CloudFormation StackSet: the template is built from constructs
//! like any stack's (so posture, cost, diff and golden files see it as one), and
//! `rcdk deploy` creates the StackSet in the stack's account and region (the
//! organisation's management or delegated administrator account) with an instance in
//! every target account and region, instead of a stack there.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Who deploys the instances.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PermissionModel {
    /// AWS Organizations does: targets are organizational units, and accounts that join
    /// them later get an instance (auto-deployment).
    #[serde(rename = "SERVICE_MANAGED")]
    ServiceManaged,
    /// Roles you made do: an administration role here, an execution role in each target
    /// account; targets are accounts (for accounts outside an organisation).
    #[serde(rename = "SELF_MANAGED")]
    SelfManaged,
}

/// What happens when an account joins or leaves a target organizational unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AutoDeployment {
    /// Accounts that join get an instance.
    pub enabled: bool,
    /// An account that leaves keeps the stack (its resources) instead of losing it.
    pub retain_stacks_on_account_removal: bool,
}

/// How many accounts an operation works on at once, or may fail in, per region.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Concurrency {
    /// A number of accounts.
    Count(u32),
    /// A percentage of the region's accounts (0–100).
    Percentage(u32),
}

/// How operations roll out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OperationPreferences {
    /// Accounts deployed at once per region.
    pub max_concurrent: Concurrency,
    /// Failures per region before the operation stops in that region.
    pub failure_tolerance: Concurrency,
    /// Regions in this order (the rest after them).
    pub region_order: Vec<String>,
    /// All regions at once instead of one after another.
    pub parallel_regions: bool,
}

impl Default for OperationPreferences {
    /// A quarter of the accounts at a time, the first failure stops the region, regions
    /// one after another: a bad template reaches few accounts.
    fn default() -> Self {
        OperationPreferences {
            max_concurrent: Concurrency::Percentage(25),
            failure_tolerance: Concurrency::Count(0),
            region_order: Vec::new(),
            parallel_regions: false,
        }
    }
}

/// Where and how a StackSet deploys the stack's template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StackSetProps {
    /// Organisation-managed (targets are OUs) or self-managed (targets are accounts).
    pub permission_model: PermissionModel,
    /// Service-managed targets: organizational units (`ou-…`) or the root (`r-…`).
    pub organizational_unit_ids: Vec<String>,
    /// Self-managed targets: account ids.
    pub accounts: Vec<String>,
    /// The regions every target gets an instance in.
    pub regions: Vec<String>,
    /// Service-managed only.
    pub auto_deployment: Option<AutoDeployment>,
    /// Self-managed: the administration role (default: AWS's
    /// `AWSCloudFormationStackSetAdministrationRole` of this account).
    pub administration_role_arn: Option<String>,
    /// Self-managed: the execution role's name in the target accounts (default: AWS's
    /// `AWSCloudFormationStackSetExecutionRole`).
    pub execution_role_name: Option<String>,
    /// How operations roll out.
    pub operation_preferences: OperationPreferences,
    /// Lets CloudFormation run non-conflicting operations at once instead of queueing.
    pub managed_execution: bool,
    /// Values of the template's parameters.
    pub parameters: BTreeMap<String, String>,
}

impl StackSetProps {
    /// Every account of `organizational_units`, now and later (they keep the stack if
    /// they leave: its resources are often the account's guardrails), in `regions`.
    pub fn service_managed(
        organizational_units: impl IntoIterator<Item = impl Into<String>>,
        regions: impl IntoIterator<Item = impl Into<String>>,
    ) -> StackSetProps {
        StackSetProps {
            permission_model: PermissionModel::ServiceManaged,
            organizational_unit_ids: organizational_units.into_iter().map(Into::into).collect(),
            accounts: Vec::new(),
            regions: regions.into_iter().map(Into::into).collect(),
            auto_deployment: Some(AutoDeployment {
                enabled: true,
                retain_stacks_on_account_removal: true,
            }),
            administration_role_arn: None,
            execution_role_name: None,
            operation_preferences: OperationPreferences::default(),
            managed_execution: true,
            parameters: BTreeMap::new(),
        }
    }

    /// `accounts` in `regions`, through the StackSet administration and execution roles.
    pub fn self_managed(
        accounts: impl IntoIterator<Item = impl Into<String>>,
        regions: impl IntoIterator<Item = impl Into<String>>,
    ) -> StackSetProps {
        StackSetProps {
            permission_model: PermissionModel::SelfManaged,
            accounts: accounts.into_iter().map(Into::into).collect(),
            organizational_unit_ids: Vec::new(),
            auto_deployment: None,
            ..StackSetProps::service_managed(Vec::<String>::new(), regions)
        }
    }

    /// What is wrong with these settings, each as (field, message with the fix).
    pub fn problems(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        let account = |id: &str| id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit());
        match self.permission_model {
            PermissionModel::ServiceManaged => {
                if self.organizational_unit_ids.is_empty() {
                    out.push(("organizational_unit_ids", "a service-managed StackSet targets organizational units: name at least one (ou-… or the root r-…)".to_owned()));
                }
                if !self.accounts.is_empty() {
                    out.push(("accounts", "a service-managed StackSet targets organizational units, not accounts: use StackSetProps::self_managed for accounts".to_owned()));
                }
                if self.administration_role_arn.is_some() || self.execution_role_name.is_some() {
                    out.push(("administration_role_arn", "roles are for self-managed StackSets; AWS Organizations deploys service-managed ones".to_owned()));
                }
            }
            PermissionModel::SelfManaged => {
                if self.accounts.is_empty() {
                    out.push((
                        "accounts",
                        "a self-managed StackSet targets accounts: name at least one".to_owned(),
                    ));
                }
                if !self.organizational_unit_ids.is_empty() {
                    out.push(("organizational_unit_ids", "organizational units are targets of service-managed StackSets: use StackSetProps::service_managed".to_owned()));
                }
                if self.auto_deployment.is_some() {
                    out.push(("auto_deployment", "auto-deployment follows organizational units: only service-managed StackSets have it".to_owned()));
                }
            }
        }
        for id in self
            .organizational_unit_ids
            .iter()
            .filter(|id| !is_organizational_unit(id))
        {
            out.push((
                "organizational_unit_ids",
                format!(
                    "'{id}' is not an organizational unit id (ou-xxxx-xxxxxxxx) or root id (r-xxxx)"
                ),
            ));
        }
        for id in self.accounts.iter().filter(|id| !account(id)) {
            out.push((
                "accounts",
                format!("'{id}' is not an account id (12 digits)"),
            ));
        }
        if self.regions.is_empty() {
            out.push((
                "regions",
                "name the regions every target gets an instance in".to_owned(),
            ));
        }
        for r in self
            .regions
            .iter()
            .chain(&self.operation_preferences.region_order)
        {
            if !super::Environment::is_region_name(r) {
                out.push((
                    "regions",
                    format!("'{r}' is not a region name like us-east-1"),
                ));
            }
        }
        for r in &self.operation_preferences.region_order {
            if !self.regions.contains(r) {
                out.push((
                    "operation_preferences.region_order",
                    format!("'{r}' is not one of the StackSet's regions"),
                ));
            }
        }
        for (field, c) in [
            (
                "operation_preferences.max_concurrent",
                self.operation_preferences.max_concurrent,
            ),
            (
                "operation_preferences.failure_tolerance",
                self.operation_preferences.failure_tolerance,
            ),
        ] {
            if matches!(c, Concurrency::Percentage(p) if p > 100) {
                out.push((field, "a percentage is 0 to 100".to_owned()));
            }
        }
        if self.operation_preferences.max_concurrent == Concurrency::Count(0)
            || self.operation_preferences.max_concurrent == Concurrency::Percentage(0)
        {
            out.push((
                "operation_preferences.max_concurrent",
                "at least one account must deploy at a time".to_owned(),
            ));
        }
        out
    }
}

/// An organizational unit id (`ou-…`) or the organisation's root (`r-…`), as AWS
/// Organizations writes them.
pub fn is_organizational_unit(id: &str) -> bool {
    let (prefix, rest) = id.split_at(id.find('-').map_or(0, |i| i + 1));
    matches!(prefix, "ou-" | "r-")
        && !rest.is_empty()
        && rest
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}
