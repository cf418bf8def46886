//! The OC5 look-up table: a regular 3-D grid of chlorophyll over nLw(green),
//! nLw(412) and the maximum blue/green Rrs ratio, with self-describing axes,
//! trilinear interpolation and a status per pixel.
//!
//! Conventions (algorithms.md s1.3, read from the RBINS operational scripts):
//! nLw = Rrs x F0 (mW cm-2 um-1 sr-1); R = max(Rrs blues)/Rrs green (linear);
//! fractional index (x - min)/step; trilinear on the index grid; a pixel with
//! any index outside [0, n-1] gets no value; negative table outputs give NaN.

use std::collections::BTreeMap;

use rayon::prelude::*;

use crate::error::{Error, Result};

/// What an axis holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AxisVariable {
    NlwGreen,
    Nlw412,
    Ratio,
}

impl AxisVariable {
    pub const ALL: [AxisVariable; 3] = [AxisVariable::NlwGreen, AxisVariable::Nlw412, AxisVariable::Ratio];

    pub fn name(self) -> &'static str {
        match self {
            AxisVariable::NlwGreen => "nLw_green",
            AxisVariable::Nlw412 => "nLw_412",
            AxisVariable::Ratio => "Rrs_ratio",
        }
    }

    pub fn unit(self) -> &'static str {
        match self {
            AxisVariable::NlwGreen | AxisVariable::Nlw412 => "mW cm-2 um-1 sr-1",
            AxisVariable::Ratio => "1",
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            AxisVariable::NlwGreen => "normalized water-leaving radiance at the green band, Rrs x F0",
            AxisVariable::Nlw412 => "normalized water-leaving radiance at the 412 nm band, Rrs x F0",
            AxisVariable::Ratio => "maximum blue/green Rrs ratio (linear), max(Rrs blues)/Rrs green",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.name() == name)
    }
}

/// One regular axis: value(i) = min + i step, i = 0..n-1.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Axis {
    pub variable: AxisVariable,
    pub min: f64,
    pub step: f64,
    pub n: usize,
}

impl Axis {
    pub fn value(&self, i: usize) -> f64 {
        self.min + i as f64 * self.step
    }
    pub fn max(&self) -> f64 {
        self.value(self.n - 1)
    }
}

/// The operational OLCI axes, in the array order of the RBINS "processed"
/// `.npy` tables [green, 412, ratio] (algorithms.md s1.3; exact).
pub const OPERATIONAL_AXES: [Axis; 3] = [
    Axis { variable: AxisVariable::NlwGreen, min: 0.0, step: 0.03, n: 200 },
    Axis { variable: AxisVariable::Nlw412, min: -2.0, step: 0.02, n: 200 },
    Axis { variable: AxisVariable::Ratio, min: -0.2, step: 0.0352, n: 200 },
];

/// The same ranges with `n` nodes per axis (n = 200 gives the operational axes exactly).
pub fn operational_axes(shape: [usize; 3]) -> Result<[Axis; 3]> {
    let mut axes = OPERATIONAL_AXES;
    for (a, &n) in axes.iter_mut().zip(&shape) {
        if n < 2 {
            return Err(Error::InvalidParameter { name: "shape".into(), reason: format!("each axis needs >= 2 nodes, got {shape:?}") });
        }
        if n != a.n {
            a.step = a.step * (a.n - 1) as f64 / (n - 1) as f64;
            a.n = n;
        }
    }
    Ok(axes)
}

/// Per-pixel status codes returned with `return_status`.
pub mod status {
    /// A value from the table (or the per-pixel correction).
    pub const VALID: u8 = 0;
    /// An input is outside the table's axes: no value.
    pub const OUTSIDE_TABLE: u8 = 1;
    /// Non-finite input, green Rrs <= 0, or a table region with no value (R <= 0): NaN.
    pub const INVALID_INPUT: u8 = 2;
    /// The model could not reproduce the departure; OC5 = OCx there (value given).
    pub const FALLBACK: u8 = 3;
    pub const MEANINGS: &str = "0 valid, 1 outside table, 2 invalid input, 3 fallback (OC5 = OCx)";
}

/// Per-node provenance flags of a built table.
pub mod node {
    /// Inside the Case-1 tolerance zone: OCx.
    pub const OCX: u8 = 0;
    /// Ratio corrected by the fitted CDM/SPM departure.
    pub const CORRECTED: u8 = 1;
    /// The 2-parameter fit missed by more than 10%: OCx.
    pub const FALLBACK: u8 = 2;
    /// nLw412 <= 0: copied from the first positive-412 node along that axis.
    pub const COPIED: u8 = 3;
    /// R <= 0 or nLw green = 0: no value.
    pub const UNDEFINED: u8 = 4;
    pub const MEANINGS: &str = "ocx corrected fallback copied_from_first_positive_412 undefined";
}

