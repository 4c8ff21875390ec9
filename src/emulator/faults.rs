//! Injected faults (`--fault-rate`, `--latency`, `--seed`), so clients can be tested
//! against what the live API does on a bad day: 5xx, 429 with `Retry-After`, slow
//! responses, dropped connections, and a just-created instance that answers 404 for a
//! moment (docs/aura-api.md §9.3).
//!
//! Each API request independently draws, with probability `rate`, one fault uniformly
//! among the kinds of [`Fault`]. Draws come from one RNG seeded by `--seed`, in the order
//! requests arrive, so the same seed and the same request sequence give the same faults.
//! Admin routes never get faults.

use std::time::Duration;

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

/// One injected outcome.
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
}

/// The fault settings and their RNG; changed at run time by `POST /_emulator/faults`.
pub(crate) struct Faults {
    pub rate: f64,
    pub latency: Duration,
    pub seed: Option<u64>,
    rng: StdRng,
}

impl Faults {
    pub(crate) fn new(rate: f64, latency: Duration, seed: Option<u64>) -> Self {
        Self {
            rate,
            latency,
            seed,
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

    /// Draws this request's fault, if any.
    pub(crate) fn draw(&mut self) -> Option<Fault> {
        if self.rate <= 0.0 || !self.rng.random_bool(self.rate.clamp(0.0, 1.0)) {
            return None;
        }
        Some(match self.rng.random_range(0..7u8) {
            0 => Fault::Status(500),
            1 => Fault::Status(502),
            2 => Fault::Status(503),
            3 => Fault::Status(504),
            4 => Fault::TooManyRequests(self.rng.random_range(1..=3)),
            5 => Fault::Slow(Duration::from_millis(self.rng.random_range(500..=1500))),
            _ => Fault::Drop,
        })
    }

    /// Whether a just-created instance should answer 404 for a moment.
    pub(crate) fn hide_new_instance(&mut self) -> bool {
        self.rate > 0.0 && self.rng.random_bool(self.rate.clamp(0.0, 1.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_faults() {
        let run = |seed| {
            let mut f = Faults::new(0.5, Duration::ZERO, Some(seed));
            (0..200).map(|_| f.draw()).collect::<Vec<_>>()
        };
        assert_eq!(run(7), run(7));
        assert_ne!(run(7), run(8));
        let faults = run(7);
        assert!(faults.iter().any(Option::is_none));
        assert!(faults.iter().any(|f| matches!(f, Some(Fault::Drop))));
    }

    #[test]
    fn zero_rate_never_faults() {
        let mut f = Faults::new(0.0, Duration::ZERO, Some(1));
        assert!((0..100).all(|_| f.draw().is_none()));
        assert!(!f.hide_new_instance());
    }
}
