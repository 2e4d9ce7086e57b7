//! `rcdk import STACK [--resource-mapping FILE] [--record-resource-mapping FILE]`:
//! resources that exist outside CloudFormation come under the stack without being
//! recreated. Each new resource of the synthesized stack is named by its identifier
//! (from the mapping file, the AWS CDK's format; from the template where it sets it; or
//! asked on a terminal); the import change set holds only those.

use std::collections::BTreeMap;
use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;

use serde_json::Value as J;

use super::args::{GlobalArgs, ImportArgs};
use super::{CliError, select_stacks, synth};
use crate::deploy::{
    Import, ImportCandidate, Progress, Sessions, import_candidates, import_template, run_import,
    stack_state,
};

type Mapping = BTreeMap<String, BTreeMap<String, String>>;

/// `{"LogicalId": {"IdentifierProperty": "value"}}`.
fn read_mapping(file: &Path) -> Result<Mapping, CliError> {
    let bad = |message: String| CliError::Config {
        path: file.to_path_buf(),
        message,
    };
    let text = std::fs::read_to_string(file).map_err(|e| bad(e.to_string()))?;
    let json: J = serde_json::from_str(&text).map_err(|e| bad(format!("not JSON: {e}")))?;
    let mut out = Mapping::new();
    for (id, ident) in json
        .as_object()
        .ok_or_else(|| bad("expected {\"LogicalId\": {\"Property\": \"value\"}}".into()))?
    {
        let mut props = BTreeMap::new();
        for (k, v) in ident
            .as_object()
            .ok_or_else(|| bad(format!("{id}: expected {{\"Property\": \"value\"}}")))?
        {
            let v = match v {
                J::String(s) => s.clone(),
                J::Number(n) => n.to_string(),
                other => return Err(bad(format!("{id}.{k}: {other} is not a value"))),
            };
            props.insert(k.clone(), v);
        }
        out.insert(id.clone(), props);
    }
    Ok(out)
}

/// Asks for each identifier property on the terminal; an empty answer skips the resource.
fn ask(c: &ImportCandidate) -> Result<Option<BTreeMap<String, String>>, CliError> {
    let mut out = BTreeMap::new();
    let stdin = std::io::stdin();
    for prop in &c.identifier {
        if let Some(v) = c.known.get(prop) {
            out.insert(prop.clone(), v.clone());
            continue;
        }
        let mut err = std::io::stderr();
        write!(
            err,
            "{} ({}) {prop} (empty to skip): ",
            c.logical_id, c.resource_type
        )
        .map_err(CliError::Output)?;
        err.flush().map_err(CliError::Output)?;
        let mut line = String::new();
        stdin
            .lock()
            .read_line(&mut line)
            .map_err(CliError::Output)?;
        let answer = line.trim();
        if answer.is_empty() {
            return Ok(None);
        }
        out.insert(prop.clone(), answer.to_owned());
    }
    Ok(Some(out))
}

/// The identifier of each candidate: from the mapping file, else the template where it
/// sets the identifier (a bucket's name), else the terminal. With a mapping file, a
/// resource identified by neither is skipped; without one and no terminal, an error
/// names what is missing.
fn identify(
    candidates: &[ImportCandidate],
    mapping: Option<&Mapping>,
) -> Result<(Vec<Import>, Vec<String>), CliError> {
    if let Some(m) = mapping {
        for id in m.keys() {
            if !candidates.iter().any(|c| c.logical_id == *id) {
                return Err(CliError::Usage(format!(
                    "the resource mapping names {id}, which is not a new importable resource of the stack (new ones: {})",
                    names(candidates)
                )));
            }
        }
    }
    let interactive = mapping.is_none() && std::io::stdin().is_terminal();
    let mut imports = Vec::new();
    let mut skipped = Vec::new();
    let mut missing = Vec::new();
    for c in candidates {
        let complete =
            |ident: &BTreeMap<String, String>| c.identifier.iter().all(|p| ident.contains_key(p));
        let identifier = match mapping {
            Some(m) => match m.get(&c.logical_id) {
                Some(ident) if complete(ident) => Some(ident.clone()),
                Some(_) => {
                    return Err(CliError::Usage(format!(
                        "the resource mapping gives {} without all of its identifier ({})",
                        c.logical_id,
                        c.identifier.join(", ")
                    )));
                }
                None if complete(&c.known) => Some(c.known.clone()),
                None => None,
            },
            None if complete(&c.known) => Some(c.known.clone()),
            None if interactive => ask(c)?,
            None => {
                missing.push(format!(
                    "{} ({}) needs its {}",
                    c.logical_id,
                    c.resource_type,
                    c.identifier.join(", ")
                ));
                None
            }
        };
        match identifier {
            Some(identifier) => imports.push(Import {
                logical_id: c.logical_id.clone(),
                resource_type: c.resource_type.clone(),
                identifier,
            }),
            None => skipped.push(c.logical_id.clone()),
        }
    }
    if !missing.is_empty() {
        return Err(CliError::Usage(format!(
            "{}; give them in --resource-mapping FILE ({{\"LogicalId\": {{\"Property\": \"value\"}}}}) or run on a terminal to be asked",
            missing.join("; ")
        )));
    }
    Ok((imports, skipped))
}

