//! Alarms, the alarm topic and dashboards.

use rcdk_constructs::metrics::{MathExpression, Metric, Statistic};
use rcdk_constructs::monitoring::{
    Alarm, AlarmProps, AlarmRule, AlarmTopic, AlarmTopicProps, Comparison, CompositeAlarm,
    Dashboard, Widget,
};
use serde_json::{Value as J, json};

use crate::fixtures::{app, stack};
use crate::l2_fixtures;
use crate::support::{resource, synth, synth_err, template};

#[test]
fn alarm_set_and_dashboard_match_their_snapshots() {
    for (name, prod) in [("monitoring_dev", false), ("monitoring_prod", true)] {
        let (app, _) = l2_fixtures::monitored_app(prod);
        let assembly = synth(&app);
        insta::assert_json_snapshot!(name, template(&assembly, "monitoring"));
    }
}

#[test]
fn every_alarm_has_an_action_and_a_description() {
    let (app, alarms) = l2_fixtures::monitored_app(true);
    assert_eq!(alarms.alarms().len(), 11);
    for a in alarms.alarms() {
        assert!(a.has_action(), "{} has no action", a.path());
        assert!(
            a.description().contains("Look first at"),
            "{}: '{}'",
            a.path(),
            a.description()
        );
    }
    let assembly = synth(&app);
    let t = template(&assembly, "monitoring");
    let mut count = 0;
    for (id, r) in t["Resources"].as_object().into_iter().flatten() {
        if r["Type"] == "AWS::CloudWatch::Alarm" || r["Type"] == "AWS::CloudWatch::CompositeAlarm" {
            count += 1;
            assert_eq!(
                r["Properties"]["AlarmActions"],
                json!([{"Ref": "AlarmTopic"}]),
                "{id}"
            );
            assert_eq!(
                r["Properties"]["OKActions"],
                json!([{"Ref": "AlarmTopic"}]),
                "{id}"
            );
            assert!(
                r["Properties"]["AlarmDescription"]
                    .as_str()
                    .is_some_and(|d| d.len() > 40),
                "{id}"
            );
        }
    }
    assert_eq!(count, 12, "eleven alarms and the composite");
}

#[test]
fn percentile_alarms_use_extended_statistic_and_rates_use_math() {
    let (app, _) = l2_fixtures::monitored_app(true);
    let assembly = synth(&app);
    let latency = &resource(&assembly, "monitoring", "WebLatencyP99")["Properties"];
    assert_eq!(latency["ExtendedStatistic"], "p99");
    assert!(latency.get("Statistic").is_none());
    assert_eq!(latency["Threshold"], 1.0);
    assert_eq!(
        latency["Dimensions"][0]["Value"],
        json!({"Fn::ImportValue": "app:ExportsOutputFnGetAttLoadBalancerLoadBalancerFullName"})
    );
    let errors = &resource(&assembly, "monitoring", "WebErrorRate")["Properties"];
    let queries = errors["Metrics"].as_array().cloned().unwrap_or_default();
    assert_eq!(
        queries[0]["Expression"],
        "IF(requests > 0, 100 * (FILL(targets, 0) + FILL(balancer, 0)) / requests, 0)"
    );
    assert_eq!(queries[0]["ReturnData"], true);
    let ids: Vec<&J> = queries.iter().map(|q| &q["Id"]).collect();
    assert_eq!(
        ids,
        [
            &json!("expr"),
            &json!("balancer"),
            &json!("requests"),
            &json!("targets")
        ]
    );
    assert_eq!(
        queries[2]["MetricStat"]["Metric"]["MetricName"],
        "RequestCount"
    );
    assert_eq!(queries[2]["MetricStat"]["Stat"], "Sum");
    assert_eq!(queries[2]["ReturnData"], false);
    let storage = &resource(&assembly, "monitoring", "WebDatabaseFreeStorage")["Properties"];
    assert_eq!(storage["ComparisonOperator"], "LessThanThreshold");
    assert_eq!(storage["Threshold"], 5.0 * 1024.0 * 1024.0 * 1024.0);
    let waf = &resource(&assembly, "monitoring", "WebWafBlockedSpike")["Properties"];
    assert_eq!(
        (waf["Period"].clone(), waf["EvaluationPeriods"].clone()),
        (json!(300), json!(1))
    );
    let composite = &resource(&assembly, "monitoring", "WebWebTierUnhealthy")["Properties"];
    assert_eq!(
        composite["AlarmRule"],
        json!({"Fn::Join": ["", ["(ALARM(\"", {"Ref": "WebLatencyP99"}, "\") OR ALARM(\"", {"Ref": "WebErrorRate"}, "\") OR ALARM(\"", {"Ref": "WebUnhealthyHosts"}, "\"))"]]})
    );
    // The monitoring stack reads the others; nothing reads it.
    let deps = assembly
        .stack("monitoring")
        .map(|s| s.dependencies.clone())
        .unwrap_or_default();
    assert_eq!(deps, ["app", "data"]);
}

