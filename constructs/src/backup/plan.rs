//! A backup plan: rules (when, how long kept, copies to another vault) into one vault, a
//! role AWS Backup assumes to take and restore the backups, and selections of what it
//! protects. What AWS would refuse or quietly ignore is refused at synthesis instead: a
//! retention the vault lock would fail the job for, cold storage for resources that
//! cannot move there, point-in-time recovery kept longer than 35 days.

use std::cell::RefCell;
use std::ops::Deref;
use std::rc::Rc;

use rcdk::{Expr, Scope};
use rcdk_l1::backup::backup_plan::{
    BackupPlanResourceType, BackupRuleResourceType, CopyActionResourceType, LifecycleResourceType,
};
use rcdk_l1::backup::backup_selection::{BackupSelectionResourceType, ConditionResourceType};
use rcdk_l1::backup::{
    CfnBackupPlan, CfnBackupPlanProps, CfnBackupSelection, CfnBackupSelectionProps,
};

use super::vault::{BackupVault, VaultLock};
use super::windows;
use crate::events::Schedule;
use crate::iam::{Principal, Role, RoleProps, aws_managed_policy};
use crate::units::Duration;

/// Days a recovery point must stay in cold storage before it may be deleted.
const COLD_STORAGE_MIN_DAYS: u32 = 90;
/// The longest point-in-time recovery window AWS Backup keeps.
const CONTINUOUS_MAX_DAYS: u32 = 35;

/// What a selection names, for the rules that depend on the kind of resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResourceKind {
    /// `AWS::RDS::DBInstance` (not a read replica).
    RdsInstance,
    /// `AWS::RDS::DBCluster`.
    RdsCluster,
    /// `AWS::DynamoDB::Table`.
    DynamoDbTable,
    /// `AWS::EFS::FileSystem`.
    EfsFileSystem,
    /// `AWS::EC2::Volume`.
    EbsVolume,
    /// `AWS::S3::Bucket`.
    S3Bucket,
}

impl ResourceKind {
    /// Whether AWS Backup can move its recovery points to cold storage (it ignores the
    /// lifecycle for the others).
    pub fn supports_cold_storage(self) -> bool {
        matches!(
            self,
            ResourceKind::DynamoDbTable | ResourceKind::EfsFileSystem | ResourceKind::EbsVolume
        )
    }

    /// Whether AWS Backup keeps continuous backups (point-in-time recovery) of it.
    pub fn supports_continuous(self) -> bool {
        matches!(
            self,
            ResourceKind::RdsInstance | ResourceKind::RdsCluster | ResourceKind::S3Bucket
        )
    }

    fn label(self) -> &'static str {
        match self {
            ResourceKind::RdsInstance => "an RDS instance",
            ResourceKind::RdsCluster => "an Aurora cluster",
            ResourceKind::DynamoDbTable => "a DynamoDB table",
            ResourceKind::EfsFileSystem => "an EFS file system",
            ResourceKind::EbsVolume => "an EBS volume",
            ResourceKind::S3Bucket => "an S3 bucket",
        }
    }
}

/// A copy of each recovery point into another vault (another region's, for disaster
/// recovery).
#[derive(Debug, Clone)]
pub struct CopyTo {
    /// The destination vault ([`BackupVault::arn_of`] for another region's).
    pub vault_arn: Expr<String>,
    /// How long the copy is kept.
    pub delete_after_days: u32,
    /// The destination's lock, when known, so that a retention it refuses is caught here.
    pub lock: Option<VaultLock>,
}

impl CopyTo {
    /// Copies into `vault`, kept `delete_after_days`.
    pub fn vault(vault: &BackupVault, delete_after_days: u32) -> CopyTo {
        CopyTo {
            vault_arn: vault.arn(),
            delete_after_days,
            lock: vault.lock().copied(),
        }
    }
}

