//! Benchmarks of the deployed artefacts themselves: the release bootstraps of the three
//! functions, started as processes against a Lambda Runtime API stub, next to a bare
//! `lambda_runtime` hello world (`src/bin/hello.rs`) as the floor.
//!
//! - `cold_start` (issue 8, item 3): init and first-invocation time, binary and zip sizes;
//! - `memory` (issue 8, item 6): resident memory after init and at peak under load.
//!
//! Like `make bench-lists`, they run on demand and never in `make test` (design.md,
//! "Testing layers", layer 4). docs/performance.md has the figures.

use std::io::Write as _;
use std::path::Path;
use std::time::Duration;

pub mod event;
pub mod launch;
pub mod seed;
pub mod stub;

/// Any error, for `main` to print.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A whole number from the environment variable `name`, or `default` when it is unset.
pub fn env_number(name: &str, default: usize) -> Result<usize, BoxError> {
    match std::env::var(name) {
        Ok(value) => value
            .trim()
            .parse()
            .map_err(|_| format!("{name} must be a whole number, got {value:?}").into()),
        Err(_) => Ok(default),
    }
}

/// Median, 90th percentile and minimum of a sample.
#[derive(Debug, Clone, Copy)]
pub struct Summary {
    /// The median (the mean of the two middle values for an even count).
    pub median: Duration,
    /// The 90th percentile, nearest rank.
    pub p90: Duration,
    /// The fastest.
    pub min: Duration,
}

/// Summarises `samples`; `None` when there are none.
pub fn summarise(samples: &[Duration]) -> Option<Summary> {
    let mut sorted = samples.to_vec();
    sorted.sort_unstable();
    let n = sorted.len();
    let min = *sorted.first()?;
    let median = if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2
    };
    // Nearest rank: the smallest value with at least 90 % of the sample at or below it.
    let rank = (n * 9).div_ceil(10).max(1);
    Some(Summary {
        median,
        p90: sorted[rank - 1],
        min,
    })
}

/// Milliseconds with two decimals.
pub fn ms(duration: Duration) -> String {
    format!("{:.2}", duration.as_secs_f64() * 1000.0)
}

/// A byte count with thousands separators (`4,194,304`).
pub fn thousands(value: u64) -> String {
    let digits = value.to_string();
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// A byte count in MiB with two decimals.
pub fn mib(bytes: u64) -> String {
    format!("{:.2}", bytes as f64 / (1024.0 * 1024.0))
}

/// The machine the figures come from.
#[derive(Debug, Clone)]
pub struct Machine {
    /// The first `model name` of `/proc/cpuinfo`.
    pub cpu: String,
    /// Logical CPUs this process may run on.
    pub cores: usize,
    /// `x86_64`, `aarch64`, …
    pub arch: &'static str,
    /// The kernel release.
    pub kernel: String,
}

impl Machine {
    /// Reads the CPU model, core count, architecture and kernel of this machine.
    pub fn detect() -> Self {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let cpu = cpuinfo
            .lines()
            .find_map(|line| {
                let (key, value) = line.split_once(':')?;
                (key.trim() == "model name").then(|| value.trim().to_owned())
            })
            .unwrap_or_else(|| "unknown CPU".to_owned());
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")
            .map(|release| release.trim().to_owned())
            .unwrap_or_else(|_| "unknown".to_owned());
        Self {
            cpu,
            cores,
            arch: std::env::consts::ARCH,
            kernel,
        }
    }

    /// One Markdown paragraph: the machine, the date, the binaries, and how it differs
    /// from Lambda.
    pub fn describe(&self, binaries: &Path) -> String {
        let now = chrono::Utc::now().format("%Y-%m-%d %H:%M UTC");
        let build = if std::env::var_os("BENCH_BIN_DIR").is_some() {
            format!("binaries from `{}`", binaries.display())
        } else {
            "release build (`cargo build --release`)".to_owned()
        };
        let mut text = format!(
            "Measured {now} on {}, {} cores, {} Linux {}, {build}.",
            self.cpu, self.cores, self.arch, self.kernel
        );
        if self.arch != "aarch64" {
            text.push_str(&format!(
                " The functions deploy to arm64 (Graviton, `provided.al2023`); these are \
                 native {} builds, so absolute figures will differ there.",
                self.arch
            ));
        }
        text
    }
}

/// The size in bytes of `binary` zipped as Lambda takes it: one entry `bootstrap`,
/// deflated (what `cargo lambda build --output-format zip` produces).
pub fn zipped_size(binary: &Path) -> Result<u64, BoxError> {
    let bytes = std::fs::read(binary)?;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .unix_permissions(0o755);
    zip.start_file("bootstrap", options)?;
    zip.write_all(&bytes)?;
    let archive = zip.finish()?.into_inner();
    Ok(archive.len() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn millis(values: &[u64]) -> Vec<Duration> {
        values.iter().copied().map(Duration::from_millis).collect()
    }

    #[test]
    fn summary_takes_median_nearest_rank_p90_and_min() {
        let odd = summarise(&millis(&[5, 1, 3, 2, 4])).unwrap();
        assert_eq!(odd.median, Duration::from_millis(3));
        assert_eq!(odd.p90, Duration::from_millis(5));
        assert_eq!(odd.min, Duration::from_millis(1));
        let ten = summarise(&millis(&[10, 9, 8, 7, 6, 5, 4, 3, 2, 1])).unwrap();
        assert_eq!(ten.median, Duration::from_micros(5500));
        assert_eq!(ten.p90, Duration::from_millis(9));
        assert!(summarise(&[]).is_none());
    }

    #[test]
    fn thousands_are_separated() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(4_194_304), "4,194,304");
    }
}
