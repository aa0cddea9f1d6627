//! CSV columns read as codes: the file is read a block at a time, each block's records are split
//! into pieces parsed in parallel, and each wanted field goes straight into its column's
//! dictionary (a field's bytes compared with the few distinct values met so far, a hash table
//! once there are many), without building a polars column. A block of records with no quote
//! character in it is cut at newlines into pieces for the threads; a block with quotes is parsed
//! in one piece (a newline inside a quoted field does not end its record).
//!
//! Only what is read exactly as polars reads it is read here; anything else makes [`read`]
//! answer [`Outcome::Skip`] and the caller starts over with polars' reader, which also names what
//! is wrong with a malformed file. Read here: fields split by the separator, a record ended by
//! `\n` or `\r\n`, a field quoted when it starts with the quote character (its doubled quotes
//! unescaped), an empty unquoted field a null (polars' `missing_is_null`; quoted and empty, a null
//! in a number column and an empty text in a text column), text as UTF-8, integers `-?[0-9]+`
//! within 64 bits, decimals `-?[0-9]*(.[0-9]*)?([eE][+-]?[0-9]+)?`, quoted or not. Left to
//! polars: a record whose field count differs from the header's (a blank line included), a
//! quote character inside an unquoted field (polars' line splitter counts every quote), text
//! after a closing quote, a `\r` ending a field other than at the line's end, a blank line before
//! a one-column header, a byte-order mark, invalid UTF-8 in any column, any other number (`NaN`,
//! `inf`, `+1`, white space), a record over 64 MiB or a quote never closed.
//!
//! Format: RFC 4180 ("Common Format and MIME Type for CSV Files"), as polars reads it.

use std::borrow::Cow;
use std::io::Read;
use std::path::Path;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::error::Error;
use crate::io::coded::{Coded, Values, NULL_CODE};

/// How a wanted field's text becomes its value: as polars types the column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// polars `String`.
    Text,
    /// polars `Int64` (visited as `f64`, as polars' cast gives it).
    Int,
    /// polars `Float64`.
    Float,
}

/// The dialect of a file and the fields to read from each record.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Layout {
    pub(crate) separator: u8,
    pub(crate) quote: Option<u8>,
    pub(crate) has_header: bool,
    /// Fields in every record.
    pub(crate) width: usize,
    /// Each wanted column in the caller's order: its field's position (each a different one) and
    /// kind.
    pub(crate) wanted: Vec<(usize, Kind)>,
}

/// Whether [`read`] read the whole file, or left it to polars (the caller starts over: what was
/// handed to it so far is to be discarded).
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    Done,
    Skip,
}

/// What stops a read: the file holds something read otherwise by polars, or the caller failed.
enum Stop {
    Skip,
    Caller(Error),
}

/// Marks what this module does not read as polars would.
struct Skip;

impl From<Skip> for Stop {
    fn from(_: Skip) -> Stop {
        Stop::Skip
    }
}

/// Reads the file at `path` a block of about `block` bytes at a time and calls
/// `on_window(columns, first_row)` with each block's wanted columns as codes (in the order of
/// `layout.wanted`). An error of `on_window` stops the read and is returned.
pub(crate) fn read(
    path: &Path,
    layout: &Layout,
    block: usize,
    on_window: &mut dyn FnMut(Vec<Coded>, usize) -> crate::error::Result<()>,
) -> crate::error::Result<Outcome> {
    match read_blocks(path, layout, block.max(1), on_window) {
        Ok(()) => Ok(Outcome::Done),
        Err(Stop::Skip) => Ok(Outcome::Skip),
        Err(Stop::Caller(e)) => Err(e),
    }
}

fn read_blocks(
    path: &Path,
    layout: &Layout,
    block: usize,
    on_window: &mut dyn FnMut(Vec<Coded>, usize) -> crate::error::Result<()>,
) -> Result<(), Stop> {
    let file = std::fs::File::open(path).map_err(|_| Skip)?;
    let (tx, rx) = std::sync::mpsc::sync_channel(1);
    let (back_tx, back_rx) = std::sync::mpsc::channel();
    // The next block is read while this one is parsed; returning drops `rx`, which stops the
    // reader at its next send.
    std::thread::scope(|scope| {
        scope.spawn(move || fill_blocks(file, block, tx, back_rx));
        parse_blocks(layout, rx, back_tx, on_window)
    })
}

/// The longest record read here; a longer one (or a quote never closed) is left to polars.
const MAX_RECORD: usize = 64 << 20;

/// Bytes kept free before each block, for the end of the previous block's last record.
const HEADROOM: usize = 1 << 16;

/// A block as read: the buffer (its bytes from [`HEADROOM`] on), how many bytes were read, and
/// whether the file ends there.
type Block = std::io::Result<(Vec<u8>, usize, bool)>;

