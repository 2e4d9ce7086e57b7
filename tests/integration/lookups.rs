//! Lookups at synthesis (`rcdk::lookup`): a value read from the account, cached in
//! `cdk.context.json` so synthesis stays deterministic; the CLI performs missing ones
//! with the caller's credentials, `--no-lookups` refuses them, `rcdk context` lists and
//! resets the cache. The app the CLI runs here is this test binary (`lookups::app`).

use rcdk::{App, CfnResource, Environment, Stack, StackProps, Value};
use rcdk_constructs::data::{RedisCluster, RedisClusterProps};
use rcdk_constructs::network::{Vpc, VpcLookup};
use serde_json::{Value as J, json};

use crate::accounts::{ADMIN, CALLER, DEV, between, keys_in, rcdk_as};
use crate::fixtures::stack;
use crate::local_endpoint::{Moto, json_call, json_call_as, rcdk_command, text};

const KEY: &str = "ssm:account=123456789012:parameterName=/platform/web/ami:region=us-east-1";
const ZONE_KEY: &str = "hosted-zone:account=123456789012:domainName=example.org:region=us-east-1";
const VPC_KEY: &str = "vpc-provider:account=123456789012:filter.tag:Name=shared:region=us-east-1:returnAsymmetricSubnets=true";
const AMI_KEY: &str = "ami:account=123456789012:filters.image-type.0=machine:filters.name.0=amzn-ami-vpc-nat-2018.03.0.*:filters.state.0=available:owners.0=amazon:region=us-east-1";
/// Moto's one Amazon image of that name.
const MOTO_NAT_AMI: &str = "ami-00a36856283d67c39";
const PREFIX_LIST_KEY: &str =
    "prefix-list:account=123456789012:prefixListName=com.amazonaws.us-east-1.s3:region=us-east-1";

/// The lookup of the VPC named `shared` (VPC_KEY).
fn shared_vpc_lookup() -> VpcLookup {
    VpcLookup {
        vpc_name: Some("shared".into()),
        ..Default::default()
    }
}

fn web_stack(app: &App) {
    let stack = stack(app, "web");
    let ami = rcdk::lookup::string_parameter(&stack, "/platform/web/ami");
    CfnResource::raw(
        &stack,
        "Image",
        "AWS::SSM::Parameter",
        Value::object([("Type", Value::from("String")), ("Value", Value::from(ami))]),
    );
    // S3's addresses, as a security group's egress through a gateway endpoint names them.
    let s3 = rcdk::lookup::prefix_list(&stack, "com.amazonaws.us-east-1.s3");
    CfnResource::raw(
        &stack,
        "S3Addresses",
        "AWS::SSM::Parameter",
        Value::object([("Type", Value::from("String")), ("Value", Value::from(s3))]),
    );
    let zone = rcdk_constructs::dns::HostedZone::from_lookup(&stack, "example.org");
    CfnResource::raw(
        &stack,
        "Www",
        "AWS::Route53::RecordSet",
        Value::object([
            ("HostedZoneId", Value::from(zone.zone_id())),
            ("Name", Value::from(zone.fqdn("www"))),
            ("Type", Value::from("CNAME")),
            ("TTL", Value::from("300")),
            (
                "ResourceRecords",
                Value::list([Value::from("web.example.net")]),
            ),
        ]),
    );
    // A VPC another team runs, and a cache placed in its subnets.
    let vpc = Vpc::from_lookup(&stack, "Shared", shared_vpc_lookup());
    RedisCluster::new(&stack, "Cache", RedisClusterProps::new(&vpc));
    let image = rcdk::lookup::machine_image(
        &stack,
        &rcdk::lookup::MachineImageLookup {
            name: "amzn-ami-vpc-nat-2018.03.0.*".into(),
            owners: vec!["amazon".into()],
            ..Default::default()
        },
    );
    CfnResource::raw(
        &stack,
        "Nat",
        "AWS::EC2::LaunchTemplate",
        Value::object([(
            "LaunchTemplateData",
            Value::object([("ImageId", Value::from(image))]),
        )]),
    );
}

