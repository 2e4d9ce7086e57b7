//! `{{resolve:…}}` dynamic references: values CloudFormation fetches at deploy time,
//! so secrets never appear in a template.

use super::{Expr, Intrinsic, Value};

/// Builder for a dynamic reference; converts into an `Expr<String>`.
#[derive(Debug, Clone)]
pub struct DynamicRef {
    service: &'static str,
    id: Value,
    extra: Vec<String>,
}

/// `{{resolve:secretsmanager:SECRET:SecretString:JSON_KEY:VERSION_STAGE:VERSION_ID}}`.
/// `secret` is a name, an ARN or an intrinsic yielding one.
pub fn secrets_manager(secret: impl Into<Expr<String>>) -> SecretsManagerRef {
    SecretsManagerRef {
        secret: secret.into().into_value(),
        json_key: None,
        version_stage: None,
        version_id: None,
    }
}

/// `{{resolve:ssm:NAME}}` or `{{resolve:ssm:NAME:VERSION}}`.
pub fn ssm(name: impl Into<Expr<String>>, version: Option<u32>) -> DynamicRef {
    DynamicRef {
        service: "ssm",
        id: name.into().into_value(),
        extra: version.map(|v| v.to_string()).into_iter().collect(),
    }
}

/// `{{resolve:ssm-secure:NAME:VERSION}}` (only some resource properties accept it).
pub fn ssm_secure(name: impl Into<Expr<String>>, version: Option<u32>) -> DynamicRef {
    DynamicRef {
        service: "ssm-secure",
        id: name.into().into_value(),
        extra: version.map(|v| v.to_string()).into_iter().collect(),
    }
}

/// Builder for a Secrets Manager dynamic reference.
#[derive(Debug, Clone)]
pub struct SecretsManagerRef {
    secret: Value,
    json_key: Option<String>,
    version_stage: Option<String>,
    version_id: Option<String>,
}

impl SecretsManagerRef {
    pub fn json_key(mut self, key: impl Into<String>) -> Self {
        self.json_key = Some(key.into());
        self
    }

    pub fn version_stage(mut self, stage: impl Into<String>) -> Self {
        self.version_stage = Some(stage.into());
        self
    }

    pub fn version_id(mut self, id: impl Into<String>) -> Self {
        self.version_id = Some(id.into());
        self
    }
}

impl From<SecretsManagerRef> for DynamicRef {
    fn from(r: SecretsManagerRef) -> DynamicRef {
        let mut extra = vec!["SecretString".to_owned()];
        let tail = [r.json_key, r.version_stage, r.version_id];
        // Trailing empty segments are dropped; inner ones must stay as empty fields.
        let keep = tail.iter().rposition(Option::is_some).map_or(0, |i| i + 1);
        extra.extend(tail.into_iter().take(keep).map(Option::unwrap_or_default));
        DynamicRef {
            service: "secretsmanager",
            id: r.secret,
            extra,
        }
    }
}

impl From<DynamicRef> for Expr<String> {
    fn from(r: DynamicRef) -> Expr<String> {
        let mut parts = vec![Value::String(format!("{{{{resolve:{}:", r.service)), r.id];
        let mut tail = String::new();
        for e in &r.extra {
            tail.push(':');
            tail.push_str(e);
        }
        tail.push_str("}}");
        parts.push(Value::String(tail));
        Expr::unchecked(Value::intrinsic(Intrinsic::Dynamic(parts)))
    }
}

impl From<SecretsManagerRef> for Expr<String> {
    fn from(r: SecretsManagerRef) -> Expr<String> {
        DynamicRef::from(r).into()
    }
}

impl From<DynamicRef> for Value {
    fn from(r: DynamicRef) -> Value {
        Expr::<String>::from(r).into_value()
    }
}

impl From<SecretsManagerRef> for Value {
    fn from(r: SecretsManagerRef) -> Value {
        Expr::<String>::from(r).into_value()
    }
}
