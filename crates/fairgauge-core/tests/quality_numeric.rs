//! `quality::numeric` against numpy 2.4.6 / scipy 1.17.1 on fixed samples.
//!
//! The fixtures were produced by this script (`/work/venv/bin/python`), which prints each
//! sorted sample with `repr` (exact round trip) and the reference values:
//!
//! ```python
//! import numpy as np, scipy.stats as st
//! Q = [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99]
//! rng = np.random.default_rng(20240611)
//! normal_outliers_21 = np.concatenate([rng.normal(10, 3, 19), [35.5, -20.25]])
//! int_ties_20 = rng.integers(0, 6, 20).astype(float)
//! lognormal_22 = rng.lognormal(0, 1, 22)
//! uniform_19 = rng.uniform(-1e6, 1e6, 19)
//! small_spread_20 = 1e9 + rng.normal(0, 1e-3, 20)
//! heavy_tail_23 = rng.standard_t(2, 23)
//! mostly_equal_20 = np.array([3.0]*11 + list(rng.normal(3, 1, 9)))
//! # then the hand-written edge cases one, two, all_equal_7, neg_zero_6, ties_even_8, ties_odd_9
//! # for each sample x = np.sort(x):
//! mean = np.mean(x); std = np.std(x, ddof=1)               # std: None when len(x) < 2
//! quantiles = np.quantile(x, Q)                              # method='linear'
//! distinct = len(np.unique(x))
//! mode = st.mode(x).mode, st.mode(x).count
//! q1, q3 = np.quantile(x, [0.25, 0.75]); iqr = st.iqr(x)     # asserted == q3 - q1
//! fences = (q1 - 1.5 * iqr, q3 + 1.5 * iqr)
//! iqr_outliers = np.sum((x < fences[0]) | (x > fences[1]))
//! median = np.median(x)
//! mad = np.median(np.abs(x - median))                        # asserted == st.median_abs_deviation(x)
//! robust_z_outliers = np.sum(np.abs(0.6745 * (x - median) / mad) > 3.5)   # None when mad == 0
//! ```
//!
//! Order statistics (quantiles, median, MAD, fences) and counts must match exactly (the
//! kernels reproduce numpy's arithmetic); the mean and standard deviation, summed in a
//! different order, to 1e-12 relative.

use fairgauge_core::quality::{
    count_outside, quantile_sorted, NumericProfile, IQR_K, QUANTILES, ROBUST_Z_CUTOFF,
};

struct Fixture {
    name: &'static str,
    sorted: &'static [f64],
    mean: f64,
    std: Option<f64>,
    quantiles: [f64; 7],
    distinct: u64,
    mode: (f64, u64),
    iqr: f64,
    fences: (f64, f64),
    iqr_outliers: u64,
    median: f64,
    mad: f64,
    robust_z_outliers: Option<u64>,
}

fn close(got: f64, want: f64, rel: f64) -> bool {
    got == want || (got - want).abs() <= rel * want.abs()
}

#[test]
fn profiles_match_numpy() {
    assert_eq!(IQR_K, 1.5);
    assert_eq!(ROBUST_Z_CUTOFF, 3.5);
    for f in FIXTURES {
        let x = f.sorted;
        let p = NumericProfile::from_sorted(x).unwrap();
        let name = f.name;
        assert_eq!(p.count, x.len() as u64, "{name}");
        assert_eq!(p.min, x[0], "{name}");
        assert_eq!(p.max, x[x.len() - 1], "{name}");
        assert!(
            close(p.mean, f.mean, 1e-12),
            "{name}: mean {} vs {}",
            p.mean,
            f.mean
        );
        match (p.std, f.std) {
            (Some(g), Some(w)) => assert!(close(g, w, 1e-12), "{name}: std {g} vs {w}"),
            (g, w) => assert_eq!(g, w, "{name}: std"),
        }
        assert_eq!(p.quantiles.len(), QUANTILES.len(), "{name}");
        for (i, &(q, v)) in p.quantiles.iter().enumerate() {
            assert_eq!(q, QUANTILES[i], "{name}");
            assert_eq!(v, f.quantiles[i], "{name}: quantile {q}");
            assert_eq!(quantile_sorted(x, q), v, "{name}: quantile_sorted {q}");
        }
        assert_eq!(p.distinct, f.distinct, "{name}: distinct");
        assert_eq!((p.mode, p.mode_count), f.mode, "{name}: mode");
        assert_eq!(
            p.mode.is_sign_negative(),
            f.mode.0.is_sign_negative(),
            "{name}: mode sign"
        );
        assert_eq!(p.iqr, f.iqr, "{name}: iqr");
        assert_eq!(p.iqr_fences, f.fences, "{name}: fences");
        assert_eq!(p.iqr_outliers, f.iqr_outliers, "{name}: iqr outliers");
        assert_eq!(p.median, f.median, "{name}: median");
        assert_eq!(p.mad, f.mad, "{name}: mad");
        assert_eq!(p.robust_z_outliers, f.robust_z_outliers, "{name}: robust z");
    }
}

