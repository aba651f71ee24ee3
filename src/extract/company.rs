//! Companies named without a legal form, as ordinary postings introduce their employer:
//! "Mitel is a global leader in ...", "Giromax Technology is looking for ...", "Join the Entain
//! team", "Darba devējs: Rimi Latvia", "Компания «Магнит» ищет ...". The name is read from the
//! original text, where capitals still show what is a name.

use std::sync::LazyLock;

use regex::Regex;
use serde::{Deserialize, Serialize};

use super::{Located, Scan};
use crate::advert::Span;

/// A company introduced by name (without a legal form).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Company {
    /// The name, as written.
    pub name: String,
}

/// Up to five capitalised words (joined by "&", "of", "and", ...), as a capture group.
const NAME: &str = r"(\p{Lu}[\p{L}\p{N}&'’\-]*(?:[ \t\u{a0}]+(?:\p{Lu}[\p{L}\p{N}&'’\-]*|&|of|and|de|la|for)){0,4})";

/// What a company says it is ("a global leader", "an insurance consulting practice").
const WHAT_EN: &str = r"(?:company|companies|firm|provider|service|trust|fund|manufacturer|agency|business|group|organi[sz]ation|leader|chain|hotel|restaurant|brand|retailer|distributor|supplier|consultancy|start-?up|bank|insurer|operator|network|practice|clinic|charity|hospital|employer|specialist|pioneer|innovator|developer|producer|maker|platform|contractor|consultants?|franchise|caf[eé]|pub|salon|studio|store|shop|venue|school|college|university|institute|foundation|association|cent(?:er|re)|laborator(?:y|ies)|marketplace|subsidiary|division)";
const WHAT_LV: &str = r"(?:uzņēmum\w*|ražotāj\w*|kompānij\w*|tīkl\w*|veikal\w*|viesnīc\w*|restorān\w*|banka|bankas|grup\w*|koncern\w*|pārstāvniecīb\w*|līderi\w*|līderis|zīmol\w*|aģentūr\w*|klīnik\w*|slimnīc\w*|ķēd\w*)";
const WHAT_RU: &str = r"(?:компани\w*|производител\w*|сеть|сети|холдинг\w*|банк\w*|лидер\w*|оператор\w*|групп\w*|агентств\w*|клиник\w*|магазин\w*|гостиниц\w*|отел\w*|ресторан\w*|завод\w*|фабрик\w*|предприяти\w*|бренд\w*|дистрибьютор\w*|поставщик\w*)";

/// Patterns that start with a word of their own ("Join", "Darba devējs:", "Компания"): the
/// regex engine finds those words first, so they cost little on text without them.
static INTRODUCED: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    [
        // "At DynCorp International, ...", "Join the Entain team"
        format!(r"\b(?:At|Join|Joining|Welcome\s+to)\s+(?:the\s+)?{NAME}(?:,|\s+team\b|\s+family\b)"),
        // "Employer: Rimi Latvia", "Darba devējs: ...", "Работодатель: ..."
        format!(
            r"(?i:\b(?:employer|hiring\s+company|company\s+name|darba\s+devējs|uzņēmums|работодатель|компания))\s*:\s*[«„“]?{NAME}"
        ),
        // "Uzņēmums Koks meklē"
        format!(r"\b(?:Uzņēmums|Kompānija|Veikalu\s+tīkls|Viesnīca)\s+[«„“]?{NAME}[»”\x22]?\s+(?:meklē|aicina|piedāvā)"),
        // "Компания «Магнит» ищет"
        format!(
            r"\b(?:Компания|Группа\s+компаний|Холдинг|Сеть\s+магазинов|Сеть|Банк|Завод)\s+[«„“\x22]?{NAME}"
        ),
    ]
    .iter()
    .map(|p| Regex::new(p).expect("company regexes compile (tested)"))
    .collect()
});

