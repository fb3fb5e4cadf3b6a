//! Ed25519 keys in the text forms of Go's `golang.org/x/mod/sumdb/note` (and the C2SP
//! signed-note specification), so that other tools can read them.
//!
//! - **Key name**: non-empty UTF-8 without Unicode white space, `+` or control
//!   characters, e.g. `红石林区基层法院`.
//! - **Key id**: the first 4 bytes of `SHA-256(name ‖ "\n" ‖ 0x01 ‖ public key)`, where
//!   `0x01` is the ed25519 algorithm byte and the public key is 32 bytes; written as 8
//!   lowercase hex digits.
//! - **Verifier (public) key**: `<name>+<key id hex>+<base64(0x01 ‖ public key)>`.
//! - **Secret key**: `PRIVATE+KEY+<name>+<key id hex>+<base64(0x01 ‖ 32-byte seed)>`; the
//!   key id is still computed over the *public* key derived from the seed.
//!
//! Base64 is the standard alphabet with padding (RFC 4648 section 4), and only its
//! canonical form is accepted. Key files hold the text and an optional final newline.
//!
//! Secret keys never appear in `Debug` or `Display` output or in errors; secret key files
//! are created with mode `0600` and refused when group or others may read them.

use std::fmt;
use std::fs::File;
use std::io::Read as _;
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use ed25519_dalek::{Signature, Signer as _};
use zeroize::Zeroizing;

pub use regula_core::checkpoint::{ALG_ED25519, KeyId};

const SECRET_PREFIX: &str = "PRIVATE+KEY+";
/// Key files are a line of text: anything larger is not a key file.
const MAX_KEY_FILE: u64 = 4096;

/// A key could not be made, read, written or parsed. No variant ever holds secret key
/// material.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// The key name is not allowed.
    #[error("invalid key name {name:?}: {reason}")]
    InvalidName {
        /// The name.
        name: String,
        /// Why.
        reason: &'static str,
    },
    /// Secret key text is not `PRIVATE+KEY+<name>+<id>+<base64>`; the text itself is not
    /// repeated.
    #[error("malformed secret key: {reason}")]
    MalformedSecret {
        /// What is wrong.
        reason: &'static str,
    },
    /// Verifier key text is not `<name>+<id>+<base64>`.
    #[error("malformed verifier key: {reason}")]
    MalformedVerifier {
        /// What is wrong.
        reason: &'static str,
    },
    /// The key is not an ed25519 key.
    #[error("unsupported key algorithm {found:#04x} (only ed25519, 0x01, is supported)")]
    UnsupportedAlgorithm {
        /// The algorithm byte found.
        found: u8,
    },
    /// The key id written in the text is not the id of the key.
    #[error("key {name}: the text says key id {stated}, the key's id is {computed}")]
    KeyIdMismatch {
        /// The key name.
        name: String,
        /// The id written.
        stated: KeyId,
        /// The id of the key.
        computed: KeyId,
    },
    /// The public key is not a usable ed25519 point (not on the curve, or of small order).
    #[error("key {name}: not a valid ed25519 public key")]
    InvalidPublicKey {
        /// The key name.
        name: String,
    },
    /// The operating system's random number generator failed.
    #[error("cannot generate a key: the system random number generator failed: {0}")]
    Random(String),
    /// A key file already exists: keys are never overwritten.
    #[error("{}: already exists; a key file is never overwritten", path.display())]
    Exists {
        /// The file.
        path: PathBuf,
    },
    /// A secret key file may be read by group or others.
    #[error(
        "{}: secret key file has permissions {mode:04o}, readable beyond its owner; run `chmod 600` on it",
        path.display()
    )]
    InsecurePermissions {
        /// The file.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },
    /// A key file is not a regular file, or too large to be a key.
    #[error("{}: not a key file ({reason})", path.display())]
    NotAKeyFile {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: &'static str,
    },
    /// Reading or writing a key file failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        #[source]
        source: std::io::Error,
    },
    /// A key file's content is not a key.
    #[error("{}: {source}", path.display())]
    InFile {
        /// The file.
        path: PathBuf,
        /// What is wrong with its content.
        #[source]
        source: Box<KeyError>,
    },
}

