//! Stack selection by name or glob pattern (`dev-*`), as in the AWS CDK.

use std::collections::BTreeSet;

use super::{AssemblyStack, CliError};

/// The stacks matching `patterns` (all when empty), plus their dependencies when
/// `with_dependencies`, in assembly (dependency) order.
pub fn select_stacks<'a>(
    stacks: &'a [AssemblyStack],
    patterns: &[String],
    with_dependencies: bool,
) -> Result<Vec<&'a AssemblyStack>, CliError> {
    if patterns.is_empty() {
        return Ok(stacks.iter().collect());
    }
    let mut chosen: BTreeSet<String> = BTreeSet::new();
    for pattern in patterns {
        let glob = glob::Pattern::new(pattern).map_err(|e| CliError::BadPattern {
            pattern: pattern.clone(),
            message: e.to_string(),
        })?;
        let matched: Vec<&AssemblyStack> = stacks
            .iter()
            .filter(|s| {
                glob.matches(&s.stack_name)
                    || glob.matches(&s.display_name)
                    || glob.matches(&s.artifact_id)
            })
            .collect();
        if matched.is_empty() {
            let available: Vec<&str> = stacks.iter().map(|s| s.stack_name.as_str()).collect();
            return Err(CliError::NoStackMatches {
                pattern: pattern.clone(),
                available: available.join(", "),
            });
        }
        chosen.extend(matched.into_iter().map(|s| s.artifact_id.clone()));
    }
    if with_dependencies {
        let mut pending: Vec<String> = chosen.iter().cloned().collect();
        while let Some(id) = pending.pop() {
            let Some(s) = stacks.iter().find(|s| s.artifact_id == id) else {
                continue;
            };
            for d in &s.dependencies {
                if chosen.insert(d.clone()) {
                    pending.push(d.clone());
                }
            }
        }
    }
    Ok(stacks
        .iter()
        .filter(|s| chosen.contains(&s.artifact_id))
        .collect())
}

/// The stacks matching `patterns` plus every stack that depends on them, in
/// assembly (dependency) order.
pub fn select_with_dependents<'a>(
    stacks: &'a [AssemblyStack],
    patterns: &[String],
) -> Result<Vec<&'a AssemblyStack>, CliError> {
    let mut chosen: BTreeSet<String> = select_stacks(stacks, patterns, false)?
        .into_iter()
        .map(|s| s.artifact_id.clone())
        .collect();
    loop {
        let before = chosen.len();
        for s in stacks {
            if s.dependencies.iter().any(|d| chosen.contains(d)) {
                chosen.insert(s.artifact_id.clone());
            }
        }
        if chosen.len() == before {
            break;
        }
    }
    Ok(stacks
        .iter()
        .filter(|s| chosen.contains(&s.artifact_id))
        .collect())
}