/// Reads the file a block at a time into buffers given back by the parser (or new ones).
fn fill_blocks(
    mut file: std::fs::File,
    block: usize,
    tx: std::sync::mpsc::SyncSender<Block>,
    back: std::sync::mpsc::Receiver<Vec<u8>>,
) {
    loop {
        let mut buf = back
            .try_recv()
            .unwrap_or_else(|_| vec![0u8; HEADROOM + block]);
        let (mut n, mut eof) = (0, false);
        while n < block {
            match file.read(&mut buf[HEADROOM + n..HEADROOM + block]) {
                Ok(0) => {
                    eof = true;
                    break;
                }
                Ok(k) => n += k,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    let _ = tx.send(Err(e));
                    return;
                }
            }
        }
        if tx.send(Ok((buf, n, eof))).is_err() || eof {
            return;
        }
    }
}

/// Parses the blocks [`fill_blocks`] reads, each after the unfinished record the previous one
/// ended with, and hands each window to `on_window`.
fn parse_blocks(
    layout: &Layout,
    rx: std::sync::mpsc::Receiver<Block>,
    back: std::sync::mpsc::Sender<Vec<u8>>,
    on_window: &mut dyn FnMut(Vec<Coded>, usize) -> crate::error::Result<()>,
) -> Result<(), Stop> {
    let mut carry: Vec<u8> = vec![];
    let (mut header, mut first, mut first_row) = (layout.has_header, true, 0usize);
    loop {
        let (mut buf, n, eof) = rx.recv().map_err(|_| Skip)?.map_err(|_| Skip)?;
        let joined;
        let data: &[u8] = if carry.len() <= HEADROOM {
            let s = HEADROOM - carry.len();
            buf[s..HEADROOM].copy_from_slice(&carry);
            &buf[s..HEADROOM + n]
        } else {
            let mut j = std::mem::take(&mut carry);
            j.extend_from_slice(&buf[HEADROOM..HEADROOM + n]);
            joined = j;
            &joined
        };
        if first {
            // An empty file, or one starting with a byte-order mark: polars' reader says.
            if data.is_empty() || data.starts_with(&[0xEF, 0xBB, 0xBF]) {
                return Err(Stop::Skip);
            }
            first = false;
        }
        let mut start = 0;
        if header {
            match record_end(data, layout, eof)? {
                // polars skips blank lines before the header: a blank one-field header is left
                // to it.
                Some((end, 1)) if matches!(&data[..end], b"\n" | b"\r\n" | b"") => {
                    return Err(Stop::Skip)
                }
                Some((end, fields)) if fields == layout.width => start = end,
                Some(_) => return Err(Stop::Skip),
                None => {
                    carry = data.to_vec();
                    let _ = back.send(buf);
                    continue;
                }
            }
            header = false;
        }
        let (consumed, window) = parse_block(&data[start..], layout, eof)?;
        if let Some((columns, rows)) = window {
            on_window(columns, first_row).map_err(Stop::Caller)?;
            first_row += rows;
        }
        // (polars fails on invalid UTF-8 in any column of a file with text columns.)
        utf8(&data[..start])?;
        let rest = data[start + consumed..].to_vec();
        if rest.len() > MAX_RECORD {
            return Err(Stop::Skip); // a record that does not end (an unclosed quote)
        }
        carry = rest;
        let _ = back.send(buf);
        if eof {
            // At the end of the file every record is parsed (or left to polars).
            return if carry.is_empty() {
                Ok(())
            } else {
                Err(Stop::Skip)
            };
        }
    }
}

/// A window's wanted columns as codes, and its row count.
type Window = (Vec<Coded>, usize);

/// Parses the whole records at the start of `body` (all of it at the end of the file): the bytes
/// they take, and their window (`None` when there is no whole record).
fn parse_block(body: &[u8], layout: &Layout, eof: bool) -> Result<(usize, Option<Window>), Skip> {
    let quoted = layout
        .quote
        .is_some_and(|q| memchr::memchr(q, body).is_some());
    let (consumed, pieces) = if quoted {
        let mut piece = Piece::new(layout);
        let consumed = piece.parse(body, layout, eof)?;
        utf8(&body[..consumed])?;
        (consumed, vec![piece])
    } else {
        let cut = if eof {
            body.len()
        } else {
            memchr::memrchr(b'\n', body).map_or(0, |i| i + 1)
        };
        let body = &body[..cut];
        let pieces: Result<Vec<Piece<'_>>, Skip> = piece_bounds(body)
            .par_iter()
            .map(|&(s, e)| {
                // Pieces end at newlines, so each is valid UTF-8 alone if the file is.
                utf8(&body[s..e])?;
                let mut piece = Piece::new(layout);
                piece.parse_plain(&body[s..e], layout)?;
                Ok(piece)
            })
            .collect();
        (cut, pieces?)
    };
    let rows: usize = pieces.iter().map(|p| p.rows).sum();
    if rows == 0 {
        return Ok((consumed, None));
    }
    // Columns of pieces, column by column.
    let mut by_column: Vec<Vec<Interned<'_>>> = layout.wanted.iter().map(|_| vec![]).collect();
    for piece in pieces {
        for (k, c) in piece.columns.into_iter().enumerate() {
            by_column[k].push(c);
        }
    }
    let columns: Result<Vec<Coded>, Skip> = by_column
        .into_par_iter()
        .zip(layout.wanted.par_iter())
        .map(|(pieces, &(_, kind))| merge(kind, pieces, rows))
        .collect();
    Ok((consumed, Some((columns?, rows))))
}

