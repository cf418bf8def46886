//! Level-3 binned files of the fusion chain (sums per bin, as NASA's l2bin
//! writes them), by grid:
//! - ISIN: NASA's L3b layout, written and read by `formats::l3b`, plus our
//!   additions (ignored by NASA's readers): plain `<product>_mean` and
//!   `<product>_stdev` variables along `binListDim`.
//! - With the product's per-pixel uncertainty (docs/uncertainty.md s5): its
//!   sums on the product's bins (ISIN: a further L3b product
//!   `<product>_uncertainty`; regular: `<product>_uncertainty_sum` and
//!   `_sum_squared`), and the bin's error standard deviation
//!   `<product>_error_stdev` (log10 units), the name `merge` writes too.
//! - Regular latitude/longitude grids: a CF-1.8 grid (`formats::fields`)
//!   with the mean as the product variable (so `formats::cf_grid` reads it
//!   back), `<product>_stdev`, `<product>_sum`, `<product>_sum_squared`
//!   (float64), `weights`, `nobs`, `nscenes`.

use std::path::{Path, PathBuf};

use netcdf::AttributeValue;

use super::atomic::NewNetcdf;
use super::fields::{attr_text, file_grid, put_axes, put_globals, put_vars, Values, Var, BINNED, FILE_TYPE};
use super::l3b::{self, L3bFile, GROUP};
use super::nc::{self, text};
use crate::error::{Error, Result};
use crate::fusion::binning::{self, Averaging, L3Bins};
use crate::fusion::grid::GridSpec;

/// The product a file holds.
#[derive(Debug, Clone, PartialEq)]
pub struct ProductMeta {
    pub variable: String,
    pub long_name: String,
    pub units: String,
    pub standard_name: Option<String>,
}

/// A Level-3 binned file's content.
#[derive(Debug, Clone)]
pub struct L3Binned {
    pub grid: GridSpec,
    pub bins: L3Bins,
    pub product: ProductMeta,
    /// The product's per-pixel uncertainty binned on the product's bins
    /// (`fusion::binning::bin_uncertainty`), when the inputs carried one.
    pub uncertainty: Option<L3Bins>,
    /// Sensor registry name (e.g. "modis-aqua"), or the instrument as written.
    pub sensor: String,
    pub instrument: String,
    pub platform: String,
    pub time_coverage_start: String,
    pub time_coverage_end: String,
}

impl L3Binned {
    /// The UTC day the data start on (from `time_coverage_start`).
    pub fn day(&self, path: &Path) -> Result<chrono::NaiveDate> {
        day_of(path, &self.time_coverage_start)
    }
}

/// The date of an ISO 8601 time ("2008-01-01T12:00:00Z" -> 2008-01-01).
pub fn day_of(path: &Path, time: &str) -> Result<chrono::NaiveDate> {
    time.get(..10)
        .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        .ok_or_else(|| Error::file(path, format!("time_coverage_start {time:?} is not an ISO 8601 date: the day of the data is unknown")))
}

// ------------------------------------------------------------ reading

/// What kind of file this is: an L3 binned file (ours or NASA's), another
/// oceancolour fusion file (merged, L4), or something else (None).
pub fn file_type(path: &Path) -> Result<Option<String>> {
    let f = nc::open(path)?;
    if nc::group(&f, GROUP).is_some() {
        return Ok(Some(BINNED.into()));
    }
    Ok(text(f.attribute(FILE_TYPE).map(|a| a.value())))
}

fn var_text(v: &netcdf::Variable, name: &str) -> Option<String> {
    text(v.attribute_value(name))
}

/// Sensor registry name from the file's metadata, else its instrument.
pub(crate) fn sensor_name(f: &netcdf::File) -> (String, String, String) {
    let (instrument, platform) = (attr_text(f, "instrument"), attr_text(f, "platform"));
    let sensor = super::sensor_from_metadata(&instrument, &platform).map(|s| s.name.to_string()).unwrap_or_else(|| {
        let s = attr_text(f, "sensor");
        // Ours: "modis-aqua" or "modis-aqua (from ...)".
        s.split(" (").next().filter(|s| !s.is_empty()).map(String::from).unwrap_or_else(|| instrument.clone())
    });
    (sensor, instrument, platform)
}

