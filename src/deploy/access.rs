//! Reaching a stack's environment: the caller's credentials in their own account, or
//! the roles `rcdk bootstrap` made in another (the manifest's `assumeRoleArn`,
//! `cloudFormationExecutionRoleArn` and the asset destinations' `assumeRoleArn`, as the
//! AWS CDK writes them). Assumed credentials are cached per role and region for the
//! whole run, and the SDK refreshes them before they expire.

use std::collections::BTreeMap;
use std::sync::Arc;

use aws_config::sts::AssumeRoleProvider;
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
use aws_sdk_cloudformation::Client;
use aws_sdk_cloudformation::config::Region;
use tokio::sync::Mutex;

use super::client::{Cfn, connect};
use super::error::DeployError;
use super::progress::Progress;
use super::stack_state::stack_state;
use super::upload::TOOLKIT_STACK;

/// The roles a stack's manifest names (all `None`: the caller's credentials, as before
/// there were roles).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StackRoles {
    /// The role to deploy with (`assumeRoleArn`).
    pub deploy: Option<String>,
    /// The role CloudFormation acts as (`cloudFormationExecutionRoleArn`).
    pub execution: Option<String>,
    /// The role assets are uploaded with (the asset destinations' `assumeRoleArn`).
    pub publishing: Option<String>,
    /// The read-only role of the stack's environment (`lookupRole.arn`): what reads
    /// that change nothing (`rcdk drift`) assume first.
    pub lookup: Option<String>,
    /// The bootstrap stack version the stack needs (`requiresBootstrapStackVersion`).
    pub bootstrap_version: Option<u64>,
    /// Where the environment's bootstrap version is, when not in `RcdkToolkit`'s
    /// outputs: an SSM parameter (`bootstrapStackVersionSsmParameter`, what the AWS
    /// CDK's bootstrap writes, `/cdk-bootstrap/hnb659fds/version`).
    pub bootstrap_version_parameter: Option<String>,
}

/// Where one stack is: the clients to use and the execution role to pass.
#[derive(Debug, Clone)]
pub struct StackAccess {
    /// CloudFormation (and the account's other calls) for the stack.
    pub cfn: Cfn,
    /// Asset uploads.
    pub publish: Cfn,
    /// The execution role to give CloudFormation, when the stack's roles are in use.
    pub execution_role: Option<String>,
}

/// The partition of a region's ARNs.
pub fn partition(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else {
        "aws"
    }
}

/// Fills the placeholders the AWS CDK leaves in role ARNs.
fn resolve(arn: &str, partition: &str, account: &str, region: &str) -> String {
    arn.replace("${AWS::Partition}", partition)
        .replace("${AWS::AccountId}", account)
        .replace("${AWS::Region}", region)
}

/// The account of a role ARN (`arn:PARTITION:iam::ACCOUNT:role/NAME`).
fn account_of(arn: &str) -> Option<&str> {
    arn.split(':').nth(4).filter(|a| !a.is_empty())
}

/// A session name CloudFormation's events and CloudTrail show: rcdk and the stack
/// (`[\w+=,.@-]`, at most 64 characters).
fn session_name(stack: &str) -> String {
    let clean: String = format!("rcdk-{stack}")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "_+=,.@-".contains(c) {
                c
            } else {
                '-'
            }
        })
        .collect();
    clean.chars().take(64).collect()
}

/// (role ARN, region).
type RoleInRegion = (String, String);

/// Clients by region and role, and the caller's account, shared by one run.
#[derive(Clone, Default)]
pub struct Sessions {
    bases: Arc<Mutex<BTreeMap<Option<String>, Cfn>>>,
    assumed: Arc<Mutex<BTreeMap<RoleInRegion, Result<Cfn, String>>>>,
    caller: Arc<Mutex<Option<String>>>,
    /// Fallbacks already reported (one line per role, not per stack).
    noted: Arc<Mutex<Vec<String>>>,
    /// Report no fallback (a read before the run that reports them).
    quiet: bool,
}

impl Sessions {
    /// Sessions that do not report falling back to the caller's credentials: for reads
    /// ahead of a deployment, which reports it itself.
    pub fn quiet() -> Sessions {
        Sessions {
            quiet: true,
            ..Sessions::default()
        }
    }

    /// The caller's credentials in `region` (`None`: the configured region).
    pub async fn base(&self, region: Option<&str>) -> Cfn {
        let mut bases = self.bases.lock().await;
        let key = region.map(str::to_owned);
        if let Some(c) = bases.get(&key) {
            return c.clone();
        }
        let c = connect(region).await;
        bases.insert(key, c.clone());
        c
    }

    /// The account the caller's credentials belong to.
    pub async fn caller_account(&self, region: Option<&str>) -> Result<String, DeployError> {
        let mut caller = self.caller.lock().await;
        if let Some(a) = caller.as_ref() {
            return Ok(a.clone());
        }
        let a = super::identity::caller_account(&self.base(region).await).await?;
        *caller = Some(a.clone());
        Ok(a)
    }

