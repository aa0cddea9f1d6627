//! Bayesian Improved Surname Geocoding (BISG): the probability of each of six race and ethnicity
//! groups given a person's surname and place of residence.
//!
//! With `P(i | s)` the share of people with surname `s` in group `i` (Census 2010 surname list)
//! and `P(g | i)` the share of group `i`'s population living in place `g` (Census 2010 SF1
//! table P5 by ZCTA or tract), Bayes' rule under the assumption that surname and place are
//! independent within a group gives
//!
//! ```text
//! q(i | s, g) = P(i | s) · P(g | i) / Σ_j P(j | s) · P(g | j)
//! ```
//!
//! (Elliott, Morrison, Fremont et al. 2009, "Using the Census Bureau's surname list to improve
//! estimates of race/ethnicity and associated disparities", Health Serv Outcomes Res Method 9:69,
//! eq. 1; the CFPB's 2014 proxy methodology). With the same tables this equals surgeo 1.1.2's
//! `SurgeoModel`.
//!
//! **Fallbacks** (the CFPB's, not surgeo's, which leaves such rows empty): a surname that is not
//! on the list is tried part by part (a hyphenated or spaced name's first part, then its second:
//! the CFPB's `surname_parser.do`); a row whose surname is still unknown gets the place's
//! composition `P(i | g)` (surgeo's `GeocodeModel`); a row whose place is missing, malformed or
//! unknown, or whose place has none of the surname's groups (the denominator is 0), gets the
//! surname's `P(i | s)` (surgeo's `SurnameModel`); a row with neither gets no probabilities.
//! Each row says which basis it used ([`Basis`]) and [`BisgCounts`] counts why.

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

/// The six groups, in the order of the Census tables and of every [`RaceProbs`]: non-Hispanic
/// White, Black, Asian or Pacific Islander, American Indian or Alaska Native, two or more races,
/// and Hispanic (of any race).
pub const RACES: [&str; 6] = ["white", "black", "api", "native", "multiple", "hispanic"];

/// One probability per group of [`RACES`], in that order.
pub type RaceProbs = [f64; 6];

/// Python's `str.isspace` (what `\s` matches in surgeo's patterns): Unicode white space and the
/// four ASCII separators U+001C–U+001F.
fn is_py_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// Removes `suffix` (with one white-space character before it and any after it) from the end,
/// as surgeo's `re.sub(r'\s?SUFFIX\s*?$', '')` does.
fn strip_suffix(s: &mut String, suffix: &str) {
    let body = s.trim_end_matches(is_py_space);
    if let Some(head) = body.strip_suffix(suffix) {
        let cut = match head.chars().next_back() {
            Some(c) if is_py_space(c) => head.len() - c.len_utf8(),
            _ => head.len(),
        };
        s.truncate(cut);
    }
}

/// A surname normalised as surgeo 1.1.2 does (after Word, Coleman, Nunziata & Kominski 2007,
/// "Demographic aspects of surnames from Census 2000"): ASCII digits, punctuation and white
/// space removed, upper-cased (Unicode's full mapping: `ß` → `SS`), then a trailing `JR`, `SR`,
/// `III` and `IV` removed, in that order, once each. `"Dav 3idson Jr."` → `"DAVIDSON"`.
///
/// The suffix rule is surgeo's to the letter, so a name that merely ends in those letters loses
/// them too (`LEIV` → `LE`): kept, so that the probabilities equal surgeo's.
pub fn normalize_surname(raw: &str) -> String {
    let mut out = String::new();
    normalize_surname_into(raw, &mut out);
    out
}

