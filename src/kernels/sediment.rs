//! Suspended matter and turbidity per pixel from one red/NIR band:
//! the Nechad semi-empirical form and the Dogliotti 2015 red/NIR blend.

use crate::coefficients::NechadNode;

/// Water reflectance rho_w = pi Rrs.
#[inline(always)]
pub fn rho_w(rrs: f64) -> f64 {
    std::f64::consts::PI * rrs
}

/// Nechad form: A rho_w / (1 - rho_w / C), with rho_w = pi Rrs (Nechad et al.
/// 2010 eq. 8 with B = 0). NaN for non-finite or negative Rrs and where
/// rho_w >= C (the formula's singularity: saturated signal).
#[inline(always)]
pub fn nechad_pixel(rrs: f32, node: &NechadNode) -> f32 {
    let rho = rho_w(rrs as f64);
    let valid = rho >= 0.0 && rho < node.c;
    let v = node.a * rho / (1.0 - rho / node.c);
    if valid {
        v as f32
    } else {
        f32::NAN
    }
}

/// Dogliotti et al. 2015 turbidity (FNU): the red-band value where
/// rho_w(red) < lo, the NIR-band value where rho_w(red) >= hi, and a linear
/// blend with weight (rho_w(red) - lo)/(hi - lo) in between.
#[inline(always)]
pub fn dogliotti_pixel(red: f32, nir: f32, red_node: &NechadNode, nir_node: &NechadNode, blend: [f64; 2]) -> f32 {
    let rho_red = rho_w(red as f64);
    let t_red = nechad_pixel(red, red_node) as f64;
    let t_nir = nechad_pixel(nir, nir_node) as f64;
    let w = ((rho_red - blend[0]) / (blend[1] - blend[0])).clamp(0.0, 1.0);
    let v = if rho_red < blend[0] {
        t_red
    } else if rho_red >= blend[1] {
        t_nir
    } else {
        (1.0 - w) * t_red + w * t_nir
    };
    v as f32
}
