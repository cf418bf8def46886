//! `oceancolour bin`: Level-2 products of one day -> a Level-3 binned file as NASA's l2bin, and composites of binned files as l3bin.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use netcdf::AttributeValue;

use super::config::{out_of_range_rule, parse_data_day, BinConfig};
use super::{provenance, refuse_output_among_inputs, sensor_attrs, time_attrs, toml_of, Progress};
use crate::chain::Context;
use crate::error::{Error, Result};
use crate::formats::cf::text_attr;
use crate::formats::fields;
use crate::formats::l3file::{self, L3Binned, ProductMeta};
use crate::formats::nc;
use crate::fusion::binning::{self as binning, bin_l2, Averaging, DataDaySide, L3Bins, OutOfRange};
use crate::fusion::grid::GridSpec;

/// A Level-2 product file written by `oceancolour process` (swath, grid or
/// bins with lat/lon), as pixels.
struct L2Pixels {
    lon: Vec<f32>,
    lat: Vec<f32>,
    value: Vec<f32>,
    /// The product's per-pixel uncertainty (`<product>_uncertainty`), when the file has it.
    uncertainty: Option<Vec<f32>>,
    /// Pixels per row (1 for a 1-D layout): the data-day rule works by rows.
    cols: usize,
    /// Per pixel, whether another product variable of the file is invalid
    /// there (only filled when asked: `drop_all_invalid`).
    invalid_elsewhere: Vec<bool>,
    product: ProductMeta,
    sensor: (String, String, String),
    start: String,
    end: String,
}

const NOT_PRODUCTS: [&str; 6] = ["lat", "lon", "bin_num", "radiation_wavelength", "time", "time_bnds"];

