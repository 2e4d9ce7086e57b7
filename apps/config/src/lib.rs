//! Per-environment settings, from `apps/config/environments.yaml` (or the context key
//! `environments`, or the file named by the context key `config`). A JSON Schema of the
//! file is generated from these types and committed, so editors validate it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rcdk::App;
use rcdk_constructs::network::cidr::Ipv4Cidr;
use schemars::JsonSchema;
use serde::Deserialize;

/// Where the settings live, relative to the repository root.
pub const CONFIG_FILE: &str = "apps/config/environments.yaml";
/// The committed JSON Schema of [`Config`].
pub const SCHEMA_FILE: &str = "apps/config/environments.schema.json";

/// The reference app's folder (`apps/`), for the files beside its code: neither the
/// library's nor the binary's manifest folder is it, so both ask here.
pub fn apps_dir() -> &'static Path {
    let config = Path::new(env!("CARGO_MANIFEST_DIR"));
    config.parent().unwrap_or(config)
}

/// The reference app's settings.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The `Project` tag.
    pub project: String,
    /// The `Service` tag.
    pub service: String,
    /// Environments by name, in deployment order (dev, staging, prod).
    pub environments: BTreeMap<String, EnvironmentConfig>,
    /// Deployment order of the environments; every key of `environments` once.
    pub order: Vec<String>,
    /// Delivery from GitHub Actions: when set, an `identity-{account}` stack per account
    /// holds the OIDC provider and each environment's deploy and execution roles.
    #[serde(default)]
    pub delivery: Option<DeliveryConfig>,
    /// The public name of the service: for each standby (`dr_of`), a `{primary}-dns`
    /// stack fails `record.zone_name` over from the primary's load balancer to the
    /// standby's when the primary's health check fails.
    #[serde(default)]
    pub dns: Option<DnsConfig>,
    /// The account security baseline: a `baseline-{account}-{region}` stack for each
    /// account and region the environments use, with GuardDuty and its high-severity
    /// findings; the account's first region (in `order`) also holds the multi-region
    /// CloudTrail and the CIS AWS Foundations alarms.
    #[serde(default)]
    pub baseline: Option<BaselineConfig>,
    /// The AWS Organization the environments live in. When set: every environment has
    /// its own account (a standby its primary's); the images, the pipeline's OIDC
    /// provider and roles live in `shared_services_account`; the baseline is a StackSet
    /// from `management_account` to `workload_ous`, the organization trail and its CIS
    /// alarms are in `security_account`, and guardrails are service control policies.
    #[serde(default)]
    pub organization: Option<OrganizationConfig>,
}

/// The accounts of an organisation besides the environments'.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganizationConfig {
    /// The organisation's management account: the baseline StackSet's administrator and
    /// where service control policies are made.
    pub management_account: String,
    /// The account of the pipeline (GitHub's OIDC provider and the roles its jobs
    /// assume) and of the images every environment pulls.
    pub shared_services_account: String,
    /// The account that keeps the organization trail (its delegated administrator) and
    /// receives the CIS alarms.
    pub security_account: String,
    /// The organizational units (`ou-…`) of the environments' accounts: the baseline
    /// StackSet deploys to every account in them, and the guardrails apply to them.
    pub workload_ous: Vec<String>,
}

impl OrganizationConfig {
    /// The organisation's own accounts, by role, for messages.
    pub fn roles(&self) -> [(&'static str, &str); 3] {
        [
            ("management_account", self.management_account.as_str()),
            (
                "shared_services_account",
                self.shared_services_account.as_str(),
            ),
            ("security_account", self.security_account.as_str()),
        ]
    }
}

/// Who hears of security events, and how long the trail is kept.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BaselineConfig {
    /// Addresses subscribed to the security alarm topic of each baseline stack.
    pub emails: Vec<String>,
    /// Days the trail's files and log events are kept (one of CloudWatch Logs'
    /// periods). Default: 365.
    #[serde(default = "default_trail_retention_days")]
    pub trail_retention_days: u32,
}

fn default_trail_retention_days() -> u32 {
    365
}

/// The hosted zone and record the users reach the service by.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DnsConfig {
    /// The Route 53 hosted zone id (`Z…`).
    pub zone_id: String,
    /// Its domain name, e.g. `example.com`.
    pub zone_name: String,
    /// The record within the zone, e.g. `app` (for app.example.com).
    pub record: String,
    /// The path the health check requests over HTTPS. Default: `/health`.
    #[serde(default = "default_health_path")]
    pub health_path: String,
}

