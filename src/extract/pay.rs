//! Pay: amounts with currency and period ("12 EUR/h", "£450 per week", "от 1500 до 2000 евро в
//! месяц", "3k"), converted to an estimate in EUR per month with the rates and hours of the pay
//! reference (`rules/market_pay.toml`). Whether pay is far above the market is a rule condition,
//! not an extraction.

use std::sync::LazyLock;

use aho_corasick::AhoCorasick;
use regex::{Captures, Regex};

use crate::dialect;
use serde::{Deserialize, Serialize};

use super::{Located, Scan};
use crate::market::MarketPay;

pub use crate::market::Period;

/// A pay amount or range.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pay {
    /// Lower bound (equal to `max` for a single amount).
    pub min: f64,
    /// Upper bound: what the advert dangles.
    pub max: f64,
    /// ISO 4217 code, lower case.
    pub currency: String,
    /// The period, stated or guessed from the amount; `None` when it cannot be told (a bare
    /// "200 EUR" may be a bonus, a day's pay or a fee).
    pub period: Option<Period>,
    /// Whether the advert stated the period.
    pub period_stated: bool,
    /// `max` converted to EUR per month; `None` for a currency without a rate or an unknown
    /// period.
    pub monthly_eur: Option<f64>,
}

const AMOUNT: &str =
    r"(\d{1,3}(?:[ .,']\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?)\s?(k(?-u:\b)|tukst\.?|тыс\.?)?";
const CURRENCY_BEFORE: &str = r"(€|eur|euro|£|gbp|(?-u:\b)au\$|(?-u:\b)a\$|(?-u:\b)aud|\$|usd)";
const CURRENCY_AFTER: &str = r"(€|eur(?:o|os|u)?(?-u:\b)|eiro|евро|евр[^\w]|£|gbp|фунт\w*|pounds?|aud(?-u:\b)|\$|usd|dollars?|долл\w*|nok|sek|dkk|pln|zl|zł|chf|czk|rub|руб\w*|kr(?-u:\b)|kron\w*|крон\w*)";
const PERIOD: &str = r"(?:\s?(?:/|per|par|в|за|a|an|each|un)?\s?(h(?-u:\b)|hr(?-u:\b)|st(?-u:\b)|stund\w*|hour\w*|час\w*|ч[^\w]|ч$|d(?-u:\b)|dien\w*|day(?-u:\b)|days(?-u:\b)|daily|день|дня|сутки|смену|shift|mai\w*|ned(?-u:\b)|ned\.|nedel\w*|week\w*|недел\w*|нед[^\w]|нед$|men(?-u:\b)|men\.|menes\w*|month\w*|месяц\w*|мес[^\w]|мес$|gad\w*|year\w*|annual\w*|год\w*))?";

static PAY: LazyLock<Regex> = LazyLock::new(|| {
    let range_sep = r"\s?(?:-|–|lidz|to|до|un)\s?";
    let pattern = format!(
        r"(?:{CURRENCY_BEFORE}\s?)?(?-u:\b){AMOUNT}(?:{range_sep}(?:{CURRENCY_BEFORE}\s?)?{AMOUNT})?\s?{CURRENCY_AFTER}?{PERIOD}"
    );
    dialect::build(&pattern).expect("pay regex compiles")
});

/// A piece of every currency alternative above: an amount whose match holds none of them has no
/// currency, and is not pay. Matching it is far cheaper than the captures of every number.
const CURRENCY_PIECES: &[&str] = &[
    "€", "eur", "eiro", "евр", "£", "gbp", "фунт", "pound", "$", "aud", "usd", "dollar", "долл",
    "nok", "sek", "dkk", "pln", "zl", "zł", "chf", "czk", "rub", "руб", "kr", "крон",
];

static CURRENCY_HINT: LazyLock<AhoCorasick> =
    LazyLock::new(|| AhoCorasick::new(CURRENCY_PIECES).expect("currency pieces compile"));

/// Parses "1 200", "1.200", "12,50", "1 200,50": a separator followed by one or two digits at
/// the end is the decimal point; any other separator groups thousands.
fn parse_amount(digits: &str, multiplier: Option<&str>) -> Option<f64> {
    let (whole, fraction) = match digits.rfind(['.', ',']) {
        Some(at) if (1..=2).contains(&(digits.len() - at - 1)) => {
            (&digits[..at], &digits[at + 1..])
        }
        _ => (digits, ""),
    };
    let whole: String = whole.chars().filter(char::is_ascii_digit).collect();
    let value: f64 = format!("{whole}.{fraction}0").parse().ok()?;
    Some(if multiplier.is_some() {
        value * 1000.0
    } else {
        value
    })
}