    /// Credentials of `role` in `region`, assumed once per run; the error is STS's.
    async fn assume(&self, base: &Cfn, role: &str, stack: &str) -> Result<Cfn, String> {
        let key = (role.to_owned(), base.region.clone());
        let mut assumed = self.assumed.lock().await;
        if let Some(r) = assumed.get(&key) {
            return r.clone();
        }
        let provider = AssumeRoleProvider::builder(role)
            .session_name(session_name(stack))
            .region(Region::new(base.region.clone()))
            .configure(&base.config)
            .build()
            .await;
        // Asked once now, so that a role that cannot be assumed fails here, named,
        // instead of inside the first CloudFormation call.
        let result = match provider.provide_credentials().await {
            Ok(_) => {
                let config = base
                    .config
                    .to_builder()
                    .credentials_provider(SharedCredentialsProvider::new(provider))
                    .build();
                Ok(Cfn {
                    client: Client::new(&config),
                    region: base.region.clone(),
                    config,
                })
            }
            Err(e) => Err(innermost(&e)),
        };
        assumed.insert(key, result.clone());
        result
    }

    /// Credentials to read `account` in `region` for a lookup (`what`, for messages):
    /// the caller's when they are of that account; else `lookup_role` (the missing
    /// lookup's `lookupRoleArn`), assumed; else refused, naming the role and the fix.
    pub async fn for_lookup(
        &self,
        what: &str,
        account: &str,
        region: &str,
        lookup_role: Option<&str>,
    ) -> Result<Cfn, DeployError> {
        let base = self.base(Some(region)).await;
        let caller = self.caller_account(Some(region)).await?;
        if caller == account {
            return Ok(base);
        }
        let Some(role) = lookup_role else {
            return Err(DeployError::Refused {
                stack: what.to_owned(),
                message: format!(
                    "the credentials are of account {caller}, and the lookup names no role to assume in {account}; use credentials of {account}"
                ),
            });
        };
        let role = resolve(role, partition(region), account, region);
        self.assume(&base, &role, "lookup")
            .await
            .map_err(|e| cannot_assume(what, &role, account, region, &caller, &e))
    }

    /// How to reach `stack` of `account` (`None`: the caller's) in `region`: through
    /// its roles when it names them and they can be assumed; with the caller's
    /// credentials when it names none or the caller is in that account already (a
    /// bootstrap stack from before the roles); else refused, with the fix.
    pub async fn for_stack(
        &self,
        stack: &str,
        account: Option<&str>,
        region: Option<&str>,
        roles: &StackRoles,
        progress: &Progress,
    ) -> Result<StackAccess, DeployError> {
        let base = self.base(region).await;
        let as_caller = StackAccess {
            cfn: base.clone(),
            publish: base.clone(),
            execution_role: None,
        };
        let Some(deploy_role) = &roles.deploy else {
            if let Some(account) = account {
                let caller = self.caller_account(region).await?;
                if caller != account {
                    return Err(other_account(stack, account, &caller, &base.region));
                }
            }
            return Ok(as_caller);
        };
        let partition = partition(&base.region);
        let account = match account {
            Some(a) => a.to_owned(),
            None => self.caller_account(region).await?,
        };
        let fill = |arn: &str| resolve(arn, partition, &account, &base.region);
        let deploy_role = fill(deploy_role);
        let target = account_of(&deploy_role).unwrap_or(&account).to_owned();
        match self.assume(&base, &deploy_role, stack).await {
            Ok(cfn) => {
                check_bootstrap(&cfn, stack, &target, roles).await?;
                let publish = match &roles.publishing {
                    Some(p) if fill(p) != deploy_role => {
                        self.assume(&base, &fill(p), stack).await.map_err(|e| {
                            cannot_assume(stack, &fill(p), &target, &base.region, &account, &e)
                        })?
                    }
                    _ => cfn.clone(),
                };
                Ok(StackAccess {
                    cfn,
                    publish,
                    execution_role: roles.execution.as_deref().map(fill),
                })
            }
            Err(e) => {
                let caller = self.caller_account(region).await?;
                if caller != target {
                    return Err(cannot_assume(
                        stack,
                        &deploy_role,
                        &target,
                        &base.region,
                        &caller,
                        &e,
                    ));
                }
                let mut noted = self.noted.lock().await;
                if !self.quiet && !noted.contains(&deploy_role) {
                    progress.line(&format!(
                        "ℹ️  {deploy_role} cannot be assumed ({e}); your credentials are of account {caller} already, so rcdk uses them, as before the roles existed. `rcdk bootstrap aws://{target}/{}` adds the roles",
                        base.region
                    ));
                    noted.push(deploy_role.clone());
                }
                Ok(as_caller)
            }
        }
    }
}

