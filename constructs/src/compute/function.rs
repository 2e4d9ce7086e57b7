//! Lambda functions with the production defaults: a current runtime (deprecated ones are
//! refused with their date), its own log group with retention and a customer-managed key,
//! a role with only what it is granted, X-Ray tracing, optional VPC placement with its own
//! security group, reserved concurrency, a dead-letter queue, a function URL with IAM
//! auth, `grant_invoke`, and metrics.
//!
//! ```
//! use rcdk::{App, Stack, StackProps};
//! use rcdk_constructs::compute::{Code, Function, FunctionProps};
//! use rcdk_constructs::units::Duration;
//! let app = App::with_context(Default::default(), "cdk.out");
//! let stack = Stack::new(&app, "workers", StackProps::default());
//! let sync = Function::new(&stack, "Sync", FunctionProps {
//!     timeout: Duration::minutes(1),
//!     ..FunctionProps::new("python3.13", "index.handler", Code::Inline("def handler(e, c):\n    return 1\n".into()))
//! });
//! # let _ = (sync.arn(), sync.metric_errors());
//! ```

use std::collections::BTreeMap;
use std::ops::Deref;

use rcdk::{Expr, Scope, Value, fns};
use rcdk_l1::lambda::function::{
    Code as CfnCode, DeadLetterConfig, Environment, LoggingConfig, TracingConfig, VpcConfig,
};
use rcdk_l1::lambda::{
    CfnEventSourceMapping, CfnEventSourceMappingProps, CfnFunction, CfnFunctionProps, CfnUrl,
    CfnUrlProps,
};

use super::lambda_runtimes::LAMBDA_RUNTIMES;
use crate::connections::{Connections, HasConnections, SecurityGroup, SecurityGroupProps};
use crate::iam::{Grantable, PolicyStatement, Principal, Role, RoleProps};
use crate::kms::Key;
use crate::logs::{LogGroup, LogGroupProps};
use crate::messaging::{Queue, QueueEncryption, QueueProps};
use crate::metrics::{Metric, Statistic};
use crate::network::{SubnetKind, Vpc};
use crate::units::{Duration, Size, mebibytes_in, seconds_in};

/// Where a function's code comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum Code {
    /// A local folder (zipped) or `.zip` file, packaged as a file asset: synthesis
    /// copies it into the cloud assembly, `rcdk deploy` uploads it to the bootstrap
    /// bucket under its content hash. Relative paths are from the folder the app runs
    /// in; anchor them with `env!("CARGO_MANIFEST_DIR")`.
    Asset(std::path::PathBuf),
    /// Source in the template (up to 4 KiB; Python and Node.js only).
    Inline(String),
    /// A zip in S3.
    S3 {
        /// The bucket holding the zip.
        bucket: Expr<String>,
        /// The zip's object key.
        key: Expr<String>,
    },
}

/// The instruction set a function runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Architecture {
    /// Graviton: about 20 % cheaper per GB-second.
    Arm64,
    /// Intel/AMD (`x86_64`), for code or layers built only for it.
    X86_64,
}

/// Placement in a VPC.
#[derive(Debug, Clone)]
pub struct FunctionVpc {
    /// The VPC whose subnets the function's network interfaces go into.
    pub vpc: Vpc,
    /// Default: private subnets with egress.
    pub subnets: SubnetKind,
}

