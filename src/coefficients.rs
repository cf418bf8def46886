//! Published coefficient sets, as data. Each row names its source next to
//! the numbers; "confidence" repeats the label of the project's science notes
//! (algorithms.md: exact = read from a primary or operational source,
//! derived = read from a third-party tabulation). The lookups by name
//! (`ocx_set`, `ci_set`, ...) are at the end.

use crate::error::{join, Error, Result};
use crate::sensors::Sensor;

/// A maximum-band-ratio (OCx) polynomial:
/// chl = 10^(a0 + a1 X + a2 X^2 + a3 X^3 + a4 X^4), X = log10(max(Rrs_blue) / Rrs_green).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OcxSet {
    /// Name as users call it (`coefficients=` in the API).
    pub name: &'static str,
    /// Sensors this set is published for.
    pub sensors: &'static [&'static str],
    pub blues: &'static [u16],
    pub green: u16,
    pub a: [f64; 5],
    pub source: &'static str,
}

/// NASA l2gen guards for OCx (ocssw src/l2gen/get_chl.c and chl.h):
/// the ratio must lie in (0.21, 30); chl is clipped to [0.001, 1000] mg m-3.
pub const OCX_MIN_RATIO: f64 = 0.21;
pub const OCX_MAX_RATIO: f64 = 30.0;
pub const CHL_MIN: f64 = 0.001;
pub const CHL_MAX: f64 = 1000.0;

const OW2019: &str = "O'Reilly & Werdell 2019, Remote Sens. Environ. 229:32-47, Table 6 (NASA's R2022 standard chl_ocx / chlor_a; \
R2018 and earlier used version 6); \
tabulated in acolite data/Shared/algorithms/chl_oc/defaults.txt and oceancolouR R/CHLA_OCX.R (exact)";
const V6: &str = "NASA OBPG OCx version 6 (R2009-R2018 reprocessings), oceancolor.gsfc.nasa.gov reprocessing/r2009/ocv6 (exact)";

