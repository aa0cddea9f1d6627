//! A table's rows split by calendar window into temporary Parquet files, one per window and
//! without the time column, read in one streaming pass: `monitor`'s bounded-memory mode then
//! assesses one window file at a time. Memory holds a batch being read and, per window, at most
//! [`FLUSH_ROWS`] rows waiting to be written; the disk holds the data once more (LZ4).

use std::collections::BTreeMap;
use std::fs::File;
use std::io::BufWriter;
use std::path::PathBuf;

use jiff::civil::Date;
use polars::prelude::*;

use crate::error::{Error, Result};
use crate::io::frame::for_each_batch;
use crate::io::source::Table;
use crate::io::windows::{Every, TimeReader};

/// Rows a window gathers before they are written as one row group.
const FLUSH_ROWS: usize = 8_192;

/// One window's file.
#[derive(Debug)]
pub(crate) struct WindowFile {
    pub(crate) start: Date,
    pub(crate) end: Date,
    pub(crate) rows: u64,
    pub(crate) path: PathBuf,
}

/// The windows' files (in time order, in a temporary folder removed when this is dropped) and
/// what was kept out of them.
#[derive(Debug)]
pub(crate) struct WindowFiles {
    pub(crate) windows: Vec<WindowFile>,
    pub(crate) rows: u64,
    pub(crate) untimed: u64,
    pub(crate) first_unreadable: Option<(u64, String)>,
    _dir: tempfile::TempDir,
}

/// A window's file being written.
struct Pending {
    writer: polars::io::parquet::write::BatchedWriter<BufWriter<File>>,
    waiting: Vec<DataFrame>,
    waiting_rows: usize,
    rows: u64,
    path: PathBuf,
}

impl Pending {
    fn flush(&mut self) -> PolarsResult<()> {
        let Some(mut df) = self.waiting.first().cloned() else {
            return Ok(());
        };
        for d in &self.waiting[1..] {
            df.vstack_mut(d)?;
        }
        self.writer.write_batch(&df)?;
        self.waiting.clear();
        self.waiting_rows = 0;
        Ok(())
    }
}

/// Splits the rows of `data` by the calendar window of their `time` (module documentation).
/// Rows with no readable time go to no file and are counted.
pub(crate) fn split_by_window(data: &Table, time: &str, every: Every) -> Result<WindowFiles> {
    if let Every::Rows(n) = every {
        return Err(Error::InvalidOption(format!(
            "--every {n}: windows of N rows need the whole table in time order, which the \
             bounded-memory mode (a policy with [quality] sketch) does not hold; use day, week, \
             month or quarter"
        )));
    }
    let dir = tempfile::Builder::new()
        .prefix("fairgauge-windows-")
        .tempdir()
        .map_err(|e| Error::Io {
            path: std::env::temp_dir(),
            message: format!("temporary folder of the bounded-memory mode: {e}"),
        })?;
    let io = |path: &PathBuf, e: String| Error::Io {
        path: path.clone(),
        message: format!("temporary window file of the bounded-memory mode: {e}"),
    };
    let names = data.column_names()?;
    let mut pending: BTreeMap<Date, Pending> = BTreeMap::new();
    let (mut rows, mut untimed, mut first_bad) = (0u64, 0u64, None);
    for_each_batch(data, &names, |batch, first_row| {
        let mut reader = TimeReader {
            offset: first_row,
            ..Default::default()
        };
        batch
            .visit(time, &mut reader)
            .map_err(|e| Error::InvalidOption(format!("column `{time}`: {e}")))?;
        if first_bad.is_none() {
            first_bad = reader.first_bad.take();
        }
        rows += reader.times.len() as u64;
        let mut by: BTreeMap<Date, Vec<IdxSize>> = BTreeMap::new();
        for (i, t) in reader.times.iter().enumerate() {
            match t {
                Some(t) => by
                    .entry(every.period(t.date()).0)
                    .or_default()
                    .push(i as IdxSize),
                None => untimed += 1,
            }
        }
        let body = batch
            .frame()
            .drop(time)
            .map_err(|e| Error::InvalidOption(format!("column `{time}`: {e}")))?;
        for (start, idx) in by {
            let piece = body
                .take(&IdxCa::from_vec("rows".into(), idx))
                .map_err(|e| Error::InvalidOption(e.to_string()))?;
            let p = match pending.get_mut(&start) {
                Some(p) => p,
                None => {
                    let path = dir.path().join(format!("{start}.parquet"));
                    let file = File::create(&path).map_err(|e| io(&path, e.to_string()))?;
                    let writer = ParquetWriter::new(BufWriter::new(file))
                        .with_compression(ParquetCompression::Lz4Raw)
                        .batched(piece.schema())
                        .map_err(|e| io(&path, e.to_string()))?;
                    pending.entry(start).or_insert(Pending {
                        writer,
                        waiting: vec![],
                        waiting_rows: 0,
                        rows: 0,
                        path,
                    })
                }
            };
            p.rows += piece.height() as u64;
            p.waiting_rows += piece.height();
            p.waiting.push(piece);
            if p.waiting_rows >= FLUSH_ROWS {
                p.flush().map_err(|e| io(&p.path, e.to_string()))?;
            }
        }
        Ok(())
    })?;
    let mut windows = vec![];
    for (start, mut p) in pending {
        p.flush()
            .and_then(|_| p.writer.finish().map(|_| ()))
            .map_err(|e| io(&p.path, e.to_string()))?;
        windows.push(WindowFile {
            start,
            end: every.period(start).1,
            rows: p.rows,
            path: p.path,
        });
    }
    Ok(WindowFiles {
        windows,
        rows,
        untimed,
        first_unreadable: first_bad,
        _dir: dir,
    })
}
