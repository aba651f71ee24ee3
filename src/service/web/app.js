// adscreen web page: check an advert (counsellors) and search stored adverts (inspectors).
// No framework, no build step, no network beyond this server. Data is put in the page with
// textContent only, never as HTML.
"use strict";

const T = {
  lv: {
    tab_check: "Pārbaudīt sludinājumu", tab_search: "Meklēt un pārskatīt", ui_language: "Valoda",
    check_intro: "Ielīmē darba vai iepazīšanās/laulības sludinājumu. adscreen parāda riska pazīmes, ko atrod, izskaidro tās un iesaka, ko pajautāt. Vairāki sludinājumi: starp tiem ieliec rindu ar ---.",
    advert_label: "Sludinājuma teksts", kind_label: "Veids", kind_auto: "noteikt pašam", kind_job: "darbs",
    kind_marriage: "laulība / partneris", kind_other: "cits", check_button: "Pārbaudīt",
    search_query: "Vārdi", level: "Līmenis", level_high: "augsts", level_medium: "vidējs", level_low: "zems",
    min_score: "Mazākais punktu skaits", indicator: "Pazīme", any: "jebkura", language: "Valoda",
    source: "Avots", from: "No", to: "Līdz", collapse: "viens no atkārtotiem sludinājumiem",
    search_button: "Meklēt", export_csv: "Eksportēt CSV", col_score: "Punkti", col_title: "Sludinājums",
    col_date: "Datums", col_indicators: "Pazīmes", prev: "Iepriekšējie", next: "Nākamie",
    key_title: "Vajadzīga API atslēga", key_text: "Šis serveris prasa API atslēgu. Tā tiek glabāta tikai šajā pārlūka cilnē.",
    key_label: "API atslēga", key_save: "Izmantot atslēgu", cancel: "Atcelt",
    score: "Punkti", advert_language: "Sludinājuma valoda", signs: "Riska pazīmes un ko darīt",
    mitigating: "Kas mazina risku", ask: "Ko pajautāt", safe: "Ko teiktu drošs sludinājums",
    help: "Kur saņemt palīdzību", none_found: "Riska pazīmes netika atrastas. Tomēr pārbaudi darba devēju un neko nemaksā iepriekš.",
    linked: "Sludinājumi ar to pašu kontaktu",
    no_text_evidence: "(attiecas uz visu sludinājumu)", close: "Aizvērt", error: "Kļūda", export_ready: "Lejupielādēt CSV",
    rows: "rindas", lang_lv: "latviešu", lang_ru: "krievu", lang_en: "angļu", model: "statistiskais modelis",
    advert_n: "Sludinājums", no_other: "citu sludinājumu ar šo kontaktu nav",
    review: "Pārskatīšana", review_any: "jebkura", queue: "Jāpārskata", note: "Piezīme", history: "Lēmumu vēsture",
    decide: "Lēmums", saved: "Saglabāts", col_review: "Lēmums",
    status_new: "jauns", status_reviewed: "pārskatīts", status_false_alarm: "viltus trauksme",
    status_confirmed: "apstiprināts risks", status_referred: "nodots policijai vai VDI",
    saved_pick: "Saglabātie meklējumi", save_search: "Saglabāt meklējumu", save_name: "Meklējuma nosaukums",
    report: "Pārskats", report_ready: "Atvērt pārskatu",
    fact_id: "ID", fact_url: "Oriģināls", fact_posted: "Publicēts", fact_first_seen: "Pirmoreiz redzēts", fact_last_seen: "Pēdējoreiz redzēts", reposts: "Atkārtoti publicētie sludinājumi",
    risk_high: "Augsts risks", risk_medium: "Vidējs risks", risk_low: "Zems risks",
    verdict_signs: "{n} {signs}, ka šis sludinājums var būt bīstams.", verdict_none: "riska pazīmes nav atrastas.",
    sign_forms: { one: "pazīme", other: "pazīmes" },
    help_line: "Ja šaubies, zvani uz bezmaksas uzticības tālruni {phone}. Ja draud briesmas, zvani {emergency}.",
    found_forms: { one: "Atrasts {n} sludinājums", other: "Atrasti {n} sludinājumi" }, found_none: "Neviens sludinājums nav atrasts",
    err_too_long: "Sludinājums ir pārāk garš (vairāk nekā 4 MB). Ielīmē tikai paša sludinājuma tekstu.",
    err_network: "Neizdevās sazināties ar serveri. Pārbaudi interneta savienojumu un mēģini vēlreiz.",
    err_rate_limited: "Pārāk daudz pieprasījumu. Pagaidi dažas sekundes un mēģini vēlreiz.",
    err_timeout: "Serveris neatbildēja laikā. Mēģini ar mazāk sludinājumiem vienā reizē.",
    err_not_ready: "Serveris vēl tikai sāk darbu. Mēģini pēc dažām sekundēm.",
    err_too_large: "Teksts ir pārāk garš, lai to nosūtītu. Sadali to mazākās daļās.",
    err_bad_request: "Serveris šo pieprasījumu nepieņēma.", err_other: "Radās kļūda serverī. Mēģini vēlreiz vēlāk.",
    err_export_too_many: "Meklējumā ir pārāk daudz sludinājumu eksportam. Sašaurini to (līmenis, datumi, avots).",
    err_details: "Tehniskā informācija",
  },
  en: {
    tab_check: "Check an advert", tab_search: "Search and review", ui_language: "Language",
    check_intro: "Paste a job or marriage/partner advert. adscreen shows the signs of risk it finds, explains them and says what to ask. Several adverts: put a line with --- between them.",
    advert_label: "Advert text", kind_label: "Kind", kind_auto: "guess", kind_job: "job",
    kind_marriage: "marriage / partner", kind_other: "other", check_button: "Check",
    search_query: "Words", level: "Level", level_high: "high", level_medium: "medium", level_low: "low",
    min_score: "Lowest score", indicator: "Sign", any: "any", language: "Language",
    source: "Source", from: "From", to: "To", collapse: "one per group of reposts",
    search_button: "Search", export_csv: "Export CSV", col_score: "Score", col_title: "Advert",
    col_date: "Date", col_indicators: "Signs", prev: "Previous", next: "Next",
    key_title: "API key needed", key_text: "This server asks for an API key. It is kept only in this browser tab.",
    key_label: "API key", key_save: "Use key", cancel: "Cancel",
    score: "Score", advert_language: "Advert language", signs: "Signs of risk and what to do",
    mitigating: "What lowers the risk", ask: "What to ask", safe: "What a safe advert would say",
    help: "Where to get help", none_found: "No signs of risk found. Still check the employer and never pay anything up front.",
    linked: "Adverts with the same contact",
    no_text_evidence: "(about the whole advert)", close: "Close", error: "Error", export_ready: "Download CSV",
    rows: "rows", lang_lv: "Latvian", lang_ru: "Russian", lang_en: "English", model: "statistical model",
    advert_n: "Advert", no_other: "no other advert with this contact",
    review: "Review", review_any: "any", queue: "To review", note: "Note", history: "Decisions so far",
    decide: "Decision", saved: "Saved", col_review: "Decision",
    status_new: "new", status_reviewed: "reviewed", status_false_alarm: "false alarm",
    status_confirmed: "confirmed risk", status_referred: "referred to police or labour inspectorate",
    saved_pick: "Saved searches", save_search: "Save search", save_name: "Name of the search",
    report: "Report", report_ready: "Open the report",
    fact_id: "ID", fact_url: "Original", fact_posted: "Posted", fact_first_seen: "First seen", fact_last_seen: "Last seen", reposts: "Reposts of this advert",
    risk_high: "High risk", risk_medium: "Medium risk", risk_low: "Low risk",
    verdict_signs: "{n} {signs} that this advert may be dangerous.", verdict_none: "no signs of risk found.",
    sign_forms: { one: "sign", other: "signs" },
    help_line: "Not sure? Call the free help-line {phone}. If you are in danger, call {emergency}.",
    found_forms: { one: "{n} advert found", other: "{n} adverts found" }, found_none: "No adverts found",
    err_too_long: "The advert is too long (more than 4 MB). Paste only the text of the advert itself.",
    err_network: "Could not reach the server. Check the connection and try again.",
    err_rate_limited: "Too many requests. Wait a few seconds and try again.",
    err_timeout: "The server did not answer in time. Try fewer adverts at once.",
    err_not_ready: "The server is still starting. Try again in a few seconds.",
    err_too_large: "The text is too long to send. Split it into smaller parts.",
    err_bad_request: "The server did not accept this request.", err_other: "Something went wrong on the server. Try again later.",
    err_export_too_many: "The search finds too many adverts to export. Narrow it (level, dates, source).",
    err_details: "Technical details",
  },
  ru: {
    tab_check: "Проверить объявление", tab_search: "Поиск и просмотр", ui_language: "Язык",
    check_intro: "Вставь объявление о работе или о знакомстве/браке. adscreen покажет найденные признаки риска, объяснит их и подскажет, что спросить. Несколько объявлений: раздели их строкой ---.",
    advert_label: "Текст объявления", kind_label: "Тип", kind_auto: "определить", kind_job: "работа",
    kind_marriage: "брак / партнёр", kind_other: "другое", check_button: "Проверить",
    search_query: "Слова", level: "Уровень", level_high: "высокий", level_medium: "средний", level_low: "низкий",
    min_score: "Минимальный балл", indicator: "Признак", any: "любой", language: "Язык",
    source: "Источник", from: "С", to: "По", collapse: "одно из повторных объявлений",
    search_button: "Искать", export_csv: "Экспорт CSV", col_score: "Балл", col_title: "Объявление",
    col_date: "Дата", col_indicators: "Признаки", prev: "Назад", next: "Дальше",
    key_title: "Нужен API-ключ", key_text: "Этот сервер требует API-ключ. Он хранится только в этой вкладке браузера.",
    key_label: "API-ключ", key_save: "Использовать ключ", cancel: "Отмена",
    score: "Балл", advert_language: "Язык объявления", signs: "Признаки риска и что делать",
    mitigating: "Что снижает риск", ask: "Что спросить", safe: "Что было бы в безопасном объявлении",
    help: "Где получить помощь", none_found: "Признаков риска не найдено. Всё равно проверь работодателя и ничего не плати заранее.",
    linked: "Объявления с тем же контактом",
    no_text_evidence: "(относится ко всему объявлению)", close: "Закрыть", error: "Ошибка", export_ready: "Скачать CSV",
    rows: "строк", lang_lv: "латышский", lang_ru: "русский", lang_en: "английский", model: "статистическая модель",
    advert_n: "Объявление", no_other: "других объявлений с этим контактом нет",
    review: "Проверка", review_any: "любая", queue: "На проверку", note: "Заметка", history: "История решений",
    decide: "Решение", saved: "Сохранено", col_review: "Решение",
    status_new: "новое", status_reviewed: "просмотрено", status_false_alarm: "ложная тревога",
    status_confirmed: "риск подтверждён", status_referred: "передано в полицию или инспекцию труда",
    saved_pick: "Сохранённые поиски", save_search: "Сохранить поиск", save_name: "Название поиска",
    report: "Отчёт", report_ready: "Открыть отчёт",
    fact_id: "ID", fact_url: "Оригинал", fact_posted: "Опубликовано", fact_first_seen: "Впервые замечено", fact_last_seen: "Последний раз замечено", reposts: "Повторные публикации",
    risk_high: "Высокий риск", risk_medium: "Средний риск", risk_low: "Низкий риск",
    verdict_signs: "{n} {signs} того, что это объявление может быть опасным.", verdict_none: "признаков риска не найдено.",
    sign_forms: { one: "признак", few: "признака", many: "признаков", other: "признака" },
    help_line: "Сомневаешься? Позвони на бесплатную линию помощи {phone}. Если тебе грозит опасность, звони {emergency}.",
    found_forms: { one: "Найдено {n} объявление", few: "Найдено {n} объявления", many: "Найдено {n} объявлений", other: "Найдено {n} объявления" },
    found_none: "Объявлений не найдено",
    err_too_long: "Объявление слишком длинное (больше 4 МБ). Вставь только текст самого объявления.",
    err_network: "Не удалось связаться с сервером. Проверь подключение и попробуй ещё раз.",
    err_rate_limited: "Слишком много запросов. Подожди несколько секунд и попробуй снова.",
    err_timeout: "Сервер не ответил вовремя. Попробуй отправить меньше объявлений за раз.",
    err_not_ready: "Сервер ещё запускается. Попробуй через несколько секунд.",
    err_too_large: "Текст слишком длинный для отправки. Раздели его на части.",
    err_bad_request: "Сервер не принял этот запрос.", err_other: "На сервере произошла ошибка. Попробуй позже.",
    err_export_too_many: "Поиск находит слишком много объявлений для экспорта. Сузь его (уровень, даты, источник).",
    err_details: "Техническая информация",
  },
};