pub static OCX_SETS: &[OcxSet] = &[
    // --- PACE OCI: NASA's OCI chlor_a OCx coefficients and bands were not found in the
    // sources searched; SeaWiFS's OC4 (same coefficients as the row below) on OCI's nearest
    // bands 442/490/510/555 nm, a SUBSTITUTE stated in the source. Prefer --sensor-bands olci-a.
    OcxSet { name: "oc4", sensors: &["pace-oci"], blues: &[442, 490, 510], green: 555,
        a: [0.32814, -3.20725, 3.22969, -1.36769, -0.81739],
        source: "SUBSTITUTE: SeaWiFS OC4 of O'Reilly & Werdell 2019 Table 6 on PACE OCI bands 442/490/510/555 nm \
(NASA's own OCI coefficients not found); oceancolour's choice, not NASA's OCI chlor_a" },
    // --- SeaWiFS
    OcxSet { name: "oc4", sensors: &["seawifs"], blues: &[443, 490, 510], green: 555,
        a: [0.32814, -3.20725, 3.22969, -1.36769, -0.81739], source: OW2019 },
    OcxSet { name: "oc4v6", sensors: &["seawifs"], blues: &[443, 490, 510], green: 555,
        a: [0.3272, -2.9940, 2.7218, -1.2259, -0.5683],
        source: "NASA OBPG OC4 version 6 (R2009-R2018), ocv6 page; reproduces SeaWiFS R2018.0 chlor_a (see validation/)" },
    OcxSet { name: "oc4v4", sensors: &["seawifs"], blues: &[443, 490, 510], green: 555,
        a: [0.366, -3.067, 1.930, 0.649, -1.532],
        source: "O'Reilly et al. 2000 (SeaWiFS Postlaunch Tech. Rep. Ser. 11), NASA R2000 reprocessing oc4_reprocess page (exact); the OC4 Gohin et al. 2002 built OC5 on" },
    OcxSet { name: "oc3s", sensors: &["seawifs"], blues: &[443, 490], green: 555,
        a: [0.2515, -2.3798, 1.5823, -0.6372, -0.5692], source: V6 },
    OcxSet { name: "oc2s", sensors: &["seawifs"], blues: &[490], green: 555,
        a: [0.2511, -2.0853, 1.5035, -3.1747, 0.3383],
        source: "NASA OBPG OC2 (v6 era), oceancolouR R/CHLA_OCX.R (derived)" },
    // --- MODIS-Aqua
    OcxSet { name: "oc3", sensors: &["modis-aqua"], blues: &[443, 488], green: 547,
        a: [0.26294, -2.64669, 1.28364, 1.08209, -1.76828], source: OW2019 },
    OcxSet { name: "oc3m-547", sensors: &["modis-aqua"], blues: &[443, 488], green: 547,
        a: [0.2424, -2.7423, 1.8017, 0.0015, -1.2280], source: V6 },
    OcxSet { name: "oc2m", sensors: &["modis-aqua"], blues: &[488], green: 547,
        a: [0.2500, -2.4752, 1.4061, -2.8233, 0.5405],
        source: "NASA OBPG OC2 (v6 era), oceancolouR R/CHLA_OCX.R (derived)" },
    // --- MERIS
    OcxSet { name: "oc4", sensors: &["meris"], blues: &[443, 490, 510], green: 560,
        a: [0.42487, -3.20974, 2.89721, -0.75258, -0.98259], source: OW2019 },
    OcxSet { name: "oc4e", sensors: &["meris"], blues: &[443, 490, 510], green: 560,
        a: [0.3255, -2.7677, 2.4409, -1.1288, -0.4990], source: V6 },
    OcxSet { name: "oc5-oreilly2019", sensors: &["meris"], blues: &[412, 443, 490, 510], green: 560,
        a: [0.43282, -3.12934, 3.04872, -1.43479, -0.25474],
        source: "O'Reilly & Werdell 2019 five-band OCx (NOT Gohin's OC5), acolite chl_oc/defaults.txt (exact)" },
    // --- OLCI
    OcxSet { name: "oc4", sensors: &["olci-a", "olci-b"], blues: &[443, 490, 510], green: 560,
        a: [0.42540, -3.21679, 2.86907, -0.62628, -1.09333], source: OW2019 },
    OcxSet { name: "oc3", sensors: &["olci-a", "olci-b"], blues: &[443, 490], green: 560,
        a: [0.41712, -2.56402, 1.22219, 1.02751, -1.56804],
        source: "O'Reilly & Werdell 2019 OC3 for OLCI, as tabulated in FCMm R/Chla_estimation.R (derived)" },
    OcxSet { name: "oc5-oreilly2019", sensors: &["olci-a", "olci-b"], blues: &[412, 443, 490, 510], green: 560,
        a: [0.43213, -3.13001, 3.05479, -1.45176, -0.24947],
        source: "O'Reilly & Werdell 2019 five-band OCx (NOT Gohin's OC5), acolite chl_oc/defaults.txt (exact)" },
    OcxSet { name: "oc4me", sensors: &["meris", "olci-a", "olci-b"], blues: &[443, 490, 510], green: 560,
        a: [0.4502748, -3.259491, 3.52271, -3.359422, 0.949586],
        source: "ESA MERIS/OLCI OC4Me (Morel & Antoine 2011 ATBD), as used in RBINS EUNOSAT scripts (derived); the ratio is the same on rho_w and Rrs" },
    // --- VIIRS
    OcxSet { name: "oc3", sensors: &["viirs-snpp"], blues: &[443, 486], green: 551,
        a: [0.23548, -2.63001, 1.65498, 0.16117, -1.37247], source: OW2019 },
    OcxSet { name: "oc3v", sensors: &["viirs-snpp"], blues: &[443, 486], green: 551,
        a: [0.2228, -2.4683, 1.5867, -0.4275, -0.7768],
        source: "NASA OBPG OC3V version 6: a0, a1 from the ocv6 page (exact); a2-a4 as tabulated in oceancolouR R/OCX.R, 'global NASA coefficients as of Nov 2020' (derived)" },
    OcxSet { name: "oc4-oreilly2019", sensors: &["viirs-snpp"], blues: &[410, 443, 486], green: 551,
        a: [0.26101, -2.53974, 1.63454, -0.21157, -0.66549], source: OW2019 },
    OcxSet { name: "oc3", sensors: &["viirs-noaa20"], blues: &[445, 489], green: 556,
        a: [0.28153, -2.65472, 1.30882, 1.31521, -2.08622],
        source: "O'Reilly & Werdell 2019 OC3 for VIIRS-JPSS1 (SeaDAS), acolite chl_oc/defaults.txt (exact)" },
    // NOAA-21 (JPSS-2): no NOAA-21 OCx set was found (not in O'Reilly & Werdell 2019, not in the
    // tabulations above). The nearest published set is applied: NASA's VIIRS-JPSS1 OC3 (same
    // coefficients as the row above) on NOAA-21's provisional bands 445/487/554 (sensors/registry.toml).
    OcxSet { name: "oc3", sensors: &["viirs-noaa21"], blues: &[445, 487], green: 554,
        a: [0.28153, -2.65472, 1.30882, 1.31521, -2.08622],
        source: "NOT a NOAA-21 set (none found): O'Reilly & Werdell 2019 OC3 for VIIRS-JPSS1 (SeaDAS, acolite chl_oc/defaults.txt), \
applied to VIIRS-NOAA21's nearest bands 445/487/554 nm" },
];

/// Hu et al. colour index: chl = 10^(a0 + a1 CI).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CiSet {
    pub name: &'static str,
    pub a: [f64; 2],
    /// OCI blending thresholds (mg m-3) used with this set in practice.
    pub blend: [f64; 2],
    pub source: &'static str,
}

pub static CI_SETS: &[CiSet] = &[
    CiSet {
        name: "hu2019",
        a: [-0.4287, 230.47],
        blend: [0.25, 0.35],
        source: "Hu et al. 2019, J. Geophys. Res. Oceans 124:1524-1543; NASA's R2022 chlor_a: coefficients and thresholds 0.25/0.35 of \
ocssw get_chl.c chl_hu/chl_oci in l2gen 9.6 (V2023) and 10.1 (exact)",
    },
    CiSet {
        name: "hu2012",
        a: [-0.4909, 191.6590],
        blend: [0.15, 0.20],
        source: "Hu, Lee & Franz 2012, J. Geophys. Res. 117:C01011; NASA's chlor_a up to R2018: coefficients and thresholds 0.15/0.20 of \
ocssw get_chl.c chl_hu/chl_oci in l2gen 9.5.0 (QiaoFeng0419/ocssw-src @8218bc2), reproducing NASA's R2018.0 MODIS-Aqua chlor_a (exact)",
    },
];

/// The CI baseline uses nominal 443, 555 and 670 nm whatever the sensor
/// (ocssw get_chl.c chl_hu, after converting green to 555).
pub const CI_BASELINE_WEIGHT: f64 = (555.0 - 443.0) / (670.0 - 443.0);

