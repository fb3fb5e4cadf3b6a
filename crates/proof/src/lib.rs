//! Provable history for Regula: signed checkpoints of a store's Merkle log, inclusion
//! proofs for single records, consistency proofs between checkpoints, and their
//! verification offline.
//!
//! Every record of a store, in append order, is a leaf of an RFC 6962 Merkle tree (see
//! [`regula_core::merkle`]). A court signs a **checkpoint** of that tree
//! ([`Checkpoint`], regula-core's: its name, the number of records, the root hash and the time) with an ed25519 key. Anyone holding
//! the court's public key can then check, on another machine and without the store:
//!
//! - with a [`ProofBundle`] (record, position, inclusion proof, signed checkpoint), that
//!   the record is in the log the court signed, unchanged ([`verify_bundle`]);
//! - with two signed checkpoints and a consistency proof, that the later log extends the
//!   earlier one: nothing was removed or rewritten, only appended
//!   ([`verify_consistency_between`]);
//! - against a live store, that it still extends an earlier signed checkpoint, so a
//!   store rolled back to an earlier state is caught ([`verify_since`]).
//!
//! The verifying half ([`verify_inclusion`], [`verify_consistency`], [`verify_bundle`],
//! [`VerifierKey`], [`CheckpointSigning`]) needs no database; the proving half reads any
//! [`Store`](regula_core::Store) through its `scan`.
//!
//! ```
//! use std::sync::Arc;
//! use chrono::{TimeZone, Utc};
//! use regula_core::{Actor, Command, Engine, ManualClock, MemoryStore, Repository, SeededIds, Store};
//! use regula_proof::{
//!     Checkpoint, CheckpointNote, CheckpointSigning, ProofBundle, SigningKey, VerifierKey, prove_record,
//!     verify_bundle, verify_since,
//! };
//! # use regula_core::{Action, Definition, Lifecycle, PayloadError, State, Text, Transition};
//! # use serde::{Deserialize, Serialize};
//! # #[derive(Clone, Debug, PartialEq, Eq, Hash)]
//! # enum Stage { Draft, Review }
//! # impl State for Stage {
//! #     fn name(&self) -> &str { match self { Stage::Draft => "draft", Stage::Review => "review" } }
//! # }
//! # #[derive(Clone, Debug, Serialize, Deserialize)]
//! # #[serde(tag = "action", content = "payload", rename_all = "snake_case")]
//! # enum Step { Submit { summary: String } }
//! # impl Action for Step {
//! #     fn name(&self) -> &str { "submit" }
//! #     fn payload(&self) -> Result<serde_json::Value, PayloadError> { regula_core::action::tagged_payload(self) }
//! #     fn from_parts(name: &str, payload: &serde_json::Value) -> Result<Self, PayloadError> {
//! #         regula_core::action::from_tagged(name, payload)
//! #     }
//! # }
//! # #[derive(Clone, Debug, Default, Serialize, Deserialize)]
//! # struct Doc;
//! # struct Review;
//! # impl Lifecycle for Review { type State = Stage; type Action = Step; type Data = Doc; }
//! # let definition = Definition::<Review>::builder("judgment-review", 1)
//! #     .state(Stage::Draft, Text::new("草稿", "Draft"))
//! #     .state(Stage::Review, Text::new("审核", "Review"))
//! #     .initial(Stage::Draft)
//! #     .terminal(Stage::Review)
//! #     .role("clerk", Text::new("书记员", "Clerk"))
//! #     .action("submit", Text::new("提交", "Submit"))
//! #     .transition(Transition::new(Stage::Draft, "submit", Stage::Review).by(["clerk"]))
//! #     .build()?;
//! // A store with some history (the lifecycle `Review` is declared as in regula-core).
//! let clock = Arc::new(ManualClock::new(Utc.with_ymd_and_hms(2024, 3, 1, 1, 0, 0).unwrap()));
//! let engine = Engine::new(definition).with_clock(clock).with_ids(Arc::new(SeededIds::new(1)));
//! let repo = Repository::new(engine, MemoryStore::new());
//! let clerk = Actor::new("li.na").in_unit("立案庭");
//! let (mut doc, _) = repo.create(clerk.clone(), "clerk", Doc, None)?;
//! let submitted = repo.apply(&mut doc, Command::new(clerk, "clerk", Step::Submit { summary: "判决书".into() }))?;
//!
//! // The court's key (`SigningKey::generate` in real use; `write_secret` keeps it in a
//! // file only its owner can read). Its public half is published as text.
//! let key = SigningKey::from_seed("红石林区基层法院", &[0x2a; 32])?;
//! let published: String = key.public().to_string();
//!
//! // Sign a checkpoint of the store's current Merkle tree head.
//! let head = repo.store().tree_head()?;
//! let time = Utc.with_ymd_and_hms(2024, 3, 1, 2, 0, 0).unwrap();
//! let checkpoint = CheckpointNote::sign(&Checkpoint::with_origin("红石林区基层法院/regula", head, time)?, &key);
//!
//! // Prove one record against it: the bundle is JSON that can travel anywhere.
//! let bundle = prove_record(repo.store(), &checkpoint, submitted.instance, submitted.seq)?;
//! let json = bundle.to_json();
//!
//! // Elsewhere, with only the bundle and the published public key:
//! let public = VerifierKey::parse(&published)?;
//! let proven = verify_bundle(&ProofBundle::from_json(&json)?, &public)?;
//! assert_eq!(proven.record, submitted);
//! assert_eq!((proven.origin(), proven.tree_size()), ("红石林区基层法院/regula", 2));
//!
//! // Later: the store still extends the checkpoint (a rolled-back store would not).
//! let report = verify_since(repo.store(), &checkpoint, &public)?;
//! assert_eq!(report.head, head);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # What a proof proves, and what it relies on
//!
//! An inclusion proof shows that a leaf hash is at a given index of *the tree of `size`
//! leaves whose root is `root`*; a consistency proof, that the tree of `size1` leaves
//! with root `root1` is a prefix of the tree of `size2` leaves with root `root2`. Only a
//! signature ties a size to a root: proofs are always checked against the size and root
//! of a checkpoint whose signature verified. The verifiers follow RFC 9162 sections
//! 2.1.3.2 and 2.1.4.2 exactly and consume the whole proof: a proof with a hash too
//! many or too few is rejected ([`ProofError::WrongLength`]) even where it would lead
//! to the right root, and a consistency proof must lead to *both* roots (the flaw of
//! immudb's CVE-2022-36111 was checking only part of a proof). A leaf hash commits to
//! a record's canonical bytes, which include the hash of the record before it in its
//! instance, so proving one record also pins the history of its instance up to it.
//!
//! # Formats
//!
//! The formats are those of Go's `golang.org/x/mod/sumdb/note` and the C2SP
//! `signed-note` and `tlog-checkpoint` specifications, so existing transparency-log
//! tools can read the keys, the signatures and the first three lines of a checkpoint.
//! All text is UTF-8; "base64" is the standard alphabet with `=` padding (RFC 4648
//! section 4) and only its canonical spelling is accepted (no whitespace, unused bits
//! zero); "‖" is byte concatenation; `H` is SHA-256.
//!
//! ## Merkle tree
//!
//! RFC 6962 section 2.1 over the records in the store's global append order: leaf
//! hash `H(0x00 ‖ canonical bytes of the record)` (the canonical bytes are documented in
//! `regula_core::record`), node hash `H(0x01 ‖ left ‖ right)`, the empty tree's root
//! `H("")`, and a tree of `n > 1` leaves split after the largest power of two below `n`.
//!
//! ## Keys
//!
//! - Key name: non-empty, no Unicode white space, no `+`, no control characters, e.g.
//!   `红石林区基层法院`.
//! - Key id: the first 4 bytes of `H(name ‖ 0x0A ‖ 0x01 ‖ public key)`, `0x01` being
//!   the ed25519 algorithm byte and the public key its 32 bytes (RFC 8032); written as 8
//!   lowercase hex digits.
//! - Public (verifier) key: `<name>+<key id>+<base64(0x01 ‖ public key)>`.
//! - Secret key: `PRIVATE+KEY+<name>+<key id>+<base64(0x01 ‖ 32-byte seed)>`, the key id
//!   computed over the public key. Files hold the text and a final newline; secret key
//!   files have mode `0600` and are refused when group or others have any permission.
//!
//! ## Checkpoint (signed or not)
//!
//! One format for every checkpoint, read and written by `regula_core::checkpoint`
//! ([`Checkpoint`], [`CheckpointNote`]); this crate signs it and checks signatures
//! ([`CheckpointSigning`]). A **body** of exactly four lines, each ending in `\n` (0x0A):
//!
//! 1. the origin: the log's name, by convention `<court>/regula` (same rules as a key
//!    name);
//! 2. the tree size: decimal, no sign, no leading zeros (`0` for the empty log), at most
//!    2⁶⁴ − 1;
//! 3. the root hash: base64 of its 32 bytes (44 characters);
//! 4. `time ` and the checkpoint's time in RFC 3339, UTC, ending in `Z`, with no
//!    fractional second or with exactly 3, 6 or 9 digits, the fewest that hold it
//!    (`2024-03-01T02:00:00Z`, `2024-03-01T02:00:00.120Z`).
//!
//! then an empty line, then zero or more (at most 100) **signature lines**, each
//! `— <key name> <base64(key id ‖ signature)>\n`: an em dash (U+2014, bytes `E2 80 94`),
//! a space, the key name, a space, and the base64 of the 4-byte key id followed by the
//! 64-byte ed25519 signature of the body's bytes (all four lines with their newlines,
//! not the empty line). No other character may appear: no `\r`, no tab, no other
//! control character, no trailing space, nothing after the last newline, and no key may
//! sign twice. A signature line of an unknown key (a witness) is kept and ignored. A
//! checkpoint with no signature line (its body and the empty line) is unsigned: it
//! still shows a store rolled back against it, but proves nothing to a third party, and
//! verifying it with a key is [`CheckpointError::Unsigned`]. Regula 0.1 and 0.2 wrote
//! unsigned checkpoints as JSON; `CheckpointNote::read` still reads them.
//!
//! To verify with a public key: split at the last `\n\n`, parse the body as above, find
//! the signature line whose name and key id are the key's, and check its signature on
//! the body's bytes with ed25519 in its strict form (`verify_strict` in ed25519-dalek:
//! canonical `S`, no small-order `R` or key).
//!
//! ## Worked example
//!
//! Generated by this crate and checked by this example (and independently with Python's
//! `cryptography` package): the key named `红石林区基层法院` with seed 32 bytes of `0x2a`
//! signs a checkpoint of the 8-leaf tree of RFC 6962's reference test vectors.
//!
//! ```
//! use chrono::{TimeZone, Utc};
//! use regula_core::{Digest, TreeHead};
//! use regula_proof::{Checkpoint, CheckpointNote, CheckpointSigning, SigningKey, VerifierKey};
//!
//! let key = SigningKey::from_seed("红石林区基层法院", &[0x2a; 32])?;
//! // name bytes e7baa2e79fb3e69e97e58cbae59fbae5b182e6b395e999a2; public key
//! // 197f6b23e16c8532c6abc838facd5ea789be0c76b2920334039bfa8b3d368d61;
//! // H(name ‖ 0a ‖ 01 ‖ public key) starts with e4357433.
//! assert_eq!(key.key_id().to_string(), "e4357433");
//! assert_eq!(
//!     key.public().to_string(),
//!     "红石林区基层法院+e4357433+ARl/ayPhbIUyxqvIOPrNXqeJvgx2spIDNAOb+os9No1h"
//! );
//! assert_eq!(
//!     key.to_secret_text().as_str(),
//!     "PRIVATE+KEY+红石林区基层法院+e4357433+ASoqKioqKioqKioqKioqKioqKioqKioqKioqKioqKioq"
//! );
//!
//! let root = Digest::from_hex("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328")?;
//! let time = Utc.with_ymd_and_hms(2024, 3, 1, 2, 0, 0).unwrap();
//! let body = Checkpoint::with_origin("红石林区基层法院/regula", TreeHead { size: 8, root }, time)?;
//! let text = CheckpointNote::sign(&body, &key).to_text();
//! assert_eq!(
//!     text,
//!     "红石林区基层法院/regula\n\
//!      8\n\
//!      XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n\
//!      time 2024-03-01T02:00:00Z\n\
//!      \n\
//!      — 红石林区基层法院 5DV0M0/wygcH5Tx3MUN5ysHdo6RkSd6qfiJxAIFqs5JAxghgXC+4xD3rU6qqEssGA4VG+x1GWNOhSJmqtB65HLE3xgk=\n"
//! );
//! // The signature line's base64 decodes to e4357433 (the key id), then the 64-byte
//! // signature 4ff0ca07…37c609 of the body's 105 bytes.
//! let public = VerifierKey::parse("红石林区基层法院+e4357433+ARl/ayPhbIUyxqvIOPrNXqeJvgx2spIDNAOb+os9No1h")?;
//! let opened = CheckpointNote::open(&text, &public)?;
//! assert_eq!(opened.body_text().len(), 105);
//! assert_eq!(opened.verify(&public)?, &body);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Proof bundle
//!
//! JSON: `format` (1), `record` (the record's canonical JSON, as a string), `leaf_index`
//! (its position in the log, from 0), `proof` (the inclusion proof, leaf to root, as 64
//! lowercase hex digits each) and `checkpoint` (the signed checkpoint's text); see
//! [`ProofBundle`]. A verifier checks the signature, parses the record (refusing any
//! non-canonical spelling), checks that its `hash` field is `H(canonical bytes)`,
//! computes its leaf hash, and verifies the inclusion proof against the checkpoint's
//! size and root. A [`ConsistencyBundle`] holds `format`, `old` and `new` (signed
//! checkpoint texts) and `proof` (hex hashes).
//!
//! # Costs
//!
//! Verifying is O(log n) hashes and one signature check. Proving from a store reads the
//! whole log once (O(n)): [`prove_record`], [`prove_consistency`] and [`verify_since`]
//! do so on each call, which suits a command line; a [`Prover`] (or a [`MerkleTree`])
//! built once keeps every complete subtree's hash (about 64 bytes per record, plus the
//! index of records) and then makes each proof with O(log n) lookups.