/// Picks the product: the one asked for, or the only one there.
fn pick(path: &Path, asked: Option<&str>, available: &[String], what: &str) -> Result<String> {
    match asked {
        Some(v) if available.iter().any(|a| a == v) => Ok(v.to_string()),
        Some(v) => Err(Error::file(path, format!("has no {what} variable {v:?}; it has: {}", available.join(", ")))),
        None if available.len() == 1 => Ok(available[0].clone()),
        None => Err(Error::file(path, format!("holds several {what} variables ({}): choose one with --variable", available.join(", ")))),
    }
}

/// Reads an L3 binned file: NASA's L3b layout (ISIN; NASA's own files
/// included) or ours on a regular grid.
pub fn read_binned(path: &Path, variable: Option<&str>) -> Result<L3Binned> {
    let f = nc::open(path)?;
    let (sensor, instrument, platform) = sensor_name(&f);
    let (start, end) = (attr_text(&f, "time_coverage_start"), attr_text(&f, "time_coverage_end"));
    if nc::group(&f, GROUP).is_some() {
        let l3b = L3bFile::open(path, f)?;
        let all = l3b.products();
        let name = pick(path, variable, &without_uncertainties(&all), "binned")?;
        let (bins, product) = l3b.read_product(&name)?;
        let uncertainty = match all.contains(&uncertainty_name(&name)) {
            true => Some(l3b.read_product(&uncertainty_name(&name))?.0),
            false => None,
        };
        if let Some(u) = uncertainty.as_ref().filter(|u| u.bin != bins.bin) {
            return Err(Error::file(path, format!("{} has {} bins, {name} {}: not the product's bins", uncertainty_name(&name), u.len(), bins.len())));
        }
        let grid = GridSpec::Isin(l3b.grid().clone());
        return Ok(L3Binned { grid, bins, product, uncertainty, sensor, instrument, platform, time_coverage_start: start, time_coverage_end: end });
    }
    if attr_text(&f, FILE_TYPE) != BINNED {
        return Err(Error::file(
            path,
            "is not a Level-3 binned file (no level-3_binned_data group, no oceancolour_file_type = \"L3 binned\"): make one with `oceancolour bin`",
        ));
    }
    let name = attr_text(&f, "oceancolour_variable");
    let name = pick(path, variable, std::slice::from_ref(&name), "binned")?;
    let grid = file_grid(path, &f)?;
    let GridSpec::Regular(g) = &grid else {
        return Err(Error::file(path, "an L3 binned file without a level-3_binned_data group must be on a regular grid"));
    };
    let dense = |v: &str| -> Result<Vec<f64>> {
        let var = nc::variable(path, &f, v, "binned sums")?;
        if var.len() != g.nlon * g.nlat {
            return Err(Error::file(path, format!("{v} has {} cells, the grid {}", var.len(), g.nlon * g.nlat)));
        }
        var.get_values::<f64, _>(..).map_err(|e| Error::file(path, format!("reading {v}: {e}")))
    };
    let (sum, sum2, weights, nobs, nscenes) =
        (dense(&format!("{name}_sum"))?, dense(&format!("{name}_sum_squared"))?, dense("weights")?, dense("nobs")?, dense("nscenes")?);
    let pv = nc::variable(path, &f, &name, "product")?;
    let averaging = Averaging::parse(&var_text(&pv, "averaging_scheme").unwrap_or_else(|| "arithmetic".into())).map_err(|e| Error::file(path, e))?;
    let filled: Vec<usize> = (0..weights.len()).filter(|&i| weights[i] > 0.0).collect();
    let sparse = |averaging: Averaging, sum: &[f64], sum2: &[f64]| L3Bins {
        averaging,
        bin: filled.iter().map(|&i| i as u64).collect(),
        sum: filled.iter().map(|&i| sum[i]).collect(),
        sum2: filled.iter().map(|&i| sum2[i]).collect(),
        weights: filled.iter().map(|&i| weights[i]).collect(),
        nobs: filled.iter().map(|&i| nobs[i] as u32).collect(),
        nscenes: filled.iter().map(|&i| nscenes[i] as u32).collect(),
    };
    let bins = sparse(averaging, &sum, &sum2);
    let u = uncertainty_name(&name);
    let uncertainty = match f.variable(&format!("{u}_sum")) {
        Some(_) => Some(sparse(Averaging::Arithmetic, &dense(&format!("{u}_sum"))?, &dense(&format!("{u}_sum_squared"))?)),
        None => None,
    };
    let product = ProductMeta {
        long_name: var_text(&pv, "long_name").unwrap_or_else(|| name.clone()),
        standard_name: var_text(&pv, "standard_name"),
        units: var_text(&pv, "units").unwrap_or_default(),
        variable: name,
    };
    Ok(L3Binned { grid, bins, product, uncertainty, sensor, instrument, platform, time_coverage_start: start, time_coverage_end: end })
}

