//! Reads a cloud assembly (ours or the AWS CDK's) back from disk.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value as J;

use super::CliError;
use crate::deploy::AssetUpload;
use crate::tree::AssetPackaging;

/// One stack artifact of an assembly, with its template loaded.
#[derive(Debug, Clone)]
pub struct AssemblyStack {
    /// The artifact's id in the manifest.
    pub artifact_id: String,
    /// The CloudFormation stack name.
    pub stack_name: String,
    /// The construct path (or the id).
    pub display_name: String,
    /// `aws://ACCOUNT/REGION`
    pub environment: String,
    /// Where the template is.
    pub template_path: PathBuf,
    /// The template.
    pub template: J,
    /// The template file's size in bytes.
    pub template_bytes: usize,
    /// The artifact ids it depends on.
    pub dependencies: Vec<String>,
    /// Whether deletion is refused.
    pub termination_protection: bool,
    /// Stack-level tags.
    pub tags: BTreeMap<String, String>,
    /// (construct path, metadata type, message) of warnings and infos.
    pub messages: Vec<(String, String, String)>,
    /// File assets from the stack's asset manifest.
    pub assets: Vec<AssetUpload>,
    /// Assets rcdk cannot publish (container images, command-built files), described.
    pub unpublishable_assets: Vec<String>,
    /// The roles its manifest names for reaching its account (none: the caller's).
    pub roles: crate::deploy::StackRoles,
    /// Deployed as this StackSet instead of as a stack (`properties.stackSet`).
    pub stack_set: Option<crate::tree::stack_set::StackSetProps>,
}

impl AssemblyStack {
    /// How many resources the template has.
    pub fn resource_count(&self) -> usize {
        self.template
            .get("Resources")
            .and_then(J::as_object)
            .map_or(0, serde_json::Map::len)
    }
}

/// What a JSON value is, for an error that says what was found instead of a template.
pub fn json_kind(v: &J) -> &'static str {
    match v {
        J::Null => "null",
        J::Bool(_) => "a boolean",
        J::Number(_) => "a number",
        J::String(_) => "a string",
        J::Array(_) => "a list",
        J::Object(_) => "an object",
    }
}

fn bad(path: &Path, message: impl Into<String>) -> CliError {
    CliError::Assembly {
        path: path.to_path_buf(),
        message: message.into(),
    }
}

/// The stack artifacts of the assembly in `dir`, in manifest order. Another run may be
/// replacing the assembly (its folder moves out, the new one in): a file that went
/// missing meanwhile is read again from the start, so what is read is one assembly.
pub fn read_assembly(dir: &Path) -> Result<Vec<AssemblyStack>, CliError> {
    let mut attempt = 0;
    loop {
        match read_once(dir) {
            Err(Read::Missing(_)) if attempt < 20 => {
                attempt += 1;
                std::thread::sleep(std::time::Duration::from_millis(5 * attempt));
            }
            Err(Read::Missing(e) | Read::Bad(e)) => return Err(e),
            Ok(stacks) => return Ok(stacks),
        }
    }
}

/// Why a read failed: a file missing (perhaps mid-swap), or anything else.
enum Read {
    Missing(CliError),
    Bad(CliError),
}

impl From<CliError> for Read {
    fn from(e: CliError) -> Self {
        Read::Bad(e)
    }
}

fn read_text(path: &Path) -> Result<String, Read> {
    std::fs::read_to_string(path).map_err(|e| {
        let error = bad(path, e.to_string());
        if e.kind() == std::io::ErrorKind::NotFound {
            Read::Missing(error)
        } else {
            Read::Bad(error)
        }
    })
}

