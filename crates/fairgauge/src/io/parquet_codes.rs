//! Dictionary-encoded Parquet columns read as their codes: the pages of a column chunk are
//! decompressed and their dictionary indices unpacked (polars-parquet's page reader and
//! run-length/bit-packing decoder, the same code polars' own reader runs), without writing each
//! row's value out. A text column of 10M rows becomes 10M `u32` codes and a handful of strings
//! instead of 10M string views; the analyses then work on each distinct value once.
//!
//! Only what maps one to one onto what polars would give is read this way: flat columns (no
//! repetition, at most one definition level) whose chunks are dictionary-encoded throughout,
//! holding text (`BYTE_ARRAY` annotated as a string, polars `String`), integers (`INT32`/`INT64`,
//! signed, or annotated as unsigned 32-bit) or floats (`FLOAT`/`DOUBLE`) that polars reads
//! as the same type. Anything else (a plain-encoded page, as writers fall back to when a
//! dictionary grows too large; a date; a nested column) makes [`read_window`] answer `None`, and
//! the caller reads the window with polars instead: the values visited are the same either way.
//!
//! Format: the Apache Parquet specification, "Encodings" (PLAIN, RLE_DICTIONARY, the
//! RLE/bit-packing hybrid) and "Data pages" (definition levels before the values).

use std::io::{Cursor, Read, Seek, SeekFrom};

use polars::prelude::DataType;
use polars_parquet::parquet::encoding::hybrid_rle::{HybridRleChunk, HybridRleDecoder};
use polars_parquet::parquet::encoding::Encoding;
use polars_parquet::parquet::metadata::{ColumnChunkMetadata, FileMetadata};
use polars_parquet::parquet::page::split_buffer;
use polars_parquet::parquet::read::{BasicDecompressor, PageReader};
use polars_parquet::parquet::schema::types::{
    IntegerType, PhysicalType, PrimitiveConvertedType, PrimitiveLogicalType,
};
use rustc_hash::FxHashMap;

use crate::io::coded::{Coded, Values, NULL_CODE};

/// How a column's physical values become the values polars gives.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Text,
    /// `INT32` read as a signed integer.
    I32,
    /// `INT32` annotated as unsigned 32-bit, read as `UInt32` (its bits reinterpreted). (8- and
    /// 16-bit integer columns are left to polars, which reads them as their own types.)
    U32,
    I64,
    F32,
    F64,
}

/// The kind of a column chunk when polars reads it as `dtype` and this module can give the same
/// values; `None` otherwise.
fn kind(chunk: &ColumnChunkMetadata, dtype: &DataType) -> Option<Kind> {
    let d = &chunk.descriptor().descriptor;
    if d.max_rep_level != 0 || d.max_def_level > 1 {
        return None;
    }
    let t = &d.primitive_type;
    let logical = t.logical_type;
    let int = |i: IntegerType| match logical {
        None => true,
        Some(PrimitiveLogicalType::Integer(x)) => x == i,
        _ => false,
    };
    Some(match (t.physical_type, dtype) {
        (PhysicalType::ByteArray, DataType::String)
            if logical == Some(PrimitiveLogicalType::String)
                || (logical.is_none()
                    && t.converted_type == Some(PrimitiveConvertedType::Utf8)) =>
        {
            Kind::Text
        }
        (PhysicalType::Int32, DataType::Int32) if int(IntegerType::Int32) => Kind::I32,
        (PhysicalType::Int32, DataType::UInt32)
            if logical.is_some() && int(IntegerType::UInt32) =>
        {
            Kind::U32
        }
        (PhysicalType::Int64, DataType::Int64) if int(IntegerType::Int64) => Kind::I64,
        (PhysicalType::Float, DataType::Float32) if logical.is_none() => Kind::F32,
        (PhysicalType::Double, DataType::Float64) if logical.is_none() => Kind::F64,
        _ => return None,
    })
}

