//! A diff as one pull-request comment: a summary table (per stack: added, modified,
//! removed, replaced, security changes, monthly cost), the unchanged stacks in one line,
//! then a collapsible section per changed stack. The comment fits GitHub's limit: what
//! does not fit is left out with a note saying so, never cut mid-line.

use std::fmt::Write;

use super::render::{change_text, kind_label, replacement_label, short};
use super::{Change, EntryDiff, Replacement, TemplateDiff};

/// The longest comment GitHub accepts, in characters.
pub const GITHUB_COMMENT_LIMIT: usize = 65_536;
/// The first line of every comment: lets a workflow find and update its comment.
pub const MARKER: &str = "<!-- rcdk-diff -->";

/// One stack's part of the comment.
pub struct StackSection<'a> {
    /// The stack's name.
    pub stack: &'a str,
    /// Its differences.
    pub diff: &'a TemplateDiff,
    /// `$412.10 → $530.40 (+$118.30)`, when estimated.
    pub cost: Option<String>,
    /// The cost items that changed, one line each.
    pub cost_items: Vec<String>,
}

struct Counts {
    added: usize,
    modified: usize,
    removed: usize,
    replaced: usize,
    may_replace: usize,
    security: usize,
    broadening: bool,
}

fn counts(diff: &TemplateDiff) -> Counts {
    let of = |c: Change| diff.resources.iter().filter(|r| r.change == c).count();
    Counts {
        added: of(Change::Added),
        modified: of(Change::Modified),
        removed: of(Change::Removed),
        replaced: diff
            .resources
            .iter()
            .filter(|r| r.replacement == Replacement::Replace)
            .count(),
        may_replace: diff
            .resources
            .iter()
            .filter(|r| r.replacement == Replacement::MayReplace)
            .count(),
        security: diff.security.len(),
        broadening: diff.is_broadening(),
    }
}

fn security_cell(c: &Counts) -> String {
    match (c.security, c.broadening) {
        (0, _) => "none".to_owned(),
        (n, true) => format!("⚠️ {n} (broadening)"),
        (n, false) => n.to_string(),
    }
}

/// `2 modified, 1 added · 1 security change (broadening) · +$3.20/month`
fn summary_line(c: &Counts, diff: &TemplateDiff, cost: Option<&str>) -> String {
    let mut parts = Vec::new();
    for (n, what) in [
        (c.added, "added"),
        (c.modified, "modified"),
        (c.removed, "removed"),
    ] {
        if n > 0 {
            parts.push(format!("{n} {what}"));
        }
    }
    let others = diff.parameters.len()
        + diff.outputs.len()
        + diff.conditions.len()
        + diff.mappings.len()
        + diff.other.len();
    if parts.is_empty() && others > 0 {
        parts.push(format!("{others} other"));
    }
    let mut line = parts.join(", ");
    if c.replaced > 0 {
        let _ = write!(line, " · **{} replaced**", c.replaced);
    }
    if c.may_replace > 0 {
        let _ = write!(line, " · {} may be replaced", c.may_replace);
    }
    if c.security > 0 {
        let s = if c.security == 1 { "" } else { "s" };
        let broad = if c.broadening { " (broadening)" } else { "" };
        let _ = write!(line, " · {} security change{s}{broad}", c.security);
    }
    if let Some(cost) = cost {
        let _ = write!(line, " · monthly {cost}");
    }
    line
}

fn entry_lines(out: &mut Vec<String>, title: &str, list: &[EntryDiff]) {
    if list.is_empty() {
        return;
    }
    out.push(format!("  {title}"));
    for e in list {
        let mark = mark(e.change);
        out.push(format!("{mark} {}", e.name));
        if e.change == Change::Modified {
            for c in &e.changes {
                let path = if c.path.is_empty() { "value" } else { &c.path };
                out.push(format!(
                    "{mark}     {path}: {} → {}",
                    short(c.old.as_ref()),
                    short(c.new.as_ref())
                ));
            }
        }
    }
}

/// A diff line's first character, as GitHub colours a `diff` block: `+` added (green),
/// `-` removed (red), `!` changed.
fn mark(change: Change) -> char {
    match change {
        Change::Added => '+',
        Change::Removed => '-',
        Change::Modified => '!',
    }
}

/// The lines of a stack's `diff` block.
fn detail_lines(diff: &TemplateDiff) -> Vec<String> {
    let mut out = Vec::new();
    if !diff.security.is_empty() {
        let broad = if diff.is_broadening() {
            " (broadening: review before deploying)"
        } else {
            ""
        };
        out.push(format!("  Security changes{broad}"));
        for s in &diff.security {
            let mark = if s.added { '+' } else { '-' };
            out.push(format!(
                "{mark} {} on {}: {}",
                kind_label(s.kind),
                s.resource,
                short(Some(&s.detail))
            ));
        }
    }
    if !diff.resources.is_empty() {
        out.push("  Resources".to_owned());
        for r in &diff.resources {
            let mark = mark(r.change);
            out.push(format!(
                "{mark} {} {}{}",
                r.resource_type,
                r.logical_id,
                replacement_label(r.replacement)
            ));
            for c in &r.changes {
                out.push(format!("{mark}     {}", change_text(c)));
            }
        }
    }
    entry_lines(&mut out, "Parameters", &diff.parameters);
    entry_lines(&mut out, "Outputs", &diff.outputs);
    entry_lines(&mut out, "Conditions", &diff.conditions);
    entry_lines(&mut out, "Mappings", &diff.mappings);
    entry_lines(&mut out, "Other", &diff.other);
    out
}