// Colours of the signs of one advert, by their number: eight light colours far apart (CIE Lab
// distance at least 15) with black text at a contrast of at least 12:1 (the browser test checks
// both); a ninth sign reuses the first colour, and the number badge still tells them apart. Mitigating
// evidence is not filled: it is underlined with a dashed green line.
const SIGN_COLOURS = ["#ffc9c9", "#ffd8a8", "#fff3a3", "#b2f2bb", "#a5d8ff", "#e5dbff", "#c0eb75", "#99e9f2"];

const state = {
  lang: localStorage.getItem("adscreen-lang") || "lv",
  indicators: [], byId: {}, help: null,
  search: { offset: 0, limit: 20, sort: null, total: 0 },
  lastCheck: [], lastDetail: null, cards: 0,
};

const $ = (sel) => document.querySelector(sel);
const t = (key) => (T[state.lang] && T[state.lang][key]) || T.en[key] || key;

// A text with {name} filled in.
const fill = (text, values) => text.replace(/\{(\w+)\}/g, (m, k) => (k in values ? String(values[k]) : m));

// The form of a word for a number, by the language's plural rule (CLDR, through Intl).
function plural(n, forms) {
  const category = new Intl.PluralRules(state.lang).select(n);
  return forms[category] || forms.other;
}

