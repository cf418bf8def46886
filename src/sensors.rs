//! The sensor registry: bands, band centres, F0 and the bands each algorithm
//! takes, as data. The rows are in `src/sensors/registry.toml` (compiled into
//! the binary), read and validated once at first use (`registry.rs`); users add
//! or override sensors without recompiling with files of the same format named
//! in `OCEANCOLOUR_SENSORS` (`:`-separated). Adding a mission is adding one
//! `[[sensor]]` table (and, where it has its own published coefficients, rows
//! to the tables in `coefficients.rs`); no algorithm code changes.
//!
//! Band names follow NASA OBPG's `Rrs_NNN`: the nominal wavelength rounded to
//! an integer nanometre (OLCI Oa03 442.5 nm is `443`).
//!
//! F0 is the mean extraterrestrial solar irradiance of a band in
//! mW cm-2 um-1, the unit nLw is expressed in by SeaDAS and by the OC5 tables
//! (nLw = Rrs x F0). Several published sets exist (`F0_SETS`); the default is
//! NASA l2gen's nominal F0 (`fonom-thuillier2003`), the one NASA's Rrs are
//! divided by, so that nLw here is NASA's nLw. A registry file may give a
//! band's F0 (`f0 =`), which then replaces the default set's for that sensor.

mod registry;
pub mod rsr;

pub use registry::{add_files, load_files, ENV_VAR};

use crate::error::{join, Error, Result};

/// One spectral band of a sensor.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Band {
    /// Nominal wavelength as in the OBPG name `Rrs_NNN` (nm).
    pub nominal: u16,
    /// Band centre (nm).
    pub centre_nm: f64,
    /// The band's name in the space agency's own products (ESA: OLCI `Oa04`
    /// in `Oa04_reflectance`, MERIS `M03` in `M03_rho_w`), where files name
    /// bands by number rather than by wavelength.
    pub id: Option<&'static str>,
    /// F0 (mW cm-2 um-1) given in the registry file, replacing the default
    /// set's for this sensor; `None` for every built-in band (NASA Fonom).
    pub f0: Option<f64>,
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

impl BandRoles {
    /// (role name, band) for every role.
    pub fn named(&self) -> Vec<(&'static str, u16)> {
        let mut v = vec![("violet", self.violet), ("green", self.green)];
        v.extend(self.ratio_blues.iter().map(|&b| ("ratio_blues", b)));
        v.extend([("red", self.red), ("red_dogliotti", self.red_dogliotti), ("nir", self.nir)]);
        v
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sensor {
    /// Registry key: `seawifs`, `modis-aqua`, ...
    pub name: &'static str,
    pub instrument: &'static str,
    pub platform: &'static str,
    /// Spellings of the platform in file metadata (`*` = any platform).
    pub platform_aliases: &'static [&'static str],
    /// Starts of ESA product names that identify the sensor (`S3A_OL_`).
    pub product_name_prefixes: &'static [&'static str],
    pub bands: &'static [Band],
    pub roles: BandRoles,
    /// Default OCx coefficient set (a name in `coefficients::OCX_SETS`).
    pub default_ocx: &'static str,
    /// KD2 coefficient set (a name in `coefficients::KD2_SETS`).
    pub kd2: &'static str,
    /// The registry sensor whose published coefficient sets apply (its own name
    /// unless the registry row says `coefficients_as`).
    pub coefficients_as: &'static str,
    /// Where the band names and centres come from.
    pub source: &'static str,
    /// Nominal local time (hours) the platform crosses the equator, which
    /// l2bin's data day needs (`bin --data-day`); None where not known.
    pub equator_crossing_hour: Option<f64>,
    /// The registry file the row was read from (`built-in` for the shipped one).
    pub file: &'static str,
}

