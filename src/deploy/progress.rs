//! Progress output: a bar per stack (resources done / total) on a terminal, plain
//! event lines otherwise. Lines always go to stderr; stdout is for results.

use std::io::IsTerminal;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Deployment output: lines above a progress bar per stack on a terminal, plain lines
/// elsewhere.
#[derive(Clone)]
pub struct Progress {
    multi: Option<MultiProgress>,
}

/// One stack's bar (or nothing when not on a terminal).
#[derive(Clone)]
pub struct StackBar {
    bar: Option<ProgressBar>,
    progress: Progress,
}

impl Progress {
    /// Output for this process's terminal (or pipe).
    pub fn new() -> Progress {
        let multi = std::io::stderr()
            .is_terminal()
            .then(|| MultiProgress::with_draw_target(ProgressDrawTarget::stderr()));
        Progress { multi }
    }

    /// Prints a line above the bars.
    pub fn line(&self, text: &str) {
        match &self.multi {
            Some(m) => {
                let _ = m.println(text);
            }
            None => anstream::eprintln!("{text}"),
        }
    }

    /// A progress bar for `stack`'s `total` resources.
    pub fn stack_bar(&self, stack: &str, total: u64) -> StackBar {
        let bar = self.multi.as_ref().map(|m| {
            let style = ProgressStyle::with_template("{prefix:>24} [{bar:30}] {pos}/{len} {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> ");
            let b = m.add(ProgressBar::new(total).with_style(style));
            b.set_prefix(stack.to_owned());
            b
        });
        StackBar {
            bar,
            progress: self.clone(),
        }
    }
}

impl Default for Progress {
    fn default() -> Self {
        Progress::new()
    }
}

impl StackBar {
    pub fn set_done(&self, done: u64, status: &str) {
        if let Some(b) = &self.bar {
            b.set_position(done);
            b.set_message(status.to_owned());
        }
    }

    pub fn line(&self, text: &str) {
        self.progress.line(text);
    }

    pub fn finish(&self, status: &str) {
        if let Some(b) = &self.bar {
            b.finish_with_message(status.to_owned());
        }
    }
}