fn default_health_path() -> String {
    "/health".into()
}

impl Config {
    /// The environments in deployment order (`order`).
    pub fn in_order(&self) -> impl Iterator<Item = &EnvironmentConfig> {
        self.order.iter().filter_map(|n| self.environments.get(n))
    }

    /// The environments' regions, in the order they first appear.
    pub fn regions(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for env in self.in_order() {
            if !out.contains(&env.region.as_str()) {
                out.push(&env.region);
            }
        }
        out
    }

    /// The regions of the standbys of `env` (`dr_of: env`), in name order.
    pub fn standby_regions(&self, env: &str) -> Vec<String> {
        self.environments
            .values()
            .filter(|e| e.dr_of.as_deref() == Some(env))
            .map(|e| e.region.clone())
            .collect()
    }

    /// The first standby of `env` (by name), with its settings.
    pub fn standby_of(&self, env: &str) -> Option<(&str, &EnvironmentConfig)> {
        self.environments
            .iter()
            .find(|(_, e)| e.dr_of.as_deref() == Some(env))
            .map(|(n, e)| (n.as_str(), e))
    }
}

/// Where the deploying workflows run.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeliveryConfig {
    /// `OWNER/NAME` of the GitHub repository whose workflows deploy. Each environment
    /// deploys from the GitHub environment of the same name (`environment:prod`), which
    /// can require reviewers.
    pub repository: String,
}

/// NAT gateways for the private subnets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Nat {
    /// One NAT gateway shared by every AZ.
    Single,
    /// One NAT gateway per AZ (no cross-AZ dependency).
    PerAz,
}

/// One environment.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EnvironmentConfig {
    /// 12-digit AWS account id.
    pub account: String,
    /// AWS region, e.g. `us-east-1`.
    pub region: String,
    /// Availability zones by name (no lookup needed); their count is the AZ count.
    pub availability_zones: Vec<String>,
    /// VPC CIDR block, e.g. `10.10.0.0/16`.
    pub cidr: String,
    pub nat: Nat,
    /// `CostCode` tag.
    pub cost_code: String,
    /// Days to keep logs (a value CloudWatch Logs accepts: 1, 3, 5, 7, 14, 30, 60, 90, …).
    pub log_retention_days: u32,
    /// ACM certificate of the HTTPS listener.
    pub certificate_arn: String,
    /// If not empty, only these countries (ISO 3166 alpha-2) may reach the site.
    #[serde(default)]
    pub allowed_countries: Vec<String>,
    /// Countries (ISO 3166 alpha-2) that are blocked.
    #[serde(default)]
    pub blocked_countries: Vec<String>,
    /// Trace the web and worker services to X-Ray, sampling this percentage of requests
    /// (beyond one a second); unset: no tracing.
    #[serde(default)]
    pub tracing_percent: Option<f64>,
    pub database: DatabaseConfig,
    pub service_tier: ServiceConfig,
    pub workers: WorkersConfig,
    pub redis: RedisConfig,
    pub alarms: AlarmConfig,
    /// Monthly cost budget in USD: notifies at 80 % actual and 100 % forecast spend of
    /// the resources tagged with this environment's cost code.
    pub budget_usd: f64,
    /// Usage the cost estimate assumes (`rcdk cost`); unset fields keep the defaults.
    #[serde(default)]
    pub usage: UsageConfig,
    /// Whether stateful resources are protected from deletion (DB, load balancer).
    pub deletion_protection: bool,
    /// This environment is the warm standby of another one, in another region: its
    /// database is a cross-region read replica of that environment's (`database` then
    /// sizes the replica; backups and storage follow the source), and DNS fails over
    /// to it (see `dns`).
    #[serde(default)]
    pub dr_of: Option<String>,
    /// AWS Backup of the database: a locked vault, daily (and monthly) backups, copies
    /// to the standby's region, restore tests. Unset: the instance's automated backups
    /// only (a disposable environment).
    #[serde(default)]
    pub backup: Option<BackupConfig>,
    /// The web tier calls the workers' internal API by name (`http://worker-api:8080`)
    /// through ECS Service Connect (namespace `{env}.internal`). Unset: no internal API.
    #[serde(default)]
    pub service_connect: Option<ServiceConnectConfig>,
}

/// ECS Service Connect between the environment's services.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceConnectConfig {
    /// Encrypt the traffic between the services' proxies with TLS, from a private CA
    /// (AWS Private CA in short-lived certificate mode: $50 a month).
    #[serde(default)]
    pub tls: bool,
    /// Seconds a call to the workers' API may take before it fails. Default: 15.
    #[serde(default = "default_request_timeout")]
    pub request_timeout_seconds: u32,
}

