//! The gap-free (L4) file of `oceancolour l4` (fusion.md s4.1), written and
//! read here: the product (10^estimate, the units of the merged input), its
//! kriging estimate in log10 (`<product>_log10`), the kriging error variance
//! (`<product>_kriging_variance`, log10 units squared) and `observed` (0
//! interpolated, 1 observed), dense on a regular grid (`fields::write_fields`).

use std::path::{Path, PathBuf};

use netcdf::AttributeValue;

use super::fields::{self, Field, Values, Var};
use crate::error::Result;
use crate::fusion::grid::GridSpec;

/// A gap-free field, one value per cell of its grid.
pub struct GapFree<'a> {
    pub variable: &'a str,
    /// Units of the product (those of the merged input).
    pub units: String,
    /// CF standard name of the product (that of the merged input), if it has one.
    pub standard_name: Option<String>,
    /// The kriging estimate, log10 of the product.
    pub log10: &'a [f64],
    /// The kriging error variance of log10 of the product.
    pub variance: &'a [f64],
    /// Whether the cell was observed in the merged input.
    pub observed: &'a [bool],
}

/// Writes a gap-free field on `grid`.
pub fn write(dest: &Path, grid: &GridSpec, l4: GapFree, globals: Vec<(String, AttributeValue)>) -> Result<PathBuf> {
    let v = l4.variable;
    let vars = vec![
        Var::new(
            v,
            Values::F32(l4.log10.iter().map(|&e| 10f64.powf(e) as f32).collect()),
            vec![
                ("long_name", format!("{v}, gap-free (kriging of log10 anomalies to a first guess)").into()),
                ("units", l4.units.into()),
                ("ancillary_variables", format!("{v}_kriging_variance observed").into()),
            ]
            .into_iter()
            .chain(l4.standard_name.map(|s| ("standard_name", s.into())))
            .collect(),
        ),
        Var::new(
            format!("{v}_log10"),
            Values::F32(l4.log10.iter().map(|&e| e as f32).collect()),
            vec![("long_name", format!("log10 of {v}, the kriging estimate").into()), ("units", "1".into())],
        ),
        Var::new(
            format!("{v}_kriging_variance"),
            Values::F32(l4.variance.iter().map(|&e| e as f32).collect()),
            vec![
                ("long_name", format!("kriging error variance of log10 {v}").into()),
                ("units", "1".into()),
                ("comment", "log10 units squared (dex^2)".into()),
            ],
        ),
        Var::new(
            "observed",
            Values::U8(l4.observed.iter().map(|&o| o as u8).collect()),
            vec![
                ("long_name", "cell observed in the merged input".into()),
                ("flag_values", AttributeValue::Uchars(vec![0, 1])),
                ("flag_meanings", "interpolated observed".into()),
            ],
        ),
    ];
    fields::write_fields(dest, grid, &[], fields::L4, v, vars, globals)
}

/// A previous analysis (`l4 --previous`): its gap-free `variable`.
pub fn read_previous(path: &Path, variable: &str) -> Result<Field> {
    fields::read_field(path, Some(variable))
}
