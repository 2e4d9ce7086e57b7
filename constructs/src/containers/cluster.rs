//! The ECS cluster.

use std::cell::RefCell;
use std::ops::Deref;
use std::rc::Rc;

use rcdk::{Expr, Scope, Value};
use rcdk_l1::ecs::cluster::ClusterSettings;
use rcdk_l1::ecs::cluster_capacity_provider_associations::CapacityProviderStrategy;
use rcdk_l1::ecs::{
    CfnCluster, CfnClusterCapacityProviderAssociations,
    CfnClusterCapacityProviderAssociationsProps, CfnClusterProps,
};

/// CloudWatch Container Insights level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ContainerInsights {
    /// Task- and container-level metrics.
    #[default]
    Enhanced,
    /// Cluster- and service-level metrics.
    Enabled,
    /// No Container Insights (no `RunningTaskCount`: backlog scaling is refused).
    Disabled,
}

/// Settings of a [`Cluster`].
#[derive(Debug, Clone, Default)]
pub struct ClusterProps {
    /// Default: enhanced.
    pub container_insights: ContainerInsights,
}

/// An ECS cluster for Fargate services and, with [`super::Ec2Capacity`], EC2 ones.
#[derive(Debug, Clone)]
pub struct Cluster {
    cluster: CfnCluster,
    container_insights: ContainerInsights,
    /// The one association of capacity providers a cluster may have, made by the first
    /// capacity added.
    associations: Rc<RefCell<Option<CfnClusterCapacityProviderAssociations>>>,
}

impl Deref for Cluster {
    type Target = CfnCluster;
    fn deref(&self) -> &CfnCluster {
        &self.cluster
    }
}

impl Cluster {
    /// Adds the cluster below `scope`.
    pub fn new(scope: &Scope, id: &str, props: ClusterProps) -> Cluster {
        let value = match props.container_insights {
            ContainerInsights::Enhanced => "enhanced",
            ContainerInsights::Enabled => "enabled",
            ContainerInsights::Disabled => "disabled",
        };
        let cluster = CfnCluster::new(
            scope,
            id,
            CfnClusterProps {
                cluster_settings: Some(vec![ClusterSettings {
                    name: Some("containerInsights".into()),
                    value: Some(value.into()),
                }]),
                ..Default::default()
            },
        );
        if props.container_insights == ContainerInsights::Enhanced {
            crate::posture::waive_check(
                &cluster,
                &["ecs_container_insights_enabled_check"],
                "Container Insights is on at its enhanced level, which has every metric of 'enabled' and adds task and container ones; the rule only knows 'enabled'",
            );
        }
        Cluster {
            cluster,
            container_insights: props.container_insights,
            associations: Rc::default(),
        }
    }

    /// Makes `provider` one of the cluster's capacity providers, in the default strategy
    /// with `weight`. Fargate stays available to services that name it.
    pub(super) fn add_capacity_provider(&self, from: &Scope, provider: Expr<String>, weight: u32) {
        if from.stack() != self.cluster.stack() {
            from.add_error(format!(
                "the capacity must be in the stack of its cluster {}",
                self.cluster.path()
            ));
            return;
        }
        let strategy = CapacityProviderStrategy {
            weight: Some(i64::from(weight).into()),
            base: Some(0.into()),
            ..CapacityProviderStrategy::new(provider.clone())
        };
        let mut slot = self.associations.borrow_mut();
        match slot.as_ref() {
            Some(existing) => {
                existing.update_props(|p: &mut CfnClusterCapacityProviderAssociationsProps| {
                    p.default_capacity_provider_strategy.push(strategy);
                    let mut names = match p.capacity_providers.take().map(Expr::into_value) {
                        Some(Value::List(items)) => items,
                        _ => Vec::new(),
                    };
                    names.push(Value::from(provider));
                    p.capacity_providers = Some(Expr::unchecked(Value::List(names)));
                })
            }
            None => {
                let parent = self.cluster.parent().unwrap_or_else(|| from.clone());
                let association = CfnClusterCapacityProviderAssociations::new(
                    &parent,
                    &format!("{}CapacityProviders", self.cluster.id()),
                    CfnClusterCapacityProviderAssociationsProps {
                        capacity_providers: Some(Expr::unchecked(Value::list(vec![
                            Value::from("FARGATE"),
                            Value::from("FARGATE_SPOT"),
                            Value::from(provider),
                        ]))),
                        ..CfnClusterCapacityProviderAssociationsProps::new(
                            self.name(),
                            vec![strategy],
                        )
                    },
                );
                *slot = Some(association);
            }
        }
    }

    /// The capacity-provider association, once a capacity was added (services that use
    /// a provider wait for it).
    pub fn capacity_providers(&self) -> Option<CfnClusterCapacityProviderAssociations> {
        self.associations.borrow().clone()
    }

    /// The cluster's Container Insights level: metrics such as `RunningTaskCount`
    /// exist only when it is not `Disabled`.
    pub fn container_insights(&self) -> ContainerInsights {
        self.container_insights
    }

    /// The cluster's name.
    pub fn name(&self) -> Expr<String> {
        self.cluster.ref_()
    }

    /// The cluster's ARN.
    pub fn arn(&self) -> Expr<String> {
        self.cluster.attr_arn()
    }
}
