//! `baseline-{account}-{region}`: the account's security baseline in each region the
//! environments use (GuardDuty, its high-severity findings to a security alarm topic);
//! the account's first region also holds the multi-region trail and its CIS alarms;
//! where environments are backed up, failed AWS Backup jobs go to the same topic.
//! Deployed, like the identity stack, by a person with local credentials. A stack name
//! cannot start with a digit, so `baseline` comes first.

use rcdk::tree::stack_set::StackSetProps;
use rcdk::{App, Environment, Stack, StackProps, Tags};
use rcdk_constructs::backup::FailureAlerts;
use rcdk_constructs::baseline::{AccountBaseline, AccountBaselineProps, TrailProps};
use rcdk_constructs::monitoring::{AlarmTopic, AlarmTopicProps};
use rcdk_constructs::org::{ServiceControlPolicy, ServiceControlPolicyProps, guardrails};

use crate::config::{BaselineConfig, Config, OrganizationConfig};

/// The baseline stacks, in the order of the environments' first appearance.
pub fn build(app: &App, config: &Config, baseline: &BaselineConfig) {
    let mut seen: Vec<(&str, &str)> = Vec::new();
    for name in &config.order {
        let Some(env) = config.environments.get(name) else {
            continue;
        };
        let key = (env.account.as_str(), env.region.as_str());
        if seen.contains(&key) {
            continue;
        }
        let home = !seen.iter().any(|(a, _)| *a == key.0);
        seen.push(key);
        let (account, region) = key;
        let stack = Stack::new(
            app,
            &format!("baseline-{account}-{region}"),
            StackProps {
                env: Environment::new(account, region),
                description: Some(if home {
                    format!(
                        "Account security baseline of {account}: trail, CIS alarms, GuardDuty ({region})"
                    )
                } else {
                    format!("Account security baseline of {account}: GuardDuty ({region})")
                }),
                // Deleting it stops the account's audit trail and threat detection.
                termination_protection: true,
                ..Default::default()
            },
        );
        Tags::of(&stack).add("Environment", "shared");
        Tags::of(&stack).add("CostCode", env.cost_code.as_str());
        let topic = AlarmTopic::new(
            &stack,
            "SecurityAlarms",
            AlarmTopicProps {
                emails: baseline.emails.clone(),
                ..AlarmTopicProps::default()
            },
        );
        let props = AccountBaselineProps {
            trail: home.then(|| TrailProps {
                retention_days: baseline.trail_retention_days,
                ..TrailProps::default()
            }),
            ..AccountBaselineProps::new(topic)
        };
        // AWS Backup reports jobs per account and region: one set of rules for every
        // environment backed up (or receiving copies) here.
        let backed_up = config.environments.values().any(|e| {
            (e.account.as_str(), e.region.as_str()) == key
                && (e.backup.is_some()
                    || e.dr_of
                        .as_ref()
                        .and_then(|p| config.environments.get(p))
                        .and_then(|p| p.backup.as_ref())
                        .is_some_and(|b| b.copy_days.is_some()))
        });
        if backed_up {
            FailureAlerts::new(&stack, "BackupFailures", &props.alarm_topic);
        }
        AccountBaseline::new(&stack, "Baseline", props);
    }
}

/// In an organisation, three stacks instead of one per account and region:
/// - `org-baseline`: the template of every workload account and region (GuardDuty, its
///   high-severity findings and failed AWS Backup jobs to a security alarm topic), a
///   service-managed StackSet from the management account to the workload OUs in every
///   region the environments use, deployed to accounts that join those OUs later too;
/// - `org-trail`: the organization trail and its CIS alarms in the security account
///   (registered as CloudTrail's delegated administrator), in the first region;
/// - `org-guardrails`: the service control policy of the workload OUs, from the
///   management account: no leaving the organisation, no stopping CloudTrail, GuardDuty
///   or AWS Config, no region but the environments', no root user.
pub fn build_organization(
    app: &App,
    config: &Config,
    baseline: &BaselineConfig,
    org: &OrganizationConfig,
) {
    let Some(first) = config.in_order().next() else {
        return;
    };
    let regions = config.regions();
    // Deleting one stops the organisation's audit trail, threat detection or guardrails.
    let shared_stack = |name: &str, account: &str, description: String, stack_set| {
        super::shared_stack(
            app,
            name,
            (account, &first.region),
            (description, &first.cost_code),
            stack_set,
        )
    };
    let security_topic = |stack: &Stack| {
        AlarmTopic::new(
            stack,
            "SecurityAlarms",
            AlarmTopicProps {
                emails: baseline.emails.clone(),
                ..AlarmTopicProps::default()
            },
        )
    };

    let every_account = shared_stack(
        "org-baseline",
        &org.management_account,
        format!(
            "Security baseline of every account of {} in {}: GuardDuty and failed backups to the security topic",
            org.workload_ous.join(", "),
            regions.join(", ")
        ),
        Some(StackSetProps::service_managed(
            org.workload_ous.clone(),
            regions.iter().map(|r| (*r).to_owned()),
        )),
    );
    let topic = security_topic(&every_account);
    // AWS Backup reports its jobs where they run: every account gets the rules, which
    // stay silent where nothing is backed up.
    FailureAlerts::new(&every_account, "BackupFailures", &topic);
    AccountBaseline::new(&every_account, "Baseline", AccountBaselineProps::new(topic));

    let trail = shared_stack(
        "org-trail",
        &org.security_account,
        format!(
            "The organization trail of {} and its CIS alarms, kept in the security account",
            config.project
        ),
        None,
    );
    let topic = security_topic(&trail);
    AccountBaseline::new(
        &trail,
        "Baseline",
        AccountBaselineProps {
            trail: Some(TrailProps {
                retention_days: baseline.trail_retention_days,
                organization_management_account: Some(org.management_account.clone()),
            }),
            ..AccountBaselineProps::new(topic)
        },
    );

    let guardrails = shared_stack(
        "org-guardrails",
        &org.management_account,
        "Service control policies of the workload accounts".to_owned(),
        None,
    );
    ServiceControlPolicy::new(
        &guardrails,
        "Guardrails",
        ServiceControlPolicyProps {
            name: format!("{}-guardrails", config.project),
            description: "What no workload account may do".into(),
            statements: vec![
                guardrails::deny_leaving_the_organization(),
                guardrails::protect_cloudtrail(),
                guardrails::protect_guardduty(),
                guardrails::protect_config(),
                guardrails::deny_regions_except(&regions),
                guardrails::deny_root_user(),
            ],
            targets: org.workload_ous.clone(),
        },
    );
}
