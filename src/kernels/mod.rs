//! Pure per-pixel kernels: no I/O, no Python, no sensor tables (`convolve` takes the RSRs as arrays). Each kernel
//! is a scalar formula (`*_pixel`) that `products` applies over flat f32 band
//! slices with `compute::map_pixels` (parallel, AVX2 where the CPU has it).

pub mod attenuation;
pub mod chlorophyll;
pub mod convolve;
pub mod sediment;
