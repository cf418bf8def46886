//! Optical water types of Moore, Campbell & Dowell 2009 (RSE 113:2424-2430,
//! doi:10.1016/j.rse.2009.07.016): 8 classes clustered from NASA NOMAD in situ Rrs
//! at 412, 443, 490, 510, 555, 670 nm; chi-square memberships of the squared
//! Mahalanobis distance (Moore et al. 2001, IEEE TGRS 39:1764, eqs. 11-12).
//! docs/uncertainty.md s2; numpy reference `validation/uncertainty/reference.py`.

use std::sync::OnceLock;

use crate::error::{Error, Result};
use crate::fusion::bandshift::{BandShift, CHUNK_F32};
use crate::sensors::Sensor;

pub const CLASSES: usize = 8;
pub const BANDS: usize = 6;

/// Band centres (nm) of the classification vector (SeaWiFS bands).
pub const MOORE2009_BANDS: [f64; BANDS] = [412.0, 443.0, 490.0, 510.0, 555.0, 670.0];

/// Class means (sr-1), rows = class 1..8. Transcribed from JuliaOcean/OceanColorData.jl
/// `src/Classifiers.jl` `Moore2009()` (which cites the paper; numbers used with
/// citation, no code), as validation/uncertainty/moore2009.py.
const MEANS: [[f64; BANDS]; CLASSES] = [
    [0.0234, 0.0192, 0.0129, 0.0075, 0.0031, 0.0002],
    [0.0162, 0.0141, 0.0112, 0.0073, 0.0034, 0.0002],
    [0.0107, 0.0098, 0.0092, 0.0070, 0.0039, 0.0003],
    [0.0065, 0.0064, 0.0070, 0.0064, 0.0048, 0.0006],
    [0.0033, 0.0034, 0.0042, 0.0042, 0.0043, 0.0009],
    [0.0064, 0.0074, 0.0105, 0.0116, 0.0140, 0.0041],
    [0.0121, 0.0140, 0.0192, 0.0204, 0.0231, 0.0084],
    [0.0184, 0.0230, 0.0333, 0.0359, 0.0409, 0.0137],
];

/// Class covariances (sr-2) x 1e8, as printed with 8 decimals in the same source.
const COV_E8: [[[i32; BANDS]; BANDS]; CLASSES] = [
    [
        [959, 556, 138, -34, -24, -3],
        [556, 493, 193, 60, 23, 1],
        [138, 193, 282, 223, 119, 7],
        [-34, 60, 223, 232, 119, 7],
        [-24, 23, 119, 119, 71, 5],
        [-3, 1, 7, 7, 5, 1],
    ],
    [
        [346, 186, -11, -60, -62, -5],
        [186, 228, 86, 33, -7, 3],
        [-11, 86, 231, 221, 145, 23],
        [-60, 33, 221, 266, 191, 34],
        [-62, -7, 145, 191, 175, 41],
        [-5, 3, 23, 34, 41, 21],
    ],
    [
        [241, 144, 35, -31, -63, -6],
        [144, 138, 76, 15, -21, -1],
        [35, 76, 161, 156, 121, 16],
        [-31, 15, 156, 227, 209, 31],
        [-63, -21, 121, 209, 225, 37],
        [-6, -1, 16, 31, 37, 13],
    ],
    [
        [166, 91, 34, -9, -80, -25],
        [91, 97, 71, 25, -41, -15],
        [34, 71, 118, 103, 72, 3],
        [-9, 25, 103, 137, 162, 25],
        [-80, -41, 72, 162, 290, 65],
        [-25, -15, 3, 25, 65, 50],
    ],
    [
        [178, 132, 104, 81, 18, -14],
        [132, 127, 121, 99, 34, -10],
        [104, 121, 150, 142, 110, 13],
        [81, 99, 142, 158, 177, 42],
        [18, 34, 110, 177, 351, 131],
        [-14, -10, 13, 42, 131, 81],
    ],
    [
        [715, 586, 409, 292, 5, -75],
        [586, 589, 520, 398, 27, -114],
        [409, 520, 634, 541, 188, -97],
        [292, 398, 541, 528, 392, 70],
        [5, 27, 188, 392, 995, 657],
        [-75, -114, -97, 70, 657, 819],
    ],
    [
        [2625, 1981, 1058, 544, -654, -1122],
        [1981, 1745, 1314, 822, -431, -1228],
        [1058, 1314, 1629, 1226, 35, -1311],
        [544, 822, 1226, 1170, 742, -500],
        [-654, -431, 35, 742, 2241, 1782],
        [-1122, -1228, -1311, -500, 1782, 3987],
    ],
    [
        [1186, 1134, 1139, 919, 395, -186],
        [1134, 1484, 2034, 1907, 1531, 87],
        [1139, 2034, 3467, 3546, 3555, 708],
        [919, 1907, 3546, 3907, 4604, 1733],
        [395, 1531, 3555, 4604, 7306, 4953],
        [-186, 87, 708, 1733, 4953, 6542],
    ],
];