fn read_l2(path: &Path, variable: Option<&str>, all_products: bool) -> Result<L2Pixels> {
    let f = nc::open(path)?;
    let attr = |n: &str| nc::text(f.attribute(n).map(|a| a.value())).unwrap_or_default();
    // Variables another one names as ancillary (its uncertainty, class, status) are not products.
    let ancillary: Vec<String> = f
        .variables()
        .filter_map(|v| nc::text(v.attribute_value("ancillary_variables")))
        .flat_map(|a| a.split_whitespace().map(String::from).collect::<Vec<_>>())
        .collect();
    let products: Vec<String> = f
        .variables()
        .filter(|v| !NOT_PRODUCTS.contains(&v.name().as_str()) && !v.dimensions().is_empty() && !ancillary.contains(&v.name()))
        .map(|v| v.name())
        .collect();
    // And a product's uncertainty even when nothing names it.
    let products: Vec<String> =
        products.iter().filter(|p| !p.strip_suffix("_uncertainty").is_some_and(|base| products.iter().any(|q| q == base))).cloned().collect();
    let name = match variable {
        Some(v) if products.iter().any(|p| p == v) => v.to_string(),
        Some(v) => return Err(Error::file(path, format!("has no product variable {v:?}; it has: {}", products.join(", ")))),
        None if products.len() == 1 => products[0].clone(),
        None => return Err(Error::file(path, format!("holds several variables ({}): choose one with --variable", products.join(", ")))),
    };
    let v = nc::variable(path, &f, &name, "product")?;
    if v.attribute("flag_values").is_some() {
        // l2bin's weighted means have no meaning for class numbers (oc5_class, owt_dominant).
        return Err(Error::file(
            path,
            format!("{name} is a classification (it has flag_values): binning averages values, which means nothing for class numbers; bin the quantity it classifies instead"),
        ));
    }
    let (lat_v, lon_v) = (nc::variable(path, &f, "lat", "latitude")?, nc::variable(path, &f, "lon", "longitude")?);
    let dims: Vec<String> = v.dimensions().iter().map(|d| d.name()).collect();
    let rows = v.dimensions().first().map_or(0, |d| d.len());
    let value = nc::read_decoded(path, &v, 0, rows)?;
    let n = value.len();
    let uncertainty = match f.variable(&l3file::uncertainty_name(&name)) {
        Some(u) if u.len() == n => Some(nc::read_decoded(path, &u, 0, rows)?),
        Some(u) => return Err(Error::file(path, format!("{} has {} values but {name} has {n}", u.name(), u.len()))),
        None => None,
    };
    let (lat, lon) = if lat_v.len() == n && lon_v.len() == n {
        (nc::read_decoded(path, &lat_v, 0, rows)?, nc::read_decoded(path, &lon_v, 0, rows)?)
    } else if dims.len() == 2 && lat_v.len() == rows && lon_v.len() * rows == n {
        // A regular grid: 1-D axes, one position per cell.
        let (la, lo) = (nc::read_decoded(path, &lat_v, 0, rows)?, nc::read_decoded(path, &lon_v, 0, lon_v.len())?);
        let cols = lo.len();
        ((0..n).map(|i| la[i / cols]).collect(), (0..n).map(|i| lo[i % cols]).collect())
    } else {
        return Err(Error::file(path, format!("lat/lon ({} and {} values) do not match {name} ({n} values)", lat_v.len(), lon_v.len())));
    };
    let mut invalid_elsewhere = Vec::new();
    if all_products {
        invalid_elsewhere = vec![false; n];
        for other in products.iter().filter(|p| **p != name) {
            let ov = nc::variable(path, &f, other, "product")?;
            if ov.len() != n {
                continue; // not a per-pixel product (e.g. a per-band table)
            }
            let values = nc::read_decoded(path, &ov, 0, rows)?;
            for (bad, x) in invalid_elsewhere.iter_mut().zip(values) {
                *bad |= !x.is_finite();
            }
        }
    }
    let cols = if dims.len() >= 2 { v.dimensions().last().map_or(1, |d| d.len()) } else { 1 };
    let vt = |k: &str| nc::text(v.attribute_value(k));
    Ok(L2Pixels {
        lon,
        lat,
        value,
        uncertainty,
        cols,
        invalid_elsewhere,
        product: ProductMeta {
            long_name: vt("long_name").unwrap_or_else(|| name.clone()),
            units: vt("units").unwrap_or_default(),
            standard_name: vt("standard_name"),
            variable: name,
        },
        sensor: l3file::sensor_name(&f),
        start: attr("time_coverage_start"),
        end: attr("time_coverage_end"),
    })
}

/// What `bin` was asked.
pub struct BinRequest {
    pub inputs: Vec<PathBuf>,
    pub output: PathBuf,
    pub config: BinConfig,
}

/// Outcome of `bin`.
pub struct BinReport {
    pub output: PathBuf,
    pub bins: usize,
    pub observations: u64,
    pub grid: String,
    pub day: String,
}