fn names(candidates: &[ImportCandidate]) -> String {
    if candidates.is_empty() {
        return "none".into();
    }
    candidates
        .iter()
        .map(|c| c.logical_id.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn run(global: &GlobalArgs, args: &ImportArgs) -> Result<(), CliError> {
    let (_, stacks) = synth::synthesize(global)?;
    let selected = select_stacks(&stacks, std::slice::from_ref(&args.stack), false)?;
    let [stack] = selected.as_slice() else {
        return Err(CliError::Usage(format!(
            "'{}' selects {} stacks; an import is into one stack",
            args.stack,
            selected.len()
        )));
    };
    let mapping = args
        .resource_mapping
        .as_deref()
        .map(read_mapping)
        .transpose()?;
    let runtime = super::runtime()?;
    let sessions = Sessions::default();
    let name = stack.stack_name.clone();
    let (cfn, state, deployed) = runtime.block_on(async {
        let cfn = super::diff::reach(&sessions, stack).await?;
        let state = stack_state(&cfn, &name).await?;
        let deployed = match &state {
            Some(s) if !s.is_review() => crate::deploy::deployed_template(&cfn, &name).await?,
            _ => None,
        };
        Ok::<_, CliError>((cfn, state, deployed))
    })?;
    if let Some(s) = &state
        && s.is_in_progress()
    {
        return Err(CliError::Usage(format!(
            "{name} is {}; import once the operation on it has finished",
            s.status
        )));
    }
    let (candidates, not_importable) = import_candidates(&stack.template, deployed.as_ref());
    let mut out = anstream::stdout();
    for (id, why) in &not_importable {
        writeln!(out, "not imported: {id}: {why}").map_err(CliError::Output)?;
    }
    let (imports, skipped) = identify(&candidates, mapping.as_ref())?;
    for id in &skipped {
        writeln!(out, "skipped: {id} (no identifier given)").map_err(CliError::Output)?;
    }
    if let Some(file) = &args.record_resource_mapping {
        let recorded: BTreeMap<&str, &BTreeMap<String, String>> = imports
            .iter()
            .map(|i| (i.logical_id.as_str(), &i.identifier))
            .collect();
        let text = serde_json::to_string_pretty(&recorded).unwrap_or_default() + "\n";
        std::fs::write(file, text).map_err(|e| CliError::Config {
            path: file.clone(),
            message: e.to_string(),
        })?;
        writeln!(
            out,
            "recorded the identifiers of {} resource(s) in {}; import with --resource-mapping {}",
            imports.len(),
            file.display(),
            file.display()
        )
        .map_err(CliError::Output)?;
        return Ok(());
    }
    if imports.is_empty() {
        return Err(CliError::Usage(format!(
            "nothing to import into {name}: its new resources that can be imported are {}",
            names(&candidates)
        )));
    }
    let template =
        import_template(&stack.template, deployed.as_ref(), &imports).map_err(CliError::Failed)?;
    let progress = Progress::new();
    let result = runtime.block_on(run_import(
        &cfn,
        &name,
        &template,
        &imports,
        state.as_ref(),
        &progress,
    ));
    runtime.shutdown_background();
    result?;
    writeln!(
        out,
        "✅ {name}: imported {} resource(s) ({}) without recreating them; other changes wait for `rcdk deploy`",
        imports.len(),
        imports
            .iter()
            .map(|i| i.logical_id.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    )
    .map_err(CliError::Output)?;
    Ok(())
}
