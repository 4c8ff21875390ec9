use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;

use super::*;

fn rate(count: u32, ms: u64) -> Rate {
    Rate {
        count,
        per: Duration::from_millis(ms),
    }
}

/// Every window of `per` must contain at most `count` sends, counting a request as
/// sent when its permit was granted.
#[tokio::test]
async fn never_more_than_count_per_window() {
    let rate = rate(3, 300);
    let pacer = Arc::new(Pacer::new(rate));
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..9 {
        let pacer = Arc::clone(&pacer);
        tasks.push(tokio::spawn(async move {
            let permit = pacer.acquire(Lane::Priority).await;
            let sent = start.elapsed();
            tokio::time::sleep(Duration::from_millis(20)).await; // "latency"
            permit.admitted();
            sent
        }));
    }
    let mut sent: Vec<Duration> = Vec::new();
    for t in tasks {
        sent.push(t.await.unwrap());
    }
    sent.sort();
    for (i, a) in sent.iter().enumerate() {
        let in_window = sent[i..]
            .iter()
            .filter(|b| b.saturating_sub(*a) < rate.per)
            .count();
        assert!(in_window <= 3, "{sent:?}");
    }
    // Three bursts: the last one starts about two windows (+ latency) in.
    assert!(sent[8] >= Duration::from_millis(600), "{sent:?}");
    assert!(sent[8] < Duration::from_millis(1200), "{sent:?}");
    assert!(
        sent[2] < Duration::from_millis(100),
        "bursts allowed: {sent:?}"
    );
}

#[tokio::test]
async fn pause_holds_everyone() {
    let pacer = Pacer::new(Rate::per_minute(100));
    pacer.pause_for(Duration::from_millis(150));
    let start = Instant::now();
    drop(pacer.acquire(Lane::Priority).await);
    assert!(start.elapsed() >= Duration::from_millis(150));
    // A shorter pause does not shorten a longer one.
    pacer.pause_for(Duration::from_millis(200));
    pacer.pause_for(Duration::from_millis(10));
    let start = Instant::now();
    drop(pacer.acquire(Lane::Routine).await);
    assert!(start.elapsed() >= Duration::from_millis(190));
}

/// With the budget spent, a request of the priority lane queued after routine ones
/// is served first; each lane keeps its order.
#[tokio::test(start_paused = true)]
async fn the_priority_lane_goes_first() {
    let pacer = Arc::new(Pacer::new(rate(1, 1000)));
    let first = pacer.acquire(Lane::Priority).await;
    let order = Arc::new(Mutex::new(Vec::new()));
    let mut tasks = Vec::new();
    for (name, lane) in [
        ("poll-1", Lane::Routine),
        ("poll-2", Lane::Routine),
        ("step-1", Lane::Priority),
        ("step-2", Lane::Priority),
    ] {
        let (pacer, order) = (Arc::clone(&pacer), Arc::clone(&order));
        tasks.push(tokio::spawn(async move {
            let permit = pacer.acquire(lane).await;
            order.lock().unwrap().push(name);
            permit.admitted();
        }));
        tokio::task::yield_now().await; // queue in this order
    }
    first.admitted();
    for t in tasks {
        t.await.unwrap();
    }
    assert_eq!(
        *order.lock().unwrap(),
        ["step-1", "step-2", "poll-1", "poll-2"]
    );
}

/// Before the server has admitted more than a fifth of the budget within a window,
/// requests beyond that fifth go one at a time; once it has, they flow.
#[tokio::test(start_paused = true)]
async fn beyond_a_fifth_one_at_a_time_until_the_server_shows_it_allows_more() {
    let pacer = Pacer::new(rate(10, 60_000));
    let free = futures::future::join_all((0..2).map(|_| pacer.acquire(Lane::Priority))).await;
    // The third is a probe; a fourth must wait for the probe's answer.
    let probe = pacer.acquire(Lane::Priority).await;
    let blocked = tokio::time::timeout(Duration::from_secs(1), pacer.acquire(Lane::Priority)).await;
    assert!(
        blocked.is_err(),
        "a second request beyond the fifth went out"
    );
    for p in free {
        p.admitted();
    }
    // Three admitted within the window: more than a fifth of 10.
    probe.admitted();
    let more: Vec<Permit> =
        futures::future::join_all((0..7).map(|_| pacer.acquire(Lane::Priority))).await;
    assert_eq!(more.len(), 7);
    assert_eq!(pacer.rate(), rate(10, 60_000));
}

/// A 429 lowers the budget to the requests the server certainly admitted within the
/// last window, for good; it never goes below a fifth of the ceiling.
#[tokio::test(start_paused = true)]
async fn a_429_lowers_the_budget_to_what_the_server_admitted() {
    let pacer = Pacer::new(rate(125, 60_000));
    for _ in 0..25 {
        pacer.acquire(Lane::Priority).await.admitted();
    }
    let probe = pacer.acquire(Lane::Priority).await;
    let learned = probe.rate_limited();
    assert_eq!(
        learned,
        Learned {
            rate: rate(25, 60_000),
            lowered: true
        }
    );
    assert_eq!(pacer.rate(), rate(25, 60_000));
    // The 26 permits are spent: the next request waits a window.
    let start = Instant::now();
    drop(pacer.acquire(Lane::Priority).await);
    assert!(
        start.elapsed() >= Duration::from_secs(60),
        "{:?}",
        start.elapsed()
    );
    // A 429 with almost nothing admitted (another tool spent the budget) stops at
    // a fifth of the ceiling, and never raises it.
    let other = Pacer::new(rate(125, 60_000));
    let learned = other.acquire(Lane::Priority).await.rate_limited();
    assert_eq!(learned.rate, rate(25, 60_000));
    let again = other.acquire(Lane::Priority).await.rate_limited();
    assert_eq!(
        again,
        Learned {
            rate: rate(25, 60_000),
            lowered: false
        }
    );
}

/// An `acquire` given up (its task cancelled) while queued returns nothing it did not
/// use: the permit goes to the next waiter.
#[tokio::test(start_paused = true)]
async fn a_cancelled_wait_loses_no_permit() {
    let pacer = Arc::new(Pacer::new(rate(1, 1000)));
    let held = pacer.acquire(Lane::Priority).await;
    let cancelled = {
        let pacer = Arc::clone(&pacer);
        tokio::spawn(async move { drop(pacer.acquire(Lane::Routine).await) })
    };
    tokio::task::yield_now().await;
    cancelled.abort();
    let _ = cancelled.await;
    held.admitted();
    // One window after the response the only permit is back, for this waiter.
    let start = Instant::now();
    drop(pacer.acquire(Lane::Routine).await);
    let waited = start.elapsed();
    assert!(
        waited >= Duration::from_millis(1000) && waited < Duration::from_millis(1100),
        "{waited:?}"
    );
}

#[test]
fn poll_interval_widens_with_pollers_in_flight() {
    // 60/min: one request a second; 4/5 of it for polls.
    let budget = Pacer::new(Rate::per_minute(60));
    let pacing = budget.polls(Duration::from_secs(2));
    assert_eq!(pacing.interval(), Duration::from_secs(2));
    let slots: Vec<_> = (0..10).map(|_| pacing.enter()).collect();
    assert_eq!(pacing.in_flight(), 10);
    assert_eq!(pacing.interval(), Duration::from_millis(12_500));
    drop(slots);
    assert_eq!(pacing.in_flight(), 0);
    assert_eq!(pacing.interval(), Duration::from_secs(2));
}