/// The name of a product's uncertainty variable (the chain's layer name).
pub fn uncertainty_name(product: &str) -> String {
    format!("{product}_uncertainty")
}

/// The products, less the uncertainties of products also there.
fn without_uncertainties(products: &[String]) -> Vec<String> {
    products.iter().filter(|p| !p.strip_suffix("_uncertainty").is_some_and(|base| products.iter().any(|q| q == base))).cloned().collect()
}

// ------------------------------------------------------------ writing

fn product_attrs(p: &ProductMeta, what: &str) -> Vec<(&'static str, AttributeValue)> {
    let mut a = vec![("long_name", AttributeValue::from(format!("{}{what}", p.long_name))), ("units", p.units.clone().into())];
    if let (Some(s), "") = (&p.standard_name, what) {
        a.push(("standard_name", s.clone().into()));
    }
    a
}

/// UDUNITS units of a sum of squares of values in `units`: `(units)^2`.
fn squared(units: &str) -> String {
    match units {
        "1" | "" => "1".into(),
        u if u.contains(' ') => format!("({u})^2"),
        u => format!("{u}^2"),
    }
}

/// Writes an L3 binned file (layout by grid, see the module documentation).
pub fn write_binned(dest: &Path, l3: &L3Binned, globals: Vec<(String, AttributeValue)>) -> Result<PathBuf> {
    let b = &l3.bins;
    let p = &l3.product;
    let mut nf = NewNetcdf::create(dest)?;
    put_globals(&mut nf, &l3.grid, &b.bin, BINNED, &p.variable, globals)?;
    let mean: Vec<f32> = b.mean().into_iter().map(|x| x as f32).collect();
    let stdev: Vec<f32> = b.variance().into_iter().map(|x| x.sqrt() as f32).collect();
    let scheme = b.averaging.name();
    let (domain, domain_units) = match b.averaging {
        Averaging::Arithmetic => ("the values", p.units.as_str()),
        Averaging::Geometric => ("ln of the values", "1"),
    };
    let error_stdev = l3.uncertainty.as_ref().map(|u| binning::error_stdev_log10(b, u).into_iter().map(|x| x as f32).collect::<Vec<f32>>());
    let error_stdev_attrs = || -> Vec<(&'static str, AttributeValue)> {
        vec![
            ("long_name", format!("error standard deviation of log10 of the bin's {}: sqrt(mean pixel uncertainty^2 + within-bin variance / weights^2) (docs/uncertainty.md s5)", p.variable).into()),
            ("units", "1".into()),
            ("comment", "log10 units (dex): the value lies within [v 10^-s, v 10^s] at 1 sigma".into()),
        ]
    };
    let uncertainty_attrs = |what: &str| -> Vec<(&'static str, AttributeValue)> {
        vec![
            ("long_name", format!("per-pixel uncertainty of log10 {} (1 sigma), {what} with the product's l2bin weights", p.variable).into()),
            ("units", "1".into()),
        ]
    };
    let stdev_doc = format!(
        "standard deviation of {domain}, with l2bin's small-sample correction (OCSSW libbin L3File.cpp): \
(sum_squared/weights - mean^2) weights^2/(weights^2 - nscenes)"
    );
    match &l3.grid {
        GridSpec::Isin(g) => {
            let mut attrs = product_attrs(p, "");
            attrs.push(("averaging_scheme", scheme.into()));
            let extra: Vec<l3b::Extra> = l3
                .uncertainty
                .iter()
                .map(|u| l3b::Extra { name: uncertainty_name(&p.variable), bins: u, units: "1", attrs: uncertainty_attrs("sums") })
                .collect();
            l3b::write(&mut nf, g, b, p, attrs, &extra)?;
            let n = b.len();
            let chunk = [n.clamp(1, 65536) * (n > 0) as usize];
            let mut vars = vec![
                Var::new(format!("{GROUP}/{}_mean", p.variable), Values::F32(mean), product_attrs(p, &format!(", {scheme} mean per bin"))),
                Var::new(format!("{GROUP}/{}_stdev", p.variable), Values::F32(stdev), vec![("long_name", stdev_doc.into())]),
            ];
            if let Some(e) = error_stdev {
                vars.push(Var::new(format!("{GROUP}/{}_error_stdev", p.variable), Values::F32(e), error_stdev_attrs()));
            }
            put_vars(&mut nf, &["binListDim"], &chunk, None, vars)?;
        }
        GridSpec::Regular(g) => {
            put_axes(&mut nf, g)?;
            let ncells = g.nlon * g.nlat;
            let dense = |v: Vec<f64>, fill: f64| b.to_dense(&v, ncells, 0, fill);
            let as_f64 = |v: &[u32]| v.iter().map(|&x| x as f64).collect::<Vec<_>>();
            let to_u32 = |v: Vec<f64>| v.into_iter().map(|x| x as u32).collect::<Vec<_>>();
            let chunk = [g.nlat.min(256), g.nlon.min(1024)];
            let mut mean_attrs = product_attrs(p, "");
            mean_attrs.push(("averaging_scheme", scheme.into()));
            mean_attrs.push(("cell_methods", format!("area: mean ({scheme}, l2bin weighting)").into()));
            if l3.uncertainty.is_some() {
                mean_attrs.push(("ancillary_variables", format!("{}_error_stdev", p.variable).into()));
            }
            let sum_doc = |what: &str| format!("l2bin {what} of {domain}: sum over scenes of the scene's sum / sqrt(n_scene) (fusion.md s1.2)");
            let mut vars = vec![
                Var::new(
                    &p.variable,
                    Values::F32(dense(mean.iter().map(|&x| x as f64).collect(), f64::NAN)?.into_iter().map(|x| x as f32).collect()),
                    mean_attrs,
                ),
                Var::new(
                    format!("{}_stdev", p.variable),
                    Values::F32(dense(stdev.iter().map(|&x| x as f64).collect(), f64::NAN)?.into_iter().map(|x| x as f32).collect()),
                    vec![("long_name", stdev_doc.into()), ("units", domain_units.into())],
                ),
                Var::new(
                    format!("{}_sum", p.variable),
                    Values::F64(dense(b.sum.clone(), 0.0)?),
                    vec![("long_name", sum_doc("sum").into()), ("units", domain_units.into())],
                ),
                Var::new(
                    format!("{}_sum_squared", p.variable),
                    Values::F64(dense(b.sum2.clone(), 0.0)?),
                    vec![("long_name", sum_doc("sum of squares").into()), ("units", squared(domain_units).into())],
                ),
                Var::new(
                    "weights",
                    Values::F64(dense(b.weights.clone(), 0.0)?),
                    vec![("long_name", "l2bin weights: sum over scenes of sqrt(n_scene); 0 where no data".into()), ("units", "1".into())],
                ),
                Var::new(
                    "nobs",
                    Values::U32(to_u32(dense(as_f64(&b.nobs), 0.0)?)),
                    vec![("long_name", "number of Level-2 observations (count)".into()), ("standard_name", "number_of_observations".into())],
                ),
                Var::new("nscenes", Values::U32(to_u32(dense(as_f64(&b.nscenes), 0.0)?)), vec![("long_name", "number of scenes".into())]),
            ];
            if let (Some(u), Some(e)) = (&l3.uncertainty, error_stdev) {
                let name = uncertainty_name(&p.variable);
                vars.push(Var::new(format!("{name}_sum"), Values::F64(dense(u.sum.clone(), 0.0)?), uncertainty_attrs("sum")));
                vars.push(Var::new(format!("{name}_sum_squared"), Values::F64(dense(u.sum2.clone(), 0.0)?), uncertainty_attrs("sum of squares")));
                let e = dense(e.iter().map(|&x| x as f64).collect(), f64::NAN)?.into_iter().map(|x| x as f32).collect();
                vars.push(Var::new(format!("{}_error_stdev", p.variable), Values::F32(e), error_stdev_attrs()));
            }
            put_vars(&mut nf, &["lat", "lon"], &chunk, Some("lat lon"), vars)?;
        }
    }
    nf.commit()
}