/// Settings of a [`Function`].
#[derive(Debug, Clone)]
pub struct FunctionProps {
    /// A current Lambda runtime, e.g. `python3.13`.
    pub runtime: String,
    /// e.g. `index.handler`.
    pub handler: String,
    /// The function's code.
    pub code: Code,
    /// 128 MiB to 10 GiB. Default: 256 MiB.
    pub memory: Size,
    /// 1 s to 15 min, whole seconds. Default: 30 s.
    pub timeout: Duration,
    /// Default: arm64.
    pub architecture: Architecture,
    /// Environment variables (encrypted with `encryption_key`); build them with [`crate::vars!`].
    pub environment: BTreeMap<String, Expr<String>>,
    /// Days the function's logs are kept. Default: 365 (a year).
    pub log_retention_days: u32,
    /// Encrypts the log group, the environment and the dead-letter queue. Default: the
    /// stack's shared key ([`Key::of_stack`]).
    pub encryption_key: Option<Key>,
    /// Placement in a VPC (private subnets, a security group of its own). Default: none
    /// (public AWS endpoints; checkov's CKV_AWS_117 is waived with that reason).
    pub vpc: Option<FunctionVpc>,
    /// Default: none (shares the account's unreserved concurrency; checkov's
    /// CKV_AWS_115 is waived with that reason).
    pub reserved_concurrency: Option<u32>,
    /// Where asynchronous invocations that keep failing go. Default: a queue of the
    /// function's own (`DeadLetters`, encrypted with the function's key, kept 14 days
    /// and retained with the stack): a failed event is kept to inspect instead of dropped.
    pub dead_letter_queue: Option<Queue>,
    /// X-Ray active tracing. Default: true.
    pub tracing: bool,
    /// What the function does, shown in the console.
    pub description: Option<String>,
}

impl FunctionProps {
    /// A function of `runtime` (from [`LAMBDA_RUNTIMES`](super::LAMBDA_RUNTIMES)) calling `handler` in `code`, with the
    /// other settings at their defaults.
    pub fn new(runtime: &str, handler: &str, code: Code) -> FunctionProps {
        FunctionProps {
            runtime: runtime.to_owned(),
            handler: handler.to_owned(),
            code,
            memory: Size::mebibytes(256),
            timeout: Duration::seconds(30),
            architecture: Architecture::Arm64,
            environment: BTreeMap::new(),
            log_retention_days: 365,
            encryption_key: None,
            vpc: None,
            reserved_concurrency: None,
            dead_letter_queue: None,
            tracing: true,
            description: None,
        }
    }
}

/// How a function receives from a queue ([`Function::add_queue_source`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueueSourceOptions {
    /// Messages per invocation, 1 to 10 000 (above 10 needs a batching window). Default: 10.
    pub batch_size: u32,
    /// How long to gather a batch, 0 to 5 min, whole seconds. Default: none (0).
    pub max_batching_window: Duration,
    /// The function returns `batchItemFailures`, so only the failed messages come back.
    /// Default: true.
    pub report_batch_item_failures: bool,
}

impl Default for QueueSourceOptions {
    fn default() -> Self {
        QueueSourceOptions {
            batch_size: 10,
            max_batching_window: Duration::ZERO,
            report_batch_item_failures: true,
        }
    }
}

/// A Lambda function.
#[derive(Debug, Clone)]
pub struct Function {
    scope: Scope,
    function: CfnFunction,
    timeout: Duration,
    role: Role,
    security_group: Option<SecurityGroup>,
}

impl Deref for Function {
    type Target = Scope;
    fn deref(&self) -> &Scope {
        &self.scope
    }
}

/// Today's date (UTC) as `YYYY-MM-DD`, to compare with deprecation dates.
fn today() -> String {
    let days = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() / 86_400) as i64;
    // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

fn validate(scope: &Scope, props: &FunctionProps) {
    match LAMBDA_RUNTIMES.iter().find(|(r, _, _)| *r == props.runtime) {
        None => scope.add_error(format!(
            "runtime '{}' is not a Lambda runtime; e.g. python3.13, nodejs22.x, java21, provided.al2023",
            props.runtime
        )),
        Some((_, Some(deprecated), successor)) if **deprecated <= *today() => {
            scope.add_error(format!(
                "runtime {} was deprecated on {deprecated}; use {}",
                props.runtime,
                successor.unwrap_or("a current runtime")
            ));
        }
        Some(_) => {}
    }
    if let Code::Inline(source) = &props.code {
        let interpreted =
            props.runtime.starts_with("python") || props.runtime.starts_with("nodejs");
        if !interpreted {
            scope.add_error(format!(
                "inline code needs a Python or Node.js runtime, not {}; use Code::S3",
                props.runtime
            ));
        }
        if source.len() > 4096 {
            scope.add_error(format!(
                "inline code is {} bytes; CloudFormation takes up to 4096; use Code::S3",
                source.len()
            ));
        }
    }
}

