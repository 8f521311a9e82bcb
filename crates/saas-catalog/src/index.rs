//! The precomputed match index: a word-prefix hash map over every catalog phrase and policy
//! keyword (whole-word phrase search), a sorted compact-name list for truncated / squashed
//! descriptors, and a token index for fuzzy matching.

use std::collections::HashMap;

use crate::fxhash::{FastMap, FastSet};

use crate::catalog::{Product, Vendor};
use crate::normalize::Normalizer;
use crate::policy::Policy;

/// What a phrase is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Alias,
    Entity,
    Pattern,
    Domain,
    Billing,
    VendorNonSoftware,
    Exclude,
    SwKeyword,
    NonSwKeyword,
    NameWord,
}

impl Kind {
    pub(crate) fn targets_product(self) -> bool {
        matches!(
            self,
            Kind::Alias | Kind::Entity | Kind::Pattern | Kind::Domain | Kind::Billing
        )
    }
}

#[derive(Clone, Copy, Debug)]
pub(crate) struct Entry {
    pub(crate) kind: Kind,
    /// Product index (product kinds, Exclude) or vendor index (VendorNonSoftware).
    pub(crate) target: u32,
    pub(crate) ambiguous: bool,
    /// A distinctive statement phrase (multi-word entity, pattern, domain): not a bare name.
    pub(crate) strong: bool,
    /// The product id spells the phrase (`zendesk` for `zendesk.com`): tie-breaker.
    pub(crate) named: bool,
}

#[derive(Clone, Copy, Debug)]
pub(crate) struct Hit {
    pub(crate) phrase: u32,
    pub(crate) start: u32,
    pub(crate) end: u32,
}

#[derive(Debug)]
pub(crate) struct PhraseIndex {
    /// Every phrase, cut at each word end (see [`WordPrefixes`]).
    all: WordPrefixes,
    /// The signal phrases only (keywords, excludes, vendor non-software lines), used on
    /// descriptions.
    signals: WordPrefixes,
    /// Phrase texts, interned (shared by every catalog with the same phrase, never freed:
    /// evidence can hold them without reference counting).
    pub(crate) phrases: Vec<&'static str>,
    ranges: Vec<(u32, u32)>,
    flat: Vec<Entry>,
    /// (compact phrase, phrase id), sorted.
    compact: Vec<(Box<str>, u32)>,
    /// Compact form → the first phrase (by id) with it.
    compact_first: FastMap<Box<str>, u32>,
    /// Every prefix (2 bytes or more) of the compact legal forms and name words.
    legal_prefixes: FastSet<Box<str>>,
    legal_max: usize,
    fuzzy_tokens: Vec<(Box<str>, u32)>,
    /// Letter set of each fuzzy token (bit `b - b'a'`): a cheap lower bound on the edit
    /// distance before the full comparison.
    fuzzy_masks: Vec<u32>,
    fuzzy_buckets: FastMap<[u8; 2], Vec<u32>>,
    vocab: FastSet<Box<str>>,
}

/// Optimal-string-alignment distance (edits + adjacent transpositions) between two short
/// ASCII strings, or `None` when it exceeds `max`. Allocation-free, exits early.
pub(crate) fn bounded_osa(a: &[u8], b: &[u8], max: usize) -> Option<usize> {
    const N: usize = 48;
    if a.len() >= N || b.len() >= N || a.len().abs_diff(b.len()) > max || max >= 200 {
        return (a == b).then_some(0);
    }
    let (n, m) = (a.len(), b.len());
    // only the band |i - j| <= max can hold a value <= max; anything else is `big`
    let big = (max + 1) as u8;
    let mut prev2 = [big; N];
    let mut prev = [big; N];
    let mut cur = [big; N];
    for (j, p) in prev.iter_mut().enumerate().take(m.min(max) + 1) {
        *p = j as u8;
    }
    for i in 1..=n {
        let lo = i.saturating_sub(max).max(1);
        let hi = (i + max).min(m);
        cur[0] = if i <= max { i as u8 } else { big };
        cur[lo - 1] = if lo == 1 { cur[0] } else { big };
        let mut row_min = cur[0];
        for j in lo..=hi {
            let cost = u8::from(a[i - 1] != b[j - 1]);
            let mut v = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(prev2[j - 2] + 1);
            }
            let v = v.min(big);
            cur[j] = v;
            row_min = row_min.min(v);
        }
        if usize::from(row_min) > max {
            return None;
        }
        prev2 = prev;
        prev = cur;
    }
    let d = usize::from(prev[m]);
    (d <= max).then_some(d)
}

