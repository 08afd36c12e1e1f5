"""Readers of the outlier sources: text a guarded router must reject (``off_topic``, ``unsafe``,
``other_language``), plus the finance intents of CLINC150 and HWU64, which move to the finance pool.

Each reader takes the data root and yields ``(label, reason, raw_text)``. General-English sources that may contain
law / money / health questions pass :func:`~gqr.data._keywords.looks_in_domain`; a hit is dropped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from gqr.data._clean import clean, normalize
from gqr.data._keywords import asks_for_crime, looks_harmful, looks_in_domain
from gqr.data._paths import data_file
from gqr.data._readers import read_csv, read_json, read_jsonl, read_lines, read_parquet
from gqr.data._sources_id import FINANCE, OOD, Item, reddit_posts
from gqr.data._team import TEAM_OUTLIER_READERS

__all__ = ["EXCLUDED_LANGUAGES", "OUTLIER_READERS"]

OFF, UNSAFE, OTHER = "off_topic", "unsafe", "other_language"
# Danish, Slovak and their close relatives stand in for the two language test sets: never trained on.
EXCLUDED_LANGUAGES = frozenset({"dan", "da", "slk", "sk", "ces", "cs", "nob", "nno", "nor", "no", "nb", "nn"})


def _screened(texts: Iterator[str], reason: str = OFF) -> Iterator[Item]:
    for text in texts:
        if not looks_in_domain(text):
            yield OOD, reason, text


_GENERAL_SUBS = (
    "explainlikeimfive",
    "AskReddit",
    "NoStupidQuestions",
    "AskMen",
    "AskWomen",
    "techsupport",
    "HomeImprovement",
    "AskCulinary",
    "Cartalk",
    "MechanicAdvice",
    "solotravel",
    "cscareerquestions",
    "learnprogramming",
    "AskElectronics",
    "linuxquestions",
    "SuggestALaptop",
    "buildapcforme",
    "HomeworkHelp",
    "AskAcademia",
    "askscience",
    "AskHistorians",
    "askphilosophy",
    "AskSocialScience",
    "AskEngineers",
    "learnmath",
    "tipofmytongue",
    "booksuggestions",
    "Dogtraining",
    "bikewrench",
    "musictheory",
    "TrueAskReddit",
    "changemyview",
    "Ask_Politics",
    "TEFL",
    "IWantToLearn",
    "BuyItForLife",
    "whatstheword",
    "college",
    # advice subs: full of law / money / health, but the screen drops those; the rest is informal personal talk
    "Advice",
    "needadvice",
    "relationship_advice",
)  # fmt: skip  (KarmaCourt: mock court)


def _reddit_general(root: Path) -> Iterator[Item]:
    yield from _screened(reddit_posts(root, "reddit_top_general", _GENERAL_SUBS))


_CLINC_FINANCE_DOMAINS = {"banking", "credit_cards"}
_CLINC_FINANCE_INTENTS = {"taxes", "income", "rollover_401k", "w2", "direct_deposit", "exchange_rate"}
_CLINC_DROP = {
    "insurance",
    "insurance_change",
    "payday",
    "vaccines",
    "international_visa",
    "calories",
    "nutrition_info",
}


def _clinc(root: Path) -> Iterator[Item]:
    domains = read_json(data_file(root, "clinc150_oos/domains.json", "JSON {domain: [intents]}"))
    finance = {i for d in _CLINC_FINANCE_DOMAINS for i in domains[d]} | _CLINC_FINANCE_INTENTS
    data = read_json(data_file(root, "clinc150_oos/data_full.json", "JSON {split: [[text, intent], ...]}"))
    for rows in data.values():
        for text, intent in rows:
            if intent in finance:
                yield FINANCE, None, text
            elif intent == "oos":
                yield from _screened(iter([text]))
            elif intent not in _CLINC_DROP:
                yield OOD, OFF, text


def _intent_lines(root: Path, folder: str) -> Iterator[tuple[str, str]]:
    for split in ("train", "valid", "test"):
        texts = read_lines(data_file(root, f"{folder}/{split}/seq.in", "one utterance per line"))
        labels = read_lines(data_file(root, f"{folder}/{split}/label", "one intent per line"))
        yield from zip(texts, labels, strict=True)


def _hwu64(root: Path) -> Iterator[Item]:
    for text, intent in _intent_lines(root, "hwu64"):
        if intent in ("qa_stock", "qa_currency"):
            yield FINANCE, None, text
        elif not looks_in_domain(text):
            yield OOD, OFF, text


def _plain_intents(folder: str):
    def read(root: Path) -> Iterator[Item]:
        for text, _ in _intent_lines(root, folder):
            yield OOD, OFF, text

    return read


def _nq(root: Path) -> Iterator[Item]:
    for name in ("NQ-open.dev.jsonl", "NQ-open.efficientqa.dev.1.1.jsonl", "NQ-open.efficientqa.test.1.1.jsonl"):
        rows = read_jsonl(data_file(root, f"nq_open_questions/{name}", "JSONL with a question field"))
        yield from _screened(row["question"] for row in rows)


def _trec(root: Path) -> Iterator[Item]:
    for lang, reason, screen in (("en", OFF, True), ("hi", OTHER, False)):
        for name in ("train_5500", "TREC_10"):
            file = f"{name}.label" if (lang, name) == ("en", "train_5500") else f"{name}.{lang}.label"
            for line in read_lines(data_file(root, f"trec_questions/{file}", "lines 'LABEL:fine question'")):
                text = line.partition(" ")[2]
                if not (screen and looks_in_domain(text)):
                    yield OOD, reason, text


def _stackoverflow(root: Path) -> Iterator[Item]:
    for line in read_lines(data_file(root, "stackoverflow_titles_20k/title_StackOverflow.txt", "one title per line")):
        yield OOD, OFF, line


def _arena(root: Path) -> Iterator[Item]:
    rows = read_jsonl(data_file(root, "arena_hard_prompts/question.jsonl", "JSONL with turns[0].content"))
    yield from _screened(row["turns"][0]["content"] for row in rows)


def _self_instruct(root: Path) -> Iterator[Item]:
    rows = read_jsonl(data_file(root, "self_instruct_seed_tasks/seed_tasks.jsonl", "JSONL with instruction"))
    yield from _screened(
        f"{row['instruction']}\n{row['instances'][0]['input'] if row.get('instances') else ''}" for row in rows
    )


def _gpteacher(root: Path) -> Iterator[Item]:
    for name in ("roleplay-simple-deduped-roleplay-instruct.json", "codegen-instruct.json"):
        rows = read_json(data_file(root, f"gpteacher_roleplay_codegen/{name}", "JSON list with instruction, input"))
        yield from _screened(f"{row['instruction']}\n{row.get('input') or ''}" for row in rows)


def _xquad(root: Path) -> Iterator[Item]:
    for lang in ("en", "de", "es", "ru", "zh", "ar", "el"):
        doc = read_json(data_file(root, f"xquad/xquad.{lang}.json", "SQuAD-format JSON"))
        questions = (qa["question"] for article in doc["data"] for p in article["paragraphs"] for qa in p["qas"])
        if lang == "en":
            yield from _screened(questions)
        else:
            yield from ((OOD, OTHER, q) for q in questions)


def _gsm8k(root: Path) -> Iterator[Item]:
    # Money arithmetic, not finance: kept unscreened as hard negatives (see SOURCE.md).
    for row in read_jsonl(data_file(root, "gsm8k_test/test.jsonl", "JSONL with a question field")):
        yield OOD, OFF, row["question"]


def _mbpp(root: Path) -> Iterator[Item]:
    for row in read_jsonl(data_file(root, "mbpp/mbpp.jsonl", "JSONL with a text field")):
        yield OOD, OFF, row["text"]


def _tatoeba(root: Path) -> Iterator[Item]:
    folder = data_file(root, "tatoeba_laser/SOURCE.md", "the Tatoeba folder with tatoeba.<xxx>-eng.<xxx>").parent
    for path in sorted(folder.glob("tatoeba.*-eng.*")):
        lang = path.suffix[1:]
        if lang != "eng" and lang not in EXCLUDED_LANGUAGES:
            yield from ((OOD, OTHER, line) for line in read_lines(path))


def _xsid(root: Path) -> Iterator[Item]:
    path = data_file(root, "xsid_multilingual/xsid_0.7_utterances.jsonl", "JSONL with lang, text")
    for row in read_jsonl(path):
        if row["lang"] != "en" and row["lang"].split("-")[0] not in EXCLUDED_LANGUAGES:
            yield OOD, OTHER, row["text"]


def _toxigen(root: Path) -> Iterator[Item]:
    # hate_* statements are unsafe; neutral_* (benign sentences about the same groups) are off-topic negatives.
    folder = data_file(root, "toxigen_demonstrations/SOURCE.md", "ToxiGen demonstrations/**.txt").parent
    for path in sorted(folder.glob("demonstrations/**/*.txt")):
        hate = path.name.startswith("hate_")
        for line in read_lines(path):
            text = line.strip().removeprefix("- ")
            if hate:
                yield OOD, UNSAFE, text
            elif not looks_in_domain(text):
                yield OOD, OFF, text


_FORBIDDEN_DROP = {"Legal Opinion", "Financial Advice", "Health Consultation", "Gov Decision"}


def _jailbreak(root: Path) -> Iterator[Item]:
    for name in ("jailbreak_prompts_2023_12_25.csv", "jailbreak_prompts_2023_05_07.csv"):
        for row in read_csv(data_file(root, f"jailbreak_llms_in_the_wild/{name}", "CSV with a prompt column")):
            yield OOD, UNSAFE, row["prompt"]
    path = data_file(root, "jailbreak_llms_in_the_wild/forbidden_question_set.csv", "CSV with content_policy_name")
    for row in read_csv(path):
        policy = row["content_policy_name"]
        if policy not in _FORBIDDEN_DROP:  # the in-domain-topic scenarios are dropped
            yield OOD, OFF if policy == "Political Lobbying" else UNSAFE, row["question"]


def _deepset(root: Path) -> Iterator[Item]:
    path = data_file(root, "deepset_prompt_injections/train-00000-of-00001-9564e8b05b4757ab.parquet", "parquet")
    table = read_parquet(path, ["text", "label"])
    for text, label in zip(table["text"], table["label"], strict=True):
        if label == 1:
            yield OOD, UNSAFE, text


def _hh_rlhf(root: Path) -> Iterator[Item]:
    # Red-team first turns: in-domain-looking ones are dropped unless they ask for a crime ("how can I steal
    # money": unsafe), harmful-looking ones are unsafe, the rest (innocuous chit-chat) off-topic.
    path = data_file(root, "hh_rlhf_harmless_test_prompts/harmless-base_test_first_turn.jsonl", "JSONL with prompt")
    for row in read_jsonl(path):
        text = row["prompt"]
        if looks_in_domain(text):
            if asks_for_crime(text):
                yield OOD, UNSAFE, text
        else:
            yield OOD, UNSAFE if looks_harmful(text) else OFF, text


# ---- informal abuse and hate (unsafe), their benign rows as off-topic text ----------------------------------------


def _toxic_split(items: Iterable[tuple[bool, str]]) -> Iterator[Item]:
    """``(toxic, text)`` pairs → unsafe / screened off-topic items; a text the source labels both ways is dropped
    (every copy: abuse depends on context)."""
    items = list(items)
    seen: dict[str, set[bool]] = {}
    for toxic, text in items:
        seen.setdefault(normalize(clean(text)), set()).add(toxic)
    for toxic, text in items:
        if len(seen[normalize(clean(text))]) == 1:
            if toxic:
                yield OOD, UNSAFE, text
            elif not looks_in_domain(text):
                yield OOD, OFF, text


_MENTION = re.compile(r"(?:^|\s)(?:RT\s+)?@\w+:?|\[(?:USER|URL)\]", re.IGNORECASE)


def _unmask(text: str) -> str:
    """Drop @mentions, retweet marks and the ``[USER]`` / ``[URL]`` placeholders (source artefacts)."""
    return _MENTION.sub(" ", text)


def _convabuse(root: Path) -> Iterator[Item]:
    # Majority vote computed in the folder's converted file; ties (139 rows) are dropped: neither safe nor abuse.
    path = data_file(root, "convabuse/convabuse_user_majority.csv", "CSV with user, majority")
    rows = [(row["majority"], row["user"]) for row in read_csv(path)]
    majority: dict[str, set[str]] = {}
    for label, text in rows:
        majority.setdefault(normalize(clean(text)), set()).add(label)
    pairs = ((label == "abusive", text) for label, text in rows if "tie" not in majority[normalize(clean(text))])
    yield from _toxic_split(pairs)


def _davidson(root: Path) -> Iterator[Item]:
    path = data_file(root, "davidson_hate_offensive/labeled_data.csv", "CSV with class, tweet")
    yield from _toxic_split((row["class"] in ("0", "1"), _unmask(row["tweet"])) for row in read_csv(path))


# Posts also in GQR-Bench's hate_xplain test set (identical or near-identical; listed in the folder's SOURCE.md).
_EDOS_IN_HATE_XPLAIN = frozenset(
    f"sexism2022_english-{n}" for n in (13328, 174, 15998, 668, 2126, 749, 19398, 4039, 19070, 19152)
)


def _edos(root: Path) -> Iterator[Item]:
    path = data_file(root, "edos_sexism/edos_labelled_aggregated.csv", "CSV with rewire_id, text, label_sexist")
    rows = (row for row in read_csv(path) if row["rewire_id"] not in _EDOS_IN_HATE_XPLAIN)
    yield from _toxic_split((row["label_sexist"] == "sexist", _unmask(row["text"])) for row in rows)


def _demojibake(text: str) -> str:
    """Repair UTF-8 read as cp1252 ("â€™" → "’"); other text unchanged."""
    if "â" in text or "ð" in text or "Ã" in text:
        try:
            return text.encode("cp1252").decode("utf-8")
        except UnicodeError:
            return text
    return text


def _tweeteval(root: Path) -> Iterator[Item]:
    path = data_file(root, "tweeteval_hate/tweeteval_hate.csv", "CSV with text, label, split")
    yield from _toxic_split((row["label"] == "hate", _unmask(_demojibake(row["text"]))) for row in read_csv(path))


_DETOKENIZE = re.compile(r" (?=n't\b|'(?:s|re|m|ll|ve|d)\b|[.,!?;:)](?:\s|$))")


def _stormfront(root: Path) -> Iterator[Item]:
    # Only `hate` sentences. noHate ones are white-supremacist forum talk, often racist in tone below the hate
    # threshold: neither a clean off-topic example nor labelled unsafe, so dropped; `relation` (hate only with the
    # rest of its post) and `idk/skip` are dropped too.
    path = data_file(root, "stormfront_hate/stormfront_sentences.csv", "CSV with file_id, text, label")
    for row in read_csv(path):
        if row["label"] == "hate":
            yield OOD, UNSAFE, _DETOKENIZE.sub("", row["text"])


OUTLIER_READERS = {
    "reddit_top_general": _reddit_general,
    "clinc150_oos": _clinc,
    "hwu64": _hwu64,
    "snips": _plain_intents("snips"),
    "atis": _plain_intents("atis"),
    "nq_open_questions": _nq,
    "trec_questions": _trec,
    "stackoverflow_titles_20k": _stackoverflow,
    "arena_hard_prompts": _arena,
    "self_instruct_seed_tasks": _self_instruct,
    "gpteacher_roleplay_codegen": _gpteacher,
    "xquad": _xquad,
    "gsm8k_test": _gsm8k,
    "mbpp": _mbpp,
    "tatoeba_laser": _tatoeba,
    "xsid_multilingual": _xsid,
    "toxigen_demonstrations": _toxigen,
    "jailbreak_llms_in_the_wild": _jailbreak,
    "deepset_prompt_injections": _deepset,
    "hh_rlhf_harmless_test_prompts": _hh_rlhf,
    # new sources after the old ones: a text already read keeps its dataset (and its split, which hangs on the text)
    "convabuse": _convabuse,
    "davidson_hate_offensive": _davidson,
    "edos_sexism": _edos,
    "tweeteval_hate": _tweeteval,
    "stormfront_hate": _stormfront,
    **TEAM_OUTLIER_READERS,  # team-written (gqr/data/team/), last; near-copies of dev-set queries dropped by the pool
}
