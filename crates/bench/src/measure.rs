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
