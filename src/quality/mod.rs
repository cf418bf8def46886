//! How far to trust each pixel (issue 13; science and port specification in
//! docs/uncertainty.md, numpy reference validation/uncertainty/reference.py): OC5
//! applicability classes (`oc5_class`), Moore et al. 2009 optical water types (`owt`),
//! per-class statistics and the per-pixel class term (`stats`), and the propagation of
//! Rrs uncertainty through each algorithm (`jacobian`). Pure kernels: no I/O, no Python;
//! the product registry (`products::uncertainty`) runs them over blocks of pixels.

// Index loops over the small fixed matrices read as the formulas.
#![allow(clippy::needless_range_loop)]

pub mod jacobian;
pub mod oc5_class;
pub mod owt;
pub mod stats;

pub use oc5_class::{oc5_class_pixel, Oc5TestVersion};
pub use owt::{moore2009, owt_dominant, owt_memberships_pixel, owt_weights, BandRecipe, OwtClasses};
pub use stats::ClassStats;
