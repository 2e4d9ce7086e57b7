//! The cloud assembly: `manifest.json` plus one template per stack, in the AWS CDK's
//! format so tools that read CDK output can read ours.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value as J, json};

use super::graph::Dependencies;
use super::outdir::{OutdirState, StagingDir, check_output_dir};
use super::render::Context;
use super::template::StackTemplate;
use crate::error::{Error, Problem};
use crate::tree::{
    Annotation, AnnotationLevel, AssetPackaging, Environment, FileAsset, NodeKind, Tree, stack_tags,
};

/// Cloud assembly schema version written to `manifest.json` (read by the AWS CDK CLI 2.x).
pub const MANIFEST_VERSION: &str = "36.0.0";

/// One synthesized stack.
#[derive(Debug, Clone)]
pub struct StackArtifact {
    /// The CloudFormation stack name.
    pub stack_name: String,
    /// Construct path of the stack.
    pub display_name: String,
    /// Account and region.
    pub environment: Environment,
    /// The stack's description.
    pub description: Option<String>,
    /// The template.
    pub template: J,
    /// The template exactly as written to `<stack>.template.json`.
    pub template_json: String,
    /// Names of the stacks to deploy first.
    pub dependencies: Vec<String>,
    /// Whether deletion is refused.
    pub termination_protection: bool,
    /// Stack-level tags.
    pub tags: BTreeMap<String, String>,
    /// Non-error annotations by construct path.
    pub annotations: Vec<(String, Annotation)>,
    /// Files and folders deploy uploads first, listed in `<stack>.assets.json`.
    pub assets: Vec<FileAsset>,
    /// Deployed as a StackSet to these targets instead of as a stack.
    pub stack_set: Option<crate::tree::stack_set::StackSetProps>,
}

impl StackArtifact {
    /// `STACK.template.json`.
    pub fn template_file(&self) -> String {
        format!("{}.template.json", self.stack_name)
    }

    /// `<stack>.assets.json`, when the stack has assets.
    pub fn asset_manifest_file(&self) -> Option<String> {
        (!self.assets.is_empty()).then(|| format!("{}.assets.json", self.stack_name))
    }

    /// The asset manifest in the AWS CDK's format (`cdk-assets` reads it).
    pub fn asset_manifest(&self) -> J {
        let env = &self.environment;
        let destination_id = format!(
            "{}-{}",
            env.account.as_deref().unwrap_or("current_account"),
            env.region.as_deref().unwrap_or("current_region")
        );
        let files: Map<String, J> = self
            .assets
            .iter()
            .map(|a| {
                let mut destination = Map::new();
                destination.insert("bucketName".into(), json!(crate::tree::ASSET_BUCKET));
                destination.insert("objectKey".into(), json!(a.object_key()));
                if let Some(region) = &env.region {
                    destination.insert("region".into(), json!(region));
                }
                if let (Some(account), Some(region)) = (&env.account, &env.region) {
                    let role = crate::tree::bootstrap::FILE_PUBLISHING_ROLE;
                    let arn = crate::tree::bootstrap::role_arn(role, account, region);
                    destination.insert("assumeRoleArn".into(), json!(arn));
                }
                let packaging = match a.packaging {
                    AssetPackaging::ZipDirectory => "zip",
                    AssetPackaging::File => "file",
                };
                let entry = json!({
                    "displayName": a.construct_path,
                    "source": {"path": a.staged_name(), "packaging": packaging},
                    "destinations": {destination_id.clone(): destination},
                });
                (a.hash.clone(), entry)
            })
            .collect();
        json!({"version": MANIFEST_VERSION, "files": files, "dockerImages": {}})
    }

    /// How many resources the template has.
    pub fn resource_count(&self) -> usize {
        self.template
            .get("Resources")
            .and_then(J::as_object)
            .map_or(0, Map::len)
    }
}

/// Every stack of an app, dependencies first.
#[derive(Debug, Clone)]
pub struct CloudAssembly {
    /// The stacks, in dependency order.
    pub stacks: Vec<StackArtifact>,
    /// Lookups the context could not answer (`rcdk` performs them and synthesizes
    /// again); their values in the templates are placeholders.
    pub missing: Vec<crate::tree::lookup::MissingContext>,
}

