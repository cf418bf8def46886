//! Rust-side checks of the products against the published test vectors
//! (algorithms.md s5.3) and an independent std-f64 evaluation.

use approx::assert_relative_eq;
use oceancolour::coefficients::ocx_set;
use oceancolour::products::algorithms as products;
use oceancolour::{sensor, Reflectances};

const CLEAR: [f32; 6] = [0.0095, 0.0080, 0.0060, 0.0035, 0.0018, 0.00015];
const MESO: [f32; 6] = [0.0040, 0.0045, 0.0050, 0.0042, 0.0030, 0.0004];
const COASTAL: [f32; 6] = [0.0030, 0.0038, 0.0055, 0.0058, 0.0060, 0.0020];

fn seawifs_bands() -> Vec<Vec<f32>> {
    (0..6).map(|b| vec![CLEAR[b], MESO[b], COASTAL[b]]).collect()
}

#[test]
fn ocx_sets_reproduce_the_published_vectors() {
    let s = sensor("seawifs").unwrap();
    let bands = seawifs_bands();
    let names = [412u16, 443, 490, 510, 555, 670];
    let rrs = Reflectances::new(s, names.iter().copied().zip(bands.iter().map(|v| v.as_slice())).collect()).unwrap();
    for (set, want) in [("oc4", [0.12304, 0.57366, 2.37720]), ("oc4v6", [0.12489, 0.60559, 2.35437]), ("oc4v4", [0.12466, 0.60807, 2.57972])] {
        let got = products::chl_ocx(&rrs, ocx_set(s, set).unwrap()).unwrap();
        for (g, w) in got.iter().zip(want) {
            assert_relative_eq!(*g as f64, w, max_relative = 5e-5);
        }
    }
}

#[test]
fn ocx_matches_std_f64_on_a_sweep_of_ratios() {
    let s = sensor("olci-a").unwrap();
    let set = ocx_set(s, "default").unwrap();
    let n = 100_000;
    let green: Vec<f32> = vec![0.002; n];
    let blue: Vec<f32> = (0..n).map(|i| 0.002 * (0.2 + 30.0 * i as f32 / n as f32)).collect();
    let other: Vec<f32> = vec![0.0001; n];
    let rrs = Reflectances::new(s, vec![(443, &blue), (490, &other), (510, &other), (560, &green)]).unwrap();
    let got = products::chl_ocx(&rrs, set).unwrap();
    for i in 0..n {
        let r = blue[i] as f64 / green[i] as f64;
        if r <= 0.21 || r >= 30.0 {
            assert!(got[i].is_nan(), "ratio {r} must be invalid");
            continue;
        }
        let x = r.log10();
        let poly: f64 = set.a.iter().enumerate().map(|(k, a)| a * x.powi(k as i32)).sum();
        let want = 10f64.powf(poly).clamp(0.001, 1000.0);
        assert_relative_eq!(got[i] as f64, want, max_relative = 1e-5);
    }
}

#[test]
fn missing_band_is_an_error_naming_band_and_algorithm() {
    let s = sensor("modis-aqua").unwrap();
    let x = [0.01f32];
    let rrs = Reflectances::new(s, vec![(443, &x[..])]).unwrap();
    let e = products::chl_ocx(&rrs, ocx_set(s, "default").unwrap()).unwrap_err().to_string();
    assert!(e.contains("488") && e.contains("chl_ocx") && e.contains("modis-aqua"), "{e}");
    let e = Reflectances::new(s, vec![(443, &x[..]), (488, &[0.1f32, 0.2][..])]).unwrap_err().to_string();
    assert!(e.contains("488") && e.contains("lengths"), "{e}");
}

#[test]
fn dogliotti_blend_vectors() {
    let s = sensor("modis-aqua").unwrap();
    let red = [0.005f32, 0.019, 0.03];
    let nir = [0.0003f32, 0.004, 0.012];
    let rrs = Reflectances::new(s, vec![(645, &red[..]), (859, &nir[..])]).unwrap();
    let got = products::turbidity_dogliotti(&rrs).unwrap();
    for (g, w) in got.iter().zip([3.9623, 30.9630, 141.2924]) {
        assert_relative_eq!(*g as f64, w, max_relative = 1e-4);
    }
}
