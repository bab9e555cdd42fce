//! Local files redcheck reads (`--password-file`, `--cacert`, `--cert`, `--key`,
//! `?ssl_ca_certs=`) and writes (`$GITHUB_STEP_SUMMARY`, `--save-chain`), with bounds: at most
//! [`MAX_INPUT_BYTES`] read, only regular files and pipes, and never longer than `--timeout`.
//!
//! `/dev/zero` or a 1 GB file would otherwise grow without bound, and opening a FIFO waits
//! for its other end forever (`--password-file <(cmd)` where `cmd` hangs). Opening and reading
//! a pipe cannot be cancelled, so it runs on a helper thread and we stop waiting at the bound;
//! the thread ends whenever the kernel lets it (the process exits soon after).

use std::fs::{self, File, FileType, OpenOptions};
use std::io::{self, Read, Write};
#[cfg(unix)]
use std::os::unix::fs::FileTypeExt;
use std::path::Path;
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use crate::usage::UsageError;

/// The most a local input file may hold: a password or a CA bundle is a few KiB; Mozilla's
/// whole root store is about 250 KiB.
pub const MAX_INPUT_BYTES: usize = 1 << 20;

/// Reads the file `flag` names, within the bounds above; every error names the flag.
pub fn read(path: &Path, flag: &str, within: Duration) -> Result<Vec<u8>, UsageError> {
    let shown = path.display();
    let fail = |what: String| UsageError(format!("{flag} {shown}: {what}"));
    let meta = fs::metadata(path).map_err(|e| fail(format!("cannot read the file: {e}")))?;
    let kind = meta.file_type();
    let bytes = if kind.is_file() {
        if meta.len() > MAX_INPUT_BYTES as u64 {
            return Err(fail(too_large(meta.len())));
        }
        let file = File::open(path).map_err(|e| fail(format!("cannot read the file: {e}")))?;
        read_capped(file).map_err(|e| fail(format!("cannot read the file: {e}")))?
    } else if is_pipe(kind) {
        read_pipe(path, within).map_err(|e| {
            fail(match e.kind() {
                io::ErrorKind::TimedOut => format!(
                    "nothing (or not all of it) arrived from the pipe within --timeout ({}); is the command that writes it stuck?",
                    show_duration(within)
                ),
                _ => format!("cannot read the pipe: {e}"),
            })
        })?
    } else {
        return Err(fail(format!(
            "cannot read the file: it is {}, not a regular file or a pipe",
            describe(kind)
        )));
    };
    if bytes.len() > MAX_INPUT_BYTES {
        return Err(fail(too_large(bytes.len() as u64)));
    }
    Ok(bytes)
}

/// Appends `bytes` to `path` (created when missing), giving up after `within`: a FIFO with
/// no reader would block the open forever, a full pipe the write.
pub fn append(path: &Path, bytes: Vec<u8>, within: Duration) -> io::Result<()> {
    put(path, bytes, within, true)
}

/// Writes `bytes` to `path` (created or truncated), giving up after `within`, as [`append`].
pub fn write(path: &Path, bytes: Vec<u8>, within: Duration) -> io::Result<()> {
    put(path, bytes, within, false)
}

/// Appends or writes, on a helper thread unless `path` is a regular file or missing.
fn put(path: &Path, bytes: Vec<u8>, within: Duration, append: bool) -> io::Result<()> {
    let write = move |path: &Path, bytes: &[u8]| -> io::Result<()> {
        let mut file = OpenOptions::new()
            .create(true)
            .write(true)
            .append(append)
            .truncate(!append)
            .open(path)?;
        file.write_all(bytes)?;
        file.flush()
    };
    let regular = match fs::metadata(path) {
        Ok(meta) => meta.file_type().is_file(),
        Err(e) if e.kind() == io::ErrorKind::NotFound => true,
        Err(e) => return Err(e),
    };
    if regular {
        return write(path, &bytes);
    }
    let owned = path.to_path_buf();
    on_helper(within, move || write(&owned, &bytes)).map_err(|e| match e.kind() {
        io::ErrorKind::TimedOut => io::Error::new(
            io::ErrorKind::TimedOut,
            format!(
                "nothing took the output within {} (a pipe without a reader?)",
                show_duration(within)
            ),
        ),
        _ => e,
    })
}

/// Reads at most one byte more than the cap, so an oversized file is known without reading it all.
fn read_capped(file: impl Read) -> io::Result<Vec<u8>> {
    let mut out = Vec::new();
    file.take(MAX_INPUT_BYTES as u64 + 1)
        .read_to_end(&mut out)?;
    Ok(out)
}

