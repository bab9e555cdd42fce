//! Certificates made the way people make them: the `openssl` command line, its defaults
//! included (`req -x509` gives `CA:TRUE`), RSA or EC keys, leaves signed with `x509 -req`
//! and an extension file, and a stand-in for a system certificate folder.

use std::fs;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use tempfile::TempDir;

use super::certs::TlsFiles;
use super::redis::find_binary;
use super::tls_fake::OPENSSL_REQUIRED;

/// The key a certificate is made with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    /// `-newkey rsa:2048`.
    Rsa,
    /// `-newkey ec -pkeyopt ec_paramgen_curve:prime256v1`.
    Ec,
}

/// A CA made with `openssl req -x509`: its certificate and key.
#[derive(Debug, Clone)]
pub struct OpensslCa {
    /// Certificate (PEM).
    pub cert: PathBuf,
    /// Private key (PEM).
    pub key: PathBuf,
}

/// A temp dir of certificates made by the `openssl` binary.
pub struct Openssl {
    dir: TempDir,
    bin: PathBuf,
    counter: AtomicUsize,
}

impl Openssl {
    /// A fresh temp dir; panics with what to install when `openssl` is missing.
    pub fn new() -> Openssl {
        let bin = find_binary("REDCHECK_OPENSSL", "openssl").expect(OPENSSL_REQUIRED);
        let dir = tempfile::Builder::new()
            .prefix("redcheck-openssl-")
            .tempdir()
            .expect("create temp dir for openssl certificates");
        Openssl {
            dir,
            bin,
            counter: AtomicUsize::new(0),
        }
    }

    /// The temp dir everything is written to.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// `openssl req -x509 -newkey … -nodes -subj SUBJ [-addext EXT]…`: a self-signed
    /// certificate as a tutorial makes it (`CA:TRUE` unless `addext` says otherwise). The
    /// returned files name the certificate itself as the CA file.
    pub fn self_signed(&self, key: Key, subj: &str, addext: &[&str]) -> TlsFiles {
        let (cert, key_path) = self.paths("self");
        let mut cmd = self.req_x509(key, subj, &key_path, &cert);
        for ext in addext {
            cmd.args(["-addext", ext]);
        }
        self.run(&mut cmd);
        TlsFiles {
            cert: cert.clone(),
            key: key_path,
            ca: cert,
        }
    }

    /// A CA: `openssl req -x509` with its defaults.
    pub fn ca(&self, subj: &str) -> OpensslCa {
        let files = self.self_signed(Key::Rsa, subj, &[]);
        OpensslCa {
            cert: files.cert,
            key: files.key,
        }
    }

    /// A certificate signed by `ca`: `openssl req -new` then `openssl x509 -req` with an
    /// extension file of `ext` lines (`subjectAltName=DNS:localhost`, `basicConstraints=…`).
    pub fn signed(&self, ca: &OpensslCa, key: Key, subj: &str, ext: &[&str]) -> TlsFiles {
        let (cert, key_path) = self.paths("signed");
        let csr = cert.with_extension("csr");
        let extfile = cert.with_extension("ext");
        fs::write(&extfile, ext.join("\n") + "\n").expect("write extension file");
        let mut req = Command::new(&self.bin);
        req.args(["req", "-new", "-nodes", "-subj", subj]);
        key_args(&mut req, key);
        req.arg("-keyout").arg(&key_path).arg("-out").arg(&csr);
        self.run(&mut req);
        let mut x509 = Command::new(&self.bin);
        x509.args(["x509", "-req", "-days", "365", "-CAcreateserial"])
            .arg("-in")
            .arg(&csr)
            .arg("-CA")
            .arg(&ca.cert)
            .arg("-CAkey")
            .arg(&ca.key)
            .arg("-extfile")
            .arg(&extfile)
            .arg("-out")
            .arg(&cert);
        self.run(&mut x509);
        TlsFiles {
            cert,
            key: key_path,
            ca: ca.cert.clone(),
        }
    }

    /// An intermediate CA signed by `ca`, as a CA's own runbook makes one.
    pub fn intermediate(&self, ca: &OpensslCa, subj: &str) -> OpensslCa {
        let files = self.signed(
            ca,
            Key::Rsa,
            subj,
            &[
                "basicConstraints=critical,CA:TRUE,pathlen:0",
                "keyUsage=critical,keyCertSign,cRLSign",
            ],
        );
        OpensslCa {
            cert: files.cert,
            key: files.key,
        }
    }

    /// `cat` of PEM files into a new file: a certificate chain for `tls-cert-file`.
    pub fn concat(&self, parts: &[&Path]) -> PathBuf {
        let (out, _) = self.paths("chain");
        let pem: String = parts
            .iter()
            .map(|p| fs::read_to_string(p).expect("read PEM to concatenate"))
            .collect();
        fs::write(&out, pem).expect("write chain");
        out
    }

    /// A certificate folder like `/etc/ssl/certs`: each certificate under its own name plus
    /// the `HASH.0` link `c_rehash` / `update-ca-certificates` makes. For `SSL_CERT_DIR`.
    pub fn cert_dir(&self, certs: &[(&str, &Path)]) -> PathBuf {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let dir = self.dir.path().join(format!("certs-{n}"));
        fs::create_dir(&dir).expect("create cert folder");
        for (name, cert) in certs {
            fs::copy(cert, dir.join(name)).expect("copy certificate into folder");
            let out = self.output(
                Command::new(&self.bin)
                    .args(["x509", "-hash", "-noout", "-in"])
                    .arg(cert),
            );
            symlink(name, dir.join(format!("{}.0", out.trim()))).expect("hash link");
        }
        dir
    }

    fn req_x509(&self, key: Key, subj: &str, key_path: &Path, cert: &Path) -> Command {
        let mut cmd = Command::new(&self.bin);
        cmd.args(["req", "-x509", "-nodes", "-days", "365", "-subj", subj]);
        key_args(&mut cmd, key);
        cmd.arg("-keyout").arg(key_path).arg("-out").arg(cert);
        cmd
    }

    fn paths(&self, kind: &str) -> (PathBuf, PathBuf) {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let base = self.dir.path().join(format!("{kind}-{n}"));
        (base.with_extension("pem"), base.with_extension("key"))
    }

    fn run(&self, cmd: &mut Command) {
        self.output(cmd);
    }

    fn output(&self, cmd: &mut Command) -> String {
        let out = cmd.output().expect(OPENSSL_REQUIRED);
        assert!(
            out.status.success(),
            "{cmd:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}

fn key_args(cmd: &mut Command, key: Key) {
    match key {
        Key::Rsa => cmd.args(["-newkey", "rsa:2048"]),
        Key::Ec => cmd.args(["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"]),
    };
}
