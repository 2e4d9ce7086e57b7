//! Typed constructors for the intrinsic functions and pseudo parameters.
//!
//! ```
//! use rcdk::expr::{fns, Expr};
//! let arn: Expr<String> = fns::sub_with("arn:${AWS::Partition}:s3:::${Bucket}/*", [("Bucket", "my-bucket")]);
//! let first_az: Expr<String> = fns::select(0, fns::get_azs());
//! # let _ = (arn, first_az);
//! ```

use super::{ElementRef, Expr, Intrinsic, Pseudo, Value};

/// Something that names a template condition (see `rcdk::CfnCondition`).
pub trait AsCondition {
    /// The condition this names.
    fn condition_element(&self) -> ElementRef;
}

/// Something that names a template mapping (see `rcdk::CfnMapping`).
pub trait AsMapping {
    /// The mapping this names.
    fn mapping_element(&self) -> ElementRef;
}

/// A condition expression (`Fn::Equals`, `Fn::And`, `Fn::Or`, `Fn::Not`, `Condition`).
#[derive(Debug, Clone, PartialEq)]
pub struct CondExpr(Value);

impl CondExpr {
    /// An expression as a template writes it (an included or migrated template's
    /// condition that the typed functions do not express, e.g. `Fn::Equals` of numbers).
    pub fn from_value(value: Value) -> CondExpr {
        CondExpr(value)
    }

    /// The expression as a value.
    pub fn into_value(self) -> Value {
        self.0
    }

    /// The expression as a value.
    pub fn as_value(&self) -> &Value {
        &self.0
    }
}

fn expr<T>(i: Intrinsic) -> Expr<T> {
    Expr::unchecked(Value::intrinsic(i))
}

fn pseudo<T>(p: Pseudo) -> Expr<T> {
    expr(Intrinsic::Pseudo(p))
}

/// `AWS::AccountId` of the stack this value is rendered in. A value that an L2 construct
/// hands to other stacks (a name, an ARN) should use the scoped form,
/// `scope.aws().account_id()`, which keeps its meaning in every stack.
pub fn account_id() -> Expr<String> {
    pseudo(Pseudo::AccountId)
}

/// `AWS::Region`
pub fn region() -> Expr<String> {
    pseudo(Pseudo::Region)
}

/// `AWS::Partition`
pub fn partition() -> Expr<String> {
    pseudo(Pseudo::Partition)
}

/// `AWS::StackName` of the stack this value is rendered in; see [`ScopedAws`] for the
/// name of one particular stack.
pub fn stack_name() -> Expr<String> {
    pseudo(Pseudo::StackName)
}

/// `AWS::StackId`
pub fn stack_id() -> Expr<String> {
    pseudo(Pseudo::StackId)
}

/// `AWS::URLSuffix`
pub fn url_suffix() -> Expr<String> {
    pseudo(Pseudo::UrlSuffix)
}

/// `AWS::NotificationARNs`
pub fn notification_arns() -> Expr<Vec<String>> {
    pseudo(Pseudo::NotificationArns)
}

/// `AWS::NoValue`: drops the property where it is used.
pub fn no_value<T>() -> Expr<T> {
    Expr::no_value()
}

/// `Fn::Sub` without variables. Every `${Name}` must be a pseudo parameter
/// (`${AWS::Region}`); synthesis rejects anything else, so no reference hides in a string.
/// The pseudo parameters are those of the stack the value is rendered in; for a value that
/// names something of one stack, use `scope.aws().sub(…)` ([`ScopedAws::sub`]).
pub fn sub(template: impl Into<String>) -> Expr<String> {
    sub_with(template, std::iter::empty::<(String, Expr<String>)>())
}

/// `Fn::Sub` with a variable map: every `${Name}` is a pseudo parameter or a key of
/// `vars`. Variables that are references are tracked like any other reference
/// (same-stack ones are written inline, `${Vpc}`; others become imports).
pub fn sub_with<K: Into<String>, V: Into<Expr<String>>>(
    template: impl Into<String>,
    vars: impl IntoIterator<Item = (K, V)>,
) -> Expr<String> {
    sub_in(None, template.into(), vars)
}

