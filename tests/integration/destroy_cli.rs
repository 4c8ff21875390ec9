//! `auraform destroy` and `plan --destroy` as CI runs them: the real binary against an
//! in-process emulator whose project also holds instances aura.yaml does not declare
//! (docs/commands.md, destroy). Every test checks what the emulator saw: which
//! instances are left, and how many DELETEs reached it.

use auraform::apply::files_schema::files_schema;
use auraform::apply::report_json::report_schema;
use serde_json::{Value, json};

use crate::support::bench::{Bench, FAST_POLL};
use crate::support::cli::{Out, auraform};
use crate::support::emulator::{by_route, stats};
use crate::support::plan_doc::{actions, check_json};

const DELETE: &str = "DELETE /v1/instances/{id}";

/// The live project of the mixed tests, and the aura.yaml that declares part of it.
struct Mixed {
    bench: Bench,
    /// Declared and live: `web` (running), `batch` (paused), `reports` (pinned by id,
    /// live under another name), `busy` (stuck `updating` until [`Mixed::release`]),
    /// `leaving` (stuck `destroying` until then).
    web: String,
    batch: String,
    reports: String,
    busy: String,
    leaving: String,
    /// Live, not declared: `shared` (running), `nightly` (paused), and a second
    /// `reports` (the pinned `reports` is the other one).
    others: Vec<String>,
}

const MIXED_YAML: &str = "\
project: demo
defaults:
  type: professional-db
  cloud_provider: gcp
  region: europe-west1
instances:
  web:
    memory: 4GB
  batch:
    memory: 2GB
    state: paused
  reports:
    id: {reports}
    memory: 2GB
  busy:
    memory: 2GB
  leaving:
    memory: 2GB
  ghost:
    memory: 2GB
";

impl Mixed {
    async fn start() -> Mixed {
        let bench = Bench::start().await;
        let emu = &bench.emu;
        let web = emu.launch("web", json!({"memory": "4GB"})).await;
        let batch = emu.launch("batch", json!({"memory": "2GB"})).await;
        emu.pause_instance(&batch).await;
        let reports = emu.launch("reports-2024", json!({"memory": "2GB"})).await;
        let shared = emu.launch("shared", json!({"memory": "2GB"})).await;
        let nightly = emu.launch("nightly", json!({"memory": "2GB"})).await;
        emu.pause_instance(&nightly).await;
        let reports_too = emu.launch("reports", json!({"memory": "2GB"})).await;
        let busy = emu.launch("busy", json!({"memory": "2GB"})).await;
        emu.force_status(&busy, "updating").await;
        let leaving = emu.launch("leaving", json!({"memory": "2GB"})).await;
        emu.force_status(&leaving, "destroying").await;
        bench.write("aura.yaml", &MIXED_YAML.replace("{reports}", &reports));
        Mixed {
            bench,
            web,
            batch,
            reports,
            busy,
            leaving,
            others: vec![shared, nightly, reports_too],
        }
    }

    fn declared(&self) -> [&str; 5] {
        [
            &self.web,
            &self.batch,
            &self.reports,
            &self.busy,
            &self.leaving,
        ]
    }