fn read_once(dir: &Path) -> Result<Vec<AssemblyStack>, Read> {
    let manifest_path = dir.join("manifest.json");
    let text = read_text(&manifest_path)?;
    let manifest: J = serde_json::from_str(&text)
        .map_err(|e| bad(&manifest_path, format!("invalid JSON: {e}")))?;
    let artifacts = manifest
        .get("artifacts")
        .and_then(J::as_object)
        .ok_or_else(|| bad(&manifest_path, "has no \"artifacts\" object"))?;
    let mut stacks = Vec::new();
    for (id, a) in artifacts {
        if a.get("type").and_then(J::as_str) != Some("aws:cloudformation:stack") {
            continue;
        }
        let props = a.get("properties").cloned().unwrap_or(J::Null);
        let file = props
            .get("templateFile")
            .and_then(J::as_str)
            .ok_or_else(|| {
                bad(
                    &manifest_path,
                    format!("artifact '{id}' has no properties.templateFile"),
                )
            })?;
        let template_path = dir.join(file);
        let body = read_text(&template_path)?;
        // The AWS CDK writes JSON; a hand-made assembly may hold YAML with short forms.
        let template: J = crate::yaml::parse_template(&body)
            .map_err(|e| bad(&template_path, format!("not a JSON or YAML template: {e}")))?;
        if !template.is_object() {
            return Err(Read::Bad(bad(
                &template_path,
                format!(
                    "artifact '{id}': not a CloudFormation template (a template is an object with a Resources section; this file holds {})",
                    json_kind(&template)
                ),
            )));
        }
        let strings = |v: Option<&J>| -> Vec<String> {
            v.and_then(J::as_array)
                .into_iter()
                .flatten()
                .filter_map(J::as_str)
                .map(str::to_owned)
                .collect()
        };
        let mut messages = Vec::new();
        if let Some(meta) = a.get("metadata").and_then(J::as_object) {
            for (path, entries) in meta {
                for e in entries.as_array().into_iter().flatten() {
                    let kind = e.get("type").and_then(J::as_str).unwrap_or_default();
                    // Messages for a person; the AWS CDK also records logical ids and
                    // stack tags here, which are not.
                    if !matches!(kind, "aws:cdk:info" | "aws:cdk:warning" | "aws:cdk:error") {
                        continue;
                    }
                    if let Some(data) = e.get("data").and_then(J::as_str) {
                        let path = path.trim_start_matches('/').to_owned();
                        messages.push((path, kind.to_owned(), data.to_owned()));
                    }
                }
            }
        }
        let dependencies = strings(a.get("dependencies"));
        let mut assets = Vec::new();
        let mut unpublishable_assets = Vec::new();
        let mut publishing_role = None;
        for d in &dependencies {
            let Some(m) = artifacts.get(d) else { continue };
            if m.get("type").and_then(J::as_str) != Some("cdk:asset-manifest") {
                continue;
            }
            let file = m
                .pointer("/properties/file")
                .and_then(J::as_str)
                .ok_or_else(|| {
                    bad(
                        &manifest_path,
                        format!("artifact '{d}' has no properties.file"),
                    )
                })?;
            let found =
                read_asset_manifest(&dir.join(file), dir, &mut assets, &mut unpublishable_assets)?;
            publishing_role = publishing_role.or(found);
        }
        let stack_set = match props.get("stackSet") {
            None => None,
            Some(v) => Some(serde_json::from_value(v.clone()).map_err(|e| {
                bad(
                    &manifest_path,
                    format!(
                        "artifact '{id}': properties.stackSet is not a StackSet rcdk knows: {e}"
                    ),
                )
            })?),
        };
        stacks.push(AssemblyStack {
            stack_set,
            artifact_id: id.clone(),
            stack_name: props
                .get("stackName")
                .and_then(J::as_str)
                .unwrap_or(id)
                .to_owned(),
            display_name: a
                .get("displayName")
                .and_then(J::as_str)
                .unwrap_or(id)
                .to_owned(),
            environment: a
                .get("environment")
                .and_then(J::as_str)
                .unwrap_or("aws://unknown-account/unknown-region")
                .to_owned(),
            template_path,
            template,
            template_bytes: body.len(),
            // Only stacks: asset manifests are published with their stack, not ordered.
            dependencies: dependencies
                .into_iter()
                .filter(|d| {
                    artifacts
                        .get(d)
                        .and_then(|a| a.get("type"))
                        .and_then(J::as_str)
                        != Some("cdk:asset-manifest")
                })
                .collect(),
            termination_protection: props
                .get("terminationProtection")
                .and_then(J::as_bool)
                .unwrap_or(false),
            tags: props
                .get("tags")
                .and_then(J::as_object)
                .map(|m| {
                    m.iter()
                        .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned())))
                        .collect()
                })
                .unwrap_or_default(),
            messages,
            assets,
            unpublishable_assets,
            roles: crate::deploy::StackRoles {
                deploy: text_field(&props, "assumeRoleArn"),
                execution: text_field(&props, "cloudFormationExecutionRoleArn"),
                publishing: publishing_role,
                lookup: props
                    .get("lookupRole")
                    .and_then(|r| r.get("arn"))
                    .and_then(J::as_str)
                    .map(str::to_owned),
                bootstrap_version: props
                    .get("requiresBootstrapStackVersion")
                    .and_then(J::as_u64),
                bootstrap_version_parameter: text_field(
                    &props,
                    "bootstrapStackVersionSsmParameter",
                ),
            },
        });
    }
    Ok(stacks)
}

