//! AWS Backup: vaults with their own key and a vault lock, plans of daily and monthly
//! rules that copy to another region's vault, selections by resource or tag, restore
//! testing that proves the backups restore, and failed backup, copy and restore jobs
//! reported to the alarm topic.
//!
//! ```
//! use rcdk::{App, Stack, StackProps};
//! use rcdk_constructs::backup::{
//!     BackupPlan, BackupPlanProps, BackupRule, BackupVault, BackupVaultProps, FailureAlerts,
//!     RestoreTestOptions, RestoreTestingPlan, RestoreTestingPlanProps, Selection, VaultLock,
//! };
//! use rcdk_constructs::data::{PostgresInstance, PostgresInstanceProps};
//! use rcdk_constructs::monitoring::{AlarmTopic, AlarmTopicProps};
//! use rcdk_constructs::network::{Vpc, VpcProps};
//! let app = App::with_context(Default::default(), "cdk.out");
//! let stack = Stack::new(&app, "data", StackProps::default());
//! let vpc = Vpc::new(&stack, "Vpc", VpcProps::default());
//! let db = PostgresInstance::new(&stack, "Database", PostgresInstanceProps::new(&vpc));
//! let vault = BackupVault::new(&stack, "Vault", BackupVaultProps {
//!     lock: Some(VaultLock::Governance { min_retention_days: 7, max_retention_days: 400 }),
//!     ..BackupVaultProps::default()
//! });
//! let plan = BackupPlan::new(&stack, "Backups", BackupPlanProps {
//!     vault,
//!     rules: vec![BackupRule::daily(35), BackupRule::monthly(365)],
//!     name: None,
//! });
//! plan.select("Database", Selection::database(&db));
//! let tests = RestoreTestingPlan::new(&stack, "RestoreTests", &plan, RestoreTestingPlanProps::default());
//! tests.add_database("Database", &db, RestoreTestOptions::default());
//! let topic = AlarmTopic::new(&stack, "Alarms", AlarmTopicProps::default());
//! FailureAlerts::new(&stack, "BackupFailures", &topic);
//! ```

mod plan;
mod restore_testing;
mod vault;
mod windows;

pub use plan::{
    BackupPlan, BackupPlanProps, BackupRule, CopyTo, Protected, ResourceKind, Selection,
};
pub use restore_testing::{
    RESTORED_CLASS_KEY, RestoreTestOptions, RestoreTestingPlan, RestoreTestingPlanProps,
};
pub use vault::{BackupVault, BackupVaultProps, VaultLock, is_vault_name};

use rcdk::Scope;
use rcdk_l1::documents::EventPattern;

use crate::events::{Rule, RuleProps, TargetOptions};
use crate::monitoring::AlarmTopic;

/// EventBridge rules that send every failed backup, copy and restore job (restore tests
/// included) of the account and region to an alarm topic. AWS Backup reports a backup or
/// copy job's `state` and a restore job's `status`, so there is a rule for each.
#[derive(Debug, Clone)]
pub struct FailureAlerts {
    /// Backup and copy jobs that failed, were aborted or expired.
    pub jobs: Rule,
    /// Restore jobs that failed or were aborted.
    pub restores: Rule,
}

impl FailureAlerts {
    /// Adds the two rules below `parent`, publishing to `topic`.
    pub fn new(parent: &Scope, id: &str, topic: &AlarmTopic) -> FailureAlerts {
        let scope = Scope::new(parent, id);
        let jobs = Rule::new(
            &scope,
            "Jobs",
            RuleProps {
                description: Some(
                    "Failed AWS Backup backup and copy jobs, to the alarm topic".into(),
                ),
                ..RuleProps::pattern(
                    EventPattern::default()
                        .source(["aws.backup"])
                        .detail_type(["Backup Job State Change", "Copy Job State Change"])
                        .detail("state", ["FAILED", "ABORTED", "EXPIRED"]),
                )
            },
        );
        jobs.add_topic_target(topic, TargetOptions::default());
        let restores = Rule::new(
            &scope,
            "Restores",
            RuleProps {
                description: Some(
                    "Failed AWS Backup restore jobs (restore tests included), to the alarm topic"
                        .into(),
                ),
                ..RuleProps::pattern(
                    EventPattern::default()
                        .source(["aws.backup"])
                        .detail_type(["Restore Job State Change"])
                        .detail("status", ["FAILED", "ABORTED"]),
                )
            },
        );
        restores.add_topic_target(topic, TargetOptions::default());
        FailureAlerts { jobs, restores }
    }
}
