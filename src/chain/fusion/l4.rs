//! `oceancolour l4`: a merged field -> a gap-free field by ordinary kriging of log10 anomalies to a first guess.

use std::path::{Path, PathBuf};

use netcdf::AttributeValue;

use super::config::L4Config;
use super::{provenance, refuse_output_among_inputs, toml_of, Progress};
use crate::chain::Context;
use crate::error::{Error, Result};
use crate::formats::cf::text_attr;
use crate::formats::fields;
use crate::formats::l4::{self as l4file, GapFree};
use crate::formats::merged;
use crate::fusion::grid::GridSpec;
use crate::fusion::krige::{self, Mean, Model, Variogram};

pub struct L4Request {
    pub merged: PathBuf,
    pub first_guess: PathBuf,
    pub previous: Option<PathBuf>,
    pub output: PathBuf,
    pub config: L4Config,
}

pub struct L4Report {
    pub output: PathBuf,
    pub variogram: Variogram,
    pub fitted: bool,
    pub observed: usize,
    pub cells: usize,
}

/// The gap-free field of a merged day: kriging of log10 anomalies to a
/// first guess (climatology, or relaxed toward the previous analysis).
pub fn l4(req: &L4Request, ctx: &Context, progress: Progress) -> Result<L4Report> {
    let inputs: Vec<PathBuf> = [Some(&req.merged), Some(&req.first_guess), req.previous.as_ref()].into_iter().flatten().cloned().collect();
    refuse_output_among_inputs(&req.output, &inputs)?;
    let cfg = &req.config;
    let model = Model::parse(&cfg.variogram)?;
    progress(0, 3, "reading");
    let merged_file = {
        let _reading = ctx.reading(&req.merged);
        merged::read(&req.merged)?
    };
    let merged = &merged_file.field;
    let GridSpec::Regular(g) = merged.grid.clone() else {
        return Err(Error::file(&req.merged, "l4 needs a regular lat/lon grid (ISIN is not supported)"));
    };
    let fg_var = cfg.first_guess_variable.clone().unwrap_or_else(|| merged.variable.clone());
    let clim = {
        let _reading = ctx.reading(&req.first_guess);
        fields::read_field(&req.first_guess, Some(&fg_var))?
    };
    let same = |other: &fields::Field, p: &Path| -> Result<()> {
        if other.grid.same_as(&merged.grid) {
            Ok(())
        } else {
            Err(Error::file(p, format!("is on grid {} but {} is on {}", other.grid.describe(), req.merged.display(), merged.grid.describe())))
        }
    };
    same(&clim, &req.first_guess)?;
    let (prev, alpha) = match (&req.previous, cfg.alpha) {
        (Some(p), Some(a)) => {
            let f = {
                let _reading = ctx.reading(p);
                l4file::read_previous(p, &merged.variable)?
            };
            same(&f, p)?;
            (f.values, a)
        }
        (Some(_), None) => {
            return Err(Error::InvalidParameter {
                name: "--alpha".into(),
                reason: "--previous needs --alpha (weight of the previous analysis; fusion.md s4.1 gives alpha = exp(-dt/L_t), L_t not published)".into(),
            })
        }
        (None, _) => (vec![], 0.0),
    };
    let fg = krige::first_guess_log10(&clim.values, &prev, alpha)?;
    let values: Vec<f64> = merged.values.iter().map(|&v| v as f64).collect();
    let (lons, lats) = g.axes();
    let cells = krige::GridCoordinates::sinusoidal_km(&lats, &lons)?;
    let error_var = merged::error_stdev_name(&merged.variable);
    let carried = merged_file.error_from_uncertainty();
    let observation_noise = cfg.observation_noise.unwrap_or(carried);
    let noise: Vec<f64> = if observation_noise {
        let s = {
            let _reading = ctx.reading(&req.merged);
            merged::read_error_stdev(&req.merged, &merged.variable)?
        };
        s.values.iter().map(|&x| if x.is_finite() { (x as f64).powi(2) } else { 0.0 }).collect()
    } else {
        vec![]
    };
    let observed: Vec<bool> = (0..values.len()).map(|i| values[i] > 0.0 && values[i].is_finite() && fg[i].is_finite()).collect();
    let nobs = observed.iter().filter(|&&o| o).count();
    let (vario, fitted) = match (cfg.psill, cfg.range_km, cfg.nugget) {
        (Some(p), Some(r), Some(n)) => (Variogram::new(model, p, r, n)?, false),
        (None, None, None) => {
            progress(1, 3, "fitting the variogram");
            let (mut x, mut y, mut z) = (vec![], vec![], vec![]);
            for i in (0..values.len()).filter(|&i| observed[i]) {
                let (cx, cy) = cells.at(i);
                x.push(cx);
                y.push(cy);
                z.push(values[i].log10() - fg[i]);
            }
            (krige::fit_variogram_to_data(model, &x, &y, &z, cfg.nlags, cfg.max_lag_km, cfg.max_points)?.0, true)
        }
        _ => {
            return Err(Error::InvalidParameter {
                name: "variogram".into(),
                reason: "give all of --psill, --range and --nugget, or none (fitted from the data)".into(),
            })
        }
    };
    ctx.check()?;
    progress(2, 3, "kriging");
    let (est, var) = krige::l4_grid(&values, &fg, &cells, &noise, &vario, cfg.k, Mean::Ordinary, ctx.cancel())?;
    let v = &merged.variable;
    let mut cfg_used = cfg.clone();
    cfg_used.psill = Some(vario.psill);
    cfg_used.range_km = Some(vario.range);
    cfg_used.nugget = Some(vario.nugget);
    cfg_used.first_guess_variable = Some(fg_var);
    cfg_used.observation_noise = Some(observation_noise);
    let method = format!(
        "ordinary kriging of log10 anomalies to a first guess, {} nearest observations (Saulquin et al. 2011 family; fusion.md s4.1); \
variogram {} psill={} range={} km nugget={} ({}); cells placed in km on the sinusoidal projection centred on the grid's middle meridian (R = {} km); first guess {}{}; {}",
        cfg.k,
        model.name(),
        vario.psill,
        vario.range,
        vario.nugget,
        if fitted { "fitted from the data by weighted least squares" } else { "given" },
        krige::EARTH_RADIUS_KM,
        req.first_guess.display(),
        req.previous.as_ref().map(|p| format!(" relaxed toward {} with alpha={alpha}", p.display())).unwrap_or_default(),
        match (observation_noise, carried) {
            (true, true) => format!("observation noise: the merged {error_var}^2 (from per-pixel uncertainties)"),
            (true, false) => format!("observation noise: the merged {error_var}^2"),
            (false, _) => "no observation noise filtered".to_string(),
        }
    );
    let inputs: Vec<PathBuf> = [Some(req.merged.clone()), Some(req.first_guess.clone()), req.previous.clone()].into_iter().flatten().collect();
    let mut globals = provenance(ctx, "l4", format!("{v} gap-free L4 ({})", merged.grid.describe()), &inputs, toml_of("l4", &cfg_used), method);
    for (k, val) in &merged.attributes {
        if ["time_coverage_start", "time_coverage_end", "time_coverage_duration", "time_coverage_resolution", "sensors", "instrument", "platform"]
            .contains(&k.as_str())
        {
            globals.push(text_attr(k, val.clone()));
        }
    }
    globals.push(text_attr("processing_level", "L4"));
    globals.push(text_attr("variogram_model", model.name()));
    for (k, x) in [("variogram_psill", vario.psill), ("variogram_range_km", vario.range), ("variogram_nugget", vario.nugget)] {
        globals.push((k.into(), x.into()));
    }
    globals.push(text_attr("variogram_source", if fitted { "fitted from the data" } else { "given" }));
    globals.push(("kriging_neighbours".into(), AttributeValue::Uint(cfg.k as u32)));
    let gap_free = GapFree {
        variable: v,
        units: merged_file.units.clone(),
        standard_name: merged_file.standard_name.clone(),
        log10: &est,
        variance: &var,
        observed: &observed,
    };
    let output = l4file::write(&req.output, &merged.grid, gap_free, globals)?;
    Ok(L4Report { output, variogram: vario, fitted, observed: nobs, cells: values.len() })
}
