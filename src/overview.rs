//! The overview report of a data directory: adverts screened and flagged per week, by level, by
//! sign, by source and by destination country, the review decisions, and the largest contact
//! clusters, as one self-contained HTML page with its charts drawn as inline SVG (no script, no
//! file or address outside the page), printable on A4, in Latvian, English or Russian.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use crate::advert::Lang;
use crate::rules::Indicator;
use crate::score::Level;
use crate::store::review::{Review, Status};
use crate::store::{StoredAdvert, contacts_of, parse_date};

/// What the report counts.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Overview {
    /// First and last day covered (`YYYY-MM-DD`), as asked or as found.
    pub from: String,
    /// Last day covered.
    pub to: String,
    /// Adverts in the period.
    pub screened: u64,
    /// Of them, flagged.
    pub flagged: u64,
    /// Per ISO week (`2026-W49`): screened and flagged.
    pub weeks: BTreeMap<String, (u64, u64)>,
    /// Adverts per level.
    pub levels: BTreeMap<Level, u64>,
    /// Flagged adverts per sign (indicator id).
    pub signs: BTreeMap<String, u64>,
    /// Adverts and flagged adverts per source.
    pub sources: BTreeMap<String, (u64, u64)>,
    /// Flagged adverts per destination country (ISO code, `ABROAD` for an unnamed one).
    pub destinations: BTreeMap<String, u64>,
    /// Adverts per current review status.
    pub reviews: BTreeMap<Status, u64>,
    /// The largest contact clusters: the contact and the number of adverts with it.
    pub clusters: Vec<(String, u64)>,
}

/// How many contact clusters the report lists.
const CLUSTERS: usize = 10;

impl Overview {
    /// Counts the adverts whose date (posting date, else storing date) falls between `from` and
    /// `to` (inclusive, `YYYY-MM-DD`; open when `None`); `review` gives an advert's current
    /// review.
    pub fn of(
        adverts: &[StoredAdvert],
        review: &dyn Fn(&str) -> Review,
        from: Option<&str>,
        to: Option<&str>,
    ) -> Overview {
        let day = |s: &StoredAdvert| -> Option<time::Date> {
            let date = s
                .advert
                .posted_at
                .as_deref()
                .and_then(|d| parse_date(d).ok())
                .or_else(|| parse_date(&s.stored_at).ok())?;
            time::OffsetDateTime::from_unix_timestamp(date.into_timestamp_secs())
                .ok()
                .map(|t| t.date())
        };
        let bound = |d: Option<&str>| {
            d.and_then(|d| parse_date(d).ok())
                .and_then(|d| {
                    time::OffsetDateTime::from_unix_timestamp(d.into_timestamp_secs()).ok()
                })
                .map(|t| t.date())
        };
        let (lo, hi) = (bound(from), bound(to));
        let mut o = Overview::default();
        let mut first: Option<time::Date> = None;
        let mut last: Option<time::Date> = None;
        let mut clusters: HashMap<String, u64> = HashMap::new();
        for s in adverts {
            let Some(d) = day(s) else { continue };
            if lo.is_some_and(|lo| d < lo) || hi.is_some_and(|hi| d > hi) {
                continue;
            }
            first = Some(first.map_or(d, |f| f.min(d)));
            last = Some(last.map_or(d, |l| l.max(d)));
            let flagged = s.report.flagged;
            o.screened += 1;
            o.flagged += u64::from(flagged);
            let (year, week, _) = d.to_iso_week_date();
            let w = o.weeks.entry(format!("{year}-W{week:02}")).or_default();
            w.0 += 1;
            w.1 += u64::from(flagged);
            *o.levels.entry(s.report.level).or_default() += 1;
            let source = s.advert.source.clone().unwrap_or_default();
            let src = o.sources.entry(source).or_default();
            src.0 += 1;
            src.1 += u64::from(flagged);
            *o.reviews.entry(review(&s.advert.id).status).or_default() += 1;
            for c in contacts_of(&s.report.entities) {
                *clusters.entry(c.key).or_default() += 1;
            }
            if !flagged {
                continue;
            }
            let mut seen: Vec<&str> = Vec::new();
            for r in s.report.reasons.iter().filter(|r| r.weight > 0) {
                if r.indicator != "classifier" && !seen.contains(&r.indicator.as_str()) {
                    seen.push(&r.indicator);
                    *o.signs.entry(r.indicator.clone()).or_default() += 1;
                }
            }
            let mut countries: Vec<&str> = Vec::new();
            for dest in &s.report.entities.destinations {
                let c = dest.value.country.as_str();
                if c != "LV" && !countries.contains(&c) {
                    countries.push(c);
                    *o.destinations.entry(c.to_string()).or_default() += 1;
                }
            }
        }
        let mut clusters: Vec<(String, u64)> =
            clusters.into_iter().filter(|(_, n)| *n >= 2).collect();
        clusters.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        clusters.truncate(CLUSTERS);
        o.clusters = clusters;
        let ymd = |d: Option<time::Date>| d.map(|d| d.to_string()).unwrap_or_default();
        o.from = from.map_or_else(|| ymd(first), str::to_string);
        o.to = to.map_or_else(|| ymd(last), str::to_string);
        o
    }

