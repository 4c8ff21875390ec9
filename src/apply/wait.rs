//! The waiting engine: poll an instance until a step's expectation holds.
//!
//! Every Aura mutation is asynchronous (NOTES.md §9.1): a 202 means "accepted", so
//! each step is followed by polling `GET /instances/{id}` until the target status *and*
//! the target values hold — not merely until the status leaves the transitional one
//! it started from, which is how aura-cli's `--await` ends up reporting `loading
//! failed` as success (ANCHORS.md §2.3).
//!
//! Rules, in the order they are applied to each observation:
//! - a 404 is success when waiting for a delete, tolerated during a grace period
//!   after a create (a new instance may 404 for about a minute, NOTES.md §9.3), and a
//!   failure otherwise;
//! - `destroying` when not deleting, `loading failed` and `suspended` fail the step at
//!   once: waiting cannot fix them, and only this instance's chain stops;
//! - the expected status with the expected values (fields the API omits never count
//!   as a mismatch, NOTES.md §9.6) completes the step;
//! - anything else, including statuses this build does not know (`resizing`), means
//!   keep waiting until the step's timeout.
//!
//! Pacing: polls share the client's request budget with every other call of the
//! apply. A [`Pacer`] counts the waits in flight and widens the interval so that all
//! pollers together use at most 80 % of the budget — `interval = max(poll_interval,
//! in_flight × spacing × 5/4)` — leaving room for the mutations themselves, so
//! polling many instances never draws a 429. The first poll comes one interval after
//! the step starts (a 202 was just received; asking at once only costs a request),
//! and polls follow a fixed schedule independent of response latency, so a step that
//! lasts `d` costs at most `d / interval + 1` polls (DESIGN.md §9 allows `+ 2`).
//!
//! Ctrl-C ([`Cancel`]) stops a wait at its next sleep; a GET already sent finishes.
//!
//! The engine is generic over how an instance is fetched and over the client's error
//! type, so it is tested with tokio's paused clock and plain closures.

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::time::Instant;

use super::cancel::Cancel;
use crate::api::wire::Instance;
use crate::aura::{CdcEnrichmentMode, InstanceStatus, InstanceType};
use crate::units::Rate;

/// The kinds of step that wait, each with its own default timeout.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StepKind {
    Create,
    Update,
    Upgrade,
    Pause,
    Resume,
    Delete,
    /// Waiting for an instance that was already busy when the plan was made.
    Wait,
}

impl StepKind {
    /// The plan's action word.
    pub fn word(self) -> &'static str {
        match self {
            StepKind::Create => "create",
            StepKind::Update => "update",
            StepKind::Upgrade => "upgrade",
            StepKind::Pause => "pause",
            StepKind::Resume => "resume",
            StepKind::Delete => "delete",
            StepKind::Wait => "wait",
        }
    }
}

impl fmt::Display for StepKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.word())
    }
}

/// Per-step timeouts. Defaults are generous multiples of what Aura takes at speed 1
/// (create ~2–5 min, resize ~1.5 min, pause ~1 min, delete ~30 s): long enough never
/// to abandon a healthy operation, short enough that a stuck one is reported the same
/// day. `--timeout` replaces all of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timeouts {
    pub create: Duration,
    pub update: Duration,
    pub upgrade: Duration,
    pub pause: Duration,
    pub resume: Duration,
    pub delete: Duration,
    pub wait: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        const MIN: u64 = 60;
        Self {
            create: Duration::from_secs(15 * MIN),
            update: Duration::from_secs(15 * MIN),
            upgrade: Duration::from_secs(15 * MIN),
            pause: Duration::from_secs(10 * MIN),
            resume: Duration::from_secs(10 * MIN),
            delete: Duration::from_secs(10 * MIN),
            wait: Duration::from_secs(15 * MIN),
        }
    }
}

impl Timeouts {
    /// The same timeout for every kind of step (`--timeout`).
    pub fn uniform(timeout: Duration) -> Self {
        Self {
            create: timeout,
            update: timeout,
            upgrade: timeout,
            pause: timeout,
            resume: timeout,
            delete: timeout,
            wait: timeout,
        }
    }