// An error the page can show: its words in the interface language, the server's own message
// (English, for whoever reads logs) kept as details.
class PageError extends Error {
  constructor(key, details) {
    super(t(key));
    this.key = key;
    this.details = details || "";
  }
}

// The page's words for an API error code.
function errorKey(code) {
  return {
    rate_limited: "err_rate_limited", timeout: "err_timeout", not_ready: "err_not_ready",
    too_large: "err_too_large", bad_request: "err_bad_request",
  }[code] || "err_other";
}

function errorBox(e) {
  const box = el("div", { class: "error", role: "alert" }, el("p", { text: t("error") + ": " + (e.key ? t(e.key) : e.message) }));
  if (e.details) box.append(el("details", {}, el("summary", { text: t("err_details") }), el("p", { text: e.details })));
  return box;
}
const pick = (texts) => (texts ? texts[state.lang] || texts.en || texts.lv || "" : "");

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  }
  for (const c of children) if (c !== null && c !== undefined) node.append(c);
  return node;
}

function applyI18n() {
  document.documentElement.lang = state.lang;
  for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  $("#ui-lang").value = state.lang;
  fillIndicatorSelect();
  if ($("#saved")) renderSaved();
  renderHelp();
  if (state.lastCheck.length) renderChecks(state.lastCheck);
  if (state.lastDetail) renderDetail(state.lastDetail.stored, state.lastDetail.linked);
}

// --- API ------------------------------------------------------------------------------------

let keyPrompt = null;

function askForKey() {
  if (keyPrompt) return keyPrompt;
  const dialog = $("#key-dialog");
  keyPrompt = new Promise((resolve) => {
    let answer = null;
    // Esc closes the dialog too: every way of closing it answers.
    dialog.onclose = () => { keyPrompt = null; resolve(answer); };
    $("#key-form").onsubmit = (e) => { e.preventDefault(); answer = $("#key-input").value.trim() || null; dialog.close(); };
    $("#key-cancel").onclick = () => dialog.close();
    dialog.showModal();
    $("#key-input").focus();
  });
  return keyPrompt;
}

