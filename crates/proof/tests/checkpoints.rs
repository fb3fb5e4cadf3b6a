//! Signed checkpoints: the text round trip, strict parsing, and every alteration
//! caught.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chrono::{TimeDelta, TimeZone, Utc};
use common::{KEY_NAME, ORIGIN, court_key};
use regula_core::merkle::{empty_root, leaf_hash};
use regula_core::{Digest, TreeHead};
use regula_proof::{Checkpoint, CheckpointError, CheckpointNote, CheckpointSigning, MAX_CHECKPOINT_LEN, SigningKey};

fn head() -> TreeHead {
    TreeHead {
        size: 1_234_567,
        root: leaf_hash(b"regula"),
    }
}

fn body() -> Checkpoint {
    let at = Utc.with_ymd_and_hms(2025, 6, 1, 8, 30, 0).unwrap();
    Checkpoint::with_origin(ORIGIN, head(), at).unwrap()
}

fn signed() -> (CheckpointNote, SigningKey) {
    let key = court_key();
    (CheckpointNote::sign(&body(), &key), key)
}

fn parse_err(text: &str) -> CheckpointError {
    CheckpointNote::parse(text).unwrap_err()
}

#[test]
fn a_signed_checkpoint_reads_back_and_verifies() {
    let (checkpoint, key) = signed();
    let text = checkpoint.to_text();
    let root = STANDARD.encode(head().root.0);
    let body_text = format!("{ORIGIN}\n1234567\n{root}\ntime 2025-06-01T08:30:00Z\n");
    assert_eq!(checkpoint.body_text(), body_text);
    assert!(text.starts_with(&format!("{body_text}\n\u{2014} {KEY_NAME} ")));
    assert!(text.ends_with('\n'));
    assert_eq!(text.lines().count(), 6);
    let back = CheckpointNote::parse(&text).unwrap();
    assert_eq!(back, checkpoint);
    assert_eq!(back.to_text(), text);
    let verified = back.verify(&key.public()).unwrap();
    assert_eq!(verified, &body());
    assert_eq!(verified.tree_head(), head());
    assert_eq!(verified.size(), head().size);
    let opened = CheckpointNote::open(&text, &key.public()).unwrap();
    assert_eq!(opened.checkpoint(), &body());
    assert_eq!(text.parse::<CheckpointNote>().unwrap(), checkpoint);
    assert_eq!(checkpoint.to_string(), text);
}

#[test]
fn times_keep_their_precision_in_one_written_form() {
    let key = court_key();
    for (nanos, written) in [
        (0, "2025-06-01T08:30:00Z"),
        (120_000_000, "2025-06-01T08:30:00.120Z"),
        (123_456_000, "2025-06-01T08:30:00.123456Z"),
        (123_456_789, "2025-06-01T08:30:00.123456789Z"),
    ] {
        let at = Utc.with_ymd_and_hms(2025, 6, 1, 8, 30, 0).unwrap() + TimeDelta::nanoseconds(nanos);
        let body = Checkpoint::with_origin(ORIGIN, head(), at).unwrap();
        let signed = CheckpointNote::sign(&body, &key);
        assert!(signed.body_text().contains(&format!("\ntime {written}\n")));
        let back = CheckpointNote::open(&signed.to_text(), &key.public()).unwrap();
        assert_eq!(back.checkpoint().time(), at);
    }
}

#[test]
fn the_empty_log_and_the_largest_size_are_written_and_read() {
    let key = court_key();
    for size in [0, u64::MAX] {
        let head = TreeHead {
            size,
            root: if size == 0 { empty_root() } else { Digest([0xff; 32]) },
        };
        let body = Checkpoint::with_origin(ORIGIN, head, common::t0()).unwrap();
        let text = CheckpointNote::sign(&body, &key).to_text();
        assert_eq!(CheckpointNote::open(&text, &key.public()).unwrap().checkpoint(), &body);
    }
}

/// Replaces body line `n` (from 1) and keeps the signature.
fn with_line(text: &str, n: usize, line: &str) -> String {
    let mut lines: Vec<&str> = text.split('\n').collect();
    lines[n - 1] = line;
    lines.join("\n")
}

