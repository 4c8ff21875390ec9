//! Progress of an apply, on stderr only (stdout carries the plan and the report).
//!
//! On a terminal every instance gets one live line (indicatif) showing its current
//! step and the last status the API reported. Elsewhere — CI logs, pipes — the same
//! events become plain timestamped lines, `HH:MM:SS name: step … status`, written only
//! when something changes, so a log of a twenty-minute create stays short. `Hidden`
//! (for `-q`) prints nothing.
//!
//! Nothing that reaches this module ever contains a secret: callers pass instance
//! names, step words, statuses and error reasons.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::{IsTerminal, Write};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use time::OffsetDateTime;
use time::macros::format_description;

/// How progress is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProgressMode {
    /// One live line per instance (stderr is a terminal).
    Live,
    /// Timestamped lines, one per change.
    Plain,
    /// Nothing at all (`-q`).
    Hidden,
}

impl ProgressMode {
    /// `Live` when stderr is a terminal, `Plain` otherwise, `Hidden` when quiet.
    pub fn detect(quiet: bool) -> Self {
        if quiet {
            ProgressMode::Hidden
        } else if std::io::stderr().is_terminal() {
            ProgressMode::Live
        } else {
            ProgressMode::Plain
        }
    }
}

type Sink = Box<dyn Write + Send>;

struct Shared {
    mode: ProgressMode,
    multi: Option<MultiProgress>,
    sink: Mutex<Sink>,
    name_width: usize,
    /// Last (step, status) printed per instance, to print only changes.
    last: Mutex<HashMap<String, (String, String)>>,
}

/// The progress reporter of one apply. Cheap to clone; one per apply.
#[derive(Clone)]
pub struct Progress {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for Progress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Progress")
            .field("mode", &self.shared.mode)
            .finish_non_exhaustive()
    }
}

impl Progress {
    /// A reporter writing to stderr. `names` are the instances that will appear, used
    /// to align the live lines.
    pub fn new<'a>(mode: ProgressMode, names: impl IntoIterator<Item = &'a str>) -> Self {
        Self::build(mode, names, Box::new(std::io::stderr()))
    }

    /// A plain reporter writing to `sink` (tests, or a log file).
    pub fn plain_to<'a>(sink: Sink, names: impl IntoIterator<Item = &'a str>) -> Self {
        Self::build(ProgressMode::Plain, names, sink)
    }

    fn build<'a>(mode: ProgressMode, names: impl IntoIterator<Item = &'a str>, sink: Sink) -> Self {
        let name_width = names
            .into_iter()
            .map(|n| n.chars().count())
            .max()
            .unwrap_or(0);
        let multi = (mode == ProgressMode::Live)
            .then(|| MultiProgress::with_draw_target(ProgressDrawTarget::stderr()));
        Self {
            shared: Arc::new(Shared {
                mode,
                multi,
                sink: Mutex::new(sink),
                name_width,
                last: Mutex::new(HashMap::new()),
            }),
        }
    }

    pub fn mode(&self) -> ProgressMode {
        self.shared.mode
    }

    /// A line not tied to one instance (e.g. the Ctrl-C notice). Printed above the
    /// live lines on a terminal.
    pub fn note(&self, message: &str) {
        match (&self.shared.mode, &self.shared.multi) {
            (ProgressMode::Hidden, _) => {}
            (ProgressMode::Live, Some(multi)) => {
                let _ = multi.println(message);
            }
            _ => self.write_line(&format!(
                "{} {message}",
                timestamp(OffsetDateTime::now_utc())
            )),
        }
    }

    /// The progress handle of one instance. On a terminal its live line appears when
    /// its chain first reports something, and is replaced by one permanent line when
    /// it ends: only chains in flight (at most `--parallelism`) have a live line and a
    /// spinner, however many instances the plan has.
    pub fn instance(&self, name: &str) -> InstanceProgress {
        InstanceProgress {
            reporter: self.clone(),
            name: name.to_owned(),
            bar: Arc::new(Mutex::new(None)),
            step: Arc::new(Mutex::new(String::new())),
        }
    }

    fn new_bar(&self, name: &str) -> Option<ProgressBar> {
        let multi = self.shared.multi.as_ref()?;
        let bar = multi.add(ProgressBar::new_spinner());
        let template = format!(
            "{{spinner}} {{prefix:<{w}}}  {{wide_msg}} {{elapsed:>4}}",
            w = self.shared.name_width.max(1)
        );
        if let Ok(style) = ProgressStyle::with_template(&template) {
            bar.set_style(style);
        }
        bar.set_prefix(name.to_owned());
        bar.enable_steady_tick(Duration::from_millis(120));
        Some(bar)
    }

    /// Clears live lines that are still drawn. Call before printing the report.
    pub fn finish(&self) {
        if let Some(multi) = &self.shared.multi {
            let _ = multi.clear();
        }
        let _ = self
            .shared
            .sink
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .flush();
    }

    fn write_line(&self, line: &str) {
        let mut sink = self
            .shared
            .sink
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        // Progress is best effort: a closed stderr must not fail the apply.
        let _ = writeln!(sink, "{line}");
    }

    /// Prints `HH:MM:SS name: step … status` in plain mode if (step, status) changed.
    fn plain_event(&self, name: &str, step: &str, status: &str) {
        if self.shared.mode != ProgressMode::Plain {
            return;
        }
        {
            let mut last = self
                .shared
                .last
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            let entry = (step.to_owned(), status.to_owned());
            if last.get(name) == Some(&entry) {
                return;
            }
            last.insert(name.to_owned(), entry);
        }
        self.write_line(&plain_line(OffsetDateTime::now_utc(), name, step, status));
    }
}

