//! A backup vault: its own key, retained with the stack's deletion, and a vault lock that
//! keeps recovery points from being deleted (or their retention shortened) before their
//! time, by anyone: governance mode yields to a principal with the permission to remove
//! it, compliance mode to nobody once its grace period has passed.

use std::ops::Deref;

use rcdk::{Expr, RemovalPolicy, Scope, fns};
use rcdk_l1::backup::backup_vault::LockConfigurationType;
use rcdk_l1::backup::{CfnBackupVault, CfnBackupVaultProps};

use crate::kms::{Key, KeyProps};

/// AWS Backup keeps recovery points at most this long (100 years).
const MAX_RETENTION_DAYS: u32 = 36_500;

/// A vault lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VaultLock {
    /// Enforced, but a principal allowed `backup:DeleteBackupVaultLockConfiguration` can
    /// change or remove it: for environments that must stay changeable (staging).
    Governance {
        /// The shortest retention a job may ask for.
        min_retention_days: u32,
        /// The longest.
        max_retention_days: u32,
    },
    /// Immutable once `changeable_for_days` (3 or more) have passed: nobody, the root
    /// user and AWS included, can delete a recovery point early or remove the lock.
    Compliance {
        /// The shortest retention a job may ask for.
        min_retention_days: u32,
        /// The longest.
        max_retention_days: u32,
        /// Days, from the deploy that sets it, during which the lock can still change.
        changeable_for_days: u32,
    },
}

impl VaultLock {
    /// The shortest and longest retention a job into the vault may ask for.
    pub fn retention_days(&self) -> (u32, u32) {
        match *self {
            VaultLock::Governance {
                min_retention_days,
                max_retention_days,
            }
            | VaultLock::Compliance {
                min_retention_days,
                max_retention_days,
                ..
            } => (min_retention_days, max_retention_days),
        }
    }

    /// Why the lock cannot be deployed, if it cannot.
    fn problem(&self) -> Option<String> {
        let (min, max) = self.retention_days();
        if min == 0 || min > max || max > MAX_RETENTION_DAYS {
            return Some(format!(
                "lock retention is {min} to {max} days; it takes 1 <= min <= max <= {MAX_RETENTION_DAYS}"
            ));
        }
        match *self {
            VaultLock::Compliance {
                changeable_for_days,
                ..
            } if changeable_for_days < 3 => Some(format!(
                "changeable_for_days is {changeable_for_days}; AWS Backup takes 3 or more (the grace period before a compliance lock becomes permanent)"
            )),
            _ => None,
        }
    }

    /// Why a job keeping recovery points `days` days would fail in the vault, if it would.
    pub fn refuses(&self, days: u32) -> Option<String> {
        let (min, max) = self.retention_days();
        (days < min || days > max).then(|| {
            format!("the vault lock admits retention of {min} to {max} days; AWS Backup fails a job that keeps {days}")
        })
    }
}

/// Settings of a [`BackupVault`].
#[derive(Debug, Clone, Default)]
pub struct BackupVaultProps {
    /// The vault's name (2 to 50 letters, digits, hyphens, underscores), unique in the
    /// account and region. Default: the stack's name and the construct's id.
    pub name: Option<String>,
    /// Encrypts the recovery points AWS Backup manages itself. Default: a new key, rotated
    /// yearly and retained.
    pub key: Option<Key>,
    /// Default: none.
    pub lock: Option<VaultLock>,
}

/// An AWS Backup vault.
#[derive(Debug, Clone)]
pub struct BackupVault {
    scope: Scope,
    vault: CfnBackupVault,
    name: String,
    key: Key,
    lock: Option<VaultLock>,
}

impl Deref for BackupVault {
    type Target = Scope;
    fn deref(&self) -> &Scope {
        &self.scope
    }
}

/// `{stack}-{id}` as a vault name: letters, digits, hyphens and underscores, 50 at most.
fn default_name(scope: &Scope) -> String {
    let raw = format!(
        "{}-{}",
        scope.stack().map(|s| s.stack_name()).unwrap_or_default(),
        scope.id()
    );
    raw.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .take(50)
        .collect()
}

/// Whether AWS Backup accepts `name` as a vault name.
pub fn is_vault_name(name: &str) -> bool {
    (2..=50).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

impl BackupVault {
    /// Adds the vault (and its key, unless given) below `parent`.
    pub fn new(parent: &Scope, id: &str, props: BackupVaultProps) -> BackupVault {
        let scope = Scope::new(parent, id);
        let name = props.name.unwrap_or_else(|| default_name(&scope));
        if !is_vault_name(&name) {
            scope.add_error(format!(
                "vault name '{name}' is not 2 to 50 letters, digits, hyphens or underscores"
            ));
        }
        if let Some(problem) = props.lock.as_ref().and_then(VaultLock::problem) {
            scope.add_error(problem);
        }
        let key = props.key.unwrap_or_else(|| {
            Key::new(
                &scope,
                "Key",
                KeyProps {
                    description: Some(format!("Encrypts the recovery points of vault {name}")),
                    ..KeyProps::default()
                },
            )
        });
        let lock_configuration = props.lock.map(|lock| {
            let (min, max) = lock.retention_days();
            LockConfigurationType {
                max_retention_days: Some(i64::from(max).into()),
                changeable_for_days: match lock {
                    VaultLock::Compliance {
                        changeable_for_days,
                        ..
                    } => Some(i64::from(changeable_for_days).into()),
                    VaultLock::Governance { .. } => None,
                },
                ..LockConfigurationType::new(i64::from(min))
            }
        });
        let vault = CfnBackupVault::new(
            &scope,
            "Resource",
            CfnBackupVaultProps {
                encryption_key_arn: Some(key.arn()),
                lock_configuration,
                ..CfnBackupVaultProps::new(name.as_str())
            },
        );
        // A vault holding recovery points cannot be deleted, and its points must outlive
        // the stack: the vault stays when the stack goes.
        vault.apply_removal_policy(RemovalPolicy::Retain);
        BackupVault {
            scope,
            vault,
            name,
            key,
            lock: props.lock,
        }
    }

    /// The vault's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The vault's ARN.
    pub fn arn(&self) -> Expr<String> {
        self.vault.attr_backup_vault_arn()
    }

    /// The vault's lock, if it has one.
    pub fn lock(&self) -> Option<&VaultLock> {
        self.lock.as_ref()
    }

    /// The key of the vault's recovery points.
    pub fn key(&self) -> &Key {
        &self.key
    }

    /// The L1 resource.
    pub fn resource(&self) -> &CfnBackupVault {
        &self.vault
    }

    /// The ARN of the vault named `name` in `region` of `account`, written out rather than
    /// referenced: a plan copies into another region's vault without a reference across
    /// regions (the vault need only exist when the first copy runs).
    pub fn arn_of(region: &str, account: &str, name: &str) -> Expr<String> {
        fns::join(
            "",
            [
                Expr::from("arn:"),
                fns::partition(),
                Expr::from(format!(":backup:{region}:{account}:backup-vault:{name}")),
            ],
        )
    }
}
