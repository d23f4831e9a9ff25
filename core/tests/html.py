"""Read a page the way a user does: its visible text, whitespace collapsed."""

import re
from html import unescape

from django.http import HttpResponse


def visible_text(response: HttpResponse) -> str:
    html = response.content.decode()
    html = re.sub(r"<(script|style|head)\b.*?</\1>", " ", html, flags=re.S)
    text = unescape(re.sub(r"<[^>]+>", " ", html))
    return re.sub(r"\s+", " ", text).strip()
