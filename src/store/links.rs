//! Links between stored adverts: shared contacts and near-duplicates. Both live in memory, are
//! rebuilt from the index when the store opens, and are updated by the one writer.

use std::collections::HashMap;
use std::sync::{Arc, PoisonError, RwLock};

use crate::advert::Span;
use crate::extract::Entities;
use crate::normalise::is_word_char;
use crate::report::Reason;
use crate::rules::Texts;

/// The indicator of a contact shared across adverts (listed in `rules/indicators.toml`).
pub const SHARED_CONTACT: &str = "shared_contact";
/// The rule id of that reason.
pub const SHARED_CONTACT_RULE: &str = "network.shared_contact";
/// Its weight: a clear sign, but not enough alone to reach `medium`.
pub const SHARED_CONTACT_WEIGHT: i32 = 20;

/// A contact key with the text it was read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    /// `phone:+37120001234`, `email:name@example.com` or `handle:name`.
    pub key: String,
    /// Where the contact is in the advert.
    pub span: Span,
}

/// The contacts of an advert, normalised so the same contact written differently has one key.
/// A messenger handle that is a phone number is the phone.
pub fn contacts_of(entities: &Entities) -> Vec<Contact> {
    let mut out: Vec<Contact> = Vec::new();
    let mut push = |key: String, span: Span| {
        if !out.iter().any(|c| c.key == key) {
            out.push(Contact { key, span });
        }
    };
    for p in &entities.phones {
        push(format!("phone:{}", p.value.value), p.span);
    }
    for e in &entities.emails {
        push(format!("email:{}", e.value.value.to_lowercase()), e.span);
    }
    for m in &entities.messengers {
        if let Some(handle) = &m.value.handle {
            let key = if handle.starts_with('+') {
                format!("phone:{handle}")
            } else {
                format!("handle:{}", handle.trim_start_matches('@').to_lowercase())
            };
            push(key, m.span);
        }
    }
    out
}

/// The employer an advert names, normalised (`None` when it names none).
pub fn employer_of(entities: &Entities) -> Option<String> {
    entities.employers.first().map(|e| {
        let name: String = e
            .value
            .name
            .chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect();
        format!("{} {name}", e.value.form)
    })
}

/// What the adverts sharing one contact look like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sharing {
    /// Adverts with this contact.
    pub adverts: usize,
    /// Distinct employer names among them.
    pub employers: usize,
    /// Adverts among them that name no employer.
    pub unnamed: usize,
}

impl Sharing {
    /// Whether sharing this contact is a sign: adverts under at least two different employer
    /// names, or at least three adverts of which two or more name no employer. A company posting
    /// many adverts under its own name with one HR number is not a sign.
    pub fn is_sign(&self) -> bool {
        self.employers >= 2 || self.adverts >= 3 && self.unnamed >= 2
    }
}

/// The reason for a contact that is a sign, pointing at the contact in this advert.
pub fn shared_contact_reason(
    contact: &Contact,
    sharing: Sharing,
    evidence: Option<&str>,
) -> Reason {
    let n = sharing.adverts;
    let what = contact.key.split_once(':').map_or("", |x| x.0);
    let (lv, en, ru) = match what {
        "phone" => ("tālruņa numurs", "phone number", "номер телефона"),
        "email" => ("e-pasts", "e-mail address", "адрес почты"),
        _ => ("lietotāja vārds", "user name", "имя пользователя"),
    };
    let named = sharing.employers;
    Reason {
        indicator: SHARED_CONTACT.into(),
        rule: SHARED_CONTACT_RULE.into(),
        rules: vec![SHARED_CONTACT_RULE.into()],
        weight: SHARED_CONTACT_WEIGHT,
        field: Some(contact.span.field),
        evidence: evidence.map(str::to_string),
        start: Some(contact.span.start),
        end: Some(contact.span.end),
        explanation: Arc::new(Texts {
            lv: format!(
                "Tas pats {lv} ir {n} sludinājumos (dažādi nosaukumi: {named}; bez nosaukuma: {}). Vervētāji ar vienu kontaktu bieži ievieto daudz dažādu piedāvājumu.",
                sharing.unnamed
            ),
            en: format!(
                "The same {en} is in {n} adverts (different names: {named}; no name: {}). Recruiters often post many different offers with one contact.",
                sharing.unnamed
            ),
            ru: Some(format!(
                "Тот же {ru} есть в {n} объявлениях (разных названий: {named}; без названия: {}). Вербовщики часто размещают много разных предложений с одного контакта.",
                sharing.unnamed
            )),
        }),
    }
}