impl Function {
    /// Adds the function, its log group, role and dead-letter queue below `parent`.
    pub fn new(parent: &Scope, id: &str, props: FunctionProps) -> Function {
        let scope = Scope::new(parent, id);
        validate(&scope, &props);
        let key = props
            .encryption_key
            .clone()
            .unwrap_or_else(|| Key::of_stack(&scope));
        let logs = LogGroup::new(
            &scope,
            "Logs",
            LogGroupProps {
                retention_days: props.log_retention_days,
                encryption_key: Some(key.clone()),
                ..LogGroupProps::default()
            },
        );
        let role = Role::new(
            &scope,
            "Role",
            RoleProps {
                description: Some(format!("Runs the function {}", scope.path())),
                ..RoleProps::new(Principal::service("lambda.amazonaws.com"))
            },
        );
        role.add_to_policy(
            PolicyStatement::allow()
                .actions(["logs:CreateLogStream", "logs:PutLogEvents"])
                .resource(logs.arn()),
        );
        role.add_to_policy(
            PolicyStatement::allow()
                .actions(["kms:Decrypt"])
                .resource(key.arn()),
        );
        if props.tracing {
            role.add_to_policy(
                PolicyStatement::allow()
                    .actions(["xray:PutTraceSegments", "xray:PutTelemetryRecords"])
                    .resource("*"),
            );
        }
        let (security_group, vpc_config) = match &props.vpc {
            Some(placement) => {
                let sg = SecurityGroup::new(
                    &scope,
                    "SecurityGroup",
                    SecurityGroupProps::new(
                        placement.vpc.vpc_id(),
                        &format!("Function {}", scope.path()),
                    ),
                );
                // Lambda manages the function's network interfaces with its role: in its
                // subnets, with its security group, in this account and region (IAM's
                // catalogue gives both actions resource-level permissions; only the
                // describe takes none).
                let subnets = placement.vpc.subnet_ids(placement.subnets);
                let ec2_arn = |kind: &str, id: Expr<String>| {
                    fns::sub_with(
                        format!(
                            "arn:${{AWS::Partition}}:ec2:${{AWS::Region}}:${{AWS::AccountId}}:{kind}/${{Id}}"
                        ),
                        [("Id", id)],
                    )
                };
                let interfaces = ec2_arn("network-interface", Expr::from("*"));
                let mut create = PolicyStatement::allow()
                    .actions(["ec2:CreateNetworkInterface"])
                    .resource(interfaces.clone())
                    .resource(ec2_arn("security-group", sg.group_id()));
                for subnet in &subnets {
                    create = create.resource(ec2_arn("subnet", subnet.clone()));
                }
                role.add_to_policy(create);
                role.add_to_policy(
                    PolicyStatement::allow()
                        .actions(["ec2:DeleteNetworkInterface"])
                        .resource(interfaces),
                );
                role.add_to_policy(
                    PolicyStatement::allow()
                        .actions(["ec2:DescribeNetworkInterfaces"])
                        .resource("*"),
                );
                let config = VpcConfig {
                    subnet_ids: Some(Expr::unchecked(Value::list(subnets))),
                    security_group_ids: Some(vec![sg.group_id()].into()),
                    ..Default::default()
                };
                (Some(sg), Some(config))
            }
            None => (None, None),
        };
        let dead_letters = props.dead_letter_queue.clone().unwrap_or_else(|| {
            Queue::new(
                &scope,
                "DeadLetters",
                QueueProps {
                    // The function's own key: failed events are as sensitive as its
                    // environment (and scanners read SQS-managed keys as unencrypted).
                    encryption: QueueEncryption::Key(key.clone()),
                    ..QueueProps::dead_letter()
                },
            )
        });
        dead_letters.grant_send(&role);
        let code = match &props.code {
            Code::Inline(source) => CfnCode {
                zip_file: Some(source.clone().into()),
                ..Default::default()
            },
            Code::Asset(path) => {
                let location = scope.add_file_asset(path);
                CfnCode {
                    s3_bucket: Some(location.bucket_name),
                    s3_key: Some(location.object_key),
                    ..Default::default()
                }
            }
            Code::S3 { bucket, key } => CfnCode {
                s3_bucket: Some(bucket.clone()),
                s3_key: Some(key.clone()),
                ..Default::default()
            },
        };
        let function = CfnFunction::new(
            &scope,
            "Resource",
            CfnFunctionProps {
                runtime: Some(props.runtime.clone().into()),
                handler: Some(props.handler.clone().into()),
                description: props.description.clone().map(Into::into),
                memory_size: Some(mebibytes_in(&scope, "memory", props.memory, 128, 10_240).into()),
                timeout: Some(seconds_in(&scope, "timeout", props.timeout, 1, 900).into()),
                architectures: Some(
                    vec![match props.architecture {
                        Architecture::Arm64 => "arm64".to_owned(),
                        Architecture::X86_64 => "x86_64".to_owned(),
                    }]
                    .into(),
                ),
                environment: (!props.environment.is_empty()).then(|| Environment {
                    variables: Some(
                        props
                            .environment
                            .iter()
                            .map(|(k, v)| (k.clone(), Value::from(v)))
                            .collect(),
                    ),
                }),
                kms_key_arn: (!props.environment.is_empty()).then(|| key.arn()),
                logging_config: Some(LoggingConfig {
                    log_group: Some(logs.name()),
                    log_format: Some("JSON".into()),
                    ..Default::default()
                }),
                tracing_config: props.tracing.then(|| TracingConfig {
                    mode: Some("Active".into()),
                }),
                vpc_config,
                reserved_concurrent_executions: props
                    .reserved_concurrency
                    .map(|n| i64::from(n).into()),
                dead_letter_config: Some(DeadLetterConfig {
                    target_arn: Some(dead_letters.arn()),
                }),
                ..CfnFunctionProps::new(code, role.arn())
            },
        );
        // The defaults' decisions, each said once for every scanner (an app's own
        // waiver of the same check, with its reason, comes first).
        if props.vpc.is_none() {
            crate::posture::waive_check_by_default(
                &function,
                &["CKV_AWS_117", "lambda_inside_vpc_check"],
                "A function outside a VPC reaches AWS APIs over their public endpoints with IAM auth; put it in the VPC (FunctionProps.vpc) when it must reach private resources",
            );
        }
        // The newest runtime of its family CloudFormation knows (no successor in the
        // runtime catalogue, from cfn-lint): cdk-nag's L1 asks for the newest the AWS CDK
        // lists, which may be one CloudFormation does not accept yet.
        let newest = LAMBDA_RUNTIMES
            .iter()
            .any(|(r, _, successor)| *r == props.runtime && successor.is_none());
        if newest {
            crate::posture::waive_check_by_default(
                &function,
                &["AwsSolutions-L1"],
                &format!(
                    "{} is the newest runtime of its family in CloudFormation's runtime list (cfn-lint's): a newer one the AWS CDK lists is not yet accepted by CloudFormation",
                    props.runtime
                ),
            );
        }
        if props.reserved_concurrency.is_none() {
            crate::posture::waive_check_by_default(
                &function,
                &["CKV_AWS_115"],
                "Reserved concurrency carves the account's shared pool, and the right number is the function's own; set FunctionProps.reserved_concurrency to cap it",
            );
        }
        Function {
            scope,
            function,
            timeout: props.timeout,
            role,
            security_group,
        }
    }