/// A service of the team's own, placed in the looked-up VPC (the stack the CLI test deploys).
fn service_stack(app: &App) {
    use rcdk_constructs::containers::{
        Cluster, ClusterProps, ContainerImage, ContainerProps, FargateService, FargateServiceProps,
        FargateTaskDefinition, FargateTaskDefinitionProps,
    };
    let stack = stack(app, "web-service");
    let vpc = Vpc::from_lookup(&stack, "Shared", shared_vpc_lookup());
    let cluster = Cluster::new(&stack, "Cluster", ClusterProps::default());
    let task = FargateTaskDefinition::new(&stack, "ApiTask", FargateTaskDefinitionProps::default());
    task.add_container(
        "api",
        ContainerProps::new(ContainerImage::ecr("api", "1.0.0")),
    );
    FargateService::new(
        &stack,
        "Api",
        FargateServiceProps::new(&cluster, &task, &vpc),
    );
}

/// The resources of `template` of `type_`.
fn of_type<'a>(template: &'a J, type_: &str) -> Vec<&'a J> {
    template["Resources"]
        .as_object()
        .expect("resources")
        .values()
        .filter(|r| r["Type"] == type_)
        .collect()
}

/// A looked-up VPC as cdk.context.json holds it (the AWS CDK's answer).
fn shared_vpc() -> J {
    let subnet = |id: &str, az: &str, table: &str| json!({"subnetId": id, "cidr": "10.9.0.0/24", "availabilityZone": az, "routeTableId": table});
    json!({
        "vpcId": "vpc-0shared", "vpcCidrBlock": "10.9.0.0/16", "availabilityZones": [],
        "subnetGroups": [
            {"name": "Public", "type": "Public", "subnets": [subnet("subnet-pa", "us-east-1a", "rtb-p"), subnet("subnet-pb", "us-east-1b", "rtb-p")]},
            {"name": "Private", "type": "Private", "subnets": [subnet("subnet-qa", "us-east-1a", "rtb-qa"), subnet("subnet-qb", "us-east-1b", "rtb-qb")]},
        ],
    })
}

/// The app the CLI tests run (`--app "<this binary> --ignored --exact lookups::app"`).
#[test]
#[ignore = "the app the lookup tests run through the CLI, not a test of its own"]
fn app() {
    let app = App::new();
    web_stack(&app);
    service_stack(&app);
    app.synth().expect("the app synthesizes");
}

/// The app of the cross-account test: a stack of another account reading its parameter.
#[test]
#[ignore = "the app the cross-account lookup test runs through the CLI, not a test of its own"]
fn other_account_app() {
    let app = App::new();
    let stack = Stack::new(
        &app,
        "dev-web",
        StackProps {
            env: Environment::new(DEV, "us-east-1"),
            ..Default::default()
        },
    );
    let ami = rcdk::lookup::string_parameter(&stack, "/platform/web/ami");
    CfnResource::raw(
        &stack,
        "Image",
        "AWS::SSM::Parameter",
        Value::object([("Type", Value::from("String")), ("Value", Value::from(ami))]),
    );
    app.synth().expect("the app synthesizes");
}

#[test]
fn another_accounts_values_are_looked_up_through_its_bootstrapped_lookup_role() {
    let moto = Moto::start();
    let dev = keys_in(&moto, DEV);
    json_call_as(
        moto.port,
        &dev.id,
        "ssm",
        "AmazonSSM.PutParameter",
        &json!({"Name": "/platform/web/ami", "Value": "ami-0dev", "Type": "String"}).to_string(),
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let exe = std::env::current_exe().expect("this test binary");
    let app_cmd = format!(
        "{} --ignored --exact lookups::other_account_app -q",
        exe.display()
    );
    let synth = || {
        let out = rcdk_command(&moto.endpoint(), &["--app", &app_cmd, "synth", "-q"])
            .current_dir(dir.path())
            .output()
            .expect("rcdk runs");
        let (stdout, stderr) = text(&out);
        (out.status.success(), format!("{stdout}{stderr}"))
    };

    // Not bootstrapped: the role cannot be assumed; the message names it and the fix.
    let (ok, said) = synth();
    assert!(!ok, "{said}");
    assert!(
        said.contains(&format!(
            "cannot assume arn:aws:iam::{DEV}:role/rcdk-lookup-role-{DEV}-us-east-1 in account {DEV} from account {CALLER}"
        )) && said.contains(&format!("rcdk bootstrap aws://{DEV}/us-east-1 --trust {CALLER}")),
        "{said}"
    );
    assert!(!dir.path().join("cdk.context.json").exists());

    let out = rcdk_as(
        &moto,
        Some(&dev),
        &[
            "bootstrap",
            &format!("aws://{DEV}/us-east-1"),
            "--trust",
            CALLER,
            "--execution-policy",
            ADMIN,
        ],
    );
    assert!(out.status.success(), "{:?}", text(&out));
    let (ok, said) = synth();
    assert!(ok, "{said}");
    let cache: J = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("cdk.context.json")).expect("cache"),
    )
    .expect("JSON");
    assert_eq!(
        cache,
        json!({format!("ssm:account={DEV}:parameterName=/platform/web/ami:region=us-east-1"): "ami-0dev"}),
        "dev's value, read with dev's lookup role, not the caller's account's"
    );
}

