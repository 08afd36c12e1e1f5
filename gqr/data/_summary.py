"""A table of every data set: role, name, domain or reason, split sizes, source."""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import asdict, dataclass

from gqr.data._ood import OOD_REASONS, OOD_TEST_FILE, OOD_TEST_SETS, load_ood_test
from gqr.data._paths import data_dir as _data_dir
from gqr.data._pools import pool
from gqr.data._split import SPLITS

__all__ = ["SetSummary", "summary"]


@dataclass(frozen=True, slots=True)
class SetSummary:
    """One row of :func:`summary`. ``role`` is ``ood-test``, ``in-domain`` or ``outlier``."""

    role: str
    name: str
    kind: str  # domain (in-domain) or rejection reason (ood-test, outlier)
    train: int
    eval: int
    test: int
    source: str

    @property
    def total(self) -> int:
        return self.train + self.eval + self.test

    def to_dict(self) -> dict[str, object]:
        return {**asdict(self), "total": self.total}


def summary(data_dir: str | os.PathLike[str] | None = None) -> list[SetSummary]:
    """Every set: the seven OOD test sets, then each in-domain and outlier source per domain / reason, then totals."""
    root = _data_dir(data_dir).resolve()
    ood = Counter(e.dataset for e in load_ood_test(root))
    rows = [SetSummary("ood-test", n, OOD_REASONS[n], 0, 0, ood[n], OOD_TEST_FILE) for n in OOD_TEST_SETS]
    counts: Counter[tuple[str, str, str, str]] = Counter()
    for split, examples in pool(root).splits.items():
        for e in examples:
            role = "outlier" if e.label == "ood" else "in-domain"
            counts[role, e.dataset, e.reason or e.label, split] += 1
    for role in ("in-domain", "outlier"):
        keys = sorted({k[:3] for k in counts if k[0] == role}, key=lambda k: (k[2], k[1]))
        for kind in dict.fromkeys(k[2] for k in keys):
            for _, name, _ in (k for k in keys if k[2] == kind):
                sizes = [counts[role, name, kind, s] for s in SPLITS]
                rows.append(SetSummary(role, name, kind, sizes[0], sizes[1], sizes[2], f"{name}/"))
            total = [sum(counts[k] for k in counts if k[0] == role and k[2] == kind and k[3] == s) for s in SPLITS]
            rows.append(SetSummary(role, "(all)", kind, total[0], total[1], total[2], "-"))
    return rows
