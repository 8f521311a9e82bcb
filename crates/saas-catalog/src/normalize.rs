//! The descriptor normaliser.
//!
//! Turns a card-statement descriptor or employee-typed text into the normalised form the
//! matcher compares: NFKC, ASCII-folded (deunicode), lowercase; processor / marketplace /
//! app-store prefixes removed (and remembered); URLs reduced to their domain token
//! (`https://www.zoom.us/billing` → `zoom.us`); other punctuation turned into spaces;
//! phone numbers, reference codes, city / state / country tails and legal-form suffixes
//! removed; whitespace collapsed.

use crate::fxhash::{FastMap, FastSet};

use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfkc_quick};

use crate::policy::{Policy, PrefixKind};

/// Inputs longer than this many bytes are cut (at a character boundary) before normalising.
/// Real descriptors are under 100 bytes; the cap keeps 10 kB junk input cheap.
pub const MAX_INPUT_BYTES: usize = 1024;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    /// A descriptor: prefixes detected, codes dropped, tails stripped from the name.
    Descriptor,
    /// Free text (descriptions): folded, tokenised, domains kept; nothing removed.
    Text,
    /// A catalog name: no prefix detection, only phone numbers dropped, legal suffixes
    /// removed from the text itself.
    Phrase,
    /// A catalog veto phrase (exclude / non_software) or keyword: nothing removed.
    Exact,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum TailKind {
    State,
    Location,
    Legal,
}

#[derive(Clone, Debug)]
struct CompiledPrefix {
    text: String,
    literal: bool,
    kind: PrefixKind,
}

/// The normaliser (built from a [`Policy`] and the catalog's digit-bearing name tokens, which
/// are never removed as reference codes: `1password`, `365`, `360`…).
#[derive(Clone, Debug)]
pub struct Normalizer {
    prefixes: Vec<CompiledPrefix>,
    /// Prefix indexes by first byte.
    prefix_by_byte: Vec<Vec<u16>>,
    /// Second bytes of the prefixes, by first byte (one bit each; bit 0 of byte 0 marks a
    /// one-byte prefix): most descriptors start with no prefix's first two bytes.
    prefix_pairs: Vec<[u64; 4]>,
    tails: FastMap<Box<str>, TailKind>,
    /// Last words of the tail phrases → the most words of a tail phrase ending with it
    /// (quick reject, and fewer lookups).
    tail_last: FastMap<Box<str>, usize>,
    /// Multi-word tail phrases with dots for spaces (`st.louis`): dotted tokens that are
    /// places, not domains.
    tail_dotted: FastSet<Box<[u8]>>,
    protected: FastSet<Box<str>>,
    anywhere: FastSet<Box<[u8]>>,
    /// First bytes of the `anywhere` forms (quick reject).
    anywhere_first: [bool; 256],
    anywhere_max: usize,
    trunc_min_len: usize,
    trunc_max_len: usize,
}

/// A normalised descriptor. Reuse one value across calls ([`Normalizer::normalize_into`]) to
/// avoid allocations.
#[derive(Clone, Debug, Default)]
pub struct Normalized {
    text: String,
    /// Byte ranges of the tokens of `text`.
    tokens: Vec<(u32, u32, bool)>,
    prefix: Option<usize>,
    seller_start: usize,
    name_end: usize,
    truncated: bool,
    location_stripped: bool,
    had_code: bool,
    // scratch
    /// The input lowercased or folded; spans are byte ranges of it.
    fold: String,
    spans: Vec<Span>,
}

#[derive(Clone, Copy, Debug)]
struct Span {
    start: u32,
    end: u32,
    domain: bool,
    digits: u8,
    alpha: bool,
    keep: bool,
}

impl Normalized {
    /// The normalised text the matcher scans: tokens separated by one space, domain tokens
    /// keep their dots; prefixes, phone numbers and reference codes removed; location and
    /// legal-form tails are still present (see [`Normalized::name`]).
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The normalised name: [`Normalized::text`] without city / state / country tails and
    /// legal-form suffixes.
    pub fn name(&self) -> &str {
        self.text.get(..self.name_end).unwrap_or("")
    }

    /// The seller: [`Normalized::name`] after a kept vendor prefix (`google *x` → `x`).
    /// Empty when only a prefix and reference codes were present.
    pub fn seller(&self) -> &str {
        self.text
            .get(self.seller_start..self.name_end)
            .unwrap_or("")
            .trim_ascii_start()
    }

    /// Byte range of [`Normalized::seller`] within [`Normalized::text`].
    pub(crate) fn seller_range(&self) -> (usize, usize) {
        let s = self.seller();
        (self.name_end - s.len(), self.name_end)
    }

    /// Index (into [`Policy::prefix`]) of the processor / marketplace / app-store prefix found.
    pub fn prefix(&self) -> Option<usize> {
        self.prefix
    }

