//! The thread pool every kernel runs in.
//!
//! The library keeps its own rayon pool rather than rayon's global one so
//! that its size can be changed at run time (`set_num_threads`) and so that a
//! forked child (multiprocessing, dask's fork start method) can drop the
//! parent's pool, whose threads do not exist in the child, and build a fresh
//! one instead of deadlocking. Default size: `OCEANCOLOUR_NUM_THREADS`, else
//! `RAYON_NUM_THREADS`, else the number of available cores.

use std::sync::{Arc, RwLock};

use rayon::{ThreadPool, ThreadPoolBuilder};

use crate::error::{Error, Result};

static POOL: RwLock<Option<Arc<ThreadPool>>> = RwLock::new(None);

fn default_threads() -> usize {
    ["OCEANCOLOUR_NUM_THREADS", "RAYON_NUM_THREADS"]
        .iter()
        .find_map(|k| std::env::var(k).ok()?.trim().parse::<usize>().ok().filter(|&n| (1..=MAX_THREADS).contains(&n)))
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

fn build(n: usize) -> Result<Arc<ThreadPool>> {
    ThreadPoolBuilder::new()
        .num_threads(n)
        .thread_name(|i| format!("oceancolour-{i}"))
        .build()
        .map(Arc::new)
        .map_err(|e| Error::InvalidParameter { name: "num_threads".into(), reason: e.to_string() })
}

fn pool() -> Arc<ThreadPool> {
    if let Some(p) = POOL.read().unwrap_or_else(|e| e.into_inner()).as_ref() {
        return p.clone();
    }
    let mut slot = POOL.write().unwrap_or_else(|e| e.into_inner());
    slot.get_or_insert_with(|| build(default_threads()).unwrap_or_else(|_| build(1).expect("a one-thread pool can always be built"))).clone()
}

/// Runs `f` inside the library's pool.
pub fn install<R: Send>(f: impl FnOnce() -> R + Send) -> R {
    pool().install(f)
}

/// The most threads a pool may have. Each is a real OS thread started at
/// once; beyond the cores they only add overhead (20000 took minutes to start).
pub const MAX_THREADS: usize = 1024;

/// Sets how many threads the kernels use from now on (1..=MAX_THREADS).
pub fn set_num_threads(n: usize) -> Result<()> {
    if n == 0 {
        return Err(Error::InvalidParameter { name: "num_threads".into(), reason: "must be at least 1".into() });
    }
    if n > MAX_THREADS {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        return Err(Error::InvalidParameter {
            name: "num_threads".into(),
            reason: format!("{n} is too many: at most {MAX_THREADS} (this machine has {cores} cores; more threads than cores do not help)"),
        });
    }
    let new = build(n)?;
    *POOL.write().unwrap_or_else(|e| e.into_inner()) = Some(new);
    Ok(())
}

pub fn num_threads() -> usize {
    pool().current_num_threads()
}

/// To be called in a forked child: forget (without joining) the parent's
/// pool, whose worker threads were not copied by fork.
///
/// # Safety
/// Only in a freshly forked child that has one thread, before any other use
/// of the pool there.
pub unsafe fn forget_pool_after_fork() {
    // SAFETY: only called in a forked child (os.register_at_fork's after_in_child), which has
    // a single thread, so no reference into POOL is alive. The parent's lock may be held by a
    // thread that does not exist here (try_write would fail and leave it): it is replaced by a
    // fresh, unlocked one, and the parent's pool leaked (its threads are not in this process).
    unsafe { std::ptr::write(std::ptr::addr_of!(POOL).cast_mut(), RwLock::new(None)) }
}