    /// Invokes the function with batches from `queue` (an event source mapping), with
    /// the permissions to receive and delete. The queue's visibility timeout must cover
    /// the function's timeout (Lambda refuses the mapping otherwise); AWS recommends six
    /// times it, so that retries after throttling do not make messages visible again.
    pub fn add_queue_source(
        &self,
        queue: &Queue,
        opts: QueueSourceOptions,
    ) -> CfnEventSourceMapping {
        let visibility = queue.visibility_timeout();
        let timeout = self.timeout;
        let recommended = Duration::millis(timeout.as_millis().saturating_mul(6));
        if visibility < timeout {
            self.scope.add_error(format!(
                "the queue '{}' hides a message for {visibility} but the function may run {timeout}; Lambda refuses that: set its visibility_timeout to at least {recommended}",
                queue.path()
            ));
        } else if visibility < recommended {
            self.scope.add_warning(format!(
                "the queue '{}' hides a message for {visibility}, less than 6 × the function's {timeout} AWS recommends; a throttled batch may be received twice",
                queue.path()
            ));
        }
        if !(1..=10_000).contains(&opts.batch_size) {
            self.scope.add_error(format!(
                "batch_size is {}; Lambda takes 1 to 10000 messages",
                opts.batch_size
            ));
        } else if opts.batch_size > 10 && opts.max_batching_window == Duration::ZERO {
            self.scope.add_error(format!(
                "batch_size {} needs a max_batching_window of at least 1 s (above 10 messages Lambda waits for a batch)",
                opts.batch_size
            ));
        }
        let window = seconds_in(
            &self.scope,
            "max_batching_window",
            opts.max_batching_window,
            0,
            300,
        );
        queue.grant_consume(&self.role);
        CfnEventSourceMapping::new(
            &self.scope,
            &format!("{}Source", queue.id()),
            CfnEventSourceMappingProps {
                event_source_arn: Some(queue.arn()),
                batch_size: Some(i64::from(opts.batch_size).into()),
                maximum_batching_window_in_seconds: (window > 0).then(|| window.into()),
                function_response_types: opts
                    .report_batch_item_failures
                    .then(|| vec!["ReportBatchItemFailures".to_owned()].into()),
                ..CfnEventSourceMappingProps::new(self.arn())
            },
        )
    }

