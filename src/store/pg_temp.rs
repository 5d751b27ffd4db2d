//! A throwaway PostgreSQL server in a temporary directory, for the tests and
//! the benchmarks: `initdb` and `pg_ctl` from the PostgreSQL packages on the
//! machine, run as the `postgres` user when we are root (the server refuses to
//! run as root), on a free loopback port. A watchdog stops the server and
//! removes its directory when the process that started it exits, however it
//! exits.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub struct TempPostgres {
    dir: PathBuf,
    port: u16,
    bin: PathBuf,
    run_as: Option<String>,
    /// The `-c` settings it runs with.
    settings: Vec<String>,
}

fn find_bin() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("SANQUAN_PG_BIN") {
        return Some(dir.into());
    }
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|p| p.join("initdb").exists())
        .collect();
    versions.sort_by_key(|p| {
        p.parent()
            .and_then(|v| v.file_name()?.to_str()?.parse::<u32>().ok())
            .unwrap_or(0)
    });
    versions.pop()
}

fn output(cmd: &mut Command) -> Result<String, String> {
    let out = cmd.output().map_err(|e| format!("{cmd:?}: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "{cmd:?} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// Gives `dir` to the server's user, when it runs as another.
fn chown_to(user: Option<&str>, dir: &Path) -> Result<(), String> {
    let Some(user) = user else { return Ok(()) };
    let uid: u32 = output(Command::new("id").args(["-u", user]))?
        .parse()
        .map_err(|_| "uid")?;
    let gid: u32 = output(Command::new("id").args(["-g", user]))?
        .parse()
        .map_err(|_| "gid")?;
    std::os::unix::fs::chown(dir, Some(uid), Some(gid)).map_err(|e| e.to_string())
}

fn free_port() -> Result<u16, String> {
    let l = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    Ok(l.local_addr().map_err(|e| e.to_string())?.port())
}

impl TempPostgres {
    /// Starts a server. Takes a few seconds (initdb).
    pub fn start() -> Result<TempPostgres, String> {
        Self::start_with(&[])
    }

    /// Starts a server with these settings (`name=value`, as `-c` takes them).
    pub fn start_with(settings: &[&str]) -> Result<TempPostgres, String> {
        let mut pg = Self::initialised()?;
        pg.launch(settings)?;
        Ok(pg)
    }

    /// A streaming replica of `primary` (issue 21): its data copied with
    /// `pg_basebackup -R` (which writes `standby.signal` and the primary's
    /// address), started as a hot standby that serves reads only.
    pub fn replica_of(primary: &TempPostgres) -> Result<TempPostgres, String> {
        let mut pg = Self::new_dir()?;
        let data = pg.data();
        let port = primary.port.to_string();
        pg.run(
            "pg_basebackup",
            &[
                "-h",
                "127.0.0.1",
                "-p",
                &port,
                "-U",
                "postgres",
                "-D",
                path(&data),
                "-R",
                "-X",
                "stream",
                // Not a spread checkpoint on the primary (minutes).
                "--checkpoint=fast",
                "--no-sync",
            ],
        )?;
        pg.launch(&[])?;
        Ok(pg)
    }

    /// A server that archives its write-ahead log into `archive/` of its
    /// directory (`archive_mode`), for a point-in-time restore.
    pub fn start_archiving() -> Result<TempPostgres, String> {
        let mut pg = Self::initialised()?;
        let archive = pg.archive();
        std::fs::create_dir(&archive).map_err(|e| e.to_string())?;
        chown_to(pg.run_as.as_deref(), &archive)?;
        pg.configure(&format!(
            "archive_mode = on\narchive_command = 'test ! -f {0}/%f && cp %p {0}/%f'\n",
            path(&archive)
        ))?;
        pg.launch(&[])?;
        Ok(pg)
    }

    /// Adds settings to the server's `postgresql.auto.conf`.
    fn configure(&self, settings: &str) -> Result<(), String> {
        let mut conf = std::fs::OpenOptions::new()
            .append(true)
            .open(self.data().join("postgresql.auto.conf"))
            .map_err(|e| e.to_string())?;
        std::io::Write::write_all(&mut conf, settings.as_bytes()).map_err(|e| e.to_string())
    }

    fn archive(&self) -> PathBuf {
        self.dir.join("archive")
    }

    /// A base backup of this server (`pg_basebackup`, not started): the
    /// start of a point-in-time restore.
    pub fn base_backup(&self) -> Result<TempPostgres, String> {
        let pg = Self::new_dir()?;
        let data = pg.data();
        let port = self.port.to_string();
        pg.run(
            "pg_basebackup",
            &[
                "-h",
                "127.0.0.1",
                "-p",
                &port,
                "-U",
                "postgres",
                "-D",
                path(&data),
                "--checkpoint=fast",
                "--no-sync",
            ],
        )?;
        Ok(pg)
    }

    /// Starts this base backup recovered from `primary`'s archive up to the
    /// restore point `target` (`pg_create_restore_point`), then promoted to
    /// a server of its own: PostgreSQL's point-in-time recovery.
    pub fn recover_to(
        mut self,
        primary: &TempPostgres,
        target: &str,
    ) -> Result<TempPostgres, String> {
        let data = self.data();
        let settings = format!(
            "restore_command = 'cp {}/%f %p'\nrecovery_target_name = '{target}'\nrecovery_target_action = 'promote'\n",
            path(&primary.archive())
        );
        self.configure(&settings)?;
        std::fs::write(data.join("recovery.signal"), "").map_err(|e| e.to_string())?;
        self.launch(&[])?;
        // Recovery ends, and the server promotes itself, after `pg_ctl -w`
        // returns: wait for it to take writes.
        for _ in 0..600 {
            if self
                .psql("postgres", "SELECT pg_is_in_recovery()")
                .as_deref()
                == Ok("f")
            {
                return Ok(self);
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        Err("the recovered server did not leave recovery within a minute".into())
    }

    /// A fresh directory with a new database cluster in it (`initdb`).
    fn initialised() -> Result<TempPostgres, String> {
        let pg = Self::new_dir()?;
        let data = pg.data();
        pg.run(
            "initdb",
            &[
                "-D",
                path(&data),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-sync",
            ],
        )?;
        Ok(pg)
    }

    /// A fresh directory (owned by the server's user when we are root),
    /// watched so that it goes when this process does.
    fn new_dir() -> Result<TempPostgres, String> {
        let bin = find_bin().ok_or(
            "no PostgreSQL server binaries under /usr/lib/postgresql (set SANQUAN_PG_BIN)",
        )?;
        let is_root = output(Command::new("id").arg("-u"))? == "0";
        let run_as = is_root.then(|| "postgres".to_owned());
        let dir = std::env::temp_dir().join(format!(
            "sanquan-pg-{}-{}",
            std::process::id(),
            rand::random::<u32>()
        ));
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        chown_to(run_as.as_deref(), &dir)?;
        let pg = TempPostgres {
            dir,
            port: 0,
            bin,
            run_as,
            settings: Vec::new(),
        };
        pg.watchdog()?;
        Ok(pg)
    }

    fn data(&self) -> PathBuf {
        self.dir.join("data")
    }

    /// Starts the server on a free port, trying another if one is taken
    /// meanwhile.
    fn launch(&mut self, settings: &[&str]) -> Result<(), String> {
        self.settings = settings.iter().map(|s| (*s).to_owned()).collect();
        let mut last = String::new();
        for _ in 0..5 {
            self.port = free_port()?;
            match self.start_again() {
                Ok(()) => return Ok(()),
                Err(e) => last = e,
            }
        }
        Err(last)
    }

    /// Starts the server again on its port, with its settings (after
    /// [`stop`](Self::stop)).
    pub fn start_again(&self) -> Result<(), String> {
        let mut opts = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c max_connections=200",
            self.port,
            path(&self.dir)
        );
        for setting in &self.settings {
            opts.push_str(" -c ");
            opts.push_str(setting);
        }
        let (data, log) = (self.data(), self.dir.join("server.log"));
        self.run(
            "pg_ctl",
            &[
                "-D",
                path(&data),
                "-o",
                &opts,
                "-l",
                path(&log),
                "-w",
                "-t",
                "60",
                "start",
            ],
        )
        .map(drop)
    }

    /// Stops the server at once (`-m immediate`: as a crash or a power cut
    /// leaves it; it recovers from its write-ahead log when started again).
    pub fn stop(&self) -> Result<(), String> {
        let data = self.data();
        self.run(
            "pg_ctl",
            &["-D", path(&data), "-m", "immediate", "-w", "stop"],
        )
        .map(drop)
    }

    fn run(&self, tool: &str, args: &[&str]) -> Result<String, String> {
        let exe = self.bin.join(tool);
        let mut cmd = match &self.run_as {
            Some(user) => {
                let mut c = Command::new("runuser");
                c.args(["-u", user, "--"]).arg(&exe);
                c
            }
            None => Command::new(&exe),
        };
        cmd.args(args).current_dir(&self.dir).stdin(Stdio::null());
        output(&mut cmd)
    }

    /// A shell that waits for this process to end, then stops the server
    /// (SIGQUIT: immediate shutdown) and removes the directory.
    fn watchdog(&self) -> Result<(), String> {
        let script = format!(
            "while kill -0 {pid} 2>/dev/null; do sleep 1; done; \
             p=$(head -1 '{dir}/data/postmaster.pid' 2>/dev/null); \
             [ -n \"$p\" ] && kill -QUIT \"$p\" 2>/dev/null; sleep 2; rm -rf '{dir}'",
            pid = std::process::id(),
            dir = path(&self.dir)
        );
        Command::new("sh")
            .args(["-c", &script])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("watchdog: {e}"))?;
        Ok(())
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Runs SQL with `psql` in database `db`, and returns what it printed
    /// (unaligned, tuples only).
    pub fn psql(&self, db: &str, sql: &str) -> Result<String, String> {
        let port = self.port.to_string();
        self.run(
            "psql",
            &[
                "-h",
                "127.0.0.1",
                "-p",
                &port,
                "-U",
                "postgres",
                "-d",
                db,
                "-v",
                "ON_ERROR_STOP=1",
                "-qAtc",
                sql,
            ],
        )
    }

    /// Creates a database and returns its URL.
    pub fn create_database(&self, name: &str) -> Result<String, String> {
        let port = self.port.to_string();
        self.run(
            "createdb",
            &["-h", "127.0.0.1", "-p", &port, "-U", "postgres", name],
        )?;
        Ok(format!(
            "postgres://postgres@127.0.0.1:{}/{name}",
            self.port
        ))
    }
}

impl Drop for TempPostgres {
    fn drop(&mut self) {
        let _ = self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn path(p: &Path) -> &str {
    p.to_str().expect("temporary paths are UTF-8")
}

/// A Citus cluster on loopback for the tests and the benchmarks: a
/// coordinator and `workers` workers, each a [`TempPostgres`] with the
/// extension preloaded and created in database `postgres`.
pub struct TempCitus {
    pub coordinator: TempPostgres,
    pub workers: Vec<TempPostgres>,
}

impl TempCitus {
    /// Whether the Citus extension is installed into the server binaries
    /// found (`citus.so` in PostgreSQL's library directory).
    pub fn installed() -> bool {
        find_bin()
            .and_then(|bin| {
                let out = Command::new(bin.join("pg_config"))
                    .arg("--pkglibdir")
                    .output()
                    .ok()?;
                let lib = String::from_utf8_lossy(&out.stdout).trim().to_owned();
                Some(Path::new(&lib).join("citus.so").exists())
            })
            .unwrap_or(false)
    }

    pub fn start(workers: usize) -> Result<TempCitus, String> {
        Self::start_with(workers, &[])
    }

    /// The same, each node with these settings too.
    pub fn start_with(workers: usize, settings: &[&str]) -> Result<TempCitus, String> {
        if !Self::installed() {
            return Err(
                "the Citus extension is not installed (citus.so not in PostgreSQL's \
                        library directory)"
                    .into(),
            );
        }
        let node = || -> Result<TempPostgres, String> {
            let mut all = vec!["shared_preload_libraries=citus"];
            all.extend_from_slice(settings);
            let pg = TempPostgres::start_with(&all)?;
            pg.psql("postgres", "CREATE EXTENSION citus")?;
            Ok(pg)
        };
        let coordinator = node()?;
        coordinator.psql(
            "postgres",
            &format!(
                "SELECT citus_set_coordinator_host('127.0.0.1', {})",
                coordinator.port
            ),
        )?;
        let mut all = Vec::new();
        for _ in 0..workers {
            let w = node()?;
            coordinator.psql(
                "postgres",
                &format!("SELECT citus_add_node('127.0.0.1', {})", w.port),
            )?;
            all.push(w);
        }
        Ok(TempCitus {
            coordinator,
            workers: all,
        })
    }

    /// The coordinator's database, where the application connects.
    pub fn url(&self) -> String {
        format!(
            "postgres://postgres@127.0.0.1:{}/postgres",
            self.coordinator.port
        )
    }
}
