"""``smartcar.contrib.django``: a reusable Django app for Smartcar (the ``django`` extra).

Add ``"smartcar.contrib.django"`` to ``INSTALLED_APPS``, configure ``SMARTCAR = {...}`` in
settings (or the ``SMARTCAR_*`` environment variables), run ``migrate``, and include
``smartcar.contrib.django.urls``. What it brings:

* :mod:`~smartcar.contrib.django.conf`: the settings, read in one place, and the shared
  :func:`~smartcar.contrib.django.conf.get_client` / ``get_receiver``;
* :class:`~smartcar.contrib.django.store.DjangoTokenStore` and
  :class:`~smartcar.contrib.django.seen.DjangoSeenSet`: the token store (with its call meter)
  and the webhook seen-set on the project's database;
* :mod:`~smartcar.contrib.django.views`: the webhook endpoint and the Connect views;
* the ``smartcar_sweep`` and ``smartcar_webhooks`` management commands.

See docs/django.md. Django itself is imported only by the submodules.
"""

from typing import List

__all__: List[str] = []
