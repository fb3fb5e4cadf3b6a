//! Counters and histograms in Prometheus' text exposition format (version 0.0.4).
//!
//! A handful of series, kept with atomics: requests by route and status class,
//! request latency, records appended, and the group commit's batches.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// The upper bounds of the latency histogram's buckets, in seconds.
const BUCKETS: &[f64] = &[0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0];

/// The upper bounds of the batch size histogram's buckets.
const BATCH_BUCKETS: &[f64] = &[1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0];

/// A histogram with fixed buckets.
#[derive(Debug)]
struct Histogram {
    bounds: &'static [f64],
    counts: Vec<AtomicU64>,
    /// The sum, in millionths.
    sum_micros: AtomicU64,
    count: AtomicU64,
}

impl Histogram {
    fn new(bounds: &'static [f64]) -> Self {
        Histogram {
            bounds,
            counts: bounds.iter().map(|_| AtomicU64::new(0)).collect(),
            sum_micros: AtomicU64::new(0),
            count: AtomicU64::new(0),
        }
    }

    fn observe(&self, value: f64) {
        for (bound, count) in self.bounds.iter().zip(&self.counts) {
            if value <= *bound {
                count.fetch_add(1, Ordering::Relaxed);
            }
        }
        self.sum_micros
            .fetch_add((value * 1_000_000.0).round() as u64, Ordering::Relaxed);
        self.count.fetch_add(1, Ordering::Relaxed);
    }

    fn render(&self, out: &mut String, name: &str) {
        for (bound, count) in self.bounds.iter().zip(&self.counts) {
            let _ = writeln!(out, "{name}_bucket{{le=\"{bound}\"}} {}", count.load(Ordering::Relaxed));
        }
        let total = self.count.load(Ordering::Relaxed);
        let _ = writeln!(out, "{name}_bucket{{le=\"+Inf\"}} {total}");
        let _ = writeln!(
            out,
            "{name}_sum {}",
            self.sum_micros.load(Ordering::Relaxed) as f64 / 1_000_000.0
        );
        let _ = writeln!(out, "{name}_count {total}");
    }
}

/// The service's metrics.
#[derive(Debug)]
pub struct Metrics {
    /// Requests by (route, status).
    requests: Mutex<BTreeMap<(String, u16), u64>>,
    latency: Histogram,
    records: AtomicU64,
    batches: Histogram,
    replays: AtomicU64,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics {
            requests: Mutex::new(BTreeMap::new()),
            latency: Histogram::new(BUCKETS),
            records: AtomicU64::new(0),
            batches: Histogram::new(BATCH_BUCKETS),
            replays: AtomicU64::new(0),
        }
    }
}

impl Metrics {
    /// Counts a request to `route` (its pattern, not its path: bounded cardinality)
    /// answered with `status` after `elapsed`.
    pub fn request(&self, route: &str, status: u16, elapsed: Duration) {
        if let Ok(mut map) = self.requests.lock() {
            *map.entry((route.to_owned(), status)).or_default() += 1;
        }
        self.latency.observe(elapsed.as_secs_f64());
    }

    /// Counts a group commit of `records` records in one transaction.
    pub fn batch(&self, records: usize) {
        self.records.fetch_add(records as u64, Ordering::Relaxed);
        self.batches.observe(records as f64);
    }

    /// Counts a retried request answered from its idempotency key.
    pub fn replay(&self) {
        self.replays.fetch_add(1, Ordering::Relaxed);
    }

    /// The exposition text.
    pub fn render(&self) -> String {
        let mut out = String::new();
        out.push_str("# HELP regula_http_requests_total HTTP requests answered, by route and status.\n");
        out.push_str("# TYPE regula_http_requests_total counter\n");
        if let Ok(map) = self.requests.lock() {
            for ((route, status), n) in map.iter() {
                let route = route.replace('\\', "\\\\").replace('"', "\\\"");
                let _ = writeln!(
                    out,
                    "regula_http_requests_total{{route=\"{route}\",status=\"{status}\"}} {n}"
                );
            }
        }
        out.push_str("# HELP regula_http_request_duration_seconds Time to answer a request.\n");
        out.push_str("# TYPE regula_http_request_duration_seconds histogram\n");
        self.latency.render(&mut out, "regula_http_request_duration_seconds");
        out.push_str("# HELP regula_records_appended_total Records this process appended.\n");
        out.push_str("# TYPE regula_records_appended_total counter\n");
        let _ = writeln!(
            out,
            "regula_records_appended_total {}",
            self.records.load(Ordering::Relaxed)
        );
        out.push_str("# HELP regula_commit_batch_records Records per group commit (one transaction, one sync).\n");
        out.push_str("# TYPE regula_commit_batch_records histogram\n");
        self.batches.render(&mut out, "regula_commit_batch_records");
        out.push_str("# HELP regula_idempotent_replays_total Retried requests answered with their first result.\n");
        out.push_str("# TYPE regula_idempotent_replays_total counter\n");
        let _ = writeln!(
            out,
            "regula_idempotent_replays_total {}",
            self.replays.load(Ordering::Relaxed)
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_text_has_cumulative_buckets_and_counts() {
        let m = Metrics::default();
        m.request("/v1/standards", 200, Duration::from_millis(3));
        m.request("/v1/standards", 200, Duration::from_millis(30));
        m.batch(5);
        let text = m.render();
        assert!(text.contains("regula_http_requests_total{route=\"/v1/standards\",status=\"200\"} 2"));
        assert!(text.contains("regula_http_request_duration_seconds_bucket{le=\"0.005\"} 1"));
        assert!(text.contains("regula_http_request_duration_seconds_bucket{le=\"0.05\"} 2"));
        assert!(text.contains("regula_http_request_duration_seconds_count 2"));
        assert!(text.contains("regula_records_appended_total 5"));
        assert!(text.contains("regula_commit_batch_records_bucket{le=\"4\"} 0"));
        assert!(text.contains("regula_commit_batch_records_bucket{le=\"8\"} 1"));
    }
}
