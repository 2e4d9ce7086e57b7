//! Cost budgets: a monthly budget in USD, filtered by a cost-allocation tag or a linked
//! account, that notifies an [`AlarmTopic`] when actual spend passes a share of it and
//! when the forecast passes it. The topic's policy and key admit AWS Budgets.
//!
//! ```
//! use rcdk::{App, Stack, StackProps};
//! use rcdk_constructs::budgets::{Budget, BudgetFilter, BudgetProps};
//! use rcdk_constructs::monitoring::{AlarmTopic, AlarmTopicProps};
//! let app = App::with_context(Default::default(), "cdk.out");
//! let stack = Stack::new(&app, "prod-monitoring", StackProps::default());
//! let topic = AlarmTopic::new(&stack, "Alarms", AlarmTopicProps::default());
//! Budget::new(&stack, "Budget", BudgetProps::new(1500.0, BudgetFilter::cost_tag("CostCode", "CC-2001"), &topic));
//! ```

use rcdk::Scope;
use rcdk_l1::budgets::budget::{
    BudgetData, Expression, ExpressionDimensionValues, Notification, NotificationWithSubscribers,
    Spend, Subscriber, TagValues,
};
use rcdk_l1::budgets::{CfnBudget, CfnBudgetProps};

use crate::monitoring::AlarmTopic;

/// Which costs a budget counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BudgetFilter {
    /// Costs of resources with this cost-allocation tag (activate the tag in Billing first).
    CostTag {
        /// The tag's key (`CostCode`).
        key: String,
        /// The tag's value.
        value: String,
    },
    /// Costs of one linked account of an organization.
    LinkedAccount(String),
    /// Everything the account spends.
    Account,
}

impl BudgetFilter {
    /// Costs tagged `key` = `value`.
    pub fn cost_tag(key: &str, value: &str) -> BudgetFilter {
        BudgetFilter::CostTag {
            key: key.to_owned(),
            value: value.to_owned(),
        }
    }
}

/// Settings of a [`Budget`].
#[derive(Debug, Clone)]
pub struct BudgetProps {
    /// The monthly budget in US dollars.
    pub monthly_usd: f64,
    /// Which costs count.
    pub filter: BudgetFilter,
    /// Where the notifications go.
    pub topic: AlarmTopic,
    /// Actual spend, percent of the budget, that notifies. Default: 80.
    pub actual_percent: f64,
    /// Forecast spend, percent of the budget, that notifies. Default: 100.
    pub forecast_percent: f64,
    /// Default: generated.
    pub budget_name: Option<String>,
}

impl BudgetProps {
    /// A budget of `monthly_usd` over `filter`, notifying `topic` at 80 % of actual and
    /// 100 % of forecast spend.
    pub fn new(monthly_usd: f64, filter: BudgetFilter, topic: &AlarmTopic) -> BudgetProps {
        BudgetProps {
            monthly_usd,
            filter,
            topic: topic.clone(),
            actual_percent: 80.0,
            forecast_percent: 100.0,
            budget_name: None,
        }
    }
}

/// A monthly cost budget with notifications.
#[derive(Debug, Clone)]
pub struct Budget {
    budget: CfnBudget,
}

impl std::ops::Deref for Budget {
    type Target = CfnBudget;
    fn deref(&self) -> &CfnBudget {
        &self.budget
    }
}

fn notification(kind: &str, percent: f64, topic: &AlarmTopic) -> NotificationWithSubscribers {
    NotificationWithSubscribers::new(
        Notification {
            threshold_type: Some("PERCENTAGE".into()),
            ..Notification::new("GREATER_THAN", kind, percent)
        },
        vec![Subscriber::new(topic.arn(), "SNS")],
    )
}

impl Budget {
    /// Adds the budget below `scope`.
    pub fn new(scope: &Scope, id: &str, props: BudgetProps) -> Budget {
        let filter_expression = match &props.filter {
            BudgetFilter::CostTag { key, value } => Some(Expression {
                tags: Some(TagValues {
                    key: Some(key.as_str().into()),
                    values: Some(vec![value.clone()].into()),
                    match_options: Some(vec!["EQUALS".to_owned()].into()),
                }),
                ..Default::default()
            }),
            BudgetFilter::LinkedAccount(account) => Some(Expression {
                dimensions: Some(ExpressionDimensionValues {
                    key: Some("LINKED_ACCOUNT".into()),
                    values: Some(vec![account.clone()].into()),
                    match_options: Some(vec!["EQUALS".to_owned()].into()),
                }),
                ..Default::default()
            }),
            BudgetFilter::Account => None,
        };
        props
            .topic
            .allow_publish_from("budgets.amazonaws.com", "BudgetsPublish");
        let budget = CfnBudget::new(
            scope,
            id,
            CfnBudgetProps {
                notifications_with_subscribers: Some(vec![
                    notification("ACTUAL", props.actual_percent, &props.topic),
                    notification("FORECASTED", props.forecast_percent, &props.topic),
                ]),
                ..CfnBudgetProps::new(BudgetData {
                    budget_limit: Some(Spend::new(props.monthly_usd, "USD")),
                    budget_name: props.budget_name.clone().map(Into::into),
                    filter_expression,
                    ..BudgetData::new("COST", "MONTHLY")
                })
            },
        );
        if props.monthly_usd.is_nan() || props.monthly_usd <= 0.0 {
            budget.add_error(format!(
                "monthly_usd is {}; a budget needs an amount above 0",
                props.monthly_usd
            ));
        }
        for (name, p) in [
            ("actual_percent", props.actual_percent),
            ("forecast_percent", props.forecast_percent),
        ] {
            if !(1.0..=1000.0).contains(&p) {
                budget.add_error(format!(
                    "{name} is {p}; use 1 to 1000 (percent of the budget)"
                ));
            }
        }
        if let BudgetFilter::LinkedAccount(a) = &props.filter
            && (a.len() != 12 || !a.chars().all(|c| c.is_ascii_digit()))
        {
            budget.add_error(format!("linked account '{a}' is not a 12-digit account id"));
        }
        Budget { budget }
    }
}