/// Whether `bytes` are UTF-8 (ASCII checked first, a word at a time).
fn utf8(bytes: &[u8]) -> Result<(), Skip> {
    if bytes.is_ascii() || std::str::from_utf8(bytes).is_ok() {
        Ok(())
    } else {
        Err(Skip)
    }
}

/// Pieces of `body` (whole lines) for the threads: about four per thread.
fn piece_bounds(body: &[u8]) -> Vec<(usize, usize)> {
    let n = rayon::current_num_threads() * 4;
    let size = body.len() / n + 1;
    let mut bounds = vec![];
    let mut s = 0;
    while s < body.len() {
        let target = (s + size).min(body.len());
        let e = memchr::memchr(b'\n', &body[target..]).map_or(body.len(), |i| target + i + 1);
        bounds.push((s, e));
        s = e;
    }
    bounds
}

/// The end of the first record of `buf` and its field count (`None`: the buffer ends inside it).
fn record_end(buf: &[u8], layout: &Layout, eof: bool) -> Result<Option<(usize, usize)>, Skip> {
    let (mut p, mut fields) = (0, 0);
    loop {
        let Some(f) = field(buf, p, layout, eof)? else {
            return Ok(None);
        };
        fields += 1;
        p = f.next;
        if f.last {
            return Ok(Some((p, fields)));
        }
    }
}

/// One field: its value (quotes removed and doubled quotes unescaped), whether it was quoted,
/// where the next field or record starts, and whether it ends its record.
struct Field<'a> {
    value: Cow<'a, [u8]>,
    quoted: bool,
    next: usize,
    last: bool,
}

/// The field starting at `p` (`None`: the buffer ends inside it and the file goes on).
fn field<'a>(
    buf: &'a [u8],
    p: usize,
    layout: &Layout,
    eof: bool,
) -> Result<Option<Field<'a>>, Skip> {
    let sep = layout.separator;
    let Some(q) = layout.quote.filter(|&q| buf.get(p) == Some(&q)) else {
        let (end, next, last) = match memchr::memchr2(sep, b'\n', &buf[p..]) {
            Some(i) if buf[p + i] == sep => (p + i, p + i + 1, false),
            Some(i) => {
                let e = p + i;
                let end = if e > p && buf[e - 1] == b'\r' {
                    e - 1
                } else {
                    e
                };
                (end, e + 1, true)
            }
            // The last record, without a final newline.
            None if eof => (buf.len(), buf.len(), true),
            None => return Ok(None),
        };
        let value = &buf[p..end];
        // A quote inside an unquoted field (polars' line splitter counts it as opening a quoted
        // section) and a `\r` ending a field (polars strips it) are left to polars.
        let quote_inside = layout
            .quote
            .is_some_and(|q| memchr::memchr(q, value).is_some());
        if quote_inside || value.last() == Some(&b'\r') {
            return Err(Skip);
        }
        return Ok(Some(Field {
            value: Cow::Borrowed(value),
            quoted: false,
            next,
            last,
        }));
    };
    let mut s = p + 1;
    let mut escaped = false;
    let close = loop {
        let Some(i) = memchr::memchr(q, &buf[s..]) else {
            return if eof { Err(Skip) } else { Ok(None) };
        };
        let j = s + i;
        match buf.get(j + 1) {
            Some(&b) if b == q => {
                escaped = true;
                s = j + 2;
            }
            None if !eof => return Ok(None),
            _ => break j,
        }
    };
    let inner = &buf[p + 1..close];
    let value = if escaped {
        let mut v = Vec::with_capacity(inner.len());
        let mut rest = inner;
        while let Some(i) = memchr::memchr(q, rest) {
            v.extend_from_slice(&rest[..=i]);
            rest = &rest[i + 2..];
        }
        v.extend_from_slice(rest);
        Cow::Owned(v)
    } else {
        Cow::Borrowed(inner)
    };
    let a = close + 1;
    let (next, last) = match (buf.get(a), buf.get(a + 1)) {
        (None, _) => (a, true),
        (Some(&b), _) if b == sep => (a + 1, false),
        (Some(b'\n'), _) => (a + 1, true),
        (Some(b'\r'), Some(b'\n')) => (a + 2, true),
        (Some(b'\r'), None) if !eof => return Ok(None),
        _ => return Err(Skip),
    };
    Ok(Some(Field {
        value,
        quoted: true,
        next,
        last,
    }))
}

