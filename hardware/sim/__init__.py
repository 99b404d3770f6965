"""Virtual serial devices on ptys, for tests and for ``run.py --simulate-devices``.

    pty.py      a pty pair behind a stable symlink, which can be unplugged and plugged back
    screen.py   an Onbon LED bus: decodes the frames, keeps each screen's text, answers ACK
    pads.py     an FF 68 bus of caller and evaluation pads: press keys, give ratings
    printer.py  an ESC/POS printer that keeps its bytes and answers status queries
    demo.py     the devices of a whole hall, wired into its configuration

Each simulator runs a reader thread, so a plain test and the server's event loop can
both use it; ``wait_until`` waits for what a test expects the host to have sent.
"""