/// Bins Level-2 products of one day (each file a scene) and adds Level-3
/// binned inputs (composites over days) onto one grid.
pub fn bin(req: &BinRequest, ctx: &Context, progress: Progress) -> Result<BinReport> {
    refuse_output_among_inputs(&req.output, &req.inputs)?;
    let cfg = &req.config;
    let asked_grid = cfg.grid.as_deref().map(GridSpec::parse).transpose()?;
    let asked_avg = cfg.averaging.as_deref().map(Averaging::parse).transpose()?;
    let range_rule = out_of_range_rule(cfg.out_of_range.as_deref())?;
    let data_day = cfg.data_day.as_deref().map(parse_data_day).transpose()?;
    let mut screened = Screened::default();
    // Each input's bins, with its binned uncertainty when it has one.
    let mut parts: Vec<(L3Bins, Option<L3Bins>)> = Vec::new();
    let mut grid: Option<GridSpec> = asked_grid;
    let mut product: Option<ProductMeta> = None;
    let mut sensors: Vec<(String, String, String)> = Vec::new();
    let (mut start, mut end) = (String::new(), String::new());
    let mut l2_days: BTreeMap<NaiveDate, PathBuf> = BTreeMap::new();
    let n = req.inputs.len();
    for (i, path) in req.inputs.iter().enumerate() {
        ctx.check()?;
        progress(i, n, &path.display().to_string());
        if !path.exists() {
            return Err(Error::file(path, "does not exist"));
        }
        let reading = ctx.reading(path); // the whole file is read here
        let is_l3 = l3file::file_type(path)?.as_deref() == Some(fields::BINNED);
        let (bins, meta, sensor, s, e) = if is_l3 {
            let l3 = l3file::read_binned(path, cfg.variable.as_deref())?;
            match &grid {
                Some(g) if !g.same_as(&l3.grid) => {
                    return Err(Error::file(path, format!("is binned on grid {} but the output grid is {}", l3.grid.describe(), g.describe())))
                }
                Some(_) => {}
                None => grid = Some(l3.grid.clone()),
            }
            if let Some(a) = asked_avg.filter(|a| *a != l3.bins.averaging) {
                return Err(Error::file(path, format!("holds {} sums, not {}: sums cannot be converted", l3.bins.averaging.name(), a.name())));
            }
            ((l3.bins, l3.uncertainty), l3.product, (l3.sensor, l3.instrument, l3.platform), l3.time_coverage_start, l3.time_coverage_end)
        } else {
            let mut px = read_l2(path, cfg.variable.as_deref(), cfg.drop_all_invalid)?;
            let day = l3file::day_of(path, &px.start)?;
            reading.idle(); // binning is not a read
            if let Some(data_day) = data_day {
                if !keep_data_day(path, &mut px, data_day)? {
                    log::info!("{}: no pixel of data day {data_day} (l2bin prodtype=day): skipped", path.display());
                    continue;
                }
            } else if let Some((d, other)) = l2_days.iter().next().filter(|(d, _)| **d != day) {
                return Err(Error::file(
                    path,
                    format!(
                        "is from {day} but {} is from {d}: bin one day per run (--data-day DAY accepts granules of the days around it, l2bin's rule), then composite the daily files (`oceancolour bin DAY1.nc DAY2.nc ...`)",
                        other.display()
                    ),
                ));
            }
            l2_days.insert(day, path.clone());
            let Some(g) = &grid else {
                return Err(Error::InvalidParameter {
                    name: "--grid".into(),
                    reason: "binning Level-2 products needs a grid (--grid isin:4320 or regular:...)".into(),
                });
            };
            let averaging = asked_avg.unwrap_or_default();
            screen_l2(&mut px, range_rule, &mut screened);
            let scene = vec![0u32; px.value.len()];
            let min_obs = cfg.min_obs.max(1);
            let b = match g {
                GridSpec::Isin(g) => bin_l2(g, &px.lon, &px.lat, &px.value, &scene, averaging, min_obs)?,
                GridSpec::Regular(g) => bin_l2(g, &px.lon, &px.lat, &px.value, &scene, averaging, min_obs)?,
            };
            let u = match (&px.uncertainty, g) {
                (Some(u), GridSpec::Isin(g)) => Some(binning::bin_uncertainty(g, &px.lon, &px.lat, &px.value, u, &scene, &b)?),
                (Some(u), GridSpec::Regular(g)) => Some(binning::bin_uncertainty(g, &px.lon, &px.lat, &px.value, u, &scene, &b)?),
                (None, _) => None,
            };
            ((b, u), px.product, px.sensor, px.start, px.end)
        };
        if let Some(p) = &product {
            if p.variable != meta.variable {
                return Err(Error::file(path, format!("holds {} but the first input holds {}: name the product with --variable", meta.variable, p.variable)));
            }
        } else {
            product = Some(meta);
        }
        if !sensors.contains(&sensor) {
            sensors.push(sensor);
        }
        if start.is_empty() || (!s.is_empty() && s < start) {
            start = s;
        }
        if e > end {
            end = e;
        }
        if let Some((first, _)) = parts.first() {
            if first.averaging != bins.0.averaging {
                return Err(Error::file(
                    path,
                    format!("gives {} sums but earlier inputs {}: use one --averaging", bins.0.averaging.name(), first.averaging.name()),
                ));
            }
        }
        parts.push(bins);
    }
    progress(n, n, "compositing");
    let (Some(grid), Some(product)) = (grid, product) else {
        return Err(Error::InvalidParameter { name: "inputs".into(), reason: "no input given".into() });
    };
    let refs: Vec<&L3Bins> = parts.iter().map(|p| &p.0).collect();
    let bins = L3Bins::composite(&refs)?;
    // The uncertainty travels only when every input carries one (its sums must cover every pixel binned).
    let uncertainty = match parts.iter().map(|p| p.1.as_ref()).collect::<Option<Vec<&L3Bins>>>() {
        Some(u) => Some(L3Bins::composite(&u)?),
        None => {
            if parts.iter().any(|p| p.1.is_some()) {
                log::warn!("some inputs carry {} and others do not: the output has no per-bin uncertainty", l3file::uncertainty_name(&product.variable));
            }
            None
        }
    };
    let day = data_day.map(|d| d.to_string()).unwrap_or_else(|| start.get(..10).unwrap_or("").to_string());
    let join = |k: usize| sensors.iter().map(|s| [&s.0, &s.1, &s.2][k].as_str()).collect::<Vec<_>>().join("+");
    let (sensor, instrument, platform) = (join(0), join(1), join(2));
    let mut cfg_used = cfg.clone();
    cfg_used.grid = Some(grid.describe());
    cfg_used.averaging = Some(bins.averaging.name().into());
    cfg_used.variable = Some(product.variable.clone());
    let range = match (range_rule, screened.range) {
        (Some(rule), Some(r)) => format!(
            "Level-2 values outside [{}, {}] {} ({} pixels; range: {})",
            r.min,
            r.max,
            if rule == OutOfRange::Drop { "dropped, as l2bin V2026" } else { "clamped, as l2bin V2023" },
            screened.out_of_range,
            r.source
        ),
        (None, _) => "no valid-range screening (out_of_range = keep)".into(),
        (Some(_), None) => "no valid range held for this product".into(),
    };
    let method = format!(
        "NASA l2bin/l3bin binning (fusion.md s1.2-1.3): each input file a scene weighted by sqrt(n); {} averaging; composites add the sums; min_obs {}; {range}{}{}",
        bins.averaging.name(),
        cfg.min_obs.max(1),
        if cfg.drop_all_invalid { format!("; pixels invalid in another product of their file dropped ({})", screened.invalid_elsewhere) } else { String::new() },
        data_day.map(|d| format!("; data day {d} (l2bin prodtype=day dateline rule)")).unwrap_or_default(),
    );
    let method = match &uncertainty {
        Some(_) => format!("{method}; per-pixel uncertainty binned with the product's weights, per-bin error_stdev = sqrt(mean pixel uncertainty^2 + within-bin variance / weights^2) (docs/uncertainty.md s5)"),
        None => method,
    };
    let mut globals = provenance(
        ctx,
        "bin",
        format!("{} Level-3 binned ({}) from {instrument}, {day}", product.long_name, grid.describe()),
        &req.inputs,
        toml_of("bin", &cfg_used),
        method,
    );
    globals.extend(time_attrs(&start, &end));
    globals.extend(sensor_attrs(&sensor, &instrument, &platform));
    globals.push(text_attr("processing_level", "L3 Binned"));
    globals.push(text_attr(
        "temporal_range",
        if data_day.is_some() || start.get(..10) == end.get(..10) || end.is_empty() {
            "day".to_string()
        } else {
            format!("{} to {}", &day, end.get(..10).unwrap_or(""))
        },
    ));
    globals.push(("data_bins".into(), AttributeValue::Longlong(bins.len() as i64)));
    let l3 = L3Binned { grid: grid.clone(), bins, product, uncertainty, sensor, instrument, platform, time_coverage_start: start, time_coverage_end: end };
    let output = l3file::write_binned(&req.output, &l3, globals)?;
    Ok(BinReport { output, bins: l3.bins.len(), observations: l3.bins.nobs.iter().map(|&x| x as u64).sum(), grid: grid.describe(), day })
}