async function api(path, options = {}) {
  for (let attempt = 0; attempt < 3; attempt++) {
    const headers = Object.assign({}, options.headers || {});
    const key = sessionStorage.getItem("adscreen-key");
    if (key) headers["Authorization"] = "Bearer " + key;
    let response;
    try {
      response = await fetch(path, Object.assign({}, options, { headers }));
    } catch (e) {
      throw new PageError("err_network", e.message);
    }
    if (response.status === 401 || response.status === 403) {
      const newKey = await askForKey();
      if (!newKey) break;
      sessionStorage.setItem("adscreen-key", newKey);
      continue;
    }
    if (options.raw && response.ok) return response;
    const body = await response.json().catch(() => null);
    if (!response.ok) {
      const error = body && body.error;
      const details = error ? error.message + ". " + error.hint : response.status + " " + response.statusText;
      const key = error && /export takes at most/.test(error.message) ? "err_export_too_many" : errorKey(error && error.code);
      throw new PageError(key, details);
    }
    return body;
  }
  throw new PageError("key_title");
}

// --- Highlighting ---------------------------------------------------------------------------

// Byte offsets (UTF-8) from the server to indices into a JavaScript (UTF-16) string.
function byteIndexMap(text) {
  const map = new Map();
  let bytes = 0;
  let index = 0;
  for (const ch of text) {
    map.set(bytes, index);
    const cp = ch.codePointAt(0);
    bytes += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    index += ch.length;
  }
  map.set(bytes, index);
  return map;
}

function colourOf(n) {
  return SIGN_COLOURS[(Math.max(n, 1) - 1) % SIGN_COLOURS.length];
}

function indicatorName(id) {
  if (id === "classifier") return t("model");
  const ind = state.byId[id];
  return ind ? pick(ind.name) : id;
}

// The text of one field with every reason's evidence marked in place. A mark carries the
// number of its sign's block (shown as a badge, not by colour alone); a tap, a click or Enter
// on it moves the focus to that block.
function highlighted(text, reasons, numbers, cardId) {
  const map = byteIndexMap(text);
  const spans = reasons
    .map((r) => ({ r, a: map.get(r.start), b: map.get(r.end) }))
    .filter((s) => s.a !== undefined && s.b !== undefined && s.b > s.a);
  const cuts = new Set([0, text.length]);
  for (const s of spans) { cuts.add(s.a); cuts.add(s.b); }
  const points = [...cuts].sort((x, y) => x - y);
  const out = document.createDocumentFragment();
  for (let i = 0; i + 1 < points.length; i++) {
    const [a, b] = [points[i], points[i + 1]];
    const piece = text.slice(a, b);
    const covering = spans.filter((s) => s.a <= a && s.b >= b).map((s) => s.r);
    if (!covering.length) { out.append(piece); continue; }
    const strongest = covering.reduce((x, y) => (Math.abs(y.weight) > Math.abs(x.weight) ? y : x));
    const names = [...new Set(covering.map((r) => indicatorName(r.indicator)))];
    const tip = names.join("; ");
    const n = numbers && numbers.get(strongest.indicator);
    const mark = el("mark", {
      title: tip, tabindex: "0", "data-indicator": strongest.indicator,
      "aria-label": piece + " — " + (n ? n + ". " : "") + tip,
    }, piece);
    if (strongest.weight < 0) mark.className = "mitigating";
    else { mark.style.background = colourOf(n || 1); mark.style.borderColor = "#555"; }
    // The badge goes on the last piece of a highlight only.
    const next = points[i + 2];
    const continues = next !== undefined && spans.some((s) => s.r === strongest && s.b >= next && s.a <= b);
    if (n && !continues) mark.dataset.n = String(n);
    if (n) {
      const go = () => {
        const block = document.getElementById(cardId + "-sign-" + n);
        if (block) { block.focus({ preventScroll: true }); block.scrollIntoView({ block: "nearest", behavior: "smooth" }); }
      };
      mark.addEventListener("click", go);
      mark.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); go(); } });
    }
    out.append(mark);
  }
  return out;
}

// The verdict: the level as a sentence with the word risk and the number of signs, the
// help-line beside it, then the score and the advert's language.
function verdict(report, signs) {
  const sentence = t("risk_" + report.level) + ": " + (signs
    ? fill(t("verdict_signs"), { n: signs, signs: plural(signs, t("sign_forms")) })
    : t("verdict_none"));
  const box = el("div", { class: "verdict verdict-" + report.level },
    el("p", { class: "verdict-line" }, levelBadge(report), " ", el("strong", { class: "verdict-text", text: sentence })));
  if (state.help) {
    const line = el("p", { class: "help-line" });
    const parts = t("help_line").split(/(\{phone\}|\{emergency\})/);
    for (const part of parts) {
      const number = part === "{phone}" ? state.help.phone : part === "{emergency}" ? state.help.emergency : null;
      line.append(number ? el("a", { href: "tel:" + number, class: "tel" }, number) : part);
    }
    box.append(line);
  }
  box.append(el("p", { class: "verdict-meta" },
    el("span", { class: "score", text: t("score") + ": " + report.score + "/100" }), " · ",
    el("span", { text: t("advert_language") + ": " + t("lang_" + report.language) })));
  return box;
}

function levelBadge(report) {
  return el("span", { class: "badge " + report.level, "data-level": report.level }, t("level_" + report.level));
}

// Words quoted as the interface language quotes them.
function quoted(words) {
  const [open, close] = { lv: ["„", "”"], ru: ["«", "»"] }[state.lang] || ["“", "”"];
  return open + words + close;
}