#[test]
fn any_change_to_the_signed_body_breaks_the_signature() {
    let (checkpoint, key) = signed();
    let public = key.public();
    let text = checkpoint.to_text();
    let other_root = STANDARD.encode(leaf_hash(b"other").0);
    let altered = [
        ("origin", with_line(&text, 1, "红石林区中级法院/regula")),
        ("size up", with_line(&text, 2, "1234568")),
        ("size down", with_line(&text, 2, "1234566")),
        ("root", with_line(&text, 3, &other_root)),
        ("time", with_line(&text, 4, "time 2025-06-01T08:30:01Z")),
    ];
    for (what, text) in altered {
        let parsed = CheckpointNote::parse(&text).unwrap_or_else(|e| panic!("{what}: {e}"));
        let err = parsed.verify(&public).unwrap_err();
        assert!(matches!(err, CheckpointError::BadSignature { .. }), "{what}: {err}");
        assert!(err.to_string().contains("altered or forged"));
    }
}

#[test]
fn a_changed_signature_is_rejected() {
    let (checkpoint, key) = signed();
    let public = key.public();
    let text = checkpoint.to_text();
    let line = text.lines().last().unwrap();
    let (prefix, b64) = line.rsplit_once(' ').unwrap();
    let raw = STANDARD.decode(b64).unwrap();
    assert_eq!(raw.len(), 68);
    for byte in [4, 20, 35, 67] {
        for bit in [0, 7] {
            let mut raw = raw.clone();
            raw[byte] ^= 1 << bit;
            let forged = text.replace(line, &format!("{prefix} {}", STANDARD.encode(&raw)));
            let err = CheckpointNote::parse(&forged).unwrap().verify(&public).unwrap_err();
            assert!(
                matches!(err, CheckpointError::BadSignature { .. }),
                "byte {byte}: {err}"
            );
        }
    }
    // A changed key id: the signature is no longer by this key.
    let mut raw = raw.clone();
    raw[0] ^= 1;
    let forged = text.replace(line, &format!("{prefix} {}", STANDARD.encode(&raw)));
    let err = CheckpointNote::parse(&forged).unwrap().verify(&public).unwrap_err();
    assert!(matches!(err, CheckpointError::NotSignedByKey { .. }), "{err}");
    // A signature of the wrong length by this key.
    let forged = text.replace(line, &format!("{prefix} {}", STANDARD.encode(&raw[..4])));
    assert!(matches!(
        parse_err(&forged),
        CheckpointError::MalformedSignature { line: 1, .. }
    ));
    let short = [&checkpoint_key_id(&key)[..], &[0u8; 63]].concat();
    let forged = text.replace(line, &format!("{prefix} {}", STANDARD.encode(&short)));
    let err = CheckpointNote::parse(&forged).unwrap().verify(&public).unwrap_err();
    assert!(matches!(err, CheckpointError::BadSignature { .. }), "{err}");
}

fn checkpoint_key_id(key: &SigningKey) -> [u8; 4] {
    key.key_id().0
}

#[test]
fn another_key_is_not_this_key() {
    let (checkpoint, _) = signed();
    // Same name, other key: another key id.
    let impostor = SigningKey::from_seed(KEY_NAME, &[1u8; 32]).unwrap();
    let err = checkpoint.verify(&impostor.public()).unwrap_err();
    assert!(matches!(err, CheckpointError::NotSignedByKey { .. }), "{err}");
    assert!(
        err.to_string()
            .contains(&format!("{KEY_NAME}+{}", court_key().key_id()))
    );
    // The impostor signs the same body: its signature does not verify with the court's key.
    let forged = CheckpointNote::sign(checkpoint.checkpoint(), &impostor);
    assert!(forged.verify(&court_key().public()).is_err());
}

#[test]
fn a_cosigned_checkpoint_verifies_with_either_key() {
    let (mut checkpoint, key) = signed();
    let witness = SigningKey::from_seed("witness.example", &[3u8; 32]).unwrap();
    checkpoint.cosign(&witness).unwrap();
    assert!(matches!(
        checkpoint.cosign(&witness),
        Err(CheckpointError::DuplicateSignature { .. })
    ));
    let text = checkpoint.to_text();
    assert_eq!(checkpoint.signatures().len(), 2);
    let back = CheckpointNote::parse(&text).unwrap();
    back.verify(&key.public()).unwrap();
    back.verify(&witness.public()).unwrap();
    // The same signature line twice is refused.
    let line = text.lines().last().unwrap();
    assert!(matches!(
        parse_err(&format!("{text}{line}\n")),
        CheckpointError::DuplicateSignature { .. }
    ));
}