/// One rule of a plan.
#[derive(Debug, Clone)]
pub struct BackupRule {
    /// 1 to 50 letters, digits, hyphens, underscores or dots; unique in the plan.
    pub name: String,
    /// When the backup starts (UTC).
    pub schedule: Schedule,
    /// A job that has not started this long after its time is cancelled: 1 hour or more.
    pub start_window: Duration,
    /// A job still running this long after its start is cancelled.
    pub completion_window: Duration,
    /// How long recovery points are kept.
    pub delete_after_days: u32,
    /// Moved to cold storage after this many days (only resources that support it; the
    /// points then stay at least 90 days more). Default: never.
    pub cold_after_days: Option<u32>,
    /// Point-in-time recovery (continuous backup) for resources that support it, kept
    /// at most 35 days. Default: false.
    pub continuous: bool,
    /// Copies of each recovery point into other vaults.
    pub copies: Vec<CopyTo>,
}

impl BackupRule {
    /// Every day at 06:00 UTC (after an RDS instance's default backup window, 03:00, and
    /// maintenance window, Sunday 04:30–05:30), kept `delete_after_days`.
    pub fn daily(delete_after_days: u32) -> BackupRule {
        BackupRule {
            name: "daily".into(),
            schedule: Schedule::cron().minute(0).hour(6).into(),
            start_window: Duration::hours(1),
            completion_window: Duration::hours(8),
            delete_after_days,
            cold_after_days: None,
            continuous: false,
            copies: Vec::new(),
        }
    }

    /// The first of every month at 06:00 UTC, kept `delete_after_days`.
    pub fn monthly(delete_after_days: u32) -> BackupRule {
        BackupRule {
            name: "monthly".into(),
            schedule: Schedule::cron().minute(0).hour(6).day_of_month(1).into(),
            ..BackupRule::daily(delete_after_days)
        }
    }

    /// Also copies each recovery point as `copy` says.
    pub fn copy_to(mut self, copy: CopyTo) -> BackupRule {
        self.copies.push(copy);
        self
    }

    /// Why AWS Backup would refuse the rule (or fail its jobs) in `vault`, if it would.
    fn problems(&self, vault: &BackupVault) -> Vec<String> {
        let mut problems = Vec::new();
        let rule = &self.name;
        if self.name.is_empty()
            || self.name.len() > 50
            || !self
                .name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        {
            problems.push(format!(
                "rule name '{rule}' is not 1 to 50 letters, digits, hyphens, underscores or dots"
            ));
        }
        if let Err(e) = self.schedule.expression() {
            problems.push(format!("rule '{rule}': {e}"));
        }
        let start = self.start_window.as_millis() / 60_000;
        let completion = self.completion_window.as_millis() / 60_000;
        if start < 60 {
            problems.push(format!(
                "rule '{rule}': start_window is {start} minutes; AWS Backup takes 60 or more"
            ));
        }
        if completion <= start {
            problems.push(format!(
                "rule '{rule}': completion_window ({completion} minutes) must be longer than start_window ({start} minutes)"
            ));
        }
        if self.delete_after_days == 0 {
            problems.push(format!("rule '{rule}': delete_after_days is 0"));
        }
        if let Some(cold) = self.cold_after_days
            && self.delete_after_days < cold + COLD_STORAGE_MIN_DAYS
        {
            problems.push(format!(
                "rule '{rule}': points moved to cold storage after {cold} days stay there at least {COLD_STORAGE_MIN_DAYS} days; delete_after_days is {}, make it {} or more",
                self.delete_after_days,
                cold + COLD_STORAGE_MIN_DAYS
            ));
        }
        if self.continuous && self.delete_after_days > CONTINUOUS_MAX_DAYS {
            problems.push(format!(
                "rule '{rule}': continuous backups are kept at most {CONTINUOUS_MAX_DAYS} days; delete_after_days is {}",
                self.delete_after_days
            ));
        }
        if let Some(why) = vault.lock().and_then(|l| l.refuses(self.delete_after_days)) {
            problems.push(format!("rule '{rule}' into vault {}: {why}", vault.name()));
        }
        for copy in &self.copies {
            if let Some(why) = copy.lock.and_then(|l| l.refuses(copy.delete_after_days)) {
                problems.push(format!("rule '{rule}', its copy: {why}"));
            }
        }
        problems
    }

