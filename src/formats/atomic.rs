//! The one way every writer of the library puts a file on disk: under a
//! hidden temporary name in the destination folder, flushed to disk
//! (fsync), renamed to its final name, and the folder flushed so that the
//! rename survives a crash. The final name only ever holds a complete file;
//! a failed or interrupted write (an error, a panic, Ctrl-C) removes the
//! temporary file when the writer is dropped.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use netcdf::FileMut;

use crate::error::{Error, Result};

/// The temporary files this process is writing, for `remove_unfinished`.
static UNFINISHED: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn unfinished() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    UNFINISHED.lock().unwrap_or_else(|e| e.into_inner())
}

/// Removes every temporary file this process is still writing: called just
/// before the process ends without unwinding (`chain::watchdog::exit_now`: a
/// signal or a hung read, when a thread stuck inside HDF5 would never drop
/// its writer), so that no partial file outlives it.
pub fn remove_unfinished() {
    for tmp in unfinished().drain(..) {
        let _ = std::fs::remove_file(tmp);
    }
}

/// A file being written; moved into place by `commit`, removed if dropped before.
pub struct AtomicFile {
    dest: PathBuf,
    tmp: PathBuf,
    committed: bool,
}

impl AtomicFile {
    /// Creates the (empty) temporary file next to `dest`. Creating it with
    /// std gives the operating system's own words for a missing or
    /// unwritable folder.
    pub fn new(dest: &Path) -> Result<Self> {
        static SERIAL: AtomicUsize = AtomicUsize::new(0);
        let name = dest.file_name().ok_or_else(|| Error::file(dest, "cannot be written: not a file name"))?.to_string_lossy().into_owned();
        let dir = folder(dest);
        if !dir.is_dir() {
            return Err(Error::file(dest, format!("cannot be written: folder {} does not exist", dir.display())));
        }
        remove_stale_parts(dir);
        let tmp = dest.with_file_name(format!(".{name}.part-{}-{}", std::process::id(), SERIAL.fetch_add(1, Ordering::Relaxed)));
        std::fs::File::create(&tmp).map_err(|e| Error::file(dest, format!("cannot be written in the output folder: {e}")))?;
        unfinished().push(tmp.clone());
        Ok(AtomicFile { dest: dest.to_path_buf(), tmp, committed: false })
    }

    /// Where to write the content.
    pub fn path(&self) -> &Path {
        &self.tmp
    }

    pub fn dest(&self) -> &Path {
        &self.dest
    }

    /// Flushes the finished temporary file, renames it into place and
    /// flushes the folder.
    pub fn commit(mut self) -> Result<PathBuf> {
        let dest = self.dest.clone();
        std::fs::File::open(&self.tmp).and_then(|h| h.sync_all()).map_err(|e| Error::file(&dest, format!("flushing to disk: {e}")))?;
        std::fs::rename(&self.tmp, &dest).map_err(|e| Error::file(&dest, format!("renaming into place: {e}")))?;
        self.committed = true;
        unfinished().retain(|p| *p != self.tmp);
        // Some file systems cannot sync a folder (EINVAL): the rename stands anyway.
        match std::fs::File::open(folder(&dest)).and_then(|d| d.sync_all()) {
            Err(e) if e.kind() != std::io::ErrorKind::InvalidInput => Err(Error::file(&dest, format!("flushing the folder to disk: {e}"))),
            _ => Ok(dest),
        }
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_file(&self.tmp);
            unfinished().retain(|p| *p != self.tmp);
        }
    }
}

/// Removes, once per folder and process, the temporary files that processes
/// no longer alive left in `dir` (SIGKILL, a second Ctrl-C, a power cut):
/// `.NAME.part-PID-N` whose PID does not exist. A live process's files, and
/// anything not named so, are kept.
fn remove_stale_parts(dir: &Path) {
    static CLEANED: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());
    let key = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    {
        let mut cleaned = CLEANED.lock().unwrap_or_else(|e| e.into_inner());
        if cleaned.contains(&key) {
            return;
        }
        cleaned.push(key);
    }
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = part_file_pid(&name) else { continue };
        if pid != std::process::id() && !process_alive(pid) && std::fs::remove_file(entry.path()).is_ok() {
            log::warn!("{}: removed, left by process {pid} which no longer runs", entry.path().display());
        }
    }
}

/// The PID in a temporary file name `.NAME.part-PID-N`.
fn part_file_pid(name: &str) -> Option<u32> {
    let (_, tail) = name.strip_prefix('.')?.rsplit_once(".part-")?;
    let (pid, serial) = tail.split_once('-')?;
    serial.parse::<u64>().ok()?;
    pid.parse().ok()
}

fn process_alive(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else { return true };
    // SAFETY: kill with signal 0 sends nothing; it only checks that the process exists.
    let r = unsafe { libc::kill(pid, 0) };
    r == 0 || std::io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH)
}

fn folder(dest: &Path) -> &Path {
    dest.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."))
}

/// A netCDF-4 file written through `AtomicFile`.
pub struct NewNetcdf {
    // Fields drop in order: the netCDF file closes before `atomic` removes it.
    file: Option<FileMut>,
    atomic: AtomicFile,
}

impl NewNetcdf {
    pub fn create(dest: &Path) -> Result<Self> {
        super::nc::init();
        let atomic = AtomicFile::new(dest)?;
        let file = netcdf::create(atomic.path()).map_err(|e| Error::file(dest, format!("cannot be written: creating the netCDF file: {e}")))?;
        Ok(NewNetcdf { file: Some(file), atomic })
    }

    pub fn nc(&mut self) -> &mut FileMut {
        self.file.as_mut().expect("open until commit")
    }

    pub fn dest(&self) -> &Path {
        self.atomic.dest()
    }

    /// Closes the netCDF file (which writes what it buffers), then commits it.
    pub fn commit(mut self) -> Result<PathBuf> {
        let f = self.file.take().expect("open until commit");
        f.close().map_err(|e| Error::file(self.atomic.dest(), format!("closing the file (disk full?): {e}")))?;
        self.atomic.commit()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_committed_file_reaches_its_name() {
        let dir = std::env::temp_dir().join(format!("oceancolour-atomic-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let dest = dir.join("a.txt");
        let f = AtomicFile::new(&dest).unwrap();
        std::fs::write(f.path(), b"half").unwrap();
        drop(f);
        assert!(std::fs::read_dir(&dir).unwrap().next().is_none(), "a dropped write leaves nothing");
        let f = AtomicFile::new(&dest).unwrap();
        std::fs::write(f.path(), b"whole").unwrap();
        assert_eq!(f.commit().unwrap(), dest);
        assert_eq!(std::fs::read(&dest).unwrap(), b"whole");
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
        let e = AtomicFile::new(&dir.join("no/such/folder/b.txt")).err().unwrap().to_string();
        assert!(e.contains("cannot be written") && e.contains("does not exist"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
