//! Helpers for the stores' fault tests: with real processes, a writer that prints each
//! acknowledged append, a parent that kills it with SIGKILL at a random moment, racing
//! writers, and the checks that every acknowledged record is there exactly once; for
//! tampering behind a store's back, a small interleaved log to edit ([`interleaved`])
//! and what a consistent rollback writes back ([`rolled_back`]).
//!
//! A store's test binary runs itself as the child: [`child_command`] re-executes the
//! current test binary with one (ignored) test selected, and that test reads its
//! instructions from environment variables.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

use regula_core::merkle::{CompactRange, record_leaf};
use regula_core::{Append, AuditRecord, Digest, InstanceFilter, Repository, Store, TreeHead};
use uuid::Uuid;

use crate::XorShift;
use crate::sample::{self, CASE, annotate, case, clerk};

/// An append the writer saw committed: printed only after the store returned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ack {
    /// The instance.
    pub instance: Uuid,
    /// The record's sequence number.
    pub seq: u64,
    /// The record's hash.
    pub hash: Digest,
}

impl Ack {
    /// The acknowledgement of `record`.
    pub fn of(record: &AuditRecord) -> Self {
        Ack {
            instance: record.instance,
            seq: record.seq,
            hash: record.hash,
        }
    }

    /// The line the writer prints.
    pub fn line(&self) -> String {
        format!("ACK {} {} {}", self.instance, self.seq, self.hash)
    }

    /// Reads a line printed by [`Ack::line`] (after whatever the test harness printed
    /// on the same line); anything else, a line cut short by the kill included, is
    /// `None`, that is: not acknowledged.
    pub fn parse(line: &str) -> Option<Ack> {
        let start = line.find("ACK ")?;
        let mut parts = line[start..].trim_end().split(' ');
        if parts.next()? != "ACK" {
            return None;
        }
        let ack = Ack {
            instance: Uuid::parse_str(parts.next()?).ok()?,
            seq: parts.next()?.parse().ok()?,
            hash: Digest::from_hex(parts.next()?).ok()?,
        };
        parts.next().is_none().then_some(ack)
    }
}

/// The current test binary, set to run only the ignored test `name`, as a child.
pub fn child_command(name: &str) -> Command {
    let exe = std::env::current_exe().unwrap();
    let mut cmd = Command::new(exe);
    cmd.args(["--exact", name, "--ignored", "--nocapture", "--test-threads=1"]);
    cmd
}

/// The writer: appends forever (or `limit` times) in a mix of creations, single
/// appends through a [`Repository`] (with snapshots) and batches over several
/// instances, printing an [`Ack`] line for every record once its append returned.
pub fn write_until_killed<S: Store>(store: &S, seed: u64, limit: Option<u64>, out: &mut dyn Write) {
    let repo = Repository::new(sample::engine(), store).snapshot_every(3);
    let mut rng = XorShift::new(seed);
    let heads = store.list(&InstanceFilter::definition(CASE)).unwrap();
    let mut open: Vec<Uuid> = heads.iter().rev().take(4).map(|h| h.instance).collect();
    let mut done = 0u64;
    while limit.is_none_or(|l| done < l) {
        let acks = match rng.below(8) {
            0 => {
                let (inst, r) = repo
                    .create(clerk(), "clerk", case(&format!("crash {seed}/{done}")), None)
                    .unwrap();
                open.push(inst.id());
                vec![Ack::of(&r)]
            }
            1 if !open.is_empty() => {
                // One transaction: two new instances and a step of an existing one.
                let engine = repo.engine();
                let (x, x1) = engine.create(clerk(), "clerk", case("batch x"), None).unwrap();
                let (y, y1) = engine.create(clerk(), "clerk", case("batch y"), None).unwrap();
                let mut z = repo.load(open[rng.below(open.len() as u64) as usize]).unwrap();
                let z_seq = z.seq();
                let z1 = engine.apply(&mut z, annotate(&format!("batch {done}"))).unwrap();
                let records = [x1, y1, z1];
                let appends = [
                    Append {
                        instance: x.id(),
                        expected_seq: 0,
                        records: &records[..1],
                        due_at: None,
                    },
                    Append {
                        instance: y.id(),
                        expected_seq: 0,
                        records: &records[1..2],
                        due_at: None,
                    },
                    Append {
                        instance: z.id(),
                        expected_seq: z_seq,
                        records: &records[2..],
                        due_at: None,
                    },
                ];
                store.append_batch(&appends).unwrap();
                open.push(x.id());
                records.iter().map(Ack::of).collect()
            }
            _ if !open.is_empty() => {
                let id = open[rng.below(open.len() as u64) as usize];
                let (_, r) = repo.execute(id, annotate(&format!("step {done}")), 3).unwrap();
                vec![Ack::of(&r)]
            }
            _ => {
                let (inst, r) = repo.create(clerk(), "clerk", case("first"), None).unwrap();
                open.push(inst.id());
                vec![Ack::of(&r)]
            }
        };
        if open.len() > 4 {
            open.remove(0);
        }
        for a in acks {
            writeln!(out, "{}", a.line()).unwrap();
        }
        out.flush().unwrap();
        done += 1;
    }
}

