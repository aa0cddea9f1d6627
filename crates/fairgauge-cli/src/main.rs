//! The `fairgauge` binary: the command line of [`fairgauge_cli`].

use std::process::ExitCode;

/// jemalloc: glibc's per-thread arenas fragment under the many threads polars and rayon run, and
/// a long streaming run's memory grew with its rows (a bounded `monitor` of 100M rows: 2.7 GB
/// with glibc; BENCHMARKS.md, "Monitoring").
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> ExitCode {
    ExitCode::from(fairgauge_cli::run(std::env::args_os()))
}
