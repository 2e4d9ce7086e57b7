//! ECS on EC2: the capacity (launch template, instance role and profile, mixed-instances
//! Auto Scaling group, capacity provider with managed scaling, termination protection
//! and draining, the cluster's default strategy), bridge-mode services behind an
//! instance target group, step scaling, validations, cfn-lint.

use rcdk_constructs::containers::{
    Cluster, ClusterProps, ContainerImage, ContainerProps, Ec2Capacity, Ec2CapacityProps,
    Ec2Service, Ec2ServiceProps, Ec2TaskDefinition, Ec2TaskDefinitionProps, MetadataAccess,
    NetworkMode, StepScaling,
};
use rcdk_constructs::load_balancing::{
    AlbProps, ApplicationLoadBalancer, HttpsListenerProps, ListenerAction, TargetGroup,
    TargetGroupProps, TargetType,
};
use serde_json::{Value as J, json};

use crate::fixtures::{app, stack};
use crate::l2_fixtures::{CERTIFICATE, dev_vpc};
use crate::support::{assert_cfn_lint_clean, resource, synth, synth_err};

struct Built {
    app: rcdk::App,
}

fn build(change: impl FnOnce(&mut Ec2CapacityProps), target: TargetType) -> Built {
    let a = app();
    let s = stack(&a, "ec2");
    let vpc = dev_vpc(&s);
    let cluster = Cluster::new(&s, "Cluster", ClusterProps::default());
    let mut props = Ec2CapacityProps {
        min_capacity: 1,
        max_capacity: 4,
        on_demand_base: 1,
        spot_percent: 50,
        ..Ec2CapacityProps::new(&cluster, &vpc, &["m7g.large", "c7g.large"])
    };
    change(&mut props);
    let capacity = Ec2Capacity::new(&s, "Capacity", props);
    // What the capacity creates meets every posture rule (IMDSv2, no public IP,
    // customer-key volumes, least-privilege roles).
    rcdk_constructs::posture::enforce(&capacity);
    let task = Ec2TaskDefinition::new(
        &s,
        "Task",
        Ec2TaskDefinitionProps {
            cpu: 512,
            memory: rcdk_constructs::units::Size::gibibytes(1),
            ..Default::default()
        },
    );
    task.add_container(
        "web",
        ContainerProps {
            port_mappings: vec![8080],
            ..ContainerProps::new(ContainerImage::ecr("web", "1.4.2"))
        },
    );
    let service = Ec2Service::new(&s, "Web", Ec2ServiceProps::new(&capacity, &task, &vpc));
    let alb = ApplicationLoadBalancer::new(&s, "Alb", AlbProps::new(&vpc));
    let targets = TargetGroup::new(
        &s,
        "Targets",
        TargetGroupProps {
            target_type: target,
            ..TargetGroupProps::new(&vpc, 8080)
        },
    );
    alb.add_https_listener(
        "Https",
        HttpsListenerProps {
            certificate_arn: Some(CERTIFICATE.into()),
            default_action: ListenerAction::Forward(targets.clone()),
            ..HttpsListenerProps::default()
        },
    );
    service.attach_to(&targets, &alb);
    service
        .auto_scale(2, 8)
        .scale_on_steps("Cpu", StepScaling::new(service.metric_cpu(), 75.0, 25.0));
    Built { app: a }
}

fn props_of<'a>(assembly: &'a rcdk::CloudAssembly, id: &str) -> &'a J {
    &resource(assembly, "ec2", id)["Properties"]
}

fn find<'a>(assembly: &'a rcdk::CloudAssembly, ty: &str) -> Vec<(&'a String, &'a J)> {
    assembly.stack("ec2").expect("stack").template["Resources"]
        .as_object()
        .expect("resources")
        .iter()
        .filter(|(_, r)| r["Type"] == ty)
        .collect()
}