#[test]
fn a_cached_answer_is_used_and_a_missing_one_is_a_placeholder_and_a_missing_lookup() {
    let cached = App::with_context(
        [
            (KEY.to_owned(), serde_json::json!("ami-0123")),
            (
                ZONE_KEY.to_owned(),
                serde_json::json!({"Id": "/hostedzone/Z0EXAMPLE", "Name": "example.org."}),
            ),
            (VPC_KEY.to_owned(), shared_vpc()),
            (AMI_KEY.to_owned(), json!("ami-0fedcba")),
            (PREFIX_LIST_KEY.to_owned(), json!("pl-63a5400a")),
        ]
        .into(),
        "cdk.out",
    );
    web_stack(&cached);
    let out = cached.synthesize().expect("synthesizes");
    assert!(out.missing.is_empty());
    assert_eq!(
        out.stacks[0].template["Resources"]["Image"]["Properties"]["Value"],
        "ami-0123"
    );
    assert_eq!(
        out.stacks[0].template["Resources"]["Www"]["Properties"]["HostedZoneId"],
        "Z0EXAMPLE"
    );
    // The cache is in the looked-up VPC's private subnets; the VPC itself is not made.
    let template = &out.stacks[0].template;
    assert!(of_type(template, "AWS::EC2::VPC").is_empty());
    assert_eq!(
        of_type(template, "AWS::ElastiCache::SubnetGroup")[0]["Properties"]["SubnetIds"],
        json!(["subnet-qa", "subnet-qb"])
    );
    assert_eq!(
        of_type(template, "AWS::EC2::SecurityGroup")[0]["Properties"]["VpcId"],
        "vpc-0shared"
    );
    assert_eq!(
        template["Resources"]["Nat"]["Properties"]["LaunchTemplateData"]["ImageId"],
        "ami-0fedcba"
    );
    assert_eq!(
        template["Resources"]["S3Addresses"]["Properties"]["Value"],
        "pl-63a5400a"
    );

    let fresh = App::with_context(Default::default(), "cdk.out");
    web_stack(&fresh);
    let out = fresh.synthesize().expect("synthesizes with a placeholder");
    let keys: Vec<(&str, &str)> = out
        .missing
        .iter()
        .map(|m| (m.key.as_str(), m.provider.as_str()))
        .collect();
    assert_eq!(
        keys,
        [
            (AMI_KEY, "ami"),
            (ZONE_KEY, "hosted-zone"),
            (PREFIX_LIST_KEY, "prefix-list"),
            (KEY, "ssm"),
            (VPC_KEY, "vpc-provider")
        ]
    );
    assert_eq!(
        out.stacks[0].template["Resources"]["S3Addresses"]["Properties"]["Value"],
        "pl-00000000"
    );
    assert_eq!(
        out.manifest()["missing"][4]["props"],
        json!({
            "account": "123456789012", "region": "us-east-1",
            "filter": {"tag:Name": "shared"}, "returnAsymmetricSubnets": true,
            "dummyValue": out.manifest()["missing"][4]["props"]["dummyValue"],
            // Assumed when the caller is of another account (not part of the key).
            "lookupRoleArn": "arn:${AWS::Partition}:iam::123456789012:role/rcdk-lookup-role-123456789012-us-east-1",
        })
    );
    assert_eq!(
        out.stacks[0].template["Resources"]["Www"]["Properties"]["HostedZoneId"],
        "DUMMY"
    );
    assert_eq!(
        out.stacks[0].template["Resources"]["Image"]["Properties"]["Value"],
        "dummy-value-for-/platform/web/ami"
    );
    assert_eq!(
        out.manifest()["missing"][3]["props"]["parameterName"],
        "/platform/web/ami"
    );

    // A lookup needs an account and region to look in.
    let agnostic = App::with_context(Default::default(), "cdk.out");
    let stack = Stack::new(&agnostic, "anywhere", StackProps::default());
    let value = rcdk::lookup::string_parameter(&stack, "/x");
    CfnResource::raw(
        &stack,
        "P",
        "AWS::SNS::Topic",
        Value::object([("DisplayName", Value::from(value))]),
    );
    let err = agnostic.synthesize().expect_err("no environment");
    assert!(
        err.to_string()
            .contains("Environment::new(ACCOUNT, REGION)"),
        "{err}"
    );
}