/// What NASA used in one reprocessing for one sensor: the OCx set (chl_ocx,
/// and the OCx side of chlor_a), the CI set and OCI thresholds (chlor_a), the
/// KD2 set (Kd_490). `None` where the value was not found; `source` says where
/// each value was read.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PresetRow {
    pub sensor: &'static str,
    pub ocx: Option<&'static str>,
    pub ci: &'static str,
    pub oci_thresholds: [f64; 2],
    pub kd2: Option<&'static str>,
    pub source: &'static str,
}

/// A NASA reprocessing's algorithm choices, per sensor (a config preset).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Preset {
    pub name: &'static str,
    pub description: &'static str,
    /// Where the values common to every row were read.
    pub source: &'static str,
    pub rows: &'static [PresetRow],
}

const R2018_CODE: &str = "CI Hu 2012 and OCI 0.15/0.20 hard-coded in ocssw get_chl.c chl_hu/chl_oci (l2gen 9.5.0, \
QiaoFeng0419/ocssw-src @8218bc2; the R2018.0 granule's l2gen 9.2 is reproduced by it, tests/python/test_nasa_fidelity.py)";
const R2022_CODE: &str = "CI Hu 2019 and OCI 0.25/0.35 hard-coded in ocssw get_chl.c chl_hu/chl_oci (read in l2gen 10.1, \
fengqiaogh/ocssw_src; l2gen 9.6 V2023, the R2022 era, has the same per the project's l2gen-fidelity notes); OCx O'Reilly & Werdell 2019 (NASA R2022 \
reprocessing, the paper's Table 6 sets); KD2 from the NASA Kd ATBD (R2022 share/ defaults not in the mirrors: not re-read)";

pub static PRESETS: &[Preset] = &[
    Preset {
        name: "r2018",
        description: "NASA OBPG reprocessing R2018.0 (l2gen 9.x, OCx version 6, Hu et al. 2012 CI)",
        source: R2018_CODE,
        rows: &[
            PresetRow {
                sensor: "modis-aqua",
                ocx: Some("oc3m-547"),
                ci: "hu2012",
                oci_thresholds: [0.15, 0.20],
                kd2: Some("kd2m"),
                source: "OCx and KD2 read in a real R2018.0 MODIS-Aqua L2 file's processing_control/input_parameters \
(chloc3_wave 443 488 547, chloc3_coef 0.2424 -2.7423 1.8017 0.0015 -1.2280 = OC3M v6; kd2_wave 488 547, kd2_coef = KD2M)",
            },
            PresetRow {
                sensor: "seawifs",
                ocx: Some("oc4v6"),
                ci: "hu2012",
                oci_thresholds: [0.15, 0.20],
                kd2: Some("kd2s"),
                source: "OC4v6 reproduces NASA's R2018.0 SeaWiFS L3 chlor_a (validation/test_regression.py); KD2S: Kd ATBD",
            },
            PresetRow {
                sensor: "meris",
                ocx: Some("oc4e"),
                ci: "hu2012",
                oci_thresholds: [0.15, 0.20],
                kd2: Some("kd2e"),
                source: "OC4E version 6 (ocv6 page; not checked on an R2018 MERIS file); KD2E: Kd ATBD",
            },
            PresetRow {
                sensor: "viirs-snpp",
                ocx: Some("oc3v"),
                ci: "hu2012",
                oci_thresholds: [0.15, 0.20],
                kd2: Some("kd2v"),
                source: "OC3V version 6 (ocv6 page; not checked on an R2018 VIIRS file); KD2V: Kd ATBD",
            },
            PresetRow {
                sensor: "viirs-noaa20",
                ocx: None,
                ci: "hu2012",
                oci_thresholds: [0.15, 0.20],
                kd2: Some("kd2v"),
                source: "no version-6 OCx for VIIRS-JPSS1 is held (not found); KD2V: Kd ATBD",
            },
            PresetRow {
                sensor: "olci-a",
                ocx: None,
                ci: "hu2012",
                oci_thresholds: [0.15, 0.20],
                kd2: None,
                source: "l2gen 9.5 get_chl.c get_chl_ocx takes chl_oc3 for OLCI with OLCI's share/ chloc3 defaults, not in the mirrors \
(not found)",
            },
            PresetRow { sensor: "olci-b", ocx: None, ci: "hu2012", oci_thresholds: [0.15, 0.20], kd2: None, source: "as olci-a (not found)" },
        ],
    },
    Preset {
        name: "r2022",
        description: "NASA OBPG reprocessing R2022.0 (l2gen 9.6+, O'Reilly & Werdell 2019 OCx, Hu et al. 2019 CI)",
        source: R2022_CODE,
        rows: &[
            PresetRow { sensor: "seawifs", ocx: Some("oc4"), ci: "hu2019", oci_thresholds: [0.25, 0.35], kd2: Some("kd2s"), source: "OW2019 OC4 for SeaWiFS" },
            PresetRow {
                sensor: "modis-aqua",
                ocx: Some("oc3"),
                ci: "hu2019",
                oci_thresholds: [0.25, 0.35],
                kd2: Some("kd2m"),
                source: "OW2019 OC3 for MODIS-Aqua",
            },
            PresetRow { sensor: "meris", ocx: Some("oc4"), ci: "hu2019", oci_thresholds: [0.25, 0.35], kd2: Some("kd2e"), source: "OW2019 OC4 for MERIS" },
            PresetRow {
                sensor: "viirs-snpp",
                ocx: Some("oc3"),
                ci: "hu2019",
                oci_thresholds: [0.25, 0.35],
                kd2: Some("kd2v"),
                source: "OW2019 OC3 for VIIRS-SNPP",
            },
            PresetRow {
                sensor: "viirs-noaa20",
                ocx: Some("oc3"),
                ci: "hu2019",
                oci_thresholds: [0.25, 0.35],
                kd2: Some("kd2v"),
                source: "OW2019 OC3 for VIIRS-JPSS1",
            },
            // OLCI: l2gen 10.1 get_chl.c get_chl_ocx takes chl_oc4 for OLCIS3A/B (9.5 took chl_oc3).
            PresetRow {
                sensor: "olci-a",
                ocx: Some("oc4"),
                ci: "hu2019",
                oci_thresholds: [0.25, 0.35],
                kd2: Some("kd2e"),
                source: "OC4 for OLCI: ocssw get_chl.c get_chl_ocx (l2gen 10.1); KD2E applied to OLCI (this library's choice)",
            },
            PresetRow { sensor: "olci-b", ocx: Some("oc4"), ci: "hu2019", oci_thresholds: [0.25, 0.35], kd2: Some("kd2e"), source: "as olci-a" },
            // New sensors: NASA's own choices for them were not found; the rows repeat the nearest sensor's.
            PresetRow {
                sensor: "modis-terra",
                ocx: Some("oc3"),
                ci: "hu2019",
                oci_thresholds: [0.25, 0.35],
                kd2: Some("kd2m"),
                source: "as modis-aqua (OW2019 tabulates one MODIS OC3; NASA's Terra-specific choice not found)",
            },
            PresetRow {
                sensor: "viirs-noaa21",
                ocx: Some("oc3"),
                ci: "hu2019",
                oci_thresholds: [0.25, 0.35],
                kd2: Some("kd2v"),
                source: "as viirs-noaa20: OW2019 OC3 for VIIRS-JPSS1 on NOAA-21's bands (no NOAA-21 set found)",
            },
            PresetRow { sensor: "olci-c", ocx: Some("oc4"), ci: "hu2019", oci_thresholds: [0.25, 0.35], kd2: Some("kd2e"), source: "as olci-a" },
        ],
    },
];