/// Distinct values compared one by one up to this many; a hash table beyond.
const LINEAR: usize = 16;

/// One wanted column of a piece: each distinct field (raw, unescaped) in the order first met,
/// and each row's code into them ([`NULL_CODE`] for a null).
#[derive(Default)]
struct Interned<'a> {
    texts: Vec<Cow<'a, [u8]>>,
    /// While few: each text's [`short_key`] (compared before the text itself).
    keys: Vec<u128>,
    map: FxHashMap<Cow<'a, [u8]>, u32>,
    codes: Vec<u32>,
}

/// A text of at most 15 bytes as a number (its bytes, and its length in the top byte); 0 for a
/// longer one. Equal keys other than 0 are equal texts.
#[inline]
fn short_key(t: &[u8]) -> u128 {
    if t.len() > 15 {
        return 0;
    }
    let mut b = [0u8; 16];
    b[..t.len()].copy_from_slice(t);
    b[15] = t.len() as u8 + 1;
    u128::from_le_bytes(b)
}

/// [`short_key`] of `buf[s..e]`, loading 16 bytes at once where `buf` has them.
#[inline]
fn key_at(buf: &[u8], s: usize, e: usize) -> u128 {
    let len = e - s;
    match buf.get(s..s + 16) {
        Some(w) if len <= 15 => {
            let x = u128::from_le_bytes(w.try_into().unwrap_or([0; 16]));
            (x & ((1u128 << (8 * len)) - 1)) | ((len as u128 + 1) << 120)
        }
        _ => short_key(&buf[s..e]),
    }
}

impl<'a> Interned<'a> {
    fn code(&mut self, v: Cow<'a, [u8]>) -> u32 {
        let key = if self.texts.len() <= LINEAR {
            short_key(&v)
        } else {
            0
        };
        self.code_keyed(v, key)
    }

    /// The code of `v`, whose [`short_key`] is `key` (needed only while the texts are few).
    fn code_keyed(&mut self, v: Cow<'a, [u8]>, key: u128) -> u32 {
        if self.texts.len() <= LINEAR {
            let found = if key != 0 {
                self.keys.iter().position(|&k| k == key)
            } else {
                self.texts.iter().position(|t| t[..] == v[..])
            };
            if let Some(i) = found {
                return i as u32;
            }
            self.texts.push(v);
            self.keys.push(key);
            if self.texts.len() > LINEAR {
                for (i, t) in self.texts.iter().enumerate() {
                    self.map.insert(t.clone(), i as u32);
                }
            }
            return (self.texts.len() - 1) as u32;
        }
        if let Some(&c) = self.map.get(&v[..]) {
            return c;
        }
        let c = self.texts.len() as u32;
        self.texts.push(v.clone());
        self.map.insert(v, c);
        c
    }
}

/// The wanted columns of one piece of a block.
struct Piece<'a> {
    columns: Vec<Interned<'a>>,
    rows: usize,
    /// For each field position, the wanted column it fills (`usize::MAX`: none).
    slot: Vec<usize>,
    /// The current record's wanted fields.
    pending: Vec<Option<Field<'a>>>,
}

impl<'a> Piece<'a> {
    fn new(layout: &Layout) -> Piece<'a> {
        let mut slot = vec![usize::MAX; layout.width];
        for (k, &(pos, _)) in layout.wanted.iter().enumerate() {
            slot[pos] = k;
        }
        Piece {
            columns: layout.wanted.iter().map(|_| Interned::default()).collect(),
            rows: 0,
            slot,
            pending: layout.wanted.iter().map(|_| None).collect(),
        }
    }

    /// Parses the whole records at the start of `buf` (all of them when `eof`): the bytes they
    /// take.
    fn parse(&mut self, buf: &'a [u8], layout: &Layout, eof: bool) -> Result<usize, Skip> {
        let mut p = 0;
        while p < buf.len() {
            let start = p;
            let mut fields = 0;
            loop {
                let Some(f) = field(buf, p, layout, eof)? else {
                    return Ok(start);
                };
                p = f.next;
                let last = f.last;
                if fields == 0 && last && layout.width == 1 && f.value.is_empty() && !f.quoted {
                    return Err(Skip); // a blank line: polars reads a row of nulls
                }
                if let Some(&k) = self.slot.get(fields) {
                    if k != usize::MAX {
                        self.pending[k] = Some(f);
                    }
                }
                fields += 1;
                if last {
                    break;
                }
            }
            if fields != layout.width {
                return Err(Skip);
            }
            for (k, &(_, kind)) in layout.wanted.iter().enumerate() {
                let f = self.pending[k].take().ok_or(Skip)?;
                // An empty field is null, quoted too in a number column (as polars reads them);
                // a quoted number is its text.
                let code = match (f.quoted, kind) {
                    (false, _) | (true, Kind::Int | Kind::Float) if f.value.is_empty() => NULL_CODE,
                    _ => self.columns[k].code(f.value),
                };
                self.columns[k].codes.push(code);
            }
            self.rows += 1;
        }
        Ok(p)
    }
}

