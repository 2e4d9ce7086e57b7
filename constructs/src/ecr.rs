//! ECR repositories with secure defaults: images scanned on push, tags immutable, layers
//! encrypted with a customer-managed key, typed lifecycle rules, and `grant_pull` /
//! `grant_push` for roles. A Fargate task definition takes a repository's image with
//! [`Repository::image`] and scopes its execution role to that repository.
//!
//! ```
//! use rcdk::{App, Stack, StackProps};
//! use rcdk_constructs::ecr::{LifecycleRule, Repository, RepositoryProps};
//! let app = App::with_context(Default::default(), "cdk.out");
//! let stack = Stack::new(&app, "images", StackProps::default());
//! let web = Repository::new(&stack, "Web", RepositoryProps {
//!     lifecycle_rules: vec![LifecycleRule::KeepLastTagged(20), LifecycleRule::ExpireUntaggedAfterDays(7)],
//!     ..RepositoryProps::default()
//! });
//! let _image = web.image("1.4.2");
//! ```

use std::ops::Deref;

use rcdk::{Expr, RemovalPolicy, Scope, fns};
use rcdk_l1::ecr::repository::{
    EncryptionConfiguration, ImageScanningConfiguration, LifecyclePolicy,
};
use rcdk_l1::ecr::{CfnRepository, CfnRepositoryProps};
use serde_json::json;

use crate::containers::ContainerImage;
use crate::iam::{Grantable, PolicyDocument, PolicyStatement, Principal};
use crate::kms::{Key, KeyProps};

/// A lifecycle rule, applied in the order given (ECR's rule priority).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LifecycleRule {
    /// Keep only the newest N tagged images.
    KeepLastTagged(u32),
    /// Delete untagged images D days after they were pushed.
    ExpireUntaggedAfterDays(u32),
}

impl LifecycleRule {
    fn render(self, priority: usize) -> serde_json::Value {
        let (description, selection) = match self {
            LifecycleRule::KeepLastTagged(n) => (
                format!("Keep the last {n} tagged images"),
                json!({"tagStatus": "tagged", "tagPatternList": ["*"], "countType": "imageCountMoreThan", "countNumber": n}),
            ),
            LifecycleRule::ExpireUntaggedAfterDays(d) => (
                format!("Expire untagged images after {d} days"),
                json!({"tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days", "countNumber": d}),
            ),
        };
        json!({"rulePriority": priority, "description": description, "selection": selection, "action": {"type": "expire"}})
    }
}

/// ECR's rule: `(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*`, 2–256 long.
fn valid_name(name: &str) -> bool {
    let part_ok = |part: &str| {
        !part.is_empty()
            && part.split(['.', '_', '-']).all(|run| {
                !run.is_empty()
                    && run
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
            })
    };
    (2..=256).contains(&name.len()) && name.split('/').all(part_ok)
}

/// Settings of a [`Repository`].
#[derive(Debug, Clone)]
pub struct RepositoryProps {
    /// A fixed name (`dev/web`): what CI pushes to. Lower-case letters, digits and
    /// `._-` between them, `/` between parts, 2 to 256 characters. Default: generated.
    pub repository_name: Option<String>,
    /// Default: a new customer-managed key.
    pub key: Option<Key>,
    /// A pushed tag can never point at another image. Default: true.
    pub immutable_tags: bool,
    /// Default: keep the last 50 tagged images, expire untagged ones after 7 days.
    pub lifecycle_rules: Vec<LifecycleRule>,
    /// Default: `Retain` (images of running services must survive a stack deletion).
    pub removal_policy: RemovalPolicy,
    /// Accounts whose principals may pull the images (the repository policy). Each
    /// puller also needs its own IAM grant, which [`Repository::image`] gives a task's
    /// execution role; ECR decrypts the layers through its own grant on the key, so the
    /// key names no puller. Default: none (this account only).
    pub pull_accounts: Vec<String>,
}