    /// The defaults, or `--timeout` for everything when given.
    pub fn with_override(timeout: Option<Duration>) -> Self {
        timeout.map_or_else(Self::default, Self::uniform)
    }

    pub fn for_kind(&self, kind: StepKind) -> Duration {
        match kind {
            StepKind::Create => self.create,
            StepKind::Update => self.update,
            StepKind::Upgrade => self.upgrade,
            StepKind::Pause => self.pause,
            StepKind::Resume => self.resume,
            StepKind::Delete => self.delete,
            StepKind::Wait => self.wait,
        }
    }
}

/// Spreads polls of all instances in flight over the request budget.
#[derive(Debug)]
pub struct Pacer {
    base: Duration,
    spacing: Duration,
    in_flight: AtomicUsize,
}

impl Pacer {
    /// `poll_interval`: the interval for one instance (`--poll-interval`); `rate`: the
    /// client's request budget (`--rate-limit`).
    pub fn new(poll_interval: Duration, rate: Rate) -> Arc<Self> {
        Arc::new(Self {
            base: poll_interval,
            spacing: rate.spacing(),
            in_flight: AtomicUsize::new(0),
        })
    }

    /// The interval every poller should use right now.
    pub fn interval(&self) -> Duration {
        let n = self.in_flight.load(Ordering::Relaxed).max(1);
        // Polls together use at most 4/5 of the budget.
        let share = self.spacing.saturating_mul(n as u32).saturating_mul(5) / 4;
        self.base.max(share)
    }

    /// How many waits are polling now.
    pub fn in_flight(&self) -> usize {
        self.in_flight.load(Ordering::Relaxed)
    }

    /// Registers a poller for as long as the returned guard lives.
    pub fn enter(self: &Arc<Self>) -> PollSlot {
        self.in_flight.fetch_add(1, Ordering::Relaxed);
        PollSlot {
            pacer: Arc::clone(self),
        }
    }
}

/// A registered poller; dropping it frees its share of the budget.
#[derive(Debug)]
pub struct PollSlot {
    pacer: Arc<Pacer>,
}

impl Drop for PollSlot {
    fn drop(&mut self) {
        self.pacer.in_flight.fetch_sub(1, Ordering::Relaxed);
    }
}

/// The status a step waits for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ExpectedStatus {
    #[default]
    Running,
    Paused,
    /// Running or paused: no operation in progress (before retrying after a 409, or for
    /// a plan's `wait` step).
    Idle,
    /// The instance no longer exists (GET → 404).
    Gone,
}

impl ExpectedStatus {
    fn as_str(self) -> &'static str {
        match self {
            ExpectedStatus::Running => "running",
            ExpectedStatus::Paused => "paused",
            ExpectedStatus::Idle => "running or paused",
            ExpectedStatus::Gone => "deleted",
        }
    }
}

/// What must hold for a step to be complete: a status and, optionally, values.
/// `None` values are not checked; a value the API omits is never a mismatch.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Expectation {
    pub status: ExpectedStatus,
    pub name: Option<String>,
    pub memory: Option<String>,
    pub storage: Option<String>,
    pub instance_type: Option<InstanceType>,
    pub vector_optimized: Option<bool>,
    pub graph_analytics_plugin: Option<bool>,
    pub secondaries_count: Option<u32>,
    pub cdc_enrichment_mode: Option<CdcEnrichmentMode>,
}

/// The judgement of one observation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    Done,
    /// Keep waiting; the text says what was seen (for progress).
    Pending(String),
    /// Waiting cannot help.
    Fail(String),
}

impl Expectation {
    pub fn status(status: ExpectedStatus) -> Self {
        Self {
            status,
            ..Self::default()
        }
    }

    pub fn idle() -> Self {
        Self::status(ExpectedStatus::Idle)
    }

