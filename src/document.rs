//! The document: its id, its text, its site, and the form it came in, so that it can be
//! written back with every other field untouched.
//!
//! A JSON record is not rebuilt: its text value is spliced out of the original bytes and the
//! cleaned text spliced in, so field order, number formatting and unknown fields survive
//! byte for byte. Reading bytes from files is [`crate::io`]'s job; this module only parses
//! one record that is already in memory.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;
use std::ops::Range;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;

/// Which fields carry the text, the id and the site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fields {
    pub text: String,
    pub id: String,
    pub site: SiteFrom,
}

/// Where a document's site comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SiteFrom {
    /// The value of this field, as written.
    Field(String),
    /// The host (without `www.`) of the URL in this field.
    UrlField(String),
    /// The host of a `url` field when a record has one.
    Auto,
}

/// One input document, borrowing from the record it was parsed from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document<'a> {
    /// The id as a JSON value (a string, a number…), ready to be written.
    pub id_json: Cow<'a, str>,
    pub text: Cow<'a, str>,
    pub site: Option<String>,
    pub form: Form<'a>,
}

/// How the document is written back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Form<'a> {
    /// A plain text file: written as `{"id", "text"}`.
    Text,
    /// A JSON record: `raw` with the bytes at `text_span` (the text's JSON string) replaced.
    Json {
        raw: &'a str,
        text_span: Range<usize>,
    },
}

/// Why a record cannot become a document.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordError {
    #[error("invalid UTF-8 at byte {0}")]
    InvalidUtf8(usize),
    #[error("invalid JSON: {0}")]
    InvalidJson(String),
    #[error("not a JSON object")]
    NotAnObject,
    #[error("missing field {0:?}")]
    MissingField(String),
    #[error("field {0:?} is not a string")]
    NotAString(String),
    /// A `\u` escape of half a UTF-16 surrogate pair without its other half, as Python's
    /// `json.dumps` writes for bytes it could not decode.
    #[error(
        "field {0:?} holds an unpaired surrogate escape (\\ud800 to \\udfff), which is not text"
    )]
    LoneSurrogate(String),
    /// JSON leaves a repeated name's meaning open: readers take the first or the last, so
    /// a record cleaned in one of them would keep the other's text for some of them.
    #[error("field {0:?} appears more than once")]
    Repeated(String),
    #[error("empty file")]
    EmptyFile,
    #[error("record of {0} bytes is longer than --max-record-bytes")]
    TooLong(usize),
    #[error("read error: {0}")]
    Read(String),
}

impl RecordError {
    /// The reason code written to the rejected output.
    pub fn code(&self) -> &'static str {
        match self {
            RecordError::InvalidUtf8(_) => "invalid-utf8",
            RecordError::InvalidJson(_) | RecordError::NotAnObject => "invalid-json",
            RecordError::MissingField(_) => "missing-field",
            RecordError::NotAString(_)
            | RecordError::LoneSurrogate(_)
            | RecordError::Repeated(_) => "bad-field",
            RecordError::EmptyFile => "empty-file",
            RecordError::TooLong(_) => "too-long",
            RecordError::Read(_) => "read-error",
        }
    }
}

/// `bytes` as text, or how many of them are valid UTF-8. Every record is checked, once
/// in each pass, so the check is SIMD (`simdutf8`); only a record that fails it is
/// checked again by `std` to say where.
pub fn utf8(bytes: &[u8]) -> Result<&str, usize> {
    simdutf8::basic::from_utf8(bytes)
        .map_err(|_| std::str::from_utf8(bytes).map_or_else(|e| e.valid_up_to(), |s| s.len()))
}

/// Parses a whole text file as one document. `id` is its path relative to the folder
/// given on the command line.
pub fn parse_text<'a>(bytes: &'a [u8], id: &str) -> Result<Document<'a>, RecordError> {
    if bytes.is_empty() {
        return Err(RecordError::EmptyFile);
    }
    let text = utf8(bytes).map_err(RecordError::InvalidUtf8)?;
    Ok(Document {
        id_json: Cow::Owned(json_string(id)),
        text: Cow::Borrowed(text),
        site: None,
        form: Form::Text,
    })
}