impl Default for RepositoryProps {
    fn default() -> Self {
        RepositoryProps {
            repository_name: None,
            key: None,
            immutable_tags: true,
            lifecycle_rules: vec![
                LifecycleRule::KeepLastTagged(50),
                LifecycleRule::ExpireUntaggedAfterDays(7),
            ],
            removal_policy: RemovalPolicy::Retain,
            pull_accounts: Vec::new(),
        }
    }
}

/// An ECR repository.
#[derive(Debug, Clone)]
pub struct Repository {
    repository: CfnRepository,
    key: Key,
}

impl Deref for Repository {
    type Target = CfnRepository;
    fn deref(&self) -> &CfnRepository {
        &self.repository
    }
}

impl Repository {
    /// Adds the repository and (unless given) its key below `scope`.
    pub fn new(scope: &Scope, id: &str, props: RepositoryProps) -> Repository {
        let key = props.key.clone().unwrap_or_else(|| {
            Key::new(
                scope,
                &format!("{id}Key"),
                KeyProps {
                    description: Some(format!(
                        "Encrypts the image repository {}/{id}",
                        scope.path()
                    )),
                    ..KeyProps::default()
                },
            )
        });
        let rules: Vec<serde_json::Value> = props
            .lifecycle_rules
            .iter()
            .enumerate()
            .map(|(i, r)| r.render(i + 1))
            .collect();
        let lifecycle = (!rules.is_empty()).then(|| LifecyclePolicy {
            lifecycle_policy_text: Some(json!({"rules": rules}).to_string().into()),
            ..Default::default()
        });
        let repository = CfnRepository::new(
            scope,
            id,
            CfnRepositoryProps {
                image_scanning_configuration: Some(ImageScanningConfiguration {
                    scan_on_push: Some(true.into()),
                }),
                image_tag_mutability: Some(
                    if props.immutable_tags {
                        "IMMUTABLE"
                    } else {
                        "MUTABLE"
                    }
                    .into(),
                ),
                encryption_configuration: Some(EncryptionConfiguration {
                    kms_key: Some(key.arn()),
                    ..EncryptionConfiguration::new("KMS")
                }),
                lifecycle_policy: lifecycle,
                repository_name: props.repository_name.clone().map(Into::into),
                repository_policy_text: pull_policy(&props.pull_accounts),
                ..Default::default()
            },
        );
        repository.apply_removal_policy(props.removal_policy);
        if let Some(name) = &props.repository_name
            && !valid_name(name)
        {
            repository.add_error(format!(
                    "repository_name '{name}' is not an ECR name: lower-case letters and digits, '.', '_' or '-' between them, '/' between parts, 2 to 256 characters (e.g. dev/web)"
                ));
        }
        for rule in &props.lifecycle_rules {
            let n = match rule {
                LifecycleRule::KeepLastTagged(n) | LifecycleRule::ExpireUntaggedAfterDays(n) => *n,
            };
            if n == 0 {
                repository.add_error(format!(
                    "lifecycle rule {rule:?} keeps nothing; give it a count or days of at least 1"
                ));
            }
        }
        for account in props
            .pull_accounts
            .iter()
            .filter(|a| a.len() != 12 || !a.bytes().all(|b| b.is_ascii_digit()))
        {
            repository.add_error(format!(
                "pull_accounts: '{account}' is not an account id (12 digits)"
            ));
        }
        Repository { repository, key }
    }

    /// The repository's ARN.
    pub fn arn(&self) -> Expr<String> {
        self.repository.attr_arn()
    }

    /// `ACCOUNT.dkr.ecr.REGION.amazonaws.com/NAME`
    pub fn uri(&self) -> Expr<String> {
        self.repository.attr_repository_uri()
    }

    /// The key that encrypts the images.
    pub fn key(&self) -> &Key {
        &self.key
    }

    /// The image `tag` of this repository, for a task definition (which may then pull
    /// from exactly this repository).
    pub fn image(&self, tag: &str) -> ContainerImage {
        ContainerImage::Repository {
            uri: self.uri(),
            arn: self.arn(),
            tag: tag.to_owned(),
        }
    }

