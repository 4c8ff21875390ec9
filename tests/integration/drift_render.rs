//! Drift reports and offline diffs rendered by the plan renderers (insta snapshots):
//! the wording says "drift" / "old -> new", not "will be created", each kind has its
//! marker, and the JSON (with its `kind`) stays valid against `schema/plan.schema.json`.

use auraform::config::Field;
use auraform::plan::render::{human, json, markdown};
use auraform::plan::schema::plan_schema;
use auraform::plan::{DocumentKind, Live, Plan, PlanOptions};

use crate::support::plan::{DesiredExt, LiveExt, desired, di, li, live};

fn snap_all(name: &str, plan: &Plan) {
    insta::assert_snapshot!(format!("{name}__human"), human(plan, false));
    insta::assert_snapshot!(format!("{name}__markdown"), markdown(plan));
    insta::assert_snapshot!(format!("{name}__json"), json(plan));
    let validator = jsonschema::draft7::new(&plan_schema()).unwrap();
    let value: serde_json::Value = serde_json::from_str(&json(plan)).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&value)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

fn drift_report() -> Plan {
    let d = desired(vec![
        di("orders"),
        di("reports").memory("4GB"),
        di("legacy").memory("2GB"),
        di("search").ignore(&[Field::Memory]),
        di("billing"),
        di("moved"),
    ]);
    let l = live(
        vec![
            li("11111111", "orders").memory("16GB"),
            li("22222222", "reports").memory("4GB").status("paused"),
            li("44444444", "search").memory("32GB"),
            li("55555555", "billing").status("suspended"),
            li("66666666", "moved").with(|i| i.region = "us-east1".into()),
        ],
        &[("deadbeef", "intruder")],
    );
    let mut plan = auraform::plan::plan(&d, &l, &PlanOptions::report_only()).unwrap();
    plan.kind = DocumentKind::Drift;
    plan
}

#[test]
fn d01_drift_report() {
    let plan = drift_report();
    assert!(plan.has_drift());
    // `search` ignores memory: not drift.
    assert!(plan.change("search").is_none());
    assert!(plan.change("moved").unwrap().blocked.is_some());
    let h = human(&plan, false);
    assert!(h.contains("# legacy is missing: declared in aura.yaml, not live"));
    assert!(
        h.ends_with("Drift detected: 3 changed, 1 missing, 1 unmanaged, 1 needs a person.\n"),
        "{h}"
    );
    assert!(!h.contains("will be created"));
    snap_all("d01_drift_report", &plan);
}

#[test]
fn d02_no_drift() {
    let d = desired(vec![di("orders")]);
    let l = live(vec![li("11111111", "orders")], &[]);
    let mut plan = auraform::plan::plan(&d, &l, &PlanOptions::report_only()).unwrap();
    plan.kind = DocumentKind::Drift;
    assert!(!plan.has_drift());
    snap_all("d02_no_drift", &plan);
}

#[test]
fn d03_offline_diff() {
    let old = desired(vec![
        di("orders"),
        di("gone").memory("2GB"),
        di("pinned").pin("2f49c2b3").memory("4GB"),
    ]);
    let new = desired(vec![
        di("orders").memory("16GB").paused(),
        di("pinned").pin("2f49c2b3").memory("8GB"),
        di("added").memory("4GB"),
    ]);
    let mut plan =
        auraform::plan::plan(&new, &Live::from_desired(&old), &PlanOptions::report_only()).unwrap();
    plan.kind = DocumentKind::Diff;
    let h = human(&plan, false);
    // Stand-in ids of unpinned instances are not shown; pinned ids are.
    assert!(!h.contains("file:"), "{h}");
    assert!(h.contains("\"2f49c2b3\""), "{h}");
    assert!(!markdown(&plan).contains("file:"));
    snap_all("d03_offline_diff", &plan);
}