#[test]
fn edge_cases() {
    assert_eq!(NumericProfile::from_sorted(&[]), None);

    let one = NumericProfile::from_sorted(&[2.5]).unwrap();
    assert_eq!((one.count, one.std, one.mad), (1, None, 0.0));
    assert_eq!(one.robust_z_outliers, None);
    assert!(one.quantiles.iter().all(|&(_, v)| v == 2.5));

    // All equal: MAD 0, so no robust z-scores; IQR 0 and no IQR outliers.
    let eq = NumericProfile::from_sorted(&[7.0; 5]).unwrap();
    assert_eq!(
        (eq.mean, eq.std, eq.iqr, eq.iqr_outliers),
        (7.0, Some(0.0), 0.0, 0)
    );
    assert_eq!((eq.distinct, eq.mode, eq.mode_count), (1, 7.0, 5));
    assert_eq!((eq.mad, eq.robust_z_outliers), (0.0, None));

    // -0.0 and 0.0 are one value.
    let z = NumericProfile::from_sorted(&[-0.0, 0.0, 0.0]).unwrap();
    assert_eq!((z.distinct, z.mode_count), (1, 3));
    assert_eq!(z.std, Some(0.0));
}

/// The MAD by its definition: allocate the deviations, sort them, take numpy's median.
fn mad_by_definition(sorted: &[f64], median: f64) -> f64 {
    let mut d: Vec<f64> = sorted.iter().map(|&x| (x - median).abs()).collect();
    d.sort_by(f64::total_cmp);
    let n = d.len();
    if n % 2 == 1 {
        d[n / 2]
    } else {
        (d[n / 2 - 1] + d[n / 2]) / 2.0
    }
}

#[test]
fn mad_merge_walk_on_large_samples() {
    // splitmix64 uniforms, skewed (u³) and with ties (rounded), odd and even n.
    let mut s = 0x5EEDu64;
    let mut next = || {
        s = s.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = s;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) >> 11) as f64 * 2f64.powi(-53)
    };
    for n in [9_999usize, 10_000, 10_001, 65_536] {
        for kind in 0..3 {
            let mut x: Vec<f64> = (0..n)
                .map(|_| {
                    let u = next();
                    match kind {
                        0 => u,
                        1 => u * u * u * 1e3 - 2.0,
                        _ => (u * 20.0).round() - 5.0,
                    }
                })
                .collect();
            x.sort_by(f64::total_cmp);
            let p = NumericProfile::from_sorted(&x).unwrap();
            assert_eq!(p.mad, mad_by_definition(&x, p.median), "n {n} kind {kind}");
        }
    }
}

// numpy 2.4.6: x = np.sort(np.random.default_rng(7).normal(0, 1, 13));
//   np.quantile(x, [0.0, 0.1, 1/3, 0.5, 0.9, 0.999, 1.0]);
//   np.sum((x < -0.5) | (x > 0.5)), np.sum((x < x[2]) | (x > x[9]))
const QX: [f64; 13] = [
    -0.9916465549964624,
    -0.8905918387572742,
    -0.6204748998199404,
    -0.49220651855132963,
    -0.45467078517172255,
    -0.2741378553622176,
    0.0012301533574825742,
    0.060143602597438485,
    0.10541424899789856,
    0.2987455375084699,
    0.35688700816006075,
    0.4898420501851982,
    1.3402152455545335,
];

