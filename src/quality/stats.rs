//! Per-class uncertainty statistics and the per-pixel class term (docs/uncertainty.md
//! s3.1, the OC-CCI approach): bias = sum_k w_k bias_k, sigma = sum_k w_k RMSD_k (or SD_k
//! after bias correction), with w the normalised Moore 2009 memberships; unclassified
//! pixels take the largest class value of each statistic (this library's conservative
//! choice). The statistics are THIS LIBRARY's fit (validation/uncertainty/fit.py on NOMAD
//! and the CoastColour calibration half), not published values.

use std::sync::OnceLock;

use crate::error::{Error, Result};

use super::owt::CLASSES;

/// The embedded table, written by validation/uncertainty/fit.py (its `#` lines are the provenance).
pub const CLASS_STATS_CSV: &str = include_str!("class_stats.csv");
/// The only class scheme shipped.
pub const SCHEME: &str = "owt_moore2009";

/// One product's statistics per class 1..8 (index 0 = class 1), dex.
#[derive(Debug, Clone, PartialEq)]
pub struct ClassStats {
    pub product: String,
    pub n: [f64; CLASSES],
    pub n_eff: [f64; CLASSES],
    pub bias: [f64; CLASSES],
    pub rmsd: [f64; CLASSES],
    pub sd: [f64; CLASSES],
    pub stats_from: [String; CLASSES],
    /// Value of each statistic for unclassified pixels: the class value of largest |.|.
    worst: [f64; 3],
}

/// Parses the CSV format of fit.py: `#` comment lines, then
/// `product,scheme,class,n,n_eff,bias_dex,rmsd_dex,sd_dex,stats_from`.
pub fn parse(text: &str) -> Result<Vec<ClassStats>> {
    let bad = |reason: String| Error::InvalidParameter { name: "class statistics".into(), reason };
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#'));
    let header = lines.next().ok_or_else(|| bad("no header".into()))?;
    if header != "product,scheme,class,n,n_eff,bias_dex,rmsd_dex,sd_dex,stats_from" {
        return Err(bad(format!("unexpected header {header:?}")));
    }
    let mut out: Vec<ClassStats> = Vec::new();
    let mut seen: Vec<(String, usize)> = Vec::new();
    for line in lines {
        let f: Vec<&str> = line.split(',').collect();
        if f.len() != 9 {
            return Err(bad(format!("line {line:?} has {} fields, not 9", f.len())));
        }
        if f[1] != SCHEME {
            return Err(bad(format!("unknown class scheme {:?} (this version knows {SCHEME})", f[1])));
        }
        let num = |s: &str| s.parse::<f64>().map_err(|_| bad(format!("{s:?} is not a number in line {line:?}")));
        let class: usize = f[2].parse().map_err(|_| bad(format!("class {:?}", f[2])))?;
        if !(1..=CLASSES).contains(&class) {
            return Err(bad(format!("class {class} outside 1..{CLASSES}")));
        }
        let k = class - 1;
        let i = match out.iter().position(|s| s.product == f[0]) {
            Some(i) => i,
            None => {
                out.push(ClassStats {
                    product: f[0].into(),
                    n: [f64::NAN; CLASSES],
                    n_eff: [f64::NAN; CLASSES],
                    bias: [f64::NAN; CLASSES],
                    rmsd: [f64::NAN; CLASSES],
                    sd: [f64::NAN; CLASSES],
                    stats_from: Default::default(),
                    worst: [0.0; 3],
                });
                out.len() - 1
            }
        };
        if seen.contains(&(f[0].to_string(), class)) {
            return Err(bad(format!("{} class {class} given twice", f[0])));
        }
        seen.push((f[0].to_string(), class));
        let s = &mut out[i];
        s.n[k] = num(f[3])?;
        s.n_eff[k] = num(f[4])?;
        s.bias[k] = num(f[5])?;
        s.rmsd[k] = num(f[6])?;
        s.sd[k] = num(f[7])?;
        s.stats_from[k] = f[8].into();
    }
    for s in &mut out {
        if let Some(k) = (0..CLASSES).find(|&k| !(s.rmsd[k].is_finite() && s.rmsd[k] >= 0.0 && s.sd[k].is_finite() && s.bias[k].is_finite())) {
            return Err(bad(format!("{}: class {} missing or not finite", s.product, k + 1)));
        }
        let worst = |v: &[f64; CLASSES]| v.iter().copied().fold(0.0f64, |a, b| if b.abs() > a.abs() { b } else { a });
        s.worst = [worst(&s.bias), worst(&s.rmsd), worst(&s.sd)];
    }
    Ok(out)
}

/// The embedded statistics (parsed once; the file is tested).
pub fn embedded() -> &'static [ClassStats] {
    static STATS: OnceLock<Vec<ClassStats>> = OnceLock::new();
    STATS.get_or_init(|| parse(CLASS_STATS_CSV).expect("src/quality/class_stats.csv parses (tested)"))
}

