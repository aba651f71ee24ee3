//! Features for the classifier, each something a person can check in the screening report:
//! which risk and mitigating signs were found, how many strong, medium and weak signs and how
//! many ILO/EC dimensions the advert combines, and facts the extractors found (contacts,
//! employer identity, pay, work abroad, demands, the kind of advert). There are no word or
//! character n-grams: those learn the style of whoever wrote the training adverts rather than
//! risk (see `../shared/data/real-adverts/README.md`, "the trap").

use crate::advert::{Kind, Lang};
use crate::extract::Gender;
use crate::report::Report;
use crate::rules::Indicator;
use crate::score::{Combination, Strength};

/// A fact the extractors found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fact {
    /// A phone number.
    Phone,
    /// A phone number of another country than Latvia.
    ForeignPhone,
    /// A messenger contact (WhatsApp, Telegram, Viber, ...).
    Messenger,
    /// A free webmail address.
    FreeWebmail,
    /// A company e-mail address or website.
    CompanyContact,
    /// A named employer with its legal form.
    Employer,
    /// A company introduced by name, without a legal form.
    CompanyName,
    /// A company registration number.
    RegistrationNumber,
    /// A recruitment licence number.
    LicenceNumber,
    /// A destination abroad.
    Abroad,
    /// Stated pay.
    Pay,
    /// An age demand.
    AgeDemand,
    /// Only women wanted.
    FemaleDemand,
    /// Demands on appearance.
    Appearance,
    /// A partner or marriage advert.
    PartnerAdvert,
}

const FACTS: [(Fact, &str); 15] = [
    (Fact::Phone, "phone"),
    (Fact::ForeignPhone, "foreign_phone"),
    (Fact::Messenger, "messenger"),
    (Fact::FreeWebmail, "free_webmail"),
    (Fact::CompanyContact, "company_contact"),
    (Fact::Employer, "employer"),
    (Fact::CompanyName, "company_name"),
    (Fact::RegistrationNumber, "registration_number"),
    (Fact::LicenceNumber, "licence_number"),
    (Fact::Abroad, "abroad"),
    (Fact::Pay, "pay"),
    (Fact::AgeDemand, "age_demand"),
    (Fact::FemaleDemand, "female_demand"),
    (Fact::Appearance, "appearance"),
    (Fact::PartnerAdvert, "partner_advert"),
];

/// One input of the classifier, named in the model file as `sign:<indicator>`,
/// `mitigation:<indicator>`, `signs:<strength>`, `dimensions` or `fact:<fact>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Feature {
    /// A risk indicator: 1 when words in the advert show it, 0.5 when it is an absence (no
    /// employer named), else 0.
    Sign(String),
    /// A mitigating indicator: 1 when found, else 0.
    Mitigation(String),
    /// How many distinct signs of a strength the text shows (at most 3).
    Signs(Strength),
    /// How many ILO/EC dimensions the signs belong to (at most 3).
    Dimensions,
    /// A fact: 1 or 0.
    Fact(Fact),
}

/// Which way a feature may move the model's probability, by what it means: a risk sign can only
/// raise it, a mitigating sign only lower it. Training keeps each weight on its side, so a
/// reason never says that a risk sign lowered the score.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Never lowers the probability.
    Raises,
    /// Never raises the probability.
    Lowers,
}

/// Counts are capped here: a fourth sign of a kind adds nothing a person would weigh.
const MAX_COUNT: usize = 3;

impl Feature {
    /// The way the feature may move the probability; `None` for facts that can go either way
    /// (a phone number, stated pay, a partner advert).
    pub fn direction(&self) -> Option<Direction> {
        match self {
            Feature::Sign(_) | Feature::Signs(_) | Feature::Dimensions => Some(Direction::Raises),
            Feature::Mitigation(_) => Some(Direction::Lowers),
            Feature::Fact(f) => match f {
                Fact::ForeignPhone
                | Fact::Messenger
                | Fact::FreeWebmail
                | Fact::Abroad
                | Fact::AgeDemand
                | Fact::FemaleDemand
                | Fact::Appearance => Some(Direction::Raises),
                Fact::CompanyContact
                | Fact::Employer
                | Fact::CompanyName
                | Fact::RegistrationNumber
                | Fact::LicenceNumber => Some(Direction::Lowers),
                Fact::Phone | Fact::Pay | Fact::PartnerAdvert => None,
            },
        }
    }

    /// The feature's name in a model file.
    pub fn name(&self) -> String {
        match self {
            Feature::Sign(id) => format!("sign:{id}"),
            Feature::Mitigation(id) => format!("mitigation:{id}"),
            Feature::Signs(s) => format!("signs:{}", strength_name(*s)),
            Feature::Dimensions => "dimensions".into(),
            Feature::Fact(f) => {
                let name = FACTS.iter().find(|x| x.0 == *f).map_or("", |x| x.1);
                format!("fact:{name}")
            }
        }
    }

