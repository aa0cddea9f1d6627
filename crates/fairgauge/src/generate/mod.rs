//! Data that fairgauge makes for its users: seeded synthetic tables with planted disparity and
//! drift ([`synth`]) and the demo's scored copies of UCI Adult ([`demo`]).

pub mod demo;
pub mod synth;
