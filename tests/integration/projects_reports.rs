//! `apply --format json` and `output` over several files (docs/commands.md §12.5,
//! §12.6): one report per project, the worst exit code, and a JSON stdout that is
//! exactly one several-files document, valid against `schema/files.schema.json`,
//! whose reports are the documents each file prints alone.

use auraform::apply::files_schema::files_schema;
use serde_json::{Value, json};

use crate::projects_cli::{DEMO, FREE, start};
use crate::support::bench::Bench;
use crate::support::cli::Out;

fn valid(doc: &Value) {
    let validator = jsonschema::draft7::new(&files_schema()).unwrap();
    let errors: Vec<String> = validator.iter_errors(doc).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

/// `(file, exit_code)` of each entry.
fn entries(doc: &Value) -> Vec<(String, u64)> {
    doc["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["file"].as_str().unwrap().to_owned(),
                f["exit_code"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn pairs(want: &[(&str, u64)]) -> Vec<(String, u64)> {
    want.iter().map(|(f, c)| ((*f).to_owned(), *c)).collect()
}

/// `apply -f FILE --auto-approve`, which must succeed.
async fn apply_one(b: &Bench, file: &str) {
    let out = b
        .run(&[
            "apply",
            "-f",
            file,
            "--auto-approve",
            "--poll-interval",
            "20ms",
        ])
        .await;
    assert_eq!(out.code, 0, "{}", out.stderr);
}

async fn apply_json(b: &Bench, files: &[&str]) -> Out {
    let mut args = vec![
        "apply",
        "--format",
        "json",
        "--auto-approve",
        "--poll-interval",
        "20ms",
    ];
    for f in files {
        args.extend(["-f", f]);
    }
    b.run(&args).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apply_json_over_several_files_is_one_document_of_apply_reports() {
    let b = start().await;
    b.write("a.yaml", &DEMO.replace("8GB", "16GB"));
    b.write("bad.yaml", "project: nowhere\ninstances: {}\n");
    let out = apply_json(&b, &["a.yaml", "bad.yaml", "b.yaml"]).await;
    assert_eq!(out.code, 1, "{}", out.stderr);
    // stdout is the one document (Out::json parses all of it), and nothing else.
    let doc = out.json();
    valid(&doc);
    assert_eq!(doc["exit_code"], 1);
    assert_eq!(
        entries(&doc),
        pairs(&[("a.yaml", 0), ("bad.yaml", 1), ("b.yaml", 0)])
    );
    let f = &doc["files"];
    assert_eq!(f[0]["report"]["kind"], "apply-report");
    assert_eq!(f[0]["report"]["outcome"], "complete");
    assert_eq!(f[0]["report"]["project"]["name"], "demo");
    assert_eq!(
        f[0]["report"]["instances"][0]["steps_done"],
        json!(["update"])
    );
    assert_eq!(f[1]["error"]["code"], "auraform::api::project_not_found");
    assert_eq!(f[2]["report"]["outcome"], "complete");
    assert_eq!(
        f[2]["report"]["instances"][0]["credentials"]["file"],
        "./.auraform/credentials/sandbox.env"
    );
    // The plans, their headers, the failure and the run's line are on stderr.
    for part in [
        "==> a.yaml <==\nProject \"demo\"",
        "==> b.yaml <==\nProject \"free-only\"",
        "3 files: 2 with changes, 1 failed.",
        "1 of 3 files failed",
    ] {
        assert!(out.stderr.contains(part), "{part}: {}", out.stderr);
    }
    let secret = b.password("sandbox");
    assert!(!out.stdout.contains(&secret) && !out.stderr.contains(&secret));

    // Again: nothing to do anywhere, still one document; each report is exactly what
    // that file alone prints.
    let again = apply_json(&b, &["a.yaml", "bad.yaml", "b.yaml"]).await;
    assert_eq!(again.code, 1, "{}", again.stderr);
    let doc = again.json();
    valid(&doc);
    let alone = apply_json(&b, &["b.yaml"]).await;
    assert_eq!(alone.code, 0, "{}", alone.stderr);
    assert_eq!(doc["files"][2]["report"], alone.json());
    assert_eq!(doc["files"][0]["report"]["outcome"], "nothing-to-do");
    assert_eq!(
        entries(&doc),
        pairs(&[("a.yaml", 0), ("bad.yaml", 1), ("b.yaml", 0)])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apply_json_keeps_the_report_of_a_file_whose_apply_failed() {
    let b = start().await;
    b.write("a.yaml", &DEMO.replace("8GB", "16GB"));
    // The credentials command fails: the file keeps the password, the report says so,
    // and that file's apply exits 1.
    b.write(
        "b.yaml",
        &format!("{FREE}credentials:\n  command: [sh, -c, 'cat >/dev/null; exit 3']\n"),
    );
    let out = apply_json(&b, &["a.yaml", "b.yaml"]).await;
    assert_eq!(out.code, 1, "{}", out.stderr);
    let doc = out.json();
    valid(&doc);
    assert_eq!(doc["exit_code"], 1);
    assert_eq!(entries(&doc), pairs(&[("a.yaml", 0), ("b.yaml", 1)]));
    let report = &doc["files"][1]["report"];
    assert_eq!(report["outcome"], "finished-with-errors");
    assert_eq!(report["summary"]["credentials_sink_failures"], 1);
    assert_eq!(
        report["instances"][0]["failures"][0]["kind"],
        "credentials-command"
    );
    assert!(doc["files"][1].get("error").is_none());
    assert!(out.stderr.contains("==> b.yaml <==\n"), "{}", out.stderr);
    let secret = b.password("sandbox");
    assert!(!out.stdout.contains(&secret) && !out.stderr.contains(&secret));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn output_over_several_files_gives_each_project_its_report() {
    let b = start().await;
    apply_one(&b, "b.yaml").await;
    let secret = b.password("sandbox");
    let both = ["-f", "a.yaml", "-f", "b.yaml"];
    let run = |format: &'static str| {
        let mut args = vec!["output", "--format", format];
        args.extend(both);
        args
    };

    // env: the lines of each file alone, in file order, and nothing else.
    let out = b.run(&run("env")).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    let a = b.run(&["output", "-f", "a.yaml"]).await.stdout;
    let alone_b = b.run(&["output", "-f", "b.yaml"]).await.stdout;
    assert!(a.starts_with("ORDERS_NEO4J_URI=") && alone_b.starts_with("SANDBOX_NEO4J_URI="));
    assert_eq!(out.stdout, format!("{a}{alone_b}"));

    // json: one document, each report the output document of that file alone.
    let out = b.run(&run("json")).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    let doc = out.json();
    valid(&doc);
    assert_eq!(entries(&doc), pairs(&[("a.yaml", 0), ("b.yaml", 0)]));
    let alone = b
        .run(&["output", "--format", "json", "-f", "b.yaml"])
        .await
        .json();
    assert_eq!(doc["files"][1]["report"], alone);
    assert_eq!(doc["files"][0]["report"]["kind"], "output");

    // dotenv-per-instance: each file's files beside it, every path listed.
    let out = b.run(&run("dotenv-per-instance")).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        out.stdout,
        "./.auraform/output/orders.env\n./.auraform/output/sandbox.env\n"
    );
    assert!(
        b.read(".auraform/output/sandbox.env")
            .contains("AURA_INSTANCE_NAME=sandbox")
    );

    // A file that fails does not stop the others.
    b.write("bad.yaml", "project: nowhere\ninstances: {}\n");
    let out = b.run(&["output", "-f", "bad.yaml", "-f", "a.yaml"]).await;
    assert_eq!(out.code, 1);
    assert_eq!(out.stdout, a);
    assert!(
        out.stderr.starts_with("==> bad.yaml <==\n"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("1 of 2 files failed"), "{}", out.stderr);
    for text in [&out.stdout, &out.stderr] {
        assert!(!text.contains(&secret));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn output_refuses_a_later_file_that_would_set_or_write_what_an_earlier_one_did() {
    let b = start().await;
    // `orders` in both projects.
    b.write(
        "b.yaml",
        "project: free-only\ninstances:\n  orders:\n    type: free-db\n",
    );
    apply_one(&b, "b.yaml").await;
    let a = b.run(&["output", "-f", "a.yaml"]).await.stdout;

    let out = b.run(&["output", "-f", "a.yaml", "-f", "b.yaml"]).await;
    assert_eq!(out.code, 1);
    assert_eq!(out.stdout, a, "only the first file's lines");
    assert!(
        out.stderr.contains("auraform::output::shared_variables"),
        "{}",
        out.stderr
    );
    // The message as said, without miette's line wrapping.
    let said = out
        .stderr
        .split_whitespace()
        .filter(|w| *w != "|")
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        said.contains(
            "`orders` in b.yaml would set the same variables `ORDERS_…` as `orders` in a.yaml"
        ),
        "{}",
        out.stderr
    );

    // The same two files write one directory: the later one writes nothing.
    let out = b
        .run(&[
            "output",
            "--format",
            "dotenv-per-instance",
            "-f",
            "a.yaml",
            "-f",
            "b.yaml",
        ])
        .await;
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("auraform::output::shared_file"),
        "{}",
        out.stderr
    );
    let env = b.read(".auraform/output/orders.env");
    assert!(env.contains("NEO4J_URI=neo4j+s://"), "{env}");
    let ids: Vec<&str> = env
        .lines()
        .filter_map(|l| l.strip_prefix("AURA_INSTANCE_ID="))
        .collect();
    assert_eq!(ids.len(), 1);
    assert!(
        a.contains(&format!("ORDERS_AURA_INSTANCE_ID={}\n", ids[0])),
        "a.yaml's orders"
    );

    // JSON keys each project apart: no refusal.
    let out = b
        .run(&["output", "--format", "json", "-f", "a.yaml", "-f", "b.yaml"])
        .await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    valid(&out.json());
}
