#!/usr/bin/env python3
"""Generates load-test adverts for benches/load.sh from the labelled corpus.

Two outputs:

  gen_adverts.py adverts --count N --out FILE   N adverts as NDJSON, for POST /v1/adverts
  gen_adverts.py screen  --count N --out FILE   N advert bodies (one JSON object a line),
                                                for the wrk script that POSTs /v1/screen

Every advert is derived from one of corpus/labelled/*.jsonl and varied so that the set is not
1,500 adverts repeated: a unique id, phone numbers rewritten (about a quarter taken from a small
shared pool, so several adverts share a contact), registration numbers rewritten, pay figures
and other 3-4 digit numbers nudged, destination countries and first names swapped, sometimes a
contact person appended, a posting date and a source. About 8% are reposts: the same title and
text as an earlier generated advert under a new id, date and source (as adverts copied between
boards). The output is deterministic for a given seed and corpus.
"""

import argparse
import glob
import json
import os
import random
import re
import sys
from datetime import datetime, timedelta

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))

# A phone-like run: optional +, then at least 7 digits with spaces or hyphens between them.
PHONE = re.compile(r"\+?\d(?:[ \-]?\d){6,}")
# A stand-alone number of 3-4 digits (not part of a time, date, decimal or longer number):
# pay, prices, distances. Smaller numbers (ages, hours, days) are left alone so that an edit
# does not change what an advert says about minors or working time.
SMALL_NUMBER = re.compile(r"(?<![\d.,:/\-+])\d{3,4}(?![\d:])")
EMAIL = re.compile(r"\b([A-Za-z][A-Za-z0-9._%+\-]*)@([A-Za-z0-9.\-]+\.[A-Za-z]{2,})\b")

# Forms that can replace each other in a sentence (same grammatical case within a language).
PLACES = {
    "lv": ["Vācijā", "Norvēģijā", "Anglijā", "Īrijā", "Somijā", "Zviedrijā", "Dānijā",
           "Nīderlandē", "Beļģijā", "Polijā"],
    "ru": ["Германии", "Норвегии", "Англии", "Ирландии", "Финляндии", "Швеции", "Дании",
           "Бельгии", "Польше", "Чехии"],
    "en": ["Germany", "Norway", "England", "Ireland", "Finland", "Sweden", "Denmark",
           "Belgium", "Poland", "Scotland"],
}
NAMES = {
    "lv": ["Jānis", "Andris", "Pēteris", "Māris", "Edgars", "Anna", "Līga", "Ilze", "Inese",
           "Kristīne", "Laura", "Dace", "Elīna", "Artūrs", "Raivis"],
    "ru": ["Сергей", "Андрей", "Дмитрий", "Алексей", "Игорь", "Ирина", "Ольга", "Марина",
           "Наталья", "Елена", "Светлана", "Татьяна", "Виктор", "Оксана", "Юлия"],
    "en": ["John", "Mark", "David", "Paul", "James", "Sarah", "Emma", "Laura", "Kate",
           "Anna", "Michael", "Peter", "Linda", "Tom", "Chris"],
}
CONTACT_PERSON = {
    "lv": ["Kontaktpersona: {}.", "Zvanīt, jautāt {}.", "Jautāt {}."],
    "ru": ["Контактное лицо: {}.", "Спросить {}.", "Звонить, {}."],
    "en": ["Ask for {}.", "Contact person: {}.", "Speak to {}."],
}
SOURCES = ["ss.lv", "cv.lv", "facebook", "telegram", "gumtree", "reklama.lv", "vk", "olx"]
SHARED_POOL = 400  # numbers in the pool of shared contact suffixes
SHARED_RATE = 0.25  # share of phone numbers taken from that pool
REPOST_RATE = 0.08


