//! The compute base, the ground floor every computation stands on: the
//! library's thread pool (`threads`), branch-free vectorisable ln/exp10
//! (`fastmath`), output buffers (`zeroed`), the run-time choice of the
//! AVX2+FMA build of a loop (`with_avx2`), and the parallel chunk engine
//! (`par_chunks`, `par_chunk_pairs`, `map_pixels`), and allocations checked
//! against the memory available (`memory`). No I/O, no science.
//!
//! One wheel runs on any x86-64 machine and is fast on new ones: a chunk's
//! loop is compiled once for the baseline and once for AVX2+FMA, picked at
//! run time. Only code inlined into the chunk body gets the AVX2 build, so
//! callers mark their per-pixel closures and helpers `#[inline(always)]`.

pub mod fastmath;
pub mod memory;
pub mod threads;

use std::sync::atomic::{AtomicBool, Ordering};

use rayon::prelude::*;

/// A request to stop a long computation early (Ctrl-C, SIGTERM), checked
/// between its parallel pieces; the computation then returns
/// `Error::Cancelled`. A plain flag: kernels do not see how it is set.
#[derive(Clone, Copy)]
pub struct Cancel<'a>(Option<&'a AtomicBool>);

impl<'a> Cancel<'a> {
    /// Never stops.
    pub const NEVER: Cancel<'static> = Cancel(None);

    pub fn on(flag: &'a AtomicBool) -> Self {
        Cancel(Some(flag))
    }

    pub fn requested(&self) -> bool {
        self.0.is_some_and(|f| f.load(Ordering::Relaxed))
    }
}

/// Pixels per parallel task of `map_pixels`: large enough to amortise
/// scheduling, small enough to balance over cores and stay in cache.
pub const CHUNK: usize = 16 * 1024;

/// Runs `f`, compiled for AVX2+FMA when the CPU has them (else for the
/// baseline). Only code inlined into `f` gets the AVX2 build: mark `f` and the
/// helpers it calls `#[inline(always)]`.
#[inline(always)]
pub fn with_avx2<R>(f: impl FnOnce() -> R) -> R {
    #[cfg(target_arch = "x86_64")]
    {
        #[target_feature(enable = "avx2,fma")]
        unsafe fn avx2<R>(f: impl FnOnce() -> R) -> R {
            f()
        }
        if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
            // SAFETY: the CPU supports the features the function is compiled for.
            return unsafe { avx2(f) };
        }
    }
    f()
}

/// `f(start, piece)` for consecutive `chunk`-long pieces of `out` (the last
/// may be shorter), in parallel in the library's pool; `start` is the
/// piece's offset in `out`. `f` picks its build with `with_avx2` (a call
/// made from a function of its own, as `map_pixels` does: wrapped here
/// around the caller's closure, the AVX2 build lost a quarter of its speed).
pub fn par_chunks<A, F>(out: &mut [A], chunk: usize, f: F)
where
    A: Send,
    F: Fn(usize, &mut [A]) + Sync + Send,
{
    threads::install(|| {
        out.par_chunks_mut(chunk).enumerate().for_each(|(c, o)| f(c * chunk, o));
    });
}

/// `par_chunks` over two outputs of the same length cut alike, with a
/// per-task scratch value made by `init` (reused across a task's pieces).
pub fn par_chunk_pairs<A, B, S, I, F>(a: &mut [A], b: &mut [B], chunk: usize, init: I, f: F)
where
    A: Send,
    B: Send,
    I: Fn() -> S + Sync + Send,
    F: Fn(usize, &mut [A], &mut [B], &mut S) + Sync + Send,
{
    assert_eq!(a.len(), b.len(), "paired outputs differ in length");
    threads::install(|| {
        a.par_chunks_mut(chunk).zip(b.par_chunks_mut(chunk)).enumerate().for_each_init(&init, |s, (c, (x, y))| f(c * chunk, x, y, s));
    });
}

