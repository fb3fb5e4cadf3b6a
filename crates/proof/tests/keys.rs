//! Keys: text forms, files with owner-only permissions, and secrets that never show.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fs;
use std::os::unix::fs::PermissionsExt as _;
use std::path::PathBuf;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use regula_proof::{KeyError, KeyId, SigningKey, VerifierKey};

/// A fresh directory under the target directory's temp space, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("regula-proof-{tag}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
    fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

const NAME: &str = "红石林区基层法院";

/// The base64 of the seed as it appears in the secret text: what must never leak.
fn secret_material(key: &SigningKey) -> String {
    key.to_secret_text().splitn(5, '+').nth(4).unwrap().to_owned()
}

fn seed_of(key: &SigningKey) -> [u8; 32] {
    let text = key.to_secret_text();
    let b64 = text.splitn(5, '+').nth(4).unwrap();
    STANDARD.decode(b64).unwrap()[1..].try_into().unwrap()
}

#[test]
fn generated_keys_are_new_each_time_and_sign_verifiably() {
    let a = SigningKey::generate(NAME).unwrap();
    let b = SigningKey::generate(NAME).unwrap();
    assert_ne!(a.public(), b.public());
    assert_ne!(seed_of(&a), seed_of(&b));
    assert_eq!(a.name(), NAME);
    assert_eq!(a.public().key_id(), a.key_id());
    let expected = KeyId::compute(NAME, a.public().public_bytes());
    assert_eq!(a.key_id(), expected);
    assert!(matches!(SigningKey::generate("a b"), Err(KeyError::InvalidName { .. })));
}

#[test]
fn the_key_id_is_sha256_of_name_newline_algorithm_and_key() {
    use sha2::{Digest as _, Sha256};
    let key = SigningKey::from_seed(NAME, &[5u8; 32]).unwrap();
    let mut h = Sha256::new();
    h.update(NAME.as_bytes());
    h.update(b"\n\x01");
    h.update(key.public().public_bytes());
    let digest = h.finalize();
    assert_eq!(key.key_id().0, digest[..4]);
    let text = key.public().to_string();
    let expected_b64 = STANDARD.encode([&[1u8][..], key.public().public_bytes()].concat());
    assert_eq!(text, format!("{NAME}+{}+{expected_b64}", key.key_id()));
    assert_eq!(
        key.to_secret_text().as_str(),
        format!(
            "PRIVATE+KEY+{NAME}+{}+{}",
            key.key_id(),
            STANDARD.encode([&[1u8][..], &[5u8; 32]].concat())
        )
    );
}

#[test]
fn text_forms_round_trip() {
    let key = SigningKey::from_seed(NAME, &[9u8; 32]).unwrap();
    let public = key.public();
    assert_eq!(VerifierKey::parse(&public.to_string()).unwrap(), public);
    assert_eq!(public.to_string().parse::<VerifierKey>().unwrap(), public);
    let back = SigningKey::from_secret_text(&key.to_secret_text()).unwrap();
    assert_eq!(back.public(), public);
}

#[test]
fn secret_key_files_are_owner_only_and_never_overwritten() {
    let dir = TempDir::new("secret");
    let path = dir.path("court.key");
    let key = SigningKey::generate(NAME).unwrap();
    key.write_secret(&path).unwrap();
    let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let text = fs::read_to_string(&path).unwrap();
    assert!(text.starts_with("PRIVATE+KEY+") && text.ends_with('\n'));
    let back = SigningKey::read_secret(&path).unwrap();
    assert_eq!(back.public(), key.public());

    // Never overwritten, even by the same key.
    let other = SigningKey::generate(NAME).unwrap();
    let err = other.write_secret(&path).unwrap_err();
    assert!(matches!(err, KeyError::Exists { .. }), "{err}");
    assert_eq!(fs::read_to_string(&path).unwrap(), text);

    // A missing directory is an I/O error naming the path.
    let missing = dir.path("no/such/dir/court.key");
    let err = key.write_secret(&missing).unwrap_err();
    assert!(matches!(err, KeyError::Io { .. }));
    assert!(err.to_string().contains("no/such/dir/court.key"));
}

#[test]
fn secret_key_files_readable_by_others_are_refused() {
    let dir = TempDir::new("perms");
    let path = dir.path("court.key");
    let key = SigningKey::generate(NAME).unwrap();
    key.write_secret(&path).unwrap();
    for mode in [0o640, 0o604, 0o644, 0o660, 0o601, 0o610] {
        fs::set_permissions(&path, fs::Permissions::from_mode(mode)).unwrap();
        let err = SigningKey::read_secret(&path).unwrap_err();
        assert!(
            matches!(err, KeyError::InsecurePermissions { mode: m, .. } if m == mode),
            "{mode:o}: {err}"
        );
        let message = err.to_string();
        assert!(message.contains(path.to_str().unwrap()), "{message}");
        assert!(message.contains("chmod 600"));
        assert!(!message.contains(&secret_material(&key)));
        assert!(!format!("{err:?}").contains(&secret_material(&key)));
    }
    fs::set_permissions(&path, fs::Permissions::from_mode(0o400)).unwrap();
    assert_eq!(SigningKey::read_secret(&path).unwrap().public(), key.public());
}