    pub fn gone() -> Self {
        Self::status(ExpectedStatus::Gone)
    }

    /// Judges one observation: `None` is a 404. `in_grace`: a 404 may still be the
    /// API catching up with a create.
    pub fn judge(&self, observed: Option<&Instance>, in_grace: bool) -> Verdict {
        let Some(inst) = observed else {
            return if self.status == ExpectedStatus::Gone {
                Verdict::Done
            } else if in_grace {
                Verdict::Pending("not visible yet (404)".to_owned())
            } else {
                Verdict::Fail("the instance no longer exists (404)".to_owned())
            };
        };
        let status = &inst.status;
        if self.status == ExpectedStatus::Gone {
            return Verdict::Pending(status.to_string());
        }
        match status {
            InstanceStatus::Destroying => {
                return Verdict::Fail(
                    "the instance is being destroyed (`destroying`); something else deleted it"
                        .to_owned(),
                );
            }
            InstanceStatus::LoadingFailed => {
                return Verdict::Fail(
                    "the instance went to `loading failed`; it needs a person (see the Aura console)"
                        .to_owned(),
                );
            }
            InstanceStatus::Suspended => {
                return Verdict::Fail(
                    "the instance is `suspended`; it needs a person (see the Aura console)"
                        .to_owned(),
                );
            }
            _ => {}
        }
        let status_ok = match self.status {
            ExpectedStatus::Running => *status == InstanceStatus::Running,
            ExpectedStatus::Paused => *status == InstanceStatus::Paused,
            ExpectedStatus::Idle => !status.is_transitional(),
            ExpectedStatus::Gone => false,
        };
        if !status_ok {
            return Verdict::Pending(status.to_string());
        }
        match self.first_mismatch(inst) {
            None => Verdict::Done,
            Some(field) => Verdict::Pending(format!("{status}, {field} not updated yet")),
        }
    }

    /// The first expected value the instance contradicts, by field name.
    fn first_mismatch(&self, inst: &Instance) -> Option<&'static str> {
        fn differs<T: PartialEq>(want: Option<&T>, have: Option<&T>) -> bool {
            matches!((want, have), (Some(w), Some(h)) if w != h)
        }
        if differs(self.name.as_ref(), Some(&inst.name)) {
            return Some("name");
        }
        if differs_size(self.memory.as_deref(), inst.memory.as_deref()) {
            return Some("memory");
        }
        if differs_size(self.storage.as_deref(), inst.storage.as_deref()) {
            return Some("storage");
        }
        if differs(self.instance_type.as_ref(), Some(&inst.instance_type)) {
            return Some("type");
        }
        if differs(
            self.vector_optimized.as_ref(),
            inst.vector_optimized.as_ref(),
        ) {
            return Some("vector_optimized");
        }
        if differs(
            self.graph_analytics_plugin.as_ref(),
            inst.graph_analytics_plugin.as_ref(),
        ) {
            return Some("graph_analytics_plugin");
        }
        if differs(
            self.secondaries_count.as_ref(),
            inst.secondaries_count.as_ref(),
        ) {
            return Some("secondaries_count");
        }
        if differs(
            self.cdc_enrichment_mode.as_ref(),
            inst.cdc_enrichment_mode.as_ref(),
        ) {
            return Some("cdc_enrichment_mode");
        }
        None
    }
}

/// Whether a size the plan wants differs from the one the API reports (compared as
/// the differ compares them); a size the API does not report never differs.
fn differs_size(want: Option<&str>, have: Option<&str>) -> bool {
    matches!((want, have), (Some(w), Some(h)) if !crate::aura::sizes::same_size(w, h))
}

