//! Real job-posting metadata in the cv.lv export format (`id, title, employer, category,
//! salary_from, salary_to, salary_currency, work_time, ...`): reading it, composing an advert from
//! a posting (title, employer and pay), and deriving the market-pay reference from it.

use std::path::Path;

use serde::Deserialize;

use crate::advert::{Advert, Kind};
use crate::market::MarketPay;

/// One posting. Unknown columns are ignored.
#[derive(Debug, Clone, Deserialize)]
pub struct Posting {
    /// Posting id.
    pub id: String,
    /// Job title.
    pub title: String,
    /// Employer name.
    pub employer: String,
    /// The board's category ("IT", "Trade Sector", ...).
    pub category: String,
    /// Lower pay bound (gross EUR per month; under 30 means per hour).
    pub salary_from: Option<f64>,
    /// Upper pay bound.
    pub salary_to: Option<f64>,
    /// Currency code.
    #[serde(default)]
    pub salary_currency: String,
    /// Working time ("Full-time", ...).
    #[serde(default)]
    pub work_time: String,
}

/// Amounts under this are hourly pay in the export.
const HOURLY_BELOW: f64 = 30.0;

impl Posting {
    /// The posting as an advert: its title, and a text naming the employer, the category, the pay
    /// and the working time.
    pub fn advert(&self) -> Advert {
        let currency = if self.salary_currency.is_empty() {
            "EUR"
        } else {
            &self.salary_currency
        };
        let pay = match (self.salary_from, self.salary_to) {
            (Some(from), to) => {
                let period = if from < HOURLY_BELOW {
                    "stundā"
                } else {
                    "mēnesī"
                };
                let upper = to.map(|t| format!("–{t}")).unwrap_or_default();
                format!(" Alga {from}{upper} {currency} {period} (bruto).")
            }
            _ => String::new(),
        };
        Advert {
            id: format!("cvlv-{}", self.id),
            kind: Some(Kind::Job),
            title: self.title.clone(),
            text: format!(
                "{}. {}.{pay} {}.",
                self.employer, self.category, self.work_time
            ),
            source: Some("cv.lv".into()),
            ..Advert::default()
        }
    }

    /// Lower pay bound as EUR per month (hourly amounts times the reference hours).
    pub fn monthly_from(&self, hours_per_month: f64) -> Option<f64> {
        let from = self.salary_from.filter(|v| *v > 0.0)?;
        if !self.salary_currency.is_empty() && self.salary_currency != "EUR" {
            return None;
        }
        Some(if from < HOURLY_BELOW {
            from * hours_per_month
        } else {
            from
        })
    }
}

/// A postings file that cannot be read.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}")]
pub struct PostingsError {
    /// The file.
    pub path: String,
    /// What went wrong.
    pub message: String,
}

/// Reads a postings CSV. A posting listed again (renewed) is kept once, as first listed.
pub fn read(path: &Path) -> Result<Vec<Posting>, PostingsError> {
    let fail = |message: String| PostingsError {
        path: path.display().to_string(),
        message,
    };
    let mut reader = csv::Reader::from_path(path).map_err(|e| fail(e.to_string()))?;
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for record in reader.deserialize() {
        let posting: Posting = record.map_err(|e| fail(e.to_string()))?;
        if seen.insert(posting.id.clone()) {
            out.push(posting);
        }
    }
    Ok(out)
}

/// The derived monthly pay of every category of the reference that names the board categories
/// it is derived from: (category id, derived value, value in the reference).
pub fn derive_market_pay(postings: &[Posting], market: &MarketPay) -> Vec<(String, f64, f64)> {
    market
        .categories()
        .iter()
        .filter(|c| !c.derived_from.is_empty())
        .filter_map(|c| {
            let mut values: Vec<f64> = postings
                .iter()
                .filter(|p| c.derived_from.contains(&p.category))
                .filter_map(|p| p.monthly_from(market.hours_per_month()))
                .collect();
            if values.is_empty() {
                return None;
            }
            values.sort_by(f64::total_cmp);
            let quantile = c.quantile.unwrap_or(0.5).clamp(0.0, 1.0);
            let at = ((values.len() - 1) as f64 * quantile).round() as usize;
            let derived = (values[at] / 50.0).round() * 50.0;
            Some((c.id.clone(), derived, c.monthly_eur))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn posting(from: Option<f64>) -> Posting {
        Posting {
            id: "1".into(),
            title: "Pārdevējs".into(),
            employer: "SIA Koks".into(),
            category: "Trade Sector".into(),
            salary_from: from,
            salary_to: None,
            salary_currency: "EUR".into(),
            work_time: "Full-time".into(),
        }
    }

    #[test]
    fn composes_an_advert_with_pay() {
        let a = posting(Some(1200.0)).advert();
        assert_eq!(
            a.text,
            "SIA Koks. Trade Sector. Alga 1200 EUR mēnesī (bruto). Full-time."
        );
        let a = posting(Some(9.5)).advert();
        assert!(a.text.contains("9.5 EUR stundā"));
    }

    #[test]
    fn hourly_pay_becomes_monthly() {
        assert_eq!(posting(Some(10.0)).monthly_from(168.0), Some(1680.0));
        assert_eq!(posting(None).monthly_from(168.0), None);
    }
}