/// A pixel whose memberships sum below this is unclassified (l2gen owt.c `chl_error`'s min_sum_wts).
pub const MIN_SUM: f64 = 1e-6;

/// The classes with their covariances inverted once.
pub struct OwtClasses {
    pub means: [[f64; BANDS]; CLASSES],
    pub inverse: [[[f64; BANDS]; BANDS]; CLASSES],
}

/// Moore et al. 2009 classes (inverses computed on first use).
pub fn moore2009() -> &'static OwtClasses {
    static CLASSES_: OnceLock<OwtClasses> = OnceLock::new();
    CLASSES_.get_or_init(|| {
        let inverse = std::array::from_fn(|k| {
            let cov: [[f64; BANDS]; BANDS] = std::array::from_fn(|i| std::array::from_fn(|j| COV_E8[k][i][j] as f64 * 1e-8));
            invert(cov).expect("Moore 2009 covariances are positive definite (tested)")
        });
        OwtClasses { means: MEANS, inverse }
    })
}

/// Gauss-Jordan inverse with partial pivoting; None when singular.
fn invert(mut a: [[f64; BANDS]; BANDS]) -> Option<[[f64; BANDS]; BANDS]> {
    let mut inv: [[f64; BANDS]; BANDS] = std::array::from_fn(|i| std::array::from_fn(|j| (i == j) as u8 as f64));
    for c in 0..BANDS {
        let p = (c..BANDS).max_by(|&x, &y| a[x][c].abs().total_cmp(&a[y][c].abs()))?;
        if a[p][c].abs() < 1e-300 {
            return None;
        }
        a.swap(c, p);
        inv.swap(c, p);
        let d = a[c][c];
        for j in 0..BANDS {
            a[c][j] /= d;
            inv[c][j] /= d;
        }
        for r in 0..BANDS {
            if r != c {
                let f = a[r][c];
                for j in 0..BANDS {
                    a[r][j] -= f * a[c][j];
                    inv[r][j] -= f * inv[c][j];
                }
            }
        }
    }
    Some(inv)
}

/// Chi-square survival function for 6 degrees of freedom, exact closed form:
/// exp(-x/2) (1 + x/2 + x^2/8).
#[inline(always)]
fn chi2_sf6(z2: f64) -> f64 {
    let h = 0.5 * z2;
    (-h).exp() * (1.0 + h + 0.5 * h * h)
}

/// Memberships f_k (not normalised) of one above-water Rrs vector at the Moore bands;
/// None where a band is non-finite or negative (l2gen owt.c fails such pixels).
/// The classes take below-water rrs = Rrs/(0.52 + 1.7 Rrs) (Lee et al. 2002), tested
/// on NOMAD (docs/uncertainty.md s2.2).
#[inline]
pub fn owt_memberships_pixel(rrs: [f64; BANDS], c: &OwtClasses) -> Option<[f64; CLASSES]> {
    if !rrs.iter().all(|x| x.is_finite() && *x >= 0.0) {
        return None;
    }
    let r = rrs.map(|x| x / (0.52 + 1.7 * x));
    Some(std::array::from_fn(|k| {
        let d: [f64; BANDS] = std::array::from_fn(|i| r[i] - c.means[k][i]);
        let inv = &c.inverse[k];
        let mut z2 = 0.0;
        for i in 0..BANDS {
            let mut row = 0.0;
            for j in 0..BANDS {
                row += inv[i][j] * d[j];
            }
            z2 += d[i] * row;
        }
        chi2_sf6(z2)
    }))
}

