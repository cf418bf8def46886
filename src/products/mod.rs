//! The product registry: one row per product, the one place that says what
//! a product is (its name, CF metadata, the coefficient choices it takes,
//! the extra per-pixel layers it can give) and how it is made: `prepare`,
//! done once per granule or Python call, resolves the sensor's bands, the
//! coefficient sets and the OC5 table, and returns the bands to read, the
//! provenance text and the runner called per block of pixels. The chain,
//! the Python array API (`oc.chl_ocx`, ...) and the xarray accessor all read
//! this table (Python: `oc.products()`, `oc.product_info(name)`).
//!
//! CF standard names and units per formats.md s8.2 (CF standard-name table
//! v83); turbidity is dimensionless for CF ("1"), FNU goes into long_name.

pub mod algorithms;
mod settings;
pub mod uncertainty;

use std::sync::Arc;

pub use settings::{mineral_scale, Coefficients};

use crate::coefficients::{
    ci_set, eunosat_thresholds, gons_constants, kd2_set, ocx_set, CHL_MAX, CHL_MIN, GOHIN_SPM_MINERAL_SCALE, KD_MAX, KD_MIN, NECHAD2009_TURBIDITY,
    NECHAD2010_SPM, OC5CI_BLEND, SPM_GOHIN_ALGORITHMS, SPM_SWITCHING_SCALE,
};
use crate::error::{join, Error, Result};
use crate::oc5::{self, status, C1Params, Oc5Table};
use crate::reflectance::Reflectances;
use crate::sensors::Sensor;
use algorithms as alg;
use uncertainty::{Jac, Oc5Classes, Uncertainty};

/// One row of the registry.
pub struct Product {
    /// Named like the Python function that computes it.
    pub name: &'static str,
    pub standard_name: Option<&'static str>,
    pub units: &'static str,
    /// What the quantity is and by which algorithm, in plain words.
    pub long_name: &'static str,
    /// The range the algorithm clips to, where it does.
    pub valid_range: Option<[f32; 2]>,
    /// Quick-looks on a log10 scale (and geometric binning, fusion.md s1.2).
    pub log_scale: bool,
    /// The quick-look's fixed colour scale (`[output] quicklook_scale = "fixed"`).
    pub display_range: Option<[f32; 2]>,
    /// Units written on the quick-look's colour bar where the CF units cannot
    /// say what people read (turbidity: CF "1", as UDUNITS has no FNU); else `units`.
    pub display_units: Option<&'static str>,
    /// Wavelength the quantity is defined at (CF `radiation_wavelength`;
    /// without one an attenuation is integrated over all wavelengths).
    pub radiation_wavelength_nm: Option<f32>,
    pub references: &'static str,
    pub comment: &'static str,
    /// The coefficient choices: the keyword of the Python array API and what it sets.
    pub choices: &'static [(&'static str, Choice)],
    /// Extra per-pixel layers the runner can give besides the value.
    pub layers: &'static [LayerSpec],
    make: fn(&'static Sensor, &Coefficients, &dyn TableSource) -> Result<Prepared>,
}

impl Product {
    /// Resolves bands, coefficient sets and tables for `sensor` (once per granule or call).
    pub fn prepare(&self, sensor: &'static Sensor, coefficients: &Coefficients, tables: &dyn TableSource) -> Result<Prepared> {
        (self.make)(sensor, coefficients, tables)
    }

    /// A class product (its value is a class number, e.g. `oc5_class`, `owt_dominant`):
    /// the CF `flag_values` and `flag_meanings` of its class layer, read from that
    /// layer's "value meaning, ..." list (0, not classified, is the fill). None for
    /// quantities, including those that carry a class layer beside their value.
    pub fn class_flags(&self) -> Option<(Vec<u8>, String)> {
        let class = self.layers.iter().find(|l| l.name == "class")?;
        if self.log_scale || self.layers.iter().any(|l| l.name == "uncertainty") {
            return None;
        }
        let pairs: Vec<(u8, &str)> = class
            .flag_meanings?
            .split(", ")
            .filter_map(|p| p.split_once(' '))
            .filter_map(|(k, m)| Some((k.parse::<u8>().ok()?, m)))
            .filter(|(k, _)| *k != 0)
            .collect();
        let meanings = pairs.iter().map(|(_, m)| m.replace(' ', "_")).collect::<Vec<_>>().join(" ");
        Some((pairs.iter().map(|(k, _)| *k).collect(), meanings))
    }
}

/// What a coefficient choice sets in `Coefficients`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    Ocx,
    Ci,
    OciThresholds,
    Kd2,
    NechadWavelength,
    /// The OC5 table: `oc5_table` (a file); from Python also an `Oc5Table` or "per-pixel".
    Oc5Table,
    Oc5ciCi,
    Oc5ciThresholds,
    MineralScale,
    /// Relative Rrs uncertainty propagated into the uncertainty layer.
    RrsUncertainty,
    BandCorrelation,
    BiasCorrected,
    /// Version of the OC5 applicability tests.
    Oc5ClassVersion,
    /// The open OC5 table recipe (`oc5_recipe`), when no table file is given.
    Oc5Recipe,
    /// spm_gohin's algorithm, switch fractions and calibration factor.
    SpmAlgorithm,
    SpmSwitch,
    SpmCalibration,
    /// chl_eunosat's Gons constant set and thresholds version.
    EunosatConstants,
    EunosatVersion,
}

impl Choice {
    /// The field of the `[coefficients]` table.
    pub fn field(self) -> &'static str {
        match self {
            Choice::Ocx => "ocx",
            Choice::Ci => "ci",
            Choice::OciThresholds => "oci_thresholds",
            Choice::Kd2 => "kd2",
            Choice::NechadWavelength => "nechad_wavelength",
            Choice::Oc5Table => "oc5_table",
            Choice::Oc5ciCi => "oc5ci_ci",
            Choice::Oc5ciThresholds => "oc5ci_thresholds",
            Choice::MineralScale => "spm_gohin_mineral_scale",
            Choice::RrsUncertainty => "rrs_uncertainty",
            Choice::BandCorrelation => "band_correlation",
            Choice::BiasCorrected => "bias_corrected",
            Choice::Oc5ClassVersion => "oc5_class_version",
            Choice::Oc5Recipe => "oc5_recipe",
            Choice::SpmAlgorithm => "spm_gohin_algorithm",
            Choice::SpmSwitch => "spm_gohin_switch",
            Choice::SpmCalibration => "spm_gohin_calibration",
            Choice::EunosatConstants => "eunosat_constants",
            Choice::EunosatVersion => "eunosat_version",
        }
    }
}

/// An extra per-pixel layer, named `<product>_<name>` where written.
pub struct LayerSpec {
    pub name: &'static str,
    pub long_name: &'static str,
    /// "value meaning, ..." for flag-like layers.
    pub flag_meanings: Option<&'static str>,
}