impl Sensor {
    pub fn band(&self, nominal: u16) -> Result<&Band> {
        self.bands.iter().find(|b| b.nominal == nominal).ok_or_else(|| Error::NoSuchBand {
            sensor: self.name.to_string(),
            band: nominal,
            bands: join(self.bands.iter().map(|b| b.nominal)),
        })
    }

    /// The band l2gen takes for a wavelength (OCSSW `libl1/windex.c`
    /// `bindex_set`/`bindex_get` with `BANDW` = 10): each band, in increasing
    /// wavelength, claims nominal -5 .. nominal +5 nm; where its lower end is
    /// already claimed by the band below, it starts at the midpoint
    /// nominal - (nominal - previous) / 2 (integer nm) instead, and overwrites
    /// the rest of the overlap. So 670 nm is OLCI's 674 nm band (665 claims
    /// 660-670, 674 then claims 670-679), and MERIS's 665.
    pub fn l2gen_band(&self, nm: u16) -> Option<u16> {
        const HALF: i32 = 5; // BANDW / 2
        let mut found = None;
        let mut claimed_to = i32::MIN; // upper end of the previous band's window
        let mut previous: Option<i32> = None;
        for band in self.bands {
            let w = band.nominal as i32;
            let mut lo = w - HALF;
            if let Some(p) = previous.filter(|_| lo <= claimed_to) {
                lo = w - (w - p) / 2;
            }
            let hi = w + HALF;
            if (lo..=hi).contains(&(nm as i32)) {
                found = Some(band.nominal);
            }
            claimed_to = hi;
            previous = Some(w);
        }
        found
    }

    /// The blue, green and red bands of l2gen's colour index (get_chl.c
    /// `chl_hu`): `bindex_get(443)`; the green of `bindex_get_555` (547, then
    /// 550, 555, 560, 565 nm); the red of `bindex_get(670)`, else 665, 655,
    /// 620 nm.
    pub fn ci_bands(&self) -> Result<[u16; 3]> {
        let first = |options: &[u16], what: &str| {
            options.iter().find_map(|&nm| self.l2gen_band(nm)).ok_or_else(|| Error::Unsupported {
                algorithm: "chl_ci".into(),
                reason: format!("{} has no band l2gen takes for the CI {what} ({} nm)", self.name, join(options)),
            })
        };
        Ok([first(&[443], "blue")?, first(&[547, 550, 555, 560, 565], "green")?, first(&[670, 665, 655, 620], "red")?])
    }

    /// F0 of a band (mW cm-2 um-1) in the default set (`DEFAULT_F0_SET`), as
    /// needed to turn Rrs into nLw.
    pub fn f0(&self, nominal: u16) -> Result<f64> {
        self.f0_in(f0_set(DEFAULT_F0_SET)?, nominal)
    }

    /// F0 of a band (mW cm-2 um-1) in a named set.
    /// In the default set, a band's F0 given in the registry file comes first.
    pub fn f0_in(&self, set: &F0Set, nominal: u16) -> Result<f64> {
        let band = self.band(nominal)?;
        if let Some(f0) = band.f0.filter(|_| set.name == DEFAULT_F0_SET) {
            return Ok(f0);
        }
        set.value(self.name, nominal).ok_or_else(|| Error::Unsupported {
            algorithm: "nLw".into(),
            reason: format!(
                "the F0 set {:?} holds no value for {} band {nominal} nm; choose another set ({}) or pass F0 explicitly",
                set.name,
                self.name,
                join(F0_SETS.iter().map(|s| s.name))
            ),
        })
    }
}

