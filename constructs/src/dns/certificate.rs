//! ACM certificates: requested with DNS validation in a hosted zone (CloudFormation
//! creates the validation records and waits), or imported by ARN. A certificate serves
//! load balancers of its own region only: one per region.

use rcdk::{Expr, Scope};
use rcdk_l1::certificatemanager::certificate::DomainValidationOption;
use rcdk_l1::certificatemanager::{CfnCertificate, CfnCertificateProps};

use super::zone::HostedZone;

/// Settings of a [`Certificate`].
#[derive(Debug, Clone)]
pub struct CertificateProps {
    /// The name the certificate covers (`app.example.com`).
    pub domain_name: String,
    /// More names on the certificate (each in `zone`).
    pub alternative_names: Vec<String>,
    /// The zone the validation records go to.
    pub zone: HostedZone,
}

/// An ACM certificate.
#[derive(Debug, Clone)]
pub struct Certificate {
    arn: Expr<String>,
}

impl Certificate {
    /// Adds the certificate, validated by DNS in its zone, below `scope`.
    pub fn new(scope: &Scope, id: &str, props: CertificateProps) -> Certificate {
        let names: Vec<&String> = std::iter::once(&props.domain_name)
            .chain(props.alternative_names.iter())
            .collect();
        let certificate = CfnCertificate::new(
            scope,
            id,
            CfnCertificateProps {
                validation_method: Some("DNS".into()),
                key_algorithm: Some("EC_prime256v1".into()),
                subject_alternative_names: (!props.alternative_names.is_empty())
                    .then(|| props.alternative_names.clone().into()),
                domain_validation_options: Some(
                    names
                        .iter()
                        .map(|n| DomainValidationOption {
                            domain_name: Some(n.as_str().into()),
                            hosted_zone_id: Some(props.zone.zone_id()),
                            ..Default::default()
                        })
                        .collect(),
                ),
                ..CfnCertificateProps::new(props.domain_name.as_str())
            },
        );
        for n in &names {
            let in_zone =
                n.as_str() == props.zone.name() || n.ends_with(&format!(".{}", props.zone.name()));
            if !super::valid_dns_name(n) || !in_zone {
                certificate.add_error(format!(
                    "'{n}' is not a name in the zone {}; DNS validation needs its record there",
                    props.zone.name()
                ));
            }
        }
        Certificate {
            arn: certificate.ref_(),
        }
    }

    /// A certificate that exists already (issued or imported into ACM).
    pub fn from_arn(arn: impl Into<Expr<String>>) -> Certificate {
        Certificate { arn: arn.into() }
    }

    /// The certificate's ARN (what HTTPS listeners take).
    pub fn arn(&self) -> Expr<String> {
        self.arn.clone()
    }
}
