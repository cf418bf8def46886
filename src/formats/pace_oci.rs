//! NASA PACE OCI Level-2 AOP netCDF-4 (`PACE_OCI.YYYYMMDDTHHMMSS.L2.OC_AOP.V3_*.nc`),
//! written by the same l2gen writer as the other OBPG Level-2 files
//! (formats.md s1) but with one 3-D Rrs: `geophysical_data/Rrs(number_of_lines,
//! pixels_per_line, wavelength_3d)` (V3.1; the spectral dimension is named
//! `wavelength` from V3.2), int16 with scale_factor / add_offset / _FillValue
//! (formats.md s1.4, WISER issue 791), and `Rrs_unc` of the same shape where
//! the file carries it. The wavelengths are `sensor_band_parameters/wavelength_3d`
//! (V3.1, rounded to integer nm) or `geophysical_data/wavelength` (V3.2, float
//! centres): NASA oceandata-notebooks docs/notebooks/oci/oci_file_structure.md
//! and V3.2_updates.md. `l2_flags` and `navigation_data` as the other L2 files.
//!
//! The Rrs are read in sub-blocks of lines (a granule's Rrs is about 1 GB as
//! int16), so memory is bounded by the block, whatever the granule size.
//! Either the OCI bands themselves (registry sensor `pace-oci`) or, with
//! `sensor_bands`, the virtual bands of a multispectral sensor made by
//! `kernels::convolve` (its RSRs, F0-weighted), so that its products run.

use std::path::Path;

use netcdf::{Extent, Variable};

use super::flags::{FlagConfig, FlagRule};
use super::nc::{self, check_units, text, Packing};
use super::obpg_l2::{swath_block, swath_flag_rule, swath_info, RRS_UNITS};
use super::{resolve_sensor, Block, Granule, GranuleInfo, VirtualBands};
use crate::error::{join, Error, Result};
use crate::kernels::convolve::{self, BandWeights, Weighting};
use crate::sensors::{self, rsr, Sensor};

/// Names of the spectral dimension of Rrs across processing versions.
pub const WAVELENGTH_DIMS: &[&str] = &["wavelength_3d", "wavelength"];

/// Where the wavelengths of the spectral dimension are, in the order tried.
const WAVELENGTH_VARS: &[&str] = &["geophysical_data/wavelength", "sensor_band_parameters/wavelength_3d", "sensor_band_parameters/wavelength"];

/// A file wavelength is a registry band when within this of its nominal
/// (V3.1 writes rounded integers, V3.2 the float centres, 1.25 nm apart at
/// the closest).
const MATCH_NM: f64 = 0.6;

/// Bytes of decoded Rrs held at once while reading a block (f32); one line
/// of the 2-pixel test file in tests, so that sub-blocks are exercised.
const SUB_BLOCK_BYTES: usize = if cfg!(test) { 32 } else { 16 << 20 };

/// A PACE OCI L2 AOP file: a spectral `geophysical_data/Rrs` (multispectral
/// L2 files name theirs `Rrs_NNN`); its shape is checked by `open`.
pub fn is_pace_oci(file: &netcdf::File) -> bool {
    nc::group(file, "geophysical_data").is_some() && file.variable("geophysical_data/Rrs").is_some()
}

/// The convolution to a target sensor's bands.
struct Target {
    sensor: &'static Sensor,
    bands: Vec<BandWeights>,
}

pub struct PaceOci {
    info: GranuleInfo,
    file: netcdf::File,
    rule: FlagRule,
    /// Wavelengths of the spectral dimension (nm), in file order.
    wavelengths: Vec<f64>,
    /// Registry band of each spectral index, where one matches.
    nominal: Vec<Option<u16>>,
    has_unc: bool,
    target: Option<Target>,
}

/// The wavelengths of the spectral dimension of length `n`.
fn wavelengths(path: &Path, file: &netcdf::File, n: usize) -> Result<Vec<f64>> {
    for name in WAVELENGTH_VARS {
        let Some(v) = file.variable(name) else { continue };
        if nc::shape(&v) != [n] {
            continue;
        }
        let w: Vec<f64> = v.get_values::<f64, _>(vec![Extent::from(..)]).map_err(|e| Error::file(path, format!("reading {name}: {e}")))?;
        convolve::check_wavelengths(&w).map_err(|e| Error::file(path, format!("{name}: {e}")))?;
        return Ok(w);
    }
    Err(Error::file(path, format!("has no wavelength variable of length {n} for the spectral dimension of Rrs (looked for {})", WAVELENGTH_VARS.join(", "))))
}