    /// Tokens as `(text, is_domain)`.
    pub fn tokens(&self) -> impl Iterator<Item = (&str, bool)> + '_ {
        self.tokens
            .iter()
            .map(|&(s, e, d)| (self.text.get(s as usize..e as usize).unwrap_or(""), d))
    }

    /// Domain tokens (`zoom.us`, `figma.com`).
    pub fn domains(&self) -> impl Iterator<Item = &str> + '_ {
        self.tokens().filter(|t| t.1).map(|t| t.0)
    }

    /// Byte range of the first domain token in [`Normalized::text`].
    pub(crate) fn first_domain(&self) -> Option<(u32, u32)> {
        self.tokens.iter().find(|t| t.2).map(|t| (t.0, t.1))
    }

    /// True when an alphanumeric reference code (`T08XYZ12AB`, `E0400ABCD`) was removed:
    /// typical of online billing, rare on shop receipts.
    pub fn had_reference_code(&self) -> bool {
        self.had_code
    }

    /// True when a domain token is present.
    pub fn has_domain(&self) -> bool {
        self.tokens.iter().any(|t| t.2)
    }

    /// True when the descriptor looks cut by the card network (22–25 characters and so on).
    pub fn looks_truncated(&self) -> bool {
        self.truncated
    }

    fn clear(&mut self) {
        self.text.clear();
        self.tokens.clear();
        self.prefix = None;
        self.seller_start = 0;
        self.name_end = 0;
        self.truncated = false;
        self.location_stripped = false;
        self.had_code = false;
        self.fold.clear();
        self.spans.clear();
    }
}

impl Normalizer {
    /// Builds a normaliser. `protected` holds tokens with digits that belong to names
    /// (`1password`, `365`) and are therefore never removed as reference codes.
    pub fn new(policy: &Policy, protected: impl IntoIterator<Item = Box<str>>) -> Self {
        let protected: FastSet<Box<str>> = protected.into_iter().collect();
        let mut prefixes: Vec<CompiledPrefix> = policy
            .prefix
            .iter()
            .map(|p| CompiledPrefix {
                text: fold_simple(&p.text),
                literal: p.literal,
                kind: p.kind,
            })
            .collect();
        // keep policy order for indexes, but try longest first
        let mut order: Vec<usize> = (0..prefixes.len()).collect();
        order.sort_by_key(|&i| std::cmp::Reverse(prefixes[i].text.len()));
        let mut prefix_by_byte = vec![Vec::new(); 256];
        let mut prefix_pairs = vec![[0u64; 4]; 256];
        for i in order {
            let t = prefixes[i].text.as_bytes();
            if let Some(&b) = t.first() {
                prefix_by_byte[b as usize].push(i as u16);
                let second = t.get(1).copied().unwrap_or(0);
                prefix_pairs[b as usize][second as usize >> 6] |= 1 << (second & 63);
            }
        }
        prefixes.shrink_to_fit();
        let mut tails = FastMap::default();
        let mut add = |list: &[String], kind: TailKind| {
            for s in list {
                let t = simple_tokens(s);
                if t.is_empty() {
                    continue;
                }
                tails.entry(t.into_boxed_str()).or_insert(kind);
            }
        };
        add(&policy.legal_suffixes, TailKind::Legal);
        add(&policy.location_cities, TailKind::Location);
        add(&policy.location_countries, TailKind::Location);
        add(&policy.location_states, TailKind::State);
        let anywhere: FastSet<Box<[u8]>> = policy
            .legal_forms_anywhere
            .iter()
            .map(|s| Box::from(fold_simple(s).as_bytes()))
            .collect();
        let mut anywhere_first = [false; 256];
        for a in &anywhere {
            if let Some(&b) = a.first() {
                anywhere_first[b as usize] = true;
            }
        }
        let tail_dotted = tails
            .keys()
            .filter(|k| k.contains(' '))
            .map(|k| Box::from(k.replace(' ', ".").as_bytes()))
            .collect();
        let mut tail_last: FastMap<Box<str>, usize> = FastMap::default();
        for k in tails.keys() {
            let last = k.rsplit(' ').next().unwrap_or("");
            let words = k.split(' ').count();
            let e = tail_last.entry(Box::from(last)).or_insert(0);
            *e = (*e).max(words);
        }
        Self {
            prefixes,
            prefix_by_byte,
            prefix_pairs,
            tails,
            tail_last,
            tail_dotted,
            protected,
            anywhere,
            anywhere_first,
            anywhere_max: policy
                .legal_forms_anywhere
                .iter()
                .map(String::len)
                .max()
                .unwrap_or(0),
            trunc_min_len: policy.truncation_min_len,
            trunc_max_len: policy.truncation_max_len,
        }
    }

    /// Normalises `input` into a fresh [`Normalized`].
    pub fn normalize(&self, input: &str) -> Normalized {
        let mut out = Normalized::default();
        self.normalize_into(input, &mut out);
        out
    }

    /// Normalises a descriptor into `out` (reusing its buffers), detecting prefixes.
    pub fn normalize_into(&self, input: &str, out: &mut Normalized) {
        self.run(input, out, Mode::Descriptor);
    }

    /// Normalises free text (a description): folded, tokenised, URLs reduced to domains;
    /// no prefix detection and nothing removed (only keywords and names are looked up in it).
    pub fn normalize_text_into(&self, input: &str, out: &mut Normalized) {
        self.run(input, out, Mode::Text);
    }