def load_corpus():
    files = sorted(glob.glob(os.path.join(REPO, "corpus", "labelled", "*.jsonl")))
    if not files:
        sys.exit(f"gen_adverts.py: no corpus/labelled/*.jsonl under {REPO}")
    adverts = []
    for path in files:
        with open(path, encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                line = line.strip()
                if not line:
                    continue
                try:
                    a = json.loads(line)
                except json.JSONDecodeError as e:
                    sys.exit(f"gen_adverts.py: {path}:{n}: {e}")
                if a.get("text"):
                    adverts.append(a)
    if not adverts:
        sys.exit("gen_adverts.py: the labelled corpus holds no adverts")
    return adverts


def replace_digits(s, digits):
    """Writes `digits` over the digits of `s`, from the right, keeping separators."""
    out = list(s)
    k = len(digits) - 1
    for i in range(len(out) - 1, -1, -1):
        if k < 0:
            break
        if out[i].isdigit():
            out[i] = digits[k]
            k -= 1
    return "".join(out)


def vary_phone(match_text, rng, shared):
    digits = [c for c in match_text if c.isdigit()]
    n = len(digits)
    if n == 11 and digits[0] in "45" and not match_text.startswith("+"):
        # A company registration number: keep 11 digits starting with 4 or 5.
        return replace_digits(match_text, f"{rng.randrange(100000):05d}")
    tail = 4 if n >= 8 else 3
    if rng.random() < SHARED_RATE:
        value = shared[rng.randrange(len(shared))] % (10 ** tail)
    else:
        value = rng.randrange(10 ** tail)
    return replace_digits(match_text, f"{value:0{tail}d}")


def nudge_number(m, rng):
    text = m.group(0)
    v = int(text)
    if 1950 <= v <= 2035 or rng.random() < 0.4:  # years, and some numbers left alone
        return text
    w = v * rng.uniform(0.8, 1.2)
    step = 50 if v >= 1000 else 10
    w = max(step, int(round(w / step) * step))
    out = str(w)
    if text.startswith("0") and len(out) < len(text):
        out = out.zfill(len(text))
    return out


def vary_numbers(text, rng):
    return SMALL_NUMBER.sub(lambda m: nudge_number(m, rng), text)


def vary_text(text, lang, rng, shared, place_map, name_map):
    # Phones first; numbers between them are nudged separately so phones stay well-formed.
    parts = []
    last = 0
    for m in PHONE.finditer(text):
        parts.append(vary_numbers(text[last:m.start()], rng))
        parts.append(vary_phone(m.group(0), rng, shared))
        last = m.end()
    parts.append(vary_numbers(text[last:], rng))
    text = "".join(parts)
    for old, new in place_map.items():
        text = text.replace(old, new)
    for old, new in name_map.items():
        text = re.sub(rf"\b{re.escape(old)}\b", new, text)
    if rng.random() < 0.2:
        text = EMAIL.sub(lambda m: f"{m.group(1)}{rng.randrange(1, 99)}@{m.group(2)}", text)
    return text


def swap_map(words, rng, rate):
    if rng.random() >= rate:
        return {}
    old = rng.choice(words)
    new = rng.choice([w for w in words if w != old])
    return {old: new}


def derive(base, rng, shared):
    lang = base.get("lang") if base.get("lang") in PLACES else "en"
    place_map = swap_map(PLACES[lang], rng, 0.5)
    name_map = {}
    for name in NAMES[lang]:
        if name in base.get("text", "") and rng.random() < 0.7:
            name_map[name] = rng.choice(NAMES[lang])
    title = vary_text(base.get("title", ""), lang, rng, shared, place_map, name_map)
    text = vary_text(base["text"], lang, rng, shared, place_map, name_map)
    if rng.random() < 0.3:
        text += ("\n" if rng.random() < 0.5 else " ") + rng.choice(CONTACT_PERSON[lang]).format(
            rng.choice(NAMES[lang]))
    return {"title": title, "text": text, "kind": base.get("kind"), "lang": base.get("lang")}


def posting(rng):
    start = datetime(2025, 1, 1)
    t = start + timedelta(seconds=rng.randrange(540 * 86400))
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def cmd_adverts(args):
    corpus = load_corpus()
    rng = random.Random(args.seed)
    shared = [rng.randrange(10 ** 6) for _ in range(SHARED_POOL)]
    recent = []  # adverts that can be reposted
    with open(args.out, "w", encoding="utf-8") as out:
        for i in range(args.count):
            if recent and rng.random() < REPOST_RATE:
                body = dict(rng.choice(recent))
            else:
                body = derive(corpus[rng.randrange(len(corpus))], rng, shared)
                if len(recent) < 5000:
                    recent.append(body)
                else:
                    recent[rng.randrange(len(recent))] = body
            record = {"id": f"load-{i:07d}", **body,
                      "source": rng.choice(SOURCES), "posted_at": posting(rng)}
            out.write(json.dumps(record, ensure_ascii=False) + "\n")


def cmd_screen(args):
    corpus = load_corpus()
    rng = random.Random(args.seed)
    # An even mix over the corpus files (languages, kinds, risky and benign).
    picks = rng.sample(corpus, min(args.count, len(corpus)))
    with open(args.out, "w", encoding="utf-8") as out:
        for a in picks:
            body = {"title": a.get("title", ""), "text": a["text"]}
            out.write(json.dumps(body, ensure_ascii=False) + "\n")


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    for name, default in (("adverts", 100000), ("screen", 48)):
        s = sub.add_parser(name)
        s.add_argument("--count", type=int, default=default)
        s.add_argument("--out", required=True)
        s.add_argument("--seed", type=int, default=20260)
    args = p.parse_args()
    if args.count < 1:
        sys.exit("gen_adverts.py: --count must be at least 1")
    {"adverts": cmd_adverts, "screen": cmd_screen}[args.cmd](args)


if __name__ == "__main__":
    main()