/// A preset's row for a sensor: an error names the presets, or says which
/// sensor the preset has no row for.
pub fn preset(name: &str, sensor: &str) -> std::result::Result<&'static PresetRow, String> {
    let p = PRESETS
        .iter()
        .find(|p| p.name.eq_ignore_ascii_case(name.trim()))
        .ok_or_else(|| format!("unknown preset {name:?}; presets: {}", PRESETS.iter().map(|p| p.name).collect::<Vec<_>>().join(", ")))?;
    p.rows.iter().find(|r| r.sensor == sensor).ok_or_else(|| format!("preset {} has no row for sensor {sensor}", p.name))
}

/// NASA's empirical conversion of a green band to 555 nm for the CI
/// (ocssw src/l2gen/convert_band.c conv_rrs_to_555, exact):
/// Rrs555 = 10^(a1 log10(Rrs) - b1) if Rrs < sw, else a2 Rrs - b2.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GreenTo555 {
    pub from_nm: u16,
    pub sw: f64,
    pub a1: f64,
    pub b1: f64,
    pub a2: f64,
    pub b2: f64,
}

pub static GREEN_TO_555: &[GreenTo555] = &[
    GreenTo555 { from_nm: 547, sw: 0.001723, a1: 0.986, b1: 0.081495, a2: 1.031, b2: 0.000216 },
    GreenTo555 { from_nm: 550, sw: 0.001597, a1: 0.988, b1: 0.062195, a2: 1.014, b2: 0.000128 },
    GreenTo555 { from_nm: 560, sw: 0.001148, a1: 1.023, b1: -0.103624, a2: 0.979, b2: -0.000121 },
    GreenTo555 { from_nm: 565, sw: 0.000891, a1: 1.039, b1: -0.183044, a2: 0.971, b2: -0.000170 },
];

/// No conversion, as a row of the same form so that kernels need no branch:
/// the linear branch (always taken, sw = -inf) with slope 1 and offset 0.
/// Not a published row: conv_rrs_to_555 simply returns the input there.
pub static GREEN_AT_555: GreenTo555 = GreenTo555 { from_nm: 555, sw: f64::NEG_INFINITY, a1: 1.0, b1: 0.0, a2: 1.0, b2: 0.0 };

/// conv_rrs_to_555 applies no conversion within 2 nm of 555 (`GREEN_AT_555`),
/// and uses the nearest tabulated band otherwise (551 -> 550 row, 556 -> none).
pub fn green_to_555(green_nm: u16) -> &'static GreenTo555 {
    if (green_nm as i32 - 555).abs() <= 2 {
        return &GREEN_AT_555;
    }
    GREEN_TO_555.iter().min_by_key(|g| (g.from_nm as i32 - green_nm as i32).abs()).expect("the table has rows")
}

/// KD2: Kd490 = 0.0166 + 10^(a0 + a1 X + ... + a4 X^4), X = log10(Rrs_blue / Rrs_green).
/// NASA Kd ATBD (oceancolor.gsfc.nasa.gov/resources/atbd/kd), exact.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Kd2Set {
    pub name: &'static str,
    pub blue: &'static [u16],
    pub green: &'static [u16],
    pub a: [f64; 5],
    pub source: &'static str,
}