#[test]
fn alarm_topic_is_encrypted_and_cloudwatch_may_publish() {
    let (app, _) = l2_fixtures::monitored_app(true);
    let assembly = synth(&app);
    let topic = &resource(&assembly, "monitoring", "AlarmTopic")["Properties"];
    assert_eq!(
        topic["KmsMasterKeyId"],
        json!({"Fn::GetAtt": ["StackKey", "Arn"]})
    );
    let key_policy =
        &resource(&assembly, "monitoring", "StackKey")["Properties"]["KeyPolicy"]["Statement"];
    assert_eq!(
        key_policy[2],
        json!({
            "Sid": "CloudWatchAlarmsPublish",
            "Effect": "Allow",
            "Principal": {"Service": "cloudwatch.amazonaws.com"},
            "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
            "Resource": "*",
            "Condition": {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}}
        })
    );
    let policy = &resource(&assembly, "monitoring", "AlarmTopicPolicy")["Properties"];
    assert_eq!(
        policy["PolicyDocument"]["Statement"][0]["Action"],
        "sns:Publish"
    );
    assert_eq!(policy["PolicyDocument"]["Statement"][1]["Effect"], "Deny");
    assert_eq!(
        resource(&assembly, "monitoring", "AlarmTopicEmail1")["Properties"]["Endpoint"],
        "oncall@example.com"
    );
    assert_eq!(
        resource(&assembly, "monitoring", "AlarmTopicHttps1")["Properties"]["Protocol"],
        "https"
    );
}

#[test]
fn dashboard_body_is_typed_json_with_deploy_time_values_joined() {
    let (app, _) = l2_fixtures::monitored_app(false);
    let assembly = synth(&app);
    let body = &resource(&assembly, "monitoring", "WebDashboard")["Properties"]["DashboardBody"];
    let parts = body["Fn::Join"][1].as_array().cloned().unwrap_or_default();
    // Re-assemble with placeholders to check that the body is valid JSON.
    let text: String = parts
        .iter()
        .map(|p| p.as_str().map_or_else(|| "TOKEN".to_owned(), str::to_owned))
        .collect();
    let parsed: J = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
    let widgets = parsed["widgets"].as_array().cloned().unwrap_or_default();
    let layout: Vec<(i64, i64, i64, i64)> = widgets
        .iter()
        .map(|w| {
            (
                w["x"].as_i64().unwrap_or(-1),
                w["y"].as_i64().unwrap_or(-1),
                w["width"].as_i64().unwrap_or(-1),
                w["height"].as_i64().unwrap_or(-1),
            )
        })
        .collect();
    assert_eq!(
        layout,
        [
            (0, 0, 24, 3),
            (0, 3, 8, 6),
            (8, 3, 8, 6),
            (16, 3, 8, 6),
            (0, 9, 12, 6),
            (12, 9, 6, 4),
            (18, 9, 6, 4),
            (0, 15, 8, 6),
            (8, 15, 8, 6),
            (16, 15, 8, 6),
            (0, 21, 12, 6),
            (12, 21, 12, 6)
        ]
    );
    assert_eq!(widgets[0]["type"], "alarm");
    assert_eq!(
        widgets[0]["properties"]["alarms"].as_array().map(Vec::len),
        Some(11)
    );
    assert_eq!(widgets[3]["properties"]["metrics"][2][4]["stat"], "p99");
    assert_eq!(
        widgets[3]["properties"]["annotations"]["horizontal"][0]["value"],
        3.0
    );
    assert_eq!(widgets[3]["properties"]["region"], "TOKEN");
    assert!(parts.contains(&json!({"Ref": "AWS::Region"})));
    // Deterministic: the same app gives the same body.
    let (again, _) = l2_fixtures::monitored_app(false);
    assert_eq!(
        &resource(&synth(&again), "monitoring", "WebDashboard")["Properties"]["DashboardBody"],
        body
    );
}