/// The embedded statistics of a product.
pub fn for_product(product: &str) -> Result<&'static ClassStats> {
    embedded().iter().find(|s| s.product == product).ok_or_else(|| Error::Unsupported {
        algorithm: product.into(),
        reason: format!(
            "no class statistics for it in src/quality/class_stats.csv (products there: {})",
            crate::error::join(embedded().iter().map(|s| s.product.as_str()))
        ),
    })
}

/// The `#` provenance lines of the embedded file, joined (for product metadata).
pub fn provenance() -> String {
    CLASS_STATS_CSV.lines().filter_map(|l| l.strip_prefix('#')).map(str::trim).collect::<Vec<_>>().join(" ")
}

impl ClassStats {
    /// (bias, rmsd, sd) of a pixel with weights `w` (None: unclassified).
    #[inline]
    pub fn class_terms(&self, w: Option<&[f64; CLASSES]>) -> (f64, f64, f64) {
        match w {
            None => (self.worst[0], self.worst[1], self.worst[2]),
            Some(w) => {
                let (mut b, mut r, mut s) = (0.0, 0.0, 0.0);
                for k in 0..CLASSES {
                    b += w[k] * self.bias[k];
                    r += w[k] * self.rmsd[k];
                    s += w[k] * self.sd[k];
                }
                (b, r, s)
            }
        }
    }

    /// The per-class sigma statistic (RMSD, or SD when `bias_corrected`) and bias as f32,
    /// with their unclassified values, for the vectorised kernel.
    pub fn terms_f32(&self, bias_corrected: bool) -> ([f32; CLASSES], [f32; CLASSES], f32, f32) {
        let a = if bias_corrected { &self.sd } else { &self.rmsd };
        (a.map(|x| x as f32), self.bias.map(|x| x as f32), self.worst[if bias_corrected { 2 } else { 1 }] as f32, self.worst[0] as f32)
    }

    /// (sigma, bias) in dex: the class RMSD, or SD when `bias_corrected`, combined in
    /// quadrature with a propagated Rrs term (the two taken as independent: the class
    /// term is fitted on in situ radiometry, which has no satellite Rrs error).
    #[inline]
    pub fn uncertainty_pixel(&self, w: Option<&[f64; CLASSES]>, u_rrs: Option<f64>, bias_corrected: bool) -> (f64, f64) {
        let (b, r, s) = self.class_terms(w);
        let c = if bias_corrected { s } else { r };
        let sigma = match u_rrs {
            Some(u) => (c * c + u * u).sqrt(),
            None => c,
        };
        (sigma, b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_table_has_every_product_and_class() {
        let all = embedded();
        // The seven products of issue 13 and the earlier algorithms kept selectable (issue 14).
        let rows = ["chl_ocx", "chl_oci", "chl_oc5", "chl_oc5ci", "spm_gohin", "spm_nechad", "kd490"].into_iter().chain([
            "chl_oc5@open-oc5-c1-1",
            "chl_oc5ci@open-oc5-c1-1",
            "spm_gohin@forward-model",
        ]);
        for p in rows {
            let s = for_product(p).unwrap();
            assert!(s.rmsd.iter().all(|r| *r > 0.0 && *r < 1.0), "{p}");
            // RMSD^2 = bias^2 + SD^2 (to the file's 4 decimals)
            for k in 0..CLASSES {
                assert!((s.rmsd[k].powi(2) - s.bias[k].powi(2) - s.sd[k].powi(2)).abs() < 2e-4, "{p} {k}");
            }
        }
        assert_eq!(all.len(), 10);
        assert!(provenance().contains("FITTED BY THIS LIBRARY"));
        assert!(for_product("chl_ci").is_err());
    }

    #[test]
    fn weighting_and_unclassified() {
        let s = for_product("chl_ocx").unwrap();
        let mut w = [0.0; CLASSES];
        w[1] = 0.25;
        w[5] = 0.75;
        let (b, r, sd) = s.class_terms(Some(&w));
        assert!((b - (0.25 * s.bias[1] + 0.75 * s.bias[5])).abs() < 1e-15);
        assert!((r - (0.25 * s.rmsd[1] + 0.75 * s.rmsd[5])).abs() < 1e-15);
        assert!((sd - (0.25 * s.sd[1] + 0.75 * s.sd[5])).abs() < 1e-15);
        let (_, r0, _) = s.class_terms(None);
        assert_eq!(r0, s.rmsd.iter().copied().fold(0.0, f64::max));
        let (u, _) = s.uncertainty_pixel(Some(&w), Some(0.1), false);
        assert!((u - (r * r + 0.01).sqrt()).abs() < 1e-15);
        assert!(parse("product,scheme,class,n,n_eff,bias_dex,rmsd_dex,sd_dex,stats_from\nx,other,1,1,1,0,0.1,0.1,1\n").is_err());
    }
}
