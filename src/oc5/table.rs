//! The OC5 look-up table: a regular 3-D grid of chlorophyll over nLw(green),
//! nLw(412) and the maximum blue/green Rrs ratio, with self-describing axes,
//! trilinear interpolation and a status per pixel.
//!
//! Conventions (algorithms.md s1.3, read from the RBINS operational scripts):
//! nLw = Rrs x F0 (mW cm-2 um-1 sr-1); R = max(Rrs blues)/Rrs green (linear);
//! fractional index (x - min)/step; trilinear on the index grid; a pixel with
//! any index outside [0, n-1] gets no value; negative table outputs give NaN.

use std::collections::BTreeMap;

use crate::compute::{par_chunk_pairs, par_chunks, with_avx2, zeroed, CHUNK};
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
    /// `checksum()` once computed: every product call names the table in its
    /// provenance, and hashing 8 million values each time cost 6% of an OC5 call.
    /// Filled on first use; `values` are never changed after construction.
    pub checksum_cache: std::sync::OnceLock<u64>,
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
        *self.checksum_cache.get_or_init(|| self.values_checksum())
    }

    fn values_checksum(&self) -> u64 {
        self.values.iter().flat_map(|v| v.to_bits().to_le_bytes()).fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3))
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
        self.interpolate_ordered(x)
    }

    /// Trilinear value at coordinates in array order, and the nearest node's flag.
    fn interpolate_ordered(&self, x: [f64; 3]) -> Option<(f64, u8)> {
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
        let c00 = lerp(c(0, 0, 0), c(0, 0, 1), w[2]);
        let c01 = lerp(c(0, 1, 0), c(0, 1, 1), w[2]);
        let c10 = lerp(c(1, 0, 0), c(1, 0, 1), w[2]);
        let c11 = lerp(c(1, 1, 0), c(1, 1, 1), w[2]);
        let value = lerp(lerp(c00, c01, w[1]), lerp(c10, c11, w[1]), w[0]);
        let flag = self.node_flags.as_ref().map_or(node::OCX, |f| {
            let r = |d: usize| (w[d] >= 0.5) as usize;
            f[base + (r(0) * n1 + r(1)) * n2 + r(2)]
        });
        Some((value, flag))
    }

    /// Trilinear value at (nLw green, nLw412, R) and its exact gradient with respect to
    /// the fractional index on each axis, in variable order (green, 412, ratio), inside
    /// the cell the value comes from (the gradient jumps across cell faces); `None`
    /// outside the table. For the Rrs uncertainty propagation (docs/uncertainty.md s4).
    pub fn value_and_index_gradient(&self, nlw_green: f64, nlw_412: f64, ratio: f64) -> Option<(f64, [f64; 3])> {
        let pos = self.positions();
        let mut x = [0.0f64; 3];
        x[pos[0]] = nlw_green;
        x[pos[1]] = nlw_412;
        x[pos[2]] = ratio;
        let mut i0 = [0usize; 3];
        let mut w = [0.0f64; 3];
        for d in 0..3 {
            let a = &self.axes[d];
            let f = (x[d] - a.min) / a.step;
            if !(f >= 0.0 && f <= (a.n - 1) as f64) {
                return None;
            }
            let lo = (f.floor() as usize).min(a.n - 2);
            i0[d] = lo;
            w[d] = f - lo as f64;
        }
        let [n1, n2] = [self.axes[1].n, self.axes[2].n];
        let base = (i0[0] * n1 + i0[1]) * n2 + i0[2];
        let (mut value, mut grad) = (0.0, [0.0f64; 3]);
        for c in 0..8usize {
            let d = [c >> 2, (c >> 1) & 1, c & 1];
            let v = self.values[base + (d[0] * n1 + d[1]) * n2 + d[2]] as f64;
            let wt = |k: usize| if d[k] == 1 { w[k] } else { 1.0 - w[k] };
            let sg = |k: usize| if d[k] == 1 { 1.0 } else { -1.0 };
            value += v * wt(0) * wt(1) * wt(2);
            grad[0] += v * sg(0) * wt(1) * wt(2);
            grad[1] += v * wt(0) * sg(1) * wt(2);
            grad[2] += v * wt(0) * wt(1) * sg(2);
        }
        Some((value, [grad[pos[0]], grad[pos[1]], grad[pos[2]]]))
    }

    /// The axis steps in variable order (green, 412, ratio).
    pub fn steps(&self) -> [f64; 3] {
        self.positions().map(|p| self.axes[p].step)
    }

    /// Table lookup over every pixel (in parallel): chl and, if asked, status.
    /// `blues` are the ratio's blue bands (1 to 4); all slices have the same
    /// length. Same arithmetic as `interpolate`, so the same values bit for bit.
    /// nLw = Rrs x the table's F0.
    pub fn lookup(&self, green: &[f32], violet: &[f32], blues: &[&[f32]], want_status: bool) -> (Vec<f32>, Option<Vec<u8>>) {
        self.lookup_with_f0(green, violet, blues, want_status, [self.f0_green, self.f0_violet])
    }

    /// `lookup` with nLw = Rrs x `f0` ([green, 412], mW cm-2 um-1): the F0 an
    /// input file gives (OBPG `solar_irradiance`) rather than the table's.
    pub fn lookup_with_f0(&self, green: &[f32], violet: &[f32], blues: &[&[f32]], want_status: bool, f0: [f64; 2]) -> (Vec<f32>, Option<Vec<u8>>) {
        let n = green.len();
        assert!((1..=4).contains(&blues.len()), "OC5 reads 1 to 4 blue bands, got {}", blues.len());
        for x in [violet].iter().chain(blues) {
            assert_eq!(x.len(), n, "band length differs from the green band's");
        }
        // Pad to four blue slots with the last blue (the maximum is unchanged).
        let blue = |k: usize| blues[k.min(blues.len() - 1)];
        let inputs = [green, violet, blue(0), blue(1), blue(2), blue(3)];
        let grid = Grid { f0, ..Grid::new(self) };
        let mut chl = zeroed(n);
        let mut st = zeroed(if want_status { n } else { 0 });
        let ins = |start: usize, len: usize| inputs.map(|x| &x[start..start + len]);
        if want_status {
            par_chunk_pairs(&mut chl, &mut st, CHUNK, || (), |start, o, s, _| grid.run(ins(start, o.len()), o, Some(s)));
        } else {
            par_chunks(&mut chl, CHUNK, |start, o| grid.run(ins(start, o.len()), o, None));
        }
        (chl, want_status.then_some(st))
    }
}