/// Which adverts share which contacts. Advert ids, contact keys and employer names are kept once
/// each and known by number, so an advert costs a few numbers here, not copies of its strings.
#[derive(Debug, Default)]
pub struct ContactGraph {
    adverts: Names,
    contacts: Names,
    employers: Names,
    /// By contact number: each advert that has it, with its employer's number ([`NO_EMPLOYER`]
    /// for none), in no particular order.
    by_contact: Vec<Vec<(u32, u32)>>,
    /// By advert number: the numbers of its contacts.
    by_advert: Vec<Box<[u32]>>,
}

/// The employer number of an advert that names none.
const NO_EMPLOYER: u32 = u32::MAX;

/// Strings known by number; a number is never reused.
#[derive(Debug, Default)]
struct Names {
    names: Vec<Box<str>>,
    numbers: HashMap<Box<str>, u32>,
}

impl Names {
    fn get(&self, name: &str) -> Option<u32> {
        self.numbers.get(name).copied()
    }

    /// The number of a name, given one if it has none. (Over four billion names would wrap;
    /// that many do not fit in memory anyway.)
    fn number(&mut self, name: &str) -> u32 {
        if let Some(n) = self.get(name) {
            return n;
        }
        let n = self.names.len() as u32;
        self.names.push(name.into());
        self.numbers.insert(name.into(), n);
        n
    }

    fn name(&self, number: u32) -> &str {
        &self.names[number as usize]
    }
}

impl ContactGraph {
    /// Records an advert's contacts and employer, replacing what was recorded for its id; returns
    /// the contacts whose sharing changed (old and new).
    pub fn insert(
        &mut self,
        id: &str,
        contacts: &[String],
        employer: Option<String>,
    ) -> Vec<String> {
        let advert = self.adverts.number(id);
        if self.by_advert.len() <= advert as usize {
            self.by_advert.resize(advert as usize + 1, Box::default());
        }
        let old = std::mem::take(&mut self.by_advert[advert as usize]);
        let mut touched: Vec<String> = Vec::with_capacity(old.len() + contacts.len());
        for &c in old.iter() {
            self.by_contact[c as usize].retain(|&(a, _)| a != advert);
            touched.push(self.contacts.name(c).to_string());
        }
        let employer = employer.map_or(NO_EMPLOYER, |e| self.employers.number(&e));
        let mut numbers = Vec::with_capacity(contacts.len());
        for key in contacts {
            let c = self.contacts.number(key);
            if self.by_contact.len() <= c as usize {
                self.by_contact.resize_with(c as usize + 1, Vec::new);
            }
            if !numbers.contains(&c) {
                self.by_contact[c as usize].push((advert, employer));
                numbers.push(c);
            }
            touched.push(key.clone());
        }
        self.by_advert[advert as usize] = numbers.into_boxed_slice();
        touched.sort();
        touched.dedup();
        touched
    }

    fn members(&self, contact: &str) -> &[(u32, u32)] {
        self.contacts
            .get(contact)
            .and_then(|c| self.by_contact.get(c as usize))
            .map_or(&[], Vec::as_slice)
    }

    /// How a contact is shared.
    pub fn sharing(&self, contact: &str) -> Sharing {
        let members = self.members(contact);
        let mut named: Vec<u32> = members
            .iter()
            .map(|&(_, e)| e)
            .filter(|&e| e != NO_EMPLOYER)
            .collect();
        let unnamed = members.len() - named.len();
        named.sort_unstable();
        named.dedup();
        Sharing {
            adverts: members.len(),
            employers: named.len(),
            unnamed,
        }
    }

    /// The contact keys recorded for an advert.
    pub fn contacts_of_advert(&self, id: &str) -> impl Iterator<Item = &str> {
        self.adverts
            .get(id)
            .and_then(|a| self.by_advert.get(a as usize))
            .into_iter()
            .flat_map(|cs| cs.iter().map(|&c| self.contacts.name(c)))
    }

    /// Every contact some advert has.
    pub fn contacts(&self) -> impl Iterator<Item = &str> {
        self.by_contact
            .iter()
            .enumerate()
            .filter(|(_, members)| !members.is_empty())
            .map(|(c, _)| self.contacts.name(c as u32))
    }

    /// The adverts that carry a contact.
    pub fn adverts_with(&self, contact: &str) -> impl Iterator<Item = &str> {
        self.members(contact)
            .iter()
            .map(|&(a, _)| self.adverts.name(a))
    }
}

/// How each contact that is a sign is shared, as of the last commit. Stored adverts keep the
/// shared-contact reasons they were written with; readers put the current counts into them, so
/// the writer rewrites a stored advert only when one of its contacts starts or stops being a
/// sign, not whenever one more advert shares it.
#[derive(Debug, Clone, Default)]
pub struct Signs(Arc<RwLock<HashMap<String, Sharing>>>);