fn default_request_timeout() -> u32 {
    15
}

/// AWS Backup of an environment's database.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BackupConfig {
    /// Days the daily backups (05:00 UTC) are kept.
    pub daily_days: u32,
    /// Days the monthly backups (the 1st) are kept; unset: none.
    #[serde(default)]
    pub monthly_days: Option<u32>,
    /// The vault lock: `governance` (removable by an administrator) or `compliance`
    /// (permanent three days after the deploy that sets it).
    pub lock: LockMode,
    /// Days the copies of the daily backups are kept in the vault of the environment's
    /// standby (the environment whose `dr_of` names this one); unset: no copies.
    #[serde(default)]
    pub copy_days: Option<u32>,
    /// Every Saturday, restore the latest daily backup into an isolated database, keep
    /// it two hours, delete it; a failed restore notifies the alarm topic.
    #[serde(default)]
    pub restore_tests: bool,
}

/// A vault lock's mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum LockMode {
    /// Enforced, but an administrator with the permission can remove it.
    Governance,
    /// Nobody can remove it or delete a backup early, three days after it is set.
    Compliance,
}

/// The shortest retention a locked vault admits: a week, so that nobody keeps less.
pub const BACKUP_LOCK_MIN_DAYS: u32 = 7;

impl BackupConfig {
    /// The longest retention the environment's jobs ask for (the lock's maximum).
    pub fn longest_days(&self) -> u32 {
        [Some(self.daily_days), self.monthly_days, self.copy_days]
            .into_iter()
            .flatten()
            .max()
            .unwrap_or(self.daily_days)
    }
}

/// The PostgreSQL database.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DatabaseConfig {
    /// RDS instance class, e.g. `db.t4g.medium`.
    pub instance_class: String,
    pub multi_az: bool,
    /// Days of automated backups, 1 to 35.
    pub backup_days: u32,
    /// Storage at creation, GiB.
    pub allocated_storage_gb: u32,
    /// Storage autoscaling ceiling, GiB.
    pub max_storage_gb: u32,
    /// Services connect through an RDS Proxy (pooled connections, IAM sign-in, TLS).
    #[serde(default)]
    pub proxy: bool,
}

/// The Fargate web service.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceConfig {
    /// Container image in this account's ECR: `repository:tag`.
    pub image: String,
    /// CPU units: 256, 512, 1024, 2048, 4096, 8192 or 16384.
    pub cpu: u32,
    /// Memory in MiB, valid for the CPU size.
    pub memory_mib: u32,
    /// The fewest tasks autoscaling keeps running. The scaling governs the count: the
    /// template writes no desired count, so a deploy never resets a scaled-out service.
    pub min_tasks: u32,
    pub max_tasks: u32,
    /// Target average CPU utilization for autoscaling, percent.
    pub target_cpu_percent: f64,
    /// Requests per task per minute for autoscaling.
    pub target_requests_per_task: u32,
    /// Requests per IP per five minutes before WAF blocks it.
    pub rate_limit_per_ip: u32,
    /// Where the web service runs. Default: fargate.
    #[serde(default)]
    pub runs_on: Platform,
    /// The instances, when `runs_on: ec2`.
    #[serde(default)]
    pub ec2: Option<Ec2Config>,
}

/// What runs a service's tasks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Platform {
    /// Fargate: no instances to manage; priced per task.
    #[default]
    Fargate,
    /// An Auto Scaling group of ECS-optimized instances behind a capacity provider:
    /// cheaper for steady load, with spot for more; tasks in bridge mode.
    Ec2,
}

/// The EC2 capacity of a service.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Ec2Config {
    /// Instance types, all Graviton (arm64) or all x86, e.g. [m7g.large, c7g.large].
    pub instance_types: Vec<String>,
    pub min_instances: u32,
    pub max_instances: u32,
    /// Instances always on demand. Default: 0.
    #[serde(default)]
    pub on_demand_base: u32,
    /// Percent of the instances above the base that are spot, 0 to 100. Default: 0.
    #[serde(default)]
    pub spot_percent: u32,
}

