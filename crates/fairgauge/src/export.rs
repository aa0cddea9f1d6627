//! Exports of the evidence document (written by a helper, in progress).