/// Water term of KD2 and the l2gen clip range (get_Kd.c KD_MIN/KD_MAX).
pub const KD2_WATER: f64 = 0.0166;
pub const KD_MIN: f64 = 0.016;
pub const KD_MAX: f64 = 6.4;

const KD_ATBD: &str = "NASA OBPG Kd(490) ATBD, KD2 coefficients table (exact)";

/// `blue`/`green` list the band names a set accepts across the sensors that use it.
pub static KD2_SETS: &[Kd2Set] = &[
    Kd2Set { name: "kd2s", blue: &[490], green: &[555], a: [-0.8515, -1.8263, 1.8714, -2.4414, -1.0690], source: KD_ATBD },
    Kd2Set { name: "kd2m", blue: &[488], green: &[547], a: [-0.8813, -2.0584, 2.5878, -3.4885, -1.5061], source: KD_ATBD },
    Kd2Set {
        name: "kd2e",
        blue: &[490],
        green: &[560],
        a: [-0.8641, -1.6549, 2.0112, -2.5174, -1.1035],
        source: "NASA OBPG Kd(490) ATBD, KD2E (MERIS); applied to OLCI's identical 490/560 bands (exact for MERIS)",
    },
    // KD2V is published for VIIRS (SNPP 486/551; NOAA-20's 489/556 as NASA applies it). 487/554 are
    // VIIRS-NOAA21's bands: KD2V applied there as the nearest published set (no NOAA-21 KD2 found).
    Kd2Set {
        name: "kd2v",
        blue: &[486, 489, 487],
        green: &[551, 556, 554],
        a: [-0.8730, -1.8912, 1.8021, -2.3865, -1.0453],
        source: "NASA OBPG Kd(490) ATBD, KD2 coefficients table (exact); on VIIRS-NOAA21 (487/554) the nearest published set, not a NOAA-21 one",
    },
];

/// Morel Kd490 from chlorophyll: Kd490 = Kw + chi chl^e.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MorelKdSet {
    pub name: &'static str,
    pub kw: f64,
    pub chi: f64,
    pub e: f64,
    pub source: &'static str,
}

pub static MOREL_KD490: &[MorelKdSet] = &[
    MorelKdSet {
        name: "morel2007",
        kw: 0.01660,
        chi: 0.077746,
        e: 0.672846,
        source: "Morel et al. 2007, Remote Sens. Environ. 111:69-88, as coded in ocssw l2gen Kd490_morel (exact)",
    },
    MorelKdSet {
        name: "morel-maritorena2001",
        kw: 0.01660,
        chi: 0.07242,
        e: 0.68955,
        source: "Morel & Maritorena 2001, J. Geophys. Res. 106:7163, 490 nm values (derived)",
    },
];

/// KdPAR over the first or second optical depth from Kd490, Morel et al. 2007
/// (ocssw l2gen Kd_PAR_morel, exact): KdPAR = c0 + c1 Kd490 + c2 / Kd490.
pub static KDPAR_MOREL2007: &[(&str, [f64; 3])] = &[("first", [0.0864, 0.884, -0.00137]), ("second", [0.0665, 0.874, -0.00121])];

/// A/(1 - rho_w/C) reflectance algorithms (Nechad et al.): value = A rho_w / (1 - rho_w / C),
/// rho_w = pi Rrs. One row per wavelength of the published calibration.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NechadNode {
    pub nm: f64,
    pub a: f64,
    pub c: f64,
}

/// Nechad, Ruddick & Park 2010, Remote Sens. Environ. 114:854-866, SPM (g m-3) calibration,
/// the nodes of the published 2.5 nm table held here (transcribed in acolite
/// data/Shared/algorithms/Nechad/SPM_N2010_Published.txt; exact).
pub static NECHAD2010_SPM: &[NechadNode] = &[
    NechadNode { nm: 555.0, a: 111.79, c: 0.1449 },
    NechadNode { nm: 560.0, a: 104.20, c: 0.1449 },
    NechadNode { nm: 620.0, a: 213.55, c: 0.1533 },
    NechadNode { nm: 645.0, a: 253.51, c: 0.1641 },
    NechadNode { nm: 665.0, a: 355.85, c: 0.1728 },
    NechadNode { nm: 667.5, a: 374.11, c: 0.1738 },
    NechadNode { nm: 670.0, a: 384.11, c: 0.1747 },
    NechadNode { nm: 680.0, a: 408.84, c: 0.1788 },
    NechadNode { nm: 710.0, a: 561.94, c: 0.1892 },
    NechadNode { nm: 865.0, a: 2971.93, c: 0.2115 },
];

/// Nechad et al. 2009 (Proc. SPIE 7473) turbidity (FNU) calibration nodes held here
/// (acolite Turbidity_N2009_Published.txt; exact).
pub static NECHAD2009_TURBIDITY: &[NechadNode] =
    &[NechadNode { nm: 645.0, a: 208.41, c: 0.1641 }, NechadNode { nm: 665.0, a: 282.95, c: 0.1728 }, NechadNode { nm: 670.0, a: 294.24, c: 0.1747 }];

/// How far (nm) A and C may be interpolated between held nodes. The published
/// table is at 2.5 nm; we only hold some nodes, so interpolation between nodes
/// further apart than this is refused rather than guessed.
pub const NECHAD_MAX_GAP_NM: f64 = 10.0;

