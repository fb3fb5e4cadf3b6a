//! Injectable time and ids, so that every test is deterministic.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, TimeDelta, Utc};
use uuid::Uuid;

/// Where the engine gets the current time.
pub trait Clock: Send + Sync {
    /// The current time.
    fn now(&self) -> DateTime<Utc>;
}

/// The system's clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that shows a set time until it is moved: for tests and simulations.
#[derive(Debug)]
pub struct ManualClock {
    now: Mutex<DateTime<Utc>>,
}

impl ManualClock {
    /// A clock showing `start`.
    pub fn new(start: DateTime<Utc>) -> Self {
        ManualClock { now: Mutex::new(start) }
    }

    /// Sets the time.
    pub fn set(&self, to: DateTime<Utc>) {
        *self.lock() = to;
    }

    /// Moves the time forward (or back, for a negative delta).
    pub fn advance(&self, by: TimeDelta) {
        let mut now = self.lock();
        *now += by;
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, DateTime<Utc>> {
        // A poisoned lock only means another thread panicked while holding it; the
        // time stored is still a valid time.
        self.now.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.lock()
    }
}

/// Where the engine gets ids for instances and records.
pub trait IdGenerator: Send + Sync {
    /// A new id for something created at `at` (a UUID v7 embeds that time).
    fn next_id(&self, at: DateTime<Utc>) -> Uuid;
}

/// UUID v7 ids with random bits from the operating system.
#[derive(Clone, Copy, Debug, Default)]
pub struct RandomIds;

impl IdGenerator for RandomIds {
    fn next_id(&self, at: DateTime<Utc>) -> Uuid {
        let secs = u64::try_from(at.timestamp()).unwrap_or(0);
        let ts = uuid::Timestamp::from_unix(uuid::NoContext, secs, at.timestamp_subsec_nanos());
        Uuid::new_v7(ts)
    }
}

/// UUID v7 ids whose "random" bits come from a seeded counter: the same seed and the
/// same times give the same ids, run after run.
#[derive(Debug)]
pub struct SeededIds {
    seed: u64,
    counter: AtomicU64,
}

impl SeededIds {
    /// A generator for `seed`.
    pub fn new(seed: u64) -> Self {
        SeededIds {
            seed,
            counter: AtomicU64::new(0),
        }
    }
}

impl IdGenerator for SeededIds {
    fn next_id(&self, at: DateTime<Utc>) -> Uuid {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let a = splitmix64(self.seed ^ n.wrapping_mul(0x9e37_79b9_7f4a_7c15));
        let b = splitmix64(a ^ n);
        let mut random = [0u8; 10];
        random[..8].copy_from_slice(&a.to_be_bytes());
        random[8..].copy_from_slice(&b.to_be_bytes()[..2]);
        let millis = u64::try_from(at.timestamp_millis()).unwrap_or(0);
        uuid::Builder::from_unix_timestamp_millis(millis, &random).into_uuid()
    }
}

fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn seeded_ids_are_v7_deterministic_and_distinct() {
        let at = Utc.with_ymd_and_hms(2022, 5, 16, 0, 0, 0).unwrap();
        let a = SeededIds::new(7);
        let b = SeededIds::new(7);
        let xs: Vec<Uuid> = (0..1000).map(|_| a.next_id(at)).collect();
        let ys: Vec<Uuid> = (0..1000).map(|_| b.next_id(at)).collect();
        assert_eq!(xs, ys);
        let mut sorted = xs.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), 1000);
        assert_eq!(xs[0].get_version_num(), 7);
        let (secs, _) = xs[0].get_timestamp().unwrap().to_unix();
        assert_eq!(secs as i64, at.timestamp());
        assert_ne!(SeededIds::new(8).next_id(at), xs[0]);
    }

    #[test]
    fn manual_clock_moves() {
        let t0 = Utc.with_ymd_and_hms(2022, 5, 16, 0, 0, 0).unwrap();
        let c = ManualClock::new(t0);
        c.advance(TimeDelta::days(30));
        assert_eq!(c.now(), Utc.with_ymd_and_hms(2022, 6, 15, 0, 0, 0).unwrap());
        c.set(t0);
        assert_eq!(c.now(), t0);
    }

    #[test]
    fn random_ids_are_v7() {
        let id = RandomIds.next_id(Utc::now());
        assert_eq!(id.get_version_num(), 7);
    }
}
