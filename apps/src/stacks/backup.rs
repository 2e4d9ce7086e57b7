//! `{env}-backup`: AWS Backup of the environment's database (`backup:` in its settings):
//! a vault with its own key and a lock, daily (and monthly) backups, copies into the
//! standby's vault in its region, and weekly restore tests. A standby's `{env}-backup`
//! holds the vault its primary copies into. Failed jobs reach the account baseline's
//! alarm topic (`baseline-{account}-{region}`: AWS Backup's events are per account and
//! region).

use rcdk::App;
use rcdk_constructs::backup::{
    BackupPlan, BackupPlanProps, BackupRule, BackupVault, BackupVaultProps, CopyTo,
    RestoreTestOptions, RestoreTestingPlan, RestoreTestingPlanProps, Selection, VaultLock,
};
use rcdk_constructs::data::PostgresInstance;

use crate::config::{BACKUP_LOCK_MIN_DAYS, BackupConfig, EnvironmentConfig, LockMode};
use crate::env_stack;

/// Days within which a compliance lock can still be changed: AWS Backup's minimum.
const LOCK_GRACE_DAYS: u32 = 3;

/// The name of `env`'s vault: known to its primary, which copies into it.
pub fn vault_name(env: &str) -> String {
    format!("{env}-backups")
}

fn lock(mode: LockMode, max_days: u32) -> VaultLock {
    match mode {
        LockMode::Governance => VaultLock::Governance {
            min_retention_days: BACKUP_LOCK_MIN_DAYS,
            max_retention_days: max_days,
        },
        LockMode::Compliance => VaultLock::Compliance {
            min_retention_days: BACKUP_LOCK_MIN_DAYS,
            max_retention_days: max_days,
            changeable_for_days: LOCK_GRACE_DAYS,
        },
    }
}

/// The environment's plan over `db`; `standby` is where its copies go (name, settings).
pub fn build(
    app: &App,
    env: &str,
    settings: &EnvironmentConfig,
    backup: &BackupConfig,
    db: &PostgresInstance,
    standby: Option<(&str, &EnvironmentConfig)>,
) -> BackupPlan {
    let stack = env_stack(
        app,
        env,
        settings,
        "backup",
        "AWS Backup of the database: locked vault, plan, copies, restore tests",
    );
    let vault = BackupVault::new(
        &stack,
        "Vault",
        BackupVaultProps {
            name: Some(vault_name(env)),
            lock: Some(lock(backup.lock, backup.longest_days())),
            ..BackupVaultProps::default()
        },
    );
    let mut daily = BackupRule::daily(backup.daily_days);
    if let (Some(days), Some((standby, s))) = (backup.copy_days, standby) {
        daily = daily.copy_to(CopyTo {
            vault_arn: BackupVault::arn_of(&s.region, &s.account, &vault_name(standby)),
            delete_after_days: days,
            lock: Some(lock(backup.lock, days)),
        });
    }
    let mut rules = vec![daily];
    rules.extend(backup.monthly_days.map(BackupRule::monthly));
    let plan = BackupPlan::new(
        &stack,
        "Plan",
        BackupPlanProps {
            vault,
            rules,
            name: Some(format!("{env}-database")),
        },
    );
    plan.select("Database", Selection::database(db));
    if backup.restore_tests {
        let tests = RestoreTestingPlan::new(
            &stack,
            "RestoreTests",
            &plan,
            RestoreTestingPlanProps {
                name: Some(format!("{}_database", env.replace('-', "_"))),
                ..RestoreTestingPlanProps::default()
            },
        );
        tests.add_database("Database", db, RestoreTestOptions::default());
    }
    plan
}

/// A standby's vault, receiving `primary`'s copies (kept `copy_days`, locked alike).
pub fn build_standby_vault(
    app: &App,
    env: &str,
    settings: &EnvironmentConfig,
    primary: &BackupConfig,
    copy_days: u32,
) -> BackupVault {
    let stack = env_stack(
        app,
        env,
        settings,
        "backup",
        "Vault of the copies of the primary's database backups",
    );
    BackupVault::new(
        &stack,
        "Vault",
        BackupVaultProps {
            name: Some(vault_name(env)),
            lock: Some(lock(primary.lock, copy_days)),
            ..BackupVaultProps::default()
        },
    )
}
