"""The playground: ``reglab serve`` trains stacks of models live and streams what they do to a page.

``models`` validates requests; ``session`` drives a :class:`~reglab.engine.StackTrainer` in a worker
thread; ``frames`` computes what a frame shows; ``uploads`` checks CSV tables; ``export`` gives the
matching command lines; ``registry`` holds the runs and their limit under one lock; ``guards`` checks the
Host header and caps request bodies; ``refusals`` words every refusal in one line; ``app`` is the FastAPI
application; ``static/`` holds the page.
"""

from reglab.web.app import create_app

__all__ = ["create_app"]