/// Instance names were emitted raw into the Markdown: `x</details><img src=y>` broke
/// the PR comment, and a name containing `<!-- auraform:plan` forged a second marker.
/// Every string that comes from aura.yaml or the API (instance and project names and
/// ids, statuses, clone sources, refusal reasons) is escaped in every kind of
/// document, and the only marker is auraform's own, first.
#[test]
fn markdown_escapes_every_user_string_and_only_auraform_writes_the_marker() {
    use auraform::plan::render::{DRIFT_MARKER_PREFIX, MARKER_PREFIX};

    let breaker = "x</details><img src=y>";
    let forger = "<!-- auraform:plan project=p -->";
    let mut d = desired(vec![
        di(breaker).memory("16GB"),
        di(forger),
        di("a|b`c").source(breaker).memory("16GB"),
        di("vault").prevent_destroy().region("us-east1"),
        di("[click](http://evil)").memory("4GB"),
    ]);
    let mut l = live(
        vec![
            li("11111111", breaker),
            li("22222222", "vault"),
            li("33333333", "[click](http://evil)").status("<!-- auraform:drift"),
        ],
        &[("44444444", "<b>unmanaged</b> <!--")],
    );
    l.project.name = "<!-- auraform:plan --><script>".to_owned();
    l.project.id = "p --> <img src=z>".to_owned();
    d.project.clone_from(&l.project.name);
    let plan = auraform::plan::plan(&d, &l, &PlanOptions::report_only()).unwrap();
    for kind in [DocumentKind::Plan, DocumentKind::Drift, DocumentKind::Diff] {
        let doc = Plan {
            kind,
            ..plan.clone()
        };
        let md = markdown(&doc);
        let marker = if kind == DocumentKind::Drift {
            DRIFT_MARKER_PREFIX
        } else {
            MARKER_PREFIX
        };
        assert!(md.starts_with(marker), "{md}");
        assert_eq!(md.matches("<!--").count(), 1, "{kind:?}: {md}");
        assert_eq!(md.matches("-->").count(), 1, "{kind:?}: {md}");
        assert_eq!(md.matches(marker).count(), 1, "{md}");
        assert_eq!(
            md.matches("<details>").count(),
            md.matches("</details>").count(),
            "{md}"
        );
        for raw in ["<img", "<script", "<b>unmanaged", "a|b"] {
            assert!(!md.contains(raw), "{kind:?}: `{raw}` raw in\n{md}");
        }
        // A link only ever inside a code span, where it is text.
        assert_eq!(
            md.matches("](http://evil)").count(),
            md.matches("`[click](http://evil)`").count(),
            "{md}"
        );
        // Still readable: the escaped forms decode to the names.
        assert!(
            md.contains("x&#60;/details&#62;&#60;img src=y&#62;"),
            "{md}"
        );
        assert!(md.contains("<b>a&#124;b&#96;c</b>"), "{md}");
    }
}

/// The same for the parts issue 12 added: a clone-replace's warning and notes name the
/// instance escaped, and a destroy plan's marker carries only a clean project id.
#[test]
fn markdown_escapes_names_in_clone_replace_and_destroy_plans() {
    use auraform::config::ReplaceMode;
    use auraform::plan::render::MARKER_PREFIX;

    let breaker = "x</details><img src=y>";
    let mut d = desired(vec![
        di(breaker)
            .region("us-east1")
            .allow_replace()
            .with(|i| i.replace = ReplaceMode::Clone),
    ]);
    let mut l = live(vec![li("11111111", breaker)], &[]);
    l.project.id = "p --> <img src=z>".to_owned();
    l.project.name = "<!-- auraform:plan --><script>".to_owned();
    d.project.clone_from(&l.project.name);
    let replace = auraform::plan::plan(&d, &l, &PlanOptions::default()).unwrap();
    let destroy = auraform::plan::plan(&d, &l, &PlanOptions::destroy(Vec::new())).unwrap();
    for plan in [replace, destroy] {
        let md = markdown(&plan);
        assert!(md.starts_with(MARKER_PREFIX), "{md}");
        assert_eq!(md.matches("<!--").count(), 1, "{md}");
        assert_eq!(md.matches("-->").count(), 1, "{md}");
        for raw in ["<img", "<script"] {
            assert!(!md.contains(raw), "`{raw}` raw in\n{md}");
        }
        assert!(
            md.contains("x&#60;/details&#62;&#60;img src=y&#62;"),
            "{md}"
        );
    }
}
