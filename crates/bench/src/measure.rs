//! Timing: the best of several repetitions, as operations per second.

use std::time::{Duration, Instant};

/// Runs `f(n)` (which must do `n` operations) `reps` times and returns the best rate in
/// operations per second. The best, not the mean: on a shared, noisy machine the
/// fastest repetition is the one least disturbed by others.
pub fn rate(reps: usize, n: u64, mut f: impl FnMut(u64)) -> f64 {
    let mut best = Duration::MAX;
    for _ in 0..reps.max(1) {
        let start = Instant::now();
        f(n);
        best = best.min(start.elapsed());
    }
    n as f64 / best.as_secs_f64().max(1e-12)
}

/// The best rate of `ours` and of `baseline` over `rounds` rounds, each closure
/// measuring one round (given its number): within a round both run, ours first in even
/// rounds and the baseline first in odd ones, so neither is always the one that runs
/// on a warmer cache or a busier machine.
pub fn alternate(
    rounds: usize,
    mut ours: impl FnMut(usize) -> f64,
    mut baseline: impl FnMut(usize) -> f64,
) -> (f64, f64) {
    let (mut best_ours, mut best_baseline) = (0f64, 0f64);
    for round in 0..rounds {
        if round % 2 == 0 {
            best_ours = best_ours.max(ours(round));
            best_baseline = best_baseline.max(baseline(round));
        } else {
            best_baseline = best_baseline.max(baseline(round));
            best_ours = best_ours.max(ours(round));
        }
    }
    (best_ours, best_baseline)
}

/// `1234567.0` → `"1.23 M"`.
pub fn human(x: f64) -> String {
    if x >= 1e9 {
        format!("{:.2} G", x / 1e9)
    } else if x >= 1e6 {
        format!("{:.2} M", x / 1e6)
    } else if x >= 1e3 {
        format!("{:.1} k", x / 1e3)
    } else {
        format!("{x:.1}")
    }
}