/// A published set of band F0 values (mW cm-2 um-1).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct F0Set {
    /// Name as users select it (`f0=` of `Oc5Table.build`, `lut build --f0`).
    pub name: &'static str,
    pub source: &'static str,
    values: F0Values,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum F0Values {
    /// One value per nominal wavelength, for every sensor (l2gen's Fonom
    /// depends on the nominal wavelength alone).
    ByWavelength(&'static [(u16, f64)]),
    /// Values per sensor and band.
    BySensor(&'static [(&'static str, &'static [(u16, f64)])]),
}

impl F0Set {
    /// F0 of `sensor`'s band `nominal`, if the set holds one.
    pub fn value(&self, sensor: &str, nominal: u16) -> Option<f64> {
        let find = |rows: &[(u16, f64)]| rows.iter().find(|r| r.0 == nominal).map(|r| r.1);
        match self.values {
            F0Values::ByWavelength(rows) => find(rows),
            F0Values::BySensor(sensors) => sensors.iter().find(|s| s.0 == sensor).and_then(|s| find(s.1)),
        }
    }
}

/// The F0 set nLw uses unless told otherwise: NASA l2gen's Fonom.
pub const DEFAULT_F0_SET: &str = "fonom-thuillier2003";

/// NASA l2gen's nominal F0 ("Fonom"): the mean of the 1-nm Thuillier 2003
/// samples from nominal - 5 to nominal + 5 nm (11 samples), / 10 to
/// mW cm-2 um-1 (OCSSW `libl1/get_f0.c` `get_f0_thuillier_ext` with
/// `BANDW` = 10, called with the band's integer nominal wavelength in
/// `libl1/l1_io.c` / `filehandle_init.c` when `outband_opt >= 2`, the default
/// for SeaWiFS, MODIS and VIIRS). Computed by `validation/fonom.py` from
/// `validation/data/thuillier2003_1nm.csv` (Thuillier et al. 2003, Solar
/// Physics 214:1-22); every nominal wavelength of the registry and of the
/// sensors to come (MODIS-Terra, VIIRS NOAA-21 (provisional band names),
/// OLCI-C). Checked against the `solar_irradiance` NASA wrote in a real
/// MODIS-Aqua R2018.0 L2 file (tests/python/test_nasa_fidelity.py).
pub static FONOM_THUILLIER2003: &[(u16, f64)] = &[
    (400, 153.77947),
    (410, 170.12636),
    (411, 170.32445),
    (412, 171.18191),
    (414, 172.02473),
    (443, 188.75409),
    (445, 195.13009),
    (469, 203.52336),
    (486, 196.90909),
    (487, 195.34591),
    (488, 194.17845),
    (489, 193.37155),
    (490, 193.37991),
    (510, 192.56145),
    (531, 185.94445),
    (547, 186.99845),
    (551, 186.99618),
    (554, 184.81918),
    (555, 183.75682),
    (556, 183.23273),
    (560, 180.40345),
    (620, 164.92964),
    (645, 158.72173),
    (665, 153.08655),
    (667, 152.43845),
    (670, 151.22064),
    (671, 150.77073),
    (674, 149.69191),
    (678, 148.14055),
    (681, 147.05273),
    (709, 140.39200),
    (745, 127.66809),
    (746, 127.50964),
    (747, 127.56291),
    (748, 127.54782),
    (754, 126.63018),
    (765, 123.86482),
    (779, 117.00291),
    (859, 95.67642),
    (862, 96.06374),
    (865, 95.93259),
    (868, 95.40293),
    (869, 94.91353),
];

/// NASA OBPG "Spectral Response Functions and Bandpass Averaged Quantities"
/// (oceancolor.gsfc.nasa.gov/DOCS/RSR_tables.html, 2009 archived copy):
/// RSR-weighted Thuillier F0 at 1 nm. MODIS band 12 is listed there under its
/// old name 551 (now Rrs_547); 469/555/645/859 are the land bands of the same table.
static OBPG_RSR2009: &[(&str, &[(u16, f64)])] = &[
    ("seawifs", &[(412, 173.004), (443, 190.154), (490, 196.473), (510, 188.158), (555, 183.010), (670, 151.143), (765, 122.316), (865, 96.302)]),
    (
        "modis-aqua",
        &[
            (412, 172.718),
            (443, 187.688),
            (469, 205.733),
            (488, 194.973),
            (531, 185.820),
            (547, 186.594),
            (555, 183.760),
            (645, 157.807),
            (667, 152.163),
            (678, 148.097),
            (748, 128.123),
            (859, 97.174),
            (869, 95.849),
        ],
    ),
];

/// OLCI F0 412-665 nm as used operationally with the OC5 table by RBINS
/// (EUNOSAT/DCS4COP scripts, rounded to 0.1; algorithms.md s1.2): the F0
/// convention of the operational raw OC5 tables. Applied to MERIS's identical
/// nominal bands.
const RBINS_OLCI: &[(u16, f64)] = &[(412, 171.4), (443, 187.7), (490, 192.9), (510, 192.7), (560, 180.0), (665, 153.1)];
static RBINS_OC5: &[(&str, &[(u16, f64)])] = &[("olci-a", RBINS_OLCI), ("olci-b", RBINS_OLCI), ("meris", RBINS_OLCI)];

pub static F0_SETS: &[F0Set] = &[
    F0Set {
        name: "fonom-thuillier2003",
        source: "NASA l2gen nominal F0 (Fonom): mean of the 1-nm Thuillier 2003 samples over nominal +-5 nm \
(OCSSW libl1/get_f0.c get_f0_thuillier_ext, BANDW 10), as l2gen divides nLw by to give Rrs (outband_opt >= 2); \
computed by validation/fonom.py",
        values: F0Values::ByWavelength(FONOM_THUILLIER2003),
    },
    F0Set {
        name: "obpg-rsr2009",
        source: "NASA OBPG band-averaged (RSR-weighted) Thuillier F0, RSR_tables.html 2009 archived copy; SeaWiFS and MODIS-Aqua",
        values: F0Values::BySensor(OBPG_RSR2009),
    },
    F0Set {
        name: "rbins-oc5",
        source: "OLCI F0 412-665 nm used operationally with the OC5 table (RBINS EUNOSAT/DCS4COP scripts, rounded to 0.1; \
algorithms.md s1.2), also applied to MERIS; the convention the operational raw OC5 tables expect",
        values: F0Values::BySensor(RBINS_OC5),
    },
];

/// Looks an F0 set up by name (case-insensitive).
pub fn f0_set(name: &str) -> Result<&'static F0Set> {
    F0_SETS.iter().find(|s| s.name.eq_ignore_ascii_case(name.trim())).ok_or_else(|| Error::UnknownCoefficientSet {
        kind: "F0".into(),
        sensor: "any sensor".into(),
        name: name.into(),
        available: join(F0_SETS.iter().map(|s| s.name)),
    })
}

/// Every sensor of the registry: the built-in rows (`sensors/registry.toml`)
/// then those of the `OCEANCOLOUR_SENSORS` files (a user row with a built-in
/// name replaces it, in place). An invalid file is an `Error::Registry`.
pub fn all() -> Result<&'static [&'static Sensor]> {
    registry::global()
}