impl<'a> Piece<'a> {
    /// Parses `buf`, whole records without a quote character (the last may lack its newline at
    /// the end of the file): separators and newlines are found 64 bytes at a time as a bit mask,
    /// and only the wanted fields are looked at.
    fn parse_plain(&mut self, buf: &'a [u8], layout: &Layout) -> Result<(), Skip> {
        let sep = layout.separator;
        let mut spans = vec![(0usize, 0usize); layout.wanted.len()];
        let (mut fields, mut start) = (0usize, 0usize);
        let slot = std::mem::take(&mut self.slot);
        let take = |fields: usize, span: (usize, usize), spans: &mut Vec<(usize, usize)>| {
            if let Some(&k) = slot.get(fields) {
                if k != usize::MAX {
                    spans[k] = span;
                }
            }
        };
        let mut base = 0;
        while base < buf.len() {
            let end = (base + 64).min(buf.len());
            let mut m = hits(&buf[base..end], sep);
            while m != 0 {
                let i = base + m.trailing_zeros() as usize;
                m &= m - 1;
                if buf[i] == sep {
                    take(fields, (start, i), &mut spans);
                    fields += 1;
                } else {
                    let e = if i > start && buf[i - 1] == b'\r' {
                        i - 1
                    } else {
                        i
                    };
                    take(fields, (start, e), &mut spans);
                    self.end_record(buf, fields + 1, &spans, layout)?;
                    fields = 0;
                }
                start = i + 1;
            }
            base = end;
        }
        if fields > 0 || start < buf.len() {
            // The last record, without a final newline (a lone `\r` there is left to polars).
            if buf.last() == Some(&b'\r') {
                return Err(Skip);
            }
            take(fields, (start, buf.len()), &mut spans);
            self.end_record(buf, fields + 1, &spans, layout)?;
        }
        self.slot = slot;
        Ok(())
    }

    /// Adds a record of `fields` fields whose wanted fields lie at `spans` in `buf`.
    fn end_record(
        &mut self,
        buf: &'a [u8],
        fields: usize,
        spans: &[(usize, usize)],
        layout: &Layout,
    ) -> Result<(), Skip> {
        if fields != layout.width {
            return Err(Skip);
        }
        for (k, &(s, e)) in spans.iter().enumerate() {
            if e > s && buf[e - 1] == b'\r' {
                return Err(Skip); // a `\r` ending a field: polars strips it
            }
            let code = if s == e {
                if layout.width == 1 {
                    return Err(Skip); // a blank line: polars reads a row of nulls
                }
                NULL_CODE
            } else {
                let column = &mut self.columns[k];
                let key = if column.texts.len() <= LINEAR {
                    key_at(buf, s, e)
                } else {
                    0
                };
                column.code_keyed(Cow::Borrowed(&buf[s..e]), key)
            };
            self.columns[k].codes.push(code);
        }
        self.rows += 1;
        Ok(())
    }
}

/// Bit `i` set where `chunk[i]` is `sep` or a newline (`chunk` at most 64 bytes). The bytes are
/// compared 64 at a time (the compiler's vector compare) into 0/1 bytes, and each 8 of those
/// gathered into 8 bits by one multiplication (bit `j` of the product's top byte is byte `j`).
#[inline]
fn hits(chunk: &[u8], sep: u8) -> u64 {
    let Ok(c) = <&[u8; 64]>::try_from(chunk) else {
        return chunk.iter().enumerate().fold(0, |m, (i, &b)| {
            m | u64::from((b == sep) | (b == b'\n')) << i
        });
    };
    let mut eq = [0u8; 64];
    for (e, &b) in eq.iter_mut().zip(c) {
        *e = u8::from(b == sep) | u8::from(b == b'\n');
    }
    let mut m = 0u64;
    for (k, w) in eq.chunks_exact(8).enumerate() {
        let w = u64::from_le_bytes(w.try_into().unwrap_or([0; 8]));
        m |= (w.wrapping_mul(0x0102_0408_1020_4080) >> 56) << (8 * k);
    }
    m
}

