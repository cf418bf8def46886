//! The fusion configuration (TOML `--config`, one table per command; command-line options override it).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::defaults;
use crate::error::{Error, Result};
use crate::fusion::binning::{Averaging, OutOfRange};
use crate::fusion::grid::GridSpec;
use crate::fusion::intercal::{Method, MethodOptions};

/// The fusion configuration (TOML, `--config`): one table per command.
/// Command-line options override it; the effective table is recorded in
/// each output. Unknown keys are errors.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FusionConfig {
    /// Sensor registry files, as `process`'s configuration (`chain::config::add_sensor_registry`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sensor_registry: Vec<std::path::PathBuf>,
    pub bin: BinConfig,
    pub intercal: IntercalConfig,
    pub merge: MergeConfig,
    pub l4: L4Config,
    pub output: FusionOutput,
}

/// `[output.attributes]`: global attributes written into every fusion
/// output, as `process`'s (reserved names refused).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FusionOutput {
    pub attributes: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BinConfig {
    /// `isin:NROWS` or `regular:LON_MIN,LON_MAX,LAT_MIN,LAT_MAX,DLON,DLAT`.
    pub grid: Option<String>,
    /// Product variable of the inputs (default: the only one in the file).
    pub variable: Option<String>,
    /// arithmetic | geometric; default arithmetic, as NASA's l2bin
    /// (`l2bin_input.cpp`; l2gen-fidelity.md item 3). Geometric sums (of
    /// ln x) carry `averaging_scheme = "geometric"` on their variable, which
    /// our reader honours and refuses to add to arithmetic sums.
    pub averaging: Option<String>,
    /// Bins with fewer observations are dropped (OCSSW `minobs`; at least 1).
    pub min_obs: u32,
    /// What happens to Level-2 values outside the product's valid range
    /// (`fusion::binning::VALID_RANGES`, with their sources): drop (l2bin
    /// V2026, the default) | clamp (l2bin V2023) | keep.
    pub out_of_range: Option<String>,
    /// Drop a pixel from the binned product where any product of its Level-2
    /// file is invalid there (l2bin bins a pixel for all its products or for none).
    pub drop_all_invalid: bool,
    /// Data day YYYY-MM-DD: l2bin `prodtype=day`. Level-2 inputs of the day
    /// before and after are accepted and their pixels of another data day
    /// near the dateline dropped; without it every Level-2 input must be of one UTC day.
    pub data_day: Option<String>,
}

impl BinConfig {
    /// Checks the options before any file is read (a usage error, exit 2).
    pub fn check(&self) -> Result<()> {
        self.grid.as_deref().map(GridSpec::parse).transpose()?;
        self.averaging.as_deref().map(Averaging::parse).transpose()?;
        out_of_range_rule(self.out_of_range.as_deref())?;
        self.data_day.as_deref().map(parse_data_day).transpose()?;
        Ok(())
    }
}

/// How out-of-range Level-2 values are treated (`BinConfig::out_of_range`).
pub(super) fn out_of_range_rule(name: Option<&str>) -> Result<Option<OutOfRange>> {
    match name.unwrap_or("drop") {
        "drop" => Ok(Some(OutOfRange::Drop)),
        "clamp" => Ok(Some(OutOfRange::Clamp)),
        "keep" => Ok(None),
        other => Err(Error::InvalidParameter { name: "out_of_range".into(), reason: format!("{other:?} is not one of drop, clamp, keep") }),
    }
}

/// The data day asked for (`BinConfig::data_day`), checked.
pub fn parse_data_day(text: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| Error::InvalidParameter { name: "data_day".into(), reason: format!("{text:?} is not a date YYYY-MM-DD") })
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct IntercalConfig {
    pub variable: Option<String>,
    /// log_offset | rma | quantile | field (fusion::intercal).
    pub method: String,
    /// Quantiles of the quantile mapping.
    pub nq: usize,
    /// Field method: cells per block (rows, columns), seasons per year,
    /// half-width of the day-of-year window, pairs needed for a local value.
    /// OC-CCI's own values are not published (fusion.md s10.2): these are
    /// this library's defaults, not a published algorithm's.
    pub block: [usize; 2],
    pub nseason: usize,
    pub window_days: f64,
    pub min_pairs: u32,
}