/// Words that follow a name when a company says what it is or does: " is ", " ir ", " — ".
/// Patterns with the name first are searched from these, as a regex starting with any capital
/// letter would be tried at every one.
static VERBS: LazyLock<aho_corasick::AhoCorasick> = LazyLock::new(|| {
    aho_corasick::AhoCorasick::new([
        " is ",
        " are ",
        " has been ",
        " have been ",
        " ir ",
        " — ",
        " – ",
        " - ",
        // Verbs of what a company does: common after other words too ("Full training
        // provides"), so they count only after a name that starts the text or a sentence.
        " provides ",
        " provide ",
        " offers ",
        " delivers ",
        " helps ",
        " specialises ",
        " specializes ",
    ])
    .expect("verb list compiles")
});

/// The index in [`VERBS`] from which a verb needs its name at the start of a sentence.
const FIRST_INTRO_VERB: usize = 8;

/// What follows the verb: what the company is ("is a global leader in ...") or does ("is
/// currently looking for ..."), anchored at the verb.
static AFTER_VERB: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"^\s(?:(?:(?:is|are|has\s+been|have\s+been)\s+(?:a|an|the|one\s+of\s+the)\s+(?:[\w\-&]+,?\s+){{0,6}}?{WHAT_EN}\b)|(?:(?:is|are)\s+(?:currently\s+|now\s+|actively\s+)?(?:looking\s+for|seeking|hiring|recruiting)\b)|(?:(?:is|are)\s+made\s+up\s+of\b)|(?:(?:provides?|offers|delivers|helps)\s+\w)|(?:speciali[sz]es\s+in\b)|(?:ir\s+(?:[\w\-]+,?\s+){{0,5}}?{WHAT_LV})|(?:[—–-]\s+(?:[\w\-]+,?\s+){{0,4}}?{WHAT_RU}))"
    ))
    .expect("company regex compiles (tested)")
});

/// The name that ends where the verb starts, after an optional "®" and "(NASDAQ: MITL)".
static NAME_BEFORE_VERB: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r"{NAME}(?:®|™)?(?:\s*\([^)\n]{{0,40}}\))?,?$"))
        .expect("company regex compiles (tested)")
});

/// Bytes before a verb read for the name.
const NAME_WINDOW: usize = 120;

/// Capitalised words that start sentences or describe a job rather than name a company.
const NOT_NAMES: &[&str] = &[
    "a",
    "an",
    "the",
    "this",
    "that",
    "these",
    "it",
    "its",
    "our",
    "we",
    "you",
    "your",
    "he",
    "she",
    "they",
    "their",
    "there",
    "what",
    "which",
    "who",
    "his",
    "her",
    "us",
    "my",
    "each",
    "every",
    "all",
    "any",
    "some",
    "if",
    "when",
    "where",
    "how",
    "why",
    "also",
    "and",
    "but",
    "or",
    "so",
    "as",
    "here",
    "now",
    "today",
    "please",
    "to",
    "must",
    "may",
    "will",
    "can",
    "should",
    "would",
    "could",
    "we'll",
    "we’ll",
    "you'll",
    "you’ll",
    "we're",
    "we’re",
    "you're",
    "you’re",
    "we've",
    "we’ve",
    "it's",
    "it’s",
    "about",
    "home",
    "job",
    "jobs",
    "work",
    "role",
    "position",
    "vacancy",
    "opportunity",
    "team",
    "company",
    "employer",
    "employers",
    "recruiter",
    "recruiters",
    "agencies",
    "coordinator",
    "owner",
    "boss",
    "accommodation",
    "housing",
    "transport",
    "support",
    "client",
    "clients",
    "business",
    "agency",
    "firm",
    "office",
    "store",
    "shop",
    "restaurant",
    "hotel",
    "salary",
    "pay",
    "experience",
    "training",
    "candidate",
    "candidates",
    "applicant",
    "applicants",
    "employee",
    "employees",
    "staff",
    "person",
    "individual",
    "manager",
    "supervisor",
    "driver",
    "cleaner",
    "location",
    "hours",
    "shift",
    "duties",
    "benefits",
    "compensation",
    "requirements",
    "responsibilities",
    "description",
    "summary",
    "overview",
    "nothing",
    "everything",
    "something",
    "anyone",
    "someone",
    "everyone",
    "night",
    "weekends",
    "mēs",
    "mūsu",
    "mums",
    "man",
    "jums",
    "tev",
    "jūs",
    "tu",
    "viņi",
    "tie",
    "tas",
    "tā",
    "šis",
    "šī",
    "šeit",
    "tagad",
    "darbs",
    "darba",
    "alga",
    "мы",
    "наша",
    "наш",
    "наши",
    "вы",
    "ты",
    "это",
    "эта",
    "этот",
    "работа",
    "зарплата",
    "компания",
    "вакансия",
];