impl Signs {
    /// Records the sharing of these contacts as the graph has it now.
    pub fn update<'a>(&self, graph: &ContactGraph, contacts: impl IntoIterator<Item = &'a str>) {
        let mut map = self.0.write().unwrap_or_else(PoisonError::into_inner);
        for c in contacts {
            let sharing = graph.sharing(c);
            if sharing.is_sign() {
                map.insert(c.to_string(), sharing);
            } else {
                map.remove(c);
            }
        }
    }

    /// Records the sharing of every contact in the graph, forgetting what was recorded before.
    pub fn reset(&self, graph: &ContactGraph) {
        self.0
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
        self.update(graph, graph.contacts());
    }

    /// How a contact is shared, when it is a sign.
    pub fn get(&self, contact: &str) -> Option<Sharing> {
        self.0
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(contact)
            .copied()
    }

    /// Puts the current counts into a stored advert's shared-contact reasons (and into its
    /// `shared_contacts`). Reasons and score stay as stored: the weight does not depend on the
    /// counts, and a contact that starts or stops being a sign has its adverts rewritten.
    pub fn refresh(&self, stored: &mut crate::store::StoredAdvert) {
        for contact in contacts_of(&stored.report.entities) {
            let Some(count) = stored.shared_contacts.get_mut(&contact.key) else {
                continue;
            };
            let Some(sharing) = self.get(&contact.key) else {
                continue;
            };
            let at = (
                Some(contact.span.field),
                Some(contact.span.start),
                Some(contact.span.end),
            );
            if let Some(reason) = stored
                .report
                .reasons
                .iter_mut()
                .find(|r| r.indicator == SHARED_CONTACT && (r.field, r.start, r.end) == at)
            {
                *reason = shared_contact_reason(&contact, sharing, reason.evidence.as_deref());
                *count = sharing.adverts;
            }
        }
    }
}

/// Values in a [`Signature`].
pub const SIGNATURE_LEN: usize = 16;
/// Values per band: adverts agreeing on all values of one band are compared.
const BAND: usize = 2;
/// Members kept per band (see [`DuplicateIndex::insert`]).
const MAX_PER_BAND: usize = 64;
/// Smallest estimated word overlap (Jaccard) of two adverts in one group.
pub const NEAR: f64 = 0.6;

/// A MinHash signature of an advert's set of words: the share of equal values estimates how
/// much two adverts' words overlap, so a repost with a changed number or an added word stays
/// close. (SimHash was tried first; on adverts of 20-50 words one edit flips too many bits.)
pub type Signature = [u64; SIGNATURE_LEN];

/// The signature of an advert's words (lower-cased, two characters or more).
pub fn signature(title: &str, text: &str) -> Signature {
    let mut sig = [u64::MAX; SIGNATURE_LEN];
    let not_word = |c: char| !is_word_char(c);
    for w in title.split(not_word).chain(text.split(not_word)) {
        // Hashes the lower-cased word; ASCII words (most Latvian words once folded, English,
        // numbers) byte by byte without building the lower-cased copy.
        let base = if w.is_ascii() {
            if w.len() < 2 {
                continue;
            }
            fnv1a(w.bytes().map(|b| b.to_ascii_lowercase()))
        } else {
            if w.chars().nth(1).is_none() {
                continue;
            }
            fnv1a(w.to_lowercase().bytes())
        };
        for (i, slot) in sig.iter_mut().enumerate() {
            *slot = (*slot).min(mix(base ^ SEEDS[i]));
        }
    }
    sig
}

/// The estimated word overlap of two signatures, 0 to 1.
pub fn similarity(a: &Signature, b: &Signature) -> f64 {
    let same = a.iter().zip(b).filter(|(x, y)| x == y).count();
    same as f64 / SIGNATURE_LEN as f64
}

const SEEDS: [u64; SIGNATURE_LEN] = [
    0x9e37_79b9_7f4a_7c15,
    0xbf58_476d_1ce4_e5b9,
    0x94d0_49bb_1331_11eb,
    0x2545_f491_4f6c_dd1d,
    0x1656_67b1_9e37_79f9,
    0x85eb_ca77_c2b2_ae63,
    0xc2b2_ae3d_27d4_eb4f,
    0x27d4_eb2f_1656_67c5,
    0x61c8_8646_80b5_83eb,
    0x0123_4567_89ab_cdef,
    0xfedc_ba98_7654_3210,
    0x0f1e_2d3c_4b5a_6978,
    0x8796_a5b4_c3d2_e1f0,
    0x5555_aaaa_3333_cccc,
    0x1234_5678_9abc_def0,
    0x0fed_cba9_8765_4321,
];

