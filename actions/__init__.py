"""Custom actions for the Rasa action server, one module per topic.

`backend_client` is the only module that does I/O (HTTP to the backend).
"""
