"""The ``tessera`` command: the one place that sees both the app (``app``) and its window (``ui``).

``tessera.cli`` parses the command line and either works in the shell or opens the window,
handing the window the composition root (``app.launcher``) it cannot import itself.
"""