    fn render(&self, vault: &BackupVault) -> BackupRuleResourceType {
        let lifecycle = |delete: u32, cold: Option<u32>| LifecycleResourceType {
            delete_after_days: Some(f64::from(delete).into()),
            move_to_cold_storage_after_days: cold.map(|c| f64::from(c).into()),
            ..Default::default()
        };
        let copy_actions: Vec<CopyActionResourceType> = self
            .copies
            .iter()
            .map(|c| CopyActionResourceType {
                lifecycle: Some(lifecycle(c.delete_after_days, None)),
                ..CopyActionResourceType::new(c.vault_arn.clone())
            })
            .collect();
        BackupRuleResourceType {
            schedule_expression: self.schedule.expression().ok().map(Into::into),
            start_window_minutes: Some(((self.start_window.as_millis() / 60_000) as f64).into()),
            completion_window_minutes: Some(
                ((self.completion_window.as_millis() / 60_000) as f64).into(),
            ),
            lifecycle: Some(lifecycle(self.delete_after_days, self.cold_after_days)),
            enable_continuous_backup: self.continuous.then(|| true.into()),
            copy_actions: (!copy_actions.is_empty()).then_some(copy_actions),
            ..BackupRuleResourceType::new(self.name.as_str(), vault.name())
        }
    }
}

/// A resource a selection names.
#[derive(Debug, Clone)]
pub struct Protected {
    /// What it is.
    pub kind: ResourceKind,
    /// Its ARN.
    pub arn: Expr<String>,
    /// `(what, window)`: windows in RDS's syntax (`hh:mm-hh:mm` daily, `ddd:hh:mm-ddd:hh:mm`
    /// weekly, UTC) in which the resource is busy with its own work; no rule may start
    /// inside one.
    pub busy: Vec<(String, String)>,
}

/// What a selection protects: named resources, or every resource carrying a tag.
#[derive(Debug, Clone)]
pub enum Selection {
    /// Resources by ARN.
    Resources(Vec<Protected>),
    /// Resources whose tag `key` equals `value`, of any kind AWS Backup supports.
    Tagged {
        /// The tag's key.
        key: String,
        /// The value it must have.
        value: String,
    },
}

impl Selection {
    /// One resource, by its ARN.
    pub fn resource(kind: ResourceKind, arn: Expr<String>) -> Selection {
        Selection::Resources(vec![Protected {
            kind,
            arn,
            busy: Vec::new(),
        }])
    }

    /// A database instance, with its backup and maintenance windows.
    #[cfg(feature = "data")]
    pub fn database(db: &crate::data::PostgresInstance) -> Selection {
        Selection::Resources(vec![Protected {
            kind: ResourceKind::RdsInstance,
            arn: db.arn(),
            busy: db.busy_windows(),
        }])
    }
}

/// Settings of a [`BackupPlan`].
#[derive(Debug, Clone)]
pub struct BackupPlanProps {
    /// Where the rules put recovery points.
    pub vault: BackupVault,
    /// When backups are taken and how long they are kept.
    pub rules: Vec<BackupRule>,
    /// Default: the stack's name and the construct's id.
    pub name: Option<String>,
}

/// An AWS Backup plan.
#[derive(Debug, Clone)]
pub struct BackupPlan {
    scope: Scope,
    plan: CfnBackupPlan,
    role: Role,
    vault: BackupVault,
    rules: Rc<Vec<BackupRule>>,
    selected: Rc<RefCell<Vec<Expr<String>>>>,
}

impl Deref for BackupPlan {
    type Target = Scope;
    fn deref(&self) -> &Scope {
        &self.scope
    }
}

impl BackupPlan {
    /// Adds the plan and its role below `parent`; [`BackupPlan::select`] says what it protects.
    pub fn new(parent: &Scope, id: &str, props: BackupPlanProps) -> BackupPlan {
        let scope = Scope::new(parent, id);
        if props.rules.is_empty() {
            scope.add_error("a backup plan needs at least one rule (BackupRule::daily, …)");
        }
        for (i, rule) in props.rules.iter().enumerate() {
            if props.rules[..i].iter().any(|r| r.name == rule.name) {
                scope.add_error(format!("two rules are named '{}'", rule.name));
            }
            for problem in rule.problems(&props.vault) {
                scope.add_error(problem);
            }
        }
        let name = props.name.unwrap_or_else(|| {
            format!(
                "{}-{}",
                scope.stack().map(|s| s.stack_name()).unwrap_or_default(),
                scope.id()
            )
        });
        let plan = CfnBackupPlan::new(
            &scope,
            "Resource",
            CfnBackupPlanProps::new(BackupPlanResourceType::new(
                name.as_str(),
                props.rules.iter().map(|r| r.render(&props.vault)).collect(),
            )),
        );
        // Rules name the vault rather than refer to it: the plan waits for it explicitly.
        plan.add_depends_on(props.vault.resource());
        let role = Role::new(
            &scope,
            "Role",
            RoleProps {
                description: Some(format!(
                    "AWS Backup takes and restores the backups of {name}"
                )),
                managed_policies: vec![
                    aws_managed_policy("service-role/AWSBackupServiceRolePolicyForBackup"),
                    aws_managed_policy("service-role/AWSBackupServiceRolePolicyForRestores"),
                ],
                ..RoleProps::new(Principal::service("backup.amazonaws.com"))
            },
        );
        BackupPlan {
            scope,
            plan,
            role,
            vault: props.vault,
            rules: Rc::new(props.rules),
            selected: Rc::default(),
        }
    }

