//! Template elements other than resources: parameters, outputs, conditions, mappings.

use std::collections::BTreeMap;
use std::marker::PhantomData;
use std::ops::Deref;

use super::{NodeKind, Scope};
use crate::expr::fns::{AsCondition, AsMapping, CondExpr};
use crate::expr::{ElementRef, Expr, Intrinsic, Value};

/// Settings of a template parameter.
#[derive(Debug, Clone, Default)]
pub struct ParameterProps {
    /// What the parameter is for.
    pub description: Option<String>,
    /// The value when none is given.
    pub default: Option<Value>,
    /// The only values allowed.
    pub allowed_values: Vec<String>,
    /// A regular expression values must match.
    pub allowed_pattern: Option<String>,
    /// What the console shows when a value is refused.
    pub constraint_description: Option<String>,
    /// Shortest allowed text.
    pub min_length: Option<u32>,
    /// Longest allowed text.
    pub max_length: Option<u32>,
    /// Smallest allowed number.
    pub min_value: Option<f64>,
    /// Largest allowed number.
    pub max_value: Option<f64>,
    /// Masks the value in the console and API (for secrets passed as parameters).
    pub no_echo: bool,
}

#[derive(Debug)]
pub(crate) struct ParameterData {
    pub type_name: String,
    pub props: ParameterProps,
    /// The definition as an included template wrote it, rendered instead of `props`.
    pub as_written: Option<serde_json::Value>,
}

/// A template parameter whose value is a `T`.
#[derive(Debug, Clone)]
pub struct CfnParameter<T> {
    scope: Scope,
    kind: PhantomData<fn() -> T>,
}

impl<T> Deref for CfnParameter<T> {
    type Target = Scope;
    fn deref(&self) -> &Scope {
        &self.scope
    }
}

impl<T> CfnParameter<T> {
    fn create(scope: &Scope, id: &str, type_name: &str, props: ParameterProps) -> Self {
        let data = ParameterData {
            type_name: type_name.to_owned(),
            props,
            as_written: None,
        };
        let p = CfnParameter {
            scope: scope.add_child(id, NodeKind::Parameter(data)),
            kind: PhantomData,
        };
        if scope.stack().is_none() {
            p.add_error("a parameter must be inside a stack");
        }
        p
    }

    /// `{"Ref": parameter}`
    pub fn value(&self) -> Expr<T> {
        Expr::unchecked(Value::intrinsic(Intrinsic::Ref(self.scope.element())))
    }
}

impl CfnParameter<String> {
    /// A `String` parameter.
    pub fn string(scope: &Scope, id: &str, props: ParameterProps) -> Self {
        Self::create(scope, id, "String", props)
    }

    /// A parameter of an AWS-specific or SSM type whose value is a string,
    /// e.g. `AWS::EC2::VPC::Id` or `AWS::SSM::Parameter::Value<String>`.
    pub fn of_type(scope: &Scope, id: &str, type_name: &str, props: ParameterProps) -> Self {
        Self::create(scope, id, type_name, props)
    }
}

impl CfnParameter<f64> {
    /// A `Number` parameter.
    pub fn number(scope: &Scope, id: &str, props: ParameterProps) -> Self {
        Self::create(scope, id, "Number", props)
    }
}

impl CfnParameter<i64> {
    /// A `Number` parameter used where an integer is expected.
    pub fn integer(scope: &Scope, id: &str, props: ParameterProps) -> Self {
        Self::create(scope, id, "Number", props)
    }
}

impl CfnParameter<Vec<String>> {
    /// A `CommaDelimitedList` parameter.
    pub fn comma_delimited_list(scope: &Scope, id: &str, props: ParameterProps) -> Self {
        Self::create(scope, id, "CommaDelimitedList", props)
    }

    /// A list parameter of an AWS-specific type, e.g. `List<AWS::EC2::Subnet::Id>`.
    pub fn list_of_type(scope: &Scope, id: &str, type_name: &str, props: ParameterProps) -> Self {
        Self::create(scope, id, type_name, props)
    }
}

impl CfnParameter<String> {
    /// A parameter of an included template: checked as `props`, written as `definition`.
    pub(crate) fn as_written(
        scope: &Scope,
        id: &str,
        type_name: &str,
        props: ParameterProps,
        definition: serde_json::Value,
    ) -> Self {
        let data = ParameterData {
            type_name: type_name.to_owned(),
            props,
            as_written: Some(definition),
        };
        let p = CfnParameter {
            scope: scope.add_child(id, NodeKind::Parameter(data)),
            kind: PhantomData,
        };
        if scope.stack().is_none() {
            p.add_error("a parameter must be inside a stack");
        }
        p
    }
}

/// Settings of a stack output.
#[derive(Debug, Clone)]
pub struct OutputProps {
    /// The output's value.
    pub value: Expr<String>,
    /// What it is.
    pub description: Option<String>,
    /// Exports the value under this name for other stacks (outside this app).
    pub export_name: Option<Expr<String>>,
}

