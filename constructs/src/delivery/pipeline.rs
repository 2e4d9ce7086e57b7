//! A pipeline's role in its own account (shared services) that reaches the environments'
//! accounts only through the roles `rcdk bootstrap --trust PIPELINE_ACCOUNT` made there:
//! it may assume those roles of the named accounts and regions, and nothing else. `rcdk
//! deploy` then assumes each stack's deploy role from it (the manifest names the role),
//! so the pipeline account holds no permission on any environment's resources.

use std::ops::Deref;

use rcdk::Scope;
use rcdk::tree::bootstrap;

use super::{GithubOidcProvider, GithubSubject, GithubTrust, github_role};
use crate::iam::{PolicyStatement, Role};
use crate::units::Duration;

/// One of the roles `rcdk bootstrap` makes in an environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BootstrapRole {
    /// `rcdk deploy`, `diff` and `destroy` (`rcdk-deploy-role-…`).
    Deploy,
    /// Asset uploads (`rcdk-file-publishing-role-…`).
    FilePublishing,
    /// Read only: lookups at synthesis and `rcdk drift` (`rcdk-lookup-role-…`).
    Lookup,
}

impl BootstrapRole {
    /// The role's name pattern (`${AWS::AccountId}` and `${AWS::Region}` left in).
    pub fn name(self) -> &'static str {
        match self {
            BootstrapRole::Deploy => bootstrap::DEPLOY_ROLE,
            BootstrapRole::FilePublishing => bootstrap::FILE_PUBLISHING_ROLE,
            BootstrapRole::Lookup => bootstrap::LOOKUP_ROLE,
        }
    }

    /// The role's ARN in `account` and `region` (the partition the stack's).
    pub fn arn(self, account: &str, region: &str) -> rcdk::Expr<String> {
        rcdk::fns::sub(bootstrap::role_arn(self.name(), account, region))
    }
}

/// Settings of a [`GithubPipelineRole`].
#[derive(Debug, Clone)]
pub struct GithubPipelineRoleProps {
    /// The pipeline account's GitHub OIDC provider.
    pub provider: GithubOidcProvider,
    /// `OWNER/NAME`.
    pub repository: String,
    /// Which workflow runs may assume it.
    pub subjects: Vec<GithubSubject>,
    /// Why a subject with `*` is safe; at least 20 characters.
    pub wildcard_reason: Option<String>,
    /// The environments, as (account, region), whose bootstrapped roles it may assume.
    pub environments: Vec<(String, String)>,
    /// Which of their roles.
    pub roles: Vec<BootstrapRole>,
    /// How long the workflow's credentials last. Default: 1 hour.
    pub max_session: Duration,
}

impl GithubPipelineRoleProps {
    /// A role for `repository`'s `subjects` that may assume `roles` in `environments`.
    pub fn new(
        provider: &GithubOidcProvider,
        repository: &str,
        subjects: Vec<GithubSubject>,
        environments: Vec<(String, String)>,
        roles: Vec<BootstrapRole>,
    ) -> GithubPipelineRoleProps {
        GithubPipelineRoleProps {
            provider: provider.clone(),
            repository: repository.to_owned(),
            subjects,
            wildcard_reason: None,
            environments,
            roles,
            max_session: Duration::hours(1),
        }
    }
}

/// A role GitHub Actions assume in the pipeline's account, which may only assume the
/// named environments' bootstrapped roles.
#[derive(Debug, Clone)]
pub struct GithubPipelineRole {
    role: Role,
}

impl Deref for GithubPipelineRole {
    type Target = Role;
    fn deref(&self) -> &Role {
        &self.role
    }
}

impl GithubPipelineRole {
    /// Adds the role below `scope`.
    pub fn new(scope: &Scope, id: &str, props: GithubPipelineRoleProps) -> GithubPipelineRole {
        let targets: Vec<String> = props
            .environments
            .iter()
            .map(|(a, r)| format!("aws://{a}/{r}"))
            .collect();
        let (role, _) = github_role(
            scope,
            id,
            format!(
                "Assumes the bootstrapped roles of {} for GitHub Actions of {}",
                targets.join(", "),
                props.repository
            ),
            GithubTrust {
                provider: &props.provider,
                repository: &props.repository,
                subjects: &props.subjects,
                wildcard_reason: props.wildcard_reason.as_deref(),
                max_session: props.max_session,
            },
            None,
            &[],
        );
        if props.environments.is_empty() || props.roles.is_empty() {
            role.add_error(
                "name the environments (account, region) and which of their bootstrapped roles it may assume",
            );
        }
        for (account, region) in &props.environments {
            if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
                role.add_error(format!(
                    "environments: '{account}' is not an account id (12 digits)"
                ));
            }
            if !rcdk::Environment::is_region_name(region) {
                role.add_error(format!(
                    "environments: '{region}' is not a region name like us-east-1"
                ));
            }
        }
        let mut assume = PolicyStatement::allow()
            .sid("AssumeTheEnvironmentsBootstrapRoles")
            .actions(["sts:AssumeRole"]);
        for (account, region) in &props.environments {
            for r in &props.roles {
                assume = assume.resource(r.arn(account, region));
            }
        }
        role.add_to_policy(assume);
        GithubPipelineRole { role }
    }
}