/// Normalised weights w_k = f_k / sum f; None where unclassified (sum < MIN_SUM).
#[inline]
pub fn owt_weights(f: &[f64; CLASSES]) -> Option<[f64; CLASSES]> {
    let s: f64 = f.iter().sum();
    (s >= MIN_SUM).then(|| f.map(|x| x / s))
}

/// Class of highest membership (1..8); 0 where unclassified.
#[inline]
pub fn owt_dominant(f: &[f64; CLASSES]) -> u8 {
    if f.iter().sum::<f64>() < MIN_SUM {
        return 0;
    }
    let mut best = 0;
    for k in 1..CLASSES {
        if f[k] > f[best] {
            best = k;
        }
    }
    best as u8 + 1
}

/// CF encoding of `owt_dominant`.
pub const FLAG_MEANINGS: &str = "owt_1 owt_2 owt_3 owt_4 owt_5 owt_6 owt_7 owt_8";

/// A target band nearer than this to a sensor band is read as is (nm); otherwise it is
/// band-shifted. 1 nm: MERIS/OLCI 412.5 and 442.5 are read as is; MODIS 488 -> 490 and
/// VIIRS 410 -> 412 are shifted, as the recipe table of docs/uncertainty.md s2.1 says.
pub const NATIVE_NM: f64 = 1.0;

/// How a sensor's Rrs give a set of target wavelengths: the source bands to read and,
/// per target, either a source band as is or a Mélin & Sclep 2015 band shift
/// (`fusion::bandshift`, QAA-based) from all the source bands.
pub struct BandRecipe {
    /// Nominal source bands (nm), in the order `shift` takes them.
    pub bands: Vec<u16>,
    /// Per target: Some(index into `bands`) when read as is.
    native: Vec<Option<usize>>,
    shift: Option<BandShift>,
    /// Per target: its position among the shift's outputs.
    shifted: Vec<Option<usize>>,
}

impl BandRecipe {
    /// Source bands: the sensor's violet, ratio blues, green and red bands, and the
    /// nearest bands below and above each target (so that a target between two bands,
    /// MODIS 510 from 488 and 531, has both). Targets in 400-700 nm.
    pub fn new(sensor: &Sensor, targets: &[f64]) -> Result<Self> {
        let r = &sensor.roles;
        let mut bands: Vec<u16> = [r.violet].into_iter().chain(r.ratio_blues.iter().copied()).chain([r.green, r.red]).collect();
        let centre = |nm: u16| sensor.band(nm).map(|b| b.centre_nm);
        let visible: Vec<(u16, f64)> = sensor.bands.iter().filter(|b| b.centre_nm >= 400.0 && b.centre_nm <= 700.0).map(|b| (b.nominal, b.centre_nm)).collect();
        for &t in targets {
            let below = visible.iter().filter(|b| b.1 <= t).max_by(|a, b| a.1.total_cmp(&b.1));
            let above = visible.iter().filter(|b| b.1 >= t).min_by(|a, b| a.1.total_cmp(&b.1));
            let near_role = bands.iter().any(|&b| centre(b).is_ok_and(|c| (c - t).abs() <= 15.0));
            if !near_role {
                bands.extend(below.map(|b| b.0));
                bands.extend(above.map(|b| b.0));
            }
        }
        let mut unique = Vec::new();
        for b in bands {
            if !unique.contains(&b) {
                unique.push(b);
            }
        }
        unique.sort_by(|a, b| centre(*a).unwrap_or(0.0).total_cmp(&centre(*b).unwrap_or(0.0)));
        let centres = unique.iter().map(|&b| centre(b)).collect::<Result<Vec<f64>>>()?;
        let native: Vec<Option<usize>> = targets.iter().map(|&t| centres.iter().position(|c| (c - t).abs() <= NATIVE_NM)).collect();
        let to_shift: Vec<f64> = targets.iter().zip(&native).filter(|(_, n)| n.is_none()).map(|(t, _)| *t).collect();
        let shift = if to_shift.is_empty() {
            None
        } else if unique.len() > crate::fusion::bandshift::MAX_SRC {
            return Err(Error::Unsupported {
                algorithm: "optical water types / OC5 applicability".into(),
                reason: format!("{} source bands for the band shift, at most {}", unique.len(), crate::fusion::bandshift::MAX_SRC),
            });
        } else {
            Some(BandShift::new(&centres, &to_shift).map_err(|e| Error::Unsupported {
                algorithm: "optical water types / OC5 applicability".into(),
                reason: format!("cannot band-shift {} to {to_shift:?} nm: {e}", sensor.name),
            })?)
        };
        let mut k = 0;
        let shifted = native
            .iter()
            .map(|n| {
                n.is_none().then(|| {
                    k += 1;
                    k - 1
                })
            })
            .collect();
        Ok(BandRecipe { bands: unique, native, shift, shifted })
    }

