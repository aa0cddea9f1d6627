//! A table's rows split by calendar window into temporary Arrow IPC files, one per window and
//! without the time column, read in one streaming pass: `monitor`'s bounded-memory mode then
//! assesses one window file at a time. Memory holds a batch being read and, per window, at most
//! [`FLUSH_ROWS`] rows waiting to be written; the disk holds the data once more (LZ4).

use std::collections::BTreeMap;
use std::path::PathBuf;

use jiff::civil::Date;

use crate::error::{Error, Result};
use crate::io::frame::{for_each_batch, RowsWriter};
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
    let names = data.column_names()?;
    let mut writers: BTreeMap<Date, RowsWriter> = BTreeMap::new();
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
        let mut by: BTreeMap<Date, Vec<_>> = BTreeMap::new();
        for (i, t) in reader.times.iter().enumerate() {
            match t {
                Some(t) => by.entry(every.period(t.date()).0).or_default().push(i as _),
                None => untimed += 1,
            }
        }
        for (start, idx) in by {
            writers
                .entry(start)
                .or_insert_with(|| {
                    RowsWriter::new(dir.path().join(format!("{start}.arrow")), FLUSH_ROWS)
                })
                .push(&batch, idx, time)?;
        }
        Ok(())
    })?;
    let mut windows = vec![];
    for (start, w) in writers {
        let (path, rows) = w.finish()?;
        windows.push(WindowFile {
            start,
            end: every.period(start).1,
            rows,
            path,
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
