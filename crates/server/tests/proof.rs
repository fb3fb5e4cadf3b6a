//! Proof bundles over HTTP: signed with the service's key, verified offline with only
//! the public key.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use common::{Client, Scratch, Server, prepare};
use regula_proof::{ProofBundle, SigningKey, verify_bundle};
use regula_server::{Limits, StoreLocation};
use serde_json::json;

#[test]
fn a_proof_bundle_from_the_service_verifies_with_the_public_key_alone() {
    let scratch = Scratch::new("proof");
    let tokens = prepare(&scratch.store());
    let key = SigningKey::generate("hongling-court/regula").unwrap();
    let secret = scratch.dir.join("court.key");
    key.write_secret(&secret).unwrap();
    let server = Server::start_with(StoreLocation::Sqlite(scratch.store()), Limits::default(), Some(secret));
    let client = Client::new(&server.base);
    let record = client
        .act(
            &tokens.office,
            "ADJ-01-01",
            "assign_department",
            json!({"department": "立案庭"}),
            "2023-03-01",
        )
        .expect(201)
        .json();
    // The checkpoint is signed by the service's key, its origin the key's name.
    let checkpoint = client.get("/v1/checkpoint", Some(&tokens.office)).expect(200).text;
    assert!(checkpoint.starts_with("hongling-court/regula\n"), "{checkpoint}");
    assert!(checkpoint.contains("— hongling-court/regula "), "{checkpoint}");
    let reply = client
        .get("/v1/standards/ADJ-01-01/records/2/proof", Some(&tokens.department))
        .expect(200);
    reply.conforms("ProofBundle");
    let bundle = ProofBundle::from_json(&reply.text).unwrap();
    let verified = verify_bundle(&bundle, &key.public()).unwrap();
    assert_eq!(serde_json::to_value(&verified.record).unwrap()["hash"], record["hash"]);
    // Another key does not verify it.
    let other = SigningKey::generate("someone-else").unwrap();
    assert!(verify_bundle(&bundle, &other.public()).is_err());
    client
        .get("/v1/standards/ADJ-01-01/records/3/proof", Some(&tokens.office))
        .problem(404, "not-found");
}
