//! Injected faults (`--fault-rate`, `--fault-kinds`, `--fault-route`, `--latency`,
//! `--seed`), so clients can be tested against what the live API does on a bad day
//! (5xx, 429 with `Retry-After`, slow responses, dropped connections, a just-created
//! instance that answers 404 for a moment: docs/aura-api.md §9.3), and against what a
//! hostile or broken path to it does (answers truncated, replaced by a proxy's HTML
//! page, of the wrong shape, empty, huge, or stalling mid-body).
//!
//! Each API request whose route is selected (all by default) independently draws,
//! with probability `rate`, one fault uniformly among the selected kinds
//! ([`FaultKind::DEFAULT`] unless chosen). Draws come from one RNG seeded by
//! `--seed`, in the order requests arrive, so the same seed and the same request
//! sequence give the same faults. Admin routes never get faults.
//!
//! Two families: the *refusals* (5xx, 429, drop, and the delay of `slow`) strike before
//! the request is handled, so nothing happened; the *manglings* (every hostile-body
//! kind) let the handler run and then damage its answer, so the request did happen —
//! a create made the instance, and its password is in the answer that was lost.

use std::fmt;
use std::time::Duration;

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

/// A kind of fault that can be selected (`--fault-kinds`, `"kinds"` of
/// `POST /_emulator/faults`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FaultKind {
    /// 500 from the service (standard error body), before handling.
    Status500,
    /// 502 from the gateway (`{"error": …}`), before handling.
    Status502,
    /// 503 from the gateway with `Retry-After: 1`, before handling.
    Status503,
    /// 504 from the gateway, before handling.
    Status504,
    /// 429 with `Retry-After` 1–3 s, before handling.
    TooManyRequests,
    /// The normal answer after 0.5–1.5 s more.
    Slow,
    /// The connection closed without a response, before handling.
    Drop,
    /// Handled; the answer's body cut short (truncated JSON).
    Truncated,
    /// Handled; the answer replaced by a proxy's HTML error page with status 502.
    Html,
    /// Handled; the body of the wrong shape (the container of `data` changed, no
    /// envelope) or with every value of the wrong type.
    WrongShape,
    /// Handled; the answer replaced by a 200 with an empty body.
    Empty,
    /// Handled; the body replaced by 16 MiB of JSON.
    Huge,
    /// Handled; half the body sent, then nothing for the stall time, then the
    /// connection closed.
    Stall,
    /// A just-created instance answers 404 for 15 s / speed ("not yet visible"). Drawn
    /// when the create is handled, with the same probability, independently.
    NotVisible,
}

impl FaultKind {
    /// Every kind, in the order of their names below.
    pub const ALL: &'static [FaultKind] = &[
        FaultKind::Status500,
        FaultKind::Status502,
        FaultKind::Status503,
        FaultKind::Status504,
        FaultKind::TooManyRequests,
        FaultKind::Slow,
        FaultKind::Drop,
        FaultKind::Truncated,
        FaultKind::Html,
        FaultKind::WrongShape,
        FaultKind::Empty,
        FaultKind::Huge,
        FaultKind::Stall,
        FaultKind::NotVisible,
    ];

    /// What a bad day at the live API looks like: the kinds `--fault-rate` draws from
    /// unless others are chosen (the hostile bodies only on request).
    pub const DEFAULT: &'static [FaultKind] = &[
        FaultKind::Status500,
        FaultKind::Status502,
        FaultKind::Status503,
        FaultKind::Status504,
        FaultKind::TooManyRequests,
        FaultKind::Slow,
        FaultKind::Drop,
        FaultKind::NotVisible,
    ];

    /// The name used by the flag and the admin route.
    pub fn name(self) -> &'static str {
        match self {
            FaultKind::Status500 => "500",
            FaultKind::Status502 => "502",
            FaultKind::Status503 => "503",
            FaultKind::Status504 => "504",
            FaultKind::TooManyRequests => "429",
            FaultKind::Slow => "slow",
            FaultKind::Drop => "drop",
            FaultKind::Truncated => "truncated",
            FaultKind::Html => "html",
            FaultKind::WrongShape => "wrong-shape",
            FaultKind::Empty => "empty",
            FaultKind::Huge => "huge",
            FaultKind::Stall => "stall",
            FaultKind::NotVisible => "not-visible",
        }
    }

    /// Parses a name; the error lists the names.
    pub fn parse(name: &str) -> Result<Self, String> {
        Self::ALL
            .iter()
            .copied()
            .find(|k| k.name() == name.trim())
            .ok_or_else(|| {
                format!(
                    "unknown fault kind `{}`: use {}, or `all`",
                    name.trim(),
                    Self::ALL
                        .iter()
                        .map(|k| k.name())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })
    }

    /// Parses a comma-separated list; `all` is every kind.
    pub fn parse_list(list: &[String]) -> Result<Vec<Self>, String> {
        let mut kinds = Vec::new();
        for name in list.iter().flat_map(|s| s.split(',')) {
            if name.trim() == "all" {
                kinds.extend_from_slice(Self::ALL);
            } else {
                kinds.push(Self::parse(name)?);
            }
        }
        kinds.dedup();
        Ok(kinds)
    }
}