/// Outside the held nodes, the nearest one is used within half the published
/// tables' 2.5 nm step: VIIRS-SNPP's 671 nm takes the 670 nm node, an
/// approximation (not a published value at 671): on the 665-670 nm slope of
/// the 2009 turbidity table (A 282.95 -> 294.24, 0.8% per nm) A(670) is ~0.8%
/// below A(671).
pub const NECHAD_NEAREST_NM: f64 = 1.25;

/// A and C at a band centre: exact at a node, else linear between the two
/// held nodes around it when they are at most `NECHAD_MAX_GAP_NM` apart, else
/// the nearest node within `NECHAD_NEAREST_NM`.
pub fn nechad_at(table: &[NechadNode], nm: f64) -> Option<NechadNode> {
    if let Some(n) = table.iter().find(|n| (n.nm - nm).abs() < 1e-9) {
        return Some(*n);
    }
    let lo = table.iter().rev().find(|n| n.nm < nm);
    let hi = table.iter().find(|n| n.nm > nm);
    match (lo, hi) {
        (Some(lo), Some(hi)) if hi.nm - lo.nm <= NECHAD_MAX_GAP_NM => {
            let w = (nm - lo.nm) / (hi.nm - lo.nm);
            Some(NechadNode { nm, a: lo.a + w * (hi.a - lo.a), c: lo.c + w * (hi.c - lo.c) })
        }
        _ => [lo, hi].into_iter().flatten().find(|n| (n.nm - nm).abs() <= NECHAD_NEAREST_NM).map(|n| NechadNode { nm, ..*n }),
    }
}

/// Dogliotti et al. 2015, Remote Sens. Environ. 156:157-168: T = A rho_w / (1 - rho_w / C)
/// at 645 nm (red) and 859 nm (NIR), blended on rho_w(red) between 0.05 and 0.07
/// (acolite data/Shared/algorithms/Dogliotti/defaults.txt; exact).
pub const DOGLIOTTI_RED: NechadNode = NechadNode { nm: 645.0, a: 228.1, c: 0.1641 };
pub const DOGLIOTTI_NIR: NechadNode = NechadNode { nm: 859.0, a: 3078.9, c: 0.2112 };
pub const DOGLIOTTI_BLEND: [f64; 2] = [0.05, 0.07];
/// How far (nm) a red band may sit from 645 nm for Dogliotti's own A, C.
pub const DOGLIOTTI_RED_MATCH_NM: f64 = 2.5;
/// How far (nm) a NIR band may sit from 859 nm for Dogliotti's NIR A, C
/// (859-868 nm bands: water absorption, hence A, changes little there).
pub const DOGLIOTTI_NIR_MAX_OFFSET_NM: f64 = 10.0;

/// A and C of the red branch of Dogliotti's blend at a red band centre:
/// Dogliotti's 645 nm calibration within `DOGLIOTTI_RED_MATCH_NM` of it;
/// elsewhere (665-671 nm red bands) no Dogliotti calibration was published,
/// and the Nechad et al. 2009 turbidity A, C at the band are used, the
/// calibration Dogliotti's form comes from (Dogliotti et al. 2015 s2; their
/// 645 nm A = 228.1 is itself a recalibration of Nechad's 208.41 there, so
/// this mixes two calibrations: measured effect in README "Turbidity").
pub fn dogliotti_red_node(centre_nm: f64) -> Option<(NechadNode, &'static str)> {
    if (centre_nm - DOGLIOTTI_RED.nm).abs() <= DOGLIOTTI_RED_MATCH_NM {
        return Some((DOGLIOTTI_RED, "Dogliotti et al. 2015 645 nm calibration"));
    }
    nechad_at(NECHAD2009_TURBIDITY, centre_nm).map(|n| (n, "Nechad et al. 2009 turbidity A, C at the band (no Dogliotti calibration there)"))
}

/// A calibrated constant of this library (not a published coefficient):
/// value, what it was fitted on and how.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Calibration {
    pub value: f64,
    pub source: &'static str,
}

/// Mineral calibration factor of the forward model (`bio_optical`): scales
/// Babin et al. 2003's a*_NAP and bb*_min together. With the published
/// constants the model is several times too bright per gram of SPM against
/// in situ TSM (oc5-open-table.md s1.1); this factor is fitted, it is not
/// Gohin's (whose SPM coefficients were not found). OC5 does not depend on it.
pub const GOHIN_SPM_MINERAL_SCALE: Calibration = Calibration {
    value: 0.2305,
    source: "CALIBRATION (this library, not a published value): median of SPM(k=1)/TSM on the N=84 rows with \
TSM of the CoastColour calibration half (validation/data/ccrr_calibration_half.csv, Nechad et al. 2015 ESSD), \
MERIS bands, chl from the open OC5 table; SPM scales exactly as 1/k, so this k gives a median SPM/TSM of 1 \
on those rows (validation/oc5.py prints the fit). The model with Babin 2003 constants is ~4.3x too bright per gram",
};

/// Green-to-red switch of the non-algal SPM inversion, on the saturation of
/// the green band s = u_green / u_green(SPM -> infinity): green alone below
/// the first value, red alone above the second, linear between. A design
/// choice of this library where green loses half its sensitivity to SPM;
/// Gohin 2011 describes the switch in very turbid water but its threshold was
/// not found.
pub const GOHIN_SPM_SWITCH: [f64; 2] = [0.5, 0.7];

