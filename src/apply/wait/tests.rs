//! The waiting engine under tokio's paused clock, against scripted API timelines:
//! grace, fail-fast statuses, value matching, timeouts, Ctrl-C, pacing, 409 retry.

use std::cell::Cell;
use std::fmt;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;

use super::judge::Verdict;
use super::{ApiFailure, WaitError, WaitFor, WaitSpec, retry_while_busy, wait_until};
use crate::api::pacer::Pacer;
use crate::api::wire::Instance;
use crate::apply::cancel::Cancel;
use crate::aura::{CdcEnrichmentMode, CloudProvider, InstanceStatus, InstanceType};
use crate::plan::{Expectation, ExpectedStatus, ExpectedValues};
use crate::units::Rate;

const SEC: Duration = Duration::from_secs(1);

fn instance(status: &str, memory: &str) -> Instance {
    Instance {
        id: "0a1b2c3d".into(),
        name: "orders".into(),
        status: InstanceStatus::parse(status),
        tenant_id: "t".into(),
        cloud_provider: CloudProvider::Gcp,
        connection_url: None,
        metrics_integration_url: None,
        region: "europe-west1".into(),
        instance_type: InstanceType::ProfessionalDb,
        memory: Some(memory.into()),
        storage: Some("16GB".into()),
        created_at: None,
        version: Some("5".into()),
        vector_optimized: Some(false),
        graph_analytics_plugin: None,
        secondaries_count: None,
        cdc_enrichment_mode: None,
        customer_managed_key_id: None,
        graph_nodes: None,
        graph_relationships: None,
    }
}

#[derive(Debug, PartialEq)]
enum TestErr {
    Busy,
    Boom,
}

impl fmt::Display for TestErr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self:?}")
    }
}

impl ApiFailure for TestErr {
    fn is_busy(&self) -> bool {
        *self == TestErr::Busy
    }
}

type FakeGet = std::future::Ready<Result<Option<Instance>, TestErr>>;

/// A fake API timeline: `script(elapsed)` says what a GET returns at that time.
fn fake(script: impl Fn(Duration) -> Option<Instance>) -> (impl FnMut() -> FakeGet, Rc<Cell<u32>>) {
    let start = Instant::now();
    let calls = Rc::new(Cell::new(0));
    let counter = Rc::clone(&calls);
    let get = move || {
        counter.set(counter.get() + 1);
        std::future::ready(Ok(script(start.elapsed())))
    };
    (get, calls)
}

/// The budget of the tests: 600/min, so one poller keeps its own interval.
fn budget() -> Pacer {
    Pacer::new(Rate::per_minute(600))
}

#[tokio::test(start_paused = true)]
async fn create_tolerates_404_then_waits_for_running() {
    let (get, calls) = fake(|t| {
        if t < 30 * SEC {
            None
        } else if t < 100 * SEC {
            Some(instance("creating", "8GB"))
        } else {
            Some(instance("running", "8GB"))
        }
    });
    let mut seen = Vec::new();
    let waited = wait_until(
        get,
        WaitFor::Step(&Expectation::status(ExpectedStatus::Running)),
        WaitSpec::new(900 * SEC).with_grace(60 * SEC),
        budget().polls(5 * SEC),
        &Cancel::new(),
        |s| seen.push(s.to_owned()),
    )
    .await
    .unwrap();
    assert_eq!(waited.instance.unwrap().status, InstanceStatus::Running);
    // Done at the first poll after 100 s; never more than duration/interval + 2.
    assert_eq!(waited.elapsed, 100 * SEC);
    assert_eq!(calls.get(), 20);
    assert!(f64::from(calls.get()) <= 100.0 / 5.0 + 2.0);
    assert!(seen.contains(&"not visible yet (404)".to_owned()));
    assert!(seen.contains(&"creating".to_owned()));
}

