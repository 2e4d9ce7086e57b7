//! Restore testing: on a schedule, AWS Backup restores the latest recovery point of each
//! selected resource from the plan's vaults, keeps the restored copy for a validation
//! window, and deletes it. A backup nobody restored is a hope; this is the proof, every
//! week, with a failed restore reported like a failed backup ([`super::FailureAlerts`]).
//!
//! A database is restored into its own subnet group, behind a security group of its own
//! that admits nothing and lets nothing out: the copy holds production data and is
//! reachable by no one. Without these overrides AWS Backup would restore into the
//! account's default VPC, which production accounts often do not have.

use std::ops::Deref;

use rcdk::{Expr, Scope};
use rcdk_l1::backup::restore_testing_plan::RestoreTestingRecoveryPointSelection;
use rcdk_l1::backup::{CfnRestoreTestingPlan, CfnRestoreTestingPlanProps};

use super::plan::BackupPlan;
use crate::events::Schedule;

/// Metadata key of a restore testing selection: the instance class its restored copies
/// run as (what `rcdk cost` prices them at).
pub const RESTORED_CLASS_KEY: &str = rcdk::cost::RESTORED_CLASS_METADATA;

/// Settings of a [`RestoreTestingPlan`].
#[derive(Debug, Clone)]
pub struct RestoreTestingPlanProps {
    /// 1 to 50 letters, digits and underscores. Default: from the stack's name and the id.
    pub name: Option<String>,
    /// When tests start (UTC). Default: Saturdays at 10:00, after the morning's backups.
    pub schedule: Schedule,
    /// A test that has not started this many hours after its time is skipped (1 to 168).
    /// Default: 2.
    pub start_window_hours: u32,
    /// Only recovery points at most this many days old are tested (1 to 365). Default: 7.
    pub selection_window_days: u32,
}

impl Default for RestoreTestingPlanProps {
    fn default() -> Self {
        RestoreTestingPlanProps {
            name: None,
            schedule: Schedule::cron().minute(0).hour(10).day_of_week(7).into(),
            start_window_hours: 2,
            selection_window_days: 7,
        }
    }
}

/// How one resource is tested.
#[derive(Debug, Clone)]
pub struct RestoreTestOptions {
    /// How long the restored copy is kept for validation before AWS Backup deletes it
    /// (0 to 168 hours). Default: 2.
    pub validation_window_hours: u32,
    /// The restored copy's instance class (restore metadata `dbInstanceClass`).
    /// Default: the source's, which AWS Backup infers from the recovery point (a test of
    /// what a recovery would run); a smaller one costs less and proves the data alone.
    pub instance_class: Option<String>,
}

impl Default for RestoreTestOptions {
    fn default() -> Self {
        RestoreTestOptions {
            validation_window_hours: 2,
            instance_class: None,
        }
    }
}

/// A restore testing plan over the recovery points one [`BackupPlan`] writes.
#[derive(Debug, Clone)]
pub struct RestoreTestingPlan {
    scope: Scope,
    plan: CfnRestoreTestingPlan,
    name: String,
    backups: BackupPlan,
}

impl Deref for RestoreTestingPlan {
    type Target = Scope;
    fn deref(&self) -> &Scope {
        &self.scope
    }
}

/// `{stack}_{id}` with what the name may not hold turned into underscores.
fn default_name(scope: &Scope) -> String {
    let raw = format!(
        "{}_{}",
        scope.stack().map(|s| s.stack_name()).unwrap_or_default(),
        scope.id()
    );
    raw.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .take(50)
        .collect()
}

