//! The binary state format: parts of a table computed apart, encoded, decoded in another order
//! and merged give exactly the single-pass state; wrong bytes are refused with a reason.

use fairgauge_core::drift::KllSketch;
use fairgauge_core::fairness::{CodedAttribute, FairnessBatch, FairnessState};
use fairgauge_core::fingerprint::ContentFingerprint;
use fairgauge_core::quality::hll::HyperLogLog;
use fairgauge_core::state_codec::{decode, encode, StateKind, MAGIC, VERSION};

fn splitmix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

struct Rows {
    y: Vec<Option<bool>>,
    p: Vec<Option<bool>>,
    s: Vec<Option<f64>>,
    a: Vec<u32>,
}

fn rows(n: usize) -> Rows {
    let r: Vec<u64> = (0..n as u64).map(splitmix).collect();
    Rows {
        y: r.iter().map(|x| Some(x % 3 == 0)).collect(),
        p: r.iter()
            .map(|x| {
                if x % 97 == 0 {
                    None
                } else {
                    Some((x >> 8) % 4 == 0)
                }
            })
            .collect(),
        s: r.iter()
            .map(|x| Some(((x >> 16) % 101) as f64 / 100.0))
            .collect(),
        a: r.iter().map(|x| ((x >> 24) % 3) as u32).collect(),
    }
}

fn count(r: &Rows, range: std::ops::Range<usize>, levels: &[Option<String>]) -> FairnessState {
    let mut st = FairnessState::new(vec!["a".into()], true, true);
    let a: Vec<u32> = r.a[range.clone()].to_vec();
    st.update(&FairnessBatch {
        label: &r.y[range.clone()],
        prediction: Some(&r.p[range.clone()]),
        score: Some(&r.s[range.clone()]),
        attributes: vec![CodedAttribute {
            name: "a",
            codes: &a,
            levels,
        }],
        weights: None,
        membership: None,
        row_offset: range.start,
    })
    .unwrap();
    st
}

#[test]
fn fairness_parts_encoded_and_merged_in_reverse_equal_one_pass() {
    let levels: Vec<Option<String>> = vec![Some("x".into()), Some("y".into()), Some("z".into())];
    let r = rows(50_000);
    let one = count(&r, 0..50_000, &levels);
    let cuts = [0, 7_000, 7_001, 23_456, 40_000, 50_000];
    let parts: Vec<Vec<u8>> = cuts
        .windows(2)
        .map(|w| encode(StateKind::Fairness, &count(&r, w[0]..w[1], &levels)).unwrap())
        .collect();
    let mut merged = FairnessState::new(vec!["a".into()], true, true);
    for p in parts.iter().rev() {
        let st: FairnessState = decode(StateKind::Fairness, p).unwrap();
        merged.merge(&st).unwrap();
    }
    assert_eq!(merged, one);
    // Compact: smaller than the JSON form.
    let bin = encode(StateKind::Fairness, &one).unwrap();
    let json = serde_json::to_vec(&one).unwrap();
    assert!(bin.len() < json.len(), "{} vs {}", bin.len(), json.len());
    assert_eq!(&bin[..4], MAGIC);
    assert_eq!(u16::from_le_bytes([bin[4], bin[5]]), VERSION);
}

#[test]
fn sketches_round_trip_and_merge() {
    let mut whole = KllSketch::new(200).unwrap();
    let mut a = KllSketch::new(200).unwrap();
    let mut b = KllSketch::new(200).unwrap();
    let mut ha = HyperLogLog::new(14).unwrap();
    let mut hb = HyperLogLog::new(14).unwrap();
    let mut hw = HyperLogLog::new(14).unwrap();
    let mut fa = ContentFingerprint::default();
    let mut fb = ContentFingerprint::default();
    let mut fw = ContentFingerprint::default();
    for i in 0..100_000u64 {
        let x = (splitmix(i) % 1_000_000) as f64 / 7.0;
        whole.update(x).unwrap();
        hw.insert_hash(splitmix(i / 3));
        fw.add(splitmix(i) as u128);
        if i % 2 == 0 {
            a.update(x).unwrap();
            ha.insert_hash(splitmix(i / 3));
            fa.add(splitmix(i) as u128);
        } else {
            b.update(x).unwrap();
            hb.insert_hash(splitmix(i / 3));
            fb.add(splitmix(i) as u128);
        }
    }
    // KLL: a decoded sketch is the sketch, bit for bit.
    let back: KllSketch = decode(StateKind::Kll, &encode(StateKind::Kll, &a).unwrap()).unwrap();
    assert_eq!(back, a);
    let mut m: KllSketch = decode(StateKind::Kll, &encode(StateKind::Kll, &b).unwrap()).unwrap();
    m.merge(&back).unwrap();
    assert_eq!(m.n(), whole.n());
    // HyperLogLog and the content fingerprint merge exactly.
    let mut h: HyperLogLog = decode(
        StateKind::HyperLogLog,
        &encode(StateKind::HyperLogLog, &hb).unwrap(),
    )
    .unwrap();
    h.merge(
        &decode(
            StateKind::HyperLogLog,
            &encode(StateKind::HyperLogLog, &ha).unwrap(),
        )
        .unwrap(),
    )
    .unwrap();
    assert_eq!(h, hw);
    let mut f: ContentFingerprint = decode(
        StateKind::ContentFingerprint,
        &encode(StateKind::ContentFingerprint, &fb).unwrap(),
    )
    .unwrap();
    f.merge(&fa);
    assert_eq!(f.finish(), fw.finish());
}

#[test]
fn wrong_bytes_are_refused_with_a_reason() {
    let good = encode(StateKind::HyperLogLog, &HyperLogLog::new(10).unwrap()).unwrap();
    let e = decode::<HyperLogLog>(StateKind::HyperLogLog, b"PK\x03\x04abc").unwrap_err();
    assert!(e.to_string().contains("magic"), "{e}");
    let mut newer = good.clone();
    let next = VERSION + 1;
    newer[4..6].copy_from_slice(&next.to_le_bytes());
    let e = decode::<HyperLogLog>(StateKind::HyperLogLog, &newer).unwrap_err();
    assert!(e.to_string().contains(&format!("version {next}")), "{e}");
    let e = decode::<KllSketch>(StateKind::Kll, &good).unwrap_err();
    assert!(e.to_string().contains("expected a KLL sketch"), "{e}");
    let e = decode::<HyperLogLog>(StateKind::HyperLogLog, &good[..good.len() / 2]).unwrap_err();
    assert!(e.to_string().contains("cannot decode"), "{e}");
}
