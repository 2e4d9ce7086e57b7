//! `baseline-{account}-{region}`: the account's security baseline in each region the
//! environments use (GuardDuty, its high-severity findings to a security alarm topic);
//! the account's first region also holds the multi-region trail and its CIS alarms;
//! where environments are backed up, failed AWS Backup jobs go to the same topic.
//! Deployed, like the identity stack, by a person with local credentials. A stack name
//! cannot start with a digit, so `baseline` comes first.

use rcdk::{App, Environment, Stack, StackProps, Tags};
use rcdk_constructs::backup::FailureAlerts;
use rcdk_constructs::baseline::{AccountBaseline, AccountBaselineProps, TrailProps};
use rcdk_constructs::monitoring::{AlarmTopic, AlarmTopicProps};

use crate::config::{BaselineConfig, Config};

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
            trail: home.then_some(TrailProps {
                retention_days: baseline.trail_retention_days,
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