/// `Fn::Sub` whose pseudo parameters are those of `scope`'s stack (`None`: the consumer's).
fn sub_in<K: Into<String>, V: Into<Expr<String>>>(
    scope: Option<ElementRef>,
    template: String,
    vars: impl IntoIterator<Item = (K, V)>,
) -> Expr<String> {
    let vars = vars
        .into_iter()
        .map(|(k, v)| (k.into(), v.into().into_value()))
        .collect();
    expr(Intrinsic::Sub {
        template,
        vars,
        scope,
    })
}

/// `Fn::Join` over individual parts.
pub fn join<S: Into<Expr<String>>>(
    delimiter: &str,
    parts: impl IntoIterator<Item = S>,
) -> Expr<String> {
    let list = Value::List(parts.into_iter().map(|p| p.into().into_value()).collect());
    expr(Intrinsic::Join {
        delimiter: delimiter.to_owned(),
        list,
    })
}

/// `Fn::Join` over a list-valued expression (e.g. a `Fn::GetAZs` or list attribute).
pub fn join_list(delimiter: &str, list: impl Into<Expr<Vec<String>>>) -> Expr<String> {
    expr(Intrinsic::Join {
        delimiter: delimiter.to_owned(),
        list: list.into().into_value(),
    })
}

/// `Fn::Select`: the `index`th element of a list.
pub fn select<T>(index: impl Into<Expr<i64>>, list: impl Into<Expr<Vec<T>>>) -> Expr<T> {
    expr(Intrinsic::Select {
        index: index.into().into_value(),
        list: list.into().into_value(),
    })
}

/// `Fn::Split`
pub fn split(delimiter: &str, source: impl Into<Expr<String>>) -> Expr<Vec<String>> {
    expr(Intrinsic::Split {
        delimiter: delimiter.to_owned(),
        source: source.into().into_value(),
    })
}

/// `Fn::GetAZs` for the stack's own region (`""`).
pub fn get_azs() -> Expr<Vec<String>> {
    get_azs_in("")
}

/// `Fn::GetAZs` for a given region.
pub fn get_azs_in(region: impl Into<Expr<String>>) -> Expr<Vec<String>> {
    expr(Intrinsic::GetAzs {
        region: region.into().into_value(),
    })
}

/// `Fn::ImportValue` of an export made outside this app. Exports between stacks
/// of one app are wired by synthesis; use a resource's attribute directly there.
pub fn import_value(export_name: impl Into<Expr<String>>) -> Expr<String> {
    expr(Intrinsic::ImportValue(export_name.into().into_value()))
}

/// `Fn::If`: `then` where the condition holds, else `otherwise`.
pub fn if_<T>(
    condition: &impl AsCondition,
    then: impl Into<Expr<T>>,
    otherwise: impl Into<Expr<T>>,
) -> Expr<T> {
    expr(Intrinsic::If {
        condition: condition.condition_element(),
        then: then.into().into_value(),
        otherwise: otherwise.into().into_value(),
    })
}

/// `Fn::Equals`
pub fn equals(a: impl Into<Expr<String>>, b: impl Into<Expr<String>>) -> CondExpr {
    CondExpr(Value::intrinsic(Intrinsic::Equals(
        a.into().into_value(),
        b.into().into_value(),
    )))
}

/// `Fn::And` (2 to 10 conditions; checked at synthesis).
pub fn and(conditions: impl IntoIterator<Item = CondExpr>) -> CondExpr {
    CondExpr(Value::intrinsic(Intrinsic::And(
        conditions.into_iter().map(|c| c.0).collect(),
    )))
}

/// `Fn::Or` (2 to 10 conditions; checked at synthesis).
pub fn or(conditions: impl IntoIterator<Item = CondExpr>) -> CondExpr {
    CondExpr(Value::intrinsic(Intrinsic::Or(
        conditions.into_iter().map(|c| c.0).collect(),
    )))
}

/// `Fn::Not`
pub fn not(condition: CondExpr) -> CondExpr {
    CondExpr(Value::intrinsic(Intrinsic::Not(condition.0)))
}

