//! The reference app's worker tier (`{env}-workers`) and how the other stacks use it:
//! the queue and its dead-letter queue, backlog scaling, Redis reachable from exactly the
//! web and worker services, images pulled from the tier's repositories, the two
//! schedules, the alarms, and `-c workers=N` services with real queues.

use rcdk::CloudAssembly;
use serde_json::{Value as J, json};

use crate::reference_app::{all_environments, reference_app};
use crate::support::synth;

fn resources<'a>(a: &'a CloudAssembly, stack: &str, ty: &str) -> Vec<(&'a String, &'a J)> {
    a.stack(stack).unwrap_or_else(|| panic!("{stack}")).template["Resources"]
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(_, r)| r["Type"] == ty)
        .collect()
}

fn get<'a>(a: &'a CloudAssembly, stack: &str, id: &str) -> &'a J {
    &a.stack(stack).unwrap_or_else(|| panic!("{stack}")).template["Resources"][id]
}

#[test]
fn jobs_go_to_a_dead_letter_queue_after_five_receives_and_stay_two_weeks() {
    let a = all_environments();
    for env in ["dev", "staging", "prod"] {
        let stack = format!("{env}-workers");
        let jobs = &get(&a, &stack, "Jobs")["Properties"];
        assert_eq!(
            jobs["RedrivePolicy"],
            json!({"deadLetterTargetArn": {"Fn::GetAtt": ["JobsDeadLetters", "Arn"]}, "maxReceiveCount": 5})
        );
        assert_eq!(jobs["VisibilityTimeout"], 300, "the configured job timeout");
        assert_eq!(
            jobs["KmsMasterKeyId"],
            json!({"Fn::GetAtt": ["JobsKey", "Arn"]})
        );
        let dlq = &get(&a, &stack, "JobsDeadLetters");
        assert_eq!(dlq["Properties"]["MessageRetentionPeriod"], 14 * 24 * 3600);
        assert_eq!(
            dlq["DeletionPolicy"], "Retain",
            "failed jobs survive the stack"
        );
        assert_eq!(
            dlq["Properties"]["RedriveAllowPolicy"],
            json!({"redrivePermission": "byQueue", "sourceQueueArns": [
                {"Fn::Sub": format!("arn:${{AWS::Partition}}:sqs:${{AWS::Region}}:${{AWS::AccountId}}:{env}-jobs")}
            ]}),
            "only the jobs queue may use it"
        );
    }
}

#[test]
fn the_worker_service_consumes_the_queue_and_scales_on_its_backlog() {
    let a = all_environments();
    for (env, min, max) in [("dev", 1, 2), ("staging", 1, 4), ("prod", 2, 20)] {
        let stack = format!("{env}-workers");
        let target = &get(&a, &stack, "WorkerServiceScalingTarget")["Properties"];
        assert_eq!(
            (target["MinCapacity"].clone(), target["MaxCapacity"].clone()),
            (json!(min), json!(max)),
            "{env}"
        );
        let policy =
            get(&a, &stack, "WorkerServiceScalingBacklogTracking")["Properties"].to_string();
        assert!(
            policy.contains("\"TargetValue\":100")
                && policy.contains("ApproximateNumberOfMessagesVisible"),
            "{env}: {policy}"
        );
        let role = get(&a, &stack, "WorkerTaskTaskRole")["Properties"].to_string();
        assert!(
            role.contains("sqs:ReceiveMessage") && role.contains("sqs:DeleteMessage"),
            "{env}: {role}"
        );
        let container = &get(&a, &stack, "WorkerTask")["Properties"]["ContainerDefinitions"][0];
        let env_names: Vec<&str> = container["Environment"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|e| e["Name"].as_str())
            .collect();
        for name in ["DB_HOST", "JOBS_QUEUE_URL", "REDIS_HOST", "REDIS_TLS"] {
            assert!(env_names.contains(&name), "{env}: {env_names:?}");
        }
        // prod connects through its RDS Proxy with an IAM token: no password to read.
        let proxied = env == "prod";
        assert_eq!(
            container["Secrets"].as_array().map(Vec::len),
            Some(if proxied { 2 } else { 3 }),
            "{env}: db user, password (unless proxied), Redis token"
        );
        assert_eq!(
            env_names.contains(&"DB_AUTH"),
            proxied,
            "{env}: {env_names:?}"
        );
        assert_eq!(
            role.contains("rds-db:connect") && role.contains("/dbadmin"),
            proxied,
            "{env}: {role}"
        );
        // The shared-services account's repository, named, so its URI is text here.
        assert_eq!(
            container["Image"],
            json!({"Fn::Join": ["", [{"Fn::Sub": "123456789012.dkr.ecr.us-east-1.${AWS::URLSuffix}/rcdk-reference/worker"}, ":1.4.2"]]})
        );
    }
}