/// The taps of every band of `target` the spectrum covers; bands outside
/// it (OLCI 754-865 nm beyond OCI's 719 nm) are left out, and said so.
pub fn target_weights(target: &Sensor, wavelengths: &[f64], weighting: Weighting) -> Result<(Vec<BandWeights>, Vec<u16>)> {
    convolve::check_wavelengths(wavelengths)?;
    let (mut made, mut left_out) = (Vec::new(), Vec::new());
    for (nm, response) in rsr::responses(target.name)? {
        let w = match weighting {
            Weighting::F0 => convolve::band_weights(*nm, wavelengths, response, rsr::solar_at),
            Weighting::Flat => convolve::band_weights(*nm, wavelengths, response, |_| 1.0),
        };
        match w {
            Ok(b) => made.push(b),
            Err(Error::Unsupported { .. }) => left_out.push(*nm),
            Err(e) => return Err(e),
        }
    }
    if made.is_empty() {
        return Err(Error::Unsupported {
            algorithm: "convolve_bands".into(),
            reason: format!("no band of {} lies within the spectrum's {}-{} nm", target.name, wavelengths[0], wavelengths[wavelengths.len() - 1]),
        });
    }
    Ok((made, left_out))
}

/// What a convolution did, for the provenance.
pub fn describe(target: &Sensor, bands: &[BandWeights], left_out: &[u16], weighting: Weighting) -> String {
    format!(
        "Rrs of {} bands {} nm made by convolving the hyperspectral Rrs with its spectral responses ({}, 1-nm tables of oceancolour), \
{} (linear interpolation between the hyperspectral samples){}",
        target.name,
        join(bands.iter().map(|b| b.nominal)),
        rsr::source(target.name),
        match weighting {
            Weighting::F0 => "weighted by the Thuillier 2003 F0 (band radiance over band irradiance)",
            Weighting::Flat => "unweighted RSR mean",
        },
        if left_out.is_empty() { String::new() } else { format!("; bands {} nm lie outside the spectrum and are not made", join(left_out)) }
    )
}

fn packed_rrs(path: &Path, var: &Variable) -> Result<()> {
    check_units(path, var, RRS_UNITS, "Rrs")?;
    let p = Packing::of(var);
    if p.integer && p.scale.is_none() {
        return Err(Error::file(path, format!("{} is stored as {} without scale_factor: cannot unpack it to Rrs", var.name(), p.stored)));
    }
    if !p.integer && p.stored != "f32" && p.stored != "f64" {
        return Err(Error::file(path, format!("{} is stored as {}, not a numeric type", var.name(), p.stored)));
    }
    Ok(())
}

