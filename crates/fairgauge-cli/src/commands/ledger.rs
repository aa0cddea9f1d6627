//! `fairgauge ledger`: verify a ledger's hash chain (and signatures), or make a signing key.

use std::path::PathBuf;

use anyhow::Result;
use clap::{Args, Subcommand};

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
    /// --evidence, that the ledger still holds each evidence file's record (which shows the
    /// deletion of its last records). Names the first bad record; exit 1 when the ledger is
    /// broken or lacks an evidence file's record, 2 for bad usage.
    Verify {
        /// The ledger (JSON lines).
        file: PathBuf,
        /// Require every record signed by this key (Ed25519 public key: PEM, or hex).
        #[arg(long, value_name = "FILE")]
        public_key: Option<PathBuf>,
        /// Evidence files (evidence.json, as `assess --output` wrote them) whose records the
        /// ledger must hold.
        #[arg(long, value_name = "FILE", num_args = 1..)]
        evidence: Vec<PathBuf>,
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
        } => {
            match fairgauge::ledger::verify_with_evidence(&file, public_key.as_deref(), &evidence) {
                Ok((v, found)) => {
                    println!(
                        "{}: ok, {} records{}{}",
                        file.display(),
                        v.records,
                        v.head_sha256
                            .map(|h| format!(", head {h}"))
                            .unwrap_or_default(),
                        if public_key.is_some() {
                            format!(", {} signatures verified", v.signed)
                        } else {
                            String::new()
                        }
                    );
                    for f in found {
                        println!(
                            "  {}: record {} ({})",
                            f.evidence.display(),
                            f.seq,
                            f.record_sha256
                        );
                    }
                    Ok(ExitStatus::Success)
                }
                Err(e @ fairgauge::Error::Ledger { .. }) => {
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