#[inline(always)]
fn lerp(a: f64, b: f64, t: f64) -> f64 {
    a + t * (b - a)
}

/// Pixels per block of `Grid::chunk`: small enough for its scratch arrays to
/// stay in L1, large enough to vectorise the index and interpolation loops.
const BLOCK: usize = 64;

/// Per-pixel intermediate values of one block (kept per chunk, not per block).
struct Scratch {
    /// Status before interpolation.
    code: [u8; BLOCK],
    /// Index of the lower corner in `values`.
    base: [u32; BLOCK],
    /// Weights per variable (green, 412, ratio).
    w: [[f64; BLOCK]; 3],
    /// Corner values, corner (d0, d1, d2) at 4 d0 + 2 d1 + d2.
    c: [[f32; BLOCK]; 8],
    value: [f64; BLOCK],
}

/// A table's geometry resolved once per lookup, so that the per-pixel work has
/// no axis search: per variable (green, 412, ratio) its axis and stride in
/// `values`; the corners' offsets and the variable at each array position.
struct Grid<'a> {
    values: &'a [f32],
    flags: Option<&'a [u8]>,
    f0: [f64; 2],
    min: [f64; 3],
    step: [f64; 3],
    /// n - 1 (the last node) and n - 2 (the last cell's lower node).
    top: [f64; 3],
    last_lo: [f64; 3],
    stride: [f64; 3],
    /// Offset of corner (d0, d1, d2) (array order) at index 4 d0 + 2 d1 + d2.
    corner: [usize; 8],
    /// The variable at each array position.
    order: [usize; 3],
}