// A report's reasons grouped per indicator, in order of first appearance: one block per sign,
// numbered so that each highlight can name its block.
function signGroups(reasons) {
  const groups = new Map();
  for (const r of reasons) {
    if (!groups.has(r.indicator)) groups.set(r.indicator, { indicator: r.indicator, reasons: [] });
    groups.get(r.indicator).reasons.push(r);
  }
  const list = [...groups.values()];
  list.forEach((g, i) => {
    g.n = i + 1;
    g.strongest = g.reasons.reduce((x, y) => (Math.abs(y.weight) > Math.abs(x.weight) ? y : x));
    const seen = new Set();
    g.quotes = g.reasons.map((r) => r.evidence).filter((e) => e && !seen.has(e.toLowerCase()) && seen.add(e.toLowerCase()));
  });
  return list;
}

// One block per sign: its name, the words that show it, the explanation and what to do, once.
function signBlock(g, cardId, withAdvice, kind) {
  const ind = state.byId[g.indicator];
  const section = el("section", {
    "data-indicator": g.indicator, "data-n": String(g.n), id: cardId + "-sign-" + g.n, tabindex: "-1",
    "data-rules": g.reasons.flatMap((r) => r.rules || [r.rule]).join(" "),
  }, el("h4", {}, el("span", { class: "sign-n", style: "background:" + colourOf(g.n) }, String(g.n)),
    indicatorName(g.indicator)));
  section.append(el("p", { class: "quotes" },
    g.quotes.length ? g.quotes.map(quoted).join(", ") : t("no_text_evidence")));
  section.append(el("p", { class: "explanation", text: pick(g.strongest.explanation) }));
  if (withAdvice && ind) {
    // A marriage/partner advert gets the advice written for it where the indicator has one.
    const marriage = kind === "marriage";
    const ask = (marriage && ind.ask_marriage) || ind.ask;
    const safe = (marriage && ind.safe_advert_marriage) || ind.safe_advert;
    section.append(el("p", {}, el("strong", { text: t("ask") + ": " }), pick(ask)),
      el("p", {}, el("strong", { text: t("safe") + ": " }), pick(safe)));
  }
  return section;
}

// A report as a card: verdict, the advert highlighted with numbered signs, one block per sign
// with its advice, and what lowers the risk.
function reportCard(report, advert, heading) {
  const card = el("article", { class: "card result", "data-id": report.id });
  const cardId = "r" + (++state.cards);
  if (heading) card.append(el("h2", { text: heading }));
  // The model's own reason is shown only when the model finds the advert risky.
  const modelSaysRisky = (report.model_probability || 0) >= 0.5;
  const risky = signGroups(report.reasons.filter((r) => r.weight > 0 || (r.indicator === "classifier" && modelSaysRisky)));
  card.append(verdict(report, risky.filter((g) => g.indicator !== "classifier").length));
  const calming = signGroups(report.reasons.filter((r) => r.weight < 0));
  const numbers = new Map(risky.map((g) => [g.indicator, g.n]));
  const body = el("div", { class: "advert" });
  if (advert.title) {
    body.append(el("h3", {}, highlighted(advert.title, report.reasons.filter((r) => r.field === "title"), numbers, cardId)));
  }
  body.append(highlighted(advert.text || "", report.reasons.filter((r) => r.field === "text"), numbers, cardId));
  card.append(body);
  if (risky.length) {
    const advice = el("div", { class: "advice" }, el("h3", { text: t("signs") }));
    for (const g of risky) advice.append(signBlock(g, cardId, true, report.kind));
    card.append(advice);
  } else if (!report.flagged) {
    card.append(el("p", { text: t("none_found") }));
  }
  if (calming.length) {
    card.append(el("h3", { class: "mitigation", text: t("mitigating") }));
    const list = el("ul", { class: "mitigating-list" });
    for (const g of calming) {
      list.append(el("li", { "data-indicator": g.indicator }, el("strong", { text: indicatorName(g.indicator) + ": " }),
        (g.quotes.length ? g.quotes.map(quoted).join(", ") + " – " : "") + pick(g.strongest.explanation)));
    }
    card.append(list);
  }
  return card;
}

function renderHelp() {
  const box = $("#help-box");
  box.replaceChildren();
  if (!state.help) return;
  box.append(el("h2", { text: t("help") }), el("p", { text: pick(state.help.text) }));
  const links = el("ul");
  for (const l of state.help.links || []) {
    links.append(el("li", {}, el("a", { href: l.url, rel: "noopener" }, typeof l.name === "string" ? l.name : pick(l.name))));
  }
  box.append(links);
}

// --- Check view -----------------------------------------------------------------------------

function renderChecks(results) {
  const box = $("#check-results");
  box.replaceChildren();
  results.forEach((x, i) => {
    if (x.error) box.append(errorBox(x.error));
    else box.append(reportCard(x.report, x.advert, results.length > 1 ? t("advert_n") + " " + (i + 1) : null));
  });
}

// After a check, the first result's verdict comes into view (on a phone it is below the form).
function showFirstResult() {
  const first = $("#check-results > *");
  if (!first) return;
  const top = first.getBoundingClientRect().top;
  if (top < 0 || top > window.innerHeight * 0.5) first.scrollIntoView({ block: "start" });
}

