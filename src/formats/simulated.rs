//! SIMULATED granules in the exact published layouts, so that the demo,
//! the tests and the benchmarks exercise the real readers: the scene here,
//! the writers beside their readers (`obpg_l2::write_simulated`,
//! `olci::write_simulated`). Every file says SIMULATED in its `comment`/`title`.
//!
//! The scene: a coast on the east side, open ocean to the west, a cloud.
//! Water Rrs are log-linear mixtures of seven measured in-situ spectra from
//! NASA NOMAD v2 (Werdell & Bailey 2005), ordered by chlorophyll from
//! oligotrophic (west) to coastal (east). Spectra are interpolated linearly
//! between the measured wavelengths; below 411 nm the 411 nm value is used,
//! and beyond 670 nm the reflectance is ramped linearly to zero at 750 nm,
//! an illustration only (NOMAD has no NIR Rrs). Files are written in row
//! blocks, so scenes of any size fit in memory.

use std::f64::consts::PI;
use std::path::Path;

use netcdf::{AttributeValue, FileMut};

use crate::compute::Cancel;
use crate::error::{Error, Result};

pub(super) const SIMULATED: &str = "SIMULATED by oceancolour (formats::simulated): not a real satellite granule. Water Rrs are \
mixtures of NASA NOMAD v2 in-situ spectra (Werdell & Bailey 2005, Remote Sens. Environ. 98:122-140)";

/// Wavelengths (nm) of the NOMAD Rrs columns used.
const NOMAD_NM: [f64; 6] = [411.0, 443.0, 489.0, 510.0, 555.0, 670.0];
/// Rrs (sr-1) of NOMAD v2 stations (id; in-situ chl mg m-3) at `NOMAD_NM`, from
/// validation/data/nomad_v2_rrs_chl.csv.gz, ordered by chlorophyll.
const NOMAD_RRS: [[f64; 6]; 7] = [
    [0.00860283, 0.00695964, 0.00463242, 0.00276475, 0.00127342, 6.70633e-05], // id 3951; 0.053
    [0.00780053, 0.00629977, 0.00499967, 0.00279975, 0.00119956, 9.97904e-05], // id 1979; 0.100
    [0.0062998, 0.00599987, 0.00569976, 0.00419997, 0.00250061, 0.000600498],  // id 7014; 0.30
    [0.00280029, 0.00319978, 0.00490002, 0.00499974, 0.0049999, 0.000400048],  // id 6799; 1.00
    [0.00209993, 0.00210013, 0.00229968, 0.00209991, 0.00160021, 0.00029986],  // id 3035; 3.0
    [0.00170024, 0.00160005, 0.00189965, 0.00200034, 0.00229991, 0.000699528], // id 3021; 10.0
    [0.00180024, 0.0032997, 0.0065004, 0.00800028, 0.0122003, 0.00789994],     // id 2809; 28.2
];

#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Surface {
    Water,
    Land,
    Cloud,
}

/// The simulated scene of `rows` x `cols` pixels.
#[derive(Debug, Clone, Copy)]
pub struct Scene {
    pub rows: usize,
    pub cols: usize,
}

impl Scene {
    fn xy(&self, r: usize, c: usize) -> (f64, f64) {
        (c as f64 / (self.cols.max(2) - 1) as f64, r as f64 / (self.rows.max(2) - 1) as f64)
    }

    pub(super) fn lat_lon(&self, r: usize, c: usize) -> (f64, f64) {
        let (x, y) = self.xy(r, c);
        (47.5 - 2.0 * y, -6.0 + 4.0 * x)
    }

    fn coast(&self, y: f64) -> f64 {
        0.9 + 0.04 * (6.0 * PI * y).sin()
    }

    pub(super) fn surface(&self, r: usize, c: usize) -> Surface {
        let (x, y) = self.xy(r, c);
        if x > self.coast(y) {
            Surface::Land
        } else if (x - 0.3).powi(2) + (y - 0.35).powi(2) < 0.12f64.powi(2) {
            Surface::Cloud
        } else {
            Surface::Water
        }
    }

    /// Within 3 % of the scene width from the coast (flagged, not excluded).
    pub(super) fn near_coast(&self, r: usize, c: usize) -> bool {
        let (x, y) = self.xy(r, c);
        x <= self.coast(y) && x > self.coast(y) - 0.03
    }

    /// A pixel with no data at all (a sprinkling of input fill values).
    pub(super) fn no_data(&self, r: usize, c: usize) -> bool {
        (r * self.cols + c) % 9973 == 17
    }

    /// Simulated Rrs (sr-1) at `nm`.
    pub fn rrs(&self, r: usize, c: usize, nm: f64) -> f64 {
        let (x, y) = self.xy(r, c);
        let s = ((x / 0.9) + 0.08 * (6.0 * PI * y).sin()).clamp(0.0, 1.0) * (NOMAD_RRS.len() - 1) as f64;
        let (i, f) = ((s.floor() as usize).min(NOMAD_RRS.len() - 2), s - s.floor().min((NOMAD_RRS.len() - 2) as f64));
        let spectrum: [f64; 6] = std::array::from_fn(|k| (NOMAD_RRS[i][k].ln() * (1.0 - f) + NOMAD_RRS[i + 1][k].ln() * f).exp());
        if nm <= NOMAD_NM[0] {
            return spectrum[0];
        }
        if nm >= NOMAD_NM[5] {
            return spectrum[5] * (1.0 - (nm - NOMAD_NM[5]) / 80.0).max(0.0);
        }
        let k = NOMAD_NM.iter().rposition(|&w| w <= nm).expect("nm inside the table");
        let t = (nm - NOMAD_NM[k]) / (NOMAD_NM[k + 1] - NOMAD_NM[k]);
        spectrum[k] * (1.0 - t) + spectrum[k + 1] * t
    }
}

const BLOCK: usize = 256;

pub(super) fn w(path: &Path) -> impl Fn(netcdf::Error) -> Error + '_ {
    move |e| Error::file(path, format!("writing the simulated granule: {e}"))
}

pub(super) fn put_attrs(f: &mut FileMut, var: &str, attrs: Vec<(&str, AttributeValue)>, path: &Path) -> Result<()> {
    let mut v = f.variable_mut(var).expect("defined before");
    for (k, a) in attrs {
        v.put_attribute(k, a).map_err(w(path))?;
    }
    Ok(())
}

/// Row blocks of a scene: calls `fill(r0, n)` for each; `Error::Cancelled`
/// once a stop is asked (Ctrl-C during `oceancolour simulate` of a large scene),
/// checked before each block.
pub(super) fn by_blocks(rows: usize, cancel: Cancel<'_>, mut fill: impl FnMut(usize, usize) -> Result<()>) -> Result<()> {
    (0..rows).step_by(BLOCK).try_for_each(|r0| if cancel.requested() { Err(Error::Cancelled) } else { fill(r0, BLOCK.min(rows - r0)) })
}
