//! The pay reference: currency rates to EUR, working time per month, and the monthly market pay
//! per kind of work, read from `rules/market_pay.toml`. Pay extraction uses it to convert amounts;
//! the `pay_above_market` condition uses it to compare.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::phrase::{PhraseError, PhraseSet};

/// The period a pay amount is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Period {
    /// Per hour.
    Hour,
    /// Per day or shift.
    Day,
    /// Per week.
    Week,
    /// Per month.
    Month,
    /// Per year.
    Year,
}

/// The reference built into the binary (also among the bundled rule files, which `rules` reads).
const BUNDLED: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/rules/market_pay.toml"
));

/// The file as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct MarketPayFile {
    hours_per_month: f64,
    days_per_month: f64,
    weeks_per_month: f64,
    default_category: String,
    currencies: BTreeMap<String, f64>,
    /// The country the categories' pay is for (ISO code).
    reference_country: String,
    /// The statutory minimum wage of each country that has one (EUR per month of full-time
    /// work, ISO code as key): the pay level of work that needs no skills.
    #[serde(alias = "countries")]
    minimum_wage: BTreeMap<String, f64>,
    /// Typical full-time pay of each country (EUR per month, ISO code as key): the pay level of
    /// skilled work.
    #[serde(default)]
    typical_pay: BTreeMap<String, f64>,
    #[serde(rename = "category")]
    categories: Vec<Category>,
}

/// A kind of work with its typical monthly gross pay in Latvia.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Category {
    /// Identifier (`unskilled`, `it`, ...).
    pub id: String,
    /// Typical (median) gross pay per month, EUR.
    pub monthly_eur: f64,
    /// Words that place an advert in this category.
    #[serde(default)]
    pub keywords: Vec<String>,
    /// Board categories of the cv.lv export this figure is derived from (`adscreen market-pay`).
    #[serde(default)]
    pub derived_from: Vec<String>,
    /// Which quantile of their monthly pay it is (0.5, the median, when not given).
    #[serde(default)]
    pub quantile: Option<f64>,
    /// Skilled work: abroad it is scaled by typical pay rather than by minimum wages.
    #[serde(default)]
    pub skilled: bool,
}