#[test]
fn redis_is_one_node_in_dev_and_multi_az_elsewhere_reachable_only_from_web_and_workers() {
    let a = all_environments();
    for (env, nodes, multi_az) in [("dev", 1, false), ("staging", 2, true), ("prod", 2, true)] {
        let redis = &get(&a, &format!("{env}-workers"), "Redis")["Properties"];
        assert_eq!(redis["NumCacheClusters"], nodes, "{env}");
        assert_eq!(redis["MultiAZEnabled"], multi_az, "{env}");
        assert_eq!(redis["AutomaticFailoverEnabled"], multi_az, "{env}");
        assert_eq!(redis["TransitEncryptionEnabled"], true);
        // Every rule into the Redis group, in any stack: its sources.
        let mut sources = Vec::new();
        for s in &a.stacks {
            for (_, r) in resources(&a, &s.stack_name, "AWS::EC2::SecurityGroupIngress") {
                let p = &r["Properties"];
                let group = p["GroupId"].to_string();
                if group.contains("RedisSecurityGroup") {
                    assert_eq!(
                        (p["FromPort"].clone(), p["ToPort"].clone()),
                        (json!(6379), json!(6379))
                    );
                    sources.push((s.stack_name.clone(), p["SourceSecurityGroupId"].clone()));
                }
            }
        }
        let mine: Vec<_> = sources
            .iter()
            .filter(|(s, _)| {
                a.stack(s)
                    .and_then(|st| st.tags.get("Environment"))
                    .map(String::as_str)
                    == Some(env)
            })
            .collect();
        // Staging's worker service runs on EC2 in awsvpc mode as the workers' group:
        // its instances themselves are not admitted.
        let expected = [
            (
                format!("{env}-workers"),
                json!({"Fn::GetAtt": ["WorkersSecurityGroup", "GroupId"]}),
            ),
            (
                format!("{env}-app"),
                json!({"Fn::GetAtt": ["WebServiceSecurityGroup", "GroupId"]}),
            ),
        ];
        let expected: Vec<&(String, J)> = expected.iter().collect();
        assert_eq!(mine, expected, "{env}");
    }
}

#[test]
fn the_web_service_pulls_from_its_repository_and_may_send_jobs() {
    let a = all_environments();
    for env in ["dev", "staging", "prod"] {
        let app = format!("{env}-app");
        let workers = format!("{env}-workers");
        // The images are the shared-services account's, whose repository policy names
        // exactly the environments' accounts.
        let repository = &get(&a, "images-us-east-1", "WebRepository")["Properties"];
        assert_eq!(repository["RepositoryName"], "rcdk-reference/web");
        assert_eq!(
            repository["RepositoryPolicyText"]["Statement"][0]["Principal"]["AWS"],
            json!([
                {"Fn::Sub": "arn:${AWS::Partition}:iam::111111111111:root"},
                {"Fn::Sub": "arn:${AWS::Partition}:iam::222222222222:root"},
                {"Fn::Sub": "arn:${AWS::Partition}:iam::333333333333:root"}
            ])
        );
        assert!(get(&a, &workers, "WebRepository").is_null(), "{env}");
        let image = &get(&a, &app, "WebTask")["Properties"]["ContainerDefinitions"][0]["Image"];
        assert_eq!(
            image,
            &json!({"Fn::Join": ["", [{"Fn::Sub": "123456789012.dkr.ecr.us-east-1.${AWS::URLSuffix}/rcdk-reference/web"}, ":1.4.2"]]})
        );
        let execution = get(&a, &app, "WebTaskExecutionRole")["Properties"].to_string();
        assert!(
            execution.contains(
                "arn:${AWS::Partition}:ecr:us-east-1:123456789012:repository/rcdk-reference/web"
            ) && !execution.contains("rcdk-reference/worker"),
            "{env}: pulls from the web repository only: {execution}"
        );
        let task_role = get(&a, &app, "WebTaskTaskRole")["Properties"].to_string();
        assert!(
            task_role.contains("sqs:SendMessage") && !task_role.contains("sqs:ReceiveMessage"),
            "{env}: {task_role}"
        );
        assert!(
            a.stack(&app)
                .is_some_and(|s| s.dependencies.contains(&workers)),
            "{env}: the app deploys after the worker tier"
        );
    }
}

