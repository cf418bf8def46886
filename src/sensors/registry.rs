//! Reading and validating the sensor registry files: the built-in
//! `registry.toml` (compiled in), then the user files named in
//! `OCEANCOLOUR_SENSORS`. Rows are parsed with serde, checked (`validate`), and
//! leaked to `&'static` once, so that consumers keep `&'static Sensor`.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::Deserialize;

use super::{Band, BandRoles, Sensor, DEFAULT_F0_SET};
use crate::error::{join, Error, RegistryProblem, Result};

/// Environment variable naming user registry files (`:`-separated).
pub const ENV_VAR: &str = "OCEANCOLOUR_SENSORS";

/// The shipped registry.
const BUILT_IN: &str = include_str!("registry.toml");
const BUILT_IN_NAME: &str = "built-in";

/// The registry as loaded so far, and the files a configuration added to it.
struct Loaded {
    rows: Result<&'static [&'static Sensor]>,
    added: Vec<PathBuf>,
}

static REGISTRY: Mutex<Option<Loaded>> = Mutex::new(None);

fn env_files() -> Vec<PathBuf> {
    std::env::var_os(ENV_VAR).map(|v| std::env::split_paths(&v).filter(|p| !p.as_os_str().is_empty()).collect()).unwrap_or_default()
}

fn with_registry<T>(f: impl FnOnce(&mut Loaded) -> T) -> T {
    let mut guard = REGISTRY.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let loaded = guard.get_or_insert_with(|| Loaded { rows: load_files(&env_files()).map(|v| &*Box::leak(v.into_boxed_slice())), added: vec![] });
    f(loaded)
}

/// The process-wide registry (built-in + `OCEANCOLOUR_SENSORS` + files added
/// by a configuration's `sensor_registry`), loaded on first use.
pub(super) fn global() -> Result<&'static [&'static Sensor]> {
    with_registry(|l| l.rows.clone())
}