async function check(event) {
  event.preventDefault();
  const parts = $("#advert-text").value.split(/^\s*---\s*$/m).map((s) => s.trim()).filter(Boolean);
  const kind = $("#advert-kind").value;
  const results = [];
  for (const text of parts) {
    const advert = { text };
    if (kind) advert.kind = kind;
    if (new TextEncoder().encode(text).length > 4 * 1024 * 1024) {
      results.push({ error: new PageError("err_too_long") });
      continue;
    }
    try {
      const report = await api("/v1/screen?explain=all", {
        method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(advert),
      });
      results.push({ report, advert });
    } catch (e) {
      results.push({ error: e });
    }
  }
  state.lastCheck = results;
  renderChecks(results);
  showFirstResult();
}

// --- Search view ----------------------------------------------------------------------------

function fillIndicatorSelect() {
  const select = $("#indicator");
  const current = select.value;
  select.replaceChildren(el("option", { value: "" }, t("any")));
  for (const ind of state.indicators) select.append(el("option", { value: ind.id }, pick(ind.name)));
  select.value = current;
}

function searchParams(offset, limit) {
  const form = $("#search-form");
  const p = new URLSearchParams();
  const q = $("#q").value.trim();
  if (q) p.set("q", q);
  const levels = [...form.querySelectorAll("input[name=level]:checked")].map((x) => x.value);
  if (levels.length) p.set("level", levels.join(","));
  for (const name of ["min_score", "indicator", "lang", "kind", "source", "from", "to", "review"]) {
    const v = form.elements[name].value.trim();
    if (v) p.set(name, v);
  }
  if ($("#collapse").checked) p.set("collapse", "true");
  if (state.search.sort) p.set("sort", state.search.sort);
  p.set("offset", String(offset));
  p.set("limit", String(limit));
  return p;
}

async function runSearch(offset) {
  state.search.offset = offset;
  // The search lives in the address: a reload or a shared link opens the same one.
  history.replaceState(null, "", "#search?" + searchParams(offset, state.search.limit));
  let answer;
  try {
    answer = await api("/v1/search?" + searchParams(offset, state.search.limit));
  } catch (e) {
    $("#search-summary").textContent = t("error") + ": " + e.message;
    return;
  }
  state.search.total = answer.total;
  $("#search-summary").textContent = answer.total
    ? fill(plural(answer.total, t("found_forms")), { n: answer.total })
    : t("found_none");
  $("#search-summary").dataset.total = String(answer.total);
  for (const node of document.querySelectorAll("[data-facet]")) {
    const [facet, key] = node.dataset.facet.split(":");
    node.textContent = "(" + ((answer.facets[facet] || {})[key] || 0) + ")";
  }
  const facets = $("#indicator-facets");
  facets.replaceChildren();
  for (const [id, n] of Object.entries(answer.facets.indicator || {}).sort((a, b) => b[1] - a[1])) {
    facets.append(el("button", {
      type: "button", "data-indicator": id,
      onclick: () => { $("#indicator").value = id; runSearch(0); },
    }, indicatorName(id) + " (" + n + ")"));
  }
  const body = $("#results tbody");
  body.replaceChildren();
  for (const h of answer.hits) {
    const open = () => openAdvert(h.id);
    const row = el("tr", {
      tabindex: "0", "data-id": h.id, onclick: open,
      onkeydown: (e) => { if (e.key === "Enter") open(); },
    },
    el("td", { class: "score", text: String(h.score) }),
    el("td", {}, levelBadge(h)),
    el("td", {}, el("strong", { text: h.title || "" }), el("div", { text: h.excerpt.slice(0, 140) })),
    el("td", { text: h.language }),
    el("td", { text: (h.posted_at || h.stored_at || "").slice(0, 10) }),
    el("td", { text: h.indicators.map(indicatorName).join(", ") }),
    el("td", { class: "review-cell", "data-review": h.review || "new", text: t("status_" + (h.review || "new")) }));
    body.append(row);
  }
  $("#prev").disabled = offset === 0;
  $("#next").disabled = offset + state.search.limit >= answer.total;
}

// The whole current result as CSV for a spreadsheet, made by the server (`/v1/export.csv`):
// a byte order mark, `;` between cells, signs named in the interface language, the evidence,
// contacts and text of each advert.
async function exportCsv() {
  const p = searchParams(0, 0);
  p.delete("offset");
  p.delete("limit");
  let response;
  try {
    response = await api("/v1/export.csv?" + p, { raw: true, headers: { "Accept-Language": state.lang } });
  } catch (e) {
    $("#search-summary").textContent = t("error") + ": " + e.message;
    return;
  }
  const rows = response.headers.get("X-Adscreen-Rows") || "0";
  const url = URL.createObjectURL(await response.blob());
  let link = $("#export-link");
  if (!link) {
    link = el("a", { id: "export-link", download: "adscreen-search.csv" });
    $("#search-summary").after(link);
  }
  link.href = url;
  link.textContent = t("export_ready") + " (" + rows + " " + t("rows") + ")";
  link.dataset.rows = rows;
  link.click();
}

// The overview report of the stored adverts in the interface language, for the dates of the
// search form, opened from a link (the server wants the key, which a plain link cannot send).
async function openReport() {
  const p = new URLSearchParams({ lang: state.lang });
  for (const name of ["from", "to"]) {
    const v = $("#search-form").elements[name].value.trim();
    if (v) p.set(name, v);
  }
  let response;
  try {
    response = await api("/report?" + p, { raw: true });
  } catch (e) {
    $("#search-summary").textContent = t("error") + ": " + e.message;
    return;
  }
  const url = URL.createObjectURL(await response.blob());
  let link = $("#report-link");
  if (!link) {
    link = el("a", { id: "report-link", target: "_blank", rel: "noopener", download: "adscreen-report.html" });
    $("#search-summary").after(link);
  }
  link.href = url;
  link.textContent = t("report_ready");
  link.dataset.ready = "true";
}

