//! Decoding that mail-parser leaves to its caller: uuencoded parts, and RFC 2047 words that
//! split one character across two words.

use mail_parser::decoders::base64::base64_decode;
use mail_parser::decoders::charsets::map::charset_decoder;
use mail_parser::decoders::quoted_printable::quoted_printable_decode;

use super::clean::decode_text;

/// Text in a declared charset: mail-parser's decoders (with `full_encoding`, every label
/// encoding_rs knows), else encoding_rs by label, else the guesses of [`decode_text`].
pub(crate) fn decode_charset(charset: Option<&str>, bytes: &[u8]) -> String {
    if let Some(decoder) = charset.and_then(|c| charset_decoder(c.as_bytes())) {
        return decoder(bytes);
    }
    match charset.and_then(|c| encoding_rs::Encoding::for_label(c.trim().as_bytes())) {
        Some(encoding) => encoding.decode(bytes).0.into_owned(),
        None => decode_text(bytes),
    }
}

/// Whether a Content-Transfer-Encoding names uuencoding, which mail-parser does not decode
/// (old Eudora and Mac mailers sent attachments that way).
pub(crate) fn is_uuencoding(transfer_encoding: &str) -> bool {
    ["x-uuencode", "uuencode", "x-uue", "uue"].iter().any(|e| transfer_encoding.trim().eq_ignore_ascii_case(e))
}

/// The bytes of the first uuencoded block (`begin MODE NAME` ... `end`), or None when there
/// is no `begin` line. A damaged line ends the block early rather than failing it.
pub(crate) fn uudecode(raw: &[u8]) -> Option<Vec<u8>> {
    let mut lines = raw.split(|&b| b == b'\n').map(|l| l.strip_suffix(b"\r").unwrap_or(l));
    lines.by_ref().find(|l| l.starts_with(b"begin "))?;
    let mut out = Vec::with_capacity(raw.len() * 3 / 4);
    for line in lines {
        if line.starts_with(b"end") {
            break;
        }
        let Some((&count, data)) = line.split_first() else { continue };
        let count = usize::from(count.wrapping_sub(b' ') & 0x3F);
        if count == 0 {
            continue;
        }
        // Each character carries six bits; a backquote stands for zero.
        let sextets: Vec<u8> = data.iter().map(|&c| c.wrapping_sub(b' ') & 0x3F).collect();
        let mut decoded = Vec::with_capacity(count + 2);
        for group in sextets.chunks(4) {
            let get = |i: usize| group.get(i).copied().unwrap_or(0);
            decoded.push((get(0) << 2) | (get(1) >> 4));
            decoded.push((get(1) << 4) | (get(2) >> 2));
            decoded.push((get(2) << 6) | get(3));
        }
        if decoded.len() < count {
            break;
        }
        out.extend_from_slice(&decoded[..count]);
    }
    Some(out)
}

/// An unstructured header (a subject) decoded with adjacent RFC 2047 words of one charset and
/// encoding joined before their bytes are decoded, as Python's `email` and most mail clients
/// do: senders split a multi-byte character across two words (an emoji at a line fold), and
/// decoding each word alone leaves U+FFFD in its place. None when the header holds no such
/// word or one that does not decode.
pub(crate) fn decode_joined_words(raw: &str) -> Option<String> {
    let mut out = String::new();
    // The bytes of the run of adjacent words still to decode, with its charset and encoding.
    let mut pending: Option<(String, u8, Vec<u8>)> = None;
    let mut rest = raw;
    let mut found = false;
    while !rest.is_empty() {
        let Some(start) = rest.find("=?") else {
            flush(&mut pending, &mut out);
            out.push_str(rest);
            break;
        };
        let (before, from) = rest.split_at(start);
        let Some((charset, encoding, text, after)) = encoded_word(from) else {
            flush(&mut pending, &mut out);
            out.push_str(before);
            out.push_str("=?");
            rest = &from[2..];
            continue;
        };
        found = true;
        let bytes = match encoding {
            b'B' => base64_decode(text.as_bytes())?,
            _ => quoted_printable_decode(text.replace('_', " ").as_bytes())?,
        };
        // White space between two encoded words is not part of the text (RFC 2047 section 6.2).
        let joins = before.chars().all(char::is_whitespace)
            && pending.as_ref().is_some_and(|(c, e, _)| c.eq_ignore_ascii_case(&charset) && *e == encoding);
        if joins {
            if let Some((_, _, held)) = pending.as_mut() {
                held.extend_from_slice(&bytes);
            }
        } else {
            let adjacent = pending.is_some() && before.chars().all(char::is_whitespace);
            flush(&mut pending, &mut out);
            if !adjacent {
                out.push_str(before);
            }
            pending = Some((charset, encoding, bytes));
        }
        rest = after;
    }
    flush(&mut pending, &mut out);
    found.then_some(out)
}

fn flush(pending: &mut Option<(String, u8, Vec<u8>)>, out: &mut String) {
    if let Some((charset, _, bytes)) = pending.take() {
        out.push_str(&decode_charset(Some(&charset), &bytes));
    }
}

/// `=?charset?B|Q?text?=` at the start of `s`: (charset without a language suffix, encoding,
/// text, what follows the word).
fn encoded_word(s: &str) -> Option<(String, u8, &str, &str)> {
    let inner = s.strip_prefix("=?")?;
    let (charset, inner) = inner.split_once('?')?;
    let (encoding, inner) = inner.split_once('?')?;
    let (text, after) = inner.split_once("?=")?;
    let encoding = match encoding {
        "B" | "b" => b'B',
        "Q" | "q" => b'Q',
        _ => return None,
    };
    if charset.is_empty() || charset.contains(char::is_whitespace) || text.contains(char::is_whitespace) {
        return None;
    }
    // RFC 2231 lets a language follow the charset: `utf-8*en`.
    let charset = charset.split('*').next().unwrap_or(charset).to_owned();
    Some((charset, encoding, text, after))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_character_split_across_two_words_is_joined() {
        let raw = "=?utf-8?Q?Corre!_=F0=9F?=\r\n =?utf-8?Q?=8F=83?= done";
        assert_eq!(decode_joined_words(raw).as_deref(), Some("Corre! \u{1F3C3} done"));
        let raw = "=?UTF-8?B?8J+P?= =?utf-8?b?gw==?=";
        assert_eq!(decode_joined_words(raw).as_deref(), Some("\u{1F3C3}"));
        assert_eq!(decode_joined_words("plain words"), None);
        // Words of two charsets are decoded apart; text between words is kept.
        let raw = "=?iso-8859-1?Q?Fr=F6sche?= und =?utf-8?Q?Fr=C3=B6sche?=";
        assert_eq!(decode_joined_words(raw).as_deref(), Some("Frösche und Frösche"));
    }

    #[test]
    fn uuencoded_bytes_are_decoded() {
        // `binascii.b2a_uu(b'Hello, world!\n', backtick=True)` in Python.
        let raw = b"\r\nbegin 644 hello.txt\r\n.2&5L;&\\L('=O<FQD(0H`\r\n`\r\nend\r\n";
        assert_eq!(uudecode(raw).as_deref(), Some(&b"Hello, world!\n"[..]));
        assert_eq!(uudecode(b"no block here"), None);
        assert!(is_uuencoding(" X-UUEncode"));
    }
}