    /// Once destroy is under way (`web` is gone), `busy` finishes its operation (unless
    /// `!busy`: it stays busy) and someone else's delete of `leaving` runs its course
    /// (one DELETE, not destroy's).
    async fn release(&self, busy: bool) {
        let emu = &self.bench.emu;
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(20);
        while self.status(&self.web).await.is_some() {
            assert!(
                tokio::time::Instant::now() < deadline,
                "destroy never started"
            );
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        if busy {
            emu.force_status(&self.busy, "running").await;
        }
        emu.force_status(&self.leaving, "running").await;
        let r = emu.delete(&format!("/v1/instances/{}", self.leaving)).await;
        assert_eq!(r.status, 202, "{:?}", r.body);
    }

    async fn status(&self, id: &str) -> Option<String> {
        let r = self.bench.emu.get(&format!("/v1/instances/{id}")).await;
        (r.status == 200).then(|| r.data()["status"].as_str().unwrap().to_owned())
    }

    async fn deletes(&self) -> u64 {
        by_route(&stats(&self.bench.emu.handle).await, DELETE)
    }

    /// Filters for the ids and the project UUID, so a snapshot is reproducible.
    fn settings(&self) -> insta::Settings {
        let mut s = insta::Settings::clone_current();
        s.add_filter(&self.bench.emu.demo(), "[project-id]");
        for (id, label) in [
            (&self.web, "web"),
            (&self.batch, "batch"),
            (&self.reports, "reports"),
            (&self.busy, "busy"),
            (&self.leaving, "leaving"),
        ] {
            s.add_filter(&format!(r"\b{id}\b"), format!("[{label}-id]"));
        }
        s.add_filter(r"\b[0-9a-f]{8}\b", "[id]");
        s.set_prepend_module_to_snapshot(true);
        s.set_omit_expression(true);
        s
    }
}

fn ok(out: &Out) {
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
}

/// Exactly the declared instances go (the pinned one by id, the paused one too, the
/// busy one once it settles, the one already being destroyed is waited for), each is
/// gone (404) when destroy returns, the others are untouched, and a second destroy
/// finds nothing to do; `plan --destroy --detailed-exitcode` says 2 before and 0 after.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn destroy_removes_exactly_the_declared_instances_then_is_a_no_op() {
    let m = Mixed::start().await;
    let plan = m
        .bench
        .run_polling(&["plan", "--destroy", "--detailed-exitcode"])
        .await;
    assert_eq!(plan.code, 2, "{}\n{}", plan.stdout, plan.stderr);
    m.settings()
        .bind(|| insta::assert_snapshot!("mixed_plan_destroy", plan.stdout));
    let json = m
        .bench
        .run_polling(&["plan", "--destroy", "--format", "json"])
        .await;
    ok(&json);
    let doc = json.json();
    check_json(&doc);
    assert_eq!(doc["options"]["destroy"], true);
    for (name, want) in [
        ("web", &["delete"][..]),
        ("batch", &["delete"]),
        ("reports", &["delete"]),
        ("busy", &["wait", "delete"]),
        ("leaving", &["wait"]),
    ] {
        assert_eq!(actions(&doc, name), want, "{name}");
    }
    assert_eq!(doc["changes"].as_array().unwrap().len(), 5, "{doc:#}");
    assert_eq!(doc["unmanaged"].as_array().unwrap().len(), 3, "{doc:#}");
    assert_eq!(m.deletes().await, 0, "plan --destroy deleted something");

    let (destroy, ()) = tokio::join!(
        m.bench.run_polling(&["destroy", "--auto-approve"]),
        m.release(true)
    );
    ok(&destroy);
    m.settings()
        .bind(|| insta::assert_snapshot!("mixed_destroy", destroy.stdout));
    // Gone when destroy returned, not merely `destroying`.
    for id in m.declared() {
        assert_eq!(m.status(id).await, None, "{id} is still there");
    }
    for id in &m.others {
        let status = m.status(id).await;
        assert!(
            matches!(status.as_deref(), Some("running" | "paused")),
            "{id}: {status:?}"
        );
    }
    // Four from destroy, one from whoever deleted `leaving`.
    assert_eq!(m.deletes().await, 5);
    // The credentials of instances auraform did not create: there were none to keep.
    assert!(
        !destroy.stdout.contains("credentials"),
        "{}",
        destroy.stdout
    );

    let again = m.bench.run_polling(&["destroy", "--auto-approve"]).await;
    ok(&again);
    assert!(
        again.stdout.contains(
            "No changes. No instance that aura.yaml declares exists: nothing to destroy."
        ),
        "{}",
        again.stdout
    );
    assert_eq!(m.deletes().await, 5, "a second destroy sent a DELETE");
    let after = m
        .bench
        .run_polling(&["plan", "--destroy", "--detailed-exitcode"])
        .await;
    assert_eq!(after.code, 0, "{}\n{}", after.stdout, after.stderr);
}