/// What became of a killed child.
#[derive(Debug)]
pub struct Killed {
    /// The appends it acknowledged before it died.
    pub acks: Vec<Ack>,
    /// True when it died of SIGKILL (rather than exiting on its own).
    pub by_sigkill: bool,
    /// True when it was killed after its first acknowledgement.
    pub after_first_ack: bool,
}

/// Runs `cmd`, kills it with SIGKILL at a random moment and returns the appends it
/// acknowledged. One kill in five comes at a random time from the start (possibly
/// while the store opens), the rest at a random time after the first acknowledgement.
#[cfg(unix)]
pub fn run_and_kill(mut cmd: Command, rng: &mut XorShift) -> Killed {
    use std::os::unix::process::ExitStatusExt;

    cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::inherit());
    let mut child = cmd.spawn().unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel::<String>();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut lines = Vec::new();
    let mut after_first_ack = false;
    if rng.below(5) == 0 {
        std::thread::sleep(Duration::from_micros(rng.below(40_000)));
    } else {
        let deadline = Instant::now() + Duration::from_secs(60);
        while let Ok(line) = rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            let is_ack = Ack::parse(&line).is_some();
            lines.push(line);
            if is_ack {
                after_first_ack = true;
                break;
            }
        }
        std::thread::sleep(Duration::from_micros(rng.below(30_000)));
    }
    child.kill().unwrap();
    let status = child.wait().unwrap();
    reader.join().unwrap();
    lines.extend(rx.try_iter());
    Killed {
        acks: lines.iter().filter_map(|l| Ack::parse(l)).collect(),
        by_sigkill: status.signal() == Some(9),
        after_first_ack,
    }
}

/// Checks that `store` verifies (chains, heads, Merkle tree, transitions) and holds
/// every acknowledged record, unchanged.
pub fn check_acknowledged<S: Store + ?Sized>(store: &S, acks: &[Ack]) {
    let report = sample::verify(store).unwrap();
    assert!(report.is_ok(), "{report}");
    let mut by_instance: HashMap<Uuid, Vec<&Ack>> = HashMap::new();
    for a in acks {
        by_instance.entry(a.instance).or_default().push(a);
    }
    for (instance, acks) in by_instance {
        let log = store.load(instance).unwrap();
        for a in acks {
            let held = log.get((a.seq - 1) as usize).map(|r| r.hash);
            assert_eq!(
                held,
                Some(a.hash),
                "acknowledged record {instance}/{} is missing or changed",
                a.seq
            );
        }
    }
}

