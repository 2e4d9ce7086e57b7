//! The security posture rules, re-exported from [`rcdk::posture`] (they live in the core so
//! that `rcdk posture` runs them on any template too), and the construct library's default
//! waivers.

pub use rcdk::posture::*;

use rcdk::{AspectPriority, Aspects, CfnResource, Scope};

/// A construct's default decision, waived at synthesis unless the app waived the same
/// checks with its own, more specific reason first.
pub(crate) fn waive_check_by_default(resource: &CfnResource, checks: &[&str], reason: &str) {
    waive_check_by_default_if(resource, checks, reason, |_| true);
}

/// As [`waive_check_by_default`], when `applies` holds of the resource as synthesized
/// (a setting the app may still change after construction).
pub(crate) fn waive_check_by_default_if(
    resource: &CfnResource,
    checks: &[&str],
    reason: &str,
    applies: impl Fn(&CfnResource) -> bool + 'static,
) {
    let target = resource.clone();
    let checks: Vec<String> = checks.iter().map(|c| (*c).to_owned()).collect();
    let reason = reason.to_owned();
    Aspects::of(resource).add_with_priority(
        move |node: &Scope| {
            if *node != *target || !applies(&target) {
                return;
            }
            let open: Vec<&str> = checks
                .iter()
                .map(String::as_str)
                .filter(|c| !is_waived(&target, c))
                .collect();
            if !open.is_empty() {
                waive_check(&target, &open, &reason);
            }
        },
        AspectPriority::MUTATING,
    );
}
