//! Command-line definitions (clap), kept apart from what the commands do.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "rcdk",
    version,
    about = "Rust Cloud Development Kit: synthesize and ship CloudFormation"
)]
/// The command line, parsed.
pub struct Cli {
    /// Options every verb takes.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// The verb.
    #[command(subcommand)]
    pub command: Command,
}

/// Options every verb takes.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Command that runs the app (default: "app" in cdk.json), or a directory that
    /// already holds a cloud assembly.
    #[arg(long, global = true, value_name = "CMD")]
    pub app: Option<String>,
    /// Context value for the app (repeatable): -c env=prod.
    #[arg(short = 'c', long = "context", global = true, value_name = "KEY=VALUE")]
    pub context: Vec<String>,
    /// Where the cloud assembly is written (default: "output" in cdk.json, else cdk.out).
    #[arg(short = 'o', long, global = true, value_name = "DIR")]
    pub output: Option<PathBuf>,
    /// Fail on a lookup cdk.context.json does not answer instead of performing it (CI).
    #[arg(long, global = true)]
    pub no_lookups: bool,
}

/// The verbs.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// List the app's stacks with their dependencies.
    #[command(alias = "ls")]
    List(ListArgs),
    /// Synthesize the app into a cloud assembly and print a summary (or one template).
    Synth(SynthArgs),
    /// Compare synthesized templates with the deployed stacks (or a template file).
    Diff(DiffArgs),
    /// Deploy stacks through CloudFormation change sets, dependencies first.
    Deploy(DeployArgs),
    /// Detect drift: what changed outside CloudFormation in each deployed stack.
    Drift(DriftArgs),
    /// Finish a failed rollback (UPDATE_ROLLBACK_FAILED), skipping --orphan resources.
    Rollback(RollbackArgs),
    /// Delete file assets no deployed stack references any more (after --unused-days).
    Gc(GcArgs),
    /// Move and rename deployed resources to where the code puts them, without
    /// replacing them (CloudFormation stack refactoring).
    Refactor(RefactorArgs),
    /// Estimate each stack's monthly cost from its template, the price table and the
    /// usage assumptions.
    Cost(CostArgs),
    /// Report the security posture: every rule, every finding, every waiver with its
    /// reason and resource path (exit 1 on a finding).
    Posture(PostureArgs),
    /// Delete stacks, dependents first.
    Destroy(DestroyArgs),
    /// Create the deployment bucket (stack RcdkToolkit) that large templates are
    /// uploaded to.
    Bootstrap(BootstrapArgs),
    /// Create a new app project (Cargo.toml, cdk.json, a sample stack, a snapshot test).
    Init(InitArgs),
    /// Turn CloudFormation templates (files, a folder, or a deployed stack's) into a new
    /// app of typed rcdk code that synthesizes them as they are (-o DIR: where).
    Migrate(MigrateArgs),
    /// Bring resources that exist outside CloudFormation under a stack without
    /// recreating them (an IMPORT change set).
    Import(ImportArgs),
    /// List the lookups cached in cdk.context.json, or forget one (--reset) or all (--clear).
    Context(ContextArgs),
    /// Check the toolchain, the app, credentials, the endpoint and bootstrap per region.
    Doctor(DoctorArgs),
    /// Print a shell completion script: rcdk completions bash > ~/.local/share/bash-completion/completions/rcdk
    Completions(CompletionsArgs),
}

/// Arguments of `rcdk init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Folder of the new project (created if missing; must be empty); default: here.
    pub dir: Option<PathBuf>,
    /// Package name; default: the folder's name.
    #[arg(long)]
    pub name: Option<String>,
    /// Depend on the rcdk checkout at this path (default when rcdk was built from one).
    #[arg(long, value_name = "DIR", conflicts_with = "rcdk_version")]
    pub rcdk_path: Option<PathBuf>,
    /// Depend on this published version of rcdk (default otherwise: this binary's).
    #[arg(long, value_name = "VERSION")]
    pub rcdk_version: Option<String>,
}