/// The set of ASCII letters in `s` as bits (`a` = bit 0); other bytes are ignored.
fn letter_mask(s: &str) -> u32 {
    s.bytes()
        .filter(u8::is_ascii_alphabetic)
        .fold(0, |m, b| m | 1 << (b.to_ascii_lowercase() - b'a'))
}

/// True when the product id spells the phrase's first word (`zendesk` for `zendesk.com`).
fn id_names_phrase(id: &str, phrase: &str) -> bool {
    let first = phrase.split([' ', '.']).next().unwrap_or("");
    let idc = id.replace('-', "");
    !first.is_empty() && (idc == first || idc == phrase.replace([' ', '.'], ""))
}

fn compact(s: &str) -> String {
    s.chars().filter(|c| c.is_ascii_alphanumeric()).collect()
}

const WORD: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        t[b] = (b as u8).is_ascii_alphanumeric();
        b += 1;
    }
    t
};

#[inline]
fn is_word(b: u8) -> bool {
    WORD[b as usize]
}

/// Whole-word phrase search by hashing: every phrase is registered under each of its
/// prefixes that end at a word end (`zoom`, `zoom video`, `zoom video communications`;
/// `zoom`, `zoom.us`). A scan starts at every position not preceded by a word byte and
/// extends over the text's word ends while the prefix is known, so it touches one hash
/// slot per word instead of walking an automaton byte by byte. Keys are 64-bit rolling
/// hashes (no string compare per probe); a phrase hit is confirmed by comparing the text,
/// so a hash collision can cost a lookup but never create a hit. Finds exactly the phrases
/// that an overlapping substring search finds with a non-word byte (or the text edge) on
/// both sides.
#[derive(Debug)]
struct WordPrefixes {
    /// prefix hash → (phrase id or `u32::MAX`, a longer phrase continues this prefix)
    map: FastMap<u64, (u32, bool)>,
    /// One bit per key of `map` (by the top 16 bits of its hash): most probes of words that
    /// start no phrase stop here, in a table that stays in the L1 cache.
    filter: Box<[u64; 1024]>,
    /// Bytes that start some phrase.
    first: [bool; 256],
    seed: u64,
}

#[inline]
fn roll(h: u64, b: u8, seed: u64) -> u64 {
    (h.rotate_left(5) ^ u64::from(b)).wrapping_mul(seed)
}