/// The window's dictionary of one column: each distinct value's code.
#[derive(Default)]
struct Dictionary {
    texts: Vec<String>,
    text_codes: FxHashMap<String, u32>,
    numbers: Vec<f64>,
    number_codes: FxHashMap<u64, u32>,
}

impl Dictionary {
    fn text(&mut self, s: &str) -> u32 {
        if let Some(&c) = self.text_codes.get(s) {
            return c;
        }
        let c = self.texts.len() as u32;
        self.texts.push(s.to_string());
        self.text_codes.insert(s.to_string(), c);
        c
    }
    fn number(&mut self, x: f64) -> u32 {
        *self.number_codes.entry(x.to_bits()).or_insert_with(|| {
            self.numbers.push(x);
            (self.numbers.len() - 1) as u32
        })
    }
}

/// Decodes a PLAIN-encoded dictionary page into the window dictionary's codes of its entries;
/// `None` when the page does not hold `n` values of `kind` (polars then reports the file).
fn dictionary_page(buf: &[u8], n: usize, kind: Kind, dict: &mut Dictionary) -> Option<Vec<u32>> {
    let mut codes = Vec::with_capacity(n);
    let mut rest = buf;
    for _ in 0..n {
        let code = match kind {
            Kind::Text => {
                let (len, tail) = rest.split_first_chunk::<4>()?;
                let len = u32::from_le_bytes(*len) as usize;
                let (bytes, tail) = tail.split_at_checked(len)?;
                rest = tail;
                dict.text(std::str::from_utf8(bytes).ok()?)
            }
            Kind::I32 | Kind::U32 | Kind::F32 => {
                let (b, tail) = rest.split_first_chunk::<4>()?;
                rest = tail;
                dict.number(match kind {
                    Kind::I32 => i32::from_le_bytes(*b) as f64,
                    Kind::U32 => u32::from_le_bytes(*b) as f64,
                    _ => f32::from_le_bytes(*b) as f64,
                })
            }
            Kind::I64 | Kind::F64 => {
                let (b, tail) = rest.split_first_chunk::<8>()?;
                rest = tail;
                dict.number(match kind {
                    Kind::I64 => i64::from_le_bytes(*b) as f64,
                    _ => f64::from_le_bytes(*b),
                })
            }
        };
        codes.push(code);
    }
    Some(codes)
}

/// Why a column is not read as codes (the caller reads it with polars).
struct Skip;

impl From<std::io::Error> for Skip {
    fn from(_: std::io::Error) -> Skip {
        Skip
    }
}

/// The number of defined values (level 1) among a page's definition levels; `None` when they
/// do not decode.
fn count_defined(mut levels: HybridRleDecoder<'_>) -> Option<usize> {
    let (mut defined, mut bits) = (0, vec![]);
    while let Some(chunk) = levels.next_chunk().ok()? {
        match chunk {
            HybridRleChunk::Rle(1, len) => defined += len,
            HybridRleChunk::Rle(_, _) => {}
            HybridRleChunk::Bitpacked(d) => {
                bits.clear();
                d.collect_into(&mut bits);
                defined += bits.iter().filter(|&&l| l == 1).count();
            }
        }
    }
    Some(defined)
}