mod bundle;
mod checkpoint;
mod file;
mod keys;
pub mod schema;
mod store;
mod tree;
mod verify;

pub use bundle::{
    BUNDLE_FORMAT, BundleError, ConsistencyBundle, ProofBundle, VerifiedBundle, VerifiedConsistency, verify_bundle,
    verify_consistency_between, verify_consistency_bundle,
};
pub use checkpoint::CheckpointSigning;
pub use file::{WriteOptions, temporary_path, write_atomic};
pub use keys::{ALG_ED25519, KeyError, KeyId, SigningKey, VerifierKey, check_key_name};
pub use regula_core::checkpoint::{
    Checkpoint, CheckpointError, CheckpointNote, DEFAULT_ORIGIN, MAX_CHECKPOINT_LEN, MAX_SIGNATURES, NoteSignature,
    SIGNATURE_PREFIX, check_origin,
};
pub use store::{
    ProveError, Prover, SinceReport, check_extends, leaves_of, prove_consistency, prove_record, tree_of, verify_since,
};
pub use tree::{MerkleTree, TreeError, consistency_proof, inclusion_proof};
pub use verify::{
    ProofError, Which, consistency_proof_len, hash_from_bytes, inclusion_proof_len, proof_from_bytes,
    root_from_inclusion_proof, verify_consistency, verify_inclusion,
};
