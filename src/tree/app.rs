use std::cell::RefCell;
use std::collections::BTreeMap;
use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use super::{Scope, Tree};
use crate::error::{Error, Problem, SynthError};
use crate::synth::{self, CloudAssembly};

/// The root of a construct tree. Reads the environment the AWS CDK CLI (and `rcdk`)
/// passes to an app: `CDK_CONTEXT_JSON` for context and `CDK_OUTDIR` for the output.
pub struct App {
    scope: Scope,
}

impl Deref for App {
    type Target = Scope;
    fn deref(&self) -> &Scope {
        &self.scope
    }
}

impl Default for App {
    fn default() -> Self {
        Self::new()
    }
}

impl App {
    /// An app configured from the process environment.
    pub fn new() -> App {
        let outdir =
            std::env::var_os("CDK_OUTDIR").map_or_else(|| PathBuf::from("cdk.out"), PathBuf::from);
        let (context, problem) = match std::env::var("CDK_CONTEXT_JSON") {
            Ok(raw) => match serde_json::from_str::<BTreeMap<String, serde_json::Value>>(&raw) {
                Ok(ctx) => (ctx, None),
                Err(e) => (
                    BTreeMap::new(),
                    Some(format!(
                        "CDK_CONTEXT_JSON is not a JSON object ({e}); pass context as -c key=value"
                    )),
                ),
            },
            Err(_) => (BTreeMap::new(), None),
        };
        let app = App::with_context(context, outdir);
        if let Some(message) = problem {
            app.add_error(message);
        }
        app
    }

    /// An app with explicit context and output directory, ignoring the environment (for tests).
    pub fn with_context(
        context: BTreeMap<String, serde_json::Value>,
        outdir: impl Into<PathBuf>,
    ) -> App {
        let tree = Rc::new(RefCell::new(Tree::new(context, outdir.into())));
        App {
            scope: Scope { tree, index: 0 },
        }
    }

    /// Sets a context value (before constructs read it).
    pub fn set_context(&self, key: impl Into<String>, value: serde_json::Value) {
        self.scope
            .tree
            .borrow_mut()
            .context
            .insert(key.into(), value);
    }

    /// Where the cloud assembly is written.
    pub fn outdir(&self) -> PathBuf {
        self.scope.tree.borrow().outdir.clone()
    }

    /// Runs aspects, resolves references, validates, and returns the assembly without writing it.
    pub fn synthesize(&self) -> Result<CloudAssembly, SynthError> {
        synth::synthesize(&self.scope)
    }

    /// Synthesizes and writes the cloud assembly to the output directory, atomically:
    /// on any error the previous output is left as it was.
    pub fn synth(&self) -> Result<CloudAssembly, Error> {
        let assembly = self.synthesize()?;
        let outdir = self.outdir();
        assembly.write(&outdir)?;
        Ok(assembly)
    }

    /// Synthesizes into `dir` instead of the configured output directory.
    pub fn synth_to(&self, dir: &Path) -> Result<CloudAssembly, Error> {
        let assembly = self.synthesize()?;
        assembly.write(dir)?;
        Ok(assembly)
    }
}

type BuildFn<'a> = dyn FnOnce(&App) -> Result<(), Box<dyn std::error::Error>> + 'a;

/// Runs an app's `main`: builds the tree, synthesizes, prints problems for a person,
/// and returns the exit code (0 ok, 1 synthesis or build error).
pub fn run(
    build: impl FnOnce(&App) -> Result<(), Box<dyn std::error::Error>>,
) -> std::process::ExitCode {
    run_boxed(Box::new(build))
}

/// The body of [`run`], not generic: compiled (optimized) once in this crate instead of
/// in every app's binary, whose link step after an edit is then only the link.
fn run_boxed(build: Box<BuildFn<'_>>) -> std::process::ExitCode {
    let app = App::new();
    if let Err(e) = build(&app) {
        let err = Error::Synth(SynthError {
            problems: vec![Problem::new("", e.to_string(), None)],
        });
        crate::error::render(&err);
        return std::process::ExitCode::FAILURE;
    }
    match app.synth() {
        Ok(assembly) => {
            for w in assembly.warnings() {
                crate::error::render_warning(&w);
            }
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            crate::error::render(&e);
            std::process::ExitCode::FAILURE
        }
    }
}
