"""The Django example: ``python -m examples.django_app`` (or ``make example-django``)."""