#[test]
fn ec2_capacity_launches_hardened_instances_behind_a_managed_capacity_provider() {
    let b = build(|_| {}, TargetType::Instance);
    let a = synth(&b.app);
    let t = &a.stack("ec2").expect("stack").template;
    assert_eq!(
        t["Parameters"]["CapacityAmi"],
        json!({"Type": "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>",
               "Default": "/aws/service/ecs/optimized-ami/amazon-linux-2023/arm64/recommended/image_id",
               "Description": "The ECS-optimized Amazon Linux 2023 AMI of ec2/Capacity, resolved at each deploy"})
    );
    let data = &props_of(&a, "CapacityLaunchTemplate")["LaunchTemplateData"];
    assert_eq!(data["ImageId"], json!({"Ref": "CapacityAmi"}));
    assert_eq!(
        data["MetadataOptions"],
        json!({"HttpEndpoint": "enabled", "HttpPutResponseHopLimit": 1, "HttpTokens": "required"})
    );
    assert_eq!(data["Monitoring"], json!({"Enabled": true}));
    assert_eq!(
        data["BlockDeviceMappings"],
        json!([{"DeviceName": "/dev/xvda", "Ebs": {"DeleteOnTermination": true, "Encrypted": true,
            "KmsKeyId": {"Fn::GetAtt": ["StackKey", "Arn"]}, "VolumeSize": 30, "VolumeType": "gp3"}}])
    );
    assert_eq!(
        data["NetworkInterfaces"],
        json!([{"AssociatePublicIpAddress": false, "DeleteOnTermination": true, "DeviceIndex": 0,
            "Groups": [{"Fn::GetAtt": ["CapacitySecurityGroup", "GroupId"]}]}])
    );
    assert_eq!(
        data["UserData"],
        json!({"Fn::Base64": {"Fn::Sub": "#!/bin/bash\ncat >> /etc/ecs/ecs.config <<'EOF'\nECS_CLUSTER=${Cluster}\nECS_RESERVED_MEMORY=256\nECS_ENABLE_SPOT_INSTANCE_DRAINING=true\nECS_CONTAINER_INSTANCE_PROPAGATE_TAGS_FROM=ec2_instance\nEOF\n"}})
    );
    let role = props_of(&a, "CapacityInstanceRole");
    assert_eq!(
        role["AssumeRolePolicyDocument"]["Statement"],
        json!([{"Action": "sts:AssumeRole", "Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}}])
    );
    assert_eq!(
        role["ManagedPolicyArns"],
        json!([{"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role"}])
    );
    assert!(role.get("Policies").is_none());
    assert_eq!(
        props_of(&a, "CapacityInstanceProfile")["Roles"],
        json!([{"Ref": "CapacityInstanceRole"}])
    );
    let group = props_of(&a, "CapacityGroup");
    assert_eq!(
        (&group["MinSize"], &group["MaxSize"]),
        (&json!("1"), &json!("4"))
    );
    assert!(group.get("DesiredCapacity").is_none());
    assert_eq!(group["NewInstancesProtectedFromScaleIn"], true);
    assert_eq!(group["CapacityRebalance"], true);
    assert_eq!(
        group["VPCZoneIdentifier"],
        json!([{"Ref": "VpcPrivateSubnet1"}, {"Ref": "VpcPrivateSubnet2"}])
    );
    assert_eq!(
        group["MixedInstancesPolicy"],
        json!({
            "InstancesDistribution": {"OnDemandBaseCapacity": 1, "OnDemandPercentageAboveBaseCapacity": 50,
                "SpotAllocationStrategy": "price-capacity-optimized"},
            "LaunchTemplate": {
                "LaunchTemplateSpecification": {"LaunchTemplateId": {"Ref": "CapacityLaunchTemplate"},
                    "Version": {"Fn::GetAtt": ["CapacityLaunchTemplate", "LatestVersionNumber"]}},
                "Overrides": [{"InstanceType": "m7g.large"}, {"InstanceType": "c7g.large"}]}
        })
    );
    assert_eq!(
        props_of(&a, "CapacityCapacityProvider")["AutoScalingGroupProvider"],
        json!({"AutoScalingGroupArn": {"Ref": "CapacityGroup"}, "ManagedDraining": "ENABLED",
            "ManagedScaling": {"InstanceWarmupPeriod": 300, "MaximumScalingStepSize": 10,
                "MinimumScalingStepSize": 1, "Status": "ENABLED", "TargetCapacity": 100},
            "ManagedTerminationProtection": "ENABLED"})
    );
    assert_eq!(
        props_of(&a, "ClusterCapacityProviders"),
        &json!({"CapacityProviders": ["FARGATE", "FARGATE_SPOT", {"Ref": "CapacityCapacityProvider"}],
            "Cluster": {"Ref": "Cluster"},
            "DefaultCapacityProviderStrategy": [{"Base": 0, "CapacityProvider": {"Ref": "CapacityCapacityProvider"}, "Weight": 1}]})
    );
    // The Auto Scaling service-linked role may use the volume key, grants only for AWS resources.
    // (The stack's shared key: other constructs' statements are there too.)
    let key = props_of(&a, "StackKey")["KeyPolicy"]["Statement"].clone();
    let statements = key.as_array().cloned().unwrap_or_default();
    let slr = json!({"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"});
    let for_slr: Vec<&serde_json::Value> = statements
        .iter()
        .filter(|s| s["Principal"]["AWS"] == slr)
        .collect();
    assert_eq!(for_slr.len(), 2, "{key}");
    assert!(
        for_slr.iter().any(|s| s["Action"] == "kms:CreateGrant"
            && s["Condition"] == json!({"Bool": {"kms:GrantIsForAWSResource": "true"}})),
        "{key}"
    );
    let dir = tempfile::tempdir().expect("tempdir");
    b.app.synth_to(dir.path()).expect("synth");
    assert_cfn_lint_clean(&[dir.path().join("ec2.template.json")]);
}

#[test]
fn a_bridge_service_places_by_az_then_memory_and_takes_the_load_balancer_on_dynamic_ports_only() {
    let a = synth(&build(|_| {}, TargetType::Instance).app);
    let service = &resource(&a, "ec2", "WebService");
    let p = &service["Properties"];
    assert_eq!(
        p["CapacityProviderStrategy"],
        json!([{"Base": 0, "CapacityProvider": {"Ref": "CapacityCapacityProvider"}, "Weight": 1}])
    );
    assert_eq!(
        p["PlacementStrategies"],
        json!([{"Field": "attribute:ecs.availability-zone", "Type": "spread"}, {"Field": "memory", "Type": "binpack"}])
    );
    assert!(p.get("LaunchType").is_none() && p.get("NetworkConfiguration").is_none());
    assert_eq!(
        p["DeploymentConfiguration"]["DeploymentCircuitBreaker"],
        json!({"Enable": true, "Rollback": true})
    );
    assert_eq!(
        service["DependsOn"],
        json!(["AlbHttps", "ClusterCapacityProviders"])
    );
    let task = props_of(&a, "Task");
    assert_eq!(task["NetworkMode"], "bridge");
    assert_eq!(task["RequiresCompatibilities"], json!(["EC2"]));
    assert_eq!(
        task["ContainerDefinitions"][0]["PortMappings"],
        json!([{"ContainerPort": 8080, "HostPort": 0, "Protocol": "tcp"}])
    );
    assert_eq!(props_of(&a, "Targets")["TargetType"], "instance");
    // The only ingress of the instances: the load balancer, on the ephemeral range.
    let ingress = find(&a, "AWS::EC2::SecurityGroupIngress");
    assert_eq!(ingress.len(), 1);
    assert_eq!(
        ingress[0].1["Properties"],
        json!({"Description": "Load balancer to ec2/Web", "FromPort": 32768, "ToPort": 65535, "IpProtocol": "tcp",
            "GroupId": {"Fn::GetAtt": ["CapacitySecurityGroup", "GroupId"]},
            "SourceSecurityGroupId": {"Fn::GetAtt": ["AlbSecurityGroup", "GroupId"]}})
    );
    assert!(
        props_of(&a, "CapacitySecurityGroup")
            .get("SecurityGroupIngress")
            .is_none()
    );
}

#[test]
fn step_scaling_adds_a_task_at_75_percent_cpu_and_removes_one_at_25() {
    let a = synth(&build(|_| {}, TargetType::Instance).app);
    let policy = |id: &str| props_of(&a, id)["StepScalingPolicyConfiguration"].clone();
    assert_eq!(
        policy("WebScalingCpuOut"),
        json!({"AdjustmentType": "ChangeInCapacity", "Cooldown": 300, "MetricAggregationType": "Average",
            "StepAdjustments": [{"MetricIntervalLowerBound": 0.0, "ScalingAdjustment": 1}]})
    );
    assert_eq!(
        policy("WebScalingCpuIn")["StepAdjustments"],
        json!([{"MetricIntervalUpperBound": 0.0, "ScalingAdjustment": -1}])
    );
    let high = props_of(&a, "WebScalingCpuHighAlarm");
    assert_eq!(high["AlarmActions"], json!([{"Ref": "WebScalingCpuOut"}]));
    assert_eq!(high["ComparisonOperator"], "GreaterThanOrEqualToThreshold");
    assert_eq!(high["Threshold"], 75.0);
    assert_eq!(high["MetricName"], "CPUUtilization");
    let low = props_of(&a, "WebScalingCpuLowAlarm");
    assert_eq!(low["AlarmActions"], json!([{"Ref": "WebScalingCpuIn"}]));
    assert_eq!(low["ComparisonOperator"], "LessThanOrEqualToThreshold");
    assert_eq!(low["Threshold"], 25.0);
    // A group ECS does not scale takes step scaling on its instances' CPU.
    let a2 = synth(&build(|p| p.managed_scaling = None, TargetType::Instance).app);
    assert_eq!(
        props_of(&a2, "CapacityCapacityProvider")["AutoScalingGroupProvider"]["ManagedTerminationProtection"],
        "DISABLED"
    );
    assert_eq!(
        props_of(&a2, "CapacityGroup")["NewInstancesProtectedFromScaleIn"],
        false
    );
}

#[test]
fn bad_capacity_settings_name_the_fix() {
    let err = |change: fn(&mut Ec2CapacityProps), target| {
        synth_err(&build(change, target).app).to_string()
    };
    let e = err(
        |p| p.instance_types = vec!["m7g.large".into(), "m6i.large".into()],
        TargetType::Instance,
    );
    assert!(e.contains("ec2/Capacity: instance_types [\"m7g.large\", \"m6i.large\"] mix arm64 and x86 instances"), "{e}");
    let e = err(
        |p| {
            p.min_capacity = 5;
            p.spot_percent = 120;
        },
        TargetType::Instance,
    );
    assert!(e.contains("min_capacity 5 is above max_capacity 4"), "{e}");
    assert!(e.contains("spot_percent 120 is above 100"), "{e}");
    let e = err(
        |p| {
            p.metadata_access = MetadataAccess::Containers {
                reason: "needed".into(),
            }
        },
        TargetType::Instance,
    );
    assert!(
        e.contains("metadata_access Containers lets every container read the instance role"),
        "{e}"
    );
    // The task (1024 MiB) does not fit what a t4g.micro offers tasks.
    let e = err(
        |p| p.instance_types = vec!["t4g.micro".into()],
        TargetType::Instance,
    );
    assert!(
        e.contains("ec2/Web: the task needs 1024 MiB but a t4g.micro offers tasks about 662 MiB"),
        "{e}"
    );
    // Bridge tasks register instances, not IPs.
    let e = err(|_| {}, TargetType::Ip);
    assert!(
        e.contains("attach_to: a bridge-mode task registers Instance targets, and ec2/Targets takes Ip targets; set target_type: TargetType::Instance"),
        "{e}"
    );
}

#[test]
fn step_scaling_on_a_group_ecs_scales_is_refused_and_allowed_without_managed_scaling() {
    let group = |managed: bool| {
        let a = app();
        let s = stack(&a, "ec2");
        let vpc = dev_vpc(&s);
        let cluster = Cluster::new(&s, "Cluster", ClusterProps::default());
        let capacity = Ec2Capacity::new(
            &s,
            "Capacity",
            Ec2CapacityProps {
                managed_scaling: managed.then(Default::default),
                ..Ec2CapacityProps::new(&cluster, &vpc, &["m6i.large"])
            },
        );
        capacity.scale_on_steps("Cpu", StepScaling::new(capacity.metric_cpu(), 75.0, 25.0));
        a
    };
    let e = synth_err(&group(true)).to_string();
    assert!(
        e.contains(
            "ec2/Capacity: Cpu: ECS managed scaling sizes this group; step scaling would fight it"
        ),
        "{e}"
    );
    let a = synth(&group(false));
    let out = props_of(&a, "CapacityCpuOut");
    assert_eq!(
        out,
        &json!({"AutoScalingGroupName": {"Ref": "CapacityGroup"}, "PolicyType": "StepScaling",
            "AdjustmentType": "ChangeInCapacity", "MetricAggregationType": "Average", "EstimatedInstanceWarmup": 300,
            "StepAdjustments": [{"MetricIntervalLowerBound": 0.0, "ScalingAdjustment": 1}]})
    );
    let high = props_of(&a, "CapacityCpuHighAlarm");
    assert_eq!(high["Namespace"], "AWS/EC2");
    assert_eq!(
        high["Dimensions"],
        json!([{"Name": "AutoScalingGroupName", "Value": {"Ref": "CapacityGroup"}}])
    );
    assert_eq!(high["AlarmActions"], json!([{"Ref": "CapacityCpuOut"}]));
    // x86 instances get the x86 AMI.
    assert_eq!(
        a.stack("ec2").expect("stack").template["Parameters"]["CapacityAmi"]["Default"],
        "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id"
    );
}

#[test]
fn an_awsvpc_service_has_its_own_group_and_ip_targets() {
    let a = app();
    let s = stack(&a, "ec2");
    let vpc = dev_vpc(&s);
    let cluster = Cluster::new(&s, "Cluster", ClusterProps::default());
    let capacity = Ec2Capacity::new(
        &s,
        "Capacity",
        Ec2CapacityProps::new(&cluster, &vpc, &["m7g.large"]),
    );
    let task = Ec2TaskDefinition::new(
        &s,
        "Task",
        Ec2TaskDefinitionProps {
            network_mode: NetworkMode::AwsVpc,
            ..Default::default()
        },
    );
    task.add_container(
        "web",
        ContainerProps {
            port_mappings: vec![8080],
            ..ContainerProps::new(ContainerImage::ecr("web", "1"))
        },
    );
    let service = Ec2Service::new(&s, "Web", Ec2ServiceProps::new(&capacity, &task, &vpc));
    let alb = ApplicationLoadBalancer::new(&s, "Alb", AlbProps::new(&vpc));
    let targets = TargetGroup::new(&s, "Targets", TargetGroupProps::new(&vpc, 8080));
    alb.add_https_listener(
        "Https",
        HttpsListenerProps {
            certificate_arn: Some(CERTIFICATE.into()),
            default_action: ListenerAction::Forward(targets.clone()),
            ..HttpsListenerProps::default()
        },
    );
    service.attach_to(&targets, &alb);
    let a = synth(&a);
    let p = props_of(&a, "WebService");
    assert_eq!(
        p["NetworkConfiguration"]["AwsvpcConfiguration"]["SecurityGroups"],
        json!([{"Fn::GetAtt": ["WebSecurityGroup", "GroupId"]}])
    );
    assert_eq!(props_of(&a, "Task")["NetworkMode"], "awsvpc");
    assert!(
        props_of(&a, "Task")["ContainerDefinitions"][0]["PortMappings"][0]
            .get("HostPort")
            .is_none()
    );
    let ingress = find(&a, "AWS::EC2::SecurityGroupIngress");
    assert_eq!(ingress.len(), 1);
    assert_eq!(ingress[0].1["Properties"]["FromPort"], 8080);
    assert_eq!(
        ingress[0].1["Properties"]["GroupId"],
        json!({"Fn::GetAtt": ["WebSecurityGroup", "GroupId"]})
    );
}

/// The dev environment with both services on EC2 deploys to the local endpoint: the
/// group, its launch template and the capacity provider exist, the services run on it.
#[test]
fn an_environment_on_ec2_deploys_on_the_local_endpoint() {
    use crate::local_endpoint::{Moto, dev_assembly, rcdk, text};
    let config =
        std::fs::read_to_string(crate::support::root().join("apps/config/environments.yaml"))
            .expect("config");
    let ec2 = "      runs_on: ec2\n      ec2:\n        instance_types: [m7g.large]\n        min_instances: 1\n        max_instances: 2\n";
    // Both dev services on EC2 (the committed config runs them on Fargate).
    let dev_end = config.find("  staging:").expect("staging");
    let (dev, rest) = config.split_at(dev_end);
    let dev = dev
        .replacen(
            "      rate_limit_per_ip: 500\n",
            &format!("      rate_limit_per_ip: 500\n{ec2}"),
            1,
        )
        .replacen(
            "      max_receive_count: 5\n",
            &format!("      max_receive_count: 5\n{ec2}"),
            1,
        );
    assert_eq!(dev.matches("runs_on: ec2").count(), 2, "{dev}");
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("environments.yaml");
    std::fs::write(&file, format!("{dev}{rest}")).expect("write");
    let app = dev_assembly(&dir.path().join("cdk.out"), Some(&file));
    let moto = Moto::start();
    crate::e2e::bootstrap_dev(&moto);
    let run = rcdk(
        &moto.endpoint(),
        &[
            "deploy",
            "--all",
            "--app",
            &app.display().to_string(),
            "--require-approval",
            "never",
        ],
    );
    let (stdout, stderr) = text(&run);
    assert!(run.status.success(), "{stdout}\n{stderr}");
    for s in ["dev-workers", "dev-app", "dev-monitoring"] {
        assert!(stdout.contains(&format!("✅ {s}: deployed")), "{stdout}");
    }
    let groups = moto.query("autoscaling", "DescribeAutoScalingGroups", "2011-01-01");
    assert_eq!(
        groups.matches("<AutoScalingGroupName>").count(),
        2,
        "{groups}"
    );
    assert!(
        groups.contains("<InstanceType>m7g.large</InstanceType>") || groups.contains("m7g.large"),
        "{groups}"
    );
    let templates = moto.query("ec2", "DescribeLaunchTemplates", "2016-11-15");
    assert_eq!(
        templates.matches("<launchTemplateId>").count(),
        2,
        "{templates}"
    );
    let services = std::fs::read_to_string(app.join("dev-app.template.json")).expect("template");
    assert!(services.contains("\"CapacityProviderStrategy\""));
}

/// Tracing: the OpenTelemetry collector as a non-essential sidecar with its X-Ray
/// configuration, the application pointed at it (localhost in awsvpc, a link in bridge
/// mode) and started after it, the task role with X-Ray's write actions; a sampling rule
/// per environment; mistakes named.
#[test]
fn traced_tasks_get_the_collector_sidecar_and_x_ray_permissions_and_rules_are_checked() {
    use rcdk_constructs::containers::{
        ADOT_COLLECTOR_IMAGE, FargateTaskDefinition, FargateTaskDefinitionProps,
    };
    use rcdk_constructs::monitoring::{SamplingRule, SamplingRuleProps};
    let a = app();
    let s = stack(&a, "prod-app");
    let fargate = FargateTaskDefinition::new(&s, "Api", FargateTaskDefinitionProps::default());
    fargate.add_container(
        "api",
        ContainerProps::new(ContainerImage::ecr("api", "1.0.0")),
    );
    fargate.enable_tracing("prod-api");
    let bridge = Ec2TaskDefinition::new(
        &s,
        "Jobs",
        Ec2TaskDefinitionProps {
            cpu: 256,
            memory: rcdk_constructs::units::Size::mebibytes(512),
            ..Default::default()
        },
    );
    bridge.add_container(
        "jobs",
        ContainerProps::new(ContainerImage::ecr("jobs", "1.0.0")),
    );
    bridge.enable_tracing("prod-jobs");
    SamplingRule::new(
        &s,
        "Sampling",
        SamplingRuleProps {
            fixed_rate: 0.1,
            ..SamplingRuleProps::new("prod-*")
        },
    );
    let assembly = synth(&a);
    let containers = |id: &str| -> Vec<J> {
        resource(&assembly, "prod-app", id)["Properties"]["ContainerDefinitions"]
            .as_array()
            .expect("containers")
            .clone()
    };
    let env_of = |c: &J| -> std::collections::BTreeMap<String, J> {
        c["Environment"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|e| {
                (
                    e["Name"].as_str().unwrap_or_default().to_owned(),
                    e["Value"].clone(),
                )
            })
            .collect()
    };
    let api = containers("Api");
    assert_eq!(api.len(), 2);
    let collector = &api[1];
    assert_eq!(collector["Name"], "otel-collector");
    assert_eq!(collector["Image"], ADOT_COLLECTOR_IMAGE);
    assert_eq!(
        collector["Essential"], false,
        "traces stopping must not stop the service"
    );
    assert_eq!(
        collector["Command"],
        json!(["--config=/etc/ecs/ecs-xray.yaml"])
    );
    let app_env = env_of(&api[0]);
    assert_eq!(
        app_env["OTEL_EXPORTER_OTLP_ENDPOINT"],
        "http://localhost:4317"
    );
    assert_eq!(app_env["OTEL_SERVICE_NAME"], "prod-api");
    assert_eq!(app_env["OTEL_TRACES_SAMPLER"], "xray");
    assert_eq!(
        api[0]["DependsOn"],
        json!([{"Condition": "START", "ContainerName": "otel-collector"}])
    );
    assert!(api[0].get("Links").is_none());
    // Bridge mode: containers have their own networks; a link names the collector.
    let jobs = containers("Jobs");
    assert_eq!(
        env_of(&jobs[0])["OTEL_EXPORTER_OTLP_ENDPOINT"],
        "http://otel-collector:4317"
    );
    assert_eq!(jobs[0]["Links"], json!(["otel-collector"]));
    let role = resource(&assembly, "prod-app", "ApiTaskRole")["Properties"]["Policies"].to_string();
    for action in [
        "xray:PutTraceSegments",
        "xray:PutTelemetryRecords",
        "xray:GetSamplingRules",
        "xray:GetSamplingTargets",
    ] {
        assert!(role.contains(action), "{action}: {role}");
    }
    let rule = &resource(&assembly, "prod-app", "Sampling")["Properties"]["SamplingRule"];
    assert_eq!(rule["RuleName"], "prod-app-Sampling");
    assert_eq!(rule["ServiceName"], "prod-*");
    assert_eq!(rule["FixedRate"], 0.1);
    assert_eq!(rule["ReservoirSize"], 1);
    let dir = tempfile::tempdir().expect("tempdir");
    a.synth_to(dir.path()).expect("synth");
    assert_cfn_lint_clean(&[dir.path().join("prod-app.template.json")]);

    let a = app();
    let s = stack(&a, "m");
    let empty = FargateTaskDefinition::new(&s, "Empty", FargateTaskDefinitionProps::default());
    empty.enable_tracing("x");
    SamplingRule::new(
        &s,
        "Bad",
        SamplingRuleProps {
            fixed_rate: 5.0,
            ..SamplingRuleProps::new("m-*")
        },
    );
    let err = synth_err(&a);
    assert!(
        err.mentions("enable_tracing: add the application's containers first"),
        "{err}"
    );
    assert!(
        err.mentions("fixed_rate is 5; it is a share of requests, 0 to 1"),
        "{err}"
    );
}