    /// The feature of a name written by [`Feature::name`].
    pub fn parse(name: &str) -> Option<Feature> {
        let (kind, rest) = name.split_once(':').unwrap_or((name, ""));
        match kind {
            "sign" if !rest.is_empty() => Some(Feature::Sign(rest.into())),
            "mitigation" if !rest.is_empty() => Some(Feature::Mitigation(rest.into())),
            "signs" => [Strength::Strong, Strength::Medium, Strength::Weak]
                .into_iter()
                .find(|s| strength_name(*s) == rest)
                .map(Feature::Signs),
            "dimensions" if rest.is_empty() => Some(Feature::Dimensions),
            "fact" => FACTS
                .iter()
                .find(|x| x.1 == rest)
                .map(|x| Feature::Fact(x.0)),
            _ => None,
        }
    }

    /// The feature's value for a screened advert and its combination of signs.
    pub fn value(&self, report: &Report, combination: &Combination) -> f64 {
        let count = |n: usize| n.min(MAX_COUNT) as f64;
        match self {
            Feature::Sign(id) => report
                .reasons
                .iter()
                .filter(|r| r.weight > 0 && &r.indicator == id)
                .map(|r| if r.field.is_some() { 1.0 } else { 0.5 })
                .fold(0.0, f64::max),
            Feature::Mitigation(id) => {
                let found = report
                    .reasons
                    .iter()
                    .any(|r| r.weight < 0 && &r.indicator == id);
                if found { 1.0 } else { 0.0 }
            }
            Feature::Signs(s) => {
                let list = match s {
                    Strength::Strong => &combination.strong,
                    Strength::Medium => &combination.medium,
                    Strength::Weak => &combination.weak,
                };
                count(
                    list.iter()
                        .filter(|i| combination.in_text.contains(i))
                        .count(),
                )
            }
            Feature::Dimensions => count(combination.dimensions.len()),
            Feature::Fact(f) => {
                if fact(report, *f) {
                    1.0
                } else {
                    0.0
                }
            }
        }
    }

    /// What the feature is, for a person, in a language: an indicator's name, or a fact or a
    /// count in words (a count shows its value).
    pub fn describe(&self, value: f64, indicators: &[Indicator], lang: Lang) -> String {
        let named = |id: &str| {
            indicators
                .iter()
                .find(|i| i.id == id)
                .map_or_else(|| id.to_string(), |i| i.name.get(lang).to_string())
        };
        let n = value.round() as u32;
        let (lv, en, ru): (String, String, String) = match self {
            Feature::Sign(id) | Feature::Mitigation(id) => {
                let name = named(id);
                (name.clone(), name.clone(), name)
            }
            Feature::Signs(Strength::Strong) => (
                format!("spēcīgu pazīmju skaits ({n})"),
                format!("number of strong signs ({n})"),
                format!("число сильных признаков ({n})"),
            ),
            Feature::Signs(Strength::Medium) => (
                format!("vidēji spēcīgu pazīmju skaits ({n})"),
                format!("number of medium signs ({n})"),
                format!("число признаков средней силы ({n})"),
            ),
            Feature::Signs(Strength::Weak) => (
                format!("vāju pazīmju skaits ({n})"),
                format!("number of weak signs ({n})"),
                format!("число слабых признаков ({n})"),
            ),
            Feature::Dimensions => (
                format!("dažādu riska veidu skaits ({n})"),
                format!("number of different kinds of risk ({n})"),
                format!("число разных видов риска ({n})"),
            ),
            Feature::Fact(f) => {
                let (lv, en, ru) = fact_words(*f);
                (lv.into(), en.into(), ru.into())
            }
        };
        match lang {
            Lang::Lv => lv,
            Lang::Ru => ru,
            Lang::En => en,
        }
    }
}

fn strength_name(s: Strength) -> &'static str {
    match s {
        Strength::Strong => "strong",
        Strength::Medium => "medium",
        Strength::Weak => "weak",
    }
}

fn fact(report: &Report, f: Fact) -> bool {
    let e = &report.entities;
    match f {
        Fact::Phone => !e.phones.is_empty(),
        Fact::ForeignPhone => e
            .phones
            .iter()
            .any(|p| !p.value.national && p.value.country.as_deref() != Some("LV")),
        Fact::Messenger => !e.messengers.is_empty(),
        Fact::FreeWebmail => e.emails.iter().any(|m| m.value.free_webmail),
        Fact::CompanyContact => e.company_contact().is_some(),
        Fact::Employer => !e.employers.is_empty(),
        Fact::CompanyName => !e.companies.is_empty(),
        Fact::RegistrationNumber => !e.registration_numbers.is_empty(),
        Fact::LicenceNumber => !e.licence_numbers.is_empty(),
        Fact::Abroad => e.abroad(),
        Fact::Pay => !e.pay.is_empty(),
        Fact::AgeDemand => !e.ages.is_empty(),
        Fact::FemaleDemand => e
            .single_gender()
            .is_some_and(|g| g.value.gender == Gender::Female),
        Fact::Appearance => !e.appearance.is_empty(),
        Fact::PartnerAdvert => report.kind == Kind::Marriage,
    }
}

