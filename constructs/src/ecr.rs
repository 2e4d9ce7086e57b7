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

use rcdk::{Expr, RemovalPolicy, Scope};
use rcdk_l1::ecr::repository::{
    EncryptionConfiguration, ImageScanningConfiguration, LifecyclePolicy,
};
use rcdk_l1::ecr::{CfnRepository, CfnRepositoryProps};
use serde_json::json;

use crate::containers::ContainerImage;
use crate::iam::{Grantable, PolicyStatement};
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

/// What pulling from one repository takes; the authorization token has no
/// resource-level permissions, so it is granted on `*`.
pub(crate) fn pull_statements(repository_arn: Expr<String>) -> [PolicyStatement; 2] {
    [
        PolicyStatement::allow()
            .actions([
                "ecr:BatchCheckLayerAvailability",
                "ecr:GetDownloadUrlForLayer",
                "ecr:BatchGetImage",
            ])
            .resource(repository_arn),
        PolicyStatement::allow()
            .actions(["ecr:GetAuthorizationToken"])
            .resource("*"),
    ]
}