#[test]
fn cleanup_runs_daily_at_four_and_sync_hourly_with_failures_kept() {
    let a = all_environments();
    for env in ["dev", "staging", "prod"] {
        let stack = format!("{env}-workers");
        let cleanup = &get(&a, &stack, "DailyCleanup")["Properties"];
        assert_eq!(cleanup["ScheduleExpression"], "cron(0 4 * * ? *)");
        let target = &cleanup["Targets"][0];
        assert_eq!(target["Arn"], json!({"Fn::GetAtt": ["Cluster", "Arn"]}));
        assert_eq!(
            target["EcsParameters"]["TaskDefinitionArn"],
            json!({"Ref": "CleanupTask"})
        );
        assert_eq!(
            target["DeadLetterConfig"],
            json!({"Arn": {"Fn::GetAtt": ["ScheduleFailures", "Arn"]}})
        );
        let sync = &get(&a, &stack, "HourlySync")["Properties"];
        assert_eq!(sync["ScheduleExpression"], "rate(1 hour)");
        assert_eq!(
            sync["Targets"][0]["Arn"],
            json!({"Fn::GetAtt": ["Sync", "Arn"]})
        );
        let function = &get(&a, &stack, "Sync")["Properties"];
        assert_eq!(
            function["Code"]["S3Bucket"],
            json!({"Fn::Sub": "rcdk-assets-${AWS::AccountId}-${AWS::Region}"})
        );
        let key = function["Code"]["S3Key"].as_str().unwrap_or_default();
        let artifact = a.stack(&stack).expect("stack");
        assert_eq!(artifact.assets.len(), 1);
        assert_eq!(
            key,
            artifact.assets[0].object_key(),
            "the template names the uploaded object"
        );
        let role = get(&a, &stack, "SyncRole")["Properties"].to_string();
        assert!(
            role.contains("sqs:SendMessage") && !role.contains("sqs:ReceiveMessage"),
            "{env}: the function only enqueues: {role}"
        );
    }
}

#[test]
fn the_monitoring_stack_watches_the_worker_tier_and_says_where_to_look() {
    let a = all_environments();
    for env in ["dev", "staging", "prod"] {
        let stack = format!("{env}-monitoring");
        let alarms: Vec<(&String, &J)> = resources(&a, &stack, "AWS::CloudWatch::Alarm")
            .into_iter()
            .filter(|(id, _)| id.starts_with("Workers"))
            .collect();
        let ids: Vec<&str> = alarms.iter().map(|(id, _)| id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "WorkersDeadLetters",
                "WorkersOldestJob",
                "WorkersQueueDepth",
                "WorkersRedisCpu",
                "WorkersRedisEvictions",
                "WorkersRedisMemory",
                "WorkersSyncErrors"
            ]
        );
        let by_id = |id: &str| &alarms.iter().find(|(i, _)| *i == id).expect(id).1["Properties"];
        assert_eq!(by_id("WorkersQueueDepth")["Threshold"], 1000.0);
        assert_eq!(by_id("WorkersOldestJob")["Threshold"], 600.0);
        assert_eq!(by_id("WorkersDeadLetters")["Threshold"], 0.0);
        assert_eq!(by_id("WorkersDeadLetters")["EvaluationPeriods"], 1);
        for (id, alarm) in &alarms {
            let p = &alarm["Properties"];
            assert!(
                p["AlarmDescription"]
                    .as_str()
                    .is_some_and(|d| d.contains("Look first at")),
                "{env}/{id}"
            );
            // The e-mail topic; in prod the critical ones (work lost, users waiting)
            // page too.
            let critical = ["WorkersDeadLetters", "WorkersOldestJob"].contains(&id.as_str());
            let paged = env.starts_with("prod") && critical;
            assert_eq!(
                p["AlarmActions"].as_array().map(Vec::len),
                Some(if paged { 2 } else { 1 }),
                "{env}/{id}"
            );
        }
        let dashboard =
            resources(&a, &stack, "AWS::CloudWatch::Dashboard")[0].1["Properties"]["DashboardBody"]
                .to_string();
        for title in [
            "Worker alarms",
            "Jobs waiting",
            "Redis evictions",
            "Function errors",
        ] {
            assert!(dashboard.contains(title), "{env}: {title}");
        }
    }
}

#[test]
fn extra_workers_get_real_queues_they_may_consume() {
    let a = synth(&reference_app(&[
        ("env", "dev".into()),
        ("workers", 3.into()),
    ]));
    let stack = "dev-workers-1";
    for k in 1..=3 {
        let queue = format!("Worker{k}Queue");
        assert_eq!(get(&a, stack, &queue)["Type"], "AWS::SQS::Queue");
        let container =
            &get(&a, stack, &format!("Worker{k}Task"))["Properties"]["ContainerDefinitions"][0];
        let url = container["Environment"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|e| e["Name"] == "JOBS_QUEUE_URL")
            .map(|e| e["Value"].clone());
        assert_eq!(url, Some(json!({"Ref": queue})), "worker {k}");
        let role = get(&a, stack, &format!("Worker{k}TaskTaskRole"))["Properties"].to_string();
        assert!(
            role.contains("sqs:ReceiveMessage") && role.contains(&format!("\"{queue}\"")),
            "worker {k}: {role}"
        );
        let scaling =
            get(&a, stack, &format!("Worker{k}ScalingBacklogTracking"))["Properties"].to_string();
        assert!(
            scaling.contains(&queue),
            "worker {k} scales on its own queue: {scaling}"
        );
    }
}
