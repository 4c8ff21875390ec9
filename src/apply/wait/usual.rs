//! How long each kind of operation usually takes, and so when a wait first polls.
//!
//! Polling right after a 202 only costs requests: a create takes minutes. The first
//! poll of a step therefore comes [`FIRST_POLL`] of the way into the operation's usual
//! duration (or one poll interval after the request, if that is later), the second
//! when it usually ends, later ones every interval; every poll that finds the target
//! ends the wait. A create that usually takes 2 minutes is polled after 90 s and 120 s:
//! 2 polls instead of 24 at the default 5 s interval, and a usual finish is seen at
//! once (docs/apply.md §4).

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use crate::units::WallDuration;

/// The share of the usual duration the first poll waits: 3/4.
pub const FIRST_POLL: (u32, u32) = (3, 4);

/// The longest usual duration `--usual-durations` takes.
const MAX_USUAL: Duration = Duration::from_secs(24 * 3600);

/// When the first poll of an operation that usually takes `usual` comes.
pub(crate) fn first_poll(usual: Duration) -> Duration {
    let (num, den) = FIRST_POLL;
    usual.saturating_mul(num) / den
}

/// Usual durations of the operations a step waits for (`--usual-durations`). A zero
/// duration means "unknown": the first poll comes one interval after the request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UsualDurations {
    pub create: Duration,
    /// A PATCH that changes more than the name (memory, storage, CDC, …).
    pub resize: Duration,
    pub pause: Duration,
    pub resume: Duration,
    pub delete: Duration,
}

impl Default for UsualDurations {
    /// What Aura takes (docs/aura-api.md §9.1; the emulator's durations at speed 1).
    fn default() -> Self {
        Self {
            create: Duration::from_secs(120),
            resize: Duration::from_secs(90),
            pause: Duration::from_secs(60),
            resume: Duration::from_secs(90),
            delete: Duration::from_secs(30),
        }
    }
}

impl UsualDurations {
    /// Nothing known: every first poll comes one interval after the request.
    pub fn unknown() -> Self {
        Self {
            create: Duration::ZERO,
            resize: Duration::ZERO,
            pause: Duration::ZERO,
            resume: Duration::ZERO,
            delete: Duration::ZERO,
        }
    }

    /// The defaults for an emulator running `speed` times faster than Aura.
    pub fn at_speed(speed: f64) -> Self {
        let d = Self::default();
        let scale = |x: Duration| {
            if speed.is_finite() && speed > 0.0 {
                Duration::from_secs_f64(x.as_secs_f64() / speed)
            } else {
                x
            }
        };
        Self {
            create: scale(d.create),
            resize: scale(d.resize),
            pause: scale(d.pause),
            resume: scale(d.resume),
            delete: scale(d.delete),
        }
    }

    fn entries(&self) -> [(&'static str, Duration); 5] {
        [
            ("create", self.create),
            ("resize", self.resize),
            ("pause", self.pause),
            ("resume", self.resume),
            ("delete", self.delete),
        ]
    }

    fn slot(&mut self, name: &str) -> Option<&mut Duration> {
        Some(match name {
            "create" => &mut self.create,
            "resize" => &mut self.resize,
            "pause" => &mut self.pause,
            "resume" => &mut self.resume,
            "delete" => &mut self.delete,
            _ => return None,
        })
    }
}

/// `create=2m,resize=90s,pause=1m,resume=90s,delete=30s`; operations not named keep
/// their default, `0` makes one unknown.
impl FromStr for UsualDurations {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut out = Self::default();
        for item in s.split(',').map(str::trim).filter(|i| !i.is_empty()) {
            let Some((name, value)) = item.split_once('=') else {
                return Err(format!(
                    "`{item}` is not OPERATION=DURATION (e.g. create=2m,resize=90s)"
                ));
            };
            let name = name.trim();
            let Some(slot) = out.slot(name) else {
                return Err(format!(
                    "unknown operation `{name}`: use create, resize, pause, resume or delete"
                ));
            };
            let value = value.trim();
            *slot = if value == "0" {
                Duration::ZERO
            } else {
                value.parse::<WallDuration>()?.0
            };
            if *slot > MAX_USUAL {
                return Err(format!(
                    "`{item}`: an operation's usual duration is at most 24h"
                ));
            }
        }
        Ok(out)
    }
}

impl fmt::Display for UsualDurations {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for (name, d) in self.entries() {
            if !first {
                f.write_str(",")?;
            }
            first = false;
            if d.is_zero() {
                write!(f, "{name}=0")?;
            } else {
                write!(f, "{name}={}", WallDuration(d))?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_show() {
        let d: UsualDurations = "create=5m, delete=0".parse().unwrap();
        assert_eq!(d.create, Duration::from_secs(300));
        assert_eq!(d.delete, Duration::ZERO);
        assert_eq!(d.resize, UsualDurations::default().resize);
        assert_eq!(
            UsualDurations::default().to_string(),
            "create=2m,resize=1m30s,pause=1m,resume=1m30s,delete=30s"
        );
        assert_eq!(
            UsualDurations::default()
                .to_string()
                .parse::<UsualDurations>()
                .unwrap(),
            UsualDurations::default()
        );
        for bad in [
            "create",
            "boot=1m",
            "create=fast",
            "create=-1s",
            "create=25h",
        ] {
            assert!(bad.parse::<UsualDurations>().is_err(), "{bad}");
        }
    }

    #[test]
    fn first_poll_is_three_quarters_in() {
        assert_eq!(
            first_poll(Duration::from_secs(120)),
            Duration::from_secs(90)
        );
        assert_eq!(first_poll(Duration::ZERO), Duration::ZERO);
        assert_eq!(
            UsualDurations::at_speed(100.0).create,
            Duration::from_millis(1200)
        );
    }
}
