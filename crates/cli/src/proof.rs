//! Proving history to a third party: signing keys, checkpoints (signed or not), proof
//! bundles, and checking a checkpoint's signature.

use std::path::Path;

use chrono::Utc;
use regula_core::store::Store;
use regula_proof::{
    Checkpoint, CheckpointNote, CheckpointSigning as _, DEFAULT_ORIGIN, ProofBundle, SigningKey, VerifierKey,
    verify_bundle,
};

use crate::args::{CheckpointArgs, Cli, KeyGenerateArgs, ProveArgs, VerifyProofArgs};
use crate::cmd::open_court;
use crate::ctx::{Access, CliError, open_store, read_file, write_file};
use crate::out::Out;

fn proof_error(e: impl std::fmt::Display) -> CliError {
    CliError::Proof(e.to_string())
}

/// `regula key generate NAME --secret FILE [--public FILE]`
pub fn key_generate(out: Out, args: &KeyGenerateArgs) -> Result<(), CliError> {
    let key = SigningKey::generate(&args.name).map_err(proof_error)?;
    key.write_secret(&args.secret).map_err(proof_error)?;
    let public = key.public();
    if let Some(path) = &args.public {
        public.write(path).map_err(proof_error)?;
    }
    if out.json {
        return Ok(out.print_json(&crate::vocab::KeyDocument {
            name: key.name().to_owned(),
            public: public.to_string(),
            secret_file: args.secret.display().to_string(),
        })?);
    }
    crate::errln!(
        "{} {} ({})",
        out.s("私钥已写入（仅所有者可读）：", "secret key written (owner-only):"),
        args.secret.display(),
        out.s("请妥善保管，切勿外传", "keep it safe; never share it")
    );
    crate::outln!("{public}")?;
    Ok(())
}

/// `regula checkpoint [--sign KEY] [--origin NAME] [--out FILE]`: the one checkpoint
/// format, signed with `--sign`, unsigned (no signature line) without.
pub fn checkpoint(cli: &Cli, out: Out, args: &CheckpointArgs) -> Result<(), CliError> {
    // The key first: a key that does not read changes nothing and opens no store.
    let key = args
        .sign
        .as_deref()
        .map(SigningKey::read_secret)
        .transpose()
        .map_err(proof_error)?;
    let store = open_store(cli, Access::Read)?;
    let head = store.tree_head()?;
    let origin = args
        .origin
        .as_deref()
        .or(key.as_ref().map(SigningKey::name))
        .unwrap_or(DEFAULT_ORIGIN);
    let checkpoint = Checkpoint::with_origin(origin, head, Utc::now())
        .map_err(|e| CliError::both("usage", format!("--origin 有误：{e}"), format!("--origin: {e}")))?;
    let note = match &key {
        Some(key) => CheckpointNote::sign(&checkpoint, key),
        None => CheckpointNote::unsigned(&checkpoint),
    };
    let text = note.to_text();
    if let Some(path) = &args.out {
        write_file(path, &text)?;
    }
    if out.json {
        return Ok(out.print_json(&crate::vocab::CheckpointDocument {
            origin: checkpoint.origin().to_owned(),
            size: checkpoint.size(),
            root: checkpoint.root(),
            time: checkpoint.time(),
            signed_by: note
                .signatures()
                .iter()
                .map(|s| format!("{}+{}", s.name, s.key_id))
                .collect(),
            file: args.out.as_ref().map(|p| p.display().to_string()),
            checkpoint: text,
        })?);
    }
    match &args.out {
        Some(path) => crate::outln!(
            "{} {} ({} {})",
            if note.is_signed() {
                out.s("已签名的检查点已写入", "signed checkpoint written to")
            } else {
                out.s("检查点（未签名）已写入", "checkpoint (unsigned) written to")
            },
            path.display(),
            head.size,
            out.s("条记录", "records")
        )?,
        None => crate::outp!("{text}")?,
    }
    Ok(())
}

/// Reads the file given to `verify --checkpoint` or `prove --checkpoint`: a checkpoint,
/// signed or not, or a JSON checkpoint of Regula 0.1 or 0.2. Malformed: exit 2.
pub fn read_checkpoint(path: &Path) -> Result<CheckpointNote, CliError> {
    CheckpointNote::read(&read_file(path)?).map_err(|e| {
        CliError::both(
            "usage",
            format!("{}：不是检查点：{e}", path.display()),
            format!("{}: not a checkpoint: {e}", path.display()),
        )
    })
}

