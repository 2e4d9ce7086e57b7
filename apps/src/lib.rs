//! The reference application: a web tier and its background workers, per environment,
//! in five stacks — `{env}-network`, `{env}-data`, `{env}-workers`, `{env}-app`,
//! `{env}-monitoring`, deployed in that order, and `{env}-backup` where the settings
//! ask for AWS Backup — built from the settings in `apps/config/environments.yaml`,
//! tagged, and checked by the security posture rules at synthesis. With `organization:`
//! each environment is in its own account, and the organisation's accounts hold what is
//! shared: `images-{region}` and `identity-{account}` (the pipeline) in shared services,
//! `org-trail` in security, the `org-baseline` StackSet and `org-guardrails` in the
//! management account; without it, an `identity-{account}` and
//! `baseline-{account}-{region}` stacks per account.
//!
//! Context: `env` (a name, a comma-separated list, or `all`), `config` (another
//! settings file), `environments` (settings inline), `workers` (extra background
//! services per environment, spread over `{env}-workers-N` stacks; for scale tests).

/// The settings, in their own crate: an edit of a stack does not expand their derives again.
pub use rcdk_apps_config as config;
mod stacks;

use std::collections::BTreeMap;

use rcdk::{App, Environment, Stack, StackProps, Tags};
use rcdk_constructs::data::{PostgresDatabase, PostgresInstance};
use rcdk_constructs::load_balancing::ApplicationLoadBalancer;
use rcdk_constructs::posture;

use config::{Config, EnvironmentConfig};

pub use stacks::worker_shards::WORKERS_PER_STACK;

/// Which environments to build, in the configured order.
pub fn selected_environments<'a>(
    app: &App,
    config: &'a Config,
) -> Result<Vec<(&'a str, &'a EnvironmentConfig)>, String> {
    let wanted = app.context_str("env").unwrap_or_else(|| "all".into());
    let all: Vec<(&str, &EnvironmentConfig)> = config
        .order
        .iter()
        .filter_map(|n| config.environments.get(n).map(|e| (n.as_str(), e)))
        .collect();
    if wanted == "all" {
        return Ok(all);
    }
    wanted
        .split(',')
        .map(|name| {
            all.iter()
                .copied()
                .find(|(n, _)| *n == name.trim())
                .ok_or_else(|| {
                    format!(
                        "context env='{name}' is not an environment; use one of {} or all",
                        config.order.join(", ")
                    )
                })
        })
        .collect()
}

/// Background worker services per environment (context `workers`, default 0).
fn worker_count(app: &App) -> Result<u32, String> {
    match app.context("workers") {
        None => Ok(0),
        Some(v) => v
            .as_u64()
            .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
            .and_then(|n| u32::try_from(n).ok())
            .filter(|n| *n <= 5000)
            .ok_or_else(|| {
                format!("context workers={v} is not a number of services from 0 to 5000")
            }),
    }
}

/// A stack of one environment, with its account, region and `Environment` tag.
/// The app's cached lookups (`cdk.context.json` beside `cdk.json`: the S3 prefix lists its
/// tasks' egress names), read as `rcdk synth` reads them, so that a build in a test or
/// a bench synthesizes what the CLI does without an account to look in. A value the
/// app was given (`-c`, the CLI) wins.
fn read_cached_lookups(app: &App) -> Result<(), String> {
    // The project is the nearest folder above this crate with a cdk.json (the crate is
    // built as `apps/` and, by the binary, as `apps/bin/`).
    let Some(project) = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .find(|dir| dir.join("cdk.json").is_file())
    else {
        return Ok(());
    };
    let path = project.join("cdk.context.json");
    let Ok(text) = std::fs::read_to_string(&path) else {
        return Ok(());
    };
    let cached: BTreeMap<String, serde_json::Value> = serde_json::from_str(&text).map_err(|e| {
        format!(
            "{}: {e}; fix the JSON or forget the cache (rcdk context --clear)",
            path.display()
        )
    })?;
    for (key, value) in cached {
        if app.context(&key).is_none() {
            app.set_context(key, value);
        }
    }
    Ok(())
}

pub(crate) fn env_stack(
    app: &App,
    env: &str,
    settings: &EnvironmentConfig,
    suffix: &str,
    description: &str,
) -> Stack {
    let stack = Stack::new(
        app,
        &format!("{env}-{suffix}"),
        StackProps {
            env: Environment::new(settings.account.as_str(), settings.region.as_str()),
            description: Some(format!("{description} ({env})")),
            termination_protection: settings.deletion_protection,
            // A standby reads its primary's deploy-time values (the database's ARN, the
            // credentials) through SSM in its region.
            cross_region_references: settings.dr_of.is_some(),
            ..Default::default()
        },
    );
    Tags::of(&stack).add("Environment", env);
    Tags::of(&stack).add("CostCode", settings.cost_code.as_str());
    if settings.usage.is_set() {
        settings.usage.usage().apply(&stack);
    }
    waive_by_settings(&stack, env, settings);
    // Every service of the app is told where things are through its environment and
    // gets every credential as a secret (stacks::web::database_environment and the
    // workers' Redis token): a decision of the app, said once for every task.
    rcdk_constructs::posture::waive_check_all(
        &stack,
        "AWS::ECS::TaskDefinition",
        &["AwsSolutions-ECS2"],
        "Environment variables carry addresses and settings only (queue URL, hosts, ports, names); the database credentials and the Redis AUTH token reach the containers as secrets from Secrets Manager",
    );
    stack
}

