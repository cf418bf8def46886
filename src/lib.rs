//! oceancolour: ocean-colour processing in Rust, with Python bindings.
//!
//! Layers, data flowing one way:
//! - `sensors`, `coefficients`: the field's data tables (bands, F0, published coefficient sets);
//! - `kernels`: pure per-pixel formulas over flat f32 slices (no I/O, no Python);
//! - `bio_optical`: the semi-analytical forward model Rrs(chl, CDM, SPM);
//! - `oc5`: the OC5 table engine, its import/export and the open-table builder;
//! - `reflectance` -> `products`: Rrs with their sensor in, products out;
//! - `formats`: satellite files in (OBPG L2/L3, OLCI WFR, CF grids), CF products out;
//! - `chain` + `cli`: the operational chain and the `oceancolour` command;
//! - `python` (feature `python`): the pyo3 glue that numpy users call.

pub mod bio_optical;
pub mod chain;
pub mod cli;
pub mod coefficients;
pub mod compute;
pub mod defaults;
pub mod error;
pub mod formats;
pub mod fusion;
pub mod kernels;
pub mod oc5;
pub mod products;
pub mod quality;
pub mod reflectance;
pub mod sensors;

#[cfg(feature = "python")]
mod python;

pub use error::{Error, Result};
pub use reflectance::Reflectances;
pub use sensors::{sensor, Sensor};