fn is_name_word(word: &str) -> bool {
    let lower = word.to_lowercase();
    !NOT_NAMES.contains(&lower.as_str())
}

/// The name in a captured run: without leading words that are no names (the first word of a
/// sentence: "The", "Our") and without trailing joiners ("Smith and"). The last capitalised word
/// must be a name word, as it stands right before what the company is or does ("Day Shift We are
/// hiring" names nobody).
fn trim_name(run: &str, start: usize) -> Option<(usize, usize)> {
    let mut words: Vec<(usize, &str)> = Vec::new();
    let mut offset = 0;
    for piece in run.split_inclusive([' ', '\t', '\u{a0}']) {
        words.push((offset, piece.trim_end()));
        offset += piece.len();
    }
    let capital = |w: &str| w.chars().next().is_some_and(char::is_uppercase);
    let last = words.iter().rposition(|(_, w)| capital(w))?;
    let first = words
        .iter()
        .position(|(_, w)| capital(w) && is_name_word(w))?;
    if first > last
        || words[first..=last]
            .iter()
            .any(|(_, w)| capital(w) && !is_name_word(w))
    {
        return None;
    }
    let (s, _) = words[first];
    let (e, w) = words[last];
    Some((start + s, start + e + w.len()))
}

/// Whether byte `at` of `text` starts the text or a sentence (after `.`, `!`, `?`, `:` or a
/// line break, spaces and opening quotes between).
fn starts_sentence(text: &str, at: usize) -> bool {
    let before = text
        .get(..at)
        .unwrap_or_default()
        .trim_end_matches([' ', '\t', '\r', '\u{a0}', '"', '“', '„', '«']);
    before.is_empty() || before.ends_with(['.', '!', '?', '\n', ':'])
}

/// Finds companies introduced by name in one field.
pub(super) fn companies(scan: &Scan<'_>, out: &mut Vec<Located<Company>>) {
    let text = scan.original;
    // Every pattern needs a capital letter.
    if !text.chars().any(char::is_uppercase) {
        return;
    }
    let mut runs: Vec<(usize, usize)> = Vec::new();
    for pattern in INTRODUCED.iter() {
        for c in pattern.captures_iter(text).take(super::MAX_FACTS_PER_FIELD) {
            if let Some(run) = c.get(1) {
                runs.push((run.start(), run.end()));
            }
        }
    }
    for verb in VERBS.find_iter(text).take(super::MAX_FACTS_PER_FIELD) {
        // Most verbs follow a word that is no name ("this is", "the role is"): look at the
        // word before (or before a parenthesis) and read further only after a capital.
        let before = &text[..verb.start()];
        let last_word = before
            .trim_end_matches([')', ',', '®', '™'])
            .rsplit(|c: char| c.is_whitespace() || c == '(')
            .next()
            .unwrap_or_default();
        let capital_before =
            last_word.starts_with(char::is_uppercase) || before.trim_end().ends_with(')');
        if !capital_before || !AFTER_VERB.is_match(&text[verb.start()..]) {
            continue;
        }
        let from =
            crate::normalise::floor_char_boundary(text, verb.start().saturating_sub(NAME_WINDOW));
        if let Some(run) = NAME_BEFORE_VERB
            .captures(&text[from..verb.start()])
            .and_then(|c| c.get(1))
        {
            let start = from + run.start();
            if verb.pattern().as_usize() >= FIRST_INTRO_VERB && !starts_sentence(text, start) {
                continue;
            }
            runs.push((start, from + run.end()));
        }
    }
    for (run_start, run_end) in runs {
        let Some((start, end)) = trim_name(&text[run_start..run_end], run_start) else {
            continue;
        };
        if out
            .iter()
            .any(|o| o.span.field == scan.field && o.span.start < end && start < o.span.end)
        {
            continue;
        }
        out.push(Located {
            value: Company {
                name: text[start..end].to_string(),
            },
            span: Span {
                field: scan.field,
                start,
                end,
            },
        });
    }
}