impl WordPrefixes {
    fn build<'a>(phrases: impl Iterator<Item = (u32, &'a String)> + Clone) -> Self {
        // a different multiplier in the (practically impossible) case that two whole
        // phrases share a hash
        for seed in [
            0x51_7c_c1_b7_27_22_0a_95_u64,
            0x9e_37_79_b9_7f_4a_7c_15,
            0xbf_58_47_6d_1c_e4_e5_b9,
        ] {
            if let Some(me) = Self::try_build(phrases.clone(), seed) {
                return me;
            }
        }
        Self::try_build(phrases, 0x94_d0_49_bb_13_31_11_eb).unwrap_or_else(|| Self {
            map: FastMap::default(),
            filter: Box::new([0; 1024]),
            first: [false; 256],
            seed: 1,
        })
    }

    fn try_build<'a>(phrases: impl Iterator<Item = (u32, &'a String)>, seed: u64) -> Option<Self> {
        let mut me = Self {
            map: FastMap::default(),
            filter: Box::new([0; 1024]),
            first: [false; 256],
            seed,
        };
        for (id, p) in phrases {
            let b = p.as_bytes();
            let Some(&f) = b.first() else { continue };
            me.first[f as usize] = true;
            let mut h = 0u64;
            for k in 0..b.len() {
                h = roll(h, b[k], seed);
                let end = k + 1 == b.len();
                if !end && is_word(b[k + 1]) {
                    continue;
                }
                let f = (h >> 48) as usize;
                me.filter[f >> 6] |= 1 << (f & 63);
                let slot = me.map.entry(h).or_insert((u32::MAX, false));
                if end {
                    if slot.0 != u32::MAX {
                        return None;
                    }
                    slot.0 = id;
                } else {
                    slot.1 = true;
                }
            }
        }
        Some(me)
    }

    /// Whole-word, leftmost-longest, non-overlapping phrase hits in `text` (`phrases` are
    /// the texts of the phrase ids).
    fn scan(&self, phrases: &[&'static str], text: &str, out: &mut Vec<Hit>) {
        out.clear();
        let bytes = text.as_bytes();
        for s in 0..bytes.len() {
            if (s > 0 && is_word(bytes[s - 1])) || !self.first[bytes[s] as usize] {
                continue;
            }
            let mut h = 0u64;
            for e in s..bytes.len() {
                h = roll(h, bytes[e], self.seed);
                if e + 1 < bytes.len() && is_word(bytes[e + 1]) {
                    continue;
                }
                let f = (h >> 48) as usize;
                if self.filter[f >> 6] & (1 << (f & 63)) == 0 {
                    break;
                }
                let Some(&(id, longer)) = self.map.get(&h) else {
                    break;
                };
                if id != u32::MAX
                    && phrases.get(id as usize).map(|p| p.as_bytes()) == bytes.get(s..=e)
                {
                    out.push(Hit {
                        phrase: id,
                        start: s as u32,
                        end: (e + 1) as u32,
                    });
                }
                if !longer {
                    break;
                }
            }
        }
        if out.len() <= 1 {
            return;
        }
        out.sort_unstable_by_key(|h| (h.start, std::cmp::Reverse(h.end)));
        let mut last_end = 0u32;
        let mut w = 0;
        for r in 0..out.len() {
            let h = out[r];
            if r == 0 || h.start >= last_end {
                out[w] = h;
                w += 1;
                last_end = h.end;
            }
        }
        out.truncate(w);
    }
}

