//! Proving history to a third party: signing keys, signed checkpoints, proof bundles,
//! and consistency with an earlier signed checkpoint.

use std::path::Path;

use chrono::Utc;
use regula_core::store::Store;
use regula_proof::{ProofBundle, ProveError, SignedCheckpoint, SigningKey, VerifierKey, verify_bundle};

use crate::args::{Cli, KeyGenerateArgs, ProveArgs, VerifyProofArgs};
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
        return Ok(
            out.print_json(&serde_json::json!({"name": key.name(), "public": public.to_string(),
            "secret_file": args.secret.display().to_string()}))?,
        );
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

/// `regula checkpoint --sign KEY [--origin NAME] [--out FILE]`
pub fn checkpoint_signed(
    cli: &Cli,
    out: Out,
    key: &Path,
    origin: Option<&str>,
    to: Option<&Path>,
) -> Result<(), CliError> {
    let key = SigningKey::read_secret(key).map_err(proof_error)?;
    let store = open_store(cli, Access::Read)?;
    let head = store.tree_head()?;
    let origin = origin.unwrap_or(key.name());
    let body = regula_proof::CheckpointBody::new(origin, head, Utc::now()).map_err(proof_error)?;
    let signed = SignedCheckpoint::sign(&body, &key);
    let text = signed.to_text();
    match to {
        Some(path) => {
            write_file(path, &text)?;
            if !out.json {
                crate::outln!(
                    "{} {} ({} {})",
                    out.s("已签名的检查点已写入", "signed checkpoint written to"),
                    path.display(),
                    head.size,
                    out.s("条记录", "records")
                )?;
            }
        }
        None => crate::outp!("{text}")?,
    }
    Ok(())
}

/// `regula prove CODE SEQ --checkpoint FILE [--out FILE]`
pub fn prove(cli: &Cli, out: Out, args: &ProveArgs) -> Result<(), CliError> {
    let checkpoint = SignedCheckpoint::parse(&read_file(&args.checkpoint)?)
        .map_err(|e| CliError::Usage(format!("{}: {e}", args.checkpoint.display())))?;
    let court = open_court(cli)?;
    let code = args.code.to_uppercase();
    let opened = court.opened(&code)?;
    if args.seq == 0 || args.seq > opened.seq() {
        return Err(CliError::Usage(format!(
            "{code} has no record #{}: its log holds records #1 to #{} (see `regula log {code}`)",
            args.seq,
            opened.seq()
        )));
    }
    let instance = opened.id();
    let bundle = regula_proof::prove_record(court.store(), &checkpoint, instance, args.seq).map_err(|e| {
        if e.is_rollback() {
            // A failed verification, like `verify --since`: exit 1.
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
                    checkpoint.unverified_body().size()
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
    let bundle = ProofBundle::from_json(read_file(&args.bundle)?.trim_end())
        .map_err(|e| CliError::Usage(format!("{}: {e}", args.bundle.display())))?;
    match verify_bundle(&bundle, &key) {
        Ok(v) => {
            if out.json {
                out.print_json(&serde_json::json!({
                    "ok": true, "origin": v.origin(), "key": v.key_name, "tree_size": v.tree_size(),
                    "root": v.root(), "time": v.time(), "leaf_index": v.leaf_index,
                    "instance": v.instance, "seq": v.seq, "record": v.record,
                }))?;
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

/// `regula verify --since CHECKPOINT --key PUB`
pub fn verify_since(cli: &Cli, out: Out, since: &Path, key: &Path) -> Result<(), CliError> {
    let key = VerifierKey::read(key).map_err(proof_error)?;
    let old = SignedCheckpoint::parse(&read_file(since)?)
        .map_err(|e| CliError::Usage(format!("{}: {e}", since.display())))?;
    let store = open_store(cli, Access::Read)?;
    match regula_proof::verify_since(&store, &old, &key) {
        Ok(report) => {
            if out.json {
                out.print_json(&serde_json::json!({"ok": true, "old": report.old, "head": report.head,
                    "proof": report.proof}))?;
            } else {
                crate::outln!(
                    "{}: {} → {} {} ({} {})",
                    out.s("日志只增未改", "the log only grew"),
                    report.old.size,
                    report.head.size,
                    out.s("条记录", "records"),
                    out.s("一致性证明含", "consistency proof of"),
                    report.proof.len()
                )?;
            }
            Ok(())
        }
        Err(e) if e.is_rollback() => {
            crate::errln!(
                "{}: {e}",
                out.s("日志被回滚或改写", "the log was rolled back or rewritten")
            );
            Err(CliError::ProofRejected)
        }
        // A forged checkpoint, or one signed by another key: verification failed, exit 1
        // like a rollback (exit 2 is for what could not be run).
        Err(e @ ProveError::Checkpoint(_)) => {
            eprintln!(
                "{}: {e}",
                out.s(
                    "检查点未通过签名校验（伪造、被改动或非此密钥所签）",
                    "the checkpoint does not verify (forged, altered or signed by another key)"
                )
            );
            Err(CliError::ProofRejected)
        }
        Err(e @ ProveError::TreeHeadMismatch { .. }) => {
            eprintln!(
                "{}: {e}",
                out.s("存储在其背后被改动", "the store was changed behind its back")
            );
            Err(CliError::ProofRejected)
        }
        Err(e) => Err(proof_error(e)),
    }
}