/// [`normalize_surname`] into a buffer (cleared first), without allocating for ASCII names.
pub fn normalize_surname_into(raw: &str, out: &mut String) {
    out.clear();
    // ASCII without the separators U+001C–U+001F: once digits, punctuation and white space are
    // gone no white space is left, so the suffix rule is a plain ending.
    if raw
        .bytes()
        .all(|b| b.is_ascii() && !(0x1c..=0x1f).contains(&b))
    {
        for c in raw.chars() {
            if !(c.is_ascii_digit() || c.is_ascii_punctuation() || is_ascii_py_space(c)) {
                out.push(c.to_ascii_uppercase());
            }
        }
        for suffix in ["JR", "SR", "III", "IV"] {
            if out.ends_with(suffix) {
                out.truncate(out.len() - suffix.len());
            }
        }
        return;
    }
    let kept: String = raw
        .chars()
        .filter(|c| !(c.is_ascii_digit() || c.is_ascii_punctuation() || is_ascii_py_space(*c)))
        .collect();
    out.push_str(&kept.to_uppercase());
    for suffix in ["JR", "SR", "III", "IV"] {
        strip_suffix(out, suffix);
    }
}

/// Python's `string.whitespace`: space, tab, line feed, carriage return, vertical tab, form feed.
fn is_ascii_py_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\u{0b}' | '\u{0c}')
}

/// The parts of a hyphenated or spaced surname, each normalised, at most the first two (the
/// CFPB matches the first part, then the second). Empty when the name has one part.
pub fn surname_parts(raw: &str) -> Vec<String> {
    let parts: Vec<String> = raw
        .split(|c: char| c == '-' || is_py_space(c))
        .map(normalize_surname)
        .filter(|p| !p.is_empty())
        .take(2)
        .collect();
    if parts.len() < 2 {
        return vec![];
    }
    parts
}

/// How a place is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlaceKind {
    /// A five-digit ZIP code, looked up as the ZIP Code Tabulation Area (ZCTA) of that number.
    Zcta,
    /// A census tract as its 11-digit FIPS code: state (2), county (3), tract (6).
    Tract,
}

impl PlaceKind {
    /// The place normalised to its table key, or `None` when it has not the expected form.
    ///
    /// ZCTA: surrounding white space removed; 1 to 5 digits are zero-filled to five (as surgeo
    /// does: a ZIP code read as a number lost its leading zeros); ZIP+4 (`12345-6789` or nine
    /// digits) keeps its first five (surgeo would find nothing). Tract: 10 or 11 digits,
    /// zero-filled to 11 (states 01–09 lose their zero as numbers).
    pub fn normalize(self, raw: &str) -> Option<String> {
        let t = raw.trim();
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        match self {
            PlaceKind::Zcta => {
                // Byte 5 is ASCII when it is `-`, so both slices fall on character boundaries.
                let zip4 =
                    t.len() == 10 && t.as_bytes()[5] == b'-' && digits(&t[..5]) && digits(&t[6..]);
                if digits(t) && t.len() <= 5 {
                    Some(format!("{t:0>5}"))
                } else if zip4 || (digits(t) && t.len() == 9) {
                    Some(t[..5].to_string())
                } else {
                    None
                }
            }
            PlaceKind::Tract => {
                (digits(t) && (t.len() == 10 || t.len() == 11)).then(|| format!("{t:0>11}"))
            }
        }
    }

    /// The place's table key without building its text: the number [`PlaceKind::normalize`]'s
    /// digits spell (zero-filling does not change it).
    pub fn key(self, raw: &str) -> Option<u64> {
        let b = raw.trim().as_bytes();
        let num = |d: &[u8]| -> Option<u64> {
            (!d.is_empty() && d.iter().all(u8::is_ascii_digit))
                .then(|| d.iter().fold(0u64, |a, &c| a * 10 + u64::from(c - b'0')))
        };
        match (self, b.len()) {
            (PlaceKind::Zcta, 1..=5) => num(b),
            (PlaceKind::Zcta, 9) => num(b).and(num(&b[..5])),
            (PlaceKind::Zcta, 10) if b[5] == b'-' => num(&b[6..]).and(num(&b[..5])),
            (PlaceKind::Tract, 10 | 11) => num(b),
            _ => None,
        }
    }

    /// What the place is called in messages.
    pub fn noun(self) -> &'static str {
        match self {
            PlaceKind::Zcta => "ZIP code",
            PlaceKind::Tract => "tract",
        }
    }
}