/// `HH:MM:SS` in UTC. Local time would need the platform's offset, which the `time`
/// crate can only read safely in a single-threaded process.
fn timestamp(now: OffsetDateTime) -> String {
    let format = format_description!("[hour]:[minute]:[second]");
    now.format(&format)
        .unwrap_or_else(|_| "--:--:--".to_owned())
}

/// One plain progress line.
fn plain_line(now: OffsetDateTime, name: &str, step: &str, status: &str) -> String {
    let mut line = format!("{} {name}:", timestamp(now));
    if !step.is_empty() {
        let _ = write!(line, " {step}");
    }
    if !status.is_empty() {
        if step.is_empty() {
            let _ = write!(line, " {status}");
        } else {
            let _ = write!(line, " … {status}");
        }
    }
    line
}

/// Progress of one instance's chain of steps.
#[derive(Clone)]
pub struct InstanceProgress {
    reporter: Progress,
    name: String,
    /// The live line, while the chain runs (terminal only).
    bar: Arc<Mutex<Option<ProgressBar>>>,
    step: Arc<Mutex<String>>,
}

impl std::fmt::Debug for InstanceProgress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InstanceProgress")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl InstanceProgress {
    fn current_step(&self) -> String {
        self.step
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// A step starts (`create`, `update`, `pause`, …).
    pub fn step(&self, step: &str) {
        step.clone_into(&mut self.step.lock().unwrap_or_else(PoisonError::into_inner));
        self.show(step, "started");
    }

    /// The API reported `status` for the current step (printed only when it changes).
    pub fn status(&self, status: &str) {
        let step = self.current_step();
        self.show(&step, status);
    }

    /// Free text about the current step (e.g. "instance busy (409), waiting").
    pub fn detail(&self, text: &str) {
        self.status(text);
    }

    /// Every step of this instance is done.
    pub fn done(&self, summary: &str) {
        self.finish("done", summary);
    }

    /// The chain stopped on an error.
    pub fn failed(&self, reason: &str) {
        let step = self.current_step();
        let text = if step.is_empty() {
            format!("failed: {reason}")
        } else {
            format!("{step} failed: {reason}")
        };
        self.finish("FAILED", &text);
    }

    /// Another apply's copy of the instance is kept; this chain stood back.
    pub fn conflict(&self, reason: &str) {
        self.finish("CONFLICT", reason);
    }

    /// The chain never started (e.g. its clone source failed).
    pub fn skipped(&self, reason: &str) {
        self.finish("skipped", reason);
    }

    /// The chain stopped because of Ctrl-C.
    pub fn interrupted(&self, at: &str) {
        self.finish("interrupted", at);
    }

    fn show(&self, step: &str, status: &str) {
        if self.reporter.shared.mode == ProgressMode::Live {
            let mut bar = self.bar.lock().unwrap_or_else(PoisonError::into_inner);
            if bar.is_none() {
                *bar = self.reporter.new_bar(&self.name);
            }
            if let Some(bar) = bar.as_ref() {
                bar.set_message(if step.is_empty() {
                    status.to_owned()
                } else {
                    format!("{step} … {status}")
                });
            }
        }
        self.reporter.plain_event(&self.name, step, status);
    }

    fn finish(&self, word: &str, text: &str) {
        if let Some(multi) = &self.reporter.shared.multi {
            if let Some(bar) = self
                .bar
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .take()
            {
                bar.finish_and_clear();
                multi.remove(&bar);
            }
            let width = self.reporter.shared.name_width;
            let _ = multi.println(if text.is_empty() {
                format!("  {:<width$}  {word}", self.name)
            } else {
                format!("  {:<width$}  {word}: {text}", self.name)
            });
        }
        let status = if text.is_empty() {
            word.to_owned()
        } else {
            format!("{word} ({text})")
        };
        self.reporter.plain_event(&self.name, "", &status);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A `Write` that tests can read back.
    #[derive(Clone, Default)]
    pub(crate) struct Captured(Arc<Mutex<Vec<u8>>>);

    impl Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl Captured {
        pub(crate) fn text(&self) -> String {
            String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
        }
    }

    #[test]
    fn plain_line_format() {
        let t = time::macros::datetime!(2026-11-26 07:05:09 UTC);
        assert_eq!(
            plain_line(t, "orders", "create", "creating"),
            "07:05:09 orders: create … creating"
        );
        assert_eq!(plain_line(t, "orders", "", "done"), "07:05:09 orders: done");
    }

    #[test]
    fn plain_mode_prints_only_changes() {
        let out = Captured::default();
        let progress = Progress::plain_to(Box::new(out.clone()), ["orders", "events"]);
        let orders = progress.instance("orders");
        orders.step("create");
        orders.status("creating");
        orders.status("creating");
        orders.status("creating");
        orders.status("running");
        orders.step("pause");
        orders.status("pausing");
        orders.done("create, pause");
        let events = progress.instance("events");
        events.step("update");
        events.failed("went to `loading failed`");
        progress.finish();

        let text = out.text();
        let lines: Vec<&str> = text.lines().map(|l| &l[9..]).collect();
        assert_eq!(
            lines,
            [
                "orders: create … started",
                "orders: create … creating",
                "orders: create … running",
                "orders: pause … started",
                "orders: pause … pausing",
                "orders: done (create, pause)",
                "events: update … started",
                "events: FAILED (update failed: went to `loading failed`)",
            ]
        );
        // Every line starts with HH:MM:SS.
        for line in text.lines() {
            let ts = &line[..8];
            assert!(
                ts.chars().enumerate().all(|(i, c)| if i == 2 || i == 5 {
                    c == ':'
                } else {
                    c.is_ascii_digit()
                }),
                "{line}"
            );
        }
    }

    #[test]
    fn hidden_prints_nothing() {
        let progress = Progress::new(ProgressMode::Hidden, ["a"]);
        let a = progress.instance("a");
        a.step("create");
        a.done("");
        progress.note("hello");
        progress.finish();
    }
}
