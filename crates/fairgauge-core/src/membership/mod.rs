//! Membership of sensitive groups known only as probabilities: Bayesian Improved Surname
//! Geocoding ([`bisg`]), which estimates race and ethnicity from a surname and a place of
//! residence when they were not collected, and the [`bounds`] on rates and disparities that the
//! data identify without assuming the outcome independent of membership given the proxies.

pub mod bisg;
pub mod bounds;