impl From<&crate::plan::Expectation> for Expectation {
    /// The plan's expectation of a step (what it must be seen to have done).
    fn from(plan: &crate::plan::Expectation) -> Self {
        use crate::plan::{Expectation as P, ExpectedStatus as S};
        match plan {
            P::Gone => Expectation::gone(),
            P::Status { status, values } => Expectation {
                status: match status {
                    S::Running => ExpectedStatus::Running,
                    S::Paused => ExpectedStatus::Paused,
                },
                name: values.name.clone(),
                memory: values.memory.clone(),
                storage: values.storage.clone(),
                instance_type: values.instance_type.clone(),
                vector_optimized: values.vector_optimized,
                graph_analytics_plugin: values.graph_analytics_plugin,
                secondaries_count: values.secondaries_count,
                cdc_enrichment_mode: values.cdc_enrichment_mode.clone(),
            },
        }
    }
}

/// How one wait runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WaitSpec {
    /// Give up after this long.
    pub timeout: Duration,
    /// 404s are tolerated this long after the wait starts (after a create).
    pub not_found_grace: Duration,
    /// Poll at once instead of one interval after the start.
    pub poll_now: bool,
}

impl WaitSpec {
    pub fn new(timeout: Duration) -> Self {
        Self {
            timeout,
            not_found_grace: Duration::ZERO,
            poll_now: false,
        }
    }

    pub fn with_grace(mut self, grace: Duration) -> Self {
        self.not_found_grace = grace;
        self
    }

    pub fn poll_now(mut self) -> Self {
        self.poll_now = true;
        self
    }
}

/// A completed wait.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Waited {
    /// The last observation (`None` after a delete).
    pub instance: Option<Instance>,
    /// GETs sent.
    pub polls: u32,
    pub elapsed: Duration,
}

/// Why a wait (or a step around it) did not complete.
#[derive(Debug)]
pub enum WaitError<E> {
    /// The expectation did not hold within the step's timeout.
    TimedOut {
        after: Duration,
        expected: &'static str,
        last_seen: Option<String>,
    },
    /// An observation that waiting cannot fix.
    Unexpected {
        reason: String,
        last_status: Option<String>,
    },
    /// Ctrl-C.
    Interrupted { last_status: Option<String> },
    /// The API call failed (after the client's own retries).
    Api(E),
}

impl<E> WaitError<E> {
    /// The last status seen, for the report.
    pub fn last_status(&self) -> Option<&str> {
        match self {
            WaitError::TimedOut { last_seen, .. } => last_seen.as_deref(),
            WaitError::Unexpected { last_status, .. } | WaitError::Interrupted { last_status } => {
                last_status.as_deref()
            }
            WaitError::Api(_) => None,
        }
    }

    pub fn is_interrupted(&self) -> bool {
        matches!(self, WaitError::Interrupted { .. })
    }

    /// Converts the API error type.
    pub fn map_api<F>(self, f: impl FnOnce(E) -> F) -> WaitError<F> {
        match self {
            WaitError::TimedOut {
                after,
                expected,
                last_seen,
            } => WaitError::TimedOut {
                after,
                expected,
                last_seen,
            },
            WaitError::Unexpected {
                reason,
                last_status,
            } => WaitError::Unexpected {
                reason,
                last_status,
            },
            WaitError::Interrupted { last_status } => WaitError::Interrupted { last_status },
            WaitError::Api(e) => WaitError::Api(f(e)),
        }
    }
}

impl<E: fmt::Display> fmt::Display for WaitError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WaitError::TimedOut {
                after,
                expected,
                last_seen,
            } => {
                write!(
                    f,
                    "timed out after {} waiting for `{expected}`",
                    crate::units::WallDuration(*after)
                )?;
                if let Some(seen) = last_seen {
                    write!(f, " (last seen: {seen})")?;
                }
                write!(
                    f,
                    "; the operation may still finish in Aura — raise --timeout or run apply again later"
                )
            }
            WaitError::Unexpected { reason, .. } => f.write_str(reason),
            WaitError::Interrupted { .. } => f.write_str("interrupted"),
            WaitError::Api(e) => write!(f, "{e}"),
        }
    }
}

