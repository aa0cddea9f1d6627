//! The tamper-evident ledger (written by a helper, in progress).
