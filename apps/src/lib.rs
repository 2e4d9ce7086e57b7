//! The reference application: a web tier and its background workers, per environment,
//! in five stacks — `{env}-network`, `{env}-data`, `{env}-workers`, `{env}-app`,
//! `{env}-monitoring`, deployed in that order — and an `identity-{account}` stack per
//! account for delivery from GitHub Actions, built from the settings in
//! `apps/config/environments.yaml`, tagged, and checked by the security posture rules
//! at synthesis.
//!
//! Context: `env` (a name, a comma-separated list, or `all`), `config` (another
//! settings file), `environments` (settings inline), `workers` (extra background
//! services per environment, spread over `{env}-workers-N` stacks; for scale tests).

pub mod config;
mod stacks;

use rcdk::{App, Environment, Stack, StackProps, Tags};
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
            ..Default::default()
        },
    );
    Tags::of(&stack).add("Environment", env);
    Tags::of(&stack).add("CostCode", settings.cost_code.as_str());
    if settings.usage.is_set() {
        settings.usage.usage().apply(&stack);
    }
    stack
}

pub fn build(app: &App) -> Result<(), String> {
    let config = config::load(app)?;
    let workers = worker_count(app)?;
    let environments = selected_environments(app, &config)?;
    // An identity stack holds the roles of all its account's environments: built only
    // when all environments are, so a subset never drops another environment's roles.
    if let Some(delivery) = config
        .delivery
        .as_ref()
        .filter(|_| environments.len() == config.order.len())
    {
        stacks::identity::build(app, &config, delivery);
    }
    for (env, settings) in environments {
        let network = stacks::network::build(app, env, settings);
        let data = stacks::data::build(app, env, settings, &network);
        let tier = stacks::workers::build(app, env, settings, &network, &data);
        let web = stacks::web::build(app, env, settings, &network, &data, &tier);
        stacks::worker_shards::build(app, env, settings, &network, &data, &tier, workers);
        stacks::monitoring::build(app, env, settings, &data, &web, &tier);
    }
    Tags::of(app).add("Project", config.project.as_str());
    Tags::of(app).add("Service", config.service.as_str());
    Tags::of(app).add("ManagedBy", "rcdk");
    posture::enforce(app);
    Ok(())
}
