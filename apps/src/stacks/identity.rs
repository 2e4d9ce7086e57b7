//! `identity-{account}`: what GitHub Actions needs to deploy without stored keys. In an
//! organisation ([`build_organization`]), one stack in the shared-services account: the
//! OIDC provider and, per environment, a pipeline role that may only assume the roles
//! `rcdk bootstrap --trust` made in that environment's account. Otherwise, once per
//! account: the OIDC provider for GitHub's tokens and, per environment of the
//! account, a CloudFormation execution role (what CloudFormation may create) and a deploy
//! role that only the repository's jobs in the GitHub environment of that name may
//! assume, for that environment's stacks, and a drift role (`rcdk drift` and the reads it
//! needs) for the nightly drift workflow's environment `{env}-drift`. Deployed once by a person with local
//! credentials (`rcdk deploy identity-ACCOUNT`); its outputs are the role ARNs the
//! workflows name. A stack name cannot start with a digit, so the account comes last.

use rcdk::CfnOutput;
use rcdk::{App, Environment, OutputProps, Stack, StackProps, Tags, fns};
use rcdk_constructs::delivery::{
    BootstrapRole, ExecutionRole, ExecutionRoleProps, GithubDeployRole, GithubDeployRoleProps,
    GithubDriftRole, GithubDriftRoleProps, GithubOidcProvider, GithubPipelineRole,
    GithubPipelineRoleProps, GithubSubject,
};
use rcdk_constructs::iam::{PolicyStatement, aws_managed_policy};

use crate::config::{Config, DeliveryConfig, EnvironmentConfig, OrganizationConfig};

/// IAM actions CloudFormation needs for the roles and instance profiles a stack creates
/// (PowerUserAccess has none of IAM's but service-linked roles).
const ROLE_ACTIONS: &[&str] = &[
    "iam:AddRoleToInstanceProfile",
    "iam:AttachRolePolicy",
    "iam:CreateInstanceProfile",
    "iam:CreateRole",
    "iam:DeleteInstanceProfile",
    "iam:DeleteRole",
    "iam:DeleteRolePolicy",
    "iam:DetachRolePolicy",
    "iam:GetInstanceProfile",
    "iam:GetRole",
    "iam:GetRolePolicy",
    "iam:ListAttachedRolePolicies",
    "iam:ListRolePolicies",
    "iam:PassRole",
    "iam:PutRolePolicy",
    "iam:RemoveRoleFromInstanceProfile",
    "iam:TagInstanceProfile",
    "iam:TagRole",
    "iam:UntagRole",
    "iam:UpdateAssumeRolePolicy",
    "iam:UpdateRole",
    "iam:UpdateRoleDescription",
];

/// One identity stack per account, in the region of its first environment.
pub fn build(app: &App, config: &Config, delivery: &DeliveryConfig) {
    let mut accounts: Vec<(&str, Vec<(&str, &EnvironmentConfig)>)> = Vec::new();
    for name in &config.order {
        let Some(env) = config.environments.get(name) else {
            continue;
        };
        match accounts.iter_mut().find(|(a, _)| *a == env.account) {
            Some((_, envs)) => envs.push((name, env)),
            None => accounts.push((&env.account, vec![(name, env)])),
        }
    }
    for (account, envs) in accounts {
        let stack = Stack::new(
            app,
            &format!("identity-{account}"),
            StackProps {
                env: Environment::new(account, envs[0].1.region.as_str()),
                description: Some(format!(
                    "GitHub OIDC provider, deploy and execution roles of {} ({account})",
                    delivery.repository
                )),
                // Deleting it stops every pipeline of the account.
                termination_protection: true,
                ..Default::default()
            },
        );
        // Shared by the account's environments; charged to the first one's cost code.
        Tags::of(&stack).add("Environment", "shared");
        Tags::of(&stack).add("CostCode", envs[0].1.cost_code.as_str());
        let github = GithubOidcProvider::new(&stack, "GitHub");
        for (env, settings) in &envs {
            // A standby deploys with its primary (`rcdk deploy 'prod-*'`), by the
            // primary's roles, which reach its region too.
            if settings.dr_of.is_some() {
                continue;
            }
            // Standbys are in their primary's account (validated), so in this stack's.
            let mut regions = vec![settings.region.clone()];
            regions.extend(config.standby_regions(env));
            environment_roles(&stack, &github, delivery, env, regions);
        }
    }
}

