//! OC5 tables on disk: a self-describing netCDF format (read and written
//! through the netCDF-C library) and the operational raw convention (a
//! `.npy` array of chlorophyll plus the axis definition, RBINS "processed"
//! tables, algorithms.md s1.3).
//!
//! netCDF layout ("oceancolour-oc5-table-1"):
//! - one dimension and one coordinate variable (f64 node values) per axis,
//!   named after the axis variable, with attributes units, long_name,
//!   axis_min, axis_step (exact f64) and axis_order (0, 1, 2);
//! - `chl` (float32, the three dimensions in array order; NaN = no value);
//! - `node_flag` (uint8, optional) with flag_values / flag_meanings;
//! - global attributes: format, sensor, version, band numbers, F0s and every
//!   metadata entry (strings).

use std::collections::BTreeMap;
use std::path::Path;

use netcdf::AttributeValue;

use super::atomic::NewNetcdf;
use crate::error::{Error, Result};
use crate::oc5::table::{node, Axis, AxisVariable, Oc5Bands, Oc5Table};

pub const FORMAT: &str = "oceancolour-oc5-table-1";
/// Global attributes the format itself uses (everything else is metadata).
const RESERVED: &[&str] = &["format", "sensor", "version", "violet_band", "green_band", "ratio_blue_bands", "f0_green", "f0_violet"];

fn file_err(path: &Path, reason: impl std::fmt::Display) -> Error {
    Error::File { path: path.display().to_string(), problem: reason.to_string() }
}

/// Writes `table` to `path` (netCDF-4), atomically (`formats::atomic`).
pub fn save(table: &Oc5Table, path: &Path) -> Result<()> {
    table.validate()?;
    let mut nf = NewNetcdf::create(path)?;
    write(table, nf.nc(), path)?;
    nf.commit().map(|_| ())
}

fn write(t: &Oc5Table, f: &mut netcdf::FileMut, path: &Path) -> Result<()> {
    let e = |x: netcdf::Error| file_err(path, format!("cannot write netCDF: {x}"));
    f.add_attribute("format", FORMAT).map_err(e)?;
    f.add_attribute("sensor", t.sensor.as_str()).map_err(e)?;
    f.add_attribute("version", t.version.as_str()).map_err(e)?;
    f.add_attribute("violet_band", t.bands.violet as i32).map_err(e)?;
    f.add_attribute("green_band", t.bands.green as i32).map_err(e)?;
    f.add_attribute("ratio_blue_bands", t.bands.blues.iter().map(|&b| b as i32).collect::<Vec<_>>()).map_err(e)?;
    f.add_attribute("f0_green", t.f0_green).map_err(e)?;
    f.add_attribute("f0_violet", t.f0_violet).map_err(e)?;
    for (k, v) in &t.metadata {
        if RESERVED.contains(&k.as_str()) {
            return Err(file_err(path, format!("metadata key {k:?} is reserved by the table format")));
        }
        f.add_attribute(k, v.as_str()).map_err(e)?;
    }
    let names: Vec<&str> = t.axes.iter().map(|a| a.variable.name()).collect();
    for (order, a) in t.axes.iter().enumerate() {
        let name = a.variable.name();
        f.add_dimension(name, a.n).map_err(e)?;
        let mut v = f.add_variable::<f64>(name, &[name]).map_err(e)?;
        v.put_attribute("long_name", a.variable.description()).map_err(e)?;
        v.put_attribute("units", a.variable.unit()).map_err(e)?;
        v.put_attribute("axis_min", a.min).map_err(e)?;
        v.put_attribute("axis_step", a.step).map_err(e)?;
        v.put_attribute("axis_order", order as i32).map_err(e)?;
        let coords: Vec<f64> = (0..a.n).map(|i| a.value(i)).collect();
        v.put_values(&coords, ..).map_err(e)?;
    }
    let mut chl = f.add_variable::<f32>("chl", &names).map_err(e)?;
    chl.set_compression(4, true).map_err(e)?;
    chl.put_attribute("long_name", "chlorophyll-a concentration (OC5 table)").map_err(e)?;
    chl.put_attribute("units", "mg m-3").map_err(e)?;
    chl.put_attribute("interpolation", "trilinear on the index grid; no value outside [0, n-1] on any axis").map_err(e)?;
    chl.put_values(&t.values, ..).map_err(e)?;
    if let Some(flags) = &t.node_flags {
        let mut v = f.add_variable::<u8>("node_flag", &names).map_err(e)?;
        v.set_compression(4, true).map_err(e)?;
        v.put_attribute("flag_values", vec![0u8, 1, 2, 3, 4]).map_err(e)?;
        v.put_attribute("flag_meanings", node::MEANINGS).map_err(e)?;
        v.put_values(flags, ..).map_err(e)?;
    }
    Ok(())
}

