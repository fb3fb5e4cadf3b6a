//! The one checkpoint format: its text round trip, the JSON checkpoints of earlier
//! releases still read, and an unsigned checkpoint catching a rollback.
#![allow(clippy::unwrap_used)]

mod common;

use chrono::{DateTime, TimeDelta, Utc};
use common::{Step, clerk, doc, engine, judge};
use proptest::prelude::*;
use regula_core::checkpoint::{CheckpointError, DEFAULT_ORIGIN, KeyId, NoteSignature};
use regula_core::store::{CheckpointMismatch, StoreProblem, verify_against_checkpoint, verify_store};
use regula_core::{Append, Checkpoint, CheckpointNote, Command, Digest, MemoryStore, Repository, Store, TreeHead};

fn fixture(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures")
        .join(name);
    std::fs::read_to_string(path).unwrap()
}

#[test]
fn the_committed_json_checkpoints_are_still_read() {
    for (file, size, root) in [
        (
            "store-v1-tour.checkpoint.json",
            128,
            "8899f009d606e62e9c6a9b8b04200025e25085b85ce5ef5ed536b79f0e487b0e",
        ),
        (
            "store-v2-sim-2023-06-30.checkpoint.json",
            1446,
            "52cdcba658578b1387e0a1596801e4984d29980d53f7e5a462ec509a3d7f904c",
        ),
    ] {
        let note = CheckpointNote::read(&fixture(file)).unwrap();
        assert!(note.is_legacy_json() && !note.is_signed(), "{file}");
        let cp = note.checkpoint();
        assert_eq!(
            (cp.origin(), cp.size(), cp.root().to_hex().as_str()),
            (DEFAULT_ORIGIN, size, root)
        );
        // Written again, it is the one format, and states the same.
        let text = note.to_text();
        assert!(!text.starts_with('{'), "{text}");
        assert_eq!(CheckpointNote::parse(&text).unwrap().checkpoint(), cp);
    }
}

/// A store of `n` records.
fn store_of(n: usize) -> Repository<common::Review, MemoryStore> {
    let (engine, clock) = engine();
    let repo = Repository::new(engine, MemoryStore::new());
    let (mut inst, _) = repo.create(clerk(), "clerk", doc(), None).unwrap();
    for i in 1..n {
        clock.advance(TimeDelta::hours(1));
        repo.apply(
            &mut inst,
            Command::new(judge(), "judge", Step::Comment { text: format!("c{i}") }),
        )
        .unwrap();
    }
    repo
}

#[test]
fn an_unsigned_checkpoint_written_and_read_back_catches_a_rollback() {
    let repo = store_of(5);
    let time = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
    let text = CheckpointNote::unsigned(&Checkpoint::new(repo.store().tree_head().unwrap(), time)).to_text();
    let saved = CheckpointNote::read(&text).unwrap();
    assert_eq!(
        verify_against_checkpoint(repo.store(), saved.checkpoint()).unwrap(),
        None
    );

    // The store rolled back to its first 3 records.
    let records = repo.store().scan(0, 3).unwrap();
    let rolled_back = MemoryStore::new();
    rolled_back
        .append(Append {
            instance: records[0].instance,
            expected_seq: 0,
            records: &records,
            due_at: None,
        })
        .unwrap();
    let truncated = CheckpointMismatch::Truncated {
        checkpoint: 5,
        store: 3,
    };
    assert_eq!(
        verify_against_checkpoint(&rolled_back, saved.checkpoint()).unwrap(),
        Some(truncated.clone())
    );
    let report = verify_store(&rolled_back, Some(saved.checkpoint()), |_, _| None, &mut |_, _| {}).unwrap();
    assert!(
        report.problems.contains(&StoreProblem::Checkpoint(truncated)),
        "{report}"
    );

    // An edited checkpoint (its root changed by hand) no longer matches the store: an
    // unsigned checkpoint is only as good as the place it is kept, but it cannot be
    // changed to fit a rewritten store without that showing against the true one.
    let root_line = text.lines().nth(2).unwrap();
    let forged = text.replacen(root_line, &regula_core::checkpoint::encode_base64(&[7; 32]), 1);
    let forged = CheckpointNote::parse(&forged).unwrap();
    assert!(matches!(
        verify_against_checkpoint(repo.store(), forged.checkpoint()).unwrap(),
        Some(CheckpointMismatch::RootDiffers { size: 5, .. })
    ));
}