/// A fact in words (lv, en, ru).
fn fact_words(f: Fact) -> (&'static str, &'static str, &'static str) {
    match f {
        Fact::Phone => ("tālruņa numurs", "a phone number", "номер телефона"),
        Fact::ForeignPhone => (
            "ārzemju tālruņa numurs",
            "a foreign phone number",
            "иностранный номер телефона",
        ),
        Fact::Messenger => (
            "saziņa ziņapmaiņas lietotnē",
            "contact through a messenger app",
            "связь через мессенджер",
        ),
        Fact::FreeWebmail => (
            "bezmaksas e-pasta adrese",
            "a free e-mail address",
            "бесплатный адрес электронной почты",
        ),
        Fact::CompanyContact => (
            "uzņēmuma e-pasts vai mājaslapa",
            "a company e-mail address or website",
            "почта или сайт компании",
        ),
        Fact::Employer => (
            "nosaukts darba devējs",
            "a named employer",
            "названный работодатель",
        ),
        Fact::CompanyName => (
            "uzņēmums nosaukts vārdā",
            "a company named in the advert",
            "компания названа по имени",
        ),
        Fact::RegistrationNumber => (
            "uzņēmuma reģistrācijas numurs",
            "a company registration number",
            "регистрационный номер компании",
        ),
        Fact::LicenceNumber => (
            "darbiekārtošanas licences numurs",
            "a recruitment licence number",
            "номер лицензии кадрового агентства",
        ),
        Fact::Abroad => ("darbs ārzemēs", "work abroad", "работа за границей"),
        Fact::Pay => ("norādīta alga", "pay stated", "указана зарплата"),
        Fact::AgeDemand => (
            "prasība pēc vecuma",
            "a demand on age",
            "требование к возрасту",
        ),
        Fact::FemaleDemand => (
            "meklē tikai sievietes",
            "only women wanted",
            "нужны только женщины",
        ),
        Fact::Appearance => (
            "prasības pēc izskata",
            "demands on appearance",
            "требования к внешности",
        ),
        Fact::PartnerAdvert => (
            "iepazīšanās vai laulības sludinājums",
            "a partner or marriage advert",
            "объявление о знакомстве или браке",
        ),
    }
}

/// The features a model trained with these indicators uses, in a fixed order: a sign per risk
/// indicator found in text (not the signs found by linking stored adverts), a mitigation per
/// mitigating indicator, the counts, then the facts.
pub fn feature_set(indicators: &[Indicator]) -> Vec<Feature> {
    let mut v: Vec<Feature> = indicators
        .iter()
        .filter(|i| !i.mitigating && !i.linked)
        .map(|i| Feature::Sign(i.id.clone()))
        .collect();
    v.extend(
        indicators
            .iter()
            .filter(|i| i.mitigating)
            .map(|i| Feature::Mitigation(i.id.clone())),
    );
    v.extend([Strength::Strong, Strength::Medium, Strength::Weak].map(Feature::Signs));
    v.push(Feature::Dimensions);
    v.extend(FACTS.iter().map(|x| Feature::Fact(x.0)));
    v
}

/// The values of `features` for a screened advert.
pub fn values(features: &[Feature], report: &Report, combination: &Combination) -> Vec<f64> {
    features
        .iter()
        .map(|f| f.value(report, combination))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::RuleSet;

    #[test]
    fn every_feature_name_parses_back() {
        let rules = RuleSet::bundled().expect("rules");
        let set = feature_set(rules.indicators());
        assert!(set.len() > 30, "{}", set.len());
        for f in &set {
            assert_eq!(Feature::parse(&f.name()).as_ref(), Some(f), "{}", f.name());
        }
        for bad in [
            "",
            "sign:",
            "signs:huge",
            "fact:unknown",
            "dimensions:2",
            "w:darbs",
        ] {
            assert_eq!(Feature::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn every_feature_is_described_in_three_languages() {
        let rules = RuleSet::bundled().expect("rules");
        for f in feature_set(rules.indicators()) {
            let texts: Vec<String> = [Lang::Lv, Lang::En, Lang::Ru]
                .into_iter()
                .map(|l| f.describe(2.0, rules.indicators(), l))
                .collect();
            assert!(texts.iter().all(|t| !t.is_empty()), "{texts:?}");
            assert_ne!(texts[0], texts[1], "{}", f.name());
            assert!(!texts.iter().any(|t| t.contains(':')), "{texts:?}");
        }
    }
}