impl PhraseIndex {
    pub(crate) fn build(
        products: &[Product],
        vendors: &[Vendor],
        vendor_umbrella: &[u32],
        _family: &[Option<u32>],
        policy: &Policy,
        norm: &Normalizer,
    ) -> Self {
        let mut ids: HashMap<String, usize> = HashMap::new();
        let mut phrases: Vec<String> = Vec::new();
        let mut entries: Vec<Vec<Entry>> = Vec::new();
        let mut add = |text: &str, entry: Entry| {
            let p = match entry.kind {
                Kind::Alias | Kind::Entity | Kind::Pattern | Kind::Domain | Kind::Billing => {
                    norm.phrase(text)
                }
                _ => norm.phrase_exact(text),
            };
            if p.is_empty() {
                return;
            }
            let i = *ids.entry(p.clone()).or_insert_with(|| {
                phrases.push(p);
                entries.push(Vec::new());
                phrases.len() - 1
            });
            let list = &mut entries[i];
            if !list
                .iter()
                .any(|e| e.kind == entry.kind && e.target == entry.target)
            {
                list.push(entry);
            }
        };
        for (i, p) in products.iter().enumerate() {
            let t = i as u32;
            for a in &p.aliases {
                // only a one-word alias can be a common word / namesake
                let one_word = !norm.phrase(a).contains([' ', '.']);
                add(
                    a,
                    Entry {
                        kind: Kind::Alias,
                        target: t,
                        ambiguous: p.ambiguous && one_word,
                        strong: false,
                        named: false,
                    },
                );
            }
            for a in &p.entities {
                add(
                    a,
                    Entry {
                        kind: Kind::Entity,
                        target: t,
                        ambiguous: false,
                        strong: false,
                        named: false,
                    },
                );
            }
            for a in &p.patterns {
                add(
                    a,
                    Entry {
                        kind: Kind::Pattern,
                        target: t,
                        ambiguous: false,
                        strong: false,
                        named: false,
                    },
                );
            }
            for a in &p.domains {
                add(
                    a,
                    Entry {
                        kind: Kind::Domain,
                        target: t,
                        ambiguous: false,
                        strong: false,
                        named: false,
                    },
                );
            }
            for a in &p.exclude {
                add(
                    a,
                    Entry {
                        kind: Kind::Exclude,
                        target: t,
                        ambiguous: false,
                        strong: false,
                        named: false,
                    },
                );
            }
        }
        for (v, vendor) in vendors.iter().enumerate() {
            let umb = vendor_umbrella[v];
            for a in &vendor.billing_entities {
                add(
                    a,
                    Entry {
                        kind: Kind::Billing,
                        target: umb,
                        ambiguous: products[umb as usize].ambiguous
                            && !norm.phrase(a).contains([' ', '.']),
                        strong: false,
                        named: false,
                    },
                );
            }
            for a in &vendor.non_software {
                add(
                    a,
                    Entry {
                        kind: Kind::VendorNonSoftware,
                        target: v as u32,
                        ambiguous: false,
                        strong: false,
                        named: false,
                    },
                );
            }
        }
        for a in &policy.software_keywords {
            add(
                a,
                Entry {
                    kind: Kind::SwKeyword,
                    target: 0,
                    ambiguous: false,
                    strong: false,
                    named: false,
                },
            );
        }
        for a in &policy.non_software_keywords {
            add(
                a,
                Entry {
                    kind: Kind::NonSwKeyword,
                    target: 0,
                    ambiguous: false,
                    strong: false,
                    named: false,
                },
            );
        }
        for a in &policy.software_name_words {
            add(
                a,
                Entry {
                    kind: Kind::NameWord,
                    target: 0,
                    ambiguous: false,
                    strong: false,
                    named: false,
                },
            );
        }
        for (i, list) in entries.iter_mut().enumerate() {
            for e in list.iter_mut() {
                if e.kind.targets_product() {
                    e.named = id_names_phrase(products[e.target as usize].id.as_str(), &phrases[i]);
                }
            }
        }
        // strong: a multi-word or dotted entity / pattern / domain that is not also an alias
        for (i, list) in entries.iter_mut().enumerate() {
            let multi = phrases[i].contains([' ', '.']);
            let alias_of: Vec<u32> = list
                .iter()
                .filter(|e| e.kind == Kind::Alias)
                .map(|e| e.target)
                .collect();
            for e in list.iter_mut() {
                e.strong = matches!(e.kind, Kind::Entity | Kind::Pattern | Kind::Domain)
                    && (multi || e.kind == Kind::Domain)
                    && !alias_of.contains(&e.target);
            }
        }
        // one-word names of an ambiguous product are ambiguous whatever their kind
        for (i, list) in entries.iter_mut().enumerate() {
            if phrases[i].contains([' ', '.']) {
                continue;
            }
            for e in list.iter_mut() {
                if matches!(
                    e.kind,
                    Kind::Alias | Kind::Entity | Kind::Pattern | Kind::Billing
                ) && products[e.target as usize].ambiguous
                {
                    e.ambiguous = true;
                    e.strong = false;
                }
            }
        }
        // a phrase that is an ambiguous alias keeps its ambiguity for every product entry
        for list in &mut entries {
            if list.iter().any(|e| e.kind == Kind::Alias && e.ambiguous) {
                for e in list.iter_mut() {
                    if e.kind.targets_product() {
                        e.ambiguous = true;
                        e.strong = false;
                    }
                }
            }
        }
        let mut ranges = Vec::with_capacity(entries.len());
        let mut flat = Vec::new();
        for list in &entries {
            let s = flat.len() as u32;
            flat.extend_from_slice(list);
            ranges.push((s, flat.len() as u32));
        }
        let all = WordPrefixes::build(phrases.iter().enumerate().map(|(i, p)| (i as u32, p)));
        let signals = WordPrefixes::build(
            phrases
                .iter()
                .enumerate()
                .filter(|(i, _)| entries[*i].iter().any(|e| !e.kind.targets_product()))
                .map(|(i, p)| (i as u32, p)),
        );
        let mut compact_list = Vec::new();
        let mut fuzzy_tokens = Vec::new();
        let mut vocab: FastSet<Box<str>> = FastSet::default();
        for (i, p) in phrases.iter().enumerate() {
            for tok in p.split([' ', '.']) {
                if !tok.is_empty() {
                    vocab.insert(tok.into());
                }
            }
            let list = &entries[i];
            let c = compact(p);
            if c.len() >= 4
                && list
                    .iter()
                    .any(|e| e.kind.targets_product() || e.kind == Kind::VendorNonSoftware)
            {
                compact_list.push((c.clone().into_boxed_str(), i as u32));
            }
            if !list.iter().any(|e| e.kind.targets_product()) {
                continue;
            }
            let fuzzy_ok = list
                .iter()
                .any(|e| matches!(e.kind, Kind::Alias | Kind::Entity | Kind::Billing));
            if fuzzy_ok && !p.contains('.') && c.bytes().all(|b| b.is_ascii_alphabetic()) {
                let single = !p.contains(' ');
                if (single && c.len() >= policy.fuzzy_min_token_len) || (!single && c.len() >= 6) {
                    fuzzy_tokens.push((c.into_boxed_str(), i as u32));
                }
            }
        }
        compact_list.sort();
        let mut fuzzy_buckets: FastMap<[u8; 2], Vec<u32>> = FastMap::default();
        for (i, (t, _)) in fuzzy_tokens.iter().enumerate() {
            let b = t.as_bytes();
            fuzzy_buckets
                .entry([b[0], b[1]])
                .or_default()
                .push(i as u32);
        }
        // what may follow a name squashed into one word: legal forms and software name words
        // ("hootsuitein", "invisionapp")
        let mut legal_compact: Vec<Box<str>> = policy
            .legal_suffixes
            .iter()
            .chain(&policy.software_name_words)
            .map(|s| compact(&s.to_ascii_lowercase()).into_boxed_str())
            .collect();
        legal_compact.sort();
        legal_compact.dedup();
        let legal_max = legal_compact.iter().map(|c| c.len()).max().unwrap_or(0);
        let legal_prefixes = legal_compact
            .iter()
            .flat_map(|c| (2..=c.len()).filter_map(|k| c.get(..k)))
            .map(Box::from)
            .collect();
        let mut compact_first: FastMap<Box<str>, u32> = FastMap::default();
        for (c, p) in &compact_list {
            compact_first.entry(c.clone()).or_insert(*p);
        }
        for b in fuzzy_buckets.values_mut() {
            b.sort_by_key(|&i| fuzzy_tokens[i as usize].0.len());
        }
        let fuzzy_masks = fuzzy_tokens.iter().map(|(t, _)| letter_mask(t)).collect();
        Self {
            all,
            signals,
            phrases: phrases.iter().map(|p| ustr::ustr(p).as_str()).collect(),
            ranges,
            flat,
            compact: compact_list,
            compact_first,
            legal_prefixes,
            legal_max,
            fuzzy_tokens,
            fuzzy_masks,
            fuzzy_buckets,
            vocab,
        }
    }