/// A column's pieces as one column of codes over the window's distinct values, typed as polars
/// types them (numbers equal as `f64` share a code, as after polars' cast).
fn merge(kind: Kind, pieces: Vec<Interned<'_>>, rows: usize) -> Result<Coded, Skip> {
    let mut all = Interned::default();
    let maps: Vec<Vec<u32>> = pieces
        .iter()
        .map(|p| p.texts.iter().map(|t| all.code(t.clone())).collect())
        .collect();
    let (values, finals): (Values, Vec<u32>) = match kind {
        Kind::Text => {
            let texts: Result<Vec<String>, Skip> = all
                .texts
                .iter()
                .map(|t| std::str::from_utf8(t).map(str::to_owned).map_err(|_| Skip))
                .collect();
            (Values::Text(texts?), (0..all.texts.len() as u32).collect())
        }
        Kind::Int | Kind::Float => {
            let mut numbers = vec![];
            let mut by_bits: FxHashMap<u64, u32> = FxHashMap::default();
            let mut finals = Vec::with_capacity(all.texts.len());
            for t in &all.texts {
                let x = match kind {
                    Kind::Int => parse_int(t),
                    _ => parse_float(t),
                }
                .ok_or(Skip)?;
                finals.push(*by_bits.entry(x.to_bits()).or_insert_with(|| {
                    numbers.push(x);
                    (numbers.len() - 1) as u32
                }));
            }
            (Values::Number(numbers), finals)
        }
    };
    let mut codes = Vec::with_capacity(rows);
    for (p, map) in pieces.iter().zip(&maps) {
        codes.extend(p.codes.iter().map(|&c| match c {
            NULL_CODE => NULL_CODE,
            c => finals[map[c as usize] as usize],
        }));
    }
    let nulls = codes.contains(&NULL_CODE);
    Ok(Coded {
        values,
        codes,
        nulls,
    })
}

/// `-?[0-9]+` within 64 bits, as `f64`.
fn parse_int(t: &[u8]) -> Option<f64> {
    let digits = t.strip_prefix(b"-").unwrap_or(t);
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(t)
        .ok()?
        .parse::<i64>()
        .ok()
        .map(|i| i as f64)
}

