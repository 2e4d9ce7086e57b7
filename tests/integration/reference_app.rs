//! The reference app: golden templates under `snapshots/` (reviewed in PRs; accept a
//! change with `cargo insta review`), and its configuration errors.

use rcdk::App;

use crate::support::synth;

fn reference_app(env: &str) -> App {
    let app = App::with_context(Default::default(), "cdk.out");
    app.set_context("env", serde_json::json!(env));
    rcdk_apps::build(&app).expect("reference app builds");
    app
}

#[test]
fn golden_templates() {
    let assembly = synth(&reference_app("all"));
    let names: Vec<&str> = assembly
        .stacks
        .iter()
        .map(|s| s.stack_name.as_str())
        .collect();
    assert_eq!(
        names,
        [
            "dev-network",
            "dev-app",
            "staging-network",
            "staging-app",
            "prod-network",
            "prod-app"
        ]
    );
    insta::with_settings!({snapshot_path => "../../snapshots", prepend_module_to_snapshot => false, omit_expression => true}, {
        for s in &assembly.stacks {
            insta::assert_snapshot!(s.stack_name.clone(), s.template_json);
        }
        insta::assert_snapshot!("manifest", serde_json::to_string_pretty(&assembly.manifest()).expect("json"));
    });
}

#[test]
fn context_selects_environments() {
    let assembly = synth(&reference_app("prod,dev"));
    let names: Vec<&str> = assembly
        .stacks
        .iter()
        .map(|s| s.stack_name.as_str())
        .collect();
    assert_eq!(
        names,
        ["prod-network", "prod-app", "dev-network", "dev-app"]
    );
}

#[test]
fn an_unknown_environment_is_a_clear_error() {
    let app = App::with_context(Default::default(), "cdk.out");
    app.set_context("env", serde_json::json!("qa"));
    let err = rcdk_apps::build(&app).expect_err("qa is not an environment");
    assert_eq!(
        err,
        "context env='qa' is not an environment; use one of dev, staging, prod or all"
    );
}
