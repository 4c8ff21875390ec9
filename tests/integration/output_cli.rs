//! `auraform output` as the deploying job runs it: the real binary against the
//! emulator (docs/commands.md §9.10). Live details of the declared instances, in
//! three forms, never a password.

use std::path::Path;

use serde_json::Value;

use super::support::bench::Bench;
use super::support::cli::Out;

/// `orders` running, `analytics` paused, `scratch` undeclared; `reports` declared
/// but not live. Returns the bench and every password the API ever handed out.
async fn project() -> (Bench, Vec<String>) {
    let b = Bench::start().await;
    let mut passwords = Vec::new();
    let mut ids = Vec::new();
    for name in ["orders", "analytics", "scratch"] {
        let created = b.emu.create(name, "professional-db", "2GB").await;
        passwords.push(created["password"].as_str().unwrap().to_owned());
        let id = created["id"].as_str().unwrap().to_owned();
        b.emu.wait(&id, Some("running")).await;
        ids.push(id);
    }
    b.emu.pause_instance(&ids[1]).await;
    b.write(
        "aura.yaml",
        "project: demo\ndefaults: { type: professional-db, cloud_provider: gcp, region: europe-west1, memory: 2GB }\n\
         instances:\n  orders: {}\n  analytics: { state: paused }\n  reports: {}\n",
    );
    (b, passwords)
}

/// `output --format dotenv-per-instance --dir deploy`, plus `extra`.
async fn dotenv(b: &Bench, extra: &[&str]) -> Out {
    let mut args = vec![
        "output",
        "--format",
        "dotenv-per-instance",
        "--dir",
        "deploy",
    ];
    args.extend_from_slice(extra);
    b.run(&args).await
}

fn no_password(text: &str, passwords: &[String]) {
    for p in passwords {
        assert!(!text.contains(p.as_str()), "a password was printed");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_validates_against_its_schema_and_holds_no_password() {
    let (b, passwords) = project().await;
    let out = b.run(&["output", "--format", "json"]).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    no_password(&format!("{}{}", out.stdout, out.stderr), &passwords);
    let doc: Value = out.json();
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("schema/output.schema.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let validator = jsonschema::draft7::new(&schema).unwrap();
    let errors: Vec<String> = validator.iter_errors(&doc).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:#?}");

    let mut names: Vec<&str> = doc["instances"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    names.sort_unstable();
    assert_eq!(names, ["analytics", "orders"], "declared and live only");
    let at = |key: &str| out.stdout.find(&format!("\"{key}\": {{")).unwrap();
    assert!(at("orders") < at("analytics"), "in file order");
    assert_eq!(doc["missing"], serde_json::json!(["reports"]));
    assert!(out.stderr.contains("`reports`"), "{}", out.stderr);
    let orders = &doc["instances"]["orders"];
    let id = orders["id"].as_str().unwrap();
    assert_eq!(orders["status"], "running");
    assert_eq!(orders["neo4j_uri_source"], "api");
    assert_eq!(
        orders["neo4j_uri"],
        format!("neo4j+s://{id}.databases.neo4j.io")
    );
    assert_eq!(orders["type"], "professional-db");
    assert_eq!(orders["region"], "europe-west1");
    // Paused: the API's connection_url is empty; the URI is the instance's own.
    let analytics = &doc["instances"]["analytics"];
    assert_eq!(analytics["status"], "paused");
    assert_eq!(analytics["neo4j_uri_source"], "derived");
    let aid = analytics["id"].as_str().unwrap();
    assert_eq!(
        analytics["neo4j_uri"],
        format!("neo4j+s://{aid}.databases.neo4j.io")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn env_lines_are_prefixed_and_safe_for_github_env() {
    let (b, passwords) = project().await;
    let out = b.run(&["output"]).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    no_password(&out.stdout, &passwords);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), 14, "{}", out.stdout);
    assert!(
        lines[0].starts_with("ORDERS_NEO4J_URI=neo4j+s://"),
        "{}",
        lines[0]
    );
    assert!(lines.contains(&"ANALYTICS_AURA_INSTANCE_STATUS=paused"));
    for line in lines {
        let (name, value) = line.split_once('=').unwrap();
        assert!(
            name.chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
        );
        assert!(!value.is_empty() && !value.contains("<<"));
    }

    // Names that mangle alike are refused, not written so that one wins.
    let id = b.emu.running("orders_copy", "professional-db", "2GB").await;
    let _ = b.emu.running("orders-copy", "professional-db", "2GB").await;
    b.write(
        "aura.yaml",
        &format!(
            "project: demo\ndefaults: {{ type: professional-db, cloud_provider: gcp, region: europe-west1, memory: 2GB }}\n\
             instances:\n  orders-copy: {{}}\n  orders_copy: {{ id: {id} }}\n"
        ),
    );
    let out = b.run(&["output", "--format", "env"]).await;
    assert_eq!(out.code, 1);
    assert!(out.stdout.is_empty());
    assert!(
        out.stderr.contains("auraform::output::name_collision"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("ORDERS_COPY_"), "{}", out.stderr);
    // JSON keys instances by their exact names: no collision there.
    assert_eq!(b.run(&["output", "--format", "json"]).await.code, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dotenv_per_instance_writes_one_file_each_and_never_overwrites_silently() {
    let (b, passwords) = project().await;
    let out = dotenv(&b, &[]).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout, "deploy/orders.env\ndeploy/analytics.env\n");
    let orders = b.read("deploy/orders.env");
    no_password(&orders, &passwords);
    assert!(orders.contains("\nNEO4J_URI=neo4j+s://"), "{orders}");
    assert!(orders.contains("\nAURA_INSTANCE_NAME=orders\n"), "{orders}");

    // Again: the same content is left alone.
    let again = dotenv(&b, &[]).await;
    assert_eq!(again.code, 0);
    assert!(again.stderr.contains("(2 unchanged)"), "{}", again.stderr);

    // A file that differs is refused, and nothing at all is written.
    b.write("deploy/orders.env", "edited by hand\n");
    std::fs::remove_file(b.path("deploy/analytics.env")).unwrap();
    let refused = dotenv(&b, &[]).await;
    assert_eq!(refused.code, 1);
    assert!(
        refused.stderr.contains("auraform::output::file_exists"),
        "{}",
        refused.stderr
    );
    assert_eq!(b.read("deploy/orders.env"), "edited by hand\n");
    assert!(!b.path("deploy/analytics.env").exists());

    let forced = dotenv(&b, &["--force"]).await;
    assert_eq!(forced.code, 0, "{}", forced.stderr);
    assert!(forced.stderr.contains("1 replaced"), "{}", forced.stderr);
    assert_eq!(b.read("deploy/orders.env"), orders);

    // Without --dir: beside aura.yaml, in the private .auraform/ folder.
    let default = b.run(&["output", "--format", "dotenv-per-instance"]).await;
    assert_eq!(default.code, 0, "{}", default.stderr);
    assert!(b.path(".auraform/output/orders.env").exists());
    assert_eq!(b.read(".auraform/.gitignore"), "*\n");

    let misuse = b.run(&["output", "--force"]).await;
    assert_eq!(misuse.code, 1);
    assert!(
        misuse
            .stderr
            .contains("auraform::output::flag_needs_dotenv")
    );
}
