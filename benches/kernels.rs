//! Criterion benchmarks of the per-pixel kernels, in pixels per second
//! (`cargo bench --bench kernels`; criterion prints Melem/s = Mpixel/s).

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use oceancolour::coefficients::{ci_set, kd2_set, ocx_set};
use oceancolour::products::algorithms as products;
use oceancolour::{sensor, Reflectances};

const N: usize = 1 << 21;

/// Deterministic, plausible Rrs: a smooth gradient from clear to turbid water.
fn band(nm: u16) -> Vec<f32> {
    (0..N)
        .map(|i| {
            let t = i as f32 / N as f32;
            let level = 0.001 + 0.01 * t;
            let slope = 2.0 - 3.5 * t;
            level * (nm as f32 / 555.0).powf(slope) * (1.0 + 0.05 * ((i * 7919) % 101) as f32 / 101.0)
        })
        .collect()
}

fn kernels(c: &mut Criterion) {
    let olci = sensor("olci-a").unwrap();
    let modis = sensor("modis-aqua").unwrap();
    let names = [412u16, 443, 490, 510, 560, 665];
    let data: Vec<Vec<f32>> = names.iter().map(|&nm| band(nm)).collect();
    let rrs = Reflectances::new(olci, names.iter().copied().zip(data.iter().map(|v| v.as_slice())).collect()).unwrap();
    let mnames = [443u16, 488, 547, 645, 667, 859];
    let mdata: Vec<Vec<f32>> = mnames.iter().map(|&nm| band(nm)).collect();
    let mrrs = Reflectances::new(modis, mnames.iter().copied().zip(mdata.iter().map(|v| v.as_slice())).collect()).unwrap();

    let mut g = c.benchmark_group("kernels");
    g.throughput(Throughput::Elements(N as u64));
    g.sample_size(20);
    let oc4 = ocx_set(olci, "oc4").unwrap();
    let ci = ci_set("hu2019").unwrap();
    let kd2 = kd2_set(olci, None).unwrap();
    g.bench_function(BenchmarkId::new("chl_ocx", "olci oc4"), |b| b.iter(|| products::chl_ocx(&rrs, oc4).unwrap()));
    g.bench_function(BenchmarkId::new("chl_ci", "olci hu2019"), |b| b.iter(|| products::chl_ci(&rrs, ci).unwrap()));
    g.bench_function(BenchmarkId::new("chl_oci", "olci"), |b| b.iter(|| products::chl_oci(&rrs, oc4, ci, None).unwrap()));
    g.bench_function(BenchmarkId::new("kd490", "olci kd2e"), |b| b.iter(|| products::kd490(&rrs, kd2).unwrap()));
    g.bench_function(BenchmarkId::new("spm_nechad", "olci 665"), |b| b.iter(|| products::spm_nechad(&rrs, None).unwrap()));
    g.bench_function(BenchmarkId::new("turbidity_dogliotti", "modis"), |b| b.iter(|| products::turbidity_dogliotti(&mrrs).unwrap()));
    g.finish();
}

/// OC5 table lookup (trilinear on a 200^3 table) and the per-pixel C1
/// correction it replaces, on the same field. The open table is built once
/// (outside the timing) with the registry's OLCI F0.
fn oc5_lookup(c: &mut Criterion) {
    use oceancolour::oc5;
    let olci = sensor("olci-a").unwrap();
    let names = [412u16, 443, 490, 510, 560];
    let data: Vec<Vec<f32>> = names.iter().map(|&nm| band(nm)).collect();
    let rrs = Reflectances::new(olci, names.iter().copied().zip(data.iter().map(|v| v.as_slice())).collect()).unwrap();
    let table = oc5::build(olci, &oc5::BuildOptions::default()).unwrap();
    let c1 = oc5::c1_model(olci, "default", oc5::C1Params::default()).unwrap();
    let mut g = c.benchmark_group("oc5");
    g.throughput(Throughput::Elements(N as u64));
    g.sample_size(10);
    g.bench_function(BenchmarkId::new("chl_oc5", "table 200^3"), |b| b.iter(|| products::chl_oc5(&rrs, &table, false).unwrap()));
    g.bench_function(BenchmarkId::new("chl_oc5", "table + status"), |b| b.iter(|| products::chl_oc5(&rrs, &table, true).unwrap()));
    g.bench_function(BenchmarkId::new("chl_oc5", "per-pixel C1"), |b| b.iter(|| products::chl_oc5_per_pixel(&rrs, &c1, false).unwrap()));
    g.finish();
}

criterion_group!(benches, kernels, oc5_lookup);
criterion_main!(benches);