#[test]
fn a_vpc_lookup_must_name_its_vpc_and_a_wrong_cached_answer_says_how_to_fix_it() {
    let app = App::with_context(Default::default(), "cdk.out");
    let stack = stack(&app, "web");
    Vpc::from_lookup(&stack, "Any", VpcLookup::default());
    let err = app.synthesize().expect_err("an empty lookup");
    assert!(
        err.to_string()
            .contains("web/Any: VpcLookup: name the VPC by vpc_id, vpc_name, tags or is_default"),
        "{err}"
    );

    let app = App::with_context(
        [(VPC_KEY.to_owned(), json!({"vpcId": "vpc-1"}))].into(),
        "cdk.out",
    );
    let stack = crate::fixtures::stack(&app, "web");
    let vpc = Vpc::from_lookup(&stack, "Shared", shared_vpc_lookup());
    assert_eq!(vpc.az_count(), 0);
    let err = app.synthesize().expect_err("an answer of the wrong shape");
    assert!(
        err.to_string().contains("not a VPC with subnetGroups")
            && err.to_string().contains("rcdk context --reset"),
        "{err}"
    );
}

#[test]
fn the_cli_looks_up_caches_and_resets_and_no_lookups_refuses() {
    let moto = Moto::start();
    let put = |value: &str| {
        json_call(
            moto.port,
            "us-east-1",
            "ssm",
            "AmazonSSM.PutParameter",
            &serde_json::json!({"Name": "/platform/web/ami", "Value": value, "Type": "String", "Overwrite": true}).to_string(),
        )
    };
    put("ami-0123");
    let zone_id = crate::local_endpoint::route53_create_zone(moto.port, "example.org");
    let vpc = SharedVpc::create(moto.port);
    let dir = tempfile::tempdir().expect("tempdir");
    let exe = std::env::current_exe().expect("this test binary");
    let app_cmd = format!("{} --ignored --exact lookups::app -q", exe.display());
    let run = |args: &[&str]| {
        let mut all = vec!["--app", app_cmd.as_str()];
        all.extend_from_slice(args);
        let out = rcdk_command(&moto.endpoint(), &all)
            .current_dir(dir.path())
            .output()
            .expect("rcdk runs");
        let (stdout, stderr) = text(&out);
        (out.status.code(), format!("{stdout}{stderr}"))
    };
    let template =
        || std::fs::read_to_string(dir.path().join("cdk.out/web.template.json")).expect("template");

    let (code, said) = run(&["synth", "-q", "--no-lookups"]);
    assert_eq!(code, Some(2), "{said}");
    assert!(
        said.contains("SSM parameter /platform/web/ami in 123456789012/us-east-1")
            && said.contains("cdk.context.json"),
        "{said}"
    );

    let (code, said) = run(&["synth", "-q"]);
    assert_eq!(code, Some(0), "{said}");
    assert!(
        said.contains("looked up SSM parameter /platform/web/ami"),
        "{said}"
    );
    assert!(template().contains("ami-0123"));
    assert!(
        template().contains(&format!("\"HostedZoneId\": \"{zone_id}\"")),
        "{}",
        template()
    );
    let cache: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("cdk.context.json")).expect("cache"),
    )
    .expect("json");
    assert_eq!(
        cache,
        serde_json::json!({
            ZONE_KEY: {"Id": format!("/hostedzone/{zone_id}"), "Name": "example.org."},
            KEY: "ami-0123",
            VPC_KEY: vpc.expected_answer(),
            AMI_KEY: MOTO_NAT_AMI,
            PREFIX_LIST_KEY: s3_prefix_list(moto.port),
        })
    );
    // The cache went into the private subnets (those routed through NAT), not the
    // isolated ones.
    let synthesized: J = serde_json::from_str(&template()).expect("JSON");
    assert_eq!(
        of_type(&synthesized, "AWS::ElastiCache::SubnetGroup")[0]["Properties"]["SubnetIds"],
        json!(vpc.private)
    );

    // The service deploys into the VPC made outside the app: its tasks run in the
    // NAT-routed subnets, and its security group is made in that VPC (the endpoint
    // refuses a group of a VPC that does not exist).
    let service: J = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("cdk.out/web-service.template.json"))
            .expect("template"),
    )
    .expect("JSON");
    assert_eq!(
        of_type(&service, "AWS::ECS::Service")[0]["Properties"]["NetworkConfiguration"]["AwsvpcConfiguration"]
            ["Subnets"],
        json!(vpc.private)
    );
    let (code, said) = run(&["deploy", "web-service", "--require-approval", "never"]);
    assert_eq!(code, Some(0), "{said}");
    let groups = crate::local_endpoint::http_post(
        moto.port,
        "ec2",
        &format!(
            "Action=DescribeSecurityGroups&Version=2016-11-15&Filter.1.Name=vpc-id&Filter.1.Value.1={}",
            vpc.id
        ),
    );
    assert!(groups.contains("<groupName>web-service-"), "{groups}");

    // The cache answers from now on, whatever the account holds: synthesis is repeatable.
    put("ami-0456");
    let (code, said) = run(&["synth", "-q", "--no-lookups"]);
    assert_eq!(code, Some(0), "{said}");
    assert!(template().contains("ami-0123"));

    let (_, listed) = run(&["context"]);
    assert!(
        listed.contains(&format!("4  {KEY}  \"ami-0123\"")),
        "{listed}"
    );
    let (code, said) = run(&["context", "--reset", "4"]);
    assert_eq!(code, Some(0), "{said}");
    let (code, said) = run(&["synth", "-q"]);
    assert_eq!(code, Some(0), "{said}");
    assert!(template().contains("ami-0456"), "looked up again");
    let (code, _) = run(&["context", "--clear"]);
    assert_eq!(code, Some(0));
    let (_, listed) = run(&["context"]);
    assert!(listed.contains("no cached lookups"), "{listed}");
}

