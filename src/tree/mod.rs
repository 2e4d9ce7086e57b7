//! The construct tree: `App` → `Stack` → constructs, each with an id and a path.
//!
//! Nodes live in one arena per app; [`Scope`] is a cheap handle to one of them, so
//! constructs are created the way the AWS CDK creates them
//! (`CfnVpc::new(&stack, "Vpc", props)`). Mistakes found while building the tree
//! (duplicate ids, resources outside a stack, …) are recorded as error annotations
//! and reported together at synthesis, before anything is written.

mod annotations;
pub(crate) mod app;
mod aspects;
mod assets;
pub mod bootstrap;
mod elements;
pub mod lookup;
mod node;
mod removal;
mod resource;
mod scope;
mod stack;
pub mod stack_set;
mod tags;

pub use annotations::{Annotation, AnnotationLevel};
pub use app::App;
pub use aspects::{Aspect, AspectPriority, Aspects};
pub use assets::{
    ASSET_BUCKET, AssetLocation, AssetPackaging, FileAsset, folder_files, is_executable,
};
pub use elements::{
    CfnCondition, CfnMapping, CfnOutput, CfnParameter, OutputProps, ParameterProps,
};
pub use removal::RemovalPolicy;
pub use resource::{CfnResource, DeletionPolicy, ResourceProps};
pub use scope::Scope;
pub use stack::{Environment, Stack, StackProps};
pub use tags::{TagProps, Tags};

pub(crate) use aspects::invoke_aspects;
pub(crate) use elements::{ConditionData, MappingData, OutputData, ParameterData};
pub(crate) use node::{Node, NodeKind, Tree};
pub(crate) use resource::{AsWritten, ResourceData};
pub(crate) use stack::StackData;
pub(crate) use tags::{EffectiveTag, TagRule, effective_tags, stack_tags};
