//! The JSON form of every intrinsic, parameter, condition and mapping.

use rcdk::{CfnResource, Value, expr, fns};
use rcdk_l1::ec2::{CfnVpc, CfnVpcProps};
use serde_json::json;

use crate::fixtures;
use crate::support::{resource, synth, synth_err, template};

#[test]
fn template_with_every_intrinsic_matches_snapshot() {
    let assembly = synth(&fixtures::intrinsics_app());
    insta::assert_json_snapshot!("intrinsics_template", template(&assembly, "intrinsics"));
}

#[test]
fn each_intrinsic_has_its_cloudformation_form() {
    let assembly = synth(&fixtures::intrinsics_app());
    let t = template(&assembly, "intrinsics");
    let function = resource(&assembly, "intrinsics", "Function");
    let env = &function["Properties"]["Environment"]["Variables"];
    assert_eq!(
        env["DB_USER"],
        json!({"Fn::Join": ["", ["{{resolve:secretsmanager:", {"Ref": "DbSecret"}, ":SecretString:username}}"]]})
    );
    assert_eq!(
        env["BASE_AMI"],
        json!("{{resolve:ssm:/platform/base-ami:3}}")
    );
    assert_eq!(
        env["SUBNETS"],
        json!({"Fn::Join": [",", {"Ref": "SubnetIds"}]})
    );
    assert_eq!(
        env["STAGE"],
        json!({"Fn::If": ["IsNotProd", "preview", {"Ref": "AWS::NoValue"}]})
    );
    assert_eq!(
        function["Properties"]["Runtime"],
        json!({"Fn::FindInMap": ["Runtimes", {"Ref": "AWS::Region"}, "Python"]})
    );
    assert_eq!(
        function["Properties"]["MemorySize"],
        json!({"Fn::If": ["IsDevOrTest", 128, 256]})
    );
    assert_eq!(
        function["Properties"]["VpcConfig"]["SubnetIds"],
        json!({"Fn::Split": [",", {"Fn::ImportValue": "platform:PrivateSubnetIds"}]})
    );
    assert_eq!(
        function["Properties"]["Code"]["ZipFile"],
        json!({"Fn::Base64": "def handler(event, context):\n    return 1\n"})
    );
    assert_eq!(function["DependsOn"], json!(["SubnetA"]));
    let subnet = resource(&assembly, "intrinsics", "SubnetB");
    assert_eq!(subnet["Condition"], json!("IsProdInVirginia"));
    assert_eq!(
        subnet["Properties"]["AvailabilityZone"],
        json!({"Fn::Select": [1, {"Fn::GetAZs": {"Ref": "AWS::Region"}}]})
    );
    assert_eq!(
        subnet["Properties"]["CidrBlock"],
        json!({"Fn::Select": [1, {"Fn::Cidr": [{"Fn::GetAtt": ["Vpc", "CidrBlock"]}, 4, 8]}]})
    );
    assert_eq!(
        resource(&assembly, "intrinsics", "SubnetA")["Properties"]["AvailabilityZone"],
        json!({"Fn::Select": [0, {"Fn::GetAZs": ""}]})
    );
    let conditions = &t["Conditions"];
    assert_eq!(
        conditions["IsProd"],
        json!({"Fn::Equals": [{"Ref": "EnvName"}, "prod"]})
    );
    assert_eq!(
        conditions["IsNotProd"],
        json!({"Fn::Not": [{"Condition": "IsProd"}]})
    );
    assert_eq!(
        conditions["IsProdInVirginia"],
        json!({"Fn::And": [{"Condition": "IsProd"}, {"Fn::Equals": [{"Ref": "AWS::Region"}, "us-east-1"]}]})
    );
    assert_eq!(
        conditions["IsDevOrTest"]["Fn::Or"].as_array().map(Vec::len),
        Some(2)
    );
    // Sub: a same-stack Ref variable is written inline; pseudo parameters stay as they are.
    assert_eq!(
        resource(&assembly, "intrinsics", "Parameter")["Properties"]["Value"],
        json!({"Fn::Sub": "${EnvName}-${AWS::Region}"})
    );
    let outputs = &t["Outputs"];
    assert_eq!(
        outputs["Subnets"]["Export"],
        json!({"Name": {"Fn::Sub": "${AWS::StackName}-subnets"}})
    );
    assert_eq!(
        outputs["Subnets"]["Value"],
        json!({"Fn::Join": [",", [{"Ref": "Vpc"}, {"Ref": "AWS::StackName"}, "literal"]]})
    );
    assert_eq!(
        outputs["ProdSubnet"]["Condition"],
        json!("IsProdInVirginia")
    );
    let params = &t["Parameters"];
    assert_eq!(
        params["EnvName"]["AllowedValues"],
        json!(["dev", "test", "prod"])
    );
    assert_eq!(params["LogRetentionDays"]["Type"], json!("Number"));
    assert_eq!(
        params["SubnetIds"]["Type"],
        json!("List<AWS::EC2::Subnet::Id>")
    );
    assert_eq!(
        t["Mappings"]["Runtimes"]["us-east-1"]["Python"],
        json!("python3.12")
    );
}

