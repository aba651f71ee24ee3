//! The serde shape of the human-edited files: `indicators.toml` and one file of `[[rule]]`s per
//! indicator family. Checking and compiling them into a [`super::RuleSet`] is `compile`'s job.

use serde::{Deserialize, Serialize};

use crate::advert::Lang;

/// Texts in the project's languages; lv and en are required.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Texts {
    /// Latvian.
    pub lv: String,
    /// English.
    pub en: String,
    /// Russian.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ru: Option<String>,
}

impl Texts {
    /// The text in a language, falling back to English.
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Lv => &self.lv,
            Lang::En => &self.en,
            Lang::Ru => self.ru.as_deref().unwrap_or(&self.en),
        }
    }
}

/// `indicators.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct IndicatorFile {
    pub help: Help,
    #[serde(rename = "indicator")]
    pub indicators: Vec<Indicator>,
}

/// Where users get help: shown with every result; an organisation may put its own here.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Help {
    /// A help-line number.
    pub phone: String,
    /// The emergency number.
    pub emergency: String,
    /// A short text on where to get help.
    pub text: Texts,
    /// Links to organisations and registers.
    #[serde(default)]
    pub links: Vec<Link>,
}

/// A named link.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Link {
    /// What the link is, in each language.
    pub name: Texts,
    /// The address.
    pub url: String,
}

/// An indicator of recruitment risk (or a mitigating sign), with its references and advice.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Indicator {
    /// Identifier used by rules and output.
    pub id: String,
    /// The rule file (stem) its rules live in.
    pub family: String,
    /// A sign that lowers the risk.
    #[serde(default)]
    pub mitigating: bool,
    /// How strong a risk sign is (ILO/EC 2009); absent on mitigating signs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strength: Option<crate::score::Strength>,
    /// The ILO/EC dimension a risk sign belongs to; absent on mitigating signs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dimension: Option<crate::score::Dimension>,
    /// For a mitigating sign that shows a text quotes scam phrases (an awareness post): in a
    /// text with this sign, risk hits it quotes or frames do not count (see [`crate::context`]).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub quotes: bool,
    /// For a risk sign whose rules find a way to answer the poster (a phone, a messenger,
    /// "write to me"): a text with one is an offer, whatever warnings it types.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub reply: bool,
    /// A sign found by linking stored adverts (the service's shared contacts), not by rules in
    /// the text; it has no rules of its own.
    #[serde(default)]
    pub linked: bool,
    /// Short label.
    pub name: Texts,
    /// ILO forced-labour indicators it belongs to.
    #[serde(default)]
    pub ilo_forced_labour: Vec<String>,
    /// ILO-EC operational indicators of trafficking it belongs to.
    #[serde(default)]
    pub ilo_ec_trafficking: Vec<String>,
    /// What it is and why it matters.
    pub about: Texts,
    /// What to ask before agreeing.
    pub ask: Texts,
    /// What a safe advert would say.
    pub safe_advert: Texts,
    /// What to ask, for a marriage/partner advert, where it differs from a job's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ask_marriage: Option<Texts>,
    /// What a safe marriage/partner advert would say, where it differs from a job's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub safe_advert_marriage: Option<Texts>,
}

fn yes() -> bool {
    true
}

/// One family file of rules.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RuleFile {
    /// Optional family name (informational; indicators carry their family).
    #[serde(default)]
    #[allow(dead_code)]
    pub family: Option<String>,
    #[serde(default, rename = "rule")]
    pub rules: Vec<RawRule>,
}

/// A rule as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawRule {
    pub id: String,
    pub indicator: String,
    pub langs: Vec<Lang>,
    pub weight: i32,
    /// Mitigating rules only: the evidence can be checked in a register (a registration or
    /// licence number) or changes what the text is (an awareness post), so it may lower even an
    /// advert with a strong sign.
    #[serde(default)]
    pub checkable: bool,
    /// Whether a negation before a hit cancels it (the default). `false` for rules whose sign is
    /// itself a "without": "darbs bez intīma", "без ограничения по возрасту".
    #[serde(default = "yes")]
    pub negatable: bool,
    pub explain: Texts,
    /// The explanation for a marriage/partner advert, where the job wording would say what the
    /// advert does not (an employer, a salary, a workplace).
    #[serde(default)]
    pub explain_marriage: Option<Texts>,
    pub phrases: Option<Vec<String>>,
    pub regex: Option<String>,
    pub condition: Option<Condition>,
    #[serde(default)]
    pub unless: Vec<String>,
    #[serde(default)]
    pub when: Vec<When>,
    #[serde(default)]
    pub examples: Examples,
}

/// Texts a rule must and must not fire on.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Examples {
    /// Must fire.
    #[serde(default, rename = "match")]
    pub matches: Vec<String>,
    /// Must not fire.
    #[serde(default)]
    pub no_match: Vec<String>,
}

/// A condition over extracted facts (see `rules/README.md`).
#[derive(Debug, Clone, Copy, PartialEq, Deserialize, Serialize)]
#[serde(tag = "fact", rename_all = "snake_case", deny_unknown_fields)]
pub enum Condition {
    /// Pay at least `ratio` times the market pay for the kind of work.
    PayAboveMarket {
        /// Multiple of the market pay.
        ratio: f64,
    },
    /// Only phone numbers or messengers as contact.
    ContactPhoneOrMessengerOnly,
    /// A phone number outside Latvia.
    ForeignPhone,
    /// An e-mail on a free web-mail domain.
    FreeWebmail,
    /// No company, registration or licence number, no company contact.
    NoEmployerIdentity,
    /// A narrow age range for young people.
    AgeWindow {
        /// Highest upper bound that counts.
        max_upper: u8,
        /// Widest range that counts.
        max_span: u8,
    },
    /// An age demand reaching under `below`.
    MinorAge {
        /// The age of majority to compare with.
        below: u8,
    },
    /// One gender asked for.
    GenderDemand,
    /// Appearance asked for.
    AppearanceDemand,
    /// A registration number given.
    RegistrationNumber,
    /// A licence number given.
    LicenceNumber,
    /// A company with its legal form named.
    NamedEmployer,
    /// A company e-mail domain or website given.
    CompanyContact,
}

/// Facts a rule can require with `when`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum When {
    /// A destination outside Latvia.
    Abroad,
    /// The advert is a job advert.
    Job,
    /// The advert is a marriage or partner advert.
    Marriage,
    /// A female gender demand.
    Female,
    /// No employer identity.
    NoEmployer,
    /// A messenger is mentioned.
    Messenger,
}