impl fmt::Display for FaultKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One injected outcome, with the parameters drawn for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Fault {
    /// Answer with this 5xx status instead of handling the request.
    Status(u16),
    /// Answer 429 with `Retry-After` in seconds.
    TooManyRequests(u64),
    /// Handle the request normally, after this extra delay.
    Slow(Duration),
    /// Close the connection without any response.
    Drop,
    /// Handle the request, then damage the answer.
    Mangle(Mangling),
}

/// How a handled request's answer is damaged (`mangle.rs` does it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mangling {
    /// Keep this many thousandths of the body (at least one byte fewer than all).
    Truncated(u16),
    Html,
    /// Which of the wrong shapes (`mangle::wrong_shape`).
    WrongShape(u8),
    Empty,
    Huge,
    /// Half the body, then nothing for this long, then the connection closes.
    Stall(Duration),
}

/// The fault settings and their RNG; changed at run time by `POST /_emulator/faults`.
pub(crate) struct Faults {
    pub rate: f64,
    pub latency: Duration,
    pub seed: Option<u64>,
    /// The kinds drawn from (never empty: an empty choice means the defaults).
    pub kinds: Vec<FaultKind>,
    /// Route templates (`"POST /v1/instances"`) that may get faults; empty: all.
    pub routes: Vec<String>,
    /// How long a `stall` stalls.
    pub stall: Duration,
    rng: StdRng,
}

/// How long a `stall` stalls unless set: longer than a patient poll, shorter than a
/// client's usual request timeout, so both outcomes can be tested.
pub(crate) const DEFAULT_STALL: Duration = Duration::from_secs(2);

impl Faults {
    pub(crate) fn new(rate: f64, latency: Duration, seed: Option<u64>) -> Self {
        Self {
            rate,
            latency,
            seed,
            kinds: FaultKind::DEFAULT.to_vec(),
            routes: Vec::new(),
            stall: DEFAULT_STALL,
            rng: Self::rng(seed),
        }
    }

    fn rng(seed: Option<u64>) -> StdRng {
        match seed {
            // A different stream from the world's ids for the same seed.
            Some(s) => StdRng::seed_from_u64(s ^ 0xFA17_FA17_FA17_FA17),
            None => rand::make_rng(),
        }
    }

    /// Restarts the fault sequence from `seed`.
    pub(crate) fn reseed(&mut self, seed: Option<u64>) {
        self.seed = seed;
        self.rng = Self::rng(seed);
    }

    /// Chooses the kinds to draw from; none means the defaults.
    pub(crate) fn set_kinds(&mut self, kinds: Vec<FaultKind>) {
        self.kinds = if kinds.is_empty() {
            FaultKind::DEFAULT.to_vec()
        } else {
            kinds
        };
    }

    /// Whether `route` (`"GET /v1/instances/{id}"`) may get a fault.
    fn selects(&self, route: &str) -> bool {
        self.routes.is_empty() || self.routes.iter().any(|r| r == route)
    }

