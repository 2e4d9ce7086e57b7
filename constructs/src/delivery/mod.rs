//! Delivery from GitHub Actions without stored keys: the account's OIDC provider for
//! GitHub's token issuer, a deploy role that only the named repository's named refs or
//! environments may assume (for one hour), with exactly what `rcdk deploy` needs for the
//! named stacks, the CloudFormation execution role that deploy passes (`--role-arn`),
//! which holds the resource permissions, and a drift role ([`GithubDriftRole`]) that a
//! nightly `rcdk drift` assumes: drift detection and configuration reads only.
//!
//! ```
//! use rcdk::{App, Stack, StackProps};
//! use rcdk_constructs::delivery::*;
//! use rcdk_constructs::iam::aws_managed_policy;
//! let app = App::with_context(Default::default(), "cdk.out");
//! let stack = Stack::new(&app, "identity", StackProps::default());
//! let github = GithubOidcProvider::new(&stack, "GitHub");
//! let execution = ExecutionRole::new(&stack, "ProdExecution", ExecutionRoleProps::new(vec![aws_managed_policy("PowerUserAccess")]));
//! GithubDeployRole::new(&stack, "ProdDeploy", GithubDeployRoleProps::new(
//!     &github, "acme/web", vec![GithubSubject::Environment("prod".into())],
//!     vec!["prod-*".into()], execution.arn(),
//! ));
//! ```

mod drift;
mod pipeline;

use std::ops::Deref;

use rcdk::{Expr, Scope, Value, fns};
use rcdk_l1::iam::{CfnOidcProvider, CfnOidcProviderProps};

use crate::iam::{Operator, PolicyStatement, Principal, Role, RoleProps};
use crate::units::Duration;

pub use drift::{GithubDriftRole, GithubDriftRoleProps};
pub use pipeline::{BootstrapRole, GithubPipelineRole, GithubPipelineRoleProps};

/// GitHub's OIDC token issuer.
pub const GITHUB_ISSUER: &str = "token.actions.githubusercontent.com";
/// The audience GitHub's `aws-actions/configure-aws-credentials` asks tokens for.
pub const STS_AUDIENCE: &str = "sts.amazonaws.com";
/// The minimum length of the reason that allows a wildcard subject.
pub const MIN_REASON: usize = 20;

/// The account's OIDC identity provider for GitHub Actions (one per account).
#[derive(Debug, Clone)]
pub struct GithubOidcProvider {
    arn: Expr<String>,
}

impl GithubOidcProvider {
    /// Creates the provider. IAM verifies GitHub's issuer through its trusted root CAs;
    /// the thumbprints (GitHub's published intermediates) are still required by the API.
    pub fn new(scope: &Scope, id: &str) -> GithubOidcProvider {
        let provider = CfnOidcProvider::new(
            scope,
            id,
            CfnOidcProviderProps {
                url: Some(format!("https://{GITHUB_ISSUER}").into()),
                client_id_list: Some(vec![STS_AUDIENCE.to_owned()].into()),
                thumbprint_list: Some(
                    vec![
                        "6938fd4d98bab03faadb97b34396831e3780aea1".to_owned(),
                        "1c58a3a8518e8759bf075b76b750d4f2df264fcd".to_owned(),
                    ]
                    .into(),
                ),
                ..Default::default()
            },
        );
        GithubOidcProvider {
            arn: provider.ref_(),
        }
    }

    /// The provider an account already has.
    pub fn from_arn(arn: impl Into<Expr<String>>) -> GithubOidcProvider {
        GithubOidcProvider { arn: arn.into() }
    }

    /// The provider of this account, by its well-known ARN.
    pub fn of_this_account() -> GithubOidcProvider {
        GithubOidcProvider {
            arn: fns::sub(format!(
                "arn:${{AWS::Partition}}:iam::${{AWS::AccountId}}:oidc-provider/{GITHUB_ISSUER}"
            )),
        }
    }

    /// The provider's ARN (what deploy roles trust).
    pub fn arn(&self) -> Expr<String> {
        self.arn.clone()
    }
}

/// Which workflow runs may assume a role: GitHub's `sub` claim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GithubSubject {
    /// Runs on a branch (`main`).
    Branch(String),
    /// Runs of a job bound to a GitHub environment (`prod`), which can require reviewers.
    Environment(String),
    /// Runs on a tag (`v1.2.3`).
    Tag(String),
    /// Runs for pull requests.
    PullRequest,
}

