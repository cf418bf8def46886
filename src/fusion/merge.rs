//! Daily multi-sensor merging: per cell, the inverse-error-variance weighted
//! mean of the (corrected) sensors, in log10 space for chlorophyll and SPM
//! (GlobColour "AVW", Pottier et al. 2006, IEEE TGRS 44:3436; fusion.md §3.2
//! and §3.6):
//! y = sum_s w_s y_s / sum_s w_s, w_s = 1/sigma_s^2, merged error
//! sigma = (sum_s w_s)^-1/2, between-sensor spread
//! sqrt(sum_s w_s (y_s - y)^2 / sum_s w_s). GlobColour's own sigma_s look-up
//! tables are not public (fusion.md §10.3): the caller gives sigma_s^2 (e.g. the
//! matchup RMSD^2 of each sensor, plus its sampling variance).

use rayon::prelude::*;

use crate::compute::threads;
use crate::error::{Error, Result};

/// The space values are averaged in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Space {
    /// log10 of the values (chlorophyll, SPM); values <= 0 are missing.
    Log10,
    /// The values themselves (Rrs).
    Linear,
}

impl Space {
    pub fn parse(name: &str) -> Result<Self> {
        match name {
            "log10" => Ok(Space::Log10),
            "linear" => Ok(Space::Linear),
            _ => Err(Error::InvalidParameter { name: "space".into(), reason: format!("{name:?} is not \"log10\" or \"linear\"") }),
        }
    }
}

/// One sensor's daily field on the common grid: values (NaN where missing)
/// and error variance per cell (in the merging space: log10 units^2 for Log10),
/// a single value standing for all cells.
pub struct SensorField<'a> {
    pub values: &'a [f32],
    pub error_variance: &'a [f32],
}

#[derive(Debug, Clone)]
pub struct Merged {
    /// Merged value, back in the input's units (10^y for Log10).
    pub value: Vec<f32>,
    /// Merged error standard deviation, in the merging space.
    pub sigma: Vec<f32>,
    /// Weighted between-sensor spread, in the merging space (0 for one sensor).
    pub spread: Vec<f32>,
    /// Bit s set when sensor s contributed.
    pub sensors: Vec<u32>,
    /// Number of contributing sensors.
    pub count: Vec<u8>,
}

pub fn merge(fields: &[SensorField], space: Space) -> Result<Merged> {
    if fields.is_empty() || fields.len() > 32 {
        return Err(Error::InvalidParameter { name: "sensors".into(), reason: format!("merge needs 1 to 32 sensors, got {}", fields.len()) });
    }
    let n = fields[0].values.len();
    for (s, f) in fields.iter().enumerate() {
        if f.values.len() != n {
            return Err(Error::InvalidParameter { name: format!("sensor {s} values"), reason: format!("has {} cells, sensor 0 has {n}", f.values.len()) });
        }
        if f.error_variance.len() != n && f.error_variance.len() != 1 {
            return Err(Error::InvalidParameter {
                name: format!("sensor {s} error variance"),
                reason: format!("needs one value or one per cell ({n}), got {}", f.error_variance.len()),
            });
        }
        if let Some(v) = f.error_variance.iter().find(|&&v| !(v > 0.0 && v.is_finite())) {
            return Err(Error::InvalidParameter { name: format!("sensor {s} error variance"), reason: format!("must be finite and > 0, found {v}") });
        }
    }
    let mut out = Merged { value: vec![f32::NAN; n], sigma: vec![f32::NAN; n], spread: vec![f32::NAN; n], sensors: vec![0; n], count: vec![0; n] };
    threads::install(|| {
        out.value
            .par_iter_mut()
            .zip(out.sigma.par_iter_mut())
            .zip(out.spread.par_iter_mut())
            .zip(out.sensors.par_iter_mut())
            .zip(out.count.par_iter_mut())
            .enumerate()
            .for_each(|(i, ((((val, sig), spr), mask), cnt))| {
                let (mut sw, mut swy, mut swyy) = (0.0f64, 0.0f64, 0.0f64);
                for (s, f) in fields.iter().enumerate() {
                    let x = f.values[i] as f64;
                    let y = match space {
                        Space::Log10 if x > 0.0 && x.is_finite() => x.log10(),
                        Space::Linear if x.is_finite() => x,
                        _ => continue,
                    };
                    let w = 1.0 / f.error_variance[if f.error_variance.len() == 1 { 0 } else { i }] as f64;
                    sw += w;
                    swy += w * y;
                    swyy += w * y * y;
                    *mask |= 1 << s;
                    *cnt += 1;
                }
                if sw > 0.0 {
                    let y = swy / sw;
                    *val = match space {
                        Space::Log10 => 10f64.powf(y),
                        Space::Linear => y,
                    } as f32;
                    *sig = sw.powf(-0.5) as f32;
                    *spr = (swyy / sw - y * y).max(0.0).sqrt() as f32;
                }
            });
    });
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_sensors_and_weights() {
        // m equal sensors: sigma = sigma_s / sqrt(m), value unchanged.
        let v = [2.0f32, f32::NAN];
        let e = [0.04f32];
        let f = [SensorField { values: &v, error_variance: &e }, SensorField { values: &v, error_variance: &e }];
        let m = merge(&f, Space::Log10).unwrap();
        assert!((m.value[0] - 2.0).abs() < 1e-6 && (m.sigma[0] - 0.2 / 2f32.sqrt()).abs() < 1e-6);
        assert_eq!((m.sensors[0], m.count[0], m.spread[0]), (3, 2, 0.0));
        assert!(m.value[1].is_nan() && m.count[1] == 0);
        // Weights 1/0.01 and 1/0.04 on log10 values 0 and 1: y = 0.2.
        let (a, b) = ([1.0f32], [10.0f32]);
        let f = [SensorField { values: &a, error_variance: &[0.01] }, SensorField { values: &b, error_variance: &[0.04] }];
        let m = merge(&f, Space::Log10).unwrap();
        assert!((m.value[0] - 10f32.powf(0.2)).abs() < 1e-5);
        assert!((m.spread[0] - 0.4).abs() < 1e-6);
        assert!(merge(&[SensorField { values: &a, error_variance: &[0.0] }], Space::Log10).is_err());
    }
}
