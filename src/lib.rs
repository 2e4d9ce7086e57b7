//! rcdk: typed AWS constructs that synthesize deterministic CloudFormation.
//!
//! Layers, each using only the ones above it: [`expr`] (typed values and intrinsics),
//! [`registry`] (what the schemas say about each resource type; the typed L1 resources
//! are the `rcdk-l1` crate), [`tree`] (app, stacks, constructs, tags, aspects),
//! [`synth`] (references, validation, the cloud assembly), [`include`](mod@include) (an existing
//! template in a stack, as written), [`posture`] (the security rules, on any tree: an
//! app's or an included template's), [`diff`], [`cost`], and, with the `cli` feature (on
//! by default, off for apps), the command line and the deploy engine.

#![warn(missing_docs)]

#[cfg(feature = "cli")]
pub mod cli;
pub mod cost;
#[cfg(feature = "cli")]
pub mod deploy;
pub mod diff;
pub mod error;
pub mod expr;
pub mod iam;
pub mod include;
pub use tree::lookup;
pub mod posture;
pub mod registry;

/// How construct paths become logical ids, for constructs that name resources the same way.
pub mod naming {
    pub use crate::synth::logical_id::{from_components, pascal_case};
}
pub mod synth;
pub mod tree;
pub mod yaml;

pub use error::{Error, Problem, SynthError};
pub use expr::{Expr, Json, ToValue, Value, fns};
pub use synth::{CloudAssembly, OutdirState, StackArtifact, check_output_dir};
pub use tree::app::run;
pub use tree::{
    ASSET_BUCKET, Annotation, AnnotationLevel, App, Aspect, AspectPriority, Aspects, AssetLocation,
    AssetPackaging, CfnCondition, CfnMapping, CfnOutput, CfnParameter, CfnResource, DeletionPolicy,
    Environment, FileAsset, OutputProps, ParameterProps, RemovalPolicy, ResourceProps, Scope,
    Stack, StackProps, TagProps, Tags,
};