/// `-?[0-9]*(.[0-9]*)?([eE][+-]?[0-9]+)?` with at least one mantissa digit, correctly rounded.
fn parse_float(t: &[u8]) -> Option<f64> {
    let body = t.strip_prefix(b"-").unwrap_or(t);
    let digits = |s: &[u8]| s.iter().take_while(|b| b.is_ascii_digit()).count();
    let int = digits(body);
    let mut rest = &body[int..];
    let mut frac = 0;
    if let Some(r) = rest.strip_prefix(b".") {
        frac = digits(r);
        rest = &r[frac..];
    }
    if int + frac == 0 {
        return None;
    }
    if let Some(r) = rest.strip_prefix(b"e").or_else(|| rest.strip_prefix(b"E")) {
        let r = r
            .strip_prefix(b"+")
            .or_else(|| r.strip_prefix(b"-"))
            .unwrap_or(r);
        let e = digits(r);
        if e == 0 {
            return None;
        }
        rest = &r[e..];
    }
    if !rest.is_empty() {
        return None;
    }
    std::str::from_utf8(t).ok()?.parse::<f64>().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::parquet_codes::tests::Seen;

    fn layout(width: usize, wanted: Vec<(usize, Kind)>) -> Layout {
        Layout {
            separator: b',',
            quote: Some(b'"'),
            has_header: true,
            width,
            wanted,
        }
    }

    /// Every window of `text` read with blocks of `block` bytes, as (first row, columns).
    fn windows(text: &str, layout: &Layout, block: usize) -> (Outcome, Vec<(usize, Vec<Coded>)>) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        std::fs::write(&path, text).unwrap();
        let mut out = vec![];
        let outcome = read(&path, layout, block, &mut |c, r| {
            out.push((r, c));
            Ok(())
        })
        .unwrap();
        (outcome, out)
    }

    /// Each row's value of wanted column `k`, as text.
    fn rows(w: &[(usize, Vec<Coded>)], k: usize) -> Vec<Option<String>> {
        let mut out = vec![];
        for (first, cols) in w {
            assert_eq!(*first, out.len());
            let c = &cols[k];
            for &code in &c.codes {
                out.push((code != NULL_CODE).then(|| match &c.values {
                    Values::Text(t) => t[code as usize].clone(),
                    Values::Number(x) => format!("{:?}", x[code as usize]),
                }));
            }
        }
        out
    }

    #[test]
    fn fields_quotes_and_line_ends_whatever_the_block() {
        let text = "a,b,c\r\nx,1,2.5\r\n\"q,\"\"uo\"\"\nte\",-3,\n,,-0\ny,007,1e3";
        let l = layout(3, vec![(0, Kind::Text), (1, Kind::Int), (2, Kind::Float)]);
        for block in [1, 2, 3, 5, 8, 13, 64, 1 << 20] {
            let (outcome, w) = windows(text, &l, block);
            assert_eq!(outcome, Outcome::Done, "block {block}");
            let s = |v: &str| Some(v.to_string());
            assert_eq!(
                rows(&w, 0),
                vec![s("x"), s("q,\"uo\"\nte"), None, s("y")],
                "block {block}"
            );
            assert_eq!(
                rows(&w, 1),
                vec![s("1.0"), s("-3.0"), None, s("7.0")],
                "block {block}"
            );
            assert_eq!(
                rows(&w, 2),
                vec![s("2.5"), None, s("-0.0"), s("1000.0")],
                "block {block}"
            );
        }
    }

    #[test]
    fn numbers_equal_as_floats_share_a_code() {
        let l = layout(1, vec![(0, Kind::Float)]);
        let (_, w) = windows("x\n1\n1.0\n1e0\n2\n", &l, 1 << 20);
        assert_eq!(w[0].1[0].codes, vec![0, 0, 0, 1]);
        assert_eq!(w[0].1[0].values, Values::Number(vec![1.0, 2.0]));
    }

    #[test]
    fn what_polars_may_read_otherwise_is_left_to_it() {
        let l = layout(2, vec![(0, Kind::Text), (1, Kind::Int)]);
        for text in [
            "a,b\nx,1\n\ny,2\n",             // a blank line
            "a,b\nx,1\ny\n",                 // a short record
            "a,b\nx,1,2\n",                  // a long one
            "a,b\nx,1.5\n",                  // not an integer
            "a,b\nx,+1\n",                   // a sign polars may take
            "a,b\nx, 1\n",                   // white space
            "a,b\n\"x\"y,1\n",               // text after a closing quote
            "a,b\n\"x,1\n",                  // a quote never closed
            "\u{feff}a,b\nx,1\n",            // a byte-order mark
            "",                              // nothing at all
            "a,b\nx,99999999999999999999\n", // beyond 64 bits
            "a,b\nx\r,1\n",                  // a `\r` ending a field
            "a,b\nx,1\r",                    // and the last one
            "a,b\ny\"z,1\nq,2\n",            // a quote inside an unquoted field
            "a,b\nx,1\ny,2\n\"z,3\n",        // a quote never closed
        ] {
            for block in [3, 1 << 20] {
                assert_eq!(
                    windows(text, &l, block).0,
                    Outcome::Skip,
                    "{text:?} block {block}"
                );
            }
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.csv");
        std::fs::write(&path, b"a,b\n\xff,1\n").unwrap();
        let outcome = read(&path, &l, 1 << 20, &mut |_, _| Ok(())).unwrap();
        assert_eq!(outcome, Outcome::Skip, "invalid UTF-8");
        // Invalid UTF-8 in a column not read, with and without quotes in the block.
        for text in [&b"a,b,c\nx,1,\xff\n"[..], &b"a,b,c\n\"x\",1,\xff\n"[..]] {
            std::fs::write(&path, text).unwrap();
            let l3 = layout(3, vec![(0, Kind::Text), (1, Kind::Int)]);
            let outcome = read(&path, &l3, 1 << 20, &mut |_, _| Ok(())).unwrap();
            assert_eq!(outcome, Outcome::Skip, "invalid UTF-8 elsewhere");
        }
        // A blank line before a one-column header (polars skips it).
        let l1 = layout(1, vec![(0, Kind::Text)]);
        for block in [2, 1 << 20] {
            assert_eq!(windows("\nname\nx\ny\n", &l1, block).0, Outcome::Skip);
        }
    }

    #[test]
    fn many_distinct_values_go_through_the_hash_table() {
        let mut text = String::from("k,v\n");
        for i in 0..1000 {
            text.push_str(&format!("k{},{}\n", i % 100, i % 37));
        }
        let l = layout(2, vec![(0, Kind::Text), (1, Kind::Int)]);
        for block in [7, 100, 1 << 20] {
            let (outcome, w) = windows(&text, &l, block);
            assert_eq!(outcome, Outcome::Done);
            let k = rows(&w, 0);
            let v = rows(&w, 1);
            assert_eq!(k.len(), 1000);
            for i in 0..1000 {
                assert_eq!(k[i].as_deref(), Some(format!("k{}", i % 100).as_str()));
                assert_eq!(v[i], Some(format!("{:?}", (i % 37) as f64)));
            }
        }
    }

    #[test]
    fn header_only_gives_no_window() {
        let l = layout(2, vec![(0, Kind::Text)]);
        let (outcome, w) = windows("a,b\n", &l, 1 << 20);
        assert_eq!(outcome, Outcome::Done);
        assert!(w.is_empty());
    }

    /// Each column's values as polars' reader gives them and as read here (`None`: left to
    /// polars), by visiting every batch.
    #[allow(clippy::type_complexity)]
    fn both_readers(
        text: &[u8],
        columns: &[&str],
    ) -> (Vec<(String, Seen)>, Option<Vec<(String, Seen)>>) {
        let (plain, folded, all_coded) = both_readers_in(text, columns, 1 << 20);
        (plain, all_coded.then_some(folded))
    }

    /// [`both_readers`] with blocks of `block` bytes: polars' values, the values of the fold
    /// (read here or, after starting over, by polars), and whether every batch was read here.
    #[allow(clippy::type_complexity)]
    fn both_readers_in(
        text: &[u8],
        columns: &[&str],
        block: usize,
    ) -> (Vec<(String, Seen)>, Vec<(String, Seen)>, bool) {
        use crate::io::frame::{fold_coded_blocks, for_each_batch};
        use crate::io::source::{ReadOptions, Table};
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        std::fs::write(&path, text).unwrap();
        let table = Table::open(&path, &ReadOptions::default()).unwrap();
        let columns: Vec<String> = columns.iter().map(|c| c.to_string()).collect();
        let visit =
            |batch: &crate::io::frame::Batch, first: usize, out: &mut Vec<(String, Seen)>| {
                for c in &columns {
                    let mut s = Seen::default();
                    batch.visit(c, &mut s).unwrap();
                    for v in &mut s.0 {
                        v.0 += first;
                    }
                    match out.iter_mut().find(|(n, _)| n == c) {
                        Some((_, all)) => all.0.extend(s.0),
                        None => out.push((c.clone(), s)),
                    }
                }
            };
        let mut plain = vec![];
        for_each_batch(&table, &columns, |b, first| {
            visit(&b, first, &mut plain);
            Ok(())
        })
        .unwrap();
        let (coded, _) = fold_coded_blocks(
            &table,
            &columns,
            block,
            || (vec![], true),
            |(out, all_coded), b, first| {
                *all_coded &= columns.iter().all(|c| b.is_coded(c));
                visit(&b, first, out);
                Ok(())
            },
        )
        .unwrap();
        (plain, coded.0, coded.1)
    }

    #[test]
    fn values_are_polars_values() {
        // Text with quotes, separators, newlines and CRLF; integers and decimals in the forms
        // this module reads; nulls; each in a column polars types from the first rows.
        let text = "t,i,f,g,e\r\n\
            a,1,0.5,1,x\r\n\
            \"b,\"\"c\"\"\",-0,-0.0,2.5,\r\n\
            \"multi\nline\",007,.5,1E3,\"\"\r\n\
            ,,5.,-1e-3,é\r\n\
            a,123456789012,1e308,3,\"q\"\r\n\
            long text of more than sixteen bytes,9,0.1,4,z";
        let (plain, coded) = both_readers(text.as_bytes(), &["t", "i", "f", "g", "e"]);
        assert_eq!(coded.as_ref(), Some(&plain), "{plain:?}");
        // Many blocks' worth of rows, distinct values beyond the linear search.
        let mut text = String::from("k,v,w\n");
        for i in 0..300_000 {
            text.push_str(&format!(
                "k{},{},{}\n",
                i % 1000,
                i % 7,
                (i % 13) as f64 / 4.0
            ));
        }
        let (plain, coded) = both_readers(text.as_bytes(), &["w", "k", "v"]);
        assert_eq!(coded.as_ref(), Some(&plain));
    }

    #[test]
    fn what_is_left_to_polars_reads_as_polars_reads_it() {
        // A blank line.
        let (plain, coded) = both_readers(b"a,b\nx,1\n\ny,2\n", &["a", "b"]);
        assert!(coded.is_none(), "{plain:?}");
        // Met after windows were handed on: the scan starts over on a fresh state, whose values
        // are polars' (none counted twice).
        let mut text = String::from("a,b\n");
        for i in 0..20_000 {
            text.push_str(&format!("g{},{}\n", i % 3, i % 2));
            if i == 15_000 {
                text.push('\n'); // a blank line
            }
        }
        let (plain, folded, all_coded) = both_readers_in(text.as_bytes(), &["a", "b"], 4096);
        assert!(!all_coded);
        assert_eq!(plain[0].1 .0.len(), 20_001);
        assert_eq!(folded, plain);
    }

    #[test]
    fn values_are_polars_values_across_small_blocks() {
        let mut text = String::from("x,\"y\",z\r\n");
        for i in 0..5_000 {
            let quoted = if i % 97 == 0 {
                "\"a,\"\"b\nc\""
            } else {
                "plain"
            };
            // Numbers quoted now and then, and quoted empty (a null).
            let number = match (i % 13, i % 5) {
                (0, _) => "\"\"".to_string(),
                (_, 0) => format!("\"{}\"", i % 11),
                _ => format!("{}", i % 11),
            };
            text.push_str(&format!("{quoted},{number},{}\r\n", i as f64 / 8.0));
        }
        for block in [64, 1000, 4096] {
            let (plain, folded, all_coded) =
                both_readers_in(text.as_bytes(), &["x", "y", "z"], block);
            assert!(all_coded, "block {block}");
            assert_eq!(folded, plain, "block {block}");
        }
    }
}