#[test]
fn pseudo_parameters_render_as_refs() {
    let app = crate::fixtures::app();
    let s = crate::fixtures::stack(&app, "pseudo");
    let all = [
        fns::account_id(),
        fns::region(),
        fns::partition(),
        fns::stack_name(),
        fns::stack_id(),
        fns::url_suffix(),
        fns::join_list(",", fns::notification_arns()),
    ];
    CfnResource::raw(
        &s,
        "Thing",
        "AWS::SSM::Parameter",
        Value::object([("Value", Value::list(all))]),
    );
    let assembly = synth(&app);
    assert_eq!(
        resource(&assembly, "pseudo", "Thing")["Properties"]["Value"],
        json!([
            {"Ref": "AWS::AccountId"}, {"Ref": "AWS::Region"}, {"Ref": "AWS::Partition"},
            {"Ref": "AWS::StackName"}, {"Ref": "AWS::StackId"}, {"Ref": "AWS::URLSuffix"},
            {"Fn::Join": [",", {"Ref": "AWS::NotificationARNs"}]}
        ])
    );
}

#[test]
fn sub_keeps_non_inlinable_variables_in_the_map() {
    let app = crate::fixtures::app();
    let s = crate::fixtures::stack(&app, "sub");
    let vpc = CfnVpc::new(
        &s,
        "Vpc",
        CfnVpcProps {
            cidr_block: Some("10.0.0.0/16".into()),
            ..Default::default()
        },
    );
    let value = fns::sub_with(
        "${Vpc}/${Attr}/${Joined}/${!Literal}",
        [
            ("Vpc", vpc.ref_()),
            ("Attr", vpc.attr_cidr_block()),
            ("Joined", fns::join("-", [fns::region(), vpc.ref_()])),
        ],
    );
    CfnResource::raw(
        &s,
        "P",
        "AWS::SSM::Parameter",
        Value::object([("Value", Value::from(value))]),
    );
    let assembly = synth(&app);
    assert_eq!(
        resource(&assembly, "sub", "P")["Properties"]["Value"],
        json!({"Fn::Sub": ["${Vpc}/${Vpc.CidrBlock}/${Joined}/${!Literal}", {"Joined": {"Fn::Join": ["-", [{"Ref": "AWS::Region"}, {"Ref": "Vpc"}]]}}]})
    );
}

#[test]
fn sub_with_an_undeclared_variable_is_an_error() {
    let app = crate::fixtures::app();
    let s = crate::fixtures::stack(&app, "sub");
    let value = fns::sub("arn:${AWS::Partition}:s3:::${Bucket}");
    CfnResource::raw(
        &s,
        "P",
        "AWS::SSM::Parameter",
        Value::object([("Value", Value::from(value))]),
    );
    let err = synth_err(&app);
    assert!(
        err.mentions("uses ${Bucket}, which is neither a pseudo parameter nor a variable"),
        "{err}"
    );
    assert!(
        err.mentions("pass it in the variables of fns::sub_with"),
        "{err}"
    );
    assert_eq!(err.problems[0].path, "sub/P");
}

#[test]
fn and_or_take_two_to_ten_conditions() {
    let app = crate::fixtures::app();
    let s = crate::fixtures::stack(&app, "conds");
    rcdk::CfnCondition::new(&s, "Lonely", fns::and([fns::equals("a", "b")]));
    CfnResource::raw(
        &s,
        "P",
        "AWS::SSM::Parameter",
        Value::object([("Value", Value::from("x"))]),
    );
    let err = synth_err(&app);
    assert!(
        err.mentions("Fn::And takes 2 to 10 conditions, got 1"),
        "{err}"
    );
}

#[test]
fn dynamic_references_keep_inner_empty_fields() {
    let r: rcdk::Expr<String> = expr::secrets_manager("db")
        .version_stage("AWSPREVIOUS")
        .into();
    let app = crate::fixtures::app();
    let s = crate::fixtures::stack(&app, "dyn");
    CfnResource::raw(
        &s,
        "P",
        "AWS::SSM::Parameter",
        Value::object([("Value", Value::from(r))]),
    );
    let assembly = synth(&app);
    assert_eq!(
        resource(&assembly, "dyn", "P")["Properties"]["Value"],
        json!("{{resolve:secretsmanager:db:SecretString::AWSPREVIOUS}}")
    );
}