impl<'a> Grid<'a> {
    fn new(t: &'a Oc5Table) -> Self {
        let pos = t.positions();
        let strides = [t.axes[1].n * t.axes[2].n, t.axes[2].n, 1];
        // The unchecked corner reads of `block` rely on this (and on u32 indices).
        let len = t.axes.iter().try_fold(1usize, |p, a| p.checked_mul(a.n));
        assert!(t.axes.iter().all(|a| a.n >= 2) && len == Some(t.values.len()) && t.values.len() <= u32::MAX as usize, "OC5 table not validated");
        let axis = |v: usize| t.axes[pos[v]];
        Grid {
            values: &t.values,
            flags: t.node_flags.as_deref(),
            f0: [t.f0_green, t.f0_violet],
            min: [0, 1, 2].map(|v| axis(v).min),
            step: [0, 1, 2].map(|v| axis(v).step),
            top: [0, 1, 2].map(|v| (axis(v).n - 1) as f64),
            last_lo: [0, 1, 2].map(|v| (axis(v).n - 2) as f64),
            stride: [0, 1, 2].map(|v| strides[pos[v]] as f64),
            corner: std::array::from_fn(|c| (c >> 2) * strides[0] + ((c >> 1) & 1) * strides[1] + (c & 1) * strides[2]),
            order: [0, 1, 2].map(|d| AxisVariable::ALL.iter().position(|&v| v == t.axes[d].variable).expect("validated")),
        }
    }

    /// `chunk`, compiled for AVX2+FMA where the CPU has them.
    fn run(&self, ins: [&[f32]; 6], out: &mut [f32], st: Option<&mut [u8]>) {
        with_avx2(
            #[inline(always)]
            || self.chunk(ins, out, st),
        )
    }

    /// Chl (and status) of a chunk, block by block. Inputs: green, 412 and
    /// four blue slots, each as long as `out`.
    #[inline(always)]
    fn chunk(&self, ins: [&[f32]; 6], out: &mut [f32], mut st: Option<&mut [u8]>) {
        let mut scratch = Scratch { code: [0; BLOCK], base: [0; BLOCK], w: [[0.0; BLOCK]; 3], c: [[0.0; BLOCK]; 8], value: [0.0; BLOCK] };
        for (b, o) in out.chunks_mut(BLOCK).enumerate() {
            let start = b * BLOCK;
            let blk = ins.map(|x| &x[start..start + o.len()]);
            self.block(&mut scratch, blk, o, st.as_deref_mut().map(|s| &mut s[start..start + o.len()]));
        }
    }

