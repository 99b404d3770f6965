"""The commands a kiosk, clerk, manager or device can give, one module per concept.

Each concept's module sits beside its rules module and holds one class of commands:
``tickets`` (issue, cancel, call, recall, start, finish, no-show, hold, call back,
transfer, reactivate; ``rules.lifecycle``), ``windows`` (open, pause, resume, close, the
services a window serves, pausing a service's issuing; ``rules.windows``),
``appointments``, ``evaluations``, ``devices``, ``notices`` (each with the rules module
of its name) and ``day`` (the business day and its rollover). ``unit`` holds what they
share: ``Commands``, the base that owns the store, config, clock and listeners, and
``_unit``, the one transaction each command runs in (events recorded in it, listeners
told after the commit). ``outcomes`` holds what the commands answer.

``queue_server.service.QueueService`` is these classes composed: it inherits from each
concept's class, and they all from ``Commands``. Mixins rather than a facade delegating
to per-concept objects, because the public face stays exactly what it was (one object,
the same methods, ``store``, ``config``, ``clock`` and ``listeners``) without restating
some forty signatures in a facade that would have to follow every change to them. What
one concept needs of another is a plain function taking the unit (an appointment's
check-in issues its ticket with ``tickets.issue_in``; an issue asks ``devices.print_job``
for the printer's slip), so no class reaches into another's methods.
"""