/// The values of an extra layer.
#[derive(Debug, Clone, PartialEq)]
pub enum Layer {
    F32(Vec<f32>),
    U8(Vec<u8>),
}

/// What a runner gives for a block: the product and the layers asked for.
#[derive(Debug, Clone, PartialEq)]
pub struct Output {
    pub value: Vec<f32>,
    pub layers: Vec<(&'static str, Layer)>,
}

impl Output {
    fn value(value: Vec<f32>) -> Self {
        Output { value, layers: Vec::new() }
    }

    /// Removes and returns layer `name`.
    pub fn take(&mut self, name: &str) -> Option<Layer> {
        let i = self.layers.iter().position(|(n, _)| *n == name)?;
        Some(self.layers.swap_remove(i).1)
    }
}

type Runner = Box<dyn Fn(&Reflectances, &[&str]) -> Result<Output> + Send + Sync>;

/// A product made ready for one sensor and one set of choices.
pub struct Prepared {
    /// The Rrs bands it reads (nominal nm).
    pub bands: Vec<u16>,
    /// The algorithm and coefficients used, with their sources.
    pub provenance: String,
    /// The bands the extra layers read besides `bands` (water types, OC5 classes).
    pub layer_bands: Vec<u16>,
    /// What the uncertainty and class layers hold, where the product has them.
    pub layer_provenance: String,
    run: Runner,
}

impl Prepared {
    fn new(bands: Vec<u16>, provenance: String, run: impl Fn(&Reflectances, &[&str]) -> Result<Output> + Send + Sync + 'static) -> Self {
        let mut unique = Vec::with_capacity(bands.len());
        for b in bands {
            if !unique.contains(&b) {
                unique.push(b);
            }
        }
        Prepared { bands: unique, provenance, layer_bands: Vec::new(), layer_provenance: String::new(), run: Box::new(run) }
    }

    fn with_layer_bands(mut self, bands: &[u16], text: String) -> Self {
        for &b in bands {
            if !self.bands.contains(&b) && !self.layer_bands.contains(&b) {
                self.layer_bands.push(b);
            }
        }
        if !text.is_empty() {
            self.layer_provenance = if self.layer_provenance.is_empty() { text } else { format!("{}; {text}", self.layer_provenance) };
        }
        self
    }

    /// The bands a run with `layers` reads.
    pub fn bands_for(&self, layers: &[&str]) -> Vec<u16> {
        let mut b = self.bands.clone();
        if !layers.is_empty() {
            b.extend(self.layer_bands.iter().copied());
        }
        b
    }

    /// The product over one block; `layers`: the extra layers wanted (names of the row's `layers`).
    pub fn run(&self, rrs: &Reflectances, layers: &[&str]) -> Result<Output> {
        (self.run)(rrs, layers)
    }
}

/// Where OC5 values come from.
#[derive(Clone)]
pub enum Oc5Source {
    /// A table, with the name its provenance gives.
    Table { table: Arc<Oc5Table>, name: String },
    /// This library's open C1 correction computed per pixel, no table.
    PerPixel,
}

/// Resolves the OC5 table of a sensor under a set of choices (the chain's
/// run context caches tables; the Python glue adds explicit tables).
pub trait TableSource: Sync {
    fn oc5(&self, sensor: &'static Sensor, coefficients: &Coefficients) -> Result<Oc5Source>;
}

/// The row of a product name, or an error listing the names.
pub fn product(name: &str) -> Result<&'static Product> {
    PRODUCTS.iter().find(|p| p.name == name.trim()).ok_or_else(|| Error::InvalidParameter {
        name: "products".into(),
        reason: format!("unknown product {name:?}; known products: {}", join(PRODUCTS.iter().map(|p| p.name))),
    })
}

// ------------------------------------------------------------ provenance

fn ocx_text(o: &crate::coefficients::OcxSet) -> String {
    format!("OCx set {} (blue {}, green {}, a = {:?}); {}", o.name, join(o.blues), o.green, o.a, o.source)
}

fn ci_text(ci: &crate::coefficients::CiSet) -> String {
    format!("CI set {} (a = {:?}); {}", ci.name, ci.a, ci.source)
}

/// The OC5 source's bands and provenance: which table, its version and a
/// checksum of its values; or the per-pixel correction.
fn oc5_text(source: &Oc5Source, sensor: &Sensor, c: &Coefficients) -> Result<(Vec<u16>, String)> {
    Ok(match source {
        Oc5Source::Table { table: t, name } => (
            alg::oc5_wavelengths(&t.bands),
            format!(
                "OC5 table lookup (Gohin, Druon & Lampert 2002): {name}, version {}, shape {:?}, F0 green/412 {}/{} mW cm-2 um-1, values checksum fnv1a64:{:016x}",
                t.version,
                t.shape(),
                t.f0_green,
                t.f0_violet,
                t.checksum()
            ),
        ),
        Oc5Source::PerPixel => (
            alg::oc5_wavelengths(&per_pixel_model(sensor, c)?.bands),
            format!(
                "OC5 (Gohin, Druon & Lampert 2002 structure) by this library's open C1 correction per pixel, no table ({}, recipe {})",
                sensor.name,
                c.oc5_recipe()?.version()
            ),
        ),
    })
}

fn per_pixel_model(sensor: &Sensor, c: &Coefficients) -> Result<oc5::C1Model> {
    oc5::c1_model(sensor, "default", C1Params::for_recipe(c.oc5_recipe()?))
}

/// OC5 chl over a block, with its status when asked.
enum Oc5Run {
    Table(Arc<Oc5Table>),
    PerPixel(Box<oc5::C1Model>),
}

impl Oc5Run {
    fn new(source: Oc5Source, sensor: &Sensor, c: &Coefficients) -> Result<Self> {
        Ok(match source {
            Oc5Source::Table { table, .. } => Oc5Run::Table(table),
            Oc5Source::PerPixel => Oc5Run::PerPixel(Box::new(per_pixel_model(sensor, c)?)),
        })
    }

