//! The sensor registry: bands, band centres, F0 and the bands each algorithm
//! takes, as data. Adding a mission is adding one `Sensor` row to `SENSORS`
//! (and, where it has its own published coefficients, rows to the tables in
//! `coefficients.rs`); no algorithm code changes.
//!
//! Band names follow NASA OBPG's `Rrs_NNN`: the nominal wavelength rounded to
//! an integer nanometre (OLCI Oa03 442.5 nm is `443`).
//!
//! F0 is the band-averaged mean extraterrestrial solar irradiance in
//! mW cm-2 um-1, the unit nLw is expressed in by SeaDAS and by the OC5 tables
//! (nLw = Rrs x F0). See `F0_SOURCE_*` for where each set comes from.

use crate::error::{join, Error, Result};

/// One spectral band of a sensor.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Band {
    /// Nominal wavelength as in the OBPG name `Rrs_NNN` (nm).
    pub nominal: u16,
    /// Band centre (nm).
    pub centre_nm: f64,
    /// Mean extraterrestrial irradiance F0 (mW cm-2 um-1); `None` where no
    /// published value is held.
    pub f0: Option<f64>,
    /// The band's name in the space agency's own products (ESA: OLCI `Oa04`
    /// in `Oa04_reflectance`, MERIS `M03` in `M03_rho_w`), where files name
    /// bands by number rather than by wavelength.
    pub id: Option<&'static str>,
}

const fn b(nominal: u16, centre_nm: f64, f0: Option<f64>) -> Band {
    Band { nominal, centre_nm, f0, id: None }
}

/// A band that files also name by its number (`id`).
const fn nb(id: &'static str, nominal: u16, centre_nm: f64, f0: Option<f64>) -> Band {
    Band { nominal, centre_nm, f0, id: Some(id) }
}

/// Which bands each algorithm takes on a sensor.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BandRoles {
    /// The 412 nm band (CDOM proxy; OC5 axis).
    pub violet: u16,
    /// The green band of the maximum band ratio (OC5 axis, CI after conversion to 555).
    pub green: u16,
    /// Blue bands of the sensor's 4- or 3-band maximum band ratio (OC5 numerator).
    pub ratio_blues: &'static [u16],
    /// Red band for the colour index (nearest to 670 nm) and Nechad SPM/turbidity.
    pub red: u16,
    /// Red band of the Dogliotti 2015 blend (nearest to 645 nm).
    pub red_dogliotti: u16,
    /// NIR band of the Dogliotti 2015 blend (nearest to 859 nm).
    pub nir: u16,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sensor {
    /// Registry key: `seawifs`, `modis-aqua`, ...
    pub name: &'static str,
    pub instrument: &'static str,
    pub platform: &'static str,
    pub bands: &'static [Band],
    pub roles: BandRoles,
    /// Default OCx coefficient set (a name in `coefficients::OCX_SETS`).
    pub default_ocx: &'static str,
    /// KD2 coefficient set (a name in `coefficients::KD2_SETS`).
    pub kd2: &'static str,
    /// Where the F0 values come from.
    pub f0_source: &'static str,
}

impl Sensor {
    pub fn band(&self, nominal: u16) -> Result<&Band> {
        self.bands.iter().find(|b| b.nominal == nominal).ok_or_else(|| Error::NoSuchBand {
            sensor: self.name.to_string(),
            band: nominal,
            bands: join(self.bands.iter().map(|b| b.nominal)),
        })
    }

    /// F0 of a band (mW cm-2 um-1), as needed to turn Rrs into nLw.
    pub fn f0(&self, nominal: u16) -> Result<f64> {
        self.band(nominal)?.f0.ok_or_else(|| Error::Unsupported {
            algorithm: "nLw".into(),
            reason: format!("no published F0 is held for {} band {nominal} nm; pass F0 explicitly", self.name),
        })
    }
}

const F0_SOURCE_OBPG_RSR2009: &str = "NASA OBPG 'Spectral Response Functions and Bandpass Averaged \
Quantities' table (oceancolor.gsfc.nasa.gov/DOCS/RSR_tables.html, 2009 archived copy): band-averaged \
Thuillier-based F0 at 1 nm. MODIS band 12 is listed there under its old name 551 (now Rrs_547); \
469/555/645/859 are the land bands of the same table. R2018 values may differ in the last digits";
const F0_SOURCE_OLCI_RBINS: &str = "OLCI F0 (412-665) as used operationally with the OC5 table by RBINS \
(EUNOSAT/DCS4COP scripts; rounded to 0.1), algorithms.md s1.2. Applied to MERIS's identical nominal \
bands; other bands: no value held";
const F0_SOURCE_NONE: &str = "no published band-averaged F0 is held for this sensor yet; nLw-based \
algorithms (OC5) need F0 given explicitly";

