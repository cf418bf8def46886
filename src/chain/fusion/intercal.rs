//! `oceancolour intercal fit|apply`: inter-sensor corrections fitted on same-cell same-day pairs of daily L3 files, and applied to binned sums.

use std::collections::BTreeMap;
use std::path::PathBuf;

use chrono::NaiveDate;

use super::config::IntercalConfig;
use super::{doy, provenance, read_all, refuse_output_among_inputs, sensor_attrs, time_attrs, toml_of, Progress};
use crate::chain::Context;
use crate::error::{Error, Result};
use crate::formats::cf::text_attr;
use crate::formats::correction;
use crate::formats::l3file::{self, L3Binned};
use crate::fusion::grid::GridSpec;
use crate::fusion::intercal::{apply_to_bins, correct_bins, pair_bins, Correction, DailyFields, Method};

pub struct FitRequest {
    pub sensor: Vec<PathBuf>,
    pub reference: Vec<PathBuf>,
    pub output: PathBuf,
    pub bridge: Option<PathBuf>,
    pub config: IntercalConfig,
}

/// Daily files by day, refusing two files of one day and mixed sensors.
fn by_day(files: Vec<L3Binned>, paths: &[PathBuf]) -> Result<(String, BTreeMap<NaiveDate, L3Binned>)> {
    let sensor = files.first().map(|f| f.sensor.clone()).unwrap_or_default();
    let mut days = BTreeMap::new();
    for (f, p) in files.into_iter().zip(paths) {
        if f.sensor != sensor {
            return Err(Error::file(p, format!("is from {} but {} is from {sensor}: give one sensor per list", f.sensor, paths[0].display())));
        }
        let d = f.day(p)?;
        if days.insert(d, f).is_some() {
            return Err(Error::file(p, format!("is a second file for {d}: give one daily file per day (composite several with `oceancolour bin`)")));
        }
    }
    Ok((sensor, days))
}

/// Fits an intercalibration of one sensor's daily L3 files to a reference's
/// from their same-cell same-day pairs, and saves it.
pub fn intercal_fit(req: &FitRequest, ctx: &Context, progress: Progress) -> Result<Correction> {
    let method = req.config.method()?;
    let var = req.config.variable.as_deref();
    let all: Vec<PathBuf> = req.sensor.iter().chain(&req.reference).cloned().collect();
    refuse_output_among_inputs(&req.output, &[all.as_slice(), req.bridge.as_slice()].concat())?;
    let files = read_all(ctx, &all, var, progress, "reading")?;
    let mut files = files.into_iter();
    let (sensor, s_days) = by_day(files.by_ref().take(req.sensor.len()).collect(), &req.sensor)?;
    let (reference, r_days) = by_day(files.collect(), &req.reference)?;
    if sensor == reference {
        return Err(Error::InvalidParameter { name: "--reference".into(), reason: format!("the sensor and reference files are both from {sensor}") });
    }
    let bridge = req.bridge.as_deref().map(correction::load).transpose()?;
    let chain = match &bridge {
        Some(b) if b.chain[0] != reference => {
            return Err(Error::file(
                req.bridge.as_ref().expect("given"),
                format!("corrects {} but the reference files are from {reference}: the bridge must be the reference sensor's correction", b.chain[0]),
            ))
        }
        Some(b) => std::iter::once(sensor.clone()).chain(b.chain.iter().cloned()).collect(),
        None => vec![sensor.clone(), reference.clone()],
    };
    let common: Vec<NaiveDate> = s_days.keys().filter(|d| r_days.contains_key(d)).copied().collect();
    if common.is_empty() {
        return Err(Error::InvalidParameter { name: "overlap".into(), reason: format!("no day has both a {sensor} and a {reference} file") });
    }
    let grid = s_days[&common[0]].grid.clone();
    // The reference's values per common day (corrected by the bridge first).
    let mut refs: Vec<(Vec<u64>, Vec<f32>)> = Vec::with_capacity(common.len());
    for d in &common {
        let r = &r_days[d];
        let mean: Vec<f32> = r.bins.mean().into_iter().map(|m| m as f32).collect();
        let mean = match &bridge {
            Some(b) => apply_to_bins(b, &grid, &r.bins.bin, &mean, doy(*d))?,
            None => mean,
        };
        refs.push((r.bins.bin.clone(), mean));
    }
    let period = format!("{}/{}", common[0], common[common.len() - 1]);
    let correction = match (&method, &grid) {
        (Method::Field { .. }, GridSpec::Regular(g)) => {
            let cells = g.nlon * g.nlat;
            let (mut sv, mut rv) = (vec![f32::NAN; cells * common.len()], vec![f32::NAN; cells * common.len()]);
            for (k, d) in common.iter().enumerate() {
                let s = &s_days[d].bins;
                for (&b, m) in s.bin.iter().zip(s.mean()) {
                    sv[k * cells + b as usize] = m as f32;
                }
                for (&b, &m) in refs[k].0.iter().zip(&refs[k].1) {
                    rv[k * cells + b as usize] = m;
                }
            }
            let doys: Vec<f64> = common.iter().map(|d| doy(*d)).collect();
            let shape = (common.len(), g.nlat, g.nlon);
            Correction::fit(&DailyFields { values: &sv, shape, doy: &doys }, &DailyFields { values: &rv, shape, doy: &doys }, &method, chain, &period)?
        }
        (Method::Field { .. }, GridSpec::Isin(_)) => {
            return Err(Error::InvalidParameter { name: "method".into(), reason: "the field method needs daily files on a regular lat/lon grid".into() })
        }
        _ => {
            // Only the pairs matter: one "day" per pair.
            let (mut sv, mut rv, mut doys) = (vec![], vec![], vec![]);
            for (k, d) in common.iter().enumerate() {
                let s = &s_days[d].bins;
                let smean: Vec<f32> = s.mean().into_iter().map(|m| m as f32).collect();
                let (pv, pr) = pair_bins(&s.bin, &smean, &refs[k].0, &refs[k].1);
                doys.extend(std::iter::repeat_n(doy(*d), pv.len()));
                sv.extend(pv);
                rv.extend(pr);
            }
            let shape = (sv.len(), 1, 1);
            Correction::fit(&DailyFields { values: &sv, shape, doy: &doys }, &DailyFields { values: &rv, shape, doy: &doys }, &method, chain, &period)?
        }
    };
    let mut cfg_used = req.config.clone();
    cfg_used.variable = Some(s_days[&common[0]].product.variable.clone());
    let mut extra = provenance(
        ctx,
        "intercal fit",
        format!("oceancolour inter-sensor correction {}", correction.chain.join(" -> ")),
        &all.iter().chain(req.bridge.iter()).cloned().collect::<Vec<_>>(),
        toml_of("intercal", &cfg_used),
        format!("{} fitted on {} same-cell same-day pairs of daily L3 means, log10 space (fusion.md s2.2)", correction.method_name(), correction.n_pairs),
    );
    extra.retain(|(k, _)| !["Conventions", "title", "method"].contains(&k.as_str())); // the correction file writes its own
    extra.push(text_attr("grid", grid.describe()));
    extra.push(text_attr("variable", cfg_used.variable.clone().unwrap_or_default()));
    if let Some(b) = &req.bridge {
        extra.push(text_attr("bridge_correction", b.display().to_string()));
    }
    correction::save_with(&correction, &req.output, extra)?;
    Ok(correction)
}