    /// The target values of one pixel from its source Rrs (in `bands` order);
    /// `scratch` holds the shift's outputs.
    #[inline]
    pub fn apply(&self, src: &[f64], scratch: &mut [f64], out: &mut [f64]) {
        if let Some(s) = &self.shift {
            s.shift_pixel(src, scratch);
        }
        for (t, o) in out.iter_mut().enumerate() {
            *o = match (self.native[t], self.shifted[t]) {
                (Some(i), _) => src[i],
                (None, Some(j)) => scratch[j],
                _ => f64::NAN,
            };
        }
    }

    /// Where target `t` comes from: `Ok(index into bands)` when read as is, else
    /// `Err(position among the shifted outputs)` of `shift_block_f32`.
    pub fn target_source(&self, t: usize) -> std::result::Result<usize, usize> {
        match (self.native[t], self.shifted[t]) {
            (Some(i), _) => Ok(i),
            (_, j) => Err(j.expect("a target is native or shifted")),
        }
    }

    /// The band-shifted targets of one block of pixels (`src` in `bands` order, `out`
    /// one slice per shifted target, all of the block's length), in the shift's f32
    /// chunk form. Run per block beside its consumer so that no full-scene copy of
    /// the shifted bands is made (that cost more than the shift itself); call it
    /// inside `compute::with_avx2`.
    #[inline(always)]
    pub fn shift_block_f32(&self, src: &[&[f32]], out: &mut [&mut [f32]]) {
        let Some(shift) = &self.shift else { return };
        let n = src.first().map_or(0, |b| b.len());
        let mut ins: Vec<&[f32]> = Vec::with_capacity(src.len());
        for c0 in (0..n).step_by(CHUNK_F32) {
            let c1 = (c0 + CHUNK_F32).min(n);
            ins.clear();
            ins.extend(src.iter().map(|b| &b[c0..c1]));
            let mut outs: Vec<&mut [f32]> = out.iter_mut().map(|t| &mut t[c0..c1]).collect();
            shift.shift_chunk_f32(&ins, &mut outs);
        }
    }

    /// How many targets are band-shifted.
    pub fn n_shifted(&self) -> usize {
        self.native.iter().filter(|n| n.is_none()).count()
    }

    /// Plain words: which target comes from where.
    pub fn describe(&self, targets: &[f64]) -> String {
        let parts: Vec<String> = targets
            .iter()
            .zip(&self.native)
            .map(|(t, n)| match n {
                Some(i) => format!("{t} <- {}", self.bands[*i]),
                None => format!("{t} <- band shift"),
            })
            .collect();
        format!("{} (band shift: Melin & Sclep 2015, Opt. Express 23:2262, from {:?})", parts.join(", "), self.bands)
    }
}