/// The BISG posterior from the surname's `P(i | s)` and the place's `P(g | i)`; `None` when
/// `Σ_j P(j | s) · P(g | j)` is 0 or not finite (the place has none of the surname's groups).
pub fn combine(race_given_surname: &RaceProbs, place_given_race: &RaceProbs) -> Option<RaceProbs> {
    let mut u = [0.0; 6];
    for (i, x) in u.iter_mut().enumerate() {
        *x = race_given_surname[i] * place_given_race[i];
    }
    let total: f64 = u.iter().sum();
    if !(total > 0.0 && total.is_finite()) {
        return None;
    }
    Some(u.map(|x| x / total))
}

/// What a row's probabilities rest on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// Surname and place (BISG proper).
    SurnameAndPlace,
    /// The surname alone.
    Surname,
    /// The place alone.
    Place,
    /// Neither was usable: no probabilities.
    None,
}

/// How a row's surname was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SurnameMatch {
    /// The whole normalised name is on the list.
    Whole,
    /// One part of a hyphenated or spaced name is on the list.
    Part,
    /// Not on the list.
    NotListed,
    /// Null, or empty once normalised.
    Missing,
}

/// How a row's place was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlaceMatch {
    /// In the table.
    Listed,
    /// Well-formed but not in the table, or in it without residents.
    NotListed,
    /// Not of the expected form (see [`PlaceKind::normalize`]).
    Malformed,
    /// Null or blank.
    Missing,
    /// No place column was given.
    NotGiven,
}

/// One row's estimate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    /// The probabilities, or `None` when neither surname nor place was usable.
    pub probs: Option<RaceProbs>,
    /// What they rest on.
    pub basis: Basis,
    /// How the surname was found.
    pub surname: SurnameMatch,
    /// How the place was found.
    pub place: PlaceMatch,
}

/// The lookup tables: `P(i | surname)`, and for one kind of place `P(place | i)` and
/// `P(i | place)`.
///
/// A surname of up to 15 bytes (every name on the Census list) is keyed by its bytes packed in a
/// `u128`, so that a lookup compares numbers in the table rather than following a pointer to
/// text; longer names have their own map. Places are keyed by their code's number (a ZIP code
/// or an 11-digit FIPS code fits in a `u64`).
#[derive(Debug, Default)]
pub struct BisgTables {
    surnames: FxHashMap<u128, RaceProbs>,
    long_surnames: FxHashMap<Box<str>, RaceProbs>,
    place: Option<PlaceTables>,
}

/// A name of up to 15 bytes packed in a `u128`: its bytes, then its length in the last byte.
fn packed(name: &str) -> Option<u128> {
    let b = name.as_bytes();
    if b.len() > 15 {
        return None;
    }
    let mut k = [0u8; 16];
    k[..b.len()].copy_from_slice(b);
    k[15] = b.len() as u8;
    Some(u128::from_le_bytes(k))
}

#[derive(Debug)]
struct PlaceTables {
    kind: PlaceKind,
    given_race: FxHashMap<u64, RaceProbs>,
    race_given: FxHashMap<u64, RaceProbs>,
}

fn place_map(kind: PlaceKind, rows: Vec<(String, RaceProbs)>) -> FxHashMap<u64, RaceProbs> {
    rows.into_iter()
        .filter_map(|(k, v)| kind.key(&k).map(|k| (k, v)))
        .collect()
}

impl BisgTables {
    /// Tables with surnames only (keys already normalised, as on the Census list).
    pub fn new(surnames: Vec<(String, RaceProbs)>) -> BisgTables {
        let mut t = BisgTables::default();
        for (name, p) in surnames {
            match packed(&name) {
                Some(k) => t.surnames.insert(k, p),
                None => t.long_surnames.insert(name.into_boxed_str(), p),
            };
        }
        t
    }

