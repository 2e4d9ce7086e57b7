//! Library errors (typed), and their rendering for a person at the edge.

use std::fmt;
use std::io::Write;
use std::path::PathBuf;

use anstyle::{AnsiColor, Style};

/// Anything `App::synth` can fail with.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The app has problems (each with its construct path and fix).
    #[error(transparent)]
    Synth(#[from] SynthError),
    /// A file of the assembly could not be written.
    #[error("cannot write the cloud assembly to '{}': {source}", path.display())]
    Write {
        /// The file or folder.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The output folder holds something rcdk did not write.
    #[error("refusing to write the cloud assembly to '{}': {why}; choose a new or empty folder with -o/--output (or `output` in cdk.json)", path.display())]
    OutputInUse {
        /// The folder.
        path: PathBuf,
        /// What is in the way.
        why: String,
    },
    /// A file asset could not be staged.
    #[error("{construct_path}: asset: {message}")]
    Asset {
        /// The construct that has the asset.
        construct_path: String,
        /// What is wrong.
        message: String,
    },
}

/// One thing wrong with the app, attached to the construct path (or stack) at fault.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Problem {
    /// Construct path or stack name; empty for the app as a whole.
    pub path: String,
    /// What is wrong.
    pub message: String,
    /// What to do about it, when the message itself does not say.
    pub hint: Option<String>,
}

impl Problem {
    /// A problem of `path` saying `message`, with the fix if there is one.
    pub fn new(
        path: impl Into<String>,
        message: impl Into<String>,
        hint: Option<String>,
    ) -> Problem {
        Problem {
            path: path.into(),
            message: message.into(),
            hint,
        }
    }
}

/// Synthesis found problems; nothing was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SynthError {
    /// Every problem found, in construct-path order.
    pub problems: Vec<Problem>,
}

impl std::error::Error for SynthError {}

impl fmt::Display for SynthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.problems.len();
        write!(
            f,
            "synthesis failed with {n} problem{}",
            if n == 1 { "" } else { "s" }
        )?;
        for p in &self.problems {
            let at = if p.path.is_empty() {
                "app".to_owned()
            } else {
                p.path.clone()
            };
            write!(f, "\n  {at}: {}", p.message)?;
            if let Some(hint) = &p.hint {
                write!(f, "\n    fix: {hint}")?;
            }
        }
        Ok(())
    }
}

impl SynthError {
    /// Whether some problem's message contains `needle` (handy in tests).
    pub fn mentions(&self, needle: &str) -> bool {
        self.problems
            .iter()
            .any(|p| p.message.contains(needle) || p.path.contains(needle))
    }
}

/// Prints an error to stderr, in colour when stderr is a terminal.
pub fn render(err: &dyn std::error::Error) {
    let red = Style::new().fg_color(Some(AnsiColor::Red.into())).bold();
    let mut out = anstream::stderr();
    let _ = writeln!(out, "{red}error{red:#}: {err}");
    let mut source = err.source();
    while let Some(s) = source {
        let _ = writeln!(out, "  caused by: {s}");
        source = s.source();
    }
}

/// Prints a warning to stderr, in colour when stderr is a terminal.
pub fn render_warning(message: &str) {
    let yellow = Style::new().fg_color(Some(AnsiColor::Yellow.into())).bold();
    let _ = writeln!(anstream::stderr(), "{yellow}warning{yellow:#}: {message}");
}