    /// One block in three passes: indices and weights (vectorised), the eight
    /// corners of each pixel (scalar reads), trilinear interpolation
    /// (vectorised). The arithmetic is `interpolate_ordered`'s, step for step.
    #[inline(always)]
    #[allow(clippy::neg_cmp_op_on_partial_ord)] // `!(v >= 0)` is also true for NaN, on purpose
    fn block(&self, scratch: &mut Scratch, ins: [&[f32]; 6], out: &mut [f32], st: Option<&mut [u8]>) {
        let n = out.len();
        let [g, v, b0, b1, b2, b3] = ins.map(|x| &x[..n]);
        let Scratch { code, base, w, c, value } = scratch;
        for i in 0..n {
            // max() ignores NaN: a NaN blue must still make the pixel invalid.
            let nan_blue = b0[i].is_nan() | b1[i].is_nan() | b2[i].is_nan() | b3[i].is_nan();
            let m = b0[i].max(b1[i]).max(b2[i]).max(b3[i]) as f64;
            let (gi, vi) = (g[i] as f64, v[i] as f64);
            let ok = gi.is_finite() & vi.is_finite() & m.is_finite() & !nan_blue & (gi > 0.0);
            let x = [gi * self.f0[0], vi * self.f0[1], m / gi];
            let mut inside = true;
            let mut at = 0.0;
            for d in 0..3 {
                let f = (x[d] - self.min[d]) / self.step[d];
                // Inclusive [0, n-1] (the recommended form of s1.3); NaN fails too.
                inside &= (f >= 0.0) & (f <= self.top[d]);
                // Clamped so that every pixel reads inside the table.
                let lo = f.max(0.0).min(self.top[d]).floor().min(self.last_lo[d]);
                w[d][i] = f - lo;
                at += lo * self.stride[d];
            }
            // `at` is a whole number below 2^32: adding 2^52 puts it in the
            // low mantissa bits. (An `as` cast saturates, which compiles to
            // scalar compare-and-moves and stops this loop vectorising.)
            base[i] = (at + 4_503_599_627_370_496.0).to_bits() as u32;
            code[i] = if !ok {
                status::INVALID_INPUT
            } else if !inside {
                status::OUTSIDE_TABLE
            } else {
                status::VALID
            };
        }
        // The last array axis has stride 1: read each corner pair along it at once.
        let (values, corner) = (self.values, self.corner);
        for i in 0..n {
            let at = base[i] as usize;
            for k in 0..4 {
                // SAFETY: every index is clamped to [0, n-2] on its axis, so
                // at + corner[2k] + 1 <= at + corner[7] <= values.len() - 1
                // (Grid::new checks the length).
                let [lo, hi] = unsafe { values.as_ptr().add(at + corner[2 * k]).cast::<[f32; 2]>().read_unaligned() };
                c[2 * k][i] = lo;
                c[2 * k + 1][i] = hi;
            }
        }
        // Weights in array order: the interpolation runs in that order.
        let [w0, w1, w2] = self.order.map(|d| &w[d][..n]);
        for i in 0..n {
            let c = |k: usize| c[k][i] as f64;
            let c00 = lerp(c(0), c(1), w2[i]);
            let c01 = lerp(c(2), c(3), w2[i]);
            let c10 = lerp(c(4), c(5), w2[i]);
            let c11 = lerp(c(6), c(7), w2[i]);
            let val = lerp(lerp(c00, c01, w1[i]), lerp(c10, c11, w1[i]), w0[i]);
            value[i] = val;
            // Negative table outputs (R <= 0 regions) give no value.
            out[i] = if code[i] == status::VALID && val >= 0.0 { val as f32 } else { f32::NAN };
        }
        if let Some(st) = st {
            for i in 0..n {
                st[i] = match code[i] {
                    status::VALID if !(value[i] >= 0.0) => status::INVALID_INPUT,
                    status::VALID
                        if self.flags.is_some_and(|f| {
                            let r = |x: f64| (x >= 0.5) as usize;
                            f[base[i] as usize + self.corner[4 * r(w0[i]) + 2 * r(w1[i]) + r(w2[i])]] == node::FALLBACK
                        }) =>
                    {
                        status::FALLBACK
                    }
                    s => s,
                };
            }
        }
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
            checksum_cache: Default::default(),
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

    /// The block lookup against an independent trilinear computation (sum of
    /// the eight corners times their weight products) and against the
    /// point-by-point `interpolate`, bit for bit: a random table with axes in
    /// a non-operational order, negative regions and fallback nodes; pixels
    /// over several chunks and a partial block; NaN, inf, zero and outside inputs.
    #[test]
    #[allow(clippy::neg_cmp_op_on_partial_ord)] // NaN-aware, as the engine
    fn lookup_matches_an_independent_trilinear_computation() {
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut rnd = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed >> 11) as f64 / (1u64 << 53) as f64
        };
        let axes = [
            Axis { variable: AxisVariable::Nlw412, min: -2.0, step: 0.25, n: 17 },
            Axis { variable: AxisVariable::Ratio, min: -0.2, step: 0.5, n: 15 },
            Axis { variable: AxisVariable::NlwGreen, min: 0.0, step: 0.3, n: 20 },
        ];
        let len = 17 * 15 * 20;
        let values: Vec<f32> = (0..len).map(|_| (rnd() * 12.0 - 1.0) as f32).collect();
        let mut t = small_table(values.clone(), axes);
        t.node_flags = Some((0..len).map(|_| if rnd() < 0.3 { node::FALLBACK } else { node::CORRECTED }).collect());
        t.validate().unwrap();
        let n = 2 * CHUNK + 1234;
        let mut bands: Vec<Vec<f32>> = (0..5).map(|_| Vec::with_capacity(n)).collect();
        for _ in 0..n {
            // green up to just beyond the table (5.7 / 180), 412 over [-2, 2], blues for R over [-0.5, 7.5].
            let g = (rnd() * 0.033 + 1e-5) as f32;
            bands[0].push(g);
            bands[1].push(((rnd() * 4.1 - 2.05) / 171.4) as f32);
            for b in &mut bands[2..5] {
                b.push(g * (rnd() * 8.0 - 0.5) as f32);
            }
        }
        let special = [f32::NAN, f32::INFINITY, -1e-4, 0.0, 0.03];
        for (i, &x) in special.iter().enumerate() {
            bands[i % 5][7 * i + 3] = x;
            bands[0][100 + i] = x;
            bands[4][200 + i] = x;
        }
        let blues = [bands[2].as_slice(), &bands[3], &bands[4]];
        let (chl, st) = t.lookup(&bands[0], &bands[1], &blues, true);
        let st = st.unwrap();
        let (chl_only, none) = t.lookup(&bands[0], &bands[1], &blues, false);
        assert!(none.is_none());
        assert!(chl.iter().zip(&chl_only).all(|(a, b)| a.to_bits() == b.to_bits()));
        let mut seen = [0usize; 4];
        for i in 0..n {
            let (g, v) = (bands[0][i] as f64, bands[1][i] as f64);
            let m = [bands[2][i], bands[3][i], bands[4][i]];
            if !(g.is_finite() && v.is_finite() && g > 0.0 && m.iter().all(|x| x.is_finite())) {
                assert!(chl[i].is_nan() && st[i] == status::INVALID_INPUT, "pixel {i}");
                seen[status::INVALID_INPUT as usize] += 1;
                continue;
            }
            let r = m.iter().fold(f64::MIN, |a, &b| a.max(b as f64)) / g;
            // The point path gives the same bits.
            let (point, point_st) = match t.interpolate(g * 180.0, v * 171.4, r) {
                None => (f32::NAN, status::OUTSIDE_TABLE),
                Some((x, _)) if !(x >= 0.0) => (f32::NAN, status::INVALID_INPUT),
                Some((x, f)) => (x as f32, if f == node::FALLBACK { status::FALLBACK } else { status::VALID }),
            };
            assert_eq!((chl[i].to_bits(), st[i]), (point.to_bits(), point_st), "pixel {i}: lookup and interpolate differ");
            // Independent trilinear, array order [412, ratio, green].
            let x = [v * 171.4, r, g * 180.0];
            let f: Vec<f64> = (0..3).map(|d| (x[d] - axes[d].min) / axes[d].step).collect();
            if (0..3).any(|d| !(f[d] >= 0.0 && f[d] <= (axes[d].n - 1) as f64)) {
                assert!(chl[i].is_nan() && st[i] == status::OUTSIDE_TABLE, "pixel {i}");
                seen[status::OUTSIDE_TABLE as usize] += 1;
                continue;
            }
            let lo: Vec<usize> = (0..3).map(|d| (f[d].floor() as usize).min(axes[d].n - 2)).collect();
            let (mut want, mut nearest, mut best) = (0.0, 0, -1.0);
            for corner in 0..8 {
                let d = [corner >> 2, (corner >> 1) & 1, corner & 1];
                let idx = ((lo[0] + d[0]) * 15 + lo[1] + d[1]) * 20 + lo[2] + d[2];
                let weight: f64 = (0..3).map(|k| if d[k] == 1 { f[k] - lo[k] as f64 } else { 1.0 + lo[k] as f64 - f[k] }).product();
                want += weight * values[idx] as f64;
                if weight > best {
                    (best, nearest) = (weight, idx);
                }
            }
            if want.abs() < 1e-9 {
                continue; // the sign is decided by rounding
            }
            let want_st = if want < 0.0 {
                status::INVALID_INPUT
            } else if t.node_flags.as_ref().unwrap()[nearest] == node::FALLBACK {
                status::FALLBACK
            } else {
                status::VALID
            };
            seen[want_st as usize] += 1;
            assert_eq!(st[i], want_st, "pixel {i}");
            if want < 0.0 {
                assert!(chl[i].is_nan(), "pixel {i}: {} for a negative table value", chl[i]);
            } else {
                assert!((chl[i] as f64 - want).abs() <= 1e-6 * want.max(1.0), "pixel {i}: {} vs {want}", chl[i]);
            }
        }
        // Every status occurs, and most pixels have a value.
        assert!(seen.iter().all(|&k| k >= 20), "{seen:?}");
        assert!(seen[0] + seen[3] > n / 2, "{seen:?}");
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