/// The background workers: a jobs queue with a dead-letter queue, the Fargate service
/// that consumes it, and two schedules.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkersConfig {
    /// Container image of the worker, in this environment's registry: `repository:tag`.
    pub image: String,
    /// CPU units: 256, 512, 1024, 2048, 4096, 8192 or 16384.
    pub cpu: u32,
    /// Memory in MiB, valid for the CPU size.
    pub memory_mib: u32,
    pub min_tasks: u32,
    pub max_tasks: u32,
    /// Messages waiting per running task that scaling keeps to (what one task works off
    /// within the delay you accept).
    pub backlog_per_task: u32,
    /// Longest a job may run, seconds: the queue hides a received job this long (the
    /// visibility timeout) before another worker may take it.
    pub job_timeout_seconds: u32,
    /// Receives before a job goes to the dead-letter queue.
    pub max_receive_count: u32,
    /// Where the worker service runs. Default: fargate.
    #[serde(default)]
    pub runs_on: Platform,
    /// The instances, when `runs_on: ec2`.
    #[serde(default)]
    pub ec2: Option<Ec2Config>,
}

/// What the cost estimate assumes beyond the templates; each unset field keeps
/// `rcdk::cost::Usage`'s default (shown by `rcdk cost`).
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UsageConfig {
    /// GB a month each NAT gateway processes (default 100).
    pub nat_gb_per_gateway: Option<f64>,
    /// Average load balancer capacity units (default 1).
    pub alb_lcu: Option<f64>,
    /// Million requests a month the web ACL inspects (default 10).
    pub waf_million_requests: Option<f64>,
    /// GB of logs each log group takes in a month (default 1).
    pub log_gb_per_group: Option<f64>,
    /// Minutes each scheduled task run takes (default 10).
    pub scheduled_task_minutes: Option<f64>,
    /// GB a month the load balancer sends out to the internet (default 50).
    pub data_out_gb: Option<f64>,
    /// GB of recovery points the backup plan keeps (default 50).
    pub backup_gb: Option<f64>,
    /// GB a month copied to the standby's vault (default 30).
    pub backup_copy_gb: Option<f64>,
}

impl UsageConfig {
    /// The assumptions, defaults filled in.
    pub fn usage(&self) -> rcdk::cost::Usage {
        let d = rcdk::cost::Usage::default();
        rcdk::cost::Usage {
            nat_gb_per_gateway: self.nat_gb_per_gateway.unwrap_or(d.nat_gb_per_gateway),
            alb_lcu: self.alb_lcu.unwrap_or(d.alb_lcu),
            waf_million_requests: self.waf_million_requests.unwrap_or(d.waf_million_requests),
            log_gb_per_group: self.log_gb_per_group.unwrap_or(d.log_gb_per_group),
            scheduled_task_minutes: self
                .scheduled_task_minutes
                .unwrap_or(d.scheduled_task_minutes),
            data_out_gb_per_load_balancer: self
                .data_out_gb
                .unwrap_or(d.data_out_gb_per_load_balancer),
            backup_gb: self.backup_gb.unwrap_or(d.backup_gb),
            backup_copy_gb: self.backup_copy_gb.unwrap_or(d.backup_copy_gb),
            ..d
        }
    }

    /// Whether the environment names any assumption (else templates carry none).
    pub fn is_set(&self) -> bool {
        self.nat_gb_per_gateway.is_some()
            || self.alb_lcu.is_some()
            || self.waf_million_requests.is_some()
            || self.log_gb_per_group.is_some()
            || self.scheduled_task_minutes.is_some()
            || self.data_out_gb.is_some()
            || self.backup_gb.is_some()
            || self.backup_copy_gb.is_some()
    }
}

/// The Redis cache and broker (ElastiCache).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RedisConfig {
    /// Node type, e.g. `cache.t4g.micro`.
    pub node_type: String,
    /// Read replicas beside the primary; 1 or more gives Multi-AZ with automatic failover.
    pub replicas: u32,
}

/// The on-call service critical alarms page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum PagerService {
    Pagerduty,
    Opsgenie,
}

/// Where critical alarms page: the service and where its CloudWatch integration URL is
/// kept (a secret, or an SSM String parameter), never the URL itself.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PagerConfig {
    pub service: PagerService,
    /// The Secrets Manager secret holding the URL.
    #[serde(default)]
    pub secret: Option<String>,
    /// The key of a JSON secret that holds the URL.
    #[serde(default)]
    pub json_key: Option<String>,
    /// The SSM String parameter holding the URL (instead of a secret).
    #[serde(default)]
    pub parameter: Option<String>,
}