    fn lookup(&self, name: &str) -> Option<&RaceProbs> {
        match packed(name) {
            Some(k) => self.surnames.get(&k),
            None => self.long_surnames.get(name),
        }
    }

    /// Adds the place tables of one kind: `P(place | i)` and `P(i | place)`, keyed by the
    /// normalised place ([`PlaceKind::normalize`]).
    pub fn with_places(
        mut self,
        kind: PlaceKind,
        place_given_race: Vec<(String, RaceProbs)>,
        race_given_place: Vec<(String, RaceProbs)>,
    ) -> BisgTables {
        self.place = Some(PlaceTables {
            kind,
            given_race: place_map(kind, place_given_race),
            race_given: place_map(kind, race_given_place),
        });
        self
    }

    /// The kind of place these tables look up, if any.
    pub fn place_kind(&self) -> Option<PlaceKind> {
        self.place.as_ref().map(|p| p.kind)
    }

    /// `P(i | s)` for a raw surname: the whole name normalised, else its parts in order.
    pub fn surname(&self, raw: Option<&str>) -> (Option<&RaceProbs>, SurnameMatch) {
        let Some(raw) = raw else {
            return (None, SurnameMatch::Missing);
        };
        thread_local! {
            static WHOLE: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
        }
        let found = WHOLE.with_borrow_mut(|whole| {
            normalize_surname_into(raw, whole);
            (!whole.is_empty()).then(|| self.lookup(whole))
        });
        match found {
            None => return (None, SurnameMatch::Missing),
            Some(Some(p)) => return (Some(p), SurnameMatch::Whole),
            Some(None) => {}
        }
        for part in surname_parts(raw) {
            if let Some(p) = self.lookup(&part) {
                return (Some(p), SurnameMatch::Part);
            }
        }
        (None, SurnameMatch::NotListed)
    }

    /// The place's two rows, `P(g | i)` and `P(i | g)`, for a raw place.
    fn place(&self, raw: Option<&str>) -> (Option<(&RaceProbs, &RaceProbs)>, PlaceMatch) {
        let Some(t) = &self.place else {
            return (None, PlaceMatch::NotGiven);
        };
        let Some(raw) = raw.filter(|r| !r.trim().is_empty()) else {
            return (None, PlaceMatch::Missing);
        };
        let Some(key) = t.kind.key(raw) else {
            return (None, PlaceMatch::Malformed);
        };
        // Places without residents are in the tables with empty rows (read as NaN).
        let known = |r: &&RaceProbs| r.iter().all(|x| x.is_finite());
        match (
            t.given_race.get(&key).filter(known),
            t.race_given.get(&key).filter(known),
        ) {
            (Some(a), Some(b)) => (Some((a, b)), PlaceMatch::Listed),
            _ => (None, PlaceMatch::NotListed),
        }
    }

    /// The estimate for one row (see the module's fallbacks).
    pub fn estimate(&self, surname: Option<&str>, place: Option<&str>) -> Estimate {
        let (s, surname) = self.surname(surname);
        let (g, place) = self.place(place);
        let (probs, basis) = match (s, g) {
            (Some(s), Some((given_race, _))) => match combine(s, given_race) {
                Some(q) => (Some(q), Basis::SurnameAndPlace),
                None => (Some(*s), Basis::Surname),
            },
            (Some(s), None) => (Some(*s), Basis::Surname),
            (None, Some((_, race_given))) => (Some(*race_given), Basis::Place),
            (None, None) => (None, Basis::None),
        };
        Estimate {
            probs,
            basis,
            surname,
            place,
        }
    }
}