impl GithubSubject {
    fn claim(&self, repository: &str) -> String {
        match self {
            GithubSubject::Branch(b) => format!("repo:{repository}:ref:refs/heads/{b}"),
            GithubSubject::Environment(e) => format!("repo:{repository}:environment:{e}"),
            GithubSubject::Tag(t) => format!("repo:{repository}:ref:refs/tags/{t}"),
            GithubSubject::PullRequest => format!("repo:{repository}:pull_request"),
        }
    }
}

/// Settings of a [`GithubDeployRole`].
#[derive(Debug, Clone)]
pub struct GithubDeployRoleProps {
    /// The account's GitHub OIDC provider.
    pub provider: GithubOidcProvider,
    /// `OWNER/NAME`.
    pub repository: String,
    /// Which workflows may assume the role (environments, branches, tags).
    pub subjects: Vec<GithubSubject>,
    /// Why a subject with `*` is safe; at least 20 characters. Without it, wildcards are
    /// refused.
    pub wildcard_reason: Option<String>,
    /// Names (or `*` patterns like `prod-*`) of the stacks the role may deploy.
    pub stacks: Vec<String>,
    /// Regions those stacks (and their bootstrap buckets) are in. Default (empty): the
    /// region of the stack that holds the role.
    pub regions: Vec<String>,
    /// The CloudFormation execution role deploy passes with `--role-arn`.
    pub execution_role: Expr<String>,
    /// How long the workflow's credentials last. Default: 1 hour.
    pub max_session: Duration,
}

impl GithubDeployRoleProps {
    /// A role for `repository` (`OWNER/NAME`) trusted through `provider` by `subjects`,
    /// changing `stacks` with `execution_role`.
    pub fn new(
        provider: &GithubOidcProvider,
        repository: &str,
        subjects: Vec<GithubSubject>,
        stacks: Vec<String>,
        execution_role: Expr<String>,
    ) -> GithubDeployRoleProps {
        GithubDeployRoleProps {
            provider: provider.clone(),
            repository: repository.to_owned(),
            subjects,
            wildcard_reason: None,
            stacks,
            regions: Vec::new(),
            execution_role,
            max_session: Duration::hours(1),
        }
    }
}

/// A role GitHub Actions assumes to run `rcdk deploy` for the named stacks.
#[derive(Debug, Clone)]
pub struct GithubDeployRole {
    role: Role,
}

impl Deref for GithubDeployRole {
    type Target = Role;
    fn deref(&self) -> &Role {
        &self.role
    }
}

fn valid_repository(r: &str) -> bool {
    let mut parts = r.split('/');
    let ok = |p: Option<&str>| {
        p.is_some_and(|p| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        })
    };
    ok(parts.next()) && ok(parts.next()) && parts.next().is_none()
}

pub(crate) fn stack_arn(region: &str, pattern: &str) -> Expr<String> {
    fns::sub(format!(
        "arn:${{AWS::Partition}}:cloudformation:{region}:${{AWS::AccountId}}:stack/{pattern}/*"
    ))
}

fn asset_bucket_arn(region: &str) -> Expr<String> {
    fns::sub(format!(
        "arn:${{AWS::Partition}}:s3:::rcdk-assets-${{AWS::AccountId}}-{region}"
    ))
}

/// Who may assume a GitHub role: the repository's named subjects through the OIDC provider.
pub(crate) struct GithubTrust<'a> {
    pub provider: &'a GithubOidcProvider,
    pub repository: &'a str,
    pub subjects: &'a [GithubSubject],
    pub wildcard_reason: Option<&'a str>,
    pub max_session: Duration,
}