/// The organisation's identity stack, in the shared-services account: each environment's
/// deploy job (GitHub environment `{env}`) may assume its account's deploy, publishing and
/// lookup roles in its regions (a standby's too); its drift job (`{env}-drift`) only the
/// read-only lookup role, which `rcdk drift` reads through.
pub fn build_organization(
    app: &App,
    config: &Config,
    delivery: &DeliveryConfig,
    org: &OrganizationConfig,
) {
    let account = org.shared_services_account.as_str();
    let Some(first) = config.in_order().next() else {
        return;
    };
    // Deleting it stops every pipeline.
    let stack = super::shared_stack(
        app,
        &format!("identity-{account}"),
        (account, &first.region),
        (
            format!(
                "GitHub OIDC provider and the pipeline roles of {} ({account})",
                delivery.repository
            ),
            &first.cost_code,
        ),
        None,
    );
    let github = GithubOidcProvider::new(&stack, "GitHub");
    shared_role(&stack, &github, config, delivery, org);
    for name in &config.order {
        let Some(settings) = config.environments.get(name) else {
            continue;
        };
        if settings.dr_of.is_some() {
            continue; // deployed with its primary, by the primary's role
        }
        let mut regions = vec![settings.region.clone()];
        regions.extend(config.standby_regions(name));
        let environments: Vec<(String, String)> = regions
            .into_iter()
            .map(|r| (settings.account.clone(), r))
            .collect();
        deploy_and_drift_roles(&stack, &github, delivery, name, environments);
    }
}

/// The pipeline roles of GitHub environment `name` and of `{name}-drift` (outputs
/// `{Name}DeployRoleArn`, `{Name}DriftRoleArn`): the deploy job may assume the deploy,
/// publishing and lookup roles of `environments`, the drift job their lookup roles only.
/// Returns the deploy role.
fn deploy_and_drift_roles(
    stack: &Stack,
    github: &GithubOidcProvider,
    delivery: &DeliveryConfig,
    name: &str,
    environments: Vec<(String, String)>,
) -> GithubPipelineRole {
    let id = rcdk::naming::pascal_case(name);
    let role = |suffix: &str, subject: String, roles: Vec<BootstrapRole>, variable: &str| {
        let role = GithubPipelineRole::new(
            stack,
            &format!("{id}{suffix}"),
            GithubPipelineRoleProps::new(
                github,
                &delivery.repository,
                vec![GithubSubject::Environment(subject.clone())],
                environments.clone(),
                roles,
            ),
        );
        CfnOutput::new(
            stack,
            &format!("{id}{suffix}RoleArn"),
            OutputProps {
                description: Some(format!(
                    "role-to-assume of the GitHub environment {subject} (variable {variable})"
                )),
                ..OutputProps::new(role.arn())
            },
        );
        role
    };
    let deploy = role(
        "Deploy",
        name.to_owned(),
        vec![
            BootstrapRole::Deploy,
            BootstrapRole::FilePublishing,
            BootstrapRole::Lookup,
        ],
        "AWS_DEPLOY_ROLE_ARN",
    );
    role(
        "Drift",
        format!("{name}-drift"),
        vec![BootstrapRole::Lookup],
        "AWS_DRIFT_ROLE_ARN",
    );
    deploy
}

