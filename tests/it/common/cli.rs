//! The `sanquan` binary, run as its users run it.

/// The `sanquan` binary built with these tests.
pub const BIN: &str = env!("CARGO_BIN_EXE_sanquan");

/// Runs the binary (on its SQLite default, whatever the environment says).
pub fn sanquan(args: &[&str]) -> std::process::Output {
    std::process::Command::new(BIN)
        .args(args)
        .env_remove("SANQUAN_DATABASE_URL")
        .output()
        .unwrap()
}

/// How many entries `verify` finds in a data directory.
pub fn entries(dir: &str) -> u64 {
    let out = ok(&sanquan(&["verify", "--data-dir", dir]));
    out.strip_prefix("ok: ")
        .and_then(|r| r.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{out}"))
}

/// The standard output of a run that must succeed.
pub fn ok(out: &std::process::Output) -> String {
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

/// Starts the binary with `args`, its standard output piped, and reads the
/// first line it prints (where a server says its address).
pub fn started(args: &[&std::ffi::OsStr]) -> (std::process::Child, String) {
    use std::io::BufRead;
    let mut child = std::process::Command::new(BIN)
        .args(args)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    (child, line)
}
