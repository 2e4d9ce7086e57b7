//! Deploying through CloudFormation change sets, and destroying: the engine behind
//! `rcdk deploy`, `rcdk destroy` and the deployed side of `rcdk diff`. Endpoint,
//! credentials and retries come from the standard AWS configuration chain
//! (`AWS_ENDPOINT_URL`, profiles, environment variables); nothing here knows which
//! CloudFormation it talks to.

mod access;
mod assets;
mod bootstrap;
mod capabilities;
mod changeset;
mod client;
mod cross_region;
mod destroy;
mod drift;
mod ec2;
mod error;
mod events;
mod gc;
mod guards;
mod identity;
mod import;
mod orchestrate;
mod progress;
mod refactor;
mod rollback;
mod route53;
mod signed;
mod ssm;
mod stack_set;
mod stack_state;
mod upload;
mod xml;

pub use access::{Sessions, StackAccess, StackRoles, partition};
pub use assets::{AssetUpload, publish_assets, zip_folder};
pub use bootstrap::{BootstrapRequest, bootstrap, settle_parameters, toolkit_template};
pub use capabilities::capabilities_for;
pub use changeset::ChangeRow;
pub use client::{Cfn, connect, describe};
pub use destroy::{DestroyOptions, DestroyTarget, destroy_stacks};
pub use drift::{PropertyDrift, ResourceDrift, ResourceDriftKind, StackDrift, detect_drift};
pub use ec2::{Ec2Filter, describe as ec2_describe};
pub use error::DeployError;
pub use gc::{GcObject, GcOptions, GcReport, collect_garbage};
pub use guards::{Answer, Approval, STATEFUL_TYPES, confirm, destructive_changes};
pub use identity::caller_account;
pub use import::{Import, ImportCandidate, import_candidates, import_template, run_import};
pub use orchestrate::{DeployOptions, DeployOutcome, StackPlan, dependency_cycle, deploy_stacks};
pub use progress::Progress;
pub use refactor::{Move, refactor_templates, run_refactor};
pub use rollback::{RollbackOutcome, continue_rollback, rollback_command, stuck_resources};
pub use route53::{Zone, zones_named};
pub use ssm::parameter as ssm_parameter;
pub use stack_set::{
    InstanceReport, deploy_stack_set, deployed_stack_set, destroy_stack_set, instances,
    stack_set_template,
};
pub use stack_state::{StackState, deployed_template, stack_state};
pub use upload::TOOLKIT_STACK;
pub use xml::Element as XmlElement;

/// CloudFormation's limit for a template passed inline (`TemplateBody`).
pub const INLINE_TEMPLATE_LIMIT: usize = crate::synth::Limits::CLOUDFORMATION.inline_template_bytes;
