//! Hyperspectral Rrs to a multispectral sensor's bands ("virtual bands"):
//! each target band is the response-weighted mean of the hyperspectral
//! spectrum, linearly interpolated between its samples,
//!
//!   Rrs_band = sum_i S(l_i) w(l_i) Rrs(l_i) / sum_i S(l_i) w(l_i)
//!
//! over the target's RSR samples l_i (a uniform 1-nm grid here), with
//! w = F0 (solar irradiance) by default. Why F0: a band measures radiance, so
//! its Rrs is the band-integrated water-leaving radiance over the
//! band-integrated downwelling irradiance, and above the atmosphere that
//! irradiance is proportional to F0 (the spectral shape of the atmospheric
//! transmittance is neglected); it is the weighting of NASA's band-averaged F0
//! (OBPG "Spectral Response Functions and Bandpass Averaged Quantities").
//! `Weighting::Flat` (w = 1, the plain RSR mean) is kept selectable.
//!
//! Pure arithmetic on plain arrays: the RSR and F0 tables are in
//! `sensors::rsr`.

use crate::error::{Error, Result};

/// What multiplies the spectral response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weighting {
    /// S(l) F0(l): band-integrated radiance over band-integrated irradiance.
    F0,
    /// S(l) alone.
    Flat,
}

impl Weighting {
    pub fn parse(s: &str) -> Result<Weighting> {
        match s.trim().to_ascii_lowercase().as_str() {
            "f0" => Ok(Weighting::F0),
            "flat" | "none" => Ok(Weighting::Flat),
            other => Err(Error::InvalidParameter { name: "weighting".into(), reason: format!("{other:?} is not one of \"f0\", \"flat\"") }),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Weighting::F0 => "f0",
            Weighting::Flat => "flat",
        }
    }
}

/// Most of a band's weighted response that may fall outside the
/// hyperspectral range for the band still to be made (THIS LIBRARY's
/// tolerance: the rest is renormalised over the range covered).
pub const MAX_OUTSIDE_FRACTION: f64 = 0.005;

/// One target band as taps on the hyperspectral samples.
#[derive(Debug, Clone, PartialEq)]
pub struct BandWeights {
    /// Target band (nominal nm).
    pub nominal: u16,
    /// (index of a hyperspectral wavelength, weight); weights sum to 1.
    pub taps: Vec<(usize, f32)>,
    /// Fraction of the weighted response outside the hyperspectral range.
    pub outside: f64,
}

/// Checks that wavelengths are finite and strictly increasing.
pub fn check_wavelengths(wavelengths: &[f64]) -> Result<()> {
    if wavelengths.len() < 2 {
        return Err(Error::InvalidParameter {
            name: "wavelengths".into(),
            reason: format!("{} wavelength(s): a spectrum needs at least 2", wavelengths.len()),
        });
    }
    if let Some(w) = wavelengths.iter().find(|w| !(w.is_finite() && **w > 0.0)) {
        return Err(Error::InvalidParameter { name: "wavelengths".into(), reason: format!("{w} nm is not a positive finite wavelength") });
    }
    if let Some(i) = (1..wavelengths.len()).find(|&i| wavelengths[i] <= wavelengths[i - 1]) {
        return Err(Error::InvalidParameter {
            name: "wavelengths".into(),
            reason: format!("not strictly increasing: {} nm then {} nm (position {i})", wavelengths[i - 1], wavelengths[i]),
        });
    }
    Ok(())
}

/// The taps of one band: `rsr` = (wavelength nm, response) samples on a
/// uniform grid, `weight` = w(l) (F0 or 1). Errors when the band lies
/// (more than `MAX_OUTSIDE_FRACTION`) outside `wavelengths`.
pub fn band_weights(nominal: u16, wavelengths: &[f64], rsr: &[(f64, f64)], weight: impl Fn(f64) -> f64) -> Result<BandWeights> {
    check_wavelengths(wavelengths)?;
    let (first, last) = (wavelengths[0], wavelengths[wavelengths.len() - 1]);
    let mut acc = vec![0.0f64; wavelengths.len()];
    let (mut total, mut outside) = (0.0, 0.0);
    for &(l, s) in rsr {
        let q = s * weight(l);
        if !(q.is_finite() && q >= 0.0) {
            return Err(Error::InvalidParameter { name: "rsr".into(), reason: format!("band {nominal} nm: weighted response {q} at {l} nm") });
        }
        total += q;
        if l < first || l > last {
            outside += q;
            continue;
        }
        // The interval [w_k, w_k+1] holding l; linear interpolation weights.
        let k = wavelengths.partition_point(|&w| w <= l).saturating_sub(1).min(wavelengths.len() - 2);
        let t = (l - wavelengths[k]) / (wavelengths[k + 1] - wavelengths[k]);
        acc[k] += q * (1.0 - t);
        acc[k + 1] += q * t;
    }
    if total <= 0.0 {
        return Err(Error::InvalidParameter { name: "rsr".into(), reason: format!("band {nominal} nm has no response") });
    }
    let fraction = outside / total;
    if fraction > MAX_OUTSIDE_FRACTION {
        return Err(Error::Unsupported {
            algorithm: "convolve_bands".into(),
            reason: format!(
                "band {nominal} nm: {:.1}% of its response lies outside the spectrum's {first}-{last} nm (at most {:.1}% allowed)",
                100.0 * fraction,
                100.0 * MAX_OUTSIDE_FRACTION
            ),
        });
    }
    let inside = total - outside;
    let taps = acc.iter().enumerate().filter(|(_, &a)| a > 0.0).map(|(k, &a)| (k, (a / inside) as f32)).collect();
    Ok(BandWeights { nominal, taps, outside: fraction })
}

