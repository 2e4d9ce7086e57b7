//! `images-{region}`: in an organisation, the image repositories every environment pulls
//! from, in the shared-services account: one stack per region the environments use, so
//! that a standby pulls in its own region. CI pushes to the first region, whose registry
//! replicates every image to the others; each repository lets exactly the accounts of
//! the environments in its region pull.

use std::collections::BTreeMap;

use rcdk::App;
use rcdk_constructs::ecr::{Replication, Repository, RepositoryProps};

use super::shared_stack;
use super::workers::{construct_id, repository_name};
use crate::config::{Config, OrganizationConfig};

/// Repositories by region, then by name (`web`, `worker`).
pub type Images = BTreeMap<String, BTreeMap<String, Repository>>;

pub fn build(app: &App, config: &Config, org: &OrganizationConfig) -> Images {
    let environments: Vec<_> = config.in_order().collect();
    let Some(first) = environments.first() else {
        return Images::new();
    };
    let mut names: Vec<&str> = Vec::new();
    for env in &environments {
        for reference in [&env.service_tier.image, &env.workers.image] {
            let name = repository_name(reference);
            if !names.contains(&name) {
                names.push(name);
            }
        }
    }
    let regions = config.regions();
    let prefix = format!("{}/", config.project);
    let mut images = Images::new();
    let mut stacks = Vec::new();
    for region in &regions {
        let stack = shared_stack(
            app,
            &format!("images-{region}"),
            (&org.shared_services_account, region),
            (
                format!(
                    "Image repositories of {} that the environments in {region} pull from",
                    config.project
                ),
                &first.cost_code,
            ),
            None,
        );
        let mut pull_accounts: Vec<String> = environments
            .iter()
            .filter(|e| e.region == *region)
            .map(|e| e.account.clone())
            .collect();
        pull_accounts.sort();
        pull_accounts.dedup();
        let repositories = names
            .iter()
            .map(|name| {
                let repository = Repository::new(
                    &stack,
                    &construct_id(name),
                    RepositoryProps {
                        repository_name: Some(format!("{prefix}{name}")),
                        pull_accounts: pull_accounts.clone(),
                        ..RepositoryProps::default()
                    },
                );
                ((*name).to_owned(), repository)
            })
            .collect();
        images.insert((*region).to_owned(), repositories);
        stacks.push(stack);
    }
    // The other regions' repositories exist before images replicate into them (else
    // ECR would make them, with defaults, and their stacks would then fail to).
    if let Some((first, others)) = stacks.split_first()
        && !others.is_empty()
    {
        for other in others {
            first.add_dependency(other);
        }
        Replication::new(first, "Replication", &prefix, &regions[1..]);
    }
    images
}
