//! Relative spectral responses (RSR) of the multispectral sensors that
//! hyperspectral Rrs (PACE OCI) can be convolved to, and the 1-nm solar
//! spectrum that weights them (`kernels::convolve`).
//!
//! The tables `rsr/<sensor>.csv` are 1-nm bin means of the published RSRs,
//! normalised to a peak of 1 and kept >= 1e-3, written by
//! `validation/rsr_tables.py` from the text copies in ACOLITE's data folder
//! (acolite/acolite@d218a3a, data/RSR; measurements, cited here, no code):
//! OLCI-A/B ESA/EUMETSAT S3A/S3B_OL_SRF_20160713_mean_rsr; MERIS ESA
//! envisat_meris_RSR; MODIS-Aqua/Terra NASA MCST/OBPG; VIIRS SNPP
//! (NG_VIIRS_NPP_RSR_filtered_Oct2011_BA), NOAA-20 and NOAA-21 (DAWG J2
//! at-launch V2, Jul 2019). No SeaWiFS RSR was available: SeaWiFS is not a
//! target. OLCI-C has no published RSR here: not a target either.
//!
//! Solar spectrum: Thuillier et al. 2003, Solar Physics 214:1-22, 1-nm
//! (validation/data/thuillier2003_1nm.csv, 350-1000 nm), the default F0
//! file of NASA l2gen.

use std::sync::OnceLock;

use crate::error::{join, Error, Result};

static TABLES: &[(&str, &str)] = &[
    ("olci-a", include_str!("rsr/olci-a.csv")),
    ("olci-b", include_str!("rsr/olci-b.csv")),
    ("meris", include_str!("rsr/meris.csv")),
    ("modis-aqua", include_str!("rsr/modis-aqua.csv")),
    ("modis-terra", include_str!("rsr/modis-terra.csv")),
    ("viirs-snpp", include_str!("rsr/viirs-snpp.csv")),
    ("viirs-noaa20", include_str!("rsr/viirs-noaa20.csv")),
    ("viirs-noaa21", include_str!("rsr/viirs-noaa21.csv")),
];

const THUILLIER_1NM: &str = include_str!("../../validation/data/thuillier2003_1nm.csv");

/// Where each target's RSR comes from, for provenance.
pub fn source(sensor: &str) -> &'static str {
    match sensor {
        "olci-a" => "ESA/EUMETSAT S3A_OL_SRF_20160713_mean_rsr",
        "olci-b" => "ESA/EUMETSAT S3B_OL_SRF_20160713_mean_rsr",
        "meris" => "ESA envisat_meris_RSR",
        "modis-aqua" | "modis-terra" => "NASA MCST/OBPG MODIS RSR",
        "viirs-snpp" => "NG_VIIRS_NPP_RSR_filtered_Oct2011_BA",
        "viirs-noaa20" => "VIIRS DAWG J1 RSR",
        "viirs-noaa21" => "VIIRS DAWG J2 at-launch public release V2 (Jul 2019)",
        _ => "",
    }
}

/// The registry sensors with an RSR table.
pub fn targets() -> Vec<&'static str> {
    TABLES.iter().map(|t| t.0).collect()
}

type Table = Vec<(u16, Vec<(f64, f64)>)>;

fn parse(text: &str) -> Table {
    let mut out: Table = Vec::new();
    for line in text.lines().filter(|l| !l.starts_with('#') && !l.starts_with("band")) {
        let mut f = line.split(',');
        let (Some(b), Some(w), Some(r)) = (f.next(), f.next(), f.next()) else { continue };
        let (b, w, r): (u16, f64, f64) = (b.parse().expect("built-in table"), w.parse().expect("built-in table"), r.parse().expect("built-in table"));
        match out.last_mut() {
            Some((nm, v)) if *nm == b => v.push((w, r)),
            _ => out.push((b, vec![(w, r)])),
        }
    }
    out
}

/// The RSR of every band of a target sensor: (nominal nm, (nm, response)).
pub fn responses(sensor: &str) -> Result<&'static Table> {
    static PARSED: OnceLock<Vec<(&'static str, Table)>> = OnceLock::new();
    let all = PARSED.get_or_init(|| TABLES.iter().map(|(n, t)| (*n, parse(t))).collect());
    all.iter().find(|t| t.0 == sensor).map(|t| &t.1).ok_or_else(|| Error::InvalidParameter {
        name: "sensor_bands".into(),
        reason: format!("no spectral response table for {sensor:?}: convolution targets are {}", join(targets())),
    })
}

/// Thuillier 2003 at 1 nm (nm, mW cm-2 um-1), 350-1000 nm.
pub fn solar_1nm() -> &'static [(f64, f64)] {
    static PARSED: OnceLock<Vec<(f64, f64)>> = OnceLock::new();
    PARSED.get_or_init(|| {
        THUILLIER_1NM
            .lines()
            .skip(1)
            .filter_map(|l| {
                let (w, e) = l.split_once(',')?;
                Some((w.trim().parse().ok()?, e.trim().parse::<f64>().ok()? / 10.0))
            })
            .collect()
    })
}

/// F0 at a wavelength: linear interpolation of the 1-nm spectrum, its end
/// values beyond it.
pub fn solar_at(nm: f64) -> f64 {
    let s = solar_1nm();
    let k = s.partition_point(|p| p.0 <= nm);
    if k == 0 {
        return s[0].1;
    }
    if k >= s.len() {
        return s[s.len() - 1].1;
    }
    let (a, b) = (s[k - 1], s[k]);
    a.1 + (b.1 - a.1) * (nm - a.0) / (b.0 - a.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_cover_their_registry_bands() {
        for name in targets() {
            let s = crate::sensors::sensor(name).unwrap();
            let t = responses(name).unwrap();
            for (nm, r) in t {
                let b = s.band(*nm).unwrap();
                // The response-weighted centre is near the band centre (within 4.5 nm: MODIS bands with out-of-band response are off by up to 3.8).
                let c = r.iter().map(|p| p.0 * p.1).sum::<f64>() / r.iter().map(|p| p.1).sum::<f64>();
                assert!((c - b.centre_nm).abs() < 4.5, "{name} {nm}: centre {c}");
            }
        }
        assert!((solar_at(500.0) - 191.5).abs() < 15.0, "{}", solar_at(500.0));
        assert!(responses("seawifs").unwrap_err().to_string().contains("olci-a"));
    }
}