/// Applies the taps to spectra stored pixel by pixel (`n_wavelengths`
/// values per pixel, wavelength last): one output slice per band, in the
/// order of `bands`, each `spectra.len() / n_wavelengths` long. A NaN on any
/// tap of a pixel gives NaN (a band is not made from part of its response).
pub fn convolve(spectra: &[f32], n_wavelengths: usize, bands: &[BandWeights]) -> Result<Vec<Vec<f32>>> {
    if n_wavelengths == 0 || spectra.len() % n_wavelengths != 0 {
        return Err(Error::InvalidParameter {
            name: "rrs".into(),
            reason: format!("{} values are not whole spectra of {n_wavelengths} wavelengths", spectra.len()),
        });
    }
    if let Some((b, k)) = bands.iter().flat_map(|b| b.taps.iter().map(move |t| (b.nominal, t.0))).find(|&(_, k)| k >= n_wavelengths) {
        return Err(Error::InvalidParameter { name: "bands".into(), reason: format!("band {b} nm reads wavelength index {k} of {n_wavelengths}") });
    }
    let pixels = spectra.len() / n_wavelengths;
    let mut out: Vec<Vec<f32>> = bands.iter().map(|_| Vec::with_capacity(pixels)).collect();
    for px in spectra.chunks_exact(n_wavelengths) {
        for (o, b) in out.iter_mut().zip(bands) {
            o.push(b.taps.iter().map(|&(k, w)| w * px[k]).sum());
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_sum_to_one_and_reproduce_linear_spectra() {
        let wl: Vec<f64> = (0..60).map(|i| 400.0 + 2.5 * i as f64).collect();
        // A triangular response 430-450 nm on a 1-nm grid.
        let rsr: Vec<(f64, f64)> = (430..=450).map(|l| (l as f64, 1.0 - ((l as f64 - 440.0) / 10.0).abs())).collect();
        let b = band_weights(440, &wl, &rsr, |_| 1.0).unwrap();
        let sum: f32 = b.taps.iter().map(|t| t.1).sum();
        assert!((sum - 1.0).abs() < 1e-6, "{sum}");
        // Linear interpolation is exact on a linear spectrum; a symmetric response gives its centre value.
        let spectrum: Vec<f32> = wl.iter().map(|&l| (0.01 + 1e-5 * (l - 400.0)) as f32).collect();
        let v = convolve(&spectrum, wl.len(), &[b]).unwrap();
        assert!((v[0][0] - (0.01 + 1e-5 * 40.0) as f32).abs() < 1e-7, "{}", v[0][0]);
    }

    #[test]
    fn out_of_range_bands_and_bad_wavelengths_are_refused() {
        let wl = [400.0, 500.0, 600.0];
        let rsr = [(590.0, 1.0), (610.0, 1.0)];
        let e = band_weights(600, &wl, &rsr, |_| 1.0).unwrap_err().to_string();
        assert!(e.contains("outside") && e.contains("600 nm"), "{e}");
        let e = band_weights(500, &[400.0, 400.0], &rsr, |_| 1.0).unwrap_err().to_string();
        assert!(e.contains("strictly increasing"), "{e}");
        let e = convolve(&[0.0; 5], 3, &[]).unwrap_err().to_string();
        assert!(e.contains("whole spectra"), "{e}");
    }

    #[test]
    fn nan_on_a_tap_gives_nan() {
        let wl = [400.0, 410.0, 420.0];
        let b = band_weights(410, &wl, &[(405.0, 1.0), (415.0, 1.0)], |_| 1.0).unwrap();
        let v = convolve(&[0.01, f32::NAN, 0.01, 0.01, 0.02, 0.03], 3, &[b]).unwrap();
        assert!(v[0][0].is_nan());
        assert!((v[0][1] - 0.02).abs() < 1e-7);
    }
}
