"""Polish is complete: every message of the catalogue has its Polish text, none is fuzzy, and
the compiled catalogue (.mo, which Django reads) says the same as the source (.po)."""

import ast
import gettext
from pathlib import Path

from django.conf import settings

PO = Path(settings.BASE_DIR) / "locale" / "pl" / "LC_MESSAGES" / "django.po"


def entries(path: Path) -> list[dict]:
    """A small .po reader: msgctxt, msgid, msgid_plural, msgstr / msgstr[n], flags."""
    found, current, key = [], None, None
    for raw in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        line = raw.strip()
        if not line:
            if current and "msgid" in current:
                found.append(current)
            current, key = None, None
            continue
        current = current or {"flags": set(), "msgstr": {}}
        if line.startswith("#,"):
            current["flags"] |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#~"):
            current["obsolete"] = True
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            value = ast.literal_eval(line)
            if isinstance(key, tuple):
                current["msgstr"][key[1]] += value
            else:
                current[key] += value
        else:
            name, value = line.split(" ", 1)
            value = ast.literal_eval(value)
            if name.startswith("msgstr["):
                key = ("msgstr", int(name[7:-1]))
                current["msgstr"][key[1]] = value
            elif name == "msgstr":
                key = ("msgstr", 0)
                current["msgstr"][0] = value
            else:
                key = name
                current[name] = value
    return [e for e in found if not e.get("obsolete") and e["msgid"]]


def test_every_message_has_its_polish_text_and_none_is_fuzzy():
    missing = [e["msgid"] for e in entries(PO) if not all(e["msgstr"].values())]
    fuzzy = [e["msgid"] for e in entries(PO) if "fuzzy" in e["flags"]]
    assert missing == [] and fuzzy == []


def test_the_compiled_catalogue_is_up_to_date():
    with PO.with_suffix(".mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for entry in entries(PO):
        msgid = entry["msgid"]
        if "msgctxt" in entry:
            msgid = f"{entry['msgctxt']}\x04{msgid}"
        if "msgid_plural" in entry:
            got = (
                compiled.ngettext(msgid, entry["msgid_plural"], 1)
                if "msgctxt" not in entry
                else None
            )
            if got is not None and got != entry["msgstr"][0]:
                stale.append(entry["msgid"])
        elif compiled.gettext(msgid) != entry["msgstr"][0]:
            stale.append(entry["msgid"])
    assert stale == [], "run `make messages` (compilemessages)"