/// A role GitHub Actions of `trust` assume, with the checks every such role needs;
/// and the regions its stacks are in (`${AWS::Region}` when none are named).
pub(crate) fn github_role(
    scope: &Scope,
    id: &str,
    description: String,
    trust: GithubTrust<'_>,
    stacks: Option<&[String]>,
    regions: &[String],
) -> (Role, Vec<String>) {
    let claims: Vec<String> = trust
        .subjects
        .iter()
        .map(|s| s.claim(trust.repository))
        .collect();
    let wildcard = claims.iter().any(|c| c.contains('*'));
    let role = Role::new(
        scope,
        id,
        RoleProps {
            description: Some(description),
            trust_only_this_account: false,
            max_session: Some(trust.max_session),
            trust_conditions: vec![
                (
                    Operator::StringEquals,
                    format!("{GITHUB_ISSUER}:aud"),
                    Value::from(STS_AUDIENCE),
                ),
                (
                    if wildcard {
                        Operator::StringLike
                    } else {
                        Operator::StringEquals
                    },
                    format!("{GITHUB_ISSUER}:sub"),
                    Value::list(
                        claims
                            .iter()
                            .map(|c| Value::from(c.as_str()))
                            .collect::<Vec<Value>>(),
                    ),
                ),
            ],
            ..RoleProps::new(Principal::federated(trust.provider.arn()))
        },
    );
    if !valid_repository(trust.repository) {
        role.add_error(format!(
            "repository '{}' is not OWNER/NAME (letters, digits, '-', '_', '.')",
            trust.repository
        ));
    }
    if trust.subjects.is_empty() {
        role.add_error(
            "no subjects: name the branches, tags or environments whose runs may assume it",
        );
    }
    if let Some(reason) = trust
        .wildcard_reason
        .filter(|r| wildcard && r.trim().len() >= MIN_REASON)
    {
        // The reason is the waiver reviewers and the posture rule see.
        crate::posture::suppress(&role, crate::posture::Rule::OpenTrust, reason);
    } else if wildcard {
        role.add_error(format!(
            "a subject with '*' lets every matching branch or environment assume it; name them, or give wildcard_reason (at least {MIN_REASON} characters) saying why that is safe"
        ));
    }
    if stacks.is_some_and(<[String]>::is_empty) {
        role.add_error("no stacks: name the stacks (or patterns like prod-*) it acts on");
    }
    for r in regions {
        if !rcdk::Environment::is_region_name(r) {
            role.add_error(format!(
                "regions: '{r}' is not a region name like us-east-1"
            ));
        }
    }
    let regions = if regions.is_empty() {
        vec!["${AWS::Region}".to_owned()]
    } else {
        regions.to_vec()
    };
    (role, regions)
}

impl GithubDeployRole {
    /// Adds the role below `scope`.
    pub fn new(scope: &Scope, id: &str, props: GithubDeployRoleProps) -> GithubDeployRole {
        let (role, regions) = github_role(
            scope,
            id,
            format!(
                "Deploys {} from GitHub Actions of {}",
                props.stacks.join(", "),
                props.repository
            ),
            GithubTrust {
                provider: &props.provider,
                repository: &props.repository,
                subjects: &props.subjects,
                wildcard_reason: props.wildcard_reason.as_deref(),
                max_session: props.max_session,
            },
            Some(&props.stacks),
            &props.regions,
        );
        let stacks: Vec<Expr<String>> = regions
            .iter()
            .flat_map(|r| props.stacks.iter().map(move |s| stack_arn(r, s)))
            .collect();
        // What `rcdk deploy` calls, on those stacks only. DeleteStack: a first create that
        // rolled back (ROLLBACK_COMPLETE) is deleted before it is created again, and an
        // empty stack left by a refused first change set is removed.
        let mut deploy = PolicyStatement::allow()
            .sid("DeployTheNamedStacks")
            .actions([
                "cloudformation:CreateChangeSet",
                "cloudformation:DescribeChangeSet",
                "cloudformation:ExecuteChangeSet",
                "cloudformation:DeleteChangeSet",
                "cloudformation:DescribeStacks",
                "cloudformation:DescribeStackEvents",
                "cloudformation:GetTemplate",
                "cloudformation:UpdateTerminationProtection",
                "cloudformation:DeleteStack",
            ]);
        for s in stacks {
            deploy = deploy.resource(s);
        }
        role.add_to_policy(deploy);
        let mut toolkit = PolicyStatement::allow()
            .sid("ReadTheBootstrapStack")
            .actions(["cloudformation:DescribeStacks"]);
        for r in &regions {
            toolkit = toolkit.resource(stack_arn(r, "RcdkToolkit"));
        }
        role.add_to_policy(toolkit);
        // Exports still imported are kept one more deploy; ListImports takes no resource.
        role.add_to_policy(
            PolicyStatement::allow()
                .sid("SeeWhoImportsExports")
                .actions(["cloudformation:ListImports"])
                .resource("*"),
        );
        let (mut objects, mut buckets) = (
            PolicyStatement::allow()
                .sid("UploadAssetsAndTemplates")
                .actions(["s3:GetObject", "s3:PutObject"]),
            // Without ListBucket, S3 answers a missing object's HEAD with 403, not 404.
            PolicyStatement::allow()
                .sid("SeeWhichAssetsExist")
                .actions(["s3:ListBucket"]),
        );
        for r in &regions {
            let bucket = asset_bucket_arn(r);
            objects = objects.resource(fns::join("", [bucket.clone(), "/*".into()]));
            buckets = buckets.resource(bucket);
        }
        role.add_to_policy(objects);
        role.add_to_policy(buckets);
        // Values stacks of other regions read (cross_region_references), under rcdk's
        // prefix only.
        let mut carry = PolicyStatement::allow()
            .sid("CarryCrossRegionValues")
            .actions(["ssm:PutParameter"]);
        for r in &regions {
            carry = carry.resource(fns::sub(format!(
                "arn:${{AWS::Partition}}:ssm:{r}:${{AWS::AccountId}}:parameter/rcdk/cross-region/*"
            )));
        }
        role.add_to_policy(carry);
        role.add_to_policy(
            PolicyStatement::allow()
                .sid("PassTheExecutionRole")
                .actions(["iam:PassRole"])
                .resource(props.execution_role.clone())
                .condition(
                    Operator::StringEquals,
                    "iam:PassedToService",
                    "cloudformation.amazonaws.com",
                ),
        );
        crate::posture::waive_check(
            &role,
            &["AwsSolutions-IAM5"],
            "Scoped by name to the environment's stacks, the toolkit stack, its asset bucket's objects and its cross-region parameters, whose full names CloudFormation and the bootstrap choose at deploy; * only for actions that take no resource in IAM's catalogue",
        );
        GithubDeployRole { role }
    }
}

