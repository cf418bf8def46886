//! Allocations sized from arguments or file headers, checked before they are
//! made. Rust aborts the process when an allocation fails (no unwinding, no
//! exit code, no cleanup, a dead notebook kernel), so every buffer whose size
//! a user or a file chooses goes through `ensure_fits` or `filled`.

use crate::error::{Error, Result};

/// Bytes this process may still allocate: `OCEANCOLOUR_MAX_MEMORY` (bytes)
/// when set, else the kernel's MemAvailable plus free swap (/proc/meminfo),
/// else unlimited (not Linux).
pub fn available_bytes() -> u64 {
    if let Some(n) = std::env::var("OCEANCOLOUR_MAX_MEMORY").ok().and_then(|v| v.trim().parse::<u64>().ok()) {
        return n;
    }
    let Ok(info) = std::fs::read_to_string("/proc/meminfo") else { return u64::MAX };
    let kib = |key: &str| info.lines().find_map(|l| l.strip_prefix(key)?.trim().strip_suffix("kB")?.trim().parse::<u64>().ok()).unwrap_or(0);
    (kib("MemAvailable:") + kib("SwapFree:")).saturating_mul(1024).max(1 << 30)
}

/// Refuses `count` items of `item_bytes` each when they cannot fit (or the
/// size overflows), naming `what`.
pub fn ensure_fits(count: u128, item_bytes: usize, what: &str) -> Result<()> {
    let bytes = count.saturating_mul(item_bytes as u128);
    let available = available_bytes();
    if bytes > available as u128 {
        return Err(Error::OutOfMemory { what: what.to_string(), bytes, available });
    }
    Ok(())
}

/// A vector of `n` copies of `value`, or `Error::OutOfMemory` naming `what`.
pub fn filled<T: Clone>(n: usize, value: T, what: &str) -> Result<Vec<T>> {
    ensure_fits(n as u128, std::mem::size_of::<T>(), what)?;
    let mut v = Vec::new();
    v.try_reserve_exact(n).map_err(|_| Error::OutOfMemory {
        what: what.to_string(),
        bytes: (n * std::mem::size_of::<T>()) as u128,
        available: available_bytes(),
    })?;
    v.resize(n, value);
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absurd_sizes_are_refused_and_small_ones_allowed() {
        assert!(matches!(ensure_fits(u128::MAX, 8, "a test"), Err(Error::OutOfMemory { .. })));
        assert!(matches!(filled::<f64>(usize::MAX / 16, 0.0, "a test"), Err(Error::OutOfMemory { .. })));
        assert_eq!(filled(3, 1u8, "a test").unwrap(), vec![1, 1, 1]);
        let msg = ensure_fits(1 << 60, 4, "an OC5 table of 1e6^3 nodes").unwrap_err().to_string();
        assert!(msg.starts_with("an OC5 table of 1e6^3 nodes would need 4294967296.0 GiB"), "{msg}");
    }
}