impl RestoreTestingPlan {
    /// Adds a plan testing the latest snapshot in `backups`' vault.
    pub fn new(
        parent: &Scope,
        id: &str,
        backups: &BackupPlan,
        props: RestoreTestingPlanProps,
    ) -> RestoreTestingPlan {
        let scope = Scope::new(parent, id);
        let name = props.name.unwrap_or_else(|| default_name(&scope));
        if name.is_empty()
            || name.len() > 50
            || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            scope.add_error(format!(
                "restore testing plan name '{name}' is not 1 to 50 letters, digits or underscores"
            ));
        }
        if !(1..=168).contains(&props.start_window_hours) {
            scope.add_error(format!(
                "start_window_hours is {}; AWS Backup takes 1 to 168",
                props.start_window_hours
            ));
        }
        if !(1..=365).contains(&props.selection_window_days) {
            scope.add_error(format!(
                "selection_window_days is {}; AWS Backup takes 1 to 365",
                props.selection_window_days
            ));
        }
        let schedule = match props.schedule.expression() {
            Ok(e) => e.to_owned(),
            Err(e) => {
                scope.add_error(e.to_owned());
                String::new()
            }
        };
        let selection = RestoreTestingRecoveryPointSelection {
            selection_window_days: Some(i64::from(props.selection_window_days).into()),
            ..RestoreTestingRecoveryPointSelection::new(
                "LATEST_WITHIN_WINDOW",
                vec![backups.vault().arn()],
                vec!["SNAPSHOT"],
            )
        };
        let plan = CfnRestoreTestingPlan::new(
            &scope,
            "Resource",
            CfnRestoreTestingPlanProps {
                start_window_hours: Some(i64::from(props.start_window_hours).into()),
                ..CfnRestoreTestingPlanProps::new(selection, name.as_str(), schedule)
            },
        );
        RestoreTestingPlan {
            scope,
            plan,
            name,
            backups: backups.clone(),
        }
    }

    /// The plan's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The plan's ARN.
    pub fn arn(&self) -> Expr<String> {
        self.plan.attr_restore_testing_plan_arn()
    }

    /// The backup plan whose recovery points are tested.
    pub fn backup_plan(&self) -> &BackupPlan {
        &self.backups
    }

    /// Tests restoring `db` from the backups: into its subnet group, behind a security
    /// group that admits nothing and lets nothing out. `db` must be selected by the
    /// backup plan (else there is nothing to restore, and every test would fail).
    #[cfg(feature = "data")]
    pub fn add_database(
        &self,
        id: &str,
        db: &crate::data::PostgresInstance,
        opts: RestoreTestOptions,
    ) {
        use crate::connections::{SecurityGroup, SecurityGroupProps};
        use rcdk::fns;
        use rcdk_l1::backup::{CfnRestoreTestingSelection, CfnRestoreTestingSelectionProps};
        if !self.backups.protects(&db.arn()) {
            self.scope.add_error(format!(
                "restore test '{id}': {} is not selected by the backup plan {}, so it has no recovery point to restore; select it (plan.select(…, Selection::database(&db)))",
                db.path(),
                self.backups.path()
            ));
        }
        if id.is_empty()
            || id.len() > 50
            || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            self.scope.add_error(format!(
                "restore test id '{id}' names the selection: 1 to 50 letters, digits or underscores"
            ));
        }
        if opts.validation_window_hours > 168 {
            self.scope.add_error(format!(
                "restore test '{id}': validation_window_hours is {}; AWS Backup takes 0 to 168",
                opts.validation_window_hours
            ));
        }
        let isolated = SecurityGroup::new(
            &self.scope,
            &format!("{id}Isolation"),
            SecurityGroupProps::new(
                db.vpc_id(),
                "Restore tests of the database: no traffic in or out",
            ),
        );
        let mut overrides: std::collections::BTreeMap<String, Expr<String>> = [
            ("dbsubnetgroupname".to_owned(), db.subnet_group_name()),
            (
                "vpcsecuritygroupids".to_owned(),
                fns::join(
                    "",
                    [Expr::from("[\""), isolated.group_id(), Expr::from("\"]")],
                ),
            ),
        ]
        .into_iter()
        .collect();
        if let Some(class) = &opts.instance_class {
            overrides.insert("dbinstanceclass".to_owned(), class.as_str().into());
        }
        let selection = CfnRestoreTestingSelection::new(
            &self.scope,
            id,
            CfnRestoreTestingSelectionProps {
                protected_resource_arns: Some(vec![db.arn()].into()),
                restore_metadata_overrides: Some(overrides),
                validation_window_hours: Some(i64::from(opts.validation_window_hours).into()),
                ..CfnRestoreTestingSelectionProps::new(
                    self.backups.role().arn(),
                    "RDS",
                    self.plan.ref_(),
                    id,
                )
            },
        );
        // The class the copy runs as, for the cost estimate (the template holds it only
        // when it is overridden).
        let class = opts
            .instance_class
            .clone()
            .unwrap_or_else(|| db.instance_class().to_owned());
        selection.add_metadata(RESTORED_CLASS_KEY, rcdk::Value::from(class.as_str()));
    }
}
