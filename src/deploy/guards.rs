//! Guards before a change set runs: approval of broadening changes, and no silent
//! replacement or deletion of resources that hold data.

use std::io::{BufRead, IsTerminal, Write};

use crate::diff::{Change, Replacement, TemplateDiff};

use super::changeset::ChangeRow;

/// When to ask before executing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Approval {
    /// Never ask (scripts, pipelines).
    Never,
    /// IAM or security-group widening (the default).
    Broadening,
    /// Any change at all.
    AnyChange,
}

impl Approval {
    /// Whether `diff` needs a person's approval under this policy.
    pub fn asks(self, diff: &TemplateDiff) -> bool {
        match self {
            Approval::Never => false,
            Approval::Broadening => diff.is_broadening(),
            Approval::AnyChange => true,
        }
    }
}

/// Why a change that needs approval stopped when nobody could be asked.
pub const NO_TERMINAL: &str = "the change needs approval (it widens IAM or network access, or --require-approval any-change) and there is no terminal to ask on; run it on a terminal, or pass --require-approval never";

/// Types whose replacement or deletion loses data.
pub const STATEFUL_TYPES: &[&str] = &[
    "AWS::RDS::DBInstance",
    "AWS::RDS::DBCluster",
    "AWS::S3::Bucket",
    "AWS::KMS::Key",
    "AWS::SecretsManager::Secret",
    "AWS::Logs::LogGroup",
    "AWS::DynamoDB::Table",
    "AWS::EFS::FileSystem",
    "AWS::ElastiCache::ReplicationGroup",
    "AWS::SQS::Queue",
];

/// Stateful resources the change would replace or delete: from CloudFormation's
/// change set (`Remove`, `Replacement: True/Conditional`) and from the template diff
/// (create-only properties), whichever sees it.
pub fn destructive_changes(rows: &[ChangeRow], diff: &TemplateDiff) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut add = |id: &str, ty: &str, what: &str| {
        let line = format!("{id} ({ty}) would be {what}");
        if STATEFUL_TYPES.contains(&ty) && !out.iter().any(|l| l.starts_with(&format!("{id} "))) {
            out.push(line);
        }
    };
    for r in rows {
        if r.action == "Remove" {
            add(&r.logical_id, &r.resource_type, "deleted");
        } else if r.replacement == "True" || r.replacement == "Conditional" {
            add(&r.logical_id, &r.resource_type, "replaced");
        }
    }
    for r in &diff.resources {
        match (r.change, r.replacement) {
            (Change::Removed, _) => add(&r.logical_id, &r.resource_type, "deleted"),
            (Change::Modified, Replacement::Replace) => {
                add(&r.logical_id, &r.resource_type, "replaced")
            }
            (Change::Modified, Replacement::MayReplace) => {
                add(&r.logical_id, &r.resource_type, "possibly replaced")
            }
            _ => {}
        }
    }
    out
}

/// What a person said at a prompt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// `y` or `yes`.
    Yes,
    /// Anything else typed, or the end of input (a closed terminal).
    No,
    /// Nobody to ask: stdin or stderr is not a terminal.
    NoTerminal,
}

/// Asks on the terminal; without one, nobody is asked.
pub fn confirm(question: &str) -> Answer {
    if !std::io::stdin().is_terminal() || !std::io::stderr().is_terminal() {
        return Answer::NoTerminal;
    }
    eprint!("{question} (y/n) ");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    let _ = std::io::stdin().lock().read_line(&mut answer);
    if matches!(answer.trim(), "y" | "Y" | "yes") {
        Answer::Yes
    } else {
        Answer::No
    }
}