fn requests() -> Metric {
    Metric::new("AWS/ApplicationELB", "RequestCount", vec![]).with_statistic(Statistic::Sum)
}

#[test]
fn alarms_are_validated() {
    let cases: Vec<(AlarmProps, &str)> = vec![
        (
            AlarmProps::new(requests(), Comparison::GreaterThan, 1.0),
            "description is empty",
        ),
        (
            AlarmProps {
                datapoints_to_alarm: 6,
                description: "d".into(),
                ..AlarmProps::new(requests(), Comparison::GreaterThan, 1.0)
            },
            "datapoints_to_alarm 6 must be 1 to evaluation_periods 5",
        ),
        (
            AlarmProps {
                description: "d".into(),
                ..AlarmProps::new(
                    requests().with_period(rcdk_constructs::units::Duration::seconds(90)),
                    Comparison::GreaterThan,
                    1.0,
                )
            },
            "period 90s is not allowed",
        ),
        (
            AlarmProps {
                description: "d".into(),
                ..AlarmProps::new(
                    MathExpression::new("a / b", "x", [("a", requests())]),
                    Comparison::GreaterThan,
                    1.0,
                )
            },
            "expression 'a / b' uses 'b'",
        ),
    ];
    for (props, message) in cases {
        let app = app();
        let s = stack(&app, "m");
        Alarm::new(&s, "Alarm", props);
        let err = synth_err(&app);
        assert_eq!(err.problems[0].path, "m/Alarm");
        assert!(err.mentions(message), "expected '{message}' in:\n{err}");
    }
    let app = app();
    let s = stack(&app, "m");
    AlarmTopic::new(
        &s,
        "Topic",
        AlarmTopicProps {
            emails: vec!["oncall".into()],
            https_endpoints: vec!["http://x".into()],
            ..Default::default()
        },
    );
    let err = synth_err(&app);
    assert!(
        err.mentions("emails[0]: 'oncall' is not an e-mail address"),
        "{err}"
    );
    assert!(
        err.mentions("https_endpoints[0]: 'http://x' must start with https://"),
        "{err}"
    );
}

fn alarm(s: &rcdk::Stack, id: &str) -> Alarm {
    Alarm::new(
        s,
        id,
        AlarmProps {
            description: format!("{id} fires"),
            ..AlarmProps::new(requests(), Comparison::GreaterThan, 1.0)
        },
    )
}

#[test]
fn composite_rules_nest() {
    let app = app();
    let s = stack(&app, "m");
    let (a, b) = (alarm(&s, "A"), alarm(&s, "B"));
    let rule = AlarmRule::AllOf(vec![
        AlarmRule::Alarm(a),
        AlarmRule::Not(Box::new(AlarmRule::Alarm(b))),
    ]);
    CompositeAlarm::new(&s, "Both", &rule, "A without B", None);
    let assembly = synth(&app);
    assert_eq!(
        resource(&assembly, "m", "Both")["Properties"]["AlarmRule"],
        json!({"Fn::Join": ["", ["(ALARM(\"", {"Ref": "A"}, "\") AND NOT ALARM(\"", {"Ref": "B"}, "\"))"]]})
    );
}

#[test]
fn dashboard_widgets_must_fit_the_grid() {
    let app = app();
    let s = stack(&app, "m");
    let dash = Dashboard::new(&s, "Dash");
    dash.add_row(vec![
        Widget::text("# Runbook"),
        Widget::graph("Requests", vec![requests().into()]).with_size(30, 6),
    ]);
    let err = synth_err(&app);
    assert_eq!(err.problems[0].path, "m/Dash");
    assert!(
        err.mentions("a widget is 30×6; widths are 1 to 24"),
        "{err}"
    );
}

