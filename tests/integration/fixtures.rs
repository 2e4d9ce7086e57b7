//! Sample apps the tests synthesize. Every template they produce is also linted by
//! cfn-lint (see `cfn_lint.rs`), so each fixture must be a template a person would deploy.

use std::collections::BTreeMap;

use rcdk::{
    App, CfnCondition, CfnMapping, CfnOutput, CfnParameter, CfnResource, Environment, OutputProps,
    ParameterProps, RemovalPolicy, Stack, StackProps, Value, expr, fns,
};
use rcdk_l1::ec2::security_group::Ingress;
use rcdk_l1::ec2::{
    CfnSecurityGroup, CfnSecurityGroupProps, CfnSubnet, CfnSubnetProps, CfnVpc, CfnVpcProps,
};
use rcdk_l1::iam::{CfnRole, CfnRoleProps};
use rcdk_l1::kms::{CfnKey, CfnKeyProps};
use rcdk_l1::lambda::function::{Code, Environment as LambdaEnv, VpcConfig};
use rcdk_l1::lambda::{CfnFunction, CfnFunctionProps};
use rcdk_l1::logs::{CfnLogGroup, CfnLogGroupProps};
use rcdk_l1::policy::{PolicyDocument, PolicyStatement, Principal};
use rcdk_l1::secretsmanager::secret::GenerateSecretString;
use rcdk_l1::secretsmanager::{CfnSecret, CfnSecretProps};

pub fn app() -> App {
    App::with_context(BTreeMap::new(), "cdk.out")
}

pub fn env() -> Environment {
    Environment::new("123456789012", "us-east-1")
}

pub fn stack(app: &App, name: &str) -> Stack {
    Stack::new(
        app,
        name,
        StackProps {
            env: env(),
            ..Default::default()
        },
    )
}

