//! Dashboards: widgets in a 24-column grid, built as typed data and serialized
//! deterministically into the `DashboardBody` string (with `Fn::Join` where a value
//! is only known at deploy, such as a load balancer's name or the region).

use std::cell::RefCell;
use std::ops::Deref;
use std::rc::Rc;

use rcdk::expr::Lazy;
use rcdk::{Expr, Scope, Value, fns};
use rcdk_l1::cloudwatch::{CfnDashboard, CfnDashboardProps};

use super::alarm::Alarm;
use crate::metrics::{AlarmMetric, Metric};

const GRID_WIDTH: u32 = 24;

/// One widget; sizes are in grid units (24 across).
#[derive(Debug, Clone)]
pub enum Widget {
    /// Lines of metrics over time.
    Graph {
        /// The widget's title.
        title: String,
        /// The metrics drawn.
        metrics: Vec<AlarmMetric>,
        /// A horizontal line (e.g. an alarm threshold) and its label.
        threshold: Option<(f64, String)>,
        /// Width in grid units.
        width: u32,
        /// Height in grid units.
        height: u32,
    },
    /// The latest value of each metric.
    SingleValue {
        /// The widget's title.
        title: String,
        /// The metrics shown.
        metrics: Vec<AlarmMetric>,
        /// Width in grid units.
        width: u32,
        /// Height in grid units.
        height: u32,
    },
    /// The state of each alarm.
    AlarmStatus {
        /// The widget's title.
        title: String,
        /// The alarms' ARNs.
        alarms: Vec<Expr<String>>,
        /// Width in grid units.
        width: u32,
        /// Height in grid units.
        height: u32,
    },
    /// Markdown text.
    Text {
        /// The text.
        markdown: String,
        /// Width in grid units.
        width: u32,
        /// Height in grid units.
        height: u32,
    },
}

impl Widget {
    /// A graph of `metrics`, half the width.
    pub fn graph(title: &str, metrics: Vec<AlarmMetric>) -> Widget {
        Widget::Graph {
            title: title.into(),
            metrics,
            threshold: None,
            width: 12,
            height: 6,
        }
    }

    /// The latest values of `metrics`.
    pub fn single_value(title: &str, metrics: Vec<AlarmMetric>) -> Widget {
        Widget::SingleValue {
            title: title.into(),
            metrics,
            width: 6,
            height: 4,
        }
    }

    /// The states of `alarms`, the full width.
    pub fn alarm_status(title: &str, alarms: &[&Alarm]) -> Widget {
        Widget::AlarmStatus {
            title: title.into(),
            alarms: alarms.iter().map(|a| a.arn()).collect(),
            width: 24,
            height: 3,
        }
    }

    /// A text widget, the full width.
    pub fn text(markdown: &str) -> Widget {
        Widget::Text {
            markdown: markdown.into(),
            width: 24,
            height: 2,
        }
    }

    /// Draws a horizontal line on a graph (other widgets ignore it).
    pub fn with_threshold(mut self, value: f64, label: &str) -> Widget {
        if let Widget::Graph { threshold, .. } = &mut self {
            *threshold = Some((value, label.to_owned()));
        }
        self
    }

    /// The same widget `w` wide and `h` high.
    pub fn with_size(mut self, w: u32, h: u32) -> Widget {
        match &mut self {
            Widget::Graph { width, height, .. }
            | Widget::SingleValue { width, height, .. }
            | Widget::AlarmStatus { width, height, .. }
            | Widget::Text { width, height, .. } => {
                *width = w;
                *height = h;
            }
        }
        self
    }

    fn size(&self) -> (u32, u32) {
        match self {
            Widget::Graph { width, height, .. }
            | Widget::SingleValue { width, height, .. }
            | Widget::AlarmStatus { width, height, .. }
            | Widget::Text { width, height, .. } => (*width, *height),
        }
    }