#[test]
fn one_spelling_only() {
    let cp = Checkpoint::new(
        TreeHead {
            size: 3,
            root: Digest::of(b"x"),
        },
        DateTime::from_timestamp(1_700_000_000, 120_000_000).unwrap(),
    );
    let text = CheckpointNote::unsigned(&cp).to_text();
    assert!(text.contains("\ntime 2023-11-14T22:13:20.120Z\n"), "{text}");
    for (what, bad) in [
        ("no blank line", text.trim_end_matches('\n').to_owned() + "\n"),
        ("no final newline", text.trim_end_matches('\n').to_owned()),
        ("a carriage return", text.replace('\n', "\r\n")),
        ("a leading zero", text.replacen("\n3\n", "\n03\n", 1)),
        ("a time with an offset", text.replace("Z\n", "+00:00\n")),
        ("a blank signature line", text.clone() + "\n"),
    ] {
        assert!(CheckpointNote::parse(&bad).is_err(), "{what}: {bad:?}");
    }
    assert!(matches!(
        CheckpointNote::read("{\"format\":1}"),
        Err(CheckpointError::Json { .. })
    ));
}

/// A valid origin or key name: letters, digits, punctuation and Chinese characters,
/// never white space, `+` or controls.
fn name() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9_./:{}\\-红石林区基层法院]{1,24}"
}

fn time() -> impl Strategy<Value = DateTime<Utc>> {
    // Whole seconds, milliseconds, microseconds and nanoseconds all occur.
    (0i64..4_102_444_800, 0u32..4, 0u32..1_000_000_000).prop_map(|(secs, precision, nanos)| {
        let nanos = match precision {
            0 => 0,
            1 => nanos / 1_000_000 * 1_000_000,
            2 => nanos / 1_000 * 1_000,
            _ => nanos,
        };
        DateTime::from_timestamp(secs, nanos).unwrap()
    })
}

fn signature() -> impl Strategy<Value = NoteSignature> {
    (name(), any::<[u8; 4]>(), prop::collection::vec(any::<u8>(), 1..80)).prop_map(|(name, id, signature)| {
        NoteSignature {
            name,
            key_id: KeyId(id),
            signature,
        }
    })
}

proptest! {
    /// Formatting then parsing gives back the same checkpoint and signatures, and the
    /// same text: one spelling per checkpoint.
    #[test]
    fn format_then_parse_is_the_identity(
        origin in name(),
        size in any::<u64>(),
        root in any::<[u8; 32]>(),
        time in time(),
        signatures in prop::collection::vec(signature(), 0..4),
    ) {
        let cp = Checkpoint::with_origin(&origin, TreeHead { size, root: Digest(root) }, time).unwrap();
        let mut note = CheckpointNote::unsigned(&cp);
        for s in signatures {
            // Two identical keys drawn: the second is refused, the note unchanged.
            let _ = note.add_signature(s);
        }
        let text = note.to_text();
        let back = CheckpointNote::parse(&text).unwrap();
        prop_assert_eq!(back.checkpoint(), &cp);
        prop_assert_eq!(back.signatures(), note.signatures());
        prop_assert_eq!(back.is_signed(), !note.signatures().is_empty());
        prop_assert_eq!(back.to_text(), text.clone());
        prop_assert_eq!(CheckpointNote::read(&text).unwrap(), back);
    }
}

