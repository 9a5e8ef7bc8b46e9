//! The progress bar drawn on stderr while pages are walked.
//!
//! It exists only when stderr is a terminal (and `--no-progress` is absent): redirected
//! stderr, as in scripts and CI logs, gets no control characters.

use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};

/// Items and pages fetched so far, the rate, and the total when the service gives one.
pub(crate) struct Progress {
    bar: Option<ProgressBar>,
    noun: &'static str,
    pages: u64,
}

impl Progress {
    /// A progress display for items called `noun` ("events", "commits"); drawn only if
    /// `enabled`.
    pub(crate) fn new(enabled: bool, noun: &'static str) -> Self {
        let bar = enabled.then(|| {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            bar.set_style(unknown_total_style());
            bar.enable_steady_tick(Duration::from_millis(120));
            bar.set_message(format!("{noun}, 0 pages"));
            bar
        });
        Self {
            bar,
            noun,
            pages: 0,
        }
    }

    /// Records a page of `items`, with the number of items the whole walk will return when
    /// known (from `X-Total`, net of the offset and the cap).
    pub(crate) fn page(&mut self, items: u64, expected_total: Option<u64>) {
        self.pages += 1;
        let Some(bar) = &self.bar else { return };
        if let Some(total) = expected_total
            && bar.length() != Some(total)
        {
            bar.set_length(total);
            bar.set_style(known_total_style());
        }
        bar.inc(items);
        let plural = if self.pages == 1 { "" } else { "s" };
        bar.set_message(format!("{}, {} page{plural}", self.noun, self.pages));
    }

    /// Runs `f` with the bar hidden, so that output written to the same terminal does not
    /// mix with it.
    pub(crate) fn suspend<T>(&self, f: impl FnOnce() -> T) -> T {
        match &self.bar {
            Some(bar) => bar.suspend(f),
            None => f(),
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

const UNKNOWN_TOTAL_TEMPLATE: &str = "{spinner} {pos} {msg} ({rate}, {elapsed})";
const KNOWN_TOTAL_TEMPLATE: &str = "{spinner} [{bar:30}] {pos}/{len} {msg} ({rate}, eta {eta})";

fn unknown_total_style() -> ProgressStyle {
    ProgressStyle::with_template(UNKNOWN_TOTAL_TEMPLATE)
        .map(|style| style.with_key("rate", write_rate))
        .unwrap_or_else(|_| ProgressStyle::default_spinner())
}

fn known_total_style() -> ProgressStyle {
    ProgressStyle::with_template(KNOWN_TOTAL_TEMPLATE)
        .map(|style| style.with_key("rate", write_rate).progress_chars("=> "))
        .unwrap_or_else(|_| ProgressStyle::default_bar())
}

/// Items per second, whole: `1234/s`.
fn write_rate(state: &ProgressState, out: &mut dyn std::fmt::Write) {
    let _ = write!(out, "{:.0}/s", state.per_sec());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_templates_parse() {
        assert!(ProgressStyle::with_template(UNKNOWN_TOTAL_TEMPLATE).is_ok());
        assert!(ProgressStyle::with_template(KNOWN_TOTAL_TEMPLATE).is_ok());
    }

    #[test]
    fn a_disabled_display_still_counts_pages() {
        let mut progress = Progress::new(false, "events");
        progress.page(100, Some(250));
        progress.page(100, Some(250));
        assert_eq!(progress.pages, 2);
        assert_eq!(progress.suspend(|| 7), 7);
    }
}
