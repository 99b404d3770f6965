"""Every read a screen, report or device needs, one module per thing read.

A query reads (blocking: callers run it in a worker thread) and never writes; it shapes
what it read as its readers need it (the hall at a glance, a ticket's status, a window's
desk, a live view's snapshot, the event log), so no room opens the store itself.
"""