/// Checks a key name: non-empty, no Unicode white space, no `+`, no control characters,
/// no bidirectional or invisible format characters ([`regula_core::plain_text`]).
pub fn check_key_name(name: &str) -> Result<(), KeyError> {
    match regula_core::checkpoint::name_fault(name) {
        Some(reason) => Err(KeyError::InvalidName {
            name: name.to_owned(),
            reason,
        }),
        None => Ok(()),
    }
}

pub(crate) use regula_core::checkpoint::{decode_base64, encode_base64};

/// An ed25519 signing key with its name: signs checkpoints.
///
/// Its `Debug` and `Display` show the name and key id only; the secret leaves only
/// through [`write_secret`](SigningKey::write_secret) and
/// [`to_secret_text`](SigningKey::to_secret_text).
pub struct SigningKey {
    name: String,
    id: KeyId,
    key: ed25519_dalek::SigningKey,
}

impl SigningKey {
    /// A new key named `name`, from the operating system's random number generator.
    pub fn generate(name: &str) -> Result<SigningKey, KeyError> {
        let mut seed = Zeroizing::new([0u8; 32]);
        getrandom::fill(seed.as_mut()).map_err(|e| KeyError::Random(e.to_string()))?;
        SigningKey::from_seed(name, &seed)
    }

    /// The key named `name` whose 32-byte ed25519 seed is `seed`. For tests and for keys
    /// kept elsewhere; [`generate`](SigningKey::generate) makes new ones.
    pub fn from_seed(name: &str, seed: &[u8; 32]) -> Result<SigningKey, KeyError> {
        check_key_name(name)?;
        let key = ed25519_dalek::SigningKey::from_bytes(seed);
        let id = KeyId::compute(name, key.verifying_key().as_bytes());
        Ok(SigningKey {
            name: name.to_owned(),
            id,
            key,
        })
    }

    /// The key's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The key's id.
    pub fn key_id(&self) -> KeyId {
        self.id
    }

    /// The public key that verifies this key's signatures.
    pub fn public(&self) -> VerifierKey {
        VerifierKey {
            name: self.name.clone(),
            id: self.id,
            key: self.key.verifying_key(),
        }
    }

    /// The ed25519 signature of `message`.
    pub(crate) fn sign(&self, message: &[u8]) -> [u8; 64] {
        self.key.sign(message).to_bytes()
    }

    /// The secret key text, `PRIVATE+KEY+<name>+<id>+<base64(0x01 ‖ seed)>`, in memory
    /// that is zeroed when dropped. Handle with care: this is the secret.
    pub fn to_secret_text(&self) -> Zeroizing<String> {
        let mut raw = Zeroizing::new([0u8; 33]);
        raw[0] = ALG_ED25519;
        raw[1..].copy_from_slice(self.key.as_bytes());
        let encoded = Zeroizing::new(encode_base64(raw.as_ref()));
        Zeroizing::new(format!("{SECRET_PREFIX}{}+{}+{}", self.name, self.id, encoded.as_str()))
    }

    /// Parses secret key text written by [`to_secret_text`](SigningKey::to_secret_text)
    /// (or Go's `note.GenerateKey`). Errors never repeat the text.
    pub fn from_secret_text(text: &str) -> Result<SigningKey, KeyError> {
        let malformed = |reason| KeyError::MalformedSecret { reason };
        let rest = text
            .strip_prefix(SECRET_PREFIX)
            .ok_or(malformed("it does not start with PRIVATE+KEY+"))?;
        // The name and id hold no '+'; the base64 key may.
        let mut parts = rest.splitn(3, '+');
        let (Some(name), Some(id), Some(key)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(malformed("it does not have the three parts <name>+<key id>+<key>"));
        };
        // Not `?`: the name's error repeats the name, which a garbled text may not hold.
        check_key_name(name).map_err(|_| malformed("the key name is empty or holds white space, '+' or a control"))?;
        let stated = KeyId::from_hex(id).ok_or(malformed("the key id is not 8 lowercase hex digits"))?;
        let raw = Zeroizing::new(decode_base64(key).ok_or(malformed("the key is not canonical standard base64"))?);
        let (&alg, seed) = raw.split_first().ok_or(malformed("the key is empty"))?;
        if alg != ALG_ED25519 {
            return Err(KeyError::UnsupportedAlgorithm { found: alg });
        }
        let seed: &[u8; 32] = seed
            .try_into()
            .map_err(|_| malformed("an ed25519 secret key is 32 bytes after the algorithm byte"))?;
        let signing = SigningKey::from_seed(name, seed)?;
        if signing.id != stated {
            return Err(KeyError::KeyIdMismatch {
                name: name.to_owned(),
                stated,
                computed: signing.id,
            });
        }
        Ok(signing)
    }