/// The bands an OC5 table is built for and read with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Oc5Bands {
    pub violet: u16,
    pub green: u16,
    pub blues: Vec<u16>,
}

/// An OC5 table and everything needed to read it.
#[derive(Debug, Clone)]
pub struct Oc5Table {
    /// In array (C) order.
    pub axes: [Axis; 3],
    /// Chlorophyll (mg m-3), C order over `axes`.
    pub values: Vec<f32>,
    /// Optional per-node flags (`node::*`), same layout as `values`.
    pub node_flags: Option<Vec<u8>>,
    pub sensor: String,
    pub bands: Oc5Bands,
    /// F0 (mW cm-2 um-1) of the green and 412 bands used for the nLw axes.
    pub f0_green: f64,
    pub f0_violet: f64,
    pub version: String,
    /// Provenance and design parameters (free text, stored as attributes).
    pub metadata: BTreeMap<String, String>,
}

impl PartialEq for Oc5Table {
    /// Bit-for-bit equality (NaN nodes compare equal to themselves).
    fn eq(&self, o: &Self) -> bool {
        self.axes == o.axes
            && self.values.len() == o.values.len()
            && self.values.iter().zip(&o.values).all(|(a, b)| a.to_bits() == b.to_bits())
            && self.node_flags == o.node_flags
            && self.sensor == o.sensor
            && self.bands == o.bands
            && self.f0_green.to_bits() == o.f0_green.to_bits()
            && self.f0_violet.to_bits() == o.f0_violet.to_bits()
            && self.version == o.version
            && self.metadata == o.metadata
    }
}

/// Pixels per parallel task.
const CHUNK: usize = 16 * 1024;

impl Oc5Table {
    /// Checks the axes (each variable once, finite min, step > 0, n >= 2),
    /// the value count and the F0s.
    pub fn validate(&self) -> Result<()> {
        let bad = |reason: String| Err(Error::InvalidParameter { name: "OC5 table".into(), reason });
        for v in AxisVariable::ALL {
            if self.axes.iter().filter(|a| a.variable == v).count() != 1 {
                return bad(format!("needs exactly one {} axis", v.name()));
            }
        }
        for a in &self.axes {
            if !(a.min.is_finite() && a.step.is_finite() && a.step > 0.0 && a.n >= 2) {
                return bad(format!("axis {} has min {}, step {}, n {}", a.variable.name(), a.min, a.step, a.n));
            }
        }
        let n: usize = self.axes.iter().map(|a| a.n).product();
        if self.values.len() != n {
            return bad(format!("{} values for axes of {}x{}x{}", self.values.len(), self.axes[0].n, self.axes[1].n, self.axes[2].n));
        }
        if self.node_flags.as_ref().is_some_and(|f| f.len() != n) {
            return bad("node flags and values differ in size".into());
        }
        for (what, f0) in [("F0 green", self.f0_green), ("F0 412", self.f0_violet)] {
            if !(f0.is_finite() && f0 > 0.0) {
                return bad(format!("{what} must be finite and > 0, got {f0}"));
            }
        }
        Ok(())
    }

    pub fn shape(&self) -> [usize; 3] {
        self.axes.map(|a| a.n)
    }