    fn properties(&self) -> (&'static str, Value) {
        match self {
            Widget::Graph {
                title,
                metrics,
                threshold,
                ..
            } => {
                let mut p = metric_properties(title, metrics, "timeSeries");
                if let (Some((value, label)), Value::Map(m)) = (threshold, &mut p) {
                    m.insert(
                        "annotations".into(),
                        Value::object([(
                            "horizontal",
                            Value::list([Value::object([
                                ("label", Value::from(label.as_str())),
                                ("value", Value::from(*value)),
                            ])]),
                        )]),
                    );
                }
                ("metric", p)
            }
            Widget::SingleValue { title, metrics, .. } => {
                ("metric", metric_properties(title, metrics, "singleValue"))
            }
            Widget::AlarmStatus { title, alarms, .. } => (
                "alarm",
                Value::object([
                    ("title", Value::from(title.as_str())),
                    ("alarms", Value::list(alarms.clone())),
                ]),
            ),
            Widget::Text { markdown, .. } => (
                "text",
                Value::object([("markdown", Value::from(markdown.as_str()))]),
            ),
        }
    }
}

/// `[namespace, name, dim, value, …, {options}]`.
fn metric_row(m: &Metric, options: Vec<(&str, Value)>) -> Value {
    let mut row = vec![
        Value::from(m.namespace.as_str()),
        Value::from(m.metric_name.as_str()),
    ];
    for (k, v) in &m.dimensions {
        row.push(Value::from(k.as_str()));
        row.push(Value::from(v.clone()));
    }
    let mut opts = vec![
        ("stat", Value::from(m.statistic.name())),
        ("period", Value::from(m.period_seconds())),
    ];
    opts.extend(options);
    row.push(Value::object(opts));
    Value::List(row)
}

fn metric_properties(title: &str, metrics: &[AlarmMetric], view: &str) -> Value {
    let mut rows = Vec::new();
    for (i, am) in metrics.iter().enumerate() {
        match am {
            AlarmMetric::Metric(m) => rows.push(metric_row(m, Vec::new())),
            AlarmMetric::Math(e) => {
                rows.push(Value::list([Value::object([
                    ("expression", Value::from(e.expression.as_str())),
                    ("label", Value::from(e.label.as_str())),
                    ("id", Value::from(format!("e{i}"))),
                ])]));
                for (id, m) in &e.using {
                    rows.push(metric_row(
                        m,
                        vec![
                            ("id", Value::from(id.as_str())),
                            ("visible", Value::from(false)),
                        ],
                    ));
                }
            }
        }
    }
    Value::object([
        ("title", Value::from(title)),
        ("view", Value::from(view)),
        ("region", Value::from(fns::region())),
        ("metrics", Value::List(rows)),
    ])
}

/// Serializes `v` as JSON text; values known only at deploy become `Fn::Join` parts.
fn json_text(v: &Value, parts: &mut Vec<Value>, text: &mut String) {
    match v {
        Value::Null => text.push_str("null"),
        Value::Bool(b) => text.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) => text.push_str(&i.to_string()),
        Value::Float(f) => text.push_str(
            &serde_json::Number::from_f64(*f).map_or_else(|| "null".to_owned(), |n| n.to_string()),
        ),
        Value::String(s) => text.push_str(&serde_json::Value::String(s.clone()).to_string()),
        Value::List(items) => {
            text.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    text.push(',');
                }
                json_text(item, parts, text);
            }
            text.push(']');
        }
        Value::Map(m) => {
            text.push('{');
            for (i, (k, item)) in m.iter().enumerate() {
                if i > 0 {
                    text.push(',');
                }
                text.push_str(&serde_json::Value::String(k.clone()).to_string());
                text.push(':');
                json_text(item, parts, text);
            }
            text.push('}');
        }
        Value::Intrinsic(_) => {
            // Every deploy-time value in a dashboard is a string (a name, an id, the region).
            text.push('"');
            parts.push(Value::from(std::mem::take(text)));
            parts.push(v.clone());
            text.push('"');
        }
        Value::Lazy(l) => json_text(&l.produce(), parts, text),
    }
}