/// The spm_gohin algorithms, selectable by name: the switching Nechad SPM
/// (default, issue 14) and the earlier forward-model inversion.
pub const SPM_GOHIN_ALGORITHMS: &[(&str, &str)] = &[
    ("nechad-switching", "green -> red -> NIR switching Nechad et al. 2010 SPM with one calibration factor (issue 14)"),
    ("forward-model", "this library's forward model inverted at green, red where green saturates, OC5 chl removing the algal part"),
];

/// Switch points of the switching SPM: a band gives way to the next one as
/// rho_w/C of the band (C its Nechad 2010 saturation) goes from the first
/// value to the second (linear blend). NOT a published value: the scheme is
/// Novoa et al. 2017's (Remote Sens. 9:61; Han et al. 2016, Remote Sens. 8:211,
/// blend likewise), but their thresholds could not be verified here, so these
/// are this library's choice (validation/turbid/README.md), configurable
/// (`[coefficients] spm_gohin_switch`, Python `switch=`).
pub const SPM_SWITCH_FRACTIONS: [f64; 2] = [0.03, 0.08];

/// The NIR band of the switching SPM: the sensor's 709 nm band (MERIS, OLCI;
/// Nechad 2010 710 nm node within NECHAD_NEAREST_NM of 708.75). Sensors
/// without it switch green -> red only.
pub const SPM_SWITCH_NIR_NOMINAL: u16 = 709;

/// Calibration factor of the switching SPM (multiplies the Nechad value).
pub const SPM_SWITCHING_SCALE: Calibration = Calibration {
    value: SPM_SWITCHING_SCALE_VALUE,
    source: "CALIBRATION (this library, not a published value): median of TSM/SPM(factor 1) on the N=91 rows with \
TSM and a valid estimate of the CoastColour calibration half (validation/data/ccrr_calibration_half.csv, Nechad \
et al. 2015 ESSD), MERIS bands 560/665/709, switch fractions SPM_SWITCH_FRACTIONS; only the calibration half is \
used (validation/turbid/evaluate.py prints the fit)",
};
const SPM_SWITCHING_SCALE_VALUE: f64 = 1.2364;

/// A constant set of Gons et al. 2005 red/NIR chlorophyll.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GonsConstants {
    pub name: &'static str,
    /// Chlorophyll-specific absorption at 665 nm (m2 mg-1).
    pub a_star: f64,
    /// Exponent of bb.
    pub p: f64,
    pub source: &'static str,
}

/// Both constant sets of the RBINS EUNOSAT scripts (algorithms.md s4.7, "derived": the scripts
/// disagree; which goes with which processing is not documented, so neither is assigned to one).
pub static GONS_CONSTANTS: &[GonsConstants] = &[
    GonsConstants {
        name: "a016-p106",
        a_star: 0.016,
        p: 1.06,
        source: "Gons et al. 2005 (Gons, Rijkeboer & Ruddick, J. Plankton Res. 27:125) as coded in one RBINS EUNOSAT script (algorithms.md s4.7)",
    },
    GonsConstants {
        name: "a0146-p105",
        a_star: 0.0146,
        p: 1.05,
        source: "Gons et al. 2005 as coded in the other RBINS EUNOSAT script (x 1/0.0146; algorithms.md s4.7)",
    },
];
/// Pure-water absorption (m-1) at 709 and 665 nm of the Gons algorithm (RBINS scripts, algorithms.md s4.7).
pub const GONS_AW709: f64 = 0.70;
pub const GONS_AW665: f64 = 0.40;
/// bb = GONS_BB[0] rho779 / (GONS_BB[1] - GONS_BB[2] rho779) (algorithms.md s4.7).
pub const GONS_BB: [f64; 3] = [1.61, 0.082, 0.6];
/// Gons is used in the EUNOSAT blend only above this value (mg m-3; algorithms.md s1.8).
pub const GONS_MIN: f64 = 2.0;

/// The EUNOSAT thresholds for using Gons (algorithms.md s1.8, RBINS scripts, "exact" as coded).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EunosatThresholds {
    pub name: &'static str,
    /// OC4Me at or above which (mg m-3).
    pub oc4_min: f64,
    /// rho_w(665) at or above which.
    pub rho665_min: f64,
    pub source: &'static str,
}

pub static EUNOSAT_THRESHOLDS: &[EunosatThresholds] = &[
    EunosatThresholds { name: "A", oc4_min: 8.5, rho665_min: 0.0081, source: "EUNOSAT version A (Polymer input), RBINS scripts (algorithms.md s1.8)" },
    EunosatThresholds { name: "B", oc4_min: 8.1, rho665_min: 0.0076, source: "EUNOSAT version B (C2RCC input), RBINS scripts (algorithms.md s1.8)" },
];

/// The Gons constant set of a name.
pub fn gons_constants(name: &str) -> Result<&'static GonsConstants> {
    GONS_CONSTANTS.iter().find(|c| c.name == name).ok_or_else(|| Error::InvalidParameter {
        name: "constants".into(),
        reason: format!("unknown Gons 2005 constant set {name:?}; known: {}", crate::error::join(GONS_CONSTANTS.iter().map(|c| c.name))),
    })
}

/// The EUNOSAT thresholds of a version name.
pub fn eunosat_thresholds(name: &str) -> Result<&'static EunosatThresholds> {
    EUNOSAT_THRESHOLDS.iter().find(|c| c.name == name).ok_or_else(|| Error::InvalidParameter {
        name: "version".into(),
        reason: format!("unknown EUNOSAT version {name:?}; known: {}", crate::error::join(EUNOSAT_THRESHOLDS.iter().map(|c| c.name))),
    })
}

