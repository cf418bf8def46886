//! Quality flags as data: the default exclusion sets per format, and the
//! name -> bit-mask resolution from each file's own `flag_masks` /
//! `flag_meanings` (bit positions are never hard-coded: they changed across
//! processing baselines, formats.md s0 rule 2, s1.6, s4.9).

use serde::{Deserialize, Serialize};

/// NASA's Level-3 exclusion flags as operational NASA L3 files list them:
/// `l2_flag_names` of NASA's R2018.0 SeaWiFS L3m and the `flaguse` of its L3b
/// processing_control (validation/data/: ATMFAIL, LAND, HILT, HISATZEN,
/// STRAYLIGHT, CLDICE, COCCOLITH, LOWLW, CHLWARN, CHLFAIL, NAVWARN,
/// MAXAERITER, ATMWARN, HISOLZEN, NAVFAIL, FILTER, HIGLINT; mask 0x0669D73B).
/// The OBPG flag page's "L3 Mask Default" column (formats.md s1.6-1.7) lacks FILTER.
pub const OBPG_L3_DEFAULT: &[&str] = &[
    "ATMFAIL",
    "LAND",
    "HIGLINT",
    "HILT",
    "HISATZEN",
    "STRAYLIGHT",
    "CLDICE",
    "COCCOLITH",
    "HISOLZEN",
    "LOWLW",
    "CHLFAIL",
    "NAVWARN",
    "MAXAERITER",
    "CHLWARN",
    "ATMWARN",
    "NAVFAIL",
    "FILTER",
];

/// OLCI WFR: the pixel must carry one of these (SNAP's QWG-recommended
/// `oceanColour` expression, senbox-org/s3tbx OlciLevel2WProductFactory.java;
/// formats.md s4.7 (a)).
pub const OLCI_REQUIRE_DEFAULT: &[&str] = &["WATER", "INLAND_WATER"];

/// OLCI WFR exclusions for Oa reflectances (`WQSF_REFLECTANCE_RECOM` =
/// oceanColour and openWater, same source; formats.md s4.7 (a)).
pub const OLCI_EXCLUDE_DEFAULT: &[&str] = &[
    "CLOUD",
    "CLOUD_AMBIGUOUS",
    "CLOUD_MARGIN",
    "INVALID",
    "COSMETIC",
    "SATURATED",
    "SUSPECT",
    "HISOLZEN",
    "HIGHGLINT",
    "SNOW_ICE",
    "AC_FAIL",
    "WHITECAPS",
    "ADJAC",
    "RWNEG_O2",
    "RWNEG_O3",
    "RWNEG_O4",
    "RWNEG_O5",
    "RWNEG_O6",
    "RWNEG_O7",
    "RWNEG_O8",
];

fn strings(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| s.to_string()).collect()
}

/// Which flags exclude a pixel, per input format (the `[flags]` table of
/// the chain configuration).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FlagConfig {
    /// OBPG L2 `l2_flags` names that exclude a pixel.
    pub obpg_l2_exclude: Vec<String>,
    /// OLCI WQSF names of which at least one must be set.
    pub olci_require_any: Vec<String>,
    /// OLCI WQSF names that exclude a pixel.
    pub olci_exclude: Vec<String>,
}

impl Default for FlagConfig {
    fn default() -> Self {
        FlagConfig { obpg_l2_exclude: strings(OBPG_L3_DEFAULT), olci_require_any: strings(OLCI_REQUIRE_DEFAULT), olci_exclude: strings(OLCI_EXCLUDE_DEFAULT) }
    }
}

/// A file's flag table: meaning -> mask (duplicate names such as OBPG's
/// several `SPARE` bits are kept; a lookup ORs them).
#[derive(Debug, Clone, PartialEq)]
pub struct FlagTable {
    pub entries: Vec<(String, u64)>,
}

impl FlagTable {
    /// From `flag_masks` and the blank-separated `flag_meanings`.
    pub fn new(masks: &[u64], meanings: &str) -> std::result::Result<FlagTable, String> {
        let names: Vec<&str> = meanings.split_whitespace().collect();
        if names.len() != masks.len() {
            return Err(format!("flag_meanings has {} names but flag_masks has {} masks", names.len(), masks.len()));
        }
        Ok(FlagTable { entries: names.into_iter().map(String::from).zip(masks.iter().copied()).collect() })
    }

