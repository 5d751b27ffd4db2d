//! `sanquan witness` (issue 20): a C2SP tlog-witness for neighbouring
//! counties' state logs — `POST /add-checkpoint`, the state of each log
//! kept in one file, checked and written under one lock before the answer,
//! and a fork's two notes kept as evidence beside it.

use std::path::PathBuf;
use std::sync::Mutex;

use actix_web::{web, App, HttpResponse, HttpServer};

use super::datadir::read_signer_key;
use super::CliError;
use crate::ledger::cosignature::CosignerKey;
use crate::ledger::witness::{add_checkpoint, WitnessState};
use crate::ledger::SignerKey;
use crate::model::VerifierKey;

#[derive(clap::Args)]
pub struct WitnessArgs {
    /// The witness's signer key (`sanquan keygen`); its cosigner vkey is
    /// printed at the start.
    #[arg(long)]
    key: PathBuf,
    /// A log this witness cosigns: the vkey of its state log (`sanquan
    /// policy` prints a county's). As many as it witnesses.
    #[arg(long = "log")]
    logs: Vec<String>,
    /// The file that keeps each log's newest cosigned checkpoint.
    #[arg(long)]
    state: PathBuf,
    #[arg(long, default_value = "127.0.0.1:8090")]
    listen: String,
    /// Print the cosigner vkey and exit.
    #[arg(long)]
    vkey: bool,
}

struct Witness {
    key: SignerKey,
    logs: Vec<VerifierKey>,
    file: PathBuf,
    state: Mutex<WitnessState>,
}

impl Witness {
    /// Writes the state beside its file and renames it over: a crash
    /// leaves the old state or the new, never half of one.
    fn persist(&self, state: &WitnessState) -> std::io::Result<()> {
        let tmp = self.file.with_extension("tmp");
        let bytes = serde_json::to_vec_pretty(state).expect("state serialises");
        {
            use std::io::Write;
            let mut f = std::fs::File::create(&tmp)?;
            f.write_all(&bytes)?;
            f.sync_all()?;
        }
        std::fs::rename(&tmp, &self.file)
    }

    fn evidence(&self, before: &str, after: &str) {
        let dir = self.file.with_extension("forks");
        let name = format!("{}.txt", chrono::Utc::now().format("%Y%m%dT%H%M%S%.fZ"));
        let text = format!("cosigned before:\n{before}\nrefused now:\n{after}");
        if let Err(e) =
            std::fs::create_dir_all(&dir).and_then(|()| std::fs::write(dir.join(name), text))
        {
            tracing::error!(error = %e, "fork evidence not written");
        }
    }
}

async fn add(w: web::Data<Witness>, body: String) -> HttpResponse {
    let now = chrono::Utc::now().timestamp().max(0) as u64;
    let w = w.into_inner();
    let answer = web::block(move || {
        let mut state = w.state.lock().unwrap_or_else(|e| e.into_inner());
        let mut next = state.clone();
        match add_checkpoint(&mut next, &w.logs, &w.key, &body, now) {
            Ok(line) => match w.persist(&next) {
                Ok(()) => {
                    *state = next;
                    Ok(line)
                }
                Err(e) => Err((
                    500,
                    "text/plain; charset=utf-8",
                    format!("state not written: {e}\n"),
                )),
            },
            Err(r) => {
                if let Some((before, after)) = &r.fork {
                    tracing::error!(status = r.status, "a fork refused:\n{before}\n---\n{after}");
                    w.evidence(before, after);
                }
                Err((r.status, r.content_type, r.body))
            }
        }
    })
    .await;
    match answer {
        Ok(Ok(line)) => HttpResponse::Ok()
            .content_type("text/plain; charset=utf-8")
            .body(line),
        Ok(Err((status, ct, body))) => HttpResponse::build(
            actix_web::http::StatusCode::from_u16(status)
                .unwrap_or(actix_web::http::StatusCode::INTERNAL_SERVER_ERROR),
        )
        .content_type(ct)
        .body(body),
        Err(_) => HttpResponse::InternalServerError().finish(),
    }
}