fn currency_code(text: &str) -> &'static str {
    let t = text.trim();
    match t.chars().next() {
        Some('€') => return "eur",
        Some('£') => return "gbp",
        Some('$') => return "usd",
        _ => {}
    }
    if t.starts_with("aud") || t.starts_with("au$") || t.starts_with("a$") {
        "aud"
    } else if t.starts_with("eur") || t.starts_with("eiro") || t.starts_with("евр") {
        "eur"
    } else if t.starts_with("gbp") || t.starts_with("фунт") || t.starts_with("pound") {
        "gbp"
    } else if t.starts_with("usd") || t.starts_with("dollar") || t.starts_with("долл") {
        "usd"
    } else if t.starts_with("sek") {
        "sek"
    } else if t.starts_with("dkk") {
        "dkk"
    } else if t.starts_with("pln") || t.starts_with("zl") || t.starts_with("zł") {
        "pln"
    } else if t.starts_with("chf") {
        "chf"
    } else if t.starts_with("czk") {
        "czk"
    } else if t.starts_with("rub") || t.starts_with("руб") {
        "rub"
    } else {
        "nok"
    }
}

fn period_of(word: &str) -> Period {
    let w = word.trim_end_matches('.');
    let first = w.chars().next().unwrap_or('m');
    match first {
        'h' | 'ч' => Period::Hour,
        's' if w.starts_with("st") => Period::Hour,
        's' => Period::Day,
        'd' | 'с' => Period::Day,
        'д' => Period::Day,
        'w' | 'н' => Period::Week,
        'n' => Period::Week,
        'y' | 'g' | 'a' => Period::Year,
        'г' => Period::Year,
        _ if w.starts_with("час") => Period::Hour,
        _ if w.starts_with("mai") => Period::Day,
        _ => Period::Month,
    }
}

/// Guesses the period of an amount given without one. Sums that are a year's pay in that
/// currency ("EUR 26,000", "£45k" in Irish and British adverts) are yearly; other sums of a
/// month's size are monthly. Small sums are left without a period: a ticket, a medical check or
/// a state fee is not hourly pay.
fn guess_period(amount: f64, currency: &str) -> Option<Period> {
    let yearly_from = match currency {
        "nok" | "sek" | "dkk" => 150_000.0,
        "czk" => 250_000.0,
        "pln" => 40_000.0,
        "rub" => 1_500_000.0,
        _ => 10_000.0,
    };
    if amount >= yearly_from {
        Some(Period::Year)
    } else if amount >= 400.0 {
        Some(Period::Month)
    } else {
        None
    }
}

fn pay_of(c: &Captures<'_>, market: &MarketPay) -> Option<Pay> {
    let currency = c.get(1).or(c.get(4)).or(c.get(7))?;
    let min = parse_amount(c.get(2)?.as_str(), c.get(3).map(|m| m.as_str()))?;
    let max = match c.get(5) {
        Some(b) => parse_amount(b.as_str(), c.get(6).map(|m| m.as_str()))?,
        None => min,
    };
    if min <= 0.0 || max < min || max > 10_000_000.0 {
        return None;
    }
    let code = currency_code(currency.as_str());
    let (period, period_stated) = match c.get(8) {
        Some(p) => (Some(period_of(p.as_str())), true),
        None => (guess_period(max, code), false),
    };
    Some(Pay {
        min,
        max,
        currency: code.to_string(),
        period,
        period_stated,
        monthly_eur: period.and_then(|p| market.to_monthly_eur(max, code, p)),
    })
}

/// Words that say a sum is a yearly salary.
static YEARLY_CUE: LazyLock<Regex> = LazyLock::new(|| {
    dialect::build(r"(?-u:\b)(?:salary|salaries|annual\w*|per\s+annum|p\.?\s?a(?-u:\b)|ote(?-u:\b)|package|base|gross|doe(?-u:\b)|compensation|remuneration|gada|годов\w*|в\s+год)")
        .expect("yearly cue regex compiles")
});