/// Arguments of `rcdk context`.
#[derive(Debug, Args)]
pub struct ContextArgs {
    /// Forget this cached value (its key, or its number in the list).
    #[arg(long, value_name = "KEY|NUMBER", conflicts_with = "clear")]
    pub reset: Option<String>,
    /// Forget every cached value.
    #[arg(long)]
    pub clear: bool,
    /// The cached values as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `rcdk import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The stack to import into (deployed or not).
    pub stack: String,
    /// The identifiers of the resources to import: {"LogicalId": {"BucketName": "…"}}
    /// (the AWS CDK's format); resources it leaves out are imported only where the
    /// template sets their identifier.
    #[arg(long, value_name = "FILE")]
    pub resource_mapping: Option<PathBuf>,
    /// Write the identifiers (given or asked for) to FILE and stop, importing nothing.
    #[arg(long, value_name = "FILE")]
    pub record_resource_mapping: Option<PathBuf>,
}

/// Arguments of `rcdk migrate`.
#[derive(Debug, Args)]
pub struct MigrateArgs {
    /// A template (.json, .yaml, .yml, .template) or a folder: every template under it
    /// becomes a stack of the app.
    #[arg(long, value_name = "PATH", conflicts_with = "from_stack")]
    pub from_path: Option<PathBuf>,
    /// A deployed stack: its original template.
    #[arg(long, value_name = "NAME")]
    pub from_stack: Option<String>,
    /// The stack's name (one template; default: the file's or the deployed stack's name).
    #[arg(long, value_name = "NAME")]
    pub stack_name: Option<String>,
    /// Package name of the app (default: the output folder's name).
    #[arg(long)]
    pub name: Option<String>,
    /// Region of --from-stack (default: the AWS configuration's).
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,
    /// Depend on the rcdk checkout at this path (default when rcdk was built from one).
    #[arg(long, value_name = "DIR", conflicts_with = "rcdk_version")]
    pub rcdk_path: Option<PathBuf>,
    /// Depend on this published version of rcdk (default otherwise: this binary's).
    #[arg(long, value_name = "VERSION")]
    pub rcdk_version: Option<String>,
}

/// Arguments of `rcdk doctor`.
#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// Regions to check besides those of the last assembly.
    #[arg(long = "region", value_name = "REGION")]
    pub regions: Vec<String>,
    /// Only local checks: no credentials, endpoint or bootstrap look-ups.
    #[arg(long)]
    pub offline: bool,
    /// Remove the build directory rcdk shares between apps (~/.cache/rcdk/build), every
    /// toolchain's folder; the next synth of each app rebuilds its dependencies.
    #[arg(long)]
    pub clean_build_cache: bool,
}

/// Arguments of `rcdk completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// Arguments of `rcdk bootstrap`.
#[derive(Debug, Args)]
pub struct BootstrapArgs {
    /// Where to bootstrap: REGION or aws://ACCOUNT/REGION (the account must be the
    /// credentials'); default: the region of the AWS configuration chain.
    #[arg(value_name = "REGION | aws://ACCOUNT/REGION")]
    pub regions: Vec<String>,
    /// Take a region name rcdk does not know (one AWS opened after this release).
    #[arg(long)]
    pub unknown_region: bool,
    /// An account that may deploy here through the deploy and file-publishing roles
    /// (kept by later runs; repeat for several).
    #[arg(long, value_name = "ACCOUNT")]
    pub trust: Vec<String>,
    /// An account to trust no longer.
    #[arg(long, value_name = "ACCOUNT")]
    pub untrust: Vec<String>,
    /// A managed policy ARN of the role CloudFormation acts as (repeat for several;
    /// required with --trust; default without: AdministratorAccess; kept by later runs).
    #[arg(long, value_name = "ARN", alias = "cloudformation-execution-policies")]
    pub execution_policy: Vec<String>,
    /// The name of a managed policy that caps the execution role's permissions.
    #[arg(long, value_name = "NAME", alias = "custom-permissions-boundary")]
    pub permissions_boundary: Option<String>,
}

