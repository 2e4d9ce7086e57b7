//! The `Budget` L2: a monthly USD budget on a cost tag or linked account, notifying an
//! alarm topic whose policy and key admit AWS Budgets; validations.

use rcdk_constructs::budgets::{Budget, BudgetFilter, BudgetProps};
use rcdk_constructs::monitoring::{AlarmTopic, AlarmTopicProps};
use serde_json::json;

use crate::fixtures::{app, stack};
use crate::support::{resource, synth, synth_err};

#[test]
fn a_tag_budget_notifies_the_topic_at_80_percent_actual_and_100_forecast() {
    let a = app();
    let s = stack(&a, "monitoring");
    let topic = AlarmTopic::new(&s, "Alarms", AlarmTopicProps::default());
    Budget::new(
        &s,
        "Budget",
        BudgetProps {
            budget_name: Some("prod-monthly".into()),
            ..BudgetProps::new(
                1500.0,
                BudgetFilter::cost_tag("CostCode", "CC-2001"),
                &topic,
            )
        },
    );
    let assembly = synth(&a);
    let p = &resource(&assembly, "monitoring", "Budget")["Properties"];
    assert_eq!(
        p["Budget"],
        json!({
            "BudgetLimit": {"Amount": 1500.0, "Unit": "USD"},
            "BudgetName": "prod-monthly",
            "BudgetType": "COST",
            "FilterExpression": {"Tags": {"Key": "CostCode", "MatchOptions": ["EQUALS"], "Values": ["CC-2001"]}},
            "TimeUnit": "MONTHLY"
        })
    );
    let subscriber = json!([{"Address": {"Ref": "Alarms"}, "SubscriptionType": "SNS"}]);
    assert_eq!(
        p["NotificationsWithSubscribers"],
        json!([
            {"Notification": {"ComparisonOperator": "GREATER_THAN", "NotificationType": "ACTUAL", "Threshold": 80.0, "ThresholdType": "PERCENTAGE"}, "Subscribers": subscriber},
            {"Notification": {"ComparisonOperator": "GREATER_THAN", "NotificationType": "FORECASTED", "Threshold": 100.0, "ThresholdType": "PERCENTAGE"}, "Subscribers": subscriber}
        ])
    );
    let policy = &resource(&assembly, "monitoring", "AlarmsPolicy")["Properties"]["PolicyDocument"]
        ["Statement"];
    assert!(
        policy
            .as_array()
            .is_some_and(|s| s.iter().any(|st| st["Sid"] == "BudgetsPublish"
                && st["Principal"] == json!({"Service": "budgets.amazonaws.com"})
                && st["Action"] == "sns:Publish")),
        "{policy}"
    );
    let key = resource(&assembly, "monitoring", "StackKey")["Properties"]["KeyPolicy"].to_string();
    assert!(
        key.contains("budgets.amazonaws.com") && key.contains("kms:GenerateDataKey"),
        "{key}"
    );
}

#[test]
fn bad_amounts_thresholds_and_accounts_are_refused() {
    let a = app();
    let s = stack(&a, "monitoring");
    let topic = AlarmTopic::new(&s, "Alarms", AlarmTopicProps::default());
    Budget::new(
        &s,
        "Budget",
        BudgetProps {
            actual_percent: 0.0,
            ..BudgetProps::new(0.0, BudgetFilter::LinkedAccount("12345".into()), &topic)
        },
    );
    let err = synth_err(&a).to_string();
    for needle in [
        "monitoring/Budget: monthly_usd is 0; a budget needs an amount above 0",
        "actual_percent is 0; use 1 to 1000",
        "linked account '12345' is not a 12-digit account id",
    ] {
        assert!(err.contains(needle), "{needle}: {err}");
    }
}