/// The registry. Band names as in OBPG Level-2 files (VIIRS-NOAA20: Rrs_411/445/489/556/667).
/// Band centres: SeaWiFS, MODIS, VIIRS nominal (NOAA STAR VIIRS M1-M7 table for SNPP);
/// OLCI Oa01-Oa21 and MERIS from the ESA band tables.
pub static SENSORS: &[Sensor] = &[
    Sensor {
        name: "seawifs",
        instrument: "SeaWiFS",
        platform: "OrbView-2",
        bands: &[
            b(412, 412.0, Some(173.004)),
            b(443, 443.0, Some(190.154)),
            b(490, 490.0, Some(196.473)),
            b(510, 510.0, Some(188.158)),
            b(555, 555.0, Some(183.010)),
            b(670, 670.0, Some(151.143)),
            b(765, 765.0, Some(122.316)),
            b(865, 865.0, Some(96.302)),
        ],
        roles: BandRoles { violet: 412, green: 555, ratio_blues: &[443, 490, 510], red: 670, red_dogliotti: 670, nir: 865 },
        default_ocx: "oc4",
        kd2: "kd2s",
        f0_source: F0_SOURCE_OBPG_RSR2009,
    },
    Sensor {
        name: "modis-aqua",
        instrument: "MODIS",
        platform: "Aqua",
        bands: &[
            b(412, 412.0, Some(172.718)),
            b(443, 443.0, Some(187.688)),
            b(469, 469.0, Some(205.733)),
            b(488, 488.0, Some(194.973)),
            b(531, 531.0, Some(185.820)),
            b(547, 547.0, Some(186.594)),
            b(555, 555.0, Some(183.760)),
            b(645, 645.0, Some(157.807)),
            b(667, 667.0, Some(152.163)),
            b(678, 678.0, Some(148.097)),
            b(748, 748.0, Some(128.123)),
            b(859, 859.0, Some(97.174)),
            b(869, 869.0, Some(95.849)),
        ],
        roles: BandRoles { violet: 412, green: 547, ratio_blues: &[443, 488], red: 667, red_dogliotti: 645, nir: 859 },
        default_ocx: "oc3",
        kd2: "kd2m",
        f0_source: F0_SOURCE_OBPG_RSR2009,
    },
    Sensor {
        name: "meris",
        instrument: "MERIS",
        platform: "Envisat",
        bands: &[
            // Band numbers of the ESA MERIS band table (M11 761 nm O2, M14-15 not held).
            nb("M01", 412, 412.5, Some(171.4)),
            nb("M02", 443, 442.5, Some(187.7)),
            nb("M03", 490, 490.0, Some(192.9)),
            nb("M04", 510, 510.0, Some(192.7)),
            nb("M05", 560, 560.0, Some(180.0)),
            nb("M06", 620, 620.0, None),
            nb("M07", 665, 665.0, Some(153.1)),
            nb("M08", 681, 681.25, None),
            nb("M09", 709, 708.75, None),
            nb("M10", 754, 753.75, None),
            nb("M12", 779, 778.75, None),
            nb("M13", 865, 865.0, None),
        ],
        roles: BandRoles { violet: 412, green: 560, ratio_blues: &[443, 490, 510], red: 665, red_dogliotti: 665, nir: 865 },
        default_ocx: "oc4",
        kd2: "kd2e",
        f0_source: F0_SOURCE_OLCI_RBINS,
    },
    Sensor {
        name: "viirs-snpp",
        instrument: "VIIRS",
        platform: "Suomi-NPP",
        bands: &[
            b(410, 410.0, None),
            b(443, 443.0, None),
            b(486, 486.0, None),
            b(551, 551.0, None),
            b(671, 671.0, None),
            b(745, 745.0, None),
            b(862, 862.0, None),
        ],
        roles: BandRoles { violet: 410, green: 551, ratio_blues: &[443, 486], red: 671, red_dogliotti: 671, nir: 862 },
        default_ocx: "oc3",
        kd2: "kd2v",
        f0_source: F0_SOURCE_NONE,
    },
    Sensor {
        name: "viirs-noaa20",
        instrument: "VIIRS",
        platform: "NOAA-20 (JPSS-1)",
        bands: &[
            b(411, 411.0, None),
            b(445, 445.0, None),
            b(489, 489.0, None),
            b(556, 556.0, None),
            b(667, 667.0, None),
            b(746, 746.0, None),
            b(868, 868.0, None),
        ],
        roles: BandRoles { violet: 411, green: 556, ratio_blues: &[445, 489], red: 667, red_dogliotti: 667, nir: 868 },
        default_ocx: "oc3",
        kd2: "kd2v",
        f0_source: F0_SOURCE_NONE,
    },
    olci("olci-a", "Sentinel-3A"),
    olci("olci-b", "Sentinel-3B"),
];