pub(crate) fn artifact(
    tree: &Tree,
    ctx: &Context<'_>,
    stack: u32,
    t: StackTemplate,
    deps: &Dependencies,
) -> StackArtifact {
    let node = tree.node(stack);
    let NodeKind::Stack(data) = &node.kind else {
        unreachable!("artifact takes a stack")
    };
    let template = t.into_json();
    let template_json = to_pretty(&template);
    let mut dependencies: Vec<String> = deps
        .get(&stack)
        .into_iter()
        .flatten()
        .map(|&d| ctx.stack_name(d))
        .collect();
    dependencies.sort();
    let assets = data.assets.clone();
    let mut annotations = Vec::new();
    for index in std::iter::once(stack).chain(super::subtree(tree, stack)) {
        let n = tree.node(index);
        for a in n
            .annotations
            .iter()
            .filter(|a| a.level != AnnotationLevel::Error)
        {
            annotations.push((n.path.clone(), a.clone()));
        }
    }
    StackArtifact {
        stack_name: data.name.clone(),
        display_name: node.path.clone(),
        environment: data.env.clone(),
        description: data.description.clone(),
        template,
        template_json,
        dependencies,
        termination_protection: data.termination_protection,
        tags: stack_tags(tree, stack),
        annotations,
        assets,
        stack_set: data.stack_set.as_deref().cloned(),
    }
}

/// What a StackSet's template cannot hold: it deploys into other accounts, which have
/// neither this app's assets in their buckets nor its stacks' exports.
pub(crate) fn check_stack_set(artifact: &StackArtifact, problems: &mut Vec<Problem>) {
    if artifact.stack_set.is_none() {
        return;
    }
    let mut say = |message: String, fix: &str| {
        problems.push(Problem::new(
            artifact.display_name.clone(),
            message,
            Some(fix.to_owned()),
        ));
    };
    if !artifact.assets.is_empty() {
        say(
            "a StackSet's template cannot use file assets: they are uploaded to this account's bucket only".into(),
            "inline the code (Code::Inline) or point at an object every target account can read",
        );
    }
    let exports = artifact
        .template
        .get("Outputs")
        .and_then(J::as_object)
        .into_iter()
        .flatten()
        .any(|(_, o)| o.get("Export").is_some());
    if exports || artifact.template_json.contains("\"Fn::ImportValue\"") {
        say(
            "a StackSet's template cannot export values or import other stacks' exports: its instances live in other accounts".into(),
            "pass the value as a StackSet parameter (StackSetProps::parameters) or read it from SSM in each account",
        );
    }
}

/// Copies an asset into the assembly; a folder file by file, as the hash saw it.
fn copy_asset(asset: &FileAsset, to: &Path) -> Result<(), Error> {
    let failed = |message: String| Error::Asset {
        construct_path: asset.construct_path.clone(),
        message,
    };
    match asset.packaging {
        AssetPackaging::File => {
            fs::copy(&asset.source, to)
                .map_err(|e| failed(format!("cannot copy {}: {e}", asset.source.display())))?;
        }
        AssetPackaging::ZipDirectory => {
            for (relative, full) in crate::tree::folder_files(&asset.source).map_err(failed)? {
                let target = to.join(&relative);
                if let Some(parent) = target.parent() {
                    fs::create_dir_all(parent)
                        .map_err(|e| failed(format!("cannot create {}: {e}", parent.display())))?;
                }
                fs::copy(&full, &target)
                    .map_err(|e| failed(format!("cannot copy {}: {e}", full.display())))?;
            }
        }
    }
    Ok(())
}

fn to_pretty(v: &J) -> String {
    let mut s = serde_json::to_string_pretty(v).unwrap_or_default();
    s.push('\n');
    s
}

impl CloudAssembly {
    /// The stack named `name`.
    pub fn stack(&self, name: &str) -> Option<&StackArtifact> {
        self.stacks.iter().find(|s| s.stack_name == name)
    }

    /// Warnings of every stack, as `path: message`.
    pub fn warnings(&self) -> Vec<String> {
        self.stacks
            .iter()
            .flat_map(|s| s.annotations.iter())
            .filter(|(_, a)| a.level == AnnotationLevel::Warning)
            .map(|(path, a)| format!("{path}: {}", a.message))
            .collect()
    }