impl PaceOci {
    pub fn open(path: &Path, file: netcdf::File, sensor: Option<&str>, flags: &FlagConfig, sensor_bands: Option<&str>) -> Result<Self> {
        let attr = |n: &str| text(file.attribute(n).map(|a| a.value())).unwrap_or_default();
        let (sensor, sensor_from) = resolve_sensor(path, sensor, &attr("instrument"), &attr("platform"))?;
        let rrs = nc::variable(path, &file, "geophysical_data/Rrs", "hyperspectral Rrs")?;
        let dims = nc::shape(&rrs);
        let names: Vec<String> = rrs.dimensions().iter().map(|d| d.name()).collect();
        let [rows, cols, nw] = dims[..] else {
            return Err(Error::file(
                path,
                format!(
                    "geophysical_data/Rrs has {} dimensions ({}), expected 3 (number_of_lines, pixels_per_line, {})",
                    dims.len(),
                    names.join(", "),
                    WAVELENGTH_DIMS.join(" or ")
                ),
            ));
        };
        if !WAVELENGTH_DIMS.contains(&names[2].as_str()) {
            return Err(Error::file(
                path,
                format!("geophysical_data/Rrs's last dimension is {:?}, not a wavelength dimension ({})", names[2], WAVELENGTH_DIMS.join(" or ")),
            ));
        }
        packed_rrs(path, &rrs)?;
        let wl = wavelengths(path, &file, nw)?;
        let has_unc = match file.variable("geophysical_data/Rrs_unc") {
            Some(u) => {
                nc::shape_must_be(path, &u, &dims, "geophysical_data/Rrs")?;
                packed_rrs(path, &u)?;
                true
            }
            None => false,
        };
        let plane = [rows, cols];
        let rule = swath_flag_rule(path, &file, &plane, "the lines x pixels of geophysical_data/Rrs", flags)?;
        // Each file wavelength to the registry band it is (nearest nominal within MATCH_NM).
        let nominal: Vec<Option<u16>> = wl
            .iter()
            .map(|&w| {
                sensor
                    .bands
                    .iter()
                    .filter(|b| (b.centre_nm - w).abs() <= MATCH_NM)
                    .min_by(|a, b| (a.centre_nm - w).abs().total_cmp(&(b.centre_nm - w).abs()))
                    .map(|b| b.nominal)
            })
            .collect();
        let unmatched = nominal.iter().filter(|n| n.is_none()).count();
        if unmatched > 0 {
            log::warn!("{}: {unmatched} of {nw} wavelengths are not bands of {} (used for convolution only)", path.display(), sensor.name);
        }
        let mut keep = vec![
            ("title", attr("title")),
            ("instrument", attr("instrument")),
            ("platform", attr("platform")),
            ("processing_version", attr("processing_version")),
            ("product_name", attr("product_name")),
            ("processing_level", attr("processing_level")),
        ];
        keep.push((
            "hyperspectral_rrs",
            format!("{nw} wavelengths {}-{} nm on dimension {}{}", wl[0], wl[nw - 1], names[2], if has_unc { "; Rrs_unc present" } else { "; no Rrs_unc" }),
        ));
        let (info_sensor, bands, virtual_bands, target) = match sensor_bands {
            None => (sensor, nominal.iter().flatten().copied().collect::<Vec<u16>>(), None, None),
            Some(name) => {
                let t = sensors::sensor(name)?;
                let (weights, left_out) = target_weights(t, &wl, Weighting::F0)?;
                let description = describe(t, &weights, &left_out, Weighting::F0);
                keep.push(("sensor_bands", description.clone()));
                let bands = weights.iter().map(|b| b.nominal).collect();
                (t, bands, Some(VirtualBands { observed_by: sensor, description }), Some(Target { sensor: t, bands: weights }))
            }
        };
        let mut bands = bands;
        bands.sort_unstable();
        bands.dedup();
        let attributes = keep.into_iter().map(|(k, v)| (k.to_string(), v)).filter(|kv| !kv.1.is_empty()).collect();
        let sensor_from = match &target {
            None => sensor_from,
            Some(t) => format!("{sensor_from}, observed by {}; Rrs convolved to {} bands (sensor_bands)", sensor.name, t.sensor.name),
        };
        let info = GranuleInfo {
            virtual_bands,
            ..swath_info(path, &file, "NASA PACE OCI Level-2 AOP", (info_sensor, sensor_from), (rows, cols), bands, flags, &rule, attributes)
        };
        Ok(PaceOci { info, file, rule, wavelengths: wl, nominal, has_unc, target })
    }

    /// The wavelengths of the file's spectral dimension (nm).
    pub fn wavelengths(&self) -> &[f64] {
        &self.wavelengths
    }

    /// Decoded values of a 3-D variable for lines `[r0, r0 + n)` into `buf`
    /// (reused across sub-blocks: no fresh pages per read): NaN at fill /
    /// outside the valid range (raw domain), then scale and offset (formats.md
    /// s9), pixel by pixel with the wavelength last.
    fn read_spectra<'b>(&self, var: &Variable, r0: usize, n: usize, buf: &'b mut Vec<f32>, raw: &mut Vec<i16>) -> Result<&'b [f32]> {
        let path = &self.info.path;
        let p = Packing::of(var);
        let (scale, offset) = (p.scale.unwrap_or(1.0) as f32, p.offset.unwrap_or(0.0) as f32);
        let (lo, hi) = (p.valid_min.unwrap_or(f64::NEG_INFINITY) as f32, p.valid_max.unwrap_or(f64::INFINITY) as f32);
        let (fill, missing) = (p.fill.map(|f| f as f32), p.missing.map(|f| f as f32));
        let len = n * self.info.cols * self.wavelengths.len();
        buf.resize(len, 0.0);
        let extents = || vec![Extent::from(r0..r0 + n), Extent::from(..), Extent::from(..)];
        let fail = |e: netcdf::Error| Error::file(path, format!("reading {}: {e}", var.name()));
        let decode = |x: f32| if Some(x) == fill || Some(x) == missing || !(lo..=hi).contains(&x) { f32::NAN } else { x * scale + offset };
        if p.stored == "i16" {
            // NASA's packing: read the int16 as stored and convert here (netCDF-C's
            // own type conversion took most of the read time); int16 is exact in f32.
            raw.resize(len, 0);
            var.get_values_into::<i16, _>(raw, extents()).map_err(fail)?;
            for (x, &r) in buf.iter_mut().zip(raw.iter()) {
                *x = decode(r as f32);
            }
        } else {
            var.get_values_into::<f32, _>(buf, extents()).map_err(fail)?;
            for x in buf.iter_mut() {
                *x = decode(*x);
            }
        }
        Ok(buf)
    }
}

