//! Readers on real NASA SeaWiFS Level-3 files and on the simulated OBPG L2 /
//! OLCI WFR granules, and the atomic writer (end-to-end checks against
//! numpy are in tests/python/test_chain.py).

use std::path::{Path, PathBuf};

use oceancolour::formats::cf::{ProductWriter, Storage, VariableMeta};
use oceancolour::formats::simulated::Scene;
use oceancolour::formats::{self, FlagConfig, Layout};
use oceancolour::formats::{obpg_l2, olci};

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("validation/data").join(name)
}

fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("oceancolour-formats-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn l3m_real_file_grid_runs_north_to_south() {
    let g = formats::open(&data("S20080012008031.L3m_MO_CHL_chlor_a_9km.nc"), None, &FlagConfig::default()).unwrap();
    let i = g.info();
    assert_eq!((i.sensor.name, i.rows, i.cols), ("seawifs", 2160, 4320));
    assert!(i.bands.is_empty(), "a chlor_a file has no Rrs");
    let Layout::Grid { lat, lon } = &i.layout else { panic!("grid expected") };
    // OBPG L3m: lat[i] = north - step i - step/2 (formats.md s3), 1/12 degree.
    let step = 180.0 / 2160.0;
    assert!((lat[0] as f64 - (90.0 - step / 2.0)).abs() < 1e-4);
    assert!((lat[2159] as f64 - (-90.0 + step / 2.0)).abs() < 1e-4);
    assert!((lon[0] as f64 - (-180.0 + step / 2.0)).abs() < 1e-4);
}

#[test]
fn l3b_real_file_has_two_seawifs_bins_in_the_ross_sea() {
    let g = formats::open(&data("S2008001.L3b_DAY_RRS.nc"), None, &FlagConfig::default()).unwrap();
    let i = g.info();
    assert_eq!(i.bands, [412, 443, 490, 510, 555, 670]);
    assert_eq!(i.layout, Layout::Bins { isin_rows: 2160 });
    let b = g.read_block(0, i.rows, &[443, 555]).unwrap();
    // Bin centres as in the fixture's README: 77.4 S 165.3 E and 76.0 S 170.6 E.
    assert_eq!(b.lat.len(), 2);
    assert!((b.lat[0] + 77.4).abs() < 0.1 && (b.lon[0] - 165.3).abs() < 0.2, "{:?} {:?}", b.lat, b.lon);
    assert!((b.lat[1] + 76.0).abs() < 0.1 && (b.lon[1] - 170.6).abs() < 0.2, "{:?} {:?}", b.lat, b.lon);
    assert!(b.rrs.iter().all(|(_, v)| v.iter().all(|x| *x > 0.0 && *x < 0.05)));
}