fn floor_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_boundary(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while i < text.len() && !text.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// Finds pay amounts in one field.
pub(super) fn pay(scan: &Scan<'_>, market: &MarketPay, out: &mut Vec<Located<Pay>>) {
    let text = scan.basic.as_str();
    // Numbers are many and pay is rare: the groups are read only for a match with a currency.
    // From a match's start, the regex finds that same match again.
    for m in PAY.find_iter(text).take(super::MAX_FACTS_PER_FIELD) {
        if !CURRENCY_HINT.is_match(m.as_str()) {
            continue;
        }
        let Some(c) = PAY.captures_at(text, m.start()) else {
            continue;
        };
        let Some(whole) = c.get(0) else { continue };
        if let Some(mut p) = pay_of(&c, market) {
            // A year's sum without a period is read as yearly only where a salary is spoken of
            // ("salary EUR 26,000", "£45k", "OTE"); "earn 15 000 EUR!" stays a monthly promise.
            if !p.period_stated && p.period == Some(Period::Year) {
                let thousands = c.get(3).is_some() || c.get(6).is_some();
                let from = floor_boundary(text, whole.start().saturating_sub(60));
                let to = ceil_boundary(text, whole.end() + 30);
                if !(thousands || YEARLY_CUE.is_match(&text[from..to])) {
                    p.period = Some(Period::Month);
                    p.monthly_eur = market.to_monthly_eur(p.max, &p.currency, Period::Month);
                }
            }
            let trimmed = whole.as_str().trim_end();
            out.push(scan.locate_basic(whole.start(), whole.start() + trimmed.len(), p));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first(text: &str) -> Option<Pay> {
        let market = MarketPay::bundled();
        let scan = Scan::new(crate::advert::Field::Text, text);
        let mut out = Vec::new();
        pay(&scan, &market, &mut out);
        out.into_iter().next().map(|l| l.value)
    }

    #[test]
    fn hourly_euro() {
        let p = first("Alga 12 EUR/h, darbs noliktavā").expect("pay found");
        assert_eq!(
            (p.max, p.currency.as_str(), p.period, p.period_stated),
            (12.0, "eur", Some(Period::Hour), true)
        );
        assert!(p.monthly_eur.is_some_and(|m| m > 1500.0 && m < 2500.0));
    }

    #[test]
    fn weekly_pounds_before_amount() {
        let p = first("Earn £450 per week").expect("pay found");
        assert_eq!(
            (p.max, p.currency.as_str(), p.period),
            (450.0, "gbp", Some(Period::Week))
        );
    }

    #[test]
    fn russian_range_per_month() {
        let p = first("Зарплата от 1500 до 2 000 евро в месяц").expect("pay found");
        assert_eq!(
            (p.min, p.max, p.currency.as_str(), p.period),
            (1500.0, 2000.0, "eur", Some(Period::Month))
        );
    }

    #[test]
    fn latvian_thousands_and_words() {
        let p = first("alga 1.200 - 1.500 eiro mēnesī").expect("pay found");
        assert_eq!(
            (p.min, p.max, p.period),
            (1200.0, 1500.0, Some(Period::Month))
        );
        let p = first("ienākumi līdz 3k € nedēļā").expect("pay found");
        assert_eq!((p.max, p.period), (3000.0, Some(Period::Week)));
    }

    #[test]
    fn guesses_period_from_amount() {
        let p = first("maksājam 2500 EUR").expect("pay found");
        assert_eq!((p.period, p.period_stated), (Some(Period::Month), false));
    }

    #[test]
    fn numbers_without_currency_are_not_pay() {
        assert!(first("Zvaniet 20001234, darbs no 8 līdz 17").is_none());
    }

    #[test]
    fn decimals_are_kept_and_k_needs_a_word_end() {
        let p = first("12,50 EUR/h").expect("pay found");
        assert_eq!(p.max, 12.5);
        let p = first("1 200,50 € mēnesī").expect("pay found");
        assert_eq!(p.max, 1200.5);
        let p = first("Alga EUR 1500 katru mēnesi").expect("pay found");
        assert_eq!(p.max, 1500.0);
    }

    #[test]
    fn every_currency_alternative_holds_a_hint() {
        for alternatives in [CURRENCY_BEFORE, CURRENCY_AFTER] {
            let inner = &alternatives[1..alternatives.len() - 1];
            // The top-level alternatives: split at `|` outside groups and classes.
            let mut alts = vec![String::new()];
            let mut depth = 0i32;
            for c in inner.chars() {
                match c {
                    '(' | '[' => depth += 1,
                    ')' | ']' => depth -= 1,
                    '|' if depth == 0 => {
                        alts.push(String::new());
                        continue;
                    }
                    _ => {}
                }
                alts.last_mut().expect("one alternative").push(c);
            }
            assert!(alts.len() > 5);
            for alt in &alts {
                // Drop the group, leaving its first alternative ("eur(?:o|u)?" -> "eur").
                let head = alt.split("(?:").next().unwrap_or(alt);
                let plain: String = head
                    .replace(r"(?-u:\b)", "")
                    .replace(r"\w*", "")
                    .replace(r"[^\w]", "")
                    .chars()
                    .filter(|c| !matches!(c, '\\' | '(' | ')' | '?' | ':'))
                    .collect();
                assert!(
                    CURRENCY_PIECES.iter().any(|p| plain.contains(p)),
                    "{alt} -> {plain}"
                );
            }
        }
    }

    #[test]
    fn a_bare_middling_sum_has_no_period() {
        let p = first("bonuss 200 EUR").expect("pay found");
        assert_eq!((p.period, p.monthly_eur), (None, None));
    }
}