    /// The report as an HTML page in `lang`; `indicators` name the signs.
    pub fn html(&self, lang: Lang, indicators: &[Indicator]) -> String {
        let w = Words::of(lang);
        let name_of = |id: &str| {
            indicators
                .iter()
                .find(|i| i.id == id)
                .map_or_else(|| id.to_string(), |i| i.name.get(lang).to_string())
        };
        let mut page = String::new();
        let _ = write!(
            page,
            "<!doctype html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\"><title>{}</title>\
             <style>{STYLE}</style></head><body>\n<h1>{}</h1>\n<p class=\"period\">{} {} – {}</p>\n",
            lang.as_str(),
            escape(w.title),
            escape(w.title),
            escape(w.period),
            escape(&self.from),
            escape(&self.to),
        );
        let share = if self.screened > 0 {
            self.flagged as f64 * 100.0 / self.screened as f64
        } else {
            0.0
        };
        let _ = writeln!(
            page,
            "<p class=\"totals\"><span data-total=\"screened\">{}: <strong>{}</strong></span> \
             <span data-total=\"flagged\">{}: <strong>{}</strong> ({share:.1}%)</span></p>",
            escape(w.screened),
            self.screened,
            escape(w.flagged),
            self.flagged,
        );
        let weeks: Vec<(String, Vec<u64>)> = self
            .weeks
            .iter()
            .map(|(k, v)| (k.clone(), vec![v.0, v.1]))
            .collect();
        section(
            &mut page,
            w.per_week,
            "weeks",
            &weeks,
            &[w.screened, w.flagged],
        );
        let levels: Vec<(String, Vec<u64>)> = [Level::High, Level::Medium, Level::Low]
            .into_iter()
            .map(|l| {
                (
                    w.level(l).to_string(),
                    vec![self.levels.get(&l).copied().unwrap_or(0)],
                )
            })
            .collect();
        section(&mut page, w.by_level, "levels", &levels, &[w.adverts]);
        let mut signs: Vec<(String, Vec<u64>)> = self
            .signs
            .iter()
            .map(|(id, n)| (name_of(id), vec![*n]))
            .collect();
        signs.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        section(&mut page, w.by_sign, "signs", &signs, &[w.flagged]);
        let mut sources: Vec<(String, Vec<u64>)> = self
            .sources
            .iter()
            .map(|(s, n)| {
                let name = if s.is_empty() {
                    w.no_source.to_string()
                } else {
                    s.clone()
                };
                (name, vec![n.0, n.1])
            })
            .collect();
        sources.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        section(
            &mut page,
            w.by_source,
            "sources",
            &sources,
            &[w.screened, w.flagged],
        );
        let mut destinations: Vec<(String, Vec<u64>)> = self
            .destinations
            .iter()
            .map(|(c, n)| {
                let name = if c == "ABROAD" {
                    w.abroad.to_string()
                } else {
                    c.clone()
                };
                (name, vec![*n])
            })
            .collect();
        destinations.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        section(
            &mut page,
            w.by_destination,
            "destinations",
            &destinations,
            &[w.flagged],
        );
        let reviews: Vec<(String, Vec<u64>)> = Status::ALL
            .into_iter()
            .map(|s| {
                (
                    w.status(s).to_string(),
                    vec![self.reviews.get(&s).copied().unwrap_or(0)],
                )
            })
            .collect();
        section(&mut page, w.by_review, "reviews", &reviews, &[w.adverts]);
        let clusters: Vec<(String, Vec<u64>)> = self
            .clusters
            .iter()
            .map(|(c, n)| {
                (
                    c.split_once(':').map_or(c.as_str(), |x| x.1).to_string(),
                    vec![*n],
                )
            })
            .collect();
        section(&mut page, w.clusters, "clusters", &clusters, &[w.adverts]);
        page.push_str("</body></html>\n");
        page
    }
}

