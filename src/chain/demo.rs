//! `oceancolour demo`: two SIMULATED granules (`formats::simulated`, in
//! the NASA OBPG Level-2 and Sentinel-3 OLCI WFR layouts) and the whole
//! chain run on them.

use std::path::{Path, PathBuf};

use super::{process, Config, Context, OnProgress, Report, Request};
use crate::error::{Error, Result};
use crate::formats::simulated::Scene;
use crate::formats::{obpg_l2, olci};

/// Names of the simulated inputs the demo writes.
pub const DEMO_L2: &str = "SEASTAR_SEAWIFS_GAC.20080101T120000.L2.OC.nc";
pub const DEMO_SEN3: &str = "S3A_OL_2_WFR____20240601T103000_20240601T103300_20240602T000000_0179_000_000_0000_MAR_O_NT_003.SEN3";
/// Products the demo makes (all need only visible bands, which the simulation takes from measured spectra).
pub const DEMO_PRODUCTS: &[&str] = &["chl_oc5", "chl_oc5ci", "spm_gohin", "chl_ocx", "chl_oci", "kd490", "spm_nechad", "turbidity_nechad"];

/// Writes the two simulated granules under `outdir/inputs` and runs the
/// chain on them into `outdir/products`.
pub fn run(outdir: &Path, ctx: &Context, progress: OnProgress) -> Result<(Vec<PathBuf>, Report)> {
    let inputs_dir = outdir.join("inputs");
    std::fs::create_dir_all(&inputs_dir).map_err(|e| Error::file(&inputs_dir, format!("cannot be created: {e}")))?;
    let l2 = inputs_dir.join(DEMO_L2);
    let sen3 = inputs_dir.join(DEMO_SEN3);
    obpg_l2::write_simulated(&l2, Scene { rows: 300, cols: 400 })?;
    olci::write_simulated(&sen3, Scene { rows: 360, cols: 480 })?;
    let config = Config { products: DEMO_PRODUCTS.iter().map(|s| s.to_string()).collect(), ..Config::default() };
    let req =
        Request { inputs: vec![l2.clone(), sen3.clone()], outdir: outdir.join("products"), config, sensor: None, overwrite: true, jobs: crate::defaults::JOBS };
    Ok((vec![l2, sen3], process(&req, ctx, progress)))
}