#[test]
fn worker_alarms_watch_the_queue_its_dead_letters_functions_and_redis() {
    use rcdk_constructs::compute::{Code, Function, FunctionProps};
    use rcdk_constructs::data::{RedisCluster, RedisClusterProps};
    use rcdk_constructs::messaging::{Queue, QueueProps};
    use rcdk_constructs::monitoring::{WorkerAlarms, WorkerThresholds, WorkerTier};

    let a = app();
    let s = stack(&a, "workers");
    let vpc = crate::l2_fixtures::dev_vpc(&s);
    let jobs = Queue::new(&s, "Jobs", QueueProps::default());
    let failed = Queue::new(&s, "Failed", QueueProps::dead_letter());
    let sync = Function::new(
        &s,
        "Sync",
        FunctionProps::new(
            "python3.13",
            "index.handler",
            Code::Inline("def handler(e, c): pass\n".into()),
        ),
    );
    let redis = RedisCluster::new(&s, "Redis", RedisClusterProps::new(&vpc));
    let topic = AlarmTopic::new(&s, "Alarms", AlarmTopicProps::default());
    let dashboard = Dashboard::new(&s, "Dashboard");
    let tier = WorkerTier {
        queue: &jobs,
        dead_letter_queue: Some(&failed),
        service_tasks: None,
        functions: vec![&sync],
        redis: Some(&redis),
    };
    let alarms = WorkerAlarms::new(
        &s,
        "Workers",
        tier,
        &WorkerThresholds::default(),
        &topic,
        Some(&dashboard),
    );
    let ids: Vec<String> = alarms.alarms().iter().map(|a| a.id()).collect();
    assert_eq!(
        ids,
        [
            "QueueDepth",
            "OldestJob",
            "DeadLetters",
            "SyncErrors",
            "RedisCpu",
            "RedisMemory",
            "RedisEvictions"
        ]
    );
    let assembly = synth(&a);
    let props = |id: &str| resource(&assembly, "workers", id)["Properties"].clone();
    let dead = props("WorkersDeadLetters");
    for (key, want) in [
        ("Namespace", json!("AWS/SQS")),
        ("MetricName", json!("ApproximateNumberOfMessagesVisible")),
        (
            "Dimensions",
            json!([{"Name": "QueueName", "Value": {"Fn::GetAtt": ["Failed", "QueueName"]}}]),
        ),
        ("Statistic", json!("Maximum")),
        ("ComparisonOperator", json!("GreaterThanThreshold")),
        ("Threshold", json!(0.0)),
        ("EvaluationPeriods", json!(1)),
        ("DatapointsToAlarm", json!(1)),
        ("AlarmActions", json!([{"Ref": "Alarms"}])),
    ] {
        assert_eq!(dead[key], want, "DeadLetters {key}");
    }
    let oldest = props("WorkersOldestJob");
    assert_eq!(oldest["MetricName"], "ApproximateAgeOfOldestMessage");
    assert_eq!(oldest["Threshold"], 600.0);
    assert_eq!(
        oldest["Dimensions"][0]["Value"],
        json!({"Fn::GetAtt": ["Jobs", "QueueName"]})
    );
    let errors = props("WorkersSyncErrors");
    assert_eq!(
        (
            errors["MetricName"].clone(),
            errors["Statistic"].clone(),
            errors["Period"].clone()
        ),
        (json!("Errors"), json!("Sum"), json!(300))
    );
    assert_eq!(
        errors["Dimensions"][0],
        json!({"Name": "FunctionName", "Value": {"Ref": "Sync"}})
    );
    let evictions = props("WorkersRedisEvictions");
    assert_eq!(
        (
            evictions["Statistic"].clone(),
            evictions["Period"].clone(),
            evictions["Threshold"].clone()
        ),
        (json!("Sum"), json!(300), json!(100.0))
    );
    assert_eq!(
        evictions["Dimensions"][0]["Value"],
        json!({"Fn::Join": ["", [{"Ref": "Redis"}, "-001"]]}),
        "the primary node"
    );
    let body = props("Dashboard")["DashboardBody"].to_string();
    for title in [
        "Worker alarms",
        "Jobs waiting",
        "Oldest job (s)",
        "Function errors",
        "Redis evictions",
    ] {
        assert!(body.contains(title), "{title}: {body}");
    }
    assert!(!body.contains("Worker tasks"), "no service, no tasks graph");
}