function contactsOf(entities) {
  const out = [];
  for (const p of entities.phones || []) out.push(p.value);
  for (const e of entities.emails || []) out.push(e.value);
  for (const m of entities.messengers || []) if (m.handle) out.push(m.handle);
  return [...new Set(out)];
}

async function openAdvert(id) {
  try {
    const stored = await api("/v1/adverts/" + encodeURIComponent(id));
    // Every advert linked by any of its contacts, fetched at once.
    const linked = [];
    for (const contact of contactsOf(stored.report.entities)) {
      const answer = await api("/v1/contacts/" + encodeURIComponent(contact) + "/adverts");
      linked.push({ contact, total: answer.total, adverts: answer.adverts.filter((h) => h.id !== id) });
    }
    renderDetail(stored, linked);
  } catch (e) {
    $("#detail").hidden = false;
    $("#detail").replaceChildren(errorBox(e));
  }
}

function renderDetail(stored, linked) {
  state.lastDetail = { stored, linked };
  const box = $("#detail");
  box.hidden = false;
  box.replaceChildren(el("button", {
    type: "button", class: "close", onclick: () => { box.hidden = true; state.lastDetail = null; },
  }, t("close")));
  box.append(reportCard(stored.report, stored.advert, stored.advert.title || stored.advert.id));
  box.append(advertFacts(stored));
  box.append(reviewPanel(stored));
  if (linked && linked.length) {
    const section = el("section", { class: "linked" }, el("h3", { text: t("linked") }));
    for (const group of linked) {
      section.append(el("h4", { "data-contact": group.contact, text: group.contact + " (" + group.total + ")" }));
      const list = el("ul", { class: "linked-adverts", "data-contact": group.contact });
      for (const h of group.adverts) {
        list.append(el("li", {}, el("a", {
          href: "#", "data-id": h.id,
          onclick: (e) => { e.preventDefault(); openAdvert(h.id); },
        }, (h.title || h.id) + " – " + t("level_" + h.level) + " (" + h.score + ")")));
      }
      if (!group.adverts.length) list.append(el("li", { text: t("no_other") }));
      section.append(list);
    }
    box.append(section);
  }
  box.scrollIntoView({ block: "start" });
}

// Where a stored advert comes from and when it was seen, and its reposts.
function advertFacts(stored) {
  const a = stored.advert;
  const day = (s) => (s || "").replace("T", " ").replace("Z", "");
  const facts = el("dl", { class: "facts" });
  const fact = (key, value) => {
    if (value === null || value === undefined || value === "") return;
    facts.append(el("dt", { text: t(key) }), el("dd", { "data-fact": key }, value));
  };
  fact("fact_id", a.id);
  fact("source", a.source);
  // Only web addresses become links; anything else is shown as text.
  if (a.url && /^https?:\/\//i.test(a.url)) {
    fact("fact_url", el("a", { href: a.url, rel: "noopener noreferrer", target: "_blank" }, a.url));
  } else {
    fact("fact_url", a.url);
  }
  fact("fact_posted", a.posted_at);
  fact("fact_first_seen", day(stored.first_seen || stored.stored_at));
  fact("fact_last_seen", day(stored.stored_at));
  const section = el("section", { class: "advert-facts" }, facts);
  const others = (stored.group_members || []).filter((h) => h.id !== a.id);
  if (others.length) {
    section.append(el("h4", { text: t("reposts") + " (" + stored.group_size + ")" }));
    const list = el("ul", { class: "group-members" });
    for (const h of others) {
      list.append(el("li", {}, el("a", {
        href: "#", "data-id": h.id,
        onclick: (e) => { e.preventDefault(); openAdvert(h.id); },
      }, (h.title || h.id) + " – " + day(h.posted_at || h.stored_at).slice(0, 10))));
    }
    section.append(list);
  }
  return section;
}

// The review of a stored advert: its status, a note, one button per decision, and every
// decision made so far.
const DECISIONS = ["reviewed", "false_alarm", "confirmed", "referred"];

function reviewPanel(stored) {
  const id = stored.advert.id;
  const current = stored.review || { status: "new" };
  const panel = el("section", { class: "review", "data-status": current.status, "aria-labelledby": "review-title" },
    el("h3", { id: "review-title", text: t("review") + ": " + t("status_" + current.status) }));
  const note = el("textarea", { id: "review-note", rows: "2", "aria-label": t("note") });
  const buttons = el("div", { class: "row decisions", role: "group", "aria-label": t("decide") });
  const message = el("p", { class: "review-message", "aria-live": "polite" });
  for (const status of DECISIONS) {
    buttons.append(el("button", {
      type: "button", "data-status": status, class: status === current.status ? "current" : "",
      "aria-pressed": String(status === current.status),
      onclick: async () => {
        try {
          const answer = await api("/v1/adverts/" + encodeURIComponent(id) + "/review", {
            method: "POST", headers: { "Content-Type": "application/json" },
            body: JSON.stringify({ status, note: note.value }),
          });
          stored.review = answer.review;
          stored.review_history = answer.review_history;
          const cell = document.querySelector('#results tr[data-id="' + CSS.escape(id) + '"] .review-cell');
          if (cell) { cell.dataset.review = status; cell.textContent = t("status_" + status); }
          renderDetail(stored, state.lastDetail && state.lastDetail.linked);
          $("#detail .review-message").textContent = t("saved");
        } catch (e) {
          message.replaceChildren(errorBox(e));
        }
      },
    }, t("status_" + status)));
  }
  panel.append(el("label", { for: "review-note", text: t("note") }), note, buttons, message);
  const history = stored.review_history || [];
  if (history.length) {
    const list = el("ol", { class: "review-history" });
    for (const r of history) {
      list.append(el("li", { "data-status": r.status },
        (r.at || "").replace("T", " ").replace("Z", "") + " – " + r.by + ": " + t("status_" + r.status) + (r.note ? " – " + r.note : "")));
    }
    panel.append(el("h4", { text: t("history") }), list);
  }
  return panel;
}