/// One titled section: a horizontal bar chart (one bar per series) and the same numbers as a
/// table, so that nothing depends on reading a chart.
fn section(page: &mut String, title: &str, id: &str, rows: &[(String, Vec<u64>)], series: &[&str]) {
    let _ = writeln!(page, "<section id=\"{id}\"><h2>{}</h2>", escape(title));
    if rows.is_empty() || rows.iter().all(|r| r.1.iter().all(|n| *n == 0)) {
        page.push_str("<p class=\"none\">–</p></section>\n");
        return;
    }
    let max = rows
        .iter()
        .flat_map(|r| r.1.iter())
        .copied()
        .max()
        .unwrap_or(1)
        .max(1);
    let bar_h = 10.0;
    let row_h = bar_h * series.len() as f64 + 8.0;
    let label_w = 200.0;
    let width = 640.0;
    let height = row_h * rows.len() as f64 + 4.0;
    let _ = write!(
        page,
        "<svg role=\"img\" aria-label=\"{}\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\">",
        escape(title)
    );
    for (i, (label, values)) in rows.iter().enumerate() {
        let y = i as f64 * row_h + 2.0;
        let _ = write!(
            page,
            "<text x=\"{:.0}\" y=\"{:.1}\" text-anchor=\"end\" font-size=\"11\">{}</text>",
            label_w - 6.0,
            y + row_h / 2.0,
            escape(&shorten(label, 34))
        );
        for (j, n) in values.iter().enumerate() {
            let w = (width - label_w - 50.0) * *n as f64 / max as f64;
            let by = y + j as f64 * bar_h;
            let _ = write!(
                page,
                "<rect x=\"{label_w}\" y=\"{by:.1}\" width=\"{w:.1}\" height=\"{:.1}\" class=\"s{j}\"/>\
                 <text x=\"{:.1}\" y=\"{:.1}\" font-size=\"10\">{n}</text>",
                bar_h - 1.0,
                label_w + w + 4.0,
                by + bar_h - 2.0,
            );
        }
    }
    page.push_str("</svg>\n<table><thead><tr><th></th>");
    for s in series {
        let _ = write!(page, "<th>{}</th>", escape(s));
    }
    page.push_str("</tr></thead><tbody>");
    for (label, values) in rows {
        let _ = write!(page, "<tr><th scope=\"row\">{}</th>", escape(label));
        for n in values {
            let _ = write!(page, "<td>{n}</td>");
        }
        page.push_str("</tr>");
    }
    page.push_str("</tbody></table></section>\n");
}

fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max - 1).collect();
        t.push('…');
        t
    }
}

