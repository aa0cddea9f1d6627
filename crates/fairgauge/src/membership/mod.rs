//! Group membership known only as probabilities: BISG race and ethnicity from a table's
//! surname and place columns ([`bisg`]), with the Census tables it looks up bundled
//! ([`tables`]).

pub mod bisg;
pub mod tables;