/// With the usual duration known (2 min), the first poll comes at 90 s, the next at
/// 120 s, later ones every interval: a usual create costs 2 polls and is seen when it
/// ends; a slow one is still seen within an interval.
#[tokio::test(start_paused = true)]
async fn polls_at_three_quarters_then_at_the_usual_end_then_every_interval() {
    for (done_at, polls, seen_at) in [(119, 2, 120), (120, 2, 120), (50, 1, 90), (131, 5, 135)] {
        let (get, calls) = fake(move |t| {
            Some(instance(
                if t < done_at * SEC {
                    "creating"
                } else {
                    "running"
                },
                "8GB",
            ))
        });
        let waited = wait_until(
            get,
            WaitFor::Step(&Expectation::status(ExpectedStatus::Running)),
            WaitSpec::new(900 * SEC).usual(120 * SEC),
            budget().polls(5 * SEC),
            &Cancel::new(),
            |_| {},
        )
        .await
        .unwrap();
        assert_eq!(
            (calls.get(), waited.elapsed),
            (polls, seen_at * SEC),
            "done at {done_at} s"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn not_found_after_grace_fails() {
    let (get, _) = fake(|_| None);
    let err = wait_until(
        get,
        WaitFor::Step(&Expectation::status(ExpectedStatus::Running)),
        WaitSpec::new(900 * SEC).with_grace(60 * SEC),
        budget().polls(5 * SEC),
        &Cancel::new(),
        |_| {},
    )
    .await
    .unwrap_err();
    assert!(matches!(err, WaitError::Unexpected { .. }), "{err}");
    assert!(err.to_string().contains("404"));
    // Fails at the first poll after the grace period, not at the timeout.
    assert!(Instant::now().elapsed() < SEC);
}

#[tokio::test(start_paused = true)]
async fn unexpected_destroying_and_loading_failed_fail_fast() {
    for (status, word) in [
        ("destroying", "destroying"),
        ("loading failed", "loading failed"),
        ("suspended", "suspended"),
    ] {
        let start = Instant::now();
        let (get, calls) = fake(move |t| {
            Some(instance(
                if t < 10 * SEC { "updating" } else { status },
                "8GB",
            ))
        });
        let err = wait_until(
            get,
            WaitFor::Step(&Expectation::status(ExpectedStatus::Running)),
            WaitSpec::new(900 * SEC),
            budget().polls(5 * SEC),
            &Cancel::new(),
            |_| {},
        )
        .await
        .unwrap_err();
        assert!(err.to_string().contains(word), "{err}");
        assert_eq!(err.last_status(), Some(status));
        assert_eq!(calls.get(), 2);
        assert_eq!(start.elapsed(), 10 * SEC);
    }
}

#[tokio::test(start_paused = true)]
async fn unknown_status_keeps_waiting_and_values_must_match() {
    // A resize: `resizing` (undocumented) with the old memory, then running with
    // the old memory for a moment, then the new memory.
    let (get, _) = fake(|t| {
        Some(if t < 40 * SEC {
            instance("resizing", "8GB")
        } else if t < 50 * SEC {
            instance("running", "8GB")
        } else {
            instance("running", "16GB")
        })
    });
    let expect = Expectation::Status {
        status: ExpectedStatus::Running,
        values: ExpectedValues {
            memory: Some("16GB".into()),
            ..ExpectedValues::default()
        },
    };
    let mut seen = Vec::new();
    let waited = wait_until(
        get,
        WaitFor::Step(&expect),
        WaitSpec::new(900 * SEC),
        budget().polls(5 * SEC),
        &Cancel::new(),
        |s| seen.push(s.to_owned()),
    )
    .await
    .unwrap();
    assert_eq!(waited.elapsed, 50 * SEC);
    assert!(seen.contains(&"resizing".to_owned()));
    assert!(seen.contains(&"running, memory not updated yet".to_owned()));
}

#[tokio::test(start_paused = true)]
async fn omitted_fields_are_not_mismatches() {
    let (get, _) = fake(|_| Some(instance("running", "8GB")));
    let expect = Expectation::Status {
        status: ExpectedStatus::Running,
        values: ExpectedValues {
            secondaries_count: Some(2),
            cdc_enrichment_mode: Some(CdcEnrichmentMode::Diff),
            ..ExpectedValues::default()
        },
    };
    let waited = wait_until(
        get,
        WaitFor::Step(&expect),
        WaitSpec::new(60 * SEC),
        budget().polls(5 * SEC),
        &Cancel::new(),
        |_| {},
    )
    .await
    .unwrap();
    assert_eq!(waited.polls, 1);
}

#[tokio::test(start_paused = true)]
async fn times_out_with_last_status_and_bounded_polls() {
    let (get, calls) = fake(|_| Some(instance("creating", "8GB")));
    let err = wait_until(
        get,
        WaitFor::Step(&Expectation::status(ExpectedStatus::Running)),
        WaitSpec::new(62 * SEC),
        budget().polls(5 * SEC),
        &Cancel::new(),
        |_| {},
    )
    .await
    .unwrap_err();
    assert!(matches!(err, WaitError::TimedOut { .. }));
    assert!(err.to_string().contains("last seen: creating"), "{err}");
    // Polls at 5, 10, … 60 and one at the deadline (62).
    assert_eq!(calls.get(), 13);
    assert!(f64::from(calls.get()) <= 62.0 / 5.0 + 2.0);
}

#[tokio::test(start_paused = true)]
async fn delete_waits_for_404() {
    let (get, _) = fake(|t| (t < 30 * SEC).then(|| instance("destroying", "8GB")));
    let waited = wait_until(
        get,
        WaitFor::Step(&Expectation::Gone),
        WaitSpec::new(600 * SEC),
        budget().polls(5 * SEC),
        &Cancel::new(),
        |_| {},
    )
    .await
    .unwrap();
    assert!(waited.instance.is_none());
    assert_eq!(waited.elapsed, 30 * SEC);
}

#[tokio::test(start_paused = true)]
async fn cancel_stops_polling_at_once() {
    let (get, calls) = fake(|_| Some(instance("creating", "8GB")));
    let cancel = Cancel::new();
    let trigger = cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(12 * SEC).await;
        trigger.cancel();
    });
    let start = Instant::now();
    let err = wait_until(
        get,
        WaitFor::Step(&Expectation::status(ExpectedStatus::Running)),
        WaitSpec::new(900 * SEC),
        budget().polls(5 * SEC),
        &cancel,
        |_| {},
    )
    .await
    .unwrap_err();
    assert!(err.is_interrupted());
    assert_eq!(err.last_status(), Some("creating"));
    assert_eq!(start.elapsed(), 12 * SEC);
    assert_eq!(calls.get(), 2);
}

#[tokio::test(start_paused = true)]
async fn many_pollers_stay_within_the_budget() {
    // 20 instances that each take 120 s, polled with a 1 s interval under a budget
    // of 60 requests a minute: together they must not exceed the budget.
    let budget = Arc::new(Pacer::new(Rate::per_minute(60)));
    let total = Rc::new(Cell::new(0u32));
    let local = tokio::task::LocalSet::new();
    let start = Instant::now();
    for _ in 0..20 {
        let budget = Arc::clone(&budget);
        let total = Rc::clone(&total);
        local.spawn_local(async move {
            let get = || {
                total.set(total.get() + 1);
                let status = if start.elapsed() < 120 * SEC {
                    "creating"
                } else {
                    "running"
                };
                std::future::ready(Ok::<_, TestErr>(Some(instance(status, "8GB"))))
            };
            wait_until(
                get,
                WaitFor::Step(&Expectation::status(ExpectedStatus::Running)),
                WaitSpec::new(900 * SEC),
                budget.polls(SEC),
                &Cancel::new(),
                |_| {},
            )
            .await
            .unwrap();
        });
    }
    local.await;
    let elapsed = start.elapsed().as_secs_f64();
    // Every request the budget allowed in that time, and then some headroom.
    assert!(
        f64::from(total.get()) <= elapsed * 0.8 + 20.0,
        "{} polls in {elapsed} s",
        total.get()
    );
    // Completion is noticed within one widened interval (25 s).
    assert!(elapsed <= 120.0 + 25.0 + 1.0, "{elapsed}");
}

#[tokio::test(start_paused = true)]
async fn busy_409_waits_for_idle_and_retries() {
    let start = Instant::now();
    let ops = Rc::new(Cell::new(0));
    let op_count = Rc::clone(&ops);
    let op = move || {
        op_count.set(op_count.get() + 1);
        std::future::ready(if start.elapsed() < 20 * SEC {
            Err(TestErr::Busy)
        } else {
            Ok("patched")
        })
    };
    let (get, _) = fake(|t| {
        Some(instance(
            if t < 20 * SEC { "updating" } else { "running" },
            "8GB",
        ))
    });
    let mut seen = Vec::new();
    let out = retry_while_busy(
        op,
        get,
        None,
        WaitSpec::new(600 * SEC),
        budget().polls(5 * SEC),
        &Cancel::new(),
        |s| seen.push(s.to_owned()),
    )
    .await
    .unwrap();
    assert_eq!(out, Some("patched"));
    assert_eq!(ops.get(), 2);
    assert_eq!(start.elapsed(), 20 * SEC);
    assert!(seen[0].contains("409"));
}

#[tokio::test(start_paused = true)]
async fn other_errors_are_not_retried() {
    let ops = Rc::new(Cell::new(0));
    let op_count = Rc::clone(&ops);
    let op = move || {
        op_count.set(op_count.get() + 1);
        std::future::ready(Err::<(), _>(TestErr::Boom))
    };
    let (get, calls) = fake(|_| Some(instance("running", "8GB")));
    let err = retry_while_busy(
        op,
        get,
        None,
        WaitSpec::new(600 * SEC),
        budget().polls(5 * SEC),
        &Cancel::new(),
        |_| {},
    )
    .await
    .unwrap_err();
    assert!(matches!(err, WaitError::Api(TestErr::Boom)));
    assert_eq!(ops.get(), 1);
    assert_eq!(calls.get(), 0);
}

#[tokio::test(start_paused = true)]
async fn endless_409_times_out() {
    let op = || std::future::ready(Err::<(), _>(TestErr::Busy));
    let (get, _) = fake(|_| Some(instance("running", "8GB")));
    let err = retry_while_busy(
        op,
        get,
        None,
        WaitSpec::new(30 * SEC),
        budget().polls(5 * SEC),
        &Cancel::new(),
        |_| {},
    )
    .await
    .unwrap_err();
    assert!(matches!(err, WaitError::TimedOut { .. }), "{err}");
}

/// Another apply paused the instance while this one's pause drew a 409: once idle
/// and paused, the pause is not sent again (a second pause would be refused).
#[tokio::test(start_paused = true)]
async fn busy_then_already_in_the_target_state_is_not_sent_again() {
    let ops = Rc::new(Cell::new(0));
    let op_count = Rc::clone(&ops);
    let op = move || {
        op_count.set(op_count.get() + 1);
        std::future::ready(Err::<(), _>(TestErr::Busy))
    };
    let start = Instant::now();
    let (get, _) = fake(|t| {
        Some(instance(
            if t < 10 * SEC { "pausing" } else { "paused" },
            "8GB",
        ))
    });
    let paused = Expectation::status(ExpectedStatus::Paused);
    let out = retry_while_busy(
        op,
        get,
        Some(WaitFor::Step(&paused)),
        WaitSpec::new(600 * SEC),
        budget().polls(5 * SEC),
        &Cancel::new(),
        |_| {},
    )
    .await
    .unwrap();
    assert_eq!(out, None);
    assert_eq!(ops.get(), 1);
    assert_eq!(start.elapsed(), 10 * SEC);
}

#[test]
fn idle_is_running_or_paused_whatever_the_plan_says() {
    assert_eq!(
        WaitFor::Idle.judge(Some(&instance("paused", "8GB")), false),
        Verdict::Done
    );
    assert_eq!(
        WaitFor::Idle.judge(Some(&instance("updating", "8GB")), false),
        Verdict::Pending("updating".to_owned())
    );
    assert_eq!(WaitFor::Idle.describe(), "running or paused");
    assert_eq!(WaitFor::Step(&Expectation::Gone).describe(), "deleted");
    let paused = Expectation::status(ExpectedStatus::Paused);
    assert_eq!(WaitFor::Step(&paused).describe(), "paused");
    assert_eq!(
        WaitFor::Step(&paused).judge(Some(&instance("running", "8GB")), false),
        Verdict::Pending("running".to_owned())
    );
}

/// A timeout, grace or interval too big for the clock neither panics nor stops the
/// wait early: the deadline is "a century from now" and the wait ends when the
/// instance does.
#[tokio::test(start_paused = true)]
async fn durations_too_big_for_the_clock_do_not_overflow() {
    let (get, calls) = fake(|t| {
        Some(instance(
            if t < 10 * SEC { "creating" } else { "running" },
            "8GB",
        ))
    });
    let waited = wait_until(
        get,
        WaitFor::Step(&Expectation::status(ExpectedStatus::Running)),
        WaitSpec::new(Duration::MAX)
            .with_grace(Duration::MAX)
            .poll_now(),
        budget().polls(5 * SEC),
        &Cancel::new(),
        |_| {},
    )
    .await
    .unwrap();
    assert_eq!(waited.elapsed, 10 * SEC);
    assert_eq!(calls.get(), 3);
    let now = Instant::now();
    assert!(super::poll::after(now, Duration::MAX) > now);
}

/// A settled wait for a resize that sees the instance paused (by someone else) with
/// the old memory fails at once: a paused instance is not resized by waiting. The
/// expected status with the old memory may still be Aura lagging, and is waited for.
#[test]
fn settled_elsewhere_without_the_new_values_fails_fast() {
    let want = Expectation::Status {
        status: ExpectedStatus::Running,
        values: ExpectedValues {
            memory: Some("16GB".into()),
            ..ExpectedValues::default()
        },
    };
    let judge =
        |status, memory| WaitFor::Settled(&want).judge(Some(&instance(status, memory)), false);
    assert!(matches!(judge("paused", "8GB"), Verdict::Fail(r) if r.contains("settled `paused`")));
    assert!(matches!(judge("running", "8GB"), Verdict::Pending(_)));
    assert!(matches!(judge("updating", "8GB"), Verdict::Pending(_)));
    assert_eq!(judge("paused", "16GB"), Verdict::Done);
    // A plain step wait keeps its old meaning.
    assert!(matches!(
        WaitFor::Step(&want).judge(Some(&instance("paused", "8GB")), false),
        Verdict::Pending(_)
    ));
}

#[test]
fn a_step_timeout_is_said_whole_though_the_wait_had_what_was_left() {
    let left: WaitError<String> = WaitError::TimedOut {
        after: Duration::from_millis(1440),
        expected: "running",
        last_seen: Some("creating".into()),
    };
    let said = left.for_step(Duration::from_millis(1500)).to_string();
    assert!(
        said.starts_with("timed out after 1.5s waiting for `running`"),
        "{said}"
    );
    assert!(said.contains("(last seen: creating)"), "{said}");
    let other: WaitError<String> = WaitError::Api("boom".into());
    assert_eq!(other.for_step(Duration::from_secs(1)).to_string(), "boom");
}