/// Parses one JSONL record. `fallback_id` (`path:line`) is used when it has no id field.
pub fn parse_json<'a>(
    bytes: &'a [u8],
    fields: &Fields,
    fallback_id: impl FnOnce() -> String,
) -> Result<Document<'a>, RecordError> {
    let line = utf8(bytes).map_err(RecordError::InvalidUtf8)?;
    let line = line.trim();
    if !line.starts_with('{') {
        return match serde_json::from_str::<serde::de::IgnoredAny>(line) {
            Ok(_) => Err(RecordError::NotAnObject),
            Err(e) => Err(RecordError::InvalidJson(e.to_string())),
        };
    }
    let entries: Entries<'_> =
        serde_json::from_str(line).map_err(|e| RecordError::InvalidJson(e.to_string()))?;
    let get = |name: &str| {
        entries
            .0
            .iter()
            .rev()
            .find(|(k, _)| k.0 == name)
            .map(|(_, v)| *v)
    };
    let text_raw =
        get(&fields.text).ok_or_else(|| RecordError::MissingField(fields.text.clone()))?;
    if entries.0.iter().filter(|(k, _)| k.0 == fields.text).count() > 1 {
        return Err(RecordError::Repeated(fields.text.clone()));
    }
    let text = as_str(text_raw).ok_or_else(|| {
        let name = fields.text.clone();
        // A string literal `unescape` refuses holds a lone surrogate.
        if text_raw.get().starts_with('"') {
            RecordError::LoneSurrogate(name)
        } else {
            RecordError::NotAString(name)
        }
    })?;
    let id_json = match get(&fields.id) {
        Some(raw) => Cow::Borrowed(raw.get()),
        None => Cow::Owned(json_string(&fallback_id())),
    };
    let site = match &fields.site {
        SiteFrom::Field(name) => get(name).and_then(as_str).map(|s| s.trim().to_string()),
        SiteFrom::UrlField(name) => get(name).and_then(as_str).and_then(|u| host_of(&u)),
        SiteFrom::Auto => get("url").and_then(as_str).and_then(|u| host_of(&u)),
    }
    .filter(|s| !s.is_empty());
    let start = text_raw.get().as_ptr() as usize - line.as_ptr() as usize;
    Ok(Document {
        id_json,
        text,
        site,
        form: Form::Json {
            raw: line,
            text_span: start..start + text_raw.get().len(),
        },
    })
}

impl Document<'_> {
    /// Appends the document with `text` in place of its own, as one JSONL line. Returns
    /// where in `out` the text's JSON string literal was written.
    pub fn write_with_text(&self, text: &str, out: &mut Vec<u8>) -> Range<usize> {
        // Escaping adds a little: a `\n` per line, the odd quote.
        let rest = match &self.form {
            Form::Text => self.id_json.len() + 20,
            Form::Json { raw, text_span } => raw.len() - text_span.len(),
        };
        out.reserve(rest + text.len() + text.len() / 16 + 2);
        let span = match &self.form {
            Form::Text => {
                out.extend_from_slice(b"{\"id\":");
                out.extend_from_slice(self.id_json.as_bytes());
                out.extend_from_slice(b",\"text\":");
                let start = out.len();
                push_json_string(text, out);
                let span = start..out.len();
                out.push(b'}');
                span
            }
            Form::Json { raw, text_span } => {
                out.extend_from_slice(&raw.as_bytes()[..text_span.start]);
                let start = out.len();
                push_json_string(text, out);
                let span = start..out.len();
                out.extend_from_slice(&raw.as_bytes()[text_span.end..]);
                span
            }
        };
        out.push(b'\n');
        span
    }

    /// Appends the document as it came in, as a JSON value.
    pub fn write_original(&self, out: &mut Vec<u8>) {
        match &self.form {
            Form::Text => {
                self.write_with_text(&self.text, out);
                out.pop();
            }
            Form::Json { raw, .. } => out.extend_from_slice(raw.as_bytes()),
        }
    }
}