/// Polls `get` (which returns `Ok(None)` for a 404) until `expect` holds.
///
/// `on_status` is called with each observation's description (for progress).
pub async fn wait_until<E, G, Fut>(
    mut get: G,
    expect: &Expectation,
    spec: WaitSpec,
    pacer: &Arc<Pacer>,
    cancel: &Cancel,
    mut on_status: impl FnMut(&str),
) -> Result<Waited, WaitError<E>>
where
    G: FnMut() -> Fut,
    Fut: Future<Output = Result<Option<Instance>, E>>,
{
    let _slot = pacer.enter();
    let start = Instant::now();
    let deadline = start + spec.timeout;
    let grace_end = start + spec.not_found_grace;
    let mut next = if spec.poll_now {
        start
    } else {
        (start + pacer.interval()).min(deadline)
    };
    let mut polls = 0u32;
    let mut last_status: Option<String> = None;
    loop {
        tokio::select! {
            biased;
            () = cancel.cancelled() => return Err(WaitError::Interrupted { last_status }),
            () = tokio::time::sleep_until(next) => {}
        }
        let sent = Instant::now();
        polls += 1;
        // Not raced with `cancel`: a request on the wire is allowed to finish.
        let observed = get().await.map_err(WaitError::Api)?;
        if let Some(inst) = &observed {
            last_status = Some(inst.status.to_string());
        }
        match expect.judge(observed.as_ref(), sent < grace_end) {
            Verdict::Done => {
                return Ok(Waited {
                    instance: observed,
                    polls,
                    elapsed: start.elapsed(),
                });
            }
            Verdict::Fail(reason) => {
                return Err(WaitError::Unexpected {
                    reason,
                    last_status,
                });
            }
            Verdict::Pending(seen) => {
                on_status(&seen);
                let now = Instant::now();
                if now >= deadline {
                    return Err(WaitError::TimedOut {
                        after: now - start,
                        expected: expect.status.as_str(),
                        last_seen: Some(seen),
                    });
                }
                // A fixed schedule: response latency does not stretch the interval,
                // and the last poll lands on the deadline.
                next = (next + pacer.interval()).max(now).min(deadline);
            }
        }
    }
}

/// How the executor classifies the client's errors.
pub trait ApiFailure {
    /// 409 `ongoing-database-operation`: the instance is busy; wait and retry.
    fn is_busy(&self) -> bool;
}