    fn chl(&self, r: &Reflectances, want_status: bool) -> Result<(Vec<f32>, Option<Vec<u8>>)> {
        match self {
            Oc5Run::Table(t) => alg::chl_oc5(r, t, want_status),
            Oc5Run::PerPixel(c1) => alg::chl_oc5_per_pixel(r, c1, want_status),
        }
    }
}

// ------------------------------------------------------------ how each product is made

type ValueRun = Arc<dyn Fn(&Reflectances) -> Result<Vec<f32>> + Send + Sync>;

/// A product with "uncertainty" and "bias" layers: its value, and the layers when asked.
/// An uncertainty that cannot be set up on the sensor is an error only when asked for.
fn with_uncertainty(name: &str, s: &'static Sensor, c: &Coefficients, bands: Vec<u16>, text: String, jac: Jac, value: ValueRun) -> Prepared {
    let unc = Uncertainty::new(name, s, c, jac, &bands).map(Arc::new);
    let (extra, utext) = match &unc {
        Ok(u) => (u.bands().to_vec(), u.text()),
        Err(_) => (Vec::new(), String::new()),
    };
    let correct = c.bias_corrected;
    let (bands, text) = bias_corrected_reads(correct, bands, &extra, text);
    Prepared::new(bands, text, move |r, layers| {
        let mut v = value(r)?;
        let sb = uncertainty_layers(&unc, r, &v, &value, layers, correct)?;
        correct_bias(correct, &mut v, &sb);
        let mut out = Output::value(v);
        uncertainty::push_layers(&mut out, layers, sb);
        Ok(out)
    })
    .with_layer_bands(&extra, utext)
}

#[allow(clippy::type_complexity)]
fn uncertainty_layers(
    unc: &Result<Arc<Uncertainty>>,
    r: &Reflectances,
    v: &[f32],
    value: &ValueRun,
    layers: &[&str],
    bias_corrected: bool,
) -> Result<Option<(Vec<f32>, Vec<f32>)>> {
    if !(bias_corrected || layers.contains(&"uncertainty") || layers.contains(&"bias")) {
        return Ok(None);
    }
    let u = unc.as_ref().map_err(Clone::clone)?;
    let f = |r: &Reflectances| value(r);
    Ok(Some(u.layers(r, v, &f)?))
}

/// A bias-corrected product (`bias_corrected`, never the default) reads the water
/// types' bands for its value, and says so in its provenance.
fn bias_corrected_reads(correct: bool, mut bands: Vec<u16>, extra: &[u16], text: String) -> (Vec<u16>, String) {
    if !correct {
        return (bands, text);
    }
    bands.extend(extra.iter().filter(|b| !bands.contains(b)).copied().collect::<Vec<_>>());
    (bands, format!("{text}; BIAS-CORRECTED: value x 10^-bias, the membership-weighted class bias of log10 (this library's fit, docs/uncertainty.md)"))
}

/// log10(value) - bias: the product divided by 10^bias where the bias is known.
fn correct_bias(correct: bool, v: &mut [f32], sigma_bias: &Option<(Vec<f32>, Vec<f32>)>) {
    if let (true, Some((_, bias))) = (correct, sigma_bias) {
        for (x, b) in v.iter_mut().zip(bias) {
            if b.is_finite() {
                *x *= 10f32.powf(-b);
            }
        }
    }
}

fn make_ocx(s: &'static Sensor, c: &Coefficients, _: &dyn TableSource) -> Result<Prepared> {
    let set = ocx_set(s, &c.ocx)?;
    let value: ValueRun = Arc::new(move |r| alg::chl_ocx(r, set));
    Ok(with_uncertainty("chl_ocx", s, c, alg::ocx_wavelengths(set), ocx_text(set), Jac::Ocx(set), value))
}

fn make_ci(s: &'static Sensor, c: &Coefficients, _: &dyn TableSource) -> Result<Prepared> {
    let set = ci_set(&c.ci)?;
    Ok(Prepared::new(alg::ci_wavelengths(s)?.to_vec(), ci_text(set), move |r, _| Ok(Output::value(alg::chl_ci(r, set)?))))
}

fn make_oci(s: &'static Sensor, c: &Coefficients, _: &dyn TableSource) -> Result<Prepared> {
    let (ocx, ci, thresholds) = (ocx_set(s, &c.ocx)?, ci_set(&c.ci)?, c.oci_thresholds);
    let t = thresholds.unwrap_or(ci.blend);
    let bands = alg::ocx_wavelengths(ocx).into_iter().chain(alg::ci_wavelengths(s)?).collect();
    let text = format!("{}; {}; blend thresholds {t:?} mg m-3", ocx_text(ocx), ci_text(ci));
    let value: ValueRun = Arc::new(move |r| alg::chl_oci(r, ocx, ci, thresholds));
    Ok(with_uncertainty("chl_oci", s, c, bands, text, Jac::Oci { ocx, ci, t }, value))
}

fn make_kd490(s: &'static Sensor, c: &Coefficients, _: &dyn TableSource) -> Result<Prepared> {
    let set = kd2_set(s, Some(c.kd2.as_str()))?;
    let text = format!("KD2 set {} (a = {:?}); {}", set.name, set.a, set.source);
    let value: ValueRun = Arc::new(move |r| alg::kd490(r, set));
    Ok(with_uncertainty("kd490", s, c, alg::kd2_wavelengths(s, set)?.to_vec(), text, Jac::Kd2(set), value))
}

fn make_spm_nechad(s: &'static Sensor, c: &Coefficients, _: &dyn TableSource) -> Result<Prepared> {
    let nm = alg::nechad_wavelength(s, c.nechad_wavelength);
    let node = alg::nechad_node(NECHAD2010_SPM, s, nm, "spm_nechad")?;
    let text = format!("Nechad et al. 2010 SPM calibration at {} band {nm} nm", s.name);
    let value: ValueRun = Arc::new(move |r| alg::spm_nechad(r, Some(nm)));
    Ok(with_uncertainty("spm_nechad", s, c, vec![nm], text, Jac::Nechad { nm, c: node.c }, value))
}

fn make_turbidity_nechad(s: &'static Sensor, c: &Coefficients, _: &dyn TableSource) -> Result<Prepared> {
    let nm = alg::nechad_wavelength(s, c.nechad_wavelength);
    alg::nechad_node(NECHAD2009_TURBIDITY, s, nm, "turbidity_nechad")?;
    let text = format!("Nechad et al. 2009 turbidity calibration at {} band {nm} nm", s.name);
    Ok(Prepared::new(vec![nm], text, move |r, _| Ok(Output::value(alg::turbidity_nechad(r, Some(nm))?))))
}

fn make_dogliotti(s: &'static Sensor, _: &Coefficients, _: &dyn TableSource) -> Result<Prepared> {
    let [red, nir] = alg::dogliotti_wavelengths(s)?;
    Ok(Prepared::new(vec![red, nir], alg::turbidity_dogliotti_text(s)?, |r, _| Ok(Output::value(alg::turbidity_dogliotti(r)?))))
}

fn oc5_jac(source: &Oc5Source) -> Jac {
    match source {
        Oc5Source::Table { table, .. } => Jac::Oc5(table.clone()),
        Oc5Source::PerPixel => Jac::FiniteDifference,
    }
}

fn make_oc5(s: &'static Sensor, c: &Coefficients, tables: &dyn TableSource) -> Result<Prepared> {
    let source = tables.oc5(s, c)?;
    let (bands, text) = oc5_text(&source, s, c)?;
    let jac = oc5_jac(&source);
    let oc5 = Arc::new(Oc5Run::new(source, s, c)?);
    let unc = Uncertainty::new("chl_oc5", s, c, jac, &bands).map(Arc::new);
    let classes = Oc5Classes::new(s, c).map(Arc::new);
    let mut extra = Vec::new();
    let mut ltext = Vec::new();
    if let Ok(u) = &unc {
        extra.extend_from_slice(u.bands());
        ltext.push(u.text());
    }
    if let Ok(k) = &classes {
        extra.extend_from_slice(k.bands());
        ltext.push(format!("class: {}", k.text()));
    }
    let o = oc5.clone();
    let value: ValueRun = Arc::new(move |r| Ok(o.chl(r, false)?.0));
    let correct = c.bias_corrected;
    let (bands, text) = bias_corrected_reads(correct, bands, unc.as_ref().map_or(&[][..], |u| u.bands()), text);
    Ok(Prepared::new(bands, text, move |r, layers| {
        let (mut chl, status) = oc5.chl(r, layers.contains(&"status"))?;
        let sb = uncertainty_layers(&unc, r, &chl, &value, layers, correct)?;
        // The applicability tests see the table's chl, before any bias correction.
        let class = if layers.contains(&"class") { Some(classes.as_ref().map_err(Clone::clone)?.classes(r, &chl)?) } else { None };
        correct_bias(correct, &mut chl, &sb);
        let mut out = Output::value(chl);
        out.layers.extend(status.map(|st| ("status", Layer::U8(st))));
        uncertainty::push_layers(&mut out, layers, sb);
        out.layers.extend(class.map(|k| ("class", Layer::U8(k))));
        Ok(out)
    })
    .with_layer_bands(&extra, ltext.join("; ")))
}

/// The OC5 applicability class as a product (value: the class number as f32, NaN where
/// not classified; layer "class": the same as u8).
fn make_oc5_class(s: &'static Sensor, c: &Coefficients, tables: &dyn TableSource) -> Result<Prepared> {
    let source = tables.oc5(s, c)?;
    let (oc5_bands, oc5_provenance) = oc5_text(&source, s, c)?;
    let oc5 = Oc5Run::new(source, s, c)?;
    let classes = Oc5Classes::new(s, c)?;
    let text = format!("{}; high-chl test on {oc5_provenance}", classes.text());
    let bands = classes.bands().iter().copied().chain(oc5_bands).collect();
    Ok(Prepared::new(bands, text, move |r, _| {
        let k = classes.classes(r, &oc5.chl(r, false)?.0)?;
        Ok(Output { value: uncertainty::class_value(&k), layers: vec![("class", Layer::U8(k))] })
    }))
}

/// Moore 2009 dominant water type as a product (value: class 1..8 as f32, NaN where
/// unclassified or invalid; layers "class" (u8) and, when asked, "membership").
fn make_owt(s: &'static Sensor, _: &Coefficients, _: &dyn TableSource) -> Result<Prepared> {
    let recipe = crate::quality::BandRecipe::new(s, &crate::quality::owt::MOORE2009_BANDS)?;
    let text = format!(
        "Moore, Campbell & Dowell 2009, Remote Sens. Environ. 113:2424-2430 water types (means/covariances via JuliaOcean/OceanColorData.jl Moore2009()), chi-square memberships of below-water rrs (Moore et al. 2001), at {}",
        recipe.describe(&crate::quality::owt::MOORE2009_BANDS)
    );
    Ok(Prepared::new(recipe.bands.clone(), text, move |r, layers| {
        let (k, f) = uncertainty::water_types(r, &recipe, layers.contains(&"membership"))?;
        let mut out = Output { value: uncertainty::class_value(&k), layers: vec![("class", Layer::U8(k))] };
        out.layers.extend(f.map(|f| ("membership", Layer::F32(f))));
        Ok(out)
    }))
}

fn make_oc5ci(s: &'static Sensor, c: &Coefficients, tables: &dyn TableSource) -> Result<Prepared> {
    let ci = ci_set(&c.oc5ci_ci)?;
    let thresholds = c.oc5ci_thresholds;
    let source = tables.oc5(s, c)?;
    let Oc5Source::Table { table, .. } = &source else {
        return Err(Error::InvalidParameter {
            name: "table".into(),
            reason: "chl_oc5ci needs a table (None or an Oc5Table), not the per-pixel correction".into(),
        });
    };
    let table = table.clone();
    let (bands, oc5) = oc5_text(&source, s, c)?;
    let t = thresholds.unwrap_or(OC5CI_BLEND);
    let text = format!("{oc5}; CI set {} (a = {:?}); blend thresholds {t:?} mg m-3", ci.name, ci.a);
    let bands = alg::ci_wavelengths(s)?.into_iter().chain(bands).collect();
    let jac = Jac::Oc5ci { table: table.clone(), ci, t };
    let value: ValueRun = Arc::new(move |r| alg::chl_oc5ci(r, &table, ci, thresholds));
    Ok(with_uncertainty("chl_oc5ci", s, c, bands, text, jac, value))
}

fn make_spm_gohin(s: &'static Sensor, c: &Coefficients, tables: &dyn TableSource) -> Result<Prepared> {
    match c.spm_gohin_algorithm.as_str() {
        "nechad-switching" => make_spm_switching(s, c),
        "forward-model" => make_spm_forward_model(s, c, tables),
        other => Err(Error::InvalidParameter {
            name: "algorithm".into(),
            reason: format!("unknown spm_gohin algorithm {other:?}; known: {}", join(SPM_GOHIN_ALGORITHMS.iter().map(|a| a.0))),
        }),
    }
}

fn make_spm_switching(s: &'static Sensor, c: &Coefficients) -> Result<Prepared> {
    let fractions = alg::spm_switch_fractions(c.spm_gohin_switch)?;
    let k = c.spm_gohin_calibration.unwrap_or(SPM_SWITCHING_SCALE.value);
    let bands = alg::spm_switching_bands(s)?;
    let text = format!(
        "spm_gohin nechad-switching: Nechad et al. 2010 SPM at {} (A, C at the band centres), switching as rho_w/C of a band goes {} -> {} \
         (this library's choice, not published); calibration factor {k} ({})",
        bands.iter().map(|(nm, n)| format!("{nm} nm (A {}, C {})", n.a, n.c)).collect::<Vec<_>>().join(" -> "),
        fractions[0],
        fractions[1],
        SPM_SWITCHING_SCALE.source
    );
    let nm = bands.iter().map(|b| b.0).collect();
    let value: ValueRun = Arc::new(move |r| alg::spm_gohin_switching(r, fractions, k));
    Ok(with_uncertainty("spm_gohin", s, c, nm, text, Jac::FiniteDifference, value))
}

fn make_spm_forward_model(s: &'static Sensor, c: &Coefficients, tables: &dyn TableSource) -> Result<Prepared> {
    let k = c.mineral_scale();
    let source = tables.oc5(s, c)?;
    let (bands, oc5_provenance) = oc5_text(&source, s, c)?;
    let oc5 = Oc5Run::new(source, s, c)?;
    let text = format!("spm_gohin forward-model; {oc5_provenance}; mineral calibration factor {k} ({})", GOHIN_SPM_MINERAL_SCALE.source);
    let bands = alg::spm_gohin_wavelengths(s)?.into_iter().chain(bands).collect::<Vec<u16>>();
    let value: ValueRun = Arc::new(move |r| alg::spm_gohin(r, &oc5.chl(r, false)?.0, k));
    Ok(with_uncertainty("spm_gohin", s, c, bands, text, Jac::FiniteDifference, value))
}

fn make_eunosat(s: &'static Sensor, c: &Coefficients, tables: &dyn TableSource) -> Result<Prepared> {
    let gons_bands = alg::gons_wavelengths(s)?;
    let oc4me =
        ocx_set(s, "oc4me").map_err(|e| Error::Unsupported { algorithm: "chl_eunosat".into(), reason: format!("needs the OC4Me set on {}: {e}", s.name) })?;
    let (gons, t) = (gons_constants(&c.eunosat_constants)?, eunosat_thresholds(&c.eunosat_version)?);
    let source = tables.oc5(s, c)?;
    let (oc5_bands, oc5_provenance) = oc5_text(&source, s, c)?;
    let oc5 = Oc5Run::new(source, s, c)?;
    let text = format!(
        "EUNOSAT chlorophyll: mean of the valid OC4Me, OC5 and Gons (algorithms.md s1.8; OC4Me/OC5 QC flags not applied: finite = valid); \
         {}; {oc5_provenance}; Gons et al. 2005 constants {} (a* {}, p {}; {}), used where OC4Me >= {} mg m-3, rho665 >= {} and Gons > {} ({})",
        ocx_text(oc4me),
        gons.name,
        gons.a_star,
        gons.p,
        gons.source,
        t.oc4_min,
        t.rho665_min,
        crate::coefficients::GONS_MIN,
        t.source
    );
    let bands = alg::ocx_wavelengths(oc4me).into_iter().chain(oc5_bands).chain(gons_bands).collect();
    Ok(Prepared::new(bands, text, move |r, _| {
        let o4 = alg::chl_ocx(r, oc4me)?;
        let (o5, _) = oc5.chl(r, false)?;
        Ok(Output::value(alg::chl_eunosat(r, &o4, &o5, gons, t)?))
    }))
}

// ------------------------------------------------------------ the rows

const CHL: Option<&str> = Some("mass_concentration_of_chlorophyll_a_in_sea_water");
const SPM: Option<&str> = Some("mass_concentration_of_suspended_matter_in_sea_water");
const KD: Option<&str> = Some("volume_attenuation_coefficient_of_downwelling_radiative_flux_in_sea_water");
const TURBIDITY: Option<&str> = Some("sea_water_turbidity");
/// l2gen's chlorophyll clip (coefficients::CHL_MIN/CHL_MAX) and Kd clip (KD_MIN/KD_MAX).
const CHL_RANGE: Option<[f32; 2]> = Some([CHL_MIN as f32, CHL_MAX as f32]);
const KD_RANGE: Option<[f32; 2]> = Some([KD_MIN as f32, KD_MAX as f32]);
/// Quick-look display ranges: NASA OBPG's (SeaDAS/SNAP colour schemes `chlor_a`
/// 0.01-20 mg m-3 log and `Kd_490` 0.01-5 m-1 log, senbox-org/snap-desktop
/// `color_palette_schemes.xml`); NASA has none for SPM and turbidity: 0.1-100
/// (g m-3, FNU) on a log scale is this library's choice, from clear shelf water to
/// estuarine turbidity maxima.
const CHL_DISPLAY: Option<[f32; 2]> = Some([0.01, 20.0]);
const KD_DISPLAY: Option<[f32; 2]> = Some([0.01, 5.0]);
const SPM_DISPLAY: Option<[f32; 2]> = Some([0.1, 100.0]);
const TURBIDITY_DISPLAY: Option<[f32; 2]> = Some([0.1, 100.0]);
const FNU: &str = "Turbidity in FNU; CF's sea_water_turbidity is dimensionless and UDUNITS has no FNU (formats.md s8.2)";

const OCX_REF: &str = "O'Reilly et al. 1998, J. Geophys. Res. 103(C11):24937-24953; O'Reilly & Werdell 2019, Remote Sens. Environ. 229:32-47";
const CI_REF: &str = "Hu, Lee & Franz 2012, J. Geophys. Res. 117:C01011; Hu et al. 2019, J. Geophys. Res. Oceans 124:1524-1543";
const OC5_REF: &str = "Gohin, Druon & Lampert 2002, Int. J. Remote Sens. 23(8):1639-1661";
const OPEN_TABLE: &str =
    "Default table: this library's open OC5-like table built from its own forward model; not Ifremer's table, no parity with Ifremer's values claimed";

const OC5_STATUS: LayerSpec = LayerSpec { name: "status", long_name: "OC5 status per pixel", flag_meanings: Some(status::MEANINGS) };
const UNCERTAINTY: LayerSpec = LayerSpec {
    name: "uncertainty",
    long_name: "1-sigma uncertainty of log10 of the product (dex), membership-weighted class RMSD of Moore 2009 water types (docs/uncertainty.md)",
    flag_meanings: None,
};
const BIAS: LayerSpec = LayerSpec {
    name: "bias",
    long_name: "Expected bias of log10 of the product (dex; log10 product - log10 truth), membership-weighted class bias",
    flag_meanings: None,
};
const OC5_CLASS: LayerSpec = LayerSpec { name: "class", long_name: "OC5 applicability class (EUNOSAT tests)", flag_meanings: Some(OC5_CLASS_MEANINGS) };
/// "value meaning, ..." of the OC5 applicability classes (quality::oc5_class::FLAG_MEANINGS).
const OC5_CLASS_MEANINGS: &str = "0 not classified, 1 oc5_applicable, 2 oc5_usable_larger_uncertainty, 3 very_high_spm, 4 very_high_cdom, 5 very_high_spm_and_very_high_cdom, 6 high_chl, 7 low_cdom";
const UNCERTAINTY_LAYERS: &[LayerSpec] = &[UNCERTAINTY, BIAS];
const OC5_LAYERS: &[LayerSpec] = &[OC5_STATUS, UNCERTAINTY, BIAS, OC5_CLASS];
/// The uncertainty keywords every product with an uncertainty takes.
macro_rules! with_uncertainty_choices {
    ($($c:expr),* $(,)?) => {
        &[$($c,)* ("rrs_uncertainty", Choice::RrsUncertainty), ("band_correlation", Choice::BandCorrelation), ("bias_corrected", Choice::BiasCorrected)]
    };
}

pub static PRODUCTS: &[Product] = &[
    Product {
        name: "chl_ocx",
        standard_name: CHL,
        units: "mg m-3",
        long_name: "Chlorophyll-a concentration, OCx maximum band ratio",
        valid_range: CHL_RANGE,
        log_scale: true,
        display_range: CHL_DISPLAY,
        display_units: None,
        radiation_wavelength_nm: None,
        references: OCX_REF,
        comment: "NASA OBPG OCx band-ratio polynomial with l2gen's guards and clip",
        choices: with_uncertainty_choices![("coefficients", Choice::Ocx)],
        layers: UNCERTAINTY_LAYERS,
        make: make_ocx,
    },
    Product {
        name: "chl_ci",
        standard_name: CHL,
        units: "mg m-3",
        long_name: "Chlorophyll-a concentration, Hu colour index (CI)",
        valid_range: CHL_RANGE,
        log_scale: true,
        display_range: CHL_DISPLAY,
        display_units: None,
        radiation_wavelength_nm: None,
        references: CI_REF,
        comment: "Clear-water algorithm; green band converted to 555 nm as NASA l2gen",
        choices: &[("coefficients", Choice::Ci)],
        layers: &[],
        make: make_ci,
    },
    Product {
        name: "chl_oci",
        standard_name: CHL,
        units: "mg m-3",
        long_name: "Chlorophyll-a concentration, OCI (CI in clear water blended into OCx)",
        valid_range: CHL_RANGE,
        log_scale: true,
        display_range: CHL_DISPLAY,
        display_units: None,
        radiation_wavelength_nm: None,
        references: "Hu, Lee & Franz 2012, J. Geophys. Res. 117:C01011; Hu et al. 2019, J. Geophys. Res. Oceans 124:1524-1543; O'Reilly et al. 1998, J. Geophys. Res. 103(C11):24937-24953; O'Reilly & Werdell 2019, Remote Sens. Environ. 229:32-47; NASA OBPG l2gen chl_oci",
        comment: "NASA's chlor_a algorithm",
        choices: with_uncertainty_choices![("ocx", Choice::Ocx), ("ci", Choice::Ci), ("thresholds", Choice::OciThresholds)],
        layers: UNCERTAINTY_LAYERS,
        make: make_oci,
    },
    Product {
        name: "kd490",
        standard_name: KD,
        units: "m-1",
        long_name: "Diffuse attenuation coefficient of downwelling irradiance at 490 nm, KD2 band ratio",
        valid_range: KD_RANGE,
        log_scale: true,
        display_range: KD_DISPLAY,
        display_units: None,
        radiation_wavelength_nm: Some(490.0),
        references: "NASA OBPG Kd(490) ATBD, https://oceancolor.gsfc.nasa.gov/resources/atbd/kd",
        comment: "NASA OBPG KD2 band-ratio algorithm, clipped as l2gen",
        choices: with_uncertainty_choices![("coefficients", Choice::Kd2)],
        layers: UNCERTAINTY_LAYERS,
        make: make_kd490,
    },
    Product {
        name: "spm_nechad",
        standard_name: SPM,
        units: "g m-3",
        long_name: "Suspended particulate matter concentration, Nechad et al. 2010 single band",
        valid_range: None,
        log_scale: true,
        display_range: SPM_DISPLAY,
        display_units: None,
        radiation_wavelength_nm: None,
        references: "Nechad, Ruddick & Park 2010, Remote Sens. Environ. 114(4):854-866",
        comment: "Published A, C at the band centre (default: the sensor's red band)",
        choices: with_uncertainty_choices![("wavelength", Choice::NechadWavelength)],
        layers: UNCERTAINTY_LAYERS,
        make: make_spm_nechad,
    },
    Product {
        name: "turbidity_nechad",
        standard_name: TURBIDITY,
        units: "1",
        long_name: "Turbidity (FNU), Nechad et al. 2009 single band",
        valid_range: None,
        log_scale: true,
        display_range: TURBIDITY_DISPLAY,
        display_units: Some("FNU"),
        radiation_wavelength_nm: None,
        references: "Nechad, Ruddick & Neukermans 2009, Proc. SPIE 7473, 74730H",
        comment: FNU,
        choices: &[("wavelength", Choice::NechadWavelength)],
        layers: &[],
        make: make_turbidity_nechad,
    },
    Product {
        name: "turbidity_dogliotti",
        standard_name: TURBIDITY,
        units: "1",
        long_name: "Turbidity (FNU), Dogliotti et al. 2015 red/NIR switching",
        valid_range: None,
        log_scale: true,
        display_range: TURBIDITY_DISPLAY,
        display_units: Some("FNU"),
        radiation_wavelength_nm: None,
        references: "Dogliotti et al. 2015, Remote Sens. Environ. 156:157-168",
        comment: FNU,
        choices: &[],
        layers: &[],
        make: make_dogliotti,
    },
    Product {
        name: "chl_oc5",
        standard_name: CHL,
        units: "mg m-3",
        long_name: "Chlorophyll-a concentration, OC5 table lookup (Gohin et al. 2002 structure)",
        valid_range: CHL_RANGE,
        log_scale: true,
        display_range: CHL_DISPLAY,
        display_units: None,
        radiation_wavelength_nm: None,
        references: OC5_REF,
        comment: OPEN_TABLE,
        choices: with_uncertainty_choices![("table", Choice::Oc5Table), ("recipe", Choice::Oc5Recipe), ("class_version", Choice::Oc5ClassVersion)],
        layers: OC5_LAYERS,
        make: make_oc5,
    },
    Product {
        name: "chl_oc5ci",
        standard_name: CHL,
        units: "mg m-3",
        long_name: "Chlorophyll-a concentration, OC5CI (colour index in clear water blended into OC5)",
        valid_range: CHL_RANGE,
        log_scale: true,
        display_range: CHL_DISPLAY,
        display_units: None,
        radiation_wavelength_nm: None,
        references: "Gohin, Druon & Lampert 2002, Int. J. Remote Sens. 23(8):1639-1661; Hu, Lee & Franz 2012, J. Geophys. Res. 117:C01011; Hu et al. 2019, J. Geophys. Res. Oceans 124:1524-1543",
        comment: "CI below 0.15 mg m-3, OC5 above 0.20 (GlobColour/CMEMS practice). Default table: this library's open OC5-like table, not Ifremer's",
        choices: with_uncertainty_choices![("table", Choice::Oc5Table), ("recipe", Choice::Oc5Recipe), ("ci", Choice::Oc5ciCi), ("thresholds", Choice::Oc5ciThresholds)],
        layers: UNCERTAINTY_LAYERS,
        make: make_oc5ci,
    },
    Product {
        name: "spm_gohin",
        standard_name: SPM,
        units: "g m-3",
        long_name: "Non-algal suspended particulate matter concentration, Gohin-like green/red/NIR switching",
        valid_range: None,
        log_scale: true,
        display_range: SPM_DISPLAY,
        display_units: None,
        radiation_wavelength_nm: None,
        references: "Gohin et al. 2005, Remote Sens. Environ. 95:29-46; Gohin 2011, Ocean Sci. 7:705-732; Nechad, Ruddick & Park 2010, Remote Sens. Environ. 114(4):854-866; Novoa et al. 2017, Remote Sens. 9:61",
        comment: "Default algorithm nechad-switching: Nechad 2010 per-band SPM switching green -> red -> NIR as each band saturates (switch points this library's choice) with one factor fitted on the CoastColour calibration half; algorithm forward-model: the earlier inversion of this library's forward model (OC5 chl removing the algal part). Not Ifremer's coefficients",
        choices: &[
            ("algorithm", Choice::SpmAlgorithm),
            ("switch", Choice::SpmSwitch),
            ("calibration", Choice::SpmCalibration),
            ("table", Choice::Oc5Table),
            ("recipe", Choice::Oc5Recipe),
            ("mineral_scale", Choice::MineralScale),
            ("rrs_uncertainty", Choice::RrsUncertainty),
            ("band_correlation", Choice::BandCorrelation),
            ("bias_corrected", Choice::BiasCorrected),
        ],
        layers: UNCERTAINTY_LAYERS,
        make: make_spm_gohin,
    },
    Product {
        name: "chl_eunosat",
        standard_name: CHL,
        units: "mg m-3",
        long_name: "Chlorophyll-a concentration, EUNOSAT blend of OC4Me, OC5 and Gons et al. 2005 red/NIR",
        valid_range: None,
        log_scale: true,
        display_range: CHL_DISPLAY,
        display_units: None,
        radiation_wavelength_nm: None,
        references: "Gons, Rijkeboer & Ruddick 2005, J. Plankton Res. 27(1):125-127; Gohin, Druon & Lampert 2002, Int. J. Remote Sens. 23(8):1639-1661; RBINS EUNOSAT/DCS4COP processing scripts (CMEMS HR-OC cites Lavigne et al. 2021)",
        comment: "Mean of the valid OC4Me, OC5 and Gons (Gons only where OC4Me and rho665 pass the version's thresholds and Gons > 2); needs 665/709/779 nm (MERIS, OLCI). Constant sets a016-p106 / a0146-p105 and versions A (Polymer) / B (C2RCC) as in the RBINS scripts; the OC4Me/OC5 QC flags are not applied. Default OC5 table: this library's open table, not Ifremer's",
        choices: &[("constants", Choice::EunosatConstants), ("version", Choice::EunosatVersion), ("table", Choice::Oc5Table), ("recipe", Choice::Oc5Recipe)],
        layers: &[],
        make: make_eunosat,
    },
    Product {
        name: "oc5_class",
        standard_name: None,
        units: "1",
        long_name: "OC5 applicability class (EUNOSAT tests)",
        valid_range: Some([1.0, 7.0]),
        log_scale: false,
        // A class number, shown on its own linear range (no NASA display range exists).
        display_range: Some([1.0, 7.0]),
        display_units: None,
        radiation_wavelength_nm: None,
        references: "RBINS/EUNOSAT OC5 applicability tests: D. Van der Zande, EUNOSAT/DCS4COP OLCI C2RCCalt script, apply_OC5_v2 (version B); RBINS-2/RBINS-3 as in shared/science/algorithms.md s1.8 (version A); docs/uncertainty.md s1",
        comment: "Applicability tests of RBINS/EUNOSAT on rho = pi Rrs at 412, 443, 490, 560 nm (band-shifted where the sensor lacks them) and the OC5 chl. Pixels are not removed.",
        choices: &[("table", Choice::Oc5Table), ("recipe", Choice::Oc5Recipe), ("version", Choice::Oc5ClassVersion)],
        layers: &[OC5_CLASS],
        make: make_oc5_class,
    },
    Product {
        name: "owt_dominant",
        standard_name: None,
        units: "1",
        long_name: "Dominant optical water type, Moore et al. 2009 (8 classes)",
        valid_range: Some([1.0, 8.0]),
        log_scale: false,
        display_range: Some([1.0, 8.0]),
        display_units: None,
        radiation_wavelength_nm: None,
        references: "Moore, Campbell & Dowell 2009, Remote Sens. Environ. 113:2424-2430, doi:10.1016/j.rse.2009.07.016; Moore et al. 2001, IEEE TGRS 39:1764",
        comment: "Class of highest chi-square membership of the below-water rrs at 412, 443, 490, 510, 555, 670 nm (band-shifted, Melin & Sclep 2015, where the sensor lacks them); 0/missing = unclassified (memberships sum < 1e-6) or invalid",
        choices: &[],
        layers: &[
            LayerSpec { name: "class", long_name: "Dominant optical water type (Moore et al. 2009)", flag_meanings: Some("0 unclassified, 1 owt_1, 2 owt_2, 3 owt_3, 4 owt_4, 5 owt_5, 6 owt_6, 7 owt_7, 8 owt_8") },
            LayerSpec { name: "membership", long_name: "Membership f_k = 1 - F_chi2(Z_k^2; 6) of each Moore 2009 water type (not normalised), 8 per pixel", flag_meanings: None },
        ],
        make: make_owt,
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sensors::sensor;

    struct NoTables;
    impl TableSource for NoTables {
        fn oc5(&self, _: &'static Sensor, _: &Coefficients) -> Result<Oc5Source> {
            Ok(Oc5Source::PerPixel)
        }
    }

    #[test]
    fn class_products_carry_cf_flags_and_quantities_do_not() {
        let (values, meanings) = product("oc5_class").unwrap().class_flags().unwrap();
        assert_eq!(values, crate::quality::oc5_class::FLAG_VALUES);
        assert_eq!(meanings, crate::quality::oc5_class::FLAG_MEANINGS);
        let (values, meanings) = product("owt_dominant").unwrap().class_flags().unwrap();
        assert_eq!(values, (1..=8).collect::<Vec<u8>>());
        assert_eq!(meanings.split(' ').count(), 8);
        for p in ["chl_oc5", "chl_ocx", "kd490", "spm_gohin"] {
            assert!(product(p).unwrap().class_flags().is_none(), "{p}");
        }
    }

    #[test]
    fn the_inputs_own_rrs_uncertainty_is_propagated_as_a_relative_one() {
        // Per-band sigma_b = 5% Rrs_b given with the input must give what the configured
        // relative 5% gives (two paths through the Jacobians), and more than the class term.
        let s = sensor("seawifs").unwrap();
        let n = 50;
        let rrs: Vec<(u16, Vec<f32>)> = [(412, 0.004), (443, 0.005), (490, 0.006), (510, 0.004), (555, 0.003), (670, 0.0004)]
            .iter()
            .map(|&(nm, base)| (nm, (0..n).map(|i| base * (1.0 + 0.6 * (i as f32 / n as f32))).collect()))
            .collect();
        let sigma: Vec<(u16, Vec<f32>)> = rrs.iter().map(|(nm, v)| (*nm, v.iter().map(|x| 0.05 * x).collect())).collect();
        fn view(v: &[(u16, Vec<f32>)]) -> Vec<(u16, &[f32])> {
            v.iter().map(|(nm, x)| (*nm, x.as_slice())).collect()
        }
        for name in ["chl_ocx", "chl_oci", "kd490", "spm_nechad", "chl_oc5"] {
            let u = |c: &Coefficients, with_sigma: bool| {
                let mut r = Reflectances::new(s, view(&rrs)).unwrap();
                if with_sigma {
                    r = r.with_sigma(view(&sigma)).unwrap();
                }
                let mut out = product(name).unwrap().prepare(s, c, &NoTables).unwrap().run(&r, &["uncertainty"]).unwrap();
                match out.take("uncertainty") {
                    Some(Layer::F32(v)) => v,
                    _ => panic!("{name}: no uncertainty"),
                }
            };
            let relative = Coefficients { rrs_uncertainty: Some(0.05), ..Coefficients::default() };
            let (given, configured, class_only) = (u(&Coefficients::default(), true), u(&relative, false), u(&Coefficients::default(), false));
            let finite = given.iter().filter(|x| x.is_finite()).count();
            assert!(finite > 10, "{name}");
            for i in 0..n {
                if given[i].is_finite() {
                    assert!((given[i] - configured[i]).abs() <= 1e-5 * configured[i].max(1e-3), "{name} {i}: {} vs {}", given[i], configured[i]);
                    assert!(given[i] > class_only[i], "{name} {i}");
                }
            }
        }
    }

    #[test]
    fn an_earlier_algorithm_reads_its_own_class_statistics() {
        // Statistics fitted on one algorithm would misstate another's error (issue 14 kept
        // the earlier ones selectable): the layers name the row they read.
        let s = sensor("meris").unwrap();
        let rows = |c: &Coefficients| product("spm_gohin").unwrap().prepare(s, c, &NoTables).unwrap().layer_provenance;
        let default = Coefficients::default();
        assert!(rows(&default).ends_with("rows spm_gohin"), "{}", rows(&default));
        let earlier = Coefficients { spm_gohin_algorithm: "forward-model".into(), ..default };
        assert!(rows(&earlier).ends_with("rows spm_gohin@forward-model"), "{}", rows(&earlier));
    }

    #[test]
    fn each_product_names_the_bands_it_reads() {
        let c = Coefficients::default();
        let s = sensor("seawifs").unwrap();
        let bands = |name: &str, c: &Coefficients| product(name).unwrap().prepare(s, c, &NoTables).map(|p| p.bands);
        let mut ocx = bands("chl_ocx", &c).unwrap();
        ocx.sort();
        assert_eq!(ocx, [443, 490, 510, 555]); // OC4: 443>490>510 / 555
        assert_eq!(bands("spm_nechad", &c).unwrap(), [670]);
        let oc3 = Coefficients { ocx: "oc3s".into(), nechad_wavelength: Some(555), ..c.clone() };
        assert_eq!(bands("chl_ocx", &oc3).unwrap(), [443, 490, 555]);
        assert_eq!(bands("spm_nechad", &oc3).unwrap(), [555]);
        assert!(product("chl_oc9").err().expect("unknown").to_string().contains("chl_ocx"));
    }

    #[test]
    fn turbid_products_name_their_bands_and_refuse_sensors_without_them() {
        let c = Coefficients::default();
        let bands = |name: &str, sensor: &str| product(name).unwrap().prepare(sensor_of(sensor), &c, &NoTables).map(|p| p.bands);
        fn sensor_of(n: &str) -> &'static Sensor {
            sensor(n).unwrap()
        }
        assert_eq!(bands("spm_gohin", "olci-a").unwrap(), [560, 665, 709]);
        assert_eq!(bands("spm_gohin", "seawifs").unwrap(), [555, 670]); // no 709 nm: green -> red only
        for s in ["meris", "olci-a", "olci-b", "olci-c"] {
            let b = bands("chl_eunosat", s).unwrap();
            assert!([665, 709, 779].iter().all(|nm| b.contains(nm)), "{s}: {b:?}");
        }
        let e = bands("chl_eunosat", "modis-aqua").err().unwrap().to_string();
        assert!(e.contains("709, 779") && e.contains("modis-aqua"), "{e}");
        let old = Coefficients { spm_gohin_algorithm: "forward-model".into(), oc5_recipe: "open-oc5-c1-1".into(), ..c.clone() };
        let p = product("spm_gohin").unwrap().prepare(sensor_of("meris"), &old, &NoTables).unwrap();
        assert!(p.provenance.contains("forward-model") && p.provenance.contains("open-oc5-c1-1"), "{}", p.provenance);
        let bad = Coefficients { spm_gohin_algorithm: "gohin2011".into(), ..c.clone() };
        assert!(product("spm_gohin").unwrap().prepare(sensor_of("meris"), &bad, &NoTables).err().unwrap().to_string().contains("nechad-switching"));
    }

    #[test]
    fn every_choice_is_a_field_of_the_coefficients_table() {
        let full = Coefficients {
            oci_thresholds: Some([0.1, 0.2]),
            nechad_wavelength: Some(670),
            oc5_table: Some("t.nc".into()),
            oc5ci_thresholds: Some([0.1, 0.2]),
            spm_gohin_mineral_scale: Some(1.0),
            rrs_uncertainty: Some(0.05),
            spm_gohin_switch: Some([0.1, 0.2]),
            spm_gohin_calibration: Some(1.0),
            ..Coefficients::default()
        };
        let keys: toml::Table = toml::from_str(&toml::to_string(&full).unwrap()).unwrap();
        for p in PRODUCTS {
            for (_, c) in p.choices {
                assert!(keys.contains_key(c.field()), "{}: {}", p.name, c.field());
            }
        }
    }
}