/// `{"Condition": name}`: another named condition inside a condition expression.
pub fn condition(condition: &impl AsCondition) -> CondExpr {
    CondExpr(Value::intrinsic(Intrinsic::Condition(
        condition.condition_element(),
    )))
}

/// `Fn::FindInMap`
pub fn find_in_map<T>(
    mapping: &impl AsMapping,
    top_key: impl Into<Expr<String>>,
    second_key: impl Into<Expr<String>>,
) -> Expr<T> {
    expr(Intrinsic::FindInMap {
        mapping: mapping.mapping_element(),
        top_key: top_key.into().into_value(),
        second_key: second_key.into().into_value(),
    })
}

/// `Fn::Base64`
pub fn base64(value: impl Into<Expr<String>>) -> Expr<String> {
    expr(Intrinsic::Base64(value.into().into_value()))
}

/// `Fn::Cidr`: `count` CIDR blocks of `cidr_bits` host bits carved from `ip_block`.
pub fn cidr(
    ip_block: impl Into<Expr<String>>,
    count: impl Into<Expr<i64>>,
    cidr_bits: impl Into<Expr<i64>>,
) -> Expr<Vec<String>> {
    expr(Intrinsic::Cidr {
        ip_block: ip_block.into().into_value(),
        count: count.into().into_value(),
        cidr_bits: cidr_bits.into().into_value(),
    })
}

/// The pseudo parameters of one stack (the AWS CDK's `ScopedAws`), from `scope.aws()`.
/// Used in another stack they keep their meaning: `scope.aws().stack_name()` in
/// `prod-monitoring` is still `"prod-app"` when the scope is in `prod-app`.
///
/// ```
/// # use rcdk::{App, Stack, StackProps};
/// let app = App::with_context(Default::default(), "cdk.out");
/// let stack = Stack::new(&app, "prod-app", StackProps::default());
/// let acl_name = stack.aws().sub("${AWS::StackName}-WebAcl");
/// # let _ = acl_name;
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScopedAws {
    /// The stack; `None` outside any stack, where the values are unscoped.
    stack: Option<ElementRef>,
}

impl ScopedAws {
    /// The pseudo parameters of the stack `stack` names (`None`: unscoped).
    pub fn new(stack: Option<ElementRef>) -> ScopedAws {
        ScopedAws { stack }
    }

    fn pseudo<T>(&self, p: Pseudo) -> Expr<T> {
        match self.stack {
            Some(stack) => expr(Intrinsic::ScopedPseudo { pseudo: p, stack }),
            None => pseudo(p),
        }
    }

    /// `AWS::AccountId` of this stack.
    pub fn account_id(&self) -> Expr<String> {
        self.pseudo(Pseudo::AccountId)
    }

    /// `AWS::Region` of this stack.
    pub fn region(&self) -> Expr<String> {
        self.pseudo(Pseudo::Region)
    }

    /// `AWS::Partition` of this stack.
    pub fn partition(&self) -> Expr<String> {
        self.pseudo(Pseudo::Partition)
    }

    /// `AWS::StackName` of this stack.
    pub fn stack_name(&self) -> Expr<String> {
        self.pseudo(Pseudo::StackName)
    }

    /// `AWS::StackId` of this stack.
    pub fn stack_id(&self) -> Expr<String> {
        self.pseudo(Pseudo::StackId)
    }

    /// `AWS::URLSuffix` of this stack.
    pub fn url_suffix(&self) -> Expr<String> {
        self.pseudo(Pseudo::UrlSuffix)
    }

    /// `Fn::Sub` whose `${AWS::…}` are this stack's.
    pub fn sub(&self, template: impl Into<String>) -> Expr<String> {
        self.sub_with(template, std::iter::empty::<(String, Expr<String>)>())
    }

    /// `Fn::Sub` with variables, whose `${AWS::…}` are this stack's.
    pub fn sub_with<K: Into<String>, V: Into<Expr<String>>>(
        &self,
        template: impl Into<String>,
        vars: impl IntoIterator<Item = (K, V)>,
    ) -> Expr<String> {
        sub_in(self.stack, template.into(), vars)
    }
}
