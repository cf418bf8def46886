//! The chain configuration: everything a production run fixes (products,
//! coefficient sets, flags, output options), read from TOML and recorded in
//! each product. Unknown keys are errors, so a typo cannot silently fall
//! back to a default.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::formats::cf::Storage;
use crate::formats::FlagConfig;
use crate::products::{self, Coefficients};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Output {
    /// Write a quick-look PNG next to each product.
    pub quicklook: bool,
    /// The quick-look's colours: "fixed" (the product's display range, NASA
    /// OBPG's where NASA has one) or "stretch" (2nd-98th percentile of the image).
    pub quicklook_scale: String,
    /// Write `<product>_uncertainty` and `<product>_bias` (and `oc5_class` beside
    /// chl_oc5) into the product files of the products that have them (docs/uncertainty.md).
    pub uncertainty: bool,
    /// Rows per block: bounds memory whatever the granule size.
    pub block_rows: usize,
    pub netcdf: Storage,
    /// Global attributes written into every product (ACDD: institution,
    /// creator_*, publisher_*, license, project, acknowledgement, ...):
    /// strings only, never one the chain writes itself (`RESERVED`).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub attributes: BTreeMap<String, String>,
}

impl Default for Output {
    fn default() -> Self {
        Output {
            quicklook: true,
            quicklook_scale: "fixed".into(),
            uncertainty: crate::defaults::WRITE_UNCERTAINTY,
            block_rows: crate::defaults::BLOCK_ROWS,
            netcdf: Storage::default(),
            attributes: BTreeMap::new(),
        }
    }
}

/// Global attributes the chain writes itself, from what it knows (the input,
/// the run, the data): `[output.attributes]` may not set them.
pub const RESERVED: [&str; 24] = [
    "Conventions",
    "title",
    "summary",
    "id",
    "history",
    "date_created",
    "date_modified",
    "date_issued",
    "date_metadata_modified",
    "processing_level",
    "standard_name_vocabulary",
    "source",
    "instrument",
    "platform",
    "product_version",
    "references",
    "comment",
    "sensor",
    "quality_flags_applied",
    "algorithm",
    "algorithm_reference",
    "f0_used",
    "method",
    "intercalibration",
];

/// Prefixes of attribute families the chain writes itself.
pub const RESERVED_PREFIXES: [&str; 6] = ["geospatial_", "time_coverage_", "oceancolour_", "input_", "pixels_", "binning_"];

/// Why a name cannot be an `[output.attributes]` key, if it cannot.
pub fn attribute_name_problem(name: &str) -> Option<String> {
    let valid = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic()) && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !valid {
        return Some("is not a valid attribute name (a letter, then letters, digits or _)".into());
    }
    if RESERVED.iter().any(|r| r.eq_ignore_ascii_case(name)) || RESERVED_PREFIXES.iter().any(|p| name.to_ascii_lowercase().starts_with(p)) {
        return Some(format!(
            "is a reserved attribute: the chain writes it itself from the input and the run (reserved: {}, and names starting with {})",
            RESERVED.join(", "),
            RESERVED_PREFIXES.join(", ")
        ));
    }
    None
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Product names (the Python function names, e.g. "chl_ocx").
    pub products: Vec<String>,
    /// Sensor registry files added to the built-in rows and
    /// `OCEANCOLOUR_SENSORS`'s (relative paths: to the configuration file's folder).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sensor_registry: Vec<PathBuf>,
    /// Registry sensor whose bands hyperspectral inputs (PACE OCI) are
    /// convolved to, so that its products run on them (`--sensor-bands`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sensor_bands: Option<String>,
    pub coefficients: Coefficients,
    pub flags: FlagConfig,
    pub output: Output,
}

impl Config {
    pub fn from_toml(text: &str, origin: &Path) -> Result<Config> {
        let mut c: Config = toml::from_str(text).map_err(|e| Error::file(origin, format!("invalid configuration: {e}")))?;
        c.sensor_registry = add_sensor_registry(&c.sensor_registry, origin)?;
        c.check(origin)?;
        Ok(c)
    }