/// Counts of rows by basis and by why a surname or place was not used; mergeable.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BisgCounts {
    /// Rows estimated.
    pub rows: u64,
    /// Rows estimated from surname and place.
    pub surname_and_place: u64,
    /// Rows estimated from the surname alone.
    pub surname_only: u64,
    /// Rows estimated from the place alone.
    pub place_only: u64,
    /// Rows left without probabilities.
    pub neither: u64,
    /// Surnames found only through one part of a hyphenated or spaced name.
    pub surname_by_part: u64,
    /// Surnames not on the list.
    pub surname_not_listed: u64,
    /// Surnames null or empty.
    pub surname_missing: u64,
    /// Places not in the table, or in it without residents.
    pub place_not_listed: u64,
    /// Places not of the expected form.
    pub place_malformed: u64,
    /// Places null or blank (with a place column).
    pub place_missing: u64,
    /// Places in the table with none of the surname's groups (surname alone used).
    pub place_without_surname_groups: u64,
}

impl BisgCounts {
    /// Counts one row.
    pub fn add(&mut self, e: &Estimate) {
        self.rows += 1;
        match e.basis {
            Basis::SurnameAndPlace => self.surname_and_place += 1,
            Basis::Surname => self.surname_only += 1,
            Basis::Place => self.place_only += 1,
            Basis::None => self.neither += 1,
        }
        match e.surname {
            SurnameMatch::Part => self.surname_by_part += 1,
            SurnameMatch::NotListed => self.surname_not_listed += 1,
            SurnameMatch::Missing => self.surname_missing += 1,
            SurnameMatch::Whole => {}
        }
        match e.place {
            PlaceMatch::NotListed => self.place_not_listed += 1,
            PlaceMatch::Malformed => self.place_malformed += 1,
            PlaceMatch::Missing => self.place_missing += 1,
            PlaceMatch::Listed if e.basis == Basis::Surname => {
                self.place_without_surname_groups += 1
            }
            PlaceMatch::Listed | PlaceMatch::NotGiven => {}
        }
    }

