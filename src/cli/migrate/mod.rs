//! `rcdk migrate --from-path PATH | --from-stack NAME`: existing CloudFormation templates
//! (a file, a folder of them, or a deployed stack's) become a new rcdk app whose stacks
//! synthesize the templates they came from, as typed Rust.

mod accepted;
mod emit;
mod project;
mod rust;
mod shapes;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::Value as J;

use super::CliError;
use super::args::MigrateArgs;

/// One template to migrate.
pub struct Source {
    /// Where it came from (relative to `--from-path`, or `stack:NAME`).
    pub origin: String,
    /// The stack it becomes.
    pub stack: String,
    pub template: J,
}

#[derive(Serialize)]
struct StackReport {
    source: String,
    stack: String,
    resources: usize,
    kept_as_written: Vec<String>,
    /// `LogicalId: RULE: problem` of each IAM catalogue finding the code accepts as
    /// deployed (`posture::accept_as_deployed`).
    accepted_as_deployed: Vec<String>,
}

#[derive(Serialize)]
struct Refused {
    source: String,
    error: String,
}

#[derive(Serialize)]
struct Report {
    stacks: Vec<StackReport>,
    refused: Vec<Refused>,
}

/// A migrated stack: its module name and code.
pub struct StackModule {
    pub stack: String,
    pub module: String,
    pub code: String,
    pub template: J,
}

const EXTENSIONS: &[&str] = &["json", "yaml", "yml", "template"];