/// Alarm thresholds and who is told.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AlarmConfig {
    /// E-mail addresses that receive alarm notifications (every alarm).
    #[serde(default)]
    pub emails: Vec<String>,
    /// The on-call service critical alarms page (users affected, work lost); warnings
    /// are only e-mailed.
    #[serde(default)]
    pub pager: Option<PagerConfig>,
    pub latency_p99_seconds: f64,
    pub error_rate_percent: f64,
    pub service_cpu_percent: f64,
    pub service_memory_percent: f64,
    pub db_cpu_percent: f64,
    pub db_free_storage_gib: f64,
    pub db_connections: f64,
    pub waf_blocked_requests: f64,
    /// Jobs waiting in the queue.
    pub queue_depth: f64,
    /// Age of the oldest waiting job, minutes.
    pub oldest_job_minutes: f64,
    pub redis_cpu_percent: f64,
    pub redis_memory_percent: f64,
    /// Keys evicted in five minutes (the cache is too small for its working set).
    pub redis_evictions: f64,
}

/// A configuration problem: the file, the field and what to do.
pub fn problem(file: &str, field: &str, message: &str) -> String {
    format!("{file}: {field}: {message}")
}

/// Reads and checks the configuration the app's context points at.
pub fn load(app: &App) -> Result<Config, String> {
    if let Some(inline) = app.context("environments") {
        let text = serde_json::to_string(&serde_json::json!({
            "project": app.context_str("project").unwrap_or_else(|| "rcdk-reference".into()),
            "service": app.context_str("service").unwrap_or_else(|| "web".into()),
            "order": inline.as_object().map(|m| m.keys().cloned().collect::<Vec<_>>()).unwrap_or_default(),
            "environments": inline,
        }))
        .map_err(|e| e.to_string())?;
        return parse("context 'environments'", &text);
    }
    let path = match app.context_str("config") {
        Some(p) => PathBuf::from(p),
        None => default_path(),
    };
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("{}: cannot read the configuration: {e}", path.display()))?;
    parse(&display(&path), &text)
}

/// `apps/config/environments.yaml` from the repository root, or from this crate when
/// the app runs elsewhere (tests run in a crate directory).
fn default_path() -> PathBuf {
    let from_root = Path::new(CONFIG_FILE);
    if from_root.exists() {
        return from_root.to_path_buf();
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("environments.yaml")
}

/// The path relative to the repository root (this crate is `apps/config`).
fn display(path: &Path) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .unwrap_or(Path::new("."));
    path.strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string()
}

/// Parses YAML (or JSON) text; every error names `file`, the field path and the fix.
pub fn parse(file: &str, text: &str) -> Result<Config, String> {
    // serde keeps the last of two equal keys in a map; a settings file that says a thing
    // twice is a mistake, so name both lines. Other YAML errors are serde_yaml_ng's to tell.
    if let Err(e @ rcdk::yaml::YamlError::DuplicateKey { .. }) = rcdk::yaml::parse(text) {
        return Err(format!("{file}: {e}"));
    }
    let de = serde_yaml_ng::Deserializer::from_str(text);
    let config: Config = serde_path_to_error::deserialize(de).map_err(|e| {
        let field = e.path().to_string();
        let inner = e.into_inner().to_string();
        // serde_yaml_ng names the field itself (`environments.dev: unknown field …`) and
        // appends " at line L column C"; keep both, they point at the spot.
        let top = field.split(['.', '[']).next().unwrap_or_default();
        if !top.is_empty() && top != "?" && inner.starts_with(top) {
            format!("{file}: {inner}")
        } else {
            problem(
                file,
                if field == "." { "(top level)" } else { &field },
                &inner,
            )
        }
    })?;
    let problems = validate(&config);
    if problems.is_empty() {
        Ok(config)
    } else {
        Err(problems
            .iter()
            .map(|(field, msg)| problem(file, field, msg))
            .collect::<Vec<_>>()
            .join("\n"))
    }
}

fn country_problems(field: &str, countries: &[String], out: &mut Vec<(String, String)>) {
    for (i, c) in countries.iter().enumerate() {
        if c.len() != 2 || !c.chars().all(|ch| ch.is_ascii_uppercase()) {
            out.push((
                format!("{field}[{i}]"),
                format!("'{c}' is not an ISO 3166 alpha-2 country code like \"DE\""),
            ));
        }
    }
}