/// The registry names, for messages ("" when the registry does not load).
pub fn names() -> String {
    all().map(|s| join(s.iter().map(|s| s.name))).unwrap_or_default()
}

/// Looks a sensor up by its registry name (case-insensitive; `_` and `-` alike).
pub fn sensor(name: &str) -> Result<&'static Sensor> {
    let key = name.trim().to_ascii_lowercase().replace('_', "-");
    let all = all()?;
    all.iter().copied().find(|s| s.name == key).ok_or_else(|| Error::UnknownSensor { name: name.to_string(), known: join(all.iter().map(|s| s.name)) })
}

/// Lower case, ASCII letters and digits only: how metadata spellings are compared.
pub fn normalise(s: &str) -> String {
    s.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_lowercase()).collect()
}

/// The registry sensor for an instrument/platform pair as written in file
/// metadata: the instrument equal to the row's, the platform equal to one of
/// its `platform_aliases` (or its `platform`), compared by `normalise`; rows
/// with the alias `*` match any platform when no row matches exactly.
pub fn from_metadata(instrument: &str, platform: &str) -> Option<&'static Sensor> {
    let (i, p) = (normalise(instrument), normalise(platform));
    let candidates: Vec<&'static Sensor> = all().ok()?.iter().copied().filter(|s| normalise(s.instrument) == i).collect();
    let exact = candidates.iter().copied().find(|s| !p.is_empty() && (normalise(s.platform) == p || s.platform_aliases.iter().any(|a| normalise(a) == p)));
    exact.or_else(|| candidates.iter().copied().find(|s| s.platform_aliases.contains(&"*")))
}

