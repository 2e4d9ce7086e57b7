//! Every template the tests synthesize passes cfn-lint with no error and no warning.

use crate::support::assert_cfn_lint_clean;
use crate::{fixtures, l2_fixtures};

#[test]
fn cfn_lint_reports_nothing_on_any_synthesized_template() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut templates = Vec::new();
    let reference = rcdk::App::with_context(Default::default(), "cdk.out");
    rcdk_apps::build(&reference).expect("reference app builds");
    // The scale-test services (`-c workers=N`) and their queues.
    let shards = rcdk::App::with_context(Default::default(), "cdk.out");
    shards.set_context("env", "dev".into());
    shards.set_context("workers", 2.into());
    rcdk_apps::build(&shards).expect("reference app with workers builds");
    let apps = [
        ("intrinsics", fixtures::intrinsics_app()),
        ("multi", fixtures::multi_stack_app()),
        ("reference", reference),
        ("reference-shards", shards),
        ("network-dev", l2_fixtures::network_app(false)),
        ("network-prod", l2_fixtures::network_app(true)),
        ("data-dev", l2_fixtures::data_app(false)),
        ("data-prod", l2_fixtures::data_app(true)),
        ("web-dev", l2_fixtures::web_app(false)),
        ("web-prod", l2_fixtures::web_app(true)),
        ("monitored-dev", l2_fixtures::monitored_app(false).0),
        ("monitored-prod", l2_fixtures::monitored_app(true).0),
    ];
    for (name, app) in apps {
        let out = dir.path().join(name);
        let assembly = app.synth_to(&out).unwrap_or_else(|e| panic!("{name}: {e}"));
        templates.extend(assembly.stacks.iter().map(|s| out.join(s.template_file())));
    }
    assert!(
        templates.len() >= 37,
        "expected every fixture's stacks, got {}",
        templates.len()
    );
    assert_cfn_lint_clean(&templates);
}