#[test]
fn quantile_sorted_matches_numpy() {
    let qs = [0.0, 0.1, 1.0 / 3.0, 0.5, 0.9, 0.999, 1.0];
    let want = [
        -0.9916465549964624,
        -0.8365684509698074,
        -0.45467078517172255,
        0.0012301533574825742,
        0.46325104178017085,
        1.3300107672101011,
        1.3402152455545335,
    ];
    for (&q, &w) in qs.iter().zip(&want) {
        assert_eq!(quantile_sorted(&QX, q), w, "q = {q}");
    }
    assert_eq!(count_outside(&QX, -0.5, 0.5), 4);
    // Values equal to a bound are inside.
    assert_eq!(count_outside(&QX, QX[2], QX[9]), 5);
}

const FIXTURES: &[Fixture] = &[
    Fixture {
        name: "normal_outliers_21",
        sorted: &[
            -20.25,
            4.1455784547805585,
            4.630309468966073,
            5.589888508033115,
            7.20049614168445,
            7.216411927689313,
            7.636932117739632,
            7.8061454038586655,
            7.821849026652094,
            8.446799587046424,
            9.03491318054893,
            9.366432638328126,
            9.52476134311853,
            10.29561182539389,
            10.448787510887387,
            10.853356760707552,
            10.9582431760489,
            11.229086073680653,
            11.327325213298954,
            12.571811098374301,
            35.5,
        ],
        mean: 8.635939974135121,
        std: Some(9.097569882569621),
        quantiles: [
            -15.370884309043888,
            4.1455784547805585,
            7.216411927689313,
            9.03491318054893,
            10.853356760707552,
            12.571811098374301,
            30.914362219674878,
        ],
        distinct: 21,
        mode: (-20.25, 1),
        iqr: 3.636944833018239,
        fences: (1.7609946781619543, 16.30877401023491),
        iqr_outliers: 2,
        median: 9.03491318054893,
        mad: 1.8185012528596172,
        robust_z_outliers: Some(2),
    },
    Fixture {
        name: "int_ties_20",
        sorted: &[
            0.0, 0.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 2.0, 2.0, 2.0, 3.0, 3.0, 3.0, 4.0, 4.0, 5.0,
            5.0, 5.0, 5.0,
        ],
        mean: 2.45,
        std: Some(1.7312909694943341),
        quantiles: [0.0, 0.0, 1.0, 2.0, 4.0, 5.0, 5.0],
        distinct: 6,
        mode: (1.0, 6),
        iqr: 3.0,
        fences: (-3.5, 8.5),
        iqr_outliers: 0,
        median: 2.0,
        mad: 1.0,
        robust_z_outliers: Some(0),
    },
    Fixture {
        name: "lognormal_22",
        sorted: &[
            0.14056940102117677,
            0.14901937795706385,
            0.22078644406292616,
            0.30283080566535475,
            0.3592805892670054,
            0.41743299514689164,
            0.4195188838399121,
            0.44524295388743657,
            0.5156597360783479,
            0.5984726652728835,
            0.6031786394792812,
            0.6648362910725153,
            0.7243476432351187,
            0.8642323982364468,
            0.8764044578113516,
            0.9818044596361498,
            0.9959195586106541,
            1.2525240107775035,
            2.1296232421295884,
            2.3970966962809523,
            3.2332854201784857,
            5.455126561951409,
        ],
        mean: 1.079417874163566,
        std: Some(1.2481402080385995),
        quantiles: [
            0.14234389617771306,
            0.15260773126235697,
            0.41795446732014674,
            0.6340074652758982,
            0.9923907838670281,
            3.1914759839836084,
            4.988539922179093,
        ],
        distinct: 22,
        mode: (0.14056940102117677, 1),
        iqr: 0.5744363165468813,
        fences: (-0.44370000750017524, 1.85404525868735),
        iqr_outliers: 4,
        median: 0.6340074652758982,
        mad: 0.30295176780971816,
        robust_z_outliers: Some(3),
    },
    Fixture {
        name: "uniform_19",
        sorted: &[
            -931351.8883852299,
            -908195.126045124,
            -815746.7376906438,
            -677940.3655317317,
            -417773.83805222576,
            -339683.526134023,
            -238641.39684359054,
            -62512.249907844816,
            2430.5652212630957,
            111311.64744681632,
            325681.86047433433,
            398449.8959151781,
            452468.3809336296,
            512746.0088138704,
            560788.774620766,
            595282.9139355929,
            656272.95652634,
            884060.2287929216,
            896157.2207322228,
        ],
        mean: 52831.859201185354,
        std: Some(602959.7652347556),
        quantiles: [
            -927183.6711640108,
            -910510.8022791346,
            -378728.6820931244,
            111311.64744681632,
            536767.3917173182,
            885269.9279868518,
            893979.7621831485,
        ],
        distinct: 19,
        mode: (-931351.8883852299, 1),
        iqr: 915496.0738104426,
        fences: (-1751972.7928087884, 1910011.5024329822),
        iqr_outliers: 0,
        median: 111311.64744681632,
        mad: 450995.1735808393,
        robust_z_outliers: Some(0),
    },
    Fixture {
        name: "small_spread_20",
        sorted: &[
            999999999.9987361,
            999999999.9987986,
            999999999.9988909,
            999999999.9990022,
            999999999.999228,
            999999999.999394,
            999999999.9994247,
            999999999.9994985,
            999999999.9995115,
            999999999.9997867,
            999999999.9999511,
            1000000000.0001531,
            1000000000.0003757,
            1000000000.0003949,
            1000000000.0006001,
            1000000000.0006272,
            1000000000.0007254,
            1000000000.0011551,
            1000000000.0019312,
            1000000000.0021852,
        ],
        mean: 1000000000.0000185,
        std: Some(0.0009875802621827742),
        quantiles: [
            999999999.9987481,
            999999999.9987955,
            999999999.9993526,
            999999999.9998689,
            1000000000.0006069,
            1000000000.001944,
            1000000000.002137,
        ],
        distinct: 20,
        mode: (999999999.9987361, 1),
        iqr: 0.0012543201446533203,
        fences: (999999999.9974711, 1000000000.0024884),
        iqr_outliers: 0,
        median: 999999999.9998689,
        mad: 0.0006860494613647461,
        robust_z_outliers: Some(0),
    },
    Fixture {
        name: "heavy_tail_23",
        sorted: &[
            -1.8503416409299211,
            -1.7516810540601158,
            -1.0001280286055776,
            -0.7103368623434971,
            -0.6630964513531147,
            -0.5106995011357085,
            -0.4267785713164069,
            -0.396818307250592,
            0.0628640433093353,
            0.07721990447251992,
            0.16536313985332993,
            0.24007178704759033,
            0.4941877196156156,
            0.5043348763461268,
            0.5272791443593708,
            0.539974185825033,
            0.6108099522833266,
            1.0566017237642336,
            1.1095412824564166,
            1.2095032277955238,
            1.4814876022348418,
            2.1426056406078495,
            5.061183135227661,
        ],
        mean: 0.3466585629653844,
        std: Some(1.4145481302979586),
        quantiles: [
            -1.828636311818564,
            -1.6765257515146619,
            -0.4687390362260577,
            0.24007178704759033,
            0.8337058380237801,
            2.0764938367705477,
            4.419096086411305,
        ],
        distinct: 23,
        mode: (-1.8503416409299211, 1),
        iqr: 1.3024448742498378,
        fences: (-2.4224063476008144, 2.7873731493985368),
        iqr_outliers: 1,
        median: 0.24007178704759033,
        mad: 0.7507712881832989,
        robust_z_outliers: Some(1),
    },
    Fixture {
        name: "mostly_equal_20",
        sorted: &[
            1.9801070750073595,
            2.1759726964250836,
            2.3011642976008857,
            2.523246826641708,
            3.0,
            3.0,
            3.0,
            3.0,
            3.0,
            3.0,
            3.0,
            3.0,
            3.0,
            3.0,
            3.0,
            3.038157318143834,
            3.338946480595799,
            3.8772554573332023,
            3.967011711446446,
            4.385778190489635,
        ],
        mean: 3.0293820026841978,
        std: Some(0.5693492194221481),
        quantiles: [
            2.017321543076727,
            2.1661794153541973,
            3.0,
            3.0,
            3.0095393295359587,
            3.987950035398606,
            4.306212559471429,
        ],
        distinct: 10,
        mode: (3.0, 11),
        iqr: 0.009539329535958707,
        fences: (2.985691005696062, 3.0238483238398968),
        iqr_outliers: 9,
        median: 3.0,
        mad: 0.0,
        robust_z_outliers: None,
    },
    Fixture {
        name: "one",
        sorted: &[2.5],
        mean: 2.5,
        std: None,
        quantiles: [2.5, 2.5, 2.5, 2.5, 2.5, 2.5, 2.5],
        distinct: 1,
        mode: (2.5, 1),
        iqr: 0.0,
        fences: (2.5, 2.5),
        iqr_outliers: 0,
        median: 2.5,
        mad: 0.0,
        robust_z_outliers: None,
    },
    Fixture {
        name: "two",
        sorted: &[-1.0, 4.0],
        mean: 1.5,
        std: Some(3.5355339059327378),
        quantiles: [-0.95, -0.75, 0.25, 1.5, 2.75, 3.75, 3.95],
        distinct: 2,
        mode: (-1.0, 1),
        iqr: 2.5,
        fences: (-3.5, 6.5),
        iqr_outliers: 0,
        median: 1.5,
        mad: 2.5,
        robust_z_outliers: Some(0),
    },
    Fixture {
        name: "all_equal_7",
        sorted: &[0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1],
        // numpy.mean gives 0.09999999999999999 and numpy.std(ddof=1) 1.4989724041661926e-17
        // (rounding of its sum); fairgauge returns the exact mean and 0 when min == max.
        mean: 0.1,
        std: Some(0.0),
        quantiles: [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1],
        distinct: 1,
        mode: (0.1, 7),
        iqr: 0.0,
        fences: (0.1, 0.1),
        iqr_outliers: 0,
        median: 0.1,
        mad: 0.0,
        robust_z_outliers: None,
    },
    Fixture {
        name: "neg_zero_6",
        sorted: &[-2.0, -0.0, -0.0, 0.0, 0.0, 1.0],
        mean: -0.16666666666666666,
        std: Some(0.983192080250175),
        quantiles: [-1.9, -1.5, 0.0, 0.0, 0.0, 0.75, 0.9500000000000002],
        distinct: 3,
        mode: (-0.0, 4),
        iqr: 0.0,
        fences: (0.0, 0.0),
        iqr_outliers: 2,
        median: 0.0,
        mad: 0.0,
        robust_z_outliers: None,
    },
    Fixture {
        name: "ties_even_8",
        sorted: &[1.0, 1.0, 2.0, 2.0, 3.0, 3.0, 10.0, 10.0],
        mean: 4.0,
        std: Some(3.779644730092272),
        quantiles: [1.0, 1.0, 1.75, 2.5, 4.75, 10.0, 10.0],
        distinct: 4,
        mode: (1.0, 2),
        iqr: 3.0,
        fences: (-2.75, 9.25),
        iqr_outliers: 2,
        median: 2.5,
        mad: 1.0,
        robust_z_outliers: Some(2),
    },
    Fixture {
        name: "ties_odd_9",
        sorted: &[-5.0, 1.0, 1.0, 1.0, 2.0, 2.0, 2.0, 3.0, 40.0],
        mean: 5.222222222222222,
        std: Some(13.245544324203685),
        quantiles: [
            -4.52,
            -2.5999999999999996,
            1.0,
            2.0,
            2.0,
            25.19999999999999,
            37.04,
        ],
        distinct: 5,
        mode: (1.0, 3),
        iqr: 1.0,
        fences: (-0.5, 3.5),
        iqr_outliers: 2,
        median: 2.0,
        mad: 1.0,
        robust_z_outliers: Some(2),
    },
];