    /// Writes the secret key text and a newline to a new file at `path`, created with
    /// mode `0600` (owner read and write only). Never overwrites: an existing file is
    /// [`KeyError::Exists`].
    pub fn write_secret(&self, path: &Path) -> Result<(), KeyError> {
        let mut text = self.to_secret_text();
        text.push('\n');
        write_new(path, text.as_bytes(), 0o600)
    }

    /// Reads a secret key file written by [`write_secret`](SigningKey::write_secret),
    /// refusing it when group or others have any permission on it.
    pub fn read_secret(path: &Path) -> Result<SigningKey, KeyError> {
        let file = File::open(path).map_err(|source| KeyError::Io {
            path: path.to_owned(),
            source,
        })?;
        let meta = file.metadata().map_err(|source| KeyError::Io {
            path: path.to_owned(),
            source,
        })?;
        let mode = meta.permissions().mode() & 0o7777;
        if mode & 0o077 != 0 {
            return Err(KeyError::InsecurePermissions {
                path: path.to_owned(),
                mode,
            });
        }
        let text = read_key_file(file, &meta, path)?;
        SigningKey::from_secret_text(strip_newline(&text)).map_err(|e| KeyError::InFile {
            path: path.to_owned(),
            source: Box::new(e),
        })
    }
}

fn read_key_file(file: File, meta: &std::fs::Metadata, path: &Path) -> Result<Zeroizing<String>, KeyError> {
    if !meta.is_file() {
        return Err(KeyError::NotAKeyFile {
            path: path.to_owned(),
            reason: "not a regular file",
        });
    }
    let mut bytes = Zeroizing::new(Vec::new());
    file.take(MAX_KEY_FILE + 1)
        .read_to_end(&mut bytes)
        .map_err(|source| KeyError::Io {
            path: path.to_owned(),
            source,
        })?;
    if bytes.len() as u64 > MAX_KEY_FILE {
        return Err(KeyError::NotAKeyFile {
            path: path.to_owned(),
            reason: "larger than 4096 bytes",
        });
    }
    let text = std::str::from_utf8(&bytes).map_err(|_| KeyError::NotAKeyFile {
        path: path.to_owned(),
        reason: "not UTF-8 text",
    })?;
    Ok(Zeroizing::new(text.to_owned()))
}

/// Writes a new key file with `mode` all at once ([`crate::write_atomic`]), never
/// replacing one: an existing file is [`KeyError::Exists`].
fn write_new(path: &Path, bytes: &[u8], mode: u32) -> Result<(), KeyError> {
    crate::write_atomic(path, bytes, crate::WriteOptions { mode, replace: false }).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists && path.exists() {
            KeyError::Exists { path: path.to_owned() }
        } else {
            KeyError::Io {
                path: path.to_owned(),
                source: e,
            }
        }
    })
}

fn strip_newline(text: &str) -> &str {
    text.strip_suffix('\n').unwrap_or(text)
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("name", &self.name)
            .field("id", &self.id)
            .field("secret", &"<redacted>")
            .finish()
    }
}

impl fmt::Display for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "signing key {}+{} (secret not shown)", self.name, self.id)
    }
}

/// An ed25519 public key with its name: verifies checkpoints. Its text form,
/// `<name>+<key id hex>+<base64(0x01 ‖ public key)>`, is what [`Display`](fmt::Display)
/// writes and [`FromStr`] / [`parse`](VerifierKey::parse) read.
#[derive(Clone, PartialEq, Eq)]
pub struct VerifierKey {
    name: String,
    id: KeyId,
    key: ed25519_dalek::VerifyingKey,
}