/// Appends `s` as a JSON string literal, byte for byte as `serde_json` writes it: `"`, `\\`
/// and control characters escaped (`\n`, `\t`, … or `\u00XX`), everything else as is.
/// Eight bytes at a time: most of a clean text is runs of letters between line breaks.
pub fn push_json_string(s: &str, out: &mut Vec<u8>) {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // The high bit of each of eight bytes that is below `n` (at most 0x80). A borrow can
    // mark a byte above a marked one too, so only the lowest mark is exact; a byte at or
    // above 0x80 is never marked.
    let below = |x: u64, n: u8| x.wrapping_sub(ONES * u64::from(n)) & !x & HIGH;
    let equal = |x: u64, b: u8| below(x ^ (ONES * u64::from(b)), 1);
    let bytes = s.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    // `bytes[copied..i]` is waiting to be copied as is.
    let (mut copied, mut i) = (0, 0);
    while i < bytes.len() {
        match bytes.get(i..i + 8) {
            Some(chunk) => {
                let x = u64::from_le_bytes(chunk.try_into().unwrap_or_default());
                let marks = below(x, 0x20) | equal(x, b'"') | equal(x, b'\\');
                if marks == 0 {
                    i += 8;
                    continue;
                }
                i += marks.trailing_zeros() as usize / 8;
            }
            None if !needs_escape(bytes[i]) => {
                i += 1;
                continue;
            }
            None => {}
        }
        out.extend_from_slice(&bytes[copied..i]);
        push_escape(bytes[i], out);
        i += 1;
        copied = i;
    }
    out.extend_from_slice(&bytes[copied..]);
    out.push(b'"');
}

fn needs_escape(b: u8) -> bool {
    b < 0x20 || b == b'"' || b == b'\\'
}

/// The escape of a byte that [`needs_escape`].
fn push_escape(b: u8, out: &mut Vec<u8>) {
    let short = match b {
        b'"' => b'"',
        b'\\' => b'\\',
        b'\n' => b'n',
        b'\r' => b'r',
        b'\t' => b't',
        0x08 => b'b',
        0x0c => b'f',
        _ => {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            let (hi, lo) = (HEX[usize::from(b >> 4)], HEX[usize::from(b & 0xf)]);
            out.extend_from_slice(&[b'\\', b'u', b'0', b'0', hi, lo]);
            return;
        }
    };
    out.extend_from_slice(&[b'\\', short]);
}

fn json_string(s: &str) -> String {
    let mut out = Vec::with_capacity(s.len() + 2);
    push_json_string(s, &mut out);
    String::from_utf8(out).expect("a str escaped as JSON is UTF-8")
}

/// The host of a URL, lower-cased, without `www.` or a port.
pub fn host_of(url: &str) -> Option<String> {
    let s = url.trim();
    let rest = match s.find("://") {
        Some(i) => &s[i + 3..],
        None => s.strip_prefix("//").unwrap_or(s),
    };
    let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
    let host = authority.rsplit('@').next().unwrap_or(authority);
    let host = if let Some(v6) = host.strip_prefix('[') {
        v6.split(']').next().unwrap_or(v6)
    } else {
        host.split(':').next().unwrap_or(host)
    };
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host).to_string();
    (!host.is_empty()).then_some(host)
}

/// A JSON value as a string, when it is one: borrowed when it has no escapes.
fn as_str(raw: &RawValue) -> Option<Cow<'_, str>> {
    unescape(raw.get())
}

