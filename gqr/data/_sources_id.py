"""Readers of the in-domain sources (law, finance, healthcare) and of the mixed ones (ExpertQA, MMLU).

Each reader takes the data root and yields ``(label, reason, raw_text)``; cleaning, de-duplication, leakage
removal and splitting happen in :mod:`gqr.data._pools`. The choices per source follow its ``SOURCE.md``; the
reasons are documented in ``gqr/data/SOURCES.md``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from gqr.data._clean import clean, normalize
from gqr.data._keywords import LEGAL_TERMS, looks_in_domain
from gqr.data._paths import data_file
from gqr.data._readers import read_csv, read_json, read_jsonl
from gqr.data._split import split_of
from gqr.data._team import TEAM_ID_READERS

__all__ = ["ID_READERS", "SOURCE_CAP", "Item", "TitledText", "capped", "reddit_posts"]

Item = tuple[str, str | None, str]  # (label, reason or None, raw text)
LAW, FINANCE, HEALTH, OOD = "law", "finance", "healthcare", "ood"


class TitledText(str):
    """A ``title + "\\n" + body`` text that keeps its ``title``: training also learns the title on its own, as the
    short query a user would type (:func:`gqr.train.build` with ``title_views``)."""

    title: str  # type: ignore[assignment]  # shadows str.title(): the post title is what readers want

    def __new__(cls, title: str, body: str) -> TitledText:
        self = super().__new__(cls, f"{title}\n{body}")
        self.title = title
        return self


def reddit_posts(root: Path, folder: str, subreddits: tuple[str, ...]) -> Iterator[TitledText]:
    """Self posts (title + body) of Reddit top-posts CSVs; link posts (bare headlines) are skipped."""
    for sub in subreddits:
        path = data_file(root, f"{folder}/{sub}.csv", f"Reddit top posts of r/{sub} (CSV with title, selftext)")
        for row in read_csv(path):
            if row.get("is_self") == "True":
                yield TitledText(row["title"], row["selftext"])


def _lse(root: Path) -> Iterator[Item]:
    path = data_file(root, "lse_odsc_synthetic/evaluation-dataset-verified-for-participants.jsonl", "JSONL, question")
    for row in read_jsonl(path):
        yield LAW, None, row["question"]


def _reddit_law(root: Path) -> Iterator[Item]:
    # r/LawSchool (student life), r/privacy and r/cyberlaws (tech news) are adjacent: not taken.
    for text in reddit_posts(root, "reddit_top_law", ("legaladvice", "law")):
        yield LAW, None, text


def _legalbench(root: Path) -> Iterator[Item]:
    folder = root / "legalbench_learned_hands_train"
    topics = sorted(p.name for p in folder.glob("learned_hands_*")) if folder.is_dir() else []
    if not topics:
        data_file(root, "legalbench_learned_hands_train/learned_hands_benefits/train.tsv", "LegalBench TSV")
    for topic in topics:
        path = data_file(root, f"legalbench_learned_hands_train/{topic}/train.tsv", "LegalBench TSV with a text column")
        for row in read_csv(path, delimiter="\t"):
            yield LAW, None, row["text"]


_CALBAR_HEAD = re.compile(r"^\s*question\s*\d+\s*", re.IGNORECASE)


def _calbar(root: Path) -> Iterator[Item]:
    path = data_file(root, "calbar_essay_questions/calbar_essay_questions.jsonl", "JSONL with a text field")
    for row in read_jsonl(path):
        yield LAW, None, _CALBAR_HEAD.sub("", row["text"])


_SLUG = re.compile(r"/legal-answers/(.+?)-+\d+\.html$")


def _avvo(root: Path) -> Iterator[Item]:
    # Truncated lowercase titles, all bankruptcy/debt: keep stems of >= 4 words that carry a legal term.
    path = data_file(root, "avvo_bankruptcy_links/question_links_bankruptcy.json", "JSON {page: [avvo URLs]}")
    for urls in read_json(path).values():
        for url in urls:
            match = _SLUG.search(url)
            if match:
                title = re.sub(r"-+", " ", match.group(1)).strip()
                if len(title.split()) >= 4 and LEGAL_TERMS.search(title):
                    yield LAW, None, title


# Tenancy and legal-dispute posts of the finance sources ("My landlord is keeping my deposit", "sued by a tenant")
# sit between law and finance: labelled finance they taught the models to send tenants' questions to finance.
_LAW_ADJACENT = re.compile(
    r"\b(?:landlords?|tenants?|tenancy|evict\w*|security deposits?|lawsuits?|sue[ds]?|suing|lawyers?|attorneys?)\b",
    re.IGNORECASE,
)


def _fiqa(root: Path) -> Iterator[Item]:
    path = data_file(root, "fiqa_questions/FiQA_train_question_final.tsv", "FiQA TSV with a question column")
    for row in read_csv(path, delimiter="\t"):
        if not _LAW_ADJACENT.search(row["question"]):
            yield FINANCE, None, row["question"]


def _jsonl_questions(folder: str, file: str, label: str, field: str = "question"):
    def read(root: Path) -> Iterator[Item]:
        for row in read_jsonl(data_file(root, f"{folder}/{file}", f"JSONL with a {field!r} field")):
            yield label, None, row[field]

    return read


def _fintextqa(root: Path) -> Iterator[Item]:
    path = data_file(root, "fintextqa_regulation/manual-qa-regulation_policy.sheet2.csv", "CSV with a question column")
    for row in read_csv(path):
        yield FINANCE, None, row["question"]


_IB_HEADING = re.compile(r"^\d+\s+[A-Z][A-Z &/,-]*QUESTIONS\b")
_IB_START = re.compile(r"\b(?:What|How|Why|Could|Can|Which|If|Is|Are|Do|Does|When|Walk|Tell|Explain|Among|Would)\b")


def _ib(root: Path) -> Iterator[Item]:
    # A few questions have a book section heading glued in front ("13 ACCOUNTING QUESTIONS ..."): cut it off.
    path = data_file(root, "ib_interview_questions/firestore_technical_questions.json", "JSON list with question")
    for row in read_json(path):
        text = row["question"]
        heading = _IB_HEADING.match(text)
        if heading:
            start = _IB_START.search(text, heading.end())
            text = text[start.start() if start else heading.end() :]
        yield FINANCE, None, text


_TERM_TEMPLATES = (
    "What is {}?",
    "Explain the concept of {}.",
    "What does {} mean in finance?",
    "Can you define {} and give an example?",
    "How does {} work?",
)


def _finrad(root: Path) -> Iterator[Item]:
    # Term definitions are not queries: each term becomes one templated concept question (template chosen by a
    # stable hash of the term), like the CFA-style half of GQR's finance set. Definitions are not used.
    for name in ("data_sample_1500.csv", "data_sample_500.csv"):
        for row in read_csv(data_file(root, f"finrad_finance_terms/{name}", "FinRAD CSV with a terms column")):
            term = row["terms"].strip()
            if term:
                term = term.lower() if term.isupper() else term
                pick = hashlib.blake2b(term.casefold().encode(), digest_size=2).digest()[0] % len(_TERM_TEMPLATES)
                yield FINANCE, None, _TERM_TEMPLATES[pick].format(term)


_FINANCE_SUBS = (
    "personalfinance", "investing", "financialindependence", "finance", "stocks", "StockMarket", "Accounting",
    "SecurityAnalysis", "FinancialPlanning", "Economics", "economy", "RealEstate",
)  # fmt: skip


def _reddit_finance(root: Path) -> Iterator[Item]:
    # Adjacent subreddits (crypto, startups, smallbusiness, Entrepreneur, Frugal, beermoney, austrian_economics)
    # are not taken: neither clearly finance queries nor safe to reject.
    for text in reddit_posts(root, "reddit_top_finance", _FINANCE_SUBS):
        if not _LAW_ADJACENT.search(text):
            yield FINANCE, None, text


def _icliniq_chat2k(root: Path) -> Iterator[Item]:
    path = data_file(root, "icliniq_chat2k/train_2kchat.jsonl", "JSONL with chat[0].input[0].content")
    for row in read_jsonl(path):
        yield HEALTH, None, row["chat"][0]["input"][0]["content"]


def _icliniq_lasseregin(root: Path) -> Iterator[Item]:
    path = data_file(root, "icliniq_lasseregin/icliniqQAs.json", "JSON list with question_text")
    for row in read_json(path):
        yield HEALTH, None, row["question_text"]


def _kqa(root: Path) -> Iterator[Item]:
    for row in read_jsonl(data_file(root, "kqa_patient_questions/questions.jsonl", "JSONL with a Question field")):
        yield HEALTH, None, row["Question"]


def _mqp(root: Path) -> Iterator[Item]:
    # Column 2 = the real HealthTap question. Column 3 = a doctor's rewrite (a paraphrase, or a related question):
    # taken only when it falls in the same split as its original, so no paraphrase straddles two splits.
    for row in read_csv(data_file(root, "medical_question_pairs/mqp.csv", "headerless CSV, question in column 2"),
                        header=False):  # fmt: skip
        yield HEALTH, None, row[1]
        if split_of(clean(row[2])) == split_of(clean(row[1])):
            yield HEALTH, None, row[2]


def _counsel_chat(root: Path) -> Iterator[Item]:
    path = data_file(root, "counsel_chat/20200325_counsel_chat.csv", "CSV with questionTitle, questionText")
    for row in read_csv(path):
        yield HEALTH, None, f"{row['questionTitle']}\n{row['questionText']}"


_HEALTH_SUBS = ("Anxiety", "depression", "diabetes", "Health", "psychopharmacology")


def _reddit_health(root: Path) -> Iterator[Item]:
    # r/medicine, r/nursing, r/pharmacy are professionals' workplace talk: not taken.
    for text in reddit_posts(root, "reddit_top_health", _HEALTH_SUBS):
        yield HEALTH, None, text


_EXPERTQA_FIELDS = {"Law": LAW, "Healthcare / Medicine": HEALTH, "Medicine": HEALTH}
_EXPERTQA_ADJACENT = {"Psychology", "Military or Law Enforcement", "Criminology", "Business", "Economics", "Other"}


def _expertqa(root: Path) -> Iterator[Item]:
    for row in read_jsonl(data_file(root, "expertqa/r1_data_anon.jsonl", "JSONL with question, metadata.field")):
        field, text = row["metadata"]["field"], row["question"]
        if field in _EXPERTQA_FIELDS:
            yield _EXPERTQA_FIELDS[field], None, text
        elif field not in _EXPERTQA_ADJACENT and not looks_in_domain(text):
            yield OOD, "off_topic", text


_MMLU_DOMAIN = {
    **dict.fromkeys(("professional_law", "international_law", "jurisprudence"), LAW),
    **dict.fromkeys(
        ("professional_accounting", "high_school_macroeconomics", "high_school_microeconomics", "econometrics"),
        FINANCE,
    ),
    **dict.fromkeys(
        (
            "anatomy",
            "clinical_knowledge",
            "college_medicine",
            "medical_genetics",
            "nutrition",
            "professional_medicine",
            "virology",
            "human_aging",
        ),
        HEALTH,
    ),
}
_MMLU_DROP = {
    "machine_learning",  # topic of the ml_questions test set
    "business_ethics", "marketing", "management",  # business, next to finance
    "high_school_psychology", "professional_psychology", "human_sexuality",  # next to (mental) health
    "college_biology", "high_school_biology",  # next to medicine
    "high_school_government_and_politics", "us_foreign_policy", "security_studies",  # next to law
}  # fmt: skip


# Mathematics, statistics, computing and physical-science subjects: off-topic even when a word problem mentions
# money or health ("the mean salary …", "the weight of an aspirin tablet …"), like gsm8k: kept unscreened.
_MMLU_UNSCREENED = {
    "abstract_algebra", "college_mathematics", "high_school_mathematics", "elementary_mathematics",
    "high_school_statistics", "formal_logic", "college_computer_science", "high_school_computer_science",
    "computer_security", "electrical_engineering", "college_physics", "high_school_physics", "conceptual_physics",
    "college_chemistry", "high_school_chemistry",
}  # fmt: skip


def _mmlu(root: Path) -> Iterator[Item]:
    folder = data_file(root, "mmlu_test/professional_law_test.csv", "MMLU test CSVs (<subject>_test.csv)").parent
    for path in sorted(folder.glob("*_test.csv")):
        subject = path.name.removesuffix("_test.csv")
        if subject in _MMLU_DROP:
            continue
        label = _MMLU_DOMAIN.get(subject)
        for row in read_csv(path, header=False):
            if label is not None:
                yield label, None, row[0]
            elif subject in _MMLU_UNSCREENED or not looks_in_domain(row[0]):
                yield OOD, "off_topic", row[0]


SOURCE_CAP = 3000  # synthetic statute / LLM law sources: at most this many texts each, so they do not swamp law


def capped(texts: Iterable[str], cap: int = SOURCE_CAP, salt: bytes = b"gqr-cap") -> list[str]:
    """At most ``cap`` distinct texts (by normalised key): those with the smallest salted blake2b hash of the key.

    Deterministic and independent of the split hash (another salt); a kept text stays kept when others are added
    only if it still ranks below the cap.
    """
    first: dict[str, str] = {}
    for text in texts:
        key = normalize(clean(text))
        if key:
            first.setdefault(key, text)
    keep = set(sorted(first, key=lambda k: hashlib.blake2b(k.encode(), digest_size=8, key=salt).digest())[:cap])
    return [text for key, text in first.items() if key in keep]


# COVID-Q categories about news, politics, economy and society, not health ("Will the USA overcome Covid 19?").
_COVID_NOT_HEALTH = frozenset(
    {"Economic Effects", "Societal Effects", "Societal Response", "Reporting", "Speculation", "Nomenclature"}
)
# Official FAQ pages (CDC, FDA, CNN, UN, …): scraped by other COVID-FAQ sets too, so they may sit in held-out data.
_COVID_FAQ_ORIGINS = frozenset(
    {
        "CDC", "Center for Disease Control", "Food and Drug Administration", "Cable News Network", "United Nations",
        "Illinois Department of Public Health", "WJLA", "Washington DC Area Television Station",
        "John Hopkins Medicine", "John Hopkins University",
    }
)  # fmt: skip
# Uncategorised questions on the same non-health topics (economy, politics, countries, schooling, …).
_COVID_SOCIETAL = re.compile(
    r"\b(?:stocks?|markets?|econom\w*|invest\w*|bitcoin|business\w*|jobs?|industr\w*|president|trump|obama|"
    r"china|chinese|governments?|politic\w*|news|media|reparations|elections?|schools?|universit\w*|colleges?|"
    r"students?|exams?|olympics|sports?|movies?|stimulus|unemploy\w*|financ\w*|prices?|compan(?:y|ies)|"
    r"conspiracy|bill gates|5g|humanity|extinct|apocalypse)\b",
    re.IGNORECASE,
)


def _covid_q(root: Path) -> Iterator[Item]:
    path = data_file(root, "covid_q/covid_q_questions_dedup.csv", "CSV with question, category, origin")
    for row in read_csv(path):
        categories = set(filter(None, row["category"].split(";")))
        if _COVID_FAQ_ORIGINS.intersection(row["origin"].split(";")) or categories & _COVID_NOT_HEALTH:
            continue
        if categories or not _COVID_SOCIETAL.search(row["question"]):
            yield HEALTH, None, row["question"]


# Questions that mean nothing without the statute section at hand ("… under sub-section (1)?", "What is form no. 1?").
_NEEDS_SECTION = re.compile(
    r"\b(?:sub-?sections?|clauses? \(|this (?:section|sub-?section|chapter|article|part|schedule|clause|code|act)\b|"
    r"form no\b|the (?:former|latter|preceding|foregoing) part)",
    re.IGNORECASE,
)


def _indian_legal(root: Path) -> Iterator[Item]:
    questions = []
    for name in ("constitution_qa.json", "crpc_qa.json", "ipc_qa.json"):
        rows = read_json(data_file(root, f"indian_legal_qa/{name}", "JSON list of {question, answer}"))
        questions += [row["question"] for row in rows if not _NEEDS_SECTION.search(row["question"])]
    for text in capped(questions):
        yield LAW, None, text


_PACTORIA = re.compile(r"^(?:(?:hi|hey|hello),?\s+)?pactoria\s*[,:!]?\s*", re.IGNORECASE)
_TO_ASSISTANT = re.compile(r"\b(?:you|your|yours|yourself|hi|hello|hey|thanks|thank)\b", re.IGNORECASE)
_LAW_WORD = re.compile(
    r"\b(?:claims?|cases?|directors?|shareholders?|compan(?:y|ies)|s\.\s?\d+|sections?|acts?|dut(?:y|ies)|"
    r"clauses?|agreements?|terms|derivative|statutes?|regulations?|rights?|legalese|terminology|offers?|accept\w*)\b",
    re.IGNORECASE,
)
_FILLER = frozenset(
    {"i", "have", "a", "question", "what", "should", "do", "next", "can", "you", "help", "me", "we", "the", "is", "it",
     "ok", "okay", "yes", "no", "please"}
)  # fmt: skip


def _small_talk(text: str) -> bool:
    """Chat with the assistant persona, not a law question: addressed to "you" (or a greeting / thanks) without a
    law word, or only filler words ("I have a question", "What should I do next?")."""
    words = set(re.findall(r"\w+", text.lower()))
    if words <= _FILLER:
        return True
    legal = looks_in_domain(text) or LEGAL_TERMS.search(text) or _LAW_WORD.search(text)
    return bool(_TO_ASSISTANT.search(text)) and not legal


def _uk_legal(root: Path) -> Iterator[Item]:
    # 165 `Assistant Experience` / `Assistant Interaction` rows are persona small talk; the leading address
    # "Pactoria, …" of 71 law questions is cut; the other small talk goes by _small_talk.
    questions = []
    for row in read_jsonl(data_file(root, "uk_legal_qa/uk_legal_qa.jsonl", "JSONL with question, topic")):
        if not row["topic"].startswith("Assistant "):
            text = _PACTORIA.sub("", row["question"])
            if not _small_talk(text):
                questions.append(text[:1].upper() + text[1:])
    for text in capped(questions):
        yield LAW, None, text


ID_READERS = {
    "lse_odsc_synthetic": _lse,
    "reddit_top_law": _reddit_law,
    "legalbench_learned_hands_train": _legalbench,
    "calbar_essay_questions": _calbar,
    "avvo_bankruptcy_links": _avvo,
    "fiqa_questions": _fiqa,
    "cfa_exam_questions": _jsonl_questions("cfa_exam_questions", "cfa_questions.jsonl", FINANCE),
    "tatqa_questions": _jsonl_questions("tatqa_questions", "tatqa_dev_test_questions.jsonl", FINANCE),
    "finqa_dev_pixiu": _jsonl_questions("finqa_dev_pixiu", "finqa_dev_questions.jsonl", FINANCE),
    "financebench": _jsonl_questions("financebench", "financebench_open_source.jsonl", FINANCE),
    "fintextqa_regulation": _fintextqa,
    "ib_interview_questions": _ib,
    "finrad_finance_terms": _finrad,
    "reddit_top_finance": _reddit_finance,
    "icliniq_chat2k": _icliniq_chat2k,
    "icliniq_lasseregin": _icliniq_lasseregin,
    "kqa_patient_questions": _kqa,
    "medical_question_pairs": _mqp,
    "counsel_chat": _counsel_chat,
    "reddit_top_health": _reddit_health,
    "expertqa": _expertqa,
    "mmlu_test": _mmlu,
    # new sources after the old ones: a text already read keeps its dataset (and its split, which hangs on the text)
    "covid_q": _covid_q,
    "indian_legal_qa": _indian_legal,
    "uk_legal_qa": _uk_legal,
    **TEAM_ID_READERS,  # team-written (gqr/data/team/), last; near-copies of dev-set queries dropped by the pool
}
