"""Views: matplotlib figures and the self-contained HTML report, drawn from saved results.

Views never train and never import the engine: they read numbers that the workflows computed.
"""
