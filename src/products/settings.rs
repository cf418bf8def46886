//! The coefficient choices of the products: the `[coefficients]` table of
//! the chain's configuration, and what the Python keyword arguments set
//! (each product row names its keywords and the field each one sets,
//! `products::Choice`). Defaults from `defaults`.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::coefficients::GOHIN_SPM_MINERAL_SCALE;
use crate::defaults;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Coefficients {
    /// OCx set (`oc.ocx_coefficient_sets(sensor)`), or "default" (the sensor's).
    pub ocx: String,
    /// Colour-index set (`oc.ci_coefficient_sets()`).
    pub ci: String,
    /// OCI blend thresholds (mg m-3); default: those published with the CI set.
    pub oci_thresholds: Option<[f64; 2]>,
    /// KD2 set, or "default" (the sensor's).
    pub kd2: String,
    /// Band of the Nechad SPM/turbidity algorithms; default: the sensor's red band.
    pub nechad_wavelength: Option<u16>,
    /// OC5 table file (netCDF written by `Oc5Table.save`); default: the
    /// sensor's open OC5-like table built by this library.
    pub oc5_table: Option<PathBuf>,
    /// Recipe of the sensor's open OC5-like table when no `oc5_table` is
    /// given (`oc5::C1Recipe`; default `defaults::OC5_RECIPE`).
    pub oc5_recipe: String,
    /// Colour-index set of OC5CI (default `defaults::OC5CI_CI`).
    pub oc5ci_ci: String,
    /// OC5CI blend thresholds (mg m-3); default 0.15/0.20 (coefficients::OC5CI_BLEND).
    pub oc5ci_thresholds: Option<[f64; 2]>,
    /// Mineral calibration factor of spm_gohin "forward-model"; default coefficients::GOHIN_SPM_MINERAL_SCALE.
    pub spm_gohin_mineral_scale: Option<f64>,
    /// Relative Rrs standard uncertainty propagated into the per-pixel uncertainty
    /// (e.g. 0.05); default none: the class term only (docs/uncertainty.md s4).
    pub rrs_uncertainty: Option<f64>,
    /// Correlation of the Rrs errors between bands in the propagation (0: independent, default).
    pub band_correlation: f64,
    /// Uncertainty of the bias-corrected product (class SD instead of RMSD); default false.
    pub bias_corrected: bool,
    /// Version of the OC5 applicability tests: "B" (C2RCC tuning, default) or "A" (Polymer).
    pub oc5_class_version: String,
    /// spm_gohin algorithm (`coefficients::SPM_GOHIN_ALGORITHMS`); default `defaults::SPM_GOHIN_ALGORITHM`.
    pub spm_gohin_algorithm: String,
    /// Switch fractions of spm_gohin "nechad-switching"; default coefficients::SPM_SWITCH_FRACTIONS.
    pub spm_gohin_switch: Option<[f64; 2]>,
    /// Calibration factor of spm_gohin "nechad-switching"; default coefficients::SPM_SWITCHING_SCALE.
    pub spm_gohin_calibration: Option<f64>,
    /// Gons et al. 2005 constant set of chl_eunosat (`coefficients::GONS_CONSTANTS`).
    pub eunosat_constants: String,
    /// EUNOSAT thresholds version of chl_eunosat, "A" or "B" (`coefficients::EUNOSAT_THRESHOLDS`).
    pub eunosat_version: String,
}

impl Default for Coefficients {
    fn default() -> Self {
        Coefficients {
            ocx: defaults::OCX.into(),
            ci: defaults::CI.into(),
            oci_thresholds: None,
            kd2: defaults::KD2.into(),
            nechad_wavelength: None,
            oc5_table: None,
            oc5_recipe: defaults::OC5_RECIPE.into(),
            oc5ci_ci: defaults::OC5CI_CI.into(),
            oc5ci_thresholds: None,
            spm_gohin_mineral_scale: None,
            rrs_uncertainty: None,
            band_correlation: 0.0,
            bias_corrected: false,
            oc5_class_version: defaults::OC5_CLASS_VERSION.into(),
            spm_gohin_algorithm: defaults::SPM_GOHIN_ALGORITHM.into(),
            spm_gohin_switch: None,
            spm_gohin_calibration: None,
            eunosat_constants: defaults::EUNOSAT_CONSTANTS.into(),
            eunosat_version: defaults::EUNOSAT_VERSION.into(),
        }
    }
}

impl Coefficients {
    /// The open OC5 table recipe in use.
    pub fn oc5_recipe(&self) -> crate::Result<crate::oc5::C1Recipe> {
        crate::oc5::C1Recipe::from_name(&self.oc5_recipe)
    }

    /// The mineral calibration factor of spm_gohin in use.
    pub fn mineral_scale(&self) -> f64 {
        mineral_scale(self.spm_gohin_mineral_scale)
    }
}

/// The mineral calibration factor of the forward model: the one given, else
/// `coefficients::GOHIN_SPM_MINERAL_SCALE`.
pub fn mineral_scale(given: Option<f64>) -> f64 {
    given.unwrap_or(GOHIN_SPM_MINERAL_SCALE.value)
}