/// The cause of a credentials error: STS's code and message when it answered, else
/// the deepest cause (the transport's).
fn innermost(e: &dyn std::error::Error) -> String {
    use aws_sdk_cloudformation::error::ErrorMetadata;
    for s in super::client::causes(e) {
        if let Some(m) = s.downcast_ref::<ErrorMetadata>() {
            return match (m.code(), m.message()) {
                (Some(c), Some(text)) => format!("{c}: {text}"),
                (Some(c), None) => c.to_owned(),
                _ => s.to_string(),
            };
        }
    }
    super::client::causes(e)
        .last()
        .map_or_else(|| e.to_string(), ToString::to_string)
}

fn other_account(stack: &str, account: &str, caller: &str, region: &str) -> DeployError {
    DeployError::Refused {
        stack: format!("{stack} (aws://{account})"),
        message: format!(
            "the stack's environment names another account than the credentials', which are of account {caller}; nothing was sent. Its manifest names no role to assume there: synthesize it with rcdk (the manifest then names account {account}'s deploy role) after `rcdk bootstrap aws://{account}/{region} --trust {caller}` with credentials of {account}, or use credentials of that account"
        ),
    }
}

fn cannot_assume(
    stack: &str,
    role: &str,
    account: &str,
    region: &str,
    caller: &str,
    cause: &str,
) -> DeployError {
    DeployError::Refused {
        stack: stack.to_owned(),
        message: format!(
            "cannot assume {role} in account {account} from account {caller} ({cause}); nothing was sent. Bootstrap that account trusting yours, with credentials of {account}: `rcdk bootstrap aws://{account}/{region} --trust {caller} --execution-policy ARN`"
        ),
    }
}

/// The version an SSM parameter of the environment holds (`None`: no such parameter).
async fn version_parameter(cfn: &Cfn, stack: &str, name: &str) -> Result<Option<u64>, DeployError> {
    Ok(super::ssm::parameter(cfn, stack, name)
        .await?
        .and_then(|v| v.parse().ok()))
}

/// The environment's bootstrap is at least the version the stack requires: read from
/// the SSM parameter its manifest names (an AWS CDK bootstrap), else from
/// `RcdkToolkit`'s outputs.
async fn check_bootstrap(
    cfn: &Cfn,
    stack: &str,
    account: &str,
    roles: &StackRoles,
) -> Result<(), DeployError> {
    let Some(required) = roles.bootstrap_version else {
        return Ok(());
    };
    let (found, what) = match &roles.bootstrap_version_parameter {
        Some(name) => {
            let v = version_parameter(cfn, stack, name).await?;
            (
                v,
                v.map_or(format!("no SSM parameter {name}"), |v| {
                    format!("version {v} ({name})")
                }),
            )
        }
        None => {
            let state = stack_state(cfn, TOOLKIT_STACK).await?;
            let v = state
                .as_ref()
                .and_then(|s| s.outputs.get("BootstrapVersion"))
                .and_then(|v| v.parse::<u64>().ok());
            let what = match (&state, v) {
                (None, _) => format!("no {TOOLKIT_STACK}"),
                (Some(_), None) => format!("{TOOLKIT_STACK} version 1 (no roles)"),
                (Some(_), Some(v)) => format!("{TOOLKIT_STACK} version {v}"),
            };
            (v, what)
        }
    };
    match found {
        Some(v) if v >= required => Ok(()),
        _ => Err(DeployError::Refused {
            stack: stack.to_owned(),
            message: format!(
                "needs bootstrap version {required} or later in aws://{account}/{}, which has {what}; nothing was sent. Bootstrap it again (`rcdk bootstrap aws://{account}/{}` keeps the trusted accounts and policies; an AWS CDK bootstrap: `cdk bootstrap`)",
                cfn.region, cfn.region
            ),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_of_cdk_role_arns_are_filled_per_partition() {
        let cdk = "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/cdk-hnb659fds-deploy-role-${AWS::AccountId}-${AWS::Region}";
        assert_eq!(
            resolve(cdk, partition("cn-north-1"), "111111111111", "cn-north-1"),
            "arn:aws-cn:iam::111111111111:role/cdk-hnb659fds-deploy-role-111111111111-cn-north-1"
        );
        assert_eq!(partition("us-gov-west-1"), "aws-us-gov");
        assert_eq!(partition("eu-west-1"), "aws");
        assert_eq!(
            account_of("arn:aws:iam::222222222222:role/x"),
            Some("222222222222")
        );
    }

    #[test]
    fn session_names_keep_to_what_sts_accepts() {
        assert_eq!(session_name("prod/app stack"), "rcdk-prod-app-stack");
        assert_eq!(session_name(&"x".repeat(100)).len(), 64);
    }
}
