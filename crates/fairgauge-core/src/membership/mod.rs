//! Membership of sensitive groups known only as probabilities: Bayesian Improved Surname
//! Geocoding ([`bisg`]), which estimates race and ethnicity from a surname and a place of
//! residence when they were not collected.

pub mod bisg;