    /// `manifest.json`, in the AWS CDK cloud assembly format.
    pub fn manifest(&self) -> J {
        let mut artifacts = Map::new();
        for s in &self.stacks {
            let mut props = Map::new();
            props.insert("templateFile".into(), json!(s.template_file()));
            props.insert("stackName".into(), json!(s.stack_name));
            if s.termination_protection {
                props.insert("terminationProtection".into(), json!(true));
            }
            if !s.tags.is_empty() {
                props.insert("tags".into(), json!(s.tags));
            }
            if let Some(set) = &s.stack_set {
                props.insert(
                    "stackSet".into(),
                    serde_json::to_value(set).unwrap_or(J::Null),
                );
            }
            // A stack of a named account is deployed through that account's bootstrap
            // roles, in the AWS CDK's fields (its CLI reads them too).
            if let (Some(account), Some(region)) = (&s.environment.account, &s.environment.region) {
                use crate::tree::bootstrap::{
                    DEPLOY_ROLE, DEPLOY_ROLES_VERSION, EXECUTION_ROLE, LOOKUP_ROLE,
                    LOOKUP_ROLE_VERSION, role_arn,
                };
                props.insert(
                    "assumeRoleArn".into(),
                    json!(role_arn(DEPLOY_ROLE, account, region)),
                );
                props.insert(
                    "cloudFormationExecutionRoleArn".into(),
                    json!(role_arn(EXECUTION_ROLE, account, region)),
                );
                props.insert(
                    "requiresBootstrapStackVersion".into(),
                    json!(DEPLOY_ROLES_VERSION),
                );
                props.insert(
                    "lookupRole".into(),
                    json!({
                        "arn": role_arn(LOOKUP_ROLE, account, region),
                        "requiresBootstrapStackVersion": LOOKUP_ROLE_VERSION,
                    }),
                );
            }
            let mut a = Map::new();
            a.insert("type".into(), json!("aws:cloudformation:stack"));
            a.insert("environment".into(), json!(s.environment.uri()));
            a.insert("properties".into(), J::Object(props));
            let mut dependencies = s.dependencies.clone();
            if let Some(file) = s.asset_manifest_file() {
                let id = format!("{}.assets", s.stack_name);
                artifacts.insert(
                    id.clone(),
                    json!({"type": "cdk:asset-manifest", "properties": {"file": file}}),
                );
                dependencies.push(id);
            }
            if !dependencies.is_empty() {
                a.insert("dependencies".into(), json!(dependencies));
            }
            let mut metadata: BTreeMap<String, Vec<J>> = BTreeMap::new();
            for (path, ann) in &s.annotations {
                metadata
                    .entry(format!("/{path}"))
                    .or_default()
                    .push(json!({"type": ann.level.metadata_type(), "data": ann.message}));
            }
            if !metadata.is_empty() {
                a.insert("metadata".into(), json!(metadata));
            }
            a.insert("displayName".into(), json!(s.display_name));
            artifacts.insert(s.stack_name.clone(), J::Object(a));
        }
        let mut manifest = json!({"version": MANIFEST_VERSION, "artifacts": artifacts});
        if !self.missing.is_empty() {
            manifest["missing"] = serde_json::to_value(&self.missing).unwrap_or(J::Null);
        }
        manifest
    }

    /// The files of the assembly: (file name, contents).
    pub fn files(&self) -> Vec<(String, String)> {
        let mut files: Vec<(String, String)> = self
            .stacks
            .iter()
            .map(|s| (s.template_file(), s.template_json.clone()))
            .collect();
        for s in &self.stacks {
            if let Some(file) = s.asset_manifest_file() {
                files.push((file, to_pretty(&s.asset_manifest())));
            }
        }
        files.push(("manifest.json".into(), to_pretty(&self.manifest())));
        files
    }

    /// Writes the assembly to `dir`, replacing what was there only once every file is
    /// written: a failure leaves the previous assembly intact. `dir` must be absent, an
    /// empty folder or a cloud assembly ([`check_output_dir`]); anything else is refused.
    ///
    /// Files are staged in one hidden temporary folder beside `dir`, which the old
    /// assembly moves into before it is removed, so nothing is left behind on success or
    /// on error.
    pub fn write(&self, dir: &Path) -> Result<(), Error> {
        let err = |path: &Path| {
            let path = path.to_path_buf();
            move |source| Error::Write { path, source }
        };
        let state = check_output_dir(dir)?;
        let parent = match dir.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let name = dir
            .file_name()
            .map_or_else(|| "cdk.out".into(), |n| n.to_string_lossy().into_owned());
        fs::create_dir_all(&parent).map_err(err(&parent))?;
        // Removed on drop, with whatever it still holds, on every path out of here.
        let staging = StagingDir::new_in(&parent, &name).map_err(err(&parent))?;
        let fresh = staging.path().join("new");
        let previous = staging.path().join("previous");
        fs::create_dir(&fresh).map_err(err(&fresh))?;
        for (file, contents) in self.files() {
            let path = fresh.join(&file);
            fs::write(&path, contents).map_err(err(&path))?;
        }
        for asset in self.stacks.iter().flat_map(|s| &s.assets) {
            let staged = fresh.join(asset.staged_name());
            if !staged.exists() {
                copy_asset(asset, &staged)?;
            }
        }
        let had_previous = state != OutdirState::Absent;
        if had_previous {
            fs::rename(dir, &previous).map_err(err(dir))?;
        }
        if let Err(e) = fs::rename(&fresh, dir) {
            if had_previous {
                let _ = fs::rename(&previous, dir);
            }
            return Err(Error::Write {
                path: dir.to_path_buf(),
                source: e,
            });
        }
        staging.close().map_err(err(&parent))
    }
}