fn attr_string(v: AttributeValue) -> Option<String> {
    match v {
        AttributeValue::Str(s) => Some(s),
        _ => None,
    }
}

fn attr_f64(v: AttributeValue) -> Option<f64> {
    match v {
        AttributeValue::Double(x) => Some(x),
        AttributeValue::Float(x) => Some(x as f64),
        AttributeValue::Int(x) => Some(x as f64),
        _ => None,
    }
}

fn attr_ints(v: AttributeValue) -> Option<Vec<i64>> {
    match v {
        AttributeValue::Int(x) => Some(vec![x as i64]),
        AttributeValue::Ints(x) => Some(x.into_iter().map(i64::from).collect()),
        AttributeValue::Short(x) => Some(vec![x as i64]),
        AttributeValue::Shorts(x) => Some(x.into_iter().map(i64::from).collect()),
        _ => None,
    }
}

/// Reads a table written by `save` (or any file following the layout).
pub fn load(path: &Path) -> Result<Oc5Table> {
    if !path.is_file() {
        return Err(file_err(path, "no such file"));
    }
    let f = netcdf::open(path).map_err(|x| file_err(path, format!("not a readable netCDF file ({x})")))?;
    let bad = |what: String| file_err(path, format!("not an OC5 table: {what}"));
    let gattr = |name: &str| -> Result<AttributeValue> {
        f.attribute(name).ok_or_else(|| bad(format!("global attribute {name:?} is missing")))?.value().map_err(|x| bad(format!("attribute {name:?}: {x}")))
    };
    let format = attr_string(gattr("format")?).unwrap_or_default();
    if format != FORMAT {
        return Err(bad(format!("format attribute is {format:?}, expected {FORMAT:?}")));
    }
    let string = |name: &str| -> Result<String> { attr_string(gattr(name)?).ok_or_else(|| bad(format!("{name} is not a string"))) };
    let number = |name: &str| -> Result<f64> { attr_f64(gattr(name)?).ok_or_else(|| bad(format!("{name} is not a number"))) };
    let ints = |name: &str| -> Result<Vec<u16>> {
        attr_ints(gattr(name)?)
            .ok_or_else(|| bad(format!("{name} is not an integer list")))?
            .into_iter()
            .map(|x| u16::try_from(x).map_err(|_| bad(format!("{name} has {x}, not a band"))))
            .collect()
    };
    let chl = f.variable("chl").ok_or_else(|| bad("no variable \"chl\"".into()))?;
    let dims: Vec<String> = chl.dimensions().iter().map(|d| d.name()).collect();
    if dims.len() != 3 {
        return Err(bad(format!("chl has {} dimensions, expected 3", dims.len())));
    }
    let mut axes = Vec::new();
    for (order, d) in dims.iter().enumerate() {
        let variable = AxisVariable::from_name(d).ok_or_else(|| bad(format!("unknown axis {d:?}")))?;
        let v = f.variable(d).ok_or_else(|| bad(format!("no coordinate variable for axis {d:?}")))?;
        let num = |a: &str| -> Result<f64> {
            v.attribute_value(a)
                .ok_or_else(|| bad(format!("axis {d} has no {a}")))?
                .ok()
                .and_then(attr_f64)
                .ok_or_else(|| bad(format!("axis {d} {a} is not a number")))
        };
        let stored_order = num("axis_order")?;
        if stored_order != order as f64 {
            return Err(bad(format!("axis {d} has axis_order {stored_order} but is dimension {order} of chl")));
        }
        axes.push(Axis { variable, min: num("axis_min")?, step: num("axis_step")?, n: chl.dimensions()[order].len() });
    }
    let values: Vec<f32> = chl.get_values::<f32, _>(..).map_err(|x| bad(format!("cannot read chl ({x})")))?;
    let node_flags = match f.variable("node_flag") {
        Some(v) => Some(v.get_values::<u8, _>(..).map_err(|x| bad(format!("cannot read node_flag ({x})")))?),
        None => None,
    };
    let mut metadata = BTreeMap::new();
    for a in f.attributes() {
        let name = a.name().to_string();
        if RESERVED.contains(&name.as_str()) {
            continue;
        }
        if let Some(s) = a.value().ok().and_then(attr_string) {
            metadata.insert(name, s);
        }
    }
    let green = ints("green_band")?;
    let violet = ints("violet_band")?;
    let t = Oc5Table {
        axes: [axes[0], axes[1], axes[2]],
        values,
        node_flags,
        sensor: string("sensor")?,
        bands: Oc5Bands {
            violet: *violet.first().ok_or_else(|| bad("violet_band is empty".into()))?,
            green: *green.first().ok_or_else(|| bad("green_band is empty".into()))?,
            blues: ints("ratio_blue_bands")?,
        },
        f0_green: number("f0_green")?,
        f0_violet: number("f0_violet")?,
        version: string("version")?,
        metadata,
        checksum_cache: Default::default(),
    };
    t.validate().map_err(|x| bad(x.to_string()))?;
    Ok(t)
}