/// One `prevent_destroy` instance among the declared ones refuses the whole destroy
/// before the first DELETE, with the error pointing at the line; `--target` of the
/// others destroys those.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prevent_destroy_refuses_before_any_delete() {
    let m = Mixed::start().await;
    let yaml = m.bench.read("aura.yaml").replace(
        "  batch:\n    memory: 2GB\n",
        "  batch:\n    memory: 2GB\n    prevent_destroy: true\n",
    );
    m.bench.write("aura.yaml", &yaml);

    let refused = m.bench.run_polling(&["destroy", "--auto-approve"]).await;
    assert_eq!(refused.code, 1, "{}\n{}", refused.stdout, refused.stderr);
    assert!(
        refused.stderr.contains("prevent_destroy"),
        "{}",
        refused.stderr
    );
    assert!(
        refused.stderr.contains("aura.yaml:"),
        "not located: {}",
        refused.stderr
    );
    assert!(refused.stderr.contains("batch"), "{}", refused.stderr);
    assert_eq!(m.deletes().await, 0, "a DELETE reached the API");
    for id in m.declared() {
        assert!(m.status(id).await.is_some(), "{id} was deleted");
    }
    // plan --destroy refuses it the same way.
    let plan = m.bench.run_polling(&["plan", "--destroy"]).await;
    assert_eq!(plan.code, 1, "{}", plan.stdout);

    let targeted = m
        .bench
        .run_polling(&["destroy", "--auto-approve", "--target", "web"])
        .await;
    ok(&targeted);
    assert!(
        targeted
            .stdout
            .contains("Limited to --target web: the other declared instances are left alone."),
        "{}",
        targeted.stdout
    );
    assert_eq!(m.status(&m.web).await, None);
    assert_eq!(m.status(&m.batch).await.as_deref(), Some("paused"));
    assert_eq!(m.status(&m.reports).await.as_deref(), Some("running"));
    assert_eq!(m.deletes().await, 1);
}

/// A saved destroy plan is applied as it was made, and refused once the instances it
/// deletes have changed since.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn saved_destroy_plan_is_applied_and_refused_when_stale() {
    let m = Mixed::start().await;
    let saved = m
        .bench
        .run_polling(&[
            "plan",
            "--destroy",
            "--target",
            "web",
            "--out",
            "destroy.json",
        ])
        .await;
    ok(&saved);
    let stale = m
        .bench
        .run_polling(&[
            "plan",
            "--destroy",
            "--target",
            "batch",
            "--out",
            "stale.json",
        ])
        .await;
    ok(&stale);
    // `batch` is resumed by someone else: the plan that deletes it is stale.
    let resumed = m
        .bench
        .emu
        .post(&format!("/v1/instances/{}/resume", m.batch), json!({}))
        .await;
    assert_eq!(resumed.status, 202, "{:?}", resumed.body);
    m.bench.emu.wait(&m.batch, Some("running")).await;

    let refused = m.bench.run_polling(&["apply", "stale.json"]).await;
    assert_eq!(refused.code, 1, "{}\n{}", refused.stdout, refused.stderr);
    assert!(refused.stderr.contains("stale"), "{}", refused.stderr);
    assert_eq!(m.deletes().await, 0);

    let applied = m.bench.run_polling(&["apply", "destroy.json"]).await;
    ok(&applied);
    assert_eq!(m.status(&m.web).await, None);
    assert_eq!(m.status(&m.batch).await.as_deref(), Some("running"));
    assert_eq!(m.deletes().await, 1);
}

/// Without `--auto-approve` and without a terminal, destroy refuses and deletes
/// nothing; on a terminal it asks, and only `yes` goes on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn destroy_asks_on_a_terminal_and_refuses_without_one() {
    let m = Mixed::start().await;
    let args = ["destroy", "--target", "web"];
    let piped = auraform()
        .dir(m.bench.dir.path())
        .args(args)
        .against(&m.bench.emu)
        .run_async()
        .await;
    assert_eq!(piped.code, 1);
    assert!(
        piped
            .stderr
            .contains("destroy needs confirmation, but there is no terminal to ask on"),
        "{}",
        piped.stderr
    );
    assert!(
        piped.stderr.contains("then run `auraform destroy"),
        "{}",
        piped.stderr
    );

    let dir = m.bench.dir.path().to_owned();
    let emu_url = m.bench.emu.handle.base_url();
    let in_terminal = |answer: &'static str| {
        let dir = dir.clone();
        let url = emu_url.clone();
        tokio::task::spawn_blocking(move || {
            auraform()
                .dir(dir)
                .args(args)
                .args(FAST_POLL)
                .against_url(&url)
                .in_terminal()
                .stdin(answer)
                .run()
        })
    };
    let declined = in_terminal("y\n").await.unwrap();
    assert_eq!(declined.code, 1, "{}", declined.stdout);
    assert!(
        declined
            .stdout
            .contains("Do you really want to destroy these instances?"),
        "{}",
        declined.stdout
    );
    assert!(
        declined
            .stdout
            .contains("destroy cancelled: nothing was deleted"),
        "{}",
        declined.stdout
    );
    assert_eq!(m.deletes().await, 0);

    let confirmed = in_terminal("yes\n").await.unwrap();
    assert_eq!(confirmed.code, 0, "{}", confirmed.stdout);
    assert!(
        confirmed.stdout.contains("Destroy complete: 1 done."),
        "{}",
        confirmed.stdout
    );
    assert_eq!(m.status(&m.web).await, None);
    assert_eq!(m.deletes().await, 1);
}