    /// Draws the fault of a request to `route`, if any. The kinds drawn from are the
    /// selected ones except `not-visible`, which is drawn when a create is handled.
    pub(crate) fn draw(&mut self, route: &str) -> Option<Fault> {
        if self.rate <= 0.0 || !self.selects(route) {
            return None;
        }
        let kinds: Vec<FaultKind> = self
            .kinds
            .iter()
            .copied()
            .filter(|k| *k != FaultKind::NotVisible)
            .collect();
        if kinds.is_empty() || !self.rng.random_bool(self.rate.clamp(0.0, 1.0)) {
            return None;
        }
        let kind = kinds[self.rng.random_range(0..kinds.len())];
        Some(match kind {
            FaultKind::Status500 => Fault::Status(500),
            FaultKind::Status502 => Fault::Status(502),
            FaultKind::Status503 => Fault::Status(503),
            FaultKind::Status504 => Fault::Status(504),
            FaultKind::TooManyRequests => Fault::TooManyRequests(self.rng.random_range(1..=3)),
            FaultKind::Slow => {
                Fault::Slow(Duration::from_millis(self.rng.random_range(500..=1500)))
            }
            FaultKind::Drop | FaultKind::NotVisible => Fault::Drop,
            FaultKind::Truncated => {
                Fault::Mangle(Mangling::Truncated(self.rng.random_range(0..1000)))
            }
            FaultKind::Html => Fault::Mangle(Mangling::Html),
            FaultKind::WrongShape => {
                Fault::Mangle(Mangling::WrongShape(self.rng.random_range(0..3)))
            }
            FaultKind::Empty => Fault::Mangle(Mangling::Empty),
            FaultKind::Huge => Fault::Mangle(Mangling::Huge),
            FaultKind::Stall => Fault::Mangle(Mangling::Stall(self.stall)),
        })
    }

    /// Whether a just-created instance should answer 404 for a moment.
    pub(crate) fn hide_new_instance(&mut self) -> bool {
        self.rate > 0.0
            && self.kinds.contains(&FaultKind::NotVisible)
            && self.selects("POST /v1/instances")
            && self.rng.random_bool(self.rate.clamp(0.0, 1.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROUTE: &str = "GET /v1/instances/{id}";

    #[test]
    fn same_seed_same_faults() {
        let run = |seed| {
            let mut f = Faults::new(0.5, Duration::ZERO, Some(seed));
            (0..200).map(|_| f.draw(ROUTE)).collect::<Vec<_>>()
        };
        assert_eq!(run(7), run(7));
        assert_ne!(run(7), run(8));
        let faults = run(7);
        assert!(faults.iter().any(Option::is_none));
        assert!(faults.iter().any(|f| matches!(f, Some(Fault::Drop))));
        // The defaults never mangle a body.
        assert!(!faults.iter().any(|f| matches!(f, Some(Fault::Mangle(_)))));
    }

    #[test]
    fn zero_rate_never_faults() {
        let mut f = Faults::new(0.0, Duration::ZERO, Some(1));
        assert!((0..100).all(|_| f.draw(ROUTE).is_none()));
        assert!(!f.hide_new_instance());
    }

    #[test]
    fn chosen_kinds_and_routes_only() {
        let mut f = Faults::new(1.0, Duration::ZERO, Some(3));
        f.set_kinds(vec![FaultKind::Truncated, FaultKind::Empty]);
        f.routes = vec!["POST /v1/instances".to_owned()];
        assert!((0..50).all(|_| f.draw(ROUTE).is_none()));
        assert!(!f.hide_new_instance());
        let drawn: Vec<Fault> = (0..50)
            .filter_map(|_| f.draw("POST /v1/instances"))
            .collect();
        assert_eq!(drawn.len(), 50);
        assert!(
            drawn
                .iter()
                .all(|d| matches!(d, Fault::Mangle(Mangling::Truncated(_) | Mangling::Empty)))
        );
        f.set_kinds(Vec::new());
        assert_eq!(f.kinds, FaultKind::DEFAULT);
    }

    #[test]
    fn kinds_parse_by_name_and_all() {
        assert_eq!(
            FaultKind::parse_list(&["truncated,html".to_owned()]).unwrap(),
            [FaultKind::Truncated, FaultKind::Html]
        );
        assert_eq!(
            FaultKind::parse_list(&["all".to_owned()]).unwrap(),
            FaultKind::ALL
        );
        let err = FaultKind::parse("bogus").unwrap_err();
        assert!(
            err.contains("wrong-shape") && err.contains("`bogus`"),
            "{err}"
        );
        for k in FaultKind::ALL {
            assert_eq!(FaultKind::parse(k.name()), Ok(*k));
        }
    }
}