fn text_field(props: &J, key: &str) -> Option<String> {
    props.get(key).and_then(J::as_str).map(str::to_owned)
}

/// The file assets of one asset manifest (rcdk's or the AWS CDK's); returns the role
/// its destinations are published with, if they name one.
fn read_asset_manifest(
    path: &Path,
    dir: &Path,
    assets: &mut Vec<AssetUpload>,
    unpublishable: &mut Vec<String>,
) -> Result<Option<String>, CliError> {
    let mut role = None;
    let text = std::fs::read_to_string(path).map_err(|e| bad(path, e.to_string()))?;
    let manifest: J =
        serde_json::from_str(&text).map_err(|e| bad(path, format!("invalid JSON: {e}")))?;
    let field = |hash: &str, what: &str| bad(path, format!("file asset '{hash}' has no {what}"));
    for (hash, entry) in manifest
        .get("files")
        .and_then(J::as_object)
        .into_iter()
        .flatten()
    {
        let source = entry.get("source").cloned().unwrap_or(J::Null);
        let Some(staged) = source.get("path").and_then(J::as_str) else {
            unpublishable.push(format!(
                "file asset '{hash}' is built by a command (source.executable); publish it with cdk-assets"
            ));
            continue;
        };
        let packaging = match source
            .get("packaging")
            .and_then(J::as_str)
            .unwrap_or("file")
        {
            "zip" => AssetPackaging::ZipDirectory,
            "file" => AssetPackaging::File,
            other => {
                return Err(bad(
                    path,
                    format!("file asset '{hash}' has packaging '{other}'; rcdk knows zip and file"),
                ));
            }
        };
        let destinations = entry
            .get("destinations")
            .and_then(J::as_object)
            .ok_or_else(|| field(hash, "destinations"))?;
        for d in destinations.values() {
            if role.is_none() {
                role = text_field(d, "assumeRoleArn");
            }
            assets.push(AssetUpload {
                hash: hash.clone(),
                source: dir.join(staged),
                packaging,
                bucket_name: d
                    .get("bucketName")
                    .and_then(J::as_str)
                    .ok_or_else(|| field(hash, "destinations.*.bucketName"))?
                    .to_owned(),
                object_key: d
                    .get("objectKey")
                    .and_then(J::as_str)
                    .ok_or_else(|| field(hash, "destinations.*.objectKey"))?
                    .to_owned(),
            });
        }
    }
    for hash in manifest
        .get("dockerImages")
        .and_then(J::as_object)
        .into_iter()
        .flatten()
        .map(|(k, _)| k)
    {
        unpublishable.push(format!(
            "container image asset '{hash}': rcdk does not build images; push it to a repository and use its URI"
        ));
    }
    Ok(role)
}
