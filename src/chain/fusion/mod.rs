//! The multi-sensor fusion chain on files: `bin` (Level-2 products -> daily
//! Level-3 binned files, and composites of those), `intercal fit|apply`,
//! `merge` (same-day L3 files of several sensors) and `l4` (gap-free field).
//! Data flow one way: files (`formats::l3file`) -> arrays -> the pure
//! computations of `crate::fusion` -> files. Every output records the
//! software version, its inputs, the configuration, and the method with its
//! parameters; outputs are written under a temporary name and renamed.

mod bin;
mod config;
mod intercal;
mod l4;
mod merge;

pub use bin::{bin, BinReport, BinRequest};
use config::toml_of;
pub use config::{BinConfig, FusionConfig, IntercalConfig, L4Config, MergeConfig};
pub use intercal::{intercal_apply, intercal_fit, ApplyRequest, FitRequest};
pub use l4::{l4, L4Report, L4Request};
pub use merge::{merge, MergeReport, MergeRequest};

use std::path::{Path, PathBuf};

use chrono::{Datelike, NaiveDate};
use netcdf::AttributeValue;

use super::{Context, VERSION};
use crate::error::{Error, Result};
use crate::formats::cf::{self, text_attr};
use crate::formats::l3file::{self, L3Binned};

// ------------------------------------------------------------ common

/// Progress of a fusion command: (steps done, steps in all, what).
pub type Progress<'a> = &'a dyn Fn(usize, usize, &str);

fn names(paths: &[PathBuf]) -> String {
    paths.iter().map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()).collect::<Vec<_>>().join(", ")
}

/// Provenance attributes shared by every fusion output.
fn provenance(ctx: &Context, command: &str, title: String, inputs: &[PathBuf], config: String, method: String) -> Vec<(String, AttributeValue)> {
    let now = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let line = &ctx.command_line;
    let level = if command == "l4" { "L4" } else { "L3" };
    let summary = format!("{title}, made by oceancolour {VERSION} {command} from {} input file(s): {method}", inputs.len());
    let own = vec![
        text_attr("Conventions", "CF-1.8, ACDD-1.3"),
        text_attr("title", title),
        text_attr("summary", summary),
        text_attr("keywords", cf::KEYWORDS),
        text_attr("naming_authority", "oceancolour"),
        text_attr("standard_name_vocabulary", cf::STANDARD_NAME_VOCABULARY),
        text_attr("source", format!("{level} fusion of ocean-colour products (the files in input_sources)")),
        text_attr("comment", "Cells without data are _FillValue; counts are 0 there."),
        text_attr("history", format!("{now} oceancolour {VERSION} {command}: {line}")),
        text_attr("date_created", now),
        text_attr("product_version", VERSION),
        text_attr("oceancolour_version", VERSION),
        text_attr("input_sources", names(inputs)),
        text_attr("input_paths", inputs.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join("\n")),
        text_attr("oceancolour_configuration", config),
        text_attr("method", method),
    ];
    super::with_user_attributes(own, &ctx.attributes)
}

fn time_attrs(start: &str, end: &str) -> Vec<(String, AttributeValue)> {
    cf::time_coverage_attrs(&Some(start.to_string()), &Some(end.to_string()))
}

fn sensor_attrs(sensor: &str, instrument: &str, platform: &str) -> Vec<(String, AttributeValue)> {
    vec![text_attr("sensor", sensor), text_attr("instrument", instrument), text_attr("platform", platform)]
}

/// Reads L3 binned files that must share a grid, naming the odd one out.
fn read_all(ctx: &Context, paths: &[PathBuf], variable: Option<&str>, progress: Progress, what: &str) -> Result<Vec<L3Binned>> {
    let mut out: Vec<L3Binned> = Vec::with_capacity(paths.len());
    for (i, p) in paths.iter().enumerate() {
        ctx.check()?;
        progress(i, paths.len(), what);
        let l3 = {
            let _reading = ctx.reading(p);
            l3file::read_binned(p, variable)?
        };
        if let Some(first) = out.first() {
            if !first.grid.same_as(&l3.grid) {
                return Err(Error::file(
                    p,
                    format!("is on grid {} but {} is on {}: put every input on the same grid", l3.grid.describe(), paths[0].display(), first.grid.describe()),
                ));
            }
            if first.product.variable != l3.product.variable {
                return Err(Error::file(
                    p,
                    format!("holds {} but {} holds {}: name the product with --variable", l3.product.variable, paths[0].display(), first.product.variable),
                ));
            }
        }
        out.push(l3);
    }
    Ok(out)
}

/// Refuses an output that is one of the inputs (same file, by device and
/// inode, whatever the path spelling): re-running would fold the output into
/// itself (observations doubling on each run).
fn refuse_output_among_inputs(output: &Path, inputs: &[PathBuf]) -> Result<()> {
    use std::os::unix::fs::MetadataExt;
    let Ok(out) = std::fs::metadata(output) else { return Ok(()) };
    for input in inputs {
        if std::fs::metadata(input).is_ok_and(|m| m.dev() == out.dev() && m.ino() == out.ino()) {
            return Err(Error::InvalidParameter {
                name: "output".into(),
                reason: format!("{} is also an input ({}): write the result to another file", output.display(), input.display()),
            });
        }
    }
    Ok(())
}

/// Day of year (1-based, as intercal's seasons use).
fn doy(d: NaiveDate) -> f64 {
    d.ordinal() as f64
}
