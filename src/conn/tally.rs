//! Counts the elements of RESP replies as their bytes stream past, so a reply of millions of
//! tiny elements (`*5000000` then `_` after `_`) is refused before the parser has built them:
//! the byte cap alone still lets a 4 MiB reply become over a million values in memory.

/// How far into one element the stream is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum At {
    /// The next byte is a type byte (`+ - : $ * % ~ …`): a new element starts.
    Type,
    /// Inside the header line of an element of this type, up to its `\n`.
    Line(u8),
    /// Inside a blob's payload and its CRLF: this many bytes to pass over.
    Payload(u64),
}

/// The framing state of a connection's byte stream (kept across replies, so bytes the parser
/// buffered ahead are never counted twice or misframed), and the elements counted since
/// [`Tally::restart`].
#[derive(Debug)]
pub struct Tally {
    at: At,
    /// The length digits of the current header (longer is not a length anyone sends).
    digits: [u8; 20],
    digits_len: usize,
    elements: usize,
}

impl Default for Tally {
    fn default() -> Self {
        Self {
            at: At::Type,
            digits: [0; 20],
            digits_len: 0,
            elements: 0,
        }
    }
}

impl Tally {
    /// Starts counting afresh (for the next reply); the framing state carries on.
    pub fn restart(&mut self) {
        self.elements = 0;
    }

    /// Elements started since [`Tally::restart`].
    #[cfg(test)]
    pub fn elements(&self) -> usize {
        self.elements
    }

    /// Follows `bytes`; returns false once more than `limit` elements were counted, or an
    /// aggregate announced more than `limit` children.
    pub fn feed(&mut self, bytes: &[u8], limit: usize) -> bool {
        let mut i = 0;
        while i < bytes.len() {
            match self.at {
                At::Type => {
                    self.elements += 1;
                    if self.elements > limit {
                        return false;
                    }
                    self.at = At::Line(bytes[i]);
                    self.digits_len = 0;
                    i += 1;
                }
                At::Line(kind) => {
                    // Only the header line itself is scanned, up to its '\n'.
                    let rest = &bytes[i..];
                    let end = rest.iter().position(|&b| b == b'\n');
                    let line = &rest[..end.unwrap_or(rest.len())];
                    for &b in line {
                        if self.digits_len < self.digits.len() {
                            self.digits[self.digits_len] = b;
                            self.digits_len += 1;
                        }
                    }
                    let Some(end) = end else {
                        return true;
                    };
                    i += end + 1;
                    let n = self.length();
                    self.at = match (kind, n) {
                        // Blobs: bulk string, blob error, verbatim string.
                        (b'$' | b'!' | b'=', Some(n)) if n >= 0 => {
                            At::Payload(n.unsigned_abs().saturating_add(2))
                        }
                        // Aggregates: each child has a type byte of its own and is counted
                        // there; an announced count over the limit is refused at once.
                        (b'*' | b'~' | b'>', Some(n))
                            if usize::try_from(n).is_ok_and(|n| n > limit) =>
                        {
                            return false;
                        }
                        (b'%' | b'|', Some(n))
                            if usize::try_from(n).is_ok_and(|n| n > limit / 2) =>
                        {
                            return false;
                        }
                        _ => At::Type,
                    };
                }
                At::Payload(left) => {
                    let take = usize::try_from(left)
                        .unwrap_or(usize::MAX)
                        .min(bytes.len() - i);
                    i += take;
                    let left = left - take as u64;
                    self.at = if left == 0 {
                        At::Type
                    } else {
                        At::Payload(left)
                    };
                }
            }
        }
        true
    }

    /// The header line read as a length (`-1` for a null), when it is one.
    fn length(&self) -> Option<i64> {
        let line = &self.digits[..self.digits_len];
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        std::str::from_utf8(line).ok()?.trim().parse().ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feeds `bytes` in pieces of `step` and returns the count, or None once over `limit`.
    fn count(bytes: &[u8], step: usize, limit: usize) -> Option<usize> {
        let mut t = Tally::default();
        for piece in bytes.chunks(step) {
            if !t.feed(piece, limit) {
                return None;
            }
        }
        Some(t.elements())
    }

    #[test]
    fn counts_elements_not_bytes_in_any_split() {
        // A map of two pairs whose bulk payloads hold CRLFs and type bytes.
        let reply = b"%2\r\n$4\r\n*9\r\n\r\n:1\r\n=8\r\ntxt:*1\r\n_\r\n";
        for step in 1..reply.len() {
            assert_eq!(count(reply, step, 100), Some(5), "step {step}");
        }
        assert_eq!(count(b"$-1\r\n+OK\r\n", 1, 100), Some(2));
        assert_eq!(count(b"*-1\r\n", 3, 100), Some(1));
    }

    #[test]
    fn refuses_past_the_limit_or_an_announced_count_over_it() {
        let mut many = b"*1000\r\n".to_vec();
        many.extend(b"_\r\n".repeat(1000));
        assert_eq!(count(&many, 7, 2000), Some(1001));
        assert_eq!(count(&many, 7, 500), None);
        assert_eq!(count(b"*2147483647\r\n", 64, 500), None);
        assert_eq!(count(b"%2796000\r\n", 64, 1_000_000), None);
    }

    #[test]
    fn framing_carries_over_a_restart() {
        // A reply cut between two reads: the rest of the payload is no element.
        let mut t = Tally::default();
        assert!(t.feed(b"$5\r\nhe", 10));
        t.restart();
        assert!(t.feed(b"llo\r\n+OK\r\n", 10));
        assert_eq!(t.elements(), 1);
    }
}