/// The body as a literal when it holds no deploy-time value, else a `Fn::Join`.
pub(crate) fn to_json_expr(v: &Value) -> Expr<String> {
    let mut parts = Vec::new();
    let mut text = String::new();
    json_text(v, &mut parts, &mut text);
    if parts.is_empty() {
        return text.into();
    }
    parts.push(Value::from(text));
    parts.retain(|p| p.as_str() != Some(""));
    fns::join("", parts.into_iter().map(Expr::unchecked))
}

#[derive(Debug, Default)]
struct Layout {
    widgets: Vec<(u32, u32, Widget)>,
    next_y: u32,
}

impl Layout {
    fn body(&self) -> Value {
        let widgets = self
            .widgets
            .iter()
            .map(|(x, y, w)| {
                let (kind, properties) = w.properties();
                let (width, height) = w.size();
                Value::object([
                    ("type", Value::from(kind)),
                    ("x", Value::from(*x)),
                    ("y", Value::from(*y)),
                    ("width", Value::from(width)),
                    ("height", Value::from(height)),
                    ("properties", properties),
                ])
            })
            .collect();
        Value::object([("widgets", Value::List(widgets))])
    }
}

/// A CloudWatch dashboard; widgets are added a row at a time.
#[derive(Debug, Clone)]
pub struct Dashboard {
    dashboard: CfnDashboard,
    layout: Rc<RefCell<Layout>>,
}

impl Deref for Dashboard {
    type Target = CfnDashboard;
    fn deref(&self) -> &CfnDashboard {
        &self.dashboard
    }
}

impl Dashboard {
    /// Adds an empty dashboard below `scope`; rows are added with `add_row`.
    pub fn new(scope: &Scope, id: &str) -> Dashboard {
        let layout: Rc<RefCell<Layout>> = Rc::default();
        // The body is serialized once, at synthesis, from every row added by then.
        let rows = Rc::clone(&layout);
        let body = Value::Lazy(Lazy::new(move || {
            to_json_expr(&rows.borrow().body()).into_value()
        }));
        let dashboard = CfnDashboard::new(
            scope,
            id,
            CfnDashboardProps {
                dashboard_name: Some(scope.aws().sub(format!("${{AWS::StackName}}-{id}"))),
                ..CfnDashboardProps::new(Expr::unchecked(body))
            },
        );
        Dashboard { dashboard, layout }
    }

    /// Places widgets left to right below the previous row, wrapping at 24 columns.
    pub fn add_row(&self, widgets: Vec<Widget>) {
        let mut layout = self.layout.borrow_mut();
        let (mut x, mut y, mut row_height) = (0, layout.next_y, 0);
        for w in widgets {
            let (width, height) = w.size();
            if width == 0 || width > GRID_WIDTH || height == 0 {
                self.dashboard.add_error(format!(
                    "a widget is {width}×{height}; widths are 1 to {GRID_WIDTH}, heights at least 1"
                ));
                continue;
            }
            if x + width > GRID_WIDTH {
                y += row_height;
                x = 0;
                row_height = 0;
            }
            layout.widgets.push((x, y, w));
            x += width;
            row_height = row_height.max(height);
        }
        layout.next_y = y + row_height;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_without_tokens_are_plain_json() {
        let v = Value::object([
            ("b", Value::from(1.5)),
            ("a", Value::list([Value::from("x\"y"), Value::Null])),
        ]);
        assert_eq!(
            to_json_expr(&v).as_literal_str(),
            Some(r#"{"a":["x\"y",null],"b":1.5}"#)
        );
    }

    #[test]
    fn tokens_become_join_parts_inside_quotes() {
        let v = Value::object([("region", Value::from(fns::region()))]);
        let joined = Value::from(to_json_expr(&v));
        let expected = Value::from(fns::join(
            "",
            [
                Expr::from("{\"region\":\""),
                fns::region(),
                Expr::from("\"}"),
            ],
        ));
        assert_eq!(joined, expected);
    }
}
