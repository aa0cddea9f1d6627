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
    /// Check every record's digest and the chain; with --public-key, every signature. Names the
    /// first bad record; exit 1 when the ledger is broken.
    Verify {
        /// The ledger (JSON lines).
        file: PathBuf,
        /// Require every record signed by this key (hex Ed25519 public key file).
        #[arg(long, value_name = "FILE")]
        public_key: Option<PathBuf>,
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
        LedgerCommand::Verify { file, public_key } => {
            match fairgauge::ledger::verify(&file, public_key.as_deref()) {
                Ok(v) => {
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