    pub(crate) fn entries(&self, phrase: u32) -> &[Entry] {
        let (s, e) = self.ranges[phrase as usize];
        &self.flat[s as usize..e as usize]
    }

    pub(crate) fn phrase(&self, phrase: u32) -> &'static str {
        self.phrases.get(phrase as usize).copied().unwrap_or("")
    }

    /// Whole-word, leftmost-longest, non-overlapping phrase hits in `text`.
    pub(crate) fn scan(&self, text: &str, out: &mut Vec<Hit>) {
        self.all.scan(&self.phrases, text, out);
    }

    /// Like [`PhraseIndex::scan`], over the signal phrases only (no product names).
    pub(crate) fn scan_signals(&self, text: &str, out: &mut Vec<Hit>) {
        self.signals.scan(&self.phrases, text, out);
    }

    /// Phrases whose compact form starts with `q` (a truncated name), at most `limit`.
    pub(crate) fn completions<'a>(&'a self, q: &'a str) -> impl Iterator<Item = u32> + 'a {
        let start = self.compact.partition_point(|(c, _)| &**c < q);
        self.compact[start..]
            .iter()
            .take_while(move |(c, _)| c.starts_with(q))
            .map(|&(_, p)| p)
            .take(16)
    }

    /// The phrase whose compact form is exactly `q`.
    pub(crate) fn compact_exact(&self, q: &str) -> Option<u32> {
        self.compact_first.get(q).copied()
    }

    /// Phrases whose compact form is `q` minus a trailing legal-form fragment (`hootsuitein`).
    pub(crate) fn squashed(&self, q: &str, min: usize) -> Option<u32> {
        let lo = min.max(q.len().saturating_sub(self.legal_max));
        for k in (lo..q.len()).rev() {
            let (head, rest) = q.split_at(k);
            if rest.len() < 2 {
                continue;
            }
            if !self.legal_prefixes.contains(rest) {
                continue;
            }
            if let Some(p) = self.compact_exact(head) {
                return Some(p);
            }
        }
        None
    }

    /// True when the token is part of some catalog phrase or keyword.
    pub(crate) fn in_vocab(&self, token: &str) -> bool {
        self.vocab.contains(token)
    }

    /// Best fuzzy phrase for a token: `(phrase, similarity)`; `None` when no candidate is
    /// close enough or the best candidates disagree.
    pub(crate) fn fuzzy(
        &self,
        q: &str,
        min_len: usize,
        min_sim: f64,
        max_d_cap: usize,
    ) -> Option<(u32, f64)> {
        let qb = q.as_bytes();
        if qb.len() < min_len.max(4) || !qb.iter().all(|b| b.is_ascii_alphabetic()) {
            return None;
        }
        let bucket = self.fuzzy_buckets.get(&[qb[0], qb[1]])?;
        let qmask = letter_mask(q);
        let mut best: Option<(usize, f64, u32, &str)> = None;
        let mut tie = false;
        let lo = bucket.partition_point(|&i| self.fuzzy_tokens[i as usize].0.len() + 2 < qb.len());
        for &ti in &bucket[lo..] {
            if self.fuzzy_tokens[ti as usize].0.len() > qb.len() + 2 {
                break;
            }
            let (t, phrase) = &self.fuzzy_tokens[ti as usize];
            let (tl, ql) = (t.len(), q.len());
            if tl.abs_diff(ql) > 2 {
                continue;
            }
            // one edit changes the letter set by at most two letters: a cheap test against
            // the largest distance allowed, before comparing the strings
            let bound = if tl.min(ql) >= 10 { 2 } else { 1 };
            let letters_apart = (qmask ^ self.fuzzy_masks[ti as usize]).count_ones() as usize;
            if letters_apart > 2 * bound {
                continue;
            }
            let max_d = if &**t == q {
                0
            } else if tl <= 4 {
                if ql != tl + 1 {
                    continue;
                }
                1
            } else {
                bound
            };
            if letters_apart > 2 * max_d {
                continue;
            }
            let Some(d) = bounded_osa(q.as_bytes(), t.as_bytes(), max_d) else {
                continue;
            };
            let sim = strsim::jaro_winkler(q, t);
            if sim < min_sim {
                continue;
            }
            if d > max_d_cap {
                continue;
            }
            match best {
                Some((bd, bs, _, bt)) if (d, -sim) >= (bd, -bs) => {
                    if d == bd && (sim - bs).abs() < 1e-9 && bt != &**t {
                        tie = true;
                    }
                }
                _ => {
                    best = Some((d, sim, *phrase, t));
                    tie = false;
                }
            }
        }
        if tie {
            return None;
        }
        best.map(|(_, s, p, _)| (p, s))
    }
}

