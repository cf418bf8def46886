//! Rrs with their sensor: what every product is computed from.

use crate::error::{join, Error, Result};
use crate::sensors::Sensor;

/// Remote-sensing reflectances (sr-1) of one sensor, one flat f32 slice per
/// band, all of the same length (pixels); with the per-band F0 their file
/// gives, if any (see `with_file_f0`).
#[derive(Debug, Clone)]
pub struct Reflectances<'a> {
    pub sensor: &'static Sensor,
    bands: Vec<(u16, &'a [f32])>,
    len: usize,
    file_f0: Vec<(u16, f64)>,
    /// Per-band 1-sigma Rrs uncertainty (sr-1) where the input carries one (PACE `Rrs_unc`).
    sigma: Vec<(u16, &'a [f32])>,
}

impl<'a> Reflectances<'a> {
    /// Checks that every band belongs to the sensor and that lengths agree.
    pub fn new(sensor: &'static Sensor, bands: Vec<(u16, &'a [f32])>) -> Result<Self> {
        let len = bands.first().map_or(0, |b| b.1.len());
        for &(nm, data) in &bands {
            sensor.band(nm)?;
            if data.len() != len {
                return Err(Error::LengthMismatch { band: nm, len: data.len(), expected: len });
            }
        }
        Ok(Self { sensor, bands, len, file_f0: Vec::new(), sigma: Vec::new() })
    }

    /// The F0 (nm, mW cm-2 um-1) the input file says these Rrs were made
    /// with (`GranuleInfo::f0`): products in nLw (OC5) then use it, as the
    /// producer's nLw, rather than a table's or the registry's.
    pub fn with_file_f0(mut self, f0: Vec<(u16, f64)>) -> Self {
        self.file_f0 = f0;
        self
    }

    /// The input's per-band Rrs standard uncertainty (sr-1, e.g. PACE OCI `Rrs_unc`),
    /// propagated into the products' uncertainty; bands and lengths as the Rrs.
    pub fn with_sigma(mut self, sigma: Vec<(u16, &'a [f32])>) -> Result<Self> {
        for &(nm, data) in &sigma {
            self.sensor.band(nm)?;
            if data.len() != self.len {
                return Err(Error::LengthMismatch { band: nm, len: data.len(), expected: self.len });
            }
        }
        self.sigma = sigma;
        Ok(self)
    }

    /// The Rrs uncertainty of band `nm`, where the input gives one.
    pub fn sigma(&self, nm: u16) -> Option<&'a [f32]> {
        self.sigma.iter().find(|b| b.0 == nm).map(|b| b.1)
    }

    pub fn has_sigma(&self) -> bool {
        !self.sigma.is_empty()
    }

    pub fn file_f0(&self) -> &[(u16, f64)] {
        &self.file_f0
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn wavelengths(&self) -> impl Iterator<Item = u16> + '_ {
        self.bands.iter().map(|b| b.0)
    }

    /// The Rrs of band `nm`, or an error naming the algorithm that needs it.
    pub fn band(&self, nm: u16, algorithm: &str) -> Result<&'a [f32]> {
        self.bands.iter().find(|b| b.0 == nm).map(|b| b.1).ok_or_else(|| Error::MissingBand {
            algorithm: algorithm.to_string(),
            sensor: self.sensor.name.to_string(),
            band: nm,
            given: if self.bands.is_empty() { "none".into() } else { join(self.wavelengths()) },
        })
    }
}
