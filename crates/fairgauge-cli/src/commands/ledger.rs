//! `fairgauge ledger`: verify a ledger's hash chain (and signatures), or make a signing key.

use std::path::PathBuf;

use anyhow::Result;
use clap::{Args, Subcommand};

use fairgauge::ledger::{Proofs, Proven};

use crate::status::ExitStatus;

/// Arguments of `fairgauge ledger`.
#[derive(Debug, Args)]
pub struct LedgerArgs {
    #[command(subcommand)]
    pub command: LedgerCommand,
}

/// Ledger subcommands.
#[derive(Debug, Subcommand)]
pub enum LedgerCommand {
    /// Check every record's digest and the chain; with --public-key, every signature; with
    /// --evidence, that the ledger still holds each evidence file's record or the head each
    /// export names; and the signed checkpoint. The last two show the deletion of the ledger's
    /// last records, which the chain alone cannot. Names the first bad record; exit 1 when the
    /// ledger is broken or lacks what a file names, 2 for bad usage.
    Verify {
        /// The ledger (JSON lines).
        file: PathBuf,
        /// Require every record (and the checkpoint) signed by this key (Ed25519 public key:
        /// PEM, or hex).
        #[arg(long, value_name = "FILE")]
        public_key: Option<PathBuf>,
        /// Files filed in the ledger: evidence documents (or their in-toto statement or DSSE
        /// envelope), whose records it must hold, or exports and reports (register, OSCAL,
        /// JUnit, Markdown, HTML), whose recorded head it must still have.
        #[arg(long, value_name = "FILE", num_args = 1..)]
        evidence: Vec<PathBuf>,
        /// Signed checkpoints (size and head) the ledger must still match; default
        /// `<FILE>.checkpoint` when it exists.
        #[arg(long, value_name = "FILE", num_args = 1..)]
        checkpoint: Vec<PathBuf>,
    },
    /// Verify a DSSE envelope of the in-toto statement (`assess --attestation-envelope`) with a
    /// public key; print its subjects. Exit 1 when no signature verifies.
    VerifyEnvelope {
        /// The envelope (JSON).
        file: PathBuf,
        /// The signer's Ed25519 public key (PEM, or hex).
        #[arg(long, value_name = "FILE")]
        public_key: PathBuf,
    },
    /// Write a new Ed25519 key pair for signing ledger records.
    Keygen {
        /// Private key file (written 0600).
        #[arg(long, value_name = "FILE")]
        private: PathBuf,
        /// Public key file.
        #[arg(long, value_name = "FILE")]
        public: PathBuf,
    },
}

/// Runs the subcommand.
pub fn run(a: LedgerArgs) -> Result<ExitStatus> {
    match a.command {
        LedgerCommand::Verify {
            file,
            public_key,
            evidence,
            checkpoint,
        } => {
            let proofs = Proofs {
                public_key: public_key.as_deref(),
                evidence: &evidence,
                checkpoints: &checkpoint,
            };
            match fairgauge::ledger::verify_proofs(&file, &proofs) {
                Ok(p) => {
                    print_proven(&file, &p, public_key.is_some());
                    Ok(ExitStatus::Success)
                }
                Err(e @ fairgauge::Error::Ledger { .. }) => {
                    eprintln!("error: {e}");
                    Ok(ExitStatus::Failure)
                }
                Err(e) => Err(e.into()),
            }
        }
        LedgerCommand::VerifyEnvelope { file, public_key } => {
            match fairgauge::export::verify_envelope(&file, &public_key) {
                Ok(statement) => {
                    println!(
                        "{}: ok, signed in-toto statement ({})",
                        file.display(),
                        statement
                            .get("predicateType")
                            .and_then(|v| v.as_str())
                            .unwrap_or("no predicate type")
                    );
                    let subjects = statement.get("subject").and_then(|v| v.as_array());
                    for s in subjects.into_iter().flatten() {
                        let digest = s
                            .get("digest")
                            .and_then(|d| d.as_object())
                            .map(|d| {
                                d.iter()
                                    .map(|(k, v)| format!("{k}:{}", v.as_str().unwrap_or("")))
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            })
                            .unwrap_or_default();
                        println!(
                            "  {} {digest}",
                            s.get("name").and_then(|v| v.as_str()).unwrap_or("?")
                        );
                    }
                    Ok(ExitStatus::Success)
                }
                Err(e @ fairgauge::Error::Attestation { .. }) => {
                    eprintln!("error: {e}");
                    Ok(ExitStatus::Failure)
                }
                Err(e) => Err(e.into()),
            }
        }
        LedgerCommand::Keygen { private, public } => {
            let id = fairgauge::ledger::keygen(&private, &public)?;
            println!(
                "wrote {} (private, keep it secret) and {} (public), key id {id}",
                private.display(),
                public.display()
            );
            Ok(ExitStatus::Success)
        }
    }
}

/// The verified ledger, each file's record and each checkpoint, one line each.
fn print_proven(file: &std::path::Path, p: &Proven, signed: bool) {
    let v = &p.verified;
    println!(
        "{}: ok, {} records{}{}",
        file.display(),
        v.records,
        v.head_sha256
            .as_ref()
            .map(|h| format!(", head {h}"))
            .unwrap_or_default(),
        if signed {
            format!(", {} signatures verified", v.signed)
        } else {
            String::new()
        }
    );
    for f in &p.files {
        println!(
            "  {}: record {} ({})",
            f.evidence.display(),
            f.seq,
            f.record_sha256
        );
    }
    for c in &p.checkpoints {
        println!(
            "  checkpoint {}: size {}, head {} ({})",
            c.file.display(),
            c.size,
            c.head_sha256,
            if c.signature_verified {
                "signature verified"
            } else {
                "signature not checked: give --public-key"
            }
        );
    }
}