/// A fence longer than any run of backticks GitHub would otherwise close it on.
const FENCE: &str = "````";

/// Text appended while it fits in the limit (characters, as GitHub counts).
struct Comment {
    text: String,
    chars: usize,
    limit: usize,
}

impl Comment {
    fn fits(&self, s: &str) -> bool {
        self.chars + s.chars().count() <= self.limit
    }

    fn push(&mut self, s: &str) {
        self.chars += s.chars().count();
        self.text.push_str(s);
    }
}

/// One stack's collapsible section (and whether it was cut): whole or, when it does not
/// fit in `room` characters, with its last lines left out and said so.
fn section(s: &StackSection<'_>, room: usize) -> Option<(String, bool)> {
    let c = counts(s.diff);
    let head = format!(
        "<details>\n<summary><code>{}</code>: {}</summary>\n\n{FENCE}diff\n",
        s.stack,
        summary_line(&c, s.diff, s.cost.as_deref())
    );
    let mut lines = detail_lines(s.diff);
    if !s.cost_items.is_empty() {
        lines.push("  Monthly cost".to_owned());
        lines.extend(s.cost_items.iter().map(|i| format!("! {i}")));
    }
    let tail = format!("{FENCE}\n</details>\n\n");
    let whole = format!("{head}{}\n{tail}", lines.join("\n"));
    if whole.chars().count() <= room {
        return Some((whole, false));
    }
    let mut body = String::new();
    let mut used = head.chars().count() + tail.chars().count() + 80;
    for (i, line) in lines.iter().enumerate() {
        let n = line.chars().count() + 1;
        if used + n > room {
            let note = format!(
                "  … {} more lines left out to fit the comment; run rcdk diff {} for all of them\n",
                lines.len() - i,
                s.stack
            );
            if body.is_empty() {
                return None;
            }
            return Some((format!("{head}{body}{note}{tail}"), true));
        }
        used += n;
        body.push_str(line);
        body.push('\n');
    }
    Some((format!("{head}{body}{tail}"), false))
}

/// The comment for `stacks` (changed and unchanged), at most `limit` characters.
pub fn render_markdown(
    stacks: &[StackSection<'_>],
    total_cost: Option<&str>,
    limit: usize,
) -> String {
    let changed: Vec<&StackSection<'_>> = stacks.iter().filter(|s| !s.diff.is_empty()).collect();
    let unchanged: Vec<&str> = stacks
        .iter()
        .filter(|s| s.diff.is_empty())
        .map(|s| s.stack)
        .collect();
    // Room kept for the closing note, whatever is left out.
    const NOTE_ROOM: usize = 300;
    let mut out = Comment {
        text: String::new(),
        chars: 0,
        limit: limit.saturating_sub(NOTE_ROOM),
    };
    out.push(&format!(
        "{MARKER}\n### rcdk diff: {} of {} stacks changed\n\n",
        changed.len(),
        stacks.len()
    ));
    let mut left_out_rows = 0;
    if !changed.is_empty() {
        out.push("| stack | added | modified | removed | replaced | security | monthly cost |\n| --- | ---: | ---: | ---: | ---: | --- | --- |\n");
        for s in &changed {
            let c = counts(s.diff);
            let row = format!(
                "| `{}` | {} | {} | {} | {} | {} | {} |\n",
                s.stack,
                c.added,
                c.modified,
                c.removed,
                c.replaced,
                security_cell(&c),
                s.cost.as_deref().unwrap_or("not estimated")
            );
            if left_out_rows == 0 && out.fits(&row) {
                out.push(&row);
            } else {
                left_out_rows += 1;
            }
        }
        out.push("\n");
    }
    if let Some(total) = total_cost {
        out.push(&format!("Monthly cost, all stacks: {total}.\n\n"));
    }
    if !unchanged.is_empty() {
        let line = format!(
            "No differences: {}.\n\n",
            unchanged
                .iter()
                .map(|s| format!("`{s}`"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        if out.fits(&line) {
            out.push(&line);
        } else {
            out.push(&format!(
                "No differences in {} stacks.\n\n",
                unchanged.len()
            ));
        }
    }
    let (mut left_out, mut cut) = (0, None);
    for s in &changed {
        let room = out.limit - out.chars;
        match section(s, room).filter(|_| left_out == 0 && cut.is_none()) {
            Some((text, was_cut)) => {
                out.push(&text);
                if was_cut {
                    cut = Some(s.stack);
                }
            }
            None => left_out += 1,
        }
    }
    let mut text = out.text;
    let mut missing = Vec::new();
    if left_out_rows > 0 {
        missing.push(format!("{left_out_rows} summary rows"));
    }
    if let Some(stack) = cut {
        missing.push(format!("the end of {stack}'s details"));
    }
    if left_out > 0 {
        missing.push(format!("the details of {left_out} more stacks"));
    }
    if !missing.is_empty() {
        let _ = writeln!(
            text,
            "_Left out to fit GitHub's {limit}-character comment: {}. `rcdk diff` prints all of it._",
            missing.join(", ")
        );
    }
    text
}
