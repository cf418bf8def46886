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