fn fnv1a(bytes: impl Iterator<Item = u8>) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// A 64-bit finaliser (from MurmurHash3): spreads every input bit over the output.
fn mix(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

/// Groups of near-duplicate adverts, found by locality-sensitive hashing over signature bands.
/// Adverts are known by a number (their ids are kept once), so the bands, which hold every
/// advert several times, cost a few bytes per advert instead of a string each.
#[derive(Debug, Default)]
pub struct DuplicateIndex {
    ids: Names,
    /// The members of each band value.
    bands: HashMap<(usize, u64), Members>,
    /// By advert number: its signature and the number of its group's id, while recorded.
    adverts: Vec<Option<(Signature, u32)>>,
}

/// The adverts that share one band value; most values have one.
#[derive(Debug)]
enum Members {
    One(u32),
    Many(Vec<u32>),
}

impl Members {
    fn as_slice(&self) -> &[u32] {
        match self {
            Members::One(n) => std::slice::from_ref(n),
            Members::Many(v) => v,
        }
    }
}

/// Whether a signature has no values (an advert without words: nothing to compare).
fn is_empty(sig: &Signature) -> bool {
    sig.iter().all(|&v| v == u64::MAX)
}

impl DuplicateIndex {
    /// Records an advert and returns its group: the group of the first advert found that is near
    /// enough, or else the advert's own id.
    pub fn assign(&mut self, id: &str, sig: Signature) -> String {
        let number = self.number(id);
        self.remove(number);
        if is_empty(&sig) {
            return id.to_string();
        }
        let mut found: Option<u32> = None;
        'bands: for key in band_keys(&sig) {
            let Some(members) = self.bands.get(&key) else {
                continue;
            };
            for &other in members.as_slice() {
                if let Some(Some((s, g))) = self.adverts.get(other as usize) {
                    if similarity(&sig, s) >= NEAR {
                        found = Some(*g);
                        break 'bands;
                    }
                }
            }
        }
        let group = found.unwrap_or(number);
        self.record(number, sig, group);
        self.ids.name(group).to_string()
    }

    /// Records an advert with a known group (when rebuilding from the index).
    pub fn insert(&mut self, id: &str, sig: Signature, group: String) {
        let number = self.number(id);
        self.remove(number);
        let group = self.number(&group);
        self.record(number, sig, group);
    }

    /// The number of an id, given one (with room for its signature) if it has none.
    fn number(&mut self, id: &str) -> u32 {
        let n = self.ids.number(id);
        if self.adverts.len() <= n as usize {
            self.adverts.resize(n as usize + 1, None);
        }
        n
    }

    fn record(&mut self, number: u32, sig: Signature, group: u32) {
        if is_empty(&sig) {
            return;
        }
        for key in band_keys(&sig) {
            match self.bands.entry(key) {
                std::collections::hash_map::Entry::Vacant(e) => {
                    e.insert(Members::One(number));
                }
                std::collections::hash_map::Entry::Occupied(mut e) => {
                    let members = e.get_mut();
                    if let Members::One(first) = *members {
                        *members = Members::Many(vec![first]);
                    }
                    if let Members::Many(v) = members {
                        // A band shared by thousands of reposts keeps only its latest members:
                        // enough to find the group, and each new advert compares with at most
                        // that many per band.
                        if v.len() >= MAX_PER_BAND {
                            v.remove(0);
                        }
                        v.push(number);
                    }
                }
            }
        }
        self.adverts[number as usize] = Some((sig, group));
    }

    fn remove(&mut self, number: u32) {
        let Some((sig, _)) = self.adverts.get_mut(number as usize).and_then(Option::take) else {
            return;
        };
        for key in band_keys(&sig) {
            let emptied = match self.bands.get_mut(&key) {
                Some(Members::One(n)) => *n == number,
                Some(Members::Many(v)) => {
                    v.retain(|&x| x != number);
                    v.is_empty()
                }
                None => false,
            };
            if emptied {
                self.bands.remove(&key);
            }
        }
    }
}