    pub fn load(path: &Path) -> Result<Config> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::file(path, format!("cannot be read: {e}")))?;
        Config::from_toml(&text, path)
    }

    pub fn check(&self, origin: &Path) -> Result<()> {
        let bad = |what: String| Err(Error::file(origin, format!("invalid configuration: {what}")));
        if !(0..=9).contains(&self.output.netcdf.deflate) {
            return bad(format!("output.netcdf.deflate = {} (must be 0-9)", self.output.netcdf.deflate));
        }
        if !["fixed", "stretch"].contains(&self.output.quicklook_scale.as_str()) {
            return bad(format!("output.quicklook_scale must be \"fixed\" or \"stretch\", not {:?}", self.output.quicklook_scale));
        }
        if self.output.block_rows == 0 || self.output.netcdf.chunk.contains(&0) {
            return bad("output.block_rows and output.netcdf.chunk must be positive".into());
        }
        for name in self.output.attributes.keys() {
            if let Some(problem) = attribute_name_problem(name) {
                return bad(format!("output.attributes.{name} {problem}"));
            }
        }
        for p in &self.products {
            products::product(p)?;
        }
        if let Some(s) = &self.sensor_bands {
            let target = crate::sensors::sensor(s)?;
            crate::sensors::rsr::responses(target.name)?;
        }
        Ok(())
    }

    pub fn to_toml(&self) -> String {
        toml::to_string(self).expect("the configuration always serialises")
    }
}

/// Adds a configuration's `sensor_registry` files to the process-wide
/// registry (before the products and sensors it names are checked); returns
/// them resolved against the configuration file's folder.
pub fn add_sensor_registry(files: &[PathBuf], origin: &Path) -> Result<Vec<PathBuf>> {
    let folder = origin.parent().unwrap_or(Path::new(""));
    let files: Vec<PathBuf> = files.iter().map(|f| folder.join(f)).collect();
    crate::sensors::add_files(&files, &format!("sensor_registry of {}", origin.display()))?;
    Ok(files)
}

/// The defaults of every run, as the chain applies them (`oc.defaults()`):
/// `process` (the configuration of `oceancolour process` with its `jobs`),
/// `bin` (the averaging and minimum observations a bin falls back to), and
/// the `intercal`, `merge` and `l4` tables of the fusion configuration.
pub fn defaults() -> serde_json::Value {
    use super::fusion::{IntercalConfig, L4Config, MergeConfig};
    let mut process = json(&Config::default());
    process["jobs"] = crate::defaults::JOBS.into();
    serde_json::json!({
        "process": process,
        "bin": {"averaging": crate::fusion::binning::Averaging::default().name(), "min_obs": crate::defaults::MIN_OBS},
        "intercal": json(&IntercalConfig::default()),
        "merge": json(&MergeConfig::default()),
        "l4": json(&L4Config::default()),
    })
}

/// A configuration table as JSON.
fn json<T: Serialize>(t: &T) -> serde_json::Value {
    serde_json::to_value(t).expect("the configuration always serialises")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_rejects_typos() {
        let c = Config::from_toml("products = [\"chl_ocx\"]\n[coefficients]\nocx = \"oc3\"\n", Path::new("x.toml")).unwrap();
        assert_eq!(c.coefficients.ocx, "oc3");
        assert_eq!(c.output, Output::default());
        assert_eq!(Config::from_toml(&c.to_toml(), Path::new("y")).unwrap(), c);
        let e = Config::from_toml("[coefficients]\nocxx = \"oc3\"\n", Path::new("x.toml")).unwrap_err().to_string();
        assert!(e.contains("x.toml") && e.contains("ocxx"), "{e}");
        let e = Config::from_toml("products = [\"chl_oc9\"]", Path::new("x.toml")).unwrap_err().to_string();
        assert!(e.contains("chl_oc9"), "{e}");
    }

    #[test]
    fn output_attributes_round_trip_and_reserved_names_are_refused() {
        let text = "[output.attributes]\ninstitution = \"Ifremer\"\nlicense = \"CC-BY-4.0\"\n";
        let c = Config::from_toml(text, Path::new("x.toml")).unwrap();
        assert_eq!(c.output.attributes.get("institution").map(String::as_str), Some("Ifremer"));
        assert_eq!(Config::from_toml(&c.to_toml(), Path::new("y")).unwrap(), c);
        assert!(!Config::default().to_toml().contains("attributes"));
        for bad in ["history", "Conventions", "date_created", "geospatial_bounds", "time_coverage_start", "oceancolour_run_key", "TITLE"] {
            let e = Config::from_toml(&format!("[output.attributes]\n{bad} = \"x\"\n"), Path::new("x.toml")).unwrap_err().to_string();
            assert!(e.contains(&format!("output.attributes.{bad}")) && e.contains("reserved attribute"), "{e}");
        }
        let e = Config::from_toml("[output.attributes]\n\"bad name\" = \"x\"\n", Path::new("x.toml")).unwrap_err().to_string();
        assert!(e.contains("not a valid attribute name"), "{e}");
        let e = Config::from_toml("[output.attributes]\ninstitution = 3\n", Path::new("x.toml")).unwrap_err().to_string();
        assert!(e.contains("x.toml") && e.contains("string"), "{e}");
    }
}