/// OC5CI blend: CI below 0.15 mg m-3, OC5 above 0.20, linear between
/// (GlobColour/CMEMS practice, Mercator Ocean Journal Sept 2021, algorithms.md s1.9; exact).
/// Which CI coefficients GlobColour uses is not known; hu2012 is the default
/// here as the set published with these thresholds (`defaults::OC5CI_CI`).
pub const OC5CI_BLEND: [f64; 2] = [0.15, 0.20];

// ------------------------------------------------------------ lookups by name

/// The OCx coefficient sets published for a sensor.
pub fn ocx_sets(sensor: &Sensor) -> impl Iterator<Item = &'static OcxSet> + '_ {
    let published = move |o: &&OcxSet| o.sensors.contains(&sensor.name) || o.sensors.contains(&sensor.coefficients_as);
    OCX_SETS.iter().filter(published).filter(move |o| o.blues.iter().chain([&o.green]).all(|&b| sensor.band(b).is_ok()))
}

fn unknown_set(kind: &str, sensor: &str, name: &str, available: String) -> Error {
    Error::UnknownCoefficientSet { kind: kind.into(), sensor: sensor.into(), name: name.into(), available }
}

/// The OCx set `name` for `sensor`; "default" is the sensor's default.
pub fn ocx_set(sensor: &Sensor, name: &str) -> Result<&'static OcxSet> {
    let key = if name.eq_ignore_ascii_case("default") { sensor.default_ocx } else { name };
    ocx_sets(sensor).find(|o| o.name.eq_ignore_ascii_case(key)).ok_or_else(|| unknown_set("OCx", sensor.name, name, join(ocx_sets(sensor).map(|o| o.name))))
}

pub fn ci_set(name: &str) -> Result<&'static CiSet> {
    CI_SETS.iter().find(|c| c.name.eq_ignore_ascii_case(name)).ok_or_else(|| unknown_set("CI", "any sensor", name, join(CI_SETS.iter().map(|c| c.name))))
}

pub fn kd2_set(sensor: &Sensor, name: Option<&str>) -> Result<&'static Kd2Set> {
    let key = name.filter(|n| !n.eq_ignore_ascii_case("default")).unwrap_or(sensor.kd2);
    KD2_SETS.iter().find(|k| k.name.eq_ignore_ascii_case(key)).ok_or_else(|| unknown_set("KD2", sensor.name, key, join(KD2_SETS.iter().map(|k| k.name))))
}

pub fn morel_kd_set(name: &str) -> Result<&'static MorelKdSet> {
    MOREL_KD490
        .iter()
        .find(|m| m.name.eq_ignore_ascii_case(name))
        .ok_or_else(|| unknown_set("Morel Kd490", "any sensor", name, join(MOREL_KD490.iter().map(|m| m.name))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ocx_names_are_unique_per_sensor() {
        for s in crate::sensors::all().unwrap() {
            let names: Vec<_> = super::ocx_sets(s).map(|o| o.name).collect();
            let mut dedup = names.clone();
            dedup.sort();
            dedup.dedup();
            assert_eq!(names.len(), dedup.len(), "{}", s.name);
            assert!(names.contains(&s.default_ocx), "{} default", s.name);
        }
    }

    #[test]
    fn preset_rows_name_existing_sets() {
        for p in PRESETS {
            for r in p.rows {
                let s = crate::sensors::sensor(r.sensor).unwrap();
                if let Some(o) = r.ocx {
                    assert!(super::ocx_set(s, o).is_ok(), "{} {} {o}", p.name, r.sensor);
                }
                let ci = super::ci_set(r.ci).unwrap();
                assert_eq!(ci.blend, r.oci_thresholds, "{} {}: the CI set's own thresholds", p.name, r.sensor);
                if let Some(k) = r.kd2 {
                    assert!(super::kd2_set(s, Some(k)).is_ok(), "{} {} {k}", p.name, r.sensor);
                }
            }
        }
        assert_eq!(preset("R2018", "modis-aqua").unwrap().ocx, Some("oc3m-547"));
        assert!(preset("r2030", "seawifs").unwrap_err().contains("r2018, r2022"));
    }

    #[test]
    fn nechad_interpolation_is_exact_at_nodes_and_refuses_wide_gaps() {
        assert_eq!(nechad_at(NECHAD2010_SPM, 665.0).unwrap().a, 355.85);
        let m = nechad_at(NECHAD2010_SPM, 666.25).unwrap();
        assert!((m.a - (355.85 + 374.11) / 2.0).abs() < 1e-9);
        assert!(nechad_at(NECHAD2010_SPM, 600.0).is_none());
        // Nearest node within half the published 2.5 nm step, and no further.
        assert_eq!(nechad_at(NECHAD2009_TURBIDITY, 671.0).unwrap().a, 294.24);
        assert!(nechad_at(NECHAD2009_TURBIDITY, 671.5).is_none());
    }

    #[test]
    fn dogliotti_red_branch_by_band() {
        assert_eq!(dogliotti_red_node(645.0).unwrap().0, DOGLIOTTI_RED);
        assert_eq!(dogliotti_red_node(665.0).unwrap().0.a, 282.95);
        let m = dogliotti_red_node(667.0).unwrap().0;
        assert!((m.a - (282.95 + 0.4 * (294.24 - 282.95))).abs() < 1e-9);
        assert_eq!(dogliotti_red_node(671.0).unwrap().0.a, 294.24);
        assert!(dogliotti_red_node(655.0).is_none());
    }
}