/// out[i] = f([inputs[0][i], ..., inputs[N-1][i]]) for every pixel, in parallel.
///
/// Mark the closure `#[inline(always)]`: only inlined into the loop does it
/// get compiled for AVX2 and vectorised.
///
/// Panics if an input's length differs from `out`'s (callers check lengths
/// and report them as errors first).
pub fn map_pixels<const N: usize, F>(inputs: [&[f32]; N], out: &mut [f32], f: F)
where
    F: Fn([f32; N]) -> f32 + Sync + Send,
{
    for x in &inputs {
        assert_eq!(x.len(), out.len(), "band length differs from output length");
    }
    par_chunks(out, CHUNK, |start, o| {
        let ins: [&[f32]; N] = std::array::from_fn(|k| &inputs[k][start..start + o.len()]);
        run_chunk(ins, o, &f);
    });
}

fn run_chunk<const N: usize, F: Fn([f32; N]) -> f32>(ins: [&[f32]; N], out: &mut [f32], f: &F) {
    with_avx2(
        #[inline(always)]
        || chunk_body(ins, out, f),
    )
}

/// Allocating form of `map_pixels`.
pub fn map_pixels_vec<const N: usize, F>(inputs: [&[f32]; N], len: usize, f: F) -> Vec<f32>
where
    F: Fn([f32; N]) -> f32 + Sync + Send,
{
    let mut out = zeroed(len);
    map_pixels(inputs, &mut out, f);
    out
}

#[inline(always)]
fn chunk_body<const N: usize, F: Fn([f32; N]) -> f32>(ins: [&[f32]; N], out: &mut [f32], f: &F) {
    let n = out.len();
    // Re-slicing to `n` lets the compiler drop the per-element bounds checks.
    let ins: [&[f32]; N] = ins.map(|s| &s[..n]);
    for i in 0..n {
        // A plain loop (fully unrolled), not `array::from_fn`, which is not
        // inlined for eight inputs and then stops vectorisation.
        let mut px = [0f32; N];
        for k in 0..N {
            px[k] = ins[k][i];
        }
        out[i] = f(px);
    }
}

/// A zeroed output buffer. On Linux a large one is marked for transparent
/// huge pages, as numpy does for its arrays: writing 10 million pixels then
/// faults in 20 pages rather than 10,000, which cost about a fifth of the OC5
/// lookup's CPU time (measured with THP in "madvise" mode, the common default).
pub fn zeroed<T: Copy + Default>(n: usize) -> Vec<T> {
    let v = vec![T::default(); n];
    #[cfg(target_os = "linux")]
    {
        const HUGE: usize = 2 << 20;
        let start = v.as_ptr() as usize;
        let end = start + std::mem::size_of_val(v.as_slice());
        let (lo, hi) = (start.next_multiple_of(HUGE), end / HUGE * HUGE);
        if hi > lo {
            // SAFETY: advice only, on whole pages inside the buffer just
            // allocated (contents and validity unchanged); a refusal is harmless.
            unsafe { libc::madvise(lo as *mut libc::c_void, hi - lo, libc::MADV_HUGEPAGE) };
        }
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn map_pixels_covers_every_pixel_across_chunk_boundaries() {
        let n = 3 * CHUNK + 17;
        let a: Vec<f32> = (0..n).map(|i| i as f32).collect();
        let b: Vec<f32> = (0..n).map(|i| 2.0 * i as f32).collect();
        let out = map_pixels_vec([&a, &b], n, |[x, y]| x + y);
        assert!(out.iter().enumerate().all(|(i, &v)| v == 3.0 * i as f32));
    }

    #[test]
    fn chunk_pairs_cut_both_outputs_alike() {
        let n = 5 * 256 + 3;
        let (mut a, mut b) = (vec![0usize; n], vec![0usize; n]);
        par_chunk_pairs(
            &mut a,
            &mut b,
            256,
            || 0usize,
            |start, x, y, calls| {
                *calls += 1;
                for (k, (p, q)) in x.iter_mut().zip(y.iter_mut()).enumerate() {
                    (*p, *q) = (start + k, 2 * (start + k));
                }
            },
        );
        assert!(a.iter().enumerate().all(|(i, &v)| v == i) && b.iter().enumerate().all(|(i, &v)| v == 2 * i));
    }
}