/// Adds registry files named by a configuration (`sensor_registry`) to the
/// process-wide registry, after the built-in rows and `OCEANCOLOUR_SENSORS`'s:
/// as there, a row replaces the one of its name or is appended. A file
/// already added is not read again; nothing is added if one file is invalid.
/// Rows handed out before keep their values (they are `&'static`).
pub fn add_files(paths: &[PathBuf], named_by: &str) -> Result<()> {
    with_registry(|l| {
        let current = l.rows.clone()?;
        let new: Vec<&PathBuf> = paths.iter().filter(|p| !l.added.contains(p)).collect();
        if new.is_empty() {
            return Ok(());
        }
        let mut all = current.to_vec();
        for path in &new {
            merge_file(&mut all, path, named_by)?;
        }
        l.rows = Ok(Box::leak(all.into_boxed_slice()));
        l.added.extend(new.into_iter().cloned());
        Ok(())
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileRows {
    #[serde(default)]
    sensor: Vec<Row>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Row {
    name: String,
    instrument: String,
    platform: String,
    #[serde(default)]
    platform_aliases: Vec<String>,
    #[serde(default)]
    product_name_prefixes: Vec<String>,
    #[serde(default)]
    coefficients_as: Option<String>,
    default_ocx: String,
    kd2: String,
    #[serde(default)]
    source: String,
    #[serde(default)]
    equator_crossing_hour: Option<f64>,
    bands: Vec<BandRow>,
    roles: RolesRow,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BandRow {
    nominal: u16,
    centre: f64,
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    f0: Option<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RolesRow {
    violet: u16,
    green: u16,
    ratio_blues: Vec<u16>,
    red: u16,
    red_dogliotti: u16,
    nir: u16,
}

fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

fn leak_all(v: Vec<String>) -> &'static [&'static str] {
    Box::leak(v.into_iter().map(leak).collect::<Vec<_>>().into_boxed_slice())
}

/// The built-in registry followed by `paths` in order: a row whose name is
/// already held replaces it (in place), a new name is appended. Every row is
/// validated; the first problem is returned naming its file and sensor.
pub fn load_files(paths: &[PathBuf]) -> Result<Vec<&'static Sensor>> {
    let mut all = parse(BUILT_IN_NAME, BUILT_IN)?;
    for path in paths {
        merge_file(&mut all, path, ENV_VAR)?;
    }
    Ok(all)
}

/// Reads one registry file into `all` (`named_by`: what named the file, for the error).
fn merge_file(all: &mut Vec<&'static Sensor>, path: &Path, named_by: &str) -> Result<()> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| problem(&file, RegistryProblem::Unreadable, format!("cannot read it ({e}); {named_by} names it")))?;
    for s in parse(&file, &text)? {
        match all.iter_mut().find(|x| x.name == s.name) {
            Some(slot) => *slot = s,
            None => all.push(s),
        }
    }
    Ok(())
}

fn problem(file: &str, kind: RegistryProblem, detail: impl Into<String>) -> Error {
    Error::Registry { file: file.to_string(), kind, detail: detail.into() }
}

/// The validated rows of one registry file.
fn parse(file: &str, text: &str) -> Result<Vec<&'static Sensor>> {
    let rows: FileRows = toml::from_str(text).map_err(|e| problem(file, RegistryProblem::Syntax, e.to_string().trim().replace('\n', " ")))?;
    if rows.sensor.is_empty() {
        return Err(problem(file, RegistryProblem::Invalid, "no [[sensor]] table"));
    }
    let mut out: Vec<&'static Sensor> = Vec::with_capacity(rows.sensor.len());
    for row in rows.sensor {
        let name = row.name.trim().to_ascii_lowercase().replace('_', "-");
        if out.iter().any(|s| s.name == name) {
            return Err(problem(file, RegistryProblem::DuplicateSensor, format!("sensor {name:?} is defined twice in this file")));
        }
        let sensor = build(file, name, row);
        validate(file, &sensor)?;
        out.push(Box::leak(Box::new(sensor)));
    }
    Ok(out)
}

fn build(file: &str, name: String, row: Row) -> Sensor {
    let bands: Vec<Band> = row.bands.into_iter().map(|b| Band { nominal: b.nominal, centre_nm: b.centre, id: b.id.map(leak), f0: b.f0 }).collect();
    let roles = BandRoles {
        violet: row.roles.violet,
        green: row.roles.green,
        ratio_blues: Box::leak(row.roles.ratio_blues.into_boxed_slice()),
        red: row.roles.red,
        red_dogliotti: row.roles.red_dogliotti,
        nir: row.roles.nir,
    };
    let name = leak(name);
    Sensor {
        name,
        instrument: leak(row.instrument),
        platform: leak(row.platform),
        platform_aliases: leak_all(row.platform_aliases),
        product_name_prefixes: leak_all(row.product_name_prefixes),
        bands: Box::leak(bands.into_boxed_slice()),
        roles,
        default_ocx: leak(row.default_ocx),
        kd2: leak(row.kd2),
        coefficients_as: row.coefficients_as.map(|c| leak(c.trim().to_ascii_lowercase())).unwrap_or(name),
        source: leak(row.source),
        equator_crossing_hour: row.equator_crossing_hour,
        file: if file == BUILT_IN_NAME { BUILT_IN_NAME } else { leak(file.to_string()) },
    }
}

/// The checks every row passes, built-in or user.
fn validate(file: &str, s: &Sensor) -> Result<()> {
    let err = |kind, detail: String| problem(file, kind, format!("sensor {}: {detail}", s.name));
    if let Some(h) = s.equator_crossing_hour.filter(|h| !(0.0..24.0).contains(h)) {
        return Err(err(RegistryProblem::Invalid, format!("equator_crossing_hour = {h} is not a local time of day in hours [0, 24)")));
    }
    if s.name.is_empty() || !s.name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Err(err(RegistryProblem::Invalid, "the name must be letters, digits and '-'".into()));
    }
    if s.instrument.trim().is_empty() {
        return Err(err(RegistryProblem::Invalid, "no instrument".into()));
    }
    if s.bands.is_empty() {
        return Err(err(RegistryProblem::Invalid, "no bands".into()));
    }
    for (i, b) in s.bands.iter().enumerate() {
        if s.bands[..i].iter().any(|o| o.nominal == b.nominal) {
            return Err(err(RegistryProblem::DuplicateBand, format!("band {} nm is listed twice", b.nominal)));
        }
        if let Some(id) = b.id.filter(|id| s.bands[..i].iter().any(|o| o.id == Some(*id))) {
            return Err(err(RegistryProblem::DuplicateBand, format!("band id {id:?} is listed twice")));
        }
        // Nominal names are the rounded centres (OBPG convention).
        if !b.centre_nm.is_finite() || (b.centre_nm - b.nominal as f64).abs() > 1.0 {
            return Err(err(
                RegistryProblem::Invalid,
                format!("band {} nm: centre {} nm is not within 1 nm of the nominal name (OBPG Rrs_NNN = rounded centre)", b.nominal, b.centre_nm),
            ));
        }
        if let Some(f0) = b.f0.filter(|f| !(f.is_finite() && *f > 0.0)) {
            return Err(err(RegistryProblem::Invalid, format!("band {} nm: F0 {f0} must be finite and > 0 (mW cm-2 um-1)", b.nominal)));
        }
    }
    if s.roles.ratio_blues.is_empty() {
        return Err(err(RegistryProblem::MissingRoleBand, "roles.ratio_blues is empty".into()));
    }
    for (role, nm) in s.roles.named() {
        if s.band(nm).is_err() {
            return Err(err(
                RegistryProblem::MissingRoleBand,
                format!("roles.{role} names band {nm} nm, which the sensor does not have (its bands: {})", join(s.bands.iter().map(|b| b.nominal))),
            ));
        }
    }
    if let Err(e) = crate::coefficients::ocx_set(s, "default") {
        return Err(err(
            RegistryProblem::UnknownCoefficientSet,
            format!("default_ocx: {e} (sets are looked up for coefficients_as = {:?})", s.coefficients_as),
        ));
    }
    let kd2 = crate::coefficients::kd2_set(s, None).map_err(|e| err(RegistryProblem::UnknownCoefficientSet, format!("kd2: {e}")))?;
    // As products::algorithms::kd2_wavelengths: the set reads the first of its bands the sensor has.
    for (what, options) in [("blue", kd2.blue), ("green", kd2.green)] {
        if !options.iter().any(|&nm| s.band(nm).is_ok()) {
            return Err(err(
                RegistryProblem::UnknownCoefficientSet,
                format!("kd2: the set {} is published for {what} bands {} nm, none of which the sensor has", kd2.name, join(options)),
            ));
        }
    }
    // OC5 looks nLw = Rrs x F0 up at the green and violet bands.
    for (role, nm) in [("green", s.roles.green), ("violet", s.roles.violet)] {
        if s.f0(nm).is_err() {
            return Err(err(
                RegistryProblem::MissingF0,
                format!(
                    "band {nm} nm (roles.{role}; OC5 takes nLw = Rrs x F0 there) has no F0 in the default set {DEFAULT_F0_SET} \
and the file gives none: add f0 = ... (mW cm-2 um-1) to the band"
                ),
            ));
        }
    }
    Ok(())
}