/// OLCI-A and OLCI-B share one band set (Oa01-Oa21 centres; OBPG names).
/// Band numbers as in the ESA OLCI band table (Oa13-15, 18-21 are atmospheric
/// or land bands not held here; centres per formats.md s4.3).
static OLCI_BANDS: [Band; 14] = [
    nb("Oa01", 400, 400.0, None),
    nb("Oa02", 412, 412.5, Some(171.4)),
    nb("Oa03", 443, 442.5, Some(187.7)),
    nb("Oa04", 490, 490.0, Some(192.9)),
    nb("Oa05", 510, 510.0, Some(192.7)),
    nb("Oa06", 560, 560.0, Some(180.0)),
    nb("Oa07", 620, 620.0, None),
    nb("Oa08", 665, 665.0, Some(153.1)),
    nb("Oa09", 674, 673.75, None),
    nb("Oa10", 681, 681.25, None),
    nb("Oa11", 709, 708.75, None),
    nb("Oa12", 754, 753.75, None),
    nb("Oa16", 779, 778.75, None),
    nb("Oa17", 865, 865.0, None),
];

const fn olci(name: &'static str, platform: &'static str) -> Sensor {
    Sensor {
        name,
        instrument: "OLCI",
        platform,
        bands: &OLCI_BANDS,
        roles: BandRoles { violet: 412, green: 560, ratio_blues: &[443, 490, 510], red: 665, red_dogliotti: 665, nir: 865 },
        default_ocx: "oc4",
        kd2: "kd2e",
        f0_source: F0_SOURCE_OLCI_RBINS,
    }
}

/// Looks a sensor up by its registry name (case-insensitive; `_` and `-` alike).
pub fn sensor(name: &str) -> Result<&'static Sensor> {
    let key = name.trim().to_ascii_lowercase().replace('_', "-");
    SENSORS.iter().find(|s| s.name == key).ok_or_else(|| Error::UnknownSensor { name: name.to_string(), known: join(SENSORS.iter().map(|s| s.name)) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_band_exists() {
        for s in SENSORS {
            let r = &s.roles;
            for nm in [r.violet, r.green, r.red, r.red_dogliotti, r.nir].into_iter().chain(r.ratio_blues.iter().copied()) {
                assert!(s.band(nm).is_ok(), "{} role band {nm}", s.name);
            }
            // Nominal names are the rounded centres (OBPG convention).
            for band in s.bands {
                assert!((band.centre_nm - band.nominal as f64).abs() <= 1.0, "{} {}", s.name, band.nominal);
            }
        }
    }

    #[test]
    fn olci_band_numbers_match_the_esa_band_table() {
        // ESA OLCI band centres by number (formats.md s4.3, ACOLITE band_info_olci.txt).
        let esa = [
            ("Oa01", 400.0),
            ("Oa02", 412.5),
            ("Oa03", 442.5),
            ("Oa04", 490.0),
            ("Oa05", 510.0),
            ("Oa06", 560.0),
            ("Oa07", 620.0),
            ("Oa08", 665.0),
            ("Oa09", 673.75),
            ("Oa10", 681.25),
            ("Oa11", 708.75),
            ("Oa12", 753.75),
            ("Oa16", 778.75),
            ("Oa17", 865.0),
        ];
        for (id, centre) in esa {
            let band = OLCI_BANDS.iter().find(|b| b.id == Some(id)).unwrap_or_else(|| panic!("{id}"));
            assert_eq!(band.centre_nm, centre, "{id}");
        }
        for s in SENSORS {
            let ids: Vec<_> = s.bands.iter().filter_map(|b| b.id).collect();
            let mut unique = ids.clone();
            unique.dedup();
            assert_eq!(ids, unique, "{}: band ids repeat", s.name);
        }
    }

    #[test]
    fn lookup_is_forgiving_and_errors_name_the_sensor() {
        assert_eq!(sensor("MODIS_Aqua").unwrap().name, "modis-aqua");
        let e = sensor("czcs").unwrap_err().to_string();
        assert!(e.contains("czcs") && e.contains("olci-a"), "{e}");
    }
}