/// The string a JSON string literal stands for, the same as `serde_json` reads it (`None`
/// for anything else, and for a `\u` escape of a lone surrogate, which `serde_json`
/// refuses too). The literal is already known to be valid JSON (a [`RawValue`]), so
/// decoding is finding backslashes (`memchr`) and copying the runs between them: the
/// text field is most of every record, and is read in both passes (and pass 3 reads the
/// clean records' texts back the same way).
pub fn unescape(literal: &str) -> Option<Cow<'_, str>> {
    let body = literal.strip_prefix('"')?.strip_suffix('"')?;
    let bytes = body.as_bytes();
    let Some(first) = memchr::memchr(b'\\', bytes) else {
        return Some(Cow::Borrowed(body));
    };
    let mut out = String::with_capacity(body.len());
    let (mut run, mut at) = (0, first);
    loop {
        out.push_str(&body[run..at]);
        let escape = *bytes.get(at + 1)?;
        at += 2;
        match escape {
            b'n' => out.push('\n'),
            b't' => out.push('\t'),
            b'r' => out.push('\r'),
            b'b' => out.push('\u{8}'),
            b'f' => out.push('\u{c}'),
            b'"' | b'\\' | b'/' => out.push(char::from(escape)),
            b'u' => {
                let unit = hex4(bytes.get(at..at + 4)?)?;
                at += 4;
                let c = match unit {
                    0xD800..=0xDBFF => {
                        let low = match bytes.get(at..at + 6)? {
                            [b'\\', b'u', hex @ ..] => hex4(hex)?,
                            _ => return None,
                        };
                        if !(0xDC00..=0xDFFF).contains(&low) {
                            return None;
                        }
                        at += 6;
                        0x10000 + ((u32::from(unit) - 0xD800) << 10) + (u32::from(low) - 0xDC00)
                    }
                    0xDC00..=0xDFFF => return None,
                    _ => u32::from(unit),
                };
                out.push(char::from_u32(c)?);
            }
            _ => return None,
        }
        run = at;
        match memchr::memchr(b'\\', &bytes[at..]) {
            Some(next) => at += next,
            None => {
                out.push_str(&body[run..]);
                return Some(Cow::Owned(out));
            }
        }
    }
}

/// Four hex digits as a UTF-16 code unit.
fn hex4(digits: &[u8]) -> Option<u16> {
    if digits.len() != 4 || !digits.iter().all(u8::is_ascii_hexdigit) {
        return None;
    }
    u16::from_str_radix(std::str::from_utf8(digits).ok()?, 16).ok()
}

/// A JSON object's entries in order, each value left as raw JSON.
struct Entries<'a>(Vec<(Str<'a>, &'a RawValue)>);

/// A string that borrows from the input when it has no escapes.
struct Str<'a>(Cow<'a, str>);

impl<'de> de::Deserialize<'de> for Str<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Str<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Str<'de>, E> {
                Ok(Str(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Str<'de>, E> {
                Ok(Str(Cow::Owned(v.to_string())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Str<'de>, E> {
                Ok(Str(Cow::Owned(v)))
            }
        }
        d.deserialize_str(V)
    }
}

