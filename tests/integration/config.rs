//! The reference app's configuration: its schema and its errors.

use rcdk_apps::config;

fn base() -> String {
    std::fs::read_to_string(crate::support::root().join(config::CONFIG_FILE))
        .expect("the committed configuration")
}

fn error_for(from: &str, to: &str) -> String {
    let text = base();
    assert!(
        text.contains(from),
        "the fixture edit '{from}' does not apply"
    );
    match config::parse("environments.yaml", &text.replacen(from, to, 1)) {
        Ok(_) => panic!("'{to}' was accepted"),
        Err(e) => e,
    }
}

#[test]
fn committed_configuration_is_valid() {
    let c = config::parse("environments.yaml", &base()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(c.order, ["dev", "staging", "prod", "prod-dr"]);
    assert_eq!(c.environments["prod-dr"].dr_of.as_deref(), Some("prod"));
}

#[test]
fn committed_schema_is_fresh() {
    let committed = std::fs::read_to_string(crate::support::root().join(config::SCHEMA_FILE))
        .unwrap_or_default();
    assert!(
        committed == config::schema_json(),
        "{} is stale; run `cargo run -p rcdk-apps-config --bin config-schema`",
        config::SCHEMA_FILE
    );
    let schema: serde_json::Value = serde_json::from_str(&committed).expect("schema is JSON");
    let env = &schema["$defs"]["EnvironmentConfig"];
    assert_eq!(
        env["additionalProperties"], false,
        "unknown fields are rejected by editors too"
    );
    assert!(
        env["required"]
            .as_array()
            .is_some_and(|r| r.contains(&"cidr".into()))
    );
    assert_eq!(schema["$defs"]["Nat"]["oneOf"][1]["const"], "per-az");
}

#[test]
fn unknown_field_names_the_file_the_field_and_the_allowed_fields() {
    let err = error_for("    nat: single\n", "    nat_gateways: single\n");
    assert!(
        err.starts_with("environments.yaml: environments.dev: unknown field `nat_gateways`, expected one of `account`, `region`,"),
        "{err}"
    );
    assert!(err.ends_with("at line 37 column 5"), "{err}");
}

#[test]
fn bad_enum_value_lists_the_allowed_values() {
    let err = error_for("    nat: per-az\n", "    nat: two\n");
    assert!(
        err.starts_with("environments.yaml: environments.prod.nat: unknown variant `two`, expected `single` or `per-az`"),
        "{err}"
    );
}

#[test]
fn bad_cidr_is_named() {
    let err = error_for("cidr: 10.20.0.0/16", "cidr: 10.20.0.0/33");
    assert_eq!(
        err,
        "environments.yaml: environments.staging.cidr: '10.20.0.0/33' is not an IPv4 CIDR block like 10.0.0.0/16"
    );
    let err = error_for("cidr: 10.20.0.0/16", "cidr: 10.20.0.1/16");
    assert!(
        err.contains("environments.staging.cidr: '10.20.0.1/16' has host bits set"),
        "{err}"
    );
}

#[test]
fn other_values_are_checked_with_their_field() {
    let cases = [
        (
            "account: \"111111111111\"",
            "account: \"1234\"",
            "environments.dev.account: '1234' is not a 12-digit AWS account id",
        ),
        (
            "[us-east-1a, us-east-1b]",
            "[us-east-1a, eu-west-1b]",
            "environments.dev.availability_zones[1]: 'eu-west-1b' is not an AZ of us-east-1",
        ),
        (
            "multi_az: true",
            "multi_az: yes please",
            "environments.staging.database.multi_az: invalid type: string \"yes please\", expected a boolean",
        ),
        (
            "blocked_countries: [KP, IR]",
            "blocked_countries: [KP, Iran]",
            "environments.prod.blocked_countries[1]: 'Iran' is not an ISO 3166 alpha-2 country code",
        ),
        (
            "log_retention_days: 30",
            "log_retention_days: 31",
            "environments.dev.log_retention_days: 31 is not allowed; use one of [1, 3, 5",
        ),
        (
            "max_tasks: 12",
            "max_tasks: 2",
            "environments.prod.service_tier: need min_tasks ≤ max_tasks and max_tasks ≥ 1, got 3 and 2",
        ),
        (
            "order: [dev, staging, prod, prod-dr]",
            "order: [dev, prod, prod-dr]",
            "order: must list every environment once",
        ),
        (
            "order: [dev, staging, prod, prod-dr]",
            "order: [dev, staging, prod-dr, prod]",
            "order: 'prod' must come before its standby 'prod-dr'",
        ),
        (
            "    dr_of: prod\n",
            "    dr_of: staging-eu\n",
            "environments.prod-dr.dr_of: 'staging-eu' is not an environment",
        ),
        (
            "    region: us-west-2\n",
            "    region: us-east-1\n",
            "environments.prod-dr.region: a standby is in another region than its primary (us-east-1)",
        ),
        (
            "secret: rcdk-reference/prod/pagerduty, json_key: url}",
            "secret: rcdk-reference/prod/pagerduty, parameter: /oncall/url}",
            "environments.prod.alarms.pager: name exactly one of secret or parameter",
        ),
        (
            "{service: pagerduty, secret: rcdk-reference/prod/pagerduty, json_key: url}",
            "{service: pagerduty, parameter: /oncall/url, json_key: url}",
            "environments.prod.alarms.pager.json_key: json_key reads a key of a JSON secret",
        ),
        (
            "{service: pagerduty,",
            "{service: victorops,",
            "unknown variant `victorops`, expected `pagerduty` or `opsgenie`",
        ),
    ];
    for (from, to, expected) in cases {
        let err = error_for(from, to);
        assert!(err.contains(expected), "expected '{expected}' in:\n{err}");
        assert!(err.starts_with("environments.yaml: "), "{err}");
    }
}

#[test]
fn configuration_can_come_from_context() {
    let app = rcdk::App::with_context(Default::default(), "cdk.out");
    app.set_context(
        "config",
        serde_json::json!("/nonexistent/environments.yaml"),
    );
    let err = rcdk_apps::build(&app).expect_err("missing file");
    assert!(
        err.starts_with("/nonexistent/environments.yaml: cannot read the configuration:"),
        "{err}"
    );
}

#[test]
fn backup_settings_are_checked_against_what_aws_backup_does() {
    let cases = [
        (
            "      daily_days: 14\n",
            "      daily_days: 3\n",
            "environments.staging.backup.daily_days: 3 days; the vault lock admits 7 to 36500",
        ),
        (
            "      daily_days: 14\n",
            "      daily_days: 14\n      copy_days: 14\n",
            "environments.staging.backup.copy_days: staging has no standby to copy to (an environment with dr_of: staging)",
        ),
        (
            "    dr_of: prod\n",
            "    dr_of: prod\n    backup:\n      daily_days: 7\n      lock: governance\n",
            "environments.prod-dr.backup.daily_days: a standby's database is a replica, which AWS Backup does not back up",
        ),
        (
            "      lock: compliance\n",
            "      lock: forever\n",
            "environments.prod.backup.lock: unknown variant `forever`, expected `governance` or `compliance`",
        ),
    ];
    for (from, to, expected) in cases {
        let err = error_for(from, to);
        assert!(err.contains(expected), "{to}: {err}");
    }
}

#[test]
fn in_an_organisation_each_environment_has_an_account_of_its_own() {
    // prod in dev's account: dev's pipeline and people could reach prod.
    let err = error_for("account: \"333333333333\"", "account: \"111111111111\"");
    assert!(
        err.contains("environments.prod.account: 111111111111 is also dev's account; in an organisation each environment has its own (only a standby shares its primary's), so that dev cannot reach prod"),
        "{err}"
    );
    // An environment in the pipeline's account.
    let err = error_for("account: \"222222222222\"", "account: \"123456789012\"");
    assert!(
        err.contains("environments.staging.account: 123456789012 is the organisation's shared_services_account; an environment has an account of its own"),
        "{err}"
    );
    // The organisation's own accounts differ, and OUs are OU ids.
    let err = error_for(
        "security_account: \"444444444444\"",
        "security_account: \"555555555555\"",
    );
    assert!(
        err.contains("organization.security_account: 555555555555 is also the management_account; give each of the organisation's accounts its own"),
        "{err}"
    );
    let err = error_for("ou-ab12-prod0001", "Prod");
    assert!(
        err.contains("organization.workload_ous[1]: 'Prod' is not an organizational unit id like ou-ab12-cdef3456"),
        "{err}"
    );
    let err = error_for(
        "workload_ous: [ou-ab12-nonprod1, ou-ab12-prod0001]",
        "workload_ous: []",
    );
    assert!(
        err.contains("organization.workload_ous: name the organizational units"),
        "{err}"
    );
}