/// Arguments of `rcdk diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// Stack names or glob patterns (dev-*); default: all.
    pub stacks: Vec<String>,
    /// Compare with this template file (a golden template) instead of the deployed
    /// stack; needs exactly one stack.
    #[arg(long, value_name = "OLD.json")]
    pub template: Option<PathBuf>,
    /// Compare with the templates in this folder (golden files: `STACK.snap`,
    /// `STACK.template.json`, `STACK.json` or `STACK.yaml`; a stack without one is new)
    /// instead of the deployed stacks: a pull request's diff without AWS access.
    #[arg(long, value_name = "DIR", conflicts_with = "template")]
    pub snapshots: Option<PathBuf>,
    /// The new side from templates instead of the app: a file, or a folder whose
    /// templates are stacks named after their files (compared with --template OLD, with
    /// the same names in --snapshots DIR, or with the deployed stacks of those names).
    #[arg(long, value_name = "PATH")]
    pub template_new: Option<PathBuf>,
    /// text for a terminal, json for tools, markdown for a pull-request comment (fits
    /// GitHub's 65,536 characters).
    #[arg(long, value_enum, default_value = "text")]
    pub format: ReportFormat,
    /// Same as --format json.
    #[arg(long, conflicts_with = "format")]
    pub json: bool,
    /// Exit with 1 when there are differences.
    #[arg(long)]
    pub fail: bool,
}

/// How a report is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    /// For a terminal.
    Text,
    /// For programs.
    Json,
    /// For a pull-request comment or a job summary.
    Markdown,
}

impl ReportFormat {
    /// The format a verb with both `--format` and `--json` prints in (`--json` wins; clap
    /// refuses both given).
    pub fn or_json(self, json: bool) -> ReportFormat {
        if json { ReportFormat::Json } else { self }
    }
}

/// Arguments of `rcdk cost`.
#[derive(Debug, Args)]
pub struct CostArgs {
    /// Stack names or glob patterns (prod-*); default: all.
    pub stacks: Vec<String>,
    /// text for a terminal, json for tools, markdown for a pull request.
    #[arg(long, value_enum, default_value = "text")]
    pub format: ReportFormat,
    /// Price these templates instead of the app's (a file, or every template under a
    /// folder; each is a stack named after its file). Repeatable.
    #[arg(long = "template", value_name = "PATH")]
    pub templates: Vec<PathBuf>,
    /// The region whose prices apply to --template stacks (default: us-east-1); with
    /// --refresh-prices, a region to refresh (repeatable; default: the table's).
    #[arg(long)]
    pub region: Vec<String>,
    /// Read the AWS Price List offer files and write the prices rcdk maps (RDS and
    /// ElastiCache: every class, with reserved-instance prices) into cdk.prices.json,
    /// which estimates in this folder then use.
    #[arg(long, conflicts_with_all = ["templates", "commitments"])]
    pub refresh_prices: bool,
    /// Where --refresh-prices reads the offer files: the price list's address (default
    /// `https://pricing.us-east-1.amazonaws.com`) or a folder laid out like it
    /// (`OFFER/REGION/index.json`).
    #[arg(long, value_name = "URL|DIR", requires = "refresh_prices")]
    pub offers: Option<String>,
    /// Also show what one- and three-year reserved instances would cost for each steady
    /// database and cache node, and the monthly saving (from cdk.prices.json).
    #[arg(long)]
    pub commitments: bool,
}

/// Arguments of `rcdk drift`.
#[derive(Debug, Args)]
pub struct DriftArgs {
    /// Stack names or glob patterns (prod-*); default: all.
    pub stacks: Vec<String>,
    /// text for a terminal, json for tools, markdown for a job summary.
    #[arg(long, value_enum, default_value = "text")]
    pub format: ReportFormat,
    /// Same as --format json.
    #[arg(long, conflicts_with = "format")]
    pub json: bool,
    /// Exit with 1 when a resource was modified or deleted outside CloudFormation.
    #[arg(long)]
    pub fail: bool,
}

/// Arguments of `rcdk posture`.
#[derive(Debug, Args)]
pub struct PostureArgs {
    /// Stack names or glob patterns (prod-*); default: all.
    pub stacks: Vec<String>,
    /// text for a terminal, json for tools, markdown for a pull request.
    #[arg(long, value_enum, default_value = "text")]
    pub format: ReportFormat,
    /// Check these templates instead of the app (a file, or every template under a
    /// folder; JSON or YAML; each is a stack named after its file). Repeatable.
    #[arg(long = "template", value_name = "PATH")]
    pub templates: Vec<PathBuf>,
}

