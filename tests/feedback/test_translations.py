"""The Chinese of functions 7 and 8: every UI string of the feedback and documents modules
has its Simplified Chinese in the catalogs or in i18n/feedback_documents.tsv (waiting
to be merged), with the seed's words for the buttons users know, and the same
placeholders as the English."""
from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TSV = ROOT / "i18n" / "feedback_documents.tsv"
OURS = ("blueprints/feedback", "blueprints/documents", "blueprints/api/feedback", "blueprints/api/documents",
        "templates/scm/feedback", "templates/scm/documents", "templates/scm/emails/feedback",
        "templates/scm/emails/documents")
# The seed's words (客户业务管理模块介绍, sections 七 and 八) for what users click.
SEED = {"View": "阅览", "Reply": "回复", "Delete": "删除", "Save": "保存", "Complaint": "投诉",
        "Suggestion": "建议", "Document subject": "文档主题", "Choose customers": "选择客户", "Upload": "上传",
        "Customer feedback": "客户意见接收处理", "Document upload": "资料上传"}
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


@pytest.fixture(scope="module")
def tool():
    spec = importlib.util.spec_from_file_location("scm_i18n_script", ROOT / "scripts" / "i18n.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def tsv() -> dict[str, list[str]]:
    rows = {}
    if not TSV.exists():   # merged into the catalogs and removed
        return rows
    for line in TSV.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            parts = line.split("\t")
            assert len(parts) in (2, 3) and all(p.strip() for p in parts), line
            assert parts[0] not in rows, f"twice: {parts[0]}"
            rows[parts[0]] = parts[1:]
    return rows


def _zh_cn(tool, tsv, msgid: str) -> str | None:
    if msgid in tsv:
        return tsv[msgid][0]
    entry = tool.read_catalog(tool.po_path("zh_CN"), "zh_CN").get(msgid)
    return entry.string if entry is not None and entry.string else None


def test_every_string_of_the_two_modules_has_its_chinese(tool, tsv):
    ours = set()
    for m in tool.extract():
        if any(str(loc[0]).startswith(OURS) for loc in m.locations):
            ours.add(m.id if isinstance(m.id, str) else m.id[0])
    assert len(ours) > 80
    missing = sorted(msgid for msgid in ours if not _zh_cn(tool, tsv, msgid))
    assert not missing, f"add to {TSV.name}: {missing}"
    stale = sorted(set(tsv) - ours)
    assert not stale, f"no longer used: {stale}"


def test_the_seed_words(tool, tsv):
    for msgid, chinese in SEED.items():
        assert _zh_cn(tool, tsv, msgid) == chinese, msgid


def test_placeholders_survive_translation(tsv):
    for msgid, translations in tsv.items():
        for text in translations:
            assert sorted(PLACEHOLDER.findall(text)) == sorted(PLACEHOLDER.findall(msgid)), (msgid, text)
