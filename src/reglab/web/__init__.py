"""The playground: ``reglab serve`` trains stacks of models live and streams what they do to a page.

``models`` validates requests; ``session`` drives a :class:`~reglab.engine.StackTrainer` in a worker
thread and ``commands`` applies what the page asks of it, every change going on from the current weights
(``changes``); ``budget`` shares the cores between runs in turn; ``workers`` trains the runs in worker
processes (``remote`` is a run there, as the server sees it); ``plane`` holds the data's plane, its input
features and the server's forward pass; ``frames`` computes what a frame shows; ``streaming`` sends a
run's data and frames; ``uploads`` checks CSV tables; ``export`` gives the matching command lines;
``registry`` holds the runs, their owners and their cap under one lock; ``guards`` checks the Host header
and caps request bodies; ``refusals`` words every refusal in one line; ``app`` is the FastAPI application;
``static/`` holds the page.
"""

from reglab.web.app import create_app

__all__ = ["create_app"]