    /// The function's ARN.
    pub fn arn(&self) -> Expr<String> {
        self.function.attr_arn()
    }

    /// The function's name.
    pub fn name(&self) -> Expr<String> {
        self.function.ref_()
    }

    /// The function's role, for `grant_*` of other constructs.
    pub fn role(&self) -> &Role {
        &self.role
    }

    /// The `AWS::Lambda::Function` resource, for what the props do not cover.
    pub fn resource(&self) -> &CfnFunction {
        &self.function
    }

    /// Lets `role` invoke the function.
    pub fn grant_invoke(&self, grantee: &(impl Grantable + ?Sized)) {
        let role = grantee.grant_role();
        role.add_to_policy(
            PolicyStatement::allow()
                .actions(["lambda:InvokeFunction"])
                .resource(self.arn()),
        );
    }

    /// A function URL; callers sign with SigV4 and need `lambda:InvokeFunctionUrl`.
    pub fn add_url(&self) -> CfnUrl {
        CfnUrl::new(&self.scope, "Url", CfnUrlProps::new("AWS_IAM", self.arn()))
    }

    fn metric(&self, name: &str) -> Metric {
        Metric::new(
            "AWS/Lambda",
            name,
            vec![("FunctionName".into(), self.name())],
        )
    }

    /// `Errors`, summed.
    pub fn metric_errors(&self) -> Metric {
        self.metric("Errors").with_statistic(Statistic::Sum)
    }

    /// `Throttles`, summed.
    pub fn metric_throttles(&self) -> Metric {
        self.metric("Throttles").with_statistic(Statistic::Sum)
    }

    /// `Duration`, p99 (milliseconds).
    pub fn metric_duration_p99(&self) -> Metric {
        self.metric("Duration")
            .with_statistic(Statistic::Percentile(99.0))
    }
}

impl HasConnections for Function {
    /// Outbound from the function's security group (only for a function in a VPC; one
    /// outside has no security group, and rules to or from it are refused).
    fn connections(&self) -> Connections {
        match &self.security_group {
            Some(sg) => Connections::new(vec![sg.clone()], None),
            None => {
                self.scope.add_error(
                    "the function is not in a VPC, so it has no security group to connect; set vpc",
                );
                Connections::new(Vec::new(), None)
            }
        }
    }
}

impl crate::iam::Grantable for Function {
    fn grant_role(&self) -> &crate::iam::Role {
        self.role()
    }
}