    /// OR of the masks of `names`; an error lists names the file lacks.
    pub fn mask_of(&self, names: &[String]) -> std::result::Result<u64, String> {
        let mut mask = 0u64;
        let mut missing = Vec::new();
        for n in names {
            let hits: Vec<u64> = self.entries.iter().filter(|e| e.0.eq_ignore_ascii_case(n)).map(|e| e.1).collect();
            if hits.is_empty() {
                missing.push(n.as_str());
            }
            mask |= hits.into_iter().fold(0, |a, b| a | b);
        }
        if missing.is_empty() {
            Ok(mask)
        } else {
            Err(format!(
                "flag(s) {} requested by the configuration are not in this file's flag_meanings ({})",
                missing.join(", "),
                self.entries.iter().map(|e| e.0.as_str()).collect::<Vec<_>>().join(" ")
            ))
        }
    }
}

/// What a reader applies per pixel: excluded when any `exclude` bit is set
/// or, if `require_any` is non-zero, when none of its bits is set.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct FlagRule {
    pub exclude: u64,
    pub require_any: u64,
}

impl FlagRule {
    #[inline]
    pub fn excludes(&self, flags: u64) -> bool {
        flags & self.exclude != 0 || (self.require_any != 0 && flags & self.require_any == 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The 2022 l2_flags attributes (forum.earthdata.nasa.gov t=3717, formats.md s1.6).
    const OBPG_MEANINGS: &str = "ATMFAIL LAND PRODWARN HIGLINT HILT HISATZEN COASTZ SPARE STRAYLIGHT CLDICE \
COCCOLITH TURBIDW HISOLZEN SPARE LOWLW CHLFAIL NAVWARN ABSAER SPARE MAXAERITER MODGLINT CHLWARN ATMWARN SPARE \
SEAICE NAVFAIL FILTER SPARE BOWTIEDEL HIPOL PRODFAIL SPARE";

    #[test]
    fn obpg_l3_default_matches_the_published_mask() {
        let masks: Vec<u64> = (0..32).map(|b| (1i64 << b) as i32 as u32 as u64).collect();
        let t = FlagTable::new(&masks, OBPG_MEANINGS).unwrap();
        assert_eq!(t.mask_of(&strings(OBPG_L3_DEFAULT)).unwrap(), 0x0669_D73B);
        // Duplicate names OR together.
        assert_eq!(t.mask_of(&["SPARE".into()]).unwrap(), [7, 13, 18, 23, 27, 31].iter().fold(0u64, |m, b| m | 1 << b));
    }

    #[test]
    fn olci_defaults_match_the_derived_test_vectors() {
        // IPF-OL-2 07.01 bit layout (formats.md s4.6); masks deliberately not in bit order.
        let names = "INVALID WATER LAND CLOUD SNOW_ICE INLAND_WATER COASTLINE TIDAL COSMETIC SUSPECT HISOLZEN \
SATURATED MEGLINT HIGHGLINT WHITECAPS ADJAC WV_FAIL PAR_FAIL AC_FAIL OC4ME_FAIL OCNN_FAIL KDM_FAIL TURBID_ATM \
CLOUD_AMBIGUOUS CLOUD_MARGIN BPAC_ON WHITE_SCATT LOWRW HIGHRW ANNOT_ANGSTROM ANNOT_AERO_B ANNOT_ABSO_D \
ANNOT_ACLIM ANNOT_ABSOA ANNOT_MIXR1 ANNOT_DROUT ANNOT_TAU06 RWNEG_O1 RWNEG_O2 RWNEG_O3 RWNEG_O4 RWNEG_O5 \
RWNEG_O6 RWNEG_O7 RWNEG_O8 RWNEG_O9 RWNEG_O10 RWNEG_O11 RWNEG_O12 RWNEG_O16 RWNEG_O17 RWNEG_O18 RWNEG_O21";
        let bits: Vec<u32> = (0..29).chain(32..56).collect();
        let mut pairs: Vec<(&str, u64)> = names.split_whitespace().zip(bits.iter().map(|&b| 1u64 << b)).collect();
        pairs.reverse();
        let (n, m): (Vec<&str>, Vec<u64>) = pairs.into_iter().unzip();
        let t = FlagTable::new(&m, &n.join(" ")).unwrap();
        assert_eq!(t.mask_of(&strings(OLCI_EXCLUDE_DEFAULT)).unwrap(), 0x0000_FE00_0184_EF19);
        assert_eq!(t.mask_of(&strings(OLCI_REQUIRE_DEFAULT)).unwrap(), 0x22);
        let e = t.mask_of(&["NOT_A_FLAG".into()]).unwrap_err();
        assert!(e.contains("NOT_A_FLAG"), "{e}");
    }
}
