//! The chain configuration: everything a production run fixes (products,
//! coefficient sets, flags, output options), read from TOML and recorded in
//! each product. Unknown keys are errors, so a typo cannot silently fall
//! back to a default.

use std::path::Path;

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
    /// Rows per block: bounds memory whatever the granule size.
    pub block_rows: usize,
    pub netcdf: Storage,
}

impl Default for Output {
    fn default() -> Self {
        Output { quicklook: true, block_rows: crate::defaults::BLOCK_ROWS, netcdf: Storage::default() }
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Product names (the Python function names, e.g. "chl_ocx").
    pub products: Vec<String>,
    pub coefficients: Coefficients,
    pub flags: FlagConfig,
    pub output: Output,
}

impl Config {
    pub fn from_toml(text: &str, origin: &Path) -> Result<Config> {
        let c: Config = toml::from_str(text).map_err(|e| Error::file(origin, format!("invalid configuration: {e}")))?;
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
        if self.output.block_rows == 0 || self.output.netcdf.chunk.contains(&0) {
            return bad("output.block_rows and output.netcdf.chunk must be positive".into());
        }
        for p in &self.products {
            products::product(p)?;
        }
        Ok(())
    }

    pub fn to_toml(&self) -> String {
        toml::to_string(self).expect("the configuration always serialises")
    }
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
}
