"""Read the fields of the forms on a page (the standard library's HTML parser is enough)."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Field:
    name: str
    kind: str  # input type, "select" or "textarea"
    options: list[str] = field(default_factory=list)


@dataclass
class Form:
    action: str
    method: str
    fields: dict[str, Field] = field(default_factory=dict)


class _Parser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.forms: list[Form] = []
        self._select: Field | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append(
                Form(attrs.get("action") or "", (attrs.get("method") or "get").lower())
            )
            return
        if not self.forms:
            return
        form = self.forms[-1]
        name = attrs.get("name")
        if tag == "input" and name and name != "csrfmiddlewaretoken":
            kind = (attrs.get("type") or "text").lower()
            existing = form.fields.get(name)
            if existing and kind in ("radio", "checkbox"):
                existing.options.append(attrs.get("value") or "on")
            else:
                form.fields[name] = Field(name, kind, [attrs.get("value") or "on"])
        elif tag == "textarea" and name:
            form.fields[name] = Field(name, "textarea")
        elif tag == "select" and name:
            self._select = form.fields[name] = Field(name, "select")
        elif tag == "option" and self._select is not None:
            self._select.options.append(attrs.get("value") or "")

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def forms_on(html: str) -> list[Form]:
    parser = _Parser()
    parser.feed(html)
    return parser.forms