    /// Normalises a catalog name (alias, entity, pattern, domain, billing entity): phone
    /// numbers and a trailing legal-form suffix removed (`Zoom Video Communications, Inc.` →
    /// `zoom video communications`). Empty when nothing but a legal form / location is left.
    pub fn phrase(&self, input: &str) -> String {
        let mut out = Normalized::default();
        self.run(input, &mut out, Mode::Phrase);
        if self.tails.contains_key(out.text.as_str()) {
            return String::new();
        }
        out.text
    }

    /// Normalises a veto phrase or keyword: folded and tokenised, nothing removed.
    pub fn phrase_exact(&self, input: &str) -> String {
        let mut out = Normalized::default();
        self.run(input, &mut out, Mode::Exact);
        out.text
    }

    fn run(&self, input: &str, out: &mut Normalized, mode: Mode) {
        let detect_prefix = mode == Mode::Descriptor;
        out.clear();
        let input = cut(input, MAX_INPUT_BYTES);
        // `fold`: the input lowercased (printable ASCII, nearly every descriptor) or folded
        // (NFKC, deunicode, controls to spaces); tokens are byte ranges of it
        // (no early exit: the check vectorises)
        let printable = input
            .bytes()
            .fold(true, |ok, b| ok & (b.wrapping_sub(0x20) < 0x5f));
        if printable {
            out.fold.push_str(input);
            out.fold.make_ascii_lowercase();
        } else {
            fold_into(input, &mut out.fold);
        }
        let fold = out.fold.as_str();
        let offset = |x: &str| x.as_ptr() as usize - fold.as_ptr() as usize;
        let trimmed = fold.trim_ascii();
        if mode == Mode::Text && plain_words(trimmed) {
            // free text of plain words one space apart (most descriptions): it is its own
            // normalised form
            out.text.push_str(trimmed);
            let mut start = 0u32;
            for (i, &c) in trimmed.as_bytes().iter().enumerate() {
                if c == b' ' {
                    out.tokens.push((start, i as u32, false));
                    start = i as u32 + 1;
                }
            }
            if !trimmed.is_empty() {
                out.tokens.push((start, trimmed.len() as u32, false));
            }
            out.name_end = out.text.len();
            let char_len = trimmed.len();
            out.truncated = char_len >= self.trunc_min_len && char_len <= self.trunc_max_len;
            return;
        }
        let mut rest = trimmed;
        let mut keep_prefix: Option<&str> = None;
        if detect_prefix {
            for _ in 0..2 {
                match self.find_prefix(rest) {
                    Some((idx, after)) => {
                        if out.prefix.is_none()
                            || self.prefixes[idx].kind == PrefixKind::Reseller
                            || self.prefixes[idx].kind == PrefixKind::Vendor
                        {
                            out.prefix = Some(idx);
                        }
                        if self.prefixes[idx].kind == PrefixKind::Vendor {
                            keep_prefix = rest.get(..self.prefixes[idx].text.len());
                            rest = after;
                            break;
                        }
                        rest = after;
                    }
                    None => break,
                }
            }
        }
        let char_len = trimmed.len(); // ASCII (after folding)
        let prefix_range = keep_prefix.map(|p| (offset(p), offset(p) + p.len()));
        let rest_range = (offset(rest), offset(rest) + rest.len());
        if let Some(r) = prefix_range {
            self.tokenize(r, out);
        }
        let n_prefix_spans = out.spans.len();
        self.tokenize(rest_range, out);
        if matches!(mode, Mode::Descriptor | Mode::Phrase) {
            self.drop_codes(out, n_prefix_spans, mode == Mode::Phrase);
            // legal-form words inside a name ("stripe inc billing"), never the first word
            let mut seen_word = false;
            for sp in out.spans.iter_mut().skip(n_prefix_spans) {
                if !sp.keep {
                    continue;
                }
                let t = out
                    .fold
                    .as_bytes()
                    .get(sp.start as usize..sp.end as usize)
                    .unwrap_or(&[]);
                if seen_word && !sp.domain && self.is_anywhere(t) {
                    sp.keep = false;
                }
                seen_word = true;
            }
        }
        // write text: when the kept tokens are already one space apart in `fold` (nothing
        // dropped, cut or joined) the text is that stretch of it, copied once
        let fold = out.fold.as_str();
        let fb = fold.as_bytes();
        let spans = &out.spans;
        let clean = spans.iter().all(|sp| sp.keep)
            && spans
                .windows(2)
                .all(|w| w[1].start == w[0].end + 1 && fb.get(w[0].end as usize) == Some(&b' '));
        match (clean, spans.first(), spans.last()) {
            (true, Some(first), Some(last)) => {
                let base = first.start;
                out.text
                    .push_str(fold.get(base as usize..last.end as usize).unwrap_or(""));
                out.tokens.extend(
                    spans
                        .iter()
                        .map(|sp| (sp.start - base, sp.end - base, sp.domain)),
                );
                out.seller_start = spans
                    .get(n_prefix_spans)
                    .map_or(out.text.len(), |sp| (sp.start - base) as usize);
            }
            _ => {
                let mut seller_start = None;
                for (i, sp) in spans.iter().enumerate() {
                    if !sp.keep {
                        continue;
                    }
                    if !out.text.is_empty() {
                        out.text.push(' ');
                    }
                    if i >= n_prefix_spans && seller_start.is_none() {
                        seller_start = Some(out.text.len());
                    }
                    let s = out.text.len() as u32;
                    out.text
                        .push_str(fold.get(sp.start as usize..sp.end as usize).unwrap_or(""));
                    out.tokens.push((s, out.text.len() as u32, sp.domain));
                }
                out.seller_start = seller_start.unwrap_or(out.text.len());
            }
        }
        out.name_end = out.text.len();
        match mode {
            Mode::Descriptor => {
                let min_keep = if out.prefix.is_some() {
                    out.tokens
                        .iter()
                        .take_while(|t| (t.0 as usize) < out.seller_start)
                        .count()
                } else {
                    1
                };
                self.strip_tails(out, false, min_keep)
            }
            Mode::Phrase => {
                self.strip_tails(out, true, 1);
                out.text.truncate(out.name_end);
            }
            Mode::Exact | Mode::Text => {}
        }
        out.truncated = (char_len >= self.trunc_min_len && char_len <= self.trunc_max_len)
            || (out.location_stripped && {
                let l = out.seller().len();
                l + 5 >= self.trunc_min_len && l <= self.trunc_max_len
            });
    }