/// The scanners' checks an environment's settings decide against, waived with the
/// setting as the reason.
fn waive_by_settings(stack: &Stack, env: &str, settings: &EnvironmentConfig) {
    use rcdk_constructs::posture::{Rule, suppress_all, waive_check_all};
    if !settings.deletion_protection {
        let reason = format!(
            "{env} is disposable by its settings (deletion_protection: false); production's databases and load balancers are protected"
        );
        suppress_all(
            stack,
            "AWS::RDS::DBInstance",
            Rule::DatabaseDeletionProtection,
            &reason,
        );
        suppress_all(
            stack,
            "AWS::ElasticLoadBalancingV2::LoadBalancer",
            Rule::AlbDeletionProtection,
            &reason,
        );
    }
    if settings.backup.is_none() && settings.dr_of.is_none() {
        suppress_all(
            stack,
            "AWS::RDS::DBInstance",
            Rule::BackupPlanCoverage,
            &format!(
                "{env} has no AWS Backup plan by its settings (backup: unset): its database keeps the instance's automated backups only; staging and production have plans"
            ),
        );
    }
    if settings.log_retention_days < 365 {
        waive_check_all(
            stack,
            "AWS::Logs::LogGroup",
            &["cloudwatch_log_group_retention_period_check"],
            &format!(
                "{env} keeps logs {} days by its settings (log_retention_days); production keeps them a year",
                settings.log_retention_days
            ),
        );
    }
}

pub fn build(app: &App) -> Result<(), String> {
    read_cached_lookups(app)?;
    let config = config::load(app)?;
    let workers = worker_count(app)?;
    let environments = selected_environments(app, &config)?;
    // An identity stack holds the roles of all its account's environments: built only
    // when all environments are, so a subset never drops another environment's roles.
    let all = environments.len() == config.order.len();
    let org = config.organization.as_ref();
    if let Some(delivery) = config.delivery.as_ref().filter(|_| all) {
        match org {
            Some(org) => stacks::identity::build_organization(app, &config, delivery, org),
            None => stacks::identity::build(app, &config, delivery),
        }
    }
    // Likewise the account baselines: one per account and region of all environments,
    // or, in an organisation, a StackSet to them all, its trail and its guardrails.
    if let Some(baseline) = config.baseline.as_ref().filter(|_| all) {
        match org {
            Some(org) => stacks::baseline::build_organization(app, &config, baseline, org),
            None => stacks::baseline::build(app, &config, baseline),
        }
    }
    // The shared images, which every environment's services pull: built whatever the
    // selection (their policies name every environment's account).
    let images = org.map(|org| stacks::images::build(app, &config, org));
    // Primaries by name, for their standbys (which come later in the order).
    let mut primaries: BTreeMap<&str, (PostgresInstance, ApplicationLoadBalancer)> =
        BTreeMap::new();
    for (env, settings) in environments {
        let network = stacks::network::build(app, env, settings);
        let (database, primary_db, replica): (Box<dyn PostgresDatabase>, _, _) = match &settings
            .dr_of
        {
            None => {
                let standbys = config.standby_regions(env);
                let (db, proxy) = stacks::data::build(app, env, settings, &network, standbys);
                if let Some(backup) = &settings.backup {
                    let standby = config.standby_of(env);
                    stacks::backup::build(app, env, settings, backup, &db, standby);
                }
                let clients: Box<dyn PostgresDatabase> = match proxy {
                    Some(proxy) => Box::new(proxy),
                    None => Box::new(db.clone()),
                };
                (clients, Some(db), None)
            }
            Some(primary) => {
                let (db, _) = primaries.get(primary.as_str()).ok_or_else(|| {
                    format!("'{env}' is the standby of '{primary}': build both (-c env={primary},{env} or all)")
                })?;
                let region = &config.environments[primary].region;
                let replica = stacks::data::build_replica(app, env, settings, &network, db, region);
                if let Some(backup) = &config.environments[primary].backup
                    && let Some(days) = backup.copy_days
                {
                    stacks::backup::build_standby_vault(app, env, settings, backup, days);
                }
                (Box::new(replica.clone()), None, Some(replica))
            }
        };
        let data = database.as_ref();
        let shared_images = images.as_ref().and_then(|i| i.get(&settings.region));
        let tier = stacks::workers::build(app, env, settings, &network, data, shared_images);
        let web = stacks::web::build(app, env, settings, &network, data, &tier);
        stacks::worker_shards::build(app, env, settings, &network, data, &tier, workers);
        stacks::monitoring::build(app, env, settings, data, replica.as_ref(), &web, &tier);
        match (&settings.dr_of, &config.dns) {
            (None, _) => {
                if let Some(db) = primary_db {
                    primaries.insert(env, (db, web.load_balancer.clone()));
                }
            }
            (Some(primary), Some(dns)) => {
                if let Some((_, primary_lb)) = primaries.get(primary.as_str()) {
                    let p = &config.environments[primary];
                    // The hosted zone is shared services' in an organisation, whose
                    // stacks are named for what they hold.
                    let (name, zone_account) = match org {
                        Some(o) => (format!("dns-{primary}"), o.shared_services_account.as_str()),
                        None => (format!("{primary}-dns"), p.account.as_str()),
                    };
                    stacks::dns::build(
                        app,
                        dns,
                        (primary, p),
                        (&name, zone_account),
                        primary_lb,
                        &web.load_balancer,
                    );
                }
            }
            (Some(_), None) => {}
        }
    }
    Tags::of(app).add("Project", config.project.as_str());
    Tags::of(app).add("Service", config.service.as_str());
    Tags::of(app).add("ManagedBy", "rcdk");
    posture::enforce(app);
    Ok(())
}

/// The `reference-app` binary's entry point: `apps/bin` compiles this file as its crate
/// root (see its `Cargo.toml` for why); as a library, the function is simply unused.
pub fn main() -> std::process::ExitCode {
    rcdk::run(|app| build(app).map_err(Into::into))
}