/// The classes in the form the per-pixel class term runs fastest (f32, vectorised):
/// per class the inverse Cholesky factor W = L^-1 of its covariance (lower triangle,
/// row-major) and W mu, so that Z^2 = |W r - W mu|^2 (a sum of squares: no cancellation
/// in f32, unlike the quadratic form with the inverse matrix).
pub struct FastClasses {
    w: [[f32; 21]; CLASSES],
    wmu: [[f32; BANDS]; CLASSES],
}

impl FastClasses {
    /// Class k's W (lower triangle, row-major) and W mu.
    #[inline(always)]
    pub fn class(&self, k: usize) -> (&[f32; 21], &[f32; BANDS]) {
        (&self.w[k], &self.wmu[k])
    }
}

/// Cholesky factor L (Sigma = L L^T) and its inverse, f64.
fn inverse_cholesky(cov: [[f64; BANDS]; BANDS]) -> Option<[[f64; BANDS]; BANDS]> {
    let mut l = [[0.0f64; BANDS]; BANDS];
    for i in 0..BANDS {
        for j in 0..=i {
            let s: f64 = cov[i][j] - (0..j).map(|k| l[i][k] * l[j][k]).sum::<f64>();
            if i == j {
                if s <= 0.0 {
                    return None;
                }
                l[i][i] = s.sqrt();
            } else {
                l[i][j] = s / l[j][j];
            }
        }
    }
    // Forward substitution for L^-1 (lower triangular).
    let mut w = [[0.0f64; BANDS]; BANDS];
    for c in 0..BANDS {
        for i in c..BANDS {
            let s: f64 = (if i == c { 1.0 } else { 0.0 }) - (c..i).map(|k| l[i][k] * w[k][c]).sum::<f64>();
            w[i][c] = s / l[i][i];
        }
    }
    Some(w)
}

/// Moore et al. 2009 in the fast form (computed on first use).
pub fn moore2009_fast() -> &'static FastClasses {
    static FAST: OnceLock<FastClasses> = OnceLock::new();
    FAST.get_or_init(|| {
        let mut w = [[0f32; 21]; CLASSES];
        let mut wmu = [[0f32; BANDS]; CLASSES];
        for k in 0..CLASSES {
            let cov: [[f64; BANDS]; BANDS] = std::array::from_fn(|i| std::array::from_fn(|j| COV_E8[k][i][j] as f64 * 1e-8));
            let inv = inverse_cholesky(cov).expect("Moore 2009 covariances are positive definite (tested)");
            let mut t = 0;
            for i in 0..BANDS {
                let mut m = 0.0;
                for j in 0..=i {
                    w[k][t] = inv[i][j] as f32;
                    m += inv[i][j] * MEANS[k][j];
                    t += 1;
                }
                wmu[k][i] = m as f32;
            }
        }
        FastClasses { w, wmu }
    })
}