impl Granule for PaceOci {
    fn info(&self) -> &GranuleInfo {
        &self.info
    }

    fn read_block(&self, row0: usize, nrows: usize, bands: &[u16]) -> Result<Block> {
        let path = &self.info.path;
        let (cols, nw) = (self.info.cols, self.wavelengths.len());
        if row0 + nrows > self.info.rows {
            return Err(Error::file(path, format!("lines {row0}..{} asked of a granule of {} lines", row0 + nrows, self.info.rows)));
        }
        let var = |name: &str| nc::variable(path, &self.file, name, "");
        let flags: Vec<i32> = var("geophysical_data/l2_flags")?
            .get_values::<i32, _>(vec![Extent::from(row0..row0 + nrows), Extent::from(..)])
            .map_err(|e| Error::file(path, format!("reading l2_flags: {e}")))?;
        let excluded: Vec<bool> = flags.iter().map(|&f| self.rule.excludes(f as u32 as u64)).collect();
        // Which output comes from where: spectral indices (native) or taps (convolved).
        let taps: Vec<BandWeights> = match &self.target {
            Some(t) => bands
                .iter()
                .map(|nm| t.bands.iter().find(|b| b.nominal == *nm).cloned().ok_or_else(|| t.sensor.band(*nm).err().unwrap_or_else(|| missing_band(t, *nm))))
                .collect::<Result<_>>()?,
            None => bands
                .iter()
                .map(|&nm| {
                    let k = self
                        .nominal
                        .iter()
                        .position(|n| *n == Some(nm))
                        .ok_or_else(|| Error::file(path, format!("has no Rrs at {nm} nm (its bands: {})", join(self.nominal.iter().flatten()))))?;
                    Ok(BandWeights { nominal: nm, taps: vec![(k, 1.0)], outside: 0.0 })
                })
                .collect::<Result<_>>()?,
        };
        let mut rrs: Vec<(u16, Vec<f32>)> = bands.iter().map(|&nm| (nm, Vec::with_capacity(nrows * cols))).collect();
        let with_sigma = self.has_unc && self.target.is_none();
        let mut sigma: Vec<(u16, Vec<f32>)> = if with_sigma { bands.iter().map(|&nm| (nm, Vec::with_capacity(nrows * cols))).collect() } else { Vec::new() };
        let rrs_var = var("geophysical_data/Rrs")?;
        let unc_var = if with_sigma { Some(var("geophysical_data/Rrs_unc")?) } else { None };
        // Sub-blocks of whole chunks along the lines where the file is chunked, so
        // that no chunk is decompressed twice (a chunk can exceed the chunk cache).
        let chunk_lines = rrs_var.chunking().ok().flatten().and_then(|c| c.first().copied()).filter(|&c| c > 0).unwrap_or(1);
        let step = (SUB_BLOCK_BYTES / (cols * nw * 4).max(1)).max(1);
        let step = (step / chunk_lines).max(1) * chunk_lines;
        let (mut buf, mut raw) = (Vec::new(), Vec::new());
        let mut r = row0;
        while r < row0 + nrows {
            let n = step.min(row0 + nrows - r);
            let spectra = self.read_spectra(&rrs_var, r, n, &mut buf, &mut raw)?;
            for (out, v) in rrs.iter_mut().zip(convolve::convolve(spectra, nw, &taps)?) {
                out.1.extend(v);
            }
            if let Some(u) = &unc_var {
                let spectra = self.read_spectra(u, r, n, &mut buf, &mut raw)?;
                for (out, v) in sigma.iter_mut().zip(convolve::convolve(spectra, nw, &taps)?) {
                    out.1.extend(v);
                }
            }
            r += n;
        }
        for (_, v) in rrs.iter_mut().chain(sigma.iter_mut()) {
            for (x, &e) in v.iter_mut().zip(&excluded) {
                if e {
                    *x = f32::NAN;
                }
            }
        }
        swath_block(path, &self.file, row0, nrows, rrs, &excluded, sigma)
    }
}