/// The shared stacks' jobs (GitHub environment `shared`, which should require reviewers:
/// its role reaches the pipeline's own account; and `shared-drift`): shared services'
/// bootstrapped roles in every region of the environments (`images-*`, `dns-*`), and,
/// for the deploy job, the lookup roles of the accounts whose load balancers the DNS
/// stacks read.
fn shared_role(
    stack: &Stack,
    github: &GithubOidcProvider,
    config: &Config,
    delivery: &DeliveryConfig,
    org: &OrganizationConfig,
) {
    let mut read: Vec<(String, String)> = Vec::new();
    for env in config.in_order() {
        // A standby's and its primary's load balancers, for the DNS failover.
        if config.dns.is_some() && env.dr_of.is_some() {
            read.push((env.account.clone(), env.region.clone()));
            if let Some(p) = env.dr_of.as_ref().and_then(|p| config.environments.get(p)) {
                read.push((p.account.clone(), p.region.clone()));
            }
        }
    }
    read.sort();
    read.dedup();
    let shared = config
        .regions()
        .into_iter()
        .map(|r| (org.shared_services_account.clone(), r.to_owned()))
        .collect();
    let deploy = deploy_and_drift_roles(stack, github, delivery, "shared", shared);
    if !read.is_empty() {
        let mut lookup = PolicyStatement::allow()
            .sid("ReadTheLoadBalancersTheDnsFailsOverBetween")
            .actions(["sts:AssumeRole"]);
        for (account, region) in &read {
            lookup = lookup.resource(BootstrapRole::Lookup.arn(account, region));
        }
        deploy.add_to_policy(lookup);
    }
}

fn environment_roles(
    stack: &Stack,
    github: &GithubOidcProvider,
    delivery: &DeliveryConfig,
    env: &str,
    regions: Vec<String>,
) {
    let name = rcdk::naming::pascal_case(env);
    let execution = ExecutionRole::new(
        stack,
        &format!("{name}Execution"),
        ExecutionRoleProps::new(vec![aws_managed_policy("PowerUserAccess")]),
    );
    // CloudFormation names a stack's roles `{stack}-{logical id}-{suffix}`: with stacks
    // named `{env}-…`, this is every role of the environment and none of another's.
    execution.add_to_policy(
        PolicyStatement::allow()
            .sid("ManageTheEnvironmentsRoles")
            .actions(ROLE_ACTIONS.iter().copied())
            .resource(fns::sub(format!(
                "arn:${{AWS::Partition}}:iam::${{AWS::AccountId}}:role/{env}-*"
            )))
            .resource(fns::sub(format!(
                "arn:${{AWS::Partition}}:iam::${{AWS::AccountId}}:instance-profile/{env}-*"
            ))),
    );
    rcdk_constructs::posture::waive_check(
        &execution,
        &["AwsSolutions-IAM4"],
        "CloudFormation's execution role creates whatever the environment's stacks declare, so it holds PowerUserAccess; only CloudFormation assumes it, only the deploy role passes it, and its IAM rights are limited to the environment's own roles",
    );
    rcdk_constructs::posture::waive_check(
        &execution,
        &["AwsSolutions-IAM5"],
        "The environment's roles and instance profiles are named by CloudFormation as {env}-{stack}-…: the name prefix is the narrowest ARN that covers them and no other environment's",
    );
    let drift = GithubDriftRole::new(
        stack,
        &format!("{name}Drift"),
        GithubDriftRoleProps {
            regions: regions.clone(),
            ..GithubDriftRoleProps::new(
                github,
                &delivery.repository,
                vec![GithubSubject::Environment(format!("{env}-drift"))],
                vec![format!("{env}-*")],
            )
        },
    );
    CfnOutput::new(
        stack,
        &format!("{name}DriftRoleArn"),
        OutputProps {
            description: Some(format!(
                "role-to-assume of the GitHub environment {env}-drift (variable AWS_DRIFT_ROLE_ARN)"
            )),
            ..OutputProps::new(drift.arn())
        },
    );
    let deploy = GithubDeployRole::new(
        stack,
        &format!("{name}Deploy"),
        GithubDeployRoleProps {
            regions,
            ..GithubDeployRoleProps::new(
                github,
                &delivery.repository,
                vec![GithubSubject::Environment(env.to_owned())],
                vec![format!("{env}-*")],
                execution.arn(),
            )
        },
    );
    CfnOutput::new(
        stack,
        &format!("{name}DeployRoleArn"),
        OutputProps {
            description: Some(format!(
                "role-to-assume of the GitHub environment {env} (variable AWS_DEPLOY_ROLE_ARN)"
            )),
            ..OutputProps::new(deploy.arn())
        },
    );
    CfnOutput::new(
        stack,
        &format!("{name}ExecutionRoleArn"),
        OutputProps {
            description: Some(format!(
                "rcdk deploy --role-arn of {env} (variable AWS_EXECUTION_ROLE_ARN)"
            )),
            ..OutputProps::new(execution.arn())
        },
    );
}
