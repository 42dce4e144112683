//! Starting a bootstrap the way the Lambda service does: a fresh process with a clean
//! environment (the variables Lambda sets, plus the function's configuration), pointed
//! at a Runtime API, its output discarded.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::BoxError;
use crate::stub::{Invocation, RuntimeApi};

/// How long a function may take to init or to answer one event before the run fails.
pub const TIMEOUT: Duration = Duration::from_secs(30);

/// A bench-only secret (48 bytes, over the 32 the functions require) for tokens.
pub const TOKEN_SECRET: &str = "bench-only-token-secret-never-use-outside-bench1";
/// A bench-only secret (48 bytes) for pagination cursors.
pub const CURSOR_SECRET: &str = "bench-only-cursor-secret-never-use-outside-bench";

/// A binary to benchmark.
#[derive(Debug, Clone)]
pub struct Subject {
    /// Its name: `hello`, `clients`, `loans` or `auth`.
    pub name: &'static str,
    /// The bootstrap.
    pub binary: PathBuf,
    /// Whether it is a `lambda_http` function of the API (`hello` is not).
    pub is_api: bool,
}

/// The directory of the release binaries: `BENCH_BIN_DIR`, or the workspace's
/// `target/release` (`CARGO_TARGET_DIR/release` when that is set).
pub fn release_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("BENCH_BIN_DIR") {
        return PathBuf::from(dir);
    }
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(
        || {
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("..")
                .join("target")
        },
        PathBuf::from,
    );
    target.join("release")
}

/// The floor and the three functions, in `dir`; fails if one has not been built.
pub fn subjects(dir: &Path) -> Result<Vec<Subject>, BoxError> {
    [
        ("hello", false),
        ("clients", true),
        ("loans", true),
        ("auth", true),
    ]
    .into_iter()
    .map(|(name, is_api)| subject(dir, name, is_api))
    .collect()
}

/// The binary `name` in `dir`; fails if it has not been built.
pub fn subject(dir: &Path, name: &'static str, is_api: bool) -> Result<Subject, BoxError> {
    let subject = Subject {
        name,
        binary: dir.join(name),
        is_api,
    };
    if subject.binary.is_file() {
        Ok(subject)
    } else {
        Err(format!(
            "{} is missing: build first with `cargo build --release -p bench -p clients -p loans -p auth` (the make targets do)",
            subject.binary.display()
        )
        .into())
    }
}

/// The function configuration: what `template.yaml` gives every function, with bench
/// secrets, plus the DynamoDB endpoint when one is given.
pub fn function_config(
    table: &str,
    endpoint: Option<&str>,
    log_level: &str,
) -> Vec<(String, String)> {
    let mut config = vec![
        ("TABLE_NAME".to_owned(), table.to_owned()),
        ("CURSOR_SECRET".to_owned(), CURSOR_SECRET.to_owned()),
        ("TOKEN_SECRET".to_owned(), TOKEN_SECRET.to_owned()),
        ("RUST_LOG".to_owned(), log_level.to_owned()),
    ];
    if let Some(endpoint) = endpoint.filter(|e| !e.is_empty()) {
        config.push(("AWS_ENDPOINT_URL_DYNAMODB".to_owned(), endpoint.to_owned()));
    }
    config.extend(extra_env());
    config
}

/// `BENCH_FUNCTION_ENV`: space-separated `NAME=value` pairs added to every function's
/// environment, to try a setting (e.g. `GLIBC_TUNABLES=glibc.malloc.mmap_threshold=131072`)
/// before putting it in `template.yaml`.
fn extra_env() -> Vec<(String, String)> {
    std::env::var("BENCH_FUNCTION_ENV")
        .unwrap_or_default()
        .split_whitespace()
        .filter_map(|pair| pair.split_once('='))
        .map(|(name, value)| (name.to_owned(), value.to_owned()))
        .collect()
}

/// Where a function's output goes: nowhere, as its logs would cost the benchmark time,
/// unless `BENCH_FUNCTION_LOGS` is set (to see why a run fails).
fn output() -> Stdio {
    if std::env::var_os("BENCH_FUNCTION_LOGS").is_some() {
        Stdio::inherit()
    } else {
        Stdio::null()
    }
}