/// Arguments of `rcdk deploy`.
#[derive(Debug, Args)]
pub struct DeployArgs {
    /// Stack names or glob patterns (dev-*); their dependencies are included.
    pub stacks: Vec<String>,
    /// Deploy every stack of the app.
    #[arg(long, conflicts_with = "stacks")]
    pub all: bool,
    /// Only the named stacks, not their dependencies.
    #[arg(long)]
    pub exclusively: bool,
    /// Stacks deployed at the same time (independent ones only).
    #[arg(long, default_value_t = 4)]
    pub concurrency: usize,
    /// When to ask before executing a change set.
    #[arg(long, value_enum, default_value = "broadening")]
    pub require_approval: crate::deploy::Approval,
    /// Allow replacing or deleting this stateful resource (repeatable).
    #[arg(long, value_name = "LOGICAL_ID")]
    pub allow_replace: Vec<String>,
    /// Allow replacing or deleting any stateful resource.
    #[arg(long)]
    pub allow_replace_all: bool,
    /// Create the change sets and stop; print their names for review.
    #[arg(long)]
    pub no_execute: bool,
    /// Stack parameter (repeatable): STACK:KEY=VALUE.
    #[arg(long = "parameters", value_name = "STACK:KEY=VALUE")]
    pub parameters: Vec<String>,
    /// IAM role CloudFormation assumes for the deployment.
    #[arg(long, value_name = "ARN")]
    pub role_arn: Option<String>,
    /// Write every deployed stack's outputs to this JSON file.
    #[arg(long, value_name = "FILE")]
    pub outputs_file: Option<PathBuf>,
    /// Refuse a stack another operation is running on instead of waiting for it.
    #[arg(long)]
    pub no_wait: bool,
}

/// Arguments of `rcdk gc`.
#[derive(Debug, Args)]
pub struct GcArgs {
    /// Where: REGION or aws://ACCOUNT/REGION (the account must be the credentials');
    /// default: the region of the AWS configuration chain.
    #[arg(value_name = "REGION | aws://ACCOUNT/REGION")]
    pub regions: Vec<String>,
    /// List what would be deleted (with sizes) and change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Days an asset stays unused before it is deleted.
    #[arg(long, value_name = "N", default_value_t = 30)]
    pub unused_days: u32,
    /// Take a region name rcdk does not know (one AWS opened after this release).
    #[arg(long)]
    pub unknown_region: bool,
}

/// Arguments of `rcdk refactor`.
#[derive(Debug, Args)]
pub struct RefactorArgs {
    /// Stack names or glob patterns whose resources may move (one environment);
    /// default: all.
    pub stacks: Vec<String>,
    /// Show the moves and change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// The moves, instead of detecting them: a JSON object of "STACK.LOGICAL_ID":
    /// "STACK.LOGICAL_ID" (or the AWS CDK's override file, whose environments'
    /// "resources" are such objects).
    #[arg(long, value_name = "FILE")]
    pub mapping: Option<PathBuf>,
}

/// Arguments of `rcdk rollback`.
#[derive(Debug, Args)]
pub struct RollbackArgs {
    /// The stack (a name or a pattern selecting one stack of the app).
    pub stack: String,
    /// Skip this resource, whose rollback failed, so the rest can roll back; check it
    /// by hand first (repeatable).
    #[arg(long, value_name = "LOGICAL_ID")]
    pub orphan: Vec<String>,
}

/// Arguments of `rcdk destroy`.
#[derive(Debug, Args)]
pub struct DestroyArgs {
    /// Stack names or glob patterns; the stacks that depend on them go too.
    pub stacks: Vec<String>,
    /// Destroy every stack of the app.
    #[arg(long, conflicts_with = "stacks")]
    pub all: bool,
    /// Only the named stacks, not their dependents.
    #[arg(long)]
    pub exclusively: bool,
    /// Do not ask for confirmation.
    #[arg(short, long)]
    pub force: bool,
}

/// Arguments of `rcdk list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Stack names or glob patterns (dev-*); default: all.
    pub stacks: Vec<String>,
    /// Print JSON (name, environment, dependencies) instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `rcdk synth`.
#[derive(Debug, Args)]
pub struct SynthArgs {
    /// Stack names or glob patterns (dev-*); default: all. With exactly one stack
    /// selected, its template is printed to stdout.
    pub stacks: Vec<String>,
    /// Print the template as JSON.
    #[arg(long, conflicts_with = "yaml")]
    pub json: bool,
    /// Print the template as YAML (the default).
    #[arg(long)]
    pub yaml: bool,
    /// Do not print the template, only the summary.
    #[arg(short, long)]
    pub quiet: bool,
}