/// Membership-weighted sums over the classes for one pixel of above-water Rrs at the
/// Moore bands: (sum f, sum f a_k, sum f b_k) for two per-class statistics a, b.
/// The caller checks validity (finite, >= 0) and passes 0s otherwise.
#[inline(always)]
pub fn weighted_sums(x: [f32; BANDS], c: &FastClasses, a: &[f32; CLASSES], b: &[f32; CLASSES]) -> (f32, f32, f32) {
    let r = x.map(|v| v / (0.52 + 1.7 * v));
    let (mut s, mut sa, mut sb) = (0.0f32, 0.0f32, 0.0f32);
    for k in 0..CLASSES {
        let w = &c.w[k];
        let mut z2 = 0.0f32;
        let mut t = 0;
        for i in 0..BANDS {
            let mut y = -c.wmu[k][i];
            for j in 0..=i {
                y += w[t + j] * r[j];
            }
            t += i + 1;
            z2 += y * y;
        }
        let h = 0.5 * z2;
        // exp(-h) (1 + h + h^2/2): the chi-square survival function for 6 degrees of freedom.
        let f = crate::compute::fastmath::f32x::exp10(-h * std::f32::consts::LOG10_E) * (1.0 + h + 0.5 * h * h);
        s += f;
        sa += f * a[k];
        sb += f * b[k];
    }
    (s, sa, sb)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sensors::sensor;

    #[test]
    fn covariances_symmetric_positive_definite_and_inverses_exact() {
        let c = moore2009();
        for k in 0..CLASSES {
            for i in 0..BANDS {
                for j in 0..BANDS {
                    assert_eq!(COV_E8[k][i][j], COV_E8[k][j][i]);
                    let prod: f64 = (0..BANDS).map(|m| COV_E8[k][i][m] as f64 * 1e-8 * c.inverse[k][m][j]).sum();
                    assert!((prod - (i == j) as u8 as f64).abs() < 1e-8, "class {k} ({i},{j}) {prod}");
                }
            }
        }
    }

    #[test]
    fn memberships_at_a_class_mean_and_invalid() {
        let c = moore2009();
        // A spectrum whose below-water rrs is class 4's mean: Z = 0 there, f = 1.
        let above = MEANS[3].map(|r| 0.52 * r / (1.0 - 1.7 * r));
        let f = owt_memberships_pixel(above, c).unwrap();
        assert!((f[3] - 1.0).abs() < 1e-12);
        assert_eq!(owt_dominant(&f), 4);
        let w = owt_weights(&f).unwrap();
        assert!((w.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        assert!(owt_memberships_pixel([0.01, -0.001, 0.01, 0.01, 0.01, 0.001], c).is_none());
        // Far from every class: unclassified.
        let far = owt_memberships_pixel([0.1, 0.0, 0.1, 0.0, 0.1, 0.0], c).unwrap();
        assert_eq!(owt_dominant(&far), 0);
        assert!(owt_weights(&far).is_none());
        // chi2 sf for 6 dof at x = 6: 1 - F = 0.42319008 (tables)
        assert!((chi2_sf6(6.0) - 0.423_190_081_126_844_6).abs() < 1e-12);
    }

    #[test]
    fn fast_form_agrees_with_the_inverse_matrix_form() {
        let (c, fast) = (moore2009(), moore2009_fast());
        let ones = [1.0f32; CLASSES];
        let idx: [f32; CLASSES] = std::array::from_fn(|k| k as f32);
        for k in 0..CLASSES {
            // spectra around each class mean
            for scale in [0.7, 1.0, 1.3] {
                let x = MEANS[k].map(|r| 0.52 * r * scale / (1.0 - 1.7 * r * scale));
                let f = owt_memberships_pixel(x, c).unwrap();
                let (s, sa, si) = weighted_sums(x.map(|v| v as f32), fast, &ones, &idx);
                let s64: f64 = f.iter().sum();
                let i64_: f64 = f.iter().enumerate().map(|(k, f)| k as f64 * f).sum();
                assert!((s as f64 - s64).abs() < 1e-5 * s64.max(1e-3), "class {k} x{scale}: {s} {s64}");
                assert!((sa - s).abs() <= 1e-6 * s.abs());
                assert!((si as f64 - i64_).abs() < 1e-5 * i64_.max(1e-3));
            }
        }
    }

    #[test]
    fn recipes_follow_the_doc_table() {
        let olci = BandRecipe::new(sensor("olci-a").unwrap(), &MOORE2009_BANDS).unwrap();
        assert_eq!(olci.bands, [412, 443, 490, 510, 560, 665]);
        assert_eq!(olci.n_shifted(), 2);
        let modis = BandRecipe::new(sensor("modis-aqua").unwrap(), &MOORE2009_BANDS).unwrap();
        assert_eq!(modis.bands, [412, 443, 488, 531, 547, 667]);
        assert_eq!(modis.n_shifted(), 4);
        let sw = BandRecipe::new(sensor("seawifs").unwrap(), &MOORE2009_BANDS).unwrap();
        assert_eq!(sw.n_shifted(), 0);
        let viirs = BandRecipe::new(sensor("viirs-snpp").unwrap(), &MOORE2009_BANDS).unwrap();
        assert_eq!(viirs.bands, [410, 443, 486, 551, 671]);
    }
}