impl VerifierKey {
    /// Parses the text form, checking the key id against the key and refusing keys
    /// that are not points of the curve or of small order.
    pub fn parse(text: &str) -> Result<VerifierKey, KeyError> {
        let malformed = |reason| KeyError::MalformedVerifier { reason };
        if text.starts_with(SECRET_PREFIX) {
            return Err(malformed("this is a secret key, not a verifier key"));
        }
        // The name and id hold no '+'; the base64 key may.
        let mut parts = text.splitn(3, '+');
        let (Some(name), Some(id), Some(key)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(malformed("it does not have the three parts <name>+<key id>+<key>"));
        };
        check_key_name(name)?;
        let stated = KeyId::from_hex(id).ok_or(malformed("the key id is not 8 lowercase hex digits"))?;
        let raw = decode_base64(key).ok_or(malformed("the key is not canonical standard base64"))?;
        let (&alg, public) = raw.split_first().ok_or(malformed("the key is empty"))?;
        if alg != ALG_ED25519 {
            return Err(KeyError::UnsupportedAlgorithm { found: alg });
        }
        let public: &[u8; 32] = public
            .try_into()
            .map_err(|_| malformed("an ed25519 public key is 32 bytes after the algorithm byte"))?;
        let computed = KeyId::compute(name, public);
        if computed != stated {
            return Err(KeyError::KeyIdMismatch {
                name: name.to_owned(),
                stated,
                computed,
            });
        }
        let key = ed25519_dalek::VerifyingKey::from_bytes(public)
            .ok()
            .filter(|k| !k.is_weak())
            .ok_or_else(|| KeyError::InvalidPublicKey { name: name.to_owned() })?;
        Ok(VerifierKey {
            name: name.to_owned(),
            id: stated,
            key,
        })
    }

    /// Reads a verifier key file: the text form and an optional final newline.
    pub fn read(path: &Path) -> Result<VerifierKey, KeyError> {
        let file = File::open(path).map_err(|source| KeyError::Io {
            path: path.to_owned(),
            source,
        })?;
        let meta = file.metadata().map_err(|source| KeyError::Io {
            path: path.to_owned(),
            source,
        })?;
        let text = read_key_file(file, &meta, path)?;
        VerifierKey::parse(strip_newline(&text)).map_err(|e| KeyError::InFile {
            path: path.to_owned(),
            source: Box::new(e),
        })
    }

    /// Writes the text form and a newline to a new file at `path` (never overwriting).
    pub fn write(&self, path: &Path) -> Result<(), KeyError> {
        write_new(path, format!("{self}\n").as_bytes(), 0o644)
    }

    /// The key's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The key's id.
    pub fn key_id(&self) -> KeyId {
        self.id
    }

    /// The 32-byte ed25519 public key.
    pub fn public_bytes(&self) -> &[u8; 32] {
        self.key.as_bytes()
    }

    /// True when `signature` is this key's valid signature of `message`, checked with
    /// ed25519-dalek's `verify_strict` (canonical `S`, no small-order `R`).
    pub(crate) fn verifies(&self, message: &[u8], signature: &[u8]) -> bool {
        let Ok(bytes) = <&[u8; 64]>::try_from(signature) else {
            return false;
        };
        self.key.verify_strict(message, &Signature::from_bytes(bytes)).is_ok()
    }
}

impl fmt::Display for VerifierKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut raw = [0u8; 33];
        raw[0] = ALG_ED25519;
        raw[1..].copy_from_slice(self.key.as_bytes());
        write!(f, "{}+{}+{}", self.name, self.id, encode_base64(&raw))
    }
}

impl fmt::Debug for VerifierKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "VerifierKey({self})")
    }
}

impl FromStr for VerifierKey {
    type Err = KeyError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        VerifierKey::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_ids_are_hex_and_parse_back() {
        let id = KeyId([0x0a, 0xbc, 0xde, 0xf1]);
        assert_eq!(id.to_string(), "0abcdef1");
        assert_eq!(KeyId::from_hex("0abcdef1"), Some(id));
        assert_eq!(KeyId::from_hex("0ABCDEF1"), None);
        assert_eq!(KeyId::from_hex("0abcdef"), None);
    }

    #[test]
    fn names_are_checked() {
        assert!(check_key_name("红石林区基层法院").is_ok());
        let bidi_and_invisible = ["a\u{202e}b", "a\u{200b}b", "\u{2066}a"];
        for bad in ["", "a+b", "a b", "a\u{3000}b", "a\nb", "a\u{7}b"]
            .into_iter()
            .chain(bidi_and_invisible)
        {
            assert!(
                matches!(check_key_name(bad), Err(KeyError::InvalidName { .. })),
                "{bad:?}"
            );
        }
    }
}