fn missing_band(t: &Target, nm: u16) -> Error {
    Error::Unsupported {
        algorithm: "sensor_bands".into(),
        reason: format!(
            "{} band {nm} nm lies outside the hyperspectral range: it cannot be made (made: {})",
            t.sensor.name,
            join(t.bands.iter().map(|b| b.nominal))
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    /// A 3 x 2 x 4 OCI-like file: Rrs = 0.001 * (band index + 1) packed
    /// (scale 2e-6, offset 0.05), Rrs_unc = a tenth of it, pixel (0, 1) LAND.
    fn write(path: &Path, with_unc: bool) {
        let mut f = netcdf::create(path).unwrap();
        f.add_attribute("instrument", "OCI").unwrap();
        f.add_attribute("platform", "PACE").unwrap();
        f.add_dimension("number_of_lines", 3).unwrap();
        f.add_dimension("pixels_per_line", 2).unwrap();
        f.add_dimension("wavelength_3d", 4).unwrap();
        for g in ["sensor_band_parameters", "geophysical_data", "navigation_data"] {
            f.add_group(g).unwrap();
        }
        f.add_variable::<f32>("sensor_band_parameters/wavelength_3d", &["wavelength_3d"]).unwrap().put_values(&[440.0f32, 442.0, 445.0, 447.0], ..).unwrap();
        let dims = ["number_of_lines", "pixels_per_line", "wavelength_3d"];
        let names: &[&str] = if with_unc { &["Rrs", "Rrs_unc"] } else { &["Rrs"] };
        for (k, name) in names.iter().enumerate() {
            let mut v = f.add_variable::<i16>(&format!("geophysical_data/{name}"), &dims).unwrap();
            v.put_attribute("scale_factor", 2e-6f32).unwrap();
            v.put_attribute("add_offset", 0.05f32).unwrap();
            v.put_attribute("_FillValue", -32767i16).unwrap();
            v.put_attribute("units", "sr^-1").unwrap();
            let raw: Vec<i16> = (0..24).map(|i| ((0.001 * ((i % 4) + 1) as f64 / if k == 0 { 1.0 } else { 10.0 } - 0.05) / 2e-6).round() as i16).collect();
            v.put_values(&raw, ..).unwrap();
        }
        let mut l2 = f.add_variable::<i32>("geophysical_data/l2_flags", &["number_of_lines", "pixels_per_line"]).unwrap();
        l2.put_attribute("flag_masks", vec![1i32, 2]).unwrap();
        l2.put_attribute("flag_meanings", "ATMFAIL LAND").unwrap();
        l2.put_values(&[0i32, 2, 0, 0, 0, 0], ..).unwrap();
        for n in ["latitude", "longitude"] {
            f.add_variable::<f32>(&format!("navigation_data/{n}"), &["number_of_lines", "pixels_per_line"]).unwrap().put_values(&[1.0f32; 6], ..).unwrap();
        }
    }

    fn tmp(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("oc-pace-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        d.join("oci.nc")
    }

    #[test]
    fn reads_bands_sigma_and_flags_in_sub_blocks() {
        let path = tmp("sigma");
        write(&path, true);
        let flags = FlagConfig { obpg_l2_exclude: vec!["LAND".into()], ..FlagConfig::default() };
        let g = super::super::open(&path, None, &flags).unwrap();
        assert_eq!(g.info().sensor.name, "pace-oci");
        assert_eq!(g.info().bands, vec![440, 442, 445, 447]);
        let b = g.read_block(1, 2, &[442, 447]).unwrap();
        assert_eq!(b.rrs[0].1.len(), 4);
        assert!((b.rrs[0].1[0] - 0.002).abs() < 2e-6 && (b.rrs[1].1[3] - 0.004).abs() < 2e-6);
        assert_eq!(b.rrs_sigma.len(), 2);
        assert!((b.rrs_sigma[1].1[0] - 0.0004).abs() < 2e-6, "{:?}", b.rrs_sigma);
        let first = g.read_block(0, 1, &[440]).unwrap();
        assert!(first.rrs[0].1[1].is_nan() && first.rrs_sigma[0].1[1].is_nan() && first.flagged == 1);
        // Without Rrs_unc: no sigma. A band the file lacks: named.
        drop(g);
        write(&path, false);
        let g = super::super::open(&path, None, &flags).unwrap();
        assert!(g.read_block(0, 3, &[442]).unwrap().rrs_sigma.is_empty());
        let e = g.read_block(0, 3, &[443]).err().unwrap().to_string();
        assert!(e.contains("no Rrs at 443 nm"), "{e}");
        std::fs::remove_dir_all(path.parent().unwrap()).ok();
    }
}