/// A running function and its Runtime API; dropping it kills the process.
pub struct Instance {
    /// The Runtime API the function talks to.
    pub api: RuntimeApi,
    child: Child,
    /// Just before the process was spawned.
    pub spawned: Instant,
    /// When the first `GET next` arrived: the end of init.
    pub initialised: Instant,
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Instance {
    /// Starts `subject` against a new Runtime API stub and waits for the end of its init.
    pub async fn start(subject: &Subject, config: &[(String, String)]) -> Result<Self, BoxError> {
        let api = RuntimeApi::start(subject.name).await?;
        let mut command = Command::new(&subject.binary);
        command
            .env_clear()
            .envs(lambda_environment(subject, &api.address().to_string()))
            .envs(config.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .stdin(Stdio::null())
            .stdout(output())
            .stderr(output());
        let spawned = Instant::now();
        let child = command.spawn()?;
        let mut instance = Self {
            api,
            child,
            spawned,
            initialised: spawned,
        };
        instance.initialised = match instance.api.init_done(TIMEOUT).await {
            Ok(at) => at,
            Err(err) => return Err(instance.explain(err)),
        };
        Ok(instance)
    }

    /// Init as Lambda bills it: from the process start to its first `GET next`.
    pub fn init(&self) -> Duration {
        self.initialised.saturating_duration_since(self.spawned)
    }

    /// Hands `event` to the function and waits for its response.
    pub async fn invoke(&mut self, event: Vec<u8>) -> Result<Invocation, BoxError> {
        match self.api.invoke(event, TIMEOUT).await {
            Ok(invocation) => Ok(invocation),
            Err(err) => Err(self.explain(err)),
        }
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Adds the process's exit status to an error, when it has exited.
    fn explain(&mut self, err: BoxError) -> BoxError {
        match self.child.try_wait() {
            Ok(Some(status)) => format!("{err} (the process exited: {status})").into(),
            _ => err,
        }
    }
}

/// The variables the Lambda service sets for a `provided.al2023` function, with fake
/// credentials (DynamoDB Local accepts any key id of letters and digits; nothing here
/// reaches AWS).
fn lambda_environment(subject: &Subject, runtime_api: &str) -> Vec<(String, String)> {
    let name = format!("lending-{}", subject.name);
    [
        ("AWS_LAMBDA_RUNTIME_API", runtime_api.to_owned()),
        ("AWS_LAMBDA_FUNCTION_NAME", name.clone()),
        // Only reported to the handler (`Context`); it changes nothing locally.
        ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256".to_owned()),
        ("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST".to_owned()),
        (
            "AWS_LAMBDA_LOG_STREAM_NAME",
            "2026/11/27/[$LATEST]0123456789abcdef0123456789abcdef".to_owned(),
        ),
        ("AWS_LAMBDA_LOG_GROUP_NAME", format!("/aws/lambda/{name}")),
        ("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand".to_owned()),
        ("AWS_REGION", "us-east-1".to_owned()),
        ("AWS_DEFAULT_REGION", "us-east-1".to_owned()),
        ("AWS_ACCESS_KEY_ID", "BENCHFAKEACCESSKEY".to_owned()),
        ("AWS_SECRET_ACCESS_KEY", "benchFakeSecretKey".to_owned()),
        ("AWS_SESSION_TOKEN", "benchFakeSessionToken".to_owned()),
        ("_HANDLER", "bootstrap".to_owned()),
        ("LAMBDA_TASK_ROOT", "/var/task".to_owned()),
        ("LAMBDA_RUNTIME_DIR", "/var/runtime".to_owned()),
        ("LANG", "en_US.UTF-8".to_owned()),
        ("TZ", ":UTC".to_owned()),
        ("PATH", "/usr/local/bin:/usr/bin/:/bin:/opt/bin".to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

/// Resident memory of a process, from `/proc/<pid>/status`, in KiB.
#[derive(Debug, Clone, Copy)]
pub struct Rss {
    /// `VmRSS`: resident now.
    pub current_kib: u64,
    /// `VmHWM`: the most it has ever been resident (the high-water mark).
    pub peak_kib: u64,
}

/// Reads `VmRSS` and `VmHWM` of `pid`.
pub fn rss(pid: u32) -> Result<Rss, BoxError> {
    let status = fs::read_to_string(format!("/proc/{pid}/status"))?;
    let field = |name: &str| -> Result<u64, BoxError> {
        status
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
            .ok_or_else(|| format!("no {name} in /proc/{pid}/status").into())
    };
    Ok(Rss {
        current_kib: field("VmRSS:")?,
        peak_kib: field("VmHWM:")?,
    })
}