impl<'de> de::Deserialize<'de> for Entries<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(PhantomData<&'a ()>);
        impl<'de> Visitor<'de> for V<'de> {
            type Value = Entries<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Entries<'de>, A::Error> {
                let mut entries = Vec::with_capacity(map.size_hint().unwrap_or(8));
                while let Some(entry) = map.next_entry::<Str<'de>, &'de RawValue>()? {
                    entries.push(entry);
                }
                Ok(Entries(entries))
            }
        }
        d.deserialize_map(V(PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields() -> Fields {
        Fields {
            text: "text".into(),
            id: "id".into(),
            site: SiteFrom::Auto,
        }
    }

    fn parse(line: &str) -> Result<Document<'_>, RecordError> {
        parse_json(line.as_bytes(), &fields(), || "f.jsonl:3".into())
    }

    #[test]
    fn splices_text_and_keeps_every_other_byte() {
        let line = r#"{"n": 1.50, "text": "a\nb", "id": 7, "url": "https://www.Example.com:8080/x", "z": [1,{"k":null}]}"#;
        let doc = parse(line).expect("valid");
        assert_eq!(doc.text, "a\nb");
        assert_eq!(doc.id_json, "7");
        assert_eq!(doc.site.as_deref(), Some("example.com"));
        let mut out = b"earlier record\n".to_vec();
        let span = doc.write_with_text("a \"quoted\"", &mut out);
        let text: String = serde_json::from_slice(&out[span]).expect("the text's literal");
        assert_eq!(text, "a \"quoted\"");
        let out = out.split_off(b"earlier record\n".len());
        assert_eq!(
            String::from_utf8(out).expect("utf8"),
            r#"{"n": 1.50, "text": "a \"quoted\"", "id": 7, "url": "https://www.Example.com:8080/x", "z": [1,{"k":null}]}"#
                .to_string()
                + "\n"
        );
    }

    #[test]
    fn missing_id_falls_back_to_path_and_line() {
        let doc = parse(r#"{"text": "x"}"#).expect("valid");
        assert_eq!(doc.id_json, r#""f.jsonl:3""#);
    }

    #[test]
    fn bad_records_say_why() {
        assert_eq!(
            parse(r#"{"body": "x"}"#).unwrap_err(),
            RecordError::MissingField("text".into())
        );
        assert_eq!(
            parse(r#"{"text": 3}"#).unwrap_err(),
            RecordError::NotAString("text".into())
        );
        let lone = parse(r#"{"text": "half a pair \ud800 here"}"#).unwrap_err();
        assert_eq!(lone, RecordError::LoneSurrogate("text".into()));
        assert_eq!(lone.code(), "bad-field");
        assert!(parse(r#"{"text": "a whole pair \ud83d\ude00"}"#).is_ok());
        // Written under an escaped name, the second is still the same field.
        let repeated = parse(r#"{"text": "a\nShare", "id": 1, "te\u0078t": "b"}"#);
        assert_eq!(repeated.unwrap_err(), RecordError::Repeated("text".into()));
        assert_eq!(
            RecordError::Repeated("text".into()).to_string(),
            "field \"text\" appears more than once"
        );
        // Other fields may repeat: only the text is written back.
        assert!(parse(r#"{"text": "a", "id": 1, "id": 2}"#).is_ok());
        assert_eq!(parse("[1, 2]").unwrap_err(), RecordError::NotAnObject);
        assert_eq!(parse(r#"{"text": "x""#).unwrap_err().code(), "invalid-json");
        assert_eq!(parse("nonsense").unwrap_err().code(), "invalid-json");
        assert_eq!(
            parse_json(b"{\"text\": \"\xff\"}", &fields(), String::new).unwrap_err(),
            RecordError::InvalidUtf8(10)
        );
    }

    proptest::proptest! {
        /// The SIMD check accepts what `std` accepts and reports the same position.
        #[test]
        fn utf8_agrees_with_std(bytes in proptest::collection::vec(
            proptest::prop_oneof![proptest::num::u8::ANY, 0x20u8..0x7f], 0..200)) {
            let std = std::str::from_utf8(&bytes).map_err(|e| e.valid_up_to());
            proptest::prop_assert_eq!(utf8(&bytes), std);
        }
    }

    #[test]
    fn site_from_a_named_field_or_url() {
        let mut f = fields();
        f.site = SiteFrom::Field("site".into());
        let line = br#"{"text": "x", "site": "news.example"}"#;
        let doc = parse_json(line, &f, String::new).expect("valid");
        assert_eq!(doc.site.as_deref(), Some("news.example"));
        f.site = SiteFrom::UrlField("link".into());
        let line = br#"{"text": "x", "link": "http://user@WWW.b.org/p?q"}"#;
        let doc = parse_json(line, &f, String::new).expect("valid");
        assert_eq!(doc.site.as_deref(), Some("b.org"));
    }

    #[test]
    fn hosts() {
        assert_eq!(host_of("example.com/a").as_deref(), Some("example.com"));
        assert_eq!(host_of("//cdn.x.org").as_deref(), Some("cdn.x.org"));
        assert_eq!(host_of("http://[::1]:80/").as_deref(), Some("::1"));
        assert_eq!(host_of(""), None);
    }

    #[test]
    fn text_documents_are_written_as_id_and_text() {
        let doc = parse_text(b"line one\n", "dir/a.txt").expect("valid");
        let mut out = Vec::new();
        let span = doc.write_with_text("line one\n", &mut out);
        assert_eq!(&out[span], b"\"line one\\n\"");
        assert_eq!(out, b"{\"id\":\"dir/a.txt\",\"text\":\"line one\\n\"}\n");
        assert_eq!(parse_text(b"", "e").unwrap_err(), RecordError::EmptyFile);
    }

    /// `serde_json`'s own string writer, which [`push_json_string`] must match.
    fn serde_string(s: &str) -> Vec<u8> {
        serde_json::to_vec(s).expect("a string serializes")
    }

    #[test]
    fn json_strings_are_written_as_serde_json_writes_them() {
        let all_controls: String = (0u8..0x20).map(char::from).collect();
        for s in [
            "",
            "plain",
            "exactly8",
            "line one\nline two\r\n\ttabbed",
            "quote \" and backslash \\ and \u{7f} and \u{1b}[0m",
            "é, 中文, emoji 🦀 across the eight-byte boundary\n",
            &all_controls,
        ] {
            let mut out = Vec::new();
            push_json_string(s, &mut out);
            assert_eq!(out, serde_string(s), "{s:?}");
        }
    }

    /// What `serde_json` reads from a string literal (`None` where it refuses it).
    fn serde_unescape(literal: &str) -> Option<String> {
        serde_json::from_str::<String>(literal).ok()
    }

    #[test]
    fn string_literals_are_read_as_serde_json_reads_them() {
        for literal in [
            r#""""#,
            r#""plain, no escapes""#,
            r#""line\none\r\n\ttab \"quoted\" back\\slash \/ \b\f""#,
            r#""\u00e9t\u00C9 \u4e2d\u6587 \ud83d\ude00 end""#,
            r#""\u0000 nul and \u001f""#,
            r#""lone \ud83d high""#,
            r#""lone \ude00 low""#,
            r#""high then not low \ud83d\u0041""#,
            r#""high at the end \ud83d""#,
            r#""\\""#,
        ] {
            let ours = unescape(literal).map(Cow::into_owned);
            assert_eq!(ours, serde_unescape(literal), "{literal}");
        }
        assert_eq!(unescape("7"), None, "not a string");
        assert!(matches!(
            unescape(r#""no escapes""#),
            Some(Cow::Borrowed(_))
        ));
    }

    proptest::proptest! {
        #[test]
        fn escaped_text_is_read_back_as_serde_json_reads_it(
            s in "(\\PC|[\\x00-\\x1f\"\\\\\u{7f}]){0,40}",
            units in proptest::collection::vec(
                proptest::prop_oneof![0xD7F0u16..0xE010, 0u16..0x80, proptest::num::u16::ANY],
                0..4,
            ),
        ) {
            // Every string serde_json writes, then `\u` escapes of any code units
            // (surrogate pairs and lone halves among them).
            let written = String::from_utf8(serde_string(&s)).expect("utf8");
            let escapes: String = units.iter().map(|u| format!("\\u{u:04x}")).collect();
            let literal = format!("{}{escapes}\"", &written[..written.len() - 1]);
            let ours = unescape(&literal).map(Cow::into_owned);
            proptest::prop_assert_eq!(ours, serde_unescape(&literal));
        }

        #[test]
        fn any_string_is_written_as_serde_json_writes_it(
            s in "(\\PC|[\\x00-\\x1f\"\\\\\u{7f}]){0,40}"
        ) {
            let mut out = b"prefix".to_vec();
            push_json_string(&s, &mut out);
            proptest::prop_assert_eq!(&out[6..], &serde_string(&s)[..]);
        }
    }
}
