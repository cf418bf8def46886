//! Multi-sensor fusion: grids and binning (L2 -> L3), intercalibration of
//! sensors against a reference, daily merging, and gap-free (L4) kriging.
//! Pure computation over slices (no I/O, no Python); the method reference is
//! `fusion.md` in the project's science notes, each module cites its sources.

pub mod bandshift;
pub mod binning;
pub mod grid;
pub mod intercal;
pub mod krige;
pub mod merge;