    fn find_prefix<'a>(&self, s: &'a str) -> Option<(usize, &'a str)> {
        // `s` may be in any case; the prefixes are folded (lowercase ASCII)
        let sb = s.as_bytes();
        let first = sb.first()?.to_ascii_lowercase();
        let pairs = &self.prefix_pairs[first as usize];
        let second = sb.get(1).map_or(0, u8::to_ascii_lowercase);
        if pairs[0] & 1 == 0 && pairs[second as usize >> 6] & (1 << (second & 63)) == 0 {
            return None;
        }
        for &i in &self.prefix_by_byte[first as usize] {
            let p = &self.prefixes[i as usize];
            // cheap reject on the second byte before a full comparison
            let pb = p.text.as_bytes();
            if pb.len() > sb.len() || (pb.len() > 1 && pb[1] != sb[1].to_ascii_lowercase()) {
                continue;
            }
            if !sb[..pb.len()].eq_ignore_ascii_case(pb) {
                continue;
            }
            let Some(after) = s.get(pb.len()..) else {
                continue;
            };
            let a = after.trim_ascii_start();
            if let Some(x) = a.strip_prefix('*') {
                return Some((i as usize, x.trim_ascii_start()));
            }
            if p.literal
                && after
                    .chars()
                    .next()
                    .is_none_or(|c| !c.is_ascii_alphanumeric())
            {
                return Some((i as usize, a));
            }
        }
        None
    }

    /// True when a dotted token spells a tail phrase (`st.louis`).
    fn is_tail_domain(&self, domain: &[u8]) -> bool {
        self.tail_dotted.contains(domain)
    }

    /// True when `t` is a legal form that is dropped anywhere in a name (`inc`, `gmbh`).
    #[inline]
    fn is_anywhere(&self, t: &[u8]) -> bool {
        t.len() <= self.anywhere_max
            && t.first().is_some_and(|&b| self.anywhere_first[b as usize])
            && self.anywhere.contains(t)
    }

    /// Adds a span for each token of `out.fold[from..to]` (lowercase ASCII). Tokens are runs
    /// of letters and digits; an apostrophe between two joins them (`o'reilly` → `oreilly`,
    /// written after the folded text, where its span points); a word (between
    /// ` * , ; | _`) with a dot that is a domain (`https://www.zoom.us/x`) is one token
    /// instead (`zoom.us`).
    fn tokenize(&self, (from, to): (usize, usize), out: &mut Normalized) {
        let mut joined = false;
        {
            let bytes = out.fold.as_bytes();
            let spans = &mut out.spans;
            let to = to.min(bytes.len());
            spans.reserve((to - from.min(to)) / 2 + 1);
            // the current word: its start, and the spans before it (to undo for a domain)
            let mut word_start = from;
            let mut mark = spans.len();
            // end of the word whose dots were already looked at
            let mut checked_to = 0;
            let mut i = from;
            while i < to {
                let c = byte_class(bytes[i]);
                if c == ALPHA || c == DIGIT {
                    let start = i;
                    let mut digits = 0u8;
                    let mut alpha = false;
                    loop {
                        while i < to {
                            match byte_class(bytes[i]) {
                                DIGIT => digits = digits.saturating_add(1),
                                ALPHA => alpha = true,
                                _ => break,
                            }
                            i += 1;
                        }
                        // an apostrophe inside a word joins ("o'reilly")
                        if i + 1 < to && bytes[i] == b'\'' && is_alnum(bytes[i + 1]) {
                            joined = true;
                            i += 1;
                            continue;
                        }
                        break;
                    }
                    spans.push(Span {
                        start: start as u32,
                        end: i as u32,
                        domain: false,
                        digits,
                        alpha,
                        keep: true,
                    });
                    continue;
                }
                match c {
                    OUTER => {
                        i += 1;
                        word_start = i;
                        mark = spans.len();
                    }
                    DOT if i >= checked_to => {
                        let mut end = i + 1;
                        while end < to && byte_class(bytes[end]) != OUTER {
                            end += 1;
                        }
                        checked_to = end;
                        let word = bytes.get(word_start..end).unwrap_or(&[]);
                        let domain = domain_span(word).filter(|&(a, b)| {
                            let d = word.get(a..b).unwrap_or(&[]);
                            let first_label = d.split(|&c| c == b'.').next().unwrap_or(&[]);
                            !self.is_tail_domain(d) && !self.is_anywhere(first_label)
                        });
                        if let Some((a, b)) = domain {
                            spans.truncate(mark);
                            spans.push(Span {
                                start: (word_start + a) as u32,
                                end: (word_start + b) as u32,
                                domain: true,
                                digits: 0,
                                alpha: true,
                                keep: true,
                            });
                            i = end;
                        } else {
                            i += 1;
                        }
                    }
                    _ => i += 1,
                }
            }
        }
        if joined {
            // rare: write each token with apostrophes once more, without them, after the text
            for k in 0..out.spans.len() {
                let sp = out.spans[k];
                let Some(t) = out.fold.get(sp.start as usize..sp.end as usize) else {
                    continue;
                };
                if sp.domain || !t.contains('\'') {
                    continue;
                }
                let t: String = t.chars().filter(|&c| c != '\'').collect();
                let start = out.fold.len();
                out.fold.push_str(&t);
                out.spans[k].start = start as u32;
                out.spans[k].end = out.fold.len() as u32;
            }
        }
    }

    /// Marks phone numbers and reference codes as dropped.
    fn drop_codes(&self, out: &mut Normalized, from: usize, phones_only: bool) {
        let n = out.spans.len();
        let mut i = from;
        while i < n {
            let sp = out.spans[i];
            if sp.domain || sp.digits == 0 {
                i += 1;
                continue;
            }
            if !sp.alpha {
                // run of pure-digit tokens: phone number or date when >= 7 digits in total
                let mut j = i;
                let mut total = 0usize;
                while j < n
                    && !out.spans[j].domain
                    && !out.spans[j].alpha
                    && out.spans[j].digits > 0
                {
                    total += out.spans[j].digits as usize;
                    j += 1;
                }
                let phone = total >= 7 && j - i >= 1;
                for k in i..j {
                    let drop = phone
                        || (!phones_only && {
                            let t = out
                                .fold
                                .get(out.spans[k].start as usize..out.spans[k].end as usize)
                                .unwrap_or("");
                            !self.protected.contains(t)
                        });
                    if drop {
                        out.spans[k].keep = false;
                    }
                }
                i = j;
                continue;
            }
            if phones_only {
                i += 1;
                continue;
            }
            // mixed letters and digits: a reference code unless it is a known name token
            let t = out
                .fold
                .get(sp.start as usize..sp.end as usize)
                .unwrap_or("");
            let len = t.len();
            if !self.protected.contains(t) && (sp.digits >= 2 || len >= 6) {
                // `ads1234567`, `inv00123`: keep the word, drop the number
                let letters = t.bytes().take_while(u8::is_ascii_alphabetic).count();
                if letters >= 2
                    && len - letters >= 3
                    && t.bytes().skip(letters).all(|b| b.is_ascii_digit())
                {
                    out.spans[i].end = sp.start + letters as u32;
                    out.spans[i].digits = 0;
                } else {
                    out.spans[i].keep = false;
                    out.had_code = true;
                }
            }
            i += 1;
        }
    }

    /// Moves `name_end` back over location and legal-form tails (keeping one token).
    fn strip_tails(&self, out: &mut Normalized, legal_only: bool, min_keep: usize) {
        let mut n = out.tokens.len();
        loop {
            if n <= min_keep {
                break;
            }
            let mut stripped = false;
            let end = out.tokens[n - 1].1 as usize;
            let last = out
                .text
                .get(out.tokens[n - 1].0 as usize..end)
                .unwrap_or("");
            let Some(&words) = self.tail_last.get(last) else {
                break;
            };
            let max_k = words.min(n - min_keep);
            for k in (1..=max_k).rev() {
                let (s, _, dom) = out.tokens[n - k];
                if dom {
                    continue;
                }
                let phrase = out.text.get(s as usize..end).unwrap_or("");
                if let Some(&kind) = self.tails.get(phrase) {
                    if legal_only && kind != TailKind::Legal {
                        continue;
                    }
                    if kind != TailKind::Legal {
                        out.location_stripped = true;
                    }
                    n -= k;
                    stripped = true;
                    break;
                }
            }
            if !stripped {
                break;
            }
        }
        out.name_end = if n == 0 {
            0
        } else {
            out.tokens[n - 1].1 as usize
        };
        if out.seller_start > out.name_end {
            out.seller_start = out.name_end;
        }
    }
}