/// Found by the fuzz target `checkpoint_note` (docs/fuzzing.md): a note whose origin
/// filled nearly all of `MAX_CHECKPOINT_LEN` was read, and once signed it was a note
/// that `parse` refused as too long. An origin, like a key name, now holds at most
/// `MAX_NAME_LEN` bytes.
#[test]
fn an_origin_longer_than_a_name_may_be_is_refused() {
    use regula_core::checkpoint::{MAX_CHECKPOINT_LEN, MAX_NAME_LEN};
    let head = TreeHead {
        size: 124,
        root: Digest::of(b"root"),
    };
    let at = DateTime::parse_from_rfc3339("2026-11-28T02:24:58Z").unwrap().to_utc();
    let long = "w".repeat(MAX_CHECKPOINT_LEN - 200);
    let text = format!(
        "{long}\n124\n{}\ntime 2026-11-28T02:24:58Z\n\n",
        regula_core::checkpoint::encode_base64(&head.root.0)
    );
    assert!(text.len() <= MAX_CHECKPOINT_LEN);
    assert!(matches!(
        CheckpointNote::parse(&text),
        Err(CheckpointError::InvalidOrigin { .. })
    ));
    assert!(matches!(
        Checkpoint::with_origin(&"w".repeat(MAX_NAME_LEN + 1), head, at),
        Err(CheckpointError::InvalidOrigin { .. })
    ));
    assert!(Checkpoint::with_origin(&"w".repeat(MAX_NAME_LEN), head, at).is_ok());
}

/// The other half of that fix: a signature that would make the note longer than
/// `MAX_CHECKPOINT_LEN` is refused, so every note `add_signature` builds is one `parse`
/// reads back, even with the longest origin and the longest key names.
#[test]
fn every_note_signed_is_one_that_parses() {
    use regula_core::checkpoint::{MAX_CHECKPOINT_LEN, MAX_NAME_LEN, MAX_SIGNATURES};
    let head = TreeHead {
        size: 1,
        root: Digest::of(b"root"),
    };
    let at = DateTime::parse_from_rfc3339("2026-11-28T02:24:58Z").unwrap().to_utc();
    let checkpoint = Checkpoint::with_origin(&"o".repeat(MAX_NAME_LEN), head, at).unwrap();
    let mut note = CheckpointNote::unsigned(&checkpoint);
    let mut refused = None;
    for i in 0..MAX_SIGNATURES {
        let name = format!("{i:03}{}", "k".repeat(MAX_NAME_LEN - 3));
        let signature = NoteSignature {
            key_id: KeyId::compute(&name, &[7; 32]),
            name,
            signature: vec![9; 64],
        };
        match note.add_signature(signature) {
            Ok(()) => {
                let text = note.to_text();
                assert!(text.len() <= MAX_CHECKPOINT_LEN);
                assert_eq!(CheckpointNote::parse(&text).unwrap(), note);
            }
            Err(e) => {
                refused = Some(e);
                break;
            }
        }
    }
    assert!(matches!(refused, Some(CheckpointError::TooLong { .. })), "{refused:?}");
}

/// Found by the fuzz target `checkpoint_note`: a JSON checkpoint of 0.1–0.2 whose `at`
/// chrono's serde reads but no note can state (a year before 0000) was read, and the
/// note written from it was refused by `parse`. It is refused when read, naming `at`.
#[test]
fn a_json_checkpoint_whose_time_a_note_cannot_state_is_refused() {
    let text = "{  \"format\": 1,\n  \"size\": 128,\n  \"root\": \"8899f009d606e62e9c6a9b8b04200025e25085b85ce5ef5ed536b79f0e487b0e\",\n  \"at\": \"-026-11-27T15:24:1.3919059Z\"\n}\n\n";
    match CheckpointNote::read(text) {
        Err(CheckpointError::Json { message }) => assert!(message.contains("\"at\""), "{message}"),
        other => panic!("expected a JSON error naming at, got {other:?}"),
    }
    // Every JSON checkpoint read is written as a note that reads back to it.
    let fine = text.replace("-026-11-27T15:24:1.3919059Z", "2026-11-27T15:24:01.3919059Z");
    let note = CheckpointNote::read(&fine).unwrap();
    assert_eq!(
        CheckpointNote::parse(&note.to_text()).unwrap().checkpoint(),
        note.checkpoint()
    );
}