#[test]
fn simulated_granules_read_back_in_blocks() {
    let dir = scratch("sim");
    let l2 = dir.join("S.L2.OC.nc");
    obpg_l2::write_simulated(&l2, Scene { rows: 50, cols: 40 }).unwrap();
    let sen3 = dir.join("S3A_OL_2_WFR____X.SEN3");
    olci::write_simulated(&sen3, Scene { rows: 50, cols: 40 }).unwrap();
    let scene = Scene { rows: 50, cols: 40 };
    for (path, nm, centre, tol) in [(&l2, 443u16, 443.0, 2.0e-6), (&sen3, 443, 442.5, 1.0e-5 / std::f64::consts::PI)] {
        let g = formats::open(path, None, &FlagConfig::default()).unwrap();
        assert_eq!((g.info().rows, g.info().cols), (50, 40));
        // Two blocks, the second one short, give the same pixels as the scene.
        for (r0, n) in [(0, 32), (32, 18)] {
            let b = g.read_block(r0, n, &[nm]).unwrap();
            let v = &b.rrs[0].1;
            assert_eq!(v.len(), n * 40);
            let (r, c) = (r0 + 3, 5); // open water, west of the cloud
            let expected = scene.rrs(r, c, centre);
            assert!((v[(r - r0) * 40 + c] as f64 - expected).abs() <= tol, "{} {} {expected}", path.display(), v[(r - r0) * 40 + c]);
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn writer_leaves_nothing_unless_finished() {
    let dir = scratch("writer");
    let l2 = dir.join("S.L2.OC.nc");
    obpg_l2::write_simulated(&l2, Scene { rows: 20, cols: 10 }).unwrap();
    let g = formats::open(&l2, None, &FlagConfig::default()).unwrap();
    let meta = VariableMeta {
        name: "chl_ocx".into(),
        long_name: "test".into(),
        standard_name: None,
        units: "mg m-3".into(),
        valid_range: None,
        references: String::new(),
        comment: String::new(),
        radiation_wavelength_nm: None,
        flags: None,
    };
    let dest = dir.join("out.nc");
    let block = g.read_block(0, 20, &[443]).unwrap();
    {
        let mut w = ProductWriter::create(&dest, g.info(), &meta, &Storage::default(), vec![]).unwrap();
        w.write_block(&block, &block.rrs[0].1).unwrap();
        // dropped without finish: an interrupted or failed run
    }
    let names = |d: &Path| std::fs::read_dir(d).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect::<Vec<_>>();
    assert_eq!(names(&dir), ["S.L2.OC.nc"]);
    let mut w = ProductWriter::create(&dest, g.info(), &meta, &Storage::default(), vec![]).unwrap();
    w.write_block(&block, &block.rrs[0].1).unwrap();
    w.finish(vec![]).unwrap();
    let mut n = names(&dir);
    n.sort();
    assert_eq!(n, ["S.L2.OC.nc", "out.nc"]);
    let _ = std::fs::remove_dir_all(&dir);
}

fn test_data(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data").join(path)
}

/// A real NASA R2018.0 MODIS-Aqua L2 file carries the F0 l2gen divided nLw by
/// (`Rrs_NNN:solar_irradiance`, W m-2 um-1); the reader gives it in
/// mW cm-2 um-1, and it is the registry's default F0 (l2gen's Fonom) to
/// 5 significant digits except at 645 nm (docs/nasa-fidelity.md).
#[test]
fn obpg_l2_real_file_gives_its_f0_and_oc5_uses_it() {
    let path = test_data("modisa_l2_real/A2007143183000.L2_LAC_OC.x.nc");
    let g = formats::open(&path, None, &FlagConfig::default()).unwrap();
    let info = g.info();
    assert_eq!(info.sensor.name, "modis-aqua");
    let nominal: Vec<u16> = info.f0.iter().map(|f| f.0).collect();
    assert_eq!(nominal, [412, 443, 469, 488, 531, 547, 555, 645, 667, 678]);
    for &(nm, f0) in &info.f0 {
        let registry = info.sensor.f0(nm).unwrap();
        let tol = if nm == 645 { 2e-4 } else { 5e-5 };
        assert!((f0 / registry - 1.0).abs() < tol, "{nm}: file {f0}, registry {registry}");
    }
    assert!((info.f0[0].1 - 171.18177).abs() < 1e-4, "412 nm: {}", info.f0[0].1);

    // OC5 takes nLw = Rrs x the file's F0; against a table made with another F0
    // convention, the difference is reported.
    use oceancolour::oc5::{self, BuildOptions, F0Choice};
    let s = info.sensor;
    let fonom = oc5::build(s, &BuildOptions { shape: [20, 20, 20], ..Default::default() }).unwrap();
    assert_eq!(oc5::lookup_f0(&fonom, &info.f0), ([info.f0[5].1, info.f0[0].1], None));
    let obpg = oc5::build(s, &BuildOptions { shape: [20, 20, 20], f0: F0Choice::set("obpg-rsr2009"), ..Default::default() }).unwrap();
    let (used, warning) = oc5::lookup_f0(&obpg, &info.f0);
    assert_eq!(used, [info.f0[5].1, info.f0[0].1]);
    let w = warning.expect("0.2% F0 difference at 547 nm");
    assert!(w.contains("obpg-rsr2009") && w.contains("547"), "{w}");
    // No F0 in the file: the table's own.
    assert_eq!(oc5::lookup_f0(&obpg, &[]), ([obpg.f0_green, obpg.f0_violet], None));
}

/// Copernicus Marine GlobColour L4 (NetCDF-3, multi-sensor, time axis of 304
/// months): not a granule of one sensor, but its stored CHL reads as a field.
#[test]
fn merged_multi_sensor_product_reads_as_stored_and_refuses_rrs_products() {
    let path = test_data("cmems_globcolour_l4/cmems_obs-oc_glo_bgc-plankton_my_l4-multi-4km_P1M_1693680905216.nc");
    let e = formats::open(&path, None, &FlagConfig::default()).err().expect("no single sensor");
    assert!(matches!(e, oceancolour::Error::MergedProduct { .. }), "{e}");
    let msg = e.to_string();
    assert!(msg.contains("MODISA,VIIRSN") && msg.contains("CHL"), "{msg}");
    let stored = formats::cf_grid::StoredGrid::open(&path).unwrap();
    assert_eq!(stored.format, "NetCDF-3 classic");
    assert_eq!((stored.axes.grid.nlat, stored.axes.grid.nlon), (25, 48));
    let t = stored.time.as_ref().unwrap();
    assert_eq!(t.dates.len(), 304);
    assert_eq!(t.dates[0].date(), chrono::NaiveDate::from_ymd_opt(1997, 9, 1).unwrap());
    use oceancolour::formats::fields::read_field;
    let may = read_field(&path, Some("CHL[2020-05-15]")).unwrap();
    assert_eq!(may.variable, "CHL");
    assert_eq!(may.values.len(), 25 * 48);
    assert!(read_field(&path, Some("CHL")).err().unwrap().to_string().contains("304 steps"));
    assert!(read_field(&path, Some("CHL[1990-01-01]")).is_err());
}

/// A merged field stored south to north, in [0, 360) longitudes, NaN fill,
/// with a time axis (as OC-CCI / Ifremer EUR-L4 OI variants): read in this
/// library's order (rows north to south, longitudes ascending in [-180, 180)).
#[test]
fn gridded_field_south_to_north_in_0_360_with_time_axis() {
    let dir = scratch("merged360");
    let path = dir.join("m.nc");
    {
        let mut f = netcdf::create(&path).unwrap();
        f.add_dimension("time", 2).unwrap();
        f.add_dimension("lat", 3).unwrap();
        f.add_dimension("lon", 4).unwrap();
        f.add_attribute("sensor", "MERIS,MODIS,VIIRS,OLCI").unwrap();
        let mut v = f.add_variable::<f64>("time", &["time"]).unwrap();
        v.put_attribute("units", "hours since 2020-01-01 00:00:00").unwrap();
        v.put_values(&[0.0, 24.0 * 31.0], ..).unwrap();
        let mut v = f.add_variable::<f32>("lat", &["lat"]).unwrap();
        v.put_attribute("units", "degrees_north").unwrap();
        v.put_values(&[-1.0f32, 0.0, 1.0], ..).unwrap();
        let mut v = f.add_variable::<f32>("lon", &["lon"]).unwrap();
        v.put_attribute("units", "degrees_east").unwrap();
        v.put_values(&[0.5f32, 1.5, 358.5, 359.5], ..).unwrap();
        let mut v = f.add_variable::<f32>("chlor_a", &["time", "lat", "lon"]).unwrap();
        v.set_fill_value(f32::NAN).unwrap();
        // value = 100 t + 10 (row from the south) + column as stored; one NaN.
        let vals: Vec<f32> = (0..24).map(|i| if i == 13 { f32::NAN } else { (100 * (i / 12) + 10 * (i % 12 / 4) + i % 4) as f32 }).collect();
        v.put_values(&vals, ..).unwrap();
    }
    let fld = formats::fields::read_field(&path, Some("chlor_a[2020-02-01]")).unwrap();
    // North row first (stored row 2), west first: stored columns 2, 3 (358.5, 359.5 = -1.5, -0.5) then 0, 1.
    assert_eq!(&fld.values[..4], &[122.0, 123.0, 120.0, 121.0]);
    assert_eq!(&fld.values[8..10], &[102.0, 103.0]);
    assert!(fld.values[11].is_nan(), "the stored NaN (t 1, south row, column 1)");
    let oceancolour::fusion::grid::GridSpec::Regular(g) = &fld.grid else { panic!("regular") };
    assert_eq!((g.lon_min, g.lat_max, g.dlon, g.dlat), (-2.0, 1.5, 1.0, 1.0));
    assert_eq!(formats::fields::read_field(&path, Some("chlor_a[0]")).unwrap().values[0], 22.0);
    let e = formats::open(&path, None, &FlagConfig::default()).err().unwrap().to_string();
    assert!(e.contains("merged multi-sensor") && e.contains("chlor_a"), "{e}");
}
