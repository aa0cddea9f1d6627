//! Label-free performance estimates per group: confidence-based performance estimation (CBPE)
//! from calibrated scores on unlabelled rows ([`cbpe`]), with the calibration checked and chosen
//! per group on a labelled reference ([`calibration`], [`isotonic`]), the sampling errors NannyML
//! reports ([`sampling`]), the between-group differences of the estimates ([`summary`]), and the
//! groups' histograms as mergeable states ([`cells`], [`state`]).

pub mod calibration;
pub mod cbpe;
pub mod cells;
pub mod isotonic;
pub mod sampling;
pub mod state;
pub mod summary;