/// A pay reference that cannot be loaded.
#[derive(Debug, thiserror::Error)]
pub enum MarketError {
    /// The TOML does not parse or has the wrong shape.
    #[error("{0}")]
    Toml(#[from] toml::de::Error),
    /// A keyword does not compile.
    #[error("{0}")]
    Phrase(#[from] PhraseError),
    /// The default category is not among the categories, or a number is not positive.
    #[error("{0}")]
    Invalid(String),
}

/// The loaded, checked pay reference.
#[derive(Debug, Clone)]
pub struct MarketPay {
    file: MarketPayFile,
    default: usize,
    keywords: PhraseSet<usize>,
}

impl MarketPay {
    /// Parses and checks `market_pay.toml`.
    pub fn parse(text: &str) -> Result<MarketPay, MarketError> {
        let file: MarketPayFile = toml::from_str(text)?;
        let default = file
            .categories
            .iter()
            .position(|c| c.id == file.default_category)
            .ok_or_else(|| {
                MarketError::Invalid(format!(
                    "default_category {:?} is not a category",
                    file.default_category
                ))
            })?;
        let positive = [
            file.hours_per_month,
            file.days_per_month,
            file.weeks_per_month,
        ]
        .into_iter()
        .chain(file.currencies.values().copied())
        .chain(file.minimum_wage.values().copied())
        .chain(file.typical_pay.values().copied())
        .chain(file.categories.iter().map(|c| c.monthly_eur))
        .all(|v| v.is_finite() && v > 0.0);
        let quantiles_ok = file
            .categories
            .iter()
            .filter_map(|c| c.quantile)
            .all(|q| (0.0..=1.0).contains(&q));
        if !quantiles_ok {
            return Err(MarketError::Invalid(
                "a quantile must be between 0 and 1".into(),
            ));
        }
        if !positive {
            return Err(MarketError::Invalid(
                "rates, working time and pay must be positive numbers".into(),
            ));
        }
        let reference = &file.reference_country;
        if !file.minimum_wage.contains_key(reference)
            || !(file.typical_pay.is_empty() || file.typical_pay.contains_key(reference))
        {
            return Err(MarketError::Invalid(format!(
                "reference_country {reference:?} needs a figure in [minimum_wage] and, when it \
                 is given, in [typical_pay]"
            )));
        }
        let keywords = PhraseSet::new(
            file.categories
                .iter()
                .enumerate()
                .flat_map(|(i, c)| c.keywords.iter().map(move |k| (k.as_str(), i))),
        )?;
        Ok(MarketPay {
            file,
            default,
            keywords,
        })
    }

    /// The reference built into the binary.
    pub fn bundled() -> MarketPay {
        MarketPay::parse(BUNDLED).expect("the bundled market_pay.toml is valid (checked by tests)")
    }

    /// How much pay for `category` of work in `country` (ISO code) is above pay in the
    /// reference country: the ratio of their typical pay for skilled work, of their minimum
    /// wages for other work, each falling back on the other table for a country it lacks (a
    /// country without a statutory minimum); 1 for a country in neither (an unnamed "abroad").
    pub fn country_factor(&self, country: &str, category: &Category) -> f64 {
        let (first, second) = if category.skilled {
            (&self.file.typical_pay, &self.file.minimum_wage)
        } else {
            (&self.file.minimum_wage, &self.file.typical_pay)
        };
        let ratio = |table: &BTreeMap<String, f64>| {
            Some(table.get(country)? / table.get(&self.file.reference_country)?)
        };
        ratio(first).or_else(|| ratio(second)).unwrap_or(1.0)
    }

    /// The country a currency is paid in, when only one uses it (`gbp` is the United Kingdom).
    pub fn country_of_currency(currency: &str) -> Option<&'static str> {
        Some(match currency {
            "gbp" => "GB",
            "usd" => "US",
            "aud" => "AU",
            "nok" => "NO",
            "sek" => "SE",
            "dkk" => "DK",
            "pln" => "PL",
            "chf" => "CH",
            "czk" => "CZ",
            _ => return None,
        })
    }

    /// Converts an amount to EUR per month; `None` for a currency without a rate.
    pub fn to_monthly_eur(&self, amount: f64, currency: &str, period: Period) -> Option<f64> {
        let rate = self.file.currencies.get(currency)?;
        let per_month = match period {
            Period::Hour => self.file.hours_per_month,
            Period::Day => self.file.days_per_month,
            Period::Week => self.file.weeks_per_month,
            Period::Month => 1.0,
            Period::Year => 1.0 / 12.0,
        };
        Some((amount * rate * per_month).round())
    }

    /// The category of work a normalised text describes: the best-paid category whose keywords
    /// occur, or the default (unskilled) category.
    pub fn category_for(&self, words: &[&str]) -> &Category {
        self.best_category(
            words
                .iter()
                .flat_map(|w| self.keywords.find_iter(w))
                .map(|h| *h.value),
        )
    }

    /// Every category keyword (as written) with the index of its category in
    /// [`MarketPay::categories`]: for matchers that find them in a pass of their own.
    pub fn keywords(&self) -> impl Iterator<Item = (&str, usize)> {
        self.file
            .categories
            .iter()
            .enumerate()
            .flat_map(|(i, c)| c.keywords.iter().map(move |k| (k.as_str(), i)))
    }

    /// The category [`MarketPay::category_for`] chooses when the keywords found in a text are
    /// those of `found` (indices into [`MarketPay::categories`]).
    pub fn best_category(&self, found: impl IntoIterator<Item = usize>) -> &Category {
        found
            .into_iter()
            .map(|i| &self.file.categories[i])
            .max_by(|a, b| a.monthly_eur.total_cmp(&b.monthly_eur))
            .unwrap_or(&self.file.categories[self.default])
    }

    /// Working hours per month, for hourly pay.
    pub fn hours_per_month(&self) -> f64 {
        self.file.hours_per_month
    }

    /// All categories.
    pub fn categories(&self) -> &[Category] {
        &self.file.categories
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_reference_loads_and_converts() {
        let m = MarketPay::bundled();
        assert_eq!(m.to_monthly_eur(1000.0, "eur", Period::Month), Some(1000.0));
        let weekly = m
            .to_monthly_eur(500.0, "gbp", Period::Week)
            .expect("gbp has a rate");
        assert!(weekly > 2000.0);
        assert_eq!(m.to_monthly_eur(10.0, "xyz", Period::Hour), None);
    }

    #[test]
    fn skilled_words_choose_a_better_paid_category() {
        let m = MarketPay::bundled();
        let unskilled = m.category_for(&["darbs noliktava"]).monthly_eur;
        let it = m.category_for(&["programmetajs java"]).monthly_eur;
        assert!(it > unskilled);
    }

    #[test]
    fn pay_is_compared_with_the_country_of_the_work() {
        let m = MarketPay::bundled();
        let unskilled = m.category_for(&["darbs noliktava"]);
        let it = m.category_for(&["programmetajs java"]);
        assert!(!unskilled.skilled && it.skilled);
        assert_eq!(m.country_factor("LV", unskilled), 1.0);
        assert_eq!(m.country_factor("LV", it), 1.0);
        assert!(
            m.country_factor("IE", unskilled) > 2.5,
            "the Irish minimum wage is about three times the Latvian"
        );
        let ie_skilled = m.country_factor("IE", it);
        assert!(
            ie_skilled > 2.0 && ie_skilled < m.country_factor("IE", unskilled),
            "typical Irish pay is a smaller multiple of Latvian pay: {ie_skilled}"
        );
        assert!(m.country_factor("BG", unskilled) < 1.0);
        // Norway has no statutory minimum: unskilled work is scaled by typical pay there.
        assert_eq!(
            m.country_factor("NO", unskilled),
            m.country_factor("NO", it)
        );
        assert!(m.country_factor("NO", unskilled) > 2.0);
        for category in [unskilled, it] {
            assert_eq!(
                m.country_factor("ABROAD", category),
                1.0,
                "an unnamed abroad is compared with Latvia"
            );
        }
        assert_eq!(MarketPay::country_of_currency("gbp"), Some("GB"));
        assert_eq!(MarketPay::country_of_currency("eur"), None);
        let missing = "hours_per_month = 168.0\ndays_per_month = 21.0\nweeks_per_month = 4.33\ndefault_category = \"a\"\nreference_country = \"XX\"\n[currencies]\neur = 1.0\n[minimum_wage]\nLV = 740.0\n[[category]]\nid = \"a\"\nmonthly_eur = 1.0\n";
        assert!(matches!(
            MarketPay::parse(missing),
            Err(MarketError::Invalid(_))
        ));
    }

    #[test]
    fn rejects_a_quantile_outside_zero_to_one() {
        let bad = "hours_per_month = 168.0\ndays_per_month = 21.0\nweeks_per_month = 4.33\ndefault_category = \"a\"\nreference_country = \"LV\"\n[currencies]\neur = 1.0\n[countries]\nLV = 740.0\n[[category]]\nid = \"a\"\nmonthly_eur = 1.0\nquantile = 1.5\n";
        assert!(matches!(
            MarketPay::parse(bad),
            Err(MarketError::Invalid(_))
        ));
    }

    #[test]
    fn rejects_unknown_default_category() {
        let bad = "hours_per_month = 168.0\ndays_per_month = 21.0\nweeks_per_month = 4.33\ndefault_category = \"x\"\nreference_country = \"LV\"\n[currencies]\neur = 1.0\n[countries]\nLV = 740.0\n[[category]]\nid = \"a\"\nmonthly_eur = 1.0\n";
        assert!(matches!(
            MarketPay::parse(bad),
            Err(MarketError::Invalid(_))
        ));
    }
}