/// The ephemeral environment of a pull request, as the README's CI teardown shows it:
/// apply `pr-${PR_NUMBER}-db` into a project that holds others, then destroy it with the
/// same variable set. The others are untouched; the credentials file goes only with
/// `--remove-credentials`; without the variable, both commands say which is missing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pull_request_environment_is_applied_then_destroyed() {
    let bench = Bench::start().await;
    let emu = &bench.emu;
    let main_db = emu.launch("main-db", json!({"memory": "4GB"})).await;
    let pr_6 = emu.launch("pr-6-db", json!({"memory": "2GB"})).await;
    bench.write(
        "aura.yaml",
        "project: demo
instances:
  \"pr-${PR_NUMBER}-db\":
    type: professional-db
    cloud_provider: gcp
    region: europe-west1
    memory: 2GB
",
    );
    let run = |args: &'static [&'static str], pr: Option<&'static str>| {
        let mut cmd = auraform()
            .dir(bench.dir.path())
            .args(args)
            .args(FAST_POLL)
            .against(emu)
            .env_remove("PR_NUMBER");
        if let Some(pr) = pr {
            cmd = cmd.env("PR_NUMBER", pr);
        }
        cmd.run_async()
    };

    for args in [
        &["apply", "--auto-approve"][..],
        &["destroy", "--auto-approve"],
    ] {
        let unset = run(args, None).await;
        assert_eq!(unset.code, 1, "{}", unset.stdout);
        assert!(
            unset
                .stderr
                .contains("environment variable `PR_NUMBER` is not set"),
            "{}",
            unset.stderr
        );
        assert!(unset.stderr.contains("aura.yaml:"), "{}", unset.stderr);
    }
    // Only the two seeded creates.
    assert_eq!(by_route(&stats(&emu.handle).await, "POST /v1/instances"), 2);

    ok(&run(&["apply", "--auto-approve"], Some("7")).await);
    let creds = bench.path(".auraform/credentials/pr-7-db.env");
    assert!(creds.exists());
    let plan = run(&["plan", "--destroy"], Some("7")).await;
    ok(&plan);
    assert!(
        plan.stdout.contains("- instance \"pr-7-db\""),
        "{}",
        plan.stdout
    );
    assert!(plan.stdout.contains("1 to delete"), "{}", plan.stdout);

    let destroy = run(&["destroy", "--auto-approve"], Some("7")).await;
    ok(&destroy);
    assert!(
        destroy.stdout.contains("are left in place"),
        "{}",
        destroy.stdout
    );
    assert!(
        creds.exists(),
        "the credentials went without --remove-credentials"
    );
    for (id, name) in [(&main_db, "main-db"), (&pr_6, "pr-6-db")] {
        let r = emu.get(&format!("/v1/instances/{id}")).await;
        assert_eq!(r.data()["status"], "running", "{name}: {:?}", r.body);
    }
    let listed = emu
        .get(&format!("/v1/instances?tenantId={}", emu.demo()))
        .await;
    assert_eq!(
        listed.data().as_array().unwrap().len(),
        2,
        "{:?}",
        listed.body
    );

    // Another PR's environment, torn down with its credentials.
    ok(&run(&["apply", "--auto-approve"], Some("8")).await);
    let creds_8 = bench.path(".auraform/credentials/pr-8-db.env");
    let gone = run(
        &["destroy", "--auto-approve", "--remove-credentials"],
        Some("8"),
    )
    .await;
    ok(&gone);
    assert!(!creds_8.exists());
    assert!(
        gone.stdout.contains("credentials removed"),
        "{}",
        gone.stdout
    );
    assert!(creds.exists(), "another PR's credentials were removed");
}