fn band_keys(sig: &Signature) -> impl Iterator<Item = (usize, u64)> + '_ {
    sig.chunks(BAND)
        .enumerate()
        .map(|(i, c)| (i, c.iter().fold(0u64, |acc, v| mix(acc ^ v))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_edits_keep_adverts_similar() {
        let text = "Piedāvājam darbu gaļas pārstrādes rūpnīcā Vācijā, alga 2500 eiro mēnesī, dzīvesvieta un ceļš par brīvu, zvaniet 20001234 vai rakstiet WhatsApp";
        let a = signature("Darbs Vācijā", text);
        let b = signature("Darbs Vācijā!", &text.replace("20001234", "20009999"));
        let other = signature(
            "Pārdevējs",
            "SIA Maxima meklē pārdevēju uz Rīgas veikalu, pilna slodze, alga 1100 EUR bruto",
        );
        assert!(similarity(&a, &b) >= NEAR, "{}", similarity(&a, &b));
        assert!(similarity(&a, &other) < NEAR);
    }

    /// The signature as first written: every word lower-cased into a new string.
    fn plain_signature(title: &str, text: &str) -> Signature {
        let mut sig = [u64::MAX; SIGNATURE_LEN];
        let words = title
            .split(|c: char| !c.is_alphanumeric())
            .chain(text.split(|c: char| !c.is_alphanumeric()))
            .filter(|w| w.chars().count() >= 2);
        for w in words {
            let base = fnv1a(w.to_lowercase().bytes());
            for (i, slot) in sig.iter_mut().enumerate() {
                *slot = (*slot).min(mix(base ^ SEEDS[i]));
            }
        }
        sig
    }

    #[test]
    fn signatures_match_the_plain_definition() {
        let texts = [
            (
                "Darbs Vācijā",
                "Alga 2500 EUR, ZVANIET 20001234! Ā ē Ūdens x 7",
            ),
            ("РАБОТА в Польше", "Жильё бесплатно, ОПЛАТА 15 €/ч. Я ты"),
            ("ΟΔΟΣ", "Ὀδυσσεύς ΣΟΦΟΣ ǅemal İstanbul ß STRASSE a1 B2 ﬁne"),
            ("", ""),
        ];
        for (title, text) in texts {
            assert_eq!(
                signature(title, text),
                plain_signature(title, text),
                "{title} {text}"
            );
        }
        let sample = include_str!("../../corpus/sample.jsonl");
        for line in sample.lines() {
            assert_eq!(signature("", line), plain_signature("", line), "{line}");
        }
    }

    #[test]
    fn duplicates_join_the_first_group() {
        let mut d = DuplicateIndex::default();
        let text = "Work in a warehouse in the Netherlands, good pay, housing provided, call now";
        assert_eq!(d.assign("a", signature("Job", text)), "a");
        assert_eq!(
            d.assign("b", signature("Job!", &format!("{text} today"))),
            "a"
        );
        let c = signature(
            "Nurse",
            "Hospital in Riga hires a nurse, contract, 1500 EUR gross",
        );
        assert_eq!(d.assign("c", c), "c");
        // Re-recording an advert does not make it its own duplicate.
        assert_eq!(d.assign("c", c), "c");
    }

    #[test]
    fn an_advert_recorded_again_is_found_by_its_new_text_only() {
        let mut d = DuplicateIndex::default();
        let text = "Work in a warehouse in the Netherlands, good pay, housing provided, call now";
        assert_eq!(d.assign("a", signature("Job", text)), "a");
        let other = "Hospital in Riga hires a nurse, contract, 1500 EUR gross";
        assert_eq!(d.assign("a", signature("Nurse", other)), "a");
        // Nothing recorded has the warehouse text any more.
        assert_eq!(d.assign("c", signature("Job", text)), "c");
        assert_eq!(d.assign("d", signature("Job!", text)), "c");
        assert_eq!(d.assign("e", signature("Nurse", other)), "a");
    }

    #[test]
    fn sharing_counts_employers() {
        let mut g = ContactGraph::default();
        let c = vec!["phone:+37120001234".to_string()];
        g.insert("1", &c, Some("sia alfa".into()));
        g.insert("2", &c, Some("sia alfa".into()));
        assert!(!g.sharing(&c[0]).is_sign(), "one employer, one HR phone");
        g.insert("3", &c, Some("sia beta".into()));
        let s = g.sharing(&c[0]);
        assert_eq!((s.adverts, s.employers), (3, 2));
        assert!(s.is_sign());
        // Replacing advert 3 without the contact undoes it.
        let touched = g.insert("3", &[], None);
        assert_eq!(touched, c);
        assert!(!g.sharing(&c[0]).is_sign());
    }

    #[test]
    fn unnamed_adverts_need_three() {
        let mut g = ContactGraph::default();
        let c = vec!["handle:fastjob".to_string()];
        g.insert("1", &c, None);
        g.insert("2", &c, None);
        assert!(!g.sharing(&c[0]).is_sign());
        g.insert("3", &c, None);
        assert!(g.sharing(&c[0]).is_sign());
    }
}