/// Checks what types alone cannot: formats, ranges and consistency.
/// What AWS Backup would refuse or never do with an environment's `backup` settings.
fn check_backup(
    config: &Config,
    name: &str,
    env: &EnvironmentConfig,
    b: &BackupConfig,
    out: &mut Vec<(String, String)>,
) {
    let f = |field: &str| format!("environments.{name}.backup.{field}");
    if env.dr_of.is_some() {
        out.push((
            f("daily_days"),
            "a standby's database is a replica, which AWS Backup does not back up; its vault receives the primary's copies (the primary's backup.copy_days)".into(),
        ));
    }
    for (field, days) in [
        ("daily_days", Some(b.daily_days)),
        ("monthly_days", b.monthly_days),
        ("copy_days", b.copy_days),
    ] {
        if let Some(days) = days
            && !(BACKUP_LOCK_MIN_DAYS..=36_500).contains(&days)
        {
            out.push((
                f(field),
                format!("{days} days; the vault lock admits {BACKUP_LOCK_MIN_DAYS} to 36500"),
            ));
        }
    }
    if b.copy_days.is_some()
        && !config
            .environments
            .values()
            .any(|e| e.dr_of.as_deref() == Some(name))
    {
        out.push((
            f("copy_days"),
            format!("{name} has no standby to copy to (an environment with dr_of: {name}); remove copy_days or add one"),
        ));
    }
}