/// Wrong input to destroy: an unknown --target, a directory without aura.yaml.
/// Nothing reaches the API's DELETE.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn destroy_refuses_unknown_targets_and_missing_files() {
    let m = Mixed::start().await;
    let unknown = m
        .bench
        .run_polling(&["destroy", "--auto-approve", "--target", "wbe"])
        .await;
    assert_eq!(unknown.code, 1);
    assert!(
        unknown
            .stderr
            .contains("--target `wbe` is not declared in aura.yaml"),
        "{}",
        unknown.stderr
    );
    assert!(unknown.stderr.contains("`web`"), "{}", unknown.stderr);

    let empty = tempfile::tempdir().unwrap();
    let missing = auraform()
        .dir(empty.path())
        .args(["destroy", "--auto-approve"])
        .args(FAST_POLL)
        .against(&m.bench.emu)
        .run_async()
        .await;
    assert_eq!(missing.code, 1);
    assert!(
        missing
            .stderr
            .contains("cannot read aura.yaml: no such file"),
        "{}",
        missing.stderr
    );
    assert_eq!(m.deletes().await, 0);
}

/// `doc` is valid against `schema`.
fn valid(schema: &Value, doc: &Value) {
    let validator = jsonschema::draft7::new(schema).unwrap();
    let errors: Vec<String> = validator.iter_errors(doc).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:#?}\n{doc:#}");
}

/// The entry of instance `name` in an apply report.
fn entry<'a>(doc: &'a Value, name: &str) -> &'a Value {
    doc["instances"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["name"] == name)
        .unwrap_or_else(|| panic!("no {name}: {doc:#}"))
}

/// `destroy --format json --auto-approve`, which must succeed: its report, valid.
async fn destroy_json(bench: &Bench) -> Value {
    let out = bench
        .run_polling(&["destroy", "--format", "json", "--auto-approve"])
        .await;
    ok(&out);
    let doc = out.json();
    valid(&report_schema(), &doc);
    doc
}

/// `destroy --format json` of the mixed project where `busy` never settles: stdout is
/// one apply report (valid against its schema) saying what was deleted, what was only
/// waited for and what failed, the plan is on stderr; once `busy` settles a second run
/// finishes it, and a third is a `nothing-to-do` destroy report.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn destroy_json_reports_what_went_what_was_waited_for_and_what_failed() {
    let m = Mixed::start().await;
    let args = [
        "destroy",
        "--format",
        "json",
        "--auto-approve",
        "--timeout",
        "3s",
    ];
    let (out, ()) = tokio::join!(m.bench.run_polling(&args), m.release(false));
    assert_eq!(out.code, 1, "{}\n{}", out.stdout, out.stderr);
    let doc = out.json();
    valid(&report_schema(), &doc);
    assert_eq!(doc["kind"], "apply-report");
    assert_eq!(doc["operation"], "destroy");
    assert_eq!(doc["outcome"], "finished-with-errors");
    assert_eq!(doc["summary"]["done"], 4, "{doc:#}");
    assert_eq!(doc["summary"]["failed"], 1, "{doc:#}");
    for (name, steps) in [
        ("web", &["delete"][..]),
        ("batch", &["delete"]),
        ("reports", &["delete"]),
        ("leaving", &["wait"]),
    ] {
        let e = entry(&doc, name);
        assert_eq!(e["outcome"], "done", "{name}: {e:#}");
        assert_eq!(e["steps_done"], json!(steps), "{name}");
        assert_eq!(e["credentials_removed"], json!([]), "{name}");
    }
    let busy = entry(&doc, "busy");
    assert_eq!(busy["outcome"], "failed", "{busy:#}");
    assert_eq!(busy["step_in_progress"], "wait");
    assert_eq!(busy["steps_not_started"], json!(["delete"]));
    assert_eq!(busy["failures"][0]["kind"], "step");
    assert_eq!(doc["failures"], json!([]));
    // The plan and the diagnostic are on stderr; stdout is the document alone.
    assert!(out.stderr.contains("- instance \"web\""), "{}", out.stderr);
    assert!(
        out.stderr.contains("destroy did not finish"),
        "{}",
        out.stderr
    );
    assert_eq!(m.status(&m.busy).await.as_deref(), Some("updating"));
    for id in &m.others {
        assert!(m.status(id).await.is_some(), "{id} was deleted");
    }

    m.bench.emu.force_status(&m.busy, "running").await;
    let doc = destroy_json(&m.bench).await;
    assert_eq!(doc["outcome"], "complete");
    assert_eq!(entry(&doc, "busy")["steps_done"], json!(["delete"]));
    assert_eq!(m.status(&m.busy).await, None);

    let doc = destroy_json(&m.bench).await;
    assert_eq!(doc["operation"], "destroy");
    assert_eq!(doc["outcome"], "nothing-to-do");
    assert_eq!(m.deletes().await, 5);
}