/// Byte classes of the tokenizer.
const OTHER: u8 = 0;
const DIGIT: u8 = 1;
const ALPHA: u8 = 2;
/// Separates words: ` * , ; | _`.
const OUTER: u8 = 3;
const DOT: u8 = 4;

const BYTE_CLASS: [u8; 256] = {
    let mut t = [OTHER; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = if c.is_ascii_digit() {
            DIGIT
        } else if c.is_ascii_alphabetic() {
            ALPHA
        } else if matches!(c, b' ' | b'*' | b',' | b';' | b'|' | b'_') {
            OUTER
        } else if c == b'.' {
            DOT
        } else {
            OTHER
        };
        b += 1;
    }
    t
};

#[inline]
fn byte_class(b: u8) -> u8 {
    BYTE_CLASS[b as usize]
}

#[inline]
fn is_alnum(b: u8) -> bool {
    matches!(byte_class(b), DIGIT | ALPHA)
}

/// True when `s` is lowercase letters and digits in words one space apart (no other byte,
/// no space at either end or twice in a row). The empty string is plain.
fn plain_words(s: &str) -> bool {
    let mut ok = true;
    let mut prev_space = true;
    for &c in s.as_bytes() {
        let space = c == b' ';
        ok &= (space && !prev_space) || c.is_ascii_lowercase() || c.is_ascii_digit();
        prev_space = space;
    }
    ok && (!prev_space || s.is_empty())
}