/// Critical alarms page through a second topic whose HTTPS subscriptions read the
/// pager's URL at deploy time; warnings reach only the e-mail topic; a URL given where
/// a secret's name belongs is refused.
#[test]
fn critical_alarms_page_and_warnings_only_mail_and_the_pager_url_stays_out_of_the_template() {
    use rcdk_constructs::monitoring::{Pager, PagerUrl, Severity};
    let app = app();
    let s = stack(&app, "m");
    let topic = AlarmTopic::new(
        &s,
        "Alarms",
        AlarmTopicProps {
            emails: vec!["oncall@example.com".into()],
            pagers: vec![
                Pager::PagerDuty(PagerUrl::Secret {
                    name: "team/pagerduty".into(),
                    json_key: Some("url".into()),
                }),
                Pager::Opsgenie(PagerUrl::Parameter("/team/opsgenie-url".into())),
            ],
            ..AlarmTopicProps::default()
        },
    );
    let warning = alarm(&s, "Slow");
    warning.notify(&topic);
    let critical = Alarm::new(
        &s,
        "Down",
        AlarmProps {
            severity: Severity::Critical,
            description: "Down fires".into(),
            ..AlarmProps::new(requests(), Comparison::GreaterThan, 1.0)
        },
    );
    critical.notify(&topic);
    let both = AlarmRule::any_of(&[&warning, &critical]);
    CompositeAlarm::critical(&s, "Users", &both, "users are affected", &topic);
    let assembly = synth(&app);
    let mail = json!([{"Ref": "Alarms"}]);
    let mail_and_page = json!([{"Ref": "Alarms"}, {"Ref": "AlarmsPaging"}]);
    let slow = &resource(&assembly, "m", "Slow")["Properties"];
    assert_eq!(slow["AlarmActions"], mail);
    assert_eq!(slow["OKActions"], mail);
    let down = &resource(&assembly, "m", "Down")["Properties"];
    assert_eq!(down["AlarmActions"], mail_and_page);
    assert_eq!(
        down["OKActions"], mail_and_page,
        "a recovery resolves the page"
    );
    let users = &resource(&assembly, "m", "Users")["Properties"];
    assert_eq!(users["AlarmActions"], mail_and_page);

    let paging = resource(&assembly, "m", "AlarmsPaging");
    assert_eq!(
        paging["Properties"]["KmsMasterKeyId"],
        resource(&assembly, "m", "Alarms")["Properties"]["KmsMasterKeyId"]
    );
    let pagerduty = &resource(&assembly, "m", "AlarmsPagingPagerDuty1")["Properties"];
    assert_eq!(pagerduty["Protocol"], "https");
    assert_eq!(
        pagerduty["Endpoint"],
        "{{resolve:secretsmanager:team/pagerduty:SecretString:url}}"
    );
    assert_eq!(pagerduty["TopicArn"], json!({"Ref": "AlarmsPaging"}));
    assert_eq!(
        pagerduty["DeliveryPolicy"]["healthyRetryPolicy"]["numRetries"],
        50
    );
    let opsgenie = &resource(&assembly, "m", "AlarmsPagingOpsgenie2")["Properties"];
    assert_eq!(opsgenie["Endpoint"], "{{resolve:ssm:/team/opsgenie-url}}");
    // The paging topic takes CloudWatch's alarms only, over TLS.
    let policy = resource(&assembly, "m", "AlarmsPagingPolicy")["Properties"].to_string();
    assert!(
        policy.contains("cloudwatch.amazonaws.com") && policy.contains("aws:SecureTransport"),
        "{policy}"
    );

    let app = self::app();
    let s = stack(&app, "m");
    AlarmTopic::new(
        &s,
        "Alarms",
        AlarmTopicProps {
            pagers: vec![Pager::PagerDuty(PagerUrl::Parameter(
                "https://events.pagerduty.com/integration/abc/enqueue".into(),
            ))],
            ..AlarmTopicProps::default()
        },
    );
    let err = synth_err(&app);
    assert!(
        err.mentions("pagers[0]: 'https://events.pagerduty.com/integration/abc/enqueue' is the URL itself; put it in a secret or parameter"),
        "{err}"
    );
}
