//! The lookups an app's synthesis could not answer (the assembly's `missing` list),
//! performed with the caller's credentials (another account's through its bootstrapped
//! lookup role) and cached in `cdk.context.json`, as the AWS
//! CDK's CLI does; and `rcdk context`, which lists and resets the cache.

mod ami;
mod prefix_list;
mod vpc;

use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value as J};

use super::CliError;
use super::args::ContextArgs;
use crate::deploy::Sessions;

/// The project's cached lookups.
pub fn context_file(dir: &Path) -> PathBuf {
    dir.join("cdk.context.json")
}

/// The cached values (none when the file does not exist), read as synthesis reads them.
fn read(file: &Path) -> Result<Map<String, J>, CliError> {
    Ok(super::config::read_json_object(file)?.unwrap_or_default())
}

fn write(file: &Path, values: &Map<String, J>) -> Result<(), CliError> {
    let text = serde_json::to_string_pretty(values).unwrap_or_default() + "\n";
    std::fs::write(file, text).map_err(|e| CliError::Config {
        path: file.to_path_buf(),
        message: e.to_string(),
    })
}

/// The missing lookups of the assembly in `outdir` (its manifest's `missing` list).
pub fn missing(outdir: &Path) -> Vec<J> {
    std::fs::read_to_string(outdir.join("manifest.json"))
        .ok()
        .and_then(|t| serde_json::from_str::<J>(&t).ok())
        .and_then(|m| m.get("missing").and_then(J::as_array).cloned())
        .unwrap_or_default()
}

/// One lookup, in words: `SSM parameter /a/b in 123456789012/us-east-1`.
pub fn describe(m: &J) -> String {
    let p = &m["props"];
    let text = |k: &str| p.get(k).and_then(J::as_str).unwrap_or("?").to_owned();
    match m["provider"].as_str() {
        Some("ssm") => format!(
            "SSM parameter {} in {}/{}",
            text("parameterName"),
            text("account"),
            text("region")
        ),
        Some("hosted-zone") => format!("hosted zone {} in {}", text("domainName"), text("account")),
        Some("vpc-provider") => format!(
            "VPC {} in {}/{}",
            p["filter"],
            text("account"),
            text("region")
        ),
        Some("ami") => format!(
            "machine image {} of {} in {}/{}",
            p["filters"],
            p["owners"],
            text("account"),
            text("region")
        ),
        Some("prefix-list") => format!(
            "prefix list {} in {}/{}",
            text("prefixListName"),
            text("account"),
            text("region")
        ),
        other => format!("{} lookup {}", other.unwrap_or("?"), m["key"]),
    }
}

/// Performs each lookup and caches its answer in `cdk.context.json` under its key.
pub fn fill(dir: &Path, missing: &[J]) -> Result<(), CliError> {
    let runtime = super::runtime()?;
    let sessions = Sessions::quiet();
    let file = context_file(dir);
    let mut values = read(&file)?;
    let mut err = anstream::stderr();
    for m in missing {
        let key = m["key"].as_str().unwrap_or_default().to_owned();
        let value = runtime.block_on(lookup(&sessions, m, &key))?;
        let _ = writeln!(err, "looked up {}: cached in cdk.context.json", describe(m));
        values.insert(key, value);
    }
    runtime.shutdown_background();
    write(&file, &values)
}

async fn lookup(sessions: &Sessions, m: &J, key: &str) -> Result<J, CliError> {
    let p = &m["props"];
    let text = |k: &str| p.get(k).and_then(J::as_str).unwrap_or_default().to_owned();
    let (account, region) = (text("account"), text("region"));
    let fail = |message: String| CliError::Failed(format!("{}: {message}", describe(m)));
    // The caller's credentials in their own account; another account's lookup role
    // (bootstrapped, trusting the caller's) elsewhere.
    let cfn = sessions
        .for_lookup(
            &describe(m),
            &account,
            &region,
            p.get("lookupRoleArn").and_then(J::as_str),
        )
        .await?;
    match m["provider"].as_str() {
        Some("ssm") => {
            let name = text("parameterName");
            match crate::deploy::ssm_parameter(&cfn, "lookup", &name).await? {
                Some(v) => Ok(J::String(v)),
                None => Err(fail(
                    "no such parameter; create it, or fix the name the app looks up".into(),
                )),
            }
        }
        Some("hosted-zone") => {
            let domain = text("domainName");
            let public: Vec<crate::deploy::Zone> = crate::deploy::zones_named(&cfn, &domain)
                .await?
                .into_iter()
                .filter(|z| !z.private)
                .collect();
            match public.as_slice() {
                [zone] => Ok(serde_json::json!({"Id": zone.id, "Name": zone.name})),
                [] => Err(fail(
                    "no public hosted zone of that name in the account".into(),
                )),
                many => Err(fail(format!(
                    "{} public hosted zones have that name ({}); keep one, or name the zone with HostedZone::from_attributes",
                    many.len(),
                    many.iter()
                        .map(|z| z.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))),
            }
        }
        Some("vpc-provider") => vpc::lookup(&cfn, p).await?.map_err(fail),
        Some("ami") => ami::lookup(&cfn, p).await?.map_err(fail),
        Some("prefix-list") => prefix_list::lookup(&cfn, &text("prefixListName"))
            .await?
            .map_err(fail),
        other => Err(fail(format!(
            "rcdk has no {} context provider yet; put the value in cdk.context.json under \"{key}\"",
            other.unwrap_or("?")
        ))),
    }
}

/// `rcdk context`: the cached lookups, numbered; `--reset KEY|NUMBER` forgets one,
/// `--clear` all (each is looked up again at the next synthesis).
pub fn run(args: &ContextArgs) -> Result<(), CliError> {
    let dir = std::env::current_dir().map_err(|e| CliError::Usage(e.to_string()))?;
    let file = context_file(&dir);
    let mut values = read(&file)?;
    let mut out = anstream::stdout();
    if args.clear {
        let n = values.len();
        write(&file, &Map::new())?;
        writeln!(out, "cleared {n} cached value(s) from {}", file.display())
            .map_err(CliError::Output)?;
        return Ok(());
    }
    if let Some(which) = &args.reset {
        let key = match which.parse::<usize>() {
            Ok(n) if n >= 1 && n <= values.len() => values.keys().nth(n - 1).cloned(),
            _ => values.contains_key(which).then(|| which.clone()),
        };
        let Some(key) = key else {
            return Err(CliError::Usage(format!(
                "cdk.context.json has no key or number '{which}'; `rcdk context` lists them"
            )));
        };
        values.remove(&key);
        write(&file, &values)?;
        writeln!(
            out,
            "reset {key}: it is looked up again at the next synthesis"
        )
        .map_err(CliError::Output)?;
        return Ok(());
    }
    if args.json {
        writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&values).unwrap_or_default()
        )
        .map_err(CliError::Output)?;
        return Ok(());
    }
    if values.is_empty() {
        writeln!(
            out,
            "no cached lookups ({} does not hold any)",
            file.display()
        )
        .map_err(CliError::Output)?;
        return Ok(());
    }
    for (i, (k, v)) in values.iter().enumerate() {
        writeln!(out, "{:>3}  {k}  {v}", i + 1).map_err(CliError::Output)?;
    }
    writeln!(
        out,
        "rcdk context --reset NUMBER|KEY forgets one; --clear forgets all"
    )
    .map_err(CliError::Output)
}