/// A `.npy` array of floats: shape and values (C order, as f32).
pub fn read_npy(path: &Path) -> Result<(Vec<usize>, Vec<f32>)> {
    let bytes = std::fs::read(path).map_err(|e| file_err(path, format!("cannot read: {e}")))?;
    parse_npy(&bytes).map_err(|reason| file_err(path, format!("not a readable .npy array of floats: {reason}")))
}

fn parse_npy(b: &[u8]) -> std::result::Result<(Vec<usize>, Vec<f32>), String> {
    if b.len() < 10 || &b[..6] != b"\x93NUMPY" {
        return Err("no NUMPY magic".into());
    }
    let (hlen, start) = match b[6] {
        1 => (u16::from_le_bytes([b[8], b[9]]) as usize, 10),
        2 | 3 if b.len() >= 12 => (u32::from_le_bytes([b[8], b[9], b[10], b[11]]) as usize, 12),
        v => return Err(format!("unsupported format version {v}")),
    };
    let header = std::str::from_utf8(b.get(start..start + hlen).ok_or("truncated header")?).map_err(|_| "header is not text")?;
    let field = |key: &str| -> std::result::Result<&str, String> {
        let i = header.find(&format!("'{key}'")).ok_or(format!("header has no {key}"))?;
        Ok(header[i + key.len() + 2..].trim_start().trim_start_matches(':').trim_start())
    };
    let descr = field("descr")?;
    let descr = descr.trim_start_matches('\'').split('\'').next().unwrap_or("");
    let fortran = field("fortran_order")?.starts_with("True");
    let shape_txt = field("shape")?;
    let shape_txt = &shape_txt[1..shape_txt.find(')').ok_or("bad shape")?];
    let shape: Vec<usize> = shape_txt
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.parse::<usize>().map_err(|_| format!("bad shape {shape_txt:?}")))
        .collect::<std::result::Result<_, _>>()?;
    let n: usize = shape.iter().product();
    let data = &b[start + hlen..];
    let values: Vec<f32> = match descr {
        "<f4" | "|f4" if data.len() == 4 * n => data.chunks_exact(4).map(|c| f32::from_le_bytes(c.try_into().unwrap())).collect(),
        "<f8" if data.len() == 8 * n => data.chunks_exact(8).map(|c| f64::from_le_bytes(c.try_into().unwrap()) as f32).collect(),
        "<f4" | "|f4" | "<f8" => return Err(format!("{} data bytes for shape {shape:?} of {descr}", data.len())),
        other => return Err(format!("dtype {other:?} (expected little-endian float32 or float64)")),
    };
    if !fortran {
        return Ok((shape, values));
    }
    // Column-major on disk: reorder to C order.
    let mut c = vec![0f32; n];
    let nd = shape.len();
    let mut idx = vec![0usize; nd];
    for (fi, &v) in values.iter().enumerate() {
        let mut rem = fi;
        for d in 0..nd {
            idx[d] = rem % shape[d];
            rem /= shape[d];
        }
        let ci = idx.iter().zip(&shape).fold(0, |acc, (&i, &s)| acc * s + i);
        c[ci] = v;
    }
    Ok((shape, c))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn npy(descr: &str, fortran: bool, shape: &str, data: &[u8]) -> Vec<u8> {
        let mut h = format!("{{'descr': '{descr}', 'fortran_order': {}, 'shape': {shape}, }}", if fortran { "True" } else { "False" });
        while (10 + h.len() + 1) % 64 != 0 {
            h.push(' ');
        }
        h.push('\n');
        let mut b = b"\x93NUMPY\x01\x00".to_vec();
        b.extend((h.len() as u16).to_le_bytes());
        b.extend(h.as_bytes());
        b.extend(data);
        b
    }

    #[test]
    fn npy_c_and_fortran_order() {
        let vals: Vec<f64> = (0..6).map(|x| x as f64).collect();
        let data: Vec<u8> = vals.iter().flat_map(|v| v.to_le_bytes()).collect();
        let (s, v) = parse_npy(&npy("<f8", false, "(2, 3)", &data)).unwrap();
        assert_eq!(s, vec![2, 3]);
        assert_eq!(v, vec![0.0, 1.0, 2.0, 3.0, 4.0, 5.0]);
        // Fortran order: memory holds column-major [a00, a10, a01, a11, a02, a12].
        let (_, v) = parse_npy(&npy("<f8", true, "(2, 3)", &data)).unwrap();
        assert_eq!(v, vec![0.0, 2.0, 4.0, 1.0, 3.0, 5.0]);
        assert!(parse_npy(&npy("<i4", false, "(6,)", &[0u8; 24])).unwrap_err().contains("dtype"));
        assert!(parse_npy(&npy("<f4", false, "(7,)", &[0u8; 24])).unwrap_err().contains("bytes"));
        assert!(parse_npy(b"not an npy").is_err());
    }
}

#[cfg(test)]
mod roundtrip {
    use super::*;
    use crate::oc5::{build, BuildOptions};

    #[test]
    fn netcdf_round_trip_is_bit_for_bit_and_bad_files_are_named() {
        let s = crate::sensors::sensor("olci-a").unwrap();
        let t = build(s, &BuildOptions { shape: [6, 7, 8], ..Default::default() }).unwrap();
        let dir = std::env::temp_dir().join(format!("oc5rt{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("t.nc");
        save(&t, &p).unwrap();
        let back = load(&p).unwrap();
        assert!(back == t);
        assert!(back.values.iter().any(|v| v.is_nan()));
        // Not a table / missing / unwritable.
        std::fs::write(dir.join("junk.nc"), b"junk").unwrap();
        assert!(load(&dir.join("junk.nc")).unwrap_err().to_string().contains("junk.nc"));
        assert!(load(&dir.join("none.nc")).unwrap_err().to_string().contains("no such file"));
        assert!(save(&t, &dir.join("no/such/dir/t.nc")).unwrap_err().to_string().contains("does not exist"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
