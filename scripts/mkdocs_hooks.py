"""MkDocs hook: reST roles in docstrings shown as code.

The docstrings are Google style with Sphinx roles (``:meth:`get_auth_url```), which the API
reference would show verbatim: the role goes, the code stays.
"""

from __future__ import annotations

import re
from typing import Any

_ROLE = re.compile(r":(?:meth|class|func|data|mod|attr|exc|obj):(?=<code>)")


def on_page_content(html: str, **kwargs: Any) -> str:
    return _ROLE.sub("", html)