    /// FNV-1a 64-bit hash of the values' bits: identifies a table in product
    /// provenance (not a cryptographic digest).
    pub fn checksum(&self) -> u64 {
        self.values.iter().flat_map(|v| v.to_bits().to_le_bytes()).fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3)
        })
    }

    /// Position of each variable (green, 412, ratio) in the array order.
    fn positions(&self) -> [usize; 3] {
        AxisVariable::ALL.map(|v| self.axes.iter().position(|a| a.variable == v).expect("validated"))
    }

    /// Trilinear value at (nLw green, nLw412, R) and the flag of the nearest
    /// node; `None` when an index falls outside [0, n-1].
    #[inline(always)]
    pub fn interpolate(&self, nlw_green: f64, nlw_412: f64, ratio: f64) -> Option<(f64, u8)> {
        let pos = self.positions();
        let mut x = [0.0f64; 3];
        x[pos[0]] = nlw_green;
        x[pos[1]] = nlw_412;
        x[pos[2]] = ratio;
        self.interpolate_ordered(x, true)
    }

    /// Trilinear value at coordinates in array order; the nearest node's
    /// flag only when `with_flag` (it costs one more memory access).
    #[inline(always)]
    fn interpolate_ordered(&self, x: [f64; 3], with_flag: bool) -> Option<(f64, u8)> {
        let mut i0 = [0usize; 3];
        let mut w = [0.0f64; 3];
        for d in 0..3 {
            let a = &self.axes[d];
            let f = (x[d] - a.min) / a.step;
            let top = (a.n - 1) as f64;
            // Inclusive [0, n-1] (the recommended form of s1.3); NaN fails too.
            if !(f >= 0.0 && f <= top) {
                return None;
            }
            let lo = (f.floor() as usize).min(a.n - 2);
            i0[d] = lo;
            w[d] = f - lo as f64;
        }
        let [n1, n2] = [self.axes[1].n, self.axes[2].n];
        let base = (i0[0] * n1 + i0[1]) * n2 + i0[2];
        let v = &self.values;
        let c = |di: usize, dj: usize, dk: usize| v[base + (di * n1 + dj) * n2 + dk] as f64;
        let lerp = |a: f64, b: f64, t: f64| a + t * (b - a);
        let c00 = lerp(c(0, 0, 0), c(0, 0, 1), w[2]);
        let c01 = lerp(c(0, 1, 0), c(0, 1, 1), w[2]);
        let c10 = lerp(c(1, 0, 0), c(1, 0, 1), w[2]);
        let c11 = lerp(c(1, 1, 0), c(1, 1, 1), w[2]);
        let value = lerp(lerp(c00, c01, w[1]), lerp(c10, c11, w[1]), w[0]);
        let flag = self.node_flags.as_ref().filter(|_| with_flag).map_or(node::OCX, |f| {
            let r = |d: usize| (w[d] >= 0.5) as usize;
            f[base + (r(0) * n1 + r(1)) * n2 + r(2)]
        });
        Some((value, flag))
    }

    /// Chlorophyll of one pixel from its Rrs (sr-1): green, 412 and the
    /// maximum of the blues, with its status.
    #[inline(always)]
    pub fn chl_pixel(&self, pos: [usize; 3], green: f32, violet: f32, blue_max: f32, with_status: bool) -> (f32, u8) {
        let (g, b, m) = (green as f64, violet as f64, blue_max as f64);
        if !(g.is_finite() && b.is_finite() && m.is_finite()) || g <= 0.0 {
            return (f32::NAN, status::INVALID_INPUT);
        }
        let mut x = [0.0f64; 3];
        x[pos[0]] = g * self.f0_green;
        x[pos[1]] = b * self.f0_violet;
        x[pos[2]] = m / g;
        match self.interpolate_ordered(x, with_status) {
            None => (f32::NAN, status::OUTSIDE_TABLE),
            Some((v, _)) if !(v >= 0.0) => (f32::NAN, status::INVALID_INPUT),
            Some((v, f)) if f == node::FALLBACK => (v as f32, status::FALLBACK),
            Some((v, _)) => (v as f32, status::VALID),
        }
    }

    /// Table lookup over every pixel (in parallel): chl and, if asked, status.
    /// `blues` are the ratio's blue bands; all slices have the same length.
    pub fn lookup(&self, green: &[f32], violet: &[f32], blues: &[&[f32]], want_status: bool) -> (Vec<f32>, Option<Vec<u8>>) {
        let n = green.len();
        let pos = self.positions();
        let mut chl = vec![0f32; n];
        let mut st = if want_status { vec![0u8; n] } else { Vec::new() };
        let run = |start: usize, out: &mut [f32], st: Option<&mut [u8]>| {
            let len = out.len();
            let g = &green[start..start + len];
            let v = &violet[start..start + len];
            let bl: Vec<&[f32]> = blues.iter().map(|b| &b[start..start + len]).collect();
            let mut st = st;
            for i in 0..len {
                let m = bl.iter().fold(f32::NEG_INFINITY, |acc, b| acc.max(b[i]));
                // max() ignores NaN: keep NaN blues visible as invalid input.
                let m = if bl.iter().any(|b| b[i].is_nan()) { f32::NAN } else { m };
                let (c, s) = self.chl_pixel(pos, g[i], v[i], m, want_status);
                out[i] = c;
                if let Some(st) = st.as_deref_mut() {
                    st[i] = s;
                }
            }
        };
        crate::threads::install(|| {
            if want_status {
                chl.par_chunks_mut(CHUNK)
                    .zip(st.par_chunks_mut(CHUNK))
                    .enumerate()
                    .for_each(|(c, (o, s))| run(c * CHUNK, o, Some(s)));
            } else {
                chl.par_chunks_mut(CHUNK).enumerate().for_each(|(c, o)| run(c * CHUNK, o, None));
            }
        });
        (chl, want_status.then_some(st))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small_table(values: Vec<f32>, axes: [Axis; 3]) -> Oc5Table {
        Oc5Table {
            axes,
            values,
            node_flags: None,
            sensor: "olci-a".into(),
            bands: Oc5Bands { violet: 412, green: 560, blues: vec![443, 490, 510] },
            f0_green: 180.0,
            f0_violet: 171.4,
            version: "test".into(),
            metadata: BTreeMap::new(),
        }
    }

    #[test]
    fn trilinear_matches_hand_computed_nodes() {
        // f(i, j, k) = i + 10 j + 100 k is reproduced exactly by trilinear interpolation.
        let axes = [
            Axis { variable: AxisVariable::NlwGreen, min: 0.0, step: 0.5, n: 3 },
            Axis { variable: AxisVariable::Nlw412, min: -1.0, step: 1.0, n: 4 },
            Axis { variable: AxisVariable::Ratio, min: 0.0, step: 2.0, n: 2 },
        ];
        let mut v = Vec::new();
        for i in 0..3 {
            for j in 0..4 {
                for k in 0..2 {
                    v.push((i + 10 * j + 100 * k) as f32);
                }
            }
        }
        let t = small_table(v, axes);
        t.validate().unwrap();
        // Exactly on a node.
        assert_eq!(t.interpolate(0.5, 1.0, 2.0).unwrap().0, 1.0 + 20.0 + 100.0);
        // Inside: fractional indices (0.6, 1.25, 0.5) -> 0.6 + 12.5 + 50.
        let (x, _) = t.interpolate(0.3, 0.25, 1.0).unwrap();
        assert!((x - 63.1).abs() < 1e-12, "{x}");
        // Upper edges are inside; beyond is outside.
        assert!(t.interpolate(1.0, 2.0, 2.0).is_some());
        assert!(t.interpolate(1.0 + 1e-9, 0.0, 1.0).is_none());
        assert!(t.interpolate(0.1, -1.0001, 1.0).is_none());
        assert!(t.interpolate(f64::NAN, 0.0, 1.0).is_none());
        // A non-linear table: hand-computed mix of the 8 corners.
        let mut v2 = vec![0f32; 24];
        let id = |i: usize, j: usize, k: usize| (i * 4 + j) * 2 + k;
        v2[id(1, 2, 0)] = 8.0;
        let t2 = small_table(v2, axes);
        // Weights (0.5 along i, 0.25 along j from node 1 to 2, 0 along k): corner (1,2,0) gets 0.5*0.25.
        let (y, _) = t2.interpolate(0.25, 0.25, 0.0).unwrap();
        assert!((y - 8.0 * 0.5 * 0.25).abs() < 1e-12, "{y}");
    }

    #[test]
    fn axes_in_another_order_are_read_by_name() {
        let axes = [
            Axis { variable: AxisVariable::Ratio, min: 0.0, step: 1.0, n: 2 },
            Axis { variable: AxisVariable::NlwGreen, min: 0.0, step: 1.0, n: 2 },
            Axis { variable: AxisVariable::Nlw412, min: 0.0, step: 1.0, n: 2 },
        ];
        // value = 100 * ratio index + 10 * green index + 412 index.
        let v: Vec<f32> = (0..8).map(|x| (100 * (x / 4) + 10 * ((x / 2) % 2) + x % 2) as f32).collect();
        let t = small_table(v, axes);
        assert_eq!(t.interpolate(1.0, 0.0, 1.0).unwrap().0, 110.0);
        assert_eq!(t.interpolate(0.0, 1.0, 0.0).unwrap().0, 1.0);
    }

    #[test]
    fn lookup_statuses() {
        let axes = operational_axes([3, 3, 3]).unwrap();
        let t = small_table(vec![1.0; 27], axes);
        let g = [0.002f32, f32::NAN, 0.002, 0.002, 0.05];
        let v = [0.004f32, 0.004, 0.004, 0.004, 0.004];
        let b = [0.006f32, 0.006, f32::NAN, -0.001, 0.006];
        let (c, s) = t.lookup(&g, &v, &[&b], true);
        assert_eq!(c[0], 1.0);
        assert_eq!(s.unwrap(), vec![status::VALID, status::INVALID_INPUT, status::INVALID_INPUT, status::OUTSIDE_TABLE, status::OUTSIDE_TABLE]);
        assert!(c[1..].iter().all(|x| x.is_nan()));
    }

    #[test]
    fn operational_axes_have_the_published_ends() {
        let a = operational_axes([200, 200, 200]).unwrap();
        assert_eq!(a, OPERATIONAL_AXES);
        assert!((a[0].max() - 5.97).abs() < 1e-12 && (a[1].max() - 1.98).abs() < 1e-12 && (a[2].max() - 6.8048).abs() < 1e-12);
        let s = operational_axes([40, 40, 40]).unwrap();
        assert!((s[2].max() - 6.8048).abs() < 1e-12);
    }
}
