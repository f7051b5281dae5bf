"""The project's own fault campaign (issue 12): device faults injected during real plays.

`scripts/faults` plays paced G.711 through the protocol clients (`isapi`, `vapix`) to the
simulators while one of their fault modes strikes at a random moment, many times over, and
prints a JSON summary: per fault kind the outcomes, whether every call ended within its
bound, the device session afterwards, and leftover sockets and tasks. A bad episode is a
hang past the bound, a false success, a session left open or a leak. Not part of CI.
"""
