"""Source-held-out scores: how a family routes text from sources it never saw in training.

The in-distribution test split shares its sources with the train split, so it overstates generalization. Here every
source (a dataset name of :mod:`gqr.data`, all its labels together) belongs to one of K = 3 folds, by the fixed
rotation :data:`FOLD_TABLE`. For each fold the family is trained with :func:`gqr.train.train` (same parameters,
thresholds tuned the same way) on the train split **without** the fold's sources, its thresholds tuned on the eval
split also without them; the model then scores every text of the held-out sources (train + eval + test splits: it
saw none of them). Each source is held out exactly once, so pooling the folds scores every pool text once.

The table was chosen so that each fold holds out about a third of each domain's sources and of each rejection
reason's sources, keeps sources of one origin together (the two iCliniq sets), and keeps the three law sources
closest to how people ask (``lse_odsc_synthetic``, ``reddit_top_law``, ``legalbench_learned_hands_train``) in
different folds. A source shared by several roles (``mmlu_test``, ``expertqa``, ``clinc150_oos``, ``hwu64``,
``trec_questions``, ``xquad``) is held out for all of them at once. A source missing from the table (a new one) goes
to the fold given by a stable hash of its name (:func:`fold_of`), so the rotation never silently skips a source.

==========  =================================================================================================
fold        held-out sources
==========  =================================================================================================
0           law: lse_odsc_synthetic, calbar_essay_questions, indian_legal_qa;
            finance: fiqa_questions, cfa_exam_questions, financebench, hwu64;
            healthcare: icliniq_chat2k, icliniq_lasseregin, covid_q;
            off_topic: reddit_top_general, nq_open_questions, gsm8k_test;
            unsafe: jailbreak_llms_in_the_wild, davidson_hate_offensive, edos_sexism, profanity_en;
            other_language: tatoeba_laser
1           law: reddit_top_law, mmlu_test, uk_legal_qa;
            finance: reddit_top_finance, finqa_dev_pixiu, ib_interview_questions;
            healthcare: reddit_top_health, counsel_chat;
            off_topic: stackoverflow_titles_20k, snips, mbpp, self_instruct_seed_tasks, team_roleplay;
            unsafe: toxigen_demonstrations, deepset_prompt_injections, convabuse, stormfront_hate, team_abuse;
            other_language: xsid_multilingual
2           law: legalbench_learned_hands_train, avvo_bankruptcy_links, expertqa, team_short_questions;
            finance: tatqa_questions, finrad_finance_terms, fintextqa_regulation, clinc150_oos;
            healthcare: kqa_patient_questions, medical_question_pairs;
            off_topic: trec_questions, arena_hard_prompts, atis, gpteacher_roleplay_codegen;
            unsafe: hh_rlhf_harmless_test_prompts, tweeteval_hate, team_harm, team_suffix (the team's short
            questions with an insult or injection, held out with them);
            other_language: xquad
==========  =================================================================================================
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from gqr._decision import DOMAINS, OOD
from gqr._errors import InvalidInputError
from gqr._log import logger
from gqr.train._dataset import LabelledSet, build

__all__ = ["FOLDS", "FOLD_TABLE", "fold_of", "fold_table_for", "held_out_scores", "store_held_out"]

FOLDS = 3

_ROTATION: tuple[tuple[str, ...], ...] = (
    (
        "lse_odsc_synthetic", "calbar_essay_questions", "indian_legal_qa",
        "fiqa_questions", "cfa_exam_questions", "financebench", "hwu64",
        "icliniq_chat2k", "icliniq_lasseregin", "covid_q",
        "reddit_top_general", "nq_open_questions", "gsm8k_test",
        "jailbreak_llms_in_the_wild", "davidson_hate_offensive", "edos_sexism", "profanity_en",
        "tatoeba_laser",
    ),
    (
        "reddit_top_law", "mmlu_test", "uk_legal_qa",
        "reddit_top_finance", "finqa_dev_pixiu", "ib_interview_questions",
        "reddit_top_health", "counsel_chat",
        "stackoverflow_titles_20k", "snips", "mbpp", "self_instruct_seed_tasks", "team_roleplay",
        "toxigen_demonstrations", "deepset_prompt_injections", "convabuse", "stormfront_hate", "team_abuse",
        "xsid_multilingual",
    ),
    (
        "legalbench_learned_hands_train", "avvo_bankruptcy_links", "expertqa", "team_short_questions",
        "tatqa_questions", "finrad_finance_terms", "fintextqa_regulation", "clinc150_oos",
        "kqa_patient_questions", "medical_question_pairs",
        "trec_questions", "arena_hard_prompts", "atis", "gpteacher_roleplay_codegen",
        "hh_rlhf_harmless_test_prompts", "tweeteval_hate", "team_harm",
        "team_suffix",  # the team's short questions with an insult or injection: held out with them
        "xquad",
    ),
)  # fmt: skip
FOLD_TABLE: dict[str, int] = {source: k for k, sources in enumerate(_ROTATION) for source in sources}


def fold_of(source: str, folds: int = FOLDS, table: Mapping[str, int] | None = None) -> int:
    """The fold that holds ``source`` out: its entry in ``table`` (default :data:`FOLD_TABLE` when ``folds`` is 3),
    else a stable hash of its name. A derived dataset (``"<source>:title"``) goes with its source."""
    if folds < 2:
        raise InvalidInputError(f"folds must be >= 2, got {folds!r}")
    base = source.split(":", 1)[0]
    table = table if table is not None else (FOLD_TABLE if folds == FOLDS else {})
    if base in table:
        fold = int(table[base])
        if not 0 <= fold < folds:
            raise InvalidInputError(f"fold table puts {base!r} in fold {fold}, expected 0..{folds - 1}")
        return fold
    return int.from_bytes(hashlib.sha256(base.encode("utf-8")).digest()[:8], "big") % folds


def fold_table_for(
    sources: Iterable[str], folds: int = FOLDS, table: Mapping[str, int] | None = None
) -> dict[str, int]:
    """``{source: fold}`` for every source (by its base name), sorted by name."""
    return {s: fold_of(s, folds, table) for s in sorted({s.split(":", 1)[0] for s in sources})}


def held_out_scores(
    family: str,
    variant: str = "guarded",
    params: Mapping[str, Any] | None = None,
    *,
    folds: int = FOLDS,
    seed: int = 0,
    max_per_dataset: int | None = 5000,
    data_dir: str | os.PathLike[str] | None = None,
    title_views: bool = False,
    question_views: bool = False,
    unsafe_suffixes: int = 0,
    table: Mapping[str, int] | None = None,
    train_set: LabelledSet | None = None,
    eval_set: LabelledSet | None = None,
    score_set: LabelledSet | None = None,
    work_dir: str | os.PathLike[str] | None = None,
) -> dict[str, Any]:
    """Train ``family`` once per fold without the fold's sources and score their texts; a JSON-ready dict.

    The sets default to :func:`build` of the train / eval splits (as :func:`gqr.train.train` builds them) and, for
    scoring, every split with every outlier (no cap). ``table`` replaces :data:`FOLD_TABLE` (tests); models are
    written under ``work_dir`` (default: a temporary directory, removed afterwards). Keys: ``id_acc`` (over all
    held-out in-domain texts), ``id_acc_per_domain`` (mean over texts), ``id_acc_per_domain_source_mean``,
    ``id_acc_per_source`` ``{domain: {source: acc}}``, ``rejection`` (mean over outlier sources),
    ``rejection_per_source``, ``rejection_per_reason`` (over texts), ``reason_acc_per_source``, the counts, the
    ``fold_table`` and ``per_fold`` details. All scores are fractions in [0, 1].
    """
    import gqr
    from gqr.train._pipeline import train

    start = time.perf_counter()
    if train_set is None:
        train_set = build(
            "train",
            variant,
            max_per_dataset=max_per_dataset,
            seed=seed,
            data_dir=data_dir,
            title_views=title_views,
            question_views=question_views,
            unsafe_suffixes=unsafe_suffixes,
        )
    if eval_set is None:
        eval_set = build("eval", variant, max_per_dataset=max_per_dataset, seed=seed, data_dir=data_dir)
    if score_set is None:
        score_set = build("all", variant, outliers=True, max_per_dataset=None, seed=seed, data_dir=data_dir)
    fold_table = fold_table_for([*train_set.datasets, *eval_set.datasets, *score_set.datasets], folds, table)
    fold = {s: fold_table[s.split(":", 1)[0]] for s in {*train_set.datasets, *eval_set.datasets, *score_set.datasets}}

    correct = np.zeros(len(score_set), dtype=bool)  # ID: routed to its domain; outlier: rejected
    reason_right = np.zeros(len(score_set), dtype=bool)
    scored = np.zeros(len(score_set), dtype=bool)
    per_fold = []
    with tempfile.TemporaryDirectory(prefix="gqr-heldout-") as tmp:
        root = Path(work_dir) if work_dir is not None else Path(tmp)
        for k in range(folds):
            held = sorted(s for s, f in fold_table.items() if f == k)
            fit = _keep(train_set, fold, k, held_out=False)
            tune = _keep(eval_set, fold, k, held_out=False)
            rows = np.flatnonzero([fold[d] == k for d in score_set.datasets])
            if not held or not len(rows):
                logger.info("held-out fold %d: no texts to score, skipped", k)
                per_fold.append({"fold": k, "held_out": held, "n_train": len(fit), "n_eval": len(tune), "n_scored": 0})
                continue
            logger.info("held-out fold %d: without %s: %d train, %d eval texts", k, held, len(fit), len(tune))
            t0 = time.perf_counter()
            result = train(
                family,
                variant,
                out_dir=root / f"fold{k}",
                name=f"{family}-{variant}-heldout{k}",
                params=params,
                seed=seed,
                train_set=fit,
                eval_set=tune,
            )
            router = gqr.load(str(result.card_path))
            outcomes = router.outcomes([score_set.texts[i] for i in rows])
            for i, (_, label, _, reason) in zip(rows.tolist(), outcomes, strict=True):
                expected = score_set.labels[i]
                correct[i] = label == expected
                reason_right[i] = expected == OOD and reason == score_set.reasons[i]
            scored[rows] = True
            per_fold.append(
                {
                    "fold": k,
                    "held_out": held,
                    "n_train": len(fit),
                    "n_eval": len(tune),
                    "n_scored": len(rows),
                    "id_acc": _mean(correct[rows][_is_id(score_set, rows)]),
                    "rejection": _mean(correct[rows][~_is_id(score_set, rows)]),
                    "thresholds": result.thresholds,
                    "seconds": round(time.perf_counter() - t0, 1),
                }
            )
    return _summary(
        score_set,
        correct,
        reason_right,
        scored,
        header={
            "protocol": f"source-held-out, fixed rotation of {folds} folds (gqr/train/_heldout.py)",
            "family": family,
            "variant": variant,
            "params": dict(params or {}),
            "seed": seed,
            "folds": folds,
            "max_per_dataset": max_per_dataset,
            "title_views": title_views,
            "question_views": question_views,
            "unsafe_suffixes": unsafe_suffixes,
            "fold_table": fold_table,
        },
        per_fold=per_fold,
        seconds=time.perf_counter() - start,
    )


def store_held_out(card_path: str | os.PathLike[str], held_out: Mapping[str, Any]) -> None:
    """Write ``held_out`` into a written card as ``training.held_out`` (the ONNX file and its sha256 stay)."""
    path = Path(card_path)
    card = json.loads(path.read_text(encoding="utf-8"))
    card.setdefault("training", {})["held_out"] = dict(held_out)
    path.write_text(json.dumps(card, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")


def _keep(data: LabelledSet, fold: Mapping[str, int], k: int, *, held_out: bool) -> LabelledSet:
    return data.subset(np.flatnonzero([(fold[d] == k) == held_out for d in data.datasets]))


def _is_id(data: LabelledSet, rows: np.ndarray) -> np.ndarray:
    return np.array([data.labels[i] != OOD for i in rows.tolist()], dtype=bool)


def _summary(
    data: LabelledSet,
    correct: np.ndarray,
    reason_right: np.ndarray,
    scored: np.ndarray,
    *,
    header: dict[str, Any],
    per_fold: list[dict[str, Any]],
    seconds: float,
) -> dict[str, Any]:
    id_rows: dict[str, dict[str, list[int]]] = {}
    out_rows: dict[str, list[int]] = {}
    reason_rows: dict[str, list[int]] = {}
    for i in np.flatnonzero(scored).tolist():
        source = data.datasets[i].split(":", 1)[0]
        if data.labels[i] == OOD:
            out_rows.setdefault(source, []).append(i)
            reason_rows.setdefault(data.reasons[i] or OOD, []).append(i)
        else:
            id_rows.setdefault(data.labels[i], {}).setdefault(source, []).append(i)
    per_source = {d: {s: _mean(correct[idx]) for s, idx in sorted(id_rows[d].items())} for d in DOMAINS if d in id_rows}
    all_id = [i for d in id_rows.values() for idx in d.values() for i in idx]
    rejection = {s: _mean(correct[idx]) for s, idx in sorted(out_rows.items())}
    return {
        **header,
        "id_acc": _mean(correct[all_id]) if all_id else None,
        "id_acc_per_domain": {d: _mean(correct[[i for idx in id_rows[d].values() for i in idx]]) for d in per_source},
        "id_acc_per_domain_source_mean": {d: float(np.mean(list(v.values()))) for d, v in per_source.items()},
        "id_acc_per_source": per_source,
        "n_id_per_source": {d: {s: len(idx) for s, idx in sorted(id_rows[d].items())} for d in per_source},
        "rejection": float(np.mean(list(rejection.values()))) if rejection else None,
        "rejection_per_source": rejection,
        "rejection_per_reason": {r: _mean(correct[idx]) for r, idx in sorted(reason_rows.items())},
        "reason_acc_per_source": {s: _mean(reason_right[idx]) for s, idx in sorted(out_rows.items())},
        "n_outlier_per_source": {s: len(idx) for s, idx in sorted(out_rows.items())},
        "per_fold": per_fold,
        "seconds": round(seconds, 1),
    }


def _mean(values: np.ndarray) -> float | None:
    return float(values.mean()) if len(values) else None