/// Every template file under `root` (recursively), in path order.
fn template_files(root: &Path) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    let mut dirs = vec![root.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        let entries = std::fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
            {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// A valid, unique CloudFormation stack name from a file's path: letters, digits and
/// `-`, starting with a letter, at most 128 characters.
fn stack_name(wanted: &str, taken: &mut BTreeSet<String>) -> String {
    let mut name = String::new();
    for c in wanted.chars() {
        if c.is_ascii_alphanumeric() {
            name.push(c);
        } else if !name.ends_with('-') && !name.is_empty() {
            name.push('-');
        }
    }
    let mut name = name.trim_matches('-').to_owned();
    if !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        name = format!("stack-{name}").trim_end_matches('-').to_owned();
    }
    name.truncate(120);
    let mut candidate = name.clone();
    let mut n = 2;
    while !taken.insert(candidate.to_ascii_lowercase()) {
        candidate = format!("{name}-{n}");
        n += 1;
    }
    candidate
}

/// The templates `--from-path` names, and the files that cannot be read.
fn read_path(
    path: &Path,
    stack_name_arg: Option<&str>,
) -> Result<(Vec<Source>, Vec<Refused>), CliError> {
    let config = |message: String| CliError::Config {
        path: path.to_path_buf(),
        message,
    };
    let (root, files) = if path.is_dir() {
        let files = template_files(path).map_err(config)?;
        if files.is_empty() {
            return Err(config(format!(
                "no template files ({}) in the folder",
                EXTENSIONS
                    .iter()
                    .map(|e| format!(".{e}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        if stack_name_arg.is_some() {
            return Err(config(
                "--stack-name names the stack of a single template; a folder's stacks are named after their files".into(),
            ));
        }
        (path.to_path_buf(), files)
    } else if path.is_file() {
        let root = path.parent().map(Path::to_path_buf).unwrap_or_default();
        (root, vec![path.to_path_buf()])
    } else {
        return Err(config("no such file or folder".into()));
    };
    let mut taken = BTreeSet::new();
    let mut sources = Vec::new();
    let mut refused = Vec::new();
    for file in files {
        let origin = file
            .strip_prefix(&root)
            .unwrap_or(&file)
            .display()
            .to_string();
        let parsed = std::fs::read_to_string(&file)
            .map_err(|e| e.to_string())
            .and_then(|text| crate::diff::parse_template(&text));
        match parsed {
            Ok(template) => {
                let wanted = match stack_name_arg {
                    Some(n) => n.to_owned(),
                    None => Path::new(&origin).with_extension("").display().to_string(),
                };
                sources.push(Source {
                    origin,
                    stack: stack_name(&wanted, &mut taken),
                    template,
                });
            }
            Err(error) => refused.push(Refused {
                source: origin,
                error: format!("{}: {error}", file.display()),
            }),
        }
    }
    Ok((sources, refused))
}

pub fn run(global: &super::args::GlobalArgs, args: &MigrateArgs) -> Result<(), CliError> {
    let (sources, mut refused) = match (&args.from_path, &args.from_stack) {
        (Some(path), None) => read_path(path, args.stack_name.as_deref())?,
        (None, Some(name)) => (vec![deployed::read(args, name)?], Vec::new()),
        _ => {
            return Err(CliError::Usage(
                "give the templates to migrate: --from-path FILE_OR_FOLDER or --from-stack NAME"
                    .into(),
            ));
        }
    };
    // `--output` is the global flag (the assembly folder of other verbs): here, the app's.
    let out_dir = global
        .output
        .clone()
        .unwrap_or_else(|| PathBuf::from(args.name.clone().unwrap_or_else(|| "migrated".into())));
    let name = match &args.name {
        Some(n) => n.clone(),
        None => out_dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "migrated".into()),
    };
    project::check_target(&out_dir, &name)?;
    let shapes = shapes::Shapes::load().map_err(CliError::Usage)?;
    let mut modules = Vec::new();
    let mut stacks = Vec::new();
    let mut services = BTreeSet::new();
    let mut module_names = rust::Idents::default();
    for source in sources {
        let findings = accepted::policy_findings(&source.stack, &source.template);
        let origin = source.origin.clone();
        match emit::stack_module(&shapes, &source.stack, &source.template, &findings, &origin) {
            Ok(generated) => {
                services.extend(generated.services.iter().cloned());
                stacks.push(StackReport {
                    source: source.origin.clone(),
                    stack: source.stack.clone(),
                    resources: generated.resources,
                    kept_as_written: generated.kept_as_written,
                    accepted_as_deployed: findings
                        .iter()
                        .flat_map(|(id, list)| list.iter().map(move |f| format!("{id}: {f}")))
                        .collect(),
                });
                modules.push(StackModule {
                    module: module_names.take(&source.stack, "stack"),
                    stack: source.stack,
                    code: generated.code,
                    template: source.template,
                });
            }
            Err(error) => refused.push(Refused {
                source: source.origin,
                error,
            }),
        }
    }
    if modules.is_empty() {
        let why: Vec<String> = refused
            .iter()
            .map(|r| format!("{}: {}", r.source, r.error))
            .collect();
        return Err(CliError::Usage(format!(
            "nothing to migrate: {}",
            why.join("; ")
        )));
    }
    let report = Report { stacks, refused };
    let report_json = serde_json::to_string_pretty(&report).unwrap_or_default() + "\n";
    let source = project::Source::detect(args.rcdk_path.as_deref(), args.rcdk_version.as_deref());
    project::write(&out_dir, &name, &source, &modules, &services, &report_json)?;
    let kept: usize = report.stacks.iter().map(|s| s.kept_as_written.len()).sum();
    let accepted: usize = report
        .stacks
        .iter()
        .map(|s| s.accepted_as_deployed.len())
        .sum();
    println!(
        "Migrated {} stack(s) into {} ({} resources; {} value(s) kept as written, {} IAM finding(s) accepted as deployed, {} template(s) refused: see migrate-report.json)\n  cd {} && rcdk synth",
        report.stacks.len(),
        out_dir.display(),
        report.stacks.iter().map(|s| s.resources).sum::<usize>(),
        kept,
        accepted,
        report.refused.len(),
        out_dir.display()
    );
    for r in &report.refused {
        eprintln!("refused {}: {}", r.source, r.error);
    }
    if report.refused.is_empty() {
        Ok(())
    } else {
        Err(CliError::Usage(format!(
            "{} template(s) could not be migrated (the others were); see migrate-report.json",
            report.refused.len()
        )))
    }
}

mod deployed;