/// Cuts `s` to at most `max` bytes at a character boundary.
fn cut(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while end > 0 && !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// NFKC + ASCII folding + lowercase; control characters become spaces.
fn fold_into(input: &str, out: &mut String) {
    if input.is_ascii() {
        if input.bytes().any(|b| b.is_ascii_control()) {
            out.extend(input.bytes().map(|b| {
                if b.is_ascii_control() {
                    ' '
                } else {
                    b.to_ascii_lowercase() as char
                }
            }));
        } else {
            let start = out.len();
            out.push_str(input);
            out[start..].make_ascii_lowercase();
        }
        return;
    }
    let mut push = |c: char| {
        if c.is_ascii() {
            out.push(if c.is_ascii_control() {
                ' '
            } else {
                c.to_ascii_lowercase()
            });
        } else if c.is_control() || c.is_whitespace() {
            out.push(' ');
        } else if let Some(s) = deunicode::deunicode_char(c) {
            for b in s.chars() {
                out.push(if b.is_ascii_control() {
                    ' '
                } else {
                    b.to_ascii_lowercase()
                });
            }
        } else {
            out.push(' ');
        }
    };
    // text already in NFKC (the quick check says so for most accented names) needs no
    // normalisation pass
    if is_nfkc_quick(input.chars()) == IsNormalized::Yes {
        input.chars().for_each(&mut push);
    } else {
        input.nfkc().for_each(&mut push);
    }
}

/// Folds a policy phrase (no prefix or tail logic).
pub(crate) fn fold_simple(s: &str) -> String {
    let mut out = String::new();
    fold_into(s, &mut out);
    out.trim().to_string()
}

/// Folds and splits on non-alphanumerics: `"S.A.R.L."` → `"s a r l"`.
pub(crate) fn simple_tokens(s: &str) -> String {
    let f = fold_simple(s);
    let mut out = String::with_capacity(f.len());
    for w in f.split(|c: char| !c.is_ascii_alphanumeric() && c != '\'') {
        let w: String = w.chars().filter(|&c| c != '\'').collect();
        if w.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&w);
    }
    out
}