/// What the Level-2 screening removed before binning, for the method attribute.
#[derive(Default)]
struct Screened {
    out_of_range: usize,
    invalid_elsewhere: usize,
    range: Option<&'static binning::ValidRange>,
}

/// l2bin's screening of a Level-2 product before binning: values outside
/// the product's valid range dropped or clamped (`range_rule`), and pixels
/// where another product of the file is invalid dropped (when read).
fn screen_l2(px: &mut L2Pixels, range_rule: Option<OutOfRange>, screened: &mut Screened) {
    let before = px.value.iter().filter(|x| x.is_finite()).count();
    if let (Some(rule), Some(range)) = (range_rule, binning::valid_range(&px.product.variable)) {
        binning::apply_valid_range(&mut px.value, range, rule);
        screened.range = Some(range);
    }
    let after_range = px.value.iter().filter(|x| x.is_finite()).count();
    screened.out_of_range += before - after_range;
    for (x, _) in px.value.iter_mut().zip(&px.invalid_elsewhere).filter(|(x, bad)| **bad && x.is_finite()) {
        *x = f32::NAN;
        screened.invalid_elsewhere += 1;
    }
}

/// l2bin `prodtype=day`: keeps the pixels of a Level-2 granule that belong to
/// `data_day` (NaN elsewhere); false when none does.
fn keep_data_day(path: &Path, px: &mut L2Pixels, data_day: NaiveDate) -> Result<bool> {
    let start = parse_time(&px.start).ok_or_else(|| Error::file(path, format!("time_coverage_start {:?} is not an ISO 8601 time", px.start)))?;
    let eqx = equator_crossing_hour(&px.sensor.0).ok_or_else(|| {
        Error::file(path, format!("sensor {:?} has no known equator-crossing time: the data-day rule cannot be applied (bin without --data-day)", px.sensor.0))
    })?;
    let (d0, d1) = binning::granule_data_days(start.timestamp(), eqx, &px.lon, px.cols)?;
    let epoch = |d: NaiveDate| (d - NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid date")).num_days();
    let day = epoch(data_day);
    let side = binning::data_day_side(d0, d1, day, day);
    if side == DataDaySide::Outside {
        return Ok(false);
    }
    let keep = binning::data_day_keep(&px.lon, px.cols, side, false, epoch(start.date_naive()), day, day)?;
    for (x, _) in px.value.iter_mut().zip(&keep).filter(|(_, k)| !**k) {
        *x = f32::NAN;
    }
    Ok(keep.iter().any(|&k| k))
}

/// Nominal local equator-crossing hour of a sensor's platform, as l2bin's
/// data day needs it. Mission facts: SeaWiFS/OrbView-2 12:00 descending
/// (NASA SeaWiFS mission page); Aqua 13:30 ascending, Terra 10:30
/// descending (NASA MODIS specifications); Suomi-NPP, NOAA-20, NOAA-21
/// 13:30 ascending (NOAA JPSS); Envisat 10:00 descending (ESA MERIS);
/// Sentinel-3 10:00 descending (ESA Sentinel-3 OLCI user guide); PACE 13:00
/// ascending (NASA PACE mission).
fn equator_crossing_hour(sensor: &str) -> Option<f64> {
    Some(match sensor {
        "seawifs" => 12.0,
        "modis-aqua" | "viirs-snpp" | "viirs-noaa20" | "viirs-noaa21" => 13.5,
        "modis-terra" => 10.5,
        "meris" | "olci-a" | "olci-b" | "olci-c" => 10.0,
        "pace-oci" => 13.0,
        _ => return None,
    })
}

fn parse_time(text: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::parse_from_rfc3339(text).map(|t| t.to_utc()).ok().or_else(|| {
        let t = text.trim_end_matches('Z');
        chrono::NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S%.f").ok().map(|t| t.and_utc())
    })
}