/// Opens and reads a pipe on a helper thread, waiting at most `within` for the whole of it.
fn read_pipe(path: &Path, within: Duration) -> io::Result<Vec<u8>> {
    let owned = path.to_path_buf();
    on_helper(within, move || read_capped(File::open(owned)?))
}

/// Runs `work` on a helper thread and waits at most `within` for its result.
fn on_helper<T: Send + 'static>(
    within: Duration,
    work: impl FnOnce() -> io::Result<T> + Send + 'static,
) -> io::Result<T> {
    let (tx, rx) = mpsc::channel();
    thread::Builder::new()
        .name("local-file".into())
        .spawn(move || {
            let _ = tx.send(work());
        })?;
    rx.recv_timeout(within)
        .unwrap_or_else(|_| Err(io::Error::from(io::ErrorKind::TimedOut)))
}

/// The usage error's text for a file over the cap (`len` as far as it is known).
fn too_large(len: u64) -> String {
    format!(
        "the file holds more than 1 MiB ({len}{} bytes); redcheck reads at most 1 MiB of a local file: is it the right file?",
        if len > MAX_INPUT_BYTES as u64 + 1 {
            ""
        } else {
            " or more"
        }
    )
}

/// A FIFO, or the pipe behind `/dev/stdin` or `<(cmd)`.
#[cfg(unix)]
fn is_pipe(kind: FileType) -> bool {
    kind.is_fifo()
}

#[cfg(not(unix))]
fn is_pipe(_: FileType) -> bool {
    false
}

/// What a file that is neither regular nor a pipe is, in words.
#[cfg(unix)]
fn describe(kind: FileType) -> &'static str {
    if kind.is_dir() {
        "a directory"
    } else if kind.is_char_device() {
        "a character device"
    } else if kind.is_block_device() {
        "a block device"
    } else if kind.is_socket() {
        "a socket"
    } else {
        "a special file"
    }
}

#[cfg(not(unix))]
fn describe(kind: FileType) -> &'static str {
    if kind.is_dir() {
        "a directory"
    } else {
        "a special file"
    }
}

/// `2 s`, `500 ms`.
fn show_duration(d: Duration) -> String {
    if d.subsec_millis() == 0 {
        format!("{} s", d.as_secs())
    } else {
        format!("{} ms", d.as_millis())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHORT: Duration = Duration::from_millis(300);

    #[test]
    fn regular_files_up_to_the_cap_are_read_and_larger_ones_refused() {
        let dir = tempfile::tempdir().unwrap();
        let ok = dir.path().join("ok");
        fs::write(&ok, vec![b'a'; MAX_INPUT_BYTES]).unwrap();
        assert_eq!(read(&ok, "--cacert", SHORT).unwrap().len(), MAX_INPUT_BYTES);
        let big = dir.path().join("big");
        fs::write(&big, vec![b'a'; MAX_INPUT_BYTES + 1]).unwrap();
        let err = read(&big, "--cacert", SHORT).unwrap_err().0;
        assert!(
            err.starts_with("--cacert ") && err.contains("more than 1 MiB"),
            "{err}"
        );
    }

    #[cfg(unix)]
    #[test]
    fn devices_and_directories_are_refused_without_reading() {
        let err = read(Path::new("/dev/zero"), "--key", SHORT).unwrap_err().0;
        assert!(
            err.contains("a character device, not a regular file or a pipe"),
            "{err}"
        );
        let dir = tempfile::tempdir().unwrap();
        let err = read(dir.path(), "--password-file", SHORT).unwrap_err().0;
        assert!(
            err.contains("cannot read the file: it is a directory"),
            "{err}"
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_without_its_other_end_ends_at_the_bound() {
        let dir = tempfile::tempdir().unwrap();
        // Two FIFOs: the reader left waiting on the first would take the append's bytes.
        let fifo = |name: &str| {
            let path = dir.path().join(name);
            let made = std::process::Command::new("mkfifo")
                .arg(&path)
                .status()
                .unwrap();
            assert!(made.success(), "mkfifo (coreutils) is needed");
            path
        };
        let (unwritten, unread) = (fifo("unwritten"), fifo("unread"));
        let started = std::time::Instant::now();
        let err = read(&unwritten, "--password-file", SHORT).unwrap_err().0;
        assert!(err.contains("within --timeout (300 ms)"), "{err}");
        assert!(started.elapsed() < SHORT * 3, "{:?}", started.elapsed());
        let err = append(&unread, b"x".to_vec(), SHORT).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::TimedOut, "{err}");
        let err = write(&unread, b"x".to_vec(), SHORT).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::TimedOut, "{err}");
    }
}