#[cfg(test)]
mod tests {
    use super::{Hit, bounded_osa};

    /// The anchored word-start walk finds exactly what an unanchored overlapping search
    /// filtered on word boundaries (then made leftmost-longest) finds.
    #[test]
    fn anchored_scan_equals_overlapping_search() {
        let cat = crate::Catalog::builtin().unwrap();
        let idx = &cat.index;
        let ac = aho_corasick::AhoCorasick::builder()
            .match_kind(aho_corasick::MatchKind::Standard)
            .build(idx.phrases.iter().map(|p| p.as_bytes()))
            .unwrap();
        let naive = |text: &str| {
            let b = text.as_bytes();
            let w = |x: u8| x.is_ascii_alphanumeric();
            let mut v: Vec<(u32, u32, u32)> = ac
                .find_overlapping_iter(text)
                .filter(|m| !(m.start() > 0 && w(b[m.start() - 1])))
                .filter(|m| !(m.end() < b.len() && w(b[m.end()])))
                .map(|m| (m.start() as u32, m.end() as u32, m.pattern().as_u32()))
                .collect();
            v.sort_unstable_by_key(|h| (h.0, std::cmp::Reverse(h.1)));
            let mut out = Vec::new();
            let mut last_end = 0;
            for (i, h) in v.iter().enumerate() {
                if i == 0 || h.0 >= last_end {
                    out.push((h.0, h.1));
                    last_end = h.1;
                }
            }
            out
        };
        let texts = [
            "zoom.us ca",
            "microsoft 365 business",
            "dropbox box zoom video communications",
            "stripe payments europe fees",
            "atlassian jira software cloud",
            "google workspace google cloud gcp",
            "sq blue bottle coffee",
            "aws amazon web services",
            "elements.envato.com envato",
            "the slack technologies notion labs figma",
        ];
        let mut hits: Vec<Hit> = Vec::new();
        for t in texts {
            idx.scan(t, &mut hits);
            let got: Vec<(u32, u32)> = hits.iter().map(|h| (h.start, h.end)).collect();
            assert_eq!(got, naive(t), "{t}");
        }
        // every dev-set line, normalised as a descriptor and as free text
        let devset = include_str!("../data/devset.csv");
        let norm = cat.normalizer();
        for line in devset.lines() {
            for t in [norm.normalize(line), {
                let mut n = crate::Normalized::default();
                norm.normalize_text_into(line, &mut n);
                n
            }] {
                idx.scan(t.text(), &mut hits);
                let got: Vec<(u32, u32)> = hits.iter().map(|h| (h.start, h.end)).collect();
                assert_eq!(got, naive(t.text()), "{line}");
            }
        }
        // every phrase finds itself
        for p in idx.phrases.iter().take(5000) {
            idx.scan(p, &mut hits);
            assert_eq!(
                hits.first().map(|h| (h.start as usize, h.end as usize)),
                Some((0, p.len())).filter(|_| !p.is_empty()),
                "{p}"
            );
        }
    }