impl OutputProps {
    /// An output of `value`.
    pub fn new(value: impl Into<Expr<String>>) -> OutputProps {
        OutputProps {
            value: value.into(),
            description: None,
            export_name: None,
        }
    }
}

#[derive(Debug)]
pub(crate) struct OutputData {
    pub props: OutputProps,
    pub condition: Option<u32>,
}

/// A stack output.
#[derive(Debug, Clone)]
pub struct CfnOutput {
    scope: Scope,
}

impl Deref for CfnOutput {
    type Target = Scope;
    fn deref(&self) -> &Scope {
        &self.scope
    }
}

impl CfnOutput {
    /// Adds the output below `scope`.
    pub fn new(scope: &Scope, id: &str, props: OutputProps) -> CfnOutput {
        let data = OutputData {
            props,
            condition: None,
        };
        let o = CfnOutput {
            scope: scope.add_child(id, NodeKind::Output(data)),
        };
        if scope.stack().is_none() {
            o.add_error("an output must be inside a stack");
        }
        o
    }

    /// Emits the output only where `condition` holds.
    pub fn set_condition(&self, condition: &CfnCondition) {
        let index = condition.index();
        let mut tree = self.scope.tree.borrow_mut();
        if let NodeKind::Output(data) = &mut tree.node_mut(self.scope.index).kind {
            data.condition = Some(index);
        }
    }
}

#[derive(Debug)]
pub(crate) struct ConditionData {
    pub expression: CondExpr,
}

/// A named template condition, used by `fns::if_`, resources and outputs.
#[derive(Debug, Clone)]
pub struct CfnCondition {
    scope: Scope,
}

impl Deref for CfnCondition {
    type Target = Scope;
    fn deref(&self) -> &Scope {
        &self.scope
    }
}

impl CfnCondition {
    /// Adds the condition below `scope`.
    pub fn new(scope: &Scope, id: &str, expression: CondExpr) -> CfnCondition {
        let c = CfnCondition {
            scope: scope.add_child(id, NodeKind::Condition(ConditionData { expression })),
        };
        if scope.stack().is_none() {
            c.add_error("a condition must be inside a stack");
        }
        c
    }

    pub(crate) fn index(&self) -> u32 {
        self.scope.index
    }
}

impl AsCondition for CfnCondition {
    fn condition_element(&self) -> ElementRef {
        self.scope.element()
    }
}

#[derive(Debug)]
pub(crate) struct MappingData {
    pub entries: BTreeMap<String, BTreeMap<String, Value>>,
}

/// A template mapping (two-level lookup table), read with `fns::find_in_map`.
#[derive(Debug, Clone)]
pub struct CfnMapping {
    scope: Scope,
}

impl Deref for CfnMapping {
    type Target = Scope;
    fn deref(&self) -> &Scope {
        &self.scope
    }
}

impl CfnMapping {
    /// Adds the mapping below `scope`.
    pub fn new(
        scope: &Scope,
        id: &str,
        entries: BTreeMap<String, BTreeMap<String, Value>>,
    ) -> CfnMapping {
        let m = CfnMapping {
            scope: scope.add_child(id, NodeKind::Mapping(MappingData { entries })),
        };
        if scope.stack().is_none() {
            m.add_error("a mapping must be inside a stack");
        }
        m
    }

    /// A mapping as a template writes it: `{"TopKey": {"SecondKey": value}}` (what `rcdk
    /// migrate` writes). Another shape is an error on the mapping, reported at synthesis.
    pub fn from_json(scope: &Scope, id: &str, entries: serde_json::Value) -> CfnMapping {
        let mut table = BTreeMap::new();
        let mut malformed = None;
        match entries {
            serde_json::Value::Object(top) => {
                for (key, second) in top {
                    match second {
                        serde_json::Value::Object(inner) => {
                            table.insert(
                                key,
                                inner
                                    .into_iter()
                                    .map(|(k, v)| (k, Value::from(v)))
                                    .collect(),
                            );
                        }
                        _ => malformed = Some(format!("entry '{key}' must be an object")),
                    }
                }
            }
            _ => malformed = Some("a mapping must be an object of objects".to_owned()),
        }
        let m = CfnMapping::new(scope, id, table);
        if let Some(message) = malformed {
            m.add_error(message);
        }
        m
    }

    /// `Fn::FindInMap` on this mapping.
    pub fn find<T>(
        &self,
        top_key: impl Into<Expr<String>>,
        second_key: impl Into<Expr<String>>,
    ) -> Expr<T> {
        crate::expr::fns::find_in_map(self, top_key, second_key)
    }
}

impl AsMapping for CfnMapping {
    fn mapping_element(&self) -> ElementRef {
        self.scope.element()
    }
}