#[test]
fn secrets_never_show_in_debug_display_or_errors() {
    let key = SigningKey::from_seed(NAME, &[0x42; 32]).unwrap();
    let secret = secret_material(&key);
    let seed_hex: String = [0x42u8; 32].iter().map(|b| format!("{b:02x}")).collect();
    for shown in [format!("{key:?}"), format!("{key:#?}"), key.to_string()] {
        assert!(!shown.contains(&secret), "{shown}");
        assert!(!shown.contains(&seed_hex), "{shown}");
        assert!(!shown.contains("66, 66"), "{shown}");
        assert!(shown.contains(NAME), "{shown}");
    }
    assert!(format!("{key:?}").contains("<redacted>"));

    // Malformed secret texts: the error never repeats the text.
    let text = key.to_secret_text();
    let b64 = text.splitn(5, '+').nth(4).unwrap();
    let mut raw = STANDARD.decode(b64).unwrap();
    let mut cases = vec![
        text.replacen(&key.key_id().to_string(), "00000000", 1),
        text.replacen("PRIVATE+KEY+", "PRIVATE+KEY", 1),
        format!("{}=", text.as_str()),
        text.replacen(NAME, "a b", 1),
    ];
    raw[0] = 2;
    cases.push(text.replacen(b64, &STANDARD.encode(&raw), 1));
    raw[0] = 1;
    raw.push(0);
    cases.push(text.replacen(b64, &STANDARD.encode(&raw), 1));
    for bad in &cases {
        let err = SigningKey::from_secret_text(bad).unwrap_err();
        for shown in [err.to_string(), format!("{err:?}")] {
            assert!(!shown.contains(&secret), "{shown}");
            assert!(!shown.contains(&b64[..20]), "{shown}");
        }
    }
    let err = SigningKey::from_secret_text(&cases[0]).unwrap_err();
    assert!(matches!(err, KeyError::KeyIdMismatch { .. }), "{err}");
    // A garbled text whose "name" could be key material: the name is not repeated.
    let garbled = format!("PRIVATE+KEY+{}", b64.replace('A', " "));
    let err = SigningKey::from_secret_text(&garbled).unwrap_err();
    assert!(matches!(err, KeyError::MalformedSecret { .. }), "{err}");

    // Nor does a secret key handed over as a verifier key.
    let err = VerifierKey::parse(&text).unwrap_err();
    assert!(!err.to_string().contains(&secret));

    // Nor does a bad secret key file.
    let dir = TempDir::new("bad-secret");
    let path = dir.path("bad.key");
    fs::write(&path, format!("{}\n", cases[0])).unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
    let err = SigningKey::read_secret(&path).unwrap_err();
    assert!(matches!(err, KeyError::InFile { .. }), "{err}");
    assert!(err.to_string().contains(path.to_str().unwrap()));
    assert!(!format!("{err} {err:?}").contains(&secret));
}

#[test]
fn verifier_keys_are_parsed_strictly() {
    // The key of Go's sumdb/note tests, and its manglings: every proper substring and
    // every byte changed is refused (as Go's TestNewVerifier checks).
    let vkey = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
    let parsed = VerifierKey::parse(vkey).unwrap();
    assert_eq!(parsed.name(), "PeterNeumann");
    assert_eq!(parsed.key_id().to_string(), "c74f20a3");
    assert_eq!(parsed.to_string(), vkey);
    let b = vkey.as_bytes();
    let mut tried = 0;
    for i in 0..=b.len() {
        for j in i + 1..=b.len() {
            if i != 0 || j != b.len() {
                assert!(VerifierKey::parse(&vkey[i..j]).is_err(), "{:?}", &vkey[i..j]);
                tried += 1;
            }
        }
    }
    for i in 0..b.len() {
        let mut m = b.to_vec();
        m[i] = m[i].wrapping_add(1);
        if let Ok(s) = std::str::from_utf8(&m) {
            assert!(VerifierKey::parse(s).is_err(), "{s}");
            tried += 1;
        }
    }
    assert!(tried > 2000);
    assert!(VerifierKey::parse("PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==").is_err());
    assert!(VerifierKey::parse("PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW").is_err());
}

#[test]
fn weak_and_foreign_public_keys_are_refused() {
    // The identity point: a small-order key that would accept forged signatures.
    let mut identity = [0u8; 32];
    identity[0] = 1;
    let id = KeyId::compute("weak", &identity);
    let text = format!("weak+{id}+{}", STANDARD.encode([&[1u8][..], &identity].concat()));
    assert!(matches!(
        VerifierKey::parse(&text),
        Err(KeyError::InvalidPublicKey { .. })
    ));
    // Another algorithm.
    let text = format!("other+{id}+{}", STANDARD.encode([&[2u8][..], &identity].concat()));
    assert!(matches!(
        VerifierKey::parse(&text),
        Err(KeyError::UnsupportedAlgorithm { found: 2 })
    ));
}

#[test]
fn verifier_key_files_round_trip() {
    let dir = TempDir::new("public");
    let path = dir.path("court.pub");
    let key = SigningKey::generate(NAME).unwrap();
    key.public().write(&path).unwrap();
    assert_eq!(fs::read_to_string(&path).unwrap(), format!("{}\n", key.public()));
    assert_eq!(VerifierKey::read(&path).unwrap(), key.public());
    assert!(matches!(key.public().write(&path), Err(KeyError::Exists { .. })));
    fs::write(&path, "not a key\n").unwrap();
    let err = VerifierKey::read(&path).unwrap_err();
    assert!(matches!(err, KeyError::InFile { .. }));
    assert!(err.to_string().contains("court.pub"));
    assert!(matches!(
        VerifierKey::read(&dir.path("missing.pub")),
        Err(KeyError::Io { .. })
    ));
    assert!(matches!(
        VerifierKey::read(&dir.0),
        Err(KeyError::NotAKeyFile { .. }) | Err(KeyError::Io { .. })
    ));
    fs::write(&path, "x".repeat(5000)).unwrap();
    assert!(matches!(VerifierKey::read(&path), Err(KeyError::NotAKeyFile { .. })));
}