/// The id moto gives S3's managed prefix list in us-east-1 (made when the region is).
fn s3_prefix_list(port: u16) -> String {
    let answer = crate::local_endpoint::http_post(
        port,
        "ec2",
        "Action=DescribeManagedPrefixLists&Version=2016-11-15&Filter.1.Name=prefix-list-name&Filter.1.Value.1=com.amazonaws.us-east-1.s3",
    );
    let start = answer.find("<prefixListId>").expect("a prefix list") + "<prefixListId>".len();
    let end = answer[start..].find('<').expect("its end") + start;
    answer[start..end].to_owned()
}

/// A VPC made in moto by plain EC2 calls, as another team's tooling would: public
/// subnets routed to an internet gateway, private ones through a NAT gateway, an
/// isolated one (tagged into a group `Data`) on the main route table; and a second VPC
/// the lookup must not match.
struct SharedVpc {
    id: String,
    main_table: String,
    public_table: String,
    private_table: String,
    public: Vec<String>,
    private: Vec<String>,
    isolated: String,
}

impl SharedVpc {
    fn create(port: u16) -> SharedVpc {
        let ec2 = |params: &str| {
            crate::local_endpoint::http_post(port, "ec2", &format!("{params}&Version=2016-11-15"))
        };
        let id_of = |answer: String, tag: &str| -> String {
            between(&answer, &format!("<{tag}>"), &format!("</{tag}>")).to_owned()
        };
        let tag = |resource: &str, key: &str, value: &str| {
            ec2(&format!(
                "Action=CreateTags&ResourceId.1={resource}&Tag.1.Key={key}&Tag.1.Value={value}"
            ))
        };
        let other = id_of(ec2("Action=CreateVpc&CidrBlock=10.8.0.0/16"), "vpcId");
        tag(&other, "Name", "other");
        let id = id_of(ec2("Action=CreateVpc&CidrBlock=10.9.0.0/16"), "vpcId");
        tag(&id, "Name", "shared");
        let subnet = |cidr: &str, az: &str| {
            id_of(
                ec2(&format!(
                    "Action=CreateSubnet&VpcId={id}&CidrBlock={cidr}&AvailabilityZone={az}"
                )),
                "subnetId",
            )
        };
        let public = vec![
            subnet("10.9.0.0/24", "us-east-1a"),
            subnet("10.9.1.0/24", "us-east-1b"),
        ];
        let private = vec![
            subnet("10.9.16.0/20", "us-east-1a"),
            subnet("10.9.32.0/20", "us-east-1b"),
        ];
        let isolated = subnet("10.9.64.0/24", "us-east-1a");
        tag(&isolated, "aws-cdk:subnet-name", "Data");
        let igw = id_of(ec2("Action=CreateInternetGateway"), "internetGatewayId");
        ec2(&format!(
            "Action=AttachInternetGateway&InternetGatewayId={igw}&VpcId={id}"
        ));
        let table = |route: &str, subnets: &[String]| {
            let table = id_of(
                ec2(&format!("Action=CreateRouteTable&VpcId={id}")),
                "routeTableId",
            );
            ec2(&format!(
                "Action=CreateRoute&RouteTableId={table}&DestinationCidrBlock=0.0.0.0%2F0&{route}"
            ));
            for s in subnets {
                ec2(&format!(
                    "Action=AssociateRouteTable&RouteTableId={table}&SubnetId={s}"
                ));
            }
            table
        };
        let public_table = table(&format!("GatewayId={igw}"), &public);
        let eip = id_of(ec2("Action=AllocateAddress&Domain=vpc"), "allocationId");
        let nat = id_of(
            ec2(&format!(
                "Action=CreateNatGateway&SubnetId={}&AllocationId={eip}",
                public[0]
            )),
            "natGatewayId",
        );
        let private_table = table(&format!("NatGatewayId={nat}"), &private);
        let main_table = id_of(
            ec2(&format!(
                "Action=DescribeRouteTables&Filter.1.Name=vpc-id&Filter.1.Value.1={id}&Filter.2.Name=association.main&Filter.2.Value.1=true"
            )),
            "routeTableId",
        );
        SharedVpc {
            id,
            main_table,
            public_table,
            private_table,
            public,
            private,
            isolated,
        }
    }

    fn expected_answer(&self) -> J {
        let subnets = |ids: &[String], cidrs: &[&str], azs: &[&str], table: &str| -> Vec<J> {
            ids.iter()
                .zip(cidrs)
                .zip(azs)
                .map(|((id, cidr), az)| {
                    json!({"subnetId": id, "cidr": cidr, "availabilityZone": az, "routeTableId": table})
                })
                .collect()
        };
        let azs = ["us-east-1a", "us-east-1b"];
        json!({
            "vpcId": self.id, "vpcCidrBlock": "10.9.0.0/16", "ownerAccountId": "123456789012",
            "availabilityZones": [],
            "subnetGroups": [
                {"name": "Public", "type": "Public",
                 "subnets": subnets(&self.public, &["10.9.0.0/24", "10.9.1.0/24"], &azs, &self.public_table)},
                {"name": "Private", "type": "Private",
                 "subnets": subnets(&self.private, &["10.9.16.0/20", "10.9.32.0/20"], &azs, &self.private_table)},
                {"name": "Data", "type": "Isolated",
                 "subnets": subnets(std::slice::from_ref(&self.isolated), &["10.9.64.0/24"], &azs, &self.main_table)},
            ],
        })
    }
}