pub fn validate(config: &Config) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut names: Vec<&String> = config.environments.keys().collect();
    names.sort();
    let mut ordered = config.order.clone();
    ordered.sort();
    if ordered.iter().collect::<Vec<_>>() != names {
        out.push((
            "order".into(),
            format!("must list every environment once: {names:?}"),
        ));
    }
    if let Some(b) = &config.baseline {
        if b.emails.is_empty() {
            out.push((
                "baseline.emails".into(),
                "name at least one address: security findings that reach nobody are not monitoring"
                    .into(),
            ));
        }
        check_emails("baseline.emails", &b.emails, &mut out);
        if !rcdk_constructs::logs::RETENTION_DAYS.contains(&b.trail_retention_days) {
            out.push((
                "baseline.trail_retention_days".into(),
                format!(
                    "{} is not a CloudWatch Logs retention; use one of {:?}",
                    b.trail_retention_days,
                    rcdk_constructs::logs::RETENTION_DAYS
                ),
            ));
        }
    }
    if let Some(org) = &config.organization {
        check_organization(config, org, &mut out);
    }
    if let Some(d) = &config.delivery {
        let parts: Vec<&str> = d.repository.split('/').collect();
        let word = |p: &&str| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        };
        if parts.len() != 2 || !parts.iter().all(word) {
            out.push((
                "delivery.repository".into(),
                format!(
                    "'{}' is not a GitHub repository as OWNER/NAME",
                    d.repository
                ),
            ));
        }
    }
    for (name, env) in &config.environments {
        let f = |field: &str| format!("environments.{name}.{field}");
        if let Some(b) = &env.backup {
            check_backup(config, name, env, b, &mut out);
        }
        if !name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            || !name.starts_with(|c: char| c.is_ascii_lowercase())
            || name.ends_with('-')
        {
            out.push((
                format!("environments.{name}"),
                "environment names are lower-case letters, digits and '-', starting with a letter (they start stack names)"
                    .into(),
            ));
        }
        if let Some(primary) = &env.dr_of {
            match config.environments.get(primary) {
                None => out.push((f("dr_of"), format!("'{primary}' is not an environment"))),
                Some(p) if p.dr_of.is_some() => out.push((
                    f("dr_of"),
                    format!("'{primary}' is itself a standby; name a primary environment"),
                )),
                Some(p) => {
                    if p.account != env.account {
                        out.push((
                            f("account"),
                            format!("a standby is in its primary's account ({})", p.account),
                        ));
                    }
                    if p.region == env.region {
                        out.push((
                            f("region"),
                            format!(
                                "a standby is in another region than its primary ({})",
                                p.region
                            ),
                        ));
                    }
                    let (pi, di) = (
                        config.order.iter().position(|o| o == primary),
                        config.order.iter().position(|o| o == name),
                    );
                    if pi > di {
                        out.push((
                            "order".into(),
                            format!("'{primary}' must come before its standby '{name}'"),
                        ));
                    }
                }
            }
        }
        if env.account.len() != 12 || !env.account.chars().all(|c| c.is_ascii_digit()) {
            out.push((
                f("account"),
                format!("'{}' is not a 12-digit AWS account id", env.account),
            ));
        }
        let region_ok = env.region.split('-').count() >= 3
            && env
                .region
                .chars()
                .last()
                .is_some_and(|c| c.is_ascii_digit());
        if !region_ok {
            out.push((
                f("region"),
                format!("'{}' is not an AWS region like us-east-1", env.region),
            ));
        }
        if let Err(e) = env.cidr.parse::<Ipv4Cidr>() {
            out.push((f("cidr"), e));
        }
        if env.availability_zones.is_empty() || env.availability_zones.len() > 6 {
            out.push((
                f("availability_zones"),
                "list 1 to 6 availability zones".into(),
            ));
        }
        for (i, az) in env.availability_zones.iter().enumerate() {
            let suffix = az.strip_prefix(env.region.as_str());
            if !suffix.is_some_and(|s| s.len() == 1 && s.chars().all(|c| c.is_ascii_lowercase())) {
                out.push((
                    format!("{}[{i}]", f("availability_zones")),
                    format!(
                        "'{az}' is not an AZ of {} (like {}a)",
                        env.region, env.region
                    ),
                ));
            }
        }
        if env.database.multi_az && env.availability_zones.len() < 2 {
            out.push((
                f("database.multi_az"),
                "needs at least two availability_zones".into(),
            ));
        }
        let arn_prefix = format!("arn:aws:acm:{}:{}:certificate/", env.region, env.account);
        if !env.certificate_arn.starts_with(&arn_prefix) {
            out.push((
                f("certificate_arn"),
                format!("must be an ACM certificate of this account and region ({arn_prefix}…)"),
            ));
        }
        country_problems(&f("allowed_countries"), &env.allowed_countries, &mut out);
        country_problems(&f("blocked_countries"), &env.blocked_countries, &mut out);
        if !rcdk_constructs::logs::RETENTION_DAYS.contains(&env.log_retention_days) {
            out.push((
                f("log_retention_days"),
                format!(
                    "{} is not allowed; use one of {:?}",
                    env.log_retention_days,
                    rcdk_constructs::logs::RETENTION_DAYS
                ),
            ));
        }
        // Both tiers scale between task counts and run a tagged image.
        let s = &env.service_tier;
        let w = &env.workers;
        for (tier, min, max, image) in [
            ("service_tier", s.min_tasks, s.max_tasks, &s.image),
            ("workers", w.min_tasks, w.max_tasks, &w.image),
        ] {
            if min > max || max == 0 {
                out.push((
                    f(tier),
                    format!("need min_tasks ≤ max_tasks and max_tasks ≥ 1, got {min} and {max}"),
                ));
            }
            if !image.contains(':') {
                out.push((
                    f(&format!("{tier}.image")),
                    format!("'{image}' needs a tag: repository:tag"),
                ));
            }
        }
        if w.backlog_per_task == 0 {
            out.push((f("workers.backlog_per_task"), "must be at least 1".into()));
        }
        if !(1..=43_200).contains(&w.job_timeout_seconds) {
            out.push((
                f("workers.job_timeout_seconds"),
                format!(
                    "{} is out of SQS's visibility timeout range 1 to 43200 (12 hours)",
                    w.job_timeout_seconds
                ),
            ));
        }
        if !(1..=1000).contains(&w.max_receive_count) {
            out.push((
                f("workers.max_receive_count"),
                format!("{} is out of range 1 to 1000", w.max_receive_count),
            ));
        }
        for (tier, runs_on, ec2) in [
            ("service_tier", s.runs_on, &s.ec2),
            ("workers", w.runs_on, &w.ec2),
        ] {
            match (runs_on, ec2) {
                (Platform::Ec2, None) => out.push((
                    f(&format!("{tier}.ec2")),
                    "runs_on is ec2: say which instances (instance_types, min_instances, max_instances)".into(),
                )),
                (Platform::Fargate, Some(_)) => out.push((
                    f(&format!("{tier}.ec2")),
                    "is set but runs_on is fargate: remove it or set runs_on: ec2".into(),
                )),
                (_, Some(e)) => {
                    if e.instance_types.is_empty() {
                        out.push((f(&format!("{tier}.ec2.instance_types")), "name at least one instance type".into()));
                    }
                    if e.min_instances > e.max_instances || e.max_instances == 0 {
                        out.push((
                            f(&format!("{tier}.ec2")),
                            format!(
                                "need min_instances ≤ max_instances and max_instances ≥ 1, got {} and {}",
                                e.min_instances, e.max_instances
                            ),
                        ));
                    }
                    if e.spot_percent > 100 {
                        out.push((f(&format!("{tier}.ec2.spot_percent")), format!("{} is above 100", e.spot_percent)));
                    }
                }
                (Platform::Fargate, None) => {}
            }
        }
        if env.budget_usd.is_nan() || env.budget_usd <= 0.0 {
            out.push((f("budget_usd"), "must be above 0".into()));
        }
        if env.redis.replicas > 0 && env.availability_zones.len() < 2 {
            out.push((
                f("redis.replicas"),
                "a replica in another AZ needs at least two availability_zones".into(),
            ));
        }
        if !(1.0..=100.0).contains(&s.target_cpu_percent) {
            out.push((
                f("service_tier.target_cpu_percent"),
                "must be 1 to 100".into(),
            ));
        }
        if !(1..=35).contains(&env.database.backup_days) {
            out.push((
                f("database.backup_days"),
                format!("{} is out of range 1 to 35", env.database.backup_days),
            ));
        }
        check_emails(&f("alarms.emails"), &env.alarms.emails, &mut out);
        if let Some(p) = env.tracing_percent
            && !(p > 0.0 && p <= 100.0)
        {
            out.push((
                f("tracing_percent"),
                format!("{p} is not a percentage above 0 and at most 100"),
            ));
        }
        if let Some(pager) = &env.alarms.pager {
            match (&pager.secret, &pager.parameter) {
                (Some(_), Some(_)) | (None, None) => out.push((
                    f("alarms.pager"),
                    "name exactly one of secret or parameter: where the integration URL is kept"
                        .into(),
                )),
                (None, Some(_)) if pager.json_key.is_some() => out.push((
                    f("alarms.pager.json_key"),
                    "json_key reads a key of a JSON secret; a parameter holds the URL itself"
                        .into(),
                )),
                _ => {}
            }
        }
    }
    out
}

