//! Inter-sensor corrections (`fusion::intercal::Correction`) as netCDF-4
//! files: the coefficients, the diagnostics (pairs used, bias and spread
//! before and after) and the provenance (sensor -> reference chain, overlap
//! period, software), written atomically (`formats::atomic`).

use std::path::Path;

use netcdf::AttributeValue;

use super::atomic::NewNetcdf;
use crate::error::{Error, Result};
use crate::fusion::intercal::{Correction, Field, Kind};

const CHAIN_SEP: &str = " -> ";

/// Writes `c` to `path` (netCDF-4), replacing any file there.
pub fn save(c: &Correction, path: &Path) -> Result<()> {
    save_with(c, path, vec![])
}

/// `save` with extra global attributes (the command line's provenance: inputs, configuration).
pub fn save_with(c: &Correction, path: &Path, extra: Vec<(String, AttributeValue)>) -> Result<()> {
    let mut nf = NewNetcdf::create(path)?;
    write(c, nf.nc(), path, extra)?;
    nf.commit().map(|_| ())
}

fn write(c: &Correction, f: &mut netcdf::FileMut, path: &Path, extra: Vec<(String, AttributeValue)>) -> Result<()> {
    let err = |e: netcdf::Error| Error::file(path, format!("cannot write the correction: {e}"));
    let attrs: [(&str, AttributeValue); 14] = [
        ("title", "oceancolour inter-sensor correction".into()),
        ("Conventions", "CF-1.8, ACDD-1.3".into()),
        ("method", c.method_name().into()),
        ("sensor", c.chain[0].clone().into()),
        ("reference", c.chain[1].clone().into()),
        ("reference_chain", c.chain.join(CHAIN_SEP).into()),
        ("overlap_period", c.period.clone().into()),
        ("space", "log10".into()),
        ("n_pairs", AttributeValue::Ulonglong(c.n_pairs)),
        ("bias_before", c.bias_before.into()),
        ("spread_before", c.spread_before.into()),
        ("bias_after", c.bias_after.into()),
        ("spread_after", c.spread_after.into()),
        ("software", format!("oceancolour {}", env!("CARGO_PKG_VERSION")).into()),
    ];
    for (k, v) in attrs {
        f.add_attribute(k, v).map_err(err)?;
    }
    for (k, v) in extra {
        f.add_attribute(&k, v).map_err(err)?;
    }
    f.add_attribute(
        "comment",
        "bias and spread: median and IQR/1.349 of log10(reference) - log10(sensor) over the same-cell same-day pairs, before and after the correction",
    )
    .map_err(err)?;
    let scalar = |f: &mut netcdf::FileMut, name: &str, v: f64, desc: &str| -> Result<()> {
        let mut var = f.add_variable::<f64>(name, &[]).map_err(err)?;
        var.put_values(&[v], ..).map_err(err)?;
        var.put_attribute("long_name", desc).map_err(err)?;
        Ok(())
    };
    match &c.kind {
        Kind::LogOffset { offset } => scalar(f, "offset", *offset, "log10 x_corrected = log10 x + offset")?,
        Kind::Rma { intercept, slope } => {
            scalar(f, "intercept", *intercept, "log10 x_corrected = intercept + slope log10 x (Type-II RMA)")?;
            scalar(f, "slope", *slope, "log10 x_corrected = intercept + slope log10 x (Type-II RMA)")?;
        }
        Kind::Quantile { sensor_q, reference_q } => {
            f.add_dimension("quantile", sensor_q.len()).map_err(err)?;
            for (name, v, desc) in [
                ("sensor_log10_quantile", sensor_q, "quantiles of log10 sensor values over the pairs"),
                ("reference_log10_quantile", reference_q, "quantiles of log10 reference values over the pairs"),
            ] {
                let mut var = f.add_variable::<f64>(name, &["quantile"]).map_err(err)?;
                var.put_values(v, ..).map_err(err)?;
                var.put_attribute("long_name", desc).map_err(err)?;
            }
        }
        Kind::Field(fd) => {
            let (nbr, nbc) = (fd.grid.0.div_ceil(fd.block.0), fd.grid.1.div_ceil(fd.block.1));
            f.add_dimension("season", fd.nseason).map_err(err)?;
            f.add_dimension("block_row", nbr).map_err(err)?;
            f.add_dimension("block_col", nbc).map_err(err)?;
            for (k, v) in [
                ("block_rows", fd.block.0 as u64),
                ("block_cols", fd.block.1 as u64),
                ("grid_rows", fd.grid.0 as u64),
                ("grid_cols", fd.grid.1 as u64),
                ("min_pairs", fd.min_pairs as u64),
            ] {
                f.add_attribute(k, AttributeValue::Ulonglong(v)).map_err(err)?;
            }
            f.add_attribute("window_days", fd.window_days).map_err(err)?;
            let dims = ["season", "block_row", "block_col"];
            let mut v = f.add_variable::<f64>("offset", &dims).map_err(err)?;
            v.put_values(&fd.offset, ..).map_err(err)?;
            v.put_attribute("long_name", "log10 offset added to the sensor's log10 values").map_err(err)?;
            let mut v = f.add_variable::<f64>("iqr", &dims).map_err(err)?;
            v.put_values(&fd.iqr, ..).map_err(err)?;
            v.put_attribute("long_name", "inter-quartile range of the log10 differences").map_err(err)?;
            let mut v = f.add_variable::<u32>("n_pairs", &dims).map_err(err)?;
            v.put_values(&fd.n_pairs, ..).map_err(err)?;
            v.put_attribute("long_name", "same-cell same-day pairs used").map_err(err)?;
            let mut v = f.add_variable::<u8>("fallback", &dims).map_err(err)?;
            v.put_values(&fd.fallback, ..).map_err(err)?;
            v.put_attribute("flag_values", vec![0u8, 1, 2]).map_err(err)?;
            v.put_attribute("flag_meanings", "local season_median overall_median").map_err(err)?;
        }
    }
    Ok(())
}