/// Runs `op`; while it fails with 409 (busy), waits until the instance is idle and
/// runs it again, all within `spec.timeout`. A 409 means the operation did not
/// happen, so retrying it is safe even for non-idempotent calls.
pub async fn retry_while_busy<T, E, Op, OpFut, G, GFut>(
    mut op: Op,
    mut get: G,
    spec: WaitSpec,
    pacer: &Arc<Pacer>,
    cancel: &Cancel,
    mut on_status: impl FnMut(&str),
) -> Result<T, WaitError<E>>
where
    E: ApiFailure,
    Op: FnMut() -> OpFut,
    OpFut: Future<Output = Result<T, E>>,
    G: FnMut() -> GFut,
    GFut: Future<Output = Result<Option<Instance>, E>>,
{
    let start = Instant::now();
    loop {
        match op().await {
            Ok(value) => return Ok(value),
            Err(e) if e.is_busy() => {
                on_status("busy (409): waiting for the running operation to finish");
                let remaining = spec.timeout.saturating_sub(start.elapsed());
                if remaining.is_zero() {
                    return Err(WaitError::TimedOut {
                        after: start.elapsed(),
                        expected: ExpectedStatus::Idle.as_str(),
                        last_seen: Some("busy (409)".to_owned()),
                    });
                }
                wait_until(
                    &mut get,
                    &Expectation::idle(),
                    WaitSpec::new(remaining),
                    pacer,
                    cancel,
                    &mut on_status,
                )
                .await?;
                if cancel.is_cancelled() {
                    return Err(WaitError::Interrupted { last_status: None });
                }
            }
            Err(e) => return Err(WaitError::Api(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;
    use std::rc::Rc;

    use super::*;
    use crate::aura::CloudProvider;

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
    fn fake(
        script: impl Fn(Duration) -> Option<Instance>,
    ) -> (impl FnMut() -> FakeGet, Rc<Cell<u32>>) {
        let start = Instant::now();
        let calls = Rc::new(Cell::new(0));
        let counter = Rc::clone(&calls);
        let get = move || {
            counter.set(counter.get() + 1);
            std::future::ready(Ok(script(start.elapsed())))
        };
        (get, calls)
    }

    fn pacer(interval: u32) -> Arc<Pacer> {
        Pacer::new(interval * SEC, Rate::per_minute(600))
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
            &Expectation::status(ExpectedStatus::Running),
            WaitSpec::new(900 * SEC).with_grace(60 * SEC),
            &pacer(5),
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

    #[tokio::test(start_paused = true)]
    async fn not_found_after_grace_fails() {
        let (get, _) = fake(|_| None);
        let err = wait_until(
            get,
            &Expectation::status(ExpectedStatus::Running),
            WaitSpec::new(900 * SEC).with_grace(60 * SEC),
            &pacer(5),
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
                &Expectation::status(ExpectedStatus::Running),
                WaitSpec::new(900 * SEC),
                &pacer(5),
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
        let expect = Expectation {
            memory: Some("16GB".into()),
            ..Expectation::status(ExpectedStatus::Running)
        };
        let mut seen = Vec::new();
        let waited = wait_until(
            get,
            &expect,
            WaitSpec::new(900 * SEC),
            &pacer(5),
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
        let expect = Expectation {
            secondaries_count: Some(2),
            cdc_enrichment_mode: Some(CdcEnrichmentMode::Diff),
            ..Expectation::status(ExpectedStatus::Running)
        };
        let waited = wait_until(
            get,
            &expect,
            WaitSpec::new(60 * SEC),
            &pacer(5),
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
            &Expectation::status(ExpectedStatus::Running),
            WaitSpec::new(62 * SEC),
            &pacer(5),
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
            &Expectation::gone(),
            WaitSpec::new(600 * SEC),
            &pacer(5),
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
            &Expectation::status(ExpectedStatus::Running),
            WaitSpec::new(900 * SEC),
            &pacer(5),
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

    #[test]
    fn pacer_widens_with_instances_in_flight() {
        // 60/min: one request a second; 4/5 of it for polls.
        let pacer = Pacer::new(2 * SEC, Rate::per_minute(60));
        assert_eq!(pacer.interval(), 2 * SEC);
        let slots: Vec<_> = (0..10).map(|_| pacer.enter()).collect();
        assert_eq!(pacer.in_flight(), 10);
        assert_eq!(pacer.interval(), Duration::from_millis(12_500));
        drop(slots);
        assert_eq!(pacer.in_flight(), 0);
        assert_eq!(pacer.interval(), 2 * SEC);
    }

    #[tokio::test(start_paused = true)]
    async fn many_pollers_stay_within_the_budget() {
        // 20 instances that each take 120 s, polled with a 1 s interval under a budget
        // of 60 requests a minute: together they must not exceed the budget.
        let pacer = Pacer::new(SEC, Rate::per_minute(60));
        let total = Rc::new(Cell::new(0u32));
        let local = tokio::task::LocalSet::new();
        let start = Instant::now();
        for _ in 0..20 {
            let pacer = Arc::clone(&pacer);
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
                    &Expectation::status(ExpectedStatus::Running),
                    WaitSpec::new(900 * SEC),
                    &pacer,
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
            WaitSpec::new(600 * SEC),
            &pacer(5),
            &Cancel::new(),
            |s| seen.push(s.to_owned()),
        )
        .await
        .unwrap();
        assert_eq!(out, "patched");
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
            WaitSpec::new(600 * SEC),
            &pacer(5),
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
            WaitSpec::new(30 * SEC),
            &pacer(5),
            &Cancel::new(),
            |_| {},
        )
        .await
        .unwrap_err();
        assert!(matches!(err, WaitError::TimedOut { .. }), "{err}");
    }
}
