"""Chinese users never meet English fragments: every string of the product is translated.

The catalogs are re-extracted from the current source in a scratch copy of the project (so a
new string that nobody translated fails here), then checked for empty and fuzzy entries.
"""
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SKIP = {".venv", "node_modules", "tests", "bench", ".git", "staticfiles", "media", ".celery", "docs"}


def _entries(po_text: str):
    for block in po_text.split("\n\n"):
        lines = [line for line in block.splitlines() if line and not line.startswith("#~")]
        if not any(line.startswith("msgid ") for line in lines):
            continue
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in lines)
        text = "\n".join(line for line in lines if not line.startswith("#"))
        msgid = "".join(re.findall(r'"(.*)"', text.split("msgstr")[0].split("msgid_plural")[0]))
        msgstrs = re.split(r"^msgstr(?:\[\d+\])? ", text, flags=re.M)[1:]
        values = ["".join(re.findall(r'"(.*)"', s)) for s in msgstrs]
        yield msgid, values, fuzzy


@pytest.fixture(scope="module")
def fresh_catalogs(tmp_path_factory):
    if not shutil.which("xgettext"):
        pytest.skip("gettext is not installed (make test installs it)")
    work = tmp_path_factory.mktemp("i18n") / "project"
    shutil.copytree(ROOT, work, ignore=lambda d, names: [n for n in names if n in SKIP or n.endswith(".mo")])
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "zh_Hans", "--no-obsolete", "--no-location",
         "-i", "staticfiles"],
        cwd=work, check=True, capture_output=True, env={"DJANGO_SETTINGS_MODULE": "config.settings.test",
                                                        "PATH": "/usr/bin:/bin", "HOME": str(work)},
    )
    return sorted(work.glob("locale/zh_Hans/LC_MESSAGES/django.po")) + sorted(
        work.glob("apps/*/locale/zh_Hans/LC_MESSAGES/django.po"))


def test_every_app_with_strings_has_a_catalog():
    for app in sorted(p for p in (ROOT / "apps").iterdir() if (p / "apps.py").exists()):
        assert (app / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po").exists(), f"{app.name} has no zh-Hans catalog"


def test_zh_hans_catalogs_have_no_untranslated_or_fuzzy_entries(fresh_catalogs):
    problems = []
    for po in fresh_catalogs:
        for msgid, values, fuzzy in _entries(po.read_text(encoding="utf-8")):
            if not msgid:
                continue
            where = "/".join(po.parts[-6:-3]) if po.parts[-6] == "apps" else "locale"
            if fuzzy:
                problems.append(f"{where}: fuzzy: {msgid!r}")
            elif not all(values):
                problems.append(f"{where}: untranslated: {msgid!r}")
    assert not problems, "\n".join(problems)