// A search from its query string (the address's `#search?...` or a saved search) into the form.
function loadSearch(query) {
  const p = new URLSearchParams(query);
  const form = $("#search-form");
  $("#q").value = p.get("q") || "";
  const levels = (p.get("level") || "").split(",");
  for (const box of form.querySelectorAll("input[name=level]")) box.checked = levels.includes(box.value);
  for (const name of ["min_score", "indicator", "lang", "kind", "source", "from", "to", "review"]) {
    form.elements[name].value = p.get(name) || "";
  }
  $("#collapse").checked = p.get("collapse") === "true";
  state.search.sort = p.get("sort") || null;
  return parseInt(p.get("offset") || "0", 10) || 0;
}

// Searches saved under a name, in this browser.
function savedSearches() {
  try {
    return JSON.parse(localStorage.getItem("adscreen-saved") || "{}");
  } catch (e) {
    return {};
  }
}

function renderSaved() {
  const select = $("#saved");
  const saved = savedSearches();
  select.replaceChildren(el("option", { value: "", text: t("saved_pick") }));
  for (const name of Object.keys(saved).sort()) select.append(el("option", { value: name, text: name }));
}

function saveSearch() {
  const name = $("#save-name").value.trim();
  if (!name) { $("#save-name").focus(); return; }
  const saved = savedSearches();
  const p = searchParams(0, state.search.limit);
  p.delete("offset");
  p.delete("limit");
  saved[name] = p.toString();
  localStorage.setItem("adscreen-saved", JSON.stringify(saved));
  $("#save-name").value = "";
  renderSaved();
}

// --- Start ----------------------------------------------------------------------------------

function showTab(name, offset) {
  for (const tab of ["check", "search"]) {
    const on = tab === name;
    $("#tab-" + tab).setAttribute("aria-selected", String(on));
    $("#view-" + tab).hidden = !on;
  }
  if (name === "search") runSearch(offset || 0);
  else if (location.hash) history.replaceState(null, "", location.pathname);
}

async function start() {
  try {
    const info = await fetch("/v1/indicators").then((r) => r.json());
    state.indicators = info.indicators;
    state.help = info.help;
    for (const ind of info.indicators) state.byId[ind.id] = ind;
  } catch (e) {
    $("#check-results").textContent = t("error") + ": " + e.message;
  }
  applyI18n();
  $("#ui-lang").addEventListener("change", (e) => {
    state.lang = e.target.value;
    localStorage.setItem("adscreen-lang", state.lang);
    applyI18n();
  });
  $("#tab-check").addEventListener("click", () => showTab("check"));
  $("#tab-search").addEventListener("click", () => showTab("search"));
  // Arrow keys move between the two tabs, as in any tab list.
  for (const tab of document.querySelectorAll("[role=tab]")) {
    tab.addEventListener("keydown", (e) => {
      if (e.key !== "ArrowLeft" && e.key !== "ArrowRight") return;
      const other = tab.id === "tab-check" ? "search" : "check";
      showTab(other);
      $("#tab-" + other).focus();
    });
  }
  $("#check-form").addEventListener("submit", check);
  $("#search-form").addEventListener("submit", (e) => { e.preventDefault(); runSearch(0); });
  // The queue: flagged adverts without a decision, in priority order (docs/service.md, "Reviews").
  $("#queue-button").addEventListener("click", () => {
    $("#review").value = "new";
    for (const box of document.querySelectorAll("#search-form input[name=level]")) {
      box.checked = box.value !== "low";
    }
    state.search.sort = "priority";
    runSearch(0);
  });
  $("#export-button").addEventListener("click", () => exportCsv().catch((e) => {
    $("#search-summary").textContent = t("error") + ": " + e.message;
  }));
  $("#prev").addEventListener("click", () => runSearch(Math.max(0, state.search.offset - state.search.limit)));
  $("#next").addEventListener("click", () => runSearch(state.search.offset + state.search.limit));
  for (const b of document.querySelectorAll("button.sort")) {
    b.addEventListener("click", () => {
      state.search.sort = b.dataset.sort;
      for (const other of document.querySelectorAll("button.sort")) {
        other.closest("th").setAttribute("aria-sort", other === b ? "descending" : "none");
      }
      runSearch(0);
    });
  }
  $("#save-search").addEventListener("click", saveSearch);
  $("#report-button").addEventListener("click", openReport);
  $("#saved").addEventListener("change", (e) => {
    const query = savedSearches()[e.target.value];
    // Back to the placeholder, so that choosing the same search again runs it again.
    e.target.value = "";
    if (query !== undefined) runSearch(loadSearch(query));
  });
  renderSaved();
  if (location.hash.startsWith("#search?")) {
    const offset = loadSearch(location.hash.slice("#search?".length));
    showTab("search", offset);
  }
  document.body.dataset.ready = "true";
}

start();
