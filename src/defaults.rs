//! Every default a user can change, in one place: the chain's configuration,
//! the command line and the Python signatures read these. Where a pyo3
//! signature must spell the value out (so that `help()` shows it), the glue
//! checks it against the constant here at compile time.

/// OCx set: the sensor's own default (`Sensor::default_ocx`).
pub const OCX: &str = "default";
/// Colour-index set of CI and OCI: NASA's current coefficients (Hu et al. 2019).
pub const CI: &str = "hu2019";
/// KD2 set: the sensor's own (`Sensor::kd2`).
pub const KD2: &str = "default";
/// Colour-index set of OC5CI: hu2012, the set published with the
/// GlobColour blend thresholds (`coefficients::OC5CI_BLEND`); which CI
/// coefficients GlobColour uses is not known.
pub const OC5CI_CI: &str = "hu2012";
/// Recipe of the open OC5-like tables (`oc5::C1Recipe`): the correction
/// bounded at the reference ratio (issue 14); "open-oc5-c1-1" selectable.
pub const OC5_RECIPE: &str = "open-oc5-c1-2";
/// spm_gohin algorithm: the switching Nechad SPM (issue 14); "forward-model" the earlier one.
pub const SPM_GOHIN_ALGORITHM: &str = "nechad-switching";
/// chl_eunosat: Gons constants and EUNOSAT thresholds version. Which constant
/// set goes with which version is not documented (algorithms.md s4.7); this
/// pairing is this library's default, both stay selectable.
pub const EUNOSAT_CONSTANTS: &str = "a016-p106";
pub const EUNOSAT_VERSION: &str = "A";
/// Kd(490) from chlorophyll: Morel et al. 2007, as l2gen.
pub const MOREL_KD490: &str = "morel2007";
/// OC5 applicability tests: version B (RBINS-1 `apply_OC5_v2`, the code that could be
/// read; docs/uncertainty.md s1).
pub const OC5_CLASS_VERSION: &str = "B";
/// The chain writes `<product>_uncertainty` (and `oc5_class` beside chl_oc5) unless told not to.
pub const WRITE_UNCERTAINTY: bool = true;
/// KdPAR over the first optical depth (Morel et al. 2007).
pub const KDPAR_DEPTH: &str = "first";

/// Granules in flight at once: one computing while the next one reads
/// (more than 2 rarely helps, `chain`).
pub const JOBS: usize = 2;
/// Rows per block of the chain: bounds memory whatever the granule size.
pub const BLOCK_ROWS: usize = 256;
/// Seconds a granule's open or block read may take before the run is declared
/// hung (`chain::watchdog`; OCEANCOLOUR_READ_TIMEOUT): a block of 256 rows of a
/// full OLCI granule reads in well under a second locally, so 300 s only fires
/// on a read that loops, or a file system that stalls.
pub const READ_TIMEOUT_S: f64 = 300.0;

/// Binning: bins with fewer observations are dropped (OCSSW `minobs`).
pub const MIN_OBS: u32 = 1;
/// Averaging of `bin_l2`, `oceancolour bin` and the fusion configuration: arithmetic, as
/// NASA's l2bin (geometric only when asked).
pub const AVERAGING: &str = "arithmetic";

/// Intercalibration method and its parameters. OC-CCI's own values are not
/// published (fusion.md s10.2): these are this library's, not a published algorithm's.
pub const INTERCAL_METHOD: &str = "log_offset";
pub const QUANTILES: usize = 101;
pub const FIELD_BLOCK: (usize, usize) = (8, 8);
pub const SEASONS: usize = 12;
pub const WINDOW_DAYS: f64 = 30.0;
pub const MIN_PAIRS: u32 = 30;

/// Merging space (log10 for chlorophyll and SPM, fusion.md s3).
pub const MERGE_SPACE: &str = "log10";

/// Kriging: variogram model (PyKrige's parameterisation), neighbours per
/// estimate, lag bins and observations of the empirical variogram.
pub const VARIOGRAM: &str = "exponential";
pub const NEIGHBOURS: usize = 32;
pub const LAGS: usize = 20;
pub const VARIOGRAM_POINTS: usize = 3000;

/// `a == b` in a constant context (the glue's compile-time checks of the
/// defaults its signatures spell out).
pub const fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}