pub fn run(args: &WitnessArgs) -> Result<(), CliError> {
    let key = read_signer_key(&args.key)?;
    let vkey = CosignerKey::of(&key);
    if args.vkey {
        println!("{vkey}");
        return Ok(());
    }
    let logs = args
        .logs
        .iter()
        .map(|l| VerifierKey::parse(l).map_err(|e| CliError::Usage(format!("--log {l}: {e}"))))
        .collect::<Result<Vec<_>, _>>()?;
    if logs.is_empty() {
        return Err(CliError::Usage(
            "give the vkey of at least one log (--log)".into(),
        ));
    }
    let state: WitnessState = match std::fs::read(&args.state) {
        Ok(bytes) => serde_json::from_slice(&bytes)
            .map_err(|e| CliError::Usage(format!("{}: {e}", args.state.display())))?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => WitnessState::default(),
        Err(e) => return Err(e.into()),
    };
    let listener = std::net::TcpListener::bind(&args.listen)
        .map_err(|e| CliError::Usage(format!("--listen {}: {e}", args.listen)))?;
    println!(
        "sanquan witness {vkey} — http://{}/add-checkpoint",
        listener.local_addr()?
    );
    let witness = web::Data::new(Witness {
        key,
        logs,
        file: args.state.clone(),
        state: Mutex::new(state),
    });
    actix_web::rt::System::new().block_on(async move {
        HttpServer::new(move || {
            App::new()
                .app_data(witness.clone())
                .app_data(web::PayloadConfig::new(crate::ledger::witness::MAX_REQUEST))
                .route("/add-checkpoint", web::post().to(add))
        })
        .workers(2)
        .listen(listener)?
        .run()
        .await
    })?;
    Ok(())
}

/// A witness process the demo started; stopped with the demo.
pub struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The demo's two witnesses (壶关县 140422 and 黎城县 140426, neighbours of
/// the demo county): their keys in the data directory, each a `sanquan
/// witness` process on a port of its own, and the county's policy file
/// naming both, both needed.
pub fn demo_witnesses(dir: &super::DataDir) -> Result<Vec<Child>, CliError> {
    use std::io::BufRead;
    let log_key = dir.log_key()?;
    let state = crate::store::statelog::StateKeeper::state_key(&log_key, &dir.config.county)
        .verifier()
        .to_string();
    let event = log_key.verifier().to_string();
    let mut children = Vec::new();
    let mut policy = String::from("# 邻县见证方（演示）\n");
    for (name, county) in [("壶关县", "140422"), ("黎城县", "140426")] {
        let key_path = dir.key_path(&format!("witness-{county}.key"));
        if !key_path.exists() {
            let key = SignerKey::generate(&format!("witness.{county}")).expect("a valid name");
            super::datadir::write_key_pair(&key_path, &key)?;
        }
        let mut child = std::process::Command::new(std::env::current_exe()?)
            .args([
                "witness",
                "--listen",
                "127.0.0.1:0",
                "--log",
                &state,
                "--log",
                &event,
            ])
            .arg("--key")
            .arg(&key_path)
            .arg("--state")
            .arg(dir.path.join(format!("witness-{county}.json")))
            .stdout(std::process::Stdio::piped())
            .spawn()?;
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().expect("piped")).read_line(&mut line)?;
        children.push(Child(child));
        // "sanquan witness <vkey> — http://ADDR/add-checkpoint"
        let words: Vec<&str> = line.split_whitespace().collect();
        let (Some(vkey), Some(url)) = (words.get(2), words.get(4)) else {
            return Err(CliError::Usage(format!("the witness said {line:?}")));
        };
        policy += &format!(
            "witness {name} {vkey} {}\n",
            url.trim_end_matches("/add-checkpoint")
        );
    }
    policy += "group 邻县 all 壶关县 黎城县\nquorum 邻县\n";
    std::fs::write(dir.path.join(super::proofs::POLICY_FILE), policy)?;
    println!(
        "demo witnesses: 壶关县 and 黎城县, each a process of its own; the policy is {}",
        dir.path.join(super::proofs::POLICY_FILE).display()
    );
    Ok(children)
}
