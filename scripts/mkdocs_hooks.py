"""MkDocs hooks: reST roles in docstrings shown as code, and pages that other branches
bring, stood in for until they are merged.

The docstrings are Google style with Sphinx roles (``:meth:`get_auth_url```), which the API
reference would show verbatim: the role goes, the code stays.

``docs/django.md`` and ``docs/screenshots/django_app.png`` are written on another branch.
Until they land, the build gets a stand-in for each missing one, so that the strict build can
check every other link. Once all of them exist this hook does nothing: delete ``PENDING`` and
``on_files`` after the merge.
"""

from __future__ import annotations

import re
from typing import Any

from mkdocs.structure.files import File, Files

PENDING = {
    "django.md": "# Smartcar in Django\n\nThis page arrives with the django branch.\n",
    "screenshots/django_app.png": b"",
}

_ROLE = re.compile(r":(?:meth|class|func|data|mod|attr|exc|obj):(?=<code>)")


def on_page_content(html: str, **kwargs: Any) -> str:
    return _ROLE.sub("", html)


def on_files(files: Files, config: Any) -> Files:
    for path, content in PENDING.items():
        if files.get_file_from_path(path) is None:
            files.append(File.generated(config, path, content=content))
    return files