#[test]
fn an_unsigned_checkpoint_is_the_same_text_without_signatures_and_a_key_refuses_it() {
    let (signed, key) = signed();
    let unsigned = CheckpointNote::unsigned(signed.checkpoint());
    let text = unsigned.to_text();
    // The body and the blank line: the signed note with its signature lines removed.
    assert_eq!(text, format!("{}\n", signed.body_text()));
    assert!(signed.to_text().starts_with(&text));
    let back = CheckpointNote::parse(&text).unwrap();
    assert!(!back.is_signed());
    assert_eq!(back.checkpoint(), &body());
    // Asked for a signature, it has none: refused, naming the key it lacks.
    let err = back.verify(&key.public()).unwrap_err();
    assert!(matches!(err, CheckpointError::Unsigned { .. }), "{err}");
    assert!(err.to_string().contains(KEY_NAME), "{err}");
    assert!(matches!(
        CheckpointNote::open(&text, &key.public()),
        Err(CheckpointError::Unsigned { .. })
    ));
    // Signing it afterwards gives the signed note.
    let mut resigned = back.clone();
    resigned.cosign(&key).unwrap();
    assert_eq!(resigned, signed);
}

/// What a malformed checkpoint must be refused with.
type Expected = fn(&CheckpointError) -> bool;

#[test]
fn the_structure_is_parsed_strictly() {
    let (checkpoint, _) = signed();
    let text = checkpoint.to_text();
    let body = checkpoint.body_text();
    let signatures = &text[body.len() + 1..];
    let cases: Vec<(&str, String, Expected)> = vec![
        ("no final newline", text.trim_end().to_owned(), |e| {
            matches!(e, CheckpointError::NoFinalNewline)
        }),
        ("no blank line", format!("{body}{signatures}"), |e| {
            matches!(e, CheckpointError::NoSignatureBlock)
        }),
        ("two blank lines", format!("{body}\n\n{signatures}"), |e| {
            matches!(e, CheckpointError::BodyLines { found: 5 })
        }),
        ("an extra body line", format!("{body}extra line\n\n{signatures}"), |e| {
            matches!(e, CheckpointError::BodyLines { found: 5 })
        }),
        (
            "the time line missing",
            format!(
                "{}\n{signatures}",
                body.split_inclusive('\n').take(3).collect::<String>()
            ),
            |e| matches!(e, CheckpointError::BodyLines { found: 3 }),
        ),
        ("a blank body line", with_line(&text, 2, ""), |e| {
            matches!(
                e,
                CheckpointError::InvalidSize { .. } | CheckpointError::BodyLines { .. }
            )
        }),
        ("CRLF", text.replace('\n', "\r\n"), |e| {
            matches!(e, CheckpointError::ControlCharacter { line: 1, found: '\r' })
        }),
        ("a tab", with_line(&text, 1, "a\tb"), |e| {
            matches!(e, CheckpointError::ControlCharacter { line: 1, .. })
        }),
        ("an empty origin", with_line(&text, 1, ""), |e| {
            matches!(e, CheckpointError::InvalidOrigin { .. })
        }),
        ("an origin with a space", with_line(&text, 1, "红石 法院"), |e| {
            matches!(e, CheckpointError::InvalidOrigin { .. })
        }),
        ("a leading zero", with_line(&text, 2, "01234567"), |e| {
            matches!(e, CheckpointError::InvalidSize { .. })
        }),
        ("a plus sign", with_line(&text, 2, "+1234567"), |e| {
            matches!(e, CheckpointError::InvalidSize { .. })
        }),
        ("a size too large", with_line(&text, 2, "18446744073709551616"), |e| {
            matches!(e, CheckpointError::InvalidSize { .. })
        }),
        ("a hex root", with_line(&text, 3, &head().root.to_hex()), |e| {
            matches!(e, CheckpointError::InvalidRoot { .. })
        }),
        (
            "a root of 31 bytes",
            with_line(&text, 3, &STANDARD.encode([0u8; 31])),
            |e| matches!(e, CheckpointError::InvalidRoot { .. }),
        ),
        (
            "a root without padding",
            with_line(&text, 3, STANDARD.encode(head().root.0).trim_end_matches('=')),
            |e| matches!(e, CheckpointError::InvalidRoot { .. }),
        ),
        (
            "a root with stray low bits",
            with_line(&text, 3, &non_canonical_base64(&head().root.0)),
            |e| matches!(e, CheckpointError::InvalidRoot { .. }),
        ),
        (
            "a time with an offset",
            with_line(&text, 4, "time 2025-06-01T16:30:00+08:00"),
            |e| matches!(e, CheckpointError::InvalidTime { .. }),
        ),
        (
            "a time with needless digits",
            with_line(&text, 4, "time 2025-06-01T08:30:00.000Z"),
            |e| matches!(e, CheckpointError::InvalidTime { .. }),
        ),
        ("another extension", with_line(&text, 4, "note hello"), |e| {
            matches!(e, CheckpointError::InvalidTime { .. })
        }),
        ("a hyphen for the dash", text.replace('\u{2014}', "-"), |e| {
            matches!(e, CheckpointError::MalformedSignature { line: 1, .. })
        }),
        ("garbage after the signature", format!("{text}garbage\n"), |e| {
            matches!(e, CheckpointError::MalformedSignature { line: 2, .. })
        }),
        ("an empty line after the signature", format!("{text}\n"), |e| {
            matches!(
                e,
                CheckpointError::BodyLines { .. } | CheckpointError::MalformedSignature { .. }
            )
        }),
        (
            "a signature without a key name",
            text.replace(&format!("\u{2014} {KEY_NAME} "), "\u{2014}  "),
            |e| matches!(e, CheckpointError::MalformedSignature { .. }),
        ),
        (
            "far too long",
            format!("{body}\n{}", "x".repeat(MAX_CHECKPOINT_LEN)),
            |e| matches!(e, CheckpointError::TooLong { .. }),
        ),
    ];
    for (what, text, expected) in cases {
        let err = parse_err(&text);
        assert!(expected(&err), "{what}: got {err:?}");
        assert!(!err.to_string().is_empty());
    }
}