/// Text made safe inside HTML.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "@page{size:A4;margin:15mm}body{font-family:system-ui,sans-serif;color:#1a1a1a;max-width:180mm;margin:0 auto}h1{font-size:20px}h2{font-size:15px;margin-top:18px}section{break-inside:avoid}table{border-collapse:collapse;font-size:11px;margin-top:4px}th,td{border-bottom:1px solid #ccc;padding:2px 6px;text-align:left}td{text-align:right}.s0{fill:#0b5cad}.s1{fill:#b00020}.totals span{margin-right:16px}svg{max-width:100%;height:auto}";

/// The report's words in one language.
struct Words {
    title: &'static str,
    period: &'static str,
    screened: &'static str,
    flagged: &'static str,
    adverts: &'static str,
    per_week: &'static str,
    by_level: &'static str,
    by_sign: &'static str,
    by_source: &'static str,
    by_destination: &'static str,
    by_review: &'static str,
    clusters: &'static str,
    no_source: &'static str,
    abroad: &'static str,
    levels: [&'static str; 3],
    statuses: [&'static str; 5],
}

impl Words {
    fn of(lang: Lang) -> Words {
        match lang {
            Lang::Lv => Words {
                title: "adscreen pārskats",
                period: "Periods:",
                screened: "Pārbaudīti sludinājumi",
                flagged: "Atzīmēti kā riskanti",
                adverts: "Sludinājumi",
                per_week: "Pa nedēļām",
                by_level: "Pēc riska līmeņa",
                by_sign: "Riska pazīmes atzīmētajos sludinājumos",
                by_source: "Pēc avota",
                by_destination: "Galamērķa valstis atzīmētajos sludinājumos",
                by_review: "Pārskatīšanas lēmumi",
                clusters: "Lielākās kontaktu grupas (sludinājumi ar vienu kontaktu)",
                no_source: "(nav norādīts)",
                abroad: "ārzemes (valsts nav nosaukta)",
                levels: ["augsts", "vidējs", "zems"],
                statuses: [
                    "jauns",
                    "pārskatīts",
                    "viltus trauksme",
                    "apstiprināts risks",
                    "nodots policijai vai VDI",
                ],
            },
            Lang::Ru => Words {
                title: "Отчёт adscreen",
                period: "Период:",
                screened: "Проверено объявлений",
                flagged: "Отмечено как рискованные",
                adverts: "Объявления",
                per_week: "По неделям",
                by_level: "По уровню риска",
                by_sign: "Признаки риска в отмеченных объявлениях",
                by_source: "По источнику",
                by_destination: "Страны назначения в отмеченных объявлениях",
                by_review: "Решения проверки",
                clusters: "Крупнейшие группы контактов (объявления с одним контактом)",
                no_source: "(не указан)",
                abroad: "за границей (страна не названа)",
                levels: ["высокий", "средний", "низкий"],
                statuses: [
                    "новое",
                    "просмотрено",
                    "ложная тревога",
                    "риск подтверждён",
                    "передано в полицию или инспекцию труда",
                ],
            },
            Lang::En => Words {
                title: "adscreen report",
                period: "Period:",
                screened: "Adverts screened",
                flagged: "Flagged as risky",
                adverts: "Adverts",
                per_week: "Per week",
                by_level: "By risk level",
                by_sign: "Signs of risk in flagged adverts",
                by_source: "By source",
                by_destination: "Destination countries in flagged adverts",
                by_review: "Review decisions",
                clusters: "Largest contact clusters (adverts sharing one contact)",
                no_source: "(not given)",
                abroad: "abroad (no country named)",
                levels: ["high", "medium", "low"],
                statuses: [
                    "new",
                    "reviewed",
                    "false alarm",
                    "confirmed risk",
                    "referred to police or labour inspectorate",
                ],
            },
        }
    }

    fn level(&self, l: Level) -> &'static str {
        match l {
            Level::High => self.levels[0],
            Level::Medium => self.levels[1],
            Level::Low => self.levels[2],
        }
    }

    fn status(&self, s: Status) -> &'static str {
        let i = Status::ALL.iter().position(|x| *x == s).unwrap_or(0);
        self.statuses[i]
    }
}