/// `verify --checkpoint FILE --key PUB`: the checkpoint's signature by that key, else
/// verification failed (exit 1): unsigned, signed by another key, altered or forged.
/// Returns the key as `name+id`.
pub fn check_signature(out: Out, note: &CheckpointNote, key: &Path) -> Result<String, CliError> {
    let key = VerifierKey::read(key).map_err(proof_error)?;
    match note.verify(&key) {
        Ok(_) => Ok(format!("{}+{}", key.name(), key.key_id())),
        Err(e) => {
            crate::errln!(
                "{}: {e}",
                out.s(
                    "检查点未通过签名校验（未签名、伪造、被改动或非此密钥所签）",
                    "the checkpoint does not verify (unsigned, forged, altered or signed by another key)"
                )
            );
            Err(CliError::ProofRejected)
        }
    }
}

/// `regula prove CODE SEQ --checkpoint FILE [--out FILE]`
pub fn prove(cli: &Cli, out: Out, args: &ProveArgs) -> Result<(), CliError> {
    let checkpoint = read_checkpoint(&args.checkpoint)?;
    if !checkpoint.is_signed() {
        return Err(CliError::both(
            "usage",
            format!(
                "{}：未签名的检查点：据此作出的证明对他人什么也证明不了；请用 `regula checkpoint --sign KEY` 签名",
                args.checkpoint.display()
            ),
            format!(
                "{}: an unsigned checkpoint: a proof against it proves nothing to anyone else; \
                 sign one with `regula checkpoint --sign KEY`",
                args.checkpoint.display()
            ),
        ));
    }
    let court = open_court(cli)?;
    let code = args.code.to_uppercase();
    let opened = court.opened(&code)?;
    if args.seq == 0 || args.seq > opened.seq() {
        return Err(CliError::both(
            "usage",
            format!(
                "{code} 没有记录 #{}：其日志含记录 #1 至 #{}（见 `regula log {code}`）",
                args.seq,
                opened.seq()
            ),
            format!(
                "{code} has no record #{}: its log holds records #1 to #{} (see `regula log {code}`)",
                args.seq,
                opened.seq()
            ),
        ));
    }
    let instance = opened.id();
    let bundle = regula_proof::prove_record(court.store(), &checkpoint, instance, args.seq).map_err(|e| {
        if e.is_rollback() {
            // A failed verification, like `verify --checkpoint`: exit 1.
            crate::errln!(
                "{}: {e}",
                out.s(
                    "存储与检查点不一致（日志被回滚或改写）",
                    "the store does not match the checkpoint (rolled back or rewritten)"
                )
            );
            CliError::ProofRejected
        } else {
            proof_error(e)
        }
    })?;
    let json = bundle.to_json();
    match &args.out {
        Some(path) => {
            write_file(path, &format!("{json}\n"))?;
            if !out.json {
                crate::outln!(
                    "{} {} ({code} #{}, {} {} / {})",
                    out.s("证明已写入", "proof bundle written to"),
                    path.display(),
                    args.seq,
                    out.s("位置", "leaf"),
                    bundle.leaf_index,
                    checkpoint.checkpoint().size()
                )?;
            }
        }
        None => crate::out::json_line(&json)?,
    }
    Ok(())
}

/// `regula verify-proof BUNDLE --key PUB`: needs no store.
pub fn verify_proof(out: Out, args: &VerifyProofArgs) -> Result<(), CliError> {
    let key = VerifierKey::read(&args.key).map_err(proof_error)?;
    let bundle = ProofBundle::from_json(read_file(&args.bundle)?.trim_end()).map_err(|e| {
        CliError::both(
            "usage",
            format!("{}：不是证明包：{e}", args.bundle.display()),
            format!("{}: {e}", args.bundle.display()),
        )
    })?;
    match verify_bundle(&bundle, &key) {
        Ok(v) => {
            if out.json {
                out.print_json(&crate::vocab::ProofDocument {
                    ok: true,
                    origin: v.origin(),
                    key: &v.key_name,
                    tree_size: v.tree_size(),
                    root: v.root(),
                    time: v.time(),
                    leaf_index: v.leaf_index,
                    instance: v.instance,
                    seq: v.seq,
                    record: &v.record,
                })?;
            } else {
                crate::outln!("{}", out.s("证明有效：", "proof verified:"))?;
                crate::outln!(
                    "  {} {} #{}: {} {} {} {}",
                    out.s("记录", "record"),
                    v.instance,
                    v.seq,
                    v.record.at.to_rfc3339(),
                    v.record.actor.id,
                    v.record.role,
                    v.record.action
                )?;
                crate::outln!(
                    "  {} {} {} {} {} {} ({} {})",
                    out.s("包含于", "included in"),
                    v.origin(),
                    out.s("的日志，共", "whose log held"),
                    v.tree_size(),
                    out.s("条记录，位置", "records, at leaf"),
                    v.leaf_index,
                    out.s("签名时间", "signed"),
                    v.time().to_rfc3339()
                )?;
                crate::outln!("  {} {}", out.s("根哈希", "root"), v.root())?;
            }
            Ok(())
        }
        Err(e) => {
            crate::errln!("{}: {e}", out.s("证明无效", "proof rejected"));
            Err(CliError::ProofRejected)
        }
    }
}