pub struct ApplyRequest {
    pub correction: PathBuf,
    pub inputs: Vec<PathBuf>,
    pub outdir: PathBuf,
}

/// Corrected copies of L3 binned files (same names, in `outdir`).
pub fn intercal_apply(req: &ApplyRequest, ctx: &Context, progress: Progress) -> Result<Vec<PathBuf>> {
    let c = correction::load(&req.correction)?;
    std::fs::create_dir_all(&req.outdir).map_err(|e| Error::file(&req.outdir, format!("output folder cannot be created: {e}")))?;
    let mut written = Vec::new();
    for (i, path) in req.inputs.iter().enumerate() {
        ctx.check()?;
        progress(i, req.inputs.len(), &path.display().to_string());
        let l3 = {
            let _reading = ctx.reading(path);
            l3file::read_binned(path, None)?
        };
        if l3.sensor != c.chain[0] {
            return Err(Error::file(path, format!("is from {} but {} corrects {}", l3.sensor, req.correction.display(), c.chain[0])));
        }
        let dest = req.outdir.join(path.file_name().ok_or_else(|| Error::file(path, "not a file name"))?);
        if dest.canonicalize().ok() == path.canonicalize().ok() {
            return Err(Error::file(path, "the corrected copy would replace the input: choose another output folder"));
        }
        let day = l3.day(path)?;
        let (bins, dropped) = correct_bins(&c, &l3.bins, &l3.grid, doy(day))?;
        if dropped > 0 {
            log::warn!("{}: {dropped} bin(s) with a mean <= 0 cannot be corrected in log10 and were dropped", path.display());
        }
        let mut globals = provenance(
            ctx,
            "intercal apply",
            format!(
                "{} Level-3 binned ({}) from {}, {}, intercalibrated to {}",
                l3.product.long_name,
                l3.grid.describe(),
                l3.instrument,
                day,
                c.chain[1..].join(" -> ")
            ),
            &[path.clone(), req.correction.clone()],
            String::new(),
            format!("{} correction {} applied to the bin sums (fusion.md s2.2)", c.method_name(), c.chain.join(" -> ")),
        );
        globals.extend(time_attrs(&l3.time_coverage_start, &l3.time_coverage_end));
        globals.extend(sensor_attrs(&l3.sensor, &l3.instrument, &l3.platform));
        globals
            .push(text_attr("intercalibration", format!("{} ({}; overlap {}; {} pairs)", req.correction.display(), c.chain.join(" -> "), c.period, c.n_pairs)));
        let out = L3Binned { bins, ..l3 };
        written.push(l3file::write_binned(&dest, &out, globals)?);
    }
    Ok(written)
}