/// Appends one column chunk's codes (`rows` rows) to `codes`.
fn read_chunk<R: Read + Seek>(
    file: &mut R,
    chunk: &ColumnChunkMetadata,
    kind: Kind,
    rows: usize,
    dict: &mut Dictionary,
    codes: &mut Vec<u32>,
) -> Result<(), Skip> {
    let range = chunk.byte_range();
    // A range past the file's end (a damaged footer) is left to polars, before any allocation.
    if range.end > file.seek(SeekFrom::End(0))? || range.start > range.end {
        return Err(Skip);
    }
    let mut bytes = vec![0u8; (range.end - range.start) as usize];
    file.seek(SeekFrom::Start(range.start))?;
    file.read_exact(&mut bytes)?;
    let cursor = Cursor::new(polars_buffer::Buffer::from_vec(bytes));
    let reader = PageReader::new(cursor, chunk, vec![], usize::MAX);
    let mut pages = BasicDecompressor::new(reader, vec![]);
    let unsupported = |_| Skip;
    let Some(dict_page) = pages.read_dict_page().map_err(unsupported)? else {
        return Err(Skip);
    };
    // The data pages are checked and their indices unpacked before the dictionary's entries are
    // looked up in the window's dictionary: a writer that gave up on the dictionary part way
    // through (a plain page) costs no hashing of a dictionary that will not be used.
    let entries_len = dict_page.num_values;
    if entries_len >= NULL_CODE as usize {
        return Err(Skip); // an index could not be told from the null code
    }
    let optional = chunk.descriptor().descriptor.max_def_level == 1;
    let start = codes.len();
    while let Some(item) = pages.next() {
        let page = item
            .map_err(unsupported)?
            .decompress(&mut pages)
            .map_err(unsupported)?;
        if !matches!(
            page.encoding(),
            Encoding::RleDictionary | Encoding::PlainDictionary
        ) {
            return Err(Skip);
        }
        let n = page.num_values();
        let split = split_buffer(&page).map_err(unsupported)?;
        let (&width, packed) = split.values.split_first().ok_or(Skip)?;
        if width > 32 {
            return Err(Skip);
        }
        let levels = optional.then(|| HybridRleDecoder::new(split.def, 1, n));
        let valid = match &levels {
            Some(l) => count_defined(l.clone()).ok_or(Skip)?,
            None => n,
        };
        let ids = HybridRleDecoder::new(packed, width as u32, valid)
            .collect()
            .map_err(unsupported)?;
        if ids.len() != valid || ids.iter().any(|&i| i as usize >= entries_len) {
            return Err(Skip);
        }
        // Dictionary indices for now; mapped to the window's codes once every page is read.
        match levels {
            Some(mut levels) if valid != n => {
                // Runs of defined rows take the next ids; runs of nulls the null code.
                let (mut next, mut bits) = (0usize, vec![]);
                while let Some(chunk) = levels.next_chunk().map_err(unsupported)? {
                    match chunk {
                        HybridRleChunk::Rle(1, len) => {
                            let run = ids.get(next..next + len).ok_or(Skip)?;
                            codes.extend_from_slice(run);
                            next += len;
                        }
                        HybridRleChunk::Rle(_, len) => codes.resize(codes.len() + len, NULL_CODE),
                        HybridRleChunk::Bitpacked(d) => {
                            bits.clear();
                            d.collect_into(&mut bits);
                            for &l in &bits {
                                codes.push(match (l, ids.get(next)) {
                                    (1, Some(&i)) => {
                                        next += 1;
                                        i
                                    }
                                    _ => NULL_CODE,
                                });
                            }
                        }
                    }
                }
            }
            _ => codes.extend_from_slice(&ids), // no nulls in this page
        }
        pages.reuse_page_buffer(page);
    }
    if codes.len() - start != rows {
        return Err(Skip);
    }
    let entries = dictionary_page(&dict_page.buffer, entries_len, kind, dict).ok_or(Skip)?;
    if !entries.iter().enumerate().all(|(k, &e)| e as usize == k) {
        for c in &mut codes[start..] {
            if *c != NULL_CODE {
                *c = entries[*c as usize];
            }
        }
    }
    Ok(())
}

/// Reads the columns `names` (file names; polars types `dtypes`, `None` for a column to leave
/// to polars) of the row groups `groups` of
/// the file at `path` as codes, a column per task (rayon): `None` for a column this module leaves
/// to polars. A file that cannot be read here (an I/O error, pages that do not decode) is left to
/// polars too, whose reader then names what is wrong, as it did before this module.
pub(crate) fn read_window(
    path: &std::path::Path,
    metadata: &FileMetadata,
    names: &[String],
    dtypes: &[Option<DataType>],
    groups: std::ops::Range<usize>,
) -> Vec<Option<Coded>> {
    use rayon::prelude::*;
    names
        .par_iter()
        .zip(dtypes)
        .map(|(name, dtype)| {
            let dtype = dtype.as_ref()?;
            kind_of_name(metadata, name, dtype)?;
            let mut file = std::io::BufReader::new(std::fs::File::open(path).ok()?);
            read_column(&mut file, metadata, name, dtype, groups.clone()).ok()
        })
        .collect()
}

