"""A fleet sweep as Celery tasks: Redis as the broker and as the shared application-token store.

See ``README.md`` beside this file. Run a worker with
``celery -A examples.celery_sweep.tasks worker``, then ``python -m examples.celery_sweep.run``.
"""