    /// Adds another part's counts.
    pub fn merge(&mut self, o: &BisgCounts) {
        self.rows += o.rows;
        self.surname_and_place += o.surname_and_place;
        self.surname_only += o.surname_only;
        self.place_only += o.place_only;
        self.neither += o.neither;
        self.surname_by_part += o.surname_by_part;
        self.surname_not_listed += o.surname_not_listed;
        self.surname_missing += o.surname_missing;
        self.place_not_listed += o.place_not_listed;
        self.place_malformed += o.place_malformed;
        self.place_missing += o.place_missing;
        self.place_without_surname_groups += o.place_without_surname_groups;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn surnames_normalise_as_surgeo_does() {
        let cases = [
            ("Dav 3idson", "DAVIDSON"),
            ("Smith Jr.", "SMITH"),
            ("smith, sr", "SMITH"),
            ("McDonald III", "MCDONALD"),
            ("Louis IV", "LOUIS"),
            ("o'neil", "ONEIL"),
            ("Garcia-Lopez", "GARCIALOPEZ"),
            ("  de la Cruz ", "DELACRUZ"),
            ("Müller", "MÜLLER"),
            ("Straße", "STRASSE"),
            ("Jr", ""),
            ("Leiv", "LE"),
            ("123", ""),
            // Suffixes go once each, in order JR, SR, III, IV.
            ("Smith Sr Jr", "SMITH"),
            ("Smith Jr Sr", "SMITHJR"),
            // A non-ASCII space survives the ASCII filter; the suffix rule takes one before it.
            ("Smith\u{a0}JR", "SMITH"),
            ("Smith\u{a0}\u{a0}JR", "SMITH\u{a0}"),
        ];
        for (raw, want) in cases {
            assert_eq!(normalize_surname(raw), want, "{raw:?}");
        }
    }

    #[test]
    fn parts_of_compound_surnames() {
        assert_eq!(surname_parts("Garcia-Lopez"), ["GARCIA", "LOPEZ"]);
        assert_eq!(surname_parts("Smith"), Vec::<String>::new());
        assert_eq!(surname_parts("Ruiz de Leon-Vargas"), ["RUIZ", "DE"]);
        assert_eq!(surname_parts("Smith Jr"), Vec::<String>::new());
    }

    #[test]
    fn places_normalise() {
        let z = PlaceKind::Zcta;
        assert_eq!(z.normalize("63144").as_deref(), Some("63144"));
        assert_eq!(z.normalize(" 2501 ").as_deref(), Some("02501"));
        assert_eq!(z.normalize("601").as_deref(), Some("00601"));
        assert_eq!(z.normalize("63144-0001").as_deref(), Some("63144"));
        assert_eq!(z.normalize("631440001").as_deref(), Some("63144"));
        assert_eq!(z.normalize("6314"), Some("06314".into()));
        for bad in [
            "abc",
            "631445",
            "63144-01",
            "",
            "12.5",
            "-1234",
            "1234é-678",
            "é12345678",
        ] {
            assert_eq!(z.normalize(bad), None, "{bad}");
        }
        for raw in [
            "63144",
            " 2501 ",
            "601",
            "63144-0001",
            "631440001",
            "abc",
            "631445",
            "0",
        ] {
            let via_text = z.normalize(raw).map(|k| k.parse::<u64>().unwrap());
            assert_eq!(z.key(raw), via_text, "{raw}");
        }
        let t = PlaceKind::Tract;
        assert_eq!(t.normalize("1001020100").as_deref(), Some("01001020100"));
        assert_eq!(t.normalize("06075010100").as_deref(), Some("06075010100"));
        assert_eq!(t.normalize("601"), None);
    }

    #[test]
    fn long_and_short_names_are_both_found() {
        let long = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
        let t = BisgTables::new(vec![
            (long.into(), [1.0, 0.0, 0.0, 0.0, 0.0, 0.0]),
            ("ABCDEFGHIJKLMNO".into(), [0.0, 1.0, 0.0, 0.0, 0.0, 0.0]),
            ("ABCDEFGHIJKLMN".into(), [0.0, 0.0, 1.0, 0.0, 0.0, 0.0]),
        ]);
        assert_eq!(
            t.surname(Some("abcdefghijklmnopqrstuvwxyz")).0.unwrap()[0],
            1.0
        );
        assert_eq!(t.surname(Some("abcdefghijklmno")).0.unwrap()[1], 1.0);
        assert_eq!(t.surname(Some("abcdefghijklmn")).0.unwrap()[2], 1.0);
        assert_eq!(t.surname(Some("abcdefghijklm")).1, SurnameMatch::NotListed);
        // A name that is another's prefix padded with zeros is not that name.
        assert_eq!(packed("AB"), packed("AB"));
        assert_ne!(packed("AB"), packed("AB\0"));
    }

    #[test]
    fn combine_is_bayes_rule() {
        // u = (0.5·0.1, 0.5·0.3, 0, …) = (0.05, 0.15): q = (0.25, 0.75).
        let s = [0.5, 0.5, 0.0, 0.0, 0.0, 0.0];
        let g = [0.1, 0.3, 0.2, 0.2, 0.1, 0.1];
        let q = combine(&s, &g).unwrap();
        assert!((q[0] - 0.25).abs() < 1e-15 && (q[1] - 0.75).abs() < 1e-15);
        assert_eq!(&q[2..], &[0.0; 4]);
        // The place has none of the surname's groups.
        assert_eq!(combine(&s, &[0.0, 0.0, 1.0, 0.0, 0.0, 0.0]), None);
    }

    fn tables() -> BisgTables {
        BisgTables::new(vec![
            ("GARCIA".into(), [0.05, 0.01, 0.01, 0.01, 0.02, 0.9]),
            ("LOPEZ".into(), [0.06, 0.0, 0.02, 0.0, 0.02, 0.9]),
            ("SMITH".into(), [0.7, 0.23, 0.005, 0.009, 0.022, 0.034]),
            ("YOO".into(), [0.0, 0.0, 1.0, 0.0, 0.0, 0.0]),
        ])
        .with_places(
            PlaceKind::Zcta,
            vec![
                ("02501".into(), [1e-6, 2e-6, 1e-6, 1e-6, 1e-6, 3e-6]),
                ("99990".into(), [1e-6, 0.0, 0.0, 0.0, 0.0, 0.0]),
                ("99991".into(), [f64::NAN; 6]),
            ],
            vec![
                ("99991".into(), [f64::NAN; 6]),
                ("02501".into(), [0.6, 0.2, 0.05, 0.05, 0.05, 0.05]),
                ("99990".into(), [1.0, 0.0, 0.0, 0.0, 0.0, 0.0]),
            ],
        )
    }

    #[test]
    fn estimates_and_their_fallbacks() {
        let t = tables();
        let e = t.estimate(Some("garcia"), Some("2501"));
        assert_eq!(
            (e.basis, e.surname, e.place),
            (
                Basis::SurnameAndPlace,
                SurnameMatch::Whole,
                PlaceMatch::Listed
            )
        );
        let u = [0.05e-6, 0.02e-6, 0.01e-6, 0.01e-6, 0.02e-6, 2.7e-6];
        let total: f64 = u.iter().sum();
        for (i, q) in e.probs.unwrap().iter().enumerate() {
            assert!((q - u[i] / total).abs() < 1e-15);
        }
        // A compound name found by its first part; an unknown name gets the place's mix.
        let e = t.estimate(Some("Garcia-Nobody"), Some("02501"));
        assert_eq!(
            (e.basis, e.surname),
            (Basis::SurnameAndPlace, SurnameMatch::Part)
        );
        let e = t.estimate(Some("Nobody-Lopez"), None);
        assert_eq!(e.probs.unwrap()[0], 0.06);
        let e = t.estimate(Some("Zzqx"), Some("02501"));
        assert_eq!(
            (e.basis, e.probs),
            (Basis::Place, Some([0.6, 0.2, 0.05, 0.05, 0.05, 0.05]))
        );
        // Bad or unknown places fall back to the surname.
        for (place, why) in [
            (Some("abc"), PlaceMatch::Malformed),
            (Some("12345"), PlaceMatch::NotListed),
            (Some("99991"), PlaceMatch::NotListed),
            (Some(" "), PlaceMatch::Missing),
            (None, PlaceMatch::Missing),
        ] {
            let e = t.estimate(Some("Smith"), place);
            assert_eq!((e.basis, e.place), (Basis::Surname, why), "{place:?}");
            assert_eq!(e.probs.unwrap()[1], 0.23);
        }
        // Yoo in a place with no Asian residents: the surname alone.
        let e = t.estimate(Some("Yoo"), Some("99990"));
        assert_eq!(e.basis, Basis::Surname);
        let e = t.estimate(Some("Zzqx"), Some("99991"));
        assert_eq!((e.basis, e.probs), (Basis::None, None));
        let e = t.estimate(None, Some("bad"));
        assert_eq!((e.basis, e.probs), (Basis::None, None));
        // Without place tables the place is not given.
        let e = BisgTables::new(vec![]).estimate(Some("Smith"), Some("02501"));
        assert_eq!((e.basis, e.place), (Basis::None, PlaceMatch::NotGiven));
    }

    #[test]
    fn counts_say_why_and_merge() {
        let t = tables();
        let rows = [
            (Some("Garcia"), Some("02501")),
            (Some("Garcia-X"), Some("x")),
            (Some("Zzqx"), Some("12345")),
            (None, None),
            (Some("Yoo"), Some("99990")),
        ];
        let mut a = BisgCounts::default();
        let mut b = BisgCounts::default();
        for (i, (s, g)) in rows.iter().enumerate() {
            let e = t.estimate(*s, *g);
            if i < 2 {
                a.add(&e)
            } else {
                b.add(&e)
            }
        }
        a.merge(&b);
        let want = BisgCounts {
            rows: 5,
            surname_and_place: 1,
            surname_only: 2,
            place_only: 0,
            neither: 2,
            surname_by_part: 1,
            surname_not_listed: 1,
            surname_missing: 1,
            place_not_listed: 1,
            place_malformed: 1,
            place_missing: 1,
            place_without_surname_groups: 1,
        };
        assert_eq!(a, want);
    }
}
