//! The merged file of `oceancolour merge` (fusion.md s3), written and read
//! here: the inverse-error-variance weighted product (`<product>`), its
//! error standard deviation (`<product>_error_stdev`, with `error_source`),
//! the spread between sensors (`<product>_spread`), `sensor_count`,
//! `contributing_sensors` (a CF `status_flag` bit mask, one bit per sensor)
//! and `nobs_<sensor>`; dense on a regular grid, along the bins of an ISIN
//! grid (`fields::write_fields`).

use std::path::{Path, PathBuf};

use netcdf::AttributeValue;

use super::fields::{self, Field, Values, Var};
use super::l3file::ProductMeta;
use super::nc;
use crate::error::Result;
use crate::fusion::grid::GridSpec;

/// `error_source` of a merged error whose sensor variances all come from the
/// inputs' per-pixel uncertainties (`l4` then filters it as observation noise by default).
pub const ERROR_FROM_UNCERTAINTY: &str = "uncertainty";

/// Name of the merged error standard deviation of `product`.
pub fn error_stdev_name(product: &str) -> String {
    format!("{product}_error_stdev")
}

/// A merged day, one value per filled cell (`cells`, ascending).
pub struct MergedDay<'a> {
    pub product: &'a ProductMeta,
    /// Merging space as configured ("log10" or "linear"), for the long names.
    pub space: &'a str,
    /// Units of the error and the spread (log10 units, or the product's).
    pub spread_units: &'a str,
    /// Where the sensors' error variances came from (`ERROR_FROM_UNCERTAINTY`, "configured", ...).
    pub error_source: &'a str,
    /// The sensors, in the order of the bits of `contributing`.
    pub sensors: &'a [String],
    pub cells: &'a [u64],
    pub value: Vec<f32>,
    pub sigma: Vec<f32>,
    pub spread: Vec<f32>,
    pub count: Vec<u8>,
    pub contributing: Vec<u32>,
    /// Per sensor (as `sensors`), its Level-2 observations per cell.
    pub nobs: Vec<Vec<u32>>,
}

/// Writes a merged day on `grid`: dense on a regular grid (cells are indices
/// into it), along the filled bins of an ISIN grid.
pub fn write(dest: &Path, grid: &GridSpec, m: MergedDay, globals: Vec<(String, AttributeValue)>) -> Result<PathBuf> {
    let product = m.product;
    let (dense, bins_out): (Box<dyn Fn(Values) -> Values>, Vec<u64>) = match grid {
        GridSpec::Regular(g) => {
            let ncells = g.nlon * g.nlat;
            let idx = m.cells.to_vec();
            (
                Box::new(move |v: Values| match v {
                    Values::F32(x) => Values::F32(scatter(&idx, &x, ncells, f32::NAN)),
                    Values::U8(x) => Values::U8(scatter(&idx, &x, ncells, 0)),
                    Values::U32(x) => Values::U32(scatter(&idx, &x, ncells, 0)),
                    Values::F64(x) => Values::F64(scatter(&idx, &x, ncells, f64::NAN)),
                }),
                vec![],
            )
        }
        GridSpec::Isin(_) => (Box::new(|v| v), m.cells.to_vec()),
    };
    let mut vars = vec![
        Var::new(&product.variable, dense(Values::F32(m.value)), {
            let mut a =
                vec![("long_name", format!("{}, merged ({} sensors)", product.long_name, m.sensors.len()).into()), ("units", product.units.clone().into())];
            if let Some(s) = &product.standard_name {
                a.push(("standard_name", s.clone().into()));
            }
            a.push(("ancillary_variables", format!("{0}_error_stdev {0}_spread contributing_sensors", product.variable).into()));
            a
        }),
        Var::new(
            error_stdev_name(&product.variable),
            dense(Values::F32(m.sigma)),
            vec![
                ("long_name", format!("error standard deviation of the merged {} in {} space: (sum of 1/sigma_s^2)^-1/2", product.variable, m.space).into()),
                ("units", m.spread_units.into()),
                ("error_source", m.error_source.into()),
            ],
        ),
        Var::new(
            format!("{}_spread", product.variable),
            dense(Values::F32(m.spread)),
            vec![("long_name", format!("weighted standard deviation between the sensors' values, {} space", m.space).into()), ("units", m.spread_units.into())],
        ),
        Var::new("sensor_count", dense(Values::U8(m.count)), vec![("long_name", "number of sensors contributing".into())]),
        Var::new(
            "contributing_sensors",
            dense(Values::U32(m.contributing)),
            vec![
                ("long_name", "sensors contributing to the merged value".into()),
                ("standard_name", "status_flag".into()),
                ("flag_masks", AttributeValue::Uints((0..m.sensors.len()).map(|s| 1u32 << s).collect())),
                ("flag_meanings", m.sensors.join(" ").into()),
            ],
        ),
    ];
    for (s, n) in m.sensors.iter().zip(m.nobs) {
        vars.push(Var::new(
            format!("nobs_{}", s.replace('-', "_")),
            dense(Values::U32(n)),
            vec![("long_name", format!("Level-2 observations of {s} in the cell").into()), ("standard_name", "number_of_observations".into())],
        ));
    }
    fields::write_fields(dest, grid, &bins_out, fields::MERGED, &product.variable, vars, globals)
}

fn scatter<T: Copy>(cells: &[u64], v: &[T], n: usize, fill: T) -> Vec<T> {
    let mut out = vec![fill; n];
    for (&c, &x) in cells.iter().zip(v) {
        out[c as usize] = x;
    }
    out
}

/// A merged field read back (the input of `l4`): the field its
/// `oceancolour_variable` names, that variable's units and standard name, and the
/// `error_source` of its error standard deviation, when it has one.
pub struct MergedField {
    pub field: Field,
    pub units: String,
    pub standard_name: Option<String>,
    pub error_source: Option<String>,
}

impl MergedField {
    /// Its error variance came from the inputs' per-pixel uncertainties.
    pub fn error_from_uncertainty(&self) -> bool {
        self.error_source.as_deref() == Some(ERROR_FROM_UNCERTAINTY)
    }
}

/// Reads a gridded field as `l4` takes it (a merged file, or any file
/// `fields::read_field` reads with an `oceancolour_variable`).
pub fn read(path: &Path) -> Result<MergedField> {
    let field = fields::read_field(path, None)?;
    let f = nc::open(path)?;
    let error_source = f.variable(&error_stdev_name(&field.variable)).and_then(|v| nc::text(v.attribute_value("error_source")));
    let attribute = |name: &str| f.variable(&field.variable).and_then(|v| nc::text(v.attribute_value(name)));
    let (units, standard_name) = (attribute("units").unwrap_or_default(), attribute("standard_name"));
    Ok(MergedField { field, units, standard_name, error_source })
}

/// The merged error standard deviation of `variable` (NaN where missing).
pub fn read_error_stdev(path: &Path, variable: &str) -> Result<Field> {
    fields::read_field(path, Some(&error_stdev_name(variable)))
}