/// The sensor an ESA product name (`S3A_OL_2_WFR____...`) starts with.
pub fn from_product_name(product_name: &str) -> Option<&'static Sensor> {
    all().ok()?.iter().copied().find(|s| s.product_name_prefixes.iter().any(|p| product_name.starts_with(p)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_band_exists() {
        for s in all().unwrap() {
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
    fn ci_bands_follow_l2gen_band_windows() {
        let ci = |name: &str| sensor(name).unwrap().ci_bands().unwrap();
        assert_eq!(ci("seawifs"), [443, 555, 670]);
        assert_eq!(ci("modis-aqua"), [443, 547, 667]);
        assert_eq!(ci("meris"), [443, 560, 665]);
        assert_eq!(ci("viirs-snpp"), [443, 551, 671]);
        assert_eq!(ci("viirs-noaa20"), [445, 556, 667]);
        // OLCI: 665 claims 660-670; 674 starts where it overlaps, at 674 - 9/2 = 670.
        assert_eq!(ci("olci-a"), [443, 560, 674]);
        assert_eq!(ci("olci-c"), [443, 560, 674]);
        assert_eq!(ci("modis-terra"), [443, 547, 667]);
        // NOAA-21: 445 claims 440-450, 554 takes 550 (bindex_get_555's second choice), 671 takes 670.
        assert_eq!(ci("viirs-noaa21"), [445, 554, 671]);
        let olci = sensor("olci-b").unwrap();
        assert_eq!((olci.l2gen_band(669), olci.l2gen_band(670), olci.l2gen_band(677), olci.l2gen_band(678)), (Some(665), Some(674), Some(674), Some(681)));
        assert_eq!(olci.l2gen_band(640), None);
        // PACE OCI: 443 is its 442 nm band (442 claims 437-447, 445 from 444); bindex_get_555
        // finds 547 first, while OCx takes 555.
        assert_eq!(ci("pace-oci"), [442, 547, 670]);
        // Blue and green are the sensor's ratio blue and OCx green on the multispectral sensors.
        for s in all().unwrap().iter().filter(|s| s.name != "pace-oci") {
            let [b, g, _] = s.ci_bands().unwrap();
            assert_eq!((b, g), (s.roles.ratio_blues[0], s.roles.green), "{}", s.name);
        }
    }

    #[test]
    fn every_band_has_nasa_fonom_and_sets_resolve() {
        for s in all().unwrap() {
            for band in s.bands {
                let f0 = s.f0(band.nominal).unwrap_or_else(|e| panic!("{} {}: {e}", s.name, band.nominal));
                // Solar irradiance between 400 and 900 nm lies within these bounds.
                assert!((90.0..210.0).contains(&f0), "{} {} {f0}", s.name, band.nominal);
            }
        }
        // Fonom rows are sorted and unique (one value per wavelength).
        assert!(FONOM_THUILLIER2003.windows(2).all(|w| w[0].0 < w[1].0));
        let obpg = f0_set("OBPG-RSR2009").unwrap();
        assert_eq!(sensor("modis-aqua").unwrap().f0_in(obpg, 547).unwrap(), 186.594);
        let e = sensor("viirs-snpp").unwrap().f0_in(obpg, 551).unwrap_err().to_string();
        assert!(e.contains("obpg-rsr2009") && e.contains("viirs-snpp"), "{e}");
        assert!(f0_set("nope").unwrap_err().to_string().contains("fonom-thuillier2003"));
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
        for name in ["olci-a", "olci-b", "olci-c"] {
            for (id, centre) in esa {
                let band = sensor(name).unwrap().bands.iter().find(|b| b.id == Some(id)).unwrap_or_else(|| panic!("{name} {id}"));
                assert_eq!(band.centre_nm, centre, "{name} {id}");
            }
        }
        for s in all().unwrap() {
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

    #[test]
    fn new_sensors_are_in_the_registry_with_their_coefficients() {
        let terra = sensor("modis-terra").unwrap();
        let aqua = sensor("modis-aqua").unwrap();
        assert_eq!((terra.bands, terra.roles, terra.coefficients_as), (aqua.bands, aqua.roles, "modis-aqua"));
        assert_eq!(crate::coefficients::ocx_set(terra, "default").unwrap(), crate::coefficients::ocx_set(aqua, "default").unwrap());
        let n21 = sensor("viirs-noaa21").unwrap();
        assert_eq!(n21.bands.iter().map(|b| b.nominal).collect::<Vec<_>>(), [414, 445, 487, 554, 671, 747, 868]);
        let oc3 = crate::coefficients::ocx_set(n21, "default").unwrap();
        assert_eq!((oc3.blues, oc3.green), (&[445u16, 487][..], 554));
        assert_eq!(crate::products::algorithms::kd2_wavelengths(n21, crate::coefficients::kd2_set(n21, None).unwrap()).unwrap(), [487, 554]);
        let c = sensor("olci-c").unwrap();
        assert_eq!(c.bands, sensor("olci-a").unwrap().bands);
        // Every new band has NASA's Fonom (no registry-file F0 on built-in rows).
        for s in [terra, n21, c] {
            for b in s.bands {
                assert!(b.f0.is_none());
                assert_eq!(s.f0(b.nominal).unwrap(), FONOM_THUILLIER2003.iter().find(|r| r.0 == b.nominal).unwrap().1);
            }
        }
    }

    #[test]
    fn detection_reads_the_registry_aliases() {
        let name = |i: &str, p: &str| from_metadata(i, p).map(|s| s.name);
        assert_eq!(name("VIIRS", "NOAA-21"), Some("viirs-noaa21"));
        assert_eq!(name("VIIRS", "JPSS-2"), Some("viirs-noaa21"));
        assert_eq!(name("VIIRS", "NOAA-21 (JPSS-2)"), Some("viirs-noaa21"));
        assert_eq!(name("VIIRS", "NOAA-20"), Some("viirs-noaa20"));
        assert_eq!(name("VIIRS", "Suomi NPP"), Some("viirs-snpp"));
        assert_eq!(name("MODIS", "Terra"), Some("modis-terra"));
        assert_eq!(name("MODIS", "Aqua"), Some("modis-aqua"));
        assert_eq!(name("OLCI", "Sentinel-3C"), Some("olci-c"));
        assert_eq!(name("OLCI", "Sentinel-3A"), Some("olci-a"));
        assert_eq!(name("SeaWiFS", "whatever"), Some("seawifs"));
        assert_eq!(name("MERIS", ""), Some("meris"));
        assert_eq!(name("OLCI", "Sentinel-3"), None);
        assert_eq!(name("MODIS", "Nimbus"), None);
        assert_eq!(from_product_name("S3C_OL_2_WFR____2026").map(|s| s.name), Some("olci-c"));
    }

    fn temp_dir(tag: &str) -> std::path::PathBuf {
        let d = std::env::temp_dir().join(format!("oceancolour-registry-{tag}-{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    fn user_file(dir: &std::path::Path, name: &str, text: &str) -> std::path::PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    const USER: &str = r#"
[[sensor]]
name = "my-sensor"
instrument = "MYINST"
platform = "Sat-1"
platform_aliases = ["SAT1"]
coefficients_as = "modis-aqua"
default_ocx = "oc3"
kd2 = "kd2m"
source = "test"
bands = [
    { nominal = 412, centre = 412.0 },
    { nominal = 443, centre = 443.0 },
    { nominal = 488, centre = 488.0 },
    { nominal = 547, centre = 547.0, f0 = 187.5 },
    { nominal = 667, centre = 667.0 },
    { nominal = 859, centre = 859.0 },
]
roles = { violet = 412, green = 547, ratio_blues = [443, 488], red = 667, red_dogliotti = 667, nir = 859 }
"#;

    #[test]
    fn user_files_add_and_override_sensors() {
        let dir = temp_dir("user");
        let p = user_file(&dir, "user.toml", USER);
        let all = load_files(std::slice::from_ref(&p)).unwrap();
        let mine = all.iter().find(|s| s.name == "my-sensor").unwrap();
        assert_eq!(mine.file, p.display().to_string());
        assert_eq!(mine.f0(547).unwrap(), 187.5);
        assert_eq!(mine.f0(412).unwrap(), 171.18191);
        assert_eq!(crate::coefficients::ocx_set(mine, "default").unwrap().name, "oc3");
        // Overriding a built-in keeps its place.
        let over = user_file(&dir, "over.toml", &USER.replace("my-sensor", "seawifs"));
        let all = load_files(&[over]).unwrap();
        assert_eq!(all[0].name, "seawifs");
        assert_eq!(all[0].instrument, "MYINST");
        assert_eq!(all.len(), 11);
    }

    #[test]
    fn bad_user_files_give_named_errors() {
        let dir = temp_dir("bad");
        let role = USER.replace("red = 667", "red = 999");
        let twice = format!("{USER}\n{}", USER.trim_start());
        let band = USER.replace("{ nominal = 859, centre = 859.0 }", "{ nominal = 443, centre = 443.0 }, { nominal = 859, centre = 859.0 }");
        let ocx = USER.replace(r#"default_ocx = "oc3""#, r#"default_ocx = "oc9""#);
        let kd2 = USER.replace(r#"kd2 = "kd2m""#, r#"kd2 = "kd7""#);
        let f0 = USER.replace("412, centre = 412.0", "401, centre = 401.0").replace("violet = 412", "violet = 401");
        let key = USER.replace("source = ", "sauce = ");
        let cases: [(&str, &str, &str); 8] = [
            ("role.toml", &role, "band role names a missing band: sensor my-sensor: roles.red names band 999 nm"),
            ("twice.toml", &twice, "duplicate sensor: sensor \"my-sensor\" is defined twice"),
            ("band.toml", &band, "duplicate band: sensor my-sensor: band 443 nm is listed twice"),
            ("ocx.toml", &ocx, "unknown coefficient set: sensor my-sensor: default_ocx"),
            ("kd2.toml", &kd2, "unknown coefficient set: sensor my-sensor: kd2"),
            ("f0.toml", &f0, "missing F0: sensor my-sensor: band 401 nm (roles.violet"),
            ("key.toml", &key, "invalid registry syntax"),
            ("empty.toml", "", "invalid sensor: no [[sensor]] table"),
        ];
        for (file, text, expected) in cases {
            let p = user_file(&dir, file, text);
            let e = load_files(std::slice::from_ref(&p)).unwrap_err();
            assert!(matches!(e, Error::Registry { .. }), "{file}: {e:?}");
            let msg = e.to_string();
            assert!(msg.contains(&p.display().to_string()) && msg.contains(expected), "{file}: {msg}");
        }
        let e = load_files(&[dir.join("missing.toml")]).unwrap_err().to_string();
        assert!(e.contains("missing.toml: unreadable file"), "{e}");
    }
}