/// `threads` writers, each with its own handle from `open`, race to annotate
/// `instances` (`steps` each, retrying on conflicts); returns what they acknowledged.
pub fn race<S: Store>(
    open: &(dyn Fn() -> S + Sync),
    instances: &[Uuid],
    threads: usize,
    steps: usize,
    tag: &str,
) -> Vec<Ack> {
    let definition = Arc::new(sample::definition(CASE));
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|t| {
                let definition = &definition;
                scope.spawn(move || {
                    let repo = Repository::new(sample::engine_for(definition), open()).snapshot_every(4);
                    (0..steps)
                        .map(|i| {
                            let id = instances[(t + i) % instances.len()];
                            let (_, r) = repo
                                .execute(id, annotate(&format!("{tag} t{t} s{i}")), 100_000)
                                .unwrap();
                            Ack::of(&r)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers.into_iter().flat_map(|w| w.join().unwrap()).collect()
    })
}

/// Checks that every acknowledged record is in `instances` exactly once, that their
/// sequence numbers are contiguous, that they hold `total` records, and that the store
/// verifies.
pub fn check_exactly_once<S: Store + ?Sized>(store: &S, instances: &[Uuid], acks: &[Ack], total: usize) {
    let mut seen: HashMap<Digest, usize> = HashMap::new();
    let mut count = 0;
    for id in instances {
        let log = store.load(*id).unwrap();
        for (i, r) in log.iter().enumerate() {
            assert_eq!(r.seq, i as u64 + 1, "instance {id}: sequence numbers are contiguous");
            *seen.entry(r.hash).or_default() += 1;
        }
        assert_eq!(store.head(*id).unwrap().seq, log.len() as u64);
        count += log.len();
    }
    assert_eq!(count, total, "no lost and no extra records");
    for a in acks {
        assert_eq!(
            seen.get(&a.hash),
            Some(&1),
            "record {}/{} is there exactly once",
            a.instance,
            a.seq
        );
    }
    let report = sample::verify(store).unwrap();
    assert!(report.is_ok(), "{report}");
}

/// Three instances whose records interleave in the global order, made by
/// [`interleaved`]: positions 0..12 hold A1 B1 A2 B2 A3 B3 A4 C1 A5 B4 C2 C3.
#[derive(Clone, Copy, Debug)]
pub struct Interleaved {
    /// Instance A: five records, the annotations `a note 1` to `a note 4`.
    pub a: Uuid,
    /// Instance B: four records.
    pub b: Uuid,
    /// Instance C: three records.
    pub c: Uuid,
    /// The store's tree head after the twelve records.
    pub tree: TreeHead,
}

/// Appends the [`Interleaved`] log to an empty `store`, each record on its own, and
/// checks that the store holds twelve records and verifies.
pub fn interleaved<S: Store + ?Sized>(store: &S) -> Interleaved {
    let engine = sample::engine();
    let mut instances = Vec::new();
    for (who, step) in [
        (0, 0),
        (1, 0),
        (0, 1),
        (1, 1),
        (0, 2),
        (1, 2),
        (0, 3),
        (2, 0),
        (0, 4),
        (1, 3),
        (2, 1),
        (2, 2),
    ] {
        let title = ["a", "b", "c"][who];
        let record = if step == 0 {
            let (instance, r) = engine.create(clerk(), "clerk", case(title), None).unwrap();
            instances.push(instance);
            r
        } else {
            engine
                .apply(&mut instances[who], annotate(&format!("{title} note {step}")))
                .unwrap()
        };
        store
            .append(Append {
                instance: record.instance,
                expected_seq: record.seq - 1,
                records: std::slice::from_ref(&record),
                due_at: None,
            })
            .unwrap();
    }
    let tree = store.tree_head().unwrap();
    assert_eq!(tree.size, 12);
    let report = sample::verify(store).unwrap();
    assert!(report.is_ok(), "{report}");
    Interleaved {
        a: instances[0].id(),
        b: instances[1].id(),
        c: instances[2].id(),
        tree,
    }
}

/// What a consistent rollback to `kept` (the records left, in append order, as a scan
/// returns them) writes back behind the store's back, as restoring an old backup
/// would: the compact range over `kept` for the log head, and the last kept record of
/// each of `instances`, for their heads.
pub fn rolled_back<'a>(kept: &'a [AuditRecord], instances: &[Uuid]) -> (CompactRange, Vec<&'a AuditRecord>) {
    let mut range = CompactRange::new();
    for r in kept {
        range.push(record_leaf(r));
    }
    let lasts = instances
        .iter()
        .map(|id| kept.iter().rev().find(|r| r.instance == *id).unwrap())
        .collect();
    (range, lasts)
}