impl Default for IntercalConfig {
    fn default() -> Self {
        IntercalConfig {
            variable: None,
            method: defaults::INTERCAL_METHOD.into(),
            nq: defaults::QUANTILES,
            block: [defaults::FIELD_BLOCK.0, defaults::FIELD_BLOCK.1],
            nseason: defaults::SEASONS,
            window_days: defaults::WINDOW_DAYS,
            min_pairs: defaults::MIN_PAIRS,
        }
    }
}

impl IntercalConfig {
    pub fn method(&self) -> Result<Method> {
        let o = MethodOptions {
            nq: self.nq,
            block: (self.block[0], self.block[1]),
            nseason: self.nseason,
            window_days: self.window_days,
            min_pairs: self.min_pairs,
        };
        Method::parse(&self.method, &o)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MergeConfig {
    pub variable: Option<String>,
    /// log10 (chlorophyll, SPM) | linear.
    pub space: String,
    /// Error variance of each sensor in the merging space (log10 units^2),
    /// e.g. its matchup RMSD^2. GlobColour's per-sensor errors are not
    /// public (fusion.md s10.3); with none given the sensors weigh equally.
    pub error_variance: BTreeMap<String, f64>,
    /// Correction file per sensor (`intercal fit` output).
    pub corrections: BTreeMap<String, PathBuf>,
}

impl Default for MergeConfig {
    fn default() -> Self {
        MergeConfig { variable: None, space: defaults::MERGE_SPACE.into(), error_variance: BTreeMap::new(), corrections: BTreeMap::new() }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct L4Config {
    /// exponential | spherical (PyKrige's parameterisation, fusion::krige).
    pub variogram: String,
    /// Variogram in log10 units^2 and km; all three given, or none (fitted).
    pub psill: Option<f64>,
    pub range_km: Option<f64>,
    pub nugget: Option<f64>,
    /// Neighbours per estimate.
    pub k: usize,
    /// Weight of the previous analysis in the first guess (fusion.md s4.1:
    /// alpha = exp(-dt/L_t); no published L_t, so no default).
    pub alpha: Option<f64>,
    /// Empirical variogram: lag bins, largest lag (default half the
    /// observations' bounding-box diagonal, `krige::fit_variogram_to_data`),
    /// observations used at most.
    pub nlags: usize,
    pub max_lag_km: Option<f64>,
    pub max_points: usize,
    /// Filter the merged error variance (sigma^2 of `merge`) as observation
    /// noise. Unset: on when the merged errors come from the inputs' per-pixel
    /// uncertainties (`error_source = "uncertainty"`), off otherwise.
    pub observation_noise: Option<bool>,
    /// First-guess variable name (default: the merged product's name).
    pub first_guess_variable: Option<String>,
}

impl Default for L4Config {
    fn default() -> Self {
        L4Config {
            variogram: defaults::VARIOGRAM.into(),
            psill: None,
            range_km: None,
            nugget: None,
            k: defaults::NEIGHBOURS,
            alpha: None,
            nlags: defaults::LAGS,
            max_lag_km: None,
            max_points: defaults::VARIOGRAM_POINTS,
            observation_noise: None,
            first_guess_variable: None,
        }
    }
}

impl FusionConfig {
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::file(path, format!("cannot be read: {e}")))?;
        let mut c: FusionConfig = toml::from_str(&text).map_err(|e| Error::file(path, format!("invalid fusion configuration: {e}")))?;
        c.sensor_registry = crate::chain::config::add_sensor_registry(&c.sensor_registry, path)?;
        for name in c.output.attributes.keys() {
            if let Some(problem) = crate::chain::config::attribute_name_problem(name) {
                return Err(Error::file(path, format!("invalid fusion configuration: output.attributes.{name} {problem}")));
            }
        }
        Ok(c)
    }
}

pub(super) fn toml_of<T: Serialize>(table: &str, t: &T) -> String {
    let body = toml::to_string(t).expect("the configuration always serialises");
    format!("[{table}]\n{body}")
}