const PR_YAML: &str = "\
project: demo
instances:
  pr-9-db:
    type: professional-db
    cloud_provider: gcp
    region: europe-west1
    memory: 2GB
";

const KEPT_YAML: &str = "\
project: demo
instances:
  keep:
    type: professional-db
    cloud_provider: gcp
    region: europe-west1
    memory: 2GB
    prevent_destroy: true
";

/// `destroy --format json` over two files, one of whose instances has
/// `prevent_destroy`: without a terminal and `--auto-approve` nothing at all on stdout;
/// with it, one several-files document (valid against its schema) holding the first
/// file's destroy report — naming the credentials file `--remove-credentials` removed —
/// and the second file's refusal. No password in any output; `markdown` is refused as
/// `apply` refuses it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn destroy_json_over_several_files_with_a_refusal() {
    let bench = Bench::start().await;
    let keep = bench.emu.launch("keep", json!({"memory": "2GB"})).await;
    bench.write("a.yaml", PR_YAML);
    bench.write("b.yaml", KEPT_YAML);
    ok(&bench
        .run_polling(&["apply", "-f", "a.yaml", "--auto-approve"])
        .await);
    let secret = bench.password("pr-9-db");
    let creds = bench.path(".auraform/credentials/pr-9-db.env");
    let both = ["-f", "a.yaml", "-f", "b.yaml"];

    for files in [&both[..2], &both[..]] {
        let mut args = vec!["destroy", "--format", "json"];
        args.extend(files);
        let refused = bench.run_polling(&args).await;
        assert_eq!(refused.code, 1, "{}", refused.stderr);
        assert_eq!(refused.stdout, "", "{files:?}");
        assert!(
            refused
                .stderr
                .contains("destroy needs confirmation, but there is no terminal to ask on"),
            "{}",
            refused.stderr
        );
    }
    for command in ["apply", "destroy"] {
        let markdown = bench
            .run(&[command, "-f", "a.yaml", "--format", "markdown"])
            .await;
        assert_eq!(markdown.code, 1, "{command}: {}", markdown.stderr);
        assert_eq!(markdown.stdout, "");
        assert!(
            markdown.stderr.contains("[possible values: human, json]"),
            "{command}: {}",
            markdown.stderr
        );
    }
    assert_eq!(by_route(&stats(&bench.emu.handle).await, DELETE), 0);

    let mut args = vec![
        "destroy",
        "--format",
        "json",
        "--auto-approve",
        "--remove-credentials",
    ];
    args.extend(both);
    let out = bench.run_polling(&args).await;
    assert_eq!(out.code, 1, "{}", out.stderr);
    let doc = out.json();
    valid(&files_schema(), &doc);
    assert_eq!(doc["exit_code"], 1);
    let report = &doc["files"][0]["report"];
    assert_eq!(doc["files"][0]["exit_code"], 0);
    assert_eq!(report["operation"], "destroy");
    assert_eq!(report["outcome"], "complete");
    let pr = entry(report, "pr-9-db");
    assert_eq!(pr["steps_done"], json!(["delete"]));
    assert_eq!(
        pr["credentials_removed"],
        json!(["./.auraform/credentials/pr-9-db.env"])
    );
    assert_eq!(pr["credentials_left"], json!([]));
    let refusal = &doc["files"][1];
    assert_eq!(refusal["file"], "b.yaml");
    assert_eq!(refusal["error"]["code"], "auraform::plan::prevent_destroy");
    assert!(!creds.exists());
    let r = bench.emu.get(&format!("/v1/instances/{keep}")).await;
    assert_eq!(r.data()["status"], "running", "{:?}", r.body);
    assert!(
        !out.stdout.contains(&secret) && !out.stderr.contains(&secret),
        "a password in the output"
    );
}