fn is_account_id(account: &str) -> bool {
    account.len() == 12 && account.chars().all(|c| c.is_ascii_digit())
}

/// Each environment in its own account (a standby in its primary's), none of them the
/// organisation's own accounts, and OUs named as AWS Organizations names them.
fn check_organization(config: &Config, org: &OrganizationConfig, out: &mut Vec<(String, String)>) {
    for (field, account) in org.roles() {
        if !is_account_id(account) {
            out.push((
                format!("organization.{field}"),
                format!("'{account}' is not a 12-digit AWS account id"),
            ));
        }
    }
    let roles = org.roles();
    for (i, (field, account)) in roles.iter().enumerate() {
        if let Some((other, _)) = roles[..i].iter().find(|(_, a)| a == account) {
            out.push((
                format!("organization.{field}"),
                format!("{account} is also the {other}; give each of the organisation's accounts its own"),
            ));
        }
    }
    if org.workload_ous.is_empty() {
        out.push((
            "organization.workload_ous".into(),
            "name the organizational units of the environments' accounts (ou-…): the baseline and the guardrails reach them".into(),
        ));
    }
    for (i, ou) in org.workload_ous.iter().enumerate() {
        if !rcdk::tree::stack_set::is_organizational_unit(ou) {
            out.push((
                format!("organization.workload_ous[{i}]"),
                format!("'{ou}' is not an organizational unit id like ou-ab12-cdef3456"),
            ));
        }
    }
    for name in &config.order {
        let Some(env) = config.environments.get(name) else {
            continue;
        };
        let field = format!("environments.{name}.account");
        if let Some((role, _)) = roles.iter().find(|(_, a)| *a == env.account) {
            out.push((
                field,
                format!(
                    "{} is the organisation's {role}; an environment has an account of its own",
                    env.account
                ),
            ));
            continue;
        }
        if env.dr_of.is_some() {
            continue; // in its primary's account, checked with dr_of
        }
        let earlier = config.order.iter().take_while(|n| *n != name).find(|n| {
            config
                .environments
                .get(*n)
                .is_some_and(|e| e.dr_of.is_none() && e.account == env.account)
        });
        if let Some(other) = earlier {
            out.push((
                field,
                format!(
                    "{} is also {other}'s account; in an organisation each environment has its own (only a standby shares its primary's), so that {other} cannot reach {name}",
                    env.account
                ),
            ));
        }
    }
}

/// Reports each entry of the list `field` that is not an e-mail address.
fn check_emails(field: &str, emails: &[String], out: &mut Vec<(String, String)>) {
    for (i, e) in emails.iter().enumerate() {
        if !e.contains('@') {
            out.push((
                format!("{field}[{i}]"),
                format!("'{e}' is not an e-mail address"),
            ));
        }
    }
}

/// The JSON Schema of the configuration file, as committed.
pub fn schema_json() -> String {
    let schema = schemars::schema_for!(Config);
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}
