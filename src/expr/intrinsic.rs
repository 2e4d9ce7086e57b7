use std::collections::BTreeMap;

use super::Value;

/// An element of a construct tree (resource, parameter, condition, mapping) that an
/// intrinsic refers to. It names the tree and the node, so synthesis can tell which
/// stack the element lives in and wire cross-stack references.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ElementRef {
    pub(crate) tree: u64,
    pub(crate) node: u32,
}

/// CloudFormation pseudo parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Pseudo {
    AccountId,
    Region,
    Partition,
    StackName,
    StackId,
    UrlSuffix,
    NotificationArns,
    NoValue,
}

impl Pseudo {
    pub fn name(self) -> &'static str {
        match self {
            Pseudo::AccountId => "AWS::AccountId",
            Pseudo::Region => "AWS::Region",
            Pseudo::Partition => "AWS::Partition",
            Pseudo::StackName => "AWS::StackName",
            Pseudo::StackId => "AWS::StackId",
            Pseudo::UrlSuffix => "AWS::URLSuffix",
            Pseudo::NotificationArns => "AWS::NotificationARNs",
            Pseudo::NoValue => "AWS::NoValue",
        }
    }

    pub fn from_name(name: &str) -> Option<Pseudo> {
        [
            Pseudo::AccountId,
            Pseudo::Region,
            Pseudo::Partition,
            Pseudo::StackName,
            Pseudo::StackId,
            Pseudo::UrlSuffix,
            Pseudo::NotificationArns,
            Pseudo::NoValue,
        ]
        .into_iter()
        .find(|p| p.name() == name)
    }
}

/// The intrinsic functions, with their references still symbolic.
#[derive(Debug, Clone, PartialEq)]
pub enum Intrinsic {
    /// `Ref` to a resource or parameter.
    Ref(ElementRef),
    /// `Fn::GetAtt`; `is_list` marks attributes that yield a list (exported joined).
    GetAtt {
        target: ElementRef,
        attribute: String,
        is_list: bool,
    },
    /// A pseudo parameter as seen by whichever stack the value is rendered in
    /// (`fns::region()`, …): the consumer's own.
    Pseudo(Pseudo),
    /// A pseudo parameter of one stack (`scope.aws().stack_name()`). Rendered in another
    /// stack it keeps its meaning: the producer's literal where synthesis knows it, else an
    /// export of the producer.
    ScopedPseudo {
        pseudo: Pseudo,
        stack: ElementRef,
    },
    /// `Fn::Sub`; every `${Name}` in the template is a pseudo parameter or a key of `vars`.
    /// With a `scope`, the pseudo parameters in the template are that stack's (see
    /// [`Intrinsic::ScopedPseudo`]); without, the consumer's.
    Sub {
        template: String,
        vars: BTreeMap<String, Value>,
        scope: Option<ElementRef>,
    },
    Join {
        delimiter: String,
        list: Value,
    },
    Select {
        index: Value,
        list: Value,
    },
    Split {
        delimiter: String,
        source: Value,
    },
    GetAzs {
        region: Value,
    },
    ImportValue(Value),
    If {
        condition: ElementRef,
        then: Value,
        otherwise: Value,
    },
    Equals(Value, Value),
    And(Vec<Value>),
    Or(Vec<Value>),
    Not(Value),
    /// `{"Condition": name}` inside a condition expression.
    Condition(ElementRef),
    FindInMap {
        mapping: ElementRef,
        top_key: Value,
        second_key: Value,
    },
    Base64(Value),
    Cidr {
        ip_block: Value,
        count: Value,
        cidr_bits: Value,
    },
    /// A `{{resolve:…}}` dynamic reference, whose parts may be intrinsics.
    Dynamic(Vec<Value>),
}

impl Intrinsic {
    /// The nested values, for walkers that look for references.
    pub fn children(&self) -> Vec<&Value> {
        match self {
            Intrinsic::Ref(_)
            | Intrinsic::GetAtt { .. }
            | Intrinsic::Pseudo(_)
            | Intrinsic::ScopedPseudo { .. }
            | Intrinsic::Condition(_) => vec![],
            Intrinsic::Sub { vars, .. } => vars.values().collect(),
            Intrinsic::Join { list, .. } => vec![list],
            Intrinsic::Select { index, list } => vec![index, list],
            Intrinsic::Split { source, .. } => vec![source],
            Intrinsic::GetAzs { region } => vec![region],
            Intrinsic::ImportValue(v) | Intrinsic::Not(v) | Intrinsic::Base64(v) => vec![v],
            Intrinsic::If {
                then, otherwise, ..
            } => vec![then, otherwise],
            Intrinsic::Equals(a, b) => vec![a, b],
            Intrinsic::And(items) | Intrinsic::Or(items) | Intrinsic::Dynamic(items) => {
                items.iter().collect()
            }
            Intrinsic::FindInMap {
                top_key,
                second_key,
                ..
            } => vec![top_key, second_key],
            Intrinsic::Cidr {
                ip_block,
                count,
                cidr_bits,
            } => vec![ip_block, count, cidr_bits],
        }
    }
}