/// One stack that uses every intrinsic function, parameter kind, condition and mapping.
pub fn intrinsics_app() -> App {
    let app = app();
    let s = Stack::new(
        &app,
        "intrinsics",
        StackProps {
            env: env(),
            description: Some("Every intrinsic, typed".into()),
            ..Default::default()
        },
    );
    let env_name = CfnParameter::string(
        &s,
        "EnvName",
        ParameterProps {
            description: Some("Deployment environment".into()),
            default: Some("dev".into()),
            allowed_values: vec!["dev".into(), "test".into(), "prod".into()],
            ..Default::default()
        },
    );
    let retention = CfnParameter::integer(
        &s,
        "LogRetentionDays",
        ParameterProps {
            default: Some("30".into()),
            allowed_values: vec!["7".into(), "30".into(), "90".into()],
            ..Default::default()
        },
    );
    let subnet_ids = CfnParameter::list_of_type(
        &s,
        "SubnetIds",
        "List<AWS::EC2::Subnet::Id>",
        ParameterProps::default(),
    );
    let runtimes = CfnMapping::new(
        &s,
        "Runtimes",
        BTreeMap::from([(
            "us-east-1".to_owned(),
            BTreeMap::from([("Python".to_owned(), Value::from("python3.12"))]),
        )]),
    );
    let is_prod = CfnCondition::new(&s, "IsProd", fns::equals(env_name.value(), "prod"));
    let is_dev_or_test = CfnCondition::new(
        &s,
        "IsDevOrTest",
        fns::or([
            fns::equals(env_name.value(), "dev"),
            fns::equals(env_name.value(), "test"),
        ]),
    );
    let prod_in_virginia = CfnCondition::new(
        &s,
        "IsProdInVirginia",
        fns::and([
            fns::condition(&is_prod),
            fns::equals(fns::region(), "us-east-1"),
        ]),
    );
    let not_prod = CfnCondition::new(&s, "IsNotProd", fns::not(fns::condition(&is_prod)));

    let vpc = CfnVpc::new(
        &s,
        "Vpc",
        CfnVpcProps {
            cidr_block: Some(fns::if_(&is_prod, "10.0.0.0/16", "10.1.0.0/16")),
            ..Default::default()
        },
    );
    let subnet_a = CfnSubnet::new(
        &s,
        "SubnetA",
        CfnSubnetProps {
            availability_zone: Some(fns::select(0, fns::get_azs())),
            cidr_block: Some(fns::select(0, fns::cidr(vpc.attr_cidr_block(), 4, 8))),
            ..CfnSubnetProps::new(vpc.ref_())
        },
    );
    let subnet_b = CfnSubnet::new(
        &s,
        "SubnetB",
        CfnSubnetProps {
            availability_zone: Some(fns::select(1, fns::get_azs_in(fns::region()))),
            cidr_block: Some(fns::select(1, fns::cidr(vpc.attr_cidr_block(), 4, 8))),
            ..CfnSubnetProps::new(vpc.ref_())
        },
    );
    subnet_b.set_condition(&prod_in_virginia);
    let key = CfnKey::new(
        &s,
        "Key",
        CfnKeyProps {
            enable_key_rotation: Some(true.into()),
            key_policy: Some(PolicyDocument::new(vec![
                PolicyStatement::allow()
                    .principal(Principal::Aws("REPLACED".into()))
                    .actions(["kms:*"])
                    .resource("*"),
            ])),
            ..Default::default()
        },
    );
    key.add_property_override(
        "KeyPolicy.Statement",
        Value::list([Value::object([
            ("Effect", Value::from("Allow")),
            (
                "Principal",
                Value::object([(
                    "AWS",
                    Value::from(fns::sub(
                        "arn:${AWS::Partition}:iam::${AWS::AccountId}:root",
                    )),
                )]),
            ),
            ("Action", Value::from("kms:*")),
            ("Resource", Value::from("*")),
        ])]),
    );
    key.apply_removal_policy(RemovalPolicy::Retain);
    let logs = CfnLogGroup::new(
        &s,
        "Logs",
        CfnLogGroupProps {
            kms_key_id: Some(key.attr_arn()),
            retention_in_days: Some(retention.value()),
            ..Default::default()
        },
    );
    logs.apply_removal_policy(RemovalPolicy::Destroy);
    let secret = CfnSecret::new(
        &s,
        "DbSecret",
        CfnSecretProps {
            kms_key_id: Some(key.ref_()),
            generate_secret_string: Some(GenerateSecretString {
                secret_string_template: Some(r#"{"username":"app"}"#.into()),
                generate_string_key: Some("password".into()),
                exclude_punctuation: Some(true.into()),
                ..Default::default()
            }),
            ..Default::default()
        },
    );
    let role = CfnRole::new(
        &s,
        "FunctionRole",
        CfnRoleProps {
            managed_policy_arns: Some(
                vec![fns::sub("arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole")].into(),
            ),
            ..CfnRoleProps::new(PolicyDocument::new(vec![
                PolicyStatement::allow()
                    .principal(Principal::service("lambda.amazonaws.com"))
                    .actions(["sts:AssumeRole"]),
            ]))
        },
    );
    let sg = CfnSecurityGroup::new(
        &s,
        "FunctionSecurityGroup",
        CfnSecurityGroupProps {
            vpc_id: Some(vpc.ref_()),
            ..CfnSecurityGroupProps::new("Function")
        },
    );
    let function = CfnFunction::new(
        &s,
        "Function",
        CfnFunctionProps {
            runtime: Some(runtimes.find(fns::region(), "Python")),
            handler: Some("index.handler".into()),
            memory_size: Some(fns::if_(&is_dev_or_test, 128, 256)),
            environment: Some(LambdaEnv {
                variables: Some(BTreeMap::from([
                    (
                        "DB_USER".to_owned(),
                        Value::from(expr::secrets_manager(secret.ref_()).json_key("username")),
                    ),
                    (
                        "BASE_AMI".to_owned(),
                        Value::from(expr::ssm("/platform/base-ami", Some(3))),
                    ),
                    ("LOG_GROUP".to_owned(), Value::from(logs.ref_())),
                    (
                        "SUBNETS".to_owned(),
                        Value::from(fns::join_list(",", subnet_ids.value())),
                    ),
                    (
                        "STAGE".to_owned(),
                        Value::from(fns::if_::<String>(&not_prod, "preview", fns::no_value())),
                    ),
                ])),
            }),
            vpc_config: Some(VpcConfig {
                security_group_ids: Some(vec![sg.attr_group_id()].into()),
                subnet_ids: Some(fns::split(
                    ",",
                    fns::import_value("platform:PrivateSubnetIds"),
                )),
                ..Default::default()
            }),
            ..CfnFunctionProps::new(
                Code {
                    zip_file: Some(fns::base64("def handler(event, context):\n    return 1\n")),
                    ..Default::default()
                },
                role.attr_arn(),
            )
        },
    );
    function.add_depends_on(&subnet_a);
    CfnOutput::new(
        &s,
        "Subnets",
        OutputProps {
            description: Some("VPC id, stack name and a literal, joined".into()),
            export_name: Some(fns::sub("${AWS::StackName}-subnets")),
            ..OutputProps::new(fns::join(
                ",",
                [vpc.ref_(), fns::stack_name(), "literal".into()],
            ))
        },
    );
    let prod_output = CfnOutput::new(&s, "ProdSubnet", OutputProps::new(subnet_b.ref_()));
    prod_output.set_condition(&prod_in_virginia);
    CfnResource::raw(
        &s,
        "Parameter",
        "AWS::SSM::Parameter",
        Value::object([
            ("Type", Value::from("String")),
            (
                "Value",
                Value::from(fns::sub_with(
                    "${Name}-${AWS::Region}",
                    [("Name", env_name.value())],
                )),
            ),
        ]),
    );
    app
}

/// Two stacks: the app stack reads the network stack's VPC (scalar and list attributes).
pub fn multi_stack_app() -> App {
    let app = app();
    let network = stack(&app, "network");
    let vpc = CfnVpc::new(
        &network,
        "Vpc",
        CfnVpcProps {
            cidr_block: Some("10.0.0.0/16".into()),
            ..Default::default()
        },
    );
    let service = stack(&app, "service");
    CfnSecurityGroup::new(
        &service,
        "Sg",
        CfnSecurityGroupProps {
            vpc_id: Some(vpc.ref_()),
            security_group_ingress: Some(vec![
                Ingress {
                    cidr_ip: Some(vpc.attr_cidr_block()),
                    description: Some("HTTPS from the VPC".into()),
                    from_port: Some(443.into()),
                    to_port: Some(443.into()),
                    ..Ingress::new("tcp")
                },
                Ingress {
                    cidr_ipv6: Some(fns::select(0, vpc.attr_ipv6_cidr_blocks())),
                    description: Some("HTTPS from the VPC over IPv6".into()),
                    from_port: Some(443.into()),
                    to_port: Some(443.into()),
                    ..Ingress::new("tcp")
                },
            ]),
            ..CfnSecurityGroupProps::new("Service")
        },
    );
    app
}