/// Byte range of the domain of a URL-ish or domain-ish word within it
/// (`https://www.zoom.us/x` → the range of `zoom.us`).
fn domain_span(wb: &[u8]) -> Option<(usize, usize)> {
    if !wb.contains(&b'.') {
        return None;
    }
    let edge = |b: &u8| {
        matches!(
            b,
            b'(' | b')' | b'[' | b']' | b'<' | b'>' | b'"' | b'\'' | b'.' | b':' | b'!' | b'?'
        )
    };
    let s = wb.iter().position(|b| !edge(b)).unwrap_or(wb.len());
    let e = wb.iter().rposition(|b| !edge(b)).map_or(s, |i| i + 1);
    let mut start = s;
    let mut w = wb.get(s..e.max(s)).unwrap_or(&[]);
    for scheme in [&b"https://"[..], b"http://"] {
        if let Some(x) = w.strip_prefix(scheme) {
            w = x;
            start += scheme.len();
        }
    }
    let end = w
        .iter()
        .position(|b| matches!(b, b'/' | b'?' | b'#' | b':' | b'@'))
        .unwrap_or(w.len());
    let mut hb = w.get(..end).unwrap_or(&[]);
    while let [rest @ .., b'.'] = hb {
        hb = rest;
    }
    if let Some(x) = hb.strip_prefix(b"www.") {
        hb = x;
        start += 4;
    }
    let mut labels = 0;
    let mut first_has_alpha = false;
    let mut ls = 0;
    for k in 0..=hb.len() {
        if k < hb.len() && hb[k] != b'.' {
            continue;
        }
        let label = &hb[ls..k];
        if label.is_empty()
            || label[0] == b'-'
            || label[label.len() - 1] == b'-'
            || !label
                .iter()
                .all(|b| b.is_ascii_alphanumeric() || *b == b'-')
        {
            return None;
        }
        if labels == 0 {
            // the label before the TLD must have a letter ("no.12" / "1.5gb" are not domains)
            first_has_alpha = label.iter().any(u8::is_ascii_alphabetic);
        }
        labels += 1;
        if k == hb.len()
            && (labels < 2
                || label.len() < 2
                || label.len() > 12
                || !label.iter().all(u8::is_ascii_alphabetic))
        {
            return None;
        }
        ls = k + 1;
    }
    if !first_has_alpha {
        return None;
    }
    Some((start, start + hb.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm() -> Normalizer {
        let policy = Policy::builtin().unwrap();
        let protected = ["1password", "365", "360", "o365", "m365", "2co"]
            .into_iter()
            .map(Box::from);
        Normalizer::new(&policy, protected)
    }

    fn n(s: &str) -> String {
        norm().normalize(s).name().to_string()
    }

    fn prefix_name(s: &str) -> Option<String> {
        let policy = Policy::builtin().unwrap();
        norm()
            .normalize(s)
            .prefix()
            .map(|i| policy.prefix[i].name.clone())
    }

    #[test]
    fn processor_prefixes() {
        assert_eq!(n("SQ *BLUE BOTTLE COFFEE"), "blue bottle coffee");
        assert_eq!(
            prefix_name("SQ *BLUE BOTTLE COFFEE").as_deref(),
            Some("Square")
        );
        assert_eq!(n("SQ*BLUE BOTTLE"), "blue bottle");
        assert_eq!(n("PAYPAL *FIGMA"), "figma");
        assert_eq!(n("PAYPAL*ZOOMVIDEOCO"), "zoomvideoco");
        assert_eq!(n("PP*NOTIONLABS"), "notionlabs");
        assert_eq!(n("TST* THE CORNER BISTRO"), "the corner bistro");
        assert_eq!(n("SP * MYSTORE"), "mystore");
        assert_eq!(
            prefix_name("SP * MYSTORE").as_deref(),
            Some("Shopify Payments")
        );
        assert_eq!(n("PY *ACME"), "acme");
        assert_eq!(n("FS *SKETCH"), "sketch");
        assert_eq!(prefix_name("FS *SKETCH").as_deref(), Some("FastSpring"));
        assert_eq!(n("2CO*TEAMVIEWER"), "teamviewer");
        assert_eq!(n("DRI*AVAST"), "avast");
        assert_eq!(n("PADDLE.NET* SETAPP"), "setapp");
        assert_eq!(prefix_name("PADDLE.NET* SETAPP").as_deref(), Some("Paddle"));
    }

    #[test]
    fn app_store_and_marketplace_prefixes() {
        let x = norm().normalize("APPLE.COM/BILL 866-712-7753 CA");
        assert_eq!(x.name(), "");
        assert_eq!(
            prefix_name("APPLE.COM/BILL 866-712-7753 CA").as_deref(),
            Some("Apple App Store")
        );
        assert_eq!(n("AMZN Mktp US*2K4LZ0AB1"), "");
        assert_eq!(
            prefix_name("AMZN Mktp US*2K4LZ0AB1").as_deref(),
            Some("Amazon Marketplace")
        );
        assert_eq!(n("APPLE.COM/BILL BEAR NOTES"), "bear notes");
    }

    #[test]
    fn vendor_prefix_is_kept() {
        let x = norm().normalize("GOOGLE *GSUITE_EXAMPLE.COM");
        assert_eq!(x.name(), "google gsuite example.com");
        assert_eq!(x.seller(), "gsuite example.com");
        assert_eq!(
            prefix_name("GOOGLE *GSUITE_EXAMPLE.COM").as_deref(),
            Some("Google")
        );
        let y = norm().normalize("GOOGLE *CLOUD 2JZ8QX");
        assert_eq!(y.name(), "google cloud");
        let z = norm().normalize("MSFT * E0400ABCDE");
        assert_eq!(z.text(), "msft");
        assert_eq!(z.seller(), "");
    }

    #[test]
    fn reference_codes_and_phones() {
        assert_eq!(n("ZOOM.US 888-799-9666 CA"), "zoom.us");
        assert_eq!(
            n("ADOBE *ACROPRO SUBS 408-536-6000 CA"),
            "adobe acropro subs"
        );
        assert_eq!(n("ATLASSIAN  #INV-12345678"), "atlassian inv");
        assert_eq!(
            n("OPENAI *CHATGPT SUBSCR +14158799686 CA"),
            "openai chatgpt subscr"
        );
        assert_eq!(n("DIGITALOCEAN.COM (646) 397-8051 NY"), "digitalocean.com");
        assert_eq!(n("HETZNER ONLINE GMBH +49 9831 5050"), "hetzner");
        assert_eq!(n("1PASSWORD TORONTO ON"), "1password");
        assert_eq!(n("MICROSOFT 365 E3"), "microsoft 365 e3");
        assert_eq!(n("NORTON 360 DELUXE 2024-05-01"), "norton 360 deluxe");
    }

    #[test]
    fn urls_become_domains() {
        assert_eq!(n("https://www.figma.com/billing?id=3"), "figma.com");
        assert_eq!(n("WWW.NOTION.SO"), "notion.so");
        assert_eq!(
            n("Paid on linear.app for the team"),
            "paid on linear.app for the team"
        );
        let x = norm().normalize("HEROKU.COM");
        assert!(x.has_domain());
        assert_eq!(x.domains().collect::<Vec<_>>(), vec!["heroku.com"]);
    }

    #[test]
    fn legal_suffixes_many_languages() {
        assert_eq!(
            n("Zoom Video Communications, Inc."),
            "zoom video communications"
        );
        assert_eq!(n("SLACK TECHNOLOGIES LLC"), "slack technologies");
        assert_eq!(n("Atlassian Pty Ltd"), "atlassian");
        assert_eq!(n("Personio GmbH"), "personio");
        assert_eq!(n("Proton AG"), "proton");
        assert_eq!(n("Typeform S.L."), "typeform");
        assert_eq!(n("Qonto S.A.S."), "qonto");
        assert_eq!(n("Smallpdf AG"), "smallpdf");
        assert_eq!(n("Sketch B.V."), "sketch");
        assert_eq!(n("Miro Srl"), "miro");
        assert_eq!(n("Acme S.p.A."), "acme");
        assert_eq!(n("Supercell Oy"), "supercell");
        assert_eq!(n("Spotify AB"), "spotify");
        assert_eq!(n("Ardoq AS"), "ardoq");
        assert_eq!(n("Pleo ApS"), "pleo");
        assert_eq!(n("Sansan K.K."), "sansan");
        assert_eq!(n("Canva Pty Ltd"), "canva");
        assert_eq!(n("Sage Group plc"), "sage");
        assert_eq!(n("ACME SARL"), "acme");
    }

    #[test]
    fn location_tails() {
        assert_eq!(
            n("ZOOM VIDEO COMMUNICATI SAN JOSE CA"),
            "zoom video communicati"
        );
        assert!(
            norm()
                .normalize("ZOOM VIDEO COMMUNICATI SAN JOSE CA")
                .looks_truncated()
        );
        assert_eq!(n("DROPBOX*ABC SAN FRANCISCO CA"), "dropbox abc");
        assert_eq!(n("HEROKU SAN FRANCISCO USA"), "heroku");
        assert_eq!(n("WEBFLOW.COM SAN FRANCISCO CA"), "webflow.com");
        // a single token is never stripped
        assert_eq!(n("CA"), "ca");
    }

    #[test]
    fn truncation_detection() {
        let x = norm().normalize("ZOOM VIDEO COMMUNICATI");
        assert!(x.looks_truncated());
        let y = norm().normalize("ZOOM.US");
        assert!(!y.looks_truncated());
    }

    #[test]
    fn non_ascii() {
        assert_eq!(n("Société Générale ÅB"), "societe generale");
        assert_eq!(n("ＺＯＯＭ．ＵＳ"), "zoom.us");
        assert_eq!(n("Müller GmbH München"), "muller");
        assert_eq!(n("Ätlassian\u{0000}Jira"), "atlassian jira");
        assert_eq!(n("株式会社"), "zhu shi hui she");
    }

    #[test]
    fn empty_and_junk() {
        assert_eq!(n(""), "");
        assert_eq!(n("   \t\n "), "");
        assert_eq!(n("****"), "");
        let long = "x".repeat(10_000);
        assert_eq!(n(&long).len(), MAX_INPUT_BYTES);
    }

    /// Plain free text takes a shortcut; it must give what the general tokeniser gives
    /// (the `Exact` mode never takes it).
    #[test]
    fn plain_text_shortcut_equals_tokeniser() {
        let nz = norm();
        let devset = include_str!("../data/devset.csv");
        let extra = [
            "",
            " ",
            "zoom pro monthly",
            "Zoom  Pro",
            " zoom",
            "zoom ",
            "a",
            "a b c",
            "ZOOM 365",
            "zoom\tpro",
            "zoom-pro",
            "o'reilly",
            "zoom.us",
            "ünïcode words",
            "x 1 y 22",
        ];
        let mut t = Normalized::default();
        for line in devset.lines().flat_map(|l| l.split(',')).chain(extra) {
            nz.normalize_text_into(line, &mut t);
            assert_eq!(t.text(), nz.phrase_exact(line), "{line:?}");
            let rebuilt: Vec<&str> = t.tokens().map(|(w, _)| w).collect();
            assert_eq!(rebuilt.join(" "), t.text(), "{line:?}");
        }
        assert!(plain_words("zoom pro 365"));
        assert!(plain_words(""));
        for not in ["zoom  pro", " zoom", "zoom ", "Zoom", "zoom-pro", "zoom.us"] {
            assert!(!plain_words(not), "{not:?}");
        }
    }
}