    /// The banded distance equals strsim's full one (capped) on many random short pairs.
    #[test]
    fn banded_osa_matches_strsim_on_random_pairs() {
        let mut x = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for _ in 0..20_000 {
            let la = next() % 12;
            let lb = next() % 12;
            let a: String = (0..la)
                .map(|_| char::from(b'a' + (next() % 4) as u8))
                .collect();
            let b: String = (0..lb)
                .map(|_| char::from(b'a' + (next() % 4) as u8))
                .collect();
            let want = strsim::osa_distance(&a, &b);
            for max in 0..4 {
                assert_eq!(
                    bounded_osa(a.as_bytes(), b.as_bytes(), max),
                    (want <= max).then_some(want),
                    "{a} {b} {max}"
                );
            }
        }
    }

    #[test]
    fn osa_matches_strsim() {
        for (a, b) in [
            ("zooom", "zoom"),
            ("notoin", "notion"),
            ("atlasian", "atlassian"),
            ("figmaa", "figma"),
            ("docusgn", "docusign"),
            ("microsfot", "microsoft"),
            ("abc", "xyz"),
            ("", "ab"),
            ("storyblok", "storyblocks"),
        ] {
            let want = strsim::osa_distance(a, b);
            assert_eq!(
                bounded_osa(a.as_bytes(), b.as_bytes(), 2),
                (want <= 2).then_some(want),
                "{a} {b}"
            );
        }
    }
}