/// The same bytes in base64 with a non-zero unused bit: decoders that accept it would
/// give two spellings of one root.
fn non_canonical_base64(bytes: &[u8; 32]) -> String {
    let canonical = STANDARD.encode(bytes);
    let mut chars: Vec<char> = canonical.chars().collect();
    // 32 bytes: 43 characters and one '='; the last character carries 2 unused bits.
    const ALPHABET: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let i = ALPHABET.find(chars[42]).unwrap();
    chars[42] = ALPHABET.chars().nth(i ^ 1).unwrap();
    chars.into_iter().collect()
}

#[test]
fn bodies_refuse_bad_origins() {
    for origin in ["", "a b", "a+b", "a\nb"] {
        assert!(matches!(
            Checkpoint::with_origin(origin, head(), common::t0()),
            Err(CheckpointError::InvalidOrigin { .. })
        ));
    }
    assert!(Checkpoint::parse_body(&body().body_text()).is_ok());
}

#[test]
fn too_many_signatures_are_refused() {
    let (mut checkpoint, _) = signed();
    for i in 0..99u8 {
        let key = SigningKey::from_seed(&format!("witness{i}"), &[i; 32]).unwrap();
        checkpoint.cosign(&key).unwrap();
    }
    assert_eq!(checkpoint.signatures().len(), 100);
    CheckpointNote::parse(&checkpoint.to_text()).unwrap();
    let one_more = SigningKey::from_seed("witness100", &[200; 32]).unwrap();
    assert!(matches!(
        checkpoint.cosign(&one_more),
        Err(CheckpointError::TooManySignatures { .. })
    ));
    let mut text = checkpoint.to_text();
    let extra = CheckpointNote::sign(checkpoint.checkpoint(), &one_more).to_text();
    text.push_str(extra.lines().last().unwrap());
    text.push('\n');
    assert!(matches!(
        parse_err(&text),
        CheckpointError::TooManySignatures { found: 101 }
    ));
}
