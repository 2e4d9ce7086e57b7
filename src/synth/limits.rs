//! CloudFormation's quotas, checked at synthesis so a deploy never finds them.

use super::StackArtifact;
use crate::error::Problem;

/// The quotas a template is checked against.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Resources per stack.
    pub resources: usize,
    /// Outputs per stack.
    pub outputs: usize,
    /// Parameters per stack.
    pub parameters: usize,
    /// Mappings per stack.
    pub mappings: usize,
    /// Largest template CloudFormation accepts from S3.
    pub template_bytes: usize,
    /// Largest template that can be passed inline, without an S3 upload.
    pub inline_template_bytes: usize,
}

impl Limits {
    /// CloudFormation's quotas.
    pub const CLOUDFORMATION: Limits = Limits {
        resources: 500,
        outputs: 200,
        parameters: 200,
        mappings: 200,
        template_bytes: 1_000_000,
        inline_template_bytes: 51_200,
    };
}

pub(crate) fn check(artifact: &StackArtifact, limits: &Limits, problems: &mut Vec<Problem>) {
    let t = &artifact.template;
    let count = |section: &str| {
        t.get(section)
            .and_then(|s| s.as_object())
            .map_or(0, serde_json::Map::len)
    };
    let stack = &artifact.stack_name;
    let checks = [
        (
            "resources",
            count("Resources"),
            limits.resources,
            "split the stack: move a group of constructs into a stack of their own",
        ),
        (
            "outputs",
            count("Outputs"),
            limits.outputs,
            "remove outputs, or split the stack so fewer values cross stacks",
        ),
        (
            "parameters",
            count("Parameters"),
            limits.parameters,
            "replace parameters with context or config values",
        ),
        (
            "mappings",
            count("Mappings"),
            limits.mappings,
            "merge mappings or use context values",
        ),
    ];
    for (what, n, max, fix) in checks {
        if n > max {
            problems.push(Problem::new(
                stack.clone(),
                format!("stack '{stack}' has {n} {what}, over CloudFormation's limit of {max}"),
                Some(fix.into()),
            ));
        }
    }
    // What CloudFormation receives: rcdk deploy sends compact JSON.
    let size = compact_bytes(&artifact.template);
    if size > limits.template_bytes {
        problems.push(Problem::new(
            stack.clone(),
            format!("template of stack '{stack}' is {size} bytes as sent (compact JSON), over CloudFormation's limit of {} bytes", limits.template_bytes),
            Some("split the stack into several stacks".into()),
        ));
    }
}

/// The size of `template` as compact JSON: what `rcdk deploy` sends to CloudFormation.
pub fn compact_bytes(template: &serde_json::Value) -> usize {
    // Counted as written, not collected: synthesis measures every stack.
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0 += buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut count = Count(0);
    // Writing a JSON value to a counter cannot fail.
    let _ = serde_json::to_writer(&mut count, template);
    count.0
}