    /// Lets `role` pull images.
    pub fn grant_pull(&self, grantee: &(impl Grantable + ?Sized)) {
        let role = grantee.grant_role();
        for statement in pull_statements(self.arn()) {
            role.add_to_policy(statement);
        }
    }

    /// Lets `role` push images (and pull them: a push checks for existing layers).
    pub fn grant_push(&self, grantee: &(impl Grantable + ?Sized)) {
        let role = grantee.grant_role();
        self.grant_pull(role);
        role.add_to_policy(
            PolicyStatement::allow()
                .actions([
                    "ecr:PutImage",
                    "ecr:InitiateLayerUpload",
                    "ecr:UploadLayerPart",
                    "ecr:CompleteLayerUpload",
                ])
                .resource(self.arn()),
        );
    }
}

/// The repository policy that lets `accounts` pull, or none.
fn pull_policy(accounts: &[String]) -> Option<PolicyDocument> {
    if accounts.is_empty() {
        return None;
    }
    let statement = accounts.iter().fold(
        PolicyStatement::allow()
            .sid("PullFromTheEnvironmentAccounts")
            .actions(PULL_ACTIONS),
        |s, account| {
            s.principal(Principal::Aws(fns::sub(format!(
                "arn:${{AWS::Partition}}:iam::{account}:root"
            ))))
        },
    );
    Some(PolicyDocument::new(vec![statement]))
}

/// What pulling an image's layers takes (the token is granted apart: it has no resource).
const PULL_ACTIONS: [&str; 3] = [
    "ecr:BatchCheckLayerAvailability",
    "ecr:GetDownloadUrlForLayer",
    "ecr:BatchGetImage",
];

/// Copies of every image pushed to this account's repositories named `prefix…` in
/// other regions of the account (the registry's replication configuration: one per
/// account and region). A repository of that name made in the other region keeps its
/// own settings and policy; ECR creates one with defaults where none exists.
#[derive(Debug, Clone)]
pub struct Replication {
    configuration: rcdk_l1::ecr::CfnReplicationConfiguration,
}

impl Replication {
    /// Replicates the repositories named `prefix…` to `regions` of this account.
    pub fn new(scope: &Scope, id: &str, prefix: &str, regions: &[&str]) -> Replication {
        use rcdk_l1::ecr::replication_configuration::{
            ReplicationConfiguration, ReplicationDestination, ReplicationRule, RepositoryFilter,
        };
        let account = scope.aws().account_id();
        let destinations = regions
            .iter()
            .map(|region| {
                ReplicationDestination::new(Expr::from(region.to_string()), account.clone())
            })
            .collect();
        let configuration = rcdk_l1::ecr::CfnReplicationConfiguration::new(
            scope,
            id,
            rcdk_l1::ecr::CfnReplicationConfigurationProps::new(ReplicationConfiguration::new(
                vec![ReplicationRule {
                    repository_filters: Some(vec![RepositoryFilter::new(
                        Expr::from(prefix.to_owned()),
                        Expr::from("PREFIX_MATCH".to_owned()),
                    )]),
                    ..ReplicationRule::new(destinations)
                }],
            )),
        );
        if regions.is_empty() {
            configuration.add_error("name at least one region to replicate to");
        }
        Replication { configuration }
    }
}

impl Deref for Replication {
    type Target = rcdk_l1::ecr::CfnReplicationConfiguration;
    fn deref(&self) -> &Self::Target {
        &self.configuration
    }
}

/// What pulling from one repository takes; the authorization token has no
/// resource-level permissions, so it is granted on `*`.
pub(crate) fn pull_statements(repository_arn: Expr<String>) -> [PolicyStatement; 2] {
    [
        PolicyStatement::allow()
            .actions(PULL_ACTIONS)
            .resource(repository_arn),
        PolicyStatement::allow()
            .actions(["ecr:GetAuthorizationToken"])
            .resource("*"),
    ]
}
