"""The ORIGINAL GQR-Bench, loaded from the Hugging Face hub like the benchmark's own ``gqr`` package does
(``williambrach/gqr``, ``gqr/core/dataloader.py``): same datasets, splits, filters and seeds.

Needs internet and the ``hub`` extra (``datasets``, ``pandas``, ``scikit-learn``). Without a connection it fails
within ``timeout`` seconds with :class:`~gqr.DataUnavailableError`; the local mirror (:func:`gqr.data.load_ood_test`
with ``GQR_DATA_DIR``) is the offline alternative.
"""

from __future__ import annotations

import os
import threading
import urllib.error
import urllib.request
from typing import Any

from gqr._errors import DataUnavailableError
from gqr._extras import require
from gqr.data._example import Example
from gqr.data._ood import OOD_REASONS

__all__ = ["HUB_ID_SETS", "HUB_OOD_SETS", "load_hub_gqr_bench"]

# GQR-Bench constants (gqr/core/dataloader.py)
_SIZE, _TEST_FRACTION, _SEED = 15_000, 0.2, 42
HUB_ID_SETS = {  # domain: (hub dataset, text column)
    "law": ("dim/law_stackexchange_prompts", "prompt"),
    "finance": ("4DR1455/finance_questions", "instruction"),
    "healthcare": ("iecjsu/lavita-ChatDoctor-HealthCareMagic-100k", "input"),
}
HUB_OOD_SETS = {  # GQR name: (hf:// path, reader, text column)
    "jigsaw": ("Arsive/toxicity_classification_jigsaw/val_dataset.csv", "csv", "comment_text"),
    "olid": ("christophsonntag/OLID/test.csv", "csv", "cleaned_tweet"),
    "hate_xplain": ("nirmalendu01/hateXplain_filtered/data/train-00000-of-00001.parquet", "parquet", "test_case"),
    "hate_speech_slovak": ("TUKE-KEMT/hate_speech_slovak/test.json", "jsonl", "text"),
    "dkhate": ("DDSC/dkhate/data/test-00000-of-00001.parquet", "parquet", "text"),
    "web_questions": ("Stanford/web_questions/data/test-00000-of-00001.parquet", "parquet", "question"),
    "ml_questions": (
        "mjphayes/machine_learning_questions/data/test-00000-of-00001-fbd3905b045b12b8.parquet",
        "parquet",
        "question",
    ),
}
_TOXIC = ("toxic", "severe_toxic", "obscene", "threat", "insult", "identity_hate")


def load_hub_gqr_bench(*, timeout: float = 5.0) -> dict[str, list[Example]]:
    """Download GQR-Bench from the hub: ``{"train", "eval", "test"}`` (in-domain) and ``"ood_test"`` (7 sets).

    Checks the hub first and raises :class:`~gqr.DataUnavailableError` within ``timeout`` seconds when it cannot
    be reached (or ``HF_HUB_OFFLINE`` / ``HF_DATASETS_OFFLINE`` is set).
    """
    endpoint = os.environ.get("HF_ENDPOINT", "https://huggingface.co").rstrip("/")
    _probe(f"{endpoint}/api/datasets/{HUB_ID_SETS['law'][0]}", timeout)
    datasets = require("datasets", "hub")
    pd = require("pandas", "hub")
    model_selection = require("sklearn.model_selection", "hub")
    return {**_id_splits(datasets, model_selection), "ood_test": _ood(pd)}


def _probe(url: str, timeout: float) -> None:
    offline = [v for v in ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE") if os.environ.get(v, "").lower() in ("1", "true")]
    alternative = (
        "; the local mirror is the alternative: set GQR_DATA_DIR and use gqr.data.load_ood_test() "
        "(the exact seven OOD test sets) and gqr.data.load_id() (substitute in-domain sets)"
    )
    if offline:
        raise DataUnavailableError(f"not loading GQR-Bench from the hub: {', '.join(offline)} is set{alternative}")
    errors: list[BaseException] = []

    def attempt() -> None:
        try:
            request = urllib.request.Request(url, method="HEAD", headers={"User-Agent": "gqr"})
            with urllib.request.urlopen(request, timeout=timeout):
                pass
        except urllib.error.HTTPError:
            pass  # the server answered: the hub is reachable
        except (OSError, ValueError) as exc:
            errors.append(exc)

    thread = threading.Thread(target=attempt, daemon=True)  # bounds DNS look-ups too, which ignore `timeout`
    thread.start()
    thread.join(timeout)
    if thread.is_alive() or errors:
        got = errors[0] if errors else f"no answer within {timeout:g} s"
        raise DataUnavailableError(f"cannot reach the Hugging Face hub (tried HEAD {url}: {got}){alternative}")


def _id_splits(datasets: Any, model_selection: Any) -> dict[str, list[Example]]:
    parts = []
    for domain, (name, column) in HUB_ID_SETS.items():
        train = datasets.load_dataset(name)["train"]
        part = (
            train.filter(lambda x, c=column: x[c] is not None and str(x[c]).strip() != "")
            .filter(lambda x: all(v is not None for v in x.values()))
            .select(range(min(_SIZE, len(train))))
        )
        parts.append(part.map(lambda x, c=column, d=domain: {"text": str(x[c]), "domain": d}))
    split = datasets.concatenate_datasets(parts).train_test_split(test_size=_TEST_FRACTION, seed=_SEED)
    test, train = split["test"].to_pandas(), split["train"].to_pandas()
    train = train.sample(frac=1, random_state=_SEED).reset_index(drop=True)
    train, dev = model_selection.train_test_split(
        train, test_size=_TEST_FRACTION, random_state=_SEED, stratify=train["domain"]
    )

    def rows(frame: Any) -> list[Example]:
        return [Example(t, d, "gqr_bench_hub") for t, d in zip(frame["text"], frame["domain"], strict=True)]

    return {"train": rows(train), "eval": rows(dev), "test": rows(test)}


def _ood(pd: Any) -> list[Example]:
    out: list[Example] = []
    for name, (path, kind, column) in HUB_OOD_SETS.items():
        url = f"hf://datasets/{path}"
        frame = (
            pd.read_csv(url)
            if kind == "csv"
            else pd.read_json(url, lines=True)
            if kind == "jsonl"
            else pd.read_parquet(url)
        )
        if name == "jigsaw":
            frame = frame[(frame[list(_TOXIC)] == 1).any(axis=1)]
        elif name == "hate_xplain":
            frame = frame[frame["gold_label"] == "hateful"]
        elif name == "hate_speech_slovak":
            frame = frame[frame["label"] == 0]
        texts = [str(t) for t in frame[column]]
        if name not in ("web_questions", "ml_questions"):  # GQR drops missing and blank texts of the other five
            texts = [t for t, missing in zip(texts, frame[column].isna(), strict=True) if not missing and t.strip()]
        out += [Example(t, "ood", name, OOD_REASONS[name]) for t in texts]
    return out
