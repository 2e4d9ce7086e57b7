/// Severity of an annotation attached to a construct.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum AnnotationLevel {
    /// For information.
    Info,
    /// Worth a look; synthesis goes on.
    Warning,
    /// Synthesis fails.
    Error,
}

impl AnnotationLevel {
    /// The metadata type the AWS CDK uses for this level in the cloud assembly.
    pub fn metadata_type(self) -> &'static str {
        match self {
            AnnotationLevel::Info => "aws:cdk:info",
            AnnotationLevel::Warning => "aws:cdk:warning",
            AnnotationLevel::Error => "aws:cdk:error",
        }
    }
}

/// A message attached to a construct by the construct itself or by an aspect.
/// Errors fail synthesis; warnings and infos are recorded in the manifest and shown by the CLI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Annotation {
    /// How serious.
    pub level: AnnotationLevel,
    /// What it says.
    pub message: String,
}