/// Reads a correction written by `save`.
pub fn load(path: &Path) -> Result<Correction> {
    let f = netcdf::open(path).map_err(|e| Error::file(path, format!("cannot open as netCDF: {e}")))?;
    let missing = |what: &str| Error::file(path, format!("not an oceancolour correction file (no {what})"));
    let attr = |name: &str| -> Result<AttributeValue> {
        f.attribute(name).ok_or_else(|| missing(name))?.value().map_err(|e| Error::file(path, format!("attribute {name}: {e}")))
    };
    let text = |name: &str| -> Result<String> {
        match attr(name)? {
            AttributeValue::Str(s) => Ok(s),
            _ => Err(Error::file(path, format!("attribute {name} is not text"))),
        }
    };
    let num = |name: &str| -> Result<f64> {
        match attr(name)? {
            AttributeValue::Double(v) => Ok(v),
            AttributeValue::Float(v) => Ok(v as f64),
            AttributeValue::Ulonglong(v) => Ok(v as f64),
            AttributeValue::Longlong(v) => Ok(v as f64),
            AttributeValue::Uint(v) => Ok(v as f64),
            AttributeValue::Int(v) => Ok(v as f64),
            _ => Err(Error::file(path, format!("attribute {name} is not a number"))),
        }
    };
    let values = |name: &str| -> Result<Vec<f64>> {
        f.variable(name).ok_or_else(|| missing(name))?.get_values::<f64, _>(..).map_err(|e| Error::file(path, format!("variable {name}: {e}")))
    };
    let one = |name: &str| -> Result<f64> { values(name)?.first().copied().ok_or_else(|| Error::file(path, format!("variable {name} is empty"))) };
    let kind = match text("method")?.as_str() {
        "log_offset" => Kind::LogOffset { offset: one("offset")? },
        "rma" => Kind::Rma { intercept: one("intercept")?, slope: one("slope")? },
        "quantile" => Kind::Quantile { sensor_q: values("sensor_log10_quantile")?, reference_q: values("reference_log10_quantile")? },
        "field" => {
            let nseason = f.dimension("season").ok_or_else(|| missing("season dimension"))?.len();
            let n_pairs = f.variable("n_pairs").ok_or_else(|| missing("n_pairs"))?.get_values::<u32, _>(..);
            let fallback = f.variable("fallback").ok_or_else(|| missing("fallback"))?.get_values::<u8, _>(..);
            let fd = Field {
                block: (num("block_rows")? as usize, num("block_cols")? as usize),
                grid: (num("grid_rows")? as usize, num("grid_cols")? as usize),
                nseason,
                window_days: num("window_days")?,
                min_pairs: num("min_pairs")? as u32,
                offset: values("offset")?,
                n_pairs: n_pairs.map_err(|e| Error::file(path, format!("variable n_pairs: {e}")))?,
                iqr: values("iqr")?,
                fallback: fallback.map_err(|e| Error::file(path, format!("variable fallback: {e}")))?,
            };
            let (nbr, nbc) = (fd.grid.0.div_ceil(fd.block.0.max(1)), fd.grid.1.div_ceil(fd.block.1.max(1)));
            if fd.block.0 == 0 || fd.block.1 == 0 || fd.offset.len() != nseason * nbr * nbc {
                return Err(Error::file(path, "the offset field does not match its grid and block sizes"));
            }
            Kind::Field(fd)
        }
        m => return Err(Error::file(path, format!("unknown correction method {m:?}"))),
    };
    Ok(Correction {
        kind,
        chain: text("reference_chain")?.split(CHAIN_SEP).map(String::from).collect(),
        period: text("overlap_period")?,
        n_pairs: num("n_pairs")? as u64,
        bias_before: num("bias_before")?,
        spread_before: num("spread_before")?,
        bias_after: num("bias_after")?,
        spread_after: num("spread_after")?,
    })
}