    /// Protects what `selection` names with every rule of the plan.
    pub fn select(&self, id: &str, selection: Selection) {
        let mut resource = BackupSelectionResourceType::new(self.role.arn(), id);
        match selection {
            Selection::Resources(resources) => {
                for protected in &resources {
                    self.check(id, protected);
                }
                let arns: Vec<Expr<String>> = resources.into_iter().map(|p| p.arn).collect();
                self.selected.borrow_mut().extend(arns.iter().cloned());
                resource.resources = Some(arns.into());
            }
            Selection::Tagged { key, value } => {
                resource.list_of_tags = Some(vec![ConditionResourceType::new(
                    key.as_str(),
                    "STRINGEQUALS",
                    value.as_str(),
                )]);
            }
        }
        CfnBackupSelection::new(
            &self.scope,
            id,
            CfnBackupSelectionProps::new(self.plan.attr_backup_plan_id(), resource),
        );
    }

    /// Refuses a rule that would not do what it says for `protected`, or would start
    /// while it is busy.
    fn check(&self, selection: &str, protected: &Protected) {
        let kind = protected.kind;
        for rule in self.rules.iter() {
            if rule.cold_after_days.is_some() && !kind.supports_cold_storage() {
                self.scope.add_error(format!(
                    "selection '{selection}' protects {} with rule '{}', which moves points to cold storage: AWS Backup cannot do that for it and would keep them warm at the warm price; drop cold_after_days or give it a plan of its own",
                    kind.label(),
                    rule.name
                ));
            }
            if rule.continuous && !kind.supports_continuous() {
                self.scope.add_error(format!(
                    "selection '{selection}' protects {} with rule '{}', which asks for continuous backups: AWS Backup keeps none for it",
                    kind.label(),
                    rule.name
                ));
            }
            let Ok(expression) = rule.schedule.expression() else {
                continue;
            };
            let minutes = (rule.start_window.as_millis() / 60_000) as u32;
            let Some(starts) = windows::start_spans(expression, minutes) else {
                continue;
            };
            for (what, window) in &protected.busy {
                match windows::busy_spans(window) {
                    Some(busy) if windows::overlap(&starts, &busy) => {
                        self.scope.add_error(format!(
                            "selection '{selection}': rule '{}' starts ({expression}, within {minutes} minutes) inside {}'s {what} {window}, where AWS Backup's job waits or fails; move the rule's schedule or the window",
                            rule.name,
                            kind.label()
                        ));
                    }
                    Some(_) => {}
                    None => self.scope.add_error(format!(
                        "selection '{selection}': {what} '{window}' is not hh:mm-hh:mm or ddd:hh:mm-ddd:hh:mm"
                    )),
                }
            }
        }
    }

    /// The role AWS Backup assumes (restore tests use it too).
    pub fn role(&self) -> &Role {
        &self.role
    }

    /// The vault the rules write to.
    pub fn vault(&self) -> &BackupVault {
        &self.vault
    }

    /// The rules.
    pub fn rules(&self) -> &[BackupRule] {
        &self.rules
    }

    /// Whether a selection of the plan names the resource `arn` (tag selections aside).
    pub fn protects(&self, arn: &Expr<String>) -> bool {
        self.selected.borrow().contains(arn)
    }

    /// The plan's id.
    pub fn plan_id(&self) -> Expr<String> {
        self.plan.attr_backup_plan_id()
    }
}