/// The kind of the column `name` in the first row group (`None`: left to polars).
fn kind_of_name(metadata: &FileMetadata, name: &str, dtype: &DataType) -> Option<Kind> {
    let mut chunks = metadata.row_groups.first()?.columns_under_root_iter(name)?;
    kind(chunks.next()?, dtype)
}

/// One column of [`read_window`].
fn read_column<R: Read + Seek>(
    file: &mut R,
    metadata: &FileMetadata,
    name: &str,
    dtype: &DataType,
    groups: std::ops::Range<usize>,
) -> Result<Coded, Skip> {
    let groups = metadata.row_groups.get(groups).ok_or(Skip)?;
    let rows: usize = groups.iter().map(|g| g.num_rows()).sum();
    let mut dict = Dictionary::default();
    let mut codes = Vec::with_capacity(rows);
    let mut text = None;
    for g in groups {
        let mut chunks = g.columns_under_root_iter(name).ok_or(Skip)?;
        let (Some(chunk), None) = (chunks.next(), chunks.next()) else {
            return Err(Skip);
        };
        let k = kind(chunk, dtype).ok_or(Skip)?;
        text = Some(k == Kind::Text);
        read_chunk(file, chunk, k, g.num_rows(), &mut dict, &mut codes)?;
    }
    let values = match text {
        Some(true) => Values::Text(dict.texts),
        Some(false) => Values::Number(dict.numbers),
        None => return Err(Skip),
    };
    let nulls = codes.contains(&NULL_CODE);
    Ok(Coded {
        values,
        codes,
        nulls,
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use crate::io::frame::{for_each_batch, for_each_coded_batch, Visit};
    use crate::io::source::{ReadOptions, Table};
    use polars::prelude::*;

    /// Every call a visitor receives, as `(row, value)`: what an analysis can see of a column.
    #[derive(Default, PartialEq, Debug)]
    pub(crate) struct Seen(pub(crate) Vec<(usize, String)>);

    impl Visit for Seen {
        fn text(&mut self, row: usize, v: Option<&str>) {
            self.0.push((row, format!("t{v:?}")));
        }
        fn number(&mut self, row: usize, v: Option<f64>) {
            self.0.push((row, format!("n{:?}", v.map(f64::to_bits))));
        }
        fn boolean(&mut self, row: usize, v: Option<bool>) {
            self.0.push((row, format!("b{v:?}")));
        }
    }

    /// `(column, what was seen, whether it was read as codes)` for every column of every batch.
    fn seen(table: &Table, columns: &[String], coded: bool) -> Vec<(String, usize, Seen, bool)> {
        let mut out = vec![];
        let f = |batch: crate::io::frame::Batch, first: usize| {
            for c in columns {
                let mut s = Seen::default();
                batch.visit(c, &mut s).unwrap();
                out.push((c.clone(), first, s, batch.is_coded(c)));
            }
            Ok(())
        };
        if coded {
            for_each_coded_batch(table, columns, f).unwrap();
        } else {
            for_each_batch(table, columns, f).unwrap();
        }
        out
    }

    fn frame(n: usize) -> DataFrame {
        let pick = |i: usize, k: usize| (i.wrapping_mul(2654435761) >> 7) % k;
        let text: Vec<Option<&str>> = (0..n)
            .map(|i| {
                [
                    Some("a"),
                    Some("b"),
                    None,
                    Some("a long value of more than 12 bytes"),
                    Some("é"),
                ][pick(i, 5)]
            })
            .collect();
        let ints: Vec<Option<i64>> = (0..n)
            .map(|i| (pick(i, 7) != 0).then_some(pick(i, 3) as i64 - 1))
            .collect();
        let small: Vec<i32> = (0..n).map(|i| pick(i, 4) as i32).collect();
        let unsigned: Vec<u32> = (0..n).map(|i| 4_000_000_000 + pick(i, 5) as u32).collect();
        let floats: Vec<f64> = (0..n)
            .map(|i| [0.5, -0.0, 0.0, f64::NAN, 1e300][pick(i, 5)])
            .collect();
        let singles: Vec<f32> = (0..n).map(|i| [0.1f32, 2.5][pick(i, 2)]).collect();
        let distinct: Vec<String> = (0..n).map(|i| format!("id{i}")).collect();
        let flags: Vec<bool> = (0..n).map(|i| pick(i, 2) == 1).collect();
        df!(
            "text" => text, "ints" => ints, "small" => small, "unsigned" => unsigned,
            "floats" => floats, "singles" => singles, "distinct" => distinct, "flags" => flags
        )
        .unwrap()
    }

    fn write(
        df: &mut DataFrame,
        path: &std::path::Path,
        row_group: usize,
        codec: ParquetCompression,
    ) {
        let file = std::fs::File::create(path).unwrap();
        ParquetWriter::new(file)
            .with_row_group_size(Some(row_group))
            .with_compression(codec)
            .finish(df)
            .unwrap();
    }

    #[test]
    fn codes_visit_as_polars_values_do() {
        let dir = tempfile::tempdir().unwrap();
        let columns: Vec<String> = [
            "text", "ints", "small", "unsigned", "floats", "singles", "distinct", "flags",
        ]
        .map(String::from)
        .to_vec();
        for (rows, row_group, codec) in [
            (300_000, 70_000, ParquetCompression::Snappy),
            (5_000, 1_000, ParquetCompression::Uncompressed),
            (1_000, 1_000, ParquetCompression::Zstd(None)),
            (0, 1_000, ParquetCompression::Snappy),
        ] {
            let path = dir.path().join(format!("t{rows}.parquet"));
            write(&mut frame(rows), &path, row_group, codec);
            let table = Table::open(&path, &ReadOptions::default()).unwrap();
            let plain = seen(&table, &columns, false);
            let coded = seen(&table, &columns, true);
            assert_eq!(plain.len(), coded.len());
            for (p, c) in plain.iter().zip(&coded) {
                assert_eq!(
                    (&p.0, p.1, &p.2),
                    (&c.0, c.1, &c.2),
                    "column {} rows {rows}",
                    p.0
                );
                assert!(!p.3);
            }
            if rows > 0 {
                let read_as_codes = |name: &str| coded.iter().any(|c| c.0 == name && c.3);
                // (polars writes floats plain; pyarrow's dictionaries of floats are in pytest.)
                for name in ["text", "ints", "small", "unsigned"] {
                    assert!(read_as_codes(name), "{name} was not read as codes");
                }
                assert!(
                    !read_as_codes("flags"),
                    "booleans are not dictionary-encoded"
                );
            }
        }
    }

    #[test]
    fn type_overrides_and_given_names_still_apply() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.parquet");
        write(&mut frame(10_000), &path, 3_000, ParquetCompression::Snappy);
        let mut opts = ReadOptions::default();
        opts.dtypes
            .insert("small".into(), crate::io::source::ColumnType::Str);
        let table = Table::open(&path, &opts).unwrap();
        let columns = vec!["small".to_string(), "text".to_string()];
        let plain = seen(&table, &columns, false);
        let coded = seen(&table, &columns, true);
        for (p, c) in plain.iter().zip(&coded) {
            assert_eq!((&p.0, &p.2), (&c.0, &c.2));
            // A type override is polars' cast; the other column is read as codes.
            assert_eq!(c.3, c.0 == "text", "{}", c.0);
        }
        assert!(plain[0].2 .0[0].1.starts_with('t'));
    }
}