/// Settings of an [`ExecutionRole`].
#[derive(Debug, Clone)]
pub struct ExecutionRoleProps {
    /// What CloudFormation may do with the stacks' resources (managed policy ARNs).
    pub managed_policies: Vec<Expr<String>>,
    /// Caps every permission the role has, whatever its policies say.
    pub permissions_boundary: Option<Expr<String>>,
}

impl ExecutionRoleProps {
    /// An execution role with `managed_policies`.
    pub fn new(managed_policies: Vec<Expr<String>>) -> ExecutionRoleProps {
        ExecutionRoleProps {
            managed_policies,
            permissions_boundary: None,
        }
    }
}

/// The role CloudFormation uses for a deploy (`rcdk deploy --role-arn`): only
/// CloudFormation of this account may assume it.
#[derive(Debug, Clone)]
pub struct ExecutionRole {
    role: Role,
}

impl Deref for ExecutionRole {
    type Target = Role;
    fn deref(&self) -> &Role {
        &self.role
    }
}

impl ExecutionRole {
    /// Adds the role below `scope`.
    pub fn new(scope: &Scope, id: &str, props: ExecutionRoleProps) -> ExecutionRole {
        let role = Role::new(
            scope,
            id,
            RoleProps {
                description: Some(format!("CloudFormation deploys with {}/{id}", scope.path())),
                managed_policies: props.managed_policies.clone(),
                permissions_boundary: props.permissions_boundary,
                // CloudFormation assumes a role it was passed, and iam:PassRole never
                // crosses accounts; the documented trust (and the AWS CDK's execution
                // role) is the service alone, so no aws:SourceAccount condition that
                // CloudFormation may not send.
                trust_only_this_account: false,
                ..RoleProps::new(Principal::service("cloudformation.amazonaws.com"))
            },
        );
        if props.managed_policies.is_empty() {
            role.add_error(
                "an execution role needs managed_policies: what CloudFormation may create",
            );
        }
        ExecutionRole { role }
    }
}

impl crate::iam::Grantable for GithubDeployRole {
    fn grant_role(&self) -> &crate::iam::Role {
        &self.role
    }
}

impl crate::iam::Grantable for ExecutionRole {
    fn grant_role(&self) -> &crate::iam::Role {
        &self.role
    }
}
